#!/usr/bin/env python3
"""storeops.py - random histories of store operations, checked after every
step against a model that knows what the logs say.

Each history, from its seed, keeps a few small generic logs (JSON lines or
CSV, some gzipped anew at each write) in two sources (logs/d/ is source
'default', logs/t/ source 'team'), maybe an empty log and a CSV log of its
header alone, with records over four days around a DST change, a few
providers, models
and agents, token counts, logged costs (some $0, which is no price), failed
requests, request ids repeated by retries (within a log, across logs, as
the integer 7 and the string "7") and records without an id; and applies to
a store, through the binary: init with a zone (or none: UTC), lines
appended and ingested (a file, a source's directory, --jobs 1 or 2, every
--cost-mode, --no-dedupe), the last command run again (must change nothing), the nightly
'run' of a configuration, --replace of a day range with a corrected file or
with the source's own logs (and that backfill again), its dry run, one
under the other source of that source's logs (refused when they have a
record in the range), compact, merge of a
second store (with its own ingests, backfills and compactions), and an
ingest, backfill, compaction or merge killed with SIGKILL at a random
moment (the store then holds the state before it or after it, and
verifies; but for a merge that did not end, which verify names, exit 1,
the store then showing the state before it), then run
again; now and then a log grown past the size read in parallel blocks,
or an export that repeats lines of the source's other logs. Half the
histories also keep a shared log (shared/s.jsonl or .csv, of two records
or more from the start, so that every read holds its first two lines)
that grows and that either store ingests now and then, under either
source, each at its own sizes: a merge of the other store is refused
(exit 1, the main store unchanged) once both count records of it, the
main store's own reads and the other's alike, whether at the same size
(one fingerprint) or at two (the same name and first two lines); before
that, what the other store read of it is merged as the rest of its data.
The main store does not ingest it once it holds the other's reads of it
merged: it would read it whole, counting them twice (docs/SCALING.md).
These steps draw on a random stream of their own: a seed draws the same
other steps with them as without them (--no-shared leaves them out).

The model prices each record itself (integer pico-dollars from a prices
file of simple rates; a logged cost by its decimal digits), dedupes request
ids within a run only (README: "A request_id seen before in the same run
counts once"; a backfill's records outside its range count as seen), takes
of a grown log only its new lines, lets a backfill replace its source's
days (merged data is never replaced), and keeps what was merged of each
store as that store's state at the merge. After each step `report --format
json --by day,provider,model,agent,label` (and with --source, for each
source)
must equal the model: every row, the totals and the unpriced list, to the
micro-dollar (the exact sums rounded half away from zero); and a dry run's
preview must show what the backfill would change.

Usage: storeops.py BURNRATE FIRST_SEED COUNT WORKDIR [--keep] [--no-shared]
Exits 1, printing each failing history (seed, step and its operations),
when any fails.
"""
import datetime
import fnmatch
import gzip
import json
import os
import random
import re
import shutil
import subprocess
import sys
import time
import zoneinfo

ZONES = ["UTC", "America/New_York", "Europe/Berlin", "Australia/Sydney"]
# Four days in UTC from these dates hold a DST change of one of the zones.
STARTS = [datetime.datetime(2025, 3, 8, tzinfo=datetime.timezone.utc),
          datetime.datetime(2025, 3, 29, tzinfo=datetime.timezone.utc),
          datetime.datetime(2025, 4, 4, tzinfo=datetime.timezone.utc),
          datetime.datetime(2025, 10, 25, tzinfo=datetime.timezone.utc),
          datetime.datetime(2025, 11, 1, tzinfo=datetime.timezone.utc)]
# (provider, model): rates in USD per 1M tokens for input, output, cache
# read, cache write (5 min), cache write (1 h); None: unpriced.
MODELS = {("acme", "small"): ("0.15", "0.6", "0.075", "0.1875", "0.3"),
          ("acme", "large"): ("2.5", "10", "1.25", "3.125", "5"),
          ("zeta", "fast"): ("1.000001", "3.333333", "0.1", "", ""),
          ("zeta", "mystery"): None}
AGENTS = ["bot", "cron", "", "ünï"]
CSV_COLUMNS = ["timestamp", "provider", "model", "agent", "label",
               "request_id", "status", "input_tokens", "output_tokens",
               "cache_read_tokens", "cache_write_tokens",
               "cache_write_1h_tokens", "reasoning_tokens", "cost_usd"]
SOURCES = {"d": "default", "t": "team"}
RUN_GLOBS = ["*.jsonl", "*.csv", "*.gz"]


def pico_rate(text):
    """USD per 1M tokens -> pico-dollars per token (exact)."""
    if text == "":
        return None
    whole, _, frac = text.partition(".")
    return int(whole) * 10**6 + int((frac + "000000")[:6])


RATES = {k: None if v is None else [pico_rate(x) for x in v]
         for k, v in MODELS.items()}


