/* blocks.c - one large input parsed in blocks on a pool of threads.
 *
 * The thread reading an input in a splittable format (generic JSONL and
 * CSV, the CSV exports) cuts it at line ends into blocks; the pool threads
 * parse them, each with a parser of its own opened on the input's first
 * line and a part of its own of the input (a sink context, merged into the
 * input's at the end). The request ids of every block go into the input's
 * one set. The reader takes the blocks' counts and rejected records back
 * in input order. What could tie a line to another block is checked, not
 * assumed, so that the outcome is always that of a serial read.
 *
 * A request id already added by another block is settled among the blocks
 * in flight: the earlier block's record is the one that counts. When the
 * later block added it first, its record must not count; so each block
 * holds the events of its first records (HOLD_EVENTS) until every block
 * before it is parsed, and an earlier block may mark one of them taken.
 * A later block that already counted its record, or a block that ends
 * inside a record (a quoted CSV newline at a cut), makes the input be
 * read again on one thread. */
#include <stdlib.h>
#include <string.h>

#include "ingest/driver.h"

/* Blocks hold about this many bytes (whole lines); at most BLOCKS_PER_JOB
 * per pool thread are in flight, for one input or all together (though
 * each input may always have one). */
#define BLOCK_SIZE ((size_t)512 << 10)
#define BLOCKS_PER_JOB 2
/* Events held by each block: retries next to each other in a log, split
 * by a cut, are settled without reading the input again. */
#define HOLD_EVENTS 256

/* An event of a block's first records, kept until every earlier block
 * is parsed. */
struct held {
	struct br_event ev; /* its names point nowhere: they are at text */
	size_t text;        /* in the block's held_text, one after another */
	bool taken;         /* an earlier block has the request's first
			     * record: it counts as a duplicate */
};

/* The names of a held event, in their order in held_text. */
#define HELD_NAMES 5
static void held_names(struct held *e, struct br_str *names[HELD_NAMES])
{
	names[0] = &e->ev.provider;
	names[1] = &e->ev.model;
	names[2] = &e->ev.agent;
	names[3] = &e->ev.label;
	names[4] = &e->ev.request_id;
}

/* A request id a block keeps: where its bytes are, and what became of
 * its record. */
struct id_entry {
	uint32_t tag;  /* bits 32-63 of its hash */
	uint32_t len;  /* its length, | ID_SIDE when its bytes are in the
			* table's side buffer, not the block's data; 0: an
			* empty slot */
	uint32_t at;   /* where its bytes start, in one or the other */
	uint32_t held; /* 0: its event was counted; ID_DUPLICATE: its record
			* is a duplicate; else 1 + its index in the block's
			* held events */
};
#define ID_SIDE (UINT32_C(1) << 31)
#define ID_DUPLICATE UINT32_MAX

/* A block's request ids of one stripe of the input's set (idset_stripe),
 * by the tag of their hash (open addressing: a power of two of slots, at
 * most 3/4 used). Written by the block's thread and read by those
 * settling an id of the stripe, both under the stripe's lock; reset and
 * freed by the reader while the block is not in flight. */
struct id_table {
	struct id_entry *slots;
	size_t cap, count;
	/* The bytes of ids that are not in the block's data as they are
	 * (quoted CSV fields, JSON strings with escapes). */
	struct br_buf side;
};

/* Whole lines of an input, parsed on a pool thread. */
struct block {
	struct split *sp;
	char *data;
	size_t len, cap;
	size_t checked;      /* data[0..checked) holds no line end */
	struct block *next;  /* in the pool's queue, or spare */
	unsigned long seq;   /* its place in the input's blocks */
	/* Set by pool threads under the ingest's lock. */
	bool done;           /* parsed */
	bool counting;       /* its held events are being counted */
	bool counted;        /* ... and were: it may be taken back */
	/* Set by the thread parsing it; events and duplicates then grow by
	 * its held events, on the thread counting them. */
	bool bad;            /* the lines were not independent records */
	unsigned long lines;
	uint64_t records, events, rejected, duplicates;
	/* Its rejected records, each a line number from the block's start
	 * (unsigned long), a length (size_t) and "REASON: RECORD\n". */
	struct br_buf rejects;
	/* The request ids of its records, by stripe of the set. */
	struct id_table ids[IDSET_STRIPES];
	/* The events of its first records (HOLD_EVENTS slots, nheld used);
	 * the stripe lock of an event's id guards its taken. */
	struct held *held;
	size_t nheld;
	struct br_buf held_text;
};

