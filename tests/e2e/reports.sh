#!/bin/sh
# reports.sh - the XLSX and HTML reports show the JSON report's numbers.
# XLSX: read back with openpyxl (every row of the Rows sheet, the totals, the
# month and budget figures), its charts exist and reference the right
# ranges, status colours are conditional formats, and SOURCE_DATE_EPOCH
# makes it byte-identical. HTML: self-contained (no URL of any kind), the
# same totals, and rendered by headless Chromium (Debian's chromium) to a
# PNG and a DOM whose totals match. With --compare-costs both show the
# catalog's and the logs' cost beside the JSON's. --output onto the
# process's standard output, a pipe or a FIFO, in every format.
. "$(dirname "$0")/common.inc"
cd "$tmp"
"$BURNRATE" --quiet --store s ingest "$root/samples/logs" 2>/dev/null ||
	fail "ingest of samples exited $?"
q="--as-of 2025-10-20 --month 2025-10 --by day,provider --budgets $root/samples/budgets.csv"
"$BURNRATE" --store s report $q --format json --output r.json || fail "json report exited $?"
SOURCE_DATE_EPOCH=1700000000 "$BURNRATE" --store s report $q --format xlsx \
	--output r.xlsx || fail "xlsx report exited $?"
"$PYTHON" - r.json r.xlsx <<'EOF' || fail "the XLSX disagrees with the JSON report (above)"
import json, re, sys, zipfile
import openpyxl
d = json.load(open(sys.argv[1]))
wb = openpyxl.load_workbook(sys.argv[2])
assert wb.sheetnames == ["Summary", "Rows", "Daily", "By provider", "By model",
                         "By agent", "Budgets", "Unpriced"], wb.sheetnames
keys = d["group_by"]
rows = list(wb["Rows"].iter_rows(values_only=True))
header = list(rows[0])
fields = list(d["rows"][0].keys())
assert header == fields, (header, fields)
assert len(rows) - 1 == len(d["rows"]), (len(rows), len(d["rows"]))
for got, want in zip(rows[1:], d["rows"]):
    for name, v in zip(header, got):
        w = want[name]
        assert (abs(v - w) < 5e-7 if isinstance(w, float) else v == w), (name, v, w)
summary = {r[0]: r[1] for r in wb["Summary"].iter_rows(values_only=True) if r[0]}
for k, v in d["totals"].items():
    assert abs(summary[k] - v) < 5e-7, (k, summary[k], v)
p = d["projection"]
assert abs(summary["month to date"] - p["month_to_date_usd"]) < 5e-7
assert abs(summary["projected month total"] - p["projected_usd"]) < 5e-7
assert abs(summary["projection low (80%)"] - p["low_usd"]) < 5e-7
budgets = list(wb["Budgets"].iter_rows(values_only=True))
assert len(budgets) - 1 == len(d["budgets"]) > 0
for got, want in zip(budgets[1:], d["budgets"]):
    g = dict(zip(budgets[0], got))
    assert g["name"] == want["name"] and g["status"] == want["status"], (g, want)
    assert abs(g["spent_usd"] - want["spent_usd"]) < 5e-7, (g, want)
    assert abs(g["utilization"] * 100 - want["utilization_pct"]) < 0.01, (g, want)
cf = wb["Budgets"].conditional_formatting
assert len(list(cf)) >= 1, "no conditional format for the status column"
unpriced = list(wb["Unpriced"].iter_rows(values_only=True))[1:]
assert [(a, b, c) for a, b, c in unpriced] == \
    [(u["provider"], u["model"], u["requests"]) for u in d["unpriced"]], unpriced
# Daily: one row per day from the first of data to --as-of, a day without
# spend too (it was left out, and the chart drew a line across it), then
# the rest of the month projected.
import datetime
daily = list(wb["Daily"].iter_rows(values_only=True))
assert daily[0][0] == "day" and daily[-1][0] == "2025-10-31", daily[-1]
cost = {}
for r in d["rows"]:
    cost[r["day"]] = cost.get(r["day"], 0) + r["cost_usd"]
actual = [r for r in daily[1:] if r[1] is not None]
first = datetime.date.fromisoformat(min(cost))
want_days = [str(first + datetime.timedelta(i))
             for i in range((datetime.date(2025, 10, 20) - first).days + 1)]
assert [r[0] for r in actual] == want_days, [r[0] for r in actual]
ci = daily[0].index("cost_usd")
for r in actual:
    # (each JSON row is rounded to micro-dollars: a sum of them may differ)
    assert abs(r[ci] - cost.get(r[0], 0)) < 5e-6, (r, cost.get(r[0]))
