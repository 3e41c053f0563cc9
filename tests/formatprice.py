#!/usr/bin/env python3
"""formatprice.py - black-box differential of request pricing across log
formats: the same request (tokens of every class, long-context totals one
below, at and one above each threshold, reasoning, service tiers, days
around each dated price change) written as a generic record and as each
vendor log that can carry it (OpenAI Chat Completions and Responses,
Anthropic Messages, Gemini generateContent, Bedrock invocation logs,
LiteLLM spend logs), ingested, must cost what the pricing sources state,
to the micro-dollar (docs/ARCHITECTURE.md: half away from zero).

The price is computed here from the source files alone (not from data/):
  * genai-prices models named by their own id (their match rule matches
    it): their dated versions by UTC day, tiers billed on the whole
    request when the total input (uncached + cache read + both cache
    writes) is above `start`; token classes the model states no rate for
    are left out of its requests (LiteLLM may fill them, docs/PRICES.md);
  * LiteLLM keys no genai-prices rule of their provider covers, unique
    under their provider, on a day after any change the changelog saw:
    `*_above_Nk_tokens` rates above N*1000 total input, service tiers from
    `*_batches`, `*_flex`, `*_priority` (a tier's own thresholds; an
    unstated tier rate falls back to the standard one; a tier with no
    threshold of its own bills above a standard one at its base rates x
    the standard ratio, docs/PRICES.md's derived rates), DashScope-style
    `tiered_pricing` (range start exclusive), `input_cost_per_token_cache_hit`
    as the cache read rate.
Unstated rates: cache read and 5-minute write at the input rate, 1-hour
write at the 5-minute rate (a Claude key's at 2x input where its 5-minute
write is Anthropic's 1.2-1.25x, docs/PRICES.md), reasoning at the output
rate (part of output).

Vendor conventions come from shared/formats/README.md: OpenAI's prompt
tokens include cached ones and completion tokens include reasoning;
Anthropic's input excludes cache reads and writes; Gemini's output is
candidates + thoughts; LiteLLM's prompt_tokens include cache reads and
writes.

Usage: formatprice.py --burnrate BIN --sources DIR --work DIR
                      [--seed N] [--genai N] [--litellm N] [--prices FILE]
Exits 1 listing each disagreement (at most 40, then a count).
"""
import argparse
import calendar
import datetime as dt
import json
import os
import random
import re
import subprocess
import sys
import time
from decimal import Decimal as D, ROUND_HALF_UP

GENAI_PROVIDERS = {"x-ai": "xai", "moonshotai": "moonshot", "voyageai": "voyage",
                   "aws": "bedrock"}
LITELLM_PROVIDERS = {"text-completion-openai": "openai", "gemini": "google", "palm": "google",
                     "bedrock_converse": "bedrock", "bedrock_mantle": "bedrock",
                     "azure_text": "azure", "codestral": "mistral",
                     "text-completion-codestral": "mistral", "together_ai": "together",
                     "fireworks_ai": "fireworks", "fireworks_ai-embedding-models": "fireworks",
                     "cohere_chat": "cohere", "text-completion-inception": "inception"}
TIERS = (("standard", ""), ("batch", "_batches"), ("flex", "_flex"), ("priority", "_priority"))
CLASSES = ("input", "output", "cache_read", "cache_write", "cache_write_1h", "reasoning")
FALLBACK = {"cache_read": "input", "cache_write": "input", "cache_write_1h": "cache_write",
            "reasoning": "output"}


def litellm_provider(p):
    return "vertex_ai" if p.startswith("vertex_ai") else LITELLM_PROVIDERS.get(p, p)


def matches(rule, name):
    if "or" in rule:
        return any(matches(r, name) for r in rule["or"])
    if "and" in rule:
        return all(matches(r, name) for r in rule["and"])
    if "equals" in rule:
        return name == rule["equals"]
    if "starts_with" in rule:
        return name.startswith(rule["starts_with"])
    if "ends_with" in rule:
        return name.endswith(rule["ends_with"])
    if "contains" in rule:
        return rule["contains"] in name
    if "regex" in rule:
        return re.search(rule["regex"], name) is not None
    raise ValueError(rule)


