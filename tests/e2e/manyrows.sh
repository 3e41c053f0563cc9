#!/bin/sh
# manyrows.sh - an ingest whose records are groups of their own (a year of
# days times 400 agents: 146,000 rows, a 27 MB segment) keeps a bounded
# number of rows in memory (docs/PERFORMANCE.md, "Stop 46"): past
# AGG_SPILL_ROWS (32,768) the aggregate writes its rows, sorted, as runs
# to an unlinked file in $TMPDIR, merged as the segment is written; the
# segment is written to its temporary file as it is encoded and checked
# by reading that file back, never held whole. Its peak RSS
# (/usr/bin/time %M), less that of an ingest of as many records in one
# group, stays under 12 MiB with --jobs 1 (7 MiB measured; 30 MiB with
# the segment streamed but every row in memory, 80 MiB before either),
# and under 12 MiB and 4 MiB a pool thread with --jobs 2 (15 MiB
# measured): each pool thread's part of a log split into blocks counts
# its blocks' events and holds up to AGG_SPILL_ROWS rows of its own
# beside the log's until they are merged (stop 47).
# The report of every row then matches a reference summed in
# Python from the log (requests, tokens, logged costs to the
# micro-dollar), and the store verifies. The same log in three files (the
# inputs' spilled rows merged into the run's) gives the same report; with
# no $TMPDIR (the rows
# kept in memory) and with the spill file failing as it is written (a
# file size limit: pwrite's EFBIG, SIGXFSZ ignored; the rows written so
# far merged with those kept) gives the same segment but for its
# creation time, and leaves no file in $TMPDIR. `run` (ingest, then a
# report in the same process, which reads back the rows the ingest did
# not keep) gives the same totals. An ingest of one record into the store
# of many rows holds none of its rows (the lock's holder reads them when
# a scan needs them), and run reads them for its reports.
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
mkdir spill
# peak NAME JOBS FILE... : ingests FILE... into a new store NAME with
# JOBS, TMPDIR spill; prints its peak RSS in KB
peak() {
	name=$1 jobs=$2
	shift 2
	rm -rf "$name"
	TMPDIR=$tmp/spill /usr/bin/time -f '%M' -o "$name.rss" "$BURNRATE" --quiet \
		--store "$name" ingest --cost-mode display --jobs "$jobs" "$@" \
		2>"$name.err" || fail "ingest $* --jobs $jobs: $(cat "$name.err")"
	[ -z "$(ls -A spill)" ] || fail "$name: files left in TMPDIR: $(ls -A spill)"
	tail -n 1 "$name.rss"
}
for j in 1 2; do
	base=$(peak one$j $j one.jsonl)
	many=$(peak many$j $j many.jsonl)
	echo "manyrows: --jobs $j: $rows rows: peak $many KB, $base KB in one row"
	bound=$((12288 + (j > 1 ? 4096 * j : 0)))
	[ $((many - base)) -le $bound ] ||
		fail "--jobs $j: $rows rows took $((many - base)) KB more than one row ($many KB against $base KB), more than $bound KB"
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
# same NAME: the segment of store NAME is many1's but for its creation time
cat >same.py <<'EOF'
import sys
a, b = (open(f, "rb").read() for f in sys.argv[1:3])
n = lambda x: x[:24] + x[32:124] + x[128:-12] + x[-8:]
sys.exit(0 if len(a) == len(b) and n(a) == n(b) else 1)
EOF
same() {
	"$PYTHON" same.py many1/segments/seg-0000000000000001.brs \
		"$1"/segments/seg-0000000000000001.brs ||
		fail "$1: its segment differs from many1's"
}
same many2
# An ingest into a store of many rows holds none of them: the lock's
# holder reads a segment's rows when a scan needs them. An ingest of one
# record into a copy of many2 (its 27 MB segment) took 45 MiB more than
# into an empty store (79 MB against 9.5 for a year of 191,000 rows).
printf '{"timestamp":"2025-06-01T00:00:00Z","provider":"openai","model":"gpt-4o","request_id":"x-1","usage":{"input_tokens":1}}\n' >x.jsonl
rm -rf xempty xmany
cp -r many2 xmany
for st in xempty xmany; do
	/usr/bin/time -f '%M' -o $st.rss "$BURNRATE" --quiet --store $st ingest x.jsonl 2>$st.err ||
		fail "one record into $st: $(cat $st.err)"
done
xe=$(tail -n 1 xempty.rss) xm=$(tail -n 1 xmany.rss)
[ $((xm - xe)) -le 4096 ] ||
	fail "one record into a store of $rows rows took $xm KB, $xe KB into an empty store"
