/* catalog.c - the price catalog: models with their price history, aliases,
 * the built-in data, prices CSV files, and lookups. */
#include <errno.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/core.h"

/* The LiteLLM snapshot the built-in data was generated from: SNAPSHOT_DATE
 * in tools/gen_catalog.py (tests/e2e/catalog_gen.sh checks they agree). */
#define BUILTIN_DATE "2026-07-24"
#define BUILTIN_ORIGIN "built-in"

/* Emitted by core/catalog_data.S. */
extern const char br_builtin_catalog_csv[], br_builtin_aliases_csv[];
extern const uint64_t br_builtin_catalog_csv_size, br_builtin_aliases_csv_size;

struct entry {
	struct br_model m;
	size_t cap; /* of m.prices; 0: they are the built-in tables' */
	bool from_file; /* set by a prices file: wins over other entries */
};

struct alias {
	char *provider, *name, *rule;
	uint32_t target; /* entry index */
};

/* An alias of rule "regex": names its POSIX ERE matches (genai-prices'
 * regex match clauses, docs/PRICES.md). */
struct pattern {
	char *provider, *source;
	regex_t re; /* REG_EXTENDED | REG_NOSUB */
	uint32_t target;
};

/* A string the catalog copied (a prices file's, or the CSV's), on a list
 * freed with the catalog: no entry, alias or pattern frees its own, as
 * those of the built-in tables are borrowed. */
struct owned_str {
	struct owned_str *next;
	char s[];
};

/* Keys "provider\0name" to indexes 0, 1, ...: first the n of the built-in
 * tables (table[i] is index i's, order their indexes in key order), then
 * those of dict, numbered after them. */
struct keymap {
	const char *pool;
	const struct br_table_key *table;
	const uint32_t *order;
	size_t n;
	struct br_dict *dict;
};

struct br_catalog {
	struct keymap keys;         /* "provider\0model" -> entry index */
	struct entry *models;
	size_t nmodels, cap;
	struct keymap alias_keys;   /* "provider\0name" -> alias index */
	struct alias *aliases;
	size_t naliases, acap;
	struct pattern *patterns;   /* in aliases file order */
	size_t npatterns, pcap;
	uint64_t *thresholds;       /* distinct min_input_tokens > 0, sorted */
	size_t nthresholds;
	struct br_buf identity;
	char **origins;             /* prices file paths (entry origins) */
	size_t norigins;
	struct owned_str *strings;  /* entries', aliases' and patterns' */
};

/* ------------------------------------------------------------ providers */

const char *br_provider_canonical(struct br_str provider, char *buf,
				  size_t size)
{
	static const struct {
		const char *from, *to;
	} same[] = {
		{"gemini", "google"},
		{"palm", "google"},
		{"google_ai_studio", "google"},
		{"vertex", "vertex_ai"},
		{"vertexai", "vertex_ai"},
		{"google_vertex", "vertex_ai"},
		{"google-vertex", "vertex_ai"},
		{"aws", "bedrock"},
		{"aws_bedrock", "bedrock"},
		{"amazon_bedrock", "bedrock"},
		{"amazon-bedrock", "bedrock"},
		{"bedrock_converse", "bedrock"},
		{"bedrock_mantle", "bedrock"},
		{"text-completion-openai", "openai"},
		{"azure_openai", "azure"},
		{"azure-openai", "azure"},
		{"azure_text", "azure"},
		{"together_ai", "together"},
		{"fireworks_ai", "fireworks"},
		{"mistralai", "mistral"},
		{"codestral", "mistral"},
		{"text-completion-codestral", "mistral"},
		{"cohere_chat", "cohere"},
		{"x-ai", "xai"},
		{"moonshotai", "moonshot"},
		{"voyageai", "voyage"},
		{"text-completion-inception", "inception"},
	};
	size_t n = provider.n < size - 1 ? provider.n : size - 1;
	for (size_t i = 0; i < n; i++) {
		char ch = provider.p[i];
		buf[i] = ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
	}
	buf[n] = 0;
	for (size_t i = 0; i < sizeof same / sizeof same[0]; i++)
		if (strcmp(buf, same[i].from) == 0) {
			snprintf(buf, size, "%s", same[i].to);
			return buf;
		}
	/* LiteLLM names Vertex's model gardens vertex_ai-anthropic_models,
	 * vertex_ai-language-models, ... */
	if (strncmp(buf, "vertex_ai-", 10) == 0)
		snprintf(buf, size, "vertex_ai");
	return buf;
}

const char *br_provider_canonical_buf(struct br_str provider,
				      struct br_buf *b)
{
	/* Room for the name and for a merged spelling longer than it
	 * ("palm" -> "google"). */
	size_t size = provider.n + 16;
	br_buf_reset(b);
	br_buf_reserve(b, size);
	br_provider_canonical(provider, b->p, size);
	b->len = strlen(b->p);
	return b->p;
}

/* Builds the dictionary key "provider\0name" into b. */
static void make_key(struct br_buf *b, struct br_str provider,
		     struct br_str name)
{
	br_buf_reset(b);
	br_buf_put(b, provider.p, provider.n);
	br_buf_putc(b, 0);
	br_buf_put(b, name.p, name.n);
}