/* What one pool thread gathered of an input split into blocks. */
struct split_part {
	struct format_parser *parser;
	void *input;          /* the sink's context */
	bool failed;          /* its parser could not be opened */
};

/* An input being split into blocks, on the thread reading it. */
struct split {
	struct reader *rd;
	struct outcome *o;
	const struct input_state *st; /* the reader's: its first line */
	const char *format;
	struct split_part *parts; /* one per pool thread */
	/* The blocks in flight, in input order (a ring): fly, head and count
	 * change under both the ingest's lock and this spin lock, which
	 * settling an id (claim) holds. */
	int lock;
	struct block **fly;
	size_t head, count, max;
	struct block *cur;    /* being filled */
	struct block *spare;  /* retired, to reuse */
	unsigned long seq;    /* blocks submitted */
	unsigned long lineno; /* lines before the oldest block in flight */
	bool bad;             /* a block was bad: read the input again */
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
	struct id_table ids[IDSET_STRIPES];
	for (size_t i = 0; i < IDSET_STRIPES; i++) {
		ids[i] = b->ids[i];
		br_buf_reset(&ids[i].side);
		if (ids[i].count)
			memset(ids[i].slots, 0, ids[i].cap * sizeof *ids[i].slots);
		ids[i].count = 0;
	}
	*b = (struct block){.sp = sp, .data = b->data, .cap = b->cap,
			    .rejects = rejects, .held = b->held,
			    .held_text = text};
	memcpy(b->ids, ids, sizeof ids);
	return b;
}

/* Makes room for n more bytes in b. */
static void block_reserve(struct block *b, size_t n)
{
	if (b->cap - b->len < n) {
		size_t cap = b->cap ? b->cap : BLOCK_SIZE + BLOCK_SIZE / 2;
		while (cap - b->len < n)
			cap *= 2;
		b->data = br_realloc(b->data, cap);
		b->cap = cap;
	}
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
	free(b->data);
	br_buf_free(&b->rejects);
	for (size_t i = 0; i < IDSET_STRIPES; i++) {
		br_buf_free(&b->ids[i].side);
		free(b->ids[i].slots);
	}
	free(b->held);
	br_buf_free(&b->held_text);
	free(b);
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
				 sp->o->name, &g->maps, &err);
	if (!pt->parser)
		return false;
	if (sp->st->first_rc == FORMAT_NONE) {
		struct br_event ev;
		const char *why;
		if (pt->parser->line(pt->parser, first->p, first->len, &ev, &why,
				     &err) != FORMAT_NONE)
			return false;
	}
	/* The first pool thread adds to the input's own context, which its
	 * reader leaves alone until the blocks are done; the others to
	 * contexts of their own, merged into it at the end. */
	pt->input = pt == &sp->parts[0] ? sp->o->input
					 : g->sink.begin(g->sink.ctx, sp->o->name);
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
	struct outcome o = {.in.name = sp->o->name, .input = pt->input,
			    .ids = sp->o->ids};
	struct input_state st = {.rd = rd, .o = &o, .parser = pt->parser,
				 .rec = {"", 0}, .block = b};
	pt->parser->sink = (struct format_sink){&st, format_event, format_refuses};
	br_buf_reset(&rd->line);
	int rc = handle_bytes(&st, b->data, b->len);
	/* Every block ends with a line end: nothing may be left pending. */
	b->bad |= rc != 0 || st.in_record || st.overlong || rd->line.len;
	br_buf_reset(&rd->line);
	b->lines = st.lineno;
	b->records = o.in.records;
	b->events = o.in.events;
	b->rejected = o.in.rejected;
	b->duplicates = o.in.duplicates;
}

/* Counts the events block b held, none of which an earlier block can
 * take any more: the others go to pool thread rd's part of the input. */
static void count_held(struct reader *rd, struct block *b)
{
	struct ingest *g = rd->g;
	void *input = b->sp->parts[rd->pool_index].input;
	for (size_t i = 0; i < b->nheld; i++) {
		struct held *e = &b->held[i];
		if (e->taken) {
			b->duplicates++;
			continue;
		}
		b->events++;
		if (!g->sink.event)
			continue;
		const char *p = b->held_text.p + e->text;
		struct br_str *names[HELD_NAMES];
		held_names(e, names);
		for (size_t k = 0; k < HELD_NAMES; k++) {
			names[k]->p = p;
			p += names[k]->n;
		}
		g->sink.event(input, &e->ev);
	}
}

/* On pool thread rd, which just parsed a block of sp (so its part of the
 * input is open, unless opening it failed), with the ingest's lock held:
 * counts the held events of every parsed block of sp whose earlier blocks
 * are all parsed. */
