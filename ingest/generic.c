/* generic.c - burnrate's own log format (DESIGN §3): generic JSONL read with
 * the selective scanner, and generic CSV read with libcsv, columns by header
 * name. */
#include <csv.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ingest/ingest_internal.h"

#define REASON_MAX 300

/* Formats a reject reason into buf (REASON_MAX bytes) and returns it. */
static const char *reason(char *buf, const char *fmt, ...) BR_PRINTF(2, 3);
static const char *reason(char *buf, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, REASON_MAX, fmt, ap);
	va_end(ap);
	return buf;
}

bool parse_count(const char *s, size_t n, uint64_t *out)
{
	bool minus = n > 1 && s[0] == '-';
	if (minus)
		s++, n--;
	if (n == 0 || n > 19)
		return false;
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned digit = (unsigned char)s[i] - (unsigned)'0';
		if (digit > 9)
			return false;
		v = v * 10 + digit; /* 19 digits fit in 64 bits */
	}
	if (v > (uint64_t)INT64_MAX || (minus && v))
		return false; /* beyond 2^63 - 1, or negative */
	*out = v;
	return true;
}

bool status_is_error(const char *s, size_t n)
{
	size_t digits = 0;
	while (digits < n && (unsigned char)s[digits] - (unsigned)'0' <= 9)
		digits++;
	if (n && digits == n) {
		/* An HTTP code of any length, as a number: leading zeros
		 * dropped, then 4 digits or more, or 3 from "400", is >= 400. */
		while (n > 1 && *s == '0')
			s++, n--;
		return n > 3 || (n == 3 && memcmp(s, "400", 3) >= 0);
	}
	static const char *const failed[] = {"error", "failed", "failure"};
	for (size_t i = 0; i < sizeof failed / sizeof failed[0]; i++)
		if (strlen(failed[i]) == n && strncasecmp(s, failed[i], n) == 0)
			return true;
	return false;
}

bool json_number_is_error(const char *s, size_t n)
{
	if (n == 0 || s[0] == '-')
		return false; /* negative, or -0 */
	size_t i = 0, nint, frac = 0, nfrac = 0;
	while (i < n && (unsigned char)s[i] - (unsigned)'0' <= 9)
		i++;
	nint = i;
	if (i < n && s[i] == '.') {
		frac = ++i;
		while (i < n && (unsigned char)s[i] - (unsigned)'0' <= 9)
			i++;
		nfrac = i - frac;
	}
	long long exp = 0;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		bool neg = ++i < n && s[i] == '-';
		if (i < n && (s[i] == '-' || s[i] == '+'))
			i++;
		for (; i < n; i++)
			if (exp < 1000000000)
				exp = exp * 10 + (s[i] - '0');
		exp = neg ? -exp : exp;
	}
	/* The value is 0.D... * 10^mag, D its first significant digit. */
	char first;
	long long mag;
	if (s[0] != '0') { /* JSON: an integer part is "0" or has no
			    * leading zero */
		first = s[0];
		mag = (long long)nint;
	} else {
		size_t k = 0;
		while (k < nfrac && s[frac + k] == '0')
			k++;
		if (k == nfrac)
			return false; /* zero */
		first = s[frac + k];
		mag = -(long long)k;
	}
	mag += exp;
	return mag > 3 || (mag == 3 && first >= '4');
}

/* ------------------------------------------------------------------ JSONL */

enum jfield {
	J_TIMESTAMP, J_PROVIDER, J_MODEL, J_AGENT, J_LABEL, J_REQUEST_ID,
	J_STATUS, J_TIER, J_USAGE, J_INPUT, J_OUTPUT, J_CACHE_READ,
	J_CACHE_WRITE, J_CACHE_WRITE_1H, J_REASONING, J_COST, J_NFIELDS
};
#define NFLAT (J_REASONING - J_INPUT + 1) /* the token counts */
/* Where a record with no token count in usage may hold its counts: usage's
 * names at the top level, and OpenAI's (as LiteLLM logs them) in usage or
 * at the top level (has_tokens_elsewhere). */
static const char *const elsewhere_paths[] = {
	"input_tokens", "output_tokens", "cache_read_tokens",
	"cache_write_tokens", "cache_write_1h_tokens", "reasoning_tokens",
	"prompt_tokens", "completion_tokens", "usage.prompt_tokens",
	"usage.completion_tokens"};
#define NELSEWHERE (sizeof elsewhere_paths / sizeof *elsewhere_paths)

const char *const canon_names[CANON_COUNT] = {
	"timestamp", "provider", "model", "agent", "label", "request_id",
	"status", "service_tier", "input_tokens", "output_tokens",
	"cache_read_tokens", "cache_write_tokens", "cache_write_1h_tokens",
	"reasoning_tokens", "cost_usd"};

static const char *const jfield_paths[J_NFIELDS] = {
	"timestamp", "provider", "model", "agent", "label", "request_id",
	"status", "service_tier", "usage", "usage.input_tokens",
	"usage.output_tokens", "usage.cache_read_tokens",
	"usage.cache_write_tokens", "usage.cache_write_1h_tokens",
	"usage.reasoning_tokens", "cost_usd"};

#define TIER_MEMO 16

struct jsonl_parser {
	struct format_parser base;
	const struct format_maps *maps;
	const char *names[J_NFIELDS]; /* paths, after --map */
	struct jpath paths[J_NFIELDS];
	struct jscan *scan;
	struct jvalue v[J_NFIELDS];
	char reason[REASON_MAX];
	/* has_tokens_elsewhere: the token counts elsewhere (elsewhere_paths). */
	struct jpath elsewhere_jpaths[NELSEWHERE];
	struct jscan *elsewhere_scan;
	/* The last two service_tier texts read of at most TIER_MEMO bytes
	 * and their tiers (get_status_tier_id); one not read yet has length
	 * 0 and the default tier, as an empty text. tier_next: the one a
	 * new text replaces. */
	struct {
		char text[TIER_MEMO];
		size_t len;
		enum br_tier tier;
	} tiers[2];
	unsigned tier_next;
	struct br_month_memo month; /* of the last usual timestamp */
};


static bool absent(const struct jvalue *v)
{
	return !v->present || v->type == JV_NULL;
}

/* Why string member f is not what get_string wants: missing (absent and
 * required), not a string, or required and empty. Out of line. */
