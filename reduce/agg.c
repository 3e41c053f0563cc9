/* agg.c - the in-memory aggregate: one row of totals per (day, provider,
 * model, agent, label, tier, way of pricing), strings interned in a
 * dictionary. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reduce/reduce_internal.h"

uint64_t red_count_add(uint64_t a, uint64_t b)
{
	uint64_t sum;
	return __builtin_add_overflow(a, b, &sum) ? UINT64_MAX : sum;
}

/* br_pico_add(a, b) without its call for the sums it leaves as they are:
 * those that do not overflow, but those whose high word is -2^127's
 * (-2^127 is below -BR_PICO_MAX). Told by the add's overflow flag, not by
 * both terms' high words tested first (within 2^64 in magnitude): -2
 * instructions a record (callgrind, first300k.jsonl). */
static inline br_pico cost_add(br_pico a, br_pico b)
{
	br_pico sum;
	if (!__builtin_add_overflow(a, b, &sum) &&
	    (uint64_t)(sum >> 64) != (uint64_t)1 << 63)
		return sum;
	return br_pico_add(a, b);
}

/* red_totals_add, also inlined into row_add. */
static inline __attribute__((always_inline)) void
totals_add(struct red_totals *a, const struct red_totals *b)
{
	a->requests = red_count_add(a->requests, b->requests);
	a->errors = red_count_add(a->errors, b->errors);
	a->unpriced = red_count_add(a->unpriced, b->unpriced);
	a->logged_cost_requests = red_count_add(a->logged_cost_requests,
						b->logged_cost_requests);
	struct br_tokens *t = &a->tokens;
	const struct br_tokens *u = &b->tokens;
	t->input = red_count_add(t->input, u->input);
	t->output = red_count_add(t->output, u->output);
	t->cache_read = red_count_add(t->cache_read, u->cache_read);
	t->cache_write = red_count_add(t->cache_write, u->cache_write);
	t->cache_write_1h = red_count_add(t->cache_write_1h, u->cache_write_1h);
	t->reasoning = red_count_add(t->reasoning, u->reasoning);
	a->cost = cost_add(a->cost, b->cost);
	a->calc_cost = cost_add(a->calc_cost, b->calc_cost);
	a->logged_cost = cost_add(a->logged_cost, b->logged_cost);
}

void red_totals_add(struct red_totals *a, const struct red_totals *b)
{
	totals_add(a, b);
}

/* The bits set in any of the token counts u. */
static inline uint64_t tokens_or(const struct br_tokens *u)
{
	return u->input | u->output | u->cache_read | u->cache_write |
	       u->cache_write_1h | u->reasoning;
}

/* Tells whether counts, the bits set in any count of totals t, are below
 * 2^count_bits, and t's costs in [-2^cost_bits, 2^cost_bits) (cost_bits
 * from 65 to 126). */
static inline bool totals_below(uint64_t counts, const struct red_totals *t,
				unsigned count_bits, unsigned cost_bits)
{
	/* Each high word plus 2^(cost_bits - 64) below twice that. */
	const uint64_t half = (uint64_t)1 << (cost_bits - 64);
	uint64_t costs = ((uint64_t)(t->cost >> 64) + half) |
			 ((uint64_t)(t->calc_cost >> 64) + half) |
			 ((uint64_t)(t->logged_cost >> 64) + half);
	return !(counts >> count_bits | costs >> (cost_bits - 63));
}

/* Adds t to row, each sum bounded (totals_add), and tells its room again.
 * Out of line: inlined, gcc loaded the row's totals for both ways of
 * apply before choosing, and kept them on the stack. */
static __attribute__((noinline)) void row_add(struct red_row *row,
					      const struct red_totals *t)
{
	totals_add(&row->t, t);
	const struct red_totals *s = &row->t;
	uint64_t counts = s->requests | s->errors | s->unpriced |
			  s->logged_cost_requests | tokens_or(&s->tokens);
	row->room = totals_below(counts, s, 62, 126) ? AGG_ROOM : 0;
}

/* Adds b, small (struct agg_pending), to a, which has room for it: the
 * sums as they are, ~40 instructions, where totals_add's tests of each
 * sum for a bound took ~94; with the test of the event (~20) and of the
 * room, agg_add 368 -> 346 instructions an event (callgrind,
 * first300k.jsonl). */
static inline __attribute__((always_inline)) void
totals_add_small(struct red_totals *a, const struct red_totals *b)
{
	a->requests += b->requests;
	a->errors += b->errors;
	a->unpriced += b->unpriced;
	a->logged_cost_requests += b->logged_cost_requests;
	struct br_tokens *t = &a->tokens;
	const struct br_tokens *u = &b->tokens;
	t->input += u->input;
	t->output += u->output;
	t->cache_read += u->cache_read;
	t->cache_write += u->cache_write;
	t->cache_write_1h += u->cache_write_1h;
	t->reasoning += u->reasoning;
	a->cost += b->cost;
	a->calc_cost += b->calc_cost;
	a->logged_cost += b->logged_cost;
}

struct agg *agg_new(void)
{
	struct agg *a = br_calloc(1, sizeof *a);
	a->dict = br_dict_new();
	a->spill_rows = SIZE_MAX;
	a->spill_fd = -1;
	a->nslots = 16; /* grown as rows come: an archive holds one per member */
	a->slots = br_malloc(a->nslots * sizeof *a->slots);
	memset(a->slots, 0xff, a->nslots * sizeof *a->slots);
	return a;
}

void agg_free(struct agg *a)
{
	if (!a)
		return;
	free(a->pipe);
	free(a->pairs);
	free(a->names);
	br_dict_free(a->dict);
	free(a->rows_mem);
	free(a->slots);
	if (a->spill_fd >= 0)
		close(a->spill_fd);
	free(a->runs);
	free(a);
}

