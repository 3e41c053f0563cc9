/* ingest.c - the ingest driver: walks paths, reads each input, splits it
 * into records, hands them to the format parser, rejects or dedupes them,
 * prices the events and feeds the sink. */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ingest/ingest_internal.h"

/* Bytes read between two progress reports. */
#define PROGRESS_EVERY ((uint64_t)4 << 20)

#define READ_CHUNK ((size_t)1 << 20)
#define MAX_DIR_DEPTH 64
#define REJECT_RECORD_MAX 4096

struct ingest {
	struct ingest_opts opts;
	struct ingest_sink sink;
	struct ingest_stats stats;
	struct br_dict *seen; /* request ids of the inputs read so far */
	struct br_dict *pending; /* request ids of the input being read */
	struct br_pricer *pricer;
	struct format_maps maps;
	char *chunk;
	struct br_buf line;   /* a line split across reads */
	struct br_buf record; /* the raw text of the record being read */
};

/* The state of one input being read. */
struct input_state {
	struct ingest *g;
	struct ingest_input in;
	struct format_parser *parser;
	unsigned long lineno, record_line;
	bool in_record;    /* the parser is inside a multi-line record */
	bool overlong;     /* the current line exceeded max_record */
	uint64_t line_len; /* length of the current line so far */
	struct br_err err; /* the reason the input failed */
	char reason[96];   /* a reject reason of the driver's own */
};

struct ingest *ingest_new(const struct ingest_opts *opts,
			  const struct ingest_sink *sink, struct br_err *err)
{
	const char *format = opts->format ? opts->format : "auto";
	if (!format_known(format)) {
		br_fail_status(err, BR_EXIT_USAGE,
			       "unknown format '%s'; expected one of %s",
			       format, format_names());
		return NULL;
	}
	struct format_maps maps = {0};
	for (size_t i = 0; i < opts->nmaps; i++) {
		const struct ingest_map *m = &opts->maps[i];
		int f = 0;
		while (f < CANON_COUNT && strcmp(canon_names[f], m->field) != 0)
			f++;
		if (f == CANON_COUNT) {
			br_fail_status(err, BR_EXIT_USAGE,
				       "--map: unknown field '%s'; expected one of "
				       "timestamp, provider, model, agent, label, "
				       "request_id, status, service_tier, input_tokens, "
				       "output_tokens, cache_read_tokens, "
				       "cache_write_tokens, cache_write_1h_tokens, "
				       "reasoning_tokens, cost_usd", m->field);
			return NULL;
		}
		if (!*m->path) {
			br_fail_status(err, BR_EXIT_USAGE, "--map %s: empty path",
				       m->field);
			return NULL;
		}
		maps.path[f] = m->path;
	}
	struct ingest *g = br_calloc(1, sizeof *g);
	g->opts = *opts;
	g->maps = maps;
	g->opts.format = format;
	if (!opts->tz)
		g->opts.only_from = BR_DAY_NONE;
	if (!g->opts.max_record)
		g->opts.max_record = INGEST_MAX_RECORD_DEFAULT;
	if (!g->opts.max_ratio)
		g->opts.max_ratio = INGEST_MAX_RATIO_DEFAULT;
	g->sink = *sink;
	g->seen = br_dict_new();
	g->pending = br_dict_new();
	g->pricer = br_pricer_new(opts->catalog, opts->cost_mode);
	g->chunk = br_malloc(READ_CHUNK);
	return g;
}

void ingest_free(struct ingest *g)
{
	if (!g)
		return;
	br_dict_free(g->seen);
	br_dict_free(g->pending);
	br_pricer_free(g->pricer);
	free(g->chunk);
	br_buf_free(&g->line);
	br_buf_free(&g->record);
	free(g);
}

const struct ingest_stats *ingest_stats(const struct ingest *g)
{
	return &g->stats;
}

/* --------------------------------------------------------------- records */

