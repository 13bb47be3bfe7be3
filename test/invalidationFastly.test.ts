// The Fastly provider against a stand-in that checks each call as Fastly's API reference has it:
// URL and surrogate-key purges, soft purges, 429s waited out as told, refusals in Fastly's own words.
import t, { type Test } from 'tap';
import { request } from 'undici';
import { HttpClient } from '../harness/http/client.js';
import { fastlyProvider, throttleWaitMs } from '../harness/invalidation/fastly.js';
import { retryAfterMs } from '../harness/invalidation/providerApi.js';
import {
  InvalidationRefused,
  type InvalidationProvider,
  type InvalidationRequest,
  type ProviderTarget,
} from '../harness/invalidation/provider.js';
import { registerSecret } from '../harness/secrets.js';
import { FastlyStandin } from './support/standins/fastly.js';

const SERVICE = 'SU1Z0isxPaozGVKXdv0eY';
const TOKEN = 'fastly-token-5f0c1d2e9a';
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

async function setup(t: Test, config: { token?: string; service_id?: string } = {}) {
  const standin = await FastlyStandin.start({ serviceId: SERVICE, token: TOKEN });
  const settings = { provider: 'fastly', service_id: SERVICE, token: TOKEN, api: standin.url, ...config };
  const provider = fastlyProvider.create(fastlyProvider.schema.parse(settings), target);
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
  t.equal((err as InvalidationRefused).provider, 'fastly');
  return err as InvalidationRefused;
}

t.test('the config: a service ID, a token and the API, with what is wrong named', async (t) => {
  const ok = { provider: 'fastly', service_id: SERVICE, token: TOKEN };
  t.ok(fastlyProvider.schema.safeParse(ok).success);
  t.ok(fastlyProvider.schema.safeParse({ ...ok, api: 'http://127.0.0.1:9/' }).success);
  const wrong: Array<[string, object, string]> = [
    ['no token', { provider: 'fastly', service_id: SERVICE }, 'token'],
    ['a service name', { ...ok, service_id: 'my service' }, 'service_id'],
    ['an API that is no http(s) URL', { ...ok, api: 'ftp://api.fastly.com' }, 'api'],
    ['a field Fastly has not', { ...ok, zone: 'x' }, ''],
  ];
  for (const [name, config, path] of wrong) {
    const result = fastlyProvider.schema.safeParse(config);
    t.notOk(result.success, name);
    if (path) t.same(result.error?.issues[0]?.path, [path], name);
  }
  t.same(fastlyProvider.supports, { by: ['url', 'tag'], soft: true });
});

t.test('by url: one purge per hostname and path, host and path without scheme, Fastly-Key sent', async (t) => {
  const { standin, provider } = await setup(t);
  const handle = await provider.invalidate(purge({ paths: ['/a.css', '/img/b.png?v=2'] }));
  t.same(standin.violations, []);
  t.same(
    standin.calls.map((c) => c.purge),
    [
      { kind: 'url', url: 'www.example.com/a.css' },
      { kind: 'url', url: 'www.example.com/img/b.png?v=2' },
      { kind: 'url', url: 'img.example.com/a.css' },
      { kind: 'url', url: 'img.example.com/img/b.png?v=2' },
    ],
  );
  t.same(
    standin.calls.map((c) => c.path),
    [
      '/purge/www.example.com/a.css',
      '/purge/www.example.com/img/b.png?v=2',
      '/purge/img.example.com/a.css',
      '/purge/img.example.com/img/b.png?v=2',
    ],
  );
  for (const call of standin.calls) {
    t.equal(call.method, 'POST');
    t.equal(call.headers['fastly-key'], TOKEN);
    t.notOk(call.soft, 'a hard purge sends no Fastly-Soft-Purge');
  }
  t.equal(handle.id.split(',').length, 4, 'each purge id kept');
  t.match(handle.detail, /4 URL purge/);
});

t.test('soft: true sends Fastly-Soft-Purge: 1 on every call', async (t) => {
  const { standin, provider } = await setup(t);
  await provider.invalidate(purge({ paths: ['/a'], soft: true }));
  await provider.invalidate(purge({ by: 'tag', tags: ['k1', 'k2'], soft: true }));
  t.same(standin.violations, []);
  t.equal(standin.calls.length, 3);
  for (const call of standin.calls) t.equal(call.headers['fastly-soft-purge'], '1');
});

