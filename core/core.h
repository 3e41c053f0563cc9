/* core.h - burnrate's shared vocabulary: errors, buffers, exact money, time,
 * string dictionaries, content fingerprints, prices and the usage event.
 *
 * Every stage (ingest, reduce, report, notify) includes this header and no
 * other stage's header except the one directly upstream of it.
 *
 * Conventions for the whole code base:
 * - A function that can fail returns 0 on success and -1 on failure, and fills
 *   a caller-owned struct br_err (the first error wins). Library code never
 *   prints and never exits, with one documented exception: running out of
 *   memory (br_oom) ends the process with status 1, which is safe because
 *   every store change is published atomically.
 * - Every x_new() has an x_free() that accepts NULL.
 * - Pointers in this header are borrowed unless the comment says otherwise.
 */
#ifndef BURNRATE_CORE_H
#define BURNRATE_CORE_H

#include <dirent.h>
#include <locale.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#define BR_VERSION "0.1.0"

#if defined(__GNUC__)
#define BR_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define BR_PRINTF(f, a)
#endif

/* Exit statuses of the command-line contract (DESIGN §5). */
enum {
	BR_EXIT_OK = 0,
	BR_EXIT_FAILURE = 1,   /* I/O, corrupt input or store */
	BR_EXIT_USAGE = 2,     /* usage or configuration error */
	BR_EXIT_THRESHOLD = 3, /* a threshold was crossed */
	BR_EXIT_TEMPFAIL = 75  /* store locked, SMTP unreachable */
};

/* ---------------------------------------------------------------- errors */

/* A caller-owned error buffer. An empty msg means "no error yet". */
struct br_err {
	char msg[1024];
	int status; /* the BR_EXIT_* status the failure maps to; 0 when unset */
};

/* Records a formatted error unless one is already recorded (the first error
 * wins) and returns -1, so callers can write `return br_fail(err, ...)`.
 * The status recorded is BR_EXIT_FAILURE. err may be NULL. Messages follow
 * git's style: lowercase, no final period, what failed first. */
int br_fail(struct br_err *err, const char *fmt, ...) BR_PRINTF(2, 3);

/* As br_fail, with an explicit BR_EXIT_* status. */
int br_fail_status(struct br_err *err, int status, const char *fmt, ...)
	BR_PRINTF(3, 4);

/* Tells whether an error has been recorded. */
bool br_failed(const struct br_err *err);

/* Forgets any recorded error. */
void br_err_clear(struct br_err *err);

/* Tells whether a file that could not be opened or read with errno e
 * (EIO, EMFILE, ENFILE, ENOMEM, EINTR) may be read by the next try: a
 * failure of the run (BR_EXIT_FAILURE), not of the configuration that
 * names the file (BR_EXIT_USAGE). */
bool br_errno_transient(int e);

/* ---------------------------------------------------------------- memory */

/* Prints "burnrate: error: out of memory" and exits with status 1. */
_Noreturn void br_oom(void);

/* malloc, calloc, realloc and strndup that call br_oom() instead of
 * returning NULL. br_realloc(p, 0) frees p and returns NULL. */
void *br_malloc(size_t n);
void *br_calloc(size_t count, size_t size);
void *br_realloc(void *p, size_t n);
char *br_strndup(const char *s, size_t n);
char *br_strdup(const char *s);

/* libarchive's archive_read_new, which returns NULL when out of memory
 * (each of its callers then crashed in the first call on it), calling
 * br_oom() instead. */
struct archive;
struct archive *br_archive_read_new(void);

/* A huge page (transparent huge pages, x86-64). */
#define BR_HUGE_PAGE ((size_t)2 << 20)

/* As br_calloc, for a large array written soon after: from BR_HUGE_PAGE,
 * aligned to a huge page, and its whole huge pages advised to be backed by
 * them (when the host grants them), so that they are made resident a
 * fault per 2 MiB rather than one per 4 KiB page: 4 MiB take 11-12 ms in
 * small pages on the project's VM, 0.3 ms in huge ones. The rest, less
 * than a huge page, is small pages: a huge page is resident whole, and one
 * past the array's end would hold up to 2 MiB never written (a report
 * loading a year of large segments, ~1 MiB each). Freed with free(). */
void *br_calloc_huge(size_t count, size_t size);

/* A growable byte buffer; always NUL-terminated when p != NULL.
 * Zero-initialise it ({0}); br_buf_free releases it. */
struct br_buf {
	char *p;
	size_t len, cap;
};

/* Makes room for n more bytes (and the terminating NUL), so that adding
 * them will not move the buffer. */
void br_buf_reserve(struct br_buf *b, size_t n);
/* br_buf_reserve, in memory of br_calloc_huge when b has none yet. */
void br_buf_reserve_huge(struct br_buf *b, size_t n);
void br_buf_put(struct br_buf *b, const void *data, size_t n);
/* Adds n bytes to b, to be written by the caller: returns where they go
 * (valid until b next grows). */
char *br_buf_append(struct br_buf *b, size_t n);
void br_buf_putc(struct br_buf *b, char c);
void br_buf_puts(struct br_buf *b, const char *s);
void br_buf_printf(struct br_buf *b, const char *fmt, ...) BR_PRINTF(2, 3);
/* len = 0, keeps the memory. Inline: called for every record on the
 * line path, where the call cost ~12 instructions a record (stop 43). */
static inline void br_buf_reset(struct br_buf *b)
{
	b->len = 0;
	if (b->p)
		b->p[0] = 0;
}
void br_buf_free(struct br_buf *b);

/* A borrowed byte slice (not NUL-terminated). */
struct br_str {
	const char *p;
	size_t n;
};

/* ----------------------------------------------------------------- money */

/* Money is an exact signed integer number of pico-dollars (1e-12 USD).
 * A catalog rate of at most 6 decimals USD per 1M tokens is an integer
 * number of pico-dollars per token, so a cost is tokens x rate with no
 * rounding; sums use this 128-bit type. Rounding happens only in
 * br_money_format / br_pico_to_micro. */
typedef __int128 br_pico;

#define BR_PICO_PER_USD ((int64_t)1000000000000)
#define BR_MONEY_BUFSZ 64

/* The largest magnitude a sum reaches: sums saturate at +-BR_PICO_MAX
 * (2^127 - 1) instead of overflowing. */
#define BR_PICO_MAX ((br_pico)(((unsigned __int128)1 << 127) - 1))

/* a + b, saturated to [-BR_PICO_MAX, BR_PICO_MAX]. Sums of the costs a
 * store holds (bounded per row, docs/FORMAT.md) stay exact for any
 * realistic number of rows; a damaged or hostile store saturates. */
br_pico br_pico_add(br_pico a, br_pico b);

/* a x k, saturated the same way. */
br_pico br_pico_mul(br_pico a, int64_t k);

