/* ingest.h - reads log inputs (files, directories, standard input; plain or
 * gzip-compressed) and turns each record into a priced canonical usage event
 * (core.h's struct br_event), handed to a caller-supplied sink.
 *
 * ingest knows nothing of the store: the caller's sink decides, per input,
 * whether its events are kept (for example when the input's fingerprint was
 * already ingested, they are not).
 *
 * Ownership: the options, catalog, rejects stream and sink are borrowed for
 * the life of the struct ingest. Strings handed to the sink are borrowed for
 * the duration of the callback only.
 *
 * Threads: with opts.jobs > 1 several inputs are read at once, each on a
 * worker thread, a large compressed input is decompressed on a thread of
 * its own, and a large input whose lines are independent records is parsed
 * in blocks on a pool of threads (see merge); the sink still sees every
 * input's end() in input order, on
 * the caller's thread, and the results (events kept, duplicates, rejects
 * file, stats) are the same for any jobs.
 */
#ifndef BURNRATE_INGEST_H
#define BURNRATE_INGEST_H

#include <sys/types.h>

#include "core/core.h"

/* Default cap on decompression: an input may decompress to at most this
 * many times its compressed size (plus 16 MiB); more is refused as a
 * decompression bomb. Log text compresses 5-50 times. */
#define INGEST_MAX_RATIO_DEFAULT 1000

/* Default cap on one record's length; a longer record is rejected. */
#define INGEST_MAX_RECORD_DEFAULT ((size_t)16 << 20)

/* Cap on the provider, model, agent, label and request id of one event;
 * a record with a longer one is rejected. */
#define INGEST_MAX_FIELD ((size_t)64 << 10)

/* Caps on one record's token counts (each) and on its cost, logged or
 * from the catalog: beyond them a log is corrupt, not busy (the largest
 * context windows hold 10^7 tokens; a day of a whole organisation's usage
 * in one aggregate row stays far below both). A record beyond either is
 * rejected, so that no run is left with a sum no store row can hold
 * (2^100 pico-dollars, docs/FORMAT.md). */
#define INGEST_MAX_TOKENS UINT64_C(1000000000000000)
#define INGEST_MAX_COST_USD INT64_C(1000000000)

/* --map CANON=PATH: read canonical field CANON (a generic-format name:
 * timestamp, provider, model, agent, label, request_id, status,
 * service_tier, input_tokens, output_tokens, cache_read_tokens,
 * cache_write_tokens, cache_write_1h_tokens, reasoning_tokens, cost_usd;
 * or DESIGN §2's name of a token count: input, output, cache_read,
 * cache_write, cache_write_1h, reasoning) from PATH: a dotted JSON path,
 * a CSV column, or COLUMN.PATH inside a JSON-typed CSV column, of at most
 * 127 bytes and 8 components. It replaces the format's own source of the
 * field. */
struct ingest_map {
	const char *field;
	const char *path;
};

struct ingest_opts {
	const char *format;   /* "auto" (also when NULL) or a format name */
	/* The option that names format, in the message of a log whose
	 * format cannot be told: NULL is "--format" (check's is
	 * "--log-format"). */
	const char *format_option;
	const struct ingest_map *maps; /* borrowed; a later map of a field wins */
	size_t nmaps;
	const struct br_catalog *catalog; /* NULL: nothing is priced by catalog */
	enum br_cost_mode cost_mode;
	bool no_dedupe;       /* true: keep records whose request_id was seen */
	FILE *rejects;        /* NULL: rejected records are only counted */
	/* Without rejects: up to this many rejected records of each input
	 * are kept, as the rejects stream would show them, for its end()
	 * (ingest_input.reject_samples). */
	unsigned reject_samples;
	size_t max_record;    /* 0: INGEST_MAX_RECORD_DEFAULT */
	uint64_t max_ratio;   /* 0: INGEST_MAX_RATIO_DEFAULT */
	unsigned jobs;        /* inputs read at once (0 or 1: one at a time,
			       * on the caller's thread) */
	/* true: inputs are complete (check): a plain file's last line without
	 * a newline is a record, not a line still being written. */
	bool complete;
	/* When only_from is not BR_DAY_NONE, a record whose day in zone tz is
	 * outside [only_from, only_to] is rejected (a backfill's range). */
	const struct br_tz *tz;
	int32_t only_from, only_to;
	/* A walk leaves out the files of skip[0..nskip) (the rejects file
	 * being written, check's baseline, prices file and configuration,
	 * run's own reports), by device and inode; the caller's array. */
	const struct ingest_skip {
		dev_t dev;
		ino_t ino;
	} *skip;
	size_t nskip;
};

