// The cloudfront invalidation provider, through the real AWS SDK, against a stand-in that checks each
// request as AWS documents it: the batch and its signature, retries, refusals, and no credential in a message.
import { CloudFrontClient, CreateInvalidationCommand } from '@aws-sdk/client-cloudfront';
import t, { type Test } from 'tap';
import { HttpClient } from '../harness/http/client.js';
import {
  cloudfrontPath,
  cloudfrontProvider,
  type CloudFrontInvalidationConfig,
} from '../harness/invalidation/cloudfront.js';
import { InvalidationRefused, type InvalidationRequest } from '../harness/invalidation/provider.js';
import { registerSecret } from '../harness/secrets.js';
import {
  cloudfrontFaults,
  CloudFrontStandIn,
  pathProblem,
  type CloudFrontStandInOptions,
} from './support/standins/cloudfront.js';

const DISTRIBUTION = 'E2EDGECHECKTEST';
const credentials = {
  accessKeyId: 'AKIAEDGECHECKTEST001',
  secretAccessKey: 'edgecheck/Test+Secret0123456789abcdefXYZ',
};
// as ${env:} interpolation registers it
registerSecret(credentials.secretAccessKey);

const target = {
  url: new URL('https://d111111abcdef8.cloudfront.net/'),
  hostnames: [],
  addresses: [],
  http: new HttpClient(),
};

async function setup(
  t: Test,
  config: Partial<CloudFrontInvalidationConfig> = {},
  standIn: Partial<CloudFrontStandInOptions> = {},
) {
  const cloudfront = await CloudFrontStandIn.start({ credentials, distributions: [DISTRIBUTION], ...standIn });
  // through the schema, as targets.yaml would come
  const parsed = cloudfrontProvider.schema.parse({
    provider: 'cloudfront',
    distribution: DISTRIBUTION,
    endpoint: cloudfront.url,
    access_key_id: credentials.accessKeyId,
    secret_access_key: credentials.secretAccessKey,
    poll_every: '20ms',
    backoff: '5ms',
    ...config,
  });
  const provider = cloudfrontProvider.create(parsed, target);
  t.teardown(async () => {
    await provider.close?.();
    await cloudfront.close();
  });
  return { cloudfront, provider };
}

function request(paths: string[], more: Partial<InvalidationRequest> = {}): InvalidationRequest {
  return { paths, tags: [], by: 'url', soft: false, signal: new AbortController().signal, ...more };
}

/** The InvalidationRefused a call ends in (a failed assertion if it ends otherwise). */
async function refusal(t: Test, call: Promise<unknown>): Promise<InvalidationRefused> {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  t.type(err, InvalidationRefused, 'refused with InvalidationRefused');
  t.equal((err as InvalidationRefused).provider, 'cloudfront');
  return err as InvalidationRefused;
}

const never = () => new AbortController().signal;

t.test('paths are encoded as CloudFront documents, and the stand-in tells an unencoded path', async (t) => {
  const table: [string, string][] = [
    ['/a b.html', '/a%20b.html'],
    ['/ü.css', '/%C3%BC.css'],
    ['/😀', '/%F0%9F%98%80'],
    ['/[1]{2}|^`"<>#', '/%5B1%5D%7B2%7D%7C%5E%60%22%3C%3E%23'],
    ['/a%20b', '/a%20b'],
    ['/100%', '/100%25'],
    ['/100%zz', '/100%25zz'],
    ['/~user/page?lang=en&q=1+2', '/~user/page?lang=en&q=1+2'],
    ['/img/*', '/img/*'],
  ];
  for (const [given, sent] of table) {
    t.equal(cloudfrontPath(given), sent, given);
    t.equal(pathProblem(sent), undefined, `the stand-in takes ${sent}`);
  }
  for (const raw of ['/a b.html', '/ü.css', '/100%', '/[1]', '/a*b', 'a.html']) {
    t.not(pathProblem(raw), undefined, `the stand-in refuses ${raw}`);
  }
});

