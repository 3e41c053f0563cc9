/* test_reduce.c - CUnit suites for reduce/: the aggregate, segment round
 * trips, corruption detection (every bit of a segment), the lock, backfill
 * overshadowing, store metadata, merges and the known compressed files. */
#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "reduce/reduce.h"
#include "reduce/reduce_internal.h"
#include "tests/testutil.h"
#include <zlib.h>

static char dir[64];

static void make_dir(void)
{
	test_mkdtemp(dir, "reduce");
}

static void remove_dir(void)
{
	test_rmtree(dir);
}

static struct br_event event(const char *provider, const char *model,
			     const char *agent, uint64_t input, br_pico cost)
{
	struct br_event ev = {
		.provider = {provider, strlen(provider)},
		.model = {model, strlen(model)},
		.agent = {agent, strlen(agent)},
		.label = {"", 0},
		.tokens = {.input = input, .output = 2 * input},
		.priced = cost != 0,
		.cost = cost,
		.calc_cost = cost,
		.band_hi = UINT64_MAX,
		.pricing = {"test catalog", 12},
	};
	return ev;
}

struct sums {
	uint64_t rows, requests, input;
	br_pico cost;
	int32_t min_day, max_day;
};

static int sum_rows(void *ctx, const struct store_row *r)
{
	struct sums *s = ctx;
	s->rows++;
	s->requests += r->t.requests;
	s->input += r->t.tokens.input;
	s->cost += r->t.cost;
	if (s->rows == 1 || r->day < s->min_day)
		s->min_day = r->day;
	if (s->rows == 1 || r->day > s->max_day)
		s->max_day = r->day;
	return 0;
}

static struct sums scan_all(struct store *s, const char *source)
{
	struct sums out = {0};
	struct br_err err = {0};
	struct store_query q = {BR_DAY_NONE, BR_DAY_NONE, source};
	CU_ASSERT_EQUAL(store_scan(s, &q, sum_rows, &out, &err), 0);
	return out;
}

static void test_agg(void)
{
	struct agg *a = agg_new(), *b = agg_new();
	struct br_event ev = event("openai", "gpt-4o", "bot", 10, 5);
	for (int i = 0; i < 1000; i++)
		agg_add(a, i % 10, &ev);
	CU_ASSERT_EQUAL(agg_rows(a), 10);
	ev.agent = (struct br_str){"other", 5};
	agg_add(b, 3, &ev);
	ev.agent = (struct br_str){"bot", 3};
	agg_add(b, 3, &ev);
	agg_merge(a, b);
	CU_ASSERT_EQUAL(agg_rows(a), 11);
	agg_clear(b);
	CU_ASSERT_EQUAL(agg_rows(b), 0);
	/* Emptied, b counts anew (with the strings it knew and others) and
	 * adds only what it counted since. */
	ev.agent = (struct br_str){"third", 5};
	agg_add(b, 3, &ev);
	ev.agent = (struct br_str){"other", 5};
	agg_add(b, 4, &ev);
	CU_ASSERT_EQUAL(agg_rows(b), 2);
	struct agg *c = agg_new();
	agg_merge(c, b);
	struct sums got = {0};
	CU_ASSERT_EQUAL(agg_scan(c, "t", sum_rows, &got), 0);
	CU_ASSERT_EQUAL(got.rows, 2);
	CU_ASSERT_EQUAL(got.input, 20);
	CU_ASSERT_EQUAL(got.min_day, 3);
	CU_ASSERT_EQUAL(got.max_day, 4);
	agg_free(c);
	agg_free(a);
	agg_free(b);
	agg_free(NULL);
}

/* agg_subtract takes another aggregate's events out exactly, drops the
 * rows left with no request, and refuses what it cannot take exactly. */
static void test_agg_subtract(void)
{
	struct agg *a = agg_new(), *m = agg_new();
	struct br_event ev = event("openai", "gpt-4o", "bot", 10, 5);
	for (int i = 0; i < 5; i++)
		agg_add(a, 1, &ev);
	struct br_event only = event("openai", "dup-only", "bot", 7, 1);
	agg_add(a, 2, &only);
	/* Counted out: one event of day 1, the only one of day 2, of a
	 * model interned in m before the one a shares. */
	agg_add(m, 2, &only);
	agg_add(m, 1, &ev);
	CU_ASSERT(agg_subtract(a, m));
	struct sums got = {0};
	CU_ASSERT_EQUAL(agg_scan(a, "t", sum_rows, &got), 0);
	CU_ASSERT_EQUAL(got.rows, 1);
	CU_ASSERT_EQUAL(got.requests, 4);
	CU_ASSERT_EQUAL(got.input, 40);
	CU_ASSERT_EQUAL(got.min_day, 1);
	CU_ASSERT_EQUAL(got.max_day, 1);
	/* The table found again after the drop: adds go to the kept row. */
	agg_add(a, 1, &ev);
	CU_ASSERT_EQUAL(agg_rows(a), 1);
	/* A row a does not have, or more than a's. */
	agg_clear(m);
	agg_add(m, 9, &ev);
	CU_ASSERT(!agg_subtract(a, m));
	agg_clear(m);
	for (int i = 0; i < 6; i++)
		agg_add(m, 1, &ev);
	CU_ASSERT(!agg_subtract(a, m));
	/* A saturated sum: its true value is unknown. */
	struct agg *s = agg_new();
	struct br_event big = event("openai", "gpt-4o", "bot", UINT64_MAX / 2, 5);
	for (int i = 0; i < 3; i++)
		agg_add(s, 1, &big);
	agg_clear(m);
	agg_add(m, 1, &big);
	CU_ASSERT(!agg_subtract(s, m));
	/* Spilled rows, not in the table: read through, its keys merged
	 * (day 20's in two runs), and written again. */
	struct agg *p = agg_new();
	agg_spill_at(p, 4);
	for (int day = 1; day <= 20; day++)
		agg_add(p, day, &ev);
	agg_add(p, 20, &ev);
	agg_settle(p);
	CU_ASSERT(p->nruns > 0);
	agg_clear(m);
	agg_add(m, 1, &ev);
	agg_add(m, 20, &ev);
	CU_ASSERT(agg_subtract(p, m));
	got = (struct sums){0};
	CU_ASSERT_EQUAL(agg_scan(p, "t", sum_rows, &got), 0);
	CU_ASSERT_EQUAL(got.rows, 19);
	CU_ASSERT_EQUAL(got.requests, 19);
	CU_ASSERT_EQUAL(got.min_day, 2);
	CU_ASSERT_EQUAL(got.max_day, 20);
	agg_clear(m);
	agg_add(m, 1, &ev); /* no longer there */
	CU_ASSERT(!agg_subtract(p, m));
	agg_free(p);
	agg_free(s);
	agg_free(a);
	agg_free(m);
}

struct pair_rows {
	size_t n;
	struct {
		char provider[16], model[16];
		uint64_t input, requests;
	} row[8];
};

static int collect_pairs(void *ctx, const struct store_row *r)
{
	struct pair_rows *got = ctx;
	CU_ASSERT_FATAL(got->n < 8);
	snprintf(got->row[got->n].provider, 16, "%s", r->provider);
	snprintf(got->row[got->n].model, 16, "%s", r->model);
	got->row[got->n].input = r->t.tokens.input;
	got->row[got->n].requests = r->t.requests;
	got->n++;
	return 0;
}

/* The input and requests of the row of (provider, model) in got; 0 when
 * there is none. */
static uint64_t pair_input(const struct pair_rows *got, const char *provider,
			   const char *model, uint64_t *requests)
{
	for (size_t i = 0; i < got->n; i++)
		if (!strcmp(got->row[i].provider, provider) &&
		    !strcmp(got->row[i].model, model)) {
			*requests = got->row[i].requests;
			return got->row[i].input;
		}
	return 0;
}

/* agg_add takes the ids of a (provider, model) its pricer named before
 * (br_event.pair): one model under two providers, two pricers, an
 * unpriced event, names whose bytes split differently around a NUL, and
 * pairs of one slot of its table, each in turn and back again, keep rows
 * of their own. */
static void test_agg_pairs(void)
{
	struct br_catalog *c = br_catalog_new(); /* names none: priced or not,
						  * each event gets a pair */
	struct br_pricer *p1 = br_pricer_new(c, BR_COST_CALCULATE);
	struct br_pricer *p2 = br_pricer_new(c, BR_COST_CALCULATE);
	/* 64 more pairs first, so that the pairs below share slots of the
	 * table (by their slot in the pricer, mod 64) with others. */
	char name[16];
	for (int i = 0; i < 64; i++) {
		snprintf(name, sizeof name, "m%d", i);
		struct br_event ev = event("x", name, "bot", 1, 0);
		br_pricer_price(p1, &ev);
	}
	struct br_event zz = event("x", "zz", "bot", 1, 0); /* p2's m0 */
	br_pricer_price(p2, &zz);
	const struct {
		const char *provider;
		size_t provider_len;
		const char *model;
		size_t model_len;
		struct br_pricer *p;
		uint64_t input;
	} seq[] = {
		{"openai", 6, "gpt-4o", 6, p1, 1},
		{"azure", 5, "gpt-4o", 6, p1, 10},
		{"openai", 6, "gpt-4o", 6, p2, 1},
		{"a\0b", 3, "c", 1, p1, 100},
		{"a", 1, "b\0c", 3, p1, 1000},
		{"openai", 6, "gpt-4o", 6, NULL, 1},
		{"x", 1, "m0", 2, p1, 10000},
		{"x", 1, "zz", 2, p2, 100000},
	};
	struct agg *a = agg_new();
	for (int round = 0; round < 3; round++)
		for (size_t i = 0; i < sizeof seq / sizeof seq[0]; i++) {
			struct br_event ev = event("", "", "bot", seq[i].input, 0);
			ev.provider = (struct br_str){seq[i].provider,
						      seq[i].provider_len};
			ev.model = (struct br_str){seq[i].model, seq[i].model_len};
			if (seq[i].p)
				br_pricer_price(seq[i].p, &ev);
			CU_ASSERT(!seq[i].p || ev.pair);
			ev.band_lo = 0; /* one row per pair, priced or not */
			ev.band_hi = UINT64_MAX;
			ev.priced = false;
			ev.cost_source = BR_COST_FROM_CATALOG;
			ev.price_day = 0;
			ev.pricing = (struct br_str){"test catalog", 12};
			agg_add(a, 1, &ev);
		}
	struct pair_rows got = {0};
	CU_ASSERT_EQUAL(agg_scan(a, NULL, collect_pairs, &got), 0);
	CU_ASSERT_EQUAL(got.n, 6);
	uint64_t requests = 0;
	/* openai/gpt-4o of both pricers and of none. */
	CU_ASSERT_EQUAL(pair_input(&got, "openai", "gpt-4o", &requests), 9);
	CU_ASSERT_EQUAL(requests, 9);
	CU_ASSERT_EQUAL(pair_input(&got, "azure", "gpt-4o", &requests), 30);
	CU_ASSERT_EQUAL(pair_input(&got, "a", "c", &requests), 300);
	CU_ASSERT_EQUAL(pair_input(&got, "a", "b", &requests), 3000);
	CU_ASSERT_EQUAL(pair_input(&got, "x", "m0", &requests), 30000);
	CU_ASSERT_EQUAL(pair_input(&got, "x", "zz", &requests), 300000);
	agg_free(a);
	br_pricer_free(p1);
	br_pricer_free(p2);
	br_catalog_free(c);
}

struct name_rows {
	size_t rows, fillers;
	uint64_t inputs; /* the special pairs' bits seen */
	bool bad;        /* a row of no pair, or of two */
};

static int collect_names(void *ctx, const struct store_row *r)
{
	struct name_rows *got = ctx;
	uint64_t in = r->t.tokens.input;
	got->rows++;
	if (in == UINT64_C(3) << 20 && !strncmp(r->agent, "f", 1)) {
		got->fillers++;
		return 0;
	}
	/* Three times one pair's bit, once in each round. */
	if (in % 3 || !in || (in / 3 & (in / 3 - 1)) || (got->inputs & in / 3))
		got->bad = true;
	got->inputs |= in / 3;
	return 0;
}

/* agg_add finds the ids of an (agent, label) it added lately in a cache
 * of its own: names that differ only in the middle (the cache's hash is
 * of their ends, and it compares the first and last 8 bytes as words and
 * the bytes between, of a name over 16, one by one: 17 bytes differing
 * in the ninth alone), by a NUL, or where the agent ends and the label
 * starts, and more pairs than the cache holds, keep rows of their own,
 * the cache dropped with the pipeline between rounds (agg_rows) or kept
 * across agg_clear. */
