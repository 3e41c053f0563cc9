#!/usr/bin/python3
"""gen_catalog.py - builds burnrate's built-in price catalog (data/catalog.csv)
and model aliases (data/aliases.csv) from the public LiteLLM and genai-prices
data in ../shared/pricing-sources. Python 3 standard library only; the output
is byte-for-byte deterministic for the same sources. docs/PRICES.md explains
every rule applied here.

Usage: /usr/bin/python3 tools/gen_catalog.py [--sources DIR] [--out DIR]
                                            [--report FILE]
"""

import argparse
import csv
import hashlib
import io
import json
import os
import re
import sys
from datetime import datetime, timezone
from decimal import Decimal, ROUND_HALF_EVEN

# The date of the LiteLLM copy. genai-prices versions are compared with
# LiteLLM's current prices as they stood on this day.
SNAPSHOT_DATE = "2026-07-24"
# A token price above $1,000 per 1M tokens is a unit error in the source
# (W&B lists Qwen3-235B at $10,000 where it charges $0.10); burnrate
# prices check refuses such rates too.
ABSURD_PER_TOKEN = 1e-3
# An embedding model bills input tokens only: the dearest text rate of
# either source is $0.80 per 1M (Vertex multimodalembedding). LiteLLM's
# Cohere embed-multilingual-light-v3.0 at $100 and TwelveLabs Marengo at
# $70 are per-1K prices written as per-token ones (Cohere lists $0.10).
ABSURD_EMBEDDING_PER_TOKEN = 1e-5

TIERS = ("standard", "batch", "flex", "priority")
RATE_COLS = ("input", "output", "cache_read", "cache_write", "cache_write_1h",
             "reasoning")
CATALOG_HEADER = ("provider", "model", "from") + RATE_COLS + (
    "min_input_tokens", "tier", "source")
ALIAS_HEADER = ("alias_provider", "alias_model", "provider", "model", "rule")
MAX_DECIMALS = 6
MAX_RATE = Decimal(1000000)  # br_rate_parse's cap, USD per 1M tokens

# ------------------------------------------------------------ providers

# LiteLLM litellm_provider -> canonical provider id. Values not listed map
# to themselves; every vertex_ai-* value maps to vertex_ai.
LITELLM_PROVIDERS = {
    "gemini": "google",
    "palm": "google",
    "vertex_ai": "vertex_ai",
    "bedrock": "bedrock",
    "bedrock_converse": "bedrock",
    "bedrock_mantle": "bedrock",
    "azure": "azure",
    "azure_text": "azure",
    "text-completion-openai": "openai",
    "together_ai": "together",
    "fireworks_ai": "fireworks",
    "cohere_chat": "cohere",
    "codestral": "mistral",
    "text-completion-codestral": "mistral",
    "text-completion-inception": "inception",
    "fireworks_ai-embedding-models": "fireworks",
}

# LiteLLM routing prefixes ("gemini/" in "gemini/gemini-2.5-pro") that are
# not the litellm_provider value itself.
LITELLM_ROUTES = {
    "azure_text": "azure",
    "amazon_nova": "amazon-nova",
    "bedrock_converse": "bedrock",
    "fireworks_ai-embedding-models": "fireworks_ai",
}

# Providers whose LiteLLM keys are unprefixed but which LiteLLM callers
# address as "<route>/<key>"; these spellings become prefix aliases.
LITELLM_CALLER_ROUTES = {
    "openai": "openai",
    "anthropic": "anthropic",
    "bedrock": "bedrock",
    "bedrock_converse": "bedrock",
    "gemini": "gemini",
    "vertex_ai-language-models": "vertex_ai",
}

# LiteLLM routes to one API of a provider, which serves only the models
# LiteLLM lists under them (Bedrock's OpenAI-compatible Mantle endpoint,
# the retired PaLM API): not spellings of the provider's other models.
LITELLM_NARROW_ROUTES = ("bedrock_mantle/", "palm/", "codestral/",
                         "text-completion-codestral/",
                         "text-completion-inception/")

# Prefixes a provider's own API puts before a model id: the Gemini API's
# resource name ("models/gemini-2.5-pro", as its SDKs and models.list
# spell it). Routes as LiteLLM's are (merge, step 6).
API_ROUTES = {"google": ["models/"]}

# genai-prices provider id -> canonical provider id (others map to
# themselves). genai-prices' "google" models are Gemini API prices (google),
# except Claude models, which only Vertex serves (vertex_ai); Vertex prices of
# Gemini models come from LiteLLM, as they differ (gemini-2.0-flash-001).
GENAI_PROVIDERS = {
    "aws": "bedrock",
    "x-ai": "xai",
    "moonshotai": "moonshot",
    "voyageai": "voyage",
}

BEDROCK_REGION = re.compile(r"^([a-z]{2}(-gov)?-[a-z]+-\d|\*)$")

# LiteLLM field names of the standard-tier base rates.
LITELLM_FIELDS = {
    "input": "input_cost_per_token",
    "output": "output_cost_per_token",
    "cache_read": "cache_read_input_token_cost",
    "cache_write": "cache_creation_input_token_cost",
    "cache_write_1h": "cache_creation_input_token_cost_above_1hr",
    "reasoning": "output_cost_per_reasoning_token",
}
TIER_SUFFIX = {"standard": "", "batch": "_batches", "flex": "_flex",
               "priority": "_priority"}
LC_SUFFIX = re.compile(r"_above_(\d+)k_tokens")

GENAI_FIELDS = {
    "input": "input_mtok",
    "output": "output_mtok",
    "cache_read": "cache_read_mtok",
    "cache_write": "cache_write_mtok",
    "cache_write_1h": "cache_write_1h_mtok",
    "reasoning": "output_reasoning_mtok",
}


class Stats:
    """Counters and example lists for the report and docs/PRICES.md."""

    def __init__(self):
        self.counts = {}
        self.lists = {}

    def add(self, key, n=1):
        self.counts[key] = self.counts.get(key, 0) + n

    def note(self, key, item):
        self.add(key)
        self.lists.setdefault(key, []).append(item)


class GenError(Exception):
    """A source or consistency problem that stops the generator."""


# ---------------------------------------------------------------- rates


def rate_from_per_token(x, stats):
    """Converts a LiteLLM per-token price (JSON number) exactly to USD per 1M
    tokens: Decimal(repr(x)) * 10**6, rounded half-even to 6 decimals when
    it has more (counted)."""
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise GenError("not a number: %r" % (x,))
    return limit_decimals(Decimal(repr(x)) * 1000000, stats)


def rate_from_per_mtok(x, stats):
    """Converts a genai-prices USD-per-1M price (JSON number) exactly."""
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise GenError("not a number: %r" % (x,))
    return limit_decimals(Decimal(repr(x)), stats)


def limit_decimals(d, stats):
    """Rounds d half-even to MAX_DECIMALS when it has more, counting it."""
    q = Decimal(1).scaleb(-MAX_DECIMALS)
    r = d.quantize(q, rounding=ROUND_HALF_EVEN)
    if r != d:
        stats.lists.setdefault("rounded_rates", [])
        if str(d) not in stats.lists["rounded_rates"]:
            stats.note("rounded_rates", str(d))
    if r < 0 or r > MAX_RATE:
        raise GenError("rate out of range: %s" % d)
    return r


def fmt_rate(d):
    """A plain decimal without exponent or trailing zeros ("2.5", "0", "15");
    None (unset) is the empty cell."""
    if d is None:
        return ""
    s = format(d.normalize(), "f")
    return "0" if s in ("-0", "") else s


# ------------------------------------------------------------- price rows


class Row:
    """One catalog row: the rates of (provider, model) from a day on, for one
    service tier and requests whose total input is at least min_input."""

    __slots__ = ("provider", "model", "start", "tier", "min_input", "rates",
                 "source")

    def __init__(self, start, tier, min_input, rates, source):
        self.provider = self.model = None
        self.start = start  # "" = always
        self.tier = tier
        self.min_input = min_input
        self.rates = rates  # col -> Decimal or None
        self.source = source

    def rate_key(self):
        return (self.tier, self.min_input) + tuple(
            self.rates.get(c) for c in RATE_COLS)

    def sort_key(self):
        return (self.provider, self.model, self.start,
                TIERS.index(self.tier), self.min_input)


FALLBACK = {"cache_read": "input", "cache_write": "input",
            "cache_write_1h": "cache_write", "reasoning": "output"}


def effective(rates, col):
    """The rate a column bills at, following the empty-cell fallbacks."""
    v = rates.get(col)
    if v is None and col in FALLBACK:
        return effective(rates, FALLBACK[col])
    return v


def current_standard(rows):
    """{min_input: rates} of the standard-tier version in force on
    SNAPSHOT_DATE, and that version's from."""
    starts = sorted({r.start for r in rows if r.tier == "standard"
                     and r.start <= SNAPSHOT_DATE})
    if not starts:
        return {}, None
    return ({r.min_input: r.rates for r in rows if r.tier == "standard"
             and r.start == starts[-1]}, starts[-1])


def compare_prices(g_rows, l_rows):
    """Compares the standard-tier versions genai-prices (g) and LiteLLM (l)
    have in force on SNAPSHOT_DATE, row by row (base and long-context
    thresholds) and rate by rate. Returns (status, lite_extra): status is
    "conflict" when a rate both state differs, "compatible" when one source
    states a rate or threshold the other is silent on and whose billing
    differs from the silent side's fallback, else "same"; lite_extra tells
    whether LiteLLM states something genai-prices is silent on."""
    g, _ = current_standard(g_rows)
    l, _ = current_standard(l_rows)
    conflict = lite_extra = genai_extra = False
    for m in g.keys() | l.keys():
        if m not in g:
            lite_extra = True
            continue
        if m not in l:
            genai_extra = True
            continue
        for c in RATE_COLS:
            gv, lv = g[m].get(c), l[m].get(c)
            if gv is not None and lv is not None:
                conflict |= gv != lv
            elif lv is not None:
                lite_extra |= effective(g[m], c) != lv
            elif gv is not None:
                genai_extra |= effective(l[m], c) != gv
    if conflict:
        return "conflict", lite_extra
    return ("compatible" if lite_extra or genai_extra else "same"), lite_extra


