/* notify.c - the notify command: budget alerts through the store's ledger
 * (notify.h), and the delivery of whatever the ledger holds pending, which
 * run also uses for the finance report. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"


/* The account to send with: --smtp-config/--account, else the config's
 * smtp_config/smtp_account, else ~/.msmtprc and its default account. */
/* The msmtp file job names: its smtp_config, else ~/.msmtprc (in *home,
 * freed by the caller); NULL when there is no home directory to look in
 * (with HOME unset it was ./.msmtprc, whoever wrote it). */
static const char *msmtprc_path(const struct notify_job *job,
				struct br_buf *home)
{
	if (job->smtp_config)
		return job->smtp_config;
	const char *h = smtp_home();
	if (!h)
		return NULL;
	br_buf_printf(home, "%s/.msmtprc", h);
	return home->p;
}

/* Whether any SMTP settings are given or found: a dry run without any
 * still shows the messages, from a placeholder sender. */
static bool mailer_configured(const struct notify_job *job)
{
	struct br_buf home = {0};
	const char *path = msmtprc_path(job, &home);
	bool yes = job->smtp_config || job->account ||
		   (path && access(path, F_OK) == 0);
	br_buf_free(&home);
	return yes;
}

int mailer_account(const struct notify_job *job, struct smtp_account *a,
		   struct br_err *err)
{
	struct br_buf home = {0};
	const char *path = msmtprc_path(job, &home);
	int rc = path ? smtp_account_load(path, job->account, a, err)
		      : br_fail_status(err, BR_EXIT_USAGE, "no SMTP settings: "
				       "no home directory for ~/.msmtprc (HOME is "
				       "not set); give --smtp-config FILE");
	br_buf_free(&home);
	if (rc == 0 && !a->from) {
		rc = br_fail_status(err, BR_EXIT_USAGE, "%s: account '%s' has no "
				    "'from' address", a->path, a->name);
		smtp_account_free(a);
	}
	/* It is the envelope sender and the From header, and a plain
	 * address keeps that header's line within what servers take. */
	if (rc == 0 && !mail_address_valid(a->from)) {
		rc = br_fail_status(err, BR_EXIT_USAGE, "%s: account '%s': from "
				    "'%s' is not a plain address (local@domain)",
				    a->path, a->name, a->from);
		smtp_account_free(a);
	}
	if (rc == 0 && a->tls && !a->tls_certcheck)
		print_warning("%s: account '%s' has tls_certcheck off: the "
			      "server's certificate is NOT checked, anyone on "
			      "the path can read and change the mail",
			      a->path, a->name);
	return rc;
}

/* What mailer_deliver's smtp_done_fn records in. */
struct delivery {
	struct ledger *l;
	const size_t *which;   /* message j is entry which[j] of l */
	bool *recorded;        /* message j's outcome is in the ledger */
	int rc;                /* the first failure to record one */
};

/* Takes out of a sent entry's recipients those the server refused with
 * 4xx (refused: smtp_send_each's "RCPT TO:<address>: CODE TEXT" list):
 * the ledger then says they did not get it, so that the next run sends
 * the alert to them (alerts_due), as a message refused to all with 4xx
 * stays pending. Those refused with 5xx stay: no run would reach them. */
static void drop_deferred(struct ledger_entry *e, const char *refused)
{
	size_t kept = 0;
	for (size_t t = 0; t < e->nto; t++) {
		struct br_buf needle = {0};
		br_buf_printf(&needle, "RCPT TO:<%s>: 4", e->to[t]);
		if (strstr(refused, needle.p)) {
			free(e->to[t]);
		} else {
			e->to[kept++] = e->to[t];
		}
		br_buf_free(&needle);
	}
	e->nto = kept;
}

/* Records a message's outcome in the ledger as soon as the server has
 * decided it, while the session goes on: an entry still pending when the
 * process dies is sent again by the next run. A message sent to some of
 * its recipients keeps the server's refusals of the others as its
 * reply. One that cannot be recorded (a full disk) ends the session:
 * each message sent after it could not be recorded either, and every
 * one would go out again with the next run. */
