/* alert.c - which budget alerts are due, and their messages. The rules
 * are in docs/ALERTS.md:
 *   actual    each threshold of a budget, once per period, when the
 *             period's spend first reaches it;
 *   forecast  when the period's projection passes the limit before the
 *             spend does; re-armed once the projection falls back below;
 *   anomaly   a day far above the scope's trailing days.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "notify/notify.h"

/* The anomaly rule: at least ANOMALY_MIN_HISTORY known days among the
 * BUDGET_RECENT_DAYS - 1 before the day. */
#define ANOMALY_MIN_HISTORY 7
#define ANOMALY_SIGMAS 3.0
#define ANOMALY_MIN_RATIO 1.5

static const char *const kind_names[] = {"actual", "forecast", "anomaly"};
static const char *const severity_names[] = {"info", "warning", "critical"};

const char *alert_kind_name(enum alert_kind k)
{
	return kind_names[k];
}

const char *alert_severity_name(enum alert_severity s)
{
	return severity_names[s];
}

static double usd(br_pico v)
{
	return (double)v / (double)BR_PICO_PER_USD;
}

/* "alert|NAME|PERIOD|DAY|KIND" and the kind's details: the ledger key.
 * Control characters of the name become '?'. */
static void key_prefix(struct br_buf *b, const struct budget_status *st,
		       int32_t day, enum alert_kind kind)
{
	char d[11];
	br_day_format(day, d);
	br_buf_puts(b, "alert|");
	for (const char *p = st->b->name; *p; p++)
		br_buf_putc(b, (unsigned char)*p < 0x20 ? '?' : *p);
	br_buf_printf(b, "|%s|%s|%s", budget_period_name(st->b->period), d,
		      kind_names[kind]);
}

static struct alert *push(struct alert **v, size_t *n, size_t *cap)
{
	if (*n == *cap) {
		*cap = *cap ? 2 * *cap : 8;
		*v = br_realloc(*v, *cap * sizeof **v);
	}
	struct alert *a = &(*v)[(*n)++];
	memset(a, 0, sizeof *a);
	return a;
}

/* The latest forecast entry of st's period: the one with the highest
 * sequence number. */
static struct ledger_entry *latest_forecast(struct ledger *l,
					    const struct budget_status *st,
					    unsigned *seq)
{
	struct br_buf prefix = {0};
	key_prefix(&prefix, st, st->start, ALERT_FORECAST);
	br_buf_puts(&prefix, "|100|");
	struct ledger_entry *best = NULL;
	*seq = 0;
	for (size_t i = 0; i < l->n; i++) {
		if (strncmp(l->v[i].key, prefix.p, prefix.len) != 0)
			continue;
		unsigned s = (unsigned)strtoul(l->v[i].key + prefix.len, NULL, 10);
		if (s > *seq) {
			*seq = s;
			best = &l->v[i];
		}
	}
	br_buf_free(&prefix);
	return best;
}

/* Tells whether the last of st's recent days is an anomaly, filling a. */
static bool anomalous(const struct budget_status *st, struct alert *a)
{
	size_t first = st->recent_unknown, last = BUDGET_RECENT_DAYS - 1;
	if (first >= last || last - first < ANOMALY_MIN_HISTORY)
		return false;
	double sum = 0, sq = 0, n = (double)(last - first);
	for (size_t i = first; i < last; i++)
		sum += usd(st->recent[i]);
	double mean = sum / n;
	for (size_t i = first; i < last; i++)
		sq += (usd(st->recent[i]) - mean) * (usd(st->recent[i]) - mean);
	double sd = sqrt(sq / n), day = usd(st->recent[last]);
	/* Far above the usual, by more than noise, and by an amount that
	 * matters to this budget (1% of its limit). */
	if (!(day > mean + ANOMALY_SIGMAS * sd && day > ANOMALY_MIN_RATIO * mean &&
	      day - mean >= usd(st->b->limit) / 100))
		return false;
	a->mean = mean;
	a->sd = sd;
	a->day_spend = st->recent[last];
	return true;
}

