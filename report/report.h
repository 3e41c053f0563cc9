/* report.h - queries a store (through reduce.h) into grouped totals and
 * writes them as an aligned table, CSV or JSON (DESIGN §6).
 *
 * A struct report is a snapshot: it owns copies of every string it holds,
 * and every writer is fed from that one snapshot, so all formats show the
 * same numbers.
 */
#ifndef BURNRATE_REPORT_H
#define BURNRATE_REPORT_H

#include "core/core.h"
#include "reduce/reduce.h"

/* The group-by keys, in the order DESIGN §5 lists them. */
enum report_key {
	REPORT_DAY,
	REPORT_WEEK,
	REPORT_MONTH,
	REPORT_PROVIDER,
	REPORT_MODEL,
	REPORT_AGENT,
	REPORT_LABEL,
	REPORT_KEY_COUNT
};

/* The key's name as it appears in output ("day", "week", ...). */
const char *report_key_name(enum report_key k);

enum report_format { REPORT_TABLE, REPORT_CSV, REPORT_JSON, REPORT_XLSX,
		     REPORT_HTML, REPORT_PROM };

/* Parses "table", "csv", "json", "xlsx", "html" or "prom". Returns 0 or
 * -1. */
int report_format_parse(const char *s, enum report_format *out);

/* -------------------------------------------------------------- forecast */

/* A projection of spend over a period (docs/FORECAST.md). */
struct forecast {
	double actual;     /* spent in the period up to the last known day */
	double projected;  /* actual + the projection of the days left */
	double low, high;  /* the 80% interval of projected */
	double daily_rate; /* mean projected spend per day left */
	const char *method;
	br_pico spent;     /* actual, exactly (set by the report's query) */
};

/* v, one of f's projected, low or high, as USD text with 6 decimals: the
 * exact spend plus the estimate of the rest rounded to micro-dollars, so
 * that no projection shows less than what was spent, and a period with no
 * day left shows exactly its spend (v as a double would not: $0.0002465
 * is 246.49999... micro-dollars). buf holds BR_MONEY_BUFSZ bytes. */
char *forecast_format(const struct forecast *f, double v, char *buf);

/* The same value as pico-dollars: spent + the rest in micro-dollars. */
br_pico forecast_pico(const struct forecast *f, double v);

/* Projects spend to the end of [period_start, period_end] from daily[i],
 * the spend of day first_day + i for i < n (the last is the day of the
 * projection; days before first_day are unknown, not zero). A day below
 * zero (a credit) counts in out->actual but not in the rate projected:
 * the days left are never projected below zero, and out->actual <=
 * out->low <= out->projected <= out->high. */
void forecast_period(const double *daily, size_t n, int32_t first_day,
		     int32_t period_start, int32_t period_end,
		     struct forecast *out);

/* --------------------------------------------------------------- budgets */

enum budget_period { BUDGET_DAILY, BUDGET_WEEKLY, BUDGET_MONTHLY };

#define BUDGET_MAX_TERMS 4
#define BUDGET_MAX_THRESHOLDS 16

/* One row of a budgets file (DESIGN §7). */
struct budget {
	char *name, *scope, *recipients; /* scope as written ("*", "agent=x") */
	enum budget_period period;
	br_pico limit;
	int thresholds[BUDGET_MAX_THRESHOLDS]; /* percents, as listed */
	size_t nthresholds;
	bool forecast;  /* alert when the projection passes the limit */
	struct {
		int key;    /* 0 provider, 1 model, 2 agent, 3 label */
		char *value;
	} terms[BUDGET_MAX_TERMS]; /* all must match; none: everything */
	size_t nterms;
	unsigned long line;
};

/* Loads a budgets CSV; errors name the file, line and value, status
 * BR_EXIT_USAGE, but BR_EXIT_FAILURE for a file that cannot be read now
 * (br_errno_transient). The caller frees *out with budgets_free. */
int budgets_load(const char *path, struct budget **out, size_t *n,
		 struct br_err *err);
void budgets_free(struct budget *v, size_t n);

const char *budget_period_name(enum budget_period p);

/* The period of kind p that contains day: [*start, *end]. Weeks are ISO
 * weeks (Monday to Sunday). */
void budget_period_range(enum budget_period p, int32_t day, int32_t *start,
			 int32_t *end);

