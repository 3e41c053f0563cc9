#!/bin/sh
# notify.sh - budget alerts through a real SMTP server (tests/smtpd.py, on
# aiosmtpd) over repeated runs: exactly one message per (budget, period,
# threshold, kind) to the right recipients; a server that is down keeps
# alerts pending (exit 75) and the next run delivers each once; a 5xx
# marks the alert failed (exit 1); forecasts re-arm; anomalies; --dry-run
# leaves the ledger alone; names cannot inject headers; long header lines
# (35 recipients, a 1,100-character budget name) are folded; configuration
# errors (world-readable password file, wrong password, a budget without
# recipients, due or not) exit 2 with a clear message that never shows
# the password, and a budget without recipients leaves the ledger alone;
# a forecast reached on the period's last day says so.
. "$(dirname "$0")/common.inc"
cd "$tmp"

# $10.00 a day for agent "bot" (4M gpt-4o input tokens at $2.50/1M) from
# 2025-10-01 to 2025-10-20, then $60 on 2025-10-21 (an anomaly).
"$PYTHON" - <<'EOF'
import datetime as dt
with open("logs.jsonl", "w") as f:
    for i in range(21):
        day = dt.date(2025, 10, 1) + dt.timedelta(days=i)
        n = 24 if i == 20 else 4
        for k in range(n):
            f.write('{"timestamp":"%sT%02d:00:00Z","provider":"openai","model":"gpt-4o",'
                    '"agent":"bot","request_id":"r%d-%d","usage":{"input_tokens":1000000}}\n'
                    % (day, k % 24, i, k))
EOF
"$BURNRATE" --quiet --store s ingest logs.jsonl || fail "ingest exited $?"

# Budgets: thresholds of a $100 month; a forecast on a $250 month; a
# weekly one with a name that tries to add a header and one not in ASCII.
cat >budgets.csv <<'EOF'
name,scope,period,limit_usd,thresholds,forecast,recipients
all,*,monthly,100,50;75;90;100,no,fin@example.com;cto@example.com
fc,agent=bot,monthly,250,50,yes,bot-owner@example.com
"evil
Bcc: victim@evil.example",*,weekly,10000,,no,ops@example.com
Café €,*,monthly,100000,,no,ops@example.com
EOF

# The SMTP server: AUTH required, messages kept as files in mail/.
start_server() { # extra options...
	# A maildir per server: each numbers its messages from 1.
	servers=$((${servers:-0} + 1))
	smtpd_start "mail/$servers" --auth alice:s3cret "$@"
}
trap 'smtpd_stop; rm -rf "$tmp"' EXIT
mkdir mail
start_server
write_rc() { # port password
	printf 'defaults\nhost 127.0.0.1\nport %s\nfrom burnrate@example.com\n' "$1" >msmtprc
	printf 'timeout 5\nauth plain\nuser alice\npassword %s\n\n' "$2" >>msmtprc
	printf 'account work\n\naccount default : work\n' >>msmtprc
	chmod 600 msmtprc
}
write_rc "$port" s3cret
notify() { # as-of [options...]
	d=$1
	shift
	"$BURNRATE" --store s notify --budgets budgets.csv --smtp-config msmtprc \
		--as-of "$d" "$@"
}
count() { find mail -name '*.eml' | wc -l; }

# 2025-10-05: $50 spent. all reaches 50%; fc is projected past $250.
# The ledger's directory, made by this first run, is made durable (the
# store's directory synced) before anything is published in it: strace
# shows the calls in order.
# (A machine that forbids tracing, as some containers do, runs it
# untraced and says so.)
trace=strace
strace -o /dev/null true 2>/dev/null || { trace=; echo "notify: strace cannot trace here: the ledger's directory sync is not checked" >&2; }
# LeakSanitizer cannot work under ptrace (make SANITIZE=...): the traced
# run leaves leaks to the others.
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
	${trace:+strace -f -qq -e trace=mkdir,openat,fsync,rename -o trace.txt} \
	"$BURNRATE" --store s notify --budgets budgets.csv --smtp-config msmtprc \
	--as-of 2025-10-05 >out 2>err || fail "notify exited $?: $(cat err)"
