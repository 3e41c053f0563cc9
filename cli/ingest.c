/* ingest.c - the ingest command: reads inputs through ingest.h and
 * publishes what it kept as one segment of the store. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"

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

/* Takes every count of src out of dst's of the same string, dropping the
 * strings left at 0; false when dst's is below src's. */
static bool tally_subtract(struct tally *dst, const struct tally *src)
{
	uint32_t n = src->names ? br_dict_count(src->names) : 0;
	for (uint32_t i = 0; i < n; i++) {
		size_t len;
		const char *s = br_dict_str(src->names, i, &len);
		int64_t at = dst->names ? br_dict_find(dst->names, s, len) : -1;
		if (at < 0 || dst->count[at] < src->count[i])
			return false;
		dst->count[at] -= src->count[i];
	}
	if (!n)
		return true;
	struct tally left = {0};
	for (uint32_t i = 0; i < br_dict_count(dst->names); i++) {
		size_t len;
		const char *s = br_dict_str(dst->names, i, &len);
		if (dst->count[i])
			tally_add(&left, s, len, dst->count[i]);
	}
	tally_free(dst);
	*dst = left;
	return true;
}

/* An input's aggregate is emptied and kept for a later input, up to
 * SPARE_AGGS of them, unless it holds more than SPARE_AGG_ROWS rows (its
 * memory is then let go): a backfill of 10,000 small logs allocated and
 * freed, for each, an aggregate and a dictionary of a string each. */
#define SPARE_AGGS 8
#define SPARE_AGG_ROWS 1024

/* The state of one ingest command: what the sink collects over the run. */
struct ingest_run {
	const struct globals *g;
	struct store *store;
	const struct br_tz *tz;
	struct agg *run_rows;   /* rows of every input kept so far */
	struct store_input *inputs;
	size_t ninputs, cap;
	/* Paths whose content was ingested under another name, recorded
	 * with it (keep_path): published after inputs, counted in none. */
	struct store_input *moved;
	size_t nmoved, moved_cap;
	struct br_dict *input_fps; /* the inputs' fingerprints, as bytes */
	uint64_t skipped;       /* inputs already ingested */
	/* A backfill's inputs with no record in its range that another
	 * source (or a merge) holds: left out, not recorded (sink_end). */
	uint64_t left_out;
	/* What the inputs kept hold (those skipped or failed add nothing). */
	uint64_t records, events, duplicates, rejected;
	bool backfill;          /* --replace: re-read inputs ingested before */
	const char *source;     /* the source the run publishes under */
	bool dry_run;           /* --dry-run: nothing is published */
	uint64_t failed;
	struct br_err store_err; /* a store failure seen inside the sink */
	struct tally run_unpriced; /* "provider/model[ at the TIER tier]" */
	uint64_t run_cost_lines, run_cost_lines_unused, run_more_requests;
	/* Records whose token counts are top-level keys, read as none (the
	 * generic format's br_event.tokens_elsewhere), and the first input of
	 * them. */
	uint64_t run_tokens_elsewhere;
	char *first_tokens_elsewhere;
	/* The compressed files known by their bytes (STORE/streams), as
	 * read; of them, those whose content the store holds, by size and
	 * fingerprint (sink_packed); and those read whole in this run. */
	struct store_stream *streams;
	size_t nstreams;
	struct known_stream *packed;
	size_t npacked;
	struct store_stream *new_streams;
	size_t nnew_streams, new_streams_cap;
	/* The plain files ingested before whose first bytes are known, by
	 * directory (sink_continued), once asked: loaded under earlier_lock
	 * (an archive's members are asked about on the threads reading
	 * them), read only from then on. */
	struct earlier *earlier;
	size_t nearlier, earlier_cap;
	bool earlier_loaded;
	pthread_mutex_t earlier_lock;
	/* The same, by head (then the largest first): those of other
	 * directories (a log moved by logrotate's olddir); by bytes; and the
	 * least bytes of any. */
	size_t *by_head;
	size_t *by_bytes;
	uint64_t earlier_min;
	bool warn;              /* warnings are printed */
	bool strict;            /* a warning is an error (ingest_job.strict) */
	bool no_input;          /* with strict: a file gave no input */
	/* Without --rejects: the first REJECT_SAMPLES rejected records of
	 * the inputs kept, "NAME:LINE: REASON: RECORD" lines, as read. */
	struct br_buf reject_samples;
	unsigned nreject_samples;
	/* A backfill's inputs new to the store with records outside its
	 * range, each "COUNT NAME" and a NUL (a name may hold a newline):
	 * warned about once it is published. */
	struct br_buf outside;
	/* The progress line (a terminal only): when it started and was
	 * last shown, and the most records and bytes it showed. */
	bool progress;
	double started, last_shown;
	uint64_t shown_records, shown_bytes;
	/* Inputs' aggregates emptied for the next inputs, which the pool's
	 * threads take (sink_begin). */
	pthread_mutex_t spare_lock;
	struct agg *spare[SPARE_AGGS];
	unsigned nspare;
};

/* A compressed file whose content the store holds (sink_packed), and
 * whether this run found it (atomic: asked by the threads reading). */
struct known_stream {
	struct store_stream s;
	bool used;
};

/* What the sink collects of one input, on the thread reading it. */
struct input_rows {
	const struct br_tz *tz;
	/* tz is UTC, a zone of no offset (br_tz_load's own): an event's day
	 * is then its price_day, the UTC day pricing gave it. */
	bool utc;
	struct agg *rows;
	struct tally unpriced;
	/* Cost lines (the OpenAI Costs API): events but not requests; and
	 * those whose logged cost the cost mode did not take (calculate),
	 * which count $0, having no tokens. */
	uint64_t cost_lines, cost_lines_unused;
	/* Requests beyond one of events that stand for several (an OpenAI
	 * Usage API bucket of num_model_requests). */
	uint64_t more_requests;
	uint64_t tokens_elsewhere; /* br_event.tokens_elsewhere */
};

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Rewrites the progress line on stderr: inputs, records, MB, MB/s and
 * ETA. Records and MB never go back: an input read again (its blocks were
 * not independent, or it continues another) counts from 0 again, shown
 * once it passes its first read. The ETA is the time so far times the
 * decompressed bytes left over those read (ingest_progress.bytes_total;
 * none while an input is read again). */
static void show_progress(struct ingest_run *r, const struct ingest_progress *p,
			  bool final)
{
	double t = now_seconds();
	if (!r->progress || (!final && t - r->last_shown < 0.2))
		return;
	r->last_shown = t;
	if (p->records > r->shown_records)
		r->shown_records = p->records;
	if (p->bytes > r->shown_bytes)
		r->shown_bytes = p->bytes;
	double el = t - r->started > 1e-6 ? t - r->started : 1e-6;
	char eta[32] = "";
	if (p->bytes_total && p->bytes && !final) {
		double left = p->bytes < p->bytes_total
				      ? el * (double)(p->bytes_total - p->bytes) /
					(double)p->bytes
				      : 0;
		snprintf(eta, sizeof eta, ", ETA %.0fs", left);
	}
	fprintf(stderr, "\r\033[Kburnrate: %llu/%llu input%s, %llu records, "
		"%.0f MB, %.0f MB/s%s%s", (unsigned long long)p->inputs_done,
		(unsigned long long)p->inputs_total, p->inputs_total == 1 ? "" : "s",
		(unsigned long long)r->shown_records, r->shown_bytes / 1e6,
		r->shown_bytes / 1e6 / el, eta, final ? "\n" : "");
	progress_shown(!final);
}

static void sink_progress(void *ctx, const struct ingest_progress *p)
{
	show_progress(ctx, p, false);
}

static void sink_warning(void *ctx, const char *message)
{
	struct ingest_run *r = ctx;
	if (r->strict) {
		print_error("%s: the input holds no log to count", message);
		r->no_input = true;
	} else if (r->warn) {
		print_warning("%s", message);
	}
}

static void sink_note(void *ctx, const char *message)
{
	struct ingest_run *r = ctx;
	if (r->g->verbose)
		print_note("%s", message);
}

static void *sink_begin(void *ctx, const char *name)
{
	(void)name;
	struct ingest_run *r = ctx;
	struct input_rows *in = br_calloc(1, sizeof *in);
	in->tz = r->tz;
	in->utc = strcmp(br_tz_name(r->tz), "UTC") == 0;
	pthread_mutex_lock(&r->spare_lock);
	if (r->nspare)
		in->rows = r->spare[--r->nspare];
	pthread_mutex_unlock(&r->spare_lock);
	if (in->rows)
		agg_clear(in->rows);
	else
		in->rows = agg_new();
	agg_spill_at(in->rows, AGG_SPILL_ROWS);
	return in;
}

/* Counts the requests of an event its catalog did not price under its
 * provider/model. Out of line: its buffer made every event's call of
 * sink_event save more registers and set up a frame (37.2 -> 31.9
 * instructions an event there, callgrind, first300k.jsonl). */
