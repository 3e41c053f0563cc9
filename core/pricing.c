/* pricing.c - service tiers, cost modes, the exact cost of tokens, and
 * pricing of usage events against a catalog. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/core.h"

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

/* The tier of a spelling but the usual ones (tier_parse), -1 for none;
 * when logged, "scale" too (br_tier_parse_logged: read as standard).
 * Out of line: the usual spellings' call saves no registers for its loop
 * (br_tier_parse_logged 20 -> 7 instructions a record, callgrind,
 * first300k.jsonl). */
static __attribute__((noinline)) int tier_parse_other(const char *s, size_t n,
						      bool logged)
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
	if (logged && n == 5 && strncasecmp(s, "scale", 5) == 0)
		return BR_TIER_STANDARD;
	return -1;
}

/* br_tier_parse, or br_tier_parse_logged when logged: the usual
 * spellings, as logs write them, without the loop; the formats ask it of
 * every record that names its tier. */
static inline __attribute__((always_inline)) int tier_parse(const char *s,
							    size_t n,
							    bool logged)
{
	if (n == 8 && br_mem_eq(s, "standard", 8))
		return BR_TIER_STANDARD;
	if (n == 5 && br_mem_eq(s, "batch", 5))
		return BR_TIER_BATCH;
	return tier_parse_other(s, n, logged);
}

int br_tier_parse(const char *s, size_t n)
{
	return tier_parse(s, n, false);
}

int br_tier_parse_logged(const char *s, size_t n)
{
	return tier_parse(s, n, true);
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
	case BR_UNPRICED_TOO_LITTLE_INPUT:
		return "no price for so little input";
	case BR_UNPRICED_SPLIT_BAND:
		return "a long-context threshold splits the stored input band";
	}
	return "unpriced";
}

/* Rates with every unset one replaced by the rate it stands for, and
 * whether all are below 2^32 pico-dollars a token: what the cost of a
 * request needs of a price, worked out once per price a pricer
 * remembers rather than at each request. */
struct rates_in_force {
	struct br_rates r; /* none BR_RATE_UNSET; reasoning: its own rate */
	bool small;
};

static struct rates_in_force rates_in_force(const struct br_rates *r)
{
	struct rates_in_force f = {.r = *r};
	if (f.r.cache_read == BR_RATE_UNSET)
		f.r.cache_read = r->input;
	if (f.r.cache_write == BR_RATE_UNSET)
		f.r.cache_write = r->input;
	if (f.r.cache_write_1h == BR_RATE_UNSET)
		f.r.cache_write_1h = f.r.cache_write;
	if (f.r.reasoning == BR_RATE_UNSET)
		f.r.reasoning = r->output;
	f.small = (uint64_t)(f.r.input | f.r.output | f.r.cache_read |
			     f.r.cache_write | f.r.cache_write_1h |
			     f.r.reasoning) >> 32 == 0;
	return f;
}

/* The counts of t a price applies to (all but reasoning, part of the
 * output) ORed: 0 for none (br_tokens_none), below 2^N when each is. */
static inline uint64_t counts_or(const struct br_tokens *t)
{
	return t->input | t->cache_read | t->cache_write | t->cache_write_1h |
	       t->output;
}

/* Caps t's reasoning at its output, which it is part of. */
static inline void cap_reasoning(struct br_tokens *t)
{
	if (t->reasoning > t->output)
		t->reasoning = t->output;
}

/* The cost of t at rates f, counts its counts_or, t's reasoning no more
 * than its output (br_pricer_price caps it first: its minimum taken here
 * again was a compare and a conditional move an event): the pricer's three tests of the
 * counts (any at all, a total below 2^64, products below it) made of one
 * OR took 3,656 -> 3,651 instructions a record. */
