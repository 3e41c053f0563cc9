#!/bin/sh
# outlook.sh - month-end projections and budgets in reports, on histories
# whose answers are known: a steady spend projects to itself with a narrow
# interval; budgets report spent (exact), utilization, the highest
# threshold crossed, the day they run out and their status; scopes and
# periods select the right rows; every format shows the same numbers, and
# utilization never rounded up to 100% before the limit; bad budget files
# are refused naming file, line and value (exit 2).
. "$(dirname "$0")/common.inc"
cd "$tmp"
# 60 days of exactly $10.00 a day (1M gpt-4o input tokens at $2.50 = $2.50,
# four requests a day) for agent "bot", plus $1 a day for agent "other".
"$PYTHON" - <<'EOF'
import datetime as dt
with open("steady.jsonl", "w") as f:
    d0 = dt.date(2025, 8, 22)
    for i in range(60):
        day = d0 + dt.timedelta(days=i)
        for k in range(4):
            f.write('{"timestamp":"%sT1%d:00:00Z","provider":"openai","model":"gpt-4o",'
                    '"agent":"bot","request_id":"b%d-%d","usage":{"input_tokens":1000000}}\n'
                    % (day, k, i, k))
        f.write('{"timestamp":"%sT12:00:00Z","provider":"openai","model":"gpt-4o",'
                '"agent":"other","request_id":"o%d","usage":{"input_tokens":400000}}\n'
                % (day, i))
EOF
"$BURNRATE" --quiet --store s ingest steady.jsonl || fail "ingest exited $?"
printf '%s\n' 'name,scope,period,limit_usd,thresholds,forecast,recipients' \
	'all,*,monthly,300,50;75;90;100,yes,a@example.com' \
	'bot,agent=bot,monthly,400,,yes,' \
	'other-week,agent=other;provider=openai,weekly,5,50;100,no,' \
	'tight,agent=bot,daily,9,,yes,' \
	'sparse,agent=bot,monthly,105,10;20,no,' \
	'high-only,agent=bot,monthly,125,95,no,' >budgets.csv
# As of 2025-10-10 (a Friday): October so far is 10 days x $11.
"$BURNRATE" --store s report --as-of 2025-10-10 --month 2025-10 --by agent \
	--budgets budgets.csv --format json --output r.json || fail "report exited $?"
"$PYTHON" - r.json <<'EOF' || fail "projection or budgets wrong (above)"
import json, sys
d = json.load(open(sys.argv[1]))
p = d["projection"]
assert p["month"] == "2025-10" and p["month_to_date_usd"] == 110.0, p
# A steady $11/day projects to 31 x $11 within a narrow interval.
assert abs(p["projected_usd"] - 341.0) < 0.5, p
assert p["low_usd"] <= p["projected_usd"] <= p["high_usd"], p
assert p["high_usd"] - p["low_usd"] < 0.1 * p["projected_usd"], p
assert p["confidence"] == 0.8
b = {x["name"]: x for x in d["budgets"]}
a = b["all"]
# 36.666...%: to nearest (but never up to 75, 90, 100: below).
assert a["spent_usd"] == 110.0 and a["utilization_pct"] == 36.67, a
assert a["period_start"] == "2025-10-01" and a["period_end"] == "2025-10-31", a
# The projection (341) passes the limit (300): critical, runs out when
# 300 is reached at $11/day: day 28 (27.3 days of spend).
assert a["status"] == "critical" and a["threshold_crossed"] == 0, a
assert a["runs_out"] == "2025-10-28", a
bot = b["bot"]
assert bot["spent_usd"] == 100.0 and bot["status"] == "ok", bot
# At $10/day the 400 would be reached in November: not within the period.
assert bot["runs_out"] is None, bot
assert abs(bot["projected_usd"] - 310.0) < 0.5, bot
o = b["other-week"]
# ISO week of Fri 2025-10-10: Mon 10-06 .. Sun 10-12; 5 days x $1.
assert (o["period_start"], o["period_end"]) == ("2025-10-06", "2025-10-12"), o
assert o["spent_usd"] == 5.0 and o["threshold_crossed"] == 100, o
assert o["status"] == "exceeded" and o["runs_out"] == "2025-10-10", o
# The status goes by utilization, not by the thresholds alerts use:
# 95.2% is critical, 80% a warning.
sp = b["sparse"]
assert sp["threshold_crossed"] == 20 and sp["status"] == "critical", sp
h = b["high-only"]
assert h["threshold_crossed"] == 0 and h["status"] == "warning", h
t = b["tight"]
assert t["spent_usd"] == 10.0 and t["status"] == "exceeded", t
assert t["runs_out"] == "2025-10-10", t
EOF
# The table says the same.
"$BURNRATE" --store s report --as-of 2025-10-10 --month 2025-10 --by agent \
	--budgets budgets.csv --no-color >r.txt
