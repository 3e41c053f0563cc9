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
	char **header;             /* its names, for messages */
	bool record_started;
	bool in_quotes;            /* a quoted field is open */
	unsigned long quote_line;  /* the line where it (the last) opened */
	int status;                /* sticky: first failure */
};

/* RFC 4180: spaces are part of a field. libcsv trims an unquoted
 * field's leading and trailing spaces and tabs by default, which made a
 * budget's "agent=trail " count agent "trail" (the log CSV parser,
 * ingest/generic.c, keeps them as well). */
static int csv_no_space(unsigned char c)
{
	(void)c;
	return 0;
}

char *br_csv_trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = 0;
	return s;
}

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
		/* Column names are keywords: " scope" is "scope". */
		for (size_t i = 0; i < r->nfields; i++) {
			char *t = br_csv_trim(r->fields[i]);
			memmove(r->fields[i], t, strlen(t) + 1);
		}
		/* Empty names are left to the reader: two of them are
		 * rather a first line that is no header (br_csv_header). */
		for (size_t i = 0; i < r->nfields; i++)
			for (size_t j = 0; j < i && *r->fields[i]; j++)
				if (strcmp(r->fields[i], r->fields[j]) == 0)
					return br_fail(r->err, "%s:%lu: column '%s' "
						       "appears twice in the header",
						       r->path, r->record_line,
						       r->fields[i]);
		r->header_fields = r->nfields;
		r->header = br_malloc(r->nfields * sizeof *r->header);
		for (size_t i = 0; i < r->nfields; i++)
			r->header[i] = br_strdup(r->fields[i]);
		return 0;
	}
	if (r->nfields != r->header_fields)
		return br_fail(r->err, "%s:%lu: expected %zu fields, as in the "
			       "header, got %zu", r->path, r->record_line,
			       r->header_fields, r->nfields);
	/* A column the header leaves unnamed (a spreadsheet's trailing
	 * comma) is read by no one: a value in it would be lost unseen. */
	for (size_t i = 0; i < r->nfields; i++)
		if (!*r->header[i] &&
		    r->fields[i][strspn(r->fields[i], " \t")])
			return br_fail(r->err, "%s:%lu: value '%s' in column "
				       "%zu, which the header leaves unnamed",
				       r->path, r->record_line, r->fields[i],
				       i + 1);
	return 0;
}

static void on_record(int c, void *ctx)
{
	(void)c;
	struct reader *r = ctx;
	if (!r->status && r->nfields > 0) {
		/* A line of nothing but spaces and tabs too, now that fields
		 * keep theirs: no header of these files has one field. */
		bool blank = r->nfields == 1 && !*br_csv_trim(r->fields[0]);
		if (!blank && (check_shape(r) != 0 ||
			       r->fn(r->ctx, r->record_line, r->fields,
				     r->nfields, r->err) != 0))
			r->status = -1;
	}
	clear_fields(r);
}

/* Follows the quotes of n bytes the parser took: a quoted field opens
 * at a quote and closes at the next, and a doubled quote inside one
 * closes and opens it again (the parser, strict, refuses any other). */
static void track_quotes(struct reader *r, const char *s, size_t n)
{
	for (const char *q = memchr(s, '"', n); q;
	     q = memchr(q + 1, '"', (size_t)(s + n - (q + 1)))) {
		r->in_quotes = !r->in_quotes;
		if (r->in_quotes)
			r->quote_line = r->line;
	}
}

/* Names the field being read, "field 4 (limit_usd)", into buf. */
static const char *field_name(const struct reader *r, char *buf, size_t n)
{
	size_t i = r->record_started ? r->nfields : 0;
	if (i < r->header_fields)
		snprintf(buf, n, "field %zu (%s)", i + 1, r->header[i]);
	else
		snprintf(buf, n, "field %zu", i + 1);
	return buf;
}

/* The error code of the strict parser, which stopped at bad (len bytes from
 * it to the end of the data), said in the file's terms: libcsv's "error
 * parsing data while strict checking enabled" said neither what nor
 * where. A quoted field's error is on the line where the field starts. */
