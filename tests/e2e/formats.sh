#!/bin/sh
# formats.sh - every sample of shared/formats/ (copied into samples/formats/)
# is detected as its format and gives the totals checked in under
# tests/formats-expected/ (written by tests/oracle.py --format, whose
# readers in tests/formats_oracle.py follow the format documentation, not
# the C code; reviewed by hand: docs/FORMATS.md). The oracle must still
# agree today, a forced --format gives the same report, and a file whose
# format cannot be told fails by name.
. "$(dirname "$0")/common.inc"
cd "$tmp"
dir=$root/samples/formats
expected=$root/tests/formats-expected
asof=2099-12-31
# oracle_agrees WHAT STORE BY FILE ORACLE-OPTIONS...: STORE's report by BY
# equals tests/oracle.py's count of FILE.
oracle_agrees() {
	what=$1 store=$2 keys=$3 file=$4
	shift 4
	oracle expect "$@" --by "$keys" --as-of $asof "$file" >"$store-oracle.json" ||
		fail "the oracle failed on $what"
	"$BURNRATE" --store "$store" report --as-of $asof --by "$keys" --format json \
		--output "$store.json"
	oracle compare --expected "$store-oracle.json" --report "$store.json" >cmp.out 2>&1 ||
		{ cat cmp.out >&2; fail "$what: burnrate and the oracle disagree"; }
}
# ingest_expect WHAT STORE BY FILE WANT...: FILE ingested into STORE
# gives a report by BY (CSV) holding each WANT line.
ingest_expect() {
	what=$1 store=$2 keys=$3 file=$4
	shift 4
	"$BURNRATE" --quiet --store "$store" ingest "$file" || fail "$what: ingest exited $?"
	"$BURNRATE" --store "$store" report --as-of $asof --by "$keys" --format csv >"$store.csv"
	for want in "$@"; do
		grep -qF "$want" "$store.csv" || fail "$what: want $want: $(cat "$store.csv")"
	done
}
by=day,provider,model,agent
while read -r file format; do
	store=s-$file
	"$BURNRATE" --verbose --store "$store" ingest "$dir/$file" >/dev/null 2>ingest.err ||
		fail "$file: ingest exited $?: $(cat ingest.err)"
	grep -q "$file: $format format" ingest.err ||
		fail "$file: not detected as $format: $(grep format ingest.err)"
	"$BURNRATE" --store "$store" report --by $by --as-of $asof --format json \
		--output "$file.json" || fail "$file: report exited $?"
	oracle compare --expected "$expected/$file.json" --report "$file.json" \
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
openai_org_costs.jsonl openai-usage
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

# The Costs API: money per day and line item, without requests.
"$PYTHON" -c '
import json, sys
t = json.load(open(sys.argv[1]))["totals"]
assert t["requests"] == 0 and t["cost_usd"] == 1144.752983, t
' openai_org_costs.jsonl.json || fail "openai_org_costs: wrong totals"
# Its lines are not requests; --cost-mode calculate, which prices tokens
# only, counts them $0 and says so (it said nothing, and "52 requests kept").
"$BURNRATE" --store costs-calc ingest --cost-mode calculate "$dir/openai_org_costs.jsonl" \
	>calc.out 2>calc.err || fail "calculate on the Costs API exited $?"
grep -q '^ingested 1 input: 1 records, 0 requests kept, 52 cost lines kept$' calc.out ||
	fail "Costs API summary: $(cat calc.out)"
grep -q 'warning: 52 cost lines (OpenAI Costs API) counted as \$0: --cost-mode calculate' calc.err ||
	fail "Costs API under calculate: no warning: $(cat calc.err)"
"$BURNRATE" --store costs-auto ingest "$dir/openai_org_costs.jsonl" >/dev/null 2>auto.err
[ ! -s auto.err ] || fail "Costs API under auto warned: $(cat auto.err)"

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
# The format is told from the first lines, not the first alone: a line of
# garbage, a record cut short or an Excel "sep=," line before the log is
# a rejected record, named, and the rest counts, so is one cut inside an
# array of objects (it begins as a JSON array does, but is none: it was
# "it is a JSON array", the input failed). Ten lines that tell nothing
# fail the input.
rec='{"timestamp":"2025-10-01T00:00:00Z","provider":"openai","model":"gpt-4o","request_id":"r%d","usage":{"input_tokens":1000}}\n'
{ echo 'this is garbage'; printf "$rec" 1 2; } >garbage-first.jsonl
{ printf "$rec" 3 | head -c 50; echo; printf "$rec" 4; } >cut-first.jsonl
{ echo '[{"type":"text","text":"hi"}],"stop_reason":"end_turn"}'; printf "$rec" 9; } >cut-array.jsonl
{ echo 'sep=,'; echo 'timestamp,provider,model,request_id,input_tokens'
  echo '2025-10-01T00:00:00Z,openai,gpt-4o,r5,1000'; } >sep-first.csv
{ for i in 1 2 3 4 5 6 7 8 9 10; do echo "garbage $i"; done; printf "$rec" 6; } >ten.jsonl
set +e
"$BURNRATE" --store d ingest --rejects d.rej garbage-first.jsonl cut-first.jsonl \
	sep-first.csv cut-array.jsonl ten.jsonl >/dev/null 2>d.err
rc=$?
set -e
[ $rc -eq 1 ] || fail "ten undetectable lines: exit $rc, want 1: $(cat d.err)"
grep -q "ten.jsonl: cannot tell the log format from its first 10 lines" d.err ||
	fail "ten undetectable lines: $(cat d.err)"
for w in garbage-first.jsonl:1 cut-first.jsonl:1 cut-array.jsonl:1; do
	grep -q "^$w: cannot tell the log format from it" d.rej ||
		fail "$w is not rejected: $(cat d.rej)"
done
grep -qx "sep-first.csv:1: Excel's separator line, not a CSV header: sep=," d.rej ||
	fail "the sep=, line is not rejected: $(cat d.rej)"
[ "$(grep -vc '^ten.jsonl:' d.rej)" -eq 4 ] || fail "rejects beside the undetected lines: $(cat d.rej)"
[ "$("$BURNRATE" --store d report --as-of $asof --format csv | cut -d, -f2 | tail -n 1)" = 5 ] ||
	fail "the records after the undetected lines were not all counted"
# So is the "sep=," line of a CSV whose format is named: it was taken for
# the header, "none of the columns of a litellm log" (exit 1). Any other
# first line is still the header of the format named.
cp sep-first.csv sep-generic.csv
for f in litellm_spend_logs helicone_requests langfuse_observations generic; do
	fmt=${f%%_*}
	[ $fmt = generic ] || { echo 'sep=,'; cat "$dir/$f.csv"; } >sep-$fmt.csv
	"$BURNRATE" --quiet --store sep-$fmt ingest --format $fmt --rejects sep-$fmt.rej \
		sep-$fmt.csv 2>sep.err || fail "--format $fmt, a sep=, line first: exit $?: $(cat sep.err)"
	grep -qx "sep-$fmt.csv:1: Excel's separator line, not a CSV header: sep=," sep-$fmt.rej ||
		fail "--format $fmt, the sep=, line is not rejected: $(cat sep-$fmt.rej)"
	"$BURNRATE" --quiet --store sep-auto-$fmt ingest sep-$fmt.csv 2>sep.err
	"$BURNRATE" --store sep-$fmt report --as-of $asof --format csv >sep-named.csv
	"$BURNRATE" --store sep-auto-$fmt report --as-of $asof --format csv >sep-auto.csv
	[ "$(wc -l <sep-named.csv)" -gt 1 ] && cmp -s sep-named.csv sep-auto.csv ||
		fail "--format $fmt after a sep=, line: not the detected report: $(cat sep-named.csv)"
done
# A log written as UTF-16 (Windows PowerShell's '>'), with or without a
# byte order mark, fails named as such, whatever --format says: it was
# "cannot tell the log format", "malformed CSV header", or every record
# rejected (exit 0). A vendor CSV format named for a file whose header has
# none of its columns fails as the generic format's without a timestamp
# does: every row was rejected, exit 0. The other inputs are kept.
printf "$rec" 7 >utf8.jsonl
{ printf '\377\376'; iconv -f UTF-8 -t UTF-16LE utf8.jsonl; } >bom.jsonl
iconv -f UTF-8 -t UTF-16LE utf8.jsonl >le.jsonl
printf 'timestamp,provider,model,request_id,input_tokens\n2025-10-01T00:00:00Z,openai,gpt-4o,r8,1000\n' |
	iconv -f UTF-8 -t UTF-16BE >be.csv
for fmt in auto generic openai litellm; do
	must_fail 1 u16.err "$BURNRATE" --store u16-$fmt ingest --format $fmt \
		bom.jsonl le.jsonl be.csv utf8.jsonl
	for f in bom.jsonl le.jsonl be.csv; do
		grep -q "error: $f: cannot read the log: its first line looks like UTF-16 text" u16.err ||
			fail "UTF-16 $f, --format $fmt: $(cat u16.err)"
	done
done
[ "$("$BURNRATE" --store u16-auto report --as-of $asof --format csv | cut -d, -f2 | tail -n 1)" = 1 ] ||
	fail "the UTF-8 log beside the UTF-16 ones was not counted"
# A JSON array of records (an export as one document), on one line, with
# or without a newline, or pretty-printed, fails named as such: it was one
# partial last line left for the next run (exit 0, every night), or
# "cannot tell the log format". Pretty-printed JSON objects are named so.
rec7=$(cat utf8.jsonl)
printf '[%s]' "$rec7" >array-open.json
printf '[%s]\n' "$rec7" >array.json
printf '[\n  %s\n]\n' "$rec7" >array-pretty.json
python3 -c 'import json, sys; print(json.dumps(json.loads(sys.argv[1]), indent=2))' "$rec7" >pretty.jsonl
for fmt in auto generic openai; do
	must_fail 1 arr.err "$BURNRATE" --store arr-$fmt ingest --format $fmt \
		array-open.json array.json array-pretty.json utf8.jsonl
	for f in array-open.json array.json array-pretty.json; do
		grep -q "error: $f: cannot read the log: it is a JSON array, not JSON lines" arr.err ||
			fail "JSON array $f, --format $fmt: $(cat arr.err)"
	done
done
must_fail 1 pretty.err "$BURNRATE" --store pretty ingest pretty.jsonl
grep -q "pretty.jsonl: cannot tell the log format from its first [0-9]* lines, which look like pretty-printed JSON" pretty.err ||
	fail "pretty-printed JSON: $(cat pretty.err)"
printf 'a,b,c\n1,2,3\n' >junk.csv
for fmt in litellm helicone langfuse; do
	must_fail 1 junk.err "$BURNRATE" --store junk-$fmt ingest --format $fmt junk.csv
	grep -q "error: junk.csv: CSV header has none of the columns of a $fmt log" junk.err ||
		fail "--format $fmt on a CSV of none of its columns: $(cat junk.err)"
done
# A generic CSV's columns with blanks around their names or in another
# case (a spreadsheet's export) are those columns: they were left out, the
# tokens and the logged cost $0, nothing said.
printf 'timestamp,provider,model, Input_Tokens ,OUTPUT_TOKENS,\tcost_usd\n2025-10-01T12:00:00Z,openai,gpt-4o,1000000,10,5.25\n' >spaced.csv
"$BURNRATE" --quiet --store sp ingest spaced.csv || fail "a CSV header with spaced names: exit $?"
got=$("$BURNRATE" --store sp report --as-of $asof --format csv | tail -n 1 | cut -d, -f2,4,5,10)
[ "$got" = "1,1000000,10,5.250000" ] || fail "a CSV header with spaced or capital names: $got"
# So are the names the format is told by (it was "cannot tell the log
# format" with --format auto).
printf 'Timestamp, Provider ,MODEL,Input_Tokens\n2025-10-01T12:00:00Z,openai,gpt-4o,1000000\n' >caps.csv
"$BURNRATE" --quiet --store caps ingest caps.csv || fail "a CSV header in capitals: exit $?"
got=$("$BURNRATE" --store caps report --as-of $asof --format csv | tail -n 1 | cut -d, -f2,4,10)
[ "$got" = "1,1000000,2.500000" ] || fail "a CSV header in capitals: $got"
# And so are they quoted with the blanks inside the quotes, as the reader
# matches them (its cell trimmed): `" Timestamp "` was "cannot tell the
# log format" with --format auto, read with --format generic.
printf '" Timestamp ","provider ","\tMODEL",Input_Tokens\n2025-10-01T12:00:00Z,openai,gpt-4o,1000000\n' >quoted.csv
"$BURNRATE" --quiet --store quoted ingest quoted.csv || fail "a CSV header quoted with blanks inside: exit $?"
got=$("$BURNRATE" --store quoted report --as-of $asof --format csv | tail -n 1 | cut -d, -f2,4,10)
[ "$got" = "1,1000000,2.500000" ] || fail "a CSV header quoted with blanks inside: $got"
# A column named by --map is matched as spelt; one of tokens or cost the
# header lacks fails the input, by name (every record's tokens were 0).
printf 'timestamp,provider,model,IN\n2025-10-01T12:00:00Z,openai,gpt-4o,1000000\n' >mapped.csv
must_fail 1 mp.err "$BURNRATE" --quiet --store mp ingest --map input_tokens=in mapped.csv
grep -q "mapped.csv: CSV header has no 'in' column (--map input_tokens=in)" mp.err ||
	fail "--map input_tokens=in, no column in: $(cat mp.err)"
"$BURNRATE" --quiet --store mp ingest --map input_tokens=IN mapped.csv || fail "mapped.csv: exit $?"
got=$("$BURNRATE" --store mp report --as-of $asof --format csv | tail -n 1 | cut -d, -f2,4)
[ "$got" = "1,1000000" ] || fail "--map input_tokens=IN: $got"
# Token counts at a generic JSONL record's top level, without usage or
# with an empty one, are read as 0 (DESIGN: unknown keys are skipped), but
# ingest says so, with the count and the first input, and how to read them
# (it was $0 without a word, and still so beside "usage":{}); a record
# with a count in usage, or such a key nested, is not counted.
r='"timestamp":"2025-10-01T12:00:00Z","provider":"openai","model":"gpt-4o"'
printf '{%s,"input_tokens":1000000}\n{%s,"usage":{"input_tokens":5},"output_tokens":1}\n{%s,"meta":{"input_tokens":7}}\n{%s,"output_tokens":2}\n{%s,"usage":{},"input_tokens":2000000}\n' \
	"$r" "$r" "$r" "$r" "$r" >flat.jsonl
"$BURNRATE" --store flat ingest flat.jsonl >flat.out 2>flat.err || fail "flat.jsonl: exit $?"
grep -q "warning: 3 records with no token count where the generic format reads them (the first in flat.jsonl) have them under other names (at a JSON record's top level, OpenAI's prompt_tokens and completion_tokens, CSV columns of other names), read as 0 tokens: --map input_tokens=PATH" flat.err ||
	fail "top-level token counts: $(cat flat.err)"
