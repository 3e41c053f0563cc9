#!/bin/sh
# backfill_safety.sh - a backfill (ingest --replace) never empties its days
# for want of an input: a missing or truncated input publishes nothing
# (exit 1, the store unchanged); and its --dry-run shows what the backfill
# will do in a store holding merged data of the same source, which a
# backfill does not overshadow (README "merge"); an input merged from
# another store, or held under several other sources, is refused by name
# (README "Backfill").
. "$(dirname "$0")/common.inc"
cd "$tmp"
gen --seed 2 --records 600 --format jsonl --start 2025-09-01 --days 30 \
	--cost-frac 0 --id-prefix a- --out sep.jsonl
gen --seed 3 --records 200 --format jsonl --start 2025-09-01 --days 30 \
	--cost-frac 0 --id-prefix b- --out fixed.jsonl
total() { # STORE: requests and cost of September
	"$BURNRATE" --store "$1" report --since 2025-09-01 --until 2025-09-30 \
		--as-of 2025-09-30 --by month --format json | "$PYTHON" -c \
		'import json,sys; t=json.load(sys.stdin)["totals"]; print("%d,%.6f" % (t["requests"], t["cost_usd"]))'
}
"$BURNRATE" --quiet --store s ingest sep.jsonl 2>/dev/null
sept=$(total s)
ls s/segments >segments.before

# A mistyped name: nothing read, nothing replaced.
must_fail 1 err "$BURNRATE" --store s ingest --replace 2025-09-01..2025-09-30 \
	fixed-typo.jsonl
[ "$(total s)" = "$sept" ] || fail "a backfill of a missing file changed September: $(total s), was $sept"
# A truncated gzip beside a sound input: the backfill would lose its days.
gzip -c fixed.jsonl | head -c 3000 >cut.jsonl.gz
must_fail 1 err "$BURNRATE" --store s ingest --replace 2025-09-01..2025-09-30 \
	fixed.jsonl cut.jsonl.gz
[ "$(total s)" = "$sept" ] || fail "a backfill with a truncated input changed September: $(total s), was $sept"
ls s/segments >segments.after
cmp -s segments.before segments.after || fail "a failed backfill published a segment"

# The dry run in a store with merged data of the source 'default'.
"$BURNRATE" --quiet --store shard ingest sep.jsonl 2>/dev/null
"$BURNRATE" --quiet --store central merge shard
before=$(total central)
"$BURNRATE" --store central ingest --replace 2025-09-01..2025-09-30 --dry-run \
	fixed.jsonl >preview.txt 2>/dev/null
"$BURNRATE" --quiet --store central ingest --replace 2025-09-01..2025-09-30 \
	fixed.jsonl 2>/dev/null
after=$(total central)
# total  RB -> RA  CB -> CA  change: the preview's change is the real one.
"$PYTHON" - preview.txt "$before" "$after" <<'PY' || fail "the dry run's change is not the backfill's (above)"
import sys
from decimal import Decimal
t = [l.split() for l in open(sys.argv[1]) if l.startswith("total")][0]
(rb, cb), (ra, ca) = [s.split(",") for s in sys.argv[2:4]]
got = (int(t[3]) - int(t[1]), Decimal(t[6]) - Decimal(t[4]))
want = (int(ra) - int(rb), Decimal(ca) - Decimal(cb))
assert got == want, ("preview change", got, "actual change", want)
PY

# An input merged from another store: a backfill here never overshadows
# merged data, so under any source (the merged one's or another) it would
# count the input twice. Refused by name, nothing published, exit 1; so is
# the log grown since and rotated into another directory (its first bytes
# are the merged input's). The way out the message gives works: backfill
# the shard, merge it again.
P() { printf '{"timestamp":"2026-10-%sT06:00:00Z","provider":"acme","model":"m1","request_id":"%s","usage":{"input_tokens":1000000}}\n' "$1" "$2"; }
printf 'provider,model,from,input,output,cache_read,cache_write\nacme,m1,,2,8,,\n' >p.csv
mkdir mlogs
{ P 26 a; P 27 b; } >mlogs/a.jsonl
"$BURNRATE" --store A --quiet ingest --prices p.csv mlogs
"$BURNRATE" --store M --quiet merge A
oct() { "$BURNRATE" --store M report --since 2026-10-01 --until 2026-10-31 --format csv; }
oct >oct.before
ls M/segments >msegs.before
for src in default other; do
	must_fail 1 merged.err "$BURNRATE" --store M ingest --source $src \
		--replace 2026-10-26..2026-10-27 --prices p.csv mlogs
	grep -q "mlogs/a.jsonl: came into this store by merge, from '.*/A' (source 'default'): a backfill never replaces merged data, so under any source it would count it twice; backfill it in the store that ingested it, then merge that store again" merged.err ||
		fail "a backfill under '$src' of a merged input: $(cat merged.err)"
