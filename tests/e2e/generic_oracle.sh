#!/bin/sh
# generic_oracle.sh - burnrate against the independent oracle (tests/oracle.py)
# on nasty generic JSONL and CSV logs: plain, gzip, multi-member gzip and a
# directory; every cost mode, --no-dedupe, other groupings and periods.
# Report rows must agree exactly (tokens, counts) and to 1e-6 USD (cost); the
# rejects file must name exactly the (file, line) pairs the oracle rejects.
. "$(dirname "$0")/common.inc"
cd "$tmp"

# Prices exercising every rule: history, long-context tiers, service tiers,
# a separate reasoning rate, cache rates falling back to the input rate and
# 1h writes to the 5m rate, 6-decimal rates, an empty provider, a model with
# no price before a date, and models without any price.
cat >prices.csv <<'EOF'
provider,model,from,input,output,cache_read,cache_write,cache_write_1h,reasoning,min_input_tokens,tier
openai,gpt-4o,,2.50,10.00,1.25,,,,,
openai,gpt-4o,2025-10-15,2.000001,8.123456,1.000001,,,,,
openai,gpt-4o,,1.25,5.00,,,,,,batch
openai,gpt-4o-mini,,0.15,0.60,0.075,,,,,
openai,gpt-4o-mini,,0.30,1.20,,,,,,priority
openai,o4-mini,,1.10,4.40,0.275,,,8.8,,
anthropic,claude-sonnet-4-5,,3,15,0.30,3.75,6,,,
anthropic,claude-haiku-4-5,,1,5,0.10,1.25,,,,
anthropic,claude-haiku-4-5,,0.5,2.5,0.05,0.625,,,,batch
google,gemini-2.5-pro,,1.25,10,0.125,,,,,
google,gemini-2.5-pro,,2.50,15,0.25,,,,200001,
google,gemini-2.5-pro,2025-10-20,1.000000,9.999999,0.1,,,,,
google,gemini-2.5-pro,2025-10-20,2.000000,14.999999,0.2,,,,200001,
google,gemini-2.5-flash,2025-10-10,0.30,2.50,0.075,,,,,
,llama-3.3-70b,,0.59,0.79,,,,,,
EOF

mkdir in
gen --seed 11 --records 1500 --format jsonl --nasty --out in/a.jsonl
gen --seed 12 --records 1500 --format jsonl --nasty --out b.jsonl
gzip -n -c b.jsonl >in/b.jsonl.gz
# A multi-member gzip whose members split the text mid-record.
gen --seed 13 --records 1500 --format jsonl --nasty --out c.jsonl
size=$(wc -c <c.jsonl)
half=$((size / 2 + 7))
head -c "$half" c.jsonl | gzip -n -c >in/c.jsonl.gz
tail -c +"$((half + 1))" c.jsonl | gzip -n -c >>in/c.jsonl.gz
gen --seed 14 --records 1200 --format csv --nasty --out in/d.csv
gen --seed 15 --records 1200 --format csv --nasty --out e.csv
gzip -n -c e.csv >in/e.csv.gz
gen --seed 16 --records 800 --format jsonl --nasty --start 2025-09-28 \
	--days 6 --out in/f.log
