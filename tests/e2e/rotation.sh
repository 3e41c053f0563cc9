#!/bin/sh
# rotation.sh - random histories of a log under logrotate (numbered and
# dated rotation, copytruncate, compressed and delayed compressed rotation,
# deleted old rotations, records cut across
# writes, ingests with --jobs 1 and 2 in between; a log of JSON lines or
# CSV, plain or appended to as gzip members): every complete record
# written counts exactly once (tests/rotation.py). ROTATIONS (default 250)
# histories; 'make torture' runs more. Before them, fixed cases: a
# delaycompress rotation compressed before any run read it, a log
# compressed as rotated, logrotate's olddir, and the rotated names a walk
# takes and leaves.
. "$(dirname "$0")/common.inc"
cd "$tmp"

# logrotate's delaycompress with a night without a run: the log renamed
# app.log.1 (a2 added since the ingest) is compressed to app.log.2.gz the
# next night, before any run read it. Its decompressed content begins
# with what was ingested of app.log: only a2 counts. Walked (the walk
# takes app.log.2.gz) and through a `run` glob that names every file
# (app.log.2.gz was read whole: a1 twice), each compression, --jobs 1 and
# 2; per day, against the records written (written.txt).
rec() { # day id tokens
	printf '{"timestamp":"2025-11-%sT12:00:00Z","provider":"p","model":"m","request_id":"%s","usage":{"input_tokens":%d}}\n' "$1" "$2" "$3"
}
put() { rec "$@" >>logs/app.log; rec "$@" >>written.txt; }
# to_old FILE NAME Z: logrotate's olddir: FILE moved to logs/old/NAME,
# gzipped to NAME.gz when Z is gz, and FILE made again empty.
to_old() {
	if [ -z "$3" ]; then
		mv "$1" "logs/old/$2"
	else
		gzip -c "$1" >"logs/old/$2.gz"
		rm "$1"
	fi
	: >"$1"
}
days() { # the store's requests and input tokens by day
	"$BURNRATE" --store st report --since 2025-11-01 --until 2025-11-05 \
		--as-of 2099-01-01 --format csv | tail -n +2 | cut -d, -f1,2,4
}
written_days() { # the same, counted from the records written
	"$PYTHON" -c '
import json, sys, collections
n, t = collections.Counter(), collections.Counter()
for line in open(sys.argv[1]):
    r = json.loads(line)
    d = r["timestamp"][:10]
    n[d] += 1
    t[d] += r["usage"]["input_tokens"]
for d in sorted(n):
    print("%s,%d,%d" % (d, n[d], t[d]))' written.txt
}
for z in gz zst xz; do
	for how in walk glob run; do
		for j in 1 2; do
			[ $how = run ] && [ $j = 2 ] && continue # run: the CPUs
			rm -rf logs st written.txt
			mkdir logs
			printf 'store st\ninput logs/app.log*\n' >run.conf
			ingest() {
				case $how in
				walk) "$BURNRATE" --quiet --store st ingest --jobs $j logs ;;
				glob) "$BURNRATE" --quiet --store st ingest --jobs $j logs/app.log* ;;
				run) "$BURNRATE" --quiet --config run.conf run --as-of 2025-11-30 ;;
				esac
			}
			compress() { # file: to file.$z, the file removed
				case $z in
				gz) gzip -q "$1" ;;
				zst) zstd -q --rm "$1" ;;
				xz) xz -q "$1" ;;
				esac
			}
			put 01 a1 1; ingest                 # night 1
			put 02 a2 2
			mv logs/app.log logs/app.log.1; : >logs/app.log
			put 02 a3 4                         # night 2: no run
			compress logs/app.log.1
			mv logs/app.log.1.$z logs/app.log.2.$z
			mv logs/app.log logs/app.log.1; : >logs/app.log
			put 03 a4 8; ingest                 # night 3
			[ "$(days)" = "$(written_days)" ] ||
				fail "delaycompress, a night skipped ($z, $how, --jobs $j): $(days | tr '\n' ' ')want $(written_days | tr '\n' ' ')"
			# Ingested again, and compressed again under another name
			# (logrotate's next night): nothing more.
			put 03 a5 16
			mv logs/app.log.2.$z logs/app.log.3.$z
			compress logs/app.log.1; mv logs/app.log.1.$z logs/app.log.2.$z
			mv logs/app.log logs/app.log.1; : >logs/app.log
			ingest; ingest
			[ "$(days)" = "$(written_days)" ] ||
				fail "delaycompress, the next nights ($z, $how, --jobs $j): $(days | tr '\n' ' ')want $(written_days | tr '\n' ' ')"
		done
	done
done