t.test('one signed CreateInvalidation per invalidation, a CallerReference each; status until Completed', async (t) => {
  const { cloudfront, provider } = await setup(t, { poll_every: '100ms' }, { completeAfter: 1 });
  const first = await provider.invalidate(request(['/.edgecheck/r1/s.c/a b.html', '/.edgecheck/r1/s.c/ü.css']));
  const second = await provider.invalidate(request(['/.edgecheck/r1/s.c/img/*'], { by: 'prefix' }));
  t.same(cloudfront.problems(), [], 'every request is as AWS documents it');

  const creates = cloudfront.callsOf('CreateInvalidation');
  t.equal(creates.length, 2);
  const [a, b] = creates as [(typeof creates)[0], (typeof creates)[0]];
  t.equal(a.method, 'POST');
  t.equal(a.url, `/2020-05-31/distribution/${DISTRIBUTION}/invalidation`);
  t.same(a.batch?.paths, ['/.edgecheck/r1/s.c/a%20b.html', '/.edgecheck/r1/s.c/%C3%BC.css']);
  t.equal(a.batch?.quantity, 2);
  t.same(b.batch?.paths, ['/.edgecheck/r1/s.c/img/*']);
  t.equal(b.batch?.quantity, 1);
  t.match(a.batch?.callerReference, /^edgecheck-\d+-[0-9a-f]{12}$/);
  t.not(a.batch?.callerReference, b.batch?.callerReference, 'a CallerReference of its own for each invalidation');
  for (const call of creates) {
    t.match(
      call.headers['authorization'],
      new RegExp(
        `^AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/\\d{8}/us-east-1/cloudfront/aws4_request, ` +
          'SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$',
      ),
    );
    t.match(call.headers['x-amz-date'], /^\d{8}T\d{6}Z$/);
    t.equal(call.signatureValid, true, 'signed with the configured secret');
    t.notMatch(JSON.stringify(call.headers), credentials.secretAccessKey, 'the secret itself never travels');
  }

  const ids = [...cloudfront.invalidations.keys()];
  t.same([first.id, second.id], ids, "the handles carry CloudFront's invalidation ids");
  t.equal(first.detail, 'InProgress');

  t.same(await provider.status(first, never()), { state: 'in_progress', detail: 'InProgress' });
  t.same(await provider.status(first, never()), { state: 'completed', detail: 'Completed' });
  const gets = cloudfront.callsOf('GetInvalidation');
  t.same(
    gets.map((g) => g.url),
    [1, 2].map(() => `/2020-05-31/distribution/${DISTRIBUTION}/invalidation/${first.id}`),
  );
  t.ok(gets.every((g) => g.signatureValid));
  // a few ms of slack: the provider measures with Date.now, the stand-in with performance.now
  const sinceCreate = gets[0]!.at - a.at;
  t.ok(sinceCreate >= 95, `the first GetInvalidation waits poll_every after the create (${sinceCreate} ms)`);
  t.ok(gets[1]!.at - gets[0]!.at >= 95, `poll_every between GetInvalidations (${gets[1]!.at - gets[0]!.at} ms)`);
  t.same(cloudfront.problems(), []);
});

t.test('Throttling and TooManyInvalidationsInProgress are waited out, with one CallerReference', async (t) => {
  const { cloudfront, provider } = await setup(t);
  const { throttling, tooManyInProgress, throttling429 } = cloudfrontFaults;
  const unavailable = { status: 503, code: 'ServiceUnavailable', message: 'Unavailable', type: 'Receiver' } as const;
  cloudfront.failNext('CreateInvalidation', throttling, tooManyInProgress, throttling429, unavailable);
  const handle = await provider.invalidate(request(['/a']));
  const creates = cloudfront.callsOf('CreateInvalidation');
  t.same(
    creates.map((c) => [c.status, c.code]),
    [
      [400, 'Throttling'],
      [400, 'TooManyInvalidationsInProgress'],
      [429, 'ThrottlingException'],
      [503, 'ServiceUnavailable'],
      [201, undefined],
    ],
  );
  t.equal(new Set(creates.map((c) => c.batch?.callerReference)).size, 1, 'a retry is the same request, not a new one');
  t.equal(cloudfront.invalidations.size, 1);
  t.equal(handle.id, [...cloudfront.invalidations.keys()][0]);

  cloudfront.failNext('GetInvalidation', throttling, throttling429);
  t.same(await provider.status(handle, never()), { state: 'in_progress', detail: 'InProgress' });
  t.same(
    cloudfront.callsOf('GetInvalidation').map((c) => c.status),
    [400, 429, 200],
  );
  t.same(cloudfront.problems(), []);
});

