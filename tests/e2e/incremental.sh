#!/bin/sh
# incremental.sh - a log that grows between runs contributes only its new
# complete lines; a partial last line waits for the next run (unless it is
# a whole JSON object); a file whose
# ingested part changed is refused by name and not counted twice; a rotated
# (shorter) file under the same name is read whole; copies add nothing.
. "$(dirname "$0")/common.inc"
cd "$tmp"
rec() { printf '{"timestamp":"2025-10-01T00:00:00Z","provider":"p","model":"m","usage":{"input_tokens":%d}}' "$1"; }
br() { "$BURNRATE" --quiet --store st "$@"; }
totals() { "$BURNRATE" --store st report --as-of 2099-01-01 --by month --format csv | tail -n 1 | cut -d, -f2,4; }
expect() { got=$(totals); [ "$got" = "$1" ] || fail "$2: requests,input_tokens = $got, expected $1"; }

for i in 1 2 3; do rec "$i" >>app.log; echo >>app.log; done
rec 4 | head -c 40 >>app.log           # a line still being written
br ingest app.log
expect "3,6" "first run"
rec 4 | tail -c +41 >>app.log
printf '\n' >>app.log
echo 'not json' >>app.log              # line 5: rejected with its own line number
rec 5 >>app.log; echo >>app.log
br ingest --rejects rej.txt app.log
expect "5,15" "after growth"
grep -q '^.*app.log:5: invalid JSON' rej.txt || fail "the reject of the grown part has the wrong line: $(cat rej.txt)"
[ "$(wc -l <rej.txt)" = 1 ] || fail "the grown part's rejects: $(cat rej.txt)"
br ingest app.log
expect "5,15" "a rerun with nothing new"
cp app.log copy.jsonl
br ingest copy.jsonl
expect "5,15" "a copy under another name"

# Edited in place (past its first two lines, which tell a log from
# another): refused by name, exit 1, nothing counted.
sed -i '3s/"input_tokens":3}/"input_tokens":7}/' app.log
rec 6 >>app.log; echo >>app.log
set +e
"$BURNRATE" --store st ingest app.log 2>err.txt >/dev/null
rc=$?
set -e
[ "$rc" = 1 ] || fail "an edited file gave exit $rc, not 1"
grep -q "app.log: its first .* bytes changed since they were ingested" err.txt ||
	fail "the edited file is not named: $(cat err.txt)"
expect "5,15" "an edited file"

# edited_refused WHAT FILE NAMED WANT JOBS: ingesting FILE into store zs,
# edited in place since it was ingested, exits 1 naming it (the pattern
# NAMED) and counts nothing of it: the store's requests,input_tokens stay
# WANT.
edited_refused() {
	set +e
	"$BURNRATE" --store zs ingest --jobs "$5" "$2" 2>err.txt >/dev/null
	rc=$?
	set -e
	[ "$rc" = 1 ] || fail "$1 (--jobs $5) gave exit $rc, not 1"
	grep -q "$3" err.txt || fail "$1 is not named: $(cat err.txt)"
	got=$("$BURNRATE" --store zs report --as-of 2099-01-01 --by month --format csv | tail -n 1 | cut -d, -f2,4)
	[ "$got" = "$4" ] || fail "$1 (--jobs $5): $got, expected $4"
}

# The same for a compressed log edited in place and compressed again under
# its name (its first two lines kept, a line past them changed; grown or
# not): refused by name, exit 1, nothing counted, as a plain file is. It
# was read whole as a log compressed anew, and its ingested part counted
# twice (helper 208's year backfill: 22,418 requests of a day, twice).
for z in gzip zstd; do
	for j in 1 2; do
		for grow in no yes; do
			rm -rf zs zapp.log
			for i in 1 2 3 4; do rec "$i"; echo; done | "$z" -q -c >zapp.log
			"$BURNRATE" --quiet --store zs ingest zapp.log
			"$z" -dc zapp.log | sed '3s/"input_tokens":3}/"input_tokens":7}/' >zplain
			[ $grow = no ] || { rec 5; echo; } >>zplain
			"$z" -q -c <zplain >zapp.log
			edited_refused "a $z log edited in place (grown: $grow)" zapp.log \
				"zapp.log: its first .* bytes (decompressed) changed since they were ingested" 4,10 $j
		done
	done
