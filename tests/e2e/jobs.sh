#!/bin/sh
# jobs.sh - --jobs 1, 2 and 8 give the same results over a mixed directory:
# byte-identical segments, reports, rejects files and summaries. The
# directory holds many small JSONL and CSV files with bad records, a large
# gzip (decompressed on a thread of its own), a truncated gzip (fails by
# name, exit 1), the same content under two names, two files and an
# archive member that share request ids with different content (the first
# in input order counts, whichever thread read it first), and a log that
# grows between two runs; and no thread to be had.
. "$(dirname "$0")/common.inc"
cd "$tmp"
mkdir -p logs/small logs/zz
for i in $(seq 1 30); do
	gen --seed $((100 + i)) --records $((20 + i * 7)) --format jsonl --bad 2 \
		--out logs/small/s$i.jsonl
done
for i in $(seq 1 6); do
	gen --seed $((200 + i)) --records 150 --format csv --bad 1 \
		--out logs/small/c$i.csv
done
gen --seed 300 --records 120000 --format jsonl --bad 5 --out big.jsonl
gzip -c big.jsonl >logs/big.jsonl.gz
rm big.jsonl
gen --seed 301 --records 5000 --format jsonl --out trunc.jsonl
gzip -c trunc.jsonl | head -c 20000 >logs/small/trunc.jsonl.gz
rm trunc.jsonl
cp logs/small/s3.jsonl logs/zz/copy-of-s3.jsonl
# Shared request ids, different content: the earlier input's records count.
gen --seed 400 --records 300 --format jsonl --id-prefix shared- --out logs/a-shared.jsonl
gen --seed 401 --records 300 --format jsonl --id-prefix shared- --out logs/zz/b-shared.jsonl
gen --seed 402 --records 200 --format jsonl --id-prefix shared- --out m1.jsonl
gen --seed 403 --records 200 --format jsonl --out m2.jsonl
tar czf logs/zz/members.tar.gz m1.jsonl m2.jsonl
rm m1.jsonl m2.jsonl
gen --seed 500 --records 1000 --format jsonl --out grown.jsonl
head -n 600 grown.jsonl >logs/grow.jsonl
printf '%s' "$(sed -n 601p grown.jsonl)" >>logs/grow.jsonl # a partial last line

run() { # JOBS: two runs into store s$JOBS, the log grown in between
	j=$1
	rm -rf d s$j
	cp -r logs d
	set +e
	"$BURNRATE" --store s$j ingest --jobs $j --rejects rej$j-1.txt d \
		>out$j-1.txt 2>err$j-1.txt
	echo "exit $?" >>out$j-1.txt
	"$PYTHON" - d/grow.jsonl <<'EOF'
import sys
lines = open("grown.jsonl", "rb").read().split(b"\n")
with open(sys.argv[1], "r+b") as f:
    f.seek(0, 2)
    rest = b"\n".join(lines[600:])  # the partial line's remainder and more
    f.seek(f.tell() - len(lines[600]))
    f.write(rest)
EOF
	"$BURNRATE" --store s$j ingest --jobs $j --rejects rej$j-2.txt d \
		>out$j-2.txt 2>err$j-2.txt
	echo "exit $?" >>out$j-2.txt
	set -e
	"$BURNRATE" --store s$j report --by day,provider,model,agent,label \
		--as-of 2099-12-31 --format json | sed "s/\"generated_by\":[^,]*,//" >rep$j.json
	# Segment bytes, less the creation time and the CRCs over it.
	"$PYTHON" -c '
import hashlib, os, sys
d = sys.argv[1]
for f in sorted(os.listdir(d)):
    b = open(os.path.join(d, f), "rb").read()
    print(f, hashlib.sha256(b[:24] + b[32:124] + b[128:-12]).hexdigest())
' s$j/segments >seg$j.txt
	cat err$j-1.txt err$j-2.txt >errs$j.txt
	cat rej$j-1.txt rej$j-2.txt >rejs$j.txt
	sed "s/rej$j-/rej-/" out$j-1.txt out$j-2.txt >outs$j.txt
}
run 1
grep -q 'trunc.jsonl.gz' errs1.txt || fail "the truncated gzip is not named: $(cat errs1.txt)"
grep -q '^exit 1$' out1-1.txt || fail "--jobs 1: a failed input must exit 1: $(cat out1-1.txt)"
grep -q 'grown file' out1-2.txt || fail "the grown log was not resumed: $(cat out1-2.txt)"
grep -q 'already ingested' out1-1.txt || fail "the copy was not skipped: $(cat out1-1.txt)"
grep -q 'duplicates dropped' out1-1.txt || fail "no duplicate dropped: $(cat out1-1.txt)"
[ -s rejs1.txt ] || fail "no rejects written"
[ "$(wc -l <rep1.json)" -ge 1 ] || fail "empty report"
for j in 2 8; do
	run $j
	for f in outs errs rejs rep seg; do
		ext=txt
		[ $f = rep ] && ext=json
		cmp -s $f$j.$ext $f"1".$ext ||
			fail "--jobs $j: $f differs from --jobs 1: $(diff $f"1".$ext $f$j.$ext | head -5)"
	done
