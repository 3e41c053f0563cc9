#!/bin/sh
# security.sh - the defences of docs/SECURITY.md, each tried: names from
# the logs that start a spreadsheet formula are neutralised in CSV and
# are strings in XLSX (which stays valid XML whatever bytes they hold,
# U+FFFE and U+FFFF among them);
# they cannot inject markup in HTML or escape sequences in the terminal;
# store files are created with safe modes whatever the umask (the ledger,
# which holds addresses, private), and temporary files never through a
# planted link; archive member names are only names;
# symbolic links in input directories are neither followed out nor
# looped through; the SMTP password is never printed nor written; an
# msmtp file holding a password that group or others may read is
# refused.
. "$(dirname "$0")/common.inc"
cd "$tmp"
umask 000
b() { "$BURNRATE" --quiet --store s "$@"; }

# ------------------------------------------------ hostile names in logs

"$PYTHON" - <<'EOF'
import json
names = ['=HYPERLINK("http://evil.example/","x")', '+1+2', '-2+3', '@SUM(A1)',
         '\tTAB', '\rCR', 'esc\x1b[31mred\x1b]0;title\x07', '<script>alert(1)</script>',
         'a,b"c', 'plain', 'nonchar\ufffe\uffff']
with open('names.jsonl', 'w') as f:
    for i, n in enumerate(names):
        f.write(json.dumps({'timestamp': '2025-10-01T12:00:00Z', 'provider': 'openai',
                            'model': 'gpt-4o', 'agent': n, 'label': n,
                            'request_id': 'n%d' % i, 'usage': {'input_tokens': 100}}) + '\n')
    # An unknown model: the table names it among the unpriced.
    f.write(json.dumps({'timestamp': '2025-10-01T12:00:00Z', 'provider': 'acme\x1b[2J',
                        'model': '=cmd|\x1b]0;x\x07', 'request_id': 'u1',
                        'usage': {'input_tokens': 1}}) + '\n')
# CSV is not validated as UTF-8: a control character and bytes that are
# not UTF-8 reach the store.
with open('bytes.csv', 'wb') as f:
    f.write(b'timestamp,provider,model,agent\n')
    f.write(b'2025-10-02T00:00:00Z,openai,gpt-4o,ctl\x01\xff\xfe=x\n')
EOF
b init >/dev/null
b ingest names.jsonl bytes.csv
report() { b report --since 2025-10-01 --as-of 2025-10-31 --by agent,model,label "$@"; }

report --format csv >report.csv
"$PYTHON" - <<'EOF' || fail "CSV: a cell starts a formula"
import csv, sys
rows = list(csv.reader(open('report.csv', newline='', encoding='utf-8', errors='replace')))
bad = [c for r in rows[1:] for c in r[:3] if c[:1] in ('=', '+', '-', '@', '\t', '\r')]
quoted = [c for r in rows[1:] for c in r[:3] if c.startswith("'")]
if bad or len(quoted) < 6:
    print(bad, quoted)
    sys.exit(1)
EOF

# Bytes that are not UTF-8 (bytes.csv) are U+FFFD in CSV and HTML, as in
# JSON: the files decode as UTF-8, and CSV's names are JSON's.
report --format json >report.json
report --format html >utf8.html
"$PYTHON" - <<'EOF' || fail "CSV or HTML: not UTF-8, or names other than JSON's"
import csv, json
rows = list(csv.DictReader(open('report.csv', newline='', encoding='utf-8')))
unq = lambda v: v[1:] if v[:1] == "'" else v
got = sorted((unq(r['agent']), unq(r['model']), unq(r['label'])) for r in rows)
want = sorted((r['agent'], r['model'], r['label']) for r in json.load(open('report.json'))['rows'])
assert got == want, (got, want)
assert any(a.startswith('ctl') and '\ufffd' in a for a, m, l in got), got
open('utf8.html', encoding='utf-8').read()
EOF

