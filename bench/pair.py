#!/usr/bin/env python3
"""pair.py N FILE A B: compares two burnrate binaries' ingest of FILE.

Runs N pairs, each binary once a pair, the order alternating, every run
into a new store (`--jobs 2`, `--quiet`), and prints each binary's median
CPU (user + system; and each apart) and wall time and, of the N ratios
B/A of a pair's CPU and wall time, the median and quartiles. On a host
whose speed drifts within minutes, a pair's two runs share its state,
where medians of runs minutes apart do not (docs/PERFORMANCE.md, stop
52)."""
import collections
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


class Run(collections.namedtuple("Run", "user system wall")):
    @property
    def cpu(self):
        return self.user + self.system


def measure(cmd, store, init=None):
    """Runs cmd (its output discarded) after removing store and running
    init, if any, to make it anew: cmd's user, system and wall time."""
    shutil.rmtree(store, ignore_errors=True)
    if init:
        subprocess.run(init, check=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return Run(after.ru_utime - before.ru_utime,
               after.ru_stime - before.ru_stime, wall)


def run(binary, path, store):
    return measure([binary, "--quiet", "--store", store, "ingest", "--jobs", "2", path],
                   store, [binary, "--quiet", "--store", store, "init"])


def spread(values):
    v = sorted(values)
    return "%.3f [%.3f-%.3f]" % (statistics.median(v), v[len(v) // 4], v[3 * len(v) // 4])


def main():
    if len(sys.argv) != 5:
        sys.exit("usage: pair.py N FILE A B")
    n, path, a, b = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
    runs = {a: [], b: []}
    with tempfile.TemporaryDirectory() as tmp:
        store = tmp + "/store"
        for i in range(n):
            for binary in ((a, b) if i % 2 == 0 else (b, a)):
                runs[binary].append(run(binary, path, store))
    for name in (a, b):
        print("%s: CPU median %.3f s (user %.3f, system %.3f), "
              "wall median %.3f s" % (
            name, statistics.median(r.cpu for r in runs[name]),
            statistics.median(r.user for r in runs[name]),
            statistics.median(r.system for r in runs[name]),
            statistics.median(r.wall for r in runs[name])))
    cpu = [y.cpu / x.cpu for x, y in zip(runs[a], runs[b])]
    wall = [y.wall / x.wall for x, y in zip(runs[a], runs[b])]
    print("B/A: CPU %s, wall %s (median [quartiles], %d pairs)" % (spread(cpu), spread(wall), n))


if __name__ == "__main__":
    main()