static __attribute__((noinline, cold)) const char *
string_error(struct jsonl_parser *p, enum jfield f)
{
	const struct jvalue *v = &p->v[f];
	if (absent(v))
		return reason(p->reason, "missing %s", p->names[f]);
	if (v->type != JV_STRING)
		return reason(p->reason, "invalid %s: not a string", p->names[f]);
	return reason(p->reason, "empty %s", p->names[f]);
}

/* Tells whether v's four flags are flags (JV_FLAGS: present, its type,
 * is_int and escaped), by one compare: the usual value of a member, whose
 * tests one by one then need not be made (~5 instructions fewer a string).
 * False may be said of any value (on a big-endian machine, of all). */
static inline bool flags_are(const struct jvalue *v, uint32_t flags)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return jv_flags(v) == flags;
#else
	(void)v;
	(void)flags;
	return false;
#endif
}

/* Tells whether v is the usual string member, one without escapes (used
 * in place). */
static inline bool usual_string(const struct jvalue *v)
{
	return flags_are(v, JV_FLAGS(JV_STRING, false, false));
}

/* Reads a string member into *out ("" when absent or null); a required
 * one must be there and not empty. */
static inline const char *get_string(struct jsonl_parser *p, enum jfield f,
				     bool required, struct br_str *out)
{
	const struct jvalue *v = &p->v[f];
	if (usual_string(v) && (v->len || !required)) {
		*out = (struct br_str){v->raw + 1, v->len};
		return NULL;
	}
	*out = (struct br_str){"", 0};
	if (v->present && v->type == JV_STRING && (v->len || !required)) {
		*out = (struct br_str){jscan_str(p->scan, v), v->len};
		/* A NUL would cut the name short in the store, merging it
		 * with another; only an escape (\u0000) can make one. */
		if (__builtin_expect(v->escaped, 0) && memchr(out->p, 0, out->n))
			return reason(p->reason, "invalid %s: holds \\u0000",
				      p->names[f]);
		return NULL;
	}
	return !required && absent(v) ? NULL : string_error(p, f);
}

/* Reads an optional string member that never rejects its record for its
 * type (agent, label): a string as get_string reads it, any other value
 * (number, bool, null, object, array) or none as "". */
static inline const char *get_lenient_string(struct jsonl_parser *p,
					     enum jfield f, struct br_str *out)
{
	/* The usual string told first, its presence and type not tested
	 * one by one: with the request id's likewise, 14 instructions a
	 * record fewer (callgrind, the bench's first 300,000 records). */
	if (usual_string(&p->v[f]) ||
	    (p->v[f].present && p->v[f].type == JV_STRING))
		return get_string(p, f, false, out);
	*out = (struct br_str){"", 0};
	return NULL;
}

static const char *get_timestamp(struct jsonl_parser *p, int64_t *us)
{
	const struct jvalue *v = &p->v[J_TIMESTAMP];
	const char *s;
	size_t n;
	/* The usual one, a date without escapes, told as get_string tells
	 * its strings. */
	if (usual_string(v) && v->len >= 5 && v->raw[1 + 4] == '-') {
		s = v->raw + 1;
		n = v->len;
	} else if (absent(v)) {
		return reason(p->reason, "missing timestamp");
	} else if (v->type == JV_STRING) {
		s = jscan_str(p->scan, v);
		n = v->len;
		/* DESIGN §3: epoch seconds are a JSON number; a string is a
		 * date ("12" or "-1" was read as a second of 1970). A CSV cell
		 * has no type: there, digits are epoch seconds. A date's fifth
		 * byte is its '-', which spares every record the parse. */
		br_pico number;
		if ((n < 5 || s[4] != '-') && br_money_parse(s, n, &number) == 0)
			return reason(p->reason, "invalid timestamp '%.*s': "
					    "epoch seconds must be a JSON number, "
					    "not a string",
					    (int)(n > 64 ? 64 : n), s);
	} else if (v->type == JV_NUMBER) {
		s = v->raw;
		n = v->rawlen;
	} else {
		return reason(p->reason, "invalid timestamp: not a string or number");
	}
	const char *why = br_time_parse_memo(&p->month, s, n, us);
	if (why)
		return reason(p->reason, "invalid timestamp '%.*s': %s",
				    (int)(n > 64 ? 64 : n), s, why);
	return NULL;
}

/* The text of a JSON integer v as its value's decimal digits: its own,
 * but "0" for -0, which is the integer 0 (the request id -0 is "0", as a
 * token count of -0 is 0: parse_count). */
static struct br_str int_text(const struct jvalue *v)
{
	if (v->rawlen == 2 && memcmp(v->raw, "-0", 2) == 0)
		return (struct br_str){"0", 1};
	return (struct br_str){v->raw, v->rawlen};
}

/* Reads the token counts present into t, which is zero (a cleared event:
 * a memset of it here was gcc's rep stos, a record's cost). */
static const char *get_usage(struct jsonl_parser *p, struct br_tokens *t)
{
	const struct jvalue *usage = &p->v[J_USAGE];
	if (!flags_are(usage, JV_FLAGS(JV_OBJECT, false, false)) &&
	    !absent(usage) && usage->type != JV_OBJECT)
		return reason(p->reason, "invalid usage: not an object");
	/* Where each count goes: offsets, not pointers built a record. */
	static const size_t dst[NFLAT] = {
		offsetof(struct br_tokens, input),
		offsetof(struct br_tokens, output),
		offsetof(struct br_tokens, cache_read),
		offsetof(struct br_tokens, cache_write),
		offsetof(struct br_tokens, cache_write_1h),
		offsetof(struct br_tokens, reasoning)};
#pragma GCC unroll 8
	for (int f = J_INPUT; f <= J_REASONING; f++) {
		const struct jvalue *v = &p->v[f];
		uint64_t *out = (uint64_t *)((char *)t + dst[f - J_INPUT]);
		/* Only a number has a count (struct jvalue); one not found
		 * has 0 (jscan_record zeroes it), which *out holds already. */
		if (v->count != JV_NO_COUNT)
			*out = v->count; /* converted as scanned */
		else if (!absent(v) &&
			 (v->type != JV_NUMBER || !v->is_int ||
			  !parse_count(v->raw, v->rawlen, out)))
			return reason(p->reason, "invalid %s: %.*s (expected a "
					    "non-negative integer)", p->names[f],
					    (int)(v->rawlen > 60 ? 60 : v->rawlen),
					    v->raw);
	}
	return NULL;
}

