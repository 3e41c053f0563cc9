/* burnrate.c - the command-line interface: global options, the command
 * table and help. Each command lives in cli/; none holds business logic:
 * they parse arguments, wire the stages together and map failures to the
 * exit statuses of the contract. */
#include <errno.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

/* ------------------------------------------------------------- commands */

/* A command, its synopsis and description for --help, whether it reads
 * ./burnrate.conf or /etc/burnrate.conf without --config, and whether
 * all it writes to standard output is a summary of work done elsewhere
 * (finish), unless the command says otherwise for a run of it
 * (globals.stdout_product). */
static const struct command {
	const char *name;
	int (*run)(const struct globals *g, int argc, char **argv);
	bool finds_config;
	const char *synopsis, *description; /* lines, each ending in \n */
	bool summary_only;
} commands[] = {
	{"init", cmd_init, false,
	 "[--timezone TZ]\n",
	 "create the store (days are calendar days in TZ, default UTC)\n",
	 true},
	{"ingest", cmd_ingest, false,
	 "[--format F] [--map CANON=PATH]... [--label PATH]\n"
	 "[--source NAME] [--prices FILE]\n"
	 "[--cost-mode auto|calculate|display] [--jobs N]\n"
	 "[--rejects FILE] [--no-dedupe] [--replace FROM..TO [--dry-run]]\n"
	 "[--max-ratio N] [--max-record BYTES] PATH...\n",
	 "read logs: files, directories, '-' for stdin; plain, gzip,\n"
	 "zstd, xz, bzip2, lz4, or zip/tar archives (told by content);\n"
	 "F: auto (default), generic, openai, anthropic, gemini,\n"
	 "bedrock, claude-code, openai-usage, litellm, helicone, langfuse\n"
	 "--replace: a backfill whose data replaces the source's days;\n"
	 "--dry-run: show what it would change, publish nothing\n",
	 true},
	{"report", cmd_report, false,
	 "[--since DATE] [--until DATE] [--month YYYY-MM] [--as-of DATE]\n"
	 "[--by KEYS] [--format table|csv|json|xlsx|html|prom]\n"
	 "[--output FILE] [--source NAME] [--reprice] [--prices FILE]\n"
	 "[--no-color] [--skip-corrupt] [--compare-costs] [--budgets FILE]\n",
	 "KEYS: comma list of day,week,month,provider,model,agent,label\n"
	 "--reprice: price the stored tokens again with today's catalog\n"
	 "--prices FILE: with those prices over it (implies --reprice)\n"
	 "--compare-costs: the catalog's and the logs' cost side by side\n"
	 "prom: Prometheus metrics of the month to date (textfile collector)\n"},
	{"notify", cmd_notify, true,
	 "[--budgets FILE] [--as-of DATE] [--smtp-config FILE]\n"
	 "[--account NAME] [--dry-run DIR]\n",
	 "email the budget alerts that are due, each once (docs/ALERTS.md);\n"
	 "SMTP settings from an msmtp file (default ~/.msmtprc);\n"
	 "--dry-run: write .eml files into DIR instead, ledger untouched\n",
	 true},
	{"run", cmd_run, true,
	 "[--as-of DATE]\n",
	 "the nightly job of burnrate.conf (--config, ./burnrate.conf,\n"
	 "/etc/burnrate.conf): ingest the inputs, write the dated reports,\n"
	 "send the budget alerts and the scheduled finance report\n",
	 true},
	{"check", cmd_check, false,
	 "--write-baseline FILE | --baseline FILE [--max-increase PCT]\n"
	 "[--max-increase-usd X] [--by KEYS] [--allow-unpriced]\n"
	 "[--format text|markdown|json|junit] [--log-format F]\n"
	 "[--prices FILE] LOGPATH...\n",
	 "CI: save the spend of LOGPATH per group, or compare it with\n"
	 "a saved baseline; exit 3 when it rose beyond the limits\n"
	 "(default +10%) or has requests without a price; KEYS:\n"
	 "day,week,month,provider,model,agent,label (default model, or\n"
	 "the baseline's)\n",
	 true},
	{"merge", cmd_merge, false,
	 "STORE...\n",
	 "import the stores of other hosts (ingest sharded by input);\n"
	 "merging again adds nothing (docs/SCALING.md)\n",
	 true},
	{"prices", cmd_prices, false,
	 "[--prices FILE] list [PATTERN] | show MODEL [--provider P]\n"
	 "[--on DATE] | check\n",
	 "the built-in price catalog (with FILE over it): list models,\n"
	 "explain the price of one, or check for problems\n"},
	{"verify", cmd_verify, false, "",
	 "check every segment of the store; name the bad ones\n"},
	{"compact", cmd_compact, false, "",
	 "merge the segments of each source into one\n",
	 true},
};

