#!/bin/sh
# catalog_prices.sh - pricing with the built-in catalog against the
# independent oracle (tests/oracle.py reads data/catalog.csv and
# data/aliases.csv itself): price history on both sides of each change,
# long-context thresholds, service tiers, cache writes, provider spellings,
# aliases and unknown names (tests/pricelogs.py). Then: report --reprice
# --prices X equals a fresh ingest with --prices X; a threshold the store
# did not record is refused; the audit trail names the catalog and the
# override by sha256; `burnrate prices` list/show/check; names priced by
# genai-prices' regex rules and Bedrock ARNs.
. "$(dirname "$0")/common.inc"
cd "$tmp"
asof=2099-12-31
by=day,provider,model,agent
br() { "$BURNRATE" "$@"; }
report_json() { # STORE OUT [ARGS...]
	store=$1 out=$2
	shift 2
	br --store "$store" report --by $by --as-of $asof --format json \
		--output "$out" "$@" || fail "report of $store exited $?"
}
agree() { # EXPECTED REPORT
	oracle compare --expected "$1" --report "$2" >cmp.out 2>&1 || {
		cat cmp.out >&2
		fail "$2 disagrees with the oracle ($1)"
	}
}
# The JSON report without what names the prices behind it: the pricing
# section and, in a re-priced report, the cost as stored (what-if).
strip_pricing() {
	"$PYTHON" -c '
import json, sys
d = json.load(open(sys.argv[1]))
d.pop("pricing")
for r in d["rows"] + [d["totals"]]:
    r.pop("actual_cost_usd", None)
print(json.dumps(d, sort_keys=True))' "$1"
}

"$PYTHON" "$root/tests/pricelogs.py" --seed 7 --records 12000 --out p.jsonl
"$PYTHON" "$root/tests/pricelogs.py" --seed 8 --records 6000 --out q.jsonl
# Requests in the band [128001, 200001) of gpt-4o, which re-pricing with a
# threshold at 150001 would split.
printf '%s\n' \
	'{"timestamp":"2025-11-02T10:00:00Z","provider":"openai","model":"gpt-4o","agent":"split","request_id":"split-1","usage":{"input_tokens":140000,"output_tokens":10}}' \
	'{"timestamp":"2025-11-02T11:00:00Z","provider":"openai","model":"gpt-4o","agent":"split","request_id":"split-2","usage":{"input_tokens":160000,"output_tokens":10}}' \
	>>q.jsonl

# 1. Built-in catalog: burnrate and the oracle agree, for two cost modes.
br --store s1 ingest p.jsonl q.jsonl >ingest.out 2>ingest.err ||
	fail "ingest exited $?"
grep -q "requests without a price, counted as unpriced: .*and [0-9]* more models" ingest.err ||
	fail "ingest does not warn about unpriced models: $(cat ingest.err)"
report_json s1 r1.json
oracle expect --by $by --as-of $asof p.jsonl q.jsonl >e1.json
agree e1.json r1.json
br --quiet --store s1c ingest --cost-mode calculate p.jsonl q.jsonl
report_json s1c r1c.json
oracle expect --by $by --as-of $asof --cost-mode calculate p.jsonl q.jsonl >e1c.json
agree e1c.json r1c.json
"$PYTHON" -c '
import json, sys
d = json.load(open(sys.argv[1]))
t = d["totals"]
assert t["unpriced_requests"] > 100 and t["cache_write_tokens"] > 0, t
assert len(d["rows"]) > 5000 and len(d["unpriced"]) > 100
assert any(u["model"].endswith("-unreleased") for u in d["unpriced"])
' r1.json || fail "the logs do not exercise what this test is about"

# 2. The audit trail: the built-in catalog by the sha256 of its data.
sum=$(sha256sum "$root/data/catalog.csv" | cut -d' ' -f1)
grep -q "\"pricing\":{\"repriced\":false,\"catalogs\":\[\"built-in [0-9-]* sha256:$sum\"\]}" r1.json ||
	fail "the report does not name the built-in catalog by its sha256 $sum"

# 3. Overrides: history, a tier, long-context rows at a threshold the
# catalog has, an any-provider row and a model the catalog lacks.
printf '%s\n' \
	'provider,model,from,input,output,cache_read,cache_write,cache_write_1h,reasoning,min_input_tokens,tier' \
	'openai,gpt-4o,,2.000001,8.5,1,,,,,' \
	'openai,gpt-4o,2025-09-01,1.9,7.25,0.95,2.2,,,,' \
	'openai,gpt-4o,,1,4,,,,,,batch' \
	'anthropic,claude-sonnet-4-5,,2.7,13.5,0.27,3.375,5.4,,,' \
	'anthropic,claude-sonnet-4-5,,5.4,20.25,0.54,6.75,10.8,,200001,' \
	'google,gemini-2.5-pro,2025-06-01,1,8,0.1,,,,,' \
	'google,gemini-2.5-pro,2025-06-01,2,12,0.2,,,,200001,' \
	',gpt-4o-mini,,0.1,0.4,0.05,,,16,,' \
	'openai,gpt-4o-unreleased,,5,20,,,,,,' >x.csv
