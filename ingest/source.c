/* source.c - the bytes of one input: plain, or gzip (multi-member)
 * decompressed with ISA-L, detected by magic bytes; read from a file
 * descriptor or from a member of an archive (libarchive), a member
 * compressed with zstd, xz, bzip2 or lz4 decompressed by libarchive's
 * filters. Decompression is
 * capped relative to the compressed size, against decompression bombs, and
 * may run ahead on a thread of its own, filling a ring of buffers while the
 * caller parses the ones before; that thread inflates a gzip file from its
 * mapping rather than from copies read (map_file). A plain file may
 * instead be read straight into the caller's buffer (source_read_into). */
#include <archive.h>
#include <errno.h>
#include <isa-l/igzip_lib.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ingest/ingest_internal.h"

#define SOURCE_CHUNK ((size_t)1 << 20)
/* What a small compressed file is inflated into at a time: under the
 * size from which malloc maps memory. */
#define SMALL_OUT_CHUNK ((size_t)64 << 10)

/* Decompressing ahead: RING_BUFS buffers of RING_BUF bytes, each
 * decompressed into after SOURCE_TAKE_HEAD bytes of room (source_take). */
#define RING_BUFS 3
#define RING_BUF (SOURCE_TAKE_SIZE - SOURCE_TAKE_HEAD)
_Static_assert(RING_BUFS >= 2, "the ring has RING_BUFS slots (ring_new makes "
	       "2 at least), and its buffers' hashes one each (struct source)");

struct source {
	int fd;
	struct archive *archive; /* read the current member of it instead */
	const char *name;
	uint64_t max_ratio;      /* 0: no cap */
	/* The compressed size the cap is against, when known (a regular
	 * file's, or the archive file's of a member; 0: unknown), and what
	 * the archive's members before this one inflated to: the cap is on
	 * all of one archive's output, not on each member's. */
	uint64_t in_size, out_before;
	/* The compressed bytes an archive fed decompressed by its reader's
	 * callback has read (NULL: archive_filter_bytes tells). */
	const uint64_t *raw_pos;
	uint64_t in_total, out_total;
	uint64_t limit;          /* a plain file: read at most this (0: all) */
	/* Of a file read from its first byte (source_hash_raw): the hash of
	 * every byte read from it so far, as read. */
	struct br_hasher *raw_hash;
	uint64_t disk_pos;       /* atomic: bytes of the file read so far */
	/* Atomic: a gzip's compressed bytes inflated so far, and what they
	 * inflated to, on whichever thread inflates. */
	uint64_t gzip_used, gzip_made;
	bool probed, gzip, eof, member_done;
	bool member_new; /* a gzip member whose flags are not checked yet */
	bool zero_tail;  /* zeros read after a gzip's last member */
	/* A member compressed otherwise (zstd, xz, bzip2, lz4): what it is
	 * (ingest_stream_what), and the reader of libarchive's decompressing
	 * it, its raw format reading src->in (NULL: an empty stream); the
	 * error of a read of the archive it made (inner_read). */
	const char *stream;
	struct archive *inner;
	struct br_err inner_err;
	/* What follows its stream, and whether it was checked. */
	struct stream_end end;
	bool end_checked;
	unsigned char *in;  /* compressed bytes read but not yet inflated */
	size_t in_cap, in_len, in_off;
	char *out;          /* inflated bytes, when inflating on this thread */
	size_t out_cap;
	struct inflate_state st;
	/* Decompressing ahead: the thread, its ring and its error. */
	bool ahead, running;
	pthread_t thread;
	struct ring *ring;
	struct br_err thread_err;
	/* The hash of the bytes in each of the ring's buffers, taken by the
	 * thread (hash_ahead: ahead_hash, of every byte it decompressed),
	 * in the order they are filled: the k-th buffer filled, the k-th
	 * given, takes hashes[k % RING_BUFS] (the ring's slots in turn; a
	 * slot is filled again only once the caller asked for the buffer
	 * after it, done with its hash). given: the last one given. */
	struct br_hasher ahead_hash;
	struct source_hash hashes[RING_BUFS];
	uint64_t filled, taken;
	const struct source_hash *given;
	int read_errno; /* of a read of the file that failed, or 0 */
	/* A gzip file inflated ahead, mapped (map_file): src->in is then
	 * its mapping of map_len bytes from the file's start, whose first
	 * map_gone bytes are unmapped again; in_buf, the buffer src->in
	 * was. may_map: the thread inflating ahead may map the file. */
	unsigned char *map, *in_buf;
	size_t map_len, map_gone;
	bool may_map, map_tried;
};