/* Writes "NAME:LINE: REASON: RECORD" with the record's newlines escaped. */
static void write_reject(struct ingest *g, const struct input_state *st,
			 const char *reason, const char *rec, size_t len)
{
	FILE *f = g->opts.rejects;
	if (!f)
		return;
	fprintf(f, "%s:%lu: %s: ", st->in.name, st->record_line, reason);
	size_t shown = len > REJECT_RECORD_MAX ? REJECT_RECORD_MAX : len;
	for (size_t i = 0; i < shown; i++) {
		if (rec[i] == '\n')
			fputs("\\n", f);
		else if (rec[i] == '\r')
			fputs("\\r", f);
		else
			fputc(rec[i], f);
	}
	if (shown < len)
		fprintf(f, "... (%zu bytes)", len);
	fputc('\n', f);
}

static void reject(struct ingest *g, struct input_state *st,
		   const char *reason, const char *rec, size_t len)
{
	st->in.rejected++;
	g->stats.rejected++;
	write_reject(g, st, reason, rec, len);
}

/* Counts a parsed event once, dropping a request id seen before. The ids
 * of the input being read stay pending until it is read to its end, so an
 * input that fails leaves no trace, not even in the duplicate check. */
static void deliver(struct ingest *g, struct input_state *st,
		    struct br_event *ev)
{
	if (!g->opts.no_dedupe && ev->request_id.n) {
		uint32_t before = br_dict_count(g->pending);
		if (br_dict_find(g->seen, ev->request_id.p, ev->request_id.n) >= 0 ||
		    (br_dict_intern(g->pending, ev->request_id.p, ev->request_id.n),
		     br_dict_count(g->pending) == before)) {
			st->in.duplicates++;
			g->stats.duplicates++;
			return;
		}
	}
	br_pricer_price(g->pricer, ev);
	st->in.events++;
	g->stats.events++;
	if (g->sink.event)
		g->sink.event(g->sink.ctx, ev);
}

/* Keeps an event of the current record, unless a backfill's day range
 * rejects it. */
static void accept_event(struct ingest *g, struct input_state *st,
			 struct br_event *ev)
{
	if (g->opts.only_from != BR_DAY_NONE) {
		int32_t day = br_tz_day(g->opts.tz, ev->ts_us);
		if (day < g->opts.only_from || day > g->opts.only_to) {
			char from[11], to[11], d[11];
			br_day_format(g->opts.only_from, from);
			br_day_format(g->opts.only_to, to);
			br_day_format(day, d);
			snprintf(st->reason, sizeof st->reason,
				 "day %s outside the --replace range %s..%s", d, from, to);
			reject(g, st, st->reason, g->record.p ? g->record.p : "",
			       g->record.len);
			return;
		}
	}
	deliver(g, st, ev);
}

/* The sink of the input's format: events it makes itself. */
static void format_event(void *ctx, struct br_event *ev)
{
	struct input_state *st = ctx;
	accept_event(st->g, st, ev);
}

static bool is_blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\f' &&
		    s[i] != '\v')
			return false;
	return true;
}

/* Handles one complete physical line. Returns -1 when the input fails. */
static int handle_line(struct ingest *g, struct input_state *st,
		       const char *line, size_t len)
{
	st->lineno++;
	if (st->lineno == 1 && len >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0) {
		line += 3;
		len -= 3;
	}
	if (len && line[len - 1] == '\r')
		len--;
	if (st->overlong) {
		st->overlong = false;
		if (!st->in_record)
			st->record_line = st->lineno;
		st->in.records++;
		g->stats.records++;
		char why[64];
		snprintf(why, sizeof why, "record longer than %zu bytes",
			 g->opts.max_record);
		reject(g, st, why, line, len);
		st->in_record = false;
		return 0;
	}
	if (!st->in_record && is_blank(line, len))
		return 0;
	if (!st->parser) {
		size_t i = 0;
		while (i < len && is_blank(line + i, 1))
			i++;
		st->parser = format_open(g->opts.format, line + i, len - i,
					 st->in.name, &g->maps, &st->err);
		if (!st->parser)
			return -1;
		st->parser->sink = (struct format_sink){st, format_event};
		st->in.format = st->parser->name;
	}
	if (!st->in_record) {
		st->record_line = st->lineno;
		br_buf_reset(&g->record);
	} else {
		br_buf_putc(&g->record, '\n');
	}
	br_buf_put(&g->record, line, len);
	if (g->record.len > g->opts.max_record) {
		/* A multi-line record (an unbalanced CSV quote) grew past the
		 * cap: the rest of the input cannot be split reliably. */
		return br_fail(&st->err, "%s:%lu: record longer than %zu bytes",
			       st->in.name, st->record_line, g->opts.max_record);
	}
	struct br_event ev;
	const char *why = NULL;
	int rc = st->parser->line(st->parser, line, len, &ev, &why, &st->err);
	if (rc == FORMAT_FAIL)
		return -1;
	st->in_record = rc == FORMAT_MORE;
	if (rc != FORMAT_RECORD && rc != FORMAT_EMITTED)
		return 0;
	st->in.records++;
	g->stats.records++;
	if (rc == FORMAT_EMITTED)
		return 0;
	if (why)
		reject(g, st, why, g->record.p, g->record.len);
	else
		accept_event(g, st, &ev);
	return 0;
}

