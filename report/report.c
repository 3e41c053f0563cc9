/* report.c - queries the store into grouped totals (one snapshot) and
 * parses the report options. */
#include <stdlib.h>
#include <string.h>

#include "report/report.h"

static const char *const key_names[REPORT_KEY_COUNT] = {
	"day", "week", "month", "provider", "model", "agent", "label"};

const char *report_key_name(enum report_key k)
{
	return (unsigned)k < REPORT_KEY_COUNT ? key_names[k] : "?";
}

/* The longest span whose every day is shown: a year and a month. */
#define DAILY_DENSE_MAX 400

bool report_daily_span(const struct report *r, int32_t *first, int32_t *last)
{
	const struct report_row *rows = r->breakdown[0].rows;
	size_t n = r->breakdown[0].nrows;
	if (n == 0 || br_day_parse(rows[0].key[0], first) != 0 ||
	    br_day_parse(rows[n - 1].key[0], last) != 0)
		return false;
	int32_t end = r->q.until != BR_DAY_NONE && r->q.until < r->q.as_of
			      ? r->q.until : r->q.as_of;
	if (end > *last && end - *last <= REPORT_DAILY_TRAILING_MAX)
		*last = end;
	return *last - *first < DAILY_DENSE_MAX;
}

bool report_daily_projected(const struct report *r)
{
	return r->q.until == r->q.as_of && r->q.as_of < r->month_end;
}

const struct red_totals *report_daily_totals(const struct report *r,
					     int32_t d, size_t *next)
{
	int32_t day;
	if (*next < r->breakdown[0].nrows &&
	    br_day_parse(r->breakdown[0].rows[*next].key[0], &day) == 0 &&
	    day == d)
		return &r->breakdown[0].rows[(*next)++].t;
	return NULL;
}

int report_format_parse(const char *s, enum report_format *out)
{
	static const char *const names[] = {"table", "csv", "json", "xlsx", "html",
					    "prom"};
	for (int i = 0; i < 6; i++)
		if (strcmp(s, names[i]) == 0) {
			*out = (enum report_format)i;
			return 0;
		}
	return -1;
}

int report_parse_keys(const char *list, struct report_query *q,
		      struct br_err *err)
{
	q->nkeys = 0;
	const char *p = list;
	if (!*list)
		return br_fail_status(err, BR_EXIT_USAGE, "empty --by list");
	for (;;) {
		size_t end = strcspn(p, ",");
		size_t skip = strspn(p, " \t");
		const char *name = p + (skip < end ? skip : end);
		size_t n = (size_t)(p + end - name);
		while (n && (name[n - 1] == ' ' || name[n - 1] == '\t'))
			n--;
		int k = 0;
		for (; k < REPORT_KEY_COUNT; k++)
			if (strlen(key_names[k]) == n &&
			    strncmp(name, key_names[k], n) == 0)
				break;
		if (k == REPORT_KEY_COUNT)
			return br_fail_status(err, BR_EXIT_USAGE,
					      "unknown group-by key '%.*s'; expected "
					      "day, week, month, provider, model, "
					      "agent or label", (int)n, name);
		for (size_t i = 0; i < q->nkeys; i++)
			if (q->keys[i] == (enum report_key)k)
				return br_fail_status(err, BR_EXIT_USAGE,
						      "group-by key '%s' given twice",
						      key_names[k]);
		q->keys[q->nkeys++] = (enum report_key)k;
		if (!p[end])
			break;
		p += end + 1;
	}
	return 0;
}

static int parse_date_option(const char *opt, const char *v, int32_t *day,
			     struct br_err *err)
{
	char why[BR_DAY_WHY_BUFSZ];
	if (br_day_parse_why(v, day, why) != 0)
		return br_fail_status(err, BR_EXIT_USAGE, "invalid %s '%s': %s",
				      opt, v, why);
	return 0;
}

int report_parse_period(struct report_query *q, const char *since,
			const char *until, const char *month,
			const char *as_of, int32_t today, struct br_err *err)
{
	q->since = q->until = BR_DAY_NONE;
	q->as_of = today;
	if (as_of && parse_date_option("--as-of", as_of, &q->as_of, err) != 0)
		return -1;
	if (month) {
		if (since || until)
			return br_fail_status(err, BR_EXIT_USAGE,
					      "--month excludes --since and --until");
		char first[16], why[BR_DAY_WHY_BUFSZ];
		int32_t day;
		int rc = strlen(month) != 7 ? -1 :
			 (snprintf(first, sizeof first, "%s-01", month),
			  br_day_parse_why(first, &day, why));
		if (rc != 0)
			return br_fail_status(err, BR_EXIT_USAGE,
					      "invalid --month '%s': %s", month,
					      rc == -1 ? "expected YYYY-MM" : why);
		q->since = day;
		q->until = day + br_day_month_length(day) - 1;
	}
	if (since && parse_date_option("--since", since, &q->since, err) != 0)
		return -1;
	if (until && parse_date_option("--until", until, &q->until, err) != 0)
		return -1;
	if (q->until == BR_DAY_NONE || q->until > q->as_of)
		q->until = q->as_of;
	if (q->since != BR_DAY_NONE && q->since > q->until)
		return br_fail_status(err, BR_EXIT_USAGE,
				      "the period is empty: it starts after it ends "
				      "(or after --as-of)");
	return 0;
}