/* Tells whether a row's keys fall in b's scope, byte for byte. The report
 * passes the names as it shows them (bytes that are not UTF-8 U+FFFD, as
 * a scope's values are once loaded), so a scope on a row's name counts
 * every name that row merges. provider
 * must be in canonical form (br_provider_canonical: lowercase, gemini is
 * google, aws is bedrock...), as a scope's is once loaded: budgets count
 * a provider as pricing knows it. */
bool budget_matches(const struct budget *b, const char *provider,
		    const char *model, const char *agent, const char *label);

struct report_query {
	int32_t since, until; /* inclusive; BR_DAY_NONE: open */
	int32_t as_of;        /* data after this day is ignored */
	enum report_key keys[REPORT_KEY_COUNT];
	size_t nkeys;
	const char *source;   /* NULL: every source; borrowed */
	/* Non-NULL: re-price every row whose cost came from a catalog with
	 * this one (report --reprice), from its stored token counts, service
	 * tier, price day and input band; borrowed. */
	const struct br_catalog *reprice;
	/* Also show, per row, the catalog's cost and the logs' cost
	 * (catalog_cost_usd, logged_cost_usd), side by side. */
	bool compare_costs;
	const struct budget *budgets; /* borrowed; evaluated at as_of */
	size_t nbudgets;
	bool breakdowns; /* fill struct report's breakdowns (xlsx, html) */
};

/* Parses a comma list of key names ("day,provider", "day, provider": blanks
 * and tabs around a name are not part of it, as in the configuration's
 * report_formats) into q->keys. An empty list, an unknown or a repeated
 * key is an error naming it (status BR_EXIT_USAGE). */
int report_parse_keys(const char *list, struct report_query *q,
		      struct br_err *err);

/* Sets q's period from --since/--until/--month/--as-of texts (each may be
 * NULL). --month M is the whole month M, cut at as_of; without --until the
 * period ends at as_of; without --since it is open. as_of defaults to
 * today, the day number a caller gives (today in the store's time zone:
 * br_tz_today). Errors name the option and value (status BR_EXIT_USAGE). */
int report_parse_period(struct report_query *q, const char *since,
			const char *until, const char *month,
			const char *as_of, int32_t today, struct br_err *err);

/* The value columns of report rows (DESIGN §6), in output order; the
 * last two only with --compare-costs. */
enum report_value {
	RV_REQUESTS, RV_ERRORS, RV_INPUT, RV_OUTPUT, RV_CACHE_READ,
	RV_CACHE_WRITE, RV_CACHE_WRITE_1H, RV_REASONING, RV_COST, RV_UNPRICED,
	RV_CATALOG_COST, RV_LOGGED_COST, RV_COUNT
};

/* The columns every report shows. */
#define RV_BASIC RV_CATALOG_COST

/* A column's name in JSON, CSV and XLSX ("requests", ..., "cost_usd"). */
const char *report_value_name(enum report_value v);

/* Column v of t as text into buf (BR_MONEY_BUFSZ bytes): a count, or USD
 * with 6 decimals. cache_write_tokens counts 5-minute and 1-hour writes. */
const char *report_value_text(const struct red_totals *t, enum report_value v,
			      char *buf);

/* Tells whether column v is an amount of money. */
bool report_value_is_money(enum report_value v);

/* Tells whether a token count of t that reports show (the token columns)
 * is saturated (red_count_saturated): shown as 2^64 - 1, it is a lower
 * bound, not the count. */
bool report_tokens_saturated(const struct red_totals *t);

/* The keys of struct report's breakdowns, in order. */
#define REPORT_BREAKDOWNS 4
extern const enum report_key report_breakdown_keys[REPORT_BREAKDOWNS];

/* One output row: the values of the query's keys (key[i] for keys[i]),
 * owned by the report's dictionary, and the totals of its group. */
struct report_row {
	const char *key[REPORT_KEY_COUNT];
	struct red_totals t;
	br_pico actual_cost; /* with q.reprice: the cost as stored */
};

/* Requests whose cost is unknown, per (provider, model). */
struct report_unpriced {
	char *provider, *model;
	uint64_t requests;
};

#define BUDGET_RECENT_DAYS 15

