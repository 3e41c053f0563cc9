/* check.c - the check command: the spend of a CI run's logs against a
 * baseline, for failing a pull request whose LLM spend regresses (README
 * "CI"). The logs are ingested into a private temporary store, removed
 * afterwards: the user's store is never touched. */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

static int remove_entry(const char *path, const struct stat *sb, int flag,
			struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path) == 0 || errno == ENOENT ? 0 : -1;
}

/* Removes the directory tree at dir, warning when it cannot. */
static void remove_tree(const char *dir)
{
	if (nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
		print_warning("cannot remove the temporary directory '%s': %s",
			      dir, strerror(errno));
}

/* The temporary stores of check: TMPDIR/burnrate-check-PID-XXXXXX. */
#define CHECK_TMP "burnrate-check-"

/* Removes the temporary stores in tmpdir that checks killed with SIGKILL
 * (which no handler sees) left: stale as br_tmp_stale says. */
static void remove_stale_stores(const char *tmpdir)
{
	DIR *d = opendir(tmpdir);
	if (!d)
		return;
	size_t n = strlen(CHECK_TMP);
	struct dirent *e;
	while ((e = br_readdir(d)))
		if (strncmp(e->d_name, CHECK_TMP, n) == 0 &&
		    br_tmp_stale(dirfd(d), e->d_name, e->d_name + n, S_IFDIR)) {
			struct br_buf path = {0};
			br_buf_printf(&path, "%s/%s", tmpdir, e->d_name);
			remove_tree(path.p);
			br_buf_free(&path);
		}
	closedir(d);
}

/* Prints the first rejected records (the ingest's rejects file) and how
 * many there were. */
static void print_rejects(const char *path, uint64_t n)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	for (int i = 0; f && i < 5 && (len = getline(&line, &cap, f)) > 0; i++) {
		line[strcspn(line, "\n")] = 0;
		char *shown = br_printable(line); /* the record's bytes */
		print_error("%s", shown);
		free(shown);
	}
	free(line);
	if (f)
		fclose(f);
	print_error("check: %llu record%s of the logs could not be read (above%s); "
		    "the check counts every record or fails",
		    (unsigned long long)n, n == 1 ? "" : "s",
		    n > 5 ? ": the first 5" : "");
}

/* Ingests paths into a temporary store and runs q over all their days;
 * a directory walk leaves out the files check reads besides the logs,
 * often kept with them: baseline (the baseline read or written), prices
 * (may be NULL) and the configuration. Returns the report, or NULL with
 * *rc set (the errors printed). */