void agg_clear(struct agg *a)
{
	a->nrows = 0;
	a->count = 0;
	memset(a->slots, 0xff, a->nslots * sizeof *a->slots);
	a->nruns = 0;
	a->spilled = 0;
	a->err = 0;
	if (a->spill_end && ftruncate(a->spill_fd, 0) != 0) {
		/* Its bytes are reused, or freed with the file. */
	}
	a->spill_end = 0;
}

size_t agg_rows(const struct agg *a)
{
	agg_settle(a);
	return a->nrows + a->spilled;
}

int agg_error(const struct agg *a)
{
	return a->err;
}

void agg_spill_at(struct agg *a, size_t rows)
{
	a->spill_rows = rows ? rows : 1;
}

/* A key's hash is taken in two steps: its names' ids, which agg_add's
 * caches give with a hash of their own (pair_part, names_part), then the
 * rest (key_hash_rest), inline. The names' ids are multiplied into the
 * high bits each with its own constant, the rest mixed in a dependent
 * chain: 4 multiplies an event, not key_hash's 7 and its call (agg_add
 * 401 -> 390 instructions an event, callgrind, first300k.jsonl). */
#define KEY_MUL UINT64_C(0x9E3779B97F4A7C15)

static inline uint64_t pair_part(uint32_t provider, uint32_t model)
{
	return ((uint64_t)provider << 32 | model) * KEY_MUL;
}

static inline uint64_t names_part(uint32_t agent, uint32_t label)
{
	return ((uint64_t)agent << 32 | label) * UINT64_C(0xC2B2AE3D27D4EB4F);
}

/* The hash of key k whose pair_part ^ names_part is parts. */
static inline uint64_t key_hash_rest(uint64_t parts, const struct red_key *k)
{
	uint64_t h = (parts ^ ((uint64_t)(uint32_t)k->day << 32 |
			       (uint32_t)k->price_day)) * KEY_MUL;
	h = (h ^ ((uint64_t)k->tier << 40 ^ (uint64_t)k->cost_source << 32 ^
		  k->pricing)) * KEY_MUL;
	h = (h ^ k->band_lo) * KEY_MUL;
	h = (h ^ k->band_hi) * KEY_MUL;
	/* The final mix of MurmurHash3: the low bits pick the slot. */
	h ^= h >> 33;
	h *= UINT64_C(0xff51afd7ed558ccd);
	h ^= h >> 33;
	return h;
}

static uint64_t key_hash(const struct red_key *k)
{
	return key_hash_rest(pair_part(k->provider, k->model) ^
				     names_part(k->agent, k->label),
			     k);
}

#define EMPTY UINT64_MAX

/* Fills a's slots (nslots of them) with its rows. */
static void slots_fill(struct agg *a)
{
	memset(a->slots, 0xff, a->nslots * sizeof *a->slots);
	size_t mask = a->nslots - 1;
	for (size_t r = 0; r < a->nrows; r++) {
		uint64_t h = key_hash(&a->rows[r].key);
		size_t i = h & mask;
		while (a->slots[i] != EMPTY)
			i = (i + 1) & mask;
		a->slots[i] = (h & ~(uint64_t)UINT32_MAX) | r;
	}
}

static void rehash(struct agg *a)
{
	free(a->slots);
	a->nslots *= 2;
	a->slots = br_malloc(a->nslots * sizeof *a->slots);
	slots_fill(a);
}

/* Adds a zero row for key k (of hash h), which is not in a, at empty slot
 * i; returns its index. */
static uint32_t new_row(struct agg *a, const struct red_key *k, uint64_t h,
			size_t i)
{
	if (a->nrows == UINT32_MAX)
		br_oom();
	if (a->nrows == a->cap) {
		/* Rows start on a cache line (as malloc would not), so that
		 * a row is three lines, not four: the pipeline of agg_add
		 * fetches three. Grown by realloc, which moves a large block
		 * without copying it (and so keeps where it starts within a
		 * page): the rows are moved only when that changes. */
		_Static_assert(sizeof(struct red_row) % 64 == 0,
			       "a row is whole cache lines");
		size_t cap = a->cap ? a->cap * 2 : 4;
		if (cap > (SIZE_MAX - 63) / sizeof *a->rows)
			br_oom();
		size_t was = a->rows_mem ? (size_t)((char *)a->rows - a->rows_mem) : 0;
		char *mem = br_realloc(a->rows_mem, cap * sizeof *a->rows + 63);
		size_t at = (size_t)(-(uintptr_t)mem & 63);
		if (at != was)
			memmove(mem + at, mem + was, a->nrows * sizeof *a->rows);
		a->rows_mem = mem;
		a->rows = (struct red_row *)(mem + at);
		a->cap = cap;
	}
	struct red_row *row = &a->rows[a->nrows];
	memset(row, 0, sizeof *row);
	row->key = *k;
	row->room = AGG_ROOM; /* all zero */
	a->slots[i] = (h & ~(uint64_t)UINT32_MAX) | a->nrows++;
	if (a->nrows * 4 > a->nslots * 3)
		rehash(a);
	return (uint32_t)(a->nrows - 1);
}

/* The index of key k's row, adding a zero row when it is new. */
static uint32_t row_index(struct agg *a, const struct red_key *k)
{
	size_t mask = a->nslots - 1;
	uint64_t h = key_hash(k), tag = h & ~(uint64_t)UINT32_MAX;
	size_t i = h & mask;
	for (; a->slots[i] != EMPTY; i = (i + 1) & mask) {
		uint64_t v = a->slots[i];
		if ((v & ~(uint64_t)UINT32_MAX) == tag &&
		    red_key_equal(&a->rows[(uint32_t)v].key, k))
			return (uint32_t)v;
	}
	return new_row(a, k, h, i);
}

