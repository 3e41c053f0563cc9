#!/bin/sh
# smtp_session.sh - what notify makes of an SMTP session that goes wrong
# part way, against a scripted raw-socket server: a message the server
# accepted is marked sent at once, so burnrate killed later in the
# session (waiting for the reply to QUIT, or to the next MAIL FROM)
# sends it no second time; the reply to the end of data is waited for
# 10 minutes, not the account's timeout.
. "$(dirname "$0")/common.inc"
cd "$tmp"

# $10.00 a day for agent "bot" from 2025-10-01: on 10-10 the $100 budget
# reaches 50, 75, 90 and 100% at once, four messages.
"$PYTHON" - <<'EOF'
import datetime as dt
with open("logs.jsonl", "w") as f:
    for i in range(12):
        day = dt.date(2025, 10, 1) + dt.timedelta(days=i)
        for k in range(4):
            f.write('{"timestamp":"%sT%02d:00:00Z","provider":"openai","model":"gpt-4o",'
                    '"agent":"bot","request_id":"r%d-%d","usage":{"input_tokens":1000000}}\n'
                    % (day, k, i, k))
EOF
"$BURNRATE" --quiet --store s0 ingest logs.jsonl || fail "ingest exited $?"
printf '%s\n' 'name,scope,period,limit_usd,thresholds,forecast,recipients' \
	'all,*,monthly,100,50;75;90;100,no,fin@example.com;cto@example.com' \
	>budgets.csv

# The server: RULES (JSON) say where it misbehaves. Every message it
# accepts is a line "accepted MESSAGE-ID" in LOG; "stalling" is written
# when it stops answering.
cat >rawsmtp.py <<'EOF'
import json, os, socket, sys, threading, time
portfile, log, rules = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
out = open(log, "a", buffering=1)

def serve(c):
    f = c.makefile("rb")
    def send(*lines):
        c.sendall(b"".join(l.encode() + b"\r\n" for l in lines))
    def stall():
        out.write("stalling\n")
        time.sleep(600)
    greet = rules.get("greet", "220 raw.example ESMTP")
    send(greet)
    refused = not greet.startswith("2")
    nmsg = 0
    while True:
        line = f.readline()
        if not line:
            return
        u = line.decode(errors="replace").strip().upper()
        if u.startswith("QUIT"):
            if rules.get("stall_quit"):
                stall()
            send("221 bye")
            return
        if refused:
            send("503 5.5.1 Bad sequence of commands")
        elif u.startswith("EHLO") or u.startswith("HELO"):
            send(*rules.get("ehlo", ["250-raw.example", "250 8BITMIME"]))
            refused = not rules.get("ehlo", ["2"])[-1].startswith("2")
        elif u.startswith("MAIL"):
            nmsg += 1
            rcpts = []
            if rules.get("stall_mail") == nmsg:
                stall()
            send("250 ok")
        elif u.startswith("RCPT"):
            addr = u.split("<", 1)[1].split(">", 1)[0].lower()
            r = rules.get("rcpt", {}).get(addr, "250 ok")
            if r.startswith("2"):
                rcpts.append(addr)
            send(r)
        elif u.startswith("DATA"):
            if not rcpts:
                send("554 5.5.1 no valid recipients")
                continue
            send("354 go ahead")
            mid = ""
            while True:
                l = f.readline()
                if not l:
                    return
                if l.lower().startswith(b"message-id:"):
                    mid = l.split(b":", 1)[1].strip().decode()
                if l == b".\r\n":
                    break
            first = nmsg == 1
            if first and rules.get("dot_close"):
                out.write("closing\n")
                c.shutdown(socket.SHUT_RDWR)
                c.close()
                return
            if first and rules.get("dot_delay"):
                time.sleep(rules["dot_delay"])
            send("250 2.0.0 queued")
            out.write("accepted %s to %s\n" % (mid, ",".join(rcpts)))
        elif u.startswith("STARTTLS") and "starttls_then" in rules:
            send("220 go ahead")
            if rules["starttls_then"] == "hang":
                stall()
            c.shutdown(socket.SHUT_RDWR)
            c.close()
            return
        elif u.startswith("RSET") or u.startswith("NOOP"):
            send("250 ok")
        else:
            send("502 5.5.2 not implemented")

