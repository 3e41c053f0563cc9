/* run.c - the nightly job burnrate.conf describes: ingest the configured
 * inputs, write the dated reports, send the budget alerts and, once its
 * period has ended, the finance report - all under the store's lock, and
 * every message exactly once through the notify ledger. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"

#define DEFAULT_REPORT_FORMATS "json,xlsx"
#define REPORT_KEYS "day,provider,model"

/* The directory glob reads (one at a time, to its end), and the first
 * that failed with the error: glob takes a failed readdir for the end. */
static char glob_dir[4096], glob_failed[4096];
static int glob_errno;

static void *glob_opendir(const char *dir)
{
	snprintf(glob_dir, sizeof glob_dir, "%s", dir);
	return opendir(dir);
}

static struct dirent *glob_readdir(void *d)
{
	struct dirent *e = br_readdir(d);
	if (!e && errno != 0 && !glob_errno) {
		glob_errno = errno;
		memcpy(glob_failed, glob_dir, sizeof glob_failed);
	}
	return e;
}

static void glob_closedir(void *d)
{
	closedir(d);
}

/* As glob(3) with flags, but -1 with the error in err when a directory
 * could not be read (a match cut short, silently). */
static int glob_checked(const char *pattern, int flags, glob_t *gl,
			struct br_err *err)
{
	*gl = (glob_t){.gl_opendir = glob_opendir, .gl_readdir = glob_readdir,
		       .gl_closedir = glob_closedir, .gl_lstat = lstat,
		       .gl_stat = stat};
	glob_errno = 0;
	int rc = glob(pattern, flags | GLOB_ALTDIRFUNC, NULL, gl);
	if (glob_errno) {
		if (rc == 0)
			globfree(gl);
		return br_fail(err, "cannot read directory '%s': %s",
			       glob_failed, strerror(glob_errno));
	}
	return rc;
}

/* The Prometheus report's name in reports_dir: fixed, as the textfile
 * collector reads every *.prom file. */
#define PROM_REPORT "burnrate.prom"

/* Tells whether name is one of the reports run writes into reports_dir
 * (write_reports): burnrate-DAY.EXT of a report format or PROM_REPORT, or
 * the temporary file of one being written ("NAME.tmp-PID", whose killed
 * writer the next write_reports removes). */
static bool is_own_report(const char *name)
{
	const char *tmp = strstr(name, ".tmp-");
	size_t n = tmp ? (size_t)(tmp - name) : strlen(name);
	if (n == strlen(PROM_REPORT) && strncmp(name, PROM_REPORT, n) == 0)
		return true;
	char day[11], ext[8];
	int32_t parsed;
	enum report_format f;
	if (n < 21 || n - 20 >= sizeof ext || strncmp(name, "burnrate-", 9) != 0 ||
	    name[19] != '.')
		return false;
	memcpy(day, name + 9, 10);
	day[10] = '\0';
	memcpy(ext, name + 20, n - 20);
	ext[n - 20] = '\0';
	return br_day_parse(day, &parsed) == 0 &&
	       report_format_parse(ext, &f) == 0;
}

/* The reports earlier runs wrote into reports_dir (is_own_report), as
 * paths (*n of them): read as logs, as a reports_dir inside a directory
 * of logs or an input glob of every file has them read, they failed every
 * run after the first ("cannot tell the log format", exit 1). */
static char **own_reports(const struct config *c, size_t *n)
{
	char **paths = NULL;
	*n = 0;
	DIR *d = c->reports_dir ? opendir(c->reports_dir) : NULL;
	if (!d)
		return NULL;
	struct dirent *de;
	while ((de = br_readdir(d))) {
		if (!is_own_report(de->d_name))
			continue;
		struct br_buf path = {0};
		br_buf_printf(&path, "%s/%s", c->reports_dir, de->d_name);
		paths = br_realloc(paths, (*n + 1) * sizeof *paths);
		paths[(*n)++] = path.p;
	}
	closedir(d);
	return paths;
}

/* Expands the configured input globs, each sorted; a glob without a match
 * is skipped (logs may not have arrived yet), and so is a plain path that
 * names nothing, with a warning when warn is set. A glob's match that is
 * one of the files of skip[0..nskip) (the configured rejects file, run's
 * own reports) is left out, as a directory walked leaves it out: a glob
 * of every file of the directory holding it matches it from the second
 * run on. NULL when a directory could not be read (err says which). */
