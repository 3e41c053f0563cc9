#!/bin/sh
# alert_identity.sh - what makes two alerts different, through a real SMTP
# server (tests/smtpd.py). An alert's ledger key and Message-ID once held
# only the budget's name, period and threshold: a budget "all" of team C
# (another budgets file, another scope, other recipients) was never sent
# because team B's "all" had been ("0 new alerts" while it stood at
# 311%), and two stores' alerts shared one Message-ID, which mail systems
# that drop duplicates take for one message. Now: the scope is part of the
# alert, each recipient gets each alert once (one added later gets it, the
# others not again), Message-IDs (alerts and finance reports) are of the
# store too, and an entry that
# the versions before wrote (the old key) still stops the re-send.
. "$(dirname "$0")/common.inc"
cd "$tmp"

# Ten days of two agents: bøt-ünï $2.60 a day, 予算エージェント $3.15.
"$PYTHON" - <<'EOF'
with open("logs.jsonl", "w") as f:
    for i in range(1, 11):
        for k, (prov, model, agent) in enumerate([
                ("openai", "gpt-4o", "bøt-ünï"),
                ("anthropic", "claude-sonnet-4-5", "予算エージェント")]):
            f.write('{"timestamp":"2025-10-%02dT%02d:00:00Z","provider":"%s","model":"%s",'
                    '"agent":"%s","request_id":"q%d-%d","usage":{"input_tokens":1000000,'
                    '"output_tokens":10000}}\n' % (i, k, prov, model, agent, i, k))
EOF
for s in s t o; do
	"$BURNRATE" --quiet --store $s ingest logs.jsonl || fail "ingest $s exited $?"
done
cat >teamB.csv <<'EOF'
name,scope,period,limit_usd,thresholds,forecast,recipients
all,agent=bøt-ünï,monthly,20,50,no,team-b@example.com
EOF
cat >teamC.csv <<'EOF'
name,scope,period,limit_usd,thresholds,forecast,recipients
all,agent=予算エージェント,monthly,20,50,no,team-c@example.com
EOF

trap 'smtpd_stop; rm -rf "$tmp"' EXIT
smtpd_start mail
printf 'host 127.0.0.1\nport %s\nfrom burnrate@example.com\ntimeout 5\n' "$port" >msmtprc
chmod 600 msmtprc
notify() { # store budgets
	"$BURNRATE" --store "$1" notify --budgets "$2" --smtp-config msmtprc \
		--as-of 2025-10-10 >out 2>err || fail "notify $1 $2 exited $?: $(cat err)"
}
count() { find mail -name '*.eml' | wc -l; }
# The recipients of every message received, one line each, sorted.
rcpts() {
	"$PYTHON" - mail <<'EOF'
import glob, json, sys
for p in sorted(glob.glob(sys.argv[1] + "/*.json")):
    print(",".join(json.load(open(p))["rcpt_tos"]))
EOF
}

# Team B, then team C on the same store: each alerted once.
notify s teamB.csv
notify s teamC.csv
grep -q '^notify: 1 new alert, 1 message sent' out ||
	fail "team C's budget 'all' was not alerted: $(cat out)"
[ "$(count)" -eq 2 ] || fail "want 2 messages, got $(count)"
notify s teamB.csv
notify s teamC.csv
[ "$(count)" -eq 2 ] || fail "a repeated run sent again: $(count) messages"
[ "$(rcpts | sort | tr '\n' ' ')" = "team-b@example.com team-c@example.com " ] ||
	fail "wrong recipients: $(rcpts)"

# A recipient added to team C's budget gets the alert; team C not again.
printf 'name,scope,period,limit_usd,thresholds,forecast,recipients\nall,agent=予算エージェント,monthly,20,50,no,team-c@example.com;CFO@example.com\n' >teamC2.csv
notify s teamC2.csv
[ "$(count)" -eq 3 ] || fail "the added recipient: want 3 messages, got $(count)"
[ "$(rcpts | tail -n 1)" = "CFO@example.com" ] ||
	fail "the alert went again to those who had it: $(rcpts | tail -n 1)"
notify s teamC2.csv
# Case does not make another recipient.
sed 's/CFO@/cfo@/' teamC2.csv >teamC3.csv
notify s teamC3.csv
[ "$(count)" -eq 3 ] || fail "a repeated run sent again: $(count) messages"