struct red_totals *agg_row(struct agg *a, const struct red_key *k)
{
	uint32_t r = row_index(a, k); /* may move the rows */
	a->rows[r].room = 0; /* the caller adds: apply tells the room again */
	return &a->rows[r].t;
}

/* Locates event e of the pipeline, hashed: the first row whose slot has
 * its key's tag (almost always its row: apply checks), or a new row when
 * no slot has it; starts fetching that row. */
static inline __attribute__((always_inline)) void
locate(struct agg *a, struct agg_pending *e)
{
	size_t mask = a->nslots - 1, i = e->hash & mask;
	uint64_t tag = e->hash & ~(uint64_t)UINT32_MAX;
	for (; a->slots[i] != EMPTY; i = (i + 1) & mask)
		if ((a->slots[i] & ~(uint64_t)UINT32_MAX) == tag)
			break;
	e->row = a->slots[i] == EMPTY ? new_row(a, &e->key, e->hash, i)
				      : (uint32_t)a->slots[i];
	const char *row = (const char *)&a->rows[e->row];
	for (size_t at = 0; at < sizeof(struct red_row); at += 64)
		__builtin_prefetch(row + at, 1);
}

/* Adds event e of the pipeline, located, to its row. */
static inline __attribute__((always_inline)) void
apply(struct agg *a, const struct agg_pending *e)
{
	struct red_row *row = &a->rows[e->row];
	if (!red_key_equal(&row->key, &e->key))
		row = &a->rows[row_index(a, &e->key)]; /* two keys with one tag */
	if (e->small && row->room) {
		row->room--;
		totals_add_small(&row->t, &e->add);
	} else {
		row_add(row, &e->add);
	}
}

/* The pipeline's place of its event i (pipe_enter's count before it):
 * the event 2 * AGG_STAGE before takes the same, so pipe_room applies
 * that one where the next is put, with no oldest's place kept (head) and
 * moved (-13 instructions an event, callgrind, first300k.jsonl). */
static inline struct agg_pending *pending(const struct agg *a, uint64_t i)
{
	return &a->pipe[i % (2 * AGG_STAGE)];
}

void agg_settle(const struct agg *ca)
{
	struct agg *a = (struct agg *)ca; /* the pipeline is part of it */
	uint64_t n = a->count;
	for (uint64_t i = n > AGG_STAGE ? n - AGG_STAGE : 0; i < n; i++)
		locate(a, pending(a, i));
	for (uint64_t i = n > 2 * AGG_STAGE ? n - 2 * AGG_STAGE : 0; i < n; i++)
		apply(a, pending(a, i));
	a->count = 0;
	/* Given back: an archive's members wait for its end, each with
	 * its aggregate (12 KiB of pipeline and caches apiece). */
	free(a->pipe);
	a->pipe = NULL;
	free(a->pairs);
	a->pairs = NULL;
	free(a->names);
	a->names = NULL;
}

/* The id of an event's pricing text; events of one run share the same
 * text, so the last one is remembered by address. */
static uint32_t pricing_id(struct agg *a, struct br_str pricing)
{
	if (pricing.p && pricing.p == a->last_pricing &&
	    pricing.n == a->last_pricing_len)
		return a->last_pricing_id;
	a->last_pricing = pricing.p;
	a->last_pricing_len = pricing.n;
	a->last_pricing_id = br_dict_intern(a->dict, pricing.p, pricing.n);
	return a->last_pricing_id;
}

/* ------------------------------------------------------------ spilling */

/* Rows read or written at a time: 48 KiB. */
#define RUN_BLOCK 256
/* What the blocks of a merge's runs take at most, together: a log of
 * 20M groups makes ~600 runs, which 48 KiB each would hold 29 MiB of;
 * down to blocks of 16 rows (3 KiB) each. */
#define MERGE_BUFFERS ((size_t)4 << 20)

static int pwrite_all(int fd, const void *p, size_t n, uint64_t off)
{
	for (size_t done = 0; done < n;) {
		ssize_t w = pwrite(fd, (const char *)p + done, n - done,
				   (off_t)(off + done));
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		done += (size_t)w;
	}
	return 0;
}

/* Reads n bytes at off of fd into p; returns 0 or an errno (EIO for a
 * file that ended before). */
static int pread_all(int fd, void *p, size_t n, uint64_t off)
{
	for (size_t done = 0; done < n;) {
		ssize_t r = pread(fd, (char *)p + done, n - done,
				  (off_t)(off + done));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return errno ? errno : EIO;
		if (r == 0)
			return EIO;
		done += (size_t)r;
	}
	return 0;
}

/* A table's rows read in key order (red_row_order) are at random places
 * of it: each is fetched this many rows ahead. The 2M bench's 20,218 rows
 * (3.9 MB) took 2.8-4.1 ms to walk for a segment's dictionary, 0.9-1.1
 * with it, and its rows' pass 4.9-8.9 -> 4.4-5.1 ms (stop 51). */
#define ROWS_AHEAD 8

static inline void prefetch_row(const struct red_row *r)
{
	for (size_t l = 0; l < sizeof *r; l += 64)
		__builtin_prefetch((const char *)r + l);
}

/* Writes a's rows, in a segment's order, as a run to its file, and
 * empties its table (its dictionary kept: the runs' ids are its ids).
 * A file that cannot be made or written keeps them, and every row to
 * come, in memory. */
