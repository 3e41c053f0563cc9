/* idset.c - the set of request ids seen, for duplicate detection: exact
 * (every id's bytes are kept and compared) and compact, since it holds one
 * entry per request of a run.
 *
 * The set is split into 256 shards by the top byte of the id's hash, so
 * that growing a shard's table copies 1/256 of the set, not all of it.
 * A shard keeps its ids in an arena, each as a varint header and the
 * bytes of its key (idset_key: a UUID written canonically, as most
 * loggers write them, is kept as its 16 bytes, not its 36), one after
 * the other; an id longer than LONG_ID is kept in a block of its own, the
 * arena holding its address. The ids are found with an
 * open-addressing table of 4-byte slots: the entry's arena offset plus one
 * (0: an empty slot) in the bits its shard's arena needs, and in the rest,
 * 6 to 19, bits of the hash (a tag that spares most comparisons). A table
 * grows by half when it is 80% full, so it is 53-80% full, unless it was
 * sized at once (idset_expect): then the tables are one mapping of huge
 * pages, the slab, which a table leaves when it grows alone, and all of
 * them when they are sized at once again.
 * One thread at a time changes a set; any number may look in one that no
 * thread changes (idset_has, idset_prefetch). docs/PERFORMANCE.md gives
 * the memory per million ids.
 *
 * A set is small until it would hold more than SMALL_IDS ids or a
 * stripe's worth of them: its ids are then in one shard of its own, and
 * it has no others. An input of a few ids (a backfill's hourly logs) would
 * else clear 256 shards (16 KiB) and allocate a table and an arena for
 * nearly each id, each its own shard, and every merge, count and free
 * would go through the 256.
 *
 * A shard's arena is allocated until it outgrows a stripe (8 KiB): an
 * input of a few thousand ids touches every shard, and mapped pages would
 * make 1 MiB of it. From then on it is striped: the set maps rows of 256
 * stripes, the k-th stripe of a row being shard k's, so that the shards,
 * which grow alike, fill the rows together. An entry never straddles two
 * stripes: the rest of a stripe too short for the next entry is left
 * zero, which no header is.
 *
 * The rows are of small pages, resident as the ids are written: an arena
 * is read where an id is found or a tag matches another's (its 6-19 bits)
 * and appended to at 256 places at a time, which the TLB holds. Until stop
 * 43 a row the shards reached was made one huge page (MADV_COLLAPSE,
 * copying its pages written so far): on the project's VM a huge page new
 * to the process costs 0.2-15 us per 4 KiB as the host has it or not (32
 * MiB made resident: 1.6-122 ms), a small page 1.4-2 us; the 2M bench's
 * collapses were 0.4-6.2% of its CPU samples in a run (1.7-4.5% on
 * average), its arenas' page faults are now ~1.5% (0.6% before;
 * docs/PERFORMANCE.md, stop 43).
 *
 * A row every shard has left (a final row: the shards, which grow alike,
 * write in the last few) is spilled: written to a temporary file of the
 * set's own ($TMPDIR, else /tmp; unlinked as it is made, so that nothing
 * outlives the process) by a thread of the set's own (struct spiller),
 * and mapped from it in place of its memory, which is given back. The
 * tables stay in memory, and find an id by its tag: the arena is read
 * only for a tag that matches (a duplicate, or 1 in 2^6-2^19 of the other
 * slots probed) and by the walks of a rehash or a merge, from the page
 * cache. The mapped rows' pages are let go as rows are spilled (a read
 * maps some again). So the set's memory is its tables (~5.3 bytes an id)
 * and its last rows, not its ids: 2M ids of 36 bytes (UUIDs, then kept
 * whole) took 82 MiB, most of the 2M bench's peak RSS (stop 45). A file
 * that cannot be made or written (no TMPDIR, a full disk) leaves the rows
 * in memory, as before: pwrite reserves the file's blocks, so a mapped
 * row never meets a full disk. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ingest/ingest_internal.h"

#define SHARD_BITS 8 /* by the top bits of the hash */
#define SHARDS (1 << SHARD_BITS)
#define OFF_BITS 26 /* at most: 64 MiB of arena a shard */
#define OFF_MASK ((UINT32_C(1) << OFF_BITS) - 1)
/* At least: an arena's offsets then pass a power of two only where an
 * entry starts a stripe (an entry ends at least 8 bytes before its
 * stripe's end: arena_room), and the tag's bits are above the home slot's
 * 32 (tag_of). */
#define OFF_BITS_MIN STRIPE_BITS
#define ARENA_MIN ((size_t)256)
#define STRIPE_BITS 13
#define STRIPE ((size_t)1 << STRIPE_BITS)
#define ROW (SHARDS * STRIPE) /* 2 MiB: a huge page */
/* Longer ids are kept out of the arena, so that an entry fits a stripe
 * with little left over. */
#define LONG_ID 1024
/* A set is small until it would hold more ids than this, or more than a
 * stripe of them: one shard of its own. */
#define SMALL_IDS 512
/* A row is written to its file this many bytes at a time: written whole,
 * the page cache holds it in folios of up to 2 MiB (ext4, Linux 6.18),
 * each mapped whole by any touch of the row (a tag that matches, a late
 * write), and the 2M bench's spilled rows were all resident again
 * between two sweeps. */
#define SPILL_WRITE ((size_t)16 << 10)

_Static_assert(10 + LONG_ID <= STRIPE,
	       "an entry (a header of at most 10 bytes, the id) fits a stripe");

