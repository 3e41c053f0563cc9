/* store.c - the store: a directory of append-only, checksummed segment
 * files published atomically (byte layout in docs/FORMAT.md). */
#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <isa-l/crc.h>

#include "reduce/reduce_internal.h"

#define STORE_META "burnrate.store"
#define STORE_META_MAGIC "burnrate store"
#define STORE_VERSION 1
#define SEG_DIR "segments"
#define SEG_MAGIC "BRSEG\r\n\032"
#define SEG_END_MAGIC "BRSEGEND"
#define SEG_VERSION 1        /* what a store writes of its own data */
#define SEG_VERSION_MERGED 2 /* version 1 and the fields of a merged segment */
#define SEG_VERSION_FAILED 3 /* version 2 and the FAILED cost sources: only
			      * a segment with rows of them is written so,
			      * so that a store without them stays readable
			      * by a burnrate from before them */
#define SEG_VERSION_GROUP 4  /* version 3 and the group of segments one
			      * merge published together: only a merge
			      * that publishes more than one is written so */
#define SEG_VERSION_LAST SEG_VERSION_GROUP
#define SEG_HEADER_SIZE 128
#define SEG_ROW_SIZE 184
#define SEG_INPUT_SIZE 40
#define SEG_TRAILER_SIZE 12
size_t red_segment_max = (size_t)1 << 31;
#define SEG_MAX_STRING ((size_t)1 << 20)
/* A row's costs are at most 2^100 pico-dollars (about 1.27e18 USD) in
 * magnitude: sums of 2^26 rows at the bound still fit in 128 bits (and
 * red_totals_add saturates beyond). A log's cost is below 1e15 USD. */
#define SEG_MAX_COST_BITS 100
#define SEG_MAX_COST ((br_pico)1 << SEG_MAX_COST_BITS)

/* One segment as read back. Strings are NUL-terminated copies. */
struct segment {
	char *path;
	uint64_t seq;
	int32_t day_min, day_max, replace_from, replace_to;
	uint64_t compacted_through; /* holds the live rows of its source's
				     * segments with seq <= this (0: none) */
	uint64_t merged_through;    /* merged from another store, whose
				     * segments of its source up to this seq
				     * it holds (0: this store's own data) */
	uint32_t origin;            /* string id of that store's directory */
	uint64_t group_first;       /* one of the segments one merge published
				     * together: those of sequence numbers
				     * group_first .. + group_parts - 1 */
	uint32_t group_parts;       /* (0: published alone) */
	bool unfinished;            /* of a group some part of which is
				     * missing: a merge that did not end */
	bool hidden;                /* absorbed by a later compaction,
				     * replaced by a newer merge, or
				     * unfinished */
	char **str;
	uint32_t nstrings;
	uint32_t source, tz;
	struct red_row *rows;       /* NULL: read from the file as a scan
				     * needs them (segment_stream) */
	uint32_t nrows;
	int fd;                     /* the file, open since it was read (a
				     * reader without the lock), or -1 */
	struct store_input *inputs;
	uint32_t ninputs;
};

struct store {
	char *dir;
	struct br_tz *tz;
	int lock_fd;
	bool loaded;
	struct segment *segs; /* sorted by seq */
	size_t nsegs;
	struct br_fp *fps;    /* sorted fingerprints of every input */
	size_t nfps;
	/* The newest input of each name the store ingested itself, by the
	 * name's id in names (NULL until store_last_input needs them): a
	 * walk of 50,000 known logs looked for each in all of them, 9 s. */
	struct br_dict *names;
	const struct store_input **named;
	/* Every such input, by name: those of name id k are
	 * byname[byname_at[k]..byname_at[k + 1]), in store_each_input's
	 * order (store_each_named). */
	const struct store_input **byname;
	uint32_t *byname_at;
	uint32_t *input_ids; /* while indexing: each input's name id */
	size_t nindexed;
	bool skip_corrupt;
	char **skipped;       /* pairs: path, problem */
	size_t nskipped;
	/* The stores whose merges that did not end left segments that a
	 * merge or compaction removed (store_abandoned). */
	char **abandoned;
	size_t nabandoned;
};

/* ------------------------------------------------------------ encoding */

/* Little-endian writers into memory that has room: each returns the
 * position after what it wrote. */
static unsigned char *w32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
	return p + 4;
}

static unsigned char *w64(unsigned char *p, uint64_t v)
{
	return w32(w32(p, (uint32_t)v), (uint32_t)(v >> 32));
}

static unsigned char *w128(unsigned char *p, br_pico v)
{
	unsigned __int128 u = (unsigned __int128)v;
	return w64(w64(p, (uint64_t)u), (uint64_t)(u >> 64));
}

static void put_u32(struct br_buf *b, uint32_t v)
{
	w32((unsigned char *)br_buf_append(b, 4), v);
}

static void put_u64(struct br_buf *b, uint64_t v)
{
	w64((unsigned char *)br_buf_append(b, 8), v);
}

static uint32_t get_u32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t get_u64(const unsigned char *p)
{
	return (uint64_t)get_u32(p) | (uint64_t)get_u32(p + 4) << 32;
}

static br_pico get_i128(const unsigned char *p)
{
	unsigned __int128 u = (unsigned __int128)get_u64(p + 8) << 64 | get_u64(p);
	return (br_pico)u;
}

/* The CRC-32 of zlib and gzip, by ISA-L's folding code. */
static uint32_t crc(const void *p, size_t n)
{
	return crc32_gzip_refl(0, p, n);
}

/* ------------------------------------------------------------- helpers */

static char *path_join(const char *a, const char *b)
{
	struct br_buf p = {0};
	br_buf_printf(&p, "%s/%s", a, b);
	return p.p;
}

/* ------------------------------------------------------- store metadata */

/* Reads the store's metadata file: its time zone's name into tz, and
 * when zone is not NULL the zone itself into *zone (the caller frees).
 * Returns 0; -1 with errno set when it cannot be opened; -2 with err
 * filled when it cannot be read or is not valid, a time zone that cannot
 * be loaded too
 * (status BR_EXIT_FAILURE, the file named: the store is damaged, or was
 * made where the zone exists). */
static int read_meta(const char *dir, char *tz, size_t tzsize,
		     struct br_tz **zone, struct br_err *err)
{
	char *path = path_join(dir, STORE_META);
	/* A FIFO of that name is no store file, not one to wait on (opened,
	 * it blocked every command for ever). */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		int e = errno;
		free(path);
		errno = e;
		return -1;
	}
	struct stat st;
	FILE *f = NULL;
	if (fstat(fd, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
		br_fail(err, "'%s' is not a burnrate store file (not a regular "
			"file)", path);
	} else if (!(f = fdopen(fd, "r"))) {
		br_fail(err, "cannot read '%s': %s", path, strerror(errno));
	}
	if (!f) {
		close(fd);
		free(path);
		return -2;
	}
	char line[256];
	int version = -1;
	bool magic = false;
	tz[0] = 0;
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = 0;
		if (strcmp(line, STORE_META_MAGIC) == 0)
			magic = true;
		else if (strncmp(line, "version ", 8) == 0)
			version = (int)strtol(line + 8, NULL, 10);
		else if (strncmp(line, "timezone ", 9) == 0)
			snprintf(tz, tzsize, "%s", line + 9);
	}
	bool failed = ferror(f);
	int e = errno;
	fclose(f);
	int rc = 0;
	if (failed)
		rc = br_fail(err, "cannot read '%s': %s", path, strerror(e));
	else if (!magic || !tz[0])
		rc = br_fail(err, "'%s' is not a burnrate store file", path);
	else if (version != STORE_VERSION)
		rc = br_fail(err, "store '%s' has version %d; this burnrate "
			     "reads version %d", dir, version, STORE_VERSION);
	if (rc == 0) {
		struct br_err why = {0};
		struct br_tz *z = br_tz_load(tz, &why);
		if (!z)
			rc = br_fail(err, "store file '%s': %s", path, why.msg);
		else if (zone)
			*zone = z;
		else
			br_tz_free(z);
	}
	free(path);
	return rc == 0 ? 0 : -2;
}

/* Whether init with zone tz_name may go on in a store dir that has the
 * zone existing: 0 when it is the same, else -1, failed with status
 * BR_EXIT_USAGE. */
static int init_existing(const char *dir, const char *existing,
			 const char *tz_name, struct br_err *err)
{
	if (strcmp(existing, tz_name) == 0)
		return 0;
	return br_fail_status(err, BR_EXIT_USAGE, "store '%s' already exists "
			      "with time zone %s, not %s", dir, existing,
			      tz_name);
}

int store_init(const char *dir, const char *tz_name, struct br_err *err)
{
	struct br_tz *tz = br_tz_load(tz_name, err);
	if (!tz)
		return -1;
	br_tz_free(tz);
	char existing[256];
	int rc = read_meta(dir, existing, sizeof existing, NULL, err);
	if (rc == 0)
		return init_existing(dir, existing, tz_name, err);
	if (rc == -2)
		return -1;
	/* Only a store that is not there is made: one that cannot be read
	 * now (EIO, EMFILE) would be given a new time zone. */
	if (errno != ENOENT)
		return br_fail(err, "cannot read store '%s': %s", dir,
			       strerror(errno));
	if (mkdir(dir, 0755) == 0) {
		/* Its entry, durable as the files in it will be. */
		if (br_fsync_parent(dir, err) != 0)
			return -1;
	} else if (errno != EEXIST) {
		return br_fail(err, "cannot create store directory '%s': %s",
			       dir, strerror(errno));
	}
	/* Made durable by the store file's publication (fsync of dir). */
	char *segdir = path_join(dir, SEG_DIR);
	if (mkdir(segdir, 0755) != 0 && errno != EEXIST) {
		br_fail(err, "cannot create '%s': %s", segdir, strerror(errno));
		free(segdir);
		return -1;
	}
	free(segdir);
	struct br_buf meta = {0};
	br_buf_printf(&meta, "%s\nversion %d\ntimezone %s\n", STORE_META_MAGIC,
		      STORE_VERSION, tz_name);
	/* Never over one there: of two first inits at once, the one that
	 * publishes second finds the other's store as if it had been there
	 * (replacing it, both succeeded, one with another zone than its). */
	rc = br_file_publish_new(dir, STORE_META, meta.p, meta.len, 0644, err);
	br_buf_free(&meta);
	if (rc != 0 && read_meta(dir, existing, sizeof existing, NULL,
				 &(struct br_err){0}) == 0) {
		*err = (struct br_err){0};
		return init_existing(dir, existing, tz_name, err);
	}
	return rc;
}

struct store *store_open(const char *dir, const char *create_tz,
			 struct br_err *err)
{
	char tz[256];
	struct br_tz *zone = NULL;
	int rc = read_meta(dir, tz, sizeof tz, &zone, err);
	if (rc == -1) {
		if (errno != ENOENT && errno != ENOTDIR) {
			br_fail(err, "cannot read store '%s': %s", dir,
				strerror(errno));
			return NULL;
		}
		if (!create_tz || errno != ENOENT) {
			br_fail(err, "'%s' is not a burnrate store (%s); create "
				"it with 'burnrate --store %s init'",
				dir, strerror(errno), dir);
			return NULL;
		}
		if (store_init(dir, create_tz, err) != 0)
			return NULL;
		rc = read_meta(dir, tz, sizeof tz, &zone, err);
	}
	if (rc != 0)
		return NULL;
	struct store *s = br_calloc(1, sizeof *s);
	s->dir = br_strdup(dir);
	s->lock_fd = -1;
	s->tz = zone;
	return s;
}

static void segment_free(struct segment *g)
{
	for (uint32_t i = 0; i < g->nstrings; i++)
		free(g->str[i]);
	free(g->str);
	free(g->rows);
	free(g->inputs);
	free(g->path);
	if (g->fd >= 0)
		close(g->fd);
	g->fd = -1;
}

/* Forgets the index of inputs by name: the segments changed. */
static void forget_names(struct store *s)
{
	br_dict_free(s->names);
	s->names = NULL;
	free(s->named);
	s->named = NULL;
	free(s->byname);
	s->byname = NULL;
	free(s->byname_at);
	s->byname_at = NULL;
}

void store_free(struct store *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nsegs; i++)
		segment_free(&s->segs[i]);
	free(s->segs);
	free(s->fps);
	forget_names(s);
	for (size_t i = 0; i < 2 * s->nskipped; i++)
		free(s->skipped[i]);
	free(s->skipped);
	for (size_t i = 0; i < s->nabandoned; i++)
		free(s->abandoned[i]);
	free(s->abandoned);
	if (s->lock_fd >= 0)
		close(s->lock_fd); /* releases the flock */
	br_tz_free(s->tz);
	free(s->dir);
	free(s);
}

void store_skip_corrupt(struct store *s)
{
	s->skip_corrupt = true;
}

const char *store_skipped(const struct store *s, size_t i,
			  const char **problem)
{
	if (i >= s->nskipped)
		return NULL;
	*problem = s->skipped[2 * i + 1];
	return s->skipped[2 * i];
}

const char *store_abandoned(const struct store *s, size_t i)
{
	return i < s->nabandoned ? s->abandoned[i] : NULL;
}

/* Adds origin to s's abandoned merges, once. */
static void abandon(struct store *s, const char *origin)
{
	for (size_t i = 0; i < s->nabandoned; i++)
		if (strcmp(s->abandoned[i], origin) == 0)
			return;
	s->abandoned = br_realloc(s->abandoned,
				  (s->nabandoned + 1) * sizeof *s->abandoned);
	s->abandoned[s->nabandoned++] = br_strdup(origin);
}

const char *store_dir(const struct store *s)
{
	return s->dir;
}

const struct br_tz *store_tz(const struct store *s)
{
	return s->tz;
}

/* Removes the temporary files of segments whose writers were killed
 * (".tmp-PID-seg-..."): only the holder of the lock writes segments, so
 * once it is taken none is being written. Best effort: one left is only
 * space, never read. */
static void remove_stale_segments(const struct store *s)
{
	char *segdir = path_join(s->dir, SEG_DIR);
	DIR *d = opendir(segdir);
	struct dirent *e;
	while (d && (e = br_readdir(d)))
		if (strncmp(e->d_name, ".tmp-", 5) == 0)
			unlinkat(dirfd(d), e->d_name, 0);
	if (d)
		closedir(d);
	free(segdir);
}

/* Who holds the store's lock, as far as its lock file tells. */
enum lock_holder {
	HOLDER_WRITER, /* the process whose pid it holds, running */
	HOLDER_ENDED,  /* not that process: it has ended */
	HOLDER_NONE,   /* it holds no pid */
	HOLDER_AWAY,   /* a process of another host or pid namespace */
};

/* Where this process runs, as a writer writes it on the lock file's
 * second line: "host NAME pidns ID" (ID: the inode of /proc/self/ns/pid,
 * 0 when unknown). A pid means nothing elsewhere: a writer in a
 * container sharing the store's volume wrote pid 2, and the message
 * named this host's kthreadd as the writer. */
static void lock_place(char *out, size_t n)
{
	char host[256] = "";
	struct stat st;
	if (gethostname(host, sizeof host - 1) != 0)
		host[0] = 0;
	host[strcspn(host, " \n")] = 0;
	snprintf(out, n, "host %s pidns %llu", host[0] ? host : "?",
		 stat("/proc/self/ns/pid", &st) == 0
			 ? (unsigned long long)st.st_ino : 0ULL);
}

