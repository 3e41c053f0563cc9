/* util.c - the helpers fuzz.h declares. */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz/fuzz.h"

void fuzz_fail(const char *file, int line, const char *cond, const char *fmt,
	       ...)
{
	va_list ap;
	fprintf(stderr, "%s:%d: check failed: %s: ", file, line, cond);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

static int file_fd = -1;
static char file_path[64];

const char *fuzz_file(const void *data, size_t n, mode_t mode)
{
	fuzz_file_close();
	file_fd = memfd_create("fuzz", MFD_CLOEXEC);
	if (file_fd < 0 || fchmod(file_fd, mode) != 0 ||
	    br_write_all(file_fd, data, n) != 0) {
		perror("fuzz: memory file");
		abort();
	}
	snprintf(file_path, sizeof file_path, "/proc/self/fd/%d", file_fd);
	return file_path;
}

void fuzz_file_rewrite(const void *data, size_t n)
{
	if (ftruncate(file_fd, 0) != 0 || lseek(file_fd, 0, SEEK_SET) != 0 ||
	    br_write_all(file_fd, data, n) != 0) {
		perror("fuzz: memory file");
		abort();
	}
}

void fuzz_file_close(void)
{
	if (file_fd >= 0)
		close(file_fd);
	file_fd = -1;
}

void fuzz_json(const char *text, size_t len, const char *what)
{
	json_error_t je;
	json_t *j = json_loadb(text, len, JSON_DECODE_INT_AS_REAL, &je);
	FUZZ_CHECK(j, "%s: %s at %d:%d", what, je.text, je.line, je.column);
	json_decref(j);
}

const struct br_catalog *fuzz_catalog(void)
{
	static struct br_catalog *catalog;
	if (!catalog) {
		struct br_err err = {0};
		catalog = br_catalog_builtin(&err);
		FUZZ_CHECK(catalog, "built-in catalog: %s", err.msg);
	}
	return catalog;
}

/* Touches every byte of s, so that a sanitizer sees a bad slice. */
static void check_str(struct br_str s, const char *what)
{
	FUZZ_CHECK(s.p || !s.n, "%s: NULL with length %zu", what, s.n);
	unsigned sum = 0;
	for (size_t i = 0; i < s.n; i++)
		sum += (unsigned char)s.p[i];
	(void)sum;
}

void fuzz_event(struct br_pricer *pricer, const struct br_event *ev)
{
	check_str(ev->provider, "provider");
	check_str(ev->model, "model");
	check_str(ev->agent, "agent");
	check_str(ev->label, "label");
	check_str(ev->request_id, "request_id");
	FUZZ_CHECK(ev->tier < BR_TIER_COUNT, "tier %d", (int)ev->tier);
	char ts[28];
	br_time_format(ev->ts_us, ts);
	struct br_event priced = *ev;
	br_pricer_price(pricer, &priced);
	FUZZ_CHECK(priced.priced || priced.cost == 0,
		   "an unpriced event with a cost");
	FUZZ_CHECK(priced.band_lo <= priced.band_hi, "an inverted input band");
}

struct lines {
	struct br_pricer *pricer;
	size_t seen;
};

static void on_event(void *ctx, struct br_event *ev)
{
	struct lines *l = ctx;
	fuzz_event(l->pricer, ev);
	l->seen++;
}

static bool blank(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
			return false;
	return true;
}

size_t fuzz_format_lines(const char *name, const struct format_maps *maps,
			 const uint8_t *data, size_t n)
{
	struct lines l = {br_pricer_new(fuzz_catalog(), BR_COST_AUTO), 0};
	struct format_parser *p = NULL;
	bool in_record = false, failed = false;
	const char *s = (const char *)data, *end = s + n;
	for (unsigned long lineno = 1; s < end && !failed; lineno++) {
		/* Each line in a buffer of its own, so that a read past its
		 * end is caught. */
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t len = nl ? (size_t)(nl - s) : (size_t)(end - s);
		char *line = br_malloc(len ? len : 1);
		memcpy(line, s, len);
		s += len + (nl != NULL);
		const char *t = line;
		if (lineno == 1 && len >= 3 && memcmp(t, "\xEF\xBB\xBF", 3) == 0)
			t += 3, len -= 3;
		if (len && t[len - 1] == '\r')
			len--;
		if (!in_record && blank(t, len)) {
			free(line);
			continue;
		}
		struct br_err err = {0};
		if (!p) {
			size_t i = 0;
			while (i < len && blank(t + i, 1))
				i++;
			p = format_open(name, t + i, len - i, "fuzz", maps, NULL,
					&err);
			if (!p) {
				FUZZ_CHECK(br_failed(&err), "format_open failed silently");
				free(line);
				break;
			}
			p->sink = (struct format_sink){&l, on_event};
		}
		struct br_event ev;
		const char *why = NULL;
		int rc = p->line(p, t, len, &ev, &why, &err);
		FUZZ_CHECK(rc >= FORMAT_FAIL && rc <= FORMAT_EMITTED, "rc %d", rc);
		if (rc == FORMAT_FAIL) {
			FUZZ_CHECK(br_failed(&err), "FORMAT_FAIL without a message");
			failed = true;
		} else if (rc == FORMAT_RECORD && why) {
			FUZZ_CHECK(strlen(why) < 4096, "reject reason");
			l.seen++;
		} else if (rc == FORMAT_RECORD) {
			fuzz_event(l.pricer, &ev);
			l.seen++;
		}
		in_record = rc == FORMAT_MORE;
		free(line);
	}
	if (p) {
		const char *why = NULL;
		if (!failed && p->finish(p, &why) == 1)
			FUZZ_CHECK(why && strlen(why) < 4096, "final reject reason");
		p->free(p);
	}
	br_pricer_free(l.pricer);
	return l.seen;
}
