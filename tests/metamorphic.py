#!/usr/bin/env python3
"""metamorphic.py - a random differential of ingest against itself.

No reference implementation: each random log is ingested several ways
that must give the same result (issue #4, DESIGN's append and rotation
rules), and any difference is a finding:

  jobs       --jobs 2 and 4 against --jobs 1: report, summary, exit
             status and rejects file, byte for byte;
  containers gzip (one member, several members cut mid-line), zstd, xz,
             bzip2, lz4, zip, tar, tar.gz, tar.zst: report, exit status
             and the summary's counts;
  append     the log cut at a random record, ingested, the rest appended,
             ingested again;
  rotated    the same, the log renamed to NAME.1 (grown first) before the
             second run; and renamed, the rest in a new file (a CSV with
             its header again);
  two files  the two parts as two files of one directory, one run; and
             the log in up to 8 parts, read with --jobs 1, 2 and 4.

What a sanitized burnrate reports (ASan, UBSan) is a finding too.

For the last four the report and the counts of the summaries, summed
over the runs, must be those of one ingest of the whole log.

Logs are of every format burnrate reads: generic JSONL and CSV from
tools/loggen.py --nasty (shuffled keys and columns, escapes, unicode,
CRLF, BOM, blank and bad lines, duplicate ids), the CSV with random
columns left out and requoted, and each vendor sample of shared/formats
with its token counts and ids made random, records repeated, its keys
reordered, escaped or not, and blank, CRLF and bad lines and a BOM
mixed in.

  metamorphic.py --burnrate B [--cases N] [--records N] [--seed S]
                 [--keep DIR]

Prints one line per case, and for each difference the case's seed, how
it was ingested and the difference; exits 1 if there was one. With
--keep, the logs of failing cases are copied to DIR. Rerun one case
with --seed S --cases 1.
"""
import argparse
import bz2
import csv
import gzip
import io
import json
import lzma
import os
import random
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
FORMATS = os.path.join(ROOT, "..", "shared", "formats")
if not os.path.isdir(FORMATS):
    FORMATS = os.path.join(ROOT, "samples", "formats")
LOGGEN = os.path.join(ROOT, "tools", "loggen.py")
ASOF = "2099-12-31"
COUNTS = ("records", "requests kept", "duplicates dropped", "rejected",
          "cost lines kept")
COUNT = re.compile(r"(\d+) (%s)" % "|".join(COUNTS))
BOM = b"\xef\xbb\xbf"
MERGING = ("claude_code", "gemini", "openai_org")
# A sanitized burnrate's reports (make SANITIZE=address,undefined).
SANITIZER_MARKS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
                   "runtime error:")
ID_KEYS = {"id", "request_id", "requestId", "x_request_id", "responseId",
           "response_id", "traceId"}


# ------------------------------------------------------------- the logs

def records_of(data, is_csv):
    """Splits a log into its records (bytes, each with its line ends): a
    CSV record runs on while a quoted cell is open."""
    out, start, quoted = [], 0, False
    for i, c in enumerate(data):
        if is_csv and c == 0x22:
            quoted = not quoted
        elif c == 0x0A and not quoted:
            out.append(data[start:i + 1])
            start = i + 1
    if start < len(data):
        out.append(data[start:] + b"\n")
    return out


def csv_cut(recs, b):
    """B, or the end of its record when a CSV log cut at B ends in a row
    that looks whole: cut in its last field, outside quotes, the row
    counts as read and the rest of it is rejected (README, Growing
    logs: a row caught mid-write inside its last field cannot be told
    from a whole one)."""
    start = 0
    for r in recs:
        if start + len(r) > b:
            break
        start += len(r)
    else:
        return b
    quoted = r[:b - start].count(b'"') % 2 == 1
    for c in r[b - start:].rstrip(b"\r\n"):
        if c == 0x22:
            quoted = not quoted
        elif c == 0x2C and not quoted:
            return b
    return b if quoted or not r[b - start:].strip() else start + len(r)


