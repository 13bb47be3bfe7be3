// The Cloudflare provider against a stand-in that checks each call as Cloudflare documents it: files,
// prefixes and tags split to the per-request limits, soft purges as invalidations, 429s waited out as
// told, refusals in Cloudflare's own words and codes.
import t, { type Test } from 'tap';
import { request } from 'undici';
import { HttpClient } from '../harness/http/client.js';
import { cloudflareProvider, prefixOf, type CloudflareConfig } from '../harness/invalidation/cloudflare.js';
import {
  InvalidationRefused,
  type InvalidationProvider,
  type InvalidationRequest,
  type ProviderTarget,
} from '../harness/invalidation/provider.js';
import { registerSecret } from '../harness/secrets.js';
import { CloudflareStandin } from './support/standins/cloudflare.js';

const ZONE = '023e105f4ecef8ad9ca31a8372d0c353';
const TOKEN = 'cf-token-Sn3lZJTBX6kkg7Od';
// as the config loader registers a ${env:} value
registerSecret(TOKEN);

const target: ProviderTarget = {
  url: new URL('https://www.example.com/'),
  hostnames: ['www.example.com', 'img.example.com'],
  addresses: [],
  http: new HttpClient(),
};

function purge(over: Partial<InvalidationRequest>): InvalidationRequest {
  return { paths: [], tags: [], by: 'url', soft: false, signal: AbortSignal.timeout(20_000), ...over };
}

async function setup(t: Test, config: Partial<CloudflareConfig> = {}) {
  const standin = await CloudflareStandin.start({ zone: ZONE, token: TOKEN });
  const settings = { provider: 'cloudflare', zone: ZONE, token: TOKEN, api: standin.api, ...config };
  const provider = cloudflareProvider.create(cloudflareProvider.schema.parse(settings), target);
  t.teardown(async () => {
    await provider.close?.();
    await standin.close();
  });
  return { standin, provider };
}

/** the refusal an invalidation ends in, checked to be one */
async function refusal(t: Test, provider: InvalidationProvider, req: InvalidationRequest) {
  const err = await provider.invalidate(req).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.type(err, InvalidationRefused);
  t.equal((err as InvalidationRefused).code, 'E_INVALIDATION_REFUSED');
  t.equal((err as InvalidationRefused).provider, 'cloudflare');
  return err as InvalidationRefused;
}

t.test('the config: a zone ID, a token, the API and the cache key headers, with what is wrong named', async (t) => {
  const ok = { provider: 'cloudflare', zone: ZONE, token: TOKEN };
  t.ok(cloudflareProvider.schema.safeParse(ok).success);
  t.ok(cloudflareProvider.schema.safeParse({ ...ok, cache_key_headers: { 'CF-Device-Type': 'mobile' } }).success);
  const wrong: Array<[string, object, string]> = [
    ['the zone name for its ID', { ...ok, zone: 'example.com' }, 'zone'],
    ['no token', { provider: 'cloudflare', zone: ZONE }, 'token'],
    ['an API that is no http(s) URL', { ...ok, api: 'api.cloudflare.com' }, 'api'],
    ['a header name with a space', { ...ok, cache_key_headers: { 'CF Device': 'x' } }, 'cache_key_headers'],
    ['a field Cloudflare has not', { ...ok, service_id: 'x' }, ''],
  ];
  for (const [name, config, path] of wrong) {
    const result = cloudflareProvider.schema.safeParse(config);
    t.notOk(result.success, name);
    if (path) t.equal(result.error?.issues[0]?.path[0], path, name);
  }
  t.same(cloudflareProvider.supports, { by: ['url', 'prefix', 'tag'], soft: true });
});

t.test('by url: full https URLs for each hostname and path, with the token as a Bearer', async (t) => {
  const { standin, provider } = await setup(t);
  const handle = await provider.invalidate(purge({ paths: ['/a.css', '/img/b.png?v=2'] }));
  t.same(standin.violations, []);
  t.equal(standin.calls.length, 1);
  const call = standin.calls[0];
  t.equal(call?.method, 'POST');
  t.equal(call?.path, `/client/v4/zones/${ZONE}/purge_cache`);
  t.equal(call?.headers.authorization, `Bearer ${TOKEN}`);
  t.equal(call?.headers['content-type'], 'application/json');
  t.same(call?.selection, {
    files: [
      'https://www.example.com/a.css',
      'https://www.example.com/img/b.png?v=2',
      'https://img.example.com/a.css',
      'https://img.example.com/img/b.png?v=2',
    ],
  });
  t.match(handle.id, /^[0-9a-f]{32}$/);
});

