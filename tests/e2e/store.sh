#!/bin/sh
# store.sh - days in the store's time zone across DST changes (a
# 23-hour and a 25-hour day in Europe/Paris), also past the zone file's
# transitions (its footer rule: after 2037, and now with "slim" files), the
# zone named in reports, and
# the writer lock: a second writer exits 75 at once, naming the holder; and
# a corrupt segment: refused by report unless --skip-corrupt, which names it
# (and, of a merge's group, the group's other segments left out with it);
# a merge that did not end named by verify (exit 1, or 75 while the lock
# is held);
# reports and verifies while compactions remove the segments they list;
# a store file that cannot be opened or read now (init keeps its zone).
. "$(dirname "$0")/common.inc"
cd "$tmp"
"$BURNRATE" --quiet --store st init --timezone Europe/Paris
# Paris: 2025-03-30 has 23 hours (02:00 -> 03:00), 2025-10-26 has 25.
cat >dst.jsonl <<'JSONL'
{"timestamp":"2025-03-29T22:59:59Z","provider":"p","model":"m","usage":{"input_tokens":1}}
{"timestamp":"2025-03-29T23:00:00Z","provider":"p","model":"m","usage":{"input_tokens":2}}
{"timestamp":"2025-03-30T21:59:59Z","provider":"p","model":"m","usage":{"input_tokens":4}}
{"timestamp":"2025-03-30T22:00:00Z","provider":"p","model":"m","usage":{"input_tokens":8}}
{"timestamp":"2025-10-25T21:59:59Z","provider":"p","model":"m","usage":{"input_tokens":16}}
{"timestamp":"2025-10-25T22:00:00Z","provider":"p","model":"m","usage":{"input_tokens":32}}
{"timestamp":"2025-10-26T22:59:59Z","provider":"p","model":"m","usage":{"input_tokens":64}}
{"timestamp":"2025-10-26T23:00:00Z","provider":"p","model":"m","usage":{"input_tokens":128}}
{"timestamp":"2025-10-26T23:30:00+01:00","provider":"p","model":"m","usage":{"input_tokens":256}}
JSONL
"$BURNRATE" --quiet --store st ingest dst.jsonl
"$BURNRATE" --store st report --as-of 2025-12-31 --by day --format csv |
	cut -d, -f1,4 >got.csv
cat >want.csv <<'CSV'
day,input_tokens
2025-03-29,1
2025-03-30,6
2025-03-31,8
2025-10-25,16
2025-10-26,352
2025-10-27,128
CSV
diff want.csv got.csv || fail "days in Europe/Paris are wrong"
"$BURNRATE" --store st report --as-of 2025-12-31 --format json |
	grep -q '"timezone":"Europe/Paris"' || fail "the report does not name the zone"

# Past a zone file's last transition its footer's TZ rule gives local time:
# after 2037 in the "fat" files of this system, and since the zone's rules
# last changed in "slim" ones (zic -b slim, as some systems ship them; New
# York's transitions end in 2007). The second before and at local midnight
# of the days a transition and the next, in 2025, 2038 and 2050, land on
# the days python's zoneinfo says (from this system's files).
if command -v zic >/dev/null && [ -r /usr/share/zoneinfo/tzdata.zi ]; then
	zic -b slim -d slimtz /usr/share/zoneinfo/tzdata.zi || fail "zic -b slim failed"
	dirs="/usr/share/zoneinfo $tmp/slimtz"
else
	echo "store.sh: no zic or tzdata.zi, slim zone files not tested" >&2
	dirs=/usr/share/zoneinfo
fi
for zone in America/New_York Europe/Berlin Australia/Lord_Howe Pacific/Chatham; do
	"$PYTHON" - "$zone" rule.jsonl rule-want.csv <<'EOF2'
