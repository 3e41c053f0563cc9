/* file.c - durable files: a whole file published in one rename, and the
 * fsync of the directory that makes a rename survive a crash; the output
 * a path names (a file, a link to one, a device, a descriptor). */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/core.h"

int br_write_all(int fd, const void *data, size_t n)
{
	const char *p = data;
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static bool stdin_closed;

void br_std_fds_open(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		if (fd == 0)
			stdin_closed = true;
		/* Standard output opened for reading only: what is written
		 * to it fails (EBADF), as it would have, rather than vanish. */
		int n = open("/dev/null", fd == 2 ? O_WRONLY : O_RDONLY);
		if (n >= 0 && n != fd) {
			dup2(n, fd);
			close(n);
		}
	}
}

bool br_stdin_closed(void)
{
	return stdin_closed;
}

int br_tmpfile(const char *name)
{
	const char *dir = getenv("TMPDIR");
	if (!dir || !*dir)
		dir = "/tmp";
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR))
		return fd;
	/* A file system without O_TMPFILE: a named file, unlinked at once. */
	struct br_buf path = {0};
	br_buf_printf(&path, "%s/%s-XXXXXX", dir, name);
	fd = mkostemp(path.p, O_CLOEXEC);
	if (fd >= 0)
		unlink(path.p);
	br_buf_free(&path);
	return fd;
}

int br_fsync_dir(const char *dir, struct br_err *err)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return br_fail(err, "cannot open directory '%s': %s", dir,
			       strerror(errno));
	int rc = fsync(fd);
	int e = errno;
	close(fd);
	if (rc != 0)
		return br_fail(err, "cannot fsync directory '%s': %s", dir,
			       strerror(e));
	return 0;
}

/* The descriptor path names when it is a name of one of this process's
 * own (/dev/stdout, /dev/fd/N, /proc/self/fd/N, ...), else -1. */
static int own_descriptor(const char *path)
{
	static const char *const std[] = {"/dev/stdin", "/dev/stdout",
					  "/dev/stderr"};
	for (int i = 0; i < 3; i++)
		if (strcmp(path, std[i]) == 0)
			return i;
	static const char *const dirs[] = {"/dev/fd/", "/proc/self/fd/",
					   "/proc/thread-self/fd/"};
	const char *rest = NULL;
	for (size_t i = 0; i < sizeof dirs / sizeof *dirs && !rest; i++)
		if (strncmp(path, dirs[i], strlen(dirs[i])) == 0)
			rest = path + strlen(dirs[i]);
	if (!rest && strncmp(path, "/proc/", 6) == 0 &&
	    isdigit((unsigned char)path[6])) {
		char *end;
		errno = 0;
		long pid = strtol(path + 6, &end, 10);
		if (errno == 0 && pid == (long)getpid() &&
		    strncmp(end, "/fd/", 4) == 0)
			rest = end + 4;
	}
	if (!rest || !isdigit((unsigned char)*rest))
		return -1;
	char *end;
	errno = 0;
	long n = strtol(rest, &end, 10);
	return *end || errno || n > INT_MAX ? -1 : (int)n;
}

/* Splits path into its directory (caller frees) and its last name. */
static char *dir_of(const char *path, const char **name)
{
	const char *slash = strrchr(path, '/');
	*name = slash ? slash + 1 : path;
	if (!slash)
		return br_strdup(".");
	return br_strndup(path, slash == path ? 1 : (size_t)(slash - path));
}

int br_fsync_parent(const char *path, struct br_err *err)
{
	size_t n = strlen(path);
	while (n > 1 && path[n - 1] == '/')
		n--;
	char *p = br_strndup(path, n);
	const char *name;
	char *dir = dir_of(p, &name);
	int rc = 0;
	/* A directory one may write in and search but not read (mode 0733,
	 * 1733) cannot be opened to fsync it: the creation stays as durable
	 * as it was before this call, not a failure (a store made there
	 * failed to init, its directory left behind, and a second init,
	 * finding that, succeeded). */
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 && errno != EACCES)
		rc = br_fail(err, "cannot open directory '%s': %s", dir,
			     strerror(errno));
	else if (fd >= 0 && fsync(fd) != 0)
		rc = br_fail(err, "cannot fsync directory '%s': %s", dir,
			     strerror(errno));
	if (fd >= 0)
		close(fd);
	free(dir);
	free(p);
	return rc;
}

