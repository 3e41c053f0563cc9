#!/bin/sh
# golden.sh - the sample logs (samples/logs, samples/prices.csv) into a fresh
# store, and the reports compared with tests/e2e/golden/:
#   samples-expected.json  the oracle's expected rows, totals, unpriced and
#                          rejects (written by tests/oracle.py, never by
#                          burnrate); burnrate's JSON report must agree
#   report.csv             burnrate's CSV report, byte for byte
#   report-by-model.txt    burnrate's table report --by model, byte for byte
# UPDATE_GOLDEN=1 rewrites them: the expectation from the oracle, the
# snapshots from burnrate, and only when burnrate agrees with the oracle.
. "$(dirname "$0")/common.inc"
golden=$root/tests/e2e/golden
# Run from the repository so that input names are samples/logs/...
cd "$root"
asof=2025-10-31
store=$tmp/store

"$BURNRATE" --store "$store" ingest --prices samples/prices.csv \
	--rejects "$tmp/rejects.txt" samples/logs >"$tmp/ingest.out" 2>&1 ||
	{ cat "$tmp/ingest.out" >&2; fail "ingest of samples/logs exited $?"; }
"$BURNRATE" --store "$store" report --as-of $asof --by day,provider,model,agent \
	--format json >"$tmp/report.json" || fail "report --format json exited $?"
"$BURNRATE" --store "$store" report --as-of $asof --by day,provider,model,agent \
	--format csv >"$tmp/report.csv" || fail "report --format csv exited $?"
"$BURNRATE" --store "$store" report --as-of $asof --by model --format table \
	--no-color >"$tmp/report-by-model.txt" || fail "report --format table exited $?"
"$BURNRATE" --store "$store" report --as-of $asof --by model --format json \
	>"$tmp/by-model.json" || fail "report --by model --format json exited $?"

if [ "${UPDATE_GOLDEN:-}" = 1 ]; then
	"$PYTHON" tests/oracle.py expect --prices samples/prices.csv --as-of $asof \
		--by day,provider,model,agent samples/logs \
		>"$golden/samples-expected.json" || fail "the oracle failed"
fi
"$PYTHON" tests/oracle.py compare --expected "$golden/samples-expected.json" \
	--report "$tmp/report.json" --rejects "$tmp/rejects.txt" \
	--csv "$tmp/report.csv" ||
	fail "burnrate's report of samples/ disagrees with golden/samples-expected.json"
"$PYTHON" tests/oracle.py expect --prices samples/prices.csv --as-of $asof \
	--by model samples/logs >"$tmp/by-model.expected" || fail "the oracle failed"
"$PYTHON" tests/oracle.py compare --expected "$tmp/by-model.expected" \
	--report "$tmp/by-model.json" ||
	fail "burnrate's report --by model of samples/ disagrees with the oracle"

if [ "${UPDATE_GOLDEN:-}" = 1 ]; then
	cp "$tmp/report.csv" "$golden/report.csv"
	cp "$tmp/report-by-model.txt" "$golden/report-by-model.txt"
	echo "golden: rewrote $golden (check the table by eye: git diff)"
fi
for f in report.csv report-by-model.txt; do
	if ! cmp -s "$golden/$f" "$tmp/$f"; then
		diff -u "$golden/$f" "$tmp/$f" | head -40 >&2
		fail "$f differs from golden/$f (UPDATE_GOLDEN=1 rewrites it)"
	fi
done
echo "golden: all checks passed"
