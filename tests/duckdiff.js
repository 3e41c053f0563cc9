// duckdiff.js - burnrate's report against DuckDB's GROUP BY of the same
// generic logs (DESIGN §3's rules written in SQL, nothing of burnrate's
// code used). Not part of `make check`: it needs @duckdb/node-api (npm;
// bench/common.sh installs it into $BUILD/bench-node). tests/duckdiff.sh
// drives it.
//
// Usage: node duckdiff.js --report R.json [--tz TZ] [--display] FILE...
//   FILEs in the order burnrate read them (the first copy of a request id
//   counts); *.csv[.gz] is generic CSV, anything else generic JSONL.
//   R.json: `burnrate report --format json` of a store holding exactly
//   those FILEs, period wide enough. --display: the store was ingested
//   with --cost-mode display, so cost_usd (the logged costs) and
//   unpriced_requests are compared too. Prints the number of groups
//   compared, or every difference (exit 1).
//
// What JavaScript does: it splits a JSONL log into lines (numbered, the
// BOM and CR dropped) and tells which lines are strict JSON (DuckDB's
// parser takes NaN and trailing commas, which JSON and burnrate do not).
// Every rule of the record's fields is SQL below.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const zlib = require('zlib');
const { DuckDBInstance } = require('@duckdb/node-api');

const args = process.argv.slice(2);
let report, tz = 'UTC', display = false;
const files = [];
while (args.length) {
	const a = args.shift();
	if (a === '--report') report = args.shift();
	else if (a === '--tz') tz = args.shift();
	else if (a === '--display') display = true;
	else files.push(a);
}
if (!report || !files.length) {
	console.error('usage: node duckdiff.js --report R.json [--tz TZ] [--display] FILE...');
	process.exit(2);
}
const got = JSON.parse(fs.readFileSync(report, 'utf8'));
const keys = got.group_by;
const sq = (s) => `'${String(s).replace(/'/g, "''")}'`;

// RFC 4180 records of a CSV text: {n: its first line's number, cells}.
// A CR before a line's end is no text; a last record without its line
// end counts when its quotes are closed (a row cut short is left out).
function csvRecords(text) {
	const recs = [];
	let cells = [], cell = '', quoted = false, line = 1, start = 1, i = 0;
	const end = () => {
		cells.push(cell);
		recs.push({ n: start, cells });
		cells = []; cell = '';
	};
	while (i < text.length) {
		const c = text[i++];
		if (quoted) {
			if (c === '"' && text[i] === '"') { cell += '"'; i++; }
			else if (c === '"') quoted = false;
			else { if (c === '\n') line++; cell += c; }
		} else if (c === '"' && cell === '') quoted = true;
		else if (c === ',') { cells.push(cell); cell = ''; }
		else if (c === '\n') { end(); start = ++line; }
		else if (c === '\r' && text[i] === '\n') continue;
		else cell += c;
	}
	if (!quoted && (cell !== '' || cells.length)) end();
	return recs;
}

// The logs' records as a table: f (file index), n (line number), ok (a
// strict JSON object; a CSV row of the header's fields), raw (JSONL) or
// cells (CSV).
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'duckdiff-'));
const lines = path.join(tmp, 'lines.jsonl');
const out = fs.openSync(lines, 'w');
let buf = [];
const put = (o) => {
	buf.push(JSON.stringify(o));
	if (buf.length > 4096) { fs.writeSync(out, buf.join('\n') + '\n'); buf = []; }
};
const headers = [];  // [file index, CSV header cells]
files.forEach((file, f) => {
	let text = fs.readFileSync(file);
	if (file.endsWith('.gz')) text = zlib.gunzipSync(text);
	text = text.toString('utf8').replace(/^\ufeff/, '');
	if (/\.csv(\.gz)?$/.test(file)) {
		const recs = csvRecords(text);
		const head = recs.shift();
		headers.push([f, head.cells]);
		for (const r of recs) {
			if (r.cells.length === 1 && r.cells[0] === '') continue;  // empty line
			put({ f, n: r.n, ok: r.cells.length === head.cells.length, cells: r.cells });
		}
		return;
	}
	const ls = text.split('\n');
	if (ls[ls.length - 1] === '') ls.pop();
	ls.forEach((l, i) => {
		l = l.replace(/\r$/, '');
		if (/^[ \t]*$/.test(l)) return;
		let ok = false;
		try {
			const v = JSON.parse(l);
			ok = v !== null && typeof v === 'object' && !Array.isArray(v);
		} catch (e) { /* not JSON: rejected */ }
		put({ f, n: i + 1, ok, raw: l });
	});
});
if (buf.length) fs.writeSync(out, buf.join('\n') + '\n');
fs.closeSync(out);

