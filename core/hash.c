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
	/* The lanes in locals: stored through h, they would be written and
	 * read back at every stripe (p may alias them, as far as the
	 * compiler knows). Two stripes a turn: one at a time, gcc and clang
	 * both copy each lane's new value back to its register (27
	 * instructions a stripe, 22.5 in pairs), the same values. */
	uint64_t v[4] = {h->v[0], h->v[1], h->v[2], h->v[3]};
	for (; n >= 64; p += 64, n -= 64) {
		stripe(v, p);
		stripe(v, p + 32);
	}
	if (n >= 32) {
		stripe(v, p);
		p += 32;
		n -= 32;
	}
	memcpy(h->v, v, sizeof v);
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
