#!/bin/sh
# check.sh - the check command for CI: a baseline written from logs and
# compared with other logs. Equal spend passes with "no change"; +50% on
# one model fails (exit 3) under a 10% limit with a Markdown table that
# names it, and passes under a 60% one; improvements, new and vanished
# groups are shown; --max-increase-usd and both limits together (a pass
# is "within +10% or +$6": a regression is beyond both); unpriced
# requests fail unless --allow-unpriced (allowed: their group's change in
# percent is null or n/a, as for empty logs against an empty baseline, and
# Markdown escapes the dollar of "counted as $0"); the JUnit XML parses
# and its counts agree with its test cases; the JSON agrees with 'report'
# over a store of the same logs and with costs computed here; the
# temporary store is removed and the user's store untouched; groups by
# day, week and month (a baseline by model,day compared by model is
# summed); token counts saturated at 2^64 - 1 are warned of and never
# called unchanged, and a delta of counts beyond 2^63 is exact; bad
# options, baselines and logs are refused with the statuses of the
# contract.
. "$(dirname "$0")/common.inc"
cd "$tmp"
mkdir t
export TMPDIR="$tmp/t"

# Prices of our own: $1 per 1M input tokens, $2 per 1M output tokens.
printf '%s\n' 'provider,model,from,input,output,cache_read,cache_write' \
	'acme,alpha,,1,2,0.1,1.25' 'acme,beta,,1,2,0.1,1.25' \
	'acme,gamma,,1,2,0.1,1.25' 'acme,delta,,1,2,0.1,1.25' >prices.csv

# log FILE MODEL:COUNT:INPUT[:AGENT[:DATE]]... writes generic JSONL: COUNT
# requests of MODEL with INPUT input tokens and 1000 output tokens each.
log() {
	"$PYTHON" - "$@" <<'EOF'
import json, sys
out = open(sys.argv[1], "w")
for spec in sys.argv[2:]:
    f = spec.split(":")
    model, count, inp = f[0], int(f[1]), int(f[2])
    agent = f[3] if len(f) > 3 else "bot"
    date = f[4] if len(f) > 4 else "2025-10-01"
    for i in range(count):
        out.write(json.dumps({
            "timestamp": "%sT12:00:%02dZ" % (date, i % 60), "provider": "acme",
            "model": model, "agent": agent,
            "request_id": "%s-%s-%s-%s-%d" % (sys.argv[1], model, agent, date, i),
            "usage": {"input_tokens": inp, "output_tokens": 1000}}) + "\n")
EOF
}
# alpha 10 x (1M in + 1k out) = $10.02; beta 4 x (0.5M + 1k) = $2.008;
# gamma 2 x (0.25M + 1k) = $0.504, one of them in 2099 (a date in the
# future must count too). Total $12.532.
log base.jsonl alpha:10:1000000 beta:4:500000 gamma:1:250000 \
	gamma:1:250000:bot:2099-06-30
# The same requests in another file.
cp base.jsonl same.jsonl
# alpha +50% (15 requests: $15.03); the rest as before: $17.542.
log regress.jsonl alpha:15:1000000 beta:4:500000 gamma:1:250000 \
	gamma:1:250000:bot:2099-06-30
# beta halves ($1.004), gamma vanishes, delta is new (1 x 0.1M + 1k:
# $0.102): $11.126.
log mixed.jsonl alpha:10:1000000 beta:2:500000 delta:1:100000

check() { "$BURNRATE" --store userstore check --prices prices.csv "$@"; }
# status CMD...: runs CMD, stdout to out, stderr to err; prints its status.
status() {
	set +e
	"$@" >out 2>err
	echo $?
	set -e
}
leftovers() { [ -z "$(ls -A t)" ] || fail "temporary files left in TMPDIR: $(ls -A t)"; }

# ------------------------------------------------------------- baseline
check --write-baseline base.json base.jsonl >out 2>err || fail "write-baseline: $(cat err)"
grep -q '^wrote baseline base.json: \$12.532000 for 16 requests and 12516000 tokens, 3 groups by model$' out ||
	fail "write-baseline summary: $(cat out)"
"$PYTHON" - base.json <<'EOF' || fail "baseline file content"
import json, sys
b = json.load(open(sys.argv[1]))
assert b["burnrate_check_baseline"] == 1 and b["group_by"] == ["model"], b
assert b["totals"] == {"requests": 16, "tokens": 12516000, "cost_usd": "12.532"}, b["totals"]
rows = {r["model"]: r for r in b["rows"]}
assert rows["gamma"] == {"model": "gamma", "requests": 2, "tokens": 502000,
                         "cost_usd": "0.504"}, rows
EOF
[ ! -e userstore ] || fail "check created the user's store"
ls -A | grep -q 'tmp-' && fail "a temporary baseline file was left: $(ls)"
leftovers
"$BURNRATE" --quiet --store userstore check --prices prices.csv \
	--write-baseline quiet.json base.jsonl >out || fail "--quiet write-baseline"
[ ! -s out ] || fail "--quiet printed: $(cat out)"
cmp -s quiet.json base.json || fail "the same logs gave another baseline"

# ------------------------------------------------------------ no change
[ "$(status check --baseline base.json same.jsonl)" = 0 ] || fail "equal spend: $(cat out err)"
grep -q '^PASS: no change in LLM spend: \$12.532000 for 16 requests and 12516000 tokens' out ||
	fail "equal spend text: $(cat out)"
[ "$(status check --baseline base.json --format markdown same.jsonl)" = 0 ] || fail "equal spend (markdown)"
grep -q 'no change' out || fail "equal spend markdown: $(cat out)"
grep -q '^|' out && fail "a table without changes: $(cat out)"
leftovers

# A CSV log is not UTF-8-checked: a baseline (JSON) holds its names with
# U+FFFD, and the same logs still compare equal to it, also when two names
# differ only by such bytes (one group in the baseline).
printf 'timestamp,provider,model,agent,input_tokens\n2025-10-01T00:00:00Z,acme,alpha,a\377,1000\n2025-10-01T00:00:00Z,acme,alpha\376,a\376,1000\n2025-10-01T00:00:00Z,acme,alpha\375,a\375,1000\n' >bytes.csv
check --write-baseline bytes.json --by agent,model --allow-unpriced bytes.csv >out 2>err ||
	fail "write-baseline of names that are not UTF-8: $(cat err)"
grep -q ', 2 groups by agent,model$' out || fail "names that are not UTF-8: $(cat out)"
[ "$(status check --baseline bytes.json --allow-unpriced bytes.csv)" = 0 ] &&
	grep -q '^PASS: no change' out ||
	fail "names that are not UTF-8 against their own baseline: $(cat out err)"
