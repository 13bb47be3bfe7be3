// suites/caching.yaml and suites/revalidation.yaml against the reference edge:
// every check passes on a correct edge and fails under the fault switch that
// breaks what it guards; the suites run concurrently.
import t from 'tap';
import { byId, onlyChecks, runOnLab, runOnLabs, suite } from './support/labRun.js';

const suites = [suite('caching'), suite('revalidation')];

/** check id -> a fault that must make it fail */
const faultFor: Record<string, string> = {
  'fresh-by-max-age': 'ignore-max-age',
  's-maxage-beats-max-age': 'ignore-s-maxage',
  's-maxage-shorter-than-max-age': 'ignore-s-maxage',
  'expires-gives-freshness': 'ignore-expires',
  'max-age-beats-expires': 'ignore-max-age',
  'expires-in-past': 'ignore-expires',
  'expires-invalid': 'ignore-expires',
  'max-age-zero': 'ignore-max-age',
  'default-ttl-without-freshness': 'ignore-default-ttl',
  'heuristic-freshness': 'no-heuristic',
  'ttl-raised-to-min': 'no-ttl-clamp',
  'ttl-capped-at-max': 'no-ttl-clamp',
  'stale-after-max-age': 'never-expire',
  'no-store-not-stored': 'store-no-store',
  'private-not-stored': 'store-private',
  'age-on-hit': 'no-age',
  'age-grows': 'frozen-age',
  'upstream-age-honoured': 'ignore-upstream-age',
  'etag-revalidation': 'no-revalidation',
  'cache-status-claim': 'no-cache-status',
  'query-string-in-key': 'wrong-query-key',
  'query-string-ignored': 'wrong-query-key',
  'query-string-listed': 'wrong-query-key',
  'vary-accept-encoding': 'ignore-vary',
  'edge-compression': 'no-compression',
  'error-ttl': 'cache-errors-forever',
  'origin-failover': 'no-failover',
  'dependent-object': 'cache-errors-forever',
  'last-modified-revalidation': 'no-revalidation',
  'not-modified-updates-headers': 'drop-304-headers',
  'changed-object-replaces-stored': 'serve-stored-after-200',
  'client-conditional-answered-by-edge': 'ignore-client-conditional',
  'no-cache-revalidated-every-time': 'ignore-no-cache',
  'must-revalidate-no-stale-on-error': 'ignore-must-revalidate',
  'stale-if-origin-error': 'no-stale-if-error',
};

t.test('every check of both suites has a fault that breaks it', async (t) => {
  t.same(suites.flatMap((s) => s.checks.map((c) => c.id)).sort(), Object.keys(faultFor).sort());
  t.ok(suites[0]!.checks.length >= 8, 'caching.yaml has at least 8 checks');
});

t.test('all checks pass against a correct reference edge, concurrently', async (t) => {
  const record = await runOnLab(suites, 'lab: reference');
  for (const c of record.checks) t.equal(c.status, 'passed', `${c.suite} › ${c.id}: ${c.reason ?? ''}`);
  // checks run side by side: the run takes about as long as its longest check
  const longest = Math.max(...record.checks.map((c) => c.duration_ms));
  const total = Date.parse(record.finished) - Date.parse(record.started);
  t.ok(total <= longest * 1.2, `run ${total} ms <= 1.2 x longest check ${longest} ms`);
});

t.test('each check fails under its fault switch', async (t) => {
  const faults = [...new Set(Object.values(faultFor))];
  // each lab runs only the checks its fault guards: the rest would only add load
  const guarded = (fault: string) => Object.keys(faultFor).filter((id) => faultFor[id] === fault);
  const records = await runOnLabs(
    faults.map((f) => ({
      suites: suites.map((s) => onlyChecks(s, guarded(f))),
      target: `lab: reference\nfaults: [${f}]`,
    })),
  );
  faults.forEach((fault, i) => {
    const checks = byId(records[i]!);
    for (const [id, f] of Object.entries(faultFor)) {
      if (f !== fault) continue;
      t.equal(checks[id]?.status, 'failed', `${id} fails under ${fault}`);
      t.match(checks[id]?.reason, /step \d+/, `${id} names the failing step`);
    }
  });
});

t.test('named routes the target does not declare are skipped with the reason', async (t) => {
  // a url target: the reference lab's routes are not there
  const record = await runOnLab(suites, 'url: https://127.0.0.1:9');
  const checks = byId(record);
  t.equal(checks['ttl-capped-at-max']?.status, 'skipped');
  t.match(checks['ttl-capped-at-max']?.reason, /origin|route 'ttl-clamp'/);
});

t.test('a ttl.min too short to tell a raised TTL from the max-age itself skips, not passes', async (t) => {
  // without clamping, and with min: 1s, the check would pass whatever the edge does
  const record = await runOnLab(
    [suite('caching')],
    'lab: reference\nfaults: [no-ttl-clamp]\nroutes: { ttl-clamp: { path: /ttl-clamp/, ttl: { min: 1, max: 4 } } }',
  );
  const check = byId(record)['ttl-raised-to-min'];
  t.equal(check?.status, 'skipped');
  t.match(check?.reason, /ttl\.min = 1s: too short for this check to tell \(it needs a pause of at least 2s\)/);
});

t.test('cache-status-claim also fails when the edge claims a hit on every answer, misses included', async (t) => {
  const caching = suites.find((s) => s.suite === 'caching')!;
  const record = await runOnLab(
    [onlyChecks(caching, ['cache-status-claim'])],
    'lab: reference\nfaults: [claim-always-hit]',
  );
  const check = byId(record)['cache-status-claim']!;
  t.equal(check.status, 'failed', 'a claimed hit on the first request, which reached the origin');
  t.match(check.reason, /step 1 .*cache/, 'the first step, where the origin log says miss');
  t.equal(check.steps[0]?.cache_claim?.agrees_with_origin, false, 'the record says the claim disagrees with the log');
});