static struct br_str str_of(const char *s)
{
	return (struct br_str){s, strlen(s)};
}

/* -------------------------------------------------------------- catalog */

/* A copy of s that c owns, for as long as c. */
static char *catalog_strdup(struct br_catalog *c, const char *s)
{
	size_t n = strlen(s) + 1;
	struct owned_str *o = br_malloc(sizeof *o + n);
	memcpy(o->s, s, n);
	o->next = c->strings;
	c->strings = o;
	return o->s;
}

struct br_catalog *br_catalog_new(void)
{
	struct br_catalog *c = br_calloc(1, sizeof *c);
	c->keys.dict = br_dict_new();
	c->alias_keys.dict = br_dict_new();
	return c;
}

void br_catalog_free(struct br_catalog *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nmodels; i++)
		if (c->models[i].cap)
			free(c->models[i].m.prices);
	free(c->models);
	free(c->aliases);
	for (size_t i = 0; i < c->npatterns; i++)
		regfree(&c->patterns[i].re);
	free(c->patterns);
	while (c->strings) {
		struct owned_str *next = c->strings->next;
		free(c->strings);
		c->strings = next;
	}
	for (size_t i = 0; i < c->norigins; i++)
		free(c->origins[i]);
	free(c->origins);
	free(c->thresholds);
	br_buf_free(&c->identity);
	br_dict_free(c->keys.dict);
	br_dict_free(c->alias_keys.dict);
	free(c);
}

size_t br_catalog_models(const struct br_catalog *c)
{
	return c->nmodels;
}

const struct br_model *br_catalog_model(const struct br_catalog *c, size_t i)
{
	return i < c->nmodels ? &c->models[i].m : NULL;
}

size_t br_catalog_aliases(const struct br_catalog *c)
{
	return c->naliases;
}

const struct br_model *br_catalog_alias(const struct br_catalog *c, size_t i,
					const char **provider,
					const char **name, const char **rule)
{
	if (i >= c->naliases)
		return NULL;
	const struct alias *a = &c->aliases[i];
	*provider = a->provider;
	*name = a->name;
	*rule = a->rule;
	return &c->models[a->target].m;
}

size_t br_catalog_patterns(const struct br_catalog *c)
{
	return c->npatterns;
}

const struct br_model *br_catalog_pattern(const struct br_catalog *c, size_t i,
					  const char **provider,
					  const char **pattern)
{
	if (i >= c->npatterns)
		return NULL;
	*provider = c->patterns[i].provider;
	*pattern = c->patterns[i].source;
	return &c->models[c->patterns[i].target].m;
}

const char *br_catalog_identity(const struct br_catalog *c)
{
	return c->identity.p ? c->identity.p : "";
}

int br_table_key_cmp(const char *pool, const struct br_table_key *a,
		     const struct br_table_key *b)
{
	return br_bytes_cmp(pool + a->off, a->len, pool + b->off, b->len);
}

/* The index of key[0..n) among m's tables (a binary search), or -1. */
static int64_t table_find(const struct keymap *m, const char *key, size_t n)
{
	size_t a = 0, b = m->n;
	while (a < b) {
		size_t mid = a + (b - a) / 2;
		const struct br_table_key *t = &m->table[m->order[mid]];
		int cmp = br_bytes_cmp(m->pool + t->off, t->len, key, n);
		if (cmp == 0)
			return m->order[mid];
		if (cmp < 0)
			a = mid + 1;
		else
			b = mid;
	}
	return -1;
}

/* The index of key[0..n) in m, or -1. */
static int64_t keymap_find(const struct keymap *m, const char *key, size_t n)
{
	int64_t id = table_find(m, key, n);
	if (id < 0 && (id = br_dict_find(m->dict, key, n)) >= 0)
		id += (int64_t)m->n;
	return id;
}

/* The index of key[0..n) in m, added (next after the last) when new. */
static uint32_t keymap_intern(struct keymap *m, const char *key, size_t n)
{
	int64_t id = table_find(m, key, n);
	return id >= 0 ? (uint32_t)id
		       : (uint32_t)m->n + br_dict_intern(m->dict, key, n);
}

static size_t keymap_count(const struct keymap *m)
{
	return m->n + br_dict_count(m->dict);
}

/* Returns the index of the entry for (provider, name), creating an empty
 * one. provider must be canonical. */
static uint32_t catalog_entry(struct br_catalog *c, const char *provider,
			      const char *name)
{
	struct br_buf key = {0};
	make_key(&key, str_of(provider), str_of(name));
	uint32_t id = keymap_intern(&c->keys, key.p, key.len);
	br_buf_free(&key);
	if (id < c->nmodels)
		return id;
	if (c->nmodels == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 256;
		c->models = br_realloc(c->models, c->cap * sizeof *c->models);
	}
	struct entry *e = &c->models[c->nmodels++];
	memset(e, 0, sizeof *e);
	e->m.provider = catalog_strdup(c, provider);
	e->m.name = catalog_strdup(c, name);
	e->m.origin = BUILTIN_ORIGIN;
	return id;
}

