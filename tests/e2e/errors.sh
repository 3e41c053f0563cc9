#!/bin/sh
# errors.sh - exit statuses and error messages of the CLI contract (DESIGN
# §5): usage errors exit 2 naming the culprit, runtime failures exit 1 naming
# the file, a truncated gzip contributes nothing while the other inputs still
# count, a corrupt store is detected, and an unreadable segment is told
# from a corrupt one; ingest, notify and run with standard output closed
# warn and exit with their work's status (a dry run's preview fails).
. "$(dirname "$0")/common.inc"
cd "$tmp"
cp "$root/samples/prices.csv" prices.csv
failures=0

# expect STATUS TEXT COMMAND...: runs COMMAND, which must exit STATUS and,
# when TEXT is not empty, print 'burnrate: error: ...TEXT...' on stderr.
expect() {
	want=$1 text=$2
	shift 2
	set +e
	"$@" >out.txt 2>err.txt
	got=$?
	set -e
	if [ "$got" -ne "$want" ]; then
		echo "FAIL: '$*' exited $got, expected $want; stderr:" >&2
		sed 's/^/    /' err.txt >&2
		failures=$((failures + 1))
		return 0
	fi
	if [ -n "$text" ]; then
		if ! grep -q '^burnrate: error: ' err.txt; then
			echo "FAIL: '$*': no 'burnrate: error: ' line on stderr:" >&2
			sed 's/^/    /' err.txt >&2
			failures=$((failures + 1))
			return 0
		elif ! grep -F -q -- "$text" err.txt; then
			echo "FAIL: '$*': the error does not name '$text':" >&2
			sed 's/^/    /' err.txt >&2
			failures=$((failures + 1))
			return 0
		fi
	fi
	echo "ok exit $want: $*"
}

br() { "$BURNRATE" --store "$tmp/store" "$@"; }
# note TEXT: a failed check that expect does not express.
note() { echo "FAIL: $1" >&2; failures=$((failures + 1)); }

gen --seed 41 --records 400 --format jsonl --out good.jsonl

# Usage and configuration errors: 2.
expect 2 frobnicate br frobnicate
expect 2 colour br report --by day,colour --as-of 2025-10-31
expect 2 bogus br report --format bogus --as-of 2025-10-31
expect 2 2025-02-30 br report --as-of 2025-02-30
expect 2 2025-13 br report --month 2025-13 --as-of 2025-10-31
expect 2 --nope br report --nope
expect 2 sometimes br ingest --cost-mode sometimes good.jsonl
expect 2 "" br ingest
expect 2 no-such-prices.csv br ingest --prices no-such-prices.csv good.jsonl
printf 'provider,model,from,input,output,cache_read,cache_write\nopenai,gpt-4o,,abc,10,,\n' >bad-prices.csv
expect 2 bad-prices.csv br ingest --prices bad-prices.csv good.jsonl
grep -q ':2\|line 2' err.txt || {
	echo "FAIL: a bad prices row is not named by its line:" >&2
	sed 's/^/    /' err.txt >&2
	failures=$((failures + 1))
}

# A DATE of the right shape that does not exist says so, and every DATE
# option's error has one form, the command's option errors' (--since and
# --until said "expected YYYY-MM-DD" without the command's name nor the
# pointer to --help that --as-of had): 2, the whole of stderr checked.
expect_usage() {
	text=$1
	shift
	expect 2 "$text" "$@"
	printf 'burnrate: error: %s\n(see %s)\n' "$text" "'burnrate --help'" >want.txt
	if ! cmp -s want.txt err.txt; then
		echo "FAIL: '$*': stderr is not the option error's form:" >&2
		sed 's/^/    /' err.txt >&2
		failures=$((failures + 1))
	fi
}
for opt in --since --until --as-of; do
	expect_usage "report: invalid $opt '2025-02-30': no such day (February 2025 has 28 days)" \
		br report $opt 2025-02-30
done
expect_usage "report: invalid --since '2024-04-31': no such day (April 2024 has 30 days)" \
	br report --since 2024-04-31 --as-of 2025-10-31
expect_usage "report: invalid --until '2025-13-01': no such month (months are 01 to 12)" \
	br report --until 2025-13-01 --as-of 2025-10-31
expect_usage "report: invalid --since '2025-2-3': expected YYYY-MM-DD" br report --since 2025-2-3
expect_usage "report: invalid --month '2025-13': no such month (months are 01 to 12)" \
	br report --month 2025-13 --as-of 2025-10-31
expect_usage "report: invalid --month '2025-1': expected YYYY-MM" br report --month 2025-1
expect_usage "notify: invalid --as-of '2025-02-29': no such day (February 2025 has 28 days)" \
	br notify --budgets "$root/samples/budgets.csv" --as-of 2025-02-29
# A --dry-run directory missing says so (it said 'is not a directory').
expect_usage "notify: --dry-run 'nodir': No such file or directory" \
	br notify --budgets "$root/samples/budgets.csv" --dry-run nodir
