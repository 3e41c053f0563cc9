/* jsonscan.c - a validating, field-selective JSON scanner: checks that a
 * record is one valid JSON value (RFC 8259: grammar, UTF-8, escapes), and
 * captures only the members named by the wanted paths; everything else is
 * skipped structurally without being decoded or converted.
 *
 * The position is passed from function to function as a pointer and
 * returned (NULL once the record is known to be invalid), so that it stays
 * in a register: the hot loops never store it. A captured string without
 * escapes is used in place; only one with escapes is decoded, into the
 * scanner's buffer.
 *
 * On x86-64 a fast path goes first (stop 40, docs/PERFORMANCE.md): the
 * record's bytes that end a plain run in a string are found 64 at a time
 * (AVX2 where the processor has it, else SSE2), so that a string's end is
 * a bit away, and the walk over the record is lean: its look at the next
 * byte checks no bound but after a closing bracket (the record's last
 * byte not whitespace must be its '}'), whitespace is looked for only
 * where the grammar's byte is not. It gives up on anything unusual, invalid
 * records first, and the scalar scanner below, the only one to say why a
 * record is invalid, scans it again from its start; jscan_use forces a
 * path (the tests and fuzz/ compare them). A record with the shape of
 * one of the two records of different shapes before it (its bytes but
 * its values' own, stop 41) is walked by that shape, unclassified: each
 * member's text, from the value before to its own, compared at once, its
 * value scanned alone, a string's plain runs 16 bytes at a time, by code
 * of the step's own (its op, stop 44); where the text differs, the walk
 * goes on member by member as above, and learns the record's shape. A
 * JSON line walked whole so tells its own end (jscan_line, stop 42): the
 * newline is not looked for first. */
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "ingest/ingest_internal.h"

#define JSCAN_MAX_DEPTH 512
/* Slots of the table of wanted keys at one depth (at most 64 keys). */
#define KEY_SLOTS 128

/* A key wanted at some depth, and the paths that go through it there. */
struct wanted_key {
	const char *text;   /* NULL: an empty slot */
	size_t len;
	uint64_t head;      /* key_head of text */
	uint64_t ends;      /* paths whose last component it is */
	uint64_t goes_on;   /* paths that go on below it */
};

/* The keys of the objects on wanted paths, as last seen at each depth and
 * place among the members: records of one log mostly repeat them, and
 * bytes equal to those of a valid key seen before, with the colon right
 * after it, are that key, with the same wanted paths, without being
 * scanned and looked up again. */
#define MEMO_DEPTHS 4
#define MEMO_MEMBERS 32
#define MEMO_LEN 32
struct memo_key {
	char text[MEMO_LEN];  /* a key without escapes, from after its opening
			       * quote to the colon after its closing one;
			       * zeros after */
	uint64_t ends, goes_on; /* as in its struct wanted_key, or 0 */
	uint16_t head;        /* a bit for each of the first 16 bytes of text */
	uint8_t len;          /* of text; 0: none */
} __attribute__((aligned(16))); /* for _mm_load_si128 */

/* The shape of a record: its text but for its values' own bytes, cut
 * into steps, one a value and one a closing brace. A record of a log
 * mostly has its record before's shape: then the fast path compares
 * each step's text at once and scans the values alone (shape_walk). */
#define SHAPE_STEPS 48
/* Records whose shapes are learnt, none repeated, before learning rests
 * for REST_FIRST records, twice as many each time after (REST_MOST at
 * most), until WALKS_PAY records are walked whole by a shape since one
 * was last learnt: a log whose records change shape at every record
 * (members in another order, optional ones) took up to a third more
 * instructions a record than without shapes, and one whose shapes last
 * two to four records each (a shape learnt costs ~3,400 instructions, a
 * record walked whole by it saves ~700) 10-17% more. */
#define LEARN_TRIES 8
#define REST_FIRST 64
#define REST_MOST 4096
#define WALKS_PAY 6
#define LINE_REST_MOST 64
#define SHAPE_TEXT 32
/* A step this far from the record's end (its text and then 16 bytes) is
 * compared at once and its value's first 16 bytes (a string's plain run)
 * or 8 (a count's word) read without a test of the bytes left: ~33
 * instructions a bench record fewer (stop 43). */
#define SHAPE_ROOM (SHAPE_TEXT + 16)
#define SHAPE_DEPTH 8
/* A step's value, and what shape_walk does with it: a string, a number,
 * an object's '{' or '}', the record's '}' (SO_END), a literal (the
 * three in the order of their enum jtype), or an array no path captures,
 * skipped whole by the scalar scanner (SO_ARRAY: a log's "messages" or
 * "tags"; a record with one had no shape, and took ~2.5 times the
 * instructions a byte of one without). */
enum shape_op { SO_STRING = 0, SO_NUMBER = 2, SO_OPEN = 4, SO_CLOSE = 6,
		SO_END = 8, SO_NULL = 10, SO_FALSE = 12, SO_TRUE = 14,
		SO_ARRAY = 16 };
/* Or-ed into a step's op: its text is longer than 16 bytes. */
#define SO_LONG 1
_Static_assert((SO_FALSE - SO_NULL) / 2 == JV_FALSE - JV_NULL &&
		       (SO_TRUE - SO_NULL) / 2 == JV_TRUE - JV_NULL,
	       "a literal's op tells its type");
struct shape_step {
	/* The bytes from the end of the value before (or the '{' before)
	 * to this value, its first byte included for a string or an
	 * object, its whole text for a literal; or to and with the '}' of
	 * a closing brace. Zeros after. */
	char text[SHAPE_TEXT];
	uint64_t capture; /* the path the value ends (one at most) */
	uint64_t before;  /* those of the steps before */
	/* capture's output, of the outputs the shape was learnt with
	 * (shape_out), or the scanner's sink when it captures none: one
	 * load a step, not a test and an index, and shape_walk stores a
	 * value without testing for one (~24 instructions a bench record
	 * fewer, stop 42). A '}''s: its object's, its '{''s step's one. */
	struct jvalue *one;
	uint32_t past;    /* a bit for each byte of text[] past len */
	uint8_t len;      /* of text */
	uint8_t op;       /* enum shape_op, SO_LONG */
	/* The objects open around the step in the record's object: 0 for
	 * its members and its '}', 1 in a member's object and its '}'. */
	uint8_t depth;
	uint8_t member;   /* in the record's object: its members before */
} __attribute__((aligned(16)));

struct jscan {
	const struct jpath *paths;
	size_t npaths;
	/* A bit for each path: computed once, not for each record (~8
	 * instructions a record, stop 44). */
	uint64_t all;
	/* Per depth, the distinct wanted keys by hash (open addressing): a
	 * key is looked up once, whatever the number of paths. */
	struct wanted_key keys[JPATH_MAX_COMP][KEY_SLOTS];
	struct memo_key memo[MEMO_DEPTHS][MEMO_MEMBERS];
	struct jvalue *out;
	uint64_t captured; /* the paths of out[] set so far */
	const char *start, *end;
	struct br_buf strings; /* decoded strings of captured values */
	const char *error;
	size_t error_at;
	/* The fast path's classification of the record, a word a 64 bytes
	 * (classify_sse2_64); classify is NULL for the scalar path alone. */
	uint64_t *bits;
	size_t nbits, bits_cap; /* words: the record's, and one more */
	void (*classify)(const char *rec, size_t len, size_t first,
			 uint64_t *bits);
	const char *last; /* the record's last byte not whitespace */
	bool fast; /* the last record was the fast path's */
	/* The last record was walked whole by a shape: only then does
	 * jscan_line walk the next, which a log of records of changing
	 * shapes would have walked in vain, to walk it again. */
	bool whole;
	/* Records jscan_line leaves to jscan_record after a walk of its
	 * that failed, and how many the next such rest lasts: twice as
	 * many after each walk failed (LINE_REST_MOST at most), none after
	 * one that told a line. */
	unsigned line_rest, line_rest_len;
	/* The shapes of the last two records of different shapes the fast
	 * path completed (nsteps 0: none), shape[cur] the last one; their
	 * first common steps are the same. The one being learnt from the
	 * record being walked goes into shape[learn_to] (learning false:
	 * none can be). */
	struct shape_step shape[2][SHAPE_STEPS];
	struct jvalue *shape_out; /* the outputs of their steps' one */
	struct jvalue sink; /* the one of their steps that capture none */
	size_t nsteps[2], common, nlearn;
	int cur, learn_to;
	unsigned members; /* of the record's object, walked so far */
	bool learning;
	/* Records whose shapes were learnt, or tried, since WALKS_PAY were
	 * walked whole by a shape after one learnt; records left to walk
	 * without learning (learning a shape no record repeats costs more
	 * than it saves), and how many the next such rest lasts; records
	 * walked whole since a shape was last learnt. */
	unsigned unused, rest, rest_len, walked;
};

/* Records why the record is invalid, at p; returns NULL. */
static const char *fail(struct jscan *s, const char *p, const char *why)
{
	if (!s->error) {
		s->error = why;
		s->error_at = (size_t)(p - s->start);
	}
	return NULL;
}

static inline bool is_ws(char c)
{
	/* One comparison for the usual case, a byte above the space. */
	return (unsigned char)c <= ' ' &&
	       (c == ' ' || c == '\n' || c == '\r' || c == '\t');
}

static inline const char *skip_ws(const char *p, const char *end)
{
	while (p < end && is_ws(*p))
		p++;
	return p;
}

