/* catalog.c - model prices: the catalog, prices CSV files, exact cost and
 * pricing of usage events. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/core.h"

/* All prices of one (provider, model), sorted by (tier, from_day,
 * min_input_tokens). */
struct model_prices {
	char *provider, *model; /* provider "" matches any provider */
	struct br_price *prices;
	size_t n, cap;
};

struct br_catalog {
	struct br_dict *keys; /* "provider\0model" -> index into models */
	struct model_prices *models;
	size_t nmodels, cap;
};

static const char *const tier_names[BR_TIER_COUNT] = {
	[BR_TIER_STANDARD] = "standard",
	[BR_TIER_BATCH] = "batch",
	[BR_TIER_FLEX] = "flex",
	[BR_TIER_PRIORITY] = "priority",
};

const char *br_tier_name(enum br_tier t)
{
	return (unsigned)t < BR_TIER_COUNT ? tier_names[t] : "unknown";
}

int br_tier_parse(const char *s, size_t n)
{
	static const struct {
		const char *name;
		enum br_tier tier;
	} names[] = {
		{"standard", BR_TIER_STANDARD}, {"default", BR_TIER_STANDARD},
		{"auto", BR_TIER_STANDARD},     {"on_demand", BR_TIER_STANDARD},
		{"batch", BR_TIER_BATCH},       {"flex", BR_TIER_FLEX},
		{"priority", BR_TIER_PRIORITY},
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strlen(names[i].name) == n &&
		    strncasecmp(names[i].name, s, n) == 0)
			return (int)names[i].tier;
	return -1;
}

int br_cost_mode_parse(const char *s, enum br_cost_mode *out)
{
	if (strcmp(s, "auto") == 0)
		*out = BR_COST_AUTO;
	else if (strcmp(s, "calculate") == 0)
		*out = BR_COST_CALCULATE;
	else if (strcmp(s, "display") == 0)
		*out = BR_COST_DISPLAY;
	else
		return -1;
	return 0;
}

const char *br_unpriced_reason(enum br_unpriced why)
{
	switch (why) {
	case BR_PRICED:
		return "priced";
	case BR_UNPRICED_UNKNOWN_MODEL:
		return "unknown model";
	case BR_UNPRICED_NO_PRICE_ON_DAY:
		return "no price in force on that day";
	case BR_UNPRICED_NO_TIER:
		return "no price for the service tier";
	}
	return "unpriced";
}

br_pico br_price_cost(const struct br_rates *r, const struct br_tokens *t)
{
	int64_t cache_read = r->cache_read == BR_RATE_UNSET ? r->input : r->cache_read;
	int64_t cache_write = r->cache_write == BR_RATE_UNSET ? r->input : r->cache_write;
	int64_t cache_write_1h = r->cache_write_1h == BR_RATE_UNSET ? cache_write
								      : r->cache_write_1h;
	int64_t reasoning_rate = r->reasoning == BR_RATE_UNSET ? r->output : r->reasoning;
	uint64_t reasoning = t->reasoning < t->output ? t->reasoning : t->output;
	return (br_pico)t->input * r->input +
	       (br_pico)(t->output - reasoning) * r->output +
	       (br_pico)reasoning * reasoning_rate +
	       (br_pico)t->cache_read * cache_read +
	       (br_pico)t->cache_write * cache_write +
	       (br_pico)t->cache_write_1h * cache_write_1h;
}

struct br_catalog *br_catalog_new(void)
{
	struct br_catalog *c = br_calloc(1, sizeof *c);
	c->keys = br_dict_new();
	return c;
}

static void model_prices_free(struct model_prices *m)
{
	free(m->provider);
	free(m->model);
	free(m->prices);
}

void br_catalog_free(struct br_catalog *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nmodels; i++)
		model_prices_free(&c->models[i]);
	free(c->models);
	br_dict_free(c->keys);
	free(c);
}

size_t br_catalog_models(const struct br_catalog *c)
{
	return c->nmodels;
}