/* One cache line. */
struct shard {
	uint32_t *slots;
	uint32_t nslots; /* 0 before the first id */
	uint32_t count;
	unsigned char *arena; /* allocated; NULL once striped */
	size_t cap;           /* of the allocated arena */
	size_t len;           /* the offsets used */
	uint32_t nlong;       /* ids kept out of the arena */
	uint32_t tag_mask;    /* a slot's bits of the tag; the offset's below */
	bool striped;
	bool in_slab;         /* its table is part of the set's slab */
} __attribute__((aligned(64)));

struct idset {
	struct shard *shard;  /* SHARDS of them; NULL while the set is small */
	struct shard small;   /* the ids of a small set */
	unsigned char **rows; /* of the striped arenas, ROW bytes each */
	size_t nrows, rows_cap;
	size_t nspilled;      /* rows[0..nspilled) are mapped from the file */
	unsigned char *spare; /* a spilled row's memory, for the next row */
	bool spill_off;       /* the file could not be made or written */
	struct spiller *spiller; /* NULL until a row is final */
	uint32_t *slab;       /* the tables idset_expect sized, or NULL */
	size_t slab_size;
};

/* The shard of hash h. */
static struct shard *shard_of(const struct idset *s, uint64_t h)
{
	return (struct shard *)(s->shard ? &s->shard[h >> (64 - SHARD_BITS)]
					 : &s->small);
}

/* The number of s's shards, and the i-th: its one while it is small. */
static int shard_count(const struct idset *s)
{
	return s->shard ? SHARDS : 1;
}

static struct shard *shard_at(const struct idset *s, int i)
{
	return (struct shard *)(s->shard ? &s->shard[i] : &s->small);
}

struct idset *idset_new(void)
{
	/* A shard is a cache line, so aligned to one. */
	struct idset *s = aligned_alloc(64, sizeof *s);
	if (!s)
		br_oom();
	memset(s, 0, sizeof *s);
	return s;
}

/* The address of offset off of shard sh's arena. */
static inline unsigned char *at(const struct idset *s, const struct shard *sh,
				size_t off)
{
	if (!sh->striped)
		return sh->arena + off;
	return s->rows[off >> STRIPE_BITS] + (size_t)(sh - s->shard) * STRIPE +
	       (off & (STRIPE - 1));
}

/* An entry's header: its key's length, and a flag: the key is kept out
 * of the arena (its address follows the header), or for a key of at
 * most LONG_ID bytes, which never is, it is a UUID's packed bytes
 * (idset_key); never 0. */
static inline size_t header(size_t n, bool flag)
{
	return (n << 1 | flag) + 1;
}

/* A key as an entry keeps it: its bytes (in the arena, or for a long one
 * in a block of its own), their length, whether a UUID's. */
struct kept {
	const char *p;
	size_t n;
	bool uuid;
};

/* Decodes the entry at p, and sets *after past it. */
static struct kept decode(const unsigned char *p, const unsigned char **after)
{
	size_t h = 0;
	for (int shift = 0;; shift += 7) {
		h |= (size_t)(*p & 0x7F) << shift;
		if (!(*p++ & 0x80))
			break;
	}
	h--;
	struct kept k = {(const char *)p, h >> 1, (h & 1) && h >> 1 <= LONG_ID};
	if (!(h & 1) || k.uuid) {
		*after = p + k.n;
		return k;
	}
	memcpy(&k.p, p, sizeof k.p);
	*after = p + sizeof k.p;
	return k;
}

/* The key of slot value v. */
static struct kept entry(const struct idset *s, const struct shard *sh,
			 uint32_t v)
{
	const unsigned char *after;
	return decode(at(s, sh, (v & ~sh->tag_mask) - 1), &after);
}

/* The entry at or after offset *off of the arena (below sh->len), its
 * offset in *start; moves *off past it. The arena holds the shard's ids
 * in the order they were added. */
static struct kept next_entry(const struct idset *s, const struct shard *sh,
			      size_t *off, size_t *start)
{
	const unsigned char *p = at(s, sh, *off);
	while (!*p) { /* the unused rest of a stripe */
		*off = (*off | (STRIPE - 1)) + 1;
		p = at(s, sh, *off);
	}
	*start = *off;
	const unsigned char *after;
	struct kept k = decode(p, &after);
	*off += (size_t)(after - p);
	return k;
}

/* The hash of kept key k (idset_key's). */
static uint64_t kept_hash(struct kept k)
{
	return idset_key_hash(k.p, k.n, k.uuid);
}

/* Maps size bytes (a multiple of the page size), aligned to a huge page
 * and, when huge, advised to be backed by them (only advice: without
 * transparent huge pages they are small pages, resident as they are
 * written); else advised not to be, lest transparent huge pages make them
 * resident whole. */
