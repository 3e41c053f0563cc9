#!/bin/sh
# demo.sh - the nightly pipeline on samples/: ingest the sample logs into
# demo-out/store, then write the reports into demo-out/. Run by 'make demo'.
set -eu
out=demo-out
bin=./burnrate
rm -rf "$out"
mkdir -p "$out"
as_of=2025-10-31
"$bin" --store "$out/store" init --timezone UTC
# Rejected records are expected: samples/logs holds a few malformed lines.
"$bin" --store "$out/store" ingest --prices samples/prices.csv \
	--rejects "$out/rejects.txt" samples/logs
"$bin" --store "$out/store" report --as-of "$as_of" --month 2025-10 \
	--by day,provider,model,agent --budgets samples/budgets.csv --format json \
	--output "$out/report.json"
"$bin" --store "$out/store" report --as-of "$as_of" --month 2025-10 \
	--by day,provider,model,agent --format csv --output "$out/report.csv"
"$bin" --store "$out/store" report --as-of "$as_of" --month 2025-10 \
	--by provider,model --budgets samples/budgets.csv --format table \
	--output "$out/report.txt"
for f in xlsx html; do
	"$bin" --store "$out/store" report --as-of "$as_of" --month 2025-10 \
		--by day,provider,model --budgets samples/budgets.csv --format $f \
		--output "$out/report.$f"
done
"$bin" --quiet --store "$out/store" verify
echo
cat "$out/report.txt"
echo
echo "demo results in $(pwd)/$out:"
echo "  store         $out/store"
echo "  reports       $out/report.json $out/report.csv $out/report.txt"
echo "                $out/report.xlsx (finance) $out/report.html (a browser)"
echo "  rejected      $out/rejects.txt ($(wc -l <"$out/rejects.txt") records)"
