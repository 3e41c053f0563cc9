/* check.c - the spend check of CI runs: snapshots of spend per group,
 * baseline files (versioned JSON), the comparison under limits, and its
 * text, Markdown, JSON and JUnit XML. Costs are compared exactly in
 * pico-dollars; only percentages shown are rounded. */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"

#define BASELINE_VERSION 1
#define BASELINE_MAX_BYTES ((size_t)256 << 20)

/* Percent limits are parsed like money: 1% is 1e12 units. */
#define PCT_UNIT BR_PICO_PER_USD

/* ------------------------------------------------------------ snapshots */

static struct check_amounts amounts_of(const struct red_totals *t)
{
	const struct br_tokens *k = &t->tokens;
	uint64_t tokens = red_count_add(red_count_add(k->input, k->output),
					red_count_add(k->cache_read,
						      red_count_add(k->cache_write,
								    k->cache_write_1h)));
	return (struct check_amounts){t->requests, tokens, t->cost};
}

static void amounts_add(struct check_amounts *a, const struct check_amounts *b)
{
	a->requests = red_count_add(a->requests, b->requests);
	a->tokens = red_count_add(a->tokens, b->tokens);
	a->cost = br_pico_add(a->cost, b->cost);
}

static bool amounts_equal(const struct check_amounts *a,
			  const struct check_amounts *b)
{
	return a->requests == b->requests && a->tokens == b->tokens &&
	       a->cost == b->cost;
}

/* Tells whether a count of a is saturated (red_count_saturated): a lower
 * bound, which compares with nothing. */
static bool amounts_saturated(const struct check_amounts *a)
{
	return red_count_saturated(a->requests) || red_count_saturated(a->tokens);
}

/* Tells whether a and b are known to be the same: equal, and no count of
 * them saturated (two equal lower bounds say nothing of the counts: logs
 * of 2e19 tokens and of 3e19 both have 2^64 - 1). */
static bool amounts_same(const struct check_amounts *a,
			 const struct check_amounts *b)
{
	return amounts_equal(a, b) && !amounts_saturated(a);
}

bool check_snapshot_saturated(const struct check_snapshot *s)
{
	/* The totals are the (saturated) sum of the groups, in a baseline
	 * read too (read_baseline): a group's count saturated, they are. */
	return amounts_saturated(&s->totals);
}

/* Orders two groups' key values, key by key. */
static int keys_cmp(const char *const *x, const char *const *y, size_t nkeys)
{
	for (size_t i = 0; i < nkeys; i++) {
		int c = strcmp(x[i], y[i]);
		if (c)
			return c;
	}
	return 0;
}

static int group_cmp(const void *a, const void *b, void *ctx)
{
	const struct check_group *x = a, *y = b;
	return keys_cmp((const char *const *)x->key, (const char *const *)y->key,
			*(const size_t *)ctx);
}

static void sort_groups(struct check_snapshot *s)
{
	if (s->ngroups)
		qsort_r(s->groups, s->ngroups, sizeof *s->groups, group_cmp,
			&s->nkeys);
}

struct check_snapshot *check_snapshot_of(const struct report *r)
{
	/* The report shows names as the baseline file holds them: bytes
	 * that are not UTF-8 as U+FFFD, names that differ only by them as
	 * one group. */
	struct check_snapshot *s = br_calloc(1, sizeof *s);
	memcpy(s->keys, r->q.keys, sizeof s->keys);
	s->nkeys = r->q.nkeys;
	s->totals = amounts_of(&r->totals);
	s->groups = br_calloc(r->nrows + 1, sizeof *s->groups);
	s->ngroups = r->nrows;
	for (size_t i = 0; i < r->nrows; i++) {
		for (size_t k = 0; k < s->nkeys; k++)
			s->groups[i].key[k] = br_strdup(r->rows[i].key[k]);
		s->groups[i].a = amounts_of(&r->rows[i].t);
	}
	sort_groups(s);
	return s;
}

static void free_groups(struct check_group *g, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < REPORT_KEY_COUNT; k++)
			free(g[i].key[k]);
	free(g);
}

void check_snapshot_free(struct check_snapshot *s)
{
	if (!s)
		return;
	free_groups(s->groups, s->ngroups);
	free(s);
}

/* Appends "KEY=VALUE, KEY=VALUE" for a group. */
static void put_group_name(struct br_buf *b, const enum report_key *keys,
			   size_t nkeys, const char *const *values)
{
	for (size_t k = 0; k < nkeys; k++)
		br_buf_printf(b, "%s%s=%s", k ? ", " : "", report_key_name(keys[k]),
			      values[k]);
}

/* Appends the names of keys, joined by commas. */
static void put_key_names(struct br_buf *b, const enum report_key *keys,
			  size_t nkeys)
{
	for (size_t i = 0; i < nkeys; i++)
		br_buf_printf(b, "%s%s", i ? "," : "", report_key_name(keys[i]));
}

int check_snapshot_regroup(struct check_snapshot *s,
			   const enum report_key *keys, size_t nkeys,
			   struct br_err *err)
{
	size_t from[REPORT_KEY_COUNT];
	for (size_t i = 0; i < nkeys; i++) {
		size_t j = 0;
		while (j < s->nkeys && s->keys[j] != keys[i])
			j++;
		if (j == s->nkeys) {
			struct br_buf have = {0}, want = {0};
			put_key_names(&have, s->keys, s->nkeys);
			put_key_names(&want, keys, nkeys);
			br_fail_status(err, BR_EXIT_USAGE,
				       "the baseline is grouped by %s, which has no "
				       "'%s' to group by %s: write the baseline again "
				       "with --by %s, or compare with --by %s",
				       have.p, report_key_name(keys[i]), want.p,
				       want.p, have.p);
			br_buf_free(&have);
			br_buf_free(&want);
			return -1;
		}
		from[i] = j;
	}
	/* A group is identified by its values joined with NULs. */
	struct br_dict *ids = br_dict_new();
	struct br_buf id = {0};
	struct check_group *g = br_calloc(s->ngroups + 1, sizeof *g);
	size_t n = 0;
	for (size_t i = 0; i < s->ngroups; i++) {
		br_buf_reset(&id);
		for (size_t k = 0; k < nkeys; k++)
			br_buf_put(&id, s->groups[i].key[from[k]],
				   strlen(s->groups[i].key[from[k]]) + 1);
		uint32_t gi = br_dict_intern(ids, id.p, id.len);
		if (gi == n) {
			for (size_t k = 0; k < nkeys; k++)
				g[n].key[k] = br_strdup(s->groups[i].key[from[k]]);
			n++;
		}
		amounts_add(&g[gi].a, &s->groups[i].a);
	}
	br_buf_free(&id);
	br_dict_free(ids);
	free_groups(s->groups, s->ngroups);
	s->groups = g;
	s->ngroups = n;
	memcpy(s->keys, keys, nkeys * sizeof *keys);
	s->nkeys = nkeys;
	sort_groups(s);
	return 0;
}