import collections, datetime as dt, json, sys, zoneinfo
zi, U = zoneinfo.ZoneInfo(sys.argv[1]), dt.timezone.utc
off = lambda t: dt.datetime.fromtimestamp(t, zi).utcoffset()
days = collections.Counter()
with open(sys.argv[2], "w") as out:
    for y in 2025, 2038, 2050:
        t0 = int(dt.datetime(y, 1, 1, tzinfo=U).timestamp())
        for h in range(366 * 24):
            if off(t0 + h * 3600) != off(t0 + h * 3600 + 3600):
                d = dt.datetime.fromtimestamp(t0 + h * 3600 + 3600, zi).date()
                for d in d, d + dt.timedelta(1):
                    m = int(dt.datetime(d.year, d.month, d.day, tzinfo=zi).timestamp())
                    for t in m - 1, m:
                        days[dt.datetime.fromtimestamp(t, zi).date()] += 1
                        print(json.dumps({"timestamp": dt.datetime.fromtimestamp(t, U).isoformat(),
                                          "provider": "p", "model": "m",
                                          "usage": {"input_tokens": 1}}), file=out)
with open(sys.argv[3], "w") as out:
    print("day,requests", file=out)
    for d in sorted(days):
        print(f"{d},{days[d]}", file=out)
EOF2
	[ "$(wc -l <rule.jsonl)" -ge 24 ] || fail "$zone: python found no transitions"
	for dir in $dirs; do
		rm -rf rst
		TZDIR=$dir "$BURNRATE" --quiet --store rst init --timezone "$zone"
		TZDIR=$dir "$BURNRATE" --quiet --store rst ingest rule.jsonl
		TZDIR=$dir "$BURNRATE" --store rst report --since 2025-01-01 \
			--as-of 2051-01-01 --by day --format csv | cut -d, -f1,2 >rule-got.csv
		diff rule-want.csv rule-got.csv >&2 ||
			fail "$zone: days past the last transition are wrong (zone files in $dir)"
	done
done
"$BURNRATE" --quiet --store st init --timezone UTC 2>err.txt && fail "init changed the zone"
grep -q 'Europe/Paris' err.txt || fail "init does not say which zone the store has"

# A damaged burnrate.store is a corrupt store (exit 1) named by every
# command, its zone too: one that cannot be loaded exited 2, as a usage
# error, without naming the file.
cp -r st dmg
printf '{"timestamp":"2025-10-01T12:00:00Z","provider":"p","model":"m","usage":{"input_tokens":1}}\n' >one.jsonl
damage() { # sed-expression what-the-error-says
	cp st/burnrate.store dmg/burnrate.store
	sed -i "$1" dmg/burnrate.store
	for cmd in "report --as-of 2025-12-31" "ingest one.jsonl" verify \
		"init --timezone Europe/Paris"; do
		must_fail 1 err.txt "$BURNRATE" --store dmg $cmd
		grep -q "$2" err.txt || fail "$cmd, burnrate.store '$1': want '$2' in: $(cat err.txt)"
	done
}
damage 's/.*/garbage/' "'dmg/burnrate.store' is not a burnrate store file"
damage 's/^version .*/version 9/' "store 'dmg' has version 9"
damage 's|^timezone .*|timezone Nowhere/X|' \
	"store file 'dmg/burnrate.store': unknown time zone 'Nowhere/X'"
damage 's|^timezone .*|timezone ../../etc/passwd|' \
	"store file 'dmg/burnrate.store': invalid time zone '../../etc/passwd'"

# A segment written in another zone is not the store's: its days are
# that zone's. A zone edited in burnrate.store (or a segment copied from
# a store in another zone) was counted, its days taken for the store's.
cp st/burnrate.store dmg/burnrate.store
sed -i 's|^timezone .*|timezone UTC|' dmg/burnrate.store
for cmd in "report --as-of 2025-12-31" verify compact; do
	must_fail 1 err.txt "$BURNRATE" --store dmg $cmd
	grep -q "written in time zone 'Europe/Paris', the store's is 'UTC'" err.txt ||
		fail "$cmd, a segment of another zone: $(cat err.txt)"
done
cp st/burnrate.store dmg/burnrate.store

# A temporary segment of a writer that was killed goes once the lock is
# taken again; the segments stay.
ls st/segments/seg-* >segs-before.txt
: >st/segments/.tmp-999999-seg-00000000000000ff.brs
printf '{"timestamp":"2025-11-01T00:00:00Z","provider":"p","model":"m","usage":{"input_tokens":1}}\n' >late.jsonl
"$BURNRATE" --quiet --store st ingest late.jsonl
[ ! -e st/segments/.tmp-999999-seg-00000000000000ff.brs ] ||
	fail "a killed writer's temporary segment was left"
