/* html.c - the report as one self-contained HTML page: inline CSS, inline
 * SVG charts, no script and no external request of any kind; readable on
 * a phone. The same numbers as every other format. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"

/* Writes s as HTML text: markup escaped, C0 controls shown as '?' and
 * bytes that are not UTF-8 (the page says it is) as U+FFFD. */
static void esc(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	for (size_t n = strlen(s); n > 0;) {
		size_t len = br_utf8_len(p, n);
		switch (*p) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&#39;", out); break;
		default:
			if (*p < 0x20)
				fputc('?', out);
			else if (len == 0)
				fputs("\xEF\xBF\xBD", out);
			else
				fwrite(p, 1, len, out);
		}
		len = len ? len : 1;
		p += len;
		n -= len;
	}
}

/* An amount ("-2.500001") as the page shows it, the sign before the
 * currency: "-$2.500001", "$1.000000"; buf holds BR_MONEY_BUFSZ bytes and
 * is not amount. */
static const char *dollars(const char *amount, char *buf)
{
	bool credit = *amount == '-';
	snprintf(buf, BR_MONEY_BUFSZ, "%s$%s", credit ? "-" : "", amount + credit);
	return buf;
}

/* v rounded to 6 decimals, as dollars. */
static const char *money(br_pico v, char *buf)
{
	char amount[BR_MONEY_BUFSZ];
	return dollars(br_money_format(v, amount), buf);
}

/* A projection's figure v (forecast_format), as dollars. */
static const char *projected(const struct forecast *f, double v, char *buf)
{
	char amount[BR_MONEY_BUFSZ];
	return dollars(forecast_format(f, v, amount), buf);
}

static double usd(br_pico v)
{
	return (double)v / (double)BR_PICO_PER_USD;
}

static const char style[] =
	"body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;"
	"margin:0 auto;max-width:1100px;padding:12px;color:#1d2733;background:#fff}"
	"h1{font-size:1.4em;margin:.2em 0}h2{font-size:1.1em;margin:1.4em 0 .4em}"
	".meta{color:#5b6776;font-size:.9em}"
	".cards{display:flex;flex-wrap:wrap;gap:10px;margin:10px 0}"
	".card{flex:1 1 150px;border:1px solid #d8dee6;border-radius:8px;padding:10px}"
	".card b{display:block;font-size:1.25em}"
	".card span{color:#5b6776;font-size:.85em}"
	".scroll{overflow-x:auto}"
	"table{border-collapse:collapse;font-size:.85em;min-width:100%}"
	"th,td{padding:4px 8px;border-bottom:1px solid #e6eaef;text-align:right;"
	"white-space:nowrap}th{background:#f3f5f8}"
	"td.k,th.k{text-align:left}"
	".ok{background:#c6efce}.warning{background:#ffeb9c}"
	".critical{background:#f8cbad}.exceeded{background:#ff7c80}"
	"svg{width:100%;height:auto;display:block}"
	"svg text{font-size:11px;fill:#5b6776}";

/* The vertical axis of the daily chart: USD from min over range, drawn
 * height high from y = 5 down. */
struct axis {
	double min, range, height;
};

static double axis_y(const struct axis *ax, double v)
{
	return 5 + ax->height - ax->height * (v - ax->min) / ax->range;
}