got=$("$BURNRATE" --store flat report --as-of $asof --format csv | tail -n 1 | cut -d, -f2,4)
[ "$got" = "5,5" ] || fail "top-level token counts: $got"
"$BURNRATE" --store flat2 ingest --map input_tokens=input_tokens \
	--map output_tokens=output_tokens flat.jsonl >flat.out 2>flat.err || fail "flat.jsonl mapped: exit $?"
! grep -q "other names" flat.err || fail "top-level token counts mapped: $(cat flat.err)"
got=$("$BURNRATE" --store flat2 report --as-of $asof --format csv | tail -n 1 | cut -d, -f2,4)
[ "$got" = "5,3000000" ] || fail "top-level token counts mapped: $got"
# So are OpenAI's names, in usage or at the top level (LiteLLM's): every
# request of such a log was $0 without a word.
printf '{%s,"usage":{"prompt_tokens":1000,"completion_tokens":10}}\n{%s,"prompt_tokens":7}\n' \
	"$r" "$r" >oainame.jsonl
"$BURNRATE" --store oainame ingest oainame.jsonl >flat.out 2>flat.err || fail "oainame.jsonl: exit $?"
grep -q "warning: 2 records with no token count where the generic format reads them (the first in oainame.jsonl) have them under other names" flat.err ||
	fail "OpenAI's token names in a generic record: $(cat flat.err)"
# A generic CSV whose header has no token column and no cost: its every
# request was $0 without a word; one with a cost column is not told.
printf 'timestamp,provider,model,prompt_tokens,completion_tokens\n2025-10-01T12:00:00Z,openai,gpt-4o,1000,10\n' >oainame.csv
"$BURNRATE" --store oacsv ingest oainame.csv >flat.out 2>flat.err || fail "oainame.csv: exit $?"
grep -q "warning: 1 record with no token count where the generic format reads them (the first in oainame.csv) has them under other names" flat.err ||
	fail "a generic CSV without token columns: $(cat flat.err)"
printf 'timestamp,provider,model,cost_usd\n2025-10-01T12:00:00Z,openai,gpt-4o,0.5\n' >costonly.csv
"$BURNRATE" --store costonly ingest costonly.csv >flat.out 2>flat.err || fail "costonly.csv: exit $?"
! grep -q "other names" flat.err || fail "a generic CSV of costs: $(cat flat.err)"
# OpenAI's service_tier "scale" is read as standard by the generic format,
# JSONL and CSV, as the openai format reads it (generic rejected the record:
# "invalid service_tier 'scale'"); the catalog has no rates of its own.
printf '{%s,"service_tier":"scale","usage":{"input_tokens":1000000}}\n' "$r" >scale.jsonl
printf 'timestamp,provider,model,service_tier,input_tokens\n2025-10-01T12:00:00Z,openai,gpt-4o,Scale,1000000\n' >scale.csv
"$BURNRATE" --store scale ingest scale.jsonl scale.csv >scale.out 2>scale.err || fail "service_tier scale: exit $?"
! grep -q rejected scale.err scale.out || fail "service_tier scale: $(cat scale.out scale.err)"
got=$("$BURNRATE" --store scale report --as-of $asof --format csv | tail -n 1 | cut -d, -f2,4,10)
[ "$got" = "2,2000000,5.000000" ] || fail "service_tier scale: $got"
# All of them, in an input parsed in blocks on two threads (events with a
# request id are held there, and lost the mark: 3,203 of 200,000 told).
awk -v r="$r" 'BEGIN { for (i = 0; i < 30000; i++)
	printf "{%s,\"request_id\":\"flat-%d\",\"input_tokens\":%d}\n", r, i, i }' >flatbig.jsonl
"$BURNRATE" --store flat3 ingest --jobs 2 flatbig.jsonl >flat.out 2>flat.err || fail "flatbig.jsonl: exit $?"
grep -q "warning: 30000 records with no token count where the generic format reads them" flat.err ||
	fail "top-level token counts in blocks: $(cat flat.err)"
# A first line that quotes the keys of a JSON record is no CSV header: a
# record cut right after its '{' (a size rotation), or behind NUL bytes or
# an escape sequence (a writer without O_APPEND after copytruncate), is a
# rejected record and the JSONL after it counts (was: "malformed CSV
# header", the whole file unreadable). In a vendor's format too.
{ printf "$rec" 7 | tail -c +2; printf "$rec" 8; } >brace-cut.jsonl
{ printf '\0\0\0'; printf "$rec" 9; printf "$rec" 10; } >nul-first.jsonl
{ printf '\033[0m'; printf "$rec" 11; printf "$rec" 12; } >ansi-first.jsonl
first=$(head -n 1 "$dir/anthropic_messages.jsonl")
{ printf '%s\n' "${first#?}"; tail -n +2 "$dir/anthropic_messages.jsonl"; } >cut-anthropic.jsonl
tail -n +2 "$dir/anthropic_messages.jsonl" >rest-anthropic.jsonl
"$BURNRATE" --verbose --store j ingest --rejects j.rej brace-cut.jsonl nul-first.jsonl \
	ansi-first.jsonl cut-anthropic.jsonl >/dev/null 2>j.err ||
	fail "JSONL after a cut first line: exit $?: $(cat j.err)"
! grep -q 'CSV' j.err || fail "a JSONL log's message talks of CSV: $(cat j.err)"
grep -q 'cut-anthropic.jsonl: anthropic format' j.err || fail "cut anthropic log: $(cat j.err)"
for w in brace-cut.jsonl:1 nul-first.jsonl:1 ansi-first.jsonl:1 cut-anthropic.jsonl:1; do
	grep -q "^$w: cannot tell the log format from it" j.rej ||
		fail "$w is not rejected: $(cat j.rej)"
done
[ "$(wc -l <j.rej)" -eq 4 ] || fail "rejects beside the cut first lines: $(cat j.rej)"
"$BURNRATE" --quiet --store j2 ingest brace-cut.jsonl nul-first.jsonl ansi-first.jsonl \
	rest-anthropic.jsonl || fail "the JSONL logs without their first lines: exit $?"
"$BURNRATE" --store j report --by $by --as-of $asof --format csv >cut.csv
"$BURNRATE" --store j2 report --by $by --as-of $asof --format csv >rest.csv
cmp -s cut.csv rest.csv || fail "JSONL after a cut first line: $(diff cut.csv rest.csv)"
grep -q '^2025-10-01,openai,gpt-4o,,3,' cut.csv || fail "cut first lines: $(cat cut.csv)"
set +e
"$BURNRATE" --store m ingest --format nosuch x >/dev/null 2>u.err
rc=$?
set -e
[ $rc -eq 2 ] && grep -q "unknown format 'nosuch'; expected one of auto, generic, openai" u.err ||
	fail "unknown --format: exit $rc, $(cat u.err)"
# A wrong forced --format keeps nothing: the input fails, named with the
# format, and is not recorded as ingested, so that it is read right later
# (was: "0 requests kept", exit 0, then "1 already ingested"). Gemini's
# mapper took a record with no Gemini member for a failed request.
printf "$rec" 21 22 >wrong.jsonl
for f in anthropic gemini claude-code; do
	set +e
	"$BURNRATE" --store w-$f ingest --format $f wrong.jsonl >/dev/null 2>w.err
	rc=$?
	set -e
	[ $rc -eq 1 ] && grep -q "wrong.jsonl: none of its 2 records is an* $f record (the first is a generic record)" w.err ||
		fail "--format $f on generic records: exit $rc: $(cat w.err)"
	"$BURNRATE" --store w-$f ingest wrong.jsonl >w.out 2>w.err || fail "--format $f then auto: exit $?"
	grep -q '^ingested 1 input: 2 records, 2 requests kept$' w.out ||
		fail "--format $f recorded the input as ingested: $(cat w.out)"
done
# Records of the forced format that carry no usage are no such error.
printf '%s\n' '{"type":"user","sessionId":"s1","uuid":"u1","timestamp":"2025-10-01T00:00:00Z","message":{"role":"user","content":"hi"}}' >user-only.jsonl
"$BURNRATE" --quiet --store w-cc ingest --format claude-code user-only.jsonl ||
	fail "a Claude Code session of one user message under --format claude-code: exit $?"
# --map and --label: any shape, the label from a path (also inside a JSON
# column of a CSV export). Expected values computed by hand from the
# built-in gpt-4o price ($2.50 input, $10 output per 1M tokens).
printf '%s\n' '{"ts":"2025-10-01T00:00:00Z","vendor":"openai","m":"gpt-4o","meta":{"team":"a"},"u":{"in":1000,"out":10}}' >g.jsonl
"$BURNRATE" --quiet --store g1 ingest --format generic --map timestamp=ts \
	--map provider=vendor --map model=m --map input_tokens=u.in \
	--map output_tokens=u.out --label meta.team g.jsonl || fail "ingest with --map exited $?"
[ "$("$BURNRATE" --store g1 report --by provider,model,label --as-of $asof --format csv | tail -n 1 | tr -d "\r")" = \
  "openai,gpt-4o,a,1,0,1000,10,0,0,0,0,0.002600,0" ] || fail "--map on generic JSONL"
printf '%s\n' 'timestamp,provider,model,meta,input_tokens' \
	'2025-10-01T00:00:00Z,openai,gpt-4o,"{""team"":""zeta""}",1000' >g.csv
"$BURNRATE" --quiet --store g2 ingest --label meta.team g.csv
[ "$("$BURNRATE" --store g2 report --by label --as-of $asof --format csv | tail -n 1 | tr -d "\r")" = \
  "zeta,1,0,1000,0,0,0,0,0,0.002500,0" ] || fail "--label inside a JSON column of a CSV"
"$BURNRATE" --quiet --store g3 ingest --label metadata.user_api_key_alias \
	"$dir/litellm_spend_logs.csv"
"$BURNRATE" --store g3 report --by label --as-of $asof --format csv | grep -q '^ci-bot,6,1,' ||
	fail "--label on the LiteLLM export"
# --compare-costs: the catalog's and the logs' cost side by side (LiteLLM
# logs its spend; the sample's spends are its catalog prices).
"$BURNRATE" --store s-litellm_spend_logs.csv report --as-of $asof --by model \
	--compare-costs --format json >cmpc.json
"$PYTHON" -c '
import json, sys
d = json.load(open(sys.argv[1]))
t = d["totals"]
assert t["logged_cost_usd"] == t["cost_usd"] > 0, t
assert abs(t["catalog_cost_usd"] - t["logged_cost_usd"]) < 0.01 * t["cost_usd"], t
assert all("catalog_cost_usd" in r for r in d["rows"])
' cmpc.json || fail "--compare-costs"
# DESIGN §2's names of the token counts are those of the *_tokens fields
# (--map input=... was refused: "unknown field 'input'").
printf '%s\n' '{"ts":"2025-10-01T00:00:00Z","vendor":"anthropic","m":"claude-sonnet-4-5","u":{"a":1000,"b":200,"c":3000,"d":400,"e":50000,"f":60}}' >g6.jsonl
"$BURNRATE" --quiet --store g5 ingest --map timestamp=ts --map provider=vendor \
	--map model=m --map input_tokens=u.a --map output_tokens=u.b \
	--map cache_read_tokens=u.c --map cache_write_tokens=u.d \
	--map cache_write_1h_tokens=u.e --map reasoning_tokens=u.f g6.jsonl ||
	fail "ingest with the *_tokens maps exited $?"
"$BURNRATE" --quiet --store g6 ingest --map timestamp=ts --map provider=vendor \
	--map model=m --map input=u.a --map output=u.b --map cache_read=u.c \
	--map cache_write=u.d --map cache_write_1h=u.e --map reasoning=u.f g6.jsonl ||
	fail "ingest with DESIGN's names in --map exited $?"
for st in g5 g6; do
	"$BURNRATE" --store $st report --by model --as-of $asof --format csv | tail -n 1 | tr -d "\r" >$st.csv
done
grep -q '^claude-sonnet-4-5,1,0,1000,200,3000,50400,50000,60,' g6.csv || fail "--map input=...: $(cat g6.csv)"
cmp -s g5.csv g6.csv || fail "--map input=... and input_tokens=... differ: $(cat g5.csv g6.csv)"
must_fail 2 map.err "$BURNRATE" --store g4 ingest --map bogus=x g.csv
grep -q "unknown field 'bogus'" map.err || fail "--map bogus: $(cat map.err)"
must_fail 2 map.err "$BURNRATE" --store g4 ingest --map model g.csv
grep -q "invalid --map 'model': expected CANON=PATH" map.err || fail "--map model: $(cat map.err)"
# Real logs that open with a record of no request: a Claude Code
# transcript with a file-history snapshot, a Gemini log with a failed
# request (google.rpc.Status). Both were "cannot tell the log format".
printf '%s\n' '{"type":"file-history-snapshot","messageId":"m0","snapshot":{"messageId":"m0","trackedFileBackups":{},"timestamp":"2025-09-01T09:59:59.000Z"},"isSnapshotUpdate":false}' \
	'{"sessionId":"s1","type":"assistant","uuid":"u1","timestamp":"2025-09-01T10:00:00.000Z","requestId":"req_1","message":{"id":"msg_1","model":"claude-sonnet-4-20250514","usage":{"input_tokens":4,"cache_read_input_tokens":14288,"output_tokens":8}}}' >snap.jsonl
printf '%s\n' '{"logged_at":"2025-09-01T00:06:40Z","agent":"etl","http_status":429,"response":{"error":{"code":429,"message":"Resource exhausted.","status":"RESOURCE_EXHAUSTED"}}}' \
	'{"logged_at":"2025-09-01T00:07:00Z","agent":"etl","http_status":200,"response":{"usageMetadata":{"promptTokenCount":1000,"candidatesTokenCount":10,"totalTokenCount":1010},"modelVersion":"gemini-2.5-flash","responseId":"r1"}}' >gerr.jsonl
