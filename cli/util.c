/* util.c - what every command shares: messages in the contract's form,
 * option parsing, the catalog with a prices file over it, atomic report
 * files. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"

/* ------------------------------------------------------------- messages */

/* A progress line is on stderr without its newline (progress_shown). */
static bool progress_on_screen;

void progress_shown(bool shown)
{
	progress_on_screen = shown;
}

/* Prints "burnrate: KIND: MESSAGE" ("burnrate: MESSAGE" when kind is
 * NULL) and a line of advice (may be NULL). */
BR_PRINTF(3, 0)
static void print_message(const char *kind, const char *advice,
			  const char *fmt, va_list ap)
{
	if (progress_on_screen)
		fputs("\r\033[K", stderr);
	progress_on_screen = false;
	fputs("burnrate: ", stderr);
	if (kind)
		fprintf(stderr, "%s: ", kind);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	if (advice)
		fprintf(stderr, "%s\n", advice);
}

void print_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	print_message("error", NULL, fmt, ap);
	va_end(ap);
}

void print_warning(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	print_message("warning", NULL, fmt, ap);
	va_end(ap);
}

void warn_abandoned(const struct store *s, const char *dir)
{
	const char *from;
	for (size_t i = 0; (from = store_abandoned(s, i)); i++)
		print_warning("a merge of '%s' into '%s' did not end: the "
			      "segments it left are removed now, and none of "
			      "it is in the store; run 'burnrate --store %s "
			      "merge %s' again", from, dir, dir, from);
}

void print_note(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	print_message(NULL, NULL, fmt, ap);
	va_end(ap);
}

void warn_billed_twice(const struct report *r)
{
	if (!r->nbilled_twice)
		return;
	struct br_buf list = {0};
	for (size_t i = 0; i < r->nbilled_twice && i < 3; i++)
		br_buf_printf(&list, "%s%s", i ? ", " : "", r->billed_twice[i]);
	if (r->nbilled_twice > 3)
		br_buf_printf(&list, " and %zu more", r->nbilled_twice - 3);
	char *shown = br_printable(list.p);
	print_warning("OpenAI Costs API lines and OpenAI requests of the same "
		      "model and day are both counted (%s): if the lines are the "
		      "bill for those requests, that spend counts twice; ingest "
		      "one or the other (docs/FORMATS.md)", shown);
	free(shown);
	br_buf_free(&list);
}

void warn_counts_saturated(const char *more)
{
	print_warning("token sums reached %llu (2^64 - 1), where they saturate: "
		      "a token count shown as that number is a lower bound, not "
		      "the count (costs are exact)%s",
		      (unsigned long long)UINT64_MAX, more ? more : "");
}

void warn_saturated(const struct report *r)
{
	if (report_tokens_saturated(&r->totals))
		warn_counts_saturated(NULL);
}

/* Prints a usage error and returns the usage exit status. */
int usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	print_message("error", "(see 'burnrate --help')", fmt, ap);
	va_end(ap);
	return BR_EXIT_USAGE;
}

int as_of_parse(const char *cmd, const char *text, struct as_of *a)
{
	*a = (struct as_of){.day = BR_DAY_NONE};
	if (!text || strcmp(text, "today") == 0)
		return 0;
	if (strcmp(text, "yesterday") == 0) {
		a->back = 1;
		return 0;
	}
	char why[BR_DAY_WHY_BUFSZ];
	int rc = br_day_parse_why(text, &a->day, why);
	if (rc == -1)
		return usage_error("%s: invalid --as-of '%s': expected YYYY-MM-DD, "
				   "today or yesterday", cmd, text);
	if (rc != 0)
		return usage_error("%s: invalid --as-of '%s': %s", cmd, text, why);
	return 0;
}

int32_t as_of_day(const struct as_of *a, const struct br_tz *tz)
{
	return a->day != BR_DAY_NONE ? a->day : br_tz_today(tz) - a->back;
}

/* Prints err and returns its exit status. */
int fail_with(const struct br_err *err)
{
	print_error("%s", err->msg[0] ? err->msg : "unknown error");
	return err->status ? err->status : BR_EXIT_FAILURE;
}

/* ------------------------------------------------------ option parsing */

/* One table for the parse before the command and for the hint after it
 * (unknown_option): a spelling added is known to both. */
void global_options(struct option opts[NGLOBAL_OPTIONS + 1],
		    struct globals *g, bool *help, bool *version)
{
	const struct option table[NGLOBAL_OPTIONS + 1] = {
		{"--help", NULL, help, NULL, NULL},
		{"-h", NULL, help, NULL, NULL},
		{"--version", NULL, version, NULL, NULL},
		{"--quiet", NULL, &g->quiet, NULL, NULL},
		{"--verbose", NULL, &g->verbose, NULL, NULL},
		{"--store", &g->store, NULL, NULL, NULL},
		{"--config", &g->config, NULL, NULL, NULL},
		{NULL, NULL, NULL, NULL, NULL}};
	memcpy(opts, table, sizeof table);
}

