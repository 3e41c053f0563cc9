/* reduce_internal.h - what the aggregate and the segment code share inside
 * reduce/. Not part of the stage's public API. */
#ifndef BURNRATE_REDUCE_INTERNAL_H
#define BURNRATE_REDUCE_INTERNAL_H

#include <stddef.h>
#include <string.h>

#include "reduce/reduce.h"

/* A row's key: a day, string ids in the owning dictionary, and how its
 * requests were priced (enough to price them again). */
struct red_key {
	int32_t day;
	uint32_t provider, model, agent, label, tier;
	uint32_t cost_source, pricing; /* enum br_cost_source, string id */
	int32_t price_day;
	uint64_t band_lo, band_hi;
};

/* 16 bytes as one vector (GCC's vector extension: SSE2 on x86-64). */
typedef uint64_t red_words2 __attribute__((vector_size(16)));

static inline red_words2 red_words2_at(const void *p)
{
	red_words2 v;
	memcpy(&v, p, 16);
	return v;
}

_Static_assert(offsetof(struct red_key, price_day) == 32 &&
		       offsetof(struct red_key, band_lo) == 40 &&
		       sizeof(struct red_key) == 56,
	       "red_key_equal: the ids in bytes 0-31, the bands in 40-55");

/* Tells whether keys a and b are equal, whatever their padding holds.
 * Their ids as two vectors, the bands as one, and price_day: ~14
 * instructions, the fields one by one 25 (agg_add's pipeline compares an
 * event's key with its row's, first300k.jsonl, callgrind). */
static inline bool red_key_equal(const struct red_key *a,
				 const struct red_key *b)
{
	const char *x = (const char *)a, *y = (const char *)b;
	red_words2 d = (red_words2_at(x) ^ red_words2_at(y)) |
		       (red_words2_at(x + 16) ^ red_words2_at(y + 16)) |
		       (red_words2_at(x + 40) ^ red_words2_at(y + 40));
	return (d[0] | d[1]) == 0 && a->price_day == b->price_day;
}

struct red_row {
	struct red_key key;
	/* An aggregate's row: how many more small adds (agg_pending.small)
	 * it takes as they are, with no sum that could saturate (in the
	 * padding before t; 0 in any other row). */
	uint64_t room;
	struct red_totals t;
};

#define AGG_STAGE 4
/* 8191 x 2^50 + 2^62 < 2^64, 8191 x 2^100 + 2^126 < 2^127 - 1 */
#define AGG_ROOM 8191

struct agg {
	struct br_dict *dict;
	struct red_row *rows; /* on a cache line, in rows_mem */
	char *rows_mem;
	size_t nrows, cap;
	/* Open addressing: the key's hash in the high 32 bits (compared
	 * before the row, which is rarely in cache), the row index in the
	 * low ones; UINT64_MAX empty. */
	uint64_t *slots;
	size_t nslots;
	const char *last_pricing; /* the pricing text interned last, */
	size_t last_pricing_len;  /* its length */
	uint32_t last_pricing_id; /* its id: one catalog prices a whole run */
	/* Rows spilled (agg_spill_at): once nrows reaches spill_rows, the
	 * rows are written, sorted as a segment keeps them, as a run to an
	 * unlinked temporary file in $TMPDIR, and the table emptied; the
	 * runs are merged as they are read (struct agg_iter). */
	size_t spill_rows;        /* SIZE_MAX: never */
	int spill_fd;             /* -1: no file yet */
	struct agg_run {
		uint64_t off;     /* where it starts in the file */
		size_t nrows;
	} *runs;
	size_t nruns;
	uint64_t spill_end;       /* the file's bytes in use */
	uint64_t spilled;         /* rows in the runs */
	int err;                  /* errno of a failed read of the file */
	/* agg_add's last events, in a pipeline that hides the cache misses
	 * of a large aggregate: an event's key is hashed and its slot
	 * fetched; AGG_STAGE events later its row is located and fetched;
	 * AGG_STAGE events later still it is added. Of the count events
	 * entered since it was last empty, event i in pipe[i % (2 *
	 * AGG_STAGE)], the last 2 * AGG_STAGE are pending: all but the last
	 * AGG_STAGE of those located, those only hashed. */
	struct agg_pending {
		struct red_key key;
		uint64_t hash;
		uint32_t row;      /* located: the row with the key's tag */
		/* add's counts below 2^50, its costs' magnitudes below
		 * 2^100: one of AGG_ROOM such adds to a row of counts below
		 * 2^62 and costs below 2^126 leaves no sum near a bound. */
		bool small;
		struct red_totals add;
		/* To 256 bytes: event i's place is then i % (2 * AGG_STAGE)
		 * shifted, not times 208 (two instructions less each of the
		 * two places an event computes: agg_add 4 instructions an
		 * event, callgrind, first300k.jsonl). */
		char pad[256 - 208];
	} *pipe; /* 2 * AGG_STAGE of them; NULL while empty (agg_settle) */
	uint64_t count;
	/* The ids of the (provider, model) of events, by their pricer's
	 * pair (br_event.pair): found without interning either. Allocated
	 * and freed with the pipeline. */
	struct agg_pair {
		uint64_t pair;       /* 0: none */
		size_t provider_len; /* where the pair's bytes split */
		uint64_t part;       /* pair_part of the ids */
		uint32_t provider, model;
	} *pairs; /* AGG_PAIRS of them, by the pair's low bits */
	/* The ids of (agent, label) pairs added lately, by a cheap hash of
	 * their names' ends: found without interning either. Their names
	 * are the dictionary's. Allocated and freed with the pipeline. */
	struct agg_names {
		uint64_t agent_words[2], label_words[2]; /* name_words */
		const char *agent, *label;
		/* agent_len SIZE_MAX: empty (no name is as long), told by the
		 * test of the length, not of agent (-1.4 instructions an
		 * event, callgrind, first300k.jsonl) */
		size_t agent_len, label_len;
		uint64_t part; /* names_part of the ids */
		uint32_t agent_id, label_id;
	} *names; /* AGG_NAMES of them, in sets of two */
};

