#!/bin/sh
# readfaults.sh - reads that fail (strace injects EIO into the Nth
# getdents64 or pread64, for each N up to the calls a run makes) are
# errors, never an empty directory or an empty file: a failed listing of
# the store's segments or of a directory of inputs, a failed read of the
# first bytes of an archive. After each: either exit 1 with a
# "burnrate: error:" message, or a success; either way the store
# verifies and a clean ingest then gives the exact totals (no input lost,
# none counted twice). A store that lists as empty (getdents64 says end
# at once) never has its first segment replaced. Nor is a failed listing
# of run's input globs no logs. Nor is a failed read of a compressed
# rotated log the end of what it continues. Skipped where strace
# cannot trace or inject.
. "$(dirname "$0")/common.inc"
cd "$tmp"
if ! traced -f -qq -o /dev/null -e trace=getdents64 \
	-e inject=getdents64:error=EIO:when=1000 true 2>/dev/null; then
	echo "readfaults: skipped: strace cannot inject faults here"
	exit 0
fi

b() { "$BURNRATE" --quiet "$@"; }
totals() { # store
	b --store "$1" report --format csv --by day,provider,model \
		--since 2000-01-01 --as-of 2030-12-31
}
# inject CALL N CMD...: runs CMD with the Nth CALL failing (EIO); its
# status in rc, its standard error in err.
inject() {
	call=$1 n=$2
	shift 2
	set +e
	traced -f -qq -o /dev/null -e trace="$call" \
		-e inject="$call":error=EIO:when="$n" "$@" >out 2>err
	rc=$?
	set -e
}
# count CALL CMD...: how many CALLs CMD makes.
count() {
	call=$1
	shift
	traced -f -qq -o calls.trace -e trace="$call" "$@" >/dev/null 2>&1
	grep -c "$call(" calls.trace
}
# reads_of FILE CMD...: how many reads of FILE CMD makes (whatever its
# exit status).
reads_of() {
	file=$1
	shift
	traced -f -qq -o calls.trace -P "$file" -e trace=read "$@" \
		>/dev/null 2>&1 || true
	grep -c 'read(' calls.trace
}
# inject_read FILE N CMD...: runs CMD with its Nth read of FILE failing
# (EIO); its status in rc, its standard error in err.
inject_read() {
	file=$1 n=$2
	shift 2
	set +e
	traced -f -qq -o /dev/null -P "$file" \
		-e trace=read -e inject=read:error=EIO:when="$n" "$@" >out 2>err
	rc=$?
	set -e
}
# checked WHAT: the run under inject either failed as it should or
# succeeded (or never started: the loader's read failed); sets fired when
# it failed.
checked() {
	case $rc in
	0) ;;
	127)	# The dynamic loader's read, before burnrate runs.
		grep -q 'error while loading shared libraries' err ||
			fail "$1: exit $rc: $(cat err)" ;;
	1)	grep -q '^burnrate: error: .*Input/output error' err ||
			fail "$1: exit 1 without the read's error: $(cat err)"
		fired=1 ;;
	*) fail "$1: exit $rc: $(cat err)" ;;
	esac
}

log() { # day id
	printf '{"timestamp":"2025-10-%sT10:00:00Z","provider":"openai","model":"gpt-4o","request_id":"%s","usage":{"input_tokens":1000000}}\n' "$1" "$2"
}
log 01 r1 >one.jsonl
mkdir d
log 02 r2 >d/two.jsonl
log 03 r3 >d/three.jsonl
{ log 04 r4; log 05 r5; log 06 r6; } >x.jsonl
tar czf t.tar.gz x.jsonl
b --store base init >/dev/null
b --store base ingest one.jsonl
b --store full init >/dev/null
b --store full ingest one.jsonl d t.tar.gz
totals full >full.csv
totals base >base.csv