expect_usage "ingest: invalid --replace '2025-02-29..2025-03-01': no such day (February 2025 has 28 days)" \
	br ingest --replace 2025-02-29..2025-03-01 good.jsonl
expect_usage "prices: invalid --on '2025-04-31': no such day (April 2025 has 30 days)" \
	br prices show gpt-4o --on 2025-04-31
# A word too many names itself, as every other command's does (it said
# only 'unexpected argument', or for show 'expected one MODEL').
expect_usage "prices list: unexpected argument 'claude'" br prices list gpt claude
expect_usage "prices show: unexpected argument 'claude'" br prices show gpt-4o claude
expect_usage "prices check: unexpected argument 'all'" br prices check all
expect_usage "prices show: expected one MODEL" br prices show
printf 'provider,model,from,input,output,cache_read,cache_write\nopenai,gpt-4o,2025-02-29,1,10,,\n' >from-prices.csv
expect 2 "from-prices.csv:2: invalid from date '2025-02-29': no such day (February 2025 has 28 days)" \
	br ingest --prices from-prices.csv good.jsonl

# A budget's limit below the reports' micro-dollar is refused as 0 is (it
# showed as limit_usd 0.000000 beside a utilization of 38229881607.58%).
bh='name,scope,period,limit_usd,thresholds,forecast,recipients'
for v in 0 0.0000001 0.0000009; do
	printf '%s\nx,*,monthly,%s,,no,\n' "$bh" "$v" >tiny.csv
	expect 2 "tiny.csv:2: invalid limit_usd '$v'" br report --budgets tiny.csv --as-of 2025-10-31
done
printf '%s\nx,*,monthly,0.000001,,no,\n' "$bh" >tiny.csv
expect 1 "$tmp/store" br report --budgets tiny.csv --as-of 2025-10-31

# A budgets file's quoting errors name the line where the field starts
# and what is wrong (libcsv's "error parsing data while strict checking
# enabled"; a quote left open on line 2 was "bt.csv:3: expected 7
# fields").
printf '%s\nx,*,monthly,1"0,,no,\n' "$bh" >bt.csv
expect 2 "bt.csv:2: a quote inside an unquoted field, field 4 (limit_usd)" \
	br report --budgets bt.csv --as-of 2025-10-31
printf '%s\n"x,*,monthly,10,,no,\n' "$bh" >bt.csv
expect 2 "bt.csv:2: a quoted field, field 1 (name), is not closed before the end of the file" \
	br report --budgets bt.csv --as-of 2025-10-31

# A budgets column of no known name is refused, as the prices file's is
# (a misspelt "threshold" fell back to the default thresholds unseen), and
# a file without its header says so (it was "column '' appears twice in
# the header").
printf 'name,scope,period,limit_usd,threshold\nx,*,monthly,10,80\n' >bc.csv
expect 2 "bc.csv:1: unknown column 'threshold': expected $bh (the first 4 required)" \
	br report --budgets bc.csv --as-of 2025-10-31
printf 'x,*,monthly,10,,no,\n' >bc.csv
expect 2 "bc.csv:1: no header: the first line is 'x,*,monthly,10,,no,'; expected a header naming the columns $bh" \
	br report --budgets bc.csv --as-of 2025-10-31
# A spreadsheet's trailing comma, an unnamed column, is no misspelt one:
# the file loads as it did before the check of unknown columns; a value
# under it, which no one reads, is refused.
printf '%s,\nx,*,monthly,10,,no,,\n' "$bh" >bc.csv
"$BURNRATE" --store "$tmp/bstore" init >/dev/null
"$BURNRATE" --store "$tmp/bstore" report --budgets bc.csv --as-of 2025-10-31 \
	>bc.out 2>bc.err ||
	fail "a budgets file of a trailing comma is refused: $(cat bc.err)"
printf 'name,scope,period,limit_usd,\nx,*,monthly,10,80\n' >bc.csv
expect 2 "bc.csv:2: value '80' in column 5, which the header leaves unnamed" \
	br report --budgets bc.csv --as-of 2025-10-31

# A global option after the command is told where it goes (it was only
# "report: unknown option '--store'"); exit 2 still.
expect_usage "report: --store is a global option: put it before the command: burnrate --store X report" \
	"$BURNRATE" report --store X --month 2025-10
expect_usage "report: --config is a global option: put it before the command: burnrate --config c.conf report" \
	"$BURNRATE" report --config=c.conf
expect_usage "compact: --quiet is a global option: put it before the command: burnrate --quiet compact" \
	"$BURNRATE" compact --quiet
# So is every spelling of one, from the table the global options are
# parsed with (--version was "unknown option"). But -h, as --help, after
# the command prints its usage.
"$BURNRATE" report -h >rh.out || fail "report -h: exit $?"
head -n 1 rh.out | grep -q '^usage: burnrate \[global options\] report ' ||
	fail "report -h: not report's usage: $(head -n 2 rh.out)"