# The days to come share the projection in whole micro-dollars: they add
# up to it exactly (each rounded apart, they missed it by micro-dollars).
pi = daily[0].index("projected_usd")
rest = [round(r[pi] * 1e6) for r in daily[1:] if r[1] is None]
assert len(rest) == 11 and max(rest) - min(rest) <= 1, rest
assert sum(rest) == round((p["projected_usd"] - p["month_to_date_usd"]) * 1e6), \
    (sum(rest), p)
# Charts: one per breakdown sheet, referencing its own ranges.
z = zipfile.ZipFile(sys.argv[2])
charts = sorted(n for n in z.namelist() if re.match(r"xl/charts/chart\d+\.xml$", n))
assert len(charts) == 4, charts
refs = " ".join(f for c in charts
               for f in re.findall(r"<c:f>([^<]*)</c:f>", z.read(c).decode()))
n = len(daily)  # the last row, counting the header
for want in ("Daily!$A$2:$A$%d" % n, "Daily!$J$2:$J$%d" % n,
             "Daily!$L$2:$L$%d" % n, "'By provider'!$J$2", "'By model'!$J$2",
             "'By agent'!$J$2"):
    assert want in refs, (want, refs)
assert wb["Rows"].freeze_panes == "A2" and wb["Rows"].auto_filter.ref
assert wb.properties.title == "burnrate spend report"
EOF
# Days without spend between and after days with spend are rows at $0 in
# the XLSX and points at $0 in the HTML's line (both left them out).
for day in 01 04; do
	printf '{"timestamp":"2025-11-%sT10:00:00Z","provider":"openai","model":"gpt-4o","request_id":"g%s","usage":{"input_tokens":1},"cost_usd":2}\n' $day $day
done >gap.jsonl
"$BURNRATE" --quiet --store gap ingest gap.jsonl
"$BURNRATE" --store gap report --as-of 2025-11-05 --format xlsx --output gap.xlsx
"$BURNRATE" --store gap report --as-of 2025-11-05 --format html --output gap.html
# As of a far day: the days of the data only, not decades of $0 days.
"$BURNRATE" --store gap report --as-of 2099-01-01 --format xlsx --output far.xlsx
"$BURNRATE" --store gap report --as-of 2099-01-01 --format html --output far.html
"$PYTHON" - far.xlsx far.html <<'EOF' || fail "a report as of a far day (above)"
import re, sys
import openpyxl
daily = list(openpyxl.load_workbook(sys.argv[1])["Daily"].iter_rows(values_only=True))
assert [r[0] for r in daily[1:5]] == ["2025-11-01", "2025-11-02", "2025-11-03",
                                      "2025-11-04"], daily[1:6]
assert len(daily) < 40, len(daily)
html = open(sys.argv[2], encoding="utf-8").read()
pts = re.search(r'<polyline[^>]*points="([^"]*)"', html).group(1).split()
assert len(pts) == 4, pts
# The axis spans the data, not decades to the as-of day.
xs = [float(p.split(",")[0]) for p in pts]
assert xs[-1] - xs[0] > 500, xs
EOF
# Data over more than 400 days: only the days with spend (no 500 rows of
# $0), with no trailing days either (the period ends 31 days after).
for day in 2024-01-01 2025-06-01; do
	printf '{"timestamp":"%sT10:00:00Z","provider":"openai","model":"gpt-4o","request_id":"l%s","usage":{"input_tokens":1},"cost_usd":2}\n' $day $day
done >long.jsonl
"$BURNRATE" --quiet --store long ingest long.jsonl
"$BURNRATE" --store long report --as-of 2025-06-10 --format xlsx --output long.xlsx
"$PYTHON" - long.xlsx <<'EOF' || fail "a span of more than 400 days (above)"
import sys, openpyxl
daily = list(openpyxl.load_workbook(sys.argv[1])["Daily"].iter_rows(values_only=True))
actual = [r[0] for r in daily[1:] if r[1] is not None]
assert actual == ["2024-01-01", "2025-06-01"], actual
EOF
"$PYTHON" - gap.xlsx gap.html <<'EOF' || fail "days without spend in the XLSX or HTML (above)"
import re, sys
import openpyxl
daily = list(openpyxl.load_workbook(sys.argv[1])["Daily"].iter_rows(values_only=True))
ci = daily[0].index("cost_usd")
got = [(r[0], r[ci]) for r in daily[1:6]]
assert got == [("2025-11-01", 2), ("2025-11-02", 0), ("2025-11-03", 0),
               ("2025-11-04", 2), ("2025-11-05", 0)], got
