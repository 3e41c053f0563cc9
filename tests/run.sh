#!/bin/sh
# run.sh - runs the CUnit suite binaries given as arguments, then every
# end-to-end script in tests/e2e/, TEST_JOBS at a time (default: the online
# CPUs), and prints each one's wall time in seconds as it ends (so the CI's
# 30 minutes can be budgeted) and "N passed, N failed". The scripts known to
# take longest start first, so that the lanes end together.
# Usage: tests/run.sh [--unit-only] BUILD/tests/test_x ...
# Environment: BURNRATE (the binary under test), PYTHON (default
# /usr/bin/python3), BUILD (the logs go to BUILD/test-logs), TEST_JOBS.
unit_only=
if [ "$1" = "--unit-only" ]; then unit_only=1; shift; fi
: "${PYTHON:=/usr/bin/python3}"
: "${BURNRATE:=$(pwd)/burnrate}"
export PYTHON BURNRATE
logdir=${BUILD:-build}/test-logs

# run.sh --one TEST: runs one test (a binary, or sh for a script), its
# output to its log; prints one PASS or FAIL line (with the log's tail)
# in a single write, so that lanes running at once do not interleave.
if [ "$1" = "--one" ]; then
	t=$2
	log="$logdir/$(basename "$t").log"
	case $t in *.sh) set -- sh "$t" ;; *) set -- "$t" ;; esac
	start=$(date +%s)
	if "$@" >"$log" 2>&1; then
		echo "PASS $t ($(($(date +%s) - start)) s)"
	else
		tail=$(tail -n 30 "$log" | sed 's/^/    /')
		printf 'FAIL %s (%s s, log: %s)\n%s' "$t" $(($(date +%s) - start)) \
			"$log" "${tail:+$tail
}"
		exit 1
	fi
	exit 0
fi

mkdir -p "$logdir"
# The slowest scripts (their times at stop 36, faults.sh's without the
# sanitizers, under which it does not run).
slow="rotation crash faults tsan containers storeops concurrency formats vendordiff incremental
	split store merge catalog_prices check errors readfaults"
queue=
if [ -z "$unit_only" ]; then
	for s in $slow; do
		[ -f "tests/e2e/$s.sh" ] && queue="$queue tests/e2e/$s.sh"
	done
fi
queue="$queue $*"
if [ -z "$unit_only" ]; then
	for t in tests/e2e/*.sh; do
		[ -f "$t" ] || continue
		case " $queue " in *" $t "*) ;; *) queue="$queue $t" ;; esac
	done
fi
: "${TEST_JOBS:=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)}"
# Of this run alone: another one at once in BUILD has its own.
results=$(mktemp "${TMPDIR:-/tmp}/burnrate-results-XXXXXX") || exit 1
trap 'rm -f "$results"' EXIT
trap 'exit 1' INT TERM
printf '%s\n' $queue | xargs -n 1 -P "$TEST_JOBS" sh "$0" --one | tee "$results"

# A lane that died without a line (killed, out of memory) is a failure.
failures=
passed=0
for t in $queue; do
	if grep -q "^PASS $t " "$results"; then
		passed=$((passed + 1))
	else
		failures="$failures $t"
	fi
done
failed=$(echo $failures | wc -w)
echo
[ -n "$failures" ] && echo "failed:$failures"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
