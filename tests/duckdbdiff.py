#!/usr/bin/env python3
"""duckdbdiff.py - burnrate's ingest and report of generic logs against
DuckDB, the peer outside tests use: seeded random generic JSONL and CSV
logs (every timestamp form of DESIGN section 3: RFC 3339 with Z, with
offsets that move a request across midnight, with fractions of 1 to 9
digits; 'YYYY-MM-DD HH:MM:SS[.f]'; epoch seconds and milliseconds as JSON
integers and reals; statuses as codes and strings; missing counts; keys in
any order; unknown nested values holding the names of known keys, and
other formats' marks (a sessionId, an error object, a type); request
ids repeated within and across files, integer ids, ids of other types,
records without one; CSV with columns in any order or left out, extra
columns, quoted fields with commas, quotes and newlines, a BOM, CRLF) are
ingested into a store of a random time zone (--cost-mode display, --jobs
1, 2 or 4) and reported by day, ISO week or month and the other keys, over
periods with --since, --until, --month and --as-of; DuckDB reads the same
files (read_ndjson_objects, read_csv) and computes each group with its own
SQL: its time zone rules (ICU), its ISO weeks, DECIMAL sums of the logged
costs rounded half away from zero to 6 decimals, the first copy of a
request id in file and line order. Every row of `report --format json`
must equal DuckDB's, and `--format csv` the JSON rows.

Usage: duckdbdiff.py BURNRATE QUERY_JS NODE_PATH WORKDIR [CASES [SEED]]
Prints the groups compared; exit 1 on a difference (the first ones shown).
"""
import csv
import io
import json
import os
import random
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal

BURNRATE, QUERY_JS, NODE_PATH, WORK = sys.argv[1:5]
CASES = int(sys.argv[5]) if len(sys.argv) > 5 else 8
SEED = int(sys.argv[6]) if len(sys.argv) > 6 else 1

# Instants near DST changes (Los Angeles, Chatham), a year's end (ISO
# weeks 2026-W01 and 2026-W53), a month's end and a leap day.
CENTERS = ['2025-11-02T09:00:00Z', '2026-03-08T10:00:00Z',
           '2025-09-27T14:00:00Z', '2026-04-04T14:00:00Z',
           '2025-12-31T23:00:00Z', '2026-01-04T12:00:00Z',
           '2025-10-31T23:30:00Z', '2024-02-29T12:00:00Z',
           '2026-12-31T12:00:00Z']
ZONES = ['UTC', 'America/Los_Angeles', 'Asia/Kolkata', 'Pacific/Chatham']
OFFSETS = ['+00:00', '-00:00', '+05:30', '-05:00', '+14:00', '-12:00',
           '+05:45', '-09:30', '+13:45', '-08:00', '+12:45', '+01:00']
MODELS = [('openai', 'gpt-4o'), ('openai', 'gpt-4o-mini'),
          ('anthropic', 'claude-sonnet-4-5'), ('google', 'gemini-2.5-flash'),
          ('acme', 'x-1'), ('openai', 'o3')]
AGENTS = ['bot', 'support-bot', 'Ünïcode', 'a,b', 'q"uote', '', 'sp ace',
          'multi\nline', '\U0001F600']
STATUSES = [200, 200, 200, 201, 399, 400, 404, 500, 503.0, 4e2, 'error',
            'ok', '500', '0500', 'ERROR', 'Failed', 'failure', '399', None,
            True, {'code': 500}, '200']
# Unknown keys of a generic record that mark another format's records
# (the first record's tell the format of a log).
OTHER_MARKS = [{'sessionId': 's-1'}, {'uuid': 'u-1', 'message': 'hello'},
               {'error': {'message': 'overloaded', 'type': 'server_error'}},
               {'error': {'code': 500, 'status': 'INTERNAL'}}, {'type': 'message'},
               {'object': 'chat.completion'}, {'modelVersion': 'v1'},
               {'startTime': '2025-09-01T12:00:00Z', 'spend': 0.1},
               {'response_id': 'x', 'request_created_at': '2025-09-01T12:00:00Z'}]
TOKENS = ['input_tokens', 'output_tokens', 'cache_read_tokens',
          'cache_write_tokens', 'cache_write_1h_tokens', 'reasoning_tokens']
