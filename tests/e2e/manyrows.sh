#!/bin/sh
# manyrows.sh - an ingest whose records are groups of their own (a year of
# days times 400 agents: 146,000 rows, a 27 MB segment) holds the store's
# rows once, not three times: the segment is written to its temporary
# file as it is encoded and checked by reading that file back, never
# held whole as an image and again decoded (docs/PERFORMANCE.md, "Stop
# 46"). Its peak RSS (/usr/bin/time %M), less that of an ingest of as
# many records in one group, stays under 320 bytes a row with --jobs 1
# and 2 (the aggregate's 192-byte rows, its slots and the sort's
# indices; 600+ before: ~115 MB against ~25 MB for the same records in
# one row). The report of every row then matches a reference summed in
# Python from the log (requests, tokens, logged costs to the
# micro-dollar), the store verifies, and a second run of report in the
# same process as the ingest (`run` reads back the rows the ingest did
# not keep) gives the same totals.
. "$(dirname "$0")/common.inc"
cd "$tmp"
[ -x /usr/bin/time ] || { echo "manyrows: skipped: no /usr/bin/time"; exit 0; }
if ldd "$BURNRATE" | grep -q 'libasan\|libubsan\|libtsan'; then
	echo "manyrows: skipped: $BURNRATE is built with sanitizers"
	exit 0
fi
DAYS=365 AGENTS=400
"$PYTHON" - "$DAYS" "$AGENTS" <<'EOF'
import datetime as dt, sys
days, agents = int(sys.argv[1]), int(sys.argv[2])
d0 = dt.date(2025, 1, 1)
line = ('{"timestamp":"%sT%02d:00:00Z","provider":"openai","model":"gpt-4o",'
        '"agent":"%s","label":"l%d","request_id":"r-%d","status":200,'
        '"usage":{"input_tokens":%d,"output_tokens":%d},"cost_usd":%s}\n')
with open("many.jsonl", "w") as many, open("one.jsonl", "w") as one:
    for i in range(days * agents):
        day, agent = d0 + dt.timedelta(days=i % days), "agent-%d" % (i // days)
        cost = "0.%06d" % (i % 999983 + 1)
        many.write(line % (day, i % 24, agent, i % 3, i, i % 1000, i % 300, cost))
        one.write(line % (d0, 0, "agent-0", 0, i, i % 1000, i % 300, cost))
EOF
rows=$((DAYS * AGENTS))
# peak NAME FILE JOBS: ingests FILE into a new store NAME with JOBS,
# prints its peak RSS in KB
peak() {
	rm -rf "$1"
	/usr/bin/time -f '%M' -o "$1.rss" "$BURNRATE" --quiet --store "$1" \
		ingest --cost-mode display --jobs "$3" "$2" 2>"$1.err" ||
		fail "ingest $2 --jobs $3: $(cat "$1.err")"
	tail -n 1 "$1.rss"
}
for j in 1 2; do
	base=$(peak one$j one.jsonl $j)
	many=$(peak many$j many.jsonl $j)
	# KB of the rows, as bytes a row
	per=$(( (many - base) * 1024 / rows ))
	echo "manyrows: --jobs $j: $rows rows: peak $many KB, $base KB in one row: $per bytes a row"
	[ "$per" -le 320 ] ||
		fail "--jobs $j: $per bytes of peak RSS a row ($many KB against $base KB for one row), more than 320"
	"$BURNRATE" --store many$j verify >verify.out 2>&1 || fail "verify: $(cat verify.out)"
done
"$BURNRATE" --store many2 report --by day,agent,label --format json \
	--since 2025-01-01 --as-of 2025-12-31 >many.json
"$PYTHON" - many.jsonl many.json "$rows" <<'EOF'
import json, sys
from decimal import Decimal
want = {}
for l in open(sys.argv[1]):
    r = json.loads(l, parse_float=Decimal)
    k = (r["timestamp"][:10], r["agent"], r["label"])
    w = want.setdefault(k, [0, 0, 0, Decimal(0)])
    w[0] += 1
    w[1] += r["usage"]["input_tokens"]
    w[2] += r["usage"]["output_tokens"]
    w[3] += r["cost_usd"]
rep = json.load(open(sys.argv[2]), parse_float=Decimal)
got = {(r["day"], r["agent"], r["label"]):
       [r["requests"], r["input_tokens"], r["output_tokens"], r["cost_usd"]]
       for r in rep["rows"]}
assert len(want) == int(sys.argv[3]), len(want)
if got != want:
    bad = [k for k in set(got) | set(want) if got.get(k) != want.get(k)]
    sys.exit("FAIL manyrows: %d rows differ from the log's sums, e.g. %r: %r, want %r"
             % (len(bad), bad[0], got.get(bad[0]), want.get(bad[0])))
t = rep["totals"]
tot = [sum(w[i] for w in want.values()) for i in range(4)]
if [t["requests"], t["input_tokens"], t["output_tokens"], t["cost_usd"]] != tot:
    sys.exit("FAIL manyrows: totals %r, want %r" % (t, tot))
EOF
# The same store through run: ingest, then a report that reads the rows
# the ingest did not keep in memory, in one process.
mkdir in out
cp many.jsonl in/
cat >run.conf <<EOF
store $tmp/viarun
input $tmp/in/*.jsonl
cost_mode display
reports_dir $tmp/out
report_formats json
report_schedule never
EOF
"$BURNRATE" --quiet --config run.conf run --as-of 2025-12-31 >run.out 2>&1 ||
	fail "run: $(cat run.out)"
"$BURNRATE" --store viarun report --by day,agent,label --format json \
	--since 2025-01-01 --as-of 2025-12-31 >viarun.json
"$PYTHON" -c '
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
sys.exit(0 if a["rows"] == b["rows"] and a["totals"] == b["totals"] else "differ")
' many.json viarun.json || fail "run's store reports otherwise than ingest's"
# run's report (December by day, provider and model) read the rows back
# from the segment it had just published: the same as a new process's.
"$BURNRATE" --store viarun report --month 2025-12 --as-of 2025-12-31 \
	--by day,provider,model --format json >dec.json
cmp -s dec.json out/burnrate-2025-12-31.json ||
	fail "run's report differs from report's: $(diff dec.json out/burnrate-2025-12-31.json | head -5)"
grep -q '"day":"2025-12-31"' dec.json || fail "no row of 2025-12-31: $(head -c 300 dec.json)"
echo "manyrows: ok"