t.test('by tag: one key takes the single-key call, several a batch in Surrogate-Key, 256 at most each', async (t) => {
  const { standin, provider } = await setup(t);
  await provider.invalidate(purge({ by: 'tag', tags: ['product-42'] }));
  t.same(standin.calls[0]?.path, `/service/${SERVICE}/purge/product-42`);
  t.same(standin.calls[0]?.purge, { kind: 'keys', keys: ['product-42'], batch: false });

  const keys = Array.from({ length: 300 }, (_, i) => `k${i}`);
  const handle = await provider.invalidate(purge({ by: 'tag', tags: keys }));
  const batches = standin.calls.slice(1);
  t.same(
    batches.map((c) => c.path),
    [`/service/${SERVICE}/purge`, `/service/${SERVICE}/purge`],
  );
  t.same(
    batches.map((c) => c.headers['surrogate-key']?.split(' ').length),
    [256, 44],
  );
  t.same(
    batches.flatMap((c) => (c.purge?.kind === 'keys' ? c.purge.keys : [])),
    keys,
    'every key once, in order',
  );
  t.equal(handle.id.split(',').length, 300, 'a batch answers a purge id per key');
  t.same(standin.violations, []);
});

t.test('a throttled call is sent again after the Retry-After Fastly gives', async (t) => {
  const { standin, provider } = await setup(t);
  standin.script.push({ kind: 'throttle', retryAfter: '1' }, { kind: 'throttle', retryAfter: '1' });
  await provider.invalidate(purge({ by: 'tag', tags: ['k'] }));
  t.equal(standin.calls.length, 3, 'two 429s, then accepted');
  t.same(
    standin.calls.map((c) => c.status),
    [429, 429, 200],
  );
  const gaps = standin.calls.slice(1).map((c, i) => c.at - (standin.calls[i]?.at ?? 0));
  for (const gap of gaps) t.ok(gap >= 950, `waited ${Math.round(gap)} ms of the 1 s asked`);
});

t.test('throttled for good: refused after a bounded number of calls, in Fastly words', async (t) => {
  const { standin, provider } = await setup(t);
  standin.always = { kind: 'throttle', retryAfter: '0' };
  const err = await refusal(t, provider, purge({ paths: ['/a'] }));
  t.equal(standin.calls.length, 5);
  t.match(err.message, /^fastly: POST http:\/\/127\.0\.0\.1:\d+\/purge\/www\.example\.com\/a: HTTP 429: Too many/);
  t.match(err.message, /throttled 5 times/);
});

t.test('a wait longer than a check should sit is a refusal at once', async (t) => {
  const { standin, provider } = await setup(t);
  standin.always = { kind: 'throttle', retryAfter: '3600' };
  const err = await refusal(t, provider, purge({ paths: ['/a'] }));
  t.equal(standin.calls.length, 1);
  t.match(err.message, /asked to wait 3600000 ms/);
});

t.test("the step's stop ends a wait for Fastly", async (t) => {
  const { standin, provider } = await setup(t);
  standin.always = { kind: 'throttle', retryAfter: '30' };
  const stop = new AbortController();
  setTimeout(() => stop.abort(), 100);
  const started = performance.now();
  const err = await provider.invalidate(purge({ paths: ['/a'], signal: stop.signal })).catch((e: unknown) => e);
  t.equal((err as Error).name, 'AbortError');
  t.ok(performance.now() - started < 5000, 'stopped at once, not after the 30 s asked');
  t.equal(standin.calls.length, 1);
});

