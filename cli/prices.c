/* prices.c - the prices command: list, show and check the catalog. */
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

/* Writes a rate as USD per 1M tokens ("2.5"). */
static const char *rate_text(int64_t rate, char *buf)
{
	return br_money_format_exact((br_pico)rate * 1000000, buf);
}

static const char *day_text(int32_t day, char *buf)
{
	if (day == BR_DAY_NONE)
		return "always";
	br_day_format(day, buf);
	return buf;
}

/* Starts a new version: the first row of a (tier, from) group. */
static bool version_start(const struct br_model *m, size_t i)
{
	return i == 0 || m->prices[i].tier != m->prices[i - 1].tier ||
	       m->prices[i].from_day != m->prices[i - 1].from_day;
}

/* What else m has besides a standard price: tiers, long context, history. */
static void model_notes(const struct br_model *m, struct br_buf *b)
{
	bool tier[BR_TIER_COUNT] = {0}, long_context = false;
	size_t versions = 0, tiers = 0;
	for (size_t i = 0; i < m->nprices; i++) {
		tiers += !tier[m->prices[i].tier];
		tier[m->prices[i].tier] = true;
		long_context |= m->prices[i].min_input_tokens > 0;
		versions += version_start(m, i);
	}
	br_buf_reset(b);
	br_buf_puts(b, "");
	for (int t = BR_TIER_BATCH; t < BR_TIER_COUNT; t++)
		if (tier[t])
			br_buf_printf(b, "%s%s", b->len ? " " : "",
				      br_tier_name((enum br_tier)t));
	if (long_context)
		br_buf_printf(b, "%slong-context", b->len ? " " : "");
	if (versions > tiers)
		br_buf_printf(b, "%shistory", b->len ? " " : "");
}

/* Whether a prices file's row for any provider replaces built-in model m
 * for its provider: ingest never prices with m then, so list and show
 * leave it out (they show that row, as the catalog holds it). */
static bool replaced(const struct br_catalog *c, const struct br_model *m)
{
	struct br_match own;
	if (!*m->provider)
		return false;
	br_catalog_resolve(c, (struct br_str){m->provider, strlen(m->provider)},
			   (struct br_str){m->name, strlen(m->name)}, &own);
	return own.model != m;
}

static int prices_list(const struct globals *g, const struct br_catalog *c,
		       const char *pattern)
{
	int32_t today = br_day_today();
	struct br_buf name = {0}, notes = {0};
	printf("%-16s %-50s %10s %10s %10s %11s  %s\n", "PROVIDER", "MODEL",
	       "INPUT", "OUTPUT", "CACHE_READ", "CACHE_WRITE", "ALSO");
	size_t shown = 0;
	for (size_t i = 0; i < br_catalog_models(c); i++) {
		const struct br_model *m = br_catalog_model(c, i);
		if (replaced(c, m))
			continue;
		br_buf_reset(&name);
		br_buf_printf(&name, "%s/%s", m->provider, m->name);
		if (pattern && fnmatch(pattern, name.p, FNM_CASEFOLD) != 0 &&
		    fnmatch(pattern, m->name, FNM_CASEFOLD) != 0)
			continue;
		enum br_unpriced why;
		const struct br_price *p =
			br_model_price(m, today, BR_TIER_STANDARD, 0, 1, &why);
		char in[BR_MONEY_BUFSZ], out[BR_MONEY_BUFSZ], cr[BR_MONEY_BUFSZ],
			cw[BR_MONEY_BUFSZ];
		model_notes(m, &notes);
		printf("%-16s %-50s %10s %10s %10s %11s  %s\n",
		       *m->provider ? m->provider : "*", m->name,
		       p ? rate_text(p->rates.input, in) : "-",
		       p ? rate_text(p->rates.output, out) : "-",
		       p && p->rates.cache_read != BR_RATE_UNSET
			       ? rate_text(p->rates.cache_read, cr) : "-",
		       p && p->rates.cache_write != BR_RATE_UNSET
			       ? rate_text(p->rates.cache_write, cw) : "-",
		       notes.p);
		shown++;
	}
	br_buf_free(&name);
	br_buf_free(&notes);
	if (!g->quiet)
		fprintf(stderr, "%zu model%s; USD per 1M tokens, standard tier, "
			"base rows in force today; '-': not stated (billed at the "
			"input rate) or no standard price today\n",
			shown, shown == 1 ? "" : "s");
	return shown || !pattern ? BR_EXIT_OK : BR_EXIT_FAILURE;
}

/* Prints one rate of a price row, saying what an unstated rate falls back
 * to: the rate fallback_name names, or with none (NULL), nothing. */
