#!/bin/sh
# run.sh - a store driven only by `burnrate run` from cron-like invocations
# over simulated weeks: logs arriving daily, one day's file growing after
# it was ingested, one run killed, two runs overlapping, the mail server
# down one night. It must end with exact totals, one alert per threshold,
# one finance email per period, and dated reports for every day; the
# summary line counts the finance report among the messages sent or
# pending; a finance report to 35 addresses arrives, its To line folded;
# one run makes one SMTP session (one attempt when the server is down).
. "$(dirname "$0")/common.inc"
cd "$tmp"

start_server() { # [smtpd options...]
	# A maildir per server: each numbers its messages from 1.
	servers=$((${servers:-0} + 1))
	smtpd_start "mail/$servers" "$@"
	printf 'account default\nhost 127.0.0.1\nport %s\nfrom burnrate@example.com\ntimeout 5\n' \
		"$port" >msmtprc
}
closer=
trap 'smtpd_stop; [ -z "$closer" ] || kill $closer 2>/dev/null; rm -rf "$tmp"' EXIT
mkdir mail logs
start_server

cat >burnrate.conf <<'EOF'
# the nightly job of the tests
store data
timezone UTC
input logs/*.jsonl
input logs/archive/*.jsonl.gz
reports_dir reports
report_formats json,csv,xlsx,html
report_schedule monthly
report_to finance@example.com
alert_to ops@example.com
budgets budgets.csv
smtp_config msmtprc
EOF
cat >budgets.csv <<'EOF'
name,scope,period,limit_usd,thresholds,forecast,recipients
month,*,monthly,400,50;75;90;100,no,
EOF

# The logs of day D arrive on D+1: $35 plus $0.035 x D's day of month, as
# gpt-4o input tokens ($2.50 per 1M) and output tokens ($10 per 1M). The
# $400 October budget reaches 50% with the logs of 10-19 (the night the
# mail server is down), 75% with 10-22 (the night of the overlapping
# runs), 90% with 10-24 and 100% with 10-25 (the night of the kill).
day_log() { # YYYY-MM-DD
	"$PYTHON" - "$1" <<'EOF'
import sys, datetime as dt
d = dt.date.fromisoformat(sys.argv[1])
with open("logs/%s.jsonl" % d, "w") as f:
    for k in range(14):
        f.write('{"timestamp":"%sT%02d:00:00Z","provider":"openai","model":"gpt-4o",'
                '"request_id":"%s-%d","usage":{"input_tokens":1000000,"output_tokens":%d}}\n'
                % (d, k, d, k, 250 * d.day))
EOF
}
# Expected: 14 x ($2.50 + 250 x day / 1e6 x $10) = $35 + $0.035 x day.
expected_total() { # first last
	"$PYTHON" - "$1" "$2" <<'EOF'
import sys, datetime as dt
from decimal import Decimal
a, b = (dt.date.fromisoformat(x) for x in sys.argv[1:3])
t = Decimal(0)
while a <= b:
    t += Decimal(35) + Decimal("0.035") * a.day
    a += dt.timedelta(days=1)
print(t)
EOF
}
run() { # as-of: a nightly run; its exit status is returned
	"$BURNRATE" --config burnrate.conf --quiet run --as-of "$1" >>run.out 2>>run.err
}

first=2025-10-14
d=$first
last=
while [ "$d" != 2025-11-04 ]; do
	next=$(date -u -d "$d + 1 day" +%F)
	day_log "$d"
	case $next in
	2025-10-20)
		# The mail server is down tonight.
		smtpd_stop
		set +e; run "$next"; rc=$?; set -e
		[ $rc -eq 75 ] || fail "server down: exit $rc, want 75: $(tail -3 run.err)"
		start_server
		;;
	2025-10-23)
		# Another run holds the store: this one must say so (75).
		(exec 9>>data/lock; flock 9; exec sleep 3) &
		holder=$!
		sleep 0.5
		set +e; run "$next"; rc=$?; set -e
		[ $rc -eq 75 ] || fail "overlapping run: exit $rc, want 75"
		wait $holder
		run "$next" || fail "run $next exited $?: $(tail -3 run.err)"
		;;
	2025-10-26)
		# A run killed mid-way, then the next one.
		"$BURNRATE" --config burnrate.conf --quiet run --as-of "$next" \
			>/dev/null 2>&1 &
		victim=$!
		sleep 0.05
		kill -9 $victim 2>/dev/null || true
		wait $victim 2>/dev/null || true
		run "$next" || fail "run after a kill exited $?: $(tail -3 run.err)"
		;;
	*)
		run "$next" || fail "run $next exited $?: $(tail -3 run.err)"
		;;
	esac
	if [ "$next" = 2025-10-29 ]; then
		# A log that grew after it was ingested: 2025-10-27 got one more
		# request ($2.50 of input) late.
		printf '%s\n' '{"timestamp":"2025-10-27T23:00:00Z","provider":"openai","model":"gpt-4o","request_id":"late","usage":{"input_tokens":1000000}}' \
			>>logs/2025-10-27.jsonl
	fi
	last=$d
	d=$next
done

# Exact totals: every day's logs, the late request once.
want=$(expected_total $first "$last")
"$BURNRATE" --store data report --since $first --until "$last" --as-of "$last" \
	--format json >total.json
"$PYTHON" - total.json "$want" <<'EOF' || fail "totals wrong (above)"
import json, sys
from decimal import Decimal
t = json.load(open(sys.argv[1]))["totals"]
want = Decimal(sys.argv[2]) + Decimal("2.5")
got = Decimal(str(t["cost_usd"]))
assert got == want, (got, want)
EOF

# A dated report of every format for every night.
d=2025-10-15
while [ "$d" != 2025-11-04 ]; do
	for ext in json csv xlsx html; do
		[ -s "reports/burnrate-$d.$ext" ] || fail "no reports/burnrate-$d.$ext"
	done
	d=$(date -u -d "$d + 1 day" +%F)
done
ls reports | grep -q tmp && fail "temporary files left in reports/"

# Alerts: 50, 75, 90 and 100% of October's $400, one message each, to
# alert_to; one finance email for October, with its XLSX, to report_to.
"$PYTHON" - mail <<'EOF' || fail "mail wrong (above)"
import email, email.policy, glob, io, sys, collections
import openpyxl
msgs = [email.message_from_binary_file(open(p, "rb"), policy=email.policy.default)
        for p in sorted(glob.glob(sys.argv[1] + "/*/*.eml"))]