/* A budget's state at the report's as_of day (docs/FORECAST.md). */
struct budget_status {
	const struct budget *b;   /* borrowed from the query */
	int32_t start, end;       /* the budget period containing as_of */
	br_pico spent;            /* exact, start..as_of */
	uint64_t unpriced;        /* its requests without a price (not in
				   * spent), start..as_of */
	struct forecast f;        /* projected to end */
	br_pico projected;        /* f.projected as every format shows it
				   * (forecast_pico): what the status and
				   * the forecast alert compare with the
				   * limit */
	int64_t utilization;      /* spent / limit in units of 1e-8
				   * (100000000: the limit), rounded down
				   * (exact below
				   * each status's percent); shown only
				   * through budget_utilization_format */
	int crossed;              /* the highest threshold reached, or 0 */
	const char *status;       /* ok, warning, critical or exceeded */
	int32_t runs_out;         /* the day spend reaches the limit at the
				   * projected rate (the day it did, when
				   * exceeded); BR_DAY_NONE: not within the
				   * period */
	/* The scope's spend on each of the last BUDGET_RECENT_DAYS days,
	 * as_of last; the first recent_unknown of them are before the
	 * store's first day of data (unknown, not zero). */
	br_pico recent[BUDGET_RECENT_DAYS];
	size_t recent_unknown;
};

/* v, st's spend or projection, as the table, HTML, XLSX and mails show
 * it with 6 decimals: v, but below the limit rounded down to
 * micro-dollars when rounding to nearest would reach the limit ($9.9999995
 * of $10 is 9.999999, not 10.000000 beside a status that says it is
 * below). JSON and Prometheus give every amount to nearest (DESIGN §6);
 * their status and utilization say which side of the limit it is. */
br_pico budget_amount_shown(const struct budget_status *st, br_pico v);

#define BUDGET_UTIL_BUFSZ 32

/* Formats st's utilization, spent / limit, into buf (BUDGET_UTIL_BUFSZ
 * bytes) with decimals decimals: a percent ("99.9") when percent (0 to 4
 * decimals), else a ratio ("0.999", 2 to 6 decimals). Rounded to nearest
 * (110 of 300: 36.67), but never up to a status's percent (75, 90, 100)
 * before spent reaches it: $9.999999 of a $10 limit is 99.9 (99.99 with
 * 2 decimals), never 100.0, while the status is critical. Every format
 * shows utilization through this. Returns buf. */
char *budget_utilization_format(const struct budget_status *st, bool percent,
				int decimals, char *buf);

struct report {
	struct report_query q;   /* q.source is a copy owned by the report */
	char timezone[64];
	int32_t first_day, last_day; /* days with data; BR_DAY_NONE if none */
	struct br_dict *values;  /* every key value, once */
	struct report_row *rows; /* sorted by key values, in key order */
	size_t nrows;
	struct red_totals totals;
	br_pico actual_total;    /* with q.reprice: the cost as stored */
	struct report_unpriced *unpriced; /* sorted by provider, model */
	size_t nunpriced;
	char **skipped;          /* corrupt segments left out: path, problem */
	size_t nskipped;
	/* "YYYY-MM-DD MODEL" of each day and model that has both OpenAI
	 * Costs API lines and OpenAI requests (of any log), sorted: the lines
	 * are the bill for requests, so if they bill those the spend is
	 * counted twice. Only told (the report counts both). */
	char **billed_twice;
	size_t nbilled_twice;
	/* With q.breakdowns, totals of the period per day, provider, model
	 * and agent, whatever the grouping: breakdown[i].rows[j].key[0] is the
	 * value. Days ascend; the others are sorted by cost, highest first. */
	struct {
		enum report_key key;
		struct report_row *rows;
		size_t nrows;
	} breakdown[REPORT_BREAKDOWNS];
	/* The month of as_of: spent so far (exact) and its projection. */
	int32_t month_start, month_end;
	br_pico month_to_date;
	struct forecast projection;
	struct budget_status *budgets; /* one per query budget, in order */
	size_t nbudgets;
	char **priced_with;      /* identities of the catalogs behind the
				  * catalog-priced rows (br_catalog_identity),
				  * sorted */
	size_t npriced_with;
	/* The catalogs those identities join with "; ", each once ("built-in
	 * DATE sha256:HEX", "prices PATH sha256:HEX"): the built-in ones
	 * first, then the prices files, in the order priced_with gives them. */
	char **catalogs;
	size_t ncatalogs;
};

/* The days without spend a daily chart runs on after its last day with
 * spend, to the end of the period (a report as of a far day does not). */
#define REPORT_DAILY_TRAILING_MAX 31