def fill_silent(g_rows, l_rows, stats):
    """genai-prices rows completed from LiteLLM where genai-prices is silent:
    in the version in force on SNAPSHOT_DATE, each rate genai-prices leaves
    empty takes LiteLLM's stated rate (when that bills differently), and
    when no genai-prices version has a long-context row LiteLLM's long-
    context rows are added (source litellm). Only called when the two do
    not conflict."""
    g, start = current_standard(g_rows)
    l, _ = current_standard(l_rows)
    out = []
    for r in g_rows:
        if r.tier != "standard" or r.start != start or r.min_input not in l:
            out.append(r)
            continue
        rates = dict(r.rates)
        lr = l[r.min_input]
        for c in RATE_COLS:
            if rates[c] is None and lr.get(c) is not None and effective(
                    rates, c) != lr[c]:
                rates[c] = lr[c]
                stats.add("genai_rates_filled_from_litellm")
        out.append(Row(r.start, r.tier, r.min_input, rates, r.source))
    if not any(r.min_input for r in g_rows):
        for m in sorted(l):
            if m:
                out.append(Row(start, "standard", m,
                               long_context_of(l[m], l.get(0, {}),
                                               g.get(0, {}), stats),
                               "litellm"))
                stats.add("genai_long_context_rows_from_litellm")
    return out


def long_context_of(rates, lite_base, genai_base, stats):
    """LiteLLM's long-context rates, for a genai-prices model, without a
    rate LiteLLM states for no request below the threshold that is below
    genai-prices' base rate: it cannot be told from LiteLLM's own base,
    and a long-context request would bill below a short one (OpenRouter's
    google/gemini-3.1-pro-preview: a 5-minute write at $0.25 above 200k,
    at genai-prices' $0.375 below). The base rate applies there
    (complete_long_context)."""
    rates = dict(rates)
    for c in RATE_COLS:
        if (rates.get(c) is not None and lite_base.get(c) is None
                and genai_base.get(c) is not None
                and rates[c] < genai_base[c]):
            rates[c] = None
            stats.add("litellm_long_context_rates_below_genai_base_dropped")
    return rates


def complete_long_context(rows, stats=None):
    """Each long-context row with the rates its source does not state for
    that threshold taken from its version's base row (same from, same
    tier): an empty cell would otherwise bill at the row's own input (or
    5-minute write) rate. LiteLLM's rows already fall back this way; a
    long-context row LiteLLM adds to a genai-prices model (fill_silent)
    does not know genai-prices' flat rates (xAI grok-4-0709 above 128k:
    LiteLLM states no cache read, genai-prices $0.75 flat, so the empty
    cell billed cached reads at the tier's $6 input). The 1-hour cache
    write is the exception: it keeps its ratio to the input rate (base
    1h x row input / base input), as every 1-hour rate the sources state
    for a threshold does (2x the tier's input, Anthropic's rule); the base
    row's own 1h rate would bill it below the tier's 5-minute rate (Sonnet
    4 above 200k: $6 against $7.50, where Anthropic charges $12). Returns
    the rows, new Row objects where changed; counts those in stats."""
    base = {(r.start, r.tier): r.rates for r in rows if not r.min_input}
    out = []
    for r in rows:
        b = base.get((r.start, r.tier))
        if not r.min_input or b is None:
            out.append(r)
            continue
        rates = dict(r.rates)
        for c in RATE_COLS:
            if rates[c] is None and b[c] is not None:
                rates[c] = b[c]
                if c == "cache_write_1h" and b["input"]:
                    rates[c] = limit_decimals(
                        b[c] * rates["input"] / b["input"], Stats())
        if rates != r.rates:
            r = Row(r.start, r.tier, r.min_input, rates, r.source)
            if stats:
                stats.add("long_context_rates_from_base_row")
        out.append(r)
    return out


def tier_long_context(rows, stats, where):
    """rows with long-context rows added to each service tier that has
    none where the standard tier has some (rule 3c of merge): for each
    threshold of the standard version in force on SNAPSHOT_DATE (the day
    of LiteLLM's tier rates), each rate is the tier's base rate x the
    standard tier's rate at that threshold / its base rate, rates as
    billed (an empty cell at its fallback); a cell empty in the tier's
    base row and in both standard rows stays empty (its fallback scales
    alike). OpenAI bills gpt-5.4 above 272k at 2x input and 1.5x output
    for standard, batch and flex; Google and Anthropic bill batch at 50%
    of the standard price at every prompt size. Source: the tier base
    row's. Raises GenError on a rate no ratio can scale."""
    std, _ = current_standard(rows)
    ths = sorted(m for m in std if m)
    if not ths or 0 not in std:
        return rows
    out = list(rows)
    for tier in TIERS[1:]:
        trs = [r for r in rows if r.tier == tier]
        if not trs or any(r.min_input for r in trs):
            continue
        for tb in (r for r in trs if not r.min_input):
            for m in ths:
                rates = {}
                for c in RATE_COLS:
                    if tb.rates[c] is None and std[0].get(c) is None and \
                            std[m].get(c) is None:
                        rates[c] = None
                        continue
                    t = effective(tb.rates, c)
                    sb, sl = effective(std[0], c), effective(std[m], c)
                    if not sb:
                        if sl:
                            raise GenError("%s: %s above %d: no ratio to a "
                                           "$0 standard %s rate" %
                                           (where, tier, m - 1, c))
                        rates[c] = t
                        continue
                    v = t * sl / sb
                    rates[c] = limit_decimals(v, Stats())
                    if rates[c] != v:
                        stats.note("tier_long_context_rates_rounded",
                                   "%s %s above %d: %s %s" %
                                   (where, tier, m - 1, c, v))
                out.append(Row(tb.start, tier, m, rates, tb.source))
                stats.note("tier_long_context_rows", "%s %s above %d: %s" %
                           (where, tier, m - 1, "/".join(
                               fmt_rate(rates[c]) or "-" for c in
                               ("input", "output", "cache_read"))))
    return out


# Anthropic's 5-minute cache write is 1.25x the input rate (Claude 3
# Haiku's $0.30 on $0.25 input: 1.2x), its 1-hour write 2x, for every
# Claude model.
CLAUDE_5M_WRITE = (Decimal("1.2"), Decimal("1.25"))
CLAUDE_1H_WRITE = Decimal(2)


def claude_1h_write(model, rows, stats, where):
    """rows of an Anthropic (Claude) model with the 1-hour cache write
    neither source states set to 2x the row's input rate (rule 3d of
    merge), in each row whose 5-minute write is Anthropic's (1.2x to 1.25x
    its input: the reseller bills Anthropic's cache prices); unset it
    bills at the 5-minute rate. Anthropic bills a 1-hour write at 2x the
    base input rate for every Claude model, and every 1-hour rate the
    sources state is exactly that."""
    if "claude" not in model.lower():
        return rows
    out = []
    for r in rows:
        i, w = r.rates["input"], r.rates["cache_write"]
        if r.rates["cache_write_1h"] is not None or w is None or not i:
            out.append(r)
            continue
        if not CLAUDE_5M_WRITE[0] * i <= w <= CLAUDE_5M_WRITE[1] * i:
            stats.note("claude_1h_write_not_derived",
                       "%s %s %s: 5-minute %s, input %s" %
                       (where, r.start or "always", r.tier, fmt_rate(w),
                        fmt_rate(i)))
            out.append(r)
            continue
        rates = dict(r.rates, cache_write_1h=CLAUDE_1H_WRITE * i)
        out.append(Row(r.start, r.tier, r.min_input, rates, r.source))
        stats.note("claude_1h_write_rows", "%s %s %s%s: %s" % (
            where, r.start or "always", r.tier,
            " above %d" % (r.min_input - 1) if r.min_input else "",
            fmt_rate(rates["cache_write_1h"])))
    return out


def version_of(rows, tier, day):
    """The rate keys of the version of tier in force on day (YYYY-MM-DD),
    as a sorted tuple; () when none is."""
    starts = sorted({r.start for r in rows if r.tier == tier
                     and r.start <= day})
    if not starts:
        return ()
    return tuple(sorted(r.rate_key() for r in rows
                        if r.tier == tier and r.start == starts[-1]))


# ----------------------------------------------------------- LiteLLM data


def litellm_provider(p):
    if p.startswith("vertex_ai"):
        return "vertex_ai"
    return LITELLM_PROVIDERS.get(p, p).lower()


def litellm_model_name(key, lprov):
    """Splits a LiteLLM key into the model id as the provider spells it.
    Returns (model, why-skipped-or-None)."""
    parts = key.split("/")
    route = LITELLM_ROUTES.get(lprov, lprov)
    if lprov.startswith("vertex_ai"):
        route = "vertex_ai"
    if len(parts) > 1 and parts[0] in (lprov, route):
        parts = parts[1:]
        if lprov in ("bedrock", "bedrock_converse") and len(parts) > 1:
            if BEDROCK_REGION.match(parts[0]):
                return None, "bedrock_region_scoped"
            if parts[0] in ("invoke", "converse"):
                parts = parts[1:]
    return "/".join(parts), None


