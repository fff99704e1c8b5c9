// w10.mjs - W10 of segc's benchmark in DuckDB, over the same records, in the
// same run (make bench-duckdb): the tool a data team would reach for instead.
//
//   node w10.mjs CUSTOMERS.csv SEGC_RESULTS.json OUT.json
//
// The records come from `bench --csv` (the generator of make bench), are
// loaded into an in-memory table with the schema's types (money as exact
// DECIMAL), and W10 runs as one query with a count(*) FILTER per segment,
// with 1 thread and with all threads, best of five. The counts must equal
// segc's (read from SEGC_RESULTS.json, written by `bench --only W10`).
import { DuckDBInstance } from '@duckdb/node-api';
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

const [csvPath, segcPath, outPath] = process.argv.slice(2);
if (!csvPath || !segcPath || !outPath) {
  console.error('usage: node w10.mjs CUSTOMERS.csv SEGC_RESULTS.json OUT.json');
  process.exit(2);
}

// as_of 2026-11-23T00:00:00Z, as in bench/bench.c
const D = "DATE '2026-11-23'";
const T = "TIMESTAMPTZ '2026-11-23 00:00:00+00'";
const segments = [
  ['Dormant', `last_order < ${D} - INTERVAL 90 DAY AND orders >= 2`],
  ['BigSpenders', 'revenue > 5000'],
  ['OneTimeBuyers', 'orders = 1'],
  ['Prospects', `orders = 0 AND signup > ${D} - INTERVAL 30 DAY`],
  ['AbandonedCart', `cart_items > 0 AND cart_updated < ${T} - INTERVAL 1 DAY AND cart_updated > ${T} - INTERVAL 14 DAY`],
  ['CouponHunters', 'orders >= 3 AND coupon_orders >= 0.8 * orders'],
  ['Loyal', `orders >= 5 AND last_order > ${D} - INTERVAL 60 DAY`],
  ['DachB2B', "account_type = 'b2b' AND country IN ('DE', 'AT', 'CH') AND employees >= 50"],
  ['Newsletter', `newsletter AND last_login > ${T} - INTERVAL 30 DAY`],
  ['Europe50k', `region = 'EU' AND revenue_ytd > 50000 AND cart_items > 15 AND last_login < ${T} - INTERVAL 14 DAY`],
];
const query = 'SELECT ' +
  segments.map(([name, cond]) => `count(*) FILTER (WHERE ${cond}) AS "${name}"`).join(',\n  ') +
  '\nFROM customers';

const columns = {
  id: 'BIGINT', email: 'VARCHAR', country: 'VARCHAR', region: 'VARCHAR',
  account_type: 'VARCHAR', industry: 'VARCHAR', employees: 'BIGINT',
  signup: 'DATE', last_login: 'TIMESTAMPTZ', last_order: 'DATE',
  orders: 'BIGINT', revenue: 'DECIMAL(18,2)', revenue_ytd: 'DECIMAL(18,2)',
  cart_items: 'BIGINT', cart_updated: 'TIMESTAMPTZ', coupon_orders: 'BIGINT',
  avg_rating: 'DOUBLE', newsletter: 'BOOLEAN', tags: 'VARCHAR',
};
const columnSpec = '{' + Object.entries(columns)
  .map(([k, v]) => `'${k}': '${v}'`).join(', ') + '}';

const instance = await DuckDBInstance.create(':memory:');
const conn = await instance.connect();
await conn.run("SET TimeZone = 'UTC'");
let t0 = performance.now();
await conn.run(`CREATE TABLE customers AS SELECT * FROM read_csv('${csvPath}', ` +
  `header = true, columns = ${columnSpec})`);
const loadMs = performance.now() - t0;
const n = Number((await conn.runAndReadAll('SELECT count(*) FROM customers')).getRows()[0][0]);

const cores = availableParallelism();
const runs = [];
let counts = null;
for (const threads of [...new Set([1, cores])]) {
  await conn.run(`SET threads = ${threads}`);
  let best = Infinity;
  for (let rep = 0; rep < 5; rep++) {
    t0 = performance.now();
    const rows = (await conn.runAndReadAll(query)).getRows();
    best = Math.min(best, performance.now() - t0);
    counts = rows[0].map(Number);
  }
  runs.push({ threads, best_ms: best, mrec_per_s: n / best / 1e3 });
}

const segc = JSON.parse(readFileSync(segcPath, 'utf8'));
const w10 = segc.workloads.find((w) => w.name === 'W10');
const same = w10 && w10.counts && w10.counts.length === counts.length &&
  w10.counts.every((c, i) => c === counts[i]);
console.log(`DuckDB: ${n} records, loaded in ${(loadMs / 1e3).toFixed(1)} s`);
for (const r of runs) {
  const ratio = w10 ? (r.best_ms / w10.scan_ms).toFixed(2) : '?';
  console.log(`DuckDB W10, ${r.threads} thread(s): ${r.best_ms.toFixed(1)} ms ` +
    `(${r.mrec_per_s.toFixed(1)} Mrec/s); segc JIT, 1 thread: ` +
    `${w10 ? w10.scan_ms.toFixed(1) : '?'} ms, ${ratio}x faster`);
}
console.log(`counts ${same ? 'agree' : 'DISAGREE'}: DuckDB ${counts.join(' ')}` +
  (w10 && w10.counts ? `; segc ${w10.counts.join(' ')}` : ''));
writeFileSync(outPath, JSON.stringify({
  records: n, load_ms: loadMs, runs, counts, segc_w10_scan_ms: w10 ? w10.scan_ms : null,
  counts_agree: same,
}, null, 2) + '\n');
process.exit(same ? 0 : 1);
