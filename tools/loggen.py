#!/usr/bin/env python3
"""loggen.py - deterministic generator of generic burnrate logs (JSONL or CSV).

Usage:
  loggen.py --seed N --records N --format jsonl|csv [--nasty] [--bad N]
            [--start YYYY-MM-DD] [--days N] [--cost-frac F] [--id-prefix P]
            [--out FILE]

The same arguments always produce the same bytes. Without --nasty the
records are plain and realistic (simple string building, fast enough for
millions of records); --bad N mixes N malformed lines into them. With
--nasty the output mixes in everything the generic format allows and the
usual ways it breaks: shuffled keys, nested decoys, unicode and escapes,
offsets, fractions, epoch numbers, CRLF, empty lines, duplicate request ids,
a leap day, and malformed records of every reject kind. The first record of
every file is a valid one, so that format detection sees '{' or a header.
"""
import argparse
import datetime as dt
import io
import json
import random
import sys

# (provider, model, profile); the profile drives realistic token counts.
MODELS = [
    ("openai", "gpt-4o", "chat"),
    ("openai", "gpt-4o-mini", "chat"),
    ("openai", "o4-mini", "reasoning"),
    ("anthropic", "claude-sonnet-4-5", "claude"),
    ("anthropic", "claude-haiku-4-5", "claude"),
    ("google", "gemini-2.5-pro", "gemini-pro"),
    ("google", "gemini-2.5-flash", "gemini"),
    ("mistral", "mistral-large-latest", "chat"),
]
MODEL_WEIGHTS = [18, 22, 6, 16, 12, 8, 10, 8]

AGENTS = ["support-bot", "code-review", "docs-search", "sales-assistant",
          "nightly-batch", "triage"]
LABELS = ["team-platform", "team-growth", "team-support", ""]

# Nasty extras: models priced through an empty-provider price row, and a
# model nobody prices.
NASTY_MODELS = MODELS + [
    ("groq", "llama-3.3-70b", "chat"),
    ("together", "llama-3.3-70b", "chat"),
    ("acme", "\u00fcn\u00efc\u00f8d\u00e9-model", "chat"),
]
NASTY_AGENTS = AGENTS + [
    "", "m\u00fcller-agent", "rocket \U0001F680 agent", 'quote"agent',
    "back\\slash", "comma,agent", "semi;colon", "\u6c49\u5b57-agent",
    "brace}{agent", "dev \U0001F469\u200d\U0001F4BB zwj", "  spaced  ",
    "'single'", "a,\"b\",c",
]
NASTY_LABELS = LABELS + ["\u00e9quipe", "x,y", 'q"l', "\U0001F4B8"]
TIERS = ["standard", "batch", "flex", "priority", "default", "auto",
         "on_demand"]
SHARED_IDS = 40  # ids "dup-K" / 4200+K shared by every seed: cross-file dups

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


def day_strings(start, days):
    d0 = dt.date.fromisoformat(start)
    return [(d0 + dt.timedelta(days=i)).isoformat() for i in range(days)]


def tokens_for(rng, profile):
    """Returns (input, output, cache_read, cache_write, cache_write_1h,
    reasoning) for one request of a model profile."""
    r = rng.random
    inp = int(200 + r() * r() * 12000)
    out = int(20 + r() * r() * 2500)
    cr = cw = cw1h = rs = 0
    if profile == "claude":
        if r() < 0.6:
            cr = int(r() * 40000)
        if r() < 0.25:
            cw = int(r() * 8000)
        if r() < 0.1:
            cw1h = int(r() * 8000)
    elif profile in ("chat", "gemini"):
        if r() < 0.4:
            cr = int(r() * 6000)
    elif profile == "reasoning":
        rs = int(out * r())
        out += int(r() * 3000)
        rs = min(rs, out)
    if profile == "gemini-pro":
        if r() < 0.2:
            inp = int(150000 + r() * 200000)  # around the 200k tier
        if r() < 0.3:
            cr = int(r() * 20000)
        rs = int(out * r() * 0.8)
    elif profile == "gemini":
        rs = int(out * r() * 0.5)
    return inp, out, cr, cw, cw1h, rs


# ------------------------------------------------------------ plain output

