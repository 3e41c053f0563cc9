# common.sh - what the ingest benchmarks share (sourced): settings from the
# environment, the generated 2M-record logs (tools/loggen.py, cached under
# $BUILD/bench-data/VERSION, VERSION naming the generator's content), the
# DuckDB module (installed with npm into $BUILD/bench-node; without npm or
# the registry, duckdb is left empty and the rest goes on), and timing.
set -eu
bin=${BURNRATE:-./burnrate}
build=${BUILD:-build}
py=${PYTHON:-/usr/bin/python3}
records=${RECORDS:-2000000}
runs=${RUNS:-3}
out=${BENCH_OUT:-bench-out}
jobs=${JOBS:-$(nproc)}

# The request ids: random UUIDs, as APIs and proxies log them (IDS=uuid,
# the default: 2M records are 733 MB of JSONL, 103 MB gzipped, the sizes
# issue 4 measured, 730 and 93), or the record's number after a prefix
# (IDS=short, "s1-123": 680 MB and 58 MB, the benchmark's logs until stop
# 45, far more compressible).
ids=${IDS:-uuid}
case $ids in
uuid) id_flag=--uuid-ids ;;
short) id_flag= ;;
*) echo "bench: IDS must be uuid or short, not '$ids'" >&2; exit 2 ;;
esac
ver=$(sha256sum tools/loggen.py | cut -c1-12)
data=$build/bench-data/$ver
mkdir -p "$data" "$out"
base=$data/generic-$records-$ids
for fmt in jsonl csv; do
	if [ ! -s "$base.$fmt" ]; then
		echo "generating $records records as $fmt (cached in $data)"
		# shellcheck disable=SC2086 # id_flag: one word or none
		"$py" tools/loggen.py --seed 1 --records "$records" --format $fmt \
			$id_flag --out "$base.$fmt.tmp"
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
	# Said before npm runs: it retries an unreachable registry for
	# about a minute. Its errors go to npm.log (--silent kept none).
	if ! command -v npm >/dev/null 2>&1; then
		echo "DuckDB: no npm to install @duckdb/node-api with (Debian package npm; make deps); its columns, ratios and totals check are left out"
		duckdb=
	else
		echo "DuckDB: installing @duckdb/node-api with npm into $node_dir"
		if ! (cd "$node_dir" && npm install --no-audit --no-fund \
			--loglevel error @duckdb/node-api >npm.log 2>&1); then
			echo "DuckDB: @duckdb/node-api cannot be installed: $(grep -m 1 -i 'err' "$node_dir/npm.log" || echo "npm install failed") (see $node_dir/npm.log); its columns, ratios and totals check are left out"
			duckdb=
		fi
	fi
fi
command -v igzip >/dev/null 2>&1 || echo "igzip: not installed (Debian package isal; make deps)"

# once CMD... -> the wall-clock milliseconds of one run. A run that fails
# is no measure: it says so and stops the benchmark (it runs in a command
# substitution, whose exit would only end that; $$ is the script's).
once() {
	rm -rf "$out/ingest-store"
	s=$(date +%s%N)
	rc=0
	"$@" >/dev/null || rc=$?
	e=$(date +%s%N)
	if [ $rc -ne 0 ]; then
		echo "bench: error: '$*' failed (exit $rc): no time is measured; the benchmark stops" >&2
		kill -TERM $$
		exit 1
	fi
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

# dir_in_turn DIR KIND: burnrate ingesting directory DIR and DuckDB reading
# its JSONL logs by a glob (KIND jsonl, or gz for *.jsonl.gz), in turn,
# $runs times; sets br and dk to the best milliseconds of each (dk - when
# DuckDB is not there).
dir_in_turn() {
	br= dk=
	for i in $(seq "$runs"); do
		br=$(min "$(once "$bin" --quiet --store "$out/ingest-store" ingest \
			--jobs "$jobs" "$1")" "$br")
		[ -n "$duckdb" ] || continue
		ms=$(NODE_PATH=$node_dir/node_modules node bench/duckdb.js \
			"$1/*.jsonl$([ "$2" = gz ] && echo .gz)" jsonl 2 |
			awk '{ printf "%d", $1 * 1000 }') && [ -n "$ms" ] || { duckdb=; dk=; continue; }
		dk=$(min "$ms" "$dk")
	done
	[ -n "$dk" ] || dk=-
}
