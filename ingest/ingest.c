/* ingest.c - the ingest driver: walks paths, reads each input, splits it
 * into records, hands them to the format parser, rejects or dedupes them,
 * prices the events and feeds the sink.
 *
 * With --jobs N, N worker threads each read a whole input at a time into
 * an outcome (the sink's context for it, its request ids, its rejected
 * records, its counts), and the caller's thread hands the outcomes to the
 * sink strictly in input order, so that what is kept never depends on
 * which thread finished first. A worker cannot see the request ids of the
 * inputs being read at the same time: when the caller finds that an input
 * repeats ids of an earlier one, it reads that input again, with every
 * earlier id known, unless the sink discards it anyway. A large input may
 * also be parsed in blocks on a pool of threads (blocks.c). */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ingest/driver.h"

/* Bytes read between two progress reports on the caller's thread, and the
 * longest wait between two reports while workers read. */
#define PROGRESS_EVERY ((uint64_t)4 << 20)
#define PROGRESS_WAIT_NS 200000000L

#define SCRATCH_SIZE ((size_t)1 << 20)
_Static_assert(SCRATCH_SIZE >= SOURCE_HEAD_BYTES, "the scratch holds a file's head");
#define MAX_DIR_DEPTH 64
#define REJECT_RECORD_MAX 4096
/* A worker keeps an input's rejected records in memory up to this much,
 * then in a temporary file. */
#define REJECTS_IN_MEMORY ((size_t)1 << 20)
/* Queued inputs read or waiting to be handed over, per worker. */
#define WINDOW_PER_JOB 2
/* A log with this much left to read if compressed, SOLO_PLAIN_BYTES if
 * plain, is read alone (task.solo) while it may be parsed in blocks: its
 * first MiB, read on one thread before the blocks, is then a small part
 * of it. */
#define SOLO_BYTES ((uint64_t)512 << 10)
#define SOLO_PLAIN_BYTES ((uint64_t)4 << 20)

static void task_solo_end(struct ingest *g, struct task *t);

static void reader_init(struct reader *rd, struct ingest *g, bool main)
{
	*rd = (struct reader){.g = g, .main = main, .at_once = main};
	rd->pricer = br_pricer_new(g->opts.catalog, g->opts.cost_mode);
	rd->scratch = br_malloc(SCRATCH_SIZE);
	rd->formats = format_cache_new();
}

static void reader_free(struct reader *rd)
{
	br_pricer_free(rd->pricer);
	format_cache_free(rd->formats);
	free(rd->scratch);
	br_buf_free(&rd->line);
	br_buf_free(&rd->record);
}

int ingest_format_check(const char *format, struct br_err *err)
{
	if (format_known(format))
		return 0;
	return br_fail_status(err, BR_EXIT_USAGE,
			      "unknown format '%s'; expected one of %s",
			      format, format_names());
}

int ingest_map_field_check(const char *field, size_t len, struct br_err *err)
{
	/* DESIGN §2 names the token counts of the canonical event input,
	 * output, ...: --map input=u.in was refused, only the generic
	 * format's input_tokens accepted. */
	static const struct {
		const char *name;
		enum canon f;
	} aliases[] = {
		{"input", CANON_INPUT},
		{"output", CANON_OUTPUT},
		{"cache_read", CANON_CACHE_READ},
		{"cache_write", CANON_CACHE_WRITE},
		{"cache_write_1h", CANON_CACHE_WRITE_1H},
		{"reasoning", CANON_REASONING}};
	for (int f = 0; f < CANON_COUNT; f++)
		if (strlen(canon_names[f]) == len &&
		    memcmp(canon_names[f], field, len) == 0)
			return f;
	for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
		if (strlen(aliases[i].name) == len &&
		    memcmp(aliases[i].name, field, len) == 0)
			return (int)aliases[i].f;
	return br_fail_status(err, BR_EXIT_USAGE,
			      "unknown field '%.*s'; expected one of timestamp, "
			      "provider, model, agent, label, request_id, status, "
			      "service_tier, input_tokens, output_tokens, "
			      "cache_read_tokens, cache_write_tokens, "
			      "cache_write_1h_tokens, reasoning_tokens, cost_usd "
			      "(or input, output, cache_read, cache_write, "
			      "cache_write_1h, reasoning for the token counts)",
			      (int)len, field);
}

int ingest_map_path_check(const char *path, struct br_err *err)
{
	if (!*path)
		return br_fail_status(err, BR_EXIT_USAGE, "empty path");
	/* Never cut: a path the JSON scanner cannot hold is refused. */
	struct jpath jp;
	if (jpath_init(&jp, path) != 0)
		return br_fail_status(err, BR_EXIT_USAGE, "path longer than %d "
				      "bytes or of more than %d components",
				      JPATH_MAX_TEXT, JPATH_MAX_COMP);
	return 0;
}

struct ingest *ingest_new(const struct ingest_opts *opts,
			  const struct ingest_sink *sink, struct br_err *err)
{
	const char *format = opts->format ? opts->format : "auto";
	if (ingest_format_check(format, err) != 0)
		return NULL;
	struct format_maps maps = {
		.format_option = opts->format_option ? opts->format_option
						     : "--format"};
	for (size_t i = 0; i < opts->nmaps; i++) {
		const struct ingest_map *m = &opts->maps[i];
		struct br_err why = {0};
		int f = ingest_map_field_check(m->field, strlen(m->field), &why);
		if (f < 0) {
			br_fail_status(err, BR_EXIT_USAGE, "--map: %s", why.msg);
			return NULL;
		}
		if (ingest_map_path_check(m->path, &why) != 0) {
			br_fail_status(err, BR_EXIT_USAGE, "--map %s: %s",
				       m->field, why.msg);
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
	g->seen = idset_new();
	reader_init(&g->main, g, true);
	pthread_mutex_init(&g->lock, NULL);
	pthread_cond_init(&g->work, NULL);
	pthread_cond_init(&g->done, NULL);
	pthread_cond_init(&g->block_queued, NULL);
	pthread_cond_init(&g->block_done, NULL);
	pthread_cond_init(&g->block_counted, NULL);
	return g;
}


static void rejects_free(struct rejects *r)
{
	br_buf_free(&r->mem);
	if (r->spill)
		fclose(r->spill);
}

/* Frees an outcome not handed to the sink. */
static void outcome_free(struct ingest *g, struct outcome *o)
{
	if (!o)
		return;
	if (o->input && g->sink.drop)
		g->sink.drop(g->sink.ctx, o->input);
	idset_free(o->ids);
	free(o->seen_mark);
	rejects_free(&o->rej);
	free(o->name);
	free(o->key);
	free(o);
}

static void task_free(struct ingest *g, struct task *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nout; i++)
		outcome_free(g, t->out[i]);
	free(t->out);
	free(t->path);
	free(t->key);
	free(t->zc);
	free(t->warning);
	free(t->note);
	free(t);
}

static void stop_threads(struct ingest *g, unsigned nw, unsigned np);

void ingest_free(struct ingest *g)
{
	if (!g)
		return;
	stop_threads(g, g->nworkers, g->pool ? g->nworkers : 0);
	free(g->threads);
	free(g->workers);
	free(g->pool_threads);
	free(g->pool);
	for (size_t i = g->consumed; i < g->ntasks; i++)
		task_free(g, g->tasks[i]);
	free(g->tasks);
	blocks_free(g);
	pthread_mutex_destroy(&g->lock);
	pthread_cond_destroy(&g->work);
	pthread_cond_destroy(&g->done);
	pthread_cond_destroy(&g->block_queued);
	pthread_cond_destroy(&g->block_done);
	pthread_cond_destroy(&g->block_counted);
	idset_free(g->seen);
	free(g->run_reads);
	br_dict_free(g->run_heads);
	free(g->run_last);
	reader_free(&g->main);
	free(g);
}

const struct ingest_stats *ingest_stats(const struct ingest *g)
{
	return &g->stats;
}

/* -------------------------------------------------------------- progress */

static uint64_t load(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static void add(uint64_t *p, uint64_t n)
{
	__atomic_fetch_add(p, n, __ATOMIC_RELAXED);
}

static size_t compressed_name(const char *name);

/* The size on disk of task t's file, for progress. */
static uint64_t task_size(const struct task *t)
{
	return t->disk_size ? t->disk_size : t->again_size;
}

/* Adds the progress of a task being read to p, and its bytes on disk read
 * to *disk. */
static void task_progress(const struct task *t, struct ingest_progress *p,
			  uint64_t *disk)
{
	uint64_t pos = load(&t->disk_pos), size = task_size(t);
	p->records += load(&t->records);
	p->bytes += load(&t->bytes);
	*disk += pos < size ? pos : size;
}

/* The decompressed bytes of task t left to read, estimated: from its
 * bytes on disk left, at the ratio its bytes read so far decompressed to
 * once begun; else its gzip trailer's size or a plain file's bytes to
 * read (content_left), or, by its name compressed, its size at ratio. */
static double task_left(const struct task *t, double ratio)
{
	uint64_t pos = load(&t->disk_pos), bytes = load(&t->bytes);
	uint64_t size = task_size(t);
	if (pos >= size)
		return 0;
	if (pos && bytes)
		return (double)(size - pos) * ((double)bytes / (double)pos);
	if (t->content_left || !compressed_name(t->path))
		return (double)t->content_left;
	return (double)size * ratio;
}

/* Tells the sink where reading has got: the tasks handed over, those
 * being read (tasks[consumed..next), locked when workers run; cur, read
 * on the caller's thread, unless NULL) and, unless cur is an input read
 * again (ingest_progress.bytes_total), those left to read. */
static void progress_of(struct ingest *g, const struct task *cur,
			struct ingest_progress *p)
{
	*p = (struct ingest_progress){g->inputs_done, g->inputs_total,
				      g->stats.records, g->stats.bytes, 0};
	uint64_t disk = g->disk_done;
	size_t begun = g->next > g->consumed ? g->next : g->consumed;
	for (size_t i = g->consumed; i < begun; i++)
		if (g->tasks[i]) /* else being handed over */
			task_progress(g->tasks[i], p, &disk);
	if (cur)
		task_progress(cur, p, &disk);
	if (g->size_unknown || (cur && cur->again_size))
		return;
	/* Inputs not begun decompress as those read so far did. */
	double ratio = disk && p->bytes > disk ? (double)p->bytes / (double)disk
					       : 1;
	double left = cur ? task_left(cur, ratio) : 0;
	for (size_t i = g->consumed; i < g->ntasks; i++)
		if (g->tasks[i])
			left += task_left(g->tasks[i], ratio);
	p->bytes_total = p->bytes + (uint64_t)left;
}

/* Reports progress from the caller's thread while it reads its task. */
static void main_progress(struct reader *rd)
{
	struct ingest *g = rd->g;
	uint64_t bytes = load(&rd->task->bytes);
	if (!g->sink.progress || bytes - rd->reported < PROGRESS_EVERY)
		return;
	rd->reported = bytes;
	struct ingest_progress p;
	if (g->nworkers)
		pthread_mutex_lock(&g->lock);
	progress_of(g, rd->task, &p);
	if (g->nworkers)
		pthread_mutex_unlock(&g->lock);
	g->sink.progress(g->sink.ctx, &p);
}

/* --------------------------------------------------------------- records */

static void reject_putc(struct br_buf *b, char c)
{
	if (c == '\n')
		br_buf_puts(b, "\\n");
	else if (c == '\r')
		br_buf_puts(b, "\\r");
	else
		br_buf_putc(b, c);
}

/* Appends "REASON: RECORD\n" to b, the record's newlines escaped. A
 * reason may quote a value of the record, decoded (a JSON "\n" or
 * "\u001b" is a newline or an escape there): its control characters
 * are shown as '?', so that it can neither add a line nor move the
 * cursor of a terminal showing the file. */
void put_reject(struct br_buf *b, const char *reason, const char *rec,
		size_t len)
{
	size_t n = strlen(reason);
	for (size_t i = 0; i < n;) {
		size_t k = br_control_len((const unsigned char *)reason + i, n - i);
		br_buf_putc(b, k ? '?' : reason[i]);
		i += k ? k : 1;
	}
	br_buf_puts(b, ": ");
	size_t shown = len > REJECT_RECORD_MAX ? REJECT_RECORD_MAX : len;
	for (size_t i = 0; i < shown; i++)
		reject_putc(b, rec[i]);
	if (shown < len)
		br_buf_printf(b, "... (%zu bytes)", len);
	br_buf_putc(b, '\n');
}

/* Moves rejects gathered in memory to a temporary file once they pass a
 * size: they are written to the rejects stream when their input is handed
 * over, and only if it was read to its end (hand_over). On the caller's
 * thread too: written there as they came, the rejects of a gzip cut short
 * were in the file, though nothing of it counted (the summary said 0
 * rejected), and again after the file was mended and read again. */
void reject_flush_some(struct reader *rd, struct rejects *r)
{
	struct br_buf *b = &r->mem;
	if (!rd->g->opts.rejects)
		return; /* samples: a few, kept in memory */
	if (b->len > REJECTS_IN_MEMORY) {
		if (!r->spill)
			r->spill = tmpfile();
		/* Without a temporary file, they stay in memory. */
		if (r->spill && fwrite(b->p, 1, b->len, r->spill) == b->len)
			br_buf_reset(b);
	}
}

uint64_t rejects_cap(const struct ingest *g)
{
	return g->opts.rejects ? UINT64_MAX : g->opts.reject_samples;
}

/* Writes "NAME:LINE: REASON: RECORD" with the record's newlines escaped,
 * or keeps it with the block being parsed, numbered from its start; up to
 * rejects_cap of an input. */

static void write_reject(struct input_state *st, const char *reason,
			 const char *rec, size_t len)
{
	uint64_t cap = rejects_cap(st->rd->g);
	if (st->block) {
		block_keep_reject(st->block, cap, st->record_line, reason, rec, len);
		return;
	}
	if (st->o->rej.kept >= cap)
		return;
	st->o->rej.kept++;
	struct br_buf *b = &st->o->rej.mem;
	br_buf_printf(b, "%s:%lu: ", st->o->in.name, st->record_line);
	put_reject(b, reason, rec, len);
	reject_flush_some(st->rd, &st->o->rej);
}

static void reject(struct input_state *st, const char *reason,
		   const char *rec, size_t len)
{
	if (st->replaying)
		return;
	st->o->in.rejected++;
	write_reject(st, reason, rec, len);
}

#define MAX_COST ((br_pico)INGEST_MAX_COST_USD * BR_PICO_PER_USD)

/* beyond_caps for an event that is not the usual one: out of line, so
 * that the usual one's check saves no registers. */
static __attribute__((noinline)) const char *
caps_reason(const struct br_event *ev, char *buf, size_t size)
{
	const struct br_tokens *t = &ev->tokens;
	const br_pico max = MAX_COST;
	const uint64_t counts[] = {t->input, t->output, t->cache_read,
				   t->cache_write, t->cache_write_1h,
				   t->reasoning};
	static const char *const what[] = {
		"input_tokens", "output_tokens", "cache_read_tokens",
		"cache_write_tokens", "cache_write_1h_tokens", "reasoning_tokens"};
	_Static_assert(sizeof counts == sizeof ev->tokens,
		       "every token count is checked");
	for (size_t i = 0; i < sizeof what / sizeof what[0]; i++)
		if (counts[i] > INGEST_MAX_TOKENS) {
			snprintf(buf, size, "%s %" PRIu64 " beyond the %" PRIu64
				 " a record may hold", what[i], counts[i],
				 INGEST_MAX_TOKENS);
			return buf;
		}
	const br_pico costs[] = {ev->has_logged_cost ? ev->logged_cost : 0,
				 ev->calc_cost};
	static const char *const cost_what[] = {"logged cost", "catalog cost"};
	for (size_t i = 0; i < 2; i++)
		if (costs[i] > max || costs[i] < -max) {
			char usd[BR_MONEY_BUFSZ];
			snprintf(buf, size, "%s %s USD beyond the %" PRId64
				 " USD a record may cost", cost_what[i],
				 br_money_format_exact(costs[i], usd),
				 INGEST_MAX_COST_USD);
			return buf;
		}
	if (ev->has_logged_cost && ev->logged_cost < 0 && !ev->cost_only) {
		char usd[BR_MONEY_BUFSZ];
		snprintf(buf, size, "logged cost %s USD is negative",
			 br_money_format_exact(ev->logged_cost, usd));
		return buf;
	}
	return NULL;
}

/* The reason an event's token counts or cost are beyond a record's caps
 * (INGEST_MAX_TOKENS, INGEST_MAX_COST_USD), or its logged cost is negative
 * (a request's; a bill's cost line may be a credit), written into buf;
 * NULL when they are not. */
static inline const char *beyond_caps(const struct br_event *ev, char *buf,
				      size_t size)
{
	const struct br_tokens *t = &ev->tokens;
	const br_pico max = MAX_COST;
	/* The usual event, within every cap, without building the lists:
	 * counts below 2^49 (< 10^15) and a catalog cost in [0, 2^64)
	 * (< 10^21 pico-dollars, $10^9), told by one OR of the counts and the
	 * cost's high word rather than a 128-bit comparison with each end
	 * (an event between those and the caps is told by caps_reason). */
	_Static_assert(UINT64_C(1) << 49 <= INGEST_MAX_TOKENS &&
			       (br_pico)1 << 64 <= MAX_COST,
		       "the usual event's test is within the caps");
	if (((t->input | t->output | t->cache_read | t->cache_write |
	      t->cache_write_1h | t->reasoning) >> 49 |
	     (uint64_t)((unsigned __int128)ev->calc_cost >> 64)) == 0 &&
	    (!ev->has_logged_cost ||
	     (ev->logged_cost <= max &&
	      ev->logged_cost >= (ev->cost_only ? -max : 0))))
		return NULL;
	return caps_reason(ev, buf, size);
}

/* The key of a Claude Code message id in the sets of request ids, kind
 * 'a' for any copy of the message counted, 's' for a sidechain copy: a
 * NUL, the kind and the id, which no request id is (a NUL in a name is
 * refused: name_refused). In buf when it fits, else allocated (*big). */
static struct br_str msg_key(const struct br_event *ev, char kind, char *buf,
			     size_t size, char **big)
{
	size_t n = ev->message_id.n + 2;
	char *k = n <= size ? buf : (*big = br_malloc(n));
	k[0] = '\0';
	k[1] = kind;
	memcpy(k + 2, ev->message_id.p, ev->message_id.n);
	return (struct br_str){k, n};
}

/* Tells whether a copy of ev's message was counted under another request
 * id by an input read before the one being read (in seen, the run's set or
 * its stable part, or held_ids, an archive's members before), when either
 * copy is a sidechain's: a /btw side question's log under subagents/
 * replays the parent's messages, their cache reads included, under new
 * request ids (ccusage issue #913). A sidechain copy is dropped after any
 * copy, a main one after a sidechain's (the first file's counts, as for a
 * request id). Within an input, release (formats.c) decided. */
static bool copy_counted(const struct reader *rd, const struct idset *seen,
			 const struct br_event *ev)
{
	char buf[128], *big = NULL;
	struct br_str m = msg_key(ev, ev->sidechain ? 'a' : 's', buf,
				  sizeof buf, &big);
	struct idset_key k;
	idset_key(&k, m.p, m.n);
	bool found = (seen && idset_has(seen, &k)) ||
		     (rd->held_ids && idset_has(rd->held_ids, &k));
	free(big);
	return found;
}

/* Keeps in input o's ids that ev's message was counted ('a'), and as a
 * sidechain's copy ('s'), for the inputs after it (copy_counted). A worker
 * that read o without the ids before it finds the copies when o is handed
 * over (hand_over: a copy's 'a' key is in both inputs), and o is read
 * again. */
static void claim_copy(struct outcome *o, const struct br_event *ev)
{
	for (int i = 0; i < 1 + ev->sidechain; i++) {
		char buf[128], *big = NULL;
		struct br_str m = msg_key(ev, i ? 's' : 'a', buf, sizeof buf, &big);
		struct idset_key k;
		idset_key(&k, m.p, m.n);
		if (!o->ids)
			o->ids = idset_new();
		idset_add(o->ids, &k);
		free(big);
	}
	o->copies = true;
}

/* Counts a parsed event once, dropping a request id seen before and
 * rejecting an event beyond a record's caps (before its id is kept). The ids
 * of the input being read stay its own until it is handed over (or go into
 * the run's set back to a mark, blocks.c's attach_seen), so an input that
 * fails leaves no trace, not even in the duplicate check. */
static void deliver(struct input_state *st, struct br_event *ev)
{
	struct reader *rd = st->rd;
	struct ingest *g = rd->g;
	struct outcome *o = st->o;
	bool dedupe = !g->opts.no_dedupe && ev->request_id.n;
	struct idset_key k;
	if (dedupe && !st->replaying) {
		idset_key(&k, ev->request_id.p, ev->request_id.n);
		/* A block's ids are settled later, in input order, into the
		 * input's set or the run's (settle_held). */
		if (!st->block && !o->ids)
			o->ids = idset_new();
		if (!st->block)
			idset_prefetch(o->ids, k.hash);
	}
	/* Priced before the duplicate check, while the id's slot loads. */
	br_pricer_price(rd->pricer, ev);
	if (beyond_caps(ev, st->reason, sizeof st->reason)) {
		reject(st, st->reason, st->rec.p, st->rec.n);
		return;
	}
	if (st->replaying) {
		if (dedupe && st->replay_left-- == 0 && g->sink.event)
			g->sink.event(o->input, ev);
		return;
	}
	if (dedupe && st->block) {
		/* Counted now, and counted out if its id settles a
		 * duplicate. */
		block_hold(st, &k);
	} else if (dedupe) {
		const struct idset *seen = rd->main ? g->seen : rd->seen;
		if ((seen && idset_has(seen, &k)) ||
		    (rd->held_ids && idset_has(rd->held_ids, &k)) ||
		    (ev->message_id.n && copy_counted(rd, seen, ev)) ||
		    !idset_add(o->ids, &k)) {
			o->in.duplicates++;
			return;
		}
		if (ev->message_id.n)
			claim_copy(o, ev);
	}
	o->in.events++;
	if (g->sink.event)
		g->sink.event(o->input, ev);
}

/* Tells whether s holds a NUL. */
static inline bool holds_nul(struct br_str s)
{
	return s.n && memchr(s.p, 0, s.n) != NULL;
}

/* name_refused for an event that is not the usual one: out of line, so
 * that the usual one's check saves no registers. */
static __attribute__((noinline)) const char *
name_reason(const struct br_event *ev, bool nul_checked, char *buf,
	    size_t size)
{
	const struct br_str *names[] = {&ev->provider, &ev->model, &ev->agent,
					&ev->label, &ev->request_id};
	static const char *const what[] = {"provider", "model", "agent",
					   "label", "request_id"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (names[i]->n > INGEST_MAX_FIELD) {
			snprintf(buf, size, "%s longer than %zu bytes", what[i],
				 INGEST_MAX_FIELD);
			return buf;
		}
		if (!nul_checked && holds_nul(*names[i])) {
			snprintf(buf, size, "invalid %s: holds \\u0000", what[i]);
			return buf;
		}
	}
	return NULL;
}

/* The reason one of an event's names cannot be kept, written into buf:
 * longer than INGEST_MAX_FIELD, or holding a NUL (a JSON \u0000), which
 * the store would cut the name short at, merging it with another, while
 * pricing saw it whole. NULL when none is. Every format's events pass
 * here before they are priced or held, so that none can miss it;
 * nul_checked: its format looked for a NUL itself (names_checked). */
static inline const char *name_refused(const struct br_event *ev,
				       bool nul_checked, char *buf,
				       size_t size)
{
	if ((ev->provider.n | ev->model.n | ev->agent.n | ev->label.n |
	     ev->request_id.n) <= INGEST_MAX_FIELD) {
		if (nul_checked)
			return NULL;
		/* Bitwise, without a branch per name (ints: clang's
		 * -Wbitwise-instead-of-logical). */
		if (__builtin_expect(!((int)holds_nul(ev->provider) |
				       (int)holds_nul(ev->model) |
				       (int)holds_nul(ev->agent) |
				       (int)holds_nul(ev->label) |
				       (int)holds_nul(ev->request_id)), 1))
			return NULL; /* the usual event */
	}
	return name_reason(ev, nul_checked, buf, size);
}

/* day_refused for an instant near the ends of the days written: out of
 * line, so that the usual event's check saves no registers. */
static __attribute__((noinline)) const char *
day_reason(const struct ingest_opts *o, const struct br_event *ev, char *buf,
	   size_t size)
{
	int32_t day = br_tz_day(o->tz, ev->ts_us);
	if (day >= BR_DAY_FIRST && day <= BR_DAY_LAST)
		return NULL;
	snprintf(buf, size, "day outside years 0000 to 9999 in time zone %s",
		 br_tz_name(o->tz));
	return buf;
}

/* The reason ev's day in the store's time zone (o->tz; none: UTC) is
 * not one days are written as (BR_DAY_FIRST..BR_DAY_LAST), written into
 * buf; NULL when it is. br_time_parse keeps instants within those days in
 * UTC, but a zone can move one out: 9999-12-31T20:00:00Z is 10000-01-01
 * in Asia/Tokyo, and was reported as day 0000-01-01. */
static inline const char *day_refused(const struct ingest_opts *o,
				      const struct br_event *ev, char *buf,
				      size_t size)
{
	/* An offset (int32_t seconds) moves a day by at most 24856 days:
	 * only an instant that near the ends needs the zone's lookup (told
	 * without a division: this is every event's). */
	if (!o->tz || (ev->ts_us >= (BR_DAY_FIRST + 24857) * BR_US_PER_DAY &&
		       ev->ts_us < (BR_DAY_LAST - 24856) * BR_US_PER_DAY))
		return NULL;
	return day_reason(o, ev, buf, size);
}

/* Why ev of the input st reads is refused whatever its format (a name too
 * long or with a NUL, a day no day is written as), written into
 * st->reason; NULL when it is not. */
static inline const char *event_refused(struct input_state *st,
					const struct br_event *ev)
{
	const char *why = name_refused(ev, st->parser->names_checked,
				       st->reason, sizeof st->reason);
	return why ? why : day_refused(&st->rd->g->opts, ev, st->reason,
				       sizeof st->reason);
}

/* reject_outside of a backfill: out of line, so that an ingest's check
 * saves no registers. */
static __attribute__((noinline)) bool reject_day(struct input_state *st,
						 const struct br_event *ev)
{
	const struct ingest_opts *o = &st->rd->g->opts;
	int32_t day = br_tz_day(o->tz, ev->ts_us);
	if (day >= o->only_from && day <= o->only_to)
		return false;
	char from[11], to[11], d[11];
	br_day_format(o->only_from, from);
	br_day_format(o->only_to, to);
	br_day_format(day, d);
	snprintf(st->reason, sizeof st->reason,
		 "day %s outside the --replace range %s..%s", d, from, to);
	st->o->in.outside++;
	reject(st, st->reason, st->rec.p, st->rec.n);
	return true;
}

/* Rejects an event of the current record outside a backfill's day range;
 * returns whether it did. */
static inline bool reject_outside(struct input_state *st,
				  const struct br_event *ev)
{
	return st->rd->g->opts.only_from != BR_DAY_NONE && reject_day(st, ev);
}

/* Keeps the request id of an event a backfill's range rejected, as the
 * whole ingest of its input did: a copy of the id inside the range (a
 * retry just past midnight) is then a duplicate there too, not counted
 * a second time. */
static void claim_id(struct input_state *st, const struct br_event *ev)
{
	struct outcome *o = st->o;
	if (st->rd->g->opts.no_dedupe || !ev->request_id.n)
		return;
	if (st->replaying) {
		st->replay_left--; /* as block_claim held it */
		return;
	}
	struct idset_key k;
	idset_key(&k, ev->request_id.p, ev->request_id.n);
	if (st->block) {
		block_claim(st, &k);
		return;
	}
	if (!o->ids)
		o->ids = idset_new();
	idset_add(o->ids, &k);
	if (ev->message_id.n)
		claim_copy(o, ev);
}

/* Keeps an event of the current record, unless a name is too long or
 * holds a NUL, its day is one no day is written as, or a backfill's day
 * range rejects it. */
static void accept_event(struct input_state *st, struct br_event *ev)
{
	if (event_refused(st, ev)) {
		reject(st, st->reason, st->rec.p, st->rec.n);
		return;
	}
	if (reject_outside(st, ev))
		claim_id(st, ev);
	else
		deliver(st, ev);
}

/* The sink of the input's format: events it makes itself. */
void format_event(void *ctx, struct br_event *ev)
{
	ev->cost_if_ok = true;
	accept_event(ctx, ev);
}

bool format_rejects_outside(void *ctx, const struct br_event *ev)
{
	return reject_outside(ctx, ev);
}

const char *format_refuses(void *ctx, struct br_event *ev)
{
	struct input_state *st = ctx;
	if (event_refused(st, ev))
		return st->reason;
	br_pricer_price(st->rd->pricer, ev);
	return beyond_caps(ev, st->reason, sizeof st->reason);
}

bool is_blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\f' &&
		    s[i] != '\v')
			return false;
	return true;
}

