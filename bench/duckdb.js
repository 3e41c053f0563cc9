// duckdb.js - DuckDB's time for what burnrate ingest does to one log: read
// it (read_json or read_csv) and total it by day, provider, model, agent
// and label. Prints the best of RUNS wall-clock times of the query alone,
// in seconds (the process start and the module load are not counted).
// The columns are declared (DuckDB's fastest reading), or with "auto"
// detected, as `read_json(FILE)` does when a user types it (the issue's
// measure).
// With `totals REPORT`, instead: compares the GROUP BY (request count and
// token sums per group; the file's records all valid, their request ids
// unique, as tools/loggen.py writes them without --nasty or --bad) with
// the rows of REPORT, burnrate's `report --by day,provider,model,agent,label
// --format json` of a store of FILE, and prints "totals: burnrate = DuckDB
// (N groups)" or the first differences (exit 1).
// Usage: node duckdb.js FILE jsonl|csv [RUNS [auto]]   (NODE_PATH: the module)
//        node duckdb.js FILE jsonl|csv totals REPORT
'use strict';
const { DuckDBInstance } = require('@duckdb/node-api');

const [file, kind, runs = '3', detect] = process.argv.slice(2);
const report = runs === 'totals' ? detect : null;
const tokens = 'input_tokens BIGINT, output_tokens BIGINT, ' +
	'cache_read_tokens BIGINT, cache_write_tokens BIGINT, ' +
	'cache_write_1h_tokens BIGINT, reasoning_tokens BIGINT';
const auto = kind === 'csv' ? `read_csv('${file}')`
	: `(SELECT timestamp, provider, model, agent, label, usage.*, cost_usd
	   FROM read_json('${file}'))`;
const source = detect === 'auto' ? auto : kind === 'csv'
	? `read_csv('${file}', header = true, columns = {'timestamp': 'VARCHAR',
	   'provider': 'VARCHAR', 'model': 'VARCHAR', 'agent': 'VARCHAR',
	   'label': 'VARCHAR', 'request_id': 'VARCHAR', 'status': 'INTEGER',
	   'service_tier': 'VARCHAR', 'input_tokens': 'BIGINT',
	   'output_tokens': 'BIGINT', 'cache_read_tokens': 'BIGINT',
	   'cache_write_tokens': 'BIGINT', 'cache_write_1h_tokens': 'BIGINT',
	   'reasoning_tokens': 'BIGINT', 'cost_usd': 'DOUBLE'})`
	: `(SELECT timestamp, provider, model, agent, label, usage.*, cost_usd
	   FROM read_json('${file}', format = 'newline_delimited', columns = {
	   'timestamp': 'VARCHAR', 'provider': 'VARCHAR', 'model': 'VARCHAR',
	   'agent': 'VARCHAR', 'label': 'VARCHAR', 'request_id': 'VARCHAR',
	   'status': 'INTEGER', 'service_tier': 'VARCHAR',
	   'usage': 'STRUCT(${tokens})', 'cost_usd': 'DOUBLE'}))`;
// A detected timestamp is a TIMESTAMP, whose text starts with the day too.
const query = `SELECT substr(CAST(timestamp AS VARCHAR), 1, 10) AS day, provider, model, agent,
	label, count(*) AS requests, sum(input_tokens), sum(output_tokens),
	sum(cache_read_tokens), sum(cache_write_tokens),
	sum(cache_write_1h_tokens), sum(reasoning_tokens), sum(cost_usd)
	FROM ${source} GROUP BY ALL`;

// The report's cache_write_tokens counts the 1-hour writes too, and
// reasoning beyond the output is all of the output (README).
const totals = `SELECT substr(timestamp, 1, 10), provider, model,
	coalesce(agent, ''), coalesce(label, ''),
	count(*), sum(input_tokens), sum(output_tokens), sum(cache_read_tokens),
	sum(cache_write_tokens + cache_write_1h_tokens), sum(cache_write_1h_tokens),
	sum(least(reasoning_tokens, output_tokens))
	FROM ${source} GROUP BY ALL`;
const fields = ['day', 'provider', 'model', 'agent', 'label', 'requests',
	'input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_tokens',
	'cache_write_1h_tokens', 'reasoning_tokens'];

// Prints whether REPORT's rows are DuckDB's; true when they are.
async function compare(con) {
	const rows = JSON.parse(require('fs').readFileSync(report, 'utf8')).rows;
	const line = (values) => values.map(String).join('|');
	const mine = new Set(rows.map((r) => line(fields.map((f) => r[f]))));
	const theirs = (await con.runAndReadAll(totals)).getRows().map(line);
	const diffs = theirs.filter((l) => !mine.delete(l)).map((l) => `DuckDB only:   ${l}`)
		.concat([...mine].map((l) => `burnrate only: ${l}`));
	if (diffs.length === 0) {
		console.log(`totals: burnrate = DuckDB (${theirs.length} groups, ${file})`);
		return true;
	}
	console.log(`totals: burnrate and DuckDB differ in ${diffs.length} rows of ${file} (${fields.join('|')}):`);
	console.log(diffs.slice(0, 10).join('\n'));
	return false;
}

(async () => {
	const db = await DuckDBInstance.create(':memory:');
	const con = await db.connect();
	if (report) {
		process.exitCode = await compare(con) ? 0 : 1;
		return;
	}
	let best = Infinity, rows = 0;
	for (let i = 0; i < Number(runs); i++) {
		const t = process.hrtime.bigint();
		const r = await con.runAndReadAll(query);
		const s = Number(process.hrtime.bigint() - t) / 1e9;
		rows = r.currentRowCount;
		best = Math.min(best, s);
	}
	console.log(`${best.toFixed(3)} ${rows}`);
})().catch((e) => {
	console.error(`duckdb.js: ${e.message}`);
	process.exit(1);
});