leftovers

# ----------------------------------------------------------- regression
[ "$(status check --baseline base.json --max-increase 10 --format markdown regress.jsonl)" = 3 ] ||
	fail "+50% under a 10% limit did not exit 3: $(cat out err)"
cp out regress.md
grep -q '^\*\*burnrate check: FAIL\.\*\* LLM spend rose from \\\$12\.532000 to \\\$17\.542000 (+\\\$5\.010000, +40\.0%)' out ||
	fail "markdown sentence: $(cat out)"
grep -q '2 regressions beyond +10%: the total and 1 group' out || fail "regressions named: $(cat out)"
grep -qx '| model | baseline | current | change | change % | requests | tokens | status |' out ||
	fail "markdown header: $(cat out)"
grep -qx '|:--|--:|--:|--:|--:|--:|--:|:--|' out || fail "markdown alignment row: $(cat out)"
grep -qx '| alpha | \\\$10\.020000 | \\\$15\.030000 | +\\\$5\.010000 | +50\.0% | 10 → 15 | 10010000 → 15015000 | \*\*regression\*\* |' out ||
	fail "markdown alpha row: $(cat out)"
grep -q '^| \*\*total\*\* | \\\$12\.532000 | \\\$17\.542000 | +\\\$5\.010000 | +40\.0% |' out ||
	fail "markdown total row: $(cat out)"
grep -q '| beta |' out && fail "an unchanged group is in the table: $(cat out)"
# The markdown table parses as a table: every row has as many cells.
"$PYTHON" - regress.md <<'EOF' || fail "markdown table shape"
import re, sys
rows = [l for l in open(sys.argv[1]) if l.startswith("|")]
cells = [len(re.split(r"(?<!\\)\|", l.strip())) for l in rows]
assert len(rows) == 4 and len(set(cells)) == 1, (rows, cells)
EOF
# Text says the same.
[ "$(status check --baseline base.json regress.jsonl)" = 3 ] || fail "default limit (10%)"
grep -q '^FAIL: LLM spend rose from \$12.532000 to \$17.542000 (+\$5.010000, +40.0%)' out ||
	fail "text sentence: $(cat out)"
grep -Eq '^alpha +\$10\.020000 +\$15\.030000 +\+\$5\.010000 +\+50\.0% +10 → 15 .* regression$' out ||
	fail "text row: $(cat out)"
# Under a limit it does not pass.
[ "$(status check --baseline base.json --max-increase 60% regress.jsonl)" = 0 ] ||
	fail "+50% under a 60% limit: $(cat out err)"
grep -q '^PASS: LLM spend rose .*; within +60%' out || fail "within the limit: $(cat out)"
grep -Eq '^alpha .* increased$' out || fail "increase shown when passing: $(cat out)"
leftovers

# ------------------------------------------- improvements, new, vanished
# delta is new: an infinite increase, beyond any percentage.
[ "$(status check --baseline base.json --format markdown mixed.jsonl)" = 3 ] ||
	fail "a new group under a % limit: $(cat out err)"
grep -q 'LLM spend fell from \\\$12\.532000 to \\\$11\.126000 (-\\\$1\.406000, -11\.2%)' out ||
	fail "fall: $(cat out)"
grep -q 'groups: 1 new, 1 vanished, 1 cost less' out || fail "group counts: $(cat out)"
grep -qx '| beta | \\\$2\.008000 | \\\$1\.004000 | -\\\$1\.004000 | -50\.0% | 4 → 2 | 2004000 → 1002000 | improved |' out ||
	fail "improved row: $(cat out)"
grep -qx '| gamma | \\\$0\.504000 | - | -\\\$0\.504000 | -100\.0% | 2 → 0 | 502000 → 0 | vanished |' out ||
	fail "vanished row: $(cat out)"
grep -qx '| delta | - | \\\$0\.102000 | +\\\$0\.102000 | n/a | 0 → 1 | 0 → 101000 | \*\*new, regression\*\* |' out ||
	fail "new row: $(cat out)"
# Rows by the size of the change: beta, gamma, delta.
[ "$(grep -o '^| [a-z]* |' out | sed 1d | tr -d '| ' | tr '\n' ' ')" = "beta gamma delta " ] ||
	fail "rows not by size of change: $(cat out)"
# Both limits: delta's +$0.102 does not pass $0.50 too.
[ "$(status check --baseline base.json --max-increase 10 --max-increase-usd 0.5 mixed.jsonl)" = 0 ] ||
	fail "both limits, new group below the USD limit: $(cat out err)"
# Within one of them at least (a regression is beyond both): delta is
# beyond +10% but within +$0.5.
grep -q 'within +10% or +\$0.5' out || fail "both limits named: $(cat out)"

# --------------------------------------------------------------- limits
# alpha and the total each rose by $5.01.
[ "$(status check --baseline base.json --max-increase-usd 5.02 regress.jsonl)" = 0 ] ||
	fail "USD limit not exceeded: $(cat out err)"
[ "$(status check --baseline base.json --max-increase-usd 5.00 regress.jsonl)" = 3 ] ||
	fail "USD limit exceeded: $(cat out err)"
grep -q '2 regressions beyond +\$5:' out || fail "USD limit named: $(cat out)"
# Exactly at the limit is not beyond it (exact, not floating point):
# alpha rose by exactly 50%, and $5.01.
[ "$(status check --baseline base.json --max-increase 50 regress.jsonl)" = 0 ] ||
	fail "an increase equal to the % limit: $(cat out err)"
[ "$(status check --baseline base.json --max-increase 49.9999 regress.jsonl)" = 3 ] ||
	fail "an increase just beyond the % limit: $(cat out err)"
[ "$(status check --baseline base.json --max-increase-usd 5.01 regress.jsonl)" = 0 ] ||
	fail "an increase equal to the USD limit: $(cat out err)"
# Both: +50% on alpha passes 45% and $1; the total's +40% does not pass 45%.
[ "$(status check --baseline base.json --max-increase 45 --max-increase-usd 1 \
	--format json regress.jsonl)" = 3 ] || fail "both limits exceeded: $(cat out err)"
"$PYTHON" - out <<'EOF' || fail "both limits: json"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["passed"] is False and d["regressions"] == 1, d
assert d["limits"] == {"max_increase_pct": 45, "max_increase_usd": 1,
                       "allow_unpriced": False}, d["limits"]
