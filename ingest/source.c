/* source.c - the bytes of one input: plain, or gzip (multi-member)
 * decompressed with ISA-L, detected by magic bytes. */
#include <errno.h>
#include <isa-l/igzip_lib.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ingest/ingest_internal.h"

#define SOURCE_CHUNK ((size_t)1 << 20)

struct source {
	int fd;
	const char *name;
	bool probed, gzip, eof, member_done;
	unsigned char *in;  /* compressed bytes read but not yet inflated */
	size_t in_len, in_off;
	struct inflate_state st;
};

struct source *source_open(int fd, const char *name)
{
	struct source *src = br_calloc(1, sizeof *src);
	src->fd = fd;
	src->name = name;
	src->in = br_malloc(SOURCE_CHUNK);
	return src;
}

void source_free(struct source *src)
{
	if (!src)
		return;
	free(src->in);
	free(src);
}

/* Refills the input buffer; returns bytes read, 0 at EOF, -1 on error. */
static ssize_t fill(struct source *src, struct br_err *err)
{
	if (src->in_off > 0) {
		memmove(src->in, src->in + src->in_off, src->in_len - src->in_off);
		src->in_len -= src->in_off;
		src->in_off = 0;
	}
	for (;;) {
		ssize_t r = read(src->fd, src->in + src->in_len,
				 SOURCE_CHUNK - src->in_len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return br_fail(err, "%s: cannot read: %s", src->name,
				       strerror(errno));
		src->in_len += (size_t)r;
		if (r == 0)
			src->eof = true;
		return r;
	}
}

static void start_member(struct source *src)
{
	isal_inflate_init(&src->st);
	src->st.crc_flag = ISAL_GZIP;
	src->member_done = false;
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
		if (ret < 0)
			return br_fail(err, "%s: corrupt gzip data (ISA-L error %d)",
				       src->name, ret);
		if (src->st.block_state == ISAL_BLOCK_FINISH)
			src->member_done = true;
		if (produced > 0)
			return (ssize_t)produced;
		if (!src->member_done && src->eof &&
		    src->in_off == src->in_len)
			return br_fail(err, "%s: truncated gzip stream", src->name);
	}
}

bool source_compressed(const struct source *src)
{
	return src->gzip;
}

ssize_t source_read(struct source *src, char *buf, size_t cap,
		    struct br_err *err)
{
	if (cap > UINT32_MAX)
		cap = UINT32_MAX;
	if (!src->probed) {
		while (src->in_len < 2 && !src->eof)
			if (fill(src, err) < 0)
				return -1;
		src->probed = true;
		src->gzip = src->in_len >= 2 && src->in[0] == 0x1f &&
			    src->in[1] == 0x8b;
		if (src->gzip)
			start_member(src);
	}
	if (src->gzip)
		return read_gzip(src, buf, cap, err);
	if (src->in_off == src->in_len) {
		if (src->eof)
			return 0;
		src->in_off = src->in_len = 0;
		ssize_t r = fill(src, err);
		if (r <= 0)
			return r;
	}
	size_t n = src->in_len - src->in_off;
	if (n > cap)
		n = cap;
	memcpy(buf, src->in + src->in_off, n);
	src->in_off += n;
	return (ssize_t)n;
}