assert daily[6][0] == "2025-11-06" and daily[6][1] is None, daily[6]
html = open(sys.argv[2], encoding="utf-8").read()
line = re.search(r'<polyline[^>]*points="([^"]*)"', html).group(1).split()
assert len(line) == 5, line
assert "projected daily spend" in html
EOF
# A past month, as of a day in the next: its days only. The projection
# (of as_of's month, in Summary) is not appended to its Daily sheet, nor
# drawn after its days (both showed December after November).
"$BURNRATE" --store gap report --month 2025-11 --as-of 2025-12-03 --format xlsx --output past.xlsx
"$BURNRATE" --store gap report --month 2025-11 --as-of 2025-12-03 --format html --output past.html
"$PYTHON" - past.xlsx past.html <<'EOF' || fail "a past month's Daily sheet and chart (above)"
import re, sys
import openpyxl
daily = list(openpyxl.load_workbook(sys.argv[1])["Daily"].iter_rows(values_only=True))
days = [r[0] for r in daily[1:]]
assert days[0] == "2025-11-01" and days[-1] == "2025-11-30", days
assert len(days) == 30, days
pi = daily[0].index("projected_usd")
assert all(r[pi] is None for r in daily[1:]), daily
html = open(sys.argv[2], encoding="utf-8").read()
assert "projected daily spend" not in html
assert re.search(r'>2025-11-30</text></svg>', html), html
EOF
# The table's columns line up on a terminal whatever the names' letters:
# a CJK character takes two columns, a combining accent none (each was
# counted one: "数据分析" pushed its row's next columns 4 to the right,
# "e\u0301clair" pulled them 1 to the left).
printf '%s\n' '{"timestamp":"2025-11-02T00:00:00Z","provider":"openai","model":"gpt-4o","agent":"数据分析","request_id":"w1","usage":{"input_tokens":5}}' \
	'{"timestamp":"2025-11-02T00:00:00Z","provider":"openai","model":"gpt-4o","agent":"e\u0301clair","request_id":"w2","usage":{"input_tokens":5}}' \
	'{"timestamp":"2025-11-02T00:00:00Z","provider":"openai","model":"gpt-4o","agent":"bot","request_id":"w3","usage":{"input_tokens":5}}' >wide.jsonl
"$BURNRATE" --quiet --store wide ingest wide.jsonl
"$BURNRATE" --store wide report --as-of 2025-11-03 --by agent,model --no-color >wide.txt
aligned wide.txt gpt-4o 3 ||
	fail "the table's columns with wide and combining letters (above)"
# A credit (an OpenAI Costs API line below zero) is drawn inside the
# daily chart, on an axis that reaches below $0: its point was at y 775
# of a chart 254 high, the axis from $0.00, the line off the page.
printf '%s\n' '{"object":"page","data":[{"object":"bucket","start_time":1761955200,"end_time":1762041600,"results":[{"object":"organization.costs.result","amount":{"value":4,"currency":"usd"},"line_item":"gpt-4o, input","project_id":"p"}]},{"object":"bucket","start_time":1762041600,"end_time":1762128000,"results":[{"object":"organization.costs.result","amount":{"value":-10,"currency":"usd"},"line_item":"gpt-4o, output","project_id":"p"}]}]}' >credit.jsonl
"$BURNRATE" --quiet --store credit ingest credit.jsonl
"$BURNRATE" --store credit report --as-of 2025-11-03 --format html --output credit.html
"$PYTHON" - credit.html <<'EOF' || fail "a credit's day in the HTML chart (above)"
import re, sys
html = open(sys.argv[1], encoding="utf-8").read()
svg = re.search(r'<svg viewBox="0 0 ([0-9.]+) ([0-9.]+)" role="img" aria-label="daily spend">(.*?)</svg>', html, re.S)
height, chart = float(svg.group(2)), svg.group(3)
ys = [float(p.split(",")[1]) for p in
      re.search(r'<polyline[^>]*points="([^"]*)"', chart).group(1).split()]
assert len(ys) == 3 and all(0 <= y <= height for y in ys), (ys, height)
# The axis from -$10 up, each day's point where its value is on it (a
# label sits 4 below its line).
ticks = [(float(y) - 4, float(sign + v)) for y, sign, v in
         re.findall(r'<text x="[0-9]+" y="([0-9.]+)" text-anchor="end">(-?)\$([0-9.]+)</text>', chart)]
(y0, v0), (y1, v1) = ticks[0], ticks[-1]
assert v0 == -10 and v1 >= 4, ticks
for y, v in zip(ys, [4, -10, 0]):
    assert abs(y - (y0 + (v - v0) * (y1 - y0) / (v1 - v0))) < 0.2, (ys, ticks)
# The model's bar of -$6 shows its amount inside its chart (the text was
# at x -2886, off the page).
bars = re.search(r'<svg viewBox="0 0 ([0-9.]+) [0-9.]+" role="img"><title>Spend by model</title>(.*?)</svg>', html, re.S)
x, amount = re.search(r'<text x="(-?[0-9.]+)" y="[0-9.]+">(-?\$[0-9.]+)</text>', bars.group(2)).groups()
assert amount == "-$6.000000" and 0 <= float(x) <= float(bars.group(1)), (x, amount)
# A credit's sign goes before the currency, as finance writes it (the
# page said $-6.000000).
assert '<b id="total">-$6.000000</b>' in html and "$-" not in html, \
    re.search(r'<b id="total">[^<]*', html).group(0)
