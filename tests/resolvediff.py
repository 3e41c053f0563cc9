#!/usr/bin/env python3
"""resolvediff.py - black-box differential of model id resolution: for
every model of each pricing source and each shape real logs name it by
(the bare id, LiteLLM's "<route>/<id>" with its custom_llm_provider,
OpenRouter's "org/model", Bedrock ids with geo prefixes and "-v1:0"
suffixes as the sources spell them and as model ARNs, Vertex "@date" and
dated snapshot ids, genai-prices' spellings and regex-named snapshots), the
price burnrate applies must be the one the source states, computed here
from the source files alone (not from data/): input, output, cache read,
5-minute and 1-hour cache write and reasoning rates, each long-context
tier and each dated version, one request per rate.

The source whose price applies is docs/PRICES.md's: genai-prices for the
name it prices itself (its id, or its first "equals" name) and for every
name covered by a model with dated prices; LiteLLM for the names it has
(a collision's loser, a second key of one model priced otherwise, at its
own rates under its own key); genai-prices for the other names its rules
spell out. A rate the applying source does not state may be billed at its
fallback (docs/PRICES.md) or at the rate the other source states for the
name (the catalog fills it from there); a Claude model's unstated 1-hour
cache write, where its 5-minute one is Anthropic's, at Anthropic's 2x input
(docs/PRICES.md, rates derived from the vendors' rules).

Usage: resolvediff.py --burnrate BIN --sources DIR --work DIR
Exits 1 listing each disagreement (at most 40, then a count).
"""
import argparse
import json
import os
import re
import subprocess
import sys
from datetime import date, timedelta
from decimal import Decimal

SNAPSHOT = "2026-07-24"
CLASSES = ("input", "output", "cache_read", "cache_write", "cache_write_1h",
           "reasoning")
LITELLM = {"input": "input_cost_per_token", "output": "output_cost_per_token",
           "cache_read": "cache_read_input_token_cost",
           "cache_write": "cache_creation_input_token_cost",
           "cache_write_1h": "cache_creation_input_token_cost_above_1hr",
           "reasoning": "output_cost_per_reasoning_token"}
GENAI = {"input": "input_mtok", "output": "output_mtok",
         "cache_read": "cache_read_mtok", "cache_write": "cache_write_mtok",
         "cache_write_1h": "cache_write_1h_mtok",
         "reasoning": "output_reasoning_mtok"}
FALLBACK = {"cache_read": "input", "cache_write": "input",
            "cache_write_1h": "cache_write", "reasoning": "output"}
# The provider each source's provider id is (docs/PRICES.md, Providers).
GENAI_PROVIDER = {"aws": "bedrock", "x-ai": "xai", "moonshotai": "moonshot",
                  "voyageai": "voyage"}
LITELLM_PROVIDER = {"gemini": "google", "palm": "google",
                    "bedrock_converse": "bedrock", "bedrock_mantle": "bedrock",
                    "azure_text": "azure", "text-completion-openai": "openai",
                    "together_ai": "together", "fireworks_ai": "fireworks",
                    "cohere_chat": "cohere", "codestral": "mistral",
                    "text-completion-codestral": "mistral",
                    "text-completion-inception": "inception",
                    "fireworks_ai-embedding-models": "fireworks"}
# How a LiteLLM log names a provider's model: custom_llm_provider and the
# routes of its "model" column (formats/README.md §5, LiteLLM's docs).
ROUTES = {"openai": ("openai", ["openai/"]),
          "anthropic": ("anthropic", ["anthropic/"]),
          "bedrock": ("bedrock", ["bedrock/", "bedrock/invoke/"]),
          "google": ("gemini", ["gemini/"]),
          "vertex_ai": ("vertex_ai", ["vertex_ai/"]),
          "azure": ("azure", ["azure/"]),
          "openrouter": ("openrouter", ["openrouter/"]),
          "xai": ("xai", ["xai/"]), "mistral": ("mistral", ["mistral/"]),
          "groq": ("groq", ["groq/"]), "deepseek": ("deepseek", ["deepseek/"]),
          "together": ("together_ai", ["together_ai/"]),
          "fireworks": ("fireworks_ai", ["fireworks_ai/"]),
          "voyage": ("voyage", ["voyage/"])}
