/* burnrate.c - the command-line interface: parses arguments, wires the
 * stages together and maps failures to the exit statuses of the contract.
 * It holds no business logic. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/core.h"
#include "ingest/ingest.h"
#include "reduce/reduce.h"
#include "report/report.h"

#define DEFAULT_STORE "./burnrate-data"

/* Options that come before the command. */
struct globals {
	const char *store;
	const char *config;
	bool quiet, verbose;
};

/* ------------------------------------------------------------- messages */

/* Prints "burnrate: KIND: MESSAGE" and a line of advice (may be NULL). */
static void print_message(const char *kind, const char *advice,
			  const char *fmt, va_list ap)
{
	fprintf(stderr, "burnrate: %s: ", kind);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	if (advice)
		fprintf(stderr, "%s\n", advice);
}

static void print_error(const char *fmt, ...) BR_PRINTF(1, 2);
static void print_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	print_message("error", NULL, fmt, ap);
	va_end(ap);
}

static void print_warning(const char *fmt, ...) BR_PRINTF(1, 2);
static void print_warning(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	print_message("warning", NULL, fmt, ap);
	va_end(ap);
}

/* Prints a usage error and returns the usage exit status. */
static int usage_error(const char *fmt, ...) BR_PRINTF(1, 2);
static int usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	print_message("error", "(see 'burnrate --help')", fmt, ap);
	va_end(ap);
	return BR_EXIT_USAGE;
}

/* Prints err and returns its exit status. */
static int fail_with(const struct br_err *err)
{
	print_error("%s", err->msg[0] ? err->msg : "unknown error");
	return err->status ? err->status : BR_EXIT_FAILURE;
}

/* ------------------------------------------------------ option parsing */

/* One command option: --name VALUE (or --name=VALUE) stores VALUE in
 * *value; a flag (value == NULL) sets *flag. */
struct option {
	const char *name;
	const char **value;
	bool *flag;
};

/* Parses argv[0..argc) against opts; positional arguments are collected
 * into pos (which holds argc entries). "--" ends the options; "-" is a
 * positional argument. Returns 0 or BR_EXIT_USAGE after printing why. */
static int parse_options(const char *command, int argc, char **argv,
			 const struct option *opts, char **pos, int *npos)
{
	*npos = 0;
	bool only_positional = false;
	for (int i = 0; i < argc; i++) {
		char *a = argv[i];
		if (only_positional || a[0] != '-' || strcmp(a, "-") == 0) {
			pos[(*npos)++] = a;
			continue;
		}
		if (strcmp(a, "--") == 0) {
			only_positional = true;
			continue;
		}
		const char *eq = strchr(a, '=');
		size_t namelen = eq ? (size_t)(eq - a) : strlen(a);
		const struct option *o = opts;
		for (; o->name; o++)
			if (strlen(o->name) == namelen &&
			    strncmp(o->name, a, namelen) == 0)
				break;
		if (!o->name)
			return usage_error("%s: unknown option '%.*s'", command,
					   (int)namelen, a);
		if (!o->value) {
			if (eq)
				return usage_error("%s: option '%s' takes no value",
						   command, o->name);
			*o->flag = true;
		} else if (eq) {
			*o->value = eq + 1;
		} else if (i + 1 < argc) {
			*o->value = argv[++i];
		} else {
			return usage_error("%s: option '%s' needs a value", command,
					   o->name);
		}
	}
	return 0;
}

/* Checks that a command which takes no arguments got none. */
static int no_arguments(const char *command, int argc, char **argv)
{
	if (argc == 0)
		return 0;
	if (argv[0][0] == '-' && strcmp(argv[0], "-") != 0)
		return usage_error("%s: unknown option '%s'", command, argv[0]);
	return usage_error("%s: unexpected argument '%s'", command, argv[0]);
}

/* ----------------------------------------------------------------- help */