EOF
SOURCE_DATE_EPOCH=1700000000 "$BURNRATE" --store s report $q --format xlsx --output again.xlsx
cmp -s r.xlsx again.xlsx || fail "the XLSX is not byte-identical under SOURCE_DATE_EPOCH"
# A SOURCE_DATE_EPOCH that is not seconds since 1970 up to year 9999 is
# refused, exit 2 (one past time_t crashed libxlsxwriter; 1e9 was 1); 0
# is one second later (libxlsxwriter takes 0 for now) and the same file
# on every run; the last second of 9999 is written as such.
for e in 67768036191676800 99999999999999999 253402300800 1e9 -1 ' 5' 5x; do
	set +e
	SOURCE_DATE_EPOCH=$e "$BURNRATE" --store s report $q --format xlsx \
		--output epoch.xlsx 2>epoch.err
	rc=$?
	set -e
	[ $rc -eq 2 ] && grep -q "SOURCE_DATE_EPOCH: invalid value '$e'" epoch.err ||
		fail "SOURCE_DATE_EPOCH=$e: exit $rc: $(cat epoch.err)"
done
[ ! -e epoch.xlsx ] || fail "a refused SOURCE_DATE_EPOCH wrote a report"
SOURCE_DATE_EPOCH=0 "$BURNRATE" --store s report $q --format xlsx --output e0.xlsx
sleep 1
SOURCE_DATE_EPOCH=0 "$BURNRATE" --store s report $q --format xlsx --output e0b.xlsx
cmp -s e0.xlsx e0b.xlsx || fail "SOURCE_DATE_EPOCH=0: not the same file twice"
unzip -p e0.xlsx docProps/core.xml | grep -q '>1970-01-01T00:00:01Z<' ||
	fail "SOURCE_DATE_EPOCH=0: $(unzip -p e0.xlsx docProps/core.xml)"
SOURCE_DATE_EPOCH=253402300799 "$BURNRATE" --store s report $q --format xlsx --output e9.xlsx
unzip -p e9.xlsx docProps/core.xml | grep -q '>9999-12-31T23:59:59Z<' ||
	fail "SOURCE_DATE_EPOCH=253402300799: $(unzip -p e9.xlsx docProps/core.xml)"
# Without --output a workbook goes to standard output when that is a file
# or a pipe, as every other format does (report --format xlsx >f.xlsx was
# a usage error, exit 2), the same bytes as --output's; onto a terminal
# it is still refused.
SOURCE_DATE_EPOCH=0 "$BURNRATE" --store s report $q --format xlsx >e0c.xlsx ||
	fail "xlsx onto a redirected standard output exited $?"
cmp -s e0.xlsx e0c.xlsx || fail "xlsx onto standard output is not --output's workbook"
SOURCE_DATE_EPOCH=0 "$BURNRATE" --store s report $q --format xlsx | cat >e0d.xlsx
cmp -s e0.xlsx e0d.xlsx || fail "xlsx onto a pipe is not --output's workbook"
if script -qc true /dev/null >/dev/null 2>&1; then
	script -qc "'$BURNRATE' --store s report --format xlsx; echo rc=\$?" /dev/null >x.err 2>&1 || true
	grep -q "xlsx needs --output FILE, or a standard output that is not a terminal" x.err &&
		grep -q "rc=2" x.err || fail "xlsx onto a terminal: $(cat x.err)"
fi

# --compare-costs (and --reprice with other prices): the XLSX Rows sheet
# and the HTML table have the JSON rows' columns, catalog_cost_usd and
# logged_cost_usd included, with the same numbers; in the XLSX as money,
# formatted as cost_usd is, and the Summary's totals are JSON's, the cost
# as charged (actual_cost_usd, which the Summary lacked) too, as is the
# HTML's what-if line.
printf 'provider,model,from,input,output,cache_read,cache_write\nopenai,gpt-4o,,5,20,2.5,\n' >p2.csv
cq="--as-of 2025-10-20 --month 2025-10 --by provider --compare-costs --reprice --prices p2.csv"
"$BURNRATE" --store s report $cq --format json --output c.json || fail "json --compare-costs exited $?"
"$BURNRATE" --store s report $cq --format xlsx --output c.xlsx || fail "xlsx --compare-costs exited $?"
"$BURNRATE" --store s report $cq --format html --output c.html || fail "html --compare-costs exited $?"
"$PYTHON" - c.json c.xlsx c.html <<'EOF2' || fail "--compare-costs: the XLSX or HTML disagrees with the JSON (above)"
import json, re, sys
import openpyxl
d = json.load(open(sys.argv[1]))
fields = list(d["rows"][0].keys())
assert fields[-3:] == ["catalog_cost_usd", "logged_cost_usd", "actual_cost_usd"], fields
ws = openpyxl.load_workbook(sys.argv[2])["Rows"]
rows = list(ws.iter_rows())
header = [c.value for c in rows[0]]
assert header == fields, (header, fields)
assert len(rows) - 1 == len(d["rows"]) > 0
money = rows[1][header.index("cost_usd")].number_format
for got, want in zip(rows[1:], d["rows"]):
    for name, cell in zip(header, got):
        w = want[name]
        assert (abs(cell.value - w) < 5e-7 if isinstance(w, float) else cell.value == w), (name, cell.value, w)
        if name.endswith("_usd"):
            assert cell.number_format == money, (name, cell.number_format, money)
