#!/bin/sh
# pending_order.sh - the messages of a night the mail server was down go
# out, when it is back, before the next night's, and each night's in the
# order they were recorded (ALERTS.md, "Every run first looks at what is
# pending"). run re-reads the ledger before it sends, and the ledger was
# sorted by key: the 100% alert of the second night went out first, then
# the first night's 50% and 75%, then the second night's 90%.
. "$(dirname "$0")/common.inc"
cd "$tmp"
trap 'smtpd_stop; rm -rf "$tmp"' EXIT

# $10.00 a day (4M gpt-4o input tokens at $2.50/1M) from 2025-10-01.
"$PYTHON" - <<'PY'
import datetime as dt
with open("logs.jsonl", "w") as f:
    for i in range(21):
        day = dt.date(2025, 10, 1) + dt.timedelta(days=i)
        for k in range(4):
            f.write('{"timestamp":"%sT%02d:00:00Z","provider":"openai","model":"gpt-4o",'
                    '"agent":"bot","request_id":"r%d-%d","usage":{"input_tokens":1000000}}\n'
                    % (day, k, i, k))
PY
# Two budgets, "zz" first: their keys sort the other way round.
cat >budgets.csv <<'CSV'
name,scope,period,limit_usd,thresholds,forecast,recipients
zz,*,monthly,100,50;75;90;100,no,fin@example.com
aa,*,monthly,1000,5;10,no,fin@example.com
CSV
rc() { # port
	printf 'account default\nhost 127.0.0.1\nport %s\nfrom burnrate@example.com\ntimeout 5\n' \
		"$1" >msmtprc
}
printf '%s\n' 'store s' 'input logs.jsonl' 'budgets budgets.csv' \
	'smtp_config msmtprc' >run.conf

# 2025-10-08, $80, the server down: zz 50%, zz 75%, aa 5% pending.
smtpd_start mail
down=$port
smtpd_stop
rc "$down"
must_fail 75 err "$BURNRATE" --config run.conf run --as-of 2025-10-08
[ "$(grep -l '^state pending$' s/notify/*.state | wc -l)" -eq 3 ] ||
	fail "the night the server was down: want 3 pending: $(cat err)"

# 2025-10-10, $100, the server back: zz 90%, zz 100%, aa 10% are new.
smtpd_start mail
rc "$port"
"$BURNRATE" --config run.conf run --as-of 2025-10-10 >out 2>err ||
	fail "run with the server back exited $?: $(cat err)"
got=$(for i in 1 2 3 4 5 6; do
	[ -f "mail/$i.eml" ] || fail "want 6 messages, no mail/$i.eml"
	sed -n 's/^Subject: \[burnrate\] [A-Z]*: budget \([a-z]*\) reached \([0-9]*\)%.*/\1 \2/p' \
		"mail/$i.eml"
done | tr '\n' ',')
order='zz 50,zz 75,aa 5,zz 90,zz 100,aa 10,'
[ "$got" = "$order" ] || fail "the order sent: want $order got $got"

# notify, which keeps the ledger it reads: the same.
smtpd_stop
rm -rf s mail
"$BURNRATE" --quiet --store s ingest logs.jsonl
rc "$down"
must_fail 75 err "$BURNRATE" --config run.conf notify --as-of 2025-10-08
smtpd_start mail
rc "$port"
"$BURNRATE" --config run.conf notify --as-of 2025-10-10 >out 2>err ||
	fail "notify with the server back exited $?: $(cat err)"
got=$(for i in 1 2 3 4 5 6; do
	sed -n 's/^Subject: \[burnrate\] [A-Z]*: budget \([a-z]*\) reached \([0-9]*\)%.*/\1 \2/p' \
		"mail/$i.eml"
done | tr '\n' ',')
[ "$got" = "$order" ] || fail "notify: the order sent: want $order got $got"
echo "pending_order: ok"