t.test("a refusal carries Fastly's msg and detail", async (t) => {
  const { standin, provider } = await setup(t, { service_id: 'OtherService1' });
  const err = await refusal(t, provider, purge({ by: 'tag', tags: ['k'] }));
  t.match(err.message, /\/service\/OtherService1\/purge\/k: HTTP 404: Record not found \(Cannot find service 'Other/);
  t.equal(standin.calls.length, 1, 'a refusal is not retried');
});

t.test('a wrong token: 401 in Fastly words, and no token in the message', async (t) => {
  const wrongToken = 'fastly-wrong-token-77aa';
  const { provider } = await setup(t, { token: wrongToken });
  const err = await refusal(t, provider, purge({ paths: ['/a'] }));
  t.match(err.message, /HTTP 401: Provided credentials are missing or invalid/);
  t.notMatch(err.message, wrongToken);
});

t.test('a registered secret never reaches the message, even when Fastly echoes it', async (t) => {
  const { standin, provider } = await setup(t);
  standin.script.push({ kind: 'refuse', status: 403, body: { msg: `Key ${TOKEN} may not purge`, detail: TOKEN } });
  const err = await refusal(t, provider, purge({ paths: ['/a'] }));
  t.notMatch(err.message, TOKEN);
  t.match(err.message, /HTTP 403: Key \[redacted\] may not purge \(\[redacted\]\)/);
});

t.test('a refusal midway says what Fastly had accepted before it', async (t) => {
  const { standin, provider } = await setup(t);
  standin.script.push({ kind: 'pass' }, { kind: 'refuse', status: 500, body: { msg: 'Internal error' } });
  const err = await refusal(t, provider, purge({ paths: ['/a', '/b'] }));
  t.match(err.message, /HTTP 500: Internal error; 1 of 4 calls were accepted before \(\d+-[0-9a-f]+\)$/);
});

t.test('forms Fastly cannot express are refused before any call', async (t) => {
  const { standin, provider } = await setup(t);
  const cases: Array<[Partial<InvalidationRequest>, RegExp]> = [
    [{ by: 'prefix', paths: ['/a/*'] }, /no prefix purge/],
    [{ by: 'url', paths: ['/a/*'] }, /no wildcard/],
    [{ by: 'url', paths: [] }, /no paths/],
    [{ by: 'tag', tags: [] }, /no surrogate keys/],
    [{ by: 'tag', tags: ['two keys'] }, /"two keys" is not a surrogate key/],
  ];
  for (const [req, why] of cases) t.match((await refusal(t, provider, purge(req))).message, why);
  t.equal(standin.calls.length, 0);
});

t.test('status: Fastly has none to give, so polling decides', async (t) => {
  const { provider } = await setup(t);
  const handle = await provider.invalidate(purge({ paths: ['/a'] }));
  t.match(await provider.status(handle, AbortSignal.timeout(1000)), { state: 'unknown' });
});

t.test('an API that does not answer: refused with the transport error', async (t) => {
  const gone = await FastlyStandin.start({ serviceId: SERVICE, token: TOKEN });
  const api = gone.url;
  await gone.close();
  const provider = fastlyProvider.create({ provider: 'fastly', service_id: SERVICE, token: TOKEN, api }, target);
  t.teardown(() => provider.close?.());
  const err = await refusal(t, provider, purge({ paths: ['/a'] }));
  t.match(err.message, /POST http:\/\/127\.0\.0\.1:\d+\/purge\/.*ECONNREFUSED/);
});

t.test('how long to wait: Retry-After first, then the rate-limit reset, then a doubling backoff', async (t) => {
  const now = Date.parse('Tue, 01 Dec 2026 20:00:00 GMT');
  t.equal(retryAfterMs('2', now), 2000);
  t.equal(retryAfterMs('Tue, 01 Dec 2026 20:00:05 GMT', now), 5000);
  t.equal(retryAfterMs('Tue, 01 Dec 2026 19:00:00 GMT', now), 0, 'a date gone by: no wait');
  t.equal(retryAfterMs('1.5', now), undefined, 'not delay-seconds');
  t.equal(retryAfterMs(undefined, now), undefined);
  t.equal(throttleWaitMs({ 'retry-after': '3', 'fastly-ratelimit-reset': String(now / 1000 + 60) }, 1, now), 3000);
  t.equal(throttleWaitMs({ 'fastly-ratelimit-reset': String(now / 1000 + 60) }, 1, now), 60_000);
  t.same(
    [1, 2, 3].map((n) => throttleWaitMs({}, n, now)),
    [500, 1000, 2000],
  );
});

t.test("the stand-in answers a call off Fastly's reference with Fastly's error, and records it", async (t) => {
  const standin = await FastlyStandin.start({ serviceId: SERVICE, token: TOKEN });
  t.teardown(() => standin.close());
  const send = async (method: string, path: string, headers: Record<string, string>, body?: string) => {
    const res = await request(`${standin.url}${path}`, { method: method as 'POST', headers, body });
    return { status: res.statusCode, body: (await res.body.json()) as { msg?: string } };
  };
  const key = { 'fastly-key': TOKEN };
  const keys = Array.from({ length: 257 }, (_, i) => `k${i}`).join(' ');
  const wrong: Array<[string, string, Record<string, string>, number, RegExp]> = [
    ['POST', '/purge/https://www.example.com/a', key, 400, /carries a scheme/],
    ['POST', '/purge/www.example.com', key, 400, /has no path/],
    ['POST', '/purge/www.example.com/a', {}, 401, /no Fastly-Key header/],
    ['POST', '/purge/www.example.com/a', { authorization: `Bearer ${TOKEN}` }, 401, /takes no Authorization/],
    ['GET', '/purge/www.example.com/a', key, 405, /where Fastly takes POST/],
    ['POST', `/service/${SERVICE}/purge`, { ...key, 'surrogate-key': keys }, 400, /257 surrogate keys/],
    ['POST', `/service/${SERVICE}/purge`, key, 400, /no Surrogate-Key header, and no JSON body/],
    ['POST', `/service/${SERVICE}/purge/a%20b`, key, 400, /holds a space/],
    ['POST', `/service/${SERVICE}/purge_everything`, key, 404, /no such API call/],
  ];
  for (const [i, [method, path, headers, status, why]] of wrong.entries()) {
    const answer = await send(method, path, headers);
    t.equal(answer.status, status, `${method} ${path}`);
    t.type(answer.body.msg, 'string', "Fastly's error body");
    t.match(standin.calls[i]?.violations.join('; '), why);
  }
  const json = { ...key, 'content-type': 'application/json' };
  t.equal((await send('POST', `/service/${SERVICE}/purge`, json, '{"surrogate_keys":["a","b"]}')).status, 200);
  t.same(standin.calls.at(-1)?.violations, [], 'the JSON form of a batch is as documented too');
});