static void entry_add(struct entry *e, const struct br_price *p)
{
	if (e->m.nprices == e->cap) {
		e->cap = e->cap ? e->cap * 2 : 4;
		e->m.prices = br_realloc(e->m.prices, e->cap * sizeof *e->m.prices);
	}
	e->m.prices[e->m.nprices++] = *p;
}

static int price_cmp(const void *a, const void *b)
{
	const struct br_price *x = a, *y = b;
	if (x->tier != y->tier)
		return x->tier < y->tier ? -1 : 1;
	if (x->from_day != y->from_day)
		return x->from_day < y->from_day ? -1 : 1;
	if (x->min_input_tokens != y->min_input_tokens)
		return x->min_input_tokens < y->min_input_tokens ? -1 : 1;
	return 0;
}

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Recomputes the sorted distinct long-context thresholds. */
static void update_thresholds(struct br_catalog *c)
{
	size_t n = 0;
	for (size_t i = 0; i < c->nmodels; i++)
		n += c->models[i].m.nprices;
	uint64_t *t = br_malloc((n ? n : 1) * sizeof *t);
	n = 0;
	for (size_t i = 0; i < c->nmodels; i++)
		for (size_t j = 0; j < c->models[i].m.nprices; j++)
			if (c->models[i].m.prices[j].min_input_tokens)
				t[n++] = c->models[i].m.prices[j].min_input_tokens;
	qsort(t, n, sizeof *t, u64_cmp);
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (k == 0 || t[k - 1] != t[i])
			t[k++] = t[i];
	free(c->thresholds);
	c->thresholds = t;
	c->nthresholds = k;
}

void br_catalog_band(const struct br_catalog *c, uint64_t total,
		     uint64_t *lo, uint64_t *hi)
{
	/* The first threshold above total. */
	size_t a = 0, b = c ? c->nthresholds : 0;
	while (a < b) {
		size_t mid = a + (b - a) / 2;
		if (c->thresholds[mid] <= total)
			a = mid + 1;
		else
			b = mid;
	}
	*lo = a ? c->thresholds[a - 1] : 0;
	*hi = c && a < c->nthresholds ? c->thresholds[a] : UINT64_MAX;
}

/* ---------------------------------------------------------- prices CSV */

/* A prices row waiting to be merged into the catalog. */
struct pending_row {
	char *provider, *model;
	struct br_price price;
	unsigned long line;
};

struct prices_load {
	const char *name;
	int col[11];
	bool header_seen;
	struct pending_row *rows;
	size_t n, cap;
};

enum {
	COL_PROVIDER, COL_MODEL, COL_FROM, COL_INPUT, COL_OUTPUT,
	COL_CACHE_READ, COL_CACHE_WRITE, COL_CACHE_WRITE_1H, COL_REASONING,
	COL_MIN_INPUT, COL_TIER, NCOLS
};

static const char *const col_names[NCOLS] = {
	"provider", "model", "from", "input", "output", "cache_read",
	"cache_write", "cache_write_1h", "reasoning", "min_input_tokens", "tier"};

/* The first seven columns are required in the header. */
#define NREQUIRED_COLS 7

static const char *cell(const int *col, char **f, size_t n, int c)
{
	int i = col[c];
	return i >= 0 && (size_t)i < n ? f[i] : "";
}

/* A number, date or keyword cell: the spaces and tabs around it are not
 * part of it (provider and model keep theirs: br_csv_read_file). */
static const char *cellt(const int *col, char **f, size_t n, int c)
{
	int i = col[c];
	return i >= 0 && (size_t)i < n ? br_csv_trim(f[i]) : "";
}

/* Parses an optional rate cell; empty gives BR_RATE_UNSET. */
static int parse_rate_cell(const char *name, unsigned long line,
			   const char *v, int col, bool required, int64_t *out,
			   struct br_err *err)
{
	if (!*v) {
		if (required)
			return br_fail(err, "%s:%lu: missing %s rate", name,
				       line, col_names[col]);
		*out = BR_RATE_UNSET;
		return 0;
	}
	if (br_rate_parse(v, strlen(v), out) != 0)
		return br_fail(err,
			       "%s:%lu: invalid %s rate '%s': expected USD per "
			       "1M tokens, at most 6 decimals, at most 1000000",
			       name, line, col_names[col], v);
	return 0;
}

/* The column of the built-in catalog that says where a row comes from
 * (docs/PRICES.md); read by nothing, so a file copied from it loads. */
#define PROVENANCE_COL "source"

/* Finds the columns of the header f[0..n); a column of no known name (a
 * typo, "cache_write_1hr", would leave its rates unset: billed at another
 * class's rate, silently) fails (br_csv_header). */
static int prices_header(struct prices_load *l, char **f, size_t n,
			 struct br_err *err)
{
	l->header_seen = true;
	return br_csv_header(l->name, f, n, col_names, NCOLS, NREQUIRED_COLS,
			     PROVENANCE_COL, l->col, err);
}

