// run.mjs - runs examples/rules.seg in DuckDB over examples/customers.csv and
// checks the member counts against `segc run`.
//
//   cd examples/warehouse/duckdb && npm ci && cd ../../..
//   node examples/warehouse/duckdb/run.mjs [SEGC]
//
// Run from the repository root. The database is in memory; a team would
// open its own file (DuckDBInstance.create('warehouse.duckdb')).
import { DuckDBInstance } from '@duckdb/node-api';
import { execFileSync } from 'node:child_process';

const segc = process.argv[2] ?? 'build/segc';
const schema = 'examples/customer.schema', rules = 'examples/rules.seg';
const csv = 'examples/customers.csv', asOf = '2026-11-23';
const run = (...args) => execFileSync(segc, args, { encoding: 'utf8' });

// 1. the table and the query, in segc's DuckDB encoding (docs/sql.md)
const create = run('sql', '--schema', schema, '--dialect', 'duckdb', '--create-table');
const counts = run('sql', rules, '--schema', schema, '--dialect', 'duckdb',
                   '--as-of', asOf, '--counts');

const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
await con.run(create);
// 2. load the CSV. A quoted empty cell is the empty string and an unquoted
//    one NULL, as in segc; tags are 'vip;b2b' (segc's CSV form): loaded as
//    text, then split into a list (an empty cell is the empty set).
await con.run('ALTER TABLE customers ALTER tags TYPE VARCHAR');
await con.run(`COPY customers FROM '${csv}' (FORMAT csv, HEADER true, ` +
              'allow_quoted_nulls false, force_not_null (tags))');
await con.run(`ALTER TABLE customers ALTER tags TYPE VARCHAR[] USING
               CASE WHEN tags = '' THEN []::VARCHAR[] ELSE string_split(tags, ';') END`);

// 3. run it, and the same rules in segc
const reader = await con.runAndReadAll(counts);
const names = reader.columnNames();
const row = reader.getRowsJson()[0];
const sql = Object.fromEntries(names.map((n, i) => [n, Number(row[i])]));
const mine = JSON.parse(run('run', rules, '--schema', schema, '--data', csv,
                            '--as-of', asOf, '--format', 'json'));
console.log('segment members (DuckDB)');
let same = true;
for (const s of mine.segments) {
  console.log(`${s.name} ${sql[s.name]}`);
  if (sql[s.name] !== s.count) {
    console.error(`  segc run says ${s.count}`);
    same = false;
  }
}
console.log(same ? 'DuckDB and segc run agree on every segment'
                 : 'DuckDB and segc run disagree');
process.exit(same ? 0 : 1);