# A Claude Code line of only what ccusage's schema asks for (no sessionId,
# uuid or type) was "cannot tell the log format".
printf '%s\n' '{"timestamp":"2025-09-10T12:00:00.000Z","requestId":"r1","message":{"id":"m1","model":"claude-sonnet-4-20250514","usage":{"input_tokens":100,"output_tokens":50}}}' >bare-cc.jsonl
# A proxy's envelope of an Anthropic message (an api member) is no such
# line: not taken for Claude Code's (helper-107).
printf '%s\n' '{"timestamp":"2025-10-01T00:00:00Z","api":"anthropic","message":{"id":"msg_1","type":"message","model":"claude-sonnet-4-5","usage":{"input_tokens":1000000,"output_tokens":1}}}' >env-msg.jsonl
"$BURNRATE" --verbose --store env-msg ingest env-msg.jsonl >/dev/null 2>env.err || true
! grep -q 'claude-code format' env.err || fail "an envelope taken for Claude Code: $(cat env.err)"
for f in snap.jsonl:claude-code:1,0,4,8,14288 gerr.jsonl:gemini:2,1,1000,10,0 \
	bare-cc.jsonl:claude-code:1,0,100,50,0; do
	file=${f%%:*} rest=${f#*:}
	format=${rest%%:*} want=${rest#*:}
	"$BURNRATE" --verbose --store "d-$file" ingest "$file" >/dev/null 2>d.err ||
		fail "$file: ingest exited $?: $(cat d.err)"
	grep -q "$file: $format format" d.err || fail "$file: not detected as $format: $(cat d.err)"
	"$BURNRATE" --store "d-$file" report --as-of $asof --by month --format csv >d.csv
	grep -q "^2025-09,$want," d.csv || fail "$file: want $want: $(cat d.csv)"
done
# A generic record (timestamp, provider and model strings, no envelope's
# response or event) whose unknown keys are another format's marks is
# generic (DESIGN: unknown keys are skipped): a session's id (sessionId,
# leafUuid, uuid beside a message) was taken for a Claude Code line, its
# records all skipped without a word (2 records, 0 requests kept, no
# reject); a failed request's error object as OpenAI's ({message, type})
# for an OpenAI response, the log's cache tokens lost and its logged
# costs replaced by the catalog's; a type, an object, a modelVersion,
# LiteLLM's startTime and spend, Helicone's ids, for those formats, their
# records rejected or misread. Found against DuckDB (helper-206).
# read_as_generic FILE WHAT WANT: FILE is read as generic, its month's
# row by month WANT (requests to cost).
read_as_generic() {
	rm -rf gx
	"$BURNRATE" --verbose --store gx ingest "$1" >gx.out 2>gx.err ||
		fail "$2: exit $?: $(cat gx.err)"
	grep -q "$1: generic format" gx.err || fail "$2: not read as generic: $(cat gx.err)"
	"$BURNRATE" --store gx report --as-of $asof --by month --format csv >gx.csv
	grep -q "^2025-09,$3,0" gx.csv || fail "$2: $(cat gx.out gx.csv)"
}
g='"timestamp":"2025-09-01T12:00:00Z","provider":"openai","model":"gpt-4o","usage":{"input_tokens":1000,"output_tokens":10,"cache_read_tokens":300},"cost_usd":0.5'
for extra in '"sessionId":"s1"' '"leafUuid":"l1"' '"uuid":"u1","message":"hello"' \
	'"type":"file-history-snapshot"' '"error":{"message":"overloaded","type":"server_error"}' \
	'"error":{"code":500,"status":"INTERNAL"}' '"type":"message"' '"object":"response"' \
	'"modelVersion":"v1"' '"usageMetadata":{}' '"startTime":"2025-09-01T12:00:00Z","spend":0.1' \
	'"response_id":"r1","request_created_at":"2025-09-01T12:00:00Z"'; do
	printf '{%s,%s}\n{%s}\n' "$extra" "$g" "$g" >gen-extra.jsonl
	read_as_generic gen-extra.jsonl "a generic record with $extra" 2,0,2000,20,600,0,0,0,1.000000
done
# So is a generic CSV whose extra columns are another export's (LiteLLM's
# startTime and spend, Helicone's response_id and request_created_at,
# Langfuse's traceId, startTime and usageDetails): it was read as that
# export, its tokens 0 and its cost the spend or none.
for extra in startTime,spend response_id,request_created_at traceId,startTime,usageDetails; do
	vals=$(echo "$extra" | sed 's/[^,]*/x/g')
	printf 'timestamp,provider,model,request_id,%s,input_tokens,output_tokens,cost_usd\n2025-09-01T12:00:00Z,openai,gpt-4o,r1,%s,1000,10,0.5\n' \
		"$extra" "$vals" >gen-extra.csv
	read_as_generic gen-extra.csv "a generic CSV with $extra" 1,0,1000,10,0,0,0,0,0.500000
done
# A model whose provider is told from its name (Helicone's CSV export has
# no provider column): a Bedrock ARN and a Vertex Claude id are priced as
# the anthropic format prices them (they were unknown's and anthropic's,
# unpriced) (helper-108).
{ echo 'response_id,response_created_at,response_status,request_created_at,request_body,request_properties,request_user_id,model,prompt_tokens,completion_tokens,latency,cost'
  echo '"r-v1","2025-09-01T10:00:01Z","200","2025-09-01T10:00:00Z",,"{}","u1","claude-sonnet-4-5@20250929","1000","100","500",""'
  echo '"r-a1","2025-09-01T10:00:01Z","200","2025-09-01T10:00:00Z",,"{}","u1","arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0","1000","100","500",""'
} >hc-named.csv
"$BURNRATE" --quiet --store hcn ingest hc-named.csv || fail "hc-named.csv: exit $?"
got=$("$BURNRATE" --store hcn report --by provider --as-of $asof --format csv | tail -n +2 | cut -d, -f1,10,11 | tr -d '\r' | tr '\n' ' ')
[ "$got" = "bedrock,0.004500,0 vertex_ai,0.004500,0 " ] ||
	fail "providers told from model names: $got"
# LiteLLM spend logs as JSON lines with the metadata column as its text
# (jsonb written as a string): read inside, as in the CSV export (its
# cached tokens were left unseen, input $2.50 for $1.875); a failure said
# only in the metadata (no status column) is an error (helper-108).
printf '%s\n' '{"request_id":"r2","call_type":"acompletion","spend":0,"prompt_tokens":1000000,"completion_tokens":0,"startTime":"2025-09-01T10:00:00Z","model":"gpt-4o","custom_llm_provider":"openai","metadata":"{\"usage_object\":{\"prompt_tokens_details\":{\"cached_tokens\":500000}}}","status":"success"}' \
	'{"request_id":"r3","call_type":"","spend":0.0,"prompt_tokens":0,"completion_tokens":0,"startTime":"2025-09-01T10:00:00Z","model":"gpt-4o","custom_llm_provider":"openai","metadata":{"status":"failure","error_information":{"error_code":"500"}}}' >lt-text.jsonl
"$BURNRATE" --quiet --store ltt ingest lt-text.jsonl || fail "lt-text.jsonl: exit $?"
got=$("$BURNRATE" --store ltt report --as-of $asof --by month --format csv | tail -n 1 | tr -d '\r' | cut -d, -f2-6,10)
[ "$got" = "2,1,500000,0,500000,1.875000" ] || fail "LiteLLM's metadata as text, a failure in it: $got"
# A failed request's logged cost gives way to its tokens' price in a
# vendor's format (the formats' engine rule 3: gpt-4o, 1000 input and 100
# output, $0.0035, not the $0.02 logged), and is kept in generic's
# (DESIGN: its cost_usd whatever its status) (helper-108).
printf '%s\n' '{"response_id":"e1","request_id":"e1","request_created_at":"2025-09-01T10:00:00Z","response_status":500,"provider":"OPENAI","model":"gpt-4o-2024-08-06","prompt_tokens":1000,"completion_tokens":100,"costUSD":0.02}' >hfail.jsonl
printf '%s\n' '{"timestamp":"2025-09-01T10:00:00Z","provider":"openai","model":"gpt-4o-2024-08-06","status":500,"usage":{"input_tokens":1000,"output_tokens":100},"cost_usd":0.02}' >gfail.jsonl
for f in hfail.jsonl:0.003500 gfail.jsonl:0.020000; do
	file=${f%%:*}
	"$BURNRATE" --quiet --store "s-$file" ingest "$file" || fail "$file: exit $?"
	got=$("$BURNRATE" --store "s-$file" report --as-of $asof --by month --format csv | tail -n 1 | tr -d '\r' | cut -d, -f3,10)
	[ "$got" = "1,${f#*:}" ] || fail "a failed request's logged cost, $file: $got"
done
oracle_agrees "a failed request's logged cost" s-hfail.jsonl model hfail.jsonl --format helicone
# A Usage API bucket of 100 requests is 100 requests in ingest's line and
# its unpriced warning, as in the report (both said 1).
printf '%s\n' '{"object":"page","data":[{"object":"bucket","start_time":1756512000,"end_time":1756598400,"results":[{"object":"organization.usage.completions.result","input_tokens":1000,"output_tokens":10,"num_model_requests":100,"project_id":"p","api_key_id":"k","model":"no-such-model-x","batch":false,"input_cached_tokens":0}]}],"has_more":false,"next_page":null}' >bucket.jsonl
"$BURNRATE" --store bucket ingest bucket.jsonl >bucket.out 2>bucket.err || fail "bucket.jsonl: exit $?"
grep -q '1 records, 100 requests kept' bucket.out &&
	grep -q 'warning: 100 requests without a price, counted as unpriced: openai/no-such-model-x (100)' bucket.err ||
	fail "a bucket of 100 requests: $(cat bucket.out bucket.err)"
# And of a model the catalog prices: its requests beyond one are counted
# apart from its row (cli/ingest.c's sink_other), as an unpriced one's.
sed 's/no-such-model-x/gpt-4o-mini/' bucket.jsonl >pbucket.jsonl
"$BURNRATE" --store pbucket ingest pbucket.jsonl >pbucket.out 2>&1 || fail "pbucket.jsonl: exit $?"
grep -q '1 records, 100 requests kept' pbucket.out ||
	fail "a priced bucket of 100 requests: $(cat pbucket.out)"
# A subagent's copy (isSidechain) of the main conversation's message and
# request, larger, then a replay of it under another request id: one
# request. The larger copy made the merged one a sidechain copy, and the
# replay, no longer beside a main copy, counted again (helper-105).
cc='{"sessionId":"s1","type":"assistant","uuid":"u%s","timestamp":"2025-09-10T12:00:00.000Z","isSidechain":%s,"requestId":"%s","message":{"id":"m1","model":"claude-sonnet-4-20250514","usage":{"input_tokens":100,"output_tokens":%s}}}\n'
{ printf "$cc" 1 false r1 50; printf "$cc" 2 true r1 60; printf "$cc" 3 true r2 70; } >side.jsonl
"$BURNRATE" --quiet --store side ingest side.jsonl || fail "side.jsonl: ingest exited $?"
got=$("$BURNRATE" --store side report --as-of $asof --by month --format csv | tail -n 1 | cut -d, -f2,4,5)
[ "$got" = "1,100,60" ] || fail "a sidechain copy took the main copy's place: $got, want 1,100,60"
# A /btw side question's log under SESSION/subagents/ replays the
# parent's messages under new request ids (ccusage issue #913): one
# request each, in any file of the run, whatever --jobs and the order of
# the files, as in an archive (the replay counted again). Its own answer
# (m9) counts; two side questions' replays of m2, without the parent's
# copy, count once; --no-dedupe counts every copy.
mkdir -p btw/p/S/subagents
{ printf "$cc" 1 false r1 50; printf "$cc" 2 false r2 50 | sed 's/"m1"/"m2"/'; } >btw/p/S.jsonl
{ printf "$cc" 3 true r3 50; printf "$cc" 4 true r4 7 | sed 's/"m1"/"m9"/'; } >btw/p/S/subagents/agent-a1.jsonl
printf "$cc" 5 true r5 50 | sed 's/"m1"/"m3"/' >btw/p/S/subagents/agent-a2.jsonl
printf "$cc" 6 true r6 50 | sed 's/"m1"/"m3"/' >btw/p/S/subagents/agent-a3.jsonl
tar -cf btw.tar btw/p/S/subagents btw/p/S.jsonl
for args in "--no-dedupe btw" "btw.tar" "--jobs 4 btw" \
	"--jobs 2 btw/p/S/subagents/agent-a1.jsonl btw/p/S.jsonl btw/p/S/subagents" \
	"--jobs 2 btw" "btw"; do
	rm -rf btws
	"$BURNRATE" --quiet --store btws ingest $args || fail "ingest $args: exit $?"
	got=$("$BURNRATE" --store btws report --as-of $asof --by month --format csv | tail -n 1 | cut -d, -f2,5)
	case $args in --no-dedupe*) want=6,257 ;; *) want=4,157 ;; esac
	[ "$got" = $want ] || fail "/btw replays, ingest $args: $got requests and output tokens, want $want"
done
oracle_agrees "/btw replays" btws model btw --format claude-code
# Two copies of a Claude Code message whose id and request id make 511
# bytes or more: one request (the key was left empty: both counted).
long_id=$(printf 'x%.0s' $(seq 600))
printf "$cc" 1 false r1 50 | sed "s/\"m1\"/\"m$long_id\"/" >long-id.jsonl
cat long-id.jsonl long-id.jsonl >long-id2.jsonl
"$BURNRATE" --quiet --store long-id ingest long-id2.jsonl || fail "long-id2.jsonl: exit $?"
got=$("$BURNRATE" --store long-id report --as-of $asof --by month --format csv | tail -n 1 | cut -d, -f2)
[ "$got" = 1 ] || fail "two copies of a message of a long id: $got requests"
# An OpenAI Responses stream: only its last event counts (the first ones
# carry usage null and are not a failed request). gpt-4.1: $2 input, $8
# output per 1M tokens.
done_ev='{"type":"response.completed","sequence_number":9,"response":{"id":"resp_1","object":"response","created_at":1759320000,"status":"completed","model":"gpt-4.1-2025-04-14","usage":{"input_tokens":1000000,"input_tokens_details":{"cached_tokens":0},"output_tokens":100000,"output_tokens_details":{"reasoning_tokens":0}}}}'
printf '%s\n' '{"type":"response.created","sequence_number":0,"response":{"id":"resp_1","object":"response","created_at":1759320000,"status":"in_progress","model":"gpt-4.1-2025-04-14","usage":null}}' \
	'{"type":"response.output_text.delta","sequence_number":3,"item_id":"i1","delta":"Hi"}' \
	"$done_ev" >stream.jsonl
# A failed one: its error event is no request (it was rejected, "missing
# model"); its response.failed is the failed request.
printf '%s\n' '{"type":"response.created","sequence_number":0,"response":{"id":"resp_f","object":"response","created_at":1759320000,"status":"in_progress","model":"gpt-4.1-2025-04-14","usage":null}}' \
	'{"type":"error","code":"server_error","message":"The model failed","param":null,"sequence_number":1}' \
	'{"type":"response.failed","sequence_number":2,"response":{"id":"resp_f","object":"response","created_at":1759320000,"status":"failed","error":{"code":"server_error","message":"The model failed"},"model":"gpt-4.1-2025-04-14","usage":null}}' >failed.jsonl
"$BURNRATE" --quiet --store failed ingest --rejects failed.rej failed.jsonl || fail "failed.jsonl: exit $?"
[ ! -s failed.rej ] || fail "a Responses stream's error event was rejected: $(cat failed.rej)"
"$BURNRATE" --store failed report --as-of $asof --by model --format csv >r.csv
grep -q '^gpt-4.1-2025-04-14,1,1,0,0,0,0,0,0,0.000000,0' r.csv ||
	fail "a failed Responses stream is one failed request: $(cat r.csv)"
