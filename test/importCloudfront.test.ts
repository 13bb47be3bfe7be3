// `edgecheck import cloudfront` through the built CLI: on each fixture the
// targets file it writes passes `edgecheck validate`, and each promise equals
// the configuration field it came from and says so in its comment (one row per
// field); the SDK path, against a stand-in of CloudFront's API, writes the same target.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { isMap, isPair, isScalar, parseDocument, type Document } from 'yaml';
import { loadTargets } from '../harness/config/load.js';
import { labEdges } from '../lab/labs.js';
import { cloudfrontFixtures } from './fixtures/cloudfront/index.js';
import { geoRedirect } from './fixtures/cloudfront/geoRedirect.js';
import { legacyShop } from './fixtures/cloudfront/legacyShop.js';
import { staticSite } from './fixtures/cloudfront/staticSite.js';
import { binPath, edgecheck } from './support/cli.js';
import { CloudFrontConfigStandIn } from './support/standins/cloudfrontConfig.js';

const fixturesDir = join(import.meta.dirname, 'fixtures', 'cloudfront');
const dir = mkdtempSync(join(tmpdir(), 'edgecheck-import-'));
const HOST = 'd111111abcdef8.cloudfront.net';

t.test('each fixture kept as JSON equals its typed TypeScript', async (t) => {
  for (const [name, fixture] of Object.entries(cloudfrontFixtures)) {
    t.same(JSON.parse(readFileSync(join(fixturesDir, `${name}.json`), 'utf8')), fixture, name);
  }
});

/** Imports a fixture's JSON into dir/<name>.yaml; legacy-shop has no aliases, so it gets --host. */
function imported(name: string): { file: string; text: string; doc: Document } {
  const file = join(dir, `${name}.yaml`);
  const host = name === 'legacy-shop' ? ['--host', HOST] : [];
  const res = edgecheck([
    'import',
    'cloudfront',
    '--config',
    join(fixturesDir, `${name}.json`),
    '--out',
    file,
    ...host,
  ]);
  if (res.status !== 0) throw new Error(`import ${name}: exit ${res.status}: ${res.stderr}`);
  const text = readFileSync(file, 'utf8');
  return { file, text, doc: parseDocument(text) };
}

const files = Object.fromEntries(Object.keys(cloudfrontFixtures).map((name) => [name, imported(name)]));

t.test('edgecheck validate accepts every imported targets file', async (t) => {
  for (const [name, { file }] of Object.entries(files)) {
    const res = edgecheck(['validate', '--targets', file, '--suite', 'caching']);
    t.equal(res.status, 0, `${name}: ${res.stderr}`);
    t.match(res.stdout, /: ok, 1 target \(cloudfront\), default cloudfront/);
  }
});

const html = staticSite.CachePolicies['c1a0e8f2-html-short-ttl'];
const assets = staticSite.CachePolicies['b7d3f1a4-versioned-assets'];
const search = staticSite.CachePolicies['e9f1a3b5-search-results'];
const shopDefault = legacyShop.DistributionConfig.DefaultCacheBehavior;
const [shopStatic, shopCatalog] = legacyShop.DistributionConfig.CacheBehaviors.Items;
const sts =
  staticSite.ResponseHeadersPolicies['a5e7c9d1-security-headers'].SecurityHeadersConfig.StrictTransportSecurity;
const [staticAssets, staticPrivate, staticApi] = staticSite.DistributionConfig.CacheBehaviors.Items;

