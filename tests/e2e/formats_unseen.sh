#!/bin/sh
# formats_unseen.sh - every vendor log format written as its vendor or tool
# writes it but as the shared samples do not show it (details the samples
# omit, nulls, counts as strings and reals, keys reordered, unicode
# escapes, streams, error responses, batch outputs (OpenAI's Batch API,
# Anthropic's Message Batches results, Vertex AI's batch prediction
# output, the Gemini API's Batch Mode results), a background Response
# polled to its end, LangChain's Langfuse usage keys, CSV exports with
# columns reordered, quoted and empty cells, a BOM, CRLF): each request's
# tokens as shared/formats/README.md and docs/FORMATS.md count them,
# priced from shared/pricing-sources alone (tests/formats_unseen.py),
# against report --format json by provider and model, to the micro-dollar.
. "$(dirname "$0")/common.inc"
sources=${PRICING_SOURCES:-$root/../shared/pricing-sources}
[ -d "$sources" ] || fail "no pricing sources at $sources (set PRICING_SOURCES)"

"$PYTHON" "$root/tests/formats_unseen.py" --burnrate "$BURNRATE" \
	--sources "$sources" --work "$tmp/all" >"$tmp/all.out" ||
	fail "formats read otherwise than documented: $(cat "$tmp/all.out")"
grep -q '^6[0-9] rows in 18 files, 0 disagree$' "$tmp/all.out" ||
	fail "too few rows compared: $(cat "$tmp/all.out")"

# The comparison sees a wrong figure: the oracle's own gpt-4o at $3/$10
# disagrees in the OpenAI chat log and the Langfuse export (and nowhere
# else: its Helicone requests carry their logged cost).
if "$PYTHON" "$root/tests/formats_unseen.py" --burnrate "$BURNRATE" --sources "$sources" \
	--work "$tmp/control" --override gpt-4o-2024-08-06=3/10 >"$tmp/control.out"; then
	fail "a wrong gpt-4o price passed: $(cat "$tmp/control.out")"
fi
for f in openai_chat.jsonl langfuse.csv; do
	grep -q "^$f openai/gpt-4o-2024-08-06 cost_usd: got " "$tmp/control.out" ||
		fail "the $f row of gpt-4o is not named: $(cat "$tmp/control.out")"
done
[ "$(grep -c 'cost_usd' "$tmp/control.out")" -eq 2 ] ||
	fail "a wrong gpt-4o price disagreed elsewhere: $(cat "$tmp/control.out")"

# --map timestamp stands in for a format's own time: a Message Batches
# result (which holds none) and an envelope without logged_at are read
# with the mapped one, and rejected when it is missing too. They were
# rejected for the format's own ("missing timestamp"), the map unread.
cat >"$tmp/maptime.jsonl" <<'LOG'
{"custom_id":"r1","ended_at":"2025-10-04T12:00:00Z","result":{"type":"succeeded","message":{"id":"msg_m1","type":"message","model":"claude-sonnet-4-5-20250929","usage":{"input_tokens":10,"output_tokens":5}}}}
{"ended_at":"2025-10-04T12:00:01Z","response":{"type":"message","id":"msg_m2","model":"claude-sonnet-4-5-20250929","usage":{"input_tokens":10,"output_tokens":5}}}
{"custom_id":"r3","logged_at":"2025-10-04T12:00:02Z","result":{"type":"succeeded","message":{"id":"msg_m3","type":"message","model":"claude-sonnet-4-5-20250929","usage":{"input_tokens":10,"output_tokens":5}}}}
LOG
# maptime NAME FIELD LINE DAY ROW: $tmp/NAME.jsonl ingested with --map
# timestamp=FIELD: only line LINE rejected, for its missing FIELD, and
# the day DAY by provider beginning with ROW.
maptime() {
	"$BURNRATE" --quiet --store "$tmp/$1" init
	"$BURNRATE" --quiet --store "$tmp/$1" ingest --map timestamp="$2" \
		--rejects "$tmp/$1.rej" "$tmp/$1.jsonl" ||
		fail "ingest of $1.jsonl with --map timestamp failed"
	grep -q "$1.jsonl:$3: missing $2 (--map timestamp)" "$tmp/$1.rej" &&
		[ "$(wc -l <"$tmp/$1.rej")" -eq 1 ] ||
		fail "--map timestamp rejects ($1): $(cat "$tmp/$1.rej")"
	"$BURNRATE" --store "$tmp/$1" report --since "$4" --until "$4" \
		--as-of 2025-12-31 --by provider --format csv >"$tmp/$1.csv"
	grep -q "^$5" "$tmp/$1.csv" ||
		fail "--map timestamp ($1): $(cat "$tmp/$1.csv")"
}
maptime maptime ended_at 3 2025-10-04 'anthropic,2,0,20,10,'

# So does it for a Gemini API Batch Mode result, which holds no time
# either: read at the batch tier (gemini-3.1-pro-preview's batch rate,
# $1/$6, half the standard $2/$12), rejected by name without one.
cat >"$tmp/maptime_g.jsonl" <<'LOG'
{"key":"request-1","endTime":"2025-10-05T12:00:00Z","response":{"candidates":[],"usageMetadata":{"promptTokenCount":100000,"candidatesTokenCount":10000,"totalTokenCount":110000},"modelVersion":"gemini-3.1-pro-preview","responseId":"gm1"}}
{"key":"request-2","response":{"candidates":[],"usageMetadata":{"promptTokenCount":10,"candidatesTokenCount":1,"totalTokenCount":11},"modelVersion":"gemini-3.1-pro-preview","responseId":"gm2"}}
LOG
maptime maptime_g endTime 2 2025-10-05 'google,1,0,100000,10000,0,0,0,0,0.160000,0'