static int hex4(const char *p)
{
	int v = 0;
	for (int i = 0; i < 4; i++) {
		char c = p[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

static void put_utf8(struct br_buf *b, unsigned cp)
{
	char u[4];
	size_t n;
	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | cp >> 12);
		u[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		u[0] = (char)(0xF0 | cp >> 18);
		u[1] = (char)(0x80 | (cp >> 12 & 0x3F));
		u[2] = (char)(0x80 | (cp >> 6 & 0x3F));
		u[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	br_buf_put(b, u, n);
}

/* Skips the bytes from p that need no attention inside a string: not a
 * quote, a backslash, a control character or a byte of a multi-byte
 * UTF-8 sequence. roomy: the 16 bytes at p may be read (SHAPE_ROOM). */
static inline const char *plain_run(const char *p, const char *end, bool roomy)
{
#ifdef __SSE2__
	const __m128i two = _mm_set1_epi8(2), bslash = _mm_set1_epi8('\\'),
		      space = _mm_set1_epi8(0x20);
	for (bool first = roomy; first || end - p >= 16; first = false) {
		__m128i v = _mm_loadu_si128((const __m128i *)p);
		/* A plain byte is above the space once its bit 1 is flipped,
		 * signed, and no backslash: the flip makes a quote (0x22) a
		 * space, keeps a control character below it and a byte from
		 * 0x80 negative, and no other byte comes to 0x20 or below.
		 * Two instructions fewer than three compares (~17 a record of
		 * the bench's, stop 42). */
		__m128i plain = _mm_andnot_si128(
			_mm_cmpeq_epi8(v, bslash),
			_mm_cmpgt_epi8(_mm_xor_si128(v, two), space));
		unsigned m = (unsigned)_mm_movemask_epi8(plain) ^ 0xFFFF;
		if (m) {
			const char *q = p + (unsigned)__builtin_ctz(m);
			/* Told, so that a caller's test for the end after
			 * such a byte goes: ~2 instructions a string, 14 a
			 * bench record (stop 43). */
			if (q >= end)
				__builtin_unreachable();
			return q;
		}
		p += 16;
	}
#endif
	while (p < end && *p != '"' && *p != '\\' && (unsigned char)*p >= 0x20 &&
	       (unsigned char)*p < 0x80)
		p++;
	return p;
}

/* The escape at p (a backslash) in a string: its length, and its code
 * point in *cp (a surrogate pair gives one); 0 when invalid, saying why. */
static size_t escape(struct jscan *s, const char *p, const char *end,
		     unsigned *cp)
{
	static const char simple[] = "\"\\/bfnrt", decoded[] = "\"\\/\b\f\n\r\t";
	if (end - p < 2) {
		fail(s, p, "unterminated string");
		return 0;
	}
	const char *e = p[1] ? strchr(simple, p[1]) : NULL;
	if (e) {
		*cp = (unsigned char)decoded[e - simple];
		return 2;
	}
	if (p[1] != 'u') {
		fail(s, p, "invalid escape in string");
		return 0;
	}
	if (end - p < 6) {
		fail(s, p, "truncated \\u escape");
		return 0;
	}
	int hi = hex4(p + 2);
	if (hi < 0) {
		fail(s, p, "invalid \\u escape");
		return 0;
	}
	if (hi >= 0xDC00 && hi <= 0xDFFF) {
		fail(s, p + 6, "invalid Unicode surrogate pair");
		return 0;
	}
	if (hi < 0xD800 || hi > 0xDBFF) {
		*cp = (unsigned)hi;
		return 6;
	}
	int lo = end - p >= 12 && p[6] == '\\' && p[7] == 'u' ? hex4(p + 8) : -1;
	if (lo < 0xDC00 || lo > 0xDFFF) {
		fail(s, p + 6, "invalid Unicode surrogate pair");
		return 0;
	}
	*cp = 0x10000 + ((unsigned)(hi - 0xD800) << 10) + (unsigned)(lo - 0xDC00);
	return 12;
}

/* The first byte at or after p (in the record) that ends a plain run
 * (plain_run's), found in the fast path's classification of the record;
 * the record's end if none. */
static inline const char *next_hit(const struct jscan *s, const char *p)
{
	size_t pos = (size_t)(p - s->start), i = pos / 64;
	uint64_t hit = s->bits[i] >> pos % 64; /* bits[nbits] is 0 */
	while (!hit) {
		if (++i >= s->nbits)
			return s->end;
		hit = s->bits[i];
		p = s->start + i * 64;
	}
	return p + __builtin_ctzll(hit);
}

/* Validates the string whose contents start at p (after the quote), its
 * plain runs skipped by the fast path's classification (classified) or
 * by plain_run. Returns the position after the closing quote, or NULL;
 * *escaped tells whether it holds escapes. */
static inline __attribute__((always_inline)) const char *
string_end(struct jscan *s, const char *p, bool *escaped, bool classified)
{
	const char *end = s->end;
	*escaped = false;
	for (;;) {
		p = classified ? next_hit(s, p) : plain_run(p, end, false);
		if (p == end)
			return fail(s, p, "unterminated string");
		unsigned char c = (unsigned char)*p;
		if (c == '"')
			return p + 1;
		if (c == '\\') {
			unsigned cp;
			size_t n = escape(s, p, end, &cp);
			if (!n)
				return NULL;
			*escaped = true;
			p += n;
		} else if (c < 0x20) {
			return fail(s, p, "control character in string");
		} else {
			size_t n = br_utf8_len((const unsigned char *)p,
					       (size_t)(end - p));
			if (!n)
				return fail(s, p, "invalid UTF-8 in string");
			p += n;
		}
	}
}

/* string_end by plain_run. */
static inline __attribute__((always_inline)) const char *
skip_string(struct jscan *s, const char *p, bool *escaped)
{
	return string_end(s, p, escaped, false);
}

/* Appends the decoded contents of the valid string from p (after the
 * quote) to the closing quote at q to the scanner's buffer. */
static void decode_string(struct jscan *s, const char *p, const char *q)
{
	while (p < q) {
		const char *bs = memchr(p, '\\', (size_t)(q - p));
		if (!bs) {
			br_buf_put(&s->strings, p, (size_t)(q - p));
			return;
		}
		br_buf_put(&s->strings, p, (size_t)(bs - p));
		unsigned cp = 0;
		p = bs + escape(s, bs, q, &cp);
		put_utf8(&s->strings, cp);
	}
}

/* The first byte from p that is not a digit, end at most. */
static inline const char *skip_digits(const char *p, const char *end)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	while (end - p >= 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		uint64_t other = br_nondigits(w);
		if (other)
			return p + __builtin_ctzll(other) / 8;
		p += 8;
	}
#endif
	while (p < end && (unsigned char)(*p - '0') < 10)
		p++;
	return p;
}

/* The value of the n (1 to 7) decimal digits at p, the last bytes of a
 * record. */
static __attribute__((noinline, cold)) uint64_t tail_value(const char *p,
							   size_t n)
{
	char word[8] = {0};
	memcpy(word, p, n);
	return br_digits_value(br_le64(word), n);
}

/* Scans the number at p; *count: its value when an integer without sign
 * of at most 7 digits, else JV_NO_COUNT. Such an integer's digits are
 * converted from the word that finds their end, so that a token count's
 * text is not parsed again (parse_count). Inlined: out of line, its
 * outputs went through memory. */
static inline __attribute__((always_inline)) const char *
scan_number(struct jscan *s, const char *p, bool *is_int, uint64_t *count)
{
	const char *end = s->end;
	uint64_t value = JV_NO_COUNT;
	bool minus = *p == '-';
	*is_int = true;
	if (minus)
		p++;
	if (p < end && *p == '0') {
		value = 0;
		p++;
	} else if (p < end && (unsigned char)(*p - '1') < 9) {
		uint64_t w, other = 0;
		if (end - p >= 8) {
			w = br_le64(p);
			other = br_nondigits(w);
		}
		if (other) { /* the usual count: its end in this word */
			size_t k = (size_t)__builtin_ctzll(other) / 8;
			value = br_digits_value(w, k);
			p += k;
		} else {
			const char *digits = p;
			p = skip_digits(p + 1, end);
			if (p - digits <= 7) /* near the record's end */
				value = tail_value(digits, (size_t)(p - digits));
		}
	} else {
		return fail(s, p, "invalid number");
	}
	*count = minus ? JV_NO_COUNT : value;
	if (p == end || (*p != '.' && (*p | 0x20) != 'e'))
		return p; /* the usual: an integer */
	if (*p == '.') {
		*is_int = false;
		*count = JV_NO_COUNT;
		if (++p == end || (unsigned char)(*p - '0') >= 10)
			return fail(s, p, "invalid number");
		p = skip_digits(p + 1, end);
	}
	if (p < end && (*p | 0x20) == 'e') {
		*is_int = false;
		*count = JV_NO_COUNT;
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		if (p == end || (unsigned char)(*p - '0') >= 10)
			return fail(s, p, "invalid number");
		p = skip_digits(p + 1, end);
	}
	return p;
}

static const char *literal(struct jscan *s, const char *p, const char *word,
			   size_t n)
{
	if ((size_t)(s->end - p) < n || memcmp(p, word, n) != 0)
		return fail(s, p, "invalid literal");
	return p + n;
}

/* Stores the value of type t from raw to p into v; a string's length
 * and decoded place in len and str_off. The fields are written one by
 * one: a struct built on the stack byte by byte and copied whole stalls
 * the copy's wide loads. */
static inline void put_value(struct jvalue *v, const char *raw, const char *p,
			     enum jtype t, bool is_int, uint64_t count,
			     bool escaped, uint32_t len, uint32_t str_off)
{
	v->raw = raw;
	v->count = count;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if (__builtin_constant_p(len) && len == 0) {
		/* A number's or an object's: rawlen and a len of 0 in one
		 * store, ~10 instructions a bench record fewer (stop 43). */
		uint64_t lens = (uint32_t)(p - raw);
		memcpy(&v->rawlen, &lens, sizeof lens);
	} else if (__builtin_constant_p(t == JV_STRING && !escaped) &&
		   t == JV_STRING && !escaped) {
		/* A string without escapes: its text and two quotes. From
		 * len, not from p and raw: an instruction fewer in the usual
		 * string's code (~7 a bench record, stop 44). */
		v->rawlen = len + 2;
		v->len = len;
	} else {
		v->rawlen = (uint32_t)(p - raw);
		v->len = len;
	}
#else
	v->rawlen = (uint32_t)(p - raw);
	v->len = len;
#endif
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* type, present, is_int and escaped in one store: gcc wrote them in
	 * two or three, a value's constant and computed bytes apart. */
	uint32_t flags = JV_FLAGS(t, is_int, escaped);
	if (__builtin_constant_p(str_off) && str_off == 0) {
		/* With a str_off of 0, in one store: else, in shape_walk,
		 * gcc made the usual string's last four stores one from
		 * four vector registers (~50 instructions a bench record
		 * more, stop 44). */
		uint64_t w = (uint64_t)flags << 32;
		memcpy(&v->str_off, &w, sizeof w);
	} else {
		v->str_off = str_off;
		memcpy((char *)v + offsetof(struct jvalue, type), &flags,
		       sizeof flags);
	}
#else
	v->str_off = str_off;
	v->type = (uint8_t)t;
	v->present = true;
	v->is_int = is_int;
	v->escaped = escaped;
#endif
}
_Static_assert(offsetof(struct jvalue, len) == offsetof(struct jvalue, rawlen) + 4 &&
		       offsetof(struct jvalue, type) ==
			       offsetof(struct jvalue, str_off) + 4,
	       "put_value stores rawlen and a len of 0, a str_off of 0 and the "
	       "flags, as one word");

/* put_value into the outputs of the paths in capture (not none). */
static inline void keep(struct jscan *s, uint64_t capture, const char *raw,
			const char *p, enum jtype t, bool is_int, uint64_t count,
			bool escaped, uint32_t len, uint32_t str_off)
{
	s->captured |= capture;
	struct jvalue *out = s->out;
	do {
		put_value(&out[__builtin_ctzll(capture)], raw, p, t, is_int, count,
			  escaped, len, str_off);
		capture &= capture - 1;
	} while (capture);
}

/* put_value into one, a shape's step's output (shape_walk tells that it
 * is captured), or else into the outputs of the paths in capture. */
static inline __attribute__((always_inline)) void
keep_at(struct jscan *s, struct jvalue *one, uint64_t capture, const char *raw,
	const char *p, enum jtype t, bool is_int, uint64_t count, bool escaped,
	uint32_t len, uint32_t str_off)
{
	if (one)
		put_value(one, raw, p, t, is_int, count, escaped, len, str_off);
	else if (capture)
		keep(s, capture, raw, p, t, is_int, count, escaped, len, str_off);
}

/* The decoded length of the valid string from raw (its opening quote) to
 * p (after its closing one) in *len; one with escapes is decoded into the
 * scanner's buffer, at *str_off. */
static inline void string_value(struct jscan *s, const char *raw,
				const char *p, bool escaped, uint32_t *len,
				uint32_t *str_off)
{
	if (!escaped) {
		*len = (uint32_t)(p - 2 - raw);
		return;
	}
	*str_off = (uint32_t)s->strings.len;
	decode_string(s, raw + 1, p - 1);
	*len = (uint32_t)(s->strings.len - *str_off);
	br_buf_putc(&s->strings, 0);
}

/* Scans the scalar value at p (no whitespace before it: a string, number
 * or literal) into the paths in capture. Inlined in the loop over an
 * object's members, which mostly hold scalars. */
static inline __attribute__((always_inline)) const char *
scan_scalar(struct jscan *s, const char *p, int depth, uint64_t capture)
{
	if (depth > JSCAN_MAX_DEPTH)
		return fail(s, p, "nested too deeply");
	if (p == s->end)
		return fail(s, p, "unexpected end of record");
	const char *raw = p;
	enum jtype t;
	bool is_int = false, escaped = false;
	uint64_t count = JV_NO_COUNT;
	uint32_t len = 0, str_off = 0;
	switch (*p) {
	case '"':
		p = skip_string(s, p + 1, &escaped);
		if (!p || !capture)
			return p;
		t = JV_STRING;
		string_value(s, raw, p, escaped, &len, &str_off);
		break;
	case 't':
		t = JV_TRUE;
		p = literal(s, p, "true", 4);
		break;
	case 'f':
		t = JV_FALSE;
		p = literal(s, p, "false", 5);
		break;
	case 'n':
		t = JV_NULL;
		p = literal(s, p, "null", 4);
		break;
	default:
		if (*p != '-' && (*p < '0' || *p > '9'))
			return fail(s, p, "unexpected character");
		t = JV_NUMBER;
		p = scan_number(s, p, &is_int, &count);
		break;
	}
	if (p && capture)
		keep(s, capture, raw, p, t, is_int, count, escaped, len, str_off);
	return p;
}

static const char *scan_value(struct jscan *s, const char *p, int depth,
			      uint64_t candidates, uint64_t capture);

/* The first min(n, 8) bytes of k as a word, the rest zero; end bounds
 * what may be read. */
static inline uint64_t key_head(const char *k, size_t n, const char *end)
{
	uint64_t w = 0;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if (end - k >= 8) {
		memcpy(&w, k, 8);
		return n < 8 ? w & ((UINT64_C(1) << (n * 8)) - 1) : w;
	}
#endif
	(void)end;
	for (size_t i = 0; i < n && i < 8; i++)
		w |= (uint64_t)(unsigned char)k[i] << (8 * i);
	return w;
}

/* The slot of a key in a depth's table. */
static unsigned key_slot(uint64_t head, size_t len)
{
	uint64_t h = (head ^ len * UINT64_C(0x9E3779B97F4A7C15)) *
		     UINT64_C(0xff51afd7ed558ccd);
	return (unsigned)(h >> 57); /* 7 bits: KEY_SLOTS */
}

/* The wanted key a key at depth is, or NULL. */
static const struct wanted_key *match_key(struct jscan *s, const char *key,
					  size_t keylen, bool escaped,
					  int depth)
{
	if (depth >= JPATH_MAX_COMP)
		return NULL;
	size_t mark = s->strings.len;
	const char *end = s->end;
	if (escaped) {
		decode_string(s, key, key + keylen);
		key = s->strings.p + mark;
		keylen = s->strings.len - mark;
		end = key + keylen;
	}
	uint64_t head = key_head(key, keylen, end);
	const struct wanted_key *t = s->keys[depth], *found = NULL;
	for (unsigned i = key_slot(head, keylen); t[i].text; i = (i + 1) % KEY_SLOTS) {
		if (t[i].head == head && t[i].len == keylen &&
		    (keylen <= 8 || br_mem_eq(t[i].text + 8, key + 8, keylen - 8))) {
			found = &t[i];
			break;
		}
	}
	s->strings.len = mark;
	return found;
}

/* Tells whether the text of memo m (set) is at key, which end bounds. */
static inline bool memo_match(const struct memo_key *m, const char *key,
			      const char *end)
{
	size_t n = m->len;
	if ((size_t)(end - key) < n)
		return false;
#ifdef __SSE2__
	const __m128i *text = (const __m128i *)m->text;
	if (n >= 16) {
		/* The first and the last 16 bytes, overlapping. */
		__m128i head = _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)key),
					      _mm_load_si128(text));
		__m128i tail = _mm_cmpeq_epi8(
			_mm_loadu_si128((const __m128i *)(key + n - 16)),
			_mm_loadu_si128((const __m128i *)(m->text + n - 16)));
		return _mm_movemask_epi8(_mm_and_si128(head, tail)) == 0xFFFF;
	}
	if (end - key >= 16) {
		unsigned eq = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(
			_mm_loadu_si128((const __m128i *)key), _mm_load_si128(text)));
		return (~eq & ((1u << n) - 1)) == 0;
	}