static void spill(struct agg *a)
{
	agg_settle(a);
	if (a->spill_fd < 0)
		a->spill_fd = br_tmpfile("burnrate-rows");
	if (a->spill_fd < 0 || a->nrows == 0) {
		a->spill_rows = a->spill_fd < 0 ? SIZE_MAX : a->spill_rows;
		return;
	}
	uint32_t *rank = red_string_ranks(a->dict);
	uint32_t *order = red_row_order(a->rows, a->nrows, rank);
	free(rank);
	struct red_row *buf = br_malloc(RUN_BLOCK * sizeof *buf);
	uint64_t off = a->spill_end;
	int rc = 0;
	for (size_t i = 0; i < a->nrows && rc == 0;) {
		size_t k = 0;
		for (; k < RUN_BLOCK && i < a->nrows; k++, i++) {
			if (i + ROWS_AHEAD < a->nrows)
				prefetch_row(&a->rows[order[i + ROWS_AHEAD]]);
			buf[k] = a->rows[order[i]];
			buf[k].room = 0;
		}
		rc = pwrite_all(a->spill_fd, buf, k * sizeof *buf, off);
		off += k * sizeof *buf;
	}
	free(buf);
	free(order);
	if (rc != 0) {
		/* A full disk, a file size limit: in memory from now on. */
		a->spill_rows = SIZE_MAX;
		return;
	}
	a->runs = br_realloc(a->runs, (a->nruns + 1) * sizeof *a->runs);
	a->runs[a->nruns++] = (struct agg_run){a->spill_end, a->nrows};
	a->spill_end = off;
	a->spilled += a->nrows;
	a->nrows = 0;
	memset(a->slots, 0xff, a->nslots * sizeof *a->slots);
}

/* A run being read, or the table's rows in order. */
struct iter_src {
	const struct red_row *mem; /* the table's rows, by order */
	const uint32_t *order;
	struct red_row *buf;       /* a run's rows read */
	uint64_t off;              /* where the run's next block is */
	size_t left;               /* rows of it not read */
	size_t i, n;               /* next of buf (or of order), and count */
};

struct agg_iter {
	const struct agg *a;
	const uint32_t *rank;
	uint32_t *order;
	struct iter_src *src;
	size_t *heap, nheap;  /* sources with rows left, least first */
	size_t block;         /* rows read from a run at a time */
	size_t nbufs;         /* src[0..nbufs) have a buffer: a's runs when
			       * it was made (consolidate changes them) */
	struct red_row cur;
	int err;
};

static const struct red_row *src_row(const struct iter_src *s)
{
	return s->mem ? &s->mem[s->order[s->i]] : &s->buf[s->i];
}

/* Moves source s to its next row; false at its end or on an error. */
static bool src_next(struct agg_iter *it, struct iter_src *s)
{
	if (++s->i < s->n) {
		if (s->mem && s->i + ROWS_AHEAD < s->n)
			prefetch_row(&s->mem[s->order[s->i + ROWS_AHEAD]]);
		return true;
	}
	if (s->mem || !s->left)
		return false;
	size_t k = s->left < it->block ? s->left : it->block;
	int e = pread_all(it->a->spill_fd, s->buf, k * sizeof *s->buf, s->off);
	if (e) {
		it->err = e;
		return false;
	}
	s->off += k * sizeof *s->buf;
	s->left -= k;
	s->i = 0;
	s->n = k;
	return true;
}

static bool heap_less(const struct agg_iter *it, size_t x, size_t y)
{
	return red_row_cmp(src_row(&it->src[x]), src_row(&it->src[y]),
			   it->rank) < 0;
}

static void heap_down(struct agg_iter *it, size_t i)
{
	size_t *h = it->heap;
	for (;;) {
		size_t l = 2 * i + 1, m = i;
		if (l < it->nheap && heap_less(it, h[l], h[m]))
			m = l;
		if (l + 1 < it->nheap && heap_less(it, h[l + 1], h[m]))
			m = l + 1;
		if (m == i)
			return;
		size_t t = h[i];
		h[i] = h[m];
		h[m] = t;
		i = m;
	}
}

/* Moves the least source to its next row. */
static void heap_pop_row(struct agg_iter *it)
{
	if (!src_next(it, &it->src[it->heap[0]]))
		it->heap[0] = it->heap[--it->nheap];
	if (it->nheap)
		heap_down(it, 0);
}

/* Puts it at its first row. */
static void iter_start(struct agg_iter *it)
{
	const struct agg *a = it->a;
	it->nheap = 0;
	it->err = a->err;
	for (size_t r = 0; r < a->nruns; r++) {
		struct iter_src *s = &it->src[r];
		s->off = a->runs[r].off;
		s->left = a->runs[r].nrows;
		s->n = 0;
		s->i = (size_t)-1; /* src_next reads the first block */
		if (src_next(it, s))
			it->heap[it->nheap++] = r;
	}
	if (a->nrows) {
		struct iter_src *s = &it->src[a->nruns];
		s->mem = a->rows;
		s->order = it->order;
		s->n = a->nrows;
		s->i = 0;
		it->heap[it->nheap++] = a->nruns;
	}
	for (size_t i = it->nheap / 2; i-- > 0;)
		heap_down(it, i);
}

