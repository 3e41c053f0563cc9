#!/bin/sh
# split.sh - a large input parsed in blocks on several threads (--jobs 2, 3)
# gives exactly what one thread gives (--jobs 1): summary, messages,
# rejects file (line numbers included), report and segment bytes. Covers
# rejects in every block, blank and CRLF lines, duplicates inside a block
# and across blocks (settled in input order; a duplicate's record read
# again and its event counted out, the input itself not read again): a
# retry after every record, one request id on every record, an export
# written twice (every duplicate far from its first record), duplicates
# unlike their first record, an input of more groups than a part keeps
# in memory, one whose sums saturate (read again on one thread); a
# line longer than a block, a line past --max-record (blocks stop, then
# resume), CSV with quoted newlines, CSV rows of 13 bytes (20,000 request
# ids a block: more than a block holds before it settles), gzip, a
# partial last line left for the next run, two logs of overlapping days
# (the second's duplicates found as it is read, in blocks), and a log
# repeating the one before at its end (found once that one is handed
# over, in blocks), and BOMs beginning lines (logs joined), two of them
# before a duplicate CSV row (read again, it must lose only the first),
# the CSV exports of LiteLLM, Helicone and Langfuse with duplicates, and
# CSV in gzip members cut inside quoted fields and CRLFs.
. "$(dirname "$0")/common.inc"
cd "$tmp"

gen --seed 11 --records 25000 --format jsonl --bad 40 --out base.jsonl
# Blank and CRLF lines, a record repeated right after itself (a duplicate
# inside one block), and a valid record of 2.5 MB (longer than a block).
"$PYTHON" - base.jsonl plain.jsonl <<'EOF'
import json, sys
lines = open(sys.argv[1], "rb").read().split(b"\n")[:-1]
out = []
for i, line in enumerate(lines):
    out.append(line)
    if i % 997 == 5:
        out.append(b"")
        out.append(b"   ")
    if i % 1999 == 7:
        out.append(line)
    if i % 1501 == 9:
        out[-1] = out[-1] + b"\r"
    if i == 12000:
        rec = json.loads(lines[3])
        rec["request_id"] = "long-one"
        rec["padding"] = "x" * (2500 * 1024)
        out.append(json.dumps(rec).encode())
open(sys.argv[2], "wb").write(b"\n".join(out) + b"\n")
EOF
gen --seed 12 --records 20000 --format jsonl --nasty --out nasty.jsonl
# Every record followed by a retry with other token counts: wherever a
# cut falls between the two, the earlier one must count, whichever block
# gets to it first.
"$PYTHON" -c '
import sys
out = open(sys.argv[2], "wb")
for line in open(sys.argv[1], "rb"):
    out.write(line)
    out.write(line.replace(b"\"output_tokens\":", b"\"output_tokens\":7"))
' base.jsonl retries.jsonl
# The same with every request id written with an escape: the ids a block
# keeps are then not in its data as they are, but decoded on the side.
sed 's/"request_id":"s11-/"request_id":"s11\\u002d/' retries.jsonl >escaped.jsonl
# One request id on every record (a logger that writes a constant): all
# but the first are duplicates, in every block.
sed -E 's/"request_id":"[^"]*"/"request_id":"same"/' base.jsonl >const.jsonl
# An export written twice, the second time with other token counts: the
# first copy of each record counts, many blocks before the second.
sed 's/"output_tokens":/"output_tokens":9/' base.jsonl | cat base.jsonl - >twice.jsonl
# CSV: a row of 1,100 fields (rejected alone, whichever thread reads it),
# and, for --max-record 2K, quoted fields opened on a line whose next line
# is cut as too long (the parser is then inside a record: no block may
# depend on that).
gen --seed 14 --records 30000 --format csv --out csvbase.csv
"$PYTHON" - csvbase.csv wide.csv <<'EOF'
import sys
lines = open(sys.argv[1], "rb").read().split(b"\n")[:-1]
out = []
for i, line in enumerate(lines):
    out.append(line)
    if i == 15000:
        out.append(b"," * 1099)
    if i % 2500 == 100:
        out.append(b'2025-10-01T00:00:00Z,openai,"gpt-4o')
        out.append(b"y" * 3000)
        out.append(b'x",agent,,cut-%d,200,standard,1,1,0,0,0,0,' % i)
open(sys.argv[2], "wb").write(b"\n".join(out) + b"\n")
EOF
gen --seed 13 --records 60000 --format csv --nasty --out nasty.csv
# Rows of 13 bytes, each followed by a retry with another token count: a
# block has ~20,000 request ids, and settles them 4,096 at a time, each
# time waiting for its turn (else a retry at a block's start would count
# before its first row at the end of the block before).
"$PYTHON" -c '
import sys
with open(sys.argv[1], "w") as f:
    f.write("timestamp,provider,model,request_id,input_tokens\n")
    for i in range(200000):
        f.write("9,p,m,%x,1\n9,p,m,%x,2\n" % (i, i))