void alerts_due(const struct report *r, struct ledger *l, struct alert **out,
		size_t *n, struct ledger_entry ***rearm, size_t *nrearm)
{
	size_t cap = 0;
	*out = NULL;
	*n = 0;
	*rearm = br_calloc(r->nbudgets + 1, sizeof **rearm);
	*nrearm = 0;
	struct br_buf key = {0};
	for (size_t k = 0; k < r->nbudgets; k++) {
		const struct budget_status *st = &r->budgets[k];
		const struct budget *b = st->b;
		for (size_t t = 0; t < b->nthresholds; t++) {
			int pct = b->thresholds[t];
			br_buf_reset(&key);
			key_prefix(&key, st, st->start, ALERT_ACTUAL);
			br_buf_printf(&key, "|%d", pct);
			if (br_pico_mul(st->spent, 100) < (br_pico)b->limit * pct ||
			    ledger_find(l, key.p))
				continue;
			struct alert *a = push(out, n, &cap);
			a->kind = ALERT_ACTUAL;
			a->severity = pct >= 100 ? SEVERITY_CRITICAL
				      : pct >= 75 ? SEVERITY_WARNING : SEVERITY_INFO;
			a->threshold = pct;
			a->day = st->start;
		}
		if (b->forecast) {
			unsigned seq;
			struct ledger_entry *last = latest_forecast(l, st, &seq);
			/* The projection as shown, exactly: as a double it
			 * passed the limit and fell back on noise. */
			if (st->spent < b->limit && st->projected > b->limit &&
			    (!last || last->rearmed)) {
				struct alert *a = push(out, n, &cap);
				a->kind = ALERT_FORECAST;
				a->severity = SEVERITY_WARNING;
				a->threshold = 100;
				a->seq = seq + 1;
				a->day = st->start;
			} else if (st->projected < b->limit && last && !last->rearmed) {
				(*rearm)[(*nrearm)++] = last;
			}
		}
		struct alert probe = {0};
		if (anomalous(st, &probe)) {
			int32_t day = r->q.as_of;
			br_buf_reset(&key);
			key_prefix(&key, st, day, ALERT_ANOMALY);
			if (!ledger_find(l, key.p)) {
				struct alert *a = push(out, n, &cap);
				*a = probe;
				a->kind = ALERT_ANOMALY;
				a->severity = SEVERITY_WARNING;
				a->day = day;
			}
		}
		/* The keys of the alerts just added for this budget. */
		for (size_t i = 0; i < *n; i++) {
			struct alert *a = &(*out)[i];
			if (a->key)
				continue;
			a->st = st;
			br_buf_reset(&key);
			key_prefix(&key, st, a->day, a->kind);
			if (a->kind == ALERT_ACTUAL)
				br_buf_printf(&key, "|%d", a->threshold);
			else if (a->kind == ALERT_FORECAST)
				br_buf_printf(&key, "|100|%u", a->seq);
			a->key = br_strdup(key.p);
		}
	}
	br_buf_free(&key);
}

void alerts_free(struct alert *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].key);
	free(v);
}

/* ---------------------------------------------------------- messages */

#define PICO_PER_MICRO 1000000
#define PICO_PER_CENT 10000000000

/* The cents a mail shows of v: its micro-dollars, as the reports show
 * them, rounded to cents, each half away from zero. */
static br_pico cents_of(br_pico v)
{
	return br_pico_round(br_pico_round(v, PICO_PER_MICRO), PICO_PER_CENT);
}

/* Formats USD from its micro-dollars as the reports round them, with 2
 * decimals (6 below a cent, but for 0), each rounding half away from
 * zero, in 128 bits: the mail shows the reports' figures, not a double's
 * ($0.0002465 is $0.000247 in both). */
static const char *money2(br_pico v, char *buf)
{
	br_pico micro = br_pico_round(v, PICO_PER_MICRO);
	if (micro != 0 && micro > -PICO_PER_CENT && micro < PICO_PER_CENT)
		return br_money_format(v, buf);
	br_money_format(cents_of(v), buf);
	buf[strlen(buf) - 4] = 0; /* "12.340000" */
	return buf;
}

/* A projection as money2 shows it, but with its micro-dollars when its
 * cents are the limit's and it is not the limit (rounded down below it):
 * "projected to exceed $300.00 (projected $300.00)" read as a false
 * alarm, and $9.9999995 of $10.00 is $9.999999. */
static const char *projection2(const struct budget_status *st, br_pico v,
			       char *buf)
{
	money2(v, buf);
	if (v != st->b->limit && cents_of(v) == cents_of(st->b->limit))
		br_money_format(budget_amount_shown(st, v), buf);
	return buf;
}

void alert_compose(const struct alert *a, const struct report *r,
		   const char *from, char *const *to, size_t nto, time_t now,
		   struct br_buf *out)
{
	const struct budget_status *st = a->st;
	const struct budget *b = st->b;
	char limit[BR_MONEY_BUFSZ], spent[BR_MONEY_BUFSZ], proj[BR_MONEY_BUFSZ],
		low[BR_MONEY_BUFSZ], high[BR_MONEY_BUFSZ], dayv[BR_MONEY_BUFSZ],
		mean[BR_MONEY_BUFSZ], util[BUDGET_UTIL_BUFSZ], start[11], end[11], as_of[11],
		runs_out[11], day[11], threshold[16];
	money2(b->limit, limit);
	money2(st->spent, spent);
	/* Below the limit, spend whose cents would reach it shows its
	 * micro-dollars, rounded down if need be: "$9.999999", not "$10.00"
	 * nor "$10.000000", of a $10.00 limit. */
	if (st->spent < b->limit && cents_of(st->spent) >= cents_of(b->limit))
		br_money_format(budget_amount_shown(st, st->spent), spent);
	/* Projections exactly as the reports show them: never below what
	 * was spent. */
	projection2(st, st->projected, proj);
	projection2(st, forecast_pico(&st->f, st->f.low), low);
	projection2(st, forecast_pico(&st->f, st->f.high), high);
	budget_utilization_format(st, true, 1, util);
	snprintf(threshold, sizeof threshold, "%d", a->threshold);
	br_day_format(st->start, start);
	br_day_format(st->end, end);
	br_day_format(r->q.as_of, as_of);
	br_day_format(a->day, day);
	if (st->runs_out != BR_DAY_NONE)
		br_day_format(st->runs_out, runs_out);
	else
		snprintf(runs_out, sizeof runs_out, "%s", "-");

