#!/bin/sh
# ratio_config.sh - the decompression cap is configurable (issue 4) for the
# nightly run too: max_ratio in the configuration, as max_record is, is
# ingest's default (--max-ratio wins) and run's. It was --max-ratio only:
# a night's logs compressed more than 1000 times (zstd -19 of repetitive
# lines) failed every run as a bomb, exit 1, nothing to raise the cap
# with ("unknown key 'max_ratio'"). A value outside 2..1000000 is an
# error naming the file, line and key, exit 2, before anything is done.
. "$(dirname "$0")/common.inc"
cd "$tmp"
mkdir logs
"$PYTHON" - <<'PY'
line = (b'{"timestamp":"2025-10-02T12:00:00Z","provider":"openai","model":'
        b'"gpt-4o","agent":"x","usage":{"input_tokens":1000,"output_tokens":10}}\n')
open("rep.jsonl", "wb").write(line * 200000)
PY
zstd -q -19 -c rep.jsonl >logs/rep.jsonl.zst
size=$(stat -c %s logs/rep.jsonl.zst)
out=$(stat -c %s rep.jsonl)
# A cap under the log's ratio, and one over it.
low=$(( (out - 16777216) / size - 1 ))
high=$(( (out - 16777216) / size + 2 ))
[ "$low" -gt 1000 ] || fail "the log compresses only $low times"

printf 'store s1\nmax_ratio %s\n' "$low" >low.conf
must_fail 1 err "$BURNRATE" --config low.conf ingest logs/rep.jsonl.zst
grep -q "refused as a decompression bomb: .*more than $low times" err ||
	fail "max_ratio $low: not the cap: $(cat err)"
printf 'store s2\nmax_ratio %s\n' "$high" >high.conf
"$BURNRATE" --config high.conf ingest logs/rep.jsonl.zst >out 2>err ||
	fail "max_ratio $high: exit $?: $(cat err)"
grep -q "200000 records" out || fail "max_ratio $high: $(cat out)"
# --max-ratio wins over the configuration's.
must_fail 1 err "$BURNRATE" --config high.conf --store s3 ingest --max-ratio "$low" logs/rep.jsonl.zst
grep -q "more than $low times" err || fail "--max-ratio does not win: $(cat err)"

# run, the nightly job.
cat >run.conf <<CONF
store s4
input logs/*.zst
report_schedule never
max_ratio $high
CONF
"$BURNRATE" --config run.conf run --as-of 2025-10-03 >out 2>err ||
	fail "run with max_ratio $high: exit $?: $(cat err)"
"$BURNRATE" --store s4 report --as-of 2025-10-03 --by month --format csv |
	grep -q '^2025-10,200000,' || fail "run did not ingest the log"
sed "s/max_ratio .*/max_ratio $low/; s/s4/s5/" run.conf >runlow.conf
must_fail 1 err "$BURNRATE" --config runlow.conf run --as-of 2025-10-03
grep -q "decompression bomb" err || fail "run ignores max_ratio: $(cat err)"

for bad in 1 1000001 x 10x -5 ''; do
	printf 'store s6\nmax_ratio %s\n' "$bad" >bad.conf
	must_fail 2 err "$BURNRATE" --config bad.conf ingest logs/rep.jsonl.zst
	if [ -z "$bad" ]; then
		grep -q 'bad.conf:2: max_ratio: a value is needed' err || fail "empty: $(cat err)"
	else
		grep -q "bad.conf:2: max_ratio: invalid value '$bad': expected a factor from 2 to 1000000" err ||
			fail "max_ratio '$bad': $(cat err)"
	fi
	[ ! -e s6 ] || fail "max_ratio '$bad': a store was created"
done
echo "ratio_config: ok"