ls st/segments/seg-* | grep -F -x -f segs-before.txt | cmp -s - segs-before.txt ||
	fail "a segment went with the temporary one"

# Without --as-of, today is today in the store's zone: in UTC+14 and
# UTC-12 (one of them is on another day than UTC at any hour), a request
# of an hour ago counts in report, and the report's as_of is that zone's
# date (read before and after the report, in case midnight passes).
for zone in Etc/GMT-14 Etc/GMT+12; do
	st=today-$(echo "$zone" | tr -c 'a-zA-Z0-9\n' _)
	"$BURNRATE" --quiet --store "$st" init --timezone "$zone"
	printf '{"timestamp":"%s","provider":"p","model":"m","usage":{"input_tokens":1}}\n' \
		"$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%SZ)" >hour-ago.jsonl
	"$BURNRATE" --quiet --store "$st" ingest hour-ago.jsonl
	before=$(TZ=$zone date +%Y-%m-%d)
	"$BURNRATE" --store "$st" report --format json >today.json
	after=$(TZ=$zone date +%Y-%m-%d)
	"$PYTHON" - today.json "$before" "$after" <<'EOF2' || fail "$zone: today is not the store's day"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["as_of"] in sys.argv[2:], (d["as_of"], sys.argv[2:])
assert d["totals"]["requests"] == 1, d["totals"]
EOF2
	# --since the zone's today is a period, also when UTC is a day behind.
	"$BURNRATE" --store "$st" report --since "$after" --format csv >/dev/null ||
		fail "$zone: --since its today exited $?"
	# --as-of yesterday is the day before the zone's today (the nightly
	# job judges the day that ended), today is today; in report and notify.
	yb=$(TZ=$zone date -d yesterday +%Y-%m-%d)
	"$BURNRATE" --store "$st" report --as-of yesterday --format json >y.json
	ya=$(TZ=$zone date -d yesterday +%Y-%m-%d)
	"$BURNRATE" --store "$st" report --as-of today --format json >t.json
	"$PYTHON" - y.json t.json "$yb" "$ya" "$before" "$after" <<'EOF2' ||
import json, sys
y, t = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert y["as_of"] in sys.argv[3:5], (y["as_of"], sys.argv[3:5])
assert t["as_of"] in sys.argv[5:7], (t["as_of"], sys.argv[5:7])
EOF2
		fail "$zone: --as-of yesterday or today is not the store's"
	# notify judges the day that ended: a request of yesterday noon (the
	# zone's) crosses a daily budget then, not today.
	yst=y-$st
	"$BURNRATE" --quiet --store "$yst" init --timezone "$zone"
	"$PYTHON" - "$zone" >noon.jsonl <<'EOF2'
import datetime, json, sys, zoneinfo
z = zoneinfo.ZoneInfo(sys.argv[1])
noon = (datetime.datetime.now(z) - datetime.timedelta(days=1)).replace(
    hour=12, minute=0, second=0, microsecond=0)
print(json.dumps({"timestamp": noon.isoformat(), "provider": "p", "model": "m",
                  "usage": {"input_tokens": 1}, "cost_usd": 1}))
EOF2
	"$BURNRATE" --quiet --store "$yst" ingest noon.jsonl
	printf '%s\n' 'name,scope,period,limit_usd,thresholds,forecast,recipients' \
		'cap,*,daily,0.5,100,no,x@example.com' >y-budgets.csv
	rm -rf ydry && mkdir ydry
	"$BURNRATE" --store "$yst" notify --budgets y-budgets.csv --as-of yesterday \
		--dry-run ydry >/dev/null || fail "$zone: notify --as-of yesterday exited $?"
	rm -rf tdry && mkdir tdry
	"$BURNRATE" --store "$yst" notify --budgets y-budgets.csv --as-of today \
		--dry-run tdry >/dev/null || fail "$zone: notify --as-of today exited $?"
	[ "$(ls ydry | wc -l)" -eq 1 ] && [ "$(ls tdry | wc -l)" -eq 0 ] ||
		fail "$zone: a daily budget crossed yesterday: alerts of yesterday $(ls ydry), of today $(ls tdry)"
