/* write.c - writes one report snapshot as JSON (DESIGN §6), CSV (RFC 4180,
 * formula-safe) or an aligned terminal table. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"

static const char *const value_names[RV_COUNT] = {
	"requests", "errors", "input_tokens", "output_tokens",
	"cache_read_tokens", "cache_write_tokens", "cache_write_1h_tokens",
	"reasoning_tokens", "cost_usd", "unpriced_requests", "catalog_cost_usd",
	"logged_cost_usd"};

int report_value_cols(const struct report *r)
{
	return r->q.compare_costs ? RV_COUNT : RV_BASIC;
}

const char *report_value_name(enum report_value v)
{
	return value_names[v];
}

bool report_value_is_money(enum report_value v)
{
	return v == RV_COST || v == RV_CATALOG_COST || v == RV_LOGGED_COST;
}

/* Column c of t, a count (not money). */
static uint64_t value_count(const struct red_totals *t, enum report_value c)
{
	switch (c) {
	case RV_REQUESTS: return t->requests;
	case RV_ERRORS: return t->errors;
	case RV_INPUT: return t->tokens.input;
	case RV_OUTPUT: return t->tokens.output;
	case RV_CACHE_READ: return t->tokens.cache_read;
	/* Saturated, as every sum of counts is: the two totals can each be
	 * near UINT64_MAX. */
	case RV_CACHE_WRITE:
		return red_count_add(t->tokens.cache_write,
				     t->tokens.cache_write_1h);
	case RV_CACHE_WRITE_1H: return t->tokens.cache_write_1h;
	case RV_REASONING: return t->tokens.reasoning;
	case RV_UNPRICED: return t->unpriced;
	default: return 0;
	}
}

bool report_tokens_saturated(const struct red_totals *t)
{
	for (enum report_value c = RV_INPUT; c <= RV_REASONING; c++)
		if (red_count_saturated(value_count(t, c)))
			return true;
	return false;
}

const char *report_value_text(const struct red_totals *t, enum report_value c,
			      char *buf)
{
	switch (c) {
	case RV_COST: return br_money_format(t->cost, buf);
	case RV_CATALOG_COST: return br_money_format(t->calc_cost, buf);
	case RV_LOGGED_COST: return br_money_format(t->logged_cost, buf);
	default: break;
	}
	uint64_t v = value_count(t, c);
	char tmp[24];
	size_t n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (size_t i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	buf[n] = 0;
	return buf;
}

/* A buffered writer: output collects in memory and goes out in big
 * writes, which keeps a 365,000-row report fast. */
struct emit {
	struct br_buf b;
	FILE *out;
};

#define EMIT_FLUSH_AT ((size_t)1 << 16)

static void emit_flush(struct emit *e)
{
	if (e->b.len)
		fwrite(e->b.p, 1, e->b.len, e->out);
	br_buf_reset(&e->b);
}

static void emit(struct emit *e, const char *s, size_t n)
{
	br_buf_put(&e->b, s, n);
	if (e->b.len >= EMIT_FLUSH_AT)
		emit_flush(e);
}

static void emits(struct emit *e, const char *s)
{
	emit(e, s, strlen(s));
}

static void emitc(struct emit *e, char c)
{
	emit(e, &c, 1);
}

/* Writes s as a JSON string; invalid UTF-8 becomes U+FFFD. Runs of
 * bytes that need no escaping are copied at once. */
static void json_string(struct emit *e, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);
	emitc(e, '"');
	while (n > 0) {
		size_t run = 0;
		while (run < n && p[run] >= 0x20 && p[run] < 0x7f &&
		       p[run] != '"' && p[run] != '\\')
			run++;
		emit(e, (const char *)p, run);
		p += run;
		n -= run;
		if (n == 0)
			break;
		if (*p == '"' || *p == '\\') {
			char esc[2] = {'\\', (char)*p};
			emit(e, esc, 2);
		} else if (*p < 0x20 || *p == 0x7f) {
			char esc[8];
			snprintf(esc, sizeof esc, "\\u%04x", *p);
			emits(e, esc);
		} else {
			size_t len = br_utf8_len(p, n);
			if (len == 0) {
				emits(e, "\\ufffd");
				len = 1;
			} else {
				emit(e, (const char *)p, len);
			}
			p += len;
			n -= len;
			continue;
		}
		p++;
		n--;
	}
	emitc(e, '"');
}