def prices_csv():
    out = "provider,model,from,input,output,cache_read,cache_write,cache_write_1h\n"
    for (p, m), v in MODELS.items():
        if v is not None:
            out += "%s,%s,,%s\n" % (p, m, ",".join(v))
    return out


def round_micro(pico):
    """Pico-dollars -> micro-dollars, half away from zero."""
    q, r = divmod(abs(pico), 10**6)
    if r >= 500000:
        q += 1
    return q if pico >= 0 else -q


class Rec:
    """One record of a log: what it says, and the line that says it."""

    def __init__(self, rnd, n, when):
        self.provider, self.model = rnd.choice(list(MODELS))
        self.agent = rnd.choice(AGENTS)
        self.when = when
        c = rnd.random()
        self.rid = None if c < 0.15 else "%d" % n if c < 0.35 else "r%d" % n
        self.rid_int = self.rid is not None and self.rid.isdigit() and rnd.random() < 0.5
        self.status = rnd.choice([200, 200, 200, None, 503, 429, "error", "ok"])
        self.tok = [rnd.randint(1, 5000), rnd.randint(0, 2000),
                    rnd.choice([0, 0, rnd.randint(0, 9000)]),
                    rnd.choice([0, 0, rnd.randint(0, 900)]),
                    rnd.choice([0, 0, 0, rnd.randint(0, 900)])]
        self.reasoning = rnd.randint(0, self.tok[1])
        self.cost_nano = None
        c = rnd.random()
        if c < 0.25:
            self.cost_nano = rnd.randint(1, 50_000_000)
        elif c < 0.3:
            self.cost_nano = 0  # $0 for tokens: no price
        self.tsform = rnd.randrange(7)
        self.label = rnd.choice(["", "x", "y"])

    def retry_of(self, other, rnd):
        """Makes this record a retry of other: its request id (as the other
        type in JSON sometimes)."""
        self.rid = other.rid
        self.rid_int = self.rid is not None and self.rid.isdigit() and rnd.random() < 0.5

    def error(self):
        s = self.status
        return (isinstance(s, int) and s >= 400) or s == "error"

    def timestamp(self):
        t = self.when
        f = self.tsform
        if f == 0:
            return t.strftime("%Y-%m-%dT%H:%M:%SZ")
        if f == 1:
            return t.strftime("%Y-%m-%d %H:%M:%S")
        if f == 2:
            return int(t.timestamp())
        if f == 3:
            return int(t.timestamp()) * 1000 + t.microsecond // 1000
        if f == 4:  # an offset of +05:30
            o = t + datetime.timedelta(hours=5, minutes=30)
            return o.strftime("%Y-%m-%dT%H:%M:%S+05:30")
        if f == 5:  # ISO 8601's -0700
            o = t - datetime.timedelta(hours=7)
            return o.strftime("%Y-%m-%dT%H:%M:%S-0700")
        return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%06dZ" % t.microsecond

    def cost_text(self):
        return "%d.%09d" % divmod(self.cost_nano, 10**9)

    def json_line(self):
        rid = self.rid
        if rid is not None and self.rid_int:
            rid = int(rid)
        usage = {"input_tokens": self.tok[0], "output_tokens": self.tok[1],
                 "cache_read_tokens": self.tok[2],
                 "cache_write_tokens": self.tok[3],
                 "cache_write_1h_tokens": self.tok[4],
                 "reasoning_tokens": self.reasoning}
        d = {"timestamp": self.timestamp(), "provider": self.provider,
             "model": self.model, "agent": self.agent, "label": self.label,
             "usage": usage}
        if rid is not None:
            d["request_id"] = rid
        if self.status is not None:
            d["status"] = self.status
        line = json.dumps(d, ensure_ascii=False)
        if self.cost_nano is not None:
            line = line[:-1] + ', "cost_usd": %s}' % self.cost_text()
        return line + "\n"

    def csv_line(self):
        cells = [str(self.timestamp()), self.provider, self.model, self.agent,
                 self.label, self.rid or "",
                 "" if self.status is None else str(self.status)]
        cells += [str(x) for x in self.tok] + [str(self.reasoning)]
        cells.append("" if self.cost_nano is None else self.cost_text())
        return ",".join('"%s"' % c if "," in c else c for c in cells) + "\n"

    def priced(self, mode):
        """(cost in pico-dollars, unpriced) under a cost mode."""
        logged = None
        if self.cost_nano is not None and self.cost_nano > 0:
            logged = self.cost_nano * 1000
        if mode == "display" or (mode == "auto" and logged is not None):
            return (0, True) if logged is None else (logged, False)
        r = RATES[(self.provider, self.model)]
        if r is None:
            return 0, True
        cost = 0
        for i, n in enumerate(self.tok):
            rate = r[i]
            if rate is None:
                rate = r[0]  # an empty cache rate is the input rate
            cost += n * rate
        return cost, False