done
# So is a log in an archive made again with the log edited (a month's
# tar.gz of daily logs, one day corrected): the archive is refused whole,
# naming the member. It was read whole, the member counted twice.
for j in 1 2; do
	rm -rf zs zt z.tgz
	mkdir zt
	for i in 1 2 3 4; do rec "$i"; echo; done >zt/a.jsonl
	rec 50 >zt/b.jsonl; echo >>zt/b.jsonl
	tar czf z.tgz zt
	"$BURNRATE" --quiet --store zs ingest z.tgz
	sed -i '3s/"input_tokens":3}/"input_tokens":7}/' zt/a.jsonl
	tar czf z.tgz zt
	edited_refused "an archive's log edited in place" z.tgz \
		"z.tgz:zt/a.jsonl: its first .* bytes changed since they were ingested" 5,60 $j
done
# So is a plain log made shorter in place (a line past its first two
# deleted: sed -i): it begins as the ingested part did, which a rotated
# or truncated log does not. It was read whole as a new log, its
# ingested part counted twice (helper 208: a day's 23,545 requests).
for j in 1 2; do
	rm -rf zs zp.log
	for i in 1 2 3 4; do rec "$i"; echo; done >zp.log
	"$BURNRATE" --quiet --store zs ingest zp.log
	sed -i '3d' zp.log
	edited_refused "a log made shorter in place" zp.log \
		"zp.log: shorter than the .* bytes ingested of it, and beginning as they did" 4,10 $j
done

# Rotated: a new, shorter file under the same name is read whole.
rec 100 >app.log; echo >>app.log
br ingest app.log
expect "6,115" "a rotated file"
"$BURNRATE" --quiet --store st verify || fail "verify failed"

# Rotated logs (logrotate): a log renamed since it was ingested, and grown,
# is read from where it ended under its new name; the new log under the
# old name is another file, also once it is longer than what was
# ingested of the old one; numbered rotation renames again; copytruncate
# copies the log aside and empties it.
lines() { for i in "$@"; do rec "$i"; echo; done; }
mkdir rot
brot() { "$BURNRATE" --quiet --store rst "$@"; }
rexpect() {
	got=$("$BURNRATE" --store rst report --as-of 2099-01-01 --by month \
		--format csv | tail -n 1 | cut -d, -f2,4)
	[ "$got" = "$1" ] || fail "$2: requests,input_tokens = $got, expected $1"
}
lines 1 2 >rot/app.log
brot ingest rot
rexpect "2,3" "rotation, day 1"
lines 4 >>rot/app.log
mv rot/app.log rot/app.log.1
lines 10 20 30 >rot/app.log
brot ingest rot
rexpect "6,67" "rotation, day 2: renamed and grown, a longer new log"
lines 40 >>rot/app.log
mv rot/app.log.1 rot/app.log.2
mv rot/app.log rot/app.log.1
lines 100 >rot/app.log
brot ingest rot
rexpect "8,207" "rotation, day 3: numbered rotation"
lines 200 >>rot/app.log
cp rot/app.log rot/app.log.0
: >rot/app.log
lines 300 >>rot/app.log
brot ingest rot
rexpect "10,707" "copytruncate"
brot ingest rot
rexpect "10,707" "a rerun after rotations"
(cat rot/app.log; lines 1000) | gzip >rot/app.log.6.gz
brot ingest rot
rexpect "11,1707" "a rotated log compressed: only what it added to the log it continues"