static void *map_aligned(size_t size, bool huge)
{
	if (size > SIZE_MAX - BR_HUGE_PAGE)
		br_oom();
	size_t span = size + BR_HUGE_PAGE;
	/* Not reserved: memory is taken as it is written (a slab sized
	 * for ids that never come is refused by no overcommit heuristic). */
	unsigned char *p = mmap(NULL, span, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		br_oom();
	unsigned char *mem = (unsigned char *)(((uintptr_t)p + BR_HUGE_PAGE - 1) &
					       ~(uintptr_t)(BR_HUGE_PAGE - 1));
	if (mem > p)
		munmap(p, (size_t)(mem - p));
	if (mem + size < p + span)
		munmap(mem + size, (size_t)(p + span - (mem + size)));
	madvise(mem, size, huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
	return mem;
}

/* The slots of a page of the kernel's size (16 KiB on some arm64 kernels,
 * 64 KiB on ppc64el): tables sized at once of at least that many are
 * mapped together (a slab). */
static uint32_t page_slots(void)
{
	long page = sysconf(_SC_PAGESIZE);
	return (uint32_t)((page > 0 ? (size_t)page : 4096) / sizeof(uint32_t));
}

/* Lets go of shard sh's table: freed, or when part of the slab, the
 * pages wholly its own given back (they stay mapped, and are never
 * touched again): the tables of a slab are not whole pages, and a page
 * it shares with the next table is that one's too. */
static void drop_table(struct shard *sh)
{
	if (!sh->in_slab) {
		free(sh->slots);
	} else {
		uintptr_t page = (uintptr_t)page_slots() * sizeof *sh->slots;
		uintptr_t lo = ((uintptr_t)sh->slots + page - 1) & ~(page - 1);
		uintptr_t hi = (uintptr_t)(sh->slots + sh->nslots) & ~(page - 1);
		if (hi > lo)
			madvise((void *)lo, hi - lo, MADV_DONTNEED);
	}
	sh->slots = NULL;
	sh->in_slab = false;
}

static void spiller_stop(struct idset *s);

static void shard_free(const struct idset *s, struct shard *sh)
{
	for (size_t off = 0, start; sh->nlong && off < sh->len;) {
		struct kept k = next_entry(s, sh, &off, &start);
		if (k.n > LONG_ID) {
			free((void *)k.p);
			sh->nlong--;
		}
	}
	drop_table(sh);
	free(sh->arena);
	memset(sh, 0, sizeof *sh);
}

void idset_free(struct idset *s)
{
	if (!s)
		return;
	for (int i = 0; i < shard_count(s); i++) {
		struct shard *sh = shard_at(s, i);
		if (sh->in_slab) { /* unmapped whole below, not page by page */
			sh->slots = NULL;
			sh->in_slab = false;
		}
		shard_free(s, sh);
	}
	spiller_stop(s);
	for (size_t r = 0; r < s->nrows; r++)
		munmap(s->rows[r], ROW);
	free(s->rows);
	if (s->spare)
		munmap(s->spare, ROW);
	if (s->slab)
		munmap(s->slab, s->slab_size);
	free(s->shard);
	free(s);
}

/* 128-bit product of a and b, folded. */
static inline uint64_t mum(uint64_t a, uint64_t b)
{
	unsigned __int128 m = (unsigned __int128)a * b;
	return (uint64_t)m ^ (uint64_t)(m >> 64);
}

/* idset_hash of an id of more than 16 bytes: up to 64, as idset_hash reads
 * 16, two words multiplied into 128 bits, for each 16 bytes (the last 16
 * overlapping), each with seeds of its place, the products xored: they do
 * not wait for one another, where br_hash64's multiplies are one chain,
 * 8 bytes a link (a UUID's 36 bytes: 3.9% of the 2M UUIDs' CPU samples,
 * stop 45). Longer ids take br_hash64. */
uint64_t idset_hash_long(const char *id, size_t n)
{
	static const uint64_t seed[8] = {
		UINT64_C(0x9E3779B97F4A7C15), UINT64_C(0xC2B2AE3D27D4EB4F),
		UINT64_C(0x165667B19E3779F9), UINT64_C(0xD6E8FEB86659FD93),
		UINT64_C(0xA0761D6478BD642F), UINT64_C(0xE7037ED1A0B428DB),
		UINT64_C(0x8EBC6AF09C88C6E3), UINT64_C(0x589965CC75374CC3)};
	if (n > 64)
		return br_hash64(id, n);
	uint64_t h = (uint64_t)n * seed[0];
	size_t k = 0;
	for (size_t i = 0; i + 16 < n; i += 16, k += 2)
		h ^= mum(br_le64(id + i) ^ seed[k], br_le64(id + i + 8) ^ seed[k + 1]);
	h ^= mum(br_le64(id + n - 16) ^ seed[6], br_le64(id + n - 8) ^ seed[7] ^ n);
	h = (h ^ h >> 32) * seed[0];
	return h ^ h >> 29;
}

/* Where a canonical UUID's dashes are. */
static bool uuid_dashes(const char *id)
{
	return id[8] == '-' && id[13] == '-' && id[18] == '-' && id[23] == '-';
}

#ifdef __SSE2__
/* The 4 bytes at p as the low half of a word, the first the least
 * significant. */
static inline uint64_t le32(const char *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

/* The values of the 16 lowercase hex digits of x, or false when one is
 * not: a digit's value in its byte. */
static inline bool hex16(__m128i x, __m128i *value)
{
	__m128i d = _mm_sub_epi8(x, _mm_set1_epi8('0'));
	__m128i l = _mm_sub_epi8(x, _mm_set1_epi8('a'));
	__m128i is_d = _mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(9)), d);
	__m128i is_l = _mm_cmpeq_epi8(_mm_min_epu8(l, _mm_set1_epi8(5)), l);
	*value = _mm_or_si128(_mm_and_si128(is_d, d),
			      _mm_and_si128(is_l, _mm_add_epi8(l, _mm_set1_epi8(10))));
	return _mm_movemask_epi8(_mm_or_si128(is_d, is_l)) == 0xFFFF;
}

/* The 16 digit values of v two to a byte, the first the high half, in
 * the low bytes of its 16-bit lanes. */
static inline __m128i hex_pairs(__m128i v)
{
	__m128i t = _mm_or_si128(_mm_slli_epi16(v, 4), _mm_srli_epi16(v, 8));
	return _mm_and_si128(t, _mm_set1_epi16(0xFF));
}

/* The 32 digits, their dashes left out as the words are read, in two
 * vectors of 16: ~75 instructions, of which the 16 bytes' hash (~20)
 * against the 36's (idset_hash_long, ~50) takes back a third; the rest
 * is paid back by the bytes the set no longer writes, spills and reads
 * (docs/PERFORMANCE.md, stop 52). */
bool idset_uuid_pack(const char *id, unsigned char out[16])
{
	if (!uuid_dashes(id))
		return false;
	__m128i lo = _mm_set_epi64x((long long)(le32(id + 9) | le32(id + 14) << 32),
				    (long long)br_le64(id));
	__m128i hi = _mm_set_epi64x((long long)br_le64(id + 28),
				    (long long)(le32(id + 19) | le32(id + 24) << 32));
	if (!hex16(lo, &lo) || !hex16(hi, &hi))
		return false;
	_mm_storeu_si128((__m128i *)out,
			 _mm_packus_epi16(hex_pairs(lo), hex_pairs(hi)));
	return true;
}
#else
bool idset_uuid_pack(const char *id, unsigned char out[16])
{
	if (!uuid_dashes(id))
		return false;
	int k = 0;
	for (int i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23)
			continue;
		unsigned c = (unsigned char)id[i];
		int v = c - '0' < 10 ? (int)(c - '0')
			: c - 'a' < 6 ? (int)(c - 'a' + 10) : -1;
		if (v < 0)
			return false;
		if (k % 2 == 0)
			out[k / 2] = (unsigned char)(v << 4);
		else
			out[k / 2] |= (unsigned char)v;
		k++;
	}
	return true;
}
#endif