xsum=$(sha256sum x.csv | cut -d' ' -f1)
br --quiet --store s2 ingest --prices x.csv p.jsonl q.jsonl
report_json s2 r2.json
oracle expect --by $by --as-of $asof --prices x.csv p.jsonl q.jsonl >e2.json
agree e2.json r2.json
# One entry per catalog, the built-in one first (it was one entry joining
# both with "; ").
grep -q "\"catalogs\":\[\"built-in [0-9-]* sha256:$sum\",\"prices x.csv sha256:$xsum\"\]" r2.json ||
	fail "the report does not name the built-in catalog and x.csv, each by its sha256: $(grep -o '"catalogs":[^]]*]' r2.json)"

# An any-provider row prices the model under every name the catalog's
# aliases give it, as under its own: Anthropic's API logs the dated name,
# which kept the catalog's $3 (and re-pricing did the same).
printf '%s\n' 'provider,model,from,input,output,cache_read,cache_write' \
	',claude-sonnet-4-5,,1,5,,' >any.csv
for m in claude-sonnet-4-5 claude-sonnet-4-5-20250929 anthropic/claude-sonnet-4-5; do
	printf '{"timestamp":"2025-10-01T10:00:00Z","provider":"anthropic","model":"%s","request_id":"any-%s","usage":{"input_tokens":1000000,"output_tokens":0}}\n' "$m" "$m"
done >any.jsonl
br --quiet --store sany ingest --prices any.csv any.jsonl
br --quiet --store sany0 ingest any.jsonl
for s in sany sany0; do
	extra=
	[ $s = sany ] || extra="--reprice --prices any.csv"
	# shellcheck disable=SC2086
	br --store $s report --as-of $asof --by model --format csv $extra |
		cut -d, -f1,10 | tail -n +2 | sort >any.out
	[ "$(cat any.out)" = "$(printf '%s\n' anthropic/claude-sonnet-4-5,1.000000 \
		claude-sonnet-4-5,1.000000 claude-sonnet-4-5-20250929,1.000000)" ] ||
		fail "an any-provider row and the model's aliases ($s $extra): $(cat any.out)"
done

# Requests without tokens cost nothing whatever the model (FORMATS.md),
# re-priced too: --reprice counted those of an unknown model or tier as
# unpriced, where the ingest had priced them at $0.
for r in 'acme foo 0' 'openai gpt-4o 0' 'acme foo 10'; do
	# shellcheck disable=SC2086
	set -- $r
	printf '{"timestamp":"2025-10-01T10:00:00Z","provider":"%s","model":"%s","service_tier":"flex","request_id":"zero-%s-%s","usage":{"input_tokens":%s,"output_tokens":0}}\n' "$1" "$2" "$2" "$3" "$3"
done >zero.jsonl
# Reasoning is part of output: with no output, none is paid for (an
# unknown model's such request, in the row of those without tokens, made
# --reprice count the whole row unpriced).
printf '{"timestamp":"2025-10-01T11:00:00Z","provider":"acme","model":"foo","service_tier":"flex","request_id":"zero-r","usage":{"input_tokens":0,"output_tokens":0,"reasoning_tokens":5}}\n' >>zero.jsonl
br --quiet --store sz ingest zero.jsonl 2>/dev/null
report_json sz rz.json
report_json sz rzr.json --reprice
grep -q '"totals":{"requests":4,.*"unpriced_requests":1}' rz.json ||
	fail "requests without tokens: $(cat rz.json)"
[ "$(strip_pricing rzr.json)" = "$(strip_pricing rz.json)" ] ||
	fail "report --reprice prices requests without tokens otherwise: $(cat rzr.json)"

# 4. report --reprice --prices X equals the fresh ingest with --prices X,
# and --reprice with the same catalog changes nothing.
report_json s1 r1x.json --reprice --prices x.csv
[ "$(strip_pricing r1x.json)" = "$(strip_pricing r2.json)" ] ||
	fail "report --reprice --prices x.csv differs from ingest --prices x.csv"
grep -q '"repriced":true' r1x.json || fail "a re-priced report does not say so"
# What-if: beside each re-priced cost, the cost as charged (the stored one).
"$PYTHON" -c '
import json, sys
x, a = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert len(x["rows"]) == len(a["rows"])
for rx, ra in zip(x["rows"], a["rows"]):
    assert rx["actual_cost_usd"] == ra["cost_usd"], (rx, ra)