def uuid_ids(seed):
    """Yields random UUIDs (version 4), from a generator of their own, so
    that the other fields of the records are those of the prefixed ids."""
    g = random.Random(seed * 7919 + 1)
    while True:
        h = "%032x" % ((g.getrandbits(128) & ~(0xF << 76) | 4 << 76)
                       & ~(0x3 << 62) | 0x2 << 62)
        yield "%s-%s-%s-%s-%s" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:])


def plain_records(rng, n, fmt, start, days, cost_frac, id_prefix, bad,
                  uuids=None):
    """Yields text chunks of n plain records (and bad malformed lines);
    request ids are id_prefix and the record's number, or the next of
    uuids."""
    dstr = day_strings(start, days)
    nd = len(dstr)
    total_w = sum(MODEL_WEIGHTS)
    cum = []
    acc = 0
    for w in MODEL_WEIGHTS:
        acc += w
        cum.append(acc / total_w)
    bad_at = set(rng.sample(range(1, n + bad), bad)) if bad else set()
    r = rng.random
    chunk = []
    if fmt == "csv":
        chunk.append("timestamp,provider,model,agent,label,request_id,status,"
                     "service_tier,input_tokens,output_tokens,"
                     "cache_read_tokens,cache_write_tokens,"
                     "cache_write_1h_tokens,reasoning_tokens,cost_usd\n")
    i = 0
    line_no = 0
    while i < n or line_no < n + bad:
        if line_no in bad_at:
            chunk.append(bad_line(rng, fmt, dstr[0]) + "\n")
            line_no += 1
            continue
        line_no += 1
        x = r()
        k = 0
        while cum[k] < x:
            k += 1
        prov, model, profile = MODELS[k]
        inp, out, cr, cw, cw1h, rs = tokens_for(rng, profile)
        sec = int(r() * 86400)
        day = dstr[int(r() * nd)]
        ts = "%sT%02d:%02d:%02d.%03dZ" % (day, sec // 3600, sec // 60 % 60,
                                         sec % 60, int(r() * 1000))
        agent = AGENTS[int(r() * len(AGENTS))]
        label = LABELS[int(r() * len(LABELS))]
        e = r()
        status = 200 if e > 0.04 else (429 if e > 0.02 else 500)
        tier = "batch" if agent == "nightly-batch" and prov == "openai" else "standard"
        cost = ""
        if r() < cost_frac:
            cost = "%.6f" % (r() * r() * 0.5)
        rid = next(uuids) if uuids else "%s%d" % (id_prefix, i)
        if fmt == "jsonl":
            c = ',"cost_usd":' + cost if cost else ""
            chunk.append(
                '{"timestamp":"%s","provider":"%s","model":"%s","agent":"%s",'
                '"label":"%s","request_id":"%s","status":%d,'
                '"service_tier":"%s","usage":{"input_tokens":%d,'
                '"output_tokens":%d,"cache_read_tokens":%d,'
                '"cache_write_tokens":%d,"cache_write_1h_tokens":%d,'
                '"reasoning_tokens":%d}%s}\n'
                % (ts, prov, model, agent, label, rid, status, tier,
                   inp, out, cr, cw, cw1h, rs, c))
        else:
            chunk.append("%s,%s,%s,%s,%s,%s,%d,%s,%d,%d,%d,%d,%d,%d,%s\n"
                         % (ts, prov, model, agent, label, rid,
                            status, tier, inp, out, cr, cw, cw1h, rs, cost))
        i += 1
        if len(chunk) >= 8192:
            yield "".join(chunk)
            chunk = []
    yield "".join(chunk)


def bad_line(rng, fmt, day):
    """One malformed record, in a form that cannot be read as valid."""
    ts = day + "T08:00:00Z"
    if fmt == "csv":
        cells = [ts, "openai", "gpt-4o", "support-bot", "", "bad-%d" %
                 rng.randrange(10**9), "200", "standard", "10", "5", "0", "0",
                 "0", "0", ""]
        k = rng.randrange(4)
        if k == 0:
            cells[8] = "-3"
        elif k == 1:
            cells[0] = day[:8] + "32T08:00:00Z"
        elif k == 2:
            cells[2] = ""
        else:
            cells = cells[:9]
        return ",".join(cells)
    return rng.choice([
        '{"timestamp":"%s","provider":"openai","model":"gpt-4o",' % ts,
        '{"timestamp":"%s","provider":"openai","usage":{"input_tokens":10}}' % ts,
        '{"timestamp":"%s","provider":"openai","model":"gpt-4o",'
        '"usage":{"input_tokens":-10}}' % ts,
        'this is not json',
    ])