/* The pid that the last writer of the store wrote in the lock file open
 * at fd, as pid[0..n) ("unknown" when none did), and whether that process
 * still runs, and so holds the lock: a writer writes its pid once it
 * holds it, but `verify` (shared, for an instant) and a lock taken
 * outside burnrate (flock(1)) write none, and a message naming the last
 * writer, long ended, as the holder sent its user looking for it. (Or a
 * writer just starting: it takes the lock, then writes its pid.) A pid
 * written on another host or in another pid namespace (its second line)
 * cannot be looked for here: "N on host NAME" (or "N in another pid
 * namespace"), HOLDER_AWAY. */
static enum lock_holder lock_holder(int fd, char *pid, size_t n)
{
	char buf[512];
	ssize_t got = pread(fd, buf, sizeof buf - 1, 0);
	buf[got > 0 ? got : 0] = 0;
	char *place = buf + strcspn(buf, "\n");
	if (*place)
		*place++ = 0;
	place[strcspn(place, "\n")] = 0;
	char *end;
	errno = 0;
	long p = strtol(buf, &end, 10);
	if (!buf[0] || *end || errno || p <= 0 || p > INT_MAX) {
		snprintf(pid, n, "unknown");
		return HOLDER_NONE;
	}
	char here[300];
	lock_place(here, sizeof here);
	if (place[0] && strcmp(place, here) != 0) {
		/* "host NAME pidns ID": the host named when it is another. */
		char host[256] = "";
		if (sscanf(place, "host %255s", host) == 1 &&
		    strncmp(place, here, strlen("host ") + strlen(host) + 1) != 0)
			snprintf(pid, n, "%ld on host %s", p, host);
		else
			snprintf(pid, n, "%ld in another pid namespace", p);
		return HOLDER_AWAY;
	}
	snprintf(pid, n, "%ld", p);
	/* EPERM: it runs, as another user. */
	return kill((pid_t)p, 0) == 0 || errno == EPERM ? HOLDER_WRITER
							: HOLDER_ENDED;
}

int store_lock(struct store *s, struct br_err *err)
{
	if (s->lock_fd >= 0)
		return 0;
	char *path = path_join(s->dir, "lock");
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		br_fail(err, "cannot open lock '%s': %s", path, strerror(errno));
		free(path);
		return -1;
	}
	free(path);
	/* A writer holds it for its run; verify, shared, for an instant. */
	int rc;
	for (int i = 0; (rc = flock(fd, LOCK_EX | LOCK_NB)) != 0 &&
			errno == EWOULDBLOCK && i < STORE_LOCK_TRIES; i++)
		nanosleep(&(struct timespec){0, 1000000}, NULL);
	if (rc != 0) {
		int e = errno;
		char pid[300];
		enum lock_holder holder = lock_holder(fd, pid, sizeof pid);
		close(fd);
		if (e == EWOULDBLOCK &&
		    (holder == HOLDER_WRITER || holder == HOLDER_AWAY))
			return br_fail_status(err, BR_EXIT_TEMPFAIL,
					      "store '%s': locked by pid %s, "
					      "another burnrate writing it (try "
					      "again once it ends)", s->dir, pid);
		char last[sizeof pid + 40] = "its lock file names none";
		if (holder == HOLDER_ENDED)
			snprintf(last, sizeof last,
				 "not its last writer (pid %s, ended)", pid);
		if (e == EWOULDBLOCK)
			return br_fail_status(err, BR_EXIT_TEMPFAIL,
					      "store '%s': locked by another "
					      "process, %s: a 'burnrate verify', "
					      "a lock taken outside burnrate, or "
					      "a writer just starting (try again "
					      "once it is released)", s->dir,
					      last);
		return br_fail(err, "cannot lock store '%s': %s", s->dir,
			       strerror(e));
	}
	/* The pid written over the last writer's, then the rest cut: the
	 * file read meanwhile holds one or the other (cut first, it was
	 * read empty: "pid unknown"). Then where it runs (lock_place). */
	char place[300], pid[340];
	lock_place(place, sizeof place);
	int n = snprintf(pid, sizeof pid, "%ld\n%s\n", (long)getpid(), place);
	if (pwrite(fd, pid, (size_t)n, 0) != n || ftruncate(fd, n) != 0) {
		int e = errno;
		close(fd);
		return br_fail(err, "cannot write lock of '%s': %s", s->dir,
			       strerror(e));
	}
	s->lock_fd = fd;
	remove_stale_segments(s);
	return 0;
}

/* ------------------------------------------------------ segment reading */

static int fp_cmp(const void *a, const void *b)
{
	const struct br_fp *x = a, *y = b;
	if (x->hi != y->hi)
		return x->hi < y->hi ? -1 : 1;
	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return 0;
}

/* Tells whether a row's costs are within what a segment may hold. */
static bool costs_in_range(const struct red_totals *t)
{
	const br_pico v[] = {t->cost, t->calc_cost, t->logged_cost};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
		if (v[i] > SEG_MAX_COST || v[i] < -SEG_MAX_COST)
			return false;
	return true;
}

/* What is wrong with a row of a FAILED cost source, against what
 * br_pricer_price puts there: failed requests only, with tokens, each
 * with a logged cost and priced, at that cost (LOG_FAILED: the catalog
 * had no price) or at the catalog's (CATALOG_FAILED); NULL when
 * nothing. */
static const char *failed_row_problem(const struct red_row *row)
{
	const struct red_totals *t = &row->t;
	bool log = row->key.cost_source == BR_COST_FROM_LOG_FAILED;
	if (t->errors != t->requests)
		return "successful requests in a row of failed ones";
	if (br_tokens_none(&t->tokens))
		return "failed requests without tokens";
	if (t->logged_cost_requests != t->requests || t->unpriced)
		return "requests without a logged cost or a price";
	if (log && (t->cost != t->logged_cost || t->calc_cost))
		return "a cost other than the logged one, or a catalog cost";
	if (!log && t->cost != t->calc_cost)
		return "a cost other than the catalog's";
	return NULL;
}

/* Orders inputs by fingerprint. */
static int input_cmp(const void *a, const void *b)
{
	const struct store_input *x = a, *y = b;
	return fp_cmp(&x->fp, &y->fp);
}

/* Where a segment's bytes are read from: its image in memory, or its
 * file, read through a window of at most SEG_WINDOW bytes, so that a
 * large segment is never held whole (a year of days made one of 35 MB,
 * which an ingest held three times: the image, written, then decoded
 * back with its rows). */
struct seg_src {
	const unsigned char *mem; /* the image, or NULL: read fd */
	int fd;
	size_t len;               /* the segment's bytes */
	unsigned char *buf;       /* bytes [at, at + n) of the file */
	size_t cap, at, n;
	int read_errno;           /* a read failed: its errno, or -1 when
				   * the file ended before len */
};

#define SEG_WINDOW ((size_t)1 << 20)

/* Bytes [off, off + n) of the segment, within its len: valid until the
 * next call; NULL when the file cannot be read (s->read_errno). */
static const unsigned char *src_at(struct seg_src *s, size_t off, size_t n)
{
	if (s->mem)
		return s->mem + off;
	if (off >= s->at && off + n <= s->at + s->n)
		return s->buf + (off - s->at);
	if (s->read_errno)
		return NULL;
	size_t want = s->len - off < SEG_WINDOW ? s->len - off : SEG_WINDOW;
	if (want < n)
		want = n;
	if (want > s->cap) {
		free(s->buf);
		s->buf = br_malloc(want);
		s->cap = want;
	}
	s->n = 0;
	for (size_t got = 0; got < want;) {
		ssize_t r = pread(s->fd, s->buf + got, want - got,
				  (off_t)(off + got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			s->read_errno = r < 0 ? errno : -1;
			return NULL;
		}
		got += (size_t)r;
	}
	s->at = off;
	s->n = want;
	return s->buf;
}

/* The CRC-32 of the segment's first n bytes into *out; -1 when the file
 * cannot be read. */
static int src_crc(struct seg_src *s, size_t n, uint32_t *out)
{
	if (s->mem) {
		*out = crc(s->mem, n);
		return 0;
	}
	uint32_t c = 0;
	for (size_t off = 0; off < n;) {
		size_t k = n - off < SEG_WINDOW ? n - off : SEG_WINDOW;
		const unsigned char *p = src_at(s, off, k);
		if (!p)
			return -1;
		c = crc32_gzip_refl(c, p, k);
		off += k;
	}
	*out = c;
	return 0;
}

/* Given each row of a segment as segment_decode checks it, in the
 * segment's order, with the segment as decoded so far (its header and
 * strings; nrows set): a non-zero return stops the decode, which
 * returns SEG_STOPPED, rc holding it. */
struct row_sink {
	int (*fn)(void *ctx, const struct segment *g, const struct red_row *row);
	void *ctx;
	int rc;
	/* The file's checksum is not taken again: read through the file
	 * this process opened and checked when it loaded the segment
	 * (struct segment's fd), whose bytes no writer changes (a segment
	 * is published whole, by a rename, and never written again). */
	bool checked;
};
#define SEG_STOPPED 1

/* Validates and decodes a segment into g: with keep_rows its rows too,
 * else each row is checked and left (g->rows NULL, g->nrows their
 * number: segment_stream reads them when needed), and given to sink
 * when there is one: they come after the file's checksum is checked.
 * Returns 0, SEG_STOPPED (sink), or -1 with the reason written to why
 * (for a file that could not be read, src's read_errno says so); g is
 * then partly filled and must still be freed. */
static int segment_decode(struct segment *g, struct seg_src *src,
			  bool keep_rows, struct row_sink *sink, char *why,
			  size_t whysize)
{
#define BAD(...) do { snprintf(why, whysize, __VA_ARGS__); return -1; } while (0)
#define AT(var, off, n) \
	do { if (!((var) = src_at(src, (off), (n)))) BAD("cannot read"); } while (0)
	char *path = g->path;
	memset(g, 0, sizeof *g);
	g->path = path;
	g->fd = -1;
	size_t len = src->len;
	if (len < SEG_HEADER_SIZE + SEG_TRAILER_SIZE)
		BAD("truncated: %zu bytes", len);
	const unsigned char *t;
	AT(t, len - SEG_TRAILER_SIZE, SEG_TRAILER_SIZE);
	uint32_t file_crc = get_u32(t);
	bool end_ok = memcmp(t + 4, SEG_END_MAGIC, 8) == 0;
	const unsigned char *p;
	AT(p, 0, SEG_HEADER_SIZE);
	if (memcmp(p, SEG_MAGIC, 8) != 0)
		BAD("not a segment (bad magic)");
	if (get_u32(p + 124) != crc(p, 124))
		BAD("header checksum mismatch");
	uint32_t version = get_u32(p + 8);
	if (version > SEG_VERSION_LAST)
		BAD("format version %u is newer than this burnrate (%d); "
		    "upgrade burnrate", version, SEG_VERSION_LAST);
	if (version < SEG_VERSION || get_u32(p + 12) != SEG_HEADER_SIZE)
		BAD("unsupported format version %u", version);
	/* Reserved bytes are zero: a writer that gave them a meaning
	 * without a new version is refused, not half understood. */
	for (size_t i = version >= SEG_VERSION_GROUP    ? 100
			: version >= SEG_VERSION_MERGED ? 88
							: 76;
	     i < 124; i++)
		if (p[i])
			BAD("reserved header byte %zu is %u, not 0", i, p[i]);
	if (!end_ok)
		BAD("truncated or torn (no end marker)");
	g->seq = get_u64(p + 16);
	g->day_min = (int32_t)get_u32(p + 32);
	g->day_max = (int32_t)get_u32(p + 36);
	g->replace_from = (int32_t)get_u32(p + 40);
	g->replace_to = (int32_t)get_u32(p + 44);
	g->compacted_through = get_u64(p + 68);
	if (version >= SEG_VERSION_MERGED) {
		g->merged_through = get_u64(p + 76);
		g->origin = get_u32(p + 84);
	}
	if (version >= SEG_VERSION_GROUP) {
		g->group_first = get_u64(p + 88);
		g->group_parts = get_u32(p + 96);
	}
	uint32_t nstrings = get_u32(p + 48), nrows = get_u32(p + 52),
		 ninputs = get_u32(p + 56);
	g->source = get_u32(p + 60);
	g->tz = get_u32(p + 64);
	uint32_t body_crc = file_crc;
	if (!(sink && sink->checked) &&
	    src_crc(src, len - SEG_TRAILER_SIZE, &body_crc) != 0)
		BAD("cannot read");
	if (file_crc != body_crc)
		BAD("checksum mismatch");
	size_t end = len - SEG_TRAILER_SIZE, off = SEG_HEADER_SIZE;
	if (nstrings > (end - off) / 4)
		BAD("string count %u exceeds the file", nstrings);
	g->str = br_calloc(nstrings ? nstrings : 1, sizeof *g->str);
	for (uint32_t i = 0; i < nstrings; i++) {
		if (end - off < 4)
			BAD("string %u out of bounds", i);
		AT(p, off, 4);
		uint32_t n = get_u32(p);
		off += 4;
		if (n > SEG_MAX_STRING || n > end - off)
			BAD("string %u out of bounds", i);
		AT(p, off, n);
		g->str[i] = br_strndup((const char *)p, n);
		g->nstrings = i + 1;
		off += n;
	}
	if ((size_t)nrows > (end - off) / SEG_ROW_SIZE)
		BAD("row count %u exceeds the file", nrows);
	struct red_row one;
	if (keep_rows)
		g->rows = br_calloc_huge(nrows ? nrows : 1, sizeof *g->rows);
	else
		g->nrows = nrows;
	for (uint32_t i = 0; i < nrows; i++, off += SEG_ROW_SIZE) {
		const unsigned char *r;
		AT(r, off, SEG_ROW_SIZE);
		struct red_row *row = keep_rows ? &g->rows[i] : &one;
		if (!keep_rows)
			memset(row, 0, sizeof *row);
		row->key.day = (int32_t)get_u32(r);
		row->key.provider = get_u32(r + 4);
		row->key.model = get_u32(r + 8);
		row->key.agent = get_u32(r + 12);
		row->key.label = get_u32(r + 16);
		row->key.tier = get_u32(r + 20);
		row->key.cost_source = get_u32(r + 24);
		row->key.pricing = get_u32(r + 28);
		row->key.price_day = (int32_t)get_u32(r + 32);
		row->key.band_lo = get_u64(r + 40);
		row->key.band_hi = get_u64(r + 48);
		uint64_t *u[] = {&row->t.requests, &row->t.errors,
				 &row->t.unpriced, &row->t.logged_cost_requests,
				 &row->t.tokens.input, &row->t.tokens.output,
				 &row->t.tokens.cache_read, &row->t.tokens.cache_write,
				 &row->t.tokens.cache_write_1h, &row->t.tokens.reasoning};
		for (int k = 0; k < 10; k++)
			*u[k] = get_u64(r + 56 + 8 * k);
		row->t.cost = get_i128(r + 136);
		row->t.calc_cost = get_i128(r + 152);
		row->t.logged_cost = get_i128(r + 168);
		if (!costs_in_range(&row->t))
			BAD("row %u: a cost beyond 2^%d pico-dollars", i,
			    SEG_MAX_COST_BITS);
		const struct red_key *k = &row->key;
		if (k->provider >= nstrings || k->model >= nstrings ||
		    k->agent >= nstrings || k->label >= nstrings ||
		    k->pricing >= nstrings)
			BAD("row %u: string id out of bounds", i);
		if (k->tier >= BR_TIER_COUNT)
			BAD("row %u: invalid tier %u", i, k->tier);
		if (k->cost_source >= BR_COST_SOURCE_COUNT)
			BAD("row %u: invalid cost source %u", i, k->cost_source);
		if (br_cost_source_failed(k->cost_source) &&
		    version < SEG_VERSION_FAILED)
			BAD("row %u: cost source %u in a segment of format "
			    "version %u (it needs %d)", i, k->cost_source,
			    version, SEG_VERSION_FAILED);
		if (get_u32(r + 36) != 0 || k->band_lo >= k->band_hi)
			BAD("row %u: invalid input band", i);
		if ((k->cost_source == BR_COST_FROM_LOG &&
		     row->t.logged_cost_requests != row->t.requests) ||
		    (k->cost_source == BR_COST_FROM_NONE &&
		     row->t.unpriced != row->t.requests))
			BAD("row %u: counts contradict the cost source", i);
		if (k->day < g->day_min || k->day > g->day_max)
			BAD("row %u: day outside the segment's range", i);
		const struct br_tokens *tk = &row->t.tokens;
		bool no_tokens = !(tk->input | tk->output | tk->cache_read |
				   tk->cache_write | tk->cache_write_1h | tk->reasoning);
		if ((row->t.requests == 0 && !no_tokens) ||
		    row->t.errors > row->t.requests ||
		    row->t.unpriced > row->t.requests ||
		    row->t.logged_cost_requests > row->t.requests)
			BAD("row %u: inconsistent request counts", i);
		const char *problem = br_cost_source_failed(k->cost_source)
					      ? failed_row_problem(row)
					      : NULL;
		if (problem)
			BAD("row %u: cost source %u: %s (%llu requests, %llu "
			    "failed)", i, k->cost_source, problem,
			    (unsigned long long)row->t.requests,
			    (unsigned long long)row->t.errors);
		if (keep_rows)
			g->nrows = i + 1;
		else if (sink && (sink->rc = sink->fn(sink->ctx, g, row)) != 0)
			return SEG_STOPPED;
	}
	g->nrows = nrows;
	if ((size_t)ninputs > (end - off) / SEG_INPUT_SIZE)
		BAD("input count %u exceeds the file", ninputs);
	g->inputs = br_calloc(ninputs ? ninputs : 1, sizeof *g->inputs);
	for (uint32_t i = 0; i < ninputs; i++, off += SEG_INPUT_SIZE) {
		const unsigned char *r;
		AT(r, off, SEG_INPUT_SIZE);
		struct store_input *in = &g->inputs[i];
		in->fp.lo = get_u64(r);
		in->fp.hi = get_u64(r + 8);
		in->bytes = get_u64(r + 16);
		in->records = get_u64(r + 24);
		uint32_t name = get_u32(r + 32);
		if (name >= nstrings)
			BAD("input %u: string id out of bounds", i);
		in->name = g->str[name];
		in->head = get_u32(r + 36);
		g->ninputs = i + 1;
	}
	if (off != end)
		BAD("%zu unexpected bytes after the inputs", end - off);
	if (g->source >= nstrings || g->tz >= nstrings)
		BAD("source or time zone string id out of bounds");
	if (!g->merged_through && version >= SEG_VERSION_GROUP)
		BAD("a group of a merge's segments that is not merged");
	if (!g->merged_through)
		return 0;
	if (g->origin >= nstrings)
		BAD("origin string id out of bounds");
	if (g->compacted_through || g->replace_from != BR_DAY_NONE ||
	    g->replace_to != BR_DAY_NONE)
		BAD("a merged segment cannot be a compaction or a backfill");
	if (ninputs == 0)
		BAD("a merged segment without inputs");
	if (version >= SEG_VERSION_GROUP &&
	    (g->group_parts < 2 || g->seq < g->group_first ||
	     g->seq - g->group_first >= g->group_parts))
		BAD("a merge's group of %u segments from %llu does not hold "
		    "its sequence number %llu", g->group_parts,
		    (unsigned long long)g->group_first,
		    (unsigned long long)g->seq);
	for (uint32_t i = 1; i < ninputs; i++)
		if (input_cmp(&g->inputs[i - 1], &g->inputs[i]) >= 0)
			BAD("input %u: a merged segment's inputs are not in "
			    "fingerprint order", i);
	return 0;
#undef AT
#undef BAD
}

/* What a reader without the lock keeps of the segments it loads, which
 * a compaction may remove before it scans them: their files open (what
 * is open stays readable; the scans read the rows through a window,
 * segment_stream), or their rows (192 bytes each in memory, 184 in the
 * file). A segment of at least SEG_FD_BYTES keeps its file open, and so
 * does every one once the rows kept take SEG_KEPT_BYTES (a year of
 * nightly segments, 365 of 520 rows, held 36 MB of rows); at most
 * seg_fds() files are kept open, past which the rows are kept. A file
 * kept open costs the kernel a few hundred bytes. */
#define SEG_FD_BYTES ((size_t)1 << 18)
#define SEG_KEPT_BYTES ((size_t)4 << 20)
#define SEG_FDS 65536
struct seg_keep {
	int fds_left;       /* files it may still keep open */
	size_t rows_bytes;  /* the files' bytes whose rows it kept */
};

/* Half the process's limit of open files (ulimit -n; Debian's default
 * 1,024 gives 512), at most SEG_FDS: the other half is left for what
 * else it opens. */
static int seg_fds(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY ||
	    rl.rlim_cur / 2 >= SEG_FDS)
		return SEG_FDS;
	return (int)(rl.rlim_cur / 2);
}