static void json_day_or_null(struct emit *e, int32_t day)
{
	if (day == BR_DAY_NONE) {
		emits(e, "null");
		return;
	}
	char buf[11];
	br_day_format(day, buf);
	emitc(e, '"');
	emit(e, buf, 10);
	emitc(e, '"');
}

/* Writes the value columns of t, each preceded by ",NAME:" in JSON or ","
 * in CSV. */
static void emit_values(struct emit *e, const struct red_totals *t, int ncols,
			bool json, bool leading_comma)
{
	char buf[BR_MONEY_BUFSZ];
	for (int c = 0; c < ncols; c++) {
		if (c || leading_comma)
			emitc(e, ',');
		if (json) {
			emitc(e, '"');
			emits(e, value_names[c]);
			emit(e, "\":", 2);
		}
		emits(e, report_value_text(t, (enum report_value)c, buf));
	}
}

/* With --reprice, the cost as stored beside the re-priced one. */
static void emit_actual(struct emit *e, br_pico cost, bool json)
{
	char buf[BR_MONEY_BUFSZ];
	emits(e, json ? ",\"actual_cost_usd\":" : ",");
	emits(e, br_money_format(cost, buf));
}

static void json_usd(struct emit *e, const struct forecast *f, double v)
{
	char buf[BR_MONEY_BUFSZ];
	emits(e, forecast_format(f, v, buf));
}

/* "projection" and "budgets" (DESIGN §6). */
static void write_json_outlook(const struct report *r, struct emit *e)
{
	char buf[BR_MONEY_BUFSZ], month[8];
	br_month_format(r->q.as_of, month);
	const struct forecast *f = &r->projection;
	emits(e, "\"projection\":{\"month\":\"");
	emits(e, month);
	emits(e, "\",\"month_to_date_usd\":");
	emits(e, br_money_format(r->month_to_date, buf));
	emits(e, ",\"projected_usd\":");
	json_usd(e, f, f->projected);
	emits(e, ",\"low_usd\":");
	json_usd(e, f, f->low);
	emits(e, ",\"high_usd\":");
	json_usd(e, f, f->high);
	emits(e, ",\"confidence\":0.8,\"method\":");
	json_string(e, f->method);
	emits(e, "},\n\"budgets\":[");
	for (size_t i = 0; i < r->nbudgets; i++) {
		const struct budget_status *st = &r->budgets[i];
		emits(e, i ? ",\n{\"name\":" : "\n{\"name\":");
		json_string(e, st->b->name);
		emits(e, ",\"scope\":");
		json_string(e, st->b->scope);
		emits(e, ",\"period\":");
		json_string(e, budget_period_name(st->b->period));
		emits(e, ",\"period_start\":");
		json_day_or_null(e, st->start);
		emits(e, ",\"period_end\":");
		json_day_or_null(e, st->end);
		emits(e, ",\"limit_usd\":");
		emits(e, br_money_format(st->b->limit, buf));
		emits(e, ",\"spent_usd\":");
		emits(e, br_money_format(st->spent, buf));
		emits(e, ",\"projected_usd\":");
		json_usd(e, &st->f, st->f.projected);
		emits(e, ",\"low_usd\":");
		json_usd(e, &st->f, st->f.low);
		emits(e, ",\"high_usd\":");
		json_usd(e, &st->f, st->f.high);
		emits(e, ",\"utilization_pct\":");
		emits(e, budget_utilization_format(st, true, 2, buf));
		emits(e, ",\"threshold_crossed\":");
		snprintf(buf, sizeof buf, "%d", st->crossed);
		emits(e, buf);
		emits(e, ",\"runs_out\":");
		json_day_or_null(e, st->runs_out);
		emits(e, ",\"status\":");
		json_string(e, st->status);
		emitc(e, '}');
	}
	emitc(e, ']');
}