	/* The budget's name and scope as the table shows names: control
	 * characters '?', so that no name can add a line of its own to the
	 * bodies or move a terminal's cursor (br_printable). */
	char *name = br_printable(b->name), *scope = br_printable(b->scope);
	struct br_buf headline = {0}, detail = {0}, once = {0}, subject = {0};
	switch (a->kind) {
	case ALERT_ACTUAL:
		br_buf_printf(&headline, "budget %s reached %d%% of $%s", name,
			      a->threshold, limit);
		br_buf_printf(&detail, "Spend in this %s period reached %d%% of the "
			      "limit on or before %s.", budget_period_name(b->period),
			      a->threshold, as_of);
		br_buf_printf(&once, "for %d%% of this period's limit", a->threshold);
		break;
	case ALERT_FORECAST:
		br_buf_printf(&headline, "budget %s is projected to exceed $%s "
			      "(projected $%s)", name, limit, proj);
		br_buf_printf(&detail, "At the current rate the limit is reached on "
			      "%s, before the period ends on %s.", runs_out, end);
		br_buf_printf(&once, "again only if the projection falls below the "
			      "limit and passes it once more");
		break;
	case ALERT_ANOMALY:
		money2(a->day_spend, dayv);
		money2(br_money_estimate(a->mean), mean);
		br_buf_printf(&headline, "unusual spend in budget %s on %s: $%s",
			      name, day, dayv);
		br_buf_printf(&detail, "Spend on %s was $%s; the %zu days before it "
			      "averaged $%s (standard deviation $%.2f). The rule: "
			      "above the mean plus 3 standard deviations and above "
			      "1.5 times the mean, by at least 1%% of the limit.",
			      day, dayv, (size_t)(BUDGET_RECENT_DAYS - 1 - st->recent_unknown),
			      mean, a->sd);
		br_buf_printf(&once, "for this day");
		break;
	}
	const char *sev = severity_names[a->severity];
	char sev_upper[16];
	size_t i = 0;
	for (; sev[i]; i++)
		sev_upper[i] = (char)(sev[i] - 'a' + 'A');
	sev_upper[i] = 0;
	br_buf_printf(&subject, "[burnrate] %s: %s", sev_upper, headline.p);

	const char *names[] = {
		"severity", "severity_upper", "kind", "headline", "subject",
		"budget", "scope", "period", "period_start", "period_end",
		"limit_usd", "spent_usd", "utilization_pct", "as_of",
		"projected_usd", "low_usd", "high_usd", "runs_out", "threshold",
		"detail", "once", "version", "timezone", "color"};
	const char *values[] = {
		sev, sev_upper, kind_names[a->kind], headline.p, subject.p,
		name, scope, budget_period_name(b->period), start, end,
		limit, spent, util, as_of, proj, low, high, runs_out, threshold,
		detail.p, once.p, BR_VERSION, r->timezone,
		a->severity == SEVERITY_CRITICAL ? "#b00020"
		: a->severity == SEVERITY_WARNING ? "#b26a00" : "#1a5fb4"};
	size_t nv = sizeof names / sizeof names[0];
	struct br_buf text = {0}, html = {0}, msgid = {0};
	template_render(TEMPLATE_ALERT_TXT, names, values, nv, &text);
	template_render(TEMPLATE_ALERT_HTML, names, values, nv, &html);
	char id[33];
	ledger_id(a->key, id);
	const char *at = strrchr(from, '@');
	br_buf_printf(&msgid, "<%s.%s@%s>", id, kind_names[a->kind],
		      at ? at + 1 : "burnrate.invalid");
	struct mail_content c = {
		.from = from, .to = (const char *const *)to, .nto = nto,
		.subject = subject.p, .message_id = msgid.p, .date = now,
		.text = text.p, .html = html.p};
	mail_compose(&c, out);
	free(name);
	free(scope);
	br_buf_free(&headline);
	br_buf_free(&detail);
	br_buf_free(&once);
	br_buf_free(&subject);
	br_buf_free(&text);
	br_buf_free(&html);
	br_buf_free(&msgid);
}