/* The days the daily breakdown (breakdown[0]) spans, each shown, with no
 * spend or with: from its first day to its last, or to the end of the
 * period (as_of, or --until) when that is at most a month later. False
 * when it has no rows, or spans more than a year and a month (then only
 * the days with spend are shown). */
bool report_daily_span(const struct report *r, int32_t *first, int32_t *last);

/* Tells whether the daily breakdown is followed by the projection's days
 * (as_of + 1 to the month's end): only when r's period ends at as_of. A
 * past period (--month of last month, an --until before as_of) is shown
 * without them: the projection is of as_of's month, not of the period. */
bool report_daily_projected(const struct report *r);

/* The totals of day d in the daily breakdown, whose rows from *next on are
 * days from d on (*next advances past d's row); NULL when d had nothing. */
const struct red_totals *report_daily_totals(const struct report *r,
					     int32_t d, size_t *next);

/* Runs q over the store. Caller frees with report_free. When the store
 * skips corrupt segments (store_skip_corrupt), the report lists them and
 * every writer shows them. Re-pricing fails, naming the model, when the
 * new prices put a long-context threshold inside an input band the store
 * recorded (the logs must then be ingested again). */
struct report *report_run(struct store *s, const struct report_query *q,
			  struct br_err *err);
void report_free(struct report *r);

/* The first day of r's period: --since, else the first day with data,
 * else its last day (a period without data). */
int32_t report_since(const struct report *r);

/* How many value columns (enum report_value, from the first) r's rows
 * and totals show in JSON, CSV, XLSX and HTML: RV_BASIC, or RV_COUNT
 * with q.compare_costs (the catalog's and the logs' cost, last). */
int report_value_cols(const struct report *r);

/* Writes r as an XLSX workbook to path (xlsx.c): sheets Summary, Rows,
 * Daily, By provider, By model, By agent (with charts), Budgets, Unpriced.
 * The Summary's totals and the Rows sheet have the values of JSON's
 * totals and rows, actual_cost_usd too with q.reprice. With
 * SOURCE_DATE_EPOCH set, the same report gives the same bytes. */
int report_write_xlsx(const struct report *r, const char *path,
		      struct br_err *err);

/* Writes r as one self-contained HTML page (html.c). */
int report_write_html(const struct report *r, FILE *out, struct br_err *err);

/* Sets q up for the prom format: grouped by provider, model and agent,
 * over the month to date of q->as_of (which must be set). */
void report_prom_query(struct report_query *q);

/* Writes r, run with a query set up by report_prom_query, in the
 * Prometheus text exposition format (prom.c): month-to-date cost, tokens,
 * requests, errors and unpriced requests by provider, model and agent, the
 * month's projection, and the budgets, each family with HELP and TYPE,
 * label values escaped, in a stable order. Any other report is refused
 * (status BR_EXIT_USAGE). */
int report_write_prom(const struct report *r, FILE *out, struct br_err *err);

/* How the message of a write error of the writers to a stream begins
 * (then strerror's reason): a caller that knows the file names it. */
#define REPORT_WRITE_ERROR "cannot write report: "

/* Writes r to out in format f (not xlsx, which needs a path). Fails on a
 * write error (status BR_EXIT_FAILURE, REPORT_WRITE_ERROR). color asks the
 * table writer for ANSI colour. */
int report_write(const struct report *r, enum report_format f, bool color,
		 FILE *out, struct br_err *err);

/* ----------------------------------------------------------------- check */

/* The spend check of CI runs (check.c, README "CI"): the spend of some
 * logs per group, kept as a baseline file and compared with the spend of
 * other logs under limits. Groups are never days, weeks or months. */

/* What check compares of a group: requests, tokens of every class (input,
 * output, cache reads and writes) and the exact cost. */
struct check_amounts {
	uint64_t requests, tokens;
	br_pico cost;
};

/* One group: key[i] is its value of the snapshot's keys[i] (owned). */
struct check_group {
	char *key[REPORT_KEY_COUNT];
	struct check_amounts a;
};

/* The spend of a set of logs per group: what a baseline file holds. */
struct check_snapshot {
	enum report_key keys[REPORT_KEY_COUNT];
	size_t nkeys;
	struct check_amounts totals;
	struct check_group *groups; /* sorted by key values, in key order */
	size_t ngroups;
};

/* The snapshot of r's rows and totals, grouped by r's keys. */
struct check_snapshot *check_snapshot_of(const struct report *r);

