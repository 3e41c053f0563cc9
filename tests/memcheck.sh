#!/bin/sh
# memcheck.sh - runs the end-to-end suite (tests/e2e/) with every burnrate
# process under valgrind's memcheck (make memcheck): an invalid read or
# write, a use of uninitialised memory, a bad free or a definite leak in
# any run fails it, with valgrind's report.
#
# Left out, because they cannot run under valgrind:
#   crash.sh   kills burnrate at random moments, timed for native speed
#   faults.sh  preloads its own shim, which valgrind's malloc replaces
#   bombs.sh   bounds time and memory, which valgrind multiplies
#
# Usage: BURNRATE=build/burnrate BUILD=build sh tests/memcheck.sh [SCRIPT...]
set -eu
: "${BURNRATE:=$(pwd)/burnrate}"
: "${BUILD:=build}"
: "${PYTHON:=/usr/bin/python3}"
export PYTHON
case $BURNRATE in /*) ;; *) BURNRATE=$(pwd)/$BURNRATE ;; esac
command -v valgrind >/dev/null || { echo "memcheck: valgrind is not installed"; exit 1; }
dir=$(pwd)/$BUILD/memcheck
rm -rf "$dir"
mkdir -p "$dir/logs"
cat >"$dir/burnrate" <<EOF
#!/bin/sh
# valgrind keeps files of its own in TMPDIR: where that is missing (a test
# of what burnrate says then), burnrate runs without it.
if [ -n "\${TMPDIR:-}" ] && [ ! -d "\$TMPDIR" ]; then
	exec "$BURNRATE" "\$@"
fi
exec valgrind --quiet --error-exitcode=99 --leak-check=full \\
	--show-leak-kinds=definite --errors-for-leak-kinds=definite \\
	--log-file="$dir/logs/%p.log" "$BURNRATE" "\$@"
EOF
chmod +x "$dir/burnrate"

[ $# -gt 0 ] || set -- tests/e2e/*.sh
passed=0 failed=0 failures=
for t in "$@"; do
	case $(basename "$t") in
	crash.sh | faults.sh | bombs.sh)
		echo "SKIP $t"
		continue ;;
	esac
	log="$dir/$(basename "$t" .sh).log"
	if BURNRATE="$dir/burnrate" sh "$t" >"$log" 2>&1; then
		passed=$((passed + 1))
		echo "PASS $t"
	else
		failed=$((failed + 1))
		failures="$failures $t"
		echo "FAIL $t (log: $log)"
		tail -n 20 "$log" | sed 's/^/    /'
	fi
done
# Every process's report: empty unless valgrind found something.
reports=$(find "$dir/logs" -name '*.log' -size +0 | sort)
for r in $reports; do
	echo "valgrind: $r"
	sed 's/^/    /' "$r"
done
runs=$(find "$dir/logs" -name '*.log' | wc -l)
echo
[ -z "$failures" ] || echo "failed:$failures"
echo "memcheck: $passed passed, $failed failed; $runs burnrate runs," \
	"$(echo "$reports" | grep -c . || true) with valgrind errors"
[ "$failed" -eq 0 ] && [ -z "$reports" ]