# Names that differ only by bytes that are not UTF-8 are one group (and
# one unpriced model) in every format, as in Prometheus: not two rows
# with the same key.
printf 'timestamp,provider,model,agent,input_tokens\n2025-10-02T00:00:00Z,acme,m\377,a\377,1\n2025-10-02T00:00:00Z,acme,m\376,a\376,1\n' >dup.csv
"$BURNRATE" --quiet --store dup ingest dup.csv 2>/dev/null
"$BURNRATE" --quiet --store dup report --as-of 2025-10-31 --by agent --format json >dup.json
"$PYTHON" - <<'EOF' || fail "names that differ only by bytes that are not UTF-8: two groups"
import json
d = json.load(open('dup.json'))
assert [(r['agent'], r['requests']) for r in d['rows']] == [('a\ufffd', 2)], d['rows']
assert d['unpriced'] == [{'provider': 'acme', 'model': 'm\ufffd', 'requests': 2}], d['unpriced']
EOF
# A budget on a row's shown name counts the whole row: agents bad\377x,
# bad\376x and a literal bad\uFFFDx are one row of 3 requests, and a scope
# of agent=bad\uFFFDx counted only the literal one. A scope written with
# bytes that are not UTF-8 is matched as shown too; labels likewise.
printf 'timestamp,provider,model,agent,label,request_id,input_tokens,output_tokens\n2025-10-01T12:00:00Z,openai,gpt-4o,bad\377x,l\376,1,1000,100\n2025-10-01T12:00:00Z,openai,gpt-4o,bad\376x,l\377,2,1000,100\n2025-10-01T12:00:00Z,openai,gpt-4o,bad\357\277\275x,l\357\277\275,3,1000,100\n2025-10-01T12:00:00Z,openai,gpt-4o,other,l,4,1000,100\n' >merged.csv
"$BURNRATE" --quiet --store merged ingest merged.csv 2>/dev/null
printf 'name,scope,period,limit_usd,thresholds,forecast,recipients\nshown,agent=bad\357\277\275x,monthly,1,,yes,\nraw,agent=bad\375x,monthly,1,,yes,\nlabel,model=gpt-4o;label=l\375,monthly,1,,yes,\nother,agent=other,monthly,1,,yes,\n' >merged-budgets.csv
"$BURNRATE" --store merged report --as-of 2025-10-31 --by agent --budgets merged-budgets.csv \
	--format json >merged.json || fail "merged names: report exited $?"
"$PYTHON" - <<'EOF' || fail "a budget on a merged row's name does not count the row (above)"
import json
d = json.load(open('merged.json'))
rows = {r['agent']: (r['requests'], r['cost_usd']) for r in d['rows']}
assert rows['bad\ufffdx'][0] == 3, rows
spent = {b['name']: b['spent_usd'] for b in d['budgets']}
row = rows['bad\ufffdx'][1]
assert row > 0 and rows['other'][1] > 0, rows
assert spent == {'shown': row, 'raw': row, 'label': row, 'other': rows['other'][1]}, (spent, rows)
EOF

report --format xlsx --output report.xlsx
"$PYTHON" - <<'EOF' || fail "XLSX: a cell is a formula or the file is invalid"
import openpyxl, sys
wb = openpyxl.load_workbook('report.xlsx')
cells = [c for ws in wb for row in ws.iter_rows() for c in row if c.value is not None]
formulas = [c.coordinate for c in cells if c.data_type == 'f']
values = {str(c.value) for c in cells}
if formulas or '=HYPERLINK("http://evil.example/","x")' not in values or \
        not any(v.startswith('ctl') and '\ufffd' in v for v in values) or \
        'nonchar\ufffd\ufffd' not in values:
    print(formulas, sorted(values)[:20])
    sys.exit(1)
EOF

# A name longer than a cell holds is cut to 32,767 characters, as
# libxlsxwriter counts them: the '_x005F_' that keeps a '_xHHHH_' of it
# text counts its 7 (the report failed on such a name).
"$PYTHON" - <<'EOF'
import json
with open('long.jsonl', 'w') as f:
    for i, n in enumerate(['L' * 40000, '_x0041_' * 5000]):
        f.write(json.dumps({'timestamp': '2025-10-01T12:00:00Z', 'provider': 'openai',
                            'model': 'gpt-4o', 'agent': n, 'request_id': 'long%d' % i,
                            'usage': {'input_tokens': 1}}) + '\n')
