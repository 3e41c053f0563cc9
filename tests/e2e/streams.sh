#!/bin/sh
# streams.sh - compressed logs known by their bytes (STORE/streams,
# docs/FORMAT.md): a rotated log renamed (app.log.2.gz to app.log.3.gz),
# or left as it was, is not decompressed again to find that it adds
# nothing; and nothing is ever skipped that holds something new: a file
# grown by a member, another of the same size, one whose content the
# store does not hold, a backfill, a torn or corrupt streams file.
. "$(dirname "$0")/common.inc"
cd "$tmp"

# records DAY FIRST N: N generic records of day 2025-11-DAY, ids FIRST on.
records() {
	"$PYTHON" -c '
import sys
day, first, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for i in range(first, first + n):
    print("{\"timestamp\":\"2025-11-%sT12:00:00Z\",\"provider\":\"p\",\"model\":\"m\",\"request_id\":\"r%d\",\"usage\":{\"input_tokens\":1}}" % (day, i))
' "$@"
}
totals() { # the store's requests by day
	"$BURNRATE" --store st report --since 2025-11-01 --until 2025-11-30 \
		--as-of 2099-01-01 --format csv | tail -n +2 | cut -d, -f1,2
}
entries() { # how many compressed files STORE/streams knows
	od -An -tu4 -j12 -N4 st/streams | tr -d ' '
}
ingest() { "$BURNRATE" --quiet --store st ingest "$@"; }

# Each compression and --jobs: read once, then renamed (logrotate's next
# night) and left as it was; then compared with a store without streams.
for z in gz zst xz bz2; do
	for j in 1 2; do
		rm -rf logs st
		mkdir logs
		records 01 0 300 >logs/app.log.1
		records 02 300 200 >logs/app.log.2
		case $z in
		gz) gzip -q logs/app.log.1 logs/app.log.2 ;;
		zst) zstd -q --rm logs/app.log.1 logs/app.log.2 ;;
		xz) xz -q logs/app.log.1 logs/app.log.2 ;;
		bz2) bzip2 -q logs/app.log.1 logs/app.log.2 ;;
		esac
		ingest --jobs $j logs
		[ "$(entries)" = 2 ] || fail "$z --jobs $j: $(entries) files known, want 2"
		want="2025-11-01,300
2025-11-02,200"
		[ "$(totals)" = "$want" ] || fail "$z --jobs $j: $(totals)"
		mv logs/app.log.2.$z logs/app.log.3.$z
		mv logs/app.log.1.$z logs/app.log.2.$z
		out=$("$BURNRATE" --verbose --store st ingest --jobs $j logs 2>&1)
		echo "$out" | grep -q "ingested 0 inputs (2 already ingested)" ||
			fail "$z --jobs $j renamed: $out"
		ingest --jobs $j logs
		[ "$(totals)" = "$want" ] || fail "$z --jobs $j renamed: $(totals)"
	done
done

# Known by its bytes, a file is not decompressed: with a cap it would now
# break (--max-ratio 2) read into a new store, a renamed one and one left
# as it was are still only already ingested. Without STORE/streams it is
# known by its decompressed content (the head of its input, then its
# fingerprint: compared as far as the content ingested, which the cap
# does not bound): already ingested too.
rm -rf logs st
mkdir logs
records 03 0 200000 | gzip -9 >logs/big.log.1.gz
ingest logs
mv logs/big.log.1.gz logs/big.log.2.gz
"$BURNRATE" --store st ingest --max-ratio 2 logs >out 2>err ||
	fail "a known file was decompressed again: $(cat err)"
grep -q "1 already ingested" out || fail "known file: $(cat out)"
must_fail 1 err "$BURNRATE" --store st.new ingest --max-ratio 2 logs
grep -q "decompression bomb" err || fail "a new store: $(cat err)"
cp st/streams streams.saved
rm st/streams
"$BURNRATE" --store st ingest --max-ratio 2 logs >out 2>err ||
	fail "without streams: $(cat err)"
grep -q "1 already ingested" out || fail "without streams: $(cat out)"
cp streams.saved st/streams

# A file grown by a gzip member counts what it gained.
records 04 200000 5 | gzip >>logs/big.log.2.gz
ingest logs
[ "$(totals | grep 2025-11-04)" = "2025-11-04,5" ] ||
	fail "grown by a member: $(totals)"