# Ingest of a directory into a store of one segment, and of an archive:
# whatever read fails, no input is lost, none counted twice.
for input in d t.tar.gz; do
	for call in getdents64 pread64; do
		fired=
		rm -rf s
		cp -r base s
		calls=$(count "$call" "$BURNRATE" --quiet --store s ingest \
			--jobs 1 "$input")
		n=1
		while [ $n -le "$calls" ]; do
			what="ingest $input, $call $n"
			rm -rf s
			cp -r base s
			inject "$call" "$n" "$BURNRATE" --quiet --store s ingest \
				--jobs 1 "$input"
			checked "$what"
			ls s/segments/seg-0000000000000001.brs >/dev/null ||
				fail "$what: the first segment is gone"
			b --store s verify >verify.out 2>&1 ||
				fail "$what: store does not verify: $(cat verify.out)"
			b --store s ingest one.jsonl d t.tar.gz
			totals s | cmp -s - full.csv ||
				fail "$what: totals differ: $(totals s)"
			n=$((n + 1))
		done
		case $input.$call in
		d.getdents64 | t.tar.gz.pread64)
			[ -n "$fired" ] || fail "ingest $input: no $call failed" ;;
		esac
	done
done

# A log compressed as it was rotated, with a record added since its plain
# log was ingested: a read of it that fails while burnrate looks for what
# it continues fails it. Else it would be read whole, counting again the
# record already ingested.
rm -rf rot
mkdir rot
for z in gz zst; do
	log 07 q1 >rot/app.log
	b --store zbase init >/dev/null
	b --store zbase ingest "$PWD/rot/app.log"
	log 08 q2 >>rot/app.log
	case $z in
	gz) gzip -c rot/app.log >rot/app.log.1.$z ;;
	zst) zstd -q -c rot/app.log >rot/app.log.1.$z ;;
	esac
	rm rot/app.log
	cp -r zbase zwant
	b --store zwant ingest "$PWD/rot/app.log.1.$z"
	totals zwant >zwant.csv
	grep -q '^2025-10-07,openai,gpt-4o,1,' zwant.csv || fail "rotated $z: $(cat zwant.csv)"
	fired=
	calls=$(reads_of "$PWD/rot/app.log.1.$z" "$BURNRATE" --quiet \
		--store zwant ingest "$PWD/rot/app.log.1.$z")
	[ "$calls" -gt 0 ] || fail "rotated $z: no read of it traced"
	n=1
	while [ $n -le "$calls" ]; do
		what="rotated $z, read $n"
		rm -rf s
		cp -r zbase s
		inject_read "$PWD/rot/app.log.1.$z" $n "$BURNRATE" --quiet \
			--store s ingest --jobs 1 "$PWD/rot/app.log.1.$z"
		checked "$what"
		b --store s ingest "$PWD/rot/app.log.1.$z"
		totals s | cmp -s - zwant.csv ||
			fail "$what: totals differ: $(totals s)"
		n=$((n + 1))
	done
	[ -n "$fired" ] || fail "rotated $z: no read failed"
	rm -rf zbase zwant
done

# A backfill under another source of a gzipped log grown by a member: a
# read of it that fails, while it is ingested or while its content is
# compared again with the store's inputs, fails it; it is refused
# otherwise. Never taken (the other source's records counted twice).
rm -rf pk
mkdir pk
{ log 09 k1; log 10 k2; } | gzip -c >pk/app.log.gz
b --store kbase init >/dev/null
b --store kbase ingest --source a "$PWD/pk"
log 10 k3 | gzip -c >>pk/app.log.gz
totals kbase >kbase.csv
calls=$(reads_of "$PWD/pk/app.log.gz" "$BURNRATE" --quiet --store kbase \
	ingest --replace 2025-10-10..2025-10-10 "$PWD/pk/app.log.gz")
