#!/bin/sh
# oldnew.sh - a manual check, not a test: runs two burnrate binaries (an
# older one taken as the oracle, and a new one) over the same logs and
# tells every difference in what they give: ingest's stdout, stderr and
# exit status, its --rejects file, the store's segments (their creation
# time and header CRC masked: bytes 24-31 and 124-127), and the JSON and
# CSV reports of the --by combinations below; check --write-baseline's
# baseline too. A change meant to alter no result (a faster parser, say)
# must show none.
#
# usage: tools/oldnew.sh OLD NEW LOG...
#   each LOG is read as it is and gzipped, with --jobs 1 and 2
#   (OLDNEW_JOBS: others, "1 2 3" say), with and without --no-dedupe, by
#   --format auto and generic (OLDNEW_FORMATS: others).
# environment: OLDNEW_BY, the --by combinations for the first variant of
#   each log (default: each key alone, a few pairs, all seven; "all": the
#   127 combinations); OLDNEW_EXTRA, more ingest options (--max-record N,
#   --prices FILE, --replace FROM..TO); OLDNEW_REPORT_EXTRA, more report
#   options (--reprice); OLDNEW_INIT, init's (--timezone TZ);
#   OLDNEW_VARIANTS=1 for the first variant alone; OLDNEW_WORK, the scratch
#   directory (default a mktemp -d, removed at the end).
# Prints each run that differs (DIFF, the log and options, the first lines
# of diff -r) and a count at the end; exits 1 on any difference.
# Example (stop 40 against stop 39's binary, built from 6523dbc):
#   git worktree add /tmp/old 6523dbc && make -C /tmp/old build/burnrate
#   tools/oldnew.sh /tmp/old/build/burnrate build/burnrate samples/logs/*
set -u
[ $# -ge 3 ] || { sed -n '2,26p' "$0" >&2; exit 2; }
old=$1 new=$2
shift 2
case $old in /*) ;; *) old=$(pwd)/$old ;; esac
case $new in /*) ;; *) new=$(pwd)/$new ;; esac
keys="day week month provider model agent label"
if [ "${OLDNEW_BY:-}" = all ]; then
	by_all=$(python3 -c '
import itertools
k = "day week month provider model agent label".split()
for n in range(1, 8):
    for c in itertools.combinations(k, n):
        print(",".join(c))')
else
	by_all="${OLDNEW_BY:-$keys model,day provider,model agent,label
month,provider,model day,week,month,provider,model,agent,label}"
fi
by_some="model day,provider,model,agent,label"
work=${OLDNEW_WORK:-$(mktemp -d)}
if [ -z "${OLDNEW_WORK:-}" ]; then
	trap 'rm -rf "$work"' EXIT
	trap 'exit 1' INT TERM
fi
mkdir -p "$work/in"
ndiff=0 nrun=0

# masked SEGDIR OUT: the segments' bytes, their creation time and CRC
# zeroed.
masked() {
	python3 - "$1" "$2" <<'EOF'
import os, sys
d, out = sys.argv[1], sys.argv[2]
with open(out, "wb") as o:
    for n in sorted(os.listdir(d)) if os.path.isdir(d) else []:
        b = bytearray(open(os.path.join(d, n), "rb").read())
        if len(b) >= 128:
            b[24:32] = bytes(8)
            b[124:128] = bytes(4)
        o.write(n.encode() + b"\n" + b)
EOF
}

# one BIN DIR INPUT BYS OPTS...: a store in DIR, INPUT ingested into it
# with OPTS, the reports of BYS.
one() {
	bin=$1 dir=$2 input=$3 bys=$4
	shift 4
	rm -rf "$dir" && mkdir -p "$dir" && cd "$dir" || exit 2
	"$bin" --store s --quiet init ${OLDNEW_INIT:-} >/dev/null 2>&1
	"$bin" --store s ingest --rejects rej "$@" ${OLDNEW_EXTRA:-} "$input" \
		>ingest.out 2>ingest.err
	echo $? >ingest.rc
	masked s/segments segments.masked
	for by in $bys; do
		for f in json csv; do
			"$bin" --store s report --as-of 2026-12-31 --by "$by" \
				${OLDNEW_REPORT_EXTRA:-} --format $f >"report.$by.$f" 2>"report.$by.$f.err"
			echo $? >>"report.$by.$f.err"
		done
	done
	"$bin" check --write-baseline baseline.json --by model,day \
		--log-format "$(echo "$*" | sed -n 's/.*--format \([a-z]*\).*/\1/p')" \
		"$input" >check.out 2>check.err
	echo $? >>check.err
	rm -rf s
	cd - >/dev/null || exit 2
}

for log; do
	name=$(basename "$log")
	cp "$log" "$work/in/$name" && gzip -c "$log" >"$work/in/$name.gz"
	first=1
	for input in "$work/in/$name" "$work/in/$name.gz"; do
		for jobs in ${OLDNEW_JOBS:-1 2}; do
			for dedupe in "" --no-dedupe; do
				for format in ${OLDNEW_FORMATS:-auto generic}; do
					if [ $first = 1 ]; then bys=$by_all; else bys=$by_some; fi
					opts="--format $format --jobs $jobs $dedupe"
					one "$old" "$work/old" "$input" "$bys" $opts
					one "$new" "$work/new" "$input" "$bys" $opts
					nrun=$((nrun + 1))
					if ! diff -r "$work/old" "$work/new" >"$work/diff" 2>&1; then
						ndiff=$((ndiff + 1))
						echo "DIFF $log ($input $opts):"
						head -20 "$work/diff"
					fi
					first=0
					[ "${OLDNEW_VARIANTS:-}" = 1 ] && break 4
				done
			done
		done
	done
	rm -f "$work/in/$name" "$work/in/$name.gz"
done
echo "oldnew: $nrun runs, $ndiff with differences"
[ $ndiff -eq 0 ]