static __attribute__((noinline, cold)) void
tally_unpriced(struct input_rows *in, const struct br_event *ev,
	       uint64_t requests)
{
	char name[512];
	/* The tier, when not the standard one: a model the catalog prices
	 * at standard rates may have no price at another (an Anthropic
	 * priority request), which prices show's standard rates hid. */
	int n = snprintf(name, sizeof name, "%.*s/%.*s%s%s%s",
			 (int)ev->provider.n, ev->provider.p, (int)ev->model.n,
			 ev->model.p, ev->tier ? " at the " : "",
			 ev->tier ? br_tier_name(ev->tier) : "",
			 ev->tier ? " tier" : "");
	tally_add(&in->unpriced, name,
		  n < (int)sizeof name ? (size_t)n : sizeof name - 1, requests);
}

/* sink_event of an event that is not the usual one: what it counts
 * besides its row (a cost line, the requests of an aggregate row beyond
 * one, those not priced, counts not in usage), and its row on its day in
 * the store's zone when that is not UTC. Out of line: the usual event
 * has none of that. */
static __attribute__((noinline)) void sink_other(struct input_rows *in,
						 const struct br_event *ev)
{
	uint64_t requests = ev->cost_only ? 0 : ev->requests ? ev->requests : 1;
	in->more_requests += requests > 1 ? requests - 1 : 0;
	if (!ev->priced && requests)
		tally_unpriced(in, ev, requests);
	in->cost_lines += ev->cost_only;
	in->cost_lines_unused += ev->cost_only &&
				 ev->cost_source != BR_COST_FROM_LOG;
	in->tokens_elsewhere += ev->tokens_elsewhere;
	agg_add(in->rows, in->utc ? ev->price_day : br_tz_day(in->tz, ev->ts_us),
		ev);
}

static void sink_event(void *input, const struct br_event *ev)
{
	struct input_rows *in = input;
	/* The usual event, one request priced (requests 0 or 1) in a UTC
	 * store, counts nothing but its row on the day pricing gave: told
	 * by one test, its row added by a tail call, sink_event needs no
	 * frame of its own: 32 -> 16 instructions an event (callgrind, the
	 * bench's first 300,000 records). Bitwise: clang's
	 * -Wbitwise-instead-of-logical wants ints. */
	if ((int)ev->cost_only | (int)(ev->requests > 1) | (int)!ev->priced |
	    (int)ev->tokens_elsewhere | (int)!in->utc)
		sink_other(in, ev);
	else
		agg_add(in->rows, ev->price_day, ev);
}

static void sink_read(void *ctx, void *input)
{
	(void)ctx;
	struct input_rows *in = input;
	agg_settle(in->rows);
}

static void sink_drop(void *ctx, void *input)
{
	struct ingest_run *r = ctx;
	struct input_rows *in = input;
	if (!in)
		return;
	if (agg_rows(in->rows) <= SPARE_AGG_ROWS) {
		/* Kept whole, emptied when taken (sink_begin): its
		 * dictionary keeps its strings, as the next input's are
		 * likely the same. */
		pthread_mutex_lock(&r->spare_lock);
		if (r->nspare < SPARE_AGGS) {
			r->spare[r->nspare++] = in->rows;
			in->rows = NULL;
		}
		pthread_mutex_unlock(&r->spare_lock);
	}
	agg_free(in->rows);
	tally_free(&in->unpriced);
	free(in);
}

/* Adds the rows of *from to *into, the smaller into the larger (which may
 * swap them), so that the rows are not held twice. */
static void rows_fold(struct agg **into, struct agg **from)
{
	if (agg_rows(*into) < agg_rows(*from)) {
		struct agg *t = *into;
		*into = *from;
		*from = t;
	}
	agg_merge(*into, *from);
}

/* Folds the events a pool thread parsed of an input into the input's. */
static void sink_merge(void *ctx, void *into, void *part)
{
	struct input_rows *a = into, *b = part;
	rows_fold(&a->rows, &b->rows);
	tally_move(&a->unpriced, &b->unpriced);
	a->cost_lines += b->cost_lines;
	a->cost_lines_unused += b->cost_lines_unused;
	a->more_requests += b->more_requests;
	a->tokens_elsewhere += b->tokens_elsewhere;
	sink_drop(ctx, part);
}

/* Takes the events of minus out of into (ingest_sink.subtract): those of
 * a split input whose request ids settled duplicates, counted as they were
 * parsed. Not exact, and the input read again on one thread, when into
 * holds cost lines (rows of no request, which a row left with no request
 * could be) or a sum saturated. */
static bool sink_subtract(void *ctx, void *into, void *minus)
{
	struct input_rows *a = into, *m = minus;
	bool exact = !a->cost_lines && !m->cost_lines &&
		     a->more_requests >= m->more_requests &&
		     a->tokens_elsewhere >= m->tokens_elsewhere &&
		     tally_subtract(&a->unpriced, &m->unpriced) &&
		     agg_subtract(a->rows, m->rows);
	if (exact) {
		a->more_requests -= m->more_requests;
		a->tokens_elsewhere -= m->tokens_elsewhere;
	}
	sink_drop(ctx, minus);
	return exact;
}

/* Tells whether fp was already kept during this run. */
static bool run_has_input(const struct ingest_run *r, struct br_fp fp)
{
	return br_dict_find(r->input_fps, (const char *)&fp, sizeof fp) >= 0;
}

/* 1 when the content fp was ingested before (in the store or this run),
 * 0 when not, -1 on a store error. */
static int already_ingested(struct ingest_run *r, struct br_fp fp)
{
	int known = r->backfill ? 0 : store_has_input(r->store, fp, &r->store_err);
	return known < 0 ? -1 : known || run_has_input(r, fp);
}

static bool sink_wants(void *ctx, const struct ingest_input *in)
{
	return already_ingested(ctx, in->fp) == 0;
}

/* Rejected records named under the warning that counts them, without
 * --rejects. */
#define REJECT_SAMPLES 5
/* The bytes of each shown: file, line, reason and the record's start (the
 * rejects file has the whole record). */
#define REJECT_SAMPLE_BYTES 240

/* Keeps the first of an input's rejected records until REJECT_SAMPLES are
 * kept. */
static void keep_reject_samples(struct ingest_run *r, const char *samples)
{
	for (const char *p = samples; p && *p && r->nreject_samples < REJECT_SAMPLES;
	     r->nreject_samples++) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		br_buf_put(&r->reject_samples, p, n);
		br_buf_putc(&r->reject_samples, '\n');
		p += nl ? n + 1 : n;
	}
}

/* Prints the rejected records kept, each cut to REJECT_SAMPLE_BYTES and
 * with its control characters replaced (log bytes reach a terminal). */
static void print_reject_samples(const struct ingest_run *r)
{
	const struct br_buf *b = &r->reject_samples;
	for (size_t at = 0; at < b->len;) {
		const char *p = b->p + at, *nl = memchr(p, '\n', b->len - at);
		size_t n = (size_t)(nl - p), cut = br_utf8_cut(p, n, REJECT_SAMPLE_BYTES);
		char *line = br_strndup(p, cut);
		char *shown = br_printable(line);
		fprintf(stderr, "  %s%s\n", shown, cut < n ? "..." : "");
		free(shown);
		free(line);
		at += n + 1;
	}
}

/* Warns of a published backfill's inputs new to the store with records
 * outside its range (r->outside): each is recorded as ingested (its
 * content, up to where it was read), so no later ingest reads it again,
 * and those of its records outside the range that no earlier ingest
 * counted are never counted. The store keeps no day range per input (a
 * file's other days may be counted from other files, or not at all); the
 * operator is told, by name. */
static void warn_outside(const struct ingest_run *r)
{
	const struct br_buf *b = &r->outside;
	for (size_t at = 0; at < b->len;) {
		const char *p = b->p + at;
		char *end;
		unsigned long long n = strtoull(p, &end, 10);
		char *shown = br_printable(end + 1);
		print_warning("%s: %llu record%s outside the --replace range, not "
			      "counted; it is now recorded as ingested, so a later "
			      "ingest or run will not read it again: what of %s no "
			      "earlier ingest counted, only a backfill of %s days "
			      "will", shown, n, n == 1 ? "" : "s",
			      n == 1 ? "it" : "them", n == 1 ? "its" : "their");
		free(shown);
		at += strlen(p) + 1;
	}
}

/* The file a backfill read, whose first bytes (of its content, when it is
 * a compressed stream) an input of another source, or of a merged
 * segment, may have ingested. */
struct prefix_probe {
	const char *key; /* its canonical path */
	size_t dirlen;
	int fd;
	uint64_t size; /* of the file, UINT64_MAX when packed */
	bool packed;   /* a compressed stream: its content is compared */
	bool failed;   /* its content could not be read again */
	char *buf; /* SCRATCH bytes */
	size_t nfirst; /* of its first bytes read into first (-1: none yet) */
	char first[INGEST_HEAD_BYTES];
	uint32_t head; /* ingest_head of all of first, when read */
};

#define PREFIX_SCRATCH ((size_t)64 << 10)

static size_t dir_len(const char *path);

