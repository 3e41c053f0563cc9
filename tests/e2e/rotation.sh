#!/bin/sh
# rotation.sh - random histories of a log under logrotate (numbered and
# dated rotation, copytruncate, deleted old rotations, records cut across
# writes, ingests with --jobs 1 and 2 in between): every complete record
# written counts exactly once (tests/rotation.py). ROTATIONS (default 250)
# histories; 'make torture' runs more.
. "$(dirname "$0")/common.inc"
: "${ROTATIONS:=250}"
"$PYTHON" "$root/tests/rotation.py" "$BURNRATE" 1 "$ROTATIONS" "$tmp" ||
	fail "a history counted a record twice or missed one (above)"
echo "rotation: all checks passed"