#endif
	return br_mem_eq(key, m->text, n);
}

/* Scans the key at p (its opening quote) and the colon after it, of an
 * object at depth: returns the position after the colon, or NULL; the
 * wanted paths it leads to, among candidates: those it ends (*capture)
 * and those it continues (*next). m is the memo of the key's place (or
 * NULL): the key replaces what it held when it can be remembered. */
static const char *scan_key(struct jscan *s, const char *p, int depth,
			    struct memo_key *m, uint64_t candidates,
			    uint64_t *capture, uint64_t *next)
{
	const char *key = p + 1, *end = s->end;
	bool escaped;
	*capture = *next = 0;
	p = skip_string(s, key, &escaped);
	if (!p)
		return NULL;
	const char *quote_end = p;
	if (p < end && *p != ':')
		p = skip_ws(p, end);
	if (p == end || *p != ':')
		return fail(s, p, "expected ':'");
	p++;
	if (!candidates)
		return p;
	size_t len = (size_t)(quote_end - key) - 1;
	const struct wanted_key *w = match_key(s, key, len, escaped, depth);
	uint64_t ends = w ? w->ends : 0, goes_on = w ? w->goes_on : 0;
	*capture = ends & candidates;
	*next = goes_on & candidates;
	if (m && !escaped && p == quote_end + 1 && (size_t)(p - key) <= MEMO_LEN) {
		memset(m->text, 0, MEMO_LEN);
		memcpy(m->text, key, (size_t)(p - key));
		m->len = (uint8_t)(p - key);
		m->head = (uint16_t)((1u << (m->len < 16 ? m->len : 16)) - 1);
		m->ends = ends;
		m->goes_on = goes_on;
	}
	return p;
}