def per_million(x):
    """A LiteLLM per-token float as USD per 1M tokens, exact to 6 decimals."""
    return (D(repr(x)) * 10**6).quantize(D("0.000001"))


def load(sources):
    genai = json.load(open(os.path.join(sources, "genai_prices_data.json")))
    litellm = json.load(open(os.path.join(sources, "litellm_model_prices.json")))
    changed = set()
    with open(os.path.join(sources, "litellm_price_changelog.tsv")) as f:
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if len(cols) == 7 and cols[4] not in ("field", "ADDED", "REMOVED"):
                changed.add(cols[2])
    return genai, litellm, changed


def genai_models(genai):
    """(provider, id, [(start_date, prices)]) of models named by their id,
    and each provider's match rules."""
    models, rules = [], {}
    for p in genai:
        for m in p["models"]:
            prov = GENAI_PROVIDERS.get(p["id"], p["id"])
            if p["id"] == "google" and "claude" in m["id"]:
                prov = "vertex_ai"  # genai-prices' Google lists Vertex's Claude
            rules.setdefault(prov, []).append(m["match"])
            vers = m["prices"] if isinstance(m["prices"], list) else [{"prices": m["prices"]}]
            if any("start_time" in v.get("constraint", {}) for v in vers):
                continue  # time-of-day prices: not represented
            if m["id"].startswith("regional."):
                continue  # a bucket, not a name (docs/PRICES.md)
            if not matches(m["match"], m["id"]):
                continue
            if not all("input_mtok" in v["prices"] and "output_mtok" in v["prices"] for v in vers):
                continue
            models.append((prov, m["id"],
                           [(v.get("constraint", {}).get("start_date", ""), v["prices"]) for v in vers]))
    return models, rules


def genai_rates(versions, day, total):
    version = None
    for start, prices in versions:
        if start <= day and (version is None or start >= version[0]):
            version = (start, prices)
    if version is None:
        return None
    prices = version[1]

    def rate(key):
        v = prices.get(key)
        if isinstance(v, dict):
            r = v["base"]
            for t in v["tiers"]:
                if total > t["start"]:
                    r = t["price"]
            return D(str(r))
        return None if v is None else D(str(v))
    return {"input": rate("input_mtok"), "output": rate("output_mtok"),
            "cache_read": rate("cache_read_mtok"), "cache_write": rate("cache_write_mtok"),
            "cache_write_1h": rate("cache_write_1h_mtok"),
            "reasoning": rate("output_reasoning_mtok")}


def effective(r, c):
    """The rate class c bills at in rates r, following the fallbacks."""
    while r[c] is None and c in FALLBACK:
        c = FALLBACK[c]
    return r[c]


def litellm_rates(v, tier, total, key=""):
    """The rates of LiteLLM record v (named key) for a request of total
    input tokens in tier, with docs/PRICES.md's two derived rules: a
    Claude rate set whose 5-minute write is Anthropic's (1.2x to 1.25x
    input) bills an unstated 1-hour write at 2x input, and a tier that
    states no long-context rate of its own, above a standard threshold,
    bills each class at its base rate x the standard long / base ratio."""
    r = litellm_tier_rates(v, tier, total)
    if r is None:
        return None
    sfx = dict(TIERS)[tier]
    if tier != "standard" and "tiered_pricing" not in v and not any(
            re.fullmatch(r".*_above_\d+k_tokens" + sfx, k) for k in v):
        std = litellm_tier_rates(v, "standard", total)
        std0 = litellm_tier_rates(v, "standard", 0)
        if std != std0:
            r = {c: None if r[c] is None and std0[c] is None and std[c] is None
                 else effective(r, c) * effective(std, c) / effective(std0, c)
                 for c in CLASSES}
    if "claude" in key.lower() and r["cache_write_1h"] is None and \
            r["cache_write"] is not None and \
            D("1.2") * r["input"] <= r["cache_write"] <= D("1.25") * r["input"]:
        r = dict(r, cache_write_1h=2 * r["input"])
    return r


