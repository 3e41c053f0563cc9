#!/usr/bin/env python3
"""cccompare.py - burnrate's report by day and model (REPORT, JSON) against
ccusage's daily JSON (CCUSAGE: `ccusage daily --json` of 18, `ccusage
claude daily --json` of 19): per-day, per-model input, output,
cache-creation and cache-read tokens equal, costs to TOLERANCE (a
fraction; negative: not compared). With LESS (cclogs.py --btw's list of
replays by day and model), ccusage's tokens less those. Prints the
differences and a count; exits 1 on any, or fewer than 10 rows compared.

Usage: cccompare.py NAME CCUSAGE REPORT TOLERANCE [LESS]
"""
import json
import sys


def main():
    name, ccu, rep, tol = sys.argv[1:5]
    tol = float(tol)
    less = {}
    if len(sys.argv) > 5:
        for x in json.load(open(sys.argv[5])):
            less[(x["day"], x["model"])] = x["tokens"]
    c = json.load(open(ccu))
    r = json.load(open(rep))
    ours = {(x["day"], x["model"]): x for x in r["rows"]}
    seen, bad = 0, 0
    for d in c["daily"]:
        for m in d["modelBreakdowns"]:
            k = (d["date"], m["modelName"])
            o = ours.pop(k, None)
            theirs = [m["inputTokens"], m["outputTokens"],
                      m["cacheCreationTokens"], m["cacheReadTokens"]]
            theirs = [a - b for a, b in zip(theirs, less.pop(k, [0] * 4))]
            if o is None:
                # (a row all of whose tokens are replays burnrate drops)
                if any(theirs) or len(sys.argv) <= 5:
                    print("burnrate lacks", k, theirs)
                    bad += 1
                continue
            mine = [o["input_tokens"], o["output_tokens"],
                    o["cache_write_tokens"], o["cache_read_tokens"]]
            if mine != theirs:
                print("tokens", k, mine, theirs)
                bad += 1
            if tol >= 0 and abs(o["cost_usd"] - m["cost"]) > tol * m["cost"]:
                print("cost", k, o["cost_usd"], m["cost"])
                bad += 1
            seen += 1
    for k in ours:
        print("ccusage lacks", k)
        bad += 1
    for k in less:
        print("replays on a day and model ccusage does not have", k)
        bad += 1
    print("%s: %d day/model rows compared, %d differences" % (name, seen, bad))
    sys.exit(1 if bad or seen < 10 else 0)


if __name__ == "__main__":
    main()