/* Reads and decodes the segment file at path, of a store in time zone
 * tz (with keep_rows, its rows too: segment_decode; or, with keep not
 * NULL, its file kept open instead as struct seg_keep says, keep
 * updated). Returns 0, -1 when
 * it is corrupt or not the store's own (another name, another time
 * zone), -2 when it cannot be read (permissions, I/O errors), or
 * SEGMENT_GONE when it no longer exists (a compaction removed it after
 * it was listed); why says why. */
#define SEGMENT_GONE (-3)
static int segment_load(struct segment *g, const char *path, const char *tz,
			bool keep_rows, struct seg_keep *keep, char *why,
			size_t whysize)
{
	memset(g, 0, sizeof *g);
	g->fd = -1;
	g->path = br_strdup(path);
	/* Not waiting on a FIFO of that name (opened, it blocked every
	 * reader and writer for ever): unreadable, as a directory is. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0) {
		bool gone = fd < 0 && errno == ENOENT;
		snprintf(why, whysize, "cannot read: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return gone ? SEGMENT_GONE : -2;
	}
	if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
		close(fd);
		snprintf(why, whysize, "cannot read: not a regular file");
		return -2;
	}
	if ((uint64_t)st.st_size > red_segment_max) {
		close(fd);
		snprintf(why, whysize, "larger than %zu bytes", red_segment_max);
		return -1;
	}
	/* Read through a window: a segment of many rows is not held whole
	 * besides its decoded rows. */
	struct seg_src src = {.fd = fd, .len = (size_t)st.st_size};
	bool keep_fd = keep_rows && keep && keep->fds_left > 0 &&
		       ((size_t)st.st_size >= SEG_FD_BYTES ||
			keep->rows_bytes >= SEG_KEPT_BYTES);
	int rc = segment_decode(g, &src, keep_rows && !keep_fd, NULL, why,
				whysize);
	free(src.buf);
	if (src.read_errno > 0) {
		snprintf(why, whysize, "cannot read: %s", strerror(src.read_errno));
		rc = -2;
	} else if (src.read_errno) {
		snprintf(why, whysize, "cannot read: short read");
		rc = -1;
	}
	/* Readers order segments by name: a segment renamed or copied under
	 * another name would be ordered wrong (and a compaction would count
	 * it twice). */
	const char *base = strrchr(path, '/');
	char name[40];
	snprintf(name, sizeof name, "seg-%016llx.brs", (unsigned long long)g->seq);
	if (rc == 0 && strcmp(base ? base + 1 : path, name) != 0) {
		snprintf(why, whysize, "its sequence number %llu does not match "
			 "its file name (%s)", (unsigned long long)g->seq, name);
		rc = -1;
	}
	/* Its rows' days are calendar days of the zone it was written in: a
	 * segment copied from a store in another zone (or a store whose zone
	 * was edited) would count them as the store's days. */
	if (rc == 0 && strcmp(g->str[g->tz], tz) != 0) {
		snprintf(why, whysize, "written in time zone '%s', the store's "
			 "is '%s': its days are not the store's", g->str[g->tz],
			 tz);
		rc = -1;
	}
	if (rc == 0 && keep_fd) {
		g->fd = fd;
		keep->fds_left--;
	} else {
		close(fd);
		if (rc == 0 && keep_rows && keep)
			keep->rows_bytes += (size_t)st.st_size;
	}
	return rc;
}

static int seg_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The segment file names (seg-*.brs) a reader has listed, sorted. */
struct listed {
	char **names;
	size_t n;
};

static void listed_free(struct listed *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->names[i]);
	free(l->names);
}

/* Lists the segment file names of the store that seen does not hold yet,
 * sorted, and adds them to it: *n of them, in an array that is the
 * caller's (the names are seen's). NULL when the directory cannot be
 * read. Readers take no lock: they list the store until a listing names
 * nothing new (load_segments says why). */
static char **list_segments(const struct store *s, struct listed *seen,
			    size_t *n, struct br_err *err)
{
	char *dir = path_join(s->dir, SEG_DIR);
	DIR *d = opendir(dir);
	if (!d) {
		br_fail(err, "cannot open '%s': %s", dir, strerror(errno));
		free(dir);
		return NULL;
	}
	char **names = NULL;
	size_t cap = 0;
	*n = 0;
	struct dirent *e;
	while ((e = br_readdir(d))) {
		size_t len = strlen(e->d_name);
		const char *name = e->d_name;
		if (strncmp(name, "seg-", 4) != 0 || len < 8 ||
		    strcmp(name + len - 4, ".brs") != 0 ||
		    (seen->n && bsearch(&name, seen->names, seen->n,
					sizeof *seen->names, seg_name_cmp)))
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			names = br_realloc(names, cap * sizeof *names);
		}
		names[(*n)++] = br_strdup(name);
	}
	if (errno != 0) {
		br_fail(err, "cannot read '%s': %s", dir, strerror(errno));
		closedir(d);
		free(dir);
		for (size_t i = 0; i < *n; i++)
			free(names[i]);
		free(names);
		return NULL;
	}
	closedir(d);
	free(dir);
	if (*n) {
		qsort(names, *n, sizeof *names, seg_name_cmp);
		seen->names = br_realloc(seen->names,
					 (seen->n + *n) * sizeof *seen->names);
		memcpy(seen->names + seen->n, names, *n * sizeof *names);
		seen->n += *n;
		qsort(seen->names, seen->n, sizeof *seen->names, seg_name_cmp);
	}
	return names ? names : br_calloc(1, sizeof *names);
}

/* The path of the store's segment file name. */
static char *segment_file(const struct store *s, const char *name)
{
	char *rel = path_join(SEG_DIR, name);
	char *path = path_join(s->dir, rel);
	free(rel);
	return path;
}

static void index_inputs(struct store *s)
{
	forget_names(s);
	s->nfps = 0;
	for (size_t i = 0; i < s->nsegs; i++)
		s->nfps += s->segs[i].hidden ? 0 : s->segs[i].ninputs;
	free(s->fps);
	s->fps = br_malloc((s->nfps ? s->nfps : 1) * sizeof *s->fps);
	size_t k = 0;
	for (size_t i = 0; i < s->nsegs; i++)
		for (uint32_t j = 0; !s->segs[i].hidden && j < s->segs[i].ninputs; j++)
			s->fps[k++] = s->segs[i].inputs[j].fp;
	if (s->nfps)
		qsort(s->fps, s->nfps, sizeof *s->fps, fp_cmp);
}

/* Tells whether every input of merged segment g is one of merged segment
 * h's (both hold distinct fingerprints in order). */
static bool inputs_within(const struct segment *g, const struct segment *h)
{
	if (g->ninputs > h->ninputs)
		return false;
	const struct store_input *at = bsearch(&g->inputs[0], h->inputs,
					       h->ninputs, sizeof *h->inputs,
					       input_cmp);
	if (!at)
		return false;
	uint32_t j = (uint32_t)(at - h->inputs);
	for (uint32_t i = 1; i < g->ninputs; i++) {
		while (++j < h->ninputs && input_cmp(&h->inputs[j], &g->inputs[i]) < 0)
			;
		if (j == h->ninputs || input_cmp(&h->inputs[j], &g->inputs[i]) != 0)
			return false;
	}
	return true;
}

/* The index in s->segs of the first segment of the group of segs[i],
 * when the group is whole: sequence numbers are distinct and sorted, and
 * a merge gives its segments consecutive ones. */
static size_t group_start(const struct store *s, size_t i)
{
	return i - (size_t)(s->segs[i].seq - s->segs[i].group_first);
}

/* Tells whether every segment of the group of segs[i] is loaded. */
static bool group_whole(const struct store *s, size_t i)
{
	const struct segment *g = &s->segs[i];
	uint64_t before = g->seq - g->group_first;
	if (before > i || g->group_parts - before > s->nsegs - i)
		return false;
	const struct segment *first = &s->segs[group_start(s, i)];
	for (uint32_t k = 0; k < g->group_parts; k++)
		if (first[k].seq != g->group_first + k ||
		    first[k].group_first != g->group_first ||
		    first[k].group_parts != g->group_parts)
			return false;
	return true;
}

/* Tells whether segment h, later than g and of the same store, hides g:
 * h counts (it is not of a merge that did not end), both are the
 * store's own or both merged, of the same source, and h is a compaction
 * that absorbed g or a newer merged state of g's inputs. */
static bool hides(const struct segment *g, const struct segment *h)
{
	if (h->unfinished || !g->merged_through != !h->merged_through ||
	    strcmp(h->str[h->source], g->str[g->source]) != 0)
		return false;
	return g->merged_through ? inputs_within(g, h)
				 : h->compacted_through >= g->seq;
}

/* Marks what is invisible, and indexes the inputs. A merge publishes
 * the segments of its sources one after the other, as a group: readers
 * count none of them until they have them all (unfinished: the merge
 * did not end). And what later segments of the same source make
 * invisible: among this store's own segments, those a compaction
 * absorbed; among merged ones, those whose inputs a later merged segment
 * (not unfinished) all holds (a newer state of the same data: a store's
 * inputs only grow). Neither kind ever hides the other. */
static void index_segments(struct store *s)
{
	for (size_t i = 0; i < s->nsegs; i++)
		s->segs[i].unfinished = s->segs[i].group_parts &&
					!group_whole(s, i);
	for (size_t i = 0; i < s->nsegs; i++) {
		struct segment *g = &s->segs[i];
		g->hidden = g->unfinished;
		for (size_t j = i + 1; j < s->nsegs && !g->hidden; j++)
			g->hidden = hides(g, &s->segs[j]);
	}
	index_inputs(s);
}

/* Listings load_segments takes at most, each naming segments that
 * writers added while the one before was read; and store_verify. */
#define LOAD_ATTEMPTS 20

