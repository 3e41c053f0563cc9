#!/usr/bin/env python3
"""oracle.py - an independent model of burnrate's generic ingest and report.

It re-implements DESIGN §3/§6/§7 for the generic format from scratch with
the Python standard library (json, csv-free own RFC 4180 reader, Decimal
money), so the end-to-end tests can compare burnrate against it.

  oracle.py expect [--prices F] [--no-builtin]
                   [--cost-mode auto|calculate|display]
                   [--no-dedupe] [--by KEYS] [--as-of D] [--since D]
                   [--until D] [--month YYYY-MM] [--records-out F] PATH...
      Prints the expected report as JSON: group_by, period, rows, totals,
      unpriced (as in the report JSON), plus "rejects": [[name, line], ...]
      and "stats". PATHs are named as burnrate names them (a directory's
      files as DIR/REL). --records-out writes one JSON line per kept record.
      Prices come from data/catalog.csv and data/aliases.csv with --prices
      over them, looked up as docs/PRICES.md says.

  oracle.py compare --expected E --report R [--rejects F] [--csv C]
                    [--records F] [--tolerance 1e-6]
      Compares burnrate's report JSON (and its rejects file, and its CSV
      report) with the oracle's expectation. Prints every disagreement and
      exits 1 when there is one.
"""
import argparse
import datetime as dt
import gzip
import hashlib
import json
import os
import re
import sys

import formats_oracle
from decimal import Decimal, ROUND_HALF_UP, getcontext

getcontext().prec = 80

PICO = Decimal("1e-12")
MICRO = Decimal("1e-6")
MILLION = Decimal(1000000)
# The built-in catalog burnrate embeds (docs/PRICES.md).
BUILTIN_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                           "..", "data")
TOKEN_FIELDS = ["input_tokens", "output_tokens", "cache_read_tokens",
                "cache_write_tokens", "cache_write_1h_tokens",
                "reasoning_tokens"]
ROW_FIELDS = ["requests", "errors", "input_tokens", "output_tokens",
              "cache_read_tokens", "cache_write_tokens",
              "cache_write_1h_tokens", "reasoning_tokens", "cost_usd",
              "unpriced_requests"]
KEYS = ["day", "week", "month", "provider", "model", "agent", "label"]
TIERS = {"standard": "standard", "batch": "batch", "flex": "flex",
         "priority": "priority", "default": "standard", "auto": "standard",
         "on_demand": "standard"}
LOG_SUFFIXES = (".jsonl", ".ndjson", ".json", ".csv", ".log")
TOKEN_MAX = 2**63 - 1
JSON_NUMBER = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?\Z")
# Offsets: RFC 3339's +hh:mm, and ISO 8601's +hhmm and +hh (PostgreSQL's).
ZONE = r"(Z|[+-]\d{2}(?::?\d{2})?)"
RFC3339 = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})"
                     r"(\.\d+)?" + ZONE + r"\Z")
SPACED = re.compile(r"(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})"
                    r"(\.\d+)?" + ZONE + r"?\Z")
EPOCH_DATE = dt.date(1970, 1, 1)


class Reject(Exception):
    pass


# ------------------------------------------------------------------ values

def parse_time_text(s):
    """Returns the UTC instant of a timestamp string in microseconds."""
    m = RFC3339.match(s) or SPACED.match(s)
    if not m:
        if JSON_NUMBER.match(s):
            return parse_epoch(Decimal(s))
        raise Reject("invalid timestamp %r" % s)
    zone = m.group(8)
    y, mo, d, h, mi, se = (int(m.group(i)) for i in range(1, 7))
    try:
        date = dt.date(y, mo, d)
    except ValueError:
        raise Reject("invalid date %r" % s)
    if h > 23 or mi > 59 or se > 59:
        raise Reject("invalid time %r" % s)
    frac = (m.group(7) or ".")[1:]
    micro = int((frac + "000000")[:6])
    off = 0
    if zone and zone != "Z":
        digits = zone[1:].replace(":", "")
        oh, om = int(digits[:2]), int(digits[2:] or 0)
        if oh > 23 or om > 59:
            raise Reject("invalid offset %r" % s)
        off = (oh * 60 + om) * 60 * (1 if zone[0] == "+" else -1)
    days = (date - EPOCH_DATE).days
    return ((days * 86400 + h * 3600 + mi * 60 + se - off) * 1000000 + micro)


def parse_epoch(v):
    v = Decimal(v)
    if v > Decimal("1e11"):
        v = v / 1000
    us = (v * 1000000).to_integral_value(rounding="ROUND_FLOOR")
    return int(us)