# A JSON log whose last line is a whole object without a newline (written
# by "\n".join, say) counts it at once: a line cut short is never valid
# JSON. Once the log grows after it, nothing is counted twice. A CSV's
# last line without a newline counts at once when it has the header's
# fields (RFC 4180: the last record may lack a line break; such an export
# lost its last row for good); one with fewer is a row cut short: it
# waits.
nexpect() {
	got=$("$BURNRATE" --store nl report --as-of 2099-01-01 --by month \
		--format csv | tail -n 1 | cut -d, -f2,4)
	[ "$got" = "$1" ] || fail "$2: requests,input_tokens = $got, expected $1"
}
rec 1 >nonl.jsonl; echo >>nonl.jsonl; rec 2 >>nonl.jsonl
"$BURNRATE" --store nl ingest nonl.jsonl >out.txt 2>/dev/null
nexpect "2,3" "a JSON log's last line without a newline"
grep -q partial out.txt && fail "a whole last record was left waiting: $(cat out.txt)"
echo >>nonl.jsonl; rec 4 >>nonl.jsonl; echo >>nonl.jsonl
"$BURNRATE" --quiet --store nl ingest nonl.jsonl 2>/dev/null
nexpect "3,7" "the log grown after a last line without a newline"
rec 8 >one.jsonl
"$BURNRATE" --quiet --store nl ingest one.jsonl 2>/dev/null
nexpect "4,15" "a log of one record without a newline"
printf 'timestamp,provider,model,input_tokens\n2025-10-01T00:00:00Z,p,m,16\n2025-10-01T00:00:00Z,p,m,3' >nonl.csv
"$BURNRATE" --store nl ingest --format generic nonl.csv >out.txt 2>/dev/null
nexpect "6,34" "a CSV log's whole last row without a newline"
grep -q partial out.txt && fail "a CSV's whole last row was left waiting: $(cat out.txt)"
printf '\n2025-10-01T00:00:00Z,p,"m' >>nonl.csv
"$BURNRATE" --store nl ingest --format generic nonl.csv >out.txt 2>/dev/null
nexpect "6,34" "a CSV log's last row cut in a quoted field"
grep -q '1 partial last line left for the next run' out.txt ||
	fail "a CSV's last row cut short did not wait: $(cat out.txt)"
printf '",32\n' >>nonl.csv
"$BURNRATE" --quiet --store nl ingest --format generic nonl.csv 2>/dev/null
nexpect "7,66" "the CSV's last row completed"
# A quoted field across lines (RFC 4180) in the last row. Without a final
# newline it is a whole row; it was left waiting and rejected at once (an
# "unterminated quoted field"), then read from its second line: lost.
printf 'timestamp,provider,model,agent,input_tokens\n2025-10-01T00:00:00Z,p,m,a,64\n2025-10-01T00:00:00Z,p,m,"multi\nline",128' >ml.csv
"$BURNRATE" --store nl ingest --format generic ml.csv >out.txt 2>/dev/null
nexpect "9,258" "a CSV's last row quoted across lines, without a newline"
grep -q partial out.txt && fail "a whole multi-line last row was left waiting: $(cat out.txt)"
# Cut inside that field, after a newline of it or within its second line:
# the whole row waits, from its first line, and is read whole once ended.
for cut in 'multi\n' 'multi\nli' 'multi\n\nli'; do
	printf 'timestamp,provider,model,agent,input_tokens\n2025-10-01T00:00:00Z,p,m,b,1\n2025-10-01T00:00:00Z,p,m,"'"$cut" >cut.csv
	rm -rf cs
	"$BURNRATE" --store cs ingest --rejects rej.txt --format generic cut.csv >out.txt 2>/dev/null ||
		fail "a CSV cut in a quoted field across lines ($cut): $(cat out.txt)"
	[ -s rej.txt ] && fail "a multi-line row still being written was rejected ($cut): $(cat rej.txt)"
	grep -q '1 partial last line left for the next run' out.txt ||
		fail "a multi-line row cut short did not wait ($cut): $(cat out.txt)"
	case $cut in *li) rest='ne' ;; *) rest='line' ;; esac
	printf '%s",2\n2025-10-01T00:00:00Z,p,m,c,4\n' "$rest" >>cut.csv
	"$BURNRATE" --store cs ingest --rejects rej.txt --format generic cut.csv >out.txt 2>/dev/null ||
		fail "the CSV grown after a cut in a quoted field ($cut): $(cat out.txt)"
	[ -s rej.txt ] && fail "the multi-line row, ended, was rejected ($cut): $(cat rej.txt)"
	"$BURNRATE" --store cs report --as-of 2099-01-01 --by agent --format json >r.json
	"$PYTHON" - r.json "$cut" <<'EOF' || fail "a multi-line row cut at '$cut' (above)"