static inline __attribute__((always_inline)) br_pico
cost_in_force(const struct rates_in_force *f, const struct br_tokens *t,
	      uint64_t counts)
{
	const struct br_rates *r = &f->r;
	uint64_t reasoning = t->reasoning;
	/* A request's tokens (below 2^29 each) at rates below 2^32 pico-dollars
	 * a token ($4,294 a million) cost less than 2^64 in all: the sum is
	 * then made in 64 bits, the products without their 128-bit
	 * multiplications. */
	if (f->small && counts >> 29 == 0)
		return (br_pico)(t->input * (uint64_t)r->input +
				 (t->output - reasoning) * (uint64_t)r->output +
				 reasoning * (uint64_t)r->reasoning +
				 t->cache_read * (uint64_t)r->cache_read +
				 t->cache_write * (uint64_t)r->cache_write +
				 t->cache_write_1h * (uint64_t)r->cache_write_1h);
	return (br_pico)t->input * r->input +
	       (br_pico)(t->output - reasoning) * r->output +
	       (br_pico)reasoning * r->reasoning +
	       (br_pico)t->cache_read * r->cache_read +
	       (br_pico)t->cache_write * r->cache_write +
	       (br_pico)t->cache_write_1h * r->cache_write_1h;
}

br_pico br_price_cost(const struct br_rates *r, const struct br_tokens *t)
{
	struct rates_in_force f = rates_in_force(r);
	struct br_tokens capped = *t;
	cap_reasoning(&capped);
	return cost_in_force(&f, &capped, counts_or(t));
}

/* A price remembered for requests of one tier: the answer of
 * br_model_price for days in [from, until) (empty while from > until) and
 * a total input in the catalog's band from lo, where every total gets the
 * same price row (br_catalog_band). */
struct price_memo {
	int32_t from, until;
	uint64_t lo;
	bool priced;
	struct rates_in_force rates; /* the price's, when priced */
};

/* What a pricer knows of a (provider, model) it saw. */
struct seen_model {
	const struct br_model *model; /* in the catalog, or NULL */
	/* Per tier, the last two answers, the last one made first: a
	 * log's requests of a model mostly lie in two input bands (short
	 * and long ones), and with one answer a request across the bands'
	 * edge from the one before missed it (11% of the benchmark's
	 * events, ~130 instructions each). */
	struct price_memo memo[BR_TIER_COUNT][2];
};

/* A (provider, model) pair as words read without a loop (pair_words). */
struct pair_words {
	uint64_t provider, model_head, model_tail;
};

/* Slots of the cache of (provider, model) pairs priced lately. */
#define RECENT_PAIRS 64

struct br_pricer {
	const struct br_catalog *catalog;
	enum br_cost_mode mode;
	struct br_dict *seen; /* "provider\0model" -> slot */
	struct seen_model *models; /* by slot */
	size_t cap;
	/* Pairs priced lately, by a cheap hash of their names' ends, found
	 * without building their key. */
	struct recent_pair {
		const char *key;     /* the dictionary's */
		size_t provider_len; /* SIZE_MAX: empty (no name is as long) */
		size_t model_len;
		struct pair_words w;
		uint32_t slot;
		/* The event's pair of the slot (0 when the serial is beyond
		 * 32 bits): made once here, not at each event (a test of the
		 * serial, a shift and an OR). */
		uint64_t pair;
	} recent[RECENT_PAIRS];
	/* The bands of the last two total inputs, the last first: [lo, hi)
	 * (lo > hi: none yet). */
	struct band {
		uint64_t lo, hi;
	} band[2];
	uint64_t serial; /* this pricer's of the process: its pairs' high bits */
	struct br_buf key;
	struct br_str identity;
};

/* The serial of the last pricer made. */
static atomic_uint_fast64_t last_serial;

struct br_pricer *br_pricer_new(const struct br_catalog *catalog,
				enum br_cost_mode mode)
{
	struct br_pricer *p = br_calloc(1, sizeof *p);
	p->catalog = catalog;
	p->mode = mode;
	p->seen = br_dict_new();
	p->band[0] = p->band[1] = (struct band){1, 0};
	for (size_t r = 0; r < RECENT_PAIRS; r++)
		p->recent[r].provider_len = SIZE_MAX;
	p->serial = atomic_fetch_add(&last_serial, 1) + 1;
	const char *id = catalog ? br_catalog_identity(catalog) : "";
	p->identity = (struct br_str){id, strlen(id)};
	return p;
}