static const char usage_text[] =
	"usage: burnrate [--store DIR] [--quiet|--verbose] COMMAND [ARGS]\n"
	"\n"
	"Turns LLM request logs into exact spend totals.\n"
	"\n"
	"commands:\n"
	"  init     [--timezone TZ]\n"
	"           create the store (days are calendar days in TZ, default UTC)\n"
	"  ingest   [--format F] [--source NAME] [--prices FILE]\n"
	"           [--cost-mode auto|calculate|display] [--jobs N]\n"
	"           [--rejects FILE] [--no-dedupe] [--replace FROM..TO] PATH...\n"
	"           read logs (files, directories, '-' for stdin; plain or .gz);\n"
	"           --replace: a backfill whose data replaces the source's days\n"
	"  report   [--since DATE] [--until DATE] [--month YYYY-MM] [--as-of DATE]\n"
	"           [--by KEYS] [--format table|csv|json] [--output FILE]\n"
	"           [--source NAME] [--no-color] [--skip-corrupt]\n"
	"           KEYS: comma list of day,week,month,provider,model,agent,label\n"
	"  verify   check every segment of the store; name the bad ones\n"
	"  compact  merge all segments into one per source\n"
	"\n"
	"global options:\n"
	"  --store DIR    the store (default $BURNRATE_STORE, else " DEFAULT_STORE ")\n"
	"  --quiet        print nothing but errors\n"
	"  --verbose      say more about what is done\n"
	"  --help, --version\n"
	"\n"
	"exit status: 0 ok, 1 failure, 2 usage error, 3 threshold crossed,\n"
	"75 temporary failure (store locked)\n";

/* ------------------------------------------------------------------ init */

static int cmd_init(const struct globals *g, int argc, char **argv)
{
	const char *tz = "UTC";
	char *pos[argc + 1];
	int npos;
	const struct option opts[] = {{"--timezone", &tz, NULL}, {NULL, NULL, NULL}};
	int rc = parse_options("init", argc, argv, opts, pos, &npos);
	if (rc)
		return rc;
	if (npos)
		return usage_error("init: unexpected argument '%s'", pos[0]);
	struct br_err err = {0};
	if (store_init(g->store, tz, &err) != 0)
		return fail_with(&err);
	if (!g->quiet)
		printf("initialized store %s (time zone %s)\n", g->store, tz);
	return BR_EXIT_OK;
}

/* ---------------------------------------------------------------- ingest */

/* The state of one ingest command: what the sink collects per input and
 * over the run. */
struct ingest_run {
	const struct globals *g;
	struct store *store;
	const struct br_tz *tz;
	struct agg *input_rows; /* rows of the input being read */
	struct agg *run_rows;   /* rows of every input kept so far */
	struct store_input *inputs;
	size_t ninputs, cap;
	uint64_t skipped;       /* inputs already ingested */
	bool backfill;          /* --replace: re-read inputs ingested before */
	uint64_t failed;
	struct br_err store_err; /* a store failure seen inside the sink */
};

static void sink_begin(void *ctx, const char *name)
{
	(void)name;
	struct ingest_run *r = ctx;
	agg_clear(r->input_rows);
}

static void sink_event(void *ctx, const struct br_event *ev)
{
	struct ingest_run *r = ctx;
	agg_add(r->input_rows, br_tz_day(r->tz, ev->ts_us), ev);
}

/* Tells whether fp was already kept during this run. */
static bool run_has_input(const struct ingest_run *r, struct br_fp fp)
{
	for (size_t i = 0; i < r->ninputs; i++)
		if (br_fp_equal(r->inputs[i].fp, fp))
			return true;
	return false;
}