' tiny.csv
# Logs that each began with a BOM, joined: a BOM begins a line every 700,
# in every block (dropped as the first line's is: nothing more rejected).
"$PYTHON" -c '
import sys
lines = open(sys.argv[1], "rb").read().split(b"\n")
out = open(sys.argv[2], "wb")
out.write(b"\n".join(b"\xef\xbb\xbf" + l if i % 700 == 0 and l else l
                     for i, l in enumerate(lines)))
' plain.jsonl boms.jsonl
gzip -c plain.jsonl >plain.jsonl.gz
head -c -200 plain.jsonl >partial.jsonl
[ "$(stat -c %s plain.jsonl)" -gt 8000000 ] || fail "plain.jsonl is too small to split"

# run JOBS NAME FILE [OPTIONS]: ingest FILE, copied to in/ (the same path
# for every run: it is stored), into a new store, keeping what must not
# depend on JOBS in NAME-JOBS.*
run() {
	j=$1 name=$2 file=$3
	shift 3
	rm -rf "s-$name-$j" in
	mkdir in
	cp "$file" "in/$file"
	set +e
	"$BURNRATE" --store "s-$name-$j" ingest --jobs "$j" --rejects "$name-$j.rej" \
		"$@" "in/$file" >"$name-$j.out" 2>"$name-$j.err"
	echo "exit $?" >>"$name-$j.out"
	set -e
	sed -i "s/$name-$j.rej/REJ/g" "$name-$j.out" "$name-$j.err"
	"$BURNRATE" --store "s-$name-$j" report --by day,provider,model,agent,label \
		--as-of 2099-12-31 --format json |
		sed 's/"generated_by":[^,]*,//' >"$name-$j.json"
	"$PYTHON" -c '
import hashlib, os, sys
d = sys.argv[1]
for f in sorted(os.listdir(d)):
    b = open(os.path.join(d, f), "rb").read()
    print(f, hashlib.sha256(b[:24] + b[32:124] + b[128:-12]).hexdigest())
' "s-$name-$j/segments" >"$name-$j.seg"
}

same() { # NAME: --jobs 2 and 3 give what --jobs 1 gives
	for j in 2 3; do
		for x in out err rej json seg; do
			cmp -s "$1-1.$x" "$1-$j.$x" ||
				fail "$1, --jobs $j: $x differs: $(diff "$1-1.$x" "$1-$j.$x" | head -6)"
		done
	done
}

# how FILE OPTIONS...: the --verbose line of a --jobs 2 ingest of FILE
how() {
	f=$1
	shift
	rm -rf s-how
	"$BURNRATE" --verbose --store s-how ingest --jobs 2 "$@" "$f" 2>&1 |
		grep "^burnrate: $f:" || true
}

# Duplicates that differ from their first record (another model, whose
# row only they make; other tokens; the id written with an escape), near
# it and far from it, and in a backfill some whose first record is outside
# its range (claimed, not counted): counted as they are parsed, each is
# counted out, its record read again, once its id settles a duplicate,
# and the input is not read again. Then a row whose input tokens saturate
# (19,000 records of 10^15, of a model without a price: one of a price
# would be beyond a record's cost): a duplicate cannot be counted out of
# it exactly, and the input is read again on one thread.
"$PYTHON" - base.jsonl differ.jsonl sat.jsonl <<'EOF'
import json, random, sys
r = random.Random(5)
recs = []
for l in open(sys.argv[1]).read().split("\n")[:-1]:
    try:
        d = json.loads(l)
    except ValueError:
        continue
    if isinstance(d, dict) and d.get("request_id") and d.get("usage"):
        recs.append(d)
out = []
for i, d in enumerate(recs):
    out.append(json.dumps(d))
    if r.random() < 0.1:
        c = dict(recs[max(0, i - r.randrange(3000)) if r.random() < 0.7
                      else r.randrange(i + 1)])
        k = r.random()
        if k < 0.3:
            c["model"] = "dup-only-%d" % r.randrange(20)
        elif k < 0.6:
            c["usage"] = {"input_tokens": 12345, "output_tokens": 678}
        s = json.dumps(c)
        if r.random() < 0.3:
            rid = c["request_id"]
            s = s.replace('"%s"' % rid, '"\\u%04x%s"' % (ord(rid[0]), rid[1:]))
        out.append(s)
open(sys.argv[2], "w").write("\n".join(out) + "\n")
big = {"timestamp": "2025-10-05T12:00:00Z", "provider": "acme",
       "model": "unpriced", "usage": {"input_tokens": 10**15}}