/* ------------------------------------------------------------------ query */

const enum report_key report_breakdown_keys[REPORT_BREAKDOWNS] = {
	REPORT_DAY, REPORT_PROVIDER, REPORT_MODEL, REPORT_AGENT};

#define DAY_SLOTS 1024

/* Interned date key values, memoised by day (formatting a date costs more
 * than looking it up). */
struct value_cache {
	int32_t day[3][DAY_SLOTS];
	uint32_t day_id[3][DAY_SLOTS]; /* the value's id + 1; 0: empty */
};

struct builder {
	struct report *r;
	struct value_cache vc;
	uint32_t *bd_row[REPORT_BREAKDOWNS]; /* value id -> breakdown row + 1 */
	size_t bd_rcap[REPORT_BREAKDOWNS];
	size_t bd_cap[REPORT_BREAKDOWNS];
	const char *last_pricing;  /* the pricing string interned last */
	struct br_dict *groups;   /* joined key values -> row index */
	struct br_dict *unpriced; /* "provider\0model" -> unpriced index */
	struct br_dict *priced_with; /* catalog identities seen */
	/* Days and models (a 4-byte day, then the model) of OpenAI's Costs
	 * API lines (rows of money without requests) and of OpenAI requests:
	 * the same spend, when both are counted (billed_twice). */
	struct br_dict *openai_lines, *openai_requests;
	struct br_pricer *pricer; /* re-pricing, or NULL */
	size_t cap, ucap;
	struct br_buf key;
	struct br_buf name; /* a name repaired by br_utf8_repair */
	struct br_err *err;
};

/* A name from the store as every report shows it: its bytes that are not
 * UTF-8 as U+FFFD (b->name then holds it), so that names that differ only
 * by such bytes are one group, in every format. *n gets its length. */
static const char *repaired_name(struct br_buf *buf, const char *v, size_t *n)
{
	const unsigned char *p = (const unsigned char *)v;
	while (*p && *p < 0x80) /* most names are ASCII: skipped inline */
		p++;
	size_t rest = strlen((const char *)p), len;
	*n = (size_t)(p - (const unsigned char *)v) + rest;
	for (; rest > 0; p += len, rest -= len)
		if (!(len = br_utf8_len(p, rest))) {
			br_utf8_repair(buf, v);
			*n = buf->len;
			return buf->p;
		}
	return v;
}

static const char *shown_name(struct builder *b, const char *v, size_t *n)
{
	return repaired_name(&b->name, v, n);
}

/* Returns the value of key k for row: a day, week or month formatted into
 * buf (at least 64 bytes), or one of the row's strings. */
static const char *key_value(enum report_key k, const struct store_row *row,
			     char *buf)
{
	switch (k) {
	case REPORT_DAY:
		br_day_format(row->day, buf);
		return buf;
	case REPORT_WEEK:
		br_week_format(row->day, buf);
		return buf;
	case REPORT_MONTH:
		br_month_format(row->day, buf);
		return buf;
	case REPORT_PROVIDER:
		return row->provider;
	case REPORT_MODEL:
		return row->model;
	case REPORT_AGENT:
		return row->agent;
	case REPORT_LABEL:
		return row->label;
	case REPORT_KEY_COUNT:
		break;
	}
	return "";
}

/* The id in r->values of key k's value for row. */
static uint32_t value_id(struct builder *b, enum report_key k,
			 const struct store_row *row)
{
	struct value_cache *c = &b->vc;
	char buf[64];
	if (k <= REPORT_MONTH) {
		size_t slot = (size_t)row->day & (DAY_SLOTS - 1);
		if (c->day_id[k][slot] && c->day[k][slot] == row->day)
			return c->day_id[k][slot] - 1;
		const char *v = key_value(k, row, buf);
		uint32_t id = br_dict_intern(b->r->values, v, strlen(v));
		c->day[k][slot] = row->day;
		c->day_id[k][slot] = id + 1;
		return id;
	}
	size_t n;
	const char *v = shown_name(b, key_value(k, row, buf), &n);
	return br_dict_intern(b->r->values, v, n);
}

static void add_unpriced(struct builder *b, const struct store_row *row)
{
	struct report *r = b->r;
	size_t n;
	char *provider = br_strdup(shown_name(b, row->provider, &n));
	const char *model = shown_name(b, row->model, &n);
	br_buf_reset(&b->key);
	br_buf_puts(&b->key, provider);
	br_buf_putc(&b->key, 0);
	br_buf_puts(&b->key, model);
	uint32_t id = br_dict_intern(b->unpriced, b->key.p, b->key.len);
	if (id == r->nunpriced) {
		if (r->nunpriced == b->ucap) {
			b->ucap = b->ucap ? b->ucap * 2 : 16;
			r->unpriced = br_realloc(r->unpriced, b->ucap * sizeof *r->unpriced);
		}
		r->unpriced[r->nunpriced++] = (struct report_unpriced){
			provider, br_strdup(model), 0};
		provider = NULL;
	}
	free(provider);
	r->unpriced[id].requests += row->t.unpriced;
}

