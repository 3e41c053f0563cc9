#!/bin/sh
# report_numbers.sh - numbers of report found wrong by an audit:
# a projection of a period with no day left is exactly what was spent
# (not a double's rounding of it, which showed $0.000246 of a $0.000247
# month and, past 2^63 micro-dollars, a negative projection); the
# Prometheus utilization ratio is rounded to nearest ($2 of $3 is
# 0.666667); cache_write_tokens (5-minute + 1-hour) saturates instead of
# wrapping around 2^64; a long name cut in the HTML charts is cut between
# two UTF-8 characters; a projection exactly at a budget's limit does not
# pass it (as a double it flapped above and below), and the day a budget
# runs out is not a day late; spend just below a limit is not shown at it;
# one day far off a steady history does not move its projection much; a
# weekend that never spends projects nothing.
. "$(dirname "$0")/common.inc"
cd "$tmp"
rec() { # DAY ID COST [MODEL]
	printf '{"timestamp":"2025-11-%sT10:00:00Z","provider":"openai","model":"%s","request_id":"%s","usage":{"input_tokens":1,"output_tokens":1},"cost_usd":%s}\n' \
		"$1" "${4:-gpt-4o}" "$2" "$3"
}

# 1. Month end: the projection is the exact month to date.
rec 10 h1 0.0002465 >half.jsonl
"$BURNRATE" --quiet --store s1 ingest half.jsonl
"$BURNRATE" --store s1 report --as-of 2025-11-30 --format json >half.json
"$PYTHON" - half.json <<'PY'
import json, sys
p = json.load(open(sys.argv[1]), parse_float=str)["projection"]
want = p["month_to_date_usd"]
assert want == "0.000247", p
for k in ("projected_usd", "low_usd", "high_usd"):
    assert p[k] == want, (k, p)
PY

# The budget alert's mail shows the reports' figures: $0.000247 spent and
# projected on a daily budget's day (from doubles it said $0.000246).
printf 'name,scope,period,limit_usd,thresholds,forecast,recipients\nd,*,daily,0.0002,,no,a@example.com\n' >b.csv
mkdir mail
"$BURNRATE" --store s1 notify --budgets b.csv --as-of 2025-11-10 --dry-run mail >/dev/null
"$PYTHON" - mail <<'PY'
import email, glob, sys
texts = []
for f in glob.glob(sys.argv[1] + "/*.eml"):
    for part in email.message_from_file(open(f)).walk():
        if part.get_content_type() == "text/plain":
            texts.append(part.get_payload(decode=True).decode())
lines = [l for t in texts for l in t.splitlines()
         if l.startswith(("Spent", "Projected"))]
assert lines and all("$0.000247" in l and "$0.000246" not in l for l in lines), lines
PY

# The mail's amounts in 128 bits: past 2^63 micro-dollars they wrapped
# ("reached 100% of $-8446744073709.55"), and a projection past 1e15 USD
# read $0.000000; spend just below its limit keeps its micro-dollars.
"$PYTHON" -c '
for i in range(10001):
    print("{\"timestamp\":\"2025-11-10T10:00:00Z\",\"provider\":\"openai\",\"model\":\"gpt-4o\",\"request_id\":\"w%d\",\"usage\":{\"input_tokens\":1,\"output_tokens\":1},\"cost_usd\":1000000000}" % i)
' >wide.jsonl
"$BURNRATE" --quiet --store sw ingest wide.jsonl
printf 'name,scope,period,limit_usd,thresholds,forecast,recipients\nb,*,monthly,10000000000000,100,yes,x@example.com\n' >wb.csv
mkdir wmail
"$BURNRATE" --store sw notify --budgets wb.csv --as-of 2025-11-12 --dry-run wmail >/dev/null
printf '%s\n' '{"timestamp":"2025-11-10T10:00:00Z","provider":"openai","model":"gpt-4o","request_id":"n","usage":{"input_tokens":1,"output_tokens":1},"cost_usd":9.995}' >near.jsonl
"$BURNRATE" --quiet --store sn ingest near.jsonl
printf 'name,scope,period,limit_usd,thresholds,forecast,recipients\nb,*,monthly,10,90,no,x@example.com\n' >nb.csv
mkdir nmail
"$BURNRATE" --store sn notify --budgets nb.csv --as-of 2025-11-30 --dry-run nmail >/dev/null
"$PYTHON" - wmail nmail <<'PY'
import email, glob, sys
def lines(d):
    out = []
    for f in glob.glob(d + "/*.eml"):
        m = email.message_from_file(open(f))
        out.append(m["Subject"])
        for part in m.walk():
            if part.get_content_type() == "text/plain":
                out += [l for l in part.get_payload(decode=True).decode().splitlines()
                        if l.startswith(("Limit", "Spent", "Projected"))]
    return out