import json, sys
rows = {r["agent"]: (r["requests"], r["input_tokens"])
        for r in json.load(open(sys.argv[1]))["rows"]}
field = "multi\n\nline" if "\\n\\n" in sys.argv[2] else "multi\nline"
assert rows == {"b": (1, 1), "c": (1, 4), field: (1, 2)}, rows
EOF
done
# The same in a log large enough to be parsed in blocks with --jobs 2, its
# open record longer than a read: the blocks cannot tell it is open, the
# log is read again whole, and waits from that record's first line (the
# second read was taken for a log changed meanwhile: not counted).
"$PYTHON" - <<'EOF'
rows = "".join("2025-10-01T00:00:00Z,p,m,a%d,1\n" % i for i in range(100000))
open_record = '2025-10-01T00:00:00Z,p,m,"x\n' + ("y" * 99 + "\n") * 20000
with open("big.csv", "w") as f:
    f.write("timestamp,provider,model,agent,input_tokens\n" + rows + open_record)
with open("big.rest", "w") as f:
    f.write('z",2\n2025-10-01T00:00:00Z,p,m,b,4\n')
EOF
# Ended without a final newline, the row is whole: the blocks, which
# cannot tell, end the log at its last line end, and the log read again
# whole takes the row (the two reads were taken for a log that changed
# meanwhile: not counted, exit 1, with --jobs 2) (helper-109).
{ cat big.csv; printf 'z",2'; } >whole.csv
for j in 1 2; do
	rm -rf bw
	"$BURNRATE" --quiet --store bw ingest --jobs $j whole.csv 2>/dev/null ||
		fail "a large CSV ending in a multi-line row without a newline, --jobs $j: exit $?"
	got=$("$BURNRATE" --store bw report --as-of 2099-01-01 --by month --format csv |
		tail -n 1 | cut -d, -f2,4)
	[ "$got" = "100000,100000" ] ||
		fail "a large CSV ending in a multi-line row without a newline, --jobs $j: $got"
done
for j in 1 2; do
	rm -rf bs
	cp big.csv grow.csv
	"$BURNRATE" --quiet --store bs ingest --jobs $j grow.csv 2>/dev/null ||
		fail "a large CSV ending in an open record, --jobs $j"
	cat big.rest >>grow.csv
	"$BURNRATE" --quiet --store bs ingest --jobs $j grow.csv 2>/dev/null ||
		fail "a large CSV whose open record ended, --jobs $j"
	got=$("$BURNRATE" --store bs report --as-of 2099-01-01 --by month --format csv |
		tail -n 1 | cut -d, -f2,4)
	# The long agent is rejected whole, as it is from the whole file.
	[ "$got" = "100001,100004" ] || fail "a large CSV's open record, --jobs $j: $got, expected 100001,100004"