def litellm_thresholds(rec, suffix):
    """The long-context thresholds (tokens) rec states for a tier."""
    out = set()
    for f in rec:
        tier_field = any(f.endswith(s) for s in TIER_SUFFIX.values() if s)
        if (suffix and not f.endswith(suffix)) or (not suffix and
                                                   tier_field):
            continue
        m = LC_SUFFIX.search(f)
        if m and any(f.startswith(b) for b in LITELLM_FIELDS.values()):
            out.add(int(m.group(1)) * 1000)
    return out


def litellm_rows(rec, stats, source="litellm", lc_fallback=True):
    """The price rows (from = always) of one LiteLLM record: the standard
    tier and every service tier it names, each with its long-context rows.
    A field missing for a tier or threshold falls back, in order, to the
    same tier's base field, the standard tier's field at that threshold, and
    the standard base field. With lc_fallback False a long-context row
    holds only the rates LiteLLM states for its threshold (the others
    empty)."""

    def num(field):
        v = rec.get(field)
        return None if v is None else rate_from_per_token(v, stats)

    def value(col, th, tier):
        base = LITELLM_FIELDS[col]
        lc = "_above_%dk_tokens" % (th // 1000) if th else ""
        sfx = TIER_SUFFIX[tier]
        fields = (base + lc + sfx, base + sfx, base + lc, base)
        if th and (not lc_fallback or col == "cache_write_1h"):
            fields = (base + lc + sfx, base + lc)
        if col == "reasoning" and tier != "standard" and all(
                num(f) is None for f in (base + lc + sfx, base + sfx)) and \
                value(col, th, "standard") == value("output", th,
                                                    "standard"):
            # A reasoning rate stated only as the standard output rate
            # bills reasoning as output (Gemini's thinking tokens): in a
            # tier, at the tier's output rate, not the standard one.
            return None
        for f in fields:
            v = num(f)
            if v is not None:
                return v
        if col == "cache_read" and (lc_fallback or not th):
            return num("input_cost_per_token_cache_hit")
        return None

    rows = []
    if rec.get("tiered_pricing") and rec.get("input_cost_per_token") is None:
        return litellm_range_rows(rec, stats, source)
    for tier in TIERS:
        sfx = TIER_SUFFIX[tier]
        if tier != "standard" and not any(
                f.endswith(sfx) and any(f.startswith(b) for b in
                                        LITELLM_FIELDS.values())
                for f in rec):
            continue
        for th in [0] + sorted(litellm_thresholds(rec, sfx)):
            rates = {c: value(c, th, tier) for c in RATE_COLS}
            rows.append(Row("", tier, th + 1 if th else 0, rates, source))
    return complete_long_context(rows) if lc_fallback else rows


def litellm_range_rows(rec, stats, source):
    """Rows of a LiteLLM record priced by tiered_pricing ranges (DashScope,
    Volcengine): the range starting at 0 is the base; a range starting at S
    applies to requests with more than S input tokens."""
    ranges = sorted(rec["tiered_pricing"], key=lambda t: t["range"][0])
    if not ranges or ranges[0]["range"][0] != 0:
        raise GenError("tiered_pricing without a range from 0")
    rows = []
    base = None
    for t in ranges:
        start = int(t["range"][0])
        rates = {}
        for c in RATE_COLS:
            v = t.get(LITELLM_FIELDS[c])
            rates[c] = (rate_from_per_token(v, stats) if v is not None
                        else (base[c] if base else None))
        if rates["input"] is None or rates["output"] is None:
            raise GenError("tiered_pricing range without input/output")
        if base is None:
            base = rates
        rows.append(Row("", "standard", start + 1 if start else 0, rates,
                        source))
    return rows


def drop_implausible_1h(key, rec, stats):
    """rec without its 1-hour cache-write rate when that is below its own
    5-minute rate or above twice its input rate: Anthropic bills the 1-hour
    write at 2x input (the 5-minute at 1.25x), and so do all of LiteLLM's
    other 122 1-hour rates and all of genai-prices'. The two outliers carry
    Sonnet's $6: claude-3-opus-20240229 (input $15, 5-minute $18.75) and
    claude-3-haiku-20240307 (input $0.25)."""
    f = LITELLM_FIELDS["cache_write_1h"]
    h, i = rec.get(f), rec.get("input_cost_per_token")
    if not isinstance(h, (int, float)) or not isinstance(i, (int, float)):
        return rec
    w = rec.get("cache_creation_input_token_cost", i)
    h, i, w = (Decimal(repr(x)) for x in (h, i, w))
    if w <= h <= 2 * i:
        return rec
    stats.note("litellm_1h_write_dropped", "%s: 1h %s, 5-minute %s, "
               "input %s per 1M" % (key, fmt_rate(h * 1000000),
                                    fmt_rate(w * 1000000),
                                    fmt_rate(i * 1000000)))
    rec = dict(rec)
    del rec[f]
    return rec


def embedding_record(rec):
    """An embedding-mode LiteLLM record as a price record: an embedding
    has no output tokens, so an output rate LiteLLM leaves unstated
    (Mistral's mistral-embed) is $0, stated; the input rate is what it
    bills. A record without an input token rate (per character, image or
    second only) stays without one, and is skipped as unpriced."""
    if rec.get("input_cost_per_token") is None or \
            rec.get("output_cost_per_token") is not None:
        return rec
    return dict(rec, output_cost_per_token=0)


def load_litellm(path, stats):
    """Reads the LiteLLM prices file: chat, completion and responses keys,
    and embedding keys as embedding_record prices them. Returns {(provider,
    model): entry}, entry = {"key", "keys", "rec", "rows", "lprov",
    "losers", "embedding" (mode embedding)}; colliding
    keys that price one (provider, model) identically are merged, otherwise
    the unprefixed key wins, then the shortest, then the first in sort
    order, and each key priced otherwise is one of the winner's "losers"
    (entries {"key", "rec", "rows", "lprov"}: merge prices each under its
    own key)."""
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    cand = {}
    for key in sorted(data):
        rec = data[key]
        if not isinstance(rec, dict) or key == "sample_spec":
            continue
        embedding = rec.get("mode") == "embedding"
        if embedding:
            rec = embedding_record(rec)
            stats.add("litellm_embedding")
        elif rec.get("mode") not in ("chat", "completion", "responses"):
            stats.add("litellm_other_mode")
            continue
        stats.add("litellm_in_scope")
        lprov = rec.get("litellm_provider", "")
        inp, out = rec.get("input_cost_per_token"), rec.get(
            "output_cost_per_token")
        if (inp is None or out is None) and not rec.get("tiered_pricing"):
            stats.note("litellm_skip_no_price", key)
            continue
        if inp == 0 and out == 0:
            stats.note("litellm_skip_zero_price", key)
            continue
        cap = ABSURD_EMBEDDING_PER_TOKEN if embedding else ABSURD_PER_TOKEN
        if any(isinstance(v, (int, float)) and v > cap
               for k, v in rec.items()
               if "cost_per_token" in k and "dbu" not in k):
            stats.note("litellm_skip_absurd_price", key)
            continue
        if key.endswith("/"):
            # fireworks_ai/accounts/fireworks/models/: LiteLLM's default
            # for a Fireworks embedding model it does not list, no name.
            stats.note("litellm_skip_no_model_name", key)
            continue
        model, why = litellm_model_name(key, lprov)
        if why:
            stats.note("litellm_skip_" + why, key)
            continue
        rec = drop_implausible_1h(key, rec, stats)
        if "1-month-commitment" in key or "6-month-commitment" in key:
            stats.note("litellm_skip_bedrock_region_scoped", key)
            continue
        prov = litellm_provider(lprov)
        rows = litellm_rows(rec, stats)
        cand.setdefault((prov, model), []).append(
            {"key": key, "rec": rec, "rows": rows, "lprov": lprov,
             "embedding": embedding})
    out = {}
    for pm in sorted(cand):
        entries = cand[pm]
        entries.sort(key=lambda e: (e["key"] != pm[1], len(e["key"]),
                                    e["key"]))
        win = entries[0]
        win["keys"] = [e["key"] for e in entries]
        win["losers"] = []
        for e in entries[1:]:
            if sorted(r.rate_key() for r in e["rows"]) != sorted(
                    r.rate_key() for r in win["rows"]):
                win["losers"].append(e)
                stats.note("litellm_collision_differ",
                           "%s/%s: kept %s, %s priced under its own key" %
                           (pm[0], pm[1], win["key"], e["key"]))
            else:
                stats.add("litellm_collision_same")
        out[pm] = win
    return out


# ------------------------------------------------------- LiteLLM changelog


def load_changelog(path):
    """Reads the changelog TSV: {key: [(utc_day, utc_time, field, old, new)]}
    in file order, and {key: litellm_provider}."""
    events, providers = {}, {}
    with open(path, encoding="utf-8") as f:
        lines = [ln for ln in f if not ln.startswith("#")]
    reader = csv.DictReader(lines, delimiter="\t")
    for r in reader:
        t = datetime.fromisoformat(r["snapshot_time"]).astimezone(
            timezone.utc)
        events.setdefault(r["model_key"], []).append(
            (t.strftime("%Y-%m-%d"), t.isoformat(), r["field"], r["old"],
             r["new"]))
        providers.setdefault(r["model_key"], r["litellm_provider"])
    return events, providers


def changelog_version(entry, evs, stats):
    """Decides whether the changelog gives entry an unambiguous earlier
    price. Returns (day, old_record) or None. Unambiguous means: the key
    was never removed and its whole history holds exactly one change of a
    price field burnrate uses, from a stated value to a stated value that
    is still the current one, seen after the key was live with the old
    value in an earlier snapshot, and neither a power-of-ten unit fix nor a
    float-noise change below 1%. Changes of several fields at once are
    skipped: the data cannot tell a repricing from a correction (LiteLLM's
    azure/gpt-4o went $5/$15 -> $2.50/$10 on 2025-03-19, a correction)."""
    key = entry["key"]
    if any(e[2] == "REMOVED" for e in evs):
        stats.note("changelog_skip_removed", key)
        return None
    added = [e[1] for e in evs if e[2] == "ADDED"]
    changes = [e for e in evs if e[2] not in ("ADDED", "REMOVED") and (
        any(e[2].startswith(b) for b in LITELLM_FIELDS.values()) or
        e[2] == "input_cost_per_token_cache_hit")]
    if not changes:
        return None
    if len(changes) > 1:
        stats.note("changelog_skip_several_changes", key)
        return None
    day, when, field, o, n = changes[0]
    if added and min(added) >= when:
        stats.note("changelog_skip_not_live_before", key)
        return None
    rec = entry["rec"]
    cur = rec.get(field)
    if o == "" or n == "" or cur is None:
        stats.note("changelog_skip_field_added_or_removed", key)
        return None
    do, dn = Decimal(o), Decimal(n)
    if Decimal(repr(cur)) != dn:
        stats.note("changelog_skip_not_persisted", key)
        return None
    if not do or not dn:
        stats.note("changelog_skip_zero", key)
        return None
    ratio = max(do, dn) / min(do, dn)
    if ratio in (10, 100, 1000, 10000, 100000, 1000000):
        stats.note("changelog_skip_unit_fix", key)
        return None
    if ratio < Decimal("1.01"):
        stats.note("changelog_skip_float_noise", key)
        return None
    old = dict(rec)
    old[field] = float(o)
    return day, old


def add_changelog_history(entry, evs, stats):
    """Returns entry's rows with the changelog's earlier version added where
    unambiguous: for each tier whose rows differ, the old rows (from always,
    source litellm-changelog) and the current rows from the snapshot day."""
    found = changelog_version(entry, evs, stats)
    rows = entry["rows"]
    if not found:
        return rows
    day, old_rec = found
    old_rows = litellm_rows(old_rec, stats, "litellm-changelog")
    out = []
    changed = False
    for tier in TIERS:
        cur_t = [r for r in rows if r.tier == tier]
        old_t = [r for r in old_rows if r.tier == tier]
        if sorted(r.rate_key() for r in cur_t) == sorted(
                r.rate_key() for r in old_t):
            out.extend(cur_t)
            continue
        changed = True
        out.extend(old_t)
        for r in cur_t:
            out.append(Row(day, r.tier, r.min_input, r.rates, r.source))
    if changed:
        stats.note("changelog_versions", "%s from %s" % (entry["key"], day))
    return out


# --------------------------------------------------------- genai-prices data


def clause_match(c, text):
    """genai-prices match logic (case-insensitive, as in prices_types.py)."""
    t = text.lower()
    if "equals" in c:
        return t == c["equals"].lower()
    if "starts_with" in c:
        return t.startswith(c["starts_with"].lower())
    if "ends_with" in c:
        return t.endswith(c["ends_with"].lower())
    if "contains" in c:
        return c["contains"].lower() in t
    if "regex" in c:
        return re.search(c["regex"], text) is not None
    if "or" in c:
        return any(clause_match(x, text) for x in c["or"])
    if "and" in c:
        return all(clause_match(x, text) for x in c["and"])
    raise GenError("unknown match clause %r" % (c,))


def clause_names(c):
    """The concrete model names a match clause spells out: equals values and
    starts_with values that are whole names (not ending in - . / :), also
    inside "or" clauses ("and" clauses only narrow, they name nothing)."""
    if "equals" in c:
        return [c["equals"]]
    if "starts_with" in c and c["starts_with"][-1:] not in "-./:":
        return [c["starts_with"]]
    return [n for x in c.get("or", []) for n in clause_names(x)]


def clause_regexes(c, where):
    """The regex values of a match clause that select names on their own:
    the clause itself or inside "or" clauses. A regex inside "and" only
    narrows another clause, which no pattern of its own can say."""
    if "regex" in c:
        return [c["regex"]]
    if "or" in c:
        return [r for x in c["or"] for r in clause_regexes(x, where)]
    if "and" in c and any(clause_regexes(x, where) for x in c["and"]):
        raise GenError("%s: a regex inside an \"and\" match clause" % where)
    return []


# posix_ere's tokens: an escape, a bounded repeat, any other character.
ERE_TOKEN = re.compile(r"\\(.)|\{(\d+)(?:,(\d*))?\}|(.)", re.S)
ERE_LITERAL = re.compile(r"[A-Za-z0-9_:@/-]")
ERE_ESCAPES = {"d": "[0-9]", ".": r"\.", "-": "-", "/": "/", "_": "_",
               ":": ":", "@": "@"}


def posix_ere(regex, where):
    """The POSIX extended regular expression (regcomp REG_EXTENDED) that
    matches what the Python regex of a genai-prices match clause matches,
    for the subset those rules use: ^ and $ at the ends, the characters of
    model names, \\d, escaped punctuation, and ?, *, +, {n}, {n,m} after
    one of those. Raises GenError on anything else: a rule burnrate cannot
    say is no rule."""
    out, atom = [], False
    for m in ERE_TOKEN.finditer(regex):
        esc, lo, hi, ch = m.groups()
        if esc is not None and esc in ERE_ESCAPES:
            out.append(ERE_ESCAPES[esc])
            atom = True
        elif lo is not None and atom and not (hi and int(hi) < int(lo)):
            out.append(m.group(0))
            atom = False
        elif ch == "^" and m.start() == 0 or \
                ch == "$" and m.end() == len(regex):
            out.append(ch)
            atom = False
        elif ch is not None and ch in "?*+" and atom:
            out.append(ch)
            atom = False
        elif ch is not None and ERE_LITERAL.match(ch):
            out.append(ch)
            atom = True
        else:
            raise GenError("%s: regex %r: cannot translate %r (at %d) to a "
                           "POSIX ERE" % (where, regex, m.group(0),
                                          m.start()))
    return "".join(out)


def ere_example(ere):
    """A name the ERE matches (of those posix_ere writes): each [0-9] a 0,
    each repeat at its minimum, anchors dropped."""
    body = ere[1:] if ere.startswith("^") else ere
    body = body[:-1] if body.endswith("$") else body
    atoms = re.findall(r"(\[0-9\]|\\.|.)(\{\d+(?:,\d*)?\}|[?*+])?", body)
    out = []
    for a, q in atoms:
        a = "0" if a == "[0-9]" else a[-1]
        n = int(re.match(r"\{(\d+)", q).group(1)) if q.startswith("{") else (
            0 if q in ("?", "*") else 1)
        out.append(a * n)
    return "".join(out)


def genai_version_rows(prices, start, stats):
    """The standard-tier rows of one genai-prices price set: the base row and
    one row per tier start S (min_input S+1: genai-prices applies a tier when
    total input tokens > start). A field without tiers keeps its flat price
    in every row."""
    flat, tiered = {}, {}
    for c, f in GENAI_FIELDS.items():
        v = prices.get(f)
        if isinstance(v, dict):
            flat[c] = rate_from_per_mtok(v["base"], stats)
            tiered[c] = sorted(
                (int(t["start"]), rate_from_per_mtok(t["price"], stats))
                for t in v["tiers"])
        elif v is not None:
            flat[c] = rate_from_per_mtok(v, stats)
    starts = sorted({s for ts in tiered.values() for s, _ in ts})
    rows = [Row(start, "standard", 0,
                {c: flat.get(c) for c in RATE_COLS}, "genai-prices")]
    for s in starts:
        rates = {}
        for c in RATE_COLS:
            rates[c] = flat.get(c)
            for ts, p in tiered.get(c, []):
                if ts <= s:
                    rates[c] = p
        rows.append(Row(start, "standard", s + 1, rates, "genai-prices"))
    return rows


def equals_names(c):
    """The equals values of a match clause, in order."""
    if "equals" in c:
        return [c["equals"]]
    return [n for x in c.get("or", []) for n in equals_names(x)]


def genai_canonical_name(m):
    """The catalog name of a genai-prices model: its id when its own match
    rule matches it (genai-prices' Bedrock "regional.*" ids are bucket names,
    not model ids), else the first name the rule spells with equals (a
    starts_with or contains fragment is not a model id), else None."""
    if clause_match(m["match"], m["id"]) and not m["id"].startswith(
            "regional."):
        return m["id"]
    names = equals_names(m["match"])
    return names[0] if names else None


def genai_rows(where, versions, stats):
    """The rows of every dated version of one genai-prices model."""
    rows = []
    starts = set()
    for v in versions:
        start = (v.get("constraint") or {}).get("start_date", "")
        if start in starts:
            raise GenError("%s: two prices from %r" % (where, start))
        starts.add(start)
        rows.extend(genai_version_rows(v["prices"], start, stats))
    if "" not in starts:
        raise GenError("%s: no unconstrained price" % where)
    return rows


def genai_embedding(m, prov, versions, lite_embeddings):
    """Whether genai-prices model m (of canonical provider prov) is an
    embedding model priced per input token: every version states an input
    price and no output price, and its id, name, description or the names
    its rule spells say "embed", or its rule matches a name LiteLLM prices
    in embedding mode for the provider (lite_embeddings: {(provider,
    model)}; Voyage's voyage-3-large). genai-prices has no mode; Azure's
    babbage, curie and davinci are completion models of which it states
    the input price only."""
    if any(v["prices"].get("input_mtok") is None or
           v["prices"].get("output_mtok") is not None for v in versions):
        return False
    text = " ".join([m["id"], m.get("name", ""), m.get("description", "")] +
                    clause_names(m["match"]))
    return "embed" in text.lower() or any(
        p == prov and clause_match(m["match"], n) for p, n in lite_embeddings)


def load_genai(path, stats, lite_embeddings):
    """Reads genai-prices data.json. Returns a list of models in file order:
    {"provider", "model", "gid", "match", "rows", "names"}, and {provider:
    [entry]}: every model of each provider in genai-prices' order, the
    skipped ones included, as genai-prices tries their match rules (the
    first that matches prices a name): {"gid", "match", "model" (catalog
    name or None), "rows" (None for a model without a token price or with
    time-of-day prices), "dated" (more than one version), "versions" (its
    prices as genai-prices lists them, an embedding's output $0)}.
    lite_embeddings: the (provider, model) names LiteLLM prices in
    embedding mode (genai_embedding)."""
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    out = []
    order = {}
    seen = set()
    for p in data:
        for m in p["models"]:
            stats.add("genai_models_total")
            where = "%s/%s" % (p["id"], m["id"])
            prices = m["prices"]
            versions = ([{"prices": prices}] if isinstance(prices, dict)
                        else prices)
            name = genai_canonical_name(m)
            prov = GENAI_PROVIDERS.get(p["id"], p["id"])
            if p["id"] == "google" and (name or m["id"]).startswith(
                    "claude"):
                prov = "vertex_ai"
            entry = {"gid": where, "match": m["match"], "model": None,
                     "rows": None, "dated": False, "versions": versions}
            order.setdefault(prov, []).append(entry)
            if any("start_time" in (v.get("constraint") or {})
                   for v in versions):
                stats.note("genai_skip_time_of_day", where)
                continue
            if genai_embedding(m, prov, versions, lite_embeddings):
                # An embedding bills input only (embedding_record).
                versions = [dict(v, prices=dict(v["prices"], output_mtok=0))
                            for v in versions]
                entry["versions"] = versions
                stats.note("genai_embedding_models", where)
            if any(v["prices"].get("input_mtok") is None or
                   v["prices"].get("output_mtok") is None for v in versions):
                stats.note("genai_skip_no_token_price", where)
                continue
            entry["dated"] = len(versions) > 1
            if name is None:
                # Not a catalog model, but its rule still prices names
                # (Bedrock's regional.* buckets): merge's rule 1c, which
                # converts its rates again, counted, when it uses them.
                stats.note("genai_skip_no_concrete_name", where)
                entry["rows"] = genai_rows(where, versions, Stats())
                continue
            rows = genai_rows(where, versions, stats)
            entry["rows"] = rows
            if entry["dated"]:
                stats.note("genai_dated_models", where)
            provs = [prov]
            for prov in provs:
                if (prov, name.lower()) in seen:
                    stats.note("genai_skip_duplicate_name",
                               "%s %s" % (prov, name))
                    continue
                seen.add((prov, name.lower()))
                entry["model"] = name
                out.append({"provider": prov, "model": name, "gid": where,
                            "match": m["match"], "rows": rows,
                            "names": clause_names(m["match"]),
                            "regexes": [(r, posix_ere(r, where)) for r in
                                        clause_regexes(m["match"], where)]})
    return out, order


# ------------------------------------------------------------------ aliases

DATE_SUFFIX = re.compile(
    r"^(?:[-@](?:\d{8}|\d{4}-\d{2}-\d{2}|\d{4}|\d{2}-\d{4})|-latest)"
    r"(?:-v\d+(?::\d+)?)?$")


def alias_kind(alias, target):
    """Names the kind of an alias: prefix, date-suffix, spelling or
    match-group (a name genai-prices' match rule for the target covers)."""
    if alias.endswith("/" + target):
        return "prefix"
    for longer, shorter in ((alias, target), (target, alias)):
        if longer.lower().startswith(shorter.lower()) and DATE_SUFFIX.match(
                longer[len(shorter):]):
            return "date-suffix"

    def words(s):
        return sorted(w for w in re.split(r"[-._@/]", s.lower()) if w)

    if words(alias) == words(target):
        return "spelling"
    return "match-group"


# ------------------------------------------------------------------- merge


class Catalog:
    """The merged catalog: models {(provider, model): [Row]} and aliases
    {(alias_provider, alias_model): (provider, model, rule)}."""

    def __init__(self):
        self.models = {}
        self.aliases = {}
        self.bad_aliases = {}  # (ap, am) -> reason

    def put(self, prov, model, rows):
        for r in rows:
            r.provider, r.model = prov, model
        self.models[(prov, model)] = rows

    def alias(self, ap, am, prov, model, rule, stats):
        """Records an alias unless it is shadowed by a catalog model or
        conflicts with another alias (then neither is emitted)."""
        key = (ap, am)
        if key in self.bad_aliases:
            return
        if ap and (ap, am) in self.models:
            return
        old = self.aliases.get(key)
        if old and old[:2] != (prov, model):
            del self.aliases[key]
            self.bad_aliases[key] = ("two targets: %s/%s and %s/%s" %
                                     (old[0], old[1], prov, model))
            stats.note("alias_conflict", "%s %s" % key)
            return
        if not old:
            self.aliases[key] = (prov, model, rule)


def rate_summary(rows):
    """A short text of the current standard base rates, for reports."""
    base = [r for r in rows if r.tier == "standard" and r.min_input == 0
            and r.start <= SNAPSHOT_DATE]
    if not base:
        return "-"
    r = max(base, key=lambda x: x.start)
    return "/".join(fmt_rate(r.rates[c]) or "-" for c in
                    ("input", "output", "cache_read", "cache_write"))


def removed_names(lite, changelog, providers, cat, by_prov, stats):
    """Names LiteLLM priced once and has since dropped (its changelog lists
    them, e.g. claude-3-5-haiku-20241022): logs of their time still use
    them. Returns {(provider, model): target} for those a genai-prices
    model's match rule covers (the first in its order), unless the last
    input or output price the changelog saw for the name contradicts the
    target's current standard price (then it is only noted: a name the
    rule spells out is aliased in any case, as ever)."""
    live = {k for e in lite.values() for k in e["keys"]}
    out = {}
    for key in sorted(changelog):
        if key in live:
            continue
        lprov = providers.get(key, "")
        model, why = litellm_model_name(key, lprov)
        prov = litellm_provider(lprov)
        if why or (prov, model) in cat.models:
            continue
        g = next((x for x in by_prov.get(prov, [])
                  if clause_match(x["match"], model)), None)
        if not g:
            continue
        last = {}
        for _, _, field, _, new in changelog[key]:
            if field in ("input_cost_per_token", "output_cost_per_token") \
                    and new:
                last[field[:-len("_cost_per_token")]] = limit_decimals(
                    Decimal(new) * 1000000, stats)
        base, _ = current_standard(cat.models[(g["provider"], g["model"])])
        differ = [c for c in last if effective(base.get(0, {}), c) != last[c]]
        if differ:
            stats.note("removed_name_conflict", "%s/%s: last priced %s; "
                       "genai-prices' rule for %s %s" % (
                           prov, model, ", ".join("%s %s" % (c, last[c])
                                                  for c in differ),
                           g["model"], rate_summary(
                               cat.models[(g["provider"], g["model"])])))
            continue
        out[(prov, model)] = (g["provider"], g["model"])
        stats.add("removed_name_alias")
    return out


def check_pattern(g, regex, ere, by_prov, names):
    """Checks the POSIX ERE of one of g's regex clauses: it agrees with the
    regex on every known name and on a name it matches, and genai-prices
    prices that name as g (the first model of the provider whose rule
    matches it), as burnrate will. Raises GenError."""
    example = ere_example(ere)
    for n in names + [example]:
        if bool(re.search(regex, n)) != bool(re.search(ere, n)):
            raise GenError("%s: regex %r and its POSIX ERE %r disagree on %r"
                           % (g["gid"], regex, ere, n))
    if not re.search(ere, example):
        raise GenError("%s: no example name for %r" % (g["gid"], ere))
    first = next(x for x in by_prov[g["provider"]]
                 if clause_match(x["match"], example))
    if first is not g:
        raise GenError("%s: %r: genai-prices prices %r as %s, the pattern "
                       "as %s" % (g["gid"], regex, example, first["model"],
                                  g["model"]))


def alias_verdict(target, l_rows):
    """Whether a LiteLLM name (its rows l_rows) can be an alias of the
    genai-prices model priced by target: LiteLLM states nothing that
    contradicts or is missing from it, service tiers both price included.
    Returns (ok, (status, lite_extra)) as compare_prices."""
    status, lite_extra = compare_prices(target, l_rows)
    tiers_ok = all(
        not any(r.tier == t for r in l_rows) or
        version_of(target, t, SNAPSHOT_DATE) ==
        version_of(l_rows, t, SNAPSHOT_DATE) for t in TIERS[1:])
    if status == "conflict":
        why = "conflict"
    elif lite_extra:
        why = "litellm_states_more"
    elif not tiers_ok:
        why = "tiers_differ"
    else:
        why = None
    return why is None, (status, lite_extra)


def uniform_ratio(g, l):
    """k when every rate both rate sets state is k times LiteLLM's (g = k x
    l, input and output among them), else None: genai-prices' version is
    then LiteLLM's price under one multiplier (a regional uplift, a
    repricing of the whole model)."""
    ks = set()
    for c in RATE_COLS:
        if g.get(c) is None or l.get(c) is None:
            continue
        if not l[c]:
            if g[c]:
                return None
            continue
        ks.add(g[c] / l[c])
    if len(ks) != 1 or any(g.get(c) is None or l.get(c) is None
                           for c in ("input", "output")):
        return None
    return ks.pop()


def scaled(v, k):
    """v x k, or None when it needs more than MAX_DECIMALS decimals."""
    d = v * k
    q = Decimal(1).scaleb(-MAX_DECIMALS)
    return d if d == d.quantize(q) else None


def fill_versions(g_rows, l_rows, stats, where):
    """Copies of a genai-prices model's rows (every version) for a LiteLLM
    name its rule covers, completed from LiteLLM's current standard rows
    where genai-prices is silent: in each version whose base rates are a
    uniform multiple k of LiteLLM's (k = 1 in the version LiteLLM agrees
    with), each rate genai-prices leaves empty takes LiteLLM's times k
    (us.anthropic.claude-sonnet-5's 1-hour write: LiteLLM $4.40 at $2.20
    input; $6.60 from 2026-09-01, when genai-prices' rates are all 1.5x),
    and, when no genai-prices version has long-context rows, LiteLLM's
    long-context rows times k. A version that is no multiple of
    LiteLLM's takes nothing from it (noted)."""
    l, _ = current_standard(l_rows)
    lbase = l.get(0, {})
    has_lc = any(r.min_input for r in g_rows)
    out = []
    for start in sorted({r.start for r in g_rows}):
        vrows = sorted((r for r in g_rows if r.start == start),
                       key=lambda r: (TIERS.index(r.tier), r.min_input))
        base = next(r.rates for r in vrows
                    if r.tier == "standard" and not r.min_input)
        k = uniform_ratio(base, lbase)
        if k is None:
            stats.note("genai_history_version_not_filled",
                       "%s from %s: no multiple of LiteLLM's" %
                       (where, start or "always"))
        for r in vrows:
            rates = dict(r.rates)
            lr = l.get(r.min_input) if r.tier == "standard" else None
            for c in RATE_COLS:
                if k is None or not lr or rates[c] is not None or \
                        lr.get(c) is None:
                    continue
                v = scaled(lr[c], k)
                if v is not None and effective(rates, c) != v:
                    rates[c] = v
                    stats.add("genai_history_rates_from_litellm")
            out.append(Row(r.start, r.tier, r.min_input, rates, r.source))
        if k is None or has_lc:
            continue
        for m in sorted(l):
            if not m:
                continue
            rates = {c: None if v is None else scaled(v, k)
                     for c, v in l[m].items()}
            out.append(Row(start, "standard", m,
                           long_context_of(rates, lbase, base, stats),
                           "litellm"))
            stats.add("genai_history_long_context_rows_from_litellm")
    return out


def tier_versions(g_rows, l_rows, stats, where):
    """LiteLLM's service-tier rows for a genai-prices model, or for a name
    taking a genai-prices model's dated versions: None when LiteLLM has
    tiers but no standard version of genai-prices has LiteLLM's base input
    and output (the tiers belong to a price genai-prices does not state:
    dropped), else one version of each tier per genai-prices standard
    version. LiteLLM states the tiers of its own standard price, the
    genai-prices version(s) with the same base input and output (k = 1);
    a version whose rates are a uniform multiple k of LiteLLM's standard
    rates (uniform_ratio: a dated repricing of the whole model, an
    introductory price) takes the tier rows times k, from that version's
    start: the vendors' tiers are a fixed fraction of the standard price
    (Google's Batch Mode and Flex 50%, OpenAI's Batch 50%), and a tier
    undated would keep LiteLLM's rates in versions where the standard price
    is another (gemini-3.6-flash: genai-prices dates an introductory $0.75
    standard input to 2027-01-01, LiteLLM's tiers are those of the $1.50
    it states, batch $0.75; o3's $1 flex beside a $10 standard before
    2025-06-10). A version that is no such multiple has no tier rows: its
    tier requests are unpriced (noted) rather than priced at another
    version's tiers; a later version cannot end a tier a former one has,
    so that stops the generator. A scaled rate needing more than
    MAX_DECIMALS decimals is rounded half-even (noted)."""
    tier_rows = [r for r in l_rows if r.tier != "standard"]
    if not tier_rows:
        return []
    l, _ = current_standard(l_rows)
    lbase = l.get(0, {})
    gbase = {r.start: r.rates for r in g_rows
             if r.tier == "standard" and not r.min_input}
    same = {s for s, b in gbase.items()
            if all(b[c] == lbase.get(c) for c in ("input", "output"))}
    if not same:
        return None
    out = []
    for start in sorted(gbase):
        k = Decimal(1) if start in same else uniform_ratio(gbase[start],
                                                           lbase)
        if k is None:
            if out:
                raise GenError("%s: standard version from %s is no multiple "
                               "of LiteLLM's, an earlier one has service "
                               "tiers" % (where, start))
            stats.note("tier_versions_unpriced",
                       "%s from %s: %s is no multiple of LiteLLM's %s" %
                       (where, start or "always", fmt_rate_pair(g_rows, start),
                        "/".join(fmt_rate(lbase.get(c)) for c in
                                 ("input", "output"))))
            continue
        for r in tier_rows:
            rates = {}
            for c in RATE_COLS:
                v = r.rates[c]
                rates[c] = None if v is None else limit_decimals(v * k,
                                                                  Stats())
                if v is not None and rates[c] != v * k:
                    stats.note("tier_versions_rounded", "%s %s from %s: "
                               "%s %s" % (where, r.tier, start or "always",
                                          c, v * k))
            out.append(Row(start, r.tier, r.min_input, rates, r.source))
        if k != 1:
            stats.note("tier_versions_scaled", "%s from %s: LiteLLM's "
                       "tiers x %s" % (where, start or "always",
                                       k.normalize()))
    return out


def fmt_rate_pair(rows, start):
    """"input/output" of the standard base row from start, for reports."""
    r = next(r for r in rows if r.start == start and r.tier == "standard"
             and not r.min_input)
    return "%s/%s" % (fmt_rate(r.rates["input"]), fmt_rate(r.rates["output"]))


def merge(lite, genai, order, changelog, providers, stats):
    """Merges the sources under the rule of docs/PRICES.md: genai-prices is
    authoritative for the names it prices itself (dated versions, long-
    context tiers), LiteLLM filling what it is silent on and adding service
    tiers; a LiteLLM name another genai-prices model's rule covers becomes an
    alias of it when LiteLLM neither contradicts nor adds to its prices, and
    keeps its own LiteLLM price otherwise; LiteLLM prices every other model,
    with unambiguous changelog history, and each key that lost a collision
    as a model of its own, named by the key. Then derives the aliases."""
    cat = Catalog()
    by_prov = {}
    for g in genai:
        cat.put(g["provider"], g["model"], list(g["rows"]))
        by_prov.setdefault(g["provider"], []).append(g)
    genai_names = {(g["provider"], g["model"]): g for g in genai}

    # 1. LiteLLM keys naming a genai-prices model: genai-prices' rates win;
    # LiteLLM fills what genai-prices is silent on unless they conflict, and
    # adds its service tiers when both agree on the base input and output.
    for pm in sorted(lite):
        g = genai_names.get(pm)
        if not g:
            continue
        e = lite[pm]
        e["used"] = True
        status, _ = compare_prices(g["rows"], e["rows"])
        if status != "conflict":
            stats.add("both_same_name_" + status)
        rows = list(g["rows"])
        if status != "conflict":
            rows = fill_silent(rows, e["rows"], stats)
        tier_rows = tier_versions(g["rows"], e["rows"], stats,
                                  "%s/%s" % pm)
        if status == "conflict":
            stats.note("both_same_name_conflict",
                       "%s/%s: genai-prices %s, LiteLLM %s%s" %
                       (pm[0], pm[1], rate_summary(g["rows"]),
                        rate_summary(e["rows"]),
                        "" if tier_rows is not None
                        else "; LiteLLM service tiers dropped"))
        if tier_rows:
            rows += tier_rows
            stats.add("genai_models_with_litellm_tiers")
        elif tier_rows is None:
            stats.add("litellm_tiers_dropped")
        cat.put(pm[0], pm[1], complete_long_context(rows, stats))

    # 1b. A genai-prices model without long-context rows in any version
    # (after 1) takes the long-context rows of the LiteLLM names its match
    # rule covers (first match, as in 2) when they all state the same
    # long-context rates and none conflicts with it: anthropic
    # claude-sonnet-4-0 has none, LiteLLM states Sonnet 4's 200k rows under
    # claude-sonnet-4-20250514 and claude-4-sonnet-20250514, so the model
    # and its aliases must bill above 200k alike.
    first_match = {}
    for pm in sorted(lite):
        if lite[pm].get("used"):
            continue
        g = next((x for x in by_prov.get(pm[0], [])
                  if clause_match(x["match"], pm[1])), None)
        if g:
            first_match.setdefault(id(g), []).append(pm)
    for g in genai:
        gpm = (g["provider"], g["model"])
        rows = cat.models[gpm]
        if any(r.min_input for r in rows) or id(g) not in first_match:
            continue
        cands = []
        for pm in first_match[id(g)]:
            e = lite[pm]
            lc = [r for r in litellm_rows(e["rec"], Stats(),
                                          lc_fallback=False)
                  if r.tier == "standard" and r.min_input]
            if lc:
                cands.append((pm, compare_prices(rows, e["rows"])[0],
                              tuple(sorted(r.rate_key() for r in lc)), lc))
        if not cands:
            continue
        names = ", ".join(pm[1] for pm, _, _, _ in cands)
        if any(st == "conflict" for _, st, _, _ in cands) or len(
                {k for _, _, k, _ in cands}) > 1:
            stats.note("genai_long_context_from_covered_names_refused",
                       "%s/%s: %s disagree" % (gpm[0], gpm[1], names))
            continue
        _, start = current_standard(rows)
        rows = rows + [Row(start, "standard", r.min_input, dict(r.rates),
                           "litellm") for r in cands[0][3]]
        cat.put(gpm[0], gpm[1], complete_long_context(rows))
        stats.note("genai_long_context_from_covered_names",
                   "%s/%s from %s" % (gpm[0], gpm[1], names))

    # 1c. A LiteLLM name whose first genai-prices match (in genai-prices'
    # order, models without a catalog name included: Bedrock's regional.*
    # buckets) has dated versions takes those versions, genai-prices'
    # rates winning, LiteLLM filling only what genai-prices lacks, scaled
    # to each version (fill_versions). LiteLLM states only the price of
    # its snapshot day; kept on its own (rule 2) or left to LiteLLM (rule
    # 3) the name would lose the change genai-prices dates
    # (us.anthropic.claude-sonnet-5: $2.20/$11, from 2026-09-01
    # $3.30/$16.50). A name rule 2 would make an alias of the dated
    # model is left to it: the alias carries the history.
    for pm in sorted(lite):
        e = lite[pm]
        if e.get("used"):
            continue
        x = next((x for x in order.get(pm[0], [])
                  if clause_match(x["match"], pm[1])), None)
        if not x or not x["dated"]:
            continue
        if x["model"]:
            ok, _ = alias_verdict(cat.models[(pm[0], x["model"])], e["rows"])
            if ok:
                continue
        status, _ = compare_prices(x["rows"], e["rows"])
        g_rows = x["rows"] if x["model"] else genai_rows(
            x["gid"], x["versions"], stats)
        rows = fill_versions(g_rows, e["rows"], stats, "%s/%s" % pm)
        tier_rows = tier_versions(g_rows, e["rows"], stats, "%s/%s" % pm)
        if tier_rows:
            rows += tier_rows
        elif tier_rows is None:
            stats.add("litellm_tiers_dropped")
        cat.put(pm[0], pm[1], complete_long_context(rows, stats))
        e["used"] = True
        stats.note("genai_history_for_covered_names",
                   "%s/%s: versions of genai-prices %s (%s); LiteLLM %s" %
                   (pm[0], pm[1], x["gid"], ", ".join(
                       "%s %s" % (st or "always", fmt_rate_pair(x["rows"],
                                                                st))
                       for st in sorted({r.start for r in x["rows"]})),
                    rate_summary(e["rows"]) +
                    (", conflicting" if status == "conflict" else "")))
        if x["model"]:
            cat.bad_aliases[(pm[0], pm[1])] = (
                "priced on its own with the versions of %s and what "
                "LiteLLM states beyond them" % x["model"])

    # 2. LiteLLM names covered by another genai-prices model's match rule:
    # an alias of it when LiteLLM states nothing that contradicts or is
    # missing from the target's rows (service tiers both price included),
    # else the name keeps its own LiteLLM price.
    for pm in sorted(lite):
        e = lite[pm]
        if e.get("used"):
            continue
        g = next((x for x in by_prov.get(pm[0], [])
                  if clause_match(x["match"], pm[1])), None)
        if not g:
            continue
        target = cat.models[(g["provider"], g["model"])]
        ok, (status, lite_extra) = alias_verdict(target, e["rows"])
        if ok:
            e["used"] = True
            e["alias_of"] = (g["provider"], g["model"])
            stats.add("both_group_alias_" + status)
            continue
        why = ("conflict" if status == "conflict" else
               "litellm_states_more" if lite_extra else "tiers_differ")
        stats.note("both_group_kept_" + why,
                   "%s/%s (genai-prices %s as %s): genai-prices %s, "
                   "LiteLLM %s" %
                   (pm[0], pm[1], g["gid"], g["model"],
                    rate_summary(target), rate_summary(e["rows"])))
        cat.bad_aliases[(pm[0], pm[1])] = (
            "LiteLLM prices it %s, genai-prices' rule for %s %s (%s)" %
            (rate_summary(e["rows"]), g["model"], rate_summary(target),
             why.replace("_", " ")))

    # 2b. Names LiteLLM dropped that a genai-prices rule covers.
    removed = removed_names(lite, changelog, providers, cat, by_prov, stats)

    # 3. Every other LiteLLM model, with changelog history.
    for pm in sorted(lite):
        e = lite[pm]
        if e.get("used"):
            continue
        rows = add_changelog_history(e, changelog.get(e["key"], []), stats)
        cat.put(pm[0], pm[1], rows)
        stats.add("litellm_models")
    # 3b. A LiteLLM key that lost a collision (load_litellm) is a model of
    # its own, named by the key as LiteLLM logs it, priced as in 3:
    # LiteLLM's gemini/gemini-flash-latest has a $0.075 cache read,
    # gemini-flash-latest (the winner, and its names) $0.03.
    own_keys = set()
    for pm in sorted(lite):
        for e in lite[pm]["losers"]:
            own = (pm[0], e["key"])
            if own in cat.models:
                raise GenError("LiteLLM key %s lost a collision to %s, and "
                               "%s/%s is a model already" %
                               (e["key"], lite[pm]["key"], *own))
            cat.put(own[0], own[1], add_changelog_history(
                e, changelog.get(e["key"], []), stats))
            own_keys.add(own)
            stats.add("litellm_models")
    for key in sorted(changelog):
        if any(ev[2] not in ("ADDED", "REMOVED") for ev in changelog[key]):
            stats.add("changelog_keys_with_changes")

    # 3c. A service tier without long-context rows, of a model whose
    # standard tier has them, takes them at the standard tier's ratio
    # (tier_long_context): a gpt-5.4 flex request above 272k billed the
    # flex base ($0.45 for 300k in, 10k out; OpenAI: $0.8625).
    # 3d. A Claude row without a 1-hour cache write, where it bills the
    # 5-minute write at Anthropic's rate, takes Anthropic's 2x input
    # (claude_1h_write): Bedrock global.anthropic.claude-opus-4-6-v1:0
    # billed 1-hour writes at the 5-minute $6.25, not $10.
    for pm in sorted(cat.models):
        where = "%s/%s" % pm
        rows = tier_long_context(cat.models[pm], stats, where)
        cat.put(pm[0], pm[1], claude_1h_write(pm[1], rows, stats, where))

    # 4. Aliases: genai-prices spellings, LiteLLM names priced the same as a
    # genai-prices model, then LiteLLM routing prefixes.
    for g in genai:
        for n in g["names"]:
            if n == g["model"] or (g["provider"], n) in cat.models:
                if n != g["model"] and (g["provider"], n) in cat.models:
                    cat.bad_aliases.setdefault(
                        (g["provider"], n),
                        "priced on its own, differently from %s" % g["model"])
                continue
            if (g["provider"], n) in cat.bad_aliases:
                continue
            cat.alias(g["provider"], n, g["provider"], g["model"],
                      alias_kind(n, g["model"]), stats)
    # genai-prices' regex clauses: patterns the C side tries after every
    # name (docs/PRICES.md), each checked against what genai-prices does.
    known = sorted({n for _, n in cat.models} | {n for _, n in lite})
    for g in genai:
        for regex, ere in g["regexes"]:
            check_pattern(g, regex, ere, by_prov, known)
            cat.alias(g["provider"], ere, g["provider"], g["model"], "regex",
                      stats)
    for pm in sorted(lite):
        e = lite[pm]
        if "alias_of" in e:
            t = e["alias_of"]
            cat.alias(pm[0], pm[1], t[0], t[1], alias_kind(pm[1], t[1]),
                      stats)
    for pm in sorted(removed):
        if pm not in cat.models:
            t = removed[pm]
            cat.alias(pm[0], pm[1], t[0], t[1], alias_kind(pm[1], t[1]),
                      stats)

    def resolve(prov, model):
        if (prov, model) in cat.models:
            return prov, model
        a = cat.aliases.get((prov, model))
        return (a[0], a[1]) if a else None

    for pm in sorted(lite):
        e = lite[pm]
        # A loser's key names its own model (3b), for any provider as the
        # other LiteLLM keys; it is no spelling of the winner's, also when
        # it is the winner's caller route (gemini/gemini-flash-latest).
        losers = {x["key"] for x in e["losers"]}
        for k in sorted(losers):
            cat.alias("", k, pm[0], k, "prefix", stats)
        target = resolve(*pm)
        if not target:
            continue
        spellings = set(e["keys"])
        lprov = e["lprov"]
        route = LITELLM_CALLER_ROUTES.get(lprov)
        if route and e["key"] == pm[1]:
            spellings.add(route + "/" + pm[1])
        for s in sorted(spellings - losers):
            if s == pm[1]:
                continue
            if ("", s) in cat.models:
                continue
            cat.alias("", s, target[0], target[1], "prefix", stats)

    # 5. Fast mode: LiteLLM's provider_specific_entry "fast" multiplies the
    # whole price of a request Anthropic ran in fast mode (usage.speed
    # "fast": 6x on Claude Opus 4.6). burnrate names such a request's
    # model with "-fast" after it, as ccusage does, and prices it as a
    # model of its own: every row of the model's, each rate multiplied.
    for pm in sorted(lite):
        e = lite[pm]
        fast = (e["rec"].get("provider_specific_entry") or {}).get("fast")
        target = resolve(*pm)
        if not fast or not target:
            continue
        k = Decimal(str(fast))
        fast_pm = (target[0], target[1] + "-fast")
        if fast_pm not in cat.models:
            cat.put(fast_pm[0], fast_pm[1], [
                Row(r.start, r.tier, r.min_input,
                    {c: None if v is None else v * k
                     for c, v in r.rates.items()}, r.source)
                for r in cat.models[target]])
            stats.note("fast_mode_models", "%s/%s: %sx" %
                       (fast_pm[0], fast_pm[1], fast))
        if pm[1] + "-fast" != fast_pm[1]:
            cat.alias(pm[0], pm[1] + "-fast", fast_pm[0], fast_pm[1],
                      alias_kind(pm[1] + "-fast", fast_pm[1]), stats)

    # 6. Every route LiteLLM callers use for a provider, before every name
    # of that provider: LiteLLM logs a model as its caller named it
    # ("bedrock/<id>"), whether or not LiteLLM's own file has the key, so
    # a model only genai-prices prices (bedrock
    # global.anthropic.claude-sonnet-5-v1:0) was unpriced under it. A
    # pattern anchored at the start gets the route after its "^"
    # (openai/gpt-5.6-luna-2026-07-15). API_ROUTES are routes too
    # (models/gemini-2.5-pro). All are the route's provider's
    # only, unlike LiteLLM's own keys: other providers name models
    # "org/model" too, and Groq's openai/gpt-oss-20b is not OpenAI's.
    routes = litellm_routes(lite)
    for prov, rs in API_ROUTES.items():
        routes.setdefault(prov, []).extend(rs)
    # A loser's key (3b) has its route already.
    names = [(pm, pm) for pm in cat.models if pm not in own_keys] + [
        (a, t[:2]) for a, t in cat.aliases.items() if a[0] and
        (t[2] != "regex" or a[1].startswith("^"))]
    for (prov, name), target in sorted(names):
        rule = "regex" if (prov, name) in cat.aliases and \
            cat.aliases[(prov, name)][2] == "regex" else "prefix"
        for route in routes.get(prov, ()):
            s = "^" + route + name[1:] if rule == "regex" else route + name
            if not any((p, s) in d for p in ("", prov) for d in (
                    cat.aliases, cat.models, cat.bad_aliases)):
                cat.alias(prov, s, target[0], target[1], rule, stats)
                stats.add("route_" + ("patterns" if rule == "regex"
                                      else "aliases"))
    return cat


def litellm_routes(lite):
    """{provider: [route]}: the routing prefixes ("bedrock/",
    "bedrock/invoke/", "gemini/", "openrouter/") LiteLLM's keys of each
    canonical provider carry, but LITELLM_NARROW_ROUTES, and the caller
    routes of LITELLM_CALLER_ROUTES. Raises GenError when one route would
    name two providers."""
    of = {}
    for pm, e in lite.items():
        for k in e["keys"]:
            if k != pm[1] and k.endswith("/" + pm[1]):
                of.setdefault(k[:-len(pm[1])], set()).add(pm[0])
        route = LITELLM_CALLER_ROUTES.get(e["lprov"])
        if route:
            of.setdefault(route + "/", set()).add(pm[0])
    out = {}
    for route in sorted(of):
        if route in LITELLM_NARROW_ROUTES:
            continue
        if len(of[route]) > 1:
            raise GenError("LiteLLM route %r names providers %s" %
                           (route, ", ".join(sorted(of[route]))))
        out.setdefault(of[route].pop(), []).append(route)
    return out


# ---------------------------------------------------------------- checking


def check_catalog(cat):
    """Checks what the C loader and lookup rely on: no two rows of a model
    share (from, tier, min_input_tokens); every version of every tier has a
    base row (versions are built whole, long-context rows included) and no
    long-context row leaves empty a rate its base row states; input
    and output rates are set; every alias targets a model and shadows none.
    Raises GenError."""
    for (prov, model), rows in cat.models.items():
        if not prov or not model:
            raise GenError("empty provider or model")
        seen = set()
        for r in rows:
            k = (r.start, r.tier, r.min_input)
            if k in seen:
                raise GenError("%s/%s: duplicate row %r" % (prov, model, k))
            seen.add(k)
            if r.rates["input"] is None or r.rates["output"] is None:
                raise GenError("%s/%s: row without input/output rate" %
                               (prov, model))
            if r.start and not re.match(r"^\d{4}-\d{2}-\d{2}$", r.start):
                raise GenError("%s/%s: bad from %r" % (prov, model, r.start))
        for tier in TIERS:
            for start in {r.start for r in rows if r.tier == tier}:
                mins = {r.min_input for r in rows
                        if r.tier == tier and r.start == start}
                if 0 not in mins:
                    raise GenError("%s/%s: %s version %r has no base row" %
                                   (prov, model, tier, start or "always"))
        base = {(r.start, r.tier): r.rates for r in rows if not r.min_input}
        for r in rows:
            b = base[(r.start, r.tier)]
            for c in RATE_COLS:
                if r.min_input and r.rates[c] is None and b[c] is not None:
                    raise GenError("%s/%s: %s row %d leaves %s empty, which "
                                   "its base row states" %
                                   (prov, model, r.tier, r.min_input, c))
    for (ap, am), (prov, model, _) in cat.aliases.items():
        if (prov, model) not in cat.models:
            raise GenError("alias %s/%s: no target %s/%s" %
                           (ap, am, prov, model))
        if ap and (ap, am) in cat.models:
            raise GenError("alias %s/%s shadows a model" % (ap, am))


# ----------------------------------------------------------------- output


def catalog_csv(cat):
    rows = sorted((r for rs in cat.models.values() for r in rs),
                  key=Row.sort_key)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CATALOG_HEADER)
    for r in rows:
        w.writerow([r.provider, r.model, r.start] +
                   [fmt_rate(r.rates[c]) for c in RATE_COLS] +
                   [str(r.min_input) if r.min_input else "", r.tier,
                    r.source])
    return buf.getvalue().encode("utf-8"), len(rows)