static void write_json(const struct report *r, struct emit *e)
{
	char asof[11];
	br_day_format(r->q.as_of, asof);
	emits(e, "{\"generated_by\":\"burnrate " BR_VERSION "\",\"as_of\":\"");
	emits(e, asof);
	emits(e, "\",\"timezone\":");
	json_string(e, r->timezone);
	emits(e, ",\"currency\":\"USD\",\"period\":{\"since\":");
	json_day_or_null(e, report_since(r));
	emits(e, ",\"until\":");
	json_day_or_null(e, r->q.until);
	emits(e, "},\"group_by\":[");
	for (size_t k = 0; k < r->q.nkeys; k++) {
		if (k)
			emitc(e, ',');
		json_string(e, report_key_name(r->q.keys[k]));
	}
	emits(e, "],\n\"rows\":[");
	for (size_t i = 0; i < r->nrows; i++) {
		emits(e, i ? ",\n{" : "\n{");
		for (size_t k = 0; k < r->q.nkeys; k++) {
			json_string(e, report_key_name(r->q.keys[k]));
			emitc(e, ':');
			json_string(e, r->rows[i].key[k]);
			emitc(e, ',');
		}
		emit_values(e, &r->rows[i].t, report_value_cols(r), true, false);
		if (r->q.reprice)
			emit_actual(e, r->rows[i].actual_cost, true);
		emitc(e, '}');
	}
	emits(e, "],\n\"totals\":{");
	emit_values(e, &r->totals, report_value_cols(r), true, false);
	if (r->q.reprice)
		emit_actual(e, r->actual_total, true);
	emits(e, "},\n");
	write_json_outlook(r, e);
	emits(e, ",\n\"unpriced\":[");
	char num[24]; /* UINT64_MAX has 20 digits */
	for (size_t i = 0; i < r->nunpriced; i++) {
		emits(e, i ? ",{\"provider\":" : "{\"provider\":");
		json_string(e, r->unpriced[i].provider);
		emits(e, ",\"model\":");
		json_string(e, r->unpriced[i].model);
		snprintf(num, sizeof num, "%llu",
			 (unsigned long long)r->unpriced[i].requests);
		emits(e, ",\"requests\":");
		emits(e, num);
		emitc(e, '}');
	}
	emits(e, "],\n\"pricing\":{\"repriced\":");
	emits(e, r->q.reprice ? "true" : "false");
	emits(e, ",\"catalogs\":[");
	for (size_t i = 0; i < r->ncatalogs; i++) {
		if (i)
			emitc(e, ',');
		json_string(e, r->catalogs[i]);
	}
	emits(e, "]}");
	if (r->nskipped) {
		emits(e, ",\n\"skipped_segments\":[");
		for (size_t i = 0; i < r->nskipped; i++) {
			emits(e, i ? ",{\"segment\":" : "{\"segment\":");
			json_string(e, r->skipped[2 * i]);
			emits(e, ",\"problem\":");
			json_string(e, r->skipped[2 * i + 1]);
			emitc(e, '}');
		}
		emitc(e, ']');
	}
	emits(e, "}\n");
}

/* Writes one CSV cell: quoted when needed, and prefixed with ' when a
 * spreadsheet would read it as a formula (it begins with =, +, -, @, tab
 * or CR) and when it begins with ' itself, so that the prefix is
 * reversible: "=1+2" is '=1+2, "'=1+2" is ''=1+2, never the same cell
 * (removing one leading ' from a cell that begins with ' gives the name
 * back). Bytes that are not UTF-8 (a
 * CSV log's names are not checked) become U+FFFD, as in JSON: one such
 * name no longer makes the whole file undecodable as UTF-8. */