#define NCOMMANDS (sizeof commands / sizeof commands[0])

static const char usage_head[] =
	"usage: burnrate [--store DIR] [--config FILE] [--quiet|--verbose] "
	"COMMAND [ARGS]\n"
	"\n"
	"Turns LLM request logs into exact spend totals.\n"
	"\n"
	"commands:\n";

static const char usage_tail[] =
	"\n"
	"global options:\n"
	"  --store DIR    the store (default: the configuration's, else\n"
	"                 $BURNRATE_STORE, else " DEFAULT_STORE ")\n"
	"  --config FILE  burnrate.conf; its values are the defaults\n"
	"  --quiet        print nothing but errors\n"
	"  --verbose      say more about what is done\n"
	"  --help, --version; COMMAND --help\n"
	"\n"
	"exit status: 0 ok, 1 failure, 2 usage or configuration error,\n"
	"3 threshold crossed, 75 temporary failure (store locked, mail server\n"
	"unreachable: messages kept pending)\n";

/* Prints lines (each ending in \n), the first after what is already on
 * the line, the others indented by indent. */
static void lines(const char *p, const char *indent, FILE *out)
{
	for (bool first = true; *p; first = false) {
		const char *nl = strchr(p, '\n');
		if (!first)
			fputs(indent, out);
		fwrite(p, 1, (size_t)(nl - p) + 1, out);
		p = nl + 1;
	}
}

/* The command's entry in --help. */
static void command_help(const struct command *c, FILE *out)
{
	const char *indent = "           ";
	fprintf(out, "  %-8s ", c->name);
	if (*c->synopsis) {
		lines(c->synopsis, indent, out);
		fputs(indent, out);
	}
	lines(c->description, indent, out);
}

static void usage(FILE *out)
{
	fputs(usage_head, out);
	for (size_t i = 0; i < NCOMMANDS; i++)
		command_help(&commands[i], out);
	fputs(usage_tail, out);
}

/* Flushes stdout and reports a failed write (a full disk, a closed pipe):
 * output that was not written is a failure, as in jq's main. A command
 * that failed said why already: a report that could not be written to
 * standard output was told twice. But a command whose output there is
 * only its summary (summary_only: init, ingest, notify, run, merge,
 * compact and check --write-baseline, from cron with '>&-') did its
 * work: exit 1 would call a night whose data, reports and mail are all
 * in place failed, and send whoever watches the status to run it again
 * (an ingest again adds nothing, a notify again sends nothing: only the
 * status lied). It warns, and exits with the status of
 * its work. Not when the output is the product (ingest --replace
 * --dry-run's preview, check --baseline's verdict: a preview or a
 * verdict nobody got is a failure). */
static int finish(int rc, bool summary_only)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		if (summary_only) {
			print_warning("cannot write the summary to standard "
				      "output: %s (the work is done; the exit "
				      "status is the work's)", strerror(errno));
			return rc;
		}
		if (rc == BR_EXIT_OK || rc == BR_EXIT_THRESHOLD)
			print_error("cannot write standard output: %s",
				    strerror(errno));
		return rc ? rc : BR_EXIT_FAILURE;
	}
	return rc;
}

