/* formats.c - the JSONL logs of APIs and tools: OpenAI (Chat Completions,
 * Responses, streamed chunks), Anthropic (Messages and their stream events),
 * Gemini (usageMetadata, Gemini API and Vertex), Bedrock model invocation
 * logs, Claude Code sessions, the OpenAI organization Usage API, and the
 * JSONL forms of LiteLLM spend logs and Helicone requests. Field sources and
 * the mapping of each are in docs/FORMATS.md.
 *
 * These records are parsed whole with jansson: they are large objects of
 * which a handful of members matter, and a log of them is far smaller than
 * the generic logs the selective scanner exists for. */
#include <float.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ingest/ingest_internal.h"

/* ------------------------------------------------------------ JSON access */

/* The member at a dotted path of object keys, or NULL. */
static json_t *jget(json_t *o, const char *path)
{
	char key[64];
	while (o && *path) {
		const char *dot = strchr(path, '.');
		size_t n = dot ? (size_t)(dot - path) : strlen(path);
		if (n >= sizeof key || !json_is_object(o))
			return NULL;
		memcpy(key, path, n);
		key[n] = 0;
		o = json_object_get(o, key);
		path += n + (dot != NULL);
	}
	return o;
}

/* Whether o has a member at path that is not null: a null member is
 * absent, as a null count is 0. */
static bool jhas(json_t *o, const char *path)
{
	json_t *v = jget(o, path);
	return v && !json_is_null(v);
}

/* The string at path, or NULL when absent, null or not a string. */
static const char *jstr(json_t *o, const char *path)
{
	json_t *v = jget(o, path);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static bool str_is(json_t *o, const char *path, const char *value)
{
	const char *s = jstr(o, path);
	return s && strcmp(s, value) == 0;
}

static struct br_str jslice(json_t *o, const char *path)
{
	json_t *v = jget(o, path);
	if (!json_is_string(v))
		return (struct br_str){"", 0};
	return (struct br_str){json_string_value(v), json_string_length(v)};
}

/* A record being mapped: its root, the JSON text it was parsed from (a
 * JSONL line; NULL for a CSV row, made of its cells), the reason it is
 * rejected (the first problem wins) and a buffer for that reason. */
struct rec {
	json_t *root;
	const char *text;
	size_t len;
	int short_digits; /* short_digits(): 0 not yet told, 1 yes, -1 no */
	const char *why;
	bool time_mapped; /* --map timestamp names its time's place */
	char buf[160];
};

static void bad(struct rec *r, const char *fmt, ...) BR_PRINTF(2, 3);
static void bad(struct rec *r, const char *fmt, ...)
{
	if (r->why)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->buf, sizeof r->buf, fmt, ap);
	va_end(ap);
	r->why = r->buf;
}

/* Rejects r for the reason why, that its format's time is missing,
 * unless --map timestamp names another place for it: apply_maps reads
 * it there, and rejects the record if it is missing there too. The
 * format's own place rejected it first, the mapped time never read. */
static void no_time(struct rec *r, const char *why)
{
	if (!r->time_mapped)
		bad(r, "%s", why);
}

/* Appends to path the dotted keys that lead from o to v through objects
 * (none with a dot, which a path cannot name; at most a jpath's
 * components); returns whether they do. */
static bool path_to(json_t *o, json_t *v, struct br_buf *path, int depth)
{
	if (!json_is_object(o) || depth == JPATH_MAX_COMP)
		return false;
	size_t at = path->len;
	const char *key;
	json_t *m;
	json_object_foreach(o, key, m) {
		if (strchr(key, '.'))
			continue;
		path->len = at;
		br_buf_printf(path, "%s%s", at ? "." : "", key);
		if (m == v || path_to(m, v, path, depth + 1))
			return true;
	}
	path->len = at;
	return false;
}

/* The text of the number v, a value of root, in text (len bytes), the
 * JSON root was parsed from: as the generic format reads a number, by
 * its scanner (jscan, which keeps the last of repeated keys as jansson
 * does), at v's path from root. A double loses what the text says:
 * 1756684799.9999999 is 1756684800, 399.99999999999999999 is 400. {0}
 * when v cannot be found so: inside an array, under a key with a dot, or
 * deeper than a jpath reaches. */
static struct br_str number_in(const char *text, size_t len, json_t *root,
			       json_t *v)
{
	struct br_str raw = {0};
	struct br_buf path = {0};
	struct jpath jp;
	if (text && path_to(root, v, &path, 0) && jpath_init(&jp, path.p) == 0) {
		struct jscan *scan = jscan_new(&jp, 1);
		struct jvalue out;
		size_t at;
		if (!jscan_record(scan, text, len, &out, &at) && out.present &&
		    out.type == JV_NUMBER)
			raw = (struct br_str){out.raw, out.rawlen};
		jscan_free(scan);
	}
	br_buf_free(&path);
	return raw;
}

/* Whether no run of digits in the n bytes at s, points among them (a
 * number's significant digits and more), is longer than DBL_DIG, and no
 * exponent is of -100 or below: then each real number they hold has at
 * most DBL_DIG significant digits and is no subnormal, nor one that
 * underflows to 0 (1e-400), and its double printed to DBL_DIG digits
 * gives it back exactly (C11 5.2.4.2.2). */
static bool digits_short(const char *s, size_t n)
{
	size_t run = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c - (unsigned)'0' <= 9) {
			if (++run > DBL_DIG)
				return false;
		} else if (c != '.') {
			run = 0;
		}
		if ((c == 'e' || c == 'E') && i + 4 < n && s[i + 1] == '-' &&
		    (unsigned char)s[i + 2] - (unsigned)'0' <= 9 &&
		    (unsigned char)s[i + 3] - (unsigned)'0' <= 9 &&
		    (unsigned char)s[i + 4] - (unsigned)'0' <= 9)
			return false;
	}
	return true;
}

/* digits_short of r's text, told once; a CSV row tells it of its cells
 * (format_map_csv_row). */
static bool short_digits(struct rec *r)
{
	if (!r->short_digits)
		r->short_digits = r->text && digits_short(r->text, r->len) ? 1 : -1;
	return r->short_digits > 0;
}

#define REAL_BUFSZ 32

/* The decimal text of the real v of r's record, exactly the number the
 * record writes (not a double's rounding of it): printed from its double
 * into buf (REAL_BUFSZ bytes) when the record's digits are short enough
 * for that (short_digits: the usual record, read in no time), else its
 * own text in the record (number_in). {0} when v is not a real, or for
 * a long number that number_in cannot find (in a JSON array, in a CSV
 * row's cell). */
static struct br_str jreal_text(struct rec *r, json_t *v, char *buf)
{
	if (!json_is_real(v))
		return (struct br_str){0};
	double d = json_real_value(v);
	if (short_digits(r) && (d == 0 || fabs(d) >= DBL_MIN)) {
		int n = snprintf(buf, REAL_BUFSZ, "%.*g", DBL_DIG, d);
		return (struct br_str){buf, (size_t)n};
	}
	return number_in(r->text, r->len, r->root, v);
}

/* Rejects the record for value v at path, named in the reason as JSON (cut
 * at 40 bytes): a real as the record has it (jreal_text), not as its
 * double prints. why follows. */
static void bad_value(struct rec *r, const char *what, const char *path,
		      json_t *v, const char *why)
{
	struct br_str raw = json_is_real(v) ? number_in(r->text, r->len, r->root, v)
					    : (struct br_str){0};
	char *dump = raw.n ? NULL : json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
	const char *text = raw.n ? raw.p : dump ? dump : "";
	size_t n = raw.n ? raw.n : strlen(text);
	bad(r, "invalid %s %s %.*s%s: %s", what, path, (int)(n > 40 ? 40 : n),
	    text, n > 40 ? "..." : "", why);
	free(dump);
}

/* Rejects record r when its usage member name, v, is present but neither
 * an object nor null (a string, a number, an array), as the generic
 * format rejects it: its request counted no tokens, $0, unseen. */
static void usage_shape(struct rec *r, json_t *v, const char *name)
{
	if (v && !json_is_object(v) && !json_is_null(v))
		bad(r, "invalid %s: not an object", name);
}

/* A token count, v (NULL when absent; a value that is none rejects the
 * record, named name): absent or null is 0; otherwise a non-negative
 * integer (a whole-valued real, as some loggers write, is accepted: read
 * from its text, 12.0000000000000000001 is not one; in a CSV row's JSON,
 * from its double). */
static uint64_t jcount_named(struct rec *r, json_t *v, const char *name)
{
	if (!v || json_is_null(v))
		return 0;
	if (json_is_integer(v) && json_integer_value(v) >= 0)
		return (uint64_t)json_integer_value(v);
	uint64_t n;
	if (json_is_string(v) && (json_string_length(v) == 0 ||
				  parse_count(json_string_value(v),
					      json_string_length(v), &n)))
		return json_string_length(v) ? n : 0; /* a CSV cell */
	char buf[REAL_BUFSZ];
	struct br_str text = jreal_text(r, v, buf);
	if (text.n && br_decimal_whole(text.p, text.n, &n))
		return n;
	if (json_is_real(v) && !text.n && json_real_value(v) >= 0 &&
	    json_real_value(v) < 9e15 &&
	    json_real_value(v) == (double)(uint64_t)json_real_value(v))
		return (uint64_t)json_real_value(v);
	bad_value(r, "count", name, v, "expected a non-negative integer");
	return 0;
}

/* The token count at path in o (jcount_named, named by its path). */
static uint64_t jcount(struct rec *r, json_t *o, const char *path)
{
	return jcount_named(r, jget(o, path), path);
}

