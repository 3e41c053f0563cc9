/* fuzz_segment.c - the segment reader (reduce/store.c) and what reads
 * through it. The input is one or more segment files, each ending with
 * the end marker "BRSEGEND", after a flags byte:
 *   bit 0  make the header and file checksums right (so that the fuzzer
 *          gets past them to the decoder's other checks);
 *   bit 1  compact the store when every segment verifies, and require
 *          the same totals and a store that still verifies after;
 *   bit 2  skip corrupt segments (report --skip-corrupt) instead of
 *          failing on them.
 * The segments are written to a store in /dev/shm, named seg-N.brs for
 * the Nth (with bit 0, after their own sequence numbers, as a store names
 * them), and the store is verified, scanned, asked about inputs and
 * reported on in every text format (the JSON one must parse), as stored
 * and re-priced with the built-in catalog. A row read of a cost source
 * for failed requests (BR_COST_FROM_LOG_FAILED, _CATALOG_FAILED) holds
 * failures only. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "fuzz/fuzz.h"
#include "report/report.h"

static char dir[64], segdir[80];

static void clean_segments(void)
{
	DIR *d = opendir(segdir);
	struct dirent *e;
	char path[400];
	while (d && (e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", segdir, e->d_name);
		unlink(path);
	}
	if (d)
		closedir(d);
}

static void remove_store(void)
{
	char path[128];
	clean_segments();
	rmdir(segdir);
	snprintf(path, sizeof path, "%s/burnrate.store", dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/lock", dir);
	unlink(path);
	rmdir(dir);
}

static void setup(void)
{
	snprintf(dir, sizeof dir, "/dev/shm/burnrate-fuzz-XXXXXX");
	FUZZ_CHECK(mkdtemp(dir), "mkdtemp");
	snprintf(segdir, sizeof segdir, "%s/segments", dir);
	struct br_err err = {0};
	FUZZ_CHECK(store_init(dir, "UTC", &err) == 0, "%s", err.msg);
	atexit(remove_store);
}

static void put_u32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> 8 * i);
}

static void write_segment(int i, const uint8_t *p, size_t n, bool fix)
{
	unsigned char *b = br_malloc(n ? n : 1);
	memcpy(b, p, n);
	unsigned long long seq = (unsigned long long)i + 1;
	if (fix && n >= 140) {
		put_u32(b + 124, (uint32_t)crc32(0, b, 124));
		put_u32(b + n - 12, (uint32_t)crc32(0, b, (uInt)(n - 12)));
		/* Named after its sequence number, as a store names it,
		 * unless another segment of the input took that name. */
		unsigned long long own = 0;
		for (int k = 0; k < 8; k++)
			own |= (unsigned long long)b[16 + k] << 8 * k;
		char taken[128];
		snprintf(taken, sizeof taken, "%s/seg-%016llx.brs", segdir, own);
		if (access(taken, F_OK) != 0)
			seq = own;
	}
	char name[128];
	snprintf(name, sizeof name, "%s/seg-%016llx.brs", segdir, seq);
	FILE *f = fopen(name, "wb");
	FUZZ_CHECK(f && fwrite(b, 1, n, f) == n && fclose(f) == 0, "%s", name);
	free(b);
}

struct sums {
	struct red_totals t;
	size_t rows;
};

static int sum_row(void *ctx, const struct store_row *r)
{
	struct sums *s = ctx;
	const char *str[] = {r->source, r->provider, r->model, r->agent,
			     r->label, r->pricing};
	for (size_t i = 0; i < sizeof str / sizeof str[0]; i++)
		FUZZ_CHECK(str[i] && strlen(str[i]) <= 1 << 20, "string %zu", i);
	FUZZ_CHECK(r->tier < BR_TIER_COUNT, "tier");
	FUZZ_CHECK(r->cost_source < BR_COST_SOURCE_COUNT, "cost source");
	FUZZ_CHECK(!br_cost_source_failed(r->cost_source) ||
			   (r->t.errors == r->t.requests && r->t.requests),
		   "a row of failed requests' cost source with successes");
	const br_pico bound = (br_pico)1 << 100;
	FUZZ_CHECK(r->t.cost <= bound && r->t.cost >= -bound &&
		   r->t.calc_cost <= bound && r->t.calc_cost >= -bound &&
		   r->t.logged_cost <= bound && r->t.logged_cost >= -bound,
		   "a cost beyond 2^100 read");
	red_totals_add(&s->t, &r->t);
	s->rows++;
	return 0;
}