/* What is known about one input once it has been read. */
struct ingest_input {
	const char *name;  /* display name: the path, "-" or "archive:member" */
	const char *key;   /* a file's canonical path (plain, or one
			    * compressed stream), else NULL */
	const char *format; /* the format it was read as (NULL: no record) */
	struct br_fp fp;   /* fingerprint of the content bytes 0..bytes */
	uint64_t bytes;    /* content bytes taken: a plain file's partial last
			    * line is not taken, it waits for the next run */
	uint64_t resumed_at; /* bytes ingested before (a grown file), else 0 */
	uint32_t head;     /* a plain file's ingest_head, or that of a
			    * compressed one's decompressed bytes, of a
			    * pipe's or of an archive file's member's
			    * (key set), else 0 */
	/* When what waits (waiting, below) is a record open across lines (a
	 * CSV quote still open at the end): how many lines it holds, and
	 * the line it starts on (waiting_line); else 0. (Beside head and
	 * reread, in room the struct had: not one byte larger.) */
	uint32_t waiting_lines;
	uint64_t records;  /* non-empty records seen */
	uint64_t events;   /* events handed to the sink */
	uint64_t rejected; /* records rejected */
	uint64_t outside;  /* of them, outside [only_from, only_to] */
	/* With opts.reject_samples: its first rejected records, each a line
	 * "NAME:LINE: REASON: RECORD\n" (the record's bytes as read), in
	 * input order; NULL when none. Valid during the sink's end(). */
	const char *reject_samples;
	uint64_t duplicates; /* records dropped as duplicate request ids */
	uint64_t blocks;   /* blocks parsed on the pool (0: one thread) */
	/* Read again on one thread: its blocks were not independent (a
	 * request id in two of them, a CSV quote across a cut). */
	bool reread;
	bool waiting;      /* a partial last line waits for the next run */
	uint32_t waiting_line;
	/* A file that is one compressed stream, read from its first byte to
	 * its end, its content all taken (nothing waiting): how many bytes
	 * of it were read and their fingerprint, so that the sink may know
	 * it by them (packed); else 0. */
	uint64_t packed_bytes;
	struct br_fp packed_fp;
};

/* What a sink knows of a file ingested before: its first `bytes` bytes
 * (decompressed, for a compressed file) had fingerprint fp, and
 * ingest_head head (0: not known). */
struct ingest_known {
	uint64_t bytes;
	struct br_fp fp;
	uint32_t head;
};

/* How many of a file's first bytes ingest_head takes. */
#define INGEST_HEAD_BYTES 4096

/* A short fingerprint of the beginning of content whose first n bytes are
 * at p, n being its size or INGEST_HEAD_BYTES, whichever is less: of its
 * first two lines (a CSV's header and first record), or of the n bytes
 * when they hold fewer. It tells a log replaced under its name (rotated)
 * from one edited in place past its first two lines, and finds the log a
 * renamed file continues. Never 0. */
uint32_t ingest_head(const void *p, size_t n);

/* The most lengths ingest_short_ends gives. */
#define INGEST_SHORT_ENDS 5

