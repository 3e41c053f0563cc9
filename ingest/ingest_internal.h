/* ingest_internal.h - the pieces of ingest/ and the interfaces between them:
 * a byte source (plain or decompressed), and record formats that turn one
 * record into a canonical event. Not part of the stage's public API. */
#ifndef BURNRATE_INGEST_INTERNAL_H
#define BURNRATE_INGEST_INTERNAL_H

#include "ingest/ingest.h"

/* ---------------------------------------------------------- byte source */

/* Reads the decompressed bytes of one input from a file descriptor; gzip
 * (one or more members) is recognised by its magic bytes. */
struct source;

/* Wraps fd (not closed by source_free). name is used in messages. */
struct source *source_open(int fd, const char *name);
void source_free(struct source *src);

/* Tells whether the input turned out to be compressed (valid after the
 * first source_read). */
bool source_compressed(const struct source *src);

/* Reads up to cap bytes into buf. Returns the count, 0 at the end of the
 * input, or -1 with the reason in err (I/O error, corrupt or truncated
 * compressed data). */
ssize_t source_read(struct source *src, char *buf, size_t cap,
		    struct br_err *err);

/* --------------------------------------------------------- JSON scanner */

/* A wanted member: a dotted path of object keys ("usage.input_tokens"). */
#define JPATH_MAX_COMP 8
struct jpath {
	char text[128];
	const char *comp[JPATH_MAX_COMP];
	int ncomp;
};

/* Splits dotted into components. */
void jpath_init(struct jpath *jp, const char *dotted);

enum jtype { JV_NULL, JV_FALSE, JV_TRUE, JV_NUMBER, JV_STRING, JV_OBJECT,
	     JV_ARRAY };

/* A captured member. raw/rawlen is the value's text in the record; a
 * string's decoded bytes are at jscan_str() (len bytes, NUL-terminated). */
struct jvalue {
	bool present;
	enum jtype type;
	bool is_int;        /* a number without fraction or exponent */
	const char *raw;
	size_t rawlen;
	size_t str_off, len;
};

struct jscan;

/* Creates a scanner for up to 64 wanted paths (borrowed). */
struct jscan *jscan_new(const struct jpath *paths, size_t npaths);
void jscan_free(struct jscan *s);

/* Validates rec as one JSON object and fills out[i] for each wanted path
 * found (the last occurrence wins, as in jansson). Returns NULL, or why the
 * record is not valid JSON with the byte offset in *error_at. Captured
 * strings stay valid until the next call. */
const char *jscan_record(struct jscan *s, const char *rec, size_t len,
			 struct jvalue *out, size_t *error_at);

/* The decoded text of a captured string value. */
const char *jscan_str(const struct jscan *s, const struct jvalue *v);

/* --------------------------------------------------------------- formats */

/* A record format. parse() turns one record into ev (string slices may
 * point into the record or into the parser's state, valid until the next
 * call); it returns NULL, or the reason the record is rejected (valid until
 * the next call). */
struct format_parser {
	/* One physical line (without its newline) of the input. Returns 1
	 * when a record is complete (then *ev or *reject is set), 0 when the
	 * line only continues a record (CSV quoted newlines), 2 when it was
	 * consumed without making a record (a CSV header), -1 when the
	 * input cannot be read in this format at all (message in err). */
	int (*line)(struct format_parser *p, const char *line, size_t len,
		    struct br_event *ev, const char **reject,
		    struct br_err *err);
	/* Called at the end of the input: 1 when a final incomplete record
	 * (unterminated CSV quote) must be rejected, else 0. */
	int (*finish)(struct format_parser *p, const char **reject);
	void (*free)(struct format_parser *p);
	const char *name;
};

/* Tells a format name from those ingest knows ("auto" included). */
bool format_known(const char *name);

/* Creates the parser for an input whose first non-blank byte is first
 * (NUL for an empty input), for format name ("auto" or "generic"). */
struct format_parser *format_open(const char *name, char first,
				  const char *input_name);

/* The generic formats. */
struct format_parser *generic_jsonl_open(void);
struct format_parser *generic_csv_open(const char *input_name);

/* Parses a status value (an HTTP code or a word) and tells whether it marks
 * a failed request. */
bool status_is_error(const char *s, size_t n);

/* Parses a decimal token count: digits only, no sign, fits in 63 bits. */
bool parse_count(const char *s, size_t n, uint64_t *out);

#endif
