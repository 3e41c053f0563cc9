#!/bin/sh
# containers.sh - the same logs in every container give identical totals:
# plain, gzip (one and several members), zstd, xz, bzip2, lz4, zip, tar,
# tar.gz, tar.zst, told by content, not by name, in files and on standard
# input; a directory walk takes logs and archives by their names (.jsonl,
# .zip, .tar.gz..., in any case). Archive members are inputs
# of their own ("archive:member") with their own fingerprints, a member
# compressed with zstd, xz, bzip2 or lz4 decompressed as a gzip one is, a
# truncated, corrupt or bomb one failing its archive. A truncated
# gzip, a corrupt zip member, a tar.gz cut after its first member, a
# tar.gz with a wrong checksum or a flipped byte, a tar.lz4 without its end
# mark and a decompression bomb each fail by name, with exit status 1, the other
# inputs ingested and nothing of the bad one counted (not even an
# archive's members read before the damage); the unreadable inputs are
# the members read, or the archive when none was. A zip cut in its central
# directory or its end record, or whose end record disagrees with its
# directory, fails the same way, from a file or piped. An archive without a log member gives a warning (exit 0).
# The --max-ratio cap is against an input's size, not the bytes read so
# far (an honest log whose start compresses 10,000 times is read), and on
# an archive's members together.
. "$(dirname "$0")/common.inc"
cd "$tmp"
gen --seed 31 --records 3000 --format jsonl --out a.jsonl
gen --seed 32 --records 2000 --format csv --out b.csv
asof=2099-12-31
totals() { # STORE -> the report as CSV
	"$BURNRATE" --store "$1" report --by day,provider,model --as-of $asof --format csv
}
"$BURNRATE" --quiet --store plain ingest a.jsonl b.csv 2>/dev/null || fail "plain ingest"
totals plain >plain.csv
[ "$(wc -l <plain.csv)" -gt 20 ] || fail "too few rows to compare"

"$PYTHON" - <<'EOF' || fail "cannot build the containers"
import bz2, gzip, lzma, tarfile, zipfile
a, b = open("a.jsonl", "rb").read(), open("b.csv", "rb").read()
open("c1.gz", "wb").write(gzip.compress(a, mtime=0))
half = len(a) // 2 + 3  # two gzip members, split mid-line
open("c2.log.gz", "wb").write(gzip.compress(a[:half], mtime=0) + gzip.compress(a[half:], mtime=0))
open("c3.xz", "wb").write(lzma.compress(a))
open("c4.bz2", "wb").write(bz2.compress(a))
with zipfile.ZipFile("c5.zip", "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("logs/a.jsonl", a)
    z.writestr("logs/b.csv", b)
    z.writestr("README.txt", b"not a log")
for name, mode in (("c6.tar", "w"), ("c7.tar.gz", "w:gz")):
    with tarfile.open(name, mode) as t:
        t.add("a.jsonl", "x/a.jsonl")
        t.add("b.csv", "x/b.csv")
EOF
zstd -q a.jsonl -o c8.data || fail "zstd"
lz4 -q a.jsonl c9.data || fail "lz4"
tar cf - a.jsonl b.csv | zstd -q -o c10.tar.zst || fail "tar | zstd"
for c in c1.gz c2.log.gz c3.xz c4.bz2 c8.data c9.data; do
	rm -rf s
	"$BURNRATE" --quiet --store s ingest "$c" b.csv 2>/dev/null || fail "$c: ingest exited $?"
	totals s | cmp -s - plain.csv || fail "$c: totals differ from the plain files"
done
# lz4's legacy frame (lz4 -l, magic 02 21 4C 18) and a skippable frame
# first (magic 0x184D2A5?: pzstd writes one before each zstd frame, to
# hold its size), in a file, piped and as a tar's member: told by their
# magic and read by libarchive, the totals the plain file's. They were
# read as text: "cannot tell the log format", or, a log of one line,
# nothing counted and exit 0, its bytes a partial last line left for the
# next run. An lz4 stream after a skippable frame, which libarchive takes
# for zstd and cannot read, fails by name with why.
lz4 -q -l a.jsonl c16.data || fail "lz4 -l"
pzstd -q -p 2 a.jsonl -o c17.data 2>/dev/null ||
	"$PYTHON" -c 'import struct, sys
d = open("c8.data", "rb").read()
sys.stdout.buffer.write(struct.pack("<III", 0x184D2A50, 4, len(d)) + d)' >c17.data
"$PYTHON" -c 'import struct, sys
d = open("c9.data", "rb").read()
sys.stdout.buffer.write(struct.pack("<II", 0x184D2A5F, 3) + b"br1" + d)' >c18.data
head -c 4 c16.data | od -An -tx1 | grep -q '02 21 4c 18' || fail "lz4 -l wrote no legacy frame"
head -c 4 c17.data | od -An -tx1 | grep -q '50 2a 4d 18' || fail "no skippable frame first"
cp c16.data c16.jsonl.lz4
cp c17.data c17.jsonl.zst
tar cf c19.tar c16.jsonl.lz4 c17.jsonl.zst b.csv
for c in c16.data c17.data "-<c16.data" "-<c17.data" c19.tar; do
	rm -rf s
	case $c in
	-*) sh -c 'exec "$0" --quiet --store s ingest - b.csv <"$1"' "$BURNRATE" "${c#-<}" ;;
	c19.tar) "$BURNRATE" --quiet --store s ingest c19.tar ;;
	*) "$BURNRATE" --quiet --store s ingest "$c" b.csv ;;
	esac 2>err.txt || fail "$c: ingest exited $?: $(cat err.txt)"
	totals s | cmp -s - plain.csv || fail "$c: totals differ from the plain files"
done
head -n 1 a.jsonl | zstd -q | "$PYTHON" -c 'import struct, sys
d = sys.stdin.buffer.read()
sys.stdout.buffer.write(struct.pack("<II", 0x184D2A50, 0) + d)' >one.jsonl.zst
rm -rf s
"$BURNRATE" --store s ingest one.jsonl.zst >out.txt 2>err.txt || fail "one.jsonl.zst: exit $?: $(cat err.txt)"
grep -q "1 records, 1 requests kept" out.txt || fail "one.jsonl.zst: $(cat out.txt err.txt)"
rm -rf s
must_fail 1 err.txt "$BURNRATE" --store s ingest c18.data b.csv
grep -qx "burnrate: error: c18.data: an lz4 stream after a skippable frame, which libarchive cannot read (its zstd reader takes the frame): decompress it first (lz4 -dc FILE | burnrate ingest -)" err.txt ||
	fail "an lz4 stream after a skippable frame: $(cat err.txt)"
rm -rf sb
"$BURNRATE" --quiet --store sb ingest b.csv || fail "b.csv: ingest exited $?"
totals s | cmp -s - "$(totals sb >b-only.csv; echo b-only.csv)" ||
	fail "an lz4 stream after a skippable frame: counted"
lz4 -dc c18.data | cmp -s - a.jsonl || fail "lz4 -dc does not read what it is told to"
for c in c5.zip c6.tar c7.tar.gz c10.tar.zst; do
	rm -rf s
	"$BURNRATE" --verbose --store s ingest "$c" >out.txt 2>err.txt || fail "$c: ingest exited $?"
	totals s | cmp -s - plain.csv || fail "$c: totals differ from the plain files"
	grep -q "ingested 2 inputs" out.txt || fail "$c: $(cat out.txt)"
done
grep -q "c10.tar.zst:b.csv: generic format" err.txt || fail "members are not named archive:member"
# A directory walk takes archives, by name, as the command line does (it
# skipped them: a directory of zipped or tarred logs ingested nothing,
# exit 0); also a compressed tar named with one suffix, as tar names it
# (.tbz2, .txz, .tzst were skipped).
cp c7.tar.gz c11.tgz
cp c10.tar.zst c12.tzst
tar cjf c13.tbz2 a.jsonl b.csv || fail "tar cjf"
cp c13.tbz2 c14.tbz
tar cJf c15.txz a.jsonl b.csv || fail "tar cJf"
for c in c5.zip c6.tar c7.tar.gz c10.tar.zst c11.tgz c12.tzst c13.tbz2 c14.tbz c15.txz; do
	rm -rf s walk
	mkdir walk
	cp "$c" walk/
	"$BURNRATE" --quiet --store s ingest walk 2>/dev/null || fail "walk/$c: ingest exited $?"
	totals s | cmp -s - plain.csv || fail "walk/$c: totals differ from the plain files"
