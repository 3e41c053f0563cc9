/* xlsx.c - the report as an Excel workbook (libxlsxwriter): Summary, Rows
 * (the report's own grouping, as in JSON), Daily with a line chart of
 * spend and the month's projection, By provider/model/agent with charts,
 * Budgets with status colours, Unpriced. Written in constant-memory mode;
 * byte-identical for the same store when SOURCE_DATE_EPOCH is set. Every
 * value from the logs is a string cell, never a formula. */
#include <archive.h>
#include <archive_entry.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xlsxwriter.h>

#include "report/report.h"

#define MONEY_FMT "$#,##0.000000"
#define COUNT_FMT "#,##0"

/* Excel's limits: rows of a sheet, characters of a cell. */
#define XLSX_MAX_ROWS 1048576
#define XLSX_MAX_CHARS 32767

struct book {
	lxw_workbook *wb;
	lxw_format *bold, *money, *count, *pct, *title, *head;
	lxw_format *ok, *warn, *crit, *over;
	lxw_error error; /* the first error of libxlsxwriter */
	struct br_buf cell;
};

static void check(struct book *bk, lxw_error e)
{
	if (e != LXW_NO_ERROR && bk->error == LXW_NO_ERROR)
		bk->error = e;
}

/* Whether s starts "_xHHHH_", which a reader of the workbook takes for
 * the escape of the character U+HHHH (ECMA-376 ST_Xstring). */
static bool xstring_escape_at(const char *s)
{
	if (s[0] != '_' || s[1] != 'x')
		return false;
	for (int i = 2; i < 6; i++)
		if (!strchr("0123456789abcdefABCDEF", s[i]) || !s[i])
			return false;
	return s[6] == '_';
}

/* Writes s as a string cell (whatever it starts with: never a formula),
 * with each byte that is not UTF-8, and the non-characters U+FFFE and
 * U+FFFF that XML 1.0 forbids (libxlsxwriter writes them as they are),
 * replaced by U+FFFD, so that the file stays valid XML, and cut to the
 * XLSX_MAX_CHARS characters a cell holds. A "_xHHHH_" of s has its '_'
 * written "_x005F_", as Excel does: Excel and LibreOffice read the text
 * "_x000D_" as a carriage return, libxlsxwriter writes it as it is (it
 * escapes only control characters that way). */
static void put_str(struct book *bk, lxw_worksheet *ws, lxw_row_t row,
		    lxw_col_t col, const char *s, lxw_format *f)
{
	/* chars counts as libxlsxwriter does before it refuses a string:
	 * the escape of an underscore counts its 7 characters. */
	size_t n = strlen(s), chars = 0;
	br_buf_reset(&bk->cell);
	for (size_t i = 0; i < n && chars < XLSX_MAX_CHARS; chars++) {
		const unsigned char *u = (const unsigned char *)s + i;
		size_t k = br_utf8_len(u, n - i);
		bool xml = !(k == 3 && u[0] == 0xEF && u[1] == 0xBF && u[2] >= 0xBE);
		if (k && xml && xstring_escape_at(s + i)) {
			if (chars + 7 > XLSX_MAX_CHARS)
				break;
			br_buf_puts(&bk->cell, "_x005F");
			chars += 6; /* and the '_' itself */
		}
		if (k && xml)
			br_buf_put(&bk->cell, s + i, k);
		else
			br_buf_puts(&bk->cell, "\xEF\xBF\xBD");
		i += k ? k : 1;
	}
	check(bk, worksheet_write_string(ws, row, col,
					 bk->cell.p ? bk->cell.p : "", f));
}

/* Writes prefix and s into dst (size bytes) as text a document property
 * may hold (libxlsxwriter writes it as it is): bytes that are not UTF-8
 * and U+FFFE, U+FFFF become U+FFFD, control characters '?', and the text
 * is cut between characters. A --prices file's name is in it. */