static bool record_done(size_t j, enum smtp_outcome outcome,
			const char *reply, void *arg)
{
	struct delivery *d = arg;
	struct ledger_entry *e = &d->l->v[d->which[j]];
	struct br_err err = {0};
	if (outcome == SMTP_SENT && reply)
		drop_deferred(e, reply);
	if (ledger_set(d->l, e, outcome == SMTP_SENT ? LEDGER_SENT
						     : LEDGER_FAILED,
		       reply, &err) != 0) {
		if (d->rc == BR_EXIT_OK)
			d->rc = fail_with(&err);
		return false;
	}
	d->recorded[j] = true;
	return true;
}

/* Sends every pending entry of l in one session. Returns 0 when all were
 * sent, BR_EXIT_TEMPFAIL when some stay pending, BR_EXIT_FAILURE when the
 * server refused some (marked failed), or another status on error; what
 * happened is printed. *sent counts the entries delivered. */
int mailer_deliver(const struct globals *g, struct ledger *l,
		   const struct smtp_account *a, size_t *sent)
{
	*sent = 0;
	size_t n = ledger_count(l, LEDGER_PENDING);
	if (!n)
		return BR_EXIT_OK;
	size_t *which = br_calloc(n, sizeof *which);
	struct br_buf *data = br_calloc(n, sizeof *data);
	struct mail *msgs = br_calloc(n, sizeof *msgs);
	enum smtp_outcome *outcome = br_calloc(n, sizeof *outcome);
	char **reply = br_calloc(n, sizeof *reply);
	struct br_err err = {0};
	int rc = BR_EXIT_OK;
	size_t k = 0;
	for (size_t i = 0; i < l->n && rc == BR_EXIT_OK; i++) {
		struct ledger_entry *e = &l->v[i];
		if (e->state != LEDGER_PENDING)
			continue;
		if (ledger_message(l, e, &data[k], &err) != 0) {
			rc = fail_with(&err);
			break;
		}
		which[k] = i;
		msgs[k] = (struct mail){e->from, (const char *const *)e->to,
					e->nto, data[k].p, data[k].len};
		k++;
	}
	if (rc != BR_EXIT_OK)
		goto out;
	bool *recorded = br_calloc(n, sizeof *recorded);
	struct delivery d = {l, which, recorded, BR_EXIT_OK};
	if (smtp_send_each(a, msgs, n, outcome, reply, record_done, &d,
			   &err) != 0) {
		print_error("%s", err.msg);
		rc = err.status ? err.status : BR_EXIT_FAILURE;
		if (rc != BR_EXIT_USAGE)
			rc = rc == BR_EXIT_TEMPFAIL ? BR_EXIT_TEMPFAIL : BR_EXIT_FAILURE;
		size_t kept = 0;
		for (size_t j = 0; j < k; j++) {
			kept += !recorded[j];
			*sent += recorded[j] && outcome[j] == SMTP_SENT;
		}
		print_error("%zu message%s kept pending for the next run", kept,
			    kept == 1 ? "" : "s");
		free(recorded);
		goto out;
	}
	rc = d.rc;
	/* Every outcome is recorded, even after one cannot be: an entry left
	 * pending is sent again (with the same Message-ID) by the next run,
	 * so each recorded one is a copy fewer. */
	size_t retry = 0, refused = 0;
	for (size_t j = 0; j < k; j++) {
		struct ledger_entry *e = &l->v[which[j]];
		int st = 0;
		switch (outcome[j]) {
		case SMTP_SENT:
			if (!recorded[j]) {
				if (reply[j])
					drop_deferred(e, reply[j]);
				st = ledger_set(l, e, LEDGER_SENT, reply[j], &err);
			}
			++*sent;
			/* Sent to the recipients the server took; those it
			 * refused with 4xx get it from the next run, those
			 * refused with 5xx from none. */
			if (reply[j]) {
				if (strstr(reply[j], ">: 5"))
					refused++;
				else
					retry++;
				print_error("%s: sent, but the server refused "
					    "%s", e->key, reply[j]);
			}
			if (g->verbose)
				fprintf(stderr, "burnrate: sent %s to %zu recipient%s\n",
					e->key, e->nto, e->nto == 1 ? "" : "s");
			break;
		case SMTP_RETRY:
			retry++;
			print_error("%s: not sent, kept pending: %s", e->key,
				    reply[j] ? reply[j] : "temporary failure");
			break;
		case SMTP_REJECTED:
			refused++;
			if (!recorded[j])
				st = ledger_set(l, e, LEDGER_FAILED, reply[j],
						&err);
			print_error("%s: refused by the server, marked failed: %s",
				    e->key, reply[j] ? reply[j] : "no reply");
			break;
		}
		if (st != 0 && rc == BR_EXIT_OK)
			rc = fail_with(&err);
	}
	free(recorded);
	if (rc == BR_EXIT_OK)
		rc = refused ? BR_EXIT_FAILURE : retry ? BR_EXIT_TEMPFAIL : BR_EXIT_OK;
out:
	for (size_t j = 0; j < n; j++) {
		br_buf_free(&data[j]);
		free(reply[j]);
	}
	free(which);
	free(data);
	free(msgs);
	free(outcome);
	free(reply);
	return rc;
}