done
# A FIFO (a shell's <(cmd)) after an input sharing request ids with it
# cannot be read again: it is read on the caller's thread, as standard
# input is. Read on a worker, it was opened again, and hung while its
# writer held it open ("changed while it was being read" once it had not).
gen --seed 300 --records 50 --format jsonl --out f1.jsonl
sed 's/"output_tokens":/"output_tokens":3/' f1.jsonl >f2.jsonl
for j in 1 2; do
	rm -rf sf$j pipe.fifo
	mkfifo pipe.fifo
	{ cat f2.jsonl; sleep 3; } >pipe.fifo &
	writer=$!
	rc=0
	timeout 20 "$BURNRATE" --store sf$j ingest --jobs $j f1.jsonl pipe.fifo \
		>fifo$j.txt 2>&1 || rc=$?
	wait $writer || true
	[ $rc -eq 0 ] || fail "--jobs $j: a FIFO sharing ids exited $rc: $(cat fifo$j.txt)"
	grep -q '^ingested 2 inputs: 100 records, 50 requests kept, 50 duplicates dropped$' \
		fifo$j.txt || fail "--jobs $j: a FIFO sharing ids: $(cat fifo$j.txt)"
done
# A gzipped log larger than what it inflates to (one record, the long
# file name gzip keeps in its header) read again, as it shares request ids
# with an input before it: it was read again only as far as its inflated
# size, and failed as a truncated gzip stream (exit 1).
head -n 1 f2.jsonl >"$(printf '%0200d' 0).jsonl"
gzip "$(printf '%0200d' 0).jsonl"
mv "$(printf '%0200d' 0).jsonl.gz" long.jsonl.gz
[ "$(wc -c <long.jsonl.gz)" -gt "$(head -n 1 f2.jsonl | wc -c)" ] ||
	fail "long.jsonl.gz is not larger than its record"
for j in 1 2; do
	rm -rf sl$j
	"$BURNRATE" --store sl$j ingest --jobs $j f1.jsonl long.jsonl.gz \
		>long$j.txt 2>&1 || fail "--jobs $j: long.jsonl.gz: $(cat long$j.txt)"
	grep -q '^ingested 2 inputs: 51 records, 50 requests kept, 1 duplicates dropped$' \
		long$j.txt || fail "--jobs $j: long.jsonl.gz: $(cat long$j.txt)"
done
# A gzip's fingerprint is its content's, whole or to its last newline
# when its last line is partial (and waits), read on one thread or
# decompressed ahead (--jobs 2: hashed by the thread that inflates it):
# the plain log of the same bytes, ingested after it, is known as
# ingested (hashed otherwise, it was ingested again: counted twice). So is
# an archive's member's, decompressed ahead by libarchive's reader.
gen --seed 302 --records 60000 --format jsonl --out whole.jsonl
{ cat whole.jsonl; printf '{"partial":'; } >part.jsonl
for f in whole part; do
	gzip -c $f.jsonl >$f.jsonl.gz
	[ "$(wc -c <$f.jsonl.gz)" -gt 1048576 ] ||
		fail "$f.jsonl.gz: too small to be decompressed ahead"
	tar czf $f.tar.gz $f.jsonl
	tar cJf $f.tar.xz $f.jsonl
	"$PYTHON" -c 'import sys, zipfile
zipfile.ZipFile(sys.argv[1] + ".zip", "w", zipfile.ZIP_DEFLATED).write(sys.argv[1] + ".jsonl")' $f
	for packed in $f.jsonl.gz $f.tar.gz $f.tar.xz $f.zip; do
		for j in 1 2; do
			rm -rf sh$j
			"$BURNRATE" --quiet --store sh$j ingest --jobs $j $packed
			"$BURNRATE" --store sh$j ingest --jobs $j $f.jsonl >sh$j.txt 2>&1 ||
				fail "--jobs $j: $f.jsonl after $packed: $(cat sh$j.txt)"
			grep -q '^ingested 0 inputs (1 already ingested): 0 records' sh$j.txt ||
				fail "--jobs $j: $f.jsonl after $packed: $(cat sh$j.txt)"
		done
	done
