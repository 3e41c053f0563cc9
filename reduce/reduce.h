/* reduce.h - folds priced usage events into daily totals per (day, provider,
 * model, agent, label, service tier) and keeps them in a store: a directory
 * of append-only, checksummed segment files (layout in docs/FORMAT.md).
 *
 * Ownership: every struct returned by an x_new/x_open is freed by the
 * matching x_free, which accepts NULL. Strings in rows handed to callbacks
 * are borrowed for the duration of the callback.
 */
#ifndef BURNRATE_REDUCE_H
#define BURNRATE_REDUCE_H

#include "core/core.h"

/* The totals of one group of requests. */
struct red_totals {
	uint64_t requests;
	uint64_t errors;
	uint64_t unpriced;      /* requests whose cost is unknown */
	uint64_t logged_cost_requests; /* requests whose log reported a cost */
	struct br_tokens tokens;
	br_pico cost;           /* cost chosen by the ingest's cost mode */
	br_pico calc_cost;      /* catalog cost of the priced requests */
	br_pico logged_cost;    /* sum of the costs the logs reported */
};

/* Adds b into a. Sums saturate instead of overflowing: counts at
 * UINT64_MAX, costs at +-BR_PICO_MAX (br_pico_add); the bounds a segment
 * row is checked against (docs/FORMAT.md) keep sums of any realistic
 * number of rows exact. */
void red_totals_add(struct red_totals *a, const struct red_totals *b);

/* a + b, saturated at UINT64_MAX: how every sum of counts is taken (the
 * store's, a report's cache writes of both TTLs, check's tokens), so a
 * count that reached UINT64_MAX is a lower bound, not the count
 * (red_count_saturated). */
uint64_t red_count_add(uint64_t a, uint64_t b);

/* Tells whether count n is saturated: its true value is unknown, at least
 * n; two saturated counts that are equal need not be. */
static inline bool red_count_saturated(uint64_t n)
{
	return n == UINT64_MAX;
}

/* --------------------------------------------------------------- aggregate */

/* An in-memory aggregate: one row per (day, provider, model, agent, label,
 * tier) and way of pricing (cost source, catalog identity, UTC price day,
 * input band; see struct br_event). */
struct agg;

struct agg *agg_new(void);
void agg_free(struct agg *a);

/* Counts ev on day (its calendar day in the store's time zone). The strings
 * are copied. ev->pair is 0 or the one br_pricer_price gave ev's names. */
void agg_add(struct agg *a, int32_t day, const struct br_event *ev);

/* Adds every row of src into dst. */
void agg_merge(struct agg *dst, const struct agg *src);

/* Takes every row of src out of dst, as if the events src counted had
 * never been counted in dst: each of src's rows must be within dst's row
 * of its key, and a row left with no request is dropped. A dst that
 * spilled (agg_spill_at) is read through once and written again, as
 * bounded. Returns false, and leaves dst in an unspecified state, when
 * that cannot be exact: a sum of dst saturated (red_count_saturated, a
 * cost at +-BR_PICO_MAX), a row of src not within dst's, a row left with
 * no request but some other total (a cost line's: of no request), src
 * spilled, or a spill file that could not be read or written. */
bool agg_subtract(struct agg *dst, const struct agg *src);

struct store_row;

/* Adds the totals of row r to the row of r's key; the strings are
 * copied (r->source is ignored). Past agg_spill_at's bound, the rows are
 * spilled as agg_add's are. */
void agg_add_row(struct agg *a, const struct store_row *r);

typedef int (*store_row_fn)(void *ctx, const struct store_row *row);

/* Calls fn for each row of a, in no particular order, as the row a store
 * would give back (with source); a non-zero return stops the scan and
 * becomes the result. */
int agg_scan(const struct agg *a, const char *source, store_row_fn fn,
	     void *ctx);

/* Empties a, keeping its memory for reuse, and its dictionary: strings
 * interned before keep their ids (a's rows, and so what it adds to
 * another aggregate or writes, use only those of its rows). */
void agg_clear(struct agg *a);

/* Number of rows: of distinct keys, or, once a has spilled rows
 * (agg_spill_at), at least that (a key may be in several runs). */
size_t agg_rows(const struct agg *a);

/* Keeps at most about rows rows of a in memory: past them, its rows are
 * written to an unlinked temporary file in $TMPDIR (else /tmp) and read
 * back, merged, when it is written, merged or scanned. A file that cannot
 * be made or written keeps the rows in memory (as without a bound); one
 * that cannot be read back fails the publish of a, naming the error. */
#define AGG_SPILL_ROWS 32768
void agg_spill_at(struct agg *a, size_t rows);

