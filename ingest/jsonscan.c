/* jsonscan.c - a validating, field-selective JSON scanner: checks that a
 * record is one valid JSON value (RFC 8259: grammar, UTF-8, escapes), and
 * captures only the members named by the wanted paths; everything else is
 * skipped structurally without being decoded or converted. */
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "ingest/ingest_internal.h"

#define JSCAN_MAX_DEPTH 512
#define KEYLEN_MAX 64

struct jscan {
	const struct jpath *paths;
	size_t npaths;
	/* The paths whose component at a depth has a length: a key is
	 * compared only with those (lengths from KEYLEN_MAX share a set). */
	uint64_t by_len[JPATH_MAX_COMP][KEYLEN_MAX + 1];
	struct jvalue *out;
	const char *p, *end;
	struct br_buf strings; /* decoded strings of captured values */
	const char *error;
	size_t error_at;
	const char *start;
};

static bool fail(struct jscan *s, const char *why)
{
	if (!s->error) {
		s->error = why;
		s->error_at = (size_t)(s->p - s->start);
	}
	return false;
}

static void skip_ws(struct jscan *s)
{
	while (s->p < s->end &&
	       (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
		s->p++;
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
 * UTF-8 sequence. */
static const char *plain_run(const char *p, const char *end)
{
#ifdef __SSE2__
	const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\'),
		      space = _mm_set1_epi8(0x20);
	while (end - p >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)p);
		/* Signed: bytes from 0x80 are negative, so below 0x20 too. */
		__m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote),
							_mm_cmpeq_epi8(v, bslash)),
					   _mm_cmplt_epi8(v, space));
		unsigned m = (unsigned)_mm_movemask_epi8(hit);
		if (m)
			return p + __builtin_ctz(m);
		p += 16;
	}
#endif
	while (p < end && *p != '"' && *p != '\\' && (unsigned char)*p >= 0x20 &&
	       (unsigned char)*p < 0x80)
		p++;
	return p;
}

/* Scans a string at s->p (the opening quote). When decode is set, the
 * decoded bytes are appended to s->strings and *off / *len locate them. */
static bool scan_string(struct jscan *s, bool decode, size_t *off, size_t *len)
{
	s->p++;
	if (decode)
		*off = s->strings.len;
	const char *run = s->p; /* bytes copied verbatim, pending */
	while (s->p < s->end) {
		s->p = plain_run(s->p, s->end);
		if (s->p == s->end)
			break;
		unsigned char c = (unsigned char)*s->p;
		if (c == '"') {
			if (decode) {
				br_buf_put(&s->strings, run, (size_t)(s->p - run));
				*len = s->strings.len - *off;
				br_buf_putc(&s->strings, 0);
			}
			s->p++;
			return true;
		}
		if (c < 0x20)
			return fail(s, "control character in string");
		if (c >= 0x80) {
			size_t n = br_utf8_len((const unsigned char *)s->p,
					    (size_t)(s->end - s->p));
			if (!n)
				return fail(s, "invalid UTF-8 in string");
			s->p += n;
			continue;
		}
		if (c != '\\') {
			s->p++;
			continue;
		}
		if (decode)
			br_buf_put(&s->strings, run, (size_t)(s->p - run));
		if (s->end - s->p < 2)
			return fail(s, "unterminated string");
		char e = s->p[1];
		const char *simple = strchr("\"\\/bfnrt", e);
		if (e && simple) {
			static const char out[] = "\"\\/\b\f\n\r\t";
			if (decode)
				br_buf_putc(&s->strings, out[simple - "\"\\/bfnrt"]);
			s->p += 2;
		} else if (e == 'u') {
			if (s->end - s->p < 6)
				return fail(s, "truncated \\u escape");
			int cp = hex4(s->p + 2);
			if (cp < 0)
				return fail(s, "invalid \\u escape");
			s->p += 6;
			if (cp >= 0xD800 && cp <= 0xDBFF) {
				int lo = s->end - s->p >= 6 && s->p[0] == '\\' &&
						 s->p[1] == 'u' ? hex4(s->p + 2) : -1;
				if (lo < 0xDC00 || lo > 0xDFFF)
					return fail(s, "invalid Unicode surrogate pair");
				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
				s->p += 6;
			} else if (cp >= 0xDC00 && cp <= 0xDFFF) {
				return fail(s, "invalid Unicode surrogate pair");
			}
			if (decode)
				put_utf8(&s->strings, (unsigned)cp);
		} else {
			return fail(s, "invalid escape in string");
		}
		run = s->p;
	}
	return fail(s, "unterminated string");
}

