/* ledger.c - the durable record of messages in the store's notify/
 * directory. Entry ID has two files: ID.eml, the message exactly as it is
 * sent (and re-sent), and ID.state, a few "field value" lines:
 *
 *	burnrate-ledger 1
 *	key alert2|all-llm|*|monthly|2025-11-01|actual|90|to=3f0c9a1e5b7d2468
 *	state pending|sent|failed
 *	when 2025-11-20T06:00:01Z
 *	from burnrate@example.com
 *	to finance@example.com          (one line per recipient)
 *	rearmed 1                       (forecast alerts that fell back)
 *	reply 550 5.7.1 refused         (failed entries; a sent one's refused recipients)
 *	seq 42                          (the order it was recorded in)
 *
 * Both are published atomically (temporary file, fsync, rename, fsync of
 * the directory), the message before the state, so an entry that exists
 * always has its message. An .eml without a state is a leftover of a
 * crash and is written again.
 *
 * The file store-id holds 32 random hex digits, made with the directory
 * (or by the first run of a version that has it): Message-IDs are derived
 * from it and the key, so that two stores' messages about alike keys
 * (budgets named "all", the same month's finance report) are never taken
 * for one message by a mail system that drops duplicates. Its name is not
 * an entry's, so versions before it ignore it. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "notify/notify.h"

#define LEDGER_MAGIC "burnrate-ledger 1"
#define LEDGER_MAX_FILE ((size_t)64 << 20)
#define LEDGER_STORE_ID "store-id"

static const char *const state_names[] = {"pending", "sent", "failed"};

const char *ledger_state_name(enum ledger_state s)
{
	return state_names[s];
}

void ledger_id(const char *key, char id[33])
{
	char hex[65];
	br_sha256_hex(key, strlen(key), hex);
	memcpy(id, hex, 32);
	id[32] = 0;
}

void ledger_message_id(const struct ledger *l, const char *key, char id[33])
{
	struct br_buf b = {0};
	char hex[65];
	br_buf_printf(&b, "%s|%s", l->store_id, key);
	br_sha256_hex(b.p, b.len, hex);
	br_buf_free(&b);
	memcpy(id, hex, 32);
	id[32] = 0;
}

static int state_parse(const char *s)
{
	for (int i = 0; i < 3; i++)
		if (strcmp(s, state_names[i]) == 0)
			return i;
	return -1;
}

static void entry_free(struct ledger_entry *e)
{
	free(e->key);
	free(e->from);
	for (size_t i = 0; i < e->nto; i++)
		free(e->to[i]);
	free(e->to);
	free(e->when);
	free(e->reply);
}

void ledger_free(struct ledger *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		entry_free(&l->v[i]);
	free(l->v);
	free(l->dir);
	free(l->store_id);
	free(l);
}

static struct ledger_entry *entry_new(struct ledger *l)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		l->v = br_realloc(l->v, l->cap * sizeof *l->v);
	}
	struct ledger_entry *e = &l->v[l->n++];
	memset(e, 0, sizeof *e);
	return e;
}

static void add_to(struct ledger_entry *e, const char *addr)
{
	e->to = br_realloc(e->to, (e->nto + 1) * sizeof *e->to);
	e->to[e->nto++] = br_strdup(addr);
}

/* Parses one state file into a new entry. */
static int read_state(struct ledger *l, const char *name, struct br_err *err)
{
	struct br_buf b = {0}, path = {0};
	br_buf_printf(&path, "%s/%s", l->dir, name);
	int rc = br_file_read(path.p, LEDGER_MAX_FILE, &b, err);
	if (rc != 0)
		goto out;
	br_buf_putc(&b, 0);
	char *save = NULL, *line = strtok_r(b.p, "\n", &save);
	if (!line || strcmp(line, LEDGER_MAGIC) != 0) {
		rc = br_fail(err, "%s: not a burnrate ledger entry", path.p);
		goto out;
	}
	struct ledger_entry *e = entry_new(l);
	snprintf(e->id, sizeof e->id, "%.32s", name);
	int state = -1;
	while ((line = strtok_r(NULL, "\n", &save))) {
		char *v = strchr(line, ' ');
		if (!v)
			continue;
		*v++ = 0;
		if (strcmp(line, "key") == 0 && !e->key)
			e->key = br_strdup(v);
		else if (strcmp(line, "state") == 0)
			state = state_parse(v);
		else if (strcmp(line, "when") == 0 && !e->when)
			e->when = br_strdup(v);
		else if (strcmp(line, "from") == 0 && !e->from)
			e->from = br_strdup(v);
		else if (strcmp(line, "to") == 0)
			add_to(e, v);
		else if (strcmp(line, "rearmed") == 0)
			e->rearmed = strcmp(v, "1") == 0;
		else if (strcmp(line, "reply") == 0 && !e->reply)
			e->reply = br_strdup(v);
		else if (strcmp(line, "seq") == 0)
			e->seq = strtoull(v, NULL, 10);
	}
	if (!e->key || state < 0 || !e->from || !e->nto) {
		entry_free(e);
		l->n--;
		rc = br_fail(err, "%s: damaged ledger entry (no key, state, "
			     "sender or recipient)", path.p);
		goto out;
	}
	e->state = (enum ledger_state)state;
out:
	br_buf_free(&b);
	br_buf_free(&path);
	return rc;
}

