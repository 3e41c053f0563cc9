#!/bin/sh
# stream_tail.sh - what may follow a bzip2, lz4 or xz stream (gzip's:
# gzip_tail.sh). libarchive's bzip2 and lz4 readers end the input where
# what follows a stream is not another one, without a word: bytes after
# it (`bzip2 -t` and `lz4 -t` refuse them), or a second stream cut within
# its first bytes (a multi-stream file of pbzip2's or lbzip2's cut short:
# `bzip2 -t` says "file ends unexpectedly"), were ingested as the whole
# log, exit 0; its xz reader refused data after a stream but called the
# stream truncated. Each now fails by name (the archive's member named,
# in an archive), "unexpected data after the bzip2 stream", or, another
# stream cut, "truncated bzip2 stream": nothing of it is counted, the
# other input is, exit 1; as a file or piped, as a tar's member (a big
# one decompressed ahead; its tar fails whole) or a compressed tar,
# --jobs 1 and 2. So does a log's text after an empty stream, which
# was read as an empty log (bzip2, lz4), and lz4 frames after a legacy
# frame of no block, which libarchive does not read (they were dropped).
# Zeros to the file's end (padding) still end it, several whole streams
# are read whole, and legacy frames of no block alone are an empty log.
. "$(dirname "$0")/common.inc"
cd "$tmp"

gen --seed 5 --records 3000 --format jsonl --out app.jsonl
gen --seed 6 --records 40 --format jsonl --id-prefix o --out other.jsonl
head -n 1500 app.jsonl >first.jsonl
tail -n +1501 app.jsonl >second.jsonl
report() {
	"$BURNRATE" --store "$1" report --by day,model --as-of 2099-12-31 \
		--format json | sed 's/"generated_by":[^,]*,//'
}
# The references, checked against the oracle's own reading of the logs.
for log in app other; do
	"$BURNRATE" --store ref.$log init >/dev/null
	"$BURNRATE" --store ref.$log ingest $log.jsonl >/dev/null 2>&1
	report ref.$log >ref.$log.json
	oracle expect --by day,model --as-of 2099-12-31 $log.jsonl >want.json
	oracle compare --expected want.json --report ref.$log.json >cmp.out 2>&1 ||
		fail "$log.jsonl: burnrate and the oracle disagree: $(cat cmp.out)"
done

zeros() { head -c "$1" /dev/zero; }
pack() { # pack Z: standard input compressed with Z to standard output
	case $1 in
	bz2) bzip2 -c ;;
	lz4) lz4 -q -c ;;
	xz) xz -c ;;
	esac
}
kind() { case $1 in bz2) echo bzip2 ;; *) echo "$1" ;; esac; }

mkdir good bad
for z in bz2 lz4 xz; do
	pack $z <app.jsonl >app.$z
	pack $z <first.jsonl >first.$z
	pack $z <second.jsonl >second.$z
	pack $z <other.jsonl >o.$z
	tar cf - app.jsonl | pack $z >app.tar.$z
	# Read whole: padded with zeros (a multiple of 4 bytes: xz's own
	# padding must be), two whole streams, both padded.
	{ cat app.$z; zeros 4096; } >good/pad.jsonl.$z
	cat first.$z second.$z >good/two.jsonl.$z
	{ cat first.$z second.$z; zeros 100; } >good/twopad.jsonl.$z
	{ cat app.tar.$z; zeros 10240; } >good/pad.tar.$z
	# Not zeros alone.
	{ cat app.$z; printf junkjunk; } >bad/junk.jsonl.$z
	{ cat app.$z; printf abcd; } >bad/four.jsonl.$z
	{ cat app.$z; zeros 100; printf x; } >bad/zerojunk.jsonl.$z
	{ cat app.$z; yes junk | head -c 5000000; } >bad/big.jsonl.$z
	# A stream after zeros: xz's stream padding (a multiple of 4 bytes)
	# may come between streams; what follows bzip2's and lz4's ends them.
	if [ $z = xz ]; then
		{ cat first.$z; zeros 100; cat second.$z; } >good/padtwo.jsonl.$z
	else
		{ cat app.$z; zeros 100; cat o.$z; } >bad/stream.jsonl.$z
	fi
	{ cat app.tar.$z; printf junkjunk; } >bad/junk.tar.$z
	# An empty stream, then a log's lines: libarchive's reader gives
	# nothing, and the input was an empty log, exit 0 (bzip2 and lz4;
	# xz's reader refused them already).
	{ pack $z </dev/null; cat app.jsonl; } >bad/empty.jsonl.$z
	# A second stream cut within its first bytes (libarchive's bzip2
	# reader needs 14 to tell one, its lz4 reader 4); further in, it
	# failed already.
	case $z in lz4) n=3 ;; *) n=10 ;; esac
	{ cat first.$z; head -c $n second.$z; } >bad/cut.jsonl.$z
	{ cat first.$z; head -c 1 second.$z; } >bad/cut1.jsonl.$z
