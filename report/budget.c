/* budget.c - the budgets file (DESIGN §7): parsing, scopes and periods. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "report/report.h"

static const char *const period_names[] = {"daily", "weekly", "monthly"};

const char *budget_period_name(enum budget_period p)
{
	return period_names[p];
}

void budget_period_range(enum budget_period p, int32_t day, int32_t *start,
			 int32_t *end)
{
	switch (p) {
	case BUDGET_DAILY:
		*start = *end = day;
		break;
	case BUDGET_WEEKLY:
		*start = br_day_week_start(day);
		*end = *start + 6;
		break;
	case BUDGET_MONTHLY:
		*start = br_day_month_start(day);
		*end = *start + br_day_month_length(day) - 1;
		break;
	}
}

bool budget_matches(const struct budget *b, const char *provider,
		    const char *model, const char *agent, const char *label)
{
	const char *values[4] = {provider, model, agent, label};
	for (size_t i = 0; i < b->nterms; i++)
		if (strcmp(values[b->terms[i].key], b->terms[i].value) != 0)
			return false;
	return true;
}

struct budget_load {
	const char *path;
	int col[7];
	bool header_seen;
	struct budget *v;
	size_t n, cap;
};

enum { B_NAME, B_SCOPE, B_PERIOD, B_LIMIT, B_THRESHOLDS, B_FORECAST,
       B_RECIPIENTS };
static const char *const budget_cols[7] = {
	"name", "scope", "period", "limit_usd", "thresholds", "forecast",
	"recipients"};

static int parse_scope(struct budget *b, const char *path, unsigned long line,
		       const char *scope, struct br_err *err)
{
	static const char *const keys[4] = {"provider", "model", "agent", "label"};
	char *copy = br_strdup(scope), *save = NULL;
	/* "*" and the keys are keywords: spaces and tabs around them are
	 * not part of them. A value is a name, kept byte for byte:
	 * "agent=trail " counts agent "trail ". */
	const char *all = br_csv_trim(copy);
	if (strcmp(all, "*") == 0 || !*all) {
		free(copy);
		return 0;
	}
	strcpy(copy, scope);
	for (char *t = strtok_r(copy, ";", &save); t; t = strtok_r(NULL, ";", &save)) {
		char *eq = strchr(t, '=');
		int k = -1;
		if (eq) {
			*eq = 0;
			const char *key = br_csv_trim(t);
			for (int i = 0; i < 4; i++)
				if (strcmp(key, keys[i]) == 0)
					k = i;
		}
		if (k < 0 || b->nterms == BUDGET_MAX_TERMS) {
			free(copy);
			return br_fail(err, "%s:%lu: invalid scope '%s': expected '*' "
				       "or key=value pairs joined by ';' (keys "
				       "provider, model, agent, label)", path, line,
				       scope);
		}
		/* A scope matches one value per key: a key given twice
		 * would match nothing, silently. */
		for (size_t i = 0; i < b->nterms; i++)
			if (b->terms[i].key == k) {
				br_fail(err, "%s:%lu: invalid scope '%s': key '%s' "
					"given twice (a scope matches one value "
					"per key)", path, line, scope, keys[k]);
				free(copy);
				return -1;
			}
		/* The value as the reports show names, its bytes that are
		 * not UTF-8 U+FFFD: rows are matched by their shown names
		 * (report.c), so "agent=bad\xffx" counts the row bad\uFFFDx,
		 * which merges every such name. */
		struct br_buf shown = {0}, canon = {0};
		br_utf8_repair(&shown, eq + 1);
		b->terms[b->nterms].key = k;
		b->terms[b->nterms].value = br_strdup(
			k == 0 ? br_provider_canonical_buf(
					 (struct br_str){shown.p, shown.len}, &canon)
			       : shown.p);
		br_buf_free(&shown);
		br_buf_free(&canon);
		b->nterms++;
	}
	free(copy);
	return 0;
}

static int parse_thresholds(struct budget *b, const char *path,
			    unsigned long line, const char *text,
			    struct br_err *err)
{
	static const int defaults[] = {50, 75, 90, 100};
	if (!*text) {
		memcpy(b->thresholds, defaults, sizeof defaults);
		b->nthresholds = 4;
		return 0;
	}
	const char *p = text;
	while (*p) {
		char *end;
		long v = strtol(p, &end, 10);
		end += strspn(end, " \t"); /* "50 ; 75", as around the cell */
		if (end == p || v <= 0 || v > 10000 ||
		    b->nthresholds == BUDGET_MAX_THRESHOLDS || (*end && *end != ';'))
			return br_fail(err, "%s:%lu: invalid thresholds '%s': expected "
				       "percents joined by ';' (e.g. 50;75;90;100)",
				       path, line, text);
		/* One alert per (budget, period, threshold): a repeat would
		 * send the same one twice. */
		for (size_t i = 0; i < b->nthresholds; i++)
			if (b->thresholds[i] == (int)v)
				return br_fail(err, "%s:%lu: invalid thresholds '%s': "
					       "%ld given twice", path, line,
					       text, v);
		b->thresholds[b->nthresholds++] = (int)v;
		p = *end ? end + 1 : end;
	}
	return 0;
}