/* A line chart of daily spend, with the projected rate dashed. */
static void daily_chart(FILE *out, const struct report *r)
{
	const struct report_row *rows = r->breakdown[0].rows;
	size_t n = r->breakdown[0].nrows;
	int32_t first, data_last;
	bool every_day = report_daily_span(r, &first, &data_last);
	if (n == 0)
		return;
	if (!every_day) {
		br_day_parse(rows[0].key[0], &first);
		br_day_parse(rows[n - 1].key[0], &data_last);
	}
	/* To the month's end, with the projection, unless the report is as
	 * of a day far after the data (then the data's days only) or its
	 * period ended before as_of (then to its end). */
	bool near = r->q.as_of - data_last <= REPORT_DAILY_TRAILING_MAX;
	bool projected = near && report_daily_projected(r) && r->q.as_of >= first;
	int32_t last = projected ? r->month_end
		       : near && r->q.until > data_last ? r->q.until : data_last;
	if (data_last > last)
		last = data_last;
	/* The axis runs from $0, or from the lowest day's credit below it
	 * (an OpenAI Costs API line below zero), to the highest day. */
	double min = 0, max = r->projection.daily_rate;
	for (size_t i = 0; i < n; i++) {
		double v = usd(rows[i].t.cost);
		max = v > max ? v : max;
		min = v < min ? v : min;
	}
	if (max <= 0 && min == 0)
		max = 1;
	const double W = 760, H = 220, L = 60, B = 24;
	const struct axis ax = {min, max - min, H};
	double span = last > first ? (double)(last - first) : 1;
	fprintf(out, "<svg viewBox=\"0 0 %.0f %.0f\" role=\"img\" "
		"aria-label=\"daily spend\"><title>Daily spend (USD)</title>\n",
		W + L + 10, H + B + 10);
	for (int g = 0; g <= 4; g++) {
		double y = 5 + H - H * g / 4, tick = min + ax.range * g / 4;
		char amount[BR_MONEY_BUFSZ], buf[BR_MONEY_BUFSZ];
		/* A tick within half a cent of $0 is $0.00, not -$0.00. */
		snprintf(amount, sizeof amount, "%.2f",
			 tick > -0.005 && tick < 0.005 ? 0.0 : tick);
		fprintf(out, "<line x1=\"%.0f\" x2=\"%.0f\" y1=\"%.1f\" y2=\"%.1f\" "
			"stroke=\"#e6eaef\"/><text x=\"%.0f\" y=\"%.1f\" "
			"text-anchor=\"end\">%s</text>\n",
			L, L + W, y, y, L - 4, y + 4, dollars(amount, buf));
	}
	fputs("<polyline fill=\"none\" stroke=\"#2f6fde\" stroke-width=\"2\" points=\"", out);
	/* Every day of the span, one without spend at $0 (else the days with
	 * spend only). */
	size_t next = 0;
	for (int32_t d = first; every_day && d <= data_last; d++) {
		const struct red_totals *t = report_daily_totals(r, d, &next);
		fprintf(out, "%.1f,%.1f ", L + W * (d - first) / span,
			axis_y(&ax, t ? usd(t->cost) : 0));
	}
	for (size_t i = 0; !every_day && i < n; i++) {
		int32_t d;
		br_day_parse(rows[i].key[0], &d);
		fprintf(out, "%.1f,%.1f ", L + W * (d - first) / span,
			axis_y(&ax, usd(rows[i].t.cost)));
	}
	fputs("\"/>\n", out);
	if (projected) {
		double y = axis_y(&ax, r->projection.daily_rate);
		fprintf(out, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" "
			"stroke=\"#e07b00\" stroke-width=\"2\" stroke-dasharray=\"6 4\">"
			"<title>projected daily spend</title></line>\n",
			L + W * (r->q.as_of + 1 - first) / span,
			L + W * (r->month_end - first) / span, y, y);
	}
	char a[11], b[11];
	br_day_format(first, a);
	br_day_format(last, b);
	fprintf(out, "<text x=\"%.0f\" y=\"%.0f\">%s</text><text x=\"%.0f\" "
		"y=\"%.0f\" text-anchor=\"end\">%s</text></svg>\n",
		L, H + B, a, L + W, H + B, b);
}