assert x["totals"]["actual_cost_usd"] == a["totals"]["cost_usd"]
assert x["totals"]["cost_usd"] != a["totals"]["cost_usd"]
' r1x.json r1.json || fail "report --reprice does not show the actual cost beside"
"$BURNRATE" --store s1 report --by $by --as-of $asof --reprice --prices x.csv \
	--no-color | grep -q '^what-if: [0-9.]* at these prices, [0-9.]* as charged, [-+][0-9.]*$' ||
	fail "the table has no what-if line"
report_json s1 r1same.json --reprice
[ "$(strip_pricing r1same.json)" = "$(strip_pricing r1.json)" ] ||
	fail "report --reprice with the same catalog changed the numbers"
# A request logged at $0 whose ingest's catalog priced it at $0 too (a
# model free then) is priced by new prices, as a fresh ingest with them
# prices it: --reprice kept the $0 (the log's cost, it seemed), $3 where
# the fresh ingest gives $6; a logged cost above $0 stays as logged.
printf 'provider,model,from,input,output,cache_read,cache_write\nacme,free,,0,0,,\n' >free0.csv
printf 'provider,model,from,input,output,cache_read,cache_write\nacme,free,,1,2,,\n' >free1.csv
printf '{"timestamp":"2025-10-01T10:00:00Z","provider":"acme","model":"free","request_id":"f%s","usage":{"input_tokens":1000000,"output_tokens":1000000}%s}\n' \
	1 ',"cost_usd":0' 2 '' 3 ',"cost_usd":0.5' >free.jsonl
br --quiet --store sfree0 ingest --prices free0.csv free.jsonl
br --quiet --store sfree1 ingest --prices free1.csv free.jsonl
report_json sfree0 rfree0.json --reprice --prices free1.csv
report_json sfree1 rfree1.json
grep -q '"totals":{"requests":3,.*"cost_usd":6.500000,' rfree1.json &&
	[ "$(strip_pricing rfree0.json)" = "$(strip_pricing rfree1.json)" ] ||
	fail "a logged \$0 priced \$0 at ingest, re-priced: $(cat rfree0.json)"
# ... and back: the override store re-priced with the built-in catalog.
report_json s2 r2back.json --reprice
[ "$(strip_pricing r2back.json)" = "$(strip_pricing r1.json)" ] ||
	fail "re-pricing the override store with the built-in catalog differs"
# Rows priced by two sets of catalogs (the built-in one; it and x.csv),
# compacted into one segment: the report names each catalog once, and
# re-pricing still equals a fresh ingest.
sample=$root/samples/logs/app-2025-10.jsonl
br --quiet --store s1 ingest --prices x.csv "$sample" 2>/dev/null
br --store s1 compact >/dev/null
report_json s1 r1c2.json
grep -q "\"catalogs\":\[\"built-in [0-9-]* sha256:$sum\",\"prices x.csv sha256:$xsum\"\]" r1c2.json ||
	fail "the report does not name both catalogs behind its rows: $(grep -o '"catalogs":[^]]*]' r1c2.json)"
# The XLSX document properties name both too (they named the first set of
# catalogs only), as the table's lines do, one per set.
br --store s1 report --by $by --as-of $asof --format xlsx --output r1c2.xlsx
"$PYTHON" -c '
import sys, zipfile
core = zipfile.ZipFile(sys.argv[1]).read("docProps/core.xml").decode()
want = "priced with: built-in %s sha256:%s; prices x.csv sha256:%s" % tuple(sys.argv[2:])
assert want in core, core
' r1c2.xlsx "$(sed -n 's/.*"built-in \([0-9-]*\) sha256.*/\1/p' r1c2.json | head -1)" "$sum" "$xsum" ||
	fail "the XLSX properties do not name both catalogs"
br --store s1 report --by $by --as-of $asof >r1c2.txt
[ "$(grep -c '^priced with built-in ' r1c2.txt)" -eq 2 ] &&
	grep -q "^priced with built-in [0-9-]* sha256:$sum; prices x.csv sha256:$xsum\$" r1c2.txt ||
	fail "the table does not name the two sets of catalogs: $(grep 'priced with' r1c2.txt)"
# A prices file whose path holds "; " is one catalog still.
cp x.csv 'x; y.csv'
head -40 "$sample" >semi.jsonl
br --quiet --store s4 ingest --prices 'x; y.csv' semi.jsonl 2>/dev/null
report_json s4 r4.json
grep -q "\"catalogs\":\[\"built-in [0-9-]* sha256:$sum\",\"prices x; y.csv sha256:$xsum\"\]" r4.json ||
	fail "a path with '; ' splits its catalog: $(grep -o '"catalogs":[^]]*]' r4.json)"
