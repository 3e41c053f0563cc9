/* blocks.c - one large input parsed in blocks on a pool of threads.
 *
 * The thread reading an input in a splittable format (generic JSONL and
 * CSV, the CSV exports) cuts it at line ends into blocks; the pool threads
 * parse them, each with a parser of its own opened on the input's first
 * line and a part of its own of the input (a sink context, merged into the
 * input's at the end). The reader takes the blocks' counts and rejected
 * records back in input order. What could tie a line to another block is
 * checked, not assumed, so that the outcome is always that of a serial
 * read.
 *
 * An event counts as it is parsed, and a block holds the request ids of
 * its records and where the records are. Once it is parsed and every
 * block before it has settled, a pool thread settles it: adds its ids to
 * the input's set, in input order, as one thread would, so that the first
 * record of an id is the one that counts, and one block at a time, so
 * that the set needs no lock. The record of an id seen before is then
 * read again and its event counted out (uncount), into a part of the
 * input subtracted from the rest at its end, while the next block
 * settles on another thread. Until stop 48 a block held its events whole
 * (304 bytes each) and counted those whose ids settled new after its
 * turn: a second pass over 1.2 MB a block, ~8% of the plain JSONL's CPU
 * (docs/PERFORMANCE.md). A pool thread whose block holds HOLD_EVENTS ids
 * waits for the block's turn and settles them before it goes on, which
 * bounds a block's memory. A block that ends inside a record (a quoted
 * CSV newline at a cut) makes the input be read again on one thread, and
 * so do duplicates that cannot be counted out exactly (the sink's
 * subtract: a sum saturated). */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "ingest/driver.h"

/* At most BLOCKS_PER_JOB blocks (BLOCK_SIZE) per pool thread are in
 * flight, for one input or all together (though each input may always
 * have one). */
#define BLOCKS_PER_JOB 4
/* Ids a block holds at most before it settles them (512 KiB): those of
 * a whole block (BLOCK_SIZE) down to 16 bytes a line. */
#define HOLD_EVENTS 16384

/* Where a record of a block is, to read it again: its first line and its
 * last (a quoted CSV field's newline), at those offsets of the block's
 * data; and which of the events of it whose ids were held or claimed
 * (nth, from 0). */
struct record_at {
	uint32_t first, last, nth;
};

/* The request id of an event of a block, kept until its turn to settle:
 * its key (idset_key), where it is in the block's data, or else (decoded:
 * JSON escapes, a quoted CSV field; a UUID's packed bytes) copied into
 * the block's held_text; and its record. */
struct held {
	uint64_t hash;  /* the key's */
	uint32_t id_at; /* the key's offset in the data, or in held_text */
	uint32_t id_len;
	struct record_at rec;
	bool in_text;   /* the key is in held_text */
	bool uuid;      /* ... a UUID's packed bytes */
	bool claim;     /* only its id counts (block_claim) */
};
_Static_assert((uint64_t)HOLD_EVENTS * INGEST_MAX_FIELD <= UINT32_MAX,
	       "a block's held_text is offset in 32 bits");

/* Whole lines of an input, parsed on a pool thread. */
struct block {
	struct split *sp;
	/* Its data, at head bytes into mem (of size bytes, allocated): at its
	 * start, unless it came from the source with room before it
	 * (split_adopt). len bytes of it used, of cap. */
	char *mem, *data;
	size_t size, head, len, cap;
	size_t checked;      /* data[0..checked) holds no line end */
	struct block *next;  /* in the pool's queue, or spare */
	/* Set by pool threads under the ingest's lock. */
	bool done;           /* parsed */
	bool settling;       /* its held events are being settled */
	bool settled;        /* ... their ids were: the next block's turn */
	bool counted;        /* ... and its events counted: it may be taken
			      * back */
	/* Set by the thread parsing it; events and duplicates also by the one
	 * settling it. */
	bool bad;            /* the lines were not independent records */
	unsigned long lines;
	uint64_t records, events, rejected, outside, duplicates;
	/* Its events counted as they were parsed whose ids settled
	 * duplicates. */
	uint64_t uncounted;
	/* Its rejected records, each a line number from the block's start
	 * (unsigned long), a length (size_t) and "REASON: RECORD\n". */
	struct br_buf rejects;
	uint64_t kept_rejects;
	/* The ids it holds: nheld of held_cap, up to HOLD_EVENTS. */
	struct held *held;
	size_t nheld, held_cap;
	struct br_buf held_text;
	/* The first line of the record of the id held or claimed last, and
	 * how many of that record's were. */
	uint32_t last_first, last_count;
	/* The records of its events whose ids settled duplicates, to count
	 * out (uncount): ndups of dups_cap. */
	struct record_at *dups;
	size_t ndups, dups_cap;
};

