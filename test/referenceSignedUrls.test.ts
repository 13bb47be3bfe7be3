// The reference edge's `signed` route checks CloudFront signed URLs and signed cookies as CloudFront documents
// it: URLs signed by @aws-sdk/cloudfront-signer (the oracle) and by the harness's cloudfront scheme pass, each
// way a signature can be wrong is refused with CloudFront's XML error, the origin never sees the signature,
// a cached copy is served only to a signed request, and each signing fault switch lets one refusal through.
import http2 from 'node:http2';
import { request as httpsRequest } from 'node:https';
import { getSignedCookies, getSignedUrl } from '@aws-sdk/cloudfront-signer';
import t, { type Test } from 'tap';
import { OriginControl } from '../harness/origin/originControl.js';
import { cloudfrontDenial } from '../harness/signing/cloudfront.js';
import { openSigning, signingSchema, type TargetSigning } from '../harness/signing/index.js';
import type { LabInstance } from '../harness/target/lab.js';
import { SIGNING_FAULTS } from '../lab/referenceEdge/signingFaults.js';
import { startReferenceLab } from '../lab/referenceLab.js';
import type { ReferenceEdgeFault } from '../lab/referenceEdge/faults.js';

const RUN = '/.edgecheck/signref';
const MINUTE_MS = 60_000;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

interface SignedLab {
  lab: LabInstance;
  control: OriginControl;
  signing: TargetSigning;
  keyPairId: string;
  privateKey: string;
  /** https://<lab host>:<port> */
  base: string;
  /** a check key programmed on the probe origin, and the edge URL of a path under it on the signed route */
  object(name: string): Promise<{ key: string; url: string }>;
  get(url: string, opts?: { cookies?: Record<string, string | number | undefined>; from?: string }): Promise<Answer>;
}

async function signedLab(faults: ReferenceEdgeFault[] = []): Promise<SignedLab> {
  const lab = await startReferenceLab({ faults });
  const control = new OriginControl(lab.origin.control, lab.origin.token);
  const signing = openSigning(signingSchema.parse(lab.signing));
  const { hostname, port } = new URL(lab.url);
  const base = `https://${hostname}:${port}`;
  return {
    lab,
    control,
    signing,
    keyPairId: String(lab.signing!['key_pair_id']),
    privateKey: String(lab.signing!['private_key']),
    base,
    async object(name) {
      const key = `${RUN}/signed.${name}/`;
      await control.setObject(key, { headers: { 'cache-control': 'max-age=60' }, body: `object ${name}` });
      return { key, url: `${base}/signed${key}a.txt?v=1` };
    },
    get: (url, opts = {}) =>
      new Promise((resolve, reject) => {
        const cookies = Object.entries(opts.cookies ?? {}).filter(([, v]) => v !== undefined);
        const req = httpsRequest(
          {
            host: '127.0.0.1',
            port: Number(port),
            servername: hostname,
            ca: lab.caPem,
            // the path exactly as signed: not parsed again by a URL
            path: url.slice(base.length),
            headers: {
              host: `${hostname}:${port}`,
              ...(cookies.length > 0 ? { cookie: cookies.map(([k, v]) => `${k}=${v}`).join('; ') } : {}),
            },
            ...(opts.from ? { localAddress: opts.from } : {}),
            agent: false,
          },
          (res) => {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => (body += chunk));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
          },
        );
        req.on('error', reject);
        req.end();
      }),
  };
}

async function withLab(t: Test, faults: ReferenceEdgeFault[] = []): Promise<SignedLab> {
  const lab = await signedLab(faults);
  t.teardown(async () => {
    await lab.control.close();
    await lab.lab.close();
  });
  return lab;
}

const denial = (answer: Answer) => cloudfrontDenial(answer.body);
const soon = () => new Date(Date.now() + 10 * MINUTE_MS);

