#!/bin/sh
# jsonscan.sh - the JSONL scanner against jansson (fuzz/fuzz_jsonscan.c,
# built without libFuzzer as BUILD/fuzz/replay-jsonscan) over every log
# line the repository holds besides its own corpus, which make check
# replays apart: every sample (samples/formats, samples/logs, gzipped ones
# decompressed), the tests' JSONL, generated generic logs (plain and with
# malformed lines, as the e2e tests make them) and every other fuzz
# target's corpus. Each line must be valid for both or neither, and every
# member the scanner captures equal to jansson's value at its path.
. "$(dirname "$0")/common.inc"
replay=${BUILD:-build}/fuzz/replay-jsonscan
case $replay in /*) ;; *) replay=$root/$replay ;; esac
[ -x "$replay" ] || fail "no $replay (make $replay)"
cd "$tmp"
for f in "$root"/samples/logs/*.gz; do
	gzip -dc "$f" >"$(basename "$f" .gz)"
done
gen --seed 61 --records 2000 --format jsonl --out gen.jsonl
gen --seed 62 --records 2000 --format jsonl --nasty --out nasty.jsonl
gen --seed 63 --records 2000 --format jsonl --bad 200 --out bad.jsonl
"$PYTHON" "$root/tests/cclogs.py" --seed 7 --sessions 3 --out cc >/dev/null
set -- "$root"/samples/formats/*.jsonl "$root"/samples/logs/*.jsonl \
	"$root"/tests/*.jsonl ./*.jsonl $(find cc -name '*.jsonl' | sort)
for d in "$root"/fuzz/corpus/*/; do
	[ "$d" = "$root/fuzz/corpus/jsonscan/" ] || set -- "$@" "$d"
done
"$replay" "$@" >out.txt 2>&1 || fail "$(tail -n 5 out.txt)"
n=$(sed -n 's/^jsonscan: replayed \([0-9]*\) inputs$/\1/p' out.txt)
[ "${n:-0}" -ge 300 ] || fail "too few inputs replayed: $(cat out.txt)"
echo "jsonscan: $n inputs, every line of each, agree with jansson"
