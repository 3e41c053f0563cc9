#!/bin/sh
# duckdiff.sh - burnrate's report against DuckDB's GROUP BY of the same
# logs (tests/duckdiff.js): generated generic logs (tools/loggen.py, plain
# and --nasty, --bad, JSONL and CSV, gzip) and hand-made edge cases, in
# UTC and other time zones, with every grouping key, and with
# --cost-mode display for the logged costs. Not in `make check` (DuckDB
# comes from npm); needs NODE_PATH with @duckdb/node-api, as bench/common.sh
# installs it: NODE_PATH=build/bench-node/node_modules sh tests/duckdiff.sh
# Environment: BURNRATE (./build/burnrate), SEEDS (1 2 3), RECORDS (3000).
set -eu
bin=$(realpath "${BURNRATE:-build/burnrate}")
here=$(cd "$(dirname "$0")/.." && pwd)
seeds=${SEEDS:-1 2 3}
records=${RECORDS:-3000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
gen() { python3 "$here/tools/loggen.py" "$@"; }
fails=0 cases=0
# check NAME TZ INGEST-OPTIONS FILE...: one store of the FILEs, read in
# that order, ingested with the options (one word list, may be empty),
# compared at every grouping.
check() {
	name=$1 tz=$2 opts=$3
	shift 3
	rm -rf st
	"$bin" --quiet --store st init --timezone "$tz" >/dev/null
	# shellcheck disable=SC2086
	if ! "$bin" --quiet --store st ingest $opts --rejects rej.txt "$@" 2>ingest.err; then
		echo "FAIL $name: ingest failed: $(head -3 ingest.err)"
		fails=$((fails + 1))
		return
	fi
	display=
	case $opts in *display*) display=--display ;; esac
	for by in day,provider,model,agent,label week,model month,agent label; do
		cases=$((cases + 1))
		"$bin" --store st report --as-of 9999-12-31 --since 0000-01-01 \
			--until 9999-12-31 --by "$by" --format json >r.json
		if out=$(node "$here/tests/duckdiff.js" --report r.json --tz "$tz" $display "$@" 2>&1); then
			echo "ok   $name --by $by: $out"
		else
			echo "FAIL $name --by $by:"
			echo "$out" | head -20
			fails=$((fails + 1))
		fi
	done
}

# The hand-made cases (tests/duckdiff-edge.*): timestamps of every form
# (offsets, fractions, leap seconds, epoch numbers, years 0000 and 9999),
# statuses, duplicate ids (which copy counts), token counts, types, a CSV
# with a BOM, CRLF, quoted fields, blank and short rows.
cp "$here/tests/duckdiff-edge.jsonl" edge.jsonl
cp "$here/tests/duckdiff-edge.csv" edge.csv
for tz in UTC America/Los_Angeles Asia/Tokyo; do
	check "edge cases, $tz" $tz "" edge.jsonl edge.csv
done
check "edge cases, display" UTC "--cost-mode display" edge.csv edge.jsonl
for s in $seeds; do
	p=plain$s n=nasty$s
	gen --seed "$s" --records "$records" --format jsonl --bad 40 --out "$p.jsonl"
	gen --seed "$s" --records "$records" --format csv --bad 40 --out "$p.csv"
	gzip -n -k "$p.csv"
	gen --seed $((s + 100)) --records "$records" --format jsonl --nasty --out "$n.jsonl"
	gen --seed $((s + 200)) --records "$records" --format csv --nasty --out "$n.csv"
	gzip -n -k "$n.jsonl"
	check "plain seed $s" UTC "" "$p.jsonl" "$p.csv.gz"
	check "nasty jsonl seed $((s + 100))" UTC "" "$n.jsonl"
	check "nasty csv seed $((s + 200))" UTC "" "$n.csv"
	check "nasty both seed $s, Asia/Kolkata" Asia/Kolkata "" "$n.jsonl.gz" "$n.csv"
	check "nasty both seed $s, display" America/Los_Angeles "--cost-mode display" "$n.csv" "$n.jsonl"
done
echo "$cases comparisons, $fails failed"
[ "$fails" -eq 0 ]