/* ------------------------------------------------------------- escaping */

enum esc { ESC_TEXT, ESC_MARKDOWN, ESC_JSON, ESC_XML };

#define REPLACEMENT "\xEF\xBF\xBD" /* U+FFFD */

static void put_ascii(struct br_buf *b, unsigned char c, enum esc e)
{
	bool control = c < 0x20 || c == 0x7f;
	switch (e) {
	case ESC_TEXT:
		br_buf_putc(b, control ? '?' : (char)c);
		return;
	case ESC_MARKDOWN:
		/* Inline Markdown only: a table cell or a sentence. */
		if (control)
			c = ' ';
		else if (strchr("\\`*_[]<>|~&$", c))
			br_buf_putc(b, '\\');
		br_buf_putc(b, (char)c);
		return;
	case ESC_JSON:
		if (c == '"' || c == '\\')
			br_buf_printf(b, "\\%c", c);
		else if (control)
			br_buf_printf(b, "\\u%04x", c);
		else
			br_buf_putc(b, (char)c);
		return;
	case ESC_XML:
		if (c == '&')
			br_buf_puts(b, "&amp;");
		else if (c == '<')
			br_buf_puts(b, "&lt;");
		else if (c == '>')
			br_buf_puts(b, "&gt;");
		else if (c == '"')
			br_buf_puts(b, "&quot;");
		else if (c == '\'')
			br_buf_puts(b, "&apos;");
		else if (c == '\t' || c == '\n' || c == '\r')
			br_buf_printf(b, "&#%d;", c);
		else if (c < 0x20) /* not allowed in XML 1.0, even escaped */
			br_buf_puts(b, REPLACEMENT);
		else
			br_buf_putc(b, (char)c);
		return;
	}
}

/* Appends s escaped for e; invalid UTF-8 (and in XML the non-characters
 * U+FFFE and U+FFFF) becomes U+FFFD. */
static void put_escaped(struct br_buf *b, const char *s, enum esc e)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);
	while (n > 0) {
		size_t len = br_utf8_len(p, n);
		if (len == 1)
			put_ascii(b, *p, e);
		else if (e == ESC_TEXT && br_control_len(p, n) == 2)
			br_buf_putc(b, '?'); /* a C1 control: xterm obeys it */
		else if (len == 0 || (e == ESC_XML && len == 3 && p[0] == 0xEF &&
				      p[1] == 0xBF && p[2] >= 0xBE))
			br_buf_puts(b, REPLACEMENT);
		else
			br_buf_put(b, p, len);
		len = len ? len : 1;
		p += len;
		n -= len;
	}
}

static void put_json_string(struct br_buf *b, const char *s)
{
	br_buf_putc(b, '"');
	put_escaped(b, s, ESC_JSON);
	br_buf_putc(b, '"');
}

/* ------------------------------------------------------- baseline files */

/* A count as a JSON integer, or beyond INT64_MAX (which JSON readers
 * such as jansson refuse) as a decimal string: "9500000000000000000". */
static void put_baseline_count(struct br_buf *b, const char *name, uint64_t n)
{
	br_buf_printf(b, n > INT64_MAX ? "\"%s\":\"%llu\"" : "\"%s\":%llu", name,
		      (unsigned long long)n);
}

static void put_baseline_amounts(struct br_buf *b, const struct check_amounts *a)
{
	char m[BR_MONEY_BUFSZ];
	put_baseline_count(b, "requests", a->requests);
	br_buf_putc(b, ',');
	put_baseline_count(b, "tokens", a->tokens);
	br_buf_printf(b, ",\"cost_usd\":\"%s\"", br_money_format_exact(a->cost, m));
}

int check_baseline_write(const struct check_snapshot *s, const char *path,
			 struct br_err *err)
{
	struct br_buf b = {0};
	br_buf_printf(&b, "{\"burnrate_check_baseline\":%d,\"generated_by\":"
		      "\"burnrate %s\",\"currency\":\"USD\",\n\"group_by\":[",
		      BASELINE_VERSION, BR_VERSION);
	for (size_t k = 0; k < s->nkeys; k++)
		br_buf_printf(&b, "%s\"%s\"", k ? "," : "",
			      report_key_name(s->keys[k]));
	br_buf_puts(&b, "],\n\"totals\":{");
	put_baseline_amounts(&b, &s->totals);
	br_buf_puts(&b, "},\n\"rows\":[");
	for (size_t i = 0; i < s->ngroups; i++) {
		br_buf_puts(&b, i ? ",\n{" : "\n{");
		for (size_t k = 0; k < s->nkeys; k++) {
			br_buf_printf(&b, "\"%s\":", report_key_name(s->keys[k]));
			put_json_string(&b, s->groups[i].key[k]);
			br_buf_putc(&b, ',');
		}
		put_baseline_amounts(&b, &s->groups[i].a);
		br_buf_putc(&b, '}');
	}
	br_buf_puts(&b, "\n]}\n");
	if (strcmp(path, "-") == 0) {
		int rc = fwrite(b.p, 1, b.len, stdout) == b.len &&
				 fflush(stdout) == 0
			 ? 0 : br_fail(err, "cannot write the baseline to "
				      "standard output: %s", strerror(errno));
		br_buf_free(&b);
		return rc;
	}
	/* br_file_publish wants the directory and the name apart. */
	const char *slash = strrchr(path, '/');
	char *dir = slash ? br_strndup(path, slash == path ? 1 : (size_t)(slash - path))
			  : br_strdup(".");
	const char *name = slash ? slash + 1 : path;
	int rc = *name ? br_file_publish(dir, name, b.p, b.len, 0644, err)
		       : br_fail_status(err, BR_EXIT_USAGE,
					"baseline '%s': not a file name", path);
	free(dir);
	br_buf_free(&b);
	return rc;
}

/* Reads a count that must be a non-negative JSON integer, or one beyond
 * INT64_MAX in a string of decimal digits (put_baseline_count). */
static int read_count(json_t *o, const char *name, uint64_t *out,
		      const char *path, const char *where, struct br_err *err)
{
	json_t *v = json_object_get(o, name);
	if (json_is_integer(v) && json_integer_value(v) >= 0) {
		*out = (uint64_t)json_integer_value(v);
		return 0;
	}
	const char *t = json_string_value(v);
	size_t n = t ? json_string_length(v) : 0;
	if (n && n <= 20 && strspn(t, "0123456789") == n) {
		char *end;
		errno = 0;
		unsigned long long u = strtoull(t, &end, 10);
		if (errno == 0 && *end == 0) {
			*out = u;
			return 0;
		}
	}
	return br_fail_status(err, BR_EXIT_USAGE,
			      "baseline '%s': %s: \"%s\" must be a non-negative "
			      "integer (at most %llu)", path, where, name,
			      (unsigned long long)UINT64_MAX);
}