static struct agg_iter *iter_make(const struct agg *a, const uint32_t *rank)
{
	struct agg_iter *it = br_calloc(1, sizeof *it);
	it->a = a;
	it->rank = rank;
	it->src = br_calloc(a->nruns + 1, sizeof *it->src);
	it->heap = br_malloc((a->nruns + 1) * sizeof *it->heap);
	size_t fit = MERGE_BUFFERS / sizeof(struct red_row) /
		     (a->nruns ? a->nruns : 1);
	it->block = fit > RUN_BLOCK ? RUN_BLOCK : fit < 16 ? 16 : fit;
	it->nbufs = a->nruns;
	for (size_t r = 0; r < a->nruns; r++)
		it->src[r].buf = br_malloc(it->block * sizeof *it->src[r].buf);
	if (a->nrows)
		it->order = red_row_order(a->rows, a->nrows, rank);
	iter_start(it);
	return it;
}

/* Merges a's runs and table into one run of its distinct keys, written
 * after the others: read once more by each pass over a (a segment's
 * dictionary, then its rows), with nothing to compare, where a merge of
 * ~60 runs took 30% of an ingest's time (perf, a year of days). Left as
 * it was when the file cannot be written or read. */
static void consolidate(struct agg *a, const uint32_t *rank)
{
	struct agg_iter *it = iter_make(a, rank);
	struct red_row *buf = br_malloc(RUN_BLOCK * sizeof *buf);
	uint64_t off = a->spill_end;
	size_t n = 0, k = 0;
	int rc = 0;
	for (const struct red_row *r; rc == 0 && (r = agg_iter_next(it));) {
		buf[k++] = *r;
		n++;
		if (k == RUN_BLOCK) {
			rc = pwrite_all(a->spill_fd, buf, k * sizeof *buf, off);
			off += k * sizeof *buf;
			k = 0;
		}
	}
	if (rc == 0 && k)
		rc = pwrite_all(a->spill_fd, buf, k * sizeof *buf, off);
	off += k * sizeof *buf;
	if (rc == 0 && !agg_iter_error(it)) {
		a->runs[0] = (struct agg_run){a->spill_end, n};
		a->nruns = 1;
		a->spilled = n;
		a->spill_end = off;
		a->nrows = 0;
		memset(a->slots, 0xff, a->nslots * sizeof *a->slots);
	}
	free(buf);
	agg_iter_free(it);
}

struct agg_iter *agg_iter_new(const struct agg *a, const uint32_t *rank)
{
	agg_settle(a);
	if (a->nruns + (a->nrows > 0) > 1 && !a->err)
		consolidate((struct agg *)a, rank); /* the same rows */
	return iter_make(a, rank);
}

void agg_iter_restart(struct agg_iter *it)
{
	iter_start(it);
}

const struct red_row *agg_iter_next(struct agg_iter *it)
{
	if (it->err || !it->nheap)
		return NULL;
	it->cur = *src_row(&it->src[it->heap[0]]);
	it->cur.room = 0;
	heap_pop_row(it);
	while (!it->err && it->nheap &&
	       red_key_equal(&src_row(&it->src[it->heap[0]])->key, &it->cur.key)) {
		red_totals_add(&it->cur.t, &src_row(&it->src[it->heap[0]])->t);
		heap_pop_row(it);
	}
	return it->err ? NULL : &it->cur;
}

int agg_iter_error(const struct agg_iter *it)
{
	return it->err;
}

void agg_iter_free(struct agg_iter *it)
{
	if (!it)
		return;
	for (size_t r = 0; r < it->nbufs; r++)
		free(it->src[r].buf);
	free(it->src);
	free(it->heap);
	free(it->order);
	free(it);
}

/* The pipeline's next entry, made room for: its key and totals are the
 * caller's to set, then pipe_enter's. Inlined into agg_add with the
 * stages it runs (locate, apply and its totals_add), its caches allocated
 * with it, and one count of its events kept, not one a stage: agg_add
 * took 467 -> 419 instructions an event (callgrind, first300k.jsonl). */
static inline __attribute__((always_inline)) struct agg_pending *
pipe_room(struct agg *a)
{
	if (__builtin_expect(a->nrows >= a->spill_rows, 0))
		spill(a);
	if (!a->pipe) {
		a->pipe = br_malloc(2 * AGG_STAGE * sizeof *a->pipe);
		a->pairs = br_calloc(AGG_PAIRS, sizeof *a->pairs);
		a->names = br_calloc(AGG_NAMES, sizeof *a->names);
		for (size_t i = 0; i < AGG_NAMES; i++)
			a->names[i].agent_len = SIZE_MAX; /* empty */
	}
	uint64_t n = a->count;
	struct agg_pending *e = pending(a, n);
	if (n >= 2 * AGG_STAGE)
		apply(a, e); /* the event whose place the next one takes */
	if (n >= AGG_STAGE)
		locate(a, pending(a, n - AGG_STAGE));
	return e;
}

/* Enters e, pipe_room's with its key and totals set, into the pipeline,
 * with its key's hash: its slot is fetched now, its row later, and it is
 * added later still (agg_settle). */
static void pipe_enter(struct agg *a, struct agg_pending *e, uint64_t hash)
{
	a->count++;
	e->hash = hash;
	__builtin_prefetch(&a->slots[e->hash & (a->nslots - 1)]);
}

/* Enters the totals t of key k into the pipeline. */
static void pipe_push(struct agg *a, const struct red_key *k,
		      const struct red_totals *t)
{
	struct agg_pending *e = pipe_room(a);
	e->key = *k;
	e->small = false;
	e->add = *t;
	pipe_enter(a, e, key_hash(k));
}

/* The ids of ev's provider and model, by its pair when it has one;
 * returns their pair_part. */