sat = []
for i in range(19000):
    big["request_id"] = "sat-%d" % i
    sat.append(json.dumps(big))
    if i % 5000 == 7:
        sat.append(json.dumps(big))
open(sys.argv[3], "w").write("\n".join(sat) + "\n")
EOF
for j in 1 2 3; do
	run $j differ differ.jsonl
	run $j differbf differ.jsonl --source bf --replace 2025-10-08..2025-10-20
	run $j sat sat.jsonl
done
for n in differ differbf sat; do
	same $n
done
grep -q 'duplicates dropped' differ-1.out || fail "differ: no duplicate: $(cat differ-1.out)"
! grep -q 'dup-only' differ-1.json || fail "differ: a row of duplicates only"
grep -q 'dup-only' differ.jsonl || fail "differ.jsonl: no duplicate of another model"
how differ.jsonl | grep -q 'parsed in blocks$' ||
	fail "differ.jsonl was not parsed in blocks: $(how differ.jsonl)"
how sat.jsonl | grep -q 'read again on one thread' ||
	fail "sat.jsonl was not read again: $(how sat.jsonl)"

# A CSV whose first column is the model, and duplicates begun with two
# BOMs (logs joined, one of them written with a BOM twice): the first is
# dropped and the model is the second's and its name's, a row of no
# price. Read again from after the first BOM, a duplicate lost its
# second too and was counted out of gpt-4o's row, its own left counted.
"$PYTHON" -c '
import sys
out = ["model,timestamp,provider,request_id,input_tokens,output_tokens"]
for i in range(60000):
    out.append("gpt-4o,2025-10-%02dT10:00:00Z,openai,id-%d,%d,10"
               % (1 + i % 20, i, 100 + i % 50))
    if i % 5000 == 4999:
        j = i - 3000
        out.append("\ufeff\ufeffgpt-4o,2025-10-%02dT10:00:00Z,openai,id-%d,7777,10"
                   % (1 + j % 20, j))
open(sys.argv[1], "w", encoding="utf-8").write("\n".join(out) + "\n")
' boms2.csv
for j in 1 2 3; do
	run $j boms2 boms2.csv
done
same boms2
grep -q '60000 requests kept, 12 duplicates dropped' boms2-1.out ||
	fail "boms2: $(cat boms2-1.out)"
! grep -q 'without a price' boms2-2.err ||
	fail "boms2, --jobs 2: a duplicate counted: $(cat boms2-2.err)"
how boms2.csv | grep -q 'parsed in blocks$' ||
	fail "boms2.csv was not parsed in blocks: $(how boms2.csv)"

# The CSV exports read in blocks (LiteLLM's, Helicone's, Langfuse's): rows
# of the samples with ids of their own, one in ten followed by a copy of
# an earlier one (near it or far) of another model, one of no price, other
# token counts or cost, a failure, or a quoted newline in a text column.
# Each copy's event, counted as it was parsed, is counted out once its id
# settles a duplicate, its row read again, and the input is not read
# again (no quoted newline falls at a cut: then it is).
"$PYTHON" - "$root/samples/formats" <<'EOF2'
import csv, random, sys
for fmt, src, n, idcol, tok, txt, st, failed in [
        ("litellm", "litellm_spend_logs.csv", 1500, "request_id",
         ["prompt_tokens", "completion_tokens", "spend"], "messages",
         "status", "failure"),
        ("helicone", "helicone_requests.csv", 8000, "response_id",
         ["prompt_tokens", "completion_tokens", "cost"], "request_body",
         "response_status", "500"),
        ("langfuse", "langfuse_observations.csv", 2500, "id",
         ["inputUsage", "outputUsage", "totalCost"], "input", "level",
         "ERROR")]:
    r = random.Random(8)
    rows = list(csv.reader(open("%s/%s" % (sys.argv[1], src), newline="")))
    hdr, body = rows[0], rows[1:]
    col = hdr.index
    with open("gw-%s.csv" % fmt, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n", quoting=csv.QUOTE_MINIMAL
                       if fmt == "litellm" else csv.QUOTE_ALL)
        w.writerow(hdr)
        made = []
        for i in range(n):
            row = list(r.choice(body))
            row[col(idcol)] = "%s-%d" % (fmt, i)
            made.append(row)
            w.writerow(row)
            if r.random() >= 0.1:
                continue
            c = list(made[max(0, i - r.randrange(2000)) if r.random() < 0.7
                          else r.randrange(i + 1)])
            k = r.randrange(6)
            if k == 0:
                c[col("model")] = r.choice(body)[col("model")]
            elif k == 1:
                c[col("model")] = "dup-only-model"
            elif k == 2:
                for t in tok[:2]:
                    if c[col(t)]:
                        c[col(t)] = str(int(float(c[col(t)])) + 17)
            elif k == 3:
                c[col(st)] = failed
            elif k == 4:
                c[col(txt)] = "dup\ntext"
            else:
                c[col(tok[2])] = "0.5"
            w.writerow(c)