static char **expand_inputs(const struct config *c, const char *const *skip,
			    size_t nskip, bool warn, int *n, struct br_err *err)
{
	char **paths = br_calloc(1, sizeof *paths);
	*n = 0;
	struct stat *skipped = br_calloc(nskip + 1, sizeof *skipped), ms;
	size_t nskipped = 0;
	for (size_t i = 0; i < nskip; i++)
		if (skip[i] && stat(skip[i], &skipped[nskipped]) == 0)
			nskipped++;
	for (size_t i = 0; i < c->ninputs; i++) {
		/* A plain path is taken as it is (glob would read a '\\' in
		 * it as an escape); one that names nothing is likely a typo.
		 * A pattern may match nothing yet. */
		if (!strpbrk(c->inputs[i], "*?[{")) {
			struct stat sb;
			if (stat(c->inputs[i], &sb) == 0) {
				paths = br_realloc(paths, ((size_t)*n + 2) * sizeof *paths);
				paths[(*n)++] = br_strdup(c->inputs[i]);
			} else if (warn) {
				int e = errno;
				char *shown = br_printable(c->inputs[i]);
				print_warning("%s: input %s: %s; skipped", c->path,
					      shown, strerror(e));
				free(shown);
			}
			continue;
		}
		glob_t gl;
		int rc = glob_checked(c->inputs[i], GLOB_BRACE, &gl, err);
		if (rc < 0) {
			for (int k = 0; k < *n; k++)
				free(paths[k]);
			free(paths);
			free(skipped);
			*n = 0;
			return NULL;
		}
		if (rc != 0)
			continue;
		paths = br_realloc(paths, ((size_t)*n + gl.gl_pathc + 1) * sizeof *paths);
		for (size_t k = 0; k < gl.gl_pathc; k++) {
			size_t s = 0;
			if (stat(gl.gl_pathv[k], &ms) == 0)
				while (s < nskipped && (ms.st_dev != skipped[s].st_dev ||
							ms.st_ino != skipped[s].st_ino))
					s++;
			if (s == nskipped)
				paths[(*n)++] = br_strdup(gl.gl_pathv[k]);
		}
		globfree(&gl);
	}
	free(skipped);
	return paths;
}

/* Runs a report of the store over [since, until] seen at as_of; since
 * BR_DAY_NONE: from its first data. */
static struct report *query(struct store *s, int32_t since, int32_t until,
			    int32_t as_of, const char *keys,
			    const struct budget *budgets, size_t nbudgets,
			    bool breakdowns, struct br_err *err)
{
	char a[11], b[11], c[11];
	if (since != BR_DAY_NONE)
		br_day_format(since, a);
	br_day_format(until, b);
	br_day_format(as_of, c);
	struct report_query q = {.budgets = budgets, .nbudgets = nbudgets,
				 .breakdowns = breakdowns};
	if (report_parse_keys(keys, &q, err) != 0 ||
	    report_parse_period(&q, since != BR_DAY_NONE ? a : NULL, b, NULL, c,
				as_of, err) != 0)
		return NULL;
	return report_run(s, &q, err);
}

/* Removes the temporary files of report writers that were killed
 * ("burnrate-DAY.EXT.tmp-PID", "burnrate.prom.tmp-PID"), those of no
 * running process (br_tmp_orphan): `report --output` and another store's
 * run may be writing into dir (the store's lock is not theirs; they were
 * removed under them), and a run killed tonight leaves its own. */
static void remove_stale_temporaries(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *de;
	while ((de = br_readdir(d))) {
		const char *e = de->d_name, *tmp = strstr(e, ".tmp-");
		if (strncmp(e, "burnrate", 8) == 0 && tmp &&
		    br_tmp_orphan(dirfd(d), e, tmp + 5, S_IFREG))
			unlinkat(dirfd(d), e, 0);
	}
	closedir(d);
}

/* Writes the Prometheus textfile of as_of (its own query: the month to
 * date by provider, model and agent). */
