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
#include <strings.h>

#include "notify/notify.h"

/* The anomaly rule: at least ANOMALY_MIN_HISTORY known days among the
 * BUDGET_RECENT_DAYS - 1 before the day. */
#define ANOMALY_MIN_HISTORY 7
#define ANOMALY_SIGMAS 3.0

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

/* The key versions before scopes and recipients were part of an alert
 * wrote, "alert|NAME|PERIOD|DAY|KIND", control characters of the name
 * '?': read, never written, so that what they sent is not sent again. */
static void key_old(struct br_buf *b, const struct budget_status *st,
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

/* s with '|' and '\' escaped, so that no name or scope reads as another
 * one's fields ("a|b" and "*" against "a" and "b|*"), and control
 * characters '?' (a key is a line of the state file). */
static void key_field(struct br_buf *b, const char *s)
{
	br_buf_putc(b, '|');
	for (const char *p = s; *p; p++) {
		if (*p == '|' || *p == '\\')
			br_buf_putc(b, '\\');
		br_buf_putc(b, (unsigned char)*p < 0x20 ? '?' : *p);
	}
}

/* "alert2|NAME|SCOPE|PERIOD|DAY|KIND": the alert's identity without its
 * details and recipients (notify.h). */
static void key_base(struct br_buf *b, const struct budget_status *st,
		     int32_t day, enum alert_kind kind)
{
	char d[11];
	br_day_format(day, d);
	br_buf_puts(b, "alert2");
	key_field(b, st->b->name);
	key_field(b, st->b->scope ? st->b->scope : "*");
	br_buf_printf(b, "|%s|%s|%s", budget_period_name(st->b->period), d,
		      kind_names[kind]);
}

/* The keys of st's alert of kind on day, its details (detail: "|90" of a
 * threshold, "|100|2" of a forecast crossing, "" of an anomaly) after
 * them: now (base, without its recipients) and before (old). */
static void alert_keys(const struct budget_status *st, int32_t day,
		       enum alert_kind kind, const char *detail,
		       struct br_buf *base, struct br_buf *old)
{
	br_buf_reset(base);
	key_base(base, st, day, kind);
	br_buf_puts(base, detail);
	br_buf_reset(old);
	key_old(old, st, day, kind);
	br_buf_puts(old, detail);
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

/* Whether the entry with key k is one of the alert whose key is
 * base "|to=..." now and was old before. */
static bool entry_of(const char *k, const char *base, const char *old)
{
	size_t n = strlen(base);
	return strcmp(k, old) == 0 ||
	       (strncmp(k, base, n) == 0 && strncmp(k + n, "|to=", 4) == 0);
}

static int addr_cmp(const void *a, const void *b)
{
	return strcasecmp(*(char *const *)a, *(char *const *)b);
}

/* Adds an alert for st with key base, due to those of to[0..nto) that
 * no entry of it (base or old) was addressed to; returns it, or NULL
 * when every one of them has had it. */
static struct alert *due_to(struct ledger *l, const struct budget_status *st,
			    enum alert_kind kind, const char *base,
			    const char *old, char *const *to, size_t nto,
			    struct alert **v, size_t *n, size_t *cap)
{
	char **missing = br_calloc(nto + 1, sizeof *missing);
	size_t nmissing = 0;
	for (size_t i = 0; i < nto; i++) {
		bool had = false;
		for (size_t j = 0; j < l->n && !had; j++) {
			if (!entry_of(l->v[j].key, base, old))
				continue;
			for (size_t t = 0; t < l->v[j].nto && !had; t++)
				had = strcasecmp(l->v[j].to[t], to[i]) == 0;
		}
		if (!had)
			missing[nmissing++] = br_strdup(to[i]);
	}
	if (!nmissing) {
		free(missing);
		return NULL;
	}
	/* The key names the recipients by a hash of them, sorted and in
	 * lower case: an entry per set of recipients an alert went to. The
	 * message lists them in the budget's order. */
	char **sorted = br_calloc(nmissing, sizeof *sorted);
	memcpy(sorted, missing, nmissing * sizeof *sorted);
	qsort(sorted, nmissing, sizeof *sorted, addr_cmp);
	struct br_buf list = {0}, key = {0};
	for (size_t i = 0; i < nmissing; i++) {
		if (i)
			br_buf_putc(&list, ',');
		for (const char *p = sorted[i]; *p; p++)
			br_buf_putc(&list, *p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
	}
	br_buf_putc(&list, 0);
	char hex[65];
	br_sha256_hex(list.p, list.len - 1, hex);
	br_buf_printf(&key, "%s|to=%.16s", base, hex);
	struct alert *a = push(v, n, cap);
	a->kind = kind;
	a->st = st;
	a->to = missing;
	a->nto = nmissing;
	a->key = br_strdup(key.p);
	ledger_message_id(l, a->key, a->msgid);
	free(sorted);
	br_buf_free(&list);
	br_buf_free(&key);
	return a;
}

/* The latest forecast crossing of st's period: its number (0: none) and
 * whether it fell back since (any entry of it re-armed: they are re-armed
 * together). */
static unsigned latest_forecast(const struct ledger *l,
				const struct budget_status *st, bool *rearmed)
{
	struct br_buf base = {0}, old = {0};
	alert_keys(st, st->start, ALERT_FORECAST, "|100|", &base, &old);
	unsigned seq = 0;
	*rearmed = false;
	for (size_t i = 0; i < l->n; i++) {
		const char *k = l->v[i].key, *rest;
		if (strncmp(k, base.p, base.len) == 0)
			rest = k + base.len;
		else if (strncmp(k, old.p, old.len) == 0)
			rest = k + old.len;
		else
			continue;
		char *end;
		unsigned s = (unsigned)strtoul(rest, &end, 10);
		if (*end && strncmp(end, "|to=", 4) != 0)
			continue;
		if (s > seq) {
			seq = s;
			*rearmed = false;
		}
		if (s == seq)
			*rearmed |= l->v[i].rearmed;
	}
	br_buf_free(&base);
	br_buf_free(&old);
	return seq;
}


/* Tells whether the last of st's recent days is an anomaly, filling a. */
static bool anomalous(const struct budget_status *st, struct alert *a)
{
	size_t first = st->recent_unknown, last = BUDGET_RECENT_DAYS - 1;
	if (first >= last || last - first < ANOMALY_MIN_HISTORY)
		return false;
	double sum = 0, sq = 0, n = (double)(last - first);
	br_pico total = 0;
	for (size_t i = first; i < last; i++) {
		sum += usd(st->recent[i]);
		total += st->recent[i];
	}
	double mean = sum / n;
	for (size_t i = first; i < last; i++)
		sq += (usd(st->recent[i]) - mean) * (usd(st->recent[i]) - mean);
	double sd = sqrt(sq / n), day = usd(st->recent[last]);
	/* Far above the usual, by more than noise, and by an amount that
	 * matters to this budget (1% of its limit). The last two are money
	 * compared with money, so exactly, in pico-dollars times the days:
	 * as doubles, $0.30 after days of $0.10 was not $0.20 above them,
	 * 1% of a $20 limit. */
	br_pico days = (br_pico)(last - first),
		excess = days * st->recent[last] - total; /* (day - mean) n */
	if (!(day > mean + ANOMALY_SIGMAS * sd &&
	      2 * days * st->recent[last] > 3 * total && /* day > 1.5 mean */
	      100 * excess >= days * st->b->limit))
		return false;
	a->mean = mean;
	a->sd = sd;
	a->day_spend = st->recent[last];
	return true;
}

void alerts_due(const struct report *r, struct ledger *l,
		char *const *const *to, const size_t *nto, struct alert **out,
		size_t *n, struct ledger_entry ***rearm, size_t *nrearm)
{
	size_t cap = 0;
	*out = NULL;
	*n = 0;
	/* Each entry is re-armed at most once. */
	*rearm = br_calloc(l->n + 1, sizeof **rearm);
	*nrearm = 0;
	struct br_buf base = {0}, old = {0};
	char detail[32];
	for (size_t k = 0; k < r->nbudgets; k++) {
		const struct budget_status *st = &r->budgets[k];
		const struct budget *b = st->b;
		for (size_t t = 0; t < b->nthresholds; t++) {
			int pct = b->thresholds[t];
			if (br_pico_mul(st->spent, 100) < (br_pico)b->limit * pct)
				continue;
			snprintf(detail, sizeof detail, "|%d", pct);
			alert_keys(st, st->start, ALERT_ACTUAL, detail, &base, &old);
			struct alert *a = due_to(l, st, ALERT_ACTUAL, base.p, old.p,
						 to[k], nto[k], out, n, &cap);
			if (!a)
				continue;
			a->severity = pct >= 100 ? SEVERITY_CRITICAL
				      : pct >= 75 ? SEVERITY_WARNING : SEVERITY_INFO;
			a->threshold = pct;
			a->day = st->start;
		}
		if (b->forecast) {
			bool rearmed;
			unsigned seq = latest_forecast(l, st, &rearmed);
			/* The projection as shown, exactly: as a double it
			 * passed the limit and fell back on noise. */
			if (st->spent < b->limit && st->projected > b->limit) {
				/* A new crossing, or the current one to those
				 * who have not had it. */
				if (!seq || rearmed)
					seq++;
				snprintf(detail, sizeof detail, "|100|%u", seq);
				alert_keys(st, st->start, ALERT_FORECAST, detail,
					   &base, &old);
				struct alert *a = due_to(l, st, ALERT_FORECAST, base.p,
							 old.p, to[k], nto[k], out,
							 n, &cap);
				if (a) {
					a->severity = SEVERITY_WARNING;
					a->threshold = 100;
					a->seq = seq;
					a->day = st->start;
				}
			} else if (st->projected < b->limit && seq && !rearmed) {
				snprintf(detail, sizeof detail, "|100|%u", seq);
				alert_keys(st, st->start, ALERT_FORECAST, detail,
					   &base, &old);
				for (size_t i = 0; i < l->n; i++)
					if (entry_of(l->v[i].key, base.p, old.p))
						(*rearm)[(*nrearm)++] = &l->v[i];
			}
		}
		struct alert probe = {0};
		if (anomalous(st, &probe)) {
			int32_t day = r->q.as_of;
			alert_keys(st, day, ALERT_ANOMALY, "", &base, &old);
			struct alert *a = due_to(l, st, ALERT_ANOMALY, base.p, old.p,
						 to[k], nto[k], out, n, &cap);
			if (a) {
				a->mean = probe.mean;
				a->sd = probe.sd;
				a->day_spend = probe.day_spend;
				a->severity = SEVERITY_WARNING;
				a->day = day;
			}
		}
	}
	br_buf_free(&base);
	br_buf_free(&old);
}

void alerts_free(struct alert *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].key);
		for (size_t j = 0; j < v[i].nto; j++)
			free(v[i].to[j]);
		free(v[i].to);
	}
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

/* The limit as the budgets file gives it: money2, but with its
 * micro-dollars when it is not a whole number of cents (a limit of
 * $7.499998 read "$7.50" in the mail, above the spend it shows as
 * $7.499997 and 99.9% of it, while every report said 7.499998). */
static const char *limit2(br_pico v, char *buf)
{
	if (br_pico_round(v, PICO_PER_MICRO) % PICO_PER_CENT != 0)
		return br_money_format(v, buf);
	return money2(v, buf);
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
	limit2(b->limit, limit);
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
		/* Reached on the last day is not "before the period ends
		 * on" that day. A forecast alert is due only with days left
		 * (report.c finds the day within them), but a day unknown
		 * must not read as a date either. */
		if (st->runs_out == st->end)
			br_buf_printf(&detail, "At the current rate the limit is "
				      "reached on %s, the period's last day.", end);
		else if (st->runs_out == BR_DAY_NONE)
			br_buf_printf(&detail, "At the current rate the limit is "
				      "reached by the end of the period (%s).", end);
		else
			br_buf_printf(&detail, "At the current rate the limit is "
				      "reached on %s, before the period ends on %s.",
				      runs_out, end);
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
	/* Requests of the budget's scope without a price are $0 in its
	 * spend: said, not left for the reader to take as spend that is
	 * all there. */
	struct br_buf unpriced = {0};
	if (st->unpriced)
		br_buf_printf(&unpriced, "\nUnpriced    %llu request%s of this "
			      "period without a price, not in the spend above",
			      (unsigned long long)st->unpriced,
			      st->unpriced == 1 ? "" : "s");

	const char *names[] = {
		"severity", "severity_upper", "kind", "headline", "subject",
		"budget", "scope", "period", "period_start", "period_end",
		"limit_usd", "spent_usd", "utilization_pct", "as_of",
		"projected_usd", "low_usd", "high_usd", "runs_out", "threshold",
		"detail", "once", "version", "timezone", "color", "unpriced"};
	const char *values[] = {
		sev, sev_upper, kind_names[a->kind], headline.p, subject.p,
		name, scope, budget_period_name(b->period), start, end,
		limit, spent, util, as_of, proj, low, high, runs_out, threshold,
		detail.p, once.p, BR_VERSION, r->timezone,
		a->severity == SEVERITY_CRITICAL ? "#b00020"
		: a->severity == SEVERITY_WARNING ? "#b26a00" : "#1a5fb4",
		unpriced.p ? unpriced.p : ""};
	size_t nv = sizeof names / sizeof names[0];
	struct br_buf text = {0}, html = {0}, msgid = {0};
	template_render(TEMPLATE_ALERT_TXT, names, values, nv, &text);
	template_render(TEMPLATE_ALERT_HTML, names, values, nv, &html);
	const char *at = strrchr(from, '@');
	br_buf_printf(&msgid, "<%s.%s@%s>", a->msgid, kind_names[a->kind],
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
	br_buf_free(&unpriced);
	br_buf_free(&text);
	br_buf_free(&html);
	br_buf_free(&msgid);
}