static struct report *measure(const struct globals *g,
			      const struct br_catalog *catalog,
			      const struct report_query *q, const char *log_format,
			      const char *baseline, const char *prices,
			      char **paths, int npaths, int *rc)
{
	const char *tmpdir = getenv("TMPDIR");
	bool from_env = tmpdir && *tmpdir;
	tmpdir = from_env ? tmpdir : "/tmp";
	remove_stale_stores(tmpdir);
	struct br_buf root = {0}, dir = {0}, rejects = {0};
	br_buf_printf(&root, "%s/" CHECK_TMP "%ld-XXXXXX", tmpdir,
		      (long)getpid());
	if (!mkdtemp(root.p)) {
		/* No fallback to /tmp: TMPDIR says where the logs' data
		 * may be written (a private or a larger disk), as it does
		 * for report's xlsx. The error says where the path came
		 * from, which a cron or CI environment set unseen. */
		print_error("check: cannot create a temporary store in %s '%s' "
			    "(%s): %s", from_env ? "TMPDIR" : "the default",
			    tmpdir, root.p, strerror(errno));
		br_buf_free(&root);
		*rc = BR_EXIT_FAILURE;
		return NULL;
	}
	remove_on_signal(root.p);
	br_buf_printf(&dir, "%s/store", root.p);
	br_buf_printf(&rejects, "%s/rejects", root.p);
	/* A store of its own, in UTC whatever zone the configuration states
	 * for the real store (baselines compare UTC days). */
	struct globals tg = *g;
	tg.store = dir.p;
	tg.conf = NULL;
	const char *const skip_paths[] = {baseline, prices,
					  g->conf ? g->conf->path : NULL};
	struct ingest_job job = {
		.io = {.format = log_format ? log_format : "auto",
		       .format_option = "--log-format", .catalog = catalog,
		       .complete = true,
		       .only_from = BR_DAY_NONE, .only_to = BR_DAY_NONE},
		.source = "check", .rejects_path = rejects.p, .silent = true,
		.strict = true,
		.skip_paths = skip_paths,
		.nskip_paths = sizeof skip_paths / sizeof *skip_paths};
	/* The configuration's values that change what the logs count, as
	 * ingest and run take them (each checked as the file was read): a
	 * CI check prices and labels the logs as the nightly store does. It
	 * priced them with --cost-mode auto whatever cost_mode said. */
	struct ingest_map label;
	config_counting(g->conf, &job.io, &label);
	struct ingest_outcome out = {0};
	struct br_err err = {0};
	struct store *s = NULL;
	struct report *r = NULL;
	if (store_init(dir.p, "UTC", &err) != 0) {
		*rc = fail_with(&err);
		goto done;
	}
	if ((*rc = ingest_job_run(&tg, &job, paths, npaths, &out)) != 0)
		goto done;
	if (out.rejected) {
		print_rejects(rejects.p, out.rejected);
		*rc = BR_EXIT_FAILURE;
		goto done;
	}
	/* Spend fallen to $0 passes any check: say that nothing was read. */
	if (!out.records && !g->quiet)
		print_warning("check: the logs given hold no records (%d path%s, "
			      "%zu input%s)", npaths, npaths == 1 ? "" : "s",
			      out.kept, out.kept == 1 ? "" : "s");
	s = store_open(dir.p, NULL, &err);
	r = s ? report_run(s, q, &err) : NULL;
	if (!r)
		*rc = fail_with(&err);
done:
	store_free(s);
	remove_tree(root.p);
	remove_on_signal(NULL);
	br_buf_free(&root);
	br_buf_free(&dir);
	br_buf_free(&rejects);
	return r;
}

static int write_baseline(const struct globals *g, const struct report *r,
			  const char *path, bool allow_unpriced)
{
	struct br_err err = {0};
	struct check_snapshot *s = check_snapshot_of(r);
	int rc = check_baseline_write(s, path, &err) != 0 ? fail_with(&err) : 0;
	if (rc == 0 && check_snapshot_saturated(s))
		warn_counts_saturated("; the baseline holds that bound");
	if (rc == 0 && !g->quiet) {
		/* Beside a baseline written to standard output, on stderr. */
		bool to_stdout = strcmp(path, "-") == 0;
		FILE *out = to_stdout ? stderr : stdout;
		char m[BR_MONEY_BUFSZ];
		fprintf(out, "wrote baseline %s: $%s for %llu request%s and %llu "
			"tokens, %zu group%s by ",
			to_stdout ? "to standard output" : path,
			br_money_format(s->totals.cost, m),
			(unsigned long long)s->totals.requests,
			s->totals.requests == 1 ? "" : "s",
			(unsigned long long)s->totals.tokens, s->ngroups,
			s->ngroups == 1 ? "" : "s");
		for (size_t k = 0; k < s->nkeys; k++)
			fprintf(out, "%s%s", k ? "," : "",
				report_key_name(s->keys[k]));
		fputc('\n', out);
		if (r->nunpriced && !allow_unpriced) {
			struct br_buf pm = {0};
			br_buf_printf(&pm, "%s/%s", r->unpriced[0].provider,
				      r->unpriced[0].model);
			char *shown = br_printable(pm.p); /* names from the logs */
			print_warning("the logs have requests without a price "
				      "(%s%s): the baseline counts them as $0, "
				      "and check fails on them; add prices with "
				      "--prices FILE",
				      shown, r->nunpriced > 1 ? " and more" : "");
			free(shown);
			br_buf_free(&pm);
		}
	}
	check_snapshot_free(s);
	return rc;
}