def litellm_tier_rates(v, tier, total):
    """LiteLLM's own rates: a tier's thresholds only, an unstated tier
    rate at the standard one."""
    suffix = dict(TIERS)[tier]
    if "tiered_pricing" in v:
        if tier != "standard":
            return None
        band = None
        for t in sorted(v["tiered_pricing"], key=lambda t: t["range"][0]):
            if band is None or total > t["range"][0]:
                band = t
        def f(key, fallback):
            x = band.get(key, band.get(fallback))
            return per_million(x)
        return {"input": f("input_cost_per_token", None), "output": f("output_cost_per_token", None),
                "cache_read": f("cache_read_input_token_cost", "input_cost_per_token"),
                "cache_write": f("cache_creation_input_token_cost", "input_cost_per_token"),
                "cache_write_1h": None,
                "reasoning": f("output_cost_per_reasoning_token", "output_cost_per_token")}
    if tier != "standard" and "input_cost_per_token" + suffix not in v:
        return None
    above = None
    for key in v:
        m = re.fullmatch(r".*_above_(\d+)k_tokens" + suffix, key)
        if m and total > int(m.group(1)) * 1000 and (above is None or int(m.group(1)) > above):
            above = int(m.group(1))

    def f(base):
        keys = []
        if above:
            keys.append("%s_above_%dk_tokens%s" % (base, above, suffix))
        keys.append(base + suffix)
        if above:
            keys.append("%s_above_%dk_tokens" % (base, above))
        keys.append(base)
        for k in keys:
            if v.get(k) is not None:
                return per_million(v[k])
        return None
    cache_read = f("cache_read_input_token_cost")
    if cache_read is None and v.get("input_cost_per_token_cache_hit") is not None:
        cache_read = per_million(v["input_cost_per_token_cache_hit"])
    one_hour = v.get("cache_creation_input_token_cost_above_1hr")
    reasoning = v.get("output_cost_per_reasoning_token" + suffix) if suffix \
        else None
    if reasoning is None:
        reasoning = v.get("output_cost_per_reasoning_token")
        if suffix and reasoning is not None and \
                reasoning == v.get("output_cost_per_token"):
            reasoning = None  # billed as output: the tier's output rate
    return {"input": f("input_cost_per_token"), "output": f("output_cost_per_token"),
            "cache_read": cache_read, "cache_write": f("cache_creation_input_token_cost"),
            "cache_write_1h": None if one_hour is None else per_million(one_hour),
            "reasoning": None if reasoning is None else per_million(reasoning)}


def cost(r, t):
    """Exact USD of tokens t at rates r (USD per 1M tokens)."""
    cache_write = r["cache_write"] if r["cache_write"] is not None else r["input"]
    rates = {"input": r["input"], "output": r["output"],
             "cache_read": r["cache_read"] if r["cache_read"] is not None else r["input"],
             "cache_write": cache_write,
             "cache_write_1h": r["cache_write_1h"] if r["cache_write_1h"] is not None else cache_write,
             "reasoning": r["reasoning"] if r["reasoning"] is not None else r["output"]}
    units = dict(t)
    units["output"] = t["output"] - t["reasoning"]
    return sum(units[c] * rates[c] for c in CLASSES) / 10**6


def tokens(**kw):
    t = dict.fromkeys(CLASSES, 0)
    t.update(kw)
    return t


