#!/bin/sh
# faults.sh - failure injection (tests/faultinject.c, LD_PRELOAD): the Nth
# open, write, fsync, rename or malloc fails, once or from then on, for
# N = 1, 2, ... until a run completes without the fault firing, during
# ingest, a --replace backfill, compact, merge (of a store of three
# sources, two of them merged before), report --output (JSON and XLSX)
# and notify, and the writes of libxlsxwriter to its temporary files,
# from the Nth on, during report --output of XLSX. After each
# failure: a non-zero exit with a "burnrate: error:" message (or a
# success whose results are exact), a store that verifies and shows
# either the totals before the run or those of whole inputs added, never
# part of one (a backfill and a merge: before or after, nothing between),
# no temporary file left, an old report file either kept or
# replaced whole; then a clean run gives the exact totals. The commands
# that write the store are also killed (SIGKILL) just before their Nth
# write, fsync, rename or unlink (FAULT_KILL_KINDS), with the same
# checks but for temporary files, which the next writer removes. Then a
# disk that fills up mid-ingest (a 2 MiB tmpfs; skipped unless root).
#
# In make check, N is every call up to 8 and then doubles, for malloc
# 1, 4, 16, ... (about 470 runs, 56 of them kills); FAULTS=all (make torture) tries
# every N, except that malloc, called ~100,000 times by ingest (mostly
# loading the built-in catalog), is tried at every N up to 1,000 and then
# at every 97th. FAULT_KINDS="open write", FAULT_KILL_KINDS="rename"
# and FAULT_SCENARIOS="ingest notify" limit the kinds of call and the
# commands.
#
# Not injected: malloc failures inside libxlsxwriter (1.1.4 drops a cell
# whose allocation fails and still reports success, and crashes when its
# zip library, minizip, fails one) and libesmtp (1.1.0 crashes in
# smtp_add_recipient and in its SASL plugins), which burnrate cannot see
# (fuzz/FINDINGS.md); their opens and writes are. Skipped under SANITIZE
# builds: ASan must be the first library loaded and intercepts malloc
# itself, so the shim cannot be preloaded there.
. "$(dirname "$0")/common.inc"
: "${FAULTINJECT:=$root/${BUILD:-build}/faultinject.so}"
: "${FAULTS:=}"
: "${FAULT_KINDS:=open write fsync rename malloc}"
: "${FAULT_KILL_KINDS:=write fsync rename unlink}"
: "${FAULT_SCENARIOS:=ingest backfill compact merge report_json report_xlsx notify}"
if ldd "$BURNRATE" | grep -q 'libasan\|libubsan\|libtsan'; then
	echo "faults.sh: skipped: $BURNRATE is built with sanitizers"
	exit 0
fi
[ -f "$FAULTINJECT" ] || fail "no fault injection shim at $FAULTINJECT"
cd "$tmp"

b() { "$BURNRATE" --quiet "$@"; }
# The store's totals, every key: what must be exact.
totals() { # store
	b --store "$1" report --format csv --by day,provider,model,agent,label \
		--since 2000-01-01 --as-of 2030-12-31
}
# Running out of memory ends burnrate at once (docs/ARCHITECTURE.md,
# "Errors"): like a kill, it may leave a temporary file, never a visible
# one. Any other failure removes its temporary files.
oom() { grep -q '^burnrate: error: out of memory' err 2>/dev/null; }
verify() { # store
	b --store "$1" verify >verify.out 2>&1 ||
		fail "$what: store does not verify: $(cat verify.out)"
	oom || [ "${rc:-0}" -eq 137 ] || ! ls "$1"/segments/.tmp-* >/dev/null 2>&1 ||
		fail "$what: temporary files left: $(ls "$1"/segments)"
}

# Inputs: JSONL, CSV and a gzip of another format, plus one ingested
# before the runs under test.
sed -n 1,5p "$root/samples/logs/app-2025-10.jsonl" >a.jsonl
sed -n 1,4p "$root/samples/logs/finance-export-2025-10.csv" >c.csv
gzip -dc "$root/samples/logs/gateway-2025-10.jsonl.gz" | sed -n 1,3p | gzip -n >g.jsonl.gz
sed -n 6,6p "$root/samples/logs/app-2025-10.jsonl" >p.jsonl
inputs="a.jsonl c.csv g.jsonl.gz"

