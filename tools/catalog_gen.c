/* catalog_gen.c - writes the built-in catalog as C tables to stdout: the
 * catalog br_catalog_builtin_csv parses from data/catalog.csv and
 * data/aliases.csv, for br_catalog_builtin to load with
 * br_catalog_from_tables instead of parsing the CSV at every start.
 * Run by the Makefile; tests/test_core.c compares the two catalogs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

/* Appends s and its NUL to pool; returns its offset. */
static uint32_t put(struct br_buf *pool, const char *s)
{
	uint32_t off = (uint32_t)pool->len;
	br_buf_put(pool, s, strlen(s) + 1);
	return off;
}

/* Appends provider and name to pool, one after the other. */
static struct br_table_key put_key(struct br_buf *pool, const char *provider,
				   const char *name)
{
	struct br_table_key k = {put(pool, provider), (uint32_t)strlen(provider),
				 0};
	put(pool, name);
	k.len = k.provider_len + 1 + (uint32_t)strlen(name);
	return k;
}

/* The index of model m of c: the one its own key resolves to. */
static uint32_t model_index(const struct br_catalog *c, const struct br_model *m)
{
	struct br_match match;
	br_catalog_resolve(c, (struct br_str){m->provider, strlen(m->provider)},
			   (struct br_str){m->name, strlen(m->name)}, &match);
	if (match.model != m) {
		fprintf(stderr, "catalog_gen: %s/%s does not resolve to itself\n",
			m->provider, m->name);
		exit(1);
	}
	return (uint32_t)match.index;
}

/* The keys of a pool being sorted. */
struct sorting {
	const char *pool;
	const struct br_table_key *keys;
};

static int by_key(const void *a, const void *b, void *ctx)
{
	const struct sorting *s = ctx;
	return br_table_key_cmp(s->pool, &s->keys[*(const uint32_t *)a],
				&s->keys[*(const uint32_t *)b]);
}

/* 0 .. n-1 in the ascending order of the keys of pool. */
static uint32_t *key_order(const char *pool, const struct br_table_key *keys,
			   size_t n)
{
	uint32_t *order = br_calloc(n + 1, sizeof *order);
	for (size_t i = 0; i < n; i++)
		order[i] = (uint32_t)i;
	struct sorting s = {pool, keys};
	qsort_r(order, n, sizeof *order, by_key, &s);
	return order;
}

/* The tables of c's models, aliases and patterns, their strings in pool
 * (the tables' pool is pool->p, valid until pool changes), its identity
 * borrowed from c. The caller frees them with tables_free. */
static struct br_catalog_tables build(const struct br_catalog *c,
				      struct br_buf *pool)
{
	size_t nmodels = br_catalog_models(c), naliases = br_catalog_aliases(c);
	size_t npatterns = br_catalog_patterns(c), nprices = 0;
	for (size_t i = 0; i < nmodels; i++)
		nprices += br_catalog_model(c, i)->nprices;
	struct br_price *prices = br_calloc(nprices + 1, sizeof *prices);
	struct br_table_model *models = br_calloc(nmodels + 1, sizeof *models);
	struct br_table_key *model_keys = br_calloc(nmodels + 1, sizeof *model_keys);
	struct br_table_alias *aliases = br_calloc(naliases + 1, sizeof *aliases);
	struct br_table_key *alias_keys = br_calloc(naliases + 1, sizeof *alias_keys);
	struct br_table_pattern *patterns =
		br_calloc(npatterns + 1, sizeof *patterns);
	nprices = 0;
	for (size_t i = 0; i < nmodels; i++) {
		const struct br_model *m = br_catalog_model(c, i);
		model_keys[i] = put_key(pool, m->provider, m->name);
		models[i] = (struct br_table_model){(uint32_t)nprices,
						    (uint32_t)m->nprices};
		for (size_t j = 0; j < m->nprices; j++)
			prices[nprices++] = m->prices[j];
	}
	for (size_t i = 0; i < naliases; i++) {
		const char *provider, *name, *rule;
		const struct br_model *m = br_catalog_alias(c, i, &provider, &name,
							    &rule);
		alias_keys[i] = put_key(pool, provider, name);
		aliases[i] = (struct br_table_alias){put(pool, rule),
						     model_index(c, m)};
	}
	for (size_t i = 0; i < npatterns; i++) {
		const char *provider, *source;
		const struct br_model *m = br_catalog_pattern(c, i, &provider,
							      &source);
		patterns[i] = (struct br_table_pattern){
			put(pool, provider), put(pool, source), model_index(c, m)};
	}
	return (struct br_catalog_tables){
		.pool = pool->p, .prices = prices, .models = models,
		.model_keys = model_keys,
		.model_order = key_order(pool->p, model_keys, nmodels),
		.nmodels = nmodels, .aliases = aliases, .alias_keys = alias_keys,
		.alias_order = key_order(pool->p, alias_keys, naliases),
		.naliases = naliases, .patterns = patterns,
		.npatterns = npatterns, .identity = br_catalog_identity(c)};
}