# Not after "--", which ends the options: -h there is a log's name (it
# printed ingest's usage, exit 0, the log not read).
printf '{"timestamp":"2025-10-01T12:00:00Z","provider":"openai","model":"gpt-4o","usage":{"input_tokens":7}}\n' >-h
"$BURNRATE" --quiet --store dash-h ingest -- -h >dh.out 2>&1 || fail "ingest -- -h: exit $?: $(cat dh.out)"
[ "$("$BURNRATE" --store dash-h report --as-of 2025-10-31 --format csv | tail -n 1 | cut -d, -f2,4)" = 1,7 ] ||
	fail "ingest -- -h did not read the log -h: $(cat dh.out)"
expect_usage "verify: --version is a global option: put it before the command: burnrate --version verify" \
	"$BURNRATE" verify --version
expect_usage "report: unknown option '--stores'" "$BURNRATE" report --stores X

# A value option given twice is refused: the first was dropped unseen
# (--prices A --prices B priced without A's rows).
expect_usage "ingest: option '--prices' given twice (it takes one value)" \
	br ingest --prices prices.csv --prices=prices.csv good.jsonl
expect_usage "report: option '--prices' given twice (it takes one value)" \
	br report --reprice --prices prices.csv --prices prices.csv
expect_usage "check: option '--prices' given twice (it takes one value)" \
	br check --prices prices.csv --write-baseline b.json --prices prices.csv good.jsonl
expect_usage "prices: option '--prices' given twice (it takes one value)" \
	br prices --prices prices.csv --prices prices.csv check
expect_usage "report: option '--format' given twice (it takes one value)" \
	br report --format json --format csv
# So are the global options, and an empty store, configuration or output
# (--store= made ./burnrate-data; --output= failed at run time, exit 1).
expect_usage "option '--store' given twice (it takes one value)" br --store=other init
expect_usage "option '--config' given twice (it takes one value)" \
	"$BURNRATE" --config /dev/null --config=/dev/null init
expect_usage "option '--store' needs a value, not an empty one" "$BURNRATE" --store= init
expect_usage "option '--quiet' takes no value" "$BURNRATE" --quiet=yes init
expect_usage "report: --output needs a file name, not an empty one" br report --output=
# So is an empty rejects file (it failed at run time, exit 1, "cannot open
# rejects file ''").
expect_usage "ingest: --rejects needs a file name, not an empty one" \
	br ingest --rejects '' good.jsonl
# A --map path longer than a JSON path may be is refused, not cut.
long=$(printf 'k%.0s' $(seq 128))
expect_usage "ingest: invalid --map 'agent=$long': path longer than 127 bytes or of more than 8 components" \
	br ingest --map "agent=$long" good.jsonl
expect_usage "ingest: invalid --label 'a.b.c.d.e.f.g.h.i': path longer than 127 bytes or of more than 8 components" \
	br ingest --label a.b.c.d.e.f.g.h.i good.jsonl
# Every other option's error has the same form (--map said "--map: unknown
# field 'foo'" without the command, its value or the pointer to --help;
# --format and init's --timezone said only what was wrong with the value).
fields="timestamp, provider, model, agent, label, request_id, status, service_tier, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cache_write_1h_tokens, reasoning_tokens, cost_usd (or input, output, cache_read, cache_write, cache_write_1h, reasoning for the token counts)"
expect_usage "ingest: invalid --map 'foo=bar': unknown field 'foo'; expected one of $fields" \
	br ingest --map foo=bar good.jsonl
expect_usage "ingest: invalid --map 'model=': empty path" br ingest --map model= good.jsonl
expect_usage "ingest: invalid --map 'model': expected CANON=PATH" br ingest --map model good.jsonl
expect_usage "ingest: invalid --label '': empty path" br ingest --label '' good.jsonl
expect_usage "ingest: --format: unknown format 'foo'; expected one of auto, generic, openai, anthropic, gemini, bedrock, claude-code, openai-usage, litellm, helicone, langfuse" \
	br ingest --format foo good.jsonl
expect_usage "ingest: invalid --cost-mode 'foo': expected auto, calculate or display" \
	br ingest --cost-mode foo good.jsonl
expect_usage "ingest: invalid --jobs '0': expected a count from 1 to 1024" \
	br ingest --jobs 0 good.jsonl
expect_usage "ingest: invalid --max-ratio '1': expected a factor from 2 to 1000000" \
	br ingest --max-ratio 1 good.jsonl
expect_usage "init: --timezone: unknown time zone 'Foo/Bar': No such file or directory" \
	"$BURNRATE" --store "$tmp/tzstore" init --timezone Foo/Bar
[ ! -e "$tmp/tzstore" ] || {
	echo "FAIL: init with a bad --timezone created the store" >&2
	failures=$((failures + 1))
}