done
{ cat app.bz2; printf BZh91AY; } >bad/cutmagic.jsonl.bz2
# An lz4 legacy frame of no block (what `lz4 -l` makes of nothing), then a
# log's lines, whose first 4 bytes are no block's size.
{ lz4 -q -l -c </dev/null; cat app.jsonl; } >bad/emptylegacy.jsonl.lz4
# Such a frame, then frames: libarchive's reader ends the stream at it,
# and the frames after it, which `lz4 -d` reads, were dropped without a
# word (the lines before it counted, exit 0); first, between two legacy
# frames, or before a frame of today's format.
lz4 -q -l -c </dev/null >nothing.lz4
lz4 -q -l -c <first.jsonl >first.l.lz4
lz4 -q -l -c <second.jsonl >second.l.lz4
cat nothing.lz4 app.lz4 >bad/lost.jsonl.lz4
cat first.l.lz4 nothing.lz4 second.l.lz4 >bad/lostlegacy.jsonl.lz4
cat first.lz4 nothing.lz4 second.lz4 >bad/lostframe.jsonl.lz4
# Such a frame last, after others: libarchive fails it (it wants a block
# after the magic), and may fail before giving the frames before it (a
# small file is read at once): the input fails, but not as "truncated".
cat app.lz4 nothing.lz4 >bad/endframe.jsonl.lz4
lz4 -q -l -c <app.jsonl >app.l.lz4
cat app.l.lz4 nothing.lz4 >bad/endlegacy.jsonl.lz4
for f in bad/lost* bad/end*; do
	lz4 -t "$f" 2>/dev/null || fail "lz4 -t refuses $f"
done
# Where the frames not read begin, counted from 1: after the 4 bytes of
# the frame of no block.
rm -rf s
"$BURNRATE" --store s ingest bad/lost.jsonl.lz4 >out 2>&1 && fail "bad/lost: exit 0"
grep -q '^burnrate: error: bad/lost.jsonl.lz4: the lz4 frames from byte 5 on cannot be read' out ||
	fail "bad/lost: $(cat out)"

# Such a frame, then a frame whose descriptor is not one (version 00, as
# fuzz_ingest made it): libarchive reads neither, lz4 -d refuses it; it
# was an empty log.
{ cat nothing.lz4; printf '\004\042\115\030'; zeros 16; } >bad/badframe.jsonl.lz4
if lz4 -t bad/badframe.jsonl.lz4 2>/dev/null; then fail "lz4 -t passes badframe"; fi
# A member decompressed ahead (1 MiB or more): an lz4 of random lines.
"$PYTHON" -c '
import random
r = random.Random(7)
for i in range(60000):
    print("{\"timestamp\":\"2025-10-01T12:00:00Z\",\"provider\":\"openai\",\"model\":\"gpt-4o\",\"request_id\":\"big-%d-%x\",\"usage\":{\"input_tokens\":%d,\"output_tokens\":%d}}" % (i, r.getrandbits(64), r.randrange(9999), r.randrange(999)))