# The totals a store may show after a failed ingest: those of p with any
# subset of the inputs (each input counts whole or not at all).
b --store base init >/dev/null
b --store base ingest p.jsonl
mkdir subsets
for s in "" a.jsonl c.csv g.jsonl.gz "a.jsonl c.csv" "a.jsonl g.jsonl.gz" \
	"c.csv g.jsonl.gz" "$inputs"; do
	rm -rf sub
	cp -r base sub
	[ -z "$s" ] || b --store sub ingest $s
	totals sub >"subsets/with-$(echo "$s" | tr ' ' +).csv"
done
cp "subsets/with-$(echo "$inputs" | tr ' ' +).csv" full.csv
# A store holding them as four segments, for compaction.
cp -r base four
for f in $inputs; do b --store four ingest "$f"; done
totals four | cmp -s - full.csv || fail "four ingests differ from one"
# The backfill of October with the inputs but p.jsonl: full.csv, or
# backfilled.csv (p's day of October gone).
cp -r four sub
b --store sub ingest --replace 2025-10-01..2025-10-31 $inputs
totals sub >backfilled.csv
! cmp -s backfilled.csv full.csv || fail "the backfill changes nothing"
# A store that merged one of two sources, default and team, and then
# their newer states and a third source, ops: merged.csv, or
# premerge.csv as it was.
b --store sh ingest a.jsonl
b --store sh ingest --source team c.csv
b --store mbase merge sh
totals mbase >premerge.csv
b --store sh ingest g.jsonl.gz
b --store sh ingest --source team p.jsonl
sed -n 7,7p "$root/samples/logs/app-2025-10.jsonl" >o.jsonl
b --store sh ingest --source ops o.jsonl
rm -rf sub
cp -r mbase sub
b --store sub merge sh
totals sub >merged.csv
! cmp -s merged.csv premerge.csv || fail "the merge changes nothing"

# The report files as a clean run writes them.
export SOURCE_DATE_EPOCH=1700000000
b --store four report --format json --since 2025-10-01 --as-of 2025-10-31 \
	--output ref.json
b --store four report --format xlsx --since 2025-10-01 --as-of 2025-10-31 \
	--output ref.xlsx

# Notify: $10 a day for agent bot; on 2025-10-05 "all" reaches 50% of its
# $100 and "fc" is projected past $250: two messages.
i=1
while [ $i -le 5 ]; do
	for k in 1 2 3 4; do
		printf '{"timestamp":"2025-10-0%sT0%s:00:00Z","provider":"openai",' $i $k
		printf '"model":"gpt-4o","agent":"bot","request_id":"n%s-%s",' $i $k
		printf '"usage":{"input_tokens":1000000}}\n'
	done
	i=$((i + 1))
done >n.jsonl
b --store nbase init >/dev/null
b --store nbase ingest n.jsonl
cat >budgets.csv <<'EOF'
name,scope,period,limit_usd,thresholds,forecast,recipients
all,*,monthly,100,50,no,fin@example.com
fc,agent=bot,monthly,250,50,yes,owner@example.com
EOF
trap 'smtpd_stop; rm -rf "$tmp"' EXIT
smtpd_start mail --auth alice:s3cret
printf 'host 127.0.0.1\nport %s\nfrom burnrate@example.com\ntimeout 1\n' \
	"$port" >msmtprc
printf 'auth plain\nuser alice\npassword s3cret\n' >>msmtprc
chmod 600 msmtprc
messages() { ls mail | grep -c '\.eml$' || true; }

# ------------------------------------------------------------ scenarios

# Each scenario has: setup (a fresh state), run CMD (the command under
# test, CMD is burnrate or the shim's wrapper), check (after a failure or
# a success) and recover (a clean run, then the exact result).

