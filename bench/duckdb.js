// duckdb.js - DuckDB's time for what burnrate ingest does to one log: read
// it (read_json or read_csv) and total it by day, provider, model, agent
// and label. Prints the best of RUNS wall-clock times of the query alone,
// in seconds (the process start and the module load are not counted).
// The columns are declared (DuckDB's fastest reading), or with "auto"
// detected, as `read_json(FILE)` does when a user types it (the issue's
// measure).
// Usage: node duckdb.js FILE jsonl|csv [RUNS [auto]]   (NODE_PATH: the module)
'use strict';
const { DuckDBInstance } = require('@duckdb/node-api');

const [file, kind, runs = '3', detect] = process.argv.slice(2);
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

(async () => {
	const db = await DuckDBInstance.create(':memory:');
	const con = await db.connect();
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