def random_ints(rng, v, copy, key=""):
    """V with every integer under a token or count key made random, ids
    given the suffix COPY, and OpenAI Usage and Costs API buckets (their
    key; a page holds several days) moved by 100 days a COPY."""
    if isinstance(v, dict):
        items = [(k, random_ints(rng, x, copy, k)) for k, x in v.items()]
        if rng.random() < 0.3:
            rng.shuffle(items)
        return dict(items)
    if isinstance(v, list):
        return [random_ints(rng, x, copy, key) for x in v]
    low = key.lower()
    if isinstance(v, int) and not isinstance(v, bool) and \
            ("token" in low or "count" in low or low == "num_model_requests"):
        return rng.choice([0, rng.randrange(1, 100), rng.randrange(10**6)])
    if isinstance(v, str) and key in ID_KEYS and v:
        return "%s-%d" % (v, copy)
    if key in ("start_time", "end_time") and isinstance(v, int):
        return v + 86400 * 100 * copy
    return v


def bad_line(rng, is_csv):
    return rng.choice([b'{"timestamp":"2025-09-01T00:00:00Z","model":',
                       b"not a log line", b"\x00\x00{}", b"[1,2]",
                       b'{"usage":{"input_tokens":-1}}'] +
                      ([b'"unterminated,1,2', b",,,,,"] if is_csv else []))


def vendor_log(rng, path, n, unique):
    """N records drawn from a vendor sample, made random; with UNIQUE,
    no two share a request id (or a Usage API bucket), else some do."""
    data = open(path, "rb").read()
    is_csv = path.endswith(".csv")
    recs = records_of(data, is_csv)
    if is_csv:
        head, body = recs[0], recs[1:]
        rows = list(csv.reader(io.StringIO(data.decode())))
        names, rows = rows[0], rows[1:]
        term = rng.choice(["\n", "\r\n"])
        quoting = rng.choice([csv.QUOTE_MINIMAL, csv.QUOTE_ALL])
        out = [head.replace(b"\r\n", b"\n").replace(b"\n", term.encode())]
        for i in range(n):
            copy = i if unique else rng.randrange(40)
            row = list(rng.choice(rows))
            for i, name in enumerate(names):
                low = name.lower()
                if re.fullmatch(r"[0-9]+", row[i]) and \
                        ("token" in low or "usage" in low):
                    row[i] = str(rng.randrange(10**6))
                elif name in ID_KEYS and row[i]:
                    row[i] += "-%d" % copy
            s = io.StringIO()
            csv.writer(s, lineterminator=term, quoting=quoting).writerow(row)
            out.append(s.getvalue().encode())
        return out, True
    objs = []
    for r in recs:
        try:
            objs.append(json.loads(r))
        except ValueError:
            pass  # blank, or a sample's partial last line
    out = []
    for i in range(n):
        o = random_ints(rng, objs[i % len(objs)] if i < len(objs)
                        else rng.choice(objs),
                        i if unique else rng.randrange(40))
        line = json.dumps(o, ensure_ascii=rng.random() < 0.5,
                          separators=rng.choice([(",", ":"), (", ", ": ")]))
        out.append(line.encode() + b"\n")
    return out, False


def generic_log(rng, n, is_csv):
    """loggen.py --nasty's log; a CSV with random columns left out."""
    text = subprocess.run(
        [sys.executable, LOGGEN, "--seed", str(rng.randrange(10**9)),
         "--records", str(n), "--format", "csv" if is_csv else "jsonl",
         "--nasty", "--days", "5"],
        check=True, stdout=subprocess.PIPE).stdout
    recs = records_of(text, is_csv)
    if not is_csv or rng.random() < 0.5:
        return recs, is_csv
    bom = text.startswith(BOM)
    rows = list(csv.reader(io.StringIO(text.decode("utf-8-sig"),
                                       newline="")))
    keep = [i for i, name in enumerate(rows[0])
            if name in ("timestamp", "provider", "model") or
            rng.random() < 0.7]
    rng.shuffle(keep)
    s = io.StringIO()
    w = csv.writer(s, lineterminator=rng.choice(["\n", "\r\n"]),
                   quoting=rng.choice([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]))
    for row in rows:
        w.writerow([row[i] if i < len(row) else "" for i in keep])
    out = s.getvalue().encode()
    return records_of((BOM if bom else b"") + out, True), True