/* The blanks (is_blank) that begin line (len bytes). */
static size_t leading_blanks(const char *line, size_t len)
{
	size_t i = 0;
	while (i < len && is_blank(line + i, 1))
		i++;
	return i;
}

/* Tells whether line (len bytes) is Excel's "sep=," line, which names the
 * separator of the CSV after it (a spreadsheet's export may begin with
 * one): no header, nor a record, of any format. */
static bool is_excel_sep(const char *line, size_t len)
{
	return len == 5 && memcmp(line, "sep=", 4) == 0;
}

/* Opens the input's parser on its first non-blank line, but on Excel's
 * "sep=," line, which opens none whatever the format. Returns -1 when
 * no parser is opened, the error in st->o->err. */
static int open_parser(struct input_state *st, const char *line, size_t len)
{
	if (is_excel_sep(line, len))
		return br_fail(&st->o->err, "%s: Excel's '%.*s' line, and no "
			       "CSV header after it", st->o->in.name, (int)len,
			       line);
	size_t i = leading_blanks(line, len);
	st->parser = format_open(st->rd->g->opts.format, line + i, len - i,
				 st->o->in.name, &st->rd->g->maps, st->rd->formats,
				 &st->o->err);
	if (!st->parser)
		return -1;
	st->parser->sink = (struct format_sink){st, format_event, format_refuses,
						format_rejects_outside};
	st->parser->first_line = st->lineno <= UINT32_MAX ? (uint32_t)st->lineno : 0;
	st->o->in.format = st->parser->name;
	return 0;
}

/* The lines format detection reads (--format auto) before it gives up. */
#define DETECT_LINES 10

/* Tells whether line (len bytes) looks like UTF-16 text (Windows
 * PowerShell's redirections write it): a UTF-16 byte order mark, or ASCII
 * as UTF-16, every other byte of its first 64 NUL and the others not. */
static bool looks_utf16(const char *line, size_t len)
{
	if (len >= 2 && (memcmp(line, "\xFF\xFE", 2) == 0 ||
			 memcmp(line, "\xFE\xFF", 2) == 0))
		return true;
	size_t n = (len < 64 ? len : 64) & ~(size_t)1, nul[2] = {0, 0};
	for (size_t i = 0; i < n; i++)
		nul[i & 1] += line[i] == '\0';
	return n >= 4 && ((nul[0] == n / 2 && nul[1] == 0) ||
			  (nul[1] == n / 2 && nul[0] == 0));
}

/* Tells whether line (len bytes) begins a JSON array of records (an
 * export as one JSON document, not JSON lines): "[" and then "{", "]" or
 * the line's end, blanks aside, and the line a JSON array or the start of
 * one (pretty-printed, or cut short). The tail of a JSON line cut short
 * ('[{"type":"text"}],"stop_reason":...}', a log beginning inside a
 * record) is not: text follows its array. */
static bool begins_json_array(const char *line, size_t len)
{
	size_t i = leading_blanks(line, len);
	if (i == len || line[i] != '[')
		return false;
	i += 1 + leading_blanks(line + i + 1, len - i - 1);
	if (i < len && line[i] != '{' && line[i] != ']')
		return false;
	json_error_t e;
	json_t *j = json_loadb(line, len, 0, &e);
	bool array = j ? json_is_array(j)
		       : json_error_code(&e) == json_error_premature_end_of_input;
	json_decref(j);
	return array;
}

/* Tells whether line (len bytes) is "{" alone, blanks aside: the first
 * line of pretty-printed JSON (or of a record cut after its "{"). */
static bool is_lone_brace(const char *line, size_t len)
{
	size_t i = leading_blanks(line, len);
	return i < len && line[i] == '{' && is_blank(line + i + 1, len - i - 1);
}

/* What the n bytes at p begin as when they are a compressed stream (gzip
 * too) or an archive ("a zstd stream", "a zip archive"), else NULL: a
 * log's bytes never are. */
static const char *packed_what(const unsigned char *p, size_t n);

/* Fails the input whose first line (len bytes) begins no log of any
 * format: UTF-16 text, a JSON array, a compressed stream or an archive
 * (a log compressed twice, a compressed tar in a tar). Returns -1 so, else
 * 0. */
static int unreadable_start(struct input_state *st, const char *line,
			    size_t len)
{
	if (looks_utf16(line, len)) {
		br_err_clear(&st->o->err);
		return br_fail(&st->o->err, "%s: cannot read the log: its first "
			       "line looks like UTF-16 text (a UTF-16 byte "
			       "order mark, or every other byte NUL), and logs "
			       "are read as UTF-8; convert it first (iconv -f "
			       "UTF-16 -t UTF-8)", st->o->in.name);
	}
	if (begins_json_array(line, len)) {
		br_err_clear(&st->o->err);
		return br_fail(&st->o->err, "%s: cannot read the log: it is a "
			       "JSON array, not JSON lines (one JSON object a "
			       "line); convert it first (jq -c '.[]')",
			       st->o->in.name);
	}
	const char *packed = packed_what((const unsigned char *)line, len);
	if (packed) {
		br_err_clear(&st->o->err);
		return br_fail(&st->o->err, "%s: cannot read the log: its "
			       "bytes are %s (a file or an archive's member is "
			       "decompressed once, and an archive inside an "
			       "archive is not opened); unpack it first",
			       st->o->in.name, packed);
	}
	return 0;
}

/* Fails the input whose format detection told none of its first lines
 * (st->undetected of them): returns -1. */
static int undetectable(struct input_state *st)
{
	br_err_clear(&st->o->err);
	if (st->undetected == 1)
		return br_fail(&st->o->err, "%s", st->undetected_why.msg);
	if (st->undetected_brace)
		return br_fail(&st->o->err, "%s: cannot tell the log format from "
			       "its first %d lines, which look like pretty-printed "
			       "JSON: logs are JSON lines (one JSON object a "
			       "line); convert it first (jq -c .)", st->o->in.name,
			       st->undetected < DETECT_LINES ? st->undetected
							     : DETECT_LINES);
	return br_fail(&st->o->err, "%s: cannot tell the log format from its "
		       "first %d lines; name it with %s (%s)",
		       st->o->in.name, st->undetected < DETECT_LINES ? st->undetected
							     : DETECT_LINES,
		       st->rd->g->maps.format_option, format_names());
}

/* A line the parser could not be opened on (its error in st->o->err): with
 * --format auto, one of the first DETECT_LINES non-blank lines is a
 * rejected record, and the next line is tried (a log may begin with a
 * line cut short or a line of another program); returns 0. So is, with a
 * format named, a first line that is Excel's "sep=," (its export's
 * header follows). The input fails (-1) on any other line when the
 * format is named, at the DETECT_LINES-th line, or when it ends before a
 * line is told (read_input), and at once when the first line begins no
 * log (unreadable_start). */
static int undetected(struct input_state *st, const char *line, size_t len)
{
	if (st->undetected == 0 && unreadable_start(st, line, len) != 0)
		return -1;
	bool sep = is_excel_sep(line, len);
	if (strcmp(st->rd->g->opts.format, "auto") != 0 &&
	    !(sep && st->undetected == 0))
		return -1;
	if (++st->undetected == 1) {
		st->undetected_why = st->o->err;
		st->undetected_brace = is_lone_brace(line, len);
	}
	if (st->undetected >= DETECT_LINES)
		return undetectable(st);
	br_err_clear(&st->o->err);
	st->record_line = st->lineno;
	st->o->in.records++;
	const char *why = sep ? "Excel's separator line, not a CSV header"
			      : "cannot tell the log format from it (not a JSON "
				"object of a known format, nor a known CSV header)";
	/* A JSON record that is not valid (invalid UTF-8, cut short, a
	 * control character) says where and why, as it would once the
	 * format is told: a whole generic record with a bad byte in a name
	 * was "not a JSON object of a known format". */
	size_t i = leading_blanks(line, len);
	if (!sep && i < len && line[i] == '{') {
		json_error_t je;
		json_t *j = json_loadb(line + i, len - i, JSON_ALLOW_NUL, &je);
		if (!j) {
			snprintf(st->reason, sizeof st->reason, "cannot tell the "
				 "log format from it: invalid JSON at byte %d: %.40s",
				 je.position + (int)i + 1, je.text);
			why = st->reason;
		}
		json_decref(j);
	}
	reject(st, why, line, len);
	return 0;
}

/* Handles one complete physical line. Returns -1 when the input fails. */
static int handle_line(struct input_state *st, const char *line, size_t len)
{
	struct reader *rd = st->rd;
	struct ingest *g = rd->g;
	struct ingest_input *in = &st->o->in;
	st->lineno++;
	/* A BOM begins the input's first line, or a line of files that each
	 * began with one, joined (cat a.jsonl b.jsonl): never inside a
	 * record (a quoted CSV field's line keeps its bytes). */
	if ((st->lineno == 1 && !st->block) ||
	    (!st->in_record && len && (unsigned char)line[0] == 0xEF)) {
		size_t bom = br_utf8_bom_len(line, len);
		line += bom;
		len -= bom;
	}
	if (len && line[len - 1] == '\r')
		len--;
	if (st->overlong) {
		st->overlong = false;
		/* The parser is left inside the record (a quoted CSV field)
		 * when its line is cut: no block may depend on that. */
		if (st->in_record && st->block)
			block_spoil(st->block);
		if (!st->in_record)
			st->record_line = st->lineno;
		in->records++;
		char why[64];
		snprintf(why, sizeof why, "record longer than %zu bytes",
			 g->opts.max_record);
		reject(st, why, line, len);
		st->in_record = false;
		return 0;
	}
	if (!st->in_record && is_blank(line, len))
		return 0;
	bool first = !st->parser;
	if (first && open_parser(st, line, len) != 0)
		return undetected(st, line, len);
	/* A record of one line is used in place; one of several lines (CSV
	 * quotes) is gathered in rd->record, and so is every record of a
	 * parser that may hand events over after the call. */
	bool copy = st->in_record || !st->parser->immediate;
	if (!st->in_record) {
		st->record_line = st->lineno;
		st->record_off = st->line_off;
		br_buf_reset(&rd->record);
	} else {
		br_buf_putc(&rd->record, '\n');
	}
	if (copy) {
		br_buf_put(&rd->record, line, len);
		st->rec = (struct br_str){rd->record.p, rd->record.len};
	} else {
		st->rec = (struct br_str){line, len};
	}
	if (st->rec.n > g->opts.max_record) {
		/* A multi-line record (an unbalanced CSV quote) grew past the
		 * cap: the rest of the input cannot be split reliably. */
		return br_fail(&st->o->err, "%s:%lu: record longer than %zu bytes",
			       in->name, st->record_line, g->opts.max_record);
	}
	struct br_event ev;
	const char *why = NULL;
	int rc = st->parser->line(st->parser, line, len, &ev, &why,
				  &st->o->err);
	/* A named format may take UTF-16 for a CSV header, a JSON array for
	 * a record it rejects: the input then fails, no line of it would
	 * count. */
	if (first && (rc == FORMAT_FAIL || (rc == FORMAT_RECORD && why)) &&
	    unreadable_start(st, line, len) != 0)
		return -1;
	if (rc == FORMAT_FAIL)
		return -1;
	if (first) {
		br_buf_put(&st->first, line, len);
		st->first_rc = rc;
	}
	st->in_record = rc == FORMAT_MORE;
	if (st->in_record && !copy)
		br_buf_put(&rd->record, line, len);
	if (rc == FORMAT_RECORD || rc == FORMAT_EMITTED)
		in->records++;
	if (rc == FORMAT_RECORD && why)
		reject(st, why, st->rec.p, st->rec.n);
	else if (rc == FORMAT_RECORD)
		accept_event(st, &ev);
	if (!copy)
		st->rec = (struct br_str){"", 0};
	return 0;
}

/* Handles a line that the parser's ahead() told and parsed: its record
 * made ev, or is rejected for why. Of handle_line's steps, what such a
 * line needs: the parser is open and takes each line as one record
 * (FORMAT_RECORD), in place (immediate); the line is not inside a record
 * nor overlong, ends with its record (no CR: jscan_line), which is no
 * blank line and no longer than max_record; st->record_off, and the
 * line_off it is taken from, are read only inside a record. Without the
 * tests of all that, in a loop of the lines told in a row (handle_bytes),
 * 69 instructions a record fewer (handle_bytes 112 -> 43; callgrind,
 * the bench's first 300,000 records, --jobs 1 and 2), and 5 more with
 * st->rec set to "" once after the loop rather than after each line. */
static inline __attribute__((always_inline)) void
line_told(struct input_state *st, const char *line, size_t len,
	  struct br_event *ev, const char *why)
{
	st->record_line = ++st->lineno;
	st->o->in.records++;
	st->rec = (struct br_str){line, len}; /* "" again after the loop */
	if (why)
		reject(st, why, line, len);
	else
		accept_event(st, ev);
}

/* Splits a chunk of decompressed bytes into lines. A line wholly inside
 * the chunk is handed over in place; only one split across chunks is
 * copied. */
int handle_bytes(struct input_state *st, const char *p, size_t n)
{
	struct reader *rd = st->rd;
	size_t max = rd->g->opts.max_record;
	st->chunk = p;
	while (n > 0) {
		if (*p == '\n' && rd->line.len == 0 && !st->overlong &&
		    !st->in_record) {
			/* Empty lines outside a record: only counted. */
			size_t k = 1;
			while (k < n && p[k] == '\n')
				k++;
			st->lineno += k;
			p += k;
			n -= k;
			continue;
		}
		/* The parser may tell the line's end as it parses its record
		 * (the generic JSONL's): then the newline is not looked for
		 * first (memchr, ~84 instructions a record of 340 bytes). The
		 * lines it tells in a row are handled here, the tests above
		 * made once: a line told leaves them as they were. */
		struct format_parser *fp = st->parser;
		if (fp && fp->ahead && rd->line.len == 0 && !st->overlong &&
		    !st->in_record) {
			size_t told;
			do {
				struct br_event own, *ev = &own;
				const char *why = NULL;
				told = fp->ahead(fp, p, n > max ? max + 1 : n, ev,
						 &why);
				if (!told)
					break;
				line_told(st, p, told, ev, why);
				p += told + 1;
				n -= told + 1;
			} while (n && *p != '\n');
			st->rec = (struct br_str){"", 0};
			if (told)
				continue;
		}
		const char *nl = memchr(p, '\n', n);
		size_t take = nl ? (size_t)(nl - p) : n;
		if (nl && rd->line.len == 0 && !st->overlong && take <= max) {
			st->line_off = st->base + (uint64_t)(p - st->chunk);
			int rc = handle_line(st, p, take);
			if (rc != 0)
				return rc;
			p = nl + 1;
			n -= take + 1;
			continue;
		}
		if (st->line_len == 0)
			st->line_start = st->base + (uint64_t)(p - st->chunk);
		if (st->line_len + take > max) {
			/* An overlong line keeps its first 256 bytes, however
			 * it was read. */
			if (!st->overlong && rd->line.len > 256)
				rd->line.len = 256;
			st->overlong = true;
			if (rd->line.len < 256) {
				size_t room = 256 - rd->line.len;
				br_buf_put(&rd->line, p, take < room ? take : room);
			}
		} else if (!st->overlong) {
			br_buf_put(&rd->line, p, take);
		}
		st->line_len += take;
		if (!nl)
			return 0;
		st->line_off = st->line_start;
		int rc = handle_line(st, rd->line.p ? rd->line.p : "", rd->line.len);
		br_buf_reset(&rd->line);
		st->line_len = 0;
		if (rc != 0)
			return rc;
		p = nl + 1;
		n -= take + 1;
	}
	return 0;
}

/* Reading the already ingested prefix of a grown plain file. */
struct resume {
	bool active;
	struct ingest_known k;
	uint64_t pos;
	unsigned long lines;
	/* The file's first non-blank lines, which told its format when it was
	 * read before (a CSV log's header may follow a line of another
	 * program): up to DETECT_LINES, without a BOM or a CR, one after the
	 * other in heads, the k-th ending at head_end[k]. */
	struct br_buf heads;
	size_t head_end[DETECT_LINES];
	int nheads;
	size_t line_start; /* in heads: the line being collected */
	bool collecting;   /* nheads < DETECT_LINES, in the prefix */
	bool skipping;     /* the line is longer than a record: not kept */
	bool at_start;     /* the line is the file's line 1 */
};

/* Keeps the line just collected (from rs->line_start) when it is not
 * blank, as handle_line sees it: a BOM dropped from line 1, a CR from the
 * end. */
static void resume_keep_line(struct resume *rs)
{
	char *line = rs->heads.p + rs->line_start;
	size_t n = rs->heads.len - rs->line_start;
	size_t bom = rs->at_start ? br_utf8_bom_len(line, n) : 0;
	memmove(line, line + bom, n - bom);
	n -= bom;
	if (n && line[n - 1] == '\r')
		n--;
	rs->heads.len = rs->line_start + n;
	if (is_blank(line, n)) {
		rs->heads.len = rs->line_start;
		return;
	}
	rs->head_end[rs->nheads++] = rs->heads.len;
	rs->collecting = rs->nheads < DETECT_LINES;
}

/* Collects the first non-blank lines of the prefix at p (n bytes). A line
 * longer than a record is left out, as handle_line rejects it unread. */