grep -q '^2025-10: 110.000000 spent to date, projected 341\.' r.txt &&
	grep -q '^budget other-week (agent=other;provider=openai, weekly): 5.000000 of 5.000000, 100.0%.*: exceeded$' r.txt ||
	fail "the table disagrees: $(cat r.txt)"
# Without history before the month, on its first day: still an answer.
"$BURNRATE" --store s report --as-of 2025-08-22 --format json --output first.json
"$PYTHON" -c '
import json, sys
p = json.load(open(sys.argv[1]))["projection"]
assert p["month_to_date_usd"] == 11.0 and p["projected_usd"] > 11.0, p
assert p["low_usd"] >= 11.0 and p["high_usd"] > p["projected_usd"], p
' first.json || fail "projection on the first day of data"

# Utilization is never rounded up to 100% (or 90%, 75%) in any format
# before spent reaches it, so it agrees with the status: $9.999999
# of $10 is 99.99 (JSON), 99.9% (table, HTML, the alert), 0.9999 with
# "0.00%" (XLSX) and 0.999999 (Prometheus), status critical.
"$BURNRATE" --quiet --store u init
printf '%s\n' '{"timestamp":"2025-10-05T12:00:00Z","provider":"openai","model":"gpt-4o","request_id":"u1","usage":{"input_tokens":1},"cost_usd":9.999999}' >u.jsonl
"$BURNRATE" --quiet --store u ingest --cost-mode display u.jsonl
printf '%s\n' 'name,scope,period,limit_usd,thresholds,forecast,recipients' \
	'cap,*,monthly,10,99,no,x@example.com' >u.csv
uq="--store u report --as-of 2025-10-05 --budgets u.csv"
"$BURNRATE" $uq --format json --output u.json
"$BURNRATE" $uq --format xlsx --output u.xlsx
"$PYTHON" - u.json u.xlsx <<'EOF2' || fail "utilization at 99.99999% (above)"
import json, sys
import openpyxl
b = json.load(open(sys.argv[1]))["budgets"][0]
assert b["spent_usd"] == 9.999999 and b["status"] == "critical", b
assert b["utilization_pct"] == 99.99, b
for name, col in (("Budgets", 10), ("Summary", 5)):
    cells = [r[col] for r in openpyxl.load_workbook(sys.argv[2])[name].iter_rows()
             if r[0].value == "cap"]
    assert len(cells) == 1 and cells[0].value == 0.9999, (name, cells[0].value)
    assert cells[0].number_format == "0.00%", cells[0].number_format
EOF2
"$BURNRATE" $uq --no-color | grep -q '^budget cap (\*, monthly): 9.999999 of 10.000000, 99.9%,.*: critical$' ||
	fail "table: utilization of \$9.999999 of \$10: $("$BURNRATE" $uq --no-color | grep '^budget')"
"$BURNRATE" $uq --format html | grep -q '<td>99\.9%</td>' ||
	fail "HTML: utilization of \$9.999999 of \$10 is not 99.9%"
"$BURNRATE" --store u report --as-of 2025-10-05 --budgets u.csv --format prom |
	grep -q '^burnrate_budget_utilization_ratio{budget="cap",period="monthly"} 0.999999$' ||
	fail "prom: utilization ratio of \$9.999999 of \$10 is not 0.999999"