static int seg_seq_cmp(const void *a, const void *b)
{
	const struct segment *x = a, *y = b;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

/* Tells whether a segment that is gone (sequence number seq) is hidden
 * by one of those loaded: a writer removes only segments that a
 * compaction, or a newer merge, it published before hides. */
static bool gone_hidden(const struct store *s, uint64_t seq)
{
	for (size_t i = 0; i < s->nsegs; i++)
		if (s->segs[i].seq > seq && (s->segs[i].compacted_through >= seq ||
					      s->segs[i].merged_through))
			return true;
	return false;
}

/* Forgets what a load that failed read: a later call starts again. */
static void unload(struct store *s)
{
	forget_names(s);
	for (size_t i = 0; i < s->nsegs; i++)
		segment_free(&s->segs[i]);
	free(s->segs);
	s->segs = NULL;
	s->nsegs = 0;
	for (size_t i = 0; i < 2 * s->nskipped; i++)
		free(s->skipped[i]);
	s->nskipped = 0;
}

/* A corrupt segment left out (skip_corrupt) may be one of a merge's
 * group, whose other segments then count nothing either (unfinished):
 * its problem names them, so that what a report leaves out is said. */
static void name_group_left_out(struct store *s)
{
	for (size_t k = 0; k < s->nskipped; k++) {
		const char *base = strrchr(s->skipped[2 * k], '/');
		unsigned long long seq;
		if (!base || sscanf(base + 1, "seg-%16llx.brs", &seq) != 1)
			continue;
		struct br_buf b = {0};
		for (size_t i = 0; i < s->nsegs; i++) {
			const struct segment *g = &s->segs[i];
			if (g->unfinished && seq >= g->group_first &&
			    seq - g->group_first < g->group_parts)
				br_buf_printf(&b, "%s seg-%016llx.brs",
					      b.len ? "," : "",
					      (unsigned long long)g->seq);
		}
		if (b.len) {
			struct br_buf why = {0};
			br_buf_printf(&why, "%s; the other segments of its "
				      "merge's group count nothing without it "
				      "and are left out too:%.*s",
				      s->skipped[2 * k + 1], (int)b.len, b.p);
			br_buf_putc(&why, 0);
			free(s->skipped[2 * k + 1]);
			s->skipped[2 * k + 1] = br_strdup(why.p);
			br_buf_free(&why);
		}
		br_buf_free(&b);
	}
}

/* Loads every segment once; a bad one fails the load, naming it, with
 * advice on what to do.
 *
 * Readers take no lock, and a compaction (or a merge) publishes the
 * segment that replaces others, then removes them. A listing is no
 * snapshot either: readdir may or may not return a file added or
 * removed after opendir (on ext4, one longer than a buffer of glibc
 * misses both the segment a compaction publishes and one it removes,
 * when they lie on either side of where it has got to). So the
 * directory is listed again once the segments listed are read, and the
 * segments it names that were not listed are read in turn, until a
 * listing names none: the segments a compaction published while a
 * listing was taken are then read, and with them the rows of every
 * segment it removed. A segment gone before it was opened is left out,
 * as one that such a segment hides; one removed after it was read is
 * hidden by it (index_segments). Starting again from the first listing
 * instead, a reader chased the compaction removing segments in the
 * order it reads them, and failed after 20 tries on a store of 1,500
 * segments. */
static int load_segments(struct store *s, const char *advice,
			 struct br_err *err)
{
	if (s->loaded)
		return 0;
	struct listed seen = {0};
	uint64_t *gone = NULL; /* the sequence numbers of those gone */
	size_t ngone = 0;
	int rc = 0;
	struct seg_keep keep = {seg_fds(), 0};
	for (int listing = 1; rc == 0; listing++) {
		size_t n;
		char **names = list_segments(s, &seen, &n, err);
		if (!names) {
			rc = -1;
			break;
		}
		gone = br_realloc(gone, (ngone + n + 1) * sizeof *gone);
		for (size_t i = 0; i < n && rc == 0; i++) {
			char *path = segment_file(s, names[i]);
			char why[256];
			struct segment g;
			/* The lock's holder (an ingest, run, compact) reads a
			 * segment's rows when a scan needs them (segment_stream):
			 * an ingest needs none, and held every segment's (90 MB
			 * for a compacted year, helper 208). No compaction
			 * removes a segment meanwhile; a reader without the lock
			 * keeps the file open, or the rows of a small one, which
			 * one may (struct seg_keep). */
			int loaded = segment_load(&g, path, br_tz_name(s->tz),
						  s->lock_fd < 0, &keep, why,
						  sizeof why);
			if (loaded == 0) {
				s->segs = br_realloc(s->segs, (s->nsegs + 1) *
								sizeof *s->segs);
				s->segs[s->nsegs++] = g;
			} else {
				segment_free(&g);
			}
			if (loaded == SEGMENT_GONE) {
				gone[ngone++] = strtoull(names[i] + 4, NULL, 16);
			} else if (loaded == -2) {
				/* Not corrupt, and not to be left out: fix and
				 * retry. */
				rc = br_fail(err, "segment '%s': %s", path, why);
			} else if (loaded != 0 && s->skip_corrupt) {
				s->skipped = br_realloc(s->skipped, (s->nskipped + 1) *
							2 * sizeof *s->skipped);
				s->skipped[2 * s->nskipped] = br_strdup(path);
				s->skipped[2 * s->nskipped++ + 1] = br_strdup(why);
			} else if (loaded != 0) {
				rc = br_fail(err, "corrupt segment '%s': %s (%s)",
					     path, why, advice);
			}
			free(path);
		}
		free(names);
		if (rc != 0 || n == 0)
			break; /* a listing that named nothing new */
		if (listing == LOAD_ATTEMPTS)
			rc = br_fail(err, "the segments of '%s' kept changing while "
				     "they were read (%d listings); try again",
				     s->dir, LOAD_ATTEMPTS);
	}
	if (rc == 0 && s->nsegs)
		qsort(s->segs, s->nsegs, sizeof *s->segs, seg_seq_cmp);
	for (size_t i = 0; rc == 0 && i < ngone; i++)
		if (!gone_hidden(s, gone[i]))
			/* Not removed by a writer of burnrate. */
			rc = br_fail(err, "segment '%s/%s/seg-%016llx.brs': removed "
				     "while it was read, and no segment replaces "
				     "it", s->dir, SEG_DIR,
				     (unsigned long long)gone[i]);
	listed_free(&seen);
	free(gone);
	if (rc != 0) {
		unload(s);
		return -1;
	}
	index_segments(s);
	name_group_left_out(s);
	s->loaded = true;
	return 0;
}

static int store_load(struct store *s, struct br_err *err)
{
	return load_segments(s, "run 'burnrate verify'; 'report --skip-corrupt' "
			     "leaves it out", err);
}

/* Tells whether a visible segment of loaded store s covers the input of
 * fingerprint fp. */
static bool holds_fp(const struct store *s, struct br_fp fp)
{
	return s->nfps && bsearch(&fp, s->fps, s->nfps, sizeof fp, fp_cmp);
}

int store_has_input(struct store *s, struct br_fp fp, struct br_err *err)
{
	if (store_load(s, err) != 0)
		return -1;
	return holds_fp(s, fp) ? 1 : 0;
}

static int source_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int store_sources(struct store *s, const char ***out, size_t *n,
		  struct br_err *err)
{
	*out = NULL;
	*n = 0;
	if (store_load(s, err) != 0)
		return -1;
	const char **v = br_malloc((s->nsegs + 1) * sizeof *v);
	size_t k = 0;
	for (size_t i = 0; i < s->nsegs; i++) {
		const struct segment *g = &s->segs[i];
		if (g->hidden)
			continue;
		const char *src = g->str[g->source];
		size_t j = 0;
		while (j < k && strcmp(v[j], src) != 0)
			j++;
		if (j == k)
			v[k++] = src;
	}
	qsort(v, k, sizeof *v, source_cmp);
	*out = v;
	*n = k;
	return 0;
}

/* Tells whether segment g covers the input of store_input_holders. */
static bool holds_input(const struct segment *g, struct br_fp fp,
			bool (*is_prefix)(void *ctx, const struct store_input *in,
					  bool merged),
			void *ctx)
{
	for (uint32_t j = 0; j < g->ninputs; j++)
		if (br_fp_equal(g->inputs[j].fp, fp) ||
		    (is_prefix && is_prefix(ctx, &g->inputs[j],
					    g->merged_through != 0)))
			return true;
	return false;
}

int store_input_holders(struct store *s, struct br_fp fp, const char *source,
			bool (*is_prefix)(void *ctx,
					  const struct store_input *in,
					  bool merged),
			void *ctx, struct store_holders *out,
			struct br_err *err)
{
	memset(out, 0, sizeof *out);
	if (store_load(s, err) != 0)
		return -1;
	/* Without first bytes to look for, the index says if any does. */
	if (!is_prefix && !holds_fp(s, fp))
		return 0;
	for (size_t i = 0; i < s->nsegs; i++) {
		const struct segment *g = &s->segs[i];
		if (g->hidden || !g->merged_through || !holds_input(g, fp, is_prefix, ctx))
			continue;
		out->merged_origin = g->str[g->origin];
		out->merged_source = g->str[g->source];
		return 0;
	}
	for (size_t i = 0; i < s->nsegs; i++) {
		const struct segment *g = &s->segs[i];
		const char *src = g->str[g->source];
		size_t k = 0;
		if (g->hidden || g->merged_through || strcmp(src, source) == 0)
			continue;
		while (k < out->nothers && strcmp(out->others[k], src) != 0)
			k++;
		if (k < out->nothers || !holds_input(g, fp, is_prefix, ctx))
			continue;
		out->others = br_realloc(out->others,
					 (out->nothers + 1) * sizeof *out->others);
		out->others[out->nothers++] = src;
	}
	if (!out->nothers)
		return 0;
	qsort(out->others, out->nothers, sizeof *out->others, source_cmp);
	/* Only now, as the usual backfill of a source's own grown logs would
	 * hash each of their earlier ingests' first bytes for nothing. */
	for (size_t i = 0; !out->own && i < s->nsegs; i++) {
		const struct segment *g = &s->segs[i];
		out->own = !g->hidden && !g->merged_through &&
			   strcmp(g->str[g->source], source) == 0 &&
			   holds_input(g, fp, is_prefix, ctx);
	}
	return 0;
}

/* Indexes the inputs by name, the newest of each: the first in
 * store_each_input's order (newest segment first), but of two with the
 * same first bytes the longer, the same log grown since. A compaction
 * puts the inputs it takes into the store's newest segment: a log that
 * grew under another source in between (ingested from where the first
 * ended) then looked newer in its first, shorter ingest, and its growth
 * was counted again. */
static int index_name(void *ctx, const struct store_input *in)
{
	struct store *s = ctx;
	uint32_t before = br_dict_count(s->names);
	uint32_t id = br_dict_intern(s->names, in->name, strlen(in->name));
	const struct store_input *had = id == before ? NULL : s->named[id];
	if (!had || (had->head && had->head == in->head &&
		     in->bytes > had->bytes))
		s->named[id] = in;
	s->byname[s->nindexed] = in;
	s->input_ids[s->nindexed++] = id;
	return 0;
}

/* Indexes the inputs the store ingested itself by name, once. */
static int index_names(struct store *s, struct br_err *err)
{
	if (store_load(s, err) != 0)
		return -1;
	if (s->names)
		return 0;
	size_t cap = s->nfps ? s->nfps : 1;
	s->names = br_dict_new();
	s->named = br_malloc(cap * sizeof *s->named);
	s->byname = br_malloc(cap * sizeof *s->byname);
	s->input_ids = br_malloc(cap * sizeof *s->input_ids);
	s->nindexed = 0;
	store_each_input(s, index_name, s, err);
	/* Grouped by name, each name's in the order they came. */
	uint32_t n = br_dict_count(s->names);
	s->byname_at = br_calloc((size_t)n + 2, sizeof *s->byname_at);
	for (size_t i = 0; i < s->nindexed; i++)
		s->byname_at[s->input_ids[i] + 2]++;
	for (uint32_t k = 2; k < n + 2; k++)
		s->byname_at[k] += s->byname_at[k - 1];
	const struct store_input **v = br_malloc(cap * sizeof *v);
	for (size_t i = 0; i < s->nindexed; i++)
		v[s->byname_at[s->input_ids[i] + 1]++] = s->byname[i];
	free(s->byname);
	s->byname = v;
	free(s->input_ids);
	s->input_ids = NULL;
	return 0;
}

int store_last_input(struct store *s, const char *name,
		     struct store_input *out, struct br_err *err)
{
	if (index_names(s, err) != 0)
		return -1;
	int64_t id = br_dict_find(s->names, name, strlen(name));
	if (id < 0)
		return 0;
	*out = *s->named[id];
	return 1;
}

int store_each_named(struct store *s, const char *name,
		     int (*fn)(void *ctx, const struct store_input *in),
		     void *ctx, struct br_err *err)
{
	if (index_names(s, err) != 0)
		return -1;
	int64_t id = br_dict_find(s->names, name, strlen(name));
	for (uint32_t i = id < 0 ? 0 : s->byname_at[id];
	     id >= 0 && i < s->byname_at[id + 1]; i++) {
		int rc = fn(ctx, s->byname[i]);
		if (rc)
			return rc;
	}
	return 0;
}

/* When segment g's inputs were ingested: a compaction's, by the segments
 * it absorbed (the last of them), not when it was published. */
static uint64_t ingested_at(const struct segment *g)
{
	return g->compacted_through ? g->compacted_through : g->seq;
}

/* Orders segments (pointers) by when their inputs were ingested, the
 * newest first. */
static int ingested_cmp(const void *a, const void *b)
{
	uint64_t x = ingested_at(*(const struct segment *const *)a),
		 y = ingested_at(*(const struct segment *const *)b);
	return (x < y) - (x > y);
}

int store_each_input(struct store *s,
		     int (*fn)(void *ctx, const struct store_input *in),
		     void *ctx, struct br_err *err)
{
	if (store_load(s, err) != 0)
		return -1;
	/* A compaction is published after segments of other sources that
	 * came after those it absorbed: in its place, its inputs (a log's
	 * first lines) looked newer than theirs (the log grown since,
	 * ingested under another source, or the log rotated in under its
	 * name), and were where a grown log resumed: what the other source
	 * had counted of it was counted again. */
	const struct segment **order = br_malloc((s->nsegs + 1) * sizeof *order);
	size_t n = 0;
	for (size_t i = 0; i < s->nsegs; i++)
		if (!s->segs[i].hidden && !s->segs[i].merged_through)
			order[n++] = &s->segs[i]; /* merged: names of another host */
	qsort(order, n, sizeof *order, ingested_cmp);
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		const struct segment *g = order[i];
		for (uint32_t j = g->ninputs; j-- > 0 && !rc;)
			rc = fn(ctx, &g->inputs[j]);
	}
	free(order);
	return rc;
}

/* ----------------------------------------------------- segment writing */

/* Orders string ids of a dictionary by their bytes (a string before the
 * longer ones it begins). */
static int str_cmp(const void *a, const void *b, void *ctx)
{
	const struct br_dict *d = ctx;
	size_t nx, ny;
	const char *x = br_dict_str(d, *(const uint32_t *)a, &nx);
	const char *y = br_dict_str(d, *(const uint32_t *)b, &ny);
	return br_bytes_cmp(x, nx, y, ny);
}