CSV_COLUMNS = (['timestamp', 'provider', 'model', 'agent', 'label',
                'request_id', 'status'] + TOKENS + ['cost_usd'])
KEYSETS = [['day'], ['day', 'provider', 'model', 'agent'],
           ['week', 'provider'], ['month', 'model'],
           ['day', 'provider', 'model', 'agent', 'label'], ['week'],
           ['month', 'agent']]
COUNTS = ['requests', 'errors'] + TOKENS + ['unpriced_requests']


def timestamp(rng, us):
    """A JSON value naming the instant us (epoch microseconds) in one of
    the forms, to the precision the form keeps."""
    sec, frac = divmod(us, 10**6)
    t = datetime.fromtimestamp(sec, timezone.utc)
    form = rng.randrange(9)
    if form == 0:
        return t.strftime('%Y-%m-%dT%H:%M:%SZ')
    if form == 1:  # 1 to 9 digits, those past the 6th cut
        digits = (f'{frac:06d}' + str(rng.randrange(1000)).zfill(3))
        return t.strftime('%Y-%m-%dT%H:%M:%S.') + digits[:rng.randint(1, 9)] + 'Z'
    if form == 2:
        off = rng.choice(OFFSETS)
        sign = -1 if off[0] == '-' else 1
        local = t + sign * timedelta(hours=int(off[1:3]), minutes=int(off[4:6]))
        ms = f'.{frac // 1000:03d}' if rng.random() < 0.5 else ''
        return local.strftime('%Y-%m-%dT%H:%M:%S') + ms + off
    if form == 3:
        return t.strftime('%Y-%m-%d %H:%M:%S') + rng.choice(['', f'.{frac:06d}'])
    if form == 4:
        return sec
    if form == 5:
        return float(f'{sec}.{frac // 10000:02d}')
    if form == 6:
        return us // 1000
    if form == 7:
        return float(f'{us // 1000}.5')
    return float(sec)


def records(rng, n, ids):
    out = []
    for seq in range(n):
        base = int(datetime.fromisoformat(
            rng.choice(CENTERS).replace('Z', '+00:00')).timestamp())
        us = (base + rng.randint(-40 * 3600, 40 * 3600)) * 10**6 + rng.randrange(10**6)
        if rng.random() < 0.15:  # at a midnight, in UTC or a zone's
            day = base - base % 86400 + rng.choice([0, 86400])
            us = (day + rng.choice([0, -1, 1800, -1800, -5 * 3600, 8 * 3600,
                                    -19800, 13 * 3600 + 45 * 60])) * 10**6
            us += rng.choice([0, 1, 999999, 500000])
        provider, model = rng.choice(MODELS)
        r = {'timestamp': timestamp(rng, us), 'provider': provider, 'model': model}
        if rng.random() < 0.9:
            r['agent'] = (rng.choice(AGENTS) if rng.random() < 0.95
                          else rng.choice([5, None, {'x': 1}, True]))
        x = rng.random()
        if x < 0.6:
            r['request_id'] = rng.choice(ids)
        elif x < 0.7:
            r['request_id'] = rng.choice([7, 0, 12, '7', '12', 7.0, None, True])
        if rng.random() < 0.85:
            r['status'] = rng.choice(STATUSES)
        usage = {t: rng.choice([0, rng.randint(0, 5000), rng.randint(0, 2000000)])
                 for t in TOKENS if rng.random() < 0.75}
        if rng.random() < 0.97:
            r['usage'] = usage
        if rng.random() < 0.9:
            r['cost_usd'] = rng.choice([round(rng.random() * 2, rng.randint(0, 12)),
                                        0.0000005, 1e-7, 3, 0.1 + 0.2, 0])
        if rng.random() < 0.3:
            r['meta'] = {'usage': {'input_tokens': 999999},
                         'timestamp': '1999-01-01T00:00:00Z',
                         'arr': [1, {'provider': 'x'}, [2, 3]], 's': 'x}{"y', 'n': None}
        if rng.random() < 0.2:
            r['label'] = rng.choice(['team-a', 'team-b', ''])
        if rng.random() < 0.1 or seq == 0:  # other formats' marks, unknown here
            r.update(rng.choice(OTHER_MARKS))
        r['_seq'] = seq  # an unknown key: DuckDB's line order
        out.append(r)
    return out