report_json s1 r1cx.json --reprice --prices x.csv
br --quiet --store s3 ingest --prices x.csv p.jsonl q.jsonl "$sample" 2>/dev/null
report_json s3 r3.json
[ "$(strip_pricing r1cx.json)" = "$(strip_pricing r3.json)" ] ||
	fail "re-pricing a compacted store differs from a fresh ingest"

# 5. A new threshold inside a stored band cannot be re-priced: refused,
# naming the model, never approximated.
printf '%s\n' 'provider,model,from,input,output,cache_read,cache_write,min_input_tokens' \
	'openai,gpt-4o,,2.5,10,,,' 'openai,gpt-4o,,5,20,,,150001' >y.csv
must_fail 1 y.err br --store s1 report --reprice --prices y.csv --format json
# (the first of the store's rows of gpt-4o or of a name aliased to it)
grep -q "cannot re-price openai/gpt-4o\(-2024-[0-9-]*\)\{0,1\}: .*128001 and 200001" y.err ||
	fail "unclear refusal: $(cat y.err)"
# A band without an end is said so (it was "between 512001 and
# 18446744073709551615 input tokens").
echo '{"timestamp":"2025-10-01T00:00:00Z","provider":"google","model":"gemini-2.5-pro","usage":{"input_tokens":900000}}' >band.jsonl
printf '%s\n' 'provider,model,from,input,output,cache_read,cache_write,min_input_tokens' \
	'google,gemini-2.5-pro,,1,1,,,' 'google,gemini-2.5-pro,,3,3,,,800001' >band.csv
br --quiet --store sband ingest band.jsonl
must_fail 1 band.err br --store sband report --reprice --prices band.csv --month 2025-10
grep -q "cannot re-price google/gemini-2.5-pro: its new prices change at a long-context threshold of 512001 input tokens or more, which" band.err ||
	fail "refusal in the last band: $(cat band.err)"
# Reasoning above output (a log's error) is priced and kept as all of the
# output: stored above it, --reprice capped the row's sum, not each
# request's ($30 for a request of 3M reasoning in 1M output beside one
# of 2M output, at $10 reasoning and $1 output per 1M: $12) (helper-106).
printf 'provider,model,from,input,output,cache_read,cache_write,reasoning\nacme,r,,1,1,,,10\n' >rs.csv
printf '%s\n' '{"timestamp":"2025-10-01T00:00:00Z","provider":"acme","model":"r","usage":{"output_tokens":1000000,"reasoning_tokens":3000000}}' \
	'{"timestamp":"2025-10-01T01:00:00Z","provider":"acme","model":"r","usage":{"output_tokens":2000000}}' >rs.jsonl
br --quiet --store rs ingest --prices rs.csv rs.jsonl
for extra in "" "--reprice --prices rs.csv"; do
	# shellcheck disable=SC2086
	got=$(br --store rs report --as-of 2025-10-31 --format csv $extra | tail -n 1 | cut -d, -f5,9,10)
	[ "$got" = "3000000,1000000,12.000000" ] ||
		fail "reasoning above output, report $extra: $got, want 3000000,1000000,12.000000"
done
# --prices alone re-prices, as --reprice --prices does.
report_json s1 r1p.json --prices x.csv
report_json s1 r1r.json --reprice --prices x.csv
[ "$(strip_pricing r1p.json)" = "$(strip_pricing r1r.json)" ] &&
	grep -q '"repriced":true' r1p.json ||
	fail "report --prices x.csv differs from --reprice --prices x.csv"

# 6. burnrate prices.
br prices check >check.out || fail "prices check of the built-in catalog failed"
grep -q "^ok: [0-9]* models, [0-9]* aliases, no problems (built-in [0-9-]* sha256:$sum)" check.out ||
	fail "prices check: $(cat check.out)"
printf '%s\n' 'provider,model,from,input,output,cache_read,cache_write,min_input_tokens' \
	'acme,bad,,1,20000,,,' 'acme,dear,,1,2,3,,' 'acme,nobase,,1,2,,,1000' \
	'acme,out,,2,4,1,3,' 'acme,out,,4,2,1,3,1000' 'acme,read,,2,4,1,3,' \
	'acme,read,,4,8,0.5,6,1000' 'acme,write,,2,4,1,3,' 'acme,write,,4,8,2,1,1000' \
	'acme,unstated,,2,4,,,' 'acme,unstated,,4,8,,1,1000' >bad.csv
set +e
br prices check --prices bad.csv >bad.out 2>bad.err
rc=$?
set -e
[ $rc -eq 1 ] || fail "prices check of bad prices exited $rc, want 1"
# Every rate of a long-context row against its base's (output, cache read
# and write, not only input); one the base leaves to its fallback is not.
for m in 'acme/bad: .*above \$1,000' 'acme/dear: .*cache read dearer' \
	'acme/nobase: .*no price below 1000' 'acme/out: .*the output rate above 1000' \
	'acme/read: .*the cache_read rate above 1000' \
	'acme/write: .*the cache_write rate above 1000'; do
	grep -q "$m" bad.out || fail "prices check does not report '$m': $(cat bad.out)"
