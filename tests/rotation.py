#!/usr/bin/env python3
"""rotation.py - random histories of a log under logrotate, checked against
what was written: every complete record counts exactly once.

Each history, from its seed, mixes: records appended to logs/app.log; a
record cut in two (the rest written at the next write, as a logger does);
numbered rotation (app.log -> app.log.1, the others shifted), dated
rotation (app.log -> app.log-2025NNNN), copytruncate (copied to app.log.1,
then emptied), compressed rotation (app.log -> app.log.1.gz, logrotate's
compress), delayed compression (app.log.1 -> app.log.2.gz, then app.log ->
app.log.1: compress with delaycompress), olddir (app.log ->
old/app.log-2025NNNN, plain or gzipped), deleting the oldest numbered file
(after an ingest, as logrotate's `rotate N` would, days later); and
ingests of the directory
with --jobs 1 or 2. After a last ingest, the store's requests and input
tokens must be those of every record written (each record's input tokens
are its number, so a record counted twice or missed shows).

A history may write its log compressed (app.log.gz, each write appended
as a gzip member: rotated names then end in .gz, compress and
delaycompress compress it anew as one stream, olddir moves it or
compresses it anew), and may write CSV rather than JSON lines: a header
at the top of each new log, each row's last field quoted with a quote
inside ("x""y"), so that a row cut after "x" looks whole.

Usage: rotation.py BURNRATE FIRST_SEED COUNT WORKDIR
Exits 1, printing each failing history, when any fails.
"""
import gzip
import json
import os
import random
import shutil
import subprocess
import sys


CSV_HEADER = "timestamp,provider,model,input_tokens,note\n"


def record(k, csv):
    if csv:
        return '2025-10-01T00:00:00Z,p,m,%d,"x""y"\n' % k
    return json.dumps({"timestamp": "2025-10-01T00:00:00Z", "provider": "p",
                       "model": "m", "usage": {"input_tokens": k}}) + "\n"