/* Opens the content of the file at fd from its start, decompressed by
 * libarchive's filters (a stream of zstd, xz, bzip2, lz4, or gzip of any
 * number of members), read as one raw entry; NULL when it cannot be read
 * (an empty file has no entry). More than one filter (the last: none)
 * tells that it is compressed. Out of memory: br_oom(), not NULL, which
 * would take a compressed log for a plain file. */
static struct archive *content_open(int fd)
{
	struct archive *a = br_archive_read_new();
	struct archive_entry *e;
	if (archive_read_support_filter_all(a) != ARCHIVE_OK ||
	    archive_read_support_format_raw(a) != ARCHIVE_OK ||
	    lseek(fd, 0, SEEK_SET) != 0 ||
	    archive_read_open_fd(a, fd, PREFIX_SCRATCH) != ARCHIVE_OK ||
	    archive_read_next_header(a, &e) != ARCHIVE_OK) {
		if (archive_errno(a) == ENOMEM)
			br_oom();
		archive_read_free(a);
		return NULL;
	}
	return a;
}

/* Reads up to n bytes of the probe's file (its content when packed) from
 * offset pos into buf: when packed, from a, its content's reader, which
 * has read pos bytes. Returns the bytes read, or 0 at the end or on an
 * error (which marks the probe failed). */
static size_t probe_read(struct prefix_probe *p, struct archive *a,
			 char *buf, size_t n, uint64_t pos)
{
	ssize_t r = p->packed ? archive_read_data(a, buf, n)
			      : pread(p->fd, buf, n, (off_t)pos);
	p->failed |= r < 0;
	return r < 0 ? 0 : (size_t)r;
}

/* Opens the content of the probe's file when packed (content_open);
 * NULL, the probe failed, when it cannot be, or when it is not packed. */
static struct archive *probe_open(struct prefix_probe *p)
{
	if (!p->packed)
		return NULL;
	struct archive *a = content_open(p->fd);
	p->failed |= !a;
	return a;
}

/* Tells whether the probe's file begins with n bytes (n <= its size) whose
 * ingest_head is head. Its first bytes are read once. */
static bool probe_head_is(struct prefix_probe *p, size_t n, uint32_t head)
{
	if (p->nfirst == (size_t)-1) {
		size_t want = p->size < INGEST_HEAD_BYTES ? (size_t)p->size
							 : INGEST_HEAD_BYTES;
		struct archive *a = probe_open(p);
		p->nfirst = 0;
		if (a || !p->packed) {
			size_t r;
			while (p->nfirst < want &&
			       (r = probe_read(p, a, p->first + p->nfirst,
					       want - p->nfirst, p->nfirst)) > 0)
				p->nfirst += r;
		}
		if (a)
			archive_read_free(a);
		p->head = ingest_head(p->first, p->nfirst);
	}
	if (n > p->nfirst)
		return false;
	return (n == p->nfirst ? p->head : ingest_head(p->first, n)) == head;
}

/* Tells whether in ingested the first in->bytes bytes of the probe's
 * file: the same path (the log grew since) or a log of its directory that
 * began as it does (rotated, as sink_continued finds it), whose bytes
 * have in's fingerprint. An input of a merged segment names a file of the
 * host of the store it was merged from: one that began as it does is
 * matched in any directory. */
static bool is_prefix_of(void *ctx, const struct store_input *in, bool merged)
{
	struct prefix_probe *p = ctx;
	/* One that counted no records (a CSV log's header alone) holds
	 * nothing to count twice. */
	if (in->name[0] != '/' || !in->bytes || !in->records ||
	    in->bytes > p->size)
		return false;
	bool here = dir_len(in->name) == p->dirlen &&
		    memcmp(in->name, p->key, p->dirlen) == 0;
	if (!here && !(merged && in->head))
		return false;
	/* Its head first, which tells most others apart for 4 KiB read
	 * once (a path's older logs, rotated away); another file needs it. */
	if (in->head) {
		size_t n = in->bytes < INGEST_HEAD_BYTES ? (size_t)in->bytes
							 : INGEST_HEAD_BYTES;
		if (!probe_head_is(p, n, in->head))
			return false;
	} else if (strcmp(in->name, p->key) != 0) {
		return false;
	}
	struct archive *a = probe_open(p);
	if (p->packed && !a)
		return false;
	struct br_hasher h;
	br_hash_init(&h);
	uint64_t pos = 0;
	while (pos < in->bytes) {
		size_t want = in->bytes - pos < PREFIX_SCRATCH
				      ? (size_t)(in->bytes - pos) : PREFIX_SCRATCH;
		size_t r = probe_read(p, a, p->buf, want, pos);
		if (!r)
			break;
		br_hash_update(&h, p->buf, r);
		pos += r;
	}
	if (a)
		archive_read_free(a);
	return pos == in->bytes && br_fp_equal(br_hash_final(&h), in->fp);
}

/* Fills *out with where the store holds an input of the backfill: its
 * content (fingerprint fp) or, of the plain file at key (NULL: none),
 * which may have grown or been rotated since, its first bytes. Returns 0
 * or -1 (r->store_err tells). */
static int input_holders(struct ingest_run *r, struct br_fp fp, const char *key,
			 struct store_holders *out)
{
	struct prefix_probe *p = NULL;
	struct stat st;
	int fd = key && key[0] == '/' ? open(key, O_RDONLY | O_CLOEXEC) : -1;
	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		/* A compressed stream (a rotated log gzipped, grown by a
		 * member since) is compared by its content, of no size known
		 * here: its raw bytes were never an input's, and a grown
		 * .gz of another source's log was backfilled, counted twice
		 * (tests/storeops.py, make torture). */
		struct archive *a = content_open(fd);
		bool opened = a, packed = a && archive_filter_count(a) > 1;
		if (a)
			archive_read_free(a);
		p = br_malloc(sizeof *p);
		*p = (struct prefix_probe){key, dir_len(key), fd,
					   packed ? UINT64_MAX : (uint64_t)st.st_size,
					   packed, !opened && st.st_size > 0,
					   br_malloc(PREFIX_SCRATCH), (size_t)-1,
					   {0}, 0};
	}
	/* Read in full moments ago: a file that cannot be read now (an I/O
	 * error) cannot tell whether another source holds its first
	 * bytes. */
	int rc = p && p->failed
			 ? -1
			 : store_input_holders(r->store, fp, r->source,
					       p ? is_prefix_of : NULL, p, out,
					       &r->store_err);
	if (p && p->failed && !br_failed(&r->store_err))
		rc = br_fail(&r->store_err, "cannot read '%s' again to compare "
			     "its first bytes with the store's inputs", key);
	if (p) {
		free(p->buf);
		free(p);
	}
	if (fd >= 0)
		close(fd);
	return rc;
}

/* Refuses (with true) a backfill's input that the store holds otherwise
 * than in segments of the backfill's own source: merged from another
 * store, or ingested under another source. */
static bool refuse_held(struct ingest_run *r, const struct ingest_input *in)
{
	struct store_holders h;
	if (input_holders(r, in->fp, in->key, &h) != 0)
		return false; /* r->store_err tells */
	bool refused = true;
	if (h.merged_origin) {
		print_error("%s: came into this store by merge, from '%s' "
			    "(source '%s'): a backfill never replaces merged data, "
			    "so under any source it would count it twice; backfill it in the "
			    "store that ingested it, then merge that store again",
			    in->name, h.merged_origin, h.merged_source);
	} else if (h.nothers == 1 && !h.own) {
		print_error("%s: ingested before under source '%s': a backfill "
			    "of it under source '%s' would count it twice "
			    "(give --source %s)", in->name, h.others[0], r->source,
			    h.others[0]);
	} else if (h.nothers) {
		/* No --source would do: each leaves another's part out. */
		struct br_buf names = {0};
		for (size_t i = 0; i < h.nothers; i++)
			br_buf_printf(&names, "%s'%s'",
				      !i ? "" : i + 1 < h.nothers || h.own ? ", "
									 : " and ",
				      h.others[i]);
		if (h.own)
			br_buf_printf(&names, " and '%s' (this backfill's)", r->source);
		print_error("%s: its records were ingested before under sources "
			    "%s: a backfill of it under any one source would count "
			    "what the others hold twice, so no --source can "
			    "backfill it", in->name, names.p);
		br_buf_free(&names);
	} else {
		refused = false;
	}
	free(h.others);
	return refused;
}

/* Tells whether the store holds a backfill's input otherwise than in
 * segments of the backfill's own source (as refuse_held finds it), for an
 * input with no records in the range, which is not refused: it counts
 * nothing twice. */
static bool held_otherwise(struct ingest_run *r, const struct ingest_input *in)
{
	struct store_holders h;
	if (input_holders(r, in->fp, in->key, &h) != 0)
		return false; /* r->store_err tells */
	bool held = h.merged_origin || h.nothers;
	free(h.others);
	return held;
}

/* Orders compressed files by size, then fingerprint. */
static int stream_cmp(const struct store_stream *x, const struct store_stream *y)
{
	if (x->size != y->size)
		return x->size < y->size ? -1 : 1;
	if (x->fp.hi != y->fp.hi)
		return x->fp.hi < y->fp.hi ? -1 : 1;
	return (x->fp.lo > y->fp.lo) - (x->fp.lo < y->fp.lo);
}