t.test("retries stop at max_attempts, with CloudFront's last word", async (t) => {
  const { cloudfront, provider } = await setup(t, { max_attempts: 3 });
  cloudfront.failNext('CreateInvalidation', ...Array(5).fill(cloudfrontFaults.throttling));
  const err = await refusal(t, provider.invalidate(request(['/a'])));
  t.match(err.message, /^cloudfront: CreateInvalidation for distribution E2EDGECHECKTEST gave up after 3 attempts/);
  t.match(err.message, /\(HTTP 400\): Throttling: Rate exceeded$/);
  t.equal(cloudfront.callsOf('CreateInvalidation').length, 3);
});

t.test('an abort stops the waiting', async (t) => {
  await t.test('between attempts', async (t) => {
    const { cloudfront, provider } = await setup(t, { backoff: '10s' });
    cloudfront.failNext('CreateInvalidation', ...Array(5).fill(cloudfrontFaults.throttling));
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 100);
    const started = performance.now();
    await t.rejects(provider.invalidate(request(['/a'], { signal: stop.signal })), { name: 'AbortError' });
    t.ok(performance.now() - started < 3000, 'no backoff is sat out');
    t.ok(cloudfront.callsOf('CreateInvalidation').length < 5);
  });
  await t.test('before a GetInvalidation that poll_every holds back', async (t) => {
    const { cloudfront, provider } = await setup(t, { poll_every: '10s' });
    const handle = await provider.invalidate(request(['/a']));
    const started = performance.now();
    await t.rejects(provider.status(handle, AbortSignal.timeout(50)), { name: 'AbortError' });
    t.ok(performance.now() - started < 3000);
    t.equal(cloudfront.callsOf('GetInvalidation').length, 0, 'CloudFront was not asked');
  });
});

t.test("CloudFront's refusals keep its code and message, and are not retried", async (t) => {
  await t.test('NoSuchDistribution', async (t) => {
    const { cloudfront, provider } = await setup(t, { distribution: 'E0NOSUCHDIST' });
    const err = await refusal(t, provider.invalidate(request(['/a'])));
    t.equal(err.code, 'E_INVALIDATION_REFUSED');
    t.equal(
      err.message,
      'cloudfront: CreateInvalidation for distribution E0NOSUCHDIST refused (HTTP 404): ' +
        'NoSuchDistribution: The specified distribution does not exist.',
    );
    t.equal(cloudfront.calls.length, 1);
    t.same(cloudfront.problems(), [], 'the request itself was as documented');
  });
  await t.test('AccessDenied', async (t) => {
    const { cloudfront, provider } = await setup(t);
    cloudfront.failNext('CreateInvalidation', cloudfrontFaults.accessDenied);
    const err = await refusal(t, provider.invalidate(request(['/a'])));
    t.match(
      err.message,
      /\(HTTP 403\): AccessDenied: User: arn:aws:iam::123456789012:user\/edgecheck is not authorized/,
    );
    t.equal(cloudfront.calls.length, 1);
  });
  await t.test('NoSuchInvalidation', async (t) => {
    const { cloudfront, provider } = await setup(t);
    const err = await refusal(t, provider.status({ id: 'I0NOSUCHINVAL' }, never()));
    t.match(
      err.message,
      /^cloudfront: GetInvalidation .* refused \(HTTP 404\): NoSuchInvalidation: The specified invalidation/,
    );
    t.equal(cloudfront.calls.length, 1);
  });
  await t.test('no CloudFront at the endpoint', async (t) => {
    const { cloudfront, provider } = await setup(t);
    await cloudfront.close();
    const err = await refusal(t, provider.invalidate(request(['/a'])));
    t.match(err.message, /^cloudfront: CreateInvalidation for distribution E2EDGECHECKTEST failed: .*ECONNREFUSED/);
  });
});

