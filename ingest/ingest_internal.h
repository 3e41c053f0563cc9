/* ingest_internal.h - the pieces of ingest/ and the interfaces between them:
 * a byte source (plain or decompressed), and record formats that turn one
 * record into a canonical event. Not part of the stage's public API. */
#ifndef BURNRATE_INGEST_INTERNAL_H
#define BURNRATE_INGEST_INTERNAL_H

#include <sched.h>
#include <string.h>

#include "ingest/ingest.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* ---------------------------------------------------------- byte source */

/* Reads the decompressed bytes of one input from a file descriptor; gzip
 * (one or more members) is recognised by its magic bytes. With ahead, a
 * compressed input is decompressed on a thread of its own, a few buffers
 * ahead of the reader (a regular file of 1 MiB - 4 KiB or more, or an
 * archive member, only). */
struct source;

/* Wraps fd (not closed by source_free; -1: an empty input). name is used
 * in messages. */
struct source *source_open(int fd, const char *name, bool ahead);

struct archive;

/* Reads the current member of archive a (borrowed); a member that is
 * itself a compressed stream (gzip; zstd, xz, bzip2 or lz4, told by
 * ingest_stream_what and decompressed by libarchive's filters) is
 * decompressed too, once. The archive must not be used
 * by anyone else until source_free. size: the member's size in the
 * archive, -1 when not known; one under 1 MiB is not decompressed
 * ahead. */
struct source *source_open_member(struct archive *a, const char *name,
				  bool ahead, int64_t size);

/* The compressed bytes read so far of the archive a member is read from
 * are *pos, which the archive's reader updates, instead of libarchive's
 * own count: for an archive that libarchive reads decompressed through a
 * read callback. */
void source_set_raw_pos(struct source *src, const uint64_t *pos);

/* What the n bytes at p begin as when they are a compressed stream other
 * than gzip that libarchive decompresses: "a zstd stream", "an xz
 * stream", "a bzip2 stream" (its block size and first block's magic, or
 * an empty stream's end, too: a CSV header may begin with "BZh") or "an
 * lz4 stream"; else NULL. Told
 * from INGEST_STREAM_MAGIC_BYTES bytes at most. */
const char *ingest_stream_what(const unsigned char *p, size_t n);

/* Why libarchive cannot read the stream the n bytes at p begin, when they
 * tell it (an lz4 stream after a skippable frame, as far as the n bytes
 * show); else NULL. */
const char *ingest_stream_unreadable(const unsigned char *p, size_t n);
#define INGEST_STREAM_MAGIC_BYTES ((size_t)10)

/* What the n bytes at p, the whole of a file or member, are when they
 * are a compressed stream other than gzip cut before libarchive can tell
 * it (it would read them as plain): the first 2 bytes or more of an
 * xz's, zstd's or lz4's magic, or a bzip2's or lz4's magic whole but
 * fewer bytes than the least stream of each (INGEST_STREAM_LEAST_BYTES,
 * 11); as ingest_stream_what says it, or NULL. The first two bytes of
 * those magics never begin a log (not UTF-8 text, or a control
 * character); bzip2's "BZh" may, and is told whole only. */
const char *ingest_stream_cut(const unsigned char *p, size_t n);
/* The magics of an lz4 frame and of a legacy one (lz4 -l's, Linux's), as
 * their 4 bytes in a file. */
#define LZ4_FRAME_MAGIC "\x04\x22\x4d\x18"
#define LZ4_LEGACY_MAGIC "\x02\x21\x4c\x18"
/* Tells whether the n bytes at p, the whole of a file or member, are an
 * lz4 stream of legacy frames of no block (what lz4 -l makes of an empty
 * log: its magic alone), which lz4 -d reads as empty and libarchive not at
 * all (it wants a first block): the input is then an empty log. */
bool ingest_stream_blockless(const unsigned char *p, size_t n);
/* The most bytes libarchive reads to tell a stream: a bzip2's least. */
#define INGEST_STREAM_LEAST_BYTES ((size_t)14)

/* Tells whether libarchive's reader a, which opened name's stream, what
 * by its magic (as ingest_stream_what says it), decompresses it: 0; else
 * fails err (-1): its header is corrupt (a reader that takes no filter
 * for it would give its bytes as they are). */
int source_stream_taken(struct archive *a, const char *name,
			const char *what, struct br_err *err);

/* Fails err, returning -1, with why libarchive's reader a could not
 * decompress name's stream, what it is (as ingest_stream_what says it;
 * NULL: not known): truncated (a's error says so, or xz's "No progress is
 * possible") or corrupt, with a's error. */
int source_stream_failed(struct archive *a, const char *name,
			 const char *what, struct br_err *err);

/* Tells whether libarchive's reader a, of a compressed stream through
 * its raw format, failed to open its entry because the stream is empty:
 * an empty stream has no raw entry, it decompresses to nothing. */