done
# The progress line on a terminal (script(1) gives one) counts every input
# from its first line, with --jobs 1 too: one at a time, an input was read
# as its path was given, so the line said 0/1, then 1/2, then 2/3, and its
# ETA covered the first file only.
gen --seed 500 --records 40000 --format jsonl --out p1.jsonl
gen --seed 501 --records 100 --format jsonl --out p2.jsonl
gen --seed 502 --records 100 --format jsonl --out p3.jsonl
for j in 1 2; do
	rm -rf pj
	script -qec "$BURNRATE --store pj ingest --jobs $j p1.jsonl p2.jsonl p3.jsonl" \
		pty$j.log >/dev/null || fail "--jobs $j: ingest on a terminal exited $?"
	totals=$(tr '\r' '\n' <pty$j.log | grep -o 'burnrate: [0-9]*/[0-9]* inputs\{0,1\}' |
		sed 's|.*/||' | sort -u)
	[ "$(tr '\r' '\n' <pty$j.log | grep -c 'burnrate: [0-9]*/')" -ge 2 ] &&
		[ "$totals" = "3 inputs" ] ||
		fail "--jobs $j: progress totals: $(tr '\r' '\n' <pty$j.log | cat -v)"
done
# An input read again (a CSV repeating the request ids of the gzipped log
# before it, read meanwhile on a worker) counted its records from 0 again
# on the progress line ("1059805 records, 190 MB, ETA 0s" then "486127
# records, 123 MB, ETA 12s"), and the ETA, from bytes on disk, took the
# gzip's rate for the plain file's bytes (ETA 20s of a 4 s run): records
# and MB never go back, and the ETA stays within the run's time. While
# the input is read again (records and MB standing still), "ETA 0s"
# stood for seconds: no ETA then.
gen --seed 7 --records 300000 --format jsonl --out r.jsonl
gzip r.jsonl
gen --seed 7 --records 1000000 --format csv --out r.csv
rm -rf pr
start=$(date +%s)
script -qec "$BURNRATE --store pr ingest --jobs 2 r.jsonl.gz r.csv" ptyr.log \
	>/dev/null || fail "read again: ingest on a terminal exited $?"
took=$(($(date +%s) - start))
tr '\r' '\n' <ptyr.log | "$PYTHON" -c '
import re, sys
took, prev = int(sys.argv[1]), (0, 0)
rows = re.findall(r"inputs?, (\d+) records, (\d+) MB, \d+ MB/s(?:, ETA (\d+)s)?", sys.stdin.read())
assert rows and rows[-1][:2] == ("1300000", "215"), rows
for r in rows:
    now = (int(r[0]), int(r[1]))
    assert now >= prev and now[1] >= prev[1], ("went back", prev, now)
    assert not r[2] or int(r[2]) <= 2 * took + 2, ("ETA", r[2], took)
    # Standing still at ETA 0s in the last 3 MB is the blocks in flight
    # (at most 2 MiB at --jobs 2) being parsed and settled after the
    # last read, slow under ThreadSanitizer; the read again began at 190.
    assert now != prev or r[2] != "0" or now[1] >= 212, ("ETA 0s, read again", now)
    prev = now
' "$took" || fail "read again: progress: $(tr '\r' '\n' <ptyr.log | cat -v)"
# With --verbose, a message said while the progress line is shown clears
# it first, and the line is drawn again below: the message was written
# after it on the same line ("burnrate: 0/3 inputs, ... ETA 1sburnrate:
# p1.jsonl: generic format, 40000 records"), which stayed on the screen.
rm -rf pv
script -qec "$BURNRATE --verbose --store pv ingest p1.jsonl p2.jsonl p3.jsonl" \
	ptyv.log >/dev/null || fail "--verbose: ingest on a terminal exited $?"
grep -q 'p1.jsonl: generic format' ptyv.log && grep -q 'burnrate: 0/3 inputs' ptyv.log ||
	fail "--verbose: no note or no progress line: $(cat -v ptyv.log)"