assert any(r["catalog_cost_usd"] != r["logged_cost_usd"] for r in d["rows"]), d["rows"]
summary = openpyxl.load_workbook(sys.argv[2])["Summary"]
totals = {r[0].value: r[1] for r in summary.iter_rows() if r[0].value}
assert list(d["totals"])[-3:] == ["catalog_cost_usd", "logged_cost_usd", "actual_cost_usd"], d["totals"]
assert d["totals"]["actual_cost_usd"] != d["totals"]["cost_usd"], d["totals"]
for k, v in d["totals"].items():
    assert k in totals, (k, "not in the Summary")
    assert abs(totals[k].value - v) < 5e-7, (k, totals[k].value, v)
    if k.endswith("_usd"):
        assert totals[k].number_format == money, (k, totals[k].number_format)
html = open(sys.argv[3]).read()
table = re.search(r'<table id="rows">(.*?)</table>', html, re.S).group(1)
trs = re.findall(r"<tr>(.*?)</tr>", table, re.S)
cells = [re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr) for tr in trs]
want_cols = [f for f in fields if f != "actual_cost_usd"]
assert cells[0] == want_cols, (cells[0], want_cols)
for got, want in zip(cells[1:-1], d["rows"]):
    for name, v in zip(cells[0], got):
        w = want[name]
        assert (abs(float(v) - w) < 5e-7 if isinstance(w, float) else
                str(w) == v), (name, v, w)
total = dict(zip(cells[0], cells[-1]))
assert cells[-1][0] == "TOTAL", cells[-1]
for k in ("catalog_cost_usd", "logged_cost_usd"):
    assert abs(float(total[k]) - d["totals"][k]) < 5e-7, (k, total[k], d["totals"][k])
whatif = "what-if: $%.6f at these prices, $%.6f as charged" % (
    d["totals"]["cost_usd"], d["totals"]["actual_cost_usd"])
assert whatif in html, whatif
EOF2
# A request with a logged cost keeps it under --reprice, but the catalog's
# cost beside it is the new prices' (it kept the ingest's: $4 here where a
# fresh ingest with the new prices gives $6).
printf '%s\n' '{"timestamp":"2025-08-10T12:00:00Z","provider":"acme","model":"alpha","request_id":"r1","usage":{"input_tokens":1000000,"output_tokens":0},"cost_usd":5}' \
	'{"timestamp":"2025-08-10T13:00:00Z","provider":"acme","model":"alpha","request_id":"r2","usage":{"input_tokens":1000000,"output_tokens":0}}' >rp.jsonl
printf 'provider,model,from,input,output,cache_read,cache_write\nacme,alpha,,%s,%s,,\n' 1 1 >pa.csv
printf 'provider,model,from,input,output,cache_read,cache_write\nacme,alpha,,%s,%s,,\n' 3 3 >pb.csv
rq="--month 2025-08 --as-of 2025-08-31 --by model --compare-costs --format csv"
"$BURNRATE" --quiet --store rp-a ingest --prices pa.csv rp.jsonl || fail "ingest exited $?"
"$BURNRATE" --quiet --store rp-b ingest --prices pb.csv rp.jsonl || fail "ingest exited $?"
"$BURNRATE" --store rp-a report $rq --reprice --prices pb.csv >rp-a.csv
"$BURNRATE" --store rp-b report $rq >rp-b.csv
grep -q '^alpha,2,0,2000000,0,0,0,0,0,8.000000,0,6.000000,5.000000,6.000000' rp-a.csv &&
	grep -q '^alpha,2,0,2000000,0,0,0,0,0,8.000000,0,6.000000,5.000000' rp-b.csv ||
	fail "--reprice --compare-costs beside a logged cost: $(cat rp-a.csv) against a fresh ingest: $(cat rp-b.csv)"
# --prices alone re-prices (it was a usage error, "--prices needs --reprice").
"$BURNRATE" --store rp-a report $rq --prices pb.csv >rp-p.csv || fail "report --prices alone exited $?"
cmp -s rp-a.csv rp-p.csv || fail "report --prices alone: $(cat rp-p.csv), with --reprice: $(cat rp-a.csv)"

