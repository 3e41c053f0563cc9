#!/bin/sh
# bench_nonpm.sh - make bench's ingest benchmark (bench/ingest.sh) where
# DuckDB's module cannot be installed: without npm, and with an npm that
# fails (an unreachable registry). Each says so and why before going on
# (an npm on PATH printed nothing for a minute, then pointed to an empty
# npm.log: --silent; without npm it pointed to a log never written), the
# rest of the benchmark runs (burnrate's times, throughput from the log's
# size, peak RSS) and it ends with exit 0. 20,000 records, one run, in a
# scratch BUILD and BENCH_OUT.
. "$(dirname "$0")/common.inc"
bench() { # PATH -> the output of bench/ingest.sh, in out.txt
	(cd "$root" && PATH=$1 RECORDS=20000 RUNS=1 BUILD="$tmp/build" \
		BENCH_OUT="$tmp/out" sh bench/ingest.sh) >"$tmp/out.txt" 2>&1 ||
		fail "bench/ingest.sh exited $?: $(cat "$tmp/out.txt")"
}
# The tools the benchmark uses, npm and node left out.
mkdir "$tmp/bin"
for t in sh awk cat cut date dirname gzip zcat igzip mkdir mv nproc rm seq \
	sha256sum stat grep; do
	p=$(command -v $t) && ln -s "$p" "$tmp/bin/$t"
done
ln -s "$PYTHON" "$tmp/bin/python3"
ln -s /usr/bin/time "$tmp/bin/time"
check_rest() { # WHAT: the rest of the benchmark ran
	for f in jsonl jsonl.gz csv csv.gz; do
		grep -Eq "^$f +[1-9][0-9]* +[0-9.]+ +[1-9][0-9]* " "$tmp/out.txt" ||
			fail "$1: no figures for $f: $(cat "$tmp/out.txt")"
	done
	[ "$(grep -c '^peak RSS, --jobs 2, .*: [1-9][0-9]* KB$' "$tmp/out.txt")" -eq 2 ] ||
		fail "$1: no peak RSS: $(cat "$tmp/out.txt")"
}
bench "$tmp/bin"
grep -q "^DuckDB: no npm to install @duckdb/node-api with .*; its columns, ratios and totals check are left out$" "$tmp/out.txt" ||
	fail "without npm: $(cat "$tmp/out.txt")"
check_rest "without npm"
# An npm that fails as one does when the registry is unreachable.
cat >"$tmp/bin/npm" <<'NPM'
#!/bin/sh
echo "npm ERR! code ECONNREFUSED" >&2
echo "npm ERR! request to http://127.0.0.1:9/@duckdb%2fnode-api failed" >&2
exit 1
NPM
chmod +x "$tmp/bin/npm"
rm -rf "$tmp/build/bench-node"
bench "$tmp/bin"
grep -q "^DuckDB: installing @duckdb/node-api with npm into $tmp/build/bench-node$" "$tmp/out.txt" &&
	grep -q "^DuckDB: @duckdb/node-api cannot be installed: npm ERR! code ECONNREFUSED (see $tmp/build/bench-node/npm.log); its columns" "$tmp/out.txt" ||
	fail "a failing npm: $(cat "$tmp/out.txt")"
check_rest "a failing npm"
# A burnrate run that fails stops the benchmark, loudly: its time was
# printed as if it had ingested the log.
cat >"$tmp/bin/failing" <<'BR'
#!/bin/sh
echo "burnrate: error: cannot open store" >&2
exit 1
BR
chmod +x "$tmp/bin/failing"
set +e
(cd "$root" && PATH=$tmp/bin BURNRATE=$tmp/bin/failing RECORDS=20000 RUNS=1 \
	BUILD="$tmp/build" BENCH_OUT="$tmp/out" sh bench/ingest.sh) >"$tmp/out.txt" 2>&1
rc=$?
set -e
[ $rc -ne 0 ] && grep -q "^bench: error: '$tmp/bin/failing --quiet --store .* ingest .*' failed (exit 1): no time is measured; the benchmark stops$" "$tmp/out.txt" &&
	! grep -Eq '^jsonl +[0-9]' "$tmp/out.txt" ||
	fail "a failing burnrate: exit $rc: $(cat "$tmp/out.txt")"
echo "bench_nonpm: all checks passed"