static uint64_t sub0(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

/* The decimal text of a JSON number: a real's own in r's record
 * (jreal_text); else as it was most likely written, into text: an
 * integer's digits, a real's shortest fixed-point form that reads back as
 * the same double (1756684799.123, not 1756684799.1229999). Empty for
 * such a real too large to be an epoch number. */
static struct br_str number_text(struct rec *r, json_t *v, char *text,
				 size_t size)
{
	struct br_str raw = jreal_text(r, v, text);
	if (raw.n)
		return raw;
	int n = -1;
	if (json_is_integer(v)) {
		n = snprintf(text, size, "%lld", (long long)json_integer_value(v));
	} else {
		double d = json_real_value(v);
		if (!(d > -1e17 && d < 1e17))
			return (struct br_str){text, 0};
		for (int prec = 0; prec <= 9; prec++) {
			n = snprintf(text, size, "%.*f", prec, d);
			if (n > 0 && (size_t)n < size && strtod(text, NULL) == d)
				break;
		}
	}
	return (struct br_str){text, n > 0 && (size_t)n < size ? (size_t)n : 0};
}

/* A timestamp at path: an RFC 3339 string or an epoch number (seconds,
 * milliseconds above 1e11), read by br_time_parse as the generic format
 * reads them (docs/FORMATS.md: one parser for every format). Returns
 * false when absent (the caller may try another field). */
static bool jtime(struct rec *r, json_t *o, const char *path, int64_t *us)
{
	json_t *v = jget(o, path);
	if (!v || json_is_null(v))
		return false;
	if (json_is_string(v)) {
		const char *why = br_time_parse(json_string_value(v),
						json_string_length(v), us);
		if (why)
			bad_value(r, "timestamp", path, v, why);
		return true;
	}
	if (json_is_number(v)) {
		char buf[64];
		struct br_str text = number_text(r, v, buf, sizeof buf);
		const char *why = text.n ? br_time_parse(text.p, text.n, us)
				       : "outside years 0000 to 9999 (UTC)";
		if (why)
			bad_value(r, "timestamp", path, v, why);
		return true;
	}
	bad_value(r, "timestamp", path, v,
		  "expected RFC 3339 text or an epoch number");
	return true;
}

/* Reads the cost at path into ev, in USD, or in USD x 10^-scale when scale
 * is not 0 (an integer count of nano-dollars: scale 9). A real is read
 * as the record writes it (jreal_text), as the generic format reads
 * costs: 0.0000000000005 is one pico-dollar, rounded half up; its double
 * printed, 4.9999999999999999e-13, was none. */
static void jcost_scaled(struct rec *r, json_t *o, const char *path, int scale,
			 struct br_event *ev)
{
	json_t *v = jget(o, path);
	if (!v || json_is_null(v))
		return;
	char buf[64];
	struct br_str text = scale ? (struct br_str){0} : jreal_text(r, v, buf);
	if (!text.n) {
		int n = -1;
		if (json_is_integer(v))
			n = snprintf(buf, sizeof buf, "%lld",
				     (long long)json_integer_value(v));
		else if (json_is_real(v) && !scale)
			n = snprintf(buf, sizeof buf, "%.17g", json_real_value(v));
		else if (json_is_string(v))
			n = snprintf(buf, sizeof buf, "%s", json_string_value(v));
		/* A scaled cost is a count: digits only, then its exponent. */
		bool count = n > 0 && strspn(buf, "0123456789") == (size_t)n;
		if (scale && count)
			n += snprintf(buf + n, sizeof buf - (size_t)n, "e-%d", scale);
		bool ok = n > 0 && (size_t)n < sizeof buf && (count || !scale);
		text = (struct br_str){buf, ok ? (size_t)n : 0};
	}
	if (!text.n || br_money_parse(text.p, text.n, &ev->logged_cost) != 0) {
		bad(r, "invalid cost in %s", path);
		return;
	}
	ev->has_logged_cost = true;
}

static void jcost(struct rec *r, json_t *o, const char *path,
		  struct br_event *ev)
{
	jcost_scaled(r, o, path, 0, ev);
}

/* The service tier a string at path names (none: as it is); one with a
 * \u0000 is no tier, not the one before it. */
static void set_tier(struct rec *r, json_t *o, const char *path,
		     struct br_event *ev)
{
	struct br_str tier = jslice(o, path);
	if (!tier.n)
		return;
	if (memchr(tier.p, '\0', tier.n)) {
		bad(r, "invalid service_tier: holds \\u0000");
		return;
	}
	int t = br_tier_parse_logged(tier.p, tier.n);
	if (t < 0)
		bad(r, "unknown service tier '%.40s'", tier.p);
	ev->tier = t < 0 ? BR_TIER_STANDARD : (enum br_tier)t;
}

/* -------------------------------------------------------- held events */

/* Events held until the input's end so that the copies of one request can
 * be merged: strings are kept as ids of the parser's dictionary, since the
 * record they came from is gone by then. */
struct held_ev {
	int64_t ts_us;
	uint32_t provider, model, agent, label, request_id, msgid;
	enum br_tier tier;
	bool error, has_logged_cost, sidechain, dropped, cost_only;
	struct br_tokens tokens;
	br_pico logged_cost;
	uint64_t requests;
};

/* How a copy merges into the event held under its key: the copy with the
 * most tokens, the largest of each count, the largest of each count as a
 * Gemini response gives them (MERGE_MAX_PROMPT, merge), or the last copy
 * (an aggregate row fetched again: upserted). */
enum merge { MERGE_MAX_TOTAL, MERGE_MAX_FIELD, MERGE_MAX_PROMPT, MERGE_LAST };

struct held {
	struct br_dict *strings;
	struct br_dict *keys;  /* merge keys */
	size_t *key_event;     /* per key id: index into v */
	struct held_ev *v;
	size_t n, cap, kcap;
};

static uint32_t keep_str(struct held *h, struct br_str s)
{
	return br_dict_intern(h->strings, s.p ? s.p : "", s.n);
}

static uint64_t tokens_total(const struct br_tokens *t)
{
	return t->input + t->output + t->cache_read + t->cache_write +
	       t->cache_write_1h;
}

static void max_into(uint64_t *a, uint64_t b)
{
	if (b > *a)
		*a = b;
}

/* Merges copy e into the held event old. A copy of the main conversation
 * keeps the merged event the main one's, whichever copy's counts it takes:
 * a subagent's copy of the same message and request, larger, made it a
 * sidechain copy, and a later replay of the message under another request
 * id was then not dropped beside it (Claude Code). */
static void merge(struct held *h, struct held_ev *old, const struct held_ev *e,
		  enum merge how)
{
	bool sidechain = old->sidechain && e->sidechain;
	if (how == MERGE_LAST ||
	    (how == MERGE_MAX_TOTAL &&
	     tokens_total(&e->tokens) > tokens_total(&old->tokens)))
		*old = *e;
	old->sidechain = sidechain;
	if (how != MERGE_MAX_FIELD && how != MERGE_MAX_PROMPT)
		return;
	struct br_tokens *t = &old->tokens;
	if (how == MERGE_MAX_PROMPT) {
		/* A Gemini stream's chunks each give the prompt, its cached
		 * part, the candidates and the thoughts so far, any of them
		 * missing from some chunks: the cached count may come only on
		 * the last chunk, or only on the early ones (Vertex). The
		 * largest of input (prompt - cached, per chunk) beside the
		 * largest of cached would count the cached part twice, as
		 * uncached input of a chunk without it: the prompt (input +
		 * cache read), the cached count, the candidates (output -
		 * reasoning) and the thoughts merge each, and input and
		 * output are made of them again. */
		uint64_t prompt = t->input + t->cache_read;
		uint64_t candidates = sub0(t->output, t->reasoning);
		max_into(&prompt, e->tokens.input + e->tokens.cache_read);
		max_into(&candidates, sub0(e->tokens.output, e->tokens.reasoning));
		max_into(&t->cache_read, e->tokens.cache_read);
		max_into(&t->reasoning, e->tokens.reasoning);
		t->input = sub0(prompt, t->cache_read);
		t->output = candidates + t->reasoning;
	} else {
		max_into(&t->input, e->tokens.input);
		max_into(&t->output, e->tokens.output);
		max_into(&t->cache_read, e->tokens.cache_read);
	}
	/* Cache writes merge as a total and its 1-hour part: Anthropic's
	 * message_delta reports cache_creation_input_tokens (cumulative, both
	 * TTLs) without message_start's 5m/1h breakdown, so the largest of
	 * each field would count the 1-hour writes twice. */
	uint64_t writes = t->cache_write + t->cache_write_1h;
	max_into(&writes, e->tokens.cache_write + e->tokens.cache_write_1h);
	max_into(&t->cache_write_1h, e->tokens.cache_write_1h);
	t->cache_write = writes - t->cache_write_1h;
	max_into(&t->reasoning, e->tokens.reasoning);
	if (e->ts_us < old->ts_us)
		old->ts_us = e->ts_us;
	old->error |= e->error;
	/* A stream's message_delta names no model, so its provider is a
	 * guess: the copy that names the model names the provider too. */
	if (!br_dict_str(h->strings, old->model, NULL)[0]) {
		old->model = e->model;
		old->provider = e->provider;
	}
	if (e->tier != BR_TIER_STANDARD)
		old->tier = e->tier;
}

/* Holds ev under key (an empty key holds it alone), merging it with an
 * earlier copy of the same key. */
static void hold(struct held *h, struct br_str key, const struct br_event *ev,
		 enum merge how, bool sidechain, struct br_str msgid)
{
	if (!h->strings) {
		h->strings = br_dict_new();
		h->keys = br_dict_new();
	}
	struct held_ev e = {
		.ts_us = ev->ts_us,
		.provider = keep_str(h, ev->provider),
		.model = keep_str(h, ev->model),
		.agent = keep_str(h, ev->agent),
		.label = keep_str(h, ev->label),
		.request_id = keep_str(h, ev->request_id),
		.msgid = keep_str(h, msgid),
		.tier = ev->tier,
		.error = ev->error,
		.has_logged_cost = ev->has_logged_cost,
		.sidechain = sidechain,
		.cost_only = ev->cost_only,
		.tokens = ev->tokens,
		.logged_cost = ev->logged_cost,
		.requests = ev->requests,
	};
	if (key.n) {
		uint32_t before = br_dict_count(h->keys);
		uint32_t id = br_dict_intern(h->keys, key.p, key.n);
		if (br_dict_count(h->keys) == before) {
			merge(h, &h->v[h->key_event[id]], &e, how);
			return;
		}
		if (id >= h->kcap) {
			h->kcap = h->kcap ? h->kcap * 2 : 64;
			h->key_event = br_realloc(h->key_event,
						  h->kcap * sizeof *h->key_event);
		}
		h->key_event[id] = h->n;
	}
	if (h->n == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 64;
		h->v = br_realloc(h->v, h->cap * sizeof *h->v);
	}
	h->v[h->n++] = e;
}

static void held_free(struct held *h)
{
	br_dict_free(h->strings);
	br_dict_free(h->keys);
	free(h->key_event);
	free(h->v);
	*h = (struct held){0};
}

static struct br_str held_str(const struct held *h, uint32_t id)
{
	size_t n;
	const char *s = br_dict_str(h->strings, id, &n);
	return (struct br_str){s, n};
}

/* Hands every held event to the sink, dropping sidechain copies of a
 * message the main conversation also has, or an earlier sidechain copy
 * under another request id (Claude Code: a /btw side question's log
 * replays the parent's messages under new request ids, as ccusage 20
 * counts them; two side questions replay the same ones). */
static void release(struct held *h, const struct format_sink *sink)
{
	if (!h->strings)
		return;
	/* Per message id: 1, a main copy; 2, a sidechain copy kept. */
	uint8_t *msg = br_calloc(br_dict_count(h->strings) + 1, sizeof *msg);
	for (size_t i = 0; i < h->n; i++)
		if (!h->v[i].sidechain)
			msg[h->v[i].msgid] = 1;
	for (size_t i = 0; i < h->n; i++) {
		const struct held_ev *e = &h->v[i];
		struct br_str msgid = held_str(h, e->msgid);
		if (e->sidechain && msgid.n) {
			if (msg[e->msgid])
				continue;
			msg[e->msgid] = 2;
		}
		struct br_event ev = {
			.ts_us = e->ts_us,
			.provider = held_str(h, e->provider),
			.model = held_str(h, e->model),
			.agent = held_str(h, e->agent),
			.label = held_str(h, e->label),
			.request_id = held_str(h, e->request_id),
			.tier = e->tier,
			.error = e->error,
			.tokens = e->tokens,
			.has_logged_cost = e->has_logged_cost,
			.logged_cost = e->logged_cost,
			.requests = e->requests,
			.cost_only = e->cost_only,
			.sidechain = e->sidechain,
			.message_id = msgid,
		};
		if (!ev.model.n) /* a failed request that never named one */
			ev.model = (struct br_str){"unknown", 7};
		sink->event(sink->ctx, &ev);
	}
	free(msg);
	held_free(h);
}

/* ------------------------------------------------------------- envelope */

/* API responses are logged inside an envelope that adds what a response
 * lacks: {logged_at, agent, team, http_status, request_id|x_request_id,
 * response|event: {...}}. A bare response is its own envelope. */
static json_t *batch_response(json_t *root);

static json_t *payload(json_t *root)
{
	json_t *p = json_object_get(root, "response");
	if (batch_response(root))
		return json_object_get(p, "body");
	if (json_is_object(p))
		return p;
	p = json_object_get(root, "event");
	return json_is_object(p) ? p : root;
}

/* The response of a line of OpenAI's Batch API output file ({id,
 * custom_id, response: {status_code, request_id, body}, error}), or NULL:
 * its body is the payload, a Chat Completion or a Response. */
static json_t *batch_response(json_t *root)
{
	json_t *p = json_object_get(root, "response");
	return json_is_object(p) && json_object_get(p, "status_code") &&
	       json_is_object(json_object_get(p, "body")) ? p : NULL;
}

/* Whether a status value tells a failed request, as the generic format's
 * status does: a number >= 400 (503, 503.0), a string of digits >= 400
 * ("503", as loggers that write every value as text have it) or error,
 * failed, failure in any case; a bool, null, object or array is not. */
static bool jstatus_is_error(struct rec *r, json_t *v)
{
	if (json_is_integer(v))
		return json_integer_value(v) >= 400;
	char buf[REAL_BUFSZ];
	struct br_str text = jreal_text(r, v, buf);
	if (text.n) /* exactly: 399.99999999999999999 is below 400 */
		return json_number_is_error(text.p, text.n);
	if (json_is_real(v))
		return json_real_value(v) >= 400;
	return json_is_string(v) &&
	       status_is_error(json_string_value(v), json_string_length(v));
}

/* Fills the envelope's fields of ev: agent (agent, else metadata.agent),
 * label (team), error (http_status >= 400), request id, and the time when
 * the payload has none. */
static void envelope(struct rec *r, json_t *root, struct br_event *ev)
{
	ev->agent = jslice(root, "agent");
	if (!ev->agent.n)
		ev->agent = jslice(payload(root), "metadata.agent");
	ev->label = jslice(root, "team");
	if (jstatus_is_error(r, json_object_get(root, "http_status")))
		ev->error = true;
	ev->request_id = jslice(root, "request_id");
	if (!ev->request_id.n)
		ev->request_id = jslice(root, "x_request_id");
	if (!ev->ts_us && !jtime(r, root, "logged_at", &ev->ts_us) &&
	    !jtime(r, root, "timestamp", &ev->ts_us))
		no_time(r, "missing timestamp (no created time and no logged_at)");
}

/* ---------------------------------------------------------------- formats */

struct api_parser;
static void apply_maps(const struct api_parser *p, struct rec *r,
		       struct br_event *ev);

struct api_parser {
	struct format_parser base;
	const struct format_maps *maps; /* --map overrides, or NULL */
	int (*map)(struct api_parser *p, struct rec *r, struct br_event *ev);
	struct held held;
	struct br_dict *outside; /* keys of results rejected outside a
				  * backfill's range (a copy is not again) */
	struct br_buf fast_model; /* the record's model in fast mode */
	/* Anthropic: the stream of the input's last message_start, which a
	 * stream event without an id joins (map_anthropic), while open. */
	struct br_buf stream_key, stream_id; /* its hold key and request id */
	uint64_t streams;                     /* message_starts held */
	bool stream_open;
	/* The input's last message_start was rejected, and no message_stop
	 * ended its stream since; the request ids of those rejected. */
	bool stream_rejected;
	struct br_dict *rejected_starts;
	char reason[200];
};

/* Why the driver would refuse ev as it is (format_sink.refuses: a name
 * too long, a token count or cost beyond a record's caps), or NULL. A
 * format asks before it holds or hands over an event that is not the
 * record's only one, so that the record is rejected whole, at its line. */
static const char *refused(struct api_parser *p, struct br_event *ev)
{
	const struct format_sink *sink = &p->base.sink;
	return sink->refuses ? sink->refuses(sink->ctx, ev) : NULL;
}

/* Holds ev under key (hold), unless the driver refuses it: then the
 * record is rejected. Returns what the format's line() returns. */
static int hold_event_at(struct api_parser *p, struct rec *r, struct br_event *ev,
			 struct br_str key, enum merge how, bool sidechain,
			 struct br_str msgid)
{
	const char *why = refused(p, ev);
	if (why) {
		bad(r, "%s", why);
		return FORMAT_RECORD;
	}
	hold(&p->held, key, ev, how, sidechain, msgid);
	return FORMAT_EMITTED;
}

/* Holds ev under its request id (hold_event_at). */
static int hold_event(struct api_parser *p, struct rec *r, struct br_event *ev,
		      enum merge how, bool sidechain, struct br_str msgid)
{
	return hold_event_at(p, r, ev, ev->request_id, how, sidechain, msgid);
}

/* --map CANON=PATH: the mapped fields, read from their paths in the
 * record (for a CSV export, COLUMN.PATH reaches inside a JSON column). */
static void apply_maps(const struct api_parser *p, struct rec *r,
		       struct br_event *ev)
{
	if (!p->maps)
		return;
	uint64_t *counts[] = {
		[CANON_INPUT] = &ev->tokens.input,
		[CANON_OUTPUT] = &ev->tokens.output,
		[CANON_CACHE_READ] = &ev->tokens.cache_read,
		[CANON_CACHE_WRITE] = &ev->tokens.cache_write,
		[CANON_CACHE_WRITE_1H] = &ev->tokens.cache_write_1h,
		[CANON_REASONING] = &ev->tokens.reasoning,
	};
	struct br_str *strs[] = {
		[CANON_PROVIDER] = &ev->provider, [CANON_MODEL] = &ev->model,
		[CANON_AGENT] = &ev->agent,       [CANON_LABEL] = &ev->label,
		[CANON_REQUEST_ID] = &ev->request_id,
	};
	for (int f = 0; f < CANON_COUNT; f++) {
		const char *path = p->maps->path[f];
		if (!path)
			continue;
		json_t *v = jget(r->root, path);
		switch (f) {
		case CANON_TIMESTAMP:
			if (!jtime(r, r->root, path, &ev->ts_us))
				bad(r, "missing %s (--map timestamp)", path);
			break;
		case CANON_STATUS:
			ev->error = jstatus_is_error(r, v);
			break;
		case CANON_TIER:
			ev->tier = BR_TIER_STANDARD;
			set_tier(r, r->root, path, ev);
			break;
		case CANON_COST:
			ev->has_logged_cost = false;
			jcost(r, r->root, path, ev);
			break;
		default:
			if (f >= CANON_INPUT && f <= CANON_REASONING)
				*counts[f] = jcount(r, r->root, path);
			else
				*strs[f] = jslice(r->root, path);
		}
	}
}

/* Tells whether a Responses stream event of type t ends its response:
 * only those carry its final usage and status. */
static bool response_done(const char *t)
{
	return strcmp(t, "response.completed") == 0 ||
	       strcmp(t, "response.incomplete") == 0 ||
	       strcmp(t, "response.failed") == 0 ||
	       strcmp(t, "response.cancelled") == 0;
}

/* xAI's usage (Grok's, in OpenAI's shape) counts reasoning beside
 * completion_tokens, where OpenAI's counts it inside: its total_tokens
 * is prompt + completion + reasoning (663 + 50 + 124 = 837 in Google's
 * example of Grok on Vertex), and xAI bills the reasoning at the output
 * rate. When total_tokens says so (in the prompt tokens, ev's output
 * and reasoning as read), the reasoning is added to the output; a total
 * of prompt + completion (OpenAI's, or a router's that added it in) or
 * none leaves the output as it is. Proxies that give Gemini's answers
 * OpenAI's shape with its thoughts as the reasoning only write the same
 * total. The reasoning was lost: neither counted nor priced. */
static void reasoning_beside(struct rec *r, json_t *usage, uint64_t in,
			     struct br_event *ev)
{
	uint64_t out = ev->tokens.output, rs = ev->tokens.reasoning;
	if (!rs || !jhas(usage, "total_tokens"))
		return;
	uint64_t total = jcount(r, usage, "total_tokens");
	if (in <= UINT64_MAX - out - rs && total == in + out + rs)
		ev->tokens.output = out + rs;
}

/* OpenAI: Chat Completions (and their streamed chunks: those without usage
 * are skipped; those with it, one at the end by default, or every one with
 * the running usage under vLLM's continuous_usage_stats or a proxy that
 * copies it, merge per request id: the chunk with the most tokens counts)
 * and Responses (and their stream's events: only the last one,
 * response.completed or another end, counts; the others carry no usage). */
static struct br_str infer_provider(struct br_str model);

static int map_openai(struct api_parser *p, struct rec *r, struct br_event *ev)
{
	json_t *o = payload(r->root);
	/* A stream event is the record, or in an envelope's event. */
	json_t *event = json_object_get(r->root, "event");
	json_t *e = json_is_object(event) ? event : r->root;
	const char *type = jstr(e, "type");
	/* A Responses stream's error event (code and message beside its
	 * type, no error object): the response.failed after it counts the
	 * failed request. It was rejected, "missing model". */
	if (type && strcmp(type, "error") == 0 &&
	    json_object_get(e, "sequence_number") &&
	    !json_object_get(e, "error"))
		return FORMAT_EMITTED;
	if (type && strncmp(type, "response.", 9) == 0) {
		/* response.created, .in_progress, deltas: the request is not
		 * over (usage null), not failed. */
		if (!response_done(type))
			return FORMAT_EMITTED;
		json_t *resp = json_object_get(e, "response");
		if (!json_is_object(resp)) {
			bad(r, "%s event without its response", type);
			return FORMAT_RECORD;
		}
		o = resp;
	}
	json_t *usage = json_object_get(o, "usage");
	usage_shape(r, usage, "usage");
	if (r->why)
		return FORMAT_RECORD;
	const char *object = jstr(o, "object");
	bool chunk = object && strcmp(object, "chat.completion.chunk") == 0;
	if (chunk && !json_is_object(usage))
		return FORMAT_EMITTED; /* a chunk before the last one */
	/* A background Response is answered queued and polled until it
	 * ends: the copies logged before (queued, in_progress, usage null)
	 * are not over, as a stream's response.created. Counted, the first
	 * was a failed request without tokens, and the completed copy under
	 * its id was dropped as a duplicate, its tokens with it. */
	const char *status = jstr(o, "status");
	if (object && strcmp(object, "response") == 0 && status &&
	    (strcmp(status, "queued") == 0 || strcmp(status, "in_progress") == 0))
		return FORMAT_EMITTED;
	ev->model = jslice(o, "model");
	/* Other APIs answer in OpenAI's shape (DeepSeek, xAI, Mistral, the
	 * Gemini API's OpenAI endpoint, OpenRouter's provider/model): their
	 * models are theirs, at their prices ("deepseek-chat" was
	 * openai/deepseek-chat, unpriced). */
	ev->provider = infer_provider(ev->model);
	if (!ev->provider.n)
		ev->provider = (struct br_str){"openai", 6};
	if (!jtime(r, o, "created", &ev->ts_us))
		jtime(r, o, "created_at", &ev->ts_us);
	envelope(r, r->root, ev);
	struct br_str id = jslice(o, "id");
	if (id.n)
		ev->request_id = id;
	set_tier(r, o, "service_tier", ev);
	json_t *batch = batch_response(r->root);
	if (batch) { /* run by the Batch API, billed at its rates */
		ev->tier = BR_TIER_BATCH;
		if (jstatus_is_error(r, json_object_get(batch, "status_code")))
			ev->error = true;
	}
	if ((status && (strcmp(status, "failed") == 0 ||
			strcmp(status, "cancelled") == 0)) ||
	    json_is_object(json_object_get(o, "error")))
		ev->error = true;
	if (!ev->model.n && json_is_object(json_object_get(o, "error")))
		ev->model = (struct br_str){"unknown", 7};
	if (json_is_object(usage)) {
		/* Chat usage names prompt_tokens, Responses input_tokens. A
		 * null one is absent: a Responses usage beside a null
		 * prompt_tokens (a proxy that writes both shapes' keys) was
		 * read as chat, all its counts 0 ($0). */
		bool chat = jhas(usage, "prompt_tokens") ||
			    (!jhas(usage, "input_tokens") &&
			     jhas(usage, "completion_tokens"));
		uint64_t in = jcount(r, usage, chat ? "prompt_tokens" : "input_tokens");
		const char *det = chat ? "prompt_tokens_details" : "input_tokens_details";
		json_t *d = json_object_get(usage, det);
		/* DeepSeek names its cache hits prompt_cache_hit_tokens. */
		uint64_t cached = jhas(d, "cached_tokens") || !chat
					  ? jcount(r, d, "cached_tokens")
					  : jcount(r, usage, "prompt_cache_hit_tokens");
		uint64_t write = jcount(r, d, "cache_write_tokens");
		ev->tokens.cache_read = cached;
		ev->tokens.cache_write = write;
		ev->tokens.input = sub0(in, cached + write);
		ev->tokens.output = jcount(r, usage, chat ? "completion_tokens"
							  : "output_tokens");
		ev->tokens.reasoning = jcount(
			r, json_object_get(usage, chat ? "completion_tokens_details"
						      : "output_tokens_details"),
			"reasoning_tokens");
		reasoning_beside(r, usage, in, ev);
	} else {
		ev->error = true; /* a failed response carries no usage */
	}
	if (!chunk)
		return FORMAT_RECORD;
	/* A chunk's usage grows as the stream goes (the last chunk's is the
	 * request's): the chunk with the most tokens counts, in any order,
	 * rather than the first one, the later ones dropped as duplicates.
	 * Whole, not the largest of each count: an early chunk without the
	 * prompt's cached_tokens would add its uncached input to them. */
	apply_maps(p, r, ev);
	if (r->why || !ev->model.n)
		return FORMAT_RECORD; /* map_record says why */
	return hold_event(p, r, ev, MERGE_MAX_TOTAL, false, (struct br_str){"", 0});
}

/* Anthropic runs a request in fast mode (usage.speed "fast") at a multiple
 * of its model's price (6x on Claude Opus 4.6): its model is named with
 * "-fast" after it, as ccusage does, a model the catalog prices so
 * (docs/PRICES.md). A stream's message_delta names no model: the merge
 * keeps message_start's. */
static void fast_mode(struct api_parser *p, json_t *usage, struct br_event *ev)
{
	const char *speed = jstr(usage, "speed");
	if (!speed || strcmp(speed, "fast") != 0 || ev->model.n == 0)
		return;
	br_buf_reset(&p->fast_model);
	br_buf_put(&p->fast_model, ev->model.p, ev->model.n);
	br_buf_puts(&p->fast_model, "-fast");
	ev->model = (struct br_str){p->fast_model.p, p->fast_model.len};
}

/* The provider that served a Claude model, from the id it was called by:
 * Claude Code and the Anthropic SDKs run through Bedrock and Vertex too,
 * and log those platforms' ids. Bedrock's are "anthropic.claude-..." and
 * geo profiles of it ("us.anthropic.claude-...-v1:0", "global.", "eu.",
 * ...), Vertex's name a version after '@' ("claude-sonnet-4-5@20250929").
 * Such a request is billed by AWS or Google at their prices (a geo
 * profile's may be 10% above Anthropic's), and the catalog names these
 * ids under bedrock and vertex_ai: counting them as anthropic would leave
 * them unpriced, or, aliased to Anthropic's names, put AWS's and Google's
 * bills in Anthropic's total at Anthropic's prices. */
static struct br_str claude_provider(struct br_str model)
{
	static const char bedrock[] = "anthropic.";
	size_t n = sizeof bedrock - 1;
	if (model.n > n && (memcmp(model.p, bedrock, n) == 0 ||
			    memmem(model.p, model.n, "." "anthropic.", n + 1)))
		return (struct br_str){"bedrock", 7};
	/* A Bedrock ARN (arn:aws:bedrock:REGION::foundation-model/ID) */
	if (model.n > 4 && memcmp(model.p, "arn:", 4) == 0 &&
	    memmem(model.p, model.n, ":bedrock:", 9))
		return (struct br_str){"bedrock", 7};
	if (model.n > 6 && memcmp(model.p, "claude", 6) == 0 &&
	    memchr(model.p, '@', model.n))
		return (struct br_str){"vertex_ai", 9};
	return (struct br_str){"anthropic", 9};
}

/* Sets ev's 5-minute and 1-hour cache writes from total, the count
 * Anthropic bills (cache_creation_input_tokens), and the breakdown ttl
 * ({ephemeral_5m_input_tokens, ephemeral_1h_input_tokens}, or NULL),
 * which only splits it by TTL. A breakdown short of the total (0/0
 * beside a total of 5000, as some Claude Code versions and proxies write)
 * would lose the rest: the 1-hour writes are the breakdown's, the
 * remainder counts as 5-minute writes (the default TTL). A breakdown above
 * the total is kept as it is: the total is then missing or 0, and the
 * breakdown is the only count there is. */
static void split_writes(uint64_t total, uint64_t w5m, uint64_t w1h,
			 struct br_event *ev)
{
	/* max(5m, total - 1h): total - 1h when the breakdown is short,
	 * the breakdown's 5m otherwise; no sum that could overflow. */
	ev->tokens.cache_write_1h = w1h;
	ev->tokens.cache_write = w5m > sub0(total, w1h) ? w5m : sub0(total, w1h);
}

static void cache_writes(struct rec *r, uint64_t total, json_t *ttl,
			 struct br_event *ev)
{
	uint64_t w5m = 0, w1h = 0;
	if (json_is_object(ttl)) {
		w5m = jcount(r, ttl, "ephemeral_5m_input_tokens");
		w1h = jcount(r, ttl, "ephemeral_1h_input_tokens");
	}
	split_writes(total, w5m, w1h, ev);
}

/* The tokens of an Anthropic usage object (Messages API, Claude Code):
 * input excludes cache reads and writes; the cache_creation breakdown, when
 * present, splits writes into 5-minute and 1-hour ones (cache_writes). */
static void anthropic_usage(struct api_parser *p, struct rec *r, json_t *usage,
			    struct br_event *ev)
{
	ev->tokens.input = jcount(r, usage, "input_tokens");
	ev->tokens.output = jcount(r, usage, "output_tokens");
	ev->tokens.cache_read = jcount(r, usage, "cache_read_input_tokens");
	cache_writes(r, jcount(r, usage, "cache_creation_input_tokens"),
		     json_object_get(usage, "cache_creation"), ev);
	ev->tokens.reasoning = jcount(r, usage, "output_tokens_details.thinking_tokens");
	set_tier(r, usage, "service_tier", ev);
	fast_mode(p, usage, ev);
}

/* The request id an Anthropic stream event names: the envelope's, else
 * its request_id (message_delta and message_stop carry no message id). */
static struct br_str stream_event_id(json_t *root, json_t *o)
{
	struct br_str id = jslice(root, "request_id");
	if (!id.n)
		id = jslice(root, "x_request_id");
	if (!id.n)
		id = jslice(o, "request_id");
	return id;
}

/* Tells whether a holds the bytes of b. */
static bool same_id(struct br_str a, const struct br_buf *b)
{
	return a.n == b->len && (a.n == 0 || memcmp(a.p, b->p, a.n) == 0);
}

/* Notes that the message_start of ev was rejected: the stream's later
 * pieces are (map_anthropic). Returns FORMAT_RECORD. */
static int start_rejected(struct api_parser *p, const struct br_event *ev)
{
	p->stream_rejected = true;
	if (ev->request_id.n) {
		if (!p->rejected_starts)
			p->rejected_starts = br_dict_new();
		br_dict_intern(p->rejected_starts, ev->request_id.p,
			       ev->request_id.n);
	}
	return FORMAT_RECORD;
}

/* Tells whether a message_start of request id was rejected in this input,
 * and none of it held. */
static bool start_was_rejected(const struct api_parser *p, struct br_str id)
{
	return p->rejected_starts &&
	       br_dict_find(p->rejected_starts, id.p, id.n) >= 0 &&
	       !(p->held.keys && br_dict_find(p->held.keys, id.p, id.n) >= 0);
}

/* The result of a line of an Anthropic Message Batches results file
 * ({custom_id, result: {type, message | error}}, what GET
 * /v1/messages/batches/{id}/results returns), or NULL. */
static json_t *batch_result(json_t *root)
{
	json_t *res = json_object_get(root, "result");
	return json_is_object(res) && json_is_string(json_object_get(res, "type")) &&
	       json_object_get(root, "custom_id") ? res : NULL;
}

/* A line of an Anthropic Message Batches results file: a succeeded
 * result is its message, billed at the batch tier whatever its usage's
 * service_tier says (as an OpenAI Batch API line); an errored one a
 * failed request without tokens; a canceled or expired one never ran and
 * is billed nothing: no request. The line holds no time (a Message has
 * none, the batch's ended_at is not repeated per line): without a
 * logged_at or timestamp added beside it, it is rejected by name rather
 * than dated by a guess. Its request id is the envelope's, else the
 * message's id, else the error's request_id: never custom_id, which is
 * unique only within its batch (two batches' "req-1" would be taken for
 * copies of one request and one dropped). */
static int map_message_batch(struct api_parser *p, struct rec *r, json_t *res,
			     struct br_event *ev)
{
	const char *type = jstr(res, "type");
	if (strcmp(type, "canceled") == 0 || strcmp(type, "expired") == 0)
		return FORMAT_EMITTED;
	bool ok = strcmp(type, "succeeded") == 0;
	if (!ok && strcmp(type, "errored") != 0) {
		bad(r, "unknown Message Batches result type '%.40s'", type);
		return FORMAT_RECORD;
	}
	json_t *msg = json_object_get(res, "message");
	if (ok && !json_is_object(msg)) {
		r->why = "succeeded Message Batches result without its message";
		return FORMAT_RECORD;
	}
	if (!jhas(r->root, "logged_at") && !jhas(r->root, "timestamp"))
		no_time(r, "missing timestamp (a Message Batches result holds "
			   "none: add the batch's ended_at as logged_at, or "
			   "--map timestamp)");
	envelope(r, r->root, ev);
	if (ok) {
		json_t *usage = json_object_get(msg, "usage");
		usage_shape(r, usage, "usage");
		ev->model = jslice(msg, "model");
		if (!ev->request_id.n)
			ev->request_id = jslice(msg, "id");
		if (json_is_object(usage))
			anthropic_usage(p, r, usage, ev);
	} else {
		ev->error = true;
		if (!ev->request_id.n)
			ev->request_id = jslice(res, "error.request_id");
		ev->model = (struct br_str){"unknown", 7};
	}
	ev->provider = claude_provider(ev->model);
	ev->tier = BR_TIER_BATCH;
	return FORMAT_RECORD;
}

/* Anthropic Messages: a message, an error, or a stream's message_start
 * (input and cache usage) and message_delta (cumulative output), merged
 * per request id.
 *
 * A stream's events logged as they come (bare SSE events, or in an
 * envelope without request_id) name no id after message_start: such a
 * message_delta joins the input's last message_start, as the stream's
 * order says, until a message_stop without an id (or with that start's)
 * ends it; one with no message_start open before it in the input is
 * rejected, as it cannot be told whose it is. Streams interleaved in one
 * input without ids cannot be told apart: a delta joins the last start. */
static int map_anthropic(struct api_parser *p, struct rec *r, struct br_event *ev)
{
	json_t *res = batch_result(r->root);
	if (res)
		return map_message_batch(p, r, res, ev);
	json_t *o = payload(r->root);
	const char *type = jstr(o, "type");
	json_t *msg = o, *usage;
	if (type && strcmp(type, "message_start") == 0) {
		msg = json_object_get(o, "message");
		p->stream_open = false; /* until this one is held */
		p->stream_rejected = false;
	}
	if (type && strcmp(type, "message_stop") == 0) {
		struct br_str id = stream_event_id(r->root, o);
		if (!id.n || same_id(id, &p->stream_id))
			p->stream_open = false;
		if (!id.n || start_was_rejected(p, id))
			p->stream_rejected = false;
		return FORMAT_EMITTED;
	}
	if (type && strcmp(type, "error") == 0) {
		ev->error = true;
		usage = NULL;
	} else if (type && strcmp(type, "message_delta") == 0) {
		usage = json_object_get(o, "usage");
	} else if (type && (strcmp(type, "message") == 0 ||
			    strcmp(type, "message_start") == 0)) {
		usage = json_object_get(msg, "usage");
	} else if (type) {
		return FORMAT_EMITTED; /* other stream events carry no usage */
	} else if (json_is_integer(json_object_get(o, "input_tokens")) &&
		   !jhas(o, "usage") && !jhas(o, "model")) {
		/* POST /v1/messages/count_tokens answers {"input_tokens": N}
		 * (MessageTokensCount), the one Messages API response without
		 * a type: a proxy logging every call of the API logs it
		 * beside the messages. It is free, no request billed: skipped
		 * rather than rejected as a record of another shape. */
		return FORMAT_EMITTED;
	} else {
		/* Every Messages object and stream event has a type: a record
		 * without one is another shape (a Gemini response, a message
		 * stripped of its type), rejected as the other formats reject
		 * theirs, where skipping it lost its tokens unseen. */
		r->why = "not an Anthropic record (no type: message, "
			 "message_start, message_delta, error, ...)";
		return FORMAT_RECORD;
	}
	usage_shape(r, usage, "usage");
	ev->model = jslice(msg, "model");
	ev->provider = claude_provider(ev->model);
	envelope(r, r->root, ev);
	if (!ev->request_id.n)
		ev->request_id = jslice(msg, "id");
	if (!ev->request_id.n)
		ev->request_id = jslice(o, "request_id");
	if (json_is_object(usage)) {
		anthropic_usage(p, r, usage, ev);
	}
	apply_maps(p, r, ev);
	/* A Message (whole, or a stream's message_start) always names its
	 * model: one that does not, and did not fail, is rejected as the
	 * other formats reject it, where it was counted as an unpriced
	 * request of model unknown. */
	if (!r->why && !ev->model.n && !ev->error && type &&
	    (strcmp(type, "message") == 0 || strcmp(type, "message_start") == 0))
		r->why = "missing model";
	bool start = type && strcmp(type, "message_start") == 0;
	if (r->why)
		return start ? start_rejected(p, ev) : FORMAT_RECORD;
	/* A later piece of a stream whose message_start was rejected is
	 * rejected too, at its own line: its delta was counted alone, an
	 * unpriced request of model unknown beside the rejected start. */
	bool piece = type && (strcmp(type, "message_delta") == 0 ||
			      strcmp(type, "error") == 0);
	if (piece && (ev->request_id.n ? start_was_rejected(p, ev->request_id)
				       : !p->stream_open && p->stream_rejected)) {
		r->why = "its stream's message_start was rejected";
		if (!ev->request_id.n && strcmp(type, "error") == 0)
			p->stream_rejected = false; /* it ends the stream */
		return FORMAT_RECORD;
	}
	struct br_str none = {"", 0};
	if (start) {
		/* The stream a later event without an id joins: its key is
		 * its request id, or one of its own when it has none (the
		 * driver sees no id: it is not deduplicated). */
		br_buf_reset(&p->stream_id);
		br_buf_reset(&p->stream_key);
		if (ev->request_id.n) {
			br_buf_put(&p->stream_id, ev->request_id.p, ev->request_id.n);
			br_buf_put(&p->stream_key, ev->request_id.p, ev->request_id.n);
		} else {
			br_buf_printf(&p->stream_key, "\x1fstream %llu",
				      (unsigned long long)p->streams);
		}
		int rc = hold_event_at(p, r, ev,
				       (struct br_str){p->stream_key.p, p->stream_key.len},
				       MERGE_MAX_FIELD, false, none);
		if (rc == FORMAT_EMITTED) {
			p->streams++;
			p->stream_open = true;
		} else {
			start_rejected(p, ev);
		}
		return rc;
	}
	/* An error event without an id while a stream is open is that
	 * stream's (Anthropic sends one mid-stream, overloaded_error): it
	 * fails the request and ends the stream, where it was a second
	 * request, of model unknown, beside a request that had not failed. */
	bool stream_error = type && strcmp(type, "error") == 0 && p->stream_open;
	if (!ev->request_id.n && type &&
	    (strcmp(type, "message_delta") == 0 || stream_error)) {
		if (!p->stream_open) {
			r->why = "stream event without a request id, after no "
				 "message_start to join it to";
			return FORMAT_RECORD;
		}
		if (p->stream_id.len)
			ev->request_id = (struct br_str){p->stream_id.p, p->stream_id.len};
		if (stream_error)
			p->stream_open = false;
		return hold_event_at(p, r, ev,
				     (struct br_str){p->stream_key.p, p->stream_key.len},
				     MERGE_MAX_FIELD, false, none);
	}
	return hold_event(p, r, ev, MERGE_MAX_FIELD, false, none);
}

/* Tells whether root is a line of a Vertex AI batch prediction output
 * for Gemini ({request, response, status, processed_time}; a failed
 * request's line has no response and its error in status). */
static bool vertex_batch_line(json_t *root)
{
	return json_is_object(json_object_get(root, "request")) &&
	       jhas(root, "processed_time") && json_object_get(root, "status");
}

/* Tells whether root is a line of a Gemini API Batch Mode results file
 * (the JSONL file a batches.create job of generativelanguage.googleapis.com
 * writes: {key, response} of a request that ran, {key, error} of one
 * that failed, error a google.rpc.Status): the key the request was given
 * beside a response or an error object. */
static bool gemini_batch_line(json_t *root)
{
	return json_is_string(json_object_get(root, "key")) &&
	       (json_is_object(json_object_get(root, "response")) ||
		json_is_object(json_object_get(root, "error")));
}

/* Gemini: usageMetadata of a GenerateContentResponse (Gemini API or
 * Vertex); stream chunks share a responseId and are merged, each count as
 * the response gives it (MERGE_MAX_PROMPT).
 *
 * A line of a Vertex AI batch prediction output is its response, billed
 * at Vertex's batch tier, dated by the response's createTime, else the
 * line's processed_time; a status that is not empty (the error's text)
 * is a failed request, whose line may have no response at all.
 *
 * A line of a Gemini API Batch Mode results file is its response, billed
 * at the batch tier (Google bills Batch Mode at half the standard
 * price; it was priced at the standard rate once a time was added); its
 * error a failed request. It holds no time (a Gemini API response has no
 * createTime; the batch's endTime is in the batch, not repeated per
 * line): without a logged_at or timestamp added beside key, it is
 * rejected by name rather than dated by a guess. Its request id is the
 * response's responseId, else the envelope's: never key, which is unique
 * only within its batch (two batches' "request-1" would be taken for
 * copies of one request and one dropped). */
static int map_gemini(struct api_parser *p, struct rec *r, struct br_event *ev)
{
	json_t *o = payload(r->root);
	json_t *u = json_object_get(o, "usageMetadata");
	usage_shape(r, u, "usageMetadata");
	bool batch = vertex_batch_line(r->root);
	if (batch) {
		json_t *st = json_object_get(r->root, "status");
		if (!json_is_null(st) &&
		    !(json_is_string(st) && json_string_length(st) == 0))
			ev->error = true;
	}
	bool gbatch = !batch && gemini_batch_line(r->root);
	if (gbatch && json_is_object(json_object_get(r->root, "error")))
		ev->error = true;
	/* A record with none of a response's members (a null one is none),
	 * nor an envelope's failed status, is no Gemini record (a generic
	 * one, under a wrong --format): not a failed request of model
	 * unknown. */
	json_t *status = json_object_get(r->root, "http_status");
	if (!ev->error && !json_is_object(u) && !jhas(o, "candidates") &&
	    !jhas(o, "modelVersion") && !jhas(o, "responseId") &&
	    !jhas(o, "createTime") && !jhas(o, "promptFeedback") &&
	    !json_is_object(json_object_get(o, "error")) &&
	    !jstatus_is_error(r, status))
		bad(r, "%s", "not a Gemini response (no usageMetadata, candidates, "
		    "modelVersion, responseId, createTime, promptFeedback or error)");
	/* Vertex AI bills its own prices (gemini-2.0-flash-001: $0.15
	 * input, not the Gemini API's $0.10): createTime and
	 * usageMetadata.trafficType are written by Vertex only, so a bare
	 * response, logged without an envelope's api, is Vertex's by them. */
	const char *api = jstr(r->root, "api");
	bool vertex = batch || (api && strcmp(api, "vertex") == 0) ||
		      jhas(o, "createTime") || jhas(u, "trafficType");
	ev->provider = vertex ? (struct br_str){"vertex_ai", 9}
			      : (struct br_str){"google", 6};
	ev->model = jslice(o, "modelVersion");
	/* Vertex names the version a batch ran as "gemini-2.5-flash@default":
	 * the model's default version, the model itself (a version after '@'
	 * that names one, Claude's @20250929, is kept). */
	static const char dflt[] = "@default";
	size_t nd = sizeof dflt - 1;
	if (vertex && ev->model.n > nd &&
	    memcmp(ev->model.p + ev->model.n - nd, dflt, nd) == 0)
		ev->model.n -= nd;
	if (!jtime(r, o, "createTime", &ev->ts_us) && batch)
		jtime(r, r->root, "processed_time", &ev->ts_us);
	if (gbatch && !ev->ts_us && !jhas(r->root, "logged_at") &&
	    !jhas(r->root, "timestamp"))
		no_time(r, "missing timestamp (a Gemini Batch Mode result holds "
			   "none: add the batch's endTime as logged_at, or "
			   "--map timestamp)");
	envelope(r, r->root, ev);
	struct br_str id = jslice(o, "responseId");
	if (id.n)
		ev->request_id = id;
	if (json_is_object(u)) {
		uint64_t prompt = jcount(r, u, "promptTokenCount") +
				  jcount(r, u, "toolUsePromptTokenCount");
		uint64_t cached = jcount(r, u, "cachedContentTokenCount");
		uint64_t thoughts = jcount(r, u, "thoughtsTokenCount");
		ev->tokens.input = sub0(prompt, cached);
		ev->tokens.cache_read = cached;
		ev->tokens.output = jcount(r, u, "candidatesTokenCount") + thoughts;
		ev->tokens.reasoning = thoughts;
		/* Vertex names the quota a request used: Priority PayGo and
		 * Flex bill their own rates. Provisioned Throughput and
		 * unknown values stay standard. */
		const char *traffic = jstr(u, "trafficType");
		if (traffic && strcmp(traffic, "ON_DEMAND_PRIORITY") == 0)
			ev->tier = BR_TIER_PRIORITY;
		else if (traffic && strcmp(traffic, "ON_DEMAND_FLEX") == 0)
			ev->tier = BR_TIER_FLEX;
	} else if (!json_is_array(json_object_get(o, "candidates"))) {
		/* No usage and no content: a failed request. A stream chunk
		 * with candidates but no usageMetadata (Vertex puts usage on
		 * the last chunk only) is part of a request, not a failure. */
		ev->error = true;
	}
	if (json_is_object(json_object_get(o, "error")))
		ev->error = true;
	/* Billed at the batch rates, whatever the quota; a failed request
	 * too, as the Message Batches' errored results are. */
	if (batch || gbatch)
		ev->tier = BR_TIER_BATCH;
	apply_maps(p, r, ev);
	/* Every response (and stream chunk) names its modelVersion: a usage
	 * without one, of a request that did not fail, is rejected as the
	 * other formats reject it, not counted as model unknown. */
	if (!r->why && !ev->model.n && !ev->error && json_is_object(u))
		r->why = "missing model";
	if (r->why)
		return FORMAT_RECORD;
	return hold_event(p, r, ev, MERGE_MAX_PROMPT, false, (struct br_str){"", 0});
}

/* The role or user name of an IAM ARN: "assumed-role/NAME/session",
 * "user/NAME" or, for a user created under a path, "user/PATH/NAME" (IAM
 * writes the path before the name: user/division/team/dana is dana, was
 * division), and "federated-user/NAME" (STS GetFederationToken). */
static struct br_str arn_name(struct br_str arn)
{
	/* memmem, not strstr: the ARN may hold a NUL (a \u0000), which must
	 * stay in the name made of it, to reject it. */
	const char *p = memmem(arn.p, arn.n, ":assumed-role/", 14);
	if (p) {
		p += 14;
		size_t left = arn.n - (size_t)(p - arn.p);
		const char *end = memchr(p, '/', left);
		return (struct br_str){p, end ? (size_t)(end - p) : left};
	}
	p = memmem(arn.p, arn.n, ":user/", 6);
	p = p ? p + 6 : (p = memmem(arn.p, arn.n, ":federated-user/", 16)) ? p + 16 : NULL;
	if (!p)
		return (struct br_str){"", 0};
	/* A trailing slash (user/dana/, as hand-written ARNs have it) ends
	 * no name: user/dana/ is dana, not empty. */
	const char *end = arn.p + arn.n, *name;
	while (end > p && end[-1] == '/')
		end--;
	name = end;
	while (name > p && name[-1] != '/')
		name--;
	return (struct br_str){name, (size_t)(end - name)};
}

/* The largest cache read and write counts of one of the chunks of a
 * Bedrock log of a stream (InvokeModelWithResponseStream writes
 * output.outputBodyJson as the array of the stream's chunks, each as the
 * model sent it), into *read and *write; returns the cache_creation
 * breakdown of the first chunk that gives one (Claude's message_start,
 * whose message.usage holds the input's counts), or NULL. A chunk names
 * them in one of: Claude's message_start (message.usage),
 * its message_delta (usage, repeating them cumulatively), the stream's
 * last chunk, which Bedrock adds amazon-bedrock-invocationMetrics to
 * (cacheRead/WriteInputTokenCount, beside its input and output counts).
 * All count the same tokens: the largest, never their sum. A
 * chunk that is not an object (a placeholder string) is skipped. */
static json_t *bedrock_stream_cache(struct rec *r, json_t *chunks, uint64_t *read,
				    uint64_t *write)
{
	static const struct {
		const char *usage, *read, *write;
	} places[] = {
		{"message.usage", "cache_read_input_tokens", "cache_creation_input_tokens"},
		{"usage", "cache_read_input_tokens", "cache_creation_input_tokens"},
		{"amazon-bedrock-invocationMetrics", "cacheReadInputTokenCount",
		 "cacheWriteInputTokenCount"},
	};
	json_t *ttl = NULL;
	size_t i;
	json_t *chunk;
	json_array_foreach(chunks, i, chunk) {
		if (!json_is_object(chunk))
			continue;
		for (size_t k = 0; k < sizeof places / sizeof *places; k++) {
			json_t *u = jget(chunk, places[k].usage);
			if (!json_is_object(u))
				continue;
			/* Named by its full path, the chunk's index in it. */
			char name[160];
			snprintf(name, sizeof name, "output.outputBodyJson[%zu].%s.%s", i,
				 places[k].usage, places[k].read);
			max_into(read, jcount_named(r, json_object_get(u, places[k].read),
						    name));
			snprintf(name, sizeof name, "output.outputBodyJson[%zu].%s.%s", i,
				 places[k].usage, places[k].write);
			max_into(write, jcount_named(r, json_object_get(u, places[k].write),
						     name));
			if (!ttl && json_is_object(json_object_get(u, "cache_creation")))
				ttl = json_object_get(u, "cache_creation");
		}
	}
	return ttl;
}

/* Converse's usage splits its cache writes by TTL in cacheDetails, an
 * array of {ttl: "5m" | "1h", inputTokens} (the Bedrock API's
 * CacheDetail), where a Claude Message has its cache_creation object:
 * 1-hour writes (2x input for Claude, $6 where the 5-minute ones are
 * $3.75 for Sonnet 4.5) were priced as 5-minute ones. The writes of
 * another TTL, or beyond the details, are 5-minute ones (split_writes);
 * a count that is no count rejects the record, named by its index. */
static void converse_writes(struct rec *r, uint64_t total, json_t *details,
			    struct br_event *ev)
{
	uint64_t w5m = 0, w1h = 0;
	size_t i;
	json_t *d;
	json_array_foreach(details, i, d) {
		const char *ttl = jstr(d, "ttl");
		if (!ttl)
			continue;
		char name[96];
		snprintf(name, sizeof name,
			 "output.outputBodyJson.usage.cacheDetails[%zu].inputTokens", i);
		uint64_t n = jcount_named(r, json_object_get(d, "inputTokens"), name);
		uint64_t *into = strcmp(ttl, "1h") == 0 ? &w1h
				 : strcmp(ttl, "5m") == 0 ? &w5m : NULL;
		if (into)
			*into = n > UINT64_MAX - *into ? UINT64_MAX : *into + n;
	}
	split_writes(total, w5m, w1h, ev);
}

/* The cache counts of a Bedrock invocation log: input's
 * cacheRead/WriteInputTokenCount, and those of the response body
 * (output.outputBodyJson.usage: an Anthropic Message's
 * cache_read_input_tokens and cache_creation_input_tokens from
 * InvokeModel, Converse's cacheReadInputTokens and cacheWriteInputTokens,
 * ConverseStream's body being the stream's response put together; of a
 * stream's chunks, an array from InvokeModelWithResponseStream:
 * bedrock_stream_cache), where Bedrock may log them without the top-level
 * fields: they were lost, the cached tokens of a request counted as none.
 * Both count the same tokens, so each count is the larger of the two,
 * never their sum; the body's cache_creation breakdown splits the writes
 * by TTL as for anthropic (cache_writes). */
static void bedrock_cache(struct rec *r, json_t *o, struct br_event *ev)
{
	/* Full paths, so that a bad count is named where it is. */
	static const char body[] = "output.outputBodyJson.usage";
	json_t *usage = jget(o, body);
	if (!json_is_object(usage))
		usage = NULL;
	uint64_t read = jcount(r, o, "input.cacheReadInputTokenCount");
	uint64_t write = jcount(r, o, "input.cacheWriteInputTokenCount");
	json_t *ttl = NULL;
	if (usage) {
		max_into(&read, jcount(r, o, "output.outputBodyJson.usage."
					     "cache_read_input_tokens"));
		max_into(&read, jcount(r, o, "output.outputBodyJson.usage."
					     "cacheReadInputTokens"));
		max_into(&write, jcount(r, o, "output.outputBodyJson.usage."
					      "cache_creation_input_tokens"));
		max_into(&write, jcount(r, o, "output.outputBodyJson.usage."
					      "cacheWriteInputTokens"));
		ttl = json_object_get(usage, "cache_creation");
	}
	json_t *chunks = jget(o, "output.outputBodyJson");
	if (json_is_array(chunks))
		ttl = bedrock_stream_cache(r, chunks, &read, &write);
	ev->tokens.cache_read = read;
	json_t *details = usage ? json_object_get(usage, "cacheDetails") : NULL;
	if (!json_is_object(ttl) && json_is_array(details)) {
		converse_writes(r, write, details, ev);
		return;
	}
	cache_writes(r, write, ttl, ev);
}

/* Bedrock model invocation logs. */
static int map_bedrock(struct api_parser *p, struct rec *r, struct br_event *ev)
{
	(void)p;
	json_t *o = r->root;
	ev->provider = (struct br_str){"bedrock", 7};
	ev->model = jslice(o, "modelId");
	if (!jtime(r, o, "timestamp", &ev->ts_us))
		no_time(r, "missing timestamp");
	ev->request_id = jslice(o, "requestId");
	ev->agent = jslice(o, "requestMetadata.agent");
	if (!ev->agent.n)
		ev->agent = arn_name(jslice(o, "identity.arn"));
	ev->label = jslice(o, "requestMetadata.team");
	ev->error = jget(o, "errorCode") != NULL && !json_is_null(jget(o, "errorCode"));
	usage_shape(r, json_object_get(o, "input"), "input");
	usage_shape(r, json_object_get(o, "output"), "output");
	ev->tokens.input = jcount(r, o, "input.inputTokenCount");
	ev->tokens.output = jcount(r, o, "output.outputTokenCount");
	bedrock_cache(r, o, ev);
	return FORMAT_RECORD;
}

static bool path_sep(char c)
{
	return c == '/' || c == '\\';
}

/* The last path component of a directory path ("/a/b/c" -> "c"). Claude
 * Code on Windows writes its cwd with backslashes: C:\Users\dana\api
 * is the project api, not a label of the whole path. */
static struct br_str base_name(struct br_str dir)
{
	const char *path = dir.p;
	size_t n = dir.n;
	while (n > 1 && path_sep(path[n - 1]))
		n--;
	size_t i = n;
	while (i > 0 && !path_sep(path[i - 1]))
		i--;
	return (struct br_str){path + i, n - i};
}

/* Claude Code session logs (as ccusage reads them): assistant messages
 * with usage. Copies of one message (message.id with requestId, or
 * message.id alone) count once, the copy with the most tokens winning;
 * sidechain copies of a main-conversation message are dropped; synthetic
 * and API-error placeholders are skipped. */
static int map_claude_code(struct api_parser *p, struct rec *r, struct br_event *ev)
{
	json_t *o = r->root;
	json_t *usage = jget(o, "message.usage");
	const char *model = jstr(o, "message.model");
	json_t *err = json_object_get(o, "isApiErrorMessage");
	if (!json_is_object(usage) || (model && strcmp(model, "<synthetic>") == 0) ||
	    json_is_true(err))
		return FORMAT_EMITTED; /* not a usage record */
	ev->model = jslice(o, "message.model");
	ev->provider = claude_provider(ev->model);
	if (!jtime(r, o, "timestamp", &ev->ts_us))
		no_time(r, "missing timestamp");
	ev->agent = (struct br_str){"claude-code", 11};
	ev->label = base_name(jslice(o, "cwd"));
	anthropic_usage(p, r, usage, ev);
	jcost(r, o, "costUSD", ev);
	apply_maps(p, r, ev);
	/* Held copies skip map_record's check: a message with usage and
	 * no model (absent, null or "") was counted as an unpriced
	 * "unknown" request, where DESIGN §3 rejects a missing model. */
	if (!ev->model.n)
		bad(r, "%s", "missing model");
	if (r->why)
		return FORMAT_RECORD;
	struct br_str msgid = jslice(o, "message.id");
	struct br_str reqid = jslice(o, "requestId");
	/* Copied whole (snprintf's %.*s would stop at a \u0000, which must
	 * reach the sink to reject the record), however long: a key of 511
	 * bytes or more was left empty, and its copies all counted. */
	struct br_buf key = {0};
	if (msgid.n) {
		br_buf_put(&key, msgid.p, msgid.n);
		if (reqid.n) {
			br_buf_putc(&key, ':');
			br_buf_put(&key, reqid.p, reqid.n);
		}
	}
	ev->request_id = (struct br_str){key.p ? key.p : "", key.len};
	int rc = hold_event(p, r, ev, MERGE_MAX_TOTAL,
			    json_is_true(json_object_get(o, "isSidechain")), msgid);
	br_buf_free(&key);
	return rc;
}

/* The key of an aggregate result: its kind, its bucket's start and end,
 * and the values of fields (each as JSON text, null when absent), which
 * the API's group_by made distinct. */
static struct br_str result_key(struct br_buf *b, const char *kind,
				json_t *bucket, json_t *res,
				const char *const *fields)
{
	br_buf_reset(b);
	br_buf_puts(b, kind);
	json_t *v[2] = {json_object_get(bucket, "start_time"),
			json_object_get(bucket, "end_time")};
	for (size_t i = 0; i < 2 || *fields; i++) {
		json_t *x = i < 2 ? v[i] : jget(res, *fields++);
		char *text = x ? json_dumps(x, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
		br_buf_printf(b, "\x1f%s", text ? text : "null");
		free(text);
	}
	return (struct br_str){b->p, b->len};
}

/* One event of a usage page, its result's key as its request id (a copy
 * in a later input of the run is a duplicate): in the first pass (check),
 * whether the sink would refuse it, which rejects the page; in the
 * second, rejected at this line when outside a backfill's day range,
 * else held under that key, the last copy replacing any before it in the
 * input (a page fetched again: aggregate rows are upserted, not summed). */
static void page_event(struct api_parser *p, struct rec *r, struct br_event *e,
		       bool check, struct br_str key)
{
	const struct format_sink *sink = &p->base.sink;
	const char *why;
	e->request_id = key;
	if (check) {
		if ((why = refused(p, e)))
			bad(r, "%s", why);
	} else if (p->outside && br_dict_find(p->outside, key.p, key.n) >= 0) {
		/* A copy of a result rejected before: rejected once. */
	} else if (!sink->rejects_outside || !sink->rejects_outside(sink->ctx, e)) {
		hold(&p->held, key, e, MERGE_LAST, false, (struct br_str){0});
	} else {
		if (!p->outside)
			p->outside = br_dict_new();
		br_dict_intern(p->outside, key.p, key.n);
	}
}

/* An OpenAI Costs API result: a cost line item of a day ("<model>, input",
 * "web search tool calls"), counted as cost without requests or tokens.
 * Its amount must be a USD number; zero amounts are left out. */
static void cost_line(struct api_parser *p, struct rec *r, json_t *bucket,
		      json_t *res, int64_t start, bool check, struct br_buf *key)
{
	static const char *const fields[] = {"line_item", "project_id",
					     "api_key_id", NULL};
	struct br_event e = {.ts_us = start, .provider = {"openai", 6},
			     .cost_only = true};
	const char *cur = jstr(res, "amount.currency");
	if (cur && strcasecmp(cur, "usd") != 0)
		bad(r, "cost in currency '%.10s', not USD", cur);
	jcost(r, res, "amount.value", &e);
	if (!e.has_logged_cost || e.logged_cost == 0)
		return;
	struct br_str item = jslice(res, "line_item");
	const char *comma = item.n ? memchr(item.p, ',', item.n) : NULL;
	e.model = comma ? (struct br_str){item.p, (size_t)(comma - item.p)} : item;
	if (!e.model.n)
		e.model = (struct br_str){"unknown", 7};
	e.agent = jslice(res, "api_key_id");
	e.label = jslice(res, "project_id");
	page_event(p, r, &e, check, result_key(key, "cost", bucket, res, fields));
}

/* The OpenAI organization Usage API (completions) and Costs API: a page of
 * time buckets of aggregated results; each usage result becomes one event
 * standing for its num_model_requests requests, each cost result a cost
 * line. */
static int map_openai_usage(struct api_parser *p, struct rec *r, struct br_event *ev)
{
	(void)ev;
	json_t *data = json_object_get(r->root, "data");
	if (!json_is_array(data)) {
		r->why = "a usage page without a data array";
		return FORMAT_RECORD;
	}
	static const char *const fields[] = {"project_id", "user_id", "api_key_id",
					     "model", "batch", "service_tier", NULL};
	size_t i, j;
	json_t *bucket, *res;
	struct br_buf key = {0};
	/* Map the whole page before emitting, so that a bad result rejects it
	 * whole rather than half-counted. */
	for (int pass = 0; pass < 2; pass++) {
		bool check = pass == 0;
		json_array_foreach(data, i, bucket) {
			json_t *results = json_object_get(bucket, "results");
			int64_t start = 0;
			if (!jtime(r, bucket, "start_time", &start))
				bad(r, "%s", "bucket without start_time");
			json_array_foreach(results, j, res) {
				const char *obj = jstr(res, "object");
				if (obj && strcmp(obj, "organization.costs.result") == 0) {
					cost_line(p, r, bucket, res, start, check, &key);
					continue;
				}
				/* Embeddings usage: input tokens alone, of
				 * its own key (a result of no model grouped
				 * beside a completions one is another). */
				bool emb = obj && strcmp(obj, "organization.usage."
							 "embeddings.result") == 0;
				if (obj && !emb &&
				    strcmp(obj, "organization.usage.completions.result") != 0) {
					bad(r, "unsupported result object '%.60s' (expected "
					    "completions or embeddings usage, or costs)", obj);
					continue;
				}
				struct br_event e = {.ts_us = start,
						     .provider = {"openai", 6}};
				e.model = jslice(res, "model");
				if (!e.model.n)
					e.model = (struct br_str){"unknown", 7};
				e.agent = jslice(res, "api_key_id");
				if (!e.agent.n)
					e.agent = jslice(res, "user_id");
				e.label = jslice(res, "project_id");
				uint64_t in = jcount(r, res, "input_tokens");
				e.tokens.cache_read = jcount(r, res, "input_cached_tokens");
				e.tokens.cache_write = jcount(r, res, "input_cache_write_tokens");
				e.tokens.input = sub0(in, e.tokens.cache_read + e.tokens.cache_write);
				e.tokens.output = jcount(r, res, "output_tokens");
				e.requests = jcount(r, res, "num_model_requests");
				/* batch: true is the Batch API's discount,
				 * whatever service_tier says ("default"). */
				set_tier(r, res, "service_tier", &e);
				if (json_is_true(json_object_get(res, "batch")))
					e.tier = BR_TIER_BATCH;
				/* A result of no request is left out; one
				 * with tokens but no count of its requests
				 * would be a silent $0. */
				if (e.requests)
					page_event(p, r, &e, check,
						   result_key(&key, emb ? "embeddings" : "usage",
							      bucket, res, fields));
				else if (in || e.tokens.output)
					bad(r, "%s", "a usage result with tokens but "
					    "no num_model_requests");
			}
		}
		if (r->why)
			break;
	}
	br_buf_free(&key);
	return r->why ? FORMAT_RECORD : FORMAT_EMITTED;
}

/* The provider of a model name, for formats that do not say: a LiteLLM
 * route prefix ("vertex_ai/...", "openrouter/...") or the vendor a name
 * belongs to; "" when it cannot be told. The model keeps its raw name for
 * pricing. A Bedrock ARN and Vertex's Claude ids (claude-...@DATE) are
 * told as the anthropic format tells them (claude_provider): they were
 * unknown's and anthropic's, unpriced although the catalog has them. */
static struct br_str infer_provider(struct br_str model)
{
	if (model.n > 4 && memcmp(model.p, "arn:", 4) == 0 &&
	    memmem(model.p, model.n, ":bedrock:", 9))
		return (struct br_str){"bedrock", 7};
	if (model.n > 6 && memcmp(model.p, "claude", 6) == 0)
		return claude_provider(model);
	static const struct {
		const char *prefix, *provider;
	} rules[] = {
		{"vertex_ai/", "vertex_ai"}, {"openrouter/", "openrouter"},
		{"bedrock/", "bedrock"},     {"gemini/", "google"},
		{"azure/", "azure"},         {"anthropic/", "anthropic"},
		{"openai/", "openai"},       {"mistral/", "mistral"},
		{"groq/", "groq"},           {"together_ai/", "together"},
		{"fireworks_ai/", "fireworks"}, {"deepseek/", "deepseek"},
		{"xai/", "xai"},
		{"anthropic.", "bedrock"},   {"us.", "bedrock"},
		{"eu.", "bedrock"},          {"apac.", "bedrock"},
		{"jp.", "bedrock"},          {"au.", "bedrock"},
		{"global.", "bedrock"},      {"us-gov.", "bedrock"},
		{"amazon.", "bedrock"},      {"meta.", "bedrock"},
		{"mistral.", "bedrock"},     {"cohere.", "bedrock"},
		{"ai21.", "bedrock"},
		{"gpt-", "openai"},          {"chatgpt-", "openai"},
		{"text-embedding-", "openai"},
		{"o1", "openai"},            {"o3", "openai"},
		{"o4", "openai"},            {"ft:gpt", "openai"},
		{"claude", "anthropic"},     {"gemini", "google"},
		{"gemma", "google"},         {"mistral", "mistral"},
		{"codestral", "mistral"},    {"magistral", "mistral"},
		{"ministral", "mistral"},    {"pixtral", "mistral"},
		{"open-mistral", "mistral"}, {"grok", "xai"},
		{"deepseek", "deepseek"},    {"command", "cohere"},
	};
	for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
		size_t n = strlen(rules[i].prefix);
		if (model.n >= n && memcmp(model.p, rules[i].prefix, n) == 0)
			return (struct br_str){rules[i].provider,
					       strlen(rules[i].provider)};
	}
	return (struct br_str){"", 0};
}

/* The first non-empty string among paths. */
static struct br_str first_str(json_t *o, const char *const *paths, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct br_str s = jslice(o, paths[i]);
		if (s.n)
			return s;
	}
	return (struct br_str){"", 0};
}
#define FIRST_STR(o, ...) \
	first_str(o, (const char *const[]){__VA_ARGS__}, \
		  sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *))