# HTML: self-contained, same totals, rendered by Chromium.
"$BURNRATE" --store s report $q --format html --output r.html || fail "html report exited $?"
if grep -Eiq 'https?:|//[a-z]|src=|href=|@import|url\(' r.html; then
	fail "the HTML refers to something outside itself: $(grep -Eio 'https?:[^"]*|src=[^ ]*|href=[^ ]*|url\([^)]*' r.html | head -3)"
fi
total=$("$PYTHON" -c 'import json,sys; print("%.6f" % json.load(open(sys.argv[1]))["totals"]["cost_usd"])' r.json)
grep -q "<b id=\"total\">\$$total</b>" r.html || fail "the HTML total is not \$$total"
chromium=$(command -v chromium || command -v chromium-browser || true)
[ -n "$chromium" ] || fail "no chromium to render the HTML (make deps installs it)"
export HOME="$tmp"
# A proxy that does not exist: any network request would fail, and the
# page must render all the same.
timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --no-first-run \
	--proxy-server=127.0.0.1:9 --window-size=412,2400 --screenshot="$tmp/r.png" \
	"file://$tmp/r.html" >chromium.log 2>&1 || fail "chromium exited $?: $(tail -3 chromium.log)"
[ -s r.png ] && [ "$(head -c 8 r.png | od -An -c | tr -d ' ')" = '211PNG\r\n032\n' ] ||
	fail "chromium wrote no PNG"
timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --no-first-run \
	--proxy-server=127.0.0.1:9 --dump-dom "file://$tmp/r.html" >dom.html 2>chromium.log ||
	fail "chromium --dump-dom exited $?"
grep -q "<b id=\"total\">\$$total</b>" dom.html || fail "the rendered page does not show \$$total"
grep -q '<svg' dom.html || fail "the rendered page has no chart"
# --output naming one of the process's descriptors writes through it, at
# its offset and appending as the redirection says: the report was
# written to a temporary file renamed over the file standard output
# named, so what it held before was lost. The CSV must be what --output
# to a file writes.
"$BURNRATE" --store s report $q --format csv --output ref.csv || fail "csv report exited $?"
echo previous >app.log
"$BURNRATE" --store s report $q --format csv --output /dev/stdout >>app.log ||
	fail "--output /dev/stdout >>app.log exited $?"
{ echo previous; cat ref.csv; } | cmp -s - app.log ||
	fail "--output /dev/stdout >>app.log: $(head -3 app.log)"
{
	echo before
	"$BURNRATE" --store s report $q --format csv --output /dev/stdout
	"$BURNRATE" --store s report $q --format csv --output /proc/self/fd/1
	sh -c 'exec "$0" --store s report $1 --format csv --output /dev/fd/3' \
		"$BURNRATE" "$q" 3>&1
	echo after
} >grouped.txt || fail "--output /dev/stdout in a group exited $?"
{ echo before; cat ref.csv ref.csv ref.csv; echo after; } | cmp -s - grouped.txt ||
	fail "--output /dev/stdout in a redirected group: $(head -2 grouped.txt)"
[ "$(ls -a | grep -c 'tmp-')" -eq 0 ] || fail "temporary files left: $(ls -a | grep tmp-)"

# The workbook onto a pipe, standard output and a FIFO: libxlsxwriter
# seeks, so it is written to a private temporary file copied there (it
# failed with "Illegal seek"); the same bytes as --output to a file, none
# left in TMPDIR.
mkdir xtmp
SOURCE_DATE_EPOCH=1700000000 TMPDIR="$tmp/xtmp" "$BURNRATE" --store s report $q \
	--format xlsx --output /dev/stdout 2>pipe.err | cat >piped.xlsx
[ -s piped.xlsx ] || fail "xlsx --output /dev/stdout onto a pipe failed: $(cat pipe.err)"
cmp -s r.xlsx piped.xlsx || fail "the piped workbook differs from r.xlsx ($(cat pipe.err))"
echo previous >app.xlsx
SOURCE_DATE_EPOCH=1700000000 TMPDIR="$tmp/xtmp" "$BURNRATE" --store s report $q \
	--format xlsx --output /dev/stdout >>app.xlsx || fail "xlsx >>app.xlsx exited $?"
{ echo previous; cat r.xlsx; } | cmp -s - app.xlsx || fail "xlsx >>app.xlsx is not previous + the workbook"
# The FIFO is opened once: a second open (libxlsxwriter's, after the
# first was closed) would wait for a reader forever, hence the timeout.
mkfifo x.fifo
cat x.fifo >fifo.xlsx &
reader=$!
if command -v timeout >/dev/null; then to="timeout 60"; else to=; fi
SOURCE_DATE_EPOCH=1700000000 TMPDIR="$tmp/xtmp" $to "$BURNRATE" --store s report $q \
	--format xlsx --output x.fifo 2>fifo.err || { kill $reader 2>/dev/null || true; }