t.test('cache key headers: each file goes as {url, headers}', async (t) => {
  const headers = { 'CF-Device-Type': 'mobile', 'Accept-Language': 'en-US' };
  const { standin, provider } = await setup(t, { cache_key_headers: headers });
  await provider.invalidate(purge({ paths: ['/a'] }));
  t.same(standin.violations, []);
  t.same(standin.calls[0]?.selection, {
    files: [
      { url: 'https://www.example.com/a', headers },
      { url: 'https://img.example.com/a', headers },
    ],
  });
});

t.test('by prefix: host and path, no scheme, the trailing * (and /) gone', async (t) => {
  const { standin, provider } = await setup(t);
  await provider.invalidate(purge({ by: 'prefix', paths: ['/assets/*', '/*', '/.edgecheck/r1/s.c/*'] }));
  t.same(standin.violations, []);
  t.same(standin.calls[0]?.selection, {
    prefixes: [
      'www.example.com/assets',
      'www.example.com',
      'www.example.com/.edgecheck/r1/s.c',
      'img.example.com/assets',
      'img.example.com',
      'img.example.com/.edgecheck/r1/s.c',
    ],
  });
  t.equal(prefixOf('h.example', '/a/b/*'), 'h.example/a/b');
});

t.test('by tag: the tags as given', async (t) => {
  const { standin, provider } = await setup(t);
  await provider.invalidate(purge({ by: 'tag', tags: ['product-42', 'home'] }));
  t.same(standin.violations, []);
  t.same(standin.calls[0]?.selection, { tags: ['product-42', 'home'] });
});

t.test('above the per-request limits: several requests, every item once', async (t) => {
  const { standin, provider } = await setup(t);
  const paths = Array.from({ length: 20 }, (_, i) => `/f${i}`);
  const files = await provider.invalidate(purge({ paths }));
  const tags = Array.from({ length: 250 }, (_, i) => `t${i}`);
  await provider.invalidate(purge({ by: 'tag', tags }));
  const prefixes = Array.from({ length: 75 }, (_, i) => `/p${i}/*`);
  await provider.invalidate(purge({ by: 'prefix', paths: prefixes }));
  t.same(standin.violations, [], 'no request above what Cloudflare takes');
  const lists = standin.calls.map((c) => Object.entries(c.selection ?? {})[0] as [string, unknown[]]);
  t.same(
    lists.map(([kind, items]) => `${kind}:${items.length}`),
    ['files:30', 'files:10', 'tags:100', 'tags:100', 'tags:50', 'prefixes:100', 'prefixes:50'],
  );
  t.equal(new Set(lists.filter(([k]) => k === 'files').flatMap(([, items]) => items)).size, 40);
  t.same(
    lists.filter(([k]) => k === 'tags').flatMap(([, items]) => items),
    tags,
  );
  t.equal(files.id.split(',').length, 2, "both requests' ids kept");
  t.match(files.detail, /40 url\(s\) in 2 request/);
});

t.test('soft: an invalidation (invalidate_cache) with the same body, the copies kept stale', async (t) => {
  const { standin, provider } = await setup(t);
  await provider.invalidate(purge({ by: 'tag', tags: ['home'], soft: true }));
  await provider.invalidate(purge({ by: 'prefix', paths: ['/a/*'], soft: true }));
  t.same(standin.violations, []);
  t.same(
    standin.calls.map((c) => c.endpoint),
    ['invalidate_cache', 'invalidate_cache'],
  );
  t.same(standin.calls[0]?.selection, { tags: ['home'] });
});

t.test('a throttled request is sent again after the Retry-After Cloudflare gives', async (t) => {
  const { standin, provider } = await setup(t);
  standin.script.push({ kind: 'throttle', retryAfter: '1' });
  await provider.invalidate(purge({ by: 'tag', tags: ['home'] }));
  t.same(
    standin.calls.map((c) => c.status),
    [429, 200],
  );
  const gap = (standin.calls[1]?.at ?? 0) - (standin.calls[0]?.at ?? 0);
  t.ok(gap >= 950, `waited ${Math.round(gap)} ms of the 1 s asked`);
});

t.test('throttled for good: refused after a bounded number of requests, with the code', async (t) => {
  const { standin, provider } = await setup(t);
  standin.always = { kind: 'throttle', retryAfter: '0' };
  const err = await refusal(t, provider, purge({ by: 'tag', tags: ['home'] }));
  t.equal(standin.calls.length, 5);
  t.match(err.message, /HTTP 429: Please wait and consider throttling your request speed \(code 971\)/);
  t.match(err.message, /throttled 5 times/);
});

