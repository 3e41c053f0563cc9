/* config.c - burnrate.conf (DESIGN §7): "key value" lines, '#' comments,
 * msmtprc-like. Relative paths are taken relative to the file's
 * directory, so a configuration means the same from cron and from a
 * shell. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"

#define CONFIG_MAX_BYTES ((size_t)1 << 20)

enum value_kind { V_TEXT, V_PATH, V_INPUT };

static const struct key {
	const char *name;
	size_t offset;
	enum value_kind kind;
} keys[] = {
#define K(name, kind) {#name, offsetof(struct config, name), kind}
	K(store, V_PATH),          K(timezone, V_TEXT),
	K(format, V_TEXT),         K(source, V_TEXT),
	K(label, V_TEXT),          K(prices, V_PATH),
	K(budgets, V_PATH),        K(reports_dir, V_PATH),
	K(report_formats, V_TEXT), K(report_schedule, V_TEXT),
	K(report_to, V_TEXT),      K(alert_to, V_TEXT),
	K(smtp_config, V_PATH),    K(smtp_account, V_TEXT),
	K(cost_mode, V_TEXT),      K(max_record, V_TEXT),
	K(max_ratio, V_TEXT),      K(rejects, V_PATH),
	{"input", 0, V_INPUT},
#undef K
};

_Static_assert(sizeof keys / sizeof keys[0] <=
		       sizeof ((struct config *)0)->lines /
			       sizeof ((struct config *)0)->lines[0],
	       "struct config: a line for each key");

/* The index of key in keys, or -1. */
static long key_index(const char *key)
{
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (strcmp(keys[i].name, key) == 0)
			return (long)i;
	return -1;
}

unsigned long config_key_line(const struct config *c, const char *key)
{
	long i = key_index(key);
	return i < 0 ? 0 : c->lines[i];
}

int config_path_check(const struct config *c, const char *key,
		      const char *option, const char *path,
		      struct br_err *err)
{
	if (!path)
		return 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat sb;
	/* A directory opens, and failed later unnamed by its option
	 * ("cannot read 'dd': Is a directory"). */
	int e = fd < 0 ? errno
		: fstat(fd, &sb) == 0 && S_ISDIR(sb.st_mode) ? EISDIR : 0;
	if (fd >= 0)
		close(fd);
	if (!e)
		return 0;
	int status = br_errno_transient(e) ? BR_EXIT_FAILURE : BR_EXIT_USAGE;
	long i = c ? key_index(key) : -1;
	const struct key *k = i < 0 ? NULL : &keys[i];
	if (k && k->kind == V_PATH && *(char **)((char *)c + k->offset) == path)
		return br_fail_status(err, status,
				      "%s:%lu: %s: cannot open '%s': %s",
				      c->path, config_key_line(c, key), key,
				      path, strerror(e));
	return br_fail_status(err, status, "%s: cannot open '%s': %s", option,
			      path, strerror(e));
}

void config_counting(const struct config *c, struct ingest_opts *io,
		     struct ingest_map *label)
{
	if (!c)
		return;
	if (c->label) {
		*label = (struct ingest_map){"label", c->label};
		io->maps = label;
		io->nmaps = 1;
	}
	if (c->cost_mode)
		br_cost_mode_parse(c->cost_mode, &io->cost_mode);
	if (c->max_record)
		parse_max_record(c->max_record, &io->max_record);
	if (c->max_ratio)
		parse_max_ratio(c->max_ratio, &io->max_ratio);
}

void config_free(struct config *c)
{
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (keys[i].kind != V_INPUT)
			free(*(char **)((char *)c + keys[i].offset));
	for (size_t i = 0; i < c->ninputs; i++)
		free(c->inputs[i]);
	free(c->inputs);
	free(c->path);
	memset(c, 0, sizeof *c);
}

/* value, made absolute against dir when it is a relative path; a
 * leading ~ (alone or before a '/') is the home directory, as in an
 * msmtprc (smtp_home): an input '~/logs/x.jsonl' was a directory '~' of
 * dir, which an input glob silently never matched. */
