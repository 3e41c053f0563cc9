#!/bin/sh
# merge.sh - burnrate merge (docs/SCALING.md): logs ingested as 4 shards
# (all with the same --source name, or each with its own) and merged equal
# one ingest of them all; merging again, or one shard twice in one command,
# changes nothing; newer states of a shard (more logs, a backfill, a
# compaction) replace the older ones; refused, the destination unchanged:
# another time zone, the store itself, a corrupt segment, an input counted
# twice (or read at two sizes by two stores); docs/SCALING.md's
# burnrate-shard keeps a log and its rotations in one shard; SIGKILLs
# during a merge leave the old or the new state of each shard, and a rerun
# gives the same totals; a locked destination exits 75.
. "$(dirname "$0")/common.inc"
cd "$tmp"
cp "$root/samples/prices.csv" prices.csv
mkdir logs
for i in $(seq 1 12); do
	gen --seed "$((200 + i))" --records 1500 --format jsonl --out "logs/l$i.jsonl"
done
gen --seed 213 --records 800 --format csv --out logs/l13.csv
br() { "$BURNRATE" --quiet --store "$@"; }
report() { # STORE
	"$BURNRATE" --store "$1" report --as-of 2099-12-31 \
		--by day,provider,model,agent --format json
}
requests() { # STORE: all requests, or 0 for a store without data
	"$BURNRATE" --store "$1" report --as-of 2099-12-31 --by month --format csv |
		awk -F, 'NR > 1 { n += $2 } END { print n + 0 }'
}
same() { # STORE EXPECTED.json WHAT
	report "$1" >got.json || fail "$3: report failed"
	cmp -s "$2" got.json || { diff "$2" got.json | head -10 >&2; fail "$3"; }
}
segments() { ls "$1/segments" | tr '\n' ' '; }
refused() { # STORE FROM PATTERN WHAT: merging FROM into STORE exits 1
	# with an error matching PATTERN, STORE unchanged
	report "$1" >before.json
	must_fail 1 err.txt "$BURNRATE" --store "$1" merge "$2"
	grep -q "$3" err.txt || fail "$4: $(cat err.txt)"
	same "$1" before.json "$4: the refused merge changed the destination"
}

br single ingest --prices prices.csv logs
report single >single.json