GEO = re.compile(r"^(us|eu|apac|jp|au|us-gov|global)\.")


def dec(x):
    return Decimal(repr(x))


def lite_provider(lp):
    return "vertex_ai" if lp.startswith("vertex_ai") else \
        LITELLM_PROVIDER.get(lp, lp).lower()


def lite_versions(rec):
    """{min_input: {class: USD per 1M}} of a LiteLLM record (always)."""
    def rate(f):
        v = rec.get(f)
        return None if v is None else dec(v) * 1000000
    if rec.get("tiered_pricing") and rec.get("input_cost_per_token") is None:
        out = {}
        for t in rec["tiered_pricing"]:
            s = int(t["range"][0])
            out[s + 1 if s else 0] = {c: None if t.get(LITELLM[c]) is None
                                      else dec(t[LITELLM[c]]) * 1000000
                                      for c in CLASSES}
        return out
    out = {0: {c: rate(f) for c, f in LITELLM.items()}}
    if out[0]["cache_read"] is None:
        out[0]["cache_read"] = rate("input_cost_per_token_cache_hit")
    b = out[0]
    h, w = b["cache_write_1h"], b["cache_write"] or b["input"]
    if h is not None and not w <= h <= 2 * b["input"]:
        b["cache_write_1h"] = None  # a source error (docs/PRICES.md)
    for f in rec:
        m = re.match(r"^(.*)_above_(\d+)k_tokens$", f)
        if m and m.group(1) in LITELLM.values():
            th = int(m.group(2)) * 1000 + 1
            c = next(c for c, b in LITELLM.items() if b == m.group(1))
            out.setdefault(th, {x: None for x in CLASSES})[c] = rate(f)
    return out


def genai_versions(prices):
    """{min_input: {class: rate}} of one genai-prices price set."""
    base, tiers = {}, {}
    for c, f in GENAI.items():
        v = prices.get(f)
        if isinstance(v, dict):
            base[c] = dec(v["base"])
            for t in v["tiers"]:
                tiers.setdefault(int(t["start"]) + 1, {})[c] = dec(t["price"])
        elif v is not None:
            base[c] = dec(v)
    out = {0: {c: base.get(c) for c in CLASSES}}
    for th in sorted(tiers):
        out[th] = {c: tiers[th].get(c) for c in CLASSES}
    return out


def match(c, name):
    """genai-prices' match clause semantics (case-insensitive)."""
    t = name.lower()
    if "equals" in c:
        return t == c["equals"].lower()
    if "starts_with" in c:
        return t.startswith(c["starts_with"].lower())
    if "ends_with" in c:
        return t.endswith(c["ends_with"].lower())
    if "contains" in c:
        return c["contains"].lower() in t
    if "regex" in c:
        return re.search(c["regex"], name) is not None
    if "or" in c:
        return any(match(x, name) for x in c["or"])
    return all(match(x, name) for x in c["and"])


def clause_list(c, key):
    if key in c:
        return [c[key]]
    return [n for x in c.get("or", []) for n in clause_list(x, key)]


def regex_example(rx):
    """A name a genai-prices regex clause matches, or None."""
    s = rx.lstrip("^").rstrip("$")
    s = re.sub(r"\\d\{(\d+)\}", lambda m: "0" * int(m.group(1)), s)
    s = s.replace(r"\d", "0").replace(r"\.", ".")
    return None if re.search(r"[\\()\[\]|{}+*?]", s) else s


class Probe:
    """The price a (provider, model) as logged must get: versions
    {from: {min_input: {class: rate}}} and, per class, the other
    source's rates also acceptable where the applying one is silent."""

    def __init__(self, where, versions, other):
        self.where, self.versions, self.other = where, versions, other