/* Parses a decimal USD amount in JSON number syntax (optional sign, fraction
 * and exponent, e.g. "0.0123", "1.5e-3") exactly to pico-dollars; digits
 * beyond the 12th decimal are rounded half away from zero. Leading '+' and
 * surrounding blanks are not accepted. Returns 0, or -1 when the text is not
 * a number or its magnitude is 1e15 USD or more. */
int br_money_parse(const char *s, size_t n, br_pico *out);

/* br_money_parse for a sum of amounts, as br_money_format_exact writes
 * one: of any magnitude up to BR_PICO_MAX pico-dollars (sums are bounded
 * by saturation, not by the 1e15 USD of one amount). Returns 0, or -1
 * when the text is not a number or its magnitude is beyond that. */
int br_money_parse_sum(const char *s, size_t n, br_pico *out);

/* br_money_parse without rounding: returns -2 when a digit beyond the
 * 12th decimal is not zero (the amount is not a whole count of
 * pico-dollars), -1 when br_money_parse fails, else 0. */
int br_money_parse_exact(const char *s, size_t n, br_pico *out);

/* Parses a number in JSON syntax whose value is a whole number from 0 to
 * 2^63 - 1 exactly, whatever its form ("12", "12.0", "1.2e1", "-0"), as
 * a double cannot tell 12.0000000000000000001 from 12. Returns false for
 * any other text or value. */
bool br_decimal_whole(const char *s, size_t n, uint64_t *out);

/* Parses a rate in USD per 1M tokens ("2.5", "0.075", "3") with at most 6
 * decimals to pico-dollars per token. Returns 0, or -1 when the text is not
 * a plain non-negative decimal, has more than 6 decimals, or exceeds
 * 1,000,000 USD per 1M tokens. */
int br_rate_parse(const char *s, size_t n, int64_t *pico_per_token);

/* Rounds to whole micro-dollars, half away from zero. */
int64_t br_pico_to_micro(br_pico v);

/* v rounded to a multiple of unit pico-dollars (1000000: micro-dollars,
 * 10000000000: cents), half away from zero, saturated. */
br_pico br_pico_round(br_pico v, int64_t unit);

/* Writes v rounded to 6 decimals ("-1.234567", "0.000000") into buf, which
 * holds at least BR_MONEY_BUFSZ bytes, and returns buf. */
char *br_money_format(br_pico v, char *buf);

/* An estimate (a projection, in USD as a double) rounded to whole
 * micro-dollars, clamped to +-1e30 of them (0 for NaN). */
br_pico br_money_estimate(double usd);

/* Writes v with all 12 decimals, trailing zeros removed but at least one
 * decimal ("2.5", "0.000000000001"), and returns buf (BR_MONEY_BUFSZ). */
char *br_money_format_exact(br_pico v, char *buf);

/* ------------------------------------------------------------------ text */

/* The length of the valid UTF-8 sequence at s (n > 0 bytes left): 1 to 4,
 * or 0 when it is not valid (overlong forms, surrogates and code points
 * above U+10FFFF are not). */
size_t br_utf8_len(const unsigned char *s, size_t n);

/* The length of the UTF-8 byte order mark that begins p (n bytes), or 0:
 * what editors on Windows put before a file's text, which readers of a
 * text file skip. */
static inline size_t br_utf8_bom_len(const char *p, size_t n)
{
	return n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
}

/* How many of the n bytes at s to keep to cut them to at most max: n when
 * n <= max, else max moved back to the start of the UTF-8 character it
 * falls in (a cut inside one leaves invalid text). */
size_t br_utf8_cut(const char *s, size_t n, size_t max);

/* Appends s to b (which it resets first) with each byte that is not
 * UTF-8 replaced by U+FFFD, as every report shows such a name (a CSV
 * log's names are not checked). Returns whether any byte was replaced. */
bool br_utf8_repair(struct br_buf *b, const char *s);

/* Gives the calling thread C.UTF-8's character types, where the C
 * library has them: the process stays in the C locale, whose charset is
 * ASCII, and a library that converts text to the locale's charset
 * (libarchive, a zip member's name flagged UTF-8) finds no conversion of
 * other characters there. Returns the thread's locale before, for
 * br_utf8_ctype_end; (locale_t)0 when nothing was changed (no C.UTF-8). */
locale_t br_utf8_ctype_begin(void);

/* Gives the calling thread back the locale br_utf8_ctype_begin returned
 * (nothing when it returned (locale_t)0). */
void br_utf8_ctype_end(locale_t was);

/* The columns s takes on a terminal, as a table shows it: a character
 * its wcwidth in the C.UTF-8 locale (a wide East Asian one 2, a combining
 * mark 0), a control character 1 (it is shown as '?'), a byte not UTF-8
 * 1; one per character where the C library has no C.UTF-8. */
size_t br_utf8_width(const char *s);

/* The length of the control character at s (n > 0 bytes left): 1 for C0
 * and DEL, 2 for a C1 control in UTF-8 (U+0080 to U+009F), else 0. Names
 * from untrusted input have these replaced before a terminal sees them. */
size_t br_control_len(const unsigned char *s, size_t n);

/* A copy of s (caller frees) with each control character (br_control_len)
 * replaced by '?': a name from untrusted input, fit for messages. */
char *br_printable(const char *s);

/* ------------------------------------------------------------------ time */

/* Instants are microseconds since 1970-01-01T00:00:00Z. Days are integers:
 * days since 1970-01-01 in some calendar (UTC or the store's time zone). */
#define BR_DAY_NONE INT32_MIN
/* The days br_day_format writes as they are (four digits, no sign):
 * 0000-01-01 to 9999-12-31. */
#define BR_DAY_FIRST (-719528)
#define BR_DAY_LAST 2932896
/* An instant's microseconds in a day. */
#define BR_US_PER_DAY INT64_C(86400000000)

/* Parses a timestamp in any form of DESIGN §3 to an instant:
 * - RFC 3339: YYYY-MM-DDTHH:MM:SS[.fraction](Z|±hh:mm), 't'/'z' accepted,
 *   and ISO 8601's offsets ±hhmm and ±hh;
 * - YYYY-MM-DD HH:MM:SS[.fraction], taken as UTC (a trailing Z or offset is
 *   honoured too);
 * - an epoch number (JSON number syntax): seconds, or milliseconds when its
 *   value is above 1e11; a fraction is allowed.
 * Fractions, of any number of digits, keep microseconds (further digits
 * are truncated). An instant outside 0000-01-01 to 9999-12-31 in UTC,
 * which br_day_format could not print, is refused ("outside years 0000
 * to 9999 (UTC)"), be it by its offset (0000-01-01T00:30:00+01:00). A leap
 * second, second 60 at the end of a UTC day (23:59:60Z, or that instant
 * under an offset: 18:59:60-05:00), is read as second 59 of that day
 * (POSIX time has none); second 60 anywhere else is refused. Returns NULL
 * on success, else a static reason such as "invalid month". */
