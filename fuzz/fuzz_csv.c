/* fuzz_csv.c - the two CSV readers: core's (br_csv_read_mem: prices,
 * budgets, the catalog), whose records must be well-formed and numbered
 * by a line of the input, and ingest's (the generic CSV log format and
 * the gateways' exports, line by line as ingest feeds it). */
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz.h"

struct seen {
	unsigned long lines, last;
	size_t records;
};

static int on_record(void *ctx, unsigned long line, char **fields,
		     size_t nfields, struct br_err *err)
{
	struct seen *s = ctx;
	FUZZ_CHECK(line >= 1 && line <= s->lines && line >= s->last,
		   "record at line %lu of %lu (last %lu)", line, s->lines,
		   s->last);
	FUZZ_CHECK(nfields >= 1 && nfields <= 256, "%zu fields", nfields);
	for (size_t i = 0; i < nfields; i++)
		FUZZ_CHECK(fields[i] && strlen(fields[i]) <= 1 << 20, "field %zu", i);
	s->last = line;
	/* Stopping early must be clean too. */
	if (++s->records == 50 || strcmp(fields[0], "stop") == 0)
		return br_fail(err, "fuzz.csv:%lu: stopped", line);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct seen s = {1, 0, 0};
	for (size_t i = 0; i < size; i++)
		s.lines += data[i] == '\n';
	char *copy = br_malloc(size ? size : 1);
	memcpy(copy, data, size);
	struct br_err err = {0};
	if (br_csv_read_mem("fuzz.csv", copy, size, on_record, &s, &err) != 0)
		FUZZ_CHECK(br_failed(&err) && strncmp(err.msg, "fuzz.csv", 8) == 0,
			   "error without the file's name: %s", err.msg);
	free(copy);

	static const char *const formats[] = {"generic", "litellm", "helicone",
					      "langfuse"};
	fuzz_format_lines(formats[size % 4], NULL, data, size);
	return 0;
}