/* A repeated key replaces the member before it, with all that was
 * captured below it (as jansson keeps the last): forgets the values of the
 * paths in next captured so far. */
static void forget(struct jscan *s, uint64_t next)
{
	for (uint64_t r = next & s->captured; r; r &= r - 1)
		s->out[__builtin_ctzll(r)] = (struct jvalue){0};
	s->captured &= ~next;
}

/* Scans an object at p (its '{'); candidates are the paths whose first
 * depth components matched the keys leading here. */
static const char *scan_object(struct jscan *s, const char *p, int depth,
			       uint64_t candidates)
{
	const char *end = s->end;
	p = skip_ws(p + 1, end);
	if (p < end && *p == '}')
		return p + 1;
	/* The memo of the member at p, NULL past the last one remembered. */
	struct memo_key *memo = candidates && depth < MEMO_DEPTHS ? s->memo[depth]
								  : NULL;
	for (;; memo = memo && memo < &s->memo[depth][MEMO_MEMBERS - 1] ? memo + 1
									: NULL) {
		if (p == end || *p != '"')
			return fail(s, p, "expected a string key");
		uint64_t capture, next;
		if (memo && memo->len && memo_match(memo, p + 1, end)) {
			capture = memo->ends & candidates;
			next = memo->goes_on & candidates;
			p += 1 + memo->len;
		} else {
			p = scan_key(s, p, depth, memo, candidates, &capture, &next);
			if (!p)
				return NULL;
		}
		if (__builtin_expect((next & s->captured) != 0, 0))
			forget(s, next);
		if (p < end && is_ws(*p))
			p = skip_ws(p, end);
		p = p < end && (*p == '{' || *p == '[')
			    ? scan_value(s, p, depth + 1, next, capture)
			    : scan_scalar(s, p, depth + 1, capture);
		if (!p)
			return NULL;
		if (p < end && is_ws(*p))
			p = skip_ws(p, end);
		if (p < end && *p == ',') {
			p++;
			if (p < end && is_ws(*p))
				p = skip_ws(p, end);
			continue;
		}
		if (p < end && *p == '}')
			return p + 1;
		return fail(s, p, "expected ',' or '}'");
	}
}

static const char *scan_array(struct jscan *s, const char *p, int depth)
{
	const char *end = s->end;
	p = skip_ws(p + 1, end);
	if (p < end && *p == ']')
		return p + 1;
	for (;;) {
		p = scan_value(s, p, depth + 1, 0, 0);
		if (!p)
			return NULL;
		p = skip_ws(p, end);
		if (p < end && *p == ',') {
			p = skip_ws(p + 1, end);
			continue;
		}
		if (p < end && *p == ']')
			return p + 1;
		return fail(s, p, "expected ',' or ']'");
	}
}

/* Scans the value at p (no whitespace before it) and stores it into the
 * outputs of the paths in capture. */
static const char *scan_value(struct jscan *s, const char *p, int depth,
			      uint64_t candidates, uint64_t capture)
{
	if (p == s->end || (*p != '{' && *p != '['))
		return scan_scalar(s, p, depth, capture);
	if (depth > JSCAN_MAX_DEPTH)
		return fail(s, p, "nested too deeply");
	const char *raw = p;
	enum jtype t = *p == '{' ? JV_OBJECT : JV_ARRAY;
	p = t == JV_OBJECT ? scan_object(s, p, depth, candidates)
			   : scan_array(s, p, depth);
	if (p && capture)
		keep(s, capture, raw, p, t, false, JV_NO_COUNT, false, 0, 0);
	return p;
}

#if defined(__x86_64__)
/* The fast path (see the file's comment). A record is first classified
 * 64 bytes at a time into a bitmask of the bytes that end a plain run in
 * a string (classify_sse2_64), then walked: in a string, the next bit
 * is the next byte to look at (string_end); the scalar functions above
 * scan the keys not remembered, numbers and literals. The walk's own
 * look at the next byte reads nothing past the record's last '}' and
 * checks no bound but after a closing bracket. It either completes the
 * record with exactly the scalar scanner's outputs, or returns NULL on
 * anything else, any invalid record included: the scalar scanner then
 * scans the record from its start and alone says why it is invalid. */

/* The longest record the fast path takes (its bits are an eighth of its
 * size), and the depth of containers it follows. */
#define FAST_MAX_LEN (4u << 20)
#define FAST_DEPTH 32

/* The bits of the 64 bytes at p that end a plain run in a string: a
 * quote, or a byte that needs care (plain_run's: a backslash, a control
 * character, a byte of UTF-8 beyond ASCII). */
static inline uint64_t classify_sse2_64(const char *p)
{
	const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\'),
		      space = _mm_set1_epi8(0x20);
	uint64_t bits = 0;
	for (int k = 0; k < 4; k++) {
		__m128i v = _mm_loadu_si128((const __m128i *)(p + 16 * k));
		/* Signed: bytes from 0x80 are below 0x20 too. */
		__m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote),
							_mm_cmpeq_epi8(v, bslash)),
					   _mm_cmplt_epi8(v, space));
		bits |= (uint64_t)(unsigned)_mm_movemask_epi8(hit) << (16 * k);
	}
	return bits;
}

__attribute__((target("avx2"))) static inline uint64_t
classify_avx2_64(const char *p)
{
	const __m256i quote = _mm256_set1_epi8('"'),
		      bslash = _mm256_set1_epi8('\\'),
		      space = _mm256_set1_epi8(0x20);
	__m256i lo = _mm256_loadu_si256((const __m256i *)p),
		hi = _mm256_loadu_si256((const __m256i *)(p + 32));
	__m256i hit_lo = _mm256_or_si256(
			_mm256_or_si256(_mm256_cmpeq_epi8(lo, quote),
					_mm256_cmpeq_epi8(lo, bslash)),
			_mm256_cmpgt_epi8(space, lo)),
		hit_hi = _mm256_or_si256(
			_mm256_or_si256(_mm256_cmpeq_epi8(hi, quote),
					_mm256_cmpeq_epi8(hi, bslash)),
			_mm256_cmpgt_epi8(space, hi));
	return (uint32_t)_mm256_movemask_epi8(hit_lo) |
	       (uint64_t)(uint32_t)_mm256_movemask_epi8(hit_hi) << 32;
}

/* The classification of the record at rec of len bytes into bits, a
 * word a 64 bytes, by classify_64, from word first on (those before
 * are left as they are; first is 0 in a record of less than 64 bytes).
 * The last bytes, less than 64, are
 * classified from the 64 that end the record, their bits shifted into
 * place; or, in a record of less than 64 bytes, from a copy padded with
 * spaces: nothing past the record is read. */
#define CLASSIFY(classify_64, rec, len, first, bits)                          \
	do {                                                                  \
		size_t i_ = (first) * 64;                                     \
		for (; (len) - i_ >= 64; i_ += 64)                            \
			(bits)[i_ / 64] = classify_64((rec) + i_);            \
		if (i_ < (len) && (len) >= 64) {                              \
			(bits)[i_ / 64] = classify_64((rec) + (len) - 64) >>  \
					  (64 - ((len) - i_));                \
		} else if (i_ < (len)) {                                      \
			char pad_[64];                                        \
			memset(pad_, ' ', 64);                                \
			memcpy(pad_, (rec), (len));                           \
			(bits)[0] = classify_64(pad_);                        \
		}                                                             \
	} while (0)

static void classify_sse2(const char *rec, size_t len, size_t first,
			  uint64_t *bits)
{
	CLASSIFY(classify_sse2_64, rec, len, first, bits);
}

__attribute__((target("avx2"))) static void
classify_avx2(const char *rec, size_t len, size_t first, uint64_t *bits)
{
	CLASSIFY(classify_avx2_64, rec, len, first, bits);
}

/* Tells whether the text of memo m (set) is at key, with at least
 * MEMO_LEN bytes of the record from key: memo_match without its bounds. */
static inline bool memo_here(const struct memo_key *m, const char *key)
{
	size_t n = m->len;
	const __m128i *text = (const __m128i *)m->text;
	unsigned eq = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(
		_mm_loadu_si128((const __m128i *)key), _mm_load_si128(text)));
	if (n <= 16)
		return (eq & m->head) == m->head;
	unsigned tail = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(
		_mm_loadu_si128((const __m128i *)(key + n - 16)),
		_mm_loadu_si128((const __m128i *)(m->text + n - 16))));
	return (eq & tail) == 0xFFFF;
}

