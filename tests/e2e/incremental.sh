#!/bin/sh
# incremental.sh - a log that grows between runs contributes only its new
# complete lines; a partial last line waits for the next run; a file whose
# ingested part changed is refused by name and not counted twice; a rotated
# (shorter) file under the same name is read whole; copies add nothing.
. "$(dirname "$0")/common.inc"
cd "$tmp"
rec() { printf '{"timestamp":"2025-10-01T00:00:00Z","provider":"p","model":"m","usage":{"input_tokens":%d}}' "$1"; }
br() { "$BURNRATE" --quiet --store st "$@"; }
totals() { "$BURNRATE" --store st report --as-of 2099-01-01 --by month --format csv | tail -n 1 | cut -d, -f2,4; }
expect() { got=$(totals); [ "$got" = "$1" ] || fail "$2: requests,input_tokens = $got, expected $1"; }

for i in 1 2 3; do rec "$i" >>app.log; echo >>app.log; done
rec 4 | head -c 40 >>app.log           # a line still being written
br ingest app.log
expect "3,6" "first run"
rec 4 | tail -c +41 >>app.log
printf '\n' >>app.log
echo 'not json' >>app.log              # line 5: rejected with its own line number
rec 5 >>app.log; echo >>app.log
br ingest --rejects rej.txt app.log
expect "5,15" "after growth"
grep -q '^.*app.log:5: invalid JSON' rej.txt || fail "the reject of the grown part has the wrong line: $(cat rej.txt)"
[ "$(wc -l <rej.txt)" = 1 ] || fail "the grown part's rejects: $(cat rej.txt)"
br ingest app.log
expect "5,15" "a rerun with nothing new"
cp app.log copy.jsonl
br ingest copy.jsonl
expect "5,15" "a copy under another name"

# Edited in place: refused by name, exit 1, nothing counted.
sed -i '1s/"input_tokens":1}/"input_tokens":7}/' app.log
rec 6 >>app.log; echo >>app.log
set +e
"$BURNRATE" --store st ingest app.log 2>err.txt >/dev/null
rc=$?
set -e
[ "$rc" = 1 ] || fail "an edited file gave exit $rc, not 1"
grep -q "app.log: its first .* bytes changed since they were ingested" err.txt ||
	fail "the edited file is not named: $(cat err.txt)"
expect "5,15" "an edited file"

# Rotated: a new, shorter file under the same name is read whole.
rec 100 >app.log; echo >>app.log
br ingest app.log
expect "6,115" "a rotated file"
"$BURNRATE" --quiet --store st verify || fail "verify failed"
echo "incremental: all checks passed"
