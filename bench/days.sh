#!/bin/sh
# days.sh - a backfill of a month of daily logs: the 2M generic records as
# one log per day of their timestamps (31 logs of ~64,500 records, ~22 MB
# each, each holding its day's ~650 groups), JSONL and gzipped, each in a
# directory; burnrate ingests the directory, DuckDB reads the same files
# by a glob (read_json and GROUP BY, as in ingest.sh), in turn, best of
# each; then burnrate's peak RSS with --jobs 2, which the issue caps at 64
# MB (the 2M request ids included) whatever the number of logs. The logs,
# DuckDB and the timing: common.sh.
. "$(dirname "$0")/common.sh"

month=$data/days
if [ ! -d "$month/gz" ]; then
	echo "writing the $records records as a log per day (cached in $month)"
	rm -rf "$month.tmp"
	mkdir -p "$month.tmp/jsonl" "$month.tmp/gz"
	# The generator writes the timestamp first: {"timestamp":"YYYY-MM-DD...
	awk -v dir="$month.tmp/jsonl" \
		'{ f = dir "/" substr($0, 15, 10) ".jsonl"; print > f }' "$base.jsonl"
	for f in "$month.tmp"/jsonl/*.jsonl; do
		gzip -6 -n -c "$f" >"$month.tmp/gz/${f##*/}.gz"
	done
	mv "$month.tmp" "$month"
fi
days=$(ls "$month/jsonl" | wc -l)

echo "days: $records records in $days logs, best of $runs, --jobs $jobs, $(nproc) CPUs"
printf '%-6s %9s %8s %8s  %s\n' logs burnrate MB/s DuckDB "ratio, peak RSS (--jobs 2)"
for kind in jsonl gz; do
	dir_in_turn "$month/$kind" "$kind"
	rm -rf "$out/rss.txt" "$out/ingest-store"
	/usr/bin/time -v "$bin" --quiet --store "$out/ingest-store" ingest --jobs 2 \
		"$month/$kind" 2>"$out/rss.txt" >/dev/null
	rss=$(awk '/Maximum resident/ { print $6 }' "$out/rss.txt")
	printf '%-6s %9s %8s %8s  %s\n' "$kind" "$(secs "$br")" \
		"$(awk -v b="$(stat -L -c %s "$base.jsonl")" -v ms="$br" 'BEGIN { printf "%.0f", b / 1e6 / (ms / 1000) }')" \
		"$([ "$dk" = - ] && echo - || secs "$dk")" "vs DuckDB $(ratio "$br" "$dk"), $rss KB"
done
rm -rf "$out/ingest-store"