/* Keeps a fully read input unless its content was ingested before. */
static void sink_end(void *ctx, const struct ingest_input *in, bool ok,
		     const char *message)
{
	struct ingest_run *r = ctx;
	if (!ok) {
		print_error("%s", message);
		r->failed++;
		return;
	}
	int known = r->backfill ? 0 : store_has_input(r->store, in->fp, &r->store_err);
	if (known < 0)
		return;
	if (known || run_has_input(r, in->fp)) {
		r->skipped++;
		if (r->g->verbose)
			fprintf(stderr, "burnrate: %s: already ingested, skipped\n",
				in->name);
		return;
	}
	agg_merge(r->run_rows, r->input_rows);
	if (r->ninputs == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 16;
		r->inputs = br_realloc(r->inputs, r->cap * sizeof *r->inputs);
	}
	r->inputs[r->ninputs++] = (struct store_input){
		br_strdup(in->key ? in->key : in->name), in->fp, in->bytes,
		in->records};
}

/* Tells ingest what a plain file's earlier run took of it, so that a log
 * that grew is read from where it ended. A backfill re-reads everything. */
static bool sink_known(void *ctx, const char *key, struct ingest_known *known)
{
	struct ingest_run *r = ctx;
	struct store_input in;
	if (r->backfill ||
	    store_last_input(r->store, key, &in, &r->store_err) != 1)
		return false;
	*known = (struct ingest_known){in.bytes, in.fp};
	return true;
}

static void ingest_run_free(struct ingest_run *r)
{
	for (size_t i = 0; i < r->ninputs; i++)
		free((char *)r->inputs[i].name);
	free(r->inputs);
	agg_free(r->input_rows);
	agg_free(r->run_rows);
	store_free(r->store);
}

/* Parses --replace FROM..TO (two dates, FROM <= TO). */
static int parse_range(const char *s, int32_t *from, int32_t *to)
{
	const char *dots = strstr(s, "..");
	char a[16], b[16];
	if (!dots || dots - s != 10 || strlen(dots + 2) != 10)
		return -1;
	memcpy(a, s, 10);
	a[10] = 0;
	memcpy(b, dots + 2, 11);
	return br_day_parse(a, from) == 0 && br_day_parse(b, to) == 0 &&
	       *from <= *to ? 0 : -1;
}

/* Parses --jobs: a positive count of parallel inputs. */
static int parse_jobs(const char *s)
{
	char *end;
	errno = 0;
	long n = s ? strtol(s, &end, 10) : 0;
	if (!s)
		return 0;
	if (errno || *end || n < 1 || n > 1024)
		return -1;
	return (int)n;
}

static void print_ingest_summary(const struct ingest_run *r,
				 const struct ingest_stats *st,
				 const char *rejects_path)
{
	printf("ingested %zu input%s", r->ninputs, r->ninputs == 1 ? "" : "s");
	if (r->skipped)
		printf(" (%llu already ingested)", (unsigned long long)r->skipped);
	printf(": %llu records, %llu requests kept",
	       (unsigned long long)st->records, (unsigned long long)st->events);
	if (st->duplicates)
		printf(", %llu duplicates dropped",
		       (unsigned long long)st->duplicates);
	if (st->rejected) {
		printf(", %llu rejected", (unsigned long long)st->rejected);
		if (rejects_path)
			printf(" (see %s)", rejects_path);
	}
	if (st->resumed)
		printf(", %llu grown file%s read from where %s ended",
		       (unsigned long long)st->resumed, st->resumed == 1 ? "" : "s",
		       st->resumed == 1 ? "it" : "they");
	if (st->waiting)
		printf(", %llu partial last line%s left for the next run",
		       (unsigned long long)st->waiting, st->waiting == 1 ? "" : "s");
	if (r->failed)
		printf(", %llu unreadable input%s", (unsigned long long)r->failed,
		       r->failed == 1 ? "" : "s");
	printf("\n");
}