void br_pricer_free(struct br_pricer *p)
{
	if (!p)
		return;
	br_dict_free(p->seen);
	free(p->models);
	br_buf_free(&p->key);
	free(p);
}

/* The words of (provider, model): the provider's br_short_word, and the
 * model's br_ends_word in its two parts (its first and last 8 bytes;
 * below 8 bytes its br_short_word moved up a byte, and 0). Names of the
 * same lengths, up to 8 bytes (the provider) and 16 (the model), are
 * equal when their words are: each part covers the bytes between
 * (below 8, the byte moved out is also the last word's). */
static inline __attribute__((always_inline)) struct pair_words
pair_words(struct br_str provider, struct br_str model)
{
	struct pair_words w = {br_short_word(provider.p, provider.n), 0, 0};
	if (model.n < 8) {
		w.model_head = br_short_word(model.p, model.n) << 8;
	} else {
		memcpy(&w.model_head, model.p, 8);
		memcpy(&w.model_tail, model.p + model.n - 8, 8);
	}
	return w;
}

/* The cache slot of (provider, model) of words w: from their lengths and
 * the ends of the model's name and the provider's. */
static inline __attribute__((always_inline)) unsigned
pair_hash(struct br_str provider, struct br_str model,
	  const struct pair_words *w)
{
	uint64_t h = (model.n << 56 ^ provider.n << 48 ^ w->provider << 1 ^
		      w->model_head ^ w->model_tail << 1) *
		     UINT64_C(0x9E3779B97F4A7C15);
	return (unsigned)(h >> 58); /* RECENT_PAIRS */
}

/* model_slot for a pair not in the cache's slot r: out of line, so that
 * the cache's hit saves no registers, and given the names where they lie
 * (their words made again here: passed, they were kept on the stack at
 * every hit). */
static __attribute__((noinline)) const struct recent_pair *
slot_uncached(struct br_pricer *p, const struct br_str *pname,
	      const struct br_str *mname, unsigned r)
{
	struct br_str provider = *pname, model = *mname;
	/* The key "provider\0model", on the stack when it fits. */
	char local[256];
	const char *key = local;
	size_t n = provider.n + 1 + model.n;
	if (n <= sizeof local) {
		if (provider.n)
			memcpy(local, provider.p, provider.n);
		local[provider.n] = 0;
		if (model.n)
			memcpy(local + provider.n + 1, model.p, model.n);
	} else {
		br_buf_reset(&p->key);
		br_buf_put(&p->key, provider.p, provider.n);
		br_buf_putc(&p->key, 0);
		br_buf_put(&p->key, model.p, model.n);
		key = p->key.p;
	}
	uint32_t before = br_dict_count(p->seen);
	uint32_t slot = br_dict_intern(p->seen, key, n);
	if (br_dict_count(p->seen) != before) {
		if (slot >= p->cap) {
			p->cap = p->cap ? p->cap * 2 : 64;
			p->models = br_realloc(p->models,
					       p->cap * sizeof *p->models);
		}
		struct seen_model *s = &p->models[slot];
		struct br_match m;
		br_catalog_resolve(p->catalog, provider, model, &m);
		s->model = m.model;
		for (size_t t = 0; t < BR_TIER_COUNT; t++)
			for (size_t k = 0; k < 2; k++)
				s->memo[t][k] = (struct price_memo){.from = 1,
								    .until = 0};
	}
	uint64_t pair = p->serial <= UINT32_MAX ? p->serial << 32 | slot : 0;
	p->recent[r] = (struct recent_pair){br_dict_str(p->seen, slot, NULL),
					    provider.n, model.n,
					    pair_words(provider, model), slot,
					    pair};
	return &p->recent[r];
}

/* The cache's entry of (provider, model), its slot resolved against the
 * catalog when new: first looked for among the pairs priced lately, by
 * their words, and by their bytes only when longer than those tell apart
 * (comparing the bytes of every pair took ~30 instructions an event).
 * Borrowed until the next call. */