static int read_amounts(json_t *o, struct check_amounts *a, const char *path,
			const char *where, struct br_err *err)
{
	if (!json_is_object(o))
		return br_fail_status(err, BR_EXIT_USAGE,
				      "baseline '%s': %s must be an object",
				      path, where);
	if (read_count(o, "requests", &a->requests, path, where, err) != 0 ||
	    read_count(o, "tokens", &a->tokens, path, where, err) != 0)
		return -1;
	json_t *c = json_object_get(o, "cost_usd");
	const char *s = json_string_value(c);
	if (!s || br_money_parse_sum(s, json_string_length(c), &a->cost) != 0)
		return br_fail_status(err, BR_EXIT_USAGE,
				      "baseline '%s': %s: \"cost_usd\" must be a "
				      "decimal number in a string, like \"1.25\"",
				      path, where);
	if (a->cost < 0 || s[0] == '-')
		return br_fail_status(err, BR_EXIT_USAGE,
				      "baseline '%s': %s: \"cost_usd\" is negative "
				      "(\"%s\"): a cost is never below 0", path,
				      where, s);
	return 0;
}

/* Reads "group_by": key names, as --by takes them. */
static int read_keys(json_t *root, struct check_snapshot *s, const char *path,
		     struct br_err *err)
{
	json_t *keys = json_object_get(root, "group_by");
	struct br_buf list = {0};
	size_t i;
	json_t *k;
	json_array_foreach(keys, i, k) {
		if (!json_is_string(k))
			break;
		br_buf_printf(&list, "%s%s", i ? "," : "", json_string_value(k));
	}
	struct report_query q = {0};
	struct br_err why = {0};
	int rc = 0;
	if (!json_is_array(keys) || i != json_array_size(keys) || !list.len)
		rc = br_fail_status(err, BR_EXIT_USAGE, "baseline '%s': \"group_by\" "
				    "must be a list of key names", path);
	else if (report_parse_keys(list.p, &q, &why) != 0)
		rc = br_fail_status(err, BR_EXIT_USAGE,
				    "baseline '%s': \"group_by\": %s", path, why.msg);
	memcpy(s->keys, q.keys, sizeof s->keys);
	s->nkeys = q.nkeys;
	br_buf_free(&list);
	return rc;
}

/* Tells whether v is a value of the date key k as reports write it (a
 * day YYYY-MM-DD, a week YYYY-Www, a month YYYY-MM): a hand-edited
 * "2025-13-01" would be a group no log has, a regression where none was. */
static bool date_value_valid(enum report_key k, const char *v)
{
	int32_t day;
	char first[16];
	switch (k) {
	case REPORT_DAY:
		return br_day_parse(v, &day) == 0;
	case REPORT_WEEK: {
		/* YYYY-Www of a week the year has: its Monday, counted from
		 * the Monday of the week of January 4th (week 1), is written
		 * as v (2025-W53 is 2026-W01's Monday: 2025 has 52). */
		if (strlen(v) != 8 || v[4] != '-' || v[5] != 'W' ||
		    strspn(v + 6, "0123456789") != 2)
			return false;
		snprintf(first, sizeof first, "%.4s-01-04", v);
		int week = (v[6] - '0') * 10 + (v[7] - '0');
		char again[9];
		if (br_day_parse(first, &day) != 0 || week < 1)
			return false;
		br_week_format(br_day_week_start(day) + 7 * (week - 1), again);
		return strcmp(again, v) == 0;
	}
	case REPORT_MONTH:
		snprintf(first, sizeof first, "%s-01", v);
		return strlen(v) == 7 && br_day_parse(first, &day) == 0;
	default:
		return true;
	}
}

/* Refuses a member of a row (an object) that is neither one of s's keys
 * nor an amount: a group the file would name by a key it is not grouped
 * by (a row with "agent" in a baseline by model). */
static int read_row_names(json_t *row, const struct check_snapshot *s,
			  const char *path, const char *where, struct br_err *err)
{
	const char *name;
	json_t *v;
	json_object_foreach(row, name, v) {
		bool known = strcmp(name, "requests") == 0 ||
			     strcmp(name, "tokens") == 0 ||
			     strcmp(name, "cost_usd") == 0;
		for (size_t k = 0; !known && k < s->nkeys; k++)
			known = strcmp(name, report_key_name(s->keys[k])) == 0;
		if (!known) {
			struct br_buf keys = {0};
			put_key_names(&keys, s->keys, s->nkeys);
			char *shown = br_printable(name);
			br_fail_status(err, BR_EXIT_USAGE, "baseline '%s': %s: "
				       "\"%s\" is not a key of \"group_by\" (%s) "
				       "nor an amount (requests, tokens, cost_usd)",
				       path, where, shown, keys.p);
			free(shown);
			br_buf_free(&keys);
			return -1;
		}
	}
	return 0;
}

