#!/bin/sh
# bombs.sh - hostile inputs stopped quickly with bounded memory: a 10 MB
# gzip that expands to 10 GiB, zstd, xz and bzip2 bombs, a gzip bomb
# inside a zip, a nested zip bomb (zips of zips, never opened), a zip
# whose entries all share one compressed kernel, a record nested 100,000
# levels deep (the generic scanner and jansson), a single line of 100 MiB
# (1 GiB with BOMBS=big, as make torture runs it), a line longer than
# --max-record, a name longer than a record may hold, token counts and
# costs beyond what a record may have, 1 GiB of newlines
# and a CSV quote that never closes. Each run must end within a loose
# limit of CPU time and a resident size far below what the input expands
# to.
. "$(dirname "$0")/common.inc"
: "${BOMBS:=}"
[ -x /usr/bin/time ] || fail "needs /usr/bin/time (Debian package time)"
cd "$tmp"
"$BURNRATE" --quiet --store s init

# Sanitizers keep freed memory in quarantine, shadow all of it, and slow
# everything down.
max_mb=200 slow=1
! ldd "$BURNRATE" | grep -q 'libasan' || max_mb=1024 slow=4

# bounded SECONDS CMD...: runs CMD (output to out and err, status in rc);
# fails when it took more CPU time (user and system) than that or used
# more than max_mb MiB. CPU time, not wall time: a bomb left to expand
# spends CPU, and a loaded machine (a make check at a load of ~5) made a
# bomb stopped as it should take 27.6 s of wall time against 3.6 alone.
bounded() {
	limit=$1
	shift
	set +e
	/usr/bin/time -f '%e %U %S %M' -o stats "$@" >out 2>err
	rc=$?
	set -e
	set -- $(tail -n 1 stats)
	mb=$(($4 / 1024))
	cpu=$(awk -v u="$2" -v s="$3" 'BEGIN { printf "%.2f", u + s }')
	echo "bombs: $what: exit $rc, $1 s ($cpu s of CPU), $mb MiB"
	awk -v t="$cpu" -v l="$limit" -v k=$slow 'BEGIN { exit !(t <= l * k) }' ||
		fail "$what took $cpu s of CPU (limit $limit s)"
	[ "$mb" -le "$max_mb" ] || fail "$what used $mb MiB (limit $max_mb MiB)"
}
# rejects_are N WANT...: the run in bounded exited 0 and rej.txt holds N
# rejects, among them a line holding each WANT.
rejects_are() {
	[ "$rc" -eq 0 ] || fail "$what: exit $rc: $(cat err)"
	n=$1
	shift
	for want in "$@"; do
		grep -qF "$want" rej.txt || fail "$what: no '$want' in: $(head -n 5 rej.txt | cut -c1-200)"
	done
	[ "$(wc -l <rej.txt)" -eq "$n" ] ||
		fail "$what: $(wc -l <rej.txt) rejects: $(head -n 5 rej.txt | cut -c1-200)"
}
refused() { # file
	what=$1
	bounded 10 "$BURNRATE" --quiet --store s ingest "$1"
	[ "$rc" -eq 1 ] || fail "$1: exit $rc, want 1"
	# The figures, and the slack that makes them more than --max-ratio
	# times apart ("18554267 bytes from 35541 compressed, more than 50
	# times" read as wrong: 522 times).
	grep -q "^burnrate: error: $1: refused as a decompression bomb: [0-9]* bytes from [0-9]* compressed, more than 1000 times that plus 16 MiB (--max-ratio)$" err ||
		fail "$1: not refused as a bomb: $(cat err)"
}

"$PYTHON" - <<'EOF'
import io, lzma, bz2, struct, subprocess, zipfile, zlib

def gzip_member(data):
    z = zlib.compressobj(9, zlib.DEFLATED, 31)
    return z.compress(data) + z.flush()

# 160 gzip members of 64 MiB of zeros: 10 MB that expand to 10 GiB.
zeros = gzip_member(b'\0' * (64 << 20))
with open('bomb.jsonl.gz', 'wb') as f:
    for i in range(160):
        f.write(zeros)

# 1 GiB of newlines in each of libarchive's compressions.
nl = b'\n' * (64 << 20)
open('bomb.jsonl.xz', 'wb').write(lzma.compress(nl, preset=1) * 16)
open('bomb.jsonl.bz2', 'wb').write(bz2.compress(nl, 1) * 16)
zst = subprocess.run(['zstd', '-q', '-1', '-c'], input=nl,
                     capture_output=True, check=True).stdout
