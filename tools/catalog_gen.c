/* catalog_gen.c - writes the built-in catalog as C tables to stdout: the
 * catalog br_catalog_builtin_csv parses from data/catalog.csv and
 * data/aliases.csv, for br_catalog_builtin to load with
 * br_catalog_from_tables instead of parsing the CSV at every start.
 * Run by the Makefile; tests/test_core.c compares the two catalogs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

/* The length of the pool of strings written so far. */
static uint32_t pool_len;

/* Writes the bytes of s for a C string literal: every byte but letters,
 * digits and a few marks as an octal escape of three digits (no trigraph,
 * no escape running into the next character). */
static void put_escaped(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-_./:@ ", *p))
			putchar(*p);
		else
			printf("\\%03o", *p);
	}
}

/* Appends s and its NUL to the pool, a string literal on a line of its
 * own; returns its offset. */
static uint32_t put(const char *s)
{
	uint32_t off = pool_len;
	pool_len += (uint32_t)strlen(s) + 1;
	fputs("\t\"", stdout);
	put_escaped(s);
	fputs("\\000\"\n", stdout);
	return off;
}

/* Appends provider and name to the pool, one after the other. */
static struct br_table_key put_key(const char *provider, const char *name)
{
	struct br_table_key k = {put(provider), (uint32_t)strlen(provider), 0};
	put(name);
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

static void put_tables(const struct br_catalog *c)
{
	size_t nmodels = br_catalog_models(c), naliases = br_catalog_aliases(c);
	size_t npatterns = br_catalog_patterns(c);
	struct br_table_model *models = br_calloc(nmodels + 1, sizeof *models);
	struct br_table_alias *aliases = br_calloc(naliases + 1, sizeof *aliases);
	struct br_table_pattern *patterns =
		br_calloc(npatterns + 1, sizeof *patterns);

	puts("static char pool[] =");
	uint32_t nprices = 0;
	for (size_t i = 0; i < nmodels; i++) {
		const struct br_model *m = br_catalog_model(c, i);
		models[i] = (struct br_table_model){put_key(m->provider, m->name),
						    nprices, (uint32_t)m->nprices};
		nprices += (uint32_t)m->nprices;
	}
	for (size_t i = 0; i < naliases; i++) {
		const char *provider, *name, *rule;
		const struct br_model *m = br_catalog_alias(c, i, &provider, &name,
							    &rule);
		aliases[i].key = put_key(provider, name);
		aliases[i].rule = put(rule);
		aliases[i].target = model_index(c, m);
	}
	for (size_t i = 0; i < npatterns; i++) {
		const char *provider, *source;
		const struct br_model *m = br_catalog_pattern(c, i, &provider,
							      &source);
		patterns[i] = (struct br_table_pattern){put(provider), put(source),
							model_index(c, m)};
	}
	puts("\t\"\";\n\nstatic struct br_price prices[] = {");
	for (size_t i = 0; i < nmodels; i++) {
		const struct br_model *m = br_catalog_model(c, i);
		for (size_t j = 0; j < m->nprices; j++) {
			const struct br_price *p = &m->prices[j];
			const struct br_rates *r = &p->rates;
			printf("\t{.from_day = %ld, .min_input_tokens = %lluu, "
			       ".tier = %d, .rates = {.input = %lld, .output = %lld, "
			       ".cache_read = %lld, .cache_write = %lld, "
			       ".cache_write_1h = %lld, .reasoning = %lld}},\n",
			       (long)p->from_day,
			       (unsigned long long)p->min_input_tokens, (int)p->tier,
			       (long long)r->input, (long long)r->output,
			       (long long)r->cache_read, (long long)r->cache_write,
			       (long long)r->cache_write_1h, (long long)r->reasoning);
		}
	}
	puts("\t{0},\n};\n\nstatic const struct br_table_model models[] = {");
	for (size_t i = 0; i < nmodels; i++)
		printf("\t{{%u, %u, %u}, %u, %u},\n", models[i].key.off,
		       models[i].key.provider_len, models[i].key.len,
		       models[i].price, models[i].nprices);
	puts("\t{{0}, 0, 0},\n};\n\nstatic const struct br_table_alias aliases[] = {");
	for (size_t i = 0; i < naliases; i++)
		printf("\t{{%u, %u, %u}, %u, %u},\n", aliases[i].key.off,
		       aliases[i].key.provider_len, aliases[i].key.len,
		       aliases[i].rule, aliases[i].target);
	puts("\t{{0}, 0, 0},\n};\n\n"
	     "static const struct br_table_pattern patterns[] = {");
	for (size_t i = 0; i < npatterns; i++)
		printf("\t{%u, %u, %u},\n", patterns[i].provider,
		       patterns[i].source, patterns[i].target);
	puts("\t{0, 0, 0},\n};\n");
	free(models);
	free(aliases);
	free(patterns);
}

int main(void)
{
	struct br_err err = {0};
	struct br_catalog *c = br_catalog_builtin_csv(&err);
	if (!c) {
		fprintf(stderr, "catalog_gen: %s\n", err.msg);
		return 1;
	}
	puts("/* The built-in catalog: generated by tools/catalog_gen.c from\n"
	     " * data/catalog.csv and data/aliases.csv. Do not edit. */\n"
	     "#include \"core/core.h\"\n");
	put_tables(c);
	printf("static const struct br_catalog_tables tables = {\n"
	       "\tpool, prices, models, %zu, aliases, %zu, patterns, %zu,\n\t\"",
	       br_catalog_models(c), br_catalog_aliases(c),
	       br_catalog_patterns(c));
	put_escaped(br_catalog_identity(c));
	puts("\",\n};\n\n"
	     "struct br_catalog *br_catalog_builtin(struct br_err *err)\n"
	     "{\n\treturn br_catalog_from_tables(&tables, err);\n}");
	br_catalog_free(c);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("catalog_gen: stdout");
		return 1;
	}
	return 0;
}