static int write_prom(struct store *s, int32_t as_of,
		      const struct budget *budgets, size_t nbudgets,
		      const char *path, struct br_err *err)
{
	struct report_query q = {.as_of = as_of, .budgets = budgets,
				 .nbudgets = nbudgets};
	report_prom_query(&q);
	struct report *r = report_run(s, &q, err);
	int rc = r ? write_report_file(r, REPORT_PROM, path, err) : -1;
	report_free(r);
	return rc;
}

/* Writes the month of as_of, to date, in every configured format into
 * reports_dir as burnrate-DAY.EXT, the Prometheus file as PROM_REPORT. A
 * format that cannot be written fails the run (the first failure in err)
 * but not the other formats: *written counts those written. */
static int write_reports(const struct config *c, struct store *s,
			 int32_t as_of, const struct budget *budgets,
			 size_t nbudgets, bool warn, size_t *written,
			 struct br_err *err)
{
	*written = 0;
	if (!c->reports_dir)
		return 0;
	/* Named with why: "No such file or directory" of a reports_dir
	 * whose parent is missing, and "cannot create
	 * 'notadir/burnrate-2025-10-31.json': Not a directory" of a file. */
	struct stat st;
	if (mkdir(c->reports_dir, 0755) != 0 && errno != EEXIST)
		return br_fail(err, "cannot create reports_dir '%s': %s",
			       c->reports_dir, errno == ENOENT
			       ? "a directory above it does not exist (only "
				 "reports_dir itself is created)"
			       : strerror(errno));
	if (stat(c->reports_dir, &st) == 0 && !S_ISDIR(st.st_mode))
		return br_fail(err, "reports_dir '%s' is not a directory",
			       c->reports_dir);
	remove_stale_temporaries(c->reports_dir);
	struct report *r = query(s, br_day_month_start(as_of), as_of, as_of,
				 REPORT_KEYS, budgets, nbudgets, true, err);
	if (!r)
		return -1;
	if (warn)
		warn_billed_twice(r);
	warn_saturated(r);
	char day[11];
	br_day_format(as_of, day);
	const char *formats = c->report_formats ? c->report_formats
						: DEFAULT_REPORT_FORMATS;
	char *copy = br_strdup(formats), *save = NULL;
	int rc = 0;
	for (char *t = strtok_r(copy, REPORT_FORMATS_SEP, &save); t;
	     t = strtok_r(NULL, REPORT_FORMATS_SEP, &save)) {
		enum report_format f;
		if (report_format_parse(t, &f) != 0) { /* config_load checks */
			rc = br_fail(err, "report_formats: invalid format '%s'", t);
			continue;
		}
		struct br_buf path = {0};
		int wrote;
		if (f == REPORT_PROM) {
			br_buf_printf(&path, "%s/" PROM_REPORT, c->reports_dir);
			wrote = write_prom(s, as_of, budgets, nbudgets, path.p, err);
		} else {
			br_buf_printf(&path, "%s/burnrate-%s.%s", c->reports_dir,
				      day, t);
			wrote = write_report_file(r, f, path.p, err);
		}
		br_buf_free(&path);
		*written += wrote == 0;
		rc = wrote != 0 ? -1 : rc;
	}
	free(copy);
	report_free(r);
	return rc;
}

/* The finance report's period that ended most recently before as_of:
 * the previous day, ISO week or month. Returns false for "never". */
static bool finance_period(const char *schedule, int32_t as_of, int32_t *start,
			   int32_t *end, const char **name)
{
	if (!schedule || strcmp(schedule, "never") == 0)
		return false;
	if (strcmp(schedule, "daily") == 0) {
		*start = *end = as_of - 1;
		*name = "day";
	} else if (strcmp(schedule, "weekly") == 0) {
		*start = br_day_week_start(as_of) - 7;
		*end = *start + 6;
		*name = "week";
	} else {
		*end = br_day_month_start(as_of) - 1;
		*start = br_day_month_start(*end);
		*name = "month";
	}
	return true;
}

/* Composes the finance report of [start, end] with its XLSX attached,
 * its Message-ID of id (ledger_message_id). */