/* The order entries were recorded in: pending ones are sent in it, so
 * that the alerts of a night the server was down go out before those of
 * the night it is back, and each night's in the order they were decided.
 * Entries of versions before seq (0) were recorded before any that has
 * one; among them, a pending entry's time is the time it was recorded,
 * and the key only makes the order stable. */
static int entry_cmp(const void *a, const void *b)
{
	const struct ledger_entry *x = a, *y = b;
	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	int c = strcmp(x->when ? x->when : "", y->when ? y->when : "");
	return c ? c : strcmp(x->key, y->key);
}

/* Reads the store's id into l->store_id, making one when there is none:
 * 16 random bytes in hex. A file that does not hold 32 hex digits is an
 * error, not replaced: a new id would give a pending message re-composed
 * elsewhere a Message-ID other than the one it was first sent with. */
static int store_id_load(struct ledger *l, struct br_err *err)
{
	struct br_buf path = {0}, b = {0};
	br_buf_printf(&path, "%s/" LEDGER_STORE_ID, l->dir);
	int rc = 0;
	if (access(path.p, F_OK) != 0 && errno == ENOENT) {
		unsigned char r[16];
		char hex[34];
		if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r) {
			rc = br_fail(err, "cannot make the id of the store's "
				     "ledger: getrandom: %s", strerror(errno));
			goto out;
		}
		for (size_t i = 0; i < sizeof r; i++)
			snprintf(hex + 2 * i, 3, "%02x", r[i]);
		hex[32] = '\n';
		hex[33] = 0;
		/* Never replacing one: a dry run takes no lock, and the id
		 * a run made meanwhile must stay the store's. The one that
		 * made it first is the id. */
		rc = br_file_publish_new(l->dir, LEDGER_STORE_ID, hex, 33, 0600,
					 err);
		if (rc != 0 && access(path.p, F_OK) == 0) {
			br_err_clear(err);
			rc = 0;
		}
		if (rc != 0)
			goto out;
	}
	if ((rc = br_file_read(path.p, 4096, &b, err)) != 0)
		goto out;
	br_buf_putc(&b, 0);
	size_t n = strspn(b.p, "0123456789abcdef");
	if (n != 32 || (b.p[32] != '\n' && b.p[32] != 0)) {
		rc = br_fail(err, "%s: not a store id (32 hex digits)", path.p);
		goto out;
	}
	b.p[32] = 0;
	l->store_id = br_strdup(b.p);
out:
	br_buf_free(&path);
	br_buf_free(&b);
	return rc;
}

/* ledger_open and ledger_read; writer: the caller holds the store's lock,
 * so that a temporary file in the directory is a leftover, not a file
 * another process is writing. */
static struct ledger *ledger_load(const char *store_dir, bool writer,
				  struct br_err *err)
{
	struct ledger *l = br_calloc(1, sizeof *l);
	struct br_buf dir = {0};
	br_buf_printf(&dir, "%s/notify", store_dir);
	l->dir = dir.p;
	if (mkdir(l->dir, 0700) == 0) {
		/* The new directory's entry is made durable before anything
		 * is published in it: a crash must not lose the ledger's
		 * first entries with the directory. */
		if (br_fsync_dir(store_dir, err) != 0) {
			ledger_free(l);
			return NULL;
		}
	} else if (errno != EEXIST) {
		br_fail(err, "cannot create '%s': %s", l->dir, strerror(errno));
		ledger_free(l);
		return NULL;
	}
	if (store_id_load(l, err) != 0) {
		ledger_free(l);
		return NULL;
	}
	DIR *d = opendir(l->dir);
	if (!d) {
		br_fail(err, "cannot open '%s': %s", l->dir, strerror(errno));
		ledger_free(l);
		return NULL;
	}
	struct dirent *de;
	int rc = 0;
	while (rc == 0 && (de = br_readdir(d))) {
		size_t n = strlen(de->d_name);
		if (n == 32 + 6 && strcmp(de->d_name + 32, ".state") == 0)
			rc = read_state(l, de->d_name, err);
		else if (writer && strncmp(de->d_name, ".tmp-", 5) == 0)
			/* Left by a writer killed while it wrote; best
			 * effort, as it is only space. */
			unlinkat(dirfd(d), de->d_name, 0);
	}
	if (rc == 0 && errno != 0)
		rc = br_fail(err, "cannot read '%s': %s", l->dir,
			     strerror(errno));
	closedir(d);
	if (rc != 0) {
		ledger_free(l);
		return NULL;
	}
	/* In the order recorded, so that pending entries are retried
	 * oldest first; ledger_add numbers the next one after the last. */
	if (l->n)
		qsort(l->v, l->n, sizeof *l->v, entry_cmp);
	l->next_seq = 1;
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].seq >= l->next_seq)
			l->next_seq = l->v[i].seq + 1;
	return l;
}

