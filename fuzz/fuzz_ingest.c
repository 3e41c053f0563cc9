/* fuzz_ingest.c - one input through the whole of ingest (ingest.h): the
 * container (plain, gzip, zstd, xz, bzip2, lz4, zip, tar) told by its
 * magic bytes, decompression under the ratio cap, line splitting with a
 * small record limit (4 KiB), format detection, parsing, dedupe and
 * pricing. Every input begun must end in the sink's end(), ok or not,
 * with a message naming it when not, or be dropped (to be read again).
 * What is counted must not depend on how the input is read (issue #4):
 * --jobs 2 counts what --jobs 1 does, and a plain input (one input, not
 * a compressed stream) gzipped counts the same. --jobs 2 is tried only
 * where threads can change anything, several inputs (an archive's
 * members) or a block's worth of content: its threads make a run ~20
 * times slower. */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "fuzz/fuzz.h"
#include "ingest/driver.h"

/* What the inputs that ended ok counted, all told. */
struct totals {
	uint64_t inputs, failed, records, rejected, duplicates, bytes, events;
	uint64_t requests, errors, cost_only, tokens[6];
	int64_t logged_cost;
};

struct run {
	struct br_pricer *pricer; /* NULL: events are not checked (--jobs 2:
				   * the pricer is not shared by threads) */
	size_t begun, ended, dropped;
	struct totals t;
	bool plain; /* one input, the file itself, not a compressed stream */
	const char *path;
};

/* One input's events, or a block's (merged into its input's). */
struct part {
	struct run *run;
	struct totals t;
};

static void add(struct totals *to, const struct totals *t)
{
	to->events += t->events;
	to->requests += t->requests;
	to->errors += t->errors;
	to->cost_only += t->cost_only;
	for (int i = 0; i < 6; i++)
		to->tokens[i] += t->tokens[i];
	to->logged_cost += t->logged_cost;
}

static void *on_begin(void *ctx, const char *name)
{
	struct run *r = ctx;
	FUZZ_CHECK(name && *name, "input without a name");
	struct part *p = calloc(1, sizeof *p);
	FUZZ_CHECK(p, "out of memory");
	p->run = r;
	__atomic_fetch_add(&r->begun, 1, __ATOMIC_RELAXED);
	return p;
}

static void on_event(void *input, const struct br_event *ev)
{
	struct part *p = input;
	if (p->run->pricer)
		fuzz_event(p->run->pricer, ev);
	p->t.events++;
	p->t.requests += ev->requests ? ev->requests : 1;
	p->t.errors += ev->error;
	p->t.cost_only += ev->cost_only;
	const uint64_t *tok[6] = {&ev->tokens.input, &ev->tokens.output,
				  &ev->tokens.cache_read, &ev->tokens.cache_write,
				  &ev->tokens.cache_write_1h,
				  &ev->tokens.reasoning};
	for (int i = 0; i < 6; i++)
		p->t.tokens[i] += *tok[i];
	if (ev->has_logged_cost)
		p->t.logged_cost += ev->logged_cost;
}

static void on_merge(void *ctx, void *into, void *part)
{
	(void)ctx;
	add(&((struct part *)into)->t, &((struct part *)part)->t);
	free(part);
}

static void sub(struct totals *from, const struct totals *t)
{
	from->events -= t->events;
	from->requests -= t->requests;
	from->errors -= t->errors;
	from->cost_only -= t->cost_only;
	for (int i = 0; i < 6; i++)
		from->tokens[i] -= t->tokens[i];
	from->logged_cost -= t->logged_cost;
}

static bool on_subtract(void *ctx, void *into, void *minus)
{
	(void)ctx;
	sub(&((struct part *)into)->t, &((struct part *)minus)->t);
	free(minus);
	return true;
}

static void on_end(void *ctx, void *input, const struct ingest_input *in,
		   bool ok, const char *message)
{
	struct run *r = ctx;
	struct part *p = input;
	FUZZ_CHECK(ok || (message && *message), "a failed input without a message");
	FUZZ_CHECK(ok || strstr(message, in->name),
		   "%s failed without its name: %s", in->name, message);
	FUZZ_CHECK(in->rejected + in->duplicates <= in->records ||
		   in->records == 0, "more rejects than records");
	r->ended++;
	r->plain = r->ended == 1 && ok && strcmp(in->name, r->path) == 0 &&
		   in->packed_bytes == 0;
	if (ok) {
		r->t.inputs++;
		r->t.records += in->records;
		r->t.rejected += in->rejected;
		r->t.duplicates += in->duplicates;
		r->t.bytes += in->bytes;
		add(&r->t, &p->t);
	} else {
		r->t.failed++;
	}
	free(p);
}

