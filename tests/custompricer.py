#!/usr/bin/env python3
"""custompricer.py - an independent pricer of generic logs under a prices
CSV, written from DESIGN 2 and 7, README "Prices" and docs/PRICES.md
"Price" alone (no code shared with burnrate or tests/oracle.py), for
tests/e2e/custom_prices.sh.

  custompricer.py gen --seed N --records N --out FILE(.jsonl|.csv)
      generic logs of the models of prices file custom_prices.sh writes:
      every token class, the four service tiers (and none), total inputs
      at and beside thresholds, reasoning above output, timestamps with
      offsets and without a zone, logged costs (0, up to 12 decimals).
  custompricer.py expect --prices F [--cost-mode M] LOG...
      {"DAY|PROVIDER|MODEL": {"pico", "micro", "unpriced", "requests"}}
  custompricer.py compare --expected E --report R
      the JSON report R (--by day,provider,model) against E, each cost
      as its text; exit 1 naming every row that differs.

It prices only the models the prices file lists (the catalog is not read):
a model it does not list is unpriced, so the logs must name only those,
or models no catalog prices.
"""
import argparse
import csv
import datetime as dt
import json
import random
import sys
from collections import defaultdict
from decimal import Decimal

# Provider spellings merged (docs/PRICES.md), of those the tests use.
SAME = {"gemini": "google"}


def canonical(provider):
    p = provider.lower()
    return SAME.get(p, p)


def rate(text):
    """USD per 1M tokens -> pico-dollars per token; None when empty."""
    text = text.strip()
    if text == "":
        return None
    v = Decimal(text) * 10**6
    assert v == v.to_integral_value() and v >= 0, text
    return int(v)


def load_prices(path):
    rows = defaultdict(list)
    with open(path, newline="", encoding="utf-8-sig") as f:
        for r in csv.DictReader(f):
            rows[(canonical(r["provider"]), r["model"])].append({
                "from": r["from"].strip(),
                "tier": (r.get("tier") or "").strip().lower() or "standard",
                "min": int((r.get("min_input_tokens") or "").strip() or 0),
                "input": rate(r["input"]), "output": rate(r["output"]),
                "cache_read": rate(r["cache_read"]),
                "cache_write": rate(r["cache_write"]),
                "cache_write_1h": rate(r.get("cache_write_1h") or ""),
                "reasoning": rate(r.get("reasoning") or "")})
    return rows


def price_row(prices, provider, model, tier, day, total_input):
    """The tier's version in force on day (the latest from on or before
    it, empty: always), and in it the row of the highest min_input_tokens
    not above total_input; None: unpriced."""
    rows = prices.get((provider, model)) or prices.get(("", model))
    if not rows:
        return None
    rows = [r for r in rows if r["tier"] == tier]
    versions = [r["from"] for r in rows if r["from"] <= day]
    if not versions:
        return None
    version = max(versions)
    rows = [r for r in rows if r["from"] == version and r["min"] <= total_input]
    return max(rows, key=lambda r: r["min"]) if rows else None


def cost(row, t):
    """Pico-dollars: each class at its own rate; reasoning is part of the
    output (capped at it), at the output rate unless stated; cache read and
    5-minute write at the input rate unless stated, 1-hour write at the
    5-minute one."""
    inp, out, cr, cw, cw1h, rs = t
    rs = min(rs, out)
    cw_rate = row["cache_write"] if row["cache_write"] is not None else row["input"]
    return (inp * row["input"] + (out - rs) * row["output"] +
            rs * (row["reasoning"] if row["reasoning"] is not None else row["output"]) +
            cr * (row["cache_read"] if row["cache_read"] is not None else row["input"]) +
            cw * cw_rate +
            cw1h * (row["cache_write_1h"] if row["cache_write_1h"] is not None else cw_rate))


COUNTS = ("input_tokens", "output_tokens", "cache_read_tokens",
          "cache_write_tokens", "cache_write_1h_tokens", "reasoning_tokens")