static inline __attribute__((always_inline)) const struct recent_pair *
model_slot(struct br_pricer *p, const struct br_str *pname,
	   const struct br_str *mname)
{
	struct br_str provider = *pname, model = *mname;
	struct pair_words w = pair_words(provider, model);
	unsigned r = pair_hash(provider, model, &w);
	const struct recent_pair *e = &p->recent[r];
	if (e->provider_len == provider.n &&
	    e->model_len == model.n && e->w.provider == w.provider &&
	    e->w.model_head == w.model_head && e->w.model_tail == w.model_tail &&
	    ((provider.n <= 8 && model.n <= 16) ||
	     (br_mem_eq(e->key, provider.p, provider.n) &&
	      br_mem_eq(e->key + provider.n + 1, model.p, model.n))))
		return e;
	return slot_uncached(p, pname, mname, r);
}

const struct br_model *br_pricer_model(struct br_pricer *p,
				       struct br_str provider,
				       struct br_str model)
{
	if (!p->catalog)
		return NULL;
	uint32_t slot = model_slot(p, &provider, &model)->slot; /* may move them */
	return p->models[slot].model;
}

/* Tells whether memo holds the answer for day and a band from lo. */
static inline bool memo_holds(const struct price_memo *memo, int32_t day,
			      uint64_t lo)
{
	return day >= memo->from && day < memo->until && lo == memo->lo;
}

/* The rates of the catalog price of a request of ev's model, tier and
 * price day whose total input is total, in the catalog's band from lo;
 * NULL when unpriced. Remembered per model and tier for the days its
 * answer holds: borrowed until the next call. Sets ev->pair. */
static const struct rates_in_force *catalog_price(struct br_pricer *p,
						  struct br_event *ev,
						  uint64_t total, uint64_t lo)
{
	if (!p->catalog)
		return NULL;
	const struct recent_pair *e = model_slot(p, &ev->provider, &ev->model);
	ev->pair = e->pair;
	struct seen_model *s = &p->models[e->slot]; /* may have moved */
	/* No price has a tier out of range: a prices file's are parsed
	 * (br_tier_parse), and the built-in tables are written from such a
	 * catalog. */
	if ((unsigned)ev->tier >= BR_TIER_COUNT)
		return NULL;
	int32_t day = ev->price_day;
	struct price_memo *memo = s->memo[ev->tier];
	if (!memo_holds(&memo[0], day, lo)) {
		if (memo_holds(&memo[1], day, lo))
			return memo[1].priced ? &memo[1].rates : NULL;
		/* A model not in the catalog: its memos stay empty, never
		 * holding, so that a hit need not test it. */
		const struct br_model *m = s->model;
		if (!m)
			return NULL;
		memo[1] = memo[0];
		uint64_t hi = total == UINT64_MAX ? UINT64_MAX : total + 1;
		enum br_unpriced why;
		const struct br_price *price = br_model_price_days(
			m, day, ev->tier, total, hi, &why, &memo->from,
			&memo->until);
		memo->lo = lo;
		memo->priced = price;
		if (price)
			memo->rates = rates_in_force(&price->rates);
	}
	return memo->priced ? &memo->rates : NULL;
}