/* A source of fd (-1: none yet) whose input is size bytes (-1: not
 * known). One of less than SOURCE_CHUNK - 4 KiB is read into a buffer of
 * its size and a page more (so that one still empty now is read too),
 * without a thread decompressing ahead: a mapped chunk per input would
 * cost a backfill of thousands of small logs (or an archive of 20,000
 * hourly logs) a page fault and an unmapping (a TLB shootdown on every
 * CPU) each, and a thread and its ring more than they overlap. One that
 * grows meanwhile, or whose size lied, is read in several reads of that
 * size. */
static struct source *source_new(int fd, const char *name, bool ahead,
				 int64_t size)
{
	struct source *src = br_calloc(1, sizeof *src);
	src->fd = fd;
	src->name = name;
	bool small = size >= 0 && (uint64_t)size < SOURCE_CHUNK - 4096;
	src->in_cap = small ? (size_t)size + 4096 : SOURCE_CHUNK;
	src->in = br_malloc(src->in_cap);
	src->out_cap = small ? SMALL_OUT_CHUNK : SOURCE_CHUNK;
	src->ahead = ahead && !small;
	return src;
}

struct source *source_open(int fd, const char *name, bool ahead)
{
	struct stat sb;
	bool regular = fd >= 0 && fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode);
	/* Only a regular file is decompressed ahead: a thread blocked
	 * reading a pipe could not be stopped. */
	struct source *src = source_new(fd, name, ahead && regular,
					regular ? (int64_t)sb.st_size : -1);
	if (regular && sb.st_size > 0)
		src->in_size = (uint64_t)sb.st_size;
	return src;
}

struct source *source_open_member(struct archive *a, const char *name,
				  bool ahead, int64_t size)
{
	struct source *src = source_new(-1, name, ahead, size);
	src->archive = a;
	return src;
}

void source_set_raw_pos(struct source *src, const uint64_t *pos)
{
	src->raw_pos = pos;
}

void source_prime(struct source *src, const void *head, size_t n)
{
	if (!n)
		return; /* head may then be NULL, which memcpy may not take */
	if (n > src->in_cap - src->in_len) {
		src->in_cap = src->in_len + n;
		src->in = br_realloc(src->in, src->in_cap);
	}
	memcpy(src->in + src->in_len, head, n);
	src->in_len += n;
	src->in_total += n;
	/* Read already: an archive piped in, decompressed from them, is
	 * capped against them (feed_next). */
	__atomic_store_n(&src->disk_pos, src->in_total, __ATOMIC_RELAXED);
}

/* The compressed bytes of archive a read so far: *raw_pos, or
 * libarchive's count when raw_pos is NULL. */
static uint64_t archive_read_bytes(struct archive *a, const uint64_t *raw_pos)
{
	return raw_pos ? *raw_pos : (uint64_t)archive_filter_bytes(a, -1);
}

/* The compressed bytes of the archive a member is read from so far. */
static uint64_t archive_pos(const struct source *src)
{
	return archive_read_bytes(src->archive, src->raw_pos);
}

void source_hash_raw(struct source *src)
{
	src->raw_hash = br_malloc(sizeof *src->raw_hash);
	br_hash_init(src->raw_hash);
}

bool source_raw_fp(const struct source *src, struct br_fp *fp)
{
	/* At a limit (reading an input again), eof is not the file's end. */
	if (!src->raw_hash || !src->eof || src->limit)
		return false;
	*fp = br_hash_final(src->raw_hash);
	return true;
}

void source_set_limit(struct source *src, uint64_t limit)
{
	src->limit = limit;
}

uint64_t source_disk_pos(const struct source *src)
{
	return __atomic_load_n(&src->disk_pos, __ATOMIC_RELAXED);
}

int source_read_errno(const struct source *src)
{
	return src->read_errno;
}

void source_set_max_ratio(struct source *src, uint64_t ratio)
{
	src->max_ratio = ratio;
}

void source_set_archive_size(struct source *src, uint64_t size,
			     uint64_t out_before)
{
	src->in_size = size;
	src->out_before = out_before;
}

void source_free(struct source *src)
{
	if (!src)
		return;
	if (src->running) {
		ring_close(src->ring);
		pthread_join(src->thread, NULL);
	}
	ring_free(src->ring);
	if (src->map) {
		munmap(src->map + src->map_gone, src->map_len - src->map_gone);
		src->in = src->in_buf;
	}
	if (src->inner)
		archive_read_free(src->inner);
	free(src->raw_hash);
	free(src->in);
	free(src->out);
	free(src);
}

/* Reads up to want bytes of the file (up to its limit) into buf: returns
 * how many, 0 at its end, -1 on error. */
