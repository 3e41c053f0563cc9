#!/bin/sh
# cli_surface.sh - the command line as a user meets it, black-box: report
# --output - is standard output (it wrote a file named '-'); NO_COLOR set
# to an empty string is unset (no-color.org: the table lost its colour);
# --quiet prints nothing but errors, for report too (its warnings of a
# source without data and of skipped corrupt segments were printed);
# init without a zone asked for keeps a store that exists, whatever its
# zone (it failed, exit 2, "not UTC", on a store of Europe/Berlin);
# --verbose names a directory that gave no log (its logs links, or named
# *.txt: "ingested 0 inputs" said nothing of why); ingest --rejects - and
# check --write-baseline - are standard output (files named '-'); a file
# --prices, --budgets or --config names that cannot be opened is named with
# its option.
. "$(dirname "$0")/common.inc"
cd "$tmp"
log="$root/samples/formats/openai_chat_completions.jsonl"
"$BURNRATE" --quiet --store s ingest "$log"

# --output -: standard output, in the format asked for; ./- is a file.
"$BURNRATE" --store s report --format json --output - >out.json 2>err ||
	fail "report --output - exited $?: $(cat err)"
[ ! -e ./- ] || fail "report --output - wrote a file named '-'"
"$PYTHON" -c 'import json,sys; json.load(open(sys.argv[1]))' out.json ||
	fail "report --format json --output - is not JSON: $(head -c 200 out.json)"
"$BURNRATE" --store s report --format csv --output - | head -1 | grep -q '^day,' ||
	fail "report --format csv --output - is not the CSV"
"$BURNRATE" --store s report --format csv --output ./- ||
	fail "report --output ./- exited $?"
head -1 ./- | grep -q '^day,' || fail "report --output ./- did not write the file '-'"
rm ./-
"$BURNRATE" --store s report --format xlsx --output - >out.xlsx ||
	fail "report --format xlsx --output - to a file exited $?"
[ "$(head -c 2 out.xlsx)" = PK ] || fail "report --format xlsx --output - is no workbook"

# NO_COLOR: set and not empty turns the colour off; empty, it is unset.
if command -v script >/dev/null 2>&1; then
	colours() {
		env "$@" script -qec "$BURNRATE --store s report 2>/dev/null" \
			/dev/null | tr -cd '\033' | wc -c
	}
	[ "$(colours -u NO_COLOR)" -gt 0 ] || fail "no colour on a terminal"
	[ "$(colours NO_COLOR=1)" -eq 0 ] || fail "colour with NO_COLOR=1"
	[ "$(colours NO_COLOR=)" -gt 0 ] || fail "NO_COLOR= (empty) turned the colour off"
fi

# --quiet: a report of a source without data warns, but not with --quiet.
"$BURNRATE" --store s report --source nosuch >/dev/null 2>err
grep -q "warning: report: the store has no data of source 'nosuch'" err ||
	fail "no warning for a source without data: $(cat err)"
"$BURNRATE" --quiet --store s report --source nosuch >/dev/null 2>err ||
	fail "--quiet report --source nosuch exited $?"
[ ! -s err ] || fail "--quiet report printed: $(cat err)"
# --skip-corrupt names the segment in the report and on stderr, but on
# stderr not with --quiet.
cp -r s c
seg=$(ls c/segments/seg-*.brs | head -1)
printf 'garbage' | dd of="$seg" bs=1 seek=40 conv=notrunc 2>/dev/null
"$BURNRATE" --store c report --skip-corrupt --format json >out.json 2>err ||
	fail "report --skip-corrupt exited $?: $(cat err)"
grep -q 'skipped corrupt segment' err || fail "--skip-corrupt said nothing: $(cat err)"
"$BURNRATE" --quiet --store c report --skip-corrupt --format json >out.json 2>err ||
	fail "--quiet report --skip-corrupt exited $?"
[ ! -s err ] || fail "--quiet report --skip-corrupt printed: $(cat err)"
grep -q "$(basename "$seg")" out.json || fail "the report does not name the skipped segment"

"$BURNRATE" --store z init --timezone Europe/Berlin >out || fail "init exited $?"
grep -qx 'initialized store z (time zone Europe/Berlin)' out || fail "init: $(cat out)"
"$BURNRATE" --store z init >out 2>err ||
	fail "init again without --timezone exited $?: $(cat err)"