class Log:
    def __init__(self, path, csv):
        self.path = path
        self.csv = csv
        self.lines = []  # (Rec, text)

    def text(self):
        head = ",".join(CSV_COLUMNS) + "\n" if self.csv and self.lines else ""
        return head + "".join(t for _, t in self.lines)

    def add(self, rec):
        self.lines.append((rec, rec.csv_line() if self.csv else rec.json_line()))

    def write(self):
        """Writes the log; a .gz one compressed anew as one stream (which
        still begins with what was ingested of it)."""
        data = self.text().encode()
        if self.path.endswith(".gz"):
            data = gzip.compress(data, mtime=0)
        with open(self.path, "wb") as f:
            f.write(data)


def run_records(logs, taken=None, dedupe=True):
    """The records a run counts of logs, in order: each log from the line
    taken says was ingested (else whole), a request id seen before in the
    run left out."""
    seen = set()
    out = []
    for log in logs:
        start = taken.get(log.path, 0) if taken is not None else 0
        for rec, _ in log.lines[start:]:
            if rec.rid is not None and dedupe:
                if rec.rid in seen:
                    continue
                seen.add(rec.rid)
            out.append(rec)
    return out


class Model:
    """What a store must report: its own rows per source and day (records
    with their cost), and what was merged of each other store."""

    def __init__(self, zone):
        self.zone = zone
        self.own = {}     # source -> day -> [(rec, cost, unpriced)]
        self.merged = {}  # origin -> {source -> day -> [...]}
        self.taken = {}   # path -> records of it already ingested

    def day(self, rec):
        z = zoneinfo.ZoneInfo(self.zone)
        return rec.when.astimezone(z).date().isoformat()

    def ingest(self, source, logs, mode, whole=False, days=None, dedupe=True):
        """An ingest of logs (in input order); whole: a backfill, which
        reads every log whole and replaces days (a set) of source."""
        new = run_records(logs, None if whole else self.taken, dedupe)
        for log in logs:
            self.taken[log.path] = len(log.lines)
        rows = self.own.setdefault(source, {})
        if whole:
            for d in days:
                rows.pop(d, None)
        for rec in new:
            d = self.day(rec)
            if days is not None and d not in days:
                continue
            cost, unpriced = rec.priced(mode)
            rows.setdefault(d, []).append((rec, cost, unpriced))

    def state(self):
        """source -> day -> entries, own and merged together."""
        out = {}
        for part in [self.own] + list(self.merged.values()):
            for s, days in part.items():
                for d, entries in days.items():
                    out.setdefault(s, {}).setdefault(d, []).extend(entries)
        return out

    def report(self, source=None):
        rows = {}
        unpriced = {}
        for s, days in self.state().items():
            if source is not None and s != source:
                continue
            for d, entries in days.items():
                for rec, cost, unp in entries:
                    k = (d, rec.provider, rec.model, rec.agent, rec.label)
                    r = rows.setdefault(k, [0] * 10)
                    r[0] += 1
                    r[1] += rec.error()
                    r[2] += rec.tok[0]
                    r[3] += rec.tok[1]
                    r[4] += rec.tok[2]
                    r[5] += rec.tok[3] + rec.tok[4]
                    r[6] += rec.tok[4]
                    r[7] += rec.reasoning
                    r[8] += cost
                    r[9] += unp
                    if unp:
                        u = (rec.provider, rec.model)
                        unpriced[u] = unpriced.get(u, 0) + 1
        return rows, unpriced


def group_days(days, only):
    """(day, provider, model) -> (requests, cost) of the days in only."""
    out = {}
    for d, entries in days.items():
        if d not in only:
            continue
        for rec, cost, _ in entries:
            k = (d, rec.provider, rec.model)
            r, c = out.get(k, (0, 0))
            out[k] = (r + 1, c + cost)
    return out


def model_rows(rows):
    """A model's rows as a report shows them: costs in micro-dollars."""
    return {k: v[:8] + [round_micro(v[8]), v[9]] for k, v in rows.items()}


FIELDS = ["requests", "errors", "input_tokens", "output_tokens",
          "cache_read_tokens", "cache_write_tokens", "cache_write_1h_tokens",
          "reasoning_tokens", "cost_usd", "unpriced_requests"]


def micro(text):
    whole, _, frac = text.lstrip("-").partition(".")
    v = int(whole) * 10**6 + int((frac + "000000")[:6])
    return -v if text.startswith("-") else v


class Failure(Exception):
    pass