static int cmd_ingest(const struct globals *g, int argc, char **argv)
{
	const char *format = "auto", *source = "default", *prices = NULL,
		   *cost_mode = "auto", *jobs = NULL, *rejects_path = NULL,
		   *replace = NULL;
	bool no_dedupe = false;
	char *pos[argc + 1];
	int npos;
	const struct option opts[] = {
		{"--format", &format, NULL},     {"--source", &source, NULL},
		{"--prices", &prices, NULL},     {"--cost-mode", &cost_mode, NULL},
		{"--jobs", &jobs, NULL},         {"--rejects", &rejects_path, NULL},
		{"--replace", &replace, NULL},
		{"--no-dedupe", NULL, &no_dedupe}, {NULL, NULL, NULL}};
	int rc = parse_options("ingest", argc, argv, opts, pos, &npos);
	if (rc)
		return rc;
	if (npos == 0)
		return usage_error("ingest: no input given (a file, a directory or '-')");
	struct ingest_opts io = {.format = format, .no_dedupe = no_dedupe,
				 .only_from = BR_DAY_NONE, .only_to = BR_DAY_NONE};
	if (replace && parse_range(replace, &io.only_from, &io.only_to) != 0)
		return usage_error("ingest: invalid --replace '%s': expected "
				   "YYYY-MM-DD..YYYY-MM-DD", replace);
	if (br_cost_mode_parse(cost_mode, &io.cost_mode) != 0)
		return usage_error("ingest: invalid --cost-mode '%s': expected auto, "
				   "calculate or display", cost_mode);
	if (parse_jobs(jobs) < 0)
		return usage_error("ingest: invalid --jobs '%s': expected a count "
				   "from 1 to 1024", jobs);
	if (!*source)
		return usage_error("ingest: --source must not be empty");

	struct br_err err = {0};
	struct br_catalog *catalog = br_catalog_new();
	if (prices && br_catalog_load_csv(catalog, prices, &err) != 0) {
		err.status = BR_EXIT_USAGE;
		br_catalog_free(catalog);
		return fail_with(&err);
	}
	io.catalog = catalog;

	struct ingest_run run = {.g = g};
	FILE *rejects = NULL;
	struct ingest *ing = NULL;
	rc = BR_EXIT_FAILURE;
	run.store = store_open(g->store, true, &err);
	if (!run.store || store_lock(run.store, &err) != 0 ||
	    store_has_input(run.store, (struct br_fp){0, 0}, &err) < 0)
		goto fail;
	run.tz = store_tz(run.store);
	run.backfill = replace != NULL;
	io.tz = run.tz;
	run.input_rows = agg_new();
	run.run_rows = agg_new();
	if (rejects_path) {
		rejects = fopen(rejects_path, "w");
		if (!rejects) {
			br_fail(&err, "cannot open rejects file '%s': %s",
				rejects_path, strerror(errno));
			goto fail;
		}
		io.rejects = rejects;
	}
	struct ingest_sink sink = {&run, sink_begin, sink_event, sink_end,
				   sink_known};
	ing = ingest_new(&io, &sink, &err);
	if (!ing)
		goto fail;
	bool input_failed = false;
	for (int i = 0; i < npos && !br_failed(&run.store_err); i++) {
		struct br_err path_err = {0};
		uint64_t failed_before = run.failed;
		if (ingest_path(ing, pos[i], &path_err) != 0) {
			input_failed = true;
			/* sink_end printed the inputs that failed; a path that
			 * could not be opened at all is printed here. */
			if (run.failed == failed_before)
				print_error("%s", path_err.msg);
		}
	}
	if (br_failed(&run.store_err)) {
		err = run.store_err;
		goto fail;
	}
	if (rejects && (fflush(rejects) != 0 || ferror(rejects))) {
		br_fail(&err, "cannot write rejects file '%s': %s", rejects_path,
			strerror(errno));
		goto fail;
	}
	if (store_publish_replace(run.store, source, run.run_rows, run.inputs,
				  run.ninputs, io.only_from, io.only_to, &err) != 0)
		goto fail;
	const struct ingest_stats *st = ingest_stats(ing);
	if (!g->quiet)
		print_ingest_summary(&run, st, rejects_path);
	if (st->rejected && !rejects_path && !g->quiet)
		print_warning("%llu records rejected; use --rejects FILE to see them",
			      (unsigned long long)st->rejected);
	rc = input_failed ? BR_EXIT_FAILURE : BR_EXIT_OK;
	goto done;
fail:
	rc = fail_with(&err);
done:
	ingest_free(ing);
	if (rejects && fclose(rejects) != 0 && rc == BR_EXIT_OK) {
		print_error("cannot write rejects file '%s': %s", rejects_path,
			    strerror(errno));
		rc = BR_EXIT_FAILURE;
	}
	ingest_run_free(&run);
	br_catalog_free(catalog);
	return rc;
}