function refused(t: Test, answer: Answer, code: string, message: string, label: string) {
  t.equal(answer.status, 403, `${label}: 403`);
  t.match(denial(answer), { code, message }, `${label}: ${code}`);
  t.equal(answer.headers['content-type'], 'text/xml', `${label}: text/xml`);
}

/** The URL with one of its query parameters replaced (or removed, with undefined). */
function withParam(url: string, name: string, value: string | undefined): string {
  const [path, query = ''] = url.split('?') as [string, string?];
  const pairs = query
    .split('&')
    .map((pair) => (pair.startsWith(`${name}=`) ? (value === undefined ? undefined : `${name}=${value}`) : pair))
    .filter((pair) => pair !== undefined);
  return `${path}?${pairs.join('&')}`;
}

/** A signature with one character changed, still CloudFront base64. */
const tampered = (signature: string) => `${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`;
const signatureOf = (url: string) => /[?&]Signature=([^&]*)/.exec(url)![1]!;

t.test('the lab hands the harness a cloudfront signing block with a fresh key id', async (t) => {
  const lab = await withLab(t);
  t.match(lab.lab.signing, { scheme: 'cloudfront', key_pair_id: /^K[A-Z0-9]{13}$/, private_key: /BEGIN PRIVATE KEY/ });
  t.equal(lab.signing.name, 'cloudfront');
  t.match(lab.lab.routes['signed'], { path: '/signed/', signed: true, ttl: { default: 60 } });
});