t.test('no credential reaches an error message', async (t) => {
  await t.test('a message that quotes the secret access key', async (t) => {
    const { cloudfront, provider } = await setup(t);
    const message = `Access denied for a request signed with ${credentials.secretAccessKey}`;
    cloudfront.failNext('CreateInvalidation', { status: 403, code: 'AccessDenied', message });
    const err = await refusal(t, provider.invalidate(request(['/a'])));
    t.match(err.message, 'AccessDenied: Access denied for a request signed with [redacted]');
    t.notMatch(err.message, credentials.secretAccessKey);
  });
  await t.test('a signature mismatch that quotes the canonical request, session token included', async (t) => {
    // written literally, as targets.yaml may hold it: nothing registered it but the provider
    const sessionToken = 'FwoGZXIvYXdzEdgecheckSessionToken0123456789';
    const { cloudfront, provider } = await setup(
      t,
      { secret_access_key: 'edgecheck-a-wrong-secret-0123456789', session_token: sessionToken },
      { credentials: { ...credentials, sessionToken } },
    );
    const err = await refusal(t, provider.invalidate(request(['/a'])));
    const [call] = cloudfront.calls;
    t.equal(call?.signatureValid, false);
    t.match(call?.answer, `x-amz-security-token:${sessionToken}`, 'the answer did quote the token');
    t.match(err.message, /\(HTTP 403\): SignatureDoesNotMatch: The request signature we calculated does not match/);
    t.match(err.message, 'x-amz-security-token:[redacted]');
    t.notMatch(err.message, sessionToken);
    t.notMatch(err.message, 'edgecheck-a-wrong-secret-0123456789');
  });
});

