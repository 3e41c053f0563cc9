/* err.c - the error-buffer convention, checked allocation and byte buffers. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <archive.h>

#include "core/core.h"

BR_PRINTF(3, 0)
static int fail_v(struct br_err *err, int status, const char *fmt, va_list ap)
{
	if (err && !err->msg[0]) {
		vsnprintf(err->msg, sizeof err->msg, fmt, ap);
		if (!err->msg[0])
			snprintf(err->msg, sizeof err->msg, "unknown error");
		err->status = status;
	}
	return -1;
}

int br_fail(struct br_err *err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fail_v(err, BR_EXIT_FAILURE, fmt, ap);
	va_end(ap);
	return -1;
}

int br_fail_status(struct br_err *err, int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fail_v(err, status, fmt, ap);
	va_end(ap);
	return -1;
}

bool br_failed(const struct br_err *err)
{
	return err && err->msg[0];
}

void br_err_clear(struct br_err *err)
{
	if (err) {
		err->msg[0] = 0;
		err->status = 0;
	}
}

bool br_errno_transient(int e)
{
	return e == EIO || e == EMFILE || e == ENFILE || e == ENOMEM ||
	       e == EINTR;
}

_Noreturn void br_oom(void)
{
	static const char msg[] = "burnrate: error: out of memory\n";
	ssize_t w = write(STDERR_FILENO, msg, sizeof msg - 1);
	(void)w;
	_exit(BR_EXIT_FAILURE);
}


void *br_malloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		br_oom();
	return p;
}

struct archive *br_archive_read_new(void)
{
	struct archive *a = archive_read_new();
	if (!a)
		br_oom();
	return a;
}

void *br_calloc(size_t count, size_t size)
{
	void *p = calloc(count ? count : 1, size ? size : 1);
	if (!p)
		br_oom();
	return p;
}

void *br_realloc(void *p, size_t n)
{
	if (n == 0) {
		free(p);
		return NULL;
	}
	void *q = realloc(p, n);
	if (!q)
		br_oom();
	return q;
}

char *br_strndup(const char *s, size_t n)
{
	char *p = br_malloc(n + 1);
	if (n)
		memcpy(p, s, n);
	p[n] = 0;
	return p;
}

char *br_strdup(const char *s)
{
	return br_strndup(s, strlen(s));
}

void *br_calloc_huge(size_t count, size_t size)
{
	if (size && count > SIZE_MAX / size)
		br_oom();
	size_t n = count * size;
	if (n < BR_HUGE_PAGE)
		return br_calloc(count, size);
	void *p;
	if (posix_memalign(&p, BR_HUGE_PAGE, n) != 0)
		br_oom();
	/* Before the first touch: advice given after would not make the
	 * pages already written huge. */
	madvise(p, n & ~(BR_HUGE_PAGE - 1), MADV_HUGEPAGE);
	memset(p, 0, n);
	return p;
}

void br_buf_reserve_huge(struct br_buf *b, size_t n)
{
	if (b->p) {
		br_buf_reserve(b, n);
		return;
	}
	if (n >= SIZE_MAX / 2)
		br_oom();
	b->p = br_calloc_huge(n + 1, 1);
	b->cap = n + 1;
}

void br_buf_reserve(struct br_buf *b, size_t n)
{
	if (n >= SIZE_MAX / 2 - b->len)
		br_oom();
	size_t need = b->len + n + 1;
	if (need <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	b->p = br_realloc(b->p, cap);
	b->cap = cap;
}

void br_buf_put(struct br_buf *b, const void *data, size_t n)
{
	br_buf_reserve(b, n);
	if (n)
		memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = 0;
}

char *br_buf_append(struct br_buf *b, size_t n)
{
	br_buf_reserve(b, n);
	char *at = b->p + b->len;
	b->len += n;
	b->p[b->len] = 0;
	return at;
}

void br_buf_putc(struct br_buf *b, char c)
{
	br_buf_put(b, &c, 1);
}

void br_buf_puts(struct br_buf *b, const char *s)
{
	br_buf_put(b, s, strlen(s));
}

void br_buf_printf(struct br_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	br_buf_reserve(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void br_buf_free(struct br_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}
