#!/bin/sh
# files.sh - a backfill of many small logs: the first FILES x 20 of the
# 2M generic records, 20 records a file, as JSONL files and as gzipped
# ones, each in a directory; burnrate ingests the directory, DuckDB reads
# the same files by a glob (read_json and GROUP BY, as in ingest.sh), in
# turn, best of each. What one input costs beside its records: opening,
# fingerprinting and publishing it as ingested. The logs, DuckDB and the
# timing: common.sh.
. "$(dirname "$0")/common.sh"
files=${FILES:-10000}

many=$data/many-$files
if [ ! -d "$many/gz" ]; then
	echo "writing $files logs of 20 records, plain and gzipped (cached in $many)"
	rm -rf "$many.tmp"
	mkdir -p "$many.tmp/jsonl" "$many.tmp/gz"
	head -n $((files * 20)) "$base.jsonl" |
		split -l 20 -a 6 -d --additional-suffix=.jsonl - "$many.tmp/jsonl/log-"
	for f in "$many.tmp"/jsonl/*.jsonl; do
		gzip -n -c "$f" >"$many.tmp/gz/${f##*/}.gz"
	done
	mv "$many.tmp" "$many"
fi

echo "files: $files logs of 20 records, best of $runs, --jobs $jobs, $(nproc) CPUs"
printf '%-6s %9s %8s %8s  %s\n' logs burnrate files/s DuckDB "ratio"
for kind in jsonl gz; do
	dir_in_turn "$many/$kind" "$kind"
	printf '%-6s %9s %8s %8s  %s\n' "$kind" "$(secs "$br")" \
		"$(awk -v n="$files" -v ms="$br" 'BEGIN { printf "%.0f", n / (ms / 1000) }')" \
		"$([ "$dk" = - ] && echo - || secs "$dk")" "vs DuckDB $(ratio "$br" "$dk")"
done
rm -rf "$out/ingest-store"
