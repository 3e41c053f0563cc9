#!/usr/bin/env python3
"""cpu.py N BURNRATE STEM: a gzip's ingest against its parts, in CPU.

STEM.jsonl and STEM.jsonl.gz are the same log (bench/ingest.sh's data:
build/bench-data/*/generic-2000000-uuid). Runs N rounds of five commands
in turn, each ingest into a new store: `igzip -d -c` of the gzip, and
burnrate's ingest of the gzip and of the plain log with --jobs 2 and 1.
Prints each command's median wall time and CPU (user + system), and
what #4's JSONL.gz target, 1.3x `igzip -d`, asks of the CPU: two CPUs
busy from the first to the last microsecond of 1.3x igzip's median time
(docs/PERFORMANCE.md, stop 55)."""
import os
import statistics
import subprocess
import sys
import tempfile

from pair import Run, measure


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: cpu.py N BURNRATE STEM")
    n, burnrate, stem = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    gz, plain = stem + ".jsonl.gz", stem + ".jsonl"
    for path in (gz, plain):
        if not os.path.exists(path):
            sys.exit("cpu.py: no %s" % path)
    with tempfile.TemporaryDirectory() as tmp:
        store = tmp + "/store"

        def ingest(path, jobs):
            return [burnrate, "--quiet", "--store", store, "ingest",
                    "--jobs", str(jobs), path]
        commands = {
            "igzip -d -c FILE.jsonl.gz": ["igzip", "-d", "-c", gz],
            "ingest --jobs 2 FILE.jsonl.gz": ingest(gz, 2),
            "ingest --jobs 1 FILE.jsonl.gz": ingest(gz, 1),
            "ingest --jobs 2 FILE.jsonl": ingest(plain, 2),
            "ingest --jobs 1 FILE.jsonl": ingest(plain, 1),
        }
        runs = {name: [] for name in commands}
        for _ in range(n):
            for name, cmd in commands.items():
                init = None
                if cmd[0] == burnrate:
                    init = [burnrate, "--quiet", "--store", store, "init"]
                runs[name].append(measure(cmd, store, init))
    med = {}
    for name, rs in runs.items():
        med[name] = Run(*(statistics.median(getattr(r, f) for r in rs)
                          for f in Run._fields))
        print("%-32s wall %.3f s  CPU %.3f s (user %.3f, system %.3f)" % (
            name, med[name].wall, med[name].cpu, med[name].user,
            med[name].system))
    igzip = med["igzip -d -c FILE.jsonl.gz"].wall
    g = med["ingest --jobs 2 FILE.jsonl.gz"]
    print("JSONL.gz: %.2fx igzip -d's wall time; 1.3x (%.3f s) on two CPUs "
          "busy throughout is %.3f s of CPU, against %.3f s (%.2f CPUs busy "
          "now), %d rounds" % (g.wall / igzip, 1.3 * igzip, 2.6 * igzip,
                               g.cpu, g.cpu / g.wall, n))


if __name__ == "__main__":
    main()
