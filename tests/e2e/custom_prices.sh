#!/bin/sh
# custom_prices.sh - prices files (DESIGN §7) against an independent pricer
# (tests/custompricer.py, written from the docs, reading nothing of
# burnrate's): `ingest --prices`, `report --reprice --prices` of a store
# ingested with the catalog, each cost mode, `check --prices` to the
# pico-dollar, the configuration's `prices`; a price history with a
# version starting mid-month, tiers with their own histories and
# thresholds, an any-provider row, a model priced only from a later day,
# rates of 6 decimals and sub-micro-dollar costs, the catalog's gpt-4o
# replaced, rows in any order. Then what found departures (helper 205):
# providers alike in their first 127 bytes were one provider to prices
# and budgets; a min_input_tokens above 2^64 - 1 was read as 2^64 - 1.
. "$(dirname "$0")/common.inc"
cd "$tmp"
br() { "$BURNRATE" "$@"; }
pricer() { "$PYTHON" "$root/tests/custompricer.py" "$@"; }
asof=2025-10-31
report_json() { # STORE OUT [ARGS...]
	_s=$1 _o=$2
	shift 2
	br --store "$_s" report --by day,provider,model --as-of $asof \
		--format json --output "$_o" "$@" || fail "report of $_s $*: exit $?"
}
agree() { # EXPECTED REPORT WHAT
	pricer compare --expected "$1" --report "$2" >cmp.out ||
		fail "$3 disagrees with the independent pricer: $(cat cmp.out)"
}

# Rows out of order, a tier in capitals, an empty line; acme/nope is in
# no catalog, gpt-4o's batch tier not in the file (unpriced).
cat >p.csv <<'EOF'
provider,model,from,input,output,cache_read,cache_write,cache_write_1h,reasoning,min_input_tokens,tier
acme,hist,2025-10-20,1.000001,4.999999,0.100001,1.250001,2.000001,7.123456,,
acme,hist,,1.5,6,0.15,1.875,3,,,
acme,hist,2025-10-10,1.25,5.5,0.125,,,,,
acme,tiers,,6,22.5,0.6,7.5,12,,200001,
acme,tiers,,3,15,0.3,3.75,6,,,
acme,tiers,,4,18,0.4,,,,32001,
acme,tiers,,1.5,7.5,0.15,1.875,3,,,batch
acme,tiers,,3,11.25,0.3,,,,200001,BATCH

acme,tiers,,1.5,7.5,,,,,,flex
acme,tiers,,6,30,0.6,7.5,12,,,priority
acme,tiers,2025-10-15,5,25,0.5,6.25,10,9,,priority
acme,tiers,2025-10-15,7,33,0.7,8.75,14,12,128001,priority
,anyp,,0.5,1.5,0.05,0.625,1,2,,
acme,future,2025-10-20,2,8,,,,,,
acme,tiny,,0.000001,0.000003,0.000001,0.000002,0.000004,0.000005,,
openai,gpt-4o,,2.000001,8.5,1,,,,,
google,gem,,0.3,2.5,0.03,,,,,
google,gem,2025-10-12,0.35,2.75,0.035,,,,,
EOF
pricer gen --seed 1 --records 6000 --out g1.jsonl
pricer gen --seed 2 --records 3000 --out g2.csv

# 1. ingest --prices and report --reprice --prices, in each cost mode.
for mode in auto calculate display; do
	pricer expect --prices p.csv --cost-mode $mode g1.jsonl g2.csv >e-$mode.json
	br --store p-$mode ingest --cost-mode $mode --prices p.csv g1.jsonl g2.csv \
		>/dev/null 2>ingest.err || fail "ingest --prices ($mode): exit $?"
	report_json p-$mode r-$mode.json
	agree e-$mode.json r-$mode.json "ingest --prices p.csv --cost-mode $mode"
	br --quiet --store c-$mode ingest --cost-mode $mode g1.jsonl g2.csv
	report_json c-$mode rr-$mode.json --reprice --prices p.csv
	agree e-$mode.json rr-$mode.json "report --reprice --prices p.csv ($mode)"