static bool truthy(json_t *v)
{
	return json_is_true(v) ||
	       (json_is_string(v) && strcasecmp(json_string_value(v), "true") == 0);
}

/* A LiteLLM_SpendLogs row (JSONL, or the CSV export whose JSON columns
 * were parsed). */
static int map_litellm(struct api_parser *p, struct rec *r, struct br_event *ev)
{
	(void)p;
	json_t *o = r->root;
	json_t *meta = json_object_get(o, "metadata");
	if (json_is_string(meta) && json_string_value(meta)[0] == '{') {
		/* The jsonb column written as its text (an export of the
		 * table as JSON lines), as the CSV export writes it: read
		 * inside, as there, not left unseen (its cache reads made
		 * input). */
		json_t *in = json_loads(json_string_value(meta), 0, NULL);
		if (!json_is_object(in) || json_object_set_new(o, "metadata", in) != 0) {
			json_decref(in);
			bad(r, "%s", "metadata is not a JSON object");
			return FORMAT_RECORD;
		}
		meta = in;
	}
	json_t *usage = json_object_get(meta, "usage_object");
	if (!json_is_object(usage))
		usage = json_object_get(meta, "additional_usage_values");
	if (!json_is_object(usage))
		/* A StandardLoggingPayload's response is the model's answer,
		 * its usage the one the spend log keeps as usage_object:
		 * its cache counts are there when the metadata has none. */
		usage = jget(o, "response.usage");
	if (!jtime(r, o, "startTime", &ev->ts_us))
		no_time(r, "missing startTime");
	ev->model = FIRST_STR(o, "model", "model_group");
	ev->provider = jslice(o, "custom_llm_provider");
	if (!ev->provider.n)
		ev->provider = infer_provider(ev->model);
	/* A spend log row's request_id is the StandardLoggingPayload's id
	 * (LiteLLM writes the row from the payload): one request, one id,
	 * in either form. */
	ev->request_id = FIRST_STR(o, "request_id", "id");
	ev->agent = FIRST_STR(o, "metadata.spend_logs_metadata.agent", "agent_id",
			      "end_user", "metadata.user_api_key_alias");
	ev->label = FIRST_STR(o, "metadata.user_api_key_team_alias", "team_id");
	/* A failure: its status, in the row or in its metadata (rows
	 * without the column), or an error_information, which success rows
	 * have null. */
	const char *status = jstr(o, "status");
	if (!status)
		status = jstr(meta, "status");
	ev->error = (status && strcmp(status, "failure") == 0) ||
		    json_is_object(json_object_get(meta, "error_information"));
	uint64_t prompt = jcount(r, o, "prompt_tokens");
	uint64_t cache_read = jcount(r, usage, "cache_read_input_tokens");
	if (!cache_read)
		cache_read = jcount(r, usage, "prompt_tokens_details.cached_tokens");
	ev->tokens.cache_read = cache_read;
	/* cache_creation_input_tokens holds both TTLs; LiteLLM splits them in
	 * prompt_tokens_details.cache_creation_token_details, and a usage
	 * passed through from Anthropic (/v1/messages) in its cache_creation.
	 * Without the split, 1-hour writes (2x input for Claude) were priced
	 * as 5-minute ones (1.25x). */
	json_t *ttl = jget(usage, "prompt_tokens_details.cache_creation_token_details");
	if (!json_is_object(ttl))
		ttl = json_object_get(usage, "cache_creation");
	cache_writes(r, jcount(r, usage, "cache_creation_input_tokens"), ttl, ev);
	ev->tokens.input = sub0(sub0(sub0(prompt, cache_read), ev->tokens.cache_write),
				ev->tokens.cache_write_1h);
	ev->tokens.output = jcount(r, o, "completion_tokens");
	ev->tokens.reasoning = jcount(r, usage, "completion_tokens_details.reasoning_tokens");
	/* xAI's usage passed through: its reasoning beside the completion. */
	if (json_is_object(usage))
		reasoning_beside(r, usage, prompt, ev);
	/* spend is the spend log's; response_cost the payload's. */
	json_t *spend = json_object_get(o, "spend");
	jcost(r, o, spend && !json_is_null(spend) ? "spend" : "response_cost", ev);
	if (truthy(json_object_get(o, "cache_hit"))) {
		/* Served from LiteLLM's cache: a request, but no provider
		 * tokens and no cost. */
		ev->tokens = (struct br_tokens){0};
		ev->has_logged_cost = true;
		ev->logged_cost = 0;
	}
	if (!ev->model.n && ev->error)
		ev->model = (struct br_str){"unknown", 7};
	if (!ev->provider.n)
		ev->provider = (struct br_str){"unknown", 7};
	return FORMAT_RECORD;
}