[ "$calls" -gt 1 ] || fail "backfill of a grown gzip: $calls reads of it traced"
n=1
while [ $n -le "$calls" ]; do
	what="backfill of a grown gzip, read $n"
	rm -rf s
	cp -r kbase s
	inject_read "$PWD/pk/app.log.gz" $n "$BURNRATE" --quiet --store s \
		ingest --jobs 1 --replace 2025-10-10..2025-10-10 "$PWD/pk/app.log.gz"
	[ $rc -eq 1 ] && grep -q "^burnrate: error: .*\(Input/output error\|cannot read '.*' again\|ingested before under source 'a'\)" err ||
		fail "$what: exit $rc: $(cat err)"
	totals s | cmp -s - kbase.csv || fail "$what: totals changed: $(totals s)"
	n=$((n + 1))
done

# Report and verify of a store whose listing fails: an error, never the
# totals of an empty store.
for cmd in report verify; do
	fired=
	for n in 1 2 3 4 5 6; do
		if [ $cmd = report ]; then
			inject getdents64 "$n" "$BURNRATE" --quiet --store base \
				report --format csv --by day,provider,model \
				--since 2000-01-01 --as-of 2030-12-31
		else
			inject getdents64 "$n" "$BURNRATE" --quiet --store base verify
		fi
		checked "$cmd, getdents64 $n"
		[ $rc -ne 0 ] || [ $cmd = verify ] || cmp -s out base.csv ||
			fail "$cmd, getdents64 $n: wrong totals: $(cat out)"
	done
	[ -n "$fired" ] || fail "$cmd: no listing failed"
done

# check --write-baseline of a directory whose listing fails: an error,
# and no baseline of fewer inputs (d's two requests).
fired=
calls=$(count getdents64 "$BURNRATE" --quiet check --write-baseline bl.json d)
n=0
while [ $n -lt "$calls" ]; do
	n=$((n + 1))
	rm -f bl.json
	inject getdents64 "$n" "$BURNRATE" --quiet check --write-baseline bl.json d
	checked "check, getdents64 $n"
	[ $rc -ne 0 ] || grep -q '"requests":2,' bl.json ||
		fail "check, getdents64 $n: a baseline without both of d: $(cat bl.json)"
done
[ -n "$fired" ] || fail "check: no listing failed"

# A listing cut short as if at its end (getdents64 returns 0): the store
# looks empty, and the segment numbered first is published over the one
# that exists only if publishing replaces files. It must not.
rm -rf s
cp -r base s
set +e
traced -f -qq -o /dev/null -e trace=getdents64 \
	-e inject=getdents64:retval=0 "$BURNRATE" --quiet --store s \
	ingest d/two.jsonl >out 2>err
rc=$?
set -e
[ $rc -eq 1 ] || fail "ingest into a store listed empty: exit $rc: $(cat err)"
grep -q "^burnrate: error: .*seg-0000000000000001.brs.*exists" err ||
	fail "ingest into a store listed empty: $(cat err)"
b --store s verify >/dev/null
totals s | cmp -s - base.csv || fail "the first segment was replaced: $(totals s)"

# run's input globs: a directory glob cannot read is an error, never a
# directory without logs.
mkdir logs
cp one.jsonl logs/
printf 'store r\ntimezone UTC\ninput logs/*.jsonl\n' >r.conf
b --store r init >/dev/null
calls=$(count getdents64 "$BURNRATE" --quiet --config r.conf run --as-of 2025-10-31)
fired=
n=0
while [ $n -lt "$calls" ]; do
	n=$((n + 1))
	rm -rf r
	b --store r init >/dev/null
	inject getdents64 "$n" "$BURNRATE" --quiet --config r.conf run --as-of 2025-10-31
	checked "run, getdents64 $n"
	[ $rc -ne 0 ] || totals r | cmp -s - base.csv ||
		fail "run, getdents64 $n: succeeded without logs/one.jsonl: $(totals r)"
	! grep -q "cannot read directory 'logs': Input/output error" err || named=1
done
[ -n "$fired" ] || fail "run: no listing failed"
[ -n "${named:-}" ] || fail "run: the glob's directory that failed is not named"
echo "readfaults: ok"