bool source_stream_empty(struct archive *a);

/* What follows a compressed stream that libarchive decompresses
 * (stream_end.c): zeros to the input's end end it; anything else fails
 * the input, named, "unexpected data after the bzip2 stream", or, when
 * it is another stream's first bytes, "truncated" (libarchive's bzip2
 * and lz4 readers ended the input there without a word). Its raw bytes
 * are seen as they are handed to libarchive (stream_end_see); when it
 * ends (archive_read_data gives 0), stream_end_reached, then the bytes
 * after them read and seen while stream_end_more, then stream_end_check.
 * A stream of what NULL (no stream libarchive decompresses) is not
 * checked. */
#define STREAM_END_LAST 16
struct lz4_walk {
	int state;
	unsigned char field[4], flags;
	unsigned have, need;
	uint64_t skip;
	bool ends;    /* a frame ends once skip bytes are passed */
	uint64_t end; /* the offset after the last whole frame */
	/* libarchive ends the stream at a legacy frame of no block that
	 * another frame follows (it takes the frame's end for the stream's):
	 * blockless, in a legacy frame with no block yet; stop, the offset
	 * after the first such frame (0: none; messages count bytes from 1,
	 * as a record's "invalid JSON at byte N" does); lost, a block
	 * follows it. */
	bool blockless, lost;
	uint64_t stop;
};
struct stream_end {
	const char *what; /* as ingest_stream_what says it, or NULL */
	uint64_t seen;    /* raw bytes seen */
	uint64_t nonzero; /* the offset after the last of them not zero */
	unsigned char last[STREAM_END_LAST]; /* the last of them */
	size_t last_len;
	bool reached;
	uint64_t end; /* bytes libarchive consumed when it ended */
	struct lz4_walk lz4;
	/* xz: the offset after the last stream footer seen (0: none), and
	 * the first bytes after it that are not zeros. */
	uint64_t footer;
	unsigned char after[6];
	size_t after_len;
};
void stream_end_init(struct stream_end *e, const char *what);
void stream_end_see(struct stream_end *e, const void *p, size_t n);
/* The stream ended: a, its reader, says where. */
void stream_end_reached(struct stream_end *e, struct archive *a);
/* Tells whether the bytes after the stream must be read on (to the
 * input's end): not once they fail it. */
bool stream_end_more(const struct stream_end *e);
/* 0 when only zeros follow the stream (all its bytes seen); else fails
 * err, name's, -1. */
int stream_end_check(const struct stream_end *e, const char *name,
		     struct br_err *err);
/* As source_stream_failed (e may be NULL), but an xz's data after its
 * stream is said to be that, not truncated, and so is an lz4 stream that
 * ends with a legacy frame of no block (libarchive refuses one last). */
int stream_end_failed(const struct stream_end *e, struct archive *a,
		      const char *name, struct br_err *err);

/* Makes the n bytes at head (already read from the file descriptor) the
 * input's first, before the first source_next: they count as read of the
 * file (source_disk_pos), as compressed bytes for the bomb cap. */
void source_prime(struct source *src, const void *head, size_t n);

/* The bytes of a file's start its container is told from: its magic, and
 * a gzip member's first block (source_gzip_holds_tar). */
#define SOURCE_HEAD_BYTES ((size_t)65536)

/* Tells whether the n bytes at p are all zeros. */
bool source_zeros(const unsigned char *p, size_t n);

/* Tells whether the n bytes at p, a file's first (the whole file, or
 * SOURCE_HEAD_BYTES of it), are an empty tar: the whole file (n less than
 * SOURCE_HEAD_BYTES), at least two 512-byte blocks and nothing but zeros
 * (tar -T /dev/null writes 10,240), which no log is. */
bool source_zero_head(const unsigned char *p, size_t n);

/* Tells whether a gzip file whose first n bytes (the whole file, or at
 * least SOURCE_HEAD_BYTES of it) are at in holds a tar archive: its first
 * block says so, or it inflates to zeros only (an empty tar,
 * source_zero_head) and its stream ends within those bytes. */
bool source_gzip_holds_tar(const unsigned char *in, size_t n);

/* The output a compressed input may give beyond --max-ratio times its
 * size: small inputs (a 1 KiB log of repeated lines) compress far more. */
#define SOURCE_BOMB_SLACK ((uint64_t)16 << 20)

/* Fails with err, naming name and saying the figures and the 16 MiB of
 * slack, and returns -1 when out decompressed bytes from in compressed
 * are more than ratio times in plus SOURCE_BOMB_SLACK; else returns 0. */
int source_bomb(const char *name, uint64_t out, uint64_t in, uint64_t ratio,
		struct br_err *err);

/* Caps decompression: reading fails once the output exceeds ratio times
 * the input's compressed size plus 16 MiB (0: no cap). The size is a
 * regular file's size on disk, or the compressed bytes read so far when
 * it is not known (a pipe) or they are more. */