/* Reads the snapshot of a parsed baseline file into s. */
static int read_baseline(json_t *root, struct check_snapshot *s,
			 const char *path, struct br_err *err)
{
	json_t *version = json_object_get(root, "burnrate_check_baseline");
	if (!json_is_object(root) || !json_is_integer(version))
		return br_fail_status(err, BR_EXIT_USAGE,
				      "baseline '%s': not a burnrate check baseline "
				      "(no \"burnrate_check_baseline\" version); "
				      "write one with 'burnrate check --write-baseline'",
				      path);
	if (json_integer_value(version) != BASELINE_VERSION)
		return br_fail_status(err, BR_EXIT_USAGE,
				      "baseline '%s': format version %lld is not "
				      "supported (this burnrate reads version %d)",
				      path, (long long)json_integer_value(version),
				      BASELINE_VERSION);
	json_t *currency = json_object_get(root, "currency");
	if (currency && !(json_is_string(currency) &&
			  strcmp(json_string_value(currency), "USD") == 0))
		return br_fail_status(err, BR_EXIT_USAGE,
				      "baseline '%s': \"currency\" must be \"USD\" "
				      "(check compares costs in US dollars)", path);
	if (read_keys(root, s, path, err) != 0 ||
	    read_amounts(json_object_get(root, "totals"), &s->totals, path,
			 "\"totals\"", err) != 0)
		return -1;
	json_t *rows = json_object_get(root, "rows");
	if (!json_is_array(rows))
		return br_fail_status(err, BR_EXIT_USAGE,
				      "baseline '%s': \"rows\" must be a list", path);
	s->groups = br_calloc(json_array_size(rows) + 1, sizeof *s->groups);
	struct check_amounts sum = {0};
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row) {
		char where[64];
		snprintf(where, sizeof where, "rows[%zu]", i);
		struct check_group *g = &s->groups[s->ngroups++];
		for (size_t k = 0; json_is_object(row) && k < s->nkeys; k++) {
			const char *name = report_key_name(s->keys[k]);
			const char *v = json_string_value(json_object_get(row, name));
			if (!v)
				return br_fail_status(err, BR_EXIT_USAGE,
						      "baseline '%s': %s: \"%s\" must "
						      "be a string", path, where, name);
			if (!date_value_valid(s->keys[k], v)) {
				char *shown = br_printable(v);
				br_fail_status(err, BR_EXIT_USAGE,
					       "baseline '%s': %s: \"%s\" is not a "
					       "%s (\"%s\"; expected %s)", path,
					       where, name, name, shown,
					       s->keys[k] == REPORT_DAY ? "YYYY-MM-DD"
					       : s->keys[k] == REPORT_WEEK
						       ? "YYYY-Www" : "YYYY-MM");
				free(shown);
				return -1;
			}
			g->key[k] = br_strdup(v);
		}
		if (read_amounts(row, &g->a, path, where, err) != 0 ||
		    read_row_names(row, s, path, where, err) != 0)
			return -1;
		amounts_add(&sum, &g->a);
	}
	sort_groups(s);
	for (i = 1; i < s->ngroups; i++)
		if (group_cmp(&s->groups[i - 1], &s->groups[i], &s->nkeys) == 0) {
			struct br_buf name = {0};
			put_group_name(&name, s->keys, s->nkeys,
				       (const char *const *)s->groups[i].key);
			br_fail_status(err, BR_EXIT_USAGE, "baseline '%s': the "
				       "group %s is listed twice in \"rows\"",
				       path, name.p);
			br_buf_free(&name);
			return -1;
		}
	if (!amounts_equal(&sum, &s->totals))
		return br_fail_status(err, BR_EXIT_USAGE,
				      "baseline '%s': \"totals\" is not the sum of "
				      "\"rows\" (the file was changed by hand?)", path);
	return 0;
}

struct check_snapshot *check_baseline_read(const char *path,
					   struct br_err *err)
{
	struct br_buf text = {0};
	struct br_err why = {0};
	if (br_file_read(path, BASELINE_MAX_BYTES, &text, &why) != 0) {
		br_fail_status(err, BR_EXIT_USAGE, "cannot read the baseline: %s",
			       why.msg);
		br_buf_free(&text);
		return NULL;
	}
	json_error_t je;
	json_t *root = json_loadb(text.p ? text.p : "", text.len,
				  JSON_REJECT_DUPLICATES, &je);
	br_buf_free(&text);
	if (!root) {
		br_fail_status(err, BR_EXIT_USAGE, "baseline '%s': invalid JSON at "
			       "line %d, column %d: %s", path, je.line, je.column,
			       je.text);
		return NULL;
	}
	struct check_snapshot *s = br_calloc(1, sizeof *s);
	int rc = read_baseline(root, s, path, err);
	json_decref(root);
	if (rc != 0) {
		check_snapshot_free(s);
		return NULL;
	}
	return s;
}

/* ---------------------------------------------------------------- rules */

/* Parses a non-negative decimal into 1e-12 units exactly. Returns 0, -1
 * when s is not one, or -2 when it has a non-zero digit beyond the 12th
 * decimal (a limit is compared exactly: 0.09999999999999 rounded to
 * 0.1 passed an increase of $0.10, and 1e-13 became 0). */
static int parse_decimal(const char *s, size_t n, br_pico *out)
{
	return n && s[0] != '-' ? br_money_parse_exact(s, n, out) : -1;
}

/* The error of a limit parse_decimal refused with rc. */
static int limit_error(struct br_err *err, int rc, const char *option,
		       const char *value, const char *expected)
{
	if (rc == -2)
		return br_fail_status(err, BR_EXIT_USAGE, "invalid %s '%s': more "
				      "than 12 decimals (the limit is compared "
				      "exactly)", option, value);
	return br_fail_status(err, BR_EXIT_USAGE, "invalid %s '%s': expected %s",
			      option, value, expected);
}

int check_parse_rules(const char *pct, const char *usd, bool allow_unpriced,
		      struct check_rules *out, struct br_err *err)
{
	*out = (struct check_rules){.allow_unpriced = allow_unpriced};
	if (pct) {
		size_t n = strlen(pct);
		if (n && pct[n - 1] == '%')
			n--;
		int rc = parse_decimal(pct, n, &out->pct);
		if (rc != 0)
			return limit_error(err, rc, "--max-increase", pct,
					   "a percentage such as 10 or 2.5");
		out->has_pct = true;
	}
	if (usd) {
		int rc = parse_decimal(usd, strlen(usd), &out->usd);
		if (rc != 0)
			return limit_error(err, rc, "--max-increase-usd", usd,
					   "an amount of USD such as 0.50");
		out->has_usd = true;
	}
	if (!pct && !usd) {
		out->has_pct = true;
		out->pct = 10 * PCT_UNIT;
	}
	return 0;
}

/* ----------------------------------------------------------- comparison */

const char *check_status_name(enum check_status s)
{
	static const char *const names[] = {"unchanged", "increased",
					    "decreased", "new", "vanished"};
	return names[s];
}

/* Tells whether an increase delta > 0 is more than pct (in PCT_UNIT) of
 * base: delta x 100 x PCT_UNIT > pct x base, exact while the products fit
 * in 128 bits (beyond a billion USD, in long double). An increase from
 * nothing is infinite. */
static bool over_pct(br_pico base, br_pico delta, br_pico pct)
{
	if (base <= 0)
		return true;
	br_pico lhs, rhs;
	if (__builtin_mul_overflow(delta, (br_pico)100 * PCT_UNIT, &lhs) ||
	    __builtin_mul_overflow(pct, base, &rhs))
		return (long double)delta * 100 * PCT_UNIT >
		       (long double)pct * (long double)base;
	return lhs > rhs;
}

/* Sets l's status (presence: -1 only in the baseline, 1 only in the
 * current logs, 0 in both) and whether it is a regression. */
static void judge(struct check_line *l, int presence,
		  const struct check_rules *ru)
{
	br_pico d = br_pico_add(l->cur.cost, -l->base.cost);
	l->status = presence < 0 ? CHECK_VANISHED : presence > 0 ? CHECK_NEW
		  : d > 0 ? CHECK_INCREASED : d < 0 ? CHECK_DECREASED
		  : CHECK_UNCHANGED;
	l->regression = d > 0 && (!ru->has_pct || over_pct(l->base.cost, d, ru->pct)) &&
			(!ru->has_usd || d > ru->usd);
}