ingest_setup() { rm -rf s; cp -r base s; }
ingest_run() { "$@" --quiet --store s ingest --jobs 2 --rejects rej.txt $inputs; }
ingest_check() {
	verify s
	totals s >now.csv
	for f in subsets/*.csv; do
		cmp -s now.csv "$f" && return 0
	done
	fail "$what: totals are not those of whole inputs: $(cat now.csv)"
}
ingest_recover() {
	b --store s ingest $inputs || fail "$what: clean rerun exited $?"
	verify s
	totals s | cmp -s - full.csv || fail "$what: totals after recovery differ"
}

backfill_setup() { rm -rf s; cp -r four s; }
backfill_run() {
	"$@" --quiet --store s ingest --replace 2025-10-01..2025-10-31 $inputs
}
backfill_check() {
	verify s
	totals s >now.csv
	cmp -s now.csv backfilled.csv || { [ "$rc" -ne 0 ] && cmp -s now.csv full.csv; } ||
		fail "$what: totals are neither those before the backfill nor after it"
}
backfill_recover() {
	backfill_run "$BURNRATE" || fail "$what: clean backfill exited $?"
	verify s
	totals s | cmp -s - backfilled.csv ||
		fail "$what: totals after recovery differ"
}

compact_setup() { rm -rf s; cp -r four s; }
compact_run() { "$@" --quiet --store s compact; }
compact_check() {
	verify s
	totals s | cmp -s - full.csv || fail "$what: totals changed"
}
compact_recover() {
	b --store s compact || fail "$what: clean compact exited $?"
	compact_check
	[ "$(ls s/segments | grep -c '^seg-.*\.brs$')" -eq 1 ] ||
		fail "$what: not one segment after compaction: $(ls s/segments)"
}

merge_setup() { rm -rf s; cp -r mbase s; }
merge_run() { "$@" --quiet --store s merge sh; }
# A merge that ends before the last segment of its group is published
# leaves the totals before it, and verify (exit 1) names the segments it
# published, what they lack and the merge to run again; a merge that
# fails says what it left: the store unchanged, that group, or all of
# the store merged all the same.
merge_check() {
	totals s >now.csv
	cmp -s now.csv merged.csv || { [ "$rc" -ne 0 ] && cmp -s now.csv premerge.csv; } ||
		fail "$what: totals are neither those before the merge nor after it"
	left="\(nothing of 'sh' was merged into 's'\|nothing was merged into 's'\)$"
	if ! b --store s verify >verify.out 2>&1; then
		cmp -s now.csv premerge.csv &&
			grep -q "^burnrate: error: s/segments/seg-[0-9a-f]*\.brs: of a merge of '.*/sh' that did not end: its group of 3 segments lacks seg-[0-9a-f]*\.brs.*, so reports count none of them (they show the store as it was before that merge); run 'burnrate --store s merge .*/sh' again$" verify.out &&
			grep -q "^burnrate: error: [12] segments\{0,1\} of a merge that did not end in s, which reports do not count: run the merge again$" verify.out &&
			! grep -q corrupt verify.out ||
			fail "$what: store does not verify: $(cat verify.out)"
		left="the merge of 'sh' did not end: the store 's' shows its state before it, and its segments published ([12] of 3) count for nothing until 'burnrate --store s merge sh' is run again$"
	fi
	! cmp -s now.csv merged.csv ||
		left="'sh' was merged all the same (merging it again changes nothing)$"
	[ "$rc" -ne 1 ] || oom || grep -q "^burnrate: error: .*; $left" err ||
		fail "$what: the error does not say '$left': $(cat err)"
	oom || [ "${rc:-0}" -eq 137 ] || ! ls s/segments/.tmp-* >/dev/null 2>&1 ||
		fail "$what: temporary files left: $(ls s/segments)"
}
# The merge run again completes it, and leaves the files of its three
# segments alone: the replaced ones and those of the merge that did not
# end are removed.
merge_recover() {
	merge_run "$BURNRATE" || fail "$what: clean merge exited $?"
	verify s
	totals s | cmp -s - merged.csv || fail "$what: totals after recovery differ"
	[ "$(ls s/segments | grep -c '^seg-.*\.brs$')" -eq 3 ] ||
		fail "$what: not three segments after the merge: $(ls s/segments)"
}