void source_set_max_ratio(struct source *src, uint64_t ratio);

/* Tells a member's source the size of its archive's file (0: not a
 * regular file) and what the members before it inflated to: the cap is
 * on the output of all of an archive's members, against its size. */
void source_set_archive_size(struct source *src, uint64_t size,
			     uint64_t out_before);

/* As a member's source caps its output (source_set_max_ratio, 0: no
 * cap): fails err, naming name, and returns -1 when out bytes, what the
 * members of archive a so far give (those skipped as no log too: a
 * compressed tar's are decompressed to be skipped, and a zip's are
 * counted at the size it declares), are more than ratio times the
 * archive's compressed size, size (0: not a regular file) or the bytes of
 * it read so far when more (*raw_pos; NULL: libarchive's count), plus
 * SOURCE_BOMB_SLACK. Else returns 0. */
int source_archive_bomb(struct archive *a, const uint64_t *raw_pos,
			uint64_t size, const char *name, uint64_t out,
			uint64_t ratio, struct br_err *err);

/* Hashes the bytes of the file as they are read (source_raw_fp), from
 * its first: call before the first source_next, on a source of a file
 * not read yet, not primed. */
void source_hash_raw(struct source *src);

/* Fills *fp with the hash of every byte of the file, when source_hash_raw
 * was called and it was read to its end (source_disk_pos bytes), not to
 * a limit: true; else false. */
bool source_raw_fp(const struct source *src, struct br_fp *fp);

/* A file is read to at most limit of its bytes, compressed ones when it
 * is (0: to its end). */
void source_set_limit(struct source *src, uint64_t limit);
void source_free(struct source *src);

/* Tells whether the input turned out to be compressed (valid after the
 * first source_next). */
bool source_compressed(const struct source *src);

/* A gzipped file's compressed bytes inflated so far (*used) and what they
 * inflated to (*made), on whichever thread inflates it: ahead of what the
 * caller got when it has a thread of its own. 0 and 0 for what is not a
 * gzipped file (an archive member) or before the first inflate. */
void source_gzip_progress(const struct source *src, uint64_t *used,
			  uint64_t *made);

/* The next bytes of the input: their count, 0 at the end of the input, or
 * -1 with the reason in err (I/O error, corrupt or truncated compressed
 * data). *p points at them until the next call. */
ssize_t source_next(struct source *src, const char **p, struct br_err *err);

/* Tells whether source_read_into may be used instead of source_next: the
 * input is a plain file, not an archive member (valid after the first
 * source_next). */
bool source_can_read_into(const struct source *src);

/* The next bytes of such an input, up to cap, read into buf without a
 * copy: as source_next otherwise. The two may take turns. */
ssize_t source_read_into(struct source *src, char *buf, size_t cap,
			 struct br_err *err);

/* Tells whether source_take may be used instead of source_next: the input
 * is decompressed ahead, on a thread of its own (valid after the first
 * source_next). */
bool source_can_take(const struct source *src);

/* The size of the buffers source_take hands over, and the room before
 * their bytes. */
#define SOURCE_TAKE_HEAD ((size_t)64 << 10)
#define SOURCE_TAKE_SIZE (SOURCE_TAKE_HEAD + ((size_t)512 << 10))

/* The next bytes of such an input, as source_next, in a buffer that
 * becomes the caller's: *mem, malloc'ed, of SOURCE_TAKE_SIZE bytes, the
 * bytes at *p, SOURCE_TAKE_HEAD bytes into it, for the caller to put
 * bytes before them. spare, a buffer of SOURCE_TAKE_SIZE bytes or NULL,
 * becomes the source's in any case: the next bytes are decompressed into
 * it. Not a copy: the bytes are where they were decompressed. The two
 * may take turns. */
ssize_t source_take(struct source *src, char *spare, char **mem,
		    const char **p, struct br_err *err);

/* The hash (core/hash.c) of the bytes a source gave: of all of them, from
 * its first, up to the end of the last ones given (all), and up to the
 * last line end of those (lines, lines_len bytes into them; 0: they hold
 * none), as br_hash_update over each byte in turn would have it. */
struct source_hash {
	struct br_hasher all, lines;
	size_t lines_len;
};

/* Hashes the n bytes at p on from sh->all, which becomes their hash,
 * noting it after their last line end in sh->lines and sh->lines_len (0,
 * sh->lines undefined: they hold none). How a source hashes the bytes it
 * decompresses ahead, and its caller those it gave otherwise. */
void source_hash_bytes(struct source_hash *sh, const char *p, size_t n);

/* Of the bytes the last source_next or source_take gave, when src
 * decompresses ahead: their hash, taken on the decompressing thread as
 * they were decompressed, while its cache held them (valid until the next
 * call); else NULL, and the caller hashes them. */
const struct source_hash *source_given_hash(const struct source *src);

/* How far into the file (compressed bytes; an archive's own position)
 * reading has got; may be called from any thread. */