/* What one pool thread gathered of an input split into blocks. */
struct split_part {
	struct format_parser *parser;
	void *input;          /* the sink's context */
	/* The sink's context of the events it counted out (uncount), NULL
	 * until one is: subtracted from the input's at its end. */
	void *minus;
	bool failed;          /* its parser could not be opened */
};

/* An input being split into blocks, on the thread reading it. */
struct split {
	struct reader *rd;
	struct outcome *o;
	const struct input_state *st; /* the reader's: its first line */
	const char *format;
	struct split_part *parts; /* one per pool thread */
	/* The blocks in flight, in input order (a ring), under the ingest's
	 * lock. */
	struct block **fly;
	size_t head, count, max;
	struct block *cur;    /* being filled */
	struct block *spare;  /* retired, to reuse */
	unsigned long lineno; /* lines before the oldest block in flight */
	uint64_t expect_ids;  /* for the input's set, once a block settles */
	bool bad;             /* a block was bad: read the input again */
	/* The run's set, once the input's ids go into it (attach_seen);
	 * else NULL: they go into the input's own. */
	struct idset *run_ids;
	/* Its ids settled so far repeat the run's (attach_seen): it is
	 * checked, and read again, when handed over. */
	bool overlaps;
	/* The block whose counting the reader waits for, on the ingest's
	 * block_counted, under its lock; NULL: none. */
	struct block *awaited;
};

static struct block *block_get(struct split *sp)
{
	struct block *b = sp->spare;
	if (b)
		sp->spare = b->next;
	else
		b = br_calloc(1, sizeof *b);
	struct br_buf rejects = b->rejects, text = b->held_text;
	br_buf_reset(&rejects);
	br_buf_reset(&text);
	*b = (struct block){.sp = sp, .mem = b->mem, .data = b->mem,
			    .size = b->size, .cap = b->size,
			    .rejects = rejects, .held = b->held,
			    .held_cap = b->held_cap, .held_text = text,
			    .last_first = UINT32_MAX, .dups = b->dups,
			    .dups_cap = b->dups_cap};
	return b;
}

/* Makes room for n more bytes in b. */
static void block_reserve(struct block *b, size_t n)
{
	if (b->cap - b->len < n) {
		size_t cap = b->cap ? b->cap : BLOCK_SIZE + BLOCK_SIZE / 2;
		while (cap - b->len < n)
			cap *= 2;
		b->mem = br_realloc(b->mem, b->head + cap);
		b->data = b->mem + b->head;
		b->size = b->head + cap;
		b->cap = cap;
	}
}

/* Gives block b, spare, the memory mem of size bytes (its own, if any, is
 * freed). */
static void block_give(struct block *b, char *mem, size_t size)
{
	free(b->mem);
	b->mem = b->data = mem;
	b->size = b->cap = size;
	b->head = 0;
}

