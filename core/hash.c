/* hash.c - a streaming 128-bit content fingerprint.
 *
 * Four 64-bit lanes absorb 32-byte stripes with a multiply-rotate round (the
 * construction of xxHash64), and two differently seeded final mixes give
 * the two halves. It is not cryptographic: it tells inputs apart, it does
 * not resist someone crafting collisions (see docs/FORMAT.md).
 *
 * Also br_hash64, the hash of the in-memory tables (dictionaries; the set
 * of request ids for ids over 16 bytes, idset_hash). */
#include <string.h>
#if defined(__x86_64__)
#include <immintrin.h>
#include <time.h>
#endif

#include "core/core.h"

#define P1 UINT64_C(0x9E3779B185EBCA87)
#define P2 UINT64_C(0xC2B2AE3D27D4EB4F)
#define P3 UINT64_C(0x165667B19E3779F9)
#define P4 UINT64_C(0x85EBCA77C2B2AE63)
#define P5 UINT64_C(0x27D4EB2F165667C5)

static uint64_t rotl(uint64_t x, int r)
{
	return (x << r) | (x >> (64 - r));
}

static uint64_t round64(uint64_t acc, uint64_t input)
{
	acc += input * P2;
	acc = rotl(acc, 31);
	return acc * P1;
}

static inline __attribute__((always_inline)) void
stripe(uint64_t v[4], const unsigned char *p)
{
	v[0] = round64(v[0], br_le64(p));
	v[1] = round64(v[1], br_le64(p + 8));
	v[2] = round64(v[2], br_le64(p + 16));
	v[3] = round64(v[3], br_le64(p + 24));
}

/* Whole stripes, n bytes of them (a multiple of 32), absorbed into lanes
 * v. The lanes in locals: stored through v, they would be written and
 * read back at every stripe (p may alias them, as far as the compiler
 * knows). Two stripes a turn: one at a time, gcc and clang both copy
 * each lane's new value back to its register (27 instructions a stripe,
 * 22.5 in pairs), the same values. */
static void stripes_scalar(uint64_t v[4], const unsigned char *p, size_t n)
{
	uint64_t l[4] = {v[0], v[1], v[2], v[3]};
	for (; n >= 64; p += 64, n -= 64) {
		stripe(l, p);
		stripe(l, p + 32);
	}
	if (n >= 32)
		stripe(l, p);
	memcpy(v, l, sizeof l);
}

#if defined(__x86_64__)
/* stripes_scalar with the four lanes in one AVX-512 register: each
 * stripe's products of the input are off the lanes' chain, which is an
 * add, a rotate and a multiply, 1 + 1 + 3 cycles where the vector multiply
 * takes 3 (AMD's Zen 4; Intel's take 15). Faster or slower than the
 * scalar way as the host has it: on stop 57's VM 17.8-18.6 GB/s against
 * 13.8-14.2, on stop 42's 18.5-19.0 against 22.2-23.2 (docs/PERFORMANCE.md),
 * so the faster is timed (pick_way). */
__attribute__((target("avx512f,avx512vl,avx512dq"))) static void
stripes_avx512(uint64_t v[4], const unsigned char *p, size_t n)
{
	const __m256i p1 = _mm256_set1_epi64x((long long)P1),
		      p2 = _mm256_set1_epi64x((long long)P2);
	__m256i l = _mm256_loadu_si256((const __m256i *)v);
	for (; n >= 32; p += 32, n -= 32) {
		__m256i in = _mm256_mullo_epi64(
			_mm256_loadu_si256((const __m256i *)p), p2);
		l = _mm256_mullo_epi64(
			_mm256_rol_epi64(_mm256_add_epi64(l, in), 31), p1);
	}
	_mm256_storeu_si256((__m256i *)v, l);
}

/* Tells whether this CPU has stripes_avx512's instructions. */
static bool has_avx512(void)
{
	return __builtin_cpu_supports("avx512dq") &&
	       __builtin_cpu_supports("avx512vl");
}