uint64_t source_disk_pos(const struct source *src);

/* The errno of a read of the file that failed, 0 when none did: tells a
 * read error from corrupt data once source_next has returned -1 (on the
 * caller's thread when it decompresses ahead). */
int source_read_errno(const struct source *src);

/* ------------------------------------------- hand-overs between threads */

/* A thread about to sleep until another hands it work (a block queued
 * for the pool, a ring's buffer filled or freed) first spins: up to
 * HANDOVER_SPINS rounds of a pause, testing the condition without the
 * lock, its CPU yielded every 64th round (to the thread it may be waiting
 * for, there); only then does it take the lock and sleep. On the
 * project's 2 CPUs the 2M-record JSONL.gz's hand-overs mostly come sooner
 * than a sleep and its wake-up cost (a futex call each side, an interrupt
 * between the CPUs, a switch): its wall time x0.94-0.98, its CPU
 * x0.99-1.00 (medians of four runs of 16-40 pairs; docs/PERFORMANCE.md,
 * stop 56). At most ~70 us of a CPU a wait (a pause ~28 ns on the
 * project's host, a sched_yield ~0.6 us), which any other thread
 * runnable there takes first. */
#define HANDOVER_SPINS 2000

static inline void handover_pause(unsigned round)
{
	if (round % 64 == 63)
		sched_yield();
#ifdef __SSE2__
	else
		_mm_pause();
#endif
}

/* Spins while cond holds, as above. cond reads with __atomic loads what
 * another thread changes under a lock (there with __atomic stores), and
 * is tested again under the lock after. */
#define HANDOVER_SPIN_WHILE(cond)                                           \
	for (unsigned handover_round = 0;                                    \
	     handover_round < HANDOVER_SPINS && (cond); handover_round++)     \
		handover_pause(handover_round)

/* ------------------------------------------------------- ring of buffers */

/* A ring of buffers between one producer thread and one consumer thread;
 * the consumer sees the buffers in the order they were filled. */
struct ring;

struct ring *ring_new(unsigned nbufs, size_t size);
/* Frees the ring; both threads must be done with it. */
void ring_free(struct ring *r);

/* Producer: a free buffer of the ring's size to fill (waits while every
 * buffer is full), or NULL once the consumer closed the ring. */
char *ring_produce_begin(struct ring *r);
/* Producer: publishes the buffer got last, with len bytes and a status
 * the consumer sees with it. */
void ring_produce_end(struct ring *r, size_t len, int status);

/* Consumer: hands back the buffer got last, then waits for the next full
 * one; returns it, its length and status. */
const char *ring_consume(struct ring *r, size_t *len, int *status);
/* Consumer: as ring_consume, but the buffer becomes the caller's to free,
 * and spare (a buffer of the ring's size, or NULL: one is allocated) takes
 * its place in the ring. At the end or an error (*status not 0) returns
 * NULL, and spare is freed. */
char *ring_take(struct ring *r, size_t *len, int *status, char *spare);
/* Consumer: hands back its buffer and tells the producer to stop. */
void ring_close(struct ring *r);

/* ---------------------------------------------------- set of request ids */

/* An exact set of byte strings (request ids), compact (idset.c). One
 * thread at a time changes a set; while none does, any number may look in
 * it (idset_has, idset_prefetch, idset_count). */
struct idset;

struct idset *idset_new(void);
/* Frees s. The file its ids were spilled to is closed on a thread of its
 * own (its pages truncated), which idset_reap joins, and at the latest
 * the process's exit. */
void idset_free(struct idset *s);
/* Waits until the files of every set freed are closed. */
void idset_reap(void);
uint64_t idset_count(const struct idset *s);

/* The hash of an id's bytes (its key's: idset_key): only ever in memory,
 * never stored. An id of up to 16 bytes (most: "s1-123456"; a UUID's
 * packed bytes) is read as two words, whole (br_short_word below 8 bytes,
 * else its first and last 8), multiplied into 128 bits, folded and
 * mixed: ~21 instructions inline, against ~50 for br_hash64 and its call
 * (30.5 fewer a record of the 2M bench's 3,914; docs/PERFORMANCE.md, stop
 * 42). Its spread, 2M ids of six patterns ("s1-N", "r%09d", 16 hex
 * digits, ...): shards within 7,521-8,093 ids and chi-square 235-288 (255
 * degrees of freedom), probes an insert 2.32-2.33 in tables 75% full, as
 * br_hash64. Longer ids take idset_hash_long. */