static void xml_text(char *dst, size_t size, const char *prefix, const char *s)
{
	size_t j = strlen(prefix);
	memcpy(dst, prefix, j + 1);
	for (size_t i = 0, n = strlen(s); i < n;) {
		const unsigned char *u = (const unsigned char *)s + i;
		size_t k = br_utf8_len(u, n - i), c = br_control_len(u, n - i);
		const char *out = s + i;
		size_t len = k;
		if (c) {
			out = "?";
			len = 1;
			k = c;
		} else if (!k || (k == 3 && u[0] == 0xEF && u[1] == 0xBF &&
				  u[2] >= 0xBE)) {
			out = "\xEF\xBF\xBD";
			len = 3;
		}
		if (j + len >= size)
			break;
		memcpy(dst + j, out, len);
		dst[j += len] = 0;
		i += k ? k : 1;
	}
}

static void put_num(struct book *bk, lxw_worksheet *ws, lxw_row_t row,
		    lxw_col_t col, double v, lxw_format *f)
{
	check(bk, worksheet_write_number(ws, row, col, v, f));
}

/* A new sheet, or NULL with the error recorded: in constant-memory mode,
 * most likely its temporary file could not be created. */
static lxw_worksheet *add_sheet(struct book *bk, const char *name)
{
	lxw_worksheet *ws = workbook_add_worksheet(bk->wb, name);
	if (!ws)
		check(bk, LXW_ERROR_CREATING_TMPFILE);
	return ws;
}

static double usd(br_pico v)
{
	/* Exactly the 6-decimal text of the JSON report, as a number. */
	char buf[BR_MONEY_BUFSZ];
	return strtod(br_money_format(v, buf), NULL);
}

/* The utilization as a ratio for the "0.00%" format, rounded as the
 * other formats show it: Excel would round 99.999% up to 100.00%. */
static double utilization(const struct budget_status *st)
{
	char buf[BUDGET_UTIL_BUFSZ];
	return strtod(budget_utilization_format(st, false, 4, buf), NULL);
}

/* A projection of f, exactly as the JSON report shows it. */
static double usd_projection(const struct forecast *f, double v)
{
	return usd(forecast_pico(f, v));
}

/* The value columns of the breakdown sheets; the Rows sheet and the
 * Summary's totals show report_value_cols, as JSON does. */
#define NCOLS RV_BASIC

/* Column c of t as a number: exactly the JSON report's text. */
static double col_value(const struct red_totals *t, size_t c)
{
	char buf[BR_MONEY_BUFSZ];
	return strtod(report_value_text(t, (enum report_value)c, buf), NULL);
}

static lxw_format *col_format(const struct book *bk, size_t c)
{
	return report_value_is_money((enum report_value)c) ? bk->money : bk->count;
}

static void header(struct book *bk, lxw_worksheet *ws, lxw_row_t row,
		   const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put_str(bk, ws, row, (lxw_col_t)i, names[i], bk->head);
}

/* Writes the first ncols values of totals t into row from column col on. */
static void values(struct book *bk, lxw_worksheet *ws, lxw_row_t row,
		   lxw_col_t col, const struct red_totals *t, size_t ncols)
{
	for (size_t c = 0; c < ncols; c++)
		put_num(bk, ws, row, col + (lxw_col_t)c, col_value(t, c),
			col_format(bk, c));
}

static void value_header(struct book *bk, lxw_worksheet *ws, lxw_row_t row,
			 lxw_col_t col, size_t ncols)
{
	for (size_t c = 0; c < ncols; c++)
		put_str(bk, ws, row, col + (lxw_col_t)c,
			report_value_name((enum report_value)c), bk->head);
}

static void widths(lxw_worksheet *ws, lxw_col_t first, lxw_col_t n, double w)
{
	worksheet_set_column(ws, first, first + n - 1, w, NULL);
}

