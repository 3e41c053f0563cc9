#!/bin/sh
# anthropic_count_tokens.sh - a proxy's log of every Anthropic API call holds
# the answers of POST /v1/messages/count_tokens ({"input_tokens": N}, the
# one Messages API response without a type) beside the messages: they are
# free, no request, skipped; bb24853 rejected each of them as "not an
# Anthropic record". A record without a type that has a usage or a model
# (a message stripped of its type) is still rejected.
. "$(dirname "$0")/common.inc"
cd "$tmp"
M='"model":"claude-sonnet-4-20250514","usage":{"input_tokens":100,"output_tokens":50}'
cat >log.jsonl <<JSON
{"logged_at":"2025-09-01T00:00:00Z","agent":"a","endpoint":"/v1/messages","http_status":200,"request_id":"req_0","response":{"id":"msg_0","type":"message",$M}}
{"logged_at":"2025-09-01T00:01:00Z","agent":"a","endpoint":"/v1/messages/count_tokens","http_status":200,"request_id":"req_1","response":{"input_tokens":2095}}
{"logged_at":"2025-09-01T00:02:00Z","agent":"a","endpoint":"/v1/messages/count_tokens","http_status":200,"request_id":"req_2","response":{"input_tokens":17}}
JSON
cat >stripped.jsonl <<JSON
{"logged_at":"2025-09-01T00:00:00Z","agent":"a","http_status":200,"request_id":"req_0","response":{"id":"msg_0","type":"message",$M}}
{"logged_at":"2025-09-01T00:03:00Z","agent":"a","http_status":200,"request_id":"req_3","response":{"id":"msg_3",$M}}
{"logged_at":"2025-09-01T00:04:00Z","agent":"a","http_status":200,"request_id":"req_4","response":{"input_tokens":5,"usage":{"input_tokens":5,"output_tokens":1}}}
JSON
for fmt in auto anthropic; do
	rm -rf s rej
	"$BURNRATE" --store s init >/dev/null
	"$BURNRATE" --store s --quiet ingest --format $fmt --rejects rej log.jsonl
	[ ! -s rej ] || fail "--format $fmt: count_tokens answers rejected: $(cat rej)"
	"$BURNRATE" --store s report --since 2025-09-01 --until 2025-09-01 --format csv >r.csv
	grep -q '^2025-09-01,1,' r.csv || fail "--format $fmt: want 1 request: $(cat r.csv)"
	rm -rf s rej
	"$BURNRATE" --store s init >/dev/null
	"$BURNRATE" --store s --quiet ingest --format $fmt --rejects rej stripped.jsonl
	[ "$(grep -c 'not an Anthropic record' rej)" = 2 ] ||
		fail "--format $fmt: want the 2 typeless messages rejected: $(cat rej)"
done
echo "anthropic_count_tokens: ok"
