/* cli.h - what the commands of the command line share (cli/ and
 * burnrate.c). Only this layer prints: messages go to stderr in the
 * contract's form "burnrate: error: WHAT: WHY", results to stdout. */
#ifndef BURNRATE_CLI_H
#define BURNRATE_CLI_H

#include <stdarg.h>
#include <stdio.h>

#include "core/core.h"
#include "ingest/ingest.h"
#include "reduce/reduce.h"
#include "report/report.h"
#include "notify/notify.h"

#define DEFAULT_STORE "./burnrate-data"

/* The most addresses one message goes to (a budget's recipients,
 * report_to, alert_to). */
#define MAX_RECIPIENTS 64

struct config;

/* Options that come before the command, and the configuration file. */
struct globals {
	const char *store;
	const char *config;        /* --config */
	const struct config *conf; /* the file read, or NULL */
	bool quiet, verbose;
	/* Set (when not NULL) by a command whose standard output is, this
	 * time, what it makes, though otherwise only a summary of its work
	 * (summary_only, burnrate.c): ingest --replace --dry-run's preview,
 * check --baseline's verdict.
	 * Output that cannot be written there then fails the command. */
	bool *stdout_product;
};

/* --------------------------------------------------------------- messages */

/* "burnrate: error: MESSAGE", "burnrate: warning: MESSAGE" and (for
 * --verbose) "burnrate: MESSAGE" on stderr, each on a line of its own:
 * a progress line shown there (progress_shown) is erased first. */
void print_error(const char *fmt, ...) BR_PRINTF(1, 2);
void print_warning(const char *fmt, ...) BR_PRINTF(1, 2);
/* Warns of each merge into store s (of directory dir) that did not end and
 * whose segments a merge or compaction of s removed (store_abandoned):
 * none of it is in s, and nothing else will tell. */
void warn_abandoned(const struct store *s, const char *dir);
void print_note(const char *fmt, ...) BR_PRINTF(1, 2);
/* Says whether a progress line, drawn on stderr without its newline, is
 * there now, so that the next message erases it rather than run on
 * after it on its line. */
void progress_shown(bool shown);
/* Warns, naming the first days and models, when r counts OpenAI Costs API
 * lines beside OpenAI requests of the same model and day (r->billed_twice);
 * prints nothing otherwise. */
void warn_billed_twice(const struct report *r);
/* Warns, on stderr, that token sums are saturated (red_count_saturated):
 * a count shown as 2^64 - 1 is a lower bound; more (NULL: nothing) ends
 * the sentence with what the command makes of them. */
void warn_counts_saturated(const char *more);
/* warn_counts_saturated when a token total of report r is saturated
 * (report_tokens_saturated). */
void warn_saturated(const struct report *r);

/* Prints a usage error with a pointer to --help; returns BR_EXIT_USAGE. */
int usage_error(const char *fmt, ...) BR_PRINTF(1, 2);

/* Prints err and returns its exit status (BR_EXIT_FAILURE if it has
 * none). */
int fail_with(const struct br_err *err);

/* The day an --as-of names: a date, or today or yesterday in the store's
 * time zone (the nightly job judges the day that just ended). */
struct as_of {
	int32_t day; /* BR_DAY_NONE: relative to the store's today */
	int back;    /* days before the store's today, when relative */
};

/* Parses text, an --as-of value of command cmd (NULL: today): YYYY-MM-DD,
 * "today" or "yesterday". Returns 0, or a usage error's exit status. */
int as_of_parse(const char *cmd, const char *text, struct as_of *a);

/* The day a names, today being a day of time zone tz. */
int32_t as_of_day(const struct as_of *a, const struct br_tz *tz);

/* --------------------------------------------------------- option parsing */

/* A command's option: a value (value), a flag (flag), or a repeatable
 * value (list: every occurrence is appended, *nlist counts them). */
struct option {
	const char *name;
	const char **value;
	bool *flag;
	const char **list;
	int *nlist;
};