// A string member of the JSON record j, else NULL.
const jstr = (k) => `CASE WHEN json_type(j, '$.${k}') = 'VARCHAR'
	THEN json_extract_string(j, '$.${k}') END`;
// A token count: missing or null is 0; a JSON integer 0..1e15 its value;
// anything else -1 (rejects the record).
const jtok = (k) => `CASE WHEN coalesce(json_type(j, '$.usage.${k}'), 'NULL') = 'NULL' THEN 0
	WHEN json_type(j, '$.usage.${k}') IN ('BIGINT', 'UBIGINT')
	  AND TRY_CAST(json_extract(j, '$.usage.${k}') AS HUGEINT) BETWEEN 0 AND 1000000000000000
	THEN CAST(json_extract(j, '$.usage.${k}') AS HUGEINT) ELSE -1 END`;
const ctok = (k) => `CASE WHEN coalesce(${k}, '') = '' THEN 0
	WHEN regexp_full_match(${k}, '[0-9]{1,16}|-0{1,16}')
	  AND TRY_CAST(${k} AS HUGEINT) <= 1000000000000000 THEN TRY_CAST(${k} AS HUGEINT) ELSE -1 END`;
const toks = ['input_tokens', 'output_tokens', 'cache_read_tokens',
	'cache_write_tokens', 'cache_write_1h_tokens', 'reasoning_tokens'];
const tiers = `('standard', 'batch', 'flex', 'priority', 'default', 'auto', 'on_demand', 'scale')`;
// A status text is an error when error/failed/failure or digits >= 400.
const errText = (s) => `(lower(${s}) IN ('error', 'failed', 'failure')
	OR (regexp_full_match(${s}, '[0-9]+')
	    AND (length(ltrim(${s}, '0')) > 3 OR TRY_CAST(${s} AS INT) >= 400)))`;

// One event per record: its fields as DESIGN §3 reads them, ts the
// timestamp text (a string: epoch seconds are a JSON number, so digits
// there are no timestamp) or epoch its number, and `bad` when the record
// is rejected for what the later steps do not check.
const jsonEvents = `SELECT f, n,
	CASE WHEN json_type(j, '$.timestamp') = 'VARCHAR' THEN json_extract_string(j, '$.timestamp') END AS ts,
	CASE WHEN json_type(j, '$.timestamp') IN ('BIGINT', 'UBIGINT', 'DOUBLE')
	     THEN CAST(json_extract(j, '$.timestamp') AS DOUBLE) END AS epoch,
	${jstr('provider')} AS provider, ${jstr('model')} AS model,
	coalesce(${jstr('agent')}, '') AS agent, coalesce(${jstr('label')}, '') AS label,
	CASE json_type(j, '$.request_id') WHEN 'VARCHAR' THEN json_extract_string(j, '$.request_id')
	  WHEN 'BIGINT' THEN CAST(CAST(json_extract(j, '$.request_id') AS HUGEINT) AS VARCHAR)
	  WHEN 'UBIGINT' THEN CAST(CAST(json_extract(j, '$.request_id') AS HUGEINT) AS VARCHAR) END AS rid,
	CASE WHEN json_type(j, '$.status') IN ('BIGINT', 'UBIGINT', 'DOUBLE')
	     THEN CAST(json_extract(j, '$.status') AS DOUBLE) >= 400
	     WHEN json_type(j, '$.status') = 'VARCHAR'
	     THEN ${errText("json_extract_string(j, '$.status')")} ELSE false END AS err,
	CASE WHEN json_type(j, '$.cost_usd') IN ('BIGINT', 'UBIGINT', 'DOUBLE')
	     THEN CAST(json_extract(j, '$.cost_usd') AS DOUBLE) END AS cost,
	${toks.map((t) => `${jtok(t)} AS ${t}`).join(', ')},
	NOT ok OR coalesce(json_type(j, '$.usage'), 'OBJECT') NOT IN ('OBJECT', 'NULL')
	  OR (coalesce(json_type(j, '$.service_tier'), 'NULL') <> 'NULL'
	      AND coalesce(lower(${jstr('service_tier')}), '?') NOT IN ${tiers}) AS bad
	FROM (SELECT f, n, ok, CASE WHEN ok THEN CAST(raw AS JSON) END AS j
	      FROM records WHERE raw IS NOT NULL)`;