static int known_stream_cmp(const void *a, const void *b)
{
	return stream_cmp(&((const struct known_stream *)a)->s,
			  &((const struct known_stream *)b)->s);
}

/* Reads the compressed files known by their bytes, and keeps those whose
 * content the store holds for sink_packed (sorted). A backfill reads every
 * input, known or not. */
static int load_streams(struct ingest_run *r, struct br_err *err)
{
	store_streams_read(r->store, &r->streams, &r->nstreams);
	if (r->backfill || !r->nstreams)
		return 0;
	r->packed = br_malloc(r->nstreams * sizeof *r->packed);
	for (size_t i = 0; i < r->nstreams; i++) {
		int has = store_has_input(r->store, r->streams[i].content_fp, err);
		if (has < 0)
			return -1;
		if (has)
			r->packed[r->npacked++] = (struct known_stream){r->streams[i], false};
	}
	qsort(r->packed, r->npacked, sizeof *r->packed, known_stream_cmp);
	return 0;
}

/* The store holds all that the compressed file of size bytes and
 * fingerprint *fp decompresses to: a file rotated under another name, or
 * left as it was, is not decompressed again to find that it adds nothing.
 * Only reads what load_streams made, so any thread may ask. */
static bool sink_packed(void *ctx, uint64_t size, const struct br_fp *fp,
			struct ingest_known *content)
{
	struct ingest_run *r = ctx;
	struct store_stream want = {.size = size, .fp = fp ? *fp : (struct br_fp){0, 0}};
	/* The first of that size, then the one of that fingerprint. */
	size_t lo = 0, hi = r->npacked;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (r->packed[mid].s.size < size ||
		    (fp && stream_cmp(&r->packed[mid].s, &want) < 0))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == r->npacked || r->packed[lo].s.size != size)
		return false;
	if (!fp)
		return true;
	struct known_stream *k = &r->packed[lo];
	if (stream_cmp(&k->s, &want) != 0)
		return false;
	*content = (struct ingest_known){k->s.content_bytes, k->s.content_fp, 0};
	__atomic_store_n(&k->used, true, __ATOMIC_RELAXED);
	return true;
}

/* Keeps what a compressed file read whole decompressed to, to know it by
 * its bytes next time. */
static void keep_stream(struct ingest_run *r, const struct ingest_input *in)
{
	if (r->nnew_streams == r->new_streams_cap) {
		r->new_streams_cap = r->new_streams_cap ? 2 * r->new_streams_cap : 16;
		r->new_streams = br_realloc(r->new_streams, r->new_streams_cap *
							 sizeof *r->new_streams);
	}
	r->new_streams[r->nnew_streams++] = (struct store_stream){
		in->packed_bytes, in->packed_fp, in->bytes, in->fp};
}

/* Appends e to v (*n of them), unless seen already holds it. */
static void put_stream(struct store_stream *v, size_t *n, struct br_dict *seen,
		       const struct store_stream *e)
{
	char key[sizeof e->size + sizeof e->fp];
	memcpy(key, &e->size, sizeof e->size);
	memcpy(key + sizeof e->size, &e->fp, sizeof e->fp);
	if (br_dict_find(seen, key, sizeof key) >= 0)
		return;
	br_dict_intern(seen, key, sizeof key);
	v[(*n)++] = *e;
}

/* Writes the compressed files known by their bytes when this run read new
 * ones: those first, then those it found, then the others, each once, as
 * store_streams_write keeps the first. It only saves time: a failure is a
 * warning. */
static void save_streams(struct ingest_run *r)
{
	if (!r->nnew_streams)
		return;
	size_t n = 0;
	struct store_stream *v = br_malloc((r->nnew_streams + r->nstreams) *
					   sizeof *v);
	struct br_dict *seen = br_dict_new();
	for (size_t i = 0; i < r->nnew_streams; i++)
		put_stream(v, &n, seen, &r->new_streams[i]);
	for (size_t i = 0; i < r->npacked; i++)
		if (r->packed[i].used)
			put_stream(v, &n, seen, &r->packed[i].s);
	for (size_t i = 0; i < r->nstreams; i++)
		put_stream(v, &n, seen, &r->streams[i]);
	struct br_err err = {0};
	if (store_streams_write(r->store, v, n, &err) != 0)
		print_warning("%s (its compressed logs are decompressed again "
			      "next time to know them)", err.msg);
	br_dict_free(seen);
	free(v);
}

/* Records the plain file of input in, whose content was ingested before
 * under another name (a hard link, as rotatelogs -L makes, a file and a
 * copy), as its path's last input when that is an older one: the path's
 * next growth was read from where that ended, counting again what the
 * other name took since. */
static void keep_path(struct ingest_run *r, const struct ingest_input *in)
{
	struct store_input last;
	if (r->backfill || !in->key || !in->head || !in->bytes ||
	    store_last_input(r->store, in->key, &last, &r->store_err) != 1 ||
	    (last.bytes == in->bytes && br_fp_equal(last.fp, in->fp)))
		return;
	for (size_t i = 0; i < r->ninputs; i++)
		if (strcmp(r->inputs[i].name, in->key) == 0 &&
		    br_fp_equal(r->inputs[i].fp, in->fp))
			return; /* the same path given twice */
	for (size_t i = 0; i < r->nmoved; i++)
		if (strcmp(r->moved[i].name, in->key) == 0 &&
		    br_fp_equal(r->moved[i].fp, in->fp))
			return;
	/* Content another source (or a merge) holds is not recorded under
	 * this one: its fingerprint, then held under two sources, made every
	 * merge of the store, and any backfill of it, refused for good. */
	if (held_otherwise(r, in))
		return;
	if (r->nmoved == r->moved_cap) {
		r->moved_cap = r->moved_cap ? r->moved_cap * 2 : 16;
		r->moved = br_realloc(r->moved, r->moved_cap * sizeof *r->moved);
	}
	r->moved[r->nmoved++] = (struct store_input){
		br_strdup(in->key), in->fp, in->bytes, in->records, in->head};
}

/* Keeps a fully read input unless its content was ingested before. */
static void sink_end(void *ctx, void *input, const struct ingest_input *in,
		     bool ok, const char *message)
{
	struct ingest_run *r = ctx;
	struct input_rows *rows = input;
	int known = ok ? already_ingested(r, in->fp) : 0;
	if (ok && in->packed_bytes)
		keep_stream(r, in);
	/* A quote still open at the end past a line end is a row being
	 * written, or a stray quote that took that line and every one after
	 * it: named, where only "1 partial last line" said it, its lines
	 * never counted when the log grows no more. */
	if (ok && in->waiting_line)
		print_warning("%s:%lu: a quoted field opened in this record is "
			      "still open at the end of the input (%lu line%s): "
			      "not counted, it waits for the next run",
			      in->name, (unsigned long)in->waiting_line,
			      (unsigned long)in->waiting_lines,
			      in->waiting_lines == 1 ? "" : "s");
	/* A backfill reads inputs ingested before, but only those of its own
	 * source: what another's counts in the range would be counted twice
	 * (a --source left out of a backfill of the nightly job's logs), as
	 * would what was merged from another store, which no backfill
	 * replaces. Of a file that grew or was rotated since: its first
	 * bytes too. */
	if (ok && r->backfill && in->events && refuse_held(r, in)) {
		r->failed++;
	} else if (ok && r->backfill && !in->events && held_otherwise(r, in)) {
		/* None of its records is in the range, so it adds nothing
		 * to the backfill, and it is not recorded as one of its
		 * inputs: recorded, the log of another source (or merged)
		 * was held under two, and no later backfill of it under
		 * its own source, nor any merge of the store, was taken. */
		r->left_out++;
		if (r->g->verbose)
			print_note("%s: no record in the range, held by "
				   "another source or store, skipped", in->name);
	} else if (!ok) {
		print_error("%s", message);
		r->failed++;
	} else if (known > 0) {
		r->skipped++;
		keep_path(r, in);
		if (r->g->verbose)
			print_note("%s: already ingested, skipped", in->name);
	} else if (known == 0) {
		if (r->g->verbose)
			print_note("%s: %s format, %llu records%s", in->name,
				   in->format ? in->format : "no",
				   (unsigned long long)in->records,
				   in->reread ? ", read again on one thread (its "
				   "blocks were not independent, or its duplicates "
				   "could not be counted out exactly)" :
				   in->blocks ? ", parsed in blocks" : "");
		rows_fold(&r->run_rows, &rows->rows);
		tally_move(&r->run_unpriced, &rows->unpriced);
		r->run_cost_lines += rows->cost_lines;
		r->run_cost_lines_unused += rows->cost_lines_unused;
		r->run_more_requests += rows->more_requests;
		if (rows->tokens_elsewhere && !r->run_tokens_elsewhere)
			r->first_tokens_elsewhere = br_strdup(in->name);
		r->run_tokens_elsewhere += rows->tokens_elsewhere;
		r->records += in->records;
		r->events += in->events;
		r->duplicates += in->duplicates;
		r->rejected += in->rejected;
		keep_reject_samples(r, in->reject_samples);
		if (in->outside && r->warn && !r->dry_run &&
		    store_has_input(r->store, in->fp, &r->store_err) == 0) {
			br_buf_printf(&r->outside, "%llu %s",
				      (unsigned long long)in->outside, in->name);
			br_buf_putc(&r->outside, '\0');
		}
		if (r->ninputs == r->cap) {
			r->cap = r->cap ? r->cap * 2 : 16;
			r->inputs = br_realloc(r->inputs, r->cap * sizeof *r->inputs);
		}
		r->inputs[r->ninputs++] = (struct store_input){
			br_strdup(in->key ? in->key : in->name), in->fp, in->bytes,
			in->records, in->head};
		br_dict_intern(r->input_fps, (const char *)&in->fp, sizeof in->fp);
	}
	sink_drop(r, rows);
}