struct ledger *ledger_open(const char *store_dir, struct br_err *err)
{
	return ledger_load(store_dir, true, err);
}

struct ledger *ledger_read(const char *store_dir, struct br_err *err)
{
	return ledger_load(store_dir, false, err);
}

size_t ledger_count(const struct ledger *l, enum ledger_state state)
{
	size_t n = 0;
	for (size_t i = 0; i < l->n; i++)
		n += l->v[i].state == state;
	return n;
}

struct ledger_entry *ledger_find(struct ledger *l, const char *key)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i].key, key) == 0)
			return &l->v[i];
	return NULL;
}

/* The current time as RFC 3339 UTC. */
static char *now_text(void)
{
	char buf[32];
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return br_strdup(buf);
}

/* Appends "field value\n" with control characters in value made spaces,
 * so that no value can end its line early. */
static void field(struct br_buf *b, const char *name, const char *value)
{
	br_buf_printf(b, "%s ", name);
	for (const char *p = value; *p; p++)
		br_buf_putc(b, (unsigned char)*p < 0x20 ? ' ' : *p);
	br_buf_putc(b, '\n');
}

static int write_state(const struct ledger *l, const struct ledger_entry *e,
		       struct br_err *err)
{
	struct br_buf b = {0}, name = {0};
	br_buf_puts(&b, LEDGER_MAGIC "\n");
	field(&b, "key", e->key);
	field(&b, "state", state_names[e->state]);
	field(&b, "when", e->when);
	field(&b, "from", e->from);
	for (size_t i = 0; i < e->nto; i++)
		field(&b, "to", e->to[i]);
	if (e->rearmed)
		field(&b, "rearmed", "1");
	if (e->reply)
		field(&b, "reply", e->reply);
	if (e->seq)
		br_buf_printf(&b, "seq %llu\n", e->seq);
	br_buf_printf(&name, "%s.state", e->id);
	int rc = br_file_publish(l->dir, name.p, b.p, b.len, 0600, err);
	br_buf_free(&b);
	br_buf_free(&name);
	return rc;
}

int ledger_add(struct ledger *l, const char *key, const char *from,
	       char *const *to, size_t nto, const char *msg, size_t len,
	       struct br_err *err)
{
	/* Keys live on one line of the state file. */
	char *k = br_strdup(key);
	for (char *p = k; *p; p++)
		if ((unsigned char)*p < 0x20)
			*p = ' ';
	char id[33];
	ledger_id(k, id);
	struct br_buf name = {0};
	br_buf_printf(&name, "%s.eml", id);
	int rc = br_file_publish(l->dir, name.p, msg, len, 0600, err);
	br_buf_free(&name);
	if (rc != 0) {
		free(k);
		return rc;
	}
	struct ledger_entry *e = entry_new(l);
	memcpy(e->id, id, sizeof id);
	e->key = k;
	e->state = LEDGER_PENDING;
	e->seq = l->next_seq;
	e->when = now_text();
	e->from = br_strdup(from);
	for (size_t i = 0; i < nto; i++)
		add_to(e, to[i]);
	rc = write_state(l, e, err);
	if (rc != 0) {
		entry_free(e);
		l->n--;
	} else {
		l->next_seq++;
	}
	return rc;
}

int ledger_set(struct ledger *l, struct ledger_entry *e,
	       enum ledger_state state, const char *reply, struct br_err *err)
{
	e->state = state;
	free(e->when);
	e->when = now_text();
	free(e->reply);
	e->reply = reply ? br_strdup(reply) : NULL;
	return write_state(l, e, err);
}

int ledger_rearm(struct ledger *l, struct ledger_entry *e, struct br_err *err)
{
	e->rearmed = true;
	return write_state(l, e, err);
}

int ledger_message(const struct ledger *l, const struct ledger_entry *e,
		   struct br_buf *out, struct br_err *err)
{
	struct br_buf path = {0};
	br_buf_printf(&path, "%s/%s.eml", l->dir, e->id);
	int rc = br_file_read(path.p, LEDGER_MAX_FILE, out, err);
	br_buf_free(&path);
	return rc;
}
