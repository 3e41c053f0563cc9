/* stream_end.c - what follows a compressed stream that libarchive
 * decompresses (zstd, xz, bzip2, lz4), told from the stream's raw bytes as
 * they are handed to libarchive and those read after it ended.
 *
 * libarchive's bzip2 and lz4 readers end the input, without a word, where
 * what follows a stream does not begin another: bytes that are no stream
 * (`bzip2 -t` and `lz4 -t` refuse them) and another stream cut within its
 * first bytes (a multi-stream file of pbzip2's, lbzip2's, cut short) were
 * read as the whole input. Its xz reader fails data after a stream but
 * says the stream is truncated. Here, once the stream ended, what follows
 * it is read to the input's end: zeros there (a tape's or a preallocated
 * file's padding; bzip2's and xz's were read, as gzip's is) end it,
 * anything else fails the input. */
#include <archive.h>
#include <zlib.h>

#include "ingest/ingest_internal.h"

/* The most bytes of what follows a stream kept to tell whether it is
 * another stream cut short (a bzip2's least is 14). */
#define LAST STREAM_END_LAST

static const char what_xz[] = "an xz stream";
static const char what_bzip2[] = "a bzip2 stream";
static const char what_lz4[] = "an lz4 stream";

/* The stream, what as ingest_stream_what says it, in a message: "a zstd
 * stream": "zstd stream". */
static const char *kind(const char *what)
{
	return strchr(what, ' ') + 1;
}