class History:
    def __init__(self, burnrate, seed, workdir, shared=True):
        self.burnrate = burnrate
        self.seed = seed
        self.rnd = random.Random(seed)
        self.dir = os.path.join(workdir, str(seed))
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir)
        self.zone = self.rnd.choice(ZONES)
        self.start = self.rnd.choice(STARTS)
        self.n = 0
        self.ops = []
        self.fixed = 0
        with open(self.path("prices.csv"), "w") as f:
            f.write(prices_csv())
        # The main store and the other one, merged into it; each with its
        # logs in two sources.
        self.stores = {}
        for name in ("main", "other"):
            logs = {}
            for sub in SOURCES:
                os.makedirs(self.path(name, "logs", sub))
                for i in range(self.rnd.randint(1, 2)):
                    csv = self.rnd.random() < 0.4
                    p = self.path(name, "logs", sub, "l%d.%s%s" % (
                        i, "csv" if csv else "jsonl",
                        ".gz" if self.rnd.random() < 0.25 else ""))
                    logs.setdefault(sub, []).append(Log(p, csv))
            self.stores[name] = {"logs": logs, "model": None, "last": None}
        # Logs without records, the same bytes on both hosts: one that
        # logrotate made anew, a CSV log of its header alone.
        if self.rnd.random() < 0.5:
            for name in ("main", "other"):
                open(self.path(name, "logs", "d", "new.jsonl"), "w").close()
                with open(self.path(name, "logs", "t", "calls.csv"), "w") as f:
                    f.write(",".join(CSV_COLUMNS) + "\n")
        self.all_recs = []
        # The shared log, on a random stream of its own: its records' ids
        # (from 10**7) are no other log's.
        self.srnd = random.Random("shared %d" % seed)
        self.shared = None
        self.shared_n = 0
        self.shared_merged = False  # the other store's reads of it merged
        if shared and self.srnd.random() < 0.5:
            os.makedirs(self.path("shared"))
            csv = self.srnd.random() < 0.3
            self.shared = Log(self.path("shared", "s.csv" if csv else "s.jsonl"), csv)
            self.grow_shared(2)

    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    def store_dir(self, name):
        return self.path(name, "st")

    def br(self, *args, ok=(0,)):
        r = subprocess.run([self.burnrate, "--quiet"] + list(args),
                           capture_output=True, text=True)
        if r.returncode not in ok:
            raise Failure("'%s' exited %d: %s" % (" ".join(args[2:] if args[0] == "--store" else args),
                                                  r.returncode, r.stderr.strip()[:600]))
        return r

    # Records -----------------------------------------------------------

    def new_rec(self, days=None):
        self.n += 1
        if days is None:
            at = self.start + datetime.timedelta(
                seconds=self.rnd.randrange(4 * 86400),
                microseconds=self.rnd.randrange(10**6))
        else:  # around the given UTC day (its neighbours too)
            at = days + datetime.timedelta(
                seconds=self.rnd.randrange(-43200, 86400 + 43200),
                microseconds=self.rnd.randrange(10**6))
        rec = Rec(self.rnd, self.n, at)
        if self.all_recs and self.rnd.random() < 0.2:
            rec.retry_of(self.rnd.choice(self.all_recs[-20:]), self.rnd)
        self.all_recs.append(rec)
        return rec

    def append(self, name):
        sub = self.rnd.choice(list(SOURCES))
        log = self.rnd.choice(self.stores[name]["logs"][sub])
        for _ in range(self.rnd.randint(1, 6)):
            log.add(self.new_rec())
            if self.rnd.random() < 0.1:  # the same line twice
                log.lines.append(log.lines[-1])
        log.write()
        return "append %s %s" % (name, os.path.relpath(log.path, self.dir))

    def bulk(self, name):
        """A log grown past the size read in parallel blocks (1 MiB), its
        retries' ids spread over the blocks."""
        sub = self.rnd.choice(list(SOURCES))
        log = self.rnd.choice(self.stores[name]["logs"][sub])
        first = len(self.all_recs)
        for _ in range(self.rnd.randint(4000, 6000)):
            rec = self.new_rec()
            if self.rnd.random() < 0.05:
                rec.retry_of(self.rnd.choice(self.all_recs[first:]), self.rnd)
            log.add(rec)
        log.write()
        return "bulk %s %s" % (name, os.path.relpath(log.path, self.dir))

    def export(self, name):
        """A new log of a source that repeats lines of its other logs after
        some of its own (an export of overlapping days)."""
        sub = self.rnd.choice(list(SOURCES))
        olds = self.existing(name, sub)
        if not olds:
            return self.append(name)
        logs = self.stores[name]["logs"][sub]
        csv = self.rnd.random() < 0.4
        log = Log(self.path(name, "logs", sub, "x%d.%s" % (len(logs), "csv" if csv else "jsonl")), csv)
        for _ in range(self.rnd.randint(2, 5)):
            log.add(self.new_rec())
        for old in olds:
            for rec, _ in self.rnd.sample(old.lines, min(len(old.lines), self.rnd.randint(1, 8))):
                log.add(rec)
        log.write()
        logs.append(log)
        return "export %s %s" % (name, os.path.relpath(log.path, self.dir))

    def grow_shared(self, n):
        for _ in range(n):
            self.shared_n += 1
            at = self.start + datetime.timedelta(
                seconds=self.srnd.randrange(4 * 86400),
                microseconds=self.srnd.randrange(10**6))
            self.shared.add(Rec(self.srnd, 10**7 + self.shared_n, at))
        self.shared.write()

    # Operations --------------------------------------------------------

    def ensure(self, name):
        """The model of a store an ingest creates: UTC, the default."""
        st = self.stores[name]
        if st["model"] is None:
            st["model"] = Model("UTC")
        return st["model"]

    def existing(self, name, sub):
        return [l for l in self.stores[name]["logs"][sub] if l.lines]

    def ingest_cmd(self, name):
        sub = self.rnd.choice(list(SOURCES))
        logs = self.existing(name, sub)
        if not logs:
            return None
        mode = self.rnd.choice(["auto", "auto", "calculate", "display"])
        args = ["--store", self.store_dir(name), "ingest", "--prices",
                self.path("prices.csv"), "--jobs", str(self.rnd.choice([1, 2])),
                "--rejects", "/dev/null"]
        if mode != "auto":
            args += ["--cost-mode", mode]
        if SOURCES[sub] != "default" or self.rnd.random() < 0.3:
            args += ["--source", SOURCES[sub]]
        dedupe = self.rnd.random() < 0.85
        if not dedupe:
            args.append("--no-dedupe")
        walk = None
        if self.rnd.random() < 0.5:
            args.append(self.path(name, "logs", sub))
            inputs = None
            walk = (name, sub)
        else:
            inputs = sorted(self.rnd.sample(logs, self.rnd.randint(1, len(logs))),
                            key=lambda l: l.path.encode())
            args += [l.path for l in inputs]
        return {"args": args, "source": SOURCES[sub], "logs": inputs,
                "walk": walk, "mode": mode, "name": name, "dedupe": dedupe}

    def apply(self, cmd, kill=False):
        def update():
            m = self.ensure(cmd["name"])
            logs = self.inputs(cmd)
            if "days" in cmd:
                m.ingest(cmd["source"], logs, cmd["mode"], whole=True,
                         days=cmd["days"])
            else:
                m.ingest(cmd["source"], logs, cmd["mode"],
                         dedupe=cmd.get("dedupe", True))
        self.execute(cmd["name"], cmd["args"], update, kill)
        self.stores[cmd["name"]]["last"] = cmd

    def inputs(self, cmd):
        """The logs cmd reads, in its order."""
        if not cmd.get("walk"):
            return cmd["logs"]
        # a directory walked, or globs: the logs now
        logs = sorted(self.existing(*cmd["walk"]), key=lambda l: l.path.encode())
        if cmd["args"][2] == "run":  # each glob's files in turn
            logs = [l for g in RUN_GLOBS for l in logs
                    if fnmatch.fnmatch(os.path.basename(l.path), g)]
        return logs

    def execute(self, name, args, update, kill):
        """Runs burnrate with args, then update() of the model of store
        name; when kill, first killed at a random moment: the store must
        then hold what it held before or what the command makes, nothing
        between, and verify."""
        st = self.stores[name]
        if kill:
            before = {} if st["model"] is None else model_rows(st["model"].report()[0])
            p = subprocess.Popen([self.burnrate, "--quiet"] + args,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(self.rnd.random() * 0.03)
            p.kill()
            p.wait()
            mid = None  # no store yet, or one cut before it was made
            if os.path.exists(os.path.join(self.store_dir(name), "burnrate.store")):
                # A merge killed between the segments of its group: verify
                # names what it published, which reports do not count.
                merging = "merge" in args
                r = self.br("--store", self.store_dir(name), "verify",
                            ok=(0, 1) if merging else (0,))
                mid = self.report(name)[0]
                if r.returncode and (mid != before or not all(
                        UNFINISHED.match(l) for l in r.stderr.splitlines())):
                    raise Failure("killed %s: verify exited %d: %s" % (
                        " ".join(args[2:]), r.returncode, r.stderr.strip()[:600]))
        self.br(*args)
        update()
        after = model_rows(st["model"].report()[0])
        if kill and mid is not None and mid != before and mid != after:
            raise Failure("killed %s: the store holds neither the state before "
                          "(%d rows) nor after it (%d rows): %d rows" % (
                              " ".join(args[2:]), len(before), len(after), len(mid)))

    def replace_cmd(self, name):
        m = self.ensure(name)
        z = zoneinfo.ZoneInfo(m.zone)
        first = (self.start.astimezone(z).date()
                 + datetime.timedelta(days=self.rnd.randint(-1, 3)))
        last = first + datetime.timedelta(days=self.rnd.randint(0, 2))
        days = set()
        d = first
        while d <= last:
            days.add(d.isoformat())
            d += datetime.timedelta(days=1)
        sub = self.rnd.choice(list(SOURCES))
        mode = self.rnd.choice(["auto", "calculate"])
        if self.rnd.random() < 0.6 or not self.existing(name, sub):
            # A corrected log of those days (and of their neighbours,
            # rejected as outside the range).
            self.fixed += 1
            csv = self.rnd.random() < 0.3
            log = Log(self.path(name, "fix%d.%s" % (self.fixed, "csv" if csv else "jsonl")), csv)
            base = datetime.datetime.combine(first, datetime.time(),
                                              tzinfo=datetime.timezone.utc)
            for _ in range(self.rnd.randint(0, 8)):
                log.add(self.new_rec(base + datetime.timedelta(
                    days=self.rnd.randint(0, (last - first).days))))
            log.write()
            logs = [log]
            walk = None
            paths = [log.path]
        else:
            logs = None
            walk = (name, sub)
            paths = [self.path(name, "logs", sub)]
        args = ["--store", self.store_dir(name), "ingest", "--prices",
                self.path("prices.csv"), "--rejects", "/dev/null",
                "--replace", "%s..%s" % (first, last)]
        if mode != "auto":
            args += ["--cost-mode", mode]
        if SOURCES[sub] != "default" or self.rnd.random() < 0.5:
            args += ["--source", SOURCES[sub]]
        return {"args": args + paths, "source": SOURCES[sub], "logs": logs,
                "walk": walk, "mode": mode, "name": name, "days": days}

    def odd_replace(self, name):
        """A backfill that must change nothing: a dry run; or one under the
        other source of logs all ingested before: refused when they have a
        record in the range that the run counts (not a retry of one before
        it), else it replaces those days of that source with nothing (the
        logs are left out, as held by another source)."""
        cmd = self.replace_cmd(name)
        if self.rnd.random() < 0.5:
            out = self.br(*(cmd["args"][:3] + ["--dry-run"] + cmd["args"][3:])).stdout
            self.dry_run(name, cmd, out)
            return "dry run " + describe(cmd)
        sub = self.rnd.choice(list(SOURCES))
        m = self.stores[name]["model"]
        logs = sorted((l for l in self.existing(name, sub) if m.taken.get(l.path)),
                      key=lambda l: l.path.encode())
        if not logs:
            return "wrong source (nothing)"
        wrong = SOURCES["t" if sub == "d" else "d"]
        args = cmd["args"][:cmd["args"].index("--replace") + 2]
        args = [a for a in args if a not in ("--source", "default", "team")]
        args += ["--source", wrong] + [l.path for l in logs]
        held = any(m.day(rec) in cmd["days"] for rec in run_records(logs))
        r = self.br(*args, ok=(1,) if held else (0,))
        if held:
            if "--source" not in r.stderr:
                raise Failure("%s: no source named: %s" % (" ".join(args), r.stderr))
        else:
            m.ingest(wrong, [], cmd["mode"], whole=True, days=cmd["days"])
        return "wrong source %s: %s" % ("refused" if held else "left out",
                                        describe(dict(cmd, args=args)))

    def dry_run(self, name, cmd, out):
        """Checks a dry run's preview: requests and cost per day, provider
        and model of the source in the range before and after (each row
        printed, and every group whose requests or cost change), and the
        range's totals."""
        m = self.stores[name]["model"]
        trial = Model(m.zone)
        trial.own = {s: dict(days) for s, days in m.own.items()}
        trial.ingest(cmd["source"], self.inputs(cmd), cmd["mode"], whole=True,
                     days=cmd["days"])
        src = cmd["source"]
        was = group_days(m.own.get(src, {}), cmd["days"])
        now = group_days(trial.own.get(src, {}), cmd["days"])
        printed = {}
        total = None
        for line in out.splitlines()[2:]:
            f = re.split(r"\s{2,}", line.strip())
            reqs = tuple(int(x) for x in f[-3].split(" -> "))
            cost = tuple(micro(x) for x in f[-2].split(" -> "))
            if f[0] == "total":
                total = (reqs, cost)
            else:
                printed[tuple(f[:3])] = (reqs, cost)
        def shown(k):
            a, b = was.get(k, (0, 0)), now.get(k, (0, 0))
            return ((a[0], b[0]), (round_micro(a[1]), round_micro(b[1])))
        for k, v in printed.items():
            if v != shown(k):
                raise Failure("dry run %s: %s shows %s, model %s\n%s" % (
                    describe(cmd), k, v, shown(k), out))
        for k in set(was) | set(now):
            if was.get(k, (0, 0)) != now.get(k, (0, 0)) and k not in printed:
                raise Failure("dry run %s: %s changes %s but is not shown\n%s" % (
                    describe(cmd), k, shown(k), out))
        want = ((sum(v[0] for v in was.values()), sum(v[0] for v in now.values())),
                (round_micro(sum(v[1] for v in was.values())),
                 round_micro(sum(v[1] for v in now.values()))))
        if printed and total != want:
            raise Failure("dry run %s: total %s, model %s\n%s" % (
                describe(cmd), total, want, out))

    def run_cmd(self):
        """The nightly run of a configuration: logs/d/ of main."""
        m = self.stores["main"]["model"]
        zone = m.zone if m else self.zone
        mode = self.rnd.choice(["auto", "calculate", "display"])
        conf = self.path("burnrate.conf")
        os.makedirs(self.path("reports"), exist_ok=True)
        with open(conf, "w") as f:
            f.write("store %s\ntimezone %s\n" % (self.store_dir("main"), zone))
            for g in RUN_GLOBS:
                f.write("input %s\n" % self.path("main", "logs", "d", g))
            f.write("prices %s\ncost_mode %s\nreports_dir %s\n"
                    "report_formats json\n" %
                    (self.path("prices.csv"), mode, self.path("reports")))
        if self.stores["main"]["model"] is None:
            self.stores["main"]["model"] = Model(zone)
        return {"args": ["--config", conf, "run", "--as-of", "2099-12-31"],
                "source": "default", "logs": None, "walk": ("main", "d"),
                "mode": mode, "name": "main"}

    def merge(self, kill=False):
        other = self.stores["other"]["model"]
        if other is None or not os.path.isdir(os.path.join(self.store_dir("other"), "segments")):
            return "merge (nothing)"
        args = ["--store", self.store_dir("main"), "merge", self.store_dir("other")]
        main = self.stores["main"]["model"]
        shared = self.shared.path if self.shared else None
        if shared and main is not None and main.taken.get(shared) and other.taken.get(shared):
            # Both count records of the shared log: refused, whatever
            # sizes each read it at; compare() then finds main unchanged.
            r = self.br(*args, ok=(1,))
            if shared not in r.stderr:
                raise Failure("merge refused without naming %s: %s" % (shared, r.stderr))
            return "merge refused (both stores count the shared log)"

        def update():
            if self.stores["main"]["model"] is None:
                self.stores["main"]["model"] = Model(other.zone)
            snap = {s: {d: list(e) for d, e in days.items()}
                    for s, days in other.state().items()}
            self.stores["main"]["model"].merged["other"] = snap
            self.shared_merged |= bool(shared and other.taken.get(shared))
        self.execute("main", args, update, kill)
        return "merge" + (" killed" if kill else "")

    def shared_step(self):
        """Grows the shared log, or ingests it into either store under
        either source (into the main one only while it holds none of the
        other's reads of it merged)."""
        name = "other" if self.srnd.random() < 0.5 else "main"
        if self.srnd.random() < 0.5 or (name == "main" and self.shared_merged):
            n = self.srnd.randint(1, 4)
            self.grow_shared(n)
            return "shared: append %d" % n
        source = self.srnd.choice(list(SOURCES.values()))
        args = ["--store", self.store_dir(name), "ingest", "--prices",
                self.path("prices.csv"), "--rejects", "/dev/null",
                "--source", source, self.shared.path]
        cmd = {"args": args, "source": source, "logs": [self.shared],
               "walk": None, "mode": "auto", "name": name}
        self.apply(cmd)
        return "shared: ingest " + describe(cmd)

    def init(self, name, zone):
        self.br("--store", self.store_dir(name), "init", "--timezone", zone)
        if self.stores[name]["model"] is None:
            self.stores[name]["model"] = Model(zone)

    def step(self):
        r = self.rnd.random()
        name = "other" if self.rnd.random() < 0.35 else "main"
        st = self.stores[name]
        if r < 0.02:
            return self.bulk(name)
        if r < 0.05:
            return self.export(name)
        if r < 0.3:
            return self.append(name)
        if r < 0.45:
            cmd = self.ingest_cmd(name)
            if cmd is None:
                return self.append(name)
            self.apply(cmd)
            return "ingest " + describe(cmd)
        if r < 0.52:
            if st["last"] is None:
                return "rerun (nothing)"
            self.apply(st["last"])
            return "rerun " + describe(st["last"])
        if r < 0.6:
            cmd = self.run_cmd()
            self.apply(cmd)
            return "run " + describe(cmd)
        if r < 0.68:
            if st["model"] is None:
                return "replace (no store)"
            cmd = self.replace_cmd(name)
            self.apply(cmd)
            return "replace " + describe(cmd)
        if r < 0.71:
            if st["model"] is None:
                return "replace (no store)"
            return self.odd_replace(name)
        if r < 0.74:
            if not os.path.isdir(self.store_dir(name)):
                return "compact (no store)"
            kill = self.rnd.random() < 0.3
            self.execute(name, ["--store", self.store_dir(name), "compact"],
                         lambda: None, kill)
            return "compact %s%s" % (name, " killed" if kill else "")
        if r < 0.84:
            return self.merge(kill=self.rnd.random() < 0.3)
        if r < 0.95:
            if self.rnd.random() < 0.5 or st["model"] is None:
                cmd = self.ingest_cmd(name)
                if cmd is None:
                    return self.append(name)
            else:
                cmd = self.replace_cmd(name)
            self.apply(cmd, kill=True)
            return "killed, then " + describe(cmd)
        if st["model"] is not None:  # init again, the same zone: no change
            self.init(name, st["model"].zone)
            return "init %s again" % name
        return self.append(name)

    def report(self, name, source=None):
        """The store's report: rows by key, totals, unpriced."""
        args = ["--store", self.store_dir(name), "report", "--as-of",
                "2099-12-31", "--since", "2000-01-01", "--by",
                "day,provider,model,agent,label", "--format", "json"]
        if source is not None:
            args += ["--source", source]
        got = json.loads(self.br(*args).stdout, parse_float=str)
        rows = {}
        for r in got["rows"]:
            k = (r["day"], r["provider"], r["model"], r["agent"], r["label"])
            rows[k] = [r[f] if f != "cost_usd" else micro(r[f]) for f in FIELDS]
        return rows, got

    def compare(self, name, where):
        m = self.stores[name]["model"]
        if m is None or not os.path.isdir(self.store_dir(name)):
            return
        sources = [None] + sorted(m.state())
        for source in sources:
            rows, got = self.report(name, source)
            want_rows, want_unpriced = m.report(source)
            want = model_rows(want_rows)
            what = "%s%s" % (name, "" if source is None else " --source " + source)
            if rows != want:
                diff = []
                for k in sorted(set(rows) | set(want)):
                    if rows.get(k) != want.get(k):
                        diff.append("%s: report %s, model %s" % (k, rows.get(k), want.get(k)))
                raise Failure("%s after %s: rows differ (%s):\n  %s" % (
                    what, where, FIELDS, "\n  ".join(diff[:8])))
            tot = [sum(v[i] for v in want_rows.values()) for i in range(10)]
            tot[8] = round_micro(tot[8])
            gt = [got["totals"][f] if f != "cost_usd" else micro(got["totals"][f])
                  for f in FIELDS]
            if gt != tot:
                raise Failure("%s after %s: totals %s, model %s" % (what, where, gt, tot))
            gu = {(u["provider"], u["model"]): u["requests"] for u in got["unpriced"]}
            if gu != want_unpriced:
                raise Failure("%s after %s: unpriced %s, model %s" % (
                    what, where, gu, want_unpriced))

    def run(self, steps):
        # Both stores in one zone (merge refuses another): set by init, or
        # UTC, which an ingest gives a store it creates.
        if self.rnd.random() < 0.7:
            self.init("main", self.zone)
            self.ops.append("init main " + self.zone)
            if self.rnd.random() < 0.7 or self.zone != "UTC":
                self.init("other", self.zone)
                self.ops.append("init other " + self.zone)
        else:
            self.zone = "UTC"
        for i in range(steps):
            op = self.step()
            self.ops.append(op)
            for name in ("main", "other"):
                self.compare(name, "step %d (%s)" % (i, op))
            if self.shared and self.srnd.random() < 0.4:
                op = self.shared_step()
                self.ops.append(op)
                for name in ("main", "other"):
                    self.compare(name, "step %d (%s)" % (i, op))
        for name in ("main", "other"):
            if os.path.isdir(self.store_dir(name)):
                self.br("--store", self.store_dir(name), "verify")


# What verify says of a merge that did not end (README, "verify").
UNFINISHED = re.compile(
    r"burnrate: error: (.*/seg-[0-9a-f]{16}\.brs: of a merge of '.*' that did "
    r"not end: its group of \d+ segments lacks seg-.*; run 'burnrate --store "
    r".* merge .*' again|\d+ segments? of a merge that did not end in .*, "
    r"which reports do not count: run the merge again)$")


def describe(cmd):
    args = cmd["args"]
    i = args.index("ingest") if "ingest" in args else args.index("run")
    out = []
    for a in args[i:]:
        if a.startswith("/"):
            a = os.path.basename(a) if not os.path.isdir(a) else os.path.basename(a) + "/"
        out.append(a)
    return "%s: %s" % (cmd["name"], " ".join(out))


def main(argv):
    keep = "--keep" in argv
    shared = "--no-shared" not in argv
    argv = [a for a in argv if a not in ("--keep", "--no-shared")]
    burnrate, first, count, workdir = argv[1], int(argv[2]), int(argv[3]), argv[4]
    steps = int(os.environ.get("STOREOPS_STEPS", "25"))
    failed = 0
    for seed in range(first, first + count):
        h = History(burnrate, seed, workdir, shared)
        try:
            h.run(steps)
            if not keep:
                shutil.rmtree(h.dir)
        except Failure as e:
            failed += 1
            print("history %d (zone %s): %s\n  operations: %s" % (
                seed, h.zone, e, "\n    ".join(h.ops)))
    print("%d of %d histories failed" % (failed, count))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
