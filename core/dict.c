/* dict.c - string interning: byte strings to dense ids, open addressing. */
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

struct entry {
	uint64_t hash;
	uint32_t id; /* UINT32_MAX: empty slot */
};

/* The cache of strings interned lately: RECENT_SETS sets of RECENT_WAYS
 * ids, the latest first, so that a few strings of one set (of the one
 * hash of their ends) do not evict each other. */
#define RECENT_SETS 32
#define RECENT_WAYS 4

struct br_dict {
	struct entry *slots;
	size_t nslots;    /* a power of two */
	char **str;       /* by id; each NUL-terminated */
	size_t *len;
	uint32_t count, cap;
	/* Ids of strings interned lately, by a cheap hash of their ends:
	 * the few strings a log repeats (providers, models, agents) are
	 * found without hashing them whole. UINT32_MAX: empty. */
	uint32_t recent[RECENT_SETS][RECENT_WAYS];
};

/* The set of s in the cache: from its length and its first and last
 * (up to) 8 bytes, read without a loop. */
static unsigned recent_slot(const char *s, size_t n)
{
	uint64_t w = (n ^ br_ends_word(s, n)) * UINT64_C(0x9E3779B97F4A7C15);
	w ^= w >> 29;
	return (unsigned)((w * UINT64_C(0x9E3779B97F4A7C15)) >> 59); /* RECENT_SETS */
}

static uint64_t str_hash(const char *s, size_t n)
{
	return br_hash64(s, n);
}

struct br_dict *br_dict_new(void)
{
	struct br_dict *d = br_calloc(1, sizeof *d);
	d->nslots = 8; /* grown as strings come: an archive holds one per member */
	d->slots = br_malloc(d->nslots * sizeof *d->slots);
	for (size_t i = 0; i < d->nslots; i++)
		d->slots[i].id = UINT32_MAX;
	memset(d->recent, 0xff, sizeof d->recent);
	return d;
}

void br_dict_free(struct br_dict *d)
{
	if (!d)
		return;
	for (uint32_t i = 0; i < d->count; i++)
		free(d->str[i]);
	free(d->str);
	free(d->len);
	free(d->slots);
	free(d);
}

/* Returns the slot holding s, or the empty slot where it belongs. */
static struct entry *find_slot(const struct br_dict *d, const char *s,
			       size_t n, uint64_t h)
{
	size_t mask = d->nslots - 1;
	for (size_t i = h & mask;; i = (i + 1) & mask) {
		struct entry *e = &d->slots[i];
		if (e->id == UINT32_MAX)
			return e;
		if (e->hash == h && d->len[e->id] == n &&
		    br_mem_eq(d->str[e->id], s, n))
			return e;
	}
}

static void grow(struct br_dict *d)
{
	struct entry *old = d->slots;
	size_t nold = d->nslots;
	d->nslots *= 2;
	d->slots = br_malloc(d->nslots * sizeof *d->slots);
	for (size_t i = 0; i < d->nslots; i++)
		d->slots[i].id = UINT32_MAX;
	for (size_t i = 0; i < nold; i++) {
		if (old[i].id == UINT32_MAX)
			continue;
		size_t mask = d->nslots - 1, j = old[i].hash & mask;
		while (d->slots[j].id != UINT32_MAX)
			j = (j + 1) & mask;
		d->slots[j] = old[i];
	}
	free(old);
}

/* Makes id the latest of the cache's set r, the oldest dropped. */
static void recent_put(struct br_dict *d, unsigned r, uint32_t id)
{
	uint32_t *set = d->recent[r];
	memmove(set + 1, set, (RECENT_WAYS - 1) * sizeof *set);
	set[0] = id;
}

/* br_dict_intern for a string not in the cache's set r: out of line, so
 * that the cache's hit saves no registers. */
static __attribute__((noinline)) uint32_t intern_uncached(struct br_dict *d,
							  const char *s,
							  size_t n, unsigned r)
{
	uint64_t h = str_hash(s, n);
	struct entry *e = find_slot(d, s, n, h);
	if (e->id != UINT32_MAX) {
		recent_put(d, r, e->id);
		return e->id;
	}
	if (d->count == UINT32_MAX - 1)
		br_oom();
	if (d->count == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 4;
		d->str = br_realloc(d->str, d->cap * sizeof *d->str);
		d->len = br_realloc(d->len, d->cap * sizeof *d->len);
	}
	uint32_t id = d->count++;
	d->str[id] = br_strndup(s, n);
	d->len[id] = n;
	e->hash = h;
	e->id = id;
	recent_put(d, r, id);
	if ((size_t)d->count * 4 > d->nslots * 3)
		grow(d);
	return id;
}

uint32_t br_dict_intern(struct br_dict *d, const char *s, size_t n)
{
	unsigned r = recent_slot(s, n);
	for (unsigned w = 0; w < RECENT_WAYS; w++) {
		uint32_t id = d->recent[r][w];
		if (id == UINT32_MAX)
			break; /* the set's ways fill from the first */
		if (d->len[id] == n && br_mem_eq(d->str[id], s, n))
			return id;
	}
	return intern_uncached(d, s, n, r);
}

int64_t br_dict_find(const struct br_dict *d, const char *s, size_t n)
{
	struct entry *e = find_slot(d, s, n, str_hash(s, n));
	return e->id == UINT32_MAX ? -1 : (int64_t)e->id;
}

const char *br_dict_str(const struct br_dict *d, uint32_t id, size_t *len)
{
	if (len)
		*len = d->len[id];
	return d->str[id];
}

uint32_t br_dict_count(const struct br_dict *d)
{
	return d->count;
}
