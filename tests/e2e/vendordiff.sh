#!/bin/sh
# vendordiff.sh - the vendor formats against independent computations:
# 1. an envelope's epoch number (logged_at / timestamp of the Anthropic,
#    OpenAI and Gemini envelopes: seconds, milliseconds above 1e11, a
#    fraction) is the instant the generic format reads from the same
#    number (docs/FORMATS.md: one timestamp parser for every format); it
#    was rejected unless an integer of seconds ("expected RFC 3339 text or
#    epoch seconds" for 1756684799123);
# 2. tests/vendordiff.py, a seeded random differential of the vendor
#    formats priced from shared/pricing-sources (not data/catalog.csv),
#    in random time zones, with streams, copies, backfills, prices files,
#    budgets and the XLSX sheets.
. "$(dirname "$0")/common.inc"
cd "$tmp"

# 1. Each instant once in the generic format and once in an envelope of
# each format that reads the envelope's time, under the same agent: every
# agent must have its three requests on the one UTC day its number names
# (1756684799999 is 23:59:59.999Z, 1756684800000 midnight; 1756684799.9995
# stays on 2025-08-31, as its microseconds are cut, not rounded; so does
# 1756684799.9999999, read from its text: its double is 1756684800, which
# put it on 2025-09-01 in an envelope).
"$BURNRATE" --store s init --timezone UTC >/dev/null
n=0
: >g.jsonl
: >a.jsonl
: >m.jsonl
for ts in 1756684799 1756684799123 1756684799999 1756684800000 \
	1756684799.5 1756684799.9995 1.7566848e9 1756684800.25 \
	1756684799999.9 1756684799.9999999; do
	n=$((n + 1))
	printf '{"timestamp":%s,"provider":"anthropic","model":"claude-sonnet-4-5","agent":"t%d","request_id":"g%d","usage":{"input_tokens":1000,"output_tokens":10}}\n' \
		"$ts" "$n" "$n" >>g.jsonl
	printf '{"logged_at":%s,"agent":"t%d","http_status":200,"request_id":"a%d","response":{"id":"msg_%d","type":"message","model":"claude-sonnet-4-5","usage":{"input_tokens":1000,"output_tokens":10}}}\n' \
		"$ts" "$n" "$n" "$n" >>a.jsonl
	printf '{"timestamp":%s,"agent":"t%d","api":"gemini","http_status":200,"response":{"usageMetadata":{"promptTokenCount":1000,"candidatesTokenCount":10},"modelVersion":"gemini-2.5-pro","responseId":"r%d"}}\n' \
		"$ts" "$n" "$n" >>m.jsonl
done
"$BURNRATE" --store s --quiet ingest --rejects rej g.jsonl a.jsonl m.jsonl
[ ! -s rej ] || fail "epoch numbers rejected: $(cat rej)"
"$BURNRATE" --store s report --since 2025-08-01 --until 2025-09-30 \
	--as-of 2025-09-30 --by day,agent,provider --format csv >r.csv
"$PYTHON" - r.csv "$n" <<'EOF' || fail "an envelope's epoch number is not the generic format's instant: $(cat r.csv)"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
days = {}
for r in rows:
    days.setdefault(r["agent"], {}).setdefault(r["day"], 0)
    days[r["agent"]][r["day"]] += int(r["requests"])
want = {"t1": "2025-08-31", "t2": "2025-08-31", "t3": "2025-08-31",
        "t4": "2025-09-01", "t5": "2025-08-31", "t6": "2025-08-31",
        "t7": "2025-09-01", "t8": "2025-09-01", "t9": "2025-08-31",
        "t10": "2025-08-31"}
ok = len(days) == int(sys.argv[2])
for agent, day in want.items():
    # three requests (generic, anthropic, gemini), all on the same day
    if days.get(agent) != {day: 3}:
        print(agent, days.get(agent), "want", {day: 3}, file=sys.stderr)
        ok = False
sys.exit(0 if ok else 1)
EOF