/* Skips the whitespace at p, before a byte that is not whitespace. */
static inline const char *fast_ws(const char *p)
{
	while (is_ws(*p))
		p++;
	return p;
}

static const char *fast_container(struct jscan *s, const char *p, int depth,
				  uint64_t candidates);

/* Scans the string whose contents start at str (after its opening quote)
 * into one or the paths in capture (keep_at), its plain runs skipped as
 * string_end's classified says: returns the position after it, or NULL.
 * roomy as plain_run's. end is s->end, passed by shape_walk from a
 * register: read again after each value stored (a store through a jvalue
 * may alias it), it cost ~4 instructions a bench record; the quote's
 * place is not kept from the start (gcc kept it on the stack for the
 * unusual string): ~32 fewer (stop 43). */
static inline __attribute__((always_inline)) const char *
string_rest(struct jscan *s, const char *str, const char *q,
	    struct jvalue *one, uint64_t capture, bool classified);
static const char *plain_string_rest(struct jscan *s, const char *str,
				     const char *q, struct jvalue *one,
				     uint64_t capture);

static inline __attribute__((always_inline)) const char *
fast_string(struct jscan *s, const char *str, struct jvalue *one,
	    uint64_t capture, bool classified, const char *end, bool roomy)
{
	const char *q = classified ? next_hit(s, str) : plain_run(str, end, roomy);
	if (q != end && *q == '"') {
		/* The usual string, plain to its quote, without a call. */
		keep_at(s, one, capture, str - 1, q + 1, JV_STRING, false,
			JV_NO_COUNT, false, (uint32_t)(q - str), 0);
		return q + 1;
	}
	return classified ? string_rest(s, str, q, one, capture, true)
			  : plain_string_rest(s, str, q, one, capture);
}

/* fast_string's string from q, where its plain run from str ends and its
 * closing quote is not. */
static inline __attribute__((always_inline)) const char *
string_rest(struct jscan *s, const char *str, const char *q,
	    struct jvalue *one, uint64_t capture, bool classified)
{
	bool escaped;
	const char *p = string_end(s, q, &escaped, classified);
	if (p && (one || capture)) {
		uint32_t len = 0, str_off = 0;
		string_value(s, str - 1, p, escaped, &len, &str_off);
		keep_at(s, one, capture, str - 1, p, JV_STRING, false,
			JV_NO_COUNT, escaped, len, str_off);
	}
	return p;
}

/* string_rest by plain_run, out of line: inlined in shape_walk, its
 * calls kept a step's output and plain_run's constants out of registers
 * for the usual string too (~70 instructions a bench record, stop 44). */
static __attribute__((noinline)) const char *
plain_string_rest(struct jscan *s, const char *str, const char *q,
		  struct jvalue *one, uint64_t capture)
{
	return string_rest(s, str, q, one, capture, false);
}

/* The length of the usual token count at raw, 1 to 7 digits, no sign,
 * fraction or exponent, with 8 bytes of the record (end) from its start,
 * read from one word without scan_number's steps, and its value in
 * *count; 0 for any other text. follow is the byte that must come after
 * the digits (a shape's, which has the record's next byte: shape_walk),
 * or -1: any byte that does not go on with a fraction or an exponent. A
 * byte that must follow (',' or '}', never '.', 'e' or 'E', which would
 * have gone on with the number the shape was learnt from) is one
 * compare, not three: ~18 instructions a bench record fewer (stop 43);
 * any other byte leaves the number to scan_number. roomy: the 8 bytes
 * are there without a look at end (SHAPE_ROOM). */
static inline __attribute__((always_inline)) unsigned
usual_count(const char *raw, const char *end, bool roomy, int follow,
	    uint64_t *count)
{
	if (!roomy && end - raw < 8)
		return 0;
	uint64_t w = br_le64(raw);
	unsigned k, after;
	if ((w & 0xFF) == '0') {
		/* A 0 is one digit, as scan_number reads it; its own branch,
		 * the byte after at a constant shift: 4 of the bench's 7
		 * counts a record, ~25 instructions a record fewer (stop 42). */
		after = (unsigned)(w >> 8 & 0xFF);
		k = 1;
	} else {
		/* Not before the 0's test: gcc then computed it for a 0. */
		uint64_t other = br_nondigits(w);
		k = other ? (unsigned)__builtin_ctzll(other) / 8 : 0;
		if (!k)
			return 0;
		after = (unsigned)(w >> (8 * k) & 0xFF);
	}
	if (follow >= 0 ? after != (unsigned)follow
			: after == '.' || (after | 0x20) == 'e')
		return 0;
	*count = k == 1 ? (w & 0xF) : br_digits_value(w, k);
	return k;
}

/* Scans the number at raw (its '-' or first digit) into one or the paths
 * in capture (keep_at): returns the position after it, or NULL. */
static inline __attribute__((always_inline)) const char *
fast_number(struct jscan *s, const char *raw, struct jvalue *one,
	    uint64_t capture)
{
	uint64_t usual;
	unsigned k = usual_count(raw, s->end, false, -1, &usual);
	if (k) {
		keep_at(s, one, capture, raw, raw + k, JV_NUMBER, true, usual,
			false, 0, 0);
		return raw + k;
	}
	bool is_int;
	uint64_t count;
	const char *p = scan_number(s, raw, &is_int, &count);
	if (p)
		keep_at(s, one, capture, raw, p, JV_NUMBER, is_int, count, false,
			0, 0);
	return p;
}

/* Scans the value at p, of the paths in capture, in a container at
 * depth - 1 (of which the paths in next go on in this value): returns
 * the position after it, or NULL. */
static inline __attribute__((always_inline)) const char *
fast_value(struct jscan *s, const char *p, int depth, uint64_t capture,
	   uint64_t next);

/* fast_value after whitespace. */
static __attribute__((noinline)) const char *
fast_value_ws(struct jscan *s, const char *p, int depth, uint64_t capture,
	      uint64_t next)
{
	return fast_value(s, fast_ws(p), depth, capture, next);
}

static inline __attribute__((always_inline)) const char *
fast_value(struct jscan *s, const char *p, int depth, uint64_t capture,
	   uint64_t next)
{
	const char *raw = p;
	if (*p == '"')
		return fast_string(s, raw + 1, NULL, capture, true, s->end, false);
	if (*p == '-' || (unsigned char)(*p - '0') < 10)
		return fast_number(s, raw, NULL, capture);
	if (*p == '{' || *p == '[') {
		p = fast_container(s, p, depth, next);
		/* A closing bracket may end the record: past last, nothing
		 * may be read. */
		if (!p || p > s->last)
			return NULL;
		if (capture)
			keep(s, capture, raw, p, *raw == '{' ? JV_OBJECT : JV_ARRAY,
			     false, JV_NO_COUNT, false, 0, 0);
		return p;
	}
	enum jtype t;
	if (*p == 't') {
		t = JV_TRUE;
		p = literal(s, p, "true", 4);
	} else if (*p == 'f') {
		t = JV_FALSE;
		p = literal(s, p, "false", 5);
	} else if (*p == 'n') {
		t = JV_NULL;
		p = literal(s, p, "null", 4);
	} else {
		return is_ws(*p) ? fast_value_ws(s, p, depth, capture, next) : NULL;
	}
	if (p && capture)
		keep(s, capture, raw, p, t, false, JV_NO_COUNT, false, 0, 0);
	return p;
}

/* Appends a step of text from to to, of op (SO_CLOSE for any '}'), to
 * the shape being learnt; one that does not fit ends the learning. */
static void learn(struct jscan *s, const char *from, const char *to,
		  enum shape_op op, uint64_t capture)
{
	size_t n = (size_t)(to - from);
	if (s->nlearn == SHAPE_STEPS || n > SHAPE_TEXT || s->members > UINT8_MAX ||
	    (capture & (capture - 1))) {
		s->learning = false;
		return;
	}
	struct shape_step *st = &s->shape[s->learn_to][s->nlearn];
	memset(st->text, 0, SHAPE_TEXT);
	memcpy(st->text, from, n);
	/* No newline in a step's text: jscan_line takes a walk by a shape
	 * for one that never passed a newline. (Looked for in the copy, at
	 * once: memchr's call cost a log of records of changing shapes ~15
	 * instructions a record.) */
	const __m128i nl = _mm_set1_epi8('\n');
	const __m128i *text = (const __m128i *)st->text;
	if (_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(_mm_load_si128(text), nl),
					   _mm_cmpeq_epi8(_mm_load_si128(text + 1),
							  nl)))) {
		s->learning = false;
		return;
	}
	s->nlearn++;
	st->capture = capture;
	st->before = s->nlearn == 1 ? 0 : st[-1].before | st[-1].capture;
	st->one = capture ? s->out + __builtin_ctzll(capture) : &s->sink;
	st->past = n == 32 ? 0 : UINT32_MAX << n;
	st->len = (uint8_t)n;
	st->depth = s->nlearn == 1
			    ? 0
			    : (uint8_t)(st[-1].depth +
					((st[-1].op & ~SO_LONG) == SO_OPEN) -
					((st[-1].op & ~SO_LONG) == SO_CLOSE));
	if (op == SO_CLOSE && !st->depth)
		op = SO_END;
	else if (op == SO_CLOSE) {
		/* Its object's '{': the last step open around it. */
		const struct shape_step *o = st - 1;
		while ((o->op & ~SO_LONG) != SO_OPEN || o->depth != st->depth - 1)
			o--;
		st->one = o->one;
	}
	st->op = (uint8_t)(op | (n > 16 ? SO_LONG : 0));
	st->member = (uint8_t)s->members;
}

