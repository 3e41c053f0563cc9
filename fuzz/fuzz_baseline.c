/* fuzz_baseline.c - the baseline file of `check` (report/check.c), which
 * CI keeps beside the code, where people and merges edit it: any file
 * either fails with a message naming it, or reads into a snapshot that
 * check_baseline_write writes back to a file that reads as the same
 * snapshot, byte for byte the same when written again; the snapshot
 * compared with itself changes nothing; every check format writes it,
 * JSON that jansson reads; and grouped again by its first key it keeps
 * its totals. The baseline is written to a directory in /dev/shm. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz/fuzz.h"
#include "report/report.h"

static char dir[64], written[96];

static void remove_dir(void)
{
	unlink(written);
	rmdir(dir);
}

static void setup(void)
{
	snprintf(dir, sizeof dir, "/dev/shm/burnrate-fuzz-XXXXXX");
	FUZZ_CHECK(mkdtemp(dir), "mkdtemp");
	snprintf(written, sizeof written, "%s/baseline.json", dir);
	atexit(remove_dir);
}

static bool amounts_same(const struct check_amounts *a,
			 const struct check_amounts *b)
{
	return a->requests == b->requests && a->tokens == b->tokens &&
	       a->cost == b->cost;
}

static void check_same(const struct check_snapshot *a,
		       const struct check_snapshot *b)
{
	FUZZ_CHECK(a->nkeys == b->nkeys &&
		   memcmp(a->keys, b->keys, a->nkeys * sizeof *a->keys) == 0,
		   "keys changed by writing");
	FUZZ_CHECK(amounts_same(&a->totals, &b->totals), "totals changed");
	FUZZ_CHECK(a->ngroups == b->ngroups, "%zu groups, %zu read back",
		   a->ngroups, b->ngroups);
	for (size_t i = 0; i < a->ngroups; i++) {
		for (size_t k = 0; k < a->nkeys; k++)
			FUZZ_CHECK(strcmp(a->groups[i].key[k],
					  b->groups[i].key[k]) == 0,
				   "group %zu key %zu: '%s' read back as '%s'", i,
				   k, a->groups[i].key[k], b->groups[i].key[k]);
		FUZZ_CHECK(amounts_same(&a->groups[i].a, &b->groups[i].a),
			   "group %zu amounts changed", i);
	}
}

/* The file at path, read whole (the caller frees). */
static char *slurp(const char *path, size_t *n)
{
	struct br_buf b = {0};
	struct br_err err = {0};
	FUZZ_CHECK(br_file_read(path, (size_t)1 << 30, &b, &err) == 0, "%s",
		   err.msg);
	*n = b.len;
	return b.p;
}

static void compare(const struct check_snapshot *base,
		    const struct check_snapshot *cur)
{
	struct check_rules rules;
	struct br_err err = {0};
	FUZZ_CHECK(check_parse_rules(NULL, NULL, false, &rules, &err) == 0,
		   "%s", err.msg);
	struct check_result *r = check_compare(base, cur, &rules, NULL, 0);
	FUZZ_CHECK(r->regressions == 0 && r->total.status == CHECK_UNCHANGED,
		   "a baseline compared with itself changed");
	for (size_t i = 0; i < r->nlines; i++)
		FUZZ_CHECK(r->lines[i].status == CHECK_UNCHANGED,
			   "line %zu is %s", i,
			   check_status_name(r->lines[i].status));
	static const enum check_format formats[] = {CHECK_TEXT, CHECK_MARKDOWN,
						    CHECK_JSON, CHECK_JUNIT};
	for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
		char *text = NULL;
		size_t len = 0;
		FILE *out = open_memstream(&text, &len);
		FUZZ_CHECK(check_write(r, formats[i], out, &err) == 0, "%s",
			   err.msg);
		fclose(out);
		if (formats[i] == CHECK_JSON)
			fuzz_json(text, len, "check's JSON");
		free(text);
	}
	check_result_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!dir[0])
		setup();
	const char *path = fuzz_file(data, size, 0644);
	struct br_err err = {0};
	struct check_snapshot *s = check_baseline_read(path, &err);
	if (!s) {
		FUZZ_CHECK(strstr(err.msg, path), "bad error: %s", err.msg);
		fuzz_file_close();
		return 0;
	}
	FUZZ_CHECK(s->nkeys >= 1 && s->nkeys <= REPORT_KEY_COUNT, "%zu keys",
		   s->nkeys);

	FUZZ_CHECK(check_baseline_write(s, written, &err) == 0, "%s", err.msg);
	struct check_snapshot *again = check_baseline_read(written, &err);
	FUZZ_CHECK(again, "what was written does not read: %s", err.msg);
	check_same(s, again);
	size_t n1, n2;
	char *first = slurp(written, &n1);
	FUZZ_CHECK(check_baseline_write(again, written, &err) == 0, "%s",
		   err.msg);
	char *second = slurp(written, &n2);
	FUZZ_CHECK(n1 == n2 && memcmp(first, second, n1) == 0,
		   "written twice, two files");
	free(first);
	free(second);

	compare(s, again);

	/* Grouped by its first key alone, the groups sum to the totals. */
	FUZZ_CHECK(check_snapshot_regroup(again, s->keys, 1, &err) == 0, "%s",
		   err.msg);
	struct check_amounts sum = {0};
	for (size_t i = 0; i < again->ngroups; i++) {
		sum.requests = red_count_add(sum.requests, again->groups[i].a.requests);
		sum.tokens = red_count_add(sum.tokens, again->groups[i].a.tokens);
		sum.cost = br_pico_add(sum.cost, again->groups[i].a.cost);
	}
	FUZZ_CHECK(amounts_same(&sum, &s->totals), "regrouping changed the totals");
	check_snapshot_free(again);
	check_snapshot_free(s);
	fuzz_file_close();
	return 0;
}
