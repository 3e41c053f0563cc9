#!/bin/sh
# backfill.sh - ingest --replace FROM..TO --dry-run: shows per day,
# provider and model what the backfill would change, publishes nothing,
# and what it shows is what the real backfill then does.
. "$(dirname "$0")/common.inc"
cd "$tmp"
"$BURNRATE" --quiet --store s ingest "$root/samples/logs/app-2025-10.jsonl" 2>/dev/null
# The corrected logs of 2025-10-01..10: the first 200 lines of the month.
head -200 "$root/samples/logs/app-2025-10.jsonl" >fixed.jsonl
ls -l s/segments >segments.before
"$BURNRATE" --store s report --since 2025-10-01 --until 2025-10-10 --as-of 2025-10-31 \
	--by day,provider,model --format json >before.json
"$BURNRATE" --store s ingest --replace 2025-10-01..2025-10-10 --dry-run \
	fixed.jsonl >preview.txt 2>preview.err || fail "dry run exited $?: $(cat preview.err)"
ls -l s/segments >segments.after
cmp -s segments.before segments.after || fail "--dry-run published something"
grep -q "^dry run: the backfill of 2025-10-01..2025-10-10 for source 'default' would change" \
	preview.txt || fail "no headline: $(cat preview.txt)"
must_fail 2 err "$BURNRATE" --store s ingest --dry-run fixed.jsonl
grep -q -- '--dry-run goes with --replace' err || fail "dry run without --replace: $(cat err)"

# The real backfill; the preview's before and after are the two reports.
"$BURNRATE" --quiet --store s ingest --replace 2025-10-01..2025-10-10 fixed.jsonl 2>/dev/null
"$BURNRATE" --store s report --since 2025-10-01 --until 2025-10-10 --as-of 2025-10-31 \
	--by day,provider,model --format json >after.json
"$PYTHON" - preview.txt before.json after.json <<'EOF' || fail "preview differs from the backfill (above)"
import json, sys
from decimal import Decimal
lines = open(sys.argv[1]).read().splitlines()
before = {(r["day"], r["provider"], r["model"]): r for r in json.load(open(sys.argv[2]))["rows"]}
after = {(r["day"], r["provider"], r["model"]): r for r in json.load(open(sys.argv[3]))["rows"]}
zero = {"requests": 0, "cost_usd": 0}
want = {}
for k in set(before) | set(after):
    b, a = before.get(k, zero), after.get(k, zero)
    if (b["requests"], b["cost_usd"]) != (a["requests"], a["cost_usd"]):
        want[k] = (b["requests"], a["requests"], Decimal(str(b["cost_usd"])), Decimal(str(a["cost_usd"])))
got = {}
total = None
for l in lines[2:]:
    f = l.split()
    if f[0] == "total":
        total = f
        continue
    # day provider model rb -> ra cb -> ca change
    got[(f[0], f[1], f[2])] = (int(f[3]), int(f[5]), Decimal(f[6]), Decimal(f[8]))
assert got == want, (got, want)
assert want, "the fixed logs should change something"
tb = json.load(open(sys.argv[2]))["totals"]
ta = json.load(open(sys.argv[3]))["totals"]
assert (int(total[1]), int(total[3])) == (tb["requests"], ta["requests"]), total
assert (Decimal(total[4]), Decimal(total[6])) == (Decimal(str(tb["cost_usd"])), Decimal(str(ta["cost_usd"]))), total
assert "%d groups" % len(want) in lines[0] or "1 group " in lines[0], lines[0]
EOF
# Nothing to change: the same logs again.
"$BURNRATE" --store s ingest --replace 2025-10-01..2025-10-10 --dry-run fixed.jsonl \
	>same.txt 2>/dev/null || fail "second dry run exited $?"
grep -q "would change 0 groups on 0 days" same.txt || fail "no-op preview: $(cat same.txt)"
# A backfill of an input new to the store with records outside its range
# says by name that they are not counted and never will be by a later
# ingest, which skips the input (the store keeps no day range per input);
# of an input ingested before, whose other days were counted, it says
# nothing.
gen --seed 2 --records 60 --format jsonl --start 2025-09-01 --days 30 --out sep.jsonl
"$BURNRATE" --store part ingest --replace 2025-09-10..2025-09-12 sep.jsonl \
	>/dev/null 2>part.err || fail "a partial backfill exited $?"
grep -q "warning: sep.jsonl: [0-9]* records outside the --replace range, not counted; it is now recorded as ingested" part.err ||
	fail "a partial backfill of a new input did not warn: $(cat part.err)"
set +e
"$BURNRATE" --store failed ingest --replace 2025-09-10..2025-09-12 sep.jsonl missing.jsonl \
	>/dev/null 2>failed.err
set -e
grep -q "backfill not published" failed.err && ! grep -q "recorded as ingested" failed.err ||
	fail "a backfill not published warned that an input is recorded: $(cat failed.err)"