static int finance_message(struct store *s, const struct budget *budgets, size_t nbudgets,
			   int32_t start, int32_t end, const char *period_name,
			   const char *from, char *const *to, size_t nto,
			   const char *id, struct br_buf *msg, struct br_err *err)
{
	struct report *r = query(s, start, end, end, "day", budgets, nbudgets,
				 true, err);
	if (!r)
		return -1;
	char since[11], until[11];
	br_day_format(start, since);
	br_day_format(end, until);
	struct br_buf tmp = {0}, xlsx = {0}, attachment = {0}, subject = {0},
		      top = {0}, lines = {0}, text = {0}, html = {0}, msgid = {0},
		      unpriced = {0};
	/* A temporary file of the ledger's directory, which ledger_open
	 * removes when a killed run left it. */
	br_buf_printf(&tmp, "%s/notify/.tmp-%ld-finance.xlsx", store_dir(s),
		      (long)getpid());
	int rc = report_write_xlsx(r, tmp.p, err);
	if (rc == 0)
		rc = br_file_read(tmp.p, (size_t)256 << 20, &xlsx, err);
	unlink(tmp.p);
	if (rc != 0)
		goto out;
	char total[BR_MONEY_BUFSZ], requests[32], money[BR_MONEY_BUFSZ],
		limit[BR_MONEY_BUFSZ];
	br_money_format(r->totals.cost, total);
	snprintf(requests, sizeof requests, "%llu",
		 (unsigned long long)r->totals.requests);
	/* The three costliest models (breakdowns are sorted by cost). */
	for (size_t k = 0; k < REPORT_BREAKDOWNS; k++) {
		if (r->breakdown[k].key != REPORT_MODEL)
			continue;
		for (size_t i = 0; i < r->breakdown[k].nrows && i < 3; i++) {
			/* Names from the logs as the table shows them:
			 * control characters '?' (br_printable), so that a
			 * name cannot add lines (a "Total" of its own) to
			 * the body or escape sequences to a terminal. */
			char *shown = br_printable(r->breakdown[k].rows[i].key[0]);
			br_buf_printf(&top, "%s%s $%s", i ? ", " : "", shown,
				      br_money_format(r->breakdown[k].rows[i].t.cost,
						      money));
			free(shown);
		}
	}
	br_buf_puts(&top, top.len ? "" : "none");
	/* Requests without a price are $0 in the total: say so, as the
	 * table does, not a total that silently leaves them out. */
	if (r->nunpriced) {
		br_buf_printf(&unpriced, "\nUnpriced    %llu request%s without a "
			      "price, not in the total: ",
			      (unsigned long long)r->totals.unpriced,
			      r->totals.unpriced == 1 ? "" : "s");
		for (size_t i = 0; i < r->nunpriced; i++) {
			char *p = br_printable(r->unpriced[i].provider),
			     *m = br_printable(r->unpriced[i].model);
			br_buf_printf(&unpriced, "%s%s/%s (%llu)", i ? ", " : "",
				      p, m,
				      (unsigned long long)r->unpriced[i].requests);
			free(p);
			free(m);
		}
	}
	for (size_t i = 0; i < r->nbudgets; i++) {
		const struct budget_status *st = &r->budgets[i];
		char util[BUDGET_UTIL_BUFSZ], *shown = br_printable(st->b->name);
		br_buf_printf(&lines, "%sBudget %s: $%s of $%s (%s%%, %s)\n",
			      i ? "" : "\n", shown,
			      br_money_format(budget_amount_shown(st, st->spent),
					      money),
			      br_money_format(st->b->limit, limit),
			      budget_utilization_format(st, true, 1, util),
			      st->status);
		free(shown);
	}
	br_buf_printf(&attachment, "burnrate-%s-%s.xlsx", since, until);
	br_buf_printf(&subject, "[burnrate] LLM spend for the %s %s to %s: $%s",
		      period_name, since, until, total);
	const char *names[] = {"period_name", "since", "until", "total_usd",
			       "requests", "top_models", "unpriced",
			       "budget_lines", "attachment", "subject",
			       "version", "timezone"};
	const char *values[] = {period_name, since, until, total, requests,
				top.p, unpriced.p ? unpriced.p : "",
				lines.p ? lines.p : "", attachment.p,
				subject.p, BR_VERSION, r->timezone};
	size_t nv = sizeof names / sizeof names[0];
	template_render(TEMPLATE_REPORT_TXT, names, values, nv, &text);
	template_render(TEMPLATE_REPORT_HTML, names, values, nv, &html);
	const char *at = strrchr(from, '@');
	br_buf_printf(&msgid, "<%s.report@%s>", id, at ? at + 1 : "burnrate.invalid");
	struct mail_content mc = {
		.from = from, .to = (const char *const *)to, .nto = nto,
		.subject = subject.p, .message_id = msgid.p, .date = time(NULL),
		.text = text.p, .html = html.p, .attachment_name = attachment.p,
		.attachment_type = "application/vnd.openxmlformats-officedocument."
				   "spreadsheetml.sheet",
		.attachment = xlsx.p, .attachment_len = xlsx.len};
	mail_compose(&mc, msg);
out:
	report_free(r);
	br_buf_free(&tmp);
	br_buf_free(&xlsx);
	br_buf_free(&attachment);
	br_buf_free(&subject);
	br_buf_free(&top);
	br_buf_free(&lines);
	br_buf_free(&unpriced);
	br_buf_free(&text);
	br_buf_free(&html);
	br_buf_free(&msgid);
	return rc;
}