/* Whether the link at p (lstat: st) may be followed, by the kernel's
 * rule for fs.protected_symlinks, which reading it bypasses: not when it
 * sits in a sticky directory anyone may write (/tmp) and belongs to
 * neither this user nor the directory's owner. One planted there would
 * make the file written, or created, one of its planter's choosing. */
static bool may_follow(const char *p, const struct stat *st)
{
	if (st->st_uid == geteuid())
		return true;
	const char *name;
	char *dir = dir_of(p, &name);
	struct stat d;
	bool ok = stat(dir, &d) == 0 &&
		  (!(d.st_mode & S_ISVTX) || !(d.st_mode & S_IWOTH) ||
		   d.st_uid == st->st_uid);
	free(dir);
	return ok;
}

/* Follows the chain of links at path: sets *out (caller frees) to where
 * it ends, *own to the descriptor that names (or -1) and *kind to its
 * file type (0 when missing). Fails past BR_OUTPUT_MAX_LINKS links. */
static int resolve(const char *path, char **out, int *own, mode_t *kind,
		   struct br_err *err)
{
	char *p = br_strdup(path);
	for (int links = 0;; links++) {
		struct stat st;
		*own = own_descriptor(p);
		*kind = 0;
		if (*own < 0 && lstat(p, &st) == 0)
			*kind = st.st_mode & S_IFMT;
		if (*kind != S_IFLNK) {
			*out = p; /* a descriptor, missing, or not a link */
			return 0;
		}
		if (links == BR_OUTPUT_MAX_LINKS) {
			free(p);
			return br_fail(err, "cannot write '%s': %s", path,
				       strerror(ELOOP));
		}
		if (!may_follow(p, &st)) {
			br_fail(err, "cannot write '%s': the link '%s' in a shared "
				"directory belongs to another user", path, p);
			free(p);
			return -1;
		}
		struct br_buf link = {0};
		size_t cap = (size_t)st.st_size + 1 > 256 ? (size_t)st.st_size + 1 : 256;
		for (;;) {
			br_buf_reserve(&link, cap);
			ssize_t n = readlink(p, link.p, cap);
			if (n < 0) {
				int e = errno;
				br_buf_free(&link);
				br_fail(err, "cannot read link '%s': %s", p,
					strerror(e));
				free(p);
				return -1;
			}
			if ((size_t)n < cap) {
				link.p[n] = 0;
				link.len = (size_t)n;
				break;
			}
			cap *= 2;
		}
		/* A relative target is taken from the link's directory. */
		const char *slash = strrchr(p, '/');
		struct br_buf next = {0};
		if (link.p[0] == '/' || !slash)
			br_buf_puts(&next, link.p);
		else
			br_buf_printf(&next, "%.*s/%s", (int)(slash - p), p,
				      link.p);
		br_buf_free(&link);
		free(p);
		p = next.p;
	}
}

/* An fsync on a thread of its own (br_output_sync_ahead). */
struct br_sync_ahead {
	pthread_t thread;
	int fd;
	int error; /* fsync's errno, 0 when it succeeded */
};

static void *sync_ahead(void *arg)
{
	struct br_sync_ahead *a = arg;
	a->error = fsync(a->fd) == 0 ? 0 : errno;
	return NULL;
}