static char *resolve(const char *dir, const char *value)
{
	struct br_buf b = {0};
	const char *home = smtp_home();
	if (value[0] == '~' && (!value[1] || value[1] == '/') && home)
		br_buf_printf(&b, "%s%s", home, value + 1);
	else if (value[0] == '/' || strcmp(dir, ".") == 0)
		br_buf_puts(&b, value);
	else
		br_buf_printf(&b, "%s/%s", dir, value);
	return b.p;
}

/* Checks a list of addresses (report_to, alert_to): at least one, each
 * valid, at most MAX_RECIPIENTS. */
static int check_addresses(const struct config *c, const char *key,
			   const char *value, unsigned long line,
			   struct br_err *err)
{
	char *to[MAX_RECIPIENTS];
	size_t nto = 0;
	struct br_buf what = {0};
	br_buf_printf(&what, "%s:%lu: %s", c->path, line, key);
	int rc = mail_address_list(value, what.p, to, MAX_RECIPIENTS, &nto, err);
	for (size_t i = 0; i < nto; i++)
		free(to[i]);
	if (rc == 0 && !nto)
		rc = br_fail_status(err, BR_EXIT_USAGE, "%s: no address given",
				    what.p);
	br_buf_free(&what);
	return rc;
}

/* Checks the values that have a fixed set of spellings or a form: each
 * error names the file, the line and the key, whichever command reads the
 * file, as it does before anything is done. */
static int check_value(const struct config *c, const char *key,
		       const char *value, unsigned long line, struct br_err *err)
{
	static const char *const schedules[] = {"daily", "weekly", "monthly",
						"never", NULL};
	enum report_format f;
	enum br_cost_mode m;
	size_t size;
	uint64_t ratio;
	if (strcmp(key, "report_schedule") == 0) {
		for (const char *const *s = schedules; *s; s++)
			if (strcmp(*s, value) == 0)
				return 0;
		return br_fail_status(err, BR_EXIT_USAGE, "%s:%lu: report_schedule: "
				      "invalid value '%s': expected daily, weekly, "
				      "monthly or never", c->path, line, value);
	}
	if (strcmp(key, "timezone") == 0) {
		struct br_err why = {0};
		struct br_tz *tz = br_tz_load(value, &why);
		if (!tz)
			return br_fail_status(err, BR_EXIT_USAGE, "%s:%lu: timezone: "
					      "%s", c->path, line, why.msg);
		br_tz_free(tz);
	}
	/* What ingest would refuse later, as an option it names (--map
	 * label), or not at all when the command ingests nothing. */
	struct br_err why = {0};
	if (strcmp(key, "format") == 0 && ingest_format_check(value, &why) != 0)
		return br_fail_status(err, BR_EXIT_USAGE, "%s:%lu: %s: %s",
				      c->path, line, key, why.msg);
	if (strcmp(key, "label") == 0 && ingest_map_path_check(value, &why) != 0)
		return br_fail_status(err, BR_EXIT_USAGE, "%s:%lu: label: invalid "
				      "value '%s': %s", c->path, line, value,
				      why.msg);
	if (strcmp(key, "report_to") == 0 || strcmp(key, "alert_to") == 0)
		return check_addresses(c, key, value, line, err);
	if (strcmp(key, "cost_mode") == 0 && br_cost_mode_parse(value, &m) != 0)
		return br_fail_status(err, BR_EXIT_USAGE, "%s:%lu: cost_mode: invalid "
				      "value '%s': expected auto, calculate or display",
				      c->path, line, value);
	if (strcmp(key, "max_record") == 0 && parse_max_record(value, &size) != 0)
		return br_fail_status(err, BR_EXIT_USAGE, "%s:%lu: max_record: "
				      "invalid value '%s': expected a size from 1K "
				      "to 1G (bytes, or a count of K, M or G)",
				      c->path, line, value);
	if (strcmp(key, "max_ratio") == 0 && parse_max_ratio(value, &ratio) != 0)
		return br_fail_status(err, BR_EXIT_USAGE, "%s:%lu: max_ratio: "
				      "invalid value '%s': expected a factor from 2 "
				      "to 1000000", c->path, line, value);
	if (strcmp(key, "report_formats") == 0) {
		/* Comma entries, each of formats apart by blanks; an empty
		 * entry or a format given twice is refused, as --by's are
		 * (json,json wrote one file and said "2 reports written"). */
		char *copy = br_strdup(value);
		bool seen[REPORT_PROM + 1] = {false};
		int rc = 0;
		for (char *e = copy, *next; e && !rc; e = next) {
			next = strchr(e, ',');
			if (next)
				*next++ = 0;
			char *save = NULL, *t = strtok_r(e, " \t", &save);
			if (!t)
				rc = br_fail_status(err, BR_EXIT_USAGE, "%s:%lu: "
						    "report_formats: an empty entry "
						    "in '%s'", c->path, line, value);
			for (; t && !rc; t = strtok_r(NULL, " \t", &save)) {
				if (report_format_parse(t, &f) != 0 ||
				    f == REPORT_TABLE)
					rc = br_fail_status(err, BR_EXIT_USAGE,
							    "%s:%lu: report_formats: "
							    "invalid format '%s': "
							    "expected csv, json, xlsx, "
							    "html or prom", c->path,
							    line, t);
				else if (seen[f])
					rc = br_fail_status(err, BR_EXIT_USAGE,
							    "%s:%lu: report_formats: "
							    "format '%s' given twice",
							    c->path, line, t);
				else
					seen[f] = true;
			}
		}
		free(copy);
		return rc;
	}
	return 0;
}

