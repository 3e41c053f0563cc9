#!/bin/sh
# ingest.sh - ingest throughput on 2M generic records (issue 4), as JSONL,
# JSONL.gz, CSV and CSV.gz, beside zcat, igzip -d and DuckDB (read_json /
# read_csv and GROUP BY, through @duckdb/node-api) over the same files:
# with the columns declared (DuckDB's fastest) and, as "auto", detected
# (the query as typed, read_json(FILE)). Prints the best wall-clock times
# of 3 turns (RUNS), burnrate, DuckDB and (of a gzip) `igzip -d` taken in
# turn, each run twice a turn, and the ratios next to the targets (against the declared columns;
# the detected ones after).
# Then checks that burnrate's totals of the JSONL and the CSV equal
# DuckDB's GROUP BY (exit 1 when they do not). The logs, DuckDB and the
# timing: common.sh.
. "$(dirname "$0")/common.sh"

echo "ingest: $records generic records, best of $runs turns of two runs each, --jobs $jobs, $(nproc) CPUs"
printf '%-10s %8s %9s %8s %8s %8s %8s %8s  %s\n' file MB burnrate MB/s zcat igzip DuckDB \
	auto "ratios (targets)"
for f in jsonl jsonl.gz csv csv.gz; do
	file=$base.$f
	mb=$(awk -v b="$(stat -L -c %s "$base.${f%.gz}")" 'BEGIN { printf "%.0f", b / 1e6 }')
	# burnrate and DuckDB in turn, best of each: the VM's speed drifts by
	# tens of percent within a minute, and a ratio of times taken minutes
	# apart measures the drift. DuckDB runs each query twice a turn (one
	# process keeps its caches), the best counted; burnrate runs twice a
	# turn too (a new process and store each time), so that each has as
	# many tries at the VM's quieter moments.
	# `igzip -d`, whose ratio has a target, is taken in turn with them
	# too, twice a turn (zcat, which has none, after them).
	br= dk= da= ig=
	kind=${f%.gz}
	for i in $(seq "$runs"); do
		for twice in 1 2; do
			br=$(min "$(once "$bin" --quiet --store "$out/ingest-store" \
				ingest --jobs "$jobs" "$file")" "$br")
			case $f in *.gz)
				command -v igzip >/dev/null 2>&1 &&
					ig=$(min "$(once igzip -d -c "$file")" "$ig")
			esac
		done
		[ -n "$duckdb" ] || continue
		ms=$(NODE_PATH=$node_dir/node_modules node bench/duckdb.js "$file" "$kind" 2 |
			awk '{ printf "%d", $1 * 1000 }') && [ -n "$ms" ] || { duckdb=; dk=; continue; }
		dk=$(min "$ms" "$dk")
		ms=$(NODE_PATH=$node_dir/node_modules node bench/duckdb.js "$file" "$kind" 2 auto |
			awk '{ printf "%d", $1 * 1000 }') && [ -n "$ms" ] && da=$(min "$ms" "$da")
	done
	[ -n "$dk" ] || dk=-
	[ -n "$da" ] || da=-
	zc=-
	[ -n "$ig" ] || ig=-
	case $f in *.gz) zc=$(best zcat "$file") ;; esac
	notes="vs DuckDB $(ratio "$br" "$dk")"
	case $f in
	jsonl) notes="$notes (<= 0.5)" ;;
	jsonl.gz) notes="$notes (<= 0.5), vs igzip $(ratio "$br" "$ig") (<= 1.3)" ;;
	csv) notes="$notes (-)" ;;
	csv.gz) notes="$notes (<= 0.6)" ;;
	esac
	notes="$notes; vs auto $(ratio "$br" "$da")"
	show() { [ "$1" = - ] && echo - || secs "$1"; }
	printf '%-10s %8s %9s %8s %8s %8s %8s %8s  %s\n' "$f" "$mb" "$(secs "$br")" \
		"$(awk -v mb="$mb" -v ms="$br" 'BEGIN { printf "%.0f", mb / (ms / 1000) }')" \
		"$(show "$zc")" "$(show "$ig")" "$(show "$dk")" "$(show "$da")" "$notes"
done
# The totals: burnrate's report of each log against DuckDB's GROUP BY of
# it (bench/duckdb.js totals), per day, provider, model, agent and label.
totals_differ=
if [ -n "$duckdb" ]; then
	for f in jsonl csv; do
		rm -rf "$out/ingest-store"
		"$bin" --quiet --store "$out/ingest-store" ingest --jobs "$jobs" "$base.$f"
		"$bin" --store "$out/ingest-store" report --as-of 9999-12-31 \
			--since 0000-01-01 --until 9999-12-31 \
			--by day,provider,model,agent,label --format json \
			--output "$out/totals.json"
		NODE_PATH=$node_dir/node_modules node bench/duckdb.js "$base.$f" $f \
			totals "$out/totals.json" || totals_differ=yes
	done
fi
# Peak RSS: CSV.gz holds the most at once (more records a block).
for f in jsonl.gz csv.gz; do
	rm -rf "$out/rss.txt" "$out/ingest-store"
	/usr/bin/time -v "$bin" --quiet --store "$out/ingest-store" ingest --jobs 2 \
		"$base.$f" 2>"$out/rss.txt" >/dev/null
	echo "peak RSS, --jobs 2, $base.$f: $(awk '/Maximum resident/ { print $6 }' "$out/rss.txt") KB"
done
rm -rf "$out/ingest-store"
[ -z "$totals_differ" ]
