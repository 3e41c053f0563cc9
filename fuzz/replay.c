/* replay.c - a main() for a fuzz target built without libFuzzer: runs
 * LLVMFuzzerTestOneInput on every file of the corpus directories (or
 * files) given as arguments, by default the target's own corpus,
 * fuzz/corpus/FUZZ_TARGET (from the repository root). `make check` runs
 * it, so that every input in the corpus, every crash found included,
 * stays a regression test; with SANITIZE=address,undefined under the
 * sanitizers. Each input gets a buffer of exactly its size, so that a
 * read past it is caught. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz/fuzz.h"

static size_t replayed;

static void replay_file(const char *path)
{
	struct br_buf b = {0};
	struct br_err err = {0};
	if (br_file_read(path, (size_t)64 << 20, &b, &err) != 0) {
		fprintf(stderr, "replay: %s\n", err.msg);
		exit(1);
	}
	size_t n = b.len;
	uint8_t *data = br_malloc(n ? n : 1);
	memcpy(data, b.p ? b.p : "", n);
	br_buf_free(&b);
	LLVMFuzzerTestOneInput(data, n);
	free(data);
	replayed++;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void replay(const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		fprintf(stderr, "replay: cannot open '%s'\n", path);
		exit(1);
	}
	if (!S_ISDIR(st.st_mode)) {
		replay_file(path);
		return;
	}
	DIR *d = opendir(path);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0;
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		names = br_realloc(names, (n + 1) * sizeof *names);
		struct br_buf p = {0};
		br_buf_printf(&p, "%s/%s", path, e->d_name);
		names[n++] = p.p;
	}
	if (d)
		closedir(d);
	if (n)
		qsort(names, n, sizeof *names, name_cmp);
	for (size_t i = 0; i < n; i++) {
		replay_file(names[i]);
		free(names[i]);
	}
	free(names);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		replay("fuzz/corpus/" FUZZ_TARGET);
	for (int i = 1; i < argc; i++)
		replay(argv[i]);
	printf("%s: replayed %zu inputs\n", FUZZ_TARGET, replayed);
	return 0;
}