static void count_ready(struct reader *rd, struct split *sp)
{
	struct ingest *g = rd->g;
	for (size_t i = 0; i < sp->count; i++) {
		struct block *b = sp->fly[(sp->head + i) % sp->max];
		if (!b->done)
			break;
		if (b->counting)
			continue;
		b->counting = true;
		/* A bad block's events will not count: its input is read
		 * again. So when rd's part failed to open: the block rd
		 * parsed is bad. */
		if (!b->bad && !sp->parts[rd->pool_index].failed) {
			pthread_mutex_unlock(&g->lock);
			count_held(rd, b);
			pthread_mutex_lock(&g->lock);
		}
		__atomic_store_n(&b->counted, true, __ATOMIC_RELEASE);
		pthread_cond_broadcast(&g->block_done);
		/* The reader may have taken blocks back meanwhile. */
		i = (size_t)-1;
	}
}

void *pool_thread(void *arg)
{
	struct reader *rd = arg;
	struct ingest *g = rd->g;
	pthread_mutex_lock(&g->lock);
	for (;;) {
		while (!g->pool_stop && !g->queue_head)
			pthread_cond_wait(&g->block_queued, &g->lock);
		if (!g->queue_head)
			break;
		struct block *b = g->queue_head;
		g->queue_head = b->next;
		if (!g->queue_head)
			g->queue_tail = NULL;
		pthread_mutex_unlock(&g->lock);
		parse_block(rd, b);
		pthread_mutex_lock(&g->lock);
		b->done = true;
		count_ready(rd, b->sp);
	}
	pthread_mutex_unlock(&g->lock);
	return NULL;
}

/* Takes the oldest block in flight back, once parsed: its counts and
 * rejects join the outcome, in input order. */
static void retire_block(struct split *sp)
{
	struct ingest *g = sp->rd->g;
	struct block *b = sp->fly[sp->head];
	pthread_mutex_lock(&g->lock);
	while (!b->counted)
		pthread_cond_wait(&g->block_done, &g->lock);
	spin_lock(&sp->lock);
	sp->head = (sp->head + 1) % sp->max;
	sp->count--;
	spin_unlock(&sp->lock);
	pthread_mutex_unlock(&g->lock);
	__atomic_fetch_sub(&g->blocks_out, 1, __ATOMIC_RELAXED);
	struct outcome *o = sp->o;
	sp->bad |= b->bad;
	o->in.records += b->records;
	o->in.events += b->events;
	o->in.rejected += b->rejected;
	o->in.duplicates += b->duplicates;
	for (size_t at = 0; at < b->rejects.len;) {
		unsigned long line;
		size_t n;
		memcpy(&line, b->rejects.p + at, sizeof line);
		memcpy(&n, b->rejects.p + at + sizeof line, sizeof n);
		at += sizeof line + sizeof n;
		br_buf_printf(&o->rej.mem, "%s:%lu: ", o->in.name, sp->lineno + line);
		br_buf_put(&o->rej.mem, b->rejects.p + at, n);
		reject_flush_some(sp->rd, &o->rej);
		at += n;
	}
	sp->lineno += b->lines;
	if (b->cap > 4 * BLOCK_SIZE) {
		free(b->data);
		b->data = NULL;
		b->cap = 0;
	}
	if (b->held_text.cap > 4 * BLOCK_SIZE)
		br_buf_free(&b->held_text);
	for (size_t i = 0; i < IDSET_STRIPES; i++) {
		struct id_table *t = &b->ids[i];
		if (t->cap * sizeof *t->slots > BLOCK_SIZE / IDSET_STRIPES) {
			free(t->slots);
			t->slots = NULL;
			t->cap = t->count = 0;
		}
		if (t->side.cap > BLOCK_SIZE / IDSET_STRIPES)
			br_buf_free(&t->side);
	}
	b->next = sp->spare;
	sp->spare = b;
}

/* Queues block b (whole lines) for the pool. */
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
	b->seq = sp->seq++;
	spin_lock(&sp->lock);
	sp->fly[(sp->head + sp->count++) % sp->max] = b;
	spin_unlock(&sp->lock);
	if (g->queue_tail)
		g->queue_tail->next = b;
	else
		g->queue_head = b;
	g->queue_tail = b;
	pthread_cond_signal(&g->block_queued);
	pthread_mutex_unlock(&g->lock);
}

bool can_split(const struct input_state *st, const struct task *t)
{
	const struct reader *rd = st->rd;
	return rd->g->pool && !rd->main && t->path && rd->g->sink.begin &&
	       rd->g->sink.merge &&
	       st->parser && st->parser->splittable &&
	       st->first_rc != FORMAT_MORE && !st->in_record && !st->overlong;
}