# Another store, its own budget "all" (another scope, limit, recipients):
# its message has a Message-ID of its own. Every Message-ID once.
printf 'name,scope,period,limit_usd,thresholds,forecast,recipients\nall,*,monthly,40,50,no,team-d@example.com\n' >teamD.csv
notify t teamD.csv
notify t teamB.csv
[ "$(count)" -eq 5 ] || fail "want 5 messages, got $(count)"
"$PYTHON" - mail <<'EOF' || fail "Message-IDs not unique (above)"
import collections, email, glob, sys
ids = collections.Counter()
for p in glob.glob(sys.argv[1] + "/*.eml"):
    m = email.message_from_binary_file(open(p, "rb"))
    ids[m["Message-ID"]] += 1
assert len(ids) == 5 and all(n == 1 for n in ids.values()), ids
EOF

# The finance report of a month from two stores: two Message-IDs.
for st in s t; do
	cat >$st.conf <<EOF
store $tmp/$st
input $tmp/logs.jsonl
report_schedule monthly
report_to finance@example.com
smtp_config $tmp/msmtprc
EOF
	"$BURNRATE" --quiet --config $st.conf run --as-of 2025-11-01 >out 2>err ||
		fail "run $st exited $?: $(cat err)"
done
"$PYTHON" - mail <<'EOF' || fail "finance reports: Message-IDs (above)"
import email, glob, sys
ids = [email.message_from_binary_file(open(p, "rb"))["Message-ID"]
       for p in glob.glob(sys.argv[1] + "/*.eml")
       if b"finance@example.com" in open(p, "rb").read()]
assert len(ids) == 2 and ids[0] != ids[1], ids
EOF

# A ledger as the versions before wrote it: keys without scope nor
# recipients, file names the first 32 hex digits of their SHA-256. What
# it holds as sent (or failed) is not sent again; a recipient it does not
# hold gets the alert.
mkdir o/notify
old_entry() { # key recipient [state [rearmed]]
	id=$(printf '%s' "$1" | sha256sum | cut -c1-32)
	printf 'Subject: old\r\n\r\nold\r\n' >o/notify/$id.eml
	printf 'burnrate-ledger 1\nkey %s\nstate %s\nwhen 2025-10-10T06:00:01Z\nfrom burnrate@example.com\nto %s\n' \
		"$1" "${3:-sent}" "$2" >o/notify/$id.state
	[ -z "${4:-}" ] || echo "rearmed 1" >>o/notify/$id.state
}
old_entry 'alert|all|monthly|2025-10-01|actual|50' team-b@example.com
old_entry 'alert|fc|monthly|2025-10-01|actual|50' team-b@example.com failed
old_entry 'alert|fc|monthly|2025-10-01|forecast|100|1' team-b@example.com
old_entry 'alert|fc2|monthly|2025-10-01|forecast|100|1' team-b@example.com sent 1
# fc: $26 of $40 spent, $80 projected: its 50% and forecast were sent.
# fc2: its forecast fell back since (re-armed): a second crossing is due.
cat >old.csv <<'EOF'
name,scope,period,limit_usd,thresholds,forecast,recipients
all,agent=bøt-ünï,monthly,20,50,no,team-b@example.com
fc,agent=bøt-ünï,monthly,40,50,yes,team-b@example.com
fc2,agent=bøt-ünï,monthly,80,75,yes,team-b@example.com
EOF
before=$(count)
notify o old.csv
[ "$(count)" -eq $((before + 1)) ] ||
	fail "old ledger: want only fc2's second crossing, got $(($(count) - before)) messages: $(cat out)"
grep -q '^key alert2|fc2|agent=bøt-ünï|monthly|2025-10-01|forecast|100|2|to=' o/notify/*.state ||
	fail "old ledger: fc2's crossing is not the second: $(grep -h '^key' o/notify/*.state)"
notify o old.csv
[ "$(count)" -eq $((before + 1)) ] || fail "old ledger: a repeated run sent again"
# Team C's "all" on that store: its recipient never had it.
notify o teamC.csv
[ "$(count)" -eq $((before + 2)) ] || fail "old ledger: team C not alerted: $(cat out)"
echo "alert_identity: ok"