printf '{"logged_at":"2025-10-01T12:00:00Z","agent":"a","event":%s}\n' \
	'{"type":"response.in_progress","sequence_number":1,"response":{"id":"resp_2","object":"response","created_at":1759320000,"status":"in_progress","model":"gpt-4.1-2025-04-14","usage":null}}' \
	"$(echo "$done_ev" | sed 's/resp_1/resp_2/')" >stream-env.jsonl
for file in stream.jsonl stream-env.jsonl; do
	"$BURNRATE" --quiet --store "r-$file" ingest "$file" || fail "$file: ingest exited $?"
	"$BURNRATE" --store "r-$file" report --as-of $asof --by model --format csv >r.csv
	grep -q '^gpt-4.1-2025-04-14,1,0,1000000,100000,0,0,0,0,2.800000,0' r.csv ||
		fail "$file: a Responses stream is one request of \$2.80: $(cat r.csv)"
done
# A null count names no shape: a Responses usage beside "prompt_tokens":
# null and "completion_tokens": null (a proxy that writes both shapes'
# keys) is a Responses usage, $2.80 (it was read as chat: no tokens, $0).
# A Gemini record whose response members are all null is none: rejected,
# not a failed request of model unknown.
printf '%s\n' '{"id":"resp_n","object":"response","created_at":1759320000,"status":"completed","model":"gpt-4.1-2025-04-14","usage":{"prompt_tokens":null,"completion_tokens":null,"input_tokens":1000000,"input_tokens_details":{"cached_tokens":0},"output_tokens":100000,"output_tokens_details":{"reasoning_tokens":0}}}' >rnull.jsonl
"$BURNRATE" --quiet --store rnull ingest rnull.jsonl || fail "ingest exited $?"
"$BURNRATE" --store rnull report --as-of $asof --by model --format csv >r.csv
grep -q '^gpt-4.1-2025-04-14,1,0,1000000,100000,0,0,0,0,2.800000,0' r.csv ||
	fail "a Responses usage beside a null prompt_tokens: $(cat r.csv)"
oracle_agrees "a null prompt_tokens" rnull model rnull.jsonl --format openai
printf '%s\n' '{"logged_at":"2025-09-01T00:07:00Z","response":{"usageMetadata":{"promptTokenCount":1000},"modelVersion":"gemini-2.5-flash","responseId":"gn1"}}' \
	'{"logged_at":"2025-09-01T00:07:00Z","response":{"candidates":null,"modelVersion":null,"responseId":null,"createTime":null,"promptFeedback":null}}' >gnull.jsonl
"$BURNRATE" --quiet --store gnull ingest --rejects gnull.rej gnull.jsonl || fail "ingest exited $?"
grep -q '^gnull.jsonl:2: not a Gemini response' gnull.rej && [ "$(wc -l <gnull.rej)" -eq 1 ] ||
	fail "a Gemini record of null members: $(cat gnull.rej)"
# Rejected, named, never counted: a request's negative logged cost, and
# a NUL in a name (a JSON \u0000, a CSV byte), which the store would cut
# short, merging the name with another.
printf '%s\n' '{"timestamp":"2025-10-01T12:00:00Z","provider":"openai","model":"gpt-4o","request_id":"n1","usage":{"input_tokens":1000},"cost_usd":-2.5}' \
	'{"timestamp":"2025-10-01T12:00:00Z","provider":"openai","model":"gpt-4o\u0000x","request_id":"n2","usage":{"input_tokens":1000}}' \
	'{"timestamp":"2025-10-01T12:00:00Z","provider":"openai","model":"gpt-4o","request_id":"n3","usage":{"input_tokens":1000}}' >bad.jsonl
printf 'timestamp,provider,model,request_id,input_tokens\n2025-10-01T12:00:00Z,openai,gpt-4o\0x,c1,1000\n2025-10-01T12:00:00Z,openai,gpt-4o,c2,1000\n' >bad.csv
"$BURNRATE" --quiet --store b ingest --rejects rej.txt bad.jsonl bad.csv || fail "ingest exited $?"
grep -q '^bad.jsonl:1: logged cost -2.5 USD is negative' rej.txt &&
	grep -q '^bad.jsonl:2: invalid model: holds \\u0000' rej.txt &&
	grep -aq '^bad.csv:2: a NUL byte in the record' rej.txt ||
	fail "negative cost and NUL names not rejected by name: $(cat -v rej.txt)"
"$BURNRATE" --store b report --as-of $asof --by model --format csv >b.csv
[ "$(tail -n +2 b.csv | tr -d "\r")" = "gpt-4o,2,0,2000,0,0,0,0,0,0.005000,0" ] ||
	fail "only the two good records count: $(cat b.csv)"
# A token count of -0 (-00) in a CSV cell is the integer 0, as JSON's -0
# is, in the generic CSV and the vendors' exports (it was rejected as
# negative); '+', a space, or a '-' before anything else but zeros still
# rejects the record.
printf '%s\n' timestamp,provider,model,request_id,input_tokens,output_tokens \
	2025-10-01T12:00:00Z,openai,gpt-4o,z1,-0,10 \
	2025-10-01T12:00:00Z,openai,gpt-4o,z2,5,-00 \
	2025-10-01T12:00:00Z,openai,gpt-4o,z3,+0,1 \
	'2025-10-01T12:00:00Z,openai,gpt-4o,z4," 0",1' \
	2025-10-01T12:00:00Z,openai,gpt-4o,z5,-01,1 >negzero.csv
{ head -1 "$dir/helicone_requests.csv"
  sed -n 2p "$dir/helicone_requests.csv" | sed 's/"1834","212"/"-0","-00"/'; } >negzero-helicone.csv
{ head -1 "$dir/litellm_spend_logs.csv"
  sed -n 2p "$dir/litellm_spend_logs.csv" | sed 's/,16338,903,/,16338,-0,/'; } >negzero-litellm.csv
"$BURNRATE" --quiet --store nz ingest --rejects nz.rej negzero.csv negzero-helicone.csv \
	negzero-litellm.csv || fail "ingest exited $?"
[ "$(cut -d: -f1,2 nz.rej | tr '\n' ' ')" = "negzero.csv:4 negzero.csv:5 negzero.csv:6 " ] ||
	fail "token counts of -0 in CSV cells: rejects $(cat nz.rej)"
grep -q "^negzero.csv:4: invalid input_tokens '+0'" nz.rej ||
	fail "+0 is not rejected by name: $(cat nz.rej)"
"$BURNRATE" --store nz report --as-of $asof --by model --format csv >nz.csv
grep -q '^gpt-4o,2,0,5,10,' nz.csv && grep -q '^gpt-4o-2024-08-06,1,0,0,0,' nz.csv &&
	grep -q '^claude-sonnet-4-20250514,1,0,1840,0,' nz.csv ||
	fail "token counts of -0 in CSV cells: $(cat nz.csv)"
# --cost-mode auto: a logged $0 for tokens the catalog prices is a price
# the logger lacked (LiteLLM writes spend 0 then), not a free request;
# display, which takes no catalog price, counts it unpriced at no cost
# (it counted it priced at $0, silently). gpt-4o: $2.50 input, $10
# output per 1M tokens.
printf '%s\n' '{"request_id":"c-1","call_type":"acompletion","spend":0.0,"prompt_tokens":1000000,"completion_tokens":100000,"startTime":"2025-09-01T10:00:00Z","model":"gpt-4o-2024-08-06","custom_llm_provider":"openai","status":"success"}' >ll0.jsonl
"$BURNRATE" --quiet --store z ingest ll0.jsonl || fail "ingest exited $?"
"$BURNRATE" --store z report --as-of $asof --by model --format csv >z.csv
grep -q '^gpt-4o-2024-08-06,1,0,1000000,100000,0,0,0,0,3.500000,0' z.csv ||
	fail "a logged \$0 for priced tokens: $(cat z.csv)"
"$BURNRATE" --quiet --store zd ingest --cost-mode display ll0.jsonl || fail "ingest exited $?"
"$BURNRATE" --store zd report --as-of $asof --by model --format csv >z.csv
grep -q '^gpt-4o-2024-08-06,1,0,1000000,100000,0,0,0,0,0.000000,1' z.csv ||
	fail "--cost-mode display: a logged \$0 for tokens is no price: $(cat z.csv)"
# ... and for tokens the catalog does not price either, the request is
# unpriced, not a silent $0 (it was counted as priced at $0, so that
# report --reprice with a price for it kept $0 where a fresh ingest
# with that price charged it).
printf '%s\n' '{"request_id":"c-2","call_type":"acompletion","spend":0.0,"prompt_tokens":1000000,"completion_tokens":100000,"startTime":"2025-09-01T10:00:00Z","model":"my-private-llm","custom_llm_provider":"openai","status":"success"}' >ll0u.jsonl
printf '%s\n' provider,model,from,input,output,cache_read,cache_write openai,my-private-llm,,1,2,, >ll0u.csv
"$BURNRATE" --store zu ingest ll0u.jsonl >/dev/null 2>zu.err || fail "ingest exited $?"
grep -q 'without a price, counted as unpriced: openai/my-private-llm (1)' zu.err ||
	fail "a logged \$0 for unpriced tokens: no warning: $(cat zu.err)"
# A request unpriced at its tier names the tier: the catalog prices the
# model at standard rates, which prices show lists, and none at Anthropic's
# priority tier (the warning named the model alone).
"$BURNRATE" --store zt ingest "$root/samples/formats/anthropic_messages.jsonl" >/dev/null 2>zt.err ||
	fail "ingest exited $?"
grep -q 'counted as unpriced: .*anthropic/claude-sonnet-4-20250514 at the priority tier (1)' zt.err ||
	fail "an Anthropic priority request: the warning does not name the tier: $(cat zt.err)"
"$BURNRATE" --store zu report --as-of $asof --by model --format csv | tr -d '\r' >z.csv
grep -q '^my-private-llm,1,0,1000000,100000,0,0,0,0,0.000000,1$' z.csv ||
	fail "a logged \$0 for unpriced tokens: $(cat z.csv)"
"$BURNRATE" --store zu report --as-of $asof --by model --format csv --reprice --prices ll0u.csv | tr -d '\r' >z.csv
grep -q '^my-private-llm,1,0,1000000,100000,0,0,0,0,1.200000,0,0.000000$' z.csv ||
	fail "a logged \$0 for unpriced tokens, re-priced: $(cat z.csv)"
# LiteLLM's cache_creation_input_tokens holds both TTLs: its 1-hour part,
# in usage_object.prompt_tokens_details.cache_creation_token_details (or
# cache_creation, Anthropic's usage passed through /v1/messages), is a
# cache write 1h (it was priced as a 5-minute write: $18.765 for the
# first row; the report's cache writes hold the 1-hour ones). Opus 4.1:
# $15 input, 5-minute writes $18.75, 1-hour $30 per 1M tokens: 1000 input
# and 1M 1-hour writes $30.015; 1000 input, 400k 5-minute and 600k 1-hour
# writes $25.515; a breakdown of 0/0 beside the total leaves the writes
# 5-minute ones: $18.765.
ll_row() { # id, usage_object
	printf '{"request_id":"%s","call_type":"acompletion","spend":1.0,"prompt_tokens":1001000,"completion_tokens":0,"startTime":"2025-10-01T10:00:00Z","model":"claude-opus-4-1-20250805","custom_llm_provider":"anthropic","status":"success","metadata":{"spend_logs_metadata":{"agent":"%s"},"usage_object":%s}}\n' "$1" "$1" "$2"
}
{ ll_row ll1h '{"prompt_tokens":1001000,"completion_tokens":0,"cache_creation_input_tokens":1000000,"cache_read_input_tokens":0,"prompt_tokens_details":{"cached_tokens":0,"cache_creation_tokens":1000000,"cache_creation_token_details":{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":1000000}}}'
  ll_row llcc '{"input_tokens":1000,"output_tokens":0,"cache_creation_input_tokens":1000000,"cache_creation":{"ephemeral_5m_input_tokens":400000,"ephemeral_1h_input_tokens":600000}}'
  ll_row ll00 '{"prompt_tokens":1001000,"cache_creation_input_tokens":1000000,"prompt_tokens_details":{"cache_creation_token_details":{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":0}}}'
} >ll1h.jsonl
"$BURNRATE" --quiet --store ll1h ingest --cost-mode calculate ll1h.jsonl || fail "ingest exited $?"
"$BURNRATE" --store ll1h report --as-of $asof --by agent --format csv >ll1h.csv
for want in ll1h,1,0,1000,0,0,1000000,1000000,0,30.015000,0 ll00,1,0,1000,0,0,1000000,0,0,18.765000,0 \
	llcc,1,0,1000,0,0,1000000,600000,0,25.515000,0; do
	grep -q "^$want" ll1h.csv || fail "LiteLLM 1-hour cache writes: want $want: $(cat ll1h.csv)"
done
oracle_agrees "LiteLLM 1-hour writes" ll1h agent ll1h.jsonl --format litellm --cost-mode calculate
# The reasons of the API formats name the value, as the generic one's do.
printf '%s\n' '{"request_id":"c-1","spend":0.1,"prompt_tokens":-5,"startTime":"2025-09-01T10:00:00Z","model":"gpt-4o","custom_llm_provider":"openai"}' \
	'{"request_id":"c-2","spend":0.1,"prompt_tokens":5,"startTime":"2025-08-31T23:50:02.118000","model":"gpt-4o","custom_llm_provider":"openai"}' >llbad.jsonl
"$BURNRATE" --quiet --store lb ingest --format litellm --rejects lb.txt llbad.jsonl || fail "ingest exited $?"
grep -q '^llbad.jsonl:1: invalid count prompt_tokens -5: expected a non-negative integer: ' lb.txt &&
	grep -q '^llbad.jsonl:2: invalid timestamp startTime "2025-08-31T23:50:02.118000": missing time zone' lb.txt ||
	fail "reasons without the value: $(cat lb.txt)"
# An OpenAI log that opens with a failed request (an error object, no
# usage) is told as OpenAI's (its first line was rejected: "cannot tell
# the log format", and a log of errors only failed).
printf '%s\n' '{"logged_at":"2025-09-01T10:00:00Z","http_status":429,"request_id":"req_e1","response":{"error":{"message":"Rate limit reached","type":"requests","param":null,"code":"rate_limit_exceeded"}}}' \
	'{"logged_at":"2025-09-01T10:00:01Z","http_status":200,"request_id":"req_e2","response":{"id":"chatcmpl-e2","object":"chat.completion","created":1756720801,"model":"gpt-4o-mini","usage":{"prompt_tokens":100,"completion_tokens":10,"total_tokens":110}}}' >oe.jsonl
"$BURNRATE" --verbose --store oe ingest oe.jsonl >/dev/null 2>oe.err || fail "ingest exited $?"
grep -q 'oe.jsonl: openai format, 2 records' oe.err || fail "an OpenAI log opening with an error: $(cat oe.err)"
"$BURNRATE" --store oe report --as-of $asof --by month --format csv | grep -q '^2025-09,2,1,100,10,' ||
	fail "an OpenAI log opening with an error: $("$BURNRATE" --store oe report --as-of $asof --by month --format csv)"