/* A JSON number is the logged cost, parsed exactly from its own decimal
 * text; any other value (a string, a bool, null, an object) is no logged
 * cost: the record is priced from the catalog. */
static const char *get_cost(struct jsonl_parser *p, struct br_event *ev)
{
	const struct jvalue *v = &p->v[J_COST];
	if (!v->present || v->type != JV_NUMBER)
		return NULL;
	if (br_money_parse(v->raw, v->rawlen, &ev->logged_cost) != 0)
		return reason(p->reason, "invalid cost_usd: %.*s",
				    (int)(v->rawlen > 60 ? 60 : v->rawlen), v->raw);
	ev->has_logged_cost = true;
	return NULL;
}

/* status: a JSON number is an error at >= 400, a string as
 * status_is_error says, anything else (a bool, null, an object) is not.
 * request_id: a string; a JSON integer is its decimal text; anything else
 * is no id (no dedupe). Neither rejects its record for its type. */
static const char *get_status_tier_id(struct jsonl_parser *p,
				      struct br_event *ev)
{
	const struct jvalue *v = &p->v[J_STATUS];
	if (flags_are(v, JV_FLAGS(JV_NUMBER, true, false)) ||
	    (v->present && v->type == JV_NUMBER))
		ev->error = v->count != JV_NO_COUNT /* as scanned: 200 */
				    ? v->count >= 400
				    : json_number_is_error(v->raw, v->rawlen);
	else if (v->present && v->type == JV_STRING)
		ev->error = status_is_error(jscan_str(p->scan, v), v->len);

	struct br_str tier;
	const char *why = get_string(p, J_TIER, false, &tier);
	if (why)
		return why;
	/* A log names one or two tiers, in every record: the last two
	 * texts read are compared (~8 instructions) rather than parsed
	 * again (br_tier_parse_logged, ~26 with its call): 16 instructions
	 * a record fewer (callgrind, the bench's first 300,000 records, 8%
	 * of them "batch" among "standard" in no order). Kept for the last
	 * text alone, each of the 46,000 switches parsed again and copied:
	 * 9 fewer, but 148,000 branches mispredicted against 48,000 in
	 * br_tier_parse_logged (callgrind --branch-sim=yes); with two,
	 * 46,000, the second's compare taken for the other tier's. */
	if (tier.n == p->tiers[0].len &&
	    br_mem_eq(tier.p, p->tiers[0].text, tier.n)) {
		ev->tier = p->tiers[0].tier;
	} else if (tier.n == p->tiers[1].len &&
		   br_mem_eq(tier.p, p->tiers[1].text, tier.n)) {
		ev->tier = p->tiers[1].tier;
	} else if (tier.n) {
		int t = br_tier_parse_logged(tier.p, tier.n);
		if (t < 0)
			return reason(p->reason, "invalid service_tier '%.*s'",
					    (int)(tier.n > 40 ? 40 : tier.n), tier.p);
		ev->tier = (enum br_tier)t;
		if (tier.n <= TIER_MEMO) {
			unsigned k = p->tier_next;
			memcpy(p->tiers[k].text, tier.p, tier.n);
			p->tiers[k].len = tier.n;
			p->tiers[k].tier = ev->tier;
			p->tier_next = k ^ 1;
		}
	}
	v = &p->v[J_REQUEST_ID];
	if (!usual_string(v) && v->present && v->type == JV_NUMBER &&
	    v->is_int) { /* the usual string told first */
		ev->request_id = int_text(v);
		return NULL;
	}
	return get_lenient_string(p, J_REQUEST_ID, &ev->request_id);
}

/* Tells whether the JSON object line[0..len) has token counts where the
 * generic format does not read them (elsewhere_paths: "input_tokens" at
 * the top level, OpenAI's "usage.prompt_tokens"). Called only for a record
 * with no token count read, rare: a second scanner, made then. */
static __attribute__((noinline, cold)) bool
has_tokens_elsewhere(struct jsonl_parser *p, const char *line, size_t len)
{
	if (!p->elsewhere_scan) {
		for (size_t f = 0; f < NELSEWHERE; f++)
			jpath_init(&p->elsewhere_jpaths[f], elsewhere_paths[f]);
		p->elsewhere_scan = jscan_new(p->elsewhere_jpaths, NELSEWHERE);
	}
	struct jvalue v[NELSEWHERE];
	size_t at;
	if (jscan_record(p->elsewhere_scan, line, len, v, &at))
		return false;
	for (size_t f = 0; f < NELSEWHERE; f++)
		if (v[f].present)
			return true;
	return false;
}

/* Tells whether the record read has no token count: no usage, or one
 * without counts ("usage":{}). */
static bool no_counts(const struct jsonl_parser *p)
{
	for (int f = J_INPUT; f <= J_REASONING; f++)
		if (!absent(&p->v[f]))
			return false;
	return true;
}

/* Parses the record of the line at line into ev, or says in *reject why
 * it is rejected: by jscan_record, line being n bytes, when ahead is
 * false; else as the parser's ahead() (jscan_line), n bytes readable.
 * Returns the line's length, 0 when ahead cannot tell it. One function
 * for both, so that the field readers called from here once each are
 * inlined (called from two copies, gcc left them out of line: +100
 * instructions a record). */
static size_t jsonl_record(struct jsonl_parser *p, const char *line, size_t n,
			   bool ahead, struct br_event *ev, const char **reject)
{
	size_t len = n;
	const char *why;
	if (ahead) {
		/* Only a valid record: none is rejected for its JSON. */
		len = jscan_line(p->scan, line, n, p->v);
		if (!len)
			return 0;
	} else {
		size_t at;
		why = jscan_record(p->scan, line, len, p->v, &at);
		if (why) {
			event_clear(ev);
			*reject = reason(p->reason, "invalid JSON at byte %zu: %s",
					 at + 1, why);
			return len;
		}
	}
	event_clear(ev);
	if ((why = get_timestamp(p, &ev->ts_us)) ||
	    (why = get_string(p, J_PROVIDER, true, &ev->provider)) ||
	    (why = get_string(p, J_MODEL, true, &ev->model)) ||
	    (why = get_lenient_string(p, J_AGENT, &ev->agent)) ||
	    (why = get_lenient_string(p, J_LABEL, &ev->label)) ||
	    (why = get_status_tier_id(p, ev)) ||
	    (why = get_usage(p, &ev->tokens)) ||
	    (why = get_cost(p, ev)))
		*reject = why;
	else
		*reject = NULL;
	/* Rare: a record's counts are read, input_tokens among them (one
	 * with a count other than 0, as scanned, is there: told by the
	 * count alone; one not found has 0, one with no count JV_NO_COUNT,
	 * which plus 1 wraps to 0). */
	if (!why && p->v[J_INPUT].count + 1 <= 1 &&
	    __builtin_expect(absent(&p->v[J_INPUT]), 0) && no_counts(p))
		ev->tokens_elsewhere = has_tokens_elsewhere(p, line, len);
	return len;
}