EOF2
for f in litellm helicone langfuse; do
	for j in 1 2 3; do
		run $j "gw-$f" "gw-$f.csv"
	done
	same "gw-$f"
	grep -q 'duplicates dropped' "gw-$f-1.out" || fail "gw-$f: $(cat "gw-$f-1.out")"
	grep -q 'dup-only' "gw-$f.csv" || fail "gw-$f.csv: no duplicate of another model"
	! grep -q 'dup-only' "gw-$f-1.json" || fail "gw-$f: a row of duplicates only"
	how "gw-$f.csv" | grep -q "$f format, .*parsed in blocks$" ||
		fail "gw-$f.csv was not parsed in blocks: $(how "gw-$f.csv")"
done

# More groups than a part keeps in memory (32,768: 3,000 agents x 28
# days), with 1% duplicates, some of a model of their own: the input's
# spilled rows are read through once and the duplicates counted out of
# them (agg_subtract), not the input read again.
"$PYTHON" - groups.jsonl <<'EOF'
import json, random, sys
r = random.Random(3)
out = []
for i in range(80000):
    rec = {"timestamp": "2025-10-%02dT12:00:00Z" % (1 + i % 28),
           "provider": "openai", "model": "gpt-4o",
           "agent": "a%d" % r.randrange(3000), "request_id": "w-%d" % i,
           "usage": {"input_tokens": 100 + i % 7, "output_tokens": 5}}
    out.append(json.dumps(rec))
    if r.random() < 0.01:
        rec["model"] = "dup-only" if r.random() < 0.3 else "gpt-4o"
        rec["usage"] = {"input_tokens": 1, "output_tokens": 1}
        out.append(json.dumps(rec))
open(sys.argv[1], "w").write("\n".join(out) + "\n")
EOF
for j in 1 2 3; do
	run $j groups groups.jsonl
done
same groups
! grep -q 'dup-only' groups-1.json || fail "groups: a row of duplicates only"
how groups.jsonl | grep -q 'parsed in blocks$' ||
	fail "groups.jsonl was not parsed in blocks: $(how groups.jsonl)"

for j in 1 2 3; do
	run $j plain plain.jsonl
	run $j boms boms.jsonl
	run $j nasty nasty.jsonl
	run $j retries retries.jsonl
	run $j escaped escaped.jsonl
	run $j const const.jsonl
	run $j twice twice.jsonl
	run $j csv nasty.csv
	run $j gz plain.jsonl.gz
	run $j cap plain.jsonl --max-record 100000
	run $j partial partial.jsonl
	run $j wide wide.csv --max-record 2K
	run $j tiny tiny.csv --format generic
done
for n in plain boms nasty retries escaped const twice csv gz cap partial wide tiny; do
	same $n
done
sed 's/boms.jsonl/plain.jsonl/' boms-1.rej | cmp -s - plain-1.rej ||
	fail "joined BOMs: other rejects: $(diff plain-1.rej boms-1.rej | head -4)"
cmp -s boms-1.json plain-1.json || fail "joined BOMs: another report"

grep -q '^exit 0$' plain-1.out || fail "plain: $(cat plain-1.out)"
grep -q 'rejected' plain-1.out || fail "plain: no rejects: $(cat plain-1.out)"
grep -q 'duplicates dropped' plain-1.out || fail "plain: no duplicate: $(cat plain-1.out)"
[ "$(grep -c '^in/plain.jsonl:[0-9]*: ' plain-1.rej)" -ge 40 ] ||
	fail "plain: rejects not numbered: $(head -3 plain-1.rej)"
how plain.jsonl | grep -q 'parsed in blocks$' ||
	fail "plain.jsonl was not parsed in blocks: $(how plain.jsonl)"
how plain.jsonl.gz | grep -q 'parsed in blocks$' ||
	fail "plain.jsonl.gz was not parsed in blocks: $(how plain.jsonl.gz)"
# A file with less than a block (256 KiB) left after its first read (1
# MiB) is not cut into blocks: a backfill of thousands of small logs would
# pay each a block's buffer for nothing. With more left, it is.
head -c 1150000 plain.jsonl | sed '$d' >small.jsonl
how small.jsonl | grep -q 'parsed in blocks$' &&
	fail "a file of 1.15 MB was parsed in blocks: $(how small.jsonl)"
head -c 1400000 plain.jsonl | sed '$d' >small.jsonl
how small.jsonl | grep -q 'parsed in blocks$' ||
	fail "a file of 1.4 MB was not parsed in blocks: $(how small.jsonl)"