/* The rank of each of d's strings in byte order, by id (to be freed). */
uint32_t *red_string_ranks(const struct br_dict *d)
{
	uint32_t n = br_dict_count(d);
	uint32_t *ids = br_malloc((n ? n : 1) * sizeof *ids);
	uint32_t *rank = br_malloc((n ? n : 1) * sizeof *rank);
	for (uint32_t i = 0; i < n; i++)
		ids[i] = i;
	qsort_r(ids, n, sizeof *ids, str_cmp, (void *)d);
	for (uint32_t i = 0; i < n; i++)
		rank[ids[i]] = i;
	free(ids);
	return rank;
}

/* A row's place in a segment: its key, with its strings' ranks. Rows go by
 * day, then provider, model, agent and label, then tier, cost source,
 * price day, input band and pricing string. */
struct row_place {
	int32_t day;
	uint32_t names[4];
	uint32_t tier, cost_source;
	int32_t price_day;
	uint64_t band_lo, band_hi;
	uint32_t pricing;
	uint32_t row;
};

#define CMP(x, y) if ((x) != (y)) return (x) < (y) ? -1 : 1
static int place_cmp(const void *a, const void *b)
{
	const struct row_place *x = a, *y = b;
	CMP(x->day, y->day);
	for (int i = 0; i < 4; i++)
		CMP(x->names[i], y->names[i]);
	CMP(x->tier, y->tier);
	CMP(x->cost_source, y->cost_source);
	CMP(x->price_day, y->price_day);
	CMP(x->band_lo, y->band_lo);
	CMP(x->band_hi, y->band_hi);
	CMP(x->pricing, y->pricing);
	return 0;
}
#undef CMP

/* The fields of place r in the order place_cmp compares them, each as
 * an unsigned number that orders as place_cmp does. */
#define PLACE_FIELDS 11
static inline void place_fields(const struct row_place *r,
				uint64_t v[PLACE_FIELDS])
{
	v[0] = (uint32_t)r->day ^ 0x80000000u;
	v[1] = r->names[0];
	v[2] = r->names[1];
	v[3] = r->names[2];
	v[4] = r->names[3];
	v[5] = r->tier;
	v[6] = r->cost_source;
	v[7] = (uint32_t)r->price_day ^ 0x80000000u;
	v[8] = r->band_lo;
	v[9] = r->band_hi;
	v[10] = r->pricing;
}

/* The place of rows[i], its strings' ranks by id in rank. */
static inline struct row_place place_of(const struct red_row *rows,
					const uint32_t *rank, size_t i)
{
	const struct red_key *k = &rows[i].key;
	return (struct row_place){
		.day = k->day,
		.names = {rank[k->provider], rank[k->model], rank[k->agent],
			  rank[k->label]},
		.tier = k->tier,
		.cost_source = k->cost_source,
		.price_day = k->price_day,
		.band_lo = k->band_lo,
		.band_hi = k->band_hi,
		.pricing = rank[k->pricing],
		.row = (uint32_t)i,
	};
}

/* The indices of a's n rows sorted as qsort by place_cmp sorts their
 * places (a stable sort, as glibc's merge sort is: the keys of an
 * aggregate's rows are distinct anyway), by LSD radix: each field that
 * varies, as its offset from its least value, 16 bits a pass from the
 * last field to the first. A store of many groups (a row for most
 * records: many agents, labels or days) spent 13% of its ingest's
 * instructions in qsort and place_cmp. The places are not kept, only
 * the digits of the passes and the indices (a year of days, 191,000
 * rows, held 21 MB of places besides them). */
static uint32_t *radix_order(const struct red_row *a, const uint32_t *rank,
			     size_t n)
{
	uint64_t lo[PLACE_FIELDS], hi[PLACE_FIELDS], v[PLACE_FIELDS];
	struct row_place pl = place_of(a, rank, 0);
	place_fields(&pl, lo);
	memcpy(hi, lo, sizeof hi);
	for (size_t i = 1; i < n; i++) {
		pl = place_of(a, rank, i);
		place_fields(&pl, v);
		for (int f = 0; f < PLACE_FIELDS; f++) {
			lo[f] = v[f] < lo[f] ? v[f] : lo[f];
			hi[f] = v[f] > hi[f] ? v[f] : hi[f];
		}
	}
	uint32_t *idx = br_malloc(n * sizeof *idx);
	for (size_t i = 0; i < n; i++)
		idx[i] = (uint32_t)i;
	/* The passes, last first: a field and its shift. */
	int pf[PLACE_FIELDS * 4], ps[PLACE_FIELDS * 4], np = 0;
	for (int f = PLACE_FIELDS - 1; f >= 0; f--)
		for (int sh = 0; sh < 64 && (hi[f] - lo[f]) >> sh; sh += 16) {
			pf[np] = f;
			ps[np++] = sh;
		}
	if (!np)
		return idx;
	uint16_t *digit = br_malloc((size_t)np * n * sizeof *digit);
	for (size_t i = 0; i < n; i++) {
		pl = place_of(a, rank, i);
		place_fields(&pl, v);
		for (int k = 0; k < np; k++)
			digit[(size_t)k * n + i] =
				(uint16_t)((v[pf[k]] - lo[pf[k]]) >> ps[k]);
	}
	uint32_t *tmp = br_malloc(n * sizeof *tmp);
	size_t *count = br_malloc(65537 * sizeof *count);
	for (int k = 0; k < np; k++) {
		const uint16_t *d = digit + (size_t)k * n;
		uint64_t top = (hi[pf[k]] - lo[pf[k]]) >> ps[k];
		size_t nd = top >= 65535 ? 65536 : (size_t)top + 1;
		memset(count, 0, (nd + 1) * sizeof *count);
		for (size_t i = 0; i < n; i++)
			count[d[i] + 1]++;
		for (size_t j = 1; j <= nd; j++)
			count[j] += count[j - 1];
		for (size_t i = 0; i < n; i++)
			tmp[count[d[idx[i]]]++] = idx[i];
		uint32_t *t = idx;
		idx = tmp;
		tmp = t;
	}
	free(count);
	free(tmp);
	free(digit);
	return idx;
}

uint32_t *red_row_order(const struct red_row *rows, size_t n,
			const uint32_t *rank)
{
	if (n >= 4096)
		return radix_order(rows, rank, n);
	/* Few rows: qsort, without the passes' counts to clear. */
	struct row_place *order = br_malloc((n ? n : 1) * sizeof *order);
	for (size_t i = 0; i < n; i++)
		order[i] = place_of(rows, rank, i);
	qsort(order, n, sizeof *order, place_cmp);
	uint32_t *idx = br_malloc((n ? n : 1) * sizeof *idx);
	for (size_t i = 0; i < n; i++)
		idx[i] = order[i].row;
	free(order);
	return idx;
}


/* The id in the segment's dictionary out of string id of src, interned on
 * first use; ids[] maps src's ids (UINT32_MAX: not yet). */
static uint32_t seg_string(struct br_dict *out, const struct br_dict *src,
			   uint32_t *ids, uint32_t id)
{
	if (ids[id] == UINT32_MAX) {
		size_t n;
		const char *s = br_dict_str(src, id, &n);
		ids[id] = br_dict_intern(out, s, n);
	}
	return ids[id];
}

/* What a new segment says about itself beyond its rows and inputs. */
struct seg_meta {
	const char *source;
	int32_t replace_from, replace_to; /* BR_DAY_NONE: not a backfill */
	uint64_t compacted_through;       /* 0: not a compaction */
	uint64_t merged_through;          /* 0: this store's own data */
	const char *origin;               /* the store merged from */
	uint64_t group_first;             /* the group of segments a merge */
	uint32_t group_parts;             /* publishes together (0: none) */
};

/* A segment written as it is encoded: its bytes gathered in b, written
 * to fd a block at a time, with the CRC-32 of those written (the
 * trailer's). A segment of many rows is never held whole. */
struct seg_writer {
	int fd;
	struct br_buf b; /* bytes not written yet */
	uint32_t crc;    /* of the bytes written */
	size_t written;
	int err;         /* errno of a write that failed, or 0 */
	int rows_err;    /* errno of a failed read of the rows an aggregate
			  * spilled, or 0: the segment is not whole */
};

#define SEG_WRITE_BLOCK ((size_t)1 << 16)

/* Writes w's gathered bytes once they are at least min. */
static void sw_flush(struct seg_writer *w, size_t min)
{
	if (w->b.len < min || !w->b.len)
		return;
	w->crc = crc32_gzip_refl(w->crc, (const unsigned char *)w->b.p,
				 w->b.len);
	if (!w->err && br_write_all(w->fd, w->b.p, w->b.len) != 0)
		w->err = errno ? errno : EIO;
	w->written += w->b.len;
	w->b.len = 0;
}

/* Encodes a segment into w (write errors in w->err) and returns its
 * size; one larger than max is not written at all. */
static size_t segment_encode(struct seg_writer *w, uint64_t seq,
			     const char *tz, const struct seg_meta *m,
			     const struct agg *a,
			     const struct store_input *inputs, size_t ninputs,
			     size_t max)
{
	struct br_buf *b = &w->b;
	const char *source = m->source;
	agg_settle(a);
	struct br_dict *d = br_dict_new();
	uint32_t source_id = br_dict_intern(d, source, strlen(source));
	uint32_t tz_id = br_dict_intern(d, tz, strlen(tz));
	uint32_t origin_id = m->merged_through
				     ? br_dict_intern(d, m->origin, strlen(m->origin))
				     : 0;
	/* The rows in order, each key once (the runs of an aggregate that
	 * spilled merged): read twice, as the dictionary comes first. */
	uint32_t *rank = red_string_ranks(a->dict);
	struct agg_iter *it = agg_iter_new(a, rank);
	uint32_t nsrc = br_dict_count(a->dict);
	uint32_t *ids = br_malloc((nsrc ? nsrc : 1) * sizeof *ids);
	memset(ids, 0xFF, nsrc * sizeof *ids);
	/* The dictionary first, since it comes before the rows: their
	 * strings in the order they use them, then the inputs' names. */
	int32_t day_min = INT32_MAX, day_max = INT32_MIN;
	size_t nrows = 0;
	bool failed = false; /* a row of a FAILED cost source, which only
			      * a segment of SEG_VERSION_FAILED may hold */
	for (const struct red_row *r; (r = agg_iter_next(it)); nrows++) {
		const struct red_key *k = &r->key;
		if (k->day < day_min)
			day_min = k->day;
		if (k->day > day_max)
			day_max = k->day;
		failed |= br_cost_source_failed(k->cost_source);
		const uint32_t names[] = {k->provider, k->model, k->agent,
					  k->label, k->pricing};
		for (size_t j = 0; j < sizeof names / sizeof names[0]; j++)
			seg_string(d, a->dict, ids, names[j]);
	}
	if (nrows == 0)
		day_min = day_max = 0;
	uint32_t *input_names = br_malloc((ninputs ? ninputs : 1) * sizeof *input_names);
	for (size_t i = 0; i < ninputs; i++)
		input_names[i] = br_dict_intern(d, inputs[i].name, strlen(inputs[i].name));
	size_t size = SEG_HEADER_SIZE + nrows * SEG_ROW_SIZE +
		      ninputs * SEG_INPUT_SIZE + SEG_TRAILER_SIZE;
	for (uint32_t i = 0; i < br_dict_count(d); i++) {
		size_t n;
		br_dict_str(d, i, &n);
		size += 4 + n;
	}
	if (size > max || (w->rows_err = agg_iter_error(it))) {
		agg_iter_free(it);
		free(rank);
		free(ids);
		free(input_names);
		br_dict_free(d);
		return size;
	}
	br_buf_reserve(b, SEG_WRITE_BLOCK + SEG_ROW_SIZE);
	size_t start = b->len;
	/* Header. */
	br_buf_put(b, SEG_MAGIC, 8);
	uint32_t version = m->group_parts	? SEG_VERSION_GROUP
			   : failed		? SEG_VERSION_FAILED
			   : m->merged_through	? SEG_VERSION_MERGED
						: SEG_VERSION;
	put_u32(b, version);
	put_u32(b, SEG_HEADER_SIZE);
	put_u64(b, seq);
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	put_u64(b, (uint64_t)now.tv_sec * 1000000 + (uint64_t)now.tv_nsec / 1000);
	put_u32(b, (uint32_t)day_min);
	put_u32(b, (uint32_t)day_max);
	put_u32(b, (uint32_t)m->replace_from);
	put_u32(b, (uint32_t)m->replace_to);
	put_u32(b, br_dict_count(d));
	put_u32(b, (uint32_t)nrows);
	put_u32(b, (uint32_t)ninputs);
	put_u32(b, source_id);
	put_u32(b, tz_id);
	put_u64(b, m->compacted_through);
	if (m->merged_through) {
		put_u64(b, m->merged_through);
		put_u32(b, origin_id);
	}
	if (m->group_parts) {
		put_u64(b, m->group_first);
		put_u32(b, m->group_parts);
	}
	while (b->len - start < SEG_HEADER_SIZE - 4)
		br_buf_putc(b, 0);
	put_u32(b, crc(b->p + start, SEG_HEADER_SIZE - 4));
	/* Body. */
	for (uint32_t i = 0; i < br_dict_count(d); i++) {
		size_t n;
		const char *s = br_dict_str(d, i, &n);
		put_u32(b, (uint32_t)n);
		br_buf_put(b, s, n);
		sw_flush(w, SEG_WRITE_BLOCK);
	}
	agg_iter_restart(it);
	for (const struct red_row *r; (r = agg_iter_next(it));) {
		unsigned char *o = (unsigned char *)br_buf_append(b, SEG_ROW_SIZE),
			      *row_start = o;
		const struct red_key *k = &r->key;
		o = w32(o, (uint32_t)k->day);
		o = w32(o, ids[k->provider]);
		o = w32(o, ids[k->model]);
		o = w32(o, ids[k->agent]);
		o = w32(o, ids[k->label]);
		o = w32(o, k->tier);
		o = w32(o, k->cost_source);
		o = w32(o, ids[k->pricing]);
		o = w32(o, (uint32_t)k->price_day);
		o = w32(o, 0);
		o = w64(o, k->band_lo);
		o = w64(o, k->band_hi);
		const uint64_t u[10] = {r->t.requests, r->t.errors, r->t.unpriced,
					r->t.logged_cost_requests, r->t.tokens.input,
					r->t.tokens.output, r->t.tokens.cache_read,
					r->t.tokens.cache_write,
					r->t.tokens.cache_write_1h,
					r->t.tokens.reasoning};
		for (int j = 0; j < 10; j++)
			o = w64(o, u[j]);
		o = w128(o, r->t.cost);
		o = w128(o, r->t.calc_cost);
		o = w128(o, r->t.logged_cost);
		assert(o - row_start == SEG_ROW_SIZE);
		(void)row_start;
		sw_flush(w, SEG_WRITE_BLOCK);
	}
	if (!w->rows_err)
		w->rows_err = agg_iter_error(it);
	agg_iter_free(it);
	free(rank);
	free(ids);
	for (size_t i = 0; i < ninputs; i++) {
		put_u64(b, inputs[i].fp.lo);
		put_u64(b, inputs[i].fp.hi);
		put_u64(b, inputs[i].bytes);
		put_u64(b, inputs[i].records);
		put_u32(b, input_names[i]);
		put_u32(b, inputs[i].head);
		sw_flush(w, SEG_WRITE_BLOCK);
	}
	free(input_names);
	sw_flush(w, 0);
	put_u32(b, w->crc);
	br_buf_put(b, SEG_END_MAGIC, 8);
	sw_flush(w, 0);
	assert(w->written == size || w->rows_err);
	br_dict_free(d);
	return size;
}

