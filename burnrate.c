/* burnrate.c - the command-line interface: parses arguments, wires the
 * stages together and maps failures to the exit statuses of the contract.
 * It holds no business logic. */
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
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
/* A command's option: a value (value), a flag (flag), or a repeatable
 * value (list: every occurrence is appended, *nlist counts them). */
struct option {
	const char *name;
	const char **value;
	bool *flag;
	const char **list;
	int *nlist;
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
		if (o->flag) {
			if (eq)
				return usage_error("%s: option '%s' takes no value",
						   command, o->name);
			*o->flag = true;
			continue;
		}
		const char *v;
		if (eq)
			v = eq + 1;
		else if (i + 1 < argc)
			v = argv[++i];
		else
			return usage_error("%s: option '%s' needs a value", command,
					   o->name);
		if (o->list)
			o->list[(*o->nlist)++] = v;
		else
			*o->value = v;
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
	"  ingest   [--format F] [--map CANON=PATH]... [--label PATH]\n"
	"           [--source NAME] [--prices FILE]\n"
	"           [--cost-mode auto|calculate|display] [--jobs N]\n"
	"           [--rejects FILE] [--no-dedupe] [--replace FROM..TO]\n"
	"           [--max-ratio N] PATH...\n"
	"           read logs: files, directories, '-' for stdin; plain, gzip,\n"
	"           zstd, xz, bzip2, lz4, or zip/tar archives (told by content);\n"
	"           F: auto (default), generic, openai, anthropic, gemini,\n"
	"           bedrock, claude-code, openai-usage, litellm, helicone, langfuse\n"
	"           --replace: a backfill whose data replaces the source's days\n"
	"  report   [--since DATE] [--until DATE] [--month YYYY-MM] [--as-of DATE]\n"
	"           [--by KEYS] [--format table|csv|json|xlsx|html] [--output FILE]\n"
	"           [--source NAME] [--reprice] [--prices FILE] [--no-color]\n"
	"           [--skip-corrupt] [--compare-costs] [--budgets FILE]\n"
	"           KEYS: comma list of day,week,month,provider,model,agent,label\n"
	"           --reprice: price the stored tokens again with today's catalog\n"
	"           --compare-costs: the catalog's and the logs' cost side by side\n"
	"  prices   [--prices FILE] list [PATTERN] | show MODEL [--provider P]\n"
	"           [--on DATE] | check\n"
	"           the built-in price catalog (with FILE over it): list models,\n"
	"           explain the price of one, or check for problems\n"
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

/* Counts per string. */
struct tally {
	struct br_dict *names;
	uint64_t *count;
	size_t cap;
};

static void tally_add(struct tally *t, const char *s, size_t n, uint64_t k)
{
	if (!t->names)
		t->names = br_dict_new();
	uint32_t id = br_dict_intern(t->names, s, n);
	if (id >= t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		t->count = br_realloc(t->count, cap * sizeof *t->count);
		memset(t->count + t->cap, 0, (cap - t->cap) * sizeof *t->count);
		t->cap = cap;
	}
	t->count[id] += k;
}

static void tally_clear(struct tally *t)
{
	br_dict_free(t->names);
	t->names = NULL;
	if (t->cap)
		memset(t->count, 0, t->cap * sizeof *t->count);
}

/* Adds every count of src to dst and empties src. */
static void tally_move(struct tally *dst, struct tally *src)
{
	uint32_t n = src->names ? br_dict_count(src->names) : 0;
	for (uint32_t i = 0; i < n; i++) {
		size_t len;
		const char *s = br_dict_str(src->names, i, &len);
		tally_add(dst, s, len, src->count[i]);
	}
	tally_clear(src);
}

static void tally_free(struct tally *t)
{
	br_dict_free(t->names);
	free(t->count);
}

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
	struct tally input_unpriced, run_unpriced; /* "provider/model" */
	/* The progress line (a terminal only): when it started, the on-disk
	 * size of the named inputs (0: unknown, some are directories or
	 * standard input), and of those done. */
	bool progress;
	double started, last_shown;
	uint64_t disk_total, disk_done, inputs_done;
};

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Rewrites the progress line on stderr: inputs, records, MB/s, ETA. */
static void show_progress(struct ingest_run *r, const struct ingest_stats *st,
			  bool final)
{
	double t = now_seconds();
	if (!r->progress || (!final && t - r->last_shown < 0.2))
		return;
	r->last_shown = t;
	double el = t - r->started > 1e-6 ? t - r->started : 1e-6;
	char eta[32] = "";
	if (r->disk_total && r->disk_done && !final) {
		double left = el * (double)(r->disk_total - r->disk_done) /
			      (double)r->disk_done;
		snprintf(eta, sizeof eta, ", ETA %.0fs", left);
	}
	fprintf(stderr, "\r\033[Kburnrate: %llu input%s, %llu records, %.0f MB, "
		"%.0f MB/s%s%s", (unsigned long long)r->inputs_done,
		r->inputs_done == 1 ? "" : "s", (unsigned long long)st->records,
		st->bytes / 1e6, st->bytes / 1e6 / el, eta, final ? "\n" : "");
}