/* Horizontal bars of cost for one breakdown (the 12 largest). */
static void bar_chart(FILE *out, const struct report *r, int k)
{
	const struct report_row *rows = r->breakdown[k].rows;
	size_t n = r->breakdown[k].nrows < 12 ? r->breakdown[k].nrows : 12;
	if (n == 0)
		return;
	double max = usd(rows[0].t.cost) > 0 ? usd(rows[0].t.cost) : 1;
	const double W = 520, L = 230, RH = 20;
	fprintf(out, "<svg viewBox=\"0 0 %.0f %.0f\" role=\"img\"><title>Spend by "
		"%s</title>\n", L + W + 110, RH * (double)n + 6,
		report_key_name(r->breakdown[k].key));
	char buf[BR_MONEY_BUFSZ];
	for (size_t i = 0; i < n; i++) {
		/* A bar of at least 1 (of $0, or of a credit below it), its
		 * amount just after it. */
		double y = 3 + RH * (double)i, w = W * usd(rows[i].t.cost) / max;
		w = w > 1 ? w : 1;
		/* At most 34 bytes of the name, cut between two characters
		 * (a cut inside one would make the page invalid UTF-8). */
		char label[64];
		const char *key = rows[i].key[0];
		size_t len = strlen(key), cut = br_utf8_cut(key, len, 34);
		snprintf(label, sizeof label, "%.*s%s", (int)cut, key,
			 cut < len ? "…" : "");
		fprintf(out, "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">", L - 6,
			y + 13);
		esc(out, *label ? label : "(none)");
		fprintf(out, "</text><rect x=\"%.0f\" y=\"%.1f\" width=\"%.1f\" "
			"height=\"%.0f\" fill=\"#2f6fde\"/><text x=\"%.1f\" y=\"%.1f\">"
			"%s</text>\n", L, y, w, RH - 6, L + w + 4, y + 13,
			money(rows[i].t.cost, buf));
	}
	fputs("</svg>\n", out);
}

/* The first ncols values of t, as the JSON report shows them. */
static void value_cells(FILE *out, const struct red_totals *t, int ncols)
{
	char buf[BR_MONEY_BUFSZ];
	for (int v = 0; v < ncols; v++)
		fprintf(out, "<td>%s</td>",
			report_value_text(t, (enum report_value)v, buf));
}

/* The report's rows and totals, with the columns of the JSON rows (with
 * --compare-costs, the catalog's and the logs' cost too). */
static void rows_table(FILE *out, const struct report *r)
{
	int ncols = report_value_cols(r);
	fputs("<div class=\"scroll\"><table id=\"rows\"><tr>", out);
	for (size_t k = 0; k < r->q.nkeys; k++)
		fprintf(out, "<th class=\"k\">%s</th>", report_key_name(r->q.keys[k]));
	for (int v = 0; v < ncols; v++)
		fprintf(out, "<th>%s</th>", report_value_name((enum report_value)v));
	fputs("</tr>\n", out);
	for (size_t i = 0; i < r->nrows; i++) {
		fputs("<tr>", out);
		for (size_t k = 0; k < r->q.nkeys; k++) {
			fputs("<td class=\"k\">", out);
			esc(out, r->rows[i].key[k]);
			fputs("</td>", out);
		}
		value_cells(out, &r->rows[i].t, ncols);
		fputs("</tr>\n", out);
	}
	fputs("<tr><th class=\"k\">TOTAL</th>", out);
	for (size_t k = 1; k < r->q.nkeys; k++)
		fputs("<th></th>", out);
	value_cells(out, &r->totals, ncols);
	fputs("</tr></table></div>\n", out);
}