assert d["totals"]["regression"] is False, d["totals"]
g = {x["model"]: x for x in d["groups"]}
assert g["alpha"]["regression"] is True and g["beta"]["regression"] is False, g
EOF
[ "$(status check --baseline base.json --max-increase 10 --max-increase-usd 6 regress.jsonl)" = 0 ] ||
	fail "both limits, USD not exceeded: $(cat out err)"
# alpha's +$5.01 and +50% are beyond +10%, within +$6: the sentence says
# "or" ("within +10% and +$6" was false), in Markdown too.
grep -q '^PASS: LLM spend rose .*; within +10% or +\$6; groups' out ||
	fail "both limits, passing sentence: $(cat out)"
[ "$(status check --baseline base.json --max-increase 10 --max-increase-usd 6 \
	--format markdown regress.jsonl)" = 0 ] || fail "both limits, markdown: $(cat out err)"
grep -q '; within +10% or +\\\$6; groups' out ||
	fail "both limits, passing sentence in Markdown: $(cat out)"
# alpha's +50% is beyond 40% and $0; the total's +39.98% is not.
[ "$(status check --baseline base.json --max-increase 40 --max-increase-usd 0 \
	--by model regress.jsonl)" = 3 ] || fail "alpha +50% beyond 40%"
grep -q '1 regression beyond +40% and +\$0: 1 group' out || fail "total below 40%: $(cat out)"

# ----------------------------------------------------------------- JSON
[ "$(status check --baseline base.json --format json mixed.jsonl)" = 3 ] || fail "json status"
cp out mixed.json
"$BURNRATE" --quiet --store ref ingest --prices prices.csv mixed.jsonl || fail "reference ingest"
"$BURNRATE" --store ref report --by model --format json --output ref.json || fail "reference report"
"$PYTHON" - mixed.json ref.json <<'EOF' || fail "json figures"
import json, sys
from decimal import Decimal as D
d = json.load(open(sys.argv[1]), parse_float=D)
ref = json.load(open(sys.argv[2]), parse_float=D)
assert d["passed"] is False and d["group_by"] == ["model"], d
tok = lambda r: (r["input_tokens"] + r["output_tokens"] + r["cache_read_tokens"]
                 + r["cache_write_tokens"])
# Current figures = the report of a store holding the same logs.
t = d["totals"]
assert t["current"] == {"requests": ref["totals"]["requests"],
                        "tokens": tok(ref["totals"]),
                        "cost_usd": ref["totals"]["cost_usd"]}, (t, ref["totals"])
for r in ref["rows"]:
    g = [x for x in d["groups"] if x["model"] == r["model"]][0]
    assert g["current"]["cost_usd"] == r["cost_usd"], (g, r)
    assert g["current"]["tokens"] == tok(r), (g, r)
# And = the prices times the tokens, computed here.
cost = lambda n, inp: D(n) * (D(inp) * 1 + D(1000) * 2) / D(10**6)
assert t["current"]["cost_usd"] == cost(10, 10**6) + cost(2, 500000) + cost(1, 100000)
assert t["baseline"]["cost_usd"] == cost(10, 10**6) + cost(4, 500000) + cost(2, 250000)
assert t["delta"] == {"requests": -3, "tokens": -1403000, "cost_usd": D("-1.406")}, t
assert t["status"] == "decreased" and t["regression"] is False, t
assert t["change_pct"] == D("-11.22"), t
g = {x["model"]: x for x in d["groups"]}
assert [x["model"] for x in d["groups"]] == ["beta", "gamma", "delta", "alpha"], d["groups"]
assert g["alpha"]["status"] == "unchanged" and g["alpha"]["change_pct"] == 0, g["alpha"]
assert g["beta"]["status"] == "decreased" and g["beta"]["change_pct"] == D("-50.00")
assert g["gamma"]["status"] == "vanished" and g["gamma"]["current"]["requests"] == 0
assert g["delta"]["status"] == "new" and g["delta"]["change_pct"] is None
assert g["delta"]["regression"] is True and d["regressions"] == 1, d
assert d["unpriced"] == [] and d["unpriced_requests"] == 0
EOF

# ---------------------------------------------------------------- JUnit
# Names with XML and Markdown specials, by model and agent.
log names.jsonl 'alpha:3:1000:a<b>&"c|d' "alpha:2:1000:it's" beta:1:1000
check --write-baseline names-base.json --by model,agent names.jsonl >/dev/null ||
	fail "baseline by model,agent"
log names2.jsonl 'alpha:6:1000:a<b>&"c|d' "alpha:2:1000:it's"
for f in junit markdown text json; do
	[ "$(status check --baseline names-base.json --format $f names2.jsonl)" = 3 ] ||
		fail "names ($f): $(cat out err)"
	cp out names.$f
done
grep -qF '| alpha | a\<b\>\&"c\|d |' names.markdown || fail "markdown escaping: $(cat names.markdown)"
"$PYTHON" - names.junit names.json <<'EOF' || fail "junit"
import json, sys
import xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "testsuites", root.tag
suites = root.findall("testsuite")
assert len(suites) == 1
s = suites[0]
cases = s.findall("testcase")
failures = [c for c in cases if c.find("failure") is not None]
assert int(s.get("tests")) == len(cases) == 5, (s.attrib, len(cases))
assert int(s.get("failures")) == len(failures) == 2, s.attrib
assert int(root.get("tests")) == len(cases) and int(root.get("failures")) == len(failures)
assert int(s.get("errors")) == 0 and int(s.get("skipped")) == 0
names = {c.get("name"): c for c in cases}
# total, 3 groups by model and agent, prices
assert set(names) == {"total spend", 'model=alpha, agent=a<b>&"c|d',
                      "model=alpha, agent=it's", "model=beta, agent=bot",
                      "every request priced"}, names
f = names['model=alpha, agent=a<b>&"c|d'].find("failure")
assert "rose from $0.009000 to $0.018000 (+$0.009000, +100.0%)" in f.get("message"), f.attrib
assert names["model=alpha, agent=it's"].find("failure") is None
assert names["model=beta, agent=bot"].find("failure") is None  # vanished
assert names["total spend"].find("failure") is not None
d = json.load(open(sys.argv[2]))
assert d["group_by"] == ["model", "agent"]
assert {(g["model"], g["agent"]) for g in d["groups"]} == {
    ("alpha", 'a<b>&"c|d'), ("alpha", "it's"), ("beta", "bot")}, d["groups"]
EOF
# A baseline by model,agent compares by model alone (re-grouped); not by label.
[ "$(status check --baseline names-base.json --by model names.jsonl)" = 0 ] ||
	fail "re-grouped baseline: $(cat out err)"