subjects = collections.Counter(str(m["Subject"]) for m in msgs)
assert all(n == 1 for n in subjects.values()), subjects
alerts = [s for s in subjects if "budget month reached" in s]
assert sorted(alerts) == sorted("[burnrate] %s: budget month reached %d%% of $400.00"
        % ("CRITICAL" if p == 100 else "WARNING" if p >= 75 else "INFO", p)
        for p in (50, 75, 90, 100)), alerts
fin = [m for m in msgs if "LLM spend for the month 2025-10-01" in str(m["Subject"])]
assert len(fin) == 1, subjects
assert str(fin[0]["To"]) == "finance@example.com"
att = [p for p in fin[0].iter_attachments()]
assert len(att) == 1 and att[0].get_filename() == "burnrate-2025-10-01-2025-10-31.xlsx", att
assert att[0].get_content_type() == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
wb = openpyxl.load_workbook(io.BytesIO(att[0].get_content()), data_only=False)
assert "Summary" in wb.sheetnames and "Daily" in wb.sheetnames, wb.sheetnames
assert len(msgs) == 5, subjects
for m in msgs:
    if m in fin:
        continue
    assert str(m["To"]) == "ops@example.com", m["To"]
EOF

# The summary line counts the finance report's message: pending while the
# mail server is down (exit 75), sent when it is back.
cat >fin.conf <<'EOF2'
store fin-data
input logs/2025-10-1*.jsonl
report_schedule monthly
report_to finance@example.com
smtp_config msmtprc
EOF2
smtpd_stop
set +e
"$BURNRATE" --config fin.conf run --as-of 2025-11-01 >fin.out 2>fin.err
rc=$?
set -e
[ $rc -eq 75 ] || fail "finance report, server down: exit $rc, want 75: $(cat fin.err)"
grep -q ', 0 messages sent, 1 pending; finance report for the month from 2025-10-01$' fin.out ||
	fail "finance report, server down: summary: $(cat fin.out)"
