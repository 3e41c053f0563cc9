/* driver.h - the state of the ingest driver, shared by ingest.c (paths,
 * inputs, the --jobs workers, the hand-over in input order) and blocks.c
 * (one large input split into blocks parsed on a pool of threads). Not
 * part of the stage's public API. */
#ifndef BURNRATE_INGEST_DRIVER_H
#define BURNRATE_INGEST_DRIVER_H

#include <pthread.h>

#include "ingest/ingest_internal.h"

struct block;
struct split;

/* Rejected records of an input read on a worker, kept until it is handed
 * over. */
struct rejects {
	struct br_buf mem;
	FILE *spill;
	uint64_t kept; /* records written to mem or spill */
};

/* One input read: what the sink is handed for it, in input order. */
struct outcome {
	struct ingest_input in;
	char *name, *key;    /* owned: in.name, in.key */
	void *input;         /* the sink's context for it */
	bool ok;
	bool unreadable;     /* it failed reading its bytes (I/O, a corrupt or
			      * truncated container, a decompression bomb),
			      * not parsing them */
	/* Beside ok, in the room before err: after member, seen_mark made
	 * the struct 1,312 bytes, a larger size of malloc's, and the ten
	 * logs' peak with --jobs 1 1.4 MB higher (docs/PERFORMANCE.md,
	 * stop 39). */
	bool deduped;        /* read knowing every earlier input's ids */
	bool redo;           /* parsed in blocks that turned out not to be
			      * independent: it must be read again */
	bool copies;         /* its ids hold Claude Code messages' keys
			      * (claim_copy) */
	struct br_err err;   /* why it failed */
	struct idset *ids;   /* request ids first seen in it; NULL: none */
	uint64_t raw_bytes;  /* bytes of a file read, compressed when it is
			      * (to read it again as far) */
	long member;         /* an archive member: its index among them */
	/* Its ids went into the run's set as it was read (attach_seen), not
	 * into ids: the run's before them, what they are taken out back to
	 * when it fails or is read again (hand_over); else NULL. */
	struct idset_mark *seen_mark;
	/* The fingerprint of a file's bytes to its last line end, and where
	 * that is: what a read of it in blocks and one read again whole
	 * have in common when the second took its last line (a CSV record
	 * ended there, which the blocks could not tell) or waited from an
	 * earlier one (a record still open) and the first did not. */
	struct br_fp lines_fp;
	uint64_t lines_end;
	bool plain;          /* a plain file's, its head recorded (in.head) */
	/* A plain file's heads as far as each of its ingest_short_ends,
	 * short_len: those of an input before it in the run that took fewer
	 * than two of its lines (run_continued). */
	uint32_t short_head[INGEST_SHORT_ENDS];
	size_t short_len[INGEST_SHORT_ENDS], nshort;
	struct rejects rej;
};

/* An input handed over in this run, whose content a later plain file of
 * the run may continue (run_continued): chained by head, newest first. */
struct run_read {
	struct ingest_known k;
	long next;           /* the one before of its head; -1: none */
};

/* A file (one input, or an archive of several) or standard input, queued
 * to be read. */