void br_output_sync_ahead(struct br_output *o)
{
	if (!(o->flags & BR_OUTPUT_DURABLE) || !o->tmp || o->dest >= 0 ||
	    o->fd < 0 || o->ahead)
		return;
	struct br_sync_ahead *a = br_malloc(sizeof *a);
	*a = (struct br_sync_ahead){.fd = o->fd};
	if (pthread_create(&a->thread, NULL, sync_ahead, a) != 0) {
		free(a);
		return;
	}
	o->ahead = a;
}

/* Waits for o's fsync ahead, if any; returns its errno (0: none, or it
 * succeeded). */
static int sync_ahead_wait(struct br_output *o)
{
	struct br_sync_ahead *a = o->ahead;
	if (!a)
		return 0;
	pthread_join(a->thread, NULL);
	int error = a->error;
	free(a);
	o->ahead = NULL;
	return error;
}

void br_output_abort(struct br_output *o)
{
	sync_ahead_wait(o);
	if (o->fd >= 0)
		close(o->fd);
	if (o->dest >= 0)
		close(o->dest);
	if (o->tmp)
		unlink(o->tmp);
	free(o->path);
	free(o->target);
	free(o->tmp);
	*o = (struct br_output){.fd = -1, .dest = -1};
}

/* Opens o->tmp, a private temporary file for what goes in place to
 * o->dest. */
static int open_private(struct br_output *o, struct br_err *err)
{
	const char *dir = getenv("TMPDIR");
	struct br_buf t = {0};
	br_buf_printf(&t, "%s/burnrate-XXXXXX", dir && *dir ? dir : "/tmp");
	o->tmp = t.p;
	o->fd = mkostemp(o->tmp, O_CLOEXEC);
	if (o->fd < 0) {
		br_fail(err, "cannot create a temporary file for '%s' (%s): %s",
			o->path, o->tmp, strerror(errno));
		free(o->tmp);
		o->tmp = NULL;
		return -1;
	}
	return 0;
}

struct dirent *br_readdir(DIR *d)
{
	errno = 0;
	return readdir(d);
}

/* br_tmp_orphan, and untouched for at least min_age seconds. */
static bool orphan_for(int dirfd, const char *name, const char *pid,
		       mode_t kind, time_t min_age)
{
	char *stop;
	long n = strtol(pid, &stop, 10);
	struct stat st;
	return stop != pid && (*stop == 0 || *stop == '-') && n > 0 &&
	       n != (long)getpid() && kill((pid_t)n, 0) != 0 &&
	       errno == ESRCH &&
	       fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	       (st.st_mode & S_IFMT) == kind && st.st_uid == geteuid() &&
	       time(NULL) - st.st_mtime >= min_age;
}

bool br_tmp_orphan(int dirfd, const char *name, const char *pid,
		   mode_t kind)
{
	return orphan_for(dirfd, name, pid, kind, 0);
}

bool br_tmp_stale(int dirfd, const char *name, const char *pid,
		  mode_t kind)
{
	return orphan_for(dirfd, name, pid, kind, BR_STALE_TMP_SECONDS);
}

/* Removes the temporary files NAME.tmp-PID (hidden: .tmp-PID-NAME) that
 * writers of dir/name killed before they finished left (a signal, a file
 * size limit), stale as br_tmp_stale says. */
static void remove_stale_tmp(const char *dir, const char *name, bool hidden)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	size_t n = strlen(name);
	struct dirent *de;
	while ((de = br_readdir(d)) != NULL) {
		const char *e = de->d_name, *pid;
		if (hidden) {
			size_t len = strlen(e);
			pid = e + 5;
			if (strncmp(e, ".tmp-", 5) != 0 || len < 5 + n + 2 ||
			    strcmp(e + len - n, name) != 0 || e[len - n - 1] != '-' ||
			    strspn(pid, "0123456789") != len - n - 6)
				continue;
		} else {
			pid = e + n + 5;
			if (strncmp(e, name, n) != 0 ||
			    strncmp(e + n, ".tmp-", 5) != 0 ||
			    strspn(pid, "0123456789") != strlen(pid))
				continue;
		}
		if (br_tmp_stale(dirfd(d), e, pid, S_IFREG))
			unlinkat(dirfd(d), e, 0);
	}
	closedir(d);
}