/* Lowercases string member key of o, whose value is *s, in the record's
 * tree, and points *s at it: Helicone's API writes its provider enum in
 * capitals (OPENAI), its CSV export in lowercase; one provider, one name. */
static void lowercase_member(json_t *o, const char *key, struct br_str *s)
{
	char buf[64];
	bool upper = false;
	if (s->n > sizeof buf)
		return;
	for (size_t i = 0; i < s->n; i++) {
		upper |= s->p[i] >= 'A' && s->p[i] <= 'Z';
		buf[i] = s->p[i] >= 'A' && s->p[i] <= 'Z' ? (char)(s->p[i] + 32)
							  : s->p[i];
	}
	if (!upper || json_object_set_new(o, key, json_stringn(buf, s->n)) != 0)
		return;
	*s = jslice(o, key);
}

/* A Helicone request: JSONL from its API, its exporter's CSV, or a row of
 * its ClickHouse table (request_response_rmt), which names the status
 * `status`, the properties `properties`, the user `user_id`, and keeps
 * `cost` as an integer count of nano-dollars. */
static int map_helicone(struct api_parser *p, struct rec *r, struct br_event *ev)
{
	(void)p;
	json_t *o = r->root;
	bool clickhouse = !json_object_get(o, "response_status") &&
			  json_object_get(o, "status");
	if (!jtime(r, o, "request_created_at", &ev->ts_us) &&
	    !jtime(r, o, "response_created_at", &ev->ts_us))
		no_time(r, "missing request_created_at");
	ev->model = FIRST_STR(o, "model", "response_model", "request_model");
	ev->provider = jslice(o, "provider");
	lowercase_member(o, "provider", &ev->provider);
	/* Helicone's names for xAI and Vercel's AI Gateway (its
	 * packages/cost/providers/mappings.ts): the catalog's xai and
	 * vercel_ai_gateway; "x" was unpriced. */
	if (ev->provider.n == 1 && ev->provider.p[0] == 'x')
		ev->provider = (struct br_str){"xai", 3};
	else if (ev->provider.n == 6 && memcmp(ev->provider.p, "vercel", 6) == 0)
		ev->provider = (struct br_str){"vercel_ai_gateway", 17};
	if (!ev->provider.n)
		ev->provider = infer_provider(ev->model);
	ev->request_id = FIRST_STR(o, "request_id", "response_id");
	ev->agent = FIRST_STR(o, "request_properties.agent",
			      "request_properties.Helicone-Property-Agent",
			      "properties.agent", "properties.Helicone-Property-Agent",
			      "request_user_id", "user_id");
	ev->label = FIRST_STR(o, "request_properties.team", "properties.team");
	const char *status = clickhouse ? "status" : "response_status";
	json_t *st = json_object_get(o, status);
	uint64_t code = json_is_null(st) || !st ? 0 : jcount(r, o, status);
	ev->error = code >= 400;
	uint64_t prompt = jcount(r, o, "prompt_tokens");
	uint64_t cache_read = jcount(r, o, "prompt_cache_read_tokens");
	uint64_t cache_write = jcount(r, o, "prompt_cache_write_tokens");
	ev->tokens.cache_read = cache_read;
	ev->tokens.cache_write = cache_write;
	/* Helicone's prompt_tokens include the cached tokens for OpenAI and
	 * Google, as those APIs report them (reads, and the writes an
	 * OpenAI-compatible usage may add, as the openai format takes them);
	 * Anthropic's exclude them. */
	char buf[32];
	const char *prov = br_provider_canonical(ev->provider, buf, sizeof buf);
	bool inclusive = strcmp(prov, "anthropic") != 0 && strcmp(prov, "bedrock") != 0;
	ev->tokens.input = inclusive ? sub0(sub0(prompt, cache_read), cache_write)
				     : prompt;
	ev->tokens.output = jcount(r, o, "completion_tokens");
	/* The first cost given: costUSD may be null beside a cost. */
	static const char *const costs[] = {"costUSD", "cost_usd", "cost"};
	for (size_t i = 0; i < sizeof costs / sizeof costs[0]; i++) {
		json_t *v = jget(o, costs[i]);
		if (v && !json_is_null(v) &&
		    !(json_is_string(v) && !json_string_length(v))) {
			bool nano = clickhouse && strcmp(costs[i], "cost") == 0;
			jcost_scaled(r, o, costs[i], nano ? 9 : 0, ev);
			break;
		}
	}
	if (!ev->provider.n)
		ev->provider = (struct br_str){"unknown", 7};
	return FORMAT_RECORD;
}