grep -qx 'kept the existing store z (time zone Europe/Berlin)' out || fail "init again: $(cat out)"
"$BURNRATE" --store z init --timezone Europe/Berlin >out || fail "init again, same zone, exited $?"
must_fail 2 err "$BURNRATE" --store z init --timezone UTC
grep -q "store 'z' already exists with time zone Europe/Berlin, not UTC" err ||
	fail "init of another zone: $(cat err)"
printf 'store z\ntimezone UTC\n' >z.conf
must_fail 2 err "$BURNRATE" --config z.conf init
grep -q '^timezone Europe/Berlin$' z/burnrate.store || fail "the store's zone changed"

mkdir links
ln -s "$log" links/app.jsonl
cp "$log" links/app.txt
"$BURNRATE" --store v ingest links >out 2>err || fail "ingest of links/ exited $?"
[ ! -s err ] || fail "ingest of links/ without --verbose printed: $(cat err)"
"$BURNRATE" --verbose --store v ingest links >out 2>err ||
	fail "--verbose ingest of links/ exited $?"
grep -q '^burnrate: links: no log in it (.*symbolic links)$' err ||
	fail "--verbose ingest of a directory without logs: $(cat err)"

# '-' is standard output for the other files a command writes: ingest
# --rejects - (the summary then on stderr) and check --write-baseline -
# (each wrote a file named '-').
cp "$log" bad.jsonl
printf '{"cut\n' >>bad.jsonl
"$BURNRATE" --store r ingest --rejects - bad.jsonl >out 2>err ||
	fail "ingest --rejects - exited $?: $(cat err)"
[ ! -e ./- ] || fail "ingest --rejects - wrote a file named '-'"
grep -q '^bad.jsonl:[0-9]*: invalid JSON' out || fail "no reject on stdout: $(cat out)"
[ "$(wc -l <out)" -eq 1 ] || fail "more than the reject on stdout: $(cat out)"
grep -q '1 rejected (on standard output)' err || fail "ingest --rejects - summary: $(cat err)"
"$BURNRATE" check --write-baseline - "$log" >base.json 2>err ||
	fail "check --write-baseline - exited $?: $(cat err)"
[ ! -e ./- ] || fail "check --write-baseline - wrote a file named '-'"
grep -q '^wrote baseline to standard output: ' err || fail "baseline summary: $(cat err)"
"$BURNRATE" check --baseline base.json "$log" >out 2>err ||
	fail "the baseline written to stdout does not pass: $(cat out err)"

# A file an option names that cannot be opened is named with the option
# (DESIGN 5: errors name the file/line/key; it said "cannot open 'x'").
for c in "ingest --prices nope.csv $log" "report --budgets nope.csv" \
	 "notify --budgets nope.csv" "check --prices nope.csv --write-baseline b $log"; do
	# shellcheck disable=SC2086 # the command's words
	must_fail 2 err "$BURNRATE" --store s $c
	opt=$(echo "$c" | sed 's/.* \(--[a-z]*\) nope.*/\1/')
	grep -q "error: $opt: cannot open 'nope.csv': " err || fail "$c: $(cat err)"
done
# So is a directory, which opens: it failed later, "cannot read 'dir': Is
# a directory", without the option.
mkdir -p adir
for c in "ingest --prices adir $log" "report --budgets adir"; do
	# shellcheck disable=SC2086 # the command's words
	must_fail 2 err "$BURNRATE" --store s $c
	opt=$(echo "$c" | sed 's/.* \(--[a-z]*\) adir.*/\1/')
	grep -q "error: $opt: cannot open 'adir': Is a directory" err || fail "$c: $(cat err)"
done
must_fail 2 err "$BURNRATE" --config nope.conf report
grep -q "error: --config: cannot open 'nope.conf': " err || fail "--config: $(cat err)"
printf 'budgets nob.csv\n' >c.conf
must_fail 2 err "$BURNRATE" --config c.conf --store s report
grep -q "c.conf:1: budgets: cannot open '.*nob.csv': " err || fail "config's budgets: $(cat err)"
echo "cli_surface: all checks passed"