w = lines(sys.argv[1])
assert any("reached 100% of $10000000000000.00" in l for l in w), w
assert any(l.startswith("Spent") and "$10001000000000.00" in l for l in w), w
assert not any("$-" in l or "$0.000000" in l for l in w), w
n = lines(sys.argv[2])
assert any(l.startswith("Spent") and "$9.995000" in l for l in n), n
PY

# 2. Above 2^63 micro-dollars: never negative, exact at the month's end.
"$PYTHON" -c '
for i in range(10000):
    print("{\"timestamp\":\"2025-11-%02dT10:00:00Z\",\"provider\":\"openai\",\"model\":\"gpt-4o\",\"request_id\":\"b%d\",\"usage\":{\"input_tokens\":1,\"output_tokens\":1},\"cost_usd\":999999999}" % (i % 10 + 1, i))
' >big.jsonl
"$BURNRATE" --quiet --store s2 ingest big.jsonl
"$BURNRATE" --store s2 report --as-of 2025-11-30 --format json >big.json
"$PYTHON" - big.json <<'PY'
import json, sys
p = json.load(open(sys.argv[1]), parse_float=str)["projection"]
assert p["month_to_date_usd"] == "9999999990000.000000", p
for k in ("projected_usd", "low_usd", "high_usd"):
    assert p[k] == p["month_to_date_usd"], (k, p)
PY

# 3. The Prometheus ratio to nearest.
rec 10 t1 2 >third.jsonl
printf 'name,scope,period,limit_usd\nthird,*,daily,3\n' >b.csv
"$BURNRATE" --quiet --store s3 ingest third.jsonl
"$BURNRATE" --store s3 report --format prom --as-of 2025-11-10 --budgets b.csv >third.prom
grep -qx 'burnrate_budget_utilization_ratio{budget="third",period="daily"} 0.666667' third.prom ||
	fail "ratio not to nearest: $(grep '^burnrate_budget_utilization_ratio' third.prom)"
"$BURNRATE" --store s3 report --format json --as-of 2025-11-10 --budgets b.csv |
	grep -q '"utilization_pct":66.67,' || fail "utilization_pct changed"

# 4. cache_write_tokens saturates.
"$PYTHON" -c '
for i in range(10000):
    print("{\"timestamp\":\"2025-11-10T12:00:00Z\",\"provider\":\"acme\",\"model\":\"zz\",\"request_id\":\"k%d\",\"usage\":{\"input_tokens\":0,\"output_tokens\":0,\"cache_write_tokens\":1000000000000000,\"cache_write_1h_tokens\":1000000000000000},\"cost_usd\":1}" % i)
' >tok.jsonl
"$BURNRATE" --quiet --store s4 ingest tok.jsonl
"$BURNRATE" --store s4 report --as-of 2025-11-10 --format json >tok.json
"$PYTHON" - tok.json <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))["totals"]
assert t["cache_write_1h_tokens"] == 10**19, t
assert t["cache_write_tokens"] == 2**64 - 1, t  # saturated, not wrapped
PY
# A saturated sum is said so, and never re-priced: 18,447 records of 10^15
# input tokens of one model and day saturate their row at 2^64 - 1, and
# --reprice priced that, $2,767,011,611,056.43 where the 18,447 records'
# exact cost is $2,767,050,000,000 (and showed the count as a count).
"$PYTHON" -c '
for i in range(18447):
    print("{\"timestamp\":\"2025-11-10T12:00:00Z\",\"provider\":\"openai\",\"model\":\"gpt-4o-mini\",\"request_id\":\"m%d\",\"usage\":{\"input_tokens\":1000000000000000}}" % i)