def shapes(thresholds, classes):
    """Requests of the token classes a model states rates for: small ones,
    each class alone, and totals around each long-context threshold."""
    out = [tokens(input=1234, output=567), tokens(input=1),
           tokens(input=99983, output=77777, reasoning=33333)]
    if "cache_read" in classes:
        out.append(tokens(input=5000, cache_read=23457, output=100))
    if "cache_write" in classes:
        out.append(tokens(input=7, cache_write=31415, output=9))
        if "cache_write_1h" in classes:
            out.append(tokens(input=7, cache_write=1000, cache_write_1h=27183, output=9))
    for threshold in thresholds:
        for total in (threshold - 1, threshold, threshold + 1):
            if "cache_read" in classes:
                cached = min(100000, total // 2)
                out.append(tokens(input=total - cached, cache_read=cached, output=1111, reasoning=11))
            else:
                out.append(tokens(input=total, output=1111))
            if "cache_write" in classes:
                out.append(tokens(input=total - 3000, cache_write=2000,
                                  cache_write_1h=1000 if "cache_write_1h" in classes else 0,
                                  output=5))
    return out


def total_input(t):
    return t["input"] + t["cache_read"] + t["cache_write"] + t["cache_write_1h"]


def requests(sources, seed, n_genai, n_litellm):
    genai, litellm, changed = load(sources)
    models, rules = genai_models(genai)
    rnd = random.Random(seed)
    out = []
    for prov, mid, versions in rnd.sample(models, min(n_genai, len(models))):
        classes = {"input", "output"}
        for c, key in (("cache_read", "cache_read_mtok"), ("cache_write", "cache_write_mtok"),
                       ("cache_write_1h", "cache_write_1h_mtok")):
            if all(key in v[1] for v in versions):
                classes.add(c)
        thresholds = sorted({t["start"] for v in versions for x in v[1].values()
                             if isinstance(x, dict) for t in x["tiers"]})
        days = {"2026-08-15"}
        for start, _ in versions:
            if start:
                d = dt.date.fromisoformat(start)
                days.update(str(d + dt.timedelta(days=k)) for k in (-1, 0, 1))
        for day in sorted(days):
            for t in shapes(thresholds, classes):
                if not thresholds and total_input(t) > 128000:
                    continue  # LiteLLM may give it long-context rows
                r = genai_rates(versions, day, total_input(t))
                if r is not None:
                    out.append((prov, mid, day, "standard", t, cost(r, t)))
    names = {}
    for key, v in litellm.items():
        if not isinstance(v, dict) or v.get("mode") not in ("chat", "completion", "responses"):
            continue
        if "tiered_pricing" not in v:
            i, o = v.get("input_cost_per_token"), v.get("output_cost_per_token")
            if not isinstance(i, (int, float)) or not isinstance(o, (int, float)) or not (i or o):
                continue
            if max(i, o) * 1e6 > 1000:
                continue  # unit errors, skipped (docs/PRICES.md)
        prov = litellm_provider(v["litellm_provider"])
        bare = key.split("/", 1)[1] if key.startswith(v["litellm_provider"] + "/") else key
        if prov == "bedrock" and "/" in bare:
            continue  # region-scoped keys
        if any(matches(r, bare) or matches(r, key) for r in rules.get(prov, [])):
            continue
        names.setdefault((prov, bare), []).append(key)
    keys = sorted(ks[0] for ks in names.values() if len(ks) == 1)
    for key in rnd.sample(keys, min(n_litellm, len(keys))):
        v = litellm[key]
        prov = litellm_provider(v["litellm_provider"])
        thresholds = sorted({int(m.group(1)) * 1000 for k in v
                             for m in [re.match(r".*_above_(\d+)k_tokens", k)] if m} |
                            {int(t["range"][0]) for t in v.get("tiered_pricing", []) if t["range"][0]})
        day = "2026-07-25" if key in changed else rnd.choice(["2025-03-01", "2026-01-01", "2026-07-25"])
        for tier, suffix in TIERS:
            if tier != "standard" and "input_cost_per_token" + suffix not in v:
                continue
            for t in shapes(thresholds, set(CLASSES)):
                r = litellm_rates(v, tier, total_input(t), key)
                out.append((prov, key, day, tier, t, cost(r, t)))
    return out


def epoch(day):
    return calendar.timegm(time.strptime(day + " 12", "%Y-%m-%d %H"))


def render(reqs, work):
    """Writes each request as a generic record and as every vendor log that
    can carry it; returns {agent: (request, format)}."""
    files = {f: open(os.path.join(work, f + ".jsonl"), "w")
             for f in ("generic", "openai", "responses", "anthropic", "gemini", "bedrock", "litellm")}
    want = {}
    for i, (prov, model, day, tier, t, usd) in enumerate(reqs):
        ts = day + "T12:00:00Z"
        n_in = total_input(t)
        caches = t["cache_write"] + t["cache_write_1h"]

        def put(fmt, record, agent):
            files[fmt].write(json.dumps(record) + "\n")
            want[agent] = (reqs[i], fmt)
        a = "g%05d" % i
        put("generic", {"timestamp": ts, "provider": prov, "model": model, "agent": a,
                        "request_id": a, "service_tier": tier,
                        "usage": {c + "_tokens": t[c] for c in CLASSES}}, a)
        if prov == "openai" and not caches:
            a = "o%05d" % i
            put("openai", {"logged_at": ts, "agent": a, "http_status": 200, "response": {
                "id": "chatcmpl-" + a, "object": "chat.completion", "created": epoch(day),
                "model": model, "service_tier": "default" if tier == "standard" else tier,
                "usage": {"prompt_tokens": n_in, "completion_tokens": t["output"],
                          "total_tokens": n_in + t["output"],
                          "prompt_tokens_details": {"cached_tokens": t["cache_read"]},
                          "completion_tokens_details": {"reasoning_tokens": t["reasoning"]}}}}, a)
            a = "r%05d" % i
            put("responses", {"logged_at": ts, "agent": a, "http_status": 200, "response": {
                "id": "resp_" + a, "object": "response", "created_at": epoch(day),
                "status": "completed", "model": model,
                "service_tier": "default" if tier == "standard" else tier,
                "usage": {"input_tokens": n_in, "output_tokens": t["output"],
                          "total_tokens": n_in + t["output"],
                          "input_tokens_details": {"cached_tokens": t["cache_read"]},
                          "output_tokens_details": {"reasoning_tokens": t["reasoning"]}}}}, a)
        if (prov == "anthropic" or (prov == "bedrock" and "anthropic." in model)
                or (prov == "vertex_ai" and "claude" in model and "@" in model)):
            a = "a%05d" % i
            put("anthropic", {"logged_at": ts, "agent": a, "http_status": 200, "request_id": a,
                              "response": {"id": "msg_" + a, "type": "message", "role": "assistant",
                                           "model": model, "usage": {
                                               "input_tokens": t["input"],
                                               "cache_read_input_tokens": t["cache_read"],
                                               "cache_creation_input_tokens": caches,
                                               "cache_creation": {
                                                   "ephemeral_5m_input_tokens": t["cache_write"],
                                                   "ephemeral_1h_input_tokens": t["cache_write_1h"]},
                                               "output_tokens": t["output"],
                                               "service_tier": tier}}}, a)
        if prov in ("google", "vertex_ai") and "gemini" in model and not caches and tier == "standard":
            a = "m%05d" % i
            put("gemini", {"logged_at": ts, "agent": a, "http_status": 200,
                           "api": "vertex" if prov == "vertex_ai" else "gemini",
                           "response": {"modelVersion": model, "responseId": "resp-" + a,
                                        "usageMetadata": {
                                            "promptTokenCount": t["input"] + t["cache_read"],
                                            "cachedContentTokenCount": t["cache_read"],
                                            "candidatesTokenCount": t["output"] - t["reasoning"],
                                            "thoughtsTokenCount": t["reasoning"]}}}, a)
        if prov == "bedrock" and not t["cache_write_1h"] and tier == "standard":
            a = "b%05d" % i
            put("bedrock", {"schemaType": "ModelInvocationLog", "schemaVersion": "1.0",
                            "timestamp": ts, "requestId": a, "operation": "Converse",
                            "modelId": model, "requestMetadata": {"agent": a},
                            "input": {"inputTokenCount": t["input"],
                                      "cacheReadInputTokenCount": t["cache_read"],
                                      "cacheWriteInputTokenCount": t["cache_write"]},
                            "output": {"outputTokenCount": t["output"]}}, a)
        if tier == "standard":
            a = "l%05d" % i
            put("litellm", {"request_id": a, "call_type": "acompletion", "spend": 0,
                            "prompt_tokens": n_in, "completion_tokens": t["output"],
                            "total_tokens": n_in + t["output"],
                            "startTime": day + " 12:00:00.000", "model": model,
                            "custom_llm_provider": prov, "cache_hit": False, "status": "success",
                            "metadata": {"status": "success", "spend_logs_metadata": {"agent": a},
                                         "usage_object": {
                                             "prompt_tokens": n_in,
                                             "completion_tokens": t["output"],
                                             "cache_read_input_tokens": t["cache_read"],
                                             "cache_creation_input_tokens": caches,
                                             "prompt_tokens_details": {
                                                 "cached_tokens": t["cache_read"],
                                                 "cache_creation_token_details": {
                                                     "ephemeral_5m_input_tokens": t["cache_write"],
                                                     "ephemeral_1h_input_tokens": t["cache_write_1h"]}},
                                             "completion_tokens_details": {
                                                 "reasoning_tokens": t["reasoning"]}}}}, a)
    for f in files.values():
        f.close()
    return want, sorted(files)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--burnrate", required=True)
    ap.add_argument("--sources", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--seed", type=int, default=196)
    ap.add_argument("--genai", type=int, default=1 << 30, help="models sampled (default all)")
    ap.add_argument("--litellm", type=int, default=1 << 30, help="keys sampled (default all)")
    ap.add_argument("--prices", help="a prices file given to ingest (a control: it must disagree)")
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    reqs = requests(args.sources, args.seed, args.genai, args.litellm)
    want, fmts = render(reqs, args.work)
    store = os.path.join(args.work, "store")
    br = [args.burnrate, "--store", store, "--quiet"]
    subprocess.run(br + ["init"], check=True, stdout=subprocess.DEVNULL)
    for fmt in fmts:
        p = subprocess.run(br + ["ingest", "--format", fmt if fmt != "responses" else "openai"] +
                           (["--prices", args.prices] if args.prices else []) +
                           [os.path.join(args.work, fmt + ".jsonl")],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if p.returncode:
            sys.exit("ingest of %s.jsonl: exit %d: %s" % (fmt, p.returncode, p.stderr))
    p = subprocess.run(br + ["report", "--since", "2024-01-01", "--until", "2027-12-31",
                             "--as-of", "2027-12-31", "--by", "agent", "--format", "json"],
                       stdout=subprocess.PIPE, check=True, text=True)
    rows = {r["agent"]: r for r in json.loads(p.stdout)["rows"]}
    bad = []
    for agent, ((prov, model, day, tier, t, usd), fmt) in sorted(want.items()):
        row = rows.get(agent)
        exact = usd.quantize(D("0.000001"), ROUND_HALF_UP)
        got = None if row is None else ("unpriced" if row["unpriced_requests"]
                                         else D(str(row["cost_usd"])))
        if got != exact:
            bad.append("%s %s/%s %s %s %s: want %s (exact %s), burnrate %s" %
                       (fmt, prov, model, day, tier,
                        ",".join("%s=%d" % (c, t[c]) for c in CLASSES if t[c]), exact, usd, got))
    for line in bad[:40]:
        print(line)
    if len(bad) > 40:
        print("... and %d more" % (len(bad) - 40))
    print("%d requests in %d formats, %d disagree" % (len(want), len(fmts), len(bad)))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
