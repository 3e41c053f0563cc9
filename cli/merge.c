/* merge.c - the merge command: imports the stores of other hosts (one per
 * shard of the inputs) into this one (docs/SCALING.md). */
#include "cli/cli.h"

/* Opens the destination store; a missing one is created with the time
 * zone of the first store to merge, so that their days line up. */
static struct store *open_destination(const char *dir, const char *first,
				      struct br_err *err)
{
	struct br_err missing = {0};
	struct store *s = store_open(dir, NULL, &missing);
	if (s)
		return s;
	struct store *src = store_open(first, NULL, err);
	if (!src)
		return NULL;
	int rc = store_init(dir, br_tz_name(store_tz(src)), err);
	store_free(src);
	return rc == 0 ? store_open(dir, NULL, err) : NULL;
}

int cmd_merge(const struct globals *g, int argc, char **argv)
{
	char *pos[argc + 1];
	int npos;
	const struct option opts[] = {{NULL, NULL, NULL}};
	int rc = parse_options("merge", argc, argv, opts, pos, &npos);
	if (rc)
		return rc;
	if (npos == 0)
		return usage_error("merge: no store given; name the directories "
				   "of the stores to merge");
	struct br_err err = {0};
	struct store *s = open_destination(g->store, pos[0], &err);
	if (!s || store_lock(s, &err) != 0) {
		store_free(s);
		print_error("%s; nothing was merged into '%s'", err.msg, g->store);
		return err.status ? err.status : BR_EXIT_FAILURE;
	}
	struct store_merge_stats sum = {0};
	for (int i = 0; i < npos; i++) {
		struct store_merge_stats st;
		if (store_merge(s, pos[i], &st, &err) != 0) {
			warn_abandoned(s, g->store);
			store_free(s);
			rc = fail_with(&err);
			if (i > 0)
				print_warning("the store%s before '%s' on the "
					      "command line %s merged", i == 1
					      ? "" : "s", pos[i], i == 1 ? "was"
					      : "were");
			return rc;
		}
		sum.segments += st.segments;
		sum.imported += st.imported;
		sum.replaced += st.replaced;
		sum.present += st.present;
	}
	warn_abandoned(s, g->store);
	store_free(s);
	if (!g->quiet) {
		printf("merged %d store%s (%zu segment%s): %zu source%s imported",
		       npos, npos == 1 ? "" : "s", sum.segments,
		       sum.segments == 1 ? "" : "s", sum.imported,
		       sum.imported == 1 ? "" : "s");
		if (sum.replaced)
			printf(" (replacing %zu older merge%s)", sum.replaced,
			       sum.replaced == 1 ? "" : "s");
		printf(", %zu already present\n", sum.present);
	}
	return BR_EXIT_OK;
}