"$BURNRATE" --store xmany verify >verify.out 2>&1 || fail "verify xmany: $(cat verify.out)"
# Three inputs (their segment names three): the same report.
split -l 50000 many.jsonl part-
for j in 1 2; do
	peak parts$j $j part-* >/dev/null
	"$BURNRATE" --store parts$j report --by day,agent,label --format json \
		--since 2025-01-01 --as-of 2025-12-31 >parts$j.json
	cmp -s many.json parts$j.json || fail "three inputs, --jobs $j: another report"
done
# Compact, merge, report and verify of a store of many rows hold a
# bounded number of them (docs/PERFORMANCE.md, "Stop 47, helper 211"):
# compact and merge sum the rows in an aggregate that spills past
# AGG_SPILL_ROWS, as an ingest's, and every reader reads a segment's rows
# through a window as it scans (one without the lock keeps the file open,
# not its rows). segs: the log's three parts, a segment each. Each peak,
# less that of the same command on a store of three rows, stays under
# 12 MiB (measured: ~8.4 MiB for compact and merge, ~0.5 for report and
# verify; before: 58-59 MiB for compact and merge, 28 for report, 9.5
# for verify).
rm -rf segs small
for p in part-*; do
	"$BURNRATE" --quiet --store segs ingest --cost-mode display "$p" 2>segs.err ||
		fail "ingest $p: $(cat segs.err)"
	sed 's/"x-1"/"x-'"$p"'"/' x.jsonl >small-$p.jsonl
	"$BURNRATE" --quiet --store small ingest "small-$p.jsonl" 2>small.err ||
		fail "ingest small-$p.jsonl: $(cat small.err)"
done
[ "$(ls segs/segments | wc -l)" -eq 3 ] || fail "segs: $(ls segs/segments)"
# bounded NAME CMD...: runs "burnrate CMD" on a copy of segs and of
# small (its rows in $tmp/spill); fails when the first's peak RSS is more
# than 12 MiB above the second's
bounded() {
	name=$1
	shift
	for st in segs small; do
		rm -rf "$name-$st" "$name-$st.to"
		cp -r "$st" "$name-$st"
		"$BURNRATE" --quiet --store "$name-$st.to" init >/dev/null
		TMPDIR=$tmp/spill /usr/bin/time -f '%M' -o "$name-$st.rss" \
			"$BURNRATE" --quiet --store "$name-$st" "$@" >"$name-$st.out" \
			2>"$name-$st.err" || fail "$name on $st: $(cat "$name-$st.err")"
		[ -z "$(ls -A spill)" ] || fail "$name: files left in TMPDIR: $(ls -A spill)"
	done
	m=$(tail -n 1 "$name-segs.rss") s=$(tail -n 1 "$name-small.rss")
	echo "manyrows: $name of $rows rows: peak $m KB, $s KB of three rows"
	[ $((m - s)) -le 12288 ] ||
		fail "$name of $rows rows took $((m - s)) KB more than of three rows ($m KB against $s KB), more than 12 MiB"
}
bounded compact compact
bounded report report --by label --format json --since 2025-01-01 --as-of 2025-12-31
bounded verify verify
# merge: of the copy of segs (a reader without the lock) into a new store
for st in segs small; do
	rm -rf "merge-$st.to"
	"$BURNRATE" --quiet --store "merge-$st.to" init >/dev/null
	TMPDIR=$tmp/spill /usr/bin/time -f '%M' -o "merge-$st.rss" \
		"$BURNRATE" --quiet --store "merge-$st.to" merge "compact-$st" \
		>"merge-$st.out" 2>"merge-$st.err" || fail "merge $st: $(cat "merge-$st.err")"
done
m=$(tail -n 1 merge-segs.rss) s=$(tail -n 1 merge-small.rss)
echo "manyrows: merge of $rows rows: peak $m KB, $s KB of three rows"
[ $((m - s)) -le 12288 ] ||
	fail "merge of $rows rows took $((m - s)) KB more than of three rows ($m KB against $s KB), more than 12 MiB"
# The compacted and the merged store report what the log holds (many.json:
# checked against the log's sums above), and verify.
for st in compact-segs merge-segs.to; do
	"$BURNRATE" --store $st verify >verify.out 2>&1 || fail "verify $st: $(cat verify.out)"
	"$BURNRATE" --store $st report --by day,agent,label --format json \
		--since 2025-01-01 --as-of 2025-12-31 >$st.json
	cmp -s many.json $st.json || fail "$st: another report than the log's"
done
# A store of many small segments (122 of 1,200 rows, 220 KB each: three
# days of the log each, as nightly ingests make): a report keeps the
# rows of the first ones (4 MiB), then their files open; with few files
# allowed (ulimit -n), the rows of those past half of them. The same
# report each time; by label, within 12 MiB of three rows' (6 MiB
# measured; 28.5 MiB before, every segment's rows kept).
"$PYTHON" - <<'EOF2'
import collections
days = collections.defaultdict(list)
for l in open("many.jsonl"):
    days[l[14:24]].append(l)