uint64_t idset_count(const struct idset *s)
{
	uint64_t n = 0;
	for (int i = 0; i < shard_count(s); i++)
		n += shard_at(s, i)->count;
	return n;
}

/* The tag of hash h in shard sh's slots: bits 24-55 of the hash, those
 * the offsets leave, the lowest of them above the home slot's 32. */
static inline uint32_t tag_of(const struct shard *sh, uint64_t h)
{
	return (uint32_t)(h >> 24) & sh->tag_mask;
}

/* The home slot of hash h in a table of n slots. */
static uint32_t home(uint64_t h, uint32_t n)
{
	return (uint32_t)(((h & UINT32_MAX) * n) >> 32);
}

/* The slot holding key k (hash h), or the empty slot where it belongs.
 * Inlined in idset_add and idset_has: a call of its own took 17 of its 49
 * instructions an id (callgrind, the 2M bench's first 300,000 records). */
static inline __attribute__((always_inline)) uint32_t *
find(const struct idset *s, const struct shard *sh, struct kept k, uint64_t h)
{
	uint32_t tag = tag_of(sh, h), mask = sh->tag_mask;
	for (uint32_t i = home(h, sh->nslots);; i = i + 1 == sh->nslots ? 0 : i + 1) {
		uint32_t v = sh->slots[i];
		if (v == 0)
			return &sh->slots[i];
		if ((v & mask) != tag)
			continue;
		struct kept e = entry(s, sh, v);
		if (e.n == k.n && e.uuid == k.uuid && br_mem_eq(e.p, k.p, k.n))
			return &sh->slots[i];
	}
}

/* Gives shard sh the table slots of n slots (more than its ids, all
 * empty), rehashing its ids into it; in_slab: part of the slab. */
static void move_table(const struct idset *s, struct shard *sh,
		       uint32_t *slots, uint32_t n, bool in_slab)
{
	/* The offsets take the bits of twice the arena the table holds full
	 * (80%), at the ids' length so far (16 bytes before any), and the tag
	 * the rest: a tag of 6 bits matched another id's in ~2% of the adds,
	 * each a read of that id in the arena, a miss (11% of idset_add's
	 * samples; docs/PERFORMANCE.md, stop 42); the 2M bench's tables take
	 * 18 bits of offset, a tag of 14, 256 times fewer. An arena that
	 * outgrows its bits takes more from the tag (widen). */
	uint64_t each = sh->count ? sh->len / sh->count + 1 : 16;
	uint64_t want = (uint64_t)n * 4 / 5 * each * 2;
	if (want < sh->len)
		want = sh->len;
	unsigned bits = OFF_BITS_MIN;
	while (bits < OFF_BITS && (UINT64_C(1) << bits) <= want + 1)
		bits++;
	sh->tag_mask = UINT32_MAX << bits;
	/* In the arena's order, which reads it from start to end, not at
	 * random as the old table would: a shard's ids are seldom in the
	 * cache. */
	for (size_t off = 0, start; off < sh->len;) {
		uint64_t h = kept_hash(next_entry(s, sh, &off, &start));
		uint32_t j = home(h, n);
		while (slots[j])
			j = j + 1 == n ? 0 : j + 1;
		slots[j] = tag_of(sh, h) | (uint32_t)(start + 1);
	}
	drop_table(sh);
	sh->slots = slots;
	sh->nslots = n;
	sh->in_slab = in_slab;
}

/* Gives shard sh a table of n slots of its own. */
static void resize(const struct idset *s, struct shard *sh, uint32_t n)
{
	move_table(s, sh, br_calloc(n, sizeof *sh->slots), n, false);
}

/* Tells whether shard sh's table must grow to take ids in all. */
static bool too_full(const struct shard *sh, uint64_t ids)
{
	return ids * 5 > (uint64_t)sh->nslots * 4;
}

static void make_large(struct idset *s);

