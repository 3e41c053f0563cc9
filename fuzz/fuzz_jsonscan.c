/* fuzz_jsonscan.c - the selective JSON scanner (ingest/jsonscan.c),
 * differentially against jansson, the input as one record and each of
 * its lines as one (a log: samples/ and the tests' logs are replayed by
 * tests/e2e/jsonscan.sh): both must agree on which records are valid JSON
 * objects, and every member the scanner captures (the generic format's
 * among them) must be the value jansson finds at that path (type, number
 * text, decoded string, or the same object or array). A scanner that remembers the keys of the
 * records before (every input, and each line of it, in turn) must also
 * say and capture exactly what a new scanner does. And the fast path
 * (SIMD classification, AVX2 and SSE2) must say and give exactly what the
 * scalar scanner alone does: whether valid, why not and where, every
 * field of every output, the decoded strings. A line's end told by its
 * record (jscan_line, as the generic format reads a log) must be the
 * line's, its record the scalar scanner's. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz.h"

/* Wanted paths: members at several depths, the empty key, a key of more
 * than KEYLEN_MAX bytes, a non-ASCII key, the most components a path
 * may have, and the same path twice (two --map fields read from one
 * member: each gets the value). A path of more components than that is
 * refused by jpath_init. */
static const char *const wanted[] = {
	"a", "b", "a.b", "a.b.c", "", "a..b", "usage.input_tokens",
	"k\xc3\xa9y", "\xf0\x9f\x9a\x80.a", "a.b.c.d.e.f.g.h", "a.b",
	"a_key_longer_than_sixty_four_bytes_a_key_longer_than_sixty_four_bytes",
	"b",
	/* The generic format's members, which the scanner reads for it. */
	"timestamp", "provider", "model", "agent", "label", "request_id",
	"status", "service_tier", "cost_usd", "usage.output_tokens",
	"usage.cache_read_tokens", "usage.cache_write_tokens",
	"usage.cache_write_1h_tokens", "usage.reasoning_tokens",
};
#define NWANTED (sizeof wanted / sizeof wanted[0])

static struct jpath paths[NWANTED];
static struct jscan *scan;

static const size_t flags = JSON_ALLOW_NUL | JSON_DECODE_INT_AS_REAL;

/* The value jansson has at path jp in root, or NULL. */
static json_t *at_path(json_t *root, const struct jpath *jp)
{
	json_t *v = root;
	for (int i = 0; i < jp->ncomp && v; i++)
		v = json_is_object(v) ? json_object_getn(v, jp->comp[i],
							 jp->complen[i]) : NULL;
	return v;
}

static void compare(const char *name, const struct jvalue *v, json_t *j)
{
	FUZZ_CHECK(v->present == (j != NULL), "%s: present %d, jansson %s",
		   name, v->present, j ? "has it" : "has not");
	if (!j)
		return;
	switch (v->type) {
	case JV_NULL:
		FUZZ_CHECK(json_is_null(j), "%s: null", name);
		break;
	case JV_TRUE:
		FUZZ_CHECK(json_is_true(j), "%s: true", name);
		break;
	case JV_FALSE:
		FUZZ_CHECK(json_is_false(j), "%s: false", name);
		break;
	case JV_NUMBER: {
		FUZZ_CHECK(json_is_number(j), "%s: number", name);
		char *text = br_strndup(v->raw, v->rawlen);
		FUZZ_CHECK(v->is_int == !strpbrk(text, ".eE"), "%s: is_int", name);
		FUZZ_CHECK(strtod(text, NULL) == json_number_value(j),
			   "%s: %s", name, text);
		/* The count: an integer of 1 to 7 digits without sign. */
		size_t digits = strspn(text, "0123456789");
		bool small = digits == v->rawlen && digits <= 7;
		FUZZ_CHECK(small ? (double)v->count == json_number_value(j)
				 : v->count == JV_NO_COUNT,
			   "%s: count %llu of %s", name,
			   (unsigned long long)v->count, text);
		free(text);
		break;
	}
	case JV_STRING:
		FUZZ_CHECK(json_is_string(j) && json_string_length(j) == v->len &&
			   memcmp(json_string_value(j), jscan_str(scan, v),
				  v->len) == 0,
			   "%s: string", name);
		break;
	case JV_OBJECT:
	case JV_ARRAY: {
		FUZZ_CHECK(v->type == JV_OBJECT ? json_is_object(j)
						: json_is_array(j), "%s: type", name);
		json_t *again = json_loadb(v->raw, v->rawlen,
					   flags | JSON_DECODE_ANY, NULL);
		FUZZ_CHECK(again && json_equal(again, j), "%s: raw text", name);
		json_decref(again);
		break;
	}
	}
}