static void on_verify(void *ctx, const char *segment,
		      enum store_verdict verdict, const char *problem)
{
	FUZZ_CHECK(!problem == (verdict == STORE_SEGMENT_OK), "a verdict of %d "
		   "with%s a problem", (int)verdict, problem ? "" : "out");
	(void)ctx;
	FUZZ_CHECK(segment && strstr(segment, "seg-"), "segment name");
}

static void report(struct store *s, const struct br_catalog *reprice)
{
	struct report_query q = {.since = BR_DAY_NONE, .until = BR_DAY_NONE,
				 .as_of = 20300, .breakdowns = true,
				 .reprice = reprice};
	struct br_err err = {0};
	FUZZ_CHECK(report_parse_keys("day,provider,model,agent,label", &q,
				     &err) == 0, "keys");
	struct report *r = report_run(s, &q, &err);
	if (!r)
		return;
	static const enum report_format formats[] = {REPORT_TABLE, REPORT_CSV,
						     REPORT_JSON, REPORT_HTML};
	for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
		char *text = NULL;
		size_t len = 0;
		FILE *out = open_memstream(&text, &len);
		FUZZ_CHECK(report_write(r, formats[i], false, out, &err) == 0,
			   "%s", err.msg);
		fclose(out);
		if (formats[i] == REPORT_JSON) /* whatever bytes names hold */
			fuzz_json(text, len, "report JSON");
		free(text);
	}
	report_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!dir[0])
		setup();
	if (size < 1)
		return 0;
	unsigned flags = data[0];
	data++, size--;
	clean_segments();
	int nseg = 0;
	while (size > 0 && nseg < 8) {
		const uint8_t *end = memmem(data, size, "BRSEGEND", 8);
		size_t n = end ? (size_t)(end - data) + 8 : size;
		write_segment(nseg++, data, n, flags & 1);
		data += n, size -= n;
	}

	struct br_err err = {0};
	struct store *s = store_open(dir, NULL, &err);
	FUZZ_CHECK(s, "%s", err.msg);
	if (flags & 4)
		store_skip_corrupt(s);
	int bad = store_verify(s, on_verify, NULL, &err);
	FUZZ_CHECK(bad >= 0 && bad <= nseg, "%d bad of %d", bad, nseg);
	struct store_query all = {BR_DAY_NONE, BR_DAY_NONE, NULL};
	struct sums before = {0};
	int scanned = store_scan(s, &all, sum_row, &before, &err);
	FUZZ_CHECK(scanned == 0 || bad > 0, "scan failed on a sound store: %s",
		   err.msg);
	store_has_input(s, (struct br_fp){1, 2}, &err);
	struct store_input in;
	store_last_input(s, "x", &in, &err);
	report(s, NULL);
	report(s, fuzz_catalog());
	if (bad == 0 && (flags & 2)) {
		struct store_compact_stats st;
		FUZZ_CHECK(store_lock(s, &err) == 0, "%s", err.msg);
		/* Rows merged into one may pass the bound on a row's cost:
		 * then compaction fails, saying so, and changes nothing. */
		if (store_compact(s, &st, &err) != 0) {
			FUZZ_CHECK(strstr(err.msg, "cannot store the cost of"),
				   "compact: %s", err.msg);
			FUZZ_CHECK(store_verify(s, on_verify, NULL, &err) == 0,
				   "a failed compaction left a bad segment");
			store_free(s);
			return 0;
		}
		store_free(s);
		s = store_open(dir, NULL, &err);
		FUZZ_CHECK(s && store_verify(s, on_verify, NULL, &err) == 0,
			   "compacted store does not verify");
		struct sums after = {0};
		FUZZ_CHECK(store_scan(s, &all, sum_row, &after, &err) == 0,
			   "%s", err.msg);
		FUZZ_CHECK(after.t.requests == before.t.requests &&
			   after.t.tokens.input == before.t.tokens.input &&
			   after.t.tokens.output == before.t.tokens.output,
			   "compaction changed the totals");
	}
	store_free(s);
	return 0;
}