[ -z "$trace" ] || "$PYTHON" - trace.txt <<'EOF' || fail "the ledger's directory is not synced before use (above)"
import re, sys
made = synced = False
fds = {}
for line in open(sys.argv[1]):
    if re.search(r'mkdir\("s/notify", 0700\) += 0', line):
        made = True
    m = re.search(r'openat\(AT_FDCWD, "s", O_RDONLY\|O_CLOEXEC\|O_DIRECTORY\) += (\d+)', line)
    if made and m:
        fds[m.group(1)] = True
    m = re.search(r'fsync\((\d+)\) += 0', line)
    if made and m and fds.get(m.group(1)):
        synced = True
    if 'rename("s/notify/' in line:
        assert made and synced, line
        break
else:
    sys.exit("no rename into s/notify")
EOF
[ "$(count)" -eq 2 ] || fail "want 2 messages on 10-05, got $(count)"
notify 2025-10-05 >out 2>err || fail "second notify exited $?"
[ "$(count)" -eq 2 ] || fail "a repeated run sent again: $(count) messages"
# 2025-10-10: $100: 75, 90 and 100% of all, each once.
notify 2025-10-10 >out 2>err || fail "notify exited $?: $(cat err)"
[ "$(count)" -eq 5 ] || fail "want 5 messages after 10-10, got $(count)"

# The server is down for a night: exit 75, the alert stays pending.
smtpd_stop
set +e; notify 2025-10-13 >out 2>err; rc=$?; set -e
[ $rc -eq 75 ] || fail "server down: exit $rc, want 75: $(cat err)"
grep -q 'pending' err || fail "server down: no word of pending alerts: $(cat err)"
ls s/notify/*.state >/dev/null || fail "no ledger in the store"
grep -l '^state pending' s/notify/*.state >/dev/null ||
	fail "the undelivered alert is not pending in the ledger"
# verify checks the ledger too: each entry readable, with its message (a
# damaged one stops every notify; verify said nothing of it).
"$BURNRATE" --store s verify >out || fail "verify of the ledger exited $?"
grep -q '^ok the alert ledger (6 messages: 5 sent, 1 pending, 0 failed)$' out ||
	fail "verify: $(cat out)"
cp -r s sv
pend=$(grep -l '^state pending' sv/notify/*.state)
mv "${pend%.state}.eml" pend.eml
must_fail 1 err "$BURNRATE" --store sv verify
grep -q "error: the alert ledger: .*${pend##*/}\|error: the alert ledger: .*$(basename "${pend%.state}").eml" err ||
	fail "verify of an entry without its message: $(cat err)"
mv pend.eml "${pend%.state}.eml"
echo garbage >"$pend"
must_fail 1 err "$BURNRATE" --store sv verify
grep -q "error: the alert ledger: .*${pend##*/}: not a burnrate ledger entry" err ||
	fail "verify of a damaged entry: $(cat err)"
rm -rf sv
# Back the next night: the pending alert (fc 50%) goes out once.
start_server
write_rc "$port" s3cret
notify 2025-10-14 >out 2>err || fail "notify after the outage exited $?: $(cat err)"
[ "$(count)" -eq 6 ] || fail "want 6 messages after the outage, got $(count)"
notify 2025-10-14 >out 2>err || fail "notify exited $?"
[ "$(count)" -eq 6 ] || fail "pending alert sent twice: $(count)"

# 2025-10-21: $60 after twenty days of $10: an anomaly, for the budgets
# whose limit makes $50 more than 1% of it (all and fc, not the others).
notify 2025-10-21 >out 2>err || fail "notify exited $?: $(cat err)"
[ "$(count)" -eq 8 ] || fail "want 8 messages after the anomaly, got $(count)"

# Every message once per key, to the budget's recipients, headers safe.
"$PYTHON" - mail <<'EOF' || fail "messages wrong (above)"
import email, email.policy, glob, sys, collections
msgs = []
for p in sorted(glob.glob(sys.argv[1] + "/*/*.eml")):
    with open(p, "rb") as f:
        msgs.append(email.message_from_binary_file(f, policy=email.policy.default))