# Days are written with four digits: instants from 0000-01-01 (day
# -719528) to 9999-12-31 UTC.
FIRST_US = -719528 * 86400 * 1000000
END_US = ((dt.date(9999, 12, 31) - EPOCH_DATE).days + 1) * 86400 * 1000000


def in_years(us):
    if not FIRST_US <= us < END_US:
        raise Reject("timestamp outside years 0000 to 9999")
    return us


def json_time(v):
    if isinstance(v, bool) or v is None:
        raise Reject("missing or invalid timestamp")
    if isinstance(v, (int, Decimal)):
        return in_years(parse_epoch(v))
    if isinstance(v, str):
        # Epoch seconds are a JSON number (DESIGN 3); only a CSV cell, which
        # has no type, holds them as text.
        if JSON_NUMBER.match(v):
            raise Reject("epoch seconds in a JSON string %r" % v)
        return in_years(parse_time_text(v))
    raise Reject("invalid timestamp type")


def is_error_status(v):
    if v is None or isinstance(v, bool):
        return False
    if isinstance(v, (int, Decimal)):
        return v >= 400
    if isinstance(v, str):
        if v.lower() in ("error", "failed", "failure"):
            return True
        if re.fullmatch(r"[0-9]+", v):
            return int(v) >= 400
    return False


def tier_of(v):
    if v is None or v == "":
        return "standard"
    if isinstance(v, str) and v in TIERS:
        return TIERS[v]
    raise Reject("invalid service_tier %r" % (v,))


def money(v):
    """An exact logged cost, rounded half away from zero to 12 decimals."""
    return Decimal(v).quantize(PICO, rounding=ROUND_HALF_UP)


# ------------------------------------------------------------------ records

def no_constants(name):
    raise ValueError("constant %s" % name)


def jsonl_record(text):
    """Maps one JSONL record to the canonical event dict or raises Reject."""
    try:
        obj = json.loads(text, parse_float=Decimal,
                         parse_constant=no_constants,
                         object_pairs_hook=dict)
    except ValueError as e:
        raise Reject("invalid JSON: %s" % e)
    if not isinstance(obj, dict):
        raise Reject("not an object")
    ev = {"ts": json_time(obj.get("timestamp"))}
    for k in ("provider", "model"):
        v = obj.get(k)
        if not isinstance(v, str) or v == "":
            raise Reject("missing or invalid %s" % k)
        ev[k] = v
    for k in ("agent", "label"):
        v = obj.get(k)
        ev[k] = v if isinstance(v, str) else ""
    rid = obj.get("request_id")
    if isinstance(rid, bool) or rid is None:
        rid = ""
    elif isinstance(rid, int):
        rid = str(rid)
    elif not isinstance(rid, str):
        rid = ""
    ev["request_id"] = rid
    ev["error"] = is_error_status(obj.get("status"))
    ev["tier"] = tier_of(obj.get("service_tier"))
    usage = obj.get("usage")
    if usage is None:
        usage = {}
    if not isinstance(usage, dict):
        raise Reject("usage is not an object")
    for f in TOKEN_FIELDS:
        v = usage.get(f)
        if v is None:
            v = 0
        if isinstance(v, bool) or not isinstance(v, int) or v < 0 or \
                v > TOKEN_MAX:
            raise Reject("invalid %s %r" % (f, v))
        ev[f] = v
    c = obj.get("cost_usd")
    if c is None or isinstance(c, bool):
        ev["cost"] = None
    elif isinstance(c, (int, Decimal)):
        ev["cost"] = money(c)
    else:
        ev["cost"] = None
    return ev


def csv_record(header, cells):
    if len(cells) != len(header):
        raise Reject("%d fields, header has %d" % (len(cells), len(header)))
    row = {}
    for h, c in zip(header, cells):
        row.setdefault(h, c)
    ts = row.get("timestamp", "")
    if ts == "":
        raise Reject("missing timestamp")
    ev = {"ts": in_years(parse_time_text(ts))}
    for k in ("provider", "model"):
        v = row.get(k, "")
        if v == "":
            raise Reject("missing %s" % k)
        ev[k] = v
    ev["agent"] = row.get("agent", "")
    ev["label"] = row.get("label", "")
    ev["request_id"] = row.get("request_id", "")
    ev["error"] = is_error_status(row.get("status", ""))
    ev["tier"] = tier_of(row.get("service_tier", ""))
    for f in TOKEN_FIELDS:
        v = row.get(f, "")
        if v == "":
            ev[f] = 0
        elif re.fullmatch(r"[0-9]+|-0+", v) and int(v) <= TOKEN_MAX:
            ev[f] = int(v)  # -0 is the integer 0, as JSON's is
        else:
            raise Reject("invalid %s %r" % (f, v))
    c = row.get("cost_usd", "")
    if c == "":
        ev["cost"] = None
    elif JSON_NUMBER.match(c):
        ev["cost"] = money(c)
    else:
        raise Reject("invalid cost_usd %r" % c)
    return ev