/* Adds row to breakdown k of the report. */
static void add_breakdown(struct builder *b, int k, const struct store_row *row)
{
	struct report *r = b->r;
	uint32_t vid = value_id(b, report_breakdown_keys[k], row);
	if (vid >= b->bd_rcap[k]) {
		size_t cap = b->bd_rcap[k] ? b->bd_rcap[k] : 64;
		while (cap <= vid)
			cap *= 2;
		b->bd_row[k] = br_realloc(b->bd_row[k], cap * sizeof *b->bd_row[k]);
		memset(b->bd_row[k] + b->bd_rcap[k], 0,
		       (cap - b->bd_rcap[k]) * sizeof *b->bd_row[k]);
		b->bd_rcap[k] = cap;
	}
	if (!b->bd_row[k][vid]) {
		size_t n = r->breakdown[k].nrows;
		if (n == b->bd_cap[k]) {
			b->bd_cap[k] = b->bd_cap[k] ? b->bd_cap[k] * 2 : 16;
			r->breakdown[k].rows = br_realloc(
				r->breakdown[k].rows,
				b->bd_cap[k] * sizeof *r->breakdown[k].rows);
		}
		struct report_row *nr = &r->breakdown[k].rows[n];
		memset(nr, 0, sizeof *nr);
		nr->key[0] = br_dict_str(r->values, vid, NULL);
		r->breakdown[k].nrows = n + 1;
		b->bd_row[k][vid] = (uint32_t)n + 1;
	}
	red_totals_add(&r->breakdown[k].rows[b->bd_row[k][vid] - 1].t, &row->t);
}

/* Fails when one of row's token sums is saturated (red_count_saturated):
 * its true count is unknown, and a cost re-priced from it would be
 * silently too low (the stored cost, priced a record at a time at
 * ingest, is exact). */
static int refuse_saturated(struct builder *b, const struct store_row *row)
{
	const struct br_tokens *t = &row->t.tokens;
	static const char *const names[] = {"input", "output", "cache read",
					    "cache write", "cache write 1h",
					    "reasoning"};
	const uint64_t counts[] = {t->input, t->output, t->cache_read,
				   t->cache_write, t->cache_write_1h,
				   t->reasoning};
	for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
		if (!red_count_saturated(counts[i]))
			continue;
		char *pv = br_printable(row->provider), *md = br_printable(row->model);
		char day[11];
		br_day_format(row->day, day);
		br_fail(b->err, "cannot re-price %.80s/%.80s of %s: its %s "
			"tokens reached %llu (2^64 - 1), where the store's sums "
			"saturate, so their true count is unknown; report "
			"without --reprice (its cost, priced a record at a time, "
			"is exact), or ingest those logs again with the new "
			"prices", pv, md, day, names[i],
			(unsigned long long)UINT64_MAX);
		free(pv);
		free(md);
		return -1;
	}
	return 0;
}

/* Prices the stored totals of row again with the builder's pricer, as
 * the catalog's cost (cost source CATALOG); failed requests of a FAILED
 * cost source that the new prices do not price take their logged cost,
 * as a fresh ingest gives them (cost source LOG). */
static int reprice(struct builder *b, struct store_row *row)
{
	uint64_t stored_unpriced = row->t.unpriced;
	if (refuse_saturated(b, row) != 0)
		return -1;
	struct br_str provider = {row->provider, strlen(row->provider)};
	struct br_str model = {row->model, strlen(row->model)};
	const struct br_model *m = br_pricer_model(b->pricer, provider, model);
	enum br_unpriced why = BR_UNPRICED_UNKNOWN_MODEL;
	const struct br_price *p = m ? br_model_price(m, row->price_day, row->tier,
						      row->band_lo, row->band_hi,
						      &why)
				     : NULL;
	if (!p && why == BR_UNPRICED_SPLIT_BAND) {
		/* names from the logs, fit for a terminal */
		char *pv = br_printable(row->provider), *md = br_printable(row->model);
		/* The band [band_lo, band_hi): the last one has no end, and
		 * a model without thresholds has one band, all of them. */
		char band[64] = "";
		if (row->band_hi != UINT64_MAX)
			snprintf(band, sizeof band, " between %llu and %llu input "
				 "tokens", (unsigned long long)row->band_lo,
				 (unsigned long long)row->band_hi);
		else if (row->band_lo)
			snprintf(band, sizeof band, " of %llu input tokens or more",
				 (unsigned long long)row->band_lo);
		br_fail(b->err, "cannot re-price %.80s/%.80s: its new prices "
			"change at a long-context threshold%s, which the store "
			"did not record; ingest those logs again with the new "
			"prices instead", pv, md, band);
		free(pv);
		free(md);
		return -1;
	}
	row->t.calc_cost = p ? br_price_cost(&p->rates, &row->t.tokens) : 0;
	row->t.cost = row->t.calc_cost;
	row->pricing = br_catalog_identity(b->r->q.reprice);
	if (!p && br_cost_source_failed(row->cost_source)) {
		row->t.cost = row->t.logged_cost;
		row->t.unpriced = 0;
		row->cost_source = BR_COST_FROM_LOG;
		return 0;
	}
	row->cost_source = BR_COST_FROM_CATALOG;
	/* Requests without tokens cost nothing whatever the model, as at
	 * ingest: a row of them only is priced. A row ingest left unpriced
	 * keeps its count (its requests without tokens were priced; a store
	 * written before they had rows of their own may mix them in). */
	bool no_tokens = br_tokens_none(&row->t.tokens);
	row->t.unpriced = p || no_tokens ? 0
			  : stored_unpriced ? stored_unpriced
					    : row->t.requests;
	return 0;
}

