/* file.c - durable files: a whole file published in one rename, and the
 * fsync of the directory that makes a rename survive a crash. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
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

char *br_output_target(const char *path)
{
	struct stat st;
	if (lstat(path, &st) != 0)
		return br_strdup(path); /* created */
	if (S_ISLNK(st.st_mode)) {
		if (stat(path, &st) != 0)
			return br_strdup(path); /* a dangling link is replaced */
		if (!S_ISREG(st.st_mode))
			return NULL;
		return realpath(path, NULL);
	}
	return S_ISREG(st.st_mode) || S_ISDIR(st.st_mode) ? br_strdup(path) : NULL;
}

/* Writes data in place into the device or FIFO at path. */
static int write_in_place(const char *path, const void *data, size_t n,
			  struct br_err *err)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return br_fail(err, "cannot open '%s': %s", path, strerror(errno));
	int rc = br_write_all(fd, data, n) == 0 ? 0
		 : br_fail(err, "cannot write '%s': %s", path, strerror(errno));
	if (close(fd) != 0 && rc == 0)
		rc = br_fail(err, "cannot close '%s': %s", path, strerror(errno));
	return rc;
}

int br_file_publish(const char *dir, const char *name, const void *data,
		    size_t n, mode_t mode, struct br_err *err)
{
	struct br_buf tmp = {0}, final = {0};
	br_buf_printf(&tmp, "%s/.tmp-%ld-%s", dir, (long)getpid(), name);
	br_buf_printf(&final, "%s/%s", dir, name);
	int rc = -1;
	char *target = br_output_target(final.p);
	if (!target || strcmp(target, final.p) != 0) {
		/* In place, or the file a link names, published beside it. */
		char *slash = target ? strrchr(target, '/') : NULL;
		if (!target)
			rc = write_in_place(final.p, data, n, err);
		else if (slash) {
			*slash = 0;
			rc = br_file_publish(*target ? target : "/", slash + 1, data,
					     n, mode, err);
		}
		free(target);
		goto out;
	}
	free(target);
	/* Never through a link: one planted in a directory others may write
	 * would redirect the write to a file of their choosing. */
	int fd = open(tmp.p, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
		      mode);
	if (fd < 0) {
		br_fail(err, "cannot create '%s': %s", tmp.p, strerror(errno));
		goto out;
	}
	if (br_write_all(fd, data, n) != 0) {
		br_fail(err, "cannot write '%s': %s", tmp.p, strerror(errno));
		close(fd);
		goto unlink;
	}
	if (fsync(fd) != 0) {
		br_fail(err, "cannot fsync '%s': %s", tmp.p, strerror(errno));
		close(fd);
		goto unlink;
	}
	if (close(fd) != 0) {
		br_fail(err, "cannot close '%s': %s", tmp.p, strerror(errno));
		goto unlink;
	}
	if (rename(tmp.p, final.p) != 0) {
		br_fail(err, "cannot rename '%s' to '%s': %s", tmp.p, final.p,
			strerror(errno));
		goto unlink;
	}
	rc = br_fsync_dir(dir, err);
	goto out;
unlink:
	unlink(tmp.p);
out:
	br_buf_free(&tmp);
	br_buf_free(&final);
	return rc;
}