static void resume_collect(struct resume *rs, const char *p, size_t n,
			   size_t max_record)
{
	for (size_t i = 0; rs->collecting && i < n;) {
		const char *nl = memchr(p + i, '\n', n - i);
		size_t part = nl ? (size_t)(nl - (p + i)) : n - i;
		if (!rs->skipping &&
		    rs->heads.len - rs->line_start + part > max_record) {
			rs->skipping = true;
			rs->heads.len = rs->line_start;
		}
		if (!rs->skipping)
			br_buf_put(&rs->heads, p + i, part);
		i += part + 1;
		if (!nl)
			break;
		if (!rs->skipping)
			resume_keep_line(rs);
		rs->skipping = rs->at_start = false;
		rs->line_start = rs->heads.len;
	}
}

/* Opens the parser of a file resumed where an earlier run ended as the
 * whole read did: on the first of its first non-blank lines that tells the
 * format, the lines before it counted as rejected then and as lines that
 * did not tell it now. A CSV log's header, which is no record, is parsed
 * again; a JSON log's first record was counted before, and only tells the
 * format. Lines that tell none leave the parser to the lines after the
 * part read before. */
static int resume_open(struct resume *rs, struct input_state *st)
{
	for (int k = 0; k < rs->nheads && !st->parser; k++) {
		size_t from = k ? rs->head_end[k - 1] : 0;
		const char *line = rs->heads.p + from;
		size_t n = rs->head_end[k] - from;
		if (open_parser(st, line, n) != 0) {
			if (++st->undetected == 1)
				st->undetected_why = st->o->err;
			br_err_clear(&st->o->err);
			continue;
		}
		br_buf_put(&st->first, line, n);
		st->first_rc = FORMAT_RECORD;
		if (st->parser->json_lines)
			break;
		struct br_event ev;
		const char *why = NULL;
		st->first_rc = st->parser->line(st->parser, line, n, &ev, &why,
						&st->o->err);
		if (st->first_rc != FORMAT_NONE)
			return br_fail(&st->o->err, "%s: not a header, which the part "
				       "read before began with", st->o->in.name);
	}
	return 0;
}

/* Takes up to n bytes of the known prefix at p into the hash h. Once the
 * whole prefix is read, checks it: a prefix that changed fails the input,
 * which was edited in place and would otherwise be counted twice. Returns
 * the bytes taken. */
static size_t resume_take(struct resume *rs, struct br_hasher *h,
			  const char *p, size_t n, struct input_state *st)
{
	size_t take = rs->k.bytes - rs->pos < n ? (size_t)(rs->k.bytes - rs->pos) : n;
	br_hash_update(h, p, take);
	resume_collect(rs, p, take, st->rd->g->opts.max_record);
	for (size_t i = 0; i < take; i++)
		rs->lines += p[i] == '\n';
	rs->pos += take;
	if (rs->pos == rs->k.bytes) {
		if (!br_fp_equal(br_hash_final(h), rs->k.fp))
			br_fail(&st->o->err, "%s: its first %llu bytes changed since "
				"they were ingested; not counted again (ingest it "
				"with --replace to recount its days)", st->o->in.name,
				(unsigned long long)rs->k.bytes);
		else
			resume_open(rs, st);
		rs->active = false;
		st->lineno = rs->lines;
		st->o->in.resumed_at = rs->k.bytes;
	}
	return take;
}

/* Starts the outcome of an input named name of task t. */
static struct outcome *outcome_new(struct reader *rd, struct task *t,
				   const char *name, long member)
{
	struct ingest *g = rd->g;
	struct outcome *o = br_calloc(1, sizeof *o);
	o->name = br_strdup(name);
	o->in.name = o->name;
	o->member = member;
	o->input = g->sink.begin ? g->sink.begin(g->sink.ctx, o->name) : g->sink.ctx;
	if (t->nout == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 4;
		t->out = br_realloc(t->out, t->cap * sizeof *t->out);
	}
	t->out[t->nout++] = o;
	return o;
}

/* An input that fails before it is read: open or archive errors. */
static void failed_input(struct reader *rd, struct task *t, const char *name,
			 long member, const char *message);

/* Marks an outcome read; on the caller's thread, hands it over at once. */
static void finish_outcome(struct reader *rd, struct task *t, struct outcome *o);

static void hand_over(struct ingest *g, struct task *t, struct outcome *o);

/* Tells whether the last line of an input, without a newline, is a record
 * written whole, not one still being written: as its parser tells (a CSV
 * row with the header's fields), else a whole JSON object of a log of
 * JSON lines (or, before any line opened the parser, of a log that may be
 * one), which a line cut short would not be. The generic format's scanner
 * tells, which reads numbers as text: jansson refuses an integer beyond
 * 2^63 or a real beyond a double's range (1e400), which held a record
 * holding one back as cut short, run after run. */
static bool whole_last_record(const struct input_state *st,
			      const struct br_buf *line)
{
	if (st->overlong)
		return false;
	if (st->parser && st->parser->whole)
		return st->parser->whole(st->parser, line->p ? line->p : "",
					 line->len);
	if (st->parser && !st->parser->json_lines)
		return false;
	struct jscan *scan = jscan_new(NULL, 0);
	struct jvalue none;
	size_t at;
	bool whole = !jscan_record(scan, line->p ? line->p : "", line->len,
				   &none, &at);
	jscan_free(scan);
	/* Before a line told the format, a JSON array is as good as whole:
	 * it fails the input (unreadable_start), no JSON lines begin so. */
	if (!whole && !st->parser)
		whole = begins_json_array(line->p ? line->p : "", line->len);
	return whole;
}

/* The bytes of task t's file that src has not given yet, as far as known
 * (UINT64_MAX: not known), out bytes given so far: for a gzipped file,
 * those inflated but not yet given, and what the rest would inflate to at
 * the ratio so far (a small one is inflated 64 KiB at a time, each of
 * which would else be cut into blocks for nothing). */
static uint64_t bytes_left(const struct task *t, const struct source *src,
			   uint64_t out)
{
	if (!t->disk_size)
		return UINT64_MAX;
	if (source_compressed(src)) {
		uint64_t used, made;
		source_gzip_progress(src, &used, &made);
		if (!used)
			return UINT64_MAX;
		uint64_t rest = t->disk_size > used ? t->disk_size - used : 0;
		double est = (double)rest * ((double)made / (double)used) +
			     (double)(made > out ? made - out : 0);
		return est >= 0x1p63 ? UINT64_MAX : (uint64_t)est;
	}
	uint64_t read = source_disk_pos(src);
	return t->disk_size > read ? t->disk_size - read : 0;
}

/* Fails an input read under a forced --format (but generic, which
 * rejects what it cannot read) whose records gave no request when they are
 * not that format's: its first record is another format's, or, none being
 * rejected, one detection cannot tell. Such an input is not recorded as
 * ingested, so that it can be read in its format later. Returns -1 then,
 * else 0. */
static int wrong_format(struct input_state *st)
{
	const struct ingest_input *in = &st->o->in;
	const char *format = st->rd->g->opts.format;
	if (strcmp(format, "auto") == 0 || strcmp(format, "generic") == 0 ||
	    !st->parser || !st->parser->json_lines || in->records == 0 ||
	    in->events > 0 || in->duplicates > 0 || in->resumed_at > 0 ||
	    st->first.len == 0)
		return 0;
	struct format_detector *d = format_detector_new();
	const char *is = format_detect_json(d, st->first.p, st->first.len);
	format_detector_free(d);
	if ((is && strcmp(is, format) == 0) || (!is && in->rejected > 0))
		return 0;
	const char *an = strchr("aeio", format[0]) ? "an" : "a";
	if (is)
		return br_fail(&st->o->err, "%s: none of its %llu records is %s %s "
			       "record (the first is a%s %s record); not counted, "
			       "name its format with --format or leave it out",
			       in->name, (unsigned long long)in->records, an,
			       format, strchr("aeio", is[0]) ? "n" : "", is);
	return br_fail(&st->o->err, "%s: none of its %llu records is %s %s "
		       "record; not counted", in->name,
		       (unsigned long long)in->records, an, format);
}

/* The hashes of an input's bytes where its last record of several lines
 * starts, and where the line gathered across chunks does. */
struct record_marks {
	struct br_hasher record, line_start;
	uint64_t record_off; /* where record is the hash to (or UINT64_MAX) */
};

/* After handle_bytes took chunk p (of st->base on), the hash before it
 * h_chunk and after its last line end h_lines: notes the hash where an
 * open record of several lines starts, should it be left waiting at the
 * input's end. It starts in the chunk, or on a line begun in an earlier
 * one, whose hash was noted then: a line gathered across chunks starts
 * after the last line end of the chunk it starts in. */
static void mark_record(const struct input_state *st, struct record_marks *m,
			const struct br_hasher *h_chunk,
			const struct br_hasher *h_lines, const char *p)
{
	if (st->in_record && m->record_off != st->record_off) {
		if (st->record_off >= st->base) {
			m->record = *h_chunk;
			br_hash_update(&m->record, p, st->record_off - st->base);
		} else {
			m->record = m->line_start;
		}
		m->record_off = st->record_off;
	}
	if (st->line_len > 0 && st->line_start >= st->base)
		m->line_start = st->line_start > st->base ? *h_lines : *h_chunk;
}

/* Reads one input of task t from src (over fd, or an archive member when fd
 * is -1) to its end into an outcome. key is a file's canonical path (NULL
 * otherwise: standard input, a member of an archive): such a file may
 * resume where an earlier run ended, and a plain one's partial last line
 * waits. Takes src. Returns 0 when the input was read
 * to its end, else -1. */
static int read_input(struct reader *rd, struct task *t, struct source *src,
		       int fd, const char *name, const char *key, long member)
{
	struct ingest *g = rd->g;
	struct outcome *o = outcome_new(rd, t, name, member);
	if (key)
		o->in.key = o->key = br_strdup(key);
	struct input_state st = {.rd = rd, .o = o, .rec = {"", 0}};
	struct br_hasher h;
	/* The hash of its complete lines (a file's last line may be left
	 * waiting): its state after the last newline so far, and where that
	 * is. Not from the file read again: a log truncated and written
	 * again meanwhile would give another log's. */
	struct br_hasher h_lines;
	uint64_t lines_end = 0;
	/* The same where its last record of several lines starts: one left
	 * open at its end (a CSV quote) waits whole. */
	struct record_marks marks = {.record_off = UINT64_MAX};
	/* Its first bytes as read: recorded (ingest_head), and compared with
	 * the file's at the end, as its size is with the bytes read: either
	 * differs when it was truncated (and maybe written again) while it
	 * was read. */
	char first[INGEST_HEAD_BYTES];
	size_t nfirst = 0;
	struct resume rs = {0};
	struct stat sb;
	/* A file shorter than what was ingested of it is a new one (a rotated
	 * or truncated log): it is read whole. A compressed one's size says
	 * nothing of what it decompresses to: plan_resume decompressed it. */
	if (key && t->known && t->k.bytes > 0 &&
	    (t->zresume || (fd >= 0 && fstat(fd, &sb) == 0 &&
			    (uint64_t)sb.st_size >= t->k.bytes))) {
		rs.active = rs.collecting = rs.at_start = true;
		rs.k = t->k;
	}
	struct split *sp = NULL;
	bool ids_sized = false; /* o->ids told what to expect */
	br_hash_init(&h);
	h_lines = h;
	br_buf_reset(&rd->line);
	source_set_max_ratio(src, g->opts.max_ratio);
	int rc = 0;
	for (;;) {
		const char *p;
		/* Blocks of a plain file are read into, and those of one
		 * decompressed ahead are the buffers it was decompressed into:
		 * not copied there. */
		bool to_blocks = sp && !rs.active;
		bool direct = to_blocks && source_can_read_into(src);
		char *taken = NULL;
		ssize_t n;
		if (direct) {
			size_t room;
			char *at = split_room(sp, &room);
			n = source_read_into(src, at, room, &o->err);
			p = at;
		} else if (to_blocks && source_can_take(src)) {
			n = source_take(src, split_spare(sp), &taken, &p, &o->err);
		} else {
			n = source_next(src, &p, &o->err);
		}
		if (n <= 0) {
			rc = n < 0 ? -1 : 0;
			o->unreadable = n < 0;
			break;
		}
		size_t left = (size_t)n;
		o->in.bytes += (uint64_t)n;
		/* Before the read may let the next input start (soon_read). */
		__atomic_store_n(&t->disk_pos, source_disk_pos(src),
				 __ATOMIC_RELAXED);
		if (nfirst < sizeof first) {
			size_t take = sizeof first - nfirst < left
					      ? sizeof first - nfirst : left;
			memcpy(first + nfirst, p, take);
			nfirst += take;
		}
		if (t->solo && !source_compressed(src) &&
		    t->disk_size < SOLO_PLAIN_BYTES)
			task_solo_end(g, t);
		/* A plain file at a known path that is now compressed is
		 * read whole: its prefix was not checked. */
		if (rs.active && !t->zresume && source_compressed(src))
			rs.active = false;
		/* Hashed where they were decompressed, unless a part of
		 * them is to be matched with what was ingested before. */
		const struct source_hash *sh =
			rs.active ? NULL : source_given_hash(src);
		if (rs.active) {
			size_t take = resume_take(&rs, &h, p, left, &st);
			if (br_failed(&o->err)) {
				rc = -1;
				break;
			}
			p += take;
			left -= take;
			if (!rs.active) {
				h_lines = h;
				lines_end = rs.k.bytes;
			}
		}
		/* The hash where its complete lines end too: its last line
		 * may be left waiting (see below). */
		struct br_hasher h_chunk = h;
		struct source_hash own;
		if (!sh) {
			own.all = h;
			source_hash_bytes(&own, p, left);
			sh = &own;
		}
		h = sh->all;
		if (key && sh->lines_len) {
			h_lines = sh->lines;
			lines_end = o->in.bytes - (left - sh->lines_len);
		}
		uint64_t records = o->in.records;
		if (sp && !(direct  ? split_commit(sp, left)
			    : taken ? split_adopt(sp, taken, p, left)
				    : split_feed(sp, p, left))) {
			split_end(sp, &st);
			sp = NULL;
		} else if (!sp) {
			st.base = o->in.bytes - left;
			rc = handle_bytes(&st, p, left);
			if (key)
				mark_record(&st, &marks, &h_chunk, &h_lines, p);
			uint64_t rest = bytes_left(t, src, o->in.bytes);
			if (rc == 0 && can_split(&st, t, rest))
				sp = split_begin(&st, rest);
			else if (st.parser && (!st.parser->splittable ||
					       rest < BLOCK_SIZE))
				task_solo_end(g, t);
			/* Read on this thread (--jobs 1, or an input that is
			 * not split), its set is sized as a split one is, once
			 * it has ids: 300,000 ids grown a half at a time were
			 * 5% of a JSONL ingest's instructions. */
			if (!sp && !ids_sized && o->ids) {
				idset_expect(o->ids, ids_expected(o, rest));
				ids_sized = true;
			}
		}
		add(&t->bytes, (uint64_t)n);
		add(&t->records, o->in.records - records);
		if (rc != 0)
			break;
		if (rd->main)
			main_progress(rd);
	}
	if (sp) {
		uint64_t records = o->in.records;
		split_end(sp, &st);
		add(&t->records, o->in.records - records);
	}
	/* What a limit on reading it again caps: the file's bytes, not
	 * what they inflate to. */
	o->raw_bytes = source_compressed(src) ? source_disk_pos(src)
					      : o->in.bytes;
	uint64_t read_end = o->in.bytes; /* of a plain file: its bytes read */
	o->lines_fp = br_hash_final(&h_lines);
	o->lines_end = lines_end;
	bool partial = rd->line.len > 0 || st.overlong;
	if (rc == 0 && (partial || st.in_record) && key && !g->opts.complete &&
	    !whole_last_record(&st, &rd->line)) {
		/* A log being written: its last line waits for the next run,
		 * and so does its last record when that is still open (a CSV
		 * quote across lines), from its first line. Of a compressed
		 * one too: a gzip member appended later may end the line (its
		 * growth is read from the stream, after the bytes taken). */
		o->in.waiting = true;
		if (st.in_record) {
			unsigned long lines = st.lineno - st.record_line + 1 +
					      (rd->line.len > 0);
			o->in.waiting_line = st.record_line < UINT32_MAX
					     ? (uint32_t)st.record_line : UINT32_MAX;
			o->in.waiting_lines = lines < UINT32_MAX
					      ? (uint32_t)lines : UINT32_MAX;
		}
		o->in.bytes = st.in_record ? st.record_off : lines_end;
		h = st.in_record ? marks.record : h_lines;
	} else if (rc == 0 && partial) {
		st.line_off = st.line_start;
		rc = handle_line(&st, rd->line.p ? rd->line.p : "", rd->line.len);
	}
	/* A last line left waiting may yet tell the format. */
	if (rc == 0 && !st.parser && st.undetected && !o->in.waiting)
		rc = undetectable(&st);
	struct stat now;
	if (rc == 0 && key && fd >= 0 && !source_compressed(src) &&
	    fstat(fd, &now) == 0 && S_ISREG(now.st_mode)) {
		/* What tells this log, once rotated, from one edited. The
		 * file's first bytes now are those read, and it holds at
		 * least as many bytes, unless it was truncated (and maybe
		 * written again) while it was read: a rewrite, a copytruncate
		 * caught in the act, a writer cutting a batch short. What was
		 * read then holds bytes the file no longer has, and is not
		 * counted; the next run reads the file whole. */
		size_t n = o->in.bytes < INGEST_HEAD_BYTES ? (size_t)o->in.bytes
							   : INGEST_HEAD_BYTES;
		ssize_t got = pread(fd, rd->scratch, n, 0);
		o->plain = got == (ssize_t)n &&
			   memcmp(rd->scratch, first, n) == 0 &&
			   (uint64_t)now.st_size >= read_end;
		if (o->plain) {
			o->in.head = ingest_head(first, n);
			o->nshort = ingest_short_ends(first, n, o->short_len);
			for (size_t i = 0; i < o->nshort; i++)
				o->short_head[i] =
					ingest_head(first, o->short_len[i]);
		} else if (got < 0)
			rc = br_fail(&o->err, "%s: cannot read: %s", name,
				     strerror(errno));
		else
			rc = br_fail(&o->err, "%s: truncated or written again "
				     "while it was read: not counted (the next "
				     "run reads it again)", name);
	} else if (rc == 0 && key) {
		/* A file that is one compressed stream (read here or, zstd,
		 * xz, bzip2 or lz4, as an archive's lone member), or a pipe
		 * (<(cmd)): the head of the bytes read, by which a later run
		 * finds what it continues in any directory (sink.continued).
		 * A log grown by
		 * appended gzip members, moved by logrotate's olddir, was
		 * sought in its own directory only (by its name,
		 * rotated_stream_known) and read whole: what was ingested of
		 * it counted twice. A member of an archive file (key: the
		 * archive's path and its name) too: by it, merge tells one
		 * log read at two sizes by two stores from the archive made
		 * again (store_merge; an archive of a log that grew, read
		 * by one store, then by another, was merged with the first
		 * records counted twice). */
		size_t n = o->in.bytes < nfirst ? (size_t)o->in.bytes : nfirst;
		o->in.head = ingest_head(first, n);
	}
	if (rc == 0 && st.parser && !(o->in.waiting && st.in_record)) {
		const char *why = NULL;
		if (st.parser->finish(st.parser, &why)) {
			o->in.records++;
			reject(&st, why, rd->record.p ? rd->record.p : "",
			       rd->record.len);
		}
	}
	if (rc == 0)
		rc = wrong_format(&st);
	if (rc == 0 && !o->in.waiting && source_raw_fp(src, &o->in.packed_fp))
		o->in.packed_bytes = source_disk_pos(src);
	source_free(src);
	format_close(st.parser, rd->formats);
	br_buf_free(&st.first);
	br_buf_free(&rs.heads);
	o->in.fp = br_hash_final(&h);
	o->ok = rc == 0;
	finish_outcome(rd, t, o);
	return rc;
}

static bool is_log_name(const char *name);
static bool is_archive_name(const char *name);
static bool is_session_name(const char *name);

/* Adds a note (a line) to those of task t. */
static void task_note(struct task *t, const char *note)
{
	struct br_buf b = {0};
	br_buf_printf(&b, "%s%s%s", t->note ? t->note : "", t->note ? "\n" : "",
		      note);
	free(t->note);
	t->note = b.p;
}

/* Tells whether an archive's member is read as a log: a regular file
 * named as one (is_log_name), not hidden, as a walk skips hidden files:
 * macOS's archives hold an AppleDouble file of extended attributes beside
 * each file (__MACOSX/logs/._app.jsonl, ._app.jsonl), which failed the
 * archive as "cannot tell the log format". Its directories may be hidden
 * (.claude/projects/, claude_other). */
static bool is_log_member(struct archive_entry *e)
{
	const char *member = archive_entry_pathname(e);
	if (archive_entry_filetype(e) != AE_IFREG || !member)
		return false;
	const char *base = strrchr(member, '/');
	return is_log_name(member) && (base ? base + 1 : member)[0] != '.';
}

/* Tells whether an archive's member that is no log is an archive, by its
 * name as a walk takes one (is_archive_name): it is not opened, which
 * the user is told (it was skipped without a word, even with --verbose,
 * where a walk of the same files reads it). Not a hidden one (an
 * AppleDouble file, ._logs.zip). */
static bool nested_member(struct archive_entry *e)
{
	const char *member = archive_entry_pathname(e);
	if (archive_entry_filetype(e) != AE_IFREG || !member)
		return false;
	const char *base = strrchr(member, '/');
	base = base ? base + 1 : member;
	return base[0] != '.' && is_archive_name(base);
}

static bool stream_magic(const unsigned char *p, size_t n);

/* Files and directories of Claude Code's configuration directory, beside
 * its projects/: one of them tells it (claude_config_dir). */
static const char *const claude_markers[] = {
	"history.jsonl", "settings.json", ".credentials.json", "todos",
	"statsig",
};
#define CLAUDE_MARKERS (sizeof claude_markers / sizeof claude_markers[0])

/* The Claude configuration directories an archive holds, told as a
 * directory is (claude_config_dir): each prefix P of its member paths
 * ("", "./", ".claude/", "home/u/.claude/") with members under
 * P "projects/" and one of claude_markers (a file, or a directory's entry
 * or members). Its members are NUL-terminated one after the other in
 * names (n of them); the prefixes found (at most CLAUDE_PREFIXES, as
 * offset and length in names) go to pre. Returns their number. */
#define CLAUDE_PREFIXES 8
struct prefix {
	size_t off, len;
};