done
# The logs exercise what this is about.
"$PYTHON" - e-calculate.json <<'EOF' || fail "the logs miss a case"
import json, sys
e = json.load(open(sys.argv[1]))
def rows(model, day=None):
    return [v for k, v in e.items() if k.split("|")[2] == model and
            (day is None or k.split("|")[0] < day)]
# (requests without tokens cost nothing, whatever the model)
for v in rows("future", "2025-10-20") + rows("nope"):
    assert v["unpriced"] > 0 and v["pico"] == 0, v
assert sum(v["pico"] for v in rows("tiny")) > 0 and len(e) > 250
EOF
# A request before the model's first price: unpriced and said so, not $0.
printf '{"timestamp":"2025-10-19T23:59:59Z","provider":"acme","model":"future","request_id":"f","usage":{"input_tokens":1}}\n' >future.jsonl
br --store future ingest --prices p.csv future.jsonl >/dev/null 2>future.err
grep -q 'warning: 1 request without a price, counted as unpriced: acme/future (1)' future.err ||
	fail "no warning names acme/future: $(cat future.err)"
br --store future report --as-of $asof --format json |
	grep -q '"unpriced":\[{"provider":"acme","model":"future","requests":1}\]' ||
	fail "the report does not list acme/future as unpriced"

# 2. check --prices: the baseline's exact costs, per group.
br check --write-baseline base.json --by day,provider,model --prices p.csv \
	g1.jsonl g2.csv >/dev/null 2>&1 || fail "check --write-baseline: exit $?"
"$PYTHON" - base.json e-auto.json <<'EOF' || fail "check --prices disagrees with the independent pricer"
import json, sys
from decimal import Decimal
b, e = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
got = {"%s|%s|%s" % (r["day"], r["provider"], r["model"]):
       int(Decimal(r["cost_usd"]) * 10**12) for r in b["rows"]}
want = {k: v["pico"] for k, v in e.items()}
assert got == want, sorted(set(got.items()) ^ set(want.items()))[:10]
assert int(Decimal(b["totals"]["cost_usd"]) * 10**12) == sum(want.values())
EOF

# 3. The configuration's prices: ingest, report --reprice, check, prices.
printf 'store %s/cfg-store\nprices %s/p.csv\n' "$tmp" "$tmp" >cfg.conf
br --config cfg.conf --quiet ingest g1.jsonl g2.csv
report_json "$tmp/cfg-store" rc.json
agree e-auto.json rc.json "ingest with the configuration's prices"
br --config cfg.conf report --by day,provider,model --as-of $asof --reprice \
	--format json --output rcr.json
agree e-auto.json rcr.json "report --reprice with the configuration's prices"
br --config cfg.conf prices show hist --provider acme --on 2025-10-20 >show.out
grep -q 'reasoning  *\$7\.123456$' show.out ||
	fail "prices show with the configuration's prices: $(cat show.out)"

# 4. Sub-micro-dollar costs: summed exactly, rounded once, half away from
# zero (1 + 3 pico-dollars is $0.000000; 999,999 is $0.000001; 500,000
# rounds up, 499,999 down).
for r in '05 1 0' '05 0 1' '06 0 166667' '06 0 166666' '07 500000 0' '08 499999 0'; do
	# shellcheck disable=SC2086
	set -- $r
	printf '{"timestamp":"2025-10-%sT02:00:00Z","provider":"acme","model":"tiny","request_id":"t%s-%s-%s","usage":{"input_tokens":%s,"output_tokens":%s}}\n' "$1" "$1" "$2" "$3" "$2" "$3"
done >tiny.jsonl
br --quiet --store tiny ingest --prices p.csv tiny.jsonl
br --store tiny report --as-of $asof --format csv | cut -d, -f1,10 >tiny.out
[ "$(cat tiny.out)" = "$(printf 'day,cost_usd\n2025-10-05,0.000000\n2025-10-06,0.000001\n2025-10-07,0.000001\n2025-10-08,0.000000')" ] ||
	fail "sub-micro-dollar costs: $(cat tiny.out)"