/* Parses argv[0..argc) against opts (ended by a NULL name); --name VALUE
 * and --name=VALUE both work; a value option (not a list) given twice is
 * a usage error. Positional arguments are collected into pos
 * (which holds argc entries). "--" ends the options; "-" is a positional
 * argument. With pos NULL (the global options, before the command), the
 * parsing stops at the first positional argument, whose index is put in
 * *npos (argc when there is none). The errors begin with "COMMAND: ",
 * unless command is NULL. Returns 0, or BR_EXIT_USAGE after printing
 * why. */
int parse_options(const char *command, int argc, char **argv,
		  const struct option *opts, char **pos, int *npos);

/* The global options, given before the command (burnrate.c parses them
 * with parse_options): every spelling, --store's and --config's values
 * put in g, --quiet and --verbose set in g, --help and -h in *help,
 * --version in *version. Fills opts, ended by a NULL name. A command's
 * parse_options names where one given after the command goes. */
#define NGLOBAL_OPTIONS 7
void global_options(struct option opts[NGLOBAL_OPTIONS + 1],
		    struct globals *g, bool *help, bool *version);

/* Checks that a command which takes no arguments got none; returns 0 or
 * BR_EXIT_USAGE after printing why. */
int no_arguments(const char *command, int argc, char **argv);

/* Parses a record limit (ingest --max-record, max_record in the config):
 * bytes, or a count of K, M or G (KiB, MiB, GiB), from 1K to 1G. Returns
 * 0, or -1 when s is not one. */
int parse_max_record(const char *s, size_t *out);

/* Parses a decompression cap (ingest --max-ratio, max_ratio in the
 * config): a factor from 2 to 1000000. Returns 0, or -1 when s is not
 * one. */
int parse_max_ratio(const char *s, uint64_t *out);

/* ------------------------------------------------------------ shared work */

/* The built-in catalog with the prices file (may be NULL) over it. A bad
 * prices file is an error with status BR_EXIT_USAGE; one that cannot be
 * opened names configuration c's file, line and key when it is c's prices
 * (c may be NULL), else the option --prices (config_path_check). */
struct br_catalog *load_catalog(const struct config *c, const char *prices,
				struct br_err *err);

/* Writes report r in format f to out (report_write), naming what out is
 * (name: "'PATH'", "standard output") in the error of a failed write:
 * the writers of the text formats have only the stream ("cannot write
 * report: No space left on device" left it to guess, in a run writing
 * several). */
int write_report_to(const struct report *r, enum report_format f, bool color,
		    FILE *out, const char *name, struct br_err *err);

/* Has path (a file, or a directory and all it holds) removed should
 * SIGHUP, SIGINT or SIGTERM end the process, which then dies of the
 * signal (one the process ignores stays ignored); NULL: no more, the
 * signals' dispositions as they were. One path at a time. */
void remove_on_signal(const char *path);

/* Writes r in format f to path as br_output_open says: a regular file
 * atomically (a temporary file beside it, renamed over it: readers see
 * the old file or the new one), through a link the file it names, and a
 * device, a FIFO or a descriptor of the process (/dev/stdout) in place,
 * the XLSX format too (written to a private temporary file first). */
int write_report_file(const struct report *r, enum report_format f,
		      const char *path, struct br_err *err);

/* One ingest of inputs into the store (the ingest command, run, check). */
struct ingest_job {
	struct ingest_opts io;    /* io.catalog set; io.tz is filled in */
	const char *source;       /* the store source the segment belongs to */
	const char *rejects_path; /* NULL: rejected records are only counted */
	/* How the user names a rejects file, told by the warning that counts
	 * rejected records without one; NULL: "--rejects FILE". */
	const char *rejects_hint;
	/* The configuration's rejects file (run's, ingest's default) is
	 * added to, not emptied: a rerun of the night, or an ingest by hand,
	 * erased the night's rejects, whose inputs no later run reads. */
	bool rejects_append;
	bool backfill;            /* --replace: re-read inputs, replace days */
	bool dry_run;             /* with backfill: print what would change
				   * (backfill_preview), publish nothing */
	bool silent;              /* no summary line or warnings (errors are
				   * still printed) */
	bool warn;                /* silent but for the warnings: records
				   * rejected, models unpriced (run) */
	/* A file that gives no input although nothing failed (an archive
	 * without a log member) is an error that fails the job, printed
	 * whatever silent and --quiet say (check). */
	bool strict;
	/* Files a directory walk leaves out, besides the rejects file (check:
	 * the baseline, the prices file and the configuration, often kept
	 * with the logs; run: the reports it wrote, when reports_dir is in a
	 * directory of logs); NULL entries are none. */
	const char *const *skip_paths;
	size_t nskip_paths;
	struct store *store;      /* an open store whose lock the caller
				   * holds; NULL: open and lock g->store */
};