/* ---------------------------------------------------------------- report */

/* Writes a report to path atomically: a temporary file renamed over it. */
static int write_report_file(const struct report *r, enum report_format f,
			     const char *path, struct br_err *err)
{
	char tmp[4096];
	if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp-%ld", path,
			     (long)getpid()) >= sizeof tmp)
		return br_fail(err, "output path too long: '%s'", path);
	FILE *out = fopen(tmp, "w");
	if (!out)
		return br_fail(err, "cannot create '%s': %s", tmp, strerror(errno));
	int rc = report_write(r, f, false, out, err);
	if (fclose(out) != 0 && rc == 0)
		rc = br_fail(err, "cannot write '%s': %s", tmp, strerror(errno));
	if (rc == 0 && rename(tmp, path) != 0)
		rc = br_fail(err, "cannot rename '%s' to '%s': %s", tmp, path,
			     strerror(errno));
	if (rc != 0)
		unlink(tmp);
	return rc;
}

static int cmd_report(const struct globals *g, int argc, char **argv)
{
	const char *since = NULL, *until = NULL, *month = NULL, *as_of = NULL,
		   *by = "day", *format = "table", *output = NULL, *source = NULL;
	bool no_color = false, skip_corrupt = false;
	char *pos[argc + 1];
	int npos;
	const struct option opts[] = {
		{"--skip-corrupt", NULL, &skip_corrupt},
		{"--since", &since, NULL},   {"--until", &until, NULL},
		{"--month", &month, NULL},   {"--as-of", &as_of, NULL},
		{"--by", &by, NULL},         {"--format", &format, NULL},
		{"--output", &output, NULL}, {"--source", &source, NULL},
		{"--no-color", NULL, &no_color}, {NULL, NULL, NULL}};
	int rc = parse_options("report", argc, argv, opts, pos, &npos);
	if (rc)
		return rc;
	if (npos)
		return usage_error("report: unexpected argument '%s'", pos[0]);
	enum report_format f;
	if (report_format_parse(format, &f) != 0)
		return usage_error("report: invalid --format '%s': expected table, "
				   "csv or json", format);
	struct br_err err = {0};
	struct report_query q = {.source = source};
	if (report_parse_keys(by, &q, &err) != 0 ||
	    report_parse_period(&q, since, until, month, as_of, &err) != 0)
		return fail_with(&err);

	struct store *s = store_open(g->store, false, &err);
	if (s && skip_corrupt)
		store_skip_corrupt(s);
	struct report *r = s ? report_run(s, &q, &err) : NULL;
	if (!r) {
		store_free(s);
		return fail_with(&err);
	}
	if (output) {
		rc = write_report_file(r, f, output, &err);
	} else {
		bool color = f == REPORT_TABLE && !no_color && isatty(STDOUT_FILENO) &&
			     !getenv("NO_COLOR");
		rc = report_write(r, f, color, stdout, &err);
	}
	for (size_t i = 0; i < r->nskipped; i++)
		print_warning("skipped corrupt segment %s: %s", r->skipped[2 * i],
			      r->skipped[2 * i + 1]);
	report_free(r);
	store_free(s);
	return rc ? fail_with(&err) : BR_EXIT_OK;
}

/* --------------------------------------------------------------- compact */

