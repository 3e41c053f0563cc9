/* burnrate.c - the command-line interface: global options, the command
 * table and help. Each command lives in cli/; none holds business logic:
 * they parse arguments, wire the stages together and map failures to the
 * exit statuses of the contract. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

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