const jsonNumber = '-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?';
// A CSV log's events, as jsonEvents: its columns by name (blanks around
// and case ignored), all text; a timestamp of digits is epoch seconds (a
// cell has no type).
function csvEvents(f, cols) {
	const col = (name) => {
		const i = cols.findIndex((x) => x.trim().toLowerCase() === name);
		return i < 0 ? 'CAST(NULL AS VARCHAR)' : `cells[${i + 1}]`;
	};
	const ts = col('timestamp');
	return `SELECT f, n, ${ts} AS ts, CASE WHEN regexp_full_match(${ts}, ${sq(jsonNumber)})
		  THEN TRY_CAST(${ts} AS DOUBLE) END AS epoch,
		nullif(${col('provider')}, '') AS provider, nullif(${col('model')}, '') AS model,
		coalesce(${col('agent')}, '') AS agent, coalesce(${col('label')}, '') AS label,
		nullif(${col('request_id')}, '') AS rid,
		coalesce(${errText(col('status'))}, false) AS err,
		TRY_CAST(nullif(${col('cost_usd')}, '') AS DOUBLE) AS cost,
		${toks.map((t) => `${ctok(col(t))} AS ${t}`).join(', ')},
		(coalesce(${col('cost_usd')}, '') <> ''
		 AND NOT regexp_full_match(${col('cost_usd')}, ${sq(jsonNumber)}))
		OR (coalesce(${col('service_tier')}, '') <> '' AND lower(${col('service_tier')}) NOT IN ${tiers})
		  AS bad
		FROM records WHERE f = ${f} AND ok`;
}

// The instant of a timestamp text m (the parts of the regular expression
// in the query), NULL when invalid: YYYY-MM-DDTHH:MM:SS[.f] with Z or an
// offset (+hh:mm, +hhmm, +hh), or with a blank instead of T and the
// offset optional (UTC); T and Z in either case (RFC 3339); a leap
// second is :59 (and only at the end of a UTC day: the query checks).
const instant = `
	CASE WHEN m.y <> '' AND (m.sep = ' ' OR m.zone <> '')
	      AND TRY_CAST(m.hh AS INT) < 24 AND TRY_CAST(m.mi AS INT) < 60 AND TRY_CAST(m.ss AS INT) <= 60
	      AND (upper(m.zone) IN ('', 'Z') OR (TRY_CAST(substr(m.zone, 2, 2) AS INT) < 24
	           AND TRY_CAST(coalesce(nullif(right(replace(m.zone, ':', ''), 2), substr(m.zone, 2, 2)), '00') AS INT) < 60))
	THEN TRY_CAST(printf('%s-%s-%s %s:%s:%02d', m.y, m.mo, m.d, m.hh, m.mi, least(TRY_CAST(m.ss AS INT), 59)) AS TIMESTAMP)
	     - CASE WHEN upper(m.zone) IN ('', 'Z') THEN INTERVAL 0 MINUTE
	            ELSE (CASE WHEN m.zone[1] = '-' THEN -1 ELSE 1 END)
	                 * (TRY_CAST(substr(m.zone, 2, 2) AS INT) * INTERVAL 1 HOUR
	                    + TRY_CAST(CASE WHEN length(replace(m.zone, ':', '')) = 5
	                                THEN right(replace(m.zone, ':', ''), 2) ELSE '0' END AS INT)
	                      * INTERVAL 1 MINUTE) END END`;

