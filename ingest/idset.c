/* idset.c - the set of request ids seen, for duplicate detection: exact
 * (every id's bytes are kept and compared) and compact, since it holds one
 * entry per request of a run.
 *
 * The set is split into 256 shards by the top byte of the id's hash, so
 * that growing a shard's table copies 1/256 of the set, not all of it.
 * A shard keeps its ids in an arena, each as a varint length and the bytes,
 * one after the other. A small arena is allocated (an input of a few
 * thousand ids touches every shard: 256 mapped pages would make 1 MiB of
 * it); from ARENA_MAP bytes on, it is mapped memory grown with mremap, so
 * it is resident only as far as it is written and never copied. The ids are
 * found with an open-addressing table of 4-byte slots: 6 bits of the hash
 * (a tag that spares most comparisons) and the entry's arena offset plus
 * one (0: an empty slot). A table grows by half when it is 80% full, so
 * it is 53-80% full. One thread at a time uses a set. docs/PERFORMANCE.md
 * gives the memory per million ids. */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "ingest/ingest_internal.h"

#define SHARD_BITS 8 /* by the top bits of the hash */
#define SHARDS (1 << SHARD_BITS)
#define OFF_BITS 26
#define OFF_MASK ((UINT32_C(1) << OFF_BITS) - 1)
#define ARENA_MIN ((size_t)256)
#define ARENA_MAP ((size_t)16 << 10) /* mapped from this capacity on */
/* The first mapping: address space, resident only as it is written. It
 * spares the mremaps of its growth (each moves the arena and, with the
 * pool's threads, costs a TLB shootdown: ~80 us here) up to ~80,000 ids a
 * shard, 20 million in a set. */
#define ARENA_FIRST_MAP ((size_t)1 << 20)

/* One cache line. */
struct shard {
	uint32_t *slots;
	uint32_t nslots; /* 0 before the first id */
	uint32_t count;
	unsigned char *arena;
	size_t cap, len;
} __attribute__((aligned(64)));

struct idset {
	struct shard shard[SHARDS];
};

/* The shard of hash h. */
static struct shard *shard_of(const struct idset *s, uint64_t h)
{
	return (struct shard *)&s->shard[h >> (64 - SHARD_BITS)];
}

struct idset *idset_new(void)
{
	/* Its shards are a cache line each, so aligned to one. */
	struct idset *s = aligned_alloc(64, sizeof *s);
	if (!s)
		br_oom();
	memset(s, 0, sizeof *s);
	return s;
}

static void shard_free(struct shard *sh)
{
	free(sh->slots);
	if (sh->cap >= ARENA_MAP)
		munmap(sh->arena, sh->cap);
	else
		free(sh->arena);
	memset(sh, 0, sizeof *sh);
}

void idset_free(struct idset *s)
{
	if (!s)
		return;
	for (int i = 0; i < SHARDS; i++)
		shard_free(&s->shard[i]);
	free(s);
}

uint64_t idset_count(const struct idset *s)
{
	uint64_t n = 0;
	for (int i = 0; i < SHARDS; i++)
		n += s->shard[i].count;
	return n;
}

uint64_t idset_hash(const char *id, size_t n)
{
	return br_hash64(id, n);
}

static uint32_t tag_of(uint64_t h)
{
	return (uint32_t)(h >> 32 & 0x3F) << OFF_BITS;
}

/* The home slot of hash h in a table of n slots. */
static uint32_t home(uint64_t h, uint32_t n)
{
	return (uint32_t)(((h & UINT32_MAX) * n) >> 32);
}

/* Decodes the entry of slot value v: its bytes and length. */
static const unsigned char *entry(const struct shard *sh, uint32_t v,
				  size_t *n)
{
	const unsigned char *p = sh->arena + (v & OFF_MASK) - 1;
	size_t len = 0;
	for (int shift = 0;; shift += 7) {
		len |= (size_t)(*p & 0x7F) << shift;
		if (!(*p++ & 0x80))
			break;
	}
	*n = len;
	return p;
}

/* The entry at offset *off of the arena (below sh->len): its bytes and
 * length; moves *off to the next entry. The arena holds the shard's ids
 * in the order they were added. */
static const unsigned char *next_entry(const struct shard *sh, size_t *off,
				       size_t *n)
{
	const unsigned char *p = entry(sh, (uint32_t)(*off + 1), n);
	*off = (size_t)(p - sh->arena) + *n;
	return p;
}

/* The slot holding id, or the empty slot where it belongs. */
static uint32_t *find(const struct shard *sh, const char *id, size_t n,
		      uint64_t h)
{
	uint32_t tag = tag_of(h);
	for (uint32_t i = home(h, sh->nslots);; i = i + 1 == sh->nslots ? 0 : i + 1) {
		uint32_t v = sh->slots[i];
		if (v == 0)
			return &sh->slots[i];
		if ((v & ~OFF_MASK) != tag)
			continue;
		size_t len;
		const unsigned char *p = entry(sh, v, &len);
		if (len == n && br_mem_eq(p, id, n))
			return &sh->slots[i];
	}
}