ids = collections.Counter(m["Message-ID"] for m in msgs)
assert all(n == 1 for n in ids.values()), ids
subjects = sorted(str(m["Subject"]) for m in msgs)
def has(s):
    return [x for x in subjects if s in x]
for pct in (50, 75, 90, 100):
    assert len(has("budget all reached %d%%" % pct)) == 1, (pct, subjects)
assert len(has("budget fc is projected to exceed")) == 1, subjects
assert len(has("budget fc reached 50%")) == 1, subjects
assert len(has("unusual spend in budget all on 2025-10-21")) == 1, subjects
assert len(has("unusual spend in budget fc on 2025-10-21")) == 1, subjects
assert len(msgs) == 8, subjects
for m in msgs:
    s = str(m["Subject"])
    to = str(m["To"])
    if "budget all" in s:
        assert to == "fin@example.com, cto@example.com", to
    else:
        assert to == "bot-owner@example.com", to
    assert m["From"] == "burnrate@example.com"
    assert m["Date"] and m["MIME-Version"] == "1.0"
    assert "Bcc" not in m and "victim" not in str(m.items())
    sev = "CRITICAL" if "100%" in s else "WARNING" if ("75%" in s or "90%" in s or "projected" in s or "unusual" in s) else "INFO"
    assert s.startswith("[burnrate] %s: " % sev), s
    text = m.get_body(("plain",)).get_content()
    html = m.get_body(("html",)).get_content()
    assert "Limit" in text and "<table" in html, text
EOF

# Header injection and RFC 2047: the weekly budget with a newline in its
# name and the non-ASCII one, made to fire with a dry run (ledger alone).
cat >inject.csv <<'EOF'
name,scope,period,limit_usd,thresholds,forecast,recipients
"evil
Bcc: victim@evil.example",*,weekly,10,50,no,ops@example.com
Café € 予算,*,monthly,10,50,no,ops@example.com
EOF
mkdir dry
ls s/notify >ledger.before
HOME="$PWD" "$BURNRATE" --store s notify --budgets inject.csv --as-of 2025-10-21 \
	--dry-run dry >out 2>err || fail "dry run exited $?: $(cat err)"
ls s/notify >ledger.after
cmp -s ledger.before ledger.after || fail "--dry-run changed the ledger"
# A dry run only reads: it neither waits for nor fails on the lock of a
# run writing the store (it failed, exit 75), and leaves that run's
# temporary files in the ledger's directory alone.
"$PYTHON" -c 'import fcntl, sys, time
f = open(sys.argv[1], "a"); fcntl.flock(f, fcntl.LOCK_EX)
open(sys.argv[2], "w").close(); time.sleep(30)' s/lock locked &
holder=$!
while [ ! -e locked ]; do sleep 0.1; done
: >s/notify/.tmp-$holder-writing
mkdir dry-locked
HOME="$PWD" "$BURNRATE" --store s notify --budgets inject.csv --as-of 2025-10-21 \
	--dry-run dry-locked >out 2>err || fail "dry run of a locked store exited $?: $(cat err)"
kill $holder
wait $holder 2>/dev/null || true
[ -e s/notify/.tmp-$holder-writing ] || fail "a dry run removed a writer's temporary file"
rm s/notify/.tmp-$holder-writing
[ "$(ls dry-locked | grep -c '\.eml$')" -eq 4 ] ||
	fail "dry run of a locked store: want 4 .eml files: $(ls dry-locked)"
# Each budget: its 50% and the anomaly of 10-21.
[ "$(ls dry | grep -c '\.eml$')" -eq 4 ] || fail "dry run: want 4 .eml files: $(ls dry)"
[ "$(count)" -eq 8 ] || fail "a dry run sent mail"
"$PYTHON" - dry <<'EOF' || fail "injection or encoding wrong (above)"
import email, email.policy, glob, sys
for p in glob.glob(sys.argv[1] + "/*.eml"):
    raw = open(p, "rb").read()
    # No line of the header block starts a header the name smuggled in.
    head = raw.split(b"\r\n\r\n", 1)[0]
    for line in head.split(b"\r\n"):
        assert not line.lower().startswith(b"bcc"), line
        assert all(32 <= c < 127 or c == 9 for c in line), line
    m = email.message_from_bytes(raw, policy=email.policy.default)
    s = str(m["Subject"])
    assert "Bcc" not in m
    # The name as the table shows it (the newline '?'), in the Subject
    # as in the bodies.
    assert "evil?Bcc: victim@evil.example" in s or "Café € 予算" in s, s
