/* write.c - writes one report snapshot as JSON (DESIGN §6), CSV (RFC 4180,
 * formula-safe) or an aligned terminal table. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"

/* The value columns of every row, in output order. */
enum value_col {
	V_REQUESTS, V_ERRORS, V_INPUT, V_OUTPUT, V_CACHE_READ, V_CACHE_WRITE,
	V_CACHE_WRITE_1H, V_REASONING, V_COST, V_UNPRICED, V_NCOLS
};

static const char *const value_names[V_NCOLS] = {
	"requests", "errors", "input_tokens", "output_tokens",
	"cache_read_tokens", "cache_write_tokens", "cache_write_1h_tokens",
	"reasoning_tokens", "cost_usd", "unpriced_requests"};

/* Formats column c of t into buf (BR_MONEY_BUFSZ bytes). cache_write_tokens
 * counts both 5-minute and 1-hour writes. */
static const char *value_text(const struct red_totals *t, enum value_col c,
			      char *buf)
{
	uint64_t v = 0;
	switch (c) {
	case V_REQUESTS: v = t->requests; break;
	case V_ERRORS: v = t->errors; break;
	case V_INPUT: v = t->tokens.input; break;
	case V_OUTPUT: v = t->tokens.output; break;
	case V_CACHE_READ: v = t->tokens.cache_read; break;
	case V_CACHE_WRITE: v = t->tokens.cache_write + t->tokens.cache_write_1h; break;
	case V_CACHE_WRITE_1H: v = t->tokens.cache_write_1h; break;
	case V_REASONING: v = t->tokens.reasoning; break;
	case V_UNPRICED: v = t->unpriced; break;
	case V_COST: return br_money_format(t->cost, buf);
	case V_NCOLS: break;
	}
	snprintf(buf, BR_MONEY_BUFSZ, "%llu", (unsigned long long)v);
	return buf;
}

/* Length of a valid UTF-8 sequence at s (at most n bytes), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	size_t len = s[0] < 0x80 ? 1 : (s[0] & 0xE0) == 0xC0 ? 2
		   : (s[0] & 0xF0) == 0xE0 ? 3 : (s[0] & 0xF8) == 0xF0 ? 4 : 0;
	if (len == 0 || len > n)
		return 0;
	for (size_t i = 1; i < len; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	if (len == 2 && s[0] < 0xC2)
		return 0;
	if (len == 3 && ((s[0] == 0xE0 && s[1] < 0xA0) ||
			 (s[0] == 0xED && s[1] >= 0xA0)))
		return 0;
	if (len == 4 && ((s[0] == 0xF0 && s[1] < 0x90) || s[0] > 0xF4 ||
			 (s[0] == 0xF4 && s[1] >= 0x90)))
		return 0;
	return len;
}

/* Writes s as a JSON string; invalid UTF-8 becomes U+FFFD. */
static void json_string(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);
	fputc('"', out);
	while (n > 0) {
		if (*p == '"' || *p == '\\') {
			fputc('\\', out);
			fputc(*p, out);
		} else if (*p < 0x20 || *p == 0x7f) {
			fprintf(out, "\\u%04x", *p);
		} else {
			size_t len = utf8_seq(p, n);
			if (len == 0) {
				fputs("\\ufffd", out);
				len = 1;
			} else {
				fwrite(p, 1, len, out);
			}
			p += len;
			n -= len;
			continue;
		}
		p++;
		n--;
	}
	fputc('"', out);
}

static void json_day_or_null(FILE *out, int32_t day)
{
	if (day == BR_DAY_NONE) {
		fputs("null", out);
		return;
	}
	char buf[11];
	br_day_format(day, buf);
	fprintf(out, "\"%s\"", buf);
}

static void json_values(FILE *out, const struct red_totals *t, bool first)
{
	char buf[BR_MONEY_BUFSZ];
	for (int c = 0; c < V_NCOLS; c++)
		fprintf(out, "%s\"%s\":%s", first && c == 0 ? "" : ",",
			value_names[c], value_text(t, (enum value_col)c, buf));
}