t.test('signed URLs and cookies on a correct edge', async (t) => {
  const lab = await withLab(t);
  const sdk = { keyPairId: lab.keyPairId, privateKey: lab.privateKey };
  const ours = (url: string, more: SignTerms = {}) => sign(lab, url, more);

  t.test('a valid canned URL: 200, from either signer, SHA-1 and SHA-256', async (t) => {
    const { url } = await lab.object('canned');
    t.equal((await lab.get(getSignedUrl({ url, ...sdk, dateLessThan: soon() }))).status, 200, 'SDK');
    t.equal((await lab.get(ours(url))).body, 'object canned', 'harness scheme');
    const sha256 = getSignedUrl({ url, ...sdk, dateLessThan: soon(), algorithm: 'SHA256' });
    t.match(sha256, /Hash-Algorithm=SHA256/);
    t.equal((await lab.get(sha256)).status, 200, 'SDK, SHA256');
    const sha256Scheme = openSigning(signingSchema.parse({ ...lab.lab.signing, hash_algorithm: 'SHA256' }));
    const signed = sha256Scheme.signer.sign({ url: new URL(url), expiresAt: soon() }).url.href;
    t.equal((await lab.get(signed)).status, 200, 'harness scheme, SHA256');
    const noQuery = await lab.object('canned-no-query');
    const bare = noQuery.url.replace(/\?.*/, '');
    t.equal((await lab.get(getSignedUrl({ url: bare, ...sdk, dateLessThan: soon() }))).status, 200, 'no query');
  });

  t.test('a custom policy that is not valid yet: 403 AccessDenied', async (t) => {
    const { url, key } = await lab.object('not-before');
    const later = new Date(Date.now() + 5 * MINUTE_MS);
    const sdkUrl = getSignedUrl({ url, ...sdk, dateLessThan: soon(), dateGreaterThan: later });
    refused(t, await lab.get(sdkUrl), 'AccessDenied', 'Access denied', 'SDK');
    refused(t, await lab.get(ours(url, { notBefore: later })), 'AccessDenied', 'Access denied', 'harness scheme');
    const earlier = new Date(Date.now() - MINUTE_MS);
    t.equal((await lab.get(ours(url, { notBefore: earlier }))).status, 200, 'valid since a minute ago: 200');
    t.equal(await lab.control.count([key]), 1, 'only the request let in reached the origin');
  });

  t.test('IpAddress: the viewer inside the block 200, outside 403', async (t) => {
    const { url } = await lab.object('ip');
    const sdkUrl = getSignedUrl({ url, ...sdk, dateLessThan: soon(), ipAddress: '127.0.0.9/32' });
    t.equal((await lab.get(sdkUrl, { from: '127.0.0.9' })).status, 200, 'SDK, from 127.0.0.9');
    refused(t, await lab.get(sdkUrl, { from: '127.0.0.10' }), 'AccessDenied', 'Access denied', 'SDK, from 127.0.0.10');
    const oursUrl = ours(url, { ip: '127.0.0.9' });
    t.equal((await lab.get(oursUrl, { from: '127.0.0.9' })).status, 200, 'harness scheme, from 127.0.0.9');
    refused(t, await lab.get(oursUrl, { from: '127.0.0.10' }), 'AccessDenied', 'Access denied', 'from 127.0.0.10');
    const block = ours(url, { ip: '127.0.0.0/29' });
    t.equal((await lab.get(block, { from: '127.0.0.7' })).status, 200, 'a CIDR block: inside');
    t.equal((await lab.get(block, { from: '127.0.0.8' })).status, 403, 'a CIDR block: outside');
  });

  t.test('every way a signature is wrong, refused as CloudFront refuses it, none reaching the origin', async (t) => {
    const { url, key } = await lab.object('refused');
    const past = new Date(Date.now() - MINUTE_MS);
    const good = getSignedUrl({ url, ...sdk, dateLessThan: soon() });
    refused(
      t,
      await lab.get(getSignedUrl({ url, ...sdk, dateLessThan: past })),
      'AccessDenied',
      'Access denied',
      'expired',
    );
    refused(t, await lab.get(ours(url, { expiresAt: past })), 'AccessDenied', 'Access denied', 'expired (ours)');
    const bad = withParam(good, 'Signature', tampered(signatureOf(good)));
    refused(t, await lab.get(bad), 'AccessDenied', 'Access denied', 'tampered signature');
    refused(t, await lab.get(withParam(good, 'Signature', undefined)), 'AccessDenied', 'Access denied', 'no signature');
    const other = `${url.replace(/a\.txt/, 'b.txt')}`;
    const moved = good.replace(url, other);
    refused(t, await lab.get(moved), 'AccessDenied', 'Access denied', 'another path under the same signature');
    refused(t, await lab.get(withParam(good, 'v', '2')), 'AccessDenied', 'Access denied', 'the query changed');
    const later = withParam(good, 'Expires', String(Math.round(Date.now() / 1000) + 3600));
    refused(t, await lab.get(later), 'AccessDenied', 'Access denied', 'Expires moved on');
    const unknown = lab.signing.unknownKeySigner().sign({ url: new URL(url), expiresAt: soon() }).url.href;
    refused(t, await lab.get(unknown), 'InvalidKey', 'Unknown Key', 'unknown key id');
    const missingKey = 'Missing Key-Pair-Id query parameter or cookie value';
    refused(t, await lab.get(withParam(good, 'Key-Pair-Id', undefined)), 'MissingKey', missingKey, 'no key id');
    refused(t, await lab.get(url), 'MissingKey', missingKey, 'unsigned');
    const custom = ours(url, { ip: '127.0.0.1' });
    refused(
      t,
      await lab.get(withParam(custom, 'Policy', 'not~base64!')),
      'MalformedPolicy',
      'Malformed Policy',
      'policy',
    );
    const notJson = Buffer.from('{"Statement":').toString('base64').replace(/=/g, '_');
    refused(t, await lab.get(withParam(custom, 'Policy', notJson)), 'MalformedPolicy', 'Malformed Policy', 'not JSON');
    refused(t, await lab.get(withParam(good, 'Expires', 'soon')), 'MalformedPolicy', 'Malformed Policy', 'Expires');
    t.equal(await lab.control.count([key]), 0, 'no refused request reached the origin');
    const again = await lab.get(withParam(good, 'Signature', tampered(signatureOf(good))));
    t.equal(again.status, 403, 'a refusal is not stored: the next bad request is refused again');
    t.equal((await lab.get(good)).status, 200, 'and the good one is let in');
  });

  t.test('signed cookies: a custom policy over /signed/*, from either signer', async (t) => {
    const { url, key } = await lab.object('cookies');
    const policy = JSON.stringify({
      Statement: [
        {
          Resource: `${lab.base}/signed/*`,
          Condition: { DateLessThan: { 'AWS:EpochTime': Math.round(soon().getTime() / 1000) } },
        },
      ],
    });
    const cookies = getSignedCookies({ ...sdk, policy });
    const sdkAnswer = await lab.get(url, { cookies: { ...cookies, theme: 'dark' } });
    t.equal(sdkAnswer.status, 200, 'SDK cookies');
    const signed = lab.signing.signer.sign({
      url: new URL(`${lab.base}/signed/*`),
      expiresAt: soon(),
      notBefore: new Date(Date.now() - MINUTE_MS),
      cookie: true,
    });
    t.equal((await lab.get(url, { cookies: signed.cookies })).status, 200, 'harness scheme cookies');
    const canned = lab.signing.signer.sign({ url: new URL(url), expiresAt: soon(), cookie: true });
    t.equal((await lab.get(url, { cookies: canned.cookies })).status, 200, 'canned cookies for the exact URL');
    const elsewhere = getSignedCookies({ ...sdk, policy: policy.replace('/signed/*', '/other/*') });
    refused(
      t,
      await lab.get(url, { cookies: { ...elsewhere } }),
      'AccessDenied',
      'Access denied',
      'a policy for another path',
    );
    const noKey = { ...cookies, 'CloudFront-Key-Pair-Id': undefined };
    const missing = 'Missing Key-Pair-Id query parameter or cookie value';
    refused(t, await lab.get(url, { cookies: noKey }), 'MissingKey', missing, 'no key id cookie');

    const log = await lab.control.log(key);
    t.ok(log.length >= 1, 'the object was fetched');
    for (const entry of log) {
      t.notMatch(entry.headers['cookie'] ?? '', /CloudFront-/, 'the signature cookies stay at the edge');
    }
    t.equal(log[0]!.headers['cookie'], 'theme=dark', 'other cookies go on as they came');
  });

  t.test('the origin never sees the signature, and one cached copy serves every valid signature', async (t) => {
    const { url, key } = await lab.object('cached');
    const first = await lab.get(getSignedUrl({ url, ...sdk, dateLessThan: soon() }));
    t.match(first, { status: 200, headers: { 'cache-status': /fwd=uri-miss; stored/ } });
    const second = await lab.get(ours(url, { notBefore: new Date(Date.now() - MINUTE_MS) }));
    t.match(second, { status: 200, headers: { 'cache-status': /hit/ } }, 'another valid signature: a hit');
    const log = await lab.control.log(key);
    t.same(
      log.map((e) => e.url),
      [`/signed${key}a.txt?v=1`],
      'one fetch, without Expires, Key-Pair-Id, Signature, Policy',
    );
    const unsigned = await lab.get(url);
    refused(t, unsigned, 'MissingKey', 'Missing Key-Pair-Id query parameter or cookie value', 'cached, unsigned');
    t.notMatch(unsigned.body, /object cached/, 'the cached body is not in the refusal');
    const expired = getSignedUrl({ url, ...sdk, dateLessThan: new Date(Date.now() - MINUTE_MS) });
    refused(t, await lab.get(expired), 'AccessDenied', 'Access denied', 'cached, expired signature');
    t.equal(await lab.control.count([key]), 1, 'still one origin fetch');
  });

  t.test('over h2 alike: the signed URL let in, its :path rewritten before the origin', async (t) => {
    const { url, key } = await lab.object('h2');
    const { hostname, port } = new URL(lab.base);
    const session = http2.connect(`https://127.0.0.1:${port}`, { ca: lab.lab.caPem, servername: hostname });
    t.teardown(() => session.close());
    const status = (path: string) =>
      new Promise<number>((resolve, reject) => {
        const req = session.request({ ':path': path, ':authority': `${hostname}:${port}` });
        req.on('response', (head) => resolve(Number(head[':status'])));
        req.on('error', reject);
        req.resume();
      });
    t.equal(await status(sign(lab, url).slice(lab.base.length)), 200, 'signed');
    t.equal(await status(url.slice(lab.base.length)), 403, 'unsigned');
    t.same(
      (await lab.control.log(key)).map((e) => e.url),
      [`/signed${key}a.txt?v=1`],
    );
  });
});