/* Tells whether --reprice prices row again: a catalog's cost, a FAILED
 * cost source's (the catalog's or the logged one, as the new prices
 * decide), or a logged $0 for tokens that an earlier ingest took as the
 * log's cost because its catalog too said $0 (br_pricer_price now takes
 * it as the catalog's). Logged costs are never negative for tokens, so a
 * row of them summing to $0 is all such requests; new prices price them
 * as a fresh ingest would. */
static bool repriced(const struct store_row *row)
{
	if (row->cost_source == BR_COST_FROM_CATALOG ||
	    br_cost_source_failed(row->cost_source))
		return true;
	return row->cost_source == BR_COST_FROM_LOG && row->t.logged_cost == 0 &&
	       row->t.cost == 0 && !row->t.unpriced &&
	       !br_tokens_none(&row->t.tokens);
}

static int collect(void *ctx, const struct store_row *stored)
{
	struct builder *b = ctx;
	struct report *r = b->r;
	struct store_row repriced_row, *row = &repriced_row;
	repriced_row = *stored;
	if (b->pricer && repriced(row)) {
		if (reprice(b, row) != 0)
			return -1;
	} else if (b->pricer && row->cost_source == BR_COST_FROM_LOG &&
		   r->q.compare_costs) {
		/* A logged cost stays, but the catalog's cost beside it is
		 * the new catalog's too, as a fresh ingest with those prices
		 * would give. */
		struct store_row what_if = *row;
		if (reprice(b, &what_if) != 0)
			return -1;
		row->t.calc_cost = what_if.t.calc_cost;
	}
	if ((row->cost_source == BR_COST_FROM_CATALOG ||
	     row->cost_source == BR_COST_FROM_CATALOG_FAILED) &&
	    row->pricing != b->last_pricing) {
		br_dict_intern(b->priced_with, row->pricing, strlen(row->pricing));
		b->last_pricing = row->pricing;
	}
	uint32_t ids[REPORT_KEY_COUNT];
	/* The group is identified by the ids of its key values. */
	for (size_t i = 0; i < r->q.nkeys; i++)
		ids[i] = value_id(b, r->q.keys[i], row);
	uint32_t id = br_dict_intern(b->groups, (const char *)ids,
				     r->q.nkeys * sizeof ids[0]);
	if (id == r->nrows) {
		if (r->nrows == b->cap) {
			b->cap = b->cap ? b->cap * 2 : 64;
			r->rows = br_realloc(r->rows, b->cap * sizeof *r->rows);
		}
		struct report_row *nr = &r->rows[r->nrows++];
		memset(nr, 0, sizeof *nr);
		for (size_t i = 0; i < r->q.nkeys; i++)
			nr->key[i] = br_dict_str(r->values, ids[i], NULL);
	}
	red_totals_add(&r->rows[id].t, &row->t);
	red_totals_add(&r->totals, &row->t);
	r->rows[id].actual_cost = br_pico_add(r->rows[id].actual_cost,
					      stored->t.cost);
	r->actual_total = br_pico_add(r->actual_total, stored->t.cost);
	for (int k = 0; r->q.breakdowns && k < REPORT_BREAKDOWNS; k++)
		add_breakdown(b, k, row);
	if (r->first_day == BR_DAY_NONE || row->day < r->first_day)
		r->first_day = row->day;
	if (r->last_day == BR_DAY_NONE || row->day > r->last_day)
		r->last_day = row->day;
	if (row->t.unpriced)
		add_unpriced(b, row);
	if (strcmp(row->provider, "openai") == 0 &&
	    (row->t.requests || row->t.logged_cost)) {
		br_buf_reset(&b->key);
		memcpy(br_buf_append(&b->key, sizeof row->day), &row->day,
		       sizeof row->day);
		br_buf_puts(&b->key, row->model);
		br_dict_intern(row->t.requests ? b->openai_requests
					       : b->openai_lines,
			       b->key.p, b->key.len);
	}
	return 0;
}

/* --------------------------------------------------------------- series */

/* Daily spend over the window the projections learn from, overall and per
 * budget: days window_first..as_of. */
#define SERIES_DAYS 63