def records(paths):
    for path in paths:
        with open(path, newline="", encoding="utf-8") as f:
            if path.endswith(".csv"):
                for r in csv.DictReader(f):
                    yield (r["timestamp"], r["provider"], r["model"],
                           r["service_tier"] or "standard",
                           tuple(int(r[k] or 0) for k in COUNTS),
                           r["cost_usd"] or None)
                continue
            for line in f:
                if line.strip():
                    d = json.loads(line, parse_float=str, parse_int=str)
                    u = d.get("usage", {})
                    yield (d["timestamp"], d["provider"], d["model"],
                           d.get("service_tier") or "standard",
                           tuple(int(u.get(k, "0")) for k in COUNTS),
                           d.get("cost_usd"))


def utc_day(ts):
    t = dt.datetime.fromisoformat(ts.replace("Z", "+00:00"))
    if t.tzinfo is None:  # "YYYY-MM-DD HH:MM:SS[.f]" is UTC
        t = t.replace(tzinfo=dt.timezone.utc)
    return t.astimezone(dt.timezone.utc).date().isoformat()


def micro(pico):
    """Rounded once, to 6 decimals, half away from zero (costs are >= 0)."""
    q, r = divmod(pico, 10**6)
    q += r >= 500000
    return "%d.%06d" % divmod(q, 10**6)


def expect(a):
    prices = load_prices(a.prices)
    out = defaultdict(lambda: {"pico": 0, "unpriced": 0, "requests": 0})
    for ts, provider, model, tier, t, logged in records(a.logs):
        day = utc_day(ts)
        has_tokens = any(t[:5])
        row = price_row(prices, canonical(provider), model, tier.lower(), day,
                        t[0] + t[2] + t[3] + t[4])
        calc = 0 if not has_tokens else None if row is None else cost(row, t)
        if logged is not None:
            logged = int((Decimal(logged) * 10**12).to_integral_value())
            if logged == 0 and has_tokens:
                logged = None  # a logged $0 for tokens is no price
        # display: the logged cost; without one, a request without
        # tokens costs nothing (FORMATS.md), one with tokens is unpriced
        shown = logged if logged is not None or has_tokens else 0
        c = {"calculate": calc, "display": shown}.get(
            a.cost_mode, logged if logged is not None else calc)
        o = out["%s|%s|%s" % (day, provider, model)]
        o["requests"] += 1
        if c is None:
            o["unpriced"] += 1
        else:
            o["pico"] += c
    for o in out.values():
        o["micro"] = micro(o["pico"])
    json.dump(out, sys.stdout, sort_keys=True, indent=0)


def compare(a):
    want = json.load(open(a.expected))
    rep = json.loads(open(a.report).read(), parse_float=str)
    got = {"%s|%s|%s" % (r["day"], r["provider"], r["model"]): r
           for r in rep["rows"]}
    bad = []
    for k in sorted(set(want) | set(got)):
        w, g = want.get(k), got.get(k)
        if not w or not g or (g["cost_usd"], g["unpriced_requests"], g["requests"]) != (
                w["micro"], w["unpriced"], w["requests"]):
            bad.append("%s: want %s, got %s" % (
                k, w and (w["micro"], w["unpriced"], w["requests"]),
                g and (g["cost_usd"], g["unpriced_requests"], g["requests"])))
    total = micro(sum(w["pico"] for w in want.values()))
    if rep["totals"]["cost_usd"] != total:
        bad.append("totals: want %s, got %s" % (total, rep["totals"]["cost_usd"]))
    print("\n".join(bad[:20]) or "%d rows agree" % len(want))
    sys.exit(1 if bad else 0)


MODELS = [("acme", "hist", 20), ("acme", "tiers", 25), ("acme", "anyp", 5),
          ("other", "anyp", 5), ("ACME", "hist", 2), ("acme", "future", 6),
          ("acme", "tiny", 6), ("openai", "gpt-4o", 8), ("gemini", "gem", 4),
          ("acme", "nope", 3)]