static ssize_t read_file(struct source *src, char *buf, size_t want,
			 struct br_err *err)
{
	if (src->limit && src->limit - src->in_total < want)
		want = (size_t)(src->limit - src->in_total);
	ssize_t r;
	do
		r = want && src->fd >= 0 ? read(src->fd, buf, want) : 0;
	while (r < 0 && errno == EINTR);
	if (r < 0) {
		src->read_errno = errno;
		return br_fail(err, "%s: cannot read: %s", src->name,
			       strerror(errno));
	}
	if (src->raw_hash)
		br_hash_update(src->raw_hash, buf, (size_t)r);
	src->in_total += (uint64_t)r;
	__atomic_store_n(&src->disk_pos, src->in_total, __ATOMIC_RELAXED);
	if (r == 0)
		src->eof = true;
	return r;
}

/* On the thread inflating a mapped file ahead: its source, and where the
 * thread goes when a read of the mapping faults (read_mapped). */
static __thread const struct source *fault_src;
static __thread sigjmp_buf *fault_jump;
static struct sigaction sigbus_before;
static pthread_once_t sigbus_once = PTHREAD_ONCE_INIT;

/* SIGBUS: a read of a mapped file past its end (it shrank since it was
 * mapped) or that the disk failed. In the mapping read_mapped reads, it
 * goes back there; else it is what it was before this handler. */
static void on_sigbus(int sig, siginfo_t *si, void *ctx)
{
	const struct source *src = fault_src;
	const unsigned char *at = si->si_addr;
	if (src && src->map && at >= src->map && at < src->map + src->map_len)
		siglongjmp(*fault_jump, 1);
	if (sigbus_before.sa_flags & SA_SIGINFO) {
		sigbus_before.sa_sigaction(sig, si, ctx);
	} else if (sigbus_before.sa_handler != SIG_DFL &&
		   sigbus_before.sa_handler != SIG_IGN) {
		sigbus_before.sa_handler(sig);
	} else {
		/* Its default action, when the access faults again. */
		signal(SIGBUS, SIG_DFL);
	}
}

static void sigbus_catch(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_sigbus;
	/* Not blocked in the handler, which leaves by siglongjmp without
	 * restoring a mask. */
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, &sigbus_before);
}

/* Maps the gzip file src reads, once, when its thread inflating ahead
 * first refills: its pending bytes are then those of the mapping, and
 * the rest is taken from it a chunk at a time (map_more), where reads
 * copied each byte before it was inflated (the copy was ~0.06 s of the
 * JSONL.gz's CPU, on the thread its time is bound by: docs/
 * PERFORMANCE.md, stop 53). Left unmapped when it cannot be, when it has
 * no more than a chunk left, or when what was read of it did not start
 * at its first byte (standard input opened on a file read from within). */
static void map_file(struct source *src)
{
	src->map_tried = true;
	struct stat sb;
	if (fstat(src->fd, &sb) != 0 || sb.st_size < 0 ||
	    (uint64_t)sb.st_size > SIZE_MAX ||
	    (uint64_t)sb.st_size <= src->in_total + SOURCE_CHUNK ||
	    lseek(src->fd, 0, SEEK_CUR) != (off_t)src->in_total)
		return;
	void *m = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE,
		       src->fd, 0);
	if (m == MAP_FAILED)
		return;
	madvise(m, (size_t)sb.st_size, MADV_SEQUENTIAL);
	pthread_once(&sigbus_once, sigbus_catch);
	size_t left = src->in_len - src->in_off;
	src->in_buf = src->in;
	src->map = m;
	src->map_len = (size_t)sb.st_size;
	src->map_gone = 0;
	/* The bytes read so far are the mapping's first in_total. */
	src->in = m;
	src->in_len = (size_t)src->in_total;
	src->in_off = src->in_len - left;
}

/* Makes up to SOURCE_CHUNK more bytes of the mapping pending, and unmaps
 * its whole pages before those pending (inflated: mapped, they would
 * count in the process's resident memory): returns how many, 0 at the
 * mapping's end. */
static size_t map_more(struct source *src)
{
	size_t gone = src->in_off & ~((size_t)sysconf(_SC_PAGESIZE) - 1);
	if (gone > src->map_gone) {
		munmap(src->map + src->map_gone, gone - src->map_gone);
		src->map_gone = gone;
	}
	size_t n = src->map_len - src->in_len;
	if (n > SOURCE_CHUNK)
		n = SOURCE_CHUNK;
	if (src->raw_hash)
		br_hash_update(src->raw_hash, src->in + src->in_len, n);
	src->in_len += n;
	src->in_total += n;
	__atomic_store_n(&src->disk_pos, src->in_total, __ATOMIC_RELAXED);
	return n;
}