/* The count of the first of paths (NULL-terminated) present and not null
 * in o, or 0: keys that name the same count in different integrations. */
static uint64_t jcount_first(struct rec *r, json_t *o, const char *const *paths)
{
	for (; *paths; paths++) {
		json_t *v = jget(o, *paths);
		if (v && !json_is_null(v))
			return jcount(r, o, *paths);
	}
	return 0;
}

/* Whether a Langfuse observation of this type is a model call: a
 * generation always (one that failed without usage is an error request),
 * the other model-calling types (an agent, an embedding...) when they
 * carry usage or a cost; spans and events never. */
static bool langfuse_call(json_t *o, const char *type)
{
	static const char *const typed[] = {"AGENT", "TOOL", "CHAIN", "RETRIEVER",
					    "EVALUATOR", "EMBEDDING", "GUARDRAIL"};
	if (!type || !*type || strcmp(type, "GENERATION") == 0)
		return true;
	bool known = false;
	for (size_t i = 0; i < sizeof typed / sizeof typed[0]; i++)
		known |= strcmp(type, typed[i]) == 0;
	if (!known)
		return false;
	json_t *u = json_object_get(o, "usageDetails");
	json_t *c = jget(o, "totalCost");
	double cost = json_is_number(c) ? json_number_value(c)
		      : json_is_string(c) ? strtod(json_string_value(c), NULL) : 0;
	return (json_is_object(u) && json_object_size(u)) || cost > 0;
}

