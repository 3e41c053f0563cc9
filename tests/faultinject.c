/* faultinject.c - an LD_PRELOAD shim for tests/e2e/faults.sh (and jobs.sh,
 * for threads): makes the Nth call of one kind fail, once or from then on,
 * in a program that is otherwise left alone.
 *
 *   FAULT_CALL  open    open, open64, openat, openat64, creat, fopen,
 *                       fopen64 (EACCES; fopen's own open is internal to
 *                       glibc, so it is counted here)
 *               write   write, pwrite, writev, and the stdio calls that
 *                       write (fwrite, fputs, fputc, putc, fprintf,
 *                       vfprintf and their fortified forms, fflush,
 *                       fclose): ENOSPC, with the
 *                       stream's error flag set as a real failed write
 *                       sets it; on a socket, EPIPE, and the connection
 *                       is shut down (a broken connection does not come
 *                       back); writes to standard error, and stdio
 *                       writes to unlinked (temporary) files, which
 *                       libxlsxwriter does not check (fuzz/FINDINGS.md),
 *                       are left alone
 *               tmpwrite  those stdio writes to unlinked (temporary)
 *                       files, and only those: ENOSPC, as a full
 *                       temporary directory gives libxlsxwriter
 *               fsync   fsync, fdatasync (EIO)
 *               rename  rename, renameat, renameat2 (EIO)
 *               malloc  malloc, calloc, realloc (NULL, ENOMEM)
 *               unlink  unlink, unlinkat (EIO)
 *               thread  pthread_create (EAGAIN: a limit of threads or
 *                       processes), counted across the process's threads
 *   FAULT_N     the call that fails, counted from 1 and from main() on
 *   FAULT_MODE  once (only that call; the default), always (that call
 *               and every later one of the kind), or kill (the process
 *               gets SIGKILL in place of that call: a crash placed
 *               just before it, the calls before it all made)
 *   FAULT_LOG   a file that gets "fired CALL N FUNCTION OBJECT" when the
 *               fault is injected (OBJECT: the program or library that
 *               called), and "calls CALL N" (how many calls of the kind
 *               the process made) when it exits
 *   FAULT_SPARE libraries whose own calls are neither counted nor failed,
 *               by the start of their file names ("libesmtp.so
 *               libxlsxwriter.so"): those that do not survive a failure
 *               they cannot report (fuzz/FINDINGS.md)
 *
 * Counting starts when main() starts, so that the dynamic loader and the
 * libraries' constructors are left alone, and LD_PRELOAD is removed from
 * the environment then, so that the programs burnrate starts
 * (passwordeval) run without the shim. */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

enum kind { K_NONE, K_OPEN, K_WRITE, K_FSYNC, K_RENAME, K_MALLOC, K_TMPWRITE,
	    K_UNLINK, K_THREAD };

static const char *const kind_names[] = {"", "open", "write", "fsync",
					 "rename", "malloc", "tmpwrite",
					 "unlink", "thread"};

static enum kind target;
static unsigned long fail_at, calls;
static int always, killing, armed, log_fd = -1;
static char spare[256];

/* The file name of the object holding the code at caller, or "?". */
static const char *object_of(void *caller)
{
	Dl_info info;
	if (!caller || !dladdr(caller, &info) || !info.dli_fname)
		return "?";
	const char *base = strrchr(info.dli_fname, '/');
	return base ? base + 1 : info.dli_fname;
}

/* Writes to the log with the system call itself: the write() of this
 * file would count it. */
static void log_line(const char *what, const char *fn, void *caller)
{
	if (log_fd < 0)
		return;
	char line[256];
	int n = fn ? snprintf(line, sizeof line, "%s %s %lu %s %s\n", what,
			      kind_names[target], fail_at, fn,
			      object_of(caller))
		   : snprintf(line, sizeof line, "%s %s %lu\n", what,
			      kind_names[target], calls);
	if (n > 0)
		syscall(SYS_write, log_fd, line, (size_t)n);
}

/* Tells whether the code at caller belongs to a spared library. */
static int spared(void *caller)
{
	if (!spare[0])
		return 0;
	const char *base = object_of(caller);
	char words[sizeof spare], *save;
	memcpy(words, spare, sizeof words);
	for (char *w = strtok_r(words, " ", &save); w;
	     w = strtok_r(NULL, " ", &save))
		if (strncmp(base, w, strlen(w)) == 0)
			return 1;
	return 0;
}

