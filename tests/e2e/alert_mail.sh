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