static uint64_t pair_ids(struct agg *a, const struct br_event *ev,
			 uint32_t *provider, uint32_t *model)
{
	struct agg_pair *p = &a->pairs[ev->pair % AGG_PAIRS];
	if (ev->pair && p->pair == ev->pair &&
	    p->provider_len == ev->provider.n) {
		*provider = p->provider;
		*model = p->model;
		return p->part;
	}
	*provider = br_dict_intern(a->dict, ev->provider.p, ev->provider.n);
	*model = br_dict_intern(a->dict, ev->model.p, ev->model.n);
	uint64_t part = pair_part(*provider, *model);
	if (ev->pair)
		*p = (struct agg_pair){ev->pair, ev->provider.n, part,
				       *provider, *model};
	return part;
}

_Static_assert(AGG_NAMES == 2 << 6, "name_ids picks a set of two by 6 bits");

/* The bytes of name s as two words that, with its length, tell apart any
 * two names of up to 16 bytes: its first and last 8 (overlapping), or
 * below 8 br_short_word's (of every byte of a name that short: the first,
 * middle and last of 3 or fewer, the first and last 4 of more) and 0. */
static inline void name_words(struct br_str s, uint64_t w[2])
{
	if (s.n < 8) {
		w[0] = br_short_word(s.p, s.n);
		w[1] = 0;
		return;
	}
	memcpy(&w[0], s.p, 8);
	memcpy(&w[1], s.p + s.n - 8, 8);
}

/* Tells whether name s, of words w (name_words), is the name of words cw
 * and bytes c, both of length s.n: the bytes past the words' are compared
 * only in a name longer than 16. */
static inline bool name_is(struct br_str s, const uint64_t w[2],
			   const uint64_t cw[2], const char *c)
{
	return w[0] == cw[0] && w[1] == cw[1] &&
	       (s.n <= 16 || br_mem_eq(c + 8, s.p + 8, s.n - 16));
}

/* The ids of agent and label: first looked for among the pairs of them
 * added lately (agg.names), one lookup for both (two interned: ~130
 * instructions an event), by their words (name_words), which the hash
 * takes too: br_mem_eq of both names took ~10 instructions more an event
 * (callgrind, first300k.jsonl; ~7 more there as its 24 pairs fell three
 * in a set of the old hash's, 12,599 interns of each name, now 24). */
static uint64_t name_ids(struct agg *a, struct br_str agent,
			 struct br_str label, uint32_t *agent_id,
			 uint32_t *label_id)
{
	uint64_t aw[2], lw[2];
	name_words(agent, aw);
	name_words(label, lw);
	uint64_t w = (agent.n << 56 ^ label.n << 48 ^ aw[0] ^ aw[1] << 1 ^
		      (lw[0] ^ lw[1] << 1) << 3) *
		     UINT64_C(0x9E3779B97F4A7C15);
	w ^= w >> 29;
	/* A set of two ways, the latest first. */
	struct agg_names *set =
		&a->names[2 * ((w * UINT64_C(0x9E3779B97F4A7C15)) >> 58)];
	for (int way = 0; way < 2; way++) {
		const struct agg_names *c = &set[way];
		if (c->agent_len == agent.n &&
		    c->label_len == label.n &&
		    name_is(agent, aw, c->agent_words, c->agent) &&
		    name_is(label, lw, c->label_words, c->label)) {
			*agent_id = c->agent_id;
			*label_id = c->label_id;
			return c->part;
		}
	}
	*agent_id = br_dict_intern(a->dict, agent.p, agent.n);
	*label_id = br_dict_intern(a->dict, label.p, label.n);
	uint64_t part = names_part(*agent_id, *label_id);
	set[1] = set[0];
	set[0] = (struct agg_names){
		{aw[0], aw[1]}, {lw[0], lw[1]},
		br_dict_str(a->dict, *agent_id, NULL),
		br_dict_str(a->dict, *label_id, NULL),
		agent.n, label.n, part, *agent_id, *label_id};
	return part;
}

void agg_add(struct agg *a, int32_t day, const struct br_event *ev)
{
	struct agg_pending *e = pipe_room(a);
	struct red_key *k = &e->key; /* set in place: no copy */
	k->day = day;
	uint64_t parts = pair_ids(a, ev, &k->provider, &k->model) ^
			 name_ids(a, ev->agent, ev->label, &k->agent, &k->label);
	k->tier = (uint32_t)ev->tier;
	k->cost_source = (uint32_t)ev->cost_source;
	k->pricing = pricing_id(a, ev->pricing);
	k->price_day = ev->price_day;
	k->band_lo = ev->band_lo;
	k->band_hi = ev->band_hi;
	uint64_t n = ev->cost_only ? 0 : ev->requests ? ev->requests : 1;
	struct red_totals *t = &e->add;
	t->requests = n;
	t->errors = ev->error ? n : 0;
	t->unpriced = ev->priced ? 0 : n;
	t->logged_cost_requests = ev->has_logged_cost ? n : 0;
	t->tokens = ev->tokens;
	t->cost = ev->cost;
	t->calc_cost = ev->calc_cost;
	t->logged_cost = ev->has_logged_cost ? ev->logged_cost : 0;
	/* errors, unpriced and logged_cost_requests are n or 0 */
	e->small = totals_below(n | tokens_or(&ev->tokens), t, 50, 100);
	pipe_enter(a, e, key_hash_rest(parts, k));
}

/* The id in dst's dictionary of string id of src's; ids[] caches the
 * answers (UINT32_MAX: not yet asked). */
static uint32_t move_id(struct agg *dst, const struct agg *src, uint32_t *ids,
			uint32_t id)
{
	if (ids[id] == UINT32_MAX) {
		size_t n;
		const char *s = br_dict_str(src->dict, id, &n);
		ids[id] = br_dict_intern(dst->dict, s, n);
	}
	return ids[id];
}