/* Learns the step of the value at p (whitespace may come first) of a
 * member of an object at depth, whose text starts at from. */
static __attribute__((noinline)) void
learn_value(struct jscan *s, const char *from, const char *p, int depth,
	    uint64_t capture)
{
	static const char *const literals[] = {"true", "false", "null"};
	static const enum shape_op ops[] = {SO_TRUE, SO_FALSE, SO_NULL};
	p = fast_ws(p);
	if (*p == '"') {
		learn(s, from, p + 1, SO_STRING, capture);
	} else if (*p == '{' && depth + 1 < SHAPE_DEPTH) {
		learn(s, from, p + 1, SO_OPEN, capture);
	} else if (*p == '[' && !capture) {
		learn(s, from, p + 1, SO_ARRAY, capture);
	} else if (*p == '-' || (unsigned char)(*p - '0') < 10) {
		learn(s, from, p, SO_NUMBER, capture);
	} else {
		/* A literal; else an array captured, an object nested
		 * deeper, or no value, which ends the walk. */
		int i = *p == 't' ? 0 : *p == 'f' ? 1 : *p == 'n' ? 2 : -1;
		size_t n = i < 0 ? 0 : strlen(literals[i]);
		if (i >= 0 && (size_t)(s->end - p) >= n)
			learn(s, from, p + n, ops[i], capture);
		else
			s->learning = false;
	}
	if (depth == 0)
		s->members++;
}

/* After a member's value at p, in an object: the position after the ','
 * before the next member, *closed false; or after the object's '}',
 * *closed true; NULL when neither follows. */
static inline __attribute__((always_inline)) const char *
fast_after_member(struct jscan *s, const char *p, bool *closed)
{
	const char *from = p;
	*closed = false;
	if (*p != ',') {
		p = fast_ws(p);
		if (*p == '}') {
			*closed = true;
			if (__builtin_expect(s->learning, 0))
				learn(s, from, p + 1, SO_CLOSE, 0);
			return p + 1;
		}
		if (*p != ',')
			return NULL;
	}
	return p + 1;
}

/* Scans the members of an object at depth from p (after its '{' or the
 * ',' before a member, whose text starts at from), of which the paths in
 * candidates are wanted and memo is the memo of the member at p (NULL
 * past the last one remembered): returns the position after its '}', or
 * NULL. */
static const char *fast_members(struct jscan *s, const char *p, int depth,
				uint64_t candidates, struct memo_key *memo,
				const char *from)
{
	for (;;) {
		uint64_t capture, next;
		if (*p != '"') {
			p = fast_ws(p);
			if (*p != '"')
				return NULL;
		}
		if (memo && memo->len &&
		    (s->end - p > MEMO_LEN ? memo_here(memo, p + 1)
					   : memo_match(memo, p + 1, s->end))) {
			capture = memo->ends & candidates;
			next = memo->goes_on & candidates;
			p += 1 + memo->len;
		} else {
			/* Not into capture and next: their address would keep
			 * them in memory. */
			uint64_t key_capture, key_next;
			p = scan_key(s, p, depth, memo, candidates, &key_capture,
				     &key_next);
			if (!p)
				return NULL;
			capture = key_capture;
			next = key_next;
		}
		if (__builtin_expect((next & s->captured) != 0, 0)) {
			forget(s, next);
			s->learning = false; /* a shape never forgets */
		}
		if (__builtin_expect(s->learning, 0))
			learn_value(s, from, p, depth, capture);
		p = fast_value(s, p, depth + 1, capture, next);
		if (!p)
			return NULL;
		bool closed;
		from = p;
		p = fast_after_member(s, p, &closed);
		if (!p || closed)
			return p;
		if (memo)
			memo = memo == &s->memo[depth][MEMO_MEMBERS - 1] ? NULL
									 : memo + 1;
	}
}

/* Scans the members of an object at depth from p (after its '{'), of
 * which the paths in candidates are wanted: returns the position after
 * its '}', or NULL. */
static const char *fast_object(struct jscan *s, const char *p, int depth,
			       uint64_t candidates)
{
	const char *from = p;
	p = fast_ws(p);
	if (*p == '}') {
		if (__builtin_expect(s->learning, 0))
			learn(s, from, p + 1, SO_CLOSE, 0);
		return p + 1;
	}
	return fast_members(s, p, depth, candidates,
			    candidates && depth < MEMO_DEPTHS ? s->memo[depth]
							      : NULL,
			    from);
}

/* Scans the elements of an array at depth from p (after its '['):
 * returns the position after its ']', or NULL. */
static const char *fast_array(struct jscan *s, const char *p, int depth)
{
	/* Its step is learnt whole (learn_value): nothing inside it is
	 * one. */
	bool learning = s->learning;
	s->learning = false;
	p = fast_ws(p);
	if (*p == ']') {
		s->learning = learning;
		return p + 1;
	}
	for (;;) {
		p = fast_value(s, p, depth + 1, 0, 0);
		if (!p)
			return NULL;
		if (*p != ',') {
			p = fast_ws(p);
			if (*p == ']') {
				s->learning = learning;
				return p + 1;
			}
			if (*p != ',')
				return NULL;
		}
		p++;
	}
}

/* Scans the object or array at p (its bracket) at depth, of which the
 * paths in candidates are wanted. */
static const char *fast_container(struct jscan *s, const char *p, int depth,
				  uint64_t candidates)
{
	if (depth == FAST_DEPTH)
		return NULL;
	return *p == '{' ? fast_object(s, p + 1, depth, candidates)
			 : fast_array(s, p + 1, depth);
}

/* Tells whether the text of step st is at p, where its 32 bytes may be
 * read: compared at once, as one 16-byte block or (two: a text longer
 * than 16 bytes) two, the compare's bits or-ed with those past the text,
 * not and-ed with the text's and compared with them (stop 42). */
static inline bool step_text(const struct shape_step *st, const char *p,
			     bool two)
{
	const __m128i *text = (const __m128i *)st->text;
	unsigned eq = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(
		_mm_loadu_si128((const __m128i *)p), _mm_load_si128(text)));
	if (two)
		eq |= (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(
			      _mm_loadu_si128((const __m128i *)(p + 16)),
			      _mm_load_si128(text + 1)))
		      << 16;
	return (eq | st->past) == UINT32_MAX;
}

/* Tells whether the text of step st is at p, end bounding the record
 * and roomy telling that SHAPE_ROOM bytes of it are at p: step_text where
 * the record has the bytes, a closing brace's one byte alone. */
static inline bool shape_text_here(const struct shape_step *st, const char *p,
				   const char *end, bool roomy)
{
	if (roomy || (end - p >= 16 && st->len <= 16))
		return step_text(st, p, st->len > 16);
	size_t left = (size_t)(end - p);
	if (st->len == 1)
		return left && *p == st->text[0];
	return left >= st->len && memcmp(p, st->text, st->len) == 0;
}

/* Step st's output: learn's, never NULL (keep_at then tests nothing). */
static inline struct jvalue *step_one(const struct shape_step *st)
{
	if (!st->one)
		__builtin_unreachable();
	return st->one;
}

/* shape_number's number at p other than the usual count: returns the
 * position after it, NULL when it is invalid, or p when no number is
 * there. Out of line: inlined, its first byte, read again after the
 * usual count's word, was kept on the stack for every number (~7
 * instructions a bench record, stop 44). */
static __attribute__((noinline)) const char *
number_rest(struct jscan *s, const struct shape_step *st, const char *p,
	    const char *end)
{
	if (p == end || (*p != '-' && (unsigned char)(*p - '0') >= 10))
		return p;
	return fast_number(s, p, step_one(st), 0);
}

/* Scans the value of number step st at p (after its text) into its
 * output, end bounding the record and roomy as plain_run's: returns the
 * position after it, or NULL when it is invalid or, *absent then true,
 * no number is there (the record differs from the shape). */
static inline __attribute__((always_inline)) const char *
shape_number(struct jscan *s, const struct shape_step *st, const char *p,
	     const char *end, bool roomy, bool *absent)
{
	uint64_t usual;
	*absent = false;
	/* The byte after the number, the next step's first (a number's step
	 * is never the shape's last). */
	unsigned k = usual_count(p, end, roomy, (unsigned char)st[1].text[0],
				 &usual);
	if (k) {
		put_value(step_one(st), p, p + k, JV_NUMBER, true, usual, false,
			  0, 0);
		return p + k;
	}
	const char *q = number_rest(s, st, p, end);
	*absent = q == p;
	return q;
}

/* Walks the record from p (after its '{') by shape *had (which has
 * steps): the steps' texts are compared, and only the values scanned, as
 * fast_object would, with the same outputs; where a step's text differs
 * after a member of the record's object, no further than the steps the
 * two shapes have in common, the walk goes on by the other shape (if it
 * has steps), *had then that one. Returns the position after the
 * record's '}' with *at the shape's number of steps when the record has
 * the shape; NULL when it is invalid (or takes the fast path's leave);
 * else the position where a step's text differs, with *at that step when
 * it comes after a member of the record's object (SIZE_MAX inside a
 * member: the record is walked again from its start). The other shape
 * is taken in the same walk, not by a second call: a third of the
 * bench's records (cost_usd or none, not as the record before) did,
 * ~14 instructions a record fewer (stop 43).
 *
 * After a step's text, the code of its value is jumped to by its op
 * (a table of labels, GNU C), not chosen by tests of its kind one after
 * the other; a step at least SHAPE_ROOM bytes from the record's end
 * (every step of a line jscan_line walks but near its chunk's end) has
 * its own code, which reads its value's first bytes without a test of
 * the bytes left; and an object's place is kept by the depth its steps
 * were learnt at, not a count kept by the walk. */