static void block_put(struct block *b, const char *p, size_t n)
{
	if (!n)
		return;
	block_reserve(b, n);
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

static void block_free(struct block *b)
{
	free(b->mem);
	br_buf_free(&b->rejects);
	free(b->held);
	br_buf_free(&b->held_text);
	free(b->dups);
	free(b);
}

/* Frees the blocks of list b. */
static void block_free_all(struct block *b)
{
	while (b) {
		struct block *next = b->next;
		block_free(b);
		b = next;
	}
}

void blocks_free(struct ingest *g)
{
	block_free_all(g->spare_blocks);
	g->spare_blocks = NULL;
}

/* Opens a pool thread's parser for an input, on its first line. */
static bool part_open(struct reader *rd, struct split *sp, struct split_part *pt)
{
	struct ingest *g = rd->g;
	const struct br_buf *first = &sp->st->first;
	size_t i = 0;
	while (i < first->len && is_blank(first->p + i, 1))
		i++;
	struct br_err err = {0};
	pt->parser = format_open(sp->format, first->p + i, first->len - i,
				 sp->o->name, &g->maps, NULL, &err);
	if (!pt->parser)
		return false;
	if (sp->st->first_rc == FORMAT_NONE) {
		struct br_event ev;
		const char *why;
		if (pt->parser->line(pt->parser, first->p, first->len, &ev, &why,
				     &err) != FORMAT_NONE)
			return false;
	}
	/* A context of its own for the events it counts as it parses them,
	 * merged into the input's at the end. */
	pt->input = g->sink.begin(g->sink.ctx, sp->o->name);
	return true;
}

/* Parses block b on pool thread rd into its part of the input. */
static void parse_block(struct reader *rd, struct block *b)
{
	struct split *sp = b->sp;
	struct split_part *pt = &sp->parts[rd->pool_index];
	if (!pt->parser && !pt->failed)
		pt->failed = !part_open(rd, sp, pt);
	if (pt->failed) {
		b->bad = true;
		return;
	}
	struct outcome o = {.in.name = sp->o->name, .input = pt->input};
	struct input_state st = {.rd = rd, .o = &o, .parser = pt->parser,
				 .rec = {"", 0}, .block = b};
	pt->parser->sink = (struct format_sink){&st, format_event, format_refuses,
						format_rejects_outside};
	br_buf_reset(&rd->line);
	int rc = handle_bytes(&st, b->data, b->len);
	/* Every block ends with a line end: nothing may be left pending. */
	b->bad |= rc != 0 || st.in_record || st.overlong || rd->line.len;
	br_buf_reset(&rd->line);
	b->lines = st.lineno;
	b->records = o.in.records;
	b->events = o.in.events;
	b->rejected = o.in.rejected;
	b->outside = o.in.outside;
}

/* How many held events ahead of the one settled have their place in the
 * set fetched. */
#define SETTLE_AHEAD 8

/* Fetches the places of hash h in the input's set and the run's. */
static inline void settle_prefetch(struct idset *ids, const struct idset *seen,
				   uint64_t h)
{
	if (seen)
		idset_prefetch(seen, h);
	idset_prefetch(ids, h);
}

/* In a block's turn, the input sp splits being read without the run's
 * set of request ids (the inputs before it were not all handed over when
 * it started: a log read while the one before is, ten logs of 200,000
 * records): once they are, the ids it settled so far are checked against
 * the run's set, and if none is there they join it, and so do its next
 * ids as they settle (split.run_ids; reader.seen). The input is then not
 * checked when handed over, which for a log of 200,000 ids took 20-60 ms
 * while the next one's memory grew, the input's own totals still held
 * (docs/PERFORMANCE.md, stop 38), nor merged: its own set (3.3 MB) was
 * held to its end beside the run's, which took a copy of its ids when it
 * was handed over (stop 39). If it fails or is read again, they are taken
 * out of the run's set (outcome.seen_mark). Not an archive's member: the
 * members before it are not handed over before the archive is read. */
static void attach_seen(struct split *sp)
{
	struct reader *rd = sp->rd;
	if (rd->seen || sp->overlaps || rd->held_ids || sp->o->member >= 0 ||
	    !sp->o->ids)
		return;
	struct idset *run = seen_whole(rd);
	if (!run)
		return;
	if (idset_common(sp->o->ids, run)) {
		sp->overlaps = true;
		return;
	}
	sp->o->seen_mark = idset_mark(run);
	idset_add_all(run, sp->o->ids);
	idset_free(sp->o->ids);
	sp->o->ids = NULL;
	sp->run_ids = run;
	rd->seen = run;
}

/* Settles the ids block b holds, in b's turn: every block before it has
 * settled, and no other thread settles meanwhile. An id new to the
 * input's set, to the run's when the reader has it (reader.seen) and to
 * the earlier members of the archive the input is a member of
 * (reader.held_ids, which its reader leaves alone until the input is
 * read), joins the input's; an event whose id was in any is a duplicate,
 * its record kept to count it out after the turn (uncount_dups). (Read
 * against the run's set, a member is not checked again when it is handed
 * over: its repeats of an earlier member counted.) */
static void settle_held(struct block *b)
{
	attach_seen(b->sp);
	struct split *sp = b->sp;
	/* Its ids go into its own set, checked against the run's when the
	 * reader has it, or into the run's (attach_seen). */
	struct idset *ids = sp->run_ids ? sp->run_ids : sp->o->ids;
	const struct idset *seen = sp->run_ids ? NULL : sp->rd->seen;
	const struct idset *held_ids = sp->rd->held_ids;
	if (sp->expect_ids && !sp->run_ids)
		idset_expect(ids, sp->expect_ids);
	sp->expect_ids = 0;
	/* In locals: the calls below change none of them, which gcc cannot
	 * tell (reloaded each id, ~5 instructions). */
	const struct held *held = b->held;
	size_t nheld = b->nheld;
	const char *data = b->data, *text = b->held_text.p;
	uint64_t duplicates = 0;
	for (size_t i = 0; i < nheld && i < SETTLE_AHEAD; i++)
		settle_prefetch(ids, seen, held[i].hash);
	for (size_t i = 0; i < nheld; i++) {
		if (i + SETTLE_AHEAD < nheld)
			settle_prefetch(ids, seen, held[i + SETTLE_AHEAD].hash);
		const struct held *e = &held[i];
		struct idset_key k = {(e->in_text ? text : data) + e->id_at,
				      e->id_len, e->hash, e->uuid};
		bool duplicate = (seen && idset_has(seen, &k)) ||
				 (held_ids && idset_has(held_ids, &k)) ||
				 !idset_add(ids, &k);
		if (!duplicate || e->claim)
			continue;
		duplicates++;
		if (b->ndups == b->dups_cap) {
			b->dups_cap = b->dups_cap ? 2 * b->dups_cap : 16;
			b->dups = br_realloc(b->dups, b->dups_cap * sizeof *b->dups);
		}
		b->dups[b->ndups++] = e->rec;
	}
	b->duplicates += duplicates;
	b->uncounted += duplicates;
	b->nheld = 0;
	br_buf_reset(&b->held_text);
}

/* Counts out the events of block b whose ids settled duplicates
 * (settle_held), counted as they were parsed: reads each one's record
 * again with the parser of pool thread rd's part pt of the input, which
 * parses nothing meanwhile, and counts its event into pt->minus. After
 * b's turn, on the thread that settled it: the next block's ids settle
 * meanwhile on another thread. A duplicate is rare, so its record is
 * read again rather than every event held until its id settles. */
static void uncount_dups(struct reader *rd, struct split_part *pt,
			 struct block *b)
{
	struct split *sp = b->sp;
	struct ingest *g = rd->g;
	if (!pt->minus)
		pt->minus = g->sink.begin(g->sink.ctx, sp->o->name);
	struct outcome o = {.in.name = sp->o->name, .input = pt->minus};
	for (size_t i = 0; i < b->ndups; i++) {
		const struct record_at *r = &b->dups[i];
		/* Every block ends with a line end. */
		const char *end = memchr(b->data + r->last, '\n',
					 b->len - r->last);
		struct input_state st = {.rd = rd, .o = &o, .parser = pt->parser,
					 .rec = {"", 0}, .replaying = true,
					 .replay_left = r->nth};
		pt->parser->sink = (struct format_sink){
			&st, format_event, format_refuses, format_rejects_outside};
		(void)handle_bytes(&st, b->data + r->first,
				   (size_t)(end + 1 - (b->data + r->first)));
		br_buf_reset(&rd->line);
	}
	b->ndups = 0;
}

/* The block of sp whose turn it is to settle: the oldest in flight not
 * settled yet, or NULL. Under the ingest's lock. */
static struct block *turn(const struct split *sp)
{
	for (size_t i = 0; i < sp->count; i++) {
		struct block *b = sp->fly[(sp->head + i) % sp->max];
		if (!b->settled)
			return b;
	}
	return NULL;
}

/* Whether the reader of sp, waiting for the block it awaits to be counted,
 * may go on: the oldest block in flight is counted, and so is the awaited
 * one (blocks are counted out of order: count_ready), or the pool has no
 * block queued (the oldest's retirement makes room for one more). Under
 * the ingest's lock. */
static bool reader_may_go_on(const struct split *sp)
{
	return sp->awaited && sp->fly[sp->head]->counted &&
	       (sp->awaited->counted || !sp->rd->g->queue_head);
}

/* Whom count_ready's settling and counting wakes, once the lock is let go:
 * woken under it, a thread would wait again at once for the lock. */
enum { WAKE_READER = 1, WAKE_EARLY = 2 };

static void wake_up(struct ingest *g, unsigned wake)
{
	if (wake & WAKE_READER)
		pthread_cond_broadcast(&g->block_counted);
	if (wake & WAKE_EARLY)
		pthread_cond_broadcast(&g->block_done);
}

/* On pool thread rd, which just parsed a block of sp, with the ingest's
 * lock held: settles the parsed blocks of sp whose turn has come, one
 * after the other, and counts out the duplicates of each after its turn
 * into its part of the input. A block whose turn comes later is settled
 * by the thread that settles the block before it, or by the one parsing
 * it if that ends later. Returns whom to wake (wake_up) once the lock is
 * let go. */
static unsigned count_ready(struct reader *rd, struct split *sp)
{
	struct ingest *g = sp->rd->g;
	struct split_part *pt = &sp->parts[rd->pool_index];
	struct block *b;
	unsigned wake = 0;
	while ((b = turn(sp)) && b->done && !b->settling) {
		b->settling = true;
		pthread_mutex_unlock(&g->lock);
		wake_up(g, wake);
		wake = 0;
		/* A bad block's events will not count: its input is read
		 * again. */
		if (!b->bad)
			settle_held(b);
		pthread_mutex_lock(&g->lock);
		b->settled = true;
		if (g->early_waiting)
			wake |= WAKE_EARLY;
		/* Without a parser of its own (it could not be opened: the
		 * input is read again too), a thread leaves the duplicates
		 * counted. */
		if (!b->bad && b->ndups && pt->parser) {
			pthread_mutex_unlock(&g->lock);
			wake_up(g, wake);
			wake = 0;
			uncount_dups(rd, pt, b);
			pthread_mutex_lock(&g->lock);
		} else if (b->ndups) {
			b->bad = true;
			b->ndups = 0;
		}
		__atomic_store_n(&b->counted, true, __ATOMIC_RELEASE);
		if (reader_may_go_on(sp))
			wake |= WAKE_READER;
	}
	return wake;
}

/* Waits, on the pool thread parsing block b, for b's turn; then settles
 * the ids b holds so far (their duplicates are counted out after the
 * block's turn). */
static void settle_early(struct block *b)
{
	struct ingest *g = b->sp->rd->g;
	pthread_mutex_lock(&g->lock);
	g->early_waiting++;
	while (turn(b->sp) != b)
		pthread_cond_wait(&g->block_done, &g->lock);
	g->early_waiting--;
	pthread_mutex_unlock(&g->lock);
	settle_held(b);
}

/* How much nicer than the thread that starts them the pool's threads make
 * themselves (setpriority: Linux's niceness is a thread's). A large
 * gzip's blocks come from the thread that inflates it, the pipeline's
 * slowest stage, which the scheduler gave no more of the two CPUs than
 * the two pool threads and the reader it fed, and which lagged: the 2M
 * UUIDs' JSONL.gz took 0.49-0.60 s (median 0.525; `igzip -d` alone 0.37)
 * against 0.46-0.50 (0.485) with the pool at +8, 0.45-0.54 (0.475) at
 * +12; the plain JSONL's, whose reader only reads, neither gained nor
 * lost (stop 46, docs/PERFORMANCE.md). Its weight against other
 * programs' threads is the pool's too: a batch job's parsing yields to
 * them. An unprivileged thread cannot be made less nice again: the pool
 * lives as long as its ingest. */
#define POOL_NICE 10

void *pool_thread(void *arg)
{
	struct reader *rd = arg;
	struct ingest *g = rd->g;
	errno = 0;
	int nice = getpriority(PRIO_PROCESS, (id_t)gettid());
	if (nice != -1 || errno == 0)
		(void)setpriority(PRIO_PROCESS, (id_t)gettid(), nice + POOL_NICE);
	pthread_mutex_lock(&g->lock);
	for (;;) {
		if (!g->pool_stop && !g->queue_head) {
			pthread_mutex_unlock(&g->lock);
			HANDOVER_SPIN_WHILE(
				!__atomic_load_n(&g->queue_head, __ATOMIC_RELAXED) &&
				!__atomic_load_n(&g->pool_stop, __ATOMIC_RELAXED));
			pthread_mutex_lock(&g->lock);
		}
		while (!g->pool_stop && !g->queue_head)
			pthread_cond_wait(&g->block_queued, &g->lock);
		if (!g->queue_head)
			break;
		struct block *b = g->queue_head;
		__atomic_store_n(&g->queue_head, b->next, __ATOMIC_RELAXED);
		if (!g->queue_head)
			g->queue_tail = NULL;
		bool go_on = reader_may_go_on(b->sp);
		pthread_mutex_unlock(&g->lock);
		if (go_on)
			pthread_cond_broadcast(&g->block_counted);
		parse_block(rd, b);
		pthread_mutex_lock(&g->lock);
		b->done = true;
		unsigned wake = count_ready(rd, b->sp);
		if (wake) {
			pthread_mutex_unlock(&g->lock);
			wake_up(g, wake);
			pthread_mutex_lock(&g->lock);
		}
	}
	pthread_mutex_unlock(&g->lock);
	return NULL;
}

/* Takes the oldest block in flight back, once counted: its counts and
 * rejects join the outcome, in input order. Waiting for it, waits until
 * half the blocks in flight are counted, or until the pool runs out of
 * blocks (reader_may_go_on): the reader is faster than the pool, and woken
 * at each block it would take a CPU from a pool thread as often (2,600
 * times for 680 MB); it then refills the ring at once. */
static void retire_block(struct split *sp)
{
	struct ingest *g = sp->rd->g;
	struct block *b = sp->fly[sp->head];
	pthread_mutex_lock(&g->lock);
	if (!b->counted) {
		size_t half = (sp->max + 1) / 2;
		sp->awaited = sp->fly[(sp->head + (sp->count < half ? sp->count
								     : half) - 1) %
				      sp->max];
		while (!reader_may_go_on(sp))
			pthread_cond_wait(&g->block_counted, &g->lock);
		sp->awaited = NULL;
	}
	sp->head = (sp->head + 1) % sp->max;
	sp->count--;
	pthread_mutex_unlock(&g->lock);
	__atomic_fetch_sub(&g->blocks_out, 1, __ATOMIC_RELAXED);
	struct outcome *o = sp->o;
	sp->bad |= b->bad;
	o->in.records += b->records;
	o->in.events += b->events - b->uncounted;
	o->in.rejected += b->rejected;
	o->in.outside += b->outside;
	o->in.duplicates += b->duplicates;
	uint64_t cap = rejects_cap(g);
	for (size_t at = 0; at < b->rejects.len && o->rej.kept < cap;) {
		unsigned long line;
		size_t n;
		memcpy(&line, b->rejects.p + at, sizeof line);
		memcpy(&n, b->rejects.p + at + sizeof line, sizeof n);
		at += sizeof line + sizeof n;
		br_buf_printf(&o->rej.mem, "%s:%lu: ", o->in.name, sp->lineno + line);
		br_buf_put(&o->rej.mem, b->rejects.p + at, n);
		o->rej.kept++;
		reject_flush_some(sp->rd, &o->rej);
		at += n;
	}
	sp->lineno += b->lines;
	if (b->size > 4 * BLOCK_SIZE)
		block_give(b, NULL, 0);
	if (b->held_text.cap > 4 * BLOCK_SIZE)
		br_buf_free(&b->held_text);
	b->next = sp->spare;
	sp->spare = b;
}

/* Queues block b (whole lines) for the pool, whose waiting thread is woken
 * once the lock is let go (woken under it, it would wait again at once for
 * the lock). */
static void submit_block(struct split *sp, struct block *b)
{
	struct ingest *g = sp->rd->g;
	while (sp->count == sp->max ||
	       (sp->count && (__atomic_load_n(&sp->fly[sp->head]->counted,
					      __ATOMIC_ACQUIRE) ||
			      __atomic_load_n(&g->blocks_out, __ATOMIC_RELAXED) >=
				      sp->max)))
		retire_block(sp);
	__atomic_fetch_add(&g->blocks_out, 1, __ATOMIC_RELAXED);
	sp->o->in.blocks++;
	pthread_mutex_lock(&g->lock);
	sp->fly[(sp->head + sp->count++) % sp->max] = b;
	if (g->queue_tail)
		g->queue_tail->next = b;
	else
		__atomic_store_n(&g->queue_head, b, __ATOMIC_RELAXED);
	g->queue_tail = b;
	pthread_mutex_unlock(&g->lock);
	pthread_cond_signal(&g->block_queued);
}

bool can_split(const struct input_state *st, const struct task *t,
	       uint64_t left)
{
	const struct reader *rd = st->rd;
	return left >= BLOCK_SIZE && rd->g->pool && !rd->main && t->path &&
	       rd->g->sink.begin && rd->g->sink.merge &&
	       (rd->g->opts.no_dedupe || rd->g->sink.subtract) &&
	       st->parser && st->parser->splittable &&
	       /* Its events come while their record is parsed: a duplicate's
		* record is read again to count it out (hold). */
	       st->parser->immediate &&
	       st->first_rc != FORMAT_MORE && !st->in_record && !st->overlong;
}

uint64_t ids_expected(const struct outcome *o, uint64_t left)
{
	uint64_t read = o->in.bytes;
	if (left == UINT64_MAX || !read)
		return 0;
	double ids = (double)idset_count(o->ids);
	return (uint64_t)(ids + ids * ((double)left / (double)read));
}

struct split *split_begin(struct input_state *st, uint64_t left)
{
	struct reader *rd = st->rd;
	struct split *sp = br_calloc(1, sizeof *sp);
	*sp = (struct split){.rd = rd, .o = st->o, .st = st,
			     .format = st->parser->name, .lineno = st->lineno};
	sp->parts = br_calloc(rd->g->opts.jobs, sizeof *sp->parts);
	sp->max = (size_t)rd->g->opts.jobs * BLOCKS_PER_JOB;
	sp->fly = br_calloc(sp->max, sizeof *sp->fly);
	pthread_mutex_lock(&rd->g->lock);
	sp->spare = rd->g->spare_blocks;
	rd->g->spare_blocks = NULL;
	pthread_mutex_unlock(&rd->g->lock);
	if (!rd->g->opts.no_dedupe && !st->o->ids)
		st->o->ids = idset_new();
	/* The set takes at once the ids the rest will hold at the density
	 * of the start (ids_expected: ~7% of the time of a 2M-record
	 * input). It is sized by the first block to settle, on a pool
	 * thread, while the others parse and this one reads on: making 10 MB
	 * of tables resident takes ~20 ms on the project's VM. */
	if (st->o->ids)
		sp->expect_ids = ids_expected(st->o, left);
	sp->cur = block_get(sp);
	block_put(sp->cur, rd->line.p ? rd->line.p : "", rd->line.len);
	br_buf_reset(&rd->line);
	st->line_len = 0;
	return sp;
}

/* Once the block being filled holds least bytes, cuts it after its last
 * line end and queues it; the rest starts the next block. Returns
 * false, as split_feed does, when the block holds a line past the record
 * limit without an end: the input's next bytes are then the caller's to
 * add to it. */
static bool cut_block(struct split *sp, size_t least)
{
	struct block *b = sp->cur;
	if (b->len < least)
		return true;
	/* Only bytes not searched yet: a line growing past many reads is
	 * searched once, not again at each. */
	const char *nl = memrchr(b->data + b->checked, '\n', b->len - b->checked);
	if (!nl) {
		b->checked = b->len;
		return b->len <= sp->rd->g->opts.max_record;
	}
	size_t keep = (size_t)(b->data + b->len - (nl + 1));
	sp->cur = block_get(sp);
	block_put(sp->cur, nl + 1, keep);
	sp->cur->checked = keep;
	b->len -= keep;
	submit_block(sp, b);
	return true;
}

/* Cuts the block being filled once it holds BLOCK_SIZE bytes
 * (cut_block). */
static bool split_cut(struct split *sp)
{
	return cut_block(sp, BLOCK_SIZE);
}

bool split_feed(struct split *sp, const char *p, size_t n)
{
	while (n > 0) {
		struct block *b = sp->cur;
		/* Up to BLOCK_SIZE, or on until a line longer than that ends. */
		size_t take = b->len < BLOCK_SIZE && n > BLOCK_SIZE - b->len
				      ? BLOCK_SIZE - b->len : n;
		block_put(b, p, take);
		p += take;
		n -= take;
		if (!split_cut(sp)) {
			block_put(sp->cur, p, n);
			return false;
		}
	}
	return true;
}

char *split_spare(struct split *sp)
{
	for (struct block *b = sp->spare; b; b = b->next) {
		if (b->mem && b->size == SOURCE_TAKE_SIZE) {
			char *mem = b->mem;
			b->mem = NULL; /* the caller's now: not freed */
			block_give(b, NULL, 0);
			return mem;
		}
	}
	return NULL;
}

bool split_adopt(struct split *sp, char *mem, const char *p, size_t n)
{
	struct block *b = sp->cur;
	size_t room = (size_t)(p - mem);
	/* The lines of a short read (at the end of a gzip member, or of
	 * what the decompressing thread had read of the file) are a block of
	 * their own: kept, they would not fit the room, and each read would
	 * be copied from then on. */
	if (b->len > room && cut_block(sp, 0))
		b = sp->cur;
	if (b->len > room) {
		/* A line begun before the bytes that outgrows the room before
		 * them: copied, as split_feed does. */
		bool fed = split_feed(sp, p, n);
		free(mem);
		return fed;
	}
	/* The block being filled holds the start of a line (or a short read's
	 * lines): put before the bytes, it takes them over where they are,
	 * and its memory goes to a spare block that has none (split_spare
	 * took it), to be given to the source in turn. */
	size_t head = room - b->len;
	if (b->len)
		memcpy(mem + head, b->data, b->len);
	struct block *spare = sp->spare;
	while (spare && spare->mem)
		spare = spare->next;
	if (spare)
		block_give(spare, b->mem, b->size);
	else
		free(b->mem);
	b->mem = mem;
	b->size = SOURCE_TAKE_SIZE;
	b->head = head;
	b->data = mem + head;
	b->cap = SOURCE_TAKE_SIZE - head;
	b->len += n;
	return split_cut(sp);
}

char *split_room(struct split *sp, size_t *room)
{
	struct block *b = sp->cur;
	/* Up to BLOCK_SIZE, or on by half as much while a longer line
	 * lasts. */
	*room = b->len < BLOCK_SIZE ? BLOCK_SIZE - b->len : BLOCK_SIZE / 2;
	block_reserve(b, *room);
	return b->data + b->len;
}

bool split_commit(struct split *sp, size_t n)
{
	sp->cur->len += n;
	return split_cut(sp);
}

void split_end(struct split *sp, struct input_state *st)
{
	struct reader *rd = sp->rd;
	struct ingest *g = rd->g;
	struct outcome *o = sp->o;
	struct block *b = sp->cur;
	const char *nl = b->len ? memrchr(b->data, '\n', b->len) : NULL;
	size_t keep = nl ? (size_t)(b->data + b->len - (nl + 1)) : b->len;
	st->overlong = keep > g->opts.max_record;
	/* A block nothing was put in has no data: NULL + 0 is undefined. */
	if (keep)
		br_buf_put(&rd->line, b->data + b->len - keep,
			   st->overlong && keep > 256 ? 256 : keep);
	st->line_len = keep;
	st->line_start = o->in.bytes - keep;
	b->len -= keep;
	if (b->len) {
		submit_block(sp, b);
	} else {
		b->next = sp->spare;
		sp->spare = b;
	}
	while (sp->count)
		retire_block(sp);
	st->lineno = sp->lineno;
	void *minus = NULL;
	for (unsigned i = 0; i < g->opts.jobs; i++) {
		struct split_part *pt = &sp->parts[i];
		if (pt->parser)
			pt->parser->free(pt->parser);
		if (pt->input)
			g->sink.merge(g->sink.ctx, o->input, pt->input);
		if (pt->minus && minus)
			g->sink.merge(g->sink.ctx, minus, pt->minus);
		else if (pt->minus)
			minus = pt->minus;
	}
	/* The duplicates, counted as they were parsed, counted out. */
	if (minus && !g->sink.subtract(g->sink.ctx, o->input, minus))
		sp->bad = true;
	o->redo |= sp->bad;
	/* Kept for the next input, unless another input's are (two parsed
	 * in blocks at once). */
	pthread_mutex_lock(&g->lock);
	if (!g->spare_blocks) {
		g->spare_blocks = sp->spare;
		sp->spare = NULL;
	}
	pthread_mutex_unlock(&g->lock);
	block_free_all(sp->spare);
	free(sp->fly);
	free(sp->parts);
	free(sp);
}


/* Holds a request id (its key k) of the record st reads in its block:
 * where the key is in the block's data, or else a copy of it; and where
 * the record is. Returns the held id. */
static struct held *hold(struct input_state *st, const struct idset_key *k)
{
	struct block *b = st->block;
	if (b->nheld == HOLD_EVENTS)
		settle_early(b);
	if (b->nheld == b->held_cap) {
		b->held_cap = b->held_cap ? 2 * b->held_cap : 1024;
		b->held = br_realloc(b->held, b->held_cap * sizeof *b->held);
	}
	struct held *e = &b->held[b->nheld++];
	e->hash = k->hash;
	e->claim = false;
	e->uuid = k->uuid;
	e->id_len = (uint32_t)k->n; /* <= INGEST_MAX_FIELD */
	/* Its offset in the data is beyond the length when it is before the
	 * data (unsigned, it wraps). */
	uintptr_t off = (uintptr_t)k->p - (uintptr_t)b->data;
	e->in_text = k->uuid || off > b->len || k->n > b->len - off;
	if (e->in_text) {
		e->id_at = (uint32_t)b->held_text.len;
		br_buf_put(&b->held_text, k->p, k->n);
	} else {
		e->id_at = (uint32_t)off;
	}
	/* The record: its line where the parser had it, or, gathered in
	 * rd->record (several lines, or a parser that is not immediate),
	 * from its first line's start to its last's. */
	uintptr_t at = (uintptr_t)st->rec.p - (uintptr_t)b->data;
	uint32_t first, last;
	if (at < b->len) {
		/* From the line's start, before the BOM handle_line dropped
		 * (a line's start follows a line end, the block's start or
		 * that BOM): read again from after it, a line that began
		 * with two lost its second too, and a CSV row its first
		 * field's bytes (a model counted out of another row). */
		if (at >= 3 && memcmp(b->data + at - 3, "\xEF\xBB\xBF", 3) == 0)
			at -= 3;
		first = last = (uint32_t)at;
	} else {
		first = (uint32_t)st->record_off;
		last = (uint32_t)st->line_off;
	}
	b->last_count = first == b->last_first ? b->last_count + 1 : 1;
	b->last_first = first;
	e->rec = (struct record_at){first, last, b->last_count - 1};
	return e;
}

void block_hold(struct input_state *st, const struct idset_key *k)
{
	hold(st, k);
}

void block_claim(struct input_state *st, const struct idset_key *k)
{
	hold(st, k)->claim = true;
}

void block_keep_reject(struct block *b, uint64_t cap, unsigned long line,
		       const char *reason, const char *rec, size_t len)
{
	if (b->kept_rejects >= cap)
		return;
	b->kept_rejects++;
	struct br_buf *r = &b->rejects;
	size_t at = r->len, n = 0;
	br_buf_put(r, &line, sizeof line);
	br_buf_put(r, &n, sizeof n);
	put_reject(r, reason, rec, len);
	n = r->len - at - sizeof line - sizeof n;
	memcpy(r->p + at + sizeof line, &n, sizeof n);
}

void block_spoil(struct block *b)
{
	b->bad = true;
}
