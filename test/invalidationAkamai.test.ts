// The Akamai Fast Purge provider against a stand-in that verifies each EdgeGrid signature on its own: the
// request's shape, retries when Akamai is busy, Akamai's words on refusal, and no credential in any message.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { HttpClient } from '../harness/http/client.js';
import { akamaiProvider, openFastPurge, type AkamaiConfig } from '../harness/invalidation/akamai.js';
import type { InvalidationRequest, ProviderTarget } from '../harness/invalidation/provider.js';
import { startAkamaiStandIn } from './support/standins/akamai.js';

const credentials = {
  clientToken: 'akab-client-token-edgecheck-0001',
  clientSecret: 'c2VjcmV0LW9mLXRoZS1lZGdlY2hlY2stdGVzdHM=',
  accessToken: 'akab-access-token-edgecheck-0002',
};
const edgerc = [
  '; written by the test',
  '[default]',
  'host = akab-default.luna.akamaiapis.net',
  `client_token = ${credentials.clientToken}`,
  `client_secret = ${credentials.clientSecret}`,
  `access_token = ${credentials.accessToken}`,
  '',
  "[ccu]  # the section Akamai's tools use for purges",
  'host = https://akab-ccu.luna.akamaiapis.net/',
  `client-token = "${credentials.clientToken}"`,
  `client-secret = "${credentials.clientSecret}"`,
  `access-token = ${credentials.accessToken} ; a comment`,
  'max-body = 131072',
  '',
].join('\n');
const wrongSecret = edgerc
  .replace('[default]', '[wrong]')
  .split('\n[ccu]')[0]!
  .replace(credentials.clientSecret, 'd3JvbmctYnV0LXNpbWlsYXItbG9va2luZy1zZWNyZXQ=');

const standin = await startAkamaiStandIn(credentials);
const http = new HttpClient();
t.teardown(async () => {
  await standin.close();
  await http.close();
});

const target: ProviderTarget = {
  url: new URL('https://www.example.com'),
  hostnames: ['www.example.com', 'static.example.com'],
  addresses: [],
  http,
};
const config = (over: Partial<AkamaiConfig> = {}): AkamaiConfig => ({
  provider: 'akamai',
  edgerc_text: `${edgerc}\n${wrongSecret}`,
  api: standin.api,
  ...over,
});
const purge = (over: Partial<InvalidationRequest> = {}): InvalidationRequest => ({
  paths: ['/a', '/b?v=1'],
  tags: [],
  by: 'url',
  soft: false,
  signal: AbortSignal.timeout(10_000),
  ...over,
});
const fast = { attempts: 3, firstWaitMs: 5, maxWaitMs: 2000 };
/** the requests since this call */
const since = () => {
  const from = standin.requests.length;
  return () => standin.requests.slice(from);
};
const secrets = [credentials.clientSecret, credentials.accessToken, credentials.clientToken];
const holdsSecret = (text: string) => secrets.some((s) => text.includes(s));

t.test('a URL purge: the path names the action, type and network; one URL per hostname and path', async (t) => {
  const seen = since();
  const provider = akamaiProvider.create(config(), target);
  const handle = await provider.invalidate(purge());
  const [request] = seen();
  t.match(request, { method: 'POST', path: '/ccu/v3/invalidate/url/production', status: 201, refusal: undefined });
  t.same(request!.objects, [
    'https://www.example.com/a',
    'https://www.example.com/b?v=1',
    'https://static.example.com/a',
    'https://static.example.com/b?v=1',
  ]);
  t.same(JSON.parse(request!.body), { objects: request!.objects }, 'the body is {"objects": [...]} and no more');
  t.match(request!.headers, { 'content-type': 'application/json', host: new URL(standin.api).host });
  t.match(handle, { id: /^edcp-standin\d+$/, detail: /Request accepted: .* 4 objects, estimated 5 s, supportId / });
  const status = await provider.status(handle, AbortSignal.timeout(1000));
  t.match(status, { state: 'unknown', detail: /no completion status; Akamai estimated 5 s, [\d.]+ s ago/ });
  t.same(await provider.status({ id: 'never-seen' }, AbortSignal.timeout(1000)), {
    state: 'unknown',
    detail: 'Fast Purge offers no completion status',
  });
});

t.test('network, action and soft: a soft purge invalidates even where hard ones delete', async (t) => {
  const seen = since();
  const staging = akamaiProvider.create(config({ network: 'staging', action: 'delete', section: 'ccu' }), target);
  await staging.invalidate(purge());
  await staging.invalidate(purge({ soft: true }));
  await akamaiProvider.create(config({ action: 'delete' }), target).invalidate(purge({ soft: true }));
  t.same(
    seen().map((r) => [r.path, r.status]),
    [
      ['/ccu/v3/delete/url/staging', 201],
      ['/ccu/v3/invalidate/url/staging', 201],
      ['/ccu/v3/invalidate/url/production', 201],
    ],
  );
});