EOF

# A dry run with SMTP settings writes the sender a real run would and
# checks the account as one does; without any, a placeholder sender.
grep -q '^From: burnrate@localhost' dry/*.eml || fail "dry run without SMTP settings: $(grep -h '^From' dry/*.eml)"
mkdir dry2
"$BURNRATE" --store s notify --budgets inject.csv --as-of 2025-10-21 \
	--smtp-config msmtprc --dry-run dry2 >out 2>err || fail "dry run exited $?: $(cat err)"
[ "$(grep -l '^From: burnrate@example.com' dry2/*.eml | wc -l)" -eq 4 ] ||
	fail "dry run: not the account's sender: $(grep -h '^From' dry2/*.eml)"
grep -q '@example.com>' dry2/*.eml || fail "dry run: Message-ID not of the sender's domain"
must_fail 2 err "$BURNRATE" --store s notify --budgets inject.csv \
	--as-of 2025-10-21 --smtp-config msmtprc --account nosuch --dry-run dry2
grep -q "no account 'nosuch'" err || fail "dry run: unknown account unclear: $(cat err)"

# Long header lines are folded (RFC 5322 2.1.1). 35 recipients made a To
# line of 1,400 characters and a budget name of 1,100 a Subject of 1,150,
# over the 998 a line may have: aiosmtpd answered "500 Line too long" and
# the alert was marked failed for good. Each budget fires its 50% and the
# anomaly of 10-21; a dry run writes the same messages, folded the same.
"$PYTHON" - <<'EOF'
rcpts = ";".join("platform-oncall-member%02d@example.com" % i for i in range(35))
words = "team " + " ".join("w%d" % i for i in range(120))
long = "".join(chr(97 + i % 26) for i in range(1100))
with open("long.csv", "w") as f:
    f.write("name,scope,period,limit_usd,thresholds,forecast,recipients\n")
    for name in (long, words):
        f.write("%s,*,monthly,150,50,no,%s\n" % (name, rcpts))
EOF
mkdir long-dry
before=$(count)
"$BURNRATE" --store s notify --budgets long.csv --smtp-config msmtprc \
	--as-of 2025-10-21 --dry-run long-dry >out 2>err ||
	fail "long headers, dry run: exit $?: $(cat err)"
"$BURNRATE" --store s notify --budgets long.csv --smtp-config msmtprc \
	--as-of 2025-10-21 >out 2>err || fail "long headers: exit $?: $(cat err)"
[ "$(count)" -eq $((before + 4)) ] || fail "long headers: want 4 more messages, got $(($(count) - before))"
for f in $(grep -l 'oncall-member' s/notify/*.state); do
	grep -q '^state sent' "$f" || fail "long headers: not sent: $(cat "$f")"
done
"$PYTHON" - mail long-dry <<'EOF' || fail "long headers wrong (above)"
import email, email.policy, glob, json, os, sys
rcpts = ["platform-oncall-member%02d@example.com" % i for i in range(35)]
words = "team " + " ".join("w%d" % i for i in range(120))
long = "".join(chr(97 + i % 26) for i in range(1100))
want = sorted(s % n for n in (long, words) for s in
              ("[burnrate] INFO: budget %s reached 50%% of $150.00",
               "[burnrate] WARNING: unusual spend in budget %s on 2025-10-21: $60.00"))
def check(paths, where):
    subjects = []
    for p in paths:
        raw = open(p, "rb").read()
        lines = raw.split(b"\r\n")
        # A line of at most 78 characters wherever a fold point exists:
        # here, everywhere (no address or word is that long).
        bad = [len(l) for l in lines if len(l) > 78]
        assert not bad, (where, p, bad)
        m = email.message_from_bytes(raw, policy=email.policy.default)
        assert [a.addr_spec for a in m["To"].addresses] == rcpts, (where, p, m["To"])
        # A dry run reads the account too: the same sender.
        assert m["From"] == "burnrate@example.com", (where, m["From"])
        subjects.append(str(m["Subject"]))
        assert m.get_body(("plain",)).get_content()
    assert sorted(subjects) == want, (where, subjects)
got = [p for p in glob.glob(sys.argv[1] + "/*/*.eml") if b"oncall-member" in open(p, "rb").read()]
check(got, "received")
for p in got:
    env = json.load(open(p[:-4] + ".json"))
    assert env["rcpt_tos"] == rcpts, env
