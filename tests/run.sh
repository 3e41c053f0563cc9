#!/bin/sh
# run.sh - runs the CUnit suite binaries given as arguments, then every
# end-to-end script in tests/e2e/, and prints each one's wall time in
# seconds (so the CI's 30 minutes can be budgeted) and "N passed, N failed".
# Usage: tests/run.sh [--unit-only] BUILD/tests/test_x ...
# Environment: BURNRATE (the binary under test), PYTHON (default
# /usr/bin/python3).
unit_only=
if [ "$1" = "--unit-only" ]; then unit_only=1; shift; fi
: "${PYTHON:=/usr/bin/python3}"
: "${BURNRATE:=$(pwd)/burnrate}"
export PYTHON BURNRATE
passed=0
failed=0
failures=
logdir=${BUILD:-build}/test-logs
mkdir -p "$logdir"

run_one() { # name command...
	name=$1; shift
	log="$logdir/$(basename "$name").log"
	start=$(date +%s)
	if "$@" >"$log" 2>&1; then
		passed=$((passed + 1))
		echo "PASS $name ($(($(date +%s) - start)) s)"
	else
		failed=$((failed + 1))
		failures="$failures $name"
		echo "FAIL $name ($(($(date +%s) - start)) s, log: $log)"
		tail -n 30 "$log" | sed 's/^/    /'
	fi
}

for t in "$@"; do
	run_one "$t" "$t"
done
if [ -z "$unit_only" ]; then
	for t in tests/e2e/*.sh; do
		[ -f "$t" ] || continue
		run_one "$t" sh "$t"
	done
fi
echo
[ -n "$failures" ] && echo "failed:$failures"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