static void summary_sheet(struct book *bk, const struct report *r)
{
	lxw_worksheet *ws = add_sheet(bk, "Summary");
	if (!ws)
		return;
	worksheet_set_column(ws, 0, 0, 28, NULL);
	worksheet_set_column(ws, 1, 1, 24, NULL);
	worksheet_set_column(ws, 2, 6, 16, NULL);
	char d[16], month[8];
	lxw_row_t row = 0;
	put_str(bk, ws, row++, 0, "burnrate spend report", bk->title);
	put_str(bk, ws, row, 0, "generated by", bk->bold);
	put_str(bk, ws, row++, 1, "burnrate " BR_VERSION, NULL);
	br_day_format(r->q.as_of, d);
	put_str(bk, ws, row, 0, "as of", bk->bold);
	put_str(bk, ws, row++, 1, d, NULL);
	put_str(bk, ws, row, 0, "time zone", bk->bold);
	put_str(bk, ws, row++, 1, r->timezone, NULL);
	char a[11], b[11], text[32];
	br_day_format(report_since(r), a);
	br_day_format(r->q.until, b);
	snprintf(text, sizeof text, "%s to %s", a, b);
	put_str(bk, ws, row, 0, "period", bk->bold);
	put_str(bk, ws, row++, 1, text, NULL);
	/* Segments left out (--skip-corrupt): the totals below lack them. */
	for (size_t i = 0; i < r->nskipped; i++, row++) {
		put_str(bk, ws, row, 0, "SKIPPED corrupt segment", bk->over);
		put_str(bk, ws, row, 1, r->skipped[2 * i], NULL);
		put_str(bk, ws, row, 2, r->skipped[2 * i + 1], NULL);
	}
	row++;
	put_str(bk, ws, row++, 0, "Totals of the period", bk->title);
	for (size_t c = 0; c < (size_t)report_value_cols(r); c++, row++) {
		put_str(bk, ws, row, 0, report_value_name((enum report_value)c),
			bk->bold);
		put_num(bk, ws, row, 1, col_value(&r->totals, c),
			col_format(bk, c));
	}
	/* With --reprice, the cost as charged, after the values as JSON's
	 * totals have it. */
	if (r->q.reprice) {
		put_str(bk, ws, row, 0, "actual_cost_usd", bk->bold);
		put_num(bk, ws, row++, 1, usd(r->actual_total), bk->money);
	}
	row++;
	br_month_format(r->q.as_of, month);
	put_str(bk, ws, row++, 0, "Month", bk->title);
	const struct {
		const char *name;
		double v;
	} m[] = {
		{"month to date", usd(r->month_to_date)},
		{"projected month total", usd_projection(&r->projection, r->projection.projected)},
		{"projection low (80%)", usd_projection(&r->projection, r->projection.low)},
		{"projection high (80%)", usd_projection(&r->projection, r->projection.high)},
	};
	put_str(bk, ws, row, 0, "month", bk->bold);
	put_str(bk, ws, row++, 1, month, NULL);
	for (size_t i = 0; i < sizeof m / sizeof m[0]; i++, row++) {
		put_str(bk, ws, row, 0, m[i].name, bk->bold);
		put_num(bk, ws, row, 1, m[i].v, bk->money);
	}
	put_str(bk, ws, row, 0, "method", bk->bold);
	put_str(bk, ws, row++, 1, r->projection.method, NULL);
	row++;
	put_str(bk, ws, row++, 0, "Budgets", bk->title);
	static const char *const bh[] = {"budget", "status", "spent", "limit",
					 "projected", "utilization"};
	header(bk, ws, row++, bh, 6);
	lxw_row_t first = row;
	for (size_t i = 0; i < r->nbudgets; i++, row++) {
		const struct budget_status *st = &r->budgets[i];
		put_str(bk, ws, row, 0, st->b->name, NULL);
		put_str(bk, ws, row, 1, st->status, NULL);
		put_num(bk, ws, row, 2, usd(budget_amount_shown(st, st->spent)),
			bk->money);
		put_num(bk, ws, row, 3, usd(st->b->limit), bk->money);
		put_num(bk, ws, row, 4, usd(budget_amount_shown(st, st->projected)),
			bk->money);
		put_num(bk, ws, row, 5, utilization(st), bk->pct);
	}
	if (r->nbudgets) {
		static const struct {
			const char *word;
			int which;
		} colour[] = {{"exceeded", 3}, {"critical", 2}, {"warning", 1}, {"ok", 0}};
		for (size_t i = 0; i < 4; i++) {
			lxw_format *f[] = {bk->ok, bk->warn, bk->crit, bk->over};
			lxw_conditional_format cf = {
				.type = LXW_CONDITIONAL_TYPE_TEXT,
				.criteria = LXW_CONDITIONAL_CRITERIA_TEXT_BEGINS_WITH,
				.value_string = (char *)colour[i].word,
				.format = f[colour[i].which],
			};
			worksheet_conditional_format_range(ws, first, 1, row - 1, 1, &cf);
		}
	}
	row++;
	put_str(bk, ws, row, 0, "unpriced requests", bk->bold);
	put_num(bk, ws, row++, 1, (double)r->totals.unpriced, bk->count);
	for (size_t i = 0; i < r->npriced_with; i++, row++) {
		put_str(bk, ws, row, 0, i ? "" : "priced with", bk->bold);
		put_str(bk, ws, row, 1, r->priced_with[i], NULL);
	}
}

