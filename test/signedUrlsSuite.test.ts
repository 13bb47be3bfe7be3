// suites/signed-urls.yaml against the reference lab: every check passes on a
// correct edge, each fails under the fault switch that lets through what it
// guards, and no signature, policy or private key reaches the run record.
import t from 'tap';
import { byId, runOnLab, runOnLabs, suite } from './support/labRun.js';

const signedUrls = suite('signed-urls');

/** fault -> the checks it must fail, and no others */
const failsUnder: Record<string, string[]> = {
  'signed-accepts-expired': [
    'expired-refused',
    'refused-from-the-expiry-instant',
    'expired-cookies-refused',
    'cached-copy-not-leaked',
  ],
  'signed-ignores-not-before': ['not-yet-valid-refused'],
  'signed-ignores-ip': ['address-condition'],
  'signed-skips-signature': [
    'tampered-signature-refused',
    'tampered-expiry-refused',
    'tampered-policy-refused',
    'tampered-cookies-refused',
  ],
  // every check that fills the cache with a valid signature, then asks again without one
  'signed-cache-leak': ['cached-copy-not-leaked', 'refused-from-the-expiry-instant', 'address-condition'],
  'signed-route-open': ['unsigned-refused', 'missing-key-id-refused', 'cached-copy-not-leaked'],
  'signed-any-key': ['unknown-key-refused'],
  'signed-trusts-other-key': [
    'signed-accepted',
    'refused-from-the-expiry-instant',
    'address-condition',
    'signed-cookies-accepted',
    'cached-copy-not-leaked',
    'signing-parameters-stay-at-the-edge',
  ],
  'signed-params-forwarded': ['signing-parameters-stay-at-the-edge'],
};

t.test('every signed-urls check has a fault switch that fails it', async (t) => {
  const covered = new Set(Object.values(failsUnder).flat());
  t.same(
    signedUrls.checks.map((c) => c.id).filter((id) => !covered.has(id)),
    [],
  );
});

t.test('all checks pass on the reference lab, saying why each refusal was refused', async (t) => {
  const record = await runOnLab([signedUrls], 'lab: reference\nedges: [127.0.0.1, 127.0.0.2]');
  for (const c of record.checks) t.equal(c.status, 'passed', `${c.id}: ${c.reason ?? ''}`);
  const checks = byId(record);
  t.match(checks['missing-key-id-refused']!.steps[0], {
    signed: { scheme: 'cloudfront', omit: 'key-pair-id' },
    denial: { code: 'MissingKey', message: 'Missing Key-Pair-Id query parameter or cookie value' },
  });
  t.match(checks['unknown-key-refused']!.steps[0], { denial: { code: 'InvalidKey', message: 'Unknown Key' } });
  const instant = checks['refused-from-the-expiry-instant']!.steps;
  t.equal(instant[2]!.request!.url, instant[0]!.request!.url, 'the very same URL before and after its expiry');
  const text = JSON.stringify(record);
  t.notMatch(text, /Signature=(?!\[redacted\])/, 'no signature in the record');
  t.notMatch(text, /Policy=(?!\[redacted\])/, 'no policy in the record');
  t.notMatch(text, /PRIVATE KEY/, 'no private key in the record');
  const origin = checks['signing-parameters-stay-at-the-edge']!.steps[0]!.origin_requests![0]!;
  t.notMatch(origin.url, /Signature|Key-Pair-Id|Expires/, 'the origin saw the URL without them');
});

t.test('each check fails under its fault switch, and only the checks it guards', async (t) => {
  const faults = Object.keys(failsUnder);
  const records = await runOnLabs(
    faults.map((fault) => ({ suites: [signedUrls], target: `lab: reference\nfaults: [${fault}]` })),
  );
  faults.forEach((fault, i) => {
    const failed = records[i]!.checks.filter((c) => c.status === 'failed')
      .map((c) => c.id)
      .sort();
    t.same(failed, [...failsUnder[fault]!].sort(), `under ${fault}`);
  });
});