static const char *shape_walk(struct jscan *s, int *had, const char *p,
			      size_t *at)
{
	static const void *const roomy_step[] = {
		[SO_STRING] = &&string, [SO_STRING | SO_LONG] = &&string_long,
		[SO_NUMBER] = &&number, [SO_NUMBER | SO_LONG] = &&number_long,
		[SO_OPEN] = &&object, [SO_OPEN | SO_LONG] = &&object,
		[SO_CLOSE] = &&close, [SO_CLOSE | SO_LONG] = &&close,
		[SO_END] = &&record_end, [SO_END | SO_LONG] = &&record_end,
		[SO_NULL] = &&literal, [SO_NULL | SO_LONG] = &&literal,
		[SO_FALSE] = &&literal, [SO_FALSE | SO_LONG] = &&literal,
		[SO_TRUE] = &&literal, [SO_TRUE | SO_LONG] = &&literal,
		[SO_ARRAY] = &&array, [SO_ARRAY | SO_LONG] = &&array};
	static const void *const narrow_value[] = {
		[SO_STRING] = &&narrow_string,
		[SO_STRING | SO_LONG] = &&narrow_string,
		[SO_NUMBER] = &&narrow_number,
		[SO_NUMBER | SO_LONG] = &&narrow_number,
		[SO_OPEN] = &&object_value, [SO_OPEN | SO_LONG] = &&object_value,
		[SO_CLOSE] = &&close_value, [SO_CLOSE | SO_LONG] = &&close_value,
		[SO_END] = &&record_end_value,
		[SO_END | SO_LONG] = &&record_end_value,
		[SO_NULL] = &&literal_value, [SO_NULL | SO_LONG] = &&literal_value,
		[SO_FALSE] = &&literal_value,
		[SO_FALSE | SO_LONG] = &&literal_value,
		[SO_TRUE] = &&literal_value, [SO_TRUE | SO_LONG] = &&literal_value,
		[SO_ARRAY] = &&array_value, [SO_ARRAY | SO_LONG] = &&array_value};
	const char *end = s->end, *open[SHAPE_DEPTH], *q;
	bool absent;
	/* p <= wide: SHAPE_ROOM bytes at p, the text's and, after it, 16 of
	 * its value's. */
	const char *wide = end - s->start >= SHAPE_ROOM ? end - SHAPE_ROOM
							 : s->start;
	const struct shape_step *shape = s->shape[*had], *st = shape;
	/* Each step's code goes to the next's itself, not by a jump to code
	 * they share: ~2 instructions a step fewer (stop 44). */
#define TO_STEP                                                               \
	do {                                                                  \
		if (p > wide)                                                 \
			goto narrow;                                          \
		goto *roomy_step[st->op];                                     \
	} while (0)
#define NEXT_STEP                                                             \
	do {                                                                  \
		st++;                                                         \
		TO_STEP;                                                      \
	} while (0)
	/* The step's text at p, compared as two 16-byte blocks (two) or
	 * one; then to its value's code. */
#define TEXT_THEN(two, value)                                                 \
	do {                                                                  \
		if (!step_text(st, p, two))                                   \
			goto differs;                                         \
		p += st->len;                                                 \
		goto value;                                                   \
	} while (0)
	/* A string's value at p and a number's, roomy as plain_run's. */
#define STRING_THEN(roomy)                                                    \
	do {                                                                  \
		p = fast_string(s, p, step_one(st), 0, false, end, roomy);    \
		if (!p)                                                       \
			return NULL;                                          \
		NEXT_STEP;                                                    \
	} while (0)
#define NUMBER_THEN(roomy)                                                    \
	do {                                                                  \
		q = shape_number(s, st, p, end, roomy, &absent);              \
		if (absent) {                                                 \
			p -= st->len;                                         \
			goto differs;                                         \
		}                                                             \
		if (!(p = q))                                                 \
			return NULL;                                          \
		NEXT_STEP;                                                    \
	} while (0)
step:
	TO_STEP;
narrow:
	/* Past wide (and so to the record's end: p only grows), a step's
	 * text and its value are read as far as the record has them. */
	if (!shape_text_here(st, p, end, false))
		goto differs;
	p += st->len;
	goto *narrow_value[st->op];
	/* A string's or an object's first byte is its text's last, at p - 1
	 * (not kept from before: gcc kept it on the stack). NULL tested only
	 * after the scans that may fail, not after each step: ~31
	 * instructions a bench record (stop 42). A text of 16 bytes or less
	 * is compared as one block without a test of its length: its own
	 * op. */
string_long:
	TEXT_THEN(true, string_value);
string:
	TEXT_THEN(false, string_value);
string_value:
	STRING_THEN(true);
narrow_string:
	STRING_THEN(false);
number_long:
	TEXT_THEN(true, number_value);
number:
	TEXT_THEN(false, number_value);
number_value:
	NUMBER_THEN(true);
narrow_number:
	NUMBER_THEN(false);
object:
	TEXT_THEN(st->len > 16, object_value);
object_value:
	open[st->depth] = p - 1;
	NEXT_STEP;
close:
	TEXT_THEN(st->len > 16, close_value);
close_value:
	if (p > s->last) /* the record's last '}' */
		return NULL;
	put_value(step_one(st), open[(size_t)st->depth - 1], p, JV_OBJECT, false,
		  JV_NO_COUNT, false, 0, 0);
	NEXT_STEP;
literal:
	TEXT_THEN(st->len > 16, literal_value);
literal_value:
	put_value(step_one(st), p - (st->op >> 1 == SO_FALSE >> 1 ? 5 : 4), p,
		  (enum jtype)((st->op - SO_NULL) / 2 + JV_NULL), false,
		  JV_NO_COUNT, false, 0, 0);
	NEXT_STEP;
array:
	TEXT_THEN(st->len > 16, array_value);
array_value:
	/* Its '[' is its text's last byte. Skipped by the scalar scanner,
	 * which reads it unclassified; bounded by the bytes the caller may
	 * read, it may run past a line's newline (whitespace between its
	 * elements), which jscan_line's walk never passes: the walk gives
	 * up then, as after a ']' past the record's last '}'. */
	q = p;
	p = scan_array(s, p - 1, st->depth + 1);
	if (!p || p > s->last || memchr(q, '\n', (size_t)(p - q)))
		return NULL;
	NEXT_STEP;
record_end:
	TEXT_THEN(st->len > 16, record_end_value);
record_end_value:
	s->captured = st->before;
	*at = (size_t)(st - shape) + 1;
	return p;
differs:
	/* Once: *had is s->cur until then. (A pointer to the other shape
	 * kept from the start put a step's output on the stack: more
	 * instructions a record than the two calls.) */
	if (*had == s->cur && st->depth == 0 &&
	    (size_t)(st - shape) <= s->common && s->nsteps[!*had]) {
		*had = !*had;
		st = s->shape[*had] + (st - shape);
		shape = s->shape[*had];
		goto step;
	}
	s->captured = st->before;
	*at = st->depth == 0 ? (size_t)(st - shape) : SIZE_MAX;
	return p;
#undef NUMBER_THEN
#undef STRING_THEN
#undef TEXT_THEN
#undef NEXT_STEP
#undef TO_STEP
}

/* Classifies the record s scans (at most FAST_MAX_LEN bytes) for next_hit
 * from p on: the walk never goes back. */
static void classify_record(struct jscan *s, const char *p)
{
	const char *rec = s->start;
	size_t len = (size_t)(s->end - rec);
	s->nbits = (len + 63) / 64;
	if (s->nbits >= s->bits_cap) {
		free(s->bits);
		s->bits_cap = s->nbits < 4096 ? 4096 : s->nbits + 1;
		s->bits = br_malloc(s->bits_cap * sizeof *s->bits);
	}
	s->classify(rec, len, (size_t)(p - rec) / 64, s->bits);
	s->bits[s->nbits] = 0; /* next_hit's, at the record's end */
}

/* Walks the record from obj (after its '{') by the shape of the record
 * before as far as it has it, or from where it differs by the other
 * shape remembered if that has the same steps to there (shape_walk):
 * returns where the walk ended (NULL: an invalid record), with *had the
 * shape walked last and *at its steps the record has (shape_walk's).
 * Changes no shape. Inlined in its two callers (its outputs in
 * registers): 6 instructions a record fewer. */
static inline __attribute__((always_inline)) const char *
walk_shapes(struct jscan *s, const char *obj, size_t *at, int *had)
{
	if (s->out != s->shape_out) {
		/* Their steps' outputs are another caller's. */
		s->nsteps[0] = s->nsteps[1] = 0;
		s->shape_out = s->out;
	}
	*had = s->cur;
	*at = 0;
	if (!s->nsteps[*had])
		return obj;
	return shape_walk(s, had, obj, at);
}

/* Tells whether walk_shapes walked the record whole (p after its '}'),
 * by shape had; if so, makes had the record before's and counts the
 * record walked whole. */
