#!/bin/sh
# prom.sh - report --format prom (README "Prometheus"): the file parses
# under a strict reading of the text exposition format (HELP and TYPE
# before the samples of each family, families not repeated, every sample's
# family declared, no duplicate series, label escapes that round-trip,
# valid UTF-8); its numbers equal the JSON report's (cost, tokens, requests
# by provider, model and agent for the month to date, projection, budgets);
# an agent named with a quote, a backslash and a newline, and names with
# invalid UTF-8, are escaped; the output is stable and replaced atomically;
# segments left out by --skip-corrupt are counted.
. "$(dirname "$0")/common.inc"
cd "$tmp"
cp "$root/samples/budgets.csv" budgets.csv
gen --seed 41 --records 3000 --format jsonl --start 2025-09-15 --days 60 --out a.jsonl
cat >weird.jsonl <<'JSONL'
{"timestamp":"2025-10-05T10:00:00Z","provider":"openai","model":"gpt-4o","agent":"we\"ird\\agent\nx","usage":{"input_tokens":1000,"output_tokens":100}}
{"timestamp":"2025-10-06T10:00:00Z","provider":"openai","model":"gpt-4o","agent":"we\"ird\\agent\nx","status":500,"usage":{"input_tokens":10,"output_tokens":0}}
{"timestamp":"2025-10-07T10:00:00Z","provider":"anthropic","model":"claude-sonnet-4-5","agent":"m\u00fcller \ud83d\ude80","usage":{"input_tokens":5,"output_tokens":7,"cache_read_tokens":11,"cache_write_tokens":13}}
JSONL
printf 'timestamp,provider,model,agent,input_tokens,output_tokens\n' >bad.csv
printf '2025-10-08T00:00:00Z,openai,gpt-4o,bad\377name,10,10\n' >>bad.csv
printf '2025-10-08T00:00:00Z,openai,gpt-4o,bad\376name,20,20\n' >>bad.csv
"$BURNRATE" --quiet --store st ingest a.jsonl weird.jsonl bad.csv 2>/dev/null

mkdir out
prom() { # AS_OF
	"$BURNRATE" --store st report --format prom --output out/burnrate.prom \
		--budgets budgets.csv --as-of "$1" || fail "report --format prom exited $?"
}
prom 2025-10-20
inode=$(stat -c %i out/burnrate.prom)
cp out/burnrate.prom first.prom
"$BURNRATE" --store st report --by provider,model,agent --since 2025-10-01 \
	--as-of 2025-10-20 --budgets budgets.csv --format json >mtd.json
"$BURNRATE" --store st report --by day --since 2025-10-01 --as-of 2025-10-20 \
	--format json >days.json
# Again: the same bytes, in a new file renamed over the old one.
prom 2025-10-20
cmp -s first.prom out/burnrate.prom || fail "the output is not stable"
[ "$(stat -c %i out/burnrate.prom)" != "$inode" ] || fail "the file was rewritten in place"
[ "$(ls -A out)" = burnrate.prom ] || fail "files left beside the output: $(ls -A out)"
"$BURNRATE" --store st report --format prom --budgets budgets.csv --as-of 2025-10-20 \
	>stdout.prom || fail "prom to stdout exited $?"
cmp -s first.prom stdout.prom || fail "--output and stdout differ"

cat >check.py <<'PY'
"""Strict reader of the Prometheus text exposition format, and the checks
of prom.sh against the JSON report."""
import datetime
import json
import re
import sys
from decimal import Decimal

NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
LABEL = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
TYPES = {"counter", "gauge", "histogram", "summary", "untyped"}


def die(msg):
    sys.exit("prom: " + msg)


def parse_labels(s, i, line):
    """Parses {name="value",...} from s[i] == '{'; returns (dict, end)."""
    labels = {}
    i += 1
    while True:
        m = LABEL.match(s, i)
        if not m:
            die("bad label name in: " + line)
        name = m.group()
        i = m.end()
        if s[i:i + 2] != '="':
            die("expected =\" after %s in: %s" % (name, line))
        i += 2
        value = []
        while True:
            if i >= len(s):
                die("unterminated label value in: " + line)
            c = s[i]
            if c == "\\":
                esc = s[i + 1:i + 2]
                if esc not in ("\\", '"', "n"):
                    die("invalid escape \\%s in: %s" % (esc, line))
                value.append("\n" if esc == "n" else esc)
                i += 2
            elif c == '"':
                i += 1
                break
            else:
                value.append(c)
                i += 1
        if name in labels:
            die("label %s repeated in: %s" % (name, line))
        labels[name] = "".join(value)
        if s[i] == "}":
            return labels, i + 1
        if s[i] != ",":
            die("expected , or } in: " + line)
        i += 1