/* At the mapping's end: unmaps it, its pending bytes copied to the
 * buffer, and reads on from there (the file grew since it was mapped):
 * 0, or -1 with err. (read_gzip refills with fewer than 4 bytes pending,
 * the most a member's header check waits for; the buffer's room is
 * checked all the same.) */
static int map_end(struct source *src, struct br_err *err)
{
	size_t left = src->in_len - src->in_off;
	if (left > src->in_cap) {
		src->in_cap = left;
		src->in_buf = br_realloc(src->in_buf, left);
	}
	memcpy(src->in_buf, src->in + src->in_off, left);
	munmap(src->map + src->map_gone, src->map_len - src->map_gone);
	src->map = NULL;
	src->in = src->in_buf;
	src->in_off = 0;
	src->in_len = left;
	if (lseek(src->fd, (off_t)src->in_total, SEEK_SET) < 0) {
		src->read_errno = errno;
		return br_fail(err, "%s: cannot read: %s", src->name,
			       strerror(errno));
	}
	return 0;
}

/* Refills the input buffer; returns bytes read, 0 at EOF, -1 on error. */
static ssize_t fill(struct source *src, struct br_err *err)
{
	if (src->may_map && !src->map_tried)
		map_file(src);
	if (src->map) {
		size_t n = map_more(src);
		if (n)
			return (ssize_t)n;
		if (map_end(src, err) < 0)
			return -1;
	}
	if (src->in_off > 0) {
		memmove(src->in, src->in + src->in_off, src->in_len - src->in_off);
		src->in_len -= src->in_off;
		src->in_off = 0;
	}
	ssize_t r;
	if (src->archive) {
		r = archive_read_data(src->archive, src->in + src->in_len,
				      src->in_cap - src->in_len);
		if (r < 0)
			return br_fail(err, "%s: cannot read from the archive: %s",
				       src->name,
				       archive_error_string(src->archive)
					       ? archive_error_string(src->archive)
					       : "corrupt data");
		src->in_total += (uint64_t)r;
		__atomic_store_n(&src->disk_pos, archive_pos(src),
				 __ATOMIC_RELAXED);
		if (r == 0)
			src->eof = true;
	} else {
		r = read_file(src, (char *)src->in + src->in_len,
			      src->in_cap - src->in_len, err);
		if (r < 0)
			return -1;
	}
	src->in_len += (size_t)r;
	return r;
}

/* Makes bytes of an input read as they are (a plain file, an archive
 * member not itself compressed, or a member's compressed bytes for its
 * inner reader) pending in src->in: returns how many
 * there are from src->in_off, refilling once they are used up; 0 at the
 * end, -1 on error. */
static ssize_t pending(struct source *src, struct br_err *err)
{
	if (src->in_off == src->in_len) {
		if (src->eof)
			return 0;
		src->in_off = src->in_len = 0;
		ssize_t r = fill(src, err);
		if (r <= 0)
			return r;
	}
	return (ssize_t)(src->in_len - src->in_off);
}

/* The compressed size the output is capped against: the input's size on
 * disk when known (a regular file, or the archive file a member is read
 * from), or the compressed bytes read so far when more (standard input, a
 * pipe, a file that has grown). Not the bytes read so far alone: a log
 * whose start compresses far better than its rest would be refused long
 * before its size is known. An archive's bytes count from its start: its
 * members' output is capped together. */
static uint64_t compressed_in(const struct source *src)
{
	uint64_t in = src->archive ? archive_pos(src) : src->in_total;
	return in > src->in_size ? in : src->in_size;
}

/* Fails when the output outgrows the cap: max_ratio times the compressed
 * input, plus 16 MiB of slack for small inputs; an archive's members
 * counted together (out_before). */
static ssize_t capped(struct source *src, ssize_t n, struct br_err *err)
{
	if (n <= 0 || !src->max_ratio)
		return n;
	src->out_total += (uint64_t)n;
	if (!src->gzip && !src->archive)
		return n;
	if (source_bomb(src->name, src->out_before + src->out_total,
			compressed_in(src), src->max_ratio, err))
		return -1;
	return n;
}

int source_bomb(const char *name, uint64_t out, uint64_t in, uint64_t ratio,
		struct br_err *err)
{
	if (out <= ratio * in + SOURCE_BOMB_SLACK)
		return 0;
	return br_fail(err, "%s: refused as a decompression bomb: %llu bytes "
		       "from %llu compressed, more than %llu times that plus "
		       "16 MiB (--max-ratio)", name, (unsigned long long)out,
		       (unsigned long long)in, (unsigned long long)ratio);
}

