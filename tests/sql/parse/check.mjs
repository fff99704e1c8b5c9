// check.mjs DIR... - parses every query (*.sql) that `sqltest export` wrote
// for BigQuery, Spark or Trino (the dialect is read from DIR/dialect) with
// a dialect-aware parser from npm: sql-parser-cst for BigQuery (a parser
// written after Google's reference), dt-sql-parser for Spark SQL and Trino
// (ANTLR grammars derived from the engines' own). These engines cannot run
// here; this catches SQL they could not even parse. Exits 1 on any error.
import fs from 'fs';
import path from 'path';
import { parse as cstParse } from 'sql-parser-cst';
import { SparkSQL, TrinoSQL } from 'dt-sql-parser';

const parsers = {
  bigquery: (sql) => {
    try { cstParse(sql, { dialect: 'bigquery' }); return []; }
    catch (e) { return [String(e.message).split('\n').slice(0, 5).join('\n')]; }
  },
  spark: (sql) => new SparkSQL().validate(sql).map((e) =>
    `${e.startLine}:${e.startColumn}: ${e.message}`),
  trino: (sql) => new TrinoSQL().validate(sql).map((e) =>
    `${e.startLine}:${e.startColumn}: ${e.message}`),
};

// the ANTLR parsers also print every error on the console themselves
const quiet = console.error;
let failed = 0;
for (const dir of process.argv.slice(2)) {
  const dialect = fs.readFileSync(path.join(dir, 'dialect'), 'utf8').trim();
  const check = parsers[dialect];
  if (!check) { console.log(`sql-parse: no parser for ${dialect}`); process.exit(2); }
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.sql')).sort();
  let ok = 0;
  for (const f of files) {
    const sql = fs.readFileSync(path.join(dir, f), 'utf8');
    console.error = () => {};
    console.log = ((log) => (...a) => { if (!String(a[0]).startsWith('line ')) log(...a); })(console.log);
    const errs = check(sql);
    console.error = quiet;
    if (errs.length) {
      failed++;
      quiet(`sql-parse: ${dialect}: ${path.join(dir, f)}:\n  ${errs.slice(0, 3).join('\n  ')}`);
    } else ok++;
  }
  process.stdout.write(`sql-parse: ${dialect}: ${ok} of ${files.length} queries parse\n`);
}
process.exit(failed ? 1 : 0);