static void test_agg_names(void)
{
	static const struct {
		const char *agent;
		size_t agent_len;
		const char *label;
		size_t label_len;
	} pair[] = {
		{"bot", 3, "", 0},
		{"bot", 3, "team", 4},
		{"a\0b", 3, "", 0},
		{"a\0c", 3, "", 0},
		{"ab", 2, "c", 1},
		{"a", 1, "bc", 2},
		{"", 0, "", 0},
		{"long-agent-name-Xmiddle-end", 27, "t", 1},
		{"long-agent-name-Ymiddle-end", 27, "t", 1},
		{"bot", 3, "long-label-AAAAAA-Xx-end-label", 30},
		{"bot", 3, "long-label-AAAAAA-Yx-end-label", 30},
		{"bot", 3, "team\0", 5},
		{"agent-17X-bytes-.", 17, "", 0},
		{"agent-17Y-bytes-.", 17, "", 0},
		{"bot", 3, "label-12-X-b", 12},
		{"bot", 3, "label-12-Y-b", 12},
		{"xAz", 3, "ab", 2},
		{"xBz", 3, "ab", 2},
	};
	const size_t npairs = sizeof pair / sizeof pair[0];
	enum { FILLERS = 200 }; /* more pairs than the cache holds */
	char names[FILLERS][8];
	for (int i = 0; i < FILLERS; i++)
		snprintf(names[i], sizeof names[i], "f%d", i);
	struct agg *a = agg_new();
	for (int pass = 0; pass < 2; pass++) {
		if (pass)
			agg_clear(a); /* the cache stays: so do the ids */
		for (int round = 0; round < 3; round++) {
			for (size_t i = 0; i < npairs; i++) {
				struct br_event ev = event("p", "m", "", UINT64_C(1) << i, 0);
				ev.agent = (struct br_str){pair[i].agent,
							   pair[i].agent_len};
				ev.label = (struct br_str){pair[i].label,
							   pair[i].label_len};
				agg_add(a, 1, &ev);
			}
			for (int i = 0; i < FILLERS; i++) {
				struct br_event f = event("p", "m", names[i],
							  UINT64_C(1) << 20, 0);
				f.label = (struct br_str){names[FILLERS - 1 - i], 3};
				agg_add(a, 1, &f);
			}
			if (round == 1)
				agg_rows(a); /* settles: the cache goes */
		}
		struct name_rows got = {0};
		CU_ASSERT_EQUAL(agg_scan(a, NULL, collect_names, &got), 0);
		CU_ASSERT_EQUAL(got.rows, npairs + FILLERS);
		CU_ASSERT_EQUAL(got.fillers, FILLERS);
		CU_ASSERT_FALSE(got.bad);
		CU_ASSERT_EQUAL(got.inputs, (UINT64_C(1) << npairs) - 1);
	}
	agg_free(a);
}

/* The rows start on a cache line however often the aggregate grew (the
 * pipeline fetches a row's three lines), and keep their totals when
 * growing moves them within the new block. */
static void test_agg_rows_aligned(void)
{
	struct agg *a = agg_new();
	struct br_event ev = event("openai", "gpt-4o", "bot", 10, 5);
	for (int32_t day = 0; day < 100000; day++) {
		agg_add(a, day, &ev);
		agg_add(a, day, &ev);
		if ((day & (day - 1)) == 0) {
			CU_ASSERT_EQUAL(agg_rows(a), (size_t)day + 1);
			CU_ASSERT_EQUAL((uintptr_t)a->rows % 64, 0);
		}
	}
	struct sums s = {0};
	CU_ASSERT_EQUAL(agg_scan(a, NULL, sum_rows, &s), 0);
	CU_ASSERT_EQUAL(s.rows, 100000);
	CU_ASSERT_EQUAL(s.requests, 200000);
	CU_ASSERT_EQUAL(s.input, 2000000);
	CU_ASSERT(s.cost == 1000000);
	CU_ASSERT_EQUAL(s.min_day, 0);
	CU_ASSERT_EQUAL(s.max_day, 99999);
	agg_free(a);
}

/* red_key_equal tells apart keys that differ in any one field, by one
 * bit, low or high, and not keys that differ only in their padding. */
static void test_key_equal(void)
{
	struct red_key a, b;
	memset(&a, 0x11, sizeof a);
	memset(&b, 0xEE, sizeof b);
	const struct red_key k = {-5, 1, 2, 3, 4, BR_TIER_BATCH, 1, 6, 20000,
				  100, UINT64_MAX};
	a = k; /* the padding as each memset left it, or as k's copy did */
	b.day = k.day;
	b.provider = k.provider;
	b.model = k.model;
	b.agent = k.agent;
	b.label = k.label;
	b.tier = k.tier;
	b.cost_source = k.cost_source;
	b.pricing = k.pricing;
	b.price_day = k.price_day;
	b.band_lo = k.band_lo;
	b.band_hi = k.band_hi;
	CU_ASSERT_TRUE(red_key_equal(&a, &b));
	CU_ASSERT_TRUE(red_key_equal(&b, &a));
	for (int field = 0; field < 11; field++)
		for (int bit = 0; bit < 64; bit += 31) {
			struct red_key c = b;
			uint64_t w = (uint64_t)1 << bit;
			uint32_t v = (uint32_t)1 << (bit % 32);
			switch (field) {
			case 0: c.day ^= (int32_t)v; break;
			case 1: c.provider ^= v; break;
			case 2: c.model ^= v; break;
			case 3: c.agent ^= v; break;
			case 4: c.label ^= v; break;
			case 5: c.tier ^= v; break;
			case 6: c.cost_source ^= v; break;
			case 7: c.pricing ^= v; break;
			case 8: c.price_day ^= (int32_t)v; break;
			case 9: c.band_lo ^= w; break;
			default: c.band_hi ^= w; break;
			}
			CU_ASSERT_FALSE(red_key_equal(&a, &c));
			CU_ASSERT_FALSE(red_key_equal(&c, &a));
		}
}

/* The totals of the one row of a. */
static struct red_totals only_row(struct agg *a)
{
	CU_ASSERT_EQUAL_FATAL(agg_rows(a), 1);
	return a->rows[0].t;
}

/* agg_add's sums are exact, and saturate as red_totals_add's, whether a
 * row takes an event's counts and costs as they are (while it has room,
 * red_row.room) or each bounded: across the room's end (AGG_ROOM adds),
 * from rows near or at the bounds (agg_add_row, agg_merge), and for
 * events too large to be added as they are. */
static void test_agg_room(void)
{
	/* 70,000 adds of 2^48 input tokens (2^49 output): exact, then
	 * saturated past 2^64 (2^16 adds, 2^15 of the output). */
	struct agg *a = agg_new();
	struct br_event ev = event("p", "m", "bot", UINT64_C(1) << 48, 3);
	for (int i = 0; i < 70000; i++) {
		agg_add(a, 1, &ev);
		if (i == 20000 || i == 32766 || i == 32767 || i == 65534) {
			struct red_totals t = only_row(a);
			uint64_t k = (uint64_t)i + 1;
			CU_ASSERT_EQUAL(t.requests, k);
			CU_ASSERT_EQUAL(t.tokens.input, k << 48);
			CU_ASSERT_EQUAL(t.tokens.output,
					k < 32768 ? k << 49 : UINT64_MAX);
			CU_ASSERT(t.cost == (br_pico)(3 * k));
		}
	}
	struct red_totals t = only_row(a);
	CU_ASSERT_EQUAL(t.requests, 70000);
	CU_ASSERT_EQUAL(t.tokens.input, UINT64_MAX);
	CU_ASSERT_EQUAL(t.tokens.output, UINT64_MAX);
	CU_ASSERT(t.cost == 210000);

	/* A row added near the bounds, then events. */
	agg_clear(a);
	struct store_row row = {
		.day = 1, .provider = "p", .model = "m", .agent = "bot",
		.label = "", .pricing = "test catalog", .band_hi = UINT64_MAX,
		.t = {.requests = UINT64_MAX - 2, .cost = BR_PICO_MAX - 5,
		      .calc_cost = -BR_PICO_MAX + 5,
		      .tokens = {.input = UINT64_MAX - 10}}};
	agg_add_row(a, &row);
	ev = event("p", "m", "bot", 4, 4);
	ev.calc_cost = -4;
	for (int i = 0; i < 3; i++)
		agg_add(a, 1, &ev);
	t = only_row(a);
	CU_ASSERT_EQUAL(t.requests, UINT64_MAX);
	CU_ASSERT_EQUAL(t.tokens.input, UINT64_MAX);
	CU_ASSERT_EQUAL(t.tokens.output, 24);
	CU_ASSERT(t.cost == BR_PICO_MAX);
	CU_ASSERT(t.calc_cost == -BR_PICO_MAX);

	/* The same row merged into an aggregate that has it. */
	struct agg *b = agg_new();
	agg_add(b, 1, &ev);
	agg_clear(a);
	agg_add_row(a, &row);
	agg_merge(b, a);
	agg_add(b, 1, &ev);
	agg_add(b, 1, &ev);
	t = only_row(b);
	CU_ASSERT_EQUAL(t.requests, UINT64_MAX);
	CU_ASSERT_EQUAL(t.tokens.input, UINT64_MAX);
	CU_ASSERT(t.cost == BR_PICO_MAX);
	agg_free(b);

	/* Events beyond what a row takes as it is: counts of 2^50 and more
	 * (2^51 - 1 to a row of 2^62 - 2^51, AGG_ROOM + 1 times, pass 2^64),
	 * costs of 2^100 and more in magnitude. */
	agg_clear(a);
	row.t = (struct red_totals){
		.tokens = {.input = (UINT64_C(1) << 62) - (UINT64_C(1) << 51)}};
	agg_add_row(a, &row);
	ev = event("p", "m", "bot", (UINT64_C(1) << 51) - 1, 0);
	ev.tokens.output = 0;
	for (int i = 0; i <= AGG_ROOM; i++)
		agg_add(a, 1, &ev);
	CU_ASSERT_EQUAL(only_row(a).tokens.input, UINT64_MAX);
	agg_clear(a);
	ev = event("p", "m", "bot", UINT64_C(1) << 62, (br_pico)1 << 125);
	for (int i = 0; i < 5; i++)
		agg_add(a, 1, &ev);
	ev.tokens.input = 1;
	ev.tokens.output = 0;
	ev.cost = -((br_pico)1 << 100);
	agg_add(a, 1, &ev);
	t = only_row(a);
	CU_ASSERT_EQUAL(t.requests, 6);
	CU_ASSERT_EQUAL(t.tokens.input, UINT64_MAX);
	CU_ASSERT_EQUAL(t.tokens.output, UINT64_MAX);
	CU_ASSERT(t.cost == BR_PICO_MAX - ((br_pico)1 << 100));
	agg_free(a);
}

/* Publishes one segment with rows on days 100..109 whose cost sum passes
 * 2^64 pico-dollars. */