t.test('a cache tag purge, and /* as the CP codes the target names', async (t) => {
  const seen = since();
  const provider = akamaiProvider.create(config({ cp_codes: [12345, 98765] }), target);
  await provider.invalidate(purge({ by: 'tag', paths: [], tags: ['product-7', 'home'] }));
  await provider.invalidate(purge({ by: 'prefix', paths: ['/*'] }));
  t.same(
    seen().map((r) => [r.path, r.objects]),
    [
      ['/ccu/v3/invalidate/tag/production', ['product-7', 'home']],
      ['/ccu/v3/invalidate/cpcode/production', [12345, 98765]],
    ],
  );
});

t.test('what Fast Purge cannot do is refused before anything is sent', async (t) => {
  t.same(akamaiProvider.supports, { by: ['url', 'tag'], soft: true });
  const seen = since();
  const plain = akamaiProvider.create(config(), target);
  const withCodes = akamaiProvider.create(config({ cp_codes: [1] }), target);
  const cases: Array<[string, Promise<unknown>, RegExp]> = [
    ['a prefix', plain.invalidate(purge({ by: 'prefix', paths: ['/assets/*'] })), /no prefix purge/],
    ['/* without cp_codes', plain.invalidate(purge({ by: 'prefix', paths: ['/*'] })), /when the target sets cp_codes/],
    ['a prefix beside /*', withCodes.invalidate(purge({ by: 'prefix', paths: ['/*', '/a/*'] })), /no prefix purge/],
    ['no paths', plain.invalidate(purge({ paths: [] })), /no paths to invalidate/],
    ['no tags', plain.invalidate(purge({ by: 'tag', paths: [] })), /no cache tags/],
    ['a path without /', plain.invalidate(purge({ paths: ['a'] })), /a path must start with \/: a/],
  ];
  for (const [name, attempt, message] of cases) {
    await t.rejects(attempt, { name: 'InvalidationRefused', code: 'E_INVALIDATION_REFUSED', message }, name);
  }
  t.same(seen(), [], 'nothing reached Akamai');
});

t.test('429 and 507 are waited out, honouring Retry-After, each attempt signed afresh', async (t) => {
  const seen = since();
  standin.script({ status: 429, retryAfter: '0' }, { status: 507, detail: 'queue full' });
  const started = Date.now();
  const handle = await openFastPurge(config(), target, { ...fast, firstWaitMs: 300 }).invalidate(purge());
  const requests = seen();
  t.same(
    requests.map((r) => r.status),
    [429, 507, 201],
  );
  t.same(
    requests.map((r) => r.refusal),
    [undefined, undefined, undefined],
    'every signature verified',
  );
  t.equal(new Set(requests.map((r) => r.nonce)).size, 3, 'a new nonce each time');
  t.ok(Date.now() - started >= 150, 'the 507 without Retry-After was backed off');
  t.match(handle.id, /^edcp-/);

  standin.script({ status: 429, retryAfter: new Date(Date.now() + 1000).toUTCString() });
  await openFastPurge(config(), target, fast).invalidate(purge());
  t.same(
    seen()
      .slice(-2)
      .map((r) => r.status),
    [429, 201],
    'an HTTP-date Retry-After',
  );
});

t.test("busy beyond the bounds: a refusal in Akamai's words, not a stalled check", async (t) => {
  standin.script(...Array.from({ length: 3 }, () => ({ status: 429, retryAfter: '0' })));
  await t.rejects(openFastPurge(config(), target, fast).invalidate(purge()), {
    message: /^akamai: 429 Rate Limit exceeded \(supportId edcp-standin-429\); still refused after 3 attempts$/,
  });
  const seen = since();
  standin.script({ status: 429, retryAfter: '120' });
  await t.rejects(openFastPurge(config(), target, fast).invalidate(purge()), {
    message: /Akamai asks to retry in 120 s, longer than the 2 s waited$/,
  });
  t.equal(seen().length, 1, 'no second try when the wait is too long');
});

t.test("an abort ends the wait at once, with the signal's reason", async (t) => {
  standin.script({ status: 429, retryAfter: '1' });
  const controller = new AbortController();
  const pending = openFastPurge(config(), target, fast).invalidate(purge({ signal: controller.signal }));
  setTimeout(() => controller.abort(new Error('step timed out')), 100);
  const started = Date.now();
  await t.rejects(pending, { message: 'step timed out' });
  t.ok(Date.now() - started < 900, 'did not sit out the Retry-After');
  await t.rejects(akamaiProvider.create(config(), target).invalidate(purge({ signal: AbortSignal.abort() })), {
    name: 'AbortError',
  });
  await t.rejects(akamaiProvider.create(config(), target).status({ id: 'x' }, AbortSignal.abort()), {
    name: 'AbortError',
  });
});