struct split *split_begin(struct input_state *st)
{
	struct reader *rd = st->rd;
	struct split *sp = br_calloc(1, sizeof *sp);
	*sp = (struct split){.rd = rd, .o = st->o, .st = st,
			     .format = st->parser->name, .lineno = st->lineno};
	sp->parts = br_calloc(rd->g->opts.jobs, sizeof *sp->parts);
	sp->max = (size_t)rd->g->opts.jobs * BLOCKS_PER_JOB;
	sp->fly = br_calloc(sp->max, sizeof *sp->fly);
	if (!rd->g->opts.no_dedupe && !st->o->ids)
		st->o->ids = idset_new();
	sp->cur = block_get(sp);
	block_put(sp->cur, rd->line.p ? rd->line.p : "", rd->line.len);
	br_buf_reset(&rd->line);
	st->line_len = 0;
	return sp;
}

/* Once the block being filled holds BLOCK_SIZE bytes, cuts it after its
 * last line end and queues it; the rest starts the next block. Returns
 * false, as split_feed does, when the block holds a line past the record
 * limit without an end: the input's next bytes are then the caller's to
 * add to it. */
static bool split_cut(struct split *sp)
{
	struct block *b = sp->cur;
	if (b->len < BLOCK_SIZE)
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
	br_buf_put(&rd->line, b->data + b->len - keep,
		   st->overlong && keep > 256 ? 256 : keep);
	st->line_len = keep;
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
	for (unsigned i = 0; i < g->opts.jobs; i++) {
		struct split_part *pt = &sp->parts[i];
		if (pt->parser)
			pt->parser->free(pt->parser);
		if (pt->input && pt->input != o->input)
			g->sink.merge(g->sink.ctx, o->input, pt->input);
	}
	o->redo |= sp->bad;
	while (sp->spare) {
		b = sp->spare;
		sp->spare = b->next;
		block_free(b);
	}
	free(sp->fly);
	free(sp->parts);
	free(sp);
}


/* The bytes of the id of entry e of b's table t. */
static const char *id_bytes(const struct block *b, const struct id_table *t,
			    const struct id_entry *e)
{
	return (e->len & ID_SIDE ? t->side.p : b->data) + e->at;
}

/* The slot of b's table t that holds the id (h, id, n), or the empty slot
 * where it would go; t->cap must not be 0. */
static struct id_entry *id_slot(const struct block *b,
				const struct id_table *t, uint64_t h,
				const char *id, size_t n)
{
	size_t mask = t->cap - 1;
	uint32_t tag = (uint32_t)(h >> 32);
	for (size_t i = tag & mask;; i = (i + 1) & mask) {
		struct id_entry *e = &t->slots[i];
		if (!e->len ||
		    (e->tag == tag && (e->len & ~ID_SIDE) == n &&
		     memcmp(id_bytes(b, t, e), id, n) == 0))
			return e;
	}
}

/* b's entry of the id (h, id, n), or NULL. Under the id's stripe lock,
 * unless on b's own thread. */
static const struct id_entry *id_find(const struct block *b, uint64_t h,
				      const char *id, size_t n)
{
	const struct id_table *t = &b->ids[idset_stripe(h)];
	const struct id_entry *e = t->count ? id_slot(b, t, h, id, n) : NULL;
	return e && e->len ? e : NULL;
}

/* Keeps the id (h, id, n) in b's table of its stripe; held as in struct
 * id_entry. On b's own thread, under the id's stripe lock. */
static void block_id_keep(struct block *b, uint64_t h, const char *id,
			  size_t n, uint32_t held)
{
	struct id_table *t = &b->ids[idset_stripe(h)];
	if (4 * (t->count + 1) > 3 * t->cap) {
		struct id_entry *old = t->slots;
		size_t old_cap = t->cap;
		t->cap = old_cap ? 2 * old_cap : 64;
		t->slots = br_calloc(t->cap, sizeof *t->slots);
		for (size_t i = 0; i < old_cap; i++) {
			if (!old[i].len)
				continue;
			size_t j = old[i].tag & (t->cap - 1);
			while (t->slots[j].len)
				j = (j + 1) & (t->cap - 1);
			t->slots[j] = old[i];
		}
		free(old);
	}
	/* In place when the id is part of b's data, as it mostly is. */
	uint32_t len = (uint32_t)n;
	size_t at;
	uintptr_t data = (uintptr_t)b->data;
	if ((uintptr_t)id >= data && (uintptr_t)id < data + b->len) {
		at = (uintptr_t)id - data;
	} else {
		at = t->side.len;
		br_buf_put(&t->side, id, n);
		len |= ID_SIDE;
	}
	if (at > UINT32_MAX - n) {
		b->bad = true; /* 4 GiB of block: read the input again */
		return;
	}
	*id_slot(b, t, h, id, n) = (struct id_entry){(uint32_t)(h >> 32), len,
						     (uint32_t)at, held};
	t->count++;
}