static void show_rate(const char *what, int64_t rate, int64_t fallback,
		      const char *fallback_name)
{
	char buf[BR_MONEY_BUFSZ];
	if (rate != BR_RATE_UNSET)
		printf("      %-16s $%s\n", what, rate_text(rate, buf));
	else if (!fallback_name)
		printf("      %-16s not stated\n", what);
	else
		printf("      %-16s $%s (not stated: the %s rate)\n", what,
		       rate_text(fallback, buf), fallback_name);
}

/* Explains which prices of m apply to requests on day. */
static void show_model(const struct br_catalog *c, const struct br_match *mt,
		       int32_t day)
{
	const struct br_model *m = mt->model;
	char d[16];
	printf("%s/%s\n", *m->provider ? m->provider : "*", m->name);
	if (mt->alias_provider)
		printf("  matched by  alias (%s) for %s\n", mt->rule,
		       *mt->alias_provider ? mt->alias_provider : "any provider");
	else
		printf("  matched by  %s\n", mt->rule);
	if (mt->pattern)
		printf("  pattern     %s\n", mt->pattern);
	if (mt->arn)
		printf("  named by    a Bedrock ARN: the model id after its last '/'\n");
	printf("  prices from %s\n",
	       strcmp(m->origin, "built-in") == 0 ? br_catalog_identity(c) : m->origin);
	for (int t = 0; t < BR_TIER_COUNT; t++) {
		enum br_unpriced why;
		const struct br_price *base =
			br_model_price(m, day, (enum br_tier)t, 0, 1, &why);
		if (!base) {
			if (why != BR_UNPRICED_NO_TIER)
				printf("  %s tier on %s: unpriced (%s)\n",
				       br_tier_name((enum br_tier)t),
				       day_text(day, d), br_unpriced_reason(why));
			continue;
		}
		char since[16];
		printf("  %s tier on %s: the version in force since %s\n",
		       br_tier_name((enum br_tier)t), day_text(day, d),
		       day_text(base->from_day, since));
		for (size_t i = 0; i < m->nprices; i++) {
			const struct br_price *p = &m->prices[i];
			if (p->tier != base->tier || p->from_day != base->from_day)
				continue;
			if (p->min_input_tokens)
				printf("    requests with %llu or more input tokens "
				       "(the whole request at these rates):\n",
				       (unsigned long long)p->min_input_tokens);
			else
				printf("    requests below any long-context threshold:\n");
			const struct br_rates *r = &p->rates;
			int64_t cw = r->cache_write == BR_RATE_UNSET ? r->input : r->cache_write;
			show_rate("input", r->input, 0, NULL);
			show_rate("output", r->output, 0, NULL);
			show_rate("cache read", r->cache_read, r->input, "input");
			show_rate("cache write 5m", r->cache_write, r->input, "input");
			show_rate("cache write 1h", r->cache_write_1h, cw, "cache write");
			show_rate("reasoning", r->reasoning, r->output, "output");
		}
	}
	size_t versions = 0;
	for (size_t i = 0; i < m->nprices; i++)
		versions += version_start(m, i);
	printf("  %zu version%s:", versions, versions == 1 ? "" : "s");
	const char *sep = " ";
	for (size_t i = 0; i < m->nprices; i++)
		if (version_start(m, i)) {
			printf("%s%s from %s", sep, br_tier_name(m->prices[i].tier),
			       day_text(m->prices[i].from_day, d));
			sep = ", ";
		}
	printf("\n  USD per 1M tokens\n");
}

/* Shows, without --provider, the reading of model "P/M" as provider P's
 * model M, when no model, alias or pattern has that name: told apart, as
 * a log naming model "P/M" is not priced by it. Returns 1 when shown. */
static int show_split(const struct br_catalog *c, const char *model,
		      int32_t day)
{
	const char *slash = strchr(model, '/');
	struct br_match mt;
	if (!slash)
		return 0;
	br_catalog_resolve(c, (struct br_str){model, (size_t)(slash - model)},
			   (struct br_str){slash + 1, strlen(slash + 1)}, &mt);
	if (!mt.model)
		return 0;
	printf("no model or alias is named '%s', so a log naming that model is "
	       "unpriced;\nprovider '%.*s' with model '%s' is priced as:\n\n",
	       model, (int)(slash - model), model, slash + 1);
	show_model(c, &mt, day);
	return 1;
}

/* Shows what prices model: for provider, as ingest resolves the pair;
 * without one, every model of that name (whatever its provider), every
 * alias and every pattern, else what resolving it for no provider finds
 * (a Bedrock ARN), else show_split's reading. */
