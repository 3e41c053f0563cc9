#!/bin/sh
# help.sh - every command has its --help, and the man page and the README
# document every command --help lists, with the same options as its --help,
# and every global option; an unknown command or option is a
# usage error (exit 2); every prices or budgets file the README and
# docs/*.md show (a ```csv block) loads and passes `prices check`.
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
	# The options of its usage, its man page entry (the .TP tag line)
	# and its README synopses (the lines of a ``` block that run it and
	# their indented continuations) are the same: the man page had lost
	# report --skip-corrupt and prices show --provider.
	sed '/^$/q' c.txt | grep -o -- '--[a-z0-9-]*' | grep -v '^--help$' |
		sort -u >opts.help
	grep -E "^\.BR? $c( |\$)" "$root/docs/burnrate.1" | head -1 |
		sed 's/\\-/-/g' | grep -o -- '--[a-z0-9-]*' | sort -u >opts.man || true
	awk -v c="$c" '
		/^```/ { inb = !inb; keep = 0; next }
		!inb { next }
		/^burnrate / { keep = $0 ~ ("^burnrate( \\[[^]]*\\])* " c "( |$)")
			if (keep) { sub("^burnrate( \\[[^]]*\\])* " c, ""); print }
			next }
		/^[ \t]/ && keep { print; next }
		{ keep = 0 }' "$root/README.md" | grep -o -- '--[a-z0-9-]*' |
		sort -u >opts.readme || true
	for doc in man readme; do
		cmp -s opts.help opts.$doc ||
			fail "$c: the options of its --help and of the $doc differ:" \
				"$(diff opts.help opts.$doc | grep '^[<>]' | tr '\n' ' ')"
	done
done
# The global options --help lists are in the man page and the README.
for o in $(sed -n '/^global options:/,/^$/p' help.txt | grep -o -- '--[a-z-]*' | sort -u); do
	grep -q -- "$(echo "$o" | sed 's/-/\\\\-/g')" "$root/docs/burnrate.1" ||
		fail "the man page does not document the global option $o"
	grep -q -- "$o" "$root/README.md" ||
		fail "the README does not document the global option $o"
done
must_fail 2 err "$BURNRATE" frobnicate
grep -q "unknown command 'frobnicate'" err || fail "unknown command: $(cat err)"
must_fail 2 err "$BURNRATE" report --frobnicate
grep -q "unknown option '--frobnicate'" err || fail "unknown option: $(cat err)"
# The example files of the docs: a ```csv block whose header is a prices
# file's passes `prices --prices FILE check` and prices every day of each
# model it lists (a standard base row with no `from`: the file's rows
# replace all of the catalog's rows for a model); a budgets file's loads.
# Any other ```csv block is a new kind of example this test must learn.
# examples DOC LANG: writes each ```LANG block of DOC as $tmp/ex.N.LANG.
examples() {
	awk -v out="$tmp/ex" -v lang="$2" '
		$0 == "```" lang { n++; f = out "." n "." lang; inb = 1; next }
		/^```/ { inb = 0; next }
		inb { print > f }' "$1"
}
n=0
for doc in "$root/README.md" "$root"/docs/*.md; do
	examples "$doc" csv
	for ex in "$tmp"/ex.*.csv; do
		[ -e "$ex" ] || continue
		n=$((n + 1))
		case $(head -1 "$ex") in
		provider,model,from,*)
			"$BURNRATE" prices --prices "$ex" check >check.out 2>&1 ||
				fail "$(basename "$doc")'s prices example fails check: $(cat check.out)"
			awk -F, 'NR > 1 { k = $1 "/" $2; seen[k] = 1
				if ($3 == "" && $10 == "" && ($11 == "" || $11 == "standard"))
					base[k] = 1 }
				END { for (k in seen) if (!(k in base)) print k }' "$ex" >nobase
			[ ! -s nobase ] ||
				fail "$(basename "$doc")'s prices example leaves days unpriced for: $(cat nobase)"
			;;
		name,scope,period,*)
			[ -d exstore ] || "$BURNRATE" --quiet --store exstore init
			"$BURNRATE" --store exstore report --budgets "$ex" --format json \
				>/dev/null 2>check.out ||
				fail "$(basename "$doc")'s budgets example does not load: $(cat check.out)"
			;;
		*) fail "$(basename "$doc") has a csv example of no known kind: $(head -1 "$ex")" ;;
		esac
		rm -f "$ex"
	done
done
[ $n -ge 1 ] || fail "no csv example found in the README"
# A ```json block is a log of generic JSON lines, as the README calls
# it: typed as shown, each of its lines is a record that ingest keeps (it
# showed one record over four lines, which a user copying it could not
# ingest: "cannot tell the log format").
n=0
for doc in "$root/README.md" "$root"/docs/*.md; do
	examples "$doc" json
	for ex in "$tmp"/ex.*.json; do
		[ -e "$ex" ] || continue
		n=$((n + 1))
		lines=$(grep -c . "$ex")
		rm -rf exjson
		"$BURNRATE" --store exjson ingest "$ex" >ingest.out 2>&1 ||
			fail "$(basename "$doc")'s JSON example does not ingest: $(cat ingest.out)"
		grep -q "$lines records, $lines requests kept\$" ingest.out ||
			fail "$(basename "$doc")'s JSON example is not $lines whole records: $(cat ingest.out)"
		rm -f "$ex"
	done
done
[ $n -ge 1 ] || fail "no json example found in the README"
echo "help: ok"