/* Builds the dictionary key "provider\0model" into b. */
static void make_key(struct br_buf *b, const char *provider, size_t np,
		     const char *model, size_t nm)
{
	br_buf_reset(b);
	br_buf_put(b, provider, np);
	br_buf_putc(b, 0);
	br_buf_put(b, model, nm);
}

/* Returns the entry for (provider, model), creating an empty one. */
static struct model_prices *catalog_entry(struct br_catalog *c,
					  const char *provider,
					  const char *model)
{
	struct br_buf key = {0};
	make_key(&key, provider, strlen(provider), model, strlen(model));
	uint32_t id = br_dict_intern(c->keys, key.p, key.len);
	br_buf_free(&key);
	if (id < c->nmodels)
		return &c->models[id];
	if (c->nmodels == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 64;
		c->models = br_realloc(c->models, c->cap * sizeof *c->models);
	}
	struct model_prices *m = &c->models[c->nmodels++];
	memset(m, 0, sizeof *m);
	m->provider = br_strdup(provider);
	m->model = br_strdup(model);
	return m;
}

static int price_cmp(const void *a, const void *b)
{
	const struct br_price *x = a, *y = b;
	if (x->tier != y->tier)
		return x->tier < y->tier ? -1 : 1;
	if (x->from_day != y->from_day)
		return x->from_day < y->from_day ? -1 : 1;
	if (x->min_input_tokens != y->min_input_tokens)
		return x->min_input_tokens < y->min_input_tokens ? -1 : 1;
	return 0;
}

static void entry_add(struct model_prices *m, const struct br_price *p)
{
	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 4;
		m->prices = br_realloc(m->prices, m->cap * sizeof *m->prices);
	}
	m->prices[m->n++] = *p;
}

/* A prices row waiting to be merged into the catalog. */
struct pending_row {
	char *provider, *model;
	struct br_price price;
	unsigned long line;
};

struct prices_load {
	const char *path;
	int col[11];
	struct pending_row *rows;
	size_t n, cap;
};

enum {
	COL_PROVIDER, COL_MODEL, COL_FROM, COL_INPUT, COL_OUTPUT,
	COL_CACHE_READ, COL_CACHE_WRITE, COL_CACHE_WRITE_1H, COL_REASONING,
	COL_MIN_INPUT, COL_TIER, NCOLS
};

static const char *const col_names[NCOLS] = {
	"provider", "model", "from", "input", "output", "cache_read",
	"cache_write", "cache_write_1h", "reasoning", "min_input_tokens", "tier"};

/* The first seven columns are required in the header. */
#define NREQUIRED_COLS 7

static const char *cell(const struct prices_load *l, char **f, size_t n,
			int col)
{
	int i = l->col[col];
	return i >= 0 && (size_t)i < n ? f[i] : "";
}

/* Parses an optional rate cell; empty gives BR_RATE_UNSET. */
static int parse_rate_cell(const struct prices_load *l, unsigned long line,
			   const char *v, int col, bool required, int64_t *out,
			   struct br_err *err)
{
	if (!*v) {
		if (required)
			return br_fail(err, "%s:%lu: missing %s rate", l->path,
				       line, col_names[col]);
		*out = BR_RATE_UNSET;
		return 0;
	}
	if (br_rate_parse(v, strlen(v), out) != 0)
		return br_fail(err,
			       "%s:%lu: invalid %s rate '%s': expected USD per "
			       "1M tokens, at most 6 decimals",
			       l->path, line, col_names[col], v);
	return 0;
}

static int prices_header(struct prices_load *l, char **f, size_t n,
			 struct br_err *err)
{
	for (int c = 0; c < NCOLS; c++) {
		l->col[c] = br_csv_column(f, n, col_names[c]);
		if (l->col[c] < 0 && c < NREQUIRED_COLS)
			return br_fail(err, "%s:1: header has no '%s' column",
				       l->path, col_names[c]);
	}
	return 0;
}