def noise(rng, recs, is_csv, vendor):
    """(records, lead): blank, CRLF, NUL and bad lines and a BOM mixed
    into RECS, LEAD of them before the first record (which tells the
    format: lines before it are rejected); at times no newline at the
    end."""
    lead = [rng.choice([b"\n", bad_line(rng, is_csv) + b"\n"])
            for _ in range(rng.choice([0] * 6 + [1, 2, 3]))]
    # A BOM is one at the log's start only: the first record's goes
    # before the lines put before it.
    bom = recs[0].startswith(BOM) or vendor and rng.random() < 0.2
    out = lead + [recs[0].removeprefix(BOM)]
    for r in recs[1:]:
        x = rng.random()
        if x < 0.03:
            out.append(rng.choice([b"\n", b"  \n", b"\r\n", b"\x00\n"]))
        elif x < 0.05 and vendor:
            out.append(bad_line(rng, is_csv) + b"\n")
        if vendor and not is_csv and rng.random() < 0.1:
            r = r[:-1] + b"\r\n"
        out.append(r)
    if bom:
        out[0] = BOM + out[0]
    if rng.random() < 0.2:
        out[-1] = out[-1].rstrip(b"\r\n")  # no newline at the end
    return out, len(lead)


def random_log(rng, records):
    """(name, records, lead, is_csv, splits): a random log of a random
    format, its first LEAD records before the one that tells the format;
    SPLITS when it may be cut in two, as a format whose copies of one
    request merge within a file (claude-code's and gemini's, the largest
    wins; OpenAI Usage pages, the last) but not across files or runs
    (docs/FORMATS.md) has none."""
    vendors = sorted(f for f in os.listdir(FORMATS)
                     if f.endswith((".jsonl", ".csv")))
    kind = rng.choice(["generic.jsonl", "generic.csv"] * 3 + vendors)
    n = rng.randrange(1, records + 1)
    if kind.startswith("generic"):
        recs, is_csv = generic_log(rng, n, kind.endswith(".csv"))
        return (kind,) + noise(rng, recs, is_csv, False) + (is_csv, True)
    splits = not kind.startswith(MERGING) or rng.random() < 0.5
    recs, is_csv = vendor_log(rng, os.path.join(FORMATS, kind), n, splits)
    return (kind,) + noise(rng, recs, is_csv, True) + (is_csv, splits)


# ---------------------------------------------------------- the ingests