int br_output_open(struct br_output *o, const char *path, mode_t mode,
		   int flags, struct br_err *err)
{
	*o = (struct br_output){.fd = -1, .dest = -1, .flags = flags};
	char *end = NULL;
	int own = -1;
	mode_t kind = 0;
	if (resolve(path, &end, &own, &kind, err) != 0)
		return -1;
	o->path = br_strdup(path);
	if (kind == S_IFDIR) {
		/* Refused now, not at the rename once the output is written
		 * ("cannot rename 'out.tmp-PID' to 'out': Is a directory"). */
		br_fail(err, "cannot create '%s': it is a directory", path);
		free(end);
		br_output_abort(o);
		return -1;
	}
	if (own >= 0 || (kind != 0 && kind != S_IFREG)) {
		/* In place: through the descriptor, or opened. */
		int fd = own >= 0 ? fcntl(own, F_DUPFD_CLOEXEC, 3)
				  : open(end, O_WRONLY | O_TRUNC | O_CLOEXEC);
		free(end);
		if (fd < 0) {
			br_fail(err, "cannot open '%s': %s", path, strerror(errno));
			br_output_abort(o);
			return -1;
		}
		if (!(flags & BR_OUTPUT_FILE)) {
			o->fd = fd;
			return 0;
		}
		o->dest = fd;
		if (open_private(o, err) != 0) {
			br_output_abort(o);
			return -1;
		}
		return 0;
	}
	o->target = end;
	struct br_buf tmp = {0};
	if (flags & BR_OUTPUT_HIDDEN_TMP) {
		const char *name;
		char *dir = dir_of(end, &name);
		remove_stale_tmp(dir, name, true);
		if (strchr(end, '/'))
			br_buf_printf(&tmp, "%s/", dir);
		br_buf_printf(&tmp, ".tmp-%ld-%s", (long)getpid(), name);
		free(dir);
	} else {
		const char *name;
		char *dir = dir_of(end, &name);
		remove_stale_tmp(dir, name, false);
		free(dir);
		br_buf_printf(&tmp, "%s.tmp-%ld", end, (long)getpid());
	}
	o->tmp = tmp.p;
	/* Never through a link: one planted in a directory others may write
	 * would redirect the write to a file of their choosing. */
	o->fd = open(o->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
				     O_CLOEXEC, mode);
	if (o->fd < 0) {
		/* Named as the user gave it, with the reason in their terms:
		 * "cannot create 'nodir/x.json.tmp-10959': No such file or
		 * directory" named a file they never asked for. */
		int e = errno;
		const char *name;
		char *dir = dir_of(end, &name);
		struct stat st;
		if (e == ENOENT)
			br_fail(err, "cannot create '%s': its directory '%s' does "
				"not exist", path, dir);
		else if (e == ELOOP && lstat(o->tmp, &st) == 0 &&
			 S_ISLNK(st.st_mode))
			br_fail(err, "cannot create '%s': its temporary file '%s' "
				"is a link, which is not followed", path, o->tmp);
		else if (e == EACCES)
			br_fail(err, "cannot create '%s': no permission to create "
				"files in its directory '%s'", path, dir);
		else
			br_fail(err, "cannot create '%s': %s", path, strerror(e));
		free(dir);
		free(o->tmp);
		o->tmp = NULL;
		br_output_abort(o);
		return -1;
	}
	return 0;
}