void idset_expect(struct idset *s, uint64_t n)
{
	if (n <= SMALL_IDS)
		return; /* a small table grows a half at a time */
	if (!s->shard)
		make_large(s);
	/* A shard's share, and room for the hash's spread (a standard
	 * deviation is 1.1% at 2M ids), in a table 75% full: a table grown by
	 * half from 16 slots ends 53-80% full. */
	uint64_t share = n / SHARDS;
	share += share / 32 + 16;
	if (share > (UINT32_C(1) << 30))
		share = UINT32_C(1) << 30;
	uint32_t slots = (uint32_t)(share + share / 3);
	int grow = 0;
	for (int i = 0; i < SHARDS; i++)
		grow += too_full(&s->shard[i], share);
	if (!grow)
		return;
	/* The tables are one mapping, of huge pages (the hash fills them
	 * evenly): allocated one by one, a 2M-id set's 10 MB were cleared at
	 * once, 2,500 first touches of small pages, ~30 ms. Mapped, they are
	 * made resident as the ids come, a huge page at a time. So they are
	 * the first time, and when every table grows (the run's set, sized
	 * for the run once the first input's ids are in it), the old slab
	 * then let go whole. The tables are not rounded up to pages (a log
	 * of 200,000 ids: 1,094 slots a shard, 1.1 MB, against 2 MB), and a
	 * table that grows out of the slab gives back only the pages wholly
	 * its own (drop_table). */
	uint32_t *next = NULL, *old = s->slab;
	size_t old_size = s->slab_size;
	if ((!s->slab || grow == SHARDS) && slots >= page_slots()) {
		/* The mapping is whole pages, its tables not: else its end
		 * is on no page, and map_aligned's munmap of what it mapped
		 * past it fails (EINVAL), up to 2 MiB of address space held
		 * to the end of the process for each slab. */
		size_t page = (size_t)page_slots() * sizeof *s->slab;
		s->slab_size = ((size_t)grow * slots * sizeof *s->slab + page - 1) /
			       page * page;
		s->slab = next = map_aligned(s->slab_size, true);
	}
	for (int i = 0; i < SHARDS; i++) {
		struct shard *sh = &s->shard[i];
		if (!too_full(sh, share))
			continue;
		if (!next) {
			resize(s, sh, slots);
			continue;
		}
		move_table(s, sh, next, slots, true);
		next += slots;
	}
	if (old && old != s->slab)
		munmap(old, old_size); /* no table is left in it */
}

void idset_prefetch(const struct idset *s, uint64_t h)
{
	const struct shard *sh = shard_of(s, h);
	if (sh->slots)
		__builtin_prefetch(sh->slots + home(h, sh->nslots));
}

/* Writes the row at mem, row r, to file fd, and maps it from there (at an
 * address of its own: a failed MAP_FIXED may unmap what it replaces).
 * Returns the mapping, or NULL. */
static unsigned char *file_row(int fd, const unsigned char *mem, size_t r)
{
	off_t at = (off_t)r * (off_t)ROW;
	for (size_t done = 0; done < ROW;) {
		size_t want = ROW - done < SPILL_WRITE ? ROW - done : SPILL_WRITE;
		ssize_t n = pwrite(fd, mem + done, want, at + (off_t)done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return NULL;
		done += (size_t)n;
	}
	void *p = mmap(NULL, ROW, PROT_READ | PROT_WRITE, MAP_SHARED, fd, at);
	return p == MAP_FAILED ? NULL : p;
}

/* A thread of the set's own that writes its final rows to the file, off
 * the path of the adds: written by the thread adding the ids, in the
 * turn each block's settling takes, the 2M UUIDs' 37 rows made a
 * JSONL.gz's ingest ~0.04 s longer (median of 10 runs, stop 45). The set's own thread asks
 * for rows (want) and takes those written (filed) in place of their
 * memory (spill); this one only reads a row's memory, which no add
 * writes any more (a final row: every shard is past it). */
struct spiller {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake, written_cv;
	int fd;
	size_t want;           /* rows [0, want) are asked for */
	size_t written;        /* rows [0, written) are in filed */
	bool stop, failed;
	unsigned char **mem;   /* the asked rows' memory */
	unsigned char **filed; /* their mappings of the file */
	size_t cap;
};

static void *spiller_main(void *arg)
{
	struct spiller *sp = arg;
	pthread_mutex_lock(&sp->lock);
	while (!sp->stop) {
		if (sp->failed || sp->written == sp->want) {
			pthread_cond_wait(&sp->wake, &sp->lock);
			continue;
		}
		size_t r = sp->written;
		unsigned char *mem = sp->mem[r];
		pthread_mutex_unlock(&sp->lock);
		unsigned char *p = file_row(sp->fd, mem, r);
		pthread_mutex_lock(&sp->lock);
		if (p)
			sp->filed[sp->written++] = p;
		else
			sp->failed = true;
		pthread_cond_broadcast(&sp->written_cv);
	}
	pthread_mutex_unlock(&sp->lock);
	return NULL;
}

/* Starts s's spiller, or says why not (no file, no thread: the rows then
 * stay in memory). */
static bool spiller_start(struct idset *s)
{
	int fd = br_tmpfile("burnrate-ids");
	if (fd < 0)
		return false;
	struct spiller *sp = br_calloc(1, sizeof *sp);
	sp->fd = fd;
	pthread_mutex_init(&sp->lock, NULL);
	pthread_cond_init(&sp->wake, NULL);
	pthread_cond_init(&sp->written_cv, NULL);
	/* A small stack: it calls pwrite and mmap, and the default's 8 MiB
	 * of address space was more than the rows it spills of a log of
	 * 400,000 ids (test_ids_into_run). */
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, (size_t)256 << 10);
	int rc = pthread_create(&sp->thread, &attr, spiller_main, sp);
	pthread_attr_destroy(&attr);
	if (rc != 0) {
		pthread_cond_destroy(&sp->written_cv);
		pthread_cond_destroy(&sp->wake);
		pthread_mutex_destroy(&sp->lock);
		close(fd);
		free(sp);
		return false;
	}
	s->spiller = sp;
	return true;
}