open('bomb.jsonl.zst', 'wb').write(zst * 16)

def zip_of(members):
    b = io.BytesIO()
    with zipfile.ZipFile(b, 'w', zipfile.ZIP_STORED) as z:
        for name, data in members:
            z.writestr(name, data)
    return b.getvalue()

# A gzip bomb as the member of a zip, and 8 x 8 zips of zips of those.
member = zip_of([('a.jsonl.gz', zeros * 32)])
open('member.zip', 'wb').write(member)
inner = zip_of([('z%d.zip' % i, member) for i in range(8)])
open('nested.zip', 'wb').write(zip_of([('y%d.zip' % i, inner) for i in range(8)]))

# 200 central directory entries sharing one deflated kernel of 64 MiB.
data = b'\n' * (64 << 20)
z = zlib.compressobj(9, zlib.DEFLATED, -15)
kernel = z.compress(data) + z.flush()
crc = zlib.crc32(data)
name = b'k.jsonl'
body = struct.pack('<4sHHHHHIIIHH', b'PK\x03\x04', 20, 0, 8, 0, 0, crc,
                   len(kernel), len(data), len(name), 0) + name + kernel
cd = b''
for i in range(200):
    n = b'k%04d.jsonl' % i
    cd += struct.pack('<4sHHHHHHIIIHHHHHII', b'PK\x01\x02', 20, 20, 0, 8, 0, 0,
                      crc, len(kernel), len(data), len(n), 0, 0, 0, 0, 0, 0) + n
eocd = struct.pack('<4sHHHHIIH', b'PK\x05\x06', 0, 0, 200, 200, len(cd),
                   len(body), 0)
open('overlap.zip', 'wb').write(body + cd + eocd)

# Records nested 100,000 levels deep, between two good ones.
ok = ('{"timestamp":"2025-10-01T00:00:00Z","provider":"openai",'
      '"model":"gpt-4o","request_id":"%s","usage":{"input_tokens":10}}\n')
d = 100000
with open('deep.jsonl', 'w') as f:
    f.write(ok % 'a')
    f.write('{"timestamp":"2025-10-01T00:00:00Z","provider":"openai",'
            '"model":"gpt-4o","x":' + '[' * d + ']' * d + '}\n')
    f.write('{"x":' + '{"a":' * d + '1' + '}' * d + '}\n')
    f.write(ok % 'b')
with open('deep-openai.jsonl', 'w') as f:
    f.write('{"id":"c1","object":"chat.completion","created":1759276800,'
            '"model":"gpt-4o","usage":{"prompt_tokens":5,"completion_tokens":1}}\n')
    f.write('{"id":"c2","object":"chat.completion","x":' + '{"a":' * d + '1'
            + '}' * d + '}\n')
EOF

refused bomb.jsonl.gz
[ "$(stat -c %s bomb.jsonl.gz)" -lt 11000000 ] || fail "the gzip bomb is too big"
for f in bomb.jsonl.zst bomb.jsonl.xz bomb.jsonl.bz2; do
	refused $f
done

what="gzip bomb in a zip"
bounded 10 "$BURNRATE" --quiet --store s ingest --rejects rej.txt member.zip
[ "$rc" -eq 1 ] && grep -q 'member.zip:a.jsonl.gz: refused as a decompression bomb' err ||
	fail "$what: exit $rc: $(cat err)"

# Archives inside archives are not opened: nothing to read.
what="nested zip bomb"
bounded 10 "$BURNRATE" --quiet --store s ingest --rejects rej.txt nested.zip
[ "$rc" -eq 0 ] || fail "$what: exit $rc: $(cat err)"

what="zip entries sharing one kernel"
bounded 20 "$BURNRATE" --quiet --store s ingest --rejects rej.txt overlap.zip
[ "$rc" -le 1 ] || fail "$what: exit $rc: $(cat err)"

# Too deep: rejected with the file and line; the records around kept.
what="records nested 100,000 levels"
rm -f rej.txt
bounded 10 "$BURNRATE" --quiet --store s ingest --rejects rej.txt deep.jsonl
[ "$rc" -eq 0 ] || fail "$what: exit $rc: $(cat err)"
grep -q '^deep.jsonl:2: invalid JSON at byte [0-9]*: nested too deeply' rej.txt &&
	grep -q '^deep.jsonl:3: invalid JSON at byte [0-9]*: nested too deeply' rej.txt ||
	fail "$what: not rejected: $(cut -c1-200 rej.txt)"