static uint64_t add_sat(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* The total input of t (input + cache_read + cache_write +
 * cache_write_1h), UINT64_MAX when beyond it; counts is its counts_or. */
static inline uint64_t total_input(const struct br_tokens *t, uint64_t counts)
{
	/* Four counts below 2^62 sum below 2^64: the usual total is made
	 * without the saturating adds (17 instructions an event). */
	if (counts >> 62 == 0)
		return t->input + t->cache_read + t->cache_write +
		       t->cache_write_1h;
	return add_sat(add_sat(t->input, t->cache_read),
		       add_sat(t->cache_write, t->cache_write_1h));
}

void br_pricer_price(struct br_pricer *p, struct br_event *ev)
{
	/* Reasoning is part of the output: a log that says more is priced,
	 * and kept, as all of it (kept above it, a row's sums re-priced by
	 * report --reprice capped the sum, not each request). */
	cap_reasoning(&ev->tokens);
	const struct br_tokens *t = &ev->tokens;
	uint64_t counts = counts_or(t);
	uint64_t total = total_input(t, counts);
	bool no_tokens = br_tokens_none(t); /* counts == 0: one OR made */
	if (ev->requests > 1)
		total /= ev->requests; /* an aggregate: the mean request */
	ev->price_day = br_utc_day(ev->ts_us);
	/* The bands of the last two total inputs hold most of the next
	 * (the last one alone held 87% of the benchmark's; a band is a
	 * binary search, ~50 instructions). */
	if (total < p->band[0].lo || total >= p->band[0].hi) {
		struct band last = p->band[0];
		if (total >= p->band[1].lo && total < p->band[1].hi)
			p->band[0] = p->band[1];
		else
			br_catalog_band(p->catalog, total, &p->band[0].lo,
					&p->band[0].hi);
		p->band[1] = last;
	}
	ev->band_lo = p->band[0].lo;
	ev->band_hi = p->band[0].hi;
	if (no_tokens)
		ev->band_hi = 1; /* rows of their own: what report --reprice
				  * prices again is then all tokens or none */
	ev->pricing = p->identity;
	ev->pair = 0;
	ev->calc_priced = false;
	ev->calc_cost = 0;
	if (no_tokens) {
		/* No tokens (a failed request, a cache hit): nothing to pay,
		 * whatever the model, in display mode too (without a logged
		 * cost it was unpriced there, a warning for every failed
		 * request of a log that reports costs). */
		ev->calc_priced = true;
	} else if (p->mode != BR_COST_DISPLAY) {
		const struct rates_in_force *rates =
			catalog_price(p, ev, total, ev->band_lo);
		if (rates) {
			ev->calc_priced = true;
			ev->calc_cost = cost_in_force(rates, t, counts);
		}
	}
	/* A logged $0 for tokens is a price the logger lacked (LiteLLM
	 * writes 0 then), not a free request: in auto mode the catalog prices
	 * them, or the request is unpriced; in display mode, which takes no
	 * catalog price, it is unpriced. A catalog that too says $0 prices
	 * them at $0 as the catalog's cost, not the log's: report --reprice
	 * then prices them with its new prices, as a fresh ingest would
	 * (taken as the log's, they stayed $0). A failed request's logged
	 * cost, where only a success's counts (cost_if_ok), gives way to its
	 * tokens' price, when there is one. Which of the two it took depends
	 * on the catalog: its own cost sources (the FAILED ones) let report
	 * --reprice choose again. Without a logged cost (80% of the
	 * benchmark's events), or in calculate mode, none of these tests is
	 * made: the mode alone chooses the catalog's cost, or in display mode
	 * none (calc_priced false and calc_cost 0, as set above); made for
	 * every event, they took 2.3 instructions a record more. */
	bool failed = false;
	if (ev->has_logged_cost && p->mode != BR_COST_CALCULATE) {
		bool zero_not_a_price = ev->logged_cost == 0 && !no_tokens;
		failed = p->mode == BR_COST_AUTO && ev->cost_if_ok &&
			 ev->error && !no_tokens && !zero_not_a_price;
		if (!zero_not_a_price && !(failed && ev->calc_priced)) {
			ev->cost_source = failed ? BR_COST_FROM_LOG_FAILED
						 : BR_COST_FROM_LOG;
			ev->priced = true;
			ev->cost = ev->logged_cost;
			return;
		}
	}
	if (p->mode == BR_COST_DISPLAY && !no_tokens)
		ev->cost_source = BR_COST_FROM_NONE;
	else
		ev->cost_source = failed ? BR_COST_FROM_CATALOG_FAILED
					 : BR_COST_FROM_CATALOG;
	ev->priced = ev->calc_priced;
	ev->cost = ev->calc_cost;
}