# OpenAI Usage and Costs API pages fetched again are upserted by each
# result's group key (README engine rule 6), not added: the sample twice
# in one file, or in two files, counts once (it counted twice).
for f in openai_org_usage_completions.jsonl openai_org_costs.jsonl; do
	cat "$dir/$f" "$dir/$f" >twice.jsonl
	head -n 1 "$dir/$f" >again.jsonl
	"$BURNRATE" --quiet --store "once-$f" ingest "$dir/$f" || fail "ingest exited $?"
	"$BURNRATE" --quiet --store "twice-$f" ingest twice.jsonl || fail "ingest exited $?"
	"$BURNRATE" --quiet --store "two-$f" ingest "$dir/$f" again.jsonl || fail "ingest exited $?"
	for st in once twice two; do
		"$BURNRATE" --store "$st-$f" report --as-of $asof --by day,model,agent --format csv >"$st.csv"
	done
	cmp -s once.csv twice.csv || fail "$f fetched twice in one file: $(diff once.csv twice.csv | head -3)"
	cmp -s once.csv two.csv || fail "$f fetched again in another file: $(diff once.csv two.csv | head -3)"
done
# A backfill's rejects of usage results outside its range name the line
# of their page (the results are held to the input's end for the upsert:
# every reject named the last line).
f=openai_org_usage_completions.jsonl
"$BURNRATE" --quiet --store ur ingest --replace 2025-08-30..2025-08-30 --rejects ur.txt "$dir/$f" ||
	fail "backfill of the usage sample exited $?"
[ "$(grep -c "^$dir/$f:1: day 2025-0[89]-[0-9]* outside" ur.txt)" = 13 ] &&
	[ "$(grep -c "^$dir/$f:2: day 2025-09-02 outside" ur.txt)" = 7 ] ||
	fail "usage results outside a backfill's range, by line: $(cut -d: -f1-3 ur.txt | sort | uniq -c)"
# ... and a page fetched again rejects its results once, as it counts them
# once (each copy was rejected: 40).
cat "$dir/$f" "$dir/$f" >twice.jsonl
"$BURNRATE" --quiet --store ur2 ingest --replace 2025-08-30..2025-08-30 --rejects ur2.txt twice.jsonl ||
	fail "backfill of the usage sample twice exited $?"
[ "$(wc -l <ur2.txt)" = 20 ] || fail "a page fetched again rejected its results $(wc -l <ur2.txt) times, not 20"
# A Helicone request whose costUSD is null beside a cost takes the cost
# (mappings.json's coalesce; it was priced from the catalog).
printf '%s\n' '{"request_id":"h1","request_created_at":"2025-09-01T10:00:00Z","response_id":"r1","provider":"OPENAI","model":"gpt-4o","prompt_tokens":1000,"completion_tokens":100,"costUSD":null,"cost":0.5}' >hc.jsonl
"$BURNRATE" --quiet --store hc ingest hc.jsonl || fail "ingest exited $?"
"$BURNRATE" --store hc report --as-of $asof --by month --format csv | grep -q '^2025-09,1,0,1000,100,0,0,0,0,0.500000,0' ||
	fail "a null costUSD beside a cost: $("$BURNRATE" --store hc report --as-of $asof --by month --format csv)"
# A row of Helicone's ClickHouse table (request_response_rmt: "status",
# "properties", "user_id") keeps its cost as an integer of nano-dollars:
# 4785000 is $0.004785, not $4,785,000; its status 500 is an error, and a
# fractional nano-dollar cost is rejected by name. An OpenAI row's prompt
# tokens hold its cache writes as well as its reads (input 1000 - 300 -
# 200 = 500: $0.003125 for gpt-4o, writes at the input rate).
printf '%s\n' '{"response_id":"r1","response_created_at":"2025-10-01T10:00:05Z","request_id":"q1","request_created_at":"2025-10-01T10:00:00Z","status":200,"provider":"OPENAI","model":"gpt-4o-2024-08-06","prompt_tokens":1834,"prompt_cache_read_tokens":1536,"prompt_cache_write_tokens":0,"completion_tokens":212,"cost":4785000,"user_id":"u1","properties":{"agent":"bot","team":"core"}}' \
	'{"response_id":"r2","response_created_at":"2025-10-01T10:00:05Z","request_id":"q2","request_created_at":"2025-10-01T10:00:00Z","status":500,"provider":"OPENAI","model":"gpt-4o","prompt_tokens":0,"completion_tokens":0,"cost":"0","user_id":"u1","properties":{}}' \
	'{"response_id":"r3","response_created_at":"2025-10-01T10:00:05Z","request_id":"q3","request_created_at":"2025-10-01T10:00:00Z","response_status":200,"provider":"OPENAI","model":"gpt-4o","prompt_tokens":1000,"prompt_cache_read_tokens":300,"prompt_cache_write_tokens":200,"completion_tokens":100,"request_user_id":"u2"}' \
	'{"response_id":"r4","response_created_at":"2025-10-01T10:00:05Z","request_id":"q4","request_created_at":"2025-10-01T10:00:00Z","status":200,"provider":"OPENAI","model":"gpt-4o","prompt_tokens":10,"completion_tokens":1,"cost":1.5,"user_id":"u3","properties":{}}' >ch.jsonl
"$BURNRATE" --quiet --store ch ingest --rejects ch.rej ch.jsonl || fail "ingest exited $?"
grep -q '^ch.jsonl:4: invalid cost in cost' ch.rej && [ "$(wc -l <ch.rej)" -eq 1 ] ||
	fail "a fractional ClickHouse cost: $(cat ch.rej)"
"$BURNRATE" --store ch report --as-of $asof --by agent,label --format csv >ch.csv
for want in 'bot,core,1,0,298,212,1536,0,0,0,0.004785,0' 'u1,,1,1,0,0,0,0,0,0,0.000000,0' \
	'u2,,1,0,500,100,300,200,0,0,0.003125,0'; do
	grep -qF "$want" ch.csv || fail "Helicone ClickHouse rows: want $want: $(cat ch.csv)"
done
oracle_agrees "ClickHouse rows" ch agent,label ch.jsonl --format helicone
# Helicone names providers by its own constants (packages/cost/providers/
# mappings.ts): xAI is "X" and Vercel's AI Gateway "VERCEL", which the
# catalog holds as xai and vercel_ai_gateway (x/grok-3 was unpriced).
printf '%s\n' '{"response_id":"r1","request_id":"x1","request_created_at":"2025-10-01T10:00:00Z","response_status":200,"provider":"X","model":"grok-3","prompt_tokens":1000,"completion_tokens":100,"request_properties":{"agent":"x"}}' \
	'{"response_id":"r2","request_id":"x2","request_created_at":"2025-10-01T10:00:00Z","response_status":200,"provider":"VERCEL","model":"openai/gpt-4o","prompt_tokens":1000,"completion_tokens":100,"request_properties":{"agent":"v"}}' >hx.jsonl
ingest_expect "Helicone providers X and VERCEL" hx agent hx.jsonl \
	'x,1,0,1000,100,0,0,0,0,0.004500,0' 'v,1,0,1000,100,0,0,0,0,0.003500,0'
oracle_agrees "Helicone providers X and VERCEL" hx agent,provider hx.jsonl --format helicone
# The output file of OpenAI's Batch API ({id, custom_id, response:
# {status_code, request_id, body}, error}, one line per request; body is a
# Chat Completion or a Response) is the openai format, at batch rates
# whatever the body's service_tier says: 1M input tokens of gpt-4o are
# $1.25, 1M of gpt-4.1 with 100k output $1.40 ($1 + $0.40). It was "cannot
# tell the log format", and under --format openai every line a missing
# timestamp.
printf '%s\n' '{"id":"batch_req_1","custom_id":"q-1","response":{"status_code":200,"request_id":"a1","body":{"id":"chatcmpl-b1","object":"chat.completion","created":1756720800,"model":"gpt-4o-2024-08-06","choices":[],"usage":{"prompt_tokens":1000000,"completion_tokens":0,"total_tokens":1000000},"service_tier":"default"}},"error":null}' \
	'{"id":"batch_req_2","custom_id":"q-2","response":{"status_code":200,"request_id":"a2","body":{"id":"resp_b2","object":"response","created_at":1756720800,"status":"completed","model":"gpt-4.1-2025-04-14","usage":{"input_tokens":1000000,"input_tokens_details":{"cached_tokens":0},"output_tokens":100000,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":1100000}}},"error":null}' >ob.jsonl
for how in auto openai; do
	"$BURNRATE" --quiet --store "ob-$how" ingest --format $how --rejects ob.rej ob.jsonl ||
		fail "a Batch API output file (--format $how): ingest exited $?: $(cat ob.rej)"
	"$BURNRATE" --store "ob-$how" report --as-of $asof --by model --format csv >ob.csv
	for want in 'gpt-4o-2024-08-06,1,0,1000000,0,0,0,0,0,1.250000,0' \
		'gpt-4.1-2025-04-14,1,0,1000000,100000,0,0,0,0,1.400000,0'; do
		grep -qF "$want" ob.csv || fail "a Batch API output file (--format $how): want $want: $(cat ob.csv)"
	done
done
# Chat Completions of other APIs in OpenAI's shape (DeepSeek, xAI,
# Mistral, OpenRouter's provider/model names) are those providers', at
# their prices, and DeepSeek's prompt_cache_hit_tokens its cache reads:
# each was openai/MODEL, unpriced. deepseek-chat: 400 x $0.28 + 600 x
# $0.028 + 100 x $0.42 per 1M.
printf '%s\n' '{"id":"c1","object":"chat.completion","created":1756720800,"model":"deepseek-chat","usage":{"prompt_tokens":1000,"completion_tokens":100,"total_tokens":1100,"prompt_cache_hit_tokens":600,"prompt_cache_miss_tokens":400}}' \
	'{"id":"c2","object":"chat.completion","created":1756720800,"model":"grok-3","usage":{"prompt_tokens":1000,"completion_tokens":100,"total_tokens":1100}}' \
	'{"id":"c3","object":"chat.completion","created":1756720800,"model":"gpt-4o","usage":{"prompt_tokens":1000,"completion_tokens":100,"total_tokens":1100}}' >oc.jsonl
ingest_expect "OpenAI-shaped answers of other APIs" oc-chat provider,model oc.jsonl \
	'deepseek,deepseek-chat,1,0,400,100,600,0,0,0,0.000171,0' \
	'xai,grok-3,1,0,1000,100,0,0,0,0,0.004500,0' 'openai,gpt-4o,1,0,1000,100,0,0,0,0,0.003500,0'
oracle_agrees "OpenAI-shaped answers of other APIs" oc-chat provider,model oc.jsonl --format openai
# An Anthropic event log cut mid-stream opens with the stream's other
# events (content_block_delta, ping): it is anthropic. It was "cannot tell
# the log format from its first 10 lines" (exit 1, nothing read), and one
# such line before a message_start a rejected record.
{ i=0
  while [ $i -lt 12 ]; do
	echo '{"logged_at":"2025-09-01T10:00:00Z","event":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"x"}}}'
	i=$((i + 1))
  done
  echo '{"logged_at":"2025-09-01T10:00:00Z","event":{"type":"ping"}}'
  echo '{"logged_at":"2025-09-01T10:00:00Z","event":{"type":"content_block_stop","index":0}}'
  echo '{"logged_at":"2025-09-01T10:00:02Z","request_id":"r2","event":{"type":"message_start","message":{"id":"msg_9","type":"message","model":"claude-sonnet-4-20250514","usage":{"input_tokens":100,"output_tokens":1}}}}'
  echo '{"logged_at":"2025-09-01T10:00:03Z","request_id":"r2","event":{"type":"message_delta","delta":{},"usage":{"output_tokens":20}}}'
} >midstream.jsonl
"$BURNRATE" --verbose --store mid ingest --rejects mid.rej midstream.jsonl >/dev/null 2>mid.err ||
	fail "a log cut mid-stream: ingest exited $?: $(cat mid.err)"
grep -q 'midstream.jsonl: anthropic format' mid.err || fail "a log cut mid-stream: $(cat mid.err)"
[ ! -s mid.rej ] || fail "a log cut mid-stream: rejected $(cat mid.rej)"
"$BURNRATE" --store mid report --as-of $asof --by model --format csv >mid.csv
grep -qF 'claude-sonnet-4-20250514,1,0,100,20,0,0,0,0,0.000600,0' mid.csv ||
	fail "a log cut mid-stream: $(cat mid.csv)"
# A page of the Usage API's embeddings endpoint (organization.usage.
# embeddings.result: input tokens and requests) is usage as the
# completions' is: 1M tokens of text-embedding-3-small are $0.02. It was
# rejected whole, "unsupported result object". Beside it, a completions
# result of the same bucket and (null) group keys is another result, not
# a copy of it; an images result is still refused.
printf '%s\n' '{"object":"page","data":[{"object":"bucket","start_time":1756684800,"end_time":1756771200,"results":[{"object":"organization.usage.embeddings.result","input_tokens":1000000,"num_model_requests":5,"project_id":null,"user_id":null,"api_key_id":null,"model":null}]}],"has_more":false,"next_page":null}' \
	'{"object":"page","data":[{"object":"bucket","start_time":1756684800,"end_time":1756771200,"results":[{"object":"organization.usage.embeddings.result","input_tokens":1000000,"num_model_requests":5,"project_id":null,"user_id":null,"api_key_id":null,"model":"text-embedding-3-small"}]}],"has_more":false,"next_page":null}' \
	'{"object":"page","data":[{"object":"bucket","start_time":1756684800,"end_time":1756771200,"results":[{"object":"organization.usage.completions.result","input_tokens":1000,"output_tokens":0,"num_model_requests":1,"project_id":null,"user_id":null,"api_key_id":null,"model":null,"batch":null}]}],"has_more":false,"next_page":null}' \
	'{"object":"page","data":[{"object":"bucket","start_time":1756684800,"end_time":1756771200,"results":[{"object":"organization.usage.images.result","images":10,"num_model_requests":10,"size":"1024x1024","source":"image.generation","model":"dall-e-3"}]}],"has_more":false,"next_page":null}' >emb.jsonl
"$BURNRATE" --quiet --store emb ingest --rejects emb.rej emb.jsonl || fail "ingest exited $?"
grep -q "^emb.jsonl:4: unsupported result object 'organization.usage.images.result'" emb.rej &&
	[ "$(wc -l <emb.rej)" -eq 1 ] || fail "Usage API embeddings pages: rejected $(cat emb.rej)"
"$BURNRATE" --store emb report --as-of $asof --by model --format csv >emb.csv
for want in 'text-embedding-3-small,5,0,1000000,0,0,0,0,0,0.020000,0' 'unknown,6,0,1001000,0,0,0,0,0,0.000000,6'; do
	grep -qF "$want" emb.csv || fail "Usage API embeddings pages: want $want: $(cat emb.csv)"