done
grep -q "acme/unstated" bad.out && fail "prices check compares an unstated rate: $(cat bad.out)"
grep -q "6 problems in the catalog" bad.err || fail "prices check: no problem count: $(cat bad.err)"
br prices show gpt-4o-2024-08-06 --provider openai --on 2025-10-01 >show.out
grep -q '^openai/gpt-4o$' show.out &&
	grep -q 'matched by  alias (date-suffix) for openai' show.out &&
	grep -q 'standard tier on 2025-10-01' show.out &&
	grep -q 'input  *\$2\.5$' show.out ||
	fail "prices show of an alias: $(cat show.out)"
br prices show o3 --provider openai --on 2025-06-09 | grep -q 'input  *\$10\.0$' ||
	fail "prices show --on does not give o3's price before its cut"
br prices show o3 --provider openai --on 2025-07-01 >show4.out
grep -q 'standard tier on 2025-07-01: the version in force since 2025-06-10$' show4.out ||
	fail "prices show: the version's day: $(cat show4.out)"
br prices show claude-sonnet-4-5 --provider anthropic --prices x.csv >show2.out
grep -q 'prices from x.csv' show2.out &&
	grep -q 'requests with 200001 or more input tokens' show2.out ||
	fail "prices show does not show the override: $(cat show2.out)"
must_fail 1 show3.err br prices show no-such-model
grep -q "unknown model 'no-such-model'" show3.err || fail "prices show: $(cat show3.err)"
n=$(br prices list 'gpt-4o*' 2>/dev/null | grep -c ' gpt-4o')
[ "$n" -ge 5 ] || fail "prices list 'gpt-4o*' lists $n models"
n=$(br prices list 2>/dev/null | tail -n +2 | wc -l)
[ "$n" -gt 2000 ] || fail "prices list lists $n models"
must_fail 1 list.err br prices list 'no-such-*'
must_fail 2 sub.err br prices frobnicate
# 7. genai-prices' regex match rules (13 in its data): a name one matches
# is priced as the rule's model, for the rule's provider only, on each day
# (gpt-5.6-luna and -terra change on 2026-07-30); close misses, another
# case and another provider stay unpriced. The expected costs come from
# genai_prices_data.json itself, not from the catalog.
sources=${PRICING_SOURCES:-$root/../shared/pricing-sources}
"$PYTHON" - "$sources/genai_prices_data.json" regex.jsonl regex.want <<'EOF' ||
import json, re, sys
from decimal import Decimal
data = json.load(open(sys.argv[1]))
def regexes(c):
    if "regex" in c:
        return [c["regex"]]
    return [r for x in c.get("or", []) for r in regexes(x)]
def equals(c):
    if "equals" in c:
        return [c["equals"]]
    return [n for x in c.get("or", []) for n in equals(x)]
def example(rx):  # "^grok-4\.3-\d{8}$" -> "grok-4.3-20260501"
    name = rx.strip("^$").replace(r"\d{8}", "20260501").replace(
        r"\d{4}-\d{2}-\d{2}", "2026-07-15").replace(r"\d", "001")
    name = name.replace("\\.", ".")
    assert re.search(rx, name) and "\\" not in name, (rx, name)
    return name
def rate(v):
    return Decimal(str(v["base"] if isinstance(v, dict) else v))
tokens = {"input_tokens": 100000, "output_tokens": 100000,
          "cache_read_tokens": 50000}
log, want, n = open(sys.argv[2], "w"), open(sys.argv[3], "w"), 0
for p in data:
    for m in p["models"]:
        for rx in regexes(m["match"]):
            n += 1
            assert m["id"] in equals(m["match"]), m["id"]
            versions = m["prices"] if isinstance(m["prices"], list) else [
                {"prices": m["prices"]}]
            for day in ("2026-07-15", "2026-08-15"):
                v = max((v for v in versions if (v.get("constraint") or {})
                         .get("start_date", "") <= day),
                        key=lambda v: (v.get("constraint") or {}).get(
                            "start_date", ""))["prices"]
                cost = (100000 * rate(v["input_mtok"]) + 100000 *
                        rate(v["output_mtok"]) + 50000 *
                        rate(v["cache_read_mtok"])) / 1000000
                for name in (example(rx), m["id"]):
                    log.write(json.dumps({
                        "timestamp": day + "T12:00:00Z", "provider": p["id"],
                        "model": name, "request_id": "%s-%s-%s" % (
                            p["id"], name, day), "usage": tokens}) + "\n")
                    want.write("%s %s %s %.6f\n" % (day, p["id"], name, cost))
assert n == 13, n
EOF
	fail "cannot read genai-prices' regex rules"