what="a record nested 100,000 levels, with jansson"
rm -f rej.txt
bounded 10 "$BURNRATE" --quiet --store s ingest --rejects rej.txt --format openai deep-openai.jsonl
[ "$rc" -eq 0 ] || fail "$what: exit $rc: $(cat err)"
grep -q '^deep-openai.jsonl:2: invalid JSON at byte [0-9]*: maximum parsing depth' rej.txt ||
	fail "$what: not rejected: $(cut -c1-200 rej.txt)"

# One line of 100 MiB (1 GiB): rejected, named; the next line read.
size=100M
[ "$BOMBS" != big ] || size=1G
{
	printf '{"timestamp":"2025-10-02T00:00:00Z","provider":"openai","model":"gpt-4o","agent":"'
	head -c $size /dev/zero | tr '\0' x
	printf '"}\n{"timestamp":"2025-10-02T00:00:00Z","provider":"openai",'
	printf '"model":"gpt-4o","request_id":"after-long","usage":{"input_tokens":7}}\n'
} >long.jsonl
what="a line of $size"
rm -f rej.txt
bounded 60 "$BURNRATE" --quiet --store s ingest --rejects rej.txt long.jsonl
rm -f long.jsonl
[ "$rc" -eq 0 ] || fail "$what: exit $rc: $(cat err)"
grep -q '^long.jsonl:1: record longer than 16777216 bytes' rej.txt ||
	fail "$what: not rejected: $(cut -c1-200 rej.txt)"
"$BURNRATE" --store s report --format csv --by agent --since 2025-10-02 \
	--until 2025-10-02 --as-of 2025-10-31 | grep -q '^,1,0,7,' ||
	fail "$what: the line after it was not counted"

# A line longer than --max-record: rejected with its file and line, the
# others counted, exit 0. The limit is a size from 1K to 1G, also in the
# configuration.
what="--max-record 1K"
ok='{"timestamp":"2025-10-06T00:00:00Z","provider":"openai","model":"gpt-4o","request_id":"%s","usage":{"input_tokens":3}}\n'
{
	printf "$ok" r1
	printf '{"timestamp":"2025-10-06T00:00:00Z","provider":"openai","model":"gpt-4o","agent":"'
	head -c 2000 /dev/zero | tr '\0' a
	printf '"}\n'
	printf "$ok" r2
} >maxrec.jsonl
rm -f rej.txt
bounded 10 "$BURNRATE" --quiet --store s ingest --rejects rej.txt --max-record 1K maxrec.jsonl
rejects_are 1 'maxrec.jsonl:2: record longer than 1024 bytes'
"$BURNRATE" --store s report --format csv --by day --since 2025-10-06 \
	--until 2025-10-06 --as-of 2025-10-31 | grep -q '^2025-10-06,2,0,6,' ||
	fail "$what: the other records were not counted"
printf 'max_record 1k\n' >rec.conf
rm -rf s2 rej.txt
"$BURNRATE" --quiet --store s2 --config rec.conf ingest --rejects rej.txt maxrec.jsonl ||
	fail "max_record 1k in the configuration: exit $?"
grep -q '^maxrec.jsonl:2: record longer than 1024 bytes' rej.txt ||
	fail "max_record in the configuration is not used: $(cut -c1-200 rej.txt)"
rm -rf s2
for bad in 1023 512 2G 1025M 1T 1.5M -1K K ''; do
	set +e
	"$BURNRATE" --store s ingest --max-record "$bad" maxrec.jsonl >/dev/null 2>err
	rc=$?
	set -e
	[ "$rc" -eq 2 ] && grep -q "invalid --max-record '$bad': expected a size from 1K to 1G" err ||
		fail "--max-record '$bad': exit $rc: $(cat err)"
done
printf 'max_record 2G\n' >rec.conf
set +e
"$BURNRATE" --store s2 --config rec.conf ingest maxrec.jsonl >/dev/null 2>err
rc=$?
set -e
[ "$rc" -eq 2 ] && grep -q 'rec.conf:1: max_record: invalid value' err ||
	fail "max_record 2G: exit $rc: $(cat err)"