/* Where an ingest of a log whose first n bytes are at p (n: its size or
 * INGEST_HEAD_BYTES, whichever is less) may have ended holding fewer than
 * two whole lines of it, its ingest_head then that of all it took, not
 * the log's: after the first line, with its newline, without it (a last
 * record without one counts at once when it is whole, its newline
 * written later) or without its "\r\n"; and at the end of the second
 * line, without its newline or its "\r\n". Fills len[] (a length may be
 * 0: an empty first line) and returns how many. */
size_t ingest_short_ends(const void *p, size_t n,
			 size_t len[INGEST_SHORT_ENDS]);

/* Where reading has got, for a progress display. */
struct ingest_progress {
	uint64_t inputs_done, inputs_total; /* files and standard input */
	uint64_t records;    /* non-empty records read */
	uint64_t bytes;      /* decompressed bytes read */
	/* The decompressed bytes of all the inputs, estimated: those read,
	 * and what is left of each input as its size on disk tells (a
	 * compressed one's at the ratio its bytes read so far decompressed
	 * to; one not begun at its gzip trailer's size, else at the run's
	 * ratio so far); an input read again counts again. 0: not known
	 * (standard input, a FIFO), or while an input is read again: how
	 * fast the run read so far says nothing of how fast that goes (on
	 * the caller's thread alone, after the other inputs). */
	uint64_t bytes_total;
};

/* Receives the events of each input.
 *
 * begin is called when an input starts being read and returns the context
 * its events go to (NULL begin: ctx itself); event gets that context. Both
 * run on the thread reading the input: with opts.jobs > 1, a worker
 * thread, several inputs at once, so they may touch only the input's own
 * context. end gets the input's context back: it is called for every
 * input, in input order, on the thread that called ingest_path or
 * ingest_finish. end's ok is false when the input could not be read to
 * its end (truncated or corrupt container, I/O error): the sink must then
 * discard that input's events; message says why and names the input.
 * Every callback may be NULL, and so may the context. The events event
 * gets are priced (br_pricer_price: their price_day is their UTC day).
 */