int main(int argc, char **argv)
{
	/* Before any file is opened: a closed standard input would be the
	 * number of the store's lock file, read as the log of 'ingest -'. */
	br_std_fds_open();
	/* A file size limit (ulimit -f) makes a write fail with EFBIG, which
	 * is reported naming the file, rather than kill the process without
	 * a word (exit 153). */
	signal(SIGXFSZ, SIG_IGN);
	/* Inherited ignored (a parent's SIG_IGN survives exec), SIGCHLD
	 * makes the children's exit statuses vanish: passwordeval then
	 * always failed ("cannot wait"), and alerts stayed pending. */
	signal(SIGCHLD, SIG_DFL);
#ifdef __GLIBC__
	/* Two malloc arenas for all the threads. The ingest's threads free
	 * what others allocated (blocks, held events, the request-id set's
	 * tables, grown by whichever thread settles a block), which an arena
	 * per thread keeps scattered: up to 6 MB more peak RSS on the
	 * 2M-record benchmark, for no speed. With one, the threads reading
	 * small inputs waited on its lock (futex calls, ~20% of the time of
	 * 10,000 logs of 20 records): 1.25-1.37 s with one, 0.95-1.00 s with
	 * two, the CSV.gz's peak RSS 58.6-58.7 and 58.6-59.2 MB
	 * (docs/PERFORMANCE.md). */
	mallopt(M_ARENA_MAX, 2);
	/* A fixed threshold for mapping large blocks: glibc raises it to the
	 * size of each mapped block freed, so a transient array of the
	 * catalog's load (~700 KB) sent the request-id set's tables, grown
	 * and freed, to the heap, which kept them: 3 MB more peak RSS from
	 * 8 more bytes in a catalog row. */
	mallopt(M_MMAP_THRESHOLD, 128 << 10);
	/* Which also fixes the heap's trimming at its default, 128 KB: the
	 * heap gave back its top after nearly every small input read (its
	 * parser, its buffers) and faulted it in again for the next, ~3
	 * page faults an input. 1 MB is kept: 10,000 logs of 20 records,
	 * 1.47-1.79 s -> 1.25-1.34 s, the 2M-record runs' peak RSS the same. */
	mallopt(M_TRIM_THRESHOLD, 1 << 20);
#endif
	struct globals g = {0};
	bool help = false, version = false;
	struct option globals[NGLOBAL_OPTIONS + 1];
	global_options(globals, &g, &help, &version);
	int i, parsed = parse_options(NULL, argc - 1, argv + 1, globals, NULL, &i);
	if (parsed)
		return parsed;
	i++; /* the command's, in argv */
	if (help) {
		usage(stdout);
		return finish(BR_EXIT_OK, false);
	}
	if (version) {
		printf("burnrate %s\n", BR_VERSION);
		return finish(BR_EXIT_OK, false);
	}
	/* --store= made ./burnrate-data, as no --store does. */
	if ((g.store && !*g.store) || (g.config && !*g.config))
		return usage_error("option '--%s' needs a value, not an empty one",
				   g.store && !*g.store ? "store" : "config");
	if (g.quiet && g.verbose)
		return usage_error("--quiet and --verbose exclude each other");
	if (i >= argc) {
		usage(stderr);
		return BR_EXIT_USAGE;
	}
	const char *name = argv[i];
	const struct command *cmd = NULL;
	for (size_t c = 0; c < NCOMMANDS; c++)
		if (strcmp(commands[c].name, name) == 0)
			cmd = &commands[c];
	if (!cmd)
		return usage_error("unknown command '%s'", name);
	char **args = argv + i + 1;
	int nargs = argc - i - 1;
	/* --help or -h among the options, not after "--", which ends them
	 * (ingest -- -h reads a log named -h). */
	for (int k = 0; k < nargs && strcmp(args[k], "--") != 0; k++)
		if (strcmp(args[k], "--help") == 0 ||
		    strcmp(args[k], "-h") == 0) {
			printf("usage: burnrate [global options] %s%s", cmd->name,
			       *cmd->synopsis ? " " : "\n");
			lines(cmd->synopsis, "       ", stdout);
			putchar('\n');
			lines(cmd->description, "", stdout);
			return finish(BR_EXIT_OK, false);
		}
	/* The store: --store, else the configuration's, else
	 * $BURNRATE_STORE, else the default. */
	struct config conf;
	const char *conf_path = g.config ? g.config
				: cmd->finds_config ? config_find(NULL) : NULL;
	if (conf_path) {
		struct br_err err = {0};
		/* --config's file is named with the option when it cannot be
		 * opened (config_load names the file alone). */
		if (config_path_check(NULL, NULL, "--config", g.config,
				      &err) != 0 ||
		    config_load(conf_path, &conf, &err) != 0)
			return fail_with(&err);
		g.conf = &conf;
	}
	if (!g.store && g.conf)
		g.store = g.conf->store;
	if (!g.store)
		g.store = getenv("BURNRATE_STORE");
	if (!g.store || !*g.store)
		g.store = DEFAULT_STORE;
	bool product = false;
	g.stdout_product = &product;
	int rc = cmd->run(&g, nargs, args);
	rc = finish(rc, cmd->summary_only && !product);
	if (g.conf)
		config_free(&conf);
	return rc;
}

