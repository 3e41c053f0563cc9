#!/bin/sh
# ingest.sh - ingest throughput on 2M generic records (issue 4), as JSONL,
# JSONL.gz, CSV and CSV.gz, beside zcat, igzip -d and DuckDB (read_json /
# read_csv and GROUP BY, through @duckdb/node-api) over the same files.
# Prints best-of-3 wall-clock times, burnrate and DuckDB taken in turn,
# and the ratios next to the targets.
#
# The logs come from tools/loggen.py (deterministic) and are cached under
# $BUILD/bench-data/VERSION, VERSION naming the generator's content; the
# DuckDB module is installed with npm into $BUILD/bench-node. Without npm
# or the registry, the DuckDB column says so and the rest goes on.
set -eu
bin=${BURNRATE:-./burnrate}
build=${BUILD:-build}
py=${PYTHON:-/usr/bin/python3}
records=${RECORDS:-2000000}
runs=${RUNS:-3}
out=${BENCH_OUT:-bench-out}
jobs=${JOBS:-$(nproc)}

ver=$(sha256sum tools/loggen.py | cut -c1-12)
data=$build/bench-data/$ver
mkdir -p "$data" "$out"
base=$data/generic-$records
for fmt in jsonl csv; do
	if [ ! -s "$base.$fmt" ]; then
		echo "generating $records records as $fmt (cached in $data)"
		"$py" tools/loggen.py --seed 1 --records "$records" --format $fmt \
			--out "$base.$fmt.tmp"
		mv "$base.$fmt.tmp" "$base.$fmt"
	fi
	if [ ! -s "$base.$fmt.gz" ]; then
		gzip -6 -n -c "$base.$fmt" >"$base.$fmt.gz.tmp"
		mv "$base.$fmt.gz.tmp" "$base.$fmt.gz"
	fi
done

node_dir=$build/bench-node
duckdb=yes
if [ ! -d "$node_dir/node_modules/@duckdb/node-api" ]; then
	mkdir -p "$node_dir"
	if ! command -v npm >/dev/null 2>&1 ||
	   ! (cd "$node_dir" && npm install --no-audit --no-fund --silent \
		@duckdb/node-api >npm.log 2>&1); then
		echo "DuckDB: @duckdb/node-api cannot be installed (see $node_dir/npm.log); its column is left out"
		duckdb=
	fi
fi
command -v igzip >/dev/null 2>&1 || echo "igzip: not installed (Debian package isal; make deps)"

# once CMD... -> the wall-clock milliseconds of one run
once() {
	rm -rf "$out/ingest-store"
	s=$(date +%s%N)
	"$@" >/dev/null
	e=$(date +%s%N)
	echo $(( (e - s) / 1000000 ))
}
# best CMD... -> the best wall-clock milliseconds of $runs runs
best() {
	b=
	for i in $(seq "$runs"); do
		ms=$(once "$@")
		if [ -z "$b" ] || [ "$ms" -lt "$b" ]; then b=$ms; fi
	done
	echo "$b"
}
# min A B -> the smaller, A when B is empty
min() { if [ -z "$2" ] || [ "$1" -lt "$2" ]; then echo "$1"; else echo "$2"; fi; }
secs() { awk -v ms="$1" 'BEGIN { printf "%.2f", ms / 1000 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "-" }'; }

echo "ingest: $records generic records, best of $runs, --jobs $jobs, $(nproc) CPUs"
printf '%-10s %8s %9s %8s %8s %8s %8s  %s\n' file MB burnrate MB/s zcat igzip DuckDB \
	"ratios (targets)"
for f in jsonl jsonl.gz csv csv.gz; do
	file=$base.$f
	mb=$(awk -v b="$(stat -c %s "$base.${f%.gz}")" 'BEGIN { printf "%.0f", b / 1e6 }')
	# burnrate and DuckDB in turn, best of each: the VM's speed drifts by
	# tens of percent within a minute, and a ratio of times taken minutes
	# apart measures the drift. DuckDB runs its query twice a turn (one
	# process keeps its caches), the best counted.
	br= dk=
	kind=${f%.gz}
	for i in $(seq "$runs"); do
		br=$(min "$(once "$bin" --quiet --store "$out/ingest-store" ingest \
			--jobs "$jobs" "$file")" "$br")
		[ -n "$duckdb" ] || continue
		ms=$(NODE_PATH=$node_dir/node_modules node bench/duckdb.js "$file" "$kind" 2 |
			awk '{ printf "%d", $1 * 1000 }') && [ -n "$ms" ] || { duckdb=; dk=; continue; }
		dk=$(min "$ms" "$dk")
	done
	[ -n "$dk" ] || dk=-
	zc=- ig=-
	case $f in *.gz)
		zc=$(best zcat "$file")
		command -v igzip >/dev/null 2>&1 && ig=$(best igzip -d -c "$file")
	esac
	notes="vs DuckDB $(ratio "$br" "$dk")"
	case $f in
	jsonl) notes="$notes (<= 0.5)" ;;
	jsonl.gz) notes="$notes (<= 0.5), vs igzip $(ratio "$br" "$ig") (<= 1.3)" ;;
	csv) notes="$notes (-)" ;;
	csv.gz) notes="$notes (<= 0.6)" ;;
	esac
	show() { [ "$1" = - ] && echo - || secs "$1"; }
	printf '%-10s %8s %9s %8s %8s %8s %8s  %s\n' "$f" "$mb" "$(secs "$br")" \
		"$(awk -v mb="$mb" -v ms="$br" 'BEGIN { printf "%.0f", mb / (ms / 1000) }')" \
		"$(show "$zc")" "$(show "$ig")" "$(show "$dk")" "$notes"
done
# Peak RSS: CSV.gz holds the most at once (more records a block).
for f in jsonl.gz csv.gz; do
	rm -rf "$out/rss.txt" "$out/ingest-store"
	/usr/bin/time -v "$bin" --quiet --store "$out/ingest-store" ingest --jobs 2 \
		"$base.$f" 2>"$out/rss.txt" >/dev/null
	echo "peak RSS, --jobs 2, $base.$f: $(awk '/Maximum resident/ { print $6 }' "$out/rss.txt") KB"
done
rm -rf "$out/ingest-store"
