"""outlook_oracle.py - checks report's month projection and budget figures
against an independent computation (DESIGN §6, docs/FORECAST.md
"Budgets"), over random logs in a time zone with DST.

Usage: outlook_oracle.py BURNRATE WORKDIR SEED ZONE

Logs of generic JSONL with logged costs of whole micro-dollars (so that
every amount is exact in the JSON), many of them just after or before
local midnight, starting on the first of a month or the last day of
one, sometimes with a stretch of days without data across a DST change,
go into a store in ZONE. For --as-of on first and last days of months,
DST days, a day before any data and days after the last, the report
must give: the month (of --as-of) and its exact month to date, by the
zone's calendar days; month_to_date <= low <= projected <= high, all
equal on the month's last day; for each budget (daily, weekly ISO
Monday to Sunday, monthly; scope * or agent=a; forecast yes or no) its
period, exact spend, utilization_pct rounded to nearest but never up to
75/90/100 before spend reaches it, threshold_crossed, status (exceeded,
critical from 90% or a projection above the limit with forecast yes,
warning from 75%) and runs_out (the day spend reached the limit, else
the first day k ahead with spent + k x (projected - spent) / days left
>= limit, within the period). The projection itself is an estimate:
only its bounds and its order are checked, not its method."""
import json, random, subprocess, sys, datetime as dt, os
from decimal import Decimal as D, ROUND_HALF_UP
from fractions import Fraction as F
from zoneinfo import ZoneInfo

B = sys.argv[1]; work = sys.argv[2]; seed = int(sys.argv[3]); tzname = sys.argv[4]
rng = random.Random(seed)
tz = ZoneInfo(tzname)
os.makedirs(work, exist_ok=True)
recs = []
start = rng.choice([dt.datetime(2025, 9, 20, tzinfo=dt.timezone.utc),
                   dt.datetime(2025, 10, 1, 4, tzinfo=dt.timezone.utc),
                   dt.datetime(2025, 11, 1, 4, tzinfo=dt.timezone.utc),
                   dt.datetime(2025, 11, 30, 4, tzinfo=dt.timezone.utc)])
ndays = rng.choice([1, 3, 20, 60, 75])
gap = rng.random() < 0.3  # no data in a stretch
for i in range(rng.randint(50, 400)):
    t = start + dt.timedelta(seconds=rng.randrange(ndays * 86400))
    if gap and dt.datetime(2025, 10, 25, tzinfo=dt.timezone.utc) <= t < dt.datetime(2025, 11, 4, tzinfo=dt.timezone.utc):
        continue
    # near local midnight often
    if rng.random() < 0.3:
        loc = t.astimezone(tz)
        loc = loc.replace(hour=rng.choice([0, 23]), minute=rng.randrange(60))
        t = loc.astimezone(dt.timezone.utc)
    cost = D(rng.randrange(1, 3_000_000)) / D(10**6)
    agent = rng.choice(["a", "b"])
    recs.append((t, agent, cost))
with open(f"{work}/log.jsonl", "w") as o:
    for i, (t, agent, cost) in enumerate(recs):
        o.write(json.dumps({"timestamp": t.strftime("%Y-%m-%dT%H:%M:%SZ"), "provider": "openai",
                            "model": "gpt-4o", "agent": agent, "request_id": f"r{i}",
                            "usage": {"input_tokens": 1, "output_tokens": 1},
                            "cost_usd": float(cost)}) + "\n")
store = f"{work}/store"
subprocess.run(["rm", "-rf", store], check=True)
subprocess.run([B, "--quiet", "--store", store, "init", "--timezone", tzname], check=True)
subprocess.run([B, "--quiet", "--store", store, "ingest", f"{work}/log.jsonl"], check=True)
budgets = []
lines = ["name,scope,period,limit_usd,thresholds,forecast,recipients"]
for k in range(6):
    period = ["daily", "weekly", "monthly"][k % 3]
    scope = rng.choice(["*", "agent=a"])
    limit = D(rng.randrange(1, 40_000_000)) / D(10**6)
    fc = rng.choice(["yes", "no"])
    budgets.append((f"b{k}", scope, period, limit, fc == "yes"))
    lines.append(f"b{k},{scope},{period},{limit},,{fc},x@example.com")
open(f"{work}/budgets.csv", "w").write("\n".join(lines) + "\n")

def local_day(t):
    return t.astimezone(tz).date()