uint64_t idset_hash_long(const char *id, size_t n);
/* idset_hash of the two words a and b an id of n bytes was read as. */
static inline uint64_t idset_hash_words(uint64_t a, uint64_t b, uint64_t n)
{
	unsigned __int128 m =
		(unsigned __int128)(a ^ UINT64_C(0x9E3779B97F4A7C15)) *
		(b ^ UINT64_C(0xC2B2AE3D27D4EB4F) ^ n);
	uint64_t h = (uint64_t)m ^ (uint64_t)(m >> 64);
	h = (h ^ h >> 32) * UINT64_C(0x9E3779B97F4A7C15);
	return h ^ h >> 29;
}
static inline uint64_t idset_hash(const char *id, size_t n)
{
	if (n > 16)
		return idset_hash_long(id, n);
	uint64_t a, b;
	if (n >= 8) {
		memcpy(&a, id, 8);
		memcpy(&b, id + n - 8, 8);
	} else {
		a = b = br_short_word(id, n);
	}
	return idset_hash_words(a, b, n);
}

/* A request id as the sets take it: its bytes, or, of a UUID written
 * canonically (36 bytes: 8-4-4-4-12 lowercase hex digits, as most
 * loggers write them), the UUID's 16 bytes (uuid: kept apart from an id
 * of those 16 bytes); and its hash. A set keeps 17 bytes of such an id,
 * not 37: the 2M bench's set spills 31.5 MB to its file, not 71.3
 * (docs/PERFORMANCE.md, stop 52). p points into packed for a UUID: a key
 * is not copied. */
struct idset_key {
	const char *p;
	size_t n;
	uint64_t hash;
	bool uuid;
	unsigned char packed[16];
};

/* Writes the 16 bytes of the UUID at id (36 bytes) to out, when it is
 * written canonically; else returns false. */
bool idset_uuid_pack(const char *id, unsigned char out[16]);

/* The hash of a key's bytes p[0..n), of a UUID's packed bytes when uuid
 * (n is then 16). */
static inline uint64_t idset_key_hash(const char *p, size_t n, bool uuid)
{
	if (!uuid)
		return idset_hash(p, n);
	uint64_t a, b;
	memcpy(&a, p, 8);
	memcpy(&b, p + 8, 8);
	return idset_hash_words(a, b, 36);
}

/* Makes k the key of id[0..n). */
static inline void idset_key(struct idset_key *k, const char *id, size_t n)
{
	k->uuid = n == 36 && idset_uuid_pack(id, k->packed);
	k->p = k->uuid ? (const char *)k->packed : id;
	k->n = k->uuid ? 16 : n;
	k->hash = idset_key_hash(k->p, k->n, k->uuid);
}

/* Adds the id of key k; returns false when it was already there. */
bool idset_add(struct idset *s, const struct idset_key *k);
bool idset_has(const struct idset *s, const struct idset_key *k);

/* Makes room for n ids in all (not n more), so that adding up to that
 * many grows no table: a table grown a half at a time rehashes each id
 * ~3 times. */
void idset_expect(struct idset *s, uint64_t n);

/* Starts loading where id of hash h would be, for an add a little later. */
void idset_prefetch(const struct idset *s, uint64_t h);

/* How many ids a and b have in common. */
uint64_t idset_common(const struct idset *a, const struct idset *b);

/* The union of a and b, made from the larger of the two; takes both. */
struct idset *idset_merge(struct idset *a, struct idset *b);

/* Adds every id of src to dst. */
void idset_add_all(struct idset *dst, const struct idset *src);

/* The ids s holds now, as idset_rollback takes them (the length of each
 * shard's arena: ids are only ever appended); s is made large, so that
 * the ids added after stay in the shards they are in now. Freed with
 * free(). */
struct idset_mark;
struct idset_mark *idset_mark(struct idset *s);

/* Takes out of s every id added since mark m was made of it: an input's
 * ids added straight to the run's set as it was read, the input failing
 * or being read again. Rebuilds the tables of the shards it changes. */
void idset_rollback(struct idset *s, const struct idset_mark *m);

/* --------------------------------------------------------- JSON scanner */

/* A wanted member: a dotted path of object keys ("usage.input_tokens"),
 * of at most JPATH_MAX_TEXT bytes and JPATH_MAX_COMP components. */
#define JPATH_MAX_COMP 8
#define JPATH_MAX_TEXT 127
struct jpath {
	char text[JPATH_MAX_TEXT + 1];
	const char *comp[JPATH_MAX_COMP];
	size_t complen[JPATH_MAX_COMP];
	int ncomp;
};

/* Splits dotted into components. Returns 0, or -1 when dotted is longer
 * or has more components than a jpath holds: jp then matches nothing
 * (ingest_new refuses such a --map path). */
int jpath_init(struct jpath *jp, const char *dotted);

enum jtype { JV_NULL, JV_FALSE, JV_TRUE, JV_NUMBER, JV_STRING, JV_OBJECT,
	     JV_ARRAY };

/* jvalue.count of a value that is no such integer. */
#define JV_NO_COUNT UINT64_MAX

/* A captured member. raw/rawlen is the value's text in the record; a
 * string's decoded bytes are at jscan_str() (len bytes, not terminated). */