/* Counts a call of kind k made from caller and tells whether it must
 * fail. */
static int fault_at(enum kind k, const char *fn, void *caller)
{
	if (!armed || k != target || spared(caller))
		return 0;
	unsigned long n = __atomic_add_fetch(&calls, 1, __ATOMIC_RELAXED);
	if (n < fail_at || (n > fail_at && !always))
		return 0;
	if (n == fail_at)
		log_line("fired", fn, caller);
	if (killing)
		kill(getpid(), SIGKILL);
	return 1;
}

/* Counts a call of kind k by the function calling this one. */
#define fault(k, fn) fault_at(k, fn, __builtin_return_address(0))

static void report_calls(void)
{
	log_line("calls", NULL, NULL);
}

#define REAL(name) \
	static __typeof__(name) *real_##name; \
	if (!real_##name) \
		real_##name = (__typeof__(name) *)dlsym(RTLD_NEXT, #name)

/* ------------------------------------------------------------- main() */

typedef int (*main_fn)(int, char **, char **);
static main_fn real_main;

static int wrapped_main(int argc, char **argv, char **envp)
{
	const char *call = getenv("FAULT_CALL"), *n = getenv("FAULT_N"),
		   *mode = getenv("FAULT_MODE"), *log = getenv("FAULT_LOG");
	for (int k = K_OPEN; call && k <= K_THREAD; k++)
		if (strcmp(call, kind_names[k]) == 0)
			target = (enum kind)k;
	fail_at = n ? strtoul(n, NULL, 10) : 0;
	always = mode && strcmp(mode, "always") == 0;
	killing = mode && strcmp(mode, "kill") == 0;
	snprintf(spare, sizeof spare, "%s", getenv("FAULT_SPARE") ?
		 getenv("FAULT_SPARE") : "");
	if (log)
		log_fd = (int)syscall(SYS_openat, AT_FDCWD, log,
				      O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	unsetenv("LD_PRELOAD");
	if (target && fail_at) {
		atexit(report_calls);
		armed = 1;
	}
	return real_main(argc, argv, envp);
}

int __libc_start_main(main_fn main, int argc, char **argv, void (*init)(void),
		      void (*fini)(void), void (*rtld_fini)(void), void *stack);

int __libc_start_main(main_fn main, int argc, char **argv, void (*init)(void),
		      void (*fini)(void), void (*rtld_fini)(void), void *stack)
{
	REAL(__libc_start_main);
	real_main = main;
	return real___libc_start_main(wrapped_main, argc, argv, init, fini,
				      rtld_fini, stack);
}

/* ---------------------------------------------------------------- open */

static int open_mode_arg(int flags, va_list ap)
{
	return flags & (O_CREAT | O_TMPFILE) ? va_arg(ap, int) : 0;
}

int open(const char *path, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	int mode = open_mode_arg(flags, ap);
	va_end(ap);
	if (fault(K_OPEN, "open"))
		return errno = EACCES, -1;
	REAL(open);
	return real_open(path, flags, mode);
}

int open64(const char *path, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	int mode = open_mode_arg(flags, ap);
	va_end(ap);
	if (fault(K_OPEN, "open64"))
		return errno = EACCES, -1;
	REAL(open64);
	return real_open64(path, flags, mode);
}

int openat(int dir, const char *path, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	int mode = open_mode_arg(flags, ap);
	va_end(ap);
	if (fault(K_OPEN, "openat"))
		return errno = EACCES, -1;
	REAL(openat);
	return real_openat(dir, path, flags, mode);
}

int openat64(int dir, const char *path, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	int mode = open_mode_arg(flags, ap);
	va_end(ap);
	if (fault(K_OPEN, "openat64"))
		return errno = EACCES, -1;
	REAL(openat64);
	return real_openat64(dir, path, flags, mode);
}

int creat(const char *path, mode_t mode)
{
	if (fault(K_OPEN, "creat"))
		return errno = EACCES, -1;
	REAL(creat);
	return real_creat(path, mode);
}

FILE *fopen(const char *path, const char *mode)
{
	if (fault(K_OPEN, "fopen"))
		return errno = EACCES, NULL;
	REAL(fopen);
	return real_fopen(path, mode);
}

FILE *fopen64(const char *path, const char *mode)
{
	if (fault(K_OPEN, "fopen64"))
		return errno = EACCES, NULL;
	REAL(fopen64);
	return real_fopen64(path, mode);
}

/* --------------------------------------------------------------- write */

/* Tells a stream on a temporary file: one already unlinked. */
static int is_tmpfile(FILE *f)
{
	struct stat st;
	return fstat(fileno(f), &st) == 0 && st.st_nlink == 0;
}

static int stream_fault_at(FILE *f, const char *fn, void *caller)
{
	if (f == stderr ||
	    !fault_at(is_tmpfile(f) ? K_TMPWRITE : K_WRITE, fn, caller))
		return 0;
	/* What a failed write inside stdio leaves: the error flag. */
	f->_flags |= _IO_ERR_SEEN;
	errno = ENOSPC;
	return 1;
}

#define stream_fault(f, fn) stream_fault_at(f, fn, __builtin_return_address(0))

/* The sockets a failed write broke. */
#define MAX_BROKEN 16
static int broken[MAX_BROKEN], nbroken;

/* Fails a write to fd, or one to a socket broken before; 0 otherwise. */
static int write_fault(int fd, const char *fn, void *caller)
{
	for (int i = 0; i < __atomic_load_n(&nbroken, __ATOMIC_RELAXED); i++)
		if (broken[i] == fd)
			return errno = EPIPE, -1;
	if (fd == STDERR_FILENO || !fault_at(K_WRITE, fn, caller))
		return 0;
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode))
		return errno = ENOSPC, -1;
	/* As a connection that breaks: the peer's replies stop too. */
	shutdown(fd, SHUT_RDWR);
	int i = __atomic_fetch_add(&nbroken, 1, __ATOMIC_RELAXED);
	if (i < MAX_BROKEN)
		broken[i] = fd;
	return errno = EPIPE, -1;
}