/* Splits a chunk of decompressed bytes into lines. */
static int handle_bytes(struct ingest *g, struct input_state *st,
			const char *p, size_t n)
{
	while (n > 0) {
		const char *nl = memchr(p, '\n', n);
		size_t take = nl ? (size_t)(nl - p) : n;
		if (st->line_len + take > g->opts.max_record) {
			st->overlong = true;
			if (g->line.len < 256)
				br_buf_put(&g->line, p, take < 256 ? take : 256);
		} else if (!st->overlong) {
			br_buf_put(&g->line, p, take);
		}
		st->line_len += take;
		if (!nl)
			return 0;
		int rc = handle_line(g, st, g->line.p ? g->line.p : "", g->line.len);
		br_buf_reset(&g->line);
		st->line_len = 0;
		if (rc != 0)
			return rc;
		p = nl + 1;
		n -= take + 1;
	}
	return 0;
}

/* Hashes the first len bytes of the file fd again (when a partial last line
 * must be left out of the fingerprint). */
static int hash_file_prefix(int fd, uint64_t len, char *buf,
			    struct br_hasher *h)
{
	br_hash_init(h);
	for (uint64_t pos = 0; pos < len;) {
		size_t want = len - pos < READ_CHUNK ? (size_t)(len - pos) : READ_CHUNK;
		ssize_t r = pread(fd, buf, want, (off_t)pos);
		if (r <= 0)
			return -1;
		br_hash_update(h, buf, (size_t)r);
		pos += (uint64_t)r;
	}
	return 0;
}

/* Reading the already ingested prefix of a grown plain file. */
struct resume {
	bool active;
	struct ingest_known k;
	uint64_t pos;
	unsigned long lines;
};

/* Takes up to n bytes of the known prefix at p into the hash h. Once the
 * whole prefix is read, checks it: a prefix that changed fails the input,
 * which was edited in place and would otherwise be counted twice. Returns
 * the bytes taken. */
static size_t resume_take(struct resume *rs, struct br_hasher *h,
			  const char *p, size_t n, struct input_state *st)
{
	size_t take = rs->k.bytes - rs->pos < n ? (size_t)(rs->k.bytes - rs->pos) : n;
	br_hash_update(h, p, take);
	for (size_t i = 0; i < take; i++)
		rs->lines += p[i] == '\n';
	rs->pos += take;
	if (rs->pos == rs->k.bytes) {
		if (!br_fp_equal(br_hash_final(h), rs->k.fp))
			br_fail(&st->err, "%s: its first %llu bytes changed since they "
				"were ingested; not counted again (ingest it with "
				"--replace to recount its days)", st->in.name,
				(unsigned long long)rs->k.bytes);
		rs->active = false;
		st->lineno = rs->lines;
		st->in.resumed_at = rs->k.bytes;
	}
	return take;
}

/* Reads one input from src (over fd, or an archive member when fd is -1)
 * to its end and reports it to the sink. key is a plain file's canonical
 * path (NULL otherwise): such a file may resume where an earlier run
 * ended, and its partial last line waits. Takes src. */