struct series {
	struct builder *b;
	int32_t window_first;
	/* The first day of the window with data, or NONE; its first day
	 * when the store has data before it. */
	int32_t first_seen;
	/* The provider of the row before, which rows mostly repeat, and its
	 * canonical form. */
	char provider[128];
	struct br_buf canon;
	/* A row's provider, model, agent and label as the report groups
	 * them (shown_name), which budgets are matched against. */
	struct br_buf shown[4];
	br_pico total[SERIES_DAYS];
	br_pico *budget;                 /* nbudgets x SERIES_DAYS */
	uint64_t *budget_unpriced;       /* its requests without a price */
};

static int collect_series(void *ctx, const struct store_row *stored)
{
	struct series *sr = ctx;
	struct store_row row = *stored;
	if (sr->b->pricer && repriced(&row) && reprice(sr->b, &row) != 0)
		return -1;
	if (row.day > sr->b->r->q.as_of || row.day < sr->window_first)
		return 0;
	size_t i = (size_t)(row.day - sr->window_first);
	sr->total[i] = br_pico_add(sr->total[i], row.t.cost);
	if (sr->first_seen == BR_DAY_NONE || row.day < sr->first_seen)
		sr->first_seen = row.day;
	const struct report_query *q = &sr->b->r->q;
	size_t n = strlen(row.provider);
	if (!q->nbudgets)
		return 0;
	if (n >= sizeof sr->provider ||
	    memcmp(row.provider, sr->provider, n + 1) != 0) {
		/* Budgets see the names the report shows: a scope on a
		 * row's name counts all the names that row merges, those
		 * that differ only by bytes that are not UTF-8 (U+FFFD). */
		size_t len;
		const char *pv = repaired_name(&sr->shown[0], row.provider, &len);
		br_provider_canonical_buf((struct br_str){pv, len}, &sr->canon);
		if (n < sizeof sr->provider)
			memcpy(sr->provider, row.provider, n + 1);
	}
	size_t len;
	const char *model = repaired_name(&sr->shown[1], row.model, &len),
		   *agent = repaired_name(&sr->shown[2], row.agent, &len),
		   *label = repaired_name(&sr->shown[3], row.label, &len);
	for (size_t k = 0; k < q->nbudgets; k++)
		if (budget_matches(&q->budgets[k],
				   sr->canon.p ? sr->canon.p : "", model, agent,
				   label)) {
			sr->budget[k * SERIES_DAYS + i] =
				br_pico_add(sr->budget[k * SERIES_DAYS + i],
					    row.t.cost);
			sr->budget_unpriced[k * SERIES_DAYS + i] += row.t.unpriced;
		}
	return 0;
}

static double usd(br_pico v)
{
	return (double)v / (double)BR_PICO_PER_USD;
}

/* Projects a daily series over [start, end] from what is known up to
 * as_of; *spent gets the exact spend of start..as_of. */
static void project(const struct series *sr, const br_pico *daily,
		    int32_t start, int32_t end, br_pico *spent,
		    struct forecast *f)
{
	int32_t as_of = sr->b->r->q.as_of;
	int32_t first = sr->first_seen == BR_DAY_NONE ? as_of : sr->first_seen;
	if (first > start && start >= sr->window_first)
		first = start; /* the period's days before any data were zero */
	if (first < sr->window_first)
		first = sr->window_first;
	size_t n = (size_t)(as_of - first + 1);
	double v[SERIES_DAYS];
	*spent = 0;
	for (size_t i = 0; i < n; i++) {
		int32_t d = first + (int32_t)i;
		br_pico p = daily[d - sr->window_first];
		v[i] = usd(p);
		if (d >= start && d <= end)
			*spent = br_pico_add(*spent, p);
	}
	forecast_period(v, n, first, start, end, f);
	f->spent = *spent;
}

br_pico forecast_pico(const struct forecast *f, double v)
{
	return br_pico_add(f->spent, br_money_estimate(v - f->actual));
}

char *forecast_format(const struct forecast *f, double v, char *buf)
{
	return br_money_format(forecast_pico(f, v), buf);
}

/* spent / limit (limit > 0) in units of 1e-8, rounded down (toward minus
 * infinity: spend can be negative, e.g. refunds the logs report). In
 * integers, so that rounding down is exact: as a double, $29 of $100 is
 * 28.999999999999996%, which would round down to 28.99. */
static int64_t utilization(br_pico spent, br_pico limit)
{
	br_pico scaled = br_pico_mul(spent, 100000000), q = scaled / limit;
	if (scaled % limit != 0 && scaled < 0)
		q--;
	return q > INT64_MAX ? INT64_MAX : q < INT64_MIN ? INT64_MIN : (int64_t)q;
}