class History:
    def __init__(self, burnrate, seed, workdir):
        self.burnrate = burnrate
        self.rnd = random.Random(seed)
        self.dir = os.path.join(workdir, str(seed))
        self.logs = os.path.join(self.dir, "logs")
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.logs)
        self.k = self.written = self.tokens = 0
        self.rest = None  # the rest of a record cut in two
        self.ops = []
        # Its own generator: the histories of seeds before these modes
        # are the same ops as they were.
        mode = random.Random("mode %d" % seed).random()
        self.gz = mode < 0.25 or 0.5 <= mode < 0.6
        self.csv = 0.25 <= mode < 0.6
        self.live = "app.log.gz" if self.gz else "app.log"

    def path(self, name):
        return os.path.join(self.logs, name)

    def write(self, text):
        live = self.path(self.live)
        if self.csv and (not os.path.exists(live) or
                         os.path.getsize(live) == 0):
            text = CSV_HEADER + text
        if self.gz:
            with open(live, "ab") as f:
                f.write(gzip.compress(text.encode(), mtime=0))
        else:
            with open(live, "a", encoding="utf-8") as f:
                f.write(text)

    def finish_record(self):
        if self.rest is not None:
            self.write(self.rest)
            self.rest = None

    def new_record(self):
        self.k += 1
        self.written += 1
        self.tokens += self.k
        return record(self.k, self.csv)

    def numbered(self):
        """The numbered rotations, (number, ".gz" or ""), oldest last."""
        found = []
        for x in os.listdir(self.logs):
            gz = ".gz" if x.endswith(".gz") else ""
            n = x[len("app.log."):len(x) - len(gz)]
            if x.startswith("app.log.") and n.isdigit():
                found.append((int(n), gz))
        return sorted(found)

    def rename(self, name, compress_anew=False):
        """Renames the log name (.gz added when it is written compressed),
        or compresses it anew as one stream."""
        gz = ".gz" if self.gz else ""
        if compress_anew and self.gz:
            with gzip.open(self.path(self.live), "rb") as f:
                data = f.read()
            with open(self.path(name + gz), "wb") as f:
                f.write(gzip.compress(data, mtime=0))
            os.remove(self.path(self.live))
        else:
            os.rename(self.path(self.live), self.path(name + gz))

    def shift(self):
        for i, gz in reversed(self.numbered()):
            os.rename(self.path("app.log.%d%s" % (i, gz)),
                      self.path("app.log.%d%s" % (i + 1, gz)))

    def compress(self, plain, name):
        with open(self.path(plain), "rb") as f:
            data = f.read()
        with open(self.path(name), "wb") as f:
            f.write(gzip.compress(data, mtime=0))
        os.remove(self.path(plain))

    def ingest(self, jobs):
        r = subprocess.run([self.burnrate, "--quiet", "--store",
                            os.path.join(self.dir, "st"), "ingest", "--jobs",
                            str(jobs), self.logs], capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError("ingest exited %d: %s" % (r.returncode, r.stderr.strip()))

    def rotate_gz(self, op, step):
        """Rotates app.log.gz as op does app.log: it is compressed already
        (delaycompress has nothing to compress later)."""
        if op == "dateext":
            self.rename("app.log-2025%04d" % step)
        elif op == "olddir":
            os.makedirs(self.path("old"), exist_ok=True)
            self.rename("old/app.log-2025%04d" % step,
                        compress_anew=self.rnd.random() < 0.5)
        else:
            self.shift()
            if op == "copytruncate":
                shutil.copy(self.path(self.live), self.path("app.log.1.gz"))
            else:
                self.rename("app.log.1", compress_anew=op == "compress")

    def step(self, step):
        op = self.rnd.choice(["append", "append", "append", "cut", "rotate",
                              "dateext", "copytruncate", "compress",
                              "delaycompress", "olddir", "delete", "ingest",
                              "ingest"])
        self.ops.append(op)
        if op == "append":
            self.finish_record()
            self.write("".join(self.new_record()
                               for _ in range(self.rnd.randint(1, 5))))
        elif op == "cut":
            self.finish_record()
            text = self.new_record()
            at = self.rnd.randint(1, len(text) - 1)
            if self.csv and self.rnd.random() < 0.5:
                at = text.index('"x"') + 3  # where the row looks whole
            self.write(text[:at])
            self.rest = text[at:]
        elif op in ("rotate", "copytruncate", "dateext", "compress",
                    "delaycompress", "olddir"):
            self.finish_record()
            if not os.path.exists(self.path(self.live)):
                return
            if self.gz:
                self.rotate_gz(op, step)
            elif op == "dateext":
                os.rename(self.path("app.log"), self.path("app.log-2025%04d" % step))
            elif op == "olddir":
                os.makedirs(self.path("old"), exist_ok=True)
                name = "old/app.log-2025%04d" % step
                if self.rnd.random() < 0.5:
                    self.compress("app.log", name + ".gz")
                else:
                    os.rename(self.path("app.log"), self.path(name))
            else:
                self.shift()
                if op == "compress":
                    self.compress("app.log", "app.log.1.gz")
                elif op == "delaycompress":
                    if os.path.exists(self.path("app.log.2")):
                        self.compress("app.log.2", "app.log.2.gz")
                    os.rename(self.path("app.log"), self.path("app.log.1"))
                elif op == "rotate":
                    os.rename(self.path("app.log"), self.path("app.log.1"))
                else:
                    shutil.copy(self.path("app.log"), self.path("app.log.1"))
            open(self.path(self.live), "w").close()
        elif op == "delete":
            self.ingest(self.rnd.choice([1, 2]))
            nums = self.numbered()
            if nums:
                os.remove(self.path("app.log.%d%s" % nums[-1]))
        else:
            self.ingest(self.rnd.choice([1, 2]))

    def run(self):
        for step in range(self.rnd.randint(3, 16)):
            self.step(step)
        self.finish_record()
        self.ingest(2)
        r = subprocess.run([self.burnrate, "--store", os.path.join(self.dir, "st"),
                            "report", "--as-of", "2099-01-01", "--by", "month",
                            "--format", "csv"], capture_output=True, text=True)
        lines = r.stdout.strip().split("\n")
        got = (0, 0)
        if len(lines) > 1:
            f = lines[-1].split(",")
            got = (int(f[1]), int(f[3]))
        if got != (self.written, self.tokens):
            raise RuntimeError("requests, input tokens %s, written %s" %
                               (got, (self.written, self.tokens)))


def main(argv):
    burnrate, first, count, workdir = argv[1], int(argv[2]), int(argv[3]), argv[4]
    failed = 0
    for seed in range(first, first + count):
        h = History(burnrate, seed, workdir)
        try:
            h.run()
            shutil.rmtree(h.dir)
        except RuntimeError as e:
            failed += 1
            print("history %d: %s; operations: %s" % (seed, e, " ".join(h.ops)))
    print("%d of %d histories failed" % (failed, count))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