/* Applies the adds agg_add left pending and gives back the memory of its
 * pipeline (until the next add): anything that reads the rows' totals
 * calls it first (the sums are the same in any order), and an aggregate
 * that will wait to be read (an archive's member, until the archive's
 * end) may be settled at once. */
void agg_settle(const struct agg *a);

/* ------------------------------------------------------------------- store */

/* One row as read back from a store. */
struct store_row {
	int32_t day;
	const char *source, *provider, *model, *agent, *label;
	enum br_tier tier;
	/* How its requests were priced (struct br_event's fields of the same
	 * names): what report --reprice needs to price them again. */
	enum br_cost_source cost_source;
	const char *pricing;
	int32_t price_day;
	uint64_t band_lo, band_hi;
	struct red_totals t;
};

/* What one ingest run read: the inputs a segment covers. */
struct store_input {
	const char *name; /* a plain file's canonical path, else the name it
			   * was given ("-", "x.gz") */
	struct br_fp fp;  /* fingerprint of the content ingested: bytes 0..bytes */
	uint64_t bytes;   /* content bytes ingested (complete lines) */
	uint64_t records;
	uint32_t head;    /* a file's first bytes (ingest_head), a compressed
			   * one's or an archive file's member's decompressed;
			   * 0: not recorded (standard input, a piped
			   * archive's members, older segments) */
};

struct store;

/* Creates a store in dir (the directory itself is created if missing) whose
 * days are calendar days in time zone tz_name. Succeeds without change when a
 * store with the same zone exists; fails when it has another zone. */
int store_init(const char *dir, const char *tz_name, struct br_err *err);

/* Opens the store in dir. With create_tz, a missing store is first
 * created with that time zone; without (NULL), it is an error. Reads the
 * store's metadata only; segments are read when first needed. A
 * metadata file that is not valid (no magic, another version, a time
 * zone that cannot be loaded) is an error naming it, status
 * BR_EXIT_FAILURE, as store_init's is. Caller frees with store_free,
 * which also releases the lock. */
struct store *store_open(const char *dir, const char *create_tz,
			 struct br_err *err);
void store_free(struct store *s);

const char *store_dir(const struct store *s);
const struct br_tz *store_tz(const struct store *s);

/* Takes the store's writer lock (a kernel-released flock, so a killed
 * holder never blocks) and writes its pid in the lock file. Fails, with
 * status BR_EXIT_TEMPFAIL, when another process holds it within
 * STORE_LOCK_TRIES milliseconds, what `verify` holds it for (a shared
 * lock, taken for an instant to tell whether a merge is running): the
 * message is "store 'DIR': locked by pid N, another burnrate writing it"
 * when the lock file names a process that runs, else "locked by another
 * process" and whether the file names an ended writer or none. */
#define STORE_LOCK_TRIES 50
int store_lock(struct store *s, struct br_err *err);

/* Tells whether an input with fingerprint fp is covered by a segment of the
 * store. Loads the segment index on first use; fails (-1) when a segment is
 * corrupt, naming it. Returns 1 (known), 0 (not known) or -1. */
int store_has_input(struct store *s, struct br_fp fp, struct br_err *err);

/* Where the store holds an input that a backfill under source read:
 * its content (fingerprint fp) or, when is_prefix is not NULL, its first
 * bytes (a plain file that grew or was rotated since), which
 * is_prefix(ctx, input, merged) tells of each input of a visible segment
 * (merged: the input is of a merged segment, named as on the host of the
 * store it was merged from). Strings are borrowed until the store
 * changes; the caller frees others. */
struct store_holders {
	/* A visible merged segment (of any source) that covers it, or NULL:
	 * a backfill never overshadows merged data, so under any source it
	 * would count the input twice. Then nothing else is filled in. */
	const char *merged_origin;  /* that segment's store directory */
	const char *merged_source;  /* and source */
	/* The distinct sources other than source, sorted, of the store's own
	 * visible segments that cover it: a backfill under source would count
	 * their part of it twice. */
	const char **others;
	size_t nothers;
	/* Only when nothers > 0: a segment of source itself covers some of
	 * it too, so a backfill under any one of the others would count
	 * source's part twice as well. */
	bool own;
};

/* Fills *out (see struct store_holders). Returns 0, or -1 when the store
 * cannot be read (*out then holds nothing). */
int store_input_holders(struct store *s, struct br_fp fp, const char *source,
			bool (*is_prefix)(void *ctx,
					  const struct store_input *in,
					  bool merged),
			void *ctx, struct store_holders *out,
			struct br_err *err);