/* Fails, naming it, when a string of a's rows or of the inputs is longer
 * than a segment may hold (SEG_MAX_STRING), or a row's cost larger
 * (SEG_MAX_COST). */
static int check_limits(const struct agg *a, const struct store_input *inputs,
			size_t ninputs, struct br_err *err)
{
	if (agg_error(a))
		return br_fail(err, "cannot read the rows kept in a temporary "
			       "file: %s", strerror(agg_error(a)));
	/* Each key once: rows of a key spilled in several runs sum; the
	 * table's rows as they are when none spilled (not sorted twice). */
	agg_settle(a);
	uint32_t *rank = NULL;
	struct agg_iter *it = NULL;
	if (a->nruns) {
		rank = red_string_ranks(a->dict);
		it = agg_iter_new(a, rank);
	}
	const struct red_row *r;
	for (size_t i = 0; (r = it ? agg_iter_next(it)
			     : i < a->nrows ? &a->rows[i++] : NULL);) {
		if (costs_in_range(&r->t))
			continue;
		char day[11];
		br_day_format(r->key.day, day);
		char *provider = br_printable(br_dict_str(a->dict, r->key.provider,
							  NULL)),
		     *model = br_printable(br_dict_str(a->dict, r->key.model, NULL));
		br_fail(err, "cannot store the cost of %.80s/%.80s on %s: more "
			"than a row of a store holds (2^%d pico-dollars, about "
			"1.27e18 USD)", provider, model, day, SEG_MAX_COST_BITS);
		free(provider);
		free(model);
		agg_iter_free(it);
		free(rank);
		return -1;
	}
	int e = it ? agg_iter_error(it) : 0;
	agg_iter_free(it);
	free(rank);
	if (e)
		return br_fail(err, "cannot read the rows kept in a temporary "
			       "file: %s", strerror(e));
	for (uint32_t i = 0; i < br_dict_count(a->dict); i++) {
		size_t n;
		br_dict_str(a->dict, i, &n);
		if (n > SEG_MAX_STRING)
			return br_fail(err, "cannot store a name of %zu bytes "
				       "from the logs: a store holds names of at "
				       "most %zu bytes", n, SEG_MAX_STRING);
	}
	for (size_t i = 0; i < ninputs; i++)
		if (strlen(inputs[i].name) > SEG_MAX_STRING)
			return br_fail(err, "cannot store an input name of more "
				       "than %zu bytes", SEG_MAX_STRING);
	return 0;
}

/* The sequence number of the next segment of loaded store s. */
static uint64_t next_seq(const struct store *s)
{
	return s->nsegs ? s->segs[s->nsegs - 1].seq + 1 : 1;
}

/* Writes and publishes a new segment, and adds it to the in-memory view
 * (without its rows: segment_stream reads them when a scan needs them).
 * The segment is written as it is encoded, to its temporary file, and
 * decoded from that file before it is published: a segment readers
 * would refuse is never made visible, and a segment of many rows is
 * never held whole. Its fsync runs meanwhile (br_output_sync_ahead):
 * the bench's 3.7 MB segment takes ~10 ms to fsync and ~5 ms to decode,
 * which one after the other left a CPU idle through both. */
static int publish_segment(struct store *s, const struct seg_meta *m,
			   const struct agg *a, const struct store_input *inputs,
			   size_t ninputs, struct br_err *err)
{
	if (s->lock_fd < 0)
		return br_fail(err, "internal error: publishing without the store lock");
	if (store_load(s, err) != 0 || check_limits(a, inputs, ninputs, err) != 0)
		return -1;
	uint64_t seq = next_seq(s);
	char name[64];
	snprintf(name, sizeof name, "seg-%016llx.brs", (unsigned long long)seq);
	char *segdir = path_join(s->dir, SEG_DIR);
	char why[256];
	struct segment g = {0};
	g.path = path_join(segdir, name);
	struct br_output o;
	int rc = br_output_open(&o, g.path, 0644,
				BR_OUTPUT_DURABLE | BR_OUTPUT_HIDDEN_TMP |
					BR_OUTPUT_NEW,
				err);
	if (rc == 0 && !o.tmp) {
		/* Not a regular file (a FIFO, a device): written in place,
		 * it could not be read back. */
		rc = br_fail(err, "cannot write segment '%s': a file of that "
			     "name exists", g.path);
		br_output_abort(&o);
	}
	if (rc == 0) {
		struct seg_writer w = {.fd = o.fd};
		size_t size = segment_encode(&w, seq, br_tz_name(s->tz), m, a,
					     inputs, ninputs, red_segment_max);
		br_buf_free(&w.b);
		int rfd = -1;
		struct seg_src src = {.fd = -1, .len = size};
		/* Readers refuse a larger one (segment_load): published,
		 * it made the store unreadable, and a compaction had
		 * removed what it replaced. */
		if (w.rows_err)
			rc = br_fail(err, "cannot read the rows kept in a "
				     "temporary file: %s", strerror(w.rows_err));
		else if (size > red_segment_max)
			rc = br_fail(err, "cannot write segment '%s': %zu bytes, "
				     "more than the %zu a segment may have (%zu "
				     "rows, %zu inputs); ingest, merge or compact "
				     "fewer inputs at a time", g.path, size,
				     red_segment_max, agg_rows(a), ninputs);
		else if (w.err)
			rc = br_fail(err, "cannot write '%s': %s", o.tmp,
				     strerror(w.err));
		else if (br_output_sync_ahead(&o),
			 (rfd = open(o.tmp, O_RDONLY | O_NOFOLLOW |
					    O_CLOEXEC)) < 0)
			rc = br_fail(err, "cannot read back '%s': %s", o.tmp,
				     strerror(errno));
		else if (src.fd = rfd,
			 segment_decode(&g, &src, false, NULL, why,
					sizeof why) != 0)
			rc = src.read_errno
				     ? br_fail(err, "cannot read back '%s': %s",
					       o.tmp, src.read_errno > 0
					       ? strerror(src.read_errno)
					       : "short read")
				     : br_fail(err, "internal error: segment '%s' "
					       "would not decode: %s", g.path, why);
		if (rfd >= 0)
			close(rfd);
		free(src.buf);
		if (rc == 0)
			rc = br_output_commit(&o, err);
		else
			br_output_abort(&o);
	}
	if (rc == 0) {
		s->segs = br_realloc(s->segs, (s->nsegs + 1) * sizeof *s->segs);
		s->segs[s->nsegs++] = g;
		index_segments(s);
	} else {
		segment_free(&g);
	}
	free(segdir);
	return rc;
}

int store_publish_replace(struct store *s, const char *source,
			  const struct agg *a, const struct store_input *inputs,
			  size_t ninputs, int32_t replace_from,
			  int32_t replace_to, struct br_err *err)
{
	if (agg_rows(a) == 0 && ninputs == 0 && replace_from == BR_DAY_NONE)
		return 0;
	struct seg_meta m = {source ? source : "default", replace_from,
			     replace_to, 0};
	return publish_segment(s, &m, a, inputs, ninputs, err);
}

int store_publish(struct store *s, const char *source, const struct agg *a,
		  const struct store_input *inputs, size_t ninputs,
		  struct br_err *err)
{
	return store_publish_replace(s, source, a, inputs, ninputs, BR_DAY_NONE,
				     BR_DAY_NONE, err);
}

/* ------------------------------------------------------------ compact */

static int scan(struct store *s, const struct store_query *q, bool own_only,
		store_row_fn fn, void *ctx, struct br_err *err);

/* Collects the rows a scan visits into an aggregate. */
static int collect_row(void *ctx, const struct store_row *r)
{
	agg_add_row(ctx, r);
	return 0;
}

/* Tells whether the file of hidden segment segs[i] may go. One of a
 * merge that did not end, once a later merged segment exists: its
 * sequence number is then never given again, so no later merge's group
 * is taken for its own by a reader that read it before it went, and a
 * reader that finds it gone finds that segment, which may hide it
 * (gone_hidden). One of a whole group, once every segment of the group
 * is hidden: until then its group's others count only with it. */
static bool removable(const struct store *s, size_t i)
{
	const struct segment *g = &s->segs[i];
	if (!g->hidden)
		return false;
	if (g->unfinished) {
		for (size_t j = i + 1; j < s->nsegs; j++)
			if (s->segs[j].merged_through)
				return true;
		return false;
	}
	const struct segment *first = g->group_parts ? &s->segs[group_start(s, i)] : g;
	for (uint32_t k = 0; k < g->group_parts; k++)
		if (!first[k].hidden)
			return false;
	return true;
}

/* Removes the files of the hidden segments that may go (removable),
 * which readers ignore already (absorbed by a compaction, replaced by a
 * newer merge, or of a merge that did not end), and makes that durable.
 * *removed counts them. The store a merge that did not end was of joins
 * s's abandoned merges (store_abandoned), unless it is merging, the
 * store being merged now (NULL: none), whose merge this one ends. */
static int remove_hidden(struct store *s, const char *merging,
			 size_t *removed, struct br_err *err)
{
	size_t kept = 0;
	*removed = 0;
	bool *gone = br_malloc((s->nsegs ? s->nsegs : 1) * sizeof *gone);
	for (size_t i = 0; i < s->nsegs; i++)
		gone[i] = removable(s, i);
	for (size_t i = 0; i < s->nsegs; i++) {
		struct segment *g = &s->segs[i];
		if (gone[i]) {
			if (unlink(g->path) != 0 && errno != ENOENT) {
				int e = errno;
				br_fail(err, "cannot remove '%s': %s", g->path, strerror(e));
				s->segs[kept++] = *g;
				continue;
			}
			(*removed)++;
			const char *origin = g->str[g->origin];
			if (g->unfinished &&
			    (!merging || strcmp(origin, merging) != 0))
				abandon(s, origin);
			segment_free(g);
		} else {
			s->segs[kept++] = *g;
		}
	}
	free(gone);
	s->nsegs = kept;
	index_segments(s);
	if (br_failed(err))
		return -1;
	if (*removed) {
		char *segdir = path_join(s->dir, SEG_DIR);
		int rc = br_fsync_dir(segdir, err);
		free(segdir);
		return rc;
	}
	return 0;
}

/* Compacts the visible segments of one source (of the store's own) into
 * one new segment: their rows summed in an aggregate that keeps at most
 * AGG_SPILL_ROWS in memory, as an ingest's, and read from their files
 * through a window (segment_stream). */
static int compact_source(struct store *s, const char *source,
			  struct br_err *err)
{
	struct agg *a = agg_new();
	agg_spill_at(a, AGG_SPILL_ROWS);
	struct store_input *inputs = NULL;
	size_t ninputs = 0;
	uint64_t through = 0;
	for (size_t i = 0; i < s->nsegs; i++) {
		const struct segment *g = &s->segs[i];
		if (g->hidden || g->merged_through ||
		    strcmp(g->str[g->source], source) != 0)
			continue;
		through = g->seq;
		inputs = br_realloc(inputs, (ninputs + g->ninputs + 1) * sizeof *inputs);
		memcpy(inputs + ninputs, g->inputs, g->ninputs * sizeof *inputs);
		ninputs += g->ninputs;
	}
	struct store_query q = {BR_DAY_NONE, BR_DAY_NONE, source};
	int rc = scan(s, &q, true, collect_row, a, err);
	if (rc == 0) {
		struct seg_meta m = {source, BR_DAY_NONE, BR_DAY_NONE, through};
		rc = publish_segment(s, &m, a, inputs, ninputs, err);
	}
	free(inputs);
	agg_free(a);
	return rc;
}

int store_compact(struct store *s, struct store_compact_stats *st,
		  struct br_err *err)
{
	memset(st, 0, sizeof *st);
	if (s->lock_fd < 0)
		return br_fail(err, "internal error: compacting without the store lock");
	if (store_load(s, err) != 0)
		return -1;
	/* One new segment per source that has more than one visible one of
	 * the store's own. Merged segments stay: there is one per merged
	 * store and source, which a newer merge of it replaces. */
	size_t n = s->nsegs;
	for (size_t i = 0; i < n; i++) {
		const struct segment *g = &s->segs[i];
		if (g->hidden || g->merged_through)
			continue;
		const char *source = g->str[g->source];
		size_t visible = 0;
		bool first = true;
		for (size_t j = 0; j < n; j++) {
			const struct segment *h = &s->segs[j];
			if (h->hidden || h->merged_through ||
			    strcmp(h->str[h->source], source) != 0)
				continue;
			first &= j >= i;
			visible++;
		}
		if (!first || visible < 2)
			continue;
		char *src = br_strdup(source);
		int rc = compact_source(s, src, err);
		free(src);
		if (rc != 0)
			return -1;
		st->sources++;
		st->merged += visible;
	}
	/* What a compaction absorbed is now only clutter: remove it. The
	 * compacted segment is durable already, so a crash here is harmless. */
	return remove_hidden(s, NULL, &st->removed, err);
}

/* --------------------------------------------------------------- merge */

/* One source of a store being merged: its live rows and the inputs they
 * came from, which one merged segment will hold. */
struct merge_part {
	const char *source;         /* borrowed from the merged store */
	uint64_t through;           /* its newest segment there */
	struct agg *rows;
	struct store_input *inputs; /* distinct, in fingerprint order; names
				     * borrowed from the merged store */
	uint32_t ninputs;
	size_t replaces;            /* merged segments of the destination
				     * it is a newer state of */
	bool publish;
};

/* Reads p's rows and inputs from the merged store. */
static int merge_part_read(struct store *from, struct merge_part *p,
			   struct br_err *err)
{
	size_t n = 0;
	for (size_t i = 0; i < from->nsegs; i++) {
		const struct segment *g = &from->segs[i];
		if (g->hidden || strcmp(g->str[g->source], p->source) != 0)
			continue;
		p->through = g->seq;
		p->inputs = br_realloc(p->inputs, (n + g->ninputs + 1) * sizeof *p->inputs);
		memcpy(p->inputs + n, g->inputs, g->ninputs * sizeof *p->inputs);
		n += g->ninputs;
	}
	/* A backfill lists inputs it read again: keep each once, with the
	 * records of the read that counted them (a grown log's last read of
	 * nothing but blank lines counted none of what its bytes hold). */
	if (n)
		qsort(p->inputs, n, sizeof *p->inputs, input_cmp);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		struct store_input *last = k ? &p->inputs[k - 1] : NULL;
		if (!last || input_cmp(last, &p->inputs[i]) != 0)
			p->inputs[k++] = p->inputs[i];
		else if (p->inputs[i].records > last->records)
			last->records = p->inputs[i].records;
	}
	p->ninputs = (uint32_t)k;
	p->rows = agg_new();
	agg_spill_at(p->rows, AGG_SPILL_ROWS);
	struct store_query q = {BR_DAY_NONE, BR_DAY_NONE, p->source};
	return scan(from, &q, false, collect_row, p->rows, err);
}