# A gzipped file under 1 MiB is inflated 64 KiB at a time: it is cut
# into blocks only when the rest of it, at the ratio so far, fills one
# (each of a thousand gzipped logs of 300 KB took block buffers).
head -c 300000 plain.jsonl | sed '$d' | gzip -c >small.jsonl.gz
how small.jsonl.gz | grep -q 'parsed in blocks$' &&
	fail "a gzip of 300 KB was parsed in blocks: $(how small.jsonl.gz)"
[ "$(wc -c <plain.jsonl.gz)" -lt 1000000 ] ||
	fail "plain.jsonl.gz is not a small gzip: $(wc -c <plain.jsonl.gz) bytes"
how tiny.csv --format generic | grep -q 'parsed in blocks$' ||
	fail "tiny.csv was not parsed in blocks: $(how tiny.csv --format generic)"
grep -q '200000 requests kept, 200000 duplicates dropped' tiny-1.out ||
	fail "tiny: $(cat tiny-1.out)"
# Duplicates at random distances (6% of its records repeat an earlier id).
how nasty.jsonl | grep -q 'parsed in blocks$' ||
	fail "nasty.jsonl was read again: $(how nasty.jsonl)"
how retries.jsonl | grep -q 'parsed in blocks$' ||
	fail "retries.jsonl was read again: $(how retries.jsonl)"
grep -q '25000 duplicates dropped, 80 rejected' retries-1.out ||
	fail "retries: $(cat retries-1.out)"
grep -q 'u002d' escaped.jsonl || fail "escaped.jsonl has no escaped request id"
how escaped.jsonl | grep -q 'parsed in blocks$' ||
	fail "escaped.jsonl was read again: $(how escaped.jsonl)"
cmp -s retries-1.json escaped-1.json || fail "escaped request ids: another report"
grep -q '25000 duplicates dropped, 80 rejected' escaped-1.out ||
	fail "escaped: $(cat escaped-1.out)"
grep -q ' kept, 24999 duplicates dropped' const-1.out ||
	fail "const: $(cat const-1.out)"
how const.jsonl | grep -q 'parsed in blocks$' ||
	fail "const.jsonl was read again: $(how const.jsonl)"
grep -q '25000 duplicates dropped, 80 rejected' twice-1.out ||
	fail "twice: $(cat twice-1.out)"
how twice.jsonl | grep -q 'parsed in blocks$' ||
	fail "twice.jsonl was read again: $(how twice.jsonl)"
run 1 base base.jsonl
cmp -s twice-1.json base-1.json ||
	fail "twice: not the report of its first copy: $(diff base-1.json twice-1.json | head -6)"
grep -q 'record longer than 100000 bytes' cap-1.rej ||
	fail "cap: the long line is not rejected: $(cut -c1-200 cap-1.rej | head -3)"
how plain.jsonl --max-record 100000 | grep -q 'parsed in blocks$' ||
	fail "blocks did not resume after the long line"
grep -q 'partial last line' partial-1.out || fail "partial: $(cat partial-1.out)"
[ "$(grep -c 'more than 1024 fields' wide-1.rej)" -eq 1 ] ||
	fail "wide: one row of 1,100 fields, not $(grep -c 'more than 1024 fields' wide-1.rej) rejected"
grep -q 'record longer than 2048 bytes' wide-1.rej || fail "wide: no long line cut"
cmp -s plain-1.json gz-1.json || fail "gzip and plain differ"

# The partial line completed: a second run of each store takes the rest.
cp plain.jsonl in/partial.jsonl
for j in 1 2 3; do
	"$BURNRATE" --store "s-partial-$j" ingest --jobs "$j" in/partial.jsonl \
		>"again-$j.out" 2>&1
	"$BURNRATE" --store "s-partial-$j" report --by day,provider,model,agent,label \
		--as-of 2099-12-31 --format json | sed 's/"generated_by":[^,]*,//' >"again-$j.json"
	cmp -s again-1.json "again-$j.json" || fail "partial, second run, --jobs $j differs"
done
cmp -s again-1.json plain-1.json || fail "partial + rest differs from the whole file"

# Exports of overlapping days: each of 6 logs repeats the last 2,000
# lines of the one before (with other token counts) before 4,000 of its
# own. Once an input read on a worker is found to overlap those before it
# (when handed over), a large one waits for them to be handed over and is
# read against the run's ids, parsed in blocks (until then each was read
# again on one thread, holding its ids twice): the first log, and at least
# the last, picked when the second is handed over (the workers read at
# most 4 inputs ahead); the first copy of each record counts.
rm -rf ov
mkdir ov
for k in 0 1 2 3 4 5; do
	from=$((k * 4000 + 1))
	if [ "$k" -gt 0 ]; then
		sed -n "${from},$((from + 1999))s/\"output_tokens\":/\"output_tokens\":9/p" \
			base.jsonl >"ov/$k.jsonl"
		from=$((from + 2000))
	fi
	sed -n "${from},$((k * 4000 + 6000))p" base.jsonl >>"ov/$k.jsonl"