static void rows_sheet(struct book *bk, const struct report *r)
{
	lxw_worksheet *ws = add_sheet(bk, "Rows");
	if (!ws)
		return;
	lxw_col_t nk = (lxw_col_t)r->q.nkeys;
	/* The columns of the JSON rows, in their order: the keys, the values
	 * (with --compare-costs the catalog's and the logs' cost), and with
	 * --reprice the cost as charged. */
	size_t ncols = (size_t)report_value_cols(r);
	for (lxw_col_t k = 0; k < nk; k++)
		put_str(bk, ws, 0, k, report_key_name(r->q.keys[k]), bk->head);
	value_header(bk, ws, 0, nk, ncols);
	lxw_col_t actual = nk + (lxw_col_t)ncols; /* what-if: the cost as charged */
	lxw_col_t last = r->q.reprice ? actual : actual - 1;
	if (r->q.reprice)
		put_str(bk, ws, 0, actual, "actual_cost_usd", bk->head);
	for (size_t i = 0; i < r->nrows; i++) {
		lxw_row_t row = (lxw_row_t)i + 1;
		for (lxw_col_t k = 0; k < nk; k++)
			put_str(bk, ws, row, k, r->rows[i].key[k], NULL);
		values(bk, ws, row, nk, &r->rows[i].t, ncols);
		if (r->q.reprice)
			put_num(bk, ws, row, actual,
				usd(r->rows[i].actual_cost), bk->money);
	}
	widths(ws, 0, nk, 22);
	widths(ws, nk, last - nk + 1, 16);
	worksheet_freeze_panes(ws, 1, 0);
	worksheet_autofilter(ws, 0, 0, (lxw_row_t)r->nrows, last);
}