for i, d in enumerate(sorted(days)):
    with open("night-%03d.jsonl" % (i // 3), "a") as f:
        f.writelines(days[d])
EOF2
rm -rf nights
for f in night-*.jsonl; do
	"$BURNRATE" --quiet --store nights ingest --cost-mode display "$f" 2>nights.err ||
		fail "ingest $f: $(cat nights.err)"
done
[ "$(ls nights/segments | wc -l)" -eq 122 ] || fail "nights: $(ls nights/segments | wc -l) segments"
"$BURNRATE" --store nights report --by day,agent,label --format json \
	--since 2025-01-01 --as-of 2025-12-31 >nights.json 2>nights.err ||
	fail "report nights: $(cat nights.err)"
cmp -s many.json nights.json || fail "nights: another report than the log's"
/usr/bin/time -f '%M' -o nights.rss "$BURNRATE" --store nights report \
	--by label --format json --since 2025-01-01 --as-of 2025-12-31 \
	>nights-label.json 2>nights.err || fail "report nights: $(cat nights.err)"
cmp -s report-segs.out nights-label.json || fail "nights: another report by label"
n=$(tail -n 1 nights.rss) s=$(tail -n 1 report-small.rss)
echo "manyrows: report of 122 segments of $rows rows: peak $n KB, $s KB of three rows"
[ $((n - s)) -le 12288 ] ||
	fail "a report of 122 segments took $((n - s)) KB more than of three rows ($n KB against $s KB), more than 12 MiB"
(
	ulimit -n 24
	"$BURNRATE" --store nights report --by day,agent,label --format json \
		--since 2025-01-01 --as-of 2025-12-31 >nights24.json 2>nights.err
) || fail "report nights, ulimit -n 24: $(cat nights.err)"
cmp -s many.json nights24.json || fail "nights, ulimit -n 24: another report"
# A compaction with no TMPDIR (its rows in memory) writes the same
# segment as one that spilled them, but for its creation time.
rm -rf nocompact
cp -r segs nocompact
TMPDIR=$tmp/none "$BURNRATE" --quiet --store nocompact compact 2>nocompact.err ||
	fail "compact with no TMPDIR: $(cat nocompact.err)"
"$PYTHON" same.py compact-segs/segments/seg-0000000000000004.brs \
	nocompact/segments/seg-0000000000000004.brs ||
	fail "a compaction in memory and one spilled give different segments"
rm -rf nodir
TMPDIR=$tmp/none "$BURNRATE" --quiet --store nodir ingest --cost-mode display \
	many.jsonl 2>nodir.err || fail "no TMPDIR: $(cat nodir.err)"
same nodir
(
	trap '' XFSZ
	# 40 MB (512-byte blocks): the 27 MB segment fits, the spill file
	# (~56 MB: the runs, then them merged) does not
	ulimit -f 80000
	peak full2 2 many.jsonl >/dev/null
) || exit 1
same full2
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
# night N: run once more, then the store's report by day, agent and label
# in via-N.json
night() {
	"$BURNRATE" --quiet --config run.conf run --as-of 2025-12-31 >run$1.out 2>&1 ||
		fail "run, night $1: $(cat run$1.out)"
	"$BURNRATE" --store viarun report --by day,agent,label --format json \
		--since 2025-01-01 --as-of 2025-12-31 >via-$1.json
}
night 1
"$PYTHON" -c '
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
sys.exit(0 if a["rows"] == b["rows"] and a["totals"] == b["totals"] else "differ")
' many.json via-1.json || fail "run's store reports otherwise than ingest's"
# run's report (December by day, provider and model) read the rows back
# from the segment it had just published: the same as a new process's.
"$BURNRATE" --store viarun report --month 2025-12 --as-of 2025-12-31 \
	--by day,provider,model --format json >dec.json
cmp -s dec.json out/burnrate-2025-12-31.json ||
	fail "run's report differs from report's: $(diff dec.json out/burnrate-2025-12-31.json | head -5)"
grep -q '"day":"2025-12-31"' dec.json || fail "no row of 2025-12-31: $(head -c 300 dec.json)"
# A second night: run reads the segment of the first (holding the lock,
# its rows when its report needs them) and reports the same with the
# night's record added.
cp x.jsonl in/
night 2
"$PYTHON" -c '
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
assert b["totals"]["requests"] == a["totals"]["requests"] + 1, (a["totals"], b["totals"])
' many.json via-2.json || fail "the second night's store: $(head -c 300 via-2.json)"
cmp -s dec.json out/burnrate-2025-12-31.json ||
	fail "the second night's report differs: $(diff dec.json out/burnrate-2025-12-31.json | head -5)"
echo "manyrows: ok"