# A log compressed as it is rotated (no delaycompress), with records added
# since the ingest: those only count.
rm -rf logs st written.txt
mkdir logs
put 01 b1 1; "$BURNRATE" --quiet --store st ingest logs
put 02 b2 2; gzip -c logs/app.log >logs/app.log.1.gz; : >logs/app.log
put 03 b3 4; "$BURNRATE" --quiet --store st ingest --jobs 2 logs
[ "$(days)" = "$(written_days)" ] ||
	fail "compressed as rotated: $(days | tr '\n' ' ')want $(written_days | tr '\n' ' ')"

# logrotate's olddir: the log moved to another directory after it grew
# (plain, or compressed as it is moved), of one record or more when it was
# ingested: only what it gained counts.
for first in 1 2; do
	for z in "" gz; do
		for j in 1 2; do
			rm -rf logs st written.txt
			mkdir -p logs/old
			put 01 c1 1
			[ $first = 1 ] || put 01 c2 2
			"$BURNRATE" --quiet --store st ingest --jobs $j logs
			put 02 c3 4
			to_old logs/app.log app.log.1 "$z"
			put 03 c4 8
			"$BURNRATE" --quiet --store st ingest --jobs $j logs
			"$BURNRATE" --quiet --store st ingest --jobs $j logs
			[ "$(days)" = "$(written_days)" ] ||
				fail "olddir (${z:-plain}, $first first lines, --jobs $j): $(days | tr '\n' ' ')want $(written_days | tr '\n' ' ')"
		done
	done
done

# olddir, when the ingest ended before its last record's newline: a whole
# JSON object without one counts at once (its newline written later). The
# log, of one or two records then, moved to another directory after it
# grew is read from where that ingest ended (it was read whole, found by
# neither its first line nor its first two: c1 and c2 counted twice).
for z in "" gz; do
	for first in 1 2; do
		for j in 1 2; do
			rm -rf logs st written.txt
			mkdir -p logs/old
			[ $first = 1 ] || put 01 c1 1
			rec 01 c2 2 >>written.txt
			rec 01 c2 2 | tr -d '\n' >>logs/app.log
			"$BURNRATE" --quiet --store st ingest --jobs $j logs
			echo >>logs/app.log
			put 02 c3 4
			to_old logs/app.log app.log-20251102 "$z"
			"$BURNRATE" --quiet --store st ingest --jobs $j logs
			[ "$(days)" = "$(written_days)" ] ||
				fail "olddir, no newline yet (${z:-plain}, $first lines, --jobs $j): $(days | tr '\n' ' ')want $(written_days | tr '\n' ' ')"
		done
	done
done

# olddir, when the ingest ended inside a CSV row's last field, quoted,
# where the row looks whole ("x", its field to be "x""y"): the row counts
# at once. The log, of its header and that row then, moved to another
# directory after it grew (plain, or compressed as it is moved) is read
# from where that ingest ended (it was found by no head, its bytes
# ending inside its second line, and read whole: the row counted twice).
for z in "" gz; do
	for j in 1 2; do
		rm -rf logs st
		mkdir -p logs/old
		printf 'timestamp,provider,model,input_tokens,note\n2025-11-01T12:00:00Z,p,m,1,"x"' >logs/app.csv
		"$BURNRATE" --quiet --store st ingest --jobs $j logs
		printf '"y"\n2025-11-02T12:00:00Z,p,m,2,"z"\n' >>logs/app.csv
		to_old logs/app.csv app.csv-20251102 "$z"
		"$BURNRATE" --quiet --store st ingest --jobs $j logs
		got=$(days | tr -d '\r' | tr '\n' ' ')
		[ "$got" = "2025-11-01,1,1 2025-11-02,1,2 " ] ||
			fail "olddir, a CSV row cut in its quoted last field (${z:-plain}, --jobs $j): $got"
	done
done

# Another log, of another directory, whose second line begins as what was
# ingested of a log ended (its row req-1 whole, not yet a line; this one's
# req-12) is no continuation of it: read whole (it was read from there,
# its row cut in two, req-12 lost and '2' rejected).
for j in 1 2; do
	rm -rf logs st
	mkdir -p logs/a logs/b
	printf 'timestamp,provider,model,input_tokens,request_id\n2025-11-01T12:00:00Z,p,m,1,req-1' >logs/a/app.csv
	"$BURNRATE" --quiet --store st ingest --jobs $j logs/a
	printf 'timestamp,provider,model,input_tokens,request_id\n2025-11-01T12:00:00Z,p,m,1,req-12\n2025-11-02T12:00:00Z,p,m,2,req-13\n' >logs/b/app.csv
	"$BURNRATE" --quiet --store st ingest --jobs $j logs/b 2>err
	got=$(days | tr -d '\r' | tr '\n' ' ')
	[ "$got" = "2025-11-01,2,2 2025-11-02,1,2 " ] ||
		fail "another log beginning as an ingest that ended inside its second line (--jobs $j): $got"