check(glob.glob(sys.argv[2] + "/*.eml"), "dry run")
EOF

# A refusing server (550 at the end of data): marked failed, exit 1, and
# not retried.
smtpd_stop
start_server --reply-data 550
write_rc "$port" s3cret
cat >more.csv <<'EOF'
name,scope,period,limit_usd,thresholds,forecast,recipients
extra,*,monthly,150,50,no,x@example.com
EOF
set +e
"$BURNRATE" --store s notify --budgets more.csv --smtp-config msmtprc \
	--as-of 2025-10-21 >out 2>err
rc=$?
set -e
[ $rc -eq 1 ] || fail "5xx: exit $rc, want 1: $(cat err)"
grep -q '550' err || fail "5xx: the server's reply is not shown: $(cat err)"
grep -l '^state failed' s/notify/*.state >/dev/null || fail "5xx: not marked failed"
grep -q '^reply 550' s/notify/*.state || fail "5xx: reply not kept in the ledger"
"$BURNRATE" --store s notify --budgets more.csv --smtp-config msmtprc \
	--as-of 2025-10-21 >out 2>err || fail "a failed alert made the next run fail"

# Configuration errors: exit 2, clear, never the password. A wrong
# password leaves the alert pending.
smtpd_stop
start_server
write_rc "$port" wrongpass
printf 'name,scope,period,limit_usd,thresholds,forecast,recipients\nanother,*,monthly,150,50,no,y@example.com\n' >another.csv
must_fail 2 err "$BURNRATE" --store s notify --budgets another.csv \
	--smtp-config msmtprc --as-of 2025-10-21
grep -qi 'authentication' err || fail "wrong password: unclear: $(cat err)"
grep -q wrongpass err && fail "the password was printed"
write_rc "$port" s3cret
chmod 644 msmtprc
must_fail 2 err notify 2025-10-22
grep -q 'msmtprc' err || fail "readable password file: not named: $(cat err)"
grep -q s3cret err && fail "the password was printed"
chmod 600 msmtprc
chmod 000 msmtprc
if [ "$(id -u)" != 0 ]; then
	must_fail 2 err notify 2025-10-22
fi
chmod 600 msmtprc
# The sender is the From header too: a plain address, or exit 2.
sed 's/^from .*/from Burn Rate <burnrate@example.com>/' msmtprc >msmtprc.new
mv msmtprc.new msmtprc
chmod 600 msmtprc
must_fail 2 err notify 2025-10-22
grep -q "from 'Burn Rate <burnrate@example.com>' is not a plain address" err ||
	fail "a sender that is not an address: $(cat err)"
write_rc "$port" s3cret
printf 'name,scope,period,limit_usd,thresholds,forecast,recipients\nnobody,*,monthly,1,,no,\n' >norcpt.csv
must_fail 2 err "$BURNRATE" --store s notify --budgets norcpt.csv \
	--smtp-config msmtprc --as-of 2025-10-22
grep -q 'norcpt.csv:2' err || fail "no recipients: file and line not named: $(cat err)"
# Every budget's recipients are checked before anything is computed or
# written, not when it fires: here the first budget fires, the second,
# without recipients, does not; nothing may reach the ledger (its alerts
# would be sent by no later run, each stopped by the same error).
printf 'name,scope,period,limit_usd,thresholds,forecast,recipients\nfires,*,monthly,1,,no,z@example.com\nquiet,*,monthly,1000000,,no,\n' >late.csv
ls s/notify >ledger.before
must_fail 2 err "$BURNRATE" --store s notify --budgets late.csv \
	--smtp-config msmtprc --as-of 2025-10-22