/* Puts the rows the spiller has written in place of their memory, first
 * waiting for every row asked for when drain; then, when any was put,
 * lets go of the pages of the rows spilled before them: those that the
 * tags matched (~5 MiB for the 2M UUIDs between two; a madvise of a row
 * with none mapped is cheap: 630 calls for those 37 rows). */
static void spill_take(struct idset *s, bool drain)
{
	struct spiller *sp = s->spiller;
	pthread_mutex_lock(&sp->lock);
	while (drain && !sp->failed && sp->written < sp->want)
		pthread_cond_wait(&sp->written_cv, &sp->lock);
	size_t written = sp->written;
	if (sp->failed)
		s->spill_off = true;
	pthread_mutex_unlock(&sp->lock);
	size_t before = s->nspilled;
	for (size_t r = before; r < written; r++) {
		/* One row's memory, resident, makes the next row
		 * (rows_reach), not zeroed: mapped anew, its 512 pages were
		 * each a fault and a page cleared by the kernel (3.5% of the
		 * 2M UUIDs' CPU samples, with the slab's). */
		if (s->spare)
			munmap(s->rows[r], ROW);
		else
			s->spare = s->rows[r];
		s->rows[r] = sp->filed[r];
	}
	s->nspilled = written;
	if (written > before)
		for (size_t r = 0; r < before; r++)
			madvise(s->rows[r], ROW, MADV_DONTNEED);
}

/* Asks the spiller for the rows every shard has left (a final row: no add
 * writes it again; rollback, which may, drains first), and takes those it
 * wrote. */
static void spill(struct idset *s)
{
	if (s->spill_off || !s->shard)
		return;
	size_t final = SIZE_MAX;
	for (int i = 0; i < SHARDS; i++) {
		size_t row = s->shard[i].striped ? s->shard[i].len >> STRIPE_BITS
						 : 0;
		final = row < final ? row : final;
	}
	if (!s->spiller && (final == 0 || !spiller_start(s))) {
		s->spill_off = final > 0;
		return;
	}
	struct spiller *sp = s->spiller;
	pthread_mutex_lock(&sp->lock);
	if (final > sp->want) {
		if (final > sp->cap) {
			sp->cap = final + 16;
			sp->mem = br_realloc(sp->mem, sp->cap * sizeof *sp->mem);
			sp->filed = br_realloc(sp->filed,
					       sp->cap * sizeof *sp->filed);
		}
		for (size_t r = sp->want; r < final; r++)
			sp->mem[r] = s->rows[r];
		sp->want = final;
		pthread_cond_signal(&sp->wake);
	}
	pthread_mutex_unlock(&sp->lock);
	spill_take(s, false);
}

/* The files of spillers stopped, each being closed on a thread of its
 * own, until idset_reap joins them. */
struct closing {
	pthread_t thread;
	struct closing *next;
};
static pthread_mutex_t closing_lock = PTHREAD_MUTEX_INITIALIZER;
static struct closing *closing;
static bool reap_at_exit;

static void *close_main(void *arg)
{
	close((int)(intptr_t)arg);
	return NULL;
}

/* Closes a spiller's file fd, on a thread of its own if one can be had:
 * the last close of the unlinked file truncates its pages, ~74 MB of page
 * cache and their buffer heads for the 2M UUIDs at stop 46 (~32 MB since
 * stop 52 keeps a UUID as 16 bytes), which took ~10 ms of the thread
 * freeing the set, between the ingest's last record and the
 * segment's publishing, the other core idle (perf, stop 46). */
static void close_later(int fd)
{
	struct closing *c = malloc(sizeof *c);
	pthread_attr_t attr;
	bool started = false;
	if (c && pthread_attr_init(&attr) == 0) {
		pthread_attr_setstacksize(&attr, (size_t)64 << 10);
		started = pthread_create(&c->thread, &attr, close_main,
					 (void *)(intptr_t)fd) == 0;
		pthread_attr_destroy(&attr);
	}
	if (!started) {
		free(c);
		close(fd);
		return;
	}
	pthread_mutex_lock(&closing_lock);
	c->next = closing;
	closing = c;
	if (!reap_at_exit)
		reap_at_exit = atexit(idset_reap) == 0;
	pthread_mutex_unlock(&closing_lock);
}

void idset_reap(void)
{
	pthread_mutex_lock(&closing_lock);
	struct closing *c = closing;
	closing = NULL;
	pthread_mutex_unlock(&closing_lock);
	while (c) {
		struct closing *next = c->next;
		pthread_join(c->thread, NULL);
		free(c);
		c = next;
	}
}

/* Stops s's spiller (idset_free), whose rows s lets go of: those it wrote
 * and s did not take are unmapped here, the others with s's. */
static void spiller_stop(struct idset *s)
{
	struct spiller *sp = s->spiller;
	if (!sp)
		return;
	pthread_mutex_lock(&sp->lock);
	sp->stop = true;
	pthread_cond_signal(&sp->wake);
	pthread_mutex_unlock(&sp->lock);
	pthread_join(sp->thread, NULL);
	for (size_t r = s->nspilled; r < sp->written; r++)
		munmap(sp->filed[r], ROW);
	pthread_cond_destroy(&sp->written_cv);
	pthread_cond_destroy(&sp->wake);
	pthread_mutex_destroy(&sp->lock);
	close_later(sp->fd);
	free(sp->mem);
	free(sp->filed);
	free(sp);
	s->spiller = NULL;
}