/* The outputs of two scans of one record, a by sa and b by sb: the same
 * fields, the same decoded strings. */
static void same_outputs(const char *what, const struct jscan *sa,
			 const struct jvalue *a, const struct jscan *sb,
			 const struct jvalue *b)
{
	for (size_t i = 0; i < NWANTED; i++) {
		const struct jvalue *x = &a[i], *y = &b[i];
		FUZZ_CHECK(x->present == y->present && x->type == y->type &&
			   x->raw == y->raw && x->rawlen == y->rawlen &&
			   x->len == y->len && x->str_off == y->str_off &&
			   x->is_int == y->is_int && x->count == y->count &&
			   x->escaped == y->escaped,
			   "%s: %s differs", what, wanted[i]);
		FUZZ_CHECK(x->type != JV_STRING || !x->present ||
			   memcmp(jscan_str(sa, x), jscan_str(sb, y), x->len) == 0,
			   "%s: %s: string differs", what, wanted[i]);
	}
}

/* Scans rec with new scanners on each path: the SSE2 fast path and the
 * scalar scanner alone must say and give what the scan by s (the best
 * path) did: why and at (NULL: valid), its outputs v. */
static void fast_as_scalar(const struct jscan *s, const char *rec, size_t size,
			   const char *why, size_t at, const struct jvalue *v)
{
	static const enum jscan_path paths_[] = {JSCAN_SSE2, JSCAN_SCALAR};
	for (size_t k = 0; k < 2; k++) {
		struct jscan *ref = jscan_new(paths, NWANTED);
		jscan_use(ref, paths_[k]);
		struct jvalue out[NWANTED];
		size_t ref_at = 0;
		const char *ref_why = jscan_record(ref, rec, size, out, &ref_at);
		const char *what = k ? "scalar" : "sse2";
		FUZZ_CHECK(why == ref_why ||
				   (why && ref_why && strcmp(why, ref_why) == 0),
			   "%s: %s, best: %s", what,
			   ref_why ? ref_why : "valid", why ? why : "valid");
		FUZZ_CHECK(!why || at == ref_at, "%s: error at %zu, best at %zu",
			   what, ref_at, at);
		FUZZ_CHECK(!why || !jscan_fast(s), "an invalid record by the fast path");
		if (!why)
			same_outputs(what, s, v, ref, out);
		jscan_free(ref);
	}
}

/* Scans rec with the scanner kept, which remembers the keys of records
 * it scanned before, and with a new one, which cannot: both must say the
 * same, why and where included, and capture the same. */
static void in_turn_as_alone(struct jscan *kept_scan, const char *rec,
			     size_t size)
{
	struct jvalue kept[NWANTED], fresh[NWANTED];
	size_t kept_at = 0, fresh_at = 0;
	const char *why = jscan_record(kept_scan, rec, size, kept, &kept_at);
	fast_as_scalar(kept_scan, rec, size, why, kept_at, kept);
	struct jscan *ref = jscan_new(paths, NWANTED);
	const char *ref_why = jscan_record(ref, rec, size, fresh, &fresh_at);
	FUZZ_CHECK(why == ref_why || (why && ref_why && strcmp(why, ref_why) == 0),
		   "in turn: %s, alone: %s", why ? why : "valid",
		   ref_why ? ref_why : "valid");
	FUZZ_CHECK(!why || kept_at == fresh_at, "error at %zu, alone at %zu",
		   kept_at, fresh_at);
	for (size_t i = 0; !why && i < NWANTED; i++) {
		const struct jvalue *a = &kept[i], *b = &fresh[i];
		FUZZ_CHECK(a->present == b->present && a->type == b->type &&
			   a->raw == b->raw && a->rawlen == b->rawlen &&
			   a->is_int == b->is_int && a->count == b->count &&
			   a->escaped == b->escaped,
			   "%s: in turn and alone differ", wanted[i]);
		FUZZ_CHECK(a->type != JV_STRING || !a->present ||
			   (a->len == b->len &&
			    memcmp(jscan_str(kept_scan, a), jscan_str(ref, b),
				   a->len) == 0),
			   "%s: string", wanted[i]);
	}
	jscan_free(ref);
}

/* Format detection by jansson, rule by rule as docs/FORMATS.md's
 * "Detection" table gives them, in its order (the first that holds): the
 * reference format_detect_json, which reads the record with the scanner,
 * must agree with. */
