#!/bin/sh
# store.sh - opening and querying a store of one year of daily data: 2,000
# segments, 1,000 key combinations a day (365,000 rows). Target: a
# full-year report in at most 0.25 s on the project's 2-core machine.
set -eu
bin=${BURNRATE:-./burnrate}
mk=${MKSTORE:-build/bench/mkstore}
out=${BENCH_OUT:-bench-out}
mkdir -p "$out"
rm -rf "$out/store-year"
"$mk" "$out/store-year" 2000 1000 365
echo "store: $(ls "$out/store-year/segments" | wc -l) segments, $(du -sh "$out/store-year" | cut -f1)"
run() { # label args...
	label=$1; shift
	best=
	for i in 1 2 3 4 5; do
		start=$(date +%s%N)
		"$bin" --store "$out/store-year" report --as-of 2025-12-31 "$@" >/dev/null
		end=$(date +%s%N)
		ms=$(( (end - start) / 1000000 ))
		if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
	done
	printf '%-52s best of 5: %5d ms\n' "$label" "$best"
}
run "full year, --by day,provider,model,agent, json" --by day,provider,model,agent --format json
run "full year, --by month, table" --by month --format table
run "full year, --by model, csv" --by model --format csv
run "full year, --by day,provider,model,agent, csv" --by day,provider,model,agent --format csv
run "full year, --by day,provider,model,agent, table" --by day,provider,model,agent --format table
run "full year, --by day,provider,model,agent, xlsx" --by day,provider,model,agent --format xlsx --output "$out/year.xlsx"
run "full year, --by day,provider,model,agent, html" --by day,provider,model,agent --format html --output "$out/year.html"
run "full year, --by day,provider, xlsx" --by day,provider --format xlsx --output "$out/year-dp.xlsx"
run "full year, --by day,provider, html" --by day,provider --format html --output "$out/year-dp.html"
"$bin" --store "$out/store-year" report --as-of 2025-12-31 --by month --format csv | head -3