mkdir udry
"$BURNRATE" --store u notify --budgets u.csv --as-of 2025-10-05 --dry-run udry >/dev/null
"$PYTHON" - udry <<'EOF2' || fail "alert: utilization of \$9.999999 of \$10 (above)"
import email, email.policy, glob, sys
msgs = [email.message_from_binary_file(open(p, "rb"), policy=email.policy.default)
        for p in glob.glob(sys.argv[1] + "/*.eml")]
assert len(msgs) == 1, len(msgs)
text = msgs[0].get_body(("plain",)).get_content()
assert "(99.9% of the limit" in text, text
assert "$9.999999 (99.9%" in text, text  # not $10.00, below a $10 limit
EOF2

# Bad budget files: exit 2, naming file, line and value.
bad() { # EXPECTED-MESSAGE CSV-LINE
	printf '%s\n%s\n' 'name,scope,period,limit_usd,thresholds,forecast,recipients' "$2" >bad.csv
	set +e
	"$BURNRATE" --store s report --budgets bad.csv >/dev/null 2>bad.err
	rc=$?
	set -e
	[ $rc -eq 2 ] && grep -q "$1" bad.err || fail "bad budget '$2': exit $rc, $(cat bad.err)"
}
bad "bad.csv:2: invalid period 'yearly'" 'x,*,yearly,10,,,'
bad "bad.csv:2: invalid limit_usd '-5'" 'x,*,monthly,-5,,,'
bad "bad.csv:2: invalid scope 'team=x'" 'x,team=x,monthly,5,,,'
bad "bad.csv:2: invalid scope 'agent=a;provider=p;agent=b': key 'agent' given twice" \
	'x,agent=a;provider=p;agent=b,monthly,5,,,'
bad "bad.csv:2: invalid thresholds '50;abc'" 'x,*,monthly,5,50;abc,,'
# A budgets file that cannot be opened now (EMFILE, ENOMEM) is a failure
# of the run, exit 1, which the next may not have: not of the file, exit
# 2 (a missing one is).
printf '%s\n%s\n' 'name,scope,period,limit_usd' 'b,*,monthly,10' >ok.csv
if traced -f -qq -o /dev/null -e trace=openat \
	-e inject=openat:error=EIO:when=1000 true 2>/dev/null; then
	for e in EMFILE ENOMEM; do
		set +e
		traced -f -qq -o /dev/null -P "$PWD/ok.csv" -e trace=openat \
			-e inject=openat:error=$e "$BURNRATE" --store s report \
			--budgets "$PWD/ok.csv" >/dev/null 2>bad.err
		rc=$?
		set -e
		[ $rc -eq 1 ] && grep -q "cannot open '$PWD/ok.csv'" bad.err ||
			fail "budgets file, $e: exit $rc: $(cat bad.err)"
	done
fi
set +e
"$BURNRATE" --store s report --budgets "$PWD/none.csv" >/dev/null 2>bad.err
rc=$?
set -e
[ $rc -eq 2 ] || fail "a missing budgets file: exit $rc: $(cat bad.err)"
# A threshold given twice sent its alert twice.
bad "bad.csv:2: invalid thresholds '50;90;50': 50 given twice" 'x,*,monthly,5,50;90;50,,'
bad "bad.csv:2: invalid forecast 'maybe'" 'x,*,monthly,5,,maybe,'
# A period without data still starts on a day (DESIGN §6 gives since as a
# date): its last.
"$BURNRATE" --quiet --store empty init
"$BURNRATE" --store empty report --as-of 2025-11-20 --format json |
	grep -q '"period":{"since":"2025-11-20","until":"2025-11-20"}' ||
	fail "an empty period has no since"