grep -q 'no change' out || fail "re-grouped: $(cat out)"
[ "$(status check --baseline base.json --by agent base.jsonl)" = 2 ] ||
	fail "--by agent against a baseline by model"
grep -q "baseline is grouped by model, which has no 'agent'" err || fail "regroup error: $(cat err)"

# ---------------------------------------------------- day, week, month
# DESIGN §5's keys include the dates (check refused them, exit 2). UTC
# days: 2025-10-01 (alpha, beta, gamma) and 2099-06-30 (gamma).
check --write-baseline day.json --by model,day base.jsonl >out 2>err ||
	fail "baseline by model,day: $(cat err)"
grep -q ' 4 groups by model,day$' out || fail "baseline by model,day: $(cat out)"
"$PYTHON" - day.json <<'EOF' || fail "baseline by model,day: file"
import json, sys
b = json.load(open(sys.argv[1]))
assert b["group_by"] == ["model", "day"], b
rows = {(r["model"], r["day"]): r["cost_usd"] for r in b["rows"]}
assert rows == {("alpha", "2025-10-01"): "10.02", ("beta", "2025-10-01"): "2.008",
                ("gamma", "2025-10-01"): "0.252", ("gamma", "2099-06-30"): "0.252"}, rows
EOF
[ "$(status check --baseline day.json same.jsonl)" = 0 ] &&
	grep -q '^PASS: no change in LLM spend' out || fail "same logs by model,day: $(cat out err)"
# Compared by model, the days of a model are summed: the same verdict and
# figures as against the baseline by model.
[ "$(status check --baseline base.json --format json regress.jsonl)" = 3 ] || fail "by model: $(cat err)"
cp out by-model.json
[ "$(status check --baseline day.json --by model --format json regress.jsonl)" = 3 ] ||
	fail "baseline by model,day compared by model: $(cat out err)"
cmp -s out by-model.json || fail "model,day summed by model: $(diff out by-model.json)"
# The same requests a month later: by month, October vanished and
# November is new, a regression; by model alone, no change.
sed 's/"2025-10-01T/"2025-11-01T/' base.jsonl >nov.jsonl
check --write-baseline month.json --by month base.jsonl >/dev/null || fail "baseline by month"
[ "$(status check --baseline month.json --format json nov.jsonl)" = 3 ] ||
	fail "by month, a month later: $(cat out err)"
"$PYTHON" - out <<'EOF' || fail "by month: json"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["group_by"] == ["month"], d
g = {x["month"]: x["status"] for x in d["groups"]}
assert g == {"2025-10": "vanished", "2025-11": "new", "2099-06": "unchanged"}, g
assert d["totals"]["status"] == "unchanged" and d["regressions"] == 1, d
EOF
[ "$(status check --baseline base.json nov.jsonl)" = 0 ] || fail "by model, a month later: $(cat out err)"
# ISO weeks: 2025-10-01 is in 2025-W40, 2025-11-01 in 2025-W44.
check --write-baseline week.json --by week,model base.jsonl >/dev/null || fail "baseline by week,model"
[ "$(status check --baseline week.json --format markdown nov.jsonl)" = 3 ] ||
	fail "by week, a month later: $(cat out err)"
grep -q '^| week | model | baseline |' out || fail "by week: header: $(cat out)"
grep -qF '| 2025-W44 | alpha | - | \$10.020000 |' out || fail "by week: new week: $(cat out)"
grep -qF '| 2025-W40 | alpha | \$10.020000 | - |' out || fail "by week: vanished week: $(cat out)"
# A key the baseline does not have is still a usage error, and a date
# written by hand must be one.
[ "$(status check --baseline base.json --by day same.jsonl)" = 2 ] &&
	grep -q "baseline is grouped by model, which has no 'day' to group by day" err ||
	fail "--by day against a baseline by model: $(cat out err)"
[ "$(status check --baseline month.json --by week same.jsonl)" = 2 ] ||
	fail "--by week against a baseline by month: $(cat out err)"
sed 's/"2099-06-30"/"2099-06-31"/' day.json >badday.json
must_fail 2 err check --baseline badday.json same.jsonl
grep -qF "badday.json': rows[3]: \"day\" is not a day (\"2099-06-31\"; expected YYYY-MM-DD)" err ||
	fail "a day that does not exist: $(cat err)"
# Week 54, and week 53 of a year of 52 (2025), are none.
for w in 54 53; do
	sed "s/\"2025-W40\"/\"2025-W$w\"/" week.json >badweek.json
	must_fail 2 err check --baseline badweek.json same.jsonl
	grep -qF "\"week\" is not a week (\"2025-W$w\"; expected YYYY-Www)" err ||
		fail "week $w: $(cat err)"
done

# ------------------------------------------------------------- unpriced
log unpriced.jsonl alpha:10:1000000 beta:4:500000 gamma:1:250000 \
	gamma:1:250000:bot:2099-06-30 nopriced:3:1000
[ "$(status check --baseline base.json unpriced.jsonl)" = 3 ] || fail "unpriced passed: $(cat out err)"
grep -q '3 requests without a price (acme/nopriced: 3): add their prices with --prices FILE, or pass --allow-unpriced' out ||
	fail "unpriced named: $(cat out)"
[ "$(status check --baseline base.json --format junit unpriced.jsonl)" = 3 ] || fail "unpriced junit"
"$PYTHON" -c '
import sys, xml.etree.ElementTree as ET
s = ET.parse(sys.argv[1]).find("testsuite")
c = [c for c in s.findall("testcase") if c.get("name") == "every request priced"][0]
assert "acme/nopriced: 3 requests without a price" in c.find("failure").get("message")
assert s.get("failures") == "1"
' out || fail "unpriced junit content: $(cat out)"
[ "$(status check --baseline base.json --allow-unpriced unpriced.jsonl)" = 0 ] ||
	fail "--allow-unpriced: $(cat out err)"
grep -q '3 requests without a price (allowed' out || fail "allowed unpriced: $(cat out)"
# An unpriced group is new at $0: its change in percent is null in JSON
# (the baseline cost was 0) and n/a in the tables, and Markdown escapes
# the dollar of "counted as $0" (GitHub reads $...$ as mathematics).
[ "$(status check --baseline base.json --allow-unpriced --format json unpriced.jsonl)" = 0 ] ||
	fail "--allow-unpriced json: $(cat out err)"
"$PYTHON" -c '
import json, sys
r = json.load(open(sys.argv[1]))
g = [g for g in r["groups"] if g["model"] == "nopriced"][0]
assert g["baseline"]["cost_usd"] == 0 and g["current"]["cost_usd"] == 0, g
assert g["change_pct"] is None, g
' out || fail "unpriced change_pct: $(cat out)"
[ "$(status check --baseline base.json --allow-unpriced --format markdown unpriced.jsonl)" = 0 ] ||
	fail "--allow-unpriced markdown: $(cat out err)"