static int parse_price(const struct prices_load *l, unsigned long line,
		       char **f, size_t n, struct br_price *p,
		       struct br_err *err)
{
	*p = (struct br_price){.from_day = BR_DAY_NONE, .tier = BR_TIER_STANDARD};
	const char *from = cellt(l->col, f, n, COL_FROM);
	char why[BR_DAY_WHY_BUFSZ];
	if (*from && br_day_parse_why(from, &p->from_day, why) != 0)
		return br_fail(err, "%s:%lu: invalid from date '%s': %s", l->name,
			       line, from, why);
	struct {
		int col;
		int64_t *dst;
		bool required;
	} rates[] = {
		{COL_INPUT, &p->rates.input, true},
		{COL_OUTPUT, &p->rates.output, true},
		{COL_CACHE_READ, &p->rates.cache_read, false},
		{COL_CACHE_WRITE, &p->rates.cache_write, false},
		{COL_CACHE_WRITE_1H, &p->rates.cache_write_1h, false},
		{COL_REASONING, &p->rates.reasoning, false},
	};
	for (size_t i = 0; i < sizeof rates / sizeof rates[0]; i++)
		if (parse_rate_cell(l->name, line, cellt(l->col, f, n, rates[i].col),
				    rates[i].col, rates[i].required,
				    rates[i].dst, err) != 0)
			return -1;
	const char *min_input = cellt(l->col, f, n, COL_MIN_INPUT);
	if (*min_input) {
		char *end;
		if (min_input[0] < '0' || min_input[0] > '9')
			return br_fail(err, "%s:%lu: invalid min_input_tokens '%s'",
				       l->name, line, min_input);
		errno = 0;
		p->min_input_tokens = strtoull(min_input, &end, 10);
		if (*end)
			return br_fail(err, "%s:%lu: invalid min_input_tokens '%s'",
				       l->name, line, min_input);
		/* Beyond 2^64 - 1 it was read as 2^64 - 1, silently. */
		if (errno == ERANGE)
			return br_fail(err,
				       "%s:%lu: invalid min_input_tokens '%s': "
				       "above %llu",
				       l->name, line, min_input,
				       (unsigned long long)UINT64_MAX);
	}
	const char *tier = cellt(l->col, f, n, COL_TIER);
	if (*tier) {
		int t = br_tier_parse(tier, strlen(tier));
		if (t < 0)
			return br_fail(err,
				       "%s:%lu: invalid tier '%s': expected standard, "
				       "batch, flex or priority",
				       l->name, line, tier);
		p->tier = (enum br_tier)t;
	}
	return 0;
}

static int prices_record(void *ctx, unsigned long line, char **f, size_t n,
			 struct br_err *err)
{
	struct prices_load *l = ctx;
	if (!l->header_seen)
		return prices_header(l, f, n, err);
	const char *model = cell(l->col, f, n, COL_MODEL);
	if (!*model)
		return br_fail(err, "%s:%lu: empty model", l->name, line);
	struct br_price p;
	if (parse_price(l, line, f, n, &p, err) != 0)
		return -1;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->rows = br_realloc(l->rows, l->cap * sizeof *l->rows);
	}
	struct br_buf provider = {0};
	br_provider_canonical_buf(str_of(cell(l->col, f, n, COL_PROVIDER)),
				  &provider);
	l->rows[l->n++] = (struct pending_row){provider.p, br_strdup(model), p,
					       line};
	return 0;
}

static void pending_free(struct prices_load *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->rows[i].provider);
		free(l->rows[i].model);
	}
	free(l->rows);
}

/* Checks that no two rows of one model share tier, from and min_input;
 * names the two lines of l that do. */
static int check_duplicates(const char *name, struct br_catalog *tmp,
			    const struct prices_load *l, struct br_err *err)
{
	for (uint32_t i = 0; i < tmp->nmodels; i++) {
		struct br_model *m = &tmp->models[i].m;
		qsort(m->prices, m->nprices, sizeof *m->prices, price_cmp);
		for (size_t j = 1; j < m->nprices; j++) {
			if (price_cmp(&m->prices[j - 1], &m->prices[j]) != 0)
				continue;
			unsigned long lines[2] = {0, 0};
			for (size_t r = 0, k = 0; r < l->n && k < 2; r++)
				if (price_cmp(&l->rows[r].price, &m->prices[j]) == 0 &&
				    catalog_entry(tmp, l->rows[r].provider,
						  l->rows[r].model) == i)
					lines[k++] = l->rows[r].line;
			/* Named with its provider: rows of "gemini" and
			 * "google" are one provider's. */
			return br_fail(err, "%s:%lu: model '%s%s%s' has two "
				       "prices for the same tier, from date and "
				       "min_input_tokens (the other on line %lu)",
				       name, lines[1], m->provider,
				       *m->provider ? "/" : "", m->name,
				       lines[0]);
		}
	}
	return 0;
}

/* Parses a prices CSV image and merges it into c; origin names where the
 * models came from (owned by c). */
