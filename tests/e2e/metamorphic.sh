#!/bin/sh
# metamorphic.sh - a random differential of ingest against itself
# (tests/metamorphic.py): random logs of every format read with --jobs 1,
# 2 and 4, in every container, cut in two and appended between runs,
# rotated, and as two files of one directory must give the same report,
# exit status and counts. METAMORPHIC_CASES (default 8) logs of up to
# METAMORPHIC_RECORDS (default 60) records from METAMORPHIC_SEED
# (default 1); a longer campaign: METAMORPHIC_CASES=500
# METAMORPHIC_RECORDS=20000.
. "$(dirname "$0")/common.inc"
"$PYTHON" "$root/tests/metamorphic.py" --burnrate "$BURNRATE" \
	--cases "${METAMORPHIC_CASES:-8}" --records "${METAMORPHIC_RECORDS:-60}" \
	--seed "${METAMORPHIC_SEED:-1}" >"$tmp/out.txt" 2>&1 ||
	fail "ingests that should agree differ: $(cat "$tmp/out.txt")"
cat "$tmp/out.txt"
echo "metamorphic: all checks passed"