struct jvalue {
	const char *raw;
	/* A number that is an integer without sign of at most 7 digits (0
	 * to 9999999, most token counts): its value, converted as it was
	 * scanned; any other value: JV_NO_COUNT (its raw text tells). */
	uint64_t count;
	uint32_t rawlen;    /* records are shorter than 4 GiB */
	uint32_t len;       /* a string's decoded length */
	uint32_t str_off;   /* a string with escapes: decoded there in the
			     * scanner (one without is used in place) */
	uint8_t type;       /* enum jtype */
	bool present;
	bool is_int;        /* a number without fraction or exponent */
	bool escaped;       /* a string holding escapes */
};

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
_Static_assert(offsetof(struct jvalue, present) == offsetof(struct jvalue, type) + 1 &&
		       offsetof(struct jvalue, is_int) == offsetof(struct jvalue, type) + 2 &&
		       offsetof(struct jvalue, escaped) == offsetof(struct jvalue, type) + 3 &&
		       sizeof(bool) == 1,
	       "a jvalue's four flags are one word");

/* A present value's type, is_int and escaped as the word of a jvalue's
 * four flags (jv_flags): put_value stores them in one store, the generic
 * JSONL reader tests the usual string's in one compare. */
#define JV_FLAGS(t, is_int, escaped)                                    \
	((uint32_t)(t) | 1u << 8 | (uint32_t)(is_int) << 16 |           \
	 (uint32_t)(escaped) << 24)

/* v's type, present, is_int and escaped, as one word. */
static inline uint32_t jv_flags(const struct jvalue *v)
{
	uint32_t w;
	memcpy(&w, (const char *)v + offsetof(struct jvalue, type), sizeof w);
	return w;
}
#endif

struct jscan;

/* Creates a scanner for up to 64 wanted paths (borrowed). */
struct jscan *jscan_new(const struct jpath *paths, size_t npaths);
void jscan_free(struct jscan *s);

/* Validates rec as one JSON object and fills out[i] for each wanted path
 * found (the last occurrence wins, as in jansson: a repeated key also
 * drops what was captured inside the member it replaces; paths that are
 * the same all get the value) and zeroes the others (present false).
 * Returns NULL, or why the record is not valid JSON with the byte offset
 * in *error_at; out is then unspecified. Captured strings stay valid
 * until the next call and as long as rec. */
const char *jscan_record(struct jscan *s, const char *rec, size_t len,
			 struct jvalue *out, size_t *error_at);

/* Scans the JSON line at line, of which n bytes may be read (the line,
 * its newline and what follows), if its end can be told from its record
 * alone: one walked whole by the shape of a record s scanned before
 * (jsonscan.c), its '}' followed at once by the newline. Returns the
 * line's length, its newline at line[len], out filled as jscan_record
 * fills it for that (valid) record; else 0, out unspecified: the caller
 * finds the line's end and calls jscan_record. It does not try after a
 * record not walked whole by a shape, nor for a while after lines it
 * could not tell. */
size_t jscan_line(struct jscan *s, const char *line, size_t n,
		  struct jvalue *out);

/* The paths jscan_record may take (jsonscan.c): the fast path, its
 * classification by AVX2 where the processor has it, else by SSE2; the
 * fast path with SSE2 alone; or the scalar scanner alone. The fast path
 * gives exactly what the scalar scanner does (the tests and fuzz/ compare
 * them) and exists on x86-64 only: elsewhere every path is the scalar. */
enum jscan_path { JSCAN_BEST, JSCAN_SSE2, JSCAN_SCALAR };

/* Sets the path of the records s scans from now on (jscan_new: the
 * best). */
void jscan_use(struct jscan *s, enum jscan_path path);

/* Tells whether the fast path completed the last record s scanned (false:
 * the scalar scanner scanned it). */
bool jscan_fast(const struct jscan *s);

/* The decoded text of a captured string value with escapes. */
const char *jscan_decoded(const struct jscan *s, const struct jvalue *v);

/* The decoded text of a captured string value: one without escapes is
 * used in place. */
static inline const char *jscan_str(const struct jscan *s,
				    const struct jvalue *v)
{
	return v->escaped ? jscan_decoded(s, v) : v->raw + 1;
}

/* --------------------------------------------------------------- formats */

/* The canonical fields --map can redirect, in the generic format's order
 * (ingest.h). */
enum canon {
	CANON_TIMESTAMP, CANON_PROVIDER, CANON_MODEL, CANON_AGENT, CANON_LABEL,
	CANON_REQUEST_ID, CANON_STATUS, CANON_TIER, CANON_INPUT, CANON_OUTPUT,
	CANON_CACHE_READ, CANON_CACHE_WRITE, CANON_CACHE_WRITE_1H,
	CANON_REASONING, CANON_COST, CANON_COUNT
};

/* Their names ("timestamp", ..., "input_tokens", ..., "cost_usd"). */
extern const char *const canon_names[CANON_COUNT];