/* A sheet of one breakdown with a chart of its cost. */
static void breakdown_sheet(struct book *bk, const struct report *r, int k,
			    const char *name, uint8_t chart_type)
{
	lxw_worksheet *ws = add_sheet(bk, name);
	if (!ws)
		return;
	const struct report_row *rows = r->breakdown[k].rows;
	size_t n = r->breakdown[k].nrows;
	bool daily = r->breakdown[k].key == REPORT_DAY;
	put_str(bk, ws, 0, 0, report_key_name(r->breakdown[k].key), bk->head);
	value_header(bk, ws, 0, 1, NCOLS);
	if (daily)
		put_str(bk, ws, 0, 1 + NCOLS, "projected_usd", bk->head);
	size_t out = 0;
	int32_t first_day, last_day;
	bool every_day = daily && report_daily_span(r, &first_day, &last_day);
	if (every_day) {
		/* Every day, a day without spend too (a chart of the days
		 * with spend only would draw a line across it). */
		static const struct red_totals none;
		size_t next = 0;
		for (int32_t d = first_day; d <= last_day; d++, out++) {
			const struct red_totals *t = report_daily_totals(r, d, &next);
			char day[11];
			br_day_format(d, day);
			lxw_row_t row = (lxw_row_t)out + 1;
			put_str(bk, ws, row, 0, day, NULL);
			values(bk, ws, row, 1, t ? t : &none, NCOLS);
		}
		n = out;
	}
	for (size_t i = 0; !every_day && i < n; i++, out++) {
		lxw_row_t row = (lxw_row_t)out + 1;
		put_str(bk, ws, row, 0, rows[i].key[0], NULL);
		values(bk, ws, row, 1, &rows[i].t, NCOLS);
	}
	if (daily && report_daily_projected(r)) {
		/* The month's days still to come share the projection of the
		 * rest in whole micro-dollars, so that they add up to it
		 * exactly (the daily rate rounded on each day would not). */
		const struct forecast *f = &r->projection;
		br_pico micro = (forecast_pico(f, f->projected) - f->spent) /
				(BR_PICO_PER_USD / 1000000);
		int32_t h = r->month_end - r->q.as_of;
		for (int32_t i = 0; i < h; i++, out++) {
			char day[11];
			br_day_format(r->q.as_of + 1 + i, day);
			lxw_row_t row = (lxw_row_t)out + 1;
			put_str(bk, ws, row, 0, day, NULL);
			br_pico share = micro * (i + 1) / h - micro * i / h;
			put_num(bk, ws, row, 1 + NCOLS,
				usd(share * (BR_PICO_PER_USD / 1000000)),
				bk->money);
		}
	}
	widths(ws, 0, 1, daily ? 12 : 40);
	widths(ws, 1, (lxw_col_t)NCOLS + 1, 16);
	worksheet_freeze_panes(ws, 1, 0);
	if (out)
		worksheet_autofilter(ws, 0, 0, (lxw_row_t)out, (lxw_col_t)NCOLS + (daily ? 1 : 0));
	if (!out)
		return;
	lxw_chart *chart = workbook_add_chart(bk->wb, chart_type);
	lxw_chart_series *s = chart ? chart_add_series(chart, NULL, NULL) : NULL;
	lxw_chart_series *p = s && daily && out > n ?
			      chart_add_series(chart, NULL, NULL) : NULL;
	if (!s || (daily && out > n && !p)) {
		check(bk, LXW_ERROR_MEMORY_MALLOC_FAILED);
		return;
	}
	size_t shown = daily || out <= 15 ? out : 15; /* the 15 largest */
	lxw_row_t last = (lxw_row_t)shown;
	chart_series_set_categories(s, name, 1, 0, last, 0);
	chart_series_set_values(s, name, 1, 1 + RV_COST, last, 1 + RV_COST);
	chart_series_set_name(s, daily ? "daily spend (USD)" : "spend (USD)");
	if (p) {
		chart_series_set_categories(p, name, 1, 0, last, 0);
		chart_series_set_values(p, name, 1, (lxw_col_t)NCOLS + 1, last,
					(lxw_col_t)NCOLS + 1);
		chart_series_set_name(p, "projected (USD per day)");
		lxw_chart_line line = {.dash_type = LXW_CHART_LINE_DASH_DASH};
		chart_series_set_line(p, &line);
	}
	char title[64];
	snprintf(title, sizeof title, "Spend by %s", report_key_name(r->breakdown[k].key));
	chart_title_set_name(chart, title);
	if (chart_type != LXW_CHART_PIE)
		chart_legend_set_position(chart, daily ? LXW_CHART_LEGEND_BOTTOM
						       : LXW_CHART_LEGEND_NONE);
	check(bk, worksheet_insert_chart(ws, 1, (lxw_col_t)NCOLS + 3, chart));
}