static bool digits(struct jscan *s)
{
	const char *start = s->p;
	while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
		s->p++;
	return s->p > start;
}

static bool scan_number(struct jscan *s, bool *is_int)
{
	*is_int = true;
	if (*s->p == '-')
		s->p++;
	if (s->p < s->end && *s->p == '0')
		s->p++;
	else if (!digits(s))
		return fail(s, "invalid number");
	if (s->p < s->end && *s->p == '.') {
		s->p++;
		*is_int = false;
		if (!digits(s))
			return fail(s, "invalid number");
	}
	if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
		s->p++;
		*is_int = false;
		if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
			s->p++;
		if (!digits(s))
			return fail(s, "invalid number");
	}
	return true;
}

static bool literal(struct jscan *s, const char *word)
{
	size_t n = strlen(word);
	if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n) != 0)
		return fail(s, "invalid literal");
	s->p += n;
	return true;
}

static bool scan_value(struct jscan *s, int depth, uint64_t candidates,
		       uint64_t capture);

/* Scans an object; candidates are the paths whose first `depth`
 * components matched the keys leading here. */
static bool scan_object(struct jscan *s, int depth, uint64_t candidates)
{
	s->p++;
	skip_ws(s);
	if (s->p < s->end && *s->p == '}') {
		s->p++;
		return true;
	}
	for (;;) {
		skip_ws(s);
		if (s->p >= s->end || *s->p != '"')
			return fail(s, "expected a string key");
		const char *key = s->p + 1;
		size_t off, len;
		if (!scan_string(s, false, &off, &len))
			return false;
		size_t keylen = (size_t)(s->p - 1 - key);
		if (candidates && memchr(key, '\\', keylen)) {
			/* Compare the decoded key; drop the decoded bytes after. */
			const char *after = s->p;
			size_t mark = s->strings.len;
			s->p = key - 1;
			scan_string(s, true, &off, &len);
			key = s->strings.p + off;
			keylen = len;
			s->strings.len = mark;
			s->p = after;
		}
		uint64_t next = 0, capture = 0;
		uint64_t m = depth < JPATH_MAX_COMP ? candidates &
			s->by_len[depth][keylen < KEYLEN_MAX ? keylen : KEYLEN_MAX] : 0;
		for (; m; m &= m - 1) {
			int i = __builtin_ctzll(m);
			const struct jpath *jp = &s->paths[i];
			const char *comp = jp->comp[depth];
			/* Keys with escapes never match a wanted path. */
			if (jp->complen[depth] != keylen ||
			    (keylen && comp[0] != key[0]) ||
			    memcmp(comp, key, keylen) != 0)
				continue;
			if (jp->ncomp == depth + 1)
				capture |= UINT64_C(1) << i;
			else
				next |= UINT64_C(1) << i;
		}
		skip_ws(s);
		if (s->p >= s->end || *s->p != ':')
			return fail(s, "expected ':'");
		s->p++;
		/* A repeated key replaces the earlier member: forget what was
		 * captured below it. */
		for (uint64_t r = next; r; r &= r - 1)
			s->out[__builtin_ctzll(r)] = (struct jvalue){0};
		if (!scan_value(s, depth + 1, next, capture))
			return false;
		skip_ws(s);
		if (s->p < s->end && *s->p == ',') {
			s->p++;
			continue;
		}
		if (s->p < s->end && *s->p == '}') {
			s->p++;
			return true;
		}
		return fail(s, "expected ',' or '}'");
	}
}

