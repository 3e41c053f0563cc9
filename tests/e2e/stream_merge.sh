#!/bin/sh
# stream_merge.sh - an Anthropic stream's message_delta carries
# cache_creation_input_tokens (cumulative, both TTLs) but not
# message_start's 5m/1h breakdown (anthropic-sdk-python
# types/message_delta_usage.py): merged, the 1-hour writes count once.
. "$(dirname "$0")/common.inc"
cd "$tmp"
cat >s.jsonl <<'LOG'
{"logged_at":"2025-09-01T11:00:00Z","request_id":"req_s1","event":{"type":"message_start","message":{"id":"msg_s1","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[],"usage":{"input_tokens":100,"cache_creation_input_tokens":10000,"cache_read_input_tokens":0,"cache_creation":{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":10000},"output_tokens":1}}}}
{"logged_at":"2025-09-01T11:00:05Z","request_id":"req_s1","event":{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"input_tokens":100,"cache_creation_input_tokens":10000,"cache_read_input_tokens":0,"output_tokens":500}}}
{"logged_at":"2025-09-01T12:00:00Z","request_id":"req_s2","event":{"type":"message_start","message":{"id":"msg_s2","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[],"usage":{"input_tokens":10,"cache_creation_input_tokens":3000,"cache_read_input_tokens":0,"cache_creation":{"ephemeral_5m_input_tokens":1000,"ephemeral_1h_input_tokens":2000},"output_tokens":1}}}}
{"logged_at":"2025-09-01T12:00:05Z","request_id":"req_s2","event":{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"input_tokens":10,"cache_creation_input_tokens":3000,"cache_read_input_tokens":0,"output_tokens":20}}}
LOG
"$BURNRATE" --store s ingest s.jsonl >/dev/null 2>&1 || fail "ingest exited $?"
"$BURNRATE" --store s report --as-of 2099-01-01 --by model --format json --output r.json
# req_s1: 100 x $3 + 500 x $15 + 10000 x $6 (1h) = $0.0678
# req_s2: 10 x $3 + 20 x $15 + 1000 x $3.75 + 2000 x $6 = $0.01608
"$PYTHON" - r.json <<'PY' || fail "1-hour cache writes of a stream counted twice"
import json, sys
t = json.load(open(sys.argv[1]))["totals"]
ok = (t["cache_write_tokens"] == 13000 and t["cache_write_1h_tokens"] == 12000
      and abs(t["cost_usd"] - 0.08388) < 1e-9)
print(t) if not ok else None
sys.exit(0 if ok else 1)
PY
# A Gemini/Vertex stream whose first chunk has content but no
# usageMetadata (usage on the last chunk only): one request, not failed.
cat >g.jsonl <<'LOG'
{"logged_at":"2025-09-01T10:00:00Z","api":"vertex","response":{"candidates":[{"content":{"role":"model","parts":[{"text":"Hel"}]}}],"modelVersion":"gemini-2.5-flash","createTime":"2025-09-01T10:00:00.123456Z","responseId":"r1"}}
{"logged_at":"2025-09-01T10:00:01Z","api":"vertex","response":{"candidates":[{"content":{"role":"model","parts":[{"text":"lo"}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":100,"candidatesTokenCount":10,"totalTokenCount":110},"modelVersion":"gemini-2.5-flash","createTime":"2025-09-01T10:00:00.123456Z","responseId":"r1"}}
{"logged_at":"2025-09-01T10:00:02Z","api":"vertex","http_status":429,"response":{"error":{"code":429,"message":"Resource exhausted","status":"RESOURCE_EXHAUSTED"}}}
LOG
"$BURNRATE" --store g ingest g.jsonl >/dev/null 2>&1 || fail "ingest exited $?"
"$BURNRATE" --store g report --as-of 2099-01-01 --by model --format json --output g.json
"$PYTHON" - g.json <<'PY' || fail "a stream chunk without usageMetadata made its request failed"
import json, sys
t = json.load(open(sys.argv[1]))["totals"]
sys.exit(0 if t["requests"] == 2 and t["errors"] == 1 else (print(t), 1)[1])
PY