/* Copies the private temporary file o->fd to o->dest. */
static int copy_out(struct br_output *o, struct br_err *err)
{
	char buf[65536];
	for (off_t off = 0;;) {
		ssize_t n = pread(o->fd, buf, sizeof buf, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return br_fail(err, "cannot read '%s': %s", o->tmp,
				       strerror(errno));
		if (n == 0)
			return 0;
		if (br_write_all(o->dest, buf, (size_t)n) != 0)
			return br_fail(err, "cannot write '%s': %s", o->path,
				       strerror(errno));
		off += n;
	}
}

/* Renames o->tmp to o->target; with BR_OUTPUT_NEW, only if no file has
 * that name (EEXIST otherwise). A link and an unlink stand in for
 * RENAME_NOREPLACE where the kernel or the file system has none: the
 * link fails if the name exists. */
static int rename_to_target(const struct br_output *o)
{
	if (!(o->flags & BR_OUTPUT_NEW))
		return rename(o->tmp, o->target);
	if (renameat2(AT_FDCWD, o->tmp, AT_FDCWD, o->target,
		      RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	if (link(o->tmp, o->target) != 0)
		return -1;
	unlink(o->tmp); /* if it stays, a cleanup removes it */
	return 0;
}

int br_output_commit(struct br_output *o, struct br_err *err)
{
	int rc = 0;
	if (o->dest >= 0) {
		rc = copy_out(o, err);
		int fd = o->dest;
		o->dest = -1;
		if (close(fd) != 0 && rc == 0)
			rc = br_fail(err, "cannot close '%s': %s", o->path,
				     strerror(errno));
	} else if (!o->tmp) {
		int fd = o->fd;
		o->fd = -1;
		if (close(fd) != 0)
			rc = br_fail(err, "cannot close '%s': %s", o->path,
				     strerror(errno));
	} else {
		/* Synced ahead: written no more since (the caller's contract). */
		bool synced = o->ahead != NULL;
		int ahead = sync_ahead_wait(o);
		if (ahead)
			rc = br_fail(err, "cannot fsync '%s': %s", o->tmp,
				     strerror(ahead));
		else if ((o->flags & BR_OUTPUT_DURABLE) && !synced &&
			 fsync(o->fd) != 0)
			rc = br_fail(err, "cannot fsync '%s': %s", o->tmp,
				     strerror(errno));
		int fd = o->fd;
		o->fd = -1;
		if (close(fd) != 0 && rc == 0)
			rc = br_fail(err, "cannot close '%s': %s", o->tmp,
				     strerror(errno));
		if (rc == 0 && rename_to_target(o) != 0)
			rc = br_fail(err, "cannot rename '%s' to '%s': %s", o->tmp,
				     o->target, errno == EEXIST
				     ? "a file of that name exists" : strerror(errno));
		if (rc == 0) {
			free(o->tmp);
			o->tmp = NULL;
		}
		if (rc == 0 && (o->flags & BR_OUTPUT_DURABLE)) {
			const char *name;
			char *dir = dir_of(o->target, &name);
			rc = br_fsync_dir(dir, err);
			free(dir);
		}
	}
	br_output_abort(o); /* the private or failed temporary file */
	return rc;
}

static int publish(const char *dir, const char *name, const void *data,
		   size_t n, mode_t mode, int flags, struct br_err *err)
{
	struct br_buf path = {0};
	br_buf_printf(&path, "%s/%s", dir, name);
	struct br_output o;
	int rc = br_output_open(&o, path.p, mode,
				BR_OUTPUT_DURABLE | BR_OUTPUT_HIDDEN_TMP | flags,
				err);
	if (rc == 0 && br_write_all(o.fd, data, n) != 0) {
		rc = br_fail(err, "cannot write '%s': %s",
			     o.tmp ? o.tmp : o.path, strerror(errno));
		br_output_abort(&o);
	} else if (rc == 0) {
		rc = br_output_commit(&o, err);
	}
	br_buf_free(&path);
	return rc;
}

int br_file_publish(const char *dir, const char *name, const void *data,
		    size_t n, mode_t mode, struct br_err *err)
{
	return publish(dir, name, data, n, mode, 0, err);
}

int br_file_publish_new(const char *dir, const char *name, const void *data,
			size_t n, mode_t mode, struct br_err *err)
{
	return publish(dir, name, data, n, mode, BR_OUTPUT_NEW, err);
}