static struct store *store_with_segment(void)
{
	struct br_err err = {0};
	struct store *s = store_open(dir, "UTC", &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL_FATAL(store_lock(s, &err), 0);
	struct agg *a = agg_new();
	br_pico big = (br_pico)INT64_MAX;
	struct br_event ev = event("anthropic", "claude", "\xE6\xB1\x89", 7, big);
	for (int i = 0; i < 20; i++)
		agg_add(a, 100 + i % 10, &ev);
	struct store_input in = {"x.jsonl", br_hash("x", 1), 1, 20, 0xC0FFEE};
	CU_ASSERT_EQUAL(store_publish(s, NULL, a, &in, 1, &err), 0);
	agg_free(a);
	return s;
}

static void test_round_trip(void)
{
	make_dir();
	struct store *s = store_with_segment();
	struct sums t = scan_all(s, NULL);
	CU_ASSERT_EQUAL(t.rows, 10);
	CU_ASSERT_EQUAL(t.requests, 20);
	CU_ASSERT_EQUAL(t.input, 140);
	CU_ASSERT(t.cost == (br_pico)INT64_MAX * 20);
	struct br_err err = {0};
	CU_ASSERT_EQUAL(store_has_input(s, br_hash("x", 1), &err), 1);
	CU_ASSERT_EQUAL(store_has_input(s, br_hash("y", 1), &err), 0);
	struct store_input in;
	CU_ASSERT_EQUAL(store_last_input(s, "x.jsonl", &in, &err), 1);
	CU_ASSERT_EQUAL(in.bytes, 1);
	CU_ASSERT_EQUAL(in.head, 0xC0FFEE);
	CU_ASSERT_EQUAL(store_last_input(s, "y.jsonl", &in, &err), 0);
	/* The newest input of a name, in a segment published after the
	 * inputs were looked up by name (and indexed). */
	struct agg *none = agg_new();
	struct store_input again = {"x.jsonl", br_hash("x2", 2), 5, 0, 0xBEEF};
	CU_ASSERT_EQUAL(store_publish(s, NULL, none, &again, 1, &err), 0);
	agg_free(none);
	CU_ASSERT_EQUAL(store_last_input(s, "x.jsonl", &in, &err), 1);
	CU_ASSERT_EQUAL(in.bytes, 5);
	CU_ASSERT_EQUAL(in.head, 0xBEEF);
	store_free(s);
	/* A fresh reader sees the same. */
	s = store_open(dir, NULL, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	t = scan_all(s, NULL);
	CU_ASSERT(t.cost == (br_pico)INT64_MAX * 20);
	CU_ASSERT_EQUAL(t.min_day, 100);
	CU_ASSERT_EQUAL(t.max_day, 109);
	CU_ASSERT_EQUAL(scan_all(s, "default").rows, 10);
	CU_ASSERT_EQUAL(scan_all(s, "other").rows, 0);
	struct store_query q = {105, 106, NULL};
	struct sums part = {0};
	CU_ASSERT_EQUAL(store_scan(s, &q, sum_rows, &part, &err), 0);
	CU_ASSERT_EQUAL(part.rows, 2);
	CU_ASSERT_EQUAL(store_has_input(s, br_hash("x", 1), &err), 1);
	store_free(s);
	remove_dir();

	/* A log ingested by source a, grown and ingested by source b from
	 * there, then a's segments compacted: a's first ingest of it is now
	 * in the newest segment, and the newest input of its name is still
	 * b's (the longer of the same first bytes). It was a's, and the next
	 * ingest read the log from where a ended, counting b's part again. */
	make_dir();
	s = store_open(dir, "UTC", &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL_FATAL(store_lock(s, &err), 0);
	const char *source[] = {"a", "b", "a"};
	struct store_input ins[] = {{"/l/p.jsonl", br_hash("p1", 2), 10, 1, 0x1234},
				    {"/l/p.jsonl", br_hash("p2", 2), 20, 2, 0x1234},
				    {"/l/q.jsonl", br_hash("q", 1), 5, 1, 0x5678}};
	for (int k = 0; k < 3; k++) {
		struct agg *one = agg_new();
		struct br_event ev = event("openai", "gpt-4o", "bot", 1, 1000000);
		agg_add(one, 100 + k, &ev);
		CU_ASSERT_EQUAL(store_publish(s, source[k], one, &ins[k], 1, &err), 0);
		agg_free(one);
	}
	struct store_compact_stats cs;
	CU_ASSERT_EQUAL(store_compact(s, &cs, &err), 0);
	store_free(s);
	s = store_open(dir, NULL, &err);
	CU_ASSERT_EQUAL(store_last_input(s, "/l/p.jsonl", &in, &err), 1);
	CU_ASSERT_EQUAL(in.bytes, 20);
	store_free(s);
	remove_dir();
}

/* The rows scanned, as "day provider model agent label" lines. */
static int row_line(void *ctx, const struct store_row *r)
{
	br_buf_printf(ctx, "%d %s %s %s %s|", (int)r->day, r->provider,
		      r->model, r->agent, r->label);
	return 0;
}

/* A new store in UTC at dir, locked. */
static struct store *locked_store(void)
{
	make_dir();
	struct br_err err = {0};
	struct store *s = store_open(dir, "UTC", &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL_FATAL(store_lock(s, &err), 0);
	return s;
}

/* A segment keeps its rows by day, then provider, model, agent and label
 * in byte order (a string before the longer ones it begins), whatever the
 * order the names were first seen in (docs/FORMAT.md). */
static void test_row_order(void)
{
	struct br_err err = {0};
	struct store *s = locked_store();
	struct agg *a = agg_new();
	static const char *const names[][3] = {
		{"zeta", "m", "b"},       {"openai", "gpt-4o", "ab"},
		{"openai", "gpt-4", "a"}, {"Z", "m", "\xE6\xB1\x89"},
		{"openai", "gpt-4o", "a"}, {"openai", "gpt-4", "ab"},
	};
	for (int day = 101; day >= 100; day--)
		for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
			struct br_event ev = event(names[i][0], names[i][1],
						   names[i][2], 1, 1);
			agg_add(a, day, &ev);
		}
	struct store_input in = {"x.jsonl", br_hash("x", 1), 1, 12};
	CU_ASSERT_EQUAL_FATAL(store_publish(s, NULL, a, &in, 1, &err), 0);
	agg_free(a);
	struct br_buf got = {0};
	struct store_query q = {BR_DAY_NONE, BR_DAY_NONE, NULL};
	CU_ASSERT_EQUAL(store_scan(s, &q, row_line, &got, &err), 0);
	static const char *const sorted[] = {
		"Z m \xE6\xB1\x89", "openai gpt-4 a", "openai gpt-4 ab",
		"openai gpt-4o a",  "openai gpt-4o ab", "zeta m b",
	};
	struct br_buf want = {0};
	for (int day = 100; day <= 101; day++)
		for (size_t i = 0; i < sizeof sorted / sizeof *sorted; i++)
			br_buf_printf(&want, "%d %s |", day, sorted[i]);
	CU_ASSERT_STRING_EQUAL(got.p, want.p);
	br_buf_free(&got);
	br_buf_free(&want);
	store_free(s);
	remove_dir();
}

/* The rows scanned, checked to come in a segment's order (day, then
 * provider, model, agent and label in byte order), counted. */
struct order_check {
	int rows, out_of_order;
	int day;
	char names[4][32];
};

static int check_order(void *ctx, const struct store_row *r)
{
	struct order_check *c = ctx;
	const char *names[4] = {r->provider, r->model, r->agent, r->label};
	int cmp = c->rows == 0 ? 1 : (r->day > c->day) - (r->day < c->day);
	for (int i = 0; i < 4 && cmp == 0; i++)
		cmp = strcmp(names[i], c->names[i]);
	c->out_of_order += cmp < 0;
	c->rows++;
	c->day = (int)r->day;
	for (int i = 0; i < 4; i++)
		snprintf(c->names[i], sizeof c->names[i], "%s", names[i]);
	return 0;
}

/* A segment of many rows (a radix sort's, not qsort's, since stop 44's
 * helper 201) keeps them in the same order: days before 1970 and more
 * than 65,536 days apart (two passes of the day), names first seen in
 * no order, rows that differ only in their price band. */
static void test_row_order_many(void)
{
	struct br_err err = {0};
	struct store *s = locked_store();
	struct agg *a = agg_new();
	uint64_t x = 12345;
	for (int i = 0; i < 20000; i++) {
		char provider[16], model[16], agent[16], label[16];
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		snprintf(provider, sizeof provider, "p%u", (unsigned)(x >> 60) % 3);
		snprintf(model, sizeof model, "m%u", (unsigned)(x >> 40) % 50);
		snprintf(agent, sizeof agent, "a%u", (unsigned)(x >> 20) % 200);
		snprintf(label, sizeof label, "l%u", (unsigned)(x >> 8) % 10);
		struct br_event ev = event(provider, model, agent, 1, 1);
		ev.label = (struct br_str){label, strlen(label)};
		if (x >> 63)
			ev.band_lo = (x >> 33) % 3 ? 128000 : (uint64_t)1 << 40;
		int32_t day = (int32_t)((x >> 17) % 80001) - 40000;
		agg_add(a, day, &ev);
	}
	CU_ASSERT(agg_rows(a) > 4096);
	struct store_input in = {"x.jsonl", br_hash("x", 1), 1, 12};
	CU_ASSERT_EQUAL_FATAL(store_publish(s, NULL, a, &in, 1, &err), 0);
	struct order_check c = {0};
	struct store_query q = {BR_DAY_NONE, BR_DAY_NONE, NULL};
	CU_ASSERT_EQUAL(store_scan(s, &q, check_order, &c, &err), 0);
	CU_ASSERT_EQUAL(c.rows, (int)agg_rows(a));
	CU_ASSERT_EQUAL(c.out_of_order, 0);
	agg_free(a);
	store_free(s);
	remove_dir();
}

/* Path of the only segment of the store at store_dir. */
static void segment_path(const char *store_dir, char *out, size_t size)
{
	char segdir[128];
	snprintf(segdir, sizeof segdir, "%s/segments", store_dir);
	DIR *d = opendir(segdir);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	struct dirent *e;
	out[0] = 0;
	while ((e = readdir(d)))
		if (strncmp(e->d_name, "seg-", 4) == 0) {
			size_t a = strlen(segdir), b = strlen(e->d_name);
			CU_ASSERT_FATAL(a + b + 2 <= size);
			memcpy(out, segdir, a);
			out[a] = '/';
			memcpy(out + a + 1, e->d_name, b + 1);
		}
	closedir(d);
	CU_ASSERT_FATAL(out[0] != 0);
}

static void count_bad(void *ctx, const char *segment,
		      enum store_verdict verdict, const char *problem)
{
	(void)segment;
	(void)verdict;
	if (problem)
		++*(int *)ctx;
}

static void write_file(const char *path, const unsigned char *p, size_t n)
{
	int fd = open(path, O_WRONLY | O_TRUNC);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(write(fd, p, n) == (ssize_t)n);
	close(fd);
}

/* Reads the path and bytes of the one segment of the store in
 * store_dir; returns the number of bytes read. */
static ssize_t read_segment(const char *store_dir, char *path, size_t pathsize,
			    unsigned char *buf, size_t bufsize)
{
	segment_path(store_dir, path, pathsize);
	int fd = open(path, O_RDONLY);
	CU_ASSERT_FATAL(fd >= 0);
	ssize_t n = read(fd, buf, bufsize);
	close(fd);
	return n;
}

/* Makes a store with one segment; reads the segment's path and bytes. */
static ssize_t one_segment(char *path, size_t pathsize, unsigned char *buf,
			   size_t bufsize)
{
	store_free(store_with_segment());
	return read_segment(dir, path, pathsize, buf, bufsize);
}

/* The events of test_agg_spill: 30,000 over ~2,400 keys (each key in
 * several runs of a small bound), names first seen in no order. */
static void spill_events(struct agg *a, int from, int to)
{
	uint64_t x = 977;
	for (int i = 0; i < to; i++) {
		char model[16], agent[16];
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		if (i < from)
			continue;
		snprintf(model, sizeof model, "m%u", (unsigned)(x >> 40) % 7);
		snprintf(agent, sizeof agent, "a%u", (unsigned)(x >> 20) % 23);
		struct br_event ev = event("p", model, agent, (x >> 8) % 1000,
					   (br_pico)((x >> 24) % 5000000));
		ev.tier = (enum br_tier)((x >> 50) % 2);
		int32_t day = (int32_t)((x >> 17) % 7) + 20000;
		agg_add(a, day, &ev);
	}
}

/* Publishes a into a new store under dir/name; returns the segment's
 * bytes (to be freed) and their number in *n. */
static unsigned char *spill_publish(const char *name, struct agg *a,
				    size_t *n)
{
	char sdir[128], path[256];
	snprintf(sdir, sizeof sdir, "%s/%s", dir, name);
	struct br_err err = {0};
	struct store *s = store_open(sdir, "UTC", &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL_FATAL(store_lock(s, &err), 0);
	struct store_input in = {"x.jsonl", br_hash("x", 1), 1, 30000, 7};
	CU_ASSERT_EQUAL_FATAL(store_publish(s, NULL, a, &in, 1, &err), 0);
	store_free(s);
	static unsigned char buf[1 << 20];
	ssize_t got = read_segment(sdir, path, sizeof path, buf, sizeof buf);
	CU_ASSERT_FATAL(got > 0 && (size_t)got < sizeof buf);
	*n = (size_t)got;
	unsigned char *out = br_malloc(*n);
	memcpy(out, buf, *n);
	return out;
}

/* An aggregate that spills its rows to a file (agg_spill_at) past a
 * bound gives the segment it gives in memory, byte for byte but for its
 * creation time and checksums: rows of one key in several runs summed,
 * its runs merged in order; merged into another aggregate that spills
 * too (an input's into the run's) likewise, and agg_scan gives each key
 * once with the same sums. */
static void test_agg_spill(void)
{
	make_dir();
	struct agg *mem = agg_new(), *spilled = agg_new(), *run = agg_new(),
		   *part = agg_new(), *tiny = agg_new();
	spill_events(mem, 0, 30000);
	agg_spill_at(spilled, 100);
	spill_events(spilled, 0, 30000);
	/* ~3,000 runs: read 16 rows at a time (MERGE_BUFFERS) */
	agg_spill_at(tiny, 9);
	spill_events(tiny, 0, 30000);
	CU_ASSERT(tiny->nruns > 2000);
	agg_spill_at(run, 37);
	agg_spill_at(part, 50);
	spill_events(run, 0, 11000);
	spill_events(part, 11000, 30000);
	agg_merge(run, part);
	size_t keys = agg_rows(mem);
	CU_ASSERT(keys > 1000 && keys < 3000);
	CU_ASSERT(agg_rows(spilled) > keys); /* a key in several runs */
	struct sums a = {0}, b = {0}, c = {0};
	CU_ASSERT_EQUAL(agg_scan(mem, "t", sum_rows, &a), 0);
	CU_ASSERT_EQUAL(agg_scan(spilled, "t", sum_rows, &b), 0);
	CU_ASSERT_EQUAL(agg_scan(run, "t", sum_rows, &c), 0);
	CU_ASSERT_EQUAL(b.rows, keys);
	CU_ASSERT_EQUAL(c.rows, keys);
	CU_ASSERT(a.requests == 30000 && b.requests == 30000 && c.requests == 30000);
	CU_ASSERT(a.input == b.input && a.input == c.input);
	CU_ASSERT(a.cost == b.cost && a.cost == c.cost);
	size_t n[4];
	unsigned char *seg[4] = {spill_publish("mem", mem, &n[0]),
				 spill_publish("spilled", spilled, &n[1]),
				 spill_publish("run", run, &n[2]),
				 spill_publish("tiny", tiny, &n[3])};
	CU_ASSERT(n[0] > 128 + 184 * 1000);
	for (int i = 1; i < 4; i++) {
		CU_ASSERT_EQUAL_FATAL(n[i], n[0]);
		/* but for bytes 24-31 (the creation time), the header's CRC
		 * and the trailer's */
		CU_ASSERT(memcmp(seg[i], seg[0], 24) == 0);
		CU_ASSERT(memcmp(seg[i] + 32, seg[0] + 32, 124 - 32) == 0);
		CU_ASSERT(memcmp(seg[i] + 128, seg[0] + 128, n[0] - 128 - 12) == 0);
	}
	for (int i = 0; i < 4; i++)
		free(seg[i]);
	agg_free(tiny);
	agg_free(mem);
	agg_free(spilled);
	agg_free(run);
	agg_free(part);
	remove_dir();
}

static size_t compact_store(const char *name);

/* agg_add_row's callback for a store_scan or agg_scan. */
static int add_row(void *ctx, const struct store_row *r)
{
	agg_add_row(ctx, r);
	return 0;
}

/* Rows added one by one (agg_add_row: how a compaction and a merge sum a
 * store's rows) keep the bound of agg_spill_at too: past it they are
 * spilled, and give the same sums and the same segment, byte for byte
 * but for its creation time and checksums. Until stop 47 agg_add_row
 * ignored the bound: a compaction held every row (800 MB for 1.89M). */
static void test_agg_add_row_spill(void)
{
	make_dir();
	struct agg *mem = agg_new(), *rows = agg_new();
	spill_events(mem, 0, 30000);
	agg_spill_at(rows, 50);
	CU_ASSERT_EQUAL(agg_scan(mem, "t", add_row, rows), 0);
	CU_ASSERT_EQUAL(agg_scan(mem, "t", add_row, rows), 0); /* twice */
	size_t keys = agg_rows(mem);
	CU_ASSERT(rows->nruns > 2 * keys / 50 - 2);
	CU_ASSERT(rows->nrows <= 50);
	struct sums a = {0}, b = {0};
	CU_ASSERT_EQUAL(agg_scan(mem, "t", sum_rows, &a), 0);
	CU_ASSERT_EQUAL(agg_scan(rows, "t", sum_rows, &b), 0);
	CU_ASSERT_EQUAL(b.rows, keys);
	CU_ASSERT(b.requests == 2 * a.requests && b.input == 2 * a.input &&
		  b.cost == 2 * a.cost);
	/* mem twice, in memory: the segment of rows */
	struct agg *twice = agg_new();
	CU_ASSERT_EQUAL(agg_scan(mem, "t", add_row, twice), 0);
	CU_ASSERT_EQUAL(agg_scan(mem, "t", add_row, twice), 0);
	CU_ASSERT_EQUAL(twice->nruns, 0);
	size_t n[2];
	unsigned char *seg[2] = {spill_publish("twice", twice, &n[0]),
				 spill_publish("rows", rows, &n[1])};
	CU_ASSERT_EQUAL_FATAL(n[1], n[0]);
	CU_ASSERT(memcmp(seg[1], seg[0], 24) == 0);
	CU_ASSERT(memcmp(seg[1] + 32, seg[0] + 32, 124 - 32) == 0);
	CU_ASSERT(memcmp(seg[1] + 128, seg[0] + 128, n[0] - 128 - 12) == 0);
	free(seg[0]);
	free(seg[1]);
	agg_free(twice);
	agg_free(rows);
	agg_free(mem);
	remove_dir();
}

/* The number of files open in this process. */
static size_t open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	size_t n = 0;
	for (struct dirent *e; (e = readdir(d));)
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1; /* d's own */
}

/* A reader without the lock keeps a large segment's file open, not its
 * rows (SEG_FD_BYTES), and reads them when it scans: a compaction that
 * removes the file in between changes nothing for it (what is open
 * stays readable), and a small segment's rows are kept as before. */
static void test_reader_outlives_compaction(void)
{
	make_dir();
	char sdir[128];
	snprintf(sdir, sizeof sdir, "%s/rc", dir);
	struct br_err err = {0};
	struct store *w = store_open(sdir, "UTC", &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	CU_ASSERT_EQUAL_FATAL(store_lock(w, &err), 0);
	for (int k = 0; k < 3; k++) {
		/* two of ~2,400 rows (440 KB), one of a row */
		struct agg *a = agg_new();
		if (k < 2) {
			spill_events(a, 0, 30000);
		} else {
			struct br_event ev = event("p", "m", "bot", 5, 1);
			agg_add(a, 20000, &ev);
		}
		char name[8] = {(char)('a' + k)};
		struct store_input in = {name, br_hash(name, 1), 1, 1, 7};
		CU_ASSERT_EQUAL_FATAL(store_publish(w, NULL, a, &in, 1, &err), 0);
		agg_free(a);
	}
	store_free(w);
	size_t fds = open_fds();
	struct store *r = store_open(sdir, NULL, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	struct sums before = scan_all(r, NULL);
	CU_ASSERT_EQUAL(open_fds(), fds + 2); /* the two large files */
	CU_ASSERT_EQUAL(before.requests, 60001);
	CU_ASSERT_EQUAL(compact_store("rc"), 3);
	char seg[256];
	snprintf(seg, sizeof seg, "%s/segments/seg-0000000000000001.brs", sdir);
	CU_ASSERT_NOT_EQUAL(access(seg, F_OK), 0); /* removed */
	struct sums after = scan_all(r, NULL);
	CU_ASSERT(after.rows == before.rows && after.requests == 60001 &&
		  after.input == before.input && after.cost == before.cost);
	store_free(r);
	CU_ASSERT_EQUAL(open_fds(), fds); /* closed with the store */
	r = store_open(sdir, NULL, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	struct sums compacted = scan_all(r, NULL);
	CU_ASSERT(compacted.requests == 60001 && compacted.input == before.input &&
		  compacted.cost == before.cost);
	store_free(r);
	remove_dir();
}

/* An aggregate whose spilled rows cannot be read back (its file now
 * /dev/null: every read ends at once, EIO) fails the publish naming
 * that, and publishes nothing: no segment, no temporary file; merged
 * into another aggregate, that one fails its publish too. */
static void test_agg_spill_unreadable(void)
{
	struct store *s = locked_store();
	struct agg *a = agg_new(), *run = agg_new();
	agg_spill_at(a, 100);
	spill_events(a, 0, 5000);
	CU_ASSERT_FATAL(a->nruns > 0);
	int null = open("/dev/null", O_RDONLY);
	CU_ASSERT_FATAL(null >= 0);
	CU_ASSERT_FATAL(dup2(null, a->spill_fd) == a->spill_fd);
	close(null);
	struct br_err err = {0};
	struct store_input in = {"x.jsonl", br_hash("x", 1), 1, 5000, 7};
	CU_ASSERT_EQUAL(store_publish(s, NULL, a, &in, 1, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "cannot read the rows kept in a "
				      "temporary file: Input/output error"));
	agg_merge(run, a);
	CU_ASSERT_EQUAL(agg_error(run), EIO);
	err = (struct br_err){0};
	CU_ASSERT_EQUAL(store_publish(s, NULL, run, &in, 1, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "temporary file"));
	char segdir[128];
	snprintf(segdir, sizeof segdir, "%s/segments", dir);
	DIR *d = opendir(segdir);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	struct dirent *e;
	while ((e = readdir(d)))
		CU_ASSERT(e->d_name[0] == '.' &&
			  (!e->d_name[1] || !strcmp(e->d_name, "..")));
	closedir(d);
	agg_free(a);
	agg_free(run);
	store_free(s);
	remove_dir();
}

static void test_every_bit_flip(void)
{
	make_dir();
	char path[512];
	unsigned char buf[8192];
	ssize_t n = one_segment(path, sizeof path, buf, sizeof buf);
	CU_ASSERT_FATAL(n > 200 && n < (ssize_t)sizeof buf);
	struct br_err err = {0};
	int undetected = 0;
	for (ssize_t byte = 0; byte < n; byte++) {
		for (int bit = 0; bit < 8; bit++) {
			buf[byte] ^= (unsigned char)(1 << bit);
			write_file(path, buf, (size_t)n);
			struct store *s = store_open(dir, NULL, &err);
			int bad = 0;
			CU_ASSERT_EQUAL(store_verify(s, count_bad, &bad, &err), 1);
			struct sums t;
			struct store_query q = {BR_DAY_NONE, BR_DAY_NONE, NULL};
			br_err_clear(&err);
			if (bad != 1 || store_scan(s, &q, sum_rows, &t, &err) != -1)
				undetected++;
			else if (!strstr(err.msg, path))
				undetected++;
			br_err_clear(&err);
			store_free(s);
			buf[byte] ^= (unsigned char)(1 << bit);
		}
	}
	CU_ASSERT_EQUAL(undetected, 0);
	/* Every truncation, too. */
	for (ssize_t len = 0; len < n; len++) {
		write_file(path, buf, (size_t)len);
		struct store *s = store_open(dir, NULL, &err);
		int bad = 0;
		CU_ASSERT_EQUAL(store_verify(s, count_bad, &bad, &err), 1);
		store_free(s);
	}
	write_file(path, buf, (size_t)n);
	struct store *s = store_open(dir, NULL, &err);
	int bad = 0;
	CU_ASSERT_EQUAL(store_verify(s, count_bad, &bad, &err), 0);
	store_free(s);
	remove_dir();
}

/* Sums saturate, never overflow; a row's cost is at most 2^100
 * pico-dollars: beyond, a segment is corrupt and a run or compaction that
 * would write one fails (FINDINGS.md, C). */
static void test_cost_bounds(void)
{
	struct red_totals a = {.requests = UINT64_MAX - 1,
			       .tokens = {.input = UINT64_MAX},
			       .cost = BR_PICO_MAX - 1, .calc_cost = -BR_PICO_MAX,
			       .logged_cost = 7};
	struct red_totals b = {.requests = 5, .tokens = {.input = 1, .output = 2},
			       .cost = 5, .calc_cost = -1, .logged_cost = -9};
	red_totals_add(&a, &b);
	CU_ASSERT_EQUAL(a.requests, UINT64_MAX);
	CU_ASSERT_EQUAL(a.tokens.input, UINT64_MAX);
	CU_ASSERT_EQUAL(a.tokens.output, 2);
	CU_ASSERT(a.cost == BR_PICO_MAX);
	CU_ASSERT(a.calc_cost == -BR_PICO_MAX);
	CU_ASSERT(a.logged_cost == -2);
	/* Costs on either side of 2^64 in magnitude, and sums on either side
	 * of -2^127 + 2^64 (red_totals_add sums without br_pico_add's call
	 * those that do not overflow and whose high word is not -2^63's),
	 * sum the same. */
	const br_pico w = (br_pico)1 << 64;
	const br_pico sides[] = {0, 1, -1, w - 1, w, -w, -w - 1, w + w / 2,
				 BR_PICO_MAX, -BR_PICO_MAX, BR_PICO_MAX - w,
				 -BR_PICO_MAX + w, -BR_PICO_MAX + w - 1};
	for (size_t i = 0; i < sizeof sides / sizeof sides[0]; i++)
		for (size_t j = 0; j < sizeof sides / sizeof sides[0]; j++) {
			struct red_totals x = {.cost = sides[i],
					       .calc_cost = sides[j],
					       .logged_cost = sides[i]};
			struct red_totals y = {.cost = sides[j],
					       .calc_cost = sides[i],
					       .logged_cost = -sides[j]};
			red_totals_add(&x, &y);
			CU_ASSERT(x.cost == br_pico_add(sides[i], sides[j]));
			CU_ASSERT(x.calc_cost == br_pico_add(sides[j], sides[i]));
			CU_ASSERT(x.logged_cost ==
				  br_pico_add(sides[i], -sides[j]));
		}
	CU_ASSERT(br_pico_add(-BR_PICO_MAX, -BR_PICO_MAX) == -BR_PICO_MAX);
	CU_ASSERT(br_pico_add(BR_PICO_MAX, -BR_PICO_MAX) == 0);
	CU_ASSERT(br_pico_mul(BR_PICO_MAX / 2, 100) == BR_PICO_MAX);
	CU_ASSERT(br_pico_mul(-BR_PICO_MAX / 2, 100) == -BR_PICO_MAX);
	CU_ASSERT(br_pico_mul(BR_PICO_MAX / 2, -3) == -BR_PICO_MAX);
	CU_ASSERT(br_pico_mul(-7, 100) == -700);

	/* A row beyond the bound is never published. */
	make_dir();
	struct br_err err = {0};
	struct store *s = store_open(dir, "UTC", &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL_FATAL(store_lock(s, &err), 0);
	const br_pico bound = (br_pico)1 << 100;
	struct agg *g = agg_new();
	struct br_event ev = event("openai", "gpt-4o", "bot", 1, bound);
	agg_add(g, 100, &ev);
	agg_add(g, 101, &ev);
	agg_add(g, 101, &ev);
	struct store_input in = {"x.jsonl", br_hash("x", 1), 1, 3};
	CU_ASSERT_EQUAL(store_publish(s, NULL, g, &in, 1, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "cannot store the cost of "
					   "openai/gpt-4o on 1970-04-12"));
	CU_ASSERT_EQUAL(scan_all(s, NULL).rows, 0);
	agg_free(g);

	/* Two rows at the bound: published, summed; merged into one row,
	 * they would pass it: the compaction fails and changes nothing. */
	br_err_clear(&err);
	for (int i = 0; i < 2; i++) {
		g = agg_new();
		agg_add(g, 100, &ev);
		in.fp = br_hash(i ? "y" : "x", 1);
		CU_ASSERT_EQUAL(store_publish(s, NULL, g, &in, 1, &err), 0);
		agg_free(g);
	}
	struct sums t = scan_all(s, NULL);
	CU_ASSERT(t.rows == 2 && t.cost == 2 * bound);
	struct store_compact_stats st;
	CU_ASSERT_EQUAL(store_compact(s, &st, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "cannot store the cost of"));
	store_free(s);
	int bad = 0;
	s = store_open(dir, NULL, &err);
	CU_ASSERT_EQUAL(store_verify(s, count_bad, &bad, &err), 0);
	t = scan_all(s, NULL);
	CU_ASSERT(t.rows == 2 && t.cost == 2 * bound);
	store_free(s);
	remove_dir();

	/* A segment whose row says more, with right checksums: corrupt. */
	make_dir();
	char path[512];
	unsigned char buf[8192];
	ssize_t n = one_segment(path, sizeof path, buf, sizeof buf);
	CU_ASSERT_FATAL(n > 200 && n < (ssize_t)sizeof buf);
	unsigned char want[16] = {0}, huge[16] = {0};
	br_pico row_cost = (br_pico)INT64_MAX * 2;
	for (int i = 0; i < 16; i++)
		want[i] = (unsigned char)(row_cost >> (8 * i));
	huge[12] = 0x20; /* 2^101 */
	unsigned char *at = memmem(buf, (size_t)n, want, sizeof want);
	CU_ASSERT_PTR_NOT_NULL_FATAL(at);
	memcpy(at, huge, sizeof huge);
	uLong c = crc32(crc32(0L, NULL, 0), buf, (uInt)(n - 12));
	for (int i = 0; i < 4; i++)
		buf[n - 12 + i] = (unsigned char)(c >> (8 * i));
	write_file(path, buf, (size_t)n);
	s = store_open(dir, NULL, &err);
	struct store_query q = {BR_DAY_NONE, BR_DAY_NONE, NULL};
	br_err_clear(&err);
	CU_ASSERT_EQUAL(store_scan(s, &q, sum_rows, &t, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "a cost beyond 2^100 pico-dollars"));
	store_free(s);
	remove_dir();
}

/* A segment that cannot be read is no corrupt one: the message says why,
 * without the advice for corrupt segments, and --skip-corrupt does not
 * leave it out (FINDINGS.md, H). */
static void test_unreadable_segment(void)
{
	make_dir();
	char path[512];
	unsigned char buf[8192];
	one_segment(path, sizeof path, buf, sizeof buf);
	const char *want;
	if (geteuid() != 0) {
		CU_ASSERT_EQUAL_FATAL(chmod(path, 0), 0);
		want = "cannot read: Permission denied";
	} else {
		/* Permissions do not stop root: a directory cannot be read
		 * either. */
		CU_ASSERT_EQUAL_FATAL(unlink(path), 0);
		CU_ASSERT_EQUAL_FATAL(mkdir(path, 0755), 0);
		want = "cannot read: Is a directory";
	}
	for (int skip = 0; skip < 2; skip++) {
		struct br_err err = {0};
		struct store *s = store_open(dir, NULL, &err);
		CU_ASSERT_PTR_NOT_NULL_FATAL(s);
		if (skip)
			store_skip_corrupt(s);
		struct sums t;
		struct store_query q = {BR_DAY_NONE, BR_DAY_NONE, NULL};
		CU_ASSERT_EQUAL(store_scan(s, &q, sum_rows, &t, &err), -1);
		CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, path));
		CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, want));
		CU_ASSERT_PTR_NULL(strstr(err.msg, "corrupt"));
		CU_ASSERT_PTR_NULL(strstr(err.msg, "verify"));
		store_free(s);
	}
	if (geteuid() != 0)
		chmod(path, 0644);
	else
		rmdir(path);
	remove_dir();
}

/* A segment under another name than its sequence number's is refused:
 * readers order segments by name (found by fuzz_segment: a compaction
 * counted such a store twice). */
static void test_renamed_segment(void)
{
	make_dir();
	char path[512], moved[600];
	unsigned char buf[8192];
	one_segment(path, sizeof path, buf, sizeof buf);
	snprintf(moved, sizeof moved, "%s/segments/seg-0000000000000007.brs", dir);
	CU_ASSERT_EQUAL_FATAL(rename(path, moved), 0);
	struct br_err err = {0};
	struct store *s = store_open(dir, NULL, &err);
	int bad = 0;
	CU_ASSERT_EQUAL(store_verify(s, count_bad, &bad, &err), 1);
	struct sums t;
	struct store_query q = {BR_DAY_NONE, BR_DAY_NONE, NULL};
	CU_ASSERT_EQUAL(store_scan(s, &q, sum_rows, &t, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "its sequence number 1 does not "
					   "match its file name"));
	store_free(s);
	remove_dir();
}

/* A store whose one segment has header byte at set to v (its header
 * checksum made right) refuses to be read, with an error holding want. */
static void refused_header(size_t at, unsigned char v, const char *want)
{
	make_dir();
	char path[512];
	unsigned char buf[8192];
	ssize_t n = one_segment(path, sizeof path, buf, sizeof buf);
	buf[at] = v;
	uLong c = crc32(crc32(0L, NULL, 0), buf, 124);
	for (int i = 0; i < 4; i++)
		buf[124 + i] = (unsigned char)(c >> (8 * i));
	write_file(path, buf, (size_t)n);
	struct br_err err = {0};
	struct store *s = store_open(dir, NULL, &err);
	struct sums t;
	struct store_query q = {BR_DAY_NONE, BR_DAY_NONE, NULL};
	CU_ASSERT_EQUAL(store_scan(s, &q, sum_rows, &t, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, want));
	store_free(s);
	remove_dir();
}

static void test_newer_version(void)
{
	refused_header(8, 5, "newer than this burnrate");
	/* Version 4 is a merge's group of segments: not one of the store's
	 * own. */
	refused_header(8, 4, "a group of a merge's segments that is not merged");
	/* Reserved bytes, version 1's 76-123 (version 2 gave 76-87 a
	 * meaning): a writer that used them without a new version. */
	refused_header(76, 1, "reserved header byte 76 is 1, not 0");
	refused_header(123, 0x80, "reserved header byte 123 is 128, not 0");
}

static void test_streams(void)
{
	make_dir();
	struct br_err err = {0};
	struct store *s = store_open(dir, "UTC", &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	struct store_stream *got;
	size_t n;
	store_streams_read(s, &got, &n); /* none yet */
	CU_ASSERT_EQUAL(n, 0);
	CU_ASSERT_PTR_NULL(got);
	size_t many = STORE_STREAMS_MAX + 1;
	struct store_stream *v = calloc(many, sizeof *v);
	for (size_t i = 0; i < many; i++)
		v[i] = (struct store_stream){i + 1, {i, ~i}, 7 * i, {3 * i, i << 7}};
	/* Without the lock: refused, nothing written. */
	CU_ASSERT_EQUAL(store_streams_write(s, v, 2, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "without the store lock"));
	br_err_clear(&err);
	CU_ASSERT_EQUAL_FATAL(store_lock(s, &err), 0);
	/* The first STORE_STREAMS_MAX are kept, in order. */
	CU_ASSERT_EQUAL_FATAL(store_streams_write(s, v, many, &err), 0);
	store_streams_read(s, &got, &n);
	CU_ASSERT_EQUAL_FATAL(n, STORE_STREAMS_MAX);
	CU_ASSERT(memcmp(got, v, n * sizeof *v) == 0);
	free(got);
	/* A torn file, or any byte changed, is none. */
	char path[128];
	snprintf(path, sizeof path, "%s/streams", dir);
	CU_ASSERT_EQUAL_FATAL(store_streams_write(s, v, 3, &err), 0);
	struct stat sb;
	CU_ASSERT_EQUAL_FATAL(stat(path, &sb), 0);
	CU_ASSERT_EQUAL(sb.st_size, 16 + 3 * 48 + 4);
	for (off_t at = 0; at < sb.st_size; at += 5) {
		int fd = open(path, O_RDWR);
		unsigned char c;
		CU_ASSERT_EQUAL_FATAL(pread(fd, &c, 1, at), 1);
		c ^= 0x10;
		CU_ASSERT_EQUAL(pwrite(fd, &c, 1, at), 1);
		store_streams_read(s, &got, &n);
		CU_ASSERT_EQUAL(n, 0);
		c ^= 0x10;
		CU_ASSERT_EQUAL(pwrite(fd, &c, 1, at), 1);
		close(fd);
	}
	CU_ASSERT_EQUAL(truncate(path, sb.st_size - 1), 0);
	store_streams_read(s, &got, &n);
	CU_ASSERT_EQUAL(n, 0);
	free(v);
	store_free(s);
	remove_dir();
}

/* Closes the descriptor *arg after 5 ms, releasing its flock. */
static void *unlock_soon(void *arg)
{
	usleep(5000);
	close(*(int *)arg);
	return NULL;
}

/* Writes into the lock file at path the pid of a process that has ended,
 * as the store's last writer, long gone, left it; returns that pid. */
static pid_t ended_writer(const char *path)
{
	pid_t ended = fork();
	CU_ASSERT_FATAL(ended >= 0);
	if (ended == 0)
		_exit(0);
	waitpid(ended, NULL, 0);
	FILE *lf = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(lf);
	fprintf(lf, "%ld\n", (long)ended);
	fclose(lf);
	return ended;
}

static void test_lock(void)
{
	make_dir();
	struct br_err err = {0};
	int ready[2], done[2];
	CU_ASSERT_FATAL(pipe(ready) == 0 && pipe(done) == 0);
	pid_t pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		struct store *s = store_open(dir, "UTC", &err);
		char c = s && store_lock(s, &err) == 0 ? 'y' : 'n';
		ssize_t w = write(ready[1], &c, 1);
		ssize_t r = read(done[0], &c, 1);
		(void)w;
		(void)r;
		_exit(0);
	}
	char c = 0;
	CU_ASSERT_EQUAL(read(ready[0], &c, 1), 1);
	CU_ASSERT_EQUAL(c, 'y');
	struct store *s = store_open(dir, NULL, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(store_lock(s, &err), -1);
	CU_ASSERT_EQUAL(err.status, BR_EXIT_TEMPFAIL);
	char expect[512];
	snprintf(expect, sizeof expect, "store '%s': locked by pid %ld, another "
		 "burnrate writing it (try again once it ends)", dir, (long)pid);
	CU_ASSERT_STRING_EQUAL(err.msg, expect);
	/* A holder that dies releases the lock. */
	CU_ASSERT_EQUAL(write(done[1], "x", 1), 1);
	waitpid(pid, NULL, 0);
	br_err_clear(&err);
	CU_ASSERT_EQUAL(store_lock(s, &err), 0);
	store_free(s);
	/* Held shared for a few milliseconds, as verify does to tell whether
	 * a merge is running, it is taken once released: a writer starting
	 * then failed at once, "locked by pid", exit 75. Held on, it is not. */
	char lockpath[512];
	snprintf(lockpath, sizeof lockpath, "%s/lock", dir);
	int fd = open(lockpath, O_RDONLY);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(flock(fd, LOCK_SH), 0);
	s = store_open(dir, NULL, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(store_lock(s, &err), -1);
	CU_ASSERT_EQUAL(err.status, BR_EXIT_TEMPFAIL);
	/* Released 5 ms on: taken, in one of ten tries (a loaded machine
	 * may not run the releasing thread within the 50 ms: a make check
	 * at a load of ~12 failed so once). Without the retry every try
	 * fails. */
	int taken = -1;
	for (int attempt = 0; attempt < 10 && taken != 0; attempt++) {
		if (attempt) {
			fd = open(lockpath, O_RDONLY);
			CU_ASSERT_FATAL(fd >= 0);
			CU_ASSERT_EQUAL(flock(fd, LOCK_SH), 0);
		}
		br_err_clear(&err);
		pthread_t releaser;
		CU_ASSERT_EQUAL_FATAL(
			pthread_create(&releaser, NULL, unlock_soon, &fd), 0);
		taken = store_lock(s, &err);
		pthread_join(releaser, NULL);
	}
	CU_ASSERT_EQUAL(taken, 0);
	store_free(s);
	/* Held on by a process that is no writer (verify, flock(1)): the
	 * lock file names the last writer, ended, which is not said to hold
	 * it; or none. */
	pid_t ended = ended_writer(lockpath);
	fd = open(lockpath, O_RDONLY);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(flock(fd, LOCK_SH), 0);
	s = store_open(dir, NULL, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	br_err_clear(&err);
	CU_ASSERT_EQUAL(store_lock(s, &err), -1);
	CU_ASSERT_EQUAL(err.status, BR_EXIT_TEMPFAIL);
	snprintf(expect, sizeof expect, "store '%s': locked by another "
		 "process, not its last writer (pid %ld, ended): a 'burnrate "
		 "verify', a lock taken outside burnrate, or a writer just "
		 "starting (try again once it is released)", dir, (long)ended);
	CU_ASSERT_STRING_EQUAL(err.msg, expect);
	CU_ASSERT_EQUAL(truncate(lockpath, 0), 0);
	br_err_clear(&err);
	CU_ASSERT_EQUAL(store_lock(s, &err), -1);
	CU_ASSERT_EQUAL(err.status, BR_EXIT_TEMPFAIL);
	snprintf(expect, sizeof expect, "store '%s': locked by another "
		 "process, its lock file names none: a 'burnrate verify', a "
		 "lock taken outside burnrate, or a writer just starting (try "
		 "again once it is released)", dir);
	CU_ASSERT_STRING_EQUAL(err.msg, expect);
	close(fd);
	/* Taken, it names its writer over a longer pid: only that is left. */
	FILE *lf = fopen(lockpath, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(lf);
	fprintf(lf, "%ld\n", 1234567890L);
	fclose(lf);
	br_err_clear(&err);
	CU_ASSERT_EQUAL(store_lock(s, &err), 0);
	/* Then where it runs: its host and pid namespace. */
	char held[600], mine[600], host[256] = "";
	lf = fopen(lockpath, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(lf);
	size_t got = fread(held, 1, sizeof held - 1, lf);
	held[got] = 0;
	fclose(lf);
	struct stat ns;
	CU_ASSERT_EQUAL(gethostname(host, sizeof host - 1), 0);
	CU_ASSERT_EQUAL(stat("/proc/self/ns/pid", &ns), 0);
	snprintf(mine, sizeof mine, "%ld\nhost %s pidns %llu\n",
		 (long)getpid(), host, (unsigned long long)ns.st_ino);
	CU_ASSERT_STRING_EQUAL(held, mine);
	store_free(s);
	/* Publishing without the lock is refused. */
	s = store_open(dir, NULL, &err);
	struct agg *a = agg_new();
	struct br_event ev = event("p", "m", "", 1, 1);
	agg_add(a, 1, &ev);
	CU_ASSERT_EQUAL(store_publish(s, NULL, a, NULL, 0, &err), -1);
	agg_free(a);
	store_free(s);
	remove_dir();
}

static void test_replace(void)
{
	make_dir();
	struct store *s = store_with_segment();
	struct br_err err = {0};
	/* A backfill of days 102..104 hides the old rows of those days. */
	struct agg *a = agg_new();
	struct br_event ev = event("anthropic", "claude", "x", 1000, 1);
	agg_add(a, 103, &ev);
	CU_ASSERT_EQUAL(store_publish_replace(s, "default", a, NULL, 0, 102, 104,
					      &err), 0);
	/* Another source is not affected by it. */
	CU_ASSERT_EQUAL(store_publish(s, "other", a, NULL, 0, &err), 0);
	agg_free(a);
	struct sums t = scan_all(s, "default");
	CU_ASSERT_EQUAL(t.rows, 8);         /* 10 - 3 + 1 */
	CU_ASSERT_EQUAL(t.requests, 20 - 6 + 1);
	CU_ASSERT_EQUAL(scan_all(s, "other").requests, 1);
	store_free(s);
	remove_dir();
}

static void test_meta(void)
{
	make_dir();
	struct br_err err = {0};
	CU_ASSERT_EQUAL(store_init(dir, "Europe/Paris", &err), 0);
	CU_ASSERT_EQUAL(store_init(dir, "Europe/Paris", &err), 0);
	CU_ASSERT_EQUAL(store_init(dir, "UTC", &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "Europe/Paris"));
	br_err_clear(&err);
	struct store *s = store_open(dir, NULL, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_STRING_EQUAL(br_tz_name(store_tz(s)), "Europe/Paris");
	store_free(s);
	CU_ASSERT_PTR_NULL(store_open("/nonexistent/store", NULL, &err));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "/nonexistent/store"));
	/* A zone in the file that cannot be loaded is a damaged store:
	 * status BR_EXIT_FAILURE and the file named (it was a usage error
	 * that named neither), for store_init too. */
	char meta[128];
	snprintf(meta, sizeof meta, "%s/burnrate.store", dir);
	static const char bad[] = "burnrate store\nversion 1\ntimezone Nowhere/X\n";
	write_file(meta, (const unsigned char *)bad, sizeof bad - 1);
	br_err_clear(&err);
	CU_ASSERT_PTR_NULL(store_open(dir, NULL, &err));
	CU_ASSERT_EQUAL(err.status, BR_EXIT_FAILURE);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, meta));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "Nowhere/X"));
	br_err_clear(&err);
	CU_ASSERT_EQUAL(store_init(dir, "UTC", &err), -1);
	CU_ASSERT_EQUAL(err.status, BR_EXIT_FAILURE);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, meta));
	remove_dir();
}

/* Publishes into the store dir/name a segment of source: one request
 * of tokens input tokens on day, covering the inputs names (each
 * fingerprinted by its name); with backfill, replacing that day. */
static void put_segment(const char *name, const char *source, int32_t day,
			uint64_t tokens, const char *const *names, size_t n,
			bool backfill)
{
	char path[128];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	struct br_err err = {0};
	struct store *s = store_open(path, "UTC", &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL_FATAL(store_lock(s, &err), 0);
	struct agg *a = agg_new();
	struct br_event ev = event("p", "m", "bot", tokens, 1);
	agg_add(a, day, &ev);
	struct store_input in[4];
	for (size_t i = 0; i < n; i++)
		in[i] = (struct store_input){names[i],
					     br_hash(names[i], strlen(names[i])), 1, 1};
	CU_ASSERT_EQUAL(backfill ? store_publish_replace(s, source, a, in, n, day,
							 day, &err)
				 : store_publish(s, source, a, in, n, &err), 0);
	agg_free(a);
	store_free(s);
}

/* Publishes three segments into the store dir/name, one request each on
 * day 100, of 1, 2 and 4 input tokens, from inputs a, b and c (what a
 * compaction folds into seg-0000000000000004.brs). */
static void three_segments(const char *name)
{
	const char *a[] = {"a"}, *b[] = {"b"}, *c[] = {"c"};
	put_segment(name, "default", 100, 1, a, 1, false);
	put_segment(name, "default", 100, 2, b, 1, false);
	put_segment(name, "default", 100, 4, c, 1, false);
}

/* Compacts the store dir/name; returns how many segments it removed. */
static size_t compact_store(const char *name)
{
	char path[128];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	struct br_err err = {0};
	struct store *s = store_open(path, NULL, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL_FATAL(store_lock(s, &err), 0);
	struct store_compact_stats cs;
	CU_ASSERT_EQUAL_FATAL(store_compact(s, &cs, &err), 0);
	store_free(s);
	return cs.removed;
}

/* What verify_compacted's callback saw. */
struct verify_seen {
	int calls, bad;
};

/* A store_verify callback that, at its first call, compacts the store
 * dir/v and corrupts the segment that replaces the ones verify listed. */
static void compact_under_verify(void *ctx, const char *segment,
				 enum store_verdict verdict, const char *problem)
{
	(void)segment;
	(void)verdict;
	struct verify_seen *seen = ctx;
	seen->bad += problem != NULL;
	if (seen->calls++)
		return;
	char path[128];
	snprintf(path, sizeof path, "%s/v", dir);
	CU_ASSERT_EQUAL(compact_store("v"), 3);
	char seg[256];
	unsigned char buf[8192];
	ssize_t n = read_segment(path, seg, sizeof seg, buf, sizeof buf);
	CU_ASSERT_FATAL(n > 100 && n < (ssize_t)sizeof buf);
	buf[n / 2] ^= 1;
	write_file(seg, buf, (size_t)n);
}

/* A compaction that removes segments verify listed makes it check the
 * segment that replaced them (it was left unchecked). */
/* A segment larger than readers take (red_segment_max) is not published:
 * compact published one and removed the segments it replaced, and the
 * store could no longer be read. */
static void test_segment_max(void)
{
	make_dir();
	size_t was = red_segment_max;
	struct br_err err = {0};
	struct store *s = store_open(dir, "UTC", &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL_FATAL(store_lock(s, &err), 0);
	/* Two segments of 20 rows each; the bound just over the larger: one
	 * of their 40 rows would pass it. */
	size_t largest = 0;
	for (int k = 0; k < 2; k++) {
		struct agg *a = agg_new();
		for (int d = 0; d < 20; d++) {
			struct br_event ev = event("openai", "gpt-4o", "bot", 1,
						   1000000);
			agg_add(a, 100 + 20 * k + d, &ev);
		}
		struct store_input in = {k ? "y.jsonl" : "x.jsonl",
					 br_hash(k ? "y" : "x", 1), 1, 20};
		CU_ASSERT_EQUAL(store_publish(s, NULL, a, &in, 1, &err), 0);
		agg_free(a);
		char path[512];
		struct stat st;
		snprintf(path, sizeof path, "%s/segments/seg-%016x.brs", dir,
			 k + 1);
		CU_ASSERT_EQUAL_FATAL(stat(path, &st), 0);
		largest = (size_t)st.st_size > largest ? (size_t)st.st_size : largest;
	}
	red_segment_max = largest + 64;
	struct store_compact_stats cs;
	CU_ASSERT_EQUAL(store_compact(s, &cs, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "a segment may have (40 rows, "
					   "2 inputs)"));
	br_err_clear(&err);
	/* Nor one ingest's. */
	struct agg *a = agg_new();
	for (int d = 0; d < 40; d++) {
		struct br_event ev = event("openai", "gpt-4o", "bot", 1, 1000000);
		agg_add(a, 200 + d, &ev);
	}
	struct store_input in = {"z.jsonl", br_hash("z", 1), 1, 40};
	CU_ASSERT_EQUAL(store_publish(s, NULL, a, &in, 1, &err), -1);
	agg_free(a);
	store_free(s);
	/* The two segments are still there, whole. */
	s = store_open(dir, NULL, &err);
	int bad = 0;
	CU_ASSERT_EQUAL(store_verify(s, count_bad, &bad, &err), 0);
	CU_ASSERT_EQUAL(bad, 0);
	struct sums t = scan_all(s, NULL);
	CU_ASSERT_EQUAL(t.rows, 40);
	CU_ASSERT_EQUAL(t.requests, 40);
	CU_ASSERT_EQUAL(store_has_input(s, br_hash("z", 1), &err), 0);
	store_free(s);
	red_segment_max = was;
	remove_dir();
}

static void test_verify_compacted(void)
{
	make_dir();
	three_segments("v");
	char path[128];
	snprintf(path, sizeof path, "%s/v", dir);
	struct br_err err = {0};
	struct store *s = store_open(path, NULL, &err);
	struct verify_seen seen = {0};
	CU_ASSERT_EQUAL(store_verify(s, compact_under_verify, &seen, &err), 1);
	CU_ASSERT_EQUAL(seen.calls, 2);
	CU_ASSERT_EQUAL(seen.bad, 1);
	store_free(s);
	remove_dir();
}

/* readdir, interposed for test_report_compacted: once armed, the call
 * that returns the first entry of a listing (glibc has read the
 * directory into its buffer then) runs the hook, and the entry the hook
 * removed is not returned. POSIX leaves it open whether readdir returns
 * an entry added or removed after opendir; on ext4, a listing longer
 * than glibc's buffer misses both when they lie on either side of where
 * it has got to. */
static void (*readdir_hook)(void);
static char readdir_removed[32];

struct dirent *readdir(DIR *d)
{
	static struct dirent *(*real)(DIR *);
	if (!real)
		*(void **)&real = dlsym(RTLD_NEXT, "readdir");
	struct dirent *e = real(d);
	void (*hook)(void) = readdir_hook;
	readdir_hook = NULL;
	if (hook)
		hook();
	while (e && readdir_removed[0] && strcmp(e->d_name, readdir_removed) == 0)
		e = real(d);
	return e;
}

/* Does what a compaction of dir/r does first: publishes the segment
 * that replaces its three (made beforehand in dir/rc), then removes the
 * first of them. */
static void compaction_step(void)
{
	char from[256], to[256];
	snprintf(from, sizeof from, "%s/rc/segments/seg-0000000000000004.brs", dir);
	snprintf(to, sizeof to, "%s/r/segments/seg-0000000000000004.brs", dir);
	CU_ASSERT_EQUAL(rename(from, to), 0);
	snprintf(readdir_removed, sizeof readdir_removed, "seg-0000000000000001.brs");
	snprintf(to, sizeof to, "%s/r/segments/%s", dir, readdir_removed);
	CU_ASSERT_EQUAL(unlink(to), 0);
}

/* Compacts the store named done (the compaction a reader of the store
 * named reader will see happen) and opens the store named reader. */
static struct store *compacted_beside(const char *done, const char *reader)
{
	compact_store(done);
	char path[128];
	snprintf(path, sizeof path, "%s/%s", dir, reader);
	struct br_err err = {0};
	struct store *s = store_open(path, NULL, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	return s;
}

/* A reader that lists the segments while a compaction publishes its
 * segment and removes the first it replaces may list neither: it counts
 * the whole store all the same (it counted the other two only). */
static void test_report_compacted(void)
{
	make_dir();
	three_segments("r");
	three_segments("rc");
	struct store *s = compacted_beside("rc", "r");
	readdir_hook = compaction_step;
	struct sums t = scan_all(s, "default");
	readdir_hook = NULL;
	readdir_removed[0] = 0;
	CU_ASSERT_EQUAL(t.requests, 3);
	CU_ASSERT_EQUAL(t.input, 7);
	store_free(s);
	remove_dir();
}

/* A store_verify callback that, once verify has checked the three
 * segments it listed, does what a compaction of dir/w does: publishes the
 * segment made in dir/wc and removes the three it replaces. */
static void compact_after_verify(void *ctx, const char *segment,
				 enum store_verdict verdict, const char *problem)
{
	(void)segment;
	(void)verdict;
	struct verify_seen *seen = ctx;
	seen->bad += problem != NULL;
	if (++seen->calls != 3)
		return;
	char from[256], to[256];
	snprintf(from, sizeof from, "%s/wc/segments/seg-0000000000000004.brs", dir);
	snprintf(to, sizeof to, "%s/w/segments/seg-0000000000000004.brs", dir);
	CU_ASSERT_EQUAL(rename(from, to), 0);
	for (int i = 1; i <= 3; i++) {
		snprintf(to, sizeof to, "%s/w/segments/seg-%016x.brs", dir, i);
		CU_ASSERT_EQUAL(unlink(to), 0);
	}
}

/* A compaction that publishes its segment after verify listed the store
 * and removes the ones it replaces after verify checked them leaves
 * verify nothing gone: it checks the new segment all the same. */
static void test_verify_compacted_after(void)
{
	make_dir();
	three_segments("w");
	three_segments("wc");
	struct store *s = compacted_beside("wc", "w");
	struct verify_seen seen = {0};
	struct br_err err = {0};
	CU_ASSERT_EQUAL(store_verify(s, compact_after_verify, &seen, &err), 0);
	CU_ASSERT_EQUAL(seen.calls, 4);
	CU_ASSERT_EQUAL(seen.bad, 0);
	store_free(s);
	remove_dir();
}

/* open, interposed for test_report_chased: once armed, the opening of a
 * segment of dir/r that a compaction absorbs is preceded by what the
 * compaction does: it publishes its segment (the first time), then
 * removes that very segment. */
static bool open_chased;

int open(const char *path, int flags, ...)
{
	static int (*real)(const char *, int, ...);
	if (!real)
		*(void **)&real = dlsym(RTLD_NEXT, "open");
	mode_t mode = 0;
	if (flags & (O_CREAT | O_TMPFILE)) {
		va_list ap;
		va_start(ap, flags);
		mode = (mode_t)va_arg(ap, int);
		va_end(ap);
	}
	char r[128];
	snprintf(r, sizeof r, "%s/r/segments/seg-", dir);
	unsigned seq;
	if (open_chased && strncmp(path, r, strlen(r)) == 0 &&
	    sscanf(path + strlen(r), "%x", &seq) == 1 && seq <= 24) {
		char from[256], to[256];
		snprintf(from, sizeof from, "%s/rc/segments/seg-0000000000000019.brs", dir);
		snprintf(to, sizeof to, "%s/r/segments/seg-0000000000000019.brs", dir);
		if (access(from, F_OK) == 0)
			CU_ASSERT_EQUAL(rename(from, to), 0);
		CU_ASSERT_EQUAL(unlink(path), 0);
	}
	return real(path, flags, mode);
}

/* A reader that reads the segments in the order a compaction removes
 * them, always just after it removed the next one, counts the whole
 * store (it gave up with "cannot read: No such file or directory" after
 * starting again 20 times: reports failed during the compaction of a
 * store of 1,500 segments). */
static void test_report_chased(void)
{
	make_dir();
	const char *stores[] = {"r", "rc"};
	uint64_t want = 0;
	for (int i = 0; i < 2; i++)
		for (unsigned k = 1; k <= 24; k++) {
			char name[16];
			snprintf(name, sizeof name, "in-%u", k);
			const char *names[] = {name};
			put_segment(stores[i], "default", 100, k, names, 1, false);
			want += i == 0 ? k : 0;
		}
	struct store *s = compacted_beside("rc", "r");
	open_chased = true;
	struct sums t = scan_all(s, "default");
	open_chased = false;
	CU_ASSERT_EQUAL(t.requests, 24);
	CU_ASSERT_EQUAL(t.input, want);
	store_free(s);
	remove_dir();
}

/* Merges the store dir/name into dir/dst; returns store_merge's result. */
/* The stores whose merges that did not end the last merge() removed the
 * segments of (store_abandoned), each followed by a space. */
static char merge_abandoned[512];

static int merge(const char *name, struct store_merge_stats *st,
		 struct br_err *err)
{
	char path[128], from[128];
	snprintf(path, sizeof path, "%s/dst", dir);
	snprintf(from, sizeof from, "%s/%s", dir, name);
	struct store *s = store_open(path, "UTC", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL_FATAL(store_lock(s, err), 0);
	int rc = store_merge(s, from, st, err);
	merge_abandoned[0] = 0;
	const char *a;
	for (size_t i = 0; (a = store_abandoned(s, i)); i++)
		snprintf(merge_abandoned + strlen(merge_abandoned),
			 sizeof merge_abandoned - strlen(merge_abandoned),
			 "%s ", a);
	store_free(s);
	return rc;
}

/* The input tokens of dir/dst, read afresh. */
static uint64_t dst_input(const char *source)
{
	char path[128];
	snprintf(path, sizeof path, "%s/dst", dir);
	struct br_err err = {0};
	struct store *s = store_open(path, NULL, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	uint64_t n = scan_all(s, source).input;
	store_free(s);
	return n;
}

static void test_merge(void)
{
	make_dir();
	struct br_err err = {0};
	struct store_merge_stats st;
	/* Two shards with the same source name add up. */
	const char *x[] = {"x"}, *yu[] = {"y", "u"};
	put_segment("a", "default", 100, 1, x, 1, false);
	put_segment("b", "default", 100, 10, yu, 2, false);
	CU_ASSERT_EQUAL(merge("a", &st, &err), 0);
	CU_ASSERT_EQUAL(st.imported, 1);
	CU_ASSERT_EQUAL(merge("b", &st, &err), 0);
	CU_ASSERT_EQUAL(dst_input(NULL), 11);
	CU_ASSERT_EQUAL(dst_input("default"), 11);
	/* Again: nothing is added. */
	CU_ASSERT_EQUAL(merge("a", &st, &err), 0);
	CU_ASSERT_EQUAL(st.imported, 0);
	CU_ASSERT_EQUAL(st.present, 1);
	CU_ASSERT_EQUAL(dst_input(NULL), 11);
	/* A backfill and a new input in a: the newer state replaces the
	 * older one, whose file is removed. */
	const char *w[] = {"w"};
	put_segment("a", "default", 100, 100, x, 1, true);
	put_segment("a", "default", 101, 1000, w, 1, false);
	CU_ASSERT_EQUAL(merge("a", &st, &err), 0);
	CU_ASSERT_EQUAL(st.imported, 1);
	CU_ASSERT_EQUAL(st.replaced, 1);
	CU_ASSERT_EQUAL(st.removed, 1);
	CU_ASSERT_EQUAL(dst_input(NULL), 1110);
	/* A compaction of the destination leaves merged segments alone, and
	 * a backfill of the destination's own source does not hide them. */
	const char *z[] = {"z"};
	put_segment("dst", "default", 100, 10000, z, 1, true);
	CU_ASSERT_EQUAL(dst_input(NULL), 11110);
	char path[128];
	snprintf(path, sizeof path, "%s/dst", dir);
	struct store *s = store_open(path, NULL, &err);
	struct store_compact_stats cs;
	CU_ASSERT_EQUAL(store_lock(s, &err), 0);
	CU_ASSERT_EQUAL(store_compact(s, &cs, &err), 0);
	CU_ASSERT_EQUAL(cs.sources, 0);
	int bad = 0;
	CU_ASSERT_EQUAL(store_verify(s, count_bad, &bad, &err), 0);
	store_free(s);
	CU_ASSERT_EQUAL(dst_input(NULL), 11110);
	/* Refused, naming the input: a store that shares some inputs with
	 * a merged one, and one whose input was ingested here. */
	const char *yv[] = {"y", "v"};
	put_segment("c", "default", 100, 1, yv, 2, false);
	CU_ASSERT_EQUAL(merge("c", &st, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "input 'y'"));
	br_err_clear(&err);
	put_segment("d", "other", 100, 1, z, 1, false);
	CU_ASSERT_EQUAL(merge("d", &st, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "also ingested"));
	br_err_clear(&err);
	/* Another time zone, and the store itself: usage errors. */
	snprintf(path, sizeof path, "%s/paris", dir);
	CU_ASSERT_EQUAL(store_init(path, "Europe/Paris", &err), 0);
	CU_ASSERT_EQUAL(merge("paris", &st, &err), -1);
	CU_ASSERT_EQUAL(err.status, BR_EXIT_USAGE);
	br_err_clear(&err);
	CU_ASSERT_EQUAL(merge("dst", &st, &err), -1);
	CU_ASSERT_EQUAL(err.status, BR_EXIT_USAGE);
	CU_ASSERT_EQUAL(dst_input(NULL), 11110);
	remove_dir();
}

/* renameat2, interposed for test_merge_unfinished: while rename_fail is
 * set, it counts the calls down and fails the one that brings it to 0
 * (EIO): a segment not published, as a full disk or a kill before its
 * rename leaves it. */
static int rename_fail;

int renameat2(int fromdir, const char *from, int todir, const char *to,
	      unsigned int flags)
{
	static int (*real)(int, const char *, int, const char *, unsigned int);
	if (!real)
		*(void **)&real = dlsym(RTLD_NEXT, "renameat2");
	if (rename_fail && --rename_fail == 0)
		return errno = EIO, -1;
	return real(fromdir, from, todir, to, flags);
}

/* Tells whether the store dir/name has the segment file of seq. */
static bool has_segment(const char *name, unsigned seq)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s/segments/seg-%016x.brs", dir, name, seq);
	return access(path, F_OK) == 0;
}

/* What verify_of found: the verdicts, and the last problem. */
struct verdicts {
	int n[STORE_SEGMENT_MERGING + 1];
	char problem[1024];
};

static void count_verdicts(void *ctx, const char *segment,
			   enum store_verdict verdict, const char *problem)
{
	struct verdicts *v = ctx;
	CU_ASSERT_PTR_NOT_NULL(strstr(segment, "/segments/seg-"));
	CU_ASSERT_EQUAL(!problem, verdict == STORE_SEGMENT_OK);
	v->n[verdict]++;
	if (problem)
		snprintf(v->problem, sizeof v->problem, "%s", problem);
}

/* Verifies dir/name: store_verify's result, its verdicts in *v. */
static int verify_of(const char *name, struct verdicts *v)
{
	char path[128];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	struct br_err err = {0};
	struct store *s = store_open(path, NULL, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	memset(v, 0, sizeof *v);
	int bad = store_verify(s, count_verdicts, v, &err);
	store_free(s);
	return bad;
}

/* A merge of a store of two sources that ends before its second segment
 * is published, or before its first (the sources' newer states, which
 * replace both merged before): readers see the state before it, not the
 * first source's new state beside the second's old one; then the merge
 * run again gives the state of one that ended. The segment published
 * alone stays while it is the newest (its sequence number is not given
 * again), and a later segment of the number it waits for does not
 * complete it. The merge's error says what it left, and verify names
 * the segment published alone, what it lacks and the merge to run
 * again (one that may still be running while another process holds the
 * lock); once the merge is run again, the store verifies. */
static void test_merge_unfinished(void)
{
	const char *x[] = {"x"}, *y[] = {"y"}, *w[] = {"w"}, *v[] = {"v"},
		   *z[] = {"z"};
	for (int published = 0; published <= 1; published++) {
		make_dir();
		struct br_err err = {0};
		struct store_merge_stats st;
		put_segment("g", "default", 100, 1, x, 1, false);
		put_segment("g", "team", 100, 10, y, 1, false);
		CU_ASSERT_EQUAL(merge("g", &st, &err), 0); /* 1 and 2 */
		put_segment("g", "default", 101, 100, w, 1, false);
		put_segment("g", "team", 101, 1000, v, 1, false);
		rename_fail = published + 1;
		CU_ASSERT_EQUAL(merge("g", &st, &err), -1);
		rename_fail = 0;
		CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, published
			? "; the merge of '" : "; nothing of '"));
		CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, published
			? "' did not end: the store '" : "' was merged into '"));
		CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, published
			? "its segments published (1 of 2) count for nothing "
			  "until 'burnrate --store " : "/dst'"));
		br_err_clear(&err);
		CU_ASSERT_EQUAL(dst_input(NULL), 11);
		CU_ASSERT_EQUAL(dst_input("default"), 1);
		CU_ASSERT_EQUAL(has_segment("dst", 3), published);
		struct verdicts vd;
		CU_ASSERT_EQUAL(verify_of("dst", &vd), published);
		CU_ASSERT_EQUAL(vd.n[STORE_SEGMENT_OK], 2);
		CU_ASSERT_EQUAL(vd.n[STORE_SEGMENT_UNFINISHED], published);
		if (published) {
			CU_ASSERT_PTR_NOT_NULL(strstr(vd.problem, "/g' that did "
				"not end: its group of 2 segments lacks "
				"seg-0000000000000004.brs, so reports count none of "
				"them"));
			CU_ASSERT_PTR_NOT_NULL(strstr(vd.problem, "/dst merge "));
			CU_ASSERT_PTR_NOT_NULL(strstr(vd.problem, "/g' again"));
			/* Another process's lock: a merge maybe still at it
			 * (an open file of its own is another lock). */
			char path[128];
			snprintf(path, sizeof path, "%s/dst", dir);
			struct store *holder = store_open(path, NULL, &err);
			CU_ASSERT_PTR_NOT_NULL_FATAL(holder);
			CU_ASSERT_EQUAL(store_lock(holder, &err), 0);
			CU_ASSERT_EQUAL(verify_of("dst", &vd), 1);
			CU_ASSERT_EQUAL(vd.n[STORE_SEGMENT_MERGING], 1);
			CU_ASSERT_PTR_NOT_NULL(strstr(vd.problem, "may still be "
				"publishing its group of 2 segments (the store is "
				"locked by pid "));
			store_free(holder);
			/* Locked by a process that is no writer (an open file
			 * of its own is another lock), the lock file naming an
			 * ended one: no merge is at it. */
			snprintf(path, sizeof path, "%s/dst/lock", dir);
			ended_writer(path);
			int fd = open(path, O_RDONLY);
			CU_ASSERT_FATAL(fd >= 0);
			CU_ASSERT_EQUAL(flock(fd, LOCK_EX), 0); /* flock(1)'s */
			CU_ASSERT_EQUAL(verify_of("dst", &vd), 1);
			CU_ASSERT_EQUAL(vd.n[STORE_SEGMENT_MERGING], 0);
			CU_ASSERT_EQUAL(vd.n[STORE_SEGMENT_UNFINISHED], 1);
			close(fd);
		}
		uint64_t own = 0;
		if (published) {
			CU_ASSERT_EQUAL(compact_store("dst"), 0);
			CU_ASSERT(has_segment("dst", 3));
			put_segment("dst", "default", 100, 10000, z, 1, false);
			CU_ASSERT(has_segment("dst", 4));
			own = 10000;
			CU_ASSERT_EQUAL(dst_input(NULL), own + 11);
		}
		CU_ASSERT_EQUAL(merge("g", &st, &err), 0);
		CU_ASSERT_EQUAL(st.imported, 2);
		CU_ASSERT_EQUAL(st.replaced, 2);
		CU_ASSERT_EQUAL(st.removed, 2 + (size_t)published);
		/* Run again, it ended that merge: nothing abandoned. */
		CU_ASSERT_STRING_EQUAL(merge_abandoned, "");
		CU_ASSERT_EQUAL(dst_input(NULL), own + 1111);
		CU_ASSERT_EQUAL(dst_input("team"), 1010);
		for (unsigned seq = 1; seq <= 2 + (unsigned)published; seq++)
			CU_ASSERT(!has_segment("dst", seq));
		CU_ASSERT_EQUAL(verify_of("dst", &vd), 0);
		remove_dir();
	}
	/* A merge of another store removes the segments g's merge that did
	 * not end left, and tells of it: once they are gone, nothing else
	 * would (verify named them), and none of g is in dst. */
	make_dir();
	struct br_err err = {0};
	struct store_merge_stats st;
	put_segment("g", "default", 100, 1, x, 1, false);
	put_segment("g", "team", 100, 10, y, 1, false);
	put_segment("h", "other", 100, 100, w, 1, false);
	put_segment("k", "more", 100, 1000, v, 1, false);
	CU_ASSERT_EQUAL(merge("k", &st, &err), 0); /* 1 */
	rename_fail = 2;
	CU_ASSERT_EQUAL(merge("g", &st, &err), -1); /* 2 of 2 and 3 */
	rename_fail = 0;
	br_err_clear(&err);
	CU_ASSERT(has_segment("dst", 2));
	CU_ASSERT_EQUAL(merge("h", &st, &err), 0);
	char *g = realpath(dir, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(g);
	char want[512];
	snprintf(want, sizeof want, "%s/g ", g);
	free(g);
	CU_ASSERT_STRING_EQUAL(merge_abandoned, want);
	CU_ASSERT(!has_segment("dst", 2));
	CU_ASSERT_EQUAL(dst_input(NULL), 1100);
	/* Merged again, g is whole in dst, and nothing is abandoned. */
	CU_ASSERT_EQUAL(merge("g", &st, &err), 0);
	CU_ASSERT_STRING_EQUAL(merge_abandoned, "");
	CU_ASSERT_EQUAL(dst_input(NULL), 1111);
	remove_dir();
}

/* A merged segment that a newer merge of its source replaces stays
 * while another of the segments its merge published counts: readers
 * count those only with all of them. */
static void test_merge_group_kept(void)
{
	make_dir();
	struct br_err err = {0};
	struct store_merge_stats st;
	const char *x[] = {"x"}, *y[] = {"y"}, *w[] = {"w"}, *v[] = {"v"};
	put_segment("g", "default", 100, 1, x, 1, false);
	put_segment("g", "team", 100, 10, y, 1, false);
	CU_ASSERT_EQUAL(merge("g", &st, &err), 0); /* 1 and 2 */
	put_segment("g", "team", 101, 100, v, 1, false);
	CU_ASSERT_EQUAL(merge("g", &st, &err), 0); /* 3: team */
	CU_ASSERT_EQUAL(st.imported, 1);
	CU_ASSERT_EQUAL(st.present, 1);
	CU_ASSERT_EQUAL(st.removed, 0);
	CU_ASSERT(has_segment("dst", 2));
	CU_ASSERT_EQUAL(dst_input(NULL), 111);
	CU_ASSERT_EQUAL(dst_input("default"), 1);
	/* Both of the first merge's replaced: both go. */
	char seg2[256], kept[256];
	snprintf(seg2, sizeof seg2, "%s/dst/segments/seg-%016x.brs", dir, 2);
	snprintf(kept, sizeof kept, "%s/seg-2", dir);
	CU_ASSERT_EQUAL(link(seg2, kept), 0);
	put_segment("g", "default", 101, 1000, w, 1, false);
	CU_ASSERT_EQUAL(merge("g", &st, &err), 0); /* 4: default */
	CU_ASSERT_EQUAL(st.removed, 2);
	CU_ASSERT(!has_segment("dst", 1) && !has_segment("dst", 2));
	CU_ASSERT_EQUAL(dst_input(NULL), 1111);
	/* One of them left (a crash between the two removals): a group
	 * that lacks a segment, but an older state, which verify passes. */
	CU_ASSERT_EQUAL(rename(kept, seg2), 0);
	struct verdicts vd;
	CU_ASSERT_EQUAL(verify_of("dst", &vd), 0);
	CU_ASSERT_EQUAL(vd.n[STORE_SEGMENT_OK], 3);
	CU_ASSERT_EQUAL(dst_input(NULL), 1111);
	remove_dir();
}

/* Rows of the FAILED cost sources (core.h): failed requests whose logged
 * cost counts only for a success, priced by the catalog or, without its
 * price, at that cost. */
struct failed_rows {
	uint64_t rows[BR_COST_SOURCE_COUNT], requests[BR_COST_SOURCE_COUNT];
	br_pico cost[BR_COST_SOURCE_COUNT], calc[BR_COST_SOURCE_COUNT];
};

static int count_sources(void *ctx, const struct store_row *r)
{
	struct failed_rows *f = ctx;
	CU_ASSERT_FATAL(r->cost_source < BR_COST_SOURCE_COUNT);
	f->rows[r->cost_source]++;
	f->requests[r->cost_source] += r->t.requests;
	f->cost[r->cost_source] += r->t.cost;
	f->calc[r->cost_source] += r->t.calc_cost;
	return 0;
}

static struct failed_rows scan_sources(const char *store)
{
	struct failed_rows f = {0};
	struct br_err err = {0};
	struct store *s = store_open(store, NULL, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	struct store_query q = {BR_DAY_NONE, BR_DAY_NONE, NULL};
	CU_ASSERT_EQUAL(store_scan(s, &q, count_sources, &f, &err), 0);
	int bad = 0;
	CU_ASSERT_EQUAL(store_verify(s, count_bad, &bad, &err), 0);
	store_free(s);
	return f;
}

/* The format version of the one segment of store. */
static uint32_t segment_version(const char *store)
{
	char path[512];
	unsigned char b[12];
	CU_ASSERT_FATAL(read_segment(store, path, sizeof path, b, sizeof b) ==
			(ssize_t)sizeof b);
	return (uint32_t)b[8] | (uint32_t)b[9] << 8 | (uint32_t)b[10] << 16 |
	       (uint32_t)b[11] << 24;
}

static void put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* Rewrites the u32 at offset field of the first row of cost source src in
 * store's one segment to v (the version too when version is not 0), the
 * checksums made right, and tells the error a scan then gives. */
static void refused_row(const char *store, uint32_t src, size_t field,
			uint32_t v, uint32_t version, const char *want)
{
	char path[512];
	unsigned char buf[8192];
	ssize_t n = read_segment(store, path, sizeof path, buf, sizeof buf);
	CU_ASSERT_FATAL(n > 200 && n < (ssize_t)sizeof buf);
	unsigned char orig[8192];
	memcpy(orig, buf, (size_t)n);
	size_t off = 128;
	uint32_t nstrings = buf[48] | buf[49] << 8, nrows = buf[52] | buf[53] << 8;
	for (uint32_t i = 0; i < nstrings; i++)
		off += 4 + (buf[off] | buf[off + 1] << 8);
	unsigned char *row = NULL;
	for (uint32_t i = 0; i < nrows && !row; i++)
		if (buf[off + 184 * i + 24] == src)
			row = buf + off + 184 * i;
	CU_ASSERT_PTR_NOT_NULL_FATAL(row);
	put32(row + field, v);
	if (version)
		put32(buf + 8, version);
	put32(buf + 124, (uint32_t)crc32(0L, buf, 124));
	put32(buf + n - 12, (uint32_t)crc32(0L, buf, (uInt)(n - 12)));
	write_file(path, buf, (size_t)n);
	struct br_err err = {0};
	struct store *s = store_open(store, NULL, &err);
	struct failed_rows f = {0};
	struct store_query q = {BR_DAY_NONE, BR_DAY_NONE, NULL};
	CU_ASSERT_EQUAL(store_scan(s, &q, count_sources, &f, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, want));
	store_free(s);
	write_file(path, orig, (size_t)n);
}

static void test_failed_sources(void)
{
	make_dir();
	struct br_err err = {0};
	char a[128], b[128], m[128];
	snprintf(a, sizeof a, "%s/a", dir);
	snprintf(b, sizeof b, "%s/b", dir);
	snprintf(m, sizeof m, "%s/m", dir);
	/* A success at the catalog's price; two failures at their logged
	 * cost, the catalog had no price; one at the catalog's. */
	struct br_event ok = event("openai", "gpt-4o", "bot", 10, 5);
	struct br_event log = ok, cat = ok;
	log.model = (struct br_str){"acme-x", 6};
	log.error = cat.error = true;
	log.has_logged_cost = cat.has_logged_cost = true;
	log.logged_cost = log.cost = 750;
	log.calc_cost = 0;
	log.cost_source = BR_COST_FROM_LOG_FAILED;
	cat.logged_cost = 400;
	cat.cost_source = BR_COST_FROM_CATALOG_FAILED;
	struct store *s = store_open(a, "UTC", &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL_FATAL(store_lock(s, &err), 0);
	struct agg *g = agg_new();
	agg_add(g, 100, &ok);
	agg_add(g, 100, &log);
	agg_add(g, 100, &log);
	agg_add(g, 100, &cat);
	struct store_input in = {"x.jsonl", br_hash("x", 1), 1, 4};
	CU_ASSERT_EQUAL(store_publish(s, NULL, g, &in, 1, &err), 0);
	agg_free(g);
	store_free(s);
	/* Round trip: each source its own row, as written; version 3. */
	CU_ASSERT_EQUAL(segment_version(a), 3);
	struct failed_rows f = scan_sources(a);
	CU_ASSERT_EQUAL(f.rows[BR_COST_FROM_CATALOG], 1);
	CU_ASSERT_EQUAL(f.rows[BR_COST_FROM_LOG_FAILED], 1);
	CU_ASSERT_EQUAL(f.requests[BR_COST_FROM_LOG_FAILED], 2);
	CU_ASSERT(f.cost[BR_COST_FROM_LOG_FAILED] == 1500);
	CU_ASSERT(f.calc[BR_COST_FROM_LOG_FAILED] == 0);
	CU_ASSERT_EQUAL(f.rows[BR_COST_FROM_CATALOG_FAILED], 1);
	CU_ASSERT(f.cost[BR_COST_FROM_CATALOG_FAILED] == 5);
	/* A store without such rows still writes version 1. */
	s = store_open(b, "UTC", &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL_FATAL(store_lock(s, &err), 0);
	g = agg_new();
	agg_add(g, 100, &ok);
	in.fp = br_hash("y", 1);
	CU_ASSERT_EQUAL(store_publish(s, NULL, g, &in, 1, &err), 0);
	agg_free(g);
	store_free(s);
	CU_ASSERT_EQUAL(segment_version(b), 1);

	/* Rows that contradict their source, and a version that has none
	 * of them: refused, naming the row and what is wrong. */
	refused_row(a, BR_COST_FROM_LOG_FAILED, 56 + 8, 1, 0,
		    "row 0: cost source 3: successful requests in a row of "
		    "failed ones (2 requests, 1 failed)");
	refused_row(a, BR_COST_FROM_CATALOG_FAILED, 56 + 8, 0, 0,
		    "cost source 4: successful requests in a row of failed ones");
	refused_row(a, BR_COST_FROM_LOG_FAILED, 56 + 16, 1, 0,
		    "cost source 3: requests without a logged cost or a price");
	refused_row(a, BR_COST_FROM_LOG_FAILED, 56 + 24, 1, 0,
		    "cost source 3: requests without a logged cost or a price");
	refused_row(a, BR_COST_FROM_LOG_FAILED, 136, 751, 0,
		    "cost source 3: a cost other than the logged one");
	refused_row(a, BR_COST_FROM_LOG_FAILED, 152, 1, 0,
		    "cost source 3: a cost other than the logged one");
	refused_row(a, BR_COST_FROM_CATALOG_FAILED, 136, 6, 0,
		    "cost source 4: a cost other than the catalog's");
	refused_row(a, BR_COST_FROM_LOG_FAILED, 24, 5, 0,
		    "row 0: invalid cost source 5");
	refused_row(a, BR_COST_FROM_LOG_FAILED, 24, BR_COST_FROM_LOG_FAILED, 2,
		    "row 0: cost source 3 in a segment of format version 2 "
		    "(it needs 3)");
	refused_row(a, BR_COST_FROM_LOG_FAILED, 24, BR_COST_FROM_LOG_FAILED, 1,
		    "cost source 3 in a segment of format version 1");
	/* Compacted and merged: the rows stay as they were, version 3. */
	s = store_open(a, NULL, &err);
	CU_ASSERT_EQUAL_FATAL(store_lock(s, &err), 0);
	struct store_compact_stats cs;
	CU_ASSERT_EQUAL(store_compact(s, &cs, &err), 0);
	store_free(s);
	CU_ASSERT_EQUAL(segment_version(a), 3);
	struct failed_rows c = scan_sources(a);
	CU_ASSERT(memcmp(&c, &f, sizeof c) == 0);
	CU_ASSERT_EQUAL(store_init(m, "UTC", &err), 0);
	s = store_open(m, NULL, &err);
	CU_ASSERT_EQUAL_FATAL(store_lock(s, &err), 0);
	struct store_merge_stats ms;
	CU_ASSERT_EQUAL(store_merge(s, a, &ms, &err), 0);
	store_free(s);
	CU_ASSERT_EQUAL(segment_version(m), 3);
	c = scan_sources(m);
	CU_ASSERT(memcmp(&c, &f, sizeof c) == 0);
	/* A merged segment keeps its fields in version 3: merging again
	 * adds nothing. */
	s = store_open(m, NULL, &err);
	CU_ASSERT_EQUAL_FATAL(store_lock(s, &err), 0);
	CU_ASSERT_EQUAL(store_merge(s, a, &ms, &err), 0);
	CU_ASSERT_EQUAL(ms.imported, 0);
	CU_ASSERT_EQUAL(ms.present, 1);
	store_free(s);
	remove_dir();
}

int test_register(void)
{
	static const struct test_case tests[] = {
		{"aggregate", test_agg},
		{"aggregate's subtraction", test_agg_subtract},
		{"aggregate's names of pricer pairs", test_agg_pairs},
		{"aggregate's cache of agents and labels", test_agg_names},
		{"aggregate rows on cache lines", test_agg_rows_aligned},
		{"aggregate keys compared", test_key_equal},
		{"aggregate sums near their bounds", test_agg_room},
		{"segment round trip", test_round_trip},
		{"rows in byte order", test_row_order},
		{"rows in byte order, many", test_row_order_many},
		{"an aggregate's rows spilled to a file", test_agg_spill},
		{"an aggregate's spilled rows unreadable", test_agg_spill_unreadable},
		{"rows added one by one spill too", test_agg_add_row_spill},
		{"a reader outlives a compaction", test_reader_outlives_compaction},
		{"every bit flip and truncation is detected", test_every_bit_flip},
		{"newer format version or reserved bytes refused", test_newer_version},
		{"cost bounds and saturated sums", test_cost_bounds},
		{"segment size bound", test_segment_max},
		{"unreadable segment", test_unreadable_segment},
		{"renamed segment", test_renamed_segment},
		{"writer lock", test_lock},
		{"known compressed files", test_streams},
		{"backfill overshadows", test_replace},
		{"store metadata", test_meta},
		{"merge", test_merge},
		{"a merge that does not end", test_merge_unfinished},
		{"a merge's segments kept together", test_merge_group_kept},
		{"rows of failed requests' cost sources", test_failed_sources},
		{"verify during a compaction", test_verify_compacted},
		{"verify before a compaction ends", test_verify_compacted_after},
		{"report during a compaction", test_report_compacted},
		{"report chased by a compaction", test_report_chased},
		{NULL, NULL}};
	return test_add_suite("reduce", tests);
}