static uint64_t nanos(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* The faster way on this CPU, timed as Linux chooses its RAID-6 and XOR
 * code: 16 KiB absorbed each way in turn, 5 times, the best time of each
 * (~15 us in all). A preempted try is not the best of 5; a wrong pick
 * would cost speed only. */
static enum br_hash_way pick_way(void)
{
	if (!has_avx512())
		return BR_HASH_SCALAR;
	static const unsigned char sample[16 << 10];
	uint64_t best[2] = {UINT64_MAX, UINT64_MAX};
	for (int round = 0; round < 5; round++) {
		for (int way = 0; way < 2; way++) {
			uint64_t v[4] = {0}, t = nanos();
			if (way)
				stripes_avx512(v, sample, sizeof sample);
			else
				stripes_scalar(v, sample, sizeof sample);
			/* Not left out, nor any lane: all are "read". */
			__asm__ volatile("" : : "r"(v) : "memory");
			t = nanos() - t;
			if (t < best[way])
				best[way] = t;
		}
	}
	return best[1] < best[0] ? BR_HASH_VECTOR : BR_HASH_SCALAR;
}

/* pick_way's answer once asked, else BR_HASH_BEST; threads that ask at
 * once each time the ways, and keep one's answer. */
static enum br_hash_way picked = BR_HASH_BEST;
#endif

static enum br_hash_way hash_way = BR_HASH_BEST;

/* The way stripes are absorbed now: BR_HASH_SCALAR or BR_HASH_VECTOR. */
static enum br_hash_way way_now(void)
{
#if defined(__x86_64__)
	if (hash_way == BR_HASH_VECTOR)
		return has_avx512() ? BR_HASH_VECTOR : BR_HASH_SCALAR;
	if (hash_way == BR_HASH_BEST) {
		enum br_hash_way way = __atomic_load_n(&picked, __ATOMIC_RELAXED);
		if (way == BR_HASH_BEST) {
			way = pick_way();
			__atomic_store_n(&picked, way, __ATOMIC_RELAXED);
		}
		return way;
	}
#endif
	return BR_HASH_SCALAR;
}

enum br_hash_way br_hash_use(enum br_hash_way way)
{
	hash_way = way;
	return way_now();
}

/* Whole stripes absorbed the way br_hash_use chose (asked at each call:
 * a few loads, for up to 512 KiB a call). */
static void stripes(uint64_t v[4], const unsigned char *p, size_t n)
{
#if defined(__x86_64__)
	if (way_now() == BR_HASH_VECTOR) {
		stripes_avx512(v, p, n);
		return;
	}
#endif
	stripes_scalar(v, p, n);
}

void br_hash_init(struct br_hasher *h)
{
	memset(h, 0, sizeof *h);
	h->v[0] = P1 + P2;
	h->v[1] = P2;
	h->v[2] = 0;
	h->v[3] = (uint64_t)0 - P1;
}

void br_hash_update(struct br_hasher *h, const void *data, size_t n)
{
	const unsigned char *p = data;
	h->total += n;
	if (h->ntail) {
		size_t take = 32 - h->ntail < n ? 32 - h->ntail : n;
		memcpy(h->tail + h->ntail, p, take);
		h->ntail += take;
		p += take;
		n -= take;
		if (h->ntail < 32)
			return;
		stripe(h->v, h->tail);
		h->ntail = 0;
	}
	size_t whole = n & ~(size_t)31;
	if (whole) {
		stripes(h->v, p, whole);
		p += whole;
		n -= whole;
	}
	memcpy(h->tail, p, n);
	h->ntail = n;
}

static uint64_t avalanche(uint64_t x)
{
	x ^= x >> 33;
	x *= P2;
	x ^= x >> 29;
	x *= P3;
	x ^= x >> 32;
	return x;
}

struct br_fp br_hash_final(const struct br_hasher *h)
{
	uint64_t v[4] = {h->v[0], h->v[1], h->v[2], h->v[3]};
	unsigned char tail[32] = {0};
	memcpy(tail, h->tail, h->ntail);
	if (h->ntail)
		stripe(v, tail);
	uint64_t a = rotl(v[0], 1) + rotl(v[1], 7) + rotl(v[2], 12) +
		     rotl(v[3], 18) + h->total * P4 + h->ntail;
	uint64_t b = (v[0] ^ rotl(v[2], 29)) * P3 + (v[1] ^ rotl(v[3], 37)) * P1 +
		     h->total;
	struct br_fp fp = {avalanche(a ^ P1), avalanche(b + a * P4)};
	return fp;
}

struct br_fp br_hash(const void *data, size_t n)
{
	struct br_hasher h;
	br_hash_init(&h);
	br_hash_update(&h, data, n);
	return br_hash_final(&h);
}

bool br_fp_equal(struct br_fp a, struct br_fp b)
{
	return a.lo == b.lo && a.hi == b.hi;
}

void br_fp_hex(struct br_fp fp, char buf[33])
{
	snprintf(buf, 33, "%016llx%016llx", (unsigned long long)fp.hi,
		 (unsigned long long)fp.lo);
}

/* Eight bytes at a time; a tail of 1 to 7 bytes is read without a loop
 * (br_short_word). */
uint64_t br_hash64(const void *data, size_t n)
{
	const unsigned char *p = data;
	uint64_t h = P5 ^ ((uint64_t)n * P1);
	for (; n >= 8; p += 8, n -= 8)
		h = rotl((h ^ br_le64(p)) * P2, 29) * P1;
	if (n > 0)
		h = rotl((h ^ br_short_word(p, n)) * P2, 29) * P1;
	return avalanche(h);
}
