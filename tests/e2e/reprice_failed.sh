#!/bin/sh
# reprice_failed.sh - report --reprice of failed requests whose logged cost
# counts only for a success (every format but generic: docs/FORMATS.md).
# Such a request takes the catalog's price when the catalog has one, else
# its logged cost; re-priced, it kept whatever the ingest's catalog chose
# ($0.75 logged, where a fresh ingest with prices for its model gives
# $0.201). Now report --reprice [--prices FILE] equals a fresh ingest
# with the same prices, both ways (a model the new prices price, one they
# no longer do), per row and in the totals, in JSON and CSV, after compact
# and merge too; a store without such requests keeps format version 1.
. "$(dirname "$0")/common.inc"
cd "$tmp"
asof=2099-12-31
br() { "$BURNRATE" "$@"; }
# A LiteLLM spend log: acme/acme-x, unknown to the built-in catalog, fails
# twice (logged $0.75 and $0.25) and succeeds once ($0.50: the log's cost
# stands); openai/gpt-4o, which it prices, fails once (logged $0.40).
cat >fail.csv <<'EOF'
request_id,call_type,spend,total_tokens,prompt_tokens,completion_tokens,startTime,endTime,model,custom_llm_provider,status
r1,acompletion,0.75,3000,1000,2000,2025-10-01 10:00:00.000,2025-10-01 10:00:01.000,acme-x,acme,failure
r2,acompletion,0.5,3000,1000,2000,2025-10-01 11:00:00.000,2025-10-01 11:00:01.000,acme-x,acme,success
r3,acompletion,0.25,300,100,200,2025-10-02 12:00:00.000,2025-10-02 12:00:01.000,acme-x,acme,failure
r4,acompletion,0.4,3000,1000,2000,2025-10-02 13:00:00.000,2025-10-02 13:00:01.000,gpt-4o,openai,failure
EOF
printf 'provider,model,from,input,output,cache_read,cache_write\nacme,acme-x,,1,100,,\n' >new.csv

# report FORMAT STORE [ARGS...]: the report (json or csv, kept in
# out.FORMAT) without what names the prices behind it and without the
# cost as stored beside a re-priced one (actual_cost_usd).
report() {
	fmt=$1 store=$2
	shift 2
	br --store "$store" report --by day,provider,model --as-of $asof \
		--compare-costs --format "$fmt" "$@" >out.$fmt ||
		fail "report of $store exited $?"
	"$PYTHON" -c '
import csv, json, sys
if sys.argv[1] == "out.csv":
    for r in csv.DictReader(open(sys.argv[1])):
        r.pop("actual_cost_usd", None)
        print(sorted(r.items()))
    sys.exit()
d = json.load(open(sys.argv[1]))
d.pop("pricing")
for r in d["rows"] + [d["totals"]]:
    r.pop("actual_cost_usd", None)
print(json.dumps(d, sort_keys=True))' out.$fmt
}
# same WHAT STORE [ARGS...] -- STORE [ARGS...]: the two reports are the
# same, in JSON and in CSV.
same() {
	what=$1
	shift
	a_store=$1
	shift
	a_args=
	while [ "$1" != -- ]; do a_args="$a_args $1"; shift; done
	shift
	for fmt in json csv; do
		# shellcheck disable=SC2086
		report $fmt "$a_store" $a_args >a.$fmt
		report $fmt "$@" >b.$fmt
		[ "$(cat a.$fmt)" = "$(cat b.$fmt)" ] ||
			fail "$what ($fmt): $(cat a.$fmt) against $(cat b.$fmt)"
	done
}

br --quiet --store s0 ingest fail.csv 2>/dev/null   # built-in catalog
br --quiet --store s1 ingest --prices new.csv fail.csv 2>/dev/null
# The fresh ingests: acme-x's failures at their logged $0.75 and $0.25
# (the catalog prices neither), and with new.csv at $0.201 and $0.0201;
# gpt-4o's at the catalog's $0.0225 either way.
report json s0 >/dev/null
grep -q '"day":"2025-10-01","provider":"acme","model":"acme-x","requests":2,.*"cost_usd":1.250000,' out.json &&
	grep -q '"totals":{.*"cost_usd":1.522500,"unpriced_requests":0,' out.json ||
	fail "the fresh ingest's costs: $(cat out.json)"