ssize_t write(int fd, const void *buf, size_t n)
{
	if (write_fault(fd, "write", __builtin_return_address(0)))
		return -1;
	REAL(write);
	return real_write(fd, buf, n);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
	if (write_fault(fd, "pwrite", __builtin_return_address(0)))
		return -1;
	REAL(pwrite);
	return real_pwrite(fd, buf, n, off);
}

ssize_t writev(int fd, const struct iovec *iov, int n)
{
	if (write_fault(fd, "writev", __builtin_return_address(0)))
		return -1;
	REAL(writev);
	return real_writev(fd, iov, n);
}

size_t fwrite(const void *p, size_t size, size_t n, FILE *f)
{
	if (stream_fault(f, "fwrite"))
		return 0;
	REAL(fwrite);
	return real_fwrite(p, size, n, f);
}

int fputs(const char *s, FILE *f)
{
	if (stream_fault(f, "fputs"))
		return EOF;
	REAL(fputs);
	return real_fputs(s, f);
}

int fputc(int c, FILE *f)
{
	if (stream_fault(f, "fputc"))
		return EOF;
	REAL(fputc);
	return real_fputc(c, f);
}

int putc(int c, FILE *f)
{
	if (stream_fault(f, "putc"))
		return EOF;
	REAL(putc);
	return real_putc(c, f);
}

static int vfprintf_at(FILE *f, const char *fmt, va_list ap, void *caller)
{
	if (stream_fault_at(f, "vfprintf", caller))
		return -1;
	REAL(vfprintf);
	return real_vfprintf(f, fmt, ap);
}

int vfprintf(FILE *f, const char *fmt, va_list ap)
{
	return vfprintf_at(f, fmt, ap, __builtin_return_address(0));
}

int fprintf(FILE *f, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = vfprintf_at(f, fmt, ap, __builtin_return_address(0));
	va_end(ap);
	return rc;
}

/* The fortified forms (_FORTIFY_SOURCE), which libraries built with it
 * call in place of fprintf: libxlsxwriter writes most of each part with
 * __fprintf_chk, so that a temporary directory full failed only its
 * fputc calls (single characters, '>' of its tags) and left the text. */