static void write_json(const struct report *r, FILE *out)
{
	char asof[11];
	br_day_format(r->q.as_of, asof);
	fprintf(out, "{\"generated_by\":\"burnrate %s\",\"as_of\":\"%s\",\"timezone\":",
		BR_VERSION, asof);
	json_string(out, r->timezone);
	fputs(",\"currency\":\"USD\",\"period\":{\"since\":", out);
	json_day_or_null(out, r->q.since != BR_DAY_NONE ? r->q.since : r->first_day);
	fputs(",\"until\":", out);
	json_day_or_null(out, r->q.until);
	fputs("},\"group_by\":[", out);
	for (size_t k = 0; k < r->q.nkeys; k++)
		fprintf(out, "%s\"%s\"", k ? "," : "", report_key_name(r->q.keys[k]));
	fputs("],\n\"rows\":[", out);
	for (size_t i = 0; i < r->nrows; i++) {
		fputs(i ? ",\n{" : "\n{", out);
		for (size_t k = 0; k < r->q.nkeys; k++) {
			fprintf(out, "\"%s\":", report_key_name(r->q.keys[k]));
			json_string(out, r->rows[i].key[k]);
			fputc(',', out);
		}
		json_values(out, &r->rows[i].t, true);
		fputc('}', out);
	}
	fputs("],\n\"totals\":{", out);
	json_values(out, &r->totals, true);
	fputs("},\n\"unpriced\":[", out);
	for (size_t i = 0; i < r->nunpriced; i++) {
		fputs(i ? ",{\"provider\":" : "{\"provider\":", out);
		json_string(out, r->unpriced[i].provider);
		fputs(",\"model\":", out);
		json_string(out, r->unpriced[i].model);
		fprintf(out, ",\"requests\":%llu}",
			(unsigned long long)r->unpriced[i].requests);
	}
	fputc(']', out);
	if (r->nskipped) {
		fputs(",\n\"skipped_segments\":[", out);
		for (size_t i = 0; i < r->nskipped; i++) {
			fputs(i ? ",{\"segment\":" : "{\"segment\":", out);
			json_string(out, r->skipped[2 * i]);
			fputs(",\"problem\":", out);
			json_string(out, r->skipped[2 * i + 1]);
			fputc('}', out);
		}
		fputc(']', out);
	}
	fputs("}\n", out);
}

/* Writes one CSV cell: quoted when needed, and prefixed with ' when a
 * spreadsheet would read it as a formula. */
static void csv_cell(FILE *out, const char *s)
{
	bool formula = strchr("=+-@\t\r", s[0]) && s[0];
	bool quote = formula || strpbrk(s, ",\"\r\n") != NULL;
	if (quote)
		fputc('"', out);
	if (formula)
		fputc('\'', out);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	if (quote)
		fputc('"', out);
}

static void write_csv(const struct report *r, FILE *out)
{
	for (size_t k = 0; k < r->q.nkeys; k++)
		fprintf(out, "%s%s", k ? "," : "", report_key_name(r->q.keys[k]));
	for (int c = 0; c < V_NCOLS; c++)
		fprintf(out, ",%s", value_names[c]);
	fputs("\r\n", out);
	char buf[BR_MONEY_BUFSZ];
	for (size_t i = 0; i < r->nrows; i++) {
		for (size_t k = 0; k < r->q.nkeys; k++) {
			if (k)
				fputc(',', out);
			csv_cell(out, r->rows[i].key[k]);
		}
		for (int c = 0; c < V_NCOLS; c++)
			fprintf(out, ",%s", value_text(&r->rows[i].t, (enum value_col)c, buf));
		fputs("\r\n", out);
	}
}

/* ------------------------------------------------------------------ table */

/* The table's columns: the keys, then these values. */
static const enum value_col table_values[] = {
	V_REQUESTS, V_ERRORS, V_INPUT, V_OUTPUT, V_CACHE_READ, V_CACHE_WRITE,
	V_COST, V_UNPRICED};
static const char *const table_titles[] = {
	"requests", "errors", "input", "output", "cache read", "cache write",
	"cost (USD)", "unpriced"};
#define TABLE_NVALUES (sizeof table_values / sizeof table_values[0])

/* Display width: code points, control characters shown as '?'. */
static size_t display_width(const char *s)
{
	size_t w = 0;
	for (; *s; s++)
		w += ((unsigned char)*s & 0xC0) != 0x80;
	return w;
}

/* Writes a cell padded to width, left- or right-aligned; control
 * characters are replaced so names cannot move the cursor. */
static void table_cell(FILE *out, const char *s, size_t width, bool right)
{
	size_t w = display_width(s);
	if (right)
		for (; w < width; w++)
			fputc(' ', out);
	for (; *s; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, out);
	if (!right)
		for (; w < width; w++)
			fputc(' ', out);
}

