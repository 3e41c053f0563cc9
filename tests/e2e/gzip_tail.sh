#!/bin/sh
# gzip_tail.sh - what may follow a gzip stream's last member. Zeros to the
# file's end (a tape's or a preallocated file's padding: GNU gzip -t passes
# it, zcat reads it whole, exit 0; so do bzip2's and xz's stream padding
# here) are read as the end: the log counts whole, exit 0, plain or as a
# tar.gz, from a file or piped, --jobs 1 and 2. It failed the input, "unexpected
# data after the gzip stream", nothing of it counted, exit 1. Anything
# else after the stream still fails it so, also bytes after the zeros
# (a member after zeros included), and nothing of it is counted.
. "$(dirname "$0")/common.inc"
cd "$tmp"

gen --seed 5 --records 3000 --format jsonl --out app.jsonl
gen --seed 6 --records 40 --format jsonl --id-prefix o --out other.jsonl
"$BURNRATE" --store ref init >/dev/null
"$BURNRATE" --store ref ingest app.jsonl >/dev/null 2>&1
report() {
	"$BURNRATE" --store "$1" report --by day,model --as-of 2099-12-31 \
		--format json | sed 's/"generated_by":[^,]*,//'
}
report ref >ref.json

gzip -c app.jsonl >app.gz
tar czf app.tgz app.jsonl
mkdir -p pad bad
zeros() { head -c "$1" /dev/zero; }
{ cat app.gz; zeros 1; } >pad/one.jsonl.gz
{ cat app.gz; zeros 4096; } >pad/page.jsonl.gz
{ cat app.gz; zeros 3000000; } >pad/big.jsonl.gz
{ cat app.tgz; zeros 10240; } >pad/tar.tgz
gzip -t pad/page.jsonl.gz || fail "gzip -t refuses a gzip padded with zeros"
for f in pad/*; do
	for jobs in 1 2; do
		rm -rf s
		"$BURNRATE" --store s init >/dev/null
		"$BURNRATE" --store s ingest --jobs $jobs "$f" >out 2>&1 ||
			fail "$f (--jobs $jobs): exit $?: $(cat out)"
		report s | cmp -s ref.json - || fail "$f (--jobs $jobs): not the log's report"
	done
	rm -rf s
	"$BURNRATE" --store s init >/dev/null
	"$BURNRATE" --store s ingest - <"$f" >out 2>&1 || fail "$f piped: exit $?: $(cat out)"
	report s | cmp -s ref.json - || fail "$f piped: not the log's report"
done

# Not zeros alone: each fails by name, exit 1, the other input kept.
{ cat app.gz; printf 'x'; } >bad/junk.jsonl.gz
{ cat app.gz; zeros 100; printf 'x'; } >bad/zerojunk.jsonl.gz
{ cat app.gz; zeros 100; cat app.gz; } >bad/member.jsonl.gz
{ cat app.gz; zeros 5000000; printf '\001'; } >bad/late.jsonl.gz
{ cat app.tgz; zeros 100; printf 'x'; } >bad/tar.tgz
rm -rf ref2
"$BURNRATE" --store ref2 init >/dev/null
"$BURNRATE" --store ref2 ingest other.jsonl >/dev/null 2>&1
report ref2 >ref2.json
for f in bad/*; do
	for jobs in 1 2; do
		rm -rf s
		"$BURNRATE" --store s init >/dev/null
		must_fail 1 err "$BURNRATE" --store s ingest --jobs $jobs "$f" other.jsonl
		grep -q "$f.*unexpected data after the gzip stream\|$f.*corrupt" err ||
			fail "$f (--jobs $jobs): not named: $(cat err)"
		report s | cmp -s ref2.json - || fail "$f (--jobs $jobs): something of it counted"
	done
done
echo "gzip_tail: ok"
