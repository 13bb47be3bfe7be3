// suites/caching.yaml against the reference edge: every check passes on a
// correct edge and fails under the fault switch that breaks what it guards.
import t from 'tap';
import { byId, runOnLab, suite } from './support/labRun.js';

const caching = suite('caching');

/** check id -> a fault that must make it fail */
const faultFor: Record<string, string> = {
  'fresh-by-max-age': 'ignore-max-age',
  's-maxage-beats-max-age': 'ignore-s-maxage',
  'expires-gives-freshness': 'ignore-expires',
  'stale-after-max-age': 'never-expire',
  'no-store-not-stored': 'store-no-store',
  'private-not-stored': 'store-private',
  'age-on-hit': 'no-age',
  'age-grows': 'frozen-age',
  'etag-revalidation': 'no-revalidation',
  'last-modified-revalidation': 'no-revalidation',
  'not-modified-updates-headers': 'drop-304-headers',
  'cache-status-claim': 'no-cache-status',
};

t.test('every caching check has a fault that breaks it', async (t) => {
  t.same(caching.checks.map((c) => c.id).sort(), Object.keys(faultFor).sort());
});

t.test('all caching checks pass against a correct reference edge', async (t) => {
  const record = await runOnLab([caching], 'lab: reference');
  for (const c of record.checks) t.equal(c.status, 'passed', `${c.id}: ${c.reason ?? ''}`);
  t.same(record.summary, { passed: caching.checks.length, failed: 0, skipped: 0 });
});

t.test('each check fails under its fault switch', async (t) => {
  const faults = [...new Set(Object.values(faultFor))];
  // labs are independent (own ports, own origin): run them side by side
  const records = await Promise.all(faults.map((fault) => runOnLab([caching], `lab: reference\nfaults: [${fault}]`)));
  faults.forEach((fault, i) => {
    const checks = byId(records[i]!);
    for (const [id, f] of Object.entries(faultFor)) {
      if (f !== fault) continue;
      t.equal(checks[id]?.status, 'failed', `${id} fails under ${fault}`);
      t.match(checks[id]?.reason, /step \d+/, `${id} names the failing step`);
    }
  });
});