grep -q "late.csv:3: budget 'quiet' recipients: none given" err ||
	fail "no recipients, budget not due: file and line not named: $(cat err)"
ls s/notify >ledger.after
cmp -s ledger.before ledger.after || fail "a budget without recipients let alerts into the ledger"
printf 'name,scope,period,limit_usd,thresholds,forecast,recipients\nbad,*,monthly,1,,no,"a@b.c\r\nBcc: x@y.z"\n' >badrcpt.csv
must_fail 2 err "$BURNRATE" --store s notify --budgets badrcpt.csv \
	--smtp-config msmtprc --as-of 2025-10-22
grep -q 'invalid email address' err || fail "bad recipient: $(cat err)"

# Forecast re-arming, on a store of its own: $10 a day on days 1-5, then
# nothing until day 15 (the projection falls below $200), then $40 a day.
"$PYTHON" - <<'EOF'
import datetime as dt
with open("fc.jsonl", "w") as f:
    for i in list(range(5)) + list(range(15, 19)):
        day = dt.date(2025, 10, 1) + dt.timedelta(days=i)
        for k in range(4 if i < 5 else 16):
            f.write('{"timestamp":"%sT%02d:00:00Z","provider":"openai","model":"gpt-4o",'
                    '"request_id":"f%d-%d","usage":{"input_tokens":1000000}}\n' % (day, k, i, k))
EOF
"$BURNRATE" --quiet --store f ingest fc.jsonl
printf 'name,scope,period,limit_usd,thresholds,forecast,recipients\nrearm,*,monthly,250,100,yes,r@example.com\n' >fc.csv
projected() {
	"$BURNRATE" --store f report --as-of "$1" --budgets fc.csv --format json |
		"$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["budgets"][0]["projected_usd"])'
}
before=$(count)
for d in 2025-10-05 2025-10-12 2025-10-19; do
	"$BURNRATE" --store f notify --budgets fc.csv --smtp-config msmtprc \
		--as-of $d >out 2>err || fail "notify $d exited $?: $(cat err)"
	echo "$d $(projected $d) $(count)" >>fc.trace
