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
"$BURNRATE" --quiet --store "$tmp/maptime" init
"$BURNRATE" --quiet --store "$tmp/maptime" ingest --map timestamp=ended_at \
	--rejects "$tmp/maptime.rej" "$tmp/maptime.jsonl" ||
	fail "ingest with --map timestamp failed"
grep -q "maptime.jsonl:3: missing ended_at (--map timestamp)" "$tmp/maptime.rej" &&
	[ "$(wc -l <"$tmp/maptime.rej")" -eq 1 ] ||
	fail "--map timestamp rejects: $(cat "$tmp/maptime.rej")"
"$BURNRATE" --store "$tmp/maptime" report --since 2025-10-04 --until 2025-10-04 \
	--as-of 2025-12-31 --by provider --format csv >"$tmp/maptime.csv"
grep -q '^anthropic,2,0,20,10,' "$tmp/maptime.csv" ||
	fail "--map timestamp: $(cat "$tmp/maptime.csv")"

# So does it for a Gemini API Batch Mode result, which holds no time
# either: read at the batch tier (gemini-3.1-pro-preview's batch rate,
# $1/$6, half the standard $2/$12), rejected by name without one.
cat >"$tmp/maptime_g.jsonl" <<'LOG'
{"key":"request-1","endTime":"2025-10-05T12:00:00Z","response":{"candidates":[],"usageMetadata":{"promptTokenCount":100000,"candidatesTokenCount":10000,"totalTokenCount":110000},"modelVersion":"gemini-3.1-pro-preview","responseId":"gm1"}}
{"key":"request-2","response":{"candidates":[],"usageMetadata":{"promptTokenCount":10,"candidatesTokenCount":1,"totalTokenCount":11},"modelVersion":"gemini-3.1-pro-preview","responseId":"gm2"}}
LOG
"$BURNRATE" --quiet --store "$tmp/maptime_g" init
"$BURNRATE" --quiet --store "$tmp/maptime_g" ingest --map timestamp=endTime \
	--rejects "$tmp/maptime_g.rej" "$tmp/maptime_g.jsonl" ||
	fail "ingest of a Gemini batch with --map timestamp failed"
grep -q "maptime_g.jsonl:2: missing endTime (--map timestamp)" "$tmp/maptime_g.rej" &&
	[ "$(wc -l <"$tmp/maptime_g.rej")" -eq 1 ] ||
	fail "--map timestamp rejects (Gemini batch): $(cat "$tmp/maptime_g.rej")"
"$BURNRATE" --store "$tmp/maptime_g" report --since 2025-10-05 --until 2025-10-05 \
	--as-of 2025-12-31 --by provider --format csv >"$tmp/maptime_g.csv"
grep -q '^google,1,0,100000,10000,0,0,0,0,0.160000,0' "$tmp/maptime_g.csv" ||
	fail "--map timestamp (Gemini batch): $(cat "$tmp/maptime_g.csv")"