TIERS = ["standard"] * 6 + ["batch"] * 2 + ["flex", "priority", "priority",
                                            "Priority", ""]


def gen(a):
    rnd = random.Random(a.seed)
    pop = [(p, m) for p, m, w in MODELS for _ in range(w)]

    def tok():
        x = rnd.random()
        if x < 0.1:
            return 0
        if x < 0.6:
            return rnd.randint(1, 5000)
        if x < 0.9:
            return rnd.randint(1, 300000)
        return rnd.choice([31999, 32000, 32001, 127999, 128000, 128001,
                           199999, 200000, 200001])
    recs = []
    for i in range(a.records):
        provider, model = rnd.choice(pop)
        day, hour, f = rnd.randint(1, 31), rnd.randint(0, 23), rnd.random()
        if f < 0.7:
            ts = "2025-10-%02dT%02d:%02d:%02dZ" % (day, hour, rnd.randint(0, 59),
                                                 rnd.randint(0, 59))
        elif f < 0.85:
            ts = "2025-10-%02dT%02d:30:00+05:00" % (day, hour)
        else:
            ts = "2025-10-%02d %02d:15:00.5" % (day, hour)
        inp, out = tok(), tok() // 10
        cr = tok() if rnd.random() < 0.5 else 0
        cw = tok() // 3 if rnd.random() < 0.3 else 0
        cw1h = tok() // 3 if rnd.random() < 0.2 else 0
        if rnd.random() < 0.15:  # a total input at or beside a threshold
            total = rnd.choice([32001, 128001, 200001]) + rnd.choice([-1, 0, 1])
            inp = total - cr - cw - cw1h
            if inp < 0:
                inp, cr, cw, cw1h = total, 0, 0, 0
        rs = rnd.randint(0, out) if rnd.random() < 0.3 else 0
        if rnd.random() < 0.02:
            rs = out + rnd.randint(1, 100)
        r = {"timestamp": ts, "provider": provider, "model": model,
             "agent": "a%d" % rnd.randint(1, 3),
             "request_id": "r%d-%d" % (a.seed, i),
             "status": rnd.choice([200] * 20 + [500]),
             "usage": dict(zip(COUNTS, (inp, out, cr, cw, cw1h, rs)))}
        tier = rnd.choice(TIERS)
        if tier:
            r["service_tier"] = tier
        c = rnd.random()
        if c < 0.1:
            r["cost_usd"] = 0
        elif c < 0.25:
            r["cost_usd"] = float("%.*f" % (rnd.randint(1, 12), rnd.random() * 3))
        recs.append(r)
    with open(a.out, "w", newline="") as f:
        if a.out.endswith(".csv"):
            cols = ["timestamp", "provider", "model", "agent", "request_id",
                    "status", "service_tier"] + list(COUNTS) + ["cost_usd"]
            w = csv.writer(f)
            w.writerow(cols)
            for r in recs:
                row = dict(r, **r["usage"])
                row["cost_usd"] = repr(r["cost_usd"]) if "cost_usd" in r else ""
                w.writerow([row.get(k, "") for k in cols])
        else:
            for r in recs:
                f.write(json.dumps(r) + "\n")


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("gen")
    g.add_argument("--seed", type=int, required=True)
    g.add_argument("--records", type=int, required=True)
    g.add_argument("--out", required=True)
    e = sub.add_parser("expect")
    e.add_argument("--prices", required=True)
    e.add_argument("--cost-mode", default="auto",
                   choices=["auto", "calculate", "display"])
    e.add_argument("logs", nargs="+")
    c = sub.add_parser("compare")
    c.add_argument("--expected", required=True)
    c.add_argument("--report", required=True)
    a = ap.parse_args()
    {"gen": gen, "expect": expect, "compare": compare}[a.cmd](a)