done
head -3 emb.jsonl >emb3.jsonl
oracle_agrees "Usage API embeddings pages" emb model emb3.jsonl --format openai-usage
# An error event in the middle of an Anthropic stream logged event by
# event without ids (overloaded_error after message_start) fails that
# request: one request, an error, its message_start's tokens. It was a
# second request, an error of model unknown, beside one that had not
# failed. An error after the stream's message_stop is a request of its own.
printf '%s\n' '{"type":"message_start","message":{"id":"msg_a","type":"message","model":"claude-sonnet-4-20250514","usage":{"input_tokens":100,"output_tokens":1}},"logged_at":"2025-09-01T10:00:00Z"}' \
	'{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""},"logged_at":"2025-09-01T10:00:00Z"}' \
	'{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"logged_at":"2025-09-01T10:00:01Z"}' \
	'{"type":"message_start","message":{"id":"msg_b","type":"message","model":"claude-sonnet-4-20250514","usage":{"input_tokens":100,"output_tokens":1}},"logged_at":"2025-09-01T10:00:02Z"}' \
	'{"type":"message_delta","delta":{},"usage":{"output_tokens":20},"logged_at":"2025-09-01T10:00:03Z"}' \
	'{"type":"message_stop","logged_at":"2025-09-01T10:00:03Z"}' \
	'{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"logged_at":"2025-09-01T10:00:04Z"}' >se.jsonl
ingest_expect "an error mid-stream" se model se.jsonl \
	'claude-sonnet-4-20250514,2,1,200,21,0,0,0,0,0.000915,0' 'unknown,1,1,0,0,0,0,0,0,0.000000,0'
oracle_agrees "an error mid-stream" se model se.jsonl --format anthropic
# An OpenAI Usage API result of the Batch API (batch: true) is batch
# priced even when its service_tier says "default" (which won: $2.50, not
# $1.25, for 1M input tokens of gpt-4o).
printf '%s\n' '{"object":"page","data":[{"object":"bucket","start_time":1756684800,"end_time":1756771200,"results":[{"object":"organization.usage.completions.result","input_tokens":1000000,"output_tokens":0,"input_cached_tokens":0,"num_model_requests":10,"model":"gpt-4o-2024-08-06","batch":true,"service_tier":"default"}]}],"has_more":false}' >ub.jsonl
"$BURNRATE" --quiet --store ub ingest ub.jsonl || fail "ingest exited $?"
"$BURNRATE" --store ub report --as-of $asof --by model --format csv >ub.csv
grep -q '^gpt-4o-2024-08-06,10,0,1000000,0,0,0,0,0,1.250000,0' ub.csv ||
	fail "a batch result with service_tier default: $(cat ub.csv)"
# Any other shape, described by --map (DESIGN §3), is read as the generic
# format through the maps without --format; JSONL and CSV. --label alone
# names a dimension, not a shape: such a log still cannot be told.
printf '%s\n' '{"ts":"2025-10-01T00:00:00Z","vendor":"openai","m":"gpt-4o","u":{"in":1000000,"out":100000}}' >shape.jsonl
printf '%s\n' 'when,who,what,in,out' '2025-10-01T00:00:00Z,openai,gpt-4o,1000000,100000' >shape.csv
"$BURNRATE" --quiet --store shape ingest --map timestamp=ts --map provider=vendor \
	--map model=m --map input_tokens=u.in --map output_tokens=u.out shape.jsonl ||
	fail "a JSONL shape described by --map: exit $?"
"$BURNRATE" --quiet --store shape ingest --map timestamp=when --map provider=who \
	--map model=what --map input_tokens=in --map output_tokens=out shape.csv ||
	fail "a CSV shape described by --map: exit $?"
"$BURNRATE" --store shape report --as-of $asof --by model --format csv | grep -q '^gpt-4o,2,0,2000000,200000,0,0,0,0,7.000000,0' ||
	fail "shapes described by --map: $("$BURNRATE" --store shape report --as-of $asof --by model --format csv)"
set +e
"$BURNRATE" --quiet --store shape2 ingest --label m shape.jsonl 2>shape.err
rc=$?
set -e
[ $rc -eq 1 ] && grep -q 'cannot tell the log format' shape.err ||
	fail "--label alone made a shape readable: exit $rc, $(cat shape.err)"
# A Usage API result with tokens but no num_model_requests (absent or 0)
# rejects its page, which counted nothing (a silent $0); one of no tokens
# and no request is left out.
printf '%s\n' '{"object":"page","data":[{"object":"bucket","start_time":1756684800,"end_time":1756771200,"results":[{"object":"organization.usage.completions.result","input_tokens":1000000,"output_tokens":1000000,"input_cached_tokens":0,"model":"gpt-4o"}]}],"has_more":false}' \
	'{"object":"page","data":[{"object":"bucket","start_time":1756684800,"end_time":1756771200,"results":[{"object":"organization.usage.completions.result","input_tokens":0,"output_tokens":5,"num_model_requests":0,"model":"gpt-4o"}]}],"has_more":false}' \
	'{"object":"page","data":[{"object":"bucket","start_time":1756684800,"end_time":1756771200,"results":[{"object":"organization.usage.completions.result","input_tokens":0,"output_tokens":0,"num_model_requests":0,"model":"gpt-4o"}]}],"has_more":false}' >un.jsonl
"$BURNRATE" --quiet --store un ingest --rejects un.rej un.jsonl || fail "ingest exited $?"
[ "$(grep -c 'a usage result with tokens but no num_model_requests' un.rej)" -eq 2 ] &&
	grep -q '^un.jsonl:1: ' un.rej && grep -q '^un.jsonl:2: ' un.rej ||
	fail "a usage result without requests: $(cat un.rej)"
# A Vertex response's usageMetadata.trafficType names the quota it used
# (Vertex AI v1 GenerateContentResponse.UsageMetadata.TrafficType):
# Priority PayGo and Flex bill their own rates, and were billed at the
# standard ones. gemini-3-pro-preview priority: $3.60 input, $21.60
# output per 1M tokens (standard $2/$12); gemini-3.1-flash-lite flex:
# $0.125/$0.75 (standard $0.25/$1.50).
printf '%s\n' '{"logged_at":"2025-12-01T10:00:00Z","api":"vertex","response":{"candidates":[],"usageMetadata":{"promptTokenCount":100000,"candidatesTokenCount":10000,"totalTokenCount":110000,"trafficType":"ON_DEMAND_PRIORITY"},"modelVersion":"gemini-3-pro-preview","responseId":"vp1"}}' \
	'{"logged_at":"2025-12-01T10:00:00Z","api":"vertex","response":{"candidates":[],"usageMetadata":{"promptTokenCount":100000,"candidatesTokenCount":10000,"totalTokenCount":110000,"trafficType":"ON_DEMAND_FLEX"},"modelVersion":"gemini-3.1-flash-lite","responseId":"vf1"}}' \
	'{"logged_at":"2025-12-01T10:00:00Z","api":"vertex","response":{"candidates":[],"usageMetadata":{"promptTokenCount":100000,"candidatesTokenCount":10000,"totalTokenCount":110000,"trafficType":"ON_DEMAND"},"modelVersion":"gemini-3.1-flash-lite","responseId":"vs1"}}' >vt.jsonl
"$BURNRATE" --quiet --store vt ingest vt.jsonl || fail "ingest exited $?"
"$BURNRATE" --store vt report --as-of $asof --by model --format csv >vt.csv
grep -q '^gemini-3-pro-preview,1,0,100000,10000,0,0,0,0,0.576000,0' vt.csv &&
	grep -q '^gemini-3.1-flash-lite,2,0,200000,20000,0,0,0,0,0.060000,0' vt.csv ||
	fail "Vertex priority and flex traffic at their rates: $(cat vt.csv)"
# A bare Vertex response, logged without an envelope's api, is Vertex's
# by createTime or usageMetadata.trafficType, which the Gemini API never
# writes (it was google's, at the Gemini API's prices: $0.50 for the
# first). gemini-2.0-flash-001, 1M prompt and 1M candidates: Vertex $0.15
# and $0.60 per 1M tokens, $0.75; the Gemini API $0.10 and $0.40, $0.50.
vx='"usageMetadata":{"promptTokenCount":1000000,"candidatesTokenCount":1000000,"totalTokenCount":2000000%s},"modelVersion":"gemini-2.0-flash-001"'
{ printf "{\"candidates\":[],$vx,\"createTime\":\"2025-10-01T10:00:00.123456Z\",\"responseId\":\"vx1\"}\n" ',"trafficType":"ON_DEMAND"'
  printf "{\"candidates\":[],$vx,\"createTime\":\"2025-10-01T10:00:00.123456Z\",\"responseId\":\"vx2\"}\n" ''
  printf "{\"candidates\":[],$vx,\"responseId\":\"vx3\",\"logged_at\":\"2025-10-01T10:00:00Z\"}\n" ',"trafficType":"ON_DEMAND"'
  printf "{\"candidates\":[],$vx,\"responseId\":\"g1\",\"logged_at\":\"2025-10-01T10:00:00Z\"}\n" ''
} >vx.jsonl
"$BURNRATE" --quiet --store vx ingest vx.jsonl || fail "ingest exited $?"
"$BURNRATE" --store vx report --as-of $asof --by provider,model --format csv >vx.csv
grep -q '^vertex_ai,gemini-2.0-flash-001,3,0,3000000,3000000,0,0,0,0,2.250000,0' vx.csv &&
	grep -q '^google,gemini-2.0-flash-001,1,0,1000000,1000000,0,0,0,0,0.500000,0' vx.csv ||
	fail "bare Vertex responses at Vertex's prices: $(cat vx.csv)"
oracle_agrees "bare Vertex responses" vx provider,model vx.jsonl --format gemini
# A Gemini stream's chunks give the prompt, its cached part, candidates
# and thoughts so far, and a chunk may lack the cached count: on the last
# chunk only (a), on the early ones only (b, Vertex), alone on an early
# chunk (c), (a) out of order (d), and the thoughts on the first chunk
# only (e). Each counts 100000 prompt tokens once, 90000 of them cached
# (the largest of each token count counted 100000 uncached beside the
# 90000 cached: $0.14625 for a). gemini-2.5-pro: $1.25 input, $0.125
# cached, $10 output per 1M tokens: 10000 input, 90000 cached and 1000
# output $0.03375; (e) 1500 output (500 thoughts) $0.03875.
gu() { # agent, id, usageMetadata
	printf '{"logged_at":"2025-10-01T10:00:00Z","agent":"%s","response":{"candidates":[],"usageMetadata":%s,"modelVersion":"gemini-2.5-pro","responseId":"%s"}}\n' "$1" "$3" "$2"
}
{ gu a ga '{"promptTokenCount":100000,"candidatesTokenCount":10}'
  gu a ga '{"promptTokenCount":100000,"candidatesTokenCount":1000,"cachedContentTokenCount":90000}'
  gu b gb '{"promptTokenCount":100000,"candidatesTokenCount":10,"cachedContentTokenCount":90000}'
  gu b gb '{"promptTokenCount":100000,"candidatesTokenCount":1000}'
  gu c gc '{"cachedContentTokenCount":90000}'
  gu c gc '{"promptTokenCount":100000,"candidatesTokenCount":1000}'
  gu d gd '{"promptTokenCount":100000,"candidatesTokenCount":1000,"cachedContentTokenCount":90000}'
  gu d gd '{"promptTokenCount":100000,"candidatesTokenCount":10}'
  gu e ge '{"promptTokenCount":100000,"candidatesTokenCount":10,"thoughtsTokenCount":500}'
  gu e ge '{"promptTokenCount":100000,"candidatesTokenCount":1000,"cachedContentTokenCount":90000}'
} >gcache.jsonl
"$BURNRATE" --quiet --store gcache ingest gcache.jsonl || fail "ingest exited $?"
"$BURNRATE" --store gcache report --as-of $asof --by agent --format csv >gcache.csv
for want in a b c d; do
	grep -q "^$want,1,0,10000,1000,90000,0,0,0,0.033750,0" gcache.csv ||
		fail "Gemini stream $want: cached tokens counted twice: $(cat gcache.csv)"
done
grep -q "^e,1,0,10000,1500,90000,0,0,500,0.038750,0" gcache.csv ||
	fail "Gemini stream e: thoughts of the first chunk: $(cat gcache.csv)"
oracle_agrees "Gemini streams" gcache agent gcache.jsonl --format gemini
# Anthropic's fast mode (usage.speed "fast"), in a stream whose
# message_delta names no model: claude-opus-4-6-fast, 6x Opus 4.6's
# $5/$25 per 1M tokens; the same request without it at 1x.
printf '%s\n' '{"type":"message_start","message":{"id":"msg_f","type":"message","role":"assistant","model":"claude-opus-4-6","usage":{"input_tokens":1000,"output_tokens":1,"speed":"fast"}},"logged_at":"2026-06-01T10:00:00Z"}' \
	'{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":1000,"speed":"fast"},"id":"msg_f","logged_at":"2026-06-01T10:00:01Z"}' \
	'{"type":"message","id":"msg_s","role":"assistant","model":"claude-opus-4-6","usage":{"input_tokens":1000,"output_tokens":1000,"speed":"standard"},"logged_at":"2026-06-01T10:00:02Z"}' >fast.jsonl
"$BURNRATE" --quiet --store fast ingest fast.jsonl || fail "ingest exited $?"
"$BURNRATE" --store fast report --as-of 2026-06-30 --by model --format csv >fast.csv
grep -q '^claude-opus-4-6-fast,1,0,1000,1000,0,0,0,0,0.180000,0' fast.csv &&
	grep -q '^claude-opus-4-6,1,0,1000,1000,0,0,0,0,0.030000,0' fast.csv ||
	fail "Anthropic's fast mode at 6x: $(cat fast.csv)"
# cache_creation_input_tokens is what Anthropic bills; its breakdown only
# splits it by TTL. A breakdown short of it counts the rest as 5-minute
# writes (it lost them: 0/0 beside 5000); one above it (no total) is
# taken as it is. Both readers share the rule: a message of 5000 (1-hour
# 2000) and one of 100 with no total, 5100 writes of which 2000 are
# 1-hour. claude-sonnet-4-5: $3/$15, 5-minute writes $3.75, 1-hour $6.
printf '%s\n' '{"type":"message","id":"msg_a","role":"assistant","model":"claude-sonnet-4-5-20250929","usage":{"input_tokens":10,"output_tokens":10,"cache_creation_input_tokens":5000,"cache_creation":{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":2000}},"logged_at":"2025-10-01T10:00:00Z"}' \
	'{"type":"message","id":"msg_b","role":"assistant","model":"claude-sonnet-4-5-20250929","usage":{"input_tokens":10,"output_tokens":10,"cache_creation":{"ephemeral_5m_input_tokens":100,"ephemeral_1h_input_tokens":0}},"logged_at":"2025-10-01T10:00:00Z"}' >cw-api.jsonl