/* A Langfuse observation (its CSV export): the model calls among them. */
static int map_langfuse(struct api_parser *p, struct rec *r, struct br_event *ev)
{
	(void)p;
	json_t *o = r->root;
	if (!langfuse_call(o, jstr(o, "type")))
		return FORMAT_EMITTED;
	if (!jtime(r, o, "startTime", &ev->ts_us))
		no_time(r, "missing startTime");
	ev->model = jslice(o, "model");
	ev->provider = infer_provider(ev->model);
	if (!ev->provider.n)
		ev->provider = (struct br_str){"unknown", 7};
	ev->request_id = jslice(o, "id");
	ev->agent = FIRST_STR(o, "metadata.agent", "traceName");
	ev->label = jslice(o, "environment");
	ev->error = str_is(o, "level", "ERROR");
	json_t *u = json_object_get(o, "usageDetails");
	if (json_is_object(u) && json_object_size(u)) {
		static const char *const cache_read[] = {
			"input_cached_tokens", "input_cache_read",
			"cache_read_input_tokens", NULL};
		static const char *const cache_write[] = {
			"input_cache_creation", "cache_creation_input_tokens",
			"input_cache_write_tokens", NULL};
		static const char *const reasoning[] = {
			"output_reasoning_tokens", "output_reasoning", NULL};
		static const char *const audio[] = {
			"input_audio_tokens", "input_audio", NULL};
		/* input_audio_tokens (its OpenAI integration), input_audio
		 * (LangChain's) are subtracted from input too: prompt tokens
		 * billed at the input rate, as the openai format counts them. */
		ev->tokens.input = jcount(r, u, "input") + jcount_first(r, u, audio);
		ev->tokens.cache_read = jcount_first(r, u, cache_read);
		/* LangChain's Anthropic usage splits the writes by TTL
		 * (input_ephemeral_5m/1h_input_tokens): 1-hour writes bill
		 * 2x input, not the 5-minute 1.25x. */
		split_writes(jcount_first(r, u, cache_write),
			     jcount(r, u, "input_ephemeral_5m_input_tokens"),
			     jcount(r, u, "input_ephemeral_1h_input_tokens"), ev);
		ev->tokens.reasoning = jcount_first(r, u, reasoning);
		/* Langfuse subtracts every output_<detail> from output (its
		 * OpenAI integration's output_reasoning_tokens,
		 * output_accepted_prediction_tokens, output_audio_tokens...,
		 * LangChain's output_reasoning, output_audio): the output
		 * billed is their sum, its outputUsage. Only the reasoning
		 * one was added back: LangChain's reasoning and the others
		 * were lost. */
		ev->tokens.output = jcount(r, u, "output");
		const char *key;
		json_t *v;
		json_object_foreach(u, key, v) {
			if (strncmp(key, "output_", 7) != 0 || json_is_null(v))
				continue;
			/* A key a path cannot name (a dot, 64 bytes or more)
			 * would read as 0: its tokens lost unseen. */
			if (strchr(key, '.') || strlen(key) >= 64)
				bad(r, "invalid usageDetails key '%.64s': "
				    "a dot or 64 bytes or more", key);
			else
				ev->tokens.output += jcount(r, u, key);
		}
	} else {
		ev->tokens.input = jcount(r, o, "inputUsage");
		ev->tokens.output = jcount(r, o, "outputUsage");
	}
	struct br_str cost = jslice(o, "totalCost");
	if (cost.n || json_is_number(jget(o, "totalCost")))
		jcost(r, o, "totalCost", ev);
	return FORMAT_RECORD;
}