static int ingest_source(struct ingest *g, struct source *src, int fd,
			 const char *name, const char *key, struct br_err *err)
{
	struct input_state st = {.g = g, .in = {.name = name, .key = key}};
	struct br_hasher h;
	struct resume rs = {0};
	struct stat sb;
	/* A file shorter than what was ingested of it is a new one (a rotated
	 * or truncated log): it is read whole. */
	if (key && g->sink.known && g->sink.known(g->sink.ctx, key, &rs.k) &&
	    rs.k.bytes > 0 && fstat(fd, &sb) == 0 &&
	    (uint64_t)sb.st_size >= rs.k.bytes)
		rs.active = true;
	br_hash_init(&h);
	br_buf_reset(&g->line);
	br_dict_free(g->pending);
	g->pending = br_dict_new();
	if (g->sink.begin)
		g->sink.begin(g->sink.ctx, name);
	source_set_max_ratio(src, g->opts.max_ratio);
	int rc = 0;
	uint64_t reported = 0;
	for (;;) {
		ssize_t n = source_read(src, g->chunk, READ_CHUNK, &st.err);
		if (n <= 0) {
			rc = n < 0 ? -1 : 0;
			break;
		}
		const char *p = g->chunk;
		size_t left = (size_t)n;
		st.in.bytes += (uint64_t)n;
		if (rs.active && source_compressed(src))
			rs.active = false;
		if (rs.active) {
			size_t take = resume_take(&rs, &h, p, left, &st);
			if (br_failed(&st.err)) {
				rc = -1;
				break;
			}
			p += take;
			left -= take;
		}
		br_hash_update(&h, p, left);
		if ((rc = handle_bytes(g, &st, p, left)) != 0)
			break;
		if (g->sink.progress && st.in.bytes - reported >= PROGRESS_EVERY) {
			reported = st.in.bytes;
			struct ingest_stats now = g->stats;
			now.bytes += st.in.bytes;
			g->sink.progress(g->sink.ctx, &now);
		}
	}
	bool partial = g->line.len > 0 || st.overlong;
	if (rc == 0 && partial && key && fd >= 0 && !source_compressed(src) &&
	    !g->opts.complete) {
		/* A log being written: its last line waits for the next run. */
		st.in.waiting = true;
		st.in.bytes -= st.line_len;
		if (hash_file_prefix(fd, st.in.bytes, g->chunk, &h) != 0)
			rc = br_fail(&st.err, "%s: cannot read: %s", name, strerror(errno));
	} else if (rc == 0 && partial) {
		rc = handle_line(g, &st, g->line.p ? g->line.p : "", g->line.len);
	}
	if (rc == 0 && st.parser) {
		const char *why = NULL;
		if (st.parser->finish(st.parser, &why)) {
			st.in.records++;
			g->stats.records++;
			reject(g, &st, why, g->record.p ? g->record.p : "",
			       g->record.len);
		}
	}
	source_free(src);
	if (st.parser)
		st.parser->free(st.parser);
	st.in.fp = br_hash_final(&h);
	g->stats.bytes += st.in.bytes;
	if (rc == 0) {
		g->stats.inputs++;
		g->stats.resumed += st.in.resumed_at > 0 &&
				    st.in.bytes > st.in.resumed_at;
		g->stats.waiting += st.in.waiting;
		for (uint32_t i = 0; i < br_dict_count(g->pending); i++) {
			size_t n;
			const char *id = br_dict_str(g->pending, i, &n);
			br_dict_intern(g->seen, id, n);
		}
	} else {
		/* Nothing of a failed input counts, not even in the stats. */
		g->stats.failed_inputs++;
		g->stats.records -= st.in.records;
		g->stats.events -= st.in.events;
		g->stats.rejected -= st.in.rejected;
		g->stats.duplicates -= st.in.duplicates;
		br_fail(err, "%s", st.err.msg);
	}
	if (g->sink.end)
		g->sink.end(g->sink.ctx, &st.in, rc == 0, st.err.msg);
	return rc;
}

