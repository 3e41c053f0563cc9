/* csvfile.c - reads small CSV documents (prices, budgets, the built-in
 * catalog) with libcsv, record by record. */
#include <csv.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

#define CSV_FILE_MAX_BYTES ((size_t)64 << 20)
#define CSV_MAX_FIELDS 256

struct reader {
	const char *path;
	br_csv_record_fn fn;
	void *ctx;
	struct br_err *err;
	char *fields[CSV_MAX_FIELDS];
	size_t nfields;
	unsigned long line;        /* current physical line */
	unsigned long record_line; /* first line of the record being read */
	size_t header_fields;      /* the header's count; 0 before it */
	bool record_started;
	int status;                /* sticky: first failure */
};

static void on_field(void *data, size_t len, void *ctx)
{
	struct reader *r = ctx;
	if (r->status)
		return;
	if (!r->record_started) {
		r->record_started = true;
		r->record_line = r->line;
	}
	if (r->nfields == CSV_MAX_FIELDS) {
		r->status = br_fail(r->err, "%s:%lu: more than %d fields",
				    r->path, r->record_line, CSV_MAX_FIELDS);
		return;
	}
	r->fields[r->nfields++] = br_strndup(data ? data : "", len);
}

static void clear_fields(struct reader *r)
{
	for (size_t i = 0; i < r->nfields; i++)
		free(r->fields[i]);
	r->nfields = 0;
	r->record_started = false;
}

/* Checks a record's shape: a header names each column once; a later
 * record has as many fields as the header (a cell more or less shifts the
 * values under the wrong names, as a decimal comma would). */
static int check_shape(struct reader *r)
{
	if (!r->header_fields) {
		for (size_t i = 0; i < r->nfields; i++)
			for (size_t j = 0; j < i; j++)
				if (strcmp(r->fields[i], r->fields[j]) == 0)
					return br_fail(r->err, "%s:%lu: column '%s' "
						       "appears twice in the header",
						       r->path, r->record_line,
						       r->fields[i]);
		r->header_fields = r->nfields;
		return 0;
	}
	if (r->nfields != r->header_fields)
		return br_fail(r->err, "%s:%lu: expected %zu fields, as in the "
			       "header, got %zu", r->path, r->record_line,
			       r->header_fields, r->nfields);
	return 0;
}

static void on_record(int c, void *ctx)
{
	(void)c;
	struct reader *r = ctx;
	if (!r->status && r->nfields > 0) {
		bool blank = r->nfields == 1 && r->fields[0][0] == 0;
		if (!blank && (check_shape(r) != 0 ||
			       r->fn(r->ctx, r->record_line, r->fields,
				     r->nfields, r->err) != 0))
			r->status = -1;
	}
	clear_fields(r);
}

int br_csv_read_mem(const char *name, const char *data, size_t len,
		    br_csv_record_fn fn, void *ctx, struct br_err *err)
{
	struct csv_parser p;
	if (csv_init(&p, CSV_STRICT | CSV_APPEND_NULL | CSV_EMPTY_IS_NULL) != 0)
		br_oom();
	csv_set_realloc_func(&p, br_realloc);
	struct reader r = {.path = name, .fn = fn, .ctx = ctx, .err = err,
			   .line = 1};
	size_t off = 0;
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
		off = 3;
	/* Feed line by line so that record_line can be tracked. */
	while (off < len && !r.status) {
		const char *nl = memchr(data + off, '\n', len - off);
		size_t n = nl ? (size_t)(nl - (data + off)) + 1 : len - off;
		if (csv_parse(&p, data + off, n, on_field, on_record, &r) != n) {
			r.status = br_fail(err, "%s:%lu: %s", name, r.line,
					   csv_strerror(csv_error(&p)));
			break;
		}
		off += n;
		if (nl)
			r.line++;
	}
	if (!r.status && csv_fini(&p, on_field, on_record, &r) != 0)
		r.status = br_fail(err, "%s:%lu: %s", name, r.line,
				   csv_strerror(csv_error(&p)));
	clear_fields(&r);
	csv_free(&p);
	return r.status ? -1 : 0;
}

int br_file_read(const char *path, size_t max, struct br_buf *out,
		 struct br_err *err)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return br_fail(err, "cannot open '%s': %s", path, strerror(errno));
	char chunk[65536];
	size_t n;
	int rc = 0;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		if (out->len + n > max) {
			rc = br_fail(err, "%s: larger than %zu MiB", path, max >> 20);
			break;
		}
		br_buf_put(out, chunk, n);
	}
	if (rc == 0 && ferror(f))
		rc = br_fail(err, "cannot read '%s': %s", path, strerror(errno));
	fclose(f);
	return rc;
}

int br_csv_read_file(const char *path, br_csv_record_fn fn, void *ctx,
		     struct br_err *err)
{
	struct br_buf b = {0};
	int rc = br_file_read(path, CSV_FILE_MAX_BYTES, &b, err);
	if (rc == 0)
		rc = br_csv_read_mem(path, b.p ? b.p : "", b.len, fn, ctx, err);
	br_buf_free(&b);
	return rc;
}

int br_csv_column(char **header, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(header[i], name) == 0)
			return (int)i;
	return -1;
}