# A provider scope matches the provider as pricing knows it: gemini is
# google, ANTHROPIC (Helicone's API) is anthropic. The other keys match
# byte for byte.
"$BURNRATE" --quiet --store pv init
printf '%s\n' '{"timestamp":"2025-10-05T12:00:00Z","provider":"gemini","model":"gemini-2.5-flash","request_id":"p1","usage":{"input_tokens":1},"cost_usd":1}' \
	'{"timestamp":"2025-10-05T12:00:00Z","provider":"google","model":"gemini-2.5-flash","request_id":"p2","usage":{"input_tokens":1},"cost_usd":2}' \
	'{"timestamp":"2025-10-05T12:00:00Z","provider":"ANTHROPIC","model":"claude-sonnet-4-5","request_id":"p3","usage":{"input_tokens":1},"cost_usd":4}' >pv.jsonl
"$BURNRATE" --quiet --store pv ingest pv.jsonl
printf '%s\n' 'name,scope,period,limit_usd,thresholds,forecast,recipients' \
	'g,provider=google,monthly,100,,no,x@example.com' \
	'g2,provider=Gemini,monthly,100,,no,x@example.com' \
	'a,provider=anthropic,monthly,100,,no,x@example.com' >pv.csv
"$BURNRATE" --store pv report --as-of 2025-10-05 --budgets pv.csv --format json >pv.json
"$PYTHON" - pv.json <<'EOF2' || fail "provider scopes in canonical form"
import json, sys
spent = {b["name"]: b["spent_usd"] for b in json.load(open(sys.argv[1]))["budgets"]}
assert spent == {"g": 3.0, "g2": 3.0, "a": 4.0}, spent
EOF2
# Credits: an OpenAI Costs API line may be negative, and a day's net with
# it. $10 a day from 2025-09-01, and on every 9th day (Sep 1, 10, 19, 28,
# Oct 7) only a credit of -$40: as of Oct 5 the projection was -$45.23,
# below the low bound ($50) and below what was spent. A credit lowers what
# was spent and says nothing of the days to come (docs/FORECAST.md).
"$PYTHON" - <<'EOF2'
import calendar, datetime as dt, json
def page(lines):
    data = []
    for i in range(45):
        day = dt.date(2025, 9, 1) + dt.timedelta(days=i)
        t = calendar.timegm(day.timetuple())
        data.append({"object": "bucket", "start_time": t, "end_time": t + 86400,
                     "results": [{"object": "organization.costs.result",
                                  "amount": {"value": v, "currency": "usd"},
                                  "line_item": "gpt-4o-2024-08-06, " + item,
                                  "project_id": "proj_a"}
                                 for item, v in lines(i, day)]})
    return json.dumps({"object": "page", "data": data}) + "\n"
open("ninth.jsonl", "w").write(page(
    lambda i, d: [("credit", -40.0)] if i % 9 == 0 else [("input", 10.0)]))
open("credit.jsonl", "w").write(page(
    lambda i, d: [("input", 10.0)] +
    ([("credit", -300.0)] if d == dt.date(2025, 10, 11) else [])))
EOF2
for c in ninth credit; do
	"$BURNRATE" --quiet --store "cr-$c" ingest --format openai-usage "$c.jsonl" ||
		fail "ingest $c.jsonl exited $?"
done
"$BURNRATE" --store cr-ninth report --as-of 2025-10-05 --format json >ninth.json
# ... and $10 a day with one credit of -$300 on Oct 11: as of Oct 12 the
# 19 days left were projected at $2.15 a day.
"$BURNRATE" --store cr-credit report --as-of 2025-10-12 --format json >credit.json
"$PYTHON" - ninth.json credit.json <<'EOF2' || fail "projection with credits (above)"
import json, sys
for name, mtd, rest in ((sys.argv[1], 50.0, 26 * 10.0), (sys.argv[2], -180.0, 19 * 10.0)):
    p = json.load(open(name))["projection"]
    assert p["month_to_date_usd"] == mtd, p
    assert abs(p["projected_usd"] - (mtd + rest)) < 0.01, p
    assert mtd <= p["low_usd"] <= p["projected_usd"] <= p["high_usd"], p
EOF2
echo "outlook: all checks passed"