/** switches shown failing their checks through the suite (test/signedUrlsSuite.test.ts) rather than here */
const SUITE_ONLY = ['signed-route-open', 'signed-any-key', 'signed-trusts-other-key', 'signed-params-forwarded'];

t.test('each signing fault switch lets through the request it guards, and only that one', async (t) => {
  t.same(
    Object.keys(SIGNING_FAULTS)
      .filter((f) => !SUITE_ONLY.includes(f))
      .sort(),
    [
      'signed-accepts-expired',
      'signed-cache-leak',
      'signed-ignores-ip',
      'signed-ignores-not-before',
      'signed-skips-signature',
    ],
    'the signing faults under test',
  );
  const minute = (n: number) => new Date(Date.now() + n * MINUTE_MS);
  /** fault -> the request it lets through (refused on a correct edge), and a request it must still refuse */
  const cases: Record<string, (lab: SignedLab, url: string) => Promise<{ through: Answer; still: Answer }>> = {
    'signed-accepts-expired': async (lab, url) => ({
      through: await lab.get(sign(lab, url, { expiresAt: minute(-1) })),
      still: await lab.get(sign(lab, url, { notBefore: minute(5) })),
    }),
    'signed-ignores-not-before': async (lab, url) => ({
      through: await lab.get(sign(lab, url, { notBefore: minute(5) })),
      still: await lab.get(sign(lab, url, { expiresAt: minute(-1) })),
    }),
    'signed-ignores-ip': async (lab, url) => ({
      through: await lab.get(sign(lab, url, { ip: '127.0.0.9' }), { from: '127.0.0.10' }),
      still: await lab.get(sign(lab, url, { expiresAt: minute(-1) })),
    }),
    'signed-skips-signature': async (lab, url) => {
      const good = sign(lab, url);
      return {
        through: await lab.get(withParam(good, 'Signature', tampered(signatureOf(good)))),
        still: await lab.get(lab.signing.unknownKeySigner().sign({ url: new URL(url), expiresAt: soon() }).url.href),
      };
    },
    'signed-cache-leak': async (lab, url) => {
      t.equal((await lab.get(sign(lab, url))).status, 200, 'signed-cache-leak: stored by a signed request');
      return {
        through: await lab.get(url),
        still: await lab.get(url.replace('a.txt', 'never-stored.txt')),
      };
    },
  };
  const correct = await withLab(t);
  for (const [fault, run] of Object.entries(cases)) {
    const broken = await withLab(t, [fault as ReferenceEdgeFault]);
    const onCorrect = await run(correct, (await correct.object(fault)).url);
    const onBroken = await run(broken, (await broken.object(fault)).url);
    t.equal(onCorrect.through.status, 403, `${fault}: refused on a correct edge`);
    t.equal(onBroken.through.status, 200, `${fault}: let through under the fault`);
    t.equal(onBroken.still.status, 403, `${fault}: other refusals still hold (${denial(onBroken.still)?.code})`);
  }
});

type SignTerms = { notBefore?: Date; ip?: string; expiresAt?: Date };

/** The URL signed with the harness's cloudfront scheme and the lab's key. */
function sign(lab: SignedLab, url: string, more: SignTerms = {}): string {
  return lab.signing.signer.sign({ url: new URL(url), expiresAt: soon(), ...more }).url.href;
}