/* What an ingest job did. */
struct ingest_outcome {
	size_t kept;                /* inputs whose rows were published */
	uint64_t skipped, failed;   /* already ingested (or left out of a
				     * backfill: held by another source);
				     * unreadable */
	uint64_t records, events, rejected;
};

/* Ingests paths (files, directories, "-") as one segment of the store.
 * Inputs that fail are reported and left out whole; the others are
 * published. Returns 0, BR_EXIT_FAILURE when an input failed (the rest is
 * published), or the status of an error that stopped the job (printed).
 * out (may be NULL) receives the counts. */
int ingest_job_run(const struct globals *g, const struct ingest_job *job,
		   char **paths, int npaths, struct ingest_outcome *out);

/* ------------------------------------------------------ the config file */

/* What separates report_formats' formats: commas, blanks, tabs (config_load
 * refuses an empty comma entry). */
#define REPORT_FORMATS_SEP ", \t"

/* burnrate.conf (DESIGN §7). Every value is an owned string or NULL when
 * not set; paths are made absolute against the file's directory. */
struct config {
	char *path;
	char *store, *timezone, *format, *source, *label, *prices, *budgets,
		*reports_dir, *report_formats, *report_schedule, *report_to,
		*alert_to, *smtp_config, *smtp_account, *cost_mode, *max_record,
		*max_ratio, *rejects;
	char **inputs;  /* "input" lines: globs, in order */
	size_t ninputs;
	unsigned long lines[19]; /* the line of each key given, in config.c's
				  * order of keys */
};

/* Reads the file at path (a UTF-8 BOM before its first line skipped,
 * CRs before newlines dropped). Unknown keys, a key given twice (but
 * input), an empty value or a value outside its spellings or form
 * (report_schedule, report_formats, cost_mode, timezone, max_record,
 * max_ratio,
 * format, label: a path ingest_map_path_check takes, report_to and
 * alert_to: addresses mail_address_list takes, at least one) are errors
 * naming the file, line and key, status BR_EXIT_USAGE. */
int config_load(const char *path, struct config *c, struct br_err *err);
void config_free(struct config *c);

/* The line of c's file that gives key (0: none). */
unsigned long config_key_line(const struct config *c, const char *key);

/* Fails when path (may be NULL: none), the value of key in configuration
 * c (may be NULL) or else of the command's option (NULL: path is c's
 * value), cannot be opened for
 * reading: the error names c's file, line and key, or the option, and the
 * path; its status is BR_EXIT_USAGE (BR_EXIT_FAILURE for a transient
 * errno, br_errno_transient). Returns 0 when path can be opened. */
int config_path_check(const struct config *c, const char *key,
		      const char *option, const char *path,
		      struct br_err *err);

/* Puts into io the configuration's values that change what a log counts:
 * cost_mode, label (as a map to *label, which must outlive io),
 * max_record and max_ratio, each checked when c was read. run and check
 * take them so, counting the logs as an ingest with c does. */
void config_counting(const struct config *c, struct ingest_opts *io,
		     struct ingest_map *label);

/* The configuration's prices file (NULL: none): the default of --prices
 * for every command that takes prices (ingest, report --reprice, check,
 * prices), as run uses it. */
const char *config_prices(const struct globals *g);

/* The time zone of a store created now (by init without --timezone, an
 * ingest or run): the configuration's, else UTC. */
const char *config_timezone(const struct globals *g);

/* Opens the store g names for an ingest or run, creating it in
 * config_timezone when missing. A store in another zone than the one the
 * configuration states for it is refused (status BR_EXIT_USAGE): its days
 * would not be the configuration's. The configuration states none for a
 * store other than its own (--store); then, or without a timezone, any
 * store will do. */
struct store *config_store_open(const struct globals *g, struct br_err *err);