for r in 'openai gpt-5.6-luna-2026-07-1' 'x-ai grok-4.3-2026050' \
	'openai GPT-5.6-LUNA-2026-07-15' 'google gemini-3.5-flash-x1' \
	'openrouter grok-4.3-20260501' 'azure gpt-5.6-luna-2026-07-15' \
	'openrouter x-ai/grok-4.5-20260101'; do
	# shellcheck disable=SC2086
	set -- $r
	printf '{"timestamp":"2026-07-15T12:00:00Z","provider":"%s","model":"%s","request_id":"miss-%s-%s","usage":{"input_tokens":1000,"output_tokens":10}}\n' "$1" "$2" "$1" "$2" >>regex.jsonl
	echo "2026-07-15 $1 $2 unpriced" >>regex.want
done
# A Bedrock model ARN is priced as the model id after its last '/' (a
# foundation model, a system inference profile); an application inference
# profile names no model and stays unpriced.
arn=arn:aws:bedrock:us-east-1
# priced_as_wanted CSV WANT: each "DAY PROVIDER MODEL COST" line of WANT
# (COST "unpriced" for a row of unpriced requests) is CSV's row.
priced_as_wanted() {
	"$PYTHON" - "$1" "$2" <<'EOF'
import csv, sys
got = {}
for r in csv.DictReader(open(sys.argv[1])):
    got[(r["day"], r["provider"], r["model"])] = (
        "unpriced" if r["unpriced_requests"] != "0" else r["cost_usd"])
bad = 0
for line in open(sys.argv[2]):
    day, prov, model, want = line.split()
    if got.get((day, prov, model)) != want:
        print("%s %s/%s: want %s, got %s" % (day, prov, model, want,
                                             got.get((day, prov, model))))
        bad += 1
sys.exit(1 if bad else 0)
EOF
}
for m in "$arn::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0" \
	"$arn:123456789012:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0" \
	"$arn:123456789012:application-inference-profile/a1b2c3d4e5f6" \
	anthropic.claude-sonnet-4-5-20250929-v1:0 \
	us.anthropic.claude-sonnet-4-5-20250929-v1:0; do
	printf '{"schemaType":"ModelInvocationLog","schemaVersion":"1.0","timestamp":"2026-07-15T12:00:00Z","accountId":"123456789012","identity":{"arn":"arn:aws:sts::123456789012:assumed-role/app/s"},"region":"us-east-1","requestId":"arn-%s","operation":"Converse","modelId":"%s","input":{"inputContentType":"application/json","inputTokenCount":100000},"output":{"outputContentType":"application/json","outputTokenCount":10000}}\n' "$m" "$m"
done >arn.jsonl
# 100k input and 10k output at $3/$15 per 1M, the us. profile's $3.30/$16.50
cat >>regex.want <<EOF
2026-07-15 bedrock $arn::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0 0.450000
2026-07-15 bedrock $arn:123456789012:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0 0.495000
2026-07-15 bedrock $arn:123456789012:application-inference-profile/a1b2c3d4e5f6 unpriced
2026-07-15 bedrock anthropic.claude-sonnet-4-5-20250929-v1:0 0.450000
2026-07-15 bedrock us.anthropic.claude-sonnet-4-5-20250929-v1:0 0.495000
EOF
# ... in any format, the oracle's lookup agreeing (below).
for m in "$arn::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0 0.450000" \
	"$arn:123456789012:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0 0.495000" \
	"$arn:123456789012:application-inference-profile/a1b2c3d4e5f6 unpriced"; do
	# shellcheck disable=SC2086
	set -- $m
	printf '{"timestamp":"2026-07-15T12:00:00Z","provider":"aws","model":"%s","request_id":"aws-%s","usage":{"input_tokens":100000,"output_tokens":10000}}\n' "$1" "$1" >>regex.jsonl
	echo "2026-07-15 aws $1 $2" >>regex.want
done
br --quiet --store sre ingest regex.jsonl 2>/dev/null
br --quiet --store sre ingest --format bedrock arn.jsonl 2>/dev/null
br --store sre report --as-of $asof --by day,provider,model --format csv \
	--output regex.csv || fail "report of the regex names exited $?"
priced_as_wanted regex.csv regex.want || fail "regex rules or Bedrock ARNs priced wrong"
# The oracle's lookup (tests/oracle.py) agrees, ARNs included.
oracle expect --by day,provider,model --as-of $asof regex.jsonl >eregex.json
br --quiet --store sre0 ingest regex.jsonl 2>/dev/null
br --store sre0 report --by day,provider,model --as-of $asof --format json \
	--output rregex.json