start_server
"$BURNRATE" --config fin.conf run --as-of 2025-11-01 >fin.out 2>fin.err ||
	fail "finance report, server back: exit $?: $(cat fin.err)"
grep -q ', 1 message sent, 0 pending$' fin.out ||
	fail "finance report, server back: summary: $(cat fin.out)"
# A month without spend after the store's first data is reported ($0);
# one before it is not. The temporary files a run killed while it built
# the report's XLSX or wrote the ledger left are removed by the next run.
printf 'PK' >fin-data/notify/.tmp-4242-finance.xlsx
printf 'x' >fin-data/notify/.tmp-4242-0123456789abcdef0123456789abcdef.state
"$BURNRATE" --config fin.conf run --as-of 2025-12-01 >fin.out 2>fin.err ||
	fail "finance report of an empty month: exit $?: $(cat fin.err)"
[ -z "$(ls -A fin-data/notify | grep '^\.tmp-')" ] ||
	fail "a killed run's temporary files were left: $(ls -A fin-data/notify)"
grep -q ', 1 message sent, 0 pending; finance report for the month from 2025-11-01$' fin.out ||
	fail "finance report of an empty month after the first data: $(cat fin.out)"
"$BURNRATE" --config fin.conf run --as-of 2025-10-01 >fin.out 2>fin.err ||
	fail "run before the first data: exit $?: $(cat fin.err)"
! grep -q 'finance report' fin.out ||
	fail "a month before the store's first data was reported: $(cat fin.out)"
# A finance report to 35 addresses: its To line, unfolded, was 1,300
# characters; the server refused it ("500 Line too long") and the ledger
# marked it failed, so finance never got the month. Folded, it arrives,
# every line within 78 characters, to exactly report_to.
many=$("$PYTHON" -c 'print(",".join("finance-controller-%02d@example.com" % i for i in range(35)))')
sed -e 's/^store fin-data/store many-data/' -e "s/^report_to .*/report_to $many/" \
	fin.conf >many.conf
"$BURNRATE" --config many.conf run --as-of 2025-11-01 >many.out 2>many.err ||
	fail "finance report to 35 addresses: exit $?: $(cat many.err)"
grep -q ', 1 message sent, 0 pending; finance report' many.out ||
	fail "finance report to 35 addresses: summary: $(cat many.out)"
"$PYTHON" - mail "$many" <<'EOF' || fail "finance report to 35 addresses wrong (above)"
import email, email.policy, glob, sys
want = sys.argv[2].split(",")
got = [p for p in glob.glob(sys.argv[1] + "/*/*.eml")
       if b"finance-controller-34@" in open(p, "rb").read()]
assert len(got) == 1, got
raw = open(got[0], "rb").read()
assert max(len(l) for l in raw.split(b"\r\n")) <= 78, [l for l in raw.split(b"\r\n") if len(l) > 78]
m = email.message_from_bytes(raw, policy=email.policy.default)
assert [a.addr_spec for a in m["To"].addresses] == want, m["To"]
assert str(m["Subject"]).startswith("[burnrate] LLM spend for the month 2025-10-01 to 2025-10-31: $"), m["Subject"]
att = list(m.iter_attachments())
assert len(att) == 1 and att[0].get_filename() == "burnrate-2025-10-01-2025-10-31.xlsx", att
EOF
# One run makes one SMTP session (ALERTS.md): the alerts and the finance
# report went out in two, so a server that was down was tried twice in
# one run ("1 message kept pending", then "2 messages kept pending"), the
# alerts retried twice, and a hanging server cost two timeouts. Two
# alerts (50 and 100% of $100) and the daily finance report: one
# connection and one EHLO with the server up; one connection attempt and
# one count of what stays pending with it down (a listener that closes
# every connection at once, then nothing listening); each message sent
# once when it is back, and no session when nothing is pending.
cat >sess.conf <<'EOF2'
store sess-data
input logs/2025-10-1*.jsonl
budgets sess.csv
alert_to ops@example.com
report_schedule daily
report_to finance@example.com
smtp_config msmtprc
EOF2
printf 'name,scope,period,limit_usd,thresholds,forecast,recipients\nsess,*,monthly,100,50;100,no,\n' >sess.csv
sessions() { grep -c "^$1" sessions.log || true; }
smtpd_stop
rm -f sessions.log
start_server --sessions "$tmp/sessions.log"
"$BURNRATE" --config sess.conf run --as-of 2025-10-20 >sess.out 2>sess.err ||
	fail "one session: exit $?: $(cat sess.err)"