static void tables_free(struct br_catalog_tables *t)
{
	free(t->prices);
	free((void *)t->models);
	free((void *)t->model_keys);
	free((void *)t->model_order);
	free((void *)t->aliases);
	free((void *)t->alias_keys);
	free((void *)t->alias_order);
	free((void *)t->patterns);
}

/* Writes s[0..n) as the bytes of a C string literal: every byte but
 * letters, digits and a few marks as an octal escape of three digits (no
 * trigraph, no escape running into the next character). */
static void put_escaped(const char *s, size_t n)
{
	for (const unsigned char *p = (const unsigned char *)s; n--; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || (*p && strchr("-_./:@ ", *p)))
			putchar(*p);
		else
			printf("\\%03o", *p);
	}
}

static void print_keys(const char *name, const struct br_table_key *k,
		       const uint32_t *order, size_t n)
{
	printf("static const struct br_table_key %s_keys[] = {\n", name);
	for (size_t i = 0; i < n; i++)
		printf("\t{%u, %u, %u},\n", k[i].off, k[i].provider_len, k[i].len);
	printf("\t{0, 0, 0},\n};\n\nstatic const uint32_t %s_order[] = {\n",
	       name);
	for (size_t i = 0; i < n; i++)
		printf("\t%u,\n", order[i]);
	puts("\t0,\n};\n");
}

/* Writes t, of a pool of len bytes, as C, the pool a string per line. */
static void print(const struct br_catalog_tables *t, size_t len)
{
	puts("/* The built-in catalog: generated by tools/catalog_gen.c from\n"
	     " * data/catalog.csv and data/aliases.csv. Do not edit. */\n"
	     "#include \"core/core.h\"\n\nstatic char pool[] =");
	for (size_t off = 0; off < len;) {
		size_t n = strlen(t->pool + off) + 1;
		putchar('\t');
		putchar('"');
		put_escaped(t->pool + off, n);
		puts("\"");
		off += n;
	}
	puts("\t\"\";\n\nstatic struct br_price prices[] = {");
	size_t nprices = 0;
	for (size_t i = 0; i < t->nmodels; i++)
		nprices += t->models[i].nprices;
	for (size_t i = 0; i < nprices; i++) {
		const struct br_price *p = &t->prices[i];
		const struct br_rates *r = &p->rates;
		printf("\t{.from_day = %ld, .min_input_tokens = %lluu, "
		       ".tier = %d, .rates = {.input = %lld, .output = %lld, "
		       ".cache_read = %lld, .cache_write = %lld, "
		       ".cache_write_1h = %lld, .reasoning = %lld}},\n",
		       (long)p->from_day, (unsigned long long)p->min_input_tokens,
		       (int)p->tier, (long long)r->input, (long long)r->output,
		       (long long)r->cache_read, (long long)r->cache_write,
		       (long long)r->cache_write_1h, (long long)r->reasoning);
	}
	puts("\t{0},\n};\n\nstatic const struct br_table_model models[] = {");
	for (size_t i = 0; i < t->nmodels; i++)
		printf("\t{%u, %u},\n", t->models[i].price, t->models[i].nprices);
	puts("\t{0, 0},\n};\n");
	print_keys("model", t->model_keys, t->model_order, t->nmodels);
	puts("static const struct br_table_alias aliases[] = {");
	for (size_t i = 0; i < t->naliases; i++)
		printf("\t{%u, %u},\n", t->aliases[i].rule, t->aliases[i].target);
	puts("\t{0, 0},\n};\n");
	print_keys("alias", t->alias_keys, t->alias_order, t->naliases);
	puts("static const struct br_table_pattern patterns[] = {");
	for (size_t i = 0; i < t->npatterns; i++)
		printf("\t{%u, %u, %u},\n", t->patterns[i].provider,
		       t->patterns[i].source, t->patterns[i].target);
	printf("\t{0, 0, 0},\n};\n\n"
	       "static const struct br_catalog_tables tables = {\n"
	       "\tpool, prices, models, model_keys, model_order, %zu,\n"
	       "\taliases, alias_keys, alias_order, %zu, patterns, %zu,\n\t\"",
	       t->nmodels, t->naliases, t->npatterns);
	put_escaped(t->identity, strlen(t->identity));
	puts("\",\n};\n\n"
	     "struct br_catalog *br_catalog_builtin(struct br_err *err)\n"
	     "{\n\treturn br_catalog_from_tables(&tables, err);\n}");
}

int main(void)
{
	struct br_err err = {0};
	struct br_catalog *c = br_catalog_builtin_csv(&err);
	if (!c) {
		fprintf(stderr, "catalog_gen: %s\n", err.msg);
		return 1;
	}
	struct br_buf pool = {0};
	struct br_catalog_tables t = build(c, &pool);
	/* The tables load (their keys sorted, each once) before they are
	 * written. */
	struct br_catalog *check = br_catalog_from_tables(&t, &err);
	if (!check) {
		fprintf(stderr, "catalog_gen: %s\n", err.msg);
		return 1;
	}
	br_catalog_free(check);
	print(&t, pool.len);
	br_catalog_free(c);
	tables_free(&t);
	br_buf_free(&pool);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("catalog_gen: stdout");
		return 1;
	}
	return 0;
}
