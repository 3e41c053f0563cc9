#!/bin/sh
# libreoffice.sh - the XLSX as finance opens it: converted by LibreOffice
# (soffice --headless --convert-to csv, every sheet), its numbers equal the
# JSON report's: every row, the totals, the projection and the budgets.
. "$(dirname "$0")/common.inc"
command -v soffice >/dev/null || fail "soffice is missing (make deps installs libreoffice-calc-nogui)"
cd "$tmp"
"$BURNRATE" --quiet --store s ingest "$root/samples/logs/" 2>/dev/null || true
# Names that read as ECMA-376 escapes (_xHHHH_): text, not the characters.
printf '{"timestamp":"2025-10-05T10:00:00Z","provider":"openai","model":"gpt-4o","agent":"%s","label":"%s","usage":{"input_tokens":7}}\n' \
	'cr_x000D_' '_x0041__X0041_' '__x005F_x0007_' 'tab_x0009_' >xstrings.jsonl
"$BURNRATE" --quiet --store s ingest xstrings.jsonl
for args in "--by day,provider,model" "--by agent,label" "--by month"; do
	# shellcheck disable=SC2086
	"$BURNRATE" --store s report --month 2025-10 --as-of 2025-10-20 $args \
		--budgets "$root/samples/budgets.csv" --format json --output r.json ||
		fail "report json exited $?"
	# shellcheck disable=SC2086
	"$BURNRATE" --store s report --month 2025-10 --as-of 2025-10-20 $args \
		--budgets "$root/samples/budgets.csv" --format xlsx --output r.xlsx ||
		fail "report xlsx exited $?"
	rm -rf out
	# Every sheet as CSV, raw values (not as shown), UTF-8.
	soffice -env:UserInstallation="file://$tmp/profile" --headless \
		--convert-to 'csv:Text - txt - csv (StarCalc):44,34,UTF8,1,,0,false,true,false,false,false,-1' \
		--outdir out r.xlsx >soffice.log 2>&1 || fail "soffice failed: $(cat soffice.log)"
	"$PYTHON" - r.json out <<'EOF' || fail "LibreOffice's reading differs from the JSON for $args (above)"
import csv, json, sys
from decimal import Decimal
d = json.load(open(sys.argv[1]))
out = sys.argv[2]
def sheet(name):
    with open("%s/r-%s.csv" % (out, name), newline="", encoding="utf-8") as f:
        return list(csv.reader(f))
def num(s):
    return Decimal(s.rstrip("%")) if s not in ("", None) else None
def same(a, b):
    # Costs: 6 decimals; counts: exact.
    return abs(Decimal(str(a)) - num(b)) < Decimal("0.0000005")
rows = sheet("Rows")
head = rows[0]
assert len(rows) - 1 == len(d["rows"]), (len(rows), len(d["rows"]))
for got, want in zip(rows[1:], d["rows"]):
    for k, v in zip(head, got):
        w = want[k]
        if isinstance(w, str):
            assert v == w, (k, v, w)
        else:
            assert same(w, v), (k, v, w)
summary = {r[0]: r[1] for r in sheet("Summary") if r and r[0]}
for k, w in d["totals"].items():
    assert same(w, summary[k]), (k, summary[k], w)
p = d["projection"]
assert same(p["month_to_date_usd"], summary["month to date"])
assert same(p["projected_usd"], summary["projected month total"])
assert same(p["low_usd"], summary["projection low (80%)"])
assert same(p["high_usd"], summary["projection high (80%)"])
b = sheet("Budgets")
bh = b[0]
assert len(b) - 1 == len(d["budgets"])
for got, want in zip(b[1:], d["budgets"]):
    g = dict(zip(bh, got))
    assert g["name"] == want["name"] and g["status"] == want["status"], (g, want)
    for k in ("limit_usd", "spent_usd", "projected_usd", "low_usd", "high_usd"):
        assert same(want[k], g[k]), (k, g[k], want[k])
# The breakdown sheets add up to the totals.
for name, key in (("By provider", "provider"), ("By model", "model"), ("By agent", "agent")):
    s = sheet(name)
    col = s[0].index("cost_usd")
    total = sum(num(r[col]) for r in s[1:] if r and r[0])
    assert abs(total - Decimal(str(d["totals"]["cost_usd"]))) < Decimal("0.00001") * len(s), (name, total)
daily = sheet("Daily")
col = daily[0].index("cost_usd")
total = sum(num(r[col]) for r in daily[1:] if r and r[0] and r[col])
assert abs(total - Decimal(str(d["totals"]["cost_usd"]))) < Decimal("0.00001") * len(daily), total
EOF
done
echo "libreoffice: ok"