static br_pico abs_change(const struct check_line *l)
{
	br_pico d = br_pico_add(l->cur.cost, -l->base.cost);
	return d < 0 ? -d : d;
}

/* Biggest change of cost first, then by key values. */
static int line_cmp(const void *a, const void *b, void *ctx)
{
	const struct check_line *x = a, *y = b;
	br_pico dx = abs_change(x), dy = abs_change(y);
	if (dx != dy)
		return dx > dy ? -1 : 1;
	return keys_cmp(x->key, y->key, *(const size_t *)ctx);
}

struct check_result *check_compare(const struct check_snapshot *base,
				   const struct check_snapshot *cur,
				   const struct check_rules *rules,
				   const struct report_unpriced *unpriced,
				   size_t nunpriced)
{
	struct check_result *r = br_calloc(1, sizeof *r);
	memcpy(r->keys, cur->keys, sizeof r->keys);
	r->nkeys = cur->nkeys;
	r->rules = *rules;
	r->total.base = base->totals;
	r->total.cur = cur->totals;
	judge(&r->total, 0, rules);
	r->regressions = r->total.regression;
	r->lines = br_calloc(base->ngroups + cur->ngroups + 1, sizeof *r->lines);
	size_t i = 0, j = 0, nkeys = r->nkeys;
	/* Both sides are sorted by key values: merge them. */
	while (i < base->ngroups || j < cur->ngroups) {
		int c = i == base->ngroups ? 1 : j == cur->ngroups ? -1
			: group_cmp(&base->groups[i], &cur->groups[j], &nkeys);
		const struct check_group *g = c <= 0 ? &base->groups[i]
						     : &cur->groups[j];
		struct check_line *l = &r->lines[r->nlines++];
		for (size_t k = 0; k < nkeys; k++)
			l->key[k] = g->key[k];
		if (c <= 0)
			l->base = base->groups[i++].a;
		if (c >= 0)
			l->cur = cur->groups[j++].a;
		judge(l, c, rules);
		r->regressions += l->regression;
	}
	if (r->nlines)
		qsort_r(r->lines, r->nlines, sizeof *r->lines, line_cmp, &nkeys);
	r->unpriced = unpriced;
	r->nunpriced = nunpriced;
	for (size_t k = 0; k < nunpriced; k++)
		r->unpriced_requests += unpriced[k].requests;
	r->passed = r->regressions == 0 &&
		    (rules->allow_unpriced || r->unpriced_requests == 0);
	return r;
}

void check_result_free(struct check_result *r)
{
	if (!r)
		return;
	free(r->lines);
	free(r);
}

/* ------------------------------------------------------- text snippets */

/* Tells whether anything of l differs from the baseline, or may: a
 * saturated count is not known to be the same. */
static bool line_changed(const struct check_line *l)
{
	return l->status != CHECK_UNCHANGED || !amounts_same(&l->base, &l->cur);
}

/* v to 6 decimals ("1.234567"), or, not zero and under $0.000001, with
 * as many of its 12 as it needs ("0.0000005", not "0.000001" or
 * "0.000000"): a check of tiny amounts showed equal ones rising. Returns
 * m (BR_MONEY_BUFSZ). */
static char *money_shown(br_pico v, char *m)
{
	const br_pico micro = BR_PICO_PER_USD / 1000000;
	return v != 0 && v < micro && v > -micro ? br_money_format_exact(v, m)
						  : br_money_format(v, m);
}

/* "$1.234567"; with sign, "+$1.234567" for amounts above zero (as
 * money_shown). In Markdown the dollar is escaped (GitHub reads $...$ as
 * mathematics). */
static void put_usd(struct br_buf *b, br_pico v, bool sign, enum esc e)
{
	char m[BR_MONEY_BUFSZ];
	money_shown(v, m);
	const char *dollar = e == ESC_MARKDOWN ? "\\$" : "$";
	if (m[0] == '-')
		br_buf_printf(b, "-%s%s", dollar, m + 1);
	else
		br_buf_printf(b, "%s%s%s", sign && v > 0 ? "+" : "", dollar, m);
}

/* The change of cost in percent ("+50.0%"), "0.0%" without change, or
 * "n/a" when the baseline cost was not above zero (even when the current
 * one is zero too: as JSON's null). One decimal, more where one would
 * show a change as none ("-0.0001%", not "-0.0%") or a regression beyond
 * ru's percentage as that limit ("+10.00001%", not "+10.0%": the
 * comparison was exact, the text rounded). */
static void put_pct(struct br_buf *b, const struct check_line *l,
		    const struct check_rules *ru)
{
	br_pico d = br_pico_add(l->cur.cost, -l->base.cost);
	if (l->base.cost <= 0) {
		br_buf_puts(b, "n/a");
		return;
	}
	if (d == 0) {
		br_buf_puts(b, "0.0%");
		return;
	}
	double v = (double)d * 100.0 / (double)l->base.cost;
	double limit = l->regression && ru->has_pct ? (double)ru->pct / PCT_UNIT
			: -1;
	char s[64];
	for (int prec = 1; prec <= 15; prec++) {
		snprintf(s, sizeof s, "%+.*f", prec, v);
		double shown = strtod(s, NULL);
		if (shown != 0 && (limit < 0 || shown > limit)) {
			br_buf_printf(b, "%s%%", s);
			return;
		}
	}
	br_buf_printf(b, "%+.2g%%", v); /* below 1e-15 % */
}

/* A decimal in 1e-12 units with no needless zeros: "10", "2.5". */
static void put_decimal(struct br_buf *b, br_pico v)
{
	char m[BR_MONEY_BUFSZ];
	br_money_format_exact(v, m);
	size_t n = strlen(m);
	if (n > 2 && strcmp(m + n - 2, ".0") == 0)
		m[n - 2] = 0;
	br_buf_puts(b, m);
}

/* The limit an increase must pass: "+10%", "+$5", or with both limits
 * "+10% and +$5" after "beyond" (a regression is more than both), "+10%
 * or +$5" after "within" (a passing increase is within at least one:
 * +$12.5 and +5% passed +10% and +$1, and "within +10% and +$1" was
 * false). */
static void put_limit(struct br_buf *b, const struct check_rules *ru,
		      bool within, enum esc e)
{
	if (ru->has_pct) {
		br_buf_putc(b, '+');
		put_decimal(b, ru->pct);
		br_buf_putc(b, '%');
	}
	if (ru->has_pct && ru->has_usd)
		br_buf_puts(b, within ? " or " : " and ");
	if (ru->has_usd) {
		br_buf_puts(b, e == ESC_MARKDOWN ? "+\\$" : "+$");
		put_decimal(b, ru->usd);
	}
}

