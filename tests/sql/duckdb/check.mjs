// check.mjs DIR - runs the tables and queries that `sqltest export DIR
// --dialect duckdb` wrote in an in-memory DuckDB, and compares every query's
// rows with the interpreter's (DIR/QUERY.expect). Ends with "N passed, N
// failed"; exits 1 on any disagreement.
import { DuckDBInstance } from '@duckdb/node-api';
import { readFileSync } from 'node:fs';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node check.mjs DIR');
  process.exit(2);
}
const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
const version = (await con.runAndReadAll('SELECT version()')).getRows()[0][0];

// a key as PostgreSQL's CSV output writes it (the format of the .expect files)
const csvKey = (s) =>
  s === '' || /[",\r\n]/.test(s) ? '"' + s.replaceAll('"', '""') + '"' : s;

const loaded = new Set();
let passed = 0, failed = 0, rows = 0;
for (const line of readFileSync(`${dir}/units.txt`, 'utf8').split('\n')) {
  if (!line) continue;
  const [table, query, , ...what] = line.split(' ');
  try {
    if (!loaded.has(table)) {
      await con.run(readFileSync(`${dir}/${table}.sql`, 'utf8'));
      // a quoted empty cell is the empty string, an unquoted one NULL
      await con.run(`COPY "${table}" FROM '${dir}/${table}.csv' ` +
                    '(FORMAT csv, HEADER true, allow_quoted_nulls false)');
      loaded.add(table);
    }
    const sql = readFileSync(`${dir}/${query}.sql`, 'utf8');
    const got = (await con.runAndReadAll(sql)).getRowsJson()
      .map((r) => [csvKey(String(r[0])), ...r.slice(1).map((b) => {
        if (b !== true && b !== false) throw new Error(`a segment column holds ${b}`);
        return b ? 't' : 'f';
      })].join(','))
      .sort((a, b) => (Buffer.compare(Buffer.from(a), Buffer.from(b))));
    const want = readFileSync(`${dir}/${query}.expect`, 'utf8').split('\n').filter((l) => l);
    rows += want.length;
    if (got.length === want.length && got.every((g, i) => g === want[i])) {
      passed++;
      continue;
    }
    failed++;
    if (failed <= 5) {
      console.error(`FAIL ${what.join(' ')} (${query}): DuckDB disagrees with the interpreter`);
      const w = new Set(want);
      const g = new Set(got);
      for (const l of want.filter((l) => !g.has(l)).slice(0, 3)) console.error(`  interpreter: ${l}`);
      for (const l of got.filter((l) => !w.has(l)).slice(0, 3)) console.error(`  DuckDB:      ${l}`);
      console.error(sql);
    }
  } catch (e) {
    failed++;
    if (failed <= 5) {
      console.error(`FAIL ${what.join(' ')} (${query}): ${e.message}`);
      console.error(readFileSync(`${dir}/${query}.sql`, 'utf8'));
    }
  }
}
console.log(`check-duckdb: DuckDB ${version}: ${passed} queries agree with the interpreter (${rows} rows, tables loaded with COPY)`);
console.log(`check-duckdb: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