' >sat.jsonl
"$BURNRATE" --quiet --store s4b ingest sat.jsonl
"$BURNRATE" --store s4b report --as-of 2025-11-10 --format csv >sat.csv 2>sat.err ||
	fail "report of saturated sums exited $?: $(cat sat.err)"
grep -q '^burnrate: warning: token sums reached 18446744073709551615 (2^64 - 1), where they saturate' sat.err ||
	fail "saturated sums not flagged: $(cat sat.err)"
if "$BURNRATE" --store s4b report --as-of 2025-11-10 --format csv --reprice \
	>sat-re.csv 2>sat-re.err; then
	fail "saturated sums re-priced: $(cat sat-re.csv)"
fi
grep -q '^burnrate: error: cannot re-price openai/gpt-4o-mini of 2025-11-10: its input tokens reached 18446744073709551615 (2^64 - 1)' sat-re.err ||
	fail "unclear refusal to re-price saturated sums: $(cat sat-re.err)"
"$BURNRATE" --store s4 report --as-of 2025-11-10 --format json 2>tok.err >/dev/null
grep -q 'token sums reached' tok.err ||
	fail "saturated cache writes not flagged: $(cat tok.err)"

# 5. HTML stays valid UTF-8 when a long name is cut.
"$PYTHON" -c 'print("{\"timestamp\":\"2025-11-01T10:00:00Z\",\"provider\":\"openai\",\"model\":\"x" + "\u00e9" * 20 + "\",\"request_id\":\"u1\",\"usage\":{\"input_tokens\":1,\"output_tokens\":1},\"cost_usd\":1}")' >long.jsonl
"$BURNRATE" --quiet --store s5 ingest long.jsonl
"$BURNRATE" --store s5 report --as-of 2025-11-05 --format html >long.html
"$PYTHON" -c 'import sys; open(sys.argv[1], "rb").read().decode("utf-8")' long.html ||
	fail "the HTML report is not valid UTF-8"
# 6. A projection exactly at the limit does not pass it: $10 a day, a $300
# budget of a 30-day month. As a double the projection was 300 plus or
# minus noise: critical on 7 of 15 days, 4 forecast alerts saying
# "projected to exceed $300.00 (projected $300.00)".
"$PYTHON" -c '
import datetime as dt
d = dt.date(2026, 10, 1)
for i in range(60):
    print("{\"timestamp\":\"%sT12:00:00Z\",\"provider\":\"openai\",\"model\":\"gpt-4o\",\"request_id\":\"e%d\",\"usage\":{\"input_tokens\":1,\"output_tokens\":1},\"cost_usd\":10}" % (d + dt.timedelta(i), i))
' >flat.jsonl
"$BURNRATE" --quiet --store s6 ingest flat.jsonl
printf 'name,scope,period,limit_usd,thresholds,forecast,recipients\neq,*,monthly,300,100,yes,x@example.com\n' >eq.csv
for d in 01 02 03 04 05 06 07 08 09 10 11 12 13 14 15; do
	"$BURNRATE" --store s6 report --as-of 2026-11-$d --format json --budgets eq.csv >eq$d.json
	mkdir eqmail$d
	"$BURNRATE" --store s6 notify --budgets eq.csv --as-of 2026-11-$d --dry-run eqmail$d >/dev/null
done
"$PYTHON" - eq*.json <<'PY'
import json, sys
for f in sys.argv[1:]:
    b = json.load(open(f), parse_float=str)["budgets"][0]
    assert (b["projected_usd"], b["status"]) == ("300.000000", "ok"), (f, b)
PY
if find eqmail* -name '*.eml' | grep -q .; then
	fail "a forecast alert at the limit: $(find eqmail* -name '*.eml')"
fi

# 7. The day a budget runs out, in integers: $10 a day from 2026-11-10, a
# $150 monthly limit, reached on 2026-11-24. As doubles, the ceiling of
# 90 / 10.000000000000002 said 2026-11-25 as of 2026-11-15.
"$PYTHON" -c '
import datetime as dt
d = dt.date(2026, 11, 10)
for i in range(21):
    print("{\"timestamp\":\"%sT12:00:00Z\",\"provider\":\"openai\",\"model\":\"gpt-4o\",\"request_id\":\"r%d\",\"usage\":{\"input_tokens\":1,\"output_tokens\":1},\"cost_usd\":10}" % (d + dt.timedelta(i), i))