class Runner:
    def __init__(self, burnrate, work):
        self.burnrate, self.work = burnrate, work
        self.n = 0
        self.reports = []  # what a sanitizer said

    def ingest(self, store, paths, jobs=1, opts=()):
        """Returns (exit status, summary, rejects file's bytes)."""
        self.n += 1
        rej = os.path.join(self.work, "rej%d.txt" % self.n)
        p = subprocess.run([self.burnrate, "--store", store, "ingest",
                            "--jobs", str(jobs), "--rejects", rej] + list(opts) +
                           paths,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           cwd=self.work)
        rejects = open(rej, "rb").read() if os.path.exists(rej) else b""
        summary = p.stdout.decode(errors="replace") + \
            p.stderr.decode(errors="replace")
        for mark in SANITIZER_MARKS:
            if mark in summary:
                self.reports.append("ingest %s: %s" % (" ".join(paths),
                                                       summary[-2000:]))
        return p.returncode, summary.replace(rej, "REJECTS"), rejects

    def report(self, store):
        p = subprocess.run([self.burnrate, "--store", store, "report",
                            "--by", "day,provider,model,agent,label",
                            "--as-of", ASOF, "--format", "json"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           cwd=self.work)
        if p.returncode:
            return "report exit %d: %s" % (p.returncode, p.stderr.decode())
        return re.sub(r'"generated_by":"[^"]*",', "", p.stdout.decode())


def counts(summary):
    """The summary's counts, by name (0 when absent)."""
    got = dict.fromkeys(COUNTS, 0)
    for num, name in COUNT.findall(summary):
        got[name] += int(num)
    return got


def told_not(run):
    """Whether an input of RUN failed by its first lines: a log that does
    not tell its format, or begins as a JSON array or UTF-16 text
    (README, Formats)."""
    return any(why in run[1] for why in (
        "cannot tell the log format", "it is a JSON array",
        "looks like UTF-16 text"))


def containers(data, name):
    """{container file name: bytes} of DATA, a log named NAME."""
    half = len(data) // 2 + 1
    out = {
        "gz": gzip.compress(data, mtime=0),
        "gz2": gzip.compress(data[:half], mtime=0) +
        gzip.compress(data[half:], mtime=0),
        "xz": lzma.compress(data),
        "bz2": bz2.compress(data),
    }
    for tool, ext in (("zstd", "zst"), ("lz4", "lz4")):
        out[ext] = subprocess.run([tool, "-q", "-c"], input=data, check=True,
                                  stdout=subprocess.PIPE).stdout
    z = io.BytesIO()
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as f:
        f.writestr("logs/" + name, data)
    out["zip"] = z.getvalue()
    t = io.BytesIO()
    with tarfile.open(fileobj=t, mode="w") as f:
        info = tarfile.TarInfo(name)
        info.size, info.mtime = len(data), 0
        f.addfile(info, io.BytesIO(data))
    out["tar"] = t.getvalue()
    out["tar.gz"] = gzip.compress(out["tar"], mtime=0)
    out["tar.zst"] = subprocess.run(["zstd", "-q", "-c"], input=out["tar"],
                                    check=True, stdout=subprocess.PIPE).stdout
    return out


def run_case(burnrate, seed, records, keep):
    rng = random.Random(seed)
    kind, recs, lead, is_csv, splits = random_log(rng, records)
    ext = ".csv" if is_csv else ".jsonl"
    data = b"".join(recs)
    work = tempfile.mkdtemp(prefix="metamorphic-")
    r = Runner(burnrate, work)
    found = []
    # A part of the log whose first lines are no log's fails (told_not):
    # then its ingest is no image of the whole's.
    untold = False

    def put(rel, content):
        path = os.path.join(work, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(content)
        return rel

    def differs(how, what, want, got):
        if want != got and not untold:
            found.append("%s: %s differs:\n  want %s\n  got  %s" %
                         (how, what, str(want)[:600], str(got)[:600]))

    try:
        log = put("log" + ext, data)
        base = r.ingest("s-base", [log])
        want = r.report("s-base")
        want_counts = counts(base[1])
        for j in (2, 4):
            got = r.ingest("s-j%d" % j, [log], jobs=j)
            differs("--jobs %d" % j, "exit, summary, rejects",
                    base, got)
            differs("--jobs %d" % j, "report", want, r.report("s-j%d" % j))
        for c, content in containers(data, "log" + ext).items():
            got = r.ingest("s-" + c, [put("c/log%s.%s" % (ext, c), content)])
            differs(c, "exit status", base[0], got[0])
            differs(c, "counts", want_counts, counts(got[1]))
            differs(c, "report", want, r.report("s-" + c))
        # A cut after the record that tells the format (a CSV's header,
        # written again at the start of a new file).
        k = rng.randrange(lead + 1, len(recs) + 1)
        head = recs[lead].removeprefix(BOM) if is_csv else b""
        # A cut at a byte, at a line's end or beside it as often as
        # anywhere: the first run leaves the partial last line for the
        # next.
        told = len(b"".join(recs[:lead + 1]))
        b = rng.randrange(told, len(data) + 1)
        if rng.random() < 0.5:
            ends = [i for i in range(told, len(data)) if data[i] == 0x0A]
            if ends:
                b = min(len(data), rng.choice(ends) + rng.choice([-1, 0, 1]))
        if is_csv:
            b = csv_cut(recs, b)
        # Request ids count once in a run (DESIGN 3): a log split over two
        # runs is compared without dedupe; two files of one run with it.
        nd = ["--no-dedupe"]
        base_nd = r.ingest("s-nd", [log], opts=nd)
        want_nd = r.report("s-nd")
        for how in ("append", "append mid-line", "rotated grown",
                    "rotated new", "two files")[:5 if splits else 0]:
            store = "s-" + how.replace(" ", "-")
            d = how.replace(" ", "-")
            if how == "append mid-line":
                first, rest = data[:b], data[b:]
            else:
                first, rest = b"".join(recs[:k]), b"".join(recs[k:])
            if how == "two files":
                put(d + "/a" + ext, first)
                put(d + "/b" + ext, head + rest)
                runs = [r.ingest(store, [d])]
                ref, ref_counts = want, want_counts
                # The log in more parts, read by the pool: every --jobs
                # gives the same, byte for byte.
                cuts = sorted(rng.sample(range(lead + 1, len(recs) + 1),
                                         min(rng.randrange(2, 8),
                                             len(recs) - lead)))
                for i, (x, y) in enumerate(zip([0] + cuts, cuts +
                                               [len(recs)])):
                    put("parts/p%02d%s" % (i, ext),
                        (head if i else b"") + b"".join(recs[x:y]))
                parts = r.ingest("s-parts1", ["parts"])
                untold = told_not(parts)
                differs("%d parts" % (len(cuts) + 1), "counts", want_counts,
                        counts(parts[1]))
                differs("%d parts" % (len(cuts) + 1), "report", want,
                        r.report("s-parts1"))
                for j in (2, 4):
                    got = r.ingest("s-parts%d" % j, ["parts"], jobs=j)
                    differs("%d parts, --jobs %d" % (len(cuts) + 1, j),
                            "exit, summary, rejects", parts, got)
                    differs("%d parts, --jobs %d" % (len(cuts) + 1, j),
                            "report", want, r.report("s-parts%d" % j))
            else:
                path = put(d + "/app" + ext, first)
                runs = [r.ingest(store, [d], opts=nd)]
                ref, ref_counts = want_nd, counts(base_nd[1])
                full = os.path.join(work, path)
                if how != "rotated new":
                    with open(full, "ab") as f:
                        f.write(rest)
                if how != "append":
                    os.rename(full, full + ".1")
                if how == "rotated new":
                    put(path, head + rest)
                runs.append(r.ingest(store, [d], opts=nd))
            untold = any(told_not(run) for run in runs)
            total = dict.fromkeys(COUNTS, 0)
            for run in runs:
                for name, v in counts(run[1]).items():
                    total[name] += v
            at = "at byte %d" % b if how == "append mid-line" else \
                "at record %d" % k
            differs("%s %s" % (how, at), "exit status",
                    [base[0]] * len(runs), [run[0] for run in runs])
            differs("%s %s" % (how, at), "counts", ref_counts, total)
            differs("%s %s" % (how, at), "report", ref, r.report(store))
        found += r.reports
    finally:
        if found and keep:
            os.makedirs(keep, exist_ok=True)
            shutil.copy(os.path.join(work, "log" + ext),
                        os.path.join(keep, "seed%d-%s" % (seed, kind)))
        shutil.rmtree(work, ignore_errors=True)
    return kind, len(recs), found, '"rows":[\n{' in want


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--burnrate", required=True)
    ap.add_argument("--cases", type=int, default=10)
    ap.add_argument("--records", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep")
    a = ap.parse_args()
    burnrate = os.path.abspath(a.burnrate)
    bad = rows = 0
    for seed in range(a.seed, a.seed + a.cases):
        kind, n, found, some = run_case(burnrate, seed, a.records, a.keep)
        rows += some
        print("seed %d: %s, %d records: %s" %
              (seed, kind, n, "%d differences" % len(found) if found else "ok"))
        for f in found:
            print("  " + f.replace("\n", "\n  "))
        sys.stdout.flush()
        bad += bool(found)
    print("metamorphic: %d of %d cases differ" % (bad, a.cases))
    if not rows:
        print("metamorphic: no case gave a report row: nothing was compared")
    return 1 if bad or not rows else 0


if __name__ == "__main__":
    sys.exit(main())
