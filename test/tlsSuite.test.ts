// suites/tls.yaml against the reference edge: every check passes on a correct
// edge; each fault switch fails exactly the checks guarding what it breaks;
// a URL target without TLS promises skips what it does not declare.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import http2 from 'node:http2';
import t from 'tap';
import { loadTargets, selectTarget } from '../harness/config/load.js';
import type { RunRecord } from '../harness/record.js';
import { runSuites } from '../harness/runner/runSuites.js';
import { openTarget } from '../harness/target/openTarget.js';
import { startReferenceLab } from '../lab/referenceLab.js';
import { byId, runOnLab, runOnLabs, suite, targetsFile } from './support/labRun.js';
import { labEdges } from '../lab/labs.js';

const tls = suite('tls');

/**
 * fault -> the checks it must fail, and no others. A certificate that does not
 * verify also costs HSTS: a browser ignores HSTS from such a connection (RFC 6797 8.1).
 */
const failsUnder: Record<string, string[]> = {
  'wrong-sni-certificate': ['certificate-matches-hostname', 'hostname-in-san', 'hsts'],
  'cn-only-certificate': ['hostname-in-san'],
  'chain-missing-intermediate': ['chain-trusted', 'hsts'],
  'expiring-certificate': ['certificate-days-left'],
  'unrelated-default-certificate': ['certificate-without-sni'],
  'allow-tls10': ['legacy-protocols-refused'],
  'no-tls13': ['protocols-accepted'],
  'no-h2': ['alpn-as-declared'],
  'no-session-resumption': ['session-resumption'],
  'short-hsts': ['hsts'],
};

const failedIds = (record: RunRecord) =>
  record.checks
    .filter((c) => c.status === 'failed')
    .map((c) => c.id)
    .sort();

t.test('every tls check has a fault switch that fails it', async (t) => {
  const covered = new Set(Object.values(failsUnder).flat());
  t.same(
    tls.checks.map((c) => c.id).filter((id) => !covered.has(id)),
    [],
  );
});

t.test('all tls checks pass against a correct reference edge, with their evidence', async (t) => {
  const record = await runOnLab([tls], 'lab: reference');
  for (const c of record.checks) t.equal(c.status, 'passed', `${c.id}: ${c.reason ?? ''}`);
  const checks = byId(record);
  const endpoints = checks['certificate-matches-hostname']!.steps[0]!.tls!.endpoints;
  t.same(endpoints.map((e) => `${e.host} ${e.address} ${e.sni}`).sort(), [
    'lab.edgecheck.test 127.0.0.1 lab.edgecheck.test',
    'static.edgecheck.test 127.0.0.1 static.edgecheck.test',
  ]);
  t.match(endpoints[0]!.handshake, {
    ok: true,
    protocol: 'TLSv1.3',
    trusted: true,
    certificate: {
      subject: /^CN=/,
      sans: Array,
      issuer: /edgecheck lab CA/,
      not_after: /^\d{4}-/,
      fingerprint256: /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/,
    },
    hostname_match: { match: true, by: 'san-dns' },
  });
  const versions = checks['protocols-accepted']!.steps[0]!.tls!.endpoints.map(
    (e) => `${e.host} ${e.handshake.protocol}`,
  );
  t.equal(versions.length, 4, 'two hostnames x two accepted versions');
  t.ok(versions.includes('static.edgecheck.test TLSv1.2'));
  const refused = checks['legacy-protocols-refused']!.steps[0]!.tls!.endpoints;
  t.same(refused.map((e) => e.offered.max_version).sort(), ['TLSv1', 'TLSv1', 'TLSv1.1', 'TLSv1.1']);
  t.ok(refused.every((e) => !e.handshake.ok));
  t.equal(checks['alpn-as-declared']!.steps[0]!.tls!.endpoints[0]!.handshake.alpn, 'h2');
  t.match(checks['session-resumption']!.steps[0]!.tls!.endpoints[0]!.resumption, {
    ok: true,
    resumed: true,
    resumption: 'ticket',
  });
  t.match(checks['certificate-without-sni']!.steps[0]!.tls!.endpoints[0], {
    sni: null,
    handshake: { certificate: { common_name: 'lab.edgecheck.test' } },
  });
  t.match(checks['hsts']!.steps[0]!.tls!.endpoints[0]!.hsts, { header: 'max-age=31536000' });
});

