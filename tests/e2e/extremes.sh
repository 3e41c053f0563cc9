#!/bin/sh
# extremes.sh - what only large logs reach, against totals computed here:
# an OpenAI usage page whose rows' request counts pass 2^64 inside one
# aggregate (saturated at 2^64 - 1, exactly; below it, exact), past the
# 8,191 small adds a row takes without bounds (reduce/agg.c, red_row.room:
# a copy of it allowing 2^40 adds wrapped to 130604389193727884); and
# 800,000 request ids, 400,000 short then 400,000 of 98 bytes, 30% of them
# repeated, which outgrow the id set's slot tags (ingest/idset.c, widen: a
# copy that never widens kept 814,190 requests, not 800,000). Both found by
# helper 183 (stop 43): no earlier log reached either.
. "$(dirname "$0")/common.inc"
cd "$tmp"

# One page (one record), one bucket: one model's row takes 16,500 results
# of 2^50 - 1 requests (its sum passes 2^64 after 16,384), another's 8,000
# (below 2^64), interleaved, so that each row's adds run past its room;
# each result its own user's (the same result twice is a repeat) with one
# API key (the agent: one row).
"$PYTHON" - <<'EOF'
import json
big = 2**50 - 1
results = []
for i in range(16500):
    for model, n in (("gpt-4o-2024-08-06", 16500), ("gpt-4.1-2025-04-14", 8000)):
        if i < n:
            results.append({"object": "organization.usage.completions.result",
                            "input_tokens": 1, "output_tokens": 1,
                            "num_model_requests": big, "project_id": "p",
                            "user_id": "u%d" % i, "api_key_id": "k",
                            "model": model, "batch": False,
                            "input_cached_tokens": 0,
                            "input_audio_tokens": 0,
                            "output_audio_tokens": 0})
page = {"object": "page", "data": [{"object": "bucket",
        "start_time": 1756512000, "end_time": 1756598400,
        "results": results}]}
open("page.jsonl", "w").write(json.dumps(page, separators=(",", ":")) + "\n")
with open("page.want", "w") as f:
    f.write("gpt-4.1-2025-04-14,%d\n" % (8000 * big))
    f.write("gpt-4o-2024-08-06,%d\n" % min(16500 * big, 2**64 - 1))
EOF
for jobs in 1 2; do
	rm -rf s
	"$BURNRATE" --quiet --store s ingest --jobs "$jobs" page.jsonl 2>err.txt ||
		fail "the usage page, --jobs $jobs: exit $?: $(cat err.txt)"
	"$BURNRATE" --store s report --as-of 2025-12-31 --by model --format csv \
		2>/dev/null | awk -F, 'NR > 1 { print $1 "," $2 }' | sort >page.got
	cmp -s page.want page.got ||
		fail "the usage page, --jobs $jobs: requests $(cat page.got), want $(cat page.want)"
done
echo "ok request counts past 2^64 in one aggregate saturate exactly"

# 400,000 short ids, then 400,000 of 98 bytes; each record repeats an
# earlier id with probability 0.3 (a retry); kept: the distinct ids.
"$PYTHON" - <<'EOF'
import random
rnd = random.Random(43)
ids, rows = [], []
for i in range(800000):
    if ids and rnd.random() < 0.3:
        rid = ids[rnd.randrange(len(ids))]
    else:
        rid = ("s%d" % i) if i < 400000 else ("L%097d" % i)
        ids.append(rid)
    rows.append("2025-10-%02dT12:00:00Z,openai,gpt-4o,%s,10,1\n"
                % (1 + i % 28, rid))
with open("ids.csv", "w") as f:
    f.write("timestamp,provider,model,request_id,input_tokens,output_tokens\n")
    f.writelines(rows)
open("ids.want", "w").write("%d\n" % len(ids))
EOF
for jobs in 1 2; do
	rm -rf s
	"$BURNRATE" --quiet --store s ingest --jobs "$jobs" ids.csv 2>err.txt ||
		fail "800,000 ids, --jobs $jobs: exit $?: $(cat err.txt)"
	"$BURNRATE" --store s report --as-of 2025-12-31 --by month --format csv \
		2>/dev/null | awk -F, 'NR > 1 { n += $2 } END { print n + 0 }' >ids.got
	cmp -s ids.want ids.got ||
		fail "800,000 ids, --jobs $jobs: $(cat ids.got) requests kept, want $(cat ids.want)"
done
echo "ok 800,000 ids of two lengths, 30% repeated, each counted once"
echo "extremes: all checks passed"