static void on_drop(void *ctx, void *input)
{
	struct run *r = ctx;
	free(input);
	__atomic_fetch_add(&r->dropped, 1, __ATOMIC_RELAXED);
}

/* Says any file may be a compressed one known before, so that a
 * compressed stream's input has its packed_bytes (plain: 0); none is. */
static bool on_packed(void *ctx, uint64_t size, const struct br_fp *fp,
		      struct ingest_known *content)
{
	(void)ctx, (void)size, (void)content;
	return fp == NULL;
}

/* Ingests the file at path with jobs; its events checked when check. */
static void read_file(const char *path, unsigned jobs, bool check,
		      struct run *r)
{
	FILE *rejects = fopen("/dev/null", "w");
	struct ingest_opts opts = {.format = "auto", .catalog = fuzz_catalog(),
				   .rejects = rejects, .max_record = 4096,
				   .jobs = jobs, .complete = true,
				   .only_from = BR_DAY_NONE,
				   .only_to = BR_DAY_NONE};
	*r = (struct run){.path = path};
	if (check)
		r->pricer = br_pricer_new(fuzz_catalog(), BR_COST_AUTO);
	struct ingest_sink sink = {.ctx = r, .begin = on_begin,
				   .event = on_event, .end = on_end,
				   .drop = on_drop, .merge = on_merge,
				   .subtract = on_subtract, .packed = on_packed};
	struct br_err err = {0};
	struct ingest *g = ingest_new(&opts, &sink, &err);
	FUZZ_CHECK(g, "%s", err.msg);
	int rc = ingest_path(g, path, &err);
	rc |= ingest_finish(g, &err);
	FUZZ_CHECK(rc == 0 || br_failed(&err), "failed without a message");
	FUZZ_CHECK(r->ended + r->dropped == r->begun,
		   "%zu inputs begun, %zu ended, %zu dropped", r->begun,
		   r->ended, r->dropped);
	ingest_free(g);
	if (r->pricer)
		br_pricer_free(r->pricer);
	fclose(rejects);
}

static void same_totals(const struct totals *a, const struct totals *b,
			const char *how)
{
	FUZZ_CHECK(memcmp(a, b, sizeof *a) == 0,
		   "%s: %llu inputs, %llu failed, %llu records, %llu rejected, "
		   "%llu duplicates, %llu events, %llu input tokens; "
		   "--jobs 1 plain: %llu, %llu, %llu, %llu, %llu, %llu, %llu",
		   how, (unsigned long long)b->inputs,
		   (unsigned long long)b->failed,
		   (unsigned long long)b->records,
		   (unsigned long long)b->rejected,
		   (unsigned long long)b->duplicates,
		   (unsigned long long)b->events,
		   (unsigned long long)b->tokens[0],
		   (unsigned long long)a->inputs,
		   (unsigned long long)a->failed,
		   (unsigned long long)a->records,
		   (unsigned long long)a->rejected,
		   (unsigned long long)a->duplicates,
		   (unsigned long long)a->events,
		   (unsigned long long)a->tokens[0]);
}

/* The gzip stream of the n bytes at data (malloc'd), its size in *out_n. */
static unsigned char *gzipped(const uint8_t *data, size_t n, size_t *out_n)
{
	z_stream z = {0};
	FUZZ_CHECK(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8,
				Z_DEFAULT_STRATEGY) == Z_OK, "deflateInit2");
	size_t cap = deflateBound(&z, n) + 32;
	unsigned char *out = malloc(cap);
	FUZZ_CHECK(out, "out of memory");
	z.next_in = (unsigned char *)data;
	z.avail_in = n;
	z.next_out = out;
	z.avail_out = cap;
	FUZZ_CHECK(deflate(&z, Z_FINISH) == Z_STREAM_END, "deflate");
	*out_n = z.total_out;
	deflateEnd(&z);
	return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file(data, size, 0644);
	struct run one, two;
	read_file(path, 1, true, &one);
	if (one.ended > 1 || one.t.bytes >= BLOCK_SIZE) {
		read_file(path, 2, false, &two);
		same_totals(&one.t, &two.t, "--jobs 2");
	}
	/* An empty compressed stream is read as an empty input, as the
	 * file itself: not a plain log to gzip (gzipped, its bytes are a
	 * log's text, binary and unended). */
	bool packed = ingest_stream_what(data, size) ||
		      (size >= 2 && data[0] == 0x1f && data[1] == 0x8b);
	if (one.plain && !packed) {
		size_t n;
		unsigned char *gz = gzipped(data, size, &n);
		fuzz_file_rewrite(gz, n);
		free(gz);
		struct run z;
		read_file(path, 1, false, &z);
		same_totals(&one.t, &z.t, "gzipped");
	}
	fuzz_file_close();
	return 0;
}