EOF
"$BURNRATE" --quiet --store long ingest long.jsonl
"$BURNRATE" --quiet --store long report --as-of 2025-10-31 --by agent \
	--format xlsx --output long.xlsx || fail "XLSX: a long name failed the report"
"$PYTHON" - <<'EOF' || fail "XLSX: long names not cut to 32,767 characters"
import openpyxl
ws = openpyxl.load_workbook('long.xlsx')['Rows']
v = sorted(str(ws.cell(r, 1).value) for r in (2, 3))
assert v[0] == 'L' * 32767, len(v[0])
assert 32760 <= len(v[1]) <= 32767 and v[1].startswith('_x005F_x0041__x005F_'), v[1][:30]
EOF

# A --prices file's name is in the reports too: not UTF-8, with control
# characters, or long enough to be cut (inside a character), the XLSX
# (its document properties) stays valid XML and the table free of them.
long=$("$PYTHON" -c "print('/'.join(['\u00e9' * 120] * 4))")
mkdir -p "pr/ab/$long"
for f in "pr/$(printf 'caf\351\033[2J.csv')" "pr/ab/$long/p.csv"; do
	printf 'provider,model,from,input,output,cache_read,cache_write\nopenai,gpt-4o,,1,1,,\n' >"$f"
	report --reprice --prices "$f" --format xlsx --output prices.xlsx
	"$PYTHON" -c "import openpyxl; openpyxl.load_workbook('prices.xlsx')" ||
		fail "XLSX: invalid with --prices '$f'"
	report --reprice --prices "$f" --format table >prices.txt
	! grep -q "$(printf '\033')" prices.txt ||
		fail "table: an escape sequence of a --prices name got through"
done
rm -r pr prices.xlsx prices.txt

report --format html >report.html
! grep -q '<script>alert' report.html || fail "HTML: a name injects markup"

# The terminal table, and check's text: no escape character from a log.
report --format table >table.txt
! grep -q "$(printf '\033')" table.txt || fail "table: an escape sequence got through"
grep -q 'unpriced: ' table.txt || fail "table: no unpriced line: $(cat table.txt)"
"$BURNRATE" --quiet check --write-baseline base.json --by agent names.jsonl
set +e
"$BURNRATE" --quiet check --baseline base.json --by agent --format text \
	names.jsonl >check.txt 2>&1
set -e
! grep -q "$(printf '\033')" check.txt || fail "check: an escape sequence got through"
# A C1 control in UTF-8 (U+009B is CSI to xterm) too.
printf '{"timestamp":"2025-10-01T12:00:00Z","provider":"openai","model":"gpt-4o","agent":"c1\\u009b2J","usage":{"input_tokens":100}}\n' >c1.jsonl
set +e
"$BURNRATE" --quiet check --baseline base.json --by agent --format text \
	c1.jsonl >c1.txt 2>&1
set -e
! grep -q "$(printf '\302\233')" c1.txt && grep -q 'c1?2J' c1.txt ||
	fail "check: a C1 control got through: $(cat -v c1.txt)"
# Warnings and errors naming what the logs hold: ingest's and check's
# unpriced provider/model, check's rejected records.
printf 'timestamp,provider,model,input_tokens\n2025-10-01T00:00:00Z,p\033[2J,m,-1\n' >rawrec.csv
set +e
{
	"$BURNRATE" --store warn ingest names.jsonl
	"$BURNRATE" check --write-baseline base3.json names.jsonl
	"$BURNRATE" check --write-baseline base4.json rawrec.csv
} >warn.txt 2>&1
set -e
! grep -q "$(printf '[\033\007]')" warn.txt && grep -q 'acme?\[2J/=cmd|?\]0;x? (1)' warn.txt &&
	grep -q '(acme?\[2J/=cmd|?\]0;x?)' warn.txt && grep -q 'p?\[2J,m,-1' warn.txt ||
	fail "a name from the logs reached stderr as it is: $(cat -v warn.txt)"