done
# A CSV log that grew: its header is parsed again, not taken for a record
# (it was: "cannot tell the log format", "CSV header has no 'timestamp'
# column"); the same with a log renamed by a rotation.
gen --seed 7 --records 40 --format csv --out plain.csv
(printf '\357\273\277\r\n'; cat plain.csv) >all.csv   # a BOM, a blank line, then the header
head -n 12 all.csv >grow.csv
"$BURNRATE" --quiet --store csv ingest grow.csv
cp all.csv grow.csv
"$BURNRATE" --quiet --store csv ingest grow.csv
"$BURNRATE" --quiet --store csvall ingest all.csv
mkdir csvrot
head -n 22 all.csv >csvrot/app.csv
"$BURNRATE" --quiet --store csvrot ingest csvrot
cp all.csv csvrot/app.csv.1
head -n 2 all.csv >csvrot/app.csv
"$BURNRATE" --quiet --store csvrot ingest csvrot
for s in csv csvrot; do
	"$BURNRATE" --store $s report --as-of 2099-01-01 --by day,model --format csv >$s.txt
done
"$BURNRATE" --store csvall report --as-of 2099-01-01 --by day,model --format csv >want.txt
cmp -s csv.txt want.txt || fail "a grown CSV log: $(diff want.txt csv.txt | head -5)"
cmp -s csvrot.txt want.txt || fail "a rotated CSV log: $(diff want.txt csvrot.txt | head -5)"
# The format of a grown log is told on resume as on the whole read, from
# the first of its first lines that tells it: a CSV header after a line of
# another program ("sep=,": it failed, the parser was opened on the first
# line only, then on the new lines), a JSON log whose first line was cut
# and whose new part begins with a line that tells nothing, and one whose
# first line is longer than a record may be.
(echo 'sep=,'; cat plain.csv) >pre.csv
head -n 15 pre.csv >pgrow.csv
"$BURNRATE" --quiet --store pre ingest pgrow.csv 2>/dev/null
cp pre.csv pgrow.csv
"$BURNRATE" --quiet --store pre ingest pgrow.csv 2>/dev/null ||
	fail "a grown CSV log with a line before its header was not resumed"
"$BURNRATE" --quiet --store preall ingest pre.csv 2>/dev/null
gen --seed 8 --records 30 --format jsonl --out cut.jsonl
(rec 7 | tail -c 20; echo; head -n 10 cut.jsonl) >cgrow.jsonl
"$BURNRATE" --quiet --store cut ingest cgrow.jsonl 2>/dev/null
(echo 'garbage'; tail -n 20 cut.jsonl) >>cgrow.jsonl
"$BURNRATE" --quiet --store cut ingest cgrow.jsonl 2>/dev/null ||
	fail "a grown JSON log whose first line was cut was not resumed"
"$BURNRATE" --quiet --store cutall ingest cgrow.jsonl 2>/dev/null
(printf '{"pad":"%01100d"}\n' 0; rec 1; echo; rec 2; echo) >long.jsonl
"$BURNRATE" --quiet --store long ingest --max-record 1K long.jsonl 2>/dev/null
(rec 4; echo) >>long.jsonl
"$BURNRATE" --quiet --store long ingest --max-record 1K long.jsonl 2>/dev/null ||
	fail "a grown JSON log whose first line is overlong was not resumed"
"$BURNRATE" --quiet --store longall ingest --max-record 1K long.jsonl 2>/dev/null
for s in pre preall cut cutall long longall; do
	"$BURNRATE" --store $s report --as-of 2099-01-01 --by day,model --format csv >$s.txt
