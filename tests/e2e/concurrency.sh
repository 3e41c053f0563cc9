#!/bin/sh
# concurrency.sh - one store used by several processes at once, as a
# deployment does (helper 210): the nightly ingest and run overlapping a
# human's reports of every format, verify, check, prices, compact, merge,
# backfills and other ingests, writers SIGKILLed at random moments.
# tests/concurrency.py drives them for CONCURRENCY_SECONDS (default 25)
# and requires: every JSON and CSV report a consistent snapshot (each
# input's rows whole or absent, the chain's inputs a prefix of those
# done, one backfill version, the merged sources in a state their store
# had), writers exit 0 or 75 naming the lock, nothing hangs, no temporary
# file or held lock left, and the final store that of the same writes
# done one by one into a fresh store.
. "$(dirname "$0")/common.inc"
: "${CONCURRENCY_SECONDS:=25}"
cd "$tmp"

# A backfill's --dry-run publishes nothing: it is a reader, and takes no
# lock. It took the writers' lock, so a preview failed with 75 ("another
# burnrate writing it") while the nightly run wrote, and a preview of a
# large backfill made the nightly run fail with 75 for as long as it read.
gen --seed 1 --records 400 --id-prefix a- --out a.jsonl
gen --seed 2 --records 400 --id-prefix b- --out b.jsonl
"$BURNRATE" --quiet --store st ingest a.jsonl
hold_lock st/lock
[ -s locked.txt ] || fail "the lock was not taken"
"$BURNRATE" --store st ingest --replace 2025-10-01..2025-10-31 --dry-run b.jsonl \
	>dry.out 2>dry.err || fail "a backfill's dry run while a writer holds the lock: exit $?: $(cat dry.err)"
grep -q '^dry run: the backfill of 2025-10-01..2025-10-31 ' dry.out || fail "the dry run: $(cat dry.out)"
kill "$holder" 2>/dev/null || true
wait "$holder" 2>/dev/null || true
if strace -o /dev/null true 2>/dev/null; then
	traced -f -qq -e trace=flock -o flock.txt "$BURNRATE" --store st ingest \
		--replace 2025-10-01..2025-10-31 --dry-run b.jsonl >/dev/null 2>dry.err ||
		fail "the dry run under strace: $(cat dry.err)"
	! grep -q 'flock(' flock.txt || fail "a dry run locked the store: $(cat flock.txt)"
fi

# A writer in another pid namespace (a container sharing the store's
# volume, docs/SCALING.md): its pid means nothing here, and the message
# named this host's pid 1 or kthreadd as the writer. The lock file's
# second line tells where the writer runs.
(exec 9>>st/lock; flock 9; printf '4242\nhost elsewhere pidns 7\n' >st/lock; exec sleep 60) &
away=$!
i=0
while ! grep -q elsewhere st/lock && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
must_fail 75 away.err "$BURNRATE" --store st compact
kill "$away" 2>/dev/null || true
wait "$away" 2>/dev/null || true
grep -qx "burnrate: error: store 'st': locked by pid 4242 on host elsewhere, another burnrate writing it (try again once it ends)" \
	away.err || fail "a writer on another host: $(cat away.err)"
if unshare --pid --fork --mount-proc true 2>/dev/null; then
	# Emptied first: the two lines the writer above left would end the
	# wait below at once, before this writer holds the lock (the slower
	# start of a sanitized build then ingested b.jsonl unlocked).
	: >st/lock
	(sleep 4) | unshare --pid --fork --mount-proc "$BURNRATE" --quiet --store st ingest - &
	away=$!
	i=0
	while [ "$(wc -l <st/lock)" -lt 2 ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	grep -q '^host .* pidns [0-9]*$' st/lock || fail "the lock file tells not where its writer runs: $(cat st/lock)"
	must_fail 75 away.err "$BURNRATE" --store st ingest b.jsonl
	grep -qx "burnrate: error: store 'st': locked by pid [0-9]* in another pid namespace, another burnrate writing it (try again once it ends)" \
		away.err || fail "a writer in another pid namespace: $(cat away.err)"
	wait "$away" || fail "the writer in another pid namespace: exit $?"
fi

# A reader never blocks: a FIFO named as a segment or as the store file
# (no writer of burnrate makes one) is unreadable, named, as a directory
# is; report, verify, ingest and compact waited on it forever.
cp -r st fifo
mkfifo fifo/segments/seg-00000000000000ff.brs
must_fail 1 fifo.err timeout 20 "$BURNRATE" --store fifo report --as-of 2025-10-31
grep -q "segment 'fifo/segments/seg-00000000000000ff.brs': cannot read: not a regular file" fifo.err ||
	fail "report, a FIFO as a segment: $(cat fifo.err)"
must_fail 1 fifo.err timeout 20 "$BURNRATE" --store fifo verify
grep -q "seg-00000000000000ff.brs.*not a regular file" fifo.err ||
	fail "verify, a FIFO as a segment: $(cat fifo.err)"
must_fail 1 fifo.err timeout 20 "$BURNRATE" --store fifo ingest b.jsonl
must_fail 1 fifo.err timeout 20 "$BURNRATE" --store fifo compact
rm fifo/segments/seg-00000000000000ff.brs fifo/burnrate.store
mkfifo fifo/burnrate.store
must_fail 1 fifo.err timeout 20 "$BURNRATE" --store fifo report --as-of 2025-10-31
grep -q "'fifo/burnrate.store' is not a burnrate store file" fifo.err ||
	fail "report, a FIFO as the store file: $(cat fifo.err)"

"$PYTHON" "$root/tests/concurrency.py" "$BURNRATE" "$tmp/conc" "$CONCURRENCY_SECONDS" \
	8000 "${CONCURRENCY_SEED:-$(date +%s)}" >conc.out 2>&1 ||
	fail "$(tail -n 20 conc.out)"
tail -n 3 conc.out
echo "concurrency: ok"
