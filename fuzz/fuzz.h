/* fuzz.h - what the fuzz targets (fuzz/fuzz_*.c) share: the libFuzzer
 * entry points, a check that aborts with a message, a memory file for the
 * APIs that read a path, and a driver that feeds an input to a record
 * format line by line, as ingest does. Built with libFuzzer by `make
 * fuzz`, and with fuzz/replay.c instead by `make check`, which replays the
 * corpora in fuzz/corpus/. */
#ifndef BURNRATE_FUZZ_H
#define BURNRATE_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ingest/ingest_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts, naming the broken property, when cond is false: a finding. */
#define FUZZ_CHECK(cond, ...) \
	((cond) ? (void)0 : fuzz_fail(__FILE__, __LINE__, #cond, __VA_ARGS__))

_Noreturn void fuzz_fail(const char *file, int line, const char *cond,
			 const char *fmt, ...) BR_PRINTF(4, 5);

/* Puts data[0..n) in a memory file with mode and returns a path that
 * opens it (/proc/self/fd/N), valid until fuzz_file_close. */
const char *fuzz_file(const void *data, size_t n, mode_t mode);
void fuzz_file_close(void);

/* Replaces the content of that memory file with data[0..n). */
void fuzz_file_rewrite(const void *data, size_t n);

/* Checks that text[0..len) is a JSON document (what burnrate writes as
 * JSON): integers up to 2^64 - 1 allowed, which jansson reads as reals
 * only (JSON sets no limit). what names the writer in the finding. */
void fuzz_json(const char *text, size_t len, const char *what);

/* The built-in catalog, loaded once. */
const struct br_catalog *fuzz_catalog(void);

/* Checks an event a format made (its strings readable, its counts sane)
 * and prices it with pricer. */
void fuzz_event(struct br_pricer *pricer, const struct br_event *ev);

/* Reads data[0..n) as ingest's record splitter would (lines, CR and a
 * leading BOM stripped, blank lines skipped until a record is open) with
 * format name ("auto" detects it from the first record) and maps (NULL:
 * none), handing every event to fuzz_event. Returns the number of events
 * and rejects seen. */
size_t fuzz_format_lines(const char *name, const struct format_maps *maps,
			 const uint8_t *data, size_t n);

#endif
