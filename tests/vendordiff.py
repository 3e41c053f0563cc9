#!/usr/bin/env python3
"""vendordiff.py - a seeded random differential test of burnrate over the
vendor log formats (Anthropic Messages, OpenAI Chat Completions and
Responses, Gemini and Vertex usageMetadata, Bedrock invocation logs, the
LiteLLM spend-log CSV export, Claude Code sessions), priced independently
from shared/pricing-sources/genai_prices_data.json (never from burnrate's
data/catalog.csv), with the store in a random time zone (DST and
half-hour zones), offsets across day boundaries, requests on both sides
of dated price changes and long-context thresholds, duplicates and
retries, several ingest runs, random report periods and group-bys; then
every JSON row, every CSV row and the XLSX Rows sheet are compared with
the oracle to the micro-dollar.

Usage: vendordiff.py --cases N [--seed S] [--records R] [--keep DIR]
Environment: BURNRATE (binary), SOURCES (shared/pricing-sources).
Exit 0 when every case agrees, 1 otherwise (the first differences are
printed with the case's seed, which reruns it alone: --seed S --cases 1).
"""
import argparse
import csv
import datetime as dt
import io
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
from decimal import Decimal, ROUND_HALF_UP
from zoneinfo import ZoneInfo

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BURNRATE = os.environ.get("BURNRATE", os.path.join(ROOT, "build", "burnrate"))
SOURCES = os.environ.get("SOURCES", os.path.join(ROOT, "..", "shared",
                                                 "pricing-sources"))

# (report provider, log name, genai-prices provider, genai-prices model id)
MODELS = [
    ("anthropic", "claude-sonnet-4-5", "anthropic", "claude-sonnet-4-5"),
    ("anthropic", "claude-sonnet-4-5-20250929", "anthropic", "claude-sonnet-4-5"),
    ("anthropic", "claude-opus-4-6", "anthropic", "claude-opus-4-6"),
    ("anthropic", "claude-sonnet-4-6", "anthropic", "claude-sonnet-4-6"),
    ("anthropic", "claude-sonnet-5", "anthropic", "claude-sonnet-5"),
    ("anthropic", "claude-opus-4-1", "anthropic", "claude-opus-4-1"),
    ("openai", "gpt-4o", "openai", "gpt-4o"),
    ("openai", "gpt-4o-2024-08-06", "openai", "gpt-4o"),
    ("openai", "o3", "openai", "o3"),
    ("openai", "o3-2025-04-16", "openai", "o3"),
    ("openai", "gpt-5.6-luna", "openai", "gpt-5.6-luna"),
    ("openai", "gpt-5.6-terra", "openai", "gpt-5.6-terra"),
    ("openai", "gpt-5.4", "openai", "gpt-5.4"),
    ("google", "gemini-2.5-pro", "google", "gemini-2.5-pro"),
    ("google", "gemini-2.5-flash", "google", "gemini-2.5-flash"),
    ("google", "gemini-3.6-flash", "google", "gemini-3.6-flash"),
    ("google", "gemini-3.7-flash", "google", "gemini-3.7-flash"),
    ("google", "gemini-3.1-pro-preview", "google", "gemini-3.1-pro-preview"),
    # Vertex Gemini: priced by LiteLLM (docs/PRICES.md, Providers)
    ("vertex_ai", "gemini-2.5-pro", "litellm", "gemini-2.5-pro"),
    ("vertex_ai", "gemini-2.5-flash", "litellm", "gemini-2.5-flash"),
    ("bedrock", "global.anthropic.claude-sonnet-5-v1:0", "aws",
     "global.anthropic.claude-sonnet-5-v1:0"),
    ("bedrock", "openai.gpt-5.6-luna", "aws", "openai.gpt-5.6-luna"),
    ("bedrock", "openai.gpt-5.6-terra", "aws", "openai.gpt-5.6-terra"),
]
# formats able to log each report provider
FORMATS = {
    "anthropic": ["anthropic", "claude-code", "litellm", "helicone", "helicone-jsonl"],
    "openai": ["openai-chat", "openai-responses", "litellm", "helicone", "helicone-jsonl"],
    "google": ["gemini", "helicone", "helicone-jsonl"],
    "vertex_ai": ["gemini"],
    "bedrock": ["bedrock", "anthropic"],
}
ZONES = ["UTC", "America/New_York", "Europe/Berlin", "Asia/Kolkata",
         "Australia/Lord_Howe", "Pacific/Chatham", "America/St_Johns",
         "Asia/Kathmandu", "Pacific/Kiritimati", "America/Los_Angeles"]
AGENTS = ["support-bot", "coder", "etl", "researcher"]
TEAMS = ["cx", "platform", "data"]
# instants near which prices change or tiers matter
PIVOTS = ["2025-06-10", "2026-03-13", "2026-07-30", "2026-08-03",
          "2026-09-01", "2027-01-01"]
COUNTS = ["requests", "errors", "input_tokens", "output_tokens",
          "cache_read_tokens", "cache_write_tokens", "cache_write_1h_tokens",
          "reasoning_tokens"]
KEYS = ["day", "week", "month", "provider", "model", "agent", "label"]
FIELDS = ["input", "output", "cache_read", "cache_write", "cache_write_1h"]
GP_FIELD = {"input": "input_mtok", "output": "output_mtok",
            "cache_read": "cache_read_mtok", "cache_write": "cache_write_mtok",
            "cache_write_1h": "cache_write_1h_mtok"}
PICO = Decimal(10) ** 12


# ---------------------------------------------------------------- prices

def load_genai():
    with open(os.path.join(SOURCES, "genai_prices_data.json"), encoding="utf-8") as f:
        data = json.load(f)
    out = {}
    for prov in data:
        for m in prov["models"]:
            out[(prov["id"], m["id"])] = m
    return out


def load_litellm():
    with open(os.path.join(SOURCES, "litellm_model_prices.json"), encoding="utf-8") as f:
        return json.load(f)


LL_FIELD = {"input": "input_cost_per_token", "output": "output_cost_per_token",
            "cache_read": "cache_read_input_token_cost",
            "cache_write": "cache_creation_input_token_cost",
            "cache_write_1h": "cache_creation_input_token_cost_above_1hr"}
LL_TIER = {"batch": "_batches", "flex": "_flex", "priority": "_priority"}


def ll_mtok(x):
    """A LiteLLM per-token float as USD per 1M tokens (docs/PRICES.md:
    Decimal(repr(x)) * 10**6, half-even to 6 decimals)."""
    from decimal import ROUND_HALF_EVEN
    return (Decimal(repr(x)) * 1000000).quantize(Decimal("0.000001"), ROUND_HALF_EVEN)


def ll_thresholds(entry, suffix):
    import re
    out = set()
    for k in entry:
        m = re.fullmatch(r".*_above_(\d+)k_tokens" + re.escape(suffix), k)
        if m and not k.endswith("_above_1hr" + suffix):
            out.add(int(m.group(1)) * 1000)
    return sorted(out)


