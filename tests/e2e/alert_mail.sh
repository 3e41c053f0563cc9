#!/bin/sh
# alert_mail.sh - what an alert's mail says of its budget, read back
# from the message (--dry-run) as a mail client decodes it: a limit that
# is not a whole number of cents is shown as the budgets file and every
# report give it ($7.499998 read "$7.50" in the Subject, the text and
# the HTML, above the $7.499997 it said was spent and 99.9% of it), and
# a limit of whole cents keeps its two decimals.
. "$(dirname "$0")/common.inc"
cd "$tmp"

# 2,999,999 gpt-4o input tokens at $2.50/1M: $7.4999975 on 2025-02-10.
printf '{"timestamp":"2025-02-10T12:00:00Z","provider":"openai","model":"gpt-4o","agent":"e","request_id":"r1","usage":{"input_tokens":2999999}}\n' >l.jsonl
"$BURNRATE" --quiet --store s ingest l.jsonl || fail "ingest exited $?"
cat >b.csv <<'EOF2'
name,scope,period,limit_usd,thresholds,forecast,recipients
odd,agent=e,daily,7.499998,90,no,fin@example.com
even,agent=e,daily,8,90,no,fin@example.com
EOF2
mkdir dry
"$BURNRATE" --store s notify --budgets b.csv --as-of 2025-02-10 --dry-run dry \
	>out 2>err || fail "notify --dry-run exited $?: $(cat err)"