/* Formats an unsigned decimal with thousands separators. */
static const char *group_digits(const char *digits, char *buf)
{
	const char *p = digits;
	char *o = buf;
	if (*p == '-')
		*o++ = *p++;
	size_t n = strcspn(p, ".");
	for (size_t i = 0; i < n; i++) {
		if (i && (n - i) % 3 == 0)
			*o++ = ',';
		*o++ = p[i];
	}
	strcpy(o, p + n);
	return buf;
}

static const char *table_value(const struct red_totals *t, size_t c, char *buf)
{
	char raw[BR_MONEY_BUFSZ];
	return group_digits(value_text(t, table_values[c], raw), buf);
}

static void write_table(const struct report *r, bool color, FILE *out)
{
	size_t nk = r->q.nkeys, ncols = nk + TABLE_NVALUES;
	size_t *width = br_calloc(ncols, sizeof *width);
	char buf[2 * BR_MONEY_BUFSZ];
	for (size_t k = 0; k < nk; k++)
		width[k] = strlen(report_key_name(r->q.keys[k]));
	if (width[0] < 5)
		width[0] = 5; /* "TOTAL" */
	for (size_t c = 0; c < TABLE_NVALUES; c++) {
		width[nk + c] = strlen(table_titles[c]);
		size_t w = strlen(table_value(&r->totals, c, buf));
		if (w > width[nk + c])
			width[nk + c] = w;
	}
	for (size_t i = 0; i < r->nrows; i++)
		for (size_t k = 0; k < nk; k++) {
			size_t w = display_width(r->rows[i].key[k]);
			if (w > width[k])
				width[k] = w;
		}
	const char *bold = color ? "\033[1m" : "", *dim = color ? "\033[2m" : "",
		   *reset = color ? "\033[0m" : "";
	fputs(bold, out);
	for (size_t c = 0; c < ncols; c++) {
		if (c)
			fputs("  ", out);
		table_cell(out, c < nk ? report_key_name(r->q.keys[c])
				       : table_titles[c - nk], width[c], c >= nk);
	}
	fprintf(out, "%s\n%s", reset, dim);
	size_t total_width = 0;
	for (size_t c = 0; c < ncols; c++)
		total_width += width[c] + (c ? 2 : 0);
	for (size_t i = 0; i < total_width; i++)
		fputc('-', out);
	fprintf(out, "%s\n", reset);
	for (size_t i = 0; i < r->nrows; i++) {
		for (size_t c = 0; c < ncols; c++) {
			if (c)
				fputs("  ", out);
			if (c < nk)
				table_cell(out, r->rows[i].key[c], width[c], false);
			else
				table_cell(out, table_value(&r->rows[i].t, c - nk, buf),
					   width[c], true);
		}
		fputc('\n', out);
	}
	fputs(dim, out);
	for (size_t i = 0; i < total_width; i++)
		fputc('-', out);
	fprintf(out, "%s\n%s", reset, bold);
	for (size_t c = 0; c < ncols; c++) {
		if (c)
			fputs("  ", out);
		if (c < nk)
			table_cell(out, c == 0 ? "TOTAL" : "", width[c], false);
		else
			table_cell(out, table_value(&r->totals, c - nk, buf), width[c], true);
	}
	fprintf(out, "%s\n", reset);
	if (r->nrows == 0)
		fputs("no usage in the period\n", out);
	if (r->nunpriced) {
		fprintf(out, "unpriced: %llu request%s without a price (",
			(unsigned long long)r->totals.unpriced,
			r->totals.unpriced == 1 ? "" : "s");
		for (size_t i = 0; i < r->nunpriced; i++)
			fprintf(out, "%s%s/%s: %llu", i ? ", " : "", r->unpriced[i].provider,
				r->unpriced[i].model,
				(unsigned long long)r->unpriced[i].requests);
		fputs("); add prices with --prices FILE\n", out);
	}
	for (size_t i = 0; i < r->nskipped; i++)
		fprintf(out, "SKIPPED corrupt segment %s: %s\n", r->skipped[2 * i],
			r->skipped[2 * i + 1]);
	free(width);
}

int report_write(const struct report *r, enum report_format f, bool color,
		 FILE *out, struct br_err *err)
{
	switch (f) {
	case REPORT_JSON:
		write_json(r, out);
		break;
	case REPORT_CSV:
		write_csv(r, out);
		break;
	case REPORT_TABLE:
		write_table(r, color, out);
		break;
	}
	if (fflush(out) != 0 || ferror(out))
		return br_fail(err, "cannot write report: %s", strerror(errno));
	return 0;
}