static bool scan_array(struct jscan *s, int depth)
{
	s->p++;
	skip_ws(s);
	if (s->p < s->end && *s->p == ']') {
		s->p++;
		return true;
	}
	for (;;) {
		if (!scan_value(s, depth + 1, 0, 0))
			return false;
		skip_ws(s);
		if (s->p < s->end && *s->p == ',') {
			s->p++;
			continue;
		}
		if (s->p < s->end && *s->p == ']') {
			s->p++;
			return true;
		}
		return fail(s, "expected ',' or ']'");
	}
}

/* Scans a value; candidates are the paths that may continue below it,
 * capture those that end at it (each gets the value). */
static bool scan_value(struct jscan *s, int depth, uint64_t candidates,
		       uint64_t capture)
{
	if (depth > JSCAN_MAX_DEPTH)
		return fail(s, "nested too deeply");
	skip_ws(s);
	if (s->p >= s->end)
		return fail(s, "unexpected end of record");
	const char *start = s->p;
	struct jvalue v = {0};
	bool ok;
	switch (*s->p) {
	case '{':
		v.type = JV_OBJECT;
		ok = scan_object(s, depth, candidates);
		break;
	case '[':
		v.type = JV_ARRAY;
		ok = scan_array(s, depth);
		break;
	case '"': {
		size_t off = 0, len = 0;
		v.type = JV_STRING;
		ok = scan_string(s, capture != 0, &off, &len);
		v.str_off = off;
		v.len = len;
		break;
	}
	case 't':
		v.type = JV_TRUE;
		ok = literal(s, "true");
		break;
	case 'f':
		v.type = JV_FALSE;
		ok = literal(s, "false");
		break;
	case 'n':
		v.type = JV_NULL;
		ok = literal(s, "null");
		break;
	default:
		if (*s->p != '-' && (*s->p < '0' || *s->p > '9'))
			return fail(s, "unexpected character");
		v.type = JV_NUMBER;
		ok = scan_number(s, &v.is_int);
		break;
	}
	if (ok && capture) {
		v.present = true;
		v.raw = start;
		v.rawlen = (size_t)(s->p - start);
		for (; capture; capture &= capture - 1)
			s->out[__builtin_ctzll(capture)] = v;
	}
	return ok;
}

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
	for (size_t i = 0; i < s->npaths; i++)
		for (int d = 0; d < paths[i].ncomp; d++) {
			size_t len = paths[i].complen[d];
			s->by_len[d][len < KEYLEN_MAX ? len : KEYLEN_MAX] |=
				UINT64_C(1) << i;
		}
	return s;
}

void jscan_free(struct jscan *s)
{
	if (!s)
		return;
	br_buf_free(&s->strings);
	free(s);
}

const char *jscan_record(struct jscan *s, const char *rec, size_t len,
			 struct jvalue *out, size_t *error_at)
{
	memset(out, 0, s->npaths * sizeof *out);
	s->out = out;
	s->start = s->p = rec;
	s->end = rec + len;
	s->error = NULL;
	br_buf_reset(&s->strings);
	uint64_t all = s->npaths == 64 ? UINT64_MAX : (UINT64_C(1) << s->npaths) - 1;
	skip_ws(s);
	if (s->p < s->end && *s->p != '{') {
		*error_at = 0;
		return "not a JSON object";
	}
	if (scan_value(s, 0, all, 0)) {
		skip_ws(s);
		if (s->p != s->end)
			fail(s, "unexpected data after the object");
	}
	if (s->error) {
		*error_at = s->error_at;
		return s->error;
	}
	return NULL;
}

const char *jscan_str(const struct jscan *s, const struct jvalue *v)
{
	return s->strings.p + v->str_off;
}
