// suites/redirects.yaml against the reference lab: every check passes on a
// correct edge with two PoPs, each fails under the fault switch that breaks
// what it guards, and a loop is reported with its hops inside the check's time.
import t from 'tap';
import { renderObject } from '../harness/origin/renderObject.js';
import { byId, runOnLab, runOnLabs, suite } from './support/labRun.js';

const redirects = suite('redirects');

/** fault -> the checks it must fail, and no others */
const failsUnder: Record<string, string[]> = {
  'redirect-drops-query': ['http-to-https-keeps-url', 'canonical-host-from-http'],
  'redirect-302': ['http-to-https-keeps-url'],
  'redirect-other-host': ['http-to-https-keeps-url'],
  'hsts-over-http': ['no-hsts-over-http'],
  'redirect-post-301': ['post-over-http-keeps-method'],
  // the canonical host's own pages bounce away: everything served over HTTPS goes round
  'redirect-loop': [
    'canonical-host-in-one-hop-over-https',
    'canonical-host-from-http',
    'relative-location-passed-on',
    'origin-301-cached',
    'viewer-location-redirect',
    'country-redirect-stays-per-country',
    'origin-307-without-cache-control-not-cached',
  ],
  'redirects-not-cached': ['origin-301-cached', 'country-redirect-stays-per-country'],
  'caches-307': ['origin-307-without-cache-control-not-cached'],
  // an absolute Location is a different header, stored as such
  'location-made-absolute': ['relative-location-passed-on', 'origin-301-cached'],
  'viewer-redirect-cached': ['viewer-location-redirect'],
  'country-not-in-cache-key': ['country-redirect-stays-per-country'],
};

t.test('every redirects check has a fault switch that fails it', async (t) => {
  const covered = new Set(Object.values(failsUnder).flat());
  t.same(
    redirects.checks.map((c) => c.id).filter((id) => !covered.has(id)),
    [],
  );
});

t.test('all checks pass on the reference lab with two PoPs, each hop on record', async (t) => {
  const record = await runOnLab([redirects], 'lab: reference\nedges: [127.0.0.1, 127.0.0.2]');
  for (const c of record.checks) t.equal(c.status, 'passed', `${c.id}: ${c.reason ?? ''}`);
  const checks = byId(record);
  const https = checks['http-to-https-keeps-url']!.steps[0]!;
  t.equal(https.each?.length, 4, 'two hostnames on two edges, each asked on its own');
  t.same(
    https.each!.map((e) => e.request!.address),
    ['127.0.0.1', '127.0.0.2', '127.0.0.1', '127.0.0.2'],
  );
  const fromHttp = checks['canonical-host-from-http']!.steps[0]!.each!;
  const other = fromHttp.find((e) => e.request!.url.includes('static.edgecheck.test'))!;
  t.same(
    other.redirects!.map((h) => h.status),
    [301, 301],
    'HTTPS on the same host first, then the canonical host',
  );
  t.match(other.redirects![1]!.to, /^https:\/\/lab\.edgecheck\.test:\d+\//);
});

t.test('each check fails under its fault switch, and only the checks it guards', async (t) => {
  const faults = Object.keys(failsUnder);
  const records = await runOnLabs(
    faults.map((fault) => ({ suites: [redirects], target: `lab: reference\nfaults: [${fault}]` })),
  );
  faults.forEach((fault, i) => {
    const failed = records[i]!.checks.filter((c) => c.status === 'failed')
      .map((c) => c.id)
      .sort();
    t.same(failed, [...failsUnder[fault]!].sort(), `under ${fault}`);
  });
  const loop = byId(records[faults.indexOf('redirect-loop')]!)['canonical-host-in-one-hop-over-https']!;
  t.match(loop.reason, /a redirect loop: https:\/\/lab\.edgecheck\.test:\d+\/.* -> \(301\) https:\/\/static/);
  t.ok(loop.duration_ms! < 10_000, 'a loop is found inside the step timeout');
});

t.test("a case for a viewer country is programmed in the target's country header", async (t) => {
  const object = { body: 'page', cases: [{ when: { viewer_country: 'DE' }, status: 302 }] };
  t.same(renderObject(object, { now: 0 }).cases![0]!.when, { headers: { 'CloudFront-Viewer-Country': 'DE' } });
  t.same(renderObject(object, { now: 0, countryHeader: 'Fastly-Geo-Country' }).cases![0]!.when, {
    headers: { 'Fastly-Geo-Country': 'DE' },
  });
  // the reference edge tells the origin CloudFront-Viewer-Country: a target declaring another header is taken at
  // its word, so the origin never sees the country it was told to redirect on, and the check fails, not passes
  const record = await runOnLab(
    [{ ...redirects, checks: redirects.checks.filter((c) => c.id === 'country-redirect-stays-per-country') }],
    'lab: reference\nredirects: { country_header: Fastly-Geo-Country }',
  );
  const check = byId(record)['country-redirect-stays-per-country']!;
  t.equal(check.status, 'failed', "the edge's header is not the one the target declares");
  t.match(check.reason, /redirect/);
});
