// events.mjs - EVENTS of segc's benchmark (issue 9) in DuckDB, over the
// same two tables (customers and their purchases), in the same run
// (make bench-duckdb-events).
//
//   node events.mjs PREFIX OUT.json
//
// PREFIX-customers.csv, PREFIX-purchases.csv and PREFIX-segc.json come from
// `bench --only EVENTS --events-csv PREFIX` (bench/events.c): the data and
// segc's counts and times on it. The tables are loaded into an in-memory
// database with the schema's types (money as exact DECIMAL(18,2), times as
// TIMESTAMPTZ), and the ten segments run as one hand-written query: the
// visible purchases (at <= as_of) aggregated per customer with FILTERed
// aggregates, then a count(*) FILTER per segment. With 1 thread and with
// all threads, best of three. The counts must equal segc's.
import { DuckDBInstance } from '@duckdb/node-api';
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

const [prefix, outPath] = process.argv.slice(2);
if (!prefix || !outPath) {
  console.error('usage: node events.mjs PREFIX OUT.json');
  process.exit(2);
}

// as_of 2026-11-23T00:00:00Z, as in bench/bench.c ("at" is quoted: AT is a
// keyword in DuckDB)
const T = "TIMESTAMPTZ '2026-11-23 00:00:00+00'";
const since = (iv) => `"at" > ${T} - INTERVAL ${iv}`;
// a customer without visible purchases is in none of the ten segments
// (count 0, sum 0, any false, last/first/max/avg null), so the purchases
// are aggregated per customer on their own: joining the customers would
// only add rows that match nothing
const query = `
WITH agg AS (
  SELECT id,
    count(*) FILTER (WHERE ${since('30 DAY')}) AS c30,
    sum(amount) FILTER (WHERE category = 'electronics' AND ${since('90 DAY')}) AS elec90,
    bool_or(coupon) FILTER (WHERE ${since('1 YEAR')}) AS coupon1y,
    count(DISTINCT CAST("at" AS DATE)) FILTER (WHERE ${since('1 YEAR')}) AS days1y,
    max("at") AS last_at,
    min("at") AS first_at,
    sum(amount) FILTER (WHERE ${since('1 YEAR')}) AS sum1y,
    count(*) FILTER (WHERE ${since('1 YEAR')}) AS n1y,
    max(items) FILTER (WHERE ${since('90 DAY')}) AS maxitems90,
    count(*) FILTER (WHERE category IN ('books', 'music') AND ${since('180 DAY')}) AS read180
  FROM purchases
  WHERE "at" <= ${T}
  GROUP BY id
)
SELECT
  count(*) FILTER (WHERE c30 >= 3) AS "Frequent30",
  count(*) FILTER (WHERE elec90 > 100) AS "Electronics90",
  count(*) FILTER (WHERE coupon1y) AS "CouponYear",
  count(*) FILTER (WHERE days1y >= 12) AS "Regulars",
  count(*) FILTER (WHERE last_at < ${T} - INTERVAL 180 DAY) AS "Lapsed",
  count(*) FILTER (WHERE sum1y > 1000) AS "HighValue",
  count(*) FILTER (WHERE maxitems90 >= 5) AS "BigBasket",
  count(*) FILTER (WHERE first_at > ${T} - INTERVAL 30 DAY) AS "NewBuyers",
  count(*) FILTER (WHERE read180 >= 2) AS "Readers",
  count(*) FILTER (WHERE n1y > 0 AND sum1y > 80 * n1y) AS "Generous"
FROM agg`;

const instance = await DuckDBInstance.create(':memory:');
const conn = await instance.connect();
await conn.run("SET TimeZone = 'UTC'");
let t0 = performance.now();
await conn.run(`CREATE TABLE customers AS SELECT * FROM read_csv('${prefix}-customers.csv', ` +
  "header = true, columns = {'id': 'BIGINT'})");
await conn.run(`CREATE TABLE purchases AS SELECT * FROM read_csv('${prefix}-purchases.csv', ` +
  "header = true, columns = {'id': 'BIGINT', 'at': 'TIMESTAMPTZ', " +
  "'amount': 'DECIMAL(18,2)', 'items': 'BIGINT', 'category': 'VARCHAR', 'coupon': 'BOOLEAN'})");
const loadMs = performance.now() - t0;
const one = async (q) => Number((await conn.runAndReadAll(q)).getRows()[0][0]);
const ncust = await one('SELECT count(*) FROM customers');
const nev = await one('SELECT count(*) FROM purchases');

const cores = availableParallelism();
const runs = [];
let counts = null;
for (const threads of [...new Set([1, cores])]) {
  await conn.run(`SET threads = ${threads}`);
  let best = Infinity;
  for (let rep = 0; rep < 3; rep++) {
    t0 = performance.now();
    const rows = (await conn.runAndReadAll(query)).getRows();
    best = Math.min(best, performance.now() - t0);
    counts = rows[0].map(Number);
  }
  runs.push({ threads, best_ms: best, mevents_per_s: nev / best / 1e3 });
}

const segc = JSON.parse(readFileSync(`${prefix}-segc.json`, 'utf8'));
const same = segc.counts.length === counts.length &&
  segc.counts.every((c, i) => c === counts[i]) && segc.events === nev &&
  segc.customers === ncust;
console.log(`DuckDB: ${ncust} customers, ${nev} purchases, loaded in ${(loadMs / 1e3).toFixed(1)} s`);
for (const r of runs) {
  console.log(`DuckDB EVENTS, ${r.threads} thread(s): ${r.best_ms.toFixed(1)} ms ` +
    `(${r.mevents_per_s.toFixed(1)} Mevents/s); segc JIT, 1 thread: ` +
    `${segc.jit_ms.toFixed(1)} ms (${(r.best_ms / segc.jit_ms).toFixed(2)}x); ` +
    `C baseline: ${segc.c_baseline_ms.toFixed(1)} ms (${(r.best_ms / segc.c_baseline_ms).toFixed(2)}x)`);
}
console.log(`counts ${same ? 'agree' : 'DISAGREE'}: DuckDB ${counts.join(' ')}; segc ${segc.counts.join(' ')}`);
writeFileSync(outPath, JSON.stringify({
  customers: ncust, events: nev, load_ms: loadMs, runs, counts,
  segc_jit_ms: segc.jit_ms, segc_c_baseline_ms: segc.c_baseline_ms, counts_agree: same,
}, null, 2) + '\n');
process.exit(same ? 0 : 1);