/* Where each canonical field comes from when --map says (NULL: the
 * format's own source), and the option that names a log's format, for
 * the message of a format not told (ingest_opts.format_option). */
struct format_maps {
	const char *path[CANON_COUNT];
	const char *format_option;
};

/* Where a format hands the events it makes itself: several for one record
 * (an aggregate page), or held back until the input's end to merge the
 * copies of one request (streams, session logs). The event's strings must
 * stay valid for the call only. */
struct format_sink {
	void *ctx;
	void (*event)(void *ctx, struct br_event *ev);
	/* NULL, or why the sink would reject ev whatever else the input
	 * holds (a name too long, a token count or cost beyond a record's
	 * caps); it may price ev. A format whose record makes several events
	 * asks before it hands over any, and rejects the record whole; one
	 * that holds events to merge asks before holding each. (A backfill's
	 * day range is not asked about: it keeps the events of a record that
	 * fall inside it.) */
	const char *(*refuses)(void *ctx, struct br_event *ev);
	/* Rejects ev, counted and written as a rejected record of the current
	 * line, when it falls outside a backfill's day range; returns whether
	 * it did. A format that holds the events of aggregate rows to the end
	 * of the input asks before holding each, so that the reject names the
	 * line it came from (the driver asks again of every event handed
	 * over). NULL: never. */
	bool (*rejects_outside)(void *ctx, const struct br_event *ev);
};

/* What a format's line() returns. */
enum {
	FORMAT_FAIL = -1,    /* the input cannot be read in this format */
	FORMAT_MORE = 0,     /* the line only continues a record (CSV quotes) */
	FORMAT_RECORD = 1,   /* a record: *ev or *reject is set */
	FORMAT_NONE = 2,     /* consumed without making a record (a header) */
	FORMAT_EMITTED = 3   /* a record whose events (maybe none: a line
			      * that carries no usage) went to the sink, or
			      * are held for finish() */
};

/* Zeroes an event, as memset would. gcc inlines a memset of an event's
 * size as `rep stos`, which costs ~15 ns a call on the project's VM
 * against ~5 ns for vector stores, and up to 8% of the CSV bench's CPU
 * in the parsers, which clear an event a record. The empty asm keeps gcc
 * from turning the loop back into that memset; unrolled, the loop is its
 * 17 stores (it was 51 instructions). */
static inline void event_clear(struct br_event *ev)
{
#ifdef __SSE2__
	char *p = (char *)ev;
#pragma GCC unroll 32
	for (size_t i = 0; i + 16 <= sizeof *ev; i += 16) {
		_mm_storeu_si128((__m128i *)(p + i), _mm_setzero_si128());
		__asm__("" : "+r"(p));
	}
	memset(p + sizeof *ev / 16 * 16, 0, sizeof *ev % 16);
#else
	memset(ev, 0, sizeof *ev);
#endif
}

/* A record format. String slices of an event may point into the record or
 * into the parser's state, valid until the next call; a reject reason is
 * valid until the next call. */
struct format_parser {
	/* One physical line (without its newline) of the input; returns a
	 * FORMAT_* value. FORMAT_FAIL leaves the message in err. */
	int (*line)(struct format_parser *p, const char *line, size_t len,
		    struct br_event *ev, const char **reject,
		    struct br_err *err);
	/* Called at the end of the input: hands held events to the sink,
	 * then returns 1 when a final incomplete record (an unterminated CSV
	 * quote) must be rejected, else 0. */
	int (*finish)(struct format_parser *p, const char **reject);
	void (*free)(struct format_parser *p);
	const char *name;
	struct format_sink sink; /* set by the driver after opening */
	/* Events go to the sink only while line() runs, never later: the
	 * driver need not keep a copy of the record after the call. */
	bool immediate;
	/* Each record depends on no line before it but the first (a CSV
	 * header): whole records after the first line may be parsed by
	 * another parser opened on that first line, in any order. */
	bool splittable;
	/* It rejects a record with a NUL in a name itself (only a decoded
	 * escape can make one), so the driver need not look for one. */
	bool names_checked;
	/* Each record is one JSON object on one line: a line cut short is
	 * never a valid one, so a last line without a newline that is one
	 * is a whole record, not a line still being written. */
	bool json_lines;
	/* The line the parser was opened on (a CSV header's), for its
	 * messages; 0 when not known (a resumed input, or beyond 2^32 - 1).
	 * Set by the driver. (Here, in the padding after the flags: a field
	 * that grew the struct moved the CSV parser's cells, and their
	 * addressing cost an instruction more a cell.) */
	uint32_t first_line;
	/* Tells whether line, the input's last, which has no newline, is a
	 * whole record rather than one still being written. NULL: by
	 * json_lines. */
	bool (*whole)(const struct format_parser *p, const char *line,
		      size_t len);
	/* NULL, or, of an immediate parser that takes each line as one
	 * record (FORMAT_RECORD), a line's record parsed before its end is
	 * known: text is the line's start, of which n bytes may be read
	 * (the line, its newline, what follows). When it can tell the
	 * line's end from the record, returns the line's length (its
	 * newline at text[len]), having done what line() does with that
	 * line; else returns 0, with no event nor reject, and the driver
	 * finds the newline and calls line(). */
	size_t (*ahead)(struct format_parser *p, const char *text, size_t n,
			struct br_event *ev, const char **reject);
};