t.test('each fault switch fails exactly the checks that guard it', async (t) => {
  const faults = Object.keys(failsUnder);
  const records = await runOnLabs(
    faults.map((fault) => ({ suites: [tls], target: `lab: reference\nfaults: [${fault}]` })),
  );
  faults.forEach((fault, i) => {
    const record = records[i]!;
    t.same(failedIds(record), [...failsUnder[fault]!].sort(), `under ${fault}`);
    for (const c of record.checks.filter((c) => c.status === 'failed'))
      t.match(c.reason, /^step 1 \(tls\): expected tls\./, `${fault}: ${c.id} says why`);
  });
  const wrongCert = byId(records[faults.indexOf('wrong-sni-certificate')]!)['certificate-matches-hostname']!.steps[0]!
    .tls!.endpoints;
  t.same(
    wrongCert.filter((e) => !e.passed).map((e) => e.host),
    ['static.edgecheck.test'],
    'only the hostname with the wrong certificate fails: one hostname would not have caught it',
  );
  t.match(
    wrongCert.find((e) => !e.passed)!.handshake.certificate,
    { common_name: 'lab.edgecheck.test' },
    'the evidence names the certificate served',
  );
  const expiring = byId(records[faults.indexOf('expiring-certificate')]!)['certificate-days-left']!;
  t.match(expiring.reason, /static\.edgecheck\.test via 127\.0\.0\.1:\d+: 9 days left \(notAfter /);
  const cnOnly = byId(records[faults.indexOf('cn-only-certificate')]!);
  t.match(
    cnOnly['certificate-matches-hostname']!.steps[0]!.tls!.endpoints.find((e) => e.host === 'static.edgecheck.test')!
      .handshake.hostname_match,
    {
      match: true,
      by: 'cn',
      warning: /no subjectAltName/,
    },
    'the CN fallback passes the name check, with a warning',
  );
});

t.test('a URL target: its own CA bundle, every edge address, skips what it does not promise', async (t) => {
  const lab = await startReferenceLab({ faults: ['wrong-sni-certificate'], addresses: ['127.0.0.1', '127.0.0.2'] });
  t.teardown(() => lab.close());
  const file = targetsFile(
    [
      'targets:',
      '  staging:',
      `    url: ${lab.url}`,
      '    hostnames: [lab.edgecheck.test, static.edgecheck.test]',
      '    edges: [127.0.0.1, 127.0.0.2]',
      '    tls: { ca: "${file:ca.pem}", min_days_left: 100 }',
    ].join('\n'),
  );
  writeFileSync(join(dirname(file), 'ca.pem'), lab.caPem);
  const target = await openTarget(selectTarget(loadTargets(file, labEdges), 'staging'), labEdges);
  t.teardown(() => target.close());
  const checks = byId(await runSuites(target, [tls]));
  for (const id of ['protocols-accepted', 'legacy-protocols-refused', 'alpn-as-declared', 'hsts'])
    t.equal(checks[id]?.status, 'skipped', id);
  t.match(checks['protocols-accepted']?.reason, /needs tls\.protocols\.accept on target 'staging'/);
  t.match(checks['alpn-as-declared']?.reason, /needs tls\.alpn/);
  t.match(checks['hsts']?.reason, /needs tls\.hsts/);
  t.equal(checks['chain-trusted']?.status, 'passed', 'the lab CA from tls.ca is trusted');
  t.equal(checks['certificate-days-left']?.status, 'failed', 'min_days_left: 100 is above the 89 days left');
  t.match(checks['certificate-days-left']?.steps[0]?.failures[0], { expected: { gte: 100 } });
  const name = checks['certificate-matches-hostname']!;
  t.equal(name.status, 'failed');
  const endpoints = name.steps[0]!.tls!.endpoints;
  t.same(
    endpoints.map((e) => `${e.host} ${e.address}`).sort(),
    [
      'lab.edgecheck.test 127.0.0.1',
      'lab.edgecheck.test 127.0.0.2',
      'static.edgecheck.test 127.0.0.1',
      'static.edgecheck.test 127.0.0.2',
    ],
    'every hostname on every edge address',
  );
  t.same(
    endpoints
      .filter((e) => !e.passed)
      .map((e) => `${e.host} ${e.address}`)
      .sort(),
    ['static.edgecheck.test 127.0.0.1', 'static.edgecheck.test 127.0.0.2'],
  );
});

t.test('the reference edge answers h2 and http/1.1 alike, with HSTS', async (t) => {
  const lab = await startReferenceLab();
  t.teardown(() => lab.close());
  const key = '/.edgecheck/h2-run/tls.h2/';
  const control = await fetch(`${lab.origin.control}/v1/objects`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${lab.origin.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ key, object: { body: 'over h2', headers: { 'cache-control': 'max-age=60' } } }),
  });
  t.equal(control.status, 204);
  const { hostname, port } = new URL(lab.url);
  const session = http2.connect(`https://127.0.0.1:${port}`, { ca: lab.caPem, servername: hostname });
  t.teardown(() => session.close());
  const get = () =>
    new Promise<{ status: number; hsts: unknown; cache: unknown; body: string }>((resolve, reject) => {
      const req = session.request({ ':path': key, ':authority': `${hostname}:${port}` });
      let body = '';
      let head: http2.IncomingHttpHeaders = {};
      req.on('response', (h) => (head = h));
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () =>
        resolve({
          status: Number(head[':status']),
          hsts: head['strict-transport-security'],
          cache: head['cache-status'],
          body,
        }),
      );
      req.on('error', reject);
    });
  const first = await get();
  t.match(first, { status: 200, body: 'over h2', hsts: 'max-age=31536000', cache: /fwd=uri-miss; stored/ });
  t.match(
    await get(),
    { status: 200, body: 'over h2', cache: /hit/ },
    'the h2 request is cached under its :authority like an http/1.1 Host',
  );
});