static int load_prices(struct br_catalog *c, const char *name,
		       const char *data, size_t len, const char *origin,
		       bool from_file, struct br_err *err)
{
	struct prices_load l = {.name = name};
	if (br_csv_read_mem(name, data, len, prices_record, &l, err) != 0) {
		pending_free(&l);
		return -1;
	}
	if (!l.header_seen) {
		pending_free(&l);
		return br_fail(err, "%s: empty prices file, expected a header", name);
	}
	struct br_catalog *tmp = br_catalog_new();
	for (size_t i = 0; i < l.n; i++) {
		uint32_t id = catalog_entry(tmp, l.rows[i].provider, l.rows[i].model);
		entry_add(&tmp->models[id], &l.rows[i].price);
	}
	int rc = check_duplicates(name, tmp, &l, err);
	if (rc == 0) {
		for (size_t i = 0; i < tmp->nmodels; i++) {
			struct entry *src = &tmp->models[i];
			uint32_t id = catalog_entry(c, src->m.provider, src->m.name);
			struct entry *dst = &c->models[id];
			if (dst->cap)
				free(dst->m.prices);
			dst->m.prices = src->m.prices;
			dst->m.nprices = src->m.nprices;
			dst->m.origin = origin;
			dst->cap = src->cap;
			dst->from_file = from_file;
			src->m.prices = NULL;
			src->m.nprices = src->cap = 0;
		}
		update_thresholds(c);
	}
	br_catalog_free(tmp);
	pending_free(&l);
	return rc;
}

static void identity_add(struct br_catalog *c, const char *what,
			 const char *data, size_t len)
{
	char hex[65];
	br_sha256_hex(data, len, hex);
	if (c->identity.len)
		br_buf_printf(&c->identity, "; ");
	br_buf_printf(&c->identity, "%s sha256:%s", what, hex);
}

int br_catalog_load_csv(struct br_catalog *c, const char *path,
			struct br_err *err)
{
	struct br_buf b = {0};
	if (br_file_read(path, (size_t)64 << 20, &b, err) != 0) {
		br_buf_free(&b);
		return -1;
	}
	c->origins = br_realloc(c->origins, (c->norigins + 1) * sizeof *c->origins);
	char *origin = br_strdup(path);
	int rc = load_prices(c, path, b.p ? b.p : "", b.len, origin, true, err);
	if (rc == 0) {
		c->origins[c->norigins++] = origin;
		struct br_buf what = {0};
		br_buf_printf(&what, "prices %s", path);
		identity_add(c, what.p, b.p ? b.p : "", b.len);
		br_buf_free(&what);
	} else {
		free(origin);
	}
	br_buf_free(&b);
	return rc;
}

/* -------------------------------------------------------------- aliases */

struct alias_load {
	struct br_catalog *c;
	int col[5];
	bool header_seen;
};

/* Adds the pattern source of provider (strings that live as long as c)
 * naming model target, compiled once here. Returns 0, or -1 with
 * regerror's message in why when source is no POSIX ERE. */
static int add_pattern(struct br_catalog *c, char *provider, char *source,
		       uint32_t target, char why[static 128])
{
	if (c->npatterns == c->pcap) {
		c->pcap = c->pcap ? c->pcap * 2 : 16;
		c->patterns = br_realloc(c->patterns, c->pcap * sizeof *c->patterns);
	}
	struct pattern *p = &c->patterns[c->npatterns];
	int rc = regcomp(&p->re, source, REG_EXTENDED | REG_NOSUB);
	if (rc != 0) {
		regerror(rc, &p->re, why, 128);
		return -1;
	}
	p->provider = provider;
	p->source = source;
	p->target = target;
	c->npatterns++;
	return 0;
}

/* An alias row of rule "regex": v[1] is a POSIX ERE. */
static int pattern_record(struct br_catalog *c, unsigned long line,
			  const char *const *v, int64_t target,
			  struct br_err *err)
{
	if (target < 0)
		return br_fail(err, "aliases:%lu: target %s/%s is not in the catalog",
			       line, v[2], v[3]);
	for (size_t i = 0; i < c->npatterns; i++)
		if (strcmp(c->patterns[i].provider, v[0]) == 0 &&
		    strcmp(c->patterns[i].source, v[1]) == 0)
			return br_fail(err, "aliases:%lu: pattern %s/%s listed twice",
				       line, v[0], v[1]);
	char why[128];
	if (add_pattern(c, catalog_strdup(c, v[0]), catalog_strdup(c, v[1]),
			(uint32_t)target, why) != 0)
		return br_fail(err, "aliases:%lu: invalid pattern '%s': %s", line,
			       v[1], why);
	return 0;
}

static int alias_record(void *ctx, unsigned long line, char **f, size_t n,
			struct br_err *err)
{
	static const char *const names[5] = {"alias_provider", "alias_model",
					     "provider", "model", "rule"};
	struct alias_load *l = ctx;
	if (!l->header_seen) {
		l->header_seen = true;
		for (int i = 0; i < 5; i++)
			if ((l->col[i] = br_csv_column(f, n, names[i])) < 0)
				return br_fail(err, "aliases:1: header has no '%s' column",
					       names[i]);
		return 0;
	}
	const char *v[5];
	for (int i = 0; i < 5; i++)
		v[i] = cell(l->col, f, n, i);
	struct br_catalog *c = l->c;
	struct br_buf key = {0};
	make_key(&key, str_of(v[2]), str_of(v[3]));
	int64_t target = keymap_find(&c->keys, key.p, key.len);
	if (strcmp(v[4], "regex") == 0) {
		br_buf_free(&key);
		return pattern_record(c, line, v, target, err);
	}
	make_key(&key, str_of(v[0]), str_of(v[1]));
	size_t before = keymap_count(&c->alias_keys);
	uint32_t id = keymap_intern(&c->alias_keys, key.p, key.len);
	br_buf_free(&key);
	if (target < 0)
		return br_fail(err, "aliases:%lu: target %s/%s is not in the catalog",
			       line, v[2], v[3]);
	if (keymap_count(&c->alias_keys) == before)
		return br_fail(err, "aliases:%lu: alias %s/%s listed twice", line,
			       v[0], v[1]);
	if (c->naliases == c->acap) {
		c->acap = c->acap ? c->acap * 2 : 1024;
		c->aliases = br_realloc(c->aliases, c->acap * sizeof *c->aliases);
	}
	c->aliases[id] = (struct alias){catalog_strdup(c, v[0]),
					catalog_strdup(c, v[1]),
					catalog_strdup(c, v[4]), (uint32_t)target};
	c->naliases++;
	return 0;
}

