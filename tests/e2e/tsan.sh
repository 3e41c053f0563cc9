#!/bin/sh
# tsan.sh - the threaded ingests under ThreadSanitizer: jobs.sh (--jobs 1,
# 2 and 8 over a mixed directory, a gzip on a thread of its own), split.sh
# (one large input's blocks parsed on the pool and settled in order),
# extremes.sh (the aggregate's room and the id set's widening, --jobs 2)
# and streams.sh (stdin and pipes) run again with TSAN_BURNRATE, the
# binary built with -fsanitize=thread (make check builds it,
# BUILD/tsan/burnrate); any report of a race, a lock-order inversion or a
# thread leak fails the test with the report. The sanitized check
# (SANITIZE=address,undefined) sets no TSAN_BURNRATE: ThreadSanitizer
# cannot share a binary with AddressSanitizer, and this runs in the plain
# check.
. "$(dirname "$0")/common.inc"
if [ -z "${TSAN_BURNRATE:-}" ]; then
	echo "tsan.sh: skipped: no ThreadSanitizer build given (TSAN_BURNRATE;" \
		"the plain make check runs it)"
	exit 0
fi
reports=$tmp/reports
mkdir "$reports"
# halt_on_error: the first report ends the process (exit 66), so that the
# script running it fails there, with its output; the report itself is
# written to a file of its own by each process (log_path), read below.
TSAN_OPTIONS="halt_on_error=1 exitcode=66 second_deadlock_stack=1 log_path=$reports/tsan"
export TSAN_OPTIONS
# The runtime maps its shadow memory at fixed addresses: a kernel that
# randomizes mappings over more bits than it expects (vm.mmap_rnd_bits 32)
# makes it fail at its start; say so rather than report the code.
if ! "$TSAN_BURNRATE" --version >/dev/null 2>"$tmp/start.err"; then
	if grep -q 'unexpected memory mapping' "$tmp/start.err" "$reports"/* 2>/dev/null; then
		echo "tsan.sh: skipped: ThreadSanitizer cannot start on this kernel:"
		cat "$tmp/start.err"
		exit 0
	fi
	cat "$tmp/start.err"
	fail "$TSAN_BURNRATE --version failed"
fi
for t in jobs split extremes streams; do
	if ! BURNRATE=$TSAN_BURNRATE sh "$root/tests/e2e/$t.sh" >"$tmp/$t.out" 2>&1; then
		# Its failure, not the progress lines before it.
		grep -a -v 'inputs\?, [0-9]* records' "$tmp/$t.out" | tail -n 40
		cat "$reports"/* 2>/dev/null || true
		fail "$t.sh failed under ThreadSanitizer"
	fi
	if ls "$reports"/tsan.* >/dev/null 2>&1; then
		cat "$reports"/tsan.*
		fail "ThreadSanitizer reported during $t.sh"
	fi
	echo "tsan.sh: $t.sh: no report"
done