static void sink_progress(void *ctx, const struct ingest_stats *st)
{
	show_progress(ctx, st, false);
}

static void sink_begin(void *ctx, const char *name)
{
	(void)name;
	struct ingest_run *r = ctx;
	agg_clear(r->input_rows);
	tally_clear(&r->input_unpriced);
}

static void sink_event(void *ctx, const struct br_event *ev)
{
	struct ingest_run *r = ctx;
	agg_add(r->input_rows, br_tz_day(r->tz, ev->ts_us), ev);
	if (!ev->priced) {
		char name[512];
		int n = snprintf(name, sizeof name, "%.*s/%.*s", (int)ev->provider.n,
				 ev->provider.p, (int)ev->model.n, ev->model.p);
		tally_add(&r->input_unpriced, name,
			  n < (int)sizeof name ? (size_t)n : sizeof name - 1, 1);
	}
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
	r->inputs_done++;
	struct stat sb;
	if (r->disk_total && in->key && stat(in->key, &sb) == 0)
		r->disk_done += (uint64_t)sb.st_size;
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
	if (r->g->verbose)
		fprintf(stderr, "burnrate: %s: %s format, %llu records\n", in->name,
			in->format ? in->format : "no", (unsigned long long)in->records);
	agg_merge(r->run_rows, r->input_rows);
	tally_move(&r->run_unpriced, &r->input_unpriced);
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
	tally_free(&r->input_unpriced);
	tally_free(&r->run_unpriced);
	store_free(r->store);
}

/* Warns about the requests of the run that have no price, by model. */
static void warn_unpriced(const struct tally *t)
{
	uint32_t n = t->names ? br_dict_count(t->names) : 0;
	if (n == 0)
		return;
	uint64_t total = 0;
	struct br_buf list = {0};
	for (uint32_t i = 0; i < n; i++) {
		total += t->count[i];
		if (i < 5)
			br_buf_printf(&list, "%s%s (%llu)", i ? ", " : "",
				      br_dict_str(t->names, i, NULL),
				      (unsigned long long)t->count[i]);
	}
	if (n > 5)
		br_buf_printf(&list, " and %u more models", n - 5);
	print_warning("%llu request%s without a price, counted as unpriced: %s; "
		      "see 'burnrate prices show MODEL', add prices with --prices FILE",
		      (unsigned long long)total, total == 1 ? "" : "s", list.p);
	br_buf_free(&list);
}

/* The built-in catalog with the prices file, if any, over it. A bad prices
 * file is a usage error. */