const char *br_time_parse(const char *s, size_t n, int64_t *us);

/* The month of the last usual timestamp ("YYYY-MM-DDTHH:MM:SS.fffZ") a
 * caller of br_time_parse_memo read: a log's records mostly lie in one
 * month, whose first instant and length it keeps. Only a cache; zeroed
 * (= {0}) before its first use; one per thread that parses. */
struct br_month_memo {
	uint64_t date;    /* "YYYY-MM-" as read; 0 (no such text): none */
	int64_t first_us; /* its first day's first instant */
	int len;          /* its days */
};

/* br_time_parse, the usual timestamp's year and month taken from *mo
 * when they are its month's (and *mo made this one's when they are not):
 * the same answers, 72 instructions for the usual one of the bench's
 * records instead of 107. mo is the caller's; never NULL. */
const char *br_time_parse_memo(struct br_month_memo *mo, const char *s,
			       size_t n, int64_t *us);

/* Day number of a proleptic Gregorian date, and back. */
int32_t br_day_from_civil(int y, int m, int d);
void br_civil_from_day(int32_t day, int *y, int *m, int *d);

/* Parses exactly "YYYY-MM-DD" (a valid date). Returns 0 or -1. */
int br_day_parse(const char *s, int32_t *day);

#define BR_DAY_WHY_BUFSZ 64

/* As br_day_parse, saying why s is not a date in why (BR_DAY_WHY_BUFSZ
 * bytes): returns -1 and "expected YYYY-MM-DD" when s is not of that
 * shape, -2 and what does not exist when it is ("no such day (February
 * 2025 has 28 days)", "no such month (months are 01 to 12)"). */
int br_day_parse_why(const char *s, int32_t *day, char *why);

/* Formatters; buf sizes include the NUL. */
void br_day_format(int32_t day, char buf[11]);   /* YYYY-MM-DD */
void br_week_format(int32_t day, char buf[9]);   /* ISO 8601 YYYY-Www */
void br_month_format(int32_t day, char buf[8]);  /* YYYY-MM */
void br_time_format(int64_t us, char buf[28]);   /* YYYY-MM-DDTHH:MM:SS.ffffffZ */

/* Day of week, 0 = Monday .. 6 = Sunday. */
int br_day_weekday(int32_t day);

/* Day of the Monday starting the ISO week of day; first day of its month;
 * number of days in its month. */
int32_t br_day_week_start(int32_t day);
int32_t br_day_month_start(int32_t day);
int br_day_month_length(int32_t day);

/* The UTC calendar day of instant us. Inline: pricing asks it of every
 * event (16 instructions and a call there, callgrind). An instant from
 * 1970 on is divided unsigned, where the quotient is the floor: one
 * multiply and a shift, not the signed quotient and remainder's two
 * multiplies and sign fixes (br_pricer_price 247.7 -> 242.4
 * instructions an event, callgrind). */
static inline int32_t br_utc_day(int64_t us)
{
	if (us >= 0)
		return (int32_t)((uint64_t)us / (uint64_t)BR_US_PER_DAY);
	return (int32_t)(us / BR_US_PER_DAY - (us % BR_US_PER_DAY < 0));
}

/* Today's day number in UTC, from the real-time clock. */
int32_t br_day_today(void);

/* A time zone that maps instants to calendar days. */
struct br_tz;

/* Loads "UTC" or an IANA zone name ("Europe/Paris") from the system's
 * zoneinfo (TZDIR or /usr/share/zoneinfo): a TZif file of version 2 or
 * later, its transitions and, past the last one, its footer's POSIX TZ
 * rule (RFC 8536 3.3, with the 3.3.1 extensions). A missing or damaged
 * file, a malformed rule too, fails with status BR_EXIT_USAGE, naming the
 * zone and the file. Caller frees with br_tz_free; a loaded zone is never
 * written, so threads may share it. */
struct br_tz *br_tz_load(const char *name, struct br_err *err);
void br_tz_free(struct br_tz *tz);
const char *br_tz_name(const struct br_tz *tz);

/* The calendar day of instant us in zone tz. */
int32_t br_tz_day(const struct br_tz *tz, int64_t us);

/* Today's calendar day in zone tz, from the real-time clock. */
int32_t br_tz_today(const struct br_tz *tz);

/* ------------------------------------------------------------- dictionary */

/* Interns byte strings to dense ids 0, 1, 2, ... in insertion order. Strings
 * may hold any bytes, including NUL. */
struct br_dict;

struct br_dict *br_dict_new(void);
void br_dict_free(struct br_dict *d);

/* Returns the id of s[0..n), adding a copy when it is new. */
uint32_t br_dict_intern(struct br_dict *d, const char *s, size_t n);

/* Returns the id of s[0..n), or -1 when it is not in the dictionary. */
int64_t br_dict_find(const struct br_dict *d, const char *s, size_t n);

/* Returns the string of id (NUL-terminated; *len, when not NULL, gets its
 * length). Borrowed until the dictionary is freed. id must be < count. */
const char *br_dict_str(const struct br_dict *d, uint32_t id, size_t *len);

uint32_t br_dict_count(const struct br_dict *d);

/* ------------------------------------------------------------ fingerprint */

/* A 128-bit content fingerprint (a fast non-cryptographic hash; see
 * docs/FORMAT.md for why that is enough). */
struct br_fp {
	uint64_t lo, hi;
};

struct br_hasher {
	uint64_t v[4];
	uint64_t total;
	unsigned char tail[32];
	size_t ntail;
};

/* How br_hash_update absorbs its 32-byte stripes: with the four lanes in
 * scalar registers (BR_HASH_SCALAR) or in one AVX-512 register
 * (BR_HASH_VECTOR, where the CPU has AVX-512 DQ and VL); BR_HASH_BEST,
 * the default, the faster of the two on this CPU, timed once a process.
 * The fingerprints are the same either way. */
enum br_hash_way { BR_HASH_BEST, BR_HASH_SCALAR, BR_HASH_VECTOR };

/* Sets the way every hasher absorbs its stripes from its next update on;
 * for tests and benchmarks, before any thread hashes (the way is not
 * locked). Returns the way they are then absorbed: BR_HASH_SCALAR or
 * BR_HASH_VECTOR (BR_HASH_SCALAR for BR_HASH_VECTOR on a CPU without it). */
enum br_hash_way br_hash_use(enum br_hash_way way);

void br_hash_init(struct br_hasher *h);
void br_hash_update(struct br_hasher *h, const void *data, size_t n);
struct br_fp br_hash_final(const struct br_hasher *h);
struct br_fp br_hash(const void *data, size_t n);