done
# Names are matched in any case, as Windows tools write them (A.JSONL,
# B.CSV.GZ were skipped: nothing ingested, exit 0).
rm -rf s walk
mkdir walk
cp a.jsonl walk/A.JSONL
gzip -c b.csv >walk/B.CSV.GZ
"$BURNRATE" --quiet --store s ingest walk 2>/dev/null || fail "walk of upper-case names: ingest exited $?"
totals s | cmp -s - plain.csv || fail "walk of upper-case names: totals differ from the plain files"
# A member with a hidden entry in its path is skipped, as a walk skips
# it: macOS's archives hold an AppleDouble file beside each file
# (__MACOSX/logs/._a.jsonl in Finder's zip, ._a.jsonl in its tar), which
# failed the archive, exit 1, "cannot tell the log format"; ./a.jsonl,
# tar's member of ".", is read.
"$PYTHON" - <<'PY' || fail "cannot build macOS's archives"
import io, tarfile, zipfile
a, b = open("a.jsonl", "rb").read(), open("b.csv", "rb").read()
apple = b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        \nATTR\n\x00bplist00\n"
with zipfile.ZipFile("walk/mac.zip", "w") as z:
    z.writestr("logs/a.jsonl", a)
    z.writestr("__MACOSX/logs/._a.jsonl", apple)
    z.writestr("logs/b.csv", b)
    z.writestr("__MACOSX/logs/._b.csv", apple)