struct task {
	char *path;
	char *key;           /* a file's canonical path, or NULL */
	bool known;          /* the sink knew key: read from known.bytes on */
	struct ingest_known k;
	/* zcheck: a compressed stream that may continue what was ingested
	 * of its path or of a plain log of its directory (plan_resume): the
	 * nzc candidates zc, whose lengths and fingerprints the thread
	 * reading it compares with its decompressed bytes in one pass
	 * (read_task); zresume: they begin with k's (the longest candidate
	 * they begin with), which are skipped in the stream, as a grown plain
	 * file's are in the file. */
	bool zcheck, zresume;
	struct ingest_known *zc;
	size_t nzc;
	/* zhead: the path's last input (zown) began with the first two
	 * lines its decompressed bytes begin with: the same log, which,
	 * when they do not begin with all of zown's and are as long, was
	 * edited in place and is refused, as a plain file is (read whole,
	 * it would count its ingested part twice). */
	bool zhead;
	struct ingest_known zown;
	/* A plain file shorter than what its path's last input took, that
	 * begins as that did (by ingest_head): the same log edited in
	 * place (a line deleted), refused; 0: none. A rotated or truncated
	 * log begins with other lines. */
	uint64_t shrunk_from;
	uint64_t disk_size;  /* 0: not a regular file */
	/* An input read again (read_again): its file's disk_size, which
	 * its progress is estimated from; else 0. */
	uint64_t again_size;
	uint64_t content_left; /* its bytes to read, or a gzip file's that
				* its trailer tells (task_content); 0: not
				* known (ingest.content_left) */
	/* The errno of a read of the file that failed while where to read it
	 * from was decided (plan_resume), or 0: read_task fails the input
	 * with it, counting nothing of it. */
	int read_errno;
	struct outcome **out;
	size_t nout, cap;
	char *warning;       /* for the sink's warning() (note() when walked),
			      * or NULL */
	char *note;          /* for the sink's note(), one a line, or NULL */
	bool done;
	bool walked;         /* found by a directory walk, not named */
	/* Read alone (ingest.solo counts it) until it is known not to be
	 * parsed in blocks: a second large input read beside one that is
	 * would hold its own request ids and totals (a directory of large
	 * logs took 20 MB more than one log of them all) on cores the
	 * blocks keep busy. */
	bool solo;
	bool large;          /* SOLO_BYTES or more to read: solo at first */
	/* Progress of reading it (atomics, read by the caller's thread). */
	uint64_t bytes, records, disk_pos;
};

/* What one thread needs to read inputs. */
struct reader {
	struct ingest *g;
	struct br_pricer *pricer;
	struct format_cache *formats; /* kept from input to input */
	char *scratch;
	struct br_buf line;   /* a line split across reads */
	struct br_buf record; /* the raw text of the record being read */
	/* The caller's thread: dedupes against every input handed over and
	 * writes rejects directly (a worker keeps them with the outcome). */
	bool main;
	bool at_once;         /* hands each outcome over as soon as read */
	/* The caller's thread, reading an archive: the request ids of its
	 * members read so far, held back with them (NULL: none). */
	struct idset *held_ids;
	/* A worker: the run's set of request ids while it holds those of
	 * every input before the task being read, which it does until that
	 * task is handed over; NULL when it does not. Set when the task
	 * starts (worker), or by the pool thread settling one of its blocks
	 * once those inputs are handed over (settle_held); read by this
	 * thread and the pool's settling the task's blocks, which may then
	 * add the task's ids to it (attach_seen). */
	const struct idset *seen;
	struct task *task;    /* the task being read */
	size_t task_index;    /* a worker: the task's index in ingest.tasks */
	uint64_t reported;    /* bytes at the last progress report */
	unsigned pool_index;  /* a pool thread: its index */
};

struct ingest {
	struct ingest_opts opts;
	struct ingest_sink sink;
	struct ingest_stats stats;
	struct format_maps maps;
	struct idset *seen;   /* request ids of the inputs handed over */
	/* What seen is sized from (size_seen): the content bytes of the
	 * inputs whose ids it holds; those known to be left to read of the
	 * files queued and not handed over (task.content_left); the ids it
	 * was last sized for. */
	uint64_t seen_bytes, content_left, seen_room;
	/* An input read on a worker had ids of inputs before it (atomic):
	 * large inputs then wait to be read against seen (seen_stable). */
	bool overlapping;
	struct br_err failure; /* the first input that failed */
	/* The inputs handed over with a head (run_read), and by head (as 4
	 * bytes): run_heads's id i is that of the newest, run_last[i]. */
	struct run_read *run_reads;
	size_t nrun_reads, run_reads_cap;
	struct br_dict *run_heads;
	long *run_last;
	struct reader main;
	/* Progress of the tasks handed over: inputs, and their bytes on
	 * disk (what decompressed bytes are estimated from). */
	uint64_t inputs_done, inputs_total, disk_done;
	bool size_unknown;
	/* --jobs: the workers and the queue of tasks. tasks[consumed..next)
	 * are being read or waiting to be handed over; [next..ntasks) wait
	 * to be read. */
	pthread_mutex_t lock;
	pthread_cond_t work, done;
	pthread_t *threads;
	struct reader *workers;
	unsigned nworkers;
	struct task **tasks;
	size_t ntasks, cap, next, consumed;
	bool stop;
	/* Large inputs being read that may be parsed in blocks on the pool
	 * (task.solo): while one is, no worker starts another input. */
	unsigned solo;
	/* The pool parsing blocks of large inputs (--jobs > 1): its threads,
	 * their readers, and the queue of blocks waiting, oldest first. */
	pthread_cond_t block_queued, block_done;
	unsigned early_waiting; /* threads waiting on block_done */
	/* A reader waits on it for the block it awaits to be counted
	 * (split.awaited). */
	pthread_cond_t block_counted;
	pthread_t *pool_threads;
	struct reader *pool;
	/* queue_head and pool_stop are changed under lock and read without
	 * it too (HANDOVER_SPIN_WHILE), with __atomic loads and stores. */
	struct block *queue_head, *queue_tail;
	unsigned blocks_out; /* atomic: blocks in flight, all inputs */
	/* The blocks of the last input parsed in blocks, kept for the next
	 * one, under lock (split_begin, split_end; freed by blocks_free): a
	 * month of daily logs allocated and first touched them anew for
	 * each, ~1,000 page faults a log. */
	struct block *spare_blocks;
	bool pool_stop;      /* set once the workers are gone */
};