/* The inputs of a path that its newest one may not be the end of
 * (longer_of). */
struct path_inputs {
	struct ingest_known newest;
	struct ingest_known *v;
	size_t n, cap;
};

static int add_path_input(void *ctx, const struct store_input *in)
{
	struct path_inputs *p = ctx;
	if (!in->head || !in->bytes || br_fp_equal(in->fp, p->newest.fp))
		return 0;
	if (p->n == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 8;
		p->v = br_realloc(p->v, p->cap * sizeof *p->v);
	}
	p->v[p->n++] = (struct ingest_known){in->bytes, in->fp, in->head};
	return 0;
}

static int known_longer_first(const void *a, const void *b)
{
	const struct ingest_known *x = a, *y = b;
	return (x->bytes < y->bytes) - (x->bytes > y->bytes);
}

/* Tells whether the plain file fd begins with k's bytes, by their
 * fingerprint. */
static bool file_begins_with(int fd, const struct ingest_known *k, char *buf)
{
	struct br_hasher h;
	br_hash_init(&h);
	for (uint64_t pos = 0; pos < k->bytes;) {
		size_t want = k->bytes - pos < PREFIX_SCRATCH
				      ? (size_t)(k->bytes - pos) : PREFIX_SCRATCH;
		ssize_t n = pread(fd, buf, want, (off_t)pos);
		if (n <= 0)
			return false;
		br_hash_update(&h, buf, (size_t)n);
		pos += (uint64_t)n;
	}
	return br_fp_equal(br_hash_final(&h), k->fp);
}

/* Of the inputs of the plain file at key (p), the longest that the file
 * begins with when it is not the newest, which *known is: which input of
 * a path is the newest is not always known. A compaction's inputs come
 * in the place of the last segment it absorbed, and those of another
 * source published before that one may be newer (the log grown since, or
 * rotated in under its name): resumed from the compacted first lines,
 * what the other source counted of the log was counted again. The newest
 * is kept unless a longer one is the file's first bytes (it was counted:
 * the file went on from there), or, when the file no longer begins as the
 * newest did, a shorter one is. Only inputs whose head is the file's are
 * read for, so a path's other logs (rotated away) cost nothing. */
