#!/usr/bin/env python3
"""pricelogs.py - deterministic generic JSONL logs that exercise pricing:
every model with dated versions on both sides of each change, long-context
totals at and around each threshold, service tiers the model has and lacks,
cache writes (5 minutes and 1 hour), reasoning tokens, provider spellings
(Gemini, bedrock_converse, OpenAI, ...), aliases of every rule (for a
"regex" one, a name it matches), unknown names, and some records with a
logged cost.

Usage: pricelogs.py --seed N --records N [--catalog DIR] [--out FILE]
The same arguments always give the same bytes.
"""
import argparse
import csv
import datetime as dt
import json
import os
import random
import re
import sys

SPELLINGS = {"google": ["gemini", "Google"], "bedrock": ["bedrock_converse", "aws"],
             "vertex_ai": ["vertex_ai-anthropic_models", "vertex"],
             "openai": ["OpenAI"], "together": ["together_ai"],
             "fireworks": ["fireworks_ai"], "mistral": ["mistralai"]}
AGENTS = ["support-bot", "batch-etl", "coder", "researcher"]


def pattern_name(pattern, rnd):
    """A name an alias of rule "regex" matches (its POSIX ERE: literals,
    \\., [0-9], {n}, anchors), random digits, and a random tail when the
    pattern is open at the end."""
    out = []
    for atom, n in re.findall(r"(\[0-9\]|\\.|[^^$])(?:\{(\d+)\})?", pattern):
        for _ in range(int(n or 1)):
            out.append(str(rnd.randrange(10)) if atom == "[0-9]" else atom[-1])
    if not pattern.endswith("$"):
        out.append(rnd.choice(["", "01", "-exp"]))
    return "".join(out)


def load(dirname):
    models = {}
    with open(os.path.join(dirname, "catalog.csv"), newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            models.setdefault((r["provider"], r["model"]), []).append(r)
    with open(os.path.join(dirname, "aliases.csv"), newline="", encoding="utf-8") as f:
        aliases = list(csv.DictReader(f))
    return models, aliases


def main(argv):
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--records", type=int, required=True)
    ap.add_argument("--catalog", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "data"))
    ap.add_argument("--out", default="-")
    a = ap.parse_args(argv)
    rnd = random.Random(a.seed)
    models, aliases = load(a.catalog)
    keys = sorted(models)
    dated = [k for k in keys if any(r["from"] for r in models[k])]
    longctx = [k for k in keys if any(r["min_input_tokens"] for r in models[k])]
    tiered = [k for k in keys if any(r["tier"] != "standard" for r in models[k])]
    out = sys.stdout if a.out == "-" else open(a.out, "w", encoding="utf-8")
    base = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)
    for i in range(a.records):
        pick = rnd.random()
        pool = dated if pick < 0.2 else longctx if pick < 0.45 else \
            tiered if pick < 0.6 else keys
        prov, model = rnd.choice(pool)
        rows = models[(prov, model)]
        # The day: around a version change, else anywhere in 2025-2027.
        froms = sorted({r["from"] for r in rows if r["from"]})
        if froms and rnd.random() < 0.7:
            d = dt.date.fromisoformat(rnd.choice(froms)) + \
                dt.timedelta(days=rnd.choice([-1, 0, 0, 1]))
            ts = dt.datetime(d.year, d.month, d.day, tzinfo=dt.timezone.utc) + \
                dt.timedelta(seconds=rnd.choice([0, 1, 43200, 86399]))
        else:
            ts = base + dt.timedelta(seconds=rnd.randrange(0, 790 * 86400))
        # The name: as the catalog spells it, another spelling of the
        # provider, an alias, or an unknown name.
        name = rnd.random()
        if name < 0.15 and prov in SPELLINGS:
            prov = rnd.choice(SPELLINGS[prov])
        elif name < 0.4:
            al = rnd.choice(aliases)
            prov = al["alias_provider"] or rnd.choice(["openai", "litellm", "proxy"])
            model = al["alias_model"]
            if al["rule"] == "regex":
                model = pattern_name(model, rnd)
        elif name < 0.45:
            model = model + "-unreleased"
        elif name < 0.48:
            prov = "nobody"
        # The tier: mostly standard, else any (also one the model lacks).
        tiers = sorted({r["tier"] for r in rows})
        tier = "standard" if rnd.random() < 0.6 else rnd.choice(
            tiers + ["batch", "flex", "priority"])
        # Total input: at or next to a long-context threshold, or small.
        thresholds = sorted({int(r["min_input_tokens"]) for r in rows
                             if r["min_input_tokens"]})
        if thresholds and rnd.random() < 0.6:
            total = rnd.choice(thresholds) + rnd.choice([-2, -1, 0, 1, 5000])
        else:
            total = rnd.choice([0, 1, rnd.randrange(1, 5000),
                                rnd.randrange(1, 150000)])
        cache_read = rnd.randrange(0, total + 1) if rnd.random() < 0.4 else 0
        left = total - cache_read
        cw = rnd.randrange(0, left + 1) if rnd.random() < 0.3 else 0
        left -= cw
        cw1h = rnd.randrange(0, left + 1) if rnd.random() < 0.2 else 0
        left -= cw1h
        output = rnd.randrange(0, 20000)
        reasoning = rnd.randrange(0, output + 1) if rnd.random() < 0.3 else 0
        rec = {"timestamp": ts.strftime("%Y-%m-%dT%H:%M:%SZ"),
               "provider": prov, "model": model,
               "agent": rnd.choice(AGENTS), "request_id": "p%d-%d" % (a.seed, i),
               "service_tier": tier,
               "usage": {"input_tokens": left, "output_tokens": output,
                         "cache_read_tokens": cache_read,
                         "cache_write_tokens": cw,
                         "cache_write_1h_tokens": cw1h,
                         "reasoning_tokens": reasoning}}
        if rnd.random() < 0.05:
            rec["cost_usd"] = round(rnd.random(), 6)
        out.write(json.dumps(rec, separators=(",", ":")) + "\n")
    if out is not sys.stdout:
        out.close()


if __name__ == "__main__":
    main(sys.argv[1:])
