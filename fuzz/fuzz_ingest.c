/* fuzz_ingest.c - one input through the whole of ingest (ingest.h): the
 * container (plain, gzip, zstd, xz, bzip2, lz4, zip, tar) told by its
 * magic bytes, decompression under the ratio cap, line splitting with a
 * small record limit (4 KiB), format detection, parsing, dedupe and
 * pricing. Every input begun must end in the sink's end(), ok or not,
 * with a message naming it when not, or be dropped (to be read again). */
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz.h"

struct run {
	struct br_pricer *pricer;
	size_t begun, ended, dropped;
};

static void *on_begin(void *ctx, const char *name)
{
	struct run *r = ctx;
	FUZZ_CHECK(name && *name, "input without a name");
	r->begun++;
	return r;
}

static void on_event(void *input, const struct br_event *ev)
{
	struct run *r = input;
	fuzz_event(r->pricer, ev);
}

static void on_end(void *ctx, void *input, const struct ingest_input *in,
		   bool ok, const char *message)
{
	struct run *r = ctx;
	(void)input;
	FUZZ_CHECK(ok || (message && *message), "a failed input without a message");
	FUZZ_CHECK(ok || strstr(message, in->name),
		   "%s failed without its name: %s", in->name, message);
	FUZZ_CHECK(in->rejected + in->duplicates <= in->records ||
		   in->records == 0, "more rejects than records");
	r->ended++;
}

static void on_drop(void *ctx, void *input)
{
	struct run *r = ctx;
	(void)input;
	r->dropped++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *rejects = fopen("/dev/null", "w");
	struct ingest_opts opts = {.format = "auto", .catalog = fuzz_catalog(),
				   .rejects = rejects, .max_record = 4096,
				   .complete = true, .only_from = BR_DAY_NONE,
				   .only_to = BR_DAY_NONE};
	struct run r = {br_pricer_new(fuzz_catalog(), BR_COST_AUTO), 0, 0, 0};
	struct ingest_sink sink = {.ctx = &r, .begin = on_begin,
				   .event = on_event, .end = on_end,
				   .drop = on_drop};
	struct br_err err = {0};
	struct ingest *g = ingest_new(&opts, &sink, &err);
	FUZZ_CHECK(g, "%s", err.msg);
	const char *path = fuzz_file(data, size, 0644);
	int rc = ingest_path(g, path, &err);
	rc |= ingest_finish(g, &err);
	FUZZ_CHECK(rc == 0 || br_failed(&err), "failed without a message");
	FUZZ_CHECK(r.ended + r.dropped == r.begun,
		   "%zu inputs begun, %zu ended, %zu dropped", r.begun, r.ended,
		   r.dropped);
	ingest_free(g);
	br_pricer_free(r.pricer);
	fuzz_file_close();
	fclose(rejects);
	return 0;
}