static bool is(const char *what, const char *name)
{
	return what && strcmp(what, name) == 0;
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

void stream_end_init(struct stream_end *e, const char *what)
{
	*e = (struct stream_end){.what = what};
	e->lz4.need = 4;
}

/* ------------------------------------------------------------- lz4 frames */

/* The lz4 frame format (lz4_Frame_format.md), as libarchive reads it: a
 * frame (magic, descriptor, blocks each of a 4-byte size, its high bit
 * set when stored, an end mark of 0, a content checksum when its flags
 * say), a legacy frame (magic, blocks of a 4-byte size, to the input's
 * end or a size above what 8 MiB compresses to at worst) or a skippable
 * frame (magic, a 4-byte size, as many bytes). libarchive takes the 4
 * bytes after its last frame as a magic it does not know, consuming them:
 * its count of bytes consumed may be 4 beyond the stream's end, which is
 * told here by walking the frames (without decompressing them). */
enum { LZ4_MAGIC, LZ4_DESCRIPTOR, LZ4_BLOCK, LZ4_SKIPPABLE, LZ4_LEGACY,
       LZ4_DONE };
#define LZ4_FRAME 0x184D2204u
#define LZ4_LEGACY_FRAME 0x184C2102u
#define LZ4_SKIPPABLE_FRAME 0x184D2A50u /* its low 4 bits any */
#define LZ4_LEGACY_MAX (8388608u + 8388608u / 255 + 16)

/* The walk has read a whole field of 4 (or 2) bytes, at offset at. */
static void lz4_field(struct lz4_walk *w, uint64_t at)
{
	const unsigned char *f = w->field;
	uint32_t v = le32(f);
	w->have = 0;
	w->need = 4;
	switch (w->state) {
	case LZ4_LEGACY:
		if (v <= LZ4_LEGACY_MAX) {
			w->skip = v;
			w->ends = true; /* a legacy frame may end after any block */
			w->lost |= w->stop != 0;
			w->blockless = false;
			return;
		}
		/* Not a block: the legacy frame ended; a magic follows. */
		if (w->blockless && !w->stop)
			w->stop = at;
		w->state = LZ4_MAGIC;
		/* fall through */
	case LZ4_MAGIC:
		if (v == LZ4_FRAME) {
			w->state = LZ4_DESCRIPTOR;
			w->need = 2; /* its flags and its block size */
		} else if (v == LZ4_LEGACY_FRAME) {
			/* It may end after its magic, with no block: what
			 * follows is then the next frame's magic. */
			w->state = LZ4_LEGACY;
			w->ends = true;
			w->blockless = true;
		} else if ((v & ~0xFu) == LZ4_SKIPPABLE_FRAME) {
			w->state = LZ4_SKIPPABLE;
		} else {
			w->state = LZ4_DONE; /* the stream ended at w->end */
		}
		return;
	case LZ4_DESCRIPTOR:
		/* Its version (01), its reserved bits (0) and its block size
		 * (64 KiB to 4 MiB), as libarchive checks them: a frame after
		 * a legacy frame of no block, which libarchive does not read
		 * (stop), is told valid or not here. */
		if ((f[0] & 0xC2) != 0x40 || (f[1] & 0x8F) || f[1] >> 4 < 4) {
			w->state = LZ4_DONE; /* not a frame: the stream ended */
			return;
		}
		w->flags = f[0];
		/* Its content size, its dictionary id, its checksum byte. */
		w->skip = (f[0] & 0x08 ? 8 : 0) + (f[0] & 0x01 ? 4 : 0) + 1;
		w->state = LZ4_BLOCK;
		return;
	case LZ4_BLOCK:
		if (v == 0) {
			/* The end mark, then the content checksum. */
			w->skip = w->flags & 0x04 ? 4 : 0;
			w->ends = true;
			w->state = LZ4_MAGIC;
		} else {
			w->skip = (v & 0x7FFFFFFFu) + (w->flags & 0x10 ? 4 : 0);
			w->lost |= w->stop != 0;
		}
		return;
	case LZ4_SKIPPABLE:
		w->skip = v;
		w->ends = true;
		w->state = LZ4_MAGIC;
		return;
	}
}

/* Walks the n bytes at p, at offset pos of the stream. */
static void lz4_walk(struct lz4_walk *w, const unsigned char *p, size_t n,
		     uint64_t pos)
{
	size_t i = 0;
	for (;;) {
		if (w->skip) {
			uint64_t k = n - i < w->skip ? n - i : w->skip;
			w->skip -= k;
			i += (size_t)k;
			if (w->skip)
				return;
		}
		if (w->ends) {
			w->ends = false;
			w->end = pos + i;
		}
		if (i == n || w->state == LZ4_DONE)
			return;
		while (i < n && w->have < w->need)
			w->field[w->have++] = p[i++];
		if (w->have < w->need)
			return;
		lz4_field(w, pos + i - w->need);
	}
}

/* Tells whether the walk stands between frames, w->end the offset after
 * the last (not within one, nor after a magic it does not know): the
 * bytes after w->end, if any, are fewer than a magic or, after a legacy
 * frame's block, a block's size. */
static bool lz4_between(const struct lz4_walk *w)
{
	return (w->state == LZ4_MAGIC || w->state == LZ4_LEGACY) && !w->skip &&
	       !w->ends;
}

/* ---------------------------------------------------------- xz footers */

/* An xz stream ends with its footer (xz-file-format 2.1.2.4): the CRC32
 * of the 6 bytes after it, its index's size, its flags (a zero byte, then
 * the check's type in the low 4 bits), and "YZ". The 12 bytes at b are
 * one when they check. */
static bool xz_footer(const unsigned char *b)
{
	return b[10] == 'Y' && b[11] == 'Z' && b[8] == 0 && !(b[9] & 0xF0) &&
	       crc32(0, b + 4, 6) == le32(b);
}

/* Keeps the first bytes but zeros after the last footer, from the n at
 * p. */
static void xz_after(struct stream_end *e, const unsigned char *p, size_t n)
{
	size_t i = 0;
	if (!e->after_len)
		while (i < n && !p[i])
			i++;
	while (i < n && e->after_len < sizeof e->after)
		e->after[e->after_len++] = p[i++];
}

/* Finds the footers that end in the n bytes at p (the bytes before them
 * in e->last). */
static void xz_scan(struct stream_end *e, const unsigned char *p, size_t n)
{
	size_t from = 0; /* of p, after the last footer found in it */
	bool found = false;
	const unsigned char *z = p;
	while ((z = memchr(z, 'Z', n - (size_t)(z - p))) != NULL) {
		size_t at = (size_t)(z - p) + 1; /* the footer's end in p */
		z++;
		if (e->seen + at < 12)
			continue;
		unsigned char b[12];
		size_t own = at < 12 ? at : 12; /* of its bytes in p */
		if (12 - own > e->last_len)
			continue;
		memcpy(b, e->last + e->last_len - (12 - own), 12 - own);
		memcpy(b + (12 - own), p + at - own, own);
		if (xz_footer(b)) {
			e->footer = e->seen + at;
			e->after_len = 0;
			from = at;
			found = true;
		}
	}
	if (found || e->footer)
		xz_after(e, p + from, n - from);
}

/* ------------------------------------------------------------------ all */

void stream_end_see(struct stream_end *e, const void *buf, size_t n)
{
	const unsigned char *p = buf;
	if (!e->what || !n)
		return;
	if (is(e->what, what_lz4))
		lz4_walk(&e->lz4, p, n, e->seen);
	else if (is(e->what, what_xz))
		xz_scan(e, p, n);
	size_t k = n;
	while (k && !p[k - 1])
		k--;
	if (k)
		e->nonzero = e->seen + k;
	e->seen += n;
	if (n >= LAST) {
		memcpy(e->last, p + n - LAST, LAST);
		e->last_len = LAST;
	} else {
		size_t keep = e->last_len + n > LAST ? LAST - n : e->last_len;
		memmove(e->last, e->last + e->last_len - keep, keep);
		memcpy(e->last + keep, p, n);
		e->last_len = keep + n;
	}
}

void stream_end_reached(struct stream_end *e, struct archive *a)
{
	e->reached = true;
	e->end = (uint64_t)archive_filter_bytes(a, -1);
	if (is(e->what, what_lz4) &&
	    (e->lz4.state == LZ4_DONE || lz4_between(&e->lz4)))
		e->end = e->lz4.end;
}

bool stream_end_more(const struct stream_end *e)
{
	if (!e->what)
		return false;
	if (is(e->what, what_lz4))
		return !(e->lz4.state == LZ4_DONE && e->nonzero > e->lz4.end) &&
		       !e->lz4.lost;
	/* Bytes not zeros after it, too many to be another stream cut. */
	return !(e->nonzero > e->end && e->seen - e->end > LAST);
}

/* Tells whether the n bytes at p begin another stream of what, cut. */
static bool begins_stream(const char *what, const unsigned char *p, size_t n)
{
	static const struct {
		const char *what;
		const char *magic;
		size_t len;
	} m[] = {
		{what_bzip2, "BZh", 3},
		{what_lz4, LZ4_FRAME_MAGIC, 4},
		{what_lz4, LZ4_LEGACY_MAGIC, 4},
		{what_xz, "\xfd\x37\x7a\x58\x5a\x00", 6},
		{"a zstd stream", "\x28\xb5\x2f\xfd", 4},
	};
	for (size_t i = 0; i < sizeof m / sizeof *m; i++)
		if (is(what, m[i].what) &&
		    memcmp(p, m[i].magic, n < m[i].len ? n : m[i].len) == 0)
			return true;
	/* lz4's skippable frame: its first byte any of 0x50 to 0x5f. */
	return is(what, what_lz4) && (p[0] & 0xF0) == 0x50 &&
	       memcmp(p + 1, "\x2a\x4d\x18", n - 1 < 3 ? n - 1 : 3) == 0;
}

static int data_after(const struct stream_end *e, const char *name,
		      struct br_err *err)
{
	return br_fail(err, "%s: unexpected data after the %s", name,
		       kind(e->what));
}

static int cut(const struct stream_end *e, const char *name,
	       struct br_err *err)
{
	return br_fail(err, "%s: truncated %s (the file ends before the "
		       "stream does)", name, kind(e->what));
}

int stream_end_check(const struct stream_end *e, const char *name,
		     struct br_err *err)
{
	if (!e->what || !e->reached)
		return 0;
	uint64_t end = e->end;
	if (is(e->what, what_lz4)) {
		const struct lz4_walk *w = &e->lz4;
		if (w->lost)
			return br_fail(err, "%s: the lz4 frames from byte %llu "
				       "on cannot be read: libarchive ends the "
				       "stream at the legacy frame of no block "
				       "before them (lz4 -d reads them; ingest "
				       "its output instead)", name,
				       (unsigned long long)w->stop + 1);
		if (w->state != LZ4_DONE && !lz4_between(w))
			return cut(e, name, err); /* within a frame */
		end = w->end;
	}
	if (e->nonzero <= end)
		return 0;
	/* Another stream's first bytes, to the end. */
	uint64_t left = e->seen - end;
	if (left <= e->last_len &&
	    begins_stream(e->what, e->last + (e->last_len - left), (size_t)left))
		return cut(e, name, err);
	return data_after(e, name, err);
}

int stream_end_failed(const struct stream_end *e, struct archive *a,
		      const char *name, struct br_err *err)
{
	/* xz: liblzma takes what follows a stream for the next one's
	 * header or padding, and fails when it is not; a next stream cut or
	 * corrupt is as libarchive says, and so is a stream whose footer
	 * was read but not what came before it. */
	if (e && is(e->what, what_xz) && e->footer) {
		if (e->after_len && !begins_stream(e->what, e->after,
						   e->after_len))
			return data_after(e, name, err);
		if (!e->after_len && (e->seen - e->footer) % 4)
			return br_fail(err, "%s: unexpected data after the xz "
				       "stream (zeros, not a multiple of 4 "
				       "bytes as its padding must be)", name);
	}
	/* lz4: libarchive wants a block after a legacy frame's magic, and
	 * fails one of no block last in the input (lz4 -l's of an empty log,
	 * after others: `cat *.lz4`), which lz4 -d reads as the end; it may
	 * have failed before giving the frames before it (a small file's
	 * whole stream is read at once), so the input fails, but not as
	 * truncated. */
	const char *why = archive_error_string(a);
	if (e && is(e->what, what_lz4) && e->lz4.state == LZ4_LEGACY &&
	    e->lz4.blockless && lz4_between(&e->lz4) && !e->lz4.have && why &&
	    strcmp(why, "truncated lz4 input") == 0)
		return br_fail(err, "%s: the lz4 stream cannot be read: it ends "
			       "with a legacy frame of no block, which "
			       "libarchive refuses (lz4 -d reads it; ingest "
			       "its output instead)", name);
	return source_stream_failed(a, name, e ? e->what : NULL, err);
}