int source_archive_bomb(struct archive *a, const uint64_t *raw_pos,
			uint64_t size, const char *name, uint64_t out,
			uint64_t ratio, struct br_err *err)
{
	uint64_t in = archive_read_bytes(a, raw_pos);
	return ratio ? source_bomb(name, out, in > size ? in : size, ratio, err)
		     : 0;
}

static void start_member(struct source *src)
{
	isal_inflate_init(&src->st);
	src->st.crc_flag = ISAL_GZIP;
	src->member_done = false;
	src->member_new = true;
}

/* What an error of isal_inflate means, in words. */
static const char *inflate_why(int ret)
{
	switch (ret) {
	case ISAL_INVALID_BLOCK:
		return "an invalid deflate block";
	case ISAL_INVALID_SYMBOL:
		return "an invalid deflate symbol";
	case ISAL_INVALID_LOOKBACK:
		return "an invalid back-reference distance";
	case ISAL_INVALID_WRAPPER:
		return "an invalid gzip header";
	case ISAL_UNSUPPORTED_METHOD:
		return "a compression method other than deflate";
	case ISAL_INCORRECT_CHECKSUM:
		return "its CRC-32 or size does not match its data";
	default:
		return "ISA-L cannot inflate it";
	}
}

static ssize_t read_gzip(struct source *src, char *buf, size_t cap,
			 struct br_err *err)
{
	for (;;) {
		size_t avail = src->in_len - src->in_off;
		if (src->member_done) {
			/* Another member may follow; anything else is an error. */
			if (avail == 0 && !src->eof) {
				if (fill(src, err) < 0)
					return -1;
				continue;
			}
			if (avail == 0)
				return 0;
			/* Zeros to the file's end (a tape's or a preallocated
			 * file's padding) end it, as GNU gzip reads them;
			 * anything after them does not. */
			if (src->zero_tail || src->in[src->in_off] == 0) {
				const unsigned char *p = src->in + src->in_off;
				const unsigned char *end = src->in + src->in_len;
				while (p < end && !*p)
					p++;
				src->in_off = (size_t)(p - src->in);
				src->zero_tail = true;
				if (p == end)
					continue;
				return br_fail(err, "%s: unexpected data after the "
					       "gzip stream", src->name);
			}
			if (avail < 2 && !src->eof) {
				if (fill(src, err) < 0)
					return -1;
				continue;
			}
			if (avail < 2 || src->in[src->in_off] != 0x1f ||
			    src->in[src->in_off + 1] != 0x8b)
				return br_fail(err, "%s: unexpected data after the "
					       "gzip stream", src->name);
			start_member(src);
		}
		/* RFC 1952: a member with reserved flag bits set (its 4th
		 * byte) is refused; ISA-L ignores them, or reads the fields
		 * they seem to announce, to the file's end. */
		if (src->member_new && avail < 4 && !src->eof) {
			if (fill(src, err) < 0)
				return -1;
			continue;
		}
		if (src->member_new && avail >= 4 &&
		    (src->in[src->in_off + 3] & 0xe0))
			return br_fail(err, "%s: corrupt gzip stream (%s: reserved "
				       "flag bits set)", src->name,
				       inflate_why(ISAL_INVALID_WRAPPER));
		src->member_new = false;
		if (avail == 0 && !src->eof) {
			if (fill(src, err) < 0)
				return -1;
			continue;
		}
		src->st.next_in = src->in + src->in_off;
		src->st.avail_in = (uint32_t)(src->in_len - src->in_off);
		src->st.next_out = (uint8_t *)buf;
		src->st.avail_out = (uint32_t)cap;
		int ret = isal_inflate(&src->st);
		src->in_off = (size_t)(src->st.next_in - src->in);
		size_t produced = cap - src->st.avail_out;
		__atomic_store_n(&src->gzip_used, src->in_total - (src->in_len - src->in_off),
				 __ATOMIC_RELAXED);
		__atomic_store_n(&src->gzip_made, src->gzip_made + produced,
				 __ATOMIC_RELAXED);
		if (ret < 0)
			return br_fail(err, "%s: corrupt gzip stream (%s)",
				       src->name, inflate_why(ret));
		if (src->st.block_state == ISAL_BLOCK_FINISH)
			src->member_done = true;
		if (produced > 0)
			return (ssize_t)produced;
		if (!src->member_done && src->eof &&
		    src->in_off == src->in_len)
			return br_fail(err, "%s: truncated gzip stream (the file "
				       "ends before the stream does)", src->name);
	}
}