/* Maps the rows up to row r, of small pages (the file's header), advised
 * not to be huge: with transparent huge pages "always" a row would be
 * resident whole at its first id, and ids crafted to fall in one shard
 * (the hash is not keyed) would make 2 MiB resident for each 8 KiB of
 * theirs, 16 GiB for the 64 MiB a shard may hold. Spills the rows left
 * behind. */
static void rows_reach(struct idset *s, size_t r)
{
	if (s->nrows > r)
		return; /* most calls: inlined alone, without the loop */
	while (s->nrows <= r) {
		if (s->nrows == s->rows_cap) {
			s->rows_cap = s->rows_cap ? 2 * s->rows_cap : 8;
			s->rows = br_realloc(s->rows, s->rows_cap * sizeof *s->rows);
		}
		/* Not zeroed: what an arena reads past its entries, the
		 * rest of a stripe it left, arena_room zeroes. */
		if (s->spare) {
			s->rows[s->nrows++] = s->spare;
			s->spare = NULL;
		} else {
			s->rows[s->nrows++] = map_aligned(ROW, false);
		}
	}
	spill(s);
}

/* Gives the offsets of shard sh's slots the bits to hold off (at most
 * OFF_MASK), taking the tags' lowest: each keeps the rest, as tag_of then
 * gives them. The slots stay where they are. */
static void widen(struct shard *sh, size_t off)
{
	uint32_t mask = sh->tag_mask;
	while (~mask < off)
		mask <<= 1;
	for (uint32_t i = 0; i < sh->nslots; i++) {
		uint32_t v = sh->slots[i];
		if (v)
			sh->slots[i] = (v & mask) | (v & ~sh->tag_mask);
	}
	sh->tag_mask = mask;
}

/* The room for an entry of need bytes (at most a stripe) at the end of
 * sh's arena, which is made to hold it. */
static unsigned char *arena_room(struct idset *s, struct shard *sh,
				 size_t need)
{
	if (!sh->striped) {
		if (sh->len + need <= sh->cap)
			return sh->arena + sh->len;
		if (sh->len + need <= STRIPE) {
			size_t cap = sh->cap ? sh->cap : ARENA_MIN;
			while (cap < sh->len + need)
				cap *= 2;
			sh->arena = br_realloc(sh->arena, cap);
			sh->cap = cap;
			return sh->arena + sh->len;
		}
		/* The allocated arena becomes the first stripe. */
		rows_reach(s, 0);
		sh->striped = true;
		memcpy(at(s, sh, 0), sh->arena, sh->len);
		free(sh->arena);
		sh->arena = NULL;
		sh->cap = 0;
	}
	size_t used = sh->len & (STRIPE - 1);
	if (used && used + need > STRIPE) {
		/* On to the next stripe, the rest of this one left zero. */
		memset(at(s, sh, sh->len), 0, STRIPE - used);
		sh->len += STRIPE - used;
		if (sh->len + 1 > ~sh->tag_mask)
			widen(sh, sh->len + 1);
	}
	if (sh->len >= OFF_MASK)
		br_oom(); /* 64 MiB of ids a shard: 16 GiB in all */
	rows_reach(s, sh->len >> STRIPE_BITS);
	return at(s, sh, sh->len);
}

/* idset_has in shard sh, which has a table. Out of line: with find
 * inlined in idset_has, its five registers were saved before the test of
 * an empty shard, 22 instructions for a set with no ids (the run's, which
 * every id of a first input is looked up in with --jobs 1). */
static __attribute__((noinline)) bool shard_has(const struct idset *s,
						const struct shard *sh,
						struct kept k, uint64_t h)
{
	return *find(s, sh, k, h) != 0;
}

/* Tells whether s holds key k of hash h. */
static bool has(const struct idset *s, struct kept k, uint64_t h)
{
	const struct shard *sh = shard_of(s, h);
	return sh->nslots && shard_has(s, sh, k, h);
}

bool idset_has(const struct idset *s, const struct idset_key *k)
{
	return has(s, (struct kept){k->p, k->n, k->uuid}, k->hash);
}

static bool add(struct idset *s, struct kept k, uint64_t h);

/* Makes small set s large: its ids move to the shards. */
static void make_large(struct idset *s)
{
	struct shard small = s->small;
	memset(&s->small, 0, sizeof s->small);
	s->shard = aligned_alloc(64, SHARDS * sizeof *s->shard);
	if (!s->shard)
		br_oom();
	memset(s->shard, 0, SHARDS * sizeof *s->shard);
	for (size_t off = 0, start; off < small.len;) {
		struct kept k = next_entry(s, &small, &off, &start);
		add(s, k, kept_hash(k));
	}
	shard_free(s, &small);
}

bool idset_add(struct idset *s, const struct idset_key *k)
{
	return add(s, (struct kept){k->p, k->n, k->uuid}, k->hash);
}