/* "10", or "10 → 15" when the count changed. */
static void put_counts(struct br_buf *b, uint64_t base, uint64_t cur)
{
	if (base == cur)
		br_buf_printf(b, "%llu", (unsigned long long)cur);
	else
		br_buf_printf(b, "%llu → %llu", (unsigned long long)base,
			      (unsigned long long)cur);
}

static const char *status_text(const struct check_line *l)
{
	if (l->regression)
		return l->status == CHECK_NEW ? "new, regression" : "regression";
	switch (l->status) {
	case CHECK_NEW: return "new";
	case CHECK_VANISHED: return "vanished";
	case CHECK_DECREASED: return "improved";
	case CHECK_INCREASED: return "increased";
	case CHECK_UNCHANGED: break;
	}
	return "unchanged";
}

/* "N thing" or "N things". */
static void put_count_of(struct br_buf *b, size_t n, const char *what)
{
	br_buf_printf(b, "%zu %s%s", n, what, n == 1 ? "" : "s");
}

/* The verdict and a sentence saying what changed, in text or Markdown
 * (e says how names are escaped). */
static void put_headline(struct br_buf *b, const struct check_result *r,
			 enum esc e)
{
	const struct check_line *t = &r->total;
	br_pico d = br_pico_add(t->cur.cost, -t->base.cost);
	/* saturated: groups of unchanged cost whose counts are equal but
	 * saturated, so not known to be the same (amounts_same). */
	size_t changed = 0, bad = 0, saturated = 0,
	       count[CHECK_VANISHED + 1] = {0};
	for (size_t i = 0; i < r->nlines; i++) {
		const struct check_line *l = &r->lines[i];
		changed += line_changed(l);
		bad += l->regression;
		count[l->status]++;
		saturated += l->status == CHECK_UNCHANGED &&
			     amounts_equal(&l->base, &l->cur) &&
			     amounts_saturated(&l->cur);
	}
	const char *verdict = r->passed ? "PASS" : "FAIL";
	if (e == ESC_MARKDOWN)
		br_buf_printf(b, "**burnrate check: %s.** ", verdict);
	else
		br_buf_printf(b, "%s: ", verdict);
	if (!changed && amounts_same(&t->base, &t->cur)) {
		br_buf_puts(b, "no change in LLM spend: ");
		put_usd(b, t->cur.cost, false, e);
		br_buf_printf(b, " for %llu request%s and %llu tokens, as in "
			      "the baseline", (unsigned long long)t->cur.requests,
			      t->cur.requests == 1 ? "" : "s",
			      (unsigned long long)t->cur.tokens);
	} else {
		if (d == 0) {
			br_buf_puts(b, "LLM spend unchanged at ");
			put_usd(b, t->cur.cost, false, e);
		} else {
			br_buf_printf(b, "LLM spend %s from ", d > 0 ? "rose" : "fell");
			put_usd(b, t->base.cost, false, e);
			br_buf_puts(b, " to ");
			put_usd(b, t->cur.cost, false, e);
			br_buf_puts(b, " (");
			put_usd(b, d, true, e);
			br_buf_puts(b, ", ");
			put_pct(b, t, &r->rules);
			br_buf_puts(b, ")");
		}
		br_buf_puts(b, " against the baseline");
	}
	if (r->regressions) {
		br_buf_puts(b, "; ");
		put_count_of(b, r->regressions, "regression");
		br_buf_puts(b, " beyond ");
		put_limit(b, &r->rules, false, e);
		br_buf_puts(b, t->regression ? ": the total" : ": ");
		if (t->regression && bad)
			br_buf_puts(b, " and ");
		if (bad)
			put_count_of(b, bad, "group");
	} else if (changed || d) {
		br_buf_puts(b, "; within ");
		put_limit(b, &r->rules, true, e);
	}
	if (changed) {
		static const char *const what[] = {
			"with other token or request counts", "cost more",
			"cost less", "new", "vanished"};
		static const enum check_status order[] = {
			CHECK_NEW, CHECK_VANISHED, CHECK_INCREASED,
			CHECK_DECREASED, CHECK_UNCHANGED};
		/* Unchanged groups count here only when their tokens or
		 * requests changed, or are saturated. */
		count[CHECK_UNCHANGED] = changed - count[CHECK_NEW] -
					 count[CHECK_VANISHED] -
					 count[CHECK_INCREASED] -
					 count[CHECK_DECREASED] - saturated;
		br_buf_puts(b, "; groups: ");
		const char *sep = "";
		for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
			if (!count[order[k]])
				continue;
			br_buf_printf(b, "%s%zu %s", sep, count[order[k]],
				      what[order[k]]);
			sep = ", ";
		}
		if (saturated)
			br_buf_printf(b, "%s%zu with counts too large to compare "
				      "(2^64 - 1)", sep, saturated);
	}
	if (r->unpriced_requests) {
		br_buf_printf(b, "; %llu request%s without a price",
			      (unsigned long long)r->unpriced_requests,
			      r->unpriced_requests == 1 ? "" : "s");
		if (r->rules.allow_unpriced) {
			br_buf_puts(b, e == ESC_MARKDOWN
					       ? " (allowed, counted as \\$0)"
					       : " (allowed, counted as $0)");
		} else {
			br_buf_puts(b, " (");
			for (size_t i = 0; i < r->nunpriced && i < 5; i++) {
				br_buf_puts(b, i ? ", " : "");
				put_escaped(b, r->unpriced[i].provider, e);
				br_buf_putc(b, '/');
				put_escaped(b, r->unpriced[i].model, e);
				br_buf_printf(b, ": %llu", (unsigned long long)
					      r->unpriced[i].requests);
			}
			if (r->nunpriced > 5)
				br_buf_printf(b, ", and %zu more models",
					      r->nunpriced - 5);
			br_buf_puts(b, "): add their prices with --prices FILE, "
				    "or pass --allow-unpriced");
		}
	}
	br_buf_puts(b, ".\n");
}

/* ---------------------------------------------------------------- table */

#define TABLE_VALUES 7

/* The changed groups and the total as cells: a header row, then a row per
 * line shown; ncols = nkeys + TABLE_VALUES cells each, row-major. */
struct table {
	char **cell;
	size_t ncols, nrows;
};

/* Appends the value cell v of line l (a column of TABLE_VALUES). */
static void put_value_cell(struct br_buf *b, const struct check_line *l, int v,
			   const struct check_rules *ru, enum esc e)
{
	switch (v) {
	case 0:
		if (l->status == CHECK_NEW)
			br_buf_putc(b, '-');
		else
			put_usd(b, l->base.cost, false, e);
		break;
	case 1:
		if (l->status == CHECK_VANISHED)
			br_buf_putc(b, '-');
		else
			put_usd(b, l->cur.cost, false, e);
		break;
	case 2:
		put_usd(b, br_pico_add(l->cur.cost, -l->base.cost), true, e);
		break;
	case 3:
		put_pct(b, l, ru);
		break;
	case 4:
		put_counts(b, l->base.requests, l->cur.requests);
		break;
	case 5:
		put_counts(b, l->base.tokens, l->cur.tokens);
		break;
	default: {
		const char *bold = e == ESC_MARKDOWN && l->regression ? "**" : "";
		br_buf_printf(b, "%s%s%s", bold, status_text(l), bold);
	}
	}
}