static int prices_record(void *ctx, unsigned long line, char **f, size_t n,
			 struct br_err *err)
{
	struct prices_load *l = ctx;
	if (l->col[0] == -2)
		return prices_header(l, f, n, err);
	struct br_price p = {.from_day = BR_DAY_NONE, .tier = BR_TIER_STANDARD};
	const char *model = cell(l, f, n, COL_MODEL);
	if (!*model)
		return br_fail(err, "%s:%lu: empty model", l->path, line);
	const char *from = cell(l, f, n, COL_FROM);
	if (*from && br_day_parse(from, &p.from_day) != 0)
		return br_fail(err, "%s:%lu: invalid from date '%s': expected YYYY-MM-DD",
			       l->path, line, from);
	struct {
		int col;
		int64_t *dst;
		bool required;
	} rates[] = {
		{COL_INPUT, &p.rates.input, true},
		{COL_OUTPUT, &p.rates.output, true},
		{COL_CACHE_READ, &p.rates.cache_read, false},
		{COL_CACHE_WRITE, &p.rates.cache_write, false},
		{COL_CACHE_WRITE_1H, &p.rates.cache_write_1h, false},
		{COL_REASONING, &p.rates.reasoning, false},
	};
	for (size_t i = 0; i < sizeof rates / sizeof rates[0]; i++)
		if (parse_rate_cell(l, line, cell(l, f, n, rates[i].col),
				    rates[i].col, rates[i].required,
				    rates[i].dst, err) != 0)
			return -1;
	const char *min_input = cell(l, f, n, COL_MIN_INPUT);
	if (*min_input) {
		char *end;
		if (min_input[0] < '0' || min_input[0] > '9')
			return br_fail(err, "%s:%lu: invalid min_input_tokens '%s'",
				       l->path, line, min_input);
		p.min_input_tokens = strtoull(min_input, &end, 10);
		if (*end)
			return br_fail(err, "%s:%lu: invalid min_input_tokens '%s'",
				       l->path, line, min_input);
	}
	const char *tier = cell(l, f, n, COL_TIER);
	if (*tier) {
		int t = br_tier_parse(tier, strlen(tier));
		if (t < 0)
			return br_fail(err,
				       "%s:%lu: invalid tier '%s': expected standard, "
				       "batch, flex or priority",
				       l->path, line, tier);
		p.tier = (enum br_tier)t;
	}
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->rows = br_realloc(l->rows, l->cap * sizeof *l->rows);
	}
	l->rows[l->n++] = (struct pending_row){
		br_strdup(cell(l, f, n, COL_PROVIDER)), br_strdup(model), p, line};
	return 0;
}

static void pending_free(struct prices_load *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->rows[i].provider);
		free(l->rows[i].model);
	}
	free(l->rows);
}

/* Checks that no two rows of one model share tier, from and min_input. */
static int check_duplicates(struct prices_load *l, struct br_catalog *tmp,
			    struct br_err *err)
{
	for (size_t i = 0; i < tmp->nmodels; i++) {
		struct model_prices *m = &tmp->models[i];
		qsort(m->prices, m->n, sizeof *m->prices, price_cmp);
		for (size_t j = 1; j < m->n; j++)
			if (price_cmp(&m->prices[j - 1], &m->prices[j]) == 0)
				return br_fail(err,
					       "%s: model '%s' has two prices for the "
					       "same tier, from date and min_input_tokens",
					       l->path, m->model);
	}
	return 0;
}

int br_catalog_load_csv(struct br_catalog *c, const char *path,
			struct br_err *err)
{
	struct prices_load l = {.path = path};
	l.col[0] = -2; /* the header has not been read yet */
	if (br_csv_read_file(path, prices_record, &l, err) != 0) {
		pending_free(&l);
		return -1;
	}
	if (l.col[0] == -2) {
		pending_free(&l);
		return br_fail(err, "%s: empty prices file, expected a header", path);
	}
	struct br_catalog *tmp = br_catalog_new();
	for (size_t i = 0; i < l.n; i++)
		entry_add(catalog_entry(tmp, l.rows[i].provider, l.rows[i].model),
			  &l.rows[i].price);
	int rc = check_duplicates(&l, tmp, err);
	if (rc == 0) {
		for (size_t i = 0; i < tmp->nmodels; i++) {
			struct model_prices *src = &tmp->models[i];
			struct model_prices *dst = catalog_entry(c, src->provider,
								 src->model);
			free(dst->prices);
			dst->prices = src->prices;
			dst->n = src->n;
			dst->cap = src->cap;
			src->prices = NULL;
			src->n = src->cap = 0;
		}
	}
	br_catalog_free(tmp);
	pending_free(&l);
	return rc;
}