bool source_zeros(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

bool source_zero_head(const unsigned char *p, size_t n)
{
	/* The whole file only: a log may follow a run of zeros longer than
	 * the head (a hole that copytruncate leaves before the lines a
	 * writer adds at its old offset). */
	return n >= 1024 && n < SOURCE_HEAD_BYTES && source_zeros(p, n);
}

bool source_gzip_holds_tar(const unsigned char *in, size_t n)
{
	unsigned char out[4096];
	if (!n)
		return false;
	struct inflate_state st;
	isal_inflate_init(&st);
	st.crc_flag = ISAL_GZIP;
	st.next_in = (unsigned char *)in;
	st.avail_in = (uint32_t)(n < SOURCE_HEAD_BYTES ? n : SOURCE_HEAD_BYTES);
	st.next_out = out;
	st.avail_out = sizeof out;
	if (isal_inflate(&st) < 0)
		return false;
	size_t got = sizeof out - st.avail_out;
	if (got >= 262 && memcmp(out + 257, "ustar", 5) == 0)
		return true;
	/* An empty tar: zeros to the stream's end, which the head holds
	 * (zeros that the head ends in may be followed by a log). */
	uint64_t zeros = 0;
	while (got && source_zeros(out, got)) {
		zeros += got;
		st.next_out = out;
		st.avail_out = sizeof out;
		if (isal_inflate(&st) < 0)
			return false;
		got = sizeof out - st.avail_out;
	}
	return zeros >= 1024 && !got && st.block_state == ISAL_BLOCK_FINISH;
}

bool source_compressed(const struct source *src)
{
	return src->gzip || src->archive;
}

void source_gzip_progress(const struct source *src, uint64_t *used,
			  uint64_t *made)
{
	bool file = src->gzip && !src->archive;
	*used = file ? __atomic_load_n(&src->gzip_used, __ATOMIC_RELAXED) : 0;
	*made = file ? __atomic_load_n(&src->gzip_made, __ATOMIC_RELAXED) : 0;
}

/* A stream, what as ingest_stream_what says it (NULL: not known), in a
 * message: "a zstd stream": "zstd stream". */
static const char *stream_kind(const char *what)
{
	return what ? strchr(what, ' ') + 1 : "compressed stream";
}

/* Fails err, returning -1: name's stream, what (as ingest_stream_what
 * says it; NULL: not known), is truncated. */
static int stream_truncated(const char *name, const char *what,
			    struct br_err *err)
{
	return br_fail(err, "%s: truncated %s (the file ends before the "
		       "stream does)", name, stream_kind(what));
}

int source_stream_failed(struct archive *a, const char *name,
			 const char *what, struct br_err *err)
{
	const char *s = archive_error_string(a);
	if (s && (strcasestr(s, "truncated") ||
		  strstr(s, "No progress is possible")))
		return stream_truncated(name, what, err);
	return br_fail(err, "%s: corrupt %s (%s)", name, stream_kind(what),
		       s ? s : "its data cannot be decompressed");
}

int source_stream_taken(struct archive *a, const char *name,
			const char *what, struct br_err *err)
{
	if (archive_filter_count(a) > 1)
		return 0;
	return br_fail(err, "%s: corrupt %s (an invalid header)", name,
		       stream_kind(what));
}

bool source_stream_empty(struct archive *a)
{
	return archive_filter_count(a) > 1 &&
	       archive_errno(a) == EILSEQ && /* its "unrecognized" */
	       archive_filter_bytes(a, 0) == 0;
}

/* The read callback of a member's inner reader: the member's bytes, from
 * src->in (what probe read first) and then from the archive. */
static la_ssize_t inner_read(struct archive *a, void *ctx, const void **buf)
{
	struct source *src = ctx;
	ssize_t n = pending(src, &src->inner_err);
	if (n < 0) {
		archive_set_error(a, EIO, "%s", src->inner_err.msg);
		return ARCHIVE_FATAL;
	}
	*buf = src->in + src->in_off;
	stream_end_see(&src->end, *buf, (size_t)n);
	src->in_off = src->in_len;
	return n;
}

/* Fails err with why the inner reader failed: the archive's read (its
 * own message), or the stream's decompression. */
static ssize_t inner_failed(struct source *src, struct br_err *err)
{
	if (br_failed(&src->inner_err))
		return br_fail(err, "%s", src->inner_err.msg);
	return stream_end_failed(&src->end, src->inner, src->name, err);
}

/* Once the stream of a member compressed otherwise than with gzip ended
 * (src->inner's): reads what follows it in the member, which fails it
 * unless zeros (stream_end.c). 0, or -1 with err. */
static int inner_end(struct source *src, struct br_err *err)
{
	src->end_checked = true;
	stream_end_reached(&src->end, src->inner);
	while (stream_end_more(&src->end)) {
		ssize_t k = pending(src, err);
		if (k < 0)
			return -1;
		if (k == 0)
			break;
		stream_end_see(&src->end, src->in + src->in_off, (size_t)k);
		src->in_off = src->in_len;
	}
	return stream_end_check(&src->end, src->name, err);
}

/* Opens the decompression of a member compressed otherwise than with
 * gzip, whose first bytes are in src->in: 0, or -1 with err. */
static int open_inner(struct source *src, struct br_err *err)
{
	stream_end_init(&src->end, src->stream);
	src->inner = br_archive_read_new();
	archive_read_support_filter_all(src->inner);
	archive_read_support_format_raw(src->inner);
	struct archive_entry *e;
	if (archive_read_open(src->inner, src, NULL, inner_read, NULL) ==
		    ARCHIVE_OK &&
	    archive_read_next_header(src->inner, &e) == ARCHIVE_OK) {
		if (source_stream_taken(src->inner, src->name, src->stream,
					err) == 0)
			return 0;
		archive_read_free(src->inner);
		src->inner = NULL;
		return -1;
	}
	if (!br_failed(&src->inner_err) && source_stream_empty(src->inner)) {
		/* An empty stream; what follows it is checked too (an lz4
		 * frame of no block before a log's lines was read as empty). */
		int rc = inner_end(src, err);
		archive_read_free(src->inner);
		src->inner = NULL;
		return rc;
	}
	int rc = (int)inner_failed(src, err);
	archive_read_free(src->inner);
	src->inner = NULL;
	return rc;
}

/* Reads up to cap bytes of a member compressed otherwise than with gzip
 * into buf: how many, 0 at its end, -1 with err. */
static ssize_t read_inner(struct source *src, char *buf, size_t cap,
			  struct br_err *err)
{
	if (!src->inner)
		return 0; /* an empty stream */
	la_ssize_t n = archive_read_data(src->inner, buf, cap);
	if (n < 0)
		return inner_failed(src, err);
	if (n > 0 || src->end_checked)
		return (ssize_t)n;
	return inner_end(src, err);
}

/* Reads up to cap bytes of a compressed input (or an archive member) into
 * buf, on whichever thread decompresses. */
static ssize_t read_compressed(struct source *src, char *buf, size_t cap,
			       struct br_err *err)
{
	if (src->gzip)
		return capped(src, read_gzip(src, buf, cap, err), err);
	if (src->stream)
		return capped(src, read_inner(src, buf, cap, err), err);
	/* An archive member that is not itself compressed. */
	ssize_t r = pending(src, err);
	if (r <= 0)
		return r;
	size_t n = (size_t)r < cap ? (size_t)r : cap;
	memcpy(buf, src->in + src->in_off, n);
	src->in_off += n;
	return capped(src, (ssize_t)n, err);
}

/* read_compressed on the thread decompressing ahead, where a gzip file
 * may be mapped: a read of the mapping that faults (the file shrank, or
 * the disk failed) fails err, where it would end the process. */
static ssize_t read_mapped(struct source *src, char *buf, size_t cap,
			   struct br_err *err)
{
	sigjmp_buf jump;
	if (sigsetjmp(jump, 0)) {
		fault_src = NULL;
		return br_fail(err, "%s: cannot read: the file shrank or could "
			       "not be read while it was being inflated",
			       src->name);
	}
	fault_jump = &jump;
	fault_src = src;
	ssize_t n = read_compressed(src, buf, cap, err);
	fault_src = NULL;
	return n;
}

/* Hashes the n bytes at p, decompressed ahead into the next buffer of
 * src's ring, into that buffer's hashes. Hashed by the reader's thread,
 * they were read again from the other CPU's cache (or the shared one):
 * ~5% of the JSONL.gz's CPU, on the thread that hands the pool its
 * blocks, which now does little else (docs/PERFORMANCE.md, stop 56). */
static void hash_ahead(struct source *src, const char *p, size_t n)
{
	struct source_hash *sh = &src->hashes[src->filled++ % RING_BUFS];
	sh->all = src->ahead_hash;
	source_hash_bytes(sh, p, n);
	src->ahead_hash = sh->all;
}

void source_hash_bytes(struct source_hash *sh, const char *p, size_t n)
{
	const char *nl = memrchr(p, '\n', n);
	sh->lines_len = nl ? (size_t)(nl + 1 - p) : 0;
	br_hash_update(&sh->all, p, sh->lines_len);
	sh->lines = sh->all;
	br_hash_update(&sh->all, p + sh->lines_len, n - sh->lines_len);
}

/* The thread decompressing ahead: fills the ring until the end, an error
 * or the reader closing it. */
static void *decompress_ahead(void *arg)
{
	struct source *src = arg;
	/* A file read up to a limit (read again) is read, not mapped. */
	src->may_map = src->gzip && !src->archive && src->fd >= 0 &&
		       !src->limit;
	for (;;) {
		char *buf = ring_produce_begin(src->ring);
		if (!buf)
			break;
		ssize_t n = read_mapped(src, buf + SOURCE_TAKE_HEAD, RING_BUF,
					&src->thread_err);
		if (n > 0)
			hash_ahead(src, buf + SOURCE_TAKE_HEAD, (size_t)n);
		ring_produce_end(src->ring, n > 0 ? (size_t)n : 0,
				 n < 0 ? -1 : n == 0 ? 1 : 0);
		if (n <= 0)
			break;
	}
	return NULL;
}

/* Tells gzip from plain by the first two bytes; a member compressed
 * otherwise by its first INGEST_STREAM_MAGIC_BYTES. An input or member
 * that ends within its first INGEST_STREAM_LEAST_BYTES and is such a
 * stream cut short (ingest_stream_cut) fails, as truncated: read as
 * plain, its bytes would be taken for a log. */
static int probe(struct source *src, struct br_err *err)
{
	src->probed = true;
	while (src->in_len < INGEST_STREAM_LEAST_BYTES && !src->eof)
		if (fill(src, err) < 0)
			return -1;
	src->gzip = src->in_len >= 2 && src->in[0] == 0x1f && src->in[1] == 0x8b;
	const char *cut = !src->gzip && src->eof
				  ? ingest_stream_cut(src->in, src->in_len)
				  : NULL;
	if (cut && ingest_stream_blockless(src->in, src->in_len)) {
		src->in_len = 0; /* an empty log, as lz4 -d reads it */
		return 0;
	}
	if (cut)
		return stream_truncated(src->name, cut, err);
	if (src->gzip)
		start_member(src);
	else if (src->archive)
		src->stream = ingest_stream_what(src->in, src->in_len);
	const char *no = src->stream ? ingest_stream_unreadable(src->in, src->in_len)
				     : NULL;
	if (no)
		return br_fail(err, "%s: %s", src->name, no);
	return src->stream ? open_inner(src, err) : 0;
}

/* What source_next or source_take returns of the buffer of len bytes and
 * status the ring gave (ring_produce_end), noting its hash. */
static ssize_t from_ring(struct source *src, ssize_t len, int status,
			 struct br_err *err)
{
	src->given = NULL;
	if (status < 0)
		return br_fail(err, "%s", src->thread_err.msg);
	if (status)
		return 0;
	src->given = &src->hashes[src->taken++ % RING_BUFS];
	return len;
}

ssize_t source_next(struct source *src, const char **p, struct br_err *err)
{
	if (!src->probed) {
		if (probe(src, err) < 0)
			return -1;
		if (src->ahead && source_compressed(src)) {
			src->ring = ring_new(RING_BUFS, SOURCE_TAKE_SIZE);
			br_hash_init(&src->ahead_hash);
			/* Without a thread (EAGAIN: a limit of threads or
			 * memory), this one decompresses as it reads. */
			if (pthread_create(&src->thread, NULL, decompress_ahead,
					   src) == 0) {
				src->running = true;
			} else {
				ring_free(src->ring);
				src->ring = NULL;
			}
		}
	}
	if (src->running) {
		size_t len;
		int status;
		*p = ring_consume(src->ring, &len, &status) + SOURCE_TAKE_HEAD;
		return from_ring(src, (ssize_t)len, status, err);
	}
	if (source_compressed(src)) {
		if (!src->out)
			src->out = br_malloc(src->out_cap);
		*p = src->out;
		return read_compressed(src, src->out, src->out_cap, err);
	}
	ssize_t n = pending(src, err);
	if (n <= 0)
		return n;
	*p = (const char *)src->in + src->in_off;
	src->in_off = src->in_len;
	return capped(src, n, err);
}

bool source_can_take(const struct source *src)
{
	return src->running;
}

ssize_t source_take(struct source *src, char *spare, char **mem,
		    const char **p, struct br_err *err)
{
	size_t len;
	int status;
	*mem = ring_take(src->ring, &len, &status, spare);
	*p = *mem ? *mem + SOURCE_TAKE_HEAD : NULL;
	return from_ring(src, (ssize_t)len, status, err);
}

const struct source_hash *source_given_hash(const struct source *src)
{
	return src->given;
}

bool source_can_read_into(const struct source *src)
{
	return src->probed && !src->gzip && !src->archive;
}

ssize_t source_read_into(struct source *src, char *buf, size_t cap,
			 struct br_err *err)
{
	/* source_next hands over all it has read of a plain file: nothing
	 * read waits in src->in. */
	if (src->eof)
		return 0;
	return capped(src, read_file(src, buf, cap, err), err);
}