report_setup() { rm -f out.* ; echo old >"out.$fmt"; }
report_run() {
	"$@" --quiet --store four report --format "$fmt" --since 2025-10-01 \
		--as-of 2025-10-31 --output "out.$fmt"
}
report_check() {
	oom || ! ls out."$fmt".tmp-* >/dev/null 2>&1 ||
		fail "$what: temporary report file left"
	[ "$(cat "out.$fmt")" = old ] || cmp -s "out.$fmt" "ref.$fmt" ||
		fail "$what: out.$fmt is neither the old file nor the report"
	[ "$rc" -ne 0 ] || cmp -s "out.$fmt" "ref.$fmt" ||
		fail "$what: succeeded with a wrong report"
}
report_recover() {
	report_run "$BURNRATE" || fail "$what: clean report exited $?"
	cmp -s "out.$fmt" "ref.$fmt" || fail "$what: report differs after recovery"
}

notify_setup() { rm -rf s; cp -r nbase s; before=$(messages); }
notify_run() {
	"$@" --quiet --store s notify --budgets budgets.csv \
		--smtp-config msmtprc --as-of 2025-10-05
}
notify_check() { verify s; }
# Every alert arrives whole (byte for byte the ledger's copy); a copy
# sent again (the fault struck between the server's 250 and the ledger's
# update) has the same Message-ID, so mail systems drop it; and a further
# run sends nothing.
notify_recover() {
	b --store s notify --budgets budgets.csv --smtp-config msmtprc \
		--as-of 2025-10-05 || fail "$what: clean notify exited $?"
	new=$(($(messages) - before))
	i=$before
	while [ $i -lt $((before + new)) ]; do
		i=$((i + 1))
		whole=
		for e in s/notify/*.eml; do
			! cmp -s "mail/$i.eml" "$e" || whole=1
		done
		[ -n "$whole" ] || fail "$what: message $i arrived damaged"
	done
	ids=$(i=$before; while [ $i -lt $((before + new)) ]; do
		i=$((i + 1)); grep -i '^Message-ID:' "mail/$i.eml" || true
	done | sort -u | wc -l)
	[ "$ids" -eq 2 ] || fail "$what: $ids distinct messages arrived, want 2"
	# At most one copy more: a message whose outcome cannot be recorded
	# ends the session (it went on, and with the disk full every alert
	# sent after it went out again with the next run).
	[ "$new" -le 3 ] || fail "$what: $new copies of the 2 alerts arrived"
	[ "$new" -eq 2 ] || resent=$((resent + new - 2))
	b --store s notify --budgets budgets.csv --smtp-config msmtprc \
		--as-of 2025-10-05 || fail "$what: third notify exited $?"
	[ "$(messages)" -eq $((before + new)) ] || fail "$what: a third run sent again"
}

# ------------------------------------------------------------ the loop

next_n() { # n kind
	if [ "$FAULTS" = all ]; then
		if [ "$2" = malloc ] && [ "$1" -ge 1000 ]; then
			echo $(($1 + 97))
		else
			echo $(($1 + 1))
		fi
	elif [ "$2" = malloc ]; then
		echo $(($1 * 4))
	elif [ "$1" -lt 8 ]; then
		echo $(($1 + 1))
	else
		echo $(($1 * 2))
	fi
}

inject() { # scenario kind mode
	n=1
	while :; do
		what="$1${fmt:+ $fmt}, $3 $2 #$n"
		rm -f flog
		"$1_setup"
		set +e
		spare=
		[ "$2" != malloc ] ||
			spare="libxlsxwriter.so libminizip.so libesmtp.so sasl-"
		# libarchive 3.6.2's zip reader, which reads a workbook back
		# (check_written), crashes on a failed allocation in
		# archive_read_next_header; its other readers (ingest) do not.
		[ "$2$1${fmt:-}" != mallocreportxlsx ] || spare="$spare libarchive.so"
		"$1_run" env LD_PRELOAD="$FAULTINJECT" FAULT_CALL="$2" FAULT_N=$n \
			FAULT_MODE="$3" FAULT_LOG="$tmp/flog" FAULT_SPARE="$spare" \
			"$BURNRATE" >out 2>err
		rc=$?
		set -e
		if ! grep -q '^fired' flog 2>/dev/null; then
			[ "$rc" -eq 0 ] || fail "$what: exited $rc, no fault: $(cat err)"
			"$1_check"
			"$1_recover"
			break
		fi
		runs=$((runs + 1))
		case $rc in
		0) ;;
		1 | 2 | 75)
			grep -q '^burnrate: error: ' err ||
				fail "$what: exit $rc without an error message: $(cat err)"
			failures=$((failures + 1)) ;;
		137) [ "$3" = kill ] || fail "$what: killed: $(cat err)"
			kills=$((kills + 1)) ;;
		*) fail "$what: exit status $rc: $(cat err)" ;;
		esac
		"$1_check"
		"$1_recover"
		n=$(next_n $n "$2")
	done
}

runs=0 failures=0 resent=0 kills=0
for scenario in $FAULT_SCENARIOS; do
	fmt=
	case $scenario in report_*) fmt=${scenario#report_} scenario=report ;; esac
	for kind in $FAULT_KINDS; do
		for mode in once always; do
			inject $scenario $kind $mode
		done
	done
	case $scenario in ingest | backfill | compact | merge)
		for kind in $FAULT_KILL_KINDS; do
			inject $scenario $kind kill
		done ;;
	esac
done
# libxlsxwriter does not check its writes to its temporary files: with
# $TMPDIR full (each from the Nth on failing) the workbook is an error,
# never one of empty or cut parts and exit 0.
case " $FAULT_SCENARIOS " in *" report_xlsx "*)
	fmt=xlsx
	inject report tmpwrite always ;;
esac
echo "faults: $runs runs with a fault injected, $failures failed cleanly," \
	"$kills killed, the others succeeded with exact results; $resent" \
	"alert copies re-sent"

# ------------------------------------------------------------ disk full

if [ "$(id -u)" -ne 0 ] || ! mkdir small || \
	! mount -t tmpfs -o size=2m tmpfs small 2>/dev/null; then
	echo "faults: disk full skipped (needs root to mount a small tmpfs)"
	exit 0
fi
trap 'smtpd_stop; umount "$tmp/small" 2>/dev/null || true; rm -rf "$tmp"' EXIT
# 15,000 requests of distinct agents: a segment of about 3 MB.
"$PYTHON" - <<'EOF'
with open("big.jsonl", "w") as f:
    for i in range(15000):
        f.write('{"timestamp":"2025-10-%02dT12:00:00Z","provider":"openai",'
                '"model":"gpt-4o","agent":"agent-%05d","request_id":"big-%d",'
                '"usage":{"input_tokens":%d,"output_tokens":7}}\n'
                % (i % 28 + 1, i, i, i + 1))
EOF
cp -r base small/s
rm -rf ref
cp -r base ref
b --store ref ingest big.jsonl
what="disk full"
must_fail 1 err "$BURNRATE" --quiet --store small/s ingest big.jsonl
grep -q 'No space left on device' err || fail "disk full: unclear error: $(cat err)"
verify small/s
totals small/s | cmp -s - subsets/with-.csv || fail "disk full: the store changed"
# A report that does not fit names its file, also in a text format,
# whose writer has only the stream (it said "cannot write report").
dd if=/dev/zero of=small/filler bs=4k 2>/dev/null || true
for f in json csv; do
	must_fail 1 err "$BURNRATE" --quiet --store small/s report --format $f \
		--output small/out.$f
	grep -q "cannot write '.*small/out.$f': No space left on device" err ||
		fail "disk full: the report file is not named: $(cat err)"
done
rm -f small/filler
mount -o remount,size=16m "$tmp/small"
b --store small/s ingest big.jsonl || fail "disk full: rerun exited $?"
verify small/s
totals small/s >now.csv
totals ref | cmp -s - now.csv || fail "disk full: totals after the rerun differ"
umount "$tmp/small"
echo "faults: disk full: clean error, store unchanged, exact after the rerun"