# A missing input: 1, named.
expect 1 no-such-file.jsonl br ingest no-such-file.jsonl

# A report of a store that does not exist: 1, the store named.
expect 1 "$tmp/nowhere" "$BURNRATE" --store "$tmp/nowhere" report --as-of 2025-10-31
[ ! -e "$tmp/nowhere" ] || {
	echo "FAIL: report created the missing store $tmp/nowhere" >&2
	failures=$((failures + 1))
}

# A truncated gzip, read first: it contributes nothing (not even the request
# ids it holds: good-twin.jsonl reuses them and must count in full), it is
# named, the exit status is 1, and the other inputs are ingested.
gen --seed 42 --records 3000 --format jsonl --id-prefix t- --out trunc.jsonl
gzip -n -c trunc.jsonl >whole.gz
size=$(wc -c <whole.gz)
head -c "$((size * 2 / 3))" whole.gz >trunc.jsonl.gz
gen --seed 43 --records 500 --format jsonl --id-prefix t- --out good-twin.jsonl
expect 1 trunc.jsonl.gz "$BURNRATE" --store "$tmp/st-trunc" ingest \
	--prices prices.csv trunc.jsonl.gz good.jsonl good-twin.jsonl
"$BURNRATE" --store "$tmp/st-trunc" report --as-of 2099-12-31 \
	--by day,provider,model,agent --format json >trunc-report.json ||
	fail "report after a truncated input exited $?"
"$PYTHON" "$root/tests/oracle.py" expect --prices prices.csv --as-of 2099-12-31 \
	good.jsonl good-twin.jsonl >trunc-expected.json
if ! "$PYTHON" "$root/tests/oracle.py" compare --expected trunc-expected.json \
	--report trunc-report.json; then
	echo "FAIL: after a truncated gzip the other inputs are not counted as expected" >&2
	failures=$((failures + 1))
else
	echo "ok truncated gzip contributes nothing, the others count in full"
fi

# Standard input.
expect 0 "" sh -c "'$BURNRATE' --store '$tmp/st-stdin' ingest --prices prices.csv - <good.jsonl"
"$BURNRATE" --store "$tmp/st-stdin" report --as-of 2099-12-31 --format json \
	--by day,provider,model,agent >stdin-report.json || fail "report exited $?"
"$PYTHON" "$root/tests/oracle.py" expect --prices prices.csv --as-of 2099-12-31 \
	good.jsonl >stdin-expected.json
"$PYTHON" "$root/tests/oracle.py" compare --expected stdin-expected.json \
	--report stdin-report.json >/dev/null || {
	echo "FAIL: ingest of standard input disagrees with the oracle" >&2
	failures=$((failures + 1))
}
# A closed standard input is an error, named; the store's lock file,
# which took descriptor 0, was read as the log and closed (its lock gone).
expect 1 "cannot read standard input: it is closed" \
	sh -c "'$BURNRATE' --store '$tmp/st-closed' ingest --prices prices.csv good.jsonl - <&-"
grep -q '^ingested 1 input: ' out.txt || {
	echo "FAIL: the input beside a closed standard input: $(cat out.txt)" >&2
	failures=$((failures + 1))
}
expect 0 "" "$BURNRATE" --store "$tmp/st-closed" verify
# A report to a closed standard output fails, as writing to a closed
# descriptor does (it went to /dev/null, exit 0).
expect 1 "cannot write standard output" \
	sh -c "'$BURNRATE' --store '$tmp/st-closed' report --as-of 2099-12-31 >&-"
# But run's standard output is only its summary: closed (a cron line's
# '>&-'), the night's work is done, and its exit status is the work's,
# with a warning (it was 1, 'cannot write standard output').
printf 'store %s\ntimezone UTC\ninput %s\nprices prices.csv\n' \
	"$tmp/st-run-closed" "$PWD/good.jsonl" >run-closed.conf
set +e
sh -c "'$BURNRATE' --config run-closed.conf run --as-of 2099-12-31 >&-" 2>err.txt
got=$?
set -e
[ "$got" -eq 0 ] && grep -q '^burnrate: warning: cannot write the summary to standard output: ' err.txt &&
	[ "$("$BURNRATE" --store "$tmp/st-run-closed" report --as-of 2099-12-31 --format csv | wc -l)" -gt 1 ] || {
	echo "FAIL: run with standard output closed exited $got, want 0 and a warning, its data ingested: $(cat err.txt)" >&2
	failures=$((failures + 1))
}