def csv_records(text):
    """Splits RFC 4180 text into (start_line, cells or None) records; None
    marks a record that cannot be split (unterminated or stray quote).
    Physical lines end at LF or CRLF; completely empty lines are skipped."""
    out = []
    i, n, line = 0, len(text), 1
    while i < n:
        start = line
        if text[i] == "\n" or text.startswith("\r\n", i):
            i += 1 if text[i] == "\n" else 2
            line += 1
            continue
        cells, cell, ok = [], [], True
        while True:
            if i < n and text[i] == '"':
                i += 1
                while True:
                    if i >= n:
                        ok = False
                        break
                    ch = text[i]
                    if ch == '"':
                        if text.startswith('""', i):
                            cell.append('"')
                            i += 2
                            continue
                        i += 1
                        break
                    if ch == "\n":
                        line += 1
                    cell.append(ch)
                    i += 1
                if ok and i < n and text[i] not in ",\r\n":
                    ok = False
                    while i < n and text[i] != "\n":
                        i += 1
            else:
                while i < n and text[i] not in ',\n' and \
                        not text.startswith("\r\n", i):
                    cell.append(text[i])
                    i += 1
            cells.append("".join(cell))
            cell = []
            if i < n and text[i] == ",":
                i += 1
                continue
            if text.startswith("\r\n", i):
                i += 2
            elif i < n and text[i] == "\n":
                i += 1
            line += 1
            break
        out.append((start, cells if ok else None))
    return out


# ------------------------------------------------------------------ inputs