struct ingest_sink {
	void *ctx;
	void *(*begin)(void *ctx, const char *name);
	void (*event)(void *input, const struct br_event *ev);
	void (*end)(void *ctx, void *input, const struct ingest_input *in,
		    bool ok, const char *message);
	/* Frees an input's context without end (the input is read again). */
	void (*drop)(void *ctx, void *input);
	/* Called on the thread that read an input once all its events were
	 * given, before it waits for its turn (an archive's members wait for
	 * the archive's end): the sink may compact what it holds of it. */
	void (*read)(void *ctx, void *input);
	/* Asked, in input order, about an input read to its end, before
	 * end: returns false when end will discard it whatever its events
	 * (its fingerprint was ingested before). With opts.jobs > 1, an
	 * input whose request ids repeat those of an earlier input read at
	 * the same time is read again to drop them, unless wants says it is
	 * discarded anyway. NULL: always wanted. */
	bool (*wants)(void *ctx, const struct ingest_input *in);
	/* Asked, on the caller's thread, before a file is read: fills
	 * *known and returns true when the file at canonical path key was
	 * ingested before. A file now shorter than that, or whose first bytes
	 * (by ingest_head) are others, is another file (a rotated log): as a
	 * file of a new path. Otherwise, if it still starts with those bytes,
	 * only what follows them is read (a log that grew); if it does not,
	 * the input fails, naming the file: it was changed in place, and
	 * reading it again would count its requests twice. A file that is
	 * one compressed stream (gzip, zstd, xz, bzip2, lz4) is asked too:
	 * when its decompressed bytes begin with all of known's (decompressed
	 * and compared by fingerprint first, by the thread reading it), only
	 * what follows them is read; else, unless it begins with one of
	 * continued's (the longest wins), it is read whole. */
	bool (*known)(void *ctx, const char *key, struct ingest_known *known);
	/* Asked, on the caller's thread, about a file of a new path (or
	 * another file now, see known) of size bytes, whose first n bytes
	 * are at head (n: size or INGEST_HEAD_BYTES, whichever is less); a
	 * file that is one compressed stream (by its name's .gz, .zst, .xz,
	 * .bz2 or .lz4 when head is NULL) is asked with size UINT64_MAX and
	 * its decompressed first bytes; a log member of an archive file not
	 * known by its key ("archive:member"), on the thread reading the
	 * archive (so, with opts.jobs > 1, from several threads at once),
	 * with its size (UINT64_MAX when the archive does not say) and its
	 * first bytes:
	 * fills out[] (at most max) with what was ingested of other files
	 * (plain, or compressed: their decompressed bytes) that began as it
	 * does (ingest_head) and were no longer than size, those of key's
	 * directory first (largest first), then those of other directories
	 * (a log moved by logrotate's olddir), each content once, and
	 * returns how many. The longest whose bytes the
	 * file begins with (by fingerprint) is where it is read from: a log
	 * renamed (rotated) since, that grew. Asked first with head NULL (n
	 * and max 0): returns nonzero when any file no longer than size may
	 * be one, whatever its first bytes, 0 when none is (the file is then
	 * not read for them). NULL: none. */
	size_t (*continued)(void *ctx, const char *key, uint64_t size,
			    const char *head, size_t n,
			    struct ingest_known *out, size_t max);
	/* Asked, on the thread reading it, about a file that is one
	 * compressed stream (gzip, zstd, xz, bzip2, lz4) of size bytes whose
	 * fingerprint is *fp (an input's packed_fp of an earlier run):
	 * returns true and fills *content when those bytes are known to
	 * decompress to content that was ingested before, whole (content's
	 * bytes and fp, head 0). The file then adds nothing and is not
	 * decompressed: its input is content's, as a file that did not grow
	 * (end is told so). Asked first with fp and content NULL: returns
	 * true when a file of that size may be one (the file is then read to
	 * hash it). Must be safe to call from several threads at once. NULL:
	 * none is known. */
	bool (*packed)(void *ctx, uint64_t size, const struct br_fp *fp,
		       struct ingest_known *content);
	/* Called on the caller's thread every few MiB read or every 0.2 s. */
	void (*progress)(void *ctx, const struct ingest_progress *p);
	/* Called on the caller's thread, in input order, about a file that
	 * gave no input although nothing failed: an archive without a log
	 * member (also a compressed stream that libarchive reads as an
	 * empty tar, such as zeros), named as a path to ingest (one a
	 * directory walk took by its name, docs.zip beside the logs, is
	 * told through note instead). message names the file. */
	void (*warning)(void *ctx, const char *message);
	/* Called on the caller's thread about how a path given is read,
	 * when that is not plain: a Claude configuration directory (it has
	 * a projects subdirectory and one of history.jsonl, settings.json,
	 * .credentials.json, todos, statsig) is walked as its projects/
	 * only; an archive a walk found holds no log (warning). message
	 * names the path. NULL: not told. */
	void (*note)(void *ctx, const char *message);
	/* Adds the events of part to into and frees part. With opts.jobs >
	 * 1, a file in a format of independent lines (generic JSONL and CSV,
	 * CSV exports) is split, after its first read (1 MiB), into blocks
	 * parsed on several threads: the events of all but the first go to
	 * contexts of their own made by begin, and merge folds them into the
	 * input's context on the thread reading the input, before end. The
	 * sum must not depend on how the events were shared out. NULL (or a
	 * NULL begin, or, unless opts.no_dedupe, a NULL subtract): inputs
	 * are not split. */
	void (*merge)(void *ctx, void *into, void *part);
	/* Takes the events of minus, a context made by begin, out of into,
	 * and frees minus; returns false when that cannot be exact (a sum
	 * in into saturated, or spilled): into is then dropped and the
	 * input read again on one thread. A split input's blocks count
	 * their events as they are parsed, before their request ids are
	 * checked in input order: the events whose ids were seen before go
	 * to minus, given again as they were, on the thread reading the
	 * input after merge. */
	bool (*subtract)(void *ctx, void *into, void *minus);
};