/* Builds the table of r; returns false, building nothing, when nothing
 * changed. */
static bool table_build(struct table *t, const struct check_result *r,
			enum esc e)
{
	static const char *const heads[TABLE_VALUES] = {
		"baseline", "current", "change", "change %", "requests", "tokens",
		"status"};
	size_t shown = 0;
	for (size_t i = 0; i < r->nlines; i++)
		shown += line_changed(&r->lines[i]);
	if (!shown && !line_changed(&r->total))
		return false;
	struct br_buf b = {0};
	size_t n = 0;
	t->ncols = r->nkeys + TABLE_VALUES;
	t->nrows = shown + 2;
	t->cell = br_calloc(t->nrows * t->ncols, sizeof *t->cell);
	for (size_t k = 0; k < t->ncols; k++)
		t->cell[n++] = br_strdup(k < r->nkeys ? report_key_name(r->keys[k])
						      : heads[k - r->nkeys]);
	for (size_t i = 0; i <= r->nlines; i++) {
		const struct check_line *l = i < r->nlines ? &r->lines[i] : &r->total;
		if (i < r->nlines && !line_changed(l))
			continue;
		for (size_t c = 0; c < t->ncols; c++) {
			br_buf_reset(&b);
			if (c >= r->nkeys)
				put_value_cell(&b, l, (int)(c - r->nkeys),
					       &r->rules, e);
			else if (i < r->nlines)
				put_escaped(&b, l->key[c], e);
			else if (c == 0)
				br_buf_puts(&b, e == ESC_MARKDOWN ? "**total**"
								  : "total");
			t->cell[n++] = br_strdup(b.p ? b.p : "");
		}
	}
	br_buf_free(&b);
	return true;
}

static void table_free(struct table *t)
{
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cell[i]);
	free(t->cell);
}

/* Key columns and status are aligned left, figures right. */
static bool align_left(const struct table *t, size_t c)
{
	return c < t->ncols - TABLE_VALUES || c == t->ncols - 1;
}

static void write_text(const struct check_result *r, struct br_buf *b)
{
	put_headline(b, r, ESC_TEXT);
	struct table t;
	if (!table_build(&t, r, ESC_TEXT))
		return;
	size_t *width = br_calloc(t.ncols, sizeof *width);
	for (size_t i = 0; i < t.nrows * t.ncols; i++) {
		size_t w = br_utf8_width(t.cell[i]);
		if (w > width[i % t.ncols])
			width[i % t.ncols] = w;
	}
	br_buf_putc(b, '\n');
	for (size_t row = 0; row < t.nrows; row++) {
		for (size_t c = 0; c < t.ncols; c++) {
			const char *s = t.cell[row * t.ncols + c];
			int pad = (int)(width[c] - br_utf8_width(s));
			bool last = c + 1 == t.ncols;
			if (align_left(&t, c))
				br_buf_printf(b, "%s%*s", s, last ? 0 : pad, "");
			else
				br_buf_printf(b, "%*s%s", pad, "", s);
			br_buf_puts(b, last ? "\n" : "  ");
		}
	}
	free(width);
	table_free(&t);
}

static void write_markdown(const struct check_result *r, struct br_buf *b)
{
	put_headline(b, r, ESC_MARKDOWN);
	struct table t;
	if (!table_build(&t, r, ESC_MARKDOWN))
		return;
	br_buf_putc(b, '\n');
	for (size_t row = 0; row < t.nrows; row++) {
		for (size_t c = 0; c < t.ncols; c++)
			br_buf_printf(b, "| %s ", t.cell[row * t.ncols + c]);
		br_buf_puts(b, "|\n");
		for (size_t c = 0; row == 0 && c < t.ncols; c++)
			br_buf_puts(b, align_left(&t, c) ? "|:--" : "|--:");
		br_buf_puts(b, row == 0 ? "|\n" : "");
	}
	table_free(&t);
}

/* ----------------------------------------------------------------- JSON */

static void json_amounts(struct br_buf *b, const struct check_amounts *a)
{
	char m[BR_MONEY_BUFSZ];
	br_buf_printf(b, "{\"requests\":%llu,\"tokens\":%llu,\"cost_usd\":%s}",
		      (unsigned long long)a->requests,
		      (unsigned long long)a->tokens, money_shown(a->cost, m));
}

/* cur - base exactly (both up to 2^64 - 1: as a long long, a rise of
 * 1e19 tokens came out negative), or null when either is saturated: the
 * change is unknown. */
static void put_count_delta(struct br_buf *b, uint64_t base, uint64_t cur)
{
	if (red_count_saturated(base) || red_count_saturated(cur))
		br_buf_puts(b, "null");
	else if (cur >= base)
		br_buf_printf(b, "%llu", (unsigned long long)(cur - base));
	else
		br_buf_printf(b, "-%llu", (unsigned long long)(base - cur));
}

/* "baseline", "current", "delta", "change_pct", "status", "regression". */
static void json_line(struct br_buf *b, const struct check_line *l)
{
	char m[BR_MONEY_BUFSZ];
	br_pico d = br_pico_add(l->cur.cost, -l->base.cost);
	br_buf_puts(b, "\"baseline\":");
	json_amounts(b, &l->base);
	br_buf_puts(b, ",\"current\":");
	json_amounts(b, &l->cur);
	br_buf_puts(b, ",\"delta\":{\"requests\":");
	put_count_delta(b, l->base.requests, l->cur.requests);
	br_buf_puts(b, ",\"tokens\":");
	put_count_delta(b, l->base.tokens, l->cur.tokens);
	br_buf_printf(b, ",\"cost_usd\":%s},\"change_pct\":",
		      money_shown(d, m));
	if (l->base.cost <= 0)
		br_buf_puts(b, "null");
	else if (d == 0)
		br_buf_puts(b, "0");
	else
		br_buf_printf(b, "%.2f", (double)d * 100.0 / (double)l->base.cost);
	br_buf_printf(b, ",\"status\":\"%s\",\"regression\":%s",
		      check_status_name(l->status),
		      l->regression ? "true" : "false");
}

