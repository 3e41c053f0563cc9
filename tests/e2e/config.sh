#!/bin/sh
# config.sh - burnrate.conf: where it is found, relative paths taken from
# its directory, and every error naming the file, line and key (exit 2).
. "$(dirname "$0")/common.inc"
cd "$tmp"
mkdir -p etc/logs work
cp "$root/samples/logs/app-2025-10.jsonl" etc/logs/
cat >etc/burnrate.conf <<'EOF'
# relative paths: from this file's directory
store   data
input   logs/*.jsonl
reports_dir "reports"
report_formats json, csv
report_schedule never
EOF

# --config from another directory: the store, inputs and reports are
# found beside the file.
(cd work && "$BURNRATE" --config ../etc/burnrate.conf run --as-of 2025-10-31 \
	>../out 2>../err) || fail "run exited $?: $(cat err)"
[ -d etc/data ] || fail "the store is not beside the configuration"
[ -s etc/reports/burnrate-2025-10-31.json ] || fail "no JSON report: $(ls -R etc)"
[ -s etc/reports/burnrate-2025-10-31.csv ] || fail "no CSV report"
grep -q '^run 2025-10-31: 1 input ingested' out || fail "summary line: $(cat out)"
[ "$(wc -l <out)" -eq 1 ] || fail "run printed more than one line: $(cat out)"
# Records rejected by the nightly run are counted in its line and shown on
# stderr, as ingest shows them (run said nothing of them).
printf '{"timestamp":"2025-10-31T10:00:00Z","provider":"openai","model":"gpt-4o","usage":{"input_tokens":-1}}\nnot json\n' >etc/logs/bad.jsonl
(cd work && "$BURNRATE" --config ../etc/burnrate.conf run --as-of 2025-10-31 \
	>../out 2>../err) || fail "run with rejected records exited $?: $(cat err)"
grep -q '^run 2025-10-31: 1 input ingested (2 records, 2 rejected)' out ||
	fail "run's line of rejected records: $(cat out)"
grep -q 'warning: 2 records rejected' err && grep -q 'bad.jsonl:2: ' err ||
	fail "run's warning of rejected records: $(cat err)"
# Its hint names the configuration's key: run has no --rejects (it said
# "use --rejects FILE to see them all"); with the key, run writes them
# there, the path taken from the configuration's directory.
grep -q "warning: 2 records rejected (use the configuration's 'rejects FILE' to see them all)" err ||
	fail "run's hint to see the rejected records: $(cat err)"
{ cat etc/burnrate.conf; echo 'rejects rejected.txt'; } >etc/rejects.conf
sed 's/10:00/12:00/' etc/logs/bad.jsonl >etc/logs/bad2.jsonl
(cd work && "$BURNRATE" --config ../etc/rejects.conf run --as-of 2025-10-31 \
	>../out 2>../err) || fail "run with a rejects file exited $?: $(cat err)"
grep -q '^run 2025-10-31: 1 input ingested (2 records, 2 rejected)' out &&
	! grep -q 'rejected' err ||
	fail "run with a rejects file: $(cat out err)"
grep -q 'bad2.jsonl:1: .*"input_tokens":-1' etc/rejected.txt &&
	grep -q 'bad2.jsonl:2: .*not json' etc/rejected.txt ||
	fail "run's rejects file: $(cat etc/rejected.txt)"
# The next night's run (or a rerun of the night: the mail server was down,
# exit 75) adds to the file: it emptied it, and the night's rejects, whose
# inputs no later run reads again, were lost (found black-box: a rerun
# ingesting nothing left the file empty).
(cd work && "$BURNRATE" --config ../etc/rejects.conf run --as-of 2025-10-31 \
	>../out 2>../err) || fail "run again with a rejects file exited $?: $(cat err)"
grep -q '^run 2025-10-31: 0 inputs ingested' out &&
	grep -q 'bad2.jsonl:2: .*not json' etc/rejected.txt ||
	fail "a rerun emptied run's rejects file: $(cat out) $(cat etc/rejected.txt)"
sed 's/10:00/11:00/' etc/logs/bad.jsonl >etc/logs/bad3.jsonl
(cd work && "$BURNRATE" --config ../etc/rejects.conf run --as-of 2025-10-31 \
	>../out 2>../err) || fail "the next run with a rejects file exited $?: $(cat err)"
grep -q 'bad2.jsonl:2: .*not json' etc/rejected.txt &&
	grep -q 'bad3.jsonl:2: .*not json' etc/rejected.txt &&
	[ "$(wc -l <etc/rejected.txt)" -eq 4 ] ||
	fail "the next run's rejects file: $(cat etc/rejected.txt)"
# An ingest by hand with the configuration adds to it too; with
# --rejects FILE it writes FILE alone, emptied first.
sed 's/10:00/09:00/' etc/logs/bad.jsonl >bad4.jsonl
"$BURNRATE" --quiet --config etc/rejects.conf ingest bad4.jsonl 2>/dev/null ||
	fail "an ingest with the configuration's rejects file exited $?"
grep -q 'bad3.jsonl:2: .*not json' etc/rejected.txt &&
	grep -q 'bad4.jsonl:2: .*not json' etc/rejected.txt ||
	fail "an ingest emptied the configuration's rejects file: $(cat etc/rejected.txt)"
echo stale >own.txt
sed 's/10:00/08:00/' etc/logs/bad.jsonl >bad5.jsonl
"$BURNRATE" --quiet --config etc/rejects.conf ingest --rejects own.txt bad5.jsonl ||
	fail "an ingest with --rejects exited $?"
[ "$(wc -l <own.txt)" -eq 2 ] && ! grep -q stale own.txt &&
	! grep -q bad5 etc/rejected.txt ||
	fail "ingest --rejects: $(cat own.txt) / $(cat etc/rejected.txt)"
rm etc/logs/bad3.jsonl bad4.jsonl bad5.jsonl own.txt
# A rejects file an input glob matches is left out of the inputs, as a
# directory walked leaves it out (from the second run on, its file made,
# run was refused: "the rejects file ... is the input").
{ cat etc/burnrate.conf; echo 'rejects logs/rejected.jsonl'; } >etc/rejects.conf
for h in 13 14; do
	sed "s/10:00/$h:00/" etc/logs/bad.jsonl >etc/logs/bad$h.jsonl
	(cd work && "$BURNRATE" --config ../etc/rejects.conf run --as-of 2025-10-31 \
		>../out 2>../err) ||
		fail "run $h with the rejects file among the inputs exited $?: $(cat err)"
	grep -q "bad$h.jsonl:2: .*not json" etc/logs/rejected.jsonl ||
		fail "run $h's rejects file: $(cat etc/logs/rejected.jsonl)"
done
rm etc/logs/bad.jsonl etc/logs/bad2.jsonl etc/logs/bad1[34].jsonl \
	etc/logs/rejected.jsonl etc/rejects.conf
# The reports of earlier runs are no inputs, wherever they are: a
# reports_dir inside the directory of logs (walked, with reports_dir in it
# or the same directory) or matched by an input glob. Every run after the
# first read them as logs and failed, exit 1, "cannot tell the log format";
# so did the Prometheus file, burnrate.prom, that a glob of every file
# matched.
mkdir own
cp -r etc/logs own/
for conf in 'input logs\nreports_dir logs/reports' 'input logs\nreports_dir logs' \
	'input logs/*/*.json\ninput logs/*/*.csv\nreports_dir logs/reports' \
	'input logs/*/*\nreports_dir logs/reports' 'input logs/*\nreports_dir logs'; do
	rm -rf own/s own/logs/reports own/logs/burnrate-* own/logs/burnrate.prom
	printf "store s\n$conf\nreport_formats json,csv,prom\n" >own/burnrate.conf
	for day in 2025-10-30 2025-10-31; do
		"$BURNRATE" --config own/burnrate.conf run --as-of $day >out 2>err ||
			fail "run $day, $conf: exit $?: $(cat out err)"
	done
	grep -q '^run 2025-10-31: 0 inputs ingested (0 records), 3 reports written' out ||
		fail "run, $conf: $(cat out)"
done
# Nor is what a killed run left while it wrote one (removed once the
# logs are ingested): the glob matched it, exit 1.
dead=4000000
while kill -0 $dead 2>/dev/null; do dead=$((dead + 1)); done
printf '{\n  "period": {\n' >own/logs/burnrate-2025-10-31.json.tmp-$dead
"$BURNRATE" --config own/burnrate.conf run --as-of 2025-10-31 >out 2>err ||
	fail "run beside a killed run's report: exit $?: $(cat out err)"
[ ! -e own/logs/burnrate-2025-10-31.json.tmp-$dead ] ||
	fail "a killed run's report was not removed"
rm -r own
# An input that cannot be read (a truncated gzip) is counted in it too.
printf '{"timestamp":"2025-10-31T11:00:00Z","provider":"openai","model":"gpt-4o","usage":{"input_tokens":1}}\n' |
	gzip | head -c 30 >etc/logs/cut.jsonl
(cd work && "$BURNRATE" --config ../etc/burnrate.conf run --as-of 2025-10-31 \
	>../out 2>../err) && fail "run with an unreadable input exited 0"
grep -q '^run 2025-10-31: 0 inputs ingested (0 records, 1 unreadable input)' out ||
	fail "run's line of an unreadable input: $(cat out)"
rm etc/logs/cut.jsonl
# The report of the run equals a report of the same store.
"$BURNRATE" --store etc/data report --month 2025-10 --as-of 2025-10-31 \
	--by day,provider,model --format json >direct.json
"$PYTHON" - etc/reports/burnrate-2025-10-31.json direct.json <<'EOF' || fail "run's report differs"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert a["totals"] == b["totals"] and a["rows"] == b["rows"], (a["totals"], b["totals"])
EOF
# Again: nothing new, and --quiet prints nothing.
(cd work && "$BURNRATE" --config ../etc/burnrate.conf --quiet run \
	--as-of 2025-10-31 >../out 2>&1) || fail "second run exited $?"
[ ! -s out ] || fail "--quiet printed: $(cat out)"

# ./burnrate.conf is found without --config (run and notify only).
(cd etc && "$BURNRATE" --quiet run --as-of 2025-10-31) || fail "run with ./burnrate.conf exited $?"
must_fail 2 err "$BURNRATE" run
grep -q 'no configuration' err || fail "run without a configuration: $(cat err)"

# Errors name the file, the line and the key.
bad() { # expected-text line...
	expect=$1
	shift
	printf '%s\n' "$@" >bad.conf
	must_fail 2 err "$BURNRATE" --config bad.conf run
	grep -q "bad.conf:$expect" err || fail "want 'bad.conf:$expect' in: $(cat err)"
}
bad "2: unknown key 'stroe'" '# typo' 'stroe data'
bad "3: store is given twice" 'store a' 'input x' 'store b'
bad "1: report_schedule: invalid value 'hourly'" 'report_schedule hourly'
bad "1: report_formats: invalid format 'pdf'" 'report_formats json,pdf'
bad "1: cost_mode: invalid value 'cheap'" 'cost_mode cheap'
# A format given twice or an empty entry is refused, as --by's are
# (json,json wrote one file and said "2 reports written").
bad "1: report_formats: format 'json' given twice" 'report_formats json,json'
bad "1: report_formats: format 'csv' given twice" 'report_formats csv, json csv'
bad "1: report_formats: an empty entry in 'json,,csv'" 'report_formats json,,csv'
bad "1: report_formats: an empty entry in 'json,'" 'report_formats json,'
# A NUL byte ended the value there, the rest dropped unseen.
printf 'store s\nsource a\0b\n' >bad.conf
must_fail 2 err "$BURNRATE" --config bad.conf run
grep -q "bad.conf:2: source: a NUL byte in the line" err || fail "a NUL in a value: $(cat err)"
bad "2: budgets: a value is needed" 'store s' 'budgets'
# Values that ingest, run or the mailer take later are checked when the
# file is read, by every command that reads it: format and label (ingest
# named no file and took the label for a --map never typed; report did not
# check format at all), report_to and alert_to (run named no file). None
# creates the store.
bad_all() { # expected-text line...
	expect=$1
	shift
	printf '%s\n' "$@" >bad.conf
	for cmd in "ingest etc/logs/app-2025-10.jsonl" "report --as-of 2025-10-31" \
		"notify --as-of 2025-10-31 --dry-run eml" "run --as-of 2025-10-31"; do
		must_fail 2 err "$BURNRATE" --config bad.conf $cmd
		grep -q "bad.conf:$expect" err || fail "$cmd: want 'bad.conf:$expect' in: $(cat err)"
	done
	[ ! -e badstore ] || fail "a configuration error created the store"
}
long=$(printf 'k%.0s' $(seq 128))
bad_all "2: format: unknown format 'weird'; expected one of auto, generic" \
	'store badstore' 'format weird'
bad_all "3: label: invalid value 'a.b.c.d.e.f.g.h.i': path longer than 127 bytes or of more than 8 components" \
	'store badstore' 'format generic' 'label a.b.c.d.e.f.g.h.i'
bad_all "2: label: invalid value '$long': path longer than 127 bytes" 'store badstore' "label $long"
bad_all "3: report_to: invalid email address 'bad-address'" \
	'store badstore' 'report_schedule daily' 'report_to bad-address'
bad_all "2: report_to: no address given" 'store badstore' 'report_to ;'
bad_all "2: alert_to: invalid email address 'nope'" \
	'store badstore' 'alert_to ok@example.com; nope'
# The longest label path that fits and lists of addresses are taken.
printf 'store good\nformat generic\nlabel a.b.c.d.e.f.g.h\nreport_to a@example.com, b@example.com\nalert_to c@example.com;\n' >good.conf
"$BURNRATE" --quiet --config good.conf ingest etc/logs/app-2025-10.jsonl ||
	fail "a good configuration was refused"
must_fail 2 err "$BURNRATE" --config missing.conf report
grep -q "missing.conf" err || fail "missing file not named: $(cat err)"
# A budgets file named in the configuration that is broken: its own
# file and line.
printf 'store s\nbudgets b.csv\nalert_to a@example.com\nsmtp_config rc\n' >b.conf
printf 'name,scope,period,limit_usd\nx,*,yearly,1\n' >b.csv
must_fail 2 err "$BURNRATE" --config b.conf run --as-of 2025-10-31
grep -q 'b.csv:2' err || fail "budgets error not located: $(cat err)"
# A budgets file of the configuration that cannot be opened is named
# with the configuration's file, line and key, by every command.
printf 'store s4\ninput etc/logs/*.jsonl\nbudgets nosuch.csv\nalert_to a@example.com\n' >nb.conf
mkdir -p nb-eml
for cmd in "run --as-of 2025-10-31" "report --as-of 2025-10-31" \
	"notify --as-of 2025-10-31 --dry-run nb-eml"; do
	must_fail 2 err "$BURNRATE" --config nb.conf $cmd
	grep -q "nb.conf:3: budgets: cannot open '.*nosuch.csv'" err ||
		fail "$cmd: a missing budgets file not located: $(cat err)"
done
# A budget without recipients and no alert_to: refused before the run
# ingests anything, though the budget is far from firing (the other one
# fires).
printf 'store s2\ninput etc/logs/*.jsonl\nbudgets r.csv\nsmtp_config rc\n' >r.conf
printf 'account default\nhost 127.0.0.1\nport 1\nfrom b@example.com\n' >rc
printf 'name,scope,period,limit_usd,thresholds,forecast,recipients\nok,*,monthly,0.01,,no,a@example.com\nquiet,*,monthly,1000000,,no,\n' >r.csv
must_fail 2 err "$BURNRATE" --config r.conf run --as-of 2025-10-31
grep -q "r.csv:3: budget 'quiet' recipients: none given" err ||
	fail "run: budget without recipients not located: $(cat err)"
[ ! -e s2 ] || fail "run ingested before it refused the budgets file"
# A finance report that could not be sent (no report_to; no mail
# account): refused before the run ingests anything (it ingested first).
printf 'store s3\ninput etc/logs/*.jsonl\nreport_schedule monthly\n' >f.conf
must_fail 2 err "$BURNRATE" --config f.conf run --as-of 2025-10-31
grep -q "f.conf:3: report_schedule: monthly needs report_to" err || fail "run: no report_to: $(cat err)"
printf 'report_to f@example.com\nsmtp_config missing-rc\n' >>f.conf
must_fail 2 err "$BURNRATE" --config f.conf run --as-of 2025-10-31
grep -q "missing-rc" err || fail "run: no mail account: $(cat err)"
[ ! -e s3 ] || fail "run ingested before it refused the finance report's mail settings"
# The configuration's timezone is the zone of a store any command creates
# (ingest made it UTC, which run then refused); an unknown zone is a
# configuration error naming the file and line.
printf 'store tzs\ntimezone Europe/Berlin\n' >tz.conf
printf '{"timestamp":"2025-10-01T23:30:00Z","provider":"p","model":"m","usage":{"input_tokens":1}}\n' >tz.jsonl
"$BURNRATE" --quiet --config tz.conf ingest tz.jsonl 2>/dev/null
grep -qx 'timezone Europe/Berlin' tzs/burnrate.store ||
	fail "ingest created the store in $(grep timezone tzs/burnrate.store), not the configuration's zone"
[ "$("$BURNRATE" --config tz.conf report --as-of 2025-10-31 --by day --format csv | tail -n 1 | cut -d, -f1)" = 2025-10-02 ] ||
	fail "a request at 23:30 UTC is not on Berlin's next day"
printf 'store tzi\ntimezone America/New_York\n' >tzi.conf
"$BURNRATE" --quiet --config tzi.conf init
grep -qx 'timezone America/New_York' tzi/burnrate.store || fail "init did not take the configuration's zone"
printf 'store tzb\n# a zone that is none\ntimezone Nowhere/X\n' >tzb.conf
must_fail 2 err "$BURNRATE" --config tzb.conf report
grep -q 'tzb.conf:3: timezone: .*Nowhere/X' err || fail "an unknown zone is not located: $(cat err)"
# A configuration without a timezone takes the store's zone, whatever it
# is (run refused a store made by 'init --timezone': "not UTC"); one that
# states another zone than the store's is refused by ingest as by run
# (ingest used the store's quietly).
printf 'store tzs\n' >nozone.conf
"$BURNRATE" --quiet --config nozone.conf run --as-of 2025-10-31 ||
	fail "run with a configuration without a zone refused a Berlin store"
printf 'store tzs\ntimezone America/New_York\n' >otherzone.conf
must_fail 2 err "$BURNRATE" --config otherzone.conf ingest tz.jsonl
grep -q "time zone Europe/Berlin, not America/New_York" err ||
	fail "ingest into a store of another zone: $(cat err)"
must_fail 2 err "$BURNRATE" --config otherzone.conf run --as-of 2025-10-31
printf 'name,scope,period,limit_usd,thresholds,forecast,recipients\nx,*,monthly,1,,no,a@example.com\n' >zb.csv
for cmd in report "notify --budgets zb.csv"; do
	must_fail 2 err "$BURNRATE" --config otherzone.conf $cmd --as-of 2025-10-31
	grep -q "has time zone Europe/Berlin, not America/New_York as .*otherzone.conf states" err ||
		fail "$cmd on a store of another zone: $(cat err)"
done
# ... but a store other than the configuration's own (--store) is not its.
"$BURNRATE" --config otherzone.conf --store tzs report --as-of 2025-10-31 >/dev/null ||
	fail "a store named by --store was held to the configuration's zone"
# An input that names no file is skipped with a warning (a pattern that
# matches nothing is skipped quietly: the logs may be late).
printf 'store s4\ninput nothere.jsonl\ninput *.nomatch\n' >in.conf
"$BURNRATE" --config in.conf run --as-of 2025-10-31 >/dev/null 2>err ||
	fail "run with inputs that match nothing exited $?"
grep -q "in.conf: input nothere.jsonl: No such file or directory; skipped" err ||
	fail "a missing input was skipped without a word: $(cat err)"
grep -q nomatch err && fail "a pattern without a match was warned about: $(cat err)"
# A plain path is taken as it is: a '\' in it is no glob escape (it was
# skipped without a word).
cp etc/logs/app-2025-10.jsonl 'we\ird.jsonl'
printf 'store s7\ninput we\\ird.jsonl\n' >bs.conf
"$BURNRATE" --config bs.conf run --as-of 2025-10-31 >out 2>err || fail "run exited $?: $(cat err)"
grep -q '1 input ingested' out || fail "an input with a backslash: $(cat out) $(cat err)"
# Reports that cannot be written (reports_dir is a file) do not keep the
# budget alerts from being evaluated and queued (they were skipped): the
# run exits 1, the worst of its steps, with the alerts pending (the mail
# server of rc is down).
: >notadir
printf 'store s6\ninput etc/logs/*.jsonl\nreports_dir notadir\nbudgets low.csv\nalert_to a@example.com\nsmtp_config rc\n' >rep.conf
printf 'name,scope,period,limit_usd,thresholds,forecast,recipients\nlow,*,monthly,0.01,,no,\n' >low.csv
set +e
"$BURNRATE" --config rep.conf run --as-of 2025-10-31 >out 2>err
rc=$?
set -e
[ $rc = 1 ] || fail "run with reports that cannot be written exited $rc: $(cat err)"
grep -q ', 0 reports written, [1-9][0-9]* alerts\{0,1\} due, 0 messages sent, [1-9][0-9]* pending' out ||
	fail "the alerts were not evaluated: $(cat out) $(cat err)"
grep -qx "burnrate: error: reports_dir 'notadir' is not a directory" err ||
	fail "reports_dir a file: $(cat err)"
# A reports_dir whose parent is missing is named with why (it was "No such
# file or directory").
printf 'store s6\nreports_dir nodir/sub\n' >rep2.conf
must_fail 1 err "$BURNRATE" --config rep2.conf run --as-of 2025-10-31
grep -qx "burnrate: error: cannot create reports_dir 'nodir/sub': a directory above it does not exist (only reports_dir itself is created)" err ||
	fail "reports_dir under a missing directory: $(cat err)"
# The budgets and prices files are RFC 4180 CSV: an unquoted field keeps
# its spaces and tabs (libcsv trimmed them: "agent=trail " counted agent
# "trail", and a prices row of model "m1 " priced "m1"). Keywords,
# numbers and dates (header names, period, limit_usd, thresholds,
# forecast, the scope's keys and "*", a price's rates, from, tier,
# min_input_tokens) may have spaces and tabs around them.
for a in 'trail ' 'trail ' 'trail' 'm1 ' 'm1'; do
	case $a in m1*) pm="acme\",\"model\":\"$a\",\"agent\":\"p";; *) pm="openai\",\"model\":\"gpt-4o\",\"agent\":\"$a";; esac
	printf '{"timestamp":"2025-10-01T12:00:00Z","provider":"%s","usage":{"input_tokens":1000000}}\n' "$pm"
done >sp.jsonl
printf 'provider,model,from,input,output,cache_read,cache_write\nacme,m1 , 2025-01-01 , 1 ,\t1\t,,\nacme,m1,,3,3,,\n' >sp-prices.csv
"$BURNRATE" --quiet --store sp ingest --prices sp-prices.csv sp.jsonl ||
	fail "spaces: ingest exited $?"
printf 'name , scope,period,limit_usd,thresholds,forecast,recipients\nunquoted,agent=trail ,monthly,1,,yes,\nquoted,"agent=trail ", monthly , 1 , 50; 75 ,\tno\t,\ntrimmed, agent=trail,monthly,1,,yes,\n   \n\t\nall, * ,monthly,1,,yes, \n' >sp-budgets.csv
"$BURNRATE" --store sp report --as-of 2025-10-31 --by agent,model --budgets sp-budgets.csv \
	--format json >sp.json || fail "spaces: report exited $?"
"$PYTHON" - <<'EOF' || fail "spaces in the budgets or prices file (above)"
import json
d = json.load(open("sp.json"))
rows = {(r["agent"], r["model"]): (r["requests"], r["cost_usd"]) for r in d["rows"]}
assert rows == {("trail ", "gpt-4o"): (2, 5.0), ("trail", "gpt-4o"): (1, 2.5),
                ("p", "m1 "): (1, 1.0), ("p", "m1"): (1, 3.0)}, rows
b = {x["name"]: (x["scope"], x["spent_usd"]) for x in d["budgets"]}
assert b == {"unquoted": ("agent=trail ", 5.0), "quoted": ("agent=trail ", 5.0),
             "trimmed": (" agent=trail", 2.5), "all": (" * ", 11.5)}, b
EOF
# A line of spaces or tabs is blank, as an empty one (fields keep their
# spaces now: it was a record of one field, which failed the file); the
# budget after them loads, its recipients of a space none.
grep -q '"name": *"all"' sp.json || fail "a budget after lines of spaces was lost"
# The configuration's prices are the default of every command's --prices,
# as of ingest's: report --reprice, check and prices priced gpt-4o with the
# built-in catalog ($12.50, not the file's $2). A prices file it names that
# is missing fails each of them (exit 2), as it fails ingest.
printf 'provider,model,from,input,output,cache_read,cache_write\nopenai,gpt-4o,,1,1,,\n' >cp.csv
printf 'store cp\nprices cp.csv\n' >cp.conf
printf 'store cp\nprices cp-missing.csv\n' >cpm.conf
echo '{"timestamp":"2025-07-01T12:00:00Z","provider":"openai","model":"gpt-4o","usage":{"input_tokens":1000000,"output_tokens":1000000}}' >cp.jsonl
"$BURNRATE" --quiet --config cp.conf ingest cp.jsonl || fail "cp: ingest exited $?"
"$BURNRATE" --config cp.conf report --format json --month 2025-07 --reprice >cp.json ||
	fail "cp: report --reprice exited $?"
grep -q '"totals":{[^}]*"cost_usd":2.000000' cp.json ||
	fail "report --reprice ignored the configuration's prices: $(cat cp.json)"
"$BURNRATE" --config cp.conf check --write-baseline cp-base.json cp.jsonl >out ||
	fail "cp: check exited $?"
grep -q 'baseline cp-base.json: \$2.000000 for' out ||
	fail "check ignored the configuration's prices: $(cat out)"
"$BURNRATE" --config cp.conf prices show --provider openai gpt-4o >out ||
	fail "cp: prices show exited $?"
grep -q "cp.csv" out || fail "prices show ignored the configuration's prices: $(cat out)"
"$BURNRATE" --config cp.conf prices check >out || fail "cp: prices check exited $?"
grep -q "prices .*cp.csv" out || fail "prices check ignored the configuration's prices: $(cat out)"
for cmd in "ingest cp.jsonl" "report --reprice" "check --write-baseline cpm.json cp.jsonl" \
	"prices list" "prices show gpt-4o" "prices check"; do
	# shellcheck disable=SC2086
	must_fail 2 err "$BURNRATE" --config cpm.conf $cmd
	grep -q "cpm.conf:[0-9]*: prices: cannot open '.*cp-missing.csv'" err ||
		fail "$cmd, prices missing, not located: $(cat err)"
done
must_fail 2 err "$BURNRATE" --config cpm.conf run --as-of 2025-10-31
grep -q "cpm.conf:[0-9]*: prices: cannot open '.*cp-missing.csv'" err ||
	fail "run, prices missing, not located: $(cat err)"
# So is a missing smtp_config, by notify and by run (which still ingests
# and writes its reports first).
printf 'store s4\ninput etc/logs/*.jsonl\nbudgets b-ok.csv\nsmtp_config nosuch.rc\n' >ns.conf
printf 'name,scope,period,limit_usd,thresholds,forecast,recipients\nall,*,monthly,1,50,no,a@example.com\n' >b-ok.csv
must_fail 2 err "$BURNRATE" --config ns.conf notify --as-of 2025-10-31
grep -q "ns.conf:4: smtp_config: cannot open '.*nosuch.rc'" err ||
	fail "notify, smtp_config missing, not located: $(cat err)"
must_fail 2 err "$BURNRATE" --config ns.conf run --as-of 2025-10-31
grep -q "ns.conf:4: smtp_config: cannot open '.*nosuch.rc'" err ||
	fail "run, smtp_config missing, not located: $(cat err)"
# The configuration's label is a default: the command line's --label and
# --map label=PATH win over it (the configuration's was applied after the
# --map, the team's label replaced by the project's).
printf '%s\n' '{"timestamp":"2025-10-01T00:00:00Z","provider":"openai","model":"gpt-4o","meta":{"team":"t1","project":"p1"},"usage":{"input_tokens":1000}}' >lab.jsonl
printf 'store %s\nlabel meta.project\n' "$PWD/st-label" >lab.conf
for how in "conf" "--label meta.team" "--map label=meta.team"; do
	rm -rf st-label
	opts=$how
	[ "$how" != conf ] || opts=
	# shellcheck disable=SC2086
	"$BURNRATE" --quiet --config lab.conf ingest $opts lab.jsonl || fail "label $how: exit $?"
	got=$("$BURNRATE" --config lab.conf report --by label --as-of 2025-10-31 --format csv |
		tail -n 1 | cut -d, -f1)
	want=t1
	[ "$how" != conf ] || want=p1
	[ "$got" = "$want" ] || fail "label by $how: '$got', not '$want'"
done
# A leading ~ in a path is the home directory, as in an msmtprc (the
# configuration is msmtprc-like): 'input ~/logs/*.jsonl' was taken as a
# directory '~' beside the configuration, which the glob never matched:
# run ingested nothing, exit 0, night after night.
mkdir -p home/logs cfgdir
printf '{"timestamp":"2025-10-01T12:00:00Z","provider":"openai","model":"gpt-4o","request_id":"t1","usage":{"input_tokens":1000000}}\n' >home/logs/a.jsonl
printf 'store ~/st\ninput ~/logs/*.jsonl\n' >cfgdir/tilde.conf
HOME="$PWD/home" "$BURNRATE" --quiet --config cfgdir/tilde.conf init
HOME="$PWD/home" "$BURNRATE" --quiet --config cfgdir/tilde.conf run --as-of 2025-10-01 ||
	fail "run with ~ paths exited $?"
[ ! -e cfgdir/~ ] && "$BURNRATE" --store home/st report --since 2025-10-01 --until 2025-10-01 --format csv |
	tr -d '\r' | grep -qx '2025-10-01,1,0,1000000,0,0,0,0,0,2.500000,0' ||
	fail "~ in the configuration's paths is not the home directory: $(ls -a cfgdir)"
# The sample configuration parses.
"$BURNRATE" --config "$root/samples/burnrate.conf" prices check >/dev/null ||
	fail "samples/burnrate.conf is not accepted"
# A configuration that cannot be opened now (EMFILE) is the run's
# failure, exit 1, not the configuration's (exit 2: it is not wrong).
if strace -o /dev/null true 2>/dev/null; then
	printf 'store %s/st-emfile\n' "$PWD" >emfile.conf
	n=$(traced -f -e trace=openat "$BURNRATE" --config emfile.conf report 2>&1 >/dev/null |
		grep 'openat(' | grep -n . | grep 'emfile.conf' | head -1 | cut -d: -f1)
	set +e
	traced -f -qq -o /dev/null -e trace=openat -e inject=openat:error=EMFILE:when="$n" \
		"$BURNRATE" --config emfile.conf report >emfile.out 2>&1
	rc=$?
	set -e
	[ "$rc" -eq 1 ] && grep -q "cannot open '.*emfile.conf': Too many open files" emfile.out ||
		fail "a configuration not opened (EMFILE): exit $rc: $(cat emfile.out)"
else
	echo "config: strace cannot trace here: a configuration not opened is not tested" >&2
fi
echo "config: ok"