static void budgets_sheet(struct book *bk, const struct report *r)
{
	lxw_worksheet *ws = add_sheet(bk, "Budgets");
	if (!ws)
		return;
	static const char *const h[] = {
		"name", "scope", "period", "period_start", "period_end", "limit_usd",
		"spent_usd", "projected_usd", "low_usd", "high_usd", "utilization",
		"threshold_crossed", "runs_out", "status"};
	header(bk, ws, 0, h, 14);
	for (size_t i = 0; i < r->nbudgets; i++) {
		const struct budget_status *st = &r->budgets[i];
		lxw_row_t row = (lxw_row_t)i + 1;
		char a[11], b[11], c[11] = "";
		br_day_format(st->start, a);
		br_day_format(st->end, b);
		if (st->runs_out != BR_DAY_NONE)
			br_day_format(st->runs_out, c);
		put_str(bk, ws, row, 0, st->b->name, NULL);
		put_str(bk, ws, row, 1, st->b->scope, NULL);
		put_str(bk, ws, row, 2, budget_period_name(st->b->period), NULL);
		put_str(bk, ws, row, 3, a, NULL);
		put_str(bk, ws, row, 4, b, NULL);
		put_num(bk, ws, row, 5, usd(st->b->limit), bk->money);
		put_num(bk, ws, row, 6, usd(budget_amount_shown(st, st->spent)),
			bk->money);
		put_num(bk, ws, row, 7, usd(budget_amount_shown(st, st->projected)),
			bk->money);
		/* The interval as projected_usd is shown: never low above it
		 * nor it above high ($9.9999995 of $10, with no day left, was
		 * 9.999999 between 10 and 10). */
		put_num(bk, ws, row, 8, usd(budget_amount_shown(
			st, forecast_pico(&st->f, st->f.low))), bk->money);
		put_num(bk, ws, row, 9, usd(budget_amount_shown(
			st, forecast_pico(&st->f, st->f.high))), bk->money);
		put_num(bk, ws, row, 10, utilization(st), bk->pct);
		put_num(bk, ws, row, 11, st->crossed, bk->count);
		put_str(bk, ws, row, 12, c, NULL);
		put_str(bk, ws, row, 13, st->status, NULL);
	}
	widths(ws, 0, 14, 16);
	worksheet_freeze_panes(ws, 1, 0);
	if (r->nbudgets) {
		lxw_format *f[] = {bk->over, bk->crit, bk->warn, bk->ok};
		const char *w[] = {"exceeded", "critical", "warning", "ok"};
		for (int i = 0; i < 4; i++) {
			lxw_conditional_format cf = {
				.type = LXW_CONDITIONAL_TYPE_TEXT,
				.criteria = LXW_CONDITIONAL_CRITERIA_TEXT_BEGINS_WITH,
				.value_string = (char *)w[i],
				.format = f[i],
			};
			worksheet_conditional_format_range(ws, 1, 13, (lxw_row_t)r->nbudgets,
							   13, &cf);
		}
		worksheet_autofilter(ws, 0, 0, (lxw_row_t)r->nbudgets, 13);
	}
}

static void unpriced_sheet(struct book *bk, const struct report *r)
{
	lxw_worksheet *ws = add_sheet(bk, "Unpriced");
	if (!ws)
		return;
	static const char *const h[] = {"provider", "model", "requests"};
	header(bk, ws, 0, h, 3);
	for (size_t i = 0; i < r->nunpriced; i++) {
		lxw_row_t row = (lxw_row_t)i + 1;
		put_str(bk, ws, row, 0, r->unpriced[i].provider, NULL);
		put_str(bk, ws, row, 1, r->unpriced[i].model, NULL);
		put_num(bk, ws, row, 2, (double)r->unpriced[i].requests,
			bk->count);
	}
	worksheet_set_column(ws, 0, 1, 36, NULL);
	worksheet_set_column(ws, 2, 2, 12, NULL);
	worksheet_freeze_panes(ws, 1, 0);
}

static void fill(lxw_format *f, uint32_t colour)
{
	format_set_bg_color(f, colour);
	format_set_bold(f);
}