done
tail -n +26001 base.jsonl >>ov/5.jsonl
for j in 1 2; do
	rm -rf "s-ov-$j"
	"$BURNRATE" --verbose --store "s-ov-$j" ingest --jobs "$j" ov >"ov-$j.out" 2>"ov-$j.err" ||
		fail "overlapping logs, --jobs $j: $(cat "ov-$j.err")"
	"$BURNRATE" --store "s-ov-$j" report --by day,provider,model,agent,label \
		--as-of 2099-12-31 --format json | sed 's/"generated_by":[^,]*,//' >"ov-$j.json"
done
cmp -s ov-1.json ov-2.json || fail "overlapping logs: --jobs 2 differs: $(diff ov-1.json ov-2.json | head -6)"
cmp -s ov-1.json base-1.json || fail "overlapping logs: not the report of the records once"
cmp -s ov-1.out ov-2.out || fail "overlapping logs: --jobs 2: $(cat ov-2.out)"
grep -q '25000 requests kept, [0-9]* duplicates dropped, 40 rejected' ov-2.out ||
	fail "overlapping logs: $(cat ov-2.out)"
grep -q '^burnrate: ov/0.jsonl: .*parsed in blocks$' ov-2.err &&
[ "$(grep -c '^burnrate: ov/[1-5].jsonl: .*parsed in blocks$' ov-2.err)" -ge 1 ] ||
	fail "overlapping logs, --jobs 2: read again: $(grep '^burnrate: ov/' ov-2.err)"
# A log read while the one before it is handed over, repeating at its end
# (after 27 MB of its own) 2,000 records of that one with other token
# counts: once the first is handed over, the second's next blocks settle
# against the run's ids, the ids it settled so far checked then, so the
# repeats drop as it is read, parsed in blocks (until stop 38 it was
# checked when handed over and read again on one thread); the first copy
# of each record counts, as with --jobs 1.
rm -rf lt lt-once
mkdir lt lt-once
head -n 5000 base.jsonl >lt/a.jsonl
{
	tail -n +5001 base.jsonl
	for k in 1 2 3; do
		sed "s/\"request_id\":\"s11-/\"request_id\":\"b$k-/" base.jsonl
	done
} >lt-once/b.jsonl
cp lt/a.jsonl lt-once/a.jsonl
{
	cat lt-once/b.jsonl
	head -n 2000 lt/a.jsonl | sed 's/"output_tokens":/"output_tokens":9/'
} >lt/b.jsonl
for d in lt lt-once; do
	for j in 1 2; do
		rm -rf "s-$d-$j"
		"$BURNRATE" --verbose --store "s-$d-$j" ingest --jobs "$j" "$d" \
			>"$d-$j.out" 2>"$d-$j.err" ||
			fail "$d, --jobs $j: $(cat "$d-$j.err")"
		"$BURNRATE" --store "s-$d-$j" report --by day,provider,model,agent,label \
			--as-of 2099-12-31 --format json |
			sed 's/"generated_by":[^,]*,//' >"$d-$j.json"
	done
done
cmp -s lt-1.json lt-2.json || fail "a log repeating the one before at its end: --jobs 2 differs: $(diff lt-1.json lt-2.json | head -6)"
cmp -s lt-1.json lt-once-1.json || fail "a log repeating the one before at its end: not the report of the records once"
cmp -s lt-once-1.json lt-once-2.json || fail "lt-once: --jobs 2 differs"
cmp -s lt-1.out lt-2.out || fail "a log repeating the one before at its end: --jobs 2: $(cat lt-2.out)"
grep -q '100000 requests kept, 1995 duplicates dropped, 165 rejected' lt-2.out ||
	fail "a log repeating the one before at its end: $(cat lt-2.out)"
grep -q '^burnrate: lt/b.jsonl: .*parsed in blocks$' lt-2.err ||
	fail "a log repeating the one before at its end, --jobs 2: read again: $(grep '^burnrate: lt/' lt-2.err)"
# An archive read after those logs, against the run's set: its second
# member, parsed in blocks, repeats the first member's first 3,000
# records. They were settled against the run's set only and counted
# twice with --jobs 2 (the member, read knowing every earlier input's
# ids, was not checked again when handed over).
gen --seed 15 --records 12000 --format jsonl --out m.jsonl
rm -rf mt
mkdir mt
head -n 6000 m.jsonl >mt/first.jsonl
{ tail -n +6001 m.jsonl; head -n 3000 m.jsonl; } >mt/second.jsonl
tar cf mt.tar -C mt first.jsonl second.jsonl
for j in 1 2; do
	rm -rf "s-mt-$j"
	"$BURNRATE" --verbose --store "s-mt-$j" ingest --jobs "$j" ov mt.tar \
		>"mt-$j.out" 2>"mt-$j.err" ||
		fail "an archive after overlapping logs, --jobs $j: $(cat "mt-$j.err")"
	grep -q '37000 requests kept, [0-9]* duplicates dropped, 40 rejected' "mt-$j.out" ||
		fail "an archive after overlapping logs, --jobs $j: $(cat "mt-$j.out")"
