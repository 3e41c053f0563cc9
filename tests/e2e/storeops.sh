#!/bin/sh
# storeops.sh - random histories of store operations (tests/storeops.py):
# logs of two sources grown and ingested (files, directories, --jobs 1
# and 2, every --cost-mode, --no-dedupe), ingests run again, the nightly
# run, --replace backfills (corrected files, a source's own logs, dry
# runs, another source's logs), compaction, merges of a second store,
# init again, and ingests, backfills, compactions and merges killed with
# SIGKILL; after every step the report, per day, provider, model, agent
# and label and per source, must be what the logs say, to the
# micro-dollar. STOREOPS (default 4) histories of STOREOPS_STEPS (default
# 20) steps from seed 1; 'make torture' runs more.
. "$(dirname "$0")/common.inc"
: "${STOREOPS:=4}"
: "${STOREOPS_STEPS:=20}"
export STOREOPS_STEPS
"$PYTHON" "$root/tests/storeops.py" "$BURNRATE" 1 "$STOREOPS" "$tmp/histories" ||
	fail "store operations disagree with the logs (tests/storeops.py)"