/* The recipients of budget b: its own, else alert_to. */
static int budget_recipients(const struct budget *b, const char *alert_to,
			     const char *budgets_path, char **to, size_t *nto,
			     struct br_err *err)
{
	char what[512];
	const char *list = b->recipients && *b->recipients ? b->recipients : alert_to;
	snprintf(what, sizeof what, "%s:%lu: budget '%s' recipients", budgets_path,
		 b->line, b->name);
	if (!list || !*list)
		return br_fail_status(err, BR_EXIT_USAGE, "%s: none given, and no "
				      "alert_to in the configuration", what);
	if (mail_address_list(list, what, to, MAX_RECIPIENTS, nto, err) != 0)
		return -1;
	if (!*nto)
		return br_fail_status(err, BR_EXIT_USAGE, "%s: none given", what);
	return 0;
}

static void free_list(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
}

int budgets_check_recipients(const struct budget *v, size_t n,
			     const char *alert_to, const char *budgets_path,
			     struct br_err *err)
{
	for (size_t i = 0; i < n; i++) {
		char *to[MAX_RECIPIENTS];
		size_t nto = 0;
		if (budget_recipients(&v[i], alert_to, budgets_path, to, &nto,
				      err) != 0)
			return -1;
		free_list(to, nto);
	}
	return 0;
}

/* Writes msg as DIR/NAME.eml. */
static int write_eml(const char *dir, const char *id, const struct br_buf *msg,
		     struct br_err *err)
{
	struct br_buf name = {0};
	br_buf_printf(&name, "%s.eml", id);
	int rc = br_file_publish(dir, name.p, msg->p, msg->len, 0644, err);
	br_buf_free(&name);
	return rc;
}

int notify_job_run(const struct globals *g, const struct notify_job *job,
		   struct notify_outcome *out)
{
	struct br_err err = {0};
	struct budget *budgets = NULL;
	size_t nbudgets = 0;
	struct report *r = NULL;
	struct ledger *l = NULL;
	struct alert *alerts = NULL;
	size_t nalerts = 0, nrearm = 0, failed_before = 0;
	struct ledger_entry **rearm = NULL;
	char ***rcpt = NULL;
	size_t *nrcpt = NULL;
	struct smtp_account acct = {0};
	bool have_acct = false;
	const struct smtp_account *a = job->acct;
	int rc = BR_EXIT_OK;
	*out = (struct notify_outcome){0};