def period_range(p, d):
    if p == "daily":
        return d, d
    if p == "weekly":
        s = d - dt.timedelta(days=d.weekday())
        return s, s + dt.timedelta(days=6)
    s = d.replace(day=1)
    e = (s + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return s, e

def util_pct(spent, limit):
    u = F(spent) * 100 / F(limit)
    q = (abs(u) * 100 + F(1, 2)).__floor__() * (1 if u >= 0 else -1)
    for bound in (75, 90, 100):
        if u < bound and q >= bound * 100:
            q = bound * 100 - 1
    return D(q) / 100

errors = []
def want(cond, what):
    if not cond:
        errors.append(what)

as_ofs = [dt.date(2025, 10, 1), dt.date(2025, 10, 31), dt.date(2025, 11, 1),
          dt.date(2025, 11, 2), dt.date(2025, 11, 3), dt.date(2025, 11, 30),
          dt.date(2025, 12, 1), dt.date(2025, 12, 20), dt.date(2025, 9, 19),
          dt.date(2025, 10, 26), dt.date(2025, 3, 9)]
for a in as_ofs:
    out = subprocess.run([B, "--store", store, "report", "--as-of", a.isoformat(),
                          "--budgets", f"{work}/budgets.csv", "--format", "json"],
                         capture_output=True, text=True)
    if out.returncode != 0:
        errors.append(f"{a}: exit {out.returncode}: {out.stderr}")
        continue
    r = json.loads(out.stdout, parse_float=D)
    p = r["projection"]
    ms, me = period_range("monthly", a)
    mtd = sum((c for t, _, c in recs if ms <= local_day(t) <= a), D(0))
    want(p["month"] == a.strftime("%Y-%m"), f"{a}: month {p['month']}")
    want(p["month_to_date_usd"] == mtd, f"{a}: mtd {p['month_to_date_usd']} want {mtd}")
    want(mtd <= p["low_usd"] <= p["projected_usd"] <= p["high_usd"], f"{a}: order {p}")
    if a == me:
        want(p["low_usd"] == p["projected_usd"] == p["high_usd"] == mtd, f"{a}: month end {p}")
    for (name, scope, period, limit, fc), bj in zip(budgets, r["budgets"]):
        s, e = period_range(period, a)
        sel = [(t, c) for t, ag, c in recs if scope == "*" or ag == "a"]
        spent = sum((c for t, c in sel if s <= local_day(t) <= a), D(0))
        tag = f"{a} {name} {period} {scope} {limit}"
        want(bj["period_start"] == s.isoformat() and bj["period_end"] == e.isoformat(), f"{tag}: range {bj}")
        want(bj["spent_usd"] == spent, f"{tag}: spent {bj['spent_usd']} want {spent}")
        want(bj["limit_usd"] == limit, f"{tag}: limit")
        proj = bj["projected_usd"]
        want(spent <= bj["low_usd"] <= proj <= bj["high_usd"], f"{tag}: order {bj}")
        if a == e:
            want(bj["low_usd"] == proj == bj["high_usd"] == spent, f"{tag}: period end {bj}")
        want(bj["utilization_pct"] == util_pct(spent, limit), f"{tag}: util {bj['utilization_pct']} want {util_pct(spent, limit)}")
        crossed = max([t for t in (50, 75, 90, 100) if spent * 100 >= limit * t], default=0)
        want(bj["threshold_crossed"] == crossed, f"{tag}: crossed {bj['threshold_crossed']} want {crossed}")
        status = ("exceeded" if spent >= limit else
                  "critical" if spent * 100 >= limit * 90 or (fc and proj > limit) else
                  "warning" if spent * 100 >= limit * 75 else "ok")
        want(bj["status"] == status, f"{tag}: status {bj['status']} want {status} ({bj})")
        # runs_out
        ro = None
        run = D(0)
        d = s
        while d <= a:
            run += sum((c for t, c in sel if local_day(t) == d), D(0))
            if run >= limit:
                ro = d
                break
            d += dt.timedelta(days=1)
        if ro is None:
            left = (e - a).days
            rest = proj - spent
            if left > 0 and rest > 0:
                k = -((-F(limit - spent) * left) // F(rest))  # ceil
                if k <= left:
                    ro = a + dt.timedelta(days=k)
        want(bj["runs_out"] == (ro.isoformat() if ro else None), f"{tag}: runs_out {bj['runs_out']} want {ro}")
if errors:
    print(f"seed {seed} {tzname}: {len(errors)} problems")
    for e in errors[:15]:
        print("  ", e)
    sys.exit(1)
print(f"seed {seed} {tzname}: ok")