static int jsonl_line(struct format_parser *fp, const char *line, size_t len,
		      struct br_event *ev, const char **reject,
		      struct br_err *err)
{
	(void)err;
	jsonl_record((struct jsonl_parser *)fp, line, len, false, ev, reject);
	return 1;
}

static size_t jsonl_ahead(struct format_parser *fp, const char *text, size_t n,
			  struct br_event *ev, const char **reject)
{
	return jsonl_record((struct jsonl_parser *)fp, text, n, true, ev, reject);
}

static int jsonl_finish(struct format_parser *fp, const char **reject)
{
	(void)fp;
	(void)reject;
	return 0;
}

static void jsonl_free(struct format_parser *fp)
{
	struct jsonl_parser *p = (struct jsonl_parser *)fp;
	jscan_free(p->scan);
	jscan_free(p->elsewhere_scan);
	free(p);
}

struct format_parser *generic_jsonl_open(const struct format_maps *maps)
{
	struct jsonl_parser *p = br_calloc(1, sizeof *p);
	p->base = (struct format_parser){jsonl_line, jsonl_finish, jsonl_free,
					 "generic", {0}};
	p->base.ahead = jsonl_ahead;
	p->maps = maps;
	for (int f = 0; f < J_NFIELDS; f++) {
		/* The jfields are the canonical fields with "usage" inserted
		 * before the token counts. */
		int c = f < J_USAGE ? f : f - 1;
		p->names[f] = f != J_USAGE && maps && maps->path[c] ? maps->path[c]
								    : jfield_paths[f];
		jpath_init(&p->paths[f], p->names[f]);
	}
	p->scan = jscan_new(p->paths, J_NFIELDS);
	p->base.immediate = true;
	p->base.splittable = true;
	p->base.names_checked = true; /* get_string */
	p->base.json_lines = true;
	return &p->base;
}

/* -------------------------------------------------------------------- CSV */

enum csv_col {
	C_TIMESTAMP, C_PROVIDER, C_MODEL, C_AGENT, C_LABEL, C_REQUEST_ID,
	C_STATUS, C_TIER, C_INPUT, C_OUTPUT, C_CACHE_READ, C_CACHE_WRITE,
	C_CACHE_WRITE_1H, C_REASONING, C_COST, C_NCOLS
};

/* The generic CSV columns are the canonical fields, in their order. */
_Static_assert((int)C_NCOLS == (int)CANON_COUNT, "CSV columns are the canonical fields");
#define csv_col_names canon_names

#define CSV_MAX_FIELDS 1024

struct csv_state {
	struct format_parser base;
	const char *row_format; /* NULL: generic; else a gateway's export */
	const struct format_maps *maps;
	struct br_str *names;   /* its header, for format_map_csv_row */
	struct csv_parser csv;
	struct br_buf fields[CSV_MAX_FIELDS]; /* libcsv's copies */
	struct br_str cell[CSV_MAX_FIELDS];   /* the record's fields */
	/* Here, after the cells: format_parser grew by 8 bytes (ahead),
	 * and with the cells 8 bytes further gcc addressed each with an
	 * instruction more (+15 a record of the bench's CSV). */
	const char *input_name;
	size_t nfields;
	bool too_many, record_done, have_header;
	bool pending;   /* libcsv is inside a record (a quoted newline) */
	bool nul;       /* the record holds a NUL byte */
	bool no_counts; /* the generic header has no token or cost column */
	size_t nheader;
	const char *colname[C_NCOLS]; /* after --map */
	int col[C_NCOLS];
	const char *sub[C_NCOLS];     /* a path inside a JSON column, or NULL */
	struct br_month_memo month;   /* of the last usual timestamp */
	struct br_buf subval[C_NCOLS];
	const char *broken;           /* why a JSON cell read inside is not
				       * JSON (in broken_why), or NULL */
	char broken_why[REASON_MAX];
	char reason[REASON_MAX];
};

static void csv_on_field(void *data, size_t len, void *ctx)
{
	struct csv_state *c = ctx;
	if (c->nfields == CSV_MAX_FIELDS) {
		c->too_many = true;
		return;
	}
	struct br_buf *f = &c->fields[c->nfields];
	br_buf_reset(f);
	br_buf_put(f, data ? data : "", len);
	c->cell[c->nfields++] = (struct br_str){f->p ? f->p : "", f->len};
}

static void csv_on_record(int ch, void *ctx)
{
	(void)ch;
	((struct csv_state *)ctx)->record_done = true;
}


/* Splits a line without quotes, carriage returns or NULs at its commas, in
 * place: what libcsv (strict, spaces kept) makes of such a line. Returns
 * false, leaving the line to libcsv, when it holds a quote, a carriage
 * return or a NUL, or too many fields (libcsv then says so). */
static bool csv_split_plain(struct csv_state *c, const char *line, size_t len)
{
	size_t n = 0, start = 0, i = 0;
#ifdef __SSE2__
	const __m128i comma = _mm_set1_epi8(','), quote = _mm_set1_epi8('"'),
		      cr = _mm_set1_epi8('\r'), nul = _mm_setzero_si128();
	for (; i + 16 <= len; i += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(line + i));
		if (_mm_movemask_epi8(_mm_or_si128(
			    _mm_or_si128(_mm_cmpeq_epi8(v, quote),
					 _mm_cmpeq_epi8(v, cr)),
			    _mm_cmpeq_epi8(v, nul))))
			return false;
		unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, comma));
		for (; m; m &= m - 1) {
			size_t at = i + (size_t)__builtin_ctz(m);
			if (n == CSV_MAX_FIELDS)
				return false;
			c->cell[n++] = (struct br_str){line + start, at - start};
			start = at + 1;
		}
	}
