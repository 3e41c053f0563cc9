#!/bin/sh
# hostile.sh - hostile records of the vendor formats (helper 197's audit of
# bad input): each is rejected, named in the rejects with its file and
# line, and the totals are those of the good records alone, exactly.
. "$(dirname "$0")/common.inc"
cd "$tmp"
br() { "$BURNRATE" --store "$tmp/store" "$@"; }
# totals FILE: "requests input output cost" of a fresh store of FILE,
# its rejects in rej.txt.
totals() {
	rm -rf store
	br init >/dev/null
	br --quiet ingest --rejects rej.txt "$1" >/dev/null 2>err.txt ||
		fail "ingest $1: exit $?: $(cat err.txt)"
	br report --since 2000-01-01 --until 2099-12-31 --as-of 2099-12-31 \
		--format json | "$PYTHON" -c '
import json, sys
t = json.load(sys.stdin)["totals"]
print(t["requests"], t["input_tokens"], t["output_tokens"], t["cost_usd"])'
}

# A successful Anthropic Message and a Gemini response without a model
# (DESIGN §3: a missing model rejects the record) were counted as
# unpriced requests of model "unknown", their tokens in the totals.
# rejected_for GOOD BAD REASON: the input of GOOD and then BAD counts
# GOOD's totals alone, BAD rejected on line 2 for REASON.
rejected_for() {
	printf '%s\n%s\n' "$1" "$2" >two.jsonl
	printf '%s\n' "$1" >one.jsonl
	[ "$(totals two.jsonl)" = "$(totals one.jsonl)" ] ||
		fail "a record of $3 is counted: $2: $(totals two.jsonl)"
	totals two.jsonl >/dev/null
	grep -q "^two.jsonl:2: $3: " rej.txt ||
		fail "a record of $3 is not rejected so: $2: $(cat rej.txt)"
}
good_a='{"logged_at":"2025-09-01T10:00:00Z","request_id":"a1","response":{"id":"msg_1","type":"message","model":"claude-sonnet-4-20250514","usage":{"input_tokens":1000,"output_tokens":100}}}'
good_g='{"logged_at":"2025-09-01T10:00:00Z","response":{"responseId":"g1","modelVersion":"gemini-2.5-flash","usageMetadata":{"promptTokenCount":1000,"candidatesTokenCount":100}}}'
rejected_for "$good_a" '{"logged_at":"2025-09-01T11:00:00Z","request_id":"a2","response":{"id":"msg_2","type":"message","usage":{"input_tokens":7,"output_tokens":7}}}' 'missing model'
rejected_for "$good_a" '{"logged_at":"2025-09-01T11:00:00Z","request_id":"a2","response":{"id":"msg_2","type":"message","model":null,"usage":{"input_tokens":7,"output_tokens":7}}}' 'missing model'
rejected_for "$good_a" '{"logged_at":"2025-09-01T11:00:00Z","request_id":"a2","event":{"type":"message_start","message":{"id":"msg_2","type":"message","model":12,"usage":{"input_tokens":7,"output_tokens":7}}}}' 'missing model'
rejected_for "$good_g" '{"logged_at":"2025-09-01T11:00:00Z","response":{"responseId":"g2","usageMetadata":{"promptTokenCount":7,"candidatesTokenCount":7}}}' 'missing model'
rejected_for "$good_g" '{"logged_at":"2025-09-01T11:00:00Z","response":{"responseId":"g2","modelVersion":null,"usageMetadata":{"promptTokenCount":7,"candidatesTokenCount":7}}}' 'missing model'
printf '%s\n' "$good_g" >g-good.jsonl
# The later pieces of a stream whose message_start was rejected (missing
# model, a token count beyond a record's): each is rejected at its line,
# naming why; its message_delta was counted alone, an unpriced request
# of model unknown (with an id: its own, the envelope's, or an id-less one
# joining the rejected start). An error event of that stream likewise; a
# stream after it counts.
start='{"logged_at":"2025-09-01T11:00:00Z",%s"event":{"type":"message_start","message":{"id":"msg_%s","type":"message",%s"usage":{"input_tokens":%s,"output_tokens":1}}}}\n'
delta='{"logged_at":"2025-09-01T11:00:01Z",%s"event":{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":%s}}}\n'
stop='{"logged_at":"2025-09-01T11:00:02Z","event":{"type":"message_stop"}}\n'
model='"model":"claude-sonnet-4-20250514",'
{
	printf '%s\n' "$good_a"
	printf "$start" '"request_id":"s1",' 2 "" 7; printf "$delta" '"request_id":"s1",' 500
	printf "$start" "" 3 "" 7; printf "$delta" "" 500
	printf '%s\n' '{"logged_at":"2025-09-01T11:00:01Z","event":{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}}'
	printf "$start" "" 4 '"model":"",' 7; printf "$delta" "" 500; printf "$stop"
	printf "$start" "" 5 "$model" 9000000000000000000; printf "$delta" "" 500; printf "$stop"
	printf "$start" "" 6 "$model" 1000; printf "$delta" "" 100; printf "$stop"
} >streams.jsonl
printf '%s\n' "$good_a" "$good_a" | sed '2s/"a1"/"a6"/' >streams-good.jsonl
[ "$(totals streams.jsonl)" = "$(totals streams-good.jsonl)" ] ||
	fail "a stream whose message_start was rejected counts: $(totals streams.jsonl), want $(totals streams-good.jsonl)"
totals streams.jsonl >/dev/null
for line in 3 5 6 8 11; do
	grep -q "^streams.jsonl:$line: its stream's message_start was rejected: " rej.txt ||
		fail "line $line of streams.jsonl, a piece of a rejected stream, is not rejected so: $(cat rej.txt)"