static int cmd_compact(const struct globals *g, int argc, char **argv)
{
	int rc = no_arguments("compact", argc, argv);
	if (rc)
		return rc;
	struct br_err err = {0};
	struct store *s = store_open(g->store, false, &err);
	struct store_compact_stats st;
	if (!s || store_lock(s, &err) != 0 || store_compact(s, &st, &err) != 0) {
		store_free(s);
		return fail_with(&err);
	}
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
	int bad;
};

static void verify_one(void *ctx, const char *segment, const char *problem)
{
	struct verify_state *v = ctx;
	if (problem) {
		print_error("%s: %s", segment, problem);
		v->bad++;
	} else if (!v->quiet) {
		printf("ok %s\n", segment);
	}
}

static int cmd_verify(const struct globals *g, int argc, char **argv)
{
	int rc = no_arguments("verify", argc, argv);
	if (rc)
		return rc;
	struct br_err err = {0};
	struct store *s = store_open(g->store, false, &err);
	if (!s)
		return fail_with(&err);
	struct verify_state v = {.quiet = g->quiet};
	int bad = store_verify(s, verify_one, &v, &err);
	store_free(s);
	if (bad < 0)
		return fail_with(&err);
	if (bad > 0) {
		print_error("%d corrupt segment%s in %s", bad, bad == 1 ? "" : "s",
			    g->store);
		return BR_EXIT_FAILURE;
	}
	return BR_EXIT_OK;
}

/* ------------------------------------------------------------------ main */

static const struct command {
	const char *name;
	int (*run)(const struct globals *g, int argc, char **argv);
} commands[] = {
	{"init", cmd_init},
	{"ingest", cmd_ingest},
	{"report", cmd_report},
	{"verify", cmd_verify},
	{"compact", cmd_compact},
};

/* Flushes stdout and reports a failed write (a full disk, a closed pipe):
 * output that was not written is a failure, as in jq's main. */
static int finish(int rc)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		print_error("cannot write standard output: %s", strerror(errno));
		return rc ? rc : BR_EXIT_FAILURE;
	}
	return rc;
}

int main(int argc, char **argv)
{
	struct globals g = {0};
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(usage_text, stdout);
			return finish(BR_EXIT_OK);
		} else if (strcmp(a, "--version") == 0) {
			printf("burnrate %s\n", BR_VERSION);
			return finish(BR_EXIT_OK);
		} else if (strcmp(a, "--quiet") == 0) {
			g.quiet = true;
		} else if (strcmp(a, "--verbose") == 0) {
			g.verbose = true;
		} else if (strcmp(a, "--store") == 0 || strcmp(a, "--config") == 0) {
			if (i + 1 >= argc)
				return usage_error("option '%s' needs a value", a);
			*(a[2] == 's' ? &g.store : &g.config) = argv[++i];
		} else if (strncmp(a, "--store=", 8) == 0) {
			g.store = a + 8;
		} else if (strncmp(a, "--config=", 9) == 0) {
			g.config = a + 9;
		} else {
			return usage_error("unknown option '%s'", a);
		}
	}
	if (g.quiet && g.verbose)
		return usage_error("--quiet and --verbose exclude each other");
	if (g.config)
		return usage_error("--config: configuration files are not supported yet");
	if (!g.store)
		g.store = getenv("BURNRATE_STORE");
	if (!g.store || !*g.store)
		g.store = DEFAULT_STORE;
	if (i >= argc) {
		fputs(usage_text, stderr);
		return BR_EXIT_USAGE;
	}
	const char *name = argv[i];
	for (size_t c = 0; c < sizeof commands / sizeof commands[0]; c++) {
		if (strcmp(commands[c].name, name) != 0)
			continue;
		char **args = argv + i + 1;
		int nargs = argc - i - 1;
		for (int k = 0; k < nargs; k++)
			if (strcmp(args[k], "--help") == 0) {
				fputs(usage_text, stdout);
				return finish(BR_EXIT_OK);
			}
		return finish(commands[c].run(&g, nargs, args));
	}
	return usage_error("unknown command '%s'", name);
}