def parse(text):
    """Returns {family: {"help", "type", "samples": [(labels, raw)]}}."""
    if not text.endswith("\n") or "\r" in text:
        die("the file must end with a newline and hold no CR")
    families, order, done = {}, [], set()
    current = None
    seen = set()
    for line in text[:-1].split("\n"):
        if line.startswith("#"):
            m = re.fullmatch(r"# (HELP|TYPE) (\S+) (.*)", line)
            if not m or not NAME.fullmatch(m.group(2)):
                die("bad comment line: " + line)
            kind, name, rest = m.groups()
            if name in done:
                die("family %s repeated" % name)
            if current and current != name:
                done.add(current)
            current = name
            f = families.setdefault(name, {"help": None, "type": None,
                                           "samples": []})
            if name not in order:
                order.append(name)
            if f["samples"]:
                die("%s after the samples of %s" % (kind, name))
            key = kind.lower()
            if f[key] is not None:
                die("%s of %s given twice" % (kind, name))
            if kind == "TYPE" and rest not in TYPES:
                die("unknown type " + rest)
            if kind == "HELP" and re.search(r"\\[^\\n]", rest):
                die("bad escape in HELP: " + line)
            f[key] = rest
            continue
        m = NAME.match(line)
        if not m:
            die("bad sample line: " + repr(line))
        name, i = m.group(), m.end()
        labels = {}
        if line[i:i + 1] == "{":
            labels, i = parse_labels(line, i, line)
        if line[i:i + 1] != " ":
            die("expected a space before the value: " + line)
        raw = line[i + 1:]
        if " " in raw:
            die("unexpected timestamp or text after the value: " + line)
        try:
            v = float(raw)
        except ValueError:
            die("bad value in: " + line)
        if v != v or v in (float("inf"), float("-inf")):
            die("not a finite value: " + line)
        if name != current or name not in families:
            die("sample of an undeclared or finished family: " + line)
        f = families[name]
        if f["help"] is None or f["type"] is None:
            die("HELP and TYPE must come before the samples of " + name)
        key = (name, tuple(sorted(labels.items())))
        if key in seen:
            die("duplicate series: " + line)
        seen.add(key)
        f["samples"].append((labels, raw))
    return families