' >big.jsonl
{ lz4 -q -c big.jsonl; printf junkjunk; } >mem.jsonl.lz4
{ lz4 -q -l -c big.jsonl; cat nothing.lz4; } >bad/endbig.jsonl.lz4
[ "$(wc -c <mem.jsonl.lz4)" -gt 1100000 ] || fail "the big member is small"
bzip2 -t good/two.jsonl.bz2 && bzip2 -t good/pad.jsonl.bz2 2>/dev/null ||
	fail "bzip2 -t refuses a good file"
if bzip2 -t bad/cut.jsonl.bz2 2>/dev/null; then fail "bzip2 -t passes a cut file"; fi
if lz4 -t bad/junk.jsonl.lz4 2>/dev/null; then fail "lz4 -t passes junk"; fi

# good_one REF WHAT CMD...: CMD ingests into store s anew, exit 0, and
# its report is REF's; else the test fails, saying WHAT.
good_one() {
	g_ref=$1 g_what=$2
	shift 2
	rm -rf s
	"$BURNRATE" --store s init >/dev/null
	"$@" >out 2>&1 || fail "$g_what: exit $?: $(cat out)"
	report s | cmp -s "$g_ref" - || fail "$g_what: not the log's report"
}
for f in good/*; do
	for jobs in 1 2; do
		good_one ref.app.json "$f (--jobs $jobs)" \
			"$BURNRATE" --store s ingest --jobs $jobs "$f"
		good_one ref.app.json "$f piped (--jobs $jobs)" \
			sh -c '"$0" --store s ingest --jobs $1 - <"$2"' \
			"$BURNRATE" $jobs "$f"
	done
	# As a tar's member.
	case $f in *.tar.*) continue ;; esac
	rm -rf t && mkdir t && cp "$f" t/
	tar cf m.tar -C t "${f#good/}"
	for jobs in 1 2; do
		good_one ref.app.json "m.tar:$f (--jobs $jobs)" \
			"$BURNRATE" --store s ingest --jobs $jobs m.tar
	done
done

# An empty stream, alone or padded with zeros, is an empty log.
for z in bz2 lz4 xz; do
	pack $z </dev/null >empty.jsonl.$z
	{ pack $z </dev/null; zeros 100; } >emptypad.jsonl.$z
	for f in empty.jsonl.$z emptypad.jsonl.$z; do
		rm -rf s
		"$BURNRATE" --store s ingest "$f" >out 2>&1 ||
			fail "$f: exit $?: $(cat out)"
		grep -q '^ingested 1 input: 0 records' out || fail "$f: $(cat out)"
	done
done

# An lz4 stream of legacy frames of no block (`lz4 -l` of an empty log,
# fewer bytes than libarchive reads a stream by) is an empty log, as
# `lz4 -d` reads it (it was "truncated"): as a file, piped, a tar's member;
# so is one followed by an empty frame of today's format.
cat nothing.lz4 nothing.lz4 >nothing2.lz4
cat nothing2.lz4 nothing.lz4 >nothing3.lz4
lz4 -q -c </dev/null | cat nothing.lz4 - >nothingframe.lz4
for f in nothing.lz4 nothing2.lz4 nothing3.lz4 nothingframe.lz4; do
	[ "$(lz4 -d -c $f | wc -c)" -eq 0 ] || fail "lz4 -d: $f is not empty"
	rm -rf t && mkdir t && cp $f t/$f.jsonl
	tar cf n.tar -C t $f.jsonl
	for jobs in 1 2; do
		for how in file piped tar; do
			rm -rf s
			case $how in
			file) "$BURNRATE" --store s ingest --jobs $jobs $f ;;
			piped) "$BURNRATE" --store s ingest --jobs $jobs - <$f ;;
			tar) "$BURNRATE" --store s ingest --jobs $jobs n.tar ;;
			esac >out 2>&1 || fail "$f ($how, --jobs $jobs): exit $?: $(cat out)"
			grep -q '^ingested 1 input: 0 records' out ||
				fail "$f ($how, --jobs $jobs): $(cat out)"
		done
	done
done

# bad_one NAME WANT CMD...: CMD ingests the bad input NAME and other.jsonl:
# exit 1, the error names NAME and says WANT, and only other.jsonl counts.
# (must_fail sets want.)
bad_one() {
	b_name=$1 b_says=$2
	shift 2
	rm -rf s
	"$BURNRATE" --store s init >/dev/null
	must_fail 1 err "$@"
	grep -q "^burnrate: error: $b_name: $b_says" err ||
		fail "$b_name ($*): not '$b_says': $(cat err)"
	report s | cmp -s ref.other.json - ||
		fail "$b_name ($*): something of it counted, or not other.jsonl"
}
for f in bad/*; do
	z=${f##*.}
	k=$(kind $z)
	case $f in
	*/cut*) says="truncated $k stream (the file ends before the stream does)" ;;
	*/end*) says="the lz4 stream cannot be read: it ends with a legacy frame of no block, which libarchive refuses (lz4 -d reads it; ingest its output instead)" ;;
	*/lost*) says="the lz4 frames from byte [0-9]* on cannot be read: libarchive ends the stream at the legacy frame of no block before them (lz4 -d reads them; ingest its output instead)" ;;
	*) says="unexpected data after the $k stream" ;;
	esac
	case $f in
	*.tar.*) # (xz's reader may fail while the member is read)
		name=$f:app.jsonl pname=-:app.jsonl
		fsays=".*[ (]$f: $says" psays=".*[ (]-: $says" ;;
	*) name=$f pname=- fsays=$says psays=$says ;;
	esac
	for jobs in 1 2; do
		bad_one "$name" "$fsays" "$BURNRATE" --store s ingest --jobs $jobs "$f" other.jsonl
		bad_one "$pname" "$psays" sh -c "\"\$0\" --store s ingest --jobs $jobs - other.jsonl <\"$f\"" "$BURNRATE"
	done
	# As a tar's member: the tar fails whole (a member that cannot be
	# read fails its archive), the log beside it named not counted.
	case $f in *.tar.*) continue ;; esac
	m=${f#bad/}
	rm -rf t && mkdir t && cp "$f" t/ && cp first.jsonl t/keep.jsonl
	tar cf m.tar -C t "$m" keep.jsonl
	for jobs in 1 2; do
		bad_one "m.tar:$m" "$says" "$BURNRATE" --store s ingest --jobs $jobs m.tar other.jsonl
		grep -q "^burnrate: error: m.tar:keep.jsonl: not counted: m.tar cannot be read to its end (m.tar:$m: $says)" err ||
			fail "m.tar:$m (--jobs $jobs): keep.jsonl: $(cat err)"
	done
done
rm -rf t && mkdir t && cp mem.jsonl.lz4 t/
tar cf big.tar -C t mem.jsonl.lz4
for jobs in 1 2; do
	bad_one "big.tar:mem.jsonl.lz4" "unexpected data after the lz4 stream" \
		"$BURNRATE" --store s ingest --jobs $jobs big.tar other.jsonl
done
# The same member padded with zeros instead is read whole.
"$BURNRATE" --store ref.big init >/dev/null
"$BURNRATE" --store ref.big ingest big.jsonl >/dev/null 2>&1
report ref.big >ref.big.json
rm -rf t && mkdir t
{ lz4 -q -c big.jsonl; zeros 1000; } >t/mem.jsonl.lz4
tar cf big.tar -C t mem.jsonl.lz4
for jobs in 1 2; do
	good_one ref.big.json "big.tar, padded (--jobs $jobs)" \
		"$BURNRATE" --store s ingest --jobs $jobs big.tar
done
echo "stream_tail: ok"