grep -qF '3 requests without a price (allowed, counted as \$0).' out &&
	! grep -q '[^\\]\$0)' out || fail "unescaped dollar in markdown: $(cat out)"
grep -qF '| nopriced | - | \$0.000000 | \$0.000000 | n/a |' out ||
	fail "unpriced markdown row: $(cat out)"
[ "$(status check --baseline base.json --allow-unpriced unpriced.jsonl)" = 0 ] &&
	grep -q '^nopriced .* n/a ' out || fail "unpriced text row: $(cat out)"

# -------------------------------------------------- a last line, no newline
head -c -1 base.jsonl >nonl.jsonl
[ "$(status check --baseline base.json nonl.jsonl)" = 0 ] &&
	grep -q 'no change' out || fail "a last line without newline was lost: $(cat out err)"
# Logs read from directories and gzip as well.
mkdir dir && gzip -c base.jsonl >dir/base.jsonl.gz
[ "$(status check --baseline base.json dir)" = 0 ] || fail "a directory of gzip logs: $(cat out err)"
# A baseline kept in the log directory is left out of its walk, written
# (over an old one) and read (it was 'cannot tell the log format', exit 1).
mkdir ci-logs && cp base.jsonl ci-logs/
check --write-baseline ci-logs/baseline.json ci-logs >out 2>err || fail "baseline in the logs: $(cat err)"
check --write-baseline ci-logs/baseline.json ci-logs >out 2>err || fail "baseline over one in the logs: $(cat err)"
[ "$(status check --baseline ci-logs/baseline.json ci-logs)" = 0 ] &&
	grep -q 'no change' out || fail "a baseline in the log directory: $(cat out err)"
# So are the prices file and the configuration kept there (they were read
# as logs: 'ci-logs/prices.csv: cannot tell the log format', exit 1).
cp prices.csv ci-logs/ && printf 'prices prices.csv\n' >ci-logs/burnrate.conf
"$BURNRATE" --store userstore --config ci-logs/burnrate.conf check \
	--baseline ci-logs/baseline.json ci-logs >out 2>err &&
	grep -q 'no change' out || fail "a configuration in the log directory: $(cat out err)"
"$BURNRATE" --store userstore check --prices ci-logs/prices.csv \
	--baseline ci-logs/baseline.json ci-logs >out 2>err &&
	grep -q 'no change' out || fail "a prices file in the log directory: $(cat out err)"
rm ci-logs/prices.csv ci-logs/burnrate.conf
# An archive without a log member holds nothing to count: it fails, named
# (it passed, silently, without its spend).
cp regress.jsonl shard2.txt
"$PYTHON" -c '
import zipfile
with zipfile.ZipFile("shard2.zip", "w") as z:
    z.write("shard2.txt")
'
must_fail 1 err check --baseline base.json same.jsonl shard2.zip
grep -q "shard2.zip: no log member (1 other member skipped)" err ||
	fail "an archive without a log member not named: $(cat err)"
must_fail 1 err check --write-baseline nolog.json shard2.zip
[ ! -e nolog.json ] || fail "a baseline was written without an input's spend"

# --------------------------------------------------------------- errors
must_fail 2 err check --baseline base.json
grep -q 'no logs given' err || fail "no LOGPATH: $(cat err)"
must_fail 2 err check same.jsonl
must_fail 2 err check --baseline base.json --write-baseline x.json same.jsonl
must_fail 1 err check --baseline base.json missing.jsonl
grep -q 'missing.jsonl' err || fail "missing log not named: $(cat err)"
leftovers
must_fail 2 err check --baseline nothere.json same.jsonl
grep -q "nothere.json" err || fail "unreadable baseline not named: $(cat err)"
printf '{"burnrate_check_baseline":1,\n"group_by":["model"],' >broken.json
must_fail 2 err check --baseline broken.json same.jsonl
grep -q "baseline 'broken.json': invalid JSON at line 2" err || fail "malformed baseline: $(cat err)"
printf '{"burnrate_check_baseline":2}' >v2.json
must_fail 2 err check --baseline v2.json same.jsonl
grep -q "v2.json': format version 2 is not supported" err || fail "version: $(cat err)"
printf '{"rows":[]}' >other.json
must_fail 2 err check --baseline other.json same.jsonl
grep -q "not a burnrate check baseline" err || fail "not a baseline: $(cat err)"
sed 's/"cost_usd":"0.504"/"cost_usd":0.504/' base.json >numcost.json
must_fail 2 err check --baseline numcost.json same.jsonl
grep -q "numcost.json': rows\[2\]: \"cost_usd\" must be a decimal number in a string" err ||
	fail "cost as a number: $(cat err)"
sed 's/"requests":2,/"requests":3,/' base.json >sum.json
must_fail 2 err check --baseline sum.json same.jsonl
grep -q '"totals" is not the sum of "rows"' err || fail "totals: $(cat err)"
sed 's/"group_by":\["model"\]/"group_by":["day"]/' base.json >dayrows.json
must_fail 2 err check --baseline dayrows.json same.jsonl
grep -qF "dayrows.json': rows[0]: \"day\" must be a string" err ||
	fail "rows by model in a baseline by day: $(cat err)"
# Hand-edited baselines: a negative cost, another currency, a row named
# by a key the file is not grouped by (each was read, and counted).
sed 's/"cost_usd":"0.504"/"cost_usd":"-0.504"/; s/"cost_usd":"12.532"/"cost_usd":"11.524"/' \
	base.json >negcost.json
must_fail 2 err check --baseline negcost.json same.jsonl
grep -q "negcost.json': rows\[2\]: \"cost_usd\" is negative (\"-0.504\")" err ||
	fail "a negative cost: $(cat err)"
sed 's/"currency":"USD"/"currency":"EUR"/' base.json >eur.json
must_fail 2 err check --baseline eur.json same.jsonl
grep -q "eur.json': \"currency\" must be \"USD\"" err || fail "currency EUR: $(cat err)"
sed 's/{"model":"gamma",/{"model":"gamma","agent":"bot",/' base.json >rowkey.json
must_fail 2 err check --baseline rowkey.json same.jsonl
grep -q "rowkey.json': rows\[2\]: \"agent\" is not a key of \"group_by\" (model)" err ||
	fail "a row key not grouped by: $(cat err)"