/* ------------------------------------------------------------ the parser */

/* Runs map over record r and settles the outcome: an event made from the
 * tree is handed to the sink at once (its strings point into the tree);
 * returns FORMAT_EMITTED, or FORMAT_RECORD with the reason in *reject. */
static int map_record(struct api_parser *p, struct rec *r,
		      int (*map)(struct api_parser *, struct rec *, struct br_event *),
		      const char **reject)
{
	struct br_event ev = {0};
	int rc = map(p, r, &ev);
	if (rc != FORMAT_RECORD)
		return rc;
	apply_maps(p, r, &ev);
	if (!r->why && !ev.model.n)
		r->why = "missing model";
	if (r->why) {
		snprintf(p->reason, sizeof p->reason, "%s", r->why);
		*reject = p->reason;
		return FORMAT_RECORD;
	}
	p->base.sink.event(p->base.sink.ctx, &ev);
	return FORMAT_EMITTED;
}

static int api_line(struct format_parser *fp, const char *line, size_t len,
		    struct br_event *ev, const char **reject, struct br_err *err)
{
	(void)err;
	(void)ev;
	struct api_parser *p = (struct api_parser *)fp;
	json_error_t je;
	struct rec r = {.text = line, .len = len,
			.time_mapped = p->maps && p->maps->path[CANON_TIMESTAMP]};
	r.root = json_loadb(line, len, JSON_ALLOW_NUL, &je);
	if (!r.root || !json_is_object(r.root)) {
		snprintf(p->reason, sizeof p->reason, "invalid JSON at byte %d: %s",
			 r.root ? 1 : je.position + 1, r.root ? "not an object" : je.text);
		json_decref(r.root);
		*reject = p->reason;
		return FORMAT_RECORD;
	}
	int rc = map_record(p, &r, p->map, reject);
	json_decref(r.root);
	return rc;
}

static int api_finish(struct format_parser *fp, const char **reject)
{
	(void)reject;
	struct api_parser *p = (struct api_parser *)fp;
	release(&p->held, &p->base.sink);
	return 0;
}

static void api_free(struct format_parser *fp)
{
	struct api_parser *p = (struct api_parser *)fp;
	held_free(&p->held);
	br_dict_free(p->outside);
	br_dict_free(p->rejected_starts);
	br_buf_free(&p->fast_model);
	br_buf_free(&p->stream_key);
	br_buf_free(&p->stream_id);
	free(p);
}

typedef int (*map_fn)(struct api_parser *, struct rec *, struct br_event *);

/* The formats, the columns of their CSV exports the map reads inside
 * (JSON objects: a cell of one must be valid JSON), and every column of
 * those exports the map reads at all (the first name of each path it
 * looks up; keep it in step with the map): a header naming one of these
 * twice is refused, as the row's object would keep one cell unseen. */
static const struct api_format {
	const char *name;
	map_fn map;
	const char *const *json_columns;
	const char *const *read_columns;
} api_formats[] = {
	{"openai", map_openai, NULL, NULL},
	{"anthropic", map_anthropic, NULL, NULL},
	{"gemini", map_gemini, NULL, NULL},
	{"bedrock", map_bedrock, NULL, NULL},
	{"claude-code", map_claude_code, NULL, NULL},
	{"openai-usage", map_openai_usage, NULL, NULL},
	{"litellm", map_litellm, (const char *const[]){"metadata", NULL},
	 (const char *const[]){"metadata", "startTime", "model", "model_group",
			       "custom_llm_provider", "request_id", "agent_id",
			       "end_user", "team_id", "status", "prompt_tokens",
			       "completion_tokens", "spend", "cache_hit", "id",
			       "response_cost", "response", NULL}},
	{"helicone", map_helicone,
	 (const char *const[]){"request_properties", "properties", NULL},
	 (const char *const[]){"response_status", "status",
			       "request_created_at", "response_created_at",
			       "model", "response_model", "request_model",
			       "provider", "request_id", "response_id",
			       "request_properties", "properties",
			       "request_user_id", "user_id", "prompt_tokens",
			       "prompt_cache_read_tokens",
			       "prompt_cache_write_tokens", "completion_tokens",
			       "costUSD", "cost_usd", "cost", NULL}},
	{"langfuse", map_langfuse,
	 (const char *const[]){"metadata", "usageDetails", NULL},
	 (const char *const[]){"type", "usageDetails", "totalCost", "startTime",
			       "model", "id", "metadata", "traceName",
			       "environment", "level", "inputUsage",
			       "outputUsage", NULL}},
};

/* The format named name, or NULL. */
static const struct api_format *find_format(const char *name)
{
	for (size_t i = 0; i < sizeof api_formats / sizeof api_formats[0]; i++)
		if (strcmp(api_formats[i].name, name) == 0)
			return &api_formats[i];
	return NULL;
}

struct format_parser *api_format_open(const char *name,
				      const struct format_maps *maps)
{
	const struct api_format *f = find_format(name);
	if (!f)
		return NULL;
	struct api_parser *p = br_calloc(1, sizeof *p);
	p->base = (struct format_parser){api_line, api_finish, api_free, name, {0}};
	p->base.json_lines = true;
	p->map = f->map;
	p->maps = maps;
	return &p->base;
}

/* A CSV cell's text as a JSON value, or NULL with jansson's error in *je:
 * as written, else with the quotes doubled once more than CSV needs undone
 * (exporters that escape quotes twice: not in a cell that begins with
 * one, a JSON string; the first error is kept). A
 * \u0000 is decoded as the JSONL formats decode it: a name holding one is
 * rejected where every format's events pass. */
static json_t *cell_json(struct br_str c, json_error_t *je)
{
	json_t *v = json_loadb(c.p, c.n, JSON_DECODE_ANY | JSON_ALLOW_NUL, je);
	if (v || c.p[0] == '"' || !memchr(c.p, '"', c.n))
		return v;
	struct br_buf b = {0};
	for (size_t i = 0; i < c.n; i++) {
		br_buf_putc(&b, c.p[i]);
		if (c.p[i] == '"' && i + 1 < c.n && c.p[i + 1] == '"')
			i++;
	}
	json_error_t again;
	v = json_loadb(b.p, b.len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &again);
	br_buf_free(&b);
	return v;
}

/* A CSV cell as a JSON value: JSON-typed columns (jsonb text, exporters
 * that escape quotes twice) become objects or arrays, a JSON-encoded
 * string (Langfuse's dates, """2025-...Z""") its text, anything else a
 * string. A cell of a column read inside (json: the format's JSON
 * columns, or a --map COLUMN.PATH) must be valid JSON: otherwise NULL,
 * with the reason written to why (what it would have held would be lost
 * unseen: an agent, the cache tokens of a usage object). */
static json_t *cell_value(struct br_str c, struct br_str name, bool json,
			  char *why, size_t size)
{
	json_error_t je;
	if (json) {
		json_t *v = cell_json(c, &je);
		if (!v)
			snprintf(why, size, "invalid JSON in column %.*s at "
				 "byte %d: %s", (int)(name.n > 64 ? 64 : name.n),
				 name.p, je.position + 1, je.text);
		return v;
	}
	if (c.n && (c.p[0] == '{' || c.p[0] == '[' || c.p[0] == '"')) {
		json_t *v = cell_json(c, &je);
		if (v && (json_is_object(v) || json_is_array(v) || json_is_string(v)))
			return v;
		json_decref(v);
	}
	return json_stringn_nocheck(c.p, c.n);
}