static size_t claude_prefixes(const struct br_buf *names, size_t n,
			      struct prefix pre[CLAUDE_PREFIXES])
{
	struct prefix cand[CLAUDE_PREFIXES];
	size_t ncand = 0, found = 0;
	const char *p = names->p;
	for (size_t i = 0; i < n; i++, p += strlen(p) + 1) {
		for (const char *q = p; (q = strstr(q, "projects/")); q++) {
			if (q != p && q[-1] != '/')
				continue;
			size_t len = (size_t)(q - p), k = 0;
			while (k < ncand && !(cand[k].len == len &&
					      memcmp(names->p + cand[k].off, p, len) == 0))
				k++;
			if (k == ncand && ncand < CLAUDE_PREFIXES)
				cand[ncand++] = (struct prefix){(size_t)(p - names->p), len};
		}
	}
	for (size_t k = 0; k < ncand; k++) {
		const char *pk = names->p + cand[k].off;
		bool is = false;
		p = names->p;
		for (size_t i = 0; i < n && !is; i++, p += strlen(p) + 1) {
			if (strncmp(p, pk, cand[k].len) != 0)
				continue;
			const char *rest = p + cand[k].len;
			for (size_t m = 0; m < CLAUDE_MARKERS; m++) {
				size_t ml = strlen(claude_markers[m]);
				if (strncmp(rest, claude_markers[m], ml) == 0 &&
				    (rest[ml] == '\0' || rest[ml] == '/'))
					is = true;
			}
		}
		if (is)
			pre[found++] = cand[k];
	}
	return found;
}

/* Tells whether member, under one of the Claude configuration directories
 * pre (n of them), is other than one of its session logs, as a walk of
 * that directory reads them (projects/ ** NAME.jsonl, no hidden entry):
 * skipped, as there. */
static bool claude_other(const char *member, const struct br_buf *names,
			 const struct prefix *pre, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		if (strncmp(member, names->p + pre[k].off, pre[k].len) != 0)
			continue;
		const char *rest = member + pre[k].len;
		if (strncmp(rest, "projects/", 9) != 0 || !is_session_name(rest))
			return true;
		for (const char *c = rest; c; c = strchr(c, '/'), c = c ? c + 1 : c)
			if (*c == '.')
				return true;
		return false;
	}
	return false;
}

struct magic {
	const char *magic;
	size_t len, off;
	const char *what; /* for messages */
	size_t least;     /* a stream's: the bytes libarchive reads to tell
			   * it (fewer: it takes the stream for plain) */
};

/* The compressed streams libarchive reads (gzip is ISA-L's, source.c):
 * a bzip2 stream is told from its magic, block size and first block's
 * magic (or the end of stream's, of an empty one) and its CRC, an lz4
 * frame from its magic and its descriptor, a legacy lz4 frame (lz4 -l,
 * Linux's) from its magic and its first block (11 bytes too). Zstd's
 * first (stream_magic_at). */
static const struct magic stream_magics[] = {
	{"\x28\xb5\x2f\xfd", 4, 0, "a zstd stream", 4},
	{"\xfd\x37\x7a\x58\x5a\x00", 6, 0, "an xz stream", 6},
	{"BZh", 3, 0, "a bzip2 stream", INGEST_STREAM_LEAST_BYTES},
	{LZ4_FRAME_MAGIC, 4, 0, "an lz4 stream", 11},
	{LZ4_LEGACY_MAGIC, 4, 0, "an lz4 stream", 11},
};

/* The archives of members libarchive reads. */
static const struct magic archive_magics[] = {
	{"PK\x03\x04", 4, 0, "a zip archive"},
	{"PK\x05\x06", 4, 0, "an empty zip archive"},
	{"7z\xbc\xaf\x27\x1c", 6, 0, "a 7z archive"},
	{"ustar", 5, 257, "a tar archive"},
};

/* The one of the k magics of m that the n bytes at p begin with, or NULL. */
static const struct magic *magic_of(const struct magic *m, size_t k,
				    const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < k; i++)
		if (n >= m[i].off + m[i].len &&
		    memcmp(p + m[i].off, m[i].magic, m[i].len) == 0)
			return &m[i];
	return NULL;
}


/* Tells whether the n bytes at p begin with a skippable frame's magic
 * (0x184D2A50 to 0x184D2A5F, little-endian), zstd's and lz4's alike: a
 * tool's own data before the stream (pzstd's, each frame's size). */
static bool skippable_magic(const unsigned char *p, size_t n)
{
	return n >= 4 && (p[0] & 0xF0) == 0x50 &&
	       memcmp(p + 1, "\x2a\x4d\x18", 3) == 0;
}

/* The one of stream_magics that the n bytes at p begin with, or NULL. A
 * skippable frame first is zstd's, as libarchive's zstd reader takes it
 * (and reads it; its lz4 reader would, but is not asked: ingest_stream_
 * unreadable). It was read as text: a zstd file of pzstd's counted
 * nothing, its bytes a partial last line left for the next run. */
static const struct magic *stream_magic_at(const unsigned char *p, size_t n)
{
	const struct magic *m = magic_of(
		stream_magics, sizeof stream_magics / sizeof *stream_magics, p, n);
	return m || !skippable_magic(p, n) ? m : &stream_magics[0];
}

const char *ingest_stream_unreadable(const unsigned char *p, size_t n)
{
	uint64_t at = 0;
	while (at + 8 <= n && skippable_magic(p + at, 4))
		at += 8 + ((uint64_t)p[at + 4] | (uint64_t)p[at + 5] << 8 |
			   (uint64_t)p[at + 6] << 16 | (uint64_t)p[at + 7] << 24);
	if (at && at + 4 <= n &&
	    (memcmp(p + at, LZ4_FRAME_MAGIC, 4) == 0 ||
	     memcmp(p + at, LZ4_LEGACY_MAGIC, 4) == 0))
		return "an lz4 stream after a skippable frame, which libarchive "
		       "cannot read (its zstd reader takes the frame): "
		       "decompress it first (lz4 -dc FILE | burnrate ingest -)";
	return NULL;
}

/* Tells whether the first bytes of a file are a container libarchive
 * reads: zstd, xz, bzip2, lz4, zip, 7z, or a tar archive. gzip is read by
 * ISA-L (source.c), also when it holds a tar, which libarchive then gets. */
static bool libarchive_magic(const unsigned char *p, size_t n)
{
	return stream_magic_at(p, n) ||
	       magic_of(archive_magics,
			sizeof archive_magics / sizeof *archive_magics, p, n);
}

/* Fails the members of task t from outcome first on that were read, since
 * their archive, path, could not be read to its end; why (NULL: none
 * known beyond a member's own failure) says what stopped it. The members
 * are the inputs that fail, each counted once: the archive adds no input
 * of its own to them (a one-member zip cut short was 2 unreadable inputs).
 * With no member left, the archive itself is the one input that fails,
 * with why (which names it) or saying it cannot be read to its end. */
static void fail_members(struct reader *rd, struct task *t, size_t first,
			 const char *path, const char *why)
{
	if (t->nout == first) {
		struct br_buf msg = {0};
		if (!why)
			br_buf_printf(&msg, "%s: cannot be read to its end", path);
		failed_input(rd, t, path, -1, why ? why : msg.p);
		br_buf_free(&msg);
		return;
	}
	for (size_t i = first; i < t->nout; i++) {
		struct outcome *o = t->out[i];
		if (!o->ok)
			continue;
		o->ok = false;
		if (why)
			br_fail(&o->err, "%s: not counted: %s cannot be read to "
				"its end (%s)", o->in.name, path, why);
		else
			br_fail(&o->err, "%s: not counted: %s cannot be read to "
				"its end", o->in.name, path);
	}
}

/* Drops, from the members of archive path read (t's outcomes from
 * first; their paths at read_at in names, which holds all nnames of its
 * members), those of a Claude configuration directory in it that are not
 * its session logs: as a walk of that directory skips them, an archive
 * of ~/.claude reads only projects/ ** *.jsonl (its settings.json,
 * history.jsonl and todos failed as logs whose format cannot be told).
 * They were read, as the archive's end had to be reached to tell it: a
 * dropped member whose request ids were merged with the members' before
 * (read_ids) may have made records of the members after it duplicates,
 * so the members kept are then read again when handed over, each checked
 * against those before it only (from standard input, piped, which cannot
 * be, they fail). A dropped member that could not be read is why the
 * archive failed: its message goes to lost, unless lost holds one. */
static void claude_archive(struct reader *rd, struct task *t, size_t first,
			   const char *path, const struct br_buf *names,
			   size_t nnames, const size_t *read_at,
			   const bool *read_ids, long others, bool failed,
			   bool piped, struct br_buf *lost)
{
	struct prefix pre[CLAUDE_PREFIXES];
	size_t npre = nnames ? claude_prefixes(names, nnames, pre) : 0;
	if (!npre)
		return;
	size_t kept = first, dropped = 0;
	bool spoiled = false;
	for (size_t i = first; i < t->nout; i++) {
		struct outcome *o = t->out[i];
		if (claude_other(names->p + read_at[i - first], names, pre, npre)) {
			spoiled |= read_ids[i - first];
			dropped++;
			if (o->unreadable && !lost->len)
				br_buf_puts(lost, o->err.msg);
			outcome_free(rd->g, o);
			continue;
		}
		t->out[kept++] = o;
	}
	t->nout = kept;
	for (size_t i = first; spoiled && i < t->nout; i++) {
		struct outcome *o = t->out[i];
		if (!o->ok)
			continue;
		if (!piped) {
			o->redo = true;
			continue;
		}
		/* Standard input cannot be read again. */
		o->ok = false;
		br_fail(&o->err, "%s: not counted: a member of %s skipped as no "
			"session log of its Claude configuration directory held "
			"request ids, which may have been taken for repeats in "
			"it; ingest the archive as a file", o->in.name, path);
	}
	if (spoiled) {
		idset_free(rd->held_ids);
		rd->held_ids = NULL;
	}
	struct br_buf msg = {0};
	if (t->nout == first && !failed && !t->warning) {
		br_buf_printf(&msg, "%s: no log member (a Claude configuration "
			      "directory without session logs; %ld other "
			      "member%s skipped)", path, others + (long)dropped,
			      others + (long)dropped == 1 ? "" : "s");
		t->warning = br_strdup(msg.p);
	} else {
		br_buf_printf(&msg, "%s: an archive of a Claude configuration "
			      "directory (%.*s): only its session logs, "
			      "%.*sprojects/**/*.jsonl, are read", path,
			      pre[0].len ? (int)pre[0].len : 2,
			      pre[0].len ? names->p + pre[0].off : "./",
			      (int)pre[0].len, names->p + pre[0].off);
		task_note(t, msg.p);
	}
	br_buf_free(&msg);
}

/* Says in msg why libarchive stopped reading archive a (path's): its
 * error, else its errno's. It sets neither when the file ends where a
 * header should be: its zip reader of a stream at the central directory
 * ("corrupt archive: (null)" was printed). */
static void archive_why(struct br_buf *msg, struct archive *a,
			const char *path)
{
	const char *s = archive_error_string(a);
	if (!s && archive_errno(a) != 0)
		s = strerror(archive_errno(a));
	if (!s && (archive_format(a) & ARCHIVE_FORMAT_BASE_MASK) ==
		  ARCHIVE_FORMAT_ZIP)
		s = "the file ends before its central directory";
	if (!s)
		s = "the file ends before the archive does";
	br_buf_printf(msg, "%s: corrupt archive: %s", path, s);
}

/* Tells whether the n bytes at p begin a gzip stream. */
static bool gzip_magic(const unsigned char *p, size_t n)
{
	return n >= 2 && p[0] == 0x1f && p[1] == 0x8b;
}

const char *ingest_stream_what(const unsigned char *p, size_t n)
{
	const struct magic *m = stream_magic_at(p, n);
	/* bzip2: its block size, then a block's magic (pi's digits) or, an
	 * empty stream, the end's (the square root of pi's). */
	if (m && m->magic[0] == 'B' &&
	    !(n >= INGEST_STREAM_MAGIC_BYTES && p[3] >= '1' && p[3] <= '9' &&
	      (memcmp(p + 4, "1AY&SY", 6) == 0 ||
	       memcmp(p + 4, "\x17\x72\x45\x38\x50\x90", 6) == 0)))
		m = NULL;
	return m ? m->what : NULL;
}

bool ingest_stream_blockless(const unsigned char *p, size_t n)
{
	if (!n || n % 4)
		return false;
	for (size_t i = 0; i < n; i += 4)
		if (memcmp(p + i, LZ4_LEGACY_MAGIC, 4) != 0)
			return false;
	return true;
}

const char *ingest_stream_cut(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < sizeof stream_magics / sizeof *stream_magics; i++) {
		const struct magic *m = &stream_magics[i];
		if (n >= m->least)
			continue;
		/* bzip2's "BZh" may begin a log's text: its magic is told
		 * whole only (ingest_stream_what). */
		if (n >= m->len ? ingest_stream_what(p, n) == m->what
				: n >= 2 && m->magic[0] != 'B' &&
					  memcmp(p, m->magic, n) == 0)
			return m->what;
	}
	return NULL;
}

static const char *packed_what(const unsigned char *p, size_t n)
{
	if (gzip_magic(p, n))
		return "a gzip stream";
	const char *what = ingest_stream_what(p, n);
	if (what)
		return what;
	const struct magic *m =
		magic_of(archive_magics,
			 sizeof archive_magics / sizeof *archive_magics, p, n);
	return m ? m->what : NULL;
}

/* Tells whether the first bytes of a file are a compressed stream: gzip,
 * zstd, xz, bzip2 or lz4. */
static bool compressed_magic(const unsigned char *p, size_t n)
{
	return gzip_magic(p, n) || libarchive_magic(p, n < 6 ? n : 6);
}

/* Under the size from which malloc maps memory: an archive of a few
 * records costs no mapping. */
#define FEED_CHUNK ((size_t)64 << 10)

/* A zip's end (APPNOTE 4.3.16): libarchive reads a zip file by its
 * central directory, found from the end of central directory record, and
 * a stream by its local headers up to the central directory's first
 * signature, which ends it. Neither notices a file cut inside its central
 * directory (a zip cut 60 bytes short was ingested, exit 0), and a zip
 * stream that ends where the directory should begin gives no reason.
 * These check that the directory is there, whole, and what the end record
 * says it is. */
#define ZIP_EOCD 22           /* end of central directory record */
#define ZIP64_LOCATOR 20      /* zip64 end of central directory locator */
#define ZIP64_EOCD 56         /* zip64 end of central directory record */
#define ZIP_END_MAX (ZIP_EOCD + 65535 + ZIP64_LOCATOR + ZIP64_EOCD)
#define ZIP_DIR_MAX ((size_t)64 << 20) /* a directory read to check it */