_Static_assert(sizeof(struct agg_pending) == 256,
	       "agg_pending: a power of two (its pad)");

#define AGG_PAIRS 64
#define AGG_NAMES 128


/* Readers refuse, and writers do not publish, a segment larger than this
 * (2 GiB; tests lower it). */
extern size_t red_segment_max;

/* The rank of each of d's strings in byte order, by id (to be freed). */
uint32_t *red_string_ranks(const struct br_dict *d);

/* The indices of rows[0..n) in the order a segment keeps them (by day,
 * then the names' ranks by rank, ...: docs/FORMAT.md); to be freed. */
uint32_t *red_row_order(const struct red_row *rows, size_t n,
			const uint32_t *rank);

/* Compares two rows' keys in that order (place_cmp's in store.c), field
 * by field: a name's rank looked up only when the ids differ. Inline: a
 * merge of runs compares ~12 times a row. */
static inline int red_row_cmp(const struct red_row *x,
			      const struct red_row *y, const uint32_t *rank)
{
	const struct red_key *a = &x->key, *b = &y->key;
#define RED_CMP(u, v) if ((u) != (v)) return (u) < (v) ? -1 : 1
#define RED_NAME(f) if (a->f != b->f) return rank[a->f] < rank[b->f] ? -1 : 1
	RED_CMP(a->day, b->day);
	RED_NAME(provider);
	RED_NAME(model);
	RED_NAME(agent);
	RED_NAME(label);
	RED_CMP(a->tier, b->tier);
	RED_CMP(a->cost_source, b->cost_source);
	RED_CMP(a->price_day, b->price_day);
	RED_CMP(a->band_lo, b->band_lo);
	RED_CMP(a->band_hi, b->band_hi);
	RED_NAME(pricing);
	return 0;
#undef RED_NAME
#undef RED_CMP
}

/* The rows of an aggregate in the order a segment keeps them, each key
 * once: its table's rows and its spilled runs merged (rows of one key in
 * several summed). rank: red_string_ranks of its dictionary. */
struct agg_iter;
struct agg_iter *agg_iter_new(const struct agg *a, const uint32_t *rank);
/* The next row (valid until the next call), or NULL at the end or when
 * the runs' file cannot be read (agg_iter_error). */
const struct red_row *agg_iter_next(struct agg_iter *it);
/* errno of a failed read, or 0. */
int agg_iter_error(const struct agg_iter *it);
/* Puts it back at its first row. */
void agg_iter_restart(struct agg_iter *it);
void agg_iter_free(struct agg_iter *it);

/* errno of a failed read of a's spilled rows while it was merged with
 * another aggregate (agg_merge): its rows are then not all there. */
int agg_error(const struct agg *a);

/* Returns the totals of key k, adding a zero row when it is new. The
 * pointer is valid until the next insertion. */
struct red_totals *agg_row(struct agg *a, const struct red_key *k);

#endif