/** One row per promise: where it is in the target, what the fixture says, and the field its comment names. */
const rows: Array<{ fixture: string; at: string[]; expected: unknown; comment: RegExp }> = [
  { fixture: 'static-site', at: ['url'], expected: 'https://www.example.com', comment: /Aliases\[0\]/ },
  {
    fixture: 'static-site',
    at: ['hostnames'],
    expected: staticSite.DistributionConfig.Aliases.Items,
    comment: /^ Aliases$/,
  },
  { fixture: 'static-site', at: ['routes', 'default', 'path'], expected: '/', comment: /DefaultCacheBehavior/ },
  {
    fixture: 'static-site',
    at: ['routes', 'default', 'ttl', 'min'],
    expected: html.MinTTL,
    comment: /html-short-ttl MinTTL/,
  },
  {
    fixture: 'static-site',
    at: ['routes', 'default', 'ttl', 'default'],
    expected: html.DefaultTTL,
    comment: /html-short-ttl DefaultTTL/,
  },
  {
    fixture: 'static-site',
    at: ['routes', 'default', 'ttl', 'max'],
    expected: html.MaxTTL,
    comment: /html-short-ttl MaxTTL/,
  },
  {
    fixture: 'static-site',
    at: ['routes', 'assets', 'path'],
    expected: '/assets/',
    comment: /\(\/assets\/\*\) PathPattern/,
  },
  {
    fixture: 'static-site',
    at: ['routes', 'assets', 'ttl', 'min'],
    expected: assets.MinTTL,
    comment: /versioned-assets MinTTL/,
  },
  {
    fixture: 'static-site',
    at: ['routes', 'assets', 'ttl', 'max'],
    expected: assets.MaxTTL,
    comment: /versioned-assets MaxTTL/,
  },
  {
    fixture: 'static-site',
    at: ['routes', 'assets', 'query_key'],
    expected: assets.ParametersInCacheKeyAndForwardedToOrigin.QueryStringsConfig.QueryStrings!.Items,
    comment: /QueryStringBehavior: whitelist/,
  },
  {
    fixture: 'static-site',
    at: ['routes', 'search', 'query_key'],
    expected: 'all',
    comment: /QueryStringBehavior: all/,
  },
  {
    fixture: 'static-site',
    at: ['routes', 'search', 'ttl', 'default'],
    expected: search.DefaultTTL,
    comment: /search-results/,
  },
  {
    fixture: 'static-site',
    at: ['routes', 'default', 'query_key'],
    expected: 'none',
    comment: /QueryStringBehavior: none/,
  },
  {
    fixture: 'static-site',
    at: ['routes', 'assets', 'compress'],
    expected: staticAssets!.Compress,
    comment: /Compress: true/,
  },
  {
    fixture: 'static-site',
    at: ['routes', 'api', 'compress'],
    expected: false,
    comment: /Compress: true, CachePolicy Managed-CachingDisabled EnableAcceptEncodingGzip\/Brotli: false/,
  },
  {
    fixture: 'static-site',
    at: ['routes', 'private', 'compress'],
    expected: staticPrivate!.Compress,
    comment: /Compress/,
  },
  { fixture: 'static-site', at: ['routes', 'api', 'failover'], expected: true, comment: /origin group api-group/ },
  {
    fixture: 'static-site',
    at: ['routes', 'default', 'error_ttl'],
    expected: '10s',
    comment: /ErrorCachingMinTTL \(404: 10s, 503: 5s/,
  },
  {
    fixture: 'static-site',
    at: ['routes', 'private'],
    expected: undefined,
    comment: /TrustedKeyGroups: signed-downloads/,
  },
  {
    fixture: 'static-site',
    at: ['tls', 'protocols'],
    expected: { accept: ['TLSv1.2', 'TLSv1.3'], refuse: ['TLSv1', 'TLSv1.1'] },
    comment: /MinimumProtocolVersion: TLSv1.2_2021/,
  },
  { fixture: 'static-site', at: ['tls', 'alpn'], expected: ['h2', 'http/1.1'], comment: /HttpVersion: http2and3/ },
  {
    fixture: 'static-site',
    at: ['tls', 'hsts', 'min_max_age'],
    expected: sts.AccessControlMaxAgeSec,
    comment: /StrictTransportSecurity.AccessControlMaxAgeSec/,
  },
  {
    fixture: 'static-site',
    at: ['redirects', 'https'],
    expected: 301,
    comment: /ViewerProtocolPolicy: redirect-to-https/,
  },
  {
    fixture: 'static-site',
    at: ['invalidation'],
    expected: { provider: 'cloudfront', distribution: staticSite.Id },
    comment: /E1STATICSITE/,
  },
  { fixture: 'legacy-shop', at: ['url'], expected: `https://${HOST}`, comment: /--host/ },
  { fixture: 'legacy-shop', at: ['routes', 'default', 'ttl', 'min'], expected: shopDefault.MinTTL, comment: /MinTTL/ },
  {
    fixture: 'legacy-shop',
    at: ['routes', 'default', 'ttl', 'default'],
    expected: shopDefault.DefaultTTL,
    comment: /DefaultCacheBehavior DefaultTTL/,
  },
  {
    fixture: 'legacy-shop',
    at: ['routes', 'default', 'ttl', 'max'],
    expected: shopDefault.MaxTTL,
    comment: /DefaultCacheBehavior MaxTTL/,
  },
  {
    fixture: 'legacy-shop',
    at: ['routes', 'default', 'query_key'],
    expected: 'all',
    comment: /ForwardedValues.QueryString: true, no QueryStringCacheKeys/,
  },
  {
    fixture: 'legacy-shop',
    at: ['routes', 'default', 'failover'],
    expected: true,
    comment: /origin group shop-failover/,
  },
  {
    fixture: 'legacy-shop',
    at: ['routes', 'default', 'error_ttl'],
    expected: '10s',
    comment: /404: 10s \(default\), 503: 10s \(default\)/,
  },
  {
    fixture: 'legacy-shop',
    at: ['routes', 'static', 'path'],
    expected: '/static/',
    comment: /\(static\/\*\) PathPattern/,
  },
  {
    fixture: 'legacy-shop',
    at: ['routes', 'static', 'query_key'],
    expected: shopStatic!.ForwardedValues.QueryStringCacheKeys.Items,
    comment: /QueryStringCacheKeys/,
  },
  {
    fixture: 'legacy-shop',
    at: ['routes', 'static', 'compress'],
    expected: shopStatic!.Compress,
    comment: /Compress: true/,
  },
  {
    fixture: 'legacy-shop',
    at: ['routes', 'catalog', 'ttl', 'min'],
    expected: shopCatalog!.MinTTL,
    comment: /CacheBehaviors\[1\] \(\/catalog\/\*\) MinTTL/,
  },
  { fixture: 'legacy-shop', at: ['routes', 'catalog', 'query_key'], expected: 'none', comment: /QueryString: false/ },
  {
    fixture: 'legacy-shop',
    at: ['tls', 'protocols'],
    expected: { accept: ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'], refuse: [] },
    comment: /CloudFrontDefaultCertificate: true/,
  },
  { fixture: 'legacy-shop', at: ['tls', 'alpn'], expected: ['http/1.1'], comment: /HttpVersion: http1.1/ },
  { fixture: 'legacy-shop', at: ['redirects'], expected: undefined, comment: /.*/ },
  {
    fixture: 'geo-redirect',
    at: ['tls', 'protocols'],
    expected: { accept: ['TLSv1.1', 'TLSv1.2', 'TLSv1.3'], refuse: ['TLSv1'] },
    comment: /TLSv1.1_2016/,
  },
  {
    fixture: 'geo-redirect',
    at: ['routes', 'default', 'ttl', 'min'],
    expected: geoRedirect.CachePolicies['7a1c3e5f-by-country'].MinTTL,
    comment: /by-country MinTTL/,
  },
  { fixture: 'geo-redirect', at: ['routes', 'default', 'query_key'], expected: undefined, comment: /.*/ },
  {
    fixture: 'geo-redirect',
    at: ['routes', 'default', 'error_ttl'],
    expected: '30s',
    comment: /404: 30s, 503: 10s \(default\)/,
  },
  { fixture: 'geo-redirect', at: ['hostnames'], expected: ['app.example.com', 'app.example.de'], comment: /Aliases/ },
];

t.test('each promise equals its fixture field, and its comment names the field', async (t) => {
  for (const row of rows) {
    const { file, doc } = files[row.fixture]!;
    const loaded = loadTargets(file, labEdges).targets['cloudfront']!;
    let value: unknown = loaded;
    for (const key of row.at) value = (value as Record<string, unknown> | undefined)?.[key];
    const where = `${row.fixture} ${row.at.join('.')}`;
    if (row.expected === undefined && row.at.at(-1) !== 'private') {
      t.equal(value, undefined, `${where}: no promise`);
      continue;
    }
    if (row.expected !== undefined) t.same(value, row.expected, where);
    t.match(commentAt(doc, ['targets', 'cloudfront', ...row.at]), row.comment, `${where}: its comment`);
  }
});

t.test('the suites route names stand for the behaviours that provide them', async (t) => {
  const routes = loadTargets(files['static-site']!.file, labEdges).targets['cloudfront']!.routes!;
  t.same(routes['signed'], routes['private'], 'signed: the /private/* behaviour (trusted key groups)');
  t.same(routes['failover'], routes['api'], 'failover: the behaviour on the origin group');
  t.same(routes['query-list'], routes['assets'], 'query-list: the whitelisted query parameters');
  t.same(routes['ttl-default'], routes['search'], 'ttl-default: the shortest positive DefaultTTL');
  t.same(routes['ttl-clamp'], routes['default'], 'ttl-clamp: MinTTL above 0, the shortest MaxTTL');
  t.equal(staticApi!.TargetOriginId, 'api-group');
});

t.test('the checks no behaviour serves are listed, in the file and on the terminal', async (t) => {
  const { text } = files['geo-redirect']!;
  t.match(text, /# {3}- caching\.query-string-listed: needs route 'query-list'/);
  t.match(text, /# {3}- signed-urls\.signed-accepted: needs route 'signed'/);
  t.match(text, /Lambda@Edge viewer-request arn:aws:lambda:us-east-1:123456789012:function:region-redirect:7/);
  t.notMatch(files['static-site']!.text, /caching\.query-string-listed/, 'a fixture that serves it does not list it');
  const res = edgecheck(['import', 'cloudfront', '--config', join(fixturesDir, 'geo-redirect.json')]);
  t.equal(res.status, 0);
  t.equal(res.stdout, files['geo-redirect']!.text.replace(join(dir, 'geo-redirect.yaml'), 'x'), 'the file on stdout');
  t.match(
    res.stderr,
    /checks will be skipped:\n {4}caching\.ttl-raised-to-min: route 'ttl-clamp' declares ttl\.min = 1s/,
  );
});

t.test('a policy the configuration names but the file lacks is a file:line:col error', async (t) => {
  const broken = structuredClone(staticSite) as { CachePolicies: Record<string, unknown> };
  delete broken.CachePolicies['b7d3f1a4-versioned-assets'];
  const file = join(dir, 'broken.json');
  writeFileSync(file, JSON.stringify(broken, null, 2));
  const res = edgecheck(['import', 'cloudfront', '--config', file]);
  t.equal(res.status, 2);
  t.match(res.stderr, /broken\.json:\d+:\d+: error: CachePolicyId 'b7d3f1a4-versioned-assets' is not in CachePolicies/);
  t.match(res.stderr, /\^ not in this file/);
});

t.test('--distribution fetches through the SDK and writes the same target', async (t) => {
  const credentials = { accessKeyId: 'AKIDEDGECHECKIMPORT', secretAccessKey: 'import-secret-key' };
  const standIn = await CloudFrontConfigStandIn.start(staticSite, credentials);
  t.teardown(() => standIn.close());
  const out = join(dir, 'from-sdk.yaml');
  // the stand-in answers in this process, so the CLI runs beside it, not blocking it
  const res = await promisify(execFile)(
    process.execPath,
    [binPath, 'import', 'cloudfront', '--distribution', 'E1STATICSITE', '--out', out],
    {
      env: {
        ...process.env,
        AWS_ENDPOINT_URL_CLOUDFRONT: standIn.url,
        AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
        AWS_REGION: 'us-east-1',
        AWS_CONFIG_FILE: join(dir, 'no-aws-config'),
        AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-aws-credentials'),
      },
    },
  );
  t.match(res.stdout, /wrote .*from-sdk\.yaml/);
  const written = readFileSync(out, 'utf8').replace('from distribution E1STATICSITE', 'from SOURCE');
  const offline = files['static-site']!.text.replace(`from ${join(fixturesDir, 'static-site.json')}`, 'from SOURCE');
  t.equal(written, offline, 'the same targets file as --config writes');
  t.ok(
    standIn.calls.every((c) => c.signatureValid),
    'every request signed as SigV4 requires',
  );
  t.equal(standIn.callsOf('GetDistributionConfig').length, 1);
  t.equal(standIn.callsOf('GetCachePolicy').length, Object.keys(staticSite.CachePolicies).length, 'each cache policy');
  t.equal(standIn.callsOf('GetOriginRequestPolicy').length, 1);
  t.equal(standIn.callsOf('GetResponseHeadersPolicy').length, 1);
  t.equal(standIn.callsOf('ListKeyGroups').length, 1);
});

t.test('an unknown distribution is the API refusal, exit 3', async (t) => {
  const credentials = { accessKeyId: 'AKIDEDGECHECKIMPORT', secretAccessKey: 'import-secret-key' };
  const standIn = await CloudFrontConfigStandIn.start(staticSite, credentials);
  t.teardown(() => standIn.close());
  const failed = await promisify(execFile)(
    process.execPath,
    [binPath, 'import', 'cloudfront', '--distribution', 'E9NOSUCH'],
    {
      env: {
        ...process.env,
        AWS_ENDPOINT_URL_CLOUDFRONT: standIn.url,
        AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      },
    },
  ).then(
    () => undefined,
    (err: { code: number; stderr: string }) => err,
  );
  t.equal(failed?.code, 3);
  t.match(failed?.stderr, /GetDistributionConfig E9NOSUCH: NoSuchDistribution \(HTTP 404\)/);
});

/** The comment a value carries: after a scalar, or above its key. */
function commentAt(doc: Document, path: string[]): string {
  const node = doc.getIn(path, true);
  if (isScalar(node) && node.comment) return node.comment;
  const parent = doc.getIn(path.slice(0, -1), true);
  if (!isMap(parent)) return '';
  const pair = parent.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === path.at(-1));
  const above = (isScalar(pair?.key) && pair.key.commentBefore) || '';
  // a comment above a mapping's first key is read back as the mapping's own
  return above || (pair === parent.items[0] ? (parent.commentBefore ?? '') : '');
}