	if (job->budgets && budgets_load(job->budgets, &budgets, &nbudgets, &err) != 0)
		return fail_with(&err);
	/* Every budget, not only those that fire tonight: a budget that
	 * cannot be mailed found only when it fires would stop the run
	 * after the alerts of the others were written as pending, and
	 * then stop every later run before they are sent. */
	if (budgets_check_recipients(budgets, nbudgets, job->alert_to,
				     job->budgets, &err) != 0) {
		budgets_free(budgets, nbudgets);
		return fail_with(&err);
	}
	struct report_query q = {.budgets = budgets, .nbudgets = nbudgets};
	char as_of[11];
	br_day_format(job->as_of, as_of);
	if (report_parse_keys("day", &q, &err) != 0 ||
	    report_parse_period(&q, as_of, NULL, NULL, as_of, job->as_of, &err) != 0 ||
	    !(r = report_run(job->store, &q, &err)) ||
	    !(l = job->dry_run_dir ? ledger_read(store_dir(job->store), &err)
				   : ledger_open(store_dir(job->store), &err))) {
		rc = fail_with(&err);
		goto out;
	}
	/* The account is checked on every run, not first on the day an
	 * alert is due; by a dry run too, whose messages then carry the
	 * sender a real run's would. */
	if (!a && (!job->dry_run_dir || mailer_configured(job))) {
		if (mailer_account(job, &acct, &err) != 0) {
			rc = fail_with(&err);
			goto out;
		}
		have_acct = true;
		a = &acct;
	}
	/* Each budget's recipients: an alert goes to those of them that
	 * have not had it (alerts_due). */
	rcpt = br_calloc(nbudgets + 1, sizeof *rcpt);
	nrcpt = br_calloc(nbudgets + 1, sizeof *nrcpt);
	for (size_t k = 0; k < nbudgets; k++) {
		rcpt[k] = br_calloc(MAX_RECIPIENTS, sizeof *rcpt[k]);
		if (budget_recipients(&budgets[k], job->alert_to, job->budgets,
				      rcpt[k], &nrcpt[k], &err) != 0) {
			rc = fail_with(&err);
			goto out;
		}
	}
	alerts_due(r, l, (char *const *const *)rcpt, nrcpt, &alerts, &nalerts,
		   &rearm, &nrearm);
	/* Forecasts that fell back below their limit may fire again. */
	for (size_t i = 0; i < nrearm && !job->dry_run_dir; i++)
		if (ledger_rearm(l, rearm[i], &err) != 0) {
			rc = fail_with(&err);
			goto out;
		}
	const char *from = a ? a->from : "burnrate@localhost";
	time_t now = time(NULL);
	for (size_t i = 0; i < nalerts; i++) {
		char *const *to = alerts[i].to;
		size_t nto = alerts[i].nto;
		struct br_buf msg = {0};
		alert_compose(&alerts[i], r, from, to, nto, now, &msg);
		int st;
		if (job->dry_run_dir) {
			char id[33];
			ledger_id(alerts[i].key, id);
			st = write_eml(job->dry_run_dir, id, &msg, &err);
		} else {
			st = ledger_add(l, alerts[i].key, from, to, nto, msg.p, msg.len,
					&err);
		}
		br_buf_free(&msg);
		if (st != 0) {
			rc = fail_with(&err);
			goto out;
		}
		out->due++;
	}
	if (job->dry_run_dir) {
		/* What a real run would also send: the entries still pending. */
		for (size_t i = 0; i < l->n; i++) {
			struct br_buf msg = {0};
			int st = 0;
			if (l->v[i].state == LEDGER_PENDING &&
			    (st = ledger_message(l, &l->v[i], &msg, &err)) == 0)
				st = write_eml(job->dry_run_dir, l->v[i].id, &msg, &err);
			out->due += l->v[i].state == LEDGER_PENDING;
			br_buf_free(&msg);
			if (st != 0) {
				rc = fail_with(&err);
				goto out;
			}
		}
	} else if (!job->deliver_later) {
		failed_before = ledger_count(l, LEDGER_FAILED);
		rc = mailer_deliver(g, l, a, &out->sent);
		out->failed = ledger_count(l, LEDGER_FAILED) - failed_before;
	}
	out->pending = ledger_count(l, LEDGER_PENDING);
out:
	if (have_acct)
		smtp_account_free(&acct);
	alerts_free(alerts, nalerts);
	free(rearm);
	for (size_t k = 0; rcpt && k < nbudgets; k++) {
		if (rcpt[k])
			free_list(rcpt[k], nrcpt[k]);
		free(rcpt[k]);
	}
	free(rcpt);
	free(nrcpt);
	ledger_free(l);
	report_free(r);
	budgets_free(budgets, nbudgets);
	return rc;
}