agree eregex.json rregex.json
# prices show says what priced a name, as ingest does.
br prices show grok-4.3-20260501 >showre.out
grep -q '^xai/grok-4.3$' showre.out &&
	grep -q 'matched by  alias (regex) for xai' showre.out &&
	grep -qF 'pattern     ^grok-4\.3-[0-9]{8}$' showre.out ||
	fail "prices show of a name a regex rule prices: $(cat showre.out)"
must_fail 1 showre.err br prices show grok-4.3-20260501 --provider openrouter
must_fail 1 showre.err br prices show gpt-5.6-luna-2026-07-1
br prices show "$arn::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0" >showarn.out
grep -q '^bedrock/anthropic.claude-sonnet-4-5-20250929-v1:0$' showarn.out &&
	grep -q 'named by    a Bedrock ARN' showarn.out ||
	fail "prices show of a Bedrock ARN: $(cat showarn.out)"
# 8. A name LiteLLM prices only as of its snapshot that a genai-prices
# rule with a dated price covers carries genai-prices' versions: Bedrock's
# Claude Sonnet 5 geo and in-region ids (genai-prices' regional bucket and
# its global. model) change price on 2026-09-01 (they kept LiteLLM's
# 2026-07-24 price: us. 13.20 where 19.80 is due). The expected costs come
# from genai_prices_data.json (its first matching aws model, the version
# in force on the day), not from the catalog.
"$PYTHON" - "$sources/genai_prices_data.json" s5.jsonl s5.want "$root/tests" <<'EOF' ||
import json, sys
from decimal import Decimal
sys.path.insert(0, sys.argv[4])
from resolvediff import match  # genai-prices' match semantics
data = json.load(open(sys.argv[1]))
aws = next(p for p in data if p["id"] == "aws")["models"]
usage = {"input_tokens": 1000000, "output_tokens": 1000000,
         "cache_read_tokens": 100000, "cache_write_tokens": 100000}
log, want = open(sys.argv[2], "w"), open(sys.argv[3], "w")
changes = 0
for name in ("us.anthropic.claude-sonnet-5", "eu.anthropic.claude-sonnet-5",
             "au.anthropic.claude-sonnet-5", "jp.anthropic.claude-sonnet-5",
             "anthropic.claude-sonnet-5", "global.anthropic.claude-sonnet-5",
             "global.anthropic.claude-sonnet-5-v1:0"):
    m = next(m for m in aws if match(m["match"], name))
    versions = m["prices"] if isinstance(m["prices"], list) else [
        {"prices": m["prices"]}]
    costs = []
    for ts in ("2026-08-31T23:59:59Z", "2026-09-01T00:00:00Z"):
        day = ts[:10]
        v = max((v for v in versions
                 if (v.get("constraint") or {}).get("start_date", "") <= day),
                key=lambda v: (v.get("constraint") or {}).get(
                    "start_date", ""))["prices"]
        cost = sum(Decimal(str(v[f])) * usage[u] for f, u in (
            ("input_mtok", "input_tokens"), ("output_mtok", "output_tokens"),
            ("cache_read_mtok", "cache_read_tokens"),
            ("cache_write_mtok", "cache_write_tokens"))) / 1000000
        costs.append(cost)
        log.write(json.dumps({"timestamp": ts, "provider": "bedrock",
                              "model": name, "request_id": "s5-%s-%s" % (
                                  name, day), "usage": usage}) + "\n")
        want.write("%s bedrock %s %.6f\n" % (day, name, cost))
    changes += costs[0] != costs[1]
assert changes == 7, changes
EOF
	fail "cannot read genai-prices' Claude Sonnet 5 prices"
br --quiet --store ss5 ingest s5.jsonl 2>/dev/null
br --store ss5 report --as-of $asof --by day,provider,model --format csv \
	--output s5.csv || fail "report of the Sonnet 5 names exited $?"
priced_as_wanted s5.csv s5.want ||
	fail "Bedrock Claude Sonnet 5 ids priced without genai-prices' 2026-09-01 change"
oracle expect --by day,provider,model --as-of $asof s5.jsonl >es5.json
br --store ss5 report --by day,provider,model --as-of $asof --format json \
	--output rs5.json
agree es5.json rs5.json
# prices show NAME without --provider shows every model of that name,
# whatever its provider (it split a NAME with a '/' into provider and
# model: anthropic/claude-4-opus showed anthropic's claude-opus-4-0 alone,
# hiding deepinfra's and vercel_ai_gateway's models of that name, and
# openai/gpt-oss-20b showed openai's gpt-oss-20b "matched by exact", where
# ingest finds it for a log's model openai/gpt-oss-20b through the route
# alias of provider openai only). That reading is only shown, told apart,
# when no model or alias has the name.
br prices show anthropic/claude-4-opus >sh1.out || fail "show anthropic/claude-4-opus exited $?"
grep -qx deepinfra/anthropic/claude-4-opus sh1.out && grep -qx vercel_ai_gateway/anthropic/claude-4-opus sh1.out ||
	fail "show anthropic/claude-4-opus hides models of that name: $(grep '^[^ ]' sh1.out)"