def load(sources):
    with open(os.path.join(sources, "litellm_model_prices.json")) as f:
        lite = json.load(f)
    with open(os.path.join(sources, "genai_prices_data.json")) as f:
        genai = json.load(f)
    # LiteLLM: {(provider, name): [(key, lp, versions)]}, the winner first.
    # Embedding models bill input tokens: an unstated output rate is $0,
    # and a rate above $10 per 1M is a unit error (docs/PRICES.md).
    lnames, embeddings = {}, set()
    for key, rec in sorted(lite.items()):
        if not isinstance(rec, dict) or key == "sample_spec" or \
                rec.get("mode") not in ("chat", "completion", "responses",
                                        "embedding") or key.endswith("/"):
            continue
        emb = rec["mode"] == "embedding"
        lp = rec.get("litellm_provider", "")
        inp, out = rec.get("input_cost_per_token"), rec.get(
            "output_cost_per_token")
        if emb and out is None:
            out = 0
            rec = dict(rec, output_cost_per_token=0)
        if (inp is None or out is None) and not rec.get("tiered_pricing"):
            continue
        if inp == 0 and out == 0 or any(
                isinstance(v, (int, float)) and v > (1e-5 if emb else 1e-3)
                for k, v in rec.items()
                if "cost_per_token" in k and "dbu" not in k):
            continue  # placeholders and unit errors: not prices
        parts = key.split("/")
        route = "vertex_ai" if lp.startswith("vertex_ai") else {
            "azure_text": "azure", "amazon_nova": "amazon-nova",
            "bedrock_converse": "bedrock",
            "fireworks_ai-embedding-models": "fireworks_ai"}.get(lp, lp)
        if len(parts) > 1 and parts[0] in (lp, route):
            parts = parts[1:]
            if lp in ("bedrock", "bedrock_converse") and len(parts) > 1:
                if re.match(r"^([a-z]{2}(-gov)?-[a-z]+-\d|\*)$", parts[0]) \
                        or "commitment" in key:
                    continue  # region-scoped: no per-token price
                if parts[0] in ("invoke", "converse"):
                    parts = parts[1:]
        name = "/".join(parts)
        if emb:
            embeddings.add((lite_provider(lp), name))
        lnames.setdefault((lite_provider(lp), name), []).append(
            (key, lp, lite_versions(rec), {
                k: v for k, v in rec.items()
                if k.startswith(tuple(LITELLM.values())) and
                k.endswith(("_batches", "_flex", "_priority"))}))
    losers = {}
    for pm, es in lnames.items():
        es.sort(key=lambda e: (e[0] != pm[1], len(e[0]), e[0]))
        # (the rates of every tier count: docs/PRICES.md merges equal keys)
        losers.update((e[0], e[1:3]) for e in es[1:]
                      if e[2:] != es[0][2:])
    # genai-prices: {provider: [(gid, match, {from: versions} or None)]}
    # in its order, and {(provider, name): gid} of the names it spells.
    gorder, gnames = {}, {}
    for p in genai:
        for m in p["models"]:
            prov = GENAI_PROVIDER.get(p["id"], p["id"])
            if p["id"] == "google" and m["id"].startswith("claude"):
                prov = "vertex_ai"
            pr = m["prices"]
            vs = [{"prices": pr}] if isinstance(pr, dict) else pr
            # An embedding model (input price only; "embed" in its text or
            # a LiteLLM embedding its rule matches) bills output at $0.
            text = json.dumps([m["id"], m.get("name"), m.get("description"),
                               clause_list(m["match"], "equals")]).lower()
            if all(v["prices"].get("input_mtok") is not None and
                   v["prices"].get("output_mtok") is None for v in vs) and (
                    "embed" in text or any(
                        p2 == prov and match(m["match"], n)
                        for p2, n in embeddings)):
                vs = [dict(v, prices=dict(v["prices"], output_mtok=0))
                      for v in vs]
            ok = not any("start_time" in (v.get("constraint") or {})
                         for v in vs) and all(
                v["prices"].get("input_mtok") is not None and
                v["prices"].get("output_mtok") is not None for v in vs)
            versions = {(v.get("constraint") or {}).get("start_date", ""):
                        genai_versions(v["prices"]) for v in vs} if ok \
                else None
            g = {"gid": "%s/%s" % (p["id"], m["id"]), "pid": p["id"],
                 "match": m["match"], "versions": versions}
            gorder.setdefault(prov, []).append(g)
            if not versions:
                continue
            own = m["id"] if match(m["match"], m["id"]) and not \
                m["id"].startswith("regional.") else None
            eqs = clause_list(m["match"], "equals")
            if not own and not eqs:
                continue
            g["name"] = own or eqs[0]
            names = [g["name"]] + eqs + [
                s for s in clause_list(m["match"], "starts_with")
                if s[-1:] not in "-./:"]
            g["regex"] = [x for x in (regex_example(r) for r in
                                      clause_list(m["match"], "regex")) if x]
            for n in names:
                gnames.setdefault((prov, n), g)
    return lnames, gorder, gnames, losers