struct br_catalog *br_catalog_builtin_csv(struct br_err *err)
{
	struct br_catalog *c = br_catalog_new();
	struct alias_load al = {.c = c};
	if (load_prices(c, "built-in catalog", br_builtin_catalog_csv,
			(size_t)br_builtin_catalog_csv_size, BUILTIN_ORIGIN, false,
			err) != 0 ||
	    br_csv_read_mem("built-in aliases", br_builtin_aliases_csv,
			    (size_t)br_builtin_aliases_csv_size, alias_record, &al,
			    err) != 0) {
		br_catalog_free(c);
		return NULL;
	}
	identity_add(c, "built-in " BUILTIN_DATE, br_builtin_catalog_csv,
		     (size_t)br_builtin_catalog_csv_size);
	return c;
}

/* Checks that the n keys of the tables in m's order ascend (no two the
 * same); what names them, "model" or "alias", for the error. */
static int check_order(const struct keymap *m, const char *what,
		       struct br_err *err)
{
	for (size_t i = 0; i < m->n; i++) {
		if (m->order[i] >= m->n)
			return br_fail(err, "built-in catalog: %s index %u of %zu",
				       what, m->order[i], m->n);
		if (i == 0)
			continue;
		const struct br_table_key *a = &m->table[m->order[i - 1]];
		const struct br_table_key *b = &m->table[m->order[i]];
		int cmp = br_table_key_cmp(m->pool, a, b);
		if (cmp >= 0)
			return br_fail(err, "built-in catalog: %s %s/%s %s", what,
				       m->pool + b->off,
				       m->pool + b->off + b->provider_len + 1,
				       cmp ? "out of order" : "listed twice");
	}
	return 0;
}

struct br_catalog *br_catalog_from_tables(const struct br_catalog_tables *t,
					  struct br_err *err)
{
	struct br_catalog *c = br_catalog_new();
	c->keys = (struct keymap){t->pool, t->model_keys, t->model_order,
				  t->nmodels, c->keys.dict};
	c->alias_keys = (struct keymap){t->pool, t->alias_keys, t->alias_order,
					t->naliases, c->alias_keys.dict};
	if (check_order(&c->keys, "model", err) != 0 ||
	    check_order(&c->alias_keys, "alias", err) != 0)
		goto fail;
	c->models = br_malloc((t->nmodels ? t->nmodels : 1) * sizeof *c->models);
	c->cap = t->nmodels;
	for (size_t i = 0; i < t->nmodels; i++) {
		char *provider = t->pool + t->model_keys[i].off;
		c->models[c->nmodels++] = (struct entry){
			.m = {provider, provider + t->model_keys[i].provider_len + 1,
			      BUILTIN_ORIGIN, t->prices + t->models[i].price,
			      t->models[i].nprices}};
	}
	c->aliases = br_malloc((t->naliases ? t->naliases : 1) * sizeof *c->aliases);
	c->acap = t->naliases;
	for (size_t i = 0; i < t->naliases; i++) {
		char *provider = t->pool + t->alias_keys[i].off;
		char *name = provider + t->alias_keys[i].provider_len + 1;
		if (t->aliases[i].target >= c->nmodels) {
			br_fail(err, "built-in catalog: alias %s/%s names no model",
				provider, name);
			goto fail;
		}
		c->aliases[c->naliases++] = (struct alias){
			provider, name, t->pool + t->aliases[i].rule,
			t->aliases[i].target};
	}
	for (size_t i = 0; i < t->npatterns; i++) {
		const struct br_table_pattern *p = &t->patterns[i];
		char why[128] = "names no model";
		if (p->target >= c->nmodels ||
		    add_pattern(c, t->pool + p->provider, t->pool + p->source,
				p->target, why) != 0) {
			br_fail(err, "built-in catalog: pattern '%s': %s",
				t->pool + p->source, why);
			goto fail;
		}
	}
	update_thresholds(c);
	br_buf_puts(&c->identity, t->identity);
	return c;
fail:
	br_catalog_free(c);
	return NULL;
}

/* -------------------------------------------------------------- lookups */

static int64_t find_in(const struct keymap *m, struct br_str provider,
		       struct br_str name)
{
	char stack[256];
	size_t n = provider.n + 1 + name.n;
	char *key = n <= sizeof stack ? stack : br_malloc(n);
	if (provider.n)
		memcpy(key, provider.p, provider.n);
	key[provider.n] = 0;
	if (name.n)
		memcpy(key + provider.n + 1, name.p, name.n);
	int64_t id = keymap_find(m, key, n);
	if (key != stack)
		free(key);
	return id;
}

