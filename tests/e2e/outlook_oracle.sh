#!/bin/sh
# outlook_oracle.sh - the month projection's month to date and every
# budget figure (spent, utilization, threshold, status, runs_out) agree
# with an independent computation (tests/outlook_oracle.py) over random
# logs in zones with DST (America/New_York ends it on 2025-11-02,
# Europe/London on 2025-10-26; Australia/Lord_Howe moves by half an
# hour) and UTC, for --as-of on the first and last days of months, DST
# days, before any data and after the last.
. "$(dirname "$0")/common.inc"
cd "$tmp"
for seed in 1 2 3 12 17; do
	for zone in America/New_York Europe/London Australia/Lord_Howe UTC; do
		"$PYTHON" "$root/tests/outlook_oracle.py" "$BURNRATE" "w-$seed-${zone##*/}" \
			"$seed" "$zone" >out 2>&1 || fail "$(cat out)"
	done
done
echo "PASS outlook_oracle"
