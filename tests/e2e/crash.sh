#!/bin/sh
# crash.sh - SIGKILL at random moments during ingest, compaction and a
# --replace backfill; after each kill the store must verify, report exactly
# the totals of a clean run (compaction and backfill change nothing), and a
# rerun must complete with the same totals. KILLS (default 60) kills in all;
# 'make torture' runs hundreds.
. "$(dirname "$0")/common.inc"
: "${KILLS:=60}"
cd "$tmp"
mkdir logs
for i in $(seq 1 24); do
	"$PYTHON" "$root/tools/loggen.py" --seed "$((100 + i))" --records 4000 \
		--format jsonl --out "logs/l$i.jsonl"
done
cp "$root/samples/prices.csv" prices.csv
br() { "$BURNRATE" --quiet --store "$@"; }
report() { br "$1" report --as-of 2099-12-31 --by day,provider,model,agent --format csv; }

start=$(date +%s%N)
br clean ingest --prices prices.csv logs
end=$(date +%s%N)
report clean >expected.csv
window=$(( (end - start) / 1000000 + 20 ))   # milliseconds
echo "clean ingest: $(( (end - start) / 1000000 )) ms; kills land in 0..$window ms"

# Kills COMMAND... after a random delay within the window; returns at once
# if it finished first.
kill_randomly() {
	"$@" >/dev/null 2>&1 &
	pid=$!
	delay=$(awk -v w="$window" -v s="$(date +%N)" 'BEGIN { srand(s); printf "%.3f", rand() * w / 1000 }')
	sleep "$delay"
	kill -9 "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

check_store() { # STORE WHAT
	br "$1" verify || fail "$2: verify failed after a kill"
	report "$1" >got.csv || fail "$2: report failed after a kill"
	cmp -s got.csv expected.csv || fail "$2: totals differ from a clean run"
}

kills=0
while [ "$kills" -lt "$KILLS" ]; do
	case $((kills % 3)) in
	0)	# ingest: killed, then rerun to completion
		rm -rf s; br s ingest --prices prices.csv logs/l1.jsonl logs/l2.jsonl
		kill_randomly "$BURNRATE" --quiet --store s ingest --prices prices.csv logs
		br s ingest --prices prices.csv logs || fail "ingest rerun failed"
		! ls s/segments/.tmp-* >/dev/null 2>&1 ||
			fail "the rerun left the killed run's temporary segment"
		check_store s ingest ;;
	1)	# compaction: totals must not change, killed or not
		rm -rf s
		for part in 1 2 3 4; do
			br s ingest --prices prices.csv logs/l$part*.jsonl
		done
		br s ingest --prices prices.csv logs
		kill_randomly "$BURNRATE" --quiet --store s compact
		check_store s compact
		br s compact || fail "compact rerun failed"
		check_store s compact-rerun ;;
	2)	# backfill with the same data: totals must not change
		rm -rf s; cp -r clean s
		kill_randomly "$BURNRATE" --quiet --store s ingest --prices prices.csv --replace 2025-10-01..2025-10-31 \
			--rejects /dev/null logs
		check_store s replace
		br s ingest --prices prices.csv --replace 2025-10-01..2025-10-31 \
			--rejects /dev/null logs || fail "replace rerun failed"
		check_store s replace-rerun ;;
	esac
	kills=$((kills + 1))
done
echo "crash: $kills kills, totals exact after every one"
