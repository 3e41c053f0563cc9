#!/bin/sh
# idempotent.sh - ingesting content that was ingested before, under the same
# path, a copied path, another name or another container (gzip of the same
# text), adds nothing: every report format is byte-identical afterwards.
. "$(dirname "$0")/common.inc"
cd "$tmp"
cp "$root/samples/prices.csv" prices.csv

mkdir in copy
gen --seed 31 --records 2000 --format jsonl --out in/plain.jsonl
gen --seed 32 --records 1500 --format jsonl --nasty --out in/nasty.jsonl
gen --seed 33 --records 1000 --format csv --nasty --out in/nasty.csv
gen --seed 34 --records 800 --format jsonl --bad 5 --out z.jsonl
gzip -n -c z.jsonl >in/z.jsonl.gz

ingest() { # LABEL PATH...
	label=$1
	shift
	"$BURNRATE" --store st ingest --prices prices.csv --rejects "rej-$label.txt" \
		"$@" >"ingest-$label.out" 2>&1 ||
		{ cat "ingest-$label.out" >&2; fail "ingest ($label) exited $?"; }
}

reports() { # SUFFIX
	for by in day,provider,model,agent provider,model month,agent,label; do
		for f in table csv json; do
			"$BURNRATE" --store st report --as-of 2099-12-31 --by "$by" \
				--format "$f" --no-color --output "$by.$1.$f" ||
				fail "report --by $by --format $f exited $?"
			"$BURNRATE" --store st report --as-of 2099-12-31 --by "$by" \
				--format "$f" --no-color >"$by.$1.stdout.$f" ||
				fail "report --by $by --format $f (stdout) exited $?"
			cmp -s "$by.$1.$f" "$by.$1.stdout.$f" ||
				fail "report --by $by --format $f: --output and stdout differ"
		done
	done
}

same() { # SUFFIX WHAT
	for by in day,provider,model,agent provider,model month,agent,label; do
		for f in table csv json; do
			if ! cmp -s "$by.first.$f" "$by.$1.$f"; then
				diff "$by.first.$f" "$by.$1.$f" | head -20 >&2
				fail "report --by $by --format $f changed after $2"
			fi
		done
	done
	echo "ok $2"
}

ingest first in/plain.jsonl in/nasty.jsonl in/nasty.csv in/z.jsonl.gz
reports first
agree() { # SUFFIX INPUTS...: the report agrees with the oracle
	sfx=$1
	shift
	"$PYTHON" "$root/tests/oracle.py" expect --prices prices.csv \
		--as-of 2099-12-31 "$@" >"expected.$sfx.json" ||
		fail "the oracle failed"
	"$PYTHON" "$root/tests/oracle.py" compare --expected "expected.$sfx.json" \
		--report "day,provider,model,agent.$sfx.json" ||
		fail "report after ingest ($sfx) disagrees with the oracle"
}

ingest again in/plain.jsonl in/nasty.jsonl in/nasty.csv in/z.jsonl.gz
reports again
same again "ingesting the same paths again"

cp in/plain.jsonl copy/renamed.ndjson
cp in/nasty.csv copy/other-name.csv
cp z.jsonl copy/unzipped.jsonl
gzip -n -c in/nasty.jsonl >copy/nasty.jsonl.gz
ingest copies copy
reports copies
same copies "ingesting copies under other names and containers"

# The same content twice in one run, with a new file: only the new file counts.
gen --seed 35 --records 300 --format jsonl --out new.jsonl
cp new.jsonl new-copy.jsonl
ingest new new.jsonl new-copy.jsonl
reports new
if cmp -s day,provider,model,agent.first.json day,provider,model,agent.new.json; then
	fail "a new input changed nothing"
fi
ingest new2 new-copy.jsonl new.jsonl
reports new2
same_new() {
	for f in table csv json; do
		cmp -s "provider,model.new.$f" "provider,model.new2.$f" ||
			fail "report --format $f changed when new.jsonl was ingested again"
	done
}
same_new
echo "ok ingesting new content counts it once"
# A file has one canonical path however it is named: found by walking a
# directory reached through a link, or named itself (the walk builds the
# path from its directory's; a file named is resolved whole). Under another
# path, a log that grew would be read whole again, its first records
# counted twice.
mkdir -p real/logs
gen --seed 35 --records 50 --format jsonl --out grow.jsonl
head -n 40 grow.jsonl >real/logs/a.jsonl
ln -s real alias
"$BURNRATE" --store keys ingest alias/logs/ >keys1.out 2>&1 ||
	fail "ingest of a linked directory exited $?: $(cat keys1.out)"
tail -n 10 grow.jsonl >>real/logs/a.jsonl
"$BURNRATE" --store keys ingest ./real//logs/a.jsonl >keys2.out 2>&1 ||
	fail "ingest of the file by name exited $?: $(cat keys2.out)"
grep -q "ingested 1 input: 10 records.*1 grown file read from where it ended" keys2.out ||
	fail "the file found by a walk was not known by its name: $(cat keys2.out)"
head -n 40 grow.jsonl >real/logs/a.jsonl
"$BURNRATE" --store keys2 ingest real/logs/a.jsonl >keys3.out 2>&1 ||
	fail "ingest by name exited $?: $(cat keys3.out)"
tail -n 10 grow.jsonl >>real/logs/a.jsonl
"$BURNRATE" --store keys2 ingest alias/logs >keys4.out 2>&1 ||
	fail "ingest by a walk exited $?: $(cat keys4.out)"
grep -q "ingested 1 input: 10 records.*1 grown file read from where it ended" keys4.out ||
	fail "the file named was not known when walked: $(cat keys4.out)"
echo "ok a file is known by its canonical path, walked or named"
# Last, the reports must also be right, not merely stable.
agree first in/plain.jsonl in/nasty.jsonl in/nasty.csv in/z.jsonl.gz
agree new2 in/plain.jsonl in/nasty.jsonl in/nasty.csv in/z.jsonl.gz new.jsonl
echo "idempotent: all checks passed"