int __vfprintf_chk(FILE *f, int flag, const char *fmt, va_list ap);
int __fprintf_chk(FILE *f, int flag, const char *fmt, ...);

static int vfprintf_chk_at(FILE *f, int flag, const char *fmt, va_list ap,
			   void *caller)
{
	if (stream_fault_at(f, "vfprintf", caller))
		return -1;
	REAL(__vfprintf_chk);
	return real___vfprintf_chk(f, flag, fmt, ap);
}

int __vfprintf_chk(FILE *f, int flag, const char *fmt, va_list ap)
{
	return vfprintf_chk_at(f, flag, fmt, ap, __builtin_return_address(0));
}

int __fprintf_chk(FILE *f, int flag, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = vfprintf_chk_at(f, flag, fmt, ap,
				 __builtin_return_address(0));
	va_end(ap);
	return rc;
}

int fflush(FILE *f)
{
	if (f && stream_fault(f, "fflush"))
		return EOF;
	REAL(fflush);
	return real_fflush(f);
}

int fclose(FILE *f)
{
	REAL(fclose);
	if (f != stderr && !is_tmpfile(f) && fault(K_WRITE, "fclose")) {
		/* The buffered bytes are lost, the stream closed all the
		 * same. */
		__fpurge(f);
		real_fclose(f);
		return errno = ENOSPC, EOF;
	}
	return real_fclose(f);
}

/* --------------------------------------------------------------- fsync */

int fsync(int fd)
{
	if (fault(K_FSYNC, "fsync"))
		return errno = EIO, -1;
	REAL(fsync);
	return real_fsync(fd);
}

int fdatasync(int fd)
{
	if (fault(K_FSYNC, "fdatasync"))
		return errno = EIO, -1;
	REAL(fdatasync);
	return real_fdatasync(fd);
}

/* -------------------------------------------------------------- rename */

int rename(const char *from, const char *to)
{
	if (fault(K_RENAME, "rename"))
		return errno = EIO, -1;
	REAL(rename);
	return real_rename(from, to);
}

int renameat(int fromdir, const char *from, int todir, const char *to)
{
	if (fault(K_RENAME, "renameat"))
		return errno = EIO, -1;
	REAL(renameat);
	return real_renameat(fromdir, from, todir, to);
}

int renameat2(int fromdir, const char *from, int todir, const char *to,
	      unsigned int flags)
{
	if (fault(K_RENAME, "renameat2"))
		return errno = EIO, -1;
	REAL(renameat2);
	return real_renameat2(fromdir, from, todir, to, flags);
}

/* -------------------------------------------------------------- malloc */

/* glibc's own entry points: dlsym itself allocates, so it cannot find
 * these. */
void *__libc_malloc(size_t n);
void *__libc_calloc(size_t count, size_t size);
void *__libc_realloc(void *p, size_t n);

void *malloc(size_t n)
{
	if (fault(K_MALLOC, "malloc"))
		return errno = ENOMEM, NULL;
	return __libc_malloc(n);
}

void *calloc(size_t count, size_t size)
{
	if (fault(K_MALLOC, "calloc"))
		return errno = ENOMEM, NULL;
	return __libc_calloc(count, size);
}

void *realloc(void *p, size_t n)
{
	if (n && fault(K_MALLOC, "realloc"))
		return errno = ENOMEM, NULL;
	return __libc_realloc(p, n);
}

/* -------------------------------------------------------------- unlink */

int unlink(const char *path)
{
	if (fault(K_UNLINK, "unlink"))
		return errno = EIO, -1;
	REAL(unlink);
	return real_unlink(path);
}

int unlinkat(int dir, const char *path, int flags)
{
	if (fault(K_UNLINK, "unlinkat"))
		return errno = EIO, -1;
	REAL(unlinkat);
	return real_unlinkat(dir, path, flags);
}

/* -------------------------------------------------------------- thread */

int pthread_create(pthread_t *thread, const pthread_attr_t *attr,
		   void *(*start)(void *), void *arg)
{
	if (fault(K_THREAD, "pthread_create"))
		return EAGAIN;
	REAL(pthread_create);
	return real_pthread_create(thread, attr, start, arg);
}
