#!/bin/sh
# help.sh - every command has its --help, and the man page and the README
# document every command --help lists; an unknown command or option is a
# usage error (exit 2).
. "$(dirname "$0")/common.inc"
"$BURNRATE" --help >help.txt 2>&1 || fail "--help exited $?"
mv help.txt "$tmp/"
cd "$tmp"
commands=$(sed -n 's/^  \([a-z]*\)  *.*/\1/p' help.txt | grep -v '^$')
[ "$(echo "$commands" | wc -w)" -ge 10 ] || fail "too few commands in --help: $commands"
for c in $commands; do
	"$BURNRATE" "$c" --help >c.txt 2>&1 || fail "$c --help exited $?"
	head -1 c.txt | grep -q "^usage: burnrate \[global options\] $c" ||
		fail "$c --help: $(head -1 c.txt)"
	grep -q "^\.BR $c\b\|^\.B $c\$" "$root/docs/burnrate.1" ||
		fail "the man page does not document '$c'"
	grep -q "burnrate.* $c\b" "$root/README.md" ||
		fail "the README does not show '$c'"
done
must_fail 2 err "$BURNRATE" frobnicate
grep -q "unknown command 'frobnicate'" err || fail "unknown command: $(cat err)"
must_fail 2 err "$BURNRATE" report --frobnicate
grep -q "unknown option '--frobnicate'" err || fail "unknown option: $(cat err)"
echo "help: ok"