/* Opens the existing store g names for report or notify, refusing one
 * whose zone is not the one the configuration states for it, as
 * config_store_open does. */
struct store *config_store_read(const struct globals *g, struct br_err *err);

/* The configuration file to read: given (--config) if not NULL, else
 * ./burnrate.conf, else /etc/burnrate.conf if they exist, else NULL. */
const char *config_find(const char *given);

/* ----------------------------------------------------------------- mail */

/* One evaluation of budget alerts (notify, run). */
struct notify_job {
	struct store *store;     /* open; the caller holds its lock */
	const char *budgets;     /* the budgets CSV */
	int32_t as_of;
	const char *smtp_config; /* NULL: ~/.msmtprc */
	const char *account;     /* NULL: the default account */
	const char *alert_to;    /* recipients of budgets without their own */
	const char *dry_run_dir; /* non-NULL: write .eml files there instead,
				  * leave the ledger alone */
	const struct smtp_account *acct; /* non-NULL: the account, loaded by
					  * the caller (mailer_account);
					  * smtp_config and account unused */
	bool deliver_later;      /* record the alerts as pending and send
				  * nothing: the caller sends them with its
				  * own messages (run: the finance report),
				  * in one SMTP session */
};

struct notify_outcome {
	size_t due;     /* new alerts (with a dry run: messages written) */
	size_t sent;    /* messages delivered, new or retried */
	size_t pending; /* left pending for the next run */
	size_t failed;  /* refused by the server in this run (marked failed) */
};

/* Retries what the ledger holds pending, records the alerts now due as
 * pending and sends them (with deliver_later, only records them: out->sent
 * is 0 and out->pending counts what waits). Returns 0; BR_EXIT_TEMPFAIL
 * when messages stay
 * pending (server unreachable, 4xx); BR_EXIT_FAILURE when the server
 * refused some (5xx; marked failed); BR_EXIT_USAGE for configuration
 * errors, among them a budget without recipients (found before anything
 * is computed or recorded: budgets_check_recipients). Problems are
 * printed. */
int notify_job_run(const struct globals *g, const struct notify_job *job,
		   struct notify_outcome *out);

/* Checks that every budget of v[0..n), read from budgets_path, can be
 * mailed: its own recipients, else alert_to (may be NULL), are valid
 * addresses and at least one. Fails naming the budgets file, the line and
 * the budget (status BR_EXIT_USAGE). notify and run call it before they
 * compute or record anything, whether or not a budget's alerts are due. */
int budgets_check_recipients(const struct budget *v, size_t n,
			     const char *alert_to, const char *budgets_path,
			     struct br_err *err);

/* Loads the account job names (smtp_config, else ~/.msmtprc), which must
 * have a from address, a plain one (mail_address_valid); warns when it
 * does not check certificates. */
int mailer_account(const struct notify_job *job, struct smtp_account *a,
		   struct br_err *err);

/* Sends every pending entry of l in one SMTP session and records what
 * became of each (see notify_job_run for the statuses). *sent counts
 * the messages delivered. */
int mailer_deliver(const struct globals *g, struct ledger *l,
		   const struct smtp_account *a, size_t *sent);

/* Prints, per day, provider and model of [from, to], what a backfill of
 * source with rows would change in s: requests and cost before and after
 * (only the groups that change), and the totals of the range. */
int backfill_preview(struct store *s, const char *source, int32_t from,
		     int32_t to, const struct agg *rows, FILE *out,
		     struct br_err *err);

/* -------------------------------------------------------------- commands */

int cmd_init(const struct globals *g, int argc, char **argv);
int cmd_ingest(const struct globals *g, int argc, char **argv);
int cmd_report(const struct globals *g, int argc, char **argv);
int cmd_prices(const struct globals *g, int argc, char **argv);
int cmd_compact(const struct globals *g, int argc, char **argv);
int cmd_verify(const struct globals *g, int argc, char **argv);
int cmd_merge(const struct globals *g, int argc, char **argv);
int cmd_check(const struct globals *g, int argc, char **argv);
int cmd_notify(const struct globals *g, int argc, char **argv);
int cmd_run(const struct globals *g, int argc, char **argv);

#endif