static int parse_error(struct reader *r, int code, const char *bad,
		       size_t len)
{
	char field[192];
	if (code != CSV_EPARSE || len == 0)
		return br_fail(r->err, "%s:%lu: %s", r->path, r->line,
			       csv_strerror(code));
	if (*bad == '"')
		return br_fail(r->err, "%s:%lu: a quote inside an unquoted field, "
			       "%s: quote the whole field and double the quotes "
			       "in it", r->path, r->line,
			       field_name(r, field, sizeof field));
	if (r->quote_line != r->line)
		return br_fail(r->err, "%s:%lu: a quoted field, %s, has text after "
			       "its closing quote on line %lu (a quote left "
			       "unclosed?)", r->path, r->quote_line,
			       field_name(r, field, sizeof field), r->line);
	return br_fail(r->err, "%s:%lu: a quoted field, %s, has text after its "
		       "closing quote", r->path, r->line,
		       field_name(r, field, sizeof field));
}

int br_csv_read_mem(const char *name, const char *data, size_t len,
		    br_csv_record_fn fn, void *ctx, struct br_err *err)
{
	struct csv_parser p;
	if (csv_init(&p, CSV_STRICT | CSV_APPEND_NULL | CSV_EMPTY_IS_NULL) != 0)
		br_oom();
	csv_set_realloc_func(&p, br_realloc);
	csv_set_space_func(&p, csv_no_space);
	struct reader r = {.path = name, .fn = fn, .ctx = ctx, .err = err,
			   .line = 1};
	size_t off = br_utf8_bom_len(data, len);
	/* Feed line by line so that record_line can be tracked. */
	while (off < len && !r.status) {
		const char *nl = memchr(data + off, '\n', len - off);
		size_t n = nl ? (size_t)(nl - (data + off)) + 1 : len - off;
		size_t took = csv_parse(&p, data + off, n, on_field, on_record, &r);
		track_quotes(&r, data + off, took);
		if (took != n) {
			r.status = parse_error(&r, csv_error(&p), data + off + took,
					       len - off - took);
			break;
		}
		off += n;
		if (nl)
			r.line++;
	}
	/* The parser would end a quoted field left open at the end as if
	 * closed: its line's record came out short of fields, or the
	 * rest of the file became one field, and the error named the line
	 * after the last. */
	if (!r.status && r.in_quotes) {
		char field[192];
		r.status = br_fail(err, "%s:%lu: a quoted field, %s, is not closed "
				   "before the end of the file", name,
				   r.quote_line, field_name(&r, field, sizeof field));
	}
	if (!r.status && csv_fini(&p, on_field, on_record, &r) != 0)
		r.status = br_fail(err, "%s:%lu: %s", name, r.line,
				   csv_strerror(csv_error(&p)));
	clear_fields(&r);
	for (size_t i = 0; i < r.header_fields; i++)
		free(r.header[i]);
	free(r.header);
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

/* Appends names[0..nnames) and also_known to b, joined by commas. */
static void put_names(struct br_buf *b, const char *const *names, int nnames,
		      const char *also_known)
{
	for (int c = 0; c < nnames; c++)
		br_buf_printf(b, "%s%s", c ? "," : "", names[c]);
	if (also_known)
		br_buf_printf(b, ",%s", also_known);
}

int br_csv_header(const char *path, char **f, size_t n,
		  const char *const *names, int nnames, int nrequired,
		  const char *also_known, int *col, struct br_err *err)
{
	bool any = false;
	for (int c = 0; c < nnames; c++)
		any |= (col[c] = br_csv_column(f, n, names[c])) >= 0;
	struct br_buf b = {0};
	int rc = 0;
	if (!any) {
		for (size_t i = 0; i < n; i++)
			br_buf_printf(&b, "%s%s", i ? "," : "", f[i]);
		br_buf_puts(&b, "'; expected a header naming the columns ");
		put_names(&b, names, nnames, also_known);
		rc = br_fail(err, "%s:1: no header: the first line is '%s",
			     path, b.p);
		br_buf_free(&b);
		return rc;
	}
	for (int c = 0; c < nrequired; c++)
		if (col[c] < 0)
			return br_fail(err, "%s:1: header has no '%s' column",
				       path, names[c]);
	/* An unnamed column (a trailing comma) is no misspelt one: its
	 * cells are empty (br_csv_read_file). */
	for (size_t i = 0; i < n && rc == 0; i++) {
		bool known = !*f[i] ||
			     (also_known && strcmp(f[i], also_known) == 0);
		for (int c = 0; c < nnames && !known; c++)
			known = col[c] == (int)i;
		if (known)
			continue;
		put_names(&b, names, nnames, also_known);
		rc = br_fail(err, "%s:1: unknown column '%s': expected %s (the "
			     "first %d required)", path, f[i], b.p, nrequired);
	}
	br_buf_free(&b);
	return rc;
}