#endif
	for (; i < len; i++) {
		if (line[i] == '"' || line[i] == '\r' || !line[i])
			return false;
		if (line[i] != ',')
			continue;
		if (n == CSV_MAX_FIELDS)
			return false;
		c->cell[n++] = (struct br_str){line + start, i - start};
		start = i + 1;
	}
	if (n == CSV_MAX_FIELDS)
		return false;
	c->cell[n++] = (struct br_str){line + start, len - start};
	c->nfields = n;
	return true;
}

/* Splits a line whose fields are each either plain (no quote) or quoted
 * whole ("a, ""b""": a, "b"), closed on the line and followed by a comma
 * or the line's end: what libcsv (strict, spaces kept) makes of such a
 * line, without it (an export that quotes every field, or the fields with
 * a comma: libcsv took 60% of the time of such a CSV). A quoted field
 * without a doubled quote is the line's bytes between its quotes; one
 * with is copied, undoubled, into its field buffer. Returns false,
 * leaving the line to libcsv, on anything else: a carriage return or a
 * NUL, a quote inside a plain field, a byte after a closing quote other
 * than a comma, a quoted field not closed on the line (a quoted newline),
 * too many fields. */
static __attribute__((noinline)) bool
csv_split_quoted(struct csv_state *c, const char *line, size_t len)
{
	if (memchr(line, '\r', len) || memchr(line, 0, len))
		return false;
	size_t n = 0, i = 0;
	for (;;) {
		if (n == CSV_MAX_FIELDS)
			return false;
		if (i < len && line[i] == '"') {
			size_t start = ++i;
			struct br_buf *f = NULL;
			struct br_str cell;
			for (;;) {
				const char *q = memchr(line + i, '"', len - i);
				if (!q)
					return false;
				size_t at = (size_t)(q - line);
				if (at + 1 < len && line[at + 1] == '"') {
					if (!f) {
						f = &c->fields[n];
						br_buf_reset(f);
					}
					br_buf_put(f, line + start, at + 1 - start);
					i = start = at + 2;
					continue;
				}
				if (f) {
					br_buf_put(f, line + start, at - start);
					cell = (struct br_str){f->p, f->len};
				} else {
					cell = (struct br_str){line + start, at - start};
				}
				i = at + 1;
				break;
			}
			c->cell[n++] = cell;
			if (i == len)
				break;
			if (line[i] != ',')
				return false;
			i++;
			continue;
		}
		const char *comma = memchr(line + i, ',', len - i);
		size_t end = comma ? (size_t)(comma - line) : len;
		if (memchr(line + i, '"', end - i))
			return false;
		c->cell[n++] = (struct br_str){line + i, end - i};
		if (!comma)
			break;
		i = end + 1;
	}
	c->nfields = n;
	return true;
}

/* The value at a path inside a JSON cell (COLUMN.PATH); "" when the cell
 * is not valid JSON, which rejects the record (c->broken). */
static struct br_str csv_sub_cell(struct csv_state *c, enum csv_col col,
				  struct br_str cell)
{
	struct br_buf *b = &c->subval[col];
	br_buf_reset(b);
	const char *dot = strchr(c->colname[col], '.');
	struct br_str column = {c->colname[col],
				(size_t)(dot - c->colname[col])};
	bool found;
	const char *why = json_cell_path(cell, column, c->sub[col], b, &found,
					 c->broken_why, sizeof c->broken_why);
	if (why && !c->broken)
		c->broken = why;
	if (why || !found)
		return (struct br_str){"", 0};
	return (struct br_str){b->p ? b->p : "", b->len};
}

static inline struct br_str csv_cell(struct csv_state *c, enum csv_col col)
{
	if (c->col[col] < 0)
		return (struct br_str){"", 0};
	struct br_str cell = c->cell[c->col[col]];
	return c->sub[col] ? csv_sub_cell(c, col, cell) : cell;
}

/* The column of the header named name (n bytes), or -1: spelt so, or,
 * unless exact (a --map's column), with blanks around it or in another
 * case (" Input_Tokens"): a spreadsheet's export, whose token counts were
 * else left out unseen, priced at $0. */
static int header_column(const struct csv_state *c, const char *name, size_t n,
			 bool exact)
{
	for (size_t i = 0; i < c->nfields; i++)
		if (c->cell[i].n == n && memcmp(c->cell[i].p, name, n) == 0)
			return (int)i;
	for (size_t i = 0; !exact && i < c->nfields; i++) {
		const char *p = c->cell[i].p;
		size_t len = c->cell[i].n;
		while (len && (*p == ' ' || *p == '\t'))
			p++, len--;
		while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len == n && strncasecmp(p, name, n) == 0)
			return (int)i;
	}
	return -1;
}

/* Fails the input when the header names column name (n bytes) a second
 * time (matched as header_column matches it): whichever one were read, the
 * other's tokens, cost or name would be lost unseen. */
static int header_once(struct csv_state *c, int at, const char *name,
		       size_t n, bool exact, struct br_err *err)
{
	for (size_t i = 0; i < c->nfields; i++) {
		if ((int)i == at)
			continue;
		const char *p = c->cell[i].p;
		size_t len = c->cell[i].n;
		while (!exact && len && (*p == ' ' || *p == '\t'))
			p++, len--;
		while (!exact && len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len != n || (exact ? memcmp(p, name, n)
				       : strncasecmp(p, name, n)) != 0)
			continue;
		size_t a = (size_t)at < i ? (size_t)at : i;
		size_t b = (size_t)at < i ? i : (size_t)at;
		if (c->base.first_line)
			return br_fail(err, "%s:%lu: CSV header names column "
				       "'%.*s' twice (columns %zu and %zu)",
				       c->input_name,
				       (unsigned long)c->base.first_line,
				       (int)n, name, a + 1, b + 1);
		return br_fail(err, "%s: CSV header names column '%.*s' twice "
			       "(columns %zu and %zu)", c->input_name, (int)n,
			       name, a + 1, b + 1);
	}
	return 0;
}

