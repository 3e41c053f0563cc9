/* prom.c - writes a report in the Prometheus text exposition format for
 * node_exporter's textfile collector: the month to date by provider, model
 * and agent, the month's projection and the budgets (README "Prometheus"). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"

void report_prom_query(struct report_query *q)
{
	static const enum report_key keys[] = {REPORT_PROVIDER, REPORT_MODEL,
					       REPORT_AGENT};
	memcpy(q->keys, keys, sizeof keys);
	q->nkeys = 3;
	q->since = br_day_month_start(q->as_of);
	q->until = q->as_of;
}

/* Appends name="value": backslash, double quote and newline escaped as
 * the format requires, invalid UTF-8 replaced by U+FFFD. */
static void label(struct br_buf *b, const char *name, const char *value)
{
	br_buf_printf(b, "%s=\"", name);
	const unsigned char *p = (const unsigned char *)value;
	size_t n = strlen(value);
	while (n > 0) {
		size_t len = br_utf8_len(p, n);
		if (len == 0)
			br_buf_puts(b, "\xEF\xBF\xBD");
		else if (*p == '\\' || *p == '"')
			br_buf_printf(b, "\\%c", *p);
		else if (*p == '\n')
			br_buf_puts(b, "\\n");
		else
			br_buf_put(b, p, len);
		len += len == 0;
		p += len;
		n -= len;
	}
	br_buf_putc(b, '"');
}