static int ingest_fd(struct ingest *g, int fd, const char *name,
		     const char *key, struct br_err *err)
{
	return ingest_source(g, source_open(fd, name), fd, name, key, err);
}

static bool is_log_name(const char *name);

/* Tells whether the first bytes of a file are a container libarchive
 * reads: zstd, xz, bzip2, lz4, zip, 7z, or a tar archive. gzip is read by
 * ISA-L (source.c), also when it holds a tar, which libarchive then gets. */
static bool libarchive_magic(const unsigned char *p, size_t n)
{
	static const struct {
		const char *magic;
		size_t len, off;
	} m[] = {
		{"\x28\xb5\x2f\xfd", 4, 0},         /* zstd */
		{"\xfd\x37\x7a\x58\x5a\x00", 6, 0}, /* xz */
		{"BZh", 3, 0},                       /* bzip2 */
		{"\x04\x22\x4d\x18", 4, 0},         /* lz4 */
		{"PK\x03\x04", 4, 0},                /* zip */
		{"PK\x05\x06", 4, 0},                /* empty zip */
		{"7z\xbc\xaf\x27\x1c", 6, 0},        /* 7z */
		{"ustar", 5, 257},                   /* tar */
	};
	for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
		if (n >= m[i].off + m[i].len &&
		    memcmp(p + m[i].off, m[i].magic, m[i].len) == 0)
			return true;
	return false;
}

/* Ingests every log member of an archive (or the one stream of a file
 * compressed with zstd, xz, bzip2 or lz4), each as its own input named
 * "archive:member". A member that cannot be read fails alone; an archive
 * whose structure breaks stops there, failing. */
static int ingest_archive(struct ingest *g, int fd, const char *path,
			  struct br_err *err)
{
	struct archive *a = archive_read_new();
	archive_read_support_filter_all(a);
	/* Containers only: libarchive's text formats (mtree, shar) would
	 * claim a compressed log; raw bids last and takes a lone stream. */
	archive_read_support_format_tar(a);
	archive_read_support_format_zip(a);
	archive_read_support_format_7zip(a);
	archive_read_support_format_raw(a);
	int rc = 0;
	if (archive_read_open_fd(a, fd, 1 << 20) != ARCHIVE_OK) {
		rc = br_fail(err, "%s: cannot read the archive: %s", path,
			     archive_error_string(a));
		archive_read_free(a);
		return rc;
	}
	struct archive_entry *e;
	struct br_buf name = {0};
	for (;;) {
		int r = archive_read_next_header(a, &e);
		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN) {
			rc = br_fail(err, "%s: corrupt archive: %s", path,
				     archive_error_string(a));
			struct ingest_input in = {.name = path};
			g->stats.failed_inputs++;
			if (g->sink.begin)
				g->sink.begin(g->sink.ctx, path);
			if (g->sink.end)
				g->sink.end(g->sink.ctx, &in, false, err->msg);
			break;
		}
		bool raw = archive_format(a) == ARCHIVE_FORMAT_RAW;
		const char *member = archive_entry_pathname(e);
		if (!raw && (archive_entry_filetype(e) != AE_IFREG || !member ||
			     !is_log_name(member)))
			continue;
		br_buf_reset(&name);
		if (raw)
			br_buf_puts(&name, path);
		else
			br_buf_printf(&name, "%s:%s", path, member);
		struct br_err e2 = {0};
		if (ingest_source(g, source_open_member(a, name.p), -1, name.p,
				  NULL, &e2) != 0) {
			rc = br_fail(err, "%s", e2.msg);
			if (archive_errno(a) != 0 && raw)
				break;
		}
		if (raw)
			break;
	}
	br_buf_free(&name);
	archive_read_free(a);
	return rc;
}

/* ----------------------------------------------------------------- paths */