/* Looks up the entry of one dictionary key "provider\0model". */
static const struct model_prices *find_key(const struct br_catalog *c,
					   struct br_str provider,
					   struct br_str model)
{
	char stack[256];
	size_t n = provider.n + 1 + model.n;
	char *key = n <= sizeof stack ? stack : br_malloc(n);
	if (provider.n)
		memcpy(key, provider.p, provider.n);
	key[provider.n] = 0;
	if (model.n)
		memcpy(key + provider.n + 1, model.p, model.n);
	int64_t id = br_dict_find(c->keys, key, n);
	if (key != stack)
		free(key);
	return id < 0 ? NULL : &c->models[id];
}

/* Looks up (provider, model); entries with an empty provider match any
 * provider when no exact entry exists. */
static const struct model_prices *find_model(const struct br_catalog *c,
					     struct br_str provider,
					     struct br_str model)
{
	const struct model_prices *m = find_key(c, provider, model);
	return m ? m : find_key(c, (struct br_str){"", 0}, model);
}

/* Picks the price of m for a request: prices sharing a from date form one
 * version; the latest version in force on day wins, and within it the
 * highest min_input_tokens not above total_input. */
static const struct br_price *pick_price(const struct model_prices *m,
					 int32_t day, enum br_tier tier,
					 uint64_t total_input,
					 enum br_unpriced *why)
{
	const struct br_price *best = NULL;
	bool tier_seen = false;
	for (size_t i = 0; i < m->n; i++) {
		const struct br_price *p = &m->prices[i];
		if (p->tier != tier)
			continue;
		tier_seen = true;
		if (p->from_day != BR_DAY_NONE && p->from_day > day)
			continue;
		if (best && best->from_day != p->from_day) {
			/* A later version replaces the earlier one whole. */
			best = NULL;
		}
		if (p->min_input_tokens <= total_input)
			best = p;
	}
	if (!best)
		*why = tier_seen ? BR_UNPRICED_NO_PRICE_ON_DAY : BR_UNPRICED_NO_TIER;
	return best;
}

const struct br_price *br_catalog_find(const struct br_catalog *c,
				       const char *provider, const char *model,
				       int32_t day, enum br_tier tier,
				       uint64_t total_input,
				       enum br_unpriced *why)
{
	const struct model_prices *m = find_model(
		c, (struct br_str){provider, strlen(provider)},
		(struct br_str){model, strlen(model)});
	*why = BR_PRICED;
	if (!m) {
		*why = BR_UNPRICED_UNKNOWN_MODEL;
		return NULL;
	}
	return pick_price(m, day, tier, total_input, why);
}

void br_event_price(struct br_event *ev, const struct br_catalog *catalog,
		    enum br_cost_mode mode)
{
	ev->calc_priced = false;
	ev->calc_cost = 0;
	const struct model_prices *m = NULL;
	if (catalog && mode != BR_COST_DISPLAY)
		m = find_model(catalog, ev->provider, ev->model);
	if (m) {
		const struct br_tokens *t = &ev->tokens;
		uint64_t total_input = t->input + t->cache_read + t->cache_write +
				       t->cache_write_1h;
		enum br_unpriced why;
		const struct br_price *p = pick_price(
			m, br_utc_day(ev->ts_us), ev->tier, total_input, &why);
		if (p) {
			ev->calc_priced = true;
			ev->calc_cost = br_price_cost(&p->rates, t);
		}
	}
	bool use_logged = ev->has_logged_cost && mode != BR_COST_CALCULATE;
	if (use_logged) {
		ev->priced = true;
		ev->cost = ev->logged_cost;
	} else if (mode != BR_COST_DISPLAY && ev->calc_priced) {
		ev->priced = true;
		ev->cost = ev->calc_cost;
	} else {
		ev->priced = false;
		ev->cost = 0;
	}
}