char *budget_utilization_format(const struct budget_status *st, bool percent,
				int decimals, char *buf)
{
	/* 1e-8 of the ratio is 10^-6 of a percent: two digits more than
	 * the most shown, so that rounding to nearest is exact (in
	 * millionths, a ratio of 2/3 shown with 6 decimals would be rounded
	 * down to 0.666666). */
	int64_t unit = 1, scale = 1;
	for (int i = (percent ? 6 : 8) - decimals; i > 0; i--)
		unit *= 10;
	for (int i = 0; i < decimals; i++)
		scale *= 10;
	/* To nearest, half away from zero... */
	int64_t u = st->utilization, q = u / unit, rem = u % unit;
	if (2 * (rem < 0 ? -rem : rem) >= unit)
		q += u < 0 ? -1 : 1;
	/* ... but not up to a status's percent (75, 90, 100) that spent has
	 * not reached: $9.999999 of $10 is not shown as 100%. */
	static const int64_t bounds[] = {75000000, 90000000, 100000000};
	for (size_t i = 0; i < sizeof bounds / sizeof bounds[0]; i++)
		if (bounds[i] % unit == 0 && u < bounds[i] && q >= bounds[i] / unit)
			q = bounds[i] / unit - 1;
	uint64_t m = q < 0 ? 0 - (uint64_t)q : (uint64_t)q;
	int n = snprintf(buf, BUDGET_UTIL_BUFSZ, "%s%llu", q < 0 ? "-" : "",
			 (unsigned long long)(m / (uint64_t)scale));
	if (decimals)
		snprintf(buf + n, BUDGET_UTIL_BUFSZ - (size_t)n, ".%0*llu", decimals,
			 (unsigned long long)(m % (uint64_t)scale));
	return buf;
}

br_pico budget_amount_shown(const struct budget_status *st, br_pico v)
{
	/* Positive here: its micro-dollars reach a positive limit. */
	if (v < st->b->limit && br_pico_round(v, 1000000) >= st->b->limit)
		return v - v % 1000000;
	return v;
}

static void evaluate_budget(const struct series *sr, size_t k,
			    struct budget_status *st)
{
	const struct budget *b = &sr->b->r->q.budgets[k];
	int32_t as_of = sr->b->r->q.as_of;
	st->b = b;
	budget_period_range(b->period, as_of, &st->start, &st->end);
	const br_pico *daily = sr->budget + k * SERIES_DAYS;
	project(sr, daily, st->start, st->end, &st->spent, &st->f);
	int32_t known_from = sr->first_seen == BR_DAY_NONE ? as_of + 1
							   : sr->first_seen;
	st->recent_unknown = 0;
	for (size_t i = 0; i < BUDGET_RECENT_DAYS; i++) {
		int32_t d = as_of - (int32_t)(BUDGET_RECENT_DAYS - 1 - i);
		st->recent[i] = daily[d - sr->window_first];
		st->recent_unknown += d < known_from;
	}
	st->unpriced = 0;
	for (int32_t d = st->start; d <= as_of; d++)
		if (d >= sr->window_first)
			st->unpriced += sr->budget_unpriced[k * SERIES_DAYS +
							    (size_t)(d - sr->window_first)];
	st->utilization = utilization(st->spent, b->limit);
	st->crossed = 0;
	for (size_t t = 0; t < b->nthresholds; t++)
		if (br_pico_mul(st->spent, 100) >= b->limit * b->thresholds[t] &&
		    b->thresholds[t] > st->crossed)
			st->crossed = b->thresholds[t];
	/* The status goes by utilization, whatever thresholds the budget
	 * alerts at. A projection passes the limit when the amount every
	 * format shows is above it: compared as a double, $10 a day over a
	 * 30-day month was 300 plus or minus 1e-13 from one day to the
	 * next, and a $300 budget went critical and back, showing 300.0. */
	st->projected = forecast_pico(&st->f, st->f.projected);
	bool over_projected = b->forecast && st->projected > b->limit;
	br_pico spent100 = br_pico_mul(st->spent, 100);
	st->status = st->spent >= b->limit ? "exceeded"
		     : spent100 >= b->limit * 90 || over_projected ? "critical"
		     : spent100 >= b->limit * 75 ? "warning" : "ok";
	/* The day the limit is (or was) reached. */
	st->runs_out = BR_DAY_NONE;
	br_pico run = 0;
	for (int32_t d = st->start; d <= as_of; d++) {
		if (d >= sr->window_first)
			run = br_pico_add(run, daily[d - sr->window_first]);
		if (run >= b->limit) {
			st->runs_out = d;
			return;
		}
	}
	/* The day spend reaches the limit at the projected daily rate (the
	 * projection of the days left, as shown, over their number): the
	 * first day ahead with spent + day x rest / left >= limit, in
	 * integers. As doubles, 90 / (150 / 15) came out a hair above 9
	 * some days and its ceiling a day late. Only within the period:
	 * the limit starts afresh after it. */
	int32_t left = st->end - as_of;
	br_pico rest = st->projected - st->spent;
	if (left > 0 && rest > 0) {
		br_pico need = br_pico_mul(b->limit - st->spent, left);
		br_pico day = need / rest + (need % rest != 0);
		if (day <= left)
			st->runs_out = as_of + (int32_t)day;
	}
}

/* Stops a scan at its first row (1). */
static int any_row(void *ctx, const struct store_row *row)
{
	(void)ctx;
	(void)row;
	return 1;
}