t.test('a wait longer than a check should sit is a refusal at once', async (t) => {
  const { standin, provider } = await setup(t);
  standin.always = { kind: 'throttle', retryAfter: '3600' };
  t.match((await refusal(t, provider, purge({ by: 'tag', tags: ['home'] }))).message, /asked to wait 3600000 ms/);
  t.equal(standin.calls.length, 1);
});

t.test("the step's stop ends a wait for Cloudflare", async (t) => {
  const { standin, provider } = await setup(t);
  standin.always = { kind: 'throttle', retryAfter: '30' };
  const stop = new AbortController();
  setTimeout(() => stop.abort(), 100);
  const started = performance.now();
  const err = await provider.invalidate(purge({ by: 'tag', tags: ['home'], signal: stop.signal })).catch((e) => e);
  t.equal((err as Error).name, 'AbortError');
  t.ok(performance.now() - started < 5000, 'stopped at once, not after the 30 s asked');
});

t.test("a wrong token: Cloudflare's message and code, and no token in the message", async (t) => {
  const wrongToken = 'cf-wrong-token-0b1c2d3e';
  const { standin, provider } = await setup(t, { token: wrongToken });
  const err = await refusal(t, provider, purge({ paths: ['/a'] }));
  t.match(err.message, /^cloudflare: POST http:\/\/127\.0\.0\.1:\d+\/client\/v4\/zones\/[0-9a-f]{32}\/purge_cache: /);
  t.match(err.message, /HTTP 403: Authentication error \(code 10000\)$/);
  t.notMatch(err.message, wrongToken);
  t.equal(standin.calls.length, 1, 'a refusal is not retried');
});

t.test('a registered secret never reaches the message, even when Cloudflare echoes it', async (t) => {
  const { standin, provider } = await setup(t);
  const echo = { code: 1012, message: `token ${TOKEN} lacks Cache Purge` };
  standin.script.push({ kind: 'refuse', status: 400, errors: [echo] });
  const err = await refusal(t, provider, purge({ paths: ['/a'] }));
  t.notMatch(err.message, TOKEN);
  t.match(err.message, /HTTP 400: token \[redacted\] lacks Cache Purge \(code 1012\)/);
});

t.test('each error of the envelope is told; success: false is a refusal even with a 200', async (t) => {
  const { standin, provider } = await setup(t);
  const errors = [
    { code: 1134, message: 'Purge by prefix is not available' },
    { code: 1135, message: 'Try purge by URL' },
  ];
  standin.script.push({ kind: 'refuse', status: 400, errors });
  const err = await refusal(t, provider, purge({ by: 'prefix', paths: ['/a/*'] }));
  t.match(err.message, /HTTP 400: Purge by prefix is not available \(code 1134\); Try purge by URL \(code 1135\)$/);
  standin.script.push({ kind: 'raw', status: 200, body: { success: false, errors: [], messages: [], result: null } });
  t.match((await refusal(t, provider, purge({ paths: ['/a'] }))).message, /HTTP 200: success: false, and no errors/);
  standin.script.push({ kind: 'raw', status: 502, body: '<html>Bad gateway</html>' });
  t.match((await refusal(t, provider, purge({ paths: ['/a'] }))).message, /HTTP 502: <html>Bad gateway<\/html>$/);
});

t.test('a refusal midway says which requests Cloudflare had accepted', async (t) => {
  const { standin, provider } = await setup(t);
  const internal = { code: 10001, message: 'Internal' };
  standin.script.push({ kind: 'pass' }, { kind: 'refuse', status: 500, errors: [internal] });
  const err = await refusal(t, provider, purge({ paths: Array.from({ length: 20 }, (_, i) => `/f${i}`) }));
  t.match(err.message, /Internal \(code 10001\); 1 of 2 requests were accepted before \([0-9a-f]{32}\)$/);
});

