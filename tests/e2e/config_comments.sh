#!/bin/sh
# config_comments.sh - burnrate.conf as README's example writes it: a '#'
# after a blank ends the value ("input /var/log/llm/*.jsonl  # repeatable;
# globs"); a '#' inside a word or a double-quoted value stays; a UTF-8 BOM
# before the first key is skipped.
. "$(dirname "$0")/common.inc"
cd "$tmp"
mkdir logs
gen --seed 5 --records 50 --format jsonl --start 2025-10-01 --days 3 \
	--cost-frac 1 --out logs/app.jsonl
cat >burnrate.conf <<'CONF'
store            store      # the store
input            logs/*.jsonl        # repeatable; globs
reports_dir      reports
report_formats   json	# tab before the comment
report_schedule  never                     # daily|weekly|monthly|never
max_record       16M                         # ingest --max-record
source           "a#b"   # quoted
CONF
"$BURNRATE" --config burnrate.conf run --as-of 2025-10-03 >out 2>err ||
	fail "run exited $?: $(cat err)"
grep -q "1 input ingested (50 records)" out || fail "the input was not ingested: $(cat out)"
[ -f reports/burnrate-2025-10-03.json ] || fail "no report"
"$BURNRATE" --store store report --source 'a#b' --as-of 2025-10-03 --by month \
	--format csv | grep -q '^2025-10,50,' || fail "source a#b lacks the 50 requests"
# A key followed by a comment only has no value (it took "# none yet").
printf 'store store\nreport_to     # none yet\n' >empty.conf
must_fail 2 err "$BURNRATE" --config empty.conf report --as-of 2025-10-03
grep -q "empty.conf:2: report_to: a value is needed" err ||
	fail "a comment taken for a value: $(cat err)"
# Saved by Notepad as "UTF-8 with BOM", with CRLF: the BOM is no part of
# the first key ("unknown key 'store'", the BOM unseen, before).
printf '\357\273\277store store\r\nreport_schedule never\r\n' >bom.conf
"$BURNRATE" --config bom.conf report --as-of 2025-10-03 --by month \
	--format csv >out 2>err || fail "a configuration with a BOM: $(cat err)"
grep -q '^2025-10,50,' out || fail "the BOM's configuration lacks the store: $(cat out)"
echo "config_comments: ok"