/* A fast 64-bit hash of a short byte string, for hash tables (not a
 * fingerprint: collisions are expected and resolved by the caller). */
uint64_t br_hash64(const void *data, size_t n);
bool br_fp_equal(struct br_fp a, struct br_fp b);

/* The n bytes at s, 1 to 7 of them, as a word read without a loop: the
 * first and last 4 (overlapping) from 4 bytes on, else the first, middle
 * and last byte; 0 for none. For hashing: equal bytes give equal words. */
static inline uint64_t br_short_word(const void *s, size_t n)
{
	const unsigned char *p = s;
	if (n >= 4) {
		uint32_t a, b;
		memcpy(&a, p, 4);
		memcpy(&b, p + n - 4, 4);
		return (uint64_t)a << 32 | b;
	}
	return n ? (uint64_t)p[0] << 16 | (uint64_t)p[n / 2] << 8 | p[n - 1] : 0;
}

/* The first and the last (up to) 8 of the n bytes at s folded into a
 * word read without a loop (br_short_word's, moved up a byte, below 8):
 * the input of a cheap hash of names, which mostly differ at their ends.
 * Equal bytes give equal words. */
static inline uint64_t br_ends_word(const void *s, size_t n)
{
	if (n < 8)
		return br_short_word(s, n) << 8;
	uint64_t a, b;
	memcpy(&a, s, 8);
	memcpy(&b, (const char *)s + n - 8, 8);
	return a ^ (b << 1);
}

/* The 8 bytes at p as a word, the first the least significant, on any
 * byte order. */