# ------------------------------------------------------------ nasty output

class Nasty:
    """Builds nasty records; state carries request ids for duplicates."""

    def __init__(self, rng, fmt, start, days, id_prefix, cost_frac):
        self.rng = rng
        self.fmt = fmt
        self.days = day_strings(start, days)
        self.id_prefix = id_prefix
        self.cost_frac = cost_frac
        self.n = 0
        self.ids = []  # request ids written so far (for duplicates)

    # -- values
    def timestamp(self):
        """A valid timestamp value: (json_text, csv_text)."""
        rng = self.rng
        day = rng.choice(self.days)
        d = dt.date.fromisoformat(day)
        k = rng.randrange(12)
        h, m, s = rng.randrange(24), rng.randrange(60), rng.randrange(60)
        if k in (0, 1):  # near midnight
            h, m = rng.choice([(23, 59), (0, 0), (0, 1), (23, 58)])
        frac = ""
        if rng.random() < 0.5:
            frac = "." + "".join(rng.choice("0123456789")
                                 for _ in range(rng.randrange(1, 10)))
        base = "%sT%02d:%02d:%02d%s" % (day, h, m, s, frac)
        if k == 2:  # offsets that may move the UTC day
            off = rng.choice(["+05:30", "-08:00", "+00:00", "+14:00",
                              "-11:30", "+01:00"])
            t = base + off
        elif k == 3:
            t = "%s %02d:%02d:%02d%s" % (day, h, m, s, frac)
        elif k == 4 and self.fmt == "jsonl":
            inst = dt.datetime(d.year, d.month, d.day, h, m, s,
                               tzinfo=dt.timezone.utc)
            sec = int((inst - EPOCH).total_seconds())
            c = rng.randrange(3)
            if c == 0:
                return str(sec), None
            if c == 1:
                return str(sec * 1000 + rng.randrange(1000)), None
            return "%d.%d" % (sec, rng.randrange(1, 1000)), None
        elif k == 5:
            t = day + "T23:59:59.999999999Z"
        elif k == 6:
            t = day + "T00:30:00+01:00"  # the previous UTC day
        elif k == 7:
            t = day + "T21:00:00-03:00"  # the next UTC day at midnight
        else:
            t = base + "Z"
        return json.dumps(t), t

    def agent(self):
        return self.rng.choice(NASTY_AGENTS)

    def jstr(self, s):
        return json.dumps(s, ensure_ascii=self.rng.random() < 0.5)

    def decoy(self):
        """An unknown nested value that must be skipped whole."""
        rng = self.rng
        return rng.choice([
            '{"model":"decoy","provider":"decoy","timestamp":"nope",'
            '"usage":{"input_tokens":-5,"output_tokens":1.5}}',
            '["}", "{", "\\"]", {"x":[1,2,{"y":"\\\\\\""}]}, [], {}]',
            '"braces } { and \\"quotes\\" and \\\\ backslash \\u0041 \\/"',
            '{"a":{"b":{"c":{"d":[[[{"e":"]]]}}}"}]]]}}}}',
            'null', 'true', '-1.5e-3', '123456789012345678901234567890',
            '{"usage":{"input_tokens":99999},"request_id":"decoy"}',
            '"\\ud83d\\ude80 rocket"',
        ])

    def tokens(self, profile):
        rng = self.rng
        t = list(tokens_for(rng, profile))
        if rng.random() < 0.01:  # huge: sums past 2^63 pico-dollars
            t[0] = rng.randrange(10**11, 10**12)
            t[1] = rng.randrange(10**10, 10**11)
        if profile == "gemini-pro" and rng.random() < 0.1:
            # exactly at the 200000 / 200001 tier edge
            t[0] = rng.choice([200000, 200001, 199999]) - t[2] - t[3] - t[4]
            if t[0] < 0:
                t[0], t[2], t[3], t[4] = 200001, 0, 0, 0
        return t

    def request_id(self):
        """(json_text or None, csv_text): fresh, duplicate or absent."""
        rng = self.rng
        x = rng.random()
        if x < 0.06 and self.ids:
            rid = rng.choice(self.ids)
        elif x < 0.10:
            k = rng.randrange(SHARED_IDS)
            if k % 2:
                rid = "dup-%d" % k
            else:
                rid = 4200 + k  # an integer id; "4200" elsewhere is the same
        elif x < 0.14:
            return None, ""
        elif x < 0.15:
            return '""', ""
        else:
            rid = "%s%d" % (self.id_prefix, self.n)
        self.ids.append(rid)
        if isinstance(rid, int):
            if self.fmt == "jsonl" and rng.random() < 0.7:
                return str(rid), str(rid)
            return json.dumps(str(rid)), str(rid)
        return self.jstr(rid), rid

    def status(self):
        rng = self.rng
        return rng.choice([
            ("200", "200")] * 12 + [
            ("429", "429"), ("500", "500"), ("399", "399"), ("400", "400"),
            ('"error"', "error"), ('"Failed"', "Failed"),
            ('"FAILURE"', "failure"), ('"ok"', "ok"), ('"success"', "success"),
            ('"503"', "503"), ('"200"', "200"), ("null", ""),
        ])

    def cost(self):
        rng = self.rng
        if rng.random() >= self.cost_frac:
            return None
        return rng.choice([
            "%.6f" % (rng.random() * 0.2),
            "%.12f" % (rng.random() * 0.01),
            "0.0000000000005", "0.0000000000015", "1.5e-3", "0", "2E-2",
            "%d" % rng.randrange(3), "0.123456789012345",
        ])

    # -- records
    def valid(self):
        """A valid record as (json_line, csv_cells dict)."""
        rng = self.rng
        self.n += 1
        prov, model, profile = rng.choice(NASTY_MODELS)
        tj, tc = self.timestamp()
        if self.fmt == "csv" and tc is None:
            tj, tc = json.dumps("2025-10-01T00:00:00Z"), "2025-10-01T00:00:00Z"
        agent = self.agent()
        label = rng.choice(NASTY_LABELS)
        ridj, ridc = self.request_id()
        stj, stc = self.status()
        tier = rng.choice(TIERS) if rng.random() < 0.3 else None
        toks = self.tokens(profile)
        cost = self.cost()
        names = ["input_tokens", "output_tokens", "cache_read_tokens",
                 "cache_write_tokens", "cache_write_1h_tokens",
                 "reasoning_tokens"]
        csv = {"timestamp": tc, "provider": prov, "model": model,
               "agent": agent, "label": label, "request_id": ridc,
               "status": stc, "service_tier": tier or "",
               "cost_usd": cost or ""}
        for nm, v in zip(names, toks):
            csv[nm] = "" if v == 0 and rng.random() < 0.3 else str(v)
        if self.fmt == "csv":
            return None, csv
        pairs = [("timestamp", tj), ("provider", self.jstr(prov)),
                 ("model", self.jstr(model))]
        if agent or rng.random() < 0.5:
            pairs.append(("agent", self.jstr(agent)))
        if label:
            pairs.append(("label", self.jstr(label)))
        if ridj is not None:
            pairs.append(("request_id", ridj))
        if stc or rng.random() < 0.5:
            pairs.append(("status", stj))
        if tier:
            pairs.append(("service_tier", json.dumps(tier)))
        if cost is not None:
            pairs.append(("cost_usd", cost))
        elif rng.random() < 0.1:
            pairs.append(("cost_usd", "null"))
        upairs = []
        for nm, v in zip(names, toks):
            if v == 0:
                c = rng.random()
                if c < 0.4:
                    continue
                if c < 0.5:
                    upairs.append((nm, "null"))
                    continue
            upairs.append((nm, str(v)))
        if rng.random() < 0.2:
            upairs.append(("total_tokens", str(sum(toks))))
        if rng.random() < 0.1:
            upairs.append(("details", '{"input_tokens":5,"output_tokens":[1]}'))
        if rng.random() < 0.2:
            rng.shuffle(upairs)
        if upairs or rng.random() < 0.7:
            pairs.append(("usage", self.obj(upairs)))
        if rng.random() < 0.25:
            pairs.append(("meta", self.decoy()))
        if rng.random() < 0.1:
            pairs.append(("input_tokens", "77777"))  # top level: unknown
        if rng.random() < 0.1:
            pairs.append(("tags", self.decoy()))
        if rng.random() < 0.5:
            rng.shuffle(pairs)
        return self.obj(pairs), csv

    def obj(self, pairs):
        rng = self.rng
        if rng.random() < 0.1:
            return "{ " + " ,\t".join('"%s" : %s' % kv for kv in pairs) + " }"
        return "{" + ",".join('"%s":%s' % kv for kv in pairs) + "}"

    def invalid_jsonl(self):
        """A malformed JSONL line; its request id never marks as seen."""
        rng = self.rng
        line, _ = self.valid()
        d = json.loads(line)
        rid = "dup-%d" % (2 * rng.randrange(SHARED_IDS // 2) + 1)
        day = rng.choice(self.days)
        base = {"timestamp": day + "T10:00:00Z", "provider": "openai",
                "model": "gpt-4o", "request_id": rid,
                "usage": {"input_tokens": 10, "output_tokens": 5}}
        k = rng.randrange(22)

        def mod(**kw):
            b = dict(base)
            for key, v in kw.items():
                if v is KeyError:
                    b.pop(key, None)
                else:
                    b[key] = v
            return json.dumps(b)
        if k == 0:
            return line[:len(line) // 2]  # truncated object
        if k == 1:
            return "[" + line + "]"  # array instead of object
        if k == 2:
            return rng.choice(['42', '"just a string"', 'null', 'true'])
        if k == 3:
            return mod(model=KeyError)
        if k == 4:
            return mod(provider="")
        if k == 5:
            return mod(timestamp=rng.choice([
                "2025-02-30T00:00:00Z", "2025-13-01T00:00:00Z",
                "2025-10-05T24:00:00Z", "yesterday", "",
                "2025-10-05T12:00:00", "2025-10-05T12:00:00+25:00"]))
        if k == 6:
            return mod(timestamp=KeyError)
        if k == 7:
            return mod(usage={"input_tokens": -1, "output_tokens": 5})
        if k == 8:
            return mod(usage={"input_tokens": 10, "output_tokens": 1.0})
        if k == 9:
            return mod(usage={"input_tokens": 10, "cache_read_tokens": "5"})
        if k == 10:
            return mod().replace('"input_tokens": 10', '"input_tokens": 1e3')
        if k == 11:
            return mod(usage={"input_tokens": True})
        if k == 12:
            return mod(service_tier="premium")
        if k == 13:
            return mod(provider=42)
        if k == 14:
            return mod(model=None)
        if k == 15:
            return line + " trailing"
        if k == 16:
            return mod().replace('"input_tokens": 10', '"input_tokens": NaN')
        if k == 17:
            return "{'timestamp': '%s'}" % base["timestamp"]
        if k == 18:
            return line[:-1] + ',}'
        if k == 19:
            return '{"timestamp":"%s","provider":openai,"model":"gpt-4o"}' % (
                base["timestamp"])
        if k == 20:
            return mod(usage={"reasoning_tokens": -7})
        del d
        return "not json at all {"

    def invalid_csv(self, header):
        rng = self.rng
        _, cells = self.valid()
        cells["request_id"] = "dup-%d" % (2 * rng.randrange(SHARED_IDS // 2) + 1)
        k = rng.randrange(10)
        if k == 0:
            cells["input_tokens"] = "-3"
        elif k == 1:
            cells["output_tokens"] = "1.0"
        elif k == 2:
            cells["cache_read_tokens"] = "12a"
        elif k == 3:
            cells["provider"] = ""
        elif k == 4:
            cells["model"] = ""
        elif k == 5:
            cells["timestamp"] = "2025-02-30T00:00:00Z"
        elif k == 6:
            cells["timestamp"] = ""
        elif k == 7:
            cells["service_tier"] = "premium"
        row = [cells.get(h, "x") for h in header]
        if k == 8:
            row = row[:-1]
        elif k == 9:
            row = row + ["extra"]
        return self.csv_row(row, allow_newline=False)

    def csv_cell(self, v, allow_newline):
        rng = self.rng
        if any(c in v for c in ',"\r\n') or (v and rng.random() < 0.1):
            return '"' + v.replace('"', '""') + '"'
        return v

    def csv_row(self, cells, allow_newline=True):
        return ",".join(self.csv_cell(c, allow_newline) for c in cells)

    def note(self):
        rng = self.rng
        return rng.choice(["", "plain", 'has "quotes", commas', "multi\nline",
                           "crlf\r\ninside", "{json:\"like\"}", "\U0001F680"])


def nasty_output(rng, n, fmt, start, days, id_prefix, cost_frac):
    g = Nasty(rng, fmt, start, days, id_prefix, cost_frac)
    out = []
    if rng.random() < 0.5:
        out.append("\ufeff")
    crlf_file = rng.random() < 0.3
    header = None
    if fmt == "csv":
        header = ["timestamp", "provider", "model", "agent", "label",
                  "request_id", "status", "service_tier", "input_tokens",
                  "output_tokens", "cache_read_tokens", "cache_write_tokens",
                  "cache_write_1h_tokens", "reasoning_tokens", "cost_usd",
                  "note", "extra"]
        rng.shuffle(header)
        out.append(",".join(header) + ("\r\n" if crlf_file else "\n"))
    leap_done = False
    last = None
    for i in range(n):
        eol = "\r\n" if (crlf_file or rng.random() < 0.05) else "\n"
        x = rng.random() if i else 1.0
        if x < 0.08:
            line = (g.invalid_jsonl() if fmt == "jsonl"
                    else g.invalid_csv(header))
        elif x < 0.10:
            out.append(rng.choice(["", "   ", "\t"]) if fmt == "jsonl" else "")
            out.append(eol)
            continue
        elif x < 0.12 and last is not None:
            line = last  # the very same record again
        else:
            j, cells = g.valid()
            if not leap_done and i > n // 2:
                leap_done = True
                cells["timestamp"] = "2024-02-29T12:00:00Z"
                if j is not None:
                    d = json.loads(j)
                    d["timestamp"] = "2024-02-29T12:00:00Z"
                    j = json.dumps(d)
            if fmt == "jsonl":
                line = j
            else:
                cells["note"] = g.note()
                cells["extra"] = rng.choice(["", "1", "x,y"])
                line = g.csv_row([cells[h] for h in header])
            last = line
        out.append(line + eol)
    return "".join(out)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--records", type=int, required=True)
    ap.add_argument("--format", choices=["jsonl", "csv"], default="jsonl")
    ap.add_argument("--nasty", action="store_true")
    ap.add_argument("--bad", type=int, default=0,
                    help="malformed lines mixed into plain output")
    ap.add_argument("--start", default="2025-10-01")
    ap.add_argument("--days", type=int, default=31)
    ap.add_argument("--cost-frac", type=float, default=None)
    ap.add_argument("--id-prefix", default=None)
    ap.add_argument("--uuid-ids", action="store_true",
                    help="random UUIDs for request ids (plain output), as "
                    "APIs and proxies log them: 2M records are then 733 MB "
                    "of JSONL, the size issue 4 measured")
    ap.add_argument("--out", default="-")
    a = ap.parse_args(argv)
    rng = random.Random(a.seed)
    prefix = a.id_prefix if a.id_prefix is not None else "s%d-" % a.seed
    if a.out == "-":
        f = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="")
    else:
        f = open(a.out, "w", encoding="utf-8", newline="")
    try:
        if a.nasty:
            cf = 0.3 if a.cost_frac is None else a.cost_frac
            f.write(nasty_output(rng, a.records, a.format, a.start, a.days,
                                 prefix, cf))
        else:
            cf = 0.2 if a.cost_frac is None else a.cost_frac
            uuids = uuid_ids(a.seed) if a.uuid_ids else None
            for chunk in plain_records(rng, a.records, a.format, a.start,
                                       a.days, cf, prefix, a.bad, uuids):
                f.write(chunk)
    finally:
        f.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