"$BURNRATE" --store dry ingest --replace 2025-09-10..2025-09-12 --dry-run sep.jsonl \
	>/dev/null 2>dry.err || fail "a partial dry run exited $?"
grep -q "recorded as ingested" dry.err && fail "a dry run, which records nothing, warned: $(cat dry.err)"
"$BURNRATE" --quiet --store whole ingest sep.jsonl
"$BURNRATE" --store whole ingest --replace 2025-09-10..2025-09-12 sep.jsonl \
	>/dev/null 2>whole.err || fail "a partial backfill exited $?"
grep -q "outside the --replace range, not counted" whole.err &&
	fail "a backfill of an input ingested before warned: $(cat whole.err)"
# A backfill under another source than the one that ingested an input
# would count it twice (the file counted in 'prod' and again in
# 'default'): refused by name, nothing published, exit 1; under its own
# source it replaces as usual.
"$BURNRATE" --quiet --store src ingest --source prod sep.jsonl
"$BURNRATE" --store src report --as-of 2025-09-30 --by month --format csv >src.before
must_fail 1 src.err "$BURNRATE" --store src ingest --replace 2025-09-01..2025-09-30 sep.jsonl
grep -q "sep.jsonl: ingested before under source 'prod': a backfill of it under source 'default' would count it twice (give --source prod)" src.err ||
	fail "a backfill under another source: $(cat src.err)"
"$BURNRATE" --store src report --as-of 2025-09-30 --by month --format csv >src.after
cmp -s src.before src.after || fail "a refused backfill changed the totals: $(cat src.after)"
"$BURNRATE" --quiet --store src ingest --source prod --replace 2025-09-01..2025-09-30 sep.jsonl ||
	fail "a backfill under the input's own source exited $?"
"$BURNRATE" --store src report --as-of 2025-09-30 --by month --format csv >src.after
cmp -s src.before src.after || fail "a backfill of the same content changed the totals: $(cat src.after)"
# So is a live log that grew since (its whole fingerprint is new, its
# first bytes are source 'a''s), or was rotated and grew: the guard read
# only the whole file's fingerprint, and the backfill counted the first
# day's records in 'a' and 'default'.
L() { printf '{"timestamp":"2025-11-%sT12:00:00Z","provider":"openai","model":"gpt-4o","request_id":"%s","usage":{"input_tokens":10,"output_tokens":5}}\n' "$1" "$2"; }
mkdir grown rotated
{ L 01 g1; L 02 g2; } >grown/app.log
{ L 01 r1; L 02 r2; } >rotated/app.log
"$BURNRATE" --quiet --store grow ingest --source a grown rotated
L 02 g3 >>grown/app.log
L 02 r3 >>rotated/app.log
mv rotated/app.log rotated/app.log.1
L 03 r4 >rotated/app.log
"$BURNRATE" --store grow report --as-of 2025-11-30 --format csv >grow.before
for d in grown rotated; do
	must_fail 1 grow.err "$BURNRATE" --store grow ingest --replace 2025-11-02..2025-11-02 $d
	grep -q "ingested before under source 'a': a backfill of it under source 'default' would count it twice (give --source a)" grow.err ||
		fail "a backfill of a $d log under another source: $(cat grow.err)"
done
"$BURNRATE" --store grow report --as-of 2025-11-30 --format csv >grow.after
cmp -s grow.before grow.after || fail "a refused backfill of a grown log changed the totals: $(cat grow.after)"
# So is a compressed log grown by a stream appended (a gzip member, a
# zstd frame): its first bytes are compared by their content. The guard
# hashed the file's compressed bytes, and the backfill counted the first
# day's records in 'a' and 'default' (tests/storeops.py, make torture).
mkdir packed
{ L 01 p1; L 02 p2; } | gzip -c >packed/app.log.gz
{ L 01 z1; L 02 z2; } | zstd -q -c >packed/app.log.zst
rm -rf growz
"$BURNRATE" --quiet --store growz ingest --source a packed
L 02 p3 | gzip -c >>packed/app.log.gz
L 02 z3 | zstd -q -c >>packed/app.log.zst
"$BURNRATE" --store growz report --as-of 2025-11-30 --format csv >growz.before
for f in app.log.gz app.log.zst; do
	must_fail 1 grow.err "$BURNRATE" --store growz ingest --replace 2025-11-02..2025-11-02 packed/$f
	grep -q "packed/$f: ingested before under source 'a': a backfill of it under source 'default' would count it twice (give --source a)" grow.err ||
		fail "a backfill of a grown $f under another source: $(cat grow.err)"
done
"$BURNRATE" --store growz report --as-of 2025-11-30 --format csv >growz.after
cmp -s growz.before growz.after || fail "a refused backfill of a grown compressed log changed the totals: $(cat growz.after)"
"$BURNRATE" --quiet --store growz ingest --source a --replace 2025-11-02..2025-11-02 packed ||
	fail "a backfill of grown compressed logs under their own source exited $?"