/* Adds the formats of bk; false when one cannot be made. */
static bool add_formats(struct book *bk)
{
	lxw_format **all[] = {&bk->bold, &bk->money, &bk->count, &bk->pct,
			      &bk->title, &bk->head, &bk->ok, &bk->warn,
			      &bk->crit, &bk->over};
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		if (!(*all[i] = workbook_add_format(bk->wb)))
			return false;
	format_set_bold(bk->bold);
	format_set_bold(bk->head);
	format_set_bottom(bk->head, LXW_BORDER_THIN);
	format_set_bold(bk->title);
	format_set_font_size(bk->title, 13);
	format_set_num_format(bk->money, MONEY_FMT);
	format_set_num_format(bk->count, COUNT_FMT);
	format_set_num_format(bk->pct, "0.00%");
	fill(bk->ok, 0xC6EFCE);
	fill(bk->warn, 0xFFEB9C);
	fill(bk->crit, 0xF8CBAD);
	fill(bk->over, 0xFF7C80);
	return true;
}

/* What of a part's bytes part_whole looks at: its first and last. */
#define PART_EDGE 256

/* Tells why the XML part head..tail (its first and last bytes, the same
 * bytes when it is short) is not whole, or NULL: it must begin with the
 * XML declaration and end with the end tag of the element after it. */
static const char *part_whole(const char *head, size_t nhead,
			      const char *tail, size_t ntail)
{
	static const char decl[] = "<?xml";
	const char *end = memmem(head, nhead, "?>", 2);
	if (nhead < sizeof decl - 1 || memcmp(head, decl, sizeof decl - 1) != 0 ||
	    !end)
		return nhead ? "has no XML declaration" : "is empty";
	const char *name = end + 2, *stop = head + nhead;
	while (name < stop && isspace((unsigned char)*name))
		name++;
	if (name == stop || *name++ != '<')
		return "has no root element";
	size_t len = 0;
	while (name + len < stop && !strchr(" \t\r\n/>", name[len]))
		len++;
	while (ntail && isspace((unsigned char)tail[ntail - 1]))
		ntail--;
	if (len == 0 || ntail < len + 3 || tail[ntail - 1] != '>' ||
	    memcmp(tail + ntail - len - 3, "</", 2) != 0 ||
	    memcmp(tail + ntail - len - 1, name, len) != 0)
		return "is cut short";
	return NULL;
}

/* Checks that the workbook at path, as libxlsxwriter wrote it, is whole:
 * a zip whose every part is an XML document that ends (part_whole).
 * libxlsxwriter 1.1.4 writes each part to a temporary file and copies it
 * into the zip without checking those writes: with the temporary
 * directory ($TMPDIR) full, it made a workbook of empty parts and
 * reported success (fuzz/FINDINGS.md). */
