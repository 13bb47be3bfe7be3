// suites/origin-tls.yaml against the reference edge: 502 for every faulty
// origin certificate, 200 and the origin's name as SNI for the valid one, the
// error not kept beyond error_ttl; each fault switch fails exactly its checks.
import t from 'tap';
import type { RunRecord } from '../harness/record.js';
import { ORIGIN_TLS_ROUTES } from '../lab/originTlsRoutes.js';
import { byId, runOnLabs, suite } from './support/labRun.js';

const originTls = suite('origin-tls');

const certificateChecks = ['wrong-name', 'expired', 'self-signed', 'untrusted-ca', 'incomplete-chain'].map(
  (f) => `origin-${f}-gives-502`,
);

/** fault -> the checks it must fail, and no others */
const failsUnder: Record<string, string[]> = {
  // without verification nothing fails to fetch, so there is no error to expire either
  'no-origin-verification': [...certificateChecks, 'origin-error-not-kept-beyond-error-ttl'],
  'origin-ignore-hostname': ['origin-wrong-name-gives-502'],
  'origin-accept-expired': ['origin-expired-gives-502'],
  'origin-wrong-ca-bundle': ['valid-origin-certificate-passes', 'origin-sni-is-origin-hostname'],
  'no-origin-sni': ['origin-sni-is-origin-hostname'],
  'cache-errors-forever': ['origin-error-not-kept-beyond-error-ttl'],
};

const failedIds = (record: RunRecord) =>
  record.checks
    .filter((c) => c.status === 'failed')
    .map((c) => c.id)
    .sort();

t.test('the suite uses the shared lab route names, and every check has a fault that fails it', async (t) => {
  const routes = new Set(
    originTls.checks.flatMap((c) => c.steps.flatMap((s) => ('route' in s && s.route ? [s.route] : []))),
  );
  t.same([...routes].sort(), Object.keys(ORIGIN_TLS_ROUTES).sort());
  const covered = new Set(Object.values(failsUnder).flat());
  t.same(
    originTls.checks.map((c) => c.id).filter((id) => !covered.has(id)),
    [],
  );
});

t.test('origin-tls passes against a correct reference edge, and under each fault only its checks fail', async (t) => {
  const faults = Object.keys(failsUnder);
  const [clean, silentKeeper, ...records] = await runOnLabs([
    { suites: [originTls], target: 'lab: reference' },
    // an edge that keeps the error and sends no Age, as nginx would: only the origin's listener can tell
    { suites: [originTls], target: 'lab: reference\nfaults: [cache-errors-forever, no-age]' },
    ...faults.map((fault) => ({ suites: [originTls], target: `lab: reference\nfaults: [${fault}]` })),
  ]);
  for (const c of clean!.checks) t.equal(c.status, 'passed', `${c.id}: ${c.reason ?? ''}`);
  const passed = byId(clean!);
  t.match(
    passed['origin-sni-is-origin-hostname']!.steps[0]!.origin_requests,
    [{ sni: 'origin.edgecheck.test', certificate_names: ['origin.edgecheck.test'] }],
    'the origin log holds the SNI and the names of the certificate it was matched to',
  );
  t.equal(
    passed['origin-wrong-name-gives-502']!.steps[0]!.origin_seen,
    false,
    'the request never reached the faulty origin',
  );

  faults.forEach((fault, i) => t.same(failedIds(records[i]!), [...failsUnder[fault]!].sort(), `under ${fault}`));
  const unverified = byId(records[faults.indexOf('no-origin-verification')]!);
  t.match(
    unverified['origin-self-signed-gives-502']!.steps[0]!.failures,
    [
      { expectation: 'status', expected: 502, actual: 200 },
      { expectation: 'headers.x-edgecheck-version', actual: 'v1' },
    ],
    "the failure shows the origin's content came through",
  );
  const forever = byId(records[faults.indexOf('cache-errors-forever')]!)['origin-error-not-kept-beyond-error-ttl']!;
  t.match(
    forever.reason,
    /step 3 \(get\): expected origin_connections "at least 1 to the probe origin's untrusted-ca listener", got "0 /,
    'the kept error made no connection to the origin',
  );
  t.same(failedIds(silentKeeper!), ['origin-error-not-kept-beyond-error-ttl'], 'a kept error without Age fails');
  const kept = byId(silentKeeper!)['origin-error-not-kept-beyond-error-ttl']!;
  t.equal(kept.steps[0]!.origin_connections?.count, 1, 'the first request opened one connection to the origin');
  t.equal(kept.steps[2]!.origin_connections?.count, 0, 'the kept error opened none');
  t.notOk(kept.steps[2]!.response?.headers.age, 'and it carried no Age');
  const passedKeep = byId(clean!)['origin-error-not-kept-beyond-error-ttl']!;
  t.ok((passedKeep.steps[2]!.origin_connections?.count ?? 0) >= 1, 'a correct edge tried the origin again');
});