done
cmp -s pre.txt preall.txt || fail "a grown CSV log with a preamble: $(diff preall.txt pre.txt | head -5)"
cmp -s cut.txt cutall.txt || fail "a grown JSON log cut at its start: $(diff cutall.txt cut.txt | head -5)"
cmp -s long.txt longall.txt || fail "a grown JSON log with an overlong first line: $(diff longall.txt long.txt | head -5)"
grep -q ',7,' long.txt || fail "the overlong first line's log: $(cat long.txt)"
# A log truncated (and maybe written again) while it is read (a rewrite,
# a copytruncate caught in the act, a writer cutting a batch short): what
# was read holds bytes the file no longer has, and is not counted; the
# next run reads what the file holds. (Its old bytes up to the read's
# offset and the new ones after it were counted, exit 0, and the file was
# refused every night after as changed.) The read is slowed by strace,
# stopped past its first MiB, the file changed, the read resumed.
# slowed_change STORE COMMAND...: runs the change while ingest is stopped.
slowed_change() {
	store=$1
	shift
	rm -rf live "$store"
	mkdir -p live
	cp old.log live/app.log
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		strace -f -qq -o /dev/null -e trace=read -e inject=read:delay_exit=100000 \
		"$BURNRATE" --quiet --store "$store" ingest --jobs 1 live >live1.out 2>&1 &
	tracer=$!
	pid= pos=0 tries=0
	while [ "$pos" -lt 1100000 ] && [ $tries -lt 3000 ]; do
		tries=$((tries + 1))
		sleep 0.01
		pid=$(pgrep -f -- "--store $store ingest" | grep -v "^$tracer\$" | head -n 1)
		[ -n "$pid" ] || continue
		pos=$(for fd in /proc/$pid/fd/*; do
			[ "$(readlink "$fd")" = "$PWD/live/app.log" ] &&
				awk '/^pos:/ { print $2 }' /proc/$pid/fdinfo/${fd##*/}
		done 2>/dev/null | head -n 1)
		pos=${pos:-0}
	done
	[ -n "$pid" ] && [ "$pos" -ge 1100000 ] || fail "the slowed ingest was not caught reading (pos $pos)"
	kill -STOP "$pid"
	"$@"
	kill -CONT "$pid"
	wait $tracer && fail "a log changed while it was read was counted: $(cat live1.out)"
	grep -q 'live/app.log: truncated or written again while it was read' live1.out ||
		fail "the changed log's message: $(cat live1.out)"
	"$BURNRATE" --store "$store" report --as-of 2099-01-01 --by month --format csv >live1.csv 2>/dev/null
	! grep -q '^2025-10' live1.csv || fail "a log changed while read left rows: $(cat live1.csv)"
	"$BURNRATE" --quiet --store "$store" ingest live 2>/dev/null ||
		fail "the changed log's next run exited $?"
}
# A log under two names (a hard link, as rotatelogs -L makes): read under
# one, its content adds nothing under the other, whose path is recorded
# with it, so that the other's next growth is read from there (it was
# read from its older last input: 4 counted twice).
rm -rf st linked
mkdir linked
{ rec 1; echo; rec 2; echo; } >linked/app.log
br ingest linked/app.log
ln linked/app.log linked/current.log
{ rec 4; echo; } >>linked/app.log
br ingest linked/current.log linked/app.log
{ rec 8; echo; } >>linked/app.log
br ingest linked
expect "4,15" "a log under two names, grown"
# A run whose one input is content ingested under another name: nothing
# is kept, the path alone is recorded (UBSan: no inputs to copy beside
# it, from a NULL array).
{ rec 16; echo; } >>linked/app.log
br ingest linked/current.log
br ingest linked/app.log
expect "5,31" "a log's other name alone, its content ingested"
# ... the other name ingested under another source: the path is not
# recorded under this one with content the other source holds (held under
# two sources, every merge of the store was refused, for good).
rm -rf st st2 linked
mkdir linked
{ rec 1; echo; } >linked/app.log
br ingest --source a linked/app.log
{ rec 2; echo; } >>linked/app.log
ln linked/app.log linked/current.log
br ingest --source b linked/current.log
br ingest --source a linked/app.log
expect "2,3" "a log under two names, two sources"
"$BURNRATE" --quiet --store st2 init
"$BURNRATE" --quiet --store st2 merge st 2>err.txt ||
	fail "a store whose log has two names in two sources cannot be merged: $(cat err.txt)"