# So are ingest's and notify's, but for ingest --replace --dry-run's,
# which is its product: closed, ingest and notify exited 1 ('cannot write
# standard output') with their data published and their mail written; a
# preview nobody got still fails.
closed_summary() { # WHAT STORE COMMAND...: exit 0, the summary's warning
	what=$1 st=$2
	shift 2
	set +e
	sh -c "'$BURNRATE' --store '$st' $* >&-" 2>err.txt
	got=$?
	set -e
	[ "$got" -eq 0 ] && grep -q '^burnrate: warning: cannot write the summary to standard output: ' err.txt &&
		! grep -q '^burnrate: error' err.txt || {
		echo "FAIL: $what with standard output closed exited $got, want 0 and a warning: $(cat err.txt)" >&2
		failures=$((failures + 1))
	}
}
closed_summary ingest "$tmp/st-ingest-closed" ingest --prices prices.csv good.jsonl
[ "$("$BURNRATE" --store "$tmp/st-ingest-closed" report --as-of 2099-12-31 --format csv | wc -l)" -gt 1 ] || {
	echo "FAIL: ingest with standard output closed published nothing" >&2
	failures=$((failures + 1))
}
printf 'name,scope,period,limit_usd,thresholds,forecast,recipients\nall,*,monthly,0.000001,,no,a@example.com\n' >closed-budgets.csv
mkdir closed-mail
closed_summary notify "$tmp/st-ingest-closed" notify --budgets closed-budgets.csv \
	--as-of 2025-10-31 --dry-run closed-mail
[ -n "$(ls closed-mail)" ] || {
	echo "FAIL: notify with standard output closed wrote no message" >&2
	failures=$((failures + 1))
}
expect 1 "cannot write standard output" \
	sh -c "'$BURNRATE' --store '$tmp/st-ingest-closed' ingest --prices prices.csv --replace 2099-01-01..2099-12-31 --dry-run good.jsonl >&-"
# init, merge and compact too: the store made, merged, compacted.
closed_summary init "$tmp/st-init-closed" init
[ -f "$tmp/st-init-closed/burnrate.store" ] || {
	echo "FAIL: init with standard output closed made no store" >&2
	failures=$((failures + 1))
}
closed_summary merge "$tmp/st-merge-closed" merge "$tmp/st-ingest-closed"
closed_summary compact "$tmp/st-merge-closed" compact
[ "$("$BURNRATE" --store "$tmp/st-merge-closed" report --as-of 2099-12-31 --format csv)" = \
  "$("$BURNRATE" --store "$tmp/st-ingest-closed" report --as-of 2099-12-31 --format csv)" ] || {
	echo "FAIL: merge and compact with standard output closed: not the store merged" >&2
	failures=$((failures + 1))
}
# check --write-baseline's output is a summary of the baseline it wrote
# (it exited 1 with the baseline written); check --baseline's is the
# verdict, its product: that still fails.
closed_summary "check --write-baseline" "$tmp/st-check-closed" check \
	--prices prices.csv --write-baseline closed-base.json good.jsonl
[ -s closed-base.json ] || {
	echo "FAIL: check --write-baseline with standard output closed wrote no baseline" >&2
	failures=$((failures + 1))
}
expect 1 "cannot write the check's output" \
	sh -c "'$BURNRATE' check --prices prices.csv --baseline closed-base.json good.jsonl >&-"

# A segment that cannot be read is no corrupt one: report names it and
# why, without the advice for corrupt segments, also with --skip-corrupt.
# Permissions do not stop root: then a directory stands in for it.
"$BURNRATE" --store "$tmp/st-perm" ingest --prices prices.csv good.jsonl >/dev/null 2>&1 ||
	fail "ingest exited $?"
seg=$(ls "$tmp"/st-perm/segments/seg-*)
if [ "$(id -u)" -ne 0 ]; then
	chmod 000 "$seg"
	why="cannot read: Permission denied"
else
	rm "$seg" && mkdir "$seg"
	why="cannot read: Is a directory"
fi
for skip in "" --skip-corrupt; do
	expect 1 "segment '$seg': $why" "$BURNRATE" --store "$tmp/st-perm" report \
		--as-of 2025-10-31 $skip
	! grep -q 'corrupt\|verify' err.txt || {
		echo "FAIL: an unreadable segment is called corrupt: $(cat err.txt)" >&2
		failures=$((failures + 1))
	}
done
chmod 644 "$seg" 2>/dev/null || true