t.test("400 and 403: refused with Akamai's title and detail", async (t) => {
  standin.script(
    { status: 400, title: 'bad URL', detail: "Invalid or malformed URL 'https://www.example.com/dev\u00f3ps'" },
    { status: 403, detail: 'https://www.example.com/a' },
  );
  const provider = akamaiProvider.create(config(), target);
  await t.rejects(provider.invalidate(purge()), {
    message:
      "akamai: 400 bad URL: Invalid or malformed URL 'https://www.example.com/devóps' " +
      '(supportId edcp-standin-400)',
  });
  await t.rejects(provider.invalidate(purge()), {
    message: 'akamai: 403 unauthorized arl: https://www.example.com/a (supportId edcp-standin-403)',
  });
});

t.test('no credential in any message, even when the server echoes them', async (t) => {
  standin.script({ status: 403, title: 'denied', detail: (req) => `you sent ${req.headers.authorization}` });
  const messages: string[] = [];
  const collect = async (attempt: Promise<unknown>) => {
    const err = await attempt.then(
      () => undefined,
      (e: Error) => e,
    );
    t.ok(err, 'refused');
    messages.push(err?.message ?? '');
  };
  await collect(akamaiProvider.create(config(), target).invalidate(purge()));
  t.match(messages[0], /^akamai: 403 denied: you sent EG1-HMAC-SHA256 client_token=\[redacted\];access_token=\[redac/);

  // a secret that does not match: the stand-in's own verdict, and again no credential
  const seen = since();
  await collect(akamaiProvider.create(config({ section: 'wrong' }), target).invalidate(purge()));
  t.equal(seen()[0]?.refusal, 'Unauthorized: The signature does not match');
  t.match(messages[1], /^akamai: 401 Unauthorized: The signature does not match/);

  await collect(akamaiProvider.create(config({ api: 'http://127.0.0.1:9' }), target).invalidate(purge()));
  t.match(messages[2], /^akamai: Fast Purge at http:\/\/127\.0\.0\.1:9 did not answer: /);
  for (const m of messages) t.notOk(holdsSecret(m), m);
});

t.test('the .edgerc: a path or the text, a section, and clear errors', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'edgecheck-akamai-'));
  const file = join(dir, '.edgerc');
  writeFileSync(file, edgerc);
  const seen = since();
  await akamaiProvider
    .create({ provider: 'akamai', edgerc: file, section: 'ccu', api: standin.api }, target)
    .invalidate(purge());
  t.equal(seen()[0]?.status, 201, 'read from a path, the [ccu] section');

  t.throws(() => akamaiProvider.create(config({ section: 'purge' }), target), {
    code: 'E_CONFIG',
    message: 'edgerc_text: no section [purge] in the .edgerc; it has [default], [ccu], [wrong]',
  });
  t.throws(() => akamaiProvider.create({ provider: 'akamai', edgerc: join(dir, 'absent') }, target), {
    message: `akamai: cannot read the .edgerc ${join(dir, 'absent')}: ENOENT`,
  });
  const lacking = edgerc.replace(/^client_secret = .*$/m, '');
  const err = t.throws(() => akamaiProvider.create(config({ edgerc_text: lacking }), target), {
    message: 'edgerc_text: section [default] lacks client_secret',
  }) as Error;
  t.notOk(holdsSecret(err.message));
});

t.test('the config schema: exactly one of edgerc and edgerc_text, a path read as written', async (t) => {
  const parse = (c: object) => akamaiProvider.schema.safeParse({ provider: 'akamai', ...c });
  t.ok(parse({ edgerc: '~/.edgerc' }).success);
  t.ok(parse({ edgerc: '/etc/edgecheck/.edgerc', section: 'ccu', network: 'staging', cp_codes: [1] }).success);
  const issues = (c: object) =>
    parse(c)
      .error?.issues.map((i) => i.message)
      .join('; ') ?? '';
  t.match(issues({ edgerc: '.edgerc' }), /edgerc is read as written: .* `edgerc_text: \$\{file:\.\/\.edgerc\}`/);
  t.match(issues({}), /exactly one of `edgerc` \(a path\) or `edgerc_text`/);
  t.match(issues({ edgerc: '~/.edgerc', edgerc_text: '[default]' }), /exactly one of/);
  t.match(issues({ edgerc: '~/.edgerc', network: 'prod' }), /staging|production/);
  t.match(issues({ edgerc: '~/.edgerc', prefix: true }), /prefix/);
});