def read_content(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return data


def expand(paths):
    """The files burnrate reads, in order, with the names it gives them."""
    out = []
    for p in paths:
        if os.path.isdir(p):
            found = []
            for root, dirs, files in os.walk(p, followlinks=False):
                dirs[:] = [d for d in dirs if not d.startswith(".")
                           and not os.path.islink(os.path.join(root, d))]
                for f in files:
                    if f.startswith("."):
                        continue
                    base = f[:-3] if f.endswith(".gz") else f
                    if base.endswith(LOG_SUFFIXES):
                        found.append(os.path.join(root, f))
            out.extend(sorted(found, key=lambda s: s.encode()))
        else:
            out.append(p)
    return out


def parse_format(fmt, data):
    """(line, event or Reject) of an input in a format other than generic
    (tests/formats_oracle.py); a record may give several events or none."""
    out = []
    for ln, evs in formats_oracle.parse(
            fmt, data, csv_records, lambda s: in_years(parse_time_text(s))):
        if isinstance(evs, formats_oracle.Reject):
            out.append((ln, Reject(str(evs))))
            continue
        if ln:
            out.append((ln, None))  # the record itself
        for ev in evs:
            if ev["cost"] is not None:
                ev["cost"] = money(ev["cost"])
            # The formats' engine rule 3: a logged cost only of a request
            # that succeeded (generic's is taken whatever its status).
            ev["cost_if_ok"] = True
            out.append((ln, ev))
    return out


def ingest(paths, no_dedupe, fmt="generic"):
    """Returns (events, rejects, stats); events are kept records."""
    events, rejects = [], []
    seen_ids, seen_content = set(), set()
    # Claude Code message ids counted by the inputs before: any copy, a
    # sidechain's copy (docs/FORMATS.md: a copy under another request id
    # is dropped when either is a sidechain's)
    msg_any, msg_side = set(), set()
    stats = {"records": 0, "rejected": 0, "duplicates": 0, "skipped_inputs": 0}
    for name in expand(paths):
        data = read_content(name)
        fp = hashlib.sha256(data).digest()
        if fp in seen_content:
            print("oracle: warning: %s: same content as an earlier input, "
                  "skipped" % name, file=sys.stderr)
            stats["skipped_inputs"] += 1
            continue
        seen_content.add(fp)
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        parsed = []  # (line, event or Reject)
        claims = []
        if fmt != "generic":
            parsed = parse_format(fmt, data)
        elif data.lstrip(b" \t\r\n")[:1] == b"{":
            for ln, raw in enumerate(data.split(b"\n"), 1):
                if raw.endswith(b"\r"):
                    raw = raw[:-1]
                if raw.strip(b" \t\r") == b"":
                    continue
                try:
                    parsed.append((ln, jsonl_record(raw.decode("utf-8"))))
                except UnicodeDecodeError:
                    parsed.append((ln, Reject("invalid UTF-8")))
                except Reject as e:
                    parsed.append((ln, e))
        else:
            recs = csv_records(data.decode("utf-8"))
            if not recs or recs[0][1] is None:
                raise SystemExit("oracle: %s: no CSV header" % name)
            header = recs[0][1]
            for ln, cells in recs[1:]:
                try:
                    if cells is None:
                        raise Reject("bad quoting")
                    parsed.append((ln, csv_record(header, cells)))
                except Reject as e:
                    parsed.append((ln, e))
        for ln, ev in parsed:
            if fmt != "generic" and (ev is None or not isinstance(ev, Reject)):
                # A record was counted by its None entry; events follow.
                if ev is None:
                    stats["records"] += 1
                    continue
            else:
                stats["records"] += 1
            if isinstance(ev, Reject):
                stats["rejected"] += 1
                rejects.append((name, ln, str(ev)))
                continue
            rid = ev["request_id"]
            if rid and not no_dedupe:
                msgid = ev.get("message_id")
                if rid in seen_ids or (msgid and msgid in (
                        msg_any if ev["sidechain"] else msg_side)):
                    stats["duplicates"] += 1
                    continue
                seen_ids.add(rid)
                if msgid:
                    claims.append((msgid, ev["sidechain"]))
            ev["file"], ev["line"] = name, ln
            events.append(ev)
        for msgid, side in claims:
            msg_any.add(msgid)
            if side:
                msg_side.add(msgid)
    return events, rejects, stats


# ------------------------------------------------------------------ prices

def load_prices(path):
    with open(path, "r", encoding="utf-8", newline="") as f:
        text = f.read()
    if text.startswith("\ufeff"):
        text = text[1:]
    recs = csv_records(text)
    header = [h.strip() for h in recs[0][1]]
    rows = []
    for ln, cells in recs[1:]:
        r = dict(zip(header, cells))

        def rate(k):
            v = (r.get(k) or "").strip()
            return Decimal(v) if v else None
        frm = (r.get("from") or "").strip()
        rows.append({
            "provider": canonical_provider(r.get("provider", "").strip()),
            "model": r["model"].strip(),
            "from": dt.date.fromisoformat(frm) if frm else None,
            "input": rate("input"), "output": rate("output"),
            "cache_read": rate("cache_read"),
            "cache_write": rate("cache_write"),
            "cache_write_1h": rate("cache_write_1h"),
            "reasoning": rate("reasoning"),
            "min_input": int((r.get("min_input_tokens") or "0").strip() or 0),
            "tier": TIERS[(r.get("tier") or "").strip() or "standard"],
        })
    return rows


PROVIDER_SAME = {
    "gemini": "google", "palm": "google", "google_ai_studio": "google",
    "vertex": "vertex_ai", "vertexai": "vertex_ai",
    "google_vertex": "vertex_ai", "google-vertex": "vertex_ai",
    "aws": "bedrock", "aws_bedrock": "bedrock", "amazon_bedrock": "bedrock",
    "amazon-bedrock": "bedrock", "bedrock_converse": "bedrock",
    "bedrock_mantle": "bedrock", "text-completion-openai": "openai",
    "azure_openai": "azure", "azure-openai": "azure", "azure_text": "azure",
    "together_ai": "together", "fireworks_ai": "fireworks",
    "mistralai": "mistral", "codestral": "mistral",
    "text-completion-codestral": "mistral", "cohere_chat": "cohere",
    "x-ai": "xai", "moonshotai": "moonshot", "voyageai": "voyage",
    "text-completion-inception": "inception",
}


def canonical_provider(p):
    p = "".join(chr(ord(c) + 32) if "A" <= c <= "Z" else c for c in p)
    if p.startswith("vertex_ai-"):
        return "vertex_ai"
    return PROVIDER_SAME.get(p, p)


# A Bedrock ARN that names a model: a foundation model's or a system
# inference profile's (an application inference profile's names none).
BEDROCK_ARN = re.compile(
    r"arn:[^:]*:bedrock:[^:]*:[^:]*:(?:foundation-model|inference-profile)"
    r"/([^/]+)\Z", re.S)


class Catalog:
    """The documented lookup (docs/PRICES.md): a prices file's rows for the
    provider, then its rows for any provider, then the built-in rows, then
    an alias for the provider, then one for any provider, then a pattern
    (alias rule "regex") for the provider, then one for any provider, then,
    for a Bedrock ARN of bedrock or no provider, the model it names."""

    def __init__(self, builtin_dir, override_path):
        self.builtin, self.override, self.aliases = {}, {}, {}
        self.patterns = []  # (provider, compiled regex, target), in order
        if builtin_dir:
            for p in load_prices(os.path.join(builtin_dir, "catalog.csv")):
                self.builtin.setdefault((p["provider"], p["model"]), []).append(p)
            with open(os.path.join(builtin_dir, "aliases.csv"),
                      encoding="utf-8", newline="") as f:
                recs = csv_records(f.read())
            header = recs[0][1]
            for _, cells in recs[1:]:
                r = dict(zip(header, cells))
                if r["rule"] == "regex":
                    # A POSIX ERE of [0-9], \., {n}: Python's regex means
                    # the same but for $, which also matches before a
                    # final newline.
                    pat = re.sub(r"\$\Z", r"\\Z", r["alias_model"])
                    self.patterns.append((r["alias_provider"], re.compile(
                        pat, re.S), (r["provider"], r["model"])))
                    continue
                self.aliases[(r["alias_provider"], r["alias_model"])] = (
                    r["provider"], r["model"])
        if override_path:
            for p in load_prices(override_path):
                self.override.setdefault((p["provider"], p["model"]), []).append(p)

    def rows(self, provider, model):
        prov = canonical_provider(provider)
        for table, key in ((self.override, (prov, model)),
                           (self.override, ("", model)),
                           (self.builtin, (prov, model)),
                           (self.builtin, ("", model))):
            if key in table:
                return table[key]
        target = self.aliases.get((prov, model)) or self.aliases.get(("", model))
        for want in (prov, "") if prov else ("",):
            target = target or next((t for p, rx, t in self.patterns
                                     if p == want and "\0" not in model
                                     and rx.search(model)), None)
        arn = BEDROCK_ARN.match(model)
        if not target and prov in ("", "bedrock") and arn:
            return self.rows("bedrock", arn.group(1))
        if target:
            # an override of the model the alias names, for its provider
            # or any provider, as when the log names that model itself
            return (self.override.get(target) or
                    self.override.get(("", target[1])) or self.builtin[target])
        return []


def find_price(catalog, ev, day, requests=1):
    cands = [p for p in catalog.rows(ev["provider"], ev["model"])
             if p["tier"] == ev["tier"] and (p["from"] is None or p["from"] <= day)]
    if not cands:
        return None
    latest = max((p["from"] or dt.date.min) for p in cands)
    cands = [p for p in cands if (p["from"] or dt.date.min) == latest]
    total_in = (ev["input_tokens"] + ev["cache_read_tokens"] +
                ev["cache_write_tokens"] + ev["cache_write_1h_tokens"])
    total_in //= max(requests, 1)  # an aggregate row: the mean request
    cands = [p for p in cands if p["min_input"] <= total_in]
    if not cands:
        return None
    return max(cands, key=lambda p: p["min_input"])


def calc_cost(p, ev):
    inp = p["input"]
    out = p["output"]
    cw = p["cache_write"] if p["cache_write"] is not None else inp
    c = (ev["input_tokens"] * inp +
         (ev["output_tokens"] - ev["reasoning_tokens"]) * out +
         ev["reasoning_tokens"] * (p["reasoning"] if p["reasoning"] is not None
                                   else out) +
         ev["cache_read_tokens"] * (p["cache_read"] if p["cache_read"]
                                    is not None else inp) +
         ev["cache_write_tokens"] * cw +
         ev["cache_write_1h_tokens"] * (p["cache_write_1h"] if
                                        p["cache_write_1h"] is not None
                                        else cw))
    return c / MILLION


# ------------------------------------------------------------------ report

def day_of(us):
    return EPOCH_DATE + dt.timedelta(days=us // 86400000000)


def key_value(k, ev, day):
    if k == "day":
        return day.isoformat()
    if k == "week":
        y, w, _ = day.isocalendar()
        return "%04d-W%02d" % (y, w)
    if k == "month":
        return day.strftime("%Y-%m")
    return ev[k]


def period(a):
    as_of = dt.date.fromisoformat(a.as_of) if a.as_of else \
        dt.datetime.now(dt.timezone.utc).date()
    since = dt.date.fromisoformat(a.since) if a.since else None
    until = dt.date.fromisoformat(a.until) if a.until else None
    if a.month:
        first = dt.date.fromisoformat(a.month + "-01")
        nxt = (first + dt.timedelta(days=32)).replace(day=1)
        since = first if since is None else max(since, first)
        last = nxt - dt.timedelta(days=1)
        until = last if until is None else min(until, last)
    until = as_of if until is None else min(until, as_of)
    return since, until, as_of


def round6(v):
    return v.quantize(MICRO, rounding=ROUND_HALF_UP)


def expect(a):
    prices = Catalog(None if a.no_builtin else BUILTIN_DIR, a.prices)
    events, rejects, stats = ingest(a.paths, a.no_dedupe, a.format)
    keys = a.by.split(",")
    for k in keys:
        if k not in KEYS:
            raise SystemExit("oracle: unknown key %r" % k)
    since, until, as_of = period(a)
    groups, unpriced = {}, {}
    total = new_acc()
    recout = open(a.records_out, "w", encoding="utf-8") if a.records_out \
        else None
    for ev in events:
        day = day_of(ev["ts"])
        if day > until or (since and day < since):
            continue
        calc = None
        n = ev.get("requests", 1)
        if a.cost_mode in ("auto", "calculate"):
            if all(ev[f] == 0 for f in TOKEN_FIELDS):
                calc = Decimal(0)  # no tokens: nothing to pay
            else:
                p = find_price(prices, ev, day, n)
                if p is not None:
                    calc = calc_cost(p, ev)
        logged = ev["cost"]
        # auto: the logged cost, but not a logged 0 for tokens (a price the
        # logger lacked): the catalog's, or unpriced, unless it too says 0.
        # display: the logged cost, a logged 0 for tokens none (unpriced);
        # without a logged cost, a request without tokens costs nothing.
        tokens = any(ev[f] for f in TOKEN_FIELDS)
        if a.cost_mode == "display":
            cost = None if logged == 0 and tokens else logged
            if cost is None and not tokens:
                cost = Decimal(0)
        elif (a.cost_mode == "auto" and logged is not None and
                not (logged == 0 and tokens and calc != 0) and
                not (ev.get("cost_if_ok") and ev["error"] and tokens and
                     calc is not None)):
            cost = logged
        else:
            cost = calc
        gk = tuple(key_value(k, ev, day) for k in keys)
        for acc in (groups.setdefault(gk, new_acc()), total):
            add(acc, ev, cost)
        if cost is None:
            pm = (ev["provider"], ev["model"])
            unpriced[pm] = unpriced.get(pm, 0) + n
        if recout:
            recout.write(json.dumps({
                "key": list(gk), "file": ev["file"], "line": ev["line"],
                "day": day.isoformat(), "tier": ev["tier"],
                "error": ev["error"],
                "tokens": [ev[f] for f in TOKEN_FIELDS],
                "cost": None if cost is None else str(cost)},
                ensure_ascii=False) + "\n")
    if recout:
        recout.close()
    rows = []
    for gk in sorted(groups, key=lambda t: [s.encode() for s in t]):
        row = dict(zip(keys, gk))
        row.update(finish(groups[gk]))
        rows.append(row)
    doc = {
        "as_of": as_of.isoformat(),
        "period": {"since": since.isoformat() if since else None,
                   "until": until.isoformat()},
        "group_by": keys,
        "rows": rows,
        "totals": finish(total),
        "unpriced": [{"provider": p, "model": m, "requests": n}
                     for (p, m), n in sorted(unpriced.items(),
                                             key=lambda kv: (kv[0][0].encode(),
                                                             kv[0][1].encode()))],
        "rejects": [[n, ln] for n, ln, _ in rejects],
        "reject_reasons": ["%s:%d: %s" % r for r in rejects],
        "stats": stats,
    }
    sys.stdout.write(dumps(doc) + "\n")


def new_acc():
    return {"requests": 0, "errors": 0, "input_tokens": 0, "output_tokens": 0,
            "cache_read_tokens": 0, "cache_write_tokens": 0,
            "cache_write_1h_tokens": 0, "reasoning_tokens": 0,
            "cost": Decimal(0), "unpriced_requests": 0}


def add(acc, ev, cost):
    n = ev.get("requests", 1)
    acc["requests"] += n
    acc["errors"] += n if ev["error"] else 0
    for f in TOKEN_FIELDS:
        acc[f] += ev[f]
    acc["cache_write_tokens"] += ev["cache_write_1h_tokens"]
    if cost is None:
        acc["unpriced_requests"] += n
    else:
        acc["cost"] += cost


def finish(acc):
    out = {f: acc[f] for f in ROW_FIELDS if f != "cost_usd"}
    out["cost_usd"] = round6(acc["cost"])
    return {f: out[f] for f in ROW_FIELDS}


def dumps(v, indent=""):
    """JSON with Decimals written as plain numbers (no float rounding)."""
    if isinstance(v, Decimal):
        return format(v, "f")
    if isinstance(v, dict):
        if not v:
            return "{}"
        inner = indent + "  "
        return "{\n" + ",\n".join(inner + json.dumps(k, ensure_ascii=False) +
                                  ": " + dumps(x, inner)
                                  for k, x in v.items()) + "\n" + indent + "}"
    if isinstance(v, list):
        if not v:
            return "[]"
        if all(not isinstance(x, (dict, list)) for x in v):
            return "[" + ", ".join(dumps(x) for x in v) + "]"
        inner = indent + "  "
        return "[\n" + ",\n".join(inner + dumps(x, inner) for x in v) + \
            "\n" + indent + "]"
    return json.dumps(v, ensure_ascii=False)


# ------------------------------------------------------------------ compare

def load_json(path):
    with open(path, "r", encoding="utf-8") as f:
        return json.load(f, parse_float=Decimal)


def compare(a):
    exp = load_json(a.expected)
    got = load_json(a.report)
    tol = Decimal(a.tolerance)
    problems = []
    notes = []
    keys = exp["group_by"]
    if got.get("group_by") != keys:
        problems.append("group_by: expected %r, got %r" %
                        (keys, got.get("group_by")))

    def cmp_row(where, e, g):
        out = []
        for f in ROW_FIELDS:
            if f not in g:
                out.append("%s: field %s missing (expected %s)" %
                           (where, f, e[f]))
                continue
            ev, gv = e[f], g[f]
            if f == "cost_usd":
                gv = Decimal(str(gv))
                d = abs(Decimal(ev) - gv)
                if d > tol:
                    out.append("%s: cost_usd expected %s, got %s" %
                               (where, ev, gv))
                elif d:
                    notes.append("%s: cost_usd expected %s, got %s (within "
                                 "tolerance)" % (where, ev, gv))
            elif ev != gv:
                out.append("%s: %s expected %s, got %s" % (where, f, ev, gv))
        return out

    erows = {tuple(r[k] for k in keys): r for r in exp["rows"]}
    grows = {}
    for r in got.get("rows", []):
        try:
            grows[tuple(r[k] for k in keys)] = r
        except KeyError as e:
            problems.append("row without key %s: %r" % (e, r))
    records = {}
    if a.records:
        with open(a.records, encoding="utf-8") as f:
            for ln in f:
                rec = json.loads(ln)
                records.setdefault(tuple(rec["key"]), []).append(rec)

    def explain(k):
        rs = records.get(k, [])
        return ["    record %s:%d day=%s tier=%s error=%s tokens=%s cost=%s" %
                (r["file"], r["line"], r["day"], r["tier"], r["error"],
                 r["tokens"], r["cost"]) for r in rs[:8]] + \
            (["    ... %d more records" % (len(rs) - 8)] if len(rs) > 8 else [])

    for k in erows:
        if k not in grows:
            problems.append("row %r missing from burnrate's report "
                            "(expected %s)" % (k, json.dumps(
                                erows[k], default=str, ensure_ascii=False)))
            problems.extend(explain(k))
    for k in grows:
        if k not in erows:
            problems.append("row %r in burnrate's report but not expected: %s"
                            % (k, json.dumps(grows[k], default=str,
                                             ensure_ascii=False)))
    for k in erows:
        if k in grows:
            d = cmp_row("row %r" % (k,), erows[k], grows[k])
            if d:
                problems.extend(d)
                problems.extend(explain(k))
    if "totals" in got:
        problems.extend(cmp_row("totals", exp["totals"], got["totals"]))
    else:
        problems.append("totals missing")
    eu = {(u["provider"], u["model"]): u["requests"] for u in exp["unpriced"]}
    gu = {(u.get("provider"), u.get("model")): u.get("requests")
          for u in got.get("unpriced", [])}
    if eu != gu:
        problems.append("unpriced: expected %r, got %r" % (eu, gu))
    if a.rejects is not None:
        problems.extend(compare_rejects(exp, a.rejects, a.reject_names))
    if a.csv:
        problems.extend(compare_csv(got, a.csv, keys, tol))
    for n in notes[:20]:
        print("note: " + n)
    for p in problems[:200]:
        print(p)
    if len(problems) > 200:
        print("... %d more" % (len(problems) - 200))
    if problems:
        print("oracle compare: %d disagreement(s) between burnrate (%s) and "
              "the oracle (%s)" % (len(problems), a.report, a.expected))
        return 1
    print("oracle compare: %d rows, totals, unpriced%s agree" %
          (len(erows), " and rejects" if a.rejects is not None else ""))
    return 0


REJECT_LINE = re.compile(r"(.+?):([0-9]+): (.*)\Z", re.S)


def compare_rejects(exp, path, basenames):
    problems = []
    with open(path, "rb") as f:
        lines = f.read().decode("utf-8", "replace").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    got = []
    for i, ln in enumerate(lines, 1):
        m = REJECT_LINE.match(ln)
        if not m or not m.group(3):
            problems.append("rejects file line %d not 'NAME:LINE: REASON: "
                            "RECORD': %r" % (i, ln[:200]))
            continue
        got.append((m.group(1), int(m.group(2)), ln))
    norm = (lambda n: os.path.basename(n)) if basenames else (lambda n: n)
    exp_set = {(norm(n), ln) for n, ln in exp["rejects"]}
    got_set = {(norm(n), ln) for n, ln, _ in got}
    if len(got) != len(got_set):
        problems.append("rejects file names %d (file,line) pairs more than "
                        "once" % (len(got) - len(got_set)))
    reasons = {}
    for r in exp.get("reject_reasons", []):
        m = REJECT_LINE.match(r)
        reasons[(norm(m.group(1)), int(m.group(2)))] = m.group(3)
    for k in sorted(exp_set - got_set):
        problems.append("reject expected but not reported: %s:%d (%s)" %
                        (k[0], k[1], reasons.get(k, "")))
    for n, ln, text in got:
        if (norm(n), ln) not in exp_set:
            problems.append("reject reported but not expected: %s" %
                            text[:300])
    return problems


def compare_csv(got, path, keys, tol):
    """burnrate's CSV report must hold the same rows as its JSON report."""
    problems = []
    with open(path, "r", encoding="utf-8", newline="") as f:
        recs = csv_records(f.read())
    if not recs or recs[0][1] is None:
        return ["csv report %s: no header" % path]
    header = recs[0][1]
    want = keys + ROW_FIELDS
    missing = [c for c in want if c not in header]
    if missing:
        problems.append("csv report: columns %s missing (header %s)" %
                        (missing, header))
        return problems
    jrows = {tuple(r[k] for k in keys): r for r in got.get("rows", [])}
    crow_keys = set()
    for ln, cells in recs[1:]:
        if cells is None or len(cells) != len(header):
            problems.append("csv report line %d: malformed %r" % (ln, cells))
            continue
        r = dict(zip(header, cells))
        # The CSV's formula prefix (README, SECURITY.md): a leading ' before
        # a value that begins with =, +, -, @, tab, CR or '.
        k = tuple(r[c][1:] if r[c][:1] == "'" and r[c][1:2] in ("=", "+", "-", "@", "\t", "\r", "'")
                  else r[c] for c in keys)
        crow_keys.add(k)
        j = jrows.get(k)
        if j is None:
            problems.append("csv report row %r not in the JSON report" % (k,))
            continue
        for f in ROW_FIELDS:
            if f == "cost_usd":
                if abs(Decimal(r[f]) - Decimal(str(j[f]))) > tol:
                    problems.append("csv report row %r: cost_usd %s, json %s"
                                    % (k, r[f], j[f]))
            elif r[f] != str(j.get(f)):
                problems.append("csv report row %r: %s %s, json %s" %
                                (k, f, r[f], j.get(f)))
    for k in jrows:
        if k not in crow_keys:
            problems.append("json report row %r missing from the csv report"
                            % (k,))
    return problems


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    e = sub.add_parser("expect")
    e.add_argument("--prices")
    e.add_argument("--no-builtin", action="store_true",
                   help="price with --prices only, not data/catalog.csv")
    e.add_argument("--cost-mode", default="auto",
                   choices=["auto", "calculate", "display"])
    e.add_argument("--no-dedupe", action="store_true")
    e.add_argument("--format", default="generic",
                   help="the inputs' format (tests/formats_oracle.py)")
    e.add_argument("--by", default="day,provider,model,agent")
    e.add_argument("--as-of")
    e.add_argument("--since")
    e.add_argument("--until")
    e.add_argument("--month")
    e.add_argument("--records-out")
    e.add_argument("paths", nargs="+")
    c = sub.add_parser("compare")
    c.add_argument("--expected", required=True)
    c.add_argument("--report", required=True)
    c.add_argument("--rejects")
    c.add_argument("--reject-names", dest="reject_names",
                   action="store_const", const=False, default=False)
    c.add_argument("--reject-basenames", dest="reject_names",
                   action="store_const", const=True)
    c.add_argument("--csv")
    c.add_argument("--records")
    c.add_argument("--tolerance", default="0.000001")
    a = ap.parse_args(argv)
    if a.cmd == "expect":
        expect(a)
        return 0
    return compare(a)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