static int prices_show(const struct br_catalog *c, const char *model,
		       const char *provider, int32_t day)
{
	struct br_str name = {model, strlen(model)};
	struct br_match mt;
	if (provider) {
		br_catalog_resolve(c, (struct br_str){provider, strlen(provider)},
				   name, &mt);
		if (mt.model) {
			show_model(c, &mt, day);
			return BR_EXIT_OK;
		}
	}
	size_t found = 0;
	for (size_t i = 0; !provider && i < br_catalog_models(c); i++) {
		const struct br_model *m = br_catalog_model(c, i);
		if (strcmp(m->name, model) != 0)
			continue;
		if (replaced(c, m))
			continue;
		struct br_match one = {.model = m, .index = i, .rule = "exact"};
		if (found++)
			printf("\n");
		show_model(c, &one, day);
	}
	const char *ap, *an, *rule;
	const struct br_model *m;
	for (size_t i = 0; !provider && (m = br_catalog_alias(c, i, &ap, &an, &rule)); i++) {
		if (strcmp(an, model) != 0)
			continue;
		struct br_match one = {.model = m, .rule = rule, .alias_provider = ap};
		if (found++)
			printf("\n");
		show_model(c, &one, day);
	}
	/* ... and every pattern that prices it for its provider, as ingest
	 * would (not where that provider has the name or an alias of it). */
	const char *pat;
	for (size_t i = 0; !provider && br_catalog_pattern(c, i, &ap, &pat); i++) {
		struct br_match one;
		br_catalog_resolve(c, (struct br_str){ap, strlen(ap)}, name, &one);
		if (one.pattern != pat)
			continue;
		if (found++)
			printf("\n");
		show_model(c, &one, day);
	}
	if (!found && !provider) {
		br_catalog_resolve(c, (struct br_str){"", 0}, name, &mt);
		if (mt.model) {
			show_model(c, &mt, day);
			found = 1;
		} else {
			found = (size_t)show_split(c, model, day);
		}
	}
	if (found)
		return BR_EXIT_OK;
	print_error("unknown model '%s'%s%s: no catalog entry or alias, so its "
		    "requests are unpriced; add it with --prices FILE",
		    model, provider ? " for provider " : "", provider ? provider : "");
	return BR_EXIT_FAILURE;
}

static void check_problem(void *ctx, const struct br_model *m,
			  const char *problem)
{
	(void)ctx;
	printf("%s/%s: %s\n", *m->provider ? m->provider : "*", m->name, problem);
}

int cmd_prices(const struct globals *g, int argc, char **argv)
{
	const char *prices = config_prices(g), *on = NULL, *provider = NULL;
	char *pos[argc + 1];
	int npos;
	const struct option opts[] = {
		{"--prices", &prices, NULL}, {"--on", &on, NULL},
		{"--provider", &provider, NULL}, {NULL, NULL, NULL}};
	int rc = parse_options("prices", argc, argv, opts, pos, &npos);
	if (rc)
		return rc;
	const char *sub = npos ? pos[0] : NULL;
	int32_t day = br_day_today();
	if (!sub)
		return usage_error("prices: expected list, show MODEL or check");
	char why[BR_DAY_WHY_BUFSZ];
	if (on && strcmp(sub, "show") != 0)
		return usage_error("prices: --on goes with 'show MODEL'");
	if (on && br_day_parse_why(on, &day, why) != 0)
		return usage_error("prices: invalid --on '%s': %s", on, why);
	if (provider && strcmp(sub, "show") != 0)
		return usage_error("prices: --provider goes with 'show MODEL'");
	int want = strcmp(sub, "list") == 0 ? -2 : strcmp(sub, "show") == 0 ? 2
		   : strcmp(sub, "check") == 0 ? 1 : 0;
	if (!want)
		return usage_error("prices: unknown subcommand '%s': expected list, "
				   "show or check", sub);
	if (want == 2 && npos < 2)
		return usage_error("prices show: expected one MODEL");
	int most = want < 0 ? -want : want; /* the words the subcommand takes */
	if (npos > most)
		return usage_error("prices %s: unexpected argument '%s'", sub,
				   pos[most]);
	struct br_err err = {0};
	struct br_catalog *c = load_catalog(g->conf, prices, &err);
	if (!c)
		return fail_with(&err);
	if (want == -2) {
		rc = prices_list(g, c, npos == 2 ? pos[1] : NULL);
	} else if (want == 2) {
		rc = prices_show(c, pos[1], provider, day);
	} else {
		size_t problems = br_catalog_check(c, check_problem, NULL);
		if (problems)
			print_error("%zu problem%s in the catalog", problems,
				    problems == 1 ? "" : "s");
		else if (!g->quiet)
			printf("ok: %zu models, %zu aliases, no problems (%s)\n",
			       br_catalog_models(c), br_catalog_aliases(c),
			       br_catalog_identity(c));
		rc = problems ? BR_EXIT_FAILURE : BR_EXIT_OK;
	}
	br_catalog_free(c);
	return rc;
}