/* Tells a format name from those ingest knows ("auto" included). */
bool format_known(const char *name);

/* The names of the formats, for messages ("generic, openai, ..."). */
const char *format_names(void);

/* What a thread keeps from one input's parser to the next: the scanner
 * that tells a JSONL log's format from its first record, and the generic
 * JSONL parser of its last input, which keeps no state of it. A backfill
 * of 10,000 small logs would else pay, for each, detection by jansson
 * (~5 us) and a new scanner (~4 us). One thread at a time uses one. */
struct format_cache;
struct format_cache *format_cache_new(void);
void format_cache_free(struct format_cache *c);

/* Creates the parser for an input whose first non-blank line is
 * line[0..len), for format name ("auto": detected from that line, a JSON
 * object's keys or a CSV header), with what cache keeps (NULL: none).
 * Returns NULL when auto-detection cannot tell the format, saying why in
 * err. */
struct format_parser *format_open(const char *name, const char *line,
				  size_t len, const char *input_name,
				  const struct format_maps *maps,
				  struct format_cache *cache,
				  struct br_err *err);

/* Frees parser p, or keeps it in cache (NULL: none) for the next input
 * of the thread that opened it. */
void format_close(struct format_parser *p, struct format_cache *cache);

/* The generic formats (generic.c). */
struct format_parser *generic_jsonl_open(const struct format_maps *maps);
struct format_parser *generic_csv_open(const char *input_name,
				       const struct format_maps *maps);

/* The JSONL formats of APIs, gateways and tools (formats.c); NULL for a
 * name that is not one. */
struct format_parser *api_format_open(const char *name,
				      const struct format_maps *maps);

/* The CSV exports of gateways (litellm, helicone, langfuse): the generic
 * CSV reader handing each record to format_map_csv_row. */
struct format_parser *csv_format_open(const char *name,
				      const char *input_name,
				      const struct format_maps *maps);

/* Tells whether the map of format's CSV export reads column name (or a
 * --map path of maps begins with it): such a column may not repeat. */
bool format_reads_column(const char *format, const struct format_maps *maps,
			 struct br_str name);

/* Maps one CSV record of format (header names and cells, n of each) and
 * hands its event, if any, to sink. Returns NULL, or the reason the record
 * is rejected (written to reason); *rc gets FORMAT_EMITTED or
 * FORMAT_RECORD. */
const char *format_map_csv_row(const char *format, struct br_str *names,
			       struct br_str *cells, size_t n,
			       const struct format_maps *maps,
			       const struct format_sink *sink, int *rc,
			       char *reason, size_t size);

/* The value at dotted path inside a CSV cell holding JSON (of column),
 * as text (a string's contents, a number's digits) in out; *found false
 * when the cell is empty or has no scalar there. Returns NULL, or why the
 * cell is not valid JSON (written to why): the record is rejected. */
const char *json_cell_path(struct br_str cell, struct br_str column,
			   const char *path, struct br_buf *out, bool *found,
			   char *why, size_t size);

/* Detects the format of a JSON first record (with d, which one thread
 * at a time uses; NULL when the record is not a valid JSON object) or a
 * CSV header line: a format name, or NULL. A record's members are read as
 * the generic scanner reads them (the last of a repeated key, \u0000 and
 * any number taken). */
struct format_detector;
struct format_detector *format_detector_new(void);
void format_detector_free(struct format_detector *d);
const char *format_detect_json(struct format_detector *d, const char *line,
			       size_t len);
const char *format_detect_csv(const char *line, size_t len);

/* Parses a status value (an HTTP code or a word) and tells whether it marks
 * a failed request. */
bool status_is_error(const char *s, size_t n);

/* Tells whether the text of a JSON number (valid JSON syntax: a parser
 * checked it) is >= 400, exactly, whatever its form: 503, 503.0 and 4e2
 * are, 399.99999999999999999 (400 as a double) is not. */
bool json_number_is_error(const char *s, size_t n);

/* Parses a decimal token count: digits (leading zeros too), fits in 63
 * bits (as a JSON integer does; a count beyond the cap of a record is
 * rejected as such by the caller); a '-' only before a value of 0 ("-0",
 * "-00": the integer 0, as JSON's -0 is), no '+', no space. The one rule
 * of a count's text for the generic JSONL and CSV, and for a vendor
 * format's string or CSV cell. */
bool parse_count(const char *s, size_t n, uint64_t *out);

#endif
