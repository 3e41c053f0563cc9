/* fuzz_formats.c - every log format's mapping (ingest/formats.c,
 * generic.c): format detection and each format's line parser, with and
 * without --map, over the lines of the input, as ingest feeds them. The
 * first byte picks the format and the maps. */
#include "fuzz/fuzz.h"

static const char *const formats[] = {
	"auto", "generic", "openai", "anthropic", "gemini", "bedrock",
	"claude-code", "openai-usage", "litellm", "helicone", "langfuse"};
#define NFORMATS (sizeof formats / sizeof formats[0])

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	struct format_maps maps = {0};
	if (data[0] & 0x80) {
		/* JSON paths, a CSV column, and a path inside a JSON column. */
		maps.path[CANON_LABEL] = "metadata.team";
		maps.path[CANON_AGENT] = "a.b.c.d";
		maps.path[CANON_INPUT] = "usage.prompt";
		maps.path[CANON_TIMESTAMP] = "ts";
		maps.path[CANON_REQUEST_ID] = "meta.id";
		maps.path[CANON_COST] = "cost";
	}
	fuzz_format_lines(formats[(data[0] & 0x7f) % NFORMATS],
			  data[0] & 0x80 ? &maps : NULL, data + 1, size - 1);
	return 0;
}