' >ten.jsonl
"$BURNRATE" --quiet --store s7 ingest ten.jsonl
printf 'name,scope,period,limit_usd,thresholds,forecast,recipients\nmo,*,monthly,150,,yes,x@example.com\n' >mo.csv
for d in 12 13 14 15 16 17; do
	"$BURNRATE" --store s7 report --as-of 2026-11-$d --format json --budgets mo.csv >mo$d.json
done
mkdir momail
"$BURNRATE" --store s7 notify --budgets mo.csv --as-of 2026-11-15 --dry-run momail >/dev/null
"$PYTHON" - momail mo*.json <<'PY'
import email, glob, json, sys
for f in sys.argv[2:]:
    b = json.load(open(f))["budgets"][0]
    assert b["runs_out"] == "2026-11-24", (f, b)
mails = glob.glob(sys.argv[1] + "/*.eml")
assert mails
for f in mails:
    for part in email.message_from_file(open(f)).walk():
        if part.get_content_type() == "text/plain":
            t = part.get_payload(decode=True).decode()
            assert "2026-11-25" not in t and "2026-11-24" in t, t
PY

# 8. Spend below its limit is never shown at it: $9.9999995 of a $10
# daily limit, spent and projected, is 9.999999 in the table, HTML, XLSX
# and the mail (it read 10.000000 beside "99.9%" and "critical"), and the
# XLSX interval low_usd, high_usd with it (they read 10 around 9.999999). JSON
# keeps every amount to nearest (DESIGN §6): spent_usd 10.000000 with
# status critical and 99.99%.
printf '%s\n' '{"timestamp":"2026-11-10T12:00:00Z","provider":"openai","model":"gpt-4o","request_id":"n1","usage":{"input_tokens":1,"output_tokens":1},"cost_usd":9.9999995}' >under.jsonl
"$BURNRATE" --quiet --store s8 ingest under.jsonl
printf 'name,scope,period,limit_usd,thresholds,forecast,recipients\nx,*,daily,10,90,no,x@example.com\n' >under.csv
uq="--store s8 report --as-of 2026-11-10 --budgets under.csv"
"$BURNRATE" $uq --no-color | grep -q '^budget x (\*, daily): 9.999999 of 10.000000, 99.9%, projected 9.999999,.*: critical$' ||
	fail "table: \$9.9999995 of \$10: $("$BURNRATE" $uq --no-color | grep '^budget')"
"$BURNRATE" $uq --format html | grep -q '<td>\$9\.999999</td><td>\$10\.000000</td><td>\$9\.999999</td>' ||
	fail "HTML: \$9.9999995 of \$10 is not shown as \$9.999999"
"$BURNRATE" $uq --format xlsx --output under.xlsx
"$BURNRATE" $uq --format json --output under.json
mkdir umail
"$BURNRATE" --store s8 notify --budgets under.csv --as-of 2026-11-10 --dry-run umail >/dev/null
"$PYTHON" - under.xlsx under.json umail <<'PY'
import email, glob, json, sys
import openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
for name, col in (("Budgets", 6), ("Budgets", 7), ("Budgets", 8), ("Budgets", 9),
                  ("Summary", 2), ("Summary", 4)):
    cells = [r[col].value for r in wb[name].iter_rows() if r[0].value == "x"]
    assert cells == [9.999999], (name, col, cells)
b = json.load(open(sys.argv[2]), parse_float=str)["budgets"][0]
assert (b["spent_usd"], b["utilization_pct"], b["status"]) == \
    ("10.000000", "99.99", "critical"), b
lines = []
for f in glob.glob(sys.argv[3] + "/*.eml"):
    for part in email.message_from_file(open(f)).walk():
        if part.get_content_type() == "text/plain":
            lines += [l for l in part.get_payload(decode=True).decode().splitlines()
                      if l.startswith(("Spent", "Projected"))]
assert len(lines) == 2 and all("$9.999999" in l and "$10.00" not in l for l in lines), lines
PY