done
must_fail 2 asof.err "$BURNRATE" --store st report --as-of tomorrow
grep -q "invalid --as-of 'tomorrow': expected YYYY-MM-DD, today or yesterday" asof.err ||
	fail "--as-of tomorrow: $(cat asof.err)"

# The lock: held by another process (for longer than the slowest run, under
# valgrind too, then killed), the second writer exits 75 at once.
(exec 9>>st/lock; flock 9; exec sleep 60) &
holder=$!
sleep 0.3
set +e
"$BURNRATE" --store st ingest dst.jsonl 2>lock.txt
rc=$?
"$BURNRATE" --store st compact 2>>lock.txt
rc2=$?
set -e
kill "$holder" 2>/dev/null || true
wait "$holder" 2>/dev/null || true
[ "$rc" = 75 ] && [ "$rc2" = 75 ] || fail "a locked store gave exit $rc/$rc2, not 75"
# The lock file names the last writer, ended, not the shell holding it
# (named, it sent the user looking for a process long gone).
last=$(head -n 1 st/lock)
[ "$(grep -c "burnrate: error: store 'st': locked by another process, not its last writer (pid $last, ended): a 'burnrate verify', a lock taken outside burnrate, or a writer just starting (try again once it is released)$" lock.txt)" = 2 ] ||
	fail "a lock held outside burnrate: $(cat lock.txt)"
# Held by a process that wrote its pid there, as a writer does: named.
(exec 9>>st/lock; flock 9; sh -c 'echo $PPID >st/lock'; exec sleep 60) &
holder=$!
sleep 0.3
set +e
"$BURNRATE" --store st ingest dst.jsonl 2>lock.txt
rc=$?
set -e
kill "$holder" 2>/dev/null || true
wait "$holder" 2>/dev/null || true
[ "$rc" = 75 ] || fail "a store locked by a writer gave exit $rc, not 75"
grep -qx "burnrate: error: store 'st': locked by pid $holder, another burnrate writing it (try again once it ends)" lock.txt ||
	fail "no 'locked by pid $holder' message: $(cat lock.txt)"
# Released by the holder's death: the next run proceeds.
"$BURNRATE" --quiet --store st ingest dst.jsonl || fail "the lock was not released"
# A corrupt segment: report refuses it, --skip-corrupt names it in the report.
"$BURNRATE" --quiet --store st2 ingest dst.jsonl
printf '{"timestamp":"2025-06-01T00:00:00Z","provider":"p","model":"m"}\n' >more.jsonl
"$BURNRATE" --quiet --store st2 ingest more.jsonl
seg=$(ls st2/segments/seg-* | head -n 1)
printf 'X' | dd of="$seg" bs=1 seek=200 conv=notrunc 2>/dev/null
set +e
"$BURNRATE" --store st2 report --as-of 2025-12-31 >/dev/null 2>err.txt
rc=$?
set -e
[ "$rc" = 1 ] || fail "report on a corrupt store exited $rc, not 1"
grep -q "$seg" err.txt || fail "the corrupt segment is not named"
"$BURNRATE" --store st2 report --as-of 2025-12-31 --skip-corrupt --format json \
	>skip.json 2>/dev/null || fail "--skip-corrupt failed"
grep -q "\"skipped_segments\":\[{\"segment\":\"$seg\"" skip.json ||
	fail "the JSON report does not list the skipped segment"
grep -q '"requests":1,' skip.json || fail "--skip-corrupt lost the sound segment"
for f in html xlsx; do
	"$BURNRATE" --store st2 report --as-of 2025-12-31 --skip-corrupt --format $f \
		--output skip.$f 2>/dev/null || fail "--skip-corrupt --format $f failed"
done
grep -q "SKIPPED corrupt segment $seg: " skip.html ||
	fail "the HTML report does not name the skipped segment"