static bool walked_whole(struct jscan *s, const char *p, size_t at, int had)
{
	if (!p || !at || at != s->nsteps[had])
		return false;
	s->whole = true;
	s->cur = had;
	if (++s->walked >= WALKS_PAY) {
		s->unused = 0;
		s->rest_len = REST_FIRST;
	}
	return true;
}

/* Scans the object from obj (after its '{') of the record s->start by the
 * fast path, by the shapes remembered as far as they go (walk_shapes,
 * whose shape_walk skips a string's plain runs by plain_run: a short
 * string costs less so than the record's classification), and learns
 * the record's shape: returns the position after its '}', or NULL. */
static const char *fast_shaped(struct jscan *s, const char *obj, uint64_t all)
{
	size_t at;
	int had;
	const char *p = walk_shapes(s, obj, &at, &had);
	if (walked_whole(s, p, at, had))
		return p;
	s->cur = had;
	if (!p)
		return p;
	if (at == SIZE_MAX) {
		s->captured = 0;
		br_buf_reset(&s->strings);
		at = 0;
		p = obj;
	}
	classify_record(s, p);
	if (s->rest) {
		s->rest--;
	} else {
		/* The shape learnt begins with the at steps, in place of
		 * the other. */
		s->learn_to = !had;
		memcpy(s->shape[s->learn_to], s->shape[had],
		       at * sizeof s->shape[0][0]);
		s->nsteps[s->learn_to] = 0;
		s->learning = true;
		s->nlearn = at;
		s->walked = 0;
		if (++s->unused == LEARN_TRIES) {
			s->unused = 0;
			s->rest = s->rest_len;
			s->rest_len = s->rest_len < REST_MOST ? 2 * s->rest_len
							      : REST_MOST;
		}
	}
	s->members = at ? s->shape[had][at].member : 0;
	if (at == 0)
		p = fast_object(s, obj, 0, all);
	else {
		/* Where a member of the record's object ended. */
		bool closed;
		struct memo_key *memo = all && s->members < MEMO_MEMBERS
						? &s->memo[0][s->members]
						: NULL;
		const char *text = p;
		p = fast_after_member(s, p, &closed);
		if (p && !closed)
			p = fast_members(s, p, 0, all, memo, text);
	}
	if (p && s->learning) {
		s->nsteps[s->learn_to] = s->nlearn;
		s->cur = s->learn_to;
		s->common = at;
	}
	s->learning = false;
	return p;
}

/* Scans rec by the fast path: tells whether it completed it. */
static bool fast_record(struct jscan *s, const char *rec, size_t len,
			uint64_t all)
{
	const char *p = rec, *last = rec + len;
	while (p < last && is_ws(*p))
		p++;
	while (last > p && is_ws(last[-1]))
		last--;
	/* A '{' and a '}', not the same byte. */
	if (last - p < 2 || *p != '{' || *--last != '}' || len > FAST_MAX_LEN)
		return false;
	s->last = last;
	return fast_shaped(s, p + 1, all) == last + 1;
}
#endif

int jpath_init(struct jpath *jp, const char *dotted)
{
	memset(jp, 0, sizeof *jp);
	size_t n = strlen(dotted);
	if (n > JPATH_MAX_TEXT)
		return -1;
	memcpy(jp->text, dotted, n + 1);
	char *p = jp->text;
	while (p) {
		if (jp->ncomp == JPATH_MAX_COMP) {
			/* No component: the path matches nothing. */
			jp->ncomp = 0;
			return -1;
		}
		jp->comp[jp->ncomp++] = p;
		p = strchr(p, '.');
		if (p)
			*p++ = 0;
	}
	for (int i = 0; i < jp->ncomp; i++)
		jp->complen[i] = strlen(jp->comp[i]);
	return 0;
}

struct jscan *jscan_new(const struct jpath *paths, size_t npaths)
{
	struct jscan *s = br_calloc(1, sizeof *s);
	s->paths = paths;
	s->npaths = npaths < 64 ? npaths : 64;
	s->all = s->npaths == 64 ? UINT64_MAX : (UINT64_C(1) << s->npaths) - 1;
	for (size_t i = 0; i < s->npaths; i++)
		for (int d = 0; d < paths[i].ncomp; d++) {
			const char *text = paths[i].comp[d];
			size_t len = paths[i].complen[d];
			uint64_t head = key_head(text, len, text + len);
			struct wanted_key *t = s->keys[d];
			unsigned k = key_slot(head, len);
			while (t[k].text && !(t[k].len == len &&
					      memcmp(t[k].text, text, len) == 0))
				k = (k + 1) % KEY_SLOTS;
			t[k].text = text;
			t[k].len = len;
			t[k].head = head;
			if (paths[i].ncomp == d + 1)
				t[k].ends |= UINT64_C(1) << i;
			else
				t[k].goes_on |= UINT64_C(1) << i;
		}
	s->rest_len = REST_FIRST;
	jscan_use(s, JSCAN_BEST);
	return s;
}

void jscan_use(struct jscan *s, enum jscan_path path)
{
	s->classify = NULL;
#if defined(__x86_64__)
	if (path == JSCAN_BEST && __builtin_cpu_supports("avx2"))
		s->classify = classify_avx2;
	else if (path != JSCAN_SCALAR)
		s->classify = classify_sse2;
#else
	(void)path;
#endif
}

bool jscan_fast(const struct jscan *s)
{
	return s->fast;
}

void jscan_free(struct jscan *s)
{
	if (!s)
		return;
	br_buf_free(&s->strings);
	free(s->bits);
	free(s);
}

/* The scalar scanner: the record from its start. */
static void scalar_record(struct jscan *s, uint64_t all)
{
	s->captured = 0;
	s->error = NULL;
	br_buf_reset(&s->strings);
	const char *p = skip_ws(s->start, s->end);
	if (p < s->end && *p != '{') {
		fail(s, s->start, "not a JSON object");
		return;
	}
	p = scan_value(s, p, 0, all, 0);
	if (p && skip_ws(p, s->end) != s->end)
		fail(s, skip_ws(p, s->end), "unexpected data after the object");
}

/* Sets s to scan the len bytes at rec into out: returns the paths
 * wanted. */
static uint64_t scan_start(struct jscan *s, const char *rec, size_t len,
			   struct jvalue *out)
{
	s->out = out;
	s->captured = 0;
	s->start = rec;
	s->end = rec + len;
	s->error = NULL;
	br_buf_reset(&s->strings);
	s->fast = s->whole = false;
	return s->all;
}

/* Zeroes the outputs of the paths of all not captured. Only once the
 * record is scanned: zeroing all the outputs first cost ~5% of a JSONL
 * ingest (perf). */
static void clear_missing(struct jscan *s, uint64_t all)
{
	for (uint64_t r = all & ~s->captured; r; r &= r - 1)
		s->out[__builtin_ctzll(r)] = (struct jvalue){0};
}

const char *jscan_record(struct jscan *s, const char *rec, size_t len,
			 struct jvalue *out, size_t *error_at)
{
	uint64_t all = scan_start(s, rec, len, out);
#if defined(__x86_64__)
	if (s->classify)
		s->fast = fast_record(s, rec, len, all);
#endif
	if (!s->fast)
		scalar_record(s, all);
	clear_missing(s, all);
	if (s->error) {
		*error_at = s->error_at;
		return s->error;
	}
	return NULL;
}

/* The walk by a shape never passes a newline: no step's text holds one
 * (learn), a string's plain run ends at one (a control character: the
 * walk gives up), and so do a number's digits. So a walk bounded by the
 * bytes the caller may read, that completes the record with the newline
 * right after its '}', walked the line alone, and each of its steps read
 * what it reads bounded by the line: a text or a value that would run
 * past the line meets the newline first. The line's end then costs no
 * search of its own (memchr, ~84 instructions a record of the bench's
 * 340 bytes), and a step's text or a count near the record's end takes
 * the usual compare, the bytes after the record being there to read. */
size_t jscan_line(struct jscan *s, const char *line, size_t n,
		  struct jvalue *out)
{
#if defined(__x86_64__)
	if (!s->classify || !s->whole || !n || *line != '{')
		return 0;
	if (s->line_rest) {
		s->line_rest--;
		return 0;
	}
	/* A line fast_record takes, its newline after it. */
	if (n > FAST_MAX_LEN + 1)
		n = FAST_MAX_LEN + 1;
	uint64_t all = scan_start(s, line, n, out);
	/* The last byte that may be the record's '}' (shape_walk gives up
	 * at a nested '}' past it): any of the bytes readable. */
	s->last = s->end - 1;
	size_t at;
	int had;
	const char *p = walk_shapes(s, line + 1, &at, &had);
	if (!p || p == s->end || *p != '\n' || !walked_whole(s, p, at, had)) {
		s->line_rest = s->line_rest_len;
		s->line_rest_len = !s->line_rest_len ? 1
				   : s->line_rest_len < LINE_REST_MOST
				       ? 2 * s->line_rest_len
				       : LINE_REST_MOST;
		return 0;
	}
	s->line_rest_len = 0;
	s->end = p;
	s->fast = true;
	clear_missing(s, all);
	return (size_t)(p - line);
#else
	(void)s;
	(void)line;
	(void)n;
	(void)out;
	return 0;
#endif
}

const char *jscan_decoded(const struct jscan *s, const struct jvalue *v)
{
	return s->strings.p + v->str_off;
}