/* The option of opts named as the first namelen bytes of a, or the NULL
 * name that ends opts. */
static const struct option *find_option(const struct option *opts,
					const char *a, size_t namelen)
{
	while (opts->name && (strlen(opts->name) != namelen ||
			      strncmp(opts->name, a, namelen) != 0))
		opts++;
	return opts;
}

/* Refuses the option a (its name the first namelen bytes) that command
 * does not know; a global option (global_options, every spelling) given
 * after the command is told where it goes, with its value, next (NULL:
 * none given). */
static int unknown_option(const char *command, const char *a, size_t namelen,
			  const char *next)
{
	struct option globals[NGLOBAL_OPTIONS + 1];
	struct globals unused;
	bool flag;
	global_options(globals, &unused, &flag, &flag);
	const struct option *o = find_option(globals, a, namelen);
	if (command && o->name) {
		const char *v = a[namelen] == '=' ? a + namelen + 1
			      : next ? next : "VALUE";
		return usage_error("%s: %s is a global option: put it before the "
				   "command: burnrate %s%s%s %s", command, o->name,
				   o->name, o->value ? " " : "", o->value ? v : "",
				   command);
	}
	const char *cmd = command ? command : "", *sep = command ? ": " : "";
	return usage_error("%s%sunknown option '%.*s'", cmd, sep, (int)namelen,
			   a);
}

/* Parses argv[0..argc) against opts: cli.h. A value option given twice is
 * refused (the first was dropped unseen: --prices A --prices B priced
 * without A). */
int parse_options(const char *command, int argc, char **argv,
			 const struct option *opts, char **pos, int *npos)
{
	/* The errors name the command, if any: "report: unknown option". */
	const char *cmd = command ? command : "", *sep = command ? ": " : "";
	*npos = 0;
	bool only_positional = false;
	size_t nopts = 0;
	while (opts[nopts].name)
		nopts++;
	bool given[nopts + 1];
	memset(given, 0, sizeof given);
	for (int i = 0; i < argc; i++) {
		char *a = argv[i];
		if (only_positional || a[0] != '-' || strcmp(a, "-") == 0) {
			if (!pos) {
				*npos = i;
				return 0;
			}
			pos[(*npos)++] = a;
			continue;
		}
		if (strcmp(a, "--") == 0) {
			only_positional = true;
			continue;
		}
		const char *eq = strchr(a, '=');
		size_t namelen = eq ? (size_t)(eq - a) : strlen(a);
		const struct option *o = find_option(opts, a, namelen);
		if (!o->name)
			return unknown_option(command, a, namelen,
					      i + 1 < argc ? argv[i + 1] : NULL);
		if (o->flag) {
			if (eq)
				return usage_error("%s%soption '%s' takes no value",
						   cmd, sep, o->name);
			*o->flag = true;
			continue;
		}
		const char *v;
		if (eq)
			v = eq + 1;
		else if (i + 1 < argc)
			v = argv[++i];
		else
			return usage_error("%s%soption '%s' needs a value", cmd,
					   sep, o->name);
		if (o->list) {
			o->list[(*o->nlist)++] = v;
		} else if (given[o - opts]) {
			return usage_error("%s%soption '%s' given twice (it takes "
					   "one value)", cmd, sep, o->name);
		} else {
			given[o - opts] = true;
			*o->value = v;
		}
	}
	if (!pos)
		*npos = argc;
	return 0;
}

int parse_max_ratio(const char *s, uint64_t *out)
{
	if (s[0] < '0' || s[0] > '9')
		return -1;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end || v < 2 || v > 1000000)
		return -1;
	*out = v;
	return 0;
}

int parse_max_record(const char *s, size_t *out)
{
	const unsigned long long min = 1ULL << 10, max = 1ULL << 30;
	if (s[0] < '0' || s[0] > '9')
		return -1;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	unsigned shift = 0;
	if (*end == 'k' || *end == 'K')
		shift = 10;
	else if (*end == 'm' || *end == 'M')
		shift = 20;
	else if (*end == 'g' || *end == 'G')
		shift = 30;
	if (shift)
		end++;
	if (errno || *end || v > max >> shift || v << shift < min)
		return -1;
	*out = (size_t)(v << shift);
	return 0;
}

/* Checks that a command which takes no arguments got none. */
int no_arguments(const char *command, int argc, char **argv)
{
	if (argc == 0)
		return 0;
	if (argv[0][0] == '-' && strcmp(argv[0], "-") != 0)
		return unknown_option(command, argv[0], strcspn(argv[0], "="),
				      argc > 1 ? argv[1] : NULL);
	return usage_error("%s: unexpected argument '%s'", command, argv[0]);
}

/* The built-in catalog with the prices file, if any, over it. A bad prices
 * file is a usage error. */
struct br_catalog *load_catalog(const struct config *conf, const char *prices,
				struct br_err *err)
{
	if (config_path_check(conf, "prices", "--prices", prices, err) != 0)
		return NULL;
	struct br_catalog *c = br_catalog_builtin(err);
	if (c && prices && br_catalog_load_csv(c, prices, err) != 0) {
		err->status = BR_EXIT_USAGE;
		br_catalog_free(c);
		return NULL;
	}
	return c;
}