done
[ "$(wc -l <rej.txt)" -eq 9 ] || fail "streams.jsonl: 9 rejects expected: $(cat rej.txt)"

# A usage that is neither an object nor null (a string, a number, an
# array) rejects its record, as the generic format rejects it: the
# request counted no tokens, $0, unseen.
rejected_for "$good_a" '{"logged_at":"2025-09-01T11:00:00Z","request_id":"a2","response":{"id":"msg_2","type":"message","model":"claude-sonnet-4-20250514","usage":"7"}}' 'invalid usage: not an object'
rejected_for "$good_g" '{"logged_at":"2025-09-01T11:00:00Z","response":{"responseId":"g2","modelVersion":"gemini-2.5-flash","usageMetadata":[7]}}' 'invalid usageMetadata: not an object'
rejected_for '{"id":"c1","object":"chat.completion","created":1759320000,"model":"gpt-4o","usage":{"prompt_tokens":1000,"completion_tokens":100}}' \
	'{"id":"c2","object":"chat.completion","created":1759320000,"model":"gpt-4o","usage":12}' 'invalid usage: not an object'
rejected_for '{"schemaType":"ModelInvocationLog","timestamp":"2025-10-01T12:00:00Z","requestId":"b1","modelId":"anthropic.claude-3-haiku-20240307-v1:0","input":{"inputTokenCount":1000},"output":{"outputTokenCount":100}}' \
	'{"schemaType":"ModelInvocationLog","timestamp":"2025-10-01T12:00:00Z","requestId":"b2","modelId":"anthropic.claude-3-haiku-20240307-v1:0","input":"1000","output":{"outputTokenCount":100}}' 'invalid input: not an object'
# A failed request names no model, and is still one (an error, no tokens).
printf '%s\n%s\n' "$good_g" '{"logged_at":"2025-09-01T11:00:00Z","http_status":429,"response":{"error":{"code":429,"message":"quota","status":"RESOURCE_EXHAUSTED"}}}' >g.jsonl
[ "$(totals g.jsonl)" = "2 1000 100 $(totals g-good.jsonl | cut -d' ' -f4)" ] ||
	fail "a failed gemini request: $(totals g.jsonl)"

# A CSV quote still open at the end of a file, past a line end (a stray
# quote, which takes every line after it), waits for the next run as a
# row being written does: the warning names the file and the line it
# opened on, where only "1 partial last line left for the next run" said
# it, the lines after it never counted if the log grows no more.
H=timestamp,provider,model,agent,request_id,status,input_tokens,output_tokens,cache_read_tokens,cache_write_tokens,reasoning_tokens,cost_usd
printf '%s\n%s\n%s\n' $H '2025-10-01T12:00:00Z,openai,gpt-4o,"a,r2,200,5,5,0,0,0,' \
	'2025-10-01T12:00:00Z,openai,gpt-4o,a,r1,200,1000,100,0,0,0,' >stray.csv
rm -rf store
br init >/dev/null
br ingest stray.csv >out.txt 2>err.txt || fail "stray.csv: exit $?: $(cat err.txt)"
grep -q '^burnrate: warning: stray.csv:2: a quoted field opened in this record is still open at the end of the input (2 lines): not counted' err.txt ||
	fail "a stray CSV quote is not named: $(cat err.txt out.txt)"
# A row cut short mid-write, no line end after its quote, waits unnamed.
printf '%s\n%s' $H '2025-10-01T12:00:00Z,openai,gpt-4o,"a,r2,200,5,5,0,0,0,' >partial.csv
br ingest partial.csv >out.txt 2>err.txt || fail "partial.csv: exit $?: $(cat err.txt)"
[ ! -s err.txt ] || fail "a partial last row warns: $(cat err.txt)"

# A first record that is not valid JSON (a byte of invalid UTF-8 in a
# name) says where and why, not only that its format cannot be told.
rec='{"timestamp":"2025-10-01T12:00:00Z","provider":"openai","model":"gpt-4o","agent":"a%bb","request_id":"%s","usage":{"input_tokens":1000}}\n'
{ printf "$rec" '\377' u1; printf "$rec" '' u2; } >utf8.jsonl
br ingest --rejects rej.txt utf8.jsonl >out.txt 2>err.txt || fail "utf8.jsonl: exit $?: $(cat err.txt)"
grep -q "^utf8.jsonl:1: cannot tell the log format from it: invalid JSON at byte 84: unable to decode byte 0xff" rej.txt ||
	fail "an invalid first record's reason: $(cat rej.txt)"

# A CSV header of more than 1,024 fields fails the input, named (exit 1),
# and the other inputs are ingested; it was rejected as a row, and every
# row after it too, exit 0.
"$PYTHON" -c '
cols = ",".join("c%d" % i for i in range(1100))
print("timestamp,provider,model,input_tokens," + cols)
for i in range(3):
    print("2025-10-01T12:00:00Z,openai,gpt-4o,1000," + "," * 1099)' >wide.csv
rm -rf store
br init >/dev/null
set +e
br ingest wide.csv utf8.jsonl >out.txt 2>err.txt
rc=$?
set -e
[ $rc -eq 1 ] || fail "a header of 1104 fields: exit $rc, want 1: $(cat err.txt)"
grep -qx 'burnrate: error: wide.csv:1: CSV header of more than 1024 fields' err.txt ||
	fail "a header of 1104 fields: $(cat err.txt)"
grep -q '1 requests kept' out.txt || fail "the other input: $(cat out.txt)"
echo "ok"