"$PYTHON" - skip.xlsx "$seg" <<'EOF' || fail "the XLSX report does not name the skipped segment"
import sys, openpyxl
rows = list(openpyxl.load_workbook(sys.argv[1])["Summary"].iter_rows(values_only=True))
assert any(r[0] == "SKIPPED corrupt segment" and r[1] == sys.argv[2] and r[2]
           for r in rows), rows
EOF
# A corrupt segment of a merge's group (a store of two sources merged):
# the group's sound segment counts nothing without it, and the report
# says it is left out too.
"$BURNRATE" --quiet --store two ingest --source a dst.jsonl
"$BURNRATE" --quiet --store two ingest --source b more.jsonl
"$BURNRATE" --quiet --store grp merge two
set -- grp/segments/seg-*
[ $# = 2 ] || fail "a merge of two sources wrote $# segments, not 2"
printf 'X' | dd of="$2" bs=1 seek=200 conv=notrunc 2>/dev/null
"$BURNRATE" --store grp report --as-of 2025-12-31 --skip-corrupt --format json \
	>grp.json 2>/dev/null || fail "--skip-corrupt of a group's segment failed"
grep -q "\"segment\":\"$2\".*the other segments of its merge's group count nothing without it and are left out too: ${1##*/}" grp.json ||
	fail "the report does not say the group's sound segment is left out: $(cat grp.json)"
# A merge of that store that did not end, as one killed before its
# second segment is published leaves it (tests/e2e/faults.sh kills
# merges so): verify said ok of its first, which reports do not count.
# It names it, what its group lacks, that reports do not count it and
# the merge to run again, exit 1; while another process holds the lock
# (the merge may still be publishing), it says so, exit 75; once the
# merge is run again, the store verifies.
"$BURNRATE" --quiet --store unf merge two
set -- unf/segments/seg-*
rm "$2"
must_fail 1 err.txt "$BURNRATE" --store unf verify
grep -qx "burnrate: error: $1: of a merge of '.*/two' that did not end: its group of 2 segments lacks ${2##*/}, so reports count none of them (they show the store as it was before that merge); run 'burnrate --store unf merge .*/two' again" err.txt &&
	grep -qx "burnrate: error: 1 segment of a merge that did not end in unf, which reports do not count: run the merge again" err.txt ||
	fail "verify of a merge that did not end: $(cat err.txt)"
"$BURNRATE" --store unf report --as-of 2025-12-31 --format csv >unf.csv
[ "$(wc -l <unf.csv)" = 1 ] || fail "a merge that did not end counts: $(cat unf.csv)"
hold_lock unf/lock
must_fail 75 err.txt "$BURNRATE" --store unf verify
kill "$holder" 2>/dev/null || true
wait "$holder" 2>/dev/null || true
grep -qx "burnrate: warning: $1: of a merge of '.*/two' that may still be publishing its group of 2 segments (the store is locked by pid [0-9]*), which lacks ${2##*/}: reports count none of them until it has ended; run verify again then" err.txt ||
	fail "verify of a merge that may not have ended: $(cat err.txt)"
"$BURNRATE" --quiet --store unf merge two
"$BURNRATE" --store unf verify >out.txt 2>&1 || fail "verify after the merge ran again: $(cat out.txt)"
# Sources: reported apart with --source, together without; a backfill of
# one source leaves the other alone.
"$BURNRATE" --quiet --store st3 ingest --source alpha dst.jsonl
"$BURNRATE" --quiet --store st3 ingest --source beta more.jsonl
n() { "$BURNRATE" --store st3 report --as-of 2025-12-31 --by month "$@" --format csv |
	awk -F, 'NR > 1 { n += $2 } END { print n + 0 }'; }
[ "$(n)" = 10 ] || fail "all sources: $(n) requests, expected 10"
[ "$(n --source alpha)" = 9 ] || fail "--source alpha: $(n --source alpha), expected 9"
[ "$(n --source beta)" = 1 ] || fail "--source beta: $(n --source beta), expected 1"
"$BURNRATE" --quiet --store st3 ingest --source beta --replace 2025-06-01..2025-06-01 dst.jsonl \
	--rejects /dev/null
[ "$(n --source beta)" = 0 ] || fail "a backfill of beta with no rows left $(n --source beta)"
[ "$(n --source alpha)" = 9 ] || fail "a backfill of beta changed alpha"
# A source the store has no data of is a warning naming the sources it
# has, exit 0 (its report of $0 was silent: a quiet month, or a typo?).
"$BURNRATE" --store st3 report --as-of 2025-12-31 --source gamma >/dev/null 2>src.err ||
	fail "report --source gamma exited $?: $(cat src.err)"
grep -qx "burnrate: warning: report: the store has no data of source 'gamma' (its sources: 'alpha', 'beta')" \
	src.err || fail "report --source gamma: $(cat src.err)"
"$BURNRATE" --store st3 report --as-of 2025-12-31 --source beta >/dev/null 2>src.err ||
	fail "report --source beta exited $?"
[ ! -s src.err ] || fail "report --source beta (its rows replaced by none): $(cat src.err)"
# Readers take no lock: a report or verify that lists segments a
# compaction then removes reads the store again (it said "cannot read: No
# such file or directory", and verify called a sound store corrupt). Each
# report shows one state the writer left: all the requests ingested so
# far, in the segments before or after a compaction.
"$BURNRATE" --quiet --store race init
# Segments of some thousand rows each, so that a reader takes a while over
# them; a compaction every third ingest.
for i in $(seq 1 30); do gen --seed "$i" --records 1500 --id-prefix "w$i-" --out w$i.jsonl; done
(for i in $(seq 1 30); do
	"$BURNRATE" --quiet --store race ingest w$i.jsonl
	[ $((i % 3)) -ne 0 ] || "$BURNRATE" --quiet --store race compact
 done
 touch writer.done) &
writer=$!
# read LOG: reports and verifies until the writer is done; each run
# appends "ok" or its errors to LOG.
read_store() {
	last=0
	while [ ! -e writer.done ]; do
		if "$BURNRATE" --store race report --as-of 2025-12-31 --by month \
			--format csv >"$1.csv" 2>"$1.err" &&
		   "$BURNRATE" --store race verify >/dev/null 2>>"$1.err"; then
			got=$(awk -F, 'NR == 2 { print $2 }' "$1.csv")
			got=${got:-0}
			[ "$got" -ge "$last" ] || echo "saw $got requests after $last" >>"$1"
			last=$got
			echo ok >>"$1"
		else
			cat "$1.err" >>"$1"
		fi
	done
}
read_store reader1 &
reader=$!
read_store reader2
wait $writer $reader
runs=$(cat reader1 reader2 | wc -l) bad=$(cat reader1 reader2 | grep -vc '^ok$' || true)
[ "$bad" -eq 0 ] || fail "$bad of $runs reports or verifies failed during compactions: $(grep -hv '^ok$' reader1 reader2 | head -3)"
[ "$("$BURNRATE" --store race report --as-of 2025-12-31 --by month --format csv |
	awk -F, 'NR == 2 { print $2 }')" = 45000 ] || fail "the store lost requests"

# A store file that cannot be opened (EMFILE) or read (EIO) now is not a
# missing store: init did not make it again with another time zone (it
# did, silently), and no command tells to init it.
if strace -o /dev/null true 2>/dev/null; then
	# nth CALL ARGS...: the number of the call of CALL that opens or reads
	# the store file, in a run of ARGS.
	nth() {
		call=$1
		shift
		traced -f -e trace="$call" "$BURNRATE" "$@" 2>&1 >/dev/null |
			grep -n "^[^ ]*$call(\|^\[pid *[0-9]*\] $call(" |
			grep -m1 "burnrate.store\|burnrate store" | cut -d: -f1
	}
	n=$(nth openat --store st init --timezone UTC)
	traced -f -qq -o /dev/null -e trace=openat -e inject=openat:error=EMFILE:when="$n" \
		"$BURNRATE" --store st init --timezone UTC >init.out 2>&1 &&
		fail "init, the store file not opened: exit 0: $(cat init.out)"
	grep -q "burnrate: error: cannot read store 'st': Too many open files" init.out ||
		fail "init, the store file not opened: $(cat init.out)"
	grep -q '^timezone Europe/Paris$' st/burnrate.store ||
		fail "init changed the store's time zone: $(cat st/burnrate.store)"
	n=$(nth read --store st verify)
	traced -f -qq -o /dev/null -e trace=read -e inject=read:error=EIO:when="$n" \
		"$BURNRATE" --store st verify >verify.out 2>&1 &&
		fail "verify, the store file not read: exit 0"
	grep -q "cannot read 'st/burnrate.store': Input/output error" verify.out ||
		fail "verify, the store file not read: $(cat verify.out)"
	# Two first inits of a store at once, with different zones: the store
	# file of the one that wrote it last replaced the other's, both exited
	# 0, and the first one's days were then counted in a zone it had not
	# asked for. two_inits STORE ZONE_A ZONE_B: init A (zone ZONE_A, its
	# output in STORE.out, its status in $held_status) is held in its
	# mkdir until init B (ZONE_B) has made the store: A must find B's as
	# if it had been there.
	two_inits() {
		traced -f -qq -o /dev/null -e trace=mkdir,mkdirat \
			-e inject=mkdir,mkdirat:delay_enter=2s:when=1 \
			"$BURNRATE" --store "$1" init --timezone "$2" >"$1.out" 2>&1 &
		held=$!
		sleep 0.5
		"$BURNRATE" --quiet --store "$1" init --timezone "$3" ||
			fail "the second of two inits of $1 at once exited $?"
		held_status=0
		wait "$held" || held_status=$?
	}
	two_inits twin UTC Europe/Paris
	[ "$held_status" -eq 2 ] ||
		fail "the first of two inits at once, other zones: exit $held_status: $(cat twin.out)"
	grep -q "store 'twin' already exists with time zone Europe/Paris, not UTC" twin.out ||
		fail "the first of two inits at once: $(cat twin.out)"
	grep -q '^timezone Europe/Paris$' twin/burnrate.store ||
		fail "two inits at once: the second's zone was replaced: $(cat twin/burnrate.store)"
	two_inits twin2 UTC UTC
	[ "$held_status" -eq 0 ] ||
		fail "two inits at once, one zone: the first: $(cat twin2.out)"
	# A new store's directory is made durable in its parent (fsync of
	# the parent after the mkdir), as its files are in it.
	mkdir parent
	traced -f -o init.trace -e trace=mkdir,mkdirat,open,openat,fsync \
		"$BURNRATE" --quiet --store parent/new init >/dev/null 2>&1 ||
		fail "init of parent/new exited $?"
	awk '/mkdir(at)?\(.*"parent\/new"/ { made = 1 }
	     made && /open(at)?\(.*"parent", .*O_DIRECTORY.*= [0-9]+$/ {
		fd = $NF; opened = 1 }
	     opened && $0 ~ "fsync\\(" fd "\\)[ ]*= 0" { synced = 1 }
	     END { exit !synced }' init.trace ||
		fail "init did not fsync the new store's parent directory: $(grep -v '\.so' init.trace)"
else
	echo "store: strace cannot trace here: a store file that cannot be read is not tested" >&2
fi
# A store made in a directory one may write in and search but not read
# (0333: its parent cannot be opened to fsync it) is made as before: init
# failed there, exit 1, its directory left behind. As root, without the
# capabilities that pass over a directory's mode.
noread() { "$@"; }
noread_ok=yes
if [ "$(id -u)" = 0 ]; then
	noread() { setpriv --bounding-set -dac_override,-dac_read_search "$@"; }
	noread true 2>/dev/null || noread_ok=no
fi
if [ $noread_ok = yes ]; then
	mkdir dropbox
	chmod 0333 dropbox
	noread "$BURNRATE" --quiet --store dropbox/st init >init.out 2>&1 ||
		fail "init in a directory that may not be read: $(cat init.out)"
	chmod 0755 dropbox
	grep -q '^timezone UTC$' dropbox/st/burnrate.store ||
		fail "init in a directory that may not be read: no store"
else
	echo "store: setpriv cannot drop capabilities here: init in a directory that may not be read is not tested" >&2
fi
echo "store: all checks passed"