/* Tells whether a count of s is saturated (red_count_saturated): a lower
 * bound, which check shows but never calls unchanged (its verdict goes
 * by costs, which are exact). */
bool check_snapshot_saturated(const struct check_snapshot *s);
void check_snapshot_free(struct check_snapshot *s);

/* Sums the groups of s into groups of keys[0..nkeys), which must all be
 * keys of s (in any order). Fails, naming the missing key, with status
 * BR_EXIT_USAGE. */
int check_snapshot_regroup(struct check_snapshot *s,
			   const enum report_key *keys, size_t nkeys,
			   struct br_err *err);

/* Writes s to path as a baseline file (versioned JSON, costs as exact
 * decimal strings, counts beyond INT64_MAX as decimal strings too),
 * atomically: readers see the old file or the new; path "-" is
 * standard output. */
int check_baseline_write(const struct check_snapshot *s, const char *path,
			 struct br_err *err);

/* Reads a baseline file written by check_baseline_write. A file that
 * cannot be read or is not a valid baseline (bad JSON, version, currency
 * other than USD, keys, amounts, a negative cost, a row member that is
 * neither a key nor an amount, a day, week or month value that is not
 * one, repeated groups, totals that are not the sum of the rows) is an
 * error naming the file and what is wrong, with status BR_EXIT_USAGE. */
struct check_snapshot *check_baseline_read(const char *path,
					   struct br_err *err);

/* When an increase of cost is a regression. With both limits set, only
 * an increase beyond both is. */
struct check_rules {
	bool has_pct, has_usd;
	br_pico pct;         /* percent, in units of 1e-12 % */
	br_pico usd;         /* pico-dollars */
	bool allow_unpriced; /* requests without a price do not fail */
};

/* Parses --max-increase PCT ("10", "2.5", "10%") and --max-increase-usd X
 * ("0.50"), each may be NULL; neither means a 10% limit. Errors name the
 * option and value (status BR_EXIT_USAGE). */
int check_parse_rules(const char *pct, const char *usd, bool allow_unpriced,
		      struct check_rules *out, struct br_err *err);

/* A group's (or the total's) cost against the baseline. */
enum check_status { CHECK_UNCHANGED, CHECK_INCREASED, CHECK_DECREASED,
		    CHECK_NEW, CHECK_VANISHED };

/* "unchanged", "increased", "decreased", "new" or "vanished". */
const char *check_status_name(enum check_status s);

/* One group of either side, or the total (whose key[] are NULL). */
struct check_line {
	const char *key[REPORT_KEY_COUNT]; /* borrowed from a snapshot */
	struct check_amounts base, cur;    /* zero on the side it is not on */
	enum check_status status;
	bool regression;                   /* its cost rose beyond the rules */
};

struct check_result {
	enum report_key keys[REPORT_KEY_COUNT];
	size_t nkeys;
	struct check_rules rules;
	struct check_line total;
	struct check_line *lines; /* every group, by the size of the change of
				   * cost (highest first), then key values */
	size_t nlines;
	size_t regressions;       /* of the lines and the total */
	const struct report_unpriced *unpriced; /* the current logs'; borrowed */
	size_t nunpriced;
	uint64_t unpriced_requests;
	bool passed;              /* no regression, and every request priced
				   * (or rules.allow_unpriced) */
};

/* Compares cur with base, which have the same keys in the same order. A
 * group new in cur has an infinite increase in percent. The result
 * borrows the strings of both snapshots and unpriced (the current logs'
 * requests without a price). */
struct check_result *check_compare(const struct check_snapshot *base,
				   const struct check_snapshot *cur,
				   const struct check_rules *rules,
				   const struct report_unpriced *unpriced,
				   size_t nunpriced);
void check_result_free(struct check_result *r);

enum check_format { CHECK_TEXT, CHECK_MARKDOWN, CHECK_JSON, CHECK_JUNIT };

/* Parses "text", "markdown", "json" or "junit". Returns 0 or -1. */
int check_format_parse(const char *s, enum check_format *out);

/* Writes r to out: a sentence and a table of the changed groups (text,
 * Markdown for a pull request comment), every figure (JSON), or a JUnit
 * XML test suite with one test case for the total, one per group and one
 * for prices. Fails on a write error (status BR_EXIT_FAILURE). */
int check_write(const struct check_result *r, enum check_format f,
		FILE *out, struct br_err *err);

#endif