for bad in abc -5 '' 10%% 1x; do
	must_fail 2 err check --baseline base.json --max-increase "$bad" same.jsonl
	grep -q "invalid --max-increase '$bad'" err || fail "--max-increase '$bad': $(cat err)"
done
must_fail 2 err check --baseline base.json --max-increase-usd -1 same.jsonl
grep -q "invalid --max-increase-usd '-1'" err || fail "--max-increase-usd: $(cat err)"
# Limits are compared exactly: one with more than 12 decimals (1e-12 USD,
# 1e-12 %) is refused, not rounded ($0.10 passed 0.09999999999999, +3.33%
# failed 3.33333333333334, and 1e-13 became +$0); 12 decimals are exact.
printf '%s\n' 'provider,model,from,input,output,cache_read,cache_write' 'acme,a,,1,0,,' >p3.csv
for n in 3000000 3100000; do
	printf '{"timestamp":"2025-10-01T12:00:00Z","provider":"acme","model":"a","request_id":"1","usage":{"input_tokens":%s}}\n' $n >l$n.jsonl
done
check3() { "$BURNRATE" --store userstore check --prices p3.csv "$@"; }
check3 --write-baseline b3.json l3000000.jsonl >/dev/null || fail "b3.json: exited $?"
for lim in --max-increase-usd=0.09999999999999 --max-increase=3.33333333333334 \
	--max-increase-usd=0.0000000000001 --max-increase-usd=1e-13; do
	must_fail 2 err check3 --baseline b3.json "$lim" l3100000.jsonl
	grep -q "invalid ${lim%%=*} '${lim#*=}': more than 12 decimals (the limit is compared exactly)" err ||
		fail "$lim: $(cat err)"
done
for lim in -usd=0.1:0 -usd=0.099999999999:3 -usd=0.1000000000000:0 \
	=3.333333333334:0 =3.333333333333:3; do
	[ "$(status check3 --baseline b3.json "--max-increase${lim%:*}" l3100000.jsonl)" = "${lim#*:}" ] ||
		fail "--max-increase${lim%:*}: want exit ${lim#*:}: $(cat out err)"
done
# A percentage shows the decimals that tell it from none and from the
# limit it failed ("+10.0%" failed "+10%", a tiny fall was "-0.0%"), and
# one request is "1 request".
for n in 10000000 11000001 9999999; do
	printf '{"timestamp":"2025-10-01T12:00:00Z","provider":"acme","model":"a","request_id":"1","usage":{"input_tokens":%s}}\n' $n >l$n.jsonl
done
check3 --write-baseline b4.json l10000000.jsonl >out || fail "b4.json: exited $?"
grep -q ' for 1 request and 10000000 tokens, 1 group by model$' out || fail "1 request: $(cat out)"
[ "$(status check3 --baseline b4.json l11000001.jsonl)" = 3 ] &&
	grep -q '^FAIL: .*(+\$1.000001, +10.00001%) against the baseline; 2 regressions beyond +10%: the total and 1 group;' out ||
	fail "+10.00001% against +10%: $(cat out err)"
[ "$(status check3 --baseline b4.json l9999999.jsonl)" = 0 ] &&
	grep -q '^PASS: .*(-\$0.000001, -0.00001%)' out || fail "a tiny fall: $(cat out err)"
[ "$(status check3 --baseline b4.json l10000000.jsonl)" = 0 ] &&
	grep -q '^PASS: no change in LLM spend: \$10.000000 for 1 request and' out ||
	fail "no change, 1 request: $(cat out err)"
must_fail 2 err check --baseline base.json --by week,model same.jsonl
must_fail 2 err check --baseline base.json --format xml same.jsonl
must_fail 2 err check --write-baseline x.json --max-increase 5 same.jsonl
[ ! -e x.json ] || fail "a baseline was written after a usage error"
# A log that cannot be parsed, and a record that is rejected: exit 1,
# naming the file (and line).
printf 'not a log\n' >garbage.jsonl
must_fail 1 err check --baseline base.json garbage.jsonl
grep -q 'garbage.jsonl' err || fail "unparsable log not named: $(cat err)"
# A log whose format cannot be told is named with --log-format (the
# message said --format, check's output format: following it failed).
grep -q 'name it with --log-format (auto, generic' err || fail "format advice: $(cat err)"
printf '{"event":"ping"}\n' >shape.jsonl
must_fail 1 err check --baseline base.json shape.jsonl
grep -q 'name it with --log-format' err || fail "format advice (JSON): $(cat err)"
[ "$(status check --baseline base.json --log-format generic same.jsonl)" = 0 ] ||
	fail "--log-format generic: $(cat out err)"
must_fail 2 err check --baseline base.json --log-format junit same.jsonl
grep -q "check: --log-format: unknown format 'junit'" err || fail "--log-format junit: $(cat err)"
cp base.jsonl rejects.jsonl
echo '{"timestamp":"2025-10-01T00:00:00Z","provider":"acme","model":"alpha","usage":{"input_tokens":-4}}' >>rejects.jsonl
must_fail 1 err check --baseline base.json rejects.jsonl
grep -q 'rejects.jsonl:17: ' err && grep -q '1 record of the logs could not be read' err ||
	fail "rejected record not named: $(cat err)"
must_fail 1 err check --write-baseline r.json rejects.jsonl
[ ! -e r.json ] || fail "a baseline was written from logs with rejected records"
printf 'x' | gzip >trunc.gz
head -c 12 trunc.gz >truncated.jsonl.gz
must_fail 1 err check --baseline base.json truncated.jsonl.gz
grep -q 'truncated.jsonl.gz' err || fail "truncated gzip not named: $(cat err)"
# Token counts beyond INT64_MAX (1900 records at the 10^15 cap of each
# class, unpriced): written as a decimal string and read back (jansson
# refused the integer: exit 2, "too big integer").
"$PYTHON" - <<'EOF'
import json
with open("huge.jsonl", "w") as f:
    for i in range(1900):
        f.write(json.dumps({"timestamp": "2025-10-01T00:00:00Z", "provider": "acme",
            "model": "omega", "request_id": "h%d" % i, "usage": {
            k: 10**15 for k in ("input_tokens", "output_tokens", "cache_read_tokens",
                                "cache_write_tokens", "cache_write_1h_tokens")}}) + "\n")
EOF
check --write-baseline huge.json huge.jsonl >out 2>err || fail "huge baseline: $(cat err)"
grep -q '"tokens":"9500000000000000000"' huge.json || fail "huge tokens: $(cat huge.json)"
[ "$(status check --baseline huge.json --allow-unpriced huge.jsonl)" = 0 ] &&
	grep -q 'no change' out || fail "huge baseline read back: $(cat out err)"