report json s1 >/dev/null
grep -q '"day":"2025-10-01","provider":"acme","model":"acme-x","requests":2,.*"cost_usd":0.701000,' out.json &&
	grep -q '"totals":{.*"cost_usd":0.743600,"unpriced_requests":0,' out.json ||
	fail "the fresh ingest with new.csv's costs: $(cat out.json)"

# Re-priced with prices that price acme-x: as the fresh ingest with them
# (the logged $0.75 and $0.25 were kept: $1.50 where it gives $0.7211).
same "--reprice --prices new.csv against an ingest with new.csv" \
	s0 --reprice --prices new.csv -- s1
# ... and with prices that no longer do: the logged costs again, not
# unpriced requests.
same "--reprice against an ingest with the built-in catalog" \
	s1 --reprice -- s0
# The cost as charged stays beside the re-priced one.
report json s0 >/dev/null
mv out.json plain.json
report json s0 --reprice --prices new.csv >/dev/null
"$PYTHON" -c '
import json, sys
x, a = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
for rx, ra in zip(x["rows"] + [x["totals"]], a["rows"] + [a["totals"]]):
    assert rx["actual_cost_usd"] == ra["cost_usd"], (rx, ra)
assert x["totals"]["cost_usd"] != a["totals"]["cost_usd"]
' out.json plain.json || fail "actual_cost_usd of the re-priced report: $(cat out.json)"
# Re-priced with the catalog of the ingest: nothing changes.
same "a report of s0 against itself re-priced with the same catalog" \
	s0 --reprice -- s0

# The segment says version 3 (it holds rows of the new cost sources);
# a log without such failures keeps version 1.
version() { od -A n -t u4 -j 8 -N 4 "$1" | tr -d ' '; }
[ "$(version s0/segments/seg-0000000000000001.brs)" = 3 ] ||
	fail "a segment with failed requests' rows is not version 3"
grep -v failure fail.csv >ok.csv
br --quiet --store sok ingest ok.csv 2>/dev/null
[ "$(version sok/segments/seg-0000000000000001.brs)" = 1 ] ||
	fail "a segment without failed requests' rows is not version 1"
br --store s0 verify >/dev/null || fail "verify of a version 3 segment"

# Compacted, and merged into another store (with its own data): the same.
cp fail.csv fail2.csv
sed -i 's/^r\([0-9]\),/q\1,/; s/2025-10-0/2025-11-0/g' fail2.csv
br --quiet --store s0 ingest fail2.csv 2>/dev/null
br --quiet --store s1 ingest --prices new.csv fail2.csv 2>/dev/null
br --store s0 compact >/dev/null || fail "compact exited $?"
[ "$(ls s0/segments)" = seg-0000000000000003.brs ] ||
	fail "compaction left $(ls s0/segments)"
[ "$(version s0/segments/seg-0000000000000003.brs)" = 3 ] ||
	fail "the compacted segment is not version 3"
same "compacted, --reprice --prices new.csv" s0 --reprice --prices new.csv -- s1
br --quiet --store m ingest ok.csv 2>/dev/null
br --store m merge s0 >/dev/null || fail "merge exited $?"
br --store m verify >/dev/null || fail "verify of a merged version 3 segment"
[ "$(for f in m/segments/*; do version "$f"; done | sort | tr '\n' ' ')" = "1 3 " ] ||
	fail "m's own segment and the merged one are not of versions 1 and 3"
br --quiet --store m1 ingest --prices new.csv ok.csv 2>/dev/null
br --store m1 merge s1 >/dev/null || fail "merge exited $?"
same "merged, --reprice --prices new.csv" m --reprice --prices new.csv -- m1
same "merged, --reprice" m1 --reprice -- m
exit 0