static int csv_header(struct csv_state *c, struct br_err *err)
{
	if (c->row_format) {
		size_t read = 0;
		for (size_t i = 0; i < c->nfields; i++) {
			if (!format_reads_column(c->row_format, c->maps, c->cell[i]))
				continue;
			if (header_once(c, (int)i, c->cell[i].p, c->cell[i].n,
					true, err) != 0)
				return -1;
			read++;
		}
		/* Its every row would be rejected, as the generic format's
		 * without a timestamp column. */
		if (!read)
			return br_fail(err, "%s: CSV header has none of the "
				       "columns of a %s log", c->input_name,
				       c->row_format);
		c->names = br_calloc(c->nfields + 1, sizeof *c->names);
		for (size_t i = 0; i < c->nfields; i++)
			c->names[i] = (struct br_str){
				br_strndup(c->cell[i].p, c->cell[i].n), c->cell[i].n};
		c->nheader = c->nfields;
		c->have_header = true;
		return 0;
	}
	for (int k = 0; k < C_NCOLS; k++) {
		const char *name = c->colname[k];
		bool mapped = c->maps && c->maps->path[k];
		c->col[k] = header_column(c, name, strlen(name), mapped);
		const char *dot = strchr(name, '.');
		if (c->col[k] < 0 && dot) {
			/* COLUMN.PATH: a path inside a JSON-typed column. */
			c->col[k] = header_column(c, name, (size_t)(dot - name),
						  mapped);
			c->sub[k] = c->col[k] >= 0 ? dot + 1 : NULL;
		}
		size_t n = c->sub[k] ? (size_t)(dot - name) : strlen(name);
		/* A column spelt as the name is the one header_column takes,
		 * whatever others match it in another case or with blanks
		 * (a spreadsheet's "Model" beside "model"): only another
		 * spelt so is a second; a column found in another case is
		 * one of those only when none is spelt so. */
		bool spelt = c->col[k] >= 0 && c->cell[c->col[k]].n == n &&
			     memcmp(c->cell[c->col[k]].p, name, n) == 0;
		if (c->col[k] >= 0 &&
		    header_once(c, c->col[k], name, n, mapped || spelt,
				err) != 0)
			return -1;
	}
	for (int k = C_TIMESTAMP; k <= C_MODEL; k++)
		if (c->col[k] < 0)
			return br_fail(err, "%s: CSV header has no '%s' column",
				       c->input_name, c->colname[k]);
	/* No token column and no cost (a header of OpenAI's names,
	 * prompt_tokens): every record $0, told as a JSON record's counts
	 * under other keys are (br_event.tokens_elsewhere). */
	c->no_counts = true;
	for (int k = C_INPUT; k <= C_COST; k++)
		c->no_counts &= c->col[k] < 0;
	/* A column of tokens or cost --map names is one the user knows is
	 * there: without it every record's would be 0, unseen. (A name's
	 * missing column, as a JSON path missing from a record, leaves the
	 * name empty.) */
	for (int k = C_INPUT; k <= C_COST; k++)
		if (c->col[k] < 0 && c->maps && c->maps->path[k])
			return br_fail(err, "%s: CSV header has no '%.*s' column "
				       "(--map %s=%s)", c->input_name,
				       (int)strcspn(c->colname[k], "."),
				       c->colname[k], csv_col_names[k],
				       c->colname[k]);
	c->nheader = c->nfields;
	c->have_header = true;
	return 0;
}

/* The length of s shown in a message: at most max bytes. */
static int clip(struct br_str s, size_t max)
{
	return (int)(s.n < max ? s.n : max);
}

static const char *csv_event_fields(struct csv_state *c, struct br_event *ev)
{
	event_clear(ev);
	if (c->nfields != c->nheader)
		return reason(c->reason, "expected %zu fields, got %zu", c->nheader,
				  c->nfields);
	struct br_str ts = csv_cell(c, C_TIMESTAMP);
	if (ts.n == 0)
		return reason(c->reason, "missing timestamp");
	const char *why = br_time_parse_memo(&c->month, ts.p, ts.n, &ev->ts_us);
	if (why)
		return reason(c->reason, "invalid timestamp '%.*s': %s", clip(ts, 64),
			      ts.p, why);
	ev->provider = csv_cell(c, C_PROVIDER);
	if (ev->provider.n == 0)
		return reason(c->reason, "missing provider");
	ev->model = csv_cell(c, C_MODEL);
	if (ev->model.n == 0)
		return reason(c->reason, "missing model");
	ev->agent = csv_cell(c, C_AGENT);
	ev->label = csv_cell(c, C_LABEL);
	ev->request_id = csv_cell(c, C_REQUEST_ID);
	struct br_str status = csv_cell(c, C_STATUS);
	ev->error = status.n && status_is_error(status.p, status.n);
	struct br_str tier = csv_cell(c, C_TIER);
	if (tier.n) {
		int t = br_tier_parse_logged(tier.p, tier.n);
		if (t < 0)
			return reason(c->reason, "invalid service_tier '%.*s'",
				      clip(tier, 40), tier.p);
		ev->tier = (enum br_tier)t;
	}
	static const struct {
		enum csv_col col;
		size_t off;
	} counts[] = {
		{C_INPUT, offsetof(struct br_tokens, input)},
		{C_OUTPUT, offsetof(struct br_tokens, output)},
		{C_CACHE_READ, offsetof(struct br_tokens, cache_read)},
		{C_CACHE_WRITE, offsetof(struct br_tokens, cache_write)},
		{C_CACHE_WRITE_1H, offsetof(struct br_tokens, cache_write_1h)},
		{C_REASONING, offsetof(struct br_tokens, reasoning)},
	};
	for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
		struct br_str v = csv_cell(c, counts[i].col);
		uint64_t *dst = (uint64_t *)((char *)&ev->tokens + counts[i].off);
		if (v.n && !parse_count(v.p, v.n, dst))
			return reason(c->reason, "invalid %s '%.*s' (expected a "
					  "non-negative integer)",
					  c->colname[counts[i].col], clip(v, 40), v.p);
	}
	struct br_str cost = csv_cell(c, C_COST);
	if (cost.n) {
		if (br_money_parse(cost.p, cost.n, &ev->logged_cost) != 0)
			return reason(c->reason, "invalid cost_usd '%.*s'",
				      clip(cost, 40), cost.p);
		ev->has_logged_cost = true;
	}
	ev->tokens_elsewhere = c->no_counts;
	return NULL;
}

/* Makes the event of a generic CSV record, or says why it is rejected:
 * the first problem, a JSON cell read inside (COLUMN.PATH) that is not
 * valid JSON among them (what it held would be lost unseen). */
