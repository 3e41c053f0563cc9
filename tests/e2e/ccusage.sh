#!/bin/sh
# ccusage.sh - burnrate against ccusage, the tool Claude Code users know, on
# the same generated session directory (tests/cclogs.py): per-day, per-model
# input, output, cache-creation and cache-read tokens must be equal, and
# costs equal to 0.01% when every cache write is a 5-minute one (ccusage
# 18 prices all cache writes at the 5-minute rate, so 1-hour writes are
# left out of the cost comparison; docs/FORMATS.md), fast mode included.
# ccusage 18.0.11 (pure JavaScript) is installed from npm into build/node
# on first use.
. "$(dirname "$0")/common.inc"
ccusage=$root/build/node/node_modules/.bin/ccusage
if [ ! -x "$ccusage" ]; then
	npm install --prefix "$root/build/node" --no-audit --no-fund \
		ccusage@18.0.11 >"$tmp/npm.log" 2>&1 ||
		fail "cannot install ccusage from npm: $(tail -3 "$tmp/npm.log")"
fi
cd "$tmp"
compare() { # TOLERANCE: tokens exactly, costs to TOLERANCE (or not at all)
	CLAUDE_CONFIG_DIR=$tmp/cc "$ccusage" daily --json --offline -z UTC >ccu.json ||
		fail "ccusage exited $?"
	rm -rf s
	"$BURNRATE" --quiet --store s ingest cc || fail "ingest exited $?"
	"$BURNRATE" --store s report --by day,model --as-of 2099-12-31 --format json \
		--output r.json || fail "report exited $?"
	"$PYTHON" "$root/tests/cccompare.py" ccusage ccu.json r.json "$1" ||
		fail "burnrate and ccusage disagree (above)"
}
"$PYTHON" "$root/tests/cclogs.py" --seed 3 --sessions 60 --out cc --no-1h-writes
compare 0.0001
rm -rf cc
"$PYTHON" "$root/tests/cclogs.py" --seed 4 --sessions 60 --out cc
compare -1
# Fast mode (usage.speed "fast"): 6x the price of claude-opus-4-6, under
# the model name "claude-opus-4-6-fast" in both (ccusage names it so).
rm -rf cc
"$PYTHON" "$root/tests/cclogs.py" --seed 5 --sessions 60 --out cc --no-1h-writes --fast
grep -q '"speed":"fast"' -r cc || fail "the generated sessions have no fast-mode message"
compare 0.0001
grep -q '"model": *"claude-opus-4-6-fast"' r.json || fail "no claude-opus-4-6-fast row: $(head -c 300 r.json)"
# A cache_creation breakdown of 0/0 beside cache_creation_input_tokens
# (the billed total): the writes count, as 5-minute ones, as in ccusage
# (which counts the total); they were lost.
rm -rf cc
"$PYTHON" "$root/tests/cclogs.py" --seed 6 --sessions 60 --out cc --no-1h-writes \
	--short-breakdown
grep -q '"cache_creation_input_tokens":[1-9][0-9]*,"cache_read_input_tokens":[0-9]*,"cache_creation":{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":0}' -r cc ||
	fail "the generated sessions have no short breakdown"
compare 0.0001
# A Claude configuration directory, as CLAUDE_CONFIG_DIR names it for
# ccusage: beside projects/, Claude's own files, no logs (the prompt
# history, settings, todo lists, statsig, shell snapshots, IDE locks).
# It is walked as its projects/ only (it failed: "cannot tell the log
# format"), saying so with --verbose, and equals ccusage.
mkdir -p cc/todos cc/statsig cc/shell-snapshots cc/ide
echo '{"display":"fix the bug","pastedContents":{},"timestamp":1759000000000,"project":"/home/dana/src/acme/api"}' >cc/history.jsonl
echo '{"model":"opus","permissions":{"allow":[]}}' >cc/settings.json
echo '[{"content":"x","status":"completed","activeForm":"x"}]' >cc/todos/1111-agent-1111.json
echo '{"feature_gates":{}}' >cc/statsig/statsig.cached.evaluations.json
echo 'export PATH=/usr/bin' >cc/shell-snapshots/snapshot-zsh-1.sh
echo '{"pid":1,"workspaceFolders":[]}' >cc/ide/1234.lock
compare 0.0001
"$BURNRATE" --verbose --store v ingest cc >/dev/null 2>v.err || fail "ingest --verbose exited $?: $(cat v.err)"
grep -q "^burnrate: cc: a Claude configuration directory: only its session logs, cc/projects, are read" v.err ||
	fail "--verbose does not say the configuration directory is read as its projects/: $(head -3 v.err)"
echo "ccusage: all checks passed"