# Shard K of 4 holds the logs whose number is K modulo 4.
files() { # K
	for f in logs/*; do
		n=$(basename "$f" | tr -dc 0-9)
		if [ $((n % 4)) -eq "$1" ]; then printf '%s ' "$f"; fi
	done
}
for k in 0 1 2 3; do
	br "s$k" ingest --prices prices.csv $(files $k)
	br "t$k" ingest --prices prices.csv --source "host$k" $(files $k)
done

"$BURNRATE" --store m merge s0 s1 s2 s3 >out.txt || fail "merge exited $?"
grep -qx 'merged 4 stores (4 segments): 4 sources imported, 0 already present' out.txt ||
	fail "unexpected summary: $(cat out.txt)"
same m single.json "4 shards with one source name merged differ from one ingest"
br n merge t0 t1 t2 t3 || fail "merge of distinct sources exited $?"
same n single.json "4 shards with their own source names merged differ from one ingest"
[ "$("$BURNRATE" --store n report --as-of 2099-12-31 --source host2 --by month --format csv |
	awk -F, 'NR > 1 { n += $2 } END { print n }')" = "$(requests s2)" ] ||
	fail "--source host2 does not show shard 2"
echo "ok 4 shards merged equal one ingest"

# Idempotent: again, and one shard twice in one command.
before=$(segments m)
"$BURNRATE" --store m merge s0 s1 s2 s3 >out.txt || fail "second merge exited $?"
grep -q ': 0 sources imported, 4 already present$' out.txt ||
	fail "second merge: $(cat out.txt)"
br m merge s1 s1 || fail "merging s1 twice exited $?"
same m single.json "merging again changed the totals"
[ "$(segments m)" = "$before" ] || fail "merging again changed the segments"
br dup merge s0 s0 s1 s2 s3 s3 || fail "merge with repeats exited $?"
same dup single.json "a shard given twice in one merge counts twice"
echo "ok merging again adds nothing"

# Newer states of shards: a new log then a compaction, a new log, a
# backfill of fewer logs; shard 3 stays as it was.
gen --seed 298 --records 700 --format jsonl --out new0.jsonl
gen --seed 299 --records 700 --format jsonl --out new.jsonl
br s0 ingest --prices prices.csv new0.jsonl
br s0 compact
br s1 ingest --prices prices.csv new.jsonl
br s2 ingest --prices prices.csv --replace 2025-10-01..2025-10-31 logs/l2.jsonl
"$BURNRATE" --store m merge s0 s1 s2 s3 >out.txt || fail "merge of newer states exited $?"
grep -q ': 3 sources imported (replacing 3 older merges), 1 already present$' out.txt ||
	fail "newer states: $(cat out.txt)"
mkdir ref
cp logs/* new0.jsonl new.jsonl ref/
rm ref/l6.jsonl ref/l10.jsonl
br ref ingest --prices prices.csv ref
report ref >ref.json
same m ref.json "newer shard states merged differ from one ingest of the same logs"
[ "$(ls m/segments | wc -l)" = 4 ] || fail "replaced merged segments were not removed: $(segments m)"
br m compact
br m verify || fail "the merged store does not verify"
same m ref.json "compacting the merged store changed it"
echo "ok newer states replace older ones"

# Logs without records are no overlap: every shard may hold an empty log
# (one logrotate made anew) or a CSV log of its header alone, and in two
# sources too. Each shard ingests such logs beside its own; they merge,
# again adding nothing, and the destination may hold them itself.
mkdir -p e/a e/b
: >e/a/app.log.jsonl
: >e/b/app.log.jsonl
printf 'timestamp,provider,model,input_tokens\n' >e/a/calls.csv
cp e/a/calls.csv e/b/calls.csv
br ea ingest --prices prices.csv e/a logs/l1.jsonl
br eb ingest --prices prices.csv e/b logs/l2.jsonl
br eb ingest --prices prices.csv --source night e/a/app.log.jsonl logs/l3.jsonl
br ec ingest --prices prices.csv e/b logs/l4.jsonl
br eref ingest --prices prices.csv logs/l1.jsonl logs/l2.jsonl logs/l3.jsonl logs/l4.jsonl
report eref >eref.json
br em ingest --prices prices.csv e/a
br em merge ea eb ec || fail "shards with the same empty logs were not merged"
same em eref.json "shards with the same empty logs merged differ from one ingest"
"$BURNRATE" --store em merge ea eb ec >out.txt || fail "merging them again exited $?"
grep -q ': 0 sources imported, 4 already present$' out.txt ||
	fail "merging shards with empty logs again: $(cat out.txt)"
echo "ok logs without records held by several shards merge"

# A read of no records is no overlap only when no earlier read of the
# log counted any: two shards that read one log at different sizes, then
# both after it grew by blank lines alone (a last read of 0 records each,
# the only fingerprint they share), were merged, counting it twice.
cp logs/l1.jsonl g.jsonl
br ga ingest --prices prices.csv g.jsonl
echo >>g.jsonl
br gb ingest --prices prices.csv g.jsonl
printf '  \n' >>g.jsonl
br ga ingest --prices prices.csv g.jsonl
br gb ingest --prices prices.csv g.jsonl
refused ga gb "its input '.*g.jsonl' .* merging would count it twice" \
	"merging a log both shards counted"
echo "ok a log read at other sizes, then grown by blank lines, is one overlap"

# One log read at two sizes by two stores: their fingerprints differ, but
# the longer read holds the records of the shorter one (the same name and
# first lines, both with records), which were merged twice, exit 0.
# Refused, naming both inputs, in either order, and against a store's own
# ingest; so is a gzipped log grown by a member. Still merged: a store's
# newer state once the log grew, its growth read under another source of
# that store, a log rotated under the same name (other first lines).
head -n 300 logs/l8.jsonl >app.jsonl
br wa ingest --prices prices.csv app.jsonl
cp logs/l8.jsonl app.jsonl
br wb ingest --prices prices.csv app.jsonl
refused wa wb "cannot merge 'wb': its input '.*/app.jsonl' (source 'default', [0-9]* bytes, 1500 records) begins with the first lines of the input '.*/app.jsonl' ([0-9]* bytes, 300 records) ingested into 'wa' (segment 'wa/segments/seg-.*', source 'default'): one log read at two sizes, .* (ingest each log into one store only)" \
	"a log read at two sizes, one here"
br wm merge wa
refused wm wb "its input '.*/app.jsonl' (source 'default', [0-9]* bytes, 1500 records) begins with the first lines of the input '.*/app.jsonl' ([0-9]* bytes, 300 records) already in 'wm/segments/seg-.*', merged from '.*/wa' (source 'default')" \
	"a log read at two sizes by two shards"
br wn merge wb
refused wn wa "its input '.*/app.jsonl' (source 'default', [0-9]* bytes, 300 records) begins with the first lines of the input '.*/app.jsonl' ([0-9]* bytes, 1500 records) already in 'wn/segments/seg-.*', merged from '.*/wb'" \
	"a log read at two sizes, the longer merged first"
head -n 300 logs/l8.jsonl | gzip -c >app.jsonl.gz
br za ingest --prices prices.csv app.jsonl.gz
tail -n +301 logs/l8.jsonl | gzip -c >>app.jsonl.gz
br zb ingest --prices prices.csv app.jsonl.gz
br zm merge za
refused zm zb "its input '.*/app.jsonl.gz' (source 'default', [0-9]* bytes, 1500 records) begins with" \
	"a gzipped log read at two sizes"
# So is an archive's log (a tar, a zip) made again once the log grew:
# its members had no head, and were merged with the first 300 records
# counted twice, exit 0. The shard's newer state still merges.
mkdir in-tar in-zip
head -n 300 logs/l8.jsonl >in-tar/app.jsonl
head -n 300 logs/l9.jsonl >in-zip/app.jsonl
archives() {
	tar -cf app.tar -C in-tar app.jsonl
	rm -f app.zip
	"$PYTHON" -c 'import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w") as z: z.write(sys.argv[2], "app.jsonl")' \
		app.zip in-zip/app.jsonl
}
archives
br ta ingest --prices prices.csv app.tar app.zip
cp logs/l8.jsonl in-tar/app.jsonl
cp logs/l9.jsonl in-zip/app.jsonl
archives
br tb ingest --prices prices.csv app.tar
br tz ingest --prices prices.csv app.zip
br tm merge ta
refused tm tb "its input '.*/app.tar:app.jsonl' (source 'default', [0-9]* bytes, 1500 records) begins with the first lines of the input '.*/app.tar:app.jsonl' ([0-9]* bytes, 300 records) already in 'tm/segments/seg-.*', merged from '.*/ta'" \
	"an archive's log read at two sizes"
refused tm tz "its input '.*/app.zip:app.jsonl' (source 'default', [0-9]* bytes, 1500 records) begins with the first lines of the input '.*/app.zip:app.jsonl' ([0-9]* bytes, 300 records)" \
	"a zip's log read at two sizes"
br ta ingest --prices prices.csv app.tar app.zip
br tm merge ta || fail "the newer state of a shard whose archived logs grew was refused"
br tc ingest --prices prices.csv logs/l8.jsonl logs/l9.jsonl
report tc >tc.json
same tm tc.json "a shard whose archived logs grew, merged, differs from one ingest of them"
report wb >wb.json
br wa ingest --prices prices.csv app.jsonl
br wm merge wa || fail "the newer state of a shard whose log grew was refused"
same wm wb.json "a shard whose log grew merged differs from one ingest of it"
head -n 300 logs/l9.jsonl >two.jsonl
br wc ingest --prices prices.csv two.jsonl
br wd merge wc
cp logs/l9.jsonl two.jsonl
br wc ingest --prices prices.csv --source night two.jsonl
br wd merge wc || fail "a log's growth read under another source was refused"
br we merge wc || fail "a log read under two sources was refused"
br l9 ingest --prices prices.csv logs/l9.jsonl
report l9 >l9.json
same wd l9.json "a log read under two sources, merged as it grew, differs from one ingest"
same we l9.json "a log read under two sources, merged, differs from one ingest"
cp logs/l10.jsonl rot.jsonl
br wf ingest --prices prices.csv rot.jsonl
cp logs/l11.jsonl rot.jsonl
br wg ingest --prices prices.csv rot.jsonl
br wh merge wf wg || fail "a log rotated under the same name was refused"
br rot ingest --prices prices.csv logs/l10.jsonl logs/l11.jsonl
report rot >rot.json
same wh rot.json "logs rotated under one name, merged, differ from one ingest"
echo "ok a log read at two sizes by two stores is refused"

# A shard rebuilt from scratch (its store deleted, its logs ingested
# again) holds none of its reads merged before: once a log grew, merging
# it again counted the log's first records twice (exit 0 before 9648758),
# now refused, as a log read by "two stores" at one path; said to be a
# store rebuilt since it was merged. So when its other log is unchanged
# (the same content, refused before too).
head -n 300 logs/l7.jsonl >rb.jsonl
br ra ingest --prices prices.csv rb.jsonl
br rm merge ra
cp logs/l7.jsonl rb.jsonl
rm -r ra
br ra ingest --prices prices.csv rb.jsonl
refused rm ra "cannot merge 'ra': its input '.*/rb.jsonl' .* begins with the first lines of the input '.*/rb.jsonl' .* merged from '.*/ra' (source 'default'), which 'ra' no longer holds: a store rebuilt or replaced since it was merged; merging would count their common records twice (merge every shard into a new store instead)" \
	"a shard rebuilt after its log grew"
head -n 300 logs/l6.jsonl >rb2.jsonl
br rb ingest --prices prices.csv rb2.jsonl logs/l5.jsonl
br rm merge rb
cp logs/l6.jsonl rb2.jsonl
rm -r rb
br rb ingest --prices prices.csv rb2.jsonl logs/l5.jsonl
refused rm rb "cannot merge 'rb': its input '.*/l5.jsonl' (source 'default') is already in '.*', merged from '.*/rb' (source 'default'), which 'rb' no longer holds: a store rebuilt or replaced since it was merged; merging would count it twice (merge every shard into a new store instead)" \
	"a shard rebuilt after one of its logs grew"
echo "ok a shard rebuilt from scratch is refused as such"

# docs/SCALING.md's burnrate-shard, as written there: a log and its
# rotations (renamed by logrotate, then compressed) go to one shard,
# which reads each rotation from where the live log ended. Sharded by
# their whole paths they went to different shards (3 of 4 each): a
# rotation's shard read it whole, what the live log's shard had read of
# it counted twice, and merge cannot tell (the names differ).
mkdir bin hl
ln -s "$BURNRATE" bin/burnrate
awk '/^#!\/bin\/sh$/ { p = 1 } p && /^```$/ { exit } p' "$root/docs/SCALING.md" |
	sed "s#/mnt/logs#$PWD/hl#g; s#/etc/burnrate/prices.csv#$PWD/prices.csv#" \
	>burnrate-shard
grep -q 'hl' burnrate-shard || fail "no burnrate-shard script in SCALING.md"
shard_all() {
	for k in 0 1 2 3; do
		PATH=$PWD/bin:$PATH sh burnrate-shard "$k" 4 "$PWD/hs$k" ||
			fail "burnrate-shard $k 4 failed"
	done
}
head -n 500 logs/l12.jsonl >hl/app.jsonl
cp logs/l13.csv hl/calls.csv
shard_all
head -n 900 logs/l12.jsonl >hl/app.jsonl.1
tail -n +901 logs/l12.jsonl | head -n 300 >hl/app.jsonl
shard_all
gzip hl/app.jsonl.1
mv hl/app.jsonl.1.gz hl/app.jsonl.2.gz
head -n 1300 logs/l12.jsonl | tail -n 400 >hl/app.jsonl.1
tail -n +1301 logs/l12.jsonl >hl/app.jsonl
shard_all
mv hl/app.jsonl hl/app.jsonl-20250915
: >hl/app.jsonl
shard_all
for k in 0 1 2 3; do
	[ ! -d "hs$k" ] || br hsm merge "hs$k" ||
		fail "a log and its rotations, sharded by burnrate-shard, were refused"
done
br hl1 ingest --prices "$PWD/prices.csv" logs/l12.jsonl logs/l13.csv
report hl1 >hl1.json
same hsm hl1.json "a log and its rotations, sharded by burnrate-shard and merged, differ from one ingest"
echo "ok burnrate-shard keeps a log and its rotations in one shard"

# Refused, the destination unchanged.
before=$(segments m)
br paris init --timezone Europe/Paris
br paris ingest --prices prices.csv new.jsonl
must_fail 2 err.txt "$BURNRATE" --store m merge paris
grep -q "burnrate: error: cannot merge 'paris' (time zone Europe/Paris) into 'm' (time zone UTC)" err.txt ||
	fail "time zones: $(cat err.txt)"
must_fail 2 err.txt "$BURNRATE" --store m merge ./m
grep -q "into itself" err.txt || fail "merging a store into itself: $(cat err.txt)"
# The second of two stores missing: nothing of it merged, the first is (the
# error said the destination was unchanged, the warning after it that the
# first was merged into it).
rm -rf two
must_fail 1 err.txt "$BURNRATE" --store two merge s1 nosuch
grep -q "; nothing of 'nosuch' was merged into 'two'$" err.txt &&
	grep -q "^burnrate: warning: the store before 'nosuch' on the command line was merged$" err.txt ||
	fail "the second of two stores missing: $(cat err.txt)"
cp -r s1 bad
gen --seed 300 --records 50 --format jsonl --out more.jsonl
br bad ingest --prices prices.csv more.jsonl
seg=$(ls bad/segments/seg-* | head -n 1)
printf 'X' | dd of="$seg" bs=1 seek=300 conv=notrunc 2>/dev/null
must_fail 1 err.txt "$BURNRATE" --store m merge bad
grep -q "corrupt segment '$seg'.*nothing of 'bad' was merged" err.txt ||
	fail "corrupt segment: $(cat err.txt)"
br other ingest --prices prices.csv --source other logs/l5.jsonl
must_fail 1 err.txt "$BURNRATE" --store m merge other
grep -q "its input '.*/logs/l5.jsonl' (source 'other') is already in 'm/segments/seg-.*', merged from '.*/s1' (source 'default'); merging would count it twice" err.txt ||
	fail "an input merged twice: $(cat err.txt)"
br overlap ingest --prices prices.csv logs/l5.jsonl more.jsonl
must_fail 1 err.txt "$BURNRATE" --store m merge overlap
grep -q "input '.*/logs/l5.jsonl'" err.txt || fail "a partial overlap: $(cat err.txt)"
br local ingest --prices prices.csv logs/l7.jsonl
must_fail 1 err.txt "$BURNRATE" --store local merge s3
grep -q "was also ingested into 'local'" err.txt || fail "an input ingested here: $(cat err.txt)"
# An input whose name holds control characters is named with '?'.
ctl=$(printf 'logs/e\033]0;pwn\007.jsonl')
cp logs/l7.jsonl "$ctl"
br ctl1 ingest --prices prices.csv "$ctl"
br ctl2 ingest --prices prices.csv "$ctl"
must_fail 1 err.txt "$BURNRATE" --store ctl1 merge ctl2
! grep -q "$(printf '[\033\007]')" err.txt && grep -q "its input '.*/logs/e?\]0;pwn?.jsonl'" err.txt ||
	fail "an input name with control characters: $(cat -v err.txt)"
rm "$ctl"
# Another store holding some of a merged store's inputs, of its source:
# refused, not "already present" (it was: its rows were dropped without a
# word); the merged store itself moved elsewhere is already present.
br sub ingest --prices prices.csv logs/l5.jsonl
must_fail 1 err.txt "$BURNRATE" --store m merge sub
grep -q "its input '.*/logs/l5.jsonl' (source 'default') is already in 'm/segments/seg-.*', merged from '.*/s1'" err.txt ||
	fail "a part of a merged store's inputs from another store: $(cat err.txt)"
cp -r s1 s1moved
"$BURNRATE" --store m merge s1moved >out.txt || fail "merging a moved store exited $?"
grep -q ': 0 sources imported, 1 already present$' out.txt ||
	fail "a moved store: $(cat out.txt)"
[ "$(segments m)" = "$before" ] || fail "a refused merge changed the segments"
same m ref.json "a refused merge changed the totals"
echo "ok refused merges change nothing"

# The lock: held by another process, merge exits 75 at once.
hold_lock m/lock
must_fail 75 err.txt "$BURNRATE" --store m merge s0
kill "$holder" 2>/dev/null || true
wait "$holder" 2>/dev/null || true
grep -q "burnrate: error: store 'm': locked by pid $holder, another burnrate writing it" err.txt || fail "lock: $(cat err.txt)"
echo "ok a locked store exits 75"

# A merge killed between the renames of its group's segments leaves part
# of the group (here its last segment is removed, as a kill before its
# rename leaves it; faults.sh kills merges so), which verify names; a
# merge of another store removes it, and says that the first store is not
# merged (once those segments are gone, nothing else tells); merged
# again, it is.
br two ingest --source a logs/l1.jsonl
br two ingest --source b logs/l2.jsonl
br more ingest logs/l3.jsonl
br half merge s0
br half merge two
rm "$(ls half/segments/seg-* | tail -n 1)"
must_fail 1 err.txt "$BURNRATE" --store half verify
grep -q "of a merge of '$tmp/two' that did not end" err.txt || fail "verify after a killed merge: $(cat err.txt)"
"$BURNRATE" --store half merge more >out.txt 2>err.txt || fail "merging another store exited $?: $(cat err.txt)"
grep -qx "burnrate: warning: a merge of '$tmp/two' into 'half' did not end: the segments it left are removed now, and none of it is in the store; run 'burnrate --store half merge $tmp/two' again" err.txt ||
	fail "no warning of the merge that did not end: $(cat err.txt)"
br half verify >/dev/null || fail "the store does not verify once they are removed"
"$BURNRATE" --store half merge two >out.txt 2>err.txt || fail "the merge run again exited $?"
[ ! -s err.txt ] || fail "the merge run again warned: $(cat err.txt)"
[ "$(requests half)" = "$(( $(requests s0) + $(requests two) + $(requests more) ))" ] ||
	fail "after the merge run again: $(requests half) requests"
echo "ok a later merge tells of one that did not end"

# SIGKILL at random moments: each shard is merged or not, never half; a
# rerun completes. States: the sums of the first K shards.
states=0
sum=0
for k in 0 1 2 3; do
	sum=$((sum + $(requests "t$k")))
	states="$states $sum"
done
start=$(date +%s%N)
br clean merge t0 t1 t2 t3
window=$(( ($(date +%s%N) - start) / 1000000 + 10 ))
kills=0
while [ $kills -lt 20 ]; do
	rm -rf k
	br k init
	"$BURNRATE" --quiet --store k merge t0 t1 t2 t3 >/dev/null 2>&1 &
	pid=$!
	sleep "$(awk -v w="$window" -v s="$(date +%N)" 'BEGIN { srand(s); printf "%.3f", rand() * w / 1000 }')"
	kill -9 "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	br k verify || fail "kill $kills: the store does not verify"
	got=$(requests k)
	case " $states " in
	*" $got "*) ;;
	*) fail "kill $kills: $got requests, not one of the states$states" ;;
	esac
	br k merge t0 t1 t2 t3 || fail "kill $kills: the rerun failed"
	same k single.json "kill $kills: totals after a rerun differ"
	kills=$((kills + 1))
done
echo "ok $kills kills during merges (window $window ms)"
echo "merge: all checks passed"