(async () => {
	const db = await DuckDBInstance.create(':memory:');
	const con = await db.connect();
	await con.run(`CREATE TABLE records AS SELECT * FROM read_json(${sq(lines)},
		format = 'newline_delimited', columns = {'f': 'INTEGER', 'n': 'INTEGER',
		'ok': 'BOOLEAN', 'raw': 'VARCHAR', 'cells': 'VARCHAR[]'})`);
	const parts = [jsonEvents].concat(headers.map(([f, cols]) => csvEvents(f, cols)));
	const dayOf = (e) => tz === 'UTC' ? e : `timezone(${sq(tz)}, timezone('UTC', ${e}))`;
	const keyExpr = {
		day: `strftime(${dayOf('t')}, '%Y-%m-%d')`, week: `strftime(${dayOf('t')}, '%G-W%V')`,
		month: `strftime(${dayOf('t')}, '%Y-%m')`, provider: 'provider', model: 'model',
		agent: 'agent', label: 'label',
	};
	const query = `
	WITH ev AS (${parts.join('\nUNION ALL BY NAME\n')}),
	matched AS (
		SELECT ev.*, regexp_extract(ts,
			'^([0-9]{4})-([0-9]{2})-([0-9]{2})([Tt ])([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\\.[0-9]+)?([Zz]|[+-][0-9]{2}(?::?[0-9]{2})?)?$',
			['y', 'mo', 'd', 'sep', 'hh', 'mi', 'ss', 'zone']) AS m
		FROM ev),
	parsed AS (
		SELECT *, CASE WHEN epoch IS NOT NULL THEN CASE WHEN abs(epoch) < 2.5e14 THEN
			make_timestamp(CAST(floor(CASE WHEN epoch > 1e11 THEN epoch / 1000 ELSE epoch END) AS BIGINT) * 1000000)
			END ELSE ${instant} END AS t,
			coalesce(m.ss = '60', false) AS leap
		FROM matched),
	kept AS (
		SELECT * FROM parsed
		WHERE NOT bad AND t IS NOT NULL
		  AND year(${dayOf('t')}) BETWEEN 0 AND 9999 AND year(t) BETWEEN 0 AND 9999
		  AND provider IS NOT NULL AND provider <> '' AND model IS NOT NULL AND model <> ''
		  AND (NOT leap OR strftime(t, '%H:%M:%S') = '23:59:59')
		  AND NOT contains(provider || model || agent || label || coalesce(rid, ''), chr(0))
		  AND coalesce(cost, 0) BETWEEN 0 AND 1e9
		  AND ${toks.map((k) => `${k} >= 0`).join(' AND ')}),
	once AS (
		SELECT * FROM kept
		QUALIFY rid IS NULL OR rid = '' OR row_number() OVER (PARTITION BY rid ORDER BY f, n) = 1)
	SELECT ${keys.map((k) => `${keyExpr[k]} AS "${k}"`).join(', ')},
		count(*) AS requests, count(*) FILTER (err) AS errors,
		sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens,
		sum(cache_read_tokens) AS cache_read_tokens,
		sum(cache_write_tokens + cache_write_1h_tokens) AS cache_write_tokens,
		sum(cache_write_1h_tokens) AS cache_write_1h_tokens,
		sum(least(reasoning_tokens, output_tokens)) AS reasoning_tokens,
		round(sum(coalesce(cost, 0)), 6) AS cost_usd,
		count(*) FILTER (cost IS NULL OR (cost = 0 AND input_tokens + output_tokens
			+ cache_read_tokens + cache_write_tokens + cache_write_1h_tokens > 0)) AS unpriced_requests
	FROM once GROUP BY ALL`;
	const res = await con.runAndReadAll(query);
	const names = res.columnNames();
	const want = new Map();
	for (const r of res.getRows()) {
		const o = {};
		names.forEach((c, i) => { o[c] = typeof r[i] === 'bigint' ? Number(r[i]) : r[i]; });
		o.cost_usd = Number(o.cost_usd);
		want.set(JSON.stringify(keys.map((k) => o[k])), o);
	}
	const fields = ['requests', 'errors', ...toks]
		.concat(display ? ['cost_usd', 'unpriced_requests'] : []);
	const diffs = [];
	const seen = new Set();
	for (const row of got.rows) {
		const k = JSON.stringify(keys.map((x) => row[x]));
		seen.add(k);
		const w = want.get(k);
		if (!w) { diffs.push(`${k}: burnrate has ${row.requests} requests, DuckDB none`); continue; }
		for (const fl of fields) {
			const same = fl === 'cost_usd' ? Math.abs(w[fl] - row[fl]) < 1.5e-6 : w[fl] === row[fl];
			if (!same) diffs.push(`${k}: ${fl}: burnrate ${row[fl]}, DuckDB ${w[fl]}`);
		}
	}
	for (const [k, w] of want) {
		if (!seen.has(k)) diffs.push(`${k}: DuckDB has ${w.requests} requests, burnrate none`);
	}
	fs.rmSync(tmp, { recursive: true, force: true });
	if (diffs.length) {
		console.log(diffs.join('\n'));
		process.exit(1);
	}
	console.log(`burnrate = DuckDB (${want.size} groups)`);
})().catch((e) => {
	console.error(`duckdiff.js: ${e.message}`);
	process.exit(2);
});