static void csv_cell(struct emit *e, const char *s)
{
	bool formula = s[0] && strchr("=+-@\t\r'", s[0]);
	bool quote = formula || strpbrk(s, ",\"\r\n") != NULL;
	if (quote)
		emitc(e, '"');
	if (formula)
		emitc(e, '\'');
	const unsigned char *p = (const unsigned char *)s;
	for (size_t n = strlen(s); n > 0;) {
		size_t len = br_utf8_len(p, n);
		if (len == 0)
			emits(e, "\xEF\xBF\xBD");
		else if (*p == '"')
			emits(e, "\"\"");
		else
			emit(e, (const char *)p, len);
		len = len ? len : 1;
		p += len;
		n -= len;
	}
	if (quote)
		emitc(e, '"');
}

static void write_csv(const struct report *r, struct emit *e)
{
	for (size_t k = 0; k < r->q.nkeys; k++) {
		if (k)
			emitc(e, ',');
		emits(e, report_key_name(r->q.keys[k]));
	}
	for (int c = 0; c < report_value_cols(r); c++) {
		emitc(e, ',');
		emits(e, value_names[c]);
	}
	if (r->q.reprice)
		emits(e, ",actual_cost_usd");
	emits(e, "\r\n");
	for (size_t i = 0; i < r->nrows; i++) {
		for (size_t k = 0; k < r->q.nkeys; k++) {
			if (k)
				emitc(e, ',');
			csv_cell(e, r->rows[i].key[k]);
		}
		emit_values(e, &r->rows[i].t, report_value_cols(r), false, true);
		if (r->q.reprice)
			emit_actual(e, r->rows[i].actual_cost, false);
		emits(e, "\r\n");
	}
}

/* ------------------------------------------------------------------ table */

/* The table's columns: the keys, then these values. */
static const enum report_value table_values[] = {
	RV_REQUESTS, RV_ERRORS, RV_INPUT, RV_OUTPUT, RV_CACHE_READ, RV_CACHE_WRITE,
	RV_COST, RV_UNPRICED, RV_CATALOG_COST, RV_LOGGED_COST};
static const char *const table_titles[] = {
	"requests", "errors", "input", "output", "cache read", "cache write",
	"cost (USD)", "unpriced", "catalog (USD)", "logged (USD)"};
/* The table shows all of them with --compare-costs, else all but the two
 * comparison columns. */
#define TABLE_NVALUES(r) \
	(sizeof table_values / sizeof table_values[0] - ((r)->q.compare_costs ? 0 : 2))

/* Writes s with control characters (C0, DEL and C1 in UTF-8) replaced,
 * so that names from the logs cannot move the cursor or change colours. */
static void table_text(FILE *out, const char *s)
{
	size_t n = strlen(s);
	for (size_t i = 0; i < n;) {
		size_t k = br_control_len((const unsigned char *)s + i, n - i);
		fputc(k ? '?' : s[i], out);
		i += k ? k : 1;
	}
}

/* Writes a cell padded to width, left- or right-aligned. */
static void table_cell(FILE *out, const char *s, size_t width, bool right)
{
	size_t w = br_utf8_width(s);
	if (right)
		for (; w < width; w++)
			fputc(' ', out);
	table_text(out, s);
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
	memmove(o, p + n, strlen(p + n) + 1);
	return buf;
}

static const char *table_value(const struct red_totals *t, size_t c, char *buf)
{
	char raw[BR_MONEY_BUFSZ];
	return group_digits(report_value_text(t, table_values[c], raw), buf);
}