"$PYTHON" - dry/*.eml <<'EOF2' || fail "the mails (above)"
import email, email.policy, re, sys
seen = set()
for path in sys.argv[1:]:
    m = email.message_from_bytes(open(path, "rb").read(), policy=email.policy.default)
    subject = str(m["Subject"])
    text = m.get_body(("plain",)).get_content().replace("\r", "")
    html = re.sub(r"<[^>]+>", " ", m.get_body(("html",)).get_content())
    name = "odd" if "budget odd " in subject else "even"
    want = "$7.499998" if name == "odd" else "$8.00"
    seen.add(name)
    assert subject.endswith("reached 90% of " + want), subject
    assert re.search(r"^Limit +%s$" % re.escape(want), text, re.M), text
    assert re.search(r"Limit\s+%s\s" % re.escape(want), html), html
    assert name == "even" or "$7.50" not in text + html + subject, text
assert seen == {"odd", "even"}, seen
EOF2

"$PYTHON" - <<'EOF2'
import datetime as dt
with open("a.jsonl", "w") as f:
    for i in range(15):
        day = dt.date(2025, 3, 1) + dt.timedelta(days=i)
        f.write('{"timestamp":"%sT12:00:00Z","provider":"openai","model":"gpt-4o",'
                '"request_id":"a%d","usage":{"input_tokens":%d}}\n'
                % (day, i, 120000 if i == 14 else 40000))
EOF2
"$BURNRATE" --quiet --store a ingest a.jsonl || fail "ingest exited $?"
for limit in 20 20.000001; do
	printf 'name,scope,period,limit_usd,thresholds,forecast,recipients\nm,*,monthly,%s,,no,x@example.com\n' \
		"$limit" >a.csv
	rm -rf dry-a
	mkdir dry-a
	"$BURNRATE" --store a notify --budgets a.csv --as-of 2025-03-15 --dry-run dry-a \
		>out 2>err || fail "notify --dry-run exited $?: $(cat err)"
	n=$(grep -l '^Subject: .*unusual spend in budget m on 2025-03-15: \$0\.30' dry-a/*.eml 2>/dev/null | wc -l)
	want=1
	[ "$limit" = 20 ] || want=0
	[ "$n" -eq "$want" ] || fail "a limit of \$$limit: $n anomaly alerts of \$0.30 after days of \$0.10, want $want"
done

printf '%s\n' \
	'{"timestamp":"2025-02-10T12:00:00Z","provider":"openai","model":"gpt-4o","request_id":"u1","usage":{"input_tokens":4000000}}' \
	'{"timestamp":"2025-02-10T13:00:00Z","provider":"acme","model":"rocket-1","request_id":"u2","usage":{"input_tokens":10}}' \
	'{"timestamp":"2025-02-10T14:00:00Z","provider":"acme","model":"rocket-1","request_id":"u3","usage":{"input_tokens":10}}' \
	'{"timestamp":"2025-02-09T14:00:00Z","provider":"acme","model":"rocket-1","request_id":"u4","usage":{"input_tokens":10}}' >u.jsonl
"$BURNRATE" --quiet --store u ingest u.jsonl 2>/dev/null || fail "ingest exited $?"
cat >u.csv <<'EOF2'
name,scope,period,limit_usd,thresholds,forecast,recipients
all,*,daily,10,100,no,x@example.com
gpt,model=gpt-4o,daily,10,100,no,x@example.com
EOF2
mkdir dry-u
"$BURNRATE" --store u notify --budgets u.csv --as-of 2025-02-10 --dry-run dry-u \
	>out 2>err || fail "notify --dry-run exited $?: $(cat err)"
"$PYTHON" - dry-u/*.eml <<'EOF2' || fail "the unpriced requests in alerts (above)"
import email, email.policy, re, sys
seen = set()
line = "Unpriced    2 requests of this period without a price, not in the spend above"
for path in sys.argv[1:]:
    m = email.message_from_bytes(open(path, "rb").read(), policy=email.policy.default)
    text = m.get_body(("plain",)).get_content().replace("\r", "")
    html = " ".join(re.sub(r"<[^>]+>", " ", m.get_body(("html",)).get_content()).split())
    name = "all" if "budget all " in str(m["Subject"]) else "gpt"
    seen.add(name)
    if name == "all":
        assert "as of 2025-02-10)\n" + line + "\n" in text, text
        assert " ".join(line.split()) in html, html
    else:
        assert "Unpriced" not in text + html, text
assert seen == {"all", "gpt"}, seen
EOF2

# The finance report of February 2025: one priced request ($10.00), two
# of a model without a price.
printf '%s\n' \
	'{"timestamp":"2025-02-03T12:00:00Z","provider":"openai","model":"gpt-4o","request_id":"f1","usage":{"input_tokens":4000000}}' \
	'{"timestamp":"2025-02-04T12:00:00Z","provider":"acme","model":"rocket-1","request_id":"f2","usage":{"input_tokens":10}}' \
	'{"timestamp":"2025-02-05T12:00:00Z","provider":"acme","model":"rocket-1","request_id":"f3","usage":{"input_tokens":10}}' >f.jsonl
trap 'smtpd_stop; rm -rf "$tmp"' EXIT
smtpd_start mail
printf 'defaults\nhost 127.0.0.1\nport %s\nfrom burnrate@example.com\ntimeout 5\naccount default\n' "$port" >msmtprc
chmod 600 msmtprc
cat >burnrate.conf <<EOF2
store f
input f.jsonl
report_schedule monthly
report_to finance@example.com
smtp_config msmtprc
EOF2
"$BURNRATE" --quiet --config burnrate.conf run --as-of 2025-03-01 >out 2>err ||
	fail "run exited $?: $(cat err)"
"$PYTHON" - mail/*.eml <<'EOF2' || fail "the finance report (above)"
import email, email.policy, re, sys
assert len(sys.argv) == 2, sys.argv
m = email.message_from_bytes(open(sys.argv[1], "rb").read(), policy=email.policy.default)
text = m.get_body(("plain",)).get_content().replace("\r", "")
html = " ".join(re.sub(r"<[^>]+>", " ", m.get_body(("html",)).get_content()).split())
assert "Total       $10.000000 over 3 requests\n" in text, text
line = "Unpriced    2 requests without a price, not in the total: acme/rocket-1 (2)"
assert line + "\n" in text, text
assert " ".join(line.split()) in html, html
EOF2