/* Tells whether column name is one the format reads inside (its JSON
 * columns), or a --map path reaches inside (COLUMN.PATH). */
static bool json_column(const char *const *cols, const struct format_maps *maps,
			struct br_str name)
{
	for (; cols && *cols; cols++)
		if (strlen(*cols) == name.n && memcmp(*cols, name.p, name.n) == 0)
			return true;
	for (int f = 0; maps && f < CANON_COUNT; f++) {
		const char *path = maps->path[f];
		const char *dot = path ? strchr(path, '.') : NULL;
		if (dot && (size_t)(dot - path) == name.n &&
		    memcmp(path, name.p, name.n) == 0)
			return true;
	}
	return false;
}

bool format_reads_column(const char *format, const struct format_maps *maps,
			 struct br_str name)
{
	const struct api_format *f = find_format(format);
	for (const char *const *c = f ? f->read_columns : NULL; c && *c; c++)
		if (strlen(*c) == name.n && memcmp(*c, name.p, name.n) == 0)
			return true;
	for (int k = 0; maps && k < CANON_COUNT; k++) {
		const char *path = maps->path[k];
		if (path && strcspn(path, ".") == name.n &&
		    memcmp(path, name.p, name.n) == 0)
			return true;
	}
	return false;
}

const char *format_map_csv_row(const char *format, struct br_str *names,
			       struct br_str *cells, size_t n,
			       const struct format_maps *maps,
			       const struct format_sink *sink, int *rc,
			       char *reason, size_t size)
{
	struct api_parser p = {.base.sink = *sink, .maps = maps};
	struct rec r = {.root = json_object(), .short_digits = 1,
			.time_mapped = maps && maps->path[CANON_TIMESTAMP]};
	const struct api_format *f = find_format(format);
	char key[256];
	for (size_t i = 0; i < n; i++) {
		if (!digits_short(cells[i].p, cells[i].n))
			r.short_digits = -1;
		if (!cells[i].n || names[i].n >= sizeof key)
			continue;
		memcpy(key, names[i].p, names[i].n);
		key[names[i].n] = 0;
		json_t *v = cell_value(cells[i], names[i],
				       json_column(f->json_columns, maps, names[i]),
				       reason, size);
		if (!v) {
			json_decref(r.root);
			*rc = FORMAT_RECORD;
			return reason;
		}
		json_object_set_new_nocheck(r.root, key, v);
	}
	const char *reject = NULL;
	*rc = map_record(&p, &r, f->map, &reject);
	json_decref(r.root);
	if (!reject)
		return NULL;
	snprintf(reason, size, "%s", reject);
	return reason;
}

const char *json_cell_path(struct br_str cell, struct br_str column,
			   const char *path, struct br_buf *out, bool *found,
			   char *why, size_t size)
{
	*found = false;
	if (!cell.n)
		return NULL; /* an empty cell: absent */
	json_t *root = cell_value(cell, column, true, why, size);
	if (!root)
		return why;
	json_t *v = jget(root, path);
	*found = true;
	/* A real as the cell has it (number_in), as a JSONL log's is read. */
	struct br_str raw = json_is_real(v) ? number_in(cell.p, cell.n, root, v)
					    : (struct br_str){0};
	if (json_is_string(v))
		br_buf_put(out, json_string_value(v), json_string_length(v));
	else if (json_is_integer(v))
		br_buf_printf(out, "%lld", (long long)json_integer_value(v));
	else if (raw.n)
		br_buf_put(out, raw.p, raw.n);
	else if (json_is_real(v))
		br_buf_printf(out, "%.17g", json_real_value(v));
	else
		*found = false;
	json_decref(root);
	return NULL;
}

/* ------------------------------------------------------------- detection */

/* The members detection reads: the record's own, and those of its payload
 * (its "response" or "event" object, else the record itself), under each
 * of the three. */
enum {
	D_SCHEMA_TYPE, D_SESSION_ID, D_LEAF_UUID, D_UUID, D_MESSAGE,
	D_START_TIME, D_SPEND, D_REQUEST_CREATED_AT, D_RESPONSE_ID,
	D_TIMESTAMP, D_PROVIDER, D_MODEL, D_RESPONSE, D_EVENT, D_MESSAGE_USAGE,
	D_API, D_RESPONSE_BODY, D_RESPONSE_STATUS_CODE, D_CUSTOM_ID,
	D_RESULT_TYPE, D_REQUEST, D_PROCESSED_TIME, D_KEY, D_RESPONSE_COST,
	D_TRACE_ID, D_USAGE_DETAILS,
	D_PAYLOAD /* the first of the payload's members, in four places */
};
enum {
	P_TYPE, P_OBJECT, P_USAGE_METADATA, P_MODEL_VERSION, P_ERROR,
	P_ERROR_CODE, P_ERROR_STATUS, P_ERROR_TYPE, P_ERROR_MESSAGE, P_COUNT
};
#define D_COUNT (D_PAYLOAD + 4 * P_COUNT)

static const char *const root_members[D_PAYLOAD] = {
	"schemaType", "sessionId", "leafUuid", "uuid", "message", "startTime",
	"spend", "request_created_at", "response_id", "timestamp", "provider",
	"model", "response", "event", "message.usage", "api", "response.body",
	"response.status_code", "custom_id", "result.type", "request",
	"processed_time", "key", "response_cost", "traceId", "usageDetails"};
static const char *const payload_members[P_COUNT] = {
	"type", "object", "usageMetadata", "modelVersion", "error",
	"error.code", "error.status", "error.type", "error.message"};
/* Where the payload is: the record, its "response", its "event", the
 * body of a Batch API output line's response. */
static const char *const payload_places[4] = {"", "response.", "event.",
					      "response.body."};

struct format_detector {
	struct jpath paths[D_COUNT];
	struct jscan *scan;
	struct jvalue v[D_COUNT];
};

struct format_detector *format_detector_new(void)
{
	struct format_detector *d = br_calloc(1, sizeof *d);
	char path[64];
	for (int i = 0; i < D_COUNT; i++) {
		if (i < D_PAYLOAD) {
			snprintf(path, sizeof path, "%s", root_members[i]);
		} else {
			int k = (i - D_PAYLOAD) / P_COUNT, m = (i - D_PAYLOAD) % P_COUNT;
			snprintf(path, sizeof path, "%s%s", payload_places[k],
				 payload_members[m]);
		}
		jpath_init(&d->paths[i], path);
	}
	d->scan = jscan_new(d->paths, D_COUNT);
	return d;
}

void format_detector_free(struct format_detector *d)
{
	if (!d)
		return;
	jscan_free(d->scan);
	free(d);
}

/* The string at v (present or not), or NULL with *n 0 when it is none. */
static const char *dstr(const struct format_detector *d, const struct jvalue *v,
			size_t *n)
{
	bool is = v->present && v->type == JV_STRING;
	*n = is ? v->len : 0;
	return is ? jscan_str(d->scan, v) : NULL;
}

/* Tells whether v is the string word. */
static bool dstr_is(const struct format_detector *d, const struct jvalue *v,
		    const char *word)
{
	size_t n;
	const char *s = dstr(d, v, &n);
	return s && n == strlen(word) && memcmp(s, word, n) == 0;
}

/* Tells whether the string s (n bytes) begins with prefix. */
static bool begins(const char *s, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);
	return s && n >= k && memcmp(s, prefix, k) == 0;
}

static bool is_kind(const struct jvalue *v, enum jtype t)
{
	return v->present && v->type == t;
}

const char *format_detect_json(struct format_detector *d, const char *line,
			       size_t len)
{
	size_t at;
	if (jscan_record(d->scan, line, len, d->v, &at))
		return NULL; /* not a valid JSON object */
	const struct jvalue *r = d->v;
	const struct jvalue *o = &r[D_PAYLOAD] +
		P_COUNT * (is_kind(&r[D_RESPONSE_BODY], JV_OBJECT) &&
			   r[D_RESPONSE_STATUS_CODE].present ? 3
			   : is_kind(&r[D_RESPONSE], JV_OBJECT) ? 1
			   : is_kind(&r[D_EVENT], JV_OBJECT) ? 2 : 0);
	size_t ntype, nobject;
	const char *type = dstr(d, &o[P_TYPE], &ntype);
	const char *object = dstr(d, &o[P_OBJECT], &nobject);
	bool error = is_kind(&o[P_ERROR], JV_OBJECT);
	/* Gemini's error: a google.rpc.Status, an integer code and a status
	 * name (OpenAI's error has a type, Anthropic's a type). */
	bool rpc_status = error && is_kind(&o[P_ERROR_CODE], JV_NUMBER) &&
			  o[P_ERROR_CODE].is_int &&
			  is_kind(&o[P_ERROR_STATUS], JV_STRING) &&
			  !o[P_ERROR_TYPE].present;
	/* OpenAI's error: a message and a type, under no "type" of its own
	 * record (Anthropic's error record has one). */
	bool openai_error = error && is_kind(&o[P_ERROR_MESSAGE], JV_STRING) &&
			    is_kind(&o[P_ERROR_TYPE], JV_STRING);
	if (dstr_is(d, &r[D_SCHEMA_TYPE], "ModelInvocationLog"))
		return "bedrock";
	if (dstr_is(d, &r[D_PAYLOAD + P_OBJECT], "page"))
		return "openai-usage";
	/* A line of an Anthropic Message Batches results file: its custom_id
	 * beside a result of one of the four types (an OpenAI Batch API
	 * line has a custom_id too, beside a response). */
	if (r[D_CUSTOM_ID].present &&
	    (dstr_is(d, &r[D_RESULT_TYPE], "succeeded") ||
	     dstr_is(d, &r[D_RESULT_TYPE], "errored") ||
	     dstr_is(d, &r[D_RESULT_TYPE], "canceled") ||
	     dstr_is(d, &r[D_RESULT_TYPE], "expired")))
		return "anthropic";
	/* A generic record: a timestamp, a provider and a model at the top
	 * of a record that is no envelope (no response or event payload).
	 * No other format's record has them all (a Claude Code line has its
	 * model in its message, a LiteLLM or Helicone row no timestamp, an
	 * API response no provider), so the other marks beside them are a
	 * generic record's unknown keys, skipped (DESIGN): a session's id
	 * (sessionId, uuid with a message), a type, a failed request's error
	 * object ({message, type}, as OpenAI's). */
	if (o == &r[D_PAYLOAD] && r[D_TIMESTAMP].present &&
	    is_kind(&r[D_PROVIDER], JV_STRING) && is_kind(&r[D_MODEL], JV_STRING))
		return "generic";
	/* A LiteLLM StandardLoggingPayload (what its custom loggers, its
	 * generic API and its bucket loggers write): startTime beside
	 * response_cost. Told before the payloads below, as it holds the
	 * model's response (an OpenAI chat.completion in "response"), which
	 * read as an envelope lost the cache writes LiteLLM counts inside
	 * prompt_tokens, the logged cost, the key's alias and team. */
	if (r[D_START_TIME].present && r[D_RESPONSE_COST].present &&
	    !r[D_TIMESTAMP].present)
		return "litellm";
	/* A Langfuse observation exported as JSON lines: the columns its
	 * CSV export is told by (traceId, startTime, usageDetails), typed.
	 * A span has them too (its model null), and is skipped as in the
	 * CSV. */
	if (r[D_TRACE_ID].present && r[D_START_TIME].present &&
	    r[D_USAGE_DETAILS].present && !r[D_TIMESTAMP].present)
		return "langfuse";
	if (r[D_SESSION_ID].present || r[D_LEAF_UUID].present ||
	    (r[D_UUID].present && r[D_MESSAGE].present) ||
	    dstr_is(d, &r[D_PAYLOAD + P_TYPE], "file-history-snapshot"))
		return "claude-code"; /* a transcript may open with a snapshot */
	if (o[P_USAGE_METADATA].present || o[P_MODEL_VERSION].present ||
	    rpc_status)
		return "gemini"; /* a log may open with a failed request */
	/* A Gemini API Batch Mode results file whose first line is a failed
	 * request: its key beside a google.rpc.Status ({code, message,
	 * details}), which need not name its status as an HTTP error does. */
	if (o == &r[D_PAYLOAD] && is_kind(&r[D_KEY], JV_STRING) && error &&
	    is_kind(&o[P_ERROR_CODE], JV_NUMBER) && o[P_ERROR_CODE].is_int &&
	    !o[P_ERROR_TYPE].present)
		return "gemini";
	/* A Vertex AI batch prediction output whose first line is a failed
	 * request: its request and processed_time, no response. */
	if (is_kind(&r[D_REQUEST], JV_OBJECT) && r[D_PROCESSED_TIME].present &&
	    !r[D_PROVIDER].present)
		return "gemini";
	if ((object && ((nobject == 15 && memcmp(object, "chat.completion", 15) == 0) ||
			(nobject == 21 && memcmp(object, "chat.completion.chunk", 21) == 0) ||
			(nobject == 8 && memcmp(object, "response", 8) == 0))) ||
	    begins(type, ntype, "response."))
		return "openai";
	/* The stream's other events too (content_block_*, ping): a log cut
	 * mid-stream may open with dozens of them. */
	if (type && ((ntype == 7 && memcmp(type, "message", 7) == 0) ||
		     begins(type, ntype, "message_") ||
		     begins(type, ntype, "content_block_") ||
		     (ntype == 4 && memcmp(type, "ping", 4) == 0) ||
		     (ntype == 5 && memcmp(type, "error", 5) == 0 &&
		      o[P_ERROR].present)))
		return "anthropic";
	if (!type && openai_error)
		return "openai"; /* a log may open with a failed request */
	/* A Claude Code line of only what ccusage's schema asks for: a
	 * timestamp and a message with its usage (Anthropic's stream events
	 * that nest one have a type, above; a generic record a provider; an
	 * envelope an api, a response or an event: a proxy's log of an
	 * Anthropic message, which is none). */
	if (is_kind(&r[D_MESSAGE_USAGE], JV_OBJECT) && r[D_TIMESTAMP].present &&
	    !r[D_PROVIDER].present && !r[D_API].present &&
	    !r[D_RESPONSE].present && !r[D_EVENT].present)
		return "claude-code";
	if (r[D_START_TIME].present && r[D_SPEND].present)
		return "litellm";
	if (r[D_REQUEST_CREATED_AT].present && r[D_RESPONSE_ID].present)
		return "helicone";
	if (r[D_TIMESTAMP].present && r[D_PROVIDER].present && r[D_MODEL].present)
		return "generic";
	return NULL;
}