/* The first pattern for provider (exactly: "" only finds patterns for any
 * provider) found in name, anchored where it says ^ and $, or -1. A name
 * with a NUL byte matches none (regexec would see only its start). */
static int64_t find_pattern(const struct br_catalog *c, struct br_str provider,
			    struct br_str name)
{
	if (!c->npatterns || (name.n && memchr(name.p, 0, name.n)))
		return -1;
	char stack[256];
	char *s = name.n < sizeof stack ? stack : br_malloc(name.n + 1);
	if (name.n)
		memcpy(s, name.p, name.n);
	s[name.n] = 0;
	int64_t found = -1;
	for (size_t i = 0; i < c->npatterns && found < 0; i++) {
		const struct pattern *pt = &c->patterns[i];
		if (strlen(pt->provider) == provider.n &&
		    memcmp(pt->provider, provider.p, provider.n) == 0 &&
		    regexec(&pt->re, s, 0, NULL, 0) == 0)
			found = (int64_t)i;
	}
	if (s != stack)
		free(s);
	return found;
}

/* The model id a Bedrock ARN names: ID in
 * "arn:PARTITION:bedrock:REGION:ACCOUNT:foundation-model/ID" or
 * "arn:PARTITION:bedrock:REGION:ACCOUNT:inference-profile/ID" (a system
 * inference profile: "us.anthropic.claude-..."). An application inference
 * profile's ARN names no model. */
static bool bedrock_arn_model(struct br_str arn, struct br_str *id)
{
	static const char *const kinds[] = {"foundation-model/",
					    "inference-profile/"};
	if (arn.n < 4)
		return false;
	const char *p = arn.p, *end = arn.p + arn.n, *field[6];
	field[0] = p;
	for (int i = 1; i < 6; i++) { /* the fields before the resource */
		const char *colon = memchr(p, ':', (size_t)(end - p));
		if (!colon)
			return false;
		field[i] = p = colon + 1;
	}
	if (field[1] - field[0] != 4 || memcmp(field[0], "arn:", 4) != 0 ||
	    field[3] - field[2] != 8 || memcmp(field[2], "bedrock:", 8) != 0)
		return false;
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		size_t k = strlen(kinds[i]);
		if ((size_t)(end - p) > k && memcmp(p, kinds[i], k) == 0 &&
		    !memchr(p + k, '/', (size_t)(end - p) - k)) {
			*id = (struct br_str){p + k, (size_t)(end - p) - k};
			return true;
		}
	}
	return false;
}

void br_catalog_resolve(const struct br_catalog *c, struct br_str provider,
			struct br_str model, struct br_match *m)
{
	struct br_buf buf = {0};
	struct br_str p = str_of(br_provider_canonical_buf(provider, &buf));
	struct br_str any = {"", 0};
	*m = (struct br_match){0};
	int64_t exact = find_in(&c->keys, p, model);
	int64_t anyp = find_in(&c->keys, any, model);
	int64_t id = -1;
	if (exact >= 0 && c->models[exact].from_file)
		id = exact, m->rule = "exact";
	else if (anyp >= 0 && c->models[anyp].from_file)
		id = anyp, m->rule = "any provider";
	else if (exact >= 0)
		id = exact, m->rule = "exact";
	else if (anyp >= 0)
		id = anyp, m->rule = "any provider";
	if (id < 0) {
		int64_t a = find_in(&c->alias_keys, p, model);
		if (a < 0)
			a = find_in(&c->alias_keys, any, model);
		int64_t pt = -1;
		if (a >= 0) {
			id = c->aliases[a].target;
			m->rule = c->aliases[a].rule;
			m->alias_provider = c->aliases[a].provider;
		} else if ((pt = find_pattern(c, p, model)) >= 0 ||
			   (p.n && (pt = find_pattern(c, any, model)) >= 0)) {
			id = c->patterns[pt].target;
			m->rule = "regex";
			m->alias_provider = c->patterns[pt].provider;
			m->pattern = c->patterns[pt].source;
		} else {
			/* A Bedrock ARN (of Bedrock's, or of no provider
			 * named) is priced as the model it names. */
			struct br_str arn_id;
			if ((p.n == 0 || strcmp(p.p, "bedrock") == 0) &&
			    bedrock_arn_model(model, &arn_id)) {
				br_catalog_resolve(c, (struct br_str){"bedrock", 7},
						   arn_id, m);
				m->arn = m->model != NULL;
			}
			br_buf_free(&buf);
			return;
		}
		/* A prices file's row for any provider and the model the alias
		 * names wins over the catalog's rows, as it does when a log
		 * names that model itself. */
		const char *name = c->models[id].m.name;
		int64_t file_any = c->models[id].from_file
					   ? -1
					   : find_in(&c->keys, any, str_of(name));
		if (file_any >= 0 && c->models[file_any].from_file)
			id = file_any;
	}
	m->model = &c->models[id].m;
	m->index = (size_t)id;
	br_buf_free(&buf);
}

