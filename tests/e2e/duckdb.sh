#!/bin/sh
# duckdb.sh - burnrate against DuckDB, the peer outside tests check it
# with: tests/duckdbdiff.py generates generic JSONL and CSV logs (every
# timestamp form, status and id type of DESIGN section 3, repeated request
# ids, CSV quoting, BOM and CRLF), ingests them into stores of four time
# zones (two with DST, one at +12:45/+13:45) and compares each row of
# `report --format json` by day, ISO week or month, provider, model,
# agent and label, over --since, --until, --month and --as-of periods,
# with DuckDB's own GROUP BY of the same files (requests, errors, every
# token column, the logged cost to the micro-dollar), and the CSV report
# with the JSON one. DuckDB's node module (@duckdb/node-api) is installed
# from npm into build/bench-node on first use, as make bench does.
. "$(dirname "$0")/common.inc"
node_dir=$root/build/bench-node
if [ ! -d "$node_dir/node_modules/@duckdb/node-api" ]; then
	mkdir -p "$node_dir"
	(cd "$node_dir" && npm install --no-audit --no-fund --loglevel error \
		@duckdb/node-api) >"$tmp/npm.log" 2>&1 ||
		fail "cannot install @duckdb/node-api from npm: $(tail -3 "$tmp/npm.log")"
fi
mkdir "$tmp/work"
"$PYTHON" "$root/tests/duckdbdiff.py" "$BURNRATE" "$root/tests/duckdb_query.js" \
	"$node_dir/node_modules" "$tmp/work" 8 1 >"$tmp/out.txt" 2>&1 ||
	fail "burnrate and DuckDB disagree: $(cat "$tmp/out.txt")"
cat "$tmp/out.txt"