static const char *jstr(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static bool str_is(json_t *o, const char *key, const char *value)
{
	const char *s = jstr(o, key);
	return s && strcmp(s, value) == 0;
}

static bool has(json_t *o, const char *key)
{
	return json_object_get(o, key) != NULL;
}

static bool begins_with(const char *s, const char *prefix)
{
	return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

static const char *detect_by_jansson(json_t *root)
{
	/* The payload: a Batch API output line's response body (beside its
	 * status code), else the record's response, else its event, else
	 * the record itself. */
	json_t *response = json_object_get(root, "response");
	json_t *o = json_object_get(response, "body");
	if (!json_is_object(o) || !has(response, "status_code"))
		o = response;
	if (!json_is_object(o))
		o = json_object_get(root, "event");
	if (!json_is_object(o))
		o = root;
	const char *type = jstr(o, "type"), *object = jstr(o, "object");
	json_t *e = json_object_get(o, "error");
	bool error = json_is_object(e);
	bool int_code = error && json_is_integer(json_object_get(e, "code"));
	bool rpc_status = int_code && json_is_string(json_object_get(e, "status")) &&
			  !has(e, "type");
	bool openai_error = error &&
			    json_is_string(json_object_get(e, "message")) &&
			    json_is_string(json_object_get(e, "type"));
	json_t *result = json_object_get(root, "result");
	if (str_is(root, "schemaType", "ModelInvocationLog"))
		return "bedrock";
	if (str_is(root, "object", "page"))
		return "openai-usage";
	if (has(root, "custom_id") &&
	    (str_is(result, "type", "succeeded") || str_is(result, "type", "errored") ||
	     str_is(result, "type", "canceled") || str_is(result, "type", "expired")))
		return "anthropic";
	if (o == root && has(root, "timestamp") && jstr(root, "provider") &&
	    jstr(root, "model"))
		return "generic";
	if (has(root, "startTime") && has(root, "response_cost") &&
	    !has(root, "timestamp"))
		return "litellm";
	if (has(root, "traceId") && has(root, "startTime") &&
	    has(root, "usageDetails") && !has(root, "timestamp"))
		return "langfuse";
	if (has(root, "sessionId") || has(root, "leafUuid") ||
	    (has(root, "uuid") && has(root, "message")) ||
	    str_is(root, "type", "file-history-snapshot"))
		return "claude-code";
	if (has(o, "usageMetadata") || has(o, "modelVersion") || rpc_status)
		return "gemini";
	if (json_is_object(json_object_get(root, "request")) &&
	    has(root, "processed_time") && !has(root, "provider"))
		return "gemini";
	if (o == root && jstr(root, "key") && int_code && !has(e, "type"))
		return "gemini";
	if ((object && (strcmp(object, "chat.completion") == 0 ||
			strcmp(object, "chat.completion.chunk") == 0 ||
			strcmp(object, "response") == 0)) ||
	    begins_with(type, "response."))
		return "openai";
	if (type && (strcmp(type, "message") == 0 || begins_with(type, "message_") ||
		     begins_with(type, "content_block_") || strcmp(type, "ping") == 0 ||
		     (strcmp(type, "error") == 0 && has(o, "error"))))
		return "anthropic";
	if (!type && openai_error)
		return "openai";
	/* A Claude Code line of only what ccusage's schema asks for. */
	if (json_is_object(json_object_get(json_object_get(root, "message"),
					   "usage")) &&
	    has(root, "timestamp") && !has(root, "provider") &&
	    !has(root, "api") && !has(root, "response") && !has(root, "event"))
		return "claude-code";
	if (has(root, "startTime") && has(root, "spend"))
		return "litellm";
	if (has(root, "request_created_at") && has(root, "response_id"))
		return "helicone";
	if (has(root, "timestamp") && has(root, "provider") && has(root, "model"))
		return "generic";
	return NULL;
}

/* The format detected from rec by the scanner must be jansson's where
 * both read rec (valid: the scanner does): jansson, as format_detect_json
 * used it (without flags), refuses \u0000 and numbers it cannot hold,
 * which the scanner takes, and the scanner refuses a record nested more
 * than 512 deep. A record the scanner refuses is not detected. */
static void detect_as_jansson(const char *rec, size_t size, bool valid)
{
	static struct format_detector *detect;
	if (!detect)
		detect = format_detector_new();
	const char *f = format_detect_json(detect, rec, size);
	FUZZ_CHECK(valid || !f, "an invalid record detected as %s", f);
	json_t *root = json_loadb(rec, size, 0, NULL);
	if (valid && json_is_object(root)) {
		const char *ref = detect_by_jansson(root);
		FUZZ_CHECK(f == ref || (f && ref && strcmp(f, ref) == 0),
			   "detected %s, by jansson %s", f ? f : "none",
			   ref ? ref : "none");
	}
	json_decref(root);
}

/* Scans the record rec (size bytes, exactly: a read past it is caught)
 * with the scanner kept and parses it with jansson: both must agree on
 * its validity, every member captured must be jansson's value at its
 * path, and the format detected from it must be the one jansson's
 * reading tells. */
static void against_jansson(const char *rec, size_t size)
{
	struct jvalue v[NWANTED];
	size_t at = 0;
	const char *why = jscan_record(scan, rec, size, v, &at);
	FUZZ_CHECK(!why || at <= size, "error offset %zu of %zu", at, size);
	fast_as_scalar(scan, rec, size, why, at, v);
	json_error_t jerr;
	json_t *root = json_loadb(rec, size, flags, &jerr);
	/* Where the two are allowed to differ: the scanner's depth limit
	 * (512) is below jansson's (2048); jansson refuses numbers a double
	 * cannot hold, which the scanner only checks for syntax; jansson
	 * takes some records with a NUL byte, which is never valid JSON; and
	 * it refuses a key holding \u0000, which is. */
	bool nul = memchr(rec, 0, size) != NULL;
	FUZZ_CHECK(!nul || why, "a record with a NUL byte is valid");
	bool exempt = nul || (why && strcmp(why, "nested too deeply") == 0) ||
		      (!root && (strstr(jerr.text, "overflow") ||
				 strstr(jerr.text, "NUL byte in object key")));
	bool jansson_ok = root && json_is_object(root);
	if (!exempt)
		FUZZ_CHECK((why == NULL) == jansson_ok,
			   "scanner: %s, jansson: %s", why ? why : "valid",
			   jansson_ok ? "valid" : root ? "not an object" : jerr.text);
	/* Repeated keys: jansson keeps the last member, and so must the
	 * scanner's captures, also below a replaced object. */
	if (!why && jansson_ok)
		for (size_t i = 0; i < NWANTED; i++)
			compare(wanted[i], &v[i], at_path(root, &paths[i]));
	json_decref(root);
	detect_as_jansson(rec, size, !why);
}

/* Reads the line at text (n bytes long, newline: one follows; size
 * bytes readable) with lines, a scanner kept from line to line, as the
 * generic format reads a log: jscan_line tells the line's end, or cannot
 * (0), and lines then scans the line by jscan_record. A line told must be
 * this one, followed by its newline, a valid record whose outputs are
 * the scalar scanner's. */
static void line_as_scalar(struct jscan *lines, const char *text, size_t size,
			   size_t n, bool newline)
{
	static struct jvalue v[NWANTED]; /* one array: a shape's outputs */
	size_t at, told = jscan_line(lines, text, size, v);
	if (!told) {
		jscan_record(lines, text, n, v, &at);
		return;
	}
	FUZZ_CHECK(newline && told == n, "line told %zu bytes, newline at %zu%s",
		   told, n, newline ? "" : " (none)");
	struct jscan *ref = jscan_new(paths, NWANTED);
	jscan_use(ref, JSCAN_SCALAR);
	struct jvalue out[NWANTED];
	const char *why = jscan_record(ref, text, n, out, &at);
	FUZZ_CHECK(!why, "a line told, the scalar scanner: %s", why);
	same_outputs("line told", lines, v, ref, out);
	jscan_free(ref);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!scan) {
		for (size_t i = 0; i < NWANTED; i++)
			FUZZ_CHECK(jpath_init(&paths[i], wanted[i]) == 0, "%s",
				   wanted[i]);
		struct jpath deep;
		FUZZ_CHECK(jpath_init(&deep, "a.b.c.d.e.f.g.h.i") != 0,
			   "a path of 9 components taken");
		scan = jscan_new(paths, NWANTED);
	}
	/* A copy of exactly size bytes, so that a read past the record is
	 * caught. */
	char *rec = br_malloc(size ? size : 1);
	memcpy(rec, data, size);
	against_jansson(rec, size);
	/* The record again, now that its keys are remembered; and each of
	 * its lines in turn as the records of one log, to a scanner of its
	 * own. */
	in_turn_as_alone(scan, rec, size);
	struct jscan *log = jscan_new(paths, NWANTED),
		     *lines = jscan_new(paths, NWANTED);
	for (size_t i = 0; i < size;) {
		const char *nl = memchr(rec + i, '\n', size - i);
		size_t n = nl ? (size_t)(nl - (rec + i)) : size - i;
		line_as_scalar(lines, rec + i, size - i, n, nl != NULL);
		char *line = br_malloc(n ? n : 1);
		memcpy(line, rec + i, n);
		in_turn_as_alone(log, line, n);
		against_jansson(line, n);
		free(line);
		i += n + 1;
	}
	jscan_free(log);
	jscan_free(lines);
	free(rec);
	return 0;
}
