// duckdb_query.js - runs the SQL statements of FILE (separated by ";" at a
// line's end) in an in-memory DuckDB and prints the last one's rows as a
// JSON array of objects (numbers beyond a double's as strings).
// Usage: NODE_PATH=.../node_modules node duckdb_query.js FILE
'use strict';
const { DuckDBInstance } = require('@duckdb/node-api');
const sql = require('fs').readFileSync(process.argv[2], 'utf8');
(async () => {
	const db = await DuckDBInstance.create(':memory:');
	const con = await db.connect();
	let r;
	for (const s of sql.split(/;\s*\n/).map((x) => x.trim()).filter((x) => x))
		r = await con.runAndReadAll(s);
	console.log(JSON.stringify(r.getRowObjectsJson()));
})().catch((e) => {
	console.error(`duckdb_query.js: ${e.message}`);
	process.exit(1);
});