static struct br_catalog *load_catalog(const char *prices, struct br_err *err)
{
	struct br_catalog *c = br_catalog_builtin(err);
	if (c && prices && br_catalog_load_csv(c, prices, err) != 0) {
		err->status = BR_EXIT_USAGE;
		br_catalog_free(c);
		return NULL;
	}
	return c;
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
		   *replace = NULL, *label = NULL, *max_ratio = NULL;
	bool no_dedupe = false;
	char *pos[argc + 1];
	const char *map_args[argc + 1];
	int npos, nmaps = 0;
	const struct option opts[] = {
		{"--map", NULL, NULL, map_args, &nmaps},
		{"--label", &label, NULL},
		{"--max-ratio", &max_ratio, NULL},
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
	/* --map CANON=PATH; --label PATH is --map label=PATH, applied last. */
	struct ingest_map maps[argc + 1];
	char fields[argc + 1][32];
	for (int i = 0; i < nmaps; i++) {
		const char *eq = strchr(map_args[i], '=');
		if (!eq || eq == map_args[i] || (size_t)(eq - map_args[i]) >= sizeof fields[0])
			return usage_error("ingest: invalid --map '%s': expected "
					   "CANON=PATH", map_args[i]);
		snprintf(fields[i], sizeof fields[0], "%.*s", (int)(eq - map_args[i]),
			 map_args[i]);
		maps[i] = (struct ingest_map){fields[i], eq + 1};
	}
	if (label)
		maps[nmaps++] = (struct ingest_map){"label", label};
	struct ingest_opts io = {.format = format, .no_dedupe = no_dedupe,
				 .maps = maps, .nmaps = (size_t)nmaps,
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
	if (max_ratio) {
		char *end;
		errno = 0;
		unsigned long long v = strtoull(max_ratio, &end, 10);
		if (errno || *end || v < 2 || v > 1000000 || max_ratio[0] == '-')
			return usage_error("ingest: invalid --max-ratio '%s': expected "
					   "a factor from 2 to 1000000", max_ratio);
		io.max_ratio = v;
	}

	struct br_err err = {0};
	struct br_catalog *catalog = load_catalog(prices, &err);
	if (!catalog)
		return fail_with(&err);
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
				   sink_known, sink_progress};
	run.progress = !g->quiet && isatty(STDERR_FILENO);
	run.started = now_seconds();
	for (int i = 0; run.progress && i < npos; i++) {
		struct stat sb;
		if (stat(pos[i], &sb) != 0 || !S_ISREG(sb.st_mode)) {
			run.disk_total = 0;
			break;
		}
		run.disk_total += (uint64_t)sb.st_size;
	}
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
	if (run.progress && run.inputs_done)
		show_progress(&run, st, true);
	if (!g->quiet)
		print_ingest_summary(&run, st, rejects_path);
	if (st->rejected && !rejects_path && !g->quiet)
		print_warning("%llu records rejected; use --rejects FILE to see them",
			      (unsigned long long)st->rejected);
	if (!g->quiet)
		warn_unpriced(&run.run_unpriced);
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
	int rc;
	if (f == REPORT_XLSX) {
		rc = report_write_xlsx(r, tmp, err);
	} else {
		FILE *out = fopen(tmp, "w");
		if (!out)
			return br_fail(err, "cannot create '%s': %s", tmp, strerror(errno));
		rc = report_write(r, f, false, out, err);
		if (fclose(out) != 0 && rc == 0)
			rc = br_fail(err, "cannot write '%s': %s", tmp, strerror(errno));
	}
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
		   *by = "day", *format = "table", *output = NULL, *source = NULL,
		   *prices = NULL, *budgets_path = NULL;
	bool no_color = false, skip_corrupt = false, reprice = false,
	     compare_costs = false;
	char *pos[argc + 1];
	int npos;
	const struct option opts[] = {
		{"--skip-corrupt", NULL, &skip_corrupt},
		{"--since", &since, NULL},   {"--until", &until, NULL},
		{"--month", &month, NULL},   {"--as-of", &as_of, NULL},
		{"--by", &by, NULL},         {"--format", &format, NULL},
		{"--output", &output, NULL}, {"--source", &source, NULL},
		{"--prices", &prices, NULL}, {"--reprice", NULL, &reprice},
		{"--compare-costs", NULL, &compare_costs},
		{"--budgets", &budgets_path, NULL},
		{"--no-color", NULL, &no_color}, {NULL, NULL, NULL}};
	int rc = parse_options("report", argc, argv, opts, pos, &npos);
	if (rc)
		return rc;
	if (npos)
		return usage_error("report: unexpected argument '%s'", pos[0]);
	enum report_format f;
	if (report_format_parse(format, &f) != 0)
		return usage_error("report: invalid --format '%s': expected table, "
				   "csv, json, xlsx or html", format);
	if (f == REPORT_XLSX && !output)
		return usage_error("report: --format xlsx needs --output FILE");
	struct br_err err = {0};
	struct report_query q = {.source = source, .compare_costs = compare_costs,
				 .breakdowns = f == REPORT_XLSX || f == REPORT_HTML};
	if (prices && !reprice)
		return usage_error("report: --prices needs --reprice (stored costs "
				   "were priced at ingest)");
	if (report_parse_keys(by, &q, &err) != 0 ||
	    report_parse_period(&q, since, until, month, as_of, &err) != 0)
		return fail_with(&err);
	struct budget *budgets = NULL;
	size_t nbudgets = 0;
	if (budgets_path && budgets_load(budgets_path, &budgets, &nbudgets, &err) != 0) {
		err.status = BR_EXIT_USAGE;
		return fail_with(&err);
	}
	q.budgets = budgets;
	q.nbudgets = nbudgets;
	struct br_catalog *catalog = NULL;
	if (reprice && !(catalog = load_catalog(prices, &err))) {
		budgets_free(budgets, nbudgets);
		return fail_with(&err);
	}
	q.reprice = catalog;

	struct store *s = store_open(g->store, false, &err);
	if (s && skip_corrupt)
		store_skip_corrupt(s);
	struct report *r = s ? report_run(s, &q, &err) : NULL;
	if (!r) {
		store_free(s);
		br_catalog_free(catalog);
		budgets_free(budgets, nbudgets);
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
	br_catalog_free(catalog);
	budgets_free(budgets, nbudgets);
	return rc ? fail_with(&err) : BR_EXIT_OK;
}

/* ---------------------------------------------------------------- prices */

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
 * to. */
static void show_rate(const char *what, int64_t rate, int64_t fallback,
		      const char *fallback_name)
{
	char buf[BR_MONEY_BUFSZ];
	if (rate != BR_RATE_UNSET)
		printf("      %-16s $%s\n", what, rate_text(rate, buf));
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
		printf("  %s tier on %s: the version in force since %s\n",
		       br_tier_name((enum br_tier)t), day_text(day, d),
		       day_text(base->from_day, d));
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

static int prices_show(const struct br_catalog *c, const char *model,
		       const char *provider, int32_t day)
{
	struct br_str name = {model, strlen(model)};
	struct br_match mt;
	br_catalog_resolve(c, (struct br_str){provider ? provider : "",
					      provider ? strlen(provider) : 0},
			   name, &mt);
	const char *slash = strchr(model, '/');
	if (!mt.model && !provider && slash)
		br_catalog_resolve(c, (struct br_str){model, (size_t)(slash - model)},
				   (struct br_str){slash + 1, strlen(slash + 1)}, &mt);
	if (mt.model) {
		show_model(c, &mt, day);
		return BR_EXIT_OK;
	}
	/* Without a provider, every model and alias of that name. */
	size_t found = 0;
	for (size_t i = 0; !provider && i < br_catalog_models(c); i++) {
		const struct br_model *m = br_catalog_model(c, i);
		if (strcmp(m->name, model) != 0)
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

static int cmd_prices(const struct globals *g, int argc, char **argv)
{
	const char *prices = NULL, *on = NULL, *provider = NULL;
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
	if (on && (strcmp(sub, "show") != 0 || br_day_parse(on, &day) != 0))
		return usage_error("prices: invalid --on '%s': expected YYYY-MM-DD "
				   "after 'show MODEL'", on);
	if (provider && strcmp(sub, "show") != 0)
		return usage_error("prices: --provider goes with 'show MODEL'");
	int want = strcmp(sub, "list") == 0 ? -2 : strcmp(sub, "show") == 0 ? 2
		   : strcmp(sub, "check") == 0 ? 1 : 0;
	if (!want)
		return usage_error("prices: unknown subcommand '%s': expected list, "
				   "show or check", sub);
	if ((want == -2 && npos > 2) || (want > 0 && npos != want))
		return usage_error("prices %s: %s", sub,
				   want == 2 ? "expected one MODEL"
					     : "unexpected argument");
	struct br_err err = {0};
	struct br_catalog *c = load_catalog(prices, &err);
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
	{"prices", cmd_prices},
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