def write_jsonl(rng, recs, path):
    with open(path, 'w', encoding='utf-8') as f:
        for r in recs:
            keys = list(r)
            rng.shuffle(keys)
            o = {k: r[k] for k in keys}
            if isinstance(o.get('usage'), dict):
                u = list(o['usage'])
                rng.shuffle(u)
                o['usage'] = {k: o['usage'][k] for k in u}
            f.write(json.dumps(o, ensure_ascii=rng.random() < 0.5) + '\n')


def cell(v):
    if v is None:
        return ''
    if isinstance(v, bool):
        return 'true' if v else 'false'
    if isinstance(v, (int, float)):
        return json.dumps(v)
    return v


def write_csv(rng, recs, path):
    """Writes recs as generic CSV; returns its columns."""
    cols = [c for c in CSV_COLUMNS
            if c in ('timestamp', 'provider', 'model') or rng.random() > 0.1]
    cols += ['_seq', 'note', 'extra col']
    rng.shuffle(cols)
    crlf = rng.random() < 0.5
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator='\r\n' if crlf else '\n',
                   quoting=rng.choice([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]))
    w.writerow(cols)
    for r in recs:
        row = []
        for c in cols:
            if c in TOKENS:
                v = (r.get('usage') or {}).get(c, 0)
            elif c == 'note':
                v = rng.choice(['', 'a "quoted", note\nwith a newline', 'x,y',
                                '{"usage":{"input_tokens":5}}'])
            elif c == 'extra col':
                v = rng.choice(['', 'ö', '"'])
            elif c in ('agent', 'label'):
                v = r.get(c) if isinstance(r.get(c), str) else ''
            elif c in ('request_id', 'status'):
                v = r.get(c)
                if isinstance(v, bool) or not isinstance(v, (str, int)):
                    v = ''
            else:
                v = r.get(c)
            row.append(cell(v))
        w.writerow(row)
    with open(path, 'w', encoding='utf-8', newline='') as f:
        f.write(('\ufeff' if rng.random() < 0.4 else '') + buf.getvalue())
    return cols


NUMBER = "IN ('UBIGINT','BIGINT','DOUBLE')"


def epoch(text):
    """SQL: the instant of an epoch number (its text), milliseconds above
    1e11, cut to microseconds."""
    v = f'({text})::DECIMAL(38,9)'
    return (f"(CASE WHEN {v} > 1e11 THEN make_timestamp(floor({v} * 1000)::BIGINT)"
            f" ELSE make_timestamp(floor({v} * 1000000)::BIGINT) END)::TIMESTAMPTZ")


def events_jsonl(files):
    fl = ', '.join(f"'{f}'" for f in files)
    toks = ', '.join(f"coalesce((j->>'$.usage.{t}')::BIGINT, 0) AS {t}" for t in TOKENS)
    return f"""
WITH raw AS (SELECT filename, json AS j FROM read_ndjson_objects([{fl}], filename = true)),
r AS (SELECT filename, (j->>'$._seq')::BIGINT AS seq,
  CASE WHEN json_type(j, '$.timestamp') {NUMBER} THEN {epoch("j->>'$.timestamp'")}
       ELSE CAST(j->>'$.timestamp' AS TIMESTAMPTZ) END AS ts,
  j->>'$.provider' AS provider, j->>'$.model' AS model,
  CASE WHEN json_type(j, '$.agent') = 'VARCHAR' THEN j->>'$.agent' ELSE '' END AS "agent",
  CASE WHEN json_type(j, '$.label') = 'VARCHAR' THEN j->>'$.label' ELSE '' END AS "label",
  CASE WHEN json_type(j, '$.request_id') IN ('VARCHAR', 'BIGINT', 'UBIGINT')
       THEN j->>'$.request_id' END AS rid,
  CASE WHEN json_type(j, '$.status') {NUMBER} THEN (j->>'$.status')::DOUBLE >= 400
       WHEN json_type(j, '$.status') = 'VARCHAR' THEN
            lower(j->>'$.status') IN ('error', 'failed', 'failure') OR
            (regexp_full_match(j->>'$.status', '[0-9]+') AND
             TRY_CAST(j->>'$.status' AS HUGEINT) >= 400)
       ELSE false END AS err,
  {toks},
  CASE WHEN json_type(j, '$.cost_usd') {NUMBER} THEN (j->>'$.cost_usd')::DECIMAL(38,12) END AS lcost
  FROM raw)"""