done

# Rotated names a walk takes: numbered, dated (logrotate's dateext, its
# dateformat -%Y-%m-%d and -%Y%m%d-%s, Python's TimedRotatingFileHandler's
# .%Y-%m-%d and .%Y-%m-%d_%H), compressed or not; and names it leaves out.
for name in app.log.1 app.log.10 app.log-20251101 app.log.20251101 \
	app.log-2025110312 app.log.2025-11-01 app.log-2025-11-01 \
	app.log-20251101-1762041600 app.log.2025-11-03_12 \
	app.log.2025-11-03_12-30 app.jsonl.2025-11-01 app.csv-2025-11-01 \
	app.log.1.gz app.log-2025-11-01.gz app.log.2025-11-03_12.zst; do
	rm -rf logs st
	mkdir logs
	case $name in
	*.gz) rec 01 x 1 | gzip >"logs/$name" ;;
	*.zst) rec 01 x 1 | zstd -q >"logs/$name" ;;
	*) rec 01 x 1 >"logs/$name" ;;
	esac
	"$BURNRATE" --quiet --store st ingest logs
	[ "$(days)" = "2025-11-01,1,1" ] || fail "$name: not walked: $(days)"
done
for name in app.log.bak app.log_2025-11-01 app.log.2025-11-01.tmp \
	app.log.-1 app.log.1- app.log.1__2 app.log.2025--11 app.log-_1 \
	notes.txt.2025-11-01 app.log.gz.1; do
	rm -rf logs st
	mkdir logs
	rec 01 x 1 >"logs/$name"
	rec 01 y 1 >logs/app.log
	"$BURNRATE" --quiet --store st ingest logs
	[ "$(days)" = "2025-11-01,1,1" ] || fail "$name: walked: $(days)"
done

# A log written compressed (app.log.gz, grown by an appended member) and
# rotated as it is, to app.log.1.gz (renamed, or compressed anew as one
# stream): read from where app.log.gz's ingest ended, --jobs 1 and 2 (it
# was read whole, a1 and a2 twice) (helper-110).
for how in mv recompress; do
	for j in 1 2; do
		rm -rf logs st
		mkdir logs
		{ rec 01 a1 1; rec 01 a2 2; } | gzip >logs/app.log.gz
		"$BURNRATE" --quiet --store st ingest --jobs $j logs
		rec 02 a3 4 | gzip >>logs/app.log.gz
		case $how in
		mv) mv logs/app.log.gz logs/app.log.1.gz ;;
		recompress) zcat logs/app.log.gz | gzip >logs/app.log.1.gz
			rm logs/app.log.gz ;;
		esac
		rec 03 a4 8 | gzip >logs/app.log.gz
		"$BURNRATE" --quiet --store st ingest --jobs $j logs
		got=$(days | tr -d '\r' | tr '\n' ' ')
		[ "$got" = "2025-11-01,2,3 2025-11-02,1,4 2025-11-03,1,8 " ] ||
			fail "a compressed log rotated as it is ($how, --jobs $j): $got"
	done
done

# The same log moved by logrotate's olddir to another directory (renamed,
# kept as it is, compressed anew with zstd), of one record or more when it
# was ingested, its last line then whole or still being written: read
# from where app.log.gz's ingest ended (it was sought in its own
# directory only and read whole: a1 and a2 counted twice).
for how in app.log.1.gz app.log-20251102.gz app.log.gz app.log.1.zst; do
	for first in 1 2 cut; do
		for j in 1 2; do
			rm -rf logs st
			mkdir -p logs/old
			case $first in
			1) rec 01 a1 3 | gzip >logs/app.log.gz ;;
			2) { rec 01 a1 1; rec 01 a2 2; } | gzip >logs/app.log.gz ;;
			cut) { rec 01 a1 1; rec 01 a2 2 | cut -c1-20; } |
				head -c -1 | gzip >logs/app.log.gz ;;
			esac
			"$BURNRATE" --quiet --store st ingest --jobs $j logs
			[ $first != cut ] ||
				rec 01 a2 2 | cut -c21- | gzip >>logs/app.log.gz
			rec 02 a3 4 | gzip >>logs/app.log.gz
			case $how in
			*.zst) zcat logs/app.log.gz | zstd -q >logs/old/$how
				rm logs/app.log.gz ;;
			*) mv logs/app.log.gz logs/old/$how ;;
			esac
			rec 03 a4 8 | gzip >logs/app.log.gz
			"$BURNRATE" --quiet --store st ingest --jobs $j logs
			"$BURNRATE" --quiet --store st ingest --jobs $j logs
			got=$(days | tr -d '\r' | tr '\n' ' ')
			[ $first = 1 ] && want="2025-11-01,1,3 " ||
				want="2025-11-01,2,3 "
			want="${want}2025-11-02,1,4 2025-11-03,1,8 "
			[ "$got" = "$want" ] ||
				fail "a compressed log moved by olddir (old/$how, $first first, --jobs $j): $got"
		done
	done