/* Tells whether the n inputs v, of one store, count records of the file
 * of input in: in's read did, or a read of it before, of fewer bytes
 * (in's read of a grown log's blank lines counted none, but the log's
 * records are counted). An input of no records counts nothing twice:
 * an empty log, a CSV log's header alone, which every shard may hold. */
static bool counts_records(const struct store_input *in,
			   const struct store_input *v, size_t n)
{
	for (size_t i = 0; i < n && !in->records; i++)
		if (v[i].records && v[i].bytes < in->bytes &&
		    strcmp(v[i].name, in->name) == 0)
			return true;
	return in->records != 0;
}

/* As counts_records, over the visible segments of store s. */
static bool store_counts_records(const struct store *s,
				 const struct store_input *in)
{
	bool counts = in->records != 0;
	for (size_t i = 0; i < s->nsegs && !counts; i++)
		counts = !s->segs[i].hidden &&
			 counts_records(in, s->segs[i].inputs,
					s->segs[i].ninputs);
	return counts;
}

/* Refuses part p of the store at from: its input in is counted in dst
 * already, by input had of segment g: the same content, or the same
 * file's first lines (merge_begins_alike). rebuilt: g was merged from
 * this store, which no longer holds all of g's inputs (a store's inputs
 * only grow: it was rebuilt, or another one put in its place). */
static int merge_conflict(const struct store *dst, const struct segment *g,
			  const struct store_input *had,
			  const struct store_input *in,
			  const struct merge_part *p, const char *from,
			  bool rebuilt, struct br_err *err)
{
	char *name = br_printable(in->name); /* a file's or member's name */
	struct br_buf where = {0};
	if (g->merged_through)
		br_buf_printf(&where, "already in '%s', merged from '%s' (source "
			      "'%s')", g->path, g->str[g->origin],
			      g->str[g->source]);
	else
		br_buf_printf(&where, "ingested into '%s' (segment '%s', source "
			      "'%s')", dst->dir, g->path, g->str[g->source]);
	if (rebuilt)
		br_buf_printf(&where, ", which '%s' no longer holds: a store "
			      "rebuilt or replaced since it was merged", from);
	const char *advice = rebuilt ? " (merge every shard into a new store "
				       "instead)" : "";
	if (br_fp_equal(had->fp, in->fp)) {
		br_fail(err, "cannot merge '%s': its input '%s' (source '%s') %s%s; "
			"merging would count it twice%s", from, name, p->source,
			g->merged_through ? "is " : "was also ", where.p, advice);
	} else {
		char *other = br_printable(had->name);
		br_fail(err, "cannot merge '%s': its input '%s' (source '%s', "
			"%llu bytes, %llu records) begins with the first lines "
			"of the input '%s' (%llu bytes, %llu records) %s%s; "
			"merging would count their common records twice%s",
			from, name, p->source, (unsigned long long)in->bytes,
			(unsigned long long)in->records, other,
			(unsigned long long)had->bytes,
			(unsigned long long)had->records, where.p,
			rebuilt ? "" : ": one log read at two sizes, or two "
				       "copies of it, in two stores",
			rebuilt ? advice : " (ingest each log into one store "
					   "only)");
		free(other);
	}
	br_buf_free(&where);
	free(name);
	return -1;
}

/* Orders inputs (pointers) by head, then name. */
static int head_name_cmp(const void *a, const void *b)
{
	const struct store_input *x = *(const struct store_input *const *)a,
				 *y = *(const struct store_input *const *)b;
	if (x->head != y->head)
		return x->head < y->head ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Refuses part p of the store src (at from) when dst counts records of
 * one of its files read by another store: an input of a visible segment
 * of dst that src does not hold, of p's input's name and first lines
 * (head), both with records. That is one log read at two sizes (whose
 * fingerprints differ), or two copies beginning alike: either way their
 * common records would be counted twice. What src holds is its own
 * reads, of which a grown log's successive ones count each record once:
 * a newer state of a segment merged from it, or a log it read under two
 * sources. Returns 0, or -1 naming both inputs. */
static int merge_begins_alike(const struct store *dst, const struct store *src,
			      const struct merge_part *p, const char *from,
			      const char *origin, struct br_err *err)
{
	const struct store_input **v = br_malloc((p->ninputs + 1) * sizeof *v);
	size_t n = 0;
	for (uint32_t i = 0; i < p->ninputs; i++)
		if (p->inputs[i].head && p->inputs[i].records)
			v[n++] = &p->inputs[i];
	if (n)
		qsort(v, n, sizeof *v, head_name_cmp);
	int rc = 0;
	for (size_t i = 0; n && !rc && i < dst->nsegs; i++) {
		const struct segment *g = &dst->segs[i];
		for (uint32_t j = 0; !g->hidden && !rc && j < g->ninputs; j++) {
			const struct store_input *had = &g->inputs[j];
			const struct store_input *const *in =
				had->head && had->records
					? bsearch(&had, v, n, sizeof *v, head_name_cmp)
					: NULL;
			if (in && !holds_fp(src, had->fp))
				rc = merge_conflict(dst, g, had, *in, p, from,
						    g->merged_through &&
						    strcmp(g->str[g->origin], origin) == 0,
						    err);
		}
	}
	free(v);
	return rc;
}

/* Decides part p of the store src (at from) against the visible segments
 * of dst. Returns 1 when it is new (a newer state of the merged segments
 * it replaces), 0 when dst holds it, or a newer state of it, already, and
 * -1 when dst counts some of its inputs otherwise: ingested here, merged
 * from elsewhere, or merged with other inputs than a state of p has; or
 * some of its files, read at another size by another store
 * (merge_begins_alike). */
static int merge_decide(const struct store *dst, const struct store *src,
			struct merge_part *p, const char *from,
			const char *origin, struct br_err *err)
{
	bool present = false;
	for (size_t i = 0; i < dst->nsegs; i++) {
		const struct segment *g = &dst->segs[i];
		if (g->hidden)
			continue;
		uint32_t common = 0;
		const struct store_input *twice = NULL, *had = NULL;
		for (uint32_t j = 0; j < g->ninputs; j++) {
			const struct store_input *in =
				bsearch(&g->inputs[j], p->inputs, p->ninputs,
					sizeof *p->inputs, input_cmp);
			if (!in)
				continue;
			common++;
			if (!twice &&
			    (counts_records(in, p->inputs, p->ninputs) ||
			     store_counts_records(dst, &g->inputs[j]))) {
				twice = in;
				had = &g->inputs[j];
			}
		}
		if (!common)
			continue;
		bool same = g->merged_through &&
			    strcmp(g->str[g->source], p->source) == 0;
		if (same && common == g->ninputs &&
		    (common < p->ninputs || g->merged_through < p->through))
			p->replaces++;
		else if (same && common == p->ninputs &&
			 (common == g->ninputs ||
			  strcmp(g->str[g->origin], origin) == 0))
			/* An older state of the store merged (or the same
			 * inputs, from wherever the store was moved); a
			 * part of another store's is refused below. */
			present = true;
		else if (twice)
			/* Merged from this store, g holds inputs it lacks. */
			return merge_conflict(dst, g, had, twice, p, from,
					      same && strcmp(g->str[g->origin],
							     origin) == 0,
					      err);
	}
	if (present)
		return 0;
	return merge_begins_alike(dst, src, p, from, origin, err) == 0 ? 1 : -1;
}

/* Finds an input that both p and q hold and that counts something
 * twice, or NULL. */
static const struct store_input *common_input(const struct merge_part *p,
					      const struct merge_part *q)
{
	uint32_t i = 0, j = 0;
	while (i < p->ninputs && j < q->ninputs) {
		int c = input_cmp(&p->inputs[i], &q->inputs[j]);
		if (c == 0 &&
		    (counts_records(&p->inputs[i], p->inputs, p->ninputs) ||
		     counts_records(&q->inputs[j], q->inputs, q->ninputs)))
			return &p->inputs[i];
		i += c <= 0;
		j += c >= 0;
	}
	return NULL;
}

/* How far a merge got (merge_into), for what its failure says. */
struct merge_progress {
	uint32_t parts;  /* segments it was to publish (0: not that far) */
	bool landed;     /* the one whose publishing failed is there all
			  * the same (its rename done, the fsync after it
			  * failed) */
};

/* As store_merge, with what it got to in *pr. */
static int merge_into(struct store *dst, const char *from,
		      struct store_merge_stats *st, struct merge_progress *pr,
		      struct br_err *err)
{
	memset(st, 0, sizeof *st);
	if (dst->lock_fd < 0)
		return br_fail(err, "internal error: merging without the store lock");
	struct stat a, b;
	if (stat(from, &a) == 0 && stat(dst->dir, &b) == 0 &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino)
		return br_fail_status(err, BR_EXIT_USAGE,
				      "cannot merge store '%s' into itself", from);
	struct store *src = store_open(from, NULL, err);
	if (!src)
		return -1;
	struct merge_part *parts = NULL;
	size_t nparts = 0;
	struct br_buf advice = {0};
	char *origin = NULL;
	int rc = -1;
	const char *tz = br_tz_name(src->tz), *dst_tz = br_tz_name(dst->tz);
	if (strcmp(tz, dst_tz) != 0) {
		br_fail_status(err, BR_EXIT_USAGE, "cannot merge '%s' (time zone "
			       "%s) into '%s' (time zone %s): their days would not "
			       "line up", from, tz, dst->dir, dst_tz);
		goto out;
	}
	br_buf_printf(&advice, "check it with 'burnrate --store %s verify'",
		      from);
	if (load_segments(src, advice.p, err) != 0 || store_load(dst, err) != 0)
		goto out;
	origin = realpath(from, NULL);
	st->segments = src->nsegs;
	/* One part per source, in the order of their first segments. */
	parts = br_calloc(src->nsegs + 1, sizeof *parts);
	for (size_t i = 0; i < src->nsegs; i++) {
		const struct segment *g = &src->segs[i];
		size_t k = 0;
		while (k < nparts && strcmp(parts[k].source, g->str[g->source]) != 0)
			k++;
		if (g->hidden || k < nparts)
			continue;
		parts[nparts].source = g->str[g->source];
		if (merge_part_read(src, &parts[nparts++], err) != 0)
			goto out;
	}
	/* Every part is decided before any is published: a conflict in one
	 * source leaves the whole store out. */
	for (size_t k = 0; k < nparts; k++) {
		struct merge_part *p = &parts[k];
		if (p->ninputs == 0 && agg_rows(p->rows) == 0)
			continue;
		if (p->ninputs == 0) {
			br_fail(err, "cannot merge '%s': its source '%s' has rows "
				"but records no inputs, so a second merge could "
				"not recognise them", from, p->source);
			goto out;
		}
		int d = merge_decide(dst, src, p, from, origin ? origin : from,
				     err);
		if (d < 0)
			goto out;
		for (size_t j = 0; d && j < k; j++) {
			const struct store_input *in =
				parts[j].publish ? common_input(p, &parts[j]) : NULL;
			if (in) {
				char *name = br_printable(in->name);
				br_fail(err, "cannot merge '%s': its input '%s' is "
					"counted in two of its sources, '%s' and '%s'; "
					"merging would count it twice", from, name,
					parts[j].source, p->source);
				free(name);
				goto out;
			}
		}
		p->publish = d == 1;
		st->present += d == 0;
	}
	/* Published as one group when there are several: readers count
	 * none of them until the last is published, so that a merge that
	 * does not end (killed, a full disk) leaves the state before it,
	 * which the next merge completes. */
	uint32_t group = 0;
	for (size_t k = 0; k < nparts; k++)
		group += parts[k].publish;
	uint64_t first = next_seq(dst);
	pr->parts = group;
	for (size_t k = 0; k < nparts; k++) {
		const struct merge_part *p = &parts[k];
		if (!p->publish)
			continue;
		struct seg_meta m = {p->source, BR_DAY_NONE, BR_DAY_NONE, 0,
				     p->through, origin ? origin : from,
				     first, group > 1 ? group : 0};
		if (publish_segment(dst, &m, p->rows, p->inputs, p->ninputs, err) != 0) {
			char name[40];
			snprintf(name, sizeof name, "seg-%016llx.brs",
				 (unsigned long long)next_seq(dst));
			char *path = segment_file(dst, name);
			pr->landed = access(path, F_OK) == 0;
			free(path);
			goto out;
		}
		st->imported++;
		st->replaced += p->replaces;
	}
	/* What the new segments replace is clutter now, as are the segments
	 * of a merge that did not end; a crash before or during their
	 * removal is harmless, as after a compaction. */
	rc = remove_hidden(dst, origin ? origin : from, &st->removed, err);
out:
	for (size_t k = 0; k < nparts; k++) {
		agg_free(parts[k].rows);
		free(parts[k].inputs);
	}
	free(parts);
	free(origin);
	br_buf_free(&advice);
	store_free(src);
	return rc;
}

int store_merge(struct store *dst, const char *from,
		struct store_merge_stats *st, struct br_err *err)
{
	struct merge_progress pr = {0};
	struct br_err e = {0};
	if (merge_into(dst, from, st, &pr, &e) == 0)
		return 0;
	/* What readers of dst see now: the merge published nothing, part
	 * of a group (which they do not count), or all of it. */
	size_t done = st->imported + pr.landed;
	if (done == 0)
		return br_fail_status(err, e.status, "%s; nothing of '%s' was "
				      "merged into '%s'", e.msg, from, dst->dir);
	if (done < pr.parts)
		return br_fail_status(err, e.status, "%s; the merge of '%s' did "
				      "not end: the store '%s' shows its state "
				      "before it, and its segments published "
				      "(%zu of %u) count for nothing until "
				      "'burnrate --store %s merge %s' is run "
				      "again", e.msg, from, dst->dir, done,
				      pr.parts, dst->dir, from);
	return br_fail_status(err, e.status, "%s; '%s' was merged all the same "
			      "(merging it again changes nothing)", e.msg, from);
}

/* ---------------------------------------------------------------- scan */

/* Tells whether a later replace segment of the same source covers day.
 * Backfills are a store's own segments and overshadow only those. */
static bool shadowed(const struct store *s, size_t seg, int32_t day)
{
	const struct segment *g = &s->segs[seg];
	for (size_t j = seg + 1; j < s->nsegs; j++) {
		const struct segment *h = &s->segs[j];
		if (h->replace_from != BR_DAY_NONE && day >= h->replace_from &&
		    day <= h->replace_to &&
		    strcmp(h->str[h->source], g->str[g->source]) == 0)
			return true;
	}
	return false;
}

/* Calls fn with the row of segment i (strings str) that scan q visits,
 * unless a later backfill overshadows its day (may_shadow: one might).
 * Returns fn's result, or 0 for a row it does not visit. */
static int scan_row(const struct store *s, size_t i, char *const *str,
		    const struct red_row *row, const struct store_query *q,
		    bool may_shadow, store_row_fn fn, void *ctx)
{
	if ((q->since != BR_DAY_NONE && row->key.day < q->since) ||
	    (q->until != BR_DAY_NONE && row->key.day > q->until))
		return 0;
	if (may_shadow && shadowed(s, i, row->key.day))
		return 0;
	const struct segment *g = &s->segs[i];
	struct store_row out = {
		.day = row->key.day,
		.source = g->str[g->source],
		.provider = str[row->key.provider],
		.model = str[row->key.model],
		.agent = str[row->key.agent],
		.label = str[row->key.label],
		.tier = (enum br_tier)row->key.tier,
		.cost_source = (enum br_cost_source)row->key.cost_source,
		.pricing = str[row->key.pricing],
		.price_day = row->key.price_day,
		.band_lo = row->key.band_lo,
		.band_hi = row->key.band_hi,
		.t = row->t,
	};
	return fn(ctx, &out);
}

/* A scan of one segment whose rows are read from its file. */
struct stream_scan {
	const struct store *s;
	size_t i;
	const struct store_query *q;
	bool may_shadow;
	store_row_fn fn;
	void *ctx;
	bool changed; /* the file is not the segment read before */
};

/* segment_stream's row_sink: the file is the segment read before (the
 * same sequence number and rows), and each row goes to scan_row. */
static int stream_row(void *ctx, const struct segment *h,
		      const struct red_row *row)
{
	struct stream_scan *ss = ctx;
	const struct segment *g = &ss->s->segs[ss->i];
	if (h->seq != g->seq || h->nrows != g->nrows) {
		ss->changed = true;
		return -1;
	}
	return scan_row(ss->s, ss->i, h->str, row, ss->q, ss->may_shadow,
			ss->fn, ss->ctx);
}

/* Scans the rows of segment i, which has none in memory (a segment this
 * process published, or read holding the lock or kept open: struct
 * seg_keep), from its file, read again through a window and checked as
 * a reader checks it (but for the checksum of one kept open, checked
 * when it was loaded): never held whole. Returns fn's first non-zero
 * result, 0, or -1 naming the segment. */
static int segment_stream(const struct store *s, size_t i,
			  const struct store_query *q, bool may_shadow,
			  store_row_fn fn, void *ctx, struct br_err *err)
{
	const struct segment *g = &s->segs[i];
	int fd = g->fd;
	if (fd < 0 && (fd = open(g->path, O_RDONLY | O_CLOEXEC)) < 0)
		return br_fail(err, "segment '%s': cannot read: %s", g->path,
			       strerror(errno));
	struct stat st;
	int rc = fstat(fd, &st);
	if (rc != 0)
		rc = br_fail(err, "segment '%s': cannot read: %s", g->path,
			     strerror(errno));
	char why[256] = "";
	struct segment h = {.fd = -1};
	struct stream_scan ss = {s, i, q, may_shadow, fn, ctx, false};
	struct row_sink sink = {stream_row, &ss, 0, fd == g->fd};
	struct seg_src src = {.fd = fd, .len = rc == 0 ? (size_t)st.st_size : 0};
	if (rc == 0)
		rc = segment_decode(&h, &src, false, &sink, why, sizeof why);
	if (rc == 0 && (h.seq != g->seq || h.nrows != g->nrows))
		ss.changed = true;
	if (ss.changed)
		rc = br_fail(err, "segment '%s': changed since this process "
			     "read or wrote it", g->path);
	else if (rc == SEG_STOPPED)
		rc = sink.rc;
	else if (rc != 0 && src.read_errno)
		rc = br_fail(err, "segment '%s': cannot read: %s", g->path,
			     src.read_errno > 0 ? strerror(src.read_errno)
						: "short read");
	else if (rc != 0 && why[0])
		rc = br_fail(err, "segment '%s': %s", g->path, why);
	free(src.buf);
	segment_free(&h);
	if (fd != g->fd)
		close(fd);
	return rc;
}

/* As store_scan; with own_only, over the store's own segments only (not
 * the merged ones). */
static int scan(struct store *s, const struct store_query *q, bool own_only,
		store_row_fn fn, void *ctx, struct br_err *err)
{
	if (store_load(s, err) != 0)
		return -1;
	for (size_t i = 0; i < s->nsegs; i++) {
		struct segment *g = &s->segs[i];
		if (g->hidden || (own_only && g->merged_through) ||
		    (q->source && strcmp(q->source, g->str[g->source]) != 0))
			continue;
		if (g->nrows == 0 ||
		    (q->since != BR_DAY_NONE && g->day_max < q->since) ||
		    (q->until != BR_DAY_NONE && g->day_min > q->until))
			continue;
		bool may_shadow = false;
		for (size_t j = i + 1; !g->merged_through && j < s->nsegs; j++)
			may_shadow |= s->segs[j].replace_from != BR_DAY_NONE;
		if (!g->rows) {
			int rc = segment_stream(s, i, q, may_shadow, fn, ctx, err);
			if (rc)
				return rc;
			continue;
		}
		for (uint32_t r = 0; r < g->nrows; r++) {
			int rc = scan_row(s, i, g->str, &g->rows[r], q,
					  may_shadow, fn, ctx);
			if (rc)
				return rc;
		}
	}
	return 0;
}

int store_scan(struct store *s, const struct store_query *q, store_row_fn fn,
	       void *ctx, struct br_err *err)
{
	return scan(s, q, false, fn, ctx, err);
}

int store_scan_own(struct store *s, const struct store_query *q,
		   store_row_fn fn, void *ctx, struct br_err *err)
{
	return scan(s, q, true, fn, ctx, err);
}

/* -------------------------------------------------------------- verify */

/* Tells whether a writer other than s's own process holds s's lock, with
 * its pid in pid[0..n): one that wrote its pid and still runs
 * (lock_holder). The lock is tested without waiting: taken shared and
 * released at once when free. */
static bool locked_by_other(const struct store *s, char *pid, size_t n)
{
	if (s->lock_fd >= 0)
		return false;
	char *path = path_join(s->dir, "lock");
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	free(path);
	if (fd < 0)
		return false; /* never written: no writer holds it */
	enum lock_holder holder;
	bool held = flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK &&
		    ((holder = lock_holder(fd, pid, n)) == HOLDER_WRITER ||
		     holder == HOLDER_AWAY);
	close(fd); /* releases a lock taken */
	return held;
}

static bool has_seq(const uint64_t *v, size_t n, uint64_t seq)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == seq)
			return true;
	return false;
}