# What a terminal keeps of each line: what follows its last erase.
sed 's/\r$//; s/.*\r\x1b\[K//' ptyv.log | grep -q 'burnrate:.*burnrate:' &&
	fail "--verbose: a message on the progress line: $(tr '\r' '\n' <ptyv.log | cat -v)"

# No thread to be had (pthread_create's EAGAIN: a limit of threads or
# processes), refused by tests/faultinject.c, which counts the process's
# calls together (strace's clone injection counts each thread's apart:
# its fifth was the main thread's fifth, the segment's fsync thread, not
# the fifth thread, the gzip's decompression). The main thread starts
# the workers and the pool's threads (the first four), a worker the
# gzip's decompression ahead (the fifth), the main thread the segment's
# fsync as the run ends (the sixth, br_output_sync_ahead). Without a
# worker's or the pool's, a warning that says so and names --jobs, and
# the inputs read with one thread, the totals those of --jobs 1 (it was
# exit 1, and before that "out of memory"); without the decompression's,
# read on without it; without the fsync's, the segment fsynced where it
# is published (as many fsyncs). Not under sanitizers, which may start
# threads of their own (and ASan must be the first library loaded).
if ldd "$BURNRATE" | grep -q 'libasan\|libubsan\|libtsan'; then
	echo "jobs: $BURNRATE is built with sanitizers: no thread to be had is not tested" >&2
elif strace -o /dev/null true 2>/dev/null; then
	: "${FAULTINJECT:=$root/${BUILD:-build}/faultinject.so}"
	[ -f "$FAULTINJECT" ] || fail "no fault injection shim at $FAULTINJECT"
	b() { # N: ingest logs/big.jsonl.gz with the Nth thread refused
		rm -rf "nt$1" "nt$1.log"
		strace -f -qq -o "nt$1.trace" -e trace=fsync,mmap env FAULT_CALL=thread \
			FAULT_N="$1" FAULT_LOG="$PWD/nt$1.log" LD_PRELOAD="$FAULTINJECT" \
			"$BURNRATE" --quiet --store "nt$1" ingest --jobs 2 logs/big.jsonl.gz \
			>"nt$1.out" 2>&1 || fail "no thread #$1: exit $?: $(cat "nt$1.out")"
		[ "$1" -gt 6 ] || grep -q "^fired thread $1 pthread_create" "nt$1.log" ||
			fail "no thread #$1: none refused: $(cat "nt$1.log")"
		"$BURNRATE" --store "nt$1" verify >/dev/null ||
			fail "no thread #$1: the store does not verify"
		"$BURNRATE" --store "nt$1" report --by day,model --as-of 2099-12-31 \
			--format csv >"nt$1.csv"
		cmp -s nt0.csv "nt$1.csv" || fail "no thread #$1: other totals"
	}
	"$BURNRATE" --quiet --store nt0 ingest --jobs 1 logs/big.jsonl.gz
	"$BURNRATE" --store nt0 report --by day,model --as-of 2099-12-31 --format csv >nt0.csv
	b 99
	grep -q '^calls thread 6$' nt99.log || fail "not six threads: $(cat nt99.log)"
	for n in 1 2 3 4; do
		b $n
		grep -q '^burnrate: warning: cannot start the threads of --jobs 2: Resource temporarily unavailable (a limit of threads or processes, ulimit -u); reading with one$' nt$n.out ||
			fail "no thread #$n: $(cat nt$n.out)"
	done
	for n in 5 6; do
		b $n
		[ -s nt$n.out ] && fail "no thread #$n: $(cat nt$n.out)"
	done
	# The fifth is the decompression's: the gzip is mapped by it (read
	# with no thread, it is read).
	size=$(stat -c %s logs/big.jsonl.gz)
	grep -q "mmap(NULL, $size, PROT_READ, MAP_PRIVATE, " nt99.trace ||
		fail "the gzip not mapped: $(grep mmap nt99.trace)"
	grep -q "mmap(NULL, $size, " nt5.trace &&
		fail "no thread #5: the gzip mapped all the same"
	# (A call strace shows cut by another thread's is two lines, one
	# "fsync(".)
	[ "$(grep -c 'fsync(' nt6.trace)" = "$(grep -c 'fsync(' nt99.trace)" ] ||
		fail "no thread for the segment's fsync: $(grep -c 'fsync(' nt6.trace) fsyncs, $(grep -c 'fsync(' nt99.trace) with it"
else
	echo "jobs: strace cannot trace here: no thread to be had is not tested" >&2
fi
echo "jobs: all checks passed"