with tarfile.open("mac.tar", "w") as t:
    for name, data in (("./._a.jsonl", apple), ("./a.jsonl", a),
                       ("./._b.csv", apple), ("./b.csv", b)):
        info = tarfile.TarInfo(name)
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))
PY
rm -rf s walk/A.JSONL walk/B.CSV.GZ
"$BURNRATE" --quiet --store s ingest walk 2>err.txt || fail "walk of a macOS zip: ingest exited $?: $(cat err.txt)"
totals s | cmp -s - plain.csv || fail "walk of a macOS zip: totals differ from the plain files"
rm -rf s
"$BURNRATE" --quiet --store s ingest mac.tar 2>err.txt || fail "a macOS tar: ingest exited $?: $(cat err.txt)"
totals s | cmp -s - plain.csv || fail "a macOS tar: totals differ from the plain files"
# A member named in other letters than ASCII: a zip's name flagged UTF-8
# (Python's zipfile, Windows' and macOS's zips) and a pax tar's are read
# as any other, named by their UTF-8 bytes, in messages and in the
# store's inputs (the zip's was skipped, "no log member", its records
# lost, exit 0: libarchive found no conversion to the C locale's ASCII).
"$PYTHON" - <<'PY' || fail "cannot build the archives of UTF-8 names"
import io, tarfile, zipfile
a, b = open("a.jsonl", "rb").read(), open("b.csv", "rb").read()
with zipfile.ZipFile("utf8.zip", "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("donn\u00e9es/ao\u00fbt \u65e5.jsonl", a)
    z.writestr("logs/b.csv", b)
with tarfile.open("utf8.tar", "w", format=tarfile.PAX_FORMAT) as t:
    for name, data in (("donn\u00e9es/ao\u00fbt \u65e5.jsonl", a), ("b.csv", b)):
        info = tarfile.TarInfo(name)
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))
PY
member=$(printf 'donn\303\251es/ao\303\273t \346\227\245.jsonl')
for c in utf8.zip utf8.tar; do
	rm -rf s
	"$BURNRATE" --verbose --store s ingest "$c" >out.txt 2>err.txt ||
		fail "$c: ingest exited $?: $(cat err.txt)"
	totals s | cmp -s - plain.csv || fail "$c: totals differ from the plain files: $(cat out.txt err.txt)"
	grep -qF "burnrate: $c:$member: generic format" err.txt ||
		fail "$c: the member is not named by its UTF-8 name: $(cat err.txt)"
	grep -qaF "$c:$member" s/segments/* ||
		fail "$c: the store's inputs do not name the member"
done
# An archive a walk takes by its name that holds no log (docs.zip beside
# the logs) is told with --verbose only: it is no input the user named
# (check, which fails on such an input, failed on the directory, exit 1).
rm -rf s walk
mkdir walk
cp a.jsonl walk/
"$PYTHON" -c 'import zipfile; zipfile.ZipFile("walk/docs.zip", "w").writestr("README.txt", "not a log")'
"$BURNRATE" --store s ingest walk >out.txt 2>err.txt || fail "walk with docs.zip: ingest exited $?"
! grep -q "docs.zip" err.txt || fail "walk with docs.zip: $(cat err.txt)"
"$BURNRATE" check --write-baseline base.json walk >out.txt 2>err.txt ||
	fail "check of a walk with docs.zip exited $?: $(cat err.txt)"
"$BURNRATE" --store s2 ingest walk/docs.zip >out.txt 2>err.txt || fail "docs.zip: ingest exited $?"
grep -q "warning: walk/docs.zip: no log member" err.txt || fail "docs.zip named: $(cat err.txt)"
# On standard input, containers are told by content too, without seeking
# (a pipe): the same totals as the files; members are named -:member.
for c in c1.gz c3.xz c4.bz2 c8.data c9.data; do
	rm -rf s
	cat "$c" | "$BURNRATE" --quiet --store s ingest - b.csv 2>/dev/null ||
		fail "stdin $c: ingest exited $?"
	totals s | cmp -s - plain.csv || fail "stdin $c: totals differ from the plain files"
done
for c in c5.zip c6.tar c7.tar.gz c10.tar.zst; do
	rm -rf s
	cat "$c" | "$BURNRATE" --verbose --store s ingest - >out.txt 2>err.txt ||
		fail "stdin $c: ingest exited $?: $(cat err.txt)"
	totals s | cmp -s - plain.csv || fail "stdin $c: totals differ from the plain files"
	grep -q "ingested 2 inputs" out.txt || fail "stdin $c: $(cat out.txt)"
	grep -q -- "^burnrate: -:[a-z/]*b.csv: generic format" err.txt ||
		fail "stdin $c: members are not named -:member: $(cat err.txt)"
done
# The same content under any name, inside or outside an archive, is one input.
"$BURNRATE" --store s ingest a.jsonl c5.zip >again.txt 2>&1
grep -q "ingested 0 inputs (3 already ingested): 0 records, 0 requests kept" again.txt ||
	fail "re-ingest: $(cat again.txt)"
totals s | cmp -s - plain.csv || fail "re-ingesting counted something twice"

# Damaged inputs: each named, exit 1, the good input kept, nothing else.
head -c 20000 c1.gz >trunc.gz
gen --seed 33 --records 1500 --format jsonl --out c.jsonl
tar czf ca.tar.gz c.jsonl a.jsonl
head -c $(($(wc -c <ca.tar.gz) * 8 / 10)) ca.tar.gz >trunc.tar.gz
"$PYTHON" - <<'EOF'
import zipfile
z = zipfile.ZipFile("c5.zip")
i = [x for x in z.infolist() if x.filename == "logs/a.jsonl"][0]
data = bytearray(open("c5.zip", "rb").read())
start = i.header_offset + 30 + len(i.filename) + len(i.extra)
for k in range(start + 200, start + 260):
    data[k] ^= 0x5A
open("corrupt.zip", "wb").write(data)
EOF
# A tar.gz whose gzip checksum (its trailer's CRC, 6 bytes from its end)
# is wrong, one with a byte in its middle flipped, and a tar.lz4 without
# its last 8 bytes (end mark and checksum): the tar inside ends before the
# stream does, so only reading the stream to its end finds the damage.
"$PYTHON" - <<'EOF'
d = bytearray(open("ca.tar.gz", "rb").read())
e = bytearray(d)
d[-6] ^= 1
open("crc.tar.gz", "wb").write(d)
e[len(e) // 2] ^= 0xFF
open("flip.tar.gz", "wb").write(e)
EOF
damaged="trunc.gz corrupt.zip trunc.tar.gz crc.tar.gz flip.tar.gz"
if command -v lz4 >/dev/null; then
	tar cf - c.jsonl a.jsonl | lz4 -q >ca.tar.lz4
	head -c $(($(wc -c <ca.tar.lz4) - 8)) ca.tar.lz4 >cut.tar.lz4
	damaged="$damaged cut.tar.lz4"
fi
yes '{"timestamp":"2025-10-01T00:00:00Z","provider":"openai","model":"gpt-4o","usage":{"input_tokens":1}}' |
	head -c 400000000 | xz -1 -T1 >bomb.jsonl.xz
for bad in $damaged bomb.jsonl.xz; do
	rm -rf s
	set +e
	"$BURNRATE" --store s ingest "$bad" b.csv >out.txt 2>err.txt
	rc=$?
	set -e
	[ $rc -eq 1 ] || fail "$bad: exit $rc, want 1"
	"$BURNRATE" --quiet --store only-b ingest b.csv 2>/dev/null || true
	case $bad in
	corrupt.zip) want=corrupt.zip:logs/a.jsonl ;;
	trunc.tar.gz) want="trunc.tar.gz:c.jsonl: not counted" ;;
	*) want=$bad ;;
	esac
	grep -q "error: $want:" err.txt || fail "$bad: not named: $(cat err.txt)"
	# Its other member, not counted, says why, as a tar's do.
	[ $bad != corrupt.zip ] ||
		grep -qx "burnrate: error: corrupt.zip:logs/b.csv: not counted: corrupt.zip cannot be read to its end (corrupt.zip:logs/a.jsonl: cannot read from the archive: .*)" err.txt ||
		fail "$bad: why not said: $(cat err.txt)"
	# The zip's other member is a copy of b.csv: the same content once.
	totals s | cmp -s - "$(totals only-b >only-b.csv; echo only-b.csv)" ||
		fail "$bad: something of the bad input was counted"
done
grep -q "refused as a decompression bomb" err.txt || fail "bomb: $(cat err.txt)"
# A gzip whose flag byte has reserved bits set (RFC 1952 refuses it) was
# called truncated (0xff: the fields its other bits announce ran to the
# file's end), or read (0xe0): corrupt.
for fl in 340 377; do
	cp c1.gz "flag$fl.gz"
	printf "\\$fl" | dd of="flag$fl.gz" bs=1 seek=3 conv=notrunc 2>/dev/null
	rm -rf s
	must_fail 1 err.txt "$BURNRATE" --store s ingest "flag$fl.gz"
	grep -qx "burnrate: error: flag$fl.gz: corrupt gzip stream (an invalid gzip header: reserved flag bits set)" err.txt ||
		fail "flag byte $fl: $(cat err.txt)"
done
# An lz4 stream whose frame descriptor is flipped (libarchive takes no
# filter for it, and gave its bytes as they are), as a file, piped and as
# a tar's member: corrupt, exit 1, nothing of it counted. It said "its
# bytes are an lz4 stream ...; unpack it first", as of a log compressed
# twice.
"$PYTHON" -c '
d = bytearray(open("c9.data", "rb").read())
d[4] ^= 0xFF
open("hdr.jsonl.lz4", "wb").write(d)'
tar cf hdr.tar a.jsonl hdr.jsonl.lz4
for how in file pipe tar; do
	rm -rf s
	case $how in
	file) must_fail 1 err.txt "$BURNRATE" --store s ingest hdr.jsonl.lz4 b.csv; at=hdr.jsonl.lz4 ;;
	pipe) must_fail 1 err.txt sh -c 'exec "$0" --store s ingest - b.csv <hdr.jsonl.lz4' "$BURNRATE"; at=- ;;
	tar) must_fail 1 err.txt "$BURNRATE" --store s ingest hdr.tar b.csv; at=hdr.tar:hdr.jsonl.lz4 ;;
	esac
	grep -q "^burnrate: error: $at: corrupt lz4 stream (an invalid header)$" err.txt ||
		fail "an lz4 header flipped, $how: $(cat err.txt)"
	totals s | cmp -s - only-b.csv || fail "an lz4 header flipped, $how: counted"
done
# A lone compressed stream cut in half, or with bytes flipped in its
# middle: the file named once, the compression named, truncated or corrupt
# in words ("t.zst: cannot read from the archive: t.zst: Truncated zstd
# input", "Lzma library error:  No progress is possible" for a cut xz).
for c in c1.gz:gzip c3.xz:xz c4.bz2:bzip2 c8.data:zstd c9.data:lz4; do
	f=${c%%:*} what=${c#*:}
	head -c $(($(wc -c <"$f") / 2)) "$f" >"cut-$f"
	"$PYTHON" - "$f" "flip-$f" <<'EOF2'
import sys
d = bytearray(open(sys.argv[1], "rb").read())
for k in range(len(d) // 2, len(d) // 2 + 64):
    d[k] ^= 0x5A
open(sys.argv[2], "wb").write(d)
EOF2
	rm -rf s
	must_fail 1 err.txt "$BURNRATE" --store s ingest "cut-$f"
	grep -qx "burnrate: error: cut-$f: truncated $what stream (the file ends before the stream does)" err.txt ||
		fail "cut-$f: $(cat err.txt)"
	rm -rf s
	must_fail 1 err.txt "$BURNRATE" --store s ingest "flip-$f"
	grep -qx "burnrate: error: flip-$f: corrupt $what stream ([^:]*\(: [^:]*\)\{0,1\})" err.txt ||
		fail "flip-$f: $(cat err.txt)"
done
# A one-member zip cut where its central directory begins, from a file and
# piped: one unreadable input (its member; it was 2, the archive counted
# too), saying why ("corrupt archive: (null)": libarchive gives no reason
# for a zip that ends there), nothing counted, exit 1. A tar.gz cut in its
# second member: 2, not 3.
"$PYTHON" - <<'EOF'
import zipfile
with zipfile.ZipFile("one.zip", "w", zipfile.ZIP_DEFLATED) as z:
    z.write("c.jsonl")
d = open("one.zip", "rb").read()
open("nocd.zip", "wb").write(d[:d.find(b"PK\x01\x02")])
EOF
for how in file pipe; do
	rm -rf s
	set +e
	if [ $how = file ]; then
		"$BURNRATE" --store s ingest nocd.zip b.csv >out.txt 2>err.txt
	else
		"$BURNRATE" --store s ingest - b.csv <nocd.zip >out.txt 2>err.txt
	fi
	rc=$?
	set -e
	[ $rc -eq 1 ] || fail "nocd.zip ($how): exit $rc, want 1"
	! grep -q null err.txt || fail "nocd.zip ($how): $(cat err.txt)"
	# A file's end records are checked before it is read.
	[ $how = file ] && why="no end of central directory record" ||
		why="the file ends before its central directory"
	grep -q "corrupt archive: $why" err.txt &&
		grep -q ", 1 unreadable input$" out.txt ||
		fail "nocd.zip ($how): $(cat out.txt err.txt)"
	totals s | cmp -s - only-b.csv || fail "nocd.zip ($how): something of it was counted"
done
# A zip cut inside its central directory, in its end record's comment, or
# whose end record counts a member more than its directory lists: a file
# libarchive reads by its local headers, which end at the directory, and
# a stream alike, so they were ingested with exit 0 (unzip -t rejects the
# first). Each fails by name, exit 1, nothing of it counted; whole, the
# zip and its comment count.
"$PYTHON" - <<'EOF'
import zipfile
with zipfile.ZipFile("two.zip", "w", zipfile.ZIP_DEFLATED) as z:
    z.write("c.jsonl")
    z.writestr("logs/", "")
    z.comment = b"exported by hand" * 4
d = open("two.zip", "rb").read()
cd = d.find(b"PK\x01\x02")
open("cdcut.zip", "wb").write(d[:cd + 60])
open("commentcut.zip", "wb").write(d[:-20])
end = bytearray(d)
e = end.rfind(b"PK\x05\x06")
end[e + 8] += 1
end[e + 10] += 1
open("count.zip", "wb").write(end)
EOF
for bad in cdcut.zip commentcut.zip count.zip; do
	for how in file pipe; do
		rm -rf s
		set +e
		if [ $how = file ]; then
			"$BURNRATE" --store s ingest $bad b.csv >out.txt 2>err.txt
		else
			"$BURNRATE" --store s ingest - b.csv <$bad >out.txt 2>err.txt
		fi
		rc=$?
		set -e
		[ $rc -eq 1 ] || fail "$bad ($how): exit $rc, want 1"
		[ $how = file ] && name=$bad || name=-
		grep -q "error: $name.*corrupt archive: " err.txt &&
			grep -q ", 1 unreadable input$" out.txt ||
			fail "$bad ($how): $(cat out.txt err.txt)"
		totals s | cmp -s - only-b.csv || fail "$bad ($how): something of it was counted"
	done
done
"$BURNRATE" --quiet --store zipc ingest c.jsonl 2>/dev/null || true
totals zipc >zipc.csv
for how in file pipe; do
	rm -rf s
	if [ $how = file ]; then
		"$BURNRATE" --quiet --store s ingest two.zip 2>err.txt
	else
		"$BURNRATE" --quiet --store s ingest - <two.zip 2>err.txt
	fi || fail "two.zip ($how): exit $?: $(cat err.txt)"
	totals s | cmp -s - zipc.csv || fail "two.zip ($how): totals differ from c.jsonl's"
done
rm -rf s
set +e
"$BURNRATE" --store s ingest trunc.tar.gz >out.txt 2>err.txt
set -e
grep -q ", 2 unreadable inputs$" out.txt || fail "trunc.tar.gz: $(cat out.txt err.txt)"
# Members that repeat a record of the member before (Claude Code sessions
# copied into later ones): each request counts once, as when the members
# are one file, with any --jobs.
mkdir shared
"$PYTHON" - <<'EOF'
import json
def record(m, i):
    return json.dumps({"timestamp": "2025-10-01T00:00:00Z",
                       "provider": "openai", "model": "gpt-4o",
                       "request_id": "r%d-%d" % (m, i),
                       "usage": {"input_tokens": 1000 * m + i}}) + "\n"
for m in range(30):
    with open("shared/m%02d.jsonl" % m, "w") as f:
        if m:
            f.write(record(m - 1, 199))
        for i in range(200):
            f.write(record(m, i))
EOF
cat shared/m*.jsonl >shared-all.jsonl
tar czf shared.tar.gz -C shared .
rm -rf one
"$BURNRATE" --quiet --store one ingest shared-all.jsonl 2>/dev/null
totals one >one.csv
for j in 1 2; do
	rm -rf s
	"$BURNRATE" --quiet --store s ingest --jobs $j shared.tar.gz 2>/dev/null ||
		fail "shared.tar.gz --jobs $j: exit $?"
	totals s | cmp -s - one.csv ||
		fail "shared.tar.gz --jobs $j: totals differ from the members as one file"
done

# A member that cannot be parsed (its format cannot be told) fails alone:
# the archive was read to its end, its other members count.
printf '{"name":"x"}\n' >meta.json
tar czf mixed.tar.gz c.jsonl meta.json
rm -rf s only-c
set +e
"$BURNRATE" --quiet --store s ingest mixed.tar.gz 2>err.txt
rc=$?
set -e
[ $rc -eq 1 ] || fail "mixed.tar.gz: exit $rc, want 1"
grep -q "error: mixed.tar.gz:meta.json: " err.txt || fail "mixed.tar.gz: $(cat err.txt)"
! grep -q "not counted" err.txt || fail "mixed.tar.gz: a parse failure sank the archive: $(cat err.txt)"
"$BURNRATE" --quiet --store only-c ingest c.jsonl 2>/dev/null
totals s | cmp -s - "$(totals only-c >only-c.csv; echo only-c.csv)" ||
	fail "mixed.tar.gz: its readable member was not counted alone"
# A member compressed otherwise than with gzip (rotated logs compressed
# with zstd, xz, bzip2 or lz4, then tarred or zipped) is decompressed, as
# a gzip member is, told by its magic bytes: each is an input of its own,
# named archive:member, and the totals are the plain logs', --jobs 1 and 2
# alike (it was refused: "its bytes are a zstd stream (an archive's member
# is decompressed from gzip only, a gzip file once); unpack it first").
split -n l/4 c.jsonl part.
zstd -q -c part.aa >c.1.jsonl.zst
xz -c part.ab >c.2.jsonl.xz
bzip2 -c part.ac >c.3.jsonl.bz2
lz4 -q -c part.ad >c.4.jsonl.lz4
tar cf packed.tar c.1.jsonl.zst c.2.jsonl.xz c.3.jsonl.bz2 c.4.jsonl.lz4 b.csv
"$PYTHON" -c '
import zipfile
with zipfile.ZipFile("packed.zip", "w", zipfile.ZIP_STORED) as z:
    for m in ("c.1.jsonl.zst", "c.2.jsonl.xz", "c.3.jsonl.bz2", "c.4.jsonl.lz4", "b.csv"):
        z.write(m)' || fail "cannot build packed.zip"
rm -rf cb
"$BURNRATE" --quiet --store cb ingest c.jsonl b.csv 2>/dev/null || fail "c.jsonl b.csv"
totals cb >cb.csv
for j in 1 2; do
	for arc in packed.tar packed.zip; do
		rm -rf s
		"$BURNRATE" --store s ingest --jobs $j $arc >out.txt 2>err.txt ||
			fail "$arc --jobs $j: exit $?: $(cat err.txt)"
		grep -q '^ingested 5 inputs: 3500 records' out.txt ||
			fail "$arc --jobs $j: $(cat out.txt)"
		totals s | cmp -s - cb.csv ||
			fail "$arc --jobs $j: totals differ from the plain logs'"
		# Each member has its content's fingerprint: the plain part
		# adds nothing.
		"$BURNRATE" --store s ingest part.ab >out.txt 2>/dev/null
		grep -q '^ingested 0 inputs (1 already ingested)' out.txt ||
			fail "$arc --jobs $j: part.ab: $(cat out.txt)"
	done
done
# Such a member cut in half, or with bytes flipped in its middle, fails
# the archive: nothing of it counted (not its plain member), exit 1, the
# member named, the compression named, truncated or corrupt in words, as
# a lone stream's; so does a member that decompresses to more than
# --max-ratio allows against the archive, a decompression bomb.
for c in c.1.jsonl.zst:zstd c.2.jsonl.xz:xz c.3.jsonl.bz2:bzip2 c.4.jsonl.lz4:lz4; do
	f=${c%%:*}
	name=${c#*:}
	size=$(wc -c <$f)
	head -c $((size / 2)) $f >cut-$f
	"$PYTHON" -c '
import sys
d = bytearray(open(sys.argv[1], "rb").read())
for i in range(len(d) // 3, len(d) // 3 + 64):
    d[i] ^= 0x55
open("flip-" + sys.argv[1], "wb").write(d)' $f
	for how in cut:truncated flip:corrupt; do
		m=${how%%:*}-$f
		tar cf bad.tar a.jsonl $m
		for j in 1 2; do
			rm -rf s
			set +e
			"$BURNRATE" --store s ingest --jobs $j bad.tar b.csv >out.txt 2>err.txt
			rc=$?
			set -e
			[ $rc -eq 1 ] || fail "$m --jobs $j: exit $rc, want 1: $(cat err.txt)"
			grep -q "^burnrate: error: bad.tar:$m: ${how#*:} $name stream (" err.txt ||
				fail "$m --jobs $j: not said: $(cat err.txt)"
			grep -q "^burnrate: error: bad.tar:a.jsonl: not counted: bad.tar cannot be read to its end (bad.tar:$m: " err.txt ||
				fail "$m --jobs $j: a.jsonl: $(cat err.txt)"
			totals s | cmp -s - only-b.csv ||
				fail "$m --jobs $j: something of bad.tar was counted"
		done
	done
done
yes '{"timestamp":"2025-10-07T00:00:00Z","provider":"openai","model":"gpt-4o","usage":{"input_tokens":1}}' |
	head -c 67108864 | zstd -q -c >big.jsonl.zst
tar cf bomb.tar a.jsonl big.jsonl.zst
# Members skipped as no log are capped with the others, against the
# archive's size: a tar.gz decompresses them to skip them, and a zip
# declares their size (both were read, exit 0, however many of them).
"$PYTHON" - <<'EOF2'
import io, tarfile, zipfile
z = b"\0" * (8 << 20)
a = open("a.jsonl", "rb").read()
with tarfile.open("zeros.tar.gz", "w:gz") as t:
    for name, data in [("a.jsonl", a)] + [("z%02d.bin" % i, z) for i in range(4)]:
        i = tarfile.TarInfo(name)
        i.size = len(data)
        t.addfile(i, io.BytesIO(data))
with zipfile.ZipFile("zeros.zip", "w", zipfile.ZIP_DEFLATED) as f:
    for i in range(4):
        f.writestr("z%02d.bin" % i, z)
    f.writestr("a.jsonl", a)
EOF2
for bad in bomb.tar zeros.tar.gz zeros.zip; do
	case $bad in
	bomb.tar) said="bomb.tar:big.jsonl.zst: refused as a decompression bomb" ;;
	*) said="\($bad:a.jsonl: not counted: $bad cannot be read to its end (\)\{0,1\}$bad: refused as a decompression bomb: [0-9]* bytes from [0-9]* compressed, more than 2 times that plus 16 MiB (--max-ratio)" ;;
	esac
	for j in 1 2; do
		rm -rf s
		must_fail 1 err.txt "$BURNRATE" --store s ingest --jobs $j --max-ratio 2 "$bad" b.csv
		grep -q "^burnrate: error: $said" err.txt ||
			fail "$bad --jobs $j: $(cat err.txt)"
		totals s | cmp -s - only-b.csv ||
			fail "$bad --jobs $j: something of it was counted"
	done
done
# On standard input, of no known size, a member skipped is capped once
# skipped, its compressed bytes read: capped at its header, against the
# bytes before it, 24 MiB of random bytes beside a log were refused as a
# bomb. Members of zeros still are.
"$PYTHON" - <<'EOF2'
import io, random, tarfile
r = random.Random(7).randbytes(24 << 20)
a = open("a.jsonl", "rb").read()
with tarfile.open("random.tar.gz", "w:gz") as t:
    for name, data in [("r.bin", r), ("a.jsonl", a)]:
        i = tarfile.TarInfo(name)
        i.size = len(data)
        t.addfile(i, io.BytesIO(data))
with tarfile.open("zeros20.tar.gz", "w:gz") as t:
    for name, data in [("z.bin", b"\0" * 20000000), ("a.jsonl", a)]:
        i = tarfile.TarInfo(name)
        i.size = len(data)
        t.addfile(i, io.BytesIO(data))
EOF2
rm -rf ab
"$BURNRATE" --quiet --store ab ingest a.jsonl b.csv
totals ab >ab.csv
for j in 1 2; do
	rm -rf s
	"$BURNRATE" --quiet --store s ingest --jobs $j --max-ratio 2 - b.csv \
		<random.tar.gz 2>err.txt || fail "random.tar.gz on stdin --jobs $j: $(cat err.txt)"
	totals s | cmp -s - ab.csv ||
		fail "random.tar.gz on stdin --jobs $j: not its log and b.csv"
	rm -rf s
	must_fail 1 err.txt sh -c '"$1" --store s ingest --jobs "$2" --max-ratio 2 - b.csv <zeros.tar.gz' \
		sh "$BURNRATE" $j
	grep -q "^burnrate: error: \(-:a.jsonl: not counted: - cannot be read to its end (\)\{0,1\}-: refused as a decompression bomb" err.txt ||
		fail "zeros.tar.gz on stdin --jobs $j: $(cat err.txt)"
	totals s | cmp -s - only-b.csv ||
		fail "zeros.tar.gz on stdin --jobs $j: something of it was counted"
	# A member of 20 MB of zeros before a log, at the default ratio, is
	# ingested piped as named: the bytes read to tell a gzip holds a tar
	# count as compressed (they counted for nothing: "20000000 bytes from
	# 0 compressed", exit 1).
	rm -rf s
	"$BURNRATE" --quiet --store s ingest --jobs $j - b.csv <zeros20.tar.gz 2>err.txt ||
		fail "zeros20.tar.gz on stdin --jobs $j: $(cat err.txt)"
	totals s | cmp -s - ab.csv ||
		fail "zeros20.tar.gz on stdin --jobs $j: not its log and b.csv"
done
# A zip written as a stream declares no member's size before its data:
# libarchive inflates a member skipped as no log to find its end, and 200
# MB of zeros in 0.2 MB beside a log were inflated uncounted, named or
# piped, whatever --max-ratio (exit 0). Counted as they are inflated now;
# a member of random bytes still passes.
"$PYTHON" - <<'EOF2'
import random, zipfile
class Stream:
    """A file zipfile cannot seek in: it writes data descriptors."""
    def __init__(self, f):
        self.f, self.n = f, 0
    def write(self, b):
        self.f.write(b)
        self.n += len(b)
        return len(b)
    def tell(self):
        return self.n
    def seekable(self):
        return False
    def flush(self):
        self.f.flush()
a = open("a.jsonl", "rb").read()
for name, blocks in [("zstream.zip", [b"\0" * (1 << 20)] * 200),
                     ("rstream.zip", [random.Random(3).randbytes(4 << 20)])]:
    with open(name, "wb") as raw, \
            zipfile.ZipFile(Stream(raw), "w", zipfile.ZIP_DEFLATED) as z:
        with z.open("z.bin", "w") as m:
            for b in blocks:
                m.write(b)
        z.writestr("a.jsonl", a)
# The skipped member's CRC broken: not checked, as in a skip.
b = bytearray(open("rstream.zip", "rb").read())
b[1 << 20] ^= 0xFF
open("rbadcrc.zip", "wb").write(b)
EOF2
for j in 1 2; do
	rm -rf s
	must_fail 1 err.txt "$BURNRATE" --store s ingest --jobs $j --max-ratio 2 zstream.zip b.csv
	grep -q "^burnrate: error: zstream.zip: refused as a decompression bomb: [0-9]* bytes from [0-9]* compressed" err.txt ||
		fail "zstream.zip --jobs $j: $(cat err.txt)"
	totals s | cmp -s - only-b.csv || fail "zstream.zip --jobs $j: something of it was counted"
	rm -rf s
	must_fail 1 err.txt sh -c '"$1" --store s ingest --jobs "$2" --max-ratio 2 - b.csv <zstream.zip' \
		sh "$BURNRATE" $j
	grep -q "^burnrate: error: -: refused as a decompression bomb" err.txt ||
		fail "zstream.zip on stdin --jobs $j: $(cat err.txt)"
	totals s | cmp -s - only-b.csv || fail "zstream.zip on stdin --jobs $j: something of it was counted"
	rm -rf s
	"$BURNRATE" --quiet --store s ingest --jobs $j --max-ratio 2 rstream.zip b.csv 2>err.txt ||
		fail "rstream.zip --jobs $j: $(cat err.txt)"
	totals s | cmp -s - ab.csv || fail "rstream.zip --jobs $j: not its log and b.csv"
	rm -rf s
	"$BURNRATE" --quiet --store s ingest --jobs $j --max-ratio 2 - b.csv <rstream.zip 2>err.txt ||
		fail "rstream.zip on stdin --jobs $j: $(cat err.txt)"
	totals s | cmp -s - ab.csv || fail "rstream.zip on stdin --jobs $j: not its log and b.csv"
	rm -rf s
	"$BURNRATE" --quiet --store s ingest --jobs $j rbadcrc.zip b.csv 2>err.txt ||
		fail "rbadcrc.zip --jobs $j: $(cat err.txt)"
	totals s | cmp -s - ab.csv || fail "rbadcrc.zip --jobs $j: not its log and b.csv"
done
# A stream cut before libarchive can tell it (it reads a bzip2's first 14
# bytes, an lz4's 11, an xz's 6 and a zstd's 4) was read as a log, its
# bytes a partial last line (exit 0): cut to 12, 5, 5 and 3 bytes, alone,
# on standard input or as a member, it is a truncated stream, named,
# nothing of it counted, exit 1.
for c in c4.bz2:bzip2:12:bz2 c3.xz:xz:5:xz c9.data:lz4:5:lz4 c8.data:zstd:3:zst; do
	IFS=: read -r f what n ext <<EOF2
$c
EOF2
	head -c "$n" "$f" >short.jsonl.$ext
	for how in file stdin; do
		rm -rf s
		if [ $how = file ]; then
			must_fail 1 err.txt "$BURNRATE" --store s ingest short.jsonl.$ext
			name=short.jsonl.$ext
		else
			must_fail 1 err.txt sh -c "exec \"\$0\" --store s ingest - <short.jsonl.$ext" "$BURNRATE"
			name=-
		fi
		grep -qx "burnrate: error: $name: truncated $what stream (the file ends before the stream does)" err.txt ||
			fail "$n bytes of $f ($how): $(cat err.txt)"
	done
	tar cf short.tar a.jsonl short.jsonl.$ext
	for j in 1 2; do
		rm -rf s
		must_fail 1 err.txt "$BURNRATE" --store s ingest --jobs $j short.tar b.csv
		grep -qx "burnrate: error: short.tar:short.jsonl.$ext: truncated $what stream (the file ends before the stream does)" err.txt ||
			fail "$n bytes of $f in a tar --jobs $j: $(cat err.txt)"
		totals s | cmp -s - only-b.csv ||
			fail "$n bytes of $f in a tar --jobs $j: something of it was counted"
	done
done
# A member decompressed once that is still compressed (a tar compressed
# inside a tar, a gzip file of a gzip stream) fails alone, named, saying
# what its bytes are; the archive's other member counts.
tar cf - c.jsonl | zstd -q -c >in.jsonl.zst
tar cf nested.tar in.jsonl.zst b.csv
gzip -c c1.gz >twice.jsonl.gz
rm -rf s
set +e
"$BURNRATE" --quiet --store s ingest nested.tar twice.jsonl.gz 2>err.txt
rc=$?
set -e
[ $rc -eq 1 ] || fail "nested.tar: exit $rc, want 1: $(cat err.txt)"
for m in "nested.tar:in.jsonl.zst:.*a tar archive" "twice.jsonl.gz:.*a gzip stream"; do
	grep -q "^burnrate: error: $m (a file or an archive's member is decompressed once, and an archive inside an archive is not opened); unpack it first$" err.txt ||
		fail "not said: $m: $(cat err.txt)"
done
totals s | cmp -s - only-b.csv || fail "nested.tar: its b.csv is not counted alone"
# An archive without a log member, and a compressed stream of zeros
# (libarchive reads it as an empty tar): a warning names each, nothing
# fails (exit 0), nothing is counted; --quiet leaves the warning out.
head -c 1024 /dev/zero | zstd -q >zeros.jsonl.zst
printf 'not a log\n' >README.txt
tar cf - README.txt | xz >docs.tar.xz
rm -rf s
"$BURNRATE" --store s ingest zeros.jsonl.zst docs.tar.xz >out.txt 2>err.txt ||
	fail "archives without a log member: exit $?: $(cat err.txt)"
grep -q '^burnrate: warning: zeros.jsonl.zst: no log member (an empty archive)$' err.txt &&
	grep -q '^burnrate: warning: docs.tar.xz: no log member (1 other member skipped)$' err.txt &&
	grep -q '^ingested 0 inputs: 0 records' out.txt ||
	fail "archives without a log member: $(cat out.txt err.txt)"
# An archive inside an archive (a tar holding inner.zip beside a log) is
# not opened, as README says: it was skipped without a word, even with
# --verbose, where a walk of the same files reads inner.zip. --verbose
# now names it, from a file, piped or walked (not a hidden one, macOS's
# ._inner.zip); the archive's log counts, exit 0; check passes it. One
# holding nothing else says so in its warning of no log member, and
# check fails it.
rm -rf nest && mkdir -p nest/in/__MACOSX nest/walk
(cd nest/in && cp ../../c.jsonl . && zip -q inner.zip c.jsonl && rm c.jsonl &&
	cp inner.zip __MACOSX/._inner.zip && cp ../../b.csv .)
tar cf nest/outer.tar -C nest/in inner.zip __MACOSX b.csv
tar cf nest/only.tar -C nest/in inner.zip
cp nest/outer.tar nest/walk/
note="not read: an archive inside an archive is not opened (unpack it first)"
for how in file piped walked; do
	rm -rf s
	case $how in
	file) "$BURNRATE" --verbose --store s ingest nest/outer.tar >out.txt 2>err.txt ;;
	piped) "$BURNRATE" --verbose --store s ingest - <nest/outer.tar >out.txt 2>err.txt ;;
	walked) "$BURNRATE" --verbose --store s ingest nest/walk >out.txt 2>err.txt ;;
	esac || fail "outer.tar $how: exit $?: $(cat err.txt)"
	case $how in
	file) name=nest/outer.tar ;;
	piped) name=- ;;
	walked) name=nest/walk/outer.tar ;;
	esac
	[ "$(grep -c "not opened" err.txt)" = 1 ] &&
		grep -qx "burnrate: $name:inner.zip: $note" err.txt ||
		fail "outer.tar $how: inner.zip not named: $(cat err.txt)"
	totals s | cmp -s - only-b.csv || fail "outer.tar $how: not its b.csv alone"
done
rm -rf s
"$BURNRATE" --store s ingest nest/outer.tar >out.txt 2>err.txt || fail "outer.tar: exit $?"
! grep -q "inner.zip" err.txt || fail "a note without --verbose: $(cat err.txt)"
"$BURNRATE" --store s ingest nest/only.tar >out.txt 2>err.txt ||
	fail "only.tar: exit $?: $(cat err.txt)"
grep -qx "burnrate: warning: nest/only.tar: no log member (1 other member skipped; inner.zip is an archive, not opened inside an archive: unpack it first)" err.txt ||
	fail "only.tar: $(cat err.txt)"
"$BURNRATE" --store s check --write-baseline nest/b.json nest/outer.tar >out.txt 2>err.txt ||
	fail "check outer.tar: exit $?: $(cat err.txt)"
must_fail 1 err.txt "$BURNRATE" --store s check --write-baseline nest/o.json nest/only.tar
grep -q "^burnrate: error: nest/only.tar: no log member (.*inner.zip is an archive" err.txt ||
	fail "check only.tar: $(cat err.txt)"
"$BURNRATE" --quiet --store s ingest zeros.jsonl.zst >out.txt 2>err.txt ||
	fail "--quiet, an empty archive: exit $?"
[ ! -s err.txt ] || fail "--quiet printed a warning: $(cat err.txt)"
# An empty tar (10,240 zeros), plain, gzipped or zstd-compressed, from a
# file or piped: the same warning for each. The plain and gzipped ones were
# read as a log ("1 partial last line left for the next run", exit 0).
tar cf empty.tar -T /dev/null
gzip -c empty.tar >empty.tgz
zstd -q -c empty.tar >empty.tar.zst
for e in empty.tar empty.tgz empty.tar.zst; do
	rm -rf s
	"$BURNRATE" --store s ingest $e >out.txt 2>err.txt ||
		fail "$e: exit $?: $(cat err.txt)"
	rm -rf s
	"$BURNRATE" --store s ingest - <$e >>out.txt 2>>err.txt ||
		fail "$e piped: exit $?: $(cat err.txt)"
	[ "$(cat err.txt)" = "burnrate: warning: $e: no log member (an empty archive)
burnrate: warning: -: no log member (an empty archive)" ] &&
		[ "$(grep -c '^ingested 0 inputs: 0 records, 0 requests kept$' out.txt)" = 2 ] ||
		fail "$e: $(cat out.txt err.txt)"
done
# A log after more zeros than the head that tells an archive (64 KiB): a
# hole that copytruncate leaves, the writer adding lines at its old
# offset; plain or gzipped, it is a log (its zero line rejected), not an
# empty archive (its records were lost, exit 0).
sed -n 1,3p "$root/samples/logs/app-2025-10.jsonl" >three.jsonl
for z in 100000 80000000; do
	{ head -c $z /dev/zero && echo && cat three.jsonl; } >holed.jsonl
	gzip -n -c holed.jsonl >holed.jsonl.gz
	for e in holed.jsonl holed.jsonl.gz; do
		[ $z -lt 1000000 ] || [ $e = holed.jsonl.gz ] || continue
		rm -rf s
		"$BURNRATE" --store s ingest $e >out.txt 2>err.txt ||
			fail "$e after $z zeros: exit $?: $(cat err.txt)"
		grep -q '^ingested 1 input: 4 records, 3 requests kept, 1 rejected$' out.txt ||
			fail "$e after $z zeros: $(cat out.txt err.txt)"
	done
done
# Piped, its first read cut within the zeros (a slow writer): a log too.
rm -rf s
{ head -c 2048 /dev/zero && sleep 1 && head -c 97952 /dev/zero && echo && cat three.jsonl; } |
	"$BURNRATE" --store s ingest - >out.txt 2>err.txt ||
	fail "holed.jsonl piped: exit $?: $(cat err.txt)"
grep -q '^ingested 1 input: 4 records, 3 requests kept, 1 rejected$' out.txt ||
	fail "holed.jsonl piped: $(cat out.txt err.txt)"
# A valid compressed stream of an empty log is an empty input, in every
# compression as in gzip: nothing counted, exit 0, the other input kept.
"$BURNRATE" --quiet --store only-b ingest b.csv 2>/dev/null || true
totals only-b >only-b.csv
for c in gzip zstd xz bzip2 lz4; do
	command -v $c >/dev/null || continue
	printf '' | $c -c >empty.jsonl.$c
	rm -rf s
	"$BURNRATE" --store s ingest empty.jsonl.$c b.csv >out.txt 2>err.txt ||
		fail "empty.jsonl.$c: exit $?: $(cat err.txt)"
	grep -q '^ingested 2 inputs' out.txt || fail "empty.jsonl.$c: $(cat out.txt)"
	totals s | cmp -s - only-b.csv || fail "empty.jsonl.$c: totals differ"
	# And as an archive's member, beside a log (an empty bzip2 stream, 14
	# bytes of its magic and end, was read as text: "1 partial last line
	# left for the next run").
	rm -rf s t
	mkdir t
	case $c in gzip) ext=gz ;; zstd) ext=zst ;; bzip2) ext=bz2 ;; *) ext=$c ;; esac
	cp empty.jsonl.$c t/empty.jsonl.$ext
	cp b.csv t/
	tar cf empty-$c.tar -C t .
	"$BURNRATE" --store s ingest empty-$c.tar >out.txt 2>err.txt ||
		fail "empty-$c.tar: exit $?: $(cat err.txt)"
	! grep -q 'partial' out.txt || fail "empty-$c.tar: $(cat out.txt err.txt)"
	totals s | cmp -s - only-b.csv || fail "empty-$c.tar: totals differ"
done
# A higher --max-ratio lets a highly compressed but honest log through.
rm -rf s
"$BURNRATE" --quiet --store s ingest --max-ratio 100000 bomb.jsonl.xz 2>/dev/null ||
	fail "--max-ratio 100000 still refused the input"
set +e
"$BURNRATE" --store s ingest --max-ratio 1 a.jsonl >/dev/null 2>&1
rc=$?
set -e
[ $rc -eq 2 ] || fail "--max-ratio 1: exit $rc, want 2"
# The cap is against an input's compressed size, not the bytes read so
# far: a log whose first 18 MB compress 10,000 times and whose rest hardly
# at all (about 250 times overall) is read whole, alone or in a tar.
"$PYTHON" - <<'EOF'
import base64, random
r = random.Random(7)
with open('honest.jsonl', 'wb') as f:
    f.write(b'{"timestamp":"2025-10-05T00:00:00Z","provider":"openai","model":'
            b'"gpt-4o","usage":{"input_tokens":1,"output_tokens":1}}\n' * 160000)
    for i in range(50):
        junk = base64.b64encode(bytes(r.getrandbits(8) for _ in range(1500)))
        f.write(b'{"timestamp":"2025-10-06T00:00:00Z","provider":"openai",'
                b'"model":"gpt-4o","junk":"' + junk + b'","usage":'
                b'{"input_tokens":1,"output_tokens":1}}\n')
EOF
zstd -q -c honest.jsonl >honest.jsonl.zst
xz -1 -T1 -c honest.jsonl >honest.jsonl.xz
tar cf - honest.jsonl | zstd -q -c >honest.tar.zst
rm honest.jsonl
for f in honest.jsonl.zst honest.jsonl.xz honest.tar.zst; do
	rm -rf s
	"$BURNRATE" --store s ingest $f >out.txt 2>err.txt ||
		fail "$f: exit $?: $(cat err.txt)"
	grep -q '^ingested 1 input: 160050 records, 160050 requests kept$' out.txt ||
		fail "$f: $(cat out.txt)"
done
# An archive's members are capped together, against the archive's size:
# four members of 6 MiB, each under the cap of 2 times the archive plus
# 16 MiB, are more than it together: the third is refused (and so the
# archive).
mkdir many
for i in 1 2 3 4; do
	yes '{"timestamp":"2025-10-07T00:00:00Z","provider":"openai","model":"gpt-4o","usage":{"input_tokens":1}}' |
		head -c 6291456 >many/m$i.jsonl
done
tar cf - many/m1.jsonl many/m2.jsonl many/m3.jsonl many/m4.jsonl |
	zstd -q -c >many.tar.zst
rm -rf s
set +e
"$BURNRATE" --store s ingest --max-ratio 2 many.tar.zst >out.txt 2>err.txt
rc=$?
set -e
[ $rc -eq 1 ] && grep -q '^burnrate: error: many.tar.zst:many/m3.jsonl: refused as a decompression bomb' err.txt ||
	fail "many.tar.zst: exit $rc: $(cat err.txt)"
tar cf - many/m1.jsonl | zstd -q -c >one.tar.zst
"$BURNRATE" --quiet --store s2 ingest --max-ratio 2 one.tar.zst ||
	fail "one.tar.zst: exit $?"
# A compressed log at a known path that grew (a gzip member, a zstd, xz,
# bzip2 or lz4 frame appended to it) adds only what follows what was
# ingested of it, found in its decompressed bytes; a member that ends
# mid-line leaves that line waiting, as a plain file's last line does; a
# file compressed anew under the name (rotated) is read whole, and content
# ingested before adds nothing. The totals are those of an independent
# count of the decompressed complete lines, with --jobs 1 and 2 alike.
grow_count() { # FILE... -> requests and token sums of their complete lines
	"$PYTHON" - "$@" <<'EOF'
import json, subprocess, sys
tools = {b"\x1f\x8b": "gzip", b"\x28\xb5": "zstd", b"\xfd7": "xz",
         b"BZ": "bzip2", b"\x04\x22": "lz4"}
keys = ("input_tokens", "output_tokens", "cache_read_tokens",
        "cache_write_tokens", "cache_write_1h_tokens", "reasoning_tokens")
sums = [0] * (1 + len(keys))
for path in sys.argv[1:]:
    tool = tools[open(path, "rb").read(2)]
    text = subprocess.run([tool, "-dc", path], check=True,
                          stdout=subprocess.PIPE).stdout
    for line in text.split(b"\n")[:-1]:
        if line.strip():
            u = json.loads(line)["usage"]
            sums[0] += 1
            for i, k in enumerate(keys):
                sums[1 + i] += u[k]
            # The report's cache writes are of both durations (README).
            sums[4] += u["cache_write_1h_tokens"]
print(*sums)
EOF
}
grow_totals() { # STORE -> the same from its report
	"$BURNRATE" --store "$1" report --as-of 2099-12-31 --since 2000-01-01 \
		--format json 2>/dev/null | "$PYTHON" -c '
import json, sys
t = json.load(sys.stdin)["totals"]
print(t["requests"], *(t[k + "_tokens"] for k in ("input", "output",
      "cache_read", "cache_write", "cache_write_1h", "reasoning")))'
}
grow_check() { # STORE WHAT FILE...: the store counts FILEs' lines once
	st=$1 what=$2
	shift 2
	want=$(grow_count "$@") got=$(grow_totals "$st")
	[ "$got" = "$want" ] || fail "$st: $what: totals $got, counted $want"
}
gen --seed 51 --records 700 --format jsonl --out g1.jsonl
gen --seed 52 --records 500 --format jsonl --out g2.jsonl
gen --seed 53 --records 300 --format jsonl --out g3.jsonl
gen --seed 54 --records 2000 --format jsonl --out g4.jsonl
cut=$(($(wc -c <g3.jsonl) / 2 + 7))
for z in gzip zstd xz bzip2 lz4; do
	for j in 1 2; do
		d=grow-$z-$j
		mkdir "$d"
		zin() { "$z" -q -c; }
		ing() {
			"$BURNRATE" --quiet --store "$d/s" ingest --jobs $j \
				"$d/app.log" >"$d/out.txt" 2>&1 ||
				fail "$d: ingest ($1) exited $?: $(cat "$d/out.txt")"
		}
		zin <g1.jsonl >"$d/app.log"
		ing first
		grow_check "$d/s" "first ingest" "$d/app.log"
		zin <g2.jsonl >>"$d/app.log"
		ing grown
		grow_check "$d/s" "one growth" "$d/app.log"
		head -c $cut g3.jsonl | zin >>"$d/app.log"
		ing "cut mid-line"
		grow_check "$d/s" "a growth cut mid-line" "$d/app.log"
		tail -c +$((cut + 1)) g3.jsonl | zin >>"$d/app.log"
		ing "line ended"
		grow_check "$d/s" "the rest of the line and more" "$d/app.log"
		ing again
		grow_check "$d/s" "nothing new" "$d/app.log"
		cp "$d/app.log" "$d/old.log"
		zin <g4.jsonl >"$d/app.log"
		ing rotated
		grow_check "$d/s" "another log under the name" "$d/old.log" "$d/app.log"
		cp "$d/app.log" "$d/rot.log"
		zin <g1.jsonl >"$d/app.log"
		ing "old content"
		grow_check "$d/s" "content ingested before" "$d/old.log" "$d/rot.log"
		totals "$d/s" >"$d/totals.csv"
	done
	cmp -s "grow-$z-1/totals.csv" "grow-$z-2/totals.csv" ||
		fail "$z: --jobs 1 and 2 give different totals for a growing log"
done
# Progress: a line on a terminal (script(1) gives one), nothing otherwise.
cat a.jsonl a.jsonl a.jsonl a.jsonl a.jsonl a.jsonl >big.jsonl
rm -rf p
script -qec "$BURNRATE --store p ingest big.jsonl b.csv" tty.log >/dev/null ||
	fail "ingest on a terminal exited $?"
grep -q 'burnrate: 2/2 inputs, [0-9]* records, [0-9]* MB, [0-9]* MB/s' tty.log ||
	fail "no progress line on a terminal: $(cat -v tty.log | head -3)"
rm -rf p
"$BURNRATE" --store p ingest big.jsonl b.csv >out.txt 2>err.txt
! grep -q 'MB/s' out.txt err.txt || fail "a progress line without a terminal"
# An archive made again each night of logs that grew (logs.tar.gz of
# app.log and api.log): each member is read from where its last ingest
# ended when its bytes begin as they did (the archive was read whole,
# each member's ingested part counted again); one whose start changed (a
# new log under the name) is read whole; a last line cut short waits.
arec() { # tokens
	printf '{"timestamp":"2025-10-01T00:00:%02dZ","provider":"p","model":"m","usage":{"input_tokens":%d}}\n' "$1" "$1"
}
for kind in tar.gz zip tar.zst; do
	rm -rf arch arch-store
	mkdir -p arch/src
	pack() {
		case $kind in
		tar.gz) tar czf arch/logs.$kind -C arch/src app.log api.log ;;
		tar.zst) tar cf - -C arch/src app.log api.log | zstd -q >arch/logs.$kind ;;
		zip) rm -f arch/logs.zip
			(cd arch/src && zip -q ../logs.zip app.log api.log) ;;
		esac
	}
	{ arec 1; arec 2; } >arch/src/app.log
	arec 4 >arch/src/api.log
	pack
	"$BURNRATE" --quiet --store arch-store ingest arch/logs.$kind ||
		fail "archive, night 1 ($kind): exit $?"
	arec 8 >>arch/src/app.log
	arec 16 | cut -c1-30 | tr -d '\n' >>arch/src/app.log
	arec 32 >arch/src/api.log
	pack
	"$BURNRATE" --quiet --store arch-store ingest arch/logs.$kind ||
		fail "archive, night 2 ($kind): exit $?"
	arec 16 | cut -c31- >>arch/src/app.log
	pack
	"$BURNRATE" --quiet --store arch-store ingest arch/logs.$kind ||
		fail "archive, night 3 ($kind): exit $?"
	"$BURNRATE" --quiet --store arch-store ingest arch/logs.$kind ||
		fail "archive, night 4 ($kind): exit $?"
	got=$("$BURNRATE" --store arch-store report --as-of 2099-01-01 --by month \
		--format csv 2>/dev/null | tail -1 | cut -d, -f2,4)
	[ "$got" = "6,63" ] ||
		fail "an archive of logs that grew ($kind): requests, tokens $got, want 6,63"
done
# A log ingested as an archive's member, then as a file once it grew
# (the log the archive was made of), is read from where the member's
# ingest ended, as a rotated log is: a member has the head of its first
# lines too (read whole, the member's records counted twice).
rm -rf unpacked unpacked-store
mkdir unpacked
{ arec 1; arec 2; } >unpacked/app.log
tar cf unpacked/logs.tar -C unpacked app.log
"$BURNRATE" --quiet --store unpacked-store ingest unpacked/logs.tar ||
	fail "ingest of an archive exited $?"
arec 8 >>unpacked/app.log
"$BURNRATE" --quiet --store unpacked-store ingest unpacked/app.log ||
	fail "ingest of the archived log, grown, exited $?"
got=$("$BURNRATE" --store unpacked-store report --as-of 2099-01-01 --by month \
	--format csv 2>/dev/null | tail -1 | cut -d, -f2,4)
[ "$got" = "3,11" ] ||
	fail "an archived log, grown: requests, tokens $got, want 3,11"
# The reverse: a log ingested as a file, then backed up in an archive
# once it grew (tar czf backup.tgz app.log), or an archive's member, then
# in an archive of another name made again of the log grown, is read
# from where that ingest ended, as a compressed copy of the log is (read
# whole: 5 requests for 3, what was ingested counted twice).
for kind in tgz zip tar; do
	for jobs in 1 2; do
		for first in file member; do
			rm -rf backup backup-store
			mkdir -p backup/src
			{ arec 1; arec 2; } >backup/src/app.log
			if [ $first = file ]; then
				cp backup/src/app.log backup/app.log
			else
				tar cf backup/old.tar -C backup/src app.log
			fi
			"$BURNRATE" --quiet --store backup-store ingest backup ||
				fail "ingest of the $first to back up exited $?"
			rm -f backup/app.log backup/old.tar
			arec 8 >>backup/src/app.log
			case $kind in
			tgz) tar czf backup/bak.tgz -C backup/src app.log ;;
			tar) tar cf backup/bak.tar -C backup/src app.log ;;
			zip) (cd backup/src && zip -q ../bak.zip app.log) ;;
			esac
			"$BURNRATE" --quiet --store backup-store ingest --jobs $jobs backup ||
				fail "ingest of the backup ($kind) exited $?"
			got=$("$BURNRATE" --store backup-store report --as-of 2099-01-01 \
				--by month --format csv 2>/dev/null | tail -1 | cut -d, -f2,4)
			[ "$got" = "3,11" ] ||
				fail "a $kind backup of a $first ingested, grown (--jobs $jobs): requests, tokens $got, want 3,11"
		done
	done
done
# Compressed logs ingested into a store that holds no input yet could
# continue nothing: each is opened once, to be read (a store without
# inputs took every .gz for a possible rotation of one, and opened and
# decompressed its start first: 10,000 small logs 0.50 -> 0.61 s).
if strace -o /dev/null true 2>/dev/null; then
	mkdir -p fresh
	for i in 1 2 3; do
		printf '{"timestamp":"2025-10-0%dT00:00:00Z","provider":"openai","model":"gpt-4o","usage":{"input_tokens":%d,"output_tokens":1}}\n' "$i" "$i" |
			gzip -n >fresh/f$i.jsonl.gz
	done
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		strace -f -qq -e trace=openat -o fresh.trace "$BURNRATE" --quiet \
		--store fresh-store ingest fresh || fail "ingest of fresh/ exited $?"
	for i in 1 2 3; do
		[ "$(grep -c "fresh/f$i.jsonl.gz\"" fresh.trace)" -eq 1 ] ||
			fail "f$i.jsonl.gz opened more than once: $(grep "f$i.jsonl.gz" fresh.trace)"
	done
else
	echo "containers: strace cannot trace here: the opens of compressed logs are not counted" >&2
fi
# An archive of a Claude configuration directory is read as the directory
# is: only its session logs, projects/**/*.jsonl. Its settings.json,
# history.jsonl, todo lists and session indexes failed it ("cannot tell
# the log format"), exit 1. A log beside the directory (a home's backup)
# is read; a non-session member holding request ids (a session copied
# out of projects/) does not make the sessions' records repeats.
mkdir -p cl/.claude/projects/-home-u-app cl/.claude/todos cl/.claude/bak cl/logs
"$PYTHON" "$root/tests/cclogs.py" --seed 7 --sessions 3 --out cl/cc >/dev/null
find cl/cc -name '*.jsonl' | sort | head -2 | while read -r f; do
	cp "$f" cl/.claude/projects/-home-u-app/