static int compare(const struct report *r, const struct check_snapshot *base,
		   const struct check_rules *rules, enum check_format f)
{
	struct br_err err = {0};
	struct check_snapshot *cur = check_snapshot_of(r);
	struct check_result *res = check_compare(base, cur, rules, r->unpriced,
						 r->nunpriced);
	/* The verdict goes by costs; counts are shown, and never called
	 * unchanged when saturated (check_snapshot_saturated). */
	if (check_snapshot_saturated(base) || check_snapshot_saturated(cur))
		warn_counts_saturated("; such counts, in the baseline or the "
				      "logs, are not compared (the verdict goes "
				      "by costs)");
	int rc = check_write(res, f, stdout, &err) != 0 ? fail_with(&err)
		 : res->passed ? BR_EXIT_OK : BR_EXIT_THRESHOLD;
	check_result_free(res);
	check_snapshot_free(cur);
	return rc;
}

int cmd_check(const struct globals *g, int argc, char **argv)
{
	const char *write_path = NULL, *base_path = NULL, *pct = NULL,
		   *usd = NULL, *by = NULL, *format = NULL,
		   *prices = config_prices(g),
		   *log_format = NULL;
	bool allow_unpriced = false;
	char *pos[argc + 1];
	int npos;
	const struct option opts[] = {
		{"--write-baseline", &write_path, NULL},
		{"--baseline", &base_path, NULL},
		{"--max-increase", &pct, NULL},
		{"--max-increase-usd", &usd, NULL},
		{"--by", &by, NULL},         {"--format", &format, NULL},
		{"--prices", &prices, NULL}, {"--log-format", &log_format, NULL},
		{"--allow-unpriced", NULL, &allow_unpriced}, {NULL, NULL, NULL}};
	int rc = parse_options("check", argc, argv, opts, pos, &npos);
	if (rc)
		return rc;
	if (!write_path == !base_path)
		return usage_error("check: give either --write-baseline FILE (make "
				   "a baseline) or --baseline FILE (compare with it)");
	if (npos == 0)
		return usage_error("check: no logs given (files, directories or '-')");
	if (write_path && (pct || usd || format))
		return usage_error("check: %s needs --baseline FILE (with "
				   "--write-baseline nothing is compared)",
				   pct ? "--max-increase" : usd ? "--max-increase-usd"
				   : "--format");
	enum check_format f = CHECK_TEXT;
	if (format && check_format_parse(format, &f) != 0)
		return usage_error("check: invalid --format '%s': expected text, "
				   "markdown, json or junit", format);
	struct br_err err = {0};
	if (log_format && ingest_format_check(log_format, &err) != 0)
		return usage_error("check: --log-format: %s", err.msg);
	struct check_rules rules;
	/* Every day of the logs, whatever their dates: no period, and as_of
	 * only places the (unused) projection. Grouped by day, week or month,
	 * the days are UTC ones (the temporary store's, measure), as in the
	 * baseline. */
	struct report_query q = {.since = BR_DAY_NONE, .until = BR_DAY_NONE,
				 .as_of = br_day_today()};
	if (check_parse_rules(pct, usd, allow_unpriced, &rules, &err) != 0 ||
	    (by && report_parse_keys(by, &q, &err) != 0))
		return usage_error("check: %s", err.msg);
	struct check_snapshot *base = NULL;
	/* The verdict is what check --baseline makes; --write-baseline's
	 * product is the file, and its output only a summary of it. */
	if ((base_path || strcmp(write_path, "-") == 0) && g->stdout_product)
		*g->stdout_product = true;
	if (base_path) {
		if (!(base = check_baseline_read(base_path, &err)))
			return fail_with(&err);
		if (!by) {
			memcpy(q.keys, base->keys, sizeof q.keys);
			q.nkeys = base->nkeys;
		}
		if (check_snapshot_regroup(base, q.keys, q.nkeys, &err) != 0) {
			check_snapshot_free(base);
			return usage_error("check: %s", err.msg);
		}
	} else if (!by) {
		q.keys[0] = REPORT_MODEL;
		q.nkeys = 1;
	}
	struct br_catalog *catalog = load_catalog(g->conf, prices, &err);
	struct report *r = catalog ? measure(g, catalog, &q, log_format,
						 write_path ? write_path : base_path,
						 prices, pos, npos, &rc) : NULL;
	if (!catalog)
		rc = fail_with(&err);
	else if (r && write_path)
		rc = write_baseline(g, r, write_path, allow_unpriced);
	else if (r)
		rc = compare(r, base, &rules, f);
	report_free(r);
	br_catalog_free(catalog);
	check_snapshot_free(base);
	return rc;
}