[ ! -e s2 ] || fail "max_record 2G: a store was created"

# A name longer than a record may hold (64 KiB): that record is rejected
# alone, with its file and line; the next one counts.
what="an agent name of 2 MiB"
{
	printf '{"timestamp":"2025-10-05T00:00:00Z","provider":"openai",'
	printf '"model":"gpt-4o","agent":"'
	head -c 2M /dev/zero | tr '\0' a
	printf '"}\n'
	printf '{"timestamp":"2025-10-05T00:00:00Z","provider":"openai",'
	printf '"model":"gpt-4o","usage":{"input_tokens":4}}\n'
} >name.jsonl
rm -f rej.txt
bounded 10 "$BURNRATE" --quiet --store s ingest --rejects rej.txt name.jsonl
rejects_are 1 'name.jsonl:1: agent longer than 65536 bytes'
"$BURNRATE" --store s report --format csv --by day --since 2025-10-05 \
	--until 2025-10-05 --as-of 2025-10-31 | grep -q '^2025-10-05,1,0,4,' ||
	fail "$what: the next record was not counted"
"$BURNRATE" --quiet --store s verify >/dev/null || fail "$what: the store does not verify"

# Token counts beyond 10^15 or a cost beyond 10^9 USD (logged or from the
# catalog) in one record: a corrupt log, rejected record by record with its
# file, line and value, so that no day's sum grows past what a store row
# holds (which used to fail the whole run at publish). The caps themselves
# count; a rejected record's request id does not hide a later one.
what="records beyond the caps"
rec='{"timestamp":"2025-10-08T00:00:00Z","provider":"openai","model":"gpt-4o","request_id":"%s","usage":{"%s":%s}%s}\n'
{
	printf "$rec" c1 input_tokens 1000000000000000 '' | sed s/gpt-4o/gpt-4o-mini/
	printf "$rec" c2 output_tokens 1000000000000001 ''
	printf "$rec" c3 input_tokens 1 ',"cost_usd":1000000000.000001'
	printf "$rec" c4 input_tokens 1 ',"cost_usd":-1000000000.5'
	printf "$rec" c5 input_tokens 1 ',"cost_usd":1000000000'
	printf "$rec" c6 input_tokens 500000000000000 ''
	for i in $(seq 2000); do printf "$rec" "h$i" input_tokens 1 ',"cost_usd":999999999999999'; done
	printf "$rec" c2 output_tokens 2 ''
	# 19 digits are beyond the cap too, not "not a non-negative integer"
	# (generic logs said so of any count of more than 18 digits)
	printf "$rec" c7 cache_write_tokens 9223372036854775807 ''
} >caps.jsonl
printf 'timestamp,provider,model,request_id,cache_read_tokens\n2025-10-08T00:00:00Z,openai,gpt-4o,v1,1000000000000001\n2025-10-08T00:00:00Z,openai,gpt-4o,v2,1000000000000000000\n' >caps.csv
rm -f rej.txt
bounded 10 "$BURNRATE" --quiet --store s ingest --rejects rej.txt caps.jsonl caps.csv
rejects_are 2007 \
	'caps.jsonl:2008: cache_write_tokens 9223372036854775807 beyond the 1000000000000000 a record may hold' \
	'caps.csv:3: cache_read_tokens 1000000000000000000 beyond' \
	'caps.jsonl:2: output_tokens 1000000000000001 beyond the 1000000000000000 a record may hold' \
	'caps.jsonl:3: logged cost 1000000000.000001 USD beyond the 1000000000 USD a record may cost' \
	'caps.jsonl:4: logged cost -1000000000.5 USD beyond the 1000000000 USD a record may cost' \
	'caps.jsonl:6: catalog cost 1250000000.0 USD beyond' \
	'caps.jsonl:7: logged cost 999999999999999.0 USD beyond' \
	'caps.jsonl:2006: logged cost 999999999999999.0 USD beyond' \
	'caps.csv:2: cache_read_tokens 1000000000000001 beyond'
"$BURNRATE" --store s report --format csv --by day --since 2025-10-08 \
	--until 2025-10-08 --as-of 2025-10-31 >caps.out
grep -q '^2025-10-08,3,0,1000000000000001,2,' caps.out ||
	fail "$what: the records within the caps were not counted: $(cat caps.out)"