def expected(pm, lnames, gorder, gnames):
    """The Probe of a (provider, name), or None when neither source
    prices it (under docs/PRICES.md's rule)."""
    le = lnames.get(pm)
    g = gnames.get(pm)
    first = next((x for x in gorder.get(pm[0], [])
                  if match(x["match"], pm[1])), None)
    lv = {"": le[0][2]} if le else None
    if g and g["name"] == pm[1]:
        return Probe(g["gid"], g["versions"], lv)
    if g and not le and (pm[0], g["name"]) in lnames:
        # A spelling: priced as the model, which LiteLLM may complete.
        lv = {"": lnames[(pm[0], g["name"])][0][2]}
    if first and first["versions"] and len(first["versions"]) > 1 and (
            le or (g is first)):
        return Probe(first["gid"] + " (dated)", first["versions"], lv)
    if le:
        gv = first["versions"] if first and first["versions"] else None
        return Probe("litellm " + le[0][0], lv, gv)
    if g:
        return Probe(g["gid"], g["versions"], lv)
    return None


def shapes(pm, lnames, gnames):
    """(provider as logged, model as logged, why) of one (provider, name)."""
    prov, name = pm
    out = [(prov, name, "bare id")]
    for key, lp, _, _ in lnames.get(pm, [])[:1]:
        out.append((lp, key, "LiteLLM key"))
    g = gnames.get(pm)
    if g and not (g["pid"] == "google" and prov == "vertex_ai"):
        # (Claude under genai-prices' "google" is Vertex's: logged so.)
        out.append((g["pid"], name, "genai-prices provider id"))
    if prov in ROUTES:
        lp, routes = ROUTES[prov]
        out += [(lp, r + name, "LiteLLM route") for r in routes]
    if prov == "google":
        # The Gemini API's resource name, as its SDKs and models.list
        # spell a model.
        out.append(("google", "models/" + name, "Gemini resource name"))
    if prov == "bedrock":
        if GEO.match(name):
            arn = ("arn:aws:bedrock:us-east-1:123456789012:"
                   "inference-profile/" + name)
        else:
            arn = "arn:aws:bedrock:us-east-1::foundation-model/" + name
        out.append(("bedrock", arn, "Bedrock ARN"))
    return out