/* The distinct sources of the store's visible segments, sorted: sets *out
 * to an array of *n of them (caller frees the array; the strings are
 * borrowed until the store changes). Returns 0, or -1 when the store
 * cannot be read. */
int store_sources(struct store *s, const char ***out, size_t *n,
		  struct br_err *err);

/* Finds the newest visible input named name (as stored) that the store
 * ingested itself (merged inputs name files of other hosts). Returns 1 and
 * fills *out (its strings borrowed until the store changes), 0 when there
 * is none, or -1 when the store cannot be read. */
int store_last_input(struct store *s, const char *name,
		     struct store_input *out, struct br_err *err);

/* Calls fn with every visible input named name that the store ingested
 * itself, in store_each_input's order, until fn returns nonzero (which it
 * returns; strings borrowed until the store changes). Returns 0 when fn
 * never did (none is named so), or -1 when the store cannot be read. */
int store_each_named(struct store *s, const char *name,
		     int (*fn)(void *ctx, const struct store_input *in),
		     void *ctx, struct br_err *err);

/* Calls fn with every visible input the store ingested itself, the newest
 * segments first (a compaction's in the place of the last segment it
 * absorbed), until fn returns nonzero (which it returns; the inputs'
 * strings are borrowed for the call). Returns 0 when fn never did, or -1
 * when the store cannot be read. */
int store_each_input(struct store *s,
		     int (*fn)(void *ctx, const struct store_input *in),
		     void *ctx, struct br_err *err);

/* Publishes a new segment holding the rows of a and covering inputs, for
 * source (NULL: "default"), atomically: temporary file, write, fsync, rename,
 * fsync of the directory. Readers see either all of it or none of it.
 * Requires the lock. An empty aggregate with no inputs publishes nothing. */
int store_publish(struct store *s, const char *source, const struct agg *a,
		  const struct store_input *inputs, size_t ninputs,
		  struct br_err *err);

/* As store_publish, for a backfill: the new segment overshadows the rows
 * of earlier segments of the same source whose day is in
 * [replace_from, replace_to] (BR_DAY_NONE: not a backfill). A backfill
 * with no rows is still published: it empties those days. */
int store_publish_replace(struct store *s, const char *source,
			  const struct agg *a, const struct store_input *inputs,
			  size_t ninputs, int32_t replace_from,
			  int32_t replace_to, struct br_err *err);

/* What a compaction did. */
struct store_compact_stats {
	size_t sources; /* sources compacted */
	size_t merged;  /* segments merged into the new ones */
	size_t removed; /* segment files removed */
};

/* Merges, per source, the live rows and the input fingerprints of the
 * store's own segments into one new segment, published atomically, then
 * removes the files it replaced. The new segment names the highest
 * sequence it absorbs, and readers ignore the absorbed segments from the
 * moment it exists, so a crash at any point never counts anything twice or
 * loses it. Merged segments (store_merge) are left as they are. Requires
 * the lock. */
int store_compact(struct store *s, struct store_compact_stats *st,
		  struct br_err *err);

/* What a merge did. */
struct store_merge_stats {
	size_t segments; /* segments read from the merged store */
	size_t imported; /* its sources added as merged segments */
	size_t replaced; /* merged segments those are a newer state of */
	size_t present;  /* its sources already merged, as they are now or
			  * in a newer state (left out) */
	size_t removed;  /* files of segments no longer visible removed */
};

/* Merges the store in directory from into dst: for each source of from,
 * one merged segment with its live rows (backfills and compactions
 * applied) and the fingerprints of its inputs. They are published
 * atomically together: readers count none of them until all are
 * published, so a merge that fails or is killed at any point leaves dst
 * as it was (but for files readers ignore, which a later merge
 * removes), and run again ends in the state of one that did not fail.
 * Repeating a merge adds nothing: a merged segment replaces the earlier
 * ones of its source whose inputs it all holds (a store's inputs only
 * grow), and a source already merged in this state or a newer one is left
 * out. Everything is checked before anything is published: every segment
 * of from must verify, and no input of from may be counted in dst
 * otherwise (ingested here, merged from another store, or in two of
 * from's sources); such an input is an error naming it and the segment
 * holding it. Merging a store into itself or from another time zone is a
 * usage error. The error of a merge that fails ends saying what it left:
 * nothing of from merged, dst unchanged; or, of a group, the segments
 * published that readers do not count until the merge is run again; or
 * all of from published nonetheless (a failure after the last rename).
 * Requires dst's lock; from is only read. */
int store_merge(struct store *dst, const char *from,
		struct store_merge_stats *st, struct br_err *err);

