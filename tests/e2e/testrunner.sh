#!/bin/sh
# testrunner.sh - tests/run.sh, on a tree of its own (tests/e2e/ scripts
# that pass, fail or are killed, a CUnit binary standing in): a failing
# or killed test is named and fails the run, exit 1; the count of each;
# TEST_JOBS=1; two runs at once in one BUILD count their own tests (the
# second run's results file truncated the first's: a test that passed
# was counted failed).
. "$(dirname "$0")/common.inc"
cd "$tmp"
mkdir -p tests/e2e
cp "$root/tests/run.sh" tests/
echo 'echo one' >tests/e2e/pass.sh
echo 'echo "50% of %s done" >&2; exit 3' >tests/e2e/fail.sh
echo 'kill -9 $$' >tests/e2e/killed.sh
printf '#!/bin/sh\nexit 0\n' >unit
chmod +x unit

set +e
TEST_JOBS=2 BUILD=b sh tests/run.sh ./unit >all.out 2>&1
rc=$?
set -e
[ $rc -eq 1 ] || fail "a failing test: exit $rc, want 1: $(cat all.out)"
grep -q '^FAIL tests/e2e/fail.sh (.*log: b/test-logs/fail.sh.log)$' all.out &&
	grep -qx '    50% of %s done' all.out || fail "the failure is not shown: $(cat all.out)"
grep -q '^FAIL tests/e2e/killed.sh ' all.out || fail "the killed test is not shown: $(cat all.out)"
grep -qx 'failed: tests/e2e/fail.sh tests/e2e/killed.sh' all.out &&
	grep -qx '2 passed, 2 failed' all.out || fail "the counts: $(cat all.out)"

rm tests/e2e/fail.sh tests/e2e/killed.sh
TEST_JOBS=1 BUILD=b sh tests/run.sh ./unit >one.out 2>&1 || fail "TEST_JOBS=1: exit $?: $(cat one.out)"
printf 'PASS ./unit (N s)\nPASS tests/e2e/pass.sh (N s)\n\n2 passed, 0 failed\n' >one.want
sed 's/([0-9]* s)$/(N s)/' one.out | cmp -s one.want - || fail "TEST_JOBS=1: $(cat one.out)"

# The first run passes a test at once and another 3 s later; the second,
# started in between, passes one of its own.
echo 'sleep 3' >tests/e2e/slow.sh
TEST_JOBS=2 BUILD=b sh tests/run.sh >first.out 2>&1 &
first=$!
sleep 1
BUILD=b sh tests/run.sh --unit-only ./unit >second.out 2>&1 ||
	fail "the second run: exit $?: $(cat second.out)"
wait $first || fail "the first run, with a second at once: exit $?: $(cat first.out)"
grep -qx '2 passed, 0 failed' first.out || fail "the first run: $(cat first.out)"
echo "testrunner: ok"