static void longer_of(const char *key, struct path_inputs *p,
		      struct ingest_known *known)
{
	int fd = open(key, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char head[INGEST_HEAD_BYTES];
	ssize_t n = -1;
	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		n = pread(fd, head, sizeof head, 0);
	if (n <= 0) {
		if (fd >= 0)
			close(fd);
		return;
	}
	uint64_t size = (uint64_t)st.st_size;
	uint32_t file_head = ingest_head(head, (size_t)n);
#define HEAD_AT(b) ((b) >= (uint64_t)n ? file_head : ingest_head(head, (size_t)(b)))
	/* As plan_resume takes it: a newest input of no head resumes. */
	bool newest_ok = known->bytes <= size &&
			 (!known->head || HEAD_AT(known->bytes) == known->head);
	uint64_t floor = newest_ok ? known->bytes : 0;
	qsort(p->v, p->n, sizeof *p->v, known_longer_first);
	char *buf = NULL;
	for (size_t i = 0; i < p->n && p->v[i].bytes > floor; i++) {
		const struct ingest_known *c = &p->v[i];
		if (c->bytes > size || HEAD_AT(c->bytes) != c->head)
			continue;
		if (!buf)
			buf = br_malloc(PREFIX_SCRATCH);
		if (file_begins_with(fd, c, buf)) {
			*known = *c;
			break;
		}
	}
#undef HEAD_AT
	free(buf);
	close(fd);
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
	*known = (struct ingest_known){in.bytes, in.fp, in.head};
	struct path_inputs p = {.newest = *known};
	if (store_each_named(r->store, key, add_path_input, &p,
			     &r->store_err) == 0 && p.n)
		longer_of(key, &p, known);
	free(p.v);
	return true;
}

/* A plain file ingested before, whose first bytes are known. */
struct earlier {
	char *name;
	size_t dirlen; /* of name's directory, its last '/' included */
	struct ingest_known k;
};

static size_t dir_len(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? (size_t)(slash - path) + 1 : 0;
}

static int earlier_cmp(const void *a, const void *b)
{
	const struct earlier *x = a, *y = b;
	size_t n = x->dirlen < y->dirlen ? x->dirlen : y->dirlen;
	int c = memcmp(x->name, y->name, n);
	if (c || x->dirlen != y->dirlen)
		return c ? c : x->dirlen < y->dirlen ? -1 : 1;
	/* In a directory, the largest first. */
	return (x->k.bytes < y->k.bytes) - (x->k.bytes > y->k.bytes);
}

static int add_earlier(void *ctx, const struct store_input *in)
{
	struct ingest_run *r = ctx;
	if (!in->head || !in->bytes || in->name[0] != '/')
		return 0;
	if (r->nearlier == r->earlier_cap) {
		r->earlier_cap = r->earlier_cap ? 2 * r->earlier_cap : 16;
		r->earlier = br_realloc(r->earlier,
					r->earlier_cap * sizeof *r->earlier);
	}
	r->earlier[r->nearlier++] = (struct earlier){
		br_strdup(in->name), dir_len(in->name),
		{in->bytes, in->fp, in->head}};
	return 0;
}

static int by_head_cmp(const void *a, const void *b, void *ctx)
{
	const struct earlier *e = ctx;
	const struct earlier *x = &e[*(const size_t *)a], *y = &e[*(const size_t *)b];
	if (x->k.head != y->k.head)
		return x->k.head < y->k.head ? -1 : 1;
	return (x->k.bytes < y->k.bytes) - (x->k.bytes > y->k.bytes);
}

static int by_bytes_cmp(const void *a, const void *b, void *ctx)
{
	const struct earlier *e = ctx;
	const struct earlier *x = &e[*(const size_t *)a], *y = &e[*(const size_t *)b];
	if (x->k.bytes != y->k.bytes)
		return x->k.bytes < y->k.bytes ? -1 : 1;
	return (x->k.head > y->k.head) - (x->k.head < y->k.head);
}

/* The first of r->by_bytes, from lo on, of more than bytes, or of bytes
 * and a head no less than head (r->nearlier: none). */
static size_t by_bytes_first(const struct ingest_run *r, size_t lo,
			     uint64_t bytes, uint32_t head)
{
	size_t hi = r->nearlier;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct ingest_known *k = &r->earlier[r->by_bytes[mid]].k;
		if (k->bytes < bytes || (k->bytes == bytes && k->head < head))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The first of r->by_head whose head is head (r->nearlier: none). */
static size_t by_head_first(const struct ingest_run *r, uint32_t head)
{
	size_t lo = 0, hi = r->nearlier;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (r->earlier[r->by_head[mid]].k.head < head)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Adds e's to out (found so far, at most max) unless one there is the
 * same content. */
static void add_candidate(const struct earlier *e, struct ingest_known *out,
			  size_t *found, size_t max)
{
	for (size_t i = 0; i < *found; i++)
		if (out[i].bytes == e->k.bytes && br_fp_equal(out[i].fp, e->k.fp))
			return;
	if (*found < max)
		out[(*found)++] = e->k;
}

/* Loads the plain files ingested before whose first bytes are known
 * (r->earlier), and sorts them by directory, head and bytes; r->by_head
 * stays NULL when the store cannot be read (r->store_err tells). */
static void load_earlier(struct ingest_run *r)
{
	r->earlier_loaded = true;
	if (store_each_input(r->store, add_earlier, r, &r->store_err) < 0)
		return;
	if (r->nearlier)
		qsort(r->earlier, r->nearlier, sizeof *r->earlier, earlier_cmp);
	r->by_head = br_malloc((r->nearlier + 1) * sizeof *r->by_head);
	r->by_bytes = br_malloc((r->nearlier + 1) * sizeof *r->by_bytes);
	r->earlier_min = UINT64_MAX;
	for (size_t i = 0; i < r->nearlier; i++) {
		r->by_head[i] = r->by_bytes[i] = i;
		if (r->earlier[i].k.bytes < r->earlier_min)
			r->earlier_min = r->earlier[i].k.bytes;
	}
	qsort_r(r->by_head, r->nearlier, sizeof *r->by_head, by_head_cmp,
		r->earlier);
	qsort_r(r->by_bytes, r->nearlier, sizeof *r->by_bytes, by_bytes_cmp,
		r->earlier);
}

/* Tells ingest what was ingested of other logs that began as a new file
 * does: of its directory first (a rotated log, app.log renamed app.log.1,
 * or copied there and truncated), then of any other (moved to another
 * directory by logrotate's olddir). A rotated log that grew is read from
 * where its earlier run ended, not counted twice. */
static size_t sink_continued(void *ctx, const char *key, uint64_t size,
			     const char *head, size_t n,
			     struct ingest_known *out, size_t max)
{
	struct ingest_run *r = ctx;
	if (r->backfill)
		return 0;
	pthread_mutex_lock(&r->earlier_lock);
	if (!r->earlier_loaded)
		load_earlier(r);
	pthread_mutex_unlock(&r->earlier_lock);
	if (!r->by_head)
		return 0; /* the store could not be read: r->store_err tells */
	struct earlier probe = {(char *)key, dir_len(key), {UINT64_MAX, {0, 0}, 0}};
	size_t lo = 0, hi = r->nearlier;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (earlier_cmp(&r->earlier[mid], &probe) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t found = 0;
	if (!head) {
		/* Whether any file of the directory may be one. */
		for (size_t i = lo; i < r->nearlier; i++) {
			const struct earlier *e = &r->earlier[i];
			if (e->dirlen != probe.dirlen ||
			    memcmp(e->name, key, probe.dirlen) != 0)
				break;
			if (e->k.bytes <= size && strcmp(e->name, key) != 0)
				return 1;
		}
		/* Of another directory: told by the first bytes (a
		 * compressed file's size is UINT64_MAX, as large as any). */
		return r->nearlier && r->earlier_min <= size;
	}
	uint32_t file_head = ingest_head(head, n);
	for (size_t i = lo; i < r->nearlier && found < max; i++) {
		const struct earlier *e = &r->earlier[i];
		if (e->dirlen != probe.dirlen ||
		    memcmp(e->name, key, probe.dirlen) != 0)
			break;
		/* The file's head as far as e's content went. */
		uint32_t h = e->k.bytes >= n ? file_head
					     : ingest_head(head, (size_t)e->k.bytes);
		if (e->k.bytes <= size && h == e->k.head &&
		    strcmp(e->name, key) != 0)
			add_candidate(e, out, &found, max);
	}
	/* Of other directories, by head: e's of two lines or more (its head
	 * the file's), or of fewer, whose length is then one of the file's
	 * ingest_short_ends (len). An ingest may end before a line's newline: a last record
	 * without one counts at once when it is whole (a JSON object, a CSV
	 * row of the header's fields), its newline written later. Such a
	 * log of one or two records, moved to another directory by olddir,
	 * was found by neither head and read whole: both counted twice. */
	uint32_t heads[1 + INGEST_SHORT_ENDS] = {file_head};
	size_t len[1 + INGEST_SHORT_ENDS] = {0};
	size_t nh = 1 + ingest_short_ends(head, n, len + 1);
	for (size_t w = 1; w < nh; w++)
		heads[w] = len[w] ? ingest_head(head, len[w]) : 0;
	for (size_t w = 0; w < nh && found < max; w++) {
		if (!heads[w] || (w > 0 && heads[w] == heads[0]))
			continue;
		for (size_t i = by_head_first(r, heads[w]);
		     i < r->nearlier && found < max; i++) {
			const struct earlier *e = &r->earlier[r->by_head[i]];
			if (e->k.head != heads[w])
				break;
			if (e->k.bytes > size || (w > 0 && e->k.bytes != len[w]) ||
			    (e->dirlen == probe.dirlen &&
			     memcmp(e->name, key, probe.dirlen) == 0))
				continue; /* too long, or of its directory */
			/* As far as e's content went, the file's head. */
			if (w == 0 && e->k.bytes < n &&
			    ingest_head(head, (size_t)e->k.bytes) != e->k.head)
				continue;
			add_candidate(e, out, &found, max);
		}
	}
	/* Of other directories, by length: e's that ended inside the file's
	 * second line, after its first. A CSV row whose last field is
	 * quoted counts at once when it looks whole ("x"), and the rest of
	 * that field may follow it ("x""y", then its newline): a log of its
	 * header and such a row when ingested, its head then of all of
	 * those bytes, which no length above is, moved by olddir after it
	 * grew, was read whole, the row counted twice. (An ingest that ended
	 * after two whole lines has their head, the file's.) Each length
	 * known there once, the file's head as far, looked up among those of
	 * that length (by_bytes: 2,000 new logs beside 5,000 known ones of
	 * such lengths took 0.05 s more compared one by one). */
	const char *nl1 = memchr(head, '\n', n);
	if (nl1 && found < max) {
		size_t from = (size_t)(nl1 + 1 - head);
		const char *nl2 = memchr(head + from, '\n', n - from);
		uint64_t to = nl2 ? (uint64_t)(nl2 - head) : n;
		if (to > size)
			to = size;
		size_t i = by_bytes_first(r, 0, from + 1, 0);
		while (i < r->nearlier && found < max) {
			uint64_t at = r->earlier[r->by_bytes[i]].k.bytes;
			if (at > to)
				break;
			/* Only inside a quoted field: e's last byte its
			 * closing quote, the file's next one the quote that
			 * doubles it. Else e's last record is another than
			 * the file's second line (a log whose row, req-12,
			 * begins as e's last, req-1, does), which read from
			 * there was lost. */
			if (at >= n || head[at - 1] != '"' || head[at] != '"') {
				i = by_bytes_first(r, i, at + 1, 0);
				continue;
			}
			uint32_t h = ingest_head(head, (size_t)at);
			for (i = by_bytes_first(r, i, at, h); i < r->nearlier &&
			     found < max; i++) {
				const struct earlier *e = &r->earlier[r->by_bytes[i]];
				if (e->k.bytes != at || e->k.head != h)
					break;
				if (e->dirlen != probe.dirlen || /* else above */
				    memcmp(e->name, key, probe.dirlen) != 0)
					add_candidate(e, out, &found, max);
			}
			i = by_bytes_first(r, i, at + 1, 0); /* the next length */
		}
	}
	return found;
}

static void ingest_run_free(struct ingest_run *r)
{
	for (size_t i = 0; i < r->nearlier; i++)
		free(r->earlier[i].name);
	free(r->earlier);
	free(r->by_head);
	free(r->by_bytes);
	for (size_t i = 0; i < r->ninputs; i++)
		free((char *)r->inputs[i].name);
	free(r->inputs);
	for (size_t i = 0; i < r->nmoved; i++)
		free((char *)r->moved[i].name);
	free(r->moved);
	free(r->streams);
	free(r->packed);
	free(r->new_streams);
	br_dict_free(r->input_fps);
	agg_free(r->run_rows);
	for (unsigned i = 0; i < r->nspare; i++)
		agg_free(r->spare[i]);
	pthread_mutex_destroy(&r->spare_lock);
	pthread_mutex_destroy(&r->earlier_lock);
	tally_free(&r->run_unpriced);
	free(r->first_tokens_elsewhere);
	br_buf_free(&r->reject_samples);
	br_buf_free(&r->outside);
}

/* Orders the ids of a tally by count, largest first, then by name. */
static int tally_cmp(const void *a, const void *b, void *ctx)
{
	const struct tally *t = ctx;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	if (t->count[x] != t->count[y])
		return t->count[x] > t->count[y] ? -1 : 1;
	return strcmp(br_dict_str(t->names, x, NULL), br_dict_str(t->names, y, NULL));
}

/* Warns about the requests of the run that have no price, by model, those
 * with most first (an order that does not depend on which thread met which
 * model). */
static void warn_unpriced(const struct tally *t)
{
	uint32_t n = t->names ? br_dict_count(t->names) : 0;
	if (n == 0)
		return;
	uint32_t *order = br_malloc(n * sizeof *order);
	for (uint32_t i = 0; i < n; i++)
		order[i] = i;
	qsort_r(order, n, sizeof *order, tally_cmp, (void *)t);
	uint64_t total = 0;
	struct br_buf list = {0};
	for (uint32_t k = 0; k < n; k++) {
		uint32_t i = order[k];
		total += t->count[i];
		if (k < 5) {
			/* provider/model, from the logs */
			char *shown = br_printable(br_dict_str(t->names, i, NULL));
			br_buf_printf(&list, "%s%s (%llu)", k ? ", " : "", shown,
				      (unsigned long long)t->count[i]);
			free(shown);
		}
	}
	free(order);
	if (n > 5)
		br_buf_printf(&list, " and %u more models", n - 5);
	print_warning("%llu request%s without a price, counted as unpriced: %s; "
		      "see 'burnrate prices show MODEL', add prices with --prices FILE",
		      (unsigned long long)total, total == 1 ? "" : "s", list.p);
	br_buf_free(&list);
}

/* Parses --replace FROM..TO (two dates, FROM <= TO), or says why not in
 * why (BR_DAY_WHY_BUFSZ bytes). */
static int parse_range(const char *s, int32_t *from, int32_t *to, char *why)
{
	const char *dots = strstr(s, "..");
	char a[16], b[16];
	int rc = -1;
	if (dots && dots - s == 10 && strlen(dots + 2) == 10) {
		memcpy(a, s, 10);
		a[10] = 0;
		memcpy(b, dots + 2, 11);
		rc = br_day_parse_why(a, from, why);
		if (rc == 0)
			rc = br_day_parse_why(b, to, why);
	}
	if (rc == -1)
		snprintf(why, BR_DAY_WHY_BUFSZ, "expected YYYY-MM-DD..YYYY-MM-DD");
	if (rc == 0 && *from > *to) {
		snprintf(why, BR_DAY_WHY_BUFSZ, "it ends before it starts");
		rc = -1;
	}
	return rc;
}

/* Parses --jobs: a positive count of inputs read at once (0: not
 * given). */
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

/* The default --jobs: the online CPUs. */
static unsigned online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > 64 ? 64 : (unsigned)n;
}

/* The summary line, on out: standard output, or standard error when the
 * rejects are written there (--rejects -). */
static void print_ingest_summary(FILE *out, const struct ingest_run *r,
				 const struct ingest_stats *st,
				 const char *rejects_path)
{
	fprintf(out, "ingested %zu input%s", r->ninputs,
		r->ninputs == 1 ? "" : "s");
	if (r->skipped)
		fprintf(out, " (%llu already ingested)",
			(unsigned long long)r->skipped);
	if (r->left_out)
		fprintf(out, " (%llu left out: no record in the range, held "
			"by another source)", (unsigned long long)r->left_out);
	fprintf(out, ": %llu records, %llu requests kept",
		(unsigned long long)r->records,
		(unsigned long long)(r->events - r->run_cost_lines +
				     r->run_more_requests));
	if (r->run_cost_lines)
		fprintf(out, ", %llu cost lines kept",
			(unsigned long long)r->run_cost_lines);
	if (r->duplicates)
		fprintf(out, ", %llu duplicates dropped",
			(unsigned long long)r->duplicates);
	if (r->rejected) {
		fprintf(out, ", %llu rejected", (unsigned long long)r->rejected);
		if (out != stdout)
			fprintf(out, " (on standard output)");
		else if (rejects_path)
			fprintf(out, " (see %s)", rejects_path);
	}
	if (st->resumed)
		fprintf(out, ", %llu grown file%s read from where %s ended",
			(unsigned long long)st->resumed,
			st->resumed == 1 ? "" : "s",
			st->resumed == 1 ? "it" : "they");
	if (st->waiting)
		fprintf(out, ", %llu partial last line%s left for the next run",
			(unsigned long long)st->waiting,
			st->waiting == 1 ? "" : "s");
	if (r->failed)
		fprintf(out, ", %llu unreadable input%s",
			(unsigned long long)r->failed, r->failed == 1 ? "" : "s");
	fputc('\n', out);
}

int ingest_job_run(const struct globals *g, const struct ingest_job *job,
		   char **paths, int npaths, struct ingest_outcome *out)
{
	struct br_err err = {0};
	struct ingest_opts io = job->io;
	const char *rejects_path = job->rejects_path;
	struct ingest_run run = {.g = g, .spare_lock = PTHREAD_MUTEX_INITIALIZER,
				 .earlier_lock = PTHREAD_MUTEX_INITIALIZER};
	FILE *rejects = NULL;
	struct ingest *ing = NULL;
	/* The files a walk leaves out: the rejects file and skip_paths. */
	struct ingest_skip *skip = br_calloc(1 + job->nskip_paths, sizeof *skip);
	io.skip = skip;
	io.nskip = 0;
	int rc = BR_EXIT_FAILURE;
	struct store *own = job->store ? NULL : config_store_open(g, &err);
	run.store = job->store ? job->store : own;
	/* A dry run publishes nothing: a reader, it takes no lock (it made
	 * the nightly run fail with 75 for as long as it read). */
	if (!run.store || (own && !job->dry_run && store_lock(own, &err) != 0) ||
	    store_has_input(run.store, (struct br_fp){0, 0}, &err) < 0)
		goto fail;
	run.tz = store_tz(run.store);
	run.backfill = job->backfill;
	run.source = job->source;
	run.dry_run = job->dry_run;
	if (load_streams(&run, &err) != 0)
		goto fail;
	io.tz = run.tz;
	if (!io.jobs)
		io.jobs = online_cpus();
	run.run_rows = agg_new();
	agg_spill_at(run.run_rows, AGG_SPILL_ROWS);
	run.input_fps = br_dict_new();
	/* --rejects -: the rejects are the product on standard output, and
	 * the summary goes to standard error. */
	bool rejects_stdout = rejects_path && strcmp(rejects_path, "-") == 0;
	if (rejects_stdout && g->stdout_product)
		*g->stdout_product = true;
	if (rejects_path) {
		/* Opening it empties it (run adds to it): never one of the
		 * inputs. */
		struct stat rs, is;
		bool exists = rejects_stdout ? fstat(STDOUT_FILENO, &rs) == 0
					     : stat(rejects_path, &rs) == 0;
		for (int i = 0; exists && i < npaths; i++)
			if (stat(paths[i], &is) == 0 && is.st_dev == rs.st_dev &&
			    is.st_ino == rs.st_ino) {
				br_fail_status(&err, BR_EXIT_USAGE,
					       "the rejects file '%s' is the input "
					       "'%s'", rejects_path, paths[i]);
				goto fail;
			}
		rejects = rejects_stdout ? stdout
			  : fopen(rejects_path, job->rejects_append ? "a" : "w");
		if (!rejects) {
			br_fail(&err, "cannot open rejects file '%s': %s",
				rejects_path, strerror(errno));
			goto fail;
		}
		io.rejects = rejects;
		/* A directory walked holding it leaves it out. */
		if (fstat(fileno(rejects), &rs) == 0 && S_ISREG(rs.st_mode))
			skip[io.nskip++] = (struct ingest_skip){rs.st_dev,
								rs.st_ino};
	} else {
		io.reject_samples = REJECT_SAMPLES;
	}
	struct stat ss;
	for (size_t i = 0; i < job->nskip_paths; i++)
		if (job->skip_paths[i] && stat(job->skip_paths[i], &ss) == 0 &&
		    S_ISREG(ss.st_mode))
			skip[io.nskip++] = (struct ingest_skip){ss.st_dev,
								ss.st_ino};
	struct ingest_sink sink = {
		.ctx = &run, .begin = sink_begin, .event = sink_event,
		.end = sink_end, .drop = sink_drop, .read = sink_read,
		.wants = sink_wants,
		.known = sink_known, .continued = sink_continued,
		.packed = sink_packed,
		.progress = sink_progress, .warning = sink_warning,
		.note = sink_note,
		.merge = sink_merge, .subtract = sink_subtract};
	run.progress = !g->quiet && isatty(STDERR_FILENO);
	run.warn = !g->quiet && (!job->silent || job->warn);
	run.strict = job->strict;
	run.started = now_seconds();
	ing = ingest_new(&io, &sink, &err);
	if (!ing)
		goto fail;
	bool input_failed = false;
	for (int i = 0; i < npaths && !br_failed(&run.store_err); i++) {
		/* A path that cannot be read at all; the inputs that fail are
		 * printed by sink_end. */
		struct br_err path_err = {0};
		if (ingest_path(ing, paths[i], &path_err) != 0) {
			input_failed = true;
			print_error("%s", path_err.msg);
		}
	}
	struct br_err input_err = {0};
	if (ingest_finish(ing, &input_err) != 0 || run.failed || run.no_input)
		input_failed = true;
	if (br_failed(&run.store_err)) {
		err = run.store_err;
		goto fail;
	}
	if (rejects && (fflush(rejects) != 0 || ferror(rejects))) {
		br_fail(&err, "cannot write rejects file '%s': %s", rejects_path,
			strerror(errno));
		goto fail;
	}
	/* A backfill replaces every day of its range: one missing an input
	 * that could not be read would lose that input's data there (a
	 * mistyped name would empty the range). It publishes nothing. */
	if (input_failed && job->backfill && !job->dry_run) {
		br_fail(&err, "backfill not published: an input could not be "
			"read or counted (above), and the backfill would "
			"replace its days without it; the store is unchanged");
		goto fail;
	}
	/* The ingest's memory (the set of request ids, its threads) is let
	 * go first: the segment's image and its decoded rows then take no
	 * more than what the run held while it read. */
	struct ingest_stats stats = *ingest_stats(ing);
	const struct ingest_stats *st = &stats;
	ingest_free(ing);
	ing = NULL;
	/* The paths keep_path found, after the inputs read. */
	struct store_input *inputs = run.inputs;
	if (run.nmoved) {
		inputs = br_malloc((run.ninputs + run.nmoved) * sizeof *inputs);
		if (run.ninputs) /* else run.inputs is NULL */
			memcpy(inputs, run.inputs, run.ninputs * sizeof *inputs);
		memcpy(inputs + run.ninputs, run.moved,
		       run.nmoved * sizeof *inputs);
	}
	int published = job->dry_run
		? backfill_preview(run.store, job->source, io.only_from,
				   io.only_to, run.run_rows, stdout, &err)
		: store_publish_replace(run.store, job->source, run.run_rows,
					inputs, run.ninputs + run.nmoved,
					io.only_from, io.only_to, &err);
	if (inputs != run.inputs)
		free(inputs);
	if (published)
		goto fail;
	if (!job->dry_run)
		save_streams(&run);
	if (run.progress && st->inputs + st->failed_inputs) {
		struct ingest_progress p = {st->inputs + st->failed_inputs,
					    st->inputs + st->failed_inputs,
					    st->records, st->bytes, 0};
		show_progress(&run, &p, true);
	}
	if (!g->quiet && !job->silent && !job->dry_run)
		print_ingest_summary(rejects_stdout ? stderr : stdout, &run, st,
				     rejects_path);
	if (run.warn && !job->dry_run) {
		if (run.rejected && !rejects_path) {
			unsigned shown = run.nreject_samples;
			char first[32] = "";
			if (run.rejected > shown)
				snprintf(first, sizeof first, ", the first %u", shown);
			print_warning("%llu record%s rejected%s (use %s to see "
				      "%s):", (unsigned long long)run.rejected,
				      run.rejected == 1 ? "" : "s", first,
				      job->rejects_hint ? job->rejects_hint
							: "--rejects FILE",
				      run.rejected == 1 ? "it whole" : "them all");
			print_reject_samples(&run);
		}
		warn_outside(&run);
		warn_unpriced(&run.run_unpriced);
		if (run.run_cost_lines_unused)
			print_warning("%llu cost line%s (OpenAI Costs API) counted "
				      "as $0: --cost-mode calculate prices tokens, "
				      "and a cost line has none; its logged cost "
				      "counts with --cost-mode auto or display",
				      (unsigned long long)run.run_cost_lines_unused,
				      run.run_cost_lines_unused == 1 ? "" : "s");
		if (run.run_tokens_elsewhere)
			print_warning("%llu record%s with no token count "
				      "where the generic format reads them (the "
				      "first in %s) %s them under other names (at "
				      "a JSON record's top level, OpenAI's "
				      "prompt_tokens and completion_tokens, CSV "
				      "columns of other names), read as 0 tokens: "
				      "--map input_tokens=PATH --map "
				      "output_tokens=PATH (and so on; PATH as the "
				      "log has it: input_tokens, "
				      "usage.prompt_tokens, a column) reads them",
				      (unsigned long long)run.run_tokens_elsewhere,
				      run.run_tokens_elsewhere == 1 ? "" : "s",
				      run.first_tokens_elsewhere,
				      run.run_tokens_elsewhere == 1 ? "has" : "have");
	}
	if (out)
		*out = (struct ingest_outcome){run.ninputs,
						 run.skipped + run.left_out,
						 run.failed,
						 run.records, run.events, run.rejected};
	rc = input_failed ? BR_EXIT_FAILURE : BR_EXIT_OK;
	goto done;
fail:
	rc = fail_with(&err);
done:
	ingest_free(ing);
	/* Standard output is flushed and checked by main (finish). */
	if (rejects && rejects != stdout && fclose(rejects) != 0 &&
	    rc == BR_EXIT_OK) {
		print_error("cannot write rejects file '%s': %s", rejects_path,
			    strerror(errno));
		rc = BR_EXIT_FAILURE;
	}
	ingest_run_free(&run);
	store_free(own);
	free(skip);
	return rc;
}

int cmd_ingest(const struct globals *g, int argc, char **argv)
{
	/* The configuration's values are the defaults (--config). */
	const struct config *c = g->conf;
	const char *format = c && c->format ? c->format : "auto",
		   *source = c && c->source ? c->source : "default",
		   *prices = config_prices(g),
		   *cost_mode = c && c->cost_mode ? c->cost_mode : "auto",
		   *label = c ? c->label : NULL, *jobs = NULL,
		   *rejects_path = c ? c->rejects : NULL, *replace = NULL,
		   *max_ratio = c ? c->max_ratio : NULL,
		   *max_record = c ? c->max_record : NULL;
	bool no_dedupe = false, dry_run = false;
	char *pos[argc + 1];
	const char *map_args[argc + 1];
	int npos, nmaps = 0;
	const struct option opts[] = {
		{"--map", NULL, NULL, map_args, &nmaps},
		{"--label", &label, NULL},
		{"--max-ratio", &max_ratio, NULL},
		{"--max-record", &max_record, NULL},
		{"--format", &format, NULL},     {"--source", &source, NULL},
		{"--prices", &prices, NULL},     {"--cost-mode", &cost_mode, NULL},
		{"--jobs", &jobs, NULL},         {"--rejects", &rejects_path, NULL},
		{"--replace", &replace, NULL},
		{"--no-dedupe", NULL, &no_dedupe},
		{"--dry-run", NULL, &dry_run}, {NULL, NULL, NULL}};
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
		if (!eq || eq == map_args[i])
			return usage_error("ingest: invalid --map '%s': expected "
					   "CANON=PATH", map_args[i]);
		struct br_err why = {0};
		size_t n = (size_t)(eq - map_args[i]);
		if (ingest_map_field_check(map_args[i], n, &why) < 0 ||
		    ingest_map_path_check(eq + 1, &why) != 0)
			return usage_error("ingest: invalid --map '%s': %s",
					   map_args[i], why.msg);
		snprintf(fields[i], sizeof fields[0], "%.*s", (int)n, map_args[i]);
		maps[i] = (struct ingest_map){fields[i], eq + 1};
	}
	/* The configuration's label is a default, as its other values: a
	 * --map label=PATH of the command line wins over it as --label does
	 * (appended last, the configuration's overrode the --map). */
	for (int i = 0; label && c && label == c->label && i < nmaps; i++)
		if (strcmp(maps[i].field, "label") == 0)
			label = NULL;
	if (label) {
		struct br_err why = {0};
		if (ingest_map_path_check(label, &why) != 0)
			return usage_error("ingest: invalid --label '%s': %s", label,
					   why.msg);
		maps[nmaps++] = (struct ingest_map){"label", label};
	}
	{
		struct br_err why = {0};
		if (ingest_format_check(format, &why) != 0)
			return usage_error("ingest: --format: %s", why.msg);
	}
	struct ingest_opts io = {.format = format, .no_dedupe = no_dedupe,
				 .maps = maps, .nmaps = (size_t)nmaps,
				 .only_from = BR_DAY_NONE, .only_to = BR_DAY_NONE};
	char why[BR_DAY_WHY_BUFSZ];
	if (replace && parse_range(replace, &io.only_from, &io.only_to, why) != 0)
		return usage_error("ingest: invalid --replace '%s': %s", replace,
				   why);
	if (dry_run && !replace)
		return usage_error("ingest: --dry-run goes with --replace FROM..TO "
				   "(it shows what the backfill would change)");
	/* The preview is what a dry run makes, not a summary of work done. */
	if (dry_run && g->stdout_product)
		*g->stdout_product = true;
	if (br_cost_mode_parse(cost_mode, &io.cost_mode) != 0)
		return usage_error("ingest: invalid --cost-mode '%s': expected auto, "
				   "calculate or display", cost_mode);
	if (parse_jobs(jobs) < 0)
		return usage_error("ingest: invalid --jobs '%s': expected a count "
				   "from 1 to 1024", jobs);
	io.jobs = (unsigned)parse_jobs(jobs);
	if (!*source)
		return usage_error("ingest: --source must not be empty");
	if (rejects_path && !*rejects_path)
		return usage_error("ingest: --rejects needs a file name, not an "
				   "empty one");
	if (max_ratio && parse_max_ratio(max_ratio, &io.max_ratio) != 0)
		return usage_error("ingest: invalid --max-ratio '%s': expected "
				   "a factor from 2 to 1000000", max_ratio);
	if (max_record && parse_max_record(max_record, &io.max_record) != 0)
		return usage_error("ingest: invalid --max-record '%s': expected a "
				   "size from 1K to 1G (bytes, or a count of K, "
				   "M or G)", max_record);

	struct br_err err = {0};
	struct br_catalog *catalog = load_catalog(g->conf, prices, &err);
	if (!catalog)
		return fail_with(&err);
	io.catalog = catalog;
	/* A walk leaves out the prices file and the configuration, often
	 * kept with the logs, as check's does: the prices CSV was an input
	 * that failed ("cannot tell the log format"), exit 1. */
	const char *const skip_paths[] = {prices, c ? c->path : NULL};
	struct ingest_job job = {.io = io, .source = source,
				 .rejects_path = rejects_path,
				 /* The configuration's file, not --rejects: run's */
				 .rejects_append = c && rejects_path == c->rejects,
				 .backfill = replace != NULL, .dry_run = dry_run,
				 .skip_paths = skip_paths,
				 .nskip_paths = sizeof skip_paths / sizeof *skip_paths};
	rc = ingest_job_run(g, &job, pos, npos, NULL);
	br_catalog_free(catalog);
	return rc;
}
