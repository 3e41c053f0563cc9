#!/bin/sh
# gzip_edges.sh - a gzip split into blocks (--jobs 2), decompressed on its
# own thread into a ring of 512 KiB buffers and cut from there into blocks
# of 256 KiB: not a byte lost or doubled at any buffer's edge. Logs whose
# sizes straddle 1 MiB, a block after it and the ring's buffers, a prime
# size, and one of 14 MB (more than 1 MiB compressed: the compressed
# bytes are read in several reads), each cut mid-line, as one gzip member
# and as members of 300,001 bytes (an empty one among them) ending
# mid-line and mid-block, give with --jobs 1 and 2 what the plain log
# gives with --jobs 1: messages, rejects (line numbers included) and
# report. And the fingerprint of what was read: the gzip grown by a member
# that ends its last line and adds more is read from where the first
# ingest ended, and the two give what the plain log of all of it gives at
# once (a fingerprint off by a byte reads the gzip whole, counting it
# twice). The 14 MB log as a tar, tar.gz and zip member gives its report
# too. A gzip cut, corrupt, with a wrong CRC, or a bomb, once blocks are
# in flight, fails by name, exit 1, nothing of it counted.
. "$(dirname "$0")/common.inc"
cd "$tmp"

gen --seed 71 --records 42000 --format jsonl --bad 30 --out base.jsonl
[ "$(stat -c %s base.jsonl)" -gt 14000000 ] || fail "base.jsonl is too small"

# ingest NAME FILE JOBS: FILE, copied to in/log.jsonl (one name for every
# run: it is stored), ingested into the store s-NAME; its messages and
# rejects in NAME.out, its report in NAME.json.
ingest() {
	rm -rf "s-$1" in
	mkdir in
	cp "$2" in/log.jsonl
	ingest_more "$1" "$3"
}

# ingest_more NAME JOBS: in/log.jsonl ingested again into s-NAME.
ingest_more() {
	set +e
	"$BURNRATE" --verbose --store "s-$1" ingest --jobs "$2" --rejects "$1.rej" \
		in/log.jsonl >"$1.out" 2>&1
	echo "exit $?" >>"$1.out"
	set -e
	sed -i -e "s/$1.rej/REJ/g" -e 's/, parsed in blocks$//' "$1.out"
	cat "$1.rej" >>"$1.out"
	"$BURNRATE" --store "s-$1" report --by day,provider,model,agent,label \
		--as-of 2099-12-31 --format json | sed 's/"generated_by":[^,]*,//' >"$1.json"
}

# same NAME WANT: NAME gave what WANT gave.
same() {
	for x in out json; do
		cmp -s "$2.$x" "$1.$x" ||
			fail "$1: $x differs from $2's: $(diff "$2.$x" "$1.$x" | head -6)"
	done
}

# Python: gzip members of 300,001 bytes of FILE, an empty one after the
# first, to FILE.m.gz.
members() {
	"$PYTHON" - "$1" <<'EOF'
import gzip, sys
data = open(sys.argv[1], "rb").read()
parts = [data[i:i + 300001] for i in range(0, len(data), 300001)]
parts.insert(1, b"")
with open(sys.argv[1] + ".m.gz", "wb") as f:
    for p in parts:
        f.write(gzip.compress(p, mtime=0))
EOF
}