grep -q ', 2 alerts due, 3 messages sent, 0 pending; finance report for the day from 2025-10-19$' sess.out ||
	fail "one session: summary: $(cat sess.out)"
[ "$(sessions connect)" -eq 1 ] && [ "$(sessions EHLO)" -eq 1 ] ||
	fail "one run, server up: want 1 connection and 1 EHLO: $(cat sessions.log)"
[ "$(ls "mail/$servers" | grep -c '\.eml$')" -eq 3 ] ||
	fail "one session: want 3 messages: $(ls "mail/$servers")"

# Down: a listener that counts connections and closes each at once.
smtpd_stop
"$PYTHON" - closer.port closer.count <<'EOF' &
import os, socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(16)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write("%d\n" % s.getsockname()[1])
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
n = 0
while True:
    c, _ = s.accept()
    n += 1
    with open(sys.argv[2], "w") as f:
        f.write("%d\n" % n)
    c.close()
EOF
closer=$!
i=0
while [ ! -s closer.port ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -s closer.port ] || fail "the closing listener did not start"
sed "s/^port .*/port $(cat closer.port)/" msmtprc >msmtprc.new
mv msmtprc.new msmtprc
sed 's/^store sess-data/store sess2-data/' sess.conf >sess2.conf
set +e
"$BURNRATE" --config sess2.conf run --as-of 2025-10-20 >sess.out 2>sess.err
rc=$?
set -e
[ $rc -eq 75 ] || fail "server closing at once: exit $rc, want 75: $(cat sess.err)"
[ "$(cat closer.count)" -eq 1 ] ||
	fail "server closing at once: $(cat closer.count) connections, want 1"
[ "$(grep -c 'kept pending' sess.err)" -eq 1 ] &&
	grep -q '3 messages kept pending for the next run' sess.err ||
	fail "server closing at once: want one count of 3 pending: $(cat sess.err)"
grep -q ', 3 pending; finance report' sess.out ||
	fail "server closing at once: summary: $(cat sess.out)"
# Nothing listening: one attempt, one count.
kill $closer
wait $closer 2>/dev/null || true
closer=
set +e
"$BURNRATE" --config sess2.conf run --as-of 2025-10-20 >sess.out 2>sess.err
rc=$?
set -e
[ $rc -eq 75 ] || fail "server down: exit $rc, want 75: $(cat sess.err)"
[ "$(grep -c 'cannot connect' sess.err)" -eq 1 ] &&
	[ "$(grep -c 'kept pending' sess.err)" -eq 1 ] &&
	grep -q '3 messages kept pending for the next run' sess.err ||
	fail "server down: want one attempt and one count of 3 pending: $(cat sess.err)"
# Back: the three, once, in one session; then nothing, and no session.
rm -f sessions.log
start_server --sessions "$tmp/sessions.log"
"$BURNRATE" --config sess2.conf run --as-of 2025-10-20 >sess.out 2>sess.err ||
	fail "server back: exit $?: $(cat sess.err)"
grep -q ', 0 alerts due, 3 messages sent, 0 pending$' sess.out ||
	fail "server back: summary: $(cat sess.out)"
[ "$(sessions connect)" -eq 1 ] && [ "$(sessions EHLO)" -eq 1 ] ||
	fail "server back: want 1 connection and 1 EHLO: $(cat sessions.log)"
"$BURNRATE" --config sess2.conf run --as-of 2025-10-20 >sess.out 2>sess.err ||
	fail "server back, again: exit $?: $(cat sess.err)"
grep -q ', 0 messages sent, 0 pending$' sess.out ||
	fail "server back, again: summary: $(cat sess.out)"