static void grow(struct shard *sh)
{
	uint32_t *old = sh->slots, nold = sh->nslots;
	uint32_t n = nold ? nold + nold / 2 : 16;
	uint32_t *slots = br_calloc(n, sizeof *slots);
	/* In the arena's order, which reads it from start to end, not at
	 * random as the old table would: a shard's ids are seldom in the
	 * cache, and other threads may be waiting for its lock. */
	for (size_t off = 0; off < sh->len;) {
		uint32_t v = (uint32_t)(off + 1);
		size_t len;
		const unsigned char *p = next_entry(sh, &off, &len);
		uint64_t h = idset_hash((const char *)p, len);
		uint32_t j = home(h, n);
		while (slots[j])
			j = j + 1 == n ? 0 : j + 1;
		slots[j] = tag_of(h) | v;
	}
	sh->slots = slots;
	sh->nslots = n;
	free(old);
}

void idset_prefetch(const struct idset *s, uint64_t h)
{
	const struct shard *sh = shard_of(s, h);
	if (sh->slots)
		__builtin_prefetch(sh->slots + home(h, sh->nslots));
}

/* Makes room for need more bytes in the arena. */
static void arena_reserve(struct shard *sh, size_t need)
{
	if (sh->len + need <= sh->cap)
		return;
	size_t cap = sh->cap ? sh->cap : ARENA_MIN;
	while (cap < sh->len + need)
		cap *= 2;
	if (cap >= ARENA_MAP && cap < ARENA_FIRST_MAP)
		cap = ARENA_FIRST_MAP;
	if (cap < ARENA_MAP) {
		sh->arena = br_realloc(sh->arena, cap);
	} else {
		void *p = sh->cap >= ARENA_MAP
				  ? mremap(sh->arena, sh->cap, cap, MREMAP_MAYMOVE)
				  : mmap(NULL, cap, PROT_READ | PROT_WRITE,
					 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			br_oom();
		if (sh->cap < ARENA_MAP) {
			if (sh->len)
				memcpy(p, sh->arena, sh->len);
			free(sh->arena);
		}
		sh->arena = p;
	}
	sh->cap = cap;
}

bool idset_has(const struct idset *s, const char *id, size_t n, uint64_t h)
{
	const struct shard *sh = shard_of(s, h);
	return sh->nslots && *find(sh, id, n, h) != 0;
}

static bool shard_add(struct shard *sh, const char *id, size_t n, uint64_t h)
{
	if ((uint64_t)(sh->count + 1) * 5 > (uint64_t)sh->nslots * 4)
		grow(sh);
	uint32_t *slot = find(sh, id, n, h);
	if (*slot)
		return false;
	arena_reserve(sh, n + 10);
	/* An arena past 64 MiB a shard: 16 GiB of ids in all. */
	if (sh->len + 1 > OFF_MASK)
		br_oom();
	*slot = tag_of(h) | (uint32_t)(sh->len + 1);
	unsigned char *p = sh->arena + sh->len;
	size_t len = n;
	do {
		*p = (unsigned char)(len & 0x7F);
		len >>= 7;
		*p++ |= len ? 0x80 : 0;
	} while (len);
	memcpy(p, id, n);
	sh->len = (size_t)(p - sh->arena) + n;
	sh->count++;
	return true;
}

bool idset_add(struct idset *s, const char *id, size_t n, uint64_t h)
{
	return shard_add(shard_of(s, h), id, n, h);
}

uint64_t idset_common(const struct idset *a, const struct idset *b)
{
	if (idset_count(a) > idset_count(b)) {
		const struct idset *t = a;
		a = b;
		b = t;
	}
	uint64_t common = 0;
	for (int i = 0; i < SHARDS; i++) {
		const struct shard *sh = &a->shard[i];
		for (size_t off = 0; off < sh->len;) {
			size_t len;
			const char *id = (const char *)next_entry(sh, &off, &len);
			common += idset_has(b, id, len, idset_hash(id, len));
		}
	}
	return common;
}

/* Adds the ids of shard sh to s. */
static void add_shard(struct idset *s, const struct shard *sh)
{
	for (size_t off = 0; off < sh->len;) {
		size_t len;
		const char *id = (const char *)next_entry(sh, &off, &len);
		idset_add(s, id, len, idset_hash(id, len));
	}
}

struct idset *idset_merge(struct idset *a, struct idset *b)
{
	if (idset_count(a) < idset_count(b)) {
		struct idset *t = a;
		a = b;
		b = t;
	}
	/* Shard by shard, freeing as it goes: the set never holds both
	 * copies of more than one shard. */
	for (int i = 0; i < SHARDS; i++) {
		add_shard(a, &b->shard[i]);
		shard_free(&b->shard[i]);
	}
	idset_free(b);
	return a;
}

void idset_add_all(struct idset *dst, const struct idset *src)
{
	for (int i = 0; i < SHARDS; i++)
		add_shard(dst, &src->shard[i]);
}