t.test('tags, soft purges and paths CloudFront would misread are refused before CloudFront is asked', async (t) => {
  t.same(cloudfrontProvider.supports, { by: ['url', 'prefix'], soft: false });
  const { cloudfront, provider } = await setup(t);
  const refused: [Partial<InvalidationRequest> & { paths: string[] }, RegExp][] = [
    [{ by: 'tag', tags: ['product-1'], paths: [] }, /CloudFront invalidates by path only/],
    [{ soft: true, paths: ['/a'] }, /CloudFront cannot soft-purge/],
    [{ paths: [] }, /no paths to invalidate/],
    [{ paths: ['a.html'] }, /"a.html" does not start with \//],
    [{ paths: ['/a*b'] }, /holds a \*, which CloudFront reads as a wildcard/],
    [{ paths: ['/all*'] }, /holds a \*, which CloudFront reads as a wildcard/],
    [{ by: 'prefix', paths: ['/img/'] }, /a prefix path ends in \*/],
    [{ by: 'prefix', paths: ['/a*/b*'] }, /a prefix path ends in \* and holds no other \*/],
  ];
  for (const [more, reason] of refused) {
    const err = await refusal(t, provider.invalidate(request(more.paths, more)));
    t.match(err.message, reason);
  }
  t.equal(cloudfront.calls.length, 0);
});

t.test('without keys in the config, the AWS default credential chain signs', async (t) => {
  const env = { accessKeyId: 'AKIAEDGECHECKENV0001', secretAccessKey: 'edgecheck-env-secret-0123456789abcdef' };
  const saved = { ...process.env };
  t.teardown(() => {
    process.env = saved;
  });
  delete process.env['AWS_PROFILE'];
  process.env['AWS_ACCESS_KEY_ID'] = env.accessKeyId;
  process.env['AWS_SECRET_ACCESS_KEY'] = env.secretAccessKey;
  delete process.env['AWS_SESSION_TOKEN'];
  const { cloudfront, provider } = await setup(
    t,
    { access_key_id: undefined, secret_access_key: undefined },
    { credentials: env },
  );
  await provider.invalidate(request(['/a']));
  t.equal(cloudfront.calls[0]?.accessKeyId, env.accessKeyId);
  t.equal(cloudfront.calls[0]?.signatureValid, true);
});

t.test('the config block', async (t) => {
  const base = { provider: 'cloudfront', distribution: DISTRIBUTION };
  t.ok(cloudfrontProvider.schema.safeParse(base).success, 'a distribution is enough');
  const wrong: [Record<string, unknown>, string][] = [
    [{ ...base, distribution: 'e2lower' }, 'distribution'],
    [{ ...base, endpoint: 'ftp://127.0.0.1/' }, 'endpoint'],
    [{ ...base, access_key_id: 'AKIA' }, 'secret_access_key'],
    [{ ...base, secret_access_key: 'x' }, 'secret_access_key'],
    [{ ...base, session_token: 'x' }, 'session_token'],
    [{ ...base, poll_every: 'soon' }, 'poll_every'],
    [{ ...base, max_attempts: 0 }, 'max_attempts'],
    [{ ...base, retries: 3 }, ''],
  ];
  for (const [config, path] of wrong) {
    const result = cloudfrontProvider.schema.safeParse(config);
    t.notOk(result.success, JSON.stringify(config));
    t.same(
      result.error?.issues.map((i) => i.path.join('.')),
      [path],
      `the problem is at '${path}'`,
    );
  }
});

t.test('the stand-in refuses what CloudFront would refuse', async (t) => {
  const cloudfront = await CloudFrontStandIn.start({ credentials, distributions: [DISTRIBUTION] });
  const client = (secretAccessKey = credentials.secretAccessKey) =>
    new CloudFrontClient({
      region: 'us-east-1',
      endpoint: cloudfront.url,
      maxAttempts: 1,
      credentials: { ...credentials, secretAccessKey },
    });
  const right = client();
  const wrong = client('not-the-secret-0123456789');
  t.teardown(async () => {
    right.destroy();
    wrong.destroy();
    await cloudfront.close();
  });
  const create = (items: string[], quantity = items.length, c = right) =>
    c.send(
      new CreateInvalidationCommand({
        DistributionId: DISTRIBUTION,
        InvalidationBatch: { CallerReference: `ref-${Math.random()}`, Paths: { Quantity: quantity, Items: items } },
      }),
    );
  await t.rejects(create(['/a', '/b'], 3), { name: 'InconsistentQuantities' });
  await t.rejects(create(['/a b']), { name: 'InvalidArgument' });
  await t.rejects(create(['/a*b']), { name: 'InvalidArgument' });
  await t.rejects(create(['a']), { name: 'InvalidArgument' });
  await t.rejects(create(['/a'], 1, wrong), { name: 'SignatureDoesNotMatch' });
  t.equal(cloudfront.problems().length, 5, 'each recorded as a problem');
  t.equal(cloudfront.invalidations.size, 0);

  const reference = 'edgecheck-replayed';
  const batch = (items: string[]) => ({ CallerReference: reference, Paths: { Quantity: items.length, Items: items } });
  const send = (items: string[]) =>
    right.send(new CreateInvalidationCommand({ DistributionId: DISTRIBUTION, InvalidationBatch: batch(items) }));
  const once = await send(['/a']);
  const again = await send(['/a']);
  t.equal(again.Invalidation?.Id, once.Invalidation?.Id, 'a CallerReference again with the same paths: the same one');
  await t.rejects(send(['/b']), { name: 'InvalidationBatchAlreadyExists' }, 'with other paths: refused');
});