def events_csv(files, present):
    fl = ', '.join(f"'{f}'" for f in files)
    missing = ''.join(f', NULL::VARCHAR AS "{c}"' for c in CSV_COLUMNS if c not in present)
    toks = ', '.join(f"coalesce(TRY_CAST(nullif(\"{t}\", '') AS BIGINT), 0) AS {t}"
                     for t in TOKENS)
    # A quoted CR LF is read as LF (docs/FORMATS.md).
    return f"""
WITH raw AS (SELECT *{missing} FROM read_csv([{fl}], header = true, all_varchar = true,
  filename = true, quote = '"', escape = '"', delim = ',', union_by_name = true)),
r AS (SELECT filename, "_seq"::BIGINT AS seq,
  CASE WHEN regexp_full_match(timestamp, '-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?')
       THEN {epoch('timestamp')} ELSE CAST(timestamp AS TIMESTAMPTZ) END AS ts,
  provider, model, replace(coalesce(agent, ''), chr(13) || chr(10), chr(10)) AS "agent",
  coalesce(label, '') AS "label", nullif(request_id, '') AS rid,
  coalesce(lower(status) IN ('error', 'failed', 'failure') OR
           (regexp_full_match(status, '[0-9]+') AND TRY_CAST(status AS HUGEINT) >= 400),
           false) AS err,
  {toks},
  CAST(nullif(cost_usd, '') AS DECIMAL(38,12)) AS lcost
  FROM raw)"""


def groups_sql(events, zone, keys, since, until):
    local = f"timezone('{zone}', ts)"
    of = {'day': f"strftime({local}, '%Y-%m-%d')", 'week': f"strftime({local}, '%G-W%V')",
          'month': f"strftime({local}, '%Y-%m')"}
    sel = ', '.join(f'{of[k]} AS "{k}"' if k in of else f'"{k}"' for k in keys)
    where = ['true']
    if since:
        where.append(f"{of['day']} >= '{since}'")
    if until:
        where.append(f"{of['day']} <= '{until}'")
    # Reasoning is part of the output (capped at it); the report's cache
    # writes count the 1-hour ones too; in display mode a request is
    # priced by its logged cost, but for a logged 0 for tokens (README);
    # a request without tokens costs nothing, logged cost or not.
    tokens = '+'.join(TOKENS[:5])
    return events + f""",
d AS (SELECT * FROM r QUALIFY rid IS NULL OR
      row_number() OVER (PARTITION BY rid ORDER BY filename, seq) = 1)
SELECT {sel}, count(*) AS requests, count(*) FILTER (WHERE err) AS errors,
  sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens,
  sum(cache_read_tokens) AS cache_read_tokens,
  sum(cache_write_tokens + cache_write_1h_tokens) AS cache_write_tokens,
  sum(cache_write_1h_tokens) AS cache_write_1h_tokens,
  sum(least(reasoning_tokens, output_tokens)) AS reasoning_tokens,
  CAST(coalesce(sum(lcost) FILTER (WHERE NOT (lcost = 0 AND {tokens} > 0)), 0) AS VARCHAR) AS cost,
  count(*) FILTER (WHERE (lcost IS NULL OR lcost = 0) AND {tokens} > 0) AS unpriced_requests
FROM d WHERE {' AND '.join(where)} GROUP BY ALL"""


def duckdb(sql, path):
    with open(path, 'w', encoding='utf-8') as f:
        f.write(sql)
    p = subprocess.run(['node', QUERY_JS, path], capture_output=True, text=True,
                       env=dict(os.environ, NODE_PATH=NODE_PATH))
    if p.returncode:
        sys.exit(f'DuckDB failed: {p.stderr}')
    return json.loads(p.stdout)


def burnrate(*args):
    p = subprocess.run([BURNRATE, *args], capture_output=True, text=True)
    if p.returncode:
        sys.exit(f'burnrate {" ".join(args)}: exit {p.returncode}: {p.stderr}')
    return p.stdout