/* The projection of the month of as_of and the state of every budget. */
static int outlook(struct builder *b, struct store *s, struct br_err *err)
{
	struct report *r = b->r;
	struct series *sr = br_calloc(1, sizeof *sr);
	sr->b = b;
	sr->window_first = r->q.as_of - SERIES_DAYS + 1;
	sr->first_seen = BR_DAY_NONE;
	sr->budget = br_calloc(r->q.nbudgets * SERIES_DAYS + 1, sizeof *sr->budget);
	sr->budget_unpriced = br_calloc(r->q.nbudgets * SERIES_DAYS + 1,
					sizeof *sr->budget_unpriced);
	struct store_query sq = {sr->window_first, r->q.as_of, r->q.source};
	int rc = store_scan(s, &sq, collect_series, sr, err);
	if (rc == 0 && sr->first_seen != sr->window_first) {
		/* The window's first days without data are zero days, not
		 * unknown ones, if the store has data before them: after a
		 * quiet eight weeks, the 14 days of an anomaly's history were
		 * all unknown and no anomaly was ever found. */
		struct store_query before = {BR_DAY_NONE, sr->window_first - 1,
					     r->q.source};
		rc = store_scan(s, &before, any_row, NULL, err);
		if (rc == 1)
			sr->first_seen = sr->window_first;
		rc = rc < 0 ? rc : 0;
	}
	if (rc == 0) {
		budget_period_range(BUDGET_MONTHLY, r->q.as_of, &r->month_start,
				    &r->month_end);
		project(sr, sr->total, r->month_start, r->month_end,
			&r->month_to_date, &r->projection);
		r->budgets = br_calloc(r->q.nbudgets + 1, sizeof *r->budgets);
		r->nbudgets = r->q.nbudgets;
		for (size_t k = 0; k < r->q.nbudgets; k++)
			evaluate_budget(sr, k, &r->budgets[k]);
	}
	free(sr->budget);
	free(sr->budget_unpriced);
	for (size_t i = 0; i < 4; i++)
		br_buf_free(&sr->shown[i]);
	br_buf_free(&sr->canon);
	free(sr);
	return rc;
}

static int row_cmp(const void *a, const void *b, void *ctx)
{
	const struct report_row *x = a, *y = b;
	size_t nkeys = *(const size_t *)ctx;
	for (size_t i = 0; i < nkeys; i++) {
		int c = x->key[i] == y->key[i] ? 0 : strcmp(x->key[i], y->key[i]);
		if (c)
			return c;
	}
	return 0;
}