mib=1048576
blocked=0
for size in $((mib - 1)) $mib $((mib + 1)) \
	$((mib + 262143)) $((mib + 262144)) $((mib + 262145)) \
	$((mib + 524287)) $((mib + 524289)) $((2 * mib + 1)) 1299709 14000000; do
	head -c $size base.jsonl >p.jsonl
	gzip -c -n p.jsonl >p.jsonl.gz
	members p.jsonl
	ingest plain p.jsonl 1
	grep -q '^exit 0$' plain.out || fail "$size bytes: $(cat plain.out)"
	for j in 1 2; do
		ingest gz-$j p.jsonl.gz $j
		same gz-$j plain
		ingest m-$j p.jsonl.m.gz $j
		same m-$j plain
	done
	# Read in blocks with --jobs 2 once a block is left after the first
	# read.
	"$BURNRATE" --verbose --store s-how ingest --jobs 2 p.jsonl.gz 2>&1 |
		grep -q 'parsed in blocks$' && blocked=$((blocked + 1))
	rm -rf s-how

	# The rest of the line it ends in and 700,001 bytes more, as a
	# member appended.
	head -c $((size + 700001)) base.jsonl >whole.jsonl
	tail -c +$((size + 1)) whole.jsonl | gzip -c -n >more.gz
	ingest all whole.jsonl 1
	for j in 1 2; do
		for z in gz m; do
			[ $z = gz ] && f=p.jsonl.gz || f=p.jsonl.m.gz
			ingest grown-$z-$j $f $j
			cat more.gz >>in/log.jsonl
			ingest_more grown-$z-$j $j
			cmp -s all.json grown-$z-$j.json ||
				fail "$size bytes, $z, --jobs $j, grown: another report: $(diff all.json grown-$z-$j.json | head -6)"
		done
	done
done
[ $blocked -ge 9 ] || fail "only $blocked of the gzip logs were parsed in blocks"

# The last log (14 MB) as a member of a tar, a tar.gz and a zip: read in
# blocks from the member, the report of the plain log.
mkdir -p arch
cp p.jsonl arch/log.jsonl
(cd arch && tar cf ../p.tar log.jsonl && tar czf ../p.tar.gz log.jsonl)
"$PYTHON" -c '
import zipfile
with zipfile.ZipFile("p.zip", "w", zipfile.ZIP_DEFLATED) as z:
    z.write("arch/log.jsonl", "log.jsonl")
'
for a in p.tar p.tar.gz p.zip; do
	for j in 1 2; do
		ingest $a-$j $a $j
		grep -q '^exit 0$' $a-$j.out || fail "$a, --jobs $j: $(cat $a-$j.out)"
		cmp -s plain.json $a-$j.json ||
			fail "$a, --jobs $j: another report: $(diff plain.json $a-$j.json | head -6)"
	done
done