done
"$PYTHON" - fc.trace "$before" <<'EOF' || fail "forecast re-arming wrong: $(cat fc.trace)"
import sys
rows = [l.split() for l in open(sys.argv[1])]
before = int(sys.argv[2])
p = {d: float(v) for d, v, _ in rows}
n = {d: int(c) for d, _, c in rows}
# The premise: above, below, above the limit.
assert p["2025-10-05"] > 250 and p["2025-10-12"] < 250 and p["2025-10-19"] > 250, p
assert n["2025-10-05"] == before + 1, n
assert n["2025-10-12"] == before + 1, n
assert n["2025-10-19"] == before + 2, n
EOF
# Names reach the mail bodies as the table shows them: control characters
# '?'. A model name from the logs once put a "Total $0.01" line of its own
# and an escape sequence into the finance report's text/plain body; a
# budget's name and scope (quoted CSV fields may hold any byte) reach the
# alerts' text and HTML parts. The finance report through `run`, the
# alerts through notify and a dry run.
mkdir ctl-logs ctl-dry
printf '{"timestamp":"2025-10-05T12:00:00Z","provider":"openai","model":"gpt-4o\\r\\n\\r\\nTotal       $0.01 over 1 requests\\u001b[8m\\u0085x\\u007f","agent":"a\\u001b[2Jb","request_id":"m1","cost_usd":99.5,"usage":{"input_tokens":10}}\n' >ctl-logs/a.jsonl
printf 'name,scope,period,limit_usd,thresholds,forecast,recipients\n"ctl\r\n\r\nTotal       $0.01\033[8m",agent=a\033[2Jb,monthly,100,50,no,c@example.com\n' >ctl.csv
cat >ctl.conf <<EOF2
store $tmp/ctl
input $tmp/ctl-logs/*.jsonl
reports_dir $tmp/ctl-reports
report_formats json
report_schedule monthly
report_to finance@example.com
budgets $tmp/ctl.csv
smtp_config $tmp/msmtprc
EOF2
before=$(count)
"$BURNRATE" --config ctl.conf run --as-of 2025-11-01 >out 2>err ||
	fail "control characters: run exited $?: $(cat err)"
"$BURNRATE" --store ctl notify --budgets ctl.csv --smtp-config msmtprc \
	--as-of 2025-10-31 --dry-run ctl-dry >out 2>err ||
	fail "control characters: dry run exited $?: $(cat err)"
"$BURNRATE" --store ctl notify --budgets ctl.csv --smtp-config msmtprc \
	--as-of 2025-10-31 >out 2>err ||
	fail "control characters: notify exited $?: $(cat err)"
[ "$(count)" -eq $((before + 2)) ] || fail "control characters: want the finance report and an alert, got $(($(count) - before)) messages"
"$PYTHON" - mail ctl-dry <<'EOF' || fail "control characters reach a mail body (above)"
import email, email.policy, glob, re, sys
def bodies(p):
    m = email.message_from_bytes(open(p, "rb").read(), policy=email.policy.default)
    return m, m.get_body(("plain",)).get_content(), m.get_body(("html",)).get_content()
ctl = re.compile("[\x00-\x08\x0b-\x1f\x7f\x80-\x9f]")
seen = {"report": 0, "alert": 0, "dry": 0}
paths = [(p, "sent") for p in glob.glob(sys.argv[1] + "/*/*.eml")]
paths += [(p, "dry") for p in glob.glob(sys.argv[2] + "/*.eml")]
for p, how in paths:
    m, text, html = bodies(p)
    to = str(m["To"])
    if how == "sent" and to not in ("finance@example.com", "c@example.com"):
        continue
    for what, body in (("text", text), ("html", html)):
        # Line ends only: no other control character, no CR of its own.
        assert not ctl.search(body.replace("\r\n", "\n")), (p, what, body)
        assert "\r" not in body.replace("\r\n", ""), (p, what, body)
    if to == "finance@example.com":
        seen["report"] += 1
        assert "Top models  gpt-4o????Total       $0.01 over 1 requests?[8m?x? $99.500000" in text, text
        assert [l for l in text.splitlines() if l.startswith("Total")] == \
            ["Total       $99.500000 over 1 requests"], text
        assert "Budget ctl????Total       $0.01?[8m: $99.500000 of $100.000000" in text, text
        assert "gpt-4o????Total       $0.01 over 1 requests?[8m?x?" in html, html
    else:
        seen["alert" if how == "sent" else "dry"] += 1
        for body in (text, html):
            assert "ctl????Total       $0.01?[8m" in body, body
            assert "agent=a?[2Jb" in body, body
        assert str(m["Subject"]) == "[burnrate] INFO: budget ctl????Total       $0.01?[8m reached 50% of $100.00", m["Subject"]
assert seen == {"report": 1, "alert": 1, "dry": 1}, seen
EOF
# The forecast's sentence when the limit is reached on the period's last
# day: $10 a day, a weekly $65 on Friday 2026-11-20 ($50 spent, $70
# projected) runs out on Sunday the 22nd, the week's last day. It read
# "the limit is reached on 2026-11-22, before the period ends on
# 2026-11-22". A $55 one runs out on the 21st, before the end.
"$PYTHON" - <<'EOF'
import datetime as dt
with open("steady.jsonl", "w") as f:
    d, i = dt.date(2026, 9, 1), 0
    while d <= dt.date(2026, 11, 20):
        f.write('{"timestamp":"%sT12:00:00Z","provider":"openai","model":"gpt-4o",'
                '"request_id":"w%d","usage":{"input_tokens":4000000}}\n' % (d, i))
        d, i = d + dt.timedelta(days=1), i + 1
EOF
"$BURNRATE" --quiet --store w ingest steady.jsonl || fail "ingest exited $?"
printf 'name,scope,period,limit_usd,thresholds,forecast,recipients\nwk,*,weekly,65,100,yes,w@example.com\nwk55,*,weekly,55,100,yes,w55@example.com\n' >weekly.csv
before=$(count)
"$BURNRATE" --store w notify --budgets weekly.csv --smtp-config msmtprc \
	--as-of 2026-11-20 >out 2>err || fail "weekly forecast: exit $?: $(cat err)"