/* Settles a request id that block b found in the input's set but not
 * among its own, under the id's stripe lock (which keeps every block's
 * table of the stripe still): returns true when b's record is the first;
 * b keeps the id (held as in block_id_keep, or ID_DUPLICATE), and is bad
 * when the other copy was counted already. The other copy is in a block
 * in flight, or came earlier: in a block already taken back, or read
 * before the blocks (the input's first lines, or between two runs of
 * blocks). A block in flight may hold the id with its event taken:
 * another block came earlier still, and holds it too unless it was taken
 * back. */
static bool claim(struct block *b, uint64_t h, const char *id, size_t n,
		  uint32_t held)
{
	struct split *sp = b->sp;
	bool first = false;
	spin_lock(&sp->lock); /* the blocks in flight stay */
	for (size_t i = 0; i < sp->count; i++) {
		struct block *o = sp->fly[(sp->head + i) % sp->max];
		if (o == b)
			continue;
		const struct id_entry *found = id_find(o, h, id, n);
		uint32_t held_by_o = found ? found->held : ID_DUPLICATE;
		/* o counts its copy, or holds it and no block took it. */
		bool has = held_by_o != ID_DUPLICATE &&
			   !(held_by_o && o->held[held_by_o - 1].taken);
		if (has && o->seq > b->seq) {
			first = true;
			if (held_by_o)
				o->held[held_by_o - 1].taken = true;
			else
				b->bad = true; /* o counted it: read again */
		}
		if (has)
			break;
	}
	spin_unlock(&sp->lock);
	/* A duplicate too: the next copy in b is one without settling. */
	block_id_keep(b, h, id, n, first ? held : ID_DUPLICATE);
	return first;
}

/* Stages ev in b's next held slot; 0 when b holds no more, else 1 + its
 * index. */
static uint32_t stage_held(struct block *b, const struct br_event *ev)
{
	if (b->nheld == HOLD_EVENTS)
		return 0;
	if (!b->held)
		b->held = br_malloc(HOLD_EVENTS * sizeof *b->held);
	struct held *e = &b->held[b->nheld];
	e->ev = *ev;
	e->text = b->held_text.len;
	e->taken = false;
	struct br_str *names[HELD_NAMES];
	held_names(e, names);
	size_t n = 0;
	for (size_t k = 0; k < HELD_NAMES; k++)
		n += names[k]->n;
	char *p = br_buf_append(&b->held_text, n);
	for (size_t k = 0; k < HELD_NAMES; k++) {
		memcpy(p, names[k]->p, names[k]->n);
		p += names[k]->n;
	}
	return (uint32_t)b->nheld + 1;
}

enum block_verdict block_admit(struct block *b, struct idset *ids,
			       const struct br_event *ev, uint64_t h)
{
	/* A bad block is thrown away with its input's count: the input will
	 * be read again, from a new set. */
	if (b->bad)
		return BLOCK_DUPLICATE;
	const char *id = ev->request_id.p;
	size_t n = ev->request_id.n;
	uint32_t held = stage_held(b, ev);
	/* The id joins b's table before the stripe is unlocked: a block that
	 * then finds it in the set finds it in b's table too. */
	idset_lock(ids, h);
	bool first = idset_add(ids, id, n, h);
	if (first)
		block_id_keep(b, h, id, n, held);
	else if (!id_find(b, h, id, n))
		first = claim(b, h, id, n, held);
	idset_unlock(ids, h);
	if (!first) {
		if (held) { /* unstaged */
			b->held_text.len = b->held[held - 1].text;
			b->held_text.p[b->held_text.len] = 0;
		}
		return BLOCK_DUPLICATE;
	}
	if (!held)
		return BLOCK_COUNTED;
	b->nheld++;
	return BLOCK_HELD;
}

void block_prefetch(const struct block *b, uint64_t h)
{
	const struct id_table *t = &b->ids[idset_stripe(h)];
	if (t->cap)
		__builtin_prefetch(&t->slots[(h >> 32) & (t->cap - 1)], 1);
}

void block_keep_reject(struct block *b, unsigned long line,
		       const char *reason, const char *rec, size_t len)
{
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