done
P 27 c >>mlogs/a.jsonl
mkdir moved
cp mlogs/a.jsonl moved/b.jsonl
for d in mlogs moved; do
	must_fail 1 merged.err "$BURNRATE" --store M ingest \
		--replace 2026-10-26..2026-10-27 --prices p.csv $d
	grep -q "a.jsonl: came into this store by merge\|b.jsonl: came into this store by merge" merged.err ||
		fail "a backfill of the merged input grown ($d): $(cat merged.err)"
done
oct >oct.after
cmp -s oct.before oct.after || fail "a refused backfill of merged data changed the report: $(cat oct.after)"
ls M/segments >msegs.after
cmp -s msegs.before msegs.after || fail "a refused backfill of merged data published a segment"
"$BURNRATE" --store M verify >/dev/null || fail "verify after a refused backfill of merged data"
# The shard's new data still merges, and so does its backfill.
P 28 d >mlogs/new.jsonl
"$BURNRATE" --store A --quiet ingest --prices p.csv mlogs
"$BURNRATE" --store M --quiet merge A || fail "merging the shard's new data after a refused backfill exited $?"
"$BURNRATE" --store A --quiet ingest --replace 2026-10-26..2026-10-27 --prices p.csv mlogs/a.jsonl
"$BURNRATE" --store M --quiet merge A || fail "merging the shard's backfill exited $?"
[ "$(oct | cut -d, -f1,2,10 | tr '\n' ' ')" = "day,requests,cost_usd 2026-10-26,1,2.000000 2026-10-27,2,4.000000 2026-10-28,1,2.000000 " ] ||
	fail "the shard's data merged after its backfill: $(oct)"
"$BURNRATE" --store M verify >/dev/null || fail "verify after merging the shard's backfill"

# A log that grew across plain ingests under three sources: a backfill
# under any of them would count the others' records twice, and so would
# one under any other: the refusal names them all and suggests no
# --source (each refusal named one other, which refused in turn). So for
# two sources, each holding a part.
mkdir three two
P 26 t1 >three/a.jsonl
P 26 u1 >two/a.jsonl
"$BURNRATE" --store t --quiet ingest three two
P 28 t2 >>three/a.jsonl
P 28 u2 >>two/a.jsonl
"$BURNRATE" --store t --quiet ingest --source b three two
P 29 t3 >>three/a.jsonl
"$BURNRATE" --store t --quiet ingest --source c three
treport() { "$BURNRATE" --store t report --since 2026-10-01 --until 2026-10-31 --format csv; }
treport >t.before
for src in default b c x; do
	must_fail 1 three.err "$BURNRATE" --store t ingest --source $src \
		--replace 2026-10-26..2026-10-29 three
	case $src in
	x) want="'b', 'c' and 'default':" ;;
	default) want="'b', 'c' and 'default' (this backfill's):" ;;
	b) want="'c', 'default' and 'b' (this backfill's):" ;;
	c) want="'b', 'default' and 'c' (this backfill's):" ;;
	esac
	grep -qF "three/a.jsonl: its records were ingested before under sources $want a backfill of it under any one source would count what the others hold twice, so no --source can backfill it" three.err ||
		fail "a backfill under '$src' of a log held under three sources: $(cat three.err)"
	grep -q "give --source" three.err && fail "a --source that would be refused too: $(cat three.err)"
done
for src in default b; do
	must_fail 1 two.err "$BURNRATE" --store t ingest --source $src \
		--replace 2026-10-26..2026-10-28 two
	grep -q "two/a.jsonl: its records were ingested before under sources '.*' and '$src' (this backfill's):" two.err ||
		fail "a backfill under '$src' of a log held under two sources: $(cat two.err)"
	grep -q "give --source" two.err && fail "a --source that would be refused too: $(cat two.err)"
done
treport >t.after
cmp -s t.before t.after || fail "a refused backfill changed the report: $(cat t.after)"
"$BURNRATE" --store t verify >/dev/null || fail "verify after refused backfills"
# A backfill under another source whose range holds none of a log's
# records is not refused (it counts nothing twice), and does not record
# the log as its input either: recorded, the log was held under two
# sources, so its own source could never backfill it again and the store
# could never be merged (exit 0, then exit 1 for both, for good).
mkdir other
{ P 26 o1; P 27 o2; } >other/a.jsonl
"$BURNRATE" --store o --quiet ingest --source a other
"$BURNRATE" --store o --quiet ingest --source b --replace 2026-10-01..2026-10-02 \
	other 2>/dev/null || fail "a backfill of none of another source's records exited $?"
"$BURNRATE" --store o --quiet compact
"$BURNRATE" --store om --quiet merge o 2>merge.err ||
	fail "merging a store after a backfill of none of a log's records: $(cat merge.err)"
"$BURNRATE" --store o --quiet ingest --source a --replace 2026-10-26..2026-10-27 \
	other 2>own.err || fail "its own source's backfill of the log: $(cat own.err)"
[ "$("$BURNRATE" --store o report --since 2026-10-01 --until 2026-10-31 --by month --format csv | cut -d, -f2 | tail -1)" = 2 ] ||
	fail "the log's requests after the backfills"
echo "backfill_safety: ok"