/* Parses one "key value" line. */
static int config_line(struct config *c, const char *dir, char *s,
		       unsigned long line, struct br_err *err)
{
	char *key = s;
	size_t klen = strcspn(s, " \t");
	char *value = s + klen;
	if (*value)
		*value++ = 0;
	value += strspn(value, " \t");
	/* A '#' after a blank starts a comment (README's example writes
	 * "input /var/log/llm/x.jsonl   # repeatable; globs"), outside a
	 * value in double quotes. */
	const char *from = value;
	if (*value == '"' && strchr(value + 1, '"'))
		from = strchr(value + 1, '"');
	for (char *h = strchr(from, '#'); h; h = strchr(h + 1, '#'))
		if (h == value || h[-1] == ' ' || h[-1] == '\t') {
			*h = 0;
			break;
		}
	size_t vlen = strlen(value);
	while (vlen && (value[vlen - 1] == ' ' || value[vlen - 1] == '\t'))
		value[--vlen] = 0;
	if (vlen >= 2 && value[0] == '"' && value[vlen - 1] == '"') {
		value[vlen - 1] = 0;
		value++;
		vlen -= 2;
	}
	long i = key_index(key);
	if (i < 0)
		return br_fail_status(err, BR_EXIT_USAGE, "%s:%lu: unknown key '%s' "
				      "(see burnrate(1), FILES)", c->path, line, key);
	const struct key *k = &keys[i];
	c->lines[i] = line;
	if (!vlen)
		return br_fail_status(err, BR_EXIT_USAGE, "%s:%lu: %s: a value is "
				      "needed", c->path, line, key);
	if (check_value(c, key, value, line, err) != 0)
		return -1;
	if (k->kind == V_INPUT) {
		c->inputs = br_realloc(c->inputs, (c->ninputs + 1) * sizeof *c->inputs);
		c->inputs[c->ninputs++] = resolve(dir, value);
		return 0;
	}
	char **slot = (char **)((char *)c + k->offset);
	if (*slot)
		return br_fail_status(err, BR_EXIT_USAGE, "%s:%lu: %s is given "
				      "twice (only input repeats)", c->path, line, key);
	*slot = k->kind == V_PATH ? resolve(dir, value) : br_strdup(value);
	return 0;
}