/* Adds key k of hash h. */
static bool add(struct idset *s, struct kept k, uint64_t h)
{
	const char *id = k.p;
	size_t n = k.n;
	bool out = n > LONG_ID;
	/* The header's varint, then the id or its address. */
	size_t need = 10 + (out ? sizeof(char *) : n);
	if (!s->shard && (s->small.count == SMALL_IDS ||
			  s->small.len + need > STRIPE))
		make_large(s); /* before its arena would be striped */
	struct shard *sh = shard_of(s, h);
	if (too_full(sh, (uint64_t)sh->count + 1))
		resize(s, sh, sh->nslots ? sh->nslots + sh->nslots / 2 : 16);
	uint32_t *slot = find(s, sh, k, h);
	if (*slot)
		return false;
	unsigned char *p = arena_room(s, sh, need);
	size_t start = sh->len;
	*slot = tag_of(sh, h) | (uint32_t)(start + 1);
	size_t v = header(n, out || k.uuid);
	unsigned char *w = p;
	do {
		*w = (unsigned char)(v & 0x7F);
		v >>= 7;
		*w++ |= v ? 0x80 : 0;
	} while (v);
	if (out) {
		char *copy = br_malloc(n);
		memcpy(copy, id, n);
		memcpy(w, &copy, sizeof copy);
		w += sizeof copy;
		sh->nlong++;
	} else if (n >= 8 && n <= 16) {
		/* Most ids ("s1-123456"): two words, overlapping, not a call
		 * of memcpy (~18 instructions with its setup). */
		memcpy(w, id, 8);
		memcpy(w + n - 8, id + n - 8, 8);
		w += n;
	} else {
		memcpy(w, id, n);
		w += n;
	}
	sh->len = start + (size_t)(w - p);
	sh->count++;
	/* The line the shard's next entries go to, fetched for them: the
	 * shard's next add is ~256 adds away, and the 256 places the shards
	 * append to are more than the hardware follows. */
	uintptr_t next = (uintptr_t)w + 64;
	if (((next ^ (uintptr_t)w) & ~(uintptr_t)(STRIPE - 1)) == 0)
		__builtin_prefetch((const void *)next, 1);
	return true;
}

uint64_t idset_common(const struct idset *a, const struct idset *b)
{
	if (idset_count(a) > idset_count(b)) {
		const struct idset *t = a;
		a = b;
		b = t;
	}
	uint64_t common = 0;
	for (int i = 0; i < shard_count(a); i++) {
		const struct shard *sh = shard_at(a, i);
		for (size_t off = 0, start; off < sh->len;) {
			struct kept k = next_entry(a, sh, &off, &start);
			common += has(b, k, kept_hash(k));
		}
	}
	return common;
}

/* Adds the ids of shard sh of set src to s. */
static void add_shard(struct idset *s, const struct idset *src,
		      const struct shard *sh)
{
	for (size_t off = 0, start; off < sh->len;) {
		struct kept k = next_entry(src, sh, &off, &start);
		add(s, k, kept_hash(k));
	}
}

struct idset *idset_merge(struct idset *a, struct idset *b)
{
	if (idset_count(a) < idset_count(b)) {
		struct idset *t = a;
		a = b;
		b = t;
	}
	/* b's rows are let go as they are copied: none may be its
	 * spiller's still. */
	if (b->spiller)
		spill_take(b, true);
	/* b's ids are walked in its arenas: its tables go first. */
	size_t stripes = 0;
	for (int i = 0; i < shard_count(b); i++) {
		struct shard *sh = shard_at(b, i);
		drop_table(sh);
		size_t n = (sh->len + STRIPE - 1) >> STRIPE_BITS;
		stripes = n > stripes ? n : stripes;
	}
	/* Then a stripe of every shard at a time, b's rows given back as they
	 * are copied: a's shards, which grow alike, fill the rows they map
	 * together, so that the sets never hold both copies of more than a
	 * row. (Shard by shard, b's rows would all stay until its last shard
	 * was copied.) */
	size_t off[SHARDS] = {0};
	for (size_t r = 0; r < stripes; r++) {
		for (int i = 0; i < shard_count(b); i++) {
			struct shard *sh = shard_at(b, i);
			size_t end = (r + 1) << STRIPE_BITS, start;
			if (end > sh->len)
				end = sh->len;
			while (off[i] < end) {
				struct kept k = next_entry(b, sh, &off[i], &start);
				add(a, k, kept_hash(k));
				if (k.n > LONG_ID) {
					free((void *)k.p);
					sh->nlong--;
				}
			}
		}
		if (r < b->nrows)
			madvise(b->rows[r], ROW, MADV_DONTNEED);
	}
	idset_free(b);
	return a;
}

struct idset_mark {
	size_t len[SHARDS];
};

struct idset_mark *idset_mark(struct idset *s)
{
	if (!s->shard)
		make_large(s);
	struct idset_mark *m = br_malloc(sizeof *m);
	for (int i = 0; i < SHARDS; i++)
		m->len[i] = s->shard[i].len;
	return m;
}

void idset_rollback(struct idset *s, const struct idset_mark *m)
{
	/* Its arenas are written again from the mark: rows asked of the
	 * spiller are final no more. */
	if (s->spiller)
		spill_take(s, true);
	for (int i = 0; i < SHARDS; i++) {
		struct shard *sh = &s->shard[i];
		if (sh->len == m->len[i])
			continue;
		for (size_t off = m->len[i], start; off < sh->len;) {
			struct kept k = next_entry(s, sh, &off, &start);
			if (k.n > LONG_ID) {
				free((void *)k.p);
				sh->nlong--;
			}
			sh->count--;
		}
		/* The arena is cut back to the mark (the bytes past it are
		 * written over as ids come), and a table of the same size
		 * made of the ids left: an open-addressing table takes no id
		 * out alone. */
		sh->len = m->len[i];
		resize(s, sh, sh->nslots);
	}
}

void idset_add_all(struct idset *dst, const struct idset *src)
{
	for (int i = 0; i < shard_count(src); i++)
		add_shard(dst, src, shard_at(src, i));
}