# A page of the OpenAI Usage API is one record of several events: one
# beyond the caps, or with a name too long, rejects the page whole. So does
# one copy of a streamed Anthropic message, at its own line, though its
# copies are merged only at the input's end.
page='{"object":"page","data":[{"object":"bucket","start_time":1759968000,"results":[{"object":"organization.usage.completions.result","model":"gpt-4o-mini","num_model_requests":3,"input_tokens":5,"output_tokens":%s,"api_key_id":"%s"},%s]}]}\n'
cost='{"object":"organization.costs.result","amount":{"value":%s,"currency":"usd"},"line_item":"gpt-4o, input"}'
{
	printf "$page" 1000000000000001 k1 "$(printf "$cost" 1)"
	printf "$page" 7 k2 "$(printf "$cost" 1000000000.01)"
	printf "$page" 7 "$(head -c 70000 /dev/zero | tr '\0' k)" "$(printf "$cost" 1)"
	printf "$page" 7 k3 "$(printf "$cost" 2)"
} >pages.jsonl
rm -f rej.txt
bounded 10 "$BURNRATE" --quiet --store s ingest --rejects rej.txt pages.jsonl
rejects_are 3 'pages.jsonl:1: output_tokens 1000000000000001 beyond' \
	'pages.jsonl:2: logged cost 1000000000.01 USD beyond' \
	'pages.jsonl:3: agent longer than 65536 bytes'
"$BURNRATE" --store s report --format csv --by agent --since 2025-10-09 \
	--until 2025-10-09 --as-of 2025-10-31 >pages.out
# Only the last page counts: its usage result (k3) and its cost line of
# 2 USD (no api_key_id: the empty agent).
[ "$(tail -n +2 pages.out | tr -d '\r')" = "$(printf ',0,0,0,0,0,0,0,0,2.000000,0\nk3,3,0,5,7,0,0,0,0,0.000005,0')" ] ||
	fail "$what: a rejected page was counted in part: $(cat pages.out)"
msg='{"logged_at":"2025-10-10T00:00:0%sZ","request_id":"%s","response":{"id":"msg_%s","type":"message","role":"assistant","model":"claude-3-5-haiku-20241022","usage":{"input_tokens":%s,"output_tokens":1}}}\n'
{
	printf "$msg" 1 a1 1 10
	printf "$msg" 2 a2 2 2000000000000000
	printf "$msg" 3 a3 3 30
} >anth.jsonl
rm -f rej.txt
bounded 10 "$BURNRATE" --quiet --store s ingest --rejects rej.txt anth.jsonl
rejects_are 1 'anth.jsonl:2: input_tokens 2000000000000000 beyond'
"$BURNRATE" --store s report --format csv --by day --since 2025-10-10 \
	--until 2025-10-10 --as-of 2025-10-31 | grep -q '^2025-10-10,2,0,40,2,' ||
	fail "$what: the Anthropic records within the caps were not counted"

# 1 GiB of newlines in lz4 (a ratio of 255, under the cap), then a record:
# the empty lines are skipped at once, the record's line number is exact.
what="1 GiB of newlines"
head -c 64M /dev/zero | tr '\0' '\n' | lz4 -1 -q >nl64.lz4
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16; do cat nl64.lz4; done >nl.jsonl.lz4
printf '{"timestamp":"2025-10-07T00:00:00Z","provider":"openai"}\n' | lz4 -q >>nl.jsonl.lz4
rm -f nl64.lz4 rej.txt
bounded 10 "$BURNRATE" --quiet --store s ingest --format generic --rejects rej.txt nl.jsonl.lz4
[ "$rc" -eq 0 ] && grep -q '^nl.jsonl.lz4:1073741825: missing model' rej.txt ||
	fail "$what: exit $rc: $(cat err) $(cut -c1-200 rej.txt)"

# A CSV quote that never closes: the input fails at the limit, named.
what="an unclosed CSV quote"
{
	printf 'timestamp,provider,model,agent\n2025-10-01T00:00:00Z,openai,gpt-4o,"'
	head -c 20M /dev/zero | tr '\0' '\n'
} >quote.csv
bounded 10 "$BURNRATE" --quiet --store s ingest --rejects rej.txt quote.csv
[ "$rc" -eq 1 ] && grep -q '^burnrate: error: quote.csv:2: record longer than 16777216 bytes' err ||
	fail "$what: exit $rc: $(cat err)"