# A corrupt segment: report and verify exit 1 and name it. The segment is
# the largest file in the store; one byte in its middle is flipped.
br ingest --prices prices.csv good.jsonl >/dev/null 2>&1 || fail "ingest exited $?"
expect 0 "" br verify
# An empty --source of a report is a usage error, as of an ingest, which
# never makes one ('--source "$UNSET"' gave a report of $0, exit 0).
expect_usage "report: --source must not be empty" br report --source ''
seg=$(find "$tmp/store" -type f -exec ls -S {} + | head -n 1)
[ -n "$seg" ] || fail "no segment file in the store"
"$PYTHON" - "$seg" <<'EOF'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
b[len(b) // 2] ^= 0x55
open(p, "wb").write(bytes(b))
EOF
segname=$(basename "$seg")
expect 1 "$segname" br report --as-of 2025-10-31
expect 1 "$segname" br verify

# Without --rejects, the first five rejected records of the inputs kept
# are named under the warning that counts them, by file, line and reason,
# their control characters replaced (it said only "7 records rejected; use
# --rejects FILE to see them"); a failed input's are not among them.
gen --seed 42 --records 20 --format jsonl --out rej.jsonl
{ head -n 2 rej.jsonl; printf 'bad \033[31mred\033[0m\n'; sed -n 3,4p rej.jsonl
  for i in 1 2 3 4 5 6; do echo "junk $i"; done; } >rej2.jsonl
printf 'junk in a truncated gzip\n' | gzip | head -c 20 >rej3.jsonl.gz
set +e
"$BURNRATE" --store "$tmp/rstore" ingest --jobs 1 rej3.jsonl.gz rej2.jsonl >out.txt 2>err.txt
set -e
grep -q '^burnrate: warning: 7 records rejected, the first 5 (use --rejects FILE to see them all):$' err.txt &&
	grep -q '^  rej2.jsonl:3: invalid JSON at byte 1: not a JSON object: bad ?\[31mred?\[0m$' err.txt &&
	grep -q '^  rej2.jsonl:9: .*junk 4$' err.txt && ! grep -q 'junk 5' err.txt &&
	! grep -q '^  rej3' err.txt ||
	{ echo "FAIL: rejects not named without --rejects: $(cat err.txt)" >&2
	  failures=$((failures + 1)); }
if LC_ALL=C grep -q "$(printf '\033')" err.txt; then
	echo "FAIL: a reject's escape sequence reached stderr raw" >&2
	failures=$((failures + 1))
fi

# --rejects naming an input is refused before it is opened (opening it
# emptied the log: "0 records", exit 0); one inside a directory walked is
# left out of the walk, not read as a log while it is written.
cp rej.jsonl self.jsonl
expect 2 "the rejects file 'self.jsonl' is the input 'self.jsonl'" \
	"$BURNRATE" --store "$tmp/selfstore" ingest --rejects self.jsonl self.jsonl
cmp -s rej.jsonl self.jsonl || { echo "FAIL: --rejects emptied its input" >&2
	failures=$((failures + 1)); }
mkdir -p walked
cp rej2.jsonl walked/a.jsonl
for i in 1 2; do
	"$BURNRATE" --store "$tmp/wstore$i" ingest --rejects walked/rejects.jsonl \
		walked >out.txt 2>err.txt || true
	grep -q '^ingested 1 input: ' out.txt ||
		{ echo "FAIL: the rejects file was walked as an input (run $i): $(cat out.txt)" >&2
		  failures=$((failures + 1)); }
done
[ "$(wc -l <walked/rejects.jsonl)" -eq 7 ] ||
	{ echo "FAIL: rejects file: $(cat walked/rejects.jsonl)" >&2
	  failures=$((failures + 1)); }

# --output and --write-baseline onto a FIFO (a device, /dev/null) or a
# link (dangling, or a chain of them) write into what it names: a rename over it made, as root,
# /dev/null a regular file (every later '2>/dev/null' of the machine then
# wrote into it, and reads of it returned what they wrote). The FIFO is
# held open for reading and writing here, so no open of it blocks.
for cmd in "report --as-of 2025-10-31 --format csv --output" "check --write-baseline"; do
	rm -f out.fifo link.csv target.csv
	mkfifo out.fifo
	exec 3<>out.fifo
	if [ "${cmd%% *}" = check ]; then
		"$BURNRATE" $cmd out.fifo good.jsonl >/dev/null 2>&1 || true
	else
		"$BURNRATE" --store "$tmp/rstore" $cmd out.fifo >/dev/null 2>&1 || true
	fi
	[ -p out.fifo ] && got=$(timeout 5 head -c 4 <&3) || got=
	exec 3>&-
	if [ -z "$got" ]; then
		echo "FAIL: '$cmd' onto a FIFO replaced it or wrote nothing" >&2
		failures=$((failures + 1))
	fi
	: >target.csv
	ln -s target.csv link.csv
	if [ "${cmd%% *}" = check ]; then
		"$BURNRATE" $cmd link.csv good.jsonl >/dev/null 2>&1 || true
	else
		"$BURNRATE" --store "$tmp/rstore" $cmd link.csv >/dev/null 2>&1 || true
	fi
	if [ ! -L link.csv ] || [ ! -s target.csv ]; then
		echo "FAIL: '$cmd' onto a link replaced it or left its file empty" >&2
		failures=$((failures + 1))
	fi
	# A dangling link, through a chain (link.csv -> sub/l2 ->
	# ../target.csv, relative to each link's directory): the file
	# named is created, the links kept. The first link was replaced by
	# a regular file and target.csv never made.
	rm -rf link.csv target.csv sub
	mkdir sub
	ln -s sub/l2 link.csv
	ln -s ../target.csv sub/l2
	if [ "${cmd%% *}" = check ]; then
		"$BURNRATE" $cmd link.csv good.jsonl >/dev/null 2>&1 || true
	else
		"$BURNRATE" --store "$tmp/rstore" $cmd link.csv >/dev/null 2>&1 || true
	fi
	if [ ! -L link.csv ] || [ ! -L sub/l2 ] || [ ! -s target.csv ]; then
		echo "FAIL: '$cmd' onto a dangling link replaced it or did not create its file" >&2
		failures=$((failures + 1))
	fi
	if ls -a . sub | grep -q 'tmp-'; then
		echo "FAIL: '$cmd' left a temporary file: $(ls -a . sub | grep tmp-)" >&2
		failures=$((failures + 1))
	fi
done

# A file size limit (ulimit -f): the write fails naming the file, exit 1,
# and leaves no temporary file (SIGXFSZ killed the process, exit 153,
# without a word, leaving NAME.tmp-PID). The temporary file a writer
# killed before it finished left is removed by the next write of that
# output, unless its process still runs or it was written in the last
# hour (its PID may be another host's).
"$BURNRATE" --quiet --store fsz ingest "$root/samples/logs" 2>/dev/null || true
expect 1 "cannot write 'fsz.json': File too large" sh -c \
	'ulimit -f 1; exec "$0" --store fsz report --as-of 2025-10-31 --by day,provider,model,agent --format json --output fsz.json' "$BURNRATE"
ls fsz.json.tmp-* >/dev/null 2>&1 && note "a file size limit left $(ls fsz.json.tmp-*)"
dead=4000000
while kill -0 $dead 2>/dev/null; do dead=$((dead + 1)); done
: >fsz.json.tmp-$dead
: >fsz.json.tmp-$$
: >fsz.json.tmp-$((dead + 1))
touch -d '2 hours ago' fsz.json.tmp-$dead fsz.json.tmp-$$
"$BURNRATE" --store fsz report --as-of 2025-10-31 --format json --output fsz.json ||
	note "a report beside stale temporary files exited $?"
[ ! -e fsz.json.tmp-$dead ] || note "a dead writer's fsz.json.tmp-$dead was left"
[ -e fsz.json.tmp-$$ ] || note "a running writer's fsz.json.tmp-$$ was removed"
[ -e fsz.json.tmp-$((dead + 1)) ] || note "a temporary file written in the last hour was removed"
rm -f fsz.json.tmp-$$ fsz.json.tmp-$((dead + 1))

# A report --output ended by SIGTERM or SIGHUP (a CI job's timeout, a
# closed terminal) before its file is in place removes its temporary
# file, and dies of the signal (it left FILE.tmp-PID, which only a write
# of FILE an hour later removed). strace holds the fsync before the
# rename, so that the signal comes while the file is being written. The
# report's SIGHUP is reset to its default: one ignored when the tests
# start (make check under nohup) stays ignored, and the report is put in
# place.
if command -v strace >/dev/null 2>&1 &&
	traced -f -qq -o /dev/null -e trace=fsync \
		-e inject=fsync:delay_enter=1000 true 2>/dev/null; then
	for sig in TERM HUP; do
		rm -f sig.json sig.json.tmp-*
		traced -f -qq -o /dev/null -e trace=fsync \
			-e inject=fsync:delay_enter=3000000 \
			env --default-signal=HUP "$BURNRATE" --store fsz \
			report --as-of 2025-10-31 --format json --output sig.json &
		tracer=$!
		n=0
		while ! ls sig.json.tmp-* >/dev/null 2>&1 && [ $n -lt 100 ]; do
			sleep 0.1
			n=$((n + 1))
		done
		sleep 0.3
		for p in $(pgrep -f -- '--output sig.json'); do
			[ "$(cat /proc/$p/comm 2>/dev/null)" != burnrate ] ||
				kill -$sig $p
		done
		set +e
		wait $tracer 2>/dev/null
		set -e
		! ls sig.json.tmp-* >/dev/null 2>&1 ||
			note "SIG$sig left $(ls sig.json.tmp-*)"
		[ ! -e sig.json ] || note "SIG$sig: the report was still put in place"
	done
fi

# A report that cannot be written to standard output (a full disk) is
# one failure told once (it was told twice: the report, then stdout).
if [ -w /dev/full ]; then
	"$BURNRATE" --quiet --store "$tmp/st-full" ingest "$root/samples/logs" >/dev/null 2>&1 || true
	for f in table json; do
		set +e
		"$BURNRATE" --store "$tmp/st-full" report --format "$f" --as-of 2099-12-31 \
			>/dev/full 2>full.err
		got=$?
		set -e
		[ "$got" -eq 1 ] && [ "$(grep -c '^burnrate: error: ' full.err)" -eq 1 ] &&
			grep -q 'cannot write standard output: No space left on device' full.err ||
			note "report --format $f to /dev/full: exit $got: $(cat full.err)"
	done
fi

# Days are written with four digits: a timestamp within years 0000-9999
# in UTC whose day in the store's time zone is not is rejected, naming
# the zone (9999-12-31T20:00:00Z, 10000-01-01 in Tokyo, was reported as
# 0000-01-01), as is one outside them in UTC (0000-01-01T00:30:00+01:00
# was day 0001-12-31).
"$BURNRATE" --quiet --store "$tmp/tokyo" init --timezone Asia/Tokyo
printf '%s\n' '{"timestamp":"9999-12-31T20:00:00Z","provider":"openai","model":"gpt-4o","request_id":"z1","usage":{"input_tokens":1}}' \
	'{"timestamp":"9999-12-31T14:59:59Z","provider":"openai","model":"gpt-4o","request_id":"z2","usage":{"input_tokens":1}}' \
	'{"timestamp":"0000-01-01T00:30:00+01:00","provider":"openai","model":"gpt-4o","request_id":"z3","usage":{"input_tokens":1}}' >edge-days.jsonl
"$BURNRATE" --quiet --store "$tmp/tokyo" ingest --rejects edge-days.rej edge-days.jsonl ||
	note "ingest of edge days exited $?"
grep -q '^edge-days.jsonl:1: day outside years 0000 to 9999 in time zone Asia/Tokyo: ' edge-days.rej &&
	grep -q "^edge-days.jsonl:3: invalid timestamp '0000-01-01T00:30:00+01:00': outside years 0000 to 9999 (UTC): " edge-days.rej &&
	[ "$(wc -l <edge-days.rej)" -eq 2 ] ||
	note "edge days not rejected: $(cat edge-days.rej)"
"$BURNRATE" --store "$tmp/tokyo" report --since 9999-12-01 --until 9999-12-31 \
	--as-of 9999-12-31 --by day --format csv | grep -q '^9999-12-31,1,' ||
	note "9999-12-31 in Tokyo not kept"

# A CSV header naming a column burnrate reads twice fails the input,
# naming file, line and column: the first input_tokens (or an export's last
# spend) was read and the other lost unseen. A column not read may repeat.
"$BURNRATE" --quiet --store "$tmp/dup" init
printf '%s\n' 'timestamp,provider,model,input_tokens,note,input_tokens' \
	'2025-10-01T00:00:00Z,openai,gpt-4o,100,a,5000000' >dup.csv
expect 1 "dup.csv:1: CSV header names column 'input_tokens' twice (columns 4 and 6)" \
	"$BURNRATE" --store "$tmp/dup" ingest dup.csv
printf '%s\n' 'Model,timestamp,provider, model ,input_tokens' \
	'gpt-4o,2025-10-01T00:00:00Z,openai,o1,100' >dupcase.csv
expect 1 "dupcase.csv:1: CSV header names column 'model' twice (columns 1 and 4)" \
	"$BURNRATE" --store "$tmp/dup" ingest dupcase.csv
# ... but a column spelt as the name is the one read, whatever others
# match it in another case (a spreadsheet's "Model" beside "model"): it
# was read before, and is not refused.
printf '%s\n' 'timestamp,provider,model,Model,input_tokens' \
	'2025-10-01T00:00:00Z,openai,gpt-4o,GPT-4o (display),100' >dupspelt.csv
"$BURNRATE" --quiet --store "$tmp/dupspelt" init
expect 0 "" "$BURNRATE" --store "$tmp/dupspelt" ingest dupspelt.csv
"$BURNRATE" --store "$tmp/dupspelt" report --by model --format csv |
	grep -q "^gpt-4o,1," || note "a model column beside a Model one: not read"
printf '%s\n' 'timestamp,provider,model,in,in' \
	'2025-10-01T00:00:00Z,openai,gpt-4o,1,2' >dupmap.csv
expect 1 "dupmap.csv:1: CSV header names column 'in' twice (columns 4 and 5)" \
	"$BURNRATE" --store "$tmp/dup" ingest --map input_tokens=in dupmap.csv
printf '%s\n' 'request_id,startTime,spend,model,api_base,spend,api_base' \
	'r1,2025-10-01T00:00:00Z,0.5,gpt-4o,x,99,y' >dupexport.csv
expect 1 "dupexport.csv:1: CSV header names column 'spend' twice (columns 3 and 6)" \
	"$BURNRATE" --store "$tmp/dup" ingest dupexport.csv
printf '%s\n' 'timestamp,provider,model,input_tokens,note,note' \
	'2025-10-01T00:00:00Z,openai,gpt-4o,100,a,b' >dupnote.csv
printf '%s\n' 'request_id,startTime,spend,model,api_base,api_base' \
	'r2,2025-10-01T00:00:00Z,0.5,gpt-4o,x,y' >dupnote2.csv
expect 0 "" "$BURNRATE" --store "$tmp/dup" ingest dupnote.csv dupnote2.csv

if [ "$failures" -ne 0 ]; then
	echo "errors: $failures check(s) failed" >&2
	exit 1
fi
echo "errors: all checks passed"