/* Enters the totals of row r of src into dst, its ids moved (move_id). */
static void merge_row(struct agg *dst, const struct agg *src, uint32_t *ids,
		      const struct red_row *r)
{
	struct red_key k = r->key;
	k.provider = move_id(dst, src, ids, k.provider);
	k.model = move_id(dst, src, ids, k.model);
	k.agent = move_id(dst, src, ids, k.agent);
	k.label = move_id(dst, src, ids, k.label);
	k.pricing = move_id(dst, src, ids, k.pricing);
	pipe_push(dst, &k, &r->t);
}

void agg_merge(struct agg *dst, const struct agg *src)
{
	agg_settle(src);
	/* src's rows share few strings: each is interned into dst once. */
	uint32_t nids = br_dict_count(src->dict);
	uint32_t *ids = br_malloc((nids ? nids : 1) * sizeof *ids);
	memset(ids, 0xff, nids * sizeof *ids);
	/* Its runs as they are: dst sums the rows of a key. */
	struct red_row *buf = src->nruns ? br_malloc(RUN_BLOCK * sizeof *buf)
					 : NULL;
	for (size_t r = 0; r < src->nruns && !dst->err; r++) {
		uint64_t off = src->runs[r].off;
		for (size_t left = src->runs[r].nrows; left && !dst->err;) {
			size_t k = left < RUN_BLOCK ? left : RUN_BLOCK;
			dst->err = pread_all(src->spill_fd, buf, k * sizeof *buf,
					     off);
			for (size_t i = 0; i < k && !dst->err; i++)
				merge_row(dst, src, ids, &buf[i]);
			off += k * sizeof *buf;
			left -= k;
		}
	}
	free(buf);
	if (src->err && !dst->err)
		dst->err = src->err;
	for (size_t r = 0; r < src->nrows; r++)
		merge_row(dst, src, ids, &src->rows[r]);
	free(ids);
}

/* *a - b, false (and *a as it was) when *a is saturated or below b. */
static bool count_sub(uint64_t *a, uint64_t b)
{
	if (red_count_saturated(*a) || *a < b)
		return false;
	*a -= b;
	return true;
}

/* *a - b, false when *a is at a bound sums saturate at, or the difference
 * is beyond them. */
static bool cost_sub(br_pico *a, br_pico b)
{
	br_pico d;
	if (*a == BR_PICO_MAX || *a == -BR_PICO_MAX ||
	    __builtin_sub_overflow(*a, b, &d) || d == -BR_PICO_MAX - 1)
		return false;
	*a = d;
	return true;
}

/* a - b, every total; false when one cannot be taken exactly. */
static bool totals_sub(struct red_totals *a, const struct red_totals *b)
{
	struct br_tokens *t = &a->tokens;
	const struct br_tokens *u = &b->tokens;
	return count_sub(&a->requests, b->requests) &&
	       count_sub(&a->errors, b->errors) &&
	       count_sub(&a->unpriced, b->unpriced) &&
	       count_sub(&a->logged_cost_requests, b->logged_cost_requests) &&
	       count_sub(&t->input, u->input) &&
	       count_sub(&t->output, u->output) &&
	       count_sub(&t->cache_read, u->cache_read) &&
	       count_sub(&t->cache_write, u->cache_write) &&
	       count_sub(&t->cache_write_1h, u->cache_write_1h) &&
	       count_sub(&t->reasoning, u->reasoning) &&
	       cost_sub(&a->cost, b->cost) &&
	       cost_sub(&a->calc_cost, b->calc_cost) &&
	       cost_sub(&a->logged_cost, b->logged_cost);
}

/* Takes totals minus out of t, as agg_subtract does to a row; false when
 * that cannot be exact: a sum saturated, minus beyond t, or t left with
 * no request but some other total (a cost line's: of no request). Sets
 * *drop when t is left with no request, and so with nothing: its row is
 * dropped. */
static bool take_out(struct red_totals *t, const struct red_totals *minus,
		     bool *drop)
{
	static const struct red_totals zero;
	*drop = false;
	if (!totals_sub(t, minus))
		return false;
	*drop = !t->requests;
	return !*drop || memcmp(t, &zero, sizeof zero) == 0;
}

/* The index of key k's row in a's table, or -1 when it has none. */
static int64_t key_row(const struct agg *a, const struct red_key *k)
{
	size_t mask = a->nslots - 1;
	uint64_t h = key_hash(k), tag = h & ~(uint64_t)UINT32_MAX;
	for (size_t i = h & mask; a->nslots && a->slots[i] != EMPTY;
	     i = (i + 1) & mask) {
		uint64_t v = a->slots[i];
		if ((v & ~(uint64_t)UINT32_MAX) == tag &&
		    red_key_equal(&a->rows[(uint32_t)v].key, k))
			return (uint32_t)v;
	}
	return -1;
}

/* The index of the row of store row r's key (its names as strings) in
 * a's table, or -1 when a has none. */
static int64_t find_store_row(const struct agg *a, const struct store_row *r)
{
	const char *names[5] = {r->provider, r->model, r->agent, r->label,
				r->pricing};
	int64_t ids[5];
	for (size_t i = 0; i < 5; i++)
		if ((ids[i] = br_dict_find(a->dict, names[i], strlen(names[i]))) < 0)
			return -1;
	struct red_key k = {
		.day = r->day, .provider = (uint32_t)ids[0],
		.model = (uint32_t)ids[1], .agent = (uint32_t)ids[2],
		.label = (uint32_t)ids[3], .tier = (uint32_t)r->tier,
		.cost_source = (uint32_t)r->cost_source,
		.pricing = (uint32_t)ids[4], .price_day = r->price_day,
		.band_lo = r->band_lo, .band_hi = r->band_hi};
	return key_row(a, &k);
}