int cmd_notify(const struct globals *g, int argc, char **argv)
{
	const struct config *c = g->conf;
	const char *budgets = c ? c->budgets : NULL, *as_of = NULL,
		   *smtp_config = c ? c->smtp_config : NULL,
		   *account = c ? c->smtp_account : NULL, *dry_run = NULL;
	char *pos[argc + 1];
	int npos;
	const struct option opts[] = {
		{"--budgets", &budgets, NULL},   {"--as-of", &as_of, NULL},
		{"--smtp-config", &smtp_config, NULL},
		{"--account", &account, NULL},   {"--dry-run", &dry_run, NULL},
		{NULL, NULL, NULL}};
	int rc = parse_options("notify", argc, argv, opts, pos, &npos);
	if (rc)
		return rc;
	if (npos)
		return usage_error("notify: unexpected argument '%s'", pos[0]);
	if (!budgets)
		return usage_error("notify: no budgets: give --budgets FILE or "
				   "'budgets' in the configuration");
	struct br_err missing = {0};
	if (config_path_check(c, "budgets", "--budgets", budgets,
			      &missing) != 0 ||
	    config_path_check(c, "smtp_config", "--smtp-config", smtp_config,
			      &missing) != 0)
		return fail_with(&missing);
	struct notify_job job = {.budgets = budgets, .smtp_config = smtp_config,
				 .account = account, .dry_run_dir = dry_run,
				 .alert_to = c ? c->alert_to : NULL,
				 .as_of = BR_DAY_NONE};
	struct as_of at;
	if ((rc = as_of_parse("notify", as_of, &at)) != 0)
		return rc;
	struct stat sb;
	if (dry_run && stat(dry_run, &sb) != 0)
		return usage_error("notify: --dry-run '%s': %s", dry_run,
				   strerror(errno));
	if (dry_run && !S_ISDIR(sb.st_mode))
		return usage_error("notify: --dry-run '%s' is not a directory",
				   dry_run);
	struct br_err err = {0};
	job.store = config_store_read(g, &err);
	/* A dry run only reads, as report does: the segments and the
	 * ledger's files are each published atomically, so it needs no
	 * lock, and does not wait for (or fail with 75 during) a run. */
	if (!job.store || (!dry_run && store_lock(job.store, &err) != 0)) {
		store_free(job.store);
		return fail_with(&err);
	}
	job.as_of = as_of_day(&at, store_tz(job.store));
	struct notify_outcome o;
	rc = notify_job_run(g, &job, &o);
	store_free(job.store);
	if (!g->quiet && (rc == BR_EXIT_OK || rc == BR_EXIT_TEMPFAIL ||
			  rc == BR_EXIT_FAILURE)) {
		if (dry_run)
			printf("notify: %zu message%s written to %s (dry run; the "
			       "ledger is unchanged)\n", o.due, o.due == 1 ? "" : "s",
			       dry_run);
		else if (o.failed)
			printf("notify: %zu new alert%s, %zu message%s sent, %zu "
			       "pending, %zu refused by the server (marked "
			       "failed)\n", o.due, o.due == 1 ? "" : "s", o.sent,
			       o.sent == 1 ? "" : "s", o.pending, o.failed);
		else
			printf("notify: %zu new alert%s, %zu message%s sent, %zu "
			       "pending\n", o.due, o.due == 1 ? "" : "s", o.sent,
			       o.sent == 1 ? "" : "s", o.pending);
	}
	return rc;
}