def differences(rows, theirs, keys, tag):
    mine = {tuple(str(r[k]) for k in keys): r for r in rows}
    out = []
    for t in theirs:
        key = tuple(str(t[k]) for k in keys)
        m = mine.pop(key, None)
        if m is None:
            out.append(f'{tag} {key}: only DuckDB has it')
            continue
        for c in COUNTS:
            if m[c] != int(t[c]):
                out.append(f'{tag} {key} {c}: burnrate {m[c]}, DuckDB {t[c]}')
        cost = Decimal(t['cost']).quantize(Decimal('0.000001'), ROUND_HALF_UP)
        if Decimal(str(m['cost_usd'])) != cost:
            out.append(f'{tag} {key} cost_usd: burnrate {m["cost_usd"]}, DuckDB {cost} ({t["cost"]})')
    out += [f'{tag} {key}: only burnrate has it' for key in mine]
    return out


def csv_differences(json_text, csv_text, tag):
    rows = json.loads(json_text)['rows']
    lines = list(csv.reader(io.StringIO(csv_text)))
    if not rows:
        return [] if len(lines) <= 1 else [f'{tag}: CSV rows, no JSON row']
    if lines[0] != list(rows[0]) or len(lines) - 1 != len(rows):
        return [f'{tag}: CSV header {lines[0]} ({len(lines) - 1} rows), JSON {list(rows[0])} ({len(rows)})']
    out = []
    for r, line in zip(rows, lines[1:]):
        for (k, v), c in zip(r.items(), line):
            same = Decimal(str(v)) == Decimal(c) if k == 'cost_usd' else str(v) == c
            if not same:
                out.append(f'{tag}: {k} is {v!r} in JSON, {c!r} in CSV')
    return out


def main():
    rng = random.Random(SEED)
    compared = 0
    diffs = []
    for case in range(CASES):
        d = os.path.join(WORK, f'case{case}')
        os.makedirs(d)
        ids = [f'r-{i}' for i in range(rng.randint(5, 400))]
        kind = 'csv' if case % 2 else 'jsonl'
        files, present = [], set()
        for i in range(rng.randint(1, 3)):
            recs = records(rng, rng.randint(20, 1500), ids)
            path = os.path.join(d, f'f{i}.{kind}')
            if kind == 'csv':
                present |= set(write_csv(rng, recs, path))
            else:
                write_jsonl(rng, recs, path)
            files.append(path)
        zone = rng.choice(ZONES)
        store = os.path.join(d, 'store')
        burnrate('--quiet', '--store', store, 'init', '--timezone', zone)
        burnrate('--quiet', '--store', store, 'ingest', '--cost-mode', 'display',
                 '--jobs', str(rng.choice([1, 2, 4])), *files)
        events = events_csv(files, present) if kind == 'csv' else events_jsonl(files)
        for n, keys in enumerate(rng.sample(KEYSETS, 3)):
            period, since, until = [], None, None
            x = rng.random()
            if x < 0.3:
                month = rng.choice(['2025-11', '2026-01', '2026-03'])
                until = rng.choice([None, month + '-02', month + '-08'])
                period = ['--month', month, '--as-of', until or '2027-01-31']
                since, until = month + '-01', until or month + '-31'
            elif x < 0.7:
                since = rng.choice([None, '2025-11-02', '2025-12-29', '2026-01-01', '2026-03-08'])
                until = rng.choice([None, '2025-12-31', '2026-01-04', '2026-03-08', '2026-04-05'])
                if since and until and since > until:
                    since, until = until, since
                period = (['--since', since] if since else []) + ['--as-of', until or '2027-01-31']
            else:
                period = ['--as-of', '2027-01-31']
            tag = f'case {case} ({kind}, {zone}, --by {",".join(keys)} {" ".join(period)})'
            args = ['--store', store, 'report', '--by', ','.join(keys), *period]
            text = burnrate(*args, '--format', 'json')
            rows = json.loads(text)['rows']
            theirs = duckdb(groups_sql(events, zone, keys, since, until),
                            os.path.join(d, f'q{n}.sql'))
            diffs += differences(rows, theirs, keys, tag)
            diffs += csv_differences(text, burnrate(*args, '--format', 'csv'), tag)
            compared += len(theirs)
    print(f'duckdbdiff: {compared} groups of {CASES} cases compared with DuckDB, '
          f'{len(diffs)} differences')
    for line in diffs[:20]:
        print(line)
    sys.exit(1 if diffs or compared < 10 * CASES else 0)


main()