done

# One run counts what two would. A copy of a log made before it grew
# (old/app.log, or old.tar's app.log), walked before the log, begins what
# the log holds: the log is read from where the copy's ingest ended, as
# on a run after the copy's (records without request ids: the copy's
# were counted twice in one run, 5 requests for 3, once over two). A
# copy walked after the log holds only the start of what was ingested of
# it and is read whole, by both (the first of two runs reads the file
# the walk takes first). So with a copy that took fewer than two lines
# of the log, its head then of all it took (a-cut: its last line without
# a newline; a-one: one line): found by neither head, it was read whole
# by one run, 5 requests for 3 and 3 for 2, where two runs count 3 and 2.
nrec() { # tokens: a record without a request id
	printf '{"timestamp":"2025-11-01T12:00:00Z","provider":"p","model":"m","usage":{"input_tokens":%d}}\n' "$1"
}
for j in 1 2; do
	for copy in a-old.log z-old.log a-old.tar z-old.tar a-cut.log a-cut.tar \
		a-one.log; do
		rm -rf one two logs
		mkdir logs
		nrec 1 >logs/app.log
		case $copy in *-one.*) ;; *) nrec 2 >>logs/app.log ;; esac
		case $copy in
		*-cut.*) head -c -1 logs/app.log >copy.log ;;
		*) cp logs/app.log copy.log ;;
		esac
		case $copy in
		*.tar) tar cf "logs/$copy" --transform s/copy/app/ copy.log ;;
		*) mv copy.log "logs/$copy" ;;
		esac
		nrec 4 >>logs/app.log
		"$BURNRATE" --quiet --store one ingest --jobs $j logs ||
			fail "one run ($copy, --jobs $j) exited $?"
		case $copy in a-*) first=logs/$copy ;; *) first=logs/app.log ;; esac
		"$BURNRATE" --quiet --store two ingest --jobs $j "$first" ||
			fail "the first of two runs ($copy, --jobs $j) exited $?"
		"$BURNRATE" --quiet --store two ingest --jobs $j logs ||
			fail "the second of two runs ($copy, --jobs $j) exited $?"
		for st in one two; do
			got=$("$BURNRATE" --store $st report --as-of 2099-01-01 \
				--by month --format csv 2>/dev/null | tail -1 | cut -d, -f2,4)
			case $copy in
			*-one.*) want=2,5 ;; a-*) want=3,7 ;; *) want=5,10 ;;
			esac
			[ "$got" = "$want" ] ||
				fail "a log and its copy $copy, $st run(s), --jobs $j: requests, tokens $got, want $want"
		done
	done
done

# So with a grown log read again on one thread, its blocks not
# independent (past its first MiB, a quoted field's line longer than
# --max-record): it was read whole after its blocks with --jobs 2, the
# copy's 40,000 rows counted twice (160,001 requests, 120,001 with
# --jobs 1 and over two runs).
rows() { # count tokens
	awk -v n="$1" -v t="$2" 'BEGIN { for (i = 0; i < n; i++)
		printf "2025-11-01T12:00:00Z,p,m,bot,%d\n", t }'
}
rm -rf logs
mkdir logs
{ echo timestamp,provider,model,agent,input_tokens; rows 40000 1; } >logs/a-old.csv
{ cat logs/a-old.csv; rows 40000 2
  printf '2025-11-01T12:00:00Z,p,m,"x\n%s\ny",4\n' "$(rows 100 0 | tr -d '\n')"
  rows 40000 2; } >logs/app.csv
for j in 1 2; do
	rm -rf one
	"$BURNRATE" --store one ingest --jobs $j --max-record 2000 logs \
		>/dev/null 2>&1
	got=$("$BURNRATE" --store one report --as-of 2099-01-01 --by month \
		--format csv 2>/dev/null | tail -1 | cut -d, -f2,4)
	[ "$got" = 120001,200004 ] ||
		fail "a log read again on one thread and its copy, --jobs $j: requests, tokens $got, want 120001,200004"
done

: "${ROTATIONS:=250}"
"$PYTHON" "$root/tests/rotation.py" "$BURNRATE" 1 "$ROTATIONS" "$tmp/histories" ||
	fail "a history counted a record twice or missed one (above)"
echo "rotation: all checks passed"