# A directory: its files are read in byte order of their paths
# (d/a-b.jsonl < d/a.csv < d/a/x.jsonl), which decides which copy of a
# duplicated request id wins; hidden files and other names are skipped.
mkdir -p d/a d/.hidden
cat >d/a/x.jsonl <<'EOF'
{"timestamp":"2025-10-02T10:00:00Z","provider":"openai","model":"gpt-4o","agent":"dir","request_id":"dir-1","usage":{"input_tokens":3000}}
{"timestamp":"2025-10-02T10:00:00Z","provider":"openai","model":"gpt-4o","agent":"dir","request_id":"dir-3","usage":{"input_tokens":3}}
EOF
cat >d/a-b.jsonl <<'EOF'
{"timestamp":"2025-10-02T10:00:00Z","provider":"openai","model":"gpt-4o","agent":"dir","request_id":"dir-1","usage":{"input_tokens":1000}}
{"timestamp":"2025-10-02T10:00:00Z","provider":"openai","model":"gpt-4o","agent":"dir","request_id":"dir-2","usage":{"input_tokens":-1}}
EOF
printf 'timestamp,provider,model,agent,request_id,input_tokens\r\n2025-10-02T10:00:00Z,openai,gpt-4o,dir,dir-1,2000\r\n2025-10-02T10:00:00Z,openai,gpt-4o,dir,dir-2,20\r\n' >d/a.csv
cp d/a/x.jsonl d/.hidden/x.jsonl
cp d/a/x.jsonl d/.skipped.jsonl
echo 'not a log' >d/readme.txt
inputs="in/a.jsonl in/b.jsonl.gz in/c.jsonl.gz in/d.csv in/e.csv.gz in/f.log d"
asof=2099-12-31

# check NAME STORE ORACLE-OPTIONS... -- REPORT-OPTIONS...: compares one
# report of STORE with the oracle's expectation for the same inputs.
check() {
	name=$1 store=$2
	shift 2
	oopts=
	while [ "$1" != -- ]; do oopts="$oopts $1"; shift; done
	shift
	# shellcheck disable=SC2086
	oracle expect $oopts "$@" --as-of $asof --records-out "$name.records" \
		$inputs >"$name.expected" || fail "$name: the oracle failed"
	"$BURNRATE" --store "$store" report --as-of $asof "$@" --format json \
		--output "$name.json" || fail "$name: report --format json exited $?"
	"$BURNRATE" --store "$store" report --as-of $asof "$@" --format csv \
		--output "$name.csv" || fail "$name: report --format csv exited $?"
	# shellcheck disable=SC2086
	if oracle compare --expected "$name.expected" --report "$name.json" \
		--csv "$name.csv" --records "$name.records" $rej; then
		echo "ok $name"
	else
		echo "FAIL generic_oracle: $name: burnrate and the oracle disagree (above)" >&2
		failed="$failed $name"
	fi
}
failed=

ingest() { # STORE REJECTS OPTIONS...
	store=$1 rejects=$2
	shift 2
	# shellcheck disable=SC2086
	"$BURNRATE" --store "$store" ingest --prices prices.csv \
		--rejects "$rejects" "$@" $inputs >"$store.out" 2>"$store.err" ||
		{ cat "$store.err" >&2; fail "ingest $* exited $? (rejects must not fail it)"; }
	[ -s "$rejects" ] || fail "ingest $*: the rejects file is empty"
}

ingest s-auto rej-auto.txt
rej="--rejects rej-auto.txt"
check auto s-auto --prices prices.csv -- --by day,provider,model,agent
rej=
check auto-week-label s-auto --prices prices.csv -- --by week,label,provider
check auto-month-oct s-auto --prices prices.csv -- --by month,model \
	--month 2025-10
check auto-period s-auto --prices prices.csv -- --by day,agent \
	--since 2025-09-30 --until 2025-10-02

ingest s-calc rej-calc.txt --cost-mode calculate
rej="--rejects rej-calc.txt"
check calculate s-calc --prices prices.csv --cost-mode calculate -- \
	--by day,provider,model,agent

ingest s-disp rej-disp.txt --cost-mode display
rej="--rejects rej-disp.txt"
check display s-disp --cost-mode display -- --by day,provider,model,agent

ingest s-nodedupe rej-nd.txt --no-dedupe
rej="--rejects rej-nd.txt"
check no-dedupe s-nodedupe --prices prices.csv --no-dedupe -- \
	--by day,provider,model,agent
[ -z "$failed" ] || fail "checks that disagree:$failed"
echo "generic_oracle: all checks passed"