# 5. Providers of more than 127 bytes: one alike in its first 127 bytes
# to a provider the prices file names was priced by that provider's row
# ($1 for a request of a provider the file does not name), and a budget
# of either counted both.
long=$("$PYTHON" -c 'print("q" * 130)')
printf 'provider,model,from,input,output,cache_read,cache_write\n%sA,m1,,1,1,,\n' "$long" >long.csv
for p in A B; do
	printf '{"timestamp":"2025-10-01T00:00:00Z","provider":"%s%s","model":"m1","request_id":"%s","usage":{"input_tokens":1000000}}\n' "$long" $p $p
done >long.jsonl
br --quiet --store long ingest --prices long.csv long.jsonl 2>/dev/null
br --store long report --as-of $asof --by provider --format csv |
	sed 's/^q*//' | cut -d, -f1,10,11 | tr -d '\r' >long.out
[ "$(cat long.out)" = "$(printf 'provider,cost_usd,unpriced_requests\nA,1.000000,0\nB,0.000000,1')" ] ||
	fail "providers alike in their first 127 bytes: $(cat long.out)"
printf 'name,scope,period,limit_usd\na,provider=%sA,monthly,10\nb,provider=%sB,monthly,10\n' "$long" "$long" >long-budgets.csv
br --store long report --as-of $asof --budgets long-budgets.csv --format json |
	"$PYTHON" -c '
import json, sys
b = {x["name"]: x["spent_usd"] for x in json.load(sys.stdin)["budgets"]}
assert b == {"a": 1.0, "b": 0.0}, b' || fail "budgets of providers alike in their first 127 bytes"

# 6. A prices file's bad values are refused naming file, line and value,
# exit 2: a threshold beyond 2^64 - 1 (it was read as 2^64 - 1), a rate
# above the $1,000,000 per 1M tokens a rate may be (said so).
printf 'provider,model,from,input,output,cache_read,cache_write,min_input_tokens\nacme,m1,,1,2,,,\nacme,m1,,3,4,,,18446744073709551616\n' >min.csv
must_fail 2 min.err br --store x ingest --prices min.csv tiny.jsonl
grep -q "^burnrate: error: min.csv:3: invalid min_input_tokens '18446744073709551616'" min.err ||
	fail "a threshold beyond 2^64 - 1: $(cat min.err)"
printf 'provider,model,from,input,output,cache_read,cache_write\nacme,m1,,1000000.000001,1,,\n' >rate.csv
must_fail 2 rate.err br prices --prices rate.csv check
grep -q "^burnrate: error: rate.csv:2: invalid input rate '1000000.000001': .*at most 1000000$" rate.err ||
	fail "a rate above the bound: $(cat rate.err)"
# 7. A prices file and a configuration kept in the directory of logs are
# left out of ingest's walk, as check's walk leaves them out: the prices
# CSV was an input that failed ("cannot tell the log format"), exit 1.
mkdir -p kept
printf '{"timestamp":"2025-10-01T12:00:00Z","provider":"acme","model":"m1","request_id":"k1","usage":{"input_tokens":1000000,"output_tokens":0}}\n' >kept/a.jsonl
printf 'provider,model,from,input,output,cache_read,cache_write\nacme,m1,,2,4,,\n' >kept/prices.csv
printf 'prices prices.csv\n' >kept/burnrate.conf
br --store kept.store ingest --prices kept/prices.csv kept >kept.out 2>&1 ||
	fail "a prices file in the logs' directory: exit $?: $(cat kept.out)"
br --store kept2.store --config kept/burnrate.conf ingest kept >kept.out 2>&1 ||
	fail "a configuration in the logs' directory: exit $?: $(cat kept.out)"
for st in kept.store kept2.store; do
	br --store $st report --format csv | tr -d "\r" | grep -q "^2025-10-01,1,0,1000000,.*,2\.000000,0$" ||
		fail "the logs beside a prices file and a configuration: $(br --store $st report --format csv)"
done
echo "custom_prices: ok"
