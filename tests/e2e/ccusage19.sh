#!/bin/sh
# ccusage19.sh - burnrate against ccusage 19.0.3, whose dedupe key falls
# back to message.id when requestId is missing and keeps the largest copy
# of a message across files, on generated session directories
# (tests/cclogs.py): per-day, per-model tokens equal, costs to 0.01% when
# every cache write is a 5-minute one (ccusage 19 prices 1-hour writes at
# the 5-minute rate, as 18 does), fast mode included. Then sessions with
# /btw side questions (--btw): logs under SESSION/subagents/ that replay
# parent messages under new request ids (ccusage issue #913). burnrate
# counts a replay once, as ccusage 20 does: it equals ccusage 19 on the
# same directory without the replayed lines, and ccusage 19 on the whole
# directory less the replays the generator lists (ccusage 19 counts them
# again), whatever --jobs and the order the files are given in.
# ccusage 19.0.3 (pure JavaScript; 20 ships native binaries npm here does
# not carry) is installed from npm into build/node19 on first use; when
# npm cannot, the test says so and is skipped. Its launcher wants Node.js
# 22; its dist/main.node.js is run with the node there is.
. "$(dirname "$0")/common.inc"
dir=$root/build/node19
main=$dir/node_modules/ccusage/dist/main.node.js
if [ ! -f "$main" ]; then
	if ! npm install --prefix "$dir" --no-audit --no-fund \
		ccusage@19.0.3 >"$tmp/npm.log" 2>&1 || [ ! -f "$main" ]; then
		echo "ccusage19: SKIPPED: cannot install ccusage@19.0.3 from npm: $(tail -3 "$tmp/npm.log")" >&2
		exit 0
	fi
fi
[ "$(node "$main" --version)" = 19.0.3 ] || fail "ccusage --version: $(node "$main" --version 2>&1)"
cd "$tmp"
# compare DIR TOLERANCE [REPLAYS]: burnrate on cc against ccusage 19 on
# DIR, tokens exactly, costs to TOLERANCE (negative: not compared), less
# the tokens of REPLAYS (cclogs.py --btw) when given.
compare() {
	CLAUDE_CONFIG_DIR=$tmp/$1 node "$main" claude daily --json --offline -z UTC \
		>ccu.json || fail "ccusage exited $?"
	"$PYTHON" "$root/tests/cccompare.py" "ccusage 19" ccu.json r.json "$2" ${3:+"$3"} ||
		fail "burnrate and ccusage 19 disagree (above)"
}
report() { # [INGEST ARGS...]: burnrate's report of its input, into r.json
	rm -rf s
	"$BURNRATE" --quiet --store s ingest "$@" || fail "ingest exited $?"
	"$BURNRATE" --store s report --by day,model --as-of 2099-12-31 --format json \
		--output r.json || fail "report exited $?"
}
"$PYTHON" "$root/tests/cclogs.py" --seed 3 --sessions 60 --out cc --no-1h-writes
report cc
compare cc 0.0001
rm -rf cc
"$PYTHON" "$root/tests/cclogs.py" --seed 4 --sessions 60 --out cc
report cc
compare cc -1
rm -rf cc
"$PYTHON" "$root/tests/cclogs.py" --seed 5 --sessions 60 --out cc --no-1h-writes --fast
report cc
compare cc 0.0001

# /btw side questions. Their logs' replays of the parent's messages
# counted again: 16-23% more output tokens on these sessions (ccusage 19,
# as burnrate did).
for seed in 7 8; do
	rm -rf cc plain
	"$PYTHON" "$root/tests/cclogs.py" --seed $seed --sessions 60 --out cc \
		--no-1h-writes --btw replays.json
	ls cc/projects/*/*/subagents/agent-*.jsonl >/dev/null ||
		fail "the generated sessions have no side question"
	grep -q '"tokens"' replays.json || fail "the side questions replay nothing"
	# The same directory without the replays: the sidechain lines of a
	# message.id a main line has (an independent reading of the rule).
	"$PYTHON" - <<'EOF'
import glob, json, os, shutil
shutil.copytree("cc", "plain")
files = sorted(glob.glob("plain/projects/**/*.jsonl", recursive=True))
lines = {f: [json.loads(l) for l in open(f)] for f in files}
main = {(d.get("message") or {}).get("id") for f in files for d in lines[f]
        if d.get("type") == "assistant" and not d.get("isSidechain")}
for f in files:
    with open(f, "w") as out:
        for d in lines[f]:
            if not (d.get("isSidechain") and
                    (d.get("message") or {}).get("id") in main):
                out.write(json.dumps(d, separators=(",", ":")) + "\n")
EOF
	report --jobs 1 cc
	compare plain 0.0001
	compare cc -1 replays.json
	cp r.json r1.json
	for j in 2 4; do
		report --jobs $j cc
		cmp -s r.json r1.json || fail "--jobs $j: another report than --jobs 1"
	done
	# The files given one by one, each subagent's log before its
	# session's: a replay read first counts and its parent's copy is
	# dropped (the first file's copy counts); the totals are the same,
	# their days may be the replays'.
	find cc/projects -name '*.jsonl' | sort -r >files
	report --jobs 2 $(cat files)
	"$PYTHON" - <<'EOF' || fail "files in reverse order: other totals"
import json, sys
a, b = (json.load(open(f))["totals"] for f in ("r1.json", "r.json"))
a.pop("cost_usd"); b.pop("cost_usd")
sys.exit(0 if a == b else print(a, b) or 1)
EOF
	# One archive of the directory: its members, in the archive's order.
	tar -cf cc.tar cc
	report cc.tar
	"$PYTHON" - <<'EOF' || fail "the directory as a tar: other totals"
import json, sys
a, b = (json.load(open(f))["totals"] for f in ("r1.json", "r.json"))
a.pop("cost_usd"); b.pop("cost_usd")
sys.exit(0 if a == b else print(a, b) or 1)
EOF
done
echo "ccusage19: all checks passed"