done
# An archive whose first member, a CSV of quoted fields of three lines,
# is parsed in blocks that turn out not to be independent (read again on
# one thread): the ids of its first read, lines of quoted fields taken for
# records among them, were those the next member was checked against, and
# 1,947 of that member's requests were dropped as repeats with --jobs 2.
# The members after such a one are read again too.
"$PYTHON" - <<'EOF2'
import random
random.seed(7)
with open("q1.csv", "w") as f:
    f.write("timestamp,provider,model,request_id,input_tokens,label\n")
    for i in range(30000):
        f.write('2025-10-05T12:00:00Z,openai,gpt-4o,c%d,1000,"note%s\n'
                '2025-10-05T12:00:00Z,openai,gpt-4o,g%d,1000,x\n"\n'
                % (i, "y" * random.randint(1, 60), i))
with open("q2.jsonl", "w") as f:
    for i in range(30000):
        f.write('{"timestamp":"2025-10-05T12:00:00Z","provider":"openai",'
                '"model":"gpt-4o","request_id":"g%d","usage":{"input_tokens":1000}}\n' % i)
EOF2
tar cf qa.tar q1.csv q2.jsonl
for j in 1 2 3; do
	rm -rf "s-qa-$j"
	"$BURNRATE" --store "s-qa-$j" ingest --jobs "$j" qa.tar >"qa-$j.out" 2>&1 ||
		fail "an archive of a CSV with quoted lines, --jobs $j: $(cat "qa-$j.out")"
	grep -q '60000 records, 60000 requests kept$' "qa-$j.out" ||
		fail "an archive of a CSV with quoted lines, --jobs $j: $(cat "qa-$j.out")"
done

# A backfill whose input, read on a worker, repeats an earlier one's ids
# and was ingested before under another source (so dropped): its ids of
# records outside the range (kept, not counted) were taken off its
# events, which went below zero, and --jobs 2 refused the backfill. With
# no record in the range left (its Y a duplicate of bq's), it is left out
# of the backfill, not recorded under a second source.
printf '%s\n' '{"timestamp":"2025-10-04T12:00:00Z","provider":"openai","model":"gpt-4o","request_id":"X","usage":{"input_tokens":1000}}' \
	'{"timestamp":"2025-10-05T12:00:00Z","provider":"openai","model":"gpt-4o","request_id":"Y","usage":{"input_tokens":1000}}' >bc.jsonl
printf '%s\n' '{"timestamp":"2025-10-05T12:00:00Z","provider":"openai","model":"gpt-4o","request_id":"X","usage":{"input_tokens":1000}}' \
	'{"timestamp":"2025-10-05T12:00:00Z","provider":"openai","model":"gpt-4o","request_id":"Y","usage":{"input_tokens":1000}}' >bq.jsonl
cp bc.jsonl bc2.jsonl
cp bc.jsonl bc3.jsonl
for j in 1 2 3; do
	rm -rf "s-bf-$j"
	"$BURNRATE" --quiet --store "s-bf-$j" ingest --source s1 bc.jsonl
	"$BURNRATE" --store "s-bf-$j" ingest --jobs "$j" --source s2 \
		--replace 2025-10-05..2025-10-05 bq.jsonl bc3.jsonl bc2.jsonl \
		>"bf-$j.out" 2>&1 || fail "a backfill, --jobs $j: $(cat "bf-$j.out")"
	grep -q 'ingested 1 input (2 left out: no record in the range, held by another source): 2 records, 2 requests kept$' "bf-$j.out" ||
		fail "a backfill, --jobs $j: $(cat "bf-$j.out")"
done
# A gzip of more than 1 MiB is decompressed ahead, on a thread of its
# own, and its blocks are the buffers it was decompressed into, the start
# of a line each read cut copied before the next read's bytes: with
# retries (duplicates in every block), lines longer than the room before
# a read's bytes (copied instead), and past --max-record. Then the same
# bytes in gzip members cut at random bytes, inside lines: each member's
# end is a short read, whose lines make a block of their own.
gen --seed 15 --records 40000 --format jsonl --bad 20 --out big0.jsonl
"$PYTHON" - big0.jsonl big.jsonl members.jsonl.gz <<'EOF'
import gzip, json, random, sys
r = random.Random(15)
lines = open(sys.argv[1], "rb").read().split(b"\n")[:-1]
out = []
for i, line in enumerate(lines):
    out.append(line)
    if i % 3 == 1:
        out.append(line.replace(b'"output_tokens":', b'"output_tokens":5'))
    if i in (9000, 27000):
        rec = json.loads(lines[4])
        rec["request_id"] = "long-%d" % i
        rec["padding"] = "%x" % r.getrandbits(4 * 300000)
        out.append(json.dumps(rec).encode())
