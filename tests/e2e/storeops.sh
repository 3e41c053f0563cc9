#!/bin/sh
# storeops.sh - random histories of store operations (tests/storeops.py):
# logs of two sources grown and ingested (files, directories, --jobs 1
# and 2, every --cost-mode, --no-dedupe), ingests run again, the nightly
# run, --replace backfills (corrected files, a source's own logs, dry
# runs, another source's logs), compaction, merges of a second store,
# init again, and ingests, backfills, compactions and merges killed with
# SIGKILL; after every step the report, per day, provider, model, agent
# and label and per source, must be what the logs say, to the
# micro-dollar; a log both stores ingest, each at its own sizes, makes
# the merge refused once both count records of it. Histories 29, 50 and
# 59 (without that log, as they were written) merge stores that both
# hold an empty log or a CSV log's header alone (which merge refused as
# an overlap until it left inputs without records out); history 19 has
# the main store read the shared log at 2 records and the other at 7
# (merged, the first 2 counted twice, until merge compared the names and
# first lines of inputs); then STOREOPS (default 2) histories from seed
# 1; each of STOREOPS_STEPS (default 20) steps. 'make torture' runs more.
. "$(dirname "$0")/common.inc"
: "${STOREOPS:=2}"
: "${STOREOPS_STEPS:=20}"
export STOREOPS_STEPS
for seed in 29 50 59; do
	"$PYTHON" "$root/tests/storeops.py" "$BURNRATE" "$seed" 1 "$tmp/histories" --no-shared ||
		fail "history $seed: store operations disagree with the logs (tests/storeops.py)"
done
"$PYTHON" "$root/tests/storeops.py" "$BURNRATE" 19 1 "$tmp/histories" ||
	fail "history 19: store operations disagree with the logs (tests/storeops.py)"
"$PYTHON" "$root/tests/storeops.py" "$BURNRATE" 1 "$STOREOPS" "$tmp/histories" ||
	fail "store operations disagree with the logs (tests/storeops.py)"