def main(argv):
    ap = argparse.ArgumentParser()
    ap.add_argument("--burnrate", required=True)
    ap.add_argument("--sources", required=True)
    ap.add_argument("--work", required=True)
    a = ap.parse_args(argv)
    lnames, gorder, gnames, losers = load(a.sources)
    probes = {}
    for pm in sorted(set(lnames) | set(gnames)):
        e = expected(pm, lnames, gorder, gnames)
        if e:
            for s in shapes(pm, lnames, gnames):
                probes.setdefault(s[:2], (e, s[2]))
    # genai-prices' regex-named snapshots, bare and behind a route.
    for prov, gs in gorder.items():
        for g in gs:
            for ex in g.get("regex", []):
                e = expected((prov, g["name"]), lnames, gorder, gnames)
                for s in shapes((prov, ex), {}, {}):
                    if "ARN" not in s[2]:
                        probes.setdefault(s[:2], (e, s[2] + ", regex"))
    # Two LiteLLM keys of one model priced differently: the loser's key
    # costs its own rates (docs/PRICES.md), also where it spells a route
    # of the winner's (gemini/gemini-flash-latest) and under a provider
    # with no model of that name, as LiteLLM's keys do (OpenRouter's own
    # deepseek/deepseek-chat keeps its price).
    for key, (lp, versions) in losers.items():
        e = Probe("litellm " + key, {"": versions}, None)
        probes[(lp, key)] = (e, "LiteLLM key, collision loser")
        probes[("litellm_proxy", key)] = (e, "LiteLLM key, collision "
                                          "loser, another provider")
    log, want = [], {}
    tier_probes(probes, lnames, log, want)
    for (lp, model), (e, why) in sorted(probes.items()):
        if e is None:
            rid = "r%d" % len(log)
            log.append({"timestamp": SNAPSHOT + "T12:00:00Z", "provider": lp,
                        "model": model, "agent": rid, "request_id": rid,
                        "usage": {"input_tokens": 1000, "output_tokens": 0}})
            want[rid] = (lp, model, why, "documented: unpriced", SNAPSHOT,
                         0, "input", None)
            continue
        for cur, day in version_days(e.versions):
            for th in sorted(e.versions[cur]):
                n = th if th else 32000  # below every threshold
                for c in CLASSES:
                    allowed = allowed_rates(e, cur, th, c, model)
                    if not allowed:
                        continue
                    rid = "r%d" % len(log)
                    u = {"input_tokens": 0, "output_tokens": 0}
                    if c in ("output", "reasoning"):
                        u["output_tokens"] = 1000000
                        if c == "reasoning":
                            u["reasoning_tokens"] = 1000000
                        u["input_tokens"] = th
                        inp = e.versions[cur][th]["input"]
                        base = None if th and inp is None else \
                            (inp or 0) * th
                    else:
                        u[{"input": "input_tokens",
                           "cache_read": "cache_read_tokens",
                           "cache_write": "cache_write_tokens",
                           "cache_write_1h": "cache_write_1h_tokens"}[c]] = n
                        base = Decimal(0)
                    if base is None:
                        continue
                    k = 1000000 if c in ("output", "reasoning") else n
                    log.append({"timestamp": day + "T12:00:00Z",
                                "provider": lp, "model": model,
                                "agent": rid, "request_id": rid,
                                "usage": u})
                    want[rid] = (lp, model, why, e.where, day, th, c,
                                 [(base + r * k) / 1000000
                                  for r in allowed])
    os.makedirs(a.work, exist_ok=True)
    lpath = os.path.join(a.work, "probes.jsonl")
    with open(lpath, "w") as f:
        for r in log:
            f.write(json.dumps(r, separators=(",", ":")) + "\n")
    store = os.path.join(a.work, "store")
    run = [a.burnrate, "--quiet", "--store", store]
    subprocess.run(run + ["ingest", "--cost-mode", "calculate", lpath],
                   check=True, stderr=subprocess.DEVNULL)
    rep = subprocess.run(run + ["report", "--by", "agent", "--since",
                                "2000-01-01", "--as-of", "2099-12-31",
                                "--format", "json"], check=True,
                         capture_output=True, text=True)
    got = {r["agent"]: r for r in json.loads(rep.stdout)["rows"]}
    bad = []
    for rid, (lp, model, why, where, day, th, c, costs) in want.items():
        r = got.get(rid)
        cost = Decimal(repr(r["cost_usd"])) if r else None
        if costs is None and r and r["unpriced_requests"]:
            continue
        if costs and r and not r["unpriced_requests"] and any(
                abs(cost - x) <= Decimal("0.0000005") for x in costs):
            continue
        bad.append("%s %s (%s; %s) on %s, %s%s: burnrate %s, source %s" % (
            lp, model, why, where, day, c,
            " above %d" % (th - 1) if th else "",
            "unpriced" if not r or r["unpriced_requests"] else cost,
            " or ".join(str(x.normalize()) for x in costs) if costs
            else "unpriced"))
    print("resolvediff: %d names, %d shapes, %d requests (%d above a "
          "long-context threshold, %d on a dated version's first or last "
          "day), %d disagree" % (
              len(set(lnames) | set(gnames)), len(probes), len(log),
              sum(1 for w in want.values() if w[5]),
              sum(1 for w in want.values() if w[4] != SNAPSHOT), len(bad)))
    for b in sorted(bad)[:int(os.environ.get("RESOLVEDIFF_SHOW", 40))]:
        print("  " + b)
    if len(bad) > 40:
        print("  ... and %d more" % (len(bad) - 40))
    return 1 if bad else 0