sed 's/"tokens":"9500000000000000000"/"tokens":"99999999999999999999"/g' huge.json >huger.json
must_fail 2 err check --baseline huger.json --allow-unpriced huge.jsonl
grep -q "huger.json': \"totals\": \"tokens\" must be a non-negative integer" err ||
	fail "a count beyond UINT64_MAX: $(cat err)"
# Amounts under $0.000001 ($0.1 per 1M cache reads: 1 token is
# $0.0000001) are shown with the decimals they need, not as $0.000000.
"$PYTHON" - <<'EOF'
import json
for name, n in (("tiny5.jsonl", 5), ("tiny6.jsonl", 6)):
    with open(name, "w") as f:
        for i in range(n):
            f.write(json.dumps({"timestamp": "2025-10-01T00:00:00Z", "provider": "acme",
                "model": "alpha", "request_id": "%s-%d" % (name, i), "usage": {
                "input_tokens": 0, "output_tokens": 0, "cache_read_tokens": 1}}) + "\n")
EOF
check --write-baseline tiny.json tiny5.jsonl >out 2>err || fail "tiny baseline: $(cat err)"
[ "$(status check --baseline tiny.json tiny6.jsonl)" = 3 ] || fail "tiny rise: $(cat out err)"
grep -q 'rose from \$0.0000005 to \$0.0000006 (+\$0.0000001, +20.0%)' out ||
	fail "tiny amounts in text: $(cat out)"
[ "$(status check --baseline tiny.json --format markdown tiny6.jsonl)" = 3 ] &&
	grep -qF 'from \$0.0000005 to \$0.0000006 (+\$0.0000001, +20.0%)' out ||
	fail "tiny amounts in Markdown: $(cat out)"
[ "$(status check --baseline tiny.json --format junit tiny6.jsonl)" = 3 ] &&
	grep -qF '$0.0000005' out && grep -qF '+$0.0000001' out ||
	fail "tiny amounts in JUnit: $(cat out)"
[ "$(status check --baseline tiny.json --format json tiny6.jsonl)" = 3 ] &&
	grep -qF '"cost_usd":0.0000006' out || fail "tiny amounts in JSON: $(cat out)"
# Logs that hold no records pass (spend fell to $0) but say so.
mkdir -p emptylogs
"$BURNRATE" --store userstore check --prices prices.csv --baseline base.json emptylogs >out 2>err ||
	fail "check of an empty directory exited $?"
grep -q "warning: check: the logs given hold no records (1 path, 0 inputs)" err ||
	fail "an empty log directory passed without a word: $(cat err)"
# An empty baseline compared with empty logs: no change, and no change in
# percent either (null: the baseline cost was 0).
"$BURNRATE" --store userstore check --write-baseline empty.json emptylogs >out 2>err ||
	fail "a baseline of no records: exit $?: $(cat err)"
"$BURNRATE" --store userstore check --prices prices.csv --baseline empty.json \
	--format json emptylogs >out 2>err || fail "empty against empty: exit $?"
"$PYTHON" -c '
import json, sys
t = json.load(open(sys.argv[1]))["totals"]
assert t["status"] == "unchanged" and t["change_pct"] is None, t
' out || fail "empty against empty change_pct: $(cat out)"
# A configuration that states a time zone for the real store does not
# touch check's own (UTC) store: it was refused, "already exists with
# time zone UTC, not Europe/Berlin", exit 2.
printf 'timezone Europe/Berlin\n' >tz.conf
"$BURNRATE" --config tz.conf --store userstore check --prices prices.csv --baseline base.json base.jsonl >out 2>err ||
	fail "check with a configuration stating a time zone: $(cat err)"
leftovers
[ ! -e userstore ] || fail "check created the user's store"
# A check ended by SIGTERM (a CI job's timeout) or SIGHUP (SIGINT too,
# which a background job of sh ignores) removes its temporary store before
# it dies of the signal (it was left in TMPDIR). It is caught reading a FIFO whose writer stays open.
# Its SIGHUP is reset to its default: one ignored when the tests start
# (make check under nohup) stays ignored, and check goes on.
for sig in TERM HUP; do
	rm -f sig.fifo
	mkfifo sig.fifo
	env --default-signal=HUP "$BURNRATE" check --prices prices.csv --baseline base.json sig.fifo >/dev/null 2>&1 &
	pid=$!
	exec 9>sig.fifo
	head -n 3 base.jsonl >&9
	i=0
	until [ -n "$(ls -A t)" ] || [ $i -ge 100 ]; do sleep 0.1; i=$((i + 1)); done
	[ -n "$(ls -A t)" ] || fail "SIG$sig: no temporary store while check reads"
	kill -s "$sig" $pid
	exec 9>&- # a check that outlives the signal ends, and fails below
	set +e
	wait $pid
	rc=$?
	set -e
	[ $rc -gt 128 ] || fail "SIG$sig: check exited $rc, not of the signal"
	leftovers
done

# What a check killed with SIGKILL (no handler runs) leaves, its store in
# TMPDIR and its baseline's temporary file, is removed by the next check
# once stale: of a process gone, untouched for an hour. A recent one, or
# one of a live process, is left alone (it may be another check's).
gone=999999999 # no such process (above any pid_max)
mkdir -p "t/burnrate-check-$gone-abcdef/store" "t/burnrate-check-$gone-recent" \
	"t/burnrate-check-$$-alive"
echo x >".tmp-$gone-stale.json"
echo x >".tmp-$gone-recent.json"
touch -d '2 hours ago' "t/burnrate-check-$gone-abcdef" \
	"t/burnrate-check-$$-alive" ".tmp-$gone-stale.json"
check --write-baseline stale.json base.jsonl >out 2>err ||
	fail "write-baseline with leftovers: $(cat err)"
[ ! -e "t/burnrate-check-$gone-abcdef" ] ||
	fail "a killed check's stale store was not removed: $(ls -A t)"
[ ! -e ".tmp-$gone-stale.json" ] ||
	fail "a killed check's stale baseline file was not removed"
[ -d "t/burnrate-check-$gone-recent" ] && [ -d "t/burnrate-check-$$-alive" ] ||
	fail "a recent or live check's store was removed: $(ls -A t)"