/* Writes the HELP and TYPE lines of a family; every family is a gauge. */
static void family(struct br_buf *b, const char *name, const char *help)
{
	br_buf_printf(b, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

/* Writes one sample: name{labels} value (labels may be empty). */
static void sample(struct br_buf *b, const char *name, const char *labels,
		   const char *value)
{
	br_buf_printf(b, *labels ? "%s{%s} %s\n" : "%s%s %s\n", name, labels,
		      value);
}

/* The series by provider, model and agent: rows with the same labels (the
 * report's other keys, or names that differ only in invalid UTF-8) are
 * summed, so that no series repeats. */
struct by_agent {
	struct br_dict *labels; /* escaped label sets, in order of first row */
	struct red_totals *t;
};

/* Sums r's rows into s. Refuses a report that report_prom_query did not
 * set up: the HELP texts say what the numbers are. */
static int collect(const struct report *r, struct by_agent *s,
		   struct br_err *err)
{
	static const enum report_key want[] = {REPORT_PROVIDER, REPORT_MODEL,
					       REPORT_AGENT};
	size_t at[3];
	bool ok = r->q.since == br_day_month_start(r->q.as_of) &&
		  r->q.until == r->q.as_of;
	for (size_t i = 0; i < 3; i++) {
		for (at[i] = 0; at[i] < r->q.nkeys; at[i]++)
			if (r->q.keys[at[i]] == want[i])
				break;
		ok &= at[i] < r->q.nkeys;
	}
	if (!ok)
		return br_fail_status(err, BR_EXIT_USAGE, "the prom format needs "
				      "a report of the month to date by provider, "
				      "model and agent (report_prom_query)");
	s->labels = br_dict_new();
	s->t = br_calloc(r->nrows + 1, sizeof *s->t);
	struct br_buf b = {0};
	for (size_t i = 0; i < r->nrows; i++) {
		const struct report_row *row = &r->rows[i];
		br_buf_reset(&b);
		for (size_t k = 0; k < 3; k++) {
			if (k)
				br_buf_putc(&b, ',');
			label(&b, report_key_name(want[k]), row->key[at[k]]);
		}
		uint32_t id = br_dict_intern(s->labels, b.p, b.len);
		red_totals_add(&s->t[id], &row->t);
	}
	br_buf_free(&b);
	return 0;
}

/* Writes a family of the series of s: for each, the values v[0..nv); with
 * kinds, one sample per value, labelled kind="kinds[k]". */
static void by_agent_family(struct br_buf *b, const struct by_agent *s,
			    const char *name, const char *help,
			    const enum report_value *v, const char *const *kinds,
			    size_t nv)
{
	char buf[BR_MONEY_BUFSZ];
	struct br_buf labels = {0};
	family(b, name, help);
	for (uint32_t i = 0; i < br_dict_count(s->labels); i++)
		for (size_t k = 0; k < nv; k++) {
			br_buf_reset(&labels);
			br_buf_puts(&labels, br_dict_str(s->labels, i, NULL));
			if (kinds) {
				br_buf_putc(&labels, ',');
				label(&labels, "kind", kinds[k]);
			}
			sample(b, name, labels.p,
			       report_value_text(&s->t[i], v[k], buf));
		}
	br_buf_free(&labels);
}

/* The families of the budgets, one series per budget. */
static void budget_families(struct br_buf *b, const struct report *r)
{
	static const char *const names[] = {
		"burnrate_budget_limit_usd", "burnrate_budget_spent_usd",
		"burnrate_budget_projected_usd",
		"burnrate_budget_utilization_ratio"};
	static const char *const help[] = {
		"Limit of the budget for its period, in USD.",
		"Spend in the budget's scope from the start of its period (the "
		"daily, weekly or monthly period containing the as-of day) to the "
		"as-of day, in USD.",
		"Projected spend in the budget's scope over its whole period, in USD.",
		"Spent divided by limit (1 is the limit)."};
	char buf[BR_MONEY_BUFSZ];
	struct br_buf labels = {0};
	for (size_t f = 0; f < 4; f++) {
		family(b, names[f], help[f]);
		for (size_t i = 0; i < r->nbudgets; i++) {
			const struct budget_status *st = &r->budgets[i];
			br_buf_reset(&labels);
			label(&labels, "budget", st->b->name);
			br_buf_putc(&labels, ',');
			label(&labels, "period", budget_period_name(st->b->period));
			switch (f) {
			case 0:
				br_money_format(st->b->limit, buf);
				break;
			case 1:
				br_money_format(st->spent, buf);
				break;
			case 2:
				forecast_format(&st->f, st->f.projected, buf);
				break;
			default:
				budget_utilization_format(st, false, 6, buf);
			}
			sample(b, names[f], labels.p, buf);
		}
	}
	br_buf_free(&labels);
}

int report_write_prom(const struct report *r, FILE *out, struct br_err *err)
{
	struct by_agent s = {0};
	if (collect(r, &s, err) != 0)
		return -1;
	struct br_buf b = {0}, labels = {0};
	char buf[BR_MONEY_BUFSZ], day[11], month[8];
	br_day_format(r->q.as_of, day);
	br_month_format(r->q.as_of, month);
	family(&b, "burnrate_report_info", "The report: its as-of day, month, "
	       "the store's time zone and the burnrate version; always 1.");
	label(&labels, "as_of", day);
	br_buf_putc(&labels, ',');
	label(&labels, "month", month);
	br_buf_putc(&labels, ',');
	label(&labels, "timezone", r->timezone);
	br_buf_putc(&labels, ',');
	label(&labels, "version", BR_VERSION);
	sample(&b, "burnrate_report_info", labels.p, "1");
	family(&b, "burnrate_last_data_timestamp_seconds", "The last day of the "
	       "month to date with usage, as the Unix time of 00:00 UTC on that "
	       "date (no sample when there is none).");
	if (r->last_day != BR_DAY_NONE) {
		snprintf(buf, sizeof buf, "%lld", (long long)r->last_day * 86400);
		sample(&b, "burnrate_last_data_timestamp_seconds", "", buf);
	}
	static const enum report_value cost[] = {RV_COST},
		requests[] = {RV_REQUESTS}, errors[] = {RV_ERRORS},
		unpriced[] = {RV_UNPRICED},
		tokens[] = {RV_INPUT, RV_OUTPUT, RV_CACHE_READ, RV_CACHE_WRITE,
			    RV_REASONING};
	static const char *const kinds[] = {"input", "output", "cache_read",
					    "cache_write", "reasoning"};
	by_agent_family(&b, &s, "burnrate_cost_usd", "Spend of the month to "
			"date, in USD, by provider, model and agent.", cost, NULL, 1);
	by_agent_family(&b, &s, "burnrate_tokens", "Tokens of the month to date "
			"by provider, model, agent and kind: input is uncached "
			"input, cache_write counts 5-minute and 1-hour writes, "
			"reasoning is part of output.", tokens, kinds, 5);
	by_agent_family(&b, &s, "burnrate_requests", "Requests of the month to "
			"date by provider, model and agent.", requests, NULL, 1);
	by_agent_family(&b, &s, "burnrate_errors", "Failed requests of the month "
			"to date by provider, model and agent (counted and priced "
			"too).", errors, NULL, 1);
	by_agent_family(&b, &s, "burnrate_unpriced_requests", "Requests of the "
			"month to date without a price, by provider, model and "
			"agent.", unpriced, NULL, 1);
	family(&b, "burnrate_month_to_date_cost_usd", "Spend of the month to "
	       "date, in USD.");
	sample(&b, "burnrate_month_to_date_cost_usd", "",
	       br_money_format(r->month_to_date, buf));
	family(&b, "burnrate_month_projected_cost_usd", "Projected spend of the "
	       "whole month, in USD.");
	sample(&b, "burnrate_month_projected_cost_usd", "",
	       forecast_format(&r->projection, r->projection.projected, buf));
	family(&b, "burnrate_month_projected_cost_low_usd", "Low end of the 80% "
	       "interval of the month's projected spend, in USD.");
	sample(&b, "burnrate_month_projected_cost_low_usd", "",
	       forecast_format(&r->projection, r->projection.low, buf));
	family(&b, "burnrate_month_projected_cost_high_usd", "High end of the "
	       "80% interval of the month's projected spend, in USD.");
	sample(&b, "burnrate_month_projected_cost_high_usd", "",
	       forecast_format(&r->projection, r->projection.high, buf));
	if (r->q.nbudgets)
		budget_families(&b, r);
	family(&b, "burnrate_skipped_corrupt_segments", "Corrupt segments of the "
	       "store left out of these numbers (report --skip-corrupt).");
	snprintf(buf, sizeof buf, "%zu", r->nskipped);
	sample(&b, "burnrate_skipped_corrupt_segments", "", buf);
	fwrite(b.p, 1, b.len, out);
	br_buf_free(&b);
	br_buf_free(&labels);
	br_dict_free(s.labels);
	free(s.t);
	if (fflush(out) != 0 || ferror(out))
		return br_fail(err, REPORT_WRITE_ERROR "%s", strerror(errno));
	return 0;
}
