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
# The JSON type of agent, label, request_id, status and cost_usd never
# rejects a record (DESIGN §3): agent and label other than a string are "";
# request_id an integer is its decimal text (-0 is "0", and 7 the same id
# as "7"), anything else no id; status any number >= 400 (exactly) or a
# string per oracle's is_error_status is an error, a bool, null, object or
# array is not; cost_usd a number is the logged cost, anything else none.
# A token count of -0 is the integer 0, as the id -0 is "0".
# The last lines are still rejects: provider, tier, tokens, epoch seconds
# in a string (a repeated key: the last one counts).
t='"timestamp":"2025-10-03T09:00:00Z","provider":"openai","model":"gpt-4o"'
u='"usage":{"input_tokens":1000,"output_tokens":10}'
while read -r kv; do
	printf '{%s,%s,%s}\n' "$t" "$u" "$kv"
done >in/types.jsonl <<'EOF'
"agent":"st-float","status":503.0
"agent":"st-float-low","status":399.9
"agent":"st-float-400","status":400.0
"agent":"st-exp","status":4e2
"agent":"st-exp-frac","status":0.4e3
"agent":"st-exp-low","status":3.999E+2
"agent":"st-near","status":399.99999999999999999999
"agent":"st-huge","status":1e400
"agent":"st-tiny","status":4e-400
"agent":"st-neg","status":-500
"agent":"st-negzero","status":-0.0
"agent":"st-bigint","status":100000000000000000000
"agent":"st-zero","status":0
"agent":"st-false","status":false
"agent":"st-true","status":true
"agent":"st-null","status":null
"agent":"st-obj","status":{"code":500}
"agent":"st-arr","status":[500]
"agent":"st-word","status":"FaIlEd"
"agent":"st-word-esc","status":"\u0065rror"
"agent":"st-digits","status":"0000000000000000000000000503"
"agent":"st-digits-low","status":"0000000000000000000000000399"
"agent":"st-digits-frac","status":"503.0"
"agent":"st-minus","status":"-503"
"agent":"rid-float","request_id":7.0
"agent":"rid-int","request_id":987654321
"agent":"rid-int-dup","request_id":"987654321"
"agent":"rid-negzero","request_id":-0
"agent":"rid-zero-dup","request_id":"0"
"agent":"rid-neg","request_id":-42
"agent":"rid-exp","request_id":1e2
"agent":"rid-exp-2","request_id":1e2
"agent":"rid-true","request_id":true
"agent":"rid-null","request_id":null
"agent":"rid-obj","request_id":{"id":"x"}
"agent":"rid-arr","request_id":["x"]
"agent":"cost-string","cost_usd":"0.01"
"agent":"cost-true","cost_usd":true
"agent":"cost-false","cost_usd":false
"agent":"cost-null","cost_usd":null
"agent":"cost-obj","cost_usd":{"usd":1}
"agent":"cost-arr","cost_usd":[1]
"agent":"cost-exp","cost_usd":1.5E-3
"agent":"cost-int","cost_usd":2
"agent":5,"label":"agent-int"
"agent":1.5,"label":"agent-float"
"agent":true,"label":"agent-true"
"agent":null,"label":"agent-null"
"agent":{"name":"x"},"label":"agent-obj"
"agent":["x"],"label":"agent-arr"
"agent":"label-int","label":7
"agent":"label-false","label":false
"agent":"label-null","label":null
"agent":"label-obj","label":{"team":"x"}
"agent":"label-arr","label":[]
"agent":"tok-negzero","usage":{"input_tokens":-0,"output_tokens":7}
"agent":5,"label":7,"request_id":3.5,"status":500.5,"cost_usd":"x"
"provider":42
"service_tier":5
"agent":"tok-float","usage":{"input_tokens":1.0}
"agent":"ts-epoch-string","timestamp":"1759485600"
"agent":"ts-epoch-string-ms","timestamp":"1759485600000"
EOF
# CSV cells are text: status a word or digits (any length), cost_usd a
# JSON number or empty; any other cost rejects its record; a timestamp
# of digits is epoch seconds (a cell has no JSON type); a token count of
# -0 (-00) is 0, as JSON's -0 is; +0 and -01 reject their records.
cat >in/types.csv <<'EOF'
timestamp,provider,model,agent,label,request_id,status,input_tokens,cost_usd
2025-10-03T09:00:00Z,openai,gpt-4o,c-st-float,,,503.0,1000,
2025-10-03T09:00:00Z,openai,gpt-4o,c-st-digits,,,0000000000000000000000000503,1000,
2025-10-03T09:00:00Z,openai,gpt-4o,c-st-digits-low,,,0000000000000000000000000399,1000,
2025-10-03T09:00:00Z,openai,gpt-4o,c-st-word,,,FAILURE,1000,
2025-10-03T09:00:00Z,openai,gpt-4o,c-st-true,,,true,1000,
2025-10-03T09:00:00Z,openai,gpt-4o,c-st-minus,,,-503,1000,
2025-10-03T09:00:00Z,openai,gpt-4o,c-rid,,7.0,,1000,
2025-10-03T09:00:00Z,openai,gpt-4o,c-rid-dup,,7.0,,1000,
2025-10-03T09:00:00Z,openai,gpt-4o,5,7,,,1000,
2025-10-03T09:00:00Z,openai,gpt-4o,c-cost-exp,,,,1000,1.5E-3
2025-10-03T09:00:00Z,openai,gpt-4o,c-cost-text,,,,1000,"0.01 "
2025-10-03T09:00:00Z,openai,gpt-4o,c-cost-true,,,,1000,true
2025-10-03T09:00:00Z,openai,gpt-4o,c-cost-null,,,,1000,null
2025-10-03T09:00:00Z,openai,gpt-4o,c-cost-dot,,,,1000,.5
1759485600,openai,gpt-4o,c-ts-epoch,,,,1000,
2025-10-03T09:00:00Z,openai,gpt-4o,c-tok-negzero,,,,-0,
2025-10-03T09:00:00Z,openai,gpt-4o,c-tok-negzero,,,,-00,
2025-10-03T09:00:00Z,openai,gpt-4o,c-tok-plus,,,,+0,
2025-10-03T09:00:00Z,openai,gpt-4o,c-tok-minus,,,,-01,
EOF
inputs="in/a.jsonl in/b.jsonl.gz in/c.jsonl.gz in/d.csv in/e.csv.gz in/f.log in/types.jsonl in/types.csv d"
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