[ -e ".tmp-$gone-recent.json" ] || fail "a recent baseline file was removed"
rm -rf t/* ".tmp-$gone-recent.json"

# ------------------------------------------------------ saturated counts
# Token sums saturate at 2^64 - 1 (18,447 requests of 10^15 tokens of one
# model), where report warns that a count shown so is a lower bound. check
# did not: it wrote such a baseline without a word, said "no change in LLM
# spend ... 18446744073709551615 tokens, as in the baseline" of logs whose
# counts it could not know, and its JSON's delta of tokens was 0. It warns
# (writing and comparing), never calls a saturated count unchanged, and
# its delta is null; the verdict goes by costs (exact).
"$PYTHON" -c '
def log(path, n, first=0):
    with open(path, "w") as o:
        for i in range(first, first + n):
            o.write("{\"timestamp\":\"2025-10-01T12:00:00Z\",\"provider\":\"acme\",\"model\":\"alpha\",\"request_id\":\"s%d\",\"usage\":{\"input_tokens\":1000000000000000,\"output_tokens\":0},\"cost_usd\":1}\n" % i)
log("sat.jsonl", 18447)
log("sat2.jsonl", 18447, 100000)  # the same spend, other requests
log("big.jsonl", 10000)           # 10^19 tokens: beyond 2^63, not saturated
log("one.jsonl", 1)
'
sat_warning='^burnrate: warning: token sums reached 18446744073709551615 (2^64 - 1), where they saturate: a token count shown as that number is a lower bound'
check --write-baseline sat.json sat.jsonl >out 2>err || fail "saturated baseline: $(cat err)"
grep -q "$sat_warning" err || fail "a saturated baseline without a warning: $(cat err)"
[ "$(status check --baseline sat.json sat2.jsonl)" = 0 ] || fail "saturated check: $(cat out err)"
grep -q "$sat_warning" err || fail "a saturated check without a warning: $(cat err)"
grep -q 'no change' out && fail "saturated counts called unchanged: $(cat out)"
grep -q '^PASS: LLM spend unchanged at \$18447.000000 against the baseline; within +10%; groups: 1 with counts too large to compare (2^64 - 1)\.$' out ||
	fail "saturated check text: $(cat out)"
[ "$(status check --baseline sat.json --format json sat2.jsonl)" = 0 ] || fail "saturated json: $(cat err)"
cp out sat-check.json
# And a rise of 10^19 - 10^15 tokens (not saturated, beyond a long long)
# is that, not negative.
check --write-baseline one.json one.jsonl >/dev/null 2>err || fail "baseline of one: $(cat err)"
[ "$(status check --baseline one.json --format json --max-increase-usd 1e9 big.jsonl)" = 0 ] ||
	fail "big json: $(cat out err)"
grep -q 'token sums reached' err && fail "10^19 tokens called saturated: $(cat err)"
"$PYTHON" - sat-check.json out <<'EOF' || fail "saturated counts in JSON"
import json, sys
d = json.load(open(sys.argv[1]))
for l in [d["totals"]] + d["groups"]:
    assert l["baseline"]["tokens"] == l["current"]["tokens"] == 2**64 - 1, l
    assert l["delta"]["tokens"] is None and l["delta"]["requests"] == 0, l
    assert l["status"] == "unchanged" and l["regression"] is False, l
b = json.load(open(sys.argv[2]))["totals"]
assert b["delta"]["tokens"] == 10**19 - 10**15, b
assert b["delta"]["requests"] == 9999, b
EOF
leftovers

# ------------------------------------------------------- sums of $10^15
# A record costs at most $10^9, but a baseline's sums have no such bound:
# 1,000,001 requests of $10^9 are $1,000,001,000,000,000, which check
# wrote into a baseline and then refused to read ("cost_usd" must be a
# decimal number: br_money_parse's bound of one amount). It reads back
# what it writes, and the same logs pass against it.
"$PYTHON" -c '
import gzip
with gzip.open("huge.jsonl.gz", "wt") as o:
    o.write("{\"timestamp\":1759320000,\"provider\":\"acme\",\"model\":\"alpha\",\"cost_usd\":1e9}\n" * 1000001)
'
check --write-baseline huge.json huge.jsonl.gz >out 2>err || fail "baseline of sums of \$10^15: $(cat err)"
grep -q '"totals":{"requests":1000001,"tokens":0,"cost_usd":"1000001000000000.0"}' huge.json ||
	fail "baseline of sums of \$10^15: $(cat huge.json)"
[ "$(status check --baseline huge.json huge.jsonl.gz)" = 0 ] &&
	grep -q '^PASS: no change in LLM spend: \$1000001000000000.000000 for 1000001 requests' out ||
	fail "check against a baseline of \$10^15: $(cat out err)"
leftovers

# A TMPDIR that does not exist: exit 1, the error naming TMPDIR and its
# value (it said only "cannot create a temporary directory" and the
# path, which a CI environment set unseen); no fallback to /tmp.
TMPDIR="$tmp/no-such-dir" must_fail 1 err check --write-baseline notmp.json base.jsonl
grep -qF "check: cannot create a temporary store in TMPDIR '$tmp/no-such-dir' ($tmp/no-such-dir/burnrate-check-" err ||
	fail "TMPDIR missing: $(cat err)"
[ ! -e notmp.json ] || fail "TMPDIR missing: a baseline was written"
# The configuration's cost_mode and label count in check as in ingest: a
# log whose cost_usd says $5 for a request the catalog prices at
# $0.0125 costs $0.0125 with cost_mode calculate (check counted the
# logged $5 whatever cost_mode said), and its metadata.team is the label.
cat >cm.jsonl <<'EOJ'
{"timestamp":"2025-10-01T12:00:00Z","provider":"openai","model":"gpt-4o","request_id":"cm-1","usage":{"input_tokens":1000,"output_tokens":1000},"cost_usd":5,"metadata":{"team":"search"}}
EOJ
printf 'cost_mode calculate\nlabel metadata.team\n' >cm.conf
"$BURNRATE" --config cm.conf check --by label --write-baseline cm.json cm.jsonl >out 2>err ||
	fail "check with cost_mode calculate: exit $?: $(cat err)"
"$PYTHON" - cm.json <<'EOP' || fail "check ignored the configuration's cost_mode or label: $(cat cm.json)"
import json, sys
b = json.load(open(sys.argv[1]))
rows = b["rows"] if "rows" in b else b["groups"]
assert [r.get("label") for r in rows] == ["search"], rows
cost = rows[0]["cost_usd"]
assert abs(float(cost) - 0.0125) < 1e-9, cost
EOP
"$BURNRATE" check --by label --write-baseline cm-auto.json cm.jsonl >out 2>err ||
	fail "check without the configuration: exit $?: $(cat err)"
grep -qF '"label":"","requests":1,"tokens":2000,"cost_usd":"5.0"' cm-auto.json || fail "without cost_mode, check counts the logged cost: $(cat cm-auto.json)"
echo "PASS check"