static inline uint64_t br_le64(const void *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

/* The bytes of word w that are not ASCII digits: nonzero in each of their
 * places, and maybe in more significant places after one of them, where
 * the carry of an addition lands; zero in the place of every digit before
 * the first non-digit. With 0x30 flipped, a digit is 0 to 9: its top bit
 * clear, and still with 0x76 added; any other byte has its top bit set
 * either way. Only a byte of 0x8A or more (flipped) carries, and it is
 * flagged itself. 7 instructions, not 9, and the flipped word is the
 * digits' values (br_digits_value takes it again, the
 * compiler once): ~15 instructions a bench record fewer (stop 43). */
static inline uint64_t br_nondigits(uint64_t w)
{
	const uint64_t ones = UINT64_C(0x0101010101010101);
	uint64_t x = w ^ 0x30 * ones;
	return ((x + 0x76 * ones) | x) & 0x80 * ones;
}

/* The value of the k (1 to 8) decimal digits that begin word w (br_le64),
 * the first the most significant: the digits, 0x30 flipped (as
 * br_nondigits flips them: computed once for both), moved to the
 * top of the word (leading zeros below them), then pairs, fours and
 * eights of digits summed, no byte carrying. */
static inline uint64_t br_digits_value(uint64_t w, size_t k)
{
	/* 64 - 8k as the shift's count taken mod 64 (k = 8: 0). */
	uint64_t v = (w ^ UINT64_C(0x3030303030303030)) << (-8 * k & 63);
	v = v * 10 + (v >> 8);
	return ((v & UINT64_C(0x000000FF000000FF)) * (100 + (UINT64_C(1000000) << 32)) +
		(v >> 16 & UINT64_C(0x000000FF000000FF)) * (1 + (UINT64_C(10000) << 32))) >>
	       32;
}

/* Orders the an bytes at a and the bn at b as memcmp does, a prefix
 * before the longer ones it begins: <0, 0 or >0. */
static inline int br_bytes_cmp(const void *a, size_t an, const void *b,
			       size_t bn)
{
	int cmp = an && bn ? memcmp(a, b, an < bn ? an : bn) : 0;
	return cmp ? cmp : (an > bn) - (an < bn);
}

/* Tells whether the n bytes at a and b are equal: memcmp(a, b, n) == 0
 * without a call, for the short keys of hash tables. */
static inline bool br_mem_eq(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;
	uint64_t u, v;
	uint32_t s, t;
	if (n >= 8) {
		for (; n > 8; n -= 8, x += 8, y += 8) {
			memcpy(&u, x, 8);
			memcpy(&v, y, 8);
			if (u != v)
				return false;
		}
		/* The last 8 bytes, overlapping those compared. */
		memcpy(&u, x + n - 8, 8);
		memcpy(&v, y + n - 8, 8);
		return u == v;
	}
	if (n >= 4) {
		memcpy(&s, x, 4);
		memcpy(&t, y, 4);
		if (s != t)
			return false;
		memcpy(&s, x + n - 4, 4);
		memcpy(&t, y + n - 4, 4);
		return s == t;
	}
	for (size_t i = 0; i < n; i++)
		if (x[i] != y[i])
			return false;
	return true;
}

/* Writes 32 lowercase hex digits and a NUL. */
void br_fp_hex(struct br_fp fp, char buf[33]);

/* Writes the SHA-256 of data[0..n) as 64 lowercase hex digits and a NUL
 * (used where a hash must be checkable with sha256sum: price data). */
void br_sha256_hex(const void *data, size_t n, char out[65]);

/* -------------------------------------------------------------- CSV files */

/* Called once per record of a CSV file read by br_csv_read_file: the
 * record's first physical line (1-based), its fields (NUL-terminated,
 * borrowed for the call) and their count. A non-zero return stops reading
 * and becomes the result; the callback fills err itself. */
typedef int (*br_csv_record_fn)(void *ctx, unsigned long line, char **fields,
				size_t nfields, struct br_err *err);

/* Reads a small RFC 4180 CSV file (configuration: prices, budgets) of at
 * most 64 MiB, skipping a UTF-8 BOM and blank lines, and calls fn for each
 * record, the header included. The first record is the header: it may not
 * name a column twice, and every later record must have as many fields as
 * it, empty or blank under a column it leaves unnamed. A field keeps its spaces and tabs, quoted or not (a name is matched
 * byte for byte); only the header's names have theirs trimmed (they are
 * keywords), and readers trim the fields they parse as keywords, numbers
 * or dates with br_csv_trim. Errors name the file (and line). */
int br_csv_read_file(const char *path, br_csv_record_fn fn, void *ctx,
		     struct br_err *err);

/* Appends the whole file at path to out; fails, naming the file, when it
 * cannot be read or holds more than max bytes. */
int br_file_read(const char *path, size_t max, struct br_buf *out,
		 struct br_err *err);

/* Writes all of data to fd, retrying short writes; -1 with errno set. */
int br_write_all(int fd, const void *data, size_t n);

/* Opens /dev/null on each of descriptors 0, 1 and 2 that is closed, so
 * that no file the process opens later (the store's lock) takes its
 * number and is read as standard input or written as output; standard
 * output for reading only, so that writing to it still fails. Called first
 * thing; br_stdin_closed then tells whether standard input was closed. */
void br_std_fds_open(void);
bool br_stdin_closed(void);

/* A temporary file or directory untouched this long is no live writer's:
 * its PID may be another host's or container's, which kill() cannot
 * tell. */
#define BR_STALE_TMP_SECONDS 3600

/* Tells whether the entry name of the directory dirfd, a temporary file
 * or directory (kind: S_IFREG, S_IFDIR) of the process whose PID the
 * digits at pid give (ended by '\0' or '-'), was left by a writer killed
 * before it removed it: this user's, not of a live process, and untouched
 * for BR_STALE_TMP_SECONDS. Such leftovers are removed by whoever next
 * writes there (br_output_open, check). */
bool br_tmp_stale(int dirfd, const char *name, const char *pid,
		  mode_t kind);

/* As br_tmp_stale, at any age: this user's, and no process of this host
 * has its PID. For a directory only this host writes into. */
bool br_tmp_orphan(int dirfd, const char *name, const char *pid,
		   mode_t kind);

/* Makes a rename or creation inside dir durable (fsync of dir). */
int br_fsync_dir(const char *dir, struct br_err *err);

/* A new temporary file, unlinked, open for reading and writing, in
 * $TMPDIR (else /tmp): O_TMPFILE, or on a file system without it a file
 * named NAME-XXXXXX there, unlinked at once. Returns it, or -1 (errno
 * set). */
int br_tmpfile(const char *name);

/* Makes the creation of path (a file or directory; trailing slashes are
 * ignored) durable: fsync of the directory that holds it, unless that
 * directory may not be read (EACCES: it cannot be opened to fsync it),
 * which is no failure. */
int br_fsync_parent(const char *path, struct br_err *err);

/* The next entry of d, as readdir, or NULL both at the end and when the
 * directory could not be read: then errno is 0 at the end and says why
 * on a failure. readdir alone returns NULL for both, and a loop that
 * stops at NULL takes a failed read (EIO) for the end of the directory:
 * a listing cut short, silently. */
struct dirent *br_readdir(DIR *d);

/* A file being written to a path (br_output_open), one of three ways:
 *
 *  - a regular file, created or replaced: the bytes go to a temporary
 *    file beside it, renamed over it by br_output_commit, so readers see
 *    the old file or the new one. The temporary file is never opened
 *    through a link (one planted in a directory others may write would
 *    redirect the write). Through a symbolic link, or a chain of at most
 *    BR_OUTPUT_MAX_LINKS of them, the file the last one names is written
 *    (a relative target is taken from its link's directory), created if
 *    missing; the links are kept. A link in a sticky directory anyone
 *    may write (/tmp) that belongs to neither this user nor the
 *    directory's owner is an error, as fs.protected_symlinks has it.
 *  - one of the process's own descriptors, by a name of it (/dev/stdin,
 *    /dev/stdout, /dev/stderr, /dev/fd/N, /proc/self/fd/N,
 *    /proc/thread-self/fd/N, /proc/PID/fd/N with this process's PID) or
 *    through a link to such a name: written through a duplicate of
 *    descriptor N, at its offset and with its flags (O_APPEND), as a shell
 *    redirection expects; never truncated, never replaced. Opening the
 *    name anew would start a regular file over at offset 0.
 *  - anything else that is not a directory (a device, a FIFO, a socket,
 *    or a link to one: /dev/null): opened and written in place, never
 *    replaced, which a rename would do with a regular file (as root,
 *    /dev/null for the whole machine).
 *
 * Every member is owned by the struct; br_output_commit or
 * br_output_abort releases them. */
struct br_output {
	char *path;   /* the path asked for, named in messages */
	char *target; /* the regular file tmp is renamed over; NULL in place */
	char *tmp;    /* the temporary file, or NULL: fd written in place */
	int fd;       /* open for writing: tmp's, or what is written in place */
	int dest;     /* in place with a temporary file: what tmp is copied
		       * to at the end; -1 otherwise */
	int flags;    /* BR_OUTPUT_* */
	struct br_sync_ahead *ahead; /* br_output_sync_ahead's fsync */
};

#define BR_OUTPUT_MAX_LINKS 40

enum {
	/* br_output_commit fsyncs the temporary file before the rename and
	 * the directory after it. */
	BR_OUTPUT_DURABLE = 1,
	/* The temporary file beside DIR/NAME is DIR/.tmp-PID-NAME (the
	 * store's and the ledger's cleanups remove those), not
	 * DIR/NAME.tmp-PID. */
	BR_OUTPUT_HIDDEN_TMP = 2,
	/* tmp is a regular file even in place, for a writer that seeks or
	 * wants a path (libxlsxwriter): a private temporary file (mkstemp in
	 * $TMPDIR, else /tmp) that br_output_commit copies to the output and
	 * removes, so a pipe, a FIFO, a terminal or a descriptor can take a
	 * workbook. */
	BR_OUTPUT_FILE = 4,
	/* The target is new: br_output_commit never replaces a file of its
	 * name (renameat2 RENAME_NOREPLACE; link and unlink where the file
	 * system has no such rename) but fails, naming it. */
	BR_OUTPUT_NEW = 8,
};

/* Opens path for writing as struct br_output says, with mode for a file
 * created (less the umask), and flags BR_OUTPUT_*. On success o->fd is
 * open for writing (and o->tmp, when not NULL, names the file it
 * writes); on failure the error names the file and nothing is left to
 * release or remove. */
int br_output_open(struct br_output *o, const char *path, mode_t mode,
		   int flags, struct br_err *err);

/* Finishes o: closes the temporary file and renames it over the target
 * (BR_OUTPUT_DURABLE: with the fsyncs), or copies it to the output in
 * place and removes it, or closes the output in place. The error names
 * the file. Success or failure, o is released and no temporary file is
 * left; on failure the target is unchanged (a copy in place may have
 * been partly written). */
int br_output_commit(struct br_output *o, struct br_err *err);

/* Starts the fsync of o's temporary file (BR_OUTPUT_DURABLE) on a thread
 * of its own, once it is written whole, so that the caller may read it
 * back meanwhile: the disk writes while the CPU checks. br_output_commit
 * waits for it and fails with its error, and does not fsync the file
 * again (a second fsync took 0.13-0.28 ms); br_output_abort waits for it.
 * Does nothing to an output without the flag or a temporary file, or when
 * no thread can be made (br_output_commit's fsync does it all then).
 * Nothing may be written to o->fd after it. */
void br_output_sync_ahead(struct br_output *o);

/* Releases o without publishing: removes the temporary file, closes the
 * output. Accepts an o already released. */
void br_output_abort(struct br_output *o);

/* Publishes data as dir/name with mode, through br_output_open with
 * BR_OUTPUT_DURABLE and BR_OUTPUT_HIDDEN_TMP: a temporary file in dir (in
 * the directory of the file a link names), write, fsync, close, rename,
 * fsync of the directory; a device, a FIFO or a descriptor of the process
 * is written in place. On failure nothing is visible and the temporary
 * file is removed. */
int br_file_publish(const char *dir, const char *name, const void *data,
		    size_t n, mode_t mode, struct br_err *err);

/* As br_file_publish, with BR_OUTPUT_NEW as well: dir/name must not
 * exist, and is never replaced. */
int br_file_publish_new(const char *dir, const char *name, const void *data,
			size_t n, mode_t mode, struct br_err *err);

/* As br_csv_read_file, over data[0..len) in memory; name is used in
 * messages. */
int br_csv_read_mem(const char *name, const char *data, size_t len,
		    br_csv_record_fn fn, void *ctx, struct br_err *err);

/* Removes the leading and trailing spaces and tabs of the field s in
 * place; returns where it now starts. */
char *br_csv_trim(char *s);

/* Finds name in a CSV header; returns its index or -1. */
int br_csv_column(char **header, size_t n, const char *name);

/* Reads the header f[0..n) of the CSV file path whose columns are
 * names[0..nnames), the first nrequired required: sets col[c] to the
 * index of names[c], or -1. Fails naming the file and line 1 when the
 * first line names none of them (a file without its header: its first
 * row is shown), when a required column is absent, or when a column has
 * another name than these and also_known (may be NULL): a typo in an
 * optional column's name would leave its values at their defaults,
 * silently. An unnamed column (a spreadsheet's trailing comma) is let
 * be: br_csv_read_file holds its cells empty. */
int br_csv_header(const char *path, char **f, size_t n,
		  const char *const *names, int nnames, int nrequired,
		  const char *also_known, int *col, struct br_err *err);

/* ----------------------------------------------------------------- prices */

enum br_tier {
	BR_TIER_STANDARD,
	BR_TIER_BATCH,
	BR_TIER_FLEX,
	BR_TIER_PRIORITY,
	BR_TIER_COUNT
};

/* "standard", "batch", "flex", "priority". */
const char *br_tier_name(enum br_tier t);

/* Parses a tier name (case-insensitive; "default", "auto" and "on_demand"
 * mean standard). Returns the tier or -1. */
int br_tier_parse(const char *s, size_t n);

/* As br_tier_parse, for the tier a log names: also OpenAI's "scale" (the
 * Scale Tier's requests; the catalog has no rates of its own for them),
 * read as standard, as every format reads it. */
int br_tier_parse_logged(const char *s, size_t n);

/* Token counts of one request or of a sum of requests. input is uncached
 * input only; output includes reasoning; cache_write is the 5-minute write
 * and cache_write_1h the 1-hour write (not included in cache_write). */
struct br_tokens {
	uint64_t input, output, cache_read, cache_write, cache_write_1h, reasoning;
};

/* Tells whether t holds no token a price applies to: a request without
 * any costs nothing whatever the model (reasoning is part of output, and
 * paid for only up to it). Ingest and report --reprice both ask this. */
static inline bool br_tokens_none(const struct br_tokens *t)
{
	return (t->input | t->cache_read | t->cache_write | t->cache_write_1h |
		t->output) == 0;
}

/* Rates in pico-dollars per token. BR_RATE_UNSET in a cache rate means "the
 * input rate", in reasoning "the output rate", in cache_write_1h "the
 * cache_write rate". */
#define BR_RATE_UNSET INT64_C(-1)

struct br_rates {
	int64_t input, output, cache_read, cache_write, cache_write_1h, reasoning;
};

/* One price: the rates of a model from a day on, for requests of one tier
 * whose total input (input + cache_read + cache_write + cache_write_1h) is
 * at least min_input_tokens. */
struct br_price {
	int32_t from_day; /* BR_DAY_NONE: in force since always */
	uint64_t min_input_tokens;
	enum br_tier tier;
	struct br_rates rates;
};

/* The exact cost of tokens at rates: each token class at its own rate,
 * reasoning tokens (a subset of output) at the reasoning rate when one is
 * set. */
br_pico br_price_cost(const struct br_rates *rates, const struct br_tokens *t);

/* A price catalog: for each (provider, model) the history of its prices,
 * plus aliases (other names of catalog models). Providers are compared in
 * canonical form (br_provider_canonical) on both sides. */
struct br_catalog;

/* A model of a catalog. Owned by the catalog, valid until it changes. */
struct br_model {
	char *provider;       /* canonical; "" matches any provider */
	char *name;
	const char *origin;   /* "built-in" or the prices file that set it */
	struct br_price *prices; /* sorted by tier, from_day, min_input_tokens */
	size_t nprices;
};

/* An empty catalog. */
struct br_catalog *br_catalog_new(void);

/* The built-in catalog: data/catalog.csv and data/aliases.csv
 * (docs/PRICES.md), parsed when the program is built: the tables
 * tools/catalog_gen.c writes from br_catalog_builtin_csv's catalog, loaded
 * with br_catalog_from_tables. Fails only if that data is invalid, which
 * the build and the test suite rule out. */
struct br_catalog *br_catalog_builtin(struct br_err *err);

/* The built-in catalog parsed from its CSV, embedded at build time, as a
 * prices file is (plus the aliases): what br_catalog_builtin's tables are
 * made from, and what the tests compare them with. Fails, naming the file,
 * line and value, when that data is invalid. */
struct br_catalog *br_catalog_builtin_csv(struct br_err *err);

/* A catalog pre-parsed into tables (tools/catalog_gen.c writes them as C).
 * Strings are offsets into pool; a key is a provider, a NUL and a name,
 * one after the other. */
struct br_table_key {
	uint32_t off, provider_len, len; /* len: of the key, both parts */
};

/* Compares keys a and b of pool as memcmp does, a prefix first: the order
 * of br_catalog_tables' model_order and alias_order. */
int br_table_key_cmp(const char *pool, const struct br_table_key *a,
		     const struct br_table_key *b);

struct br_table_model {
	uint32_t price, nprices; /* prices[price .. price + nprices) */
};

struct br_table_alias {
	uint32_t rule, target; /* rule's offset; target: a model's index */
};

struct br_table_pattern {
	uint32_t provider, source, target; /* offsets; a model's index */
};

struct br_catalog_tables {
	char *pool;
	struct br_price *prices;
	const struct br_table_model *models;
	const struct br_table_key *model_keys; /* models[i]'s is model_keys[i] */
	const uint32_t *model_order; /* 0 .. nmodels-1 by key, ascending */
	size_t nmodels;
	const struct br_table_alias *aliases;
	const struct br_table_key *alias_keys;
	const uint32_t *alias_order;
	size_t naliases;
	const struct br_table_pattern *patterns; /* in the aliases file's order */
	size_t npatterns;
	const char *identity; /* br_catalog_identity's */
};

/* The catalog of tables t, which it borrows: they must outlive it and stay
 * unchanged. Models and aliases get the tables' indexes, with the origin
 * "built-in"; their keys are looked up in the tables (a binary search),
 * those of models prices files add later in a dictionary. Fails (nothing
 * allocated) when an order does not list the keys in ascending order, each
 * once (two keys the same, a key out of order, an index out of range), a
 * target is no model's index, or a pattern is no POSIX ERE. */
struct br_catalog *br_catalog_from_tables(const struct br_catalog_tables *t,
					  struct br_err *err);
void br_catalog_free(struct br_catalog *c);

/* Loads a prices CSV (DESIGN §7): header
 * provider,model,from,input,output,cache_read,cache_write
 * [,cache_write_1h,reasoning,min_input_tokens,tier] in any column order,
 * other columns ignored. The models it lists replace whatever the catalog
 * held for them (all rows of one (provider, model) form its history) and
 * win over the catalog's other entries and aliases. An empty provider
 * matches any provider. The file's path and SHA-256 join the catalog's
 * identity. Errors name the file, line and value. On failure the catalog is
 * unchanged. */
int br_catalog_load_csv(struct br_catalog *c, const char *path,
			struct br_err *err);

/* What the catalog is, for audit: "built-in 2026-07-24 sha256:HEX" and, per
 * prices file loaded, "; prices PATH sha256:HEX". "" for an empty catalog. */
const char *br_catalog_identity(const struct br_catalog *c);

/* The canonical form of a provider name: lowercase, with the spellings of
 * one provider merged ("gemini" -> "google", "bedrock_converse" and "aws"
 * -> "bedrock", "vertex" -> "vertex_ai", ...; table in docs/PRICES.md).
 * Writes at most size bytes (NUL included) to buf and returns buf. */
const char *br_provider_canonical(struct br_str provider, char *buf,
				  size_t size);
/* br_provider_canonical of the whole name, however long, in b (reset
 * first); returns b->p. Prices and budgets compare providers by it: cut
 * to a fixed buffer, two providers alike in their first 127 bytes were
 * one, priced by each other's rows. */
const char *br_provider_canonical_buf(struct br_str provider,
				      struct br_buf *b);

/* How a (provider, model) of a log found its catalog model. */
struct br_match {
	const struct br_model *model; /* NULL: unknown, never guessed */
	size_t index;                 /* of model, for br_catalog_model */
	const char *rule;             /* "exact", "any provider", an
				       * alias's rule ("date-suffix", ...,
				       * "regex") or NULL */
	const char *alias_provider;   /* the alias row, when rule is one */
	const char *pattern;          /* the ERE, when rule is "regex" */
	bool arn;                     /* model is a Bedrock ARN's: rule and
				       * the rest say how its id matched */
};

/* Resolves (provider, model): a prices file's model for the provider, then
 * a prices file's model listed for any provider, then the built-in model,
 * then an alias for that provider, then an alias for any provider, then a
 * pattern (an alias of rule "regex": a POSIX extended regular expression
 * found in the name, anchored where it says ^ and $, case included) for
 * that provider, then one for any provider, in the aliases file's order.
 * A model all these leave unknown that is a Bedrock ARN of a foundation
 * model or a system inference profile
 * ("arn:aws:bedrock:REGION:ACCOUNT:foundation-model/ID",
 * "...:inference-profile/ID"), with the provider bedrock or none, then
 * resolves as (bedrock, ID). Patterns and ARNs are tried only on a miss:
 * the pricer resolves each distinct name once. */
void br_catalog_resolve(const struct br_catalog *c, struct br_str provider,
			struct br_str model, struct br_match *m);

/* Number of models, and the i-th (in load order). */
size_t br_catalog_models(const struct br_catalog *c);
const struct br_model *br_catalog_model(const struct br_catalog *c, size_t i);

/* Number of aliases, and the i-th: its provider ("" any), name, target and
 * rule. Returns NULL past the last. */
size_t br_catalog_aliases(const struct br_catalog *c);
const struct br_model *br_catalog_alias(const struct br_catalog *c, size_t i,
					const char **provider,
					const char **name, const char **rule);

/* Number of patterns (aliases of rule "regex"), and the i-th: its
 * provider ("" any), its POSIX ERE and its target. Returns NULL past the
 * last. br_catalog_aliases does not count them. */
size_t br_catalog_patterns(const struct br_catalog *c);
const struct br_model *br_catalog_pattern(const struct br_catalog *c, size_t i,
					  const char **provider,
					  const char **pattern);

/* Called for each problem br_catalog_check finds in model m. */
typedef void (*br_catalog_problem_fn)(void *ctx, const struct br_model *m,
				      const char *problem);

/* Checks every model for what loading does not refuse: a version of a tier
 * without a row for small inputs, a rate above $1,000 per 1M tokens (a
 * unit error), a cache read dearer than uncached input, a long-context
 * input rate below its base rate. (Unparsable, negative and over-precise
 * rates and two rows for one tier, from date and threshold are refused by
 * br_catalog_load_csv.) Returns the number of problems. */
size_t br_catalog_check(const struct br_catalog *c, br_catalog_problem_fn fn,
			void *ctx);

/* Why a lookup found no price. */
enum br_unpriced {
	BR_PRICED = 0,
	BR_UNPRICED_UNKNOWN_MODEL, /* no entry for the provider and model */
	BR_UNPRICED_NO_PRICE_ON_DAY, /* entries exist, none in force that day */
	BR_UNPRICED_NO_TIER,       /* no price for the service tier */
	BR_UNPRICED_TOO_LITTLE_INPUT, /* every row starts above the input */
	BR_UNPRICED_SPLIT_BAND     /* a long-context threshold falls inside
				    * the band of total input (re-pricing) */
};

/* A short text for an enum br_unpriced ("unknown model", ...). */
const char *br_unpriced_reason(enum br_unpriced why);

/* The band of total input around total: the catalog's long-context
 * thresholds (every min_input_tokens above 0, of every model) bracket it as
 * lo <= total < hi (lo 0 below the first, hi UINT64_MAX above the last).
 * Requests of one model, day and tier in one band all get the same price
 * row, which is what lets stored totals be priced again. */
void br_catalog_band(const struct br_catalog *c, uint64_t total,
		     uint64_t *lo, uint64_t *hi);

/* Picks m's price for requests of tier on day whose total input (input +
 * cache_read + cache_write + cache_write_1h) lies in [band_lo, band_hi):
 * among the prices of the tier, the latest version (from_day) in force on
 * day, and within it the row with the highest min_input_tokens not above
 * band_lo. A single request's band is [total, total + 1). Returns NULL and
 * sets *why when unpriced, including when a row of that version starts
 * inside the band (BR_UNPRICED_SPLIT_BAND). */
const struct br_price *br_model_price(const struct br_model *m, int32_t day,
				      enum br_tier tier, uint64_t band_lo,
				      uint64_t band_hi, enum br_unpriced *why);

/* br_model_price, also setting [*from, *until) to the days around day
 * (BR_DAY_NONE and INT32_MAX standing for no bound) on which the same
 * version of m's prices of tier is in force (or none is), so that the
 * answer for any of those days, at the same band, is the same. */
const struct br_price *br_model_price_days(const struct br_model *m,
					   int32_t day, enum br_tier tier,
					   uint64_t band_lo, uint64_t band_hi,
					   enum br_unpriced *why, int32_t *from,
					   int32_t *until);

/* Resolves (provider, model) and picks the price for one request of tier on
 * day with total_input tokens of input. */
const struct br_price *br_catalog_find(const struct br_catalog *c,
				       const char *provider, const char *model,
				       int32_t day, enum br_tier tier,
				       uint64_t total_input,
				       enum br_unpriced *why);

/* ------------------------------------------------------------ usage event */

/* How an event's cost is decided (--cost-mode):
 * AUTO: the cost the log reports when present, else the catalog;
 * CALCULATE: always the catalog; DISPLAY: only the log's cost. */
enum br_cost_mode { BR_COST_AUTO, BR_COST_CALCULATE, BR_COST_DISPLAY };

int br_cost_mode_parse(const char *s, enum br_cost_mode *out);

/* Where an event's cost came from, kept with stored totals so that they can
 * be priced again (report --reprice): CATALOG costs are recomputed, and
 * the two FAILED sources are priced as a fresh ingest would price them.
 * Those are the requests whose cost depends on whether the catalog prices
 * them: in AUTO mode, a failed request with tokens and a logged cost
 * above $0 that counts only for a success (cost_if_ok) takes the
 * catalog's price when there is one, else its logged cost. Rows of their
 * own (of failures only) let new prices choose again. */
enum br_cost_source {
	BR_COST_FROM_CATALOG, /* the catalog (or unpriced by it) */
	BR_COST_FROM_LOG,     /* the cost the log reported */
	BR_COST_FROM_NONE,    /* unpriced: DISPLAY mode and no logged cost */
	BR_COST_FROM_LOG_FAILED,     /* such a failure's logged cost: the
				      * catalog did not price it */
	BR_COST_FROM_CATALOG_FAILED, /* such a failure's catalog price */
	BR_COST_SOURCE_COUNT
};

/* Tells whether s is one of the FAILED cost sources. */
static inline bool br_cost_source_failed(enum br_cost_source s)
{
	return s == BR_COST_FROM_LOG_FAILED || s == BR_COST_FROM_CATALOG_FAILED;
}

/* The canonical usage event (DESIGN §2), priced. String slices are borrowed:
 * valid only during the call that hands the event over. */
struct br_event {
	int64_t ts_us; /* UTC instant */
	struct br_str provider, model, agent, label, request_id;
	enum br_tier tier;
	bool error;
	/* The generic format: a JSONL record with no token count in usage
	 * (none, or "usage":{}) whose counts are under other keys (top-level
	 * "input_tokens", OpenAI's "usage.prompt_tokens"), or a CSV record
	 * whose header has no token or cost column: read as no tokens
	 * (DESIGN: unknown keys are skipped); ingest warns of them. */
	bool tokens_elsewhere;
	struct br_tokens tokens;
	bool has_logged_cost;
	/* The logged cost is taken only of a request that succeeded: a
	 * format's other than generic (the formats' engine rule 3: a failed
	 * row is priced by its tokens; DESIGN's generic format takes its
	 * cost_usd whatever its status). */
	bool cost_if_ok;
	/* Filled by pricing (here, where it fits in padding): the pricer's
	 * name of the bytes of provider, a NUL and model, the same for
	 * every event of those bytes it priced and for no other bytes in
	 * the process; 0 when it gave none (it made no catalog lookup). */
	uint64_t pair;
	br_pico logged_cost; /* cost the log reports, when has_logged_cost */
	/* How many requests the event stands for: an aggregate row (the
	 * OpenAI Usage API) sums several; 0 means 1. Its tokens, error flag
	 * and costs are the aggregate's; its long-context band is chosen by
	 * the mean total input per request. */
	uint64_t requests;
	/* A cost line item, not a request (the OpenAI Costs API): its logged
	 * cost counts, no request does, and it has no tokens. */
	bool cost_only;
	/* Claude Code: the message's copy is a sidechain's (isSidechain),
	 * and message_id its message.id (else empty). Beside request_id,
	 * ingest drops by it a copy of a message an earlier input of the run
	 * counted under another request id when either copy is a sidechain's
	 * (a /btw side question's log replays the parent's messages). */
	bool sidechain;
	struct br_str message_id;

	/* Filled by pricing (br_pricer_price). */
	bool priced;       /* cost is known (from the catalog or the log) */
	br_pico cost;      /* the cost the cost mode chose; 0 when !priced */
	br_pico calc_cost; /* catalog cost; 0 when the catalog has no price */
	bool calc_priced;  /* the catalog had a price */
	enum br_cost_source cost_source;
	int32_t price_day; /* the UTC day whose prices apply */
	uint64_t band_lo, band_hi; /* br_catalog_band of the total input */
	struct br_str pricing; /* br_catalog_identity of the catalog */
};

/* Prices events with one catalog and cost mode, resolving each distinct
 * (provider, model) once. Not thread-safe: one pricer per thread. */
struct br_pricer;

/* catalog may be NULL (nothing is in the catalog); it is borrowed and must
 * not change while the pricer lives. */
struct br_pricer *br_pricer_new(const struct br_catalog *catalog,
				enum br_cost_mode mode);
void br_pricer_free(struct br_pricer *p);

/* Sets ev's pricing fields: the catalog price in force on the UTC day of
 * ev->ts_us for its tier and total input, then the cost the mode picks:
 * AUTO the logged cost when there is one, but for a logged 0 where the
 * catalog's cost is not (a price the logger lacked), or for a failed
 * request with tokens the catalog prices when ev->cost_if_ok; CALCULATE the
 * catalog's; DISPLAY the logged one. First caps ev's reasoning tokens at
 * its output tokens, which they are part of. */
void br_pricer_price(struct br_pricer *p, struct br_event *ev);

/* The catalog model of (provider, model), resolved once per pricer; NULL
 * when unknown. */
const struct br_model *br_pricer_model(struct br_pricer *p,
				       struct br_str provider,
				       struct br_str model);

#endif