static uint32_t zip16(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t zip32(const unsigned char *p)
{
	return zip16(p) | zip16(p + 2) << 16;
}

static uint64_t zip64(const unsigned char *p)
{
	return zip32(p) | (uint64_t)zip32(p + 4) << 32;
}

/* Tells whether the n bytes at p begin a zip. */
static bool zip_magic(const unsigned char *p, size_t n)
{
	return n >= 4 && (memcmp(p, "PK\x03\x04", 4) == 0 ||
			  memcmp(p, "PK\x05\x06", 4) == 0);
}

/* Where a zip's central directory is. */
struct zip_dir {
	uint64_t start, end; /* offsets in the file, end excluded */
	uint64_t entries;
};

/* Finds the central directory of a zip of size bytes from its last n
 * bytes, tail (n >= ZIP_END_MAX, or the whole file): NULL, or why it
 * cannot be found (a static reason). Bytes after the end record's comment
 * are allowed, and bytes before the zip (the directory's offsets are then
 * short of where it is): the directory is where it ends, at the end
 * records. */
static const char *zip_find_dir(const unsigned char *tail, size_t n,
				uint64_t size, struct zip_dir *d)
{
	const unsigned char *r = NULL;
	bool cut = false; /* a record whose comment runs past the end */
	for (size_t i = n >= ZIP_EOCD ? n - ZIP_EOCD + 1 : 0;
	     i-- > 0 && n - i <= ZIP_EOCD + 65535;) {
		if (zip32(tail + i) != 0x06054b50)
			continue;
		if (i + ZIP_EOCD + zip16(tail + i + 20) <= n) {
			r = tail + i;
			break;
		}
		cut = true;
	}
	if (!r && cut)
		return "the file ends inside the comment of its end of central "
		       "directory record";
	if (!r)
		return "no end of central directory record: the file is cut "
		       "short, or is not a zip";
	size_t at = (size_t)(r - tail);
	uint64_t end = size - n + at, cd_size = zip32(r + 12),
		 offset = zip32(r + 16);
	d->entries = zip16(r + 10);
	if (d->entries == 0xFFFF || cd_size == 0xFFFFFFFF ||
	    offset == 0xFFFFFFFF) {
		/* Zip64: the locator, then the record, before it. */
		if (at < ZIP64_LOCATOR + ZIP64_EOCD)
			return "no zip64 end of central directory record";
		const unsigned char *z = tail + at - ZIP64_LOCATOR - ZIP64_EOCD;
		if (zip32(tail + at - ZIP64_LOCATOR) != 0x07064b50 ||
		    zip32(z) != 0x06064b50)
			return "no zip64 end of central directory record";
		d->entries = zip64(z + 32);
		cd_size = zip64(z + 40);
		offset = zip64(z + 48);
		end -= ZIP64_LOCATOR + ZIP64_EOCD;
	}
	if (cd_size > end || offset > end - cd_size)
		return "its central directory is cut short";
	d->start = end - cd_size;
	d->end = end;
	return NULL;
}

/* Checks the central directory of d, its bytes dir: its d->entries file
 * headers fill it exactly (a digital signature may end it). NULL, or why
 * not. */
static const char *zip_check_dir(const unsigned char *dir,
				 const struct zip_dir *d)
{
	uint64_t len = d->end - d->start, p = 0;
	for (uint64_t k = 0; k < d->entries; k++) {
		if (len - p < 46 || zip32(dir + p) != 0x02014b50)
			return "its central directory is cut short or does "
			       "not match its end record";
		p += 46 + (uint64_t)zip16(dir + p + 28) + zip16(dir + p + 30) +
		     zip16(dir + p + 32);
		if (p > len)
			return "its central directory is cut short";
	}
	if (len - p >= 6 && zip32(dir + p) == 0x05054b50)
		p += 6 + (uint64_t)zip16(dir + p + 4);
	if (p != len)
		return "its central directory does not match its end record";
	return NULL;
}

/* Checks the central directory of the zip file fd (path's): 0, or -1
 * with msg saying why it cannot be read to its end. */
static int zip_check_file(int fd, const char *path, struct br_buf *msg)
{
	struct stat st;
	const char *why = NULL;
	unsigned char *buf = NULL;
	if (fstat(fd, &st) != 0) {
		br_buf_printf(msg, "%s: cannot read: %s", path, strerror(errno));
		return -1;
	}
	uint64_t size = (uint64_t)st.st_size;
	size_t n = size < ZIP_END_MAX ? (size_t)size : ZIP_END_MAX;
	struct zip_dir d;
	buf = br_malloc(n ? n : 1);
	errno = 0;
	if (pread(fd, buf, n, (off_t)(size - n)) != (ssize_t)n)
		goto unreadable;
	why = zip_find_dir(buf, n, size, &d);
	if (!why && d.end - d.start <= ZIP_DIR_MAX) {
		size_t len = (size_t)(d.end - d.start);
		free(buf);
		buf = br_malloc(len ? len : 1);
		errno = 0;
		if (pread(fd, buf, len, (off_t)d.start) != (ssize_t)len)
			goto unreadable;
		why = zip_check_dir(buf, &d);
	}
	free(buf);
	if (why)
		br_buf_printf(msg, "%s: corrupt archive: %s", path, why);
	return why ? -1 : 0;
unreadable:
	br_buf_printf(msg, "%s: cannot read: %s", path,
		      errno ? strerror(errno) : "it changed while read");
	free(buf);
	return -1;
}

/* What libarchive reads an archive from: the bytes of fd, after head (the
 * first bytes of standard input, read to tell its container); or, for a
 * compressed stream, its decompressed bytes, from ISA-L (gzip) or from a
 * reader of libarchive's own with its raw format only. The stream is
 * decompressed apart from the archive so that it may be read to its end
 * (its checksum, its end mark) once the archive has ended. */
struct feed {
	int fd;
	const unsigned char *head;
	size_t head_len, head_off;
	const char *path;
	struct source *gz;     /* gzip */
	struct archive *outer; /* zstd, xz, bzip2, lz4 */
	const char *what;      /* outer's stream, as packed_what says it */
	/* What follows outer's stream (stream_end.c); end_rc: 1 while it
	 * has not ended, then 0 or -1 as it was checked. */
	struct stream_end end;
	int end_rc;
	uint64_t raw;          /* compressed bytes read so far */
	/* Of a file read from its first byte: the hash of its bytes read so
	 * far (NULL: not hashed), and whether its end was read. */
	struct br_hasher *raw_hash;
	bool raw_eof;
	uint64_t out;          /* decompressed bytes fed */
	bool draining, empty;
	uint64_t max_ratio;
	uint64_t size;         /* the file's on disk, 0: not known (piped) */
	/* What is fed, what is read from fd: allocated when first used (a
	 * zip or tar file, read by libarchive itself, uses neither). */
	char *buf, *raw_buf;
	/* Of a zip read as a stream (piped): its last tail_len bytes fed
	 * (tail NULL: not kept), of fed in all, for its end records. */
	unsigned char *tail;
	size_t tail_len;
	uint64_t fed;
	struct br_err err;
	int read_errno; /* of a read of fd that failed, or 0 */
};

/* The bytes of a zip stream kept to check its end: its end records and a
 * central directory of up to 1 MiB (a longer one is checked against its
 * end records only). Kept in twice as much, moved down when full. */
#define ZIP_TAIL (ZIP_END_MAX + ((size_t)1 << 20))

/* Keeps the last ZIP_TAIL of the n bytes at p fed from f, if it keeps
 * them (n <= 0: nothing fed). */
static void feed_tail(struct feed *f, const void *p, ssize_t n)
{
	if (!f->tail || n <= 0)
		return;
	size_t k = (size_t)n;
	f->fed += k;
	if (k >= ZIP_TAIL) {
		memcpy(f->tail, (const char *)p + (k - ZIP_TAIL), ZIP_TAIL);
		f->tail_len = ZIP_TAIL;
		return;
	}
	if (f->tail_len + k > 2 * ZIP_TAIL) {
		size_t keep = ZIP_TAIL - k;
		memmove(f->tail, f->tail + f->tail_len - keep, keep);
		f->tail_len = keep;
	}
	memcpy(f->tail + f->tail_len, p, k);
	f->tail_len += k;
}

/* Checks the end of a zip stream fed whole through f, of which headers
 * members were read: its central directory, as far as kept, and its
 * count of entries. 0, or -1 with msg saying why not. */
static int zip_check_tail(const struct feed *f, long headers,
			  struct br_buf *msg)
{
	struct zip_dir d;
	uint64_t kept = f->fed - f->tail_len; /* offset of tail[0] */
	const char *why = zip_find_dir(f->tail, f->tail_len, f->fed, &d);
	if (!why && d.start >= kept)
		why = zip_check_dir(f->tail + (d.start - kept), &d);
	if (!why && d.entries != (uint64_t)headers)
		why = "its central directory does not list the members read";
	if (why)
		br_buf_printf(msg, "%s: corrupt archive: %s", f->path, why);
	return why ? -1 : 0;
}

/* The next bytes of fd, after head: their count, 0 at the end, -1 with
 * f->err on error. */
static ssize_t feed_raw(struct feed *f, const void **buf)
{
	if (f->head_off < f->head_len) {
		*buf = f->head + f->head_off;
		size_t n = f->head_len - f->head_off;
		f->head_off = f->head_len;
		f->raw += n;
		return (ssize_t)n;
	}
	if (!f->raw_buf)
		f->raw_buf = br_malloc(FEED_CHUNK);
	ssize_t r;
	do
		r = read(f->fd, f->raw_buf, FEED_CHUNK);
	while (r < 0 && errno == EINTR);
	if (r < 0) {
		f->read_errno = errno;
		return br_fail(&f->err, "%s: cannot read: %s", f->path,
			       strerror(errno));
	}
	if (f->raw_hash)
		br_hash_update(f->raw_hash, f->raw_buf, (size_t)r);
	f->raw_eof = r == 0;
	*buf = f->raw_buf;
	f->raw += (uint64_t)r;
	return r;
}

/* feed_raw for outer, whose stream's end is checked (stream_end.c). */
static ssize_t outer_raw(struct feed *f, const void **buf)
{
	ssize_t n = feed_raw(f, buf);
	if (n > 0)
		stream_end_see(&f->end, *buf, (size_t)n);
	return n;
}

/* n, a count of bytes or -1 with f->err, as a libarchive read callback
 * returns it. */
static la_ssize_t callback_result(struct archive *a, const struct feed *f,
				  ssize_t n)
{
	if (n < 0)
		archive_set_error(a, EIO, "%s", f->err.msg);
	return n < 0 ? ARCHIVE_FATAL : n;
}

static la_ssize_t outer_read(struct archive *a, void *ctx, const void **buf)
{
	struct feed *f = ctx;
	return callback_result(a, f, outer_raw(f, buf));
}

/* Fails f with why libarchive could not decompress its stream (zstd, xz,
 * bzip2, lz4): truncated (its error says so, or xz's "No progress is
 * possible") or corrupt, the file named once and the compression by
 * name. */
static ssize_t feed_stream_failed(struct feed *f)
{
	return f->end.what ? stream_end_failed(&f->end, f->outer, f->path,
					       &f->err)
			   : source_stream_failed(f->outer, f->path, f->what,
						  &f->err);
}

/* Once outer's stream ended: reads what follows it in the file, which
 * fails it unless zeros (stream_end.c). 0, or -1 with f->err. */
static int feed_stream_end(struct feed *f)
{
	if (f->end_rc <= 0)
		return f->end_rc;
	stream_end_reached(&f->end, f->outer);
	while (stream_end_more(&f->end) && !f->raw_eof) {
		const void *p;
		ssize_t n = outer_raw(f, &p);
		if (n < 0) {
			f->end_rc = -1;
			return -1;
		}
		if (n == 0)
			break;
	}
	f->end_rc = stream_end_check(&f->end, f->path, &f->err);
	return f->end_rc;
}

/* The next decompressed bytes: as feed_raw. */
static ssize_t feed_next(struct feed *f, const void **buf)
{
	ssize_t n;
	if (f->gz) {
		const char *p;
		n = source_next(f->gz, &p, &f->err);
		*buf = p;
		f->raw = source_disk_pos(f->gz);
		if (n < 0 && !f->read_errno)
			f->read_errno = source_read_errno(f->gz);
	} else if (f->outer) {
		if (!f->buf)
			f->buf = br_malloc(FEED_CHUNK);
		n = archive_read_data(f->outer, f->buf, FEED_CHUNK);
		if (n < 0 && !br_failed(&f->err))
			feed_stream_failed(f);
		if (n == 0 && feed_stream_end(f) < 0)
			n = -1;
		*buf = f->buf;
	} else {
		n = feed_raw(f, buf);
		feed_tail(f, *buf, n);
		return n;
	}
	if (n > 0)
		f->out += (uint64_t)n;
	feed_tail(f, *buf, n);
	/* While the archive is read, its members are capped; what follows
	 * it, here, as they are: against the file's size when known. */
	uint64_t in = f->raw > f->size ? f->raw : f->size;
	if (n > 0 && f->draining && f->max_ratio &&
	    source_bomb(f->path, f->out, in, f->max_ratio, &f->err))
		return -1;
	return n;
}

static la_ssize_t feed_read(struct archive *a, void *ctx, const void **buf)
{
	struct feed *f = ctx;
	return callback_result(a, f, feed_next(f, buf));
}

/* Opens the decompression of f's stream, which starts with the head
 * bytes: 0, or -1 with f->err. */
static int feed_open(struct feed *f, const unsigned char *head, size_t n,
		     bool ahead)
{
	if (gzip_magic(head, n)) {
		f->gz = source_open(f->fd, f->path, ahead);
		source_prime(f->gz, f->head, f->head_len);
		f->head_off = f->head_len;
		return 0;
	}
	if (!compressed_magic(head, n))
		return 0;
	const char *no = ingest_stream_unreadable(head, n);
	if (no)
		return br_fail(&f->err, "%s: %s", f->path, no);
	f->what = packed_what(head, n);
	/* Of a stream libarchive decompresses, what follows it is checked
	 * (not of a zip, a 7z or a tar read through it as they are). */
	stream_end_init(&f->end, ingest_stream_what(head, n));
	f->end_rc = 1;
	f->outer = br_archive_read_new();
	archive_read_support_filter_all(f->outer);
	archive_read_support_format_raw(f->outer);
	struct archive_entry *e;
	if (archive_read_open(f->outer, f, NULL, outer_read, NULL) != ARCHIVE_OK ||
	    archive_read_next_header(f->outer, &e) != ARCHIVE_OK) {
		if (!br_failed(&f->err) && source_stream_empty(f->outer)) {
			/* An empty stream; what follows it is checked too. */
			int rc = feed_stream_end(f);
			archive_read_free(f->outer);
			f->outer = NULL;
			f->empty = true;
			return rc;
		}
		if (!br_failed(&f->err))
			feed_stream_failed(f);
		return -1;
	}
	/* A stream told whole by its magic (not a text's "BZh") must be
	 * decompressed; one shorter than libarchive needs to tell it is cut,
	 * which the probe of its bytes says (ingest_stream_cut). */
	bool cut = f->raw_eof && f->raw < INGEST_STREAM_LEAST_BYTES;
	return ingest_stream_what(head, n) && !cut
		       ? source_stream_taken(f->outer, f->path, f->what, &f->err)
		       : 0;
}

/* Reads the rest of f's stream, after its archive ended, to its end: 0,
 * or -1 with f->err when it cannot be (its checksum, its end). */
static int feed_drain(struct feed *f)
{
	if (!f->gz && !f->outer)
		return 0;
	f->draining = true;
	const void *p;
	ssize_t n;
	while ((n = feed_next(f, &p)) > 0)
		;
	return n < 0 ? -1 : 0;
}

static void feed_close(struct feed *f)
{
	source_free(f->gz);
	if (f->outer)
		archive_read_free(f->outer);
	free(f->raw_hash);
	free(f->buf);
	free(f->raw_buf);
	free(f->tail);
}

/* archive + ":" + member: an archive member's key, its member's name
 * printable (as it is named in messages). */
static char *member_key(const char *archive, const char *member)
{
	struct br_buf key = {0};
	char *shown = br_printable(member);
	br_buf_printf(&key, "%s:%s", archive, shown);
	free(shown);
	return key.p;
}

/* The most candidates a file is compared with (a compressed one: one more,
 * its path's last input). */
#define MAX_CANDIDATES 16
#define MAX_ZCANDIDATES (MAX_CANDIDATES + 2)

static int known_len_cmp(const void *a, const void *b)
{
	const struct ingest_known *x = a, *y = b;
	return (x->bytes > y->bytes) - (x->bytes < y->bytes);
}

/* Gives up to n more bytes of content being compared with candidates
 * (prefix_continues) into buf: how many, 0 at its end, -1 when a read
 * fails. */
typedef ssize_t (*next_bytes_fn)(void *ctx, char *buf, size_t n);

/* Tells which of the nc candidates c (none empty; sorted here by length)
 * the content that next gives begins with: the longest, by the
 * fingerprint of its length's first bytes, all compared in one read of
 * it (buf: SCRATCH_SIZE bytes); -1 when none, and when a read fails. */
static long prefix_continues(struct ingest_known *c, size_t nc, char *buf,
			     next_bytes_fn next, void *ctx)
{
	struct br_hasher h;
	long best = -1;
	size_t i = 0;
	qsort(c, nc, sizeof *c, known_len_cmp);
	br_hash_init(&h);
	for (uint64_t pos = 0; i < nc;) {
		uint64_t to = c[i].bytes;
		size_t want = to - pos < SCRATCH_SIZE ? (size_t)(to - pos) : SCRATCH_SIZE;
		ssize_t r = want ? next(ctx, buf, want) : 0;
		if (r < 0 || (want && r == 0))
			break;
		br_hash_update(&h, buf, (size_t)r);
		pos += (uint64_t)r;
		for (; i < nc && c[i].bytes == pos; i++)
			if (br_fp_equal(br_hash_final(&h), c[i].fp))
				best = (long)i;
	}
	return best;
}

/* A file read from its start for prefix_continues. */
struct file_bytes {
	int fd;
	uint64_t pos;
	int read_errno; /* of a read that failed, else 0 */
};

static ssize_t file_next(void *ctx, char *buf, size_t n)
{
	struct file_bytes *f = ctx;
	ssize_t r = pread(f->fd, buf, n, (off_t)f->pos);
	if (r < 0)
		f->read_errno = errno;
	else
		f->pos += (uint64_t)r;
	return r;
}

/* An archive's member for prefix_continues: its first n bytes, read
 * already, at head, then what follows them in the archive. */
struct member_bytes {
	struct archive *a;
	const char *head;
	size_t n, at;
};

static ssize_t member_next(void *ctx, char *buf, size_t n)
{
	struct member_bytes *m = ctx;
	if (m->at < m->n) {
		size_t take = m->n - m->at < n ? m->n - m->at : n;
		memcpy(buf, m->head + m->at, take);
		m->at += take;
		return (ssize_t)take;
	}
	la_ssize_t r = archive_read_data(m->a, buf, n);
	return r < 0 ? -1 : (ssize_t)r;
}

/* Fills *k with what was ingested of another log (sink.continued: a plain
 * file, a compressed one's content, an archive file's member) that the
 * member of a whose header was just read (its key, of size bytes when
 * the archive says, else UINT64_MAX) begins with, the longest; false when
 * none. A backup of a log ingested before (tar czf app.tgz app.log) was
 * read whole, what was ingested of the log counted twice, where a plain
 * or compressed copy of it is read from where that ingest ended. Reads
 * the member's first INGEST_HEAD_BYTES for its candidates, then as far
 * as the longest (buf: SCRATCH_SIZE bytes). */
static bool member_continues(struct ingest *g, struct archive *a,
			     const char *key, uint64_t size, char *buf,
			     struct ingest_known *k)
{
	char head[INGEST_HEAD_BYTES];
	size_t n = 0;
	while (n < sizeof head) {
		la_ssize_t r = archive_read_data(a, head + n, sizeof head - n);
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	struct ingest_known c[MAX_CANDIDATES];
	size_t nc = n ? g->sink.continued(g->sink.ctx, key, size, head, n, c,
					  MAX_CANDIDATES)
		      : 0;
	struct member_bytes m = {a, head, n, 0};
	long best = nc ? prefix_continues(c, nc, buf, member_next, &m) : -1;
	if (best >= 0)
		*k = c[best];
	return best >= 0;
}

/* What was ingested of each log member of the archive file of task t
 * (fd, path in messages, its first n bytes at head), by the member's key,
 * when the member's bytes still begin with it: an archive made again of
 * a log that grew (app.log in logs.tar.gz, each night) was read whole,
 * its members' ingested part counted again; else of another log that
 * the member continues (member_continues). Indexed by log member (as
 * read_archive counts them); an entry of 0 bytes: read whole. NULL when
 * none is known. One more read of the archive when its first log member
 * is known or continues a log (else only of its start); any failure
 * leaves it to the read that follows, which says why. Leaves fd at its
 * start. */
static struct ingest_known *member_resumes(struct reader *rd, struct task *t,
					   int fd, const char *path,
					   const unsigned char *head, size_t n,
					   size_t *count)
{
	struct ingest *g = rd->g;
	struct ingest_known *mk = NULL;
	size_t cap = 0, any = 0;
	*count = 0;
	if (!t->key || !g->sink.known)
		return NULL;
	struct feed f = {.fd = fd, .path = path, .max_ratio = g->opts.max_ratio,
			 .size = t->disk_size};
	struct archive *a = NULL;
	if (feed_open(&f, head, n, false) < 0 || f.empty)
		goto out;
	a = br_archive_read_new();
	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_zip(a);
	archive_read_support_format_7zip(a);
	if ((f.gz || f.outer ? archive_read_open(a, &f, NULL, feed_read, NULL)
			     : archive_read_open_fd(a, fd, 1 << 20)) != ARCHIVE_OK)
		goto out;
	struct archive_entry *e;
	char *buf = br_malloc(SCRATCH_SIZE);
	while (archive_read_next_header(a, &e) >= ARCHIVE_WARN) {
		if (!is_log_member(e))
			continue;
		const char *member = archive_entry_pathname(e);
		if (*count == cap) {
			cap = cap ? 2 * cap : 16;
			mk = br_realloc(mk, cap * sizeof *mk);
		}
		struct ingest_known *k = &mk[(*count)++];
		*k = (struct ingest_known){0};
		char *key = member_key(t->key, member);
		bool known = g->sink.known(g->sink.ctx, key, k) && k->bytes > 0;
		bool continues =
			!known && g->sink.continued &&
			member_continues(g, a, key,
					 archive_entry_size_is_set(e)
						 ? (uint64_t)archive_entry_size(e)
						 : UINT64_MAX,
					 buf, k);
		free(key);
		/* An archive whose first log member is neither known nor
		 * continues a log is taken for one not ingested before: not
		 * decompressed twice. */
		if (!known && !continues && *count == 1)
			break;
		struct br_hasher h;
		br_hash_init(&h);
		uint64_t pos = 0;
		/* Its first bytes, which tell the same log (ingest_head). */
		char mhead[INGEST_HEAD_BYTES];
		size_t nmhead = 0;
		while (known && pos < k->bytes) {
			size_t want = k->bytes - pos < SCRATCH_SIZE
					      ? (size_t)(k->bytes - pos) : SCRATCH_SIZE;
			la_ssize_t r = archive_read_data(a, buf, want);
			if (r <= 0)
				break;
			br_hash_update(&h, buf, (size_t)r);
			pos += (uint64_t)r;
			size_t take = sizeof mhead - nmhead < (size_t)r
					      ? sizeof mhead - nmhead : (size_t)r;
			memcpy(mhead + nmhead, buf, take);
			nmhead += take;
		}
		/* A member that begins with the first two lines of what was
		 * ingested of it, but not with all of it, is that log edited
		 * in place: resumed, its read fails it by name (resume_take),
		 * as a plain file's does. Read whole, it counted its
		 * ingested part twice. */
		bool same = known && pos == k->bytes &&
			    (br_fp_equal(br_hash_final(&h), k->fp) ||
			     (k->head != 0 && ingest_head(mhead, nmhead) == k->head));
		if (continues || same)
			any++;
		else
			k->bytes = 0;
	}
	free(buf);
out:
	if (a)
		archive_read_free(a);
	feed_close(&f);
	if (!any) {
		free(mk);
		mk = NULL;
		*count = 0;
	}
	if (lseek(fd, 0, SEEK_SET) != 0) {
		free(mk);
		*count = 0;
		return NULL; /* the read that follows fails */
	}
	return mk;
}

/* source_archive_bomb of what the members of archive a gave so far, out,
 * those skipped as no log included: -1, its message in msg, when they
 * make it a bomb; else 0. */
static int skipped_bomb(struct archive *a, const uint64_t *raw_pos,
			uint64_t size, const char *path, uint64_t out,
			uint64_t ratio, struct br_buf *msg)
{
	struct br_err bomb = {0};
	if (source_archive_bomb(a, raw_pos, size, path, out, ratio, &bomb) == 0)
		return 0;
	br_buf_reset(msg);
	br_buf_puts(msg, bomb.msg);
	return -1;
}

/* Reads to its end member e of archive a, skipped as no log, when its
 * size is not declared (a zip's member written as a stream, its sizes
 * after its data), counting what it inflates to into *out as
 * skipped_bomb does the declared ones: libarchive inflates such a member
 * to skip it, and 200 MB of zeros in 0.2 MB were inflated, uncounted,
 * whatever --max-ratio. Returns 0; 1 once they make a bomb (its message
 * in msg); -1 when the member cannot be read (the caller says why). */
static int skip_undeclared(struct archive *a, struct archive_entry *e,
			   const uint64_t *raw_pos, uint64_t size,
			   const char *path, uint64_t *out, uint64_t ratio,
			   struct br_buf *msg)
{
	if (archive_entry_size_is_set(e))
		return 0;
	const void *p;
	size_t n;
	la_int64_t at;
	int r;
	while ((r = archive_read_data_block(a, &p, &n, &at)) == ARCHIVE_OK) {
		*out += n;
		if (skipped_bomb(a, raw_pos, size, path, *out, ratio, msg) != 0)
			return 1;
	}
	/* A bad CRC (ARCHIVE_WARN, at the member's end) is not an error:
	 * libarchive skips a member of declared size without checking it,
	 * nor did it this one. */
	return r == ARCHIVE_EOF || r == ARCHIVE_WARN ? 0 : -1;
}

/* Reads every log member of an archive (or the one stream of a file
 * compressed with zstd, xz, bzip2 or lz4), each as its own input named
 * "archive:member" (path is the archive's name in messages; control
 * characters of the member's name are replaced); only the member of
 * index only when only >= 0. An archive that cannot be read to its end (a
 * member whose bytes cannot be read, its structure breaking, or the
 * compressed stream it is in failing after it) counts for nothing: its
 * members are handed over once it has been read, all failed then. A
 * member that fails for what its bytes say (a format that cannot be told,
 * a record too long) fails alone. head holds the first head_len bytes of
 * fd; piped (standard input): fd is read from after them, else from its
 * start. */
static void read_members(struct reader *rd, struct task *t, int fd,
			 const char *path, long only,
			 const unsigned char *head, size_t head_len, bool piped)
{
	struct feed f = {.fd = fd, .path = path, .head = head,
			 .head_len = piped ? head_len : 0,
			 .max_ratio = rd->g->opts.max_ratio,
			 .size = piped ? 0 : t->disk_size};
	struct br_buf msg = {0};
	/* A lone stream of a file (its content, known by its path) may be
	 * known by its bytes next time (ingest_input.packed_fp). */
	if (!piped && t->key && rd->g->sink.packed &&
	    stream_magic(head, head_len)) {
		f.raw_hash = br_malloc(sizeof *f.raw_hash);
		br_hash_init(f.raw_hash);
	}
	/* A zip stream's end is checked once it has been read. */
	if (piped && zip_magic(head, head_len))
		f.tail = br_malloc(2 * ZIP_TAIL);
	/* Members known by their keys, resumed (a file, not one stream). */
	size_t nmk = 0;
	struct ingest_known *mk = NULL;
	if (!piped && !t->zresume)
		mk = member_resumes(rd, t, fd, path, head, head_len, &nmk);
	if (feed_open(&f, head, head_len, rd->g->opts.jobs > 1) < 0) {
		failed_input(rd, t, path, -1, f.err.msg);
		feed_close(&f);
		free(mk);
		return;
	}
	if (f.empty) {
		/* As an empty gzip: an input with nothing in it. */
		feed_close(&f);
		free(mk);
		read_input(rd, t, source_open(-1, path, false), -1, path, NULL,
			   -1);
		return;
	}
	struct archive *a = br_archive_read_new();
	archive_read_support_filter_all(a);
	/* Containers only: libarchive's text formats (mtree, shar) would
	 * claim a compressed log; raw bids last and takes a lone stream. */
	archive_read_support_format_tar(a);
	archive_read_support_format_zip(a);
	archive_read_support_format_7zip(a);
	archive_read_support_format_raw(a);
	/* A zip or 7z file is read with seeks (its central directory). */
	bool fed = f.gz || f.outer || piped;
	/* A zip file (not a stream holding one) is checked to its end
	 * first: libarchive reads it by its local headers, to the central
	 * directory's first signature. */
	if (!piped && !f.gz && zip_magic(head, head_len) &&
	    zip_check_file(fd, path, &msg) != 0) {
		failed_input(rd, t, path, -1, msg.p);
		br_buf_free(&msg);
		archive_read_free(a);
		feed_close(&f);
		free(mk);
		return;
	}
	if ((fed ? archive_read_open(a, &f, NULL, feed_read, NULL)
		 : archive_read_open_fd(a, fd, 1 << 20)) != ARCHIVE_OK) {
		/* The stream's own error names it. */
		if (br_failed(&f.err))
			br_buf_puts(&msg, f.err.msg);
		else
			br_buf_printf(&msg, "%s: cannot read the archive: %s",
				      path, archive_error_string(a));
		failed_input(rd, t, path, -1, msg.p);
		br_buf_free(&msg);
		archive_read_free(a);
		feed_close(&f);
		free(mk);
		return;
	}
	struct archive_entry *e;
	struct br_buf name = {0};
	struct outcome *stream = NULL; /* a lone stream's, raw */
	long others = 0; /* members that are not logs */
	/* Of them, archives (not opened), and the first one's name. */
	long nested = 0;
	char *nested_first = NULL;
	uint64_t members_out = 0; /* what the members so far inflated to */
	bool at_once = rd->at_once, failed = false;
	bool unsure = false; /* a member before is read again (redo) */
	const char *why = NULL; /* what stopped the archive, if it was */
	struct br_buf lost = {0}; /* else: a member dropped unread */
	size_t first = t->nout;
	/* Members are held back; each is checked here against the ids of
	 * those before it (rd->held_ids), which the caller's thread then
	 * hands over with them, and a worker leaves to each member. */
	rd->at_once = false;
	long headers = 0; /* members of any kind */
	/* Every member's path, for the Claude configuration directories the
	 * archive holds (claude_prefixes), and per member read, the offset of
	 * its path there and whether its ids were merged into held_ids. */
	struct br_buf names = {0};
	size_t nnames = 0, *read_at = NULL, nread = 0, read_cap = 0;
	bool *read_ids = NULL;
	/* A member skipped as no log, of an archive of no known size
	 * (standard input, a pipe), not capped yet: it is once skipped, its
	 * compressed bytes read. At its header only those before it were,
	 * and an incompressible member past the slack was a bomb. */
	bool skipped_unchecked = false;
	for (long index = 0;; index++) {
		int r = archive_read_next_header(a, &e);
		if (skipped_unchecked && r >= ARCHIVE_WARN &&
		    skipped_bomb(a, fed ? &f.raw : NULL, 0, path, members_out,
				 f.max_ratio, &msg) != 0) {
			why = msg.p;
			failed = true;
			break;
		}
		skipped_unchecked = false;
		if (r == ARCHIVE_EOF) {
			/* Nothing read, nothing failed: say so (libarchive
			 * reads a compressed stream of zeros as an empty
			 * tar). */
			if (index == 0 && only < 0) {
				br_buf_reset(&msg);
				br_buf_printf(&msg, "%s: no log member", path);
				if (others)
					br_buf_printf(&msg, " (%ld other member%s "
						      "skipped)", others,
						      others == 1 ? "" : "s");
				else
					br_buf_puts(&msg, " (an empty archive)");
				if (nested) {
					/* Into the parenthesis. */
					msg.p[--msg.len] = '\0';
					br_buf_printf(&msg, "; %s%s an archive, not "
						      "opened inside an archive: "
						      "unpack it first)",
						      nested_first,
						      nested > 1 ? " and more are"
								 : " is");
				}
				t->warning = br_strdup(msg.p);
			}
			break;
		}
		if (r < ARCHIVE_WARN) {
			br_buf_reset(&msg);
			if (br_failed(&f.err))
				br_buf_puts(&msg, f.err.msg);
			else
				archive_why(&msg, a, path);
			why = msg.p;
			failed = true;
			break;
		}
		headers++;
		bool raw = archive_format(a) == ARCHIVE_FORMAT_RAW;
		const char *member = archive_entry_pathname(e);
		size_t member_at = names.len;
		if (!raw && member && only < 0) {
			br_buf_put(&names, member, strlen(member) + 1);
			nnames++;
		}
		if (!raw && !is_log_member(e)) {
			index--;
			others++;
			if (only < 0 && nested_member(e)) {
				/* (msg may hold why already.) */
				char *shown = br_printable(member);
				struct br_buf note = {0};
				br_buf_printf(&note, "%s:%s: not read: an archive "
					      "inside an archive is not opened "
					      "(unpack it first)", path, shown);
				task_note(t, note.p);
				br_buf_free(&note);
				if (!nested++)
					nested_first = shown;
				else
					free(shown);
			}
			/* Capped with the others: a compressed tar's members
			 * are decompressed to be skipped. */
			if (archive_entry_size_is_set(e) && archive_entry_size(e) > 0)
				members_out += (uint64_t)archive_entry_size(e);
			int undeclared = skip_undeclared(
				a, e, fed ? &f.raw : NULL, t->disk_size, path,
				&members_out, f.max_ratio, &msg);
			if (undeclared < 0) {
				br_buf_reset(&msg);
				if (br_failed(&f.err))
					br_buf_puts(&msg, f.err.msg);
				else
					archive_why(&msg, a, path);
			}
			if (undeclared != 0) {
				why = msg.p;
				failed = true;
				break;
			}
			if (!t->disk_size) {
				skipped_unchecked = true;
			} else if (skipped_bomb(a, fed ? &f.raw : NULL,
						t->disk_size, path, members_out,
						f.max_ratio, &msg) != 0) {
				why = msg.p;
				failed = true;
				break;
			}
			continue;
		}
		if (only >= 0 && index != only)
			continue;
		br_buf_reset(&name);
		if (raw) {
			br_buf_puts(&name, path);
		} else {
			char *shown = br_printable(member);
			br_buf_printf(&name, "%s:%s", path, shown);
			free(shown);
		}
		struct source *src = source_open_member(
			a, name.p, rd->g->opts.jobs > 1,
			archive_entry_size_is_set(e) ? archive_entry_size(e) : -1);
		if (fed)
			source_set_raw_pos(src, &f.raw);
		/* The members read before are capped with this one, against
		 * the archive's size. */
		source_set_archive_size(src, t->disk_size, members_out);
		/* A lone stream is a file's content, as a gzip's is: known
		 * by its path, so that it may resume when it grew. So is a
		 * member of an archive file, by its key: read from where its
		 * last ingest ended when its bytes begin as they did then
		 * (mk), as a grown file is. */
		char *mkey = !raw && !piped && t->key ? member_key(t->key, member)
						      : NULL;
		bool known = t->known, zresume = t->zresume;
		struct ingest_known k = t->k;
		if (mkey) {
			t->known = t->zresume = (size_t)index < nmk &&
						mk[index].bytes > 0;
			if (t->known)
				t->k = mk[index];
		}
		int rc = read_input(rd, t, src, -1, name.p, raw ? t->key : mkey,
				    index);
		t->known = known;
		t->zresume = zresume;
		t->k = k;
		free(mkey);
		struct outcome *o = t->out[t->nout - 1];
		members_out += o->in.bytes;
		/* A lone stream that cannot be decompressed: the stream's
		 * error names the file (the archive's repeated it). */
		if (raw && o->unreadable && br_failed(&f.err))
			o->err = f.err;
		if (raw)
			stream = o;
		if (!raw && only < 0) {
			if (nread == read_cap) {
				read_cap = read_cap ? 2 * read_cap : 16;
				read_at = br_realloc(read_at, read_cap * sizeof *read_at);
				read_ids = br_realloc(read_ids,
						      read_cap * sizeof *read_ids);
			}
			read_at[nread] = member_at;
			read_ids[nread++] = o->ok && o->ids;
		}
		/* A member parsed in blocks that were not independent is read
		 * again when handed over, and the ids of its first read, which
		 * the members after it are checked against, may be wrong: a bad
		 * block's missing, lines of a quoted field taken for records
		 * (real requests of a later member were dropped as their
		 * repeats), or its re-read may fail. Those members are read
		 * again too. */
		if (o->redo)
			unsure = true;
		else if (unsure && o->ok)
			o->redo = true;
		if (rc != 0 && o->unreadable) {
			failed = true;
			/* What the members read before are not counted for. */
			if (!why) {
				br_buf_reset(&msg);
				br_buf_puts(&msg, o->err.msg);
				why = msg.p;
			}
			if (archive_errno(a) != 0 && raw)
				break;
		}
		if (o->ok && o->ids && at_once) {
			rd->held_ids = rd->held_ids ? idset_merge(rd->held_ids, o->ids)
						    : o->ids;
			o->ids = NULL;
		} else if (o->ok && o->ids) {
			if (!rd->held_ids)
				rd->held_ids = idset_new();
			idset_add_all(rd->held_ids, o->ids);
		}
		if (raw || only >= 0)
			break;
	}
	/* The stream the archive is in is read to its end: libarchive's
	 * tar reader stops at the archive's end blocks, before a gzip's
	 * checksum, an lz4 stream's end mark. */
	if (!failed && only < 0 && feed_drain(&f) < 0) {
		why = f.err.msg;
		failed = true;
	}
	if (!failed && only < 0 && f.tail) {
		/* Its end records follow the last member: read to the end
		 * (feed_drain reads only a stream libarchive decompresses). */
		const void *p;
		ssize_t k;
		while ((k = feed_next(&f, &p)) > 0)
			;
		br_buf_reset(&msg);
		if (k < 0) {
			why = f.err.msg;
			failed = true;
		} else if (zip_check_tail(&f, headers, &msg) != 0) {
			why = msg.p;
			failed = true;
		}
	}
	/* One outcome a member read. */
	if (only < 0 && !stream && nread == t->nout - first)
		claude_archive(rd, t, first, path, &names, nnames, read_at,
			       read_ids, others, failed, piped, &lost);
	br_buf_free(&names);
	free(read_at);
	free(read_ids);
	free(nested_first);
	if (failed)
		fail_members(rd, t, first, path,
			     why ? why : lost.len ? lost.p : NULL);
	else if (stream && stream->ok && !stream->in.waiting && f.raw_hash &&
		 f.raw_eof) {
		stream->in.packed_fp = br_hash_final(f.raw_hash);
		stream->in.packed_bytes = f.raw;
	}
	br_buf_free(&lost);
	rd->at_once = at_once;
	if (at_once && !failed && rd->held_ids)
		rd->g->seen = idset_merge(rd->g->seen, rd->held_ids);
	else
		idset_free(rd->held_ids);
	rd->held_ids = NULL;
	if (at_once) {
		for (size_t i = first; i < t->nout; i++)
			hand_over(rd->g, t, t->out[i]);
		t->nout = first;
	}
	free(mk);
	br_buf_free(&name);
	br_buf_free(&msg);
	archive_read_free(a);
	feed_close(&f);
}

/* read_members in C.UTF-8's character types: libarchive converts a
 * member's name to the locale's charset, and a zip's name flagged UTF-8
 * had none in the C locale but ASCII (archive_entry_pathname NULL, so
 * "dir/\xc3\xa9t\xc3\xa9.jsonl" was skipped as no log member, its
 * records lost, exit 0); the name is now its UTF-8 bytes. */
static void read_archive(struct reader *rd, struct task *t, int fd,
			 const char *path, long only,
			 const unsigned char *head, size_t head_len, bool piped)
{
	locale_t was = br_utf8_ctype_begin();
	read_members(rd, t, fd, path, only, head, head_len, piped);
	br_utf8_ctype_end(was);
}

/* Tells whether the first n bytes of a file, at head, are an archive or
 * a compressed stream libarchive reads (a gzip holding a tar too, and an
 * empty tar, plain or gzipped). */
static bool archive_head(const unsigned char *head, size_t n)
{
	return libarchive_magic(head, n) || source_zero_head(head, n) ||
	       (gzip_magic(head, n) && source_gzip_holds_tar(head, n));
}

/* Reads standard input, told as a file is by its first bytes, which are
 * read ahead (it cannot seek) and then given first. */
static void read_stdin(struct reader *rd, struct task *t, long only)
{
	unsigned char *head = br_malloc(SOURCE_HEAD_BYTES);
	size_t n = 0;
	/* Enough to tell: a tar's magic is at byte 257; a gzip is read
	 * further, until its first block says whether a tar is inside, and
	 * zeros until they end or fill the head (an empty tar is zeros to
	 * its end, source_zero_head; a pipe's first read may end within
	 * zeros that a log follows). */
	while (n < SOURCE_HEAD_BYTES) {
		ssize_t r = read(STDIN_FILENO, head + n, SOURCE_HEAD_BYTES - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			struct br_err e = {0};
			br_fail(&e, "-: cannot read: %s", strerror(errno));
			failed_input(rd, t, "-", -1, e.msg);
			free(head);
			return;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n >= 512 && !source_zeros(head, n) &&
		    (!gzip_magic(head, n) || source_gzip_holds_tar(head, n)))
			break;
	}
	if (archive_head(head, n)) {
		read_archive(rd, t, STDIN_FILENO, "-", only, head, n, true);
	} else {
		struct source *src = source_open(STDIN_FILENO, "-",
						 rd->g->opts.jobs > 1);
		source_prime(src, head, n);
		read_input(rd, t, src, STDIN_FILENO, "-", NULL, -1);
	}
	free(head);
}

/* Tells which of the nc candidates c (what was ingested of a log, none
 * empty) the compressed stream of the file fd (path in messages, size
 * bytes), whose first n bytes are at head, decompresses to bytes that
 * begin with: the longest one, by the fingerprint of its length's first
 * bytes, all compared in one pass (c is sorted by length); -1 when none.
 * If one, *ends tells whether the stream ends there (nothing was added);
 * then, when the file was read to its end, *raw_bytes and *raw_fp are
 * its size and the fingerprint of its bytes (else *raw_bytes is 0), by
 * which it is known next time without decompressing it (sink.packed): a
 * rotated log found by what it decompresses to was else decompressed
 * again each night, renamed (app.log.1.gz to app.log.2.gz). Reads fd from
 * where it is (its start). *read_errno is the errno of a read of fd that
 * failed, else 0: none is then known. *reached is how many of its
 * decompressed bytes were compared: the longest candidate's length when
 * it decompresses to as many or more. */
static long stream_continues(struct ingest *g, int fd, const char *path,
			     uint64_t size, const unsigned char *head,
			     size_t n, struct ingest_known *c, size_t nc,
			     bool *ends, uint64_t *raw_bytes,
			     struct br_fp *raw_fp, int *read_errno,
			     uint64_t *reached)
{
	struct feed f = {.fd = fd, .path = path,
			 .max_ratio = g->opts.max_ratio, .size = size};
	struct br_hasher h;
	uint64_t pos = 0;
	size_t i = 0; /* the next candidate */
	long best = -1;
	bool more = false; /* the last bytes decompressed went past pos */
	bool eof = false;
	*ends = false;
	*raw_bytes = 0;
	if (!nc)
		return -1;
	qsort(c, nc, sizeof *c, known_len_cmp);
	br_hash_init(&h);
	bool hash_raw = g->sink.packed != NULL;
	if (hash_raw && !gzip_magic(head, n)) {
		f.raw_hash = br_malloc(sizeof *f.raw_hash);
		br_hash_init(f.raw_hash);
	}
	if (feed_open(&f, head, n, false) == 0 && !f.empty) {
		if (hash_raw && f.gz)
			source_hash_raw(f.gz);
		/* The raw bytes are read from fd's start, not from head. */
		while (i < nc) {
			const void *p;
			ssize_t r = feed_next(&f, &p);
			if (r <= 0) {
				eof = r == 0;
				break;
			}
			size_t off = 0;
			while (i < nc && off < (size_t)r) {
				size_t take = c[i].bytes - pos < (uint64_t)r - off
						      ? (size_t)(c[i].bytes - pos)
						      : (size_t)r - off;
				br_hash_update(&h, (const char *)p + off, take);
				pos += take;
				off += take;
				for (; i < nc && c[i].bytes == pos; i++)
					if (br_fp_equal(br_hash_final(&h), c[i].fp))
						best = (long)i;
			}
			more = off < (size_t)r;
		}
	}
	const void *p;
	*ends = best >= 0 && c[best].bytes == pos && !more &&
		(eof || feed_next(&f, &p) == 0);
	if (*ends && f.gz && source_raw_fp(f.gz, raw_fp))
		*raw_bytes = source_disk_pos(f.gz);
	else if (*ends && f.outer && f.raw_hash && f.raw_eof) {
		*raw_fp = br_hash_final(f.raw_hash);
		*raw_bytes = f.raw;
	}
	*read_errno = f.read_errno;
	*reached = pos;
	feed_close(&f);
	return best;
}

/* The outcome of task t's file, named name, found to decompress to just
 * what was ingested of its path (t->k), or known by its bytes to
 * decompress to content ingested before (packed_known): what reading it
 * from there would give, a resumed input with nothing new, without
 * decompressing it (again: a directory of known .xz or .bz2 logs ingested
 * again would else cost two decompressions of each). packed_bytes, when
 * not 0, and packed_fp are the file's size and the fingerprint of its
 * bytes, to know it by next time. */
static void unchanged_input(struct reader *rd, struct task *t, const char *name,
			    uint64_t packed_bytes, struct br_fp packed_fp)
{
	struct outcome *o = outcome_new(rd, t, name, -1);
	o->in.key = o->key = br_strdup(t->key);
	o->in.fp = t->k.fp;
	o->in.bytes = o->in.resumed_at = t->k.bytes;
	o->in.packed_bytes = packed_bytes;
	o->in.packed_fp = packed_fp;
	o->raw_bytes = t->disk_size;
	o->ok = true;
	add(&t->bytes, t->k.bytes);
	__atomic_store_n(&t->disk_pos, t->disk_size, __ATOMIC_RELAXED);
	finish_outcome(rd, t, o);
}

/* What a file is read in to be known by its bytes. */
#define PACKED_CHUNK ((size_t)256 << 10)

/* Tells whether the file fd of task t, one compressed stream, is known by
 * its bytes to decompress to content ingested before, whole (the sink's
 * packed): 1, t->k being that content; 0 if not; -1 with errno when a
 * read of it fails. Reads the file from its first byte
 * to its end, when the sink may know a file of its size: a night's walk
 * of rotated logs (app.log.2.gz renamed app.log.3.gz, or left as it was)
 * decompressed each again, 0.16 s a 23 MB gzip left as it was and 0.5-0.7
 * s renamed (docs/PERFORMANCE.md); hashing 58 MB from the page cache took
 * 10 ms. */
static int packed_known(struct ingest *g, struct task *t, int fd)
{
	if (!g->sink.packed ||
	    !g->sink.packed(g->sink.ctx, t->disk_size, NULL, NULL))
		return 0;
	char *buf = br_malloc(PACKED_CHUNK);
	struct br_hasher h;
	br_hash_init(&h);
	uint64_t pos = 0;
	ssize_t r;
	while ((r = pread(fd, buf, PACKED_CHUNK, (off_t)pos)) > 0) {
		br_hash_update(&h, buf, (size_t)r);
		pos += (uint64_t)r;
	}
	int e = errno;
	free(buf);
	if (r < 0) {
		errno = e;
		return -1;
	}
	struct br_fp fp = br_hash_final(&h);
	return g->sink.packed(g->sink.ctx, pos, &fp, &t->k);
}

/* Fails the input of task t, whose file a read failed with errno e. */
static void unreadable_input(struct reader *rd, struct task *t,
			     const char *shown, int e)
{
	struct br_err err = {0};
	br_fail(&err, "cannot read '%s': %s", shown, strerror(e));
	failed_input(rd, t, shown, -1, err.msg);
}

/* Reads the inputs of task t: standard input, or a file; only >= 0 reads
 * only that member of an archive, limit > 0 only so many bytes of a plain
 * file (reading an input again). */
static void read_task(struct reader *rd, struct task *t, long only,
		      uint64_t limit)
{
	bool ahead = rd->g->opts.jobs > 1;
	rd->task = t;
	rd->reported = 0;
	if (!t->path) {
		read_stdin(rd, t, only);
		return;
	}
	/* A file's name in messages and the rejects file: a directory
	 * others write to may hold names with control characters. */
	char *shown = br_printable(t->path);
	int fd = open(t->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		struct br_err e = {0};
		br_fail(&e, "cannot open '%s': %s", shown, strerror(errno));
		failed_input(rd, t, shown, -1, e.msg);
		free(shown);
		return;
	}
	if (t->shrunk_from) {
		struct br_err e = {0};
		br_fail(&e, "%s: shorter than the %llu bytes ingested of it, and "
			"beginning as they did: edited in place, not rotated; "
			"not counted again (ingest it with --replace to recount "
			"its days)", shown, (unsigned long long)t->shrunk_from);
		failed_input(rd, t, shown, -1, e.msg);
		close(fd);
		free(shown);
		return;
	}
	/* The scratch buffer is free until the input is read. Its first
	 * bytes tell how it is read (an archive, a compressed stream): a
	 * read that fails is the input's failure, never an empty head. */
	const unsigned char *head = (const unsigned char *)rd->scratch;
	ssize_t n = t->read_errno ? -1
				  : pread(fd, rd->scratch, SOURCE_HEAD_BYTES, 0);
	if (n < 0 && !t->read_errno && errno == ESPIPE)
		n = 0; /* a FIFO, a device: read as a stream, no head seen */
	bool stream = n > 0 && stream_magic(head, (size_t)n);
	int known = n < 0 ? -1 : stream ? packed_known(rd->g, t, fd) : 0;
	if (known != 0) {
		if (known < 0)
			unreadable_input(rd, t, shown,
					 t->read_errno ? t->read_errno : errno);
		else
			unchanged_input(rd, t, shown, 0, (struct br_fp){0, 0});
		close(fd);
		free(shown);
		return;
	}
	if (t->zcheck) {
		/* Resumed only if it begins with what was ingested of its
		 * path or of a log it is a rotation of; else read whole
		 * (compressed anew). The check reads fd from its start, as
		 * reading it does. */
		bool same = false;
		int read_errno = 0;
		uint64_t raw_bytes = 0, reached = 0;
		struct br_fp raw_fp = {0, 0};
		t->zcheck = false;
		long best = n > 0 ? stream_continues(rd->g, fd, shown,
						     t->disk_size, head,
						     (size_t)n, t->zc, t->nzc,
						     &same, &raw_bytes, &raw_fp,
						     &read_errno, &reached)
				  : -1;
		if (read_errno) {
			/* Read whole, it would count again what it
			 * continues. */
			unreadable_input(rd, t, shown, read_errno);
			close(fd);
			free(shown);
			return;
		}
		if (!read_errno && t->zhead && reached >= t->zown.bytes &&
		    (best < 0 || t->zc[best].bytes < t->zown.bytes)) {
			struct br_err e = {0};
			br_fail(&e, "%s: its first %llu bytes (decompressed) "
				"changed since they were ingested; not counted "
				"again (ingest it with --replace to recount its "
				"days)", shown, (unsigned long long)t->zown.bytes);
			failed_input(rd, t, shown, -1, e.msg);
			close(fd);
			free(shown);
			return;
		}
		t->zresume = t->known = best >= 0;
		if (best >= 0)
			t->k = t->zc[best];
		if (same) {
			unchanged_input(rd, t, shown, raw_bytes, raw_fp);
			close(fd);
			free(shown);
			return;
		}
		if (lseek(fd, 0, SEEK_SET) != 0) {
			struct br_err e = {0};
			br_fail(&e, "%s: cannot read: %s", shown, strerror(errno));
			failed_input(rd, t, shown, -1, e.msg);
			close(fd);
			free(shown);
			return;
		}
	}
	if (n > 0 && archive_head(head, (size_t)n)) {
		read_archive(rd, t, fd, shown, only, head, (size_t)n, false);
	} else {
		struct source *src = source_open(fd, shown, ahead);
		source_set_limit(src, limit);
		/* A gzip stream may be known by its bytes next time. */
		if (stream && rd->g->sink.packed)
			source_hash_raw(src);
		read_input(rd, t, src, fd, shown, t->key, -1);
	}
	close(fd);
	free(shown);
}

/* ----------------------------------------------------- handing inputs over */

/* Copies an outcome's rejected records to the rejects stream. */
static void flush_rejects(struct ingest *g, struct rejects *r)
{
	FILE *out = g->opts.rejects;
	if (r->spill) {
		char buf[65536];
		size_t n;
		rewind(r->spill);
		while ((n = fread(buf, 1, sizeof buf, r->spill)) > 0)
			fwrite(buf, 1, n, out);
	}
	if (r->mem.len)
		fwrite(r->mem.p, 1, r->mem.len, out);
}

/* Reads input o of task t again on the caller's thread, with the request
 * ids of every input handed over before it known. Returns the new outcome;
 * it fails when the input changed since it was first read. o's ids are
 * freed first: held beside the new read's, the ids of a large log (14 MB
 * for 840,000) made the peak of a directory of such logs. */
static struct outcome *read_again(struct ingest *g, struct task *t,
				  struct outcome *o)
{
	idset_free(o->ids);
	o->ids = NULL;
	struct task *again = br_calloc(1, sizeof *again);
	again->path = br_strdup(t->path);
	again->key = t->key ? br_strdup(t->key) : NULL;
	again->known = t->known;
	again->k = t->k;
	again->zresume = t->zresume;
	again->again_size = t->disk_size;
	struct reader *rd = &g->main;
	struct task *reading = rd->task;
	uint64_t reported = rd->reported;
	rd->at_once = false;
	/* A plain file is read as far as it was (it may be growing), unless
	 * that read stopped at a failure. */
	read_task(rd, again, o->member,
		  o->member < 0 && o->ok ? o->raw_bytes : 0);
	rd->at_once = true;
	rd->task = reading;
	rd->reported = reported;
	struct outcome *n = NULL;
	for (size_t i = 0; i < again->nout; i++)
		if (again->out[i]->member == o->member ||
		    !again->out[i]->ok) {
			n = again->out[i];
			again->out[i] = NULL;
			break;
		}
	task_free(g, again);
	if (!n) {
		n = br_calloc(1, sizeof *n);
		n->name = br_strdup(o->name);
		n->in.name = n->name;
		n->input = g->sink.begin ? g->sink.begin(g->sink.ctx, n->name)
					 : g->sink.ctx;
	}
	/* Read in blocks, an input whose last record spans lines (a CSV
	 * quote) ended at its last line end (waiting for its last line, or
	 * with it); read whole, it takes its last line, or waits from that
	 * record's first: the two then agree to its last line end. */
	bool same = n->in.bytes == o->in.bytes
			    ? br_fp_equal(n->in.fp, o->in.fp)
			    : n->lines_end == o->in.bytes &&
				      br_fp_equal(n->lines_fp, o->in.fp);
	if (o->ok && n->ok && !same) {
		n->ok = false;
		br_fail(&n->err, "%s: changed while it was being read; not "
			"counted (ingest it again)", o->in.name);
	}
	if (!n->ok && !br_failed(&n->err))
		br_fail(&n->err, "%s: changed while it was being read; not "
			"counted (ingest it again)", o->in.name);
	return n;
}

/* The run's set of request ids is sized for at most this many times the
 * ids it holds (size_seen): what an over-estimate may cost, ~43 bytes of
 * table an id held at worst (eight ids' 5.3 bytes each at 75% full; 5-7.5
 * an id grown a half at a time). The density of the logs read is no promise for
 * those to come (a CSV log's records, read first, are a third of the
 * length of JSONL ones'), nor is a trailer (a file named .gz that is not
 * one). */
#define SEEN_ROOM_MAX 8

/* Sizes the run's set of request ids, into which input o's ids were just
 * merged, for the ids of the whole run, as an input's own set is sized
 * from its first bytes (split_begin): those of the content known to be
 * left to read (task_content; but task t's, read) at the density of the
 * content read so far. Grown a half at a time as inputs were handed
 * over, its tables were 53-80% full, in as many allocations as shards,
 * their sizes following the first input's (docs/PERFORMANCE.md, stops 34
 * and 37). Its tables grow as before for the ids of inputs whose content
 * is not known, and any the estimate falls short of. It is sized again
 * only when the estimate passes the last by an eighth, so that its ids
 * are rehashed a bounded number of times. */
static void size_seen(struct ingest *g, const struct task *t,
		      const struct outcome *o)
{
	g->seen_bytes += o->in.bytes > o->in.resumed_at
				 ? o->in.bytes - o->in.resumed_at : 0;
	uint64_t held = idset_count(g->seen);
	uint64_t left = g->content_left - t->content_left;
	if (!held || !g->seen_bytes || !left)
		return;
	double want = (double)held * (1.0 + (double)left / (double)g->seen_bytes);
	uint64_t room = want < (double)held * SEEN_ROOM_MAX
				? (uint64_t)want : held * SEEN_ROOM_MAX;
	if (room <= g->seen_room + g->seen_room / 8)
		return;
	g->seen_room = room;
	idset_expect(g->seen, room);
}

/* Keeps what input o, handed over, took of its content, for the plain
 * files of the run after it (run_continued). */
static void run_read_add(struct ingest *g, const struct outcome *o)
{
	if (!o->ok || !o->in.head || !o->in.bytes)
		return;
	if (!g->run_heads)
		g->run_heads = br_dict_new();
	uint32_t id = br_dict_intern(g->run_heads, (const char *)&o->in.head,
				     sizeof o->in.head);
	if (id == br_dict_count(g->run_heads) - 1) {
		g->run_last = br_realloc(g->run_last,
					 (id + 1) * sizeof *g->run_last);
		g->run_last[id] = -1;
	}
	if (g->nrun_reads == g->run_reads_cap) {
		g->run_reads_cap = g->run_reads_cap ? 2 * g->run_reads_cap : 16;
		g->run_reads = br_realloc(g->run_reads, g->run_reads_cap *
							sizeof *g->run_reads);
	}
	g->run_reads[g->nrun_reads] = (struct run_read){
		{o->in.bytes, o->in.fp, o->in.head}, g->run_last[id]};
	g->run_last[id] = (long)g->nrun_reads++;
}

/* Adds to the n candidates c (at most MAX_CANDIDATES) the inputs handed
 * over before input o in this run of head head, of length len (0: any),
 * that o may continue: no longer than o, longer than what o resumed from,
 * each content once. Returns the new n. */
static size_t run_candidates(const struct ingest *g, const struct outcome *o,
			     uint32_t head, size_t len,
			     struct ingest_known *c, size_t n)
{
	int64_t id = br_dict_find(g->run_heads, (const char *)&head,
				  sizeof head);
	for (long i = id < 0 ? -1 : g->run_last[id];
	     i >= 0 && n < MAX_CANDIDATES; i = g->run_reads[i].next) {
		const struct ingest_known *k = &g->run_reads[i].k;
		bool again = (len && k->bytes != len) ||
			     k->bytes <= o->in.resumed_at ||
			     k->bytes >= o->in.bytes;
		for (size_t j = 0; j < n && !again; j++)
			again = c[j].bytes == k->bytes &&
				br_fp_equal(c[j].fp, k->fp);
		if (!again)
			c[n++] = *k;
	}
	return n;
}

/* Tells whether input o of task t, a plain file, begins with all of
 * what an input handed over before it in this run took (of its head, no
 * longer than o, longer than what o resumed from), and fills *c with
 * the longest, read from the file by fingerprint: on a later run, the
 * file would be read from where that ingest ended (sink.continued), so
 * it is here. A log and a copy of it made before it grew (app.log.1,
 * old.tar:app.log) counted the copy's records twice in one run, once
 * over two. An input that took fewer than two of the file's lines (a
 * log of one line, or whose last has no newline yet: its head is of all
 * it took) is found by its length, one of the file's ingest_short_ends
 * (it was not, and counted twice). */
static bool run_continued(struct ingest *g, const struct task *t,
			  const struct outcome *o, struct ingest_known *c)
{
	if (!o->ok || !o->plain || !g->run_heads)
		return false;
	struct ingest_known cand[MAX_CANDIDATES];
	size_t n = run_candidates(g, o, o->in.head, 0, cand, 0);
	for (size_t w = 0; w < o->nshort; w++)
		if (o->short_len[w] && o->short_head[w] != o->in.head)
			n = run_candidates(g, o, o->short_head[w],
					   o->short_len[w], cand, n);
	int fd = n ? open(t->path, O_RDONLY | O_CLOEXEC) : -1;
	if (fd < 0)
		return false; /* reading it again says why */
	char *buf = br_malloc(SCRATCH_SIZE);
	struct file_bytes f = {fd, 0, 0};
	long best = prefix_continues(cand, n, buf, file_next, &f);
	free(buf);
	close(fd);
	if (best >= 0)
		*c = cand[best];
	return best >= 0;
}

/* Hands an outcome of task t to the sink, in input order, on the caller's
 * thread, and frees it. */
static void hand_over(struct ingest *g, struct task *t, struct outcome *o)
{
	bool redone = o->redo;
	/* Nothing of a failed input counts, nor of a read taken again (its
	 * blocks were not independent, or it continues an input before it):
	 * the ids it added to the run's set are taken out first. */
	if (o->seen_mark && (!o->ok || redone))
		idset_rollback(g->seen, o->seen_mark);
	if (redone) {
		/* Parsed in blocks that were not independent: what the read
		 * gave, failure included, may not be what one thread gets,
		 * and is not looked at (run_continued asks this read). */
		struct outcome *again = read_again(g, t, o);
		outcome_free(g, o);
		o = again;
		o->in.reread = true;
	}
	struct ingest_known c;
	if (run_continued(g, t, o, &c)) {
		/* Read again from where the input it continues ended (a log
		 * read again as its blocks were not independent too: it was
		 * taken whole with --jobs 2, the input it continues counted
		 * twice, and once with --jobs 1). */
		if (o->seen_mark)
			idset_rollback(g->seen, o->seen_mark);
		bool known = t->known, zresume = t->zresume;
		struct ingest_known k = t->k;
		t->known = true;
		t->zresume = false;
		t->k = c;
		struct outcome *again = read_again(g, t, o);
		t->known = known;
		t->zresume = zresume;
		t->k = k;
		outcome_free(g, o);
		o = again;
		o->in.reread = redone;
	} else if (!redone && o->ok && o->ids && !o->deduped) {
		/* Read on a worker: its ids were not checked against the
		 * inputs before it. */
		uint64_t seen = idset_common(o->ids, g->seen);
		if (seen)
			__atomic_store_n(&g->overlapping, true, __ATOMIC_RELAXED);
		/* Its ids hold those a backfill's range rejected (claim_id),
		 * which are no events, or the keys of Claude Code messages
		 * (claim_copy), which may be no duplicates: its counts are
		 * then known only by reading it again (events less all seen
		 * went below zero). */
		if (seen && (o->in.outside || o->copies || !g->sink.wants ||
			     g->sink.wants(g->sink.ctx, &o->in))) {
			struct outcome *again = read_again(g, t, o);
			outcome_free(g, o);
			o = again;
		} else {
			/* The sink drops it: only the counts change, each
			 * such id's first record being a duplicate. */
			o->in.events -= seen;
			o->in.duplicates += seen;
		}
	}
	struct ingest_stats *s = &g->stats;
	s->bytes += o->in.bytes;
	if (o->ok) {
		s->inputs++;
		s->records += o->in.records;
		s->events += o->in.events;
		s->rejected += o->in.rejected;
		s->duplicates += o->in.duplicates;
		s->resumed += o->in.resumed_at > 0 && o->in.bytes > o->in.resumed_at;
		s->waiting += o->in.waiting;
	} else {
		/* Nothing of a failed input counts, not even in the stats. */
		s->failed_inputs++;
		if (!br_failed(&g->failure))
			g->failure = o->err;
	}
	if (g->opts.rejects) {
		if (o->ok) /* nothing of a failed input counts */
			flush_rejects(g, &o->rej);
	} else if (o->rej.mem.len) {
		br_buf_putc(&o->rej.mem, '\0');
		o->in.reject_samples = o->rej.mem.p;
	}
	if (g->sink.end)
		g->sink.end(g->sink.ctx, o->input, &o->in, o->ok, o->err.msg);
	o->input = NULL;
	run_read_add(g, o);
	/* Its ids join the run's once the sink has its totals, which the
	 * sink then lets go of (burnrate's: the input's aggregate, 3.8 MB
	 * for a log spread over a month of days), not after: the next input
	 * is being read meanwhile, its own ids and totals growing. */
	if (o->ok && (o->ids || o->seen_mark)) {
		if (o->ids)
			g->seen = idset_merge(g->seen, o->ids);
		o->ids = NULL;
		size_seen(g, t, o);
	}
	outcome_free(g, o);
}

static void finish_outcome(struct reader *rd, struct task *t, struct outcome *o)
{
	o->deduped = rd->main || rd->seen;
	if (rd->g->sink.read && o->input)
		rd->g->sink.read(rd->g->sink.ctx, o->input);
	if (rd->at_once) {
		t->nout--;
		hand_over(rd->g, t, o);
	}
}

static void failed_input(struct reader *rd, struct task *t, const char *name,
			 long member, const char *message)
{
	struct outcome *o = outcome_new(rd, t, name, member);
	br_fail(&o->err, "%s", message);
	finish_outcome(rd, t, o);
}

/* Hands a task's note and warning, if any, to the sink. The warning of
 * an input a directory walk found is a note: an archive taken by its name
 * that holds no log (docs.zip beside the logs) is no input the user named
 * and expected to count (check fails on a warning). */
static void task_warn(struct ingest *g, const struct task *t)
{
	for (const char *p = t->note; p && g->sink.note;) {
		const char *nl = strchr(p, '\n');
		char *line = br_strndup(p, nl ? (size_t)(nl - p) : strlen(p));
		g->sink.note(g->sink.ctx, line);
		free(line);
		p = nl ? nl + 1 : NULL;
	}
	if (t->warning && t->walked && g->sink.note)
		g->sink.note(g->sink.ctx, t->warning);
	else if (t->warning && !t->walked && g->sink.warning)
		g->sink.warning(g->sink.ctx, t->warning);
}

/* Hands the outcomes of a task read on a worker to the sink. */
static void hand_over_task(struct ingest *g, struct task *t)
{
	for (size_t i = 0; i < t->nout; i++) {
		hand_over(g, t, t->out[i]);
		t->out[i] = NULL;
	}
	task_warn(g, t);
	g->inputs_done++;
	g->disk_done += t->disk_size;
	g->content_left -= t->content_left;
	task_free(g, t);
}

/* --------------------------------------------------------------- workers */

/* Lets other workers start inputs again once t, read alone (task.solo),
 * is known not to be parsed in blocks, or has been read. */
static void task_solo_end(struct ingest *g, struct task *t)
{
	if (!t->solo)
		return;
	t->solo = false;
	pthread_mutex_lock(&g->lock);
	if (--g->solo == 0)
		pthread_cond_broadcast(&g->work);
	pthread_mutex_unlock(&g->lock);
}

/* Tells whether task t, being read on a worker or read (NULL: being
 * handed over), is read or soon will be: it is small, or a large input
 * has less than SOLO_PLAIN_BYTES left (a plain one of less lets the next
 * input start after its first read, one in blocks when less than a block
 * is left: task_solo_end). */
static bool soon_read(const struct task *t)
{
	if (!t || t->done || !t->large)
		return true;
	return t->disk_size - load(&t->disk_pos) < SOLO_PLAIN_BYTES;
}

/* The run's set of request ids if it holds those of every input before
 * task index (being read, so not handed over), and any, under g's lock;
 * else NULL. It then holds them until that task is handed over: the
 * caller's thread merges into it only when handing over, in order. */
static const struct idset *seen_before(const struct ingest *g, size_t index)
{
	/* An empty set has nothing to look in (the first input). */
	return g->consumed == index && !g->stop && idset_count(g->seen)
		       ? g->seen : NULL;
}

/* seen_before(g, index), once the inputs before task index are handed
 * over when they overlap; under g's lock.
 *
 * Read against the run's set, a large input drops the request ids seen
 * before as it reads them, as the caller's thread does. Else it keeps
 * them all in its own set, and if one was seen before it is read again,
 * on one thread: exports of overlapping days (10 logs of 80,000 records,
 * one day in four in two of them) took longer with --jobs 2 than with
 * --jobs 1. Once inputs are known to overlap (ingest.overlapping), a large
 * one waits for those before it to be handed over when they are read or
 * soon will be: ~13 ms for a log of 64,000 records, which inputs that do
 * not overlap (a month of daily logs) would pay for nothing. */
static const struct idset *seen_stable(struct ingest *g, size_t index)
{
	while (__atomic_load_n(&g->overlapping, __ATOMIC_RELAXED) && !g->stop &&
	       g->consumed < index) {
		for (size_t i = g->consumed; i < index; i++)
			if (!soon_read(g->tasks[i]))
				return NULL;
		pthread_cond_wait(&g->work, &g->lock);
	}
	return seen_before(g, index);
}

struct idset *seen_whole(struct reader *rd)
{
	struct ingest *g = rd->g;
	pthread_mutex_lock(&g->lock);
	struct idset *seen = seen_before(g, rd->task_index) ? g->seen : NULL;
	pthread_mutex_unlock(&g->lock);
	return seen;
}

/* The bytes of task t's file to read: a grown log's new ones. */
static uint64_t task_to_read(const struct task *t)
{
	return t->disk_size -
	       (t->known && t->k.bytes < t->disk_size ? t->k.bytes : 0);
}

/* Tells whether the next task to read, under g's lock, is large and must
 * wait until fewer inputs before it than the jobs are not handed over
 * (--jobs 2: all but the one just read): each read holds its request ids
 * and totals until then (a log of 200,000 records: ~6.5 MB). When the
 * caller's thread, handing them over, got little CPU beside the pool's (a
 * loaded machine), the workers read up to twice the jobs ahead, and ten
 * logs of 200,000 records took up to 75 MB with --jobs 2
 * (docs/PERFORMANCE.md, stop 38). */
static bool large_waits(const struct ingest *g)
{
	return g->next < g->ntasks && g->next - g->consumed >= g->opts.jobs &&
	       task_to_read(g->tasks[g->next]) >= SOLO_BYTES;
}

static void *worker(void *arg)
{
	struct reader *rd = arg;
	struct ingest *g = rd->g;
	size_t window = (size_t)g->opts.jobs * WINDOW_PER_JOB;
	pthread_mutex_lock(&g->lock);
	for (;;) {
		while (!g->stop && (g->next == g->ntasks || g->solo ||
				    g->next - g->consumed >= window ||
				    large_waits(g)))
			pthread_cond_wait(&g->work, &g->lock);
		if (g->stop)
			break;
		size_t index = g->next++;
		struct task *t = g->tasks[index];
		/* By what is left to read of it: a grown log's new lines. */
		t->large = t->solo = task_to_read(t) >= SOLO_BYTES;
		g->solo += t->solo;
		rd->task_index = index;
		rd->seen = t->large && !g->opts.no_dedupe ? seen_stable(g, index)
							  : NULL;
		pthread_mutex_unlock(&g->lock);
		read_task(rd, t, -1, 0);
		rd->seen = NULL;
		task_solo_end(g, t);
		pthread_mutex_lock(&g->lock);
		t->done = true;
		pthread_cond_broadcast(&g->done);
	}
	pthread_mutex_unlock(&g->lock);
	return NULL;
}

/* Tells the threads waiting on cond to stop (*stop, under g's lock), then
 * joins the first n of them and frees their readers. */
static void stop_group(struct ingest *g, bool *stop, pthread_cond_t *cond,
		       pthread_t *threads, struct reader *readers, unsigned n)
{
	pthread_mutex_lock(&g->lock);
	/* Read unlocked too, by pool threads spinning (HANDOVER_SPIN_WHILE). */
	__atomic_store_n(stop, true, __ATOMIC_RELAXED);
	pthread_cond_broadcast(cond);
	pthread_mutex_unlock(&g->lock);
	for (unsigned i = 0; i < n; i++) {
		pthread_join(threads[i], NULL);
		reader_free(&readers[i]);
	}
}

/* Stops the first nw workers and np pool threads start_workers started,
 * once they have nothing to do (ingest_free), and frees their readers.
 * Workers finish the input they read, with the pool still there to parse
 * its blocks; then the pool stops. */
static void stop_threads(struct ingest *g, unsigned nw, unsigned np)
{
	stop_group(g, &g->stop, &g->work, g->threads, g->workers, nw);
	stop_group(g, &g->pool_stop, &g->block_queued, g->pool_threads, g->pool,
		   np);
}

/* Starts up to n threads running fn, the i-th on readers[i] (made here;
 * of the pool: its index i). Returns how many started; *rc is the error
 * of the one that could not (then not made), else 0. */
static unsigned start_readers(struct ingest *g, pthread_t *threads,
			      struct reader *readers, unsigned n,
			      void *(*fn)(void *), bool pool, int *rc)
{
	for (unsigned i = 0; i < n; i++) {
		reader_init(&readers[i], g, false);
		if (pool)
			readers[i].pool_index = i;
		*rc = pthread_create(&threads[i], NULL, fn, &readers[i]);
		if (*rc != 0) {
			reader_free(&readers[i]);
			return i;
		}
	}
	*rc = 0;
	return n;
}

/* Starts the threads of --jobs: a worker reading inputs and a pool thread
 * parsing blocks per job. Called with g->lock held, before any input is
 * queued. When one cannot be started (EAGAIN: a limit of threads or
 * processes, ulimit -u, a container's pids.max), those started are
 * stopped and the inputs are read on the calling thread, as with --jobs
 * 1, which gives the same totals. */
static void start_workers(struct ingest *g)
{
	unsigned jobs = g->opts.jobs, np = 0;
	int rc = 0;
	g->threads = br_calloc(jobs, sizeof *g->threads);
	g->workers = br_calloc(jobs, sizeof *g->workers);
	g->pool_threads = br_calloc(jobs, sizeof *g->pool_threads);
	g->pool = br_calloc(jobs, sizeof *g->pool);
	unsigned nw = start_readers(g, g->threads, g->workers, jobs, worker,
				    false, &rc);
	if (rc == 0)
		np = start_readers(g, g->pool_threads, g->pool, jobs, pool_thread,
				   true, &rc);
	g->nworkers = jobs;
	if (rc == 0)
		return;
	pthread_mutex_unlock(&g->lock);
	stop_threads(g, nw, np);
	pthread_mutex_lock(&g->lock);
	g->stop = g->pool_stop = false;
	g->nworkers = 0;
	free(g->threads);
	free(g->workers);
	free(g->pool_threads);
	free(g->pool);
	g->threads = NULL;
	g->workers = NULL;
	g->pool_threads = NULL;
	g->pool = NULL;
	g->opts.jobs = 1;
	fprintf(stderr, "burnrate: warning: cannot start the threads of --jobs "
		"%u: %s (a limit of threads or processes, ulimit -u); reading "
		"with one\n", jobs, strerror(rc));
}

/* Hands over every queued task, in order, reporting progress meanwhile;
 * with ready_only, those read already, up to the first that is not. */
static void hand_over_queued(struct ingest *g, bool ready_only)
{
	pthread_mutex_lock(&g->lock);
	while (g->consumed < g->ntasks) {
		struct task *t = g->tasks[g->consumed];
		if (!t->done && ready_only)
			break;
		if (!t->done) {
			if (!g->sink.progress) {
				pthread_cond_wait(&g->done, &g->lock);
				continue;
			}
			struct timespec until;
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_nsec += PROGRESS_WAIT_NS;
			if (until.tv_nsec >= 1000000000L) {
				until.tv_sec++;
				until.tv_nsec -= 1000000000L;
			}
			pthread_cond_timedwait(&g->done, &g->lock, &until);
			struct ingest_progress p;
			progress_of(g, NULL, &p);
			pthread_mutex_unlock(&g->lock);
			g->sink.progress(g->sink.ctx, &p);
			pthread_mutex_lock(&g->lock);
			continue;
		}
		/* Its slot is empty while it is handed over, and freed: a
		 * worker looks at those before its task (seen_stable). */
		g->tasks[g->consumed] = NULL;
		pthread_mutex_unlock(&g->lock);
		hand_over_task(g, t);
		pthread_mutex_lock(&g->lock);
		g->consumed++;
		pthread_cond_broadcast(&g->work);
	}
	pthread_mutex_unlock(&g->lock);
}

/* Reads task t now, on the caller's thread. */
static void read_now(struct ingest *g, struct task *t)
{
	read_task(&g->main, t, -1, 0);
	task_warn(g, t);
	g->inputs_done++;
	g->disk_done += t->disk_size;
	g->content_left -= t->content_left;
	task_free(g, t);
}

/* Reads and hands over every input queued. */
static void drain(struct ingest *g)
{
	if (g->nworkers) {
		hand_over_queued(g, false);
		return;
	}
	while (g->consumed < g->ntasks) {
		struct task *t = g->tasks[g->consumed];
		g->tasks[g->consumed++] = NULL;
		read_now(g, t);
	}
}

uint32_t ingest_head(const void *p, size_t n)
{
	const char *s = p, *nl = memchr(s, '\n', n);
	if (nl && (nl = memchr(nl + 1, '\n', n - (size_t)(nl + 1 - s))))
		n = (size_t)(nl + 1 - s);
	uint32_t h = (uint32_t)br_hash64(s, n);
	return h ? h : 1;
}

size_t ingest_short_ends(const void *p, size_t n,
			 size_t len[INGEST_SHORT_ENDS])
{
	const char *head = p, *nl = memchr(head, '\n', n);
	size_t nlen = 0;
	for (int line = 0; nl && line < 2; line++) {
		size_t end = (size_t)(nl + 1 - head);
		if (line == 0) /* the first line, with its newline */
			len[nlen++] = end;
		len[nlen++] = end - 1; /* without it */
		if (end >= 2 && head[end - 2] == '\r')
			len[nlen++] = end - 2; /* without its "\r\n" */
		nl = memchr(nl + 1, '\n', n - end);
	}
	return nlen;
}

/* Tells whether the first n bytes of a file, at head, are one compressed
 * stream read as one input: gzip (not holding a tar), zstd, xz, bzip2 or
 * lz4. (Those but gzip may hold a tar too, which only reading them tells:
 * its members are then inputs of their own, resumed as members are,
 * member_resumes.) */
static bool stream_magic(const unsigned char *p, size_t n)
{
	if (gzip_magic(p, n))
		return !source_gzip_holds_tar(p, n);
	return stream_magic_at(p, n) != NULL;
}

/* The length of the one of the count suffixes that the first n bytes of
 * name end with, after at least one byte of their own, in any case
 * (app.JSONL, USAGE.CSV.GZ, as Windows tools name them); 0: none. */
static size_t suffix_in(const char *name, size_t n,
			const char *const *suffixes, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		size_t k = strlen(suffixes[i]);
		if (n > k && strncasecmp(name + n - k, suffixes[i], k) == 0)
			return k;
	}
	return 0;
}

/* Tells whether name ends as a compressed file's: .gz, .zst, .xz, .bz2
 * or .lz4; 0 if not, else the suffix's length. */
static size_t compressed_name(const char *name)
{
	static const char *const compressed[] = {".gz", ".zst", ".xz", ".bz2", ".lz4"};
	return suffix_in(name, strlen(name), compressed,
			 sizeof compressed / sizeof compressed[0]);
}

/* Sets task t's candidates for the compressed stream of the file fd,
 * whose first n bytes are at head: what its path's last input took (when
 * known and not empty), and what was ingested of the plain logs of its
 * directory, or of another, that began as its decompressed bytes do (the
 * sink's continued): a log compressed as it was rotated, app.log to
 * app.log.1.gz, or a day later with delaycompress, app.log.1 to
 * app.log.2.gz. Its first INGEST_HEAD_BYTES are decompressed here, for
 * that; the rest is compared by the thread that reads it
 * (stream_continues). */
static size_t rotation_suffix(const char *name, size_t n);

/* What was ingested of the name task t's compressed log had before it was
 * rotated as it is (app.csv.gz, grown by appended members, renamed
 * app.csv.1.gz, or compressed anew): sink.continued, asking for plain
 * logs by their first bytes, does not give it, and the log was read whole,
 * its ingested part counted twice. False when there is none. */
static bool rotated_stream_known(struct ingest *g, const struct task *t,
				 struct ingest_known *k)
{
	size_t len = strlen(t->key), z = compressed_name(t->key);
	size_t rot = z ? rotation_suffix(t->key, len - z) : 0;
	if (!rot || !g->sink.known)
		return false;
	struct br_buf name = {0};
	br_buf_put(&name, t->key, len - z - rot);
	br_buf_puts(&name, t->key + len - z);
	bool known = g->sink.known(g->sink.ctx, name.p, k) && k->bytes > 0;
	br_buf_free(&name);
	return known;
}

static void compressed_candidates(struct ingest *g, struct task *t, int fd,
				  const unsigned char *head, size_t n)
{
	t->zc = br_malloc(MAX_ZCANDIDATES * sizeof *t->zc);
	if (t->known && t->k.bytes > 0)
		t->zc[t->nzc++] = t->k;
	struct ingest_known k;
	if (rotated_stream_known(g, t, &k))
		t->zc[t->nzc++] = k;
	if (!g->sink.continued)
		return;
	struct feed f = {.fd = fd, .path = t->path,
			 .max_ratio = g->opts.max_ratio};
	char *plain = br_malloc(INGEST_HEAD_BYTES);
	size_t got = 0;
	if (feed_open(&f, head, n, false) == 0 && !f.empty) {
		while (got < INGEST_HEAD_BYTES) {
			const void *p;
			ssize_t r = feed_next(&f, &p);
			if (r <= 0)
				break;
			size_t take = INGEST_HEAD_BYTES - got < (size_t)r
					      ? INGEST_HEAD_BYTES - got : (size_t)r;
			memcpy(plain + got, p, take);
			got += take;
		}
	}
	feed_close(&f);
	/* Fewer candidates would read the stream whole, counting again
	 * what it continues: a read that failed fails the input (read_task),
	 * as in plan_resume. Corrupt data fails it there too. */
	if (f.read_errno) {
		t->read_errno = f.read_errno;
		got = 0;
	}
	if (got && t->known && t->k.bytes > 0 && t->k.head != 0 &&
	    ingest_head(plain, t->k.bytes < got ? (size_t)t->k.bytes : got) ==
		    t->k.head) {
		t->zhead = true;
		t->zown = t->k;
	}
	if (got)
		t->nzc += g->sink.continued(g->sink.ctx, t->key, UINT64_MAX,
					    plain, got, t->zc + t->nzc,
					    MAX_ZCANDIDATES - t->nzc);
	free(plain);
}

/* Tells whether the n bytes at p begin with two whole lines each holding
 * more than blanks and a BOM. */
static bool two_lines_filled(const char *p, size_t n)
{
	size_t i = 0;
	for (int line = 0; line < 2; line++, i++) {
		bool filled = false;
		for (; i < n && p[i] != '\n'; i++)
			filled |= !is_blank(p + i, 1) && (unsigned char)p[i] < 0x80;
		if (i == n || !filled)
			return false;
	}
	return true;
}

/* Decides, on the caller's thread, where the plain file of task t (size
 * bytes) is read from: from what its path's last input took (t->k, when
 * t->known and not empty), if the file is no shorter and begins as that
 * did (by ingest_head, when known); else from what was ingested of the
 * log it continues under another name, a rotated log that grew; else
 * whole. A file that is one compressed stream (not an archive of members)
 * may continue what its path's last input took or what was ingested of a
 * plain log (t->zcheck, compressed_candidates): read_task
 * reads it from after the longest of those its decompressed bytes begin
 * with, else whole (a log grown by an appended gzip member or zstd frame,
 * or compressed as it was rotated, is not counted twice; one compressed
 * anew under the name is read whole). Called when t->known or the sink
 * has continued. */
static void plan_resume(struct ingest *g, struct task *t, uint64_t size)
{
	/* A new path, when no earlier log was read that it could continue
	 * (none no longer than it, of any directory): its first bytes tell
	 * nothing (a backfill of 10,000 small logs into a new store opened
	 * and read each once more). */
	struct ingest_known rotated;
	if (!t->known && !rotated_stream_known(g, t, &rotated) &&
	    !g->sink.continued(g->sink.ctx, t->key,
			       compressed_name(t->path) ? UINT64_MAX : size,
			       NULL, 0, NULL, 0))
		return;
	int fd = open(t->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return; /* reading it says why */
	char head[INGEST_HEAD_BYTES];
	ssize_t n = pread(fd, head, sizeof head, 0);
	if (n < 0) {
		t->read_errno = errno;
		close(fd);
		return;
	}
	/* What an empty file took tells nothing: every file begins with it. */
	const struct ingest_known *k = &t->k;
	const unsigned char *uhead = (const unsigned char *)head;
	if (compressed_magic(uhead, (size_t)n)) {
		if (stream_magic(uhead, (size_t)n))
			compressed_candidates(g, t, fd, uhead, (size_t)n);
		t->known = false;
		t->zcheck = t->nzc > 0;
		close(fd);
		return;
	}
	bool same_head = k->head == 0 ||
			 ingest_head(head, k->bytes < (uint64_t)n ? (size_t)k->bytes
								  : (size_t)n) == k->head;
	if (t->known && k->bytes > 0 && size >= k->bytes && same_head) {
		close(fd);
		return;
	}
	/* Shorter, and beginning with the same two lines: read whole, a
	 * day's log with a line deleted counted its 23,545 requests twice
	 * (helper 208's year backfill). Not when a line of the two is blank:
	 * a CSV log begun with a BOM and a blank line has only its header
	 * to tell it by, which a log rotated under its name begins with too
	 * (incremental.sh). */
	if (t->known && k->bytes > 0 && size < k->bytes && k->head != 0 &&
	    n > 0 && same_head && two_lines_filled(head, (size_t)n))
		t->shrunk_from = k->bytes;
	t->known = false;
	struct ingest_known c[MAX_CANDIDATES];
	size_t nc = g->sink.continued
			    ? g->sink.continued(g->sink.ctx, t->key, size, head,
						(size_t)n, c, sizeof c / sizeof *c)
			    : 0;
	if (nc) {
		char *buf = br_malloc(SCRATCH_SIZE);
		struct file_bytes f = {fd, 0, 0};
		long best = prefix_continues(c, nc, buf, file_next, &f);
		if (f.read_errno)
			t->read_errno = f.read_errno;
		if (best >= 0) {
			t->known = true;
			t->k = c[best];
		}
		free(buf);
	}
	close(fd);
}

/* What the gzip file at path, of size bytes, inflates to, as its trailer
 * tells (ISIZE: the last member's size, modulo 4 GiB, so at most what
 * all its members inflate to, unless one passes 4 GiB); 0 when it cannot
 * be read. */
static uint64_t gzip_isize(const char *path, uint64_t size)
{
	unsigned char b[4];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = size >= 4 ? pread(fd, b, sizeof b, (off_t)(size - 4)) : 0;
	close(fd);
	if (n != (ssize_t)sizeof b)
		return 0;
	return (uint64_t)b[0] | (uint64_t)b[1] << 8 | (uint64_t)b[2] << 16 |
	       (uint64_t)b[3] << 24;
}

/* The content bytes of task t to read, for sizing the run's set of
 * request ids (size_seen): a plain file's bytes to read; a gzip file's
 * (.gz, in any case as compressed_name) as its trailer tells, when it is
 * read whole and of SOLO_BYTES or more (the trailers of many small logs,
 * an open each, would cost more than they tell); else 0, not known (other
 * compressions, a stream that may continue one read before). */
static uint64_t task_content(const struct task *t)
{
	size_t k = compressed_name(t->path);
	if (!k)
		return task_to_read(t);
	if (strcasecmp(t->path + strlen(t->path) - k, ".gz") != 0 || t->known ||
	    t->zcheck || t->disk_size < SOLO_BYTES)
		return 0;
	return gzip_isize(t->path, t->disk_size);
}

/* Reads or queues the file at path (sb: its stat; key: its canonical
 * path when known, NULL: found with realpath; walked: found by a
 * directory walk). */
static void submit(struct ingest *g, const char *path, const char *key,
		   const struct stat *sb, bool walked)
{
	struct task *t = br_calloc(1, sizeof *t);
	t->walked = walked;
	t->path = br_strdup(path);
	t->key = key ? br_strdup(key) : realpath(path, NULL);
	if (!t->key)
		t->key = br_strdup(path);
	t->known = g->sink.known && g->sink.known(g->sink.ctx, t->key, &t->k);
	if (S_ISREG(sb->st_mode) && (t->known || g->sink.continued))
		plan_resume(g, t, (uint64_t)sb->st_size);
	if (S_ISREG(sb->st_mode))
		t->disk_size = (uint64_t)sb->st_size;
	else
		g->size_unknown = true;
	g->inputs_total++;
	t->content_left = task_content(t);
	g->content_left += t->content_left;
	if (!S_ISREG(sb->st_mode)) {
		/* A FIFO or a device (a shell's <(cmd)) cannot be read again
		 * if an input before it turns out to share request ids with
		 * it: read on this thread, after the inputs before it, as
		 * standard input is. */
		drain(g);
		read_now(g, t);
		return;
	}
	pthread_mutex_lock(&g->lock);
	if (!g->nworkers && g->opts.jobs > 1)
		start_workers(g);
	if (g->ntasks == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 64;
		g->tasks = br_realloc(g->tasks, g->cap * sizeof *g->tasks);
	}
	g->tasks[g->ntasks++] = t;
	pthread_cond_signal(&g->work);
	pthread_mutex_unlock(&g->lock);
	/* One at a time (--jobs 1), the inputs are read when every path is
	 * given (drain): the progress line counts them all from the first.
	 * Else the inputs read meanwhile, so that the workers, which read
	 * at most a window ahead of the inputs handed over, do not wait for
	 * the last path to be queued (10,000 small logs: ~12% of the run). */
	if (g->nworkers)
		hand_over_queued(g, true);
}

/* ----------------------------------------------------------------- paths */

/* The length of a rotated log's suffix at the end of the n bytes of name:
 * '.' or '-', then digits, or groups of digits joined by '-' or '_':
 * logrotate's numbers (".1") and dates ("-20261202", "-2026-12-02",
 * "-20261202-1764633600"), Python's TimedRotatingFileHandler's
 * (".2026-12-02", ".2026-12-02_13"); 0 when there is none. */
static size_t rotation_suffix(const char *name, size_t n)
{
	size_t i = n;
	for (;;) {
		size_t digits = i;
		while (i > 0 && name[i - 1] >= '0' && name[i - 1] <= '9')
			i--;
		if (i == digits || i < 2)
			return 0;
		if (name[i - 1] == '.')
			return n - i + 1;
		if (name[i - 1] == '-' &&
		    !(name[i - 2] >= '0' && name[i - 2] <= '9'))
			return n - i + 1;
		if ((name[i - 1] != '-' && name[i - 1] != '_') ||
		    !(name[i - 2] >= '0' && name[i - 2] <= '9'))
			return 0;
		i--; /* a separator between groups of digits */
	}
}

/* Tells whether a file found in a directory walk, or an archive's member,
 * looks like a log: a log extension, then a rotation suffix, a compression
 * one, or both (a rotated log compressed, app.log.2.gz: it is resumed
 * after what was ingested of the log it was, stream_continues). */
static bool is_log_name(const char *name)
{
	static const char *const logs[] = {".jsonl", ".ndjson", ".json", ".csv", ".log"};
	size_t n = strlen(name);
	n -= compressed_name(name);
	n -= rotation_suffix(name, n);
	return suffix_in(name, n, logs, sizeof logs / sizeof logs[0]) != 0;
}

/* Tells whether a file found in a directory walk is an archive of logs:
 * zip or tar, the tar maybe compressed (logs.tar.gz; or named as tar
 * names it with one suffix: logs.tgz, .tbz, .tbz2, .txz, .tzst). A walk
 * takes it as the command line does, its log members (is_log_name) being
 * the inputs; an archive member is never one (is_log_name alone decides
 * which members are read). */
static bool is_archive_name(const char *name)
{
	static const char *const archives[] = {".zip", ".tar", ".tgz", ".tbz",
						 ".tbz2", ".txz", ".tzst"};
	size_t n = strlen(name);
	n -= compressed_name(name);
	return suffix_in(name, n, archives, sizeof archives / sizeof archives[0]) != 0;
}

/* Tells whether name is a Claude Code session log's: NAME.jsonl (maybe
 * compressed). Claude Code keeps other files beside them in projects/
 * (sessions-index.json), which are no logs. */
static bool is_session_name(const char *name)
{
	size_t n = strlen(name) - compressed_name(name);
	return n > 6 && strncmp(name + n - 6, ".jsonl", 6) == 0;
}

/* Files found by a walk: each path, and its canonical path (NULL: not
 * known). */
struct path_list {
	struct found {
		char *path, *key;
	} *p;
	size_t n, cap;
};

static void path_list_add(struct path_list *l, char *path, char *key)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 32;
		l->p = br_realloc(l->p, l->cap * sizeof *l->p);
	}
	l->p[l->n++] = (struct found){path, key};
}