/* Highest cost first, then by name. */
static int cost_desc(const void *a, const void *b)
{
	const struct report_row *x = a, *y = b;
	if (x->t.cost != y->t.cost)
		return x->t.cost > y->t.cost ? -1 : 1;
	return strcmp(x->key[0], y->key[0]);
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Fills r->billed_twice with the days and models that have both OpenAI
 * Costs API lines and OpenAI requests, sorted. */
static void find_billed_twice(struct builder *b)
{
	struct report *r = b->r;
	uint32_t n = br_dict_count(b->openai_lines);
	for (uint32_t i = 0; i < n; i++) {
		size_t len;
		const char *k = br_dict_str(b->openai_lines, i, &len);
		if (br_dict_find(b->openai_requests, k, len) < 0)
			continue;
		int32_t day;
		memcpy(&day, k, sizeof day);
		char date[11];
		br_day_format(day, date);
		struct br_buf text = {0};
		br_buf_printf(&text, "%s %.*s", date, (int)(len - sizeof day),
			      k + sizeof day);
		r->billed_twice = br_realloc(r->billed_twice, (r->nbilled_twice + 1) *
							     sizeof *r->billed_twice);
		r->billed_twice[r->nbilled_twice++] = text.p;
	}
	if (r->nbilled_twice)
		qsort(r->billed_twice, r->nbilled_twice, sizeof *r->billed_twice,
		      str_cmp);
}

/* The length of the first catalog of identity s[0..n) (br_catalog_identity:
 * "WHAT sha256:HEX" joined by "; "): up to the first " sha256:" and 64 hex
 * digits that end s or come before "; " (a path may hold "; "). n when
 * there is no such end. */
static size_t identity_part(const char *s, size_t n)
{
	static const char tag[] = " sha256:";
	const size_t tl = sizeof tag - 1, hl = 64;
	for (size_t p = 0; p + tl + hl <= n; p++) {
		if (memcmp(s + p, tag, tl) != 0)
			continue;
		size_t e = p + tl, h = 0;
		while (h < hl && s[e + h] && strchr("0123456789abcdef", s[e + h]))
			h++;
		e += hl;
		if (h == hl && (e == n || (e + 2 <= n && memcmp(s + e, "; ", 2) == 0)))
			return e;
	}
	return n;
}

/* Fills r->catalogs from r->priced_with (report.h). */
static void split_catalogs(struct report *r)
{
	struct br_dict *d = br_dict_new();
	for (int builtin = 1; builtin >= 0; builtin--)
		for (size_t i = 0; i < r->npriced_with; i++) {
			const char *s = r->priced_with[i];
			size_t n = strlen(s);
			while (n) {
				size_t k = identity_part(s, n);
				bool is_builtin = strncmp(s, "built-in ", 9) == 0;
				if (is_builtin == (builtin == 1))
					br_dict_intern(d, s, k);
				s += k, n -= k;
				if (n >= 2)
					s += 2, n -= 2;
			}
		}
	r->ncatalogs = br_dict_count(d);
	r->catalogs = br_calloc(r->ncatalogs + 1, sizeof *r->catalogs);
	for (size_t i = 0; i < r->ncatalogs; i++)
		r->catalogs[i] = br_strdup(br_dict_str(d, (uint32_t)i, NULL));
	br_dict_free(d);
}

static int unpriced_cmp(const void *a, const void *b)
{
	const struct report_unpriced *x = a, *y = b;
	int c = strcmp(x->provider, y->provider);
	return c ? c : strcmp(x->model, y->model);
}

struct report *report_run(struct store *s, const struct report_query *q,
			  struct br_err *err)
{
	struct report *r = br_calloc(1, sizeof *r);
	r->values = br_dict_new();
	r->q = *q;
	r->q.source = q->source ? br_strdup(q->source) : NULL;
	r->first_day = r->last_day = BR_DAY_NONE;
	snprintf(r->timezone, sizeof r->timezone, "%s", br_tz_name(store_tz(s)));
	struct builder b = {.r = r, .groups = br_dict_new(),
			    .unpriced = br_dict_new(),
			    .priced_with = br_dict_new(),
			    .openai_lines = br_dict_new(),
			    .openai_requests = br_dict_new(), .err = err};
	if (q->reprice)
		b.pricer = br_pricer_new(q->reprice, BR_COST_CALCULATE);
	struct store_query sq = {q->since, q->until, q->source};
	int rc = store_scan(s, &sq, collect, &b, err);
	if (rc == 0)
		rc = outlook(&b, s, err);
	r->npriced_with = br_dict_count(b.priced_with);
	r->priced_with = br_calloc(r->npriced_with + 1, sizeof *r->priced_with);
	for (size_t i = 0; i < r->npriced_with; i++)
		r->priced_with[i] = br_strdup(br_dict_str(b.priced_with, (uint32_t)i, NULL));
	qsort(r->priced_with, r->npriced_with, sizeof *r->priced_with, str_cmp);
	split_catalogs(r);
	find_billed_twice(&b);
	br_dict_free(b.openai_lines);
	br_dict_free(b.openai_requests);
	br_dict_free(b.groups);
	br_dict_free(b.unpriced);
	for (int k = 0; k < REPORT_BREAKDOWNS; k++)
		free(b.bd_row[k]);
	br_dict_free(b.priced_with);
	br_pricer_free(b.pricer);
	br_buf_free(&b.key);
	br_buf_free(&b.name);
	if (rc != 0) {
		report_free(r);
		return NULL;
	}
	const char *path, *problem;
	for (size_t i = 0; (path = store_skipped(s, i, &problem)); i++) {
		r->skipped = br_realloc(r->skipped, (i + 1) * 2 * sizeof *r->skipped);
		r->skipped[2 * i] = br_strdup(path);
		r->skipped[2 * i + 1] = br_strdup(problem);
		r->nskipped = i + 1;
	}
	if (r->nrows)
		qsort_r(r->rows, r->nrows, sizeof *r->rows, row_cmp, &r->q.nkeys);
	for (int k = 0; k < REPORT_BREAKDOWNS; k++) {
		r->breakdown[k].key = report_breakdown_keys[k];
		size_t one = 1;
		if (!r->breakdown[k].nrows)
			continue;
		if (r->breakdown[k].key == REPORT_DAY)
			qsort_r(r->breakdown[k].rows, r->breakdown[k].nrows,
				sizeof *r->rows, row_cmp, &one);
		else
			qsort(r->breakdown[k].rows, r->breakdown[k].nrows,
			      sizeof *r->rows, cost_desc);
	}
	if (r->nunpriced)
		qsort(r->unpriced, r->nunpriced, sizeof *r->unpriced, unpriced_cmp);
	return r;
}

int32_t report_since(const struct report *r)
{
	return r->q.since != BR_DAY_NONE ? r->q.since
	       : r->first_day != BR_DAY_NONE ? r->first_day
					     : r->q.until;
}

void report_free(struct report *r)
{
	if (!r)
		return;
	br_dict_free(r->values);
	free(r->rows);
	for (size_t i = 0; i < r->nunpriced; i++) {
		free(r->unpriced[i].provider);
		free(r->unpriced[i].model);
	}
	free(r->unpriced);
	for (size_t i = 0; i < r->nbilled_twice; i++)
		free(r->billed_twice[i]);
	free(r->billed_twice);
	for (size_t i = 0; i < 2 * r->nskipped; i++)
		free(r->skipped[i]);
	free(r->skipped);
	for (size_t i = 0; i < r->npriced_with; i++)
		free(r->priced_with[i]);
	free(r->priced_with);
	for (size_t i = 0; i < r->ncatalogs; i++)
		free(r->catalogs[i]);
	free(r->catalogs);
	free(r->budgets);
	for (int k = 0; k < REPORT_BREAKDOWNS; k++)
		free(r->breakdown[k].rows);
	free((char *)r->q.source);
	free(r);
}