/* The finance recipients (report_to) into to[] (owned copies). */
static int finance_recipients(const struct config *c, char **to, size_t *nto,
			      struct br_err *err)
{
	if (!c->report_to)
		return br_fail_status(err, BR_EXIT_USAGE, "%s:%lu: report_schedule: "
				      "%s needs report_to (the finance recipients)",
				      c->path, config_key_line(c, "report_schedule"),
				      c->report_schedule);
	return mail_address_list(c->report_to, "report_to", to, MAX_RECIPIENTS,
				 nto, err);
}

/* Checks, before anything is ingested, what sending the finance report
 * needs: its recipients and the mail account (loaded into acct). */
/* The mail account configuration c names: a smtp_config that cannot be
 * opened names c's file, line and key. */
static int run_mailer_account(const struct config *c, struct smtp_account *acct,
			      struct br_err *err)
{
	struct notify_job nj = {.smtp_config = c->smtp_config,
				.account = c->smtp_account};
	if (config_path_check(c, "smtp_config", NULL, c->smtp_config, err) != 0)
		return -1;
	return mailer_account(&nj, acct, err);
}

static int check_finance_mail(const struct config *c, struct smtp_account *acct,
			      struct br_err *err)
{
	char *to[MAX_RECIPIENTS];
	size_t nto = 0;
	int rc = finance_recipients(c, to, &nto, err);
	for (size_t i = 0; i < nto; i++)
		free(to[i]);
	if (rc != 0)
		return rc;
	return run_mailer_account(c, acct, err);
}

/* Queues the finance report of the period that ended before as_of, unless
 * the ledger has it; a period before the store's first data is not
 * reported. *what says which period, or stays empty. */
static int finance_queue(struct store *s, const struct config *c,
			 struct ledger *l, const struct budget *budgets,
			 size_t nbudgets, int32_t as_of, const char *from,
			 char *what, size_t whatsz, struct br_err *err)
{
	int32_t start, end;
	const char *period_name;
	*what = 0;
	if (!finance_period(c->report_schedule, as_of, &start, &end, &period_name))
		return 0;
	char since[11];
	br_day_format(start, since);
	struct br_buf key = {0};
	br_buf_printf(&key, "report|%s|%s", c->report_schedule, since);
	int rc = 0;
	if (ledger_find(l, key.p))
		goto out;
	/* Not a period before the store's first data; one after it is
	 * reported even when nothing was spent in it ($0 is news too). */
	struct report *probe = query(s, BR_DAY_NONE, end, end, "month", NULL, 0,
				     false, err);
	if (!probe) {
		rc = -1;
		goto out;
	}
	bool has_data = probe->first_day != BR_DAY_NONE;
	report_free(probe);
	if (!has_data)
		goto out;
	char *to[MAX_RECIPIENTS];
	size_t nto = 0;
	if ((rc = finance_recipients(c, to, &nto, err)) != 0)
		goto out;
	struct br_buf msg = {0};
	/* Of the store too: two stores' reports of a month are two messages
	 * to a mail system that drops a Message-ID it has seen. */
	char id[33];
	ledger_message_id(l, key.p, id);
	rc = finance_message(s, budgets, nbudgets, start, end, period_name,
			     from, to, nto, id, &msg, err);
	if (rc == 0)
		rc = ledger_add(l, key.p, from, to, nto, msg.p, msg.len, err);
	if (rc == 0)
		snprintf(what, whatsz, "the %s from %s", period_name, since);
	br_buf_free(&msg);
	for (size_t i = 0; i < nto; i++)
		free(to[i]);
out:
	br_buf_free(&key);
	return rc;
}