static struct store_row scan_row(const struct agg *a, const char *source,
				 const struct red_row *r);

/* Takes src's totals of the key of row (dst's, as a store row) out of
 * it, marking src's row taken; false when that cannot be exact. Sets
 * *drop when the row is left with no request, and so none. */
static bool subtract_from(const struct agg *src, bool *taken,
			  struct store_row *row, bool *drop)
{
	*drop = false;
	int64_t i = find_store_row(src, row);
	if (i < 0)
		return true;
	taken[i] = true;
	return take_out(&row->t, &src->rows[i].t, drop);
}

/* agg_subtract of a dst whose rows spilled, and so are not in its table:
 * each of its keys once (its runs merged), src's totals taken out, into
 * an aggregate of dst's bound, which spills as dst did and becomes dst.
 * One pass over its file: only an input of more groups than an aggregate
 * keeps in memory, with duplicates, takes it. */
static bool subtract_spilled(struct agg *dst, const struct agg *src)
{
	struct agg *out = agg_new();
	agg_spill_at(out, dst->spill_rows);
	bool *taken = br_calloc(src->nrows ? src->nrows : 1, sizeof *taken);
	uint32_t *rank = red_string_ranks(dst->dict);
	struct agg_iter *it = agg_iter_new(dst, rank);
	const struct red_row *r;
	bool exact = true;
	while (exact && (r = agg_iter_next(it))) {
		struct store_row row = scan_row(dst, "", r);
		bool drop;
		exact = subtract_from(src, taken, &row, &drop);
		if (exact && !drop)
			agg_add_row(out, &row);
	}
	exact = exact && !agg_iter_error(it) && !agg_error(out);
	agg_iter_free(it);
	free(rank);
	for (size_t i = 0; exact && i < src->nrows; i++)
		exact = taken[i];
	free(taken);
	if (exact) {
		struct agg was = *dst;
		*dst = *out;
		*out = was;
	}
	agg_free(out);
	return exact;
}

bool agg_subtract(struct agg *dst, const struct agg *src)
{
	agg_settle(dst);
	agg_settle(src);
	if (src->nruns || dst->err || src->err)
		return false;
	if (dst->nruns)
		return subtract_spilled(dst, src);
	size_t dropped = 0;
	for (size_t i = 0; i < src->nrows; i++) {
		struct store_row key = scan_row(src, "", &src->rows[i]);
		int64_t r = find_store_row(dst, &key);
		if (r < 0)
			return false;
		struct red_row *row = &dst->rows[r];
		bool drop;
		if (!take_out(&row->t, &src->rows[i].t, &drop))
			return false;
		/* Dropped below, or its sums told again at its next add
		 * (row_add). */
		row->room = drop ? UINT64_MAX : 0;
		dropped += drop;
	}
	if (!dropped)
		return true;
	size_t kept = 0;
	for (size_t i = 0; i < dst->nrows; i++)
		if (dst->rows[i].room != UINT64_MAX)
			dst->rows[kept++] = dst->rows[i];
	dst->nrows = kept;
	slots_fill(dst);
	return true;
}

void agg_add_row(struct agg *a, const struct store_row *r)
{
	if (a->nrows >= a->spill_rows)
		spill(a);
	struct red_key k = {
		.day = r->day,
		.provider = br_dict_intern(a->dict, r->provider, strlen(r->provider)),
		.model = br_dict_intern(a->dict, r->model, strlen(r->model)),
		.agent = br_dict_intern(a->dict, r->agent, strlen(r->agent)),
		.label = br_dict_intern(a->dict, r->label, strlen(r->label)),
		.tier = (uint32_t)r->tier,
		.cost_source = (uint32_t)r->cost_source,
		.pricing = br_dict_intern(a->dict, r->pricing, strlen(r->pricing)),
		.price_day = r->price_day,
		.band_lo = r->band_lo,
		.band_hi = r->band_hi,
	};
	red_totals_add(agg_row(a, &k), &r->t);
}

/* The row a store would give back of r, of a. */
static struct store_row scan_row(const struct agg *a, const char *source,
				 const struct red_row *r)
{
	return (struct store_row){
		.day = r->key.day,
		.source = source,
		.provider = br_dict_str(a->dict, r->key.provider, NULL),
		.model = br_dict_str(a->dict, r->key.model, NULL),
		.agent = br_dict_str(a->dict, r->key.agent, NULL),
		.label = br_dict_str(a->dict, r->key.label, NULL),
		.tier = (enum br_tier)r->key.tier,
		.cost_source = (enum br_cost_source)r->key.cost_source,
		.pricing = br_dict_str(a->dict, r->key.pricing, NULL),
		.price_day = r->key.price_day,
		.band_lo = r->key.band_lo,
		.band_hi = r->key.band_hi,
		.t = r->t,
	};
}

int agg_scan(const struct agg *a, const char *source, store_row_fn fn,
	     void *ctx)
{
	agg_settle(a);
	if (a->nruns) {
		/* Spilled: each key once, its runs merged. */
		uint32_t *rank = red_string_ranks(a->dict);
		struct agg_iter *it = agg_iter_new(a, rank);
		const struct red_row *r;
		int rc = 0;
		while (rc == 0 && (r = agg_iter_next(it))) {
			struct store_row row = scan_row(a, source, r);
			rc = fn(ctx, &row);
		}
		agg_iter_free(it);
		free(rank);
		return rc;
	}
	for (size_t i = 0; i < a->nrows; i++) {
		struct store_row row = scan_row(a, source, &a->rows[i]);
		int rc = fn(ctx, &row);
		if (rc)
			return rc;
	}
	return 0;
}