# A number that is no instant is still rejected, naming it, for the
# reason the generic format gives (its text read by the same parser).
printf '{"logged_at":1e300,"agent":"x","http_status":200,"request_id":"z1","response":{"id":"msg_z1","type":"message","model":"claude-sonnet-4-5","usage":{"input_tokens":1,"output_tokens":1}}}\n' >bad.jsonl
printf '{"timestamp":1e300,"provider":"anthropic","model":"claude-sonnet-4-5","usage":{"input_tokens":1,"output_tokens":1}}\n' >badg.jsonl
"$BURNRATE" --store s --quiet ingest --rejects rej2 bad.jsonl
"$BURNRATE" --store s --quiet ingest --rejects rej2g badg.jsonl
why=$(sed -n 's/^badg.jsonl:1: invalid timestamp .1e300.: \([^:]*\):.*/\1/p' rej2g)
[ -n "$why" ] && grep -qF "invalid timestamp logged_at 1e300: $why:" rej2 ||
	fail "1e300 as logged_at: $(cat rej2)"

# 1b. An envelope's http_status tells a failed request as the generic
# format's status does (a number >= 400, 503.0 too; a string of digits
# >= 400 or error/failed/failure; not a bool): "503" and 503.0 were not
# errors in an envelope, only the integer 503; 399.99999999999999999 was
# one (its double is 400), and is below 400 in its text, as generic reads it.
"$BURNRATE" --store st init >/dev/null
: >gs.jsonl
: >as.jsonl
: >ms.jsonl
n=0
for st in 503 503.0 '"503"' '"0404"' '"Failure"' 200 '"200"' '"503.0"' true null \
	399.99999999999999999; do
	n=$((n + 1))
	printf '{"timestamp":"2025-09-01T10:00:00Z","provider":"anthropic","model":"claude-sonnet-4-5","agent":"s%d","request_id":"g%d","status":%s,"usage":{"input_tokens":10,"output_tokens":1}}\n' \
		"$n" "$n" "$st" >>gs.jsonl
	printf '{"logged_at":"2025-09-01T10:00:00Z","agent":"s%d","http_status":%s,"request_id":"a%d","response":{"id":"msg_%d","type":"message","model":"claude-sonnet-4-5","usage":{"input_tokens":10,"output_tokens":1}}}\n' \
		"$n" "$st" "$n" "$n" >>as.jsonl
	printf '{"logged_at":"2025-09-01T10:00:00Z","agent":"s%d","api":"gemini","http_status":%s,"response":{"usageMetadata":{"promptTokenCount":10,"candidatesTokenCount":1},"modelVersion":"gemini-2.5-pro","responseId":"r%d"}}\n' \
		"$n" "$st" "$n" >>ms.jsonl
done
"$BURNRATE" --store st --quiet ingest --rejects rejst gs.jsonl as.jsonl ms.jsonl
[ ! -s rejst ] || fail "statuses rejected: $(cat rejst)"
"$BURNRATE" --store st report --since 2025-09-01 --until 2025-09-01 \
	--as-of 2025-09-01 --by agent --format csv >st.csv
"$PYTHON" - st.csv <<'EOF' || fail "an envelope's http_status is not the generic format's status: $(cat st.csv)"
import csv, sys
# s1..s5 failed (three requests each: generic, anthropic, gemini), the rest not
want = {"s%d" % i: 3 if i <= 5 else 0 for i in range(1, 12)}
got = {r["agent"]: int(r["errors"]) for r in csv.DictReader(open(sys.argv[1]))}
if got != want:
    print(got, "want", want, file=sys.stderr)
    sys.exit(1)
EOF

# 1c. A record without a type in an Anthropic log (a Gemini response, a
# message stripped of its type) is rejected, as the OpenAI, Gemini and
# Bedrock readers reject records of another shape; it was skipped as a
# stream event, its tokens lost without a word.
"$BURNRATE" --store sa init >/dev/null
printf '%s\n' \
	'{"logged_at":"2025-09-01T10:00:00Z","agent":"a","http_status":200,"request_id":"q1","response":{"id":"msg_q1","type":"message","model":"claude-sonnet-4-5","usage":{"input_tokens":10,"output_tokens":1}}}' \
	'{"logged_at":"2025-09-01T10:00:00Z","agent":"b","api":"gemini","http_status":200,"response":{"usageMetadata":{"promptTokenCount":10,"candidatesTokenCount":1},"modelVersion":"gemini-2.5-pro","responseId":"q2"}}' \
	'{"logged_at":"2025-09-01T10:00:00Z","agent":"c","http_status":200,"request_id":"q3","response":{"id":"msg_q3","model":"claude-sonnet-4-5","usage":{"input_tokens":10,"output_tokens":1}}}' \
	'{"logged_at":"2025-09-01T10:00:00Z","agent":"d","http_status":200,"request_id":"q4","event":{"type":"ping"}}' \
	>an.jsonl