done
cp "$(find cl/.claude/projects -name '*.jsonl' | sort | head -1)" cl/.claude/bak/copy.jsonl
rm -rf cl/cc
echo '{"model":"opus","permissions":{"allow":[]}}' >cl/.claude/settings.json
echo '{"display":"fix it","timestamp":1759000000000,"project":"/x"}' >cl/.claude/history.jsonl
echo '[]' >cl/.claude/todos/t.json
echo '{"entries":[]}' >cl/.claude/projects/-home-u-app/sessions-index.json
echo '{"x":1}' >cl/.claude/.credentials.json
printf '{"timestamp":"2025-10-01T00:00:00Z","provider":"openai","model":"gpt-4o","request_id":"cl-1","usage":{"input_tokens":5}}\n' >cl/logs/app.jsonl
"$BURNRATE" --quiet --store cl-dir ingest cl/.claude cl/logs/app.jsonl 2>/dev/null ||
	fail "ingest of a Claude directory exited $?"
totals cl-dir >cl-dir.csv
[ "$(wc -l <cl-dir.csv)" -gt 1 ] || fail "no Claude sessions read"
(cd cl && tar czf ../cl1.tgz .claude logs && tar cf ../cl2.tar -C .claude . &&
	"$PYTHON" -c '
import os, zipfile
with zipfile.ZipFile("../cl3.zip", "w") as z:
    for d, _, fs in sorted(os.walk(".claude")):
        for f in sorted(fs):
            z.write(os.path.join(d, f))
    z.write("logs/app.jsonl")
') || fail "cannot build the Claude archives"
for c in cl1.tgz cl2.tar cl3.zip; do
	extra=
	[ $c = cl2.tar ] && extra=cl/logs/app.jsonl
	# shellcheck disable=SC2086
	"$BURNRATE" --verbose --store "st-$c" ingest $c $extra >/dev/null 2>$c.err ||
		fail "ingest of $c exited $?: $(grep error $c.err)"
	grep -q "^burnrate: $c: an archive of a Claude configuration directory" $c.err ||
		fail "$c: --verbose does not say it is read as a Claude directory: $(cat $c.err)"
	totals "st-$c" >$c.csv
	cmp -s cl-dir.csv $c.csv || fail "$c differs from the directory: $(diff cl-dir.csv $c.csv)"
done
# Piped, the same; but standard input cannot be read again when a skipped
# member held request ids: the sessions then fail, saying so.
(cd cl && tar czf ../cl4.tgz --exclude=bak .claude logs) ||
	fail "cannot build the piped Claude archive"
"$BURNRATE" --quiet --store st-cl-pipe ingest - <cl4.tgz 2>cl-pipe.err ||
	fail "ingest of a piped Claude archive exited $?: $(cat cl-pipe.err)"
totals st-cl-pipe | cmp -s cl-dir.csv - || fail "a piped Claude archive differs"
if "$BURNRATE" --quiet --store st-cl-pipe2 ingest - <cl1.tgz 2>cl-pipe2.err; then
	fail "a piped Claude archive whose skipped member held ids was counted"
fi
grep -q "^burnrate: error: -:.claude/projects/.*: not counted: a member of - skipped as no session log of its Claude configuration directory held request ids" cl-pipe2.err ||
	fail "unclear failure of a piped Claude archive: $(cat cl-pipe2.err)"
# A member skipped as no session log still fails its archive when it
# cannot be read: a zip of a Claude configuration directory whose
# history.jsonl is corrupt failed, "cannot be read to its end" naming no
# file, when no session log was left to fail (stop 37's fuzz_ingest); it
# names the archive and its member now, and a session beside it is not
# counted.
"$PYTHON" - <<'PY' || fail "cannot build the corrupt Claude archives"
import glob, zipfile
def corrupt(path, members):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members:
            z.writestr(name, data)
    with zipfile.ZipFile(path) as z:
        h = z.getinfo(".claude/history.jsonl")
    with open(path, "r+b") as f:
        f.seek(h.header_offset + 26)
        n, m = int.from_bytes(f.read(2), "little"), int.from_bytes(f.read(2), "little")
        f.seek(h.header_offset + 30 + n + m)
        f.write(b"\xff" * h.compress_size)   # deflate block type 3: invalid
history = b'{"display":"fix it","timestamp":1759000000000}\n' * 50
corrupt("clbad1.zip", [(".claude/projects/-x/notes.txt", b"n"),
                       (".claude/history.jsonl", history)])
session = open(sorted(glob.glob("cl/.claude/projects/*/*.jsonl"))[0], "rb").read()
corrupt("clbad2.zip", [(".claude/history.jsonl", history),
                       (".claude/projects/-x/s.jsonl", session)])
PY
for c in clbad1.zip clbad2.zip; do
	if "$BURNRATE" --store "st-$c" ingest $c >$c.out 2>$c.err; then
		fail "$c with a corrupt member was ingested, exit 0"
	fi
	grep -q "^burnrate: error: .*$c:.claude/history.jsonl: cannot read from the archive: ZIP decompression failed" $c.err ||
		fail "$c: the corrupt member is not named: $(cat $c.err)"
	grep -q "0 records, 0 requests kept, 1 unreadable input" $c.out ||
		fail "$c: not one unreadable input, nothing counted: $(cat $c.out)"
done
grep -q "^burnrate: error: clbad2.zip:.claude/projects/-x/s.jsonl: not counted: clbad2.zip cannot be read to its end (clbad2.zip:.claude/history.jsonl: " clbad2.zip.err ||
	fail "clbad2.zip: the session beside the corrupt member is not failed: $(cat clbad2.zip.err)"

echo "containers: all checks passed"