[ "$("$BURNRATE" --store growz report --as-of 2025-11-30 --since 2025-11-02 --until 2025-11-02 --format csv | tail -n 1 | cut -d, -f2)" = 4 ] ||
	fail "a backfill of grown compressed logs under their own source: $("$BURNRATE" --store growz report --as-of 2025-11-30 --format csv)"
"$BURNRATE" --quiet --store grow ingest --source a --replace 2025-11-02..2025-11-02 grown rotated ||
	fail "a backfill of grown logs under their own source exited $?"
[ "$("$BURNRATE" --store grow report --as-of 2025-11-30 --since 2025-11-02 --until 2025-11-02 --format csv | tail -n 1 | cut -d, -f2)" = 4 ] ||
	fail "a backfill of grown logs under their own source: $("$BURNRATE" --store grow report --as-of 2025-11-30 --format csv)"

# A request id whose first copy is outside the range and whose retry is
# inside it counted once in the whole ingest (on the first copy's day):
# a backfill of the retry's day with the same file counts it once too, so
# the totals do not change. Half the file's ids repeat 15,000 records
# later, in another block with --jobs 2 (6 MB: parsed in blocks).
"$PYTHON" - <<'EOF'
import json
with open("straddle.jsonl", "w") as f:
    def rec(i, day, sec):
        f.write(json.dumps({"timestamp": "2025-10-%02dT%s" % (day, sec),
                            "provider": "openai", "model": "gpt-4o", "agent": "a",
                            "request_id": "d-%d" % i, "metadata": "x" * 120,
                            "usage": {"input_tokens": 1000 + i, "output_tokens": 7}}) + "\n")
    for i in range(15000):
        rec(i, 1, "23:59:%02dZ" % (i % 60))
    for i in range(15000):
        rec(i if i % 2 == 0 else 100000 + i, 2, "00:00:%02dZ" % (i % 60))
EOF
for jobs in 1 2; do
	"$BURNRATE" --quiet --store "straddle$jobs" ingest straddle.jsonl
	"$BURNRATE" --store "straddle$jobs" report --as-of 2025-10-31 --format csv >straddle.before
	grep -q '^2025-10-02,7500,' straddle.before || fail "straddling ids, whole ingest: $(cat straddle.before)"
	"$BURNRATE" --store "straddle$jobs" ingest --jobs $jobs --replace 2025-10-02..2025-10-02 \
		straddle.jsonl >straddle.out 2>&1 || fail "backfill of straddling ids exited $?"
	grep -q '7500 requests kept, 7500 duplicates dropped, 15000 rejected' straddle.out ||
		fail "backfill of straddling ids, --jobs $jobs: $(cat straddle.out)"
	"$BURNRATE" --store "straddle$jobs" report --as-of 2025-10-31 --format csv >straddle.after
	cmp -s straddle.before straddle.after ||
		fail "backfill of straddling ids, --jobs $jobs: $(diff straddle.before straddle.after)"
done

# Names from the logs in the preview: control characters shown as '?',
# and two groups whose names differ only in where a \x1f falls stay two.
printf '%s\n' '{"timestamp":"2025-09-20T00:00:00Z","provider":"a\u001fb","model":"c","usage":{"input_tokens":5}}' \
	'{"timestamp":"2025-09-20T00:00:00Z","provider":"a","model":"b\u001fc","usage":{"input_tokens":7}}' \
	'{"timestamp":"2025-09-20T00:00:00Z","provider":"openai","model":"m\u001b]0;pwn\u0007","usage":{"input_tokens":7}}' >names.jsonl
"$BURNRATE" --store names ingest --replace 2025-09-20..2025-09-20 --dry-run \
	names.jsonl >names.out 2>&1 || fail "dry run of odd names exited $?"
! grep -q "$(printf '[\033\007\037]')" names.out &&
	grep -q 'would change 3 groups' names.out && grep -q '  a  *b?c  ' names.out &&
	grep -q '  a?b  *c  ' names.out && grep -q '  m?\]0;pwn?  ' names.out ||
	fail "dry run of odd names: $(cat -v names.out)"
# The preview's columns line up on a terminal whatever the names'
# letters: a CJK character takes two columns, an accented letter of two
# bytes one (they were counted in bytes: the row of '数据模型' ended 4
# columns left of the others, that of 'modèle' 1).
printf '%s\n' '{"timestamp":"2025-09-21T00:00:00Z","provider":"openai","model":"数据模型","usage":{"input_tokens":5}}' \
	'{"timestamp":"2025-09-21T00:00:00Z","provider":"mistral","model":"modèle","usage":{"input_tokens":5}}' \
	'{"timestamp":"2025-09-21T00:00:00Z","provider":"openai","model":"gpt-4o","usage":{"input_tokens":5}}' >wide.jsonl
"$BURNRATE" --store wide ingest --replace 2025-09-21..2025-09-21 --dry-run \
	wide.jsonl >wide.out 2>&1 || fail "dry run of wide names exited $?"
aligned wide.out ' -> ' 4 ||
	fail "the preview's columns with wide letters (above)"
echo "backfill: ok"