int config_load(const char *path, struct config *c, struct br_err *err)
{
	memset(c, 0, sizeof *c);
	c->path = br_strdup(path);
	struct br_buf b = {0};
	errno = 0;
	if (br_file_read(path, CONFIG_MAX_BYTES, &b, err) != 0) {
		/* A file missing, not allowed or too large is the
		 * configuration's error; one that cannot be read now is the
		 * run's (EIO, EMFILE), whose next try may succeed. */
		if (!br_errno_transient(errno))
			err->status = BR_EXIT_USAGE;
		config_free(c);
		br_buf_free(&b);
		return -1;
	}
	size_t size = b.len;
	br_buf_putc(&b, 0);
	const char *slash = strrchr(path, '/');
	char *dir = slash ? br_strdup(path) : br_strdup(".");
	if (slash)
		dir[slash > path ? slash - path : 1] = 0;
	int rc = 0;
	unsigned long line = 0;
	/* A UTF-8 BOM (Notepad's "UTF-8 with BOM") is no part of the first
	 * key: "unknown key 'store'" named one that looked right. */
	for (char *p = b.p + br_utf8_bom_len(b.p, size), *next; p && rc == 0;
	     p = next) {
		size_t left = size - (size_t)(p - b.p);
		next = memchr(p, '\n', left);
		size_t len = next ? (size_t)(next - p) : left;
		if (next)
			*next++ = 0;
		line++;
		/* A NUL would end the value there, the rest of the line
		 * dropped unseen. */
		if (memchr(p, 0, len)) {
			const char *key = p + strspn(p, " \t");
			rc = br_fail_status(err, BR_EXIT_USAGE, "%s:%lu: %.*s: a "
					    "NUL byte in the line", path, line,
					    (int)strcspn(key, " \t"), key);
			break;
		}
		if (len && p[len - 1] == '\r')
			p[--len] = 0;
		p += strspn(p, " \t");
		if (*p && *p != '#')
			rc = config_line(c, dir, p, line, err);
	}
	free(dir);
	br_buf_free(&b);
	if (rc != 0)
		config_free(c);
	return rc;
}

const char *config_prices(const struct globals *g)
{
	return g->conf ? g->conf->prices : NULL;
}

const char *config_timezone(const struct globals *g)
{
	return g->conf && g->conf->timezone ? g->conf->timezone : "UTC";
}

/* The zone the configuration states for the store g uses: its timezone,
 * when the store is the configuration's (not another named by --store or
 * BURNRATE_STORE) or the configuration names none; else NULL. */
static const char *stated_zone(const struct globals *g)
{
	const struct config *c = g->conf;
	if (!c || !c->timezone)
		return NULL;
	return !c->store || g->store == c->store ? c->timezone : NULL;
}

struct store *config_store_open(const struct globals *g, struct br_err *err)
{
	const char *stated = stated_zone(g);
	if (stated && store_init(g->store, stated, err) != 0)
		return NULL;
	return store_open(g->store, config_timezone(g), err);
}

struct store *config_store_read(const struct globals *g, struct br_err *err)
{
	struct store *s = store_open(g->store, NULL, err);
	const char *stated = stated_zone(g);
	const char *zone = s ? br_tz_name(store_tz(s)) : NULL;
	if (zone && stated && strcmp(zone, stated) != 0) {
		br_fail_status(err, BR_EXIT_USAGE, "store '%s' has time zone %s, "
			       "not %s as %s states", g->store, zone, stated,
			       g->conf->path);
		store_free(s);
		return NULL;
	}
	return s;
}

const char *config_find(const char *given)
{
	if (given)
		return given;
	static const char *const places[] = {"./burnrate.conf",
					     "/etc/burnrate.conf"};
	for (size_t i = 0; i < 2; i++)
		if (access(places[i], F_OK) == 0)
			return places[i];
	return NULL;
}