static const char *csv_event(struct csv_state *c, struct br_event *ev)
{
	c->broken = NULL;
	const char *why = csv_event_fields(c, ev);
	return c->broken ? c->broken : why;
}

/* RFC 4180: spaces are part of a field; libcsv would trim them. */
static int csv_no_space(unsigned char c)
{
	(void)c;
	return 0;
}

/* Prepares the libcsv parser of c. */
static void csv_start(struct csv_state *c)
{
	if (csv_init(&c->csv, CSV_STRICT | CSV_APPEND_NULL | CSV_EMPTY_IS_NULL) != 0)
		br_oom();
	csv_set_realloc_func(&c->csv, br_realloc);
	csv_set_space_func(&c->csv, csv_no_space);
	/* libcsv grows a field by a fixed step (128 bytes by default): a
	 * 16 MiB field would take 131,072 reallocations. */
	csv_set_blk_size(&c->csv, (size_t)64 << 10);
}

static void csv_reset(struct csv_state *c)
{
	csv_free(&c->csv);
	csv_start(c);
	c->nfields = 0;
	c->too_many = c->record_done = c->pending = c->nul = false;
}

static int csv_line(struct format_parser *fp, const char *line, size_t len,
		    struct br_event *ev, const char **reject,
		    struct br_err *err)
{
	struct csv_state *c = (struct csv_state *)fp;
	*reject = NULL;
	bool bad = false;
	if (!c->pending && (csv_split_plain(c, line, len) ||
			    csv_split_quoted(c, line, len))) {
		c->record_done = true;
	} else {
		/* A NUL would cut a name short in the store, merging it with
		 * another (a plain line has none). */
		c->nul |= memchr(line, 0, len) != NULL;
		c->nfields = c->pending ? c->nfields : 0;
		bad = csv_parse(&c->csv, line, len, csv_on_field, csv_on_record,
				c) != len ||
		      csv_parse(&c->csv, "\n", 1, csv_on_field, csv_on_record,
				c) != 1;
		c->pending = !bad && !c->record_done;
	}
	if (bad) {
		const char *what = csv_strerror(csv_error(&c->csv));
		csv_reset(c);
		if (!c->have_header)
			return br_fail(err, "%s: malformed CSV header: %s",
				       c->input_name, what);
		*reject = reason(c->reason, "malformed CSV: %s", what);
		return 1;
	}
	if (!c->record_done)
		return 0;
	int rc = 1;
	if (c->too_many && !c->have_header) {
		/* A header not read fails the input, as a malformed one does:
		 * rejected as a record, it left every row after it to be
		 * taken for the header, each rejected, exit 0. */
		return br_fail(err, "%s:%lu: CSV header of more than %d fields",
			       c->input_name, (unsigned long)c->base.first_line,
			       CSV_MAX_FIELDS);
	} else if (c->too_many) {
		*reject = reason(c->reason, "more than %d fields", CSV_MAX_FIELDS);
	} else if (c->nul && c->have_header) {
		*reject = reason(c->reason, "a NUL byte in the record");
	} else if (!c->have_header) {
		rc = csv_header(c, err) == 0 ? FORMAT_NONE : FORMAT_FAIL;
	} else if (c->row_format && c->nfields != c->nheader) {
		*reject = reason(c->reason, "expected %zu fields, got %zu",
				 c->nheader, c->nfields);
	} else if (c->row_format) {
		*reject = format_map_csv_row(c->row_format, c->names, c->cell,
					     c->nfields, c->maps, &c->base.sink, &rc,
					     c->reason, sizeof c->reason);
	} else {
		*reject = csv_event(c, ev);
	}
	c->nfields = 0;
	c->too_many = c->record_done = c->nul = false;
	return rc;
}

static int csv_finish_input(struct format_parser *fp, const char **reject)
{
	struct csv_state *c = (struct csv_state *)fp;
	if (!c->pending)
		return 0;
	*reject = reason(c->reason, "unterminated quoted field at end of input");
	return 1;
}

static void csv_state_free(struct format_parser *fp)
{
	struct csv_state *c = (struct csv_state *)fp;
	csv_free(&c->csv);
	for (size_t i = 0; i < CSV_MAX_FIELDS; i++)
		br_buf_free(&c->fields[i]);
	for (int k = 0; k < C_NCOLS; k++)
		br_buf_free(&c->subval[k]);
	for (size_t i = 0; c->names && i < c->nheader; i++)
		free((char *)c->names[i].p);
	free(c->names);
	free(c);
}

/* RFC 4180 lets the last record lack a line break: a last line with
 * as many fields as the header, its quotes closed, is a whole record (an
 * export written by "\n".join), and one with more is no row being
 * written either (it is rejected). One with fewer is a row still being
 * written and waits for the rest. (A row cut inside its last field cannot
 * be told from a whole one: what follows it is then a line of one field,
 * rejected by name.) The last line of a record begun on earlier lines
 * (pending: inside a quoted field) counts the fields they ended. */
static bool csv_whole(const struct format_parser *fp, const char *line,
		      size_t len)
{
	const struct csv_state *c = (const struct csv_state *)fp;
	if (!c->have_header)
		return false;
	size_t fields = c->pending ? c->nfields + 1 : 1;
	bool quoted = c->pending;
	for (size_t i = 0; i < len; i++) {
		if (line[i] == '"')
			quoted = !quoted;
		else if (line[i] == ',' && !quoted)
			fields++;
	}
	return !quoted && fields >= c->nheader;
}

struct format_parser *generic_csv_open(const char *input_name,
				       const struct format_maps *maps)
{
	struct csv_state *c = br_calloc(1, sizeof *c);
	c->base = (struct format_parser){csv_line, csv_finish_input,
					 csv_state_free, "generic", {0}};
	c->input_name = input_name;
	c->maps = maps;
	for (int k = 0; k < C_NCOLS; k++)
		c->colname[k] = maps && maps->path[k] ? maps->path[k] : csv_col_names[k];
	csv_start(c);
	c->base.immediate = true;
	c->base.splittable = true;
	c->base.whole = csv_whole;
	return &c->base;
}

struct format_parser *csv_format_open(const char *name, const char *input_name,
				      const struct format_maps *maps)
{
	struct format_parser *p = generic_csv_open(input_name, maps);
	struct csv_state *c = (struct csv_state *)p;
	c->row_format = name;
	p->name = name;
	return p;
}

/* The offset of the first blank (space or tab) of the run of them that
 * ends before line[at], or at when not skip or there is none. */
