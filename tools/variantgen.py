#!/usr/bin/env python3
"""variantgen.py VARIANT N OUT - generic logs as other generators write them
(docs/PERFORMANCE.md, stop 44, helper 201): writes OUT (jsonl or csv) and OUT.expect.json
(totals per day|provider|model|agent|label: requests and token sums,
the first record of each request id counted)."""
import sys, json, random, datetime as dt, csv, io, uuid

variant, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rng = random.Random(7)
MODELS = [("openai", "gpt-4o"), ("openai", "gpt-4o-mini"), ("openai", "o4-mini"),
          ("anthropic", "claude-sonnet-4-5"), ("anthropic", "claude-haiku-4-5"),
          ("google", "gemini-2.5-pro"), ("google", "gemini-2.5-flash"),
          ("mistral", "mistral-large-latest")]
AGENTS = ["support-bot", "code-review", "docs-search", "sales-assistant",
          "nightly-batch", "triage"]
LABELS = ["team-platform", "team-growth", "team-support", ""]
UAGENTS = ["m\u00fcller-agent", "\u00e9quipe-bot", "\u6c49\u5b57-agent",
           "rocket \U0001F680", "caf\u00e9", "plain"]
T0 = dt.datetime(2025, 10, 1, tzinfo=dt.timezone.utc)
days = 30
if variant in ("manygroups",):
    days = 365
    AGENTS = ["agent-%d" % i for i in range(300)]
    LABELS = ["team-%d" % i for i in range(20)]
if variant == "manymodels":
    # many model names (not priced): gpt-4o-2025-xx snapshots style
    MODELS = [(p, "%s-ft-%d" % (m, i)) for i in range(250) for (p, m) in MODELS]
if variant == "unicode":
    AGENTS = UAGENTS
TZS = [dt.timezone(dt.timedelta(hours=h)) for h in (-7, -5, 0, 1, 2, 5, 9)]
TZS.append(dt.timezone(dt.timedelta(hours=5, minutes=30)))

exp = {}
seen = set()
f = open(out, "w", encoding="utf-8", newline="")
csvw = None
kind = "csv" if variant.startswith("csv") else "jsonl"
if kind == "csv":
    cols = ["request_id", "user_id", "timestamp", "model", "provider", "agent",
            "label", "status", "latency_ms", "input_tokens", "output_tokens",
            "cache_read_tokens", "cache_write_tokens", "reasoning_tokens",
            "cost_usd", "note"]
    quoting = csv.QUOTE_ALL if variant == "csvquoted" else csv.QUOTE_MINIMAL
    csvw = csv.writer(f, quoting=quoting, lineterminator="\n")
    csvw.writerow(cols)
buf = []
ndup = 0
for i in range(n):
    prov, model = MODELS[rng.randrange(len(MODELS))]
    agent = AGENTS[rng.randrange(len(AGENTS))]
    label = LABELS[rng.randrange(len(LABELS))]
    secs = rng.randrange(days * 86400)
    t = T0 + dt.timedelta(seconds=secs, microseconds=rng.randrange(1000000))
    inp = rng.randrange(50, 12000)
    outp = rng.randrange(10, 2500)
    cr = rng.randrange(0, 4000) if rng.random() < 0.4 else 0
    cw = rng.randrange(0, 2000) if rng.random() < 0.2 else 0
    rs = rng.randrange(0, outp) if model.startswith("o4") else 0
    cost = round(rng.random() * 0.3, 6)
    rid = "req-%d" % i
    if variant == "uuid":
        rid = str(uuid.UUID(int=rng.getrandbits(128)))
    if variant == "dups" and i > 10 and rng.random() < 0.5:
        rid = "req-%d" % rng.randrange(i)
    # timestamp text and the UTC day
    day = t.strftime("%Y-%m-%d")
    if variant == "offset":
        tz = TZS[rng.randrange(len(TZS))]
        ts = t.astimezone(tz).isoformat()  # 2025-10-01T14:00:00.123456+02:00
    elif variant == "epoch":
        ts = round(t.timestamp(), 3)
    elif variant == "epochms":
        ts = int(t.timestamp() * 1000)
    elif variant == "space":
        ts = t.strftime("%Y-%m-%d %H:%M:%S")
        day = t.strftime("%Y-%m-%d")
    elif variant in ("isoz", "dumps", "extras", "shuffled"):
        ts = t.isoformat().replace("+00:00", "Z")  # .ffffff Z
    else:
        ts = t.strftime("%Y-%m-%dT%H:%M:%SZ")
    if variant == "offset":
        pass
    key = (day, prov, model, agent, label)
    if rid not in seen:
        seen.add(rid)
        e = exp.setdefault("|".join(key), [0, 0, 0, 0, 0, 0])
        e[0] += 1; e[1] += inp; e[2] += outp; e[3] += cr; e[4] += cw; e[5] += rs
    else:
        # a duplicate: identical content to keep totals unambiguous? no: the
        # first counts, whatever this one holds.
        ndup += 1
    if kind == "csv":
        csvw.writerow([rid, "user-%d" % rng.randrange(100000), ts, model, prov,
                       agent, label, 200, "%.3f" % (rng.random() * 5000), inp,
                       outp, cr, cw, rs, cost,
                       "a note, with comma" if rng.random() < 0.3 else ""])
        continue
    usage = {"input_tokens": inp, "output_tokens": outp,
             "cache_read_tokens": cr, "cache_write_tokens": cw,
             "reasoning_tokens": rs}
    if variant == "flat":
        rec = {"timestamp": ts, "provider": prov, "model": model, "agent": agent,
               "label": label, "request_id": rid, "status": 200, **usage,
               "cost_usd": cost}
    else:
        rec = {"request_id": rid, "timestamp": ts, "model": model,
               "provider": prov, "agent": agent, "label": label,
               "status": 200, "usage": usage, "cost_usd": cost}
    if variant in ("extras",):
        rec = {"id": rid, "request_id": rid, "user": "user-%d" % rng.randrange(100000),
               "timestamp": ts, "model": model, "provider": prov,
               "messages": [{"role": "system", "content": "You are a helpful assistant. " * 3},
                            {"role": "user", "content": "Summarise ticket #%d: \"the export fails\" \u2014 see log." % i}],
               "agent": agent, "label": label, "status": 200,
               "latency_ms": round(rng.random() * 5000, 3),
               "usage": usage, "cost_usd": cost,
               "metadata": {"session": "s-%d" % rng.randrange(10**6), "tags": ["a", "b"],
                            "temperature": 0.7, "stream": False, "region": "eu-west-1"}}
    if variant == "optional":
        if label == "": del rec["label"]
        if rng.random() < 0.5: del rec["cost_usd"]
        if rng.random() < 0.3: del rec["status"]
        if rng.random() < 0.05: rec["error"] = {"type": "rate_limit", "message": "slow down"}
        if rng.random() < 0.2: rec["user"] = "u-%d" % rng.randrange(1000)
    if variant == "shuffled":
        items = list(rec.items())
        rng.shuffle(items)
        rec = dict(items)
        u = list(usage.items()); rng.shuffle(u); rec["usage"] = dict(u)
    if variant in ("compact",):
        line = json.dumps(rec, separators=(",", ":"))
    else:
        line = json.dumps(rec)  # ", " and ": ", ensure_ascii
    buf.append(line)
    if len(buf) >= 10000:
        f.write("\n".join(buf) + "\n"); buf = []
if buf:
    f.write("\n".join(buf) + "\n")
f.close()
json.dump(exp, open(out + ".expect.json", "w"))
print(variant, n, "groups", len(exp), "dups", ndup, file=sys.stderr)
