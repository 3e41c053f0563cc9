#!/bin/sh
# backfill_safety.sh - a backfill (ingest --replace) never empties its days
# for want of an input: a missing or truncated input publishes nothing
# (exit 1, the store unchanged); and its --dry-run shows what the backfill
# will do in a store holding merged data of the same source, which a
# backfill does not overshadow (README "merge").
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
echo "backfill_safety: ok"