def ll_tier_rates(entry, tier, total_input):
    """{field: USD per 1M} of LiteLLM's service tier for one request, or
    None when LiteLLM has no such tier: the tier's field at the threshold,
    its base field, the standard field at the threshold, the standard
    base field."""
    sfx = LL_TIER[tier]
    if not any(k.endswith(sfx) and ("cost" in k) for k in entry):
        return None
    th = [t for t in ll_thresholds(entry, sfx) if total_input > t]
    tag = "_above_%dk_tokens" % (th[-1] // 1000) if th else None
    out = {}
    for f, base in LL_FIELD.items():
        cands = []
        if tag:
            cands.append(base + tag + sfx)
        cands.append(base + sfx)
        if tag:
            cands.append(base + tag)
        cands.append(base)
        for c in cands:
            if c in entry:
                out[f] = ll_mtok(entry[c])
                break
    return out


def ll_as_genai(entry):
    """A LiteLLM entry in genai-prices' shape: base rates and
    *_above_Nk_tokens tiers (a rate not stated at a threshold is the base
    rate), so price() reads both sources alike."""
    pr = {}
    ths = ll_thresholds(entry, "")
    for f, k in LL_FIELD.items():
        if k not in entry:
            continue
        base = ll_mtok(entry[k])
        tiers = []
        for t in ths:
            tk = "%s_above_%dk_tokens" % (k, t // 1000)
            tiers.append({"start": t, "price": ll_mtok(entry[tk]) if tk in entry else base})
        pr[GP_FIELD[f]] = {"base": base, "tiers": tiers} if tiers else base
    return {"prices": pr}


def versions(model):
    """[(start date or None, prices)] oldest first."""
    p = model["prices"]
    if isinstance(p, dict):
        return [(None, p)]
    vs = []
    for v in p:
        c = v.get("constraint") or {}
        vs.append((c.get("start_date"), v["prices"]))
    vs.sort(key=lambda v: v[0] or "")
    return vs


def stated(model):
    """The fields every version states."""
    out = set()
    for f in FIELDS:
        if all(GP_FIELD[f] in p for _, p in versions(model)):
            out.add(f)
    return out


def rate(pr, field, total_input):
    """USD per 1M tokens as a Decimal, genai-prices' tier rule: the whole
    request at the tier's rate once the total input exceeds its start."""
    v = pr.get(GP_FIELD[field])
    if v is None:
        # the catalog's convention (docs/PRICES.md): 1h write at the write
        # rate, write and read at the input rate
        fb = {"cache_write_1h": "cache_write", "cache_write": "input",
              "cache_read": "input"}[field]
        return rate(pr, fb, total_input)
    if isinstance(v, dict):
        r = v["base"]
        for t in v.get("tiers", []):
            if total_input > t["start"]:
                r = t["price"]
        v = r
    return Decimal(repr(v)) if isinstance(v, float) else Decimal(v)


def in_force(model, utc_day):
    pr = None
    for start, p in versions(model):
        if start is None or start <= utc_day:
            pr = p
    return pr


def price(model, utc_day, tok, tier="standard", ll=None, factor=1):
    """Exact cost in pico-dollars (an int) of one request, or None when
    unpriced."""
    total_input = tok["input"] + tok["cache_read"] + tok["cache_write"] + \
        tok["cache_write_1h"]
    if tier == "standard":
        pr = in_force(model, utc_day)
        rates = {f: rate(pr, f, total_input) for f in FIELDS}
    else:
        # LiteLLM's tier rows, added when both sources agree on the base
        # input and output rates of the version in force on 2026-07-24
        if ll is None:
            return None
        cur = in_force(model, "2026-07-24")
        if rate(cur, "input", 0) != ll_mtok(ll["input_cost_per_token"]) or \
                rate(cur, "output", 0) != ll_mtok(ll["output_cost_per_token"]):
            return None
        rates = ll_tier_rates(ll, tier, total_input)
        if rates is None:
            return None
        rates.setdefault("cache_read", rates["input"])
        rates.setdefault("cache_write", rates["input"])
        rates.setdefault("cache_write_1h", rates["cache_write"])
        if not ll_thresholds(ll, LL_TIER[tier]):
            # a tier LiteLLM states no threshold for bills above the
            # standard's at its base rates x the standard long / base
            # ratio (docs/PRICES.md, derived rate A)
            rates = {f: rates[f] * rate(cur, f, total_input) / rate(cur, f, 0)
                     for f in FIELDS}
    cost = Decimal(0)
    for f in FIELDS:
        if tok[f]:
            cost += tok[f] * rates[f] * factor * 1000000
    assert cost == int(cost)
    return int(cost)


def usd(pico):
    """Pico-dollars to the report's 6 decimals, half away from zero."""
    d = (Decimal(pico) / PICO).quantize(Decimal("0.000001"), ROUND_HALF_UP)
    return d


# ---------------------------------------------------------------- logs

def rand_instant(rnd):
    if rnd.random() < 0.5:
        base = dt.datetime.fromisoformat(rnd.choice(PIVOTS)).replace(
            tzinfo=dt.timezone.utc)
        return base + dt.timedelta(seconds=rnd.randint(-2 * 86400, 2 * 86400))
    start = dt.datetime(2025, 5, 1, tzinfo=dt.timezone.utc)
    return start + dt.timedelta(seconds=rnd.randrange(640 * 86400),
                                microseconds=rnd.randrange(1000) * 1000)


def iso_offset(rnd, t):
    """RFC 3339 of instant t under a random offset."""
    mins = rnd.choice([0, 0, -300, -240, 330, 345, 600, 765, -570, 60, -720, 840])
    local = t.astimezone(dt.timezone(dt.timedelta(minutes=mins)))
    s = local.strftime("%Y-%m-%dT%H:%M:%S")
    if rnd.random() < 0.5:
        s += ".%03d" % (local.microsecond // 1000)
    if mins == 0 and rnd.random() < 0.5:
        return s + "Z"
    sign = "+" if mins >= 0 else "-"
    return s + "%s%02d:%02d" % (sign, abs(mins) // 60, abs(mins) % 60)


def env_time(rnd, t):
    """An envelope's time for instant t (at most milliseconds): mostly
    RFC 3339 under a random offset, sometimes an epoch number (seconds,
    milliseconds, a fraction of seconds: DESIGN 3's forms)."""
    if rnd.random() < 0.8:
        return iso_offset(rnd, t)
    sec = int(t.replace(microsecond=0).timestamp())
    ms = t.microsecond // 1000
    form = rnd.choice(["s", "ms", "frac"])
    if form == "s" and ms == 0:
        return sec
    if form == "frac":
        return float(Decimal(sec) + Decimal(ms) / 1000)
    return sec * 1000 + ms


def iso_z(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (t.microsecond // 1000)


def rand_tokens(rnd, fields, tier_starts):
    tok = {f: 0 for f in FIELDS}
    tok["reasoning"] = 0
    big = rnd.random() < 0.3 and tier_starts
    if big:
        # total input at, just above or just below a threshold
        t = rnd.choice(tier_starts) + rnd.choice([-1, 0, 1, 2, rnd.randint(-5000, 5000)])
        parts = [f for f in ["input", "cache_read", "cache_write", "cache_write_1h"]
                 if f in fields]
        cuts = sorted(rnd.randint(0, t) for _ in range(len(parts) - 1))
        prev = 0
        for f, c in zip(parts, cuts + [t]):
            tok[f] = c - prev
            prev = c
    elif rnd.random() < 0.03:
        # huge counts: costs beyond 2^63 pico-dollars, but at most 10^9
        # USD a request (README: beyond is a corrupt log)
        cap = 5 * 10 ** 11
        tok["input"] = rnd.choice([cap, rnd.randint(0, cap)])
        for f in ["cache_read", "cache_write", "cache_write_1h"]:
            if f in fields and rnd.random() < 0.5:
                tok[f] = rnd.choice([cap, rnd.randint(0, cap)])
    else:
        tok["input"] = rnd.randint(0, 50000)
        for f in ["cache_read", "cache_write", "cache_write_1h"]:
            if f in fields and rnd.random() < 0.4:
                tok[f] = rnd.randint(0, 80000)
    tok["output"] = rnd.randint(0, 20000) if tok["input"] < 10 ** 9 else \
        rnd.choice([5 * 10 ** 11, rnd.randint(0, 5 * 10 ** 11)])
    if rnd.random() < 0.4:
        tok["reasoning"] = rnd.randint(0, tok["output"])
    return tok


def tier_starts(model):
    out = set()
    for _, p in versions(model):
        for v in p.values():
            if isinstance(v, dict):
                for t in v.get("tiers", []):
                    out.add(t["start"])
    return sorted(out)


class Gen:
    def __init__(self, rnd, genai):
        self.rnd = rnd
        self.genai = genai
        self.n = 0
        self.events = []       # oracle events
        self.files = {}        # name -> list of lines

    def uid(self, prefix):
        self.n += 1
        return "%s%08d%04x" % (prefix, self.n, self.rnd.randrange(65536))

    def add(self, fmt, line):
        self.files.setdefault(fmt, []).append(line)

    def one(self):
        rnd = self.rnd
        prov, name, gprov, gid = rnd.choice(MODELS)
        if gprov == "litellm":
            model = ll_as_genai(LITELLM[gid])
        else:
            model = self.genai[(gprov, gid)]
        fmt = rnd.choice(FORMATS[prov])
        if prov == "bedrock" and fmt == "anthropic" and not name.startswith(
                ("global.anthropic.", "us.anthropic.")):
            fmt = "bedrock"
        fields = stated(model)
        if fmt in ("openai-chat", "openai-responses"):
            fields -= {"cache_write_1h"}
        if fmt == "gemini":
            fields -= {"cache_write", "cache_write_1h"}
        if fmt == "bedrock":
            fields -= {"cache_write_1h"}
        if fmt == "litellm" and prov != "anthropic":
            fields -= {"cache_write_1h"}
        if fmt == "helicone":
            fields = {"input", "output"}
        if fmt == "helicone-jsonl":
            fields -= {"cache_write_1h"}
        tok = rand_tokens(rnd, fields, tier_starts(model))
        if fmt == "gemini":
            # thoughts are added to candidates: reasoning is part of output
            tok["reasoning"] = min(tok["reasoning"], tok["output"])
        t = rand_instant(rnd)
        if fmt in ("openai-chat", "openai-responses"):
            t = t.replace(microsecond=0)
        agent = rnd.choice(AGENTS)
        team = rnd.choice(TEAMS)
        tier, factor, rname = "standard", 1, name
        # a dated name is an alias of the genai-prices model (docs/PRICES.md
        # rule 2): its service tiers are the model's
        ll = LITELLM.get(gid) if prov in ("openai", "anthropic") else None
        stream = rnd.random() < 0.2
        error = False
        logged_cost = None
        copies = 1 + (rnd.random() < 0.1)
        lines = []
        if fmt == "anthropic":
            rid = self.uid("req_")
            u = {"input_tokens": tok["input"], "output_tokens": tok["output"],
                 "cache_creation_input_tokens": tok["cache_write"] + tok["cache_write_1h"],
                 "cache_read_input_tokens": tok["cache_read"],
                 "cache_creation": {"ephemeral_5m_input_tokens": tok["cache_write"],
                                    "ephemeral_1h_input_tokens": tok["cache_write_1h"]},
                 "service_tier": "standard"}
            if tok["reasoning"]:
                u["output_tokens_details"] = {"thinking_tokens": tok["reasoning"]}
            if prov == "anthropic" and rnd.random() < 0.05:
                tier = rnd.choice(["priority", "batch"])
                u["service_tier"] = tier
            if name == "claude-opus-4-6" and rnd.random() < 0.3:
                u["speed"] = "fast"
                rname = name + "-fast"
                factor = Decimal(repr(LITELLM[name]["provider_specific_entry"]["fast"]))
            status = 200
            if rnd.random() < 0.05:
                # as a number or as text, as loggers write it
                status, error = rnd.choice([529, 529.0, "529", "500"]), True
            elif rnd.random() < 0.1:
                status = rnd.choice(["200", 200.0])
            when = env_time(rnd, t)
            msg = {"id": self.uid("msg_"), "type": "message",
                   "role": "assistant", "model": name, "content": [], "usage": u}
            if not stream:
                rec = {"logged_at": when, "agent": agent, "team": team,
                       "endpoint": "/v1/messages", "http_status": status,
                       "request_id": rid, "response": msg}
                lines.append(json.dumps(rec))
            else:
                # message_start with the input counts and 1 output token,
                # then message_delta with the cumulative output
                su = dict(u, output_tokens=min(1, tok["output"]))
                su.pop("output_tokens_details", None)
                start = {"type": "message_start", "message": dict(msg, usage=su)}
                du = {"output_tokens": tok["output"]}
                if tok["reasoning"]:
                    du["output_tokens_details"] = u["output_tokens_details"]
                if rnd.random() < 0.5:
                    du.update({k: u[k] for k in ("input_tokens",
                               "cache_read_input_tokens",
                               "cache_creation_input_tokens")})
                delta = {"type": "message_delta",
                         "delta": {"stop_reason": "end_turn"}, "usage": du}
                evs = [start, delta]
                noid = rnd.random() < 0.5
                if noid:
                    evs.append({"type": "message_stop"})
                for ev in evs:
                    env = {"logged_at": when, "agent": agent, "team": team,
                           "endpoint": "/v1/messages", "http_status": status,
                           "request_id": rid, "event": ev}
                    if noid:
                        del env["request_id"]
                    lines.append(json.dumps(env))
        elif fmt == "claude-code":
            label = rnd.choice(["acme-api", "web", "infra"])
            agent, team = "claude-code", label
            u = {"input_tokens": tok["input"], "output_tokens": tok["output"],
                 "cache_creation_input_tokens": tok["cache_write"] + tok["cache_write_1h"],
                 "cache_read_input_tokens": tok["cache_read"],
                 "cache_creation": {"ephemeral_5m_input_tokens": tok["cache_write"],
                                    "ephemeral_1h_input_tokens": tok["cache_write_1h"]}}
            tok["reasoning"] = 0
            if name == "claude-opus-4-6" and rnd.random() < 0.3:
                u["speed"] = "fast"
                rname = name + "-fast"
                factor = Decimal(repr(LITELLM[name]["provider_specific_entry"]["fast"]))
            rec = {"parentUuid": None, "isSidechain": False, "userType": "external",
                   "cwd": rnd.choice(["/home/dana/src/%s", "/home/dana/src/%s/",
                                      "C:\\Users\\dana\\src\\%s"]) % label,
                   "sessionId": "6f1c2a9e-4b7d-4e2f-9a31-0c5d8e7b2f14",
                   "version": "1.0.88",
                   "message": {"id": self.uid("msg_"), "type": "message",
                               "role": "assistant", "model": name,
                               "content": [], "usage": u},
                   "requestId": self.uid("req_"), "type": "assistant",
                   "uuid": self.uid("u-"), "timestamp": iso_z(t)}
            if rnd.random() < 0.2:
                logged_cost = Decimal(rnd.randint(1, 10 ** 7)) / Decimal(10 ** 8)
                rec["costUSD"] = float(logged_cost)
                logged_cost = Decimal(repr(float(logged_cost)))
            lines.append(json.dumps(rec))
            if stream:
                # Claude Code writes a message once per content block, the
                # usage growing: the copy with the most tokens counts
                for _ in range(rnd.randint(1, 3)):
                    c = json.loads(lines[0])
                    c["message"]["usage"]["output_tokens"] = rnd.randint(0, tok["output"] - 1) \
                        if tok["output"] else 0
                    if tok["output"] == 0:
                        c["message"]["usage"]["input_tokens"] = max(0, tok["input"] - 1)
                        if tok["input"] == 0:
                            break
                    c["uuid"] = self.uid("u-")
                    c.pop("costUSD", None)
                    lines.append(json.dumps(c))
                rnd.shuffle(lines)
            if rnd.random() < 0.1:
                # a sidechain copy of the message under another request
                # id, in the same file: dropped beside its main copy
                c = json.loads(rnd.choice(lines))
                c["isSidechain"] = True
                c["requestId"] = self.uid("req_")
                c["uuid"] = self.uid("u-")
                c.pop("costUSD", None)
                lines.insert(rnd.randint(0, len(lines)), json.dumps(c))
            if rnd.random() < 0.1:
                # skipped: an API error placeholder, a user line
                c = json.loads(lines[0])
                c["message"]["model"] = "<synthetic>"
                c["message"]["id"] = self.uid("msg_")
                c["requestId"] = self.uid("req_")
                c["isApiErrorMessage"] = True
                lines.append(json.dumps(c))
                lines.append(json.dumps({"type": "user", "sessionId": rec["sessionId"],
                                         "cwd": rec["cwd"], "timestamp": rec["timestamp"],
                                         "message": {"role": "user", "content": "hi"},
                                         "uuid": self.uid("u-")}))
        elif fmt == "openai-chat":
            u = {"prompt_tokens": tok["input"] + tok["cache_read"] + tok["cache_write"],
                 "completion_tokens": tok["output"],
                 "total_tokens": 0,
                 "prompt_tokens_details": {"cached_tokens": tok["cache_read"],
                                           "audio_tokens": 0},
                 "completion_tokens_details": {"reasoning_tokens": tok["reasoning"]}}
            if tok["cache_write"]:
                u["prompt_tokens_details"]["cache_write_tokens"] = tok["cache_write"]
            rid = self.uid("chatcmpl-")
            status = 200
            if rnd.random() < 0.05:
                status, error = 500, True
            st = rnd.choice(["default"] * 5 + ["scale", "flex", "priority"])
            tier = {"default": "standard", "scale": "standard"}.get(st, st)
            if not stream:
                rec = {"logged_at": iso_offset(rnd, t), "agent": agent, "team": team,
                       "http_status": status, "x_request_id": self.uid("req_"),
                       "response": {"id": rid, "object": "chat.completion",
                                    "created": int(t.timestamp()), "model": name,
                                    "choices": [], "usage": u,
                                    "service_tier": st}}
                lines.append(json.dumps(rec))
            else:
                # chunks without usage, the last with it (include_usage),
                # or every chunk with the running usage (vLLM), any order
                running = rnd.random() < 0.5
                for i in range(rnd.randint(1, 4)):
                    last = i == 0
                    cu = u if last else None
                    if running and not last:
                        cu = dict(u, completion_tokens=u["completion_tokens"] * i // 5,
                                  completion_tokens_details={"reasoning_tokens": 0})
                    ch = {"id": rid, "object": "chat.completion.chunk",
                          "created": int(t.timestamp()), "model": name,
                          "choices": [], "service_tier": st, "usage": cu}
                    lines.append(json.dumps({
                        "logged_at": iso_offset(rnd, t), "agent": agent,
                        "team": team, "http_status": status,
                        "x_request_id": self.uid("req_"), "response": ch}))
                lines.reverse()
                if running:
                    rnd.shuffle(lines)
            if rnd.random() < 0.1:
                # a retry logged with a new envelope id: same response
                rec = json.loads(lines[-1])
                rec["x_request_id"] = self.uid("req_")
                lines.append(json.dumps(rec))
        elif fmt == "openai-responses":
            rid = self.uid("resp_")
            failed = rnd.random() < 0.05
            u = {"input_tokens": tok["input"] + tok["cache_read"] + tok["cache_write"],
                 "input_tokens_details": {"cached_tokens": tok["cache_read"]},
                 "output_tokens": tok["output"],
                 "output_tokens_details": {"reasoning_tokens": tok["reasoning"]},
                 "total_tokens": 0}
            if tok["cache_write"]:
                u["input_tokens_details"]["cache_write_tokens"] = tok["cache_write"]
            st = rnd.choice(["default"] * 5 + ["scale", "flex", "priority"])
            tier = {"default": "standard", "scale": "standard"}.get(st, st)
            resp = {"id": rid, "object": "response", "created_at": int(t.timestamp()),
                    "status": "completed", "model": name, "output": [],
                    "usage": u, "service_tier": st}
            if failed:
                resp["status"] = "failed"
                resp["usage"] = None
                resp["error"] = {"code": "server_error", "message": "x"}
                error = True
                tok = {f: 0 for f in FIELDS + ["reasoning"]}
            rec = {"logged_at": iso_offset(rnd, t), "agent": agent, "team": team,
                   "http_status": 200, "x_request_id": self.uid("req_"),
                   "response": resp}
            lines.append(json.dumps(rec))
        elif fmt == "gemini":
            um = {"promptTokenCount": tok["input"] + tok["cache_read"],
                  "candidatesTokenCount": tok["output"] - tok["reasoning"],
                  "totalTokenCount": 0}
            if tok["cache_read"]:
                um["cachedContentTokenCount"] = tok["cache_read"]
            if tok["reasoning"]:
                um["thoughtsTokenCount"] = tok["reasoning"]
            resp_id = self.uid("g")
            when = env_time(rnd, t)
            rec = {"logged_at": when, "agent": agent, "team": team,
                   "api": "gemini", "http_status": 200,
                   "response": {"candidates": [], "usageMetadata": um,
                                "modelVersion": name, "responseId": resp_id}}
            if prov == "vertex_ai":
                rec["api"] = "vertex"
                if rnd.random() < 0.5:
                    # Vertex's own creation time wins over the envelope's
                    rec["response"]["createTime"] = t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
                    rec["logged_at"] = iso_offset(rnd, t + dt.timedelta(
                        seconds=rnd.randint(0, 7200)))
                traffic = rnd.choice(["ON_DEMAND"] * 4 + ["ON_DEMAND_PRIORITY",
                                                          "ON_DEMAND_FLEX", None])
                if traffic:
                    um["trafficType"] = traffic
                tier = {"ON_DEMAND_PRIORITY": "priority",
                        "ON_DEMAND_FLEX": "flex"}.get(traffic, "standard")
                ll = LITELLM[gid]
            if stream:
                # growing usage; the cached count on the last chunk only
                n = rnd.randint(2, 4)
                for i in range(1, n):
                    part = {"promptTokenCount": um["promptTokenCount"],
                            "candidatesTokenCount": um["candidatesTokenCount"] * i // n,
                            "totalTokenCount": 0}
                    if "cachedContentTokenCount" in um and rnd.random() < 0.5:
                        part["cachedContentTokenCount"] = um["cachedContentTokenCount"]
                        if rnd.random() < 0.5:
                            del rec["response"]["usageMetadata"]["cachedContentTokenCount"]
                    c = json.loads(json.dumps(rec))
                    c["response"]["usageMetadata"] = part
                    lines.append(json.dumps(c))
            lines.append(json.dumps(rec))
        elif fmt == "bedrock":
            inp = {"inputContentType": "application/json",
                   "inputTokenCount": tok["input"]}
            if tok["cache_read"] or rnd.random() < 0.5:
                inp["cacheReadInputTokenCount"] = tok["cache_read"]
            if tok["cache_write"] or rnd.random() < 0.5:
                inp["cacheWriteInputTokenCount"] = tok["cache_write"]
            rec = {"schemaType": "ModelInvocationLog", "schemaVersion": "1.0",
                   "timestamp": t.strftime("%Y-%m-%dT%H:%M:%SZ"),
                   "accountId": "123456789012",
                   "identity": {"arn": "arn:aws:sts::123456789012:assumed-role/x/y"},
                   "region": "us-east-1", "requestId": self.uid("b-"),
                   "operation": "Converse", "modelId": name, "input": inp,
                   "output": {"outputContentType": "application/json",
                              "outputTokenCount": tok["output"]},
                   "requestMetadata": {"team": team, "agent": agent}}
            tok["reasoning"] = 0
            t = t.replace(microsecond=0)
            lines.append(json.dumps(rec))
        elif fmt == "helicone":
            tok["reasoning"] = 0
            status = rnd.choice([200] * 9 + [500])
            error = status >= 400
            props = {"agent": agent, "team": team}
            if rnd.random() < 0.3:
                logged_cost = Decimal(rnd.randint(1, 10 ** 6)) / Decimal(10 ** 6)
            lt = t.replace(microsecond=(t.microsecond // 1000) * 1000)
            t = lt
            row = {"response_id": self.uid("h-"),
                   "response_created_at": iso_z(lt + dt.timedelta(seconds=3)),
                   "response_status": str(status),
                   "request_created_at": iso_z(lt), "request_body": "",
                   # the exporter escapes object values twice
                   "request_properties": json.dumps(props).replace('"', '""'),
                   "request_user_id": "cust_1", "model": name,
                   "prompt_tokens": str(tok["input"]),
                   "completion_tokens": str(tok["output"]), "latency": "100",
                   "cost": str(logged_cost) if logged_cost else ""}
            lines.append(row)
            if error:
                logged_cost = None   # the catalog prices a failed call
        elif fmt == "helicone-jsonl":
            # Helicone's API rows: provider in capitals; OpenAI's and
            # Google's prompt counts include their cached tokens,
            # Anthropic's do not
            tok["reasoning"] = 0
            status = rnd.choice([200] * 9 + [500])
            error = status >= 400
            lt = t.replace(microsecond=(t.microsecond // 1000) * 1000)
            t = lt
            prompt = tok["input"]
            if prov != "anthropic":
                prompt += tok["cache_read"] + tok["cache_write"]
            row = {"response_id": self.uid("h-"),
                   "response_created_at": iso_z(lt + dt.timedelta(seconds=2)),
                   "response_status": status, "response_model": name,
                   "request_id": self.uid("hr-"),
                   "request_created_at": iso_z(lt), "request_body": {},
                   "request_user_id": "cust_9",
                   "request_properties": {"agent": agent, "team": team},
                   "request_model": name, "provider": prov.upper(),
                   "total_tokens": 0, "prompt_tokens": prompt,
                   "prompt_cache_write_tokens": tok["cache_write"],
                   "prompt_cache_read_tokens": tok["cache_read"],
                   "completion_tokens": tok["output"], "model": name}
            if rnd.random() < 0.3:
                logged_cost = Decimal(rnd.randint(1, 10 ** 6)) / Decimal(10 ** 6)
                row["costUSD"] = float(logged_cost)
            lines.append(json.dumps(row))
            if error:
                logged_cost = None   # the catalog prices a failed call
        elif fmt == "litellm":
            tok["reasoning"] = 0
            status = "success"
            if rnd.random() < 0.05:
                status, error = "failure", True
            uo = {"prompt_tokens": tok["input"] + tok["cache_read"] + tok["cache_write"],
                  "completion_tokens": tok["output"]}
            if prov == "anthropic":
                uo["prompt_tokens"] += tok["cache_write_1h"]
                uo["cache_read_input_tokens"] = tok["cache_read"]
                uo["cache_creation_input_tokens"] = tok["cache_write"] + tok["cache_write_1h"]
                if tok["cache_write_1h"] or rnd.random() < 0.3:
                    uo["cache_creation"] = {
                        "ephemeral_5m_input_tokens": tok["cache_write"],
                        "ephemeral_1h_input_tokens": tok["cache_write_1h"]}
            else:
                uo["prompt_tokens_details"] = {"cached_tokens": tok["cache_read"]}
                uo["cache_creation_input_tokens"] = tok["cache_write"]
            meta = {"status": status, "usage_object": uo,
                    "user_api_key_team_alias": team,
                    "spend_logs_metadata": {"agent": agent}}
            spend = 0
            if rnd.random() < 0.3:
                logged_cost = Decimal(rnd.randint(1, 10 ** 9)) / Decimal(10 ** 9)
                spend = logged_cost
            lt = t.replace(microsecond=(t.microsecond // 1000) * 1000)
            t = lt
            row = {"request_id": self.uid("chatcmpl-"), "call_type": "acompletion",
                   "spend": str(spend), "total_tokens": 0,
                   "prompt_tokens": uo["prompt_tokens"],
                   "completion_tokens": tok["output"],
                   "startTime": lt.strftime("%Y-%m-%d %H:%M:%S.") + "%03d" % (lt.microsecond // 1000),
                   "model": name, "custom_llm_provider": prov,
                   "metadata": json.dumps(meta), "cache_hit": "False",
                   "status": status}
            lines.append(row)
            if error:
                logged_cost = None   # the catalog prices a failed call
            if not error and rnd.random() < 0.1:
                # a cache hit: one more request, no tokens, no cost
                hit = dict(row, request_id=row["request_id"] + "_cache_hit%d" % int(t.timestamp()),
                           spend="0.0", cache_hit="True")
                self.events.append({"t": t, "provider": prov, "model": name,
                                    "agent": agent, "label": team, "error": False,
                                    "tok": {f: 0 for f in FIELDS + ["reasoning"]},
                                    "unpriced": False, "cost": 0})
                lines.append(hit)
        if logged_cost:
            cost = logged_cost * PICO
            assert cost == int(cost)
        else:
            cost = price(model, t.astimezone(dt.timezone.utc).strftime("%Y-%m-%d"),
                         tok, tier, ll, factor)
            if cost is not None and not any(tok[f] for f in FIELDS):
                cost = 0
        ev = {"t": t, "provider": prov, "model": rname, "agent": agent,
              "label": team, "error": error, "tok": tok, "tier": tier,
              "okey": (prov, gid) if factor == 1 else None,
              "logged": logged_cost * PICO if logged_cost else None,
              "unpriced": cost is None and any(tok[f] for f in FIELDS),
              "cost": int(cost or 0)}
        self.events.append(ev)
        group = []
        for line in lines:
            group += [line] * copies
        # a record and its copies or retries stay in one file: request ids
        # are deduplicated within a run (DESIGN 3), not across runs
        self.add(fmt, group)


THRESHOLDS = [32001, 128001, 200001, 256001, 272001, 512001]


def make_prices(rnd, path):
    """A random prices CSV (DESIGN 7) for some models: a price history,
    long-context rows at thresholds the built-in catalog has (so that
    --reprice may use it), service tiers, empty rates; returns
    {(provider, model): [row dicts]}."""
    out = {}
    cands = sorted({(p, g) for p, n, gp, g in MODELS if g != "claude-opus-4-6"})
    cols = ["provider", "model", "from", "input", "output", "cache_read",
            "cache_write", "cache_write_1h", "reasoning", "min_input_tokens", "tier"]
    lines = [",".join(cols)]

    def r6():
        # USD per 1M tokens, up to 6 decimals
        k = rnd.choice([6, 6, 3, 2, 0])
        return format((Decimal(rnd.randint(0, 40 * 10 ** k)) / Decimal(10) ** k
                       ).normalize(), "f")

    spell = {"google": ["google", "Google", "gemini"], "bedrock": ["bedrock", "aws"],
             "vertex_ai": ["vertex_ai", "vertex"], "openai": ["openai", "OpenAI"],
             "anthropic": ["anthropic", "Anthropic"]}
    for key in rnd.sample(cands, rnd.randint(1, 5)):
        if rnd.random() < 0.2:
            # a row for any provider: the model under every provider
            # (docs/PRICES.md, lookup step 2), unless one names it
            key = ("", key[1])
            if key in out:
                continue
        written = rnd.choice(spell[key[0]]) if key[0] else ""
        rows = []
        dates = [""] + sorted(rnd.sample(["2025-06-10", "2025-09-01", "2026-03-13",
                                          "2026-07-30", "2026-09-01", "2027-01-01",
                                          "2026-01-15"], rnd.randint(0, 2)))
        tiers = ["standard"] + rnd.sample(["batch", "flex", "priority"], rnd.randint(0, 2))
        for tr in tiers:
            mins = [0] + sorted(rnd.sample(THRESHOLDS, rnd.randint(0, 2)))
            for frm in dates:
                for mi in mins:
                    row = {"provider": key[0], "model": key[1], "from": frm,
                           "input": r6(), "output": r6(),
                           "cache_read": r6() if rnd.random() < 0.7 else "",
                           "cache_write": r6() if rnd.random() < 0.7 else "",
                           "cache_write_1h": r6() if rnd.random() < 0.5 else "",
                           "reasoning": r6() if rnd.random() < 0.3 else "",
                           "min_input_tokens": mi or "", "tier": tr}
                    rows.append(row)
                    lines.append(",".join(str(row[c]) if c != "provider" else written
                                          for c in cols))
        out[key] = rows
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return out


def price_override(rows, utc_day, tok, tier):
    """Exact pico-dollars from prices-CSV rows, None when unpriced."""
    rows = [r for r in rows if r["tier"] == tier]
    vs = sorted({r["from"] for r in rows if r["from"] <= utc_day})
    if not vs:
        return None
    total_input = tok["input"] + tok["cache_read"] + tok["cache_write"] + \
        tok["cache_write_1h"]
    best = None
    for r in rows:
        if r["from"] == vs[-1] and (r["min_input_tokens"] or 0) <= total_input:
            if best is None or (r["min_input_tokens"] or 0) > (best["min_input_tokens"] or 0):
                best = r
    if best is None:
        return None
    best = {k: Decimal(v) if k in FIELDS + ["reasoning"] and v != "" else v
            for k, v in best.items()}
    rt = {"input": best["input"], "output": best["output"]}
    rt["cache_read"] = best["cache_read"] if best["cache_read"] != "" else rt["input"]
    rt["cache_write"] = best["cache_write"] if best["cache_write"] != "" else rt["input"]
    rt["cache_write_1h"] = best["cache_write_1h"] if best["cache_write_1h"] != "" \
        else rt["cache_write"]
    rt["reasoning"] = best["reasoning"] if best["reasoning"] != "" else rt["output"]
    cost = Decimal(0)
    for f in ["input", "cache_read", "cache_write", "cache_write_1h"]:
        cost += tok[f] * rt[f]
    cost += (tok["output"] - tok["reasoning"]) * rt["output"] + tok["reasoning"] * rt["reasoning"]
    cost *= 1000000
    assert cost == int(cost)
    return int(cost)


def override_events(events, prices):
    """The events priced as with --prices: costs the logs report stay."""
    out = []
    for ev in events:
        ev = dict(ev)
        rows = None
        if ev.get("okey"):
            rows = prices.get(ev["okey"], prices.get(("", ev["okey"][1])))
        if rows is not None and ev["logged"] is None:
            tok = ev["tok"]
            c = price_override(rows, ev["t"].astimezone(dt.timezone.utc).strftime("%Y-%m-%d"),
                               tok, ev["tier"])
            has = any(tok[f] for f in FIELDS)
            ev["unpriced"] = c is None and has
            ev["cost"] = (c or 0) if has else 0
        out.append(ev)
    return out


def compress(rnd, p):
    """The file compressed (or left plain); returns its new path."""
    import bz2
    import gzip
    import lzma
    kind = rnd.choice(["", "", "", "gz", "bz2", "xz", "zst"])
    if not kind or (kind == "zst" and not shutil.which("zstd")):
        return p
    with open(p, "rb") as f:
        data = f.read()
    q = p + "." + kind
    if kind == "zst":
        subprocess.run(["zstd", "-q", "-f", p, "-o", q], check=True)
    else:
        mod = {"gz": gzip, "bz2": bz2, "xz": lzma}[kind]
        with open(q, "wb") as f:
            f.write(mod.compress(data))
    os.unlink(p)
    return q


def archive(rnd, d, paths):
    """Some of the files packed into one .tar.gz or .zip."""
    import tarfile
    import zipfile
    take = paths[:rnd.randint(1, len(paths))]
    n = len(os.listdir(d))
    if rnd.random() < 0.5:
        a = os.path.join(d, "pack%d.tar.gz" % n)
        with tarfile.open(a, "w:gz") as t:
            for p in take:
                t.add(p, arcname=os.path.relpath(p, d))
    else:
        a = os.path.join(d, "pack%d.zip" % n)
        with zipfile.ZipFile(a, "w", zipfile.ZIP_DEFLATED) as z:
            for p in take:
                z.write(p, os.path.relpath(p, d))
    for p in take:
        os.unlink(p)
    return [a] + paths[len(take):]


def write_files(gen, d, rnd):
    """Each format's lines into one or more files; returns ingest batches."""
    os.makedirs(d, exist_ok=True)
    paths = []
    for fmt, lines in sorted(gen.files.items()):
        k = rnd.randint(1, 3)
        groups = [g[i::k] for i in range(k) for g in [lines]]
        for i, gs in enumerate(groups):
            chunk = [line for g in gs for line in g]
            if not chunk:
                continue
            if fmt == "litellm" and rnd.random() < 0.3:
                # LiteLLM_SpendLogs as JSON lines: numbers as numbers,
                # metadata an object or its JSON text (a jsonb column)
                p = os.path.join(d, "%s-%d.jsonl" % (fmt, i))
                with open(p, "w", encoding="utf-8") as f:
                    for row in chunk:
                        o = dict(row)
                        for k in ("total_tokens", "prompt_tokens", "completion_tokens"):
                            o[k] = int(o[k])
                        o["spend"] = float(Decimal(o["spend"]))
                        if rnd.random() < 0.5:
                            o["metadata"] = json.loads(o["metadata"])
                        o["cache_hit"] = o["cache_hit"] == "True"
                        f.write(json.dumps(o) + "\n")
            elif fmt in ("litellm", "helicone"):
                p = os.path.join(d, "%s-%d.csv" % (fmt, i))
                cols = list(chunk[0].keys())
                with open(p, "w", newline="", encoding="utf-8") as f:
                    w = csv.DictWriter(f, cols, quoting=csv.QUOTE_ALL
                                       if fmt == "helicone" else csv.QUOTE_MINIMAL)
                    w.writeheader()
                    w.writerows(chunk)
            else:
                sub = os.path.join(d, fmt)
                os.makedirs(sub, exist_ok=True)
                p = os.path.join(sub, "%d.jsonl" % i)
                with open(p, "w", encoding="utf-8") as f:
                    f.write("\n".join(chunk) + "\n")
            paths.append(p)
    rnd.shuffle(paths)
    if paths and rnd.random() < 0.15:
        paths = archive(rnd, d, paths)
    paths = [compress(rnd, p) if not p.endswith((".zip", ".tar.gz")) else p
             for p in paths]
    batches = []
    while paths:
        n = rnd.randint(1, len(paths))
        batches.append(paths[:n])
        paths = paths[n:]
    if batches and rnd.random() < 0.3:
        batches.append(list(rnd.choice(batches)))   # the same content again
    return batches


# ---------------------------------------------------------------- oracle

def group_key(ev, keys, tz):
    local = ev["t"].astimezone(tz)
    out = []
    for k in keys:
        if k == "day":
            out.append(local.strftime("%Y-%m-%d"))
        elif k == "week":
            y, w, _ = local.isocalendar()
            out.append("%04d-W%02d" % (y, w))
        elif k == "month":
            out.append(local.strftime("%Y-%m"))
        else:
            out.append(ev[k])
    return tuple(out)


def expect(events, keys, tz, since, until):
    rows = {}
    for ev in events:
        day = ev["t"].astimezone(tz).strftime("%Y-%m-%d")
        if not since <= day <= until:
            continue
        r = rows.setdefault(group_key(ev, keys, tz), {
            "requests": 0, "errors": 0, "input_tokens": 0, "output_tokens": 0,
            "cache_read_tokens": 0, "cache_write_tokens": 0,
            "cache_write_1h_tokens": 0,
            "reasoning_tokens": 0, "cost": 0, "unpriced": 0})
        r["requests"] += 1
        r["errors"] += ev["error"]
        tk = ev["tok"]
        r["input_tokens"] += tk["input"]
        r["output_tokens"] += tk["output"]
        r["cache_read_tokens"] += tk["cache_read"]
        # cache_write_tokens is every write, cache_write_1h_tokens the
        # 1-hour ones among them
        r["cache_write_tokens"] += tk["cache_write"] + tk["cache_write_1h"]
        r["cache_write_1h_tokens"] += tk["cache_write_1h"]
        r["reasoning_tokens"] += tk["reasoning"]
        r["cost"] += ev["cost"]
        r["unpriced"] += ev["unpriced"]
    return rows


def backfill(rnd, gen, d, store, tz, extra_ingest, batches):
    """ingest --replace F..T of new logs (and maybe the old ones again):
    the days F..T (store time zone) then hold what the backfill read of
    them, the other days what they held."""
    gen2 = Gen(rnd, GENAI)
    gen2.n = 10 ** 7
    for _ in range(rnd.randint(1, 60)):
        gen2.one()
    days = sorted(ev["t"].astimezone(tz).strftime("%Y-%m-%d")
                  for ev in gen.events + gen2.events)
    f, t = sorted([rnd.choice(days), rnd.choice(days)])
    paths = [p for b in write_files(gen2, os.path.join(d, "logs2"), rnd) for p in b]
    again = rnd.random() < 0.3
    if again:
        paths += sorted({p for b in batches for p in b})
        rnd.shuffle(paths)
    cmd = [BURNRATE, "--store", store, "--quiet", "ingest", "--replace",
           "%s..%s" % (f, t), "--rejects", os.path.join(d, "rejects2")] + \
        extra_ingest + paths
    p = run(cmd)
    errs = []
    if p.returncode:
        errs.append("backfill %s..%s rc %d: %s" % (f, t, p.returncode, p.stderr[-500:]))

    def inside(ev):
        return f <= ev["t"].astimezone(tz).strftime("%Y-%m-%d") <= t
    out = [ev for ev in gen.events if not inside(ev)]
    out += [ev for ev in gen2.events + (gen.events if again else []) if inside(ev)]
    return out, errs


def check_cmd(rnd, d, events, paths, prices):
    """burnrate check: a baseline of the logs, then the logs against it;
    its current spend per group (days, weeks and months in UTC) against
    the oracle."""
    keys = rnd.sample(["day", "week", "month", "provider", "model", "agent",
                       "label"], rnd.randint(1, 2))
    base = os.path.join(d, "baseline.json")
    p = run([BURNRATE, "--quiet", "check", "--write-baseline", base, "--by",
             ",".join(keys)] + prices + paths)
    if p.returncode not in (0, 3):
        return ["check --write-baseline rc %d: %s" % (p.returncode, p.stderr[-300:])]
    p = run([BURNRATE, "--quiet", "check", "--baseline", base, "--format", "json",
             "--allow-unpriced"] + prices + paths)
    ctx = "check --by %s" % ",".join(keys)
    if p.returncode:
        return ["%s: rc %d: %s" % (ctx, p.returncode, p.stderr[-300:])]
    js = json.loads(p.stdout)
    exp = expect(events, keys, ZoneInfo("UTC"), "0000-01-01", "9999-12-31")
    errs = []
    got = {tuple(g[k] for k in keys): g["current"] for g in js["groups"]}
    for k in sorted(set(exp) | set(got)):
        e, g = exp.get(k), got.get(k)
        if e is None or g is None:
            errs.append("%s: group %s expected %s got %s" % (ctx, k, e, g))
            continue
        tokens = e["input_tokens"] + e["output_tokens"] + e["cache_read_tokens"] + \
            e["cache_write_tokens"]
        if (e["requests"], tokens, usd(e["cost"])) != \
                (g["requests"], g["tokens"], Decimal(str(g["cost_usd"]))):
            errs.append("%s: group %s expected %s %s %s got %s" % (
                ctx, k, e["requests"], tokens, usd(e["cost"]), g))
    tot = sum(e["cost"] for e in exp.values())
    if usd(tot) != Decimal(str(js["totals"]["current"]["cost_usd"])):
        errs.append("%s: total expected %s got %s" % (ctx, usd(tot), js["totals"]["current"]))
    return errs


def run(cmd, **kw):
    p = subprocess.run(cmd, capture_output=True, text=True, **kw)
    return p


def one_case(seed, nrec, keep):
    rnd = random.Random(seed)
    gen = Gen(rnd, GENAI)
    for _ in range(rnd.randint(1, nrec)):
        gen.one()
    tzname = rnd.choice(ZONES)
    tz = ZoneInfo(tzname)
    d = tempfile.mkdtemp(prefix="vendordiff.")
    errs = []
    try:
        store = os.path.join(d, "store")
        logs = os.path.join(d, "logs")
        os.makedirs(logs)
        batches = write_files(gen, logs, rnd)
        p = run([BURNRATE, "--store", store, "--quiet", "init", "--timezone", tzname])
        if p.returncode:
            return ["init: %s" % p.stderr]
        mode = rnd.choice(["builtin", "builtin", "prices", "reprice"])
        events = gen.events
        extra_ingest, extra_report = [], []
        if mode != "builtin":
            pfile = os.path.join(d, "prices.csv")
            prices = make_prices(rnd, pfile)
            if mode == "prices":
                extra_ingest = ["--prices", pfile]
            else:
                extra_report = ["--reprice", "--prices", pfile]
        for b in batches:
            cmd = [BURNRATE, "--store", store, "--quiet", "ingest",
                   "--rejects", os.path.join(d, "rejects")] + extra_ingest + b
            if rnd.random() < 0.3:
                cmd[5:5] = ["--jobs", str(rnd.randint(1, 3))]
            p = run(cmd)
            if p.returncode:
                errs.append("ingest rc %d: %s" % (p.returncode, p.stderr[-500:]))
            if os.path.exists(os.path.join(d, "rejects")) and \
                    os.path.getsize(os.path.join(d, "rejects")):
                with open(os.path.join(d, "rejects")) as f:
                    errs.append("rejects: " + f.read()[:500])
        if errs:
            return errs
        if rnd.random() < 0.3:
            errs += check_cmd(rnd, d, gen.events if mode == "builtin" else
                              override_events(gen.events, prices),
                              sorted({p for b in batches for p in b}),
                              ["--prices", pfile] if mode != "builtin" else [])
            if errs:
                return errs
        raw = gen.events
        if rnd.random() < 0.3:
            raw, e = backfill(rnd, gen, d, store, tz, extra_ingest, batches)
            errs += e
            if errs:
                return errs
        if rnd.random() < 0.25:
            # compaction changes nothing a report shows
            for sub in (["compact"], ["verify"]):
                p = run([BURNRATE, "--store", store, "--quiet"] + sub)
                if p.returncode:
                    return ["%s rc %d: %s" % (sub[0], p.returncode, p.stderr[-300:])]
        events = raw if mode == "builtin" else override_events(raw, prices)
        days = sorted(ev["t"].astimezone(tz).strftime("%Y-%m-%d") for ev in raw)
        for _ in range(3):
            a, b = sorted([rnd.choice(days), rnd.choice(days)])
            if rnd.random() < 0.2:
                a, b = days[0], days[-1]
            keys = rnd.sample(KEYS, rnd.randint(1, 3))
            exp = expect(events, keys, tz, a, b)
            asof = b if rnd.random() < 0.7 else \
                rnd.choice([x for x in days if a <= x <= b])
            base = [BURNRATE, "--store", store, "--quiet", "report", "--since", a,
                    "--until", b, "--as-of", asof, "--by", ",".join(keys)] + extra_report
            budgets = make_budgets(rnd, events, os.path.join(d, "budgets.csv"), tz, asof)
            if asof < b:
                # data after --as-of is ignored
                exp = expect(events, keys, tz, a, asof)
            p = run(base + ["--format", "json", "--budgets", budgets[0]])
            if p.returncode:
                errs.append("report rc %d: %s" % (p.returncode, p.stderr))
                continue
            js = json.loads(p.stdout)
            got = {}
            for r in js["rows"]:
                got[tuple(r[k] for k in keys)] = r
            ctx = "tz=%s since=%s until=%s as-of=%s by=%s %s" % (
                tzname, a, asof, b, ",".join(keys), mode)
            for k in sorted(set(exp) | set(got)):
                e, g = exp.get(k), got.get(k)
                if e is None or g is None:
                    errs.append("%s: row %s expected %s got %s" % (ctx, k, e, g))
                    continue
                for f in COUNTS:
                    if e[f] != g[f]:
                        errs.append("%s: row %s %s expected %s got %s" % (ctx, k, f, e[f], g[f]))
                if usd(e["cost"]) != Decimal(str(g["cost_usd"])):
                    errs.append("%s: row %s cost expected %s got %s" % (
                        ctx, k, usd(e["cost"]), g["cost_usd"]))
                if g.get("unpriced_requests") != e["unpriced"]:
                    errs.append("%s: row %s unpriced expected %s got %s" % (
                        ctx, k, e["unpriced"], g.get("unpriced_requests")))
            for f in COUNTS:
                if sum(e[f] for e in exp.values()) != js["totals"].get(f):
                    errs.append("%s: totals %s expected %s got %s" % (
                        ctx, f, sum(e[f] for e in exp.values()), js["totals"].get(f)))
            tot = sum(e["cost"] for e in exp.values())
            if usd(tot) != Decimal(str(js["totals"]["cost_usd"])):
                errs.append("%s: total cost expected %s got %s" % (
                    ctx, usd(tot), js["totals"]["cost_usd"]))
            if sum(e["requests"] for e in exp.values()) != js["totals"]["requests"]:
                errs.append("%s: total requests" % ctx)
            errs += check_budgets(js, budgets[1], events, tz, asof, ctx)
            errs += check_mtd(js, events, tz, asof, ctx)
            if mode == "reprice":
                # the cost as charged: the ingest's (built-in) prices
                act = expect(raw, keys, tz, a, min(b, asof))
                for k, g in got.items():
                    if k in act and usd(act[k]["cost"]) != Decimal(str(g.get("actual_cost_usd"))):
                        errs.append("%s: row %s actual cost expected %s got %s" % (
                            ctx, k, usd(act[k]["cost"]), g.get("actual_cost_usd")))
            # CSV: the same columns as rows
            p = run(base + ["--format", "csv"])
            rows = list(csv.DictReader(io.StringIO(p.stdout)))
            if len(rows) != len(js["rows"]):
                errs.append("%s: csv %d rows, json %d" % (ctx, len(rows), len(js["rows"])))
            for cr, jr in zip(rows, js["rows"]):
                for col, v in jr.items():
                    if col not in cr:
                        errs.append("%s: csv lacks %s" % (ctx, col))
                    elif isinstance(v, (int, float)) and not isinstance(v, bool):
                        if Decimal(cr[col]) != Decimal(str(v)):
                            errs.append("%s: csv %s=%s json %s" % (ctx, col, cr[col], v))
                    elif cr[col] != str(v):
                        errs.append("%s: csv %s=%r json %r" % (ctx, col, cr[col], v))
            if XLSX and rnd.random() < 0.3:
                x = os.path.join(d, "r.xlsx")
                p = run(base + ["--format", "xlsx", "--output", x])
                if p.returncode:
                    errs.append("xlsx rc %d %s" % (p.returncode, p.stderr))
                else:
                    errs += check_xlsx(x, js, keys, ctx)
                    errs += check_xlsx_sheets(x, events, tz, a, min(b, asof), ctx)
                    if b == asof:
                        errs += check_daily_projection(x, js, asof, ctx)
        return errs
    finally:
        if keep and (errs or keep == "all"):
            dst = os.path.join(keep, "case-%d" % seed)
            shutil.rmtree(dst, ignore_errors=True)
            shutil.copytree(d, dst)
        shutil.rmtree(d, ignore_errors=True)


def make_budgets(rnd, events, path, tz, asof):
    """A random budgets CSV (forecast off: the status then depends on
    spent alone), some limits set so that spent is just below, at or just
    above 75, 90 or 100 percent; returns (path, [(name, scope dict,
    period, limit)])."""
    out = []
    lines = ["name,scope,period,limit_usd,thresholds,forecast,recipients"]
    for i in range(rnd.randint(1, 5)):
        scope = {}
        for k in rnd.sample(["provider", "model", "agent", "label"], rnd.randint(0, 2)):
            scope[k] = rnd.choice(events)[k]
        period = rnd.choice(["daily", "weekly", "monthly"])
        limit = Decimal(rnd.randint(1, 5000)) / Decimal(rnd.choice([1, 10, 100, 1000]))
        spent = budget_spent(events, scope, period, tz, asof)
        if spent and rnd.random() < 0.5:
            pct = Decimal(rnd.choice([75, 90, 100])) + Decimal(rnd.choice(
                ["0", "-0.005", "0.005", "-0.0049", "-0.0051", "-0.000001", "0.000001"]))
            limit = (Decimal(spent) / PICO * 100 / pct).quantize(Decimal("0.000001"))
            if limit <= 0:
                limit = Decimal("0.000001")
        text = ";".join("%s=%s" % kv for kv in scope.items()) or "*"
        lines.append("b%d,%s,%s,%s,,no," % (i, text, period, limit))
        out.append(("b%d" % i, scope, period, limit))
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path, out


def period_of(day, period):
    d = dt.date.fromisoformat(day)
    if period == "daily":
        return d, d
    if period == "weekly":
        m = d - dt.timedelta(days=d.weekday())
        return m, m + dt.timedelta(days=6)
    first = d.replace(day=1)
    nxt = (first + dt.timedelta(days=32)).replace(day=1)
    return first, nxt - dt.timedelta(days=1)


def budget_spent(events, scope, period, tz, asof):
    lo, hi = period_of(asof, period)
    spent = 0
    for ev in events:
        day = ev["t"].astimezone(tz).date()
        if lo <= day <= hi and day <= dt.date.fromisoformat(asof) and \
                all(ev[k] == v for k, v in scope.items()):
            spent += ev["cost"]
    return spent


def check_budgets(js, budgets, events, tz, asof, ctx):
    errs = []
    got = {b["name"]: b for b in js.get("budgets", [])}
    for name, scope, period, limit in budgets:
        spent = budget_spent(events, scope, period, tz, asof)
        g = got.get(name)
        if g is None:
            errs.append("%s: budget %s missing" % (ctx, name))
            continue
        if usd(spent) != Decimal(str(g["spent_usd"])):
            errs.append("%s: budget %s %s %s spent expected %s got %s" % (
                ctx, name, scope, period, usd(spent), g["spent_usd"]))
        exact = Decimal(spent) / PICO / limit * 100
        u = exact.quantize(Decimal("0.01"), ROUND_HALF_UP)
        for th in (75, 90, 100):
            if exact < th <= u:
                u = Decimal(th) - Decimal("0.01")
        if u != Decimal(str(g["utilization_pct"])):
            errs.append("%s: budget %s utilization expected %s got %s" % (
                ctx, name, u, g["utilization_pct"]))
        st = "exceeded" if exact >= 100 else "critical" if exact >= 90 else \
            "warning" if exact >= 75 else "ok"
        if st != g["status"]:
            errs.append("%s: budget %s status expected %s got %s (%s%%)" % (
                ctx, name, st, g["status"], exact))
    return errs


def check_mtd(js, events, tz, asof, ctx):
    pj = js.get("projection") or {}
    first = asof[:8] + "01"
    mtd = sum(ev["cost"] for ev in events
              if first <= ev["t"].astimezone(tz).strftime("%Y-%m-%d") <= asof)
    if pj.get("month") != asof[:7]:
        return ["%s: projection month %s, as-of %s" % (ctx, pj.get("month"), asof)]
    if usd(mtd) != Decimal(str(pj.get("month_to_date_usd"))):
        return ["%s: month_to_date expected %s got %s" % (ctx, usd(mtd),
                                                          pj.get("month_to_date_usd"))]
    if not Decimal(str(pj["month_to_date_usd"])) <= Decimal(str(pj["low_usd"])) <= \
            Decimal(str(pj["projected_usd"])) <= Decimal(str(pj["high_usd"])):
        return ["%s: projection out of order %s" % (ctx, pj)]
    return []


def same_double(xv, d):
    """An XLSX number (a double) shows decimal d: the nearest double, as
    a spreadsheet can hold no more."""
    if xv is None:
        return False
    if abs(d) >= 10 ** 9:
        # 16 significant digits (README): the last may differ
        return abs(Decimal(repr(float(xv))) - d) <= abs(d) * Decimal("1e-15")
    return float(xv) == float(d)


def check_xlsx_sheets(path, events, tz, since, until, ctx):
    """The Summary totals and the Daily, By provider and By model sheets
    against the oracle."""
    import openpyxl
    wb = openpyxl.load_workbook(path, data_only=True)
    errs = []
    sheets = {"Daily": ["day"], "By provider": ["provider"], "By model": ["model"]}
    for name, keys in sheets.items():
        if name not in wb.sheetnames:
            errs.append("%s: xlsx lacks sheet %s" % (ctx, name))
            continue
        exp = expect(events, keys, tz, since, until)
        vals = list(wb[name].iter_rows(values_only=True))
        head = list(vals[0])
        seen = set()
        for xr in vals[1:]:
            if xr[0] is None:
                continue
            k = (str(xr[0]),)
            e = exp.get(k)
            if e is None:
                if any(xr[head.index(f)] for f in COUNTS if f in head):
                    errs.append("%s: xlsx %s row %s not expected" % (ctx, name, k))
                continue
            seen.add(k)
            for f in COUNTS:
                if f in head and xr[head.index(f)] != e[f]:
                    errs.append("%s: xlsx %s %s %s=%r expected %s" % (
                        ctx, name, k, f, xr[head.index(f)], e[f]))
            xv = xr[head.index("cost_usd")]
            if not same_double(xv, usd(e["cost"])):
                errs.append("%s: xlsx %s %s cost %r expected %s" % (ctx, name, k, xv, usd(e["cost"])))
        for k in set(exp) - seen:
            errs.append("%s: xlsx %s lacks %s" % (ctx, name, k))
    return errs


def check_daily_projection(path, js, asof, ctx):
    """README: when the period ends at --as-of, the Daily sheet has the
    month's days left at the projected rate, in whole micro-dollars that
    add up to the projection exactly."""
    import openpyxl
    wb = openpyxl.load_workbook(path, data_only=True)
    vals = list(wb["Daily"].iter_rows(values_only=True))
    head = list(vals[0])
    if "projected_usd" not in head:
        return ["%s: xlsx Daily lacks projected_usd" % ctx]
    pj = js["projection"]
    left = Decimal(0)
    days = []
    for xr in vals[1:]:
        day, v = xr[0], xr[head.index("projected_usd")]
        if v is not None and str(day) > asof:
            left += Decimal(repr(float(v))).quantize(Decimal("0.000001"))
            days.append(str(day))
    month_end = period_of(asof, "monthly")[1].isoformat()
    want = [(dt.date.fromisoformat(asof) + dt.timedelta(days=i + 1)).isoformat()
            for i in range((dt.date.fromisoformat(month_end) -
                            dt.date.fromisoformat(asof)).days)]
    errs = []
    if days != want:
        errs.append("%s: xlsx Daily projected days %s, want %s" % (ctx, days[:3], want[:3]))
    total = Decimal(str(pj["month_to_date_usd"])) + left
    if total != Decimal(str(pj["projected_usd"])):
        errs.append("%s: xlsx Daily: month to date %s + days left %s != projected %s" % (
            ctx, pj["month_to_date_usd"], left, pj["projected_usd"]))
    return errs


def check_xlsx(path, js, keys, ctx):
    import openpyxl
    wb = openpyxl.load_workbook(path, data_only=True)
    errs = []
    # the Summary sheet: the totals and the month's projection
    summ = {}
    for row in wb["Summary"].iter_rows(values_only=True):
        if row[0] is not None and row[0] not in summ:
            summ[row[0]] = row[1]
    for f, v in js["totals"].items():
        if f in summ and not same_double(summ[f], Decimal(str(v))):
            errs.append("%s: xlsx Summary %s=%r json %r" % (ctx, f, summ[f], v))
    for label, f in [("month to date", "month_to_date_usd"),
                     ("projected month total", "projected_usd")]:
        if not same_double(summ.get(label), Decimal(str(js["projection"][f]))):
            errs.append("%s: xlsx Summary %s=%r json %r" % (
                ctx, label, summ.get(label), js["projection"][f]))
    ws = wb["Rows"]
    vals = list(ws.iter_rows(values_only=True))
    head = list(vals[0])
    if len(vals) - 1 != len(js["rows"]):
        return ["%s: xlsx %d rows, json %d" % (ctx, len(vals) - 1, len(js["rows"]))]
    for xr, jr in zip(vals[1:], js["rows"]):
        for col, v in jr.items():
            if col not in head:
                errs.append("%s: xlsx lacks %s" % (ctx, col))
                continue
            xv = xr[head.index(col)]
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                if not same_double(xv, Decimal(str(v))):
                    errs.append("%s: xlsx %s=%r json %r" % (ctx, col, xv, v))
            elif str(xv) != str(v):
                errs.append("%s: xlsx %s=%r json %r" % (ctx, col, xv, v))
    return errs


def main(argv):
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--records", type=int, default=60)
    ap.add_argument("--keep")
    ap.add_argument("--progress", type=int, default=0,
                    help="print a line every N cases")
    a = ap.parse_args(argv)
    global GENAI, XLSX, LITELLM
    GENAI = load_genai()
    LITELLM = load_litellm()
    try:
        import openpyxl  # noqa: F401
        XLSX = True
    except ImportError:
        XLSX = False
    bad = 0
    for s in range(a.seed, a.seed + a.cases):
        if a.progress and (s - a.seed) % a.progress == 0 and s > a.seed:
            print("%d cases, %d with differences so far" % (s - a.seed, bad), flush=True)
        errs = one_case(s, a.records, a.keep)
        if errs:
            bad += 1
            print("case seed %d: %d differences" % (s, len(errs)))
            for e in errs[:8]:
                print("  " + e)
    print("%d cases, %d with differences" % (a.cases, bad))
    return 1 if bad else 0


GENAI = None
LITELLM = None
XLSX = False
if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