static size_t skip_blanks_back(const char *line, size_t at, bool skip)
{
	while (skip && at > 0 && (line[at - 1] == ' ' || line[at - 1] == '\t'))
		at--;
	return at;
}

/* The offset of the first byte after the blanks from line[at] on (len
 * bytes in all), or at when not skip. */
static size_t skip_blanks(const char *line, size_t at, size_t len, bool skip)
{
	while (skip && at < len && (line[at] == ' ' || line[at] == '\t'))
		at++;
	return at;
}

/* Tells whether a CSV header line names every column of names, each a
 * whole field, quoted or not. A name quoted inside a field is none: a
 * JSON record cut after its '{' ("timestamp":...) or behind NUL bytes or
 * an escape sequence names its keys so, and is no header. */
static bool header_has(const char *line, size_t len, const char *const *names,
		       bool folded)
{
	for (; *names; names++) {
		size_t n = strlen(*names);
		bool found = false;
		for (size_t i = 0; i + n <= len && !found; i++) {
			/* Folded: blanks around the name, inside its quotes
			 * or outside them, and any case (as header_column
			 * matches the generic format's names, in the cell
			 * the quotes hold). */
			size_t start = skip_blanks_back(line, i, folded);
			bool quoted = start > 0 && line[start - 1] == '"';
			if (quoted)
				start = skip_blanks_back(line, start - 1, folded);
			if ((start > 0 && line[start - 1] != ',') ||
			    (folded ? strncasecmp(line + i, *names, n)
				    : memcmp(line + i, *names, n)) != 0)
				continue;
			size_t end = skip_blanks(line, i + n, len, folded);
			if (quoted && (end == len || line[end++] != '"'))
				continue;
			end = skip_blanks(line, end, len, folded);
			found = end == len || line[end] == ',' || line[end] == '\r';
		}
		if (!found)
			return false;
	}
	return true;
}

const char *format_detect_csv(const char *line, size_t len)
{
	/* Generic first: no export of the others has a timestamp and a
	 * provider column, so their columns beside these are a generic CSV's
	 * extra ones (ignored), not another format's header. */
	static const struct {
		const char *format;
		const char *cols[5];
	} kinds[] = {
		{"generic", {"timestamp", "provider", "model", NULL}},
		{"litellm", {"request_id", "startTime", "spend", "model", NULL}},
		{"helicone", {"response_id", "request_created_at", "model", NULL}},
		{"langfuse", {"traceId", "startTime", "model", "usageDetails", NULL}},
	};
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (header_has(line, len, kinds[i].cols,
			       strcmp(kinds[i].format, "generic") == 0))
			return kinds[i].format;
	return NULL;
}

/* ---------------------------------------------------------------- formats */

static const char *const format_list[] = {
	"generic", "openai", "anthropic", "gemini", "bedrock", "claude-code",
	"openai-usage", "litellm", "helicone", "langfuse"};
#define NFORMATS (sizeof format_list / sizeof format_list[0])

bool format_known(const char *name)
{
	if (strcmp(name, "auto") == 0)
		return true;
	for (size_t i = 0; i < NFORMATS; i++)
		if (strcmp(name, format_list[i]) == 0)
			return true;
	return false;
}

const char *format_names(void)
{
	return "auto, generic, openai, anthropic, gemini, bedrock, claude-code, "
	       "openai-usage, litellm, helicone, langfuse";
}

/* Tells whether maps place a field other than the label (which names a
 * dimension, not a log's shape). */
static bool described(const struct format_maps *maps)
{
	for (int f = 0; maps && f < CANON_COUNT; f++)
		if (f != CANON_LABEL && maps->path[f])
			return true;
	return false;
}

struct format_cache {
	struct format_detector *detect;
	struct format_parser *jsonl; /* a generic JSONL parser, or NULL */
};

struct format_parser *format_open(const char *name, const char *line,
				  size_t len, const char *input_name,
				  const struct format_maps *maps,
				  struct format_cache *cache,
				  struct br_err *err)
{
	bool json = len && line[0] == '{';
	if (strcmp(name, "auto") == 0) {
		if (json) {
			struct format_detector *d = cache ? cache->detect
							  : format_detector_new();
			name = format_detect_json(d, line, len);
			if (!cache)
				format_detector_free(d);
		} else {
			name = format_detect_csv(line, len);
		}
		/* A shape of its own, described by --map (DESIGN §3): the
		 * generic format read through the maps. */
		if (!name && described(maps))
			name = "generic";
		if (!name) {
			br_fail(err, "%s: cannot tell the log format from its first "
				"%s; name it with %s (%s)", input_name,
				json ? "record" : "line (not a known CSV header)",
				maps && maps->format_option ? maps->format_option
							    : "--format",
				format_names());
			return NULL;
		}
	}
	if (strcmp(name, "generic") == 0 && json && cache && cache->jsonl &&
	    ((const struct jsonl_parser *)cache->jsonl)->maps == maps) {
		struct format_parser *p = cache->jsonl;
		cache->jsonl = NULL;
		return p;
	}
	if (strcmp(name, "generic") == 0)
		return json ? generic_jsonl_open(maps) : generic_csv_open(input_name, maps);
	if (!json && (strcmp(name, "litellm") == 0 || strcmp(name, "helicone") == 0 ||
		      strcmp(name, "langfuse") == 0))
		return csv_format_open(name, input_name, maps);
	if (!json) {
		br_fail(err, "%s: the %s format is JSONL, but the input does not "
			"start with a JSON object", input_name, name);
		return NULL;
	}
	return api_format_open(name, maps);
}

struct format_cache *format_cache_new(void)
{
	struct format_cache *c = br_calloc(1, sizeof *c);
	c->detect = format_detector_new();
	return c;
}

void format_cache_free(struct format_cache *c)
{
	if (!c)
		return;
	format_detector_free(c->detect);
	if (c->jsonl)
		c->jsonl->free(c->jsonl);
	free(c);
}

void format_close(struct format_parser *p, struct format_cache *cache)
{
	if (!p)
		return;
	/* A generic JSONL parser keeps nothing of its input but the keys its
	 * scanner remembers, which say and capture exactly what a new
	 * scanner would (fuzz_jsonscan). */
	if (cache && !cache->jsonl && p->free == jsonl_free) {
		cache->jsonl = p;
		return;
	}
	p->free(p);
}