/* The state of one input being read. */
struct input_state {
	struct reader *rd;
	struct outcome *o;
	struct format_parser *parser;
	unsigned long lineno, record_line;
	bool in_record;    /* the parser is inside a multi-line record */
	/* Offsets in the input's bytes, for a record left open at the end
	 * of a log being written, which waits whole for the next run: of
	 * the bytes handle_bytes is given (base, at chunk), of the line
	 * handed to the parser (line_off), of the line being gathered
	 * across chunks (line_start) and of the record's first line. */
	uint64_t base, line_off, line_start, record_off;
	const char *chunk;
	bool overlong;     /* the current line exceeded max_record */
	uint64_t line_len; /* length of the current line so far */
	struct br_str rec; /* the text of the record being read: the line
			    * itself, or rd->record when it was copied */
	char reason[128];  /* a reject reason of the driver's own */
	/* The input's first record line and what the parser made of it
	 * (FORMAT_NONE: a CSV header): what the parser of a block is opened
	 * on. */
	struct br_buf first;
	int first_rc;
	/* Lines format detection could not tell so far, why it could not
	 * tell the first, and whether that one was a lone "{" (pretty-printed
	 * JSON). */
	int undetected;
	struct br_err undetected_why;
	bool undetected_brace;
	/* Parsing a block on a pool thread: line numbers count from the
	 * block's start and rejects are kept with the block. */
	struct block *block;
	/* Replaying a record of a block whose event settled a duplicate
	 * (blocks.c, uncount): nothing is counted, rejected or claimed but
	 * the event of the record that replay_left counts down to among
	 * those whose request ids were held or claimed, which goes to the
	 * sink (into o's input). */
	bool replaying;
	unsigned replay_left;
};

/* ---------------------------------------------------- ingest.c, records */

/* Splits a chunk of decompressed bytes of the input st reads into lines
 * and handles them. Returns -1 when the input fails. */
int handle_bytes(struct input_state *st, const char *p, size_t n);

/* The sink of an input's format: events it makes itself (ctx: the
 * input_state), and the reason it would refuse one (format_sink). */
void format_event(void *ctx, struct br_event *ev);
const char *format_refuses(void *ctx, struct br_event *ev);
bool format_rejects_outside(void *ctx, const struct br_event *ev);

/* Tells whether s[0..n) holds only blanks (spaces, tabs, CR, FF, VT). */
bool is_blank(const char *s, size_t n);

/* Appends "REASON: RECORD\n" to b, the record's newlines escaped. */
void put_reject(struct br_buf *b, const char *reason, const char *rec,
		size_t len);

/* Moves rejects gathered in memory to the rejects stream on the caller's
 * thread, else to a temporary file once they pass a size. */
void reject_flush_some(struct reader *rd, struct rejects *r);

/* The run's set of request ids when it holds those of every input before
 * the task worker rd reads (all handed over), and any; else NULL. It then
 * holds them until that task is handed over, and no other thread changes
 * it: the task's reader, in its blocks' turns, may add its ids to it
 * (outcome.seen_mark). Takes the ingest's lock. */