static void write_table(const struct report *r, bool color, FILE *out)
{
	size_t nk = r->q.nkeys, ncols = nk + TABLE_NVALUES(r);
	size_t *width = br_calloc(ncols, sizeof *width);
	char buf[2 * BR_MONEY_BUFSZ];
	for (size_t k = 0; k < nk; k++)
		width[k] = strlen(report_key_name(r->q.keys[k]));
	if (width[0] < 5)
		width[0] = 5; /* "TOTAL" */
	for (size_t c = 0; c < TABLE_NVALUES(r); c++) {
		width[nk + c] = strlen(table_titles[c]);
		size_t w = strlen(table_value(&r->totals, c, buf));
		if (w > width[nk + c])
			width[nk + c] = w;
	}
	for (size_t i = 0; i < r->nrows; i++)
		for (size_t k = 0; k < nk; k++) {
			size_t w = br_utf8_width(r->rows[i].key[k]);
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
		for (size_t i = 0; i < r->nunpriced; i++) {
			fputs(i ? ", " : "", out);
			table_text(out, r->unpriced[i].provider);
			fputc('/', out);
			table_text(out, r->unpriced[i].model);
			fprintf(out, ": %llu",
				(unsigned long long)r->unpriced[i].requests);
		}
		fputs("); add prices with --prices FILE\n", out);
	}
	char month[8], a[BR_MONEY_BUFSZ], b[BR_MONEY_BUFSZ], c[BR_MONEY_BUFSZ],
		d[BR_MONEY_BUFSZ];
	br_month_format(r->q.as_of, month);
	fprintf(out, "%s: %s spent to date, projected %s (80%%: %s to %s)\n",
		month, br_money_format(r->month_to_date, a),
		forecast_format(&r->projection, r->projection.projected, b),
		forecast_format(&r->projection, r->projection.low, c),
		forecast_format(&r->projection, r->projection.high, d));
	for (size_t i = 0; i < r->nbudgets; i++) {
		const struct budget_status *st = &r->budgets[i];
		char day[11] = "-", util[BUDGET_UTIL_BUFSZ];
		if (st->runs_out != BR_DAY_NONE)
			br_day_format(st->runs_out, day);
		/* Names and scopes as the table's cells show them. */
		fputs("budget ", out);
		table_text(out, st->b->name);
		fputs(" (", out);
		table_text(out, st->b->scope);
		fprintf(out, ", %s): %s of %s, %s%%, projected %s, "
			"runs out %s: %s\n", budget_period_name(st->b->period),
			br_money_format(budget_amount_shown(st, st->spent), a),
			br_money_format(st->b->limit, b),
			budget_utilization_format(st, true, 1, util),
			br_money_format(budget_amount_shown(st, st->projected), c),
			day, st->status);
	}
	if (r->q.reprice) {
		br_pico diff = br_pico_add(r->totals.cost, -r->actual_total);
		fprintf(out, "what-if: %s at these prices, %s as charged, %s%s\n",
			br_money_format(r->totals.cost, a),
			br_money_format(r->actual_total, b), diff >= 0 ? "+" : "",
			br_money_format(diff, c));
	}
	for (size_t i = 0; i < r->npriced_with; i++) {
		/* names a --prices file */
		fprintf(out, "%s with ", r->q.reprice ? "re-priced" : "priced");
		table_text(out, r->priced_with[i]);
		fputc('\n', out);
	}
	for (size_t i = 0; i < r->nskipped; i++)
		fprintf(out, "SKIPPED corrupt segment %s: %s\n", r->skipped[2 * i],
			r->skipped[2 * i + 1]);
	free(width);
}

int report_write(const struct report *r, enum report_format f, bool color,
		 FILE *out, struct br_err *err)
{
	struct emit e = {.out = out};
	switch (f) {
	case REPORT_JSON:
		write_json(r, &e);
		break;
	case REPORT_CSV:
		write_csv(r, &e);
		break;
	case REPORT_TABLE:
		write_table(r, color, out);
		break;
	case REPORT_HTML:
		emit_flush(&e);
		br_buf_free(&e.b);
		return report_write_html(r, out, err);
	case REPORT_PROM:
		br_buf_free(&e.b);
		return report_write_prom(r, out, err);
	case REPORT_XLSX:
		br_buf_free(&e.b);
		return br_fail_status(err, BR_EXIT_USAGE,
				      "xlsx needs a file: use --output FILE");
	}
	emit_flush(&e);
	br_buf_free(&e.b);
	if (fflush(out) != 0 || ferror(out))
		return br_fail(err, REPORT_WRITE_ERROR "%s", strerror(errno));
	return 0;
}