/* The worse of two exit statuses: usage, failure, temporary, success. */
static int worse(int a, int b)
{
	static const int order[] = {BR_EXIT_USAGE, BR_EXIT_FAILURE,
				    BR_EXIT_TEMPFAIL};
	for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
		if (a == order[i] || b == order[i])
			return order[i];
	return a ? a : b;
}

int cmd_run(const struct globals *g, int argc, char **argv)
{
	const char *as_of_text = NULL;
	char *pos[argc + 1];
	int npos;
	const struct option opts[] = {{"--as-of", &as_of_text, NULL},
				      {NULL, NULL, NULL}};
	int rc = parse_options("run", argc, argv, opts, pos, &npos);
	if (rc)
		return rc;
	if (npos)
		return usage_error("run: unexpected argument '%s'", pos[0]);
	const struct config *c = g->conf;
	if (!c)
		return usage_error("run: no configuration: give --config FILE or "
				   "create ./burnrate.conf or /etc/burnrate.conf");
	struct as_of at;
	if ((rc = as_of_parse("run", as_of_text, &at)) != 0)
		return rc;
	int32_t as_of = BR_DAY_NONE; /* once the store is open */

	struct br_err err = {0};
	struct budget *budgets = NULL;
	size_t nbudgets = 0;
	struct br_catalog *catalog = NULL;
	struct store *s = NULL;
	struct ledger *l = NULL;
	char **paths = NULL, **reports_before = NULL;
	const char **skip = NULL;
	int npaths = 0;
	size_t nreports_before = 0;
	struct ingest_outcome in = {0};
	struct notify_outcome alerts = {0};
	size_t reports = 0, sent = 0, pending = 0;
	char finance[64] = "";
	bool finance_due = c->report_schedule &&
			   strcmp(c->report_schedule, "never") != 0;
	struct smtp_account acct = {0};
	bool have_acct = false;
	/* Alerts are evaluated (step 3) when there is somewhere to send
	 * them: an SMTP configuration or default recipients. */
	bool send_alerts = c->budgets && (c->smtp_config || c->alert_to);
	if (c->budgets &&
	    (config_path_check(c, "budgets", NULL, c->budgets, &err) != 0 ||
	     budgets_load(c->budgets, &budgets, &nbudgets, &err) != 0))
		goto fail;
	/* A budget that could not be mailed is a configuration error found
	 * before the ingest, as a bad budgets file is, not after the alerts
	 * of the other budgets were recorded. */
	if (send_alerts && budgets_check_recipients(budgets, nbudgets, c->alert_to,
						    c->budgets, &err) != 0)
		goto fail;
	/* So is a finance report that could not be sent. */
	if (finance_due && check_finance_mail(c, &acct, &err) != 0)
		goto fail;
	have_acct = finance_due;
	if (!(catalog = load_catalog(c, c->prices, &err)))
		goto fail;
	if (!(s = config_store_open(g, &err)) || store_lock(s, &err) != 0)
		goto fail;
	as_of = as_of_day(&at, store_tz(s));

	/* 1. The inputs: only what is new or has grown; not the rejects file
	 * nor the reports of earlier runs, which a glob or a directory of
	 * the inputs may hold. */
	reports_before = own_reports(c, &nreports_before);
	skip = br_calloc(nreports_before + 1, sizeof *skip);
	skip[0] = c->rejects;
	for (size_t i = 0; i < nreports_before; i++)
		skip[i + 1] = reports_before[i];
	if (!(paths = expand_inputs(c, skip, nreports_before + 1, !g->quiet,
				    &npaths, &err)))
		goto fail;
	if (npaths) {
		struct ingest_job job = {
			.io = {.format = c->format ? c->format : "auto",
			       .catalog = catalog, .only_from = BR_DAY_NONE,
			       .only_to = BR_DAY_NONE},
			.source = c->source ? c->source : "default",
			.rejects_path = c->rejects,
			.rejects_hint = "the configuration's 'rejects FILE'",
			.rejects_append = true,
			.skip_paths = skip, .nskip_paths = nreports_before + 1,
			.silent = true, .warn = true, .store = s};
		struct ingest_map label;
		config_counting(c, &job.io, &label);
		rc = worse(rc, ingest_job_run(g, &job, paths, npaths, &in));
		if (rc == BR_EXIT_USAGE || rc == BR_EXIT_TEMPFAIL)
			goto done;
	}

	/* 2. The dated reports. One that cannot be written (a full disk) does
	 * not keep the alerts and finance's report from going out. */
	if (write_reports(c, s, as_of, budgets, nbudgets, !g->quiet, &reports, &err) != 0) {
		rc = worse(rc, fail_with(&err));
		br_err_clear(&err);
	}

	/* 3. Budget alerts; 4. the finance report; both recorded in the
	 * ledger as pending, then 5. everything pending sent in one SMTP
	 * session (ALERTS.md): one connection, so a server that is down or
	 * hangs costs one attempt and one timeout, and the alerts are not
	 * tried a second time with the finance report. */
	struct notify_job nj = {.store = s, .budgets = c->budgets,
				.as_of = as_of, .smtp_config = c->smtp_config,
				.account = c->smtp_account,
				.alert_to = c->alert_to, .acct = &acct,
				.deliver_later = true};
	if (send_alerts && !have_acct) {
		/* Loaded here, where notify would load it: a run whose mail
		 * account is wrong still ingests and writes its reports. */
		if (run_mailer_account(c, &acct, &err) != 0) {
			rc = worse(rc, fail_with(&err));
			goto done;
		}
		have_acct = true;
	}
	if (send_alerts) {
		rc = worse(rc, notify_job_run(g, &nj, &alerts));
		if (rc == BR_EXIT_USAGE)
			goto done;
	}
	if (send_alerts || finance_due) {
		if (!(l = ledger_open(store_dir(s), &err))) {
			rc = worse(rc, fail_with(&err));
			goto done;
		}
		/* A finance report that cannot be composed does not keep the
		 * alerts from going out. */
		if (finance_due && finance_queue(s, c, l, budgets, nbudgets, as_of,
						 acct.from, finance, sizeof finance,
						 &err) != 0)
			rc = worse(rc, fail_with(&err));
		rc = worse(rc, mailer_deliver(g, l, &acct, &sent));
		pending = ledger_count(l, LEDGER_PENDING);
	}
done:
	if (!g->quiet) {
		char day[11];
		br_day_format(as_of, day);
		char problems[96] = "";
		int n = 0;
		if (in.rejected)
			n = snprintf(problems, sizeof problems, ", %llu rejected",
				     (unsigned long long)in.rejected);
		if (in.failed)
			snprintf(problems + n, sizeof problems - (size_t)n,
				 ", %llu unreadable input%s",
				 (unsigned long long)in.failed,
				 in.failed == 1 ? "" : "s");
		printf("run %s: %zu input%s ingested (%llu records%s), %zu report%s "
		       "written, %zu alert%s due, %zu message%s sent, %zu pending%s%s\n",
		       day, in.kept, in.kept == 1 ? "" : "s",
		       (unsigned long long)in.records, problems, reports,
		       reports == 1 ? "" : "s", alerts.due, alerts.due == 1 ? "" : "s",
		       sent, sent == 1 ? "" : "s",
		       pending, *finance ? "; finance report for " : "",
		       finance);
	}
	goto out;
fail:
	rc = fail_with(&err);
out:
	if (have_acct)
		smtp_account_free(&acct);
	for (int i = 0; i < npaths; i++)
		free(paths[i]);
	free(paths);
	for (size_t i = 0; i < nreports_before; i++)
		free(reports_before[i]);
	free(reports_before);
	free(skip);
	ledger_free(l);
	store_free(s);
	br_catalog_free(catalog);
	budgets_free(budgets, nbudgets);
	return rc;
}
