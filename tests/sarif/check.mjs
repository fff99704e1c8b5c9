// check.mjs SEGC - `segc check --format sarif` against Microsoft's SARIF
// Multitool (a real SARIF 2.1.0 validator: the JSON schema and the SARIF
// rules): the standard library and the examples give a valid log with no
// findings, and a file with an error and every kind of warning gives a
// valid log with one result per diagnostic, fixes and related locations.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const segc = process.argv[2];
const tool = join('tests/sarif/node_modules/@microsoft/sarif-multitool-linux',
                  'Sarif.Multitool');
chmodSync(tool, 0o755); // npm may skip the package's postinstall chmod
const dir = mkdtempSync(join(tmpdir(), 'segc-sarif-'));
const env = { ...process.env, DOTNET_SYSTEM_GLOBALIZATION_INVARIANT: '1' };
let failed = 0;
const fail = (msg) => { console.error(`FAIL ${msg}`); failed++; };

function check(name, args, expect) {
  let out;
  try {
    out = execFileSync(segc, ['check', '--format', 'sarif', ...args],
                       { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    out = e.stdout; // exit 1 on errors: the log is still written
  }
  const file = join(dir, `${name}.sarif`);
  writeFileSync(file, out);
  const log = JSON.parse(out);
  const results = log.runs[0].results;
  expect(results);
  const report = join(dir, `${name}.validation.sarif`);
  try {
    execFileSync(tool, ['validate', file, '--output', report, '--log', 'ForceOverwrite'],
                 { env, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    fail(`${name}: the Multitool failed: ${String(e.stderr || e.message).split('\n').slice(0, 6).join('\n')}`);
    return;
  }
  const v = JSON.parse(readFileSync(report, 'utf8'));
  const errors = v.runs.flatMap((r) => r.results || [])
    .filter((r) => r.level === 'error');
  for (const e of errors)
    fail(`${name}: ${e.ruleId}: ${e.message.text || JSON.stringify(e.message)}`);
  console.log(`sarif ${name}: ${results.length} results, valid (${errors.length} validation errors)`);
}

const S = ['--schema', 'examples/customer.schema'];
check('clean', [...S, 'stdlib/b2b.seg', 'stdlib/geo.seg', 'stdlib/lifecycle.seg',
                'stdlib/rfm.seg', 'examples/rules.seg', 'examples/shop.seg'],
      (r) => { if (r.length) fail(`clean: ${r.length} findings: ${r[0].message.text}`); });
check('errors', [...S, 'tests/sarif/errors.seg'], (r) => {
  if (r.length !== 3 || r.some((x) => x.ruleId !== 'SEG000' || x.level !== 'error'))
    fail(`errors: expected 3 SEG000 errors, got ${JSON.stringify(r.map((x) => x.ruleId))}`);
  if (!r.some((x) => x.fixes)) fail('errors: no result with a fix');
  if (!r.some((x) => x.relatedLocations)) fail('errors: no related location');
});
check('findings', [...S, 'tests/sarif/findings.seg'], (r) => {
  const ids = new Set(r.map((x) => x.ruleId));
  for (const id of ['SEG101', 'SEG102', 'SEG103', 'SEG104', 'SEG105',
                    'SEG106', 'SEG201', 'SEG301', 'SEG302'])
    if (!ids.has(id)) fail(`findings: no ${id}`);
  if (!r.some((x) => x.fixes)) fail('findings: no result with a fix');
});
console.log(`sarif: ${failed ? 'FAILED' : 'passed'}`);
process.exit(failed ? 1 : 0);