data = b"\n".join(out) + b"\n"
open(sys.argv[2], "wb").write(data)
with open(sys.argv[3], "wb") as f:
    at = 0
    while at < len(data):
        n = r.randint(1000, 900000)
        f.write(gzip.compress(data[at:at + n], 1))
        at += n
EOF
gzip -c big.jsonl >big.jsonl.gz
for f in big.jsonl.gz members.jsonl.gz; do
	[ "$(wc -c <$f)" -gt 1100000 ] ||
		fail "$f is not decompressed ahead: $(wc -c <$f) bytes"
done
for j in 1 2 3; do
	run $j big big.jsonl
	run $j biggz big.jsonl.gz
	run $j members members.jsonl.gz
	run $j bigcap big.jsonl.gz --max-record 200000
done
for n in biggz members bigcap; do
	same $n
done
for f in big.jsonl.gz members.jsonl.gz; do
	how $f | grep -q 'parsed in blocks$' ||
		fail "$f was not parsed in blocks: $(how $f)"
done
cmp -s big-1.json biggz-1.json ||
	fail "biggz: not the plain file's report: $(diff big-1.json biggz-1.json | head -6)"
cmp -s big-1.json members-1.json ||
	fail "members: not the plain file's report: $(diff big-1.json members-1.json | head -6)"
grep -q 'duplicates dropped' biggz-1.out || fail "biggz: $(cat biggz-1.out)"
[ "$(grep -c 'record longer than 200000 bytes' bigcap-1.rej)" -eq 2 ] ||
	fail "bigcap: the long lines are not rejected: $(cut -c1-200 bigcap-1.rej | head -3)"

# CSV in gzip members through the same buffers: the nasty CSV (quoted
# newlines: read again on one thread) cut at random bytes, inside quoted
# fields and between a CR and its LF; and csvbase.csv's rows twice
# (other ids), a third with CRLF ends, retries and headers again after a
# BOM, cut at random and after CRs (parsed in blocks): each the plain
# file's report, with --jobs 1, 2 and 3.
"$PYTHON" - nasty.csv csvbase.csv <<'EOF'
import gzip, random, sys
r = random.Random(16)
def members(data, cuts, path):
    with open(path, "wb") as f:
        at = 0
        for c in sorted(set(cuts)) + [len(data)]:
            f.write(gzip.compress(data[at:c], 1))
            at = c
nasty = open(sys.argv[1], "rb").read()
quoted = [i + 3 for i in range(len(nasty)) if nasty.startswith(b'"multi', i)]
crs = [i + 1 for i in range(len(nasty)) if nasty[i] == 13]
members(nasty, r.sample(range(len(nasty)), 30) + r.sample(quoted, 20) +
        r.sample(crs, min(20, len(crs))), "nastym.csv.gz")
lines = open(sys.argv[2], "rb").read().split(b"\n")[:-1]
out = [lines[0]]
for i, line in enumerate(lines[1:] * 2):
    if i >= len(lines) - 1:
        line = line.replace(b",s14-", b",t14-", 1)
    out.append(line + b"\r" if i % 3 == 0 else line)
    if i % 5 == 1:
        out.append(line)
    if i % 4000 == 7:
        out.append(b"\xef\xbb\xbf" + lines[0])
data = b"\n".join(out) + b"\n"
open("crlf.csv", "wb").write(data)
crs = [i + 1 for i in range(len(data)) if data[i] == 13]
members(data, r.sample(range(len(data)), 30) + r.sample(crs, 30), "crlfm.csv.gz")
EOF
for f in nastym.csv.gz crlfm.csv.gz; do
	[ "$(wc -c <$f)" -gt 1100000 ] ||
		fail "$f is not decompressed ahead: $(wc -c <$f) bytes"
done
run 1 crlf crlf.csv
for j in 1 2 3; do
	run $j nastym nastym.csv.gz
	run $j crlfm crlfm.csv.gz
done
same nastym
same crlfm
cmp -s csv-1.json nastym-1.json ||
	fail "nastym: not the plain file's report: $(diff csv-1.json nastym-1.json | head -6)"
cmp -s crlf-1.json crlfm-1.json ||
	fail "crlfm: not the plain file's report: $(diff crlf-1.json crlfm-1.json | head -6)"
how crlfm.csv.gz | grep -q 'parsed in blocks$' ||
	fail "crlfm.csv.gz was not parsed in blocks: $(how crlfm.csv.gz)"

echo "split: all checks passed"