/* Which rows a scan visits. */
struct store_query {
	int32_t since, until;  /* inclusive day range; BR_DAY_NONE: open */
	const char *source;    /* NULL: every source */
};

/* store_row_fn (above) is called for every row a scan visits; a non-zero
 * return stops the scan and becomes store_scan's result. */

/* From now on, a corrupt segment is left out of scans instead of failing
 * them; store_skipped lists what was left out. Call before the first scan. */
void store_skip_corrupt(struct store *s);

/* The i-th store (its directory, as the merge of it named it) of which a
 * merge that did not end left segments that a store_merge or
 * store_compact of s removed, or NULL past the last: none of it is in s,
 * and nothing else tells it once they are gone (`verify` named them).
 * Not the store a store_merge merges, whose merge that one ends. */
const char *store_abandoned(const struct store *s, size_t i);

/* The i-th segment left out (path and problem), or NULL past the last. The
 * strings are borrowed until the store is freed. */
const char *store_skipped(const struct store *s, size_t i,
			  const char **problem);

/* Calls fn for each live row matching q. Fails (-1) naming the segment when
 * one is corrupt or of a newer format version. */
int store_scan(struct store *s, const struct store_query *q, store_row_fn fn,
	       void *ctx, struct br_err *err);

/* As store_scan, over the store's own segments only: not those merged from
 * other stores, which a --replace backfill does not overshadow. */
int store_scan_own(struct store *s, const struct store_query *q,
		   store_row_fn fn, void *ctx, struct br_err *err);

/* A compressed file known by its bytes (STORE/streams, docs/FORMAT.md):
 * a file of size bytes whose fingerprint is fp decompresses to content of
 * content_bytes bytes whose fingerprint is content_fp. Facts about bytes,
 * kept so that ingest need not decompress a file again to know that it
 * holds only what was ingested (a rotated log renamed, or left as it
 * was). */
struct store_stream {
	uint64_t size;
	struct br_fp fp;
	uint64_t content_bytes;
	struct br_fp content_fp;
};

/* The most streams STORE/streams keeps (the first ones: store_streams_write
 * is given the most recently used first). */
#define STORE_STREAMS_MAX 65536

/* Sets *out to the store's known compressed files (*n of them, most
 * recently used first; caller frees *out). The file only saves time: one
 * missing, unreadable, torn or corrupt gives none, never an error. */
void store_streams_read(const struct store *s, struct store_stream **out,
			size_t *n);

/* Replaces the known compressed files with the first STORE_STREAMS_MAX of
 * v[0..n), as store_publish publishes a segment (durably, atomically).
 * Requires the lock. Returns 0, or -1 naming the file. */
int store_streams_write(struct store *s, const struct store_stream *v,
			size_t n, struct br_err *err);

/* What store_verify finds of a segment. */
enum store_verdict {
	STORE_SEGMENT_OK,         /* sound (problem NULL) */
	STORE_SEGMENT_CORRUPT,    /* refused by readers */
	/* Sound, of a merge's group some segment of which is missing: a
	 * merge that did not end, which reports do not count (they show
	 * the store as it was before it) until it is run again. */
	STORE_SEGMENT_UNFINISHED,
	/* As STORE_SEGMENT_UNFINISHED, but the group's missing segments
	 * come after every segment of the store and another process holds
	 * the store's lock (a merge that may still be publishing them), or
	 * they are all in its directory by the time the lock is tested (a
	 * merge that ended while verify read the store). */
	STORE_SEGMENT_MERGING,
};

/* Called once per segment by store_verify, with its path, its verdict
 * and, unless it is STORE_SEGMENT_OK, what is wrong with it (for one of
 * a merge that did not end: the group's missing segments, that reports
 * do not count it, and the merge to run again). Both strings are
 * borrowed for the call. */
typedef void (*store_verify_fn)(void *ctx, const char *segment,
				enum store_verdict verdict,
				const char *problem);

/* Checks every segment (magic, version, checksum, dictionary bounds, row
 * sanity), and that every merge's group of segments is whole. A segment
 * that a compaction removes while it runs is not reported: the segments
 * that replaced it are checked instead. A merge's group missing a
 * segment is reported unless each of its segments is an older state
 * that a later merged segment replaces (files the next merge or
 * compaction removes); a group's segment that is corrupt is reported as
 * such, and its group's others are not reported again. Takes no lock:
 * it only tests, without waiting, whether another process holds the
 * store's lock, when a group misses segments after the store's last.
 * Returns the number of segments not STORE_SEGMENT_OK, or -1 when the
 * store cannot be read at all. */
int store_verify(struct store *s, store_verify_fn fn, void *ctx,
		 struct br_err *err);

#endif