printf '%s\n' '{"sessionId":"s1","type":"assistant","uuid":"u1","timestamp":"2025-10-01T10:00:00.000Z","requestId":"req_a","message":{"id":"msg_a","model":"claude-sonnet-4-5-20250929","usage":{"input_tokens":10,"output_tokens":10,"cache_creation_input_tokens":5000,"cache_creation":{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":2000}}}}' \
	'{"sessionId":"s1","type":"assistant","uuid":"u2","timestamp":"2025-10-01T10:00:01.000Z","requestId":"req_b","message":{"id":"msg_b","model":"claude-sonnet-4-5-20250929","usage":{"input_tokens":10,"output_tokens":10,"cache_creation":{"ephemeral_5m_input_tokens":100,"ephemeral_1h_input_tokens":0}}}}' >cw-cc.jsonl
for file in cw-api.jsonl cw-cc.jsonl; do
	"$BURNRATE" --quiet --store "s-$file" ingest "$file" || fail "$file: ingest exited $?"
	"$BURNRATE" --store "s-$file" report --as-of $asof --by model --format csv >cw.csv
	grep -q '^claude-sonnet-4-5-20250929,2,0,20,20,0,5100,2000,0,0.023985,0' cw.csv ||
		fail "$file: a short cache_creation breakdown loses writes: $(cat cw.csv)"
done
# Claude through Bedrock and Vertex, as Claude Code and the Anthropic
# SDKs log it: those platforms' ids, billed by AWS and Google, are theirs
# in the catalog (prices show), and were anthropic's, unpriced. Each
# message: 1000 input, 2000 output, 40000 cache read, 3000 5-minute
# writes. Sonnet 4.5 and 4 on Vertex and Bedrock's own ids: $3, $15,
# $0.30, $3.75 per 1M tokens: $0.05625; Bedrock's US profile of Sonnet
# 4.5: $3.30, $16.50, $0.33, $4.125: $0.061875; Haiku 4.5 on Vertex: $1,
# $5, $0.10, $1.25: $0.01875. A Bedrock foundation-model ARN is its id: $0.05625.
i=0
for m in claude-sonnet-4-5@20250929 us.anthropic.claude-sonnet-4-5-20250929-v1:0 \
	anthropic.claude-sonnet-4-20250514-v1:0 claude-haiku-4-5@20251001 \
	arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0; do
	i=$((i + 1))
	u='{"input_tokens":1000,"output_tokens":2000,"cache_read_input_tokens":40000,"cache_creation_input_tokens":3000,"cache_creation":{"ephemeral_5m_input_tokens":3000,"ephemeral_1h_input_tokens":0}}'
	echo "{\"sessionId\":\"s1\",\"type\":\"assistant\",\"uuid\":\"u$i\",\"timestamp\":\"2025-09-0${i}T12:00:00.000Z\",\"requestId\":\"req_$i\",\"message\":{\"id\":\"msg_$i\",\"model\":\"$m\",\"usage\":$u}}" >>ids-cc.jsonl
	echo "{\"type\":\"message\",\"id\":\"msg_$i\",\"role\":\"assistant\",\"model\":\"$m\",\"usage\":$u,\"logged_at\":\"2025-09-0${i}T12:00:00Z\"}" >>ids-api.jsonl
done
for file in ids-cc.jsonl ids-api.jsonl; do
	"$BURNRATE" --quiet --store "s-$file" ingest "$file" || fail "$file: ingest exited $?"
	"$BURNRATE" --store "s-$file" report --as-of $asof --by provider,model --format csv >ids.csv
	for want in 'vertex_ai,claude-sonnet-4-5@20250929,1,0,1000,2000,40000,3000,0,0,0.056250,0' \
		'bedrock,us.anthropic.claude-sonnet-4-5-20250929-v1:0,1,0,1000,2000,40000,3000,0,0,0.061875,0' \
		'bedrock,anthropic.claude-sonnet-4-20250514-v1:0,1,0,1000,2000,40000,3000,0,0,0.056250,0' \
		'vertex_ai,claude-haiku-4-5@20251001,1,0,1000,2000,40000,3000,0,0,0.018750,0' \
		'bedrock,arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0,1,0,1000,2000,40000,3000,0,0,0.056250,0'; do
		grep -qF "$want" ids.csv ||
			fail "$file: want $want (Bedrock and Vertex ids at their prices): $(cat ids.csv)"
	done
done
# Streams whose pieces carry growing usage count once, with the final
# usage, however they are logged. OpenAI chat chunks with the running
# usage on each (vLLM's continuous_usage_stats, proxies): completion 1, 2,
# then 100 on the last; in an envelope with x_request_id (a), bare (b),
# in an envelope without an id (c), and out of order (d): each 1000 input
# and 100 output of gpt-4o ($2.50/$10 per 1M): $0.0035, 4 requests $0.014,
# with (e) below 5 requests $0.0165
# (was: the first chunk counted, output 1, and the others dropped as
# duplicates). Anthropic stream events logged as they come, with no id
# after message_start: message_delta (output 800) joins the last
# message_start, bare (e), in an envelope without request_id (f), after a
# start without any id (g): each 1000 input and 800 output of
# claude-sonnet-4-5 ($3/$15): $0.015, 3 requests $0.045 (was: the start
# counted with output 1 and the delta rejected). A delta before any
# start, or after the message_stop of its stream, is still rejected.
"$PYTHON" - <<'EOF'
import json
def chunk(i, out, env):
    r = {"id": "chatcmpl-" + i, "object": "chat.completion.chunk",
         "created": 1759312800, "model": "gpt-4o",
         "choices": [{"index": 0, "delta": {},
                      "finish_reason": "stop" if out == 100 else None}],
         "usage": {"prompt_tokens": 1000, "completion_tokens": out,
                   "total_tokens": 1000 + out}}
    return r if env is None else dict(env, response=r)
lines = []
for i, env, order in (
        ("a", {"logged_at": "2025-10-01T10:00:00Z", "http_status": 200,
               "x_request_id": "x1"}, (1, 2, 100)),
        ("b", None, (1, 2, 100)),
        ("c", {"logged_at": "2025-10-01T10:00:00Z", "http_status": 200}, (1, 2, 100)),
        ("d", {"logged_at": "2025-10-01T10:00:00Z"}, (100, 1, 2))):
    lines += [chunk(i, n, env) for n in order]
# (e) an early chunk without the prompt's cached_tokens, the last with 800
# of its 1000 cached: 200 input, 800 cached, 100 output, $0.0025 (the
# largest of each count would be 1000 input beside the 800 cached).
last = chunk("e", 100, None)
last["usage"]["prompt_tokens_details"] = {"cached_tokens": 800}
lines += [chunk("e", 1, None), last]
open("oai-chunks.jsonl", "w").write("".join(json.dumps(l) + "\n" for l in lines))
def ev(t, env, **kw):
    m = dict({"type": t}, **kw)
    return dict(env, event=m) if "event" in env else dict(env, **m)
def start(mid, env):
    msg = {"type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
           "content": [], "usage": {"input_tokens": 1000, "output_tokens": 1}}
    if mid:
        msg["id"] = mid
    return ev("message_start", env, message=msg)
