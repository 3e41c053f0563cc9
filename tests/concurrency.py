#!/usr/bin/env python3
"""concurrency.py - one store, many processes at once (tests/e2e/concurrency.sh).

Usage: concurrency.py BURNRATE WORKDIR SECONDS RECORDS SEED

Actors (threads, each running burnrate processes on the store WORKDIR/st):
  chain     ingests c00..c23 in order (each copied into logs/ first),
            retrying on 75, a compact every fifth; sometimes SIGKILLs an
            ingest of it first, at a random moment
  runner    'run' of a configuration whose input is logs/*.jsonl (the
            chain's files: each counts once, whoever ingests it)
  intruder  ingests x00..x07 (other agents), retrying on 75
  backfill  ingest --source bf --replace 2025-10-10..2025-10-14 of b00..
            b07 in turn, each a new version of those days
  remote    ingests ra_k (source ra) then rb_k (source rb) into store R
            and compacts it, while merges of R into the store run (so a
            merge publishes a group of two segments)
  compactor compact at random
  readers   3: report in every format (JSON, CSV and XLSX read back),
            report --output, verify, a backfill's --dry-run, check,
            prices check, the run's report files
Every writer but the chain's is also SIGKILLed at random moments now and
then. Each input's agents are its own ("c03.17"), so a report --by agent
shows each input's rows whole or not at all. Checks: each report a
consistent snapshot (every input whole, the chain's a prefix of those
done or placed, one backfill version and not an older one than was done,
ra and rb in a state R had), its totals the sum of its rows; writers exit
0 or 75 naming the lock; nothing hangs (timeouts); afterwards no
temporary file and no held lock, and the store equal to the same writes
done one by one into a fresh store (before and after a compact).
"""
import csv, io, json, os, random, re, shutil, signal, subprocess, sys
import threading, time

BR = os.path.abspath(sys.argv[1])
W = os.path.abspath(sys.argv[2])
SECONDS = float(sys.argv[3]) if len(sys.argv) > 3 else 60
NREC = int(sys.argv[4]) if len(sys.argv) > 4 else 20000
SEED = int(sys.argv[5]) if len(sys.argv) > 5 else 1
os.makedirs(W, exist_ok=True)
os.chdir(W)
rnd = random.Random(SEED)
TMPD = os.path.join(W, "tmpdir")
os.makedirs(TMPD, exist_ok=True)
ENV = dict(os.environ, TMPDIR=TMPD)
problems = []
plock = threading.Lock()


def problem(msg):
    with plock:
        problems.append(msg)
        print("PROBLEM:", msg, file=sys.stderr, flush=True)


MODELS = [("openai", "gpt-4o"), ("anthropic", "claude-sonnet-4-5"),
          ("google", "gemini-2.5-flash"), ("openai", "gpt-4o-mini")]


def gen(path, tag, n, seed, day0=1, days=28, month="2025-10"):
    r = random.Random(seed)
    with open(path + ".part", "w") as f:
        for i in range(n):
            p, m = MODELS[r.randrange(len(MODELS))]
            d = day0 + r.randrange(days)
            ts = "%s-%02dT%02d:%02d:%02dZ" % (month, d, r.randrange(24),
                                              r.randrange(60), r.randrange(60))
            f.write(json.dumps({
                "timestamp": ts, "provider": p, "model": m,
                "agent": "%s.%d" % (tag, r.randrange(300)),
                "label": "l%d" % r.randrange(4),
                "request_id": "%s-%d" % (tag, i), "status": 200,
                "usage": {"input_tokens": r.randrange(1, 9000),
                          "output_tokens": r.randrange(0, 900),
                          "cache_read_tokens": r.randrange(0, 3) * 512}},
                separators=(",", ":")) + "\n")
    os.rename(path + ".part", path)