# 9. One day far off a steady history does not move the projection much:
# ~$10 a day within 3% from September, $14.90 on 2026-11-10 (the audit's
# repro5). The month's projection went $301.55, $399.32, $312.96 on the
# 9th, 10th and 11th, and a $390 budget critical with a forecast alert.
"$PYTHON" - <<'PY' >spike.jsonl
import datetime as dt, json, random
random.seed(3)
d = dt.date(2026, 9, 1)
while d <= dt.date(2026, 11, 30):
    v = (15 if d == dt.date(2026, 11, 10) else 10) * random.lognormvariate(0, 0.03)
    print(json.dumps({"timestamp": "%sT12:00:00Z" % d, "provider": "openai",
                      "model": "gpt-4o", "request_id": str(d),
                      "usage": {"input_tokens": 1, "output_tokens": 1},
                      "cost_usd": round(v, 6)}))
    d += dt.timedelta(1)
PY
"$BURNRATE" --quiet --store s9 ingest spike.jsonl
printf 'name,scope,period,limit_usd,thresholds,forecast,recipients\nm,*,monthly,390,90,yes,x@example.com\n' >spike.csv
for d in 09 10 11; do
	"$BURNRATE" --store s9 report --as-of 2026-11-$d --format json --budgets spike.csv >spike$d.json
done
mkdir spikemail
"$BURNRATE" --store s9 notify --budgets spike.csv --as-of 2026-11-10 --dry-run spikemail >/dev/null
"$PYTHON" - spike09.json spike10.json spike11.json <<'PY'
import json, sys
j = [json.load(open(f)) for f in sys.argv[1:]]
p = [x["projection"]["projected_usd"] for x in j]
assert 295 < p[0] < 310 and abs(p[1] - p[0]) < 4.9 + 5 and abs(p[2] - p[0]) < 4.9 + 5, p
assert all(x["budgets"][0]["status"] == "ok" for x in j), [x["budgets"] for x in j]
PY
if find spikemail -name '*.eml' | grep -q .; then
	fail "a forecast alert for one day's spike: $(grep -h '^Subject' spikemail/*.eml)"
fi

# 10. A weekend that never spends projects nothing: $10 every weekday from
# 2026-09-01, never on Saturday or Sunday (the audit's r1). A floor of 0.02
# on the weekday factors projected 200.142318 for February 2027 as of
# Saturday the 27th (only Sunday left) and 210.14 for November 2026, a
# $210 budget critical with a forecast alert.
"$PYTHON" - <<'PY' >weekdays.jsonl
import datetime as dt, json
d = dt.date(2026, 9, 1)
while d <= dt.date(2027, 3, 31):
    if d.weekday() < 5:
        print(json.dumps({"timestamp": "%sT12:00:00Z" % d, "provider": "openai",
                          "model": "gpt-4o", "request_id": str(d),
                          "usage": {"input_tokens": 1, "output_tokens": 1},
                          "cost_usd": 10}))
    d += dt.timedelta(1)
PY
"$BURNRATE" --quiet --store s10 ingest weekdays.jsonl
printf 'name,scope,period,limit_usd,thresholds,forecast,recipients\nteam,*,monthly,210,,yes,x@example.com\n' >weekdays.csv
"$BURNRATE" --store s10 report --as-of 2027-02-27 --format json >weekdays02.json
"$BURNRATE" --store s10 report --as-of 2026-11-20 --format json --budgets weekdays.csv >weekdays11.json
mkdir weekdaysmail
"$BURNRATE" --store s10 notify --budgets weekdays.csv --as-of 2026-11-20 --dry-run weekdaysmail >/dev/null
"$PYTHON" - weekdays02.json weekdays11.json <<'PY'
import json, sys
feb, nov = [json.load(open(f)) for f in sys.argv[1:]]
p = feb["projection"]
assert p["month_to_date_usd"] == 200 and p["projected_usd"] == 200 and \
    p["low_usd"] == 200 and p["high_usd"] == 200, p
b = nov["budgets"][0]
assert b["projected_usd"] == 210 and b["status"] == "ok", b
PY
if grep -q 'projected to exceed' weekdaysmail/*.eml 2>/dev/null; then
	fail "a forecast alert for weekends that never spend: $(grep -h '^Subject' weekdaysmail/*.eml)"
fi

echo "report_numbers: all checks passed"