/* dir + "/" + name, without a second slash after a dir ending with one. */
static char *path_in(const char *dir, const char *name)
{
	struct br_buf path = {0};
	size_t n = strlen(dir);
	br_buf_printf(&path, "%s%s%s", dir, n && dir[n - 1] == '/' ? "" : "/", name);
	return path.p;
}

/* Collects the log files below dir (with sessions, Claude Code's session
 * logs only); symbolic links and hidden entries are
 * skipped, so a walk can neither loop nor escape. A file's canonical path
 * is that of its directory (found once) and its name, since neither it
 * nor its name is a link, ".." or ".": realpath for each of 10,000 small
 * logs took ~5% of the time of their ingest. */
static int walk(const struct ingest_opts *o, const char *dir, int depth,
		bool sessions, struct path_list *out, struct br_err *err)
{
	if (depth > MAX_DIR_DEPTH)
		return br_fail(err, "%s: directories nested more than %d deep",
			       dir, MAX_DIR_DEPTH);
	DIR *d = opendir(dir);
	if (!d)
		return br_fail(err, "cannot open directory '%s': %s", dir,
			       strerror(errno));
	char *real = realpath(dir, NULL);
	struct dirent *e;
	int rc = 0;
	while ((e = br_readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char *path = path_in(dir, e->d_name);
		/* The entry's type, from the directory where the file system
		 * keeps it (an lstat of each of 10,000 small logs was ~5% of
		 * the time of their ingest, all before the first was read). */
		unsigned char type = e->d_type;
		struct stat st;
		if (type == DT_UNKNOWN)
			type = lstat(path, &st) != 0 ? DT_UNKNOWN
			       : S_ISDIR(st.st_mode) ? DT_DIR
			       : S_ISREG(st.st_mode) ? DT_REG
						     : DT_UNKNOWN;
		/* A link is neither: skipped. */
		for (size_t k = 0; type == DT_REG && k < o->nskip; k++)
			if (e->d_ino == o->skip[k].ino && lstat(path, &st) == 0 &&
			    st.st_dev == o->skip[k].dev && st.st_ino == o->skip[k].ino)
				type = DT_UNKNOWN; /* the rejects file, a baseline */
		if (type == DT_DIR) {
			if (walk(o, path, depth + 1, sessions, out, err) != 0)
				rc = -1;
		} else if (type == DT_REG &&
			   (sessions ? is_session_name(e->d_name)
				     : is_log_name(e->d_name) ||
					       is_archive_name(e->d_name))) {
			path_list_add(out, path, real ? path_in(real, e->d_name) : NULL);
			continue;
		}
		free(path);
	}
	if (errno != 0)
		rc = br_fail(err, "cannot read directory '%s': %s", dir,
			     strerror(errno));
	free(real);
	closedir(d);
	return rc;
}

static int found_cmp(const void *a, const void *b)
{
	return strcmp(((const struct found *)a)->path, ((const struct found *)b)->path);
}

/* Tells whether dir is a Claude configuration directory (~/.claude, what
 * ccusage reads through CLAUDE_CONFIG_DIR): a projects subdirectory, where
 * Claude Code keeps its session logs, beside one of Claude's own files.
 * The rest of it is no log (history.jsonl is the prompt history,
 * settings.json and todos/ JSON of other shapes) and would fail as "cannot
 * tell the log format". A projects subdirectory alone is not enough: an
 * ordinary log directory may have one. */
static bool claude_config_dir(const char *dir)
{
	struct stat st;
	char *projects = path_in(dir, "projects");
	bool is = lstat(projects, &st) == 0 && S_ISDIR(st.st_mode);
	free(projects);
	for (size_t i = 0; is && i < CLAUDE_MARKERS; i++) {
		char *marker = path_in(dir, claude_markers[i]);
		bool found = lstat(marker, &st) == 0;
		free(marker);
		if (found)
			return true;
	}
	return false;
}

/* Tells whether dir is the projects directory of a Claude configuration
 * directory or one below it (~/.claude/projects, a project's directory in
 * it, "." there): by its real path, each "projects" in it checked. */
static bool in_claude_projects(const char *dir)
{
	char *real = realpath(dir, NULL);
	bool is = false;
	for (char *p = real; p && !is && (p = strstr(p, "/projects"));) {
		char *end = p + strlen("/projects");
		if (*end == '/' || *end == '\0') {
			/* The directory holding it ("/" for "/projects"). */
			size_t at = p == real ? 1 : (size_t)(p - real);
			char c = real[at];
			real[at] = '\0';
			is = claude_config_dir(real);
			real[at] = c;
		}
		p = end;
	}
	free(real);
	return is;
}

int ingest_path(struct ingest *g, const char *path, struct br_err *err)
{
	if (strcmp(path, "-") == 0) {
		/* Read on this thread, after the inputs before it. */
		drain(g);
		if (br_stdin_closed())
			return br_fail(err, "cannot read standard input: it is "
				       "closed");
		struct task *t = br_calloc(1, sizeof *t);
		g->inputs_total++;
		g->size_unknown = true;
		read_now(g, t);
		return 0;
	}
	struct stat st;
	if (stat(path, &st) != 0) {
		drain(g);
		return br_fail(err, "cannot open '%s': %s", path, strerror(errno));
	}
	if (!S_ISDIR(st.st_mode)) {
		submit(g, path, NULL, &st, false);
		return 0;
	}
	struct path_list files = {0};
	char *projects = NULL;
	bool sessions = in_claude_projects(path);
	if (!sessions && claude_config_dir(path)) {
		sessions = true;
		projects = path_in(path, "projects");
		if (g->sink.note) {
			struct br_buf note = {0};
			br_buf_printf(&note, "%s: a Claude configuration "
				      "directory: only its session logs, %s, "
				      "are read", path, projects);
			g->sink.note(g->sink.ctx, note.p);
			br_buf_free(&note);
		}
		path = projects;
	}
	int rc = walk(&g->opts, path, 0, sessions, &files, err);
	/* --verbose: a directory that gave nothing said nothing (its logs
	 * links to rotated files, named *.txt). */
	if (rc == 0 && !files.n && g->sink.note) {
		struct br_buf note = {0};
		br_buf_printf(&note, "%s: no log in it (a walk takes %s, and "
			      "skips hidden entries and symbolic links)", path,
			      sessions ? "the session logs, *.jsonl"
				       : "*.jsonl, *.ndjson, *.json, *.csv, "
					 "*.log and archives");
		g->sink.note(g->sink.ctx, note.p);
		br_buf_free(&note);
	}
	free(projects);
	if (files.n)
		qsort(files.p, files.n, sizeof *files.p, found_cmp);
	for (size_t i = 0; i < files.n; i++) {
		if (stat(files.p[i].path, &st) == 0)
			submit(g, files.p[i].path, files.p[i].key, &st, true);
		free(files.p[i].path);
		free(files.p[i].key);
	}
	free(files.p);
	if (rc != 0)
		drain(g);
	return rc;
}

int ingest_finish(struct ingest *g, struct br_err *err)
{
	drain(g);
	if (!br_failed(&g->failure))
		return 0;
	return br_fail(err, "%s", g->failure.msg);
}
