/* report.c - the report command. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

/* An error of report_parse_keys or report_parse_period: an option's, in
 * the form of every command's option errors (usage_error), or else
 * as it is. */
static int option_error(const struct br_err *err)
{
	if (err->status == BR_EXIT_USAGE)
		return usage_error("report: %s", err->msg);
	return fail_with(err);
}

/* Warns when the store has no data of source (a filter that matches
 * nothing is no error, but its report of $0 looked like a quiet day),
 * naming the sources it has. */
static void check_source(struct store *s, const char *source)
{
	struct br_err err = {0};
	const char **v;
	size_t n;
	if (store_sources(s, &v, &n, &err) != 0)
		return; /* cannot fail: the report has read the store */
	size_t i = 0;
	while (i < n && strcmp(v[i], source) != 0)
		i++;
	if (i == n) {
		struct br_buf list = {0};
		for (i = 0; i < n; i++) {
			char *p = br_printable(v[i]);
			br_buf_printf(&list, "%s'%s'", i ? ", " : "", p);
			free(p);
		}
		char *p = br_printable(source);
		if (n)
			print_warning("report: the store has no data of source '%s' "
				      "(its source%s: %s)", p, n > 1 ? "s" : "",
				      list.p);
		else
			print_warning("report: the store has no data of source '%s' "
				      "(it has no data at all)", p);
		free(p);
		br_buf_free(&list);
	}
	free(v);
}

/* The format an --output's name asks for when --format is not given: its
 * extension in any case (costs.XLSX, burnrate.prom; .htm for html) when
 * it names a format, else the table: a finance XLSX written as a text
 * table under its name would open as a broken workbook. */
static enum report_format format_of_name(const char *path)
{
	const char *base = strrchr(path, '/');
	const char *dot = strrchr(base ? base + 1 : path, '.');
	char ext[8];
	size_t n = dot ? strlen(dot + 1) : 0;
	enum report_format f;
	if (n == 0 || n >= sizeof ext)
		return REPORT_TABLE;
	for (size_t i = 0; i <= n; i++)
		ext[i] = (char)tolower((unsigned char)dot[1 + i]);
	if (strcmp(ext, "htm") == 0)
		return REPORT_HTML;
	return report_format_parse(ext, &f) == 0 ? f : REPORT_TABLE;
}

int cmd_report(const struct globals *g, int argc, char **argv)
{
	const char *since = NULL, *until = NULL, *month = NULL, *as_of = NULL,
		   *by = NULL, *format = NULL, *output = NULL, *source = NULL,
		   *prices = NULL,
		   *budgets_path = g->conf ? g->conf->budgets : NULL;
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
	struct as_of at;
	if ((rc = as_of_parse("report", as_of, &at)) != 0)
		return rc;
	if (at.day == BR_DAY_NONE)
		as_of = NULL; /* today or yesterday: a day of the store's zone */
	if (npos)
		return usage_error("report: unexpected argument '%s'", pos[0]);
	/* '-' is standard output, as for the inputs of ingest: it wrote a
	 * file named '-' (./- is one). */
	if (output && strcmp(output, "-") == 0)
		output = NULL;
	enum report_format f = output ? format_of_name(output) : REPORT_TABLE;
	if (format && report_format_parse(format, &f) != 0)
		return usage_error("report: invalid --format '%s': expected table, "
				   "csv, json, xlsx, html or prom", format);
	/* A workbook goes to standard output when that is a file or a pipe
	 * (report --format xlsx >spend.xlsx), as the other formats do,
	 * through the descriptor (write_report_file's temporary file: the
	 * writer seeks); not onto a terminal, unasked. */
	if (f == REPORT_XLSX && !output) {
		if (isatty(STDOUT_FILENO))
			return usage_error("report: --format xlsx needs --output "
					   "FILE, or a standard output that is "
					   "not a terminal");
		output = "/dev/stdout";
	}
	if (f == REPORT_PROM && (by || since || until || month))
		return usage_error("report: --format prom reports the month to date "
				   "of --as-of by provider, model and agent; it "
				   "takes no --by, --since, --until or --month");
	struct br_err err = {0};
	struct report_query q = {.source = source, .compare_costs = compare_costs,
				 .breakdowns = f == REPORT_XLSX || f == REPORT_HTML};
	/* Prices given to a report are asked to be used: stored costs were
	 * priced at ingest, so they re-price (--reprice). */
	if (prices)
		reprice = true;
	if (output && !*output)
		return usage_error("report: --output needs a file name, not an "
				   "empty one");
	if (source && !*source)
		return usage_error("report: --source must not be empty");
	if (!prices)
		prices = config_prices(g);
	if (report_parse_keys(by ? by : "day", &q, &err) != 0 ||
	    report_parse_period(&q, since, until, month, as_of,
				br_day_today() + 1, &err) != 0)
		return option_error(&err);
	struct budget *budgets = NULL;
	size_t nbudgets = 0;
	if (budgets_path &&
	    (config_path_check(g->conf, "budgets", "--budgets",
				budgets_path, &err) != 0 ||
	     budgets_load(budgets_path, &budgets, &nbudgets, &err) != 0))
		return fail_with(&err);
	q.budgets = budgets;
	q.nbudgets = nbudgets;
	struct br_catalog *catalog = NULL;
	if (reprice && !(catalog = load_catalog(g->conf, prices, &err))) {
		budgets_free(budgets, nbudgets);
		return fail_with(&err);
	}
	q.reprice = catalog;

	struct store *s = config_store_read(g, &err);
	if (s && skip_corrupt)
		store_skip_corrupt(s);
	/* The period was checked above against tomorrow in UTC, which no
	 * zone's today is after; today is a day of the store's time zone. */
	if (s && !as_of &&
	    report_parse_period(&q, since, until, month, NULL,
				as_of_day(&at, store_tz(s)), &err) != 0) {
		store_free(s);
		br_catalog_free(catalog);
		budgets_free(budgets, nbudgets);
		return option_error(&err);
	}
	if (f == REPORT_PROM)
		report_prom_query(&q);
	struct report *r = s ? report_run(s, &q, &err) : NULL;
	if (!r) {
		store_free(s);
		br_catalog_free(catalog);
		budgets_free(budgets, nbudgets);
		return fail_with(&err);
	}
	if (source && !g->quiet)
		check_source(s, source);
	if (output) {
		rc = write_report_file(r, f, output, &err);
	} else {
		/* NO_COLOR set to an empty string is unset (no-color.org). */
		const char *nc = getenv("NO_COLOR");
		bool color = f == REPORT_TABLE && !no_color && isatty(STDOUT_FILENO) &&
			     !(nc && *nc);
		rc = write_report_to(r, f, color, stdout, "standard output", &err);
	}
	/* --quiet prints nothing but errors: these are warnings (the
	 * report itself names the skipped segments). */
	for (size_t i = 0; i < r->nskipped && !g->quiet; i++)
		print_warning("skipped corrupt segment %s: %s", r->skipped[2 * i],
			      r->skipped[2 * i + 1]);
	if (!g->quiet) {
		warn_saturated(r);
		warn_billed_twice(r);
	}
	report_free(r);
	store_free(s);
	br_catalog_free(catalog);
	budgets_free(budgets, nbudgets);
	return rc ? fail_with(&err) : BR_EXIT_OK;
}