# And report --reprice's refusal to split a stored band names the model.
printf '{"timestamp":"2025-10-01T00:00:00Z","provider":"acme\\u001b]0;pwn\\u0007","model":"gpt-4o","usage":{"input_tokens":5000}}\n' >band.jsonl
printf 'provider,model,from,input,output,cache_read,cache_write,cache_write_1h,reasoning,min_input_tokens,tier\n,gpt-4o,,1,1,,,,,,\n,gpt-4o,,2,2,,,,,1000,\n' >band.csv
"$BURNRATE" --quiet --store band ingest band.jsonl
must_fail 1 band.err "$BURNRATE" --store band report --as-of 2025-10-31 --reprice --prices band.csv
! grep -q "$(printf '[\033\007]')" band.err && grep -q 're-price acme?\]0;pwn?/gpt-4o' band.err ||
	fail "report --reprice: a name from the logs reached stderr as it is: $(cat -v band.err)"

# ------------------------------------------------------ file modes

# Whatever the umask (000 here), nothing in the store is writable by
# group or others, and the notify ledger is private.
mode() { stat -c %a "$1"; }
b compact >/dev/null
check_modes() {
	for f in s s/segments s/burnrate.store s/lock s/segments/*; do
		m=$(mode "$f")
		case $m in
		*[2367]? | *[2367]) fail "$f has mode $m: group or others may write" ;;
		esac
	done
}
check_modes

# A link planted where a temporary file goes (the report's, a baseline's,
# in a directory others may write) is not followed: the write fails.
echo precious >victim
for f in csv xlsx; do
	sh -c 'ln -s victim "out.$1.tmp-$$"; exec "$0" --quiet --store s report \
		--format "$1" --as-of 2025-10-31 --output "out.$1"' "$BURNRATE" $f \
		2>link.err && fail "report --format $f wrote through a link"
	grep -q "cannot create 'out.$f': its temporary file 'out.$f.tmp-.*' is a link" \
		link.err || fail "$f: $(cat link.err)"
done
sh -c 'ln -s victim ".tmp-$$-base2.json"; exec "$0" --quiet check \
	--write-baseline base2.json names.jsonl' "$BURNRATE" 2>link.err &&
	fail "check --write-baseline wrote through a link"
[ "$(cat victim)" = precious ] || fail "a file was written through a link"

# A link at the output path itself, planted in a sticky directory anyone
# may write (/tmp) by another user, is not followed, as the kernel's
# fs.protected_symlinks would not follow it: reading the link bypasses
# that rule, and the report was renamed over the file it named (as root,
# any file). Dangling, the file it names is not created. Root only (to
# give the links to another user).
if [ "$(id -u)" -eq 0 ]; then
	mkdir shared
	chmod 1777 shared
	ln -s ../victim shared/planted.csv
	ln -s ../created.csv shared/dangling.csv
	chown -h 65534 shared/planted.csv shared/dangling.csv
	for l in planted dangling; do
		b report --format csv --as-of 2025-10-31 --output shared/$l.csv \
			2>planted.err && fail "--output followed a link planted in a shared directory ($l)"
		grep -q "cannot write 'shared/$l.csv': the link 'shared/$l.csv' in a shared directory belongs to another user" \
			planted.err || fail "$l: $(cat planted.err)"
		[ -L shared/$l.csv ] || fail "the planted link $l was replaced"
	done
	[ "$(cat victim)" = precious ] || fail "a file was replaced through a planted link"
	[ ! -e created.csv ] || fail "a file was created through a planted link"
	# Its owner's own link in that directory is followed.
	chown -h 0 shared/dangling.csv
	b report --format csv --as-of 2025-10-31 --output shared/dangling.csv ||
		fail "--output through the user's own link in a shared directory exited $?"
	[ -s created.csv ] && [ -L shared/dangling.csv ] || fail "the user's own link was not followed"
fi

# ------------------------------------------------- archive members

mkdir -p arch/deep/er
cd arch/deep/er
"$PYTHON" - <<'EOF'
import io, tarfile, zipfile
line = (b'{"timestamp":"2025-10-03T00:00:00Z","provider":"openai","model":"gpt-4o",'
        b'"request_id":"m%d","usage":{"input_tokens":5}}\n')
with zipfile.ZipFile('evil.zip', 'w') as z:
    z.writestr('../../escaped.jsonl', line % 1)
    z.writestr('/tmp/burnrate-abs.jsonl', line % 2)
    z.writestr('dir/../../up.jsonl', line % 3)
with tarfile.open('evil.tar.gz', 'w:gz') as t:
    for name, i in (('../../escaped-tar.jsonl', 4), ('/tmp/burnrate-abs-tar.jsonl', 5)):
        ti = tarfile.TarInfo(name)
        ti.size = len(line % i)
        t.addfile(ti, io.BytesIO(line % i))
    ti = tarfile.TarInfo('link.jsonl')
    ti.type = tarfile.SYMTYPE
    ti.linkname = '/etc/passwd'
    t.addfile(ti)
    ti = tarfile.TarInfo('hard.jsonl')
    ti.type = tarfile.LNKTYPE
    ti.linkname = '../../escaped-tar.jsonl'
    t.addfile(ti)
EOF
cd "$tmp"
files() { find "$tmp" -path "$tmp/s" -prune -o -print | grep -v '/arch.rej$' | sort; }
files >before.txt
b ingest --rejects arch.rej arch/deep/er/evil.zip arch/deep/er/evil.tar.gz
files | diff before.txt - | grep '^[<>]' &&
	fail "ingesting archives created or removed files"
[ ! -e /tmp/burnrate-abs.jsonl ] && [ ! -e /tmp/burnrate-abs-tar.jsonl ] ||
	fail "an absolute member name was written"
# Each member counted once under its own name; links are not members.
b report --format csv --by day --since 2025-10-03 --until 2025-10-03 \
	--as-of 2025-10-31 | grep -q '^2025-10-03,5,' ||
	fail "archive members not counted as 5 requests: $(b report --format csv --since 2025-10-03 --as-of 2025-10-31)"
! grep -q 'root:' arch.rej 2>/dev/null || fail "a link member was followed"

# Control characters in a member's or a file's name never reach the
# terminal or the rejects file: they are shown as '?'.
mkdir ctl
"$PYTHON" - <<'EOF'
import io, tarfile
bad = (b'{"timestamp":"2025-10-03T00:00:00Z","provider":"openai","model":"gpt-4o",'
       b'"usage":{"input_tokens":-1}}\n')
with tarfile.open('ctl.tar', 'w') as t:
    for name, data in (('esc\x1b]0;pwn\x07.jsonl', bad),
                       ('cls\x1b[2J\u009b.jsonl', b'hello\n')):
        ti = tarfile.TarInfo(name)
        ti.size = len(data)
        t.addfile(ti, io.BytesIO(data))
open('ctl/walked\x1b[31m.jsonl', 'wb').write(bad)
EOF
set +e
"$BURNRATE" --store s ingest --rejects ctl.rej ctl.tar ctl >ctl.out 2>ctl.err
rc=$?
set -e
[ $rc -eq 1 ] || fail "control characters in names: exit $rc: $(cat -v ctl.err)"
! grep -q "$(printf '[\033\007]')" ctl.out ctl.err ctl.rej ||
	fail "a control character of a name got through: $(cat -v ctl.err ctl.rej)"
grep -q '^ctl.tar:esc?\]0;pwn?.jsonl:1: invalid usage.input_tokens' ctl.rej &&
	grep -q '^ctl/walked?\[31m.jsonl:1: invalid usage.input_tokens' ctl.rej &&
	grep -q 'error: ctl.tar:cls?\[2J?.jsonl: cannot tell the log format' ctl.err ||
	fail "names with control characters: $(cat -v ctl.err ctl.rej)"

# A budget's name and scope in the table: '?' for each control character
# (they went to the terminal as they were: "\033[2J" cleared it).
printf 'name,scope,period,limit_usd\n"evil\033[2J\033[31mRED\rline2",agent=bot\001x,monthly,10\n' >ctl-budgets.csv
"$BURNRATE" --store s report --as-of 2025-11-01 --budgets ctl-budgets.csv >ctl.out
grep -q '^budget evil?\[2J?\[31mRED?line2 (agent=bot?x, monthly): ' ctl.out &&
	! grep -q "$(printf '[\033\001\r]')" ctl.out ||
	fail "a budget's control characters in the table: $(cat -v ctl.out)"

# A reason that quotes a value of the record shows it decoded: its
# control characters are '?' too, so a JSON "\n" adds no line to the
# rejects file (one line per record) and "\u001b" no escape.
printf '%s\n' '{"timestamp":"x\nfake.jsonl:9: forged","provider":"p","model":"m"}' \
	'{"timestamp":"2025-10-03T00:00:00Z","provider":"p","model":"m","service_tier":"\u001b]0;pwn\u0007"}' \
	>reasons.jsonl
"$BURNRATE" --store s ingest --rejects reasons.rej reasons.jsonl >/dev/null 2>&1
[ "$(wc -l <reasons.rej)" -eq 2 ] && ! grep -q "$(printf '[\033\007]')" reasons.rej &&
	grep -q "^reasons.jsonl:1: invalid timestamp 'x?fake.jsonl:9: forged'" reasons.rej &&
	grep -q "^reasons.jsonl:2: invalid service_tier '?\]0;pwn?'" reasons.rej ||
	fail "a value quoted by a reason got through: $(cat -v reasons.rej)"

# -------------------------------------------------- symbolic links

# In a walked directory: a link to itself, to its parent, to / and to a
# file outside. None is followed; the walk ends.
mkdir -p walk/sub outside
line='{"timestamp":"2025-10-04T00:00:00Z","provider":"openai","model":"gpt-4o","request_id":"%s","usage":{"input_tokens":3}}\n'
printf "$line" in1 >walk/a.jsonl
printf "$line" in2 >walk/sub/b.jsonl
printf "$line" secret >outside/secret.jsonl
ln -s . walk/self
ln -s .. walk/sub/up
ln -s / walk/root
ln -s ../outside/secret.jsonl walk/secret.jsonl
ln -s "$tmp/outside" walk/out
ln -s missing.jsonl walk/dangling.jsonl
if command -v timeout >/dev/null; then to="timeout 20"; else to=; fi
$to "$BURNRATE" --quiet --store s ingest walk >walk.out 2>&1 ||
	fail "walking a directory with links: $(cat walk.out)"
b report --format csv --by day --since 2025-10-04 --until 2025-10-04 \
	--as-of 2025-10-31 | grep -q '^2025-10-04,2,' ||
	fail "a link was followed: $(b report --format csv --since 2025-10-04 --as-of 2025-10-31)"

# ------------------------------------------------------- secrets

# The SMTP server, with the password; runs that fail in every way a
# message could carry it, and everything they print or write.
secret='Sw0rdf1sh-s3cr3t'
trap 'smtpd_stop; rm -rf "$tmp"' EXIT
smtpd_start mail --auth "alice:$secret"
rc_file() { # password-line
	printf 'host 127.0.0.1\nport %s\nfrom burnrate@example.com\ntimeout 5\n' \
		"$(cat port)" >msmtprc
	printf 'auth plain\nuser alice\n%s\n' "$1" >>msmtprc
	chmod 600 msmtprc
}
cat >budgets.csv <<'EOF'
name,scope,period,limit_usd,thresholds,forecast,recipients
tiny,*,monthly,0.000001,50,no,fin@example.com
EOF
notify() { "$BURNRATE" --verbose --store s notify --budgets budgets.csv \
	--smtp-config msmtprc --as-of 2025-10-05 "$@" >>secret.out 2>&1 || true; }

rc_file "password $secret"                   # the messages, not sent
mkdir dry
notify --dry-run dry
[ "$(ls dry | grep -c '\.eml$')" -ge 1 ] || fail "no message in dry/: $(cat secret.out)"
rc_file "password ${secret}x"                # refused by the server
notify
rc_file "password $secret"
chmod 644 msmtprc                            # refused: others may read it
notify
grep -q 'holds a password but group or others may access it' secret.out ||
	fail "a 0644 file with a password was not refused: $(cat secret.out)"
rc_file "passwordeval \"echo $secret; exit 3\"" # a failing passwordeval
notify
rc_file "password \"$secret"                 # a syntax error on its line
notify
rc_file "password $secret"                   # and one that works
notify
[ "$(ls mail | grep -c '\.eml$')" -ge 1 ] || fail "no message was sent: $(cat secret.out)"
grep -rl -- "$secret" secret.out s dry mail/*.eml 2>/dev/null &&
	fail "the password was printed or written"
# The ledger holds recipients' addresses: private to the store's owner.
check_modes
[ "$(mode s/notify)" = 700 ] || fail "s/notify has mode $(mode s/notify)"
for f in s/notify/*; do
	[ "$(mode "$f")" = 600 ] || fail "$f has mode $(mode "$f")"
done

# With HOME unset or empty, ~/.msmtprc is the password database's home
# directory's, never ./.msmtprc: one in the current directory, whoever
# wrote it, was read and its passwordeval run.
pwhome=$(getent passwd "$(id -u)" | cut -d: -f6)
if [ -n "$pwhome" ] && [ ! -e "$pwhome/.msmtprc" ]; then
	mkdir -p evil
	printf 'account default\nhost 127.0.0.1\nport 9\nfrom x@example.com\nauth plain\nuser u\npasswordeval "touch %s/PWNED; echo pw"\n' \
		"$PWD" >evil/.msmtprc
	chmod 600 evil/.msmtprc
	printf 'name,scope,period,limit_usd,thresholds,forecast,recipients\nb,*,monthly,1,1,no,x@example.com\n' >evil.csv
	for how in unset empty; do
		set +e
		if [ $how = unset ]; then
			(cd evil && env -u HOME "$BURNRATE" --store ../s notify \
				--budgets ../evil.csv --as-of 2025-10-20) >evil.out 2>evil.err
		else
			(cd evil && HOME= "$BURNRATE" --store ../s notify \
				--budgets ../evil.csv --as-of 2025-10-20) >evil.out 2>evil.err
		fi
		rc=$?
		set -e
		[ ! -e PWNED ] || fail "HOME $how: ./.msmtprc was read, its passwordeval run"
		[ $rc -eq 2 ] && grep -q "$pwhome/.msmtprc" evil.err ||
			fail "HOME $how: exit $rc: $(cat evil.err)"
	done
fi

# SIGCHLD inherited ignored (a parent's SIG_IGN survives exec): the exit
# status of passwordeval vanished ("cannot wait for passwordeval: No
# child processes") and the alerts stayed pending on every run. Its
# password is taken; the server (none on port 9) is what fails, exit 75.
printf 'account default\nhost 127.0.0.1\nport 9\nfrom x@example.com\nauth plain\nuser u\npasswordeval "touch %s/evaluated; echo pw"\n' \
	"$PWD" >chld.rc
chmod 600 chld.rc
printf 'name,scope,period,limit_usd,thresholds,forecast,recipients\nchld,*,monthly,0.000001,50,no,x@example.com\n' >chld.csv
set +e
"$PYTHON" -c 'import os, signal, sys
signal.signal(signal.SIGCHLD, signal.SIG_IGN)
os.execv(sys.argv[1], sys.argv[1:])' "$BURNRATE" --store s notify \
	--budgets chld.csv --smtp-config chld.rc --as-of 2025-10-05 >chld.out 2>chld.err
rc=$?
set -e
[ -e evaluated ] && [ $rc -eq 75 ] && ! grep -q 'cannot wait' chld.err ||
	fail "SIGCHLD ignored: exit $rc: $(cat chld.err)"