const struct br_price *br_model_price_days(const struct br_model *m,
					   int32_t day, enum br_tier tier,
					   uint64_t band_lo, uint64_t band_hi,
					   enum br_unpriced *why, int32_t *from,
					   int32_t *until)
{
	/* The version in force: the latest from_day not after day
	 * (BR_DAY_NONE, "always", is below every day); the next one after
	 * day ends its days. */
	bool tier_seen = false, found = false;
	int32_t version = BR_DAY_NONE, next = INT32_MAX;
	for (size_t i = 0; i < m->nprices; i++) {
		const struct br_price *p = &m->prices[i];
		if (p->tier != tier)
			continue;
		tier_seen = true;
		if (p->from_day > day) {
			if (p->from_day < next)
				next = p->from_day;
			continue;
		}
		if (!found || p->from_day > version)
			version = p->from_day;
		found = true;
	}
	*from = version;
	*until = next;
	*why = BR_PRICED;
	if (!found) {
		*why = tier_seen ? BR_UNPRICED_NO_PRICE_ON_DAY : BR_UNPRICED_NO_TIER;
		return NULL;
	}
	/* Within the version, rows ascend by min_input_tokens. */
	const struct br_price *best = NULL;
	for (size_t i = 0; i < m->nprices; i++) {
		const struct br_price *p = &m->prices[i];
		if (p->tier != tier || p->from_day != version)
			continue;
		if (p->min_input_tokens <= band_lo) {
			best = p;
		} else if (p->min_input_tokens < band_hi) {
			*why = BR_UNPRICED_SPLIT_BAND;
			return NULL;
		}
	}
	if (!best)
		*why = BR_UNPRICED_TOO_LITTLE_INPUT;
	return best;
}

const struct br_price *br_model_price(const struct br_model *m, int32_t day,
				      enum br_tier tier, uint64_t band_lo,
				      uint64_t band_hi, enum br_unpriced *why)
{
	int32_t from, until;
	return br_model_price_days(m, day, tier, band_lo, band_hi, why, &from,
				   &until);
}

const struct br_price *br_catalog_find(const struct br_catalog *c,
				       const char *provider, const char *model,
				       int32_t day, enum br_tier tier,
				       uint64_t total_input,
				       enum br_unpriced *why)
{
	struct br_match m;
	br_catalog_resolve(c, str_of(provider), str_of(model), &m);
	if (!m.model) {
		*why = BR_UNPRICED_UNKNOWN_MODEL;
		return NULL;
	}
	uint64_t hi = total_input == UINT64_MAX ? UINT64_MAX : total_input + 1;
	return br_model_price(m.model, day, tier, total_input, hi, why);
}

/* --------------------------------------------------------------- checks */

/* A token rate above this (pico-dollars per token: $1,000 per 1M tokens)
 * is a unit error, not a price. */
#define ABSURD_RATE INT64_C(1000000000)

size_t br_catalog_check(const struct br_catalog *c, br_catalog_problem_fn fn,
			void *ctx)
{
	size_t problems = 0;
	char why[256];
#define PROBLEM(...) (snprintf(why, sizeof why, __VA_ARGS__), fn(ctx, m, why), problems++)
	for (size_t i = 0; i < c->nmodels; i++) {
		const struct br_model *m = &c->models[i].m;
		const struct br_price *base = NULL;
		for (size_t j = 0; j < m->nprices; j++) {
			const struct br_price *p = &m->prices[j];
			char from[11] = "always";
			if (p->from_day != BR_DAY_NONE)
				br_day_format(p->from_day, from);
			const int64_t *r = &p->rates.input;
			static const char *const names[6] = {
				"input", "output", "cache_read", "cache_write",
				"cache_write_1h", "reasoning"};
			for (int k = 0; k < 6; k++)
				if (r[k] > ABSURD_RATE)
					PROBLEM("%s tier from %s: %s rate above $1,000 per "
						"1M tokens", br_tier_name(p->tier), from,
						names[k]);
			if (p->rates.cache_read != BR_RATE_UNSET &&
			    p->rates.cache_read > p->rates.input)
				PROBLEM("%s tier from %s: cache read dearer than "
					"uncached input", br_tier_name(p->tier), from);
			bool new_version = j == 0 || p->tier != m->prices[j - 1].tier ||
					   p->from_day != m->prices[j - 1].from_day;
			if (new_version) {
				base = p->min_input_tokens == 0 ? p : NULL;
				if (!base)
					PROBLEM("%s tier from %s: no price below %llu "
						"input tokens", br_tier_name(p->tier), from,
						(unsigned long long)p->min_input_tokens);
			} else if (base) {
				/* Each rate both state: one left to its fallback
				 * (cache writes at the input rate, ...) is no
				 * rate of the row's own. */
				const int64_t *b = &base->rates.input;
				for (int k = 0; k < 6; k++)
					if (r[k] != BR_RATE_UNSET &&
					    b[k] != BR_RATE_UNSET && r[k] < b[k])
						PROBLEM("%s tier from %s: the %s rate "
							"above %llu input tokens is "
							"below the base rate",
							br_tier_name(p->tier), from,
							names[k],
							(unsigned long long)p->min_input_tokens);
			}
		}
	}
#undef PROBLEM
	return problems;
}