[ "$(count)" -eq $((before + 2)) ] || fail "weekly forecast: want 2 messages, got $(($(count) - before))"
"$PYTHON" - mail <<'EOF' || fail "weekly forecast: the sentence is wrong (above)"
import email, email.policy, glob, html, sys
want = {"w@example.com": "At the current rate the limit is reached on 2026-11-22, the period's last day.",
        "w55@example.com": "At the current rate the limit is reached on 2026-11-21, before the period ends on 2026-11-22."}
seen = set()
for p in glob.glob(sys.argv[1] + "/*/*.eml"):
    m = email.message_from_bytes(open(p, "rb").read(), policy=email.policy.default)
    to = str(m["To"])
    if to not in want:
        continue
    seen.add(to)
    for kind in ("plain", "html"):
        body = m.get_body((kind,)).get_content()
        if kind == "html":
            body = html.unescape(body)
        assert want[to] in body, (to, kind, body)
assert seen == set(want), seen
EOF
# An anomaly after a quiet period longer than the 63 days of spend
# looked at: the 14 days of history are days of $0, known since the
# store's data is older (they were taken for days before its first data,
# and no anomaly was ever found). $50 on 11-20 after $5 on 08-20 fires,
# as it does after $5 on 10-31; with no data before, it does not (the
# history is unknown).
quiet() { # store first-day
	"$PYTHON" - "$2" <<'EOF2' >quiet.jsonl
import sys
for i, (day, usd) in enumerate(((sys.argv[1], 5), ("2025-11-20", 50))):
    print('{"timestamp":"%sT12:00:00Z","provider":"openai","model":"gpt-4o",'
          '"request_id":"quiet-%d","usage":{"input_tokens":%d}}' % (day, i, usd * 400000))
EOF2
	"$BURNRATE" --quiet --store "$1" init
	"$BURNRATE" --quiet --store "$1" ingest quiet.jsonl
	rm -rf "$1-dry"
	mkdir "$1-dry"
	"$BURNRATE" --quiet --store "$1" notify --budgets quiet.csv \
		--as-of 2025-11-20 --dry-run "$1-dry"
	cat "$1-dry"/*.eml 2>/dev/null | tr -d '\r' | grep '^Subject:' || true
}
printf 'name,scope,period,limit_usd,thresholds,forecast,recipients\nbig,*,monthly,1000,,no,x@example.com\n' >quiet.csv
want='Subject: [burnrate] WARNING: unusual spend in budget big on 2025-11-20: $50.00'
[ "$(quiet q1 2025-08-20)" = "$want" ] ||
	fail "an anomaly after 13 quiet weeks: $(quiet q1 2025-08-20)"
[ "$(quiet q2 2025-10-31)" = "$want" ] ||
	fail "an anomaly after 3 quiet weeks: $(quiet q2 2025-10-31)"
[ -z "$(quiet q3 2025-11-20)" ] ||
	fail "an anomaly on the store's first day: $(quiet q3 2025-11-20)"
# An account that would send its password without TLS (auth on, or a
# user without an auth line, and tls off) is a configuration error found
# as the account is read: the dry run fails as the real run does, and the
# real run writes nothing pending (it wrote the alert pending, then
# failed, exit 2, in smtp_send; the dry run passed).
printf 'account default\nhost 127.0.0.1\nport 9\nfrom x@example.com\nuser u\npassword p\ntls off\n' >notls.rc
chmod 600 notls.rc
rm -rf q1-notls
mkdir q1-notls
for dry in "--dry-run q1-notls" ""; do
	# shellcheck disable=SC2086
	must_fail 2 notls.err "$BURNRATE" --store q1 notify --budgets quiet.csv \
		--as-of 2025-11-20 --smtp-config notls.rc $dry
	grep -q "notls.rc: account 'default': auth on sends the password only over TLS" notls.err ||
		fail "auth on without TLS${dry:+ (dry run)}: $(cat notls.err)"
done
[ -z "$(ls q1-notls)" ] && [ -z "$(ls q1/notify | grep -v '^store-id$')" ] ||
	fail "auth on without TLS wrote messages: $(ls q1-notls q1/notify)"
echo "notify: ok"
