#!/bin/sh
# formats.sh - every sample of shared/formats/ (copied into tests/formats/)
# is detected as its format and gives the totals checked in under
# tests/formats/expected/ (written by tests/oracle.py --format, whose
# readers in tests/formats_oracle.py follow the format documentation, not
# the C code; reviewed by hand: docs/FORMATS.md). The oracle must still
# agree today, a forced --format gives the same report, and a file whose
# format cannot be told fails by name.
. "$(dirname "$0")/common.inc"
cd "$tmp"
dir=$root/tests/formats
asof=2099-12-31
by=day,provider,model,agent
while read -r file format; do
	store=s-$file
	"$BURNRATE" --verbose --store "$store" ingest "$dir/$file" >/dev/null 2>ingest.err ||
		fail "$file: ingest exited $?: $(cat ingest.err)"
	grep -q "$file: $format format" ingest.err ||
		fail "$file: not detected as $format: $(grep format ingest.err)"
	"$BURNRATE" --store "$store" report --by $by --as-of $asof --format json \
		--output "$file.json" || fail "$file: report exited $?"
	oracle compare --expected "$dir/expected/$file.json" --report "$file.json" \
		>cmp.out 2>&1 || { cat cmp.out >&2; fail "$file: totals differ from the checked-in expectation"; }
	oracle expect --format "$format" --by $by --as-of $asof "$dir/$file" >now.json ||
		fail "$file: the oracle failed"
	oracle compare --expected now.json --report "$file.json" >cmp.out 2>&1 ||
		{ cat cmp.out >&2; fail "$file: burnrate and the oracle disagree"; }
	# Forced format, and gzip-compressed: the same report.
	gzip -n -c "$dir/$file" >"$file.gz"
	"$BURNRATE" --quiet --store "f-$file" ingest --format "$format" "$file.gz" 2>/dev/null ||
		fail "$file: ingest --format $format exited $?"
	"$BURNRATE" --store "f-$file" report --by $by --as-of $asof --format csv >forced.csv
	"$BURNRATE" --store "$store" report --by $by --as-of $asof --format csv >auto.csv
	cmp -s forced.csv auto.csv || fail "$file: --format $format of the .gz differs from auto-detection"
done <<EOF
anthropic_messages.jsonl anthropic
bedrock_invocation_logs.jsonl bedrock
claude_code_legacy_costusd.jsonl claude-code
claude_code_session.jsonl claude-code
gemini_generate_content.jsonl gemini
helicone_requests.csv helicone
helicone_requests.jsonl helicone
langfuse_observations.csv langfuse
litellm_spend_logs.csv litellm
openai_chat_completions.jsonl openai
openai_org_usage_completions.jsonl openai-usage
openai_responses.jsonl openai
EOF

# Claude Code: streamed copies of one message count once with the final
# usage, sidechain replays and synthetic placeholders are left out.
"$PYTHON" -c '
import json, sys
d = json.load(open(sys.argv[1]))
t = d["totals"]
assert t["requests"] == 10 and t["output_tokens"] == 3264, t
assert t["cache_read_tokens"] == 128800 and t["cache_write_1h_tokens"] == 9011, t
' claude_code_session.jsonl.json || fail "claude_code_session: wrong totals"

# The Costs API is not usage: refused by name, counted as rejected.
"$BURNRATE" --store costs ingest --rejects costs.rej "$dir/openai_org_costs.jsonl" >/dev/null 2>&1 ||
	fail "ingest of the costs page exited $?"
grep -q "openai_org_costs.jsonl:1: unsupported result object 'organization.costs.result'" costs.rej ||
	fail "the costs page is not rejected with its reason"

# An input whose format cannot be told fails, named; the others are kept.
echo '{"hello":"world"}' >mystery.jsonl
echo 'a,b,c' >mystery.csv
set +e
"$BURNRATE" --store m ingest mystery.jsonl mystery.csv "$dir/bedrock_invocation_logs.jsonl" >/dev/null 2>m.err
rc=$?
set -e
[ $rc -eq 1 ] || fail "unknown formats: exit $rc, want 1"
grep -q "mystery.jsonl: cannot tell the log format from its first record; name it with --format" m.err &&
	grep -q "mystery.csv: cannot tell the log format from its first line" m.err ||
	fail "unclear message for an unknown format: $(cat m.err)"
n=$("$BURNRATE" --store m report --as-of $asof --format csv | tail -n +2 | wc -l)
[ "$n" -gt 0 ] || fail "the readable input was not kept beside the unknown ones"
set +e
"$BURNRATE" --store m ingest --format nosuch x >/dev/null 2>u.err
rc=$?
set -e
[ $rc -eq 2 ] && grep -q "unknown format 'nosuch'; expected one of auto, generic, openai" u.err ||
	fail "unknown --format: exit $rc, $(cat u.err)"
echo "formats: all checks passed"