br prices show openai/gpt-oss-20b >sh2.out || fail "show openai/gpt-oss-20b exited $?"
grep -qx groq/openai/gpt-oss-20b sh2.out &&
	grep -A1 -x openai/gpt-oss-20b sh2.out | grep -qx '  matched by  alias (prefix) for openai' ||
	fail "show openai/gpt-oss-20b: $(grep '^[^ ]' sh2.out)"
# A prices row for any provider replaces the built-in model of that name
# for every provider (DESIGN §7, docs/PRICES.md), and list and show show
# that row, not the built-in ones it replaces: it showed azure/gpt-4o at
# the catalog's $2.5, which ingest never used (an azure request of
# 2025-10-16 cost the row's $3, one of 2025-10-14 was unpriced).
printf 'provider,model,from,input,output,cache_read,cache_write\n,gpt-4o,2025-10-15,3,4,,\n' >any.csv
br prices --prices any.csv show gpt-4o --on 2025-10-14 >sh4.out || fail "show gpt-4o exited $?"
[ "$(grep '^[^ ]' sh4.out)" = "*/gpt-4o" ] && grep -q 'unpriced (no price in force on that day)' sh4.out ||
	fail "show gpt-4o shows models a prices row replaced: $(cat sh4.out)"
br prices --prices any.csv list gpt-4o 2>/dev/null | grep -E '^[^ ]+ +gpt-4o ' >list4.out
[ "$(cut -c1-24 list4.out | tr -s ' ')" = "* gpt-4o " ] && grep -q ' 3\.0  *4\.0 ' list4.out ||
	fail "prices list shows models a prices row replaced: $(cat list4.out)"
br prices --prices any.csv show gpt-4o --provider azure --on 2025-10-16 | grep -q 'input  *\$3\.0$' ||
	fail "show gpt-4o --provider azure is not the prices row's"
printf '{"timestamp":"2025-10-%sT12:00:00Z","provider":"azure","model":"gpt-4o","usage":{"input_tokens":1000000}}\n' 14 16 >any.jsonl
br --store sany init >/dev/null
br --store sany --quiet ingest --prices any.csv any.jsonl 2>/dev/null || fail "ingest any.jsonl exited $?"
br --store sany report --since 2025-10-14 --until 2025-10-16 --format csv |
	cut -d, -f1,10,11 | tr -d '\r' | tr '\n' ' ' | grep -qx 'day,cost_usd,unpriced_requests 2025-10-14,0.000000,1 2025-10-16,3.000000,0 ' ||
	fail "ingest with the any-provider row: $(br --store sany report --since 2025-10-14 --until 2025-10-16 --format csv)"
printf 'provider,model,from,input,output,cache_read,cache_write\nacme,mine,,1,1,,\n' >sh.csv
br prices --prices sh.csv show acme/mine >sh3.out || fail "show acme/mine exited $?"
head -2 sh3.out | tr '\n' ' ' | grep -q "^no model or alias is named 'acme/mine', so a log naming that model is unpriced; provider 'acme' with model 'mine' is priced as: $" ||
	fail "show acme/mine does not tell its reading apart: $(cat sh3.out)"
echo '{"timestamp":"2025-10-01T12:00:00Z","provider":"acme","model":"acme/mine","usage":{"input_tokens":1}}' >sh.jsonl
br --quiet --store ssh ingest --prices sh.csv sh.jsonl 2>/dev/null
br --store ssh report --month 2025-10 --format json | grep -q '"unpriced":\[{"provider":"acme","model":"acme/mine"' ||
	fail "a log's model acme/mine was priced: $(br --store ssh report --month 2025-10 --format json)"

# A prices column of no known name is a usage error naming the file, line
# 1 and the column, whichever command reads the file (a typo was ignored:
# cache_write_1hr's rates billed at the cache_write rate, and prices check
# said "no problems"); the built-in catalog's provenance column loads.
for col in cache_write_1hr reasonning; do
	printf 'provider,model,from,input,output,cache_read,cache_write,%s\nacme,a,,1,1,,,9\n' \
		$col >uc.csv
	for cmd in "prices check" "ingest p.jsonl"; do
		# shellcheck disable=SC2086
		must_fail 2 uc.err br --store suc $cmd --prices uc.csv
		grep -q "uc.csv:1: unknown column '$col': expected provider,model,from,input,output,cache_read,cache_write,cache_write_1h,reasoning,min_input_tokens,tier,source" uc.err ||
			fail "$cmd, unknown column $col: $(cat uc.err)"
	done
done
br prices --prices "$root/data/catalog.csv" check >/dev/null ||
	fail "a copy of data/catalog.csv (its source column) is refused"
echo "catalog_prices: all checks passed"