"$BURNRATE" --store sa --quiet ingest --rejects rejan an.jsonl 2>/dev/null
[ "$(grep -c 'not an Anthropic record (no type' rejan)" = 2 ] ||
	fail "typeless records in an Anthropic log: $(cat rejan)"
grep -q '^an.jsonl:2:' rejan && grep -q '^an.jsonl:3:' rejan ||
	fail "typeless records in an Anthropic log: $(cat rejan)"

# 1d. Claude Code's label is the last component of cwd, a Windows one
# too (C:\Users\dana\src\winproj is winproj): it was the whole path.
"$BURNRATE" --store sc init >/dev/null
for c in '/home/dana/src/proj/' 'C:\\Users\\dana\\src\\winproj' 'C:\\Users\\dana\\winproj\\'; do
	printf '{"sessionId":"s","cwd":"%s","timestamp":"2025-09-01T10:00:00.000Z","requestId":"r-%s","type":"assistant","message":{"id":"m-%s","model":"claude-sonnet-4-5","usage":{"input_tokens":10,"output_tokens":1}}}\n' \
		"$c" "$c" "$c"
done >cc.jsonl
"$BURNRATE" --store sc --quiet ingest cc.jsonl
"$BURNRATE" --store sc report --since 2025-09-01 --until 2025-09-01 \
	--as-of 2025-09-01 --by label --format csv | cut -d, -f1,2 >cc.csv
printf 'label,requests\nproj,1\nwinproj,2\n' | cmp -s - cc.csv ||
	fail "Claude Code labels of Windows paths: $(cat cc.csv)"

# 1e. A Bedrock log's agent, without requestMetadata.agent, is the role or
# user name of identity.arn: an IAM user created under a path
# (user/division/team/dana) is dana, was division; a federated user too.
"$BURNRATE" --store sb init >/dev/null
i=0
for arn in 'arn:aws:sts::123456789012:assumed-role/triage-task/1f0c9a4e' \
	'arn:aws:iam::123456789012:user/dana' \
	'arn:aws:iam::123456789012:user/division/team/erin' \
	'arn:aws:sts::123456789012:federated-user/fred'; do
	i=$((i + 1))
	printf '{"schemaType":"ModelInvocationLog","schemaVersion":"1.0","timestamp":"2025-09-01T10:00:00Z","identity":{"arn":"%s"},"requestId":"b%d","modelId":"anthropic.claude-3-haiku-20240307-v1:0","input":{"inputTokenCount":10},"output":{"outputTokenCount":1}}\n' \
		"$arn" "$i"
done >bd.jsonl
"$BURNRATE" --store sb --quiet ingest bd.jsonl
"$BURNRATE" --store sb report --since 2025-09-01 --until 2025-09-01 \
	--as-of 2025-09-01 --by agent --format csv | cut -d, -f1,2 >bd.csv
printf 'agent,requests\ndana,1\nerin,1\nfred,1\ntriage-task,1\n' | cmp -s - bd.csv ||
	fail "Bedrock agents of IAM ARNs: $(cat bd.csv)"

# 2. The random differential (deterministic: the same seeds each run).
SOURCES=$root/../shared/pricing-sources
[ -f "$SOURCES/genai_prices_data.json" ] || SOURCES=/work/shared/pricing-sources
[ -f "$SOURCES/genai_prices_data.json" ] || fail "no pricing sources at $SOURCES"
export SOURCES BURNRATE
"$PYTHON" "$root/tests/vendordiff.py" --seed 1 --cases 25 --records 80 ||
	fail "tests/vendordiff.py found differences"
echo "vendordiff: all checks passed"