t.test('forms Cloudflare cannot express are refused before any request', async (t) => {
  const { standin, provider } = await setup(t);
  const cases: Array<[Partial<InvalidationRequest>, RegExp]> = [
    [{ by: 'url', paths: ['/a/*'] }, /takes no wildcard/],
    [{ by: 'url', paths: [] }, /no paths/],
    [{ by: 'prefix', paths: ['/a/'] }, /ends in \/\*/],
    [{ by: 'prefix', paths: ['/a*/b/*'] }, /ends in \/\* and holds no other/],
    [{ by: 'prefix', paths: ['/a/b*'] }, /Cloudflare cuts at a \//],
    [{ by: 'prefix', paths: ['/a?x=1/*'] }, /no query or fragment/],
    [{ by: 'prefix', paths: [`${'/a'.repeat(32)}/*`] }, /at most 31 path separators/],
    [{ by: 'tag', tags: [] }, /no cache tags/],
    [{ by: 'tag', tags: [' '] }, /an empty cache tag/],
  ];
  for (const [req, why] of cases) t.match((await refusal(t, provider, purge(req))).message, why);
  t.equal(standin.calls.length, 0);
});

t.test('status: Cloudflare has none to give, so polling decides', async (t) => {
  const { provider } = await setup(t);
  const handle = await provider.invalidate(purge({ paths: ['/a'] }));
  t.match(await provider.status(handle, AbortSignal.timeout(1000)), { state: 'unknown' });
});

t.test('an API that does not answer: refused with the transport error', async (t) => {
  const gone = await CloudflareStandin.start({ zone: ZONE, token: TOKEN });
  const api = gone.api;
  await gone.close();
  const provider = cloudflareProvider.create({ provider: 'cloudflare', zone: ZONE, token: TOKEN, api }, target);
  t.teardown(() => provider.close?.());
  const err = await refusal(t, provider, purge({ paths: ['/a'] }));
  t.match(err.message, /POST http:\/\/127\.0\.0\.1:\d+\/client\/v4\/zones\/[0-9a-f]{32}\/purge_cache: ECONNREFUSED/);
});

t.test("the stand-in answers a request off Cloudflare's docs with Cloudflare's error, and records it", async (t) => {
  const standin = await CloudflareStandin.start({ zone: ZONE, token: TOKEN });
  t.teardown(() => standin.close());
  const ok = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
  const at = `/client/v4/zones/${ZONE}/purge_cache`;
  // n URLs in a purge by URL
  const files = (n: number) => JSON.stringify({ files: Array.from({ length: n }, (_, i) => `https://h.example/${i}`) });
  const wrong: Array<[string, Record<string, string>, string, number, RegExp]> = [
    [at, { ...ok, 'x-auth-key': TOKEN, 'x-auth-email': 'a@b.c' }, files(1), 200, /X-Auth-Key sent/],
    [at, { 'content-type': 'application/json' }, files(1), 400, /no Authorization header/],
    [at, { ...ok, authorization: TOKEN }, files(1), 400, /not "Bearer <token>"/],
    [at, { ...ok, 'content-type': 'text/plain' }, files(1), 400, /no JSON Content-Type/],
    [at, ok, '{"files":', 400, /not JSON/],
    [at, ok, files(31), 400, /31 files in one request; at most 30/],
    [at, ok, JSON.stringify({ files: ['https://h.example/*'] }), 400, /holds a wildcard/],
    [at, ok, JSON.stringify({ files: [{ url: 'https://h.example/a', headers: [] }] }), 400, /no name: value/],
    [at, ok, JSON.stringify({ prefixes: ['https://h.example/a'] }), 400, /carries a scheme/],
    [at, ok, JSON.stringify({ prefixes: ['h.example/a*'] }), 400, /wildcard, query or fragment/],
    [at, ok, JSON.stringify({ tags: ['a'], prefixes: ['h.example/a'] }), 400, /one of files, .* not 2/],
    [at, ok, JSON.stringify({ tags: Array.from({ length: 101 }, (_, i) => `t${i}`) }), 400, /at most 100/],
    [at, ok, JSON.stringify({ urls: ['https://h.example/a'] }), 400, /unknown field\(s\) urls/],
    ['/client/v4/zones/example.com/purge_cache', ok, files(1), 400, /not a zone ID/],
    [`/zones/${ZONE}/purge_cache`, ok, files(1), 404, /no such API call/],
  ];
  for (const [i, [path, headers, body, status, why]] of wrong.entries()) {
    const res = await request(`${standin.api.replace('/client/v4', '')}${path}`, { method: 'POST', headers, body });
    const answer = (await res.body.json()) as { success: boolean; errors: Array<{ code: number; message: string }> };
    t.equal(res.statusCode, status, `${path} ${body.slice(0, 40)}`);
    if (status !== 200) t.match(answer, { success: false, errors: [{ code: Number, message: String }] });
    t.match(standin.calls[i]?.violations.join('; '), why);
  }
});
