#!/bin/sh
# idspill.sh - the dedupe set's ids spilled to a temporary file in $TMPDIR
# (ingest/idset.c's spiller) count exactly what they counted in memory:
# 400,000 UUIDs, every other one in capitals (5 rows of the set's arenas,
# most of them spilled: a UUID written canonically is kept as its 16
# bytes, one in capitals as its 36), and the first 100,000 again at the
# end, their duplicates found in the spilled rows; then one more UUID,
# again with a JSON escape (the same id), in capitals (another) and
# again; with --jobs 1 and 2; the same with no file (a TMPDIR that is no
# directory) and with the file failing as it is written (a file size
# limit: pwrite fails, EFBIG, SIGXFSZ ignored), the rows then kept in
# memory; and no file left in $TMPDIR.
. "$(dirname "$0")/common.inc"
cd "$tmp"
"$PYTHON" -c '
import random, uuid
random.seed(5)
ids = [str(uuid.UUID(int=random.getrandbits(128), version=4)) for _ in range(400000)]
ids = [i.upper() if k % 2 else i for k, i in enumerate(ids)]
line = "{\"timestamp\":\"2025-10-01T00:00:00Z\",\"provider\":\"openai\",\"model\":\"gpt-4o\",\"request_id\":\"%s\",\"usage\":{\"input_tokens\":1}}\n"
with open("ids.jsonl", "w") as f:
    for i in ids + ids[:100000]:
        f.write(line % i)
    u = "0123abcd-0000-4000-8000-00000000beef"
    for i in (u, "\\u0030" + u[1:], u.upper(), u):
        f.write(line % i)
'
mkdir spill
# ingest NAME JOBS [ENV...]: a new store, the summary kept in NAME.out
ingest() {
	name=$1 jobs=$2
	shift 2
	rm -rf "s-$name"
	env "$@" "$BURNRATE" --store "s-$name" ingest --jobs "$jobs" ids.jsonl \
		>"$name.out" 2>"$name.err" || fail "$name: exit $?: $(cat "$name.err")"
	grep -q ': 500004 records, 400002 requests kept, 100002 duplicates dropped$' "$name.out" ||
		fail "$name: $(cat "$name.out")"
	"$BURNRATE" --store "s-$name" report --by day --format csv |
		grep -q '^2025-10-01,400002,0,400002,' || fail "$name: the report counts otherwise"
}
for j in 1 2; do
	ingest "file$j" $j TMPDIR="$tmp/spill"
	[ -z "$(ls -A spill)" ] || fail "--jobs $j left files in TMPDIR: $(ls -A spill)"
	ingest "nodir$j" $j TMPDIR="$tmp/none"
	(
		trap '' XFSZ
		ulimit -f 4000
		ingest "full$j" $j TMPDIR="$tmp/spill"
	) || exit 1
done
echo "idspill: ok"