[ "$(sessions connect)" -eq 1 ] ||
	fail "a run with nothing pending connected: $(cat sessions.log)"
"$PYTHON" - "mail/$servers" <<'EOF' || fail "server back: messages wrong (above)"
import collections, email, email.policy, glob, sys
msgs = [email.message_from_binary_file(open(p, "rb"), policy=email.policy.default)
        for p in glob.glob(sys.argv[1] + "/*.eml")]
subjects = collections.Counter(str(m["Subject"]) for m in msgs)
assert len(msgs) == 3 and all(n == 1 for n in subjects.values()), subjects
assert sum("budget sess reached" in s for s in subjects) == 2, subjects
assert sum("LLM spend for the day 2025-10-19" in s for s in subjects) == 1, subjects
EOF
# report_formats apart by a tab, as config_load takes them: both formats
# written, each under its name (run split on ", " only and wrote one
# table-format file named "burnrate-DAY.json<TAB>csv", exit 0).
printf 'store fmt-data\ninput logs/2025-10-1*.jsonl\nreports_dir fmt\nreport_formats json\tcsv prom\n' >fmt.conf
"$BURNRATE" --config fmt.conf --quiet run --as-of 2025-10-20 >fmt.out 2>fmt.err ||
	fail "report_formats apart by a tab: exit $?: $(cat fmt.err)"
[ "$(ls fmt | tr '\n' ' ')" = "burnrate-2025-10-20.csv burnrate-2025-10-20.json burnrate.prom " ] ||
	fail "report_formats apart by a tab: wrote $(ls -b fmt | tr '\n' ' ')"
"$PYTHON" -c 'import json,sys; json.load(open(sys.argv[1]))' fmt/burnrate-2025-10-20.json ||
	fail "report_formats apart by a tab: the JSON report is not JSON"
head -1 fmt/burnrate-2025-10-20.csv | grep -q '^day,provider,model,requests,' ||
	fail "report_formats apart by a tab: the CSV report: $(head -1 fmt/burnrate-2025-10-20.csv)"
# A format that cannot be written (a directory where its file goes) fails
# the run, exit 1, naming it; the other formats are still written (one
# failure wrote none after it, and a stale burnrate.prom stayed).
rm -rf fmt
mkdir -p fmt/burnrate-2025-10-21.json
set +e
"$BURNRATE" --config fmt.conf --quiet run --as-of 2025-10-21 >fmt.out 2>fmt.err
rc=$?
set -e
[ $rc -eq 1 ] && grep -q "burnrate-2025-10-21.json" fmt.err ||
	fail "a report format that cannot be written: exit $rc: $(cat fmt.err)"
[ -f fmt/burnrate-2025-10-21.csv ] && [ -f fmt/burnrate.prom ] ||
	fail "a report format that cannot be written stopped the others: $(ls fmt | tr '\n' ' ')"
# What killed writers left in reports_dir is removed, never a running
# writer's, however old: a `report --output` into reports_dir, or another
# store's run, does not hold this store's lock (its file was removed
# under it).
dead=4000000
while kill -0 $dead 2>/dev/null; do dead=$((dead + 1)); done
: >fmt/burnrate-2025-10-01.json.tmp-$dead
: >fmt/burnrate-2025-10-02.json.tmp-$$
: >fmt/burnrate-adhoc.json.tmp-$((dead + 1))
touch -d '2 hours ago' fmt/burnrate-2025-10-01.json.tmp-$dead \
	fmt/burnrate-2025-10-02.json.tmp-$$
rmdir fmt/burnrate-2025-10-21.json
"$BURNRATE" --config fmt.conf --quiet run --as-of 2025-10-21 >fmt.out 2>fmt.err ||
	fail "run beside temporary files: exit $?: $(cat fmt.err)"
[ ! -e fmt/burnrate-2025-10-01.json.tmp-$dead ] &&
	[ ! -e fmt/burnrate-adhoc.json.tmp-$((dead + 1)) ] ||
	fail "a killed writer's temporary file was left: $(ls fmt | tr '\n' ' ')"
[ -e fmt/burnrate-2025-10-02.json.tmp-$$ ] ||
	fail "a running writer's temporary file was removed"
echo "run: ok"