int write_report_to(const struct report *r, enum report_format f, bool color,
		    FILE *out, const char *name, struct br_err *err)
{
	struct br_err werr = {0};
	int rc = report_write(r, f, color, out, &werr);
	const char *what = REPORT_WRITE_ERROR;
	if (rc != 0 && strncmp(werr.msg, what, strlen(what)) == 0)
		br_fail(err, "cannot write %s: %s", name, werr.msg + strlen(what));
	else if (rc != 0)
		br_fail_status(err, werr.status, "%s", werr.msg);
	return rc;
}

/* The temporary file or directory to remove should a signal end the
 * process (a CI job's timeout sends SIGTERM; Ctrl-C), or "". */
static char doomed[4096];

/* Removes doomed, a file with unlink, a directory with rm -rf in a child
 * (unlink, _Fork, execve and waitpid are async-signal-safe; a walk of the
 * tree here would not be, nor fork, which takes malloc's locks: a signal
 * come while this thread held one hung the process), then dies of the
 * signal as it would have. */
static void remove_and_die(int sig)
{
	if (doomed[0] && unlink(doomed) != 0 && errno == EISDIR) {
		pid_t pid = _Fork();
		if (pid == 0) {
			char *const argv[] = {"rm", "-rf", "--", doomed, NULL};
			char *const envp[] = {NULL};
			execve("/bin/rm", argv, envp);
			_exit(127);
		}
		if (pid > 0)
			while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
				;
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static const int fatal_signals[] = {SIGHUP, SIGINT, SIGTERM};
#define NFATAL (sizeof fatal_signals / sizeof *fatal_signals)
static struct sigaction before[NFATAL];
static bool armed; /* the handler is installed, before[] saved */

void remove_on_signal(const char *path)
{
	sigset_t all, old;
	sigemptyset(&all);
	for (size_t i = 0; i < NFATAL; i++)
		sigaddset(&all, fatal_signals[i]);
	sigprocmask(SIG_BLOCK, &all, &old);
	doomed[0] = 0;
	if (path && strlen(path) < sizeof doomed)
		memcpy(doomed, path, strlen(path) + 1);
	struct sigaction sa = {.sa_handler = remove_and_die};
	sigemptyset(&sa.sa_mask);
	bool arm = path && !armed, disarm = !path && armed;
	for (size_t i = 0; i < NFATAL && (arm || disarm); i++) {
		if (disarm)
			sigaction(fatal_signals[i], &before[i], NULL);
		else if (sigaction(fatal_signals[i], NULL, &before[i]) == 0 &&
			 before[i].sa_handler != SIG_IGN)
			sigaction(fatal_signals[i], &sa, NULL);
	}
	armed = path != NULL;
	sigprocmask(SIG_SETMASK, &old, NULL);
}

/* Writes a report to path through br_output_open: a temporary file
 * renamed over the file (the one a link names), fsynced before the
 * rename and its directory after it (BR_OUTPUT_DURABLE: a crash leaves
 * the old report or the new one, never a report file of zeros), or in
 * place on a device, a FIFO or a descriptor of the process
 * (/dev/stdout). The workbook,
 * which libxlsxwriter writes by path and seeks in, goes to a private
 * temporary file copied there. */
int write_report_file(const struct report *r, enum report_format f,
			     const char *path, struct br_err *err)
{
	struct br_output o;
	if (br_output_open(&o, path, 0666, BR_OUTPUT_DURABLE |
			   (f == REPORT_XLSX ? BR_OUTPUT_FILE : 0), err) != 0)
		return -1;
	/* Interrupted (Ctrl-C, a timeout's SIGTERM), it left PATH.tmp-PID,
	 * which only a write of the same path an hour later removed. */
	if (o.tmp)
		remove_on_signal(o.tmp);
	int rc;
	if (f == REPORT_XLSX) {
		rc = report_write_xlsx(r, o.tmp, err);
	} else {
		/* The stream has a descriptor of its own, so that
		 * br_output_commit closes o.fd. */
		int fd = fcntl(o.fd, F_DUPFD_CLOEXEC, 3);
		FILE *out = fd >= 0 ? fdopen(fd, "w") : NULL;
		if (!out) {
			rc = br_fail(err, "cannot write '%s': %s", path,
				     strerror(errno));
			if (fd >= 0)
				close(fd);
		} else {
			struct br_buf name = {0};
			br_buf_printf(&name, "'%s'", path);
			rc = write_report_to(r, f, false, out, name.p, err);
			br_buf_free(&name);
			if (fclose(out) != 0 && rc == 0)
				rc = br_fail(err, "cannot write '%s': %s",
					     o.tmp ? o.tmp : path,
					     strerror(errno));
		}
	}
	if (rc != 0)
		br_output_abort(&o);
	else
		rc = br_output_commit(&o, err);
	remove_on_signal(NULL);
	return rc;
}

