#!/bin/sh
# claude_code.sh - Claude Code session lines that ccusage's schema lets
# through but burnrate's contract (DESIGN §3) rejects, at their file and
# line, without counting any of their tokens; and the Anthropic API's
# message without a model.
. "$(dirname "$0")/common.inc"
cd "$tmp"
mkdir -p cc/projects/-home-dana-api
line='{"cwd":"/home/dana/api","sessionId":"s1","type":"assistant","timestamp":"2025-10-01T10:00:0%s.000Z","requestId":"r%s","message":{"id":"m%s",%s"usage":{"input_tokens":100,"output_tokens":50}}}\n'
{
	printf "$line" 1 1 1 '"model":"claude-sonnet-4-5-20250929",'
	printf "$line" 2 2 2 ''
	printf "$line" 3 3 3 '"model":null,'
	printf "$line" 4 4 4 '"model":"",'
} >cc/projects/-home-dana-api/s1.jsonl
# A message with usage and no model (absent, null or empty) was held as
# a copy of a streamed message, which skipped the check of a missing
# model: it counted as an unpriced "unknown" request of 100 + 50 tokens.
"$BURNRATE" --quiet --store s ingest --rejects rej.txt cc ||
	fail "ingest exited $?"
for n in 2 3 4; do
	grep -q "^cc/projects/-home-dana-api/s1.jsonl:$n: missing model: " rej.txt ||
		fail "line $n (no model) is not rejected: $(cat rej.txt)"
done
"$BURNRATE" --store s report --by model --as-of 2099-12-31 --format csv --output r.csv ||
	fail "report exited $?"
grep -q '^claude-sonnet-4-5-20250929,1,0,100,50,' r.csv && [ "$(wc -l <r.csv)" -eq 2 ] ||
	fail "the report counts more than the one message with a model: $(cat r.csv)"
# --map model=PATH names it: the line is kept.
"$BURNRATE" --quiet --store m ingest --map model=type --rejects rej2.txt cc ||
	fail "ingest --map model=type exited $?"
[ ! -s rej2.txt ] || fail "a model given by --map is still missing: $(cat rej2.txt)"
# The same for the Anthropic API's whole message (type message): one
# without a model was a request of model "unknown"; a message_delta,
# which names none, still counts with its stream.
printf '%s\n' '{"type":"message","id":"msg_1","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[],"usage":{"input_tokens":10,"output_tokens":5},"logged_at":"2025-10-01T00:00:00Z"}' \
	'{"type":"message","id":"msg_2","role":"assistant","content":[],"usage":{"input_tokens":10,"output_tokens":5},"logged_at":"2025-10-01T00:00:00Z"}' >api.jsonl
"$BURNRATE" --quiet --store a ingest --rejects rej3.txt api.jsonl || fail "ingest api.jsonl exited $?"
grep -q '^api.jsonl:2: missing model: ' rej3.txt && [ "$(wc -l <rej3.txt)" -eq 1 ] ||
	fail "an Anthropic message without a model: $(cat rej3.txt)"
echo "claude_code: all checks passed"