def br(*args, timeout=120, store="st"):
    t0 = time.time()
    try:
        p = subprocess.run([BR, "--store", store] + list(args), env=ENV,
                           capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        problem("hung > %ds: %s" % (timeout, " ".join(args)))
        return 124, b"", b"", time.time() - t0
    return p.returncode, p.stdout, p.stderr, time.time() - t0


LOCK_RE = re.compile(rb"^burnrate: error: .*store '[^']*st'.*: locked by ")


def writer_ok(what, rc, err):
    """0, or 75 naming the store's lock; else a problem."""
    if rc == 0:
        return True
    if rc == 75 and LOCK_RE.search(err):
        return False
    problem("%s: exit %d: %s" % (what, rc, err[-600:]))
    return False


# ------------------------------------------------------------- inputs
os.makedirs("in", exist_ok=True)
os.makedirs("logs", exist_ok=True)
NC, NX, NB, NR = 24, 8, 8, 6
for i in range(NC):
    gen("in/c%02d.jsonl" % i, "c%02d" % i, NREC, SEED * 1000 + i)
for i in range(NX):
    gen("in/x%02d.jsonl" % i, "x%02d" % i, NREC // 2, SEED * 2000 + i)
for i in range(NB):  # backfills: days 10..14 only
    gen("in/b%02d.jsonl" % i, "b%02d" % i, NREC // 4, SEED * 3000 + i,
        day0=10, days=5)
for i in range(NR):
    gen("in/ra%02d.jsonl" % i, "ra%02d" % i, NREC // 4, SEED * 4000 + i)
    gen("in/rb%02d.jsonl" % i, "rb%02d" % i, NREC // 4, SEED * 5000 + i)

for s in ("st", "R"):
    shutil.rmtree(s, ignore_errors=True)
br("init", store="st")
br("init", store="R")
with open("burnrate.conf", "w") as f:
    f.write("store st\ninput logs/*.jsonl\nreports_dir reports\n"
            "report_formats json,csv,xlsx,html\nreport_schedule never\n")
os.makedirs("reports", exist_ok=True)
# baseline for check
subprocess.run([BR, "check", "--write-baseline", "base.json", "in/x00.jsonl"],
               env=ENV, capture_output=True, check=True)

# ------------------------------------------------------------- state
placed = []      # chain files placed in logs/, in order, with times
chain_done = []  # (i, t_end) ingests of the chain that succeeded
x_done = []
b_done = []      # (k, t_start, t_end) successful backfills
b_killed = []    # backfills SIGKILLed and never run to the end: published or not
r_merged = []    # (k, t_start, t_end): merge after ra_k, rb_k in R
stop = threading.Event()
merge_killed = 0.0  # when a merge of R into st was last SIGKILLed
stats = {}


def count(k):
    with plock:
        stats[k] = stats.get(k, 0) + 1


def killed(args, store="st", maxwait=0.6):
    """Starts burnrate ARGS and SIGKILLs it at a random moment."""
    p = subprocess.Popen([BR, "--store", store, "--quiet"] + list(args),
                         env=ENV, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    time.sleep(rnd.uniform(0, maxwait))
    p.send_signal(signal.SIGKILL)
    p.wait()
    count("killed-" + args[0])
    if args[0] == "merge" and store == "st":
        global merge_killed
        merge_killed = time.time()


def chain():
    for i in range(NC):
        if stop.is_set():
            break
        src = "in/c%02d.jsonl" % i
        shutil.copy(src, "logs/.c%02d.part" % i)
        placed.append((i, time.time()))  # before: a run may ingest it at once
        os.rename("logs/.c%02d.part" % i, "logs/c%02d.jsonl" % i)
        while True:
            if rnd.random() < 0.15:
                killed(["ingest", "logs/c%02d.jsonl" % i], maxwait=0.4)
            rc, _, err, _ = br("--quiet", "ingest", "logs/c%02d.jsonl" % i)
            if writer_ok("ingest c%02d" % i, rc, err):
                chain_done.append((i, time.time()))
                count("chain-ok")
                break
            count("chain-75" if rc == 75 else "chain-bad")
            if rc != 75:
                break
            time.sleep(rnd.uniform(0, 0.05))
        if i % 5 == 4:
            rc, _, err, _ = br("--quiet", "compact")
            writer_ok("compact (chain)", rc, err)
        time.sleep(rnd.uniform(0, 0.3))
    stop.set()


def runner():
    while not stop.is_set():
        time.sleep(rnd.uniform(0, 0.5))
        if rnd.random() < 0.2:
            killed(["--config", "burnrate.conf", "run", "--as-of", "2025-10-31"])
        rc, _, err, _ = br("--config", "burnrate.conf", "--quiet", "run",
                           "--as-of", "2025-10-31")
        count("run-%d" % rc)
        writer_ok("run", rc, err)


def until_done(key, what, args, pause, kill=0.0, on_kill=None):
    """Runs burnrate ARGS (after a pause of up to PAUSE s; first killed
    at a random moment with probability KILL, then ON_KILL called) until
    it is not locked out: its start time when it succeeded, None when it
    failed or the test ended first."""
    while not stop.is_set():
        time.sleep(rnd.uniform(0, pause))
        if rnd.random() < kill:
            killed(args)
            if on_kill:
                on_kill()
        t0 = time.time()
        rc, _, err, _ = br("--quiet", *args)
        count("%s-%d" % (key, rc))
        if writer_ok(what, rc, err):
            return t0
        if rc != 75:
            return None
    return None


def intruder():
    for i in range(NX):
        if until_done("x", "ingest x%02d" % i,
                      ["ingest", "in/x%02d.jsonl" % i], 0.4) is not None:
            x_done.append(i)


def backfill():
    for k in range(NB):
        t0 = until_done("bf", "backfill b%02d" % k,
                        ["ingest", "--source", "bf", "--replace",
                         "2025-10-10..2025-10-14", "in/b%02d.jsonl" % k],
                        0.6, kill=0.2, on_kill=lambda: b_killed.append(k))
        if t0 is not None:
            b_done.append((k, t0, time.time()))


def remote_writer():
    for k in range(NR):
        for src in ("ra", "rb"):
            while True:
                rc, _, err, _ = br("--quiet", "ingest", "--source", src,
                                   "in/%s%02d.jsonl" % (src, k), store="R")
                if rc == 0:
                    break
                if rc != 75:
                    problem("ingest into R: %d %s" % (rc, err))
                    break
            time.sleep(rnd.uniform(0, 0.5))
        if k % 2 == 1:
            rc, _, err, _ = br("--quiet", "compact", store="R")
            if rc not in (0, 75):
                problem("compact R: %d %s" % (rc, err))
        time.sleep(rnd.uniform(0, 1.5))


def remote():
    wt = threading.Thread(target=remote_writer)
    wt.start()
    for k in range(4 * NR):
        if stop.is_set():
            break
        t0 = until_done("merge", "merge R (%d)" % k, ["merge", "R"], 0.6,
                        kill=0.2)
        if t0 is not None:
            r_merged.append((k, t0, time.time()))
        time.sleep(rnd.uniform(0, 1.0))
    wt.join()
    # the last state of R, merged
    while True:
        rc, _, err, _ = br("--quiet", "merge", "R")
        if rc != 75:
            writer_ok("final merge R", rc, err)
            break


def compactor():
    while not stop.is_set():
        time.sleep(rnd.uniform(0, 1.0))
        if rnd.random() < 0.2:
            killed(["compact"], maxwait=0.5)
        rc, _, err, _ = br("--quiet", "compact")
        count("compact-%d" % rc)
        writer_ok("compact", rc, err)


def check_snapshot(rows, tot, t0, t1, what):
    """rows: agent -> dict of numbers (from the snapshot)."""
    groups = {}
    for a, r in rows.items():
        g = a.split(".")[0]
        groups.setdefault(g, {})[a] = r
    for g, ag in groups.items():
        want = ORACLE_GROUPS.get(g)
        if want is None:
            problem("%s: unknown group %s" % (what, g))
            continue
        if ag != want:
            diff = [(a, ag.get(a), want.get(a)) for a in sorted(set(ag) | set(want))
                    if ag.get(a) != want.get(a)][:3]
            problem("%s: group %s is not whole: %s" % (what, g, diff))
    # chain prefix
    cs = sorted(int(g[1:]) for g in groups if g.startswith("c"))
    m = len(cs)
    if cs != list(range(m)):
        problem("%s: chain groups not a prefix: %s" % (what, cs))
    lo = len([1 for i, t in list(chain_done) if t < t0])
    hi = len([1 for i, t in list(placed) if t < t1])
    if not lo <= m <= hi:
        problem("%s: %d chain inputs visible, want %d..%d" % (what, m, lo, hi))
    # backfill: at most one b group visible, the newest one completed
    bs = sorted(int(g[1:]) for g in groups if g.startswith("b"))
    if len(bs) > 1:
        problem("%s: several backfills visible at once: %s" % (what, bs))
    done_before = [k for k, a, b in list(b_done) if b < t0]
    if done_before and (not bs or bs[0] < max(done_before)):
        problem("%s: backfill %s visible, b%02d was done before" % (what, bs, max(done_before)))
    # remote: ra and rb move together (a merge group)
    ra = sorted(int(g[2:]) for g in groups if g.startswith("ra"))
    rb = sorted(int(g[2:]) for g in groups if g.startswith("rb"))
    # R's states: (0,0) (1,0) (1,1) (2,1) ...: ra_k is ingested before rb_k
    if ra != list(range(len(ra))) or rb != list(range(len(rb))) or \
            len(ra) - len(rb) not in (0, 1):
        problem("%s: merged sources in a state R never had: ra %s rb %s" % (what, ra, rb))
    # totals
    for k in ("requests", "input_tokens", "output_tokens", "cache_read_tokens"):
        s = sum(r[k] for r in rows.values())
        if tot is not None and tot[k] != s:
            problem("%s: totals %s %d != rows' sum %d" % (what, k, tot[k], s))
    if tot is not None:
        s = sum(r["cost_usd"] for r in rows.values())
        if abs(tot["cost_usd"] - s) > 0.5e-6 * (len(rows) + 1):
            problem("%s: totals cost %s != rows' sum %s" % (what, tot["cost_usd"], s))


NUM = ("requests", "input_tokens", "output_tokens", "cache_read_tokens")


def parse_json(out):
    j = json.loads(out)
    rows = {}
    for r in j["rows"]:
        if r["agent"] in rows:
            return None, None
        rows[r["agent"]] = {k: r[k] for k in NUM}
        rows[r["agent"]]["cost_usd"] = round(r["cost_usd"], 6)
    tot = {k: j["totals"][k] for k in NUM}
    tot["cost_usd"] = j["totals"]["cost_usd"]
    return rows, tot


def parse_csv(out):
    rows = {}
    for r in csv.DictReader(io.StringIO(out.decode())):
        rows[r["agent"]] = {k: int(r[k]) for k in NUM}
        rows[r["agent"]]["cost_usd"] = round(float(r["cost_usd"]), 6)
    return rows, None


def parse_xlsx(out, what):
    """The Rows sheet, and every sheet of totals summing to the same."""
    try:
        import openpyxl
    except ImportError:
        return None, None
    wb = openpyxl.load_workbook(io.BytesIO(out), read_only=True)
    rows = {}
    it = wb["Rows"].iter_rows(values_only=True)
    head = next(it)
    for v in it:
        r = dict(zip(head, v))
        rows[r["agent"]] = {k: r[k] for k in NUM}
        rows[r["agent"]]["cost_usd"] = round(r["cost_usd"], 6)
    want = sum(r["requests"] for r in rows.values())
    for sheet in ("Daily", "By provider", "By model", "By agent"):
        it = wb[sheet].iter_rows(values_only=True)
        head = next(it)
        got = sum(dict(zip(head, v))["requests"] or 0 for v in it)
        if got != want:
            problem("%s: sheet %s counts %d requests, Rows %d" % (what, sheet, got, want))
    return rows, None


Q = ["--as-of", "2025-10-31", "--month", "2025-10", "--by", "agent"]


def reader(n):
    fmts = ["json", "csv", "table", "html", "prom", "xlsx", "verify",
            "check", "prices", "json-out", "runreport", "dry-run"]
    while not stop.is_set():
        f = rnd.choice(fmts)
        t0 = time.time()
        if f == "verify":
            rc, out, err, dt = br("verify", timeout=60)
            count("verify-%d" % rc)
            if rc == 75 and b"merge" in err:
                continue
            # A merge killed while it published its group leaves the
            # group short until it is run again (up to 0.6 s later,
            # until_done's pause): verify says so, exit 1, as it should.
            if rc == 1 and b"that did not end" in err and \
                    t0 - merge_killed < 2.0:
                continue
            if rc != 0:
                problem("verify: exit %d: %s" % (rc, err[-400:]))
            continue
        if f == "runreport":
            for e in os.listdir("reports"):
                if e.startswith("burnrate-") and e.endswith(".json"):
                    try:
                        json.load(open("reports/" + e))
                    except FileNotFoundError:
                        pass
                    except Exception as x:
                        problem("run's report %s: %s" % (e, x))
            count("runreport")
            continue
        if f == "dry-run":
            # a backfill's preview: a reader, never 75
            rc, out, err, dt = br("ingest", "--source", "bf", "--replace",
                                  "2025-10-10..2025-10-14", "--dry-run",
                                  "in/b%02d.jsonl" % rnd.randrange(NB),
                                  timeout=60)
            count("dry-run-%d" % rc)
            if rc != 0 or not out.startswith(b"dry run: the backfill of "):
                problem("backfill dry run: exit %d: %s %s" % (rc, out[:200], err[-400:]))
            continue
        if f == "check":
            rc, out, err, dt = br("check", "--baseline", "base.json",
                                  "in/x00.jsonl", timeout=60)
            count("check-%d" % rc)
            if rc != 0:
                problem("check: exit %d: %s" % (rc, err[-400:]))
            continue
        if f == "prices":
            rc, out, err, dt = br("prices", "check", timeout=60)
            count("prices-%d" % rc)
            if rc != 0:
                problem("prices check: exit %d: %s" % (rc, err[-300:]))
            continue
        if f == "json-out":
            path = "reports/human-%d.json" % n
            rc, out, err, dt = br("report", *Q, "--format", "json", "--output",
                                  path, timeout=60)
            fmt = "json"
            out = open(path, "rb").read() if rc == 0 else b""
        else:
            args = Q if f != "prom" else ["--as-of", "2025-10-31"]
            rc, out, err, dt = br("report", *args, "--format", f, timeout=60)
            fmt = f
        t1 = time.time()
        count("report-%s-%d" % (f, rc))
        warn = [l for l in err.splitlines() if not l.startswith(b"burnrate: warning: ")
                or b"without a price" not in l]
        if rc != 0 or warn:
            problem("report %s: exit %d: %s" % (f, rc, err[-400:]))
            continue
        if fmt == "json":
            rows, tot = parse_json(out)
            if rows is None:
                problem("report json: an agent twice")
                continue
        elif fmt == "csv":
            rows, tot = parse_csv(out)
        elif fmt == "xlsx":
            rows, tot = parse_xlsx(out, "report xlsx")
            if rows is None:
                continue
        else:
            if not out:
                problem("report %s: empty" % f)
            continue
        check_snapshot(rows, tot, t0, t1, "report %s [%.3f..%.3f]" % (f, t0, t1))


# ---------------------------------------------------- oracle groups
def oracle_groups():
    shutil.rmtree("og", ignore_errors=True)
    br("init", store="og")
    files = (["in/c%02d.jsonl" % i for i in range(NC)] +
             ["in/x%02d.jsonl" % i for i in range(NX)] +
             ["in/b%02d.jsonl" % i for i in range(NB)] +
             ["in/ra%02d.jsonl" % i for i in range(NR)] +
             ["in/rb%02d.jsonl" % i for i in range(NR)])
    rc, out, err, _ = br("--quiet", "ingest", *files, store="og")
    assert rc == 0, err
    rc, out, err, _ = br("report", *Q, "--format", "json", store="og")
    rows, _ = parse_json(out)
    g = {}
    for a, r in rows.items():
        g.setdefault(a.split(".")[0], {})[a] = r
    return g


ORACLE_GROUPS = oracle_groups()

t_start = time.time()
threads = [threading.Thread(target=f) for f in
           (chain, runner, intruder, backfill, remote, compactor)]
threads += [threading.Thread(target=reader, args=(i,)) for i in range(3)]
for t in threads:
    t.start()
deadline = t_start + SECONDS
while not stop.is_set() and time.time() < deadline:
    time.sleep(0.2)
stop.set()
for t in threads:
    t.join(timeout=180)
    if t.is_alive():
        problem("an actor did not end")

# ------------------------------------------------------ final checks
leftover = []
for d in ("st/segments", "st", "st/notify", "reports", TMPD, "logs"):
    if os.path.isdir(d):
        leftover += [os.path.join(d, e) for e in os.listdir(d)
                     if ".tmp" in e or e.startswith("burnrate-check-") or
                     e.endswith(".part")]
if leftover:
    problem("left behind: %s" % leftover)
import fcntl
fd = os.open("st/lock", os.O_RDWR)
try:
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
except OSError:
    problem("the lock is still held")
os.close(fd)

# the chain's file placed last, if stopped before it was ingested
for i, _ in placed:
    if i not in [j for j, _ in chain_done]:
        rc, _, err, _ = br("--quiet", "ingest", "logs/c%02d.jsonl" % i)
        if rc:
            problem("ingest c%02d after the actors: %d %s" % (i, rc, err))
        chain_done.append((i, time.time()))

# sequential oracle: the same completed writes one by one into a fresh store
shutil.rmtree("seq", ignore_errors=True)
br("init", store="seq")
cdone = sorted(i for i, _ in chain_done)
for i in cdone:
    rc, _, err, _ = br("--quiet", "ingest", "in/c%02d.jsonl" % i, store="seq")
    assert rc == 0, err
for i in sorted(x_done):
    br("--quiet", "ingest", "in/x%02d.jsonl" % i, store="seq")
for k, _, _ in sorted(b_done, key=lambda b: b[2]):
    br("--quiet", "ingest", "--source", "bf", "--replace",
       "2025-10-10..2025-10-14", "in/b%02d.jsonl" % k, store="seq")
if r_merged:
    last = NR - 1
    shutil.rmtree("R2", ignore_errors=True)
    br("init", store="R2")
    for k in range(last + 1):
        for src in ("ra", "rb"):
            br("--quiet", "ingest", "--source", src,
               "in/%s%02d.jsonl" % (src, k), store="R2")
    rc, _, err, _ = br("--quiet", "merge", "R2", store="seq")
    assert rc == 0, err
full = ["--as-of", "2025-10-31", "--month", "2025-10", "--by",
        "day,provider,model,agent,label", "--format", "csv"]
a = br("report", *full)[1]
b = br("report", *full, store="seq")[1]
# A backfill killed after it published, whose reruns the end of the test
# cut short, is in the store: the last one started, if it never ended.
last_bf = b_killed[-1] if b_killed else None
if a != b and last_bf is not None and last_bf not in [k for k, _, _ in b_done]:
    br("--quiet", "ingest", "--source", "bf", "--replace",
       "2025-10-10..2025-10-14", "in/b%02d.jsonl" % last_bf, store="seq")
    b = br("report", *full, store="seq")[1]
    count("oracle-killed-backfill")
if a != b:
    problem("final store != sequential oracle (%d vs %d bytes)" % (len(a), len(b)))
rc, _, err, _ = br("verify")
if rc:
    problem("final verify: %d %s" % (rc, err))
br("--quiet", "compact")
if br("report", *full)[1] != b:
    problem("after a final compact: != oracle")
print("seed %d, %d records an input" % (SEED, NREC))
print("elapsed %.1f s; chain %d/%d; x %d; bf %d; merges %d" % (
    time.time() - t_start, len(chain_done), NC, len(x_done), len(b_done),
    len(r_merged)))
print(json.dumps(dict(sorted(stats.items()))))
print("problems: %d" % len(problems))
sys.exit(1 if problems else 0)