rewrite() { : >live/app.log; cat new.log >>live/app.log; }
cut_short() { truncate -s 600000 live/app.log; }
if strace -o /dev/null true 2>/dev/null; then
	"$PYTHON" - <<'PY'
line = '{"timestamp":"2025-10-%02dT00:00:00Z","provider":"p","model":"m","request_id":"%s%d","usage":{"input_tokens":%d}}\n'
with open("old.log", "w") as f:
    for i in range(40000):
        f.write(line % (1 + i % 28, "o", i, 1))
with open("new.log", "w") as f:
    for i in range(30000):
        f.write(line % (1 + i % 28, "n", i, 1000))
PY
	slowed_change rewritten rewrite
	got=$("$BURNRATE" --store rewritten report --as-of 2099-01-01 --by month --format csv | tail -n 1 | cut -d, -f2,4)
	[ "$got" = "30000,30000000" ] || fail "the rewritten log's next run: requests,input_tokens = $got, expected 30000,30000000"
	slowed_change cut cut_short
	whole=$(head -c 600000 old.log | grep -c '}$')
	got=$("$BURNRATE" --store cut report --as-of 2099-01-01 --by month --format csv | tail -n 1 | cut -d, -f2,4)
	[ "$got" = "$whole,$whole" ] || fail "the log cut short's next run: requests,input_tokens = $got, expected $whole,$whole"
else
	echo "incremental: strace cannot trace here: a log changed while read is not tested" >&2
fi
# A compaction publishes its segment after the segments of other sources
# that came after those it absorbed, but its inputs are as old as those:
# a log grown since under another source (or rotated in under its name
# and ingested there) resumes from where that source ended. The log's
# first line, compacted, looked newer, and its growth under the other
# source was counted again (10-02: 2 requests). So when the other
# source's ingest came between two that the compaction absorbed, whose
# order it cannot keep: the longest input of the path that the file
# begins with (or, when it no longer begins as the newest one did, any)
# is where it resumes.
Q() { printf '{"timestamp":"2025-10-%sT06:00:00Z","provider":"openai","model":"gpt-4o","request_id":"%s","usage":{"input_tokens":1000}}\n' "$1" "$2"; }
mkdir cmp
days() { "$BURNRATE" --store cs report --as-of 2025-10-31 --since 2025-10-01 --format csv | cut -d, -f1,2 | tr '\n' ' '; }
for how in grown rotated; do
	for when in after between; do
		rm -rf cs cmp/*
		Q 04 o1 >cmp/other.jsonl
		if [ $how = grown ]; then Q 01 a1 >cmp/app.jsonl; else { Q 01 a1; Q 01 a2; } >cmp/app.jsonl; fi
		"$BURNRATE" --quiet --store cs ingest --source a cmp/app.jsonl
		[ $when = between ] ||
			"$BURNRATE" --quiet --store cs ingest --source a cmp/other.jsonl
		if [ $how = grown ]; then Q 02 b1 >>cmp/app.jsonl; else mv cmp/app.jsonl cmp/app.jsonl.1; Q 02 b1 >cmp/app.jsonl; fi
		"$BURNRATE" --quiet --store cs ingest --source b cmp/app.jsonl
		[ $when = after ] ||
			"$BURNRATE" --quiet --store cs ingest --source a cmp/other.jsonl
		"$BURNRATE" --quiet --store cs compact
		Q 03 b2 >>cmp/app.jsonl
		"$BURNRATE" --quiet --store cs ingest cmp/app.jsonl
		case $how in
		grown) want="day,requests 2025-10-01,1 2025-10-02,1 2025-10-03,1 2025-10-04,1 " ;;
		rotated) want="day,requests 2025-10-01,2 2025-10-02,1 2025-10-03,1 2025-10-04,1 " ;;
		esac
		[ "$(days)" = "$want" ] ||
			fail "a log $how under another source ($when), after a compaction: $(days)"
	done
done
echo "incremental: all checks passed"