/* Tells whether a file found in a directory walk looks like a log. */
static bool is_log_name(const char *name)
{
	static const char *const compressed[] = {".gz", ".zst", ".xz", ".bz2", ".lz4"};
	static const char *const logs[] = {".jsonl", ".ndjson", ".json", ".csv", ".log"};
	size_t n = strlen(name);
	for (size_t i = 0; i < sizeof compressed / sizeof compressed[0]; i++) {
		size_t k = strlen(compressed[i]);
		if (n > k && strcmp(name + n - k, compressed[i]) == 0) {
			n -= k;
			break;
		}
	}
	for (size_t i = 0; i < sizeof logs / sizeof logs[0]; i++) {
		size_t k = strlen(logs[i]);
		if (n > k && strncmp(name + n - k, logs[i], k) == 0)
			return true;
	}
	return false;
}

struct path_list {
	char **p;
	size_t n, cap;
};

static void path_list_add(struct path_list *l, char *path)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 32;
		l->p = br_realloc(l->p, l->cap * sizeof *l->p);
	}
	l->p[l->n++] = path;
}

/* Collects the log files below dir; symbolic links to directories and
 * hidden entries are skipped, so a walk can neither loop nor escape. */
static int walk(const char *dir, int depth, struct path_list *out,
		struct br_err *err)
{
	if (depth > MAX_DIR_DEPTH)
		return br_fail(err, "%s: directories nested more than %d deep",
			       dir, MAX_DIR_DEPTH);
	DIR *d = opendir(dir);
	if (!d)
		return br_fail(err, "cannot open directory '%s': %s", dir,
			       strerror(errno));
	struct dirent *e;
	int rc = 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		struct br_buf path = {0};
		size_t n = strlen(dir);
		br_buf_printf(&path, "%s%s%s", dir, n && dir[n - 1] == '/' ? "" : "/",
			      e->d_name);
		struct stat st;
		bool is_link = lstat(path.p, &st) == 0 && S_ISLNK(st.st_mode);
		if (stat(path.p, &st) != 0) {
			br_buf_free(&path);
			continue; /* a dangling link */
		}
		if (S_ISDIR(st.st_mode) && !is_link) {
			if (walk(path.p, depth + 1, out, err) != 0)
				rc = -1;
			br_buf_free(&path);
		} else if (S_ISREG(st.st_mode) && is_log_name(e->d_name)) {
			path_list_add(out, path.p);
		} else {
			br_buf_free(&path);
		}
	}
	closedir(d);
	return rc;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int ingest_file(struct ingest *g, const char *path, struct br_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		struct br_err e = {0};
		br_fail(&e, "cannot open '%s': %s", path, strerror(errno));
		br_fail(err, "%s", e.msg);
		struct ingest_input in = {.name = path};
		g->stats.failed_inputs++;
		if (g->sink.begin)
			g->sink.begin(g->sink.ctx, path);
		if (g->sink.end)
			g->sink.end(g->sink.ctx, &in, false, e.msg);
		return -1;
	}
	unsigned char head[512];
	ssize_t n = pread(fd, head, sizeof head, 0);
	if (n > 0 && (libarchive_magic(head, (size_t)n) ||
		      (n >= 2 && head[0] == 0x1f && head[1] == 0x8b &&
		       source_gzip_holds_tar(fd)))) {
		int rc = ingest_archive(g, fd, path, err);
		close(fd);
		return rc;
	}
	char *key = realpath(path, NULL);
	int rc = ingest_fd(g, fd, path, key ? key : path, err);
	free(key);
	close(fd);
	return rc;
}

int ingest_path(struct ingest *g, const char *path, struct br_err *err)
{
	if (strcmp(path, "-") == 0)
		return ingest_fd(g, STDIN_FILENO, "-", NULL, err);
	struct stat st;
	if (stat(path, &st) != 0)
		return br_fail(err, "cannot open '%s': %s", path, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return ingest_file(g, path, err);
	struct path_list files = {0};
	int rc = walk(path, 0, &files, err);
	if (files.n)
		qsort(files.p, files.n, sizeof *files.p, str_cmp);
	for (size_t i = 0; i < files.n; i++) {
		if (ingest_file(g, files.p[i], err) != 0)
			rc = -1;
		free(files.p[i]);
	}
	free(files.p);
	return rc;
}