def aliases_csv(cat):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(ALIAS_HEADER)
    for (ap, am) in sorted(cat.aliases):
        prov, model, rule = cat.aliases[(ap, am)]
        w.writerow([ap, am, prov, model, rule])
    return buf.getvalue().encode("utf-8")


def write_file(path, data):
    """Writes data to path via a temporary file and a rename."""
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def summary(cat, stats, nrows):
    """The counts printed by the generator and quoted in docs/PRICES.md."""
    versions = {(r.provider, r.model, r.tier, r.start)
                for rs in cat.models.values() for r in rs}
    dated = {pm for pm, rs in cat.models.items() if any(r.start for r in rs)}
    sources = {}
    for rs in cat.models.values():
        for r in rs:
            sources[r.source] = sources.get(r.source, 0) + 1
    rules = {}
    for (_, _, rule) in cat.aliases.values():
        rules[rule] = rules.get(rule, 0) + 1
    lines = [
        "models %d" % len(cat.models),
        "providers %d" % len({p for p, _ in cat.models}),
        "rows %d" % nrows,
        "versions %d (model x tier x from)" % len(versions),
        "models with dated versions %d" % len(dated),
        "rows by source " + ", ".join("%s %d" % kv for kv in
                                      sorted(sources.items())),
        "aliases %d (%s)" % (len(cat.aliases), ", ".join(
            "%s %d" % kv for kv in sorted(rules.items()))),
        "aliases not emitted %d" % len(cat.bad_aliases),
    ]
    for k in sorted(stats.counts):
        lines.append("%s %d" % (k, stats.counts[k]))
    return lines