def main():
    text = open(sys.argv[1], "rb").read().decode("utf-8")  # strict UTF-8
    fam = parse(text)
    mtd = json.load(open(sys.argv[2]), parse_float=Decimal)
    days = json.load(open(sys.argv[3]))

    def one(name, labels=None):
        s = [raw for l, raw in fam[name]["samples"]
             if labels is None or l == labels]
        if len(s) != 1:
            die("%s%s: %d samples" % (name, labels or "", len(s)))
        return Decimal(s[0])

    for name, f in fam.items():
        if f["type"] != "gauge":
            die(name + " is not a gauge")
    # By provider, model and agent, summed as JSON decodes the keys.
    want = {}
    cols = ["cost_usd", "requests", "errors", "unpriced_requests",
            "input_tokens", "output_tokens", "cache_read_tokens",
            "cache_write_tokens", "reasoning_tokens"]
    for r in mtd["rows"]:
        k = (r["provider"], r["model"], r["agent"])
        w = want.setdefault(k, dict.fromkeys(cols, Decimal(0)))
        for c in cols:
            w[c] += Decimal(r[c])
    metric = {"cost_usd": ("burnrate_cost_usd", None),
              "requests": ("burnrate_requests", None),
              "errors": ("burnrate_errors", None),
              "unpriced_requests": ("burnrate_unpriced_requests", None),
              "input_tokens": ("burnrate_tokens", "input"),
              "output_tokens": ("burnrate_tokens", "output"),
              "cache_read_tokens": ("burnrate_tokens", "cache_read"),
              "cache_write_tokens": ("burnrate_tokens", "cache_write"),
              "reasoning_tokens": ("burnrate_tokens", "reasoning")}
    for c, (name, kind) in metric.items():
        n = 5 if name == "burnrate_tokens" else 1
        if len(fam[name]["samples"]) != n * len(want):
            die("%s has %d samples for %d groups" %
                (name, len(fam[name]["samples"]), len(want)))
        for (p, m, a), w in want.items():
            labels = {"provider": p, "model": m, "agent": a}
            if kind:
                labels["kind"] = kind
            if one(name, labels) != w[c]:
                die("%s%s = %s, JSON says %s" %
                    (name, labels, one(name, labels), w[c]))
    total = Decimal(mtd["totals"]["cost_usd"])
    proj = mtd["projection"]
    if one("burnrate_month_to_date_cost_usd") != total or \
            total != Decimal(proj["month_to_date_usd"]):
        die("month to date differs from the JSON totals")
    rows = sum(Decimal(raw) for _, raw in fam["burnrate_cost_usd"]["samples"])
    if abs(rows - total) > Decimal("0.0000005") * len(mtd["rows"]):
        die("the costs by agent (%s) do not add up to %s" % (rows, total))
    for name, key in (("burnrate_month_projected_cost_usd", "projected_usd"),
                      ("burnrate_month_projected_cost_low_usd", "low_usd"),
                      ("burnrate_month_projected_cost_high_usd", "high_usd")):
        if one(name) != Decimal(proj[key]):
            die("%s differs from projection.%s" % (name, key))
    if len(mtd["budgets"]) != len(fam["burnrate_budget_limit_usd"]["samples"]):
        die("not one series per budget")
    for b in mtd["budgets"]:
        labels = {"budget": b["name"], "period": b["period"]}
        for name, key in (("burnrate_budget_limit_usd", "limit_usd"),
                          ("burnrate_budget_spent_usd", "spent_usd"),
                          ("burnrate_budget_projected_usd", "projected_usd")):
            if one(name, labels) != Decimal(b[key]):
                die("%s%s differs from the JSON" % (name, labels))
        ratio = one("burnrate_budget_utilization_ratio", labels)
        if abs(ratio - Decimal(b["spent_usd"]) / Decimal(b["limit_usd"])) > Decimal("0.000001"):
            die("utilization ratio of %s" % b["name"])
    if one("burnrate_skipped_corrupt_segments") != 0:
        die("skipped segments without --skip-corrupt")
    info = fam["burnrate_report_info"]["samples"]
    if info != [({"as_of": "2025-10-20", "month": "2025-10",
                  "timezone": "UTC", "version": info[0][0]["version"]}, "1")]:
        die("burnrate_report_info: %s" % info)
    last = days["rows"][-1]["day"]
    epoch = (datetime.date.fromisoformat(last) - datetime.date(1970, 1, 1)).days * 86400
    if one("burnrate_last_data_timestamp_seconds") != epoch:
        die("last data day is not %s" % last)
    # Escaping: the raw text, and the names read back.
    if 'agent="we\\"ird\\\\agent\\nx"' not in text:
        die("the agent with a quote, backslash and newline is not escaped")
    weird = {"provider": "openai", "model": "gpt-4o", "agent": 'we"ird\\agent\nx'}
    if one("burnrate_requests", weird) != 2 or one("burnrate_errors", weird) != 1:
        die("the escaped agent does not read back")
    if one("burnrate_requests", {"provider": "anthropic", "model": "claude-sonnet-4-5",
                                 "agent": "m\u00fcller \U0001F680"}) != 1:
        die("a UTF-8 agent name does not read back")
    bad = {"provider": "openai", "model": "gpt-4o", "agent": "bad\ufffdname"}
    if one("burnrate_requests", bad) != 2:
        die("names with invalid UTF-8 are not one series")
    print("prom: %d families, %d series checked" %
          (len(fam), sum(len(f["samples"]) for f in fam.values())))


main()
PY
"$PYTHON" check.py out/burnrate.prom mtd.json days.json || fail "the prom file is wrong"

# A month without data: families without samples still parse.
prom 2026-03-01
"$PYTHON" -c '
import sys
sys.argv = ["", sys.argv[1]]
exec(open("check.py").read().replace("\nmain()\n", "\n"))
fam = parse(open(sys.argv[1], encoding="utf-8").read())
assert not fam["burnrate_cost_usd"]["samples"], "samples in an empty month"
assert not fam["burnrate_last_data_timestamp_seconds"]["samples"]
assert fam["burnrate_month_to_date_cost_usd"]["samples"][0][1] == "0.000000"
' out/burnrate.prom || fail "an empty month is wrong"

# --skip-corrupt: the segments left out are counted.
cp -r st st2
seg=$(ls st2/segments/seg-* | head -n 1)
printf 'X' | dd of="$seg" bs=1 seek=200 conv=notrunc 2>/dev/null
must_fail 1 err.txt "$BURNRATE" --store st2 report --format prom --as-of 2025-10-20
"$BURNRATE" --store st2 report --format prom --as-of 2025-10-20 --skip-corrupt \
	2>/dev/null | grep -qx 'burnrate_skipped_corrupt_segments 1' ||
	fail "--skip-corrupt: the skipped segment is not counted"

must_fail 2 err.txt "$BURNRATE" --store st report --format prom --by day
grep -q 'takes no --by' err.txt || fail "--by with prom: $(cat err.txt)"
echo "prom: all checks passed"