/* What store_verify holds while it lists the store: the sound merged
 * segments (view.segs, in the order read), whose groups are judged once
 * every listing is read; the sequence numbers of the corrupt ones; and
 * the highest listed. */
struct verify_view {
	struct store view;
	uint64_t *corrupt;
	size_t ncorrupt;
	uint64_t last;
};

/* Reports the segments of merges' groups among v's (sorted by sequence
 * number) to fn: sound, of a merge that did not end, or of one that
 * may still be publishing its group (its missing segments come after
 * every segment listed, and another process holds s's lock). Returns
 * how many are not sound. */
/* Whether every segment of the group of merged segment g is in s's
 * directory now. */
static bool group_published(const struct store *s, const struct segment *g)
{
	char *segdir = path_join(s->dir, SEG_DIR);
	bool all = true;
	for (uint32_t k = 0; all && k < g->group_parts; k++) {
		char name[64];
		snprintf(name, sizeof name, "seg-%016llx.brs",
			 (unsigned long long)(g->group_first + k));
		char *path = path_join(segdir, name);
		all = access(path, F_OK) == 0;
		free(path);
	}
	free(segdir);
	return all;
}

static int verify_groups(const struct store *s, struct verify_view *v,
			 store_verify_fn fn, void *ctx)
{
	struct store *w = &v->view;
	for (size_t i = 0; i < w->nsegs; i++)
		w->segs[i].unfinished = w->segs[i].group_parts &&
					!group_whole(w, i);
	int bad = 0;
	int locked = -1; /* not tested yet */
	char pid[300] = "";
	for (size_t i = 0; i < w->nsegs; i++) {
		const struct segment *g = &w->segs[i];
		if (!g->group_parts)
			continue;
		bool replaced = false;
		for (size_t j = i + 1; g->unfinished && j < w->nsegs && !replaced; j++)
			replaced = hides(g, &w->segs[j]);
		/* The group's segments neither read sound nor corrupt. */
		struct br_buf missing = {0};
		bool after_last = true;
		for (uint32_t k = 0; g->unfinished && !replaced &&
				     k < g->group_parts; k++) {
			uint64_t seq = g->group_first + k;
			bool read = false;
			for (size_t j = 0; j < w->nsegs && !read; j++)
				read = w->segs[j].seq == seq;
			if (read || has_seq(v->corrupt, v->ncorrupt, seq))
				continue;
			br_buf_printf(&missing, "%sseg-%016llx.brs",
				      missing.len ? ", " : "",
				      (unsigned long long)seq);
			after_last &= seq > v->last;
		}
		if (!missing.len) {
			/* Whole, or an older state replaced, or what it
			 * lacks is corrupt and reported as such. */
			fn(ctx, g->path, STORE_SEGMENT_OK, NULL);
			continue;
		}
		if (after_last && locked < 0)
			locked = locked_by_other(s, pid, sizeof pid);
		/* Its merge may have published the rest and let the lock go
		 * between the listing and the test of the lock: "did not end"
		 * was then false (tests/concurrency.py, a verify beside a
		 * merge). */
		bool ended = after_last && !locked && group_published(s, g);
		const char *origin = g->str[g->origin];
		struct br_buf why = {0};
		if (ended)
			br_buf_printf(&why, "of a merge of '%s' that published "
				      "its group of %u segments (%s) while "
				      "verify read the store; run verify again",
				      origin, g->group_parts, missing.p);
		else if (after_last && locked)
			br_buf_printf(&why, "of a merge of '%s' that may still "
				      "be publishing its group of %u segments "
				      "(the store is locked by pid %s), which "
				      "lacks %s: reports count none of them "
				      "until it has ended; run verify again "
				      "then", origin, g->group_parts, pid,
				      missing.p);
		else
			br_buf_printf(&why, "of a merge of '%s' that did not "
				      "end: its group of %u segments lacks %s, "
				      "so reports count none of them (they show "
				      "the store as it was before that merge); "
				      "run 'burnrate --store %s merge %s' again",
				      origin, g->group_parts, missing.p, s->dir,
				      origin);
		fn(ctx, g->path, ended || (after_last && locked)
					 ? STORE_SEGMENT_MERGING
					 : STORE_SEGMENT_UNFINISHED,
		   why.p);
		bad++;
		br_buf_free(&why);
		br_buf_free(&missing);
	}
	return bad;
}

int store_verify(struct store *s, store_verify_fn fn, void *ctx,
		 struct br_err *err)
{
	/* The segments checked. The store is listed again until a listing
	 * adds nothing new, as load_segments reads it: a compaction may
	 * publish its segment after a listing and remove the ones it
	 * replaces (listed, maybe checked already) before the next. A
	 * merge's group is judged whole or not once all are read. */
	struct listed seen = {0};
	struct verify_view v = {.view = {.lock_fd = -1}};
	int bad = 0;
	for (int attempt = 1; attempt <= LOAD_ATTEMPTS; attempt++) {
		size_t n;
		char **names = list_segments(s, &seen, &n, err);
		if (!names) {
			bad = -1;
			break;
		}
		for (size_t i = 0; i < n; i++) {
			char *path = segment_file(s, names[i]);
			char why[256];
			struct segment g;
			uint64_t seq = strtoull(names[i] + 4, NULL, 16);
			if (seq > v.last)
				v.last = seq;
			/* One a compaction removed is neither good nor
			 * bad: the next listing shows what replaced it. */
			int rc = segment_load(&g, path, br_tz_name(s->tz),
					      false, NULL, why, sizeof why);
			if (rc == 0 && !g.group_parts)
				fn(ctx, path, STORE_SEGMENT_OK, NULL);
			if (rc == 0 && g.merged_through) {
				/* Kept: it may replace a segment of a group,
				 * judged once all are read (verify_groups). */
				v.view.segs = br_realloc(v.view.segs,
							 (v.view.nsegs + 1) *
							 sizeof *v.view.segs);
				v.view.segs[v.view.nsegs++] = g;
				free(path);
				continue;
			}
			if (rc != 0 && rc != SEGMENT_GONE) {
				bad++;
				fn(ctx, path, STORE_SEGMENT_CORRUPT, why);
				v.corrupt = br_realloc(v.corrupt, (v.ncorrupt + 1) *
							sizeof *v.corrupt);
				v.corrupt[v.ncorrupt++] = seq;
			}
			segment_free(&g);
			free(path);
		}
		free(names);
		if (n == 0)
			break;
	}
	listed_free(&seen);
	if (bad >= 0 && v.view.nsegs) {
		qsort(v.view.segs, v.view.nsegs, sizeof *v.view.segs, seg_seq_cmp);
		bad += verify_groups(s, &v, fn, ctx);
	}
	for (size_t i = 0; i < v.view.nsegs; i++)
		segment_free(&v.view.segs[i]);
	free(v.view.segs);
	free(v.corrupt);
	return bad;
}

/* ------------------------------------------------ known compressed files */

#define STREAMS_FILE "streams"
static const char streams_magic[8] = {'B', 'R', 'S', 'T', 'R', '\r', '\n', 0x1a};
#define STREAMS_VERSION 1
#define STREAMS_HEADER 16 /* magic, version, count */
#define STREAM_BYTES 48

void store_streams_read(const struct store *s, struct store_stream **out,
			size_t *n)
{
	*out = NULL;
	*n = 0;
	char *path = path_join(s->dir, STREAMS_FILE);
	struct br_buf b = {0};
	struct br_err err = {0};
	size_t max = STREAMS_HEADER + (size_t)STORE_STREAMS_MAX * STREAM_BYTES + 4;
	if (br_file_read(path, max, &b, &err) == 0 && b.len >= STREAMS_HEADER + 4) {
		const unsigned char *p = (const unsigned char *)b.p;
		uint32_t count = get_u32(p + 12);
		if (memcmp(p, streams_magic, sizeof streams_magic) == 0 &&
		    get_u32(p + 8) == STREAMS_VERSION && count <= STORE_STREAMS_MAX &&
		    b.len == STREAMS_HEADER + (size_t)count * STREAM_BYTES + 4 &&
		    get_u32(p + b.len - 4) == crc(p, b.len - 4) && count) {
			*out = br_malloc(count * sizeof **out);
			for (uint32_t i = 0; i < count; i++) {
				const unsigned char *e = p + STREAMS_HEADER +
							 (size_t)i * STREAM_BYTES;
				(*out)[i] = (struct store_stream){
					get_u64(e), {get_u64(e + 8), get_u64(e + 16)},
					get_u64(e + 24),
					{get_u64(e + 32), get_u64(e + 40)}};
			}
			*n = count;
		}
	}
	br_buf_free(&b);
	free(path);
}

int store_streams_write(struct store *s, const struct store_stream *v,
			size_t n, struct br_err *err)
{
	if (s->lock_fd < 0)
		return br_fail(err, "internal error: writing streams without "
			       "the store lock");
	if (n > STORE_STREAMS_MAX)
		n = STORE_STREAMS_MAX;
	struct br_buf b = {0};
	memcpy(br_buf_append(&b, sizeof streams_magic), streams_magic,
	       sizeof streams_magic);
	put_u32(&b, STREAMS_VERSION);
	put_u32(&b, (uint32_t)n);
	for (size_t i = 0; i < n; i++) {
		put_u64(&b, v[i].size);
		put_u64(&b, v[i].fp.lo);
		put_u64(&b, v[i].fp.hi);
		put_u64(&b, v[i].content_bytes);
		put_u64(&b, v[i].content_fp.lo);
		put_u64(&b, v[i].content_fp.hi);
	}
	put_u32(&b, crc(b.p, b.len));
	int rc = br_file_publish(s->dir, STREAMS_FILE, b.p, b.len, 0644, err);
	br_buf_free(&b);
	return rc;
}