# Another file of the same size (stored deflate blocks: the size is the
# content's length) is read: its records count.
rm -rf logs st
mkdir logs
stored() { "$PYTHON" -c 'import gzip, sys; sys.stdout.buffer.write(gzip.compress(sys.stdin.buffer.read(), compresslevel=0, mtime=0))'; }
records 05 10 40 | stored >logs/a.log.gz
ingest logs
records 05 50 40 | sed 's/2025-11-05/2025-11-06/' | stored >b.gz
[ "$(wc -c <b.gz)" = "$(wc -c <logs/a.log.gz)" ] || fail "stored sizes differ"
mv b.gz logs/a.log.gz
ingest logs
[ "$(totals)" = "2025-11-05,40
2025-11-06,40" ] || fail "same size, other bytes: $(totals)"

# Streams whose content the store does not hold (a store restored from an
# older copy, a streams file copied from another store) skip nothing.
cp st/streams streams.other
rm -rf st
"$BURNRATE" --quiet --store st init
cp streams.other st/streams
ingest logs
[ "$(totals)" = "2025-11-06,40" ] || fail "content not in the store: $(totals)"

# A torn or corrupt streams file is none: the logs are read again, and
# nothing counts twice.
for damage in torn flipped garbage; do
	rm -rf st logs
	mkdir logs
	records 07 0 40 | gzip >logs/c.log.1.gz
	ingest logs
	case $damage in
	torn) head -c 40 st/streams >s && mv s st/streams ;;
	flipped) "$PYTHON" -c '
import sys
b = bytearray(open(sys.argv[1], "rb").read()); b[20] ^= 1
open(sys.argv[1], "wb").write(b)' st/streams ;;
	garbage) echo hello >st/streams ;;
	esac
	mv logs/c.log.1.gz logs/c.log.2.gz
	ingest logs
	[ "$(totals)" = "2025-11-07,40" ] || fail "streams $damage: $(totals)"
	[ "$(entries)" = 1 ] || fail "streams $damage: not written again"
done

# A backfill reads every file, known or not: its days are replaced by what
# the files hold, not emptied.
ingest --replace 2025-11-01..2025-11-30 logs
[ "$(totals)" = "2025-11-07,40" ] || fail "backfill: $(totals)"

# Failing to write it is a warning naming it: the segment is published.
rm -rf st
"$BURNRATE" --quiet --store st init
mkdir st/streams
"$BURNRATE" --store st ingest logs >out 2>err || fail "streams unwritable: $(cat err)"
grep -q "warning: cannot create 'st/streams': it is a directory" err || fail "streams unwritable: $(cat err)"
[ "$(totals)" = "2025-11-07,40" ] || fail "streams unwritable: $(totals)"

# A dry run writes nothing; a last line still being written leaves the
# file unknown by its bytes (it is read again when it grows).
rm -rf st logs
mkdir logs
{ records 08 0 3; printf '{"timestamp":"2025-11-08T12:00:00Z","prov'; } | gzip >logs/d.log.gz
"$BURNRATE" --quiet --store st init
"$BURNRATE" --quiet --store st ingest --replace 2025-11-08..2025-11-08 --dry-run logs >/dev/null
[ ! -e st/streams ] || fail "a dry run wrote streams"
ingest logs
[ ! -e st/streams ] || [ "$(entries)" = 0 ] || fail "a waiting line's file is known"
printf 'ider":"p","model":"m","request_id":"w","usage":{"input_tokens":1}}\n' | gzip >>logs/d.log.gz
ingest logs
[ "$(totals)" = "2025-11-08,4" ] || fail "waiting line: $(totals)"
[ "$(entries)" = 1 ] || fail "completed file not known: $(entries)"

# A log compressed as rotated (app.log to app.log.1.gz, .zst, .xz), found
# to hold just what was ingested of it by decompressing it, is known by
# its bytes from then on: it was not, and was decompressed again each
# night, renamed, as was one whose entry a damaged streams file lost.
for z in gz zst xz; do
	rm -rf st logs
	mkdir logs
	records 09 0 3 >logs/app.log
	ingest logs
	case $z in
	gz) gzip -q logs/app.log ;;
	zst) zstd -q --rm logs/app.log ;;
	xz) xz -q logs/app.log ;;
	esac
	mv logs/app.log.$z logs/app.log.1.$z
	ingest logs
	[ "$(entries)" = 1 ] || fail "$z compressed as rotated: $(entries) files known"
	mv logs/app.log.1.$z logs/app.log.2.$z
	ingest logs
	[ "$(totals)" = "2025-11-09,3" ] || fail "$z compressed as rotated: $(totals)"
done
echo "PASS streams"