struct idset *seen_whole(struct reader *rd);

/* ----------------------------------------------------- blocks.c, blocks */

/* A pool thread: parses queued blocks until the ingest stops (arg: its
 * reader, whose pool_index names its part of each input). */
void *pool_thread(void *arg);

/* Blocks hold about this many bytes (whole lines). */
#define BLOCK_SIZE ((size_t)256 << 10)

/* Tells whether the rest of the input st reads may be split into blocks:
 * a file (it can be read again) read on a worker, in a splittable format,
 * at a record's start, with a sink that merges; and worth it: left, the
 * bytes known to be left (UINT64_MAX: not known), fill a block. */
bool can_split(const struct input_state *st, const struct task *t,
	       uint64_t left);

/* Starts splitting the rest of the input st reads; the line it is in the
 * middle of starts the first block. left is as for can_split. */
struct split *split_begin(struct input_state *st, uint64_t left);

/* The request ids input o's set (which it has) will hold once the left
 * bytes still to read (as for can_split) are, at the density of the bytes
 * read so far; 0 when either is not known. For idset_expect: grown a half
 * at a time, a set's tables rehash every id ~3 times. */
uint64_t ids_expected(const struct outcome *o, uint64_t left);

/* Adds n bytes of the input to the blocks. Returns false when a line
 * grows past the record limit without an end: the input must go on
 * without blocks (split_end, then handle_bytes), which keep only the start
 * of such a line. */
bool split_feed(struct split *sp, const char *p, size_t n);

/* The room at the end of the block being filled, for the input's next
 * bytes to be read into it directly (*room bytes at most) and then added
 * by split_commit, which returns as split_feed. Nothing else may touch sp
 * in between. */
char *split_room(struct split *sp, size_t *room);
bool split_commit(struct split *sp, size_t n);

/* A buffer of SOURCE_TAKE_SIZE bytes a spare block of sp holds, for
 * source_take's spare: the block is left without; NULL when none has. */
char *split_spare(struct split *sp);

/* Adds the n bytes at p, in mem (of SOURCE_TAKE_SIZE bytes, malloc'ed,
 * with p - mem bytes of room before them: source_take's), to the blocks,
 * which take mem over: the bytes are not copied, only the start of a line
 * before them, into the room (all of them when it is too short, as
 * split_feed does). Returns as split_feed. */
bool split_adopt(struct split *sp, char *mem, const char *p, size_t n);

/* Ends splitting and frees sp: the last lines are parsed and every block
 * is taken back, its counts and rejects in input order; a last line
 * without its end is left pending in st, as if read without blocks. The
 * pool threads' parts join the outcome; when the blocks turned out not to
 * be independent, the outcome is marked to be read again. Its blocks are
 * kept for the next input split (ingest.spare_blocks), unless another's
 * are. */
void split_end(struct split *sp, struct input_state *st);

/* Frees the blocks g keeps for its next input parsed in blocks. */
void blocks_free(struct ingest *g);

/* Holds the request id of an event (its key k), of the record the input
 * state st of a block reads (st->block), on the pool thread parsing it:
 * the event counts as it is parsed; the id is settled against the input's
 * set of ids in input order, once every block before it has settled, and
 * when it was seen before, the record is read again and its event counted
 * out (blocks.c, uncount). Holding more than a block's share waits for
 * the block's turn to settle. */
void block_hold(struct input_state *st, const struct idset_key *k);

/* As block_hold, for an event that does not count (outside a backfill's
 * range, rejected) but whose request id does: settled in its turn, it
 * makes a later copy of the id a duplicate, as it was in a whole ingest.
 * The event need not be priced. */
void block_claim(struct input_state *st, const struct idset_key *k);

/* Marks block b bad: its input is read again on one thread. */
void block_spoil(struct block *b);

/* Keeps a rejected record of block b, its line numbered from the block's
 * start, until the block is taken back; up to cap of them. */
void block_keep_reject(struct block *b, uint64_t cap, unsigned long line,
		       const char *reason, const char *rec, size_t len);

/* How many rejected records an input keeps: all of them for the rejects
 * stream, else the samples asked for. */
uint64_t rejects_cap(const struct ingest *g);

#endif