int report_write_html(const struct report *r, FILE *out, struct br_err *err)
{
	char a[BR_MONEY_BUFSZ], b[BR_MONEY_BUFSZ], c[BR_MONEY_BUFSZ],
		d[BR_MONEY_BUFSZ], day[11], month[8];
	br_day_format(r->q.as_of, day);
	br_month_format(r->q.as_of, month);
	fprintf(out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
		"<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
		"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
		"'none'; style-src 'unsafe-inline'; img-src data:\">"
		"<title>burnrate report %s</title><style>%s</style></head><body>\n",
		day, style);
	fprintf(out, "<h1>LLM spend</h1><p class=\"meta\">as of %s, time zone ", day);
	esc(out, r->timezone);
	fputs(", burnrate " BR_VERSION "</p>\n", out);
	/* Segments left out (--skip-corrupt): the totals below lack them. */
	for (size_t i = 0; i < r->nskipped; i++) {
		fputs("<p class=\"exceeded skipped\">SKIPPED corrupt segment ", out);
		esc(out, r->skipped[2 * i]);
		fputs(": ", out);
		esc(out, r->skipped[2 * i + 1]);
		fputs("</p>\n", out);
	}
	fputs("<div class=\"cards\">", out);
	fprintf(out, "<div class=\"card\"><span>total of the period</span>"
		"<b id=\"total\">%s</b></div>", money(r->totals.cost, a));
	fprintf(out, "<div class=\"card\"><span>%s to date</span><b id=\"mtd\">%s</b>"
		"</div>", month, money(r->month_to_date, b));
	fprintf(out, "<div class=\"card\"><span>%s projected (80%%: %s to %s)"
		"</span><b id=\"projected\">%s</b></div>", month,
		projected(&r->projection, r->projection.low, c),
		projected(&r->projection, r->projection.high, d),
		projected(&r->projection, r->projection.projected, a));
	fprintf(out, "<div class=\"card\"><span>requests (%llu unpriced)</span>"
		"<b>%llu</b></div></div>\n", (unsigned long long)r->totals.unpriced,
		(unsigned long long)r->totals.requests);
	fputs("<h2>Daily spend</h2>\n", out);
	daily_chart(out, r);
	if (r->nbudgets) {
		fputs("<h2>Budgets</h2><div class=\"scroll\"><table id=\"budgets\"><tr>"
		      "<th class=\"k\">budget</th><th class=\"k\">scope</th>"
		      "<th class=\"k\">period</th><th>spent</th><th>limit</th>"
		      "<th>projected</th><th>used</th><th class=\"k\">runs out</th>"
		      "<th class=\"k\">status</th></tr>\n", out);
		for (size_t i = 0; i < r->nbudgets; i++) {
			const struct budget_status *st = &r->budgets[i];
			char ro[11] = "-", util[BUDGET_UTIL_BUFSZ];
			if (st->runs_out != BR_DAY_NONE)
				br_day_format(st->runs_out, ro);
			fputs("<tr><td class=\"k\">", out);
			esc(out, st->b->name);
			fputs("</td><td class=\"k\">", out);
			esc(out, st->b->scope);
			fprintf(out, "</td><td class=\"k\">%s</td><td>%s</td><td>%s</td>"
				"<td>%s</td><td>%s%%</td><td class=\"k\">%s</td>"
				"<td class=\"k %s\">%s</td></tr>\n",
				budget_period_name(st->b->period),
				money(budget_amount_shown(st, st->spent), a),
				money(st->b->limit, b),
				money(budget_amount_shown(st, st->projected), c),
				budget_utilization_format(st, true, 1, util), ro,
				st->status, st->status);
		}
		fputs("</table></div>\n", out);
	}
	static const char *const titles[] = {NULL, "By provider", "By model", "By agent"};
	for (int k = 1; k < REPORT_BREAKDOWNS; k++) {
		fprintf(out, "<h2>%s</h2>\n", titles[k]);
		bar_chart(out, r, k);
	}
	fputs("<h2>Report</h2>\n", out);
	rows_table(out, r);
	if (r->nunpriced) {
		fputs("<h2>Unpriced</h2><table id=\"unpriced\"><tr><th class=\"k\">"
		      "provider</th><th class=\"k\">model</th><th>requests</th></tr>\n",
		      out);
		for (size_t i = 0; i < r->nunpriced; i++) {
			fputs("<tr><td class=\"k\">", out);
			esc(out, r->unpriced[i].provider);
			fputs("</td><td class=\"k\">", out);
			esc(out, r->unpriced[i].model);
			fprintf(out, "</td><td>%llu</td></tr>\n",
				(unsigned long long)r->unpriced[i].requests);
		}
		fputs("</table>\n", out);
	}
	fputs("<p class=\"meta\">", out);
	if (r->q.reprice)
		fprintf(out, "what-if: %s at these prices, %s as charged<br>",
			money(r->totals.cost, a), money(r->actual_total, b));
	for (size_t i = 0; i < r->npriced_with; i++) {
		fputs(r->q.reprice ? "re-priced with " : "priced with ", out);
		esc(out, r->priced_with[i]);
		fputs("<br>", out);
	}
	fputs("</p></body></html>\n", out);
	if (fflush(out) != 0 || ferror(out))
		return br_fail(err, REPORT_WRITE_ERROR "%s", strerror(errno));
	return 0;
}