# Partial lines at a read's end of exactly the room before the next
# read's bytes (64 KiB) and a byte less or more (the start copied into
# the room, or all of the next read copied), none, and 1 byte: gzip
# members ending there (each member's end ends a read, its lines a block
# of their own), among records of UTF-8 text, CRLF lines and retries;
# members also ending inside a UTF-8 sequence, between a CR and its LF,
# and empty ones. --jobs 2, 3 and 8 give what the plain log gives.
"$PYTHON" - base.jsonl room.jsonl <<'EOF2'
import gzip, json, random, sys
r = random.Random(73)
lines = open(sys.argv[1], "rb").read().split(b"\n")[:12000]
tmpl = json.loads(lines[3])
out, cuts, edges = bytearray(), [], [65535, 65536, 65537, 0, 1, 2]
for i, line in enumerate(lines):
    out += line + (b"\r\n" if i % 7 == 3 else b"\n")
    if i % 5 == 2:
        out += line.replace(b'"output_tokens":', b'"output_tokens":3') + b"\n"
    if i % 900 == 450:
        rec = dict(tmpl, request_id="room-%d" % i)
        n = 70000 + 37 * i
        h = "%0*x" % (n, r.getrandbits(4 * n))
        rec["note"] = "\u00e9".join(h[k:k + 50] for k in range(0, n, 50))
        cuts.append(len(out) + edges[(i // 900) % len(edges)])
        out += json.dumps(rec, ensure_ascii=False).encode() + b"\n"
        cuts.append(out.rindex(b"\xc3") + 1)  # inside a UTF-8 sequence
    if i % 900 == 700:
        cuts.append(out.rindex(b"\r\n") + 1)  # between a CR and its LF
open(sys.argv[2], "wb").write(out)
with open(sys.argv[2] + ".gz", "wb") as f:
    at = 0
    for n, c in enumerate(sorted(set(cuts)) + [len(out)]):
        f.write(gzip.compress(bytes(out[at:c]), mtime=0))
        if n % 4 == 1:
            f.write(gzip.compress(b"", mtime=0))
        at = c
EOF2
[ "$(stat -c %s room.jsonl.gz)" -gt $mib ] || fail "room.jsonl.gz is not decompressed ahead"
ingest room room.jsonl 1
grep -q '^exit 0$' room.out || fail "room: $(cat room.out)"
for j in 1 2 3 8; do
	ingest room-$j room.jsonl.gz $j
	same room-$j room
done
"$BURNRATE" --verbose --store s-how ingest --jobs 2 room.jsonl.gz 2>&1 |
	grep -q 'parsed in blocks$' || fail "room.jsonl.gz was not parsed in blocks"
rm -rf s-how

# Damaged, once blocks are in flight: the gzip cut at 60% of its bytes,
# with a byte in its middle flipped, with a wrong CRC in its trailer, and
# a bomb of valid records refused past --max-ratio: each fails by name
# (--jobs 2), exit 1, the other input kept and nothing of it counted.
gen --seed 72 --records 500 --format jsonl --id-prefix good --out good.jsonl
"$BURNRATE" --quiet --store s-good ingest good.jsonl
"$BURNRATE" --store s-good report --by day,provider,model --as-of 2099-12-31 \
	--format csv >good.csv
head -c $(($(stat -c %s p.jsonl.gz) * 6 / 10)) p.jsonl.gz >cut.jsonl.gz
"$PYTHON" - <<'EOF'
d = bytearray(open("p.jsonl.gz", "rb").read())
e = bytearray(d)
d[len(d) // 2] ^= 0xFF
open("flip.jsonl.gz", "wb").write(d)
e[-6] ^= 1
open("crc.jsonl.gz", "wb").write(e)
EOF
head -n 1 base.jsonl | sed 's/"request_id":"[^"]*",//' >rec.jsonl
yes "$(cat rec.jsonl)" | head -c 60000000 | gzip -c -n >bomb.jsonl.gz
for bad in cut:'truncated gzip stream' flip:'corrupt gzip stream' \
	crc:'corrupt gzip stream' bomb:'refused as a decompression bomb'; do
	f=${bad%%:*}.jsonl.gz why=${bad#*:}
	rm -rf s-bad
	set +e
	"$BURNRATE" --store s-bad ingest --jobs 2 --max-ratio 50 "$f" good.jsonl \
		>bad.out 2>bad.err
	rc=$?
	set -e
	[ $rc -eq 1 ] || fail "$f: exit $rc, want 1: $(cat bad.out bad.err)"
	grep -q "^burnrate: error: $f: $why" bad.err || fail "$f: $(cat bad.err)"
	"$BURNRATE" --store s-bad report --by day,provider,model --as-of 2099-12-31 \
		--format csv | cmp -s - good.csv || fail "$f: something of it was counted"
done
# Nor its rejects: a gzip cut short after records that were rejected
# wrote them to the rejects file, where the summary said 0 rejected and
# a rerun of the mended file wrote them again; with --jobs 1 and 2.
"$PYTHON" "$root/tools/loggen.py" --seed 3 --records 20000 --bad 30 --out rej.jsonl
gzip -c rej.jsonl >rej.jsonl.gz
head -c $(($(stat -c %s rej.jsonl.gz) - 5000)) rej.jsonl.gz >rejcut.jsonl.gz
for j in 1 2; do
	rm -rf s-rej
	must_fail 1 rej.err "$BURNRATE" --store s-rej ingest --jobs $j --rejects rej.txt \
		rejcut.jsonl.gz good.jsonl
	[ ! -s rej.txt ] || fail "--jobs $j: a cut gzip's rejects were written: $(head -2 rej.txt)"
	"$BURNRATE" --quiet --store s-rej ingest --jobs $j --rejects rej.txt rej.jsonl.gz ||
		fail "--jobs $j: the whole gzip: exit $?"
	[ "$(wc -l <rej.txt)" -eq 30 ] || fail "--jobs $j: $(wc -l <rej.txt) rejects, want 30"
done
echo "ok"