TIER_SUFFIX = {"batch": "_batches", "flex": "_flex", "priority": "_priority"}


def lite_tier_base(std, tf, tier):
    """The base rates of a LiteLLM service tier, {class: rate}: the tier's
    own field, else the standard one (LiteLLM's fallback), but for a
    reasoning rate stated only as the standard output rate (reasoning
    billed as output): the tier's output (docs/PRICES.md)."""
    out = {}
    for c in CLASSES:
        v = tf.get(LITELLM[c] + TIER_SUFFIX[tier])
        if v is not None:
            out[c] = dec(v) * 1000000
        elif c == "reasoning" and std["reasoning"] is not None and \
                std["reasoning"] == std["output"]:
            out[c] = None
        else:
            out[c] = std[c]
    return out


def ratio(g, l):
    """k when every rate both state is k x LiteLLM's (input and output
    among them), else None."""
    if any(x.get(c) is None for x in (g, l) for c in ("input", "output")):
        return None
    ks = set()
    for c in CLASSES:
        if g.get(c) is None or l.get(c) is None:
            continue
        if not l[c]:
            if g[c]:
                return None
            continue
        ks.add(g[c] / l[c])
    return ks.pop() if len(ks) == 1 else None


def version_days(versions):
    """(start, day) of each version of versions (a dict by start, "" the
    first), on its first day (the snapshot's for the first) and on the
    last before the next one, in order."""
    starts = sorted(versions)
    for i, start in enumerate(starts):
        days = {start or SNAPSHOT}
        if i + 1 < len(starts):
            days.add((date.fromisoformat(starts[i + 1]) -
                      timedelta(days=1)).isoformat())
        for day in sorted(days):
            if max(s for s in starts if s <= day) == start:
                yield start, day