wait $reader || true
cmp -s r.xlsx fifo.xlsx || fail "the workbook through a FIFO differs from r.xlsx: $(cat fifo.err)"
[ -z "$(ls -A xtmp)" ] || fail "temporary files left in TMPDIR: $(ls -A xtmp)"
"$PYTHON" - piped.xlsx r.json <<'EOF' || fail "the piped workbook (above)"
import json, sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
d = json.load(open(sys.argv[2]))
assert wb.sheetnames[:3] == ["Summary", "Rows", "Daily"], wb.sheetnames
assert wb["Rows"].max_row - 1 == len(d["rows"]), (wb["Rows"].max_row, len(d["rows"]))
summary = {r[0]: r[1] for r in wb["Summary"].iter_rows(values_only=True) if r[0]}
assert abs(summary["cost_usd"] - d["totals"]["cost_usd"]) < 5e-7, summary
EOF
# The workbook's temporary directory missing is an error that names it.
TMPDIR="$tmp/none" "$BURNRATE" --store s report $q --format xlsx \
	--output /dev/stdout >/dev/null 2>none.err && fail "xlsx with TMPDIR missing succeeded"
grep -q "cannot create a temporary file for '/dev/stdout' ($tmp/none/burnrate-" none.err ||
	fail "xlsx with TMPDIR missing: $(cat none.err)"
# An output whose directory does not exist is named as given, with why
# (it was "cannot create 'nodir/x.json.tmp-10959': No such file or
# directory"); a baseline's too.
for f in json xlsx; do
	"$BURNRATE" --store s report $q --format $f --output nodir/x.$f \
		2>nodir.err && fail "report --output nodir/x.$f succeeded"
	grep -qx "burnrate: error: cannot create 'nodir/x.$f': its directory 'nodir' does not exist" \
		nodir.err || fail "report --output nodir/x.$f: $(cat nodir.err)"
done
# Without --format, the output's extension names it (a finance
# workbook, --output costs.xlsx, was a text table under that name); an
# explicit --format wins, a name of no format is the table.
"$BURNRATE" --store s report $q --output costs.XLSX &&
	"$BURNRATE" --store s report $q --output page.htm &&
	"$BURNRATE" --store s report $q --output rows.csv &&
	"$BURNRATE" --store s report $q --output rows.json --format csv &&
	"$BURNRATE" --store s report $q --output rows.txt ||
	fail "report --output by extension failed"
[ "$(head -c 4 costs.XLSX | od -An -c | tr -d ' ')" = 'PK003004' ] ||
	fail "report --output costs.XLSX is no workbook: $(head -c 40 costs.XLSX)"
head -1 page.htm | grep -qx '<!DOCTYPE html>' || fail "report --output page.htm: $(head -1 page.htm)"
head -1 rows.csv | grep -q '^day,provider,requests,' || fail "report --output rows.csv: $(head -1 rows.csv)"
head -1 rows.json | grep -q '^day,provider,requests,' || fail "report --output rows.json --format csv: $(head -1 rows.json)"
head -1 rows.txt | grep -q '^day  *provider  *requests' || fail "report --output rows.txt: $(head -1 rows.txt)"
# An output that is a directory is refused as given, before the report
# is written (it was written beside it, then 'cannot rename
# 'outdir.tmp-PID' to 'outdir': Is a directory'); the directory and its
# parent are left as they were.
mkdir -p outdir
for f in json xlsx; do
	"$BURNRATE" --store s report $q --format $f --output outdir \
		2>isdir.err && fail "report --output outdir ($f) succeeded"
	grep -qx "burnrate: error: cannot create 'outdir': it is a directory" \
		isdir.err || fail "report --output outdir ($f): $(cat isdir.err)"
done
[ -z "$(ls -A outdir)" ] && [ -z "$(ls -d outdir.* 2>/dev/null)" ] ||
	fail "report --output outdir left files: $(ls -d outdir* outdir/*)"
gen --seed 5 --records 20 --format jsonl --out base.jsonl
"$BURNRATE" check --write-baseline nodir/b.json base.jsonl 2>nodir.err &&
	fail "check --write-baseline nodir/b.json succeeded"
grep -qx "burnrate: error: cannot create 'nodir/b.json': its directory 'nodir' does not exist" \
	nodir.err || fail "check --write-baseline nodir/b.json: $(cat nodir.err)"