static const char *cellv(const struct budget_load *l, char **f, size_t n, int c)
{
	int i = l->col[c];
	return i >= 0 && (size_t)i < n ? f[i] : "";
}

/* A keyword, number or list cell: its spaces and tabs around it are
 * not part of it (names keep theirs: br_csv_read_file). */
static const char *cellt(const struct budget_load *l, char **f, size_t n, int c)
{
	int i = l->col[c];
	return i >= 0 && (size_t)i < n ? br_csv_trim(f[i]) : "";
}

static int budget_record(void *ctx, unsigned long line, char **f, size_t n,
			 struct br_err *err)
{
	struct budget_load *l = ctx;
	if (!l->header_seen) {
		l->header_seen = true;
		/* An unknown column, a misspelt "threshold", would leave its
		 * values at their defaults unseen. */
		return br_csv_header(l->path, f, n, budget_cols, 7, B_LIMIT + 1,
				     NULL, l->col, err);
	}
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->v = br_realloc(l->v, l->cap * sizeof *l->v);
	}
	struct budget *b = &l->v[l->n++];
	memset(b, 0, sizeof *b);
	b->line = line;
	b->name = br_strdup(cellv(l, f, n, B_NAME));
	b->scope = br_strdup(*cellv(l, f, n, B_SCOPE) ? cellv(l, f, n, B_SCOPE) : "*");
	/* Addresses, not a name: a cell of spaces is none (alert_to). */
	b->recipients = br_strdup(cellt(l, f, n, B_RECIPIENTS));
	if (!*b->name)
		return br_fail(err, "%s:%lu: empty budget name", l->path, line);
	const char *period = cellt(l, f, n, B_PERIOD);
	int p = -1;
	for (int i = 0; i < 3; i++)
		if (strcmp(period, period_names[i]) == 0)
			p = i;
	if (p < 0)
		return br_fail(err, "%s:%lu: invalid period '%s': expected daily, "
			       "weekly or monthly", l->path, line, period);
	b->period = (enum budget_period)p;
	const char *limit = cellt(l, f, n, B_LIMIT);
	if (br_money_parse(limit, strlen(limit), &b->limit) != 0 || b->limit <= 0)
		return br_fail(err, "%s:%lu: invalid limit_usd '%s': expected a "
			       "positive amount", l->path, line, limit);
	/* The reports show micro-dollars: a smaller limit showed as
	 * 0.000000 beside a utilization of billions of percent. */
	if (b->limit < BR_PICO_PER_USD / 1000000)
		return br_fail(err, "%s:%lu: invalid limit_usd '%s': below "
			       "0.000001, the reports' smallest amount", l->path,
			       line, limit);
	const char *forecast = cellt(l, f, n, B_FORECAST);
	if (!*forecast || strcasecmp(forecast, "yes") == 0)
		b->forecast = true;
	else if (strcasecmp(forecast, "no") != 0)
		return br_fail(err, "%s:%lu: invalid forecast '%s': expected yes or "
			       "no", l->path, line, forecast);
	return parse_scope(b, l->path, line, b->scope, err) ||
	       parse_thresholds(b, l->path, line, cellt(l, f, n, B_THRESHOLDS), err)
		       ? -1 : 0;
}

void budgets_free(struct budget *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].scope);
		free(v[i].recipients);
		for (size_t t = 0; t < v[i].nterms; t++)
			free(v[i].terms[t].value);
	}
	free(v);
}

int budgets_load(const char *path, struct budget **out, size_t *n,
		 struct br_err *err)
{
	struct budget_load l = {.path = path};
	errno = 0;
	if (br_csv_read_file(path, budget_record, &l, err) != 0 ||
	    (!l.header_seen &&
	     br_fail(err, "%s: empty budgets file, expected a header", path))) {
		/* The file's error, but one that cannot be read now. */
		if (!br_errno_transient(errno))
			err->status = BR_EXIT_USAGE;
		budgets_free(l.v, l.n);
		return -1;
	}
	for (size_t i = 0; i < l.n; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(l.v[i].name, l.v[j].name) == 0) {
				br_fail_status(err, BR_EXIT_USAGE,
					       "%s:%lu: budget '%s' defined twice",
					       path, l.v[i].line, l.v[i].name);
				budgets_free(l.v, l.n);
				return -1;
			}
	*out = l.v;
	*n = l.n;
	return 0;
}