delta = {"delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 800}}
bare = {"logged_at": "2025-10-01T11:00:00Z"}
env = {"logged_at": "2025-10-01T11:00:00Z", "event": None}
lines = [ev("message_delta", bare, **delta)]  # before any start: rejected
for mid, e in (("msg_e", bare), ("msg_f", env), ("", bare)):
    lines += [start(mid, e),
              ev("content_block_delta", e, index=0,
                 delta={"type": "text_delta", "text": "hi"}),
              ev("message_delta", e, **delta), ev("message_stop", e)]
lines.append(ev("message_delta", bare, **delta))  # after message_stop: rejected
open("sse.jsonl", "w").write("".join(json.dumps(l) + "\n" for l in lines))
EOF
for file in oai-chunks.jsonl sse.jsonl; do
	for j in 1 2; do
		"$BURNRATE" --store "s-$file-$j" ingest --jobs $j "$file" >"$file-$j.out" 2>&1 ||
			fail "$file: ingest exited $?"
		"$BURNRATE" --store "s-$file-$j" report --as-of $asof --by model \
			--format json --output "$file-$j.json"
	done
done
"$PYTHON" - <<'EOF' || fail "streams with growing usage counted once, with their final usage"
import json
for f, n, inp, out, cost, rej in (("oai-chunks.jsonl", 5, 4200, 500, 0.0165, 0),
                                  ("sse.jsonl", 3, 3000, 2400, 0.045, 2)):
    for j in (1, 2):
        t = json.load(open("%s-%d.json" % (f, j)))["totals"]
        said = open("%s-%d.out" % (f, j)).read()
        ok = (t["requests"] == n and t["input_tokens"] == inp and
              t["output_tokens"] == out and abs(t["cost_usd"] - cost) < 1e-9 and
              ("%d rejected" % rej in said if rej else "rejected" not in said)
              and "duplicates" not in said)
        if not ok:
            raise SystemExit("%s --jobs %d: %s %s" % (f, j, t, said))
EOF
# The same in logs of several blocks (256 KiB), a stream's pieces on both
# sides of each of the first 3 block boundaries, between complete
# requests; read by one thread, and by two with the other log beside it.
# OpenAI: 1800 chat completions of gpt-4o (100 input, 10 output: $0.00035
# each) and 3 streams of chunks (1000 input, output 1, 2, then 100:
# $0.0035 each). Anthropic: 1800 messages of claude-sonnet-4-5 (100
# input, 10 output: $0.00045 each) and 3 streams of bare events
# (message_start 1000 input, message_delta 800 output, no id: $0.015).
"$PYTHON" - <<'EOF'
import json
block = 256 << 10
def write(name, filler, stream):
    out, size, k, n = [], 0, 1, 0
    while k <= 3 or n < 1800:
        if k <= 3 and size > k * block - 700:
            first = size
            for piece in stream(k):
                out.append(piece)
                size += len(piece)
            assert first < k * block < size - 300, (k, first, size)
            k += 1
            continue
        line = filler(n)
        n += 1
        out.append(line)
        size += len(line)
    assert n == 1800 and size > 3 * block, (n, size)
    open(name, "w").write("".join(out))
def line(o):
    return json.dumps(o) + "\n"
def oai(n):
    return line({"logged_at": "2025-10-02T10:00:00Z", "response": {
        "id": "chatcmpl-f%d" % n, "object": "chat.completion", "created": 1759399200,
        "model": "gpt-4o", "choices": [{"index": 0, "finish_reason": "stop",
            "message": {"role": "assistant", "content": "x" * 200}}],
        "usage": {"prompt_tokens": 100, "completion_tokens": 10, "total_tokens": 110}}})
def oai_stream(k):
    return [line({"logged_at": "2025-10-02T11:00:00Z", "response": {
        "id": "chatcmpl-s%d" % k, "object": "chat.completion.chunk",
        "created": 1759402800, "model": "gpt-4o",
        "choices": [{"index": 0, "delta": {"content": "y" * 300},
                     "finish_reason": "stop" if c == 100 else None}],
        "usage": {"prompt_tokens": 1000, "completion_tokens": c,
                  "total_tokens": 1000 + c}}}) for c in (1, 2, 100)]
def ant(n):
    return line({"logged_at": "2025-10-02T10:00:00Z", "request_id": "req_f%d" % n,
        "event": {"type": "message", "id": "msg_f%d" % n, "role": "assistant",
                  "model": "claude-sonnet-4-5",
                  "content": [{"type": "text", "text": "x" * 200}],
                  "usage": {"input_tokens": 100, "output_tokens": 10}}})
def ant_stream(k):
    text = {"logged_at": "2025-10-02T11:00:01Z", "type": "content_block_delta",
            "index": 0, "delta": {"type": "text_delta", "text": "y" * 300}}
    return [line(o) for o in (
        {"logged_at": "2025-10-02T11:00:00Z", "type": "message_start", "message": {
            "id": "msg_s%d" % k, "type": "message", "role": "assistant",
            "model": "claude-sonnet-4-5", "content": [],
            "usage": {"input_tokens": 1000, "output_tokens": 1}}},
        text, text,
        {"logged_at": "2025-10-02T11:00:02Z", "type": "message_delta",
         "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 800}},
        {"logged_at": "2025-10-02T11:00:02Z", "type": "message_stop"})]
write("long-oai.jsonl", oai, oai_stream)
write("long-sse.jsonl", ant, ant_stream)
EOF
for j in 1 2; do
	"$BURNRATE" --store "s-long-$j" ingest --jobs $j long-oai.jsonl long-sse.jsonl \
		>"long-$j.out" 2>&1 || fail "long logs: ingest --jobs $j exited $?"
	"$BURNRATE" --store "s-long-$j" report --as-of $asof --by model --format csv \
		>"long-$j.csv"
done
cmp -s long-1.csv long-2.csv || fail "long stream logs: --jobs 2 differs: $(diff long-1.csv long-2.csv)"
# gpt-4o: 1803 requests, 1800 x 100 + 3 x 1000 input, 1800 x 10 + 3 x 100
# output, 1800 x $0.00035 + 3 x $0.0035 = $0.6405; claude-sonnet-4-5:
# 1803 requests, 183000 input, 18000 + 3 x 800 output, 1800 x $0.00045 +
# 3 x $0.015 = $0.855.
grep -q '^gpt-4o,1803,0,183000,18300,0,0,0,0,0.640500,0' long-1.csv &&
	grep -q '^claude-sonnet-4-5,1803,0,183000,20400,0,0,0,0,0.855000,0' long-1.csv &&
	! grep -q -e rejected -e duplicates long-1.out ||
	fail "long stream logs: streams across block boundaries: $(cat long-1.csv long-1.out)"
# A NUL in a name (a JSON \u0000, which every format decodes) rejects the
# record in every format, by name and with the generic format's reason:
# the store would cut the name short at it, merging it with another name
# (team-a\u0000x with team-a), while pricing saw it whole. So does one in
# a service tier ("default\u0000x" was read as "default"). And a JSON cell
# of a CSV export that a format reads inside (LiteLLM's metadata, which
# holds the agent, the label and the usage object's cache tokens;
# Helicone's request_properties; Langfuse's metadata and usageDetails;
# a --map COLUMN.PATH) that is not valid JSON (cut short, a lone \ud800,
# not JSON at all) rejects its record naming the column: it was read as
# a string, and the record kept without its agent and cache tokens. Each
# file is a sample with copies of one record appended, each broken once
# under a fresh request id: the copies are rejected at their lines, and
# the report is the sample's own.
"$PYTHON" - "$dir" <<'PY'
import csv, io, json, sys
src = sys.argv[1]
NUL = "\u0000x"
def setp(d, path, v):
    keys = path.split(".")
    for k in keys[:-1]:
        if isinstance(d, list):
            d = d[int(k)]
        else:
            d = d.setdefault(k, {})
    d[keys[-1]] = v
def getp(d, path):
    for k in path.split("."):
        d = d[int(k)] if isinstance(d, list) else d.get(k, "")
    return d
expect = open("nul-expect.txt", "w")
def jsonl(name, base_text, idx, ids, fields, prep=None):
    lines = base_text.splitlines()
    n = len(lines)
    base = json.loads(lines[idx])
    out = list(lines)
    for k, (field, path) in enumerate(fields):
        d = json.loads(json.dumps(base))
        for p in ids:
            setp(d, p, "nul-%s-%d" % (name, k))
        if prep:
            prep(d, k)
        old = getp(d, path)
        setp(d, path, (old if isinstance(old, str) else "v") + NUL)
        out.append(json.dumps(d))
        expect.write("nul-%s:%d: invalid %s: holds \\u0000\n" % (name, n + k + 1, field))
    open("orig-" + name, "w").write(base_text if base_text.endswith("\n") else base_text + "\n")
    open("nul-" + name, "w").write("\n".join(out) + "\n")
def sample(f):
    return open(src + "/" + f).read()
env = [("model", "response.model"), ("agent", "agent"), ("label", "team")]
jsonl("oai.jsonl", sample("openai_chat_completions.jsonl"), 0, ["response.id"],
      env + [("request_id", "response.id"), ("service_tier", "response.service_tier")])
jsonl("resp.jsonl", sample("openai_responses.jsonl"), 0, ["response.id"],
      env + [("request_id", "response.id"), ("service_tier", "response.service_tier")])
jsonl("ant.jsonl", sample("anthropic_messages.jsonl"), 0, ["request_id"],
      env + [("request_id", "request_id"), ("service_tier", "response.usage.service_tier")])
jsonl("gem.jsonl", sample("gemini_generate_content.jsonl"), 0, ["response.responseId"],
      [("model", "response.modelVersion"), ("agent", "agent"), ("label", "team"),
       ("request_id", "response.responseId")])
jsonl("bed.jsonl", sample("bedrock_invocation_logs.jsonl"), 0, ["requestId"],
      [("model", "modelId"), ("agent", "requestMetadata.agent"),
       ("label", "requestMetadata.team"), ("request_id", "requestId")])
jsonl("cc.jsonl", sample("claude_code_legacy_costusd.jsonl"), 0,
      ["requestId", "message.id", "uuid"],
      [("model", "message.model"), ("label", "cwd"), ("request_id", "requestId")])
jsonl("hel.jsonl", sample("helicone_requests.jsonl"), 0, ["request_id", "response_id"],
      [("provider", "provider"), ("model", "model"), ("agent", "request_properties.agent"),
       ("label", "request_properties.team"), ("request_id", "request_id")])
ll = {"request_id": "ll-1", "startTime": "2025-09-01T10:00:00Z", "spend": 0.01,
      "model": "gpt-4o-2024-08-06", "custom_llm_provider": "openai",
      "prompt_tokens": 1000, "completion_tokens": 100, "status": "success",
      "metadata": {"spend_logs_metadata": {"agent": "a1"}, "user_api_key_team_alias": "t1"}}
jsonl("ll.jsonl", json.dumps(ll), 0, ["request_id"],
      [("provider", "custom_llm_provider"), ("model", "model"),
       ("agent", "metadata.spend_logs_metadata.agent"),
       ("label", "metadata.user_api_key_team_alias"), ("request_id", "request_id")])
def bucket(d, k):  # a bucket of its own: no copy replaces another
    setp(d, "data.0.start_time", 1756512000 + 86400 * (k + 1))
    setp(d, "data.0.end_time", 1756512000 + 86400 * (k + 2))
page = {"object": "page", "data": [{"object": "bucket", "start_time": 0, "end_time": 0,
        "results": [{"object": "organization.usage.completions.result",
                     "input_tokens": 1000, "output_tokens": 10, "num_model_requests": 1,
                     "project_id": "proj", "api_key_id": "key", "model": "gpt-4o-2024-08-06",
                     "batch": False}]}]}
jsonl("usage.jsonl", sample("openai_org_usage_completions.jsonl"), -1, [],
      [("model", "data.0.results.0.model"), ("agent", "data.0.results.0.api_key_id"),
       ("label", "data.0.results.0.project_id")], bucket)
usage = open("nul-usage.jsonl").read().splitlines()
# (the page appended is made here: the sample's last page, replaced)
n = len(open("orig-usage.jsonl").read().splitlines())
out = usage[:n]
for k, (field, key) in enumerate([("model", "model"), ("agent", "api_key_id"), ("label", "project_id")]):
    d = json.loads(json.dumps(page))
    bucket(d, k)
    setp(d, "data.0.results.0." + key, d["data"][0]["results"][0][key] + NUL)
    out.append(json.dumps(d))
open("nul-usage.jsonl", "w").write("\n".join(out) + "\n")
cost = {"object": "page", "data": [{"object": "bucket", "start_time": 0, "end_time": 0,
        "results": [{"object": "organization.costs.result", "amount": {"value": 1.5, "currency": "usd"},
                     "line_item": "gpt-4o-2024-08-06, input", "project_id": "proj", "api_key_id": "key"}]}]}
lines = sample("openai_org_costs.jsonl").splitlines()
n = len(lines)
for k, (field, key) in enumerate([("model", "line_item"), ("agent", "api_key_id"), ("label", "project_id")]):
    d = json.loads(json.dumps(cost))
    bucket(d, k)
    r = d["data"][0]["results"][0]
    r[key] = r[key].replace(",", NUL + ",") if key == "line_item" else r[key] + NUL
    lines.append(json.dumps(d))
    expect.write("nul-costs.jsonl:%d: invalid %s: holds \\u0000\n" % (n + k + 1, field))
open("orig-costs.jsonl", "w").write(sample("openai_org_costs.jsonl"))
open("nul-costs.jsonl", "w").write("\n".join(lines) + "\n")

# CSV exports: a cell of a JSON column edited as its text; a plain cell
# holding a \u0000 only as a JSON string ("""gpt\u0000x"""), since a NUL
# byte in a CSV record already rejects it.
def jstr_cell(v):
    return '"' + v + '\\u0000x"'
def csvfile(name, f, idcols, edits):
    text = sample(f)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    head, row = rows[0], rows[1]
    n = len(text.splitlines())
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    for k, (col, edit, why) in enumerate(edits):
        r = list(row)
        for c in idcols:
            r[head.index(c)] = "bad-%s-%d" % (name, k)
        i = head.index(col)
        r[i] = edit(r[i])
        assert "\n" not in r[i]
        w.writerow(r)
        expect.write("nul-%s:%d: %s\n" % (name, n + k + 1, why))
    open("orig-" + name, "w").write(text)
    open("nul-" + name, "w").write(text + buf.getvalue())
def sub(old, new):
    def f(cell):
        assert old in cell, (old, cell)
        return cell.replace(old, new, 1)
    return f
def cut(cell):
    return cell[:len(cell) // 2]
NULNAME = "invalid %s: holds \\u0000"
BAD = "invalid JSON in column %s at byte "
csvfile("ll.csv", "litellm_spend_logs.csv", ["request_id"], [
    ("model", jstr_cell, NULNAME % "model"),
    ("custom_llm_provider", jstr_cell, NULNAME % "provider"),
    ("request_id", jstr_cell, NULNAME % "request_id"),
    ("metadata", sub('"agent": "code-review"', '"agent": "code-review\\u0000x"'), NULNAME % "agent"),
    ("metadata", sub('"user_api_key_team_alias": "platform"',
                     '"user_api_key_team_alias": "platform\\u0000x"'), NULNAME % "label"),
    ("metadata", cut, BAD % "metadata"),
    ("metadata", sub('"agent": "code-review"', '"agent": "code-review\\ud800"'), BAD % "metadata"),
    ("metadata", lambda c: "usage unknown", BAD % "metadata"),
])
csvfile("hel.csv", "helicone_requests.csv", ["response_id"], [
    ("model", jstr_cell, NULNAME % "model"),
    ("response_id", jstr_cell, NULNAME % "request_id"),
    ("request_properties", sub('support-triage""', 'support-triage\\u0000x""'), NULNAME % "agent"),
    ("request_properties", sub('{', '{""team"":""cx\\u0000x"",'), NULNAME % "label"),
    ("request_properties", cut, BAD % "request_properties"),
    ("request_properties", sub('support-triage""', 'support-triage\\ud800""'), BAD % "request_properties"),
    ("request_properties", lambda c: "agent=x", BAD % "request_properties"),
])
csvfile("lf.csv", "langfuse_observations.csv", ["id"], [
    ("model", jstr_cell, NULNAME % "model"),
    ("id", jstr_cell, NULNAME % "request_id"),
    ("environment", jstr_cell, NULNAME % "label"),
    ("metadata", sub('support-triage"', 'support-triage\\u0000x"'), NULNAME % "agent"),
    ("metadata", cut, BAD % "metadata"),
    ("metadata", sub('support-triage"', 'support-triage\\ud800"'), BAD % "metadata"),
    ("usageDetails", cut, BAD % "usageDetails"),
    ("usageDetails", sub('"input"', '"\\udc00"'), BAD % "usageDetails"),
    ("usageDetails", lambda c: "298 in", BAD % "usageDetails"),
])
PY
[ $? -eq 0 ] || fail "the NUL and broken-cell logs could not be made"
for f in oai.jsonl resp.jsonl ant.jsonl gem.jsonl bed.jsonl cc.jsonl hel.jsonl \
	ll.jsonl usage.jsonl costs.jsonl ll.csv hel.csv lf.csv; do
	for v in orig nul; do
		rm -f "rej-$v-$f"
		"$BURNRATE" --quiet --store "st-$v-$f" ingest --cost-mode calculate \
			--rejects "rej-$v-$f" "$v-$f" 2>"$v-$f.err" ||
			fail "$v-$f: ingest exited $?: $(cat "$v-$f.err")"
		"$BURNRATE" --store "st-$v-$f" report --as-of $asof \
			--by day,provider,model,agent,label --format csv >"$v-$f.csv"
	done
	[ ! -s "rej-orig-$f" ] || fail "orig-$f: rejects: $(cat "rej-orig-$f")"
	cmp -s "orig-$f.csv" "nul-$f.csv" ||
		fail "$f: the broken copies counted: $(diff "orig-$f.csv" "nul-$f.csv")"
	grep "^nul-$f:" nul-expect.txt >want.txt
	[ "$(grep -c '' "rej-nul-$f")" = "$(grep -c '' want.txt)" ] ||
		fail "$f: $(grep -c '' "rej-nul-$f") rejects, not $(grep -c '' want.txt): $(cut -c1-160 "rej-nul-$f")"
	while IFS= read -r want; do
		grep -qF "$want" "rej-nul-$f" && [ "$(grep -F "$want" "rej-nul-$f" | cut -c1-${#want})" = "$want" ] ||
			fail "$f: no reject '$want': $(cut -c1-160 "rej-nul-$f")"
	done <want.txt
done
# The generic CSV: a --map COLUMN.PATH inside a cell that is not JSON.
printf '%s\n' 'timestamp,provider,model,request_id,input_tokens,meta' \
	'2025-10-01T12:00:00Z,openai,gpt-4o,m1,1000,"{""agent"":""a1""}"' \
	'2025-10-01T12:00:00Z,openai,gpt-4o,m2,1000,"{""agent"":""a1"""' \
	'2025-10-01T12:00:00Z,openai,gpt-4o,m3,1000,"{""agent"":""a1\ud800""}"' \
	'2025-10-01T12:00:00Z,openai,gpt-4o,m4,1000,"{""agent"":""a1\u0000x""}"' \
	'2025-10-01T12:00:00Z,openai,gpt-4o,m5,1000,' >meta.csv
"$BURNRATE" --quiet --store mc ingest --map agent=meta.agent --rejects rej-meta.txt meta.csv ||
	fail "meta.csv: ingest exited $?"
grep -q '^meta.csv:3: invalid JSON in column meta at byte' rej-meta.txt &&
	grep -q '^meta.csv:4: invalid JSON in column meta at byte' rej-meta.txt &&
	grep -q '^meta.csv:5: invalid agent: holds \\u0000' rej-meta.txt &&
	[ "$(grep -c '' rej-meta.txt)" = 3 ] ||
	fail "meta.csv: broken JSON cells under --map not rejected by name: $(cat rej-meta.txt)"
"$BURNRATE" --store mc report --as-of $asof --by agent --format csv >mc.csv
[ "$(tail -n +2 mc.csv | tr -d "\r" | cut -d, -f1-3)" = "$(printf ',1,0\na1,1,0')" ] ||
	fail "meta.csv: the good records: $(cat mc.csv)"
# OpenAI's Costs API lines beside OpenAI requests of the same model and
# day (the org's Usage API results, or any request log): both count, so a
# line that bills those requests counts twice. The report warns, naming
# the day and model, in every format; a line of another model (web search)
# or another day, or --quiet, says nothing.
usage='{"object":"page","data":[{"object":"bucket","start_time":1756684800,"end_time":1756771200,"results":[{"object":"organization.usage.completions.result","input_tokens":1000000,"output_tokens":100000,"num_model_requests":50,"model":"gpt-4o-mini-2024-07-18"}]}]}'
line() { # day start, line item, amount
	printf '{"object":"page","data":[{"object":"bucket","start_time":%s,"end_time":%s,"results":[{"object":"organization.costs.result","amount":{"value":%s,"currency":"usd"},"line_item":"%s"}]}]}\n' "$1" $(($1 + 86400)) "$3" "$2"
}
echo "$usage" >u.jsonl
{ line 1756684800 "web search tool calls" 0.5; line 1756771200 "gpt-4o-mini-2024-07-18, input" 0.15; } >other.jsonl
line 1756684800 "gpt-4o-mini-2024-07-18, input" 0.15 >same.jsonl
"$BURNRATE" --quiet --store oc init
"$BURNRATE" --quiet --store oc ingest u.jsonl other.jsonl
for f in table csv json html; do
	"$BURNRATE" --store oc report --since 2025-09-01 --until 2025-09-30 --format $f >/dev/null 2>oc.err
	[ ! -s oc.err ] || fail "costs lines of other models or days: $(cat oc.err)"
done
"$BURNRATE" --quiet --store oc ingest same.jsonl
for f in table csv json html; do
	"$BURNRATE" --store oc report --since 2025-09-01 --until 2025-09-30 --format $f >/dev/null 2>oc.err
	grep -q "warning: OpenAI Costs API lines and OpenAI requests of the same model and day are both counted (2025-09-01 gpt-4o-mini-2024-07-18)" oc.err ||
		fail "costs lines beside requests ($f): $(cat oc.err)"
done
"$BURNRATE" --quiet --store oc report --since 2025-09-01 --until 2025-09-30 >/dev/null 2>oc.err
[ ! -s oc.err ] || fail "--quiet: $(cat oc.err)"
echo "formats: all checks passed"