def report(cat, stats):
    """The detailed report: every list behind the counts."""
    out = []
    for k in sorted(stats.lists):
        if k == "rounded_rates":
            continue
        out.append("== %s (%d)" % (k, len(stats.lists[k])))
        out.extend("  " + x for x in stats.lists[k])
    out.append("== rounded_rates (%d)" % len(stats.lists.get(
        "rounded_rates", [])))
    out.extend("  " + x for x in sorted(set(stats.lists.get(
        "rounded_rates", []))))
    out.append("== aliases_not_emitted (%d)" % len(cat.bad_aliases))
    for (ap, am) in sorted(cat.bad_aliases):
        out.append("  %s/%s: %s" % (ap or "*", am, cat.bad_aliases[(ap, am)]))
    return "\n".join(out) + "\n"


def main(argv):
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(
        description="Build data/catalog.csv and data/aliases.csv from the "
        "public LiteLLM and genai-prices price data.")
    ap.add_argument("--sources", default=os.path.join(
        root, "..", "shared", "pricing-sources"),
        help="directory with litellm_model_prices.json, "
        "litellm_price_changelog.tsv, genai_prices_data.json "
        "(default: ../shared/pricing-sources from the repository root)")
    ap.add_argument("--out", default=os.path.join(root, "data"),
                    help="output directory (default: data/)")
    ap.add_argument("--report", help="write the detailed report here")
    args = ap.parse_args(argv)

    stats = Stats()
    try:
        lite = load_litellm(os.path.join(
            args.sources, "litellm_model_prices.json"), stats)
        changelog, providers = load_changelog(os.path.join(
            args.sources, "litellm_price_changelog.tsv"))
        genai, order = load_genai(os.path.join(
            args.sources, "genai_prices_data.json"), stats,
            {pm for pm, e in lite.items() if e["embedding"]})
        cat = merge(lite, genai, order, changelog, providers, stats)
        check_catalog(cat)
    except (OSError, ValueError, KeyError, GenError) as e:
        print("gen_catalog: error: %s" % e, file=sys.stderr)
        return 1
    cdata, nrows = catalog_csv(cat)
    adata = aliases_csv(cat)
    os.makedirs(args.out, exist_ok=True)
    write_file(os.path.join(args.out, "catalog.csv"), cdata)
    write_file(os.path.join(args.out, "aliases.csv"), adata)
    if args.report:
        write_file(args.report, report(cat, stats).encode("utf-8"))
    print("source data: LiteLLM copy of %s, genai-prices data.json, "
          "LiteLLM changelog" % SNAPSHOT_DATE)
    for line in summary(cat, stats, nrows):
        print(line)
    print("catalog.csv sha256 %s" % hashlib.sha256(cdata).hexdigest())
    print("aliases.csv sha256 %s" % hashlib.sha256(adata).hexdigest())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