def tier_probes(probes, lnames, log, want):
    """Requests in each service tier LiteLLM states for a name (its base
    rates; long-context rows in a tier are formatprice.sh's), on the days
    resolvediff probes each standard version. The price: LiteLLM's tier
    rates (the standard field where the tier states none) for a name
    LiteLLM prices; for a name priced by genai-prices, in each of its
    versions, those rates times k, the version's uniform ratio to
    LiteLLM's standard price (1 where input and output agree: LiteLLM's
    tiers go with its own standard price), and none (unpriced) in a
    version that is no such multiple; none at all when no version agrees
    with LiteLLM's input and output (docs/PRICES.md, service tiers)."""
    for pm in sorted(lnames):
        key, lp, lv, tf = lnames[pm][0]
        model = key
        e, why = probes.get((lp, key), (None, None))
        if e is None:
            continue
        why = "LiteLLM key"
        tiers = [t for t, sfx in TIER_SUFFIX.items()
                 if any(f.endswith(sfx) for f in tf)]
        if not tiers:
            continue
        std = lv[0]
        if e.where.startswith("litellm"):
            ks = {"": Decimal(1)}
        else:
            gb = {st: v[0] for st, v in e.versions.items()}
            same = {st for st, b in gb.items() if b["input"] == std["input"]
                    and b["output"] == std["output"]}
            ks = {st: (Decimal(1) if st in same else ratio(b, std))
                  if same else None for st, b in gb.items()}
        for start, day in version_days(ks):
            for tier in tiers:
                t = lite_tier_base(std, tf, tier)
                for c in CLASSES:
                    k = ks[start]
                    rate = None if k is None else effective(t, c) * k
                    allowed = None if rate is None else [rate]
                    if rate is not None and c == "cache_write_1h" and \
                            t[c] is None and "claude" in key.lower():
                        allowed.append(2 * t["input"] * k)
                    rid = "r%d" % len(log)
                    u = {"input_tokens": 0, "output_tokens": 0}
                    n = 1000000 if c in ("output", "reasoning") else 32000
                    if c in ("output", "reasoning"):
                        u["output_tokens"] = n
                        if c == "reasoning":
                            u["reasoning_tokens"] = n
                    else:
                        u[{"input": "input_tokens",
                           "cache_read": "cache_read_tokens",
                           "cache_write": "cache_write_tokens",
                           "cache_write_1h": "cache_write_1h_tokens"}[c]] = n
                    log.append({"timestamp": day + "T12:00:00Z",
                                "provider": lp, "model": model,
                                "agent": rid, "request_id": rid,
                                "service_tier": tier, "usage": u})
                    want[rid] = (lp, model, why + ", " + tier, e.where,
                                 day, 0, c, allowed and [
                                     x * n / 1000000 for x in allowed])


def allowed_rates(e, start, th, c, name):
    """The rates a class may bill at in one row: the one the applying
    source states; where it is silent (a long-context row: only what it
    states there is checked), its fallback or the rate (stated or its
    fallback) the other source has for the name, for a dated version
    scaled as that version scales the input rate (docs/PRICES.md). A
    Claude row's unstated 1-hour write, where the source states a
    5-minute write at Anthropic's 1.2x to 1.25x input, is Anthropic's 2x
    input (docs/PRICES.md, derived rates), or the other source's stated
    1-hour rate, never the 5-minute fallback."""
    row = e.versions[start][th]
    if row.get(c) is not None:
        return [row[c]]
    if th:
        return []
    inp, w = row.get("input"), row.get("cache_write")
    if c == "cache_write_1h" and "claude" in name.lower() and inp and \
            w is not None and Decimal("1.2") * inp <= w <= \
            Decimal("1.25") * inp:
        return [2 * inp] + [
            ov[0]["cache_write_1h"] * (row["input"] / ov[0]["input"]
                                       if len(e.versions) > 1 else 1)
            for ov in (e.other or {}).values()
            if ov.get(0, {}).get("cache_write_1h") is not None and
            ov[0].get("input")]
    out = [effective(row, c)]
    for ov in (e.other or {}).values():
        o = effective(ov.get(0, {}), c)
        k = row["input"] / ov[0]["input"] if len(e.versions) > 1 and \
            ov.get(0, {}).get("input") else 1
        if o is not None:
            out.append(o * k)
        # The name's model may take the other source's 5-minute write
        # (an alias of it, or filled from it), and then Anthropic's 1-hour.
        oi, ow = ov.get(0, {}).get("input"), ov.get(0, {}).get("cache_write")
        if c == "cache_write_1h" and "claude" in name.lower() and oi and \
                ow is not None and Decimal("1.2") * oi <= ow <= \
                Decimal("1.25") * oi:
            out += [2 * oi, 2 * inp] if inp else [2 * oi]
    return [x for x in out if x is not None]


def effective(row, c):
    """The rate class c bills at in a source's row, following fallbacks."""
    while row.get(c) is None and c in FALLBACK:
        c = FALLBACK[c]
    return row.get(c)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
