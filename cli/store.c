/* store.c - the commands that manage the store itself: init, compact,
 * verify. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"

/* ------------------------------------------------------------------ init */

int cmd_init(const struct globals *g, int argc, char **argv)
{
	const char *tz = NULL;
	char *pos[argc + 1];
	int npos;
	const struct option opts[] = {{"--timezone", &tz, NULL}, {NULL, NULL, NULL}};
	int rc = parse_options("init", argc, argv, opts, pos, &npos);
	if (rc)
		return rc;
	if (npos)
		return usage_error("init: unexpected argument '%s'", pos[0]);
	/* No zone asked for (no --timezone, none in the configuration): a
	 * store that exists is kept, whatever its zone; an init run twice
	 * (a setup script) failed, exit 2, "not UTC", on a store of
	 * another zone. */
	bool asked = tz || (g->conf && g->conf->timezone);
	if (!tz)
		tz = config_timezone(g);
	struct br_err err = {0};
	struct br_tz *zone = br_tz_load(tz, &err);
	if (!zone)
		return usage_error("init: --timezone: %s", err.msg);
	br_tz_free(zone);
	struct store *s = asked ? NULL
			  : store_open(g->store, NULL, &(struct br_err){0});
	if (s)
		tz = br_tz_name(store_tz(s));
	if (store_init(g->store, tz, &err) != 0) {
		store_free(s);
		return fail_with(&err);
	}
	if (!g->quiet)
		printf("%s store %s (time zone %s)\n",
		       s ? "kept the existing" : "initialized", g->store, tz);
	store_free(s);
	return BR_EXIT_OK;
}

/* --------------------------------------------------------------- compact */

int cmd_compact(const struct globals *g, int argc, char **argv)
{
	int rc = no_arguments("compact", argc, argv);
	if (rc)
		return rc;
	struct br_err err = {0};
	struct store *s = store_open(g->store, NULL, &err);
	struct store_compact_stats st;
	if (!s || store_lock(s, &err) != 0 || store_compact(s, &st, &err) != 0) {
		if (s)
			warn_abandoned(s, g->store);
		store_free(s);
		return fail_with(&err);
	}
	warn_abandoned(s, g->store);
	store_free(s);
	if (!g->quiet)
		printf("compacted %zu segment%s of %zu source%s; removed %zu file%s\n",
		       st.merged, st.merged == 1 ? "" : "s", st.sources,
		       st.sources == 1 ? "" : "s", st.removed,
		       st.removed == 1 ? "" : "s");
	return BR_EXIT_OK;
}

/* ---------------------------------------------------------------- verify */

struct verify_state {
	bool quiet;
	int count[STORE_SEGMENT_MERGING + 1]; /* by verdict */
};

static void verify_one(void *ctx, const char *segment,
		       enum store_verdict verdict, const char *problem)
{
	struct verify_state *v = ctx;
	v->count[verdict]++;
	if (verdict == STORE_SEGMENT_MERGING)
		print_warning("%s: %s", segment, problem);
	else if (verdict != STORE_SEGMENT_OK)
		print_error("%s: %s", segment, problem);
	else if (!v->quiet)
		printf("ok %s\n", segment);
}

/* Checks the alert ledger (notify/), when the store has one: a damaged
 * entry, or one without its message, stops every notify and run that
 * mails. Returns 0 when it is sound, else 1 (each problem printed). */
static int verify_ledger(const struct globals *g)
{
	struct br_buf dir = {0};
	br_buf_printf(&dir, "%s/notify", g->store);
	struct stat st;
	bool has = stat(dir.p, &st) == 0;
	br_buf_free(&dir);
	if (!has)
		return 0;
	struct br_err err = {0};
	struct ledger *l = ledger_read(g->store, &err);
	if (!l) {
		print_error("the alert ledger: %s", err.msg);
		return 1;
	}
	int bad = 0;
	struct br_buf msg = {0};
	for (size_t i = 0; i < l->n; i++) {
		if (ledger_message(l, &l->v[i], &msg, &err) != 0) {
			print_error("the alert ledger: %s", err.msg);
			br_err_clear(&err);
			bad = 1;
		}
		br_buf_reset(&msg);
	}
	br_buf_free(&msg);
	if (!bad && !g->quiet)
		printf("ok the alert ledger (%zu message%s: %zu sent, %zu "
		       "pending, %zu failed)\n", l->n, l->n == 1 ? "" : "s",
		       ledger_count(l, LEDGER_SENT),
		       ledger_count(l, LEDGER_PENDING),
		       ledger_count(l, LEDGER_FAILED));
	ledger_free(l);
	return bad;
}

int cmd_verify(const struct globals *g, int argc, char **argv)
{
	int rc = no_arguments("verify", argc, argv);
	if (rc)
		return rc;
	struct br_err err = {0};
	struct store *s = store_open(g->store, NULL, &err);
	if (!s)
		return fail_with(&err);
	struct verify_state v = {.quiet = g->quiet};
	int bad = store_verify(s, verify_one, &v, &err);
	store_free(s);
	if (bad < 0)
		return fail_with(&err);
	int corrupt = v.count[STORE_SEGMENT_CORRUPT],
	    unfinished = v.count[STORE_SEGMENT_UNFINISHED],
	    merging = v.count[STORE_SEGMENT_MERGING];
	int bad_ledger = verify_ledger(g);
	if (corrupt)
		print_error("%d corrupt segment%s in %s", corrupt,
			    corrupt == 1 ? "" : "s", g->store);
	if (unfinished)
		print_error("%d segment%s of a merge that did not end in %s, "
			    "which reports do not count: run the merge again",
			    unfinished, unfinished == 1 ? "" : "s", g->store);
	if (corrupt || unfinished || bad_ledger)
		return BR_EXIT_FAILURE;
	if (merging) {
		print_warning("%d segment%s of a merge that has not ended yet in "
			      "%s: run verify again once it has", merging,
			      merging == 1 ? "" : "s", g->store);
		return BR_EXIT_TEMPFAIL;
	}
	return BR_EXIT_OK;
}