/* Totals over every input handed to one struct ingest. */
struct ingest_stats {
	uint64_t inputs;        /* inputs read to their end */
	uint64_t failed_inputs; /* inputs that could not be read to their end */
	uint64_t records;       /* non-empty records */
	uint64_t events;        /* events handed to the sink */
	uint64_t rejected;      /* records rejected */
	uint64_t duplicates;    /* records dropped as duplicate request ids */
	uint64_t bytes;         /* decompressed bytes */
	uint64_t resumed;       /* grown files read from where they ended */
	uint64_t waiting;       /* partial last lines left for the next run */
};

struct ingest;

/* Checks a format name: "auto" or a built-in format. Returns 0, or -1
 * with "unknown format 'F'; expected one of auto, generic, ..." in err
 * (status BR_EXIT_USAGE). The caller puts the name of what gave it (an
 * option, a configuration file's line and key) before the message. */
int ingest_format_check(const char *format, struct br_err *err);

/* Checks the CANON of a map (--map CANON=PATH): the len bytes at field
 * name a canonical field (struct ingest_map). Returns its index, or -1
 * with "unknown field 'F'; expected one of timestamp, ..." in err (status
 * BR_EXIT_USAGE), for the caller to prefix as above. */
int ingest_map_field_check(const char *field, size_t len, struct br_err *err);

/* Checks the PATH of a map (--map CANON=PATH, --label PATH, the label of
 * the configuration): not empty, at most 127 bytes and 8 components.
 * Returns 0, or -1 with "empty path" or "path longer than ..." in err
 * (status BR_EXIT_USAGE), for the caller to prefix as above. */
int ingest_map_path_check(const char *path, struct br_err *err);

/* Creates an ingest run. Returns NULL and fills err when the options are
 * invalid (an unknown format or --map field name, an empty or too long
 * path; status BR_EXIT_USAGE). Those messages name the option (--map
 * FIELD): a caller whose values come from elsewhere checks them first,
 * with ingest_format_check and ingest_map_path_check. */
struct ingest *ingest_new(const struct ingest_opts *opts,
			  const struct ingest_sink *sink, struct br_err *err);
void ingest_free(struct ingest *g);

/* Ingests path: a regular file, a directory (every regular file below it,
 * recursively, in byte order of their paths; hidden entries are skipped), or
 * "-" for standard input. Containers are told by their magic bytes, not
 * their names: gzip (read with ISA-L), zstd, xz, bzip2 and lz4 streams are
 * one input; zip, tar and compressed tar archives give one input per log
 * member, named "archive:member". A file is one input otherwise. A record
 * that cannot be used is rejected: counted, and written to the rejects
 * stream as "file:line: reason: record". A request_id already seen during
 * this struct ingest's life counts once (its first record in input order).
 *
 * With opts.jobs <= 1, the inputs are read before ingest_path returns: it
 * returns 0 when every input was read to its end, else -1 with the first
 * failure in err (status BR_EXIT_FAILURE); the other inputs are still
 * ingested and the sink's end() reports each failure. With opts.jobs > 1,
 * files are queued and read in the background, and ingest_finish reports
 * their failures; ingest_path returns -1 only when path itself cannot be
 * read (it does not exist; a directory walk failed), after the inputs
 * queued before it were handed to the sink. */
int ingest_path(struct ingest *g, const char *path, struct br_err *err);

/* Waits until every queued input was handed to the sink. Returns 0, or -1
 * with the first failure in err when an input failed. */
int ingest_finish(struct ingest *g, struct br_err *err);

/* Totals so far (complete after ingest_finish). */
const struct ingest_stats *ingest_stats(const struct ingest *g);

#endif