static void write_json(const struct check_result *r, struct br_buf *b)
{
	br_buf_printf(b, "{\"generated_by\":\"burnrate %s\",\"currency\":\"USD\","
		      "\"passed\":%s,\n\"group_by\":[", BR_VERSION,
		      r->passed ? "true" : "false");
	for (size_t k = 0; k < r->nkeys; k++)
		br_buf_printf(b, "%s\"%s\"", k ? "," : "", report_key_name(r->keys[k]));
	br_buf_puts(b, "],\n\"limits\":{\"max_increase_pct\":");
	if (r->rules.has_pct)
		put_decimal(b, r->rules.pct);
	else
		br_buf_puts(b, "null");
	br_buf_puts(b, ",\"max_increase_usd\":");
	if (r->rules.has_usd)
		put_decimal(b, r->rules.usd);
	else
		br_buf_puts(b, "null");
	br_buf_printf(b, ",\"allow_unpriced\":%s},\n\"regressions\":%zu,\n"
		      "\"totals\":{", r->rules.allow_unpriced ? "true" : "false",
		      r->regressions);
	json_line(b, &r->total);
	br_buf_puts(b, "},\n\"groups\":[");
	for (size_t i = 0; i < r->nlines; i++) {
		br_buf_puts(b, i ? ",\n{" : "\n{");
		for (size_t k = 0; k < r->nkeys; k++) {
			br_buf_printf(b, "\"%s\":", report_key_name(r->keys[k]));
			put_json_string(b, r->lines[i].key[k]);
			br_buf_putc(b, ',');
		}
		json_line(b, &r->lines[i]);
		br_buf_putc(b, '}');
	}
	br_buf_printf(b, "],\n\"unpriced_requests\":%llu,\"unpriced\":[",
		      (unsigned long long)r->unpriced_requests);
	for (size_t i = 0; i < r->nunpriced; i++) {
		br_buf_puts(b, i ? ",\n{\"provider\":" : "\n{\"provider\":");
		put_json_string(b, r->unpriced[i].provider);
		br_buf_puts(b, ",\"model\":");
		put_json_string(b, r->unpriced[i].model);
		br_buf_printf(b, ",\"requests\":%llu}",
			      (unsigned long long)r->unpriced[i].requests);
	}
	br_buf_puts(b, "]}\n");
}

/* ---------------------------------------------------------------- JUnit */

/* A test case: its name, and a failure message when it failed. */
static void junit_case(struct br_buf *b, const char *name, const char *failure)
{
	br_buf_puts(b, "    <testcase classname=\"burnrate.check\" name=\"");
	put_escaped(b, name, ESC_XML);
	if (!failure) {
		br_buf_puts(b, "\"/>\n");
		return;
	}
	br_buf_puts(b, "\">\n      <failure type=\"spend\" message=\"");
	put_escaped(b, failure, ESC_XML);
	br_buf_puts(b, "\">");
	put_escaped(b, failure, ESC_XML);
	br_buf_puts(b, "</failure>\n    </testcase>\n");
}

/* What a regression of l is, for its failure message. */
static void put_regression(struct br_buf *b, const struct check_line *l,
			   const struct check_rules *ru)
{
	br_buf_puts(b, "cost ");
	if (l->status == CHECK_NEW) {
		br_buf_puts(b, "of a new group: ");
		put_usd(b, l->cur.cost, false, ESC_TEXT);
	} else {
		br_buf_puts(b, "rose from ");
		put_usd(b, l->base.cost, false, ESC_TEXT);
		br_buf_puts(b, " to ");
		put_usd(b, l->cur.cost, false, ESC_TEXT);
		br_buf_puts(b, " (");
		put_usd(b, br_pico_add(l->cur.cost, -l->base.cost), true, ESC_TEXT);
		br_buf_puts(b, ", ");
		put_pct(b, l, ru);
		br_buf_putc(b, ')');
	}
	br_buf_puts(b, ", beyond the limit ");
	put_limit(b, ru, false, ESC_TEXT);
	br_buf_printf(b, "; requests %llu -> %llu, tokens %llu -> %llu",
		      (unsigned long long)l->base.requests,
		      (unsigned long long)l->cur.requests,
		      (unsigned long long)l->base.tokens,
		      (unsigned long long)l->cur.tokens);
}

static void write_junit(const struct check_result *r, struct br_buf *b)
{
	bool unpriced_fail = r->unpriced_requests && !r->rules.allow_unpriced;
	size_t tests = r->nlines + 2, failures = r->regressions + unpriced_fail;
	br_buf_printf(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		      "<testsuites name=\"burnrate check\" tests=\"%zu\" "
		      "failures=\"%zu\" errors=\"0\">\n"
		      "  <testsuite name=\"burnrate check\" tests=\"%zu\" "
		      "failures=\"%zu\" errors=\"0\" skipped=\"0\">\n",
		      tests, failures, tests, failures);
	struct br_buf name = {0}, msg = {0};
	for (size_t i = 0; i <= r->nlines; i++) {
		const struct check_line *l = i ? &r->lines[i - 1] : &r->total;
		br_buf_reset(&name);
		br_buf_reset(&msg);
		if (!i)
			br_buf_puts(&name, "total spend");
		else
			put_group_name(&name, r->keys, r->nkeys, l->key);
		if (l->regression)
			put_regression(&msg, l, &r->rules);
		junit_case(b, name.p, l->regression ? msg.p : NULL);
	}
	br_buf_reset(&msg);
	for (size_t i = 0; unpriced_fail && i < r->nunpriced; i++)
		br_buf_printf(&msg, "%s%s/%s: %llu request%s without a price",
			      i ? "; " : "", r->unpriced[i].provider,
			      r->unpriced[i].model,
			      (unsigned long long)r->unpriced[i].requests,
			      r->unpriced[i].requests == 1 ? "" : "s");
	junit_case(b, "every request priced", unpriced_fail ? msg.p : NULL);
	br_buf_puts(b, "  </testsuite>\n</testsuites>\n");
	br_buf_free(&name);
	br_buf_free(&msg);
}

/* --------------------------------------------------------------- output */

int check_format_parse(const char *s, enum check_format *out)
{
	static const char *const names[] = {"text", "markdown", "json", "junit"};
	for (int i = 0; i < 4; i++)
		if (strcmp(s, names[i]) == 0) {
			*out = (enum check_format)i;
			return 0;
		}
	return -1;
}

int check_write(const struct check_result *r, enum check_format f,
		FILE *out, struct br_err *err)
{
	struct br_buf b = {0};
	switch (f) {
	case CHECK_TEXT: write_text(r, &b); break;
	case CHECK_MARKDOWN: write_markdown(r, &b); break;
	case CHECK_JSON: write_json(r, &b); break;
	case CHECK_JUNIT: write_junit(r, &b); break;
	}
	fwrite(b.p, 1, b.len, out);
	br_buf_free(&b);
	if (fflush(out) != 0 || ferror(out))
		return br_fail(err, "cannot write the check's output: %s",
			       strerror(errno));
	return 0;
}