s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0))
s.listen(8)
with open(portfile + ".tmp", "w") as p:
    p.write("%d\n" % s.getsockname()[1])
os.rename(portfile + ".tmp", portfile)
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
EOF

raw=
raw_start() { # rules
	rm -f raw.port raw.log
	"$PYTHON" rawsmtp.py raw.port raw.log "$1" 2>raw.err &
	raw=$!
	i=0
	while [ ! -s raw.port ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	[ -s raw.port ] || fail "the raw server did not start: $(cat raw.err)"
	printf 'defaults\nhost 127.0.0.1\nport %s\nfrom burnrate@example.com\n' \
		"$(cat raw.port)" >msmtprc
	printf 'timeout %s\nauth off\n%s\naccount default\n' "${2:-5}" \
		"${3:-}" >>msmtprc
	chmod 600 msmtprc
}
raw_stop() {
	[ -z "$raw" ] || kill "$raw" 2>/dev/null || true
	[ -z "$raw" ] || wait "$raw" 2>/dev/null || true
	raw=
}
bg=
trap 'raw_stop; [ -z "$bg" ] || { kill -9 "$bg"; wait "$bg"; } 2>/dev/null; rm -rf "$tmp"' EXIT
notify() { # store [options...]
	st=$1
	shift
	"$BURNRATE" --store "$st" notify --budgets budgets.csv \
		--smtp-config msmtprc --as-of 2025-10-10 "$@"
}
# wait_log PATTERN COUNT: until raw.log has COUNT lines matching PATTERN.
wait_log() {
	i=0
	while [ "$(grep -c "$1" raw.log 2>/dev/null || true)" -lt "$2" ] &&
		[ $i -lt 200 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ "$(grep -c "$1" raw.log)" -ge "$2" ] ||
		fail "server log: want $2 '$1': $(cat raw.log)"
}
states() { # store state: how many entries are in state
	grep -l "^state $2\$" "$1"/notify/*.state 2>/dev/null | wc -l
}
# kill_after PATTERN COUNT store: runs notify in the background and kills
# it (SIGKILL) once the server has logged COUNT lines matching PATTERN
# and stalls.
kill_after() {
	# burnrate itself, not a subshell running notify, is what is killed.
	"$BURNRATE" --store "$3" notify --budgets budgets.csv \
		--smtp-config msmtprc --as-of 2025-10-10 >bg.out 2>bg.err &
	bg=$!
	wait_log "$1" "$2"
	wait_log stalling 1
	sleep 0.3
	kill -9 "$bg"
	wait "$bg" 2>/dev/null || true
	bg=
	[ ! -s bg.out ] || fail "burnrate ended before it was killed: $(cat bg.out)"
}

# 1. The server accepts all four, then takes 600 s to answer QUIT:
# burnrate killed meanwhile must have marked all four sent, and the next
# run sends none again.
cp -r s0 s1
raw_start '{"stall_quit": true}'
kill_after accepted 4 s1
[ "$(states s1 sent)" -eq 4 ] && [ "$(states s1 pending)" -eq 0 ] ||
	fail "killed waiting for QUIT's reply: want 4 sent, got $(states s1 sent) sent, $(states s1 pending) pending"
raw_stop
raw_start '{}'
notify s1 >out 2>err || fail "the run after the kill exited $?: $(cat err)"
[ "$(grep -c accepted raw.log || true)" -eq 0 ] ||
	fail "accepted messages were sent again: $(cat raw.log)"
raw_stop

# The same for run, whose finance report goes in the same session.
printf '%s\n' 'store r1' 'input logs.jsonl' 'budgets budgets.csv' \
	'report_schedule daily' 'report_to finance@example.com' \
	'smtp_config msmtprc' >run.conf
raw_start '{"stall_quit": true}'
"$BURNRATE" --config run.conf run --as-of 2025-10-10 >bg.out 2>bg.err &
bg=$!
wait_log accepted 5
wait_log stalling 1
sleep 0.3
kill -9 "$bg"
wait "$bg" 2>/dev/null || true
bg=
[ "$(states r1 sent)" -eq 5 ] && grep -q '^key report' $(grep -l '^state sent$' r1/notify/*.state) ||
	fail "run killed waiting for QUIT's reply: want 5 sent, the report among them: $(states r1 sent) sent"
raw_stop
raw_start '{}'
"$BURNRATE" --config run.conf run --as-of 2025-10-10 >out 2>err ||
	fail "the run after the kill exited $?: $(cat err)"
[ "$(grep -c accepted raw.log || true)" -eq 0 ] ||
	fail "run: accepted messages were sent again: $(cat raw.log)"
raw_stop

# 2. The server accepts the first and stalls at the second's MAIL FROM:
# the first is sent, the other three pending, and only they go next time.
cp -r s0 s2
raw_start '{"stall_mail": 2}'
kill_after accepted 1 s2
first=$(sed -n 's/^accepted //p' raw.log)
[ "$(states s2 sent)" -eq 1 ] && [ "$(states s2 pending)" -eq 3 ] ||
	fail "killed at the 2nd MAIL FROM: want 1 sent, 3 pending, got $(states s2 sent), $(states s2 pending)"
raw_stop
raw_start '{}'
notify s2 >out 2>err || fail "the run after the kill exited $?: $(cat err)"
[ "$(grep -c accepted raw.log)" -eq 3 ] ||
	fail "want the 3 pending sent: $(cat raw.log)"
! grep -qF "accepted $first" raw.log || fail "the first message was sent twice: $first"
[ "$(states s2 sent)" -eq 4 ] || fail "want 4 sent, got $(states s2 sent)"
raw_stop

# 3. The reply to the end of data is waited for 10 minutes (RFC 5321
# 4.5.3.2.6), not the account's timeout: a server that answers the first
# dot after 7 s, with timeout 5, has all four sent, the first once.
cp -r s0 s3
raw_start '{"dot_delay": 7}' 5
notify s3 >out 2>err || fail "250 after 7 s with timeout 5: exit $?: $(cat err)"
[ "$(grep -c accepted raw.log)" -eq 4 ] && [ "$(states s3 sent)" -eq 4 ] ||
	fail "250 after 7 s: want 4 accepted and sent: $(cat raw.log; cat err)"
raw_stop
# A server that closes the connection after the dot: kept pending (exit
# 75), and the error says that the end of data had no reply, and that the
# server may have the message - not the 354 it answered to DATA.
cp -r s0 s4
raw_start '{"dot_close": true}'
must_fail 75 err notify s4
grep -q 'closed before the reply to the end of data (the server may have accepted' err ||
	fail "closed after the dot: $(cat err)"
# (The reply, not the digits of a port: 127.0.0.1:35407 matched.)
! grep -q '[^0-9:]354[^0-9]' err ||
	fail "closed after the dot: the 354 to DATA is shown: $(cat err)"
[ "$(states s4 pending)" -eq 4 ] || fail "closed after the dot: want 4 pending"
raw_stop

# 4. A greeting or EHLO refused: the server's reply is in the error, the
# messages stay pending, and the exit status is that of the reply - 75
# for 4xx, 1 for 5xx - every time (it was 75 or 1 at random, the error
# "closed the connection" or "failed: No Error"). After the refusal the
# server answers 503 to everything but QUIT, as greet421.py did.
refused() { # rules status text
	raw_start "$1"
	for k in 1 2 3 4 5; do
		rm -rf s5
		cp -r s0 s5
		must_fail "$2" err notify s5
		grep -qF "$3" err || fail "$1: run $k: want '$3': $(cat err)"
		grep -q '4 messages kept pending' err ||
			fail "$1: run $k: want 4 pending: $(cat err)"
	done
	raw_stop
}
refused '{"greet": "421 4.3.2 too busy, come back later"}' 75 \
	'refused the session in its greeting: 421 4.3.2 too busy, come back later'
refused '{"greet": "554 5.7.1 no mail from you"}' 1 \
	'refused the session in its greeting: 554 5.7.1 no mail from you'
refused '{"ehlo": ["421 4.3.2 shutting down"]}' 75 \
	'refused EHLO: 421 4.3.2 shutting down'
refused '{"ehlo": ["554 5.7.1 go away"]}' 1 'refused EHLO: 554 5.7.1 go away'

# 5. A STARTTLS handshake that the server never answers, or drops: the
# unreachable server of ALERTS.md step 4, exit 75 and pending, as with
# implicit TLS (it was exit 1, "TLS handshake ... failed: unknown error").
starttls='"ehlo": ["250-raw.example", "250-STARTTLS", "250 8BITMIME"]'
for then in hang drop; do
	case $then in
	hang) expect='TLS handshake with 127.0.0.1:[0-9]*: no answer within 2 s' ;;
	drop) expect='TLS handshake with 127.0.0.1:[0-9]* failed: the connection was closed' ;;
	esac
	raw_start "{$starttls, \"starttls_then\": \"$then\"}" 2 \
		"$(printf 'tls on\ntls_starttls on\ntls_certcheck off\n')"
	rm -rf s5
	cp -r s0 s5
	must_fail 75 err notify s5
	grep -q "$expect" err || fail "STARTTLS, then $then: $(cat err)"
	[ "$(states s5 pending)" -eq 4 ] || fail "STARTTLS, then $then: want 4 pending"
	raw_stop
done

# 6. A recipient refused with 550 while the other is accepted: each
# message goes to the accepted one, is marked sent, and the refused one is
# named with the reply (exit 1). It was: no DATA, every message failed,
# and "0 messages sent, 0 pending" said nothing of it.
cp -r s0 s6
raw_start '{"rcpt": {"cto@example.com": "550 5.1.1 <cto@example.com>: no such user"}}'
must_fail 1 err notify s6
[ "$(grep -c 'accepted .* to fin@example.com$' raw.log)" -eq 4 ] ||
	fail "one recipient refused: want 4 messages to the other: $(cat raw.log)"
[ "$(states s6 sent)" -eq 4 ] || fail "one recipient refused: want 4 sent"
[ "$(grep -c 'sent, but the server refused RCPT TO:<cto@example.com>: 550 5.1.1 <cto@example.com>: no such user$' err)" -eq 4 ] ||
	fail "one recipient refused: not named: $(cat err)"
notify s6 >out 2>err || fail "after a refused recipient: exit $?: $(cat err)"
[ "$(grep -c accepted raw.log)" -eq 4 ] || fail "sent again: $(cat raw.log)"
raw_stop
# A recipient refused with 450 (greylisting) while the other is accepted:
# sent to the other (exit 75), and the next run sends each alert to the
# refused one alone, once; it was never sent to it again.
cp -r s0 s8
raw_start '{"rcpt": {"cto@example.com": "450 4.2.0 greylisted, try again later"}}'
must_fail 75 err notify s8
[ "$(grep -c 'accepted .* to fin@example.com$' raw.log)" -eq 4 ] ||
	fail "one recipient deferred: want 4 messages to the other: $(cat raw.log)"
[ "$(grep -c 'sent, but the server refused RCPT TO:<cto@example.com>: 450 4.2.0 greylisted, try again later$' err)" -eq 4 ] ||
	fail "one recipient deferred: not named: $(cat err)"
raw_stop
raw_start '{}'
notify s8 >out 2>err || fail "after a deferred recipient: exit $?: $(cat err)"
[ "$(grep -c 'accepted .* to cto@example.com$' raw.log)" -eq 4 ] &&
	[ "$(grep -c accepted raw.log)" -eq 4 ] ||
	fail "after a deferred recipient: want 4 messages to it alone: $(cat raw.log)"
notify s8 >out 2>err || fail "the run after: exit $?: $(cat err)"
[ "$(grep -c accepted raw.log)" -eq 4 ] || fail "deferred recipient: sent again: $(cat raw.log)"
raw_stop
# Both refused: failed with the reply, and the summary says so.
cp -r s0 s7
raw_start '{"rcpt": {"cto@example.com": "550 5.1.1 no such user", "fin@example.com": "550 5.1.1 no such user"}}'
notify s7 >out 2>err && fail "all recipients refused: exit 0"
[ "$(states s7 failed)" -eq 4 ] || fail "all recipients refused: want 4 failed"
grep -q '0 messages sent, 0 pending, 4 refused by the server (marked failed)$' out ||
	fail "all recipients refused: summary: $(cat out)"
raw_stop

echo "smtp_session: ok"