# Epoch 0 falls on 1969-12-31 west of UTC: day -1, which the report's
# cache of day values once took for an empty slot (a crash, or a day
# named "-1").
"$BURNRATE" --store s69 init --timezone America/New_York >/dev/null
printf '%s\n' \
	'{"timestamp":0,"provider":"openai","model":"gpt-4o","request_id":"e0","usage":{"input_tokens":5}}' \
	'{"timestamp":"1969-12-30T12:00:00Z","provider":"openai","model":"gpt-4o","request_id":"e1","usage":{"input_tokens":7}}' \
	>epoch0.jsonl
"$BURNRATE" --quiet --store s69 ingest epoch0.jsonl || fail "ingest of epoch 0 exited $?"
for by in day day,model week month; do
	"$BURNRATE" --store s69 report --since 1969-12-01 --until 1970-01-31 \
		--by $by --format csv >e0.csv || fail "report --by $by of 1969-12-31 exited $?"
	case $by in
	day*) want='^1969-12-31,.*,5,' ;;
	week) want='^1970-W01,2,0,12,' ;; # ISO weeks: 1969-12-29 is Monday of 1970-W01
	month) want='^1969-12,2,0,12,' ;;
	esac
	grep -Eq "$want" e0.csv || fail "report --by $by of 1969-12-31: $(cat e0.csv)"
done
"$BURNRATE" --store s69 report --since 1969-12-01 --until 1970-01-31 --format csv >e0.csv
grep -q '^1969-12-30,1,0,7,' e0.csv || fail "report of 1969-12-30: $(cat e0.csv)"
# The CSV's formula prefix is reversible: a name that begins with ' gets
# one too, so "=1+2" and "'=1+2" (and "''=1+2") are three cells, each the
# name with one leading ' more (they were both '=1+2: two rows with one
# key to csv, Excel and DuckDB).
"$PYTHON" - <<'EOF'
import json
with open("q.jsonl", "w") as f:
    for i, a in enumerate(["=1+2", "'=1+2", "''=1+2", "'plain", "plain'", "-1"]):
        f.write(json.dumps({"timestamp": "2025-10-01T12:00:00Z", "provider": "openai",
                            "model": "gpt-4o", "agent": a, "request_id": "q%d" % i,
                            "usage": {"input_tokens": 1000 * (i + 1)}}) + "\n")
EOF
"$BURNRATE" --quiet --store sq ingest q.jsonl || fail "ingest exited $?"
"$BURNRATE" --store sq report --as-of 2025-10-31 --by agent --format csv >q.csv
"$PYTHON" - <<'EOF' || fail "CSV: the formula prefix is not reversible: $(cat q.csv)"
import csv
got = [r["agent"] for r in csv.DictReader(open("q.csv", newline=""))]
q = "'"
want = {"=1+2": q + "=1+2", q + "=1+2": 2 * q + "=1+2", 2 * q + "=1+2": 3 * q + "=1+2",
        q + "plain": 2 * q + "plain", "plain" + q: "plain" + q, "-1": q + "-1"}
assert sorted(got) == sorted(want.values()), got
assert len(set(got)) == len(got), got
unq = lambda v: v[1:] if v[:1] == q else v
assert sorted(unq(v) for v in got) == sorted(want), got
EOF

# A report file is durable once written: its temporary file fsynced
# before the rename, its directory after (strace shows the calls in
# order). Skipped where strace cannot trace.
if strace -o /dev/null true 2>/dev/null; then
	for f in json xlsx; do
		traced -f -qq -e trace=openat,fsync,rename -o sync.trace \
			"$BURNRATE" --quiet --store sq report --as-of 2025-10-31 \
			--format $f --output sync.$f || fail "$f report exited $?"
		"$PYTHON" - sync.trace sync.$f <<'EOF' ||
import re, sys
out = re.escape(sys.argv[2])
tmp_fd = None
file_synced = renamed = dir_synced = False
dir_fds = set()
for line in open(sys.argv[1]):
    m = re.search(r'openat\(AT_FDCWD, "%s\.tmp-\d+", [^)]*\) += (\d+)' % out, line)
    if m and tmp_fd is None:  # br_output's, before libxlsxwriter's
        tmp_fd = m.group(1)
    m = re.search(r'openat\(AT_FDCWD, "\.", O_RDONLY\|O_CLOEXEC\|O_DIRECTORY\) += (\d+)', line)
    if m and renamed:
        dir_fds.add(m.group(1))
    m = re.search(r'fsync\((\d+)\) += 0', line)
    if m and not renamed and m.group(1) == tmp_fd:
        file_synced = True
    if m and renamed and m.group(1) in dir_fds:
        dir_synced = True
    if re.search(r'rename\("%s\.tmp-\d+", "%s"\) += 0' % (out, out), line):
        renamed = True
assert renamed and file_synced and dir_synced, (renamed, file_synced, dir_synced)
EOF
			fail "$f report: not fsynced before and after its rename: $(cat sync.trace)"
	done
else
	echo "reports: strace cannot trace here: the report's fsyncs are not checked" >&2
fi
echo "reports: all checks passed"