static int check_written(const char *path, struct br_err *err)
{
	struct archive *a = br_archive_read_new();
	/* It fails only out of memory; libarchive then crashed opening. */
	if (archive_read_support_format_zip_seekable(a) != ARCHIVE_OK)
		br_oom();
	struct archive_entry *e;
	const char *why = NULL;
	char *part = NULL;
	char head[PART_EDGE], tail[PART_EDGE], buf[65536];
	int rc = archive_read_open_filename(a, path, sizeof buf);
	while (rc == ARCHIVE_OK && !why &&
	       (rc = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		size_t nhead = 0, ntail = 0;
		ssize_t n;
		while ((n = archive_read_data(a, buf, sizeof buf)) > 0) {
			size_t k = (size_t)n;
			size_t take = PART_EDGE - nhead < k ? PART_EDGE - nhead : k;
			memcpy(head + nhead, buf, take);
			nhead += take;
			/* The last PART_EDGE bytes, after what was kept. */
			size_t keep = k >= PART_EDGE ? 0
				      : ntail < PART_EDGE - k ? ntail
							      : PART_EDGE - k;
			memmove(tail, tail + ntail - keep, keep);
			size_t add = k < PART_EDGE ? k : PART_EDGE;
			memcpy(tail + keep, buf + k - add, add);
			ntail = keep + add;
		}
		if (n < 0) {
			rc = ARCHIVE_FATAL;
			break;
		}
		why = part_whole(head, nhead, tail, ntail);
		if (why)
			part = br_strdup(archive_entry_pathname(e)
					 ? archive_entry_pathname(e) : "?");
	}
	int status = 0;
	if (why)
		status = br_fail(err, "cannot write '%s': its part %s, as "
				 "libxlsxwriter wrote it, %s (is the temporary "
				 "directory full?)", path, part, why);
	else if (rc != ARCHIVE_EOF)
		status = br_fail(err, "cannot write '%s': the workbook written "
				 "does not read back: %s", path,
				 archive_error_string(a) ? archive_error_string(a)
							 : "unknown error");
	free(part);
	archive_read_free(a);
	return status;
}

/* 9999-12-31T23:59:59Z. */
#define XLSX_LAST_SECOND 253402300799ULL

int report_write_xlsx(const struct report *r, const char *path,
		      struct br_err *err)
{
	if (r->nrows >= XLSX_MAX_ROWS)
		return br_fail(err, "cannot write '%s': %zu rows do not fit in an "
			       "XLSX sheet (at most %d); group by fewer keys or "
			       "use another format", path, r->nrows,
			       XLSX_MAX_ROWS - 1);
	/* Seconds since 1970 up to the last of year 9999, which Excel shows;
	 * anything else is refused, as the reproducible-builds convention
	 * asks (a value past time_t made libxlsxwriter crash). */
	time_t created = 0;
	const char *epoch = getenv("SOURCE_DATE_EPOCH");
	if (epoch && *epoch) {
		char *end;
		errno = 0;
		unsigned long long v = strtoull(epoch, &end, 10);
		if (*epoch < '0' || *epoch > '9' || *end || errno ||
		    v > XLSX_LAST_SECOND)
			return br_fail_status(err, BR_EXIT_USAGE,
					      "SOURCE_DATE_EPOCH: invalid value "
					      "'%s': expected seconds since "
					      "1970-01-01 UTC, at most %llu",
					      epoch, XLSX_LAST_SECOND);
		/* libxlsxwriter takes 0 for "now": one second later, the
		 * file is still the same on every run. */
		created = v ? (time_t)v : 1;
	}
	lxw_workbook_options opt = {.constant_memory = LXW_TRUE};
	struct book bk = {.wb = workbook_new_opt(path, &opt)};
	if (!bk.wb)
		return br_fail(err, "cannot create '%s': %s", path, strerror(errno));
	if (!add_formats(&bk))
		check(&bk, LXW_ERROR_MEMORY_MALLOC_FAILED);

	/* Every catalog (the first set of them only, before). */
	struct br_buf cats = {0};
	for (size_t i = 0; i < r->ncatalogs; i++)
		br_buf_printf(&cats, "%s%s", i ? "; " : "", r->catalogs[i]);
	char comments[1024];
	xml_text(comments, sizeof comments, "priced with: ",
		 cats.len ? cats.p : "log-reported costs only");
	br_buf_free(&cats);
	lxw_doc_properties props = {
		.title = "burnrate spend report",
		.subject = "LLM spend",
		.author = "burnrate " BR_VERSION,
		.comments = comments,
	};
	props.created = created;
	workbook_set_properties(bk.wb, &props);

	if (bk.error == LXW_NO_ERROR) {
		summary_sheet(&bk, r);
		rows_sheet(&bk, r);
		breakdown_sheet(&bk, r, 0, "Daily", LXW_CHART_LINE);
		breakdown_sheet(&bk, r, 1, "By provider", LXW_CHART_PIE);
		breakdown_sheet(&bk, r, 2, "By model", LXW_CHART_BAR);
		breakdown_sheet(&bk, r, 3, "By agent", LXW_CHART_BAR);
		budgets_sheet(&bk, r);
		unpriced_sheet(&bk, r);
	}
	/* libxlsxwriter's close writes the file, and crashes on a workbook
	 * whose every sheet failed: after an error, only free it. */
	if (bk.error == LXW_NO_ERROR)
		check(&bk, workbook_close(bk.wb));
	else
		lxw_workbook_free(bk.wb);
	br_buf_free(&bk.cell);
	if (bk.error != LXW_NO_ERROR)
		return br_fail(err, "cannot write '%s': %s", path,
			       lxw_strerror(bk.error));
	return check_written(path, err);
}
