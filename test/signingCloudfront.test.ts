// The cloudfront signing scheme against @aws-sdk/cloudfront-signer, the oracle (used here only): every form the SDK
// has gives the same bytes; each signature verifies with the public key and each policy says what was asked.
import { generateKeyPairSync, verify, type KeyObject } from 'node:crypto';
import { getSignedCookies, getSignedUrl, type CloudfrontSignInputWithParameters } from '@aws-sdk/cloudfront-signer';
import t, { type Test } from 'tap';
import { ConfigError } from '../harness/errors.js';
import { cloudfrontScheme, type CloudfrontSigningConfig } from '../harness/signing/cloudfront.js';
import type { SignRequest } from '../harness/signing/scheme.js';
import { redact } from '../harness/secrets.js';

const KEY_PAIR_ID = 'K2JCJMDEHXQW5F';
// a fresh key each run: the signatures are deterministic (RSA PKCS#1 v1.5) and both signers get the same key;
// PKCS#1 PEM, as `openssl genrsa` writes the keys CloudFront's guide makes
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PEM = rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }) as string;

const ALGORITHMS = [undefined, 'SHA1', 'SHA256'] as const;

const URLS = [
  'https://d111111abcdef8.cloudfront.net/images/image.jpg',
  'https://d111111abcdef8.cloudfront.net/image.jpg?color=red&size=medium',
  'http://d111111abcdef8.cloudfront.net/',
  'https://www.example.com:8443/.edgecheck/run-1/signing.canned/My File (1).pdf',
  // characters the SDK escapes in a path although a URL may hold them, an escape it undoes, UTF-8
  'https://d111111abcdef8.cloudfront.net/a:b@c/d,e;f=g$h&i+j/%7Euser/caf%C3%A9/straße',
  // a stray %: the SDK escapes the whole segment, the % included
  'https://d111111abcdef8.cloudfront.net/100%/done',
  // a query as S3 presigning and browsers write them: escapes, + for space, a name alone, empty pairs, = in a value
  'https://d111111abcdef8.cloudfront.net/f.pdf?response-content-disposition=attachment%3B%20filename%3D%22a.pdf%22' +
    "&q=a+b&flag&&x=1=2&p=/x?y&n='q'&e=%e9&s=100%",
  'https://d111111abcdef8.cloudfront.net/a?',
  'https://d111111abcdef8.cloudfront.net/a?&',
  'https://bücher.example/katalog?ort=Zürich',
  // wildcards, as a custom policy (and cookies above all) use them
  'https://d111111abcdef8.cloudfront.net/videos/*',
  'https://d111111abcdef8.cloudfront.net/*.m3u8?*',
  'wss://d111111abcdef8.cloudfront.net/socket',
];

// fractions of a second on purpose: both round to the nearest second
const EXPIRES = new Date(Date.UTC(2030, 0, 1, 0, 0, 0, 499));
const NOT_BEFORE = new Date(Date.UTC(2029, 11, 31, 0, 0, 0, 500));

const CONDITIONS: { name: string; when: Pick<SignRequest, 'notBefore' | 'ip'> }[] = [
  { name: 'canned', when: {} },
  { name: 'notBefore', when: { notBefore: NOT_BEFORE } },
  { name: 'bare ip', when: { ip: '192.0.2.10' } },
  { name: 'cidr', when: { ip: '192.0.2.0/24' } },
  { name: 'notBefore and cidr', when: { notBefore: NOT_BEFORE, ip: '203.0.113.0/28' } },
];

function signer(over: Partial<CloudfrontSigningConfig> = {}) {
  const config = { scheme: 'cloudfront', key_pair_id: KEY_PAIR_ID, private_key: PEM, ...over };
  return cloudfrontScheme.create(cloudfrontScheme.schema.parse(config));
}

function sdkInput(url: string, req: SignRequest, algorithm?: 'SHA1' | 'SHA256'): CloudfrontSignInputWithParameters {
  return {
    url,
    keyPairId: KEY_PAIR_ID,
    privateKey: PEM,
    dateLessThan: req.expiresAt,
    dateGreaterThan: req.notBefore,
    ipAddress: req.ip,
    algorithm,
  };
}

/** CloudFront's base64 back to bytes: - -> +, _ -> =, ~ -> / */
const fromCloudfrontBase64 = (text: string) =>
  Buffer.from(
    text.replace(/[-_~]/g, (c) => ({ '-': '+', _: '=', '~': '/' })[c]!),
    'base64',
  );

const SIGNATURE_PARAMS = new Set(['Expires', 'Policy', 'Signature', 'Key-Pair-Id', 'Hash-Algorithm']);

/** A signed URL as CloudFront reads it: the URL without the signature's parameters, and those parameters. */
function readSignedUrl(href: string) {
  const [base = '', query = ''] = href.split(/\?(.*)/s);
  const pairs = query.split('&').map((pair): [string, string] => {
    const eq = pair.indexOf('=');
    return eq === -1 ? [pair, ''] : [pair.slice(0, eq), pair.slice(eq + 1)];
  });
  const own = pairs.filter(([name]) => !SIGNATURE_PARAMS.has(name));
  const signing = pairs.filter(([name]) => SIGNATURE_PARAMS.has(name));
  const resource = own.length > 0 ? `${base}?${own.map((p) => p.join('=')).join('&')}` : base;
  return { resource, names: signing.map(([name]) => name), values: Object.fromEntries(signing) };
}

/** What the policy must say: the resource, the rounded times, the CIDR block (a bare address as a /32). */
function expectedPolicy(resource: string, req: SignRequest) {
  const condition: Record<string, unknown> = { DateLessThan: { 'AWS:EpochTime': Math.round(+req.expiresAt / 1000) } };
  if (req.notBefore) condition.DateGreaterThan = { 'AWS:EpochTime': Math.round(+req.notBefore / 1000) };
  if (req.ip) condition.IpAddress = { 'AWS:SourceIp': req.ip.includes('/') ? req.ip : `${req.ip}/32` };
  return { Statement: [{ Resource: resource, Condition: condition }] };
}

/** The canned policy as CloudFront's guide spells it, rebuilt from the resource and Expires alone. */
const cannedPolicy = (resource: string, expires: string) =>
  `{"Statement":[{"Resource":${JSON.stringify(resource)},"Condition":{"DateLessThan":{"AWS:EpochTime":${expires}}}}]}`;

function checkPolicy(
  t: Test,
  label: string,
  terms: { resource: string; expires?: string; policy?: string; signature: string },
  req: SignRequest,
  digest: string,
  publicKey: KeyObject,
) {
  const custom = req.notBefore !== undefined || req.ip !== undefined;
  t.equal(terms.policy !== undefined, custom, `${label}: ${custom ? 'custom' : 'canned'} policy`);
  const text = terms.policy
    ? fromCloudfrontBase64(terms.policy).toString()
    : cannedPolicy(terms.resource, terms.expires!);
  t.same(JSON.parse(text), expectedPolicy(terms.resource, req), `${label}: the policy says what was asked`);
  const good = verify(digest, Buffer.from(text), publicKey, fromCloudfrontBase64(terms.signature));
  t.ok(good, `${label}: the signature verifies with the public key (${digest})`);
}

t.test('signed URLs: byte for byte getSignedUrl, in every form', (t) => {
  for (const algorithm of ALGORITHMS) {
    const sign = signer({ hash_algorithm: algorithm });
    const digest = algorithm === 'SHA256' ? 'sha256' : 'sha1';
    for (const input of URLS) {
      for (const { name, when } of CONDITIONS) {
        const label = `${algorithm ?? 'default'} ${name} ${input}`;
        const url = new URL(input);
        const req: SignRequest = { url, expiresAt: EXPIRES, ...when };
        const ours = sign.sign(req);
        t.equal(ours.url.href, getSignedUrl(sdkInput(url.href, req, algorithm)), label);
        t.equal(ours.cookies, undefined, `${label}: no cookies`);

        const read = readSignedUrl(ours.url.href);
        const custom = name !== 'canned';
        const order = [custom ? 'Policy' : 'Expires', 'Key-Pair-Id', 'Signature'];
        if (algorithm === 'SHA256') order.push('Hash-Algorithm');
        t.strictSame(read.names, order, `${label}: the signature's parameters, in the SDK's order, last`);
        t.equal(read.values['Key-Pair-Id'], KEY_PAIR_ID);
        if (algorithm === 'SHA256') t.equal(read.values['Hash-Algorithm'], 'SHA256');
        const terms = {
          resource: read.resource,
          expires: read.values.Expires,
          policy: read.values.Policy,
          signature: read.values.Signature!,
        };
        checkPolicy(t, label, terms, req, digest, rsa.publicKey);
      }
    }
  }
  t.end();
});

t.test('signed cookies: byte for byte getSignedCookies, in every form, the URL unchanged', (t) => {
  for (const algorithm of ALGORITHMS) {
    const sign = signer({ hash_algorithm: algorithm });
    const digest = algorithm === 'SHA256' ? 'sha256' : 'sha1';
    for (const input of URLS) {
      for (const { name, when } of CONDITIONS) {
        const label = `${algorithm ?? 'default'} ${name} cookies ${input}`;
        const url = new URL(input);
        const req: SignRequest = { url, expiresAt: EXPIRES, cookie: true, ...when };
        const ours = sign.sign(req);
        const sdk = Object.entries(getSignedCookies(sdkInput(url.href, req, algorithm))).map(([k, v]) => [k, `${v}`]);
        // entries, not objects: the order is the SDK's too
        t.strictSame(Object.entries(ours.cookies ?? {}), sdk, label);
        t.equal(ours.url.href, url.href, `${label}: the URL unchanged`);
        t.not(ours.url, url, `${label}: a copy, not the caller's URL`);

        const cookies = ours.cookies ?? {};
        t.equal(cookies['CloudFront-Key-Pair-Id'], KEY_PAIR_ID);
        t.equal(cookies['CloudFront-Hash-Algorithm'], algorithm === 'SHA256' ? 'SHA256' : undefined);
        const terms = {
          resource: url.href,
          expires: cookies['CloudFront-Expires'],
          policy: cookies['CloudFront-Policy'],
          signature: cookies['CloudFront-Signature']!,
        };
        checkPolicy(t, label, terms, req, digest, rsa.publicKey);
      }
    }
  }
  t.end();
});

t.test('what is not part of the signature, and what cannot be signed', (t) => {
  const sign = signer();
  const expiresAt = EXPIRES;
  const plain = sign.sign({ url: new URL('https://d111111abcdef8.cloudfront.net/a?b=1'), expiresAt });
  const withFragment = sign.sign({ url: new URL('https://d111111abcdef8.cloudfront.net/a?b=1#top'), expiresAt });
  t.equal(withFragment.url.href, plain.url.href, 'a fragment never reaches the edge: left out');
  const cookie = sign.sign({ url: new URL('https://d111111abcdef8.cloudfront.net/a#top'), expiresAt, cookie: true });
  t.equal(cookie.url.href, 'https://d111111abcdef8.cloudfront.net/a#top', 'cookies leave the URL as it was');
  const sdkCookies = getSignedCookies(
    sdkInput('https://d111111abcdef8.cloudfront.net/a', { url: cookie.url, expiresAt }),
  );
  t.equal(cookie.cookies?.['CloudFront-Signature'], sdkCookies['CloudFront-Signature'], 'nor in a cookie policy');

  const url = new URL('https://d111111abcdef8.cloudfront.net/a');
  for (const ip of ['192.0.2.256', '192.0.2.1/33', '192.0.2.1/', '/24', '192.0.2']) {
    t.throws(() => sign.sign({ url, expiresAt, ip }), ConfigError, `${ip} is refused`);
    t.throws(() => getSignedUrl(sdkInput(url.href, { url, expiresAt, ip })), `${ip}: as the SDK refuses it`);
  }
  // the SDK signs this one for 192.0.2.1/32, dropping the /8: a block nobody asked for
  t.throws(() => sign.sign({ url, expiresAt, ip: '192.0.2.1/24/8' }), ConfigError, 'two masks are refused');
  t.throws(() => sign.sign({ url, expiresAt, ip: '2001:db8::1' }), { message: /IPv6/ }, 'IPv6: CloudFront takes IPv4');
  t.throws(() => sign.sign({ url, expiresAt, ip: '' }), ConfigError, 'an empty ip is a mistake, not "any"');
  t.throws(() => sign.sign({ url, expiresAt: new Date(Number.NaN) }), RangeError, 'an invalid date');
  t.throws(() => sign.sign({ url: new URL('ftp://d111111abcdef8.cloudfront.net/a'), expiresAt }), RangeError);
  t.end();
});

t.test('the signing: block', (t) => {
  t.strictSame(cloudfrontScheme.supports, { notBefore: true, ip: true, cookie: true, strips: true });
  t.equal(cloudfrontScheme.name, 'cloudfront');
  const base = { scheme: 'cloudfront', key_pair_id: KEY_PAIR_ID, private_key: PEM };
  t.ok(cloudfrontScheme.schema.safeParse(base).success, 'a key ID and a PEM key');
  t.ok(cloudfrontScheme.schema.safeParse({ ...base, hash_algorithm: 'SHA256' }).success, 'SHA256');
  const refused = {
    'a lower-case key ID': { ...base, key_pair_id: 'k2jcjmdehxqw5f' },
    'no key ID': { ...base, key_pair_id: undefined },
    'a key that is not PEM': { ...base, private_key: 'MIIEowIBAAKCAQEA' },
    'another hash': { ...base, hash_algorithm: 'SHA512' },
    'another scheme': { ...base, scheme: 'akamai' },
    'an unknown key': { ...base, passphrase: 'x' },
  };
  for (const [what, block] of Object.entries(refused)) t.notOk(cloudfrontScheme.schema.safeParse(block).success, what);

  const pkcs8 = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  const req = { url: new URL('https://d111111abcdef8.cloudfront.net/a'), expiresAt: EXPIRES };
  t.equal(
    signer({ private_key: pkcs8 }).sign(req).url.href,
    signer().sign(req).url.href,
    'a PKCS#8 key signs the same',
  );

  const create = (privateKey: string) => () => signer({ private_key: privateKey });
  const garbage = '-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5IGF0IGFsbA==\n-----END PRIVATE KEY-----\n';
  t.throws(create(garbage), ConfigError, 'an unreadable key is a config error at create');
  try {
    create(garbage)();
  } catch (err) {
    t.notMatch((err as Error).message, /bm90IGEga2V5/, 'whose message holds nothing of the key');
  }
  for (const type of ['pkcs8', 'pkcs1'] as const) {
    const encrypted = generateKeyPairSync('rsa', {
      modulusLength: 1024,
      privateKeyEncoding: { type, format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pass' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    }).privateKey;
    t.throws(create(encrypted), { message: /private_key is encrypted/ }, `an encrypted ${type} key: say so`);
  }
  t.throws(create(rsa.publicKey.export({ type: 'spki', format: 'pem' }) as string), ConfigError, 'a public key');
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' });
  t.throws(create(ec as string), { message: /ec key; CloudFront wants RSA/ }, 'an EC key');

  t.notMatch(redact(`key: ${PEM}`), /PRIVATE KEY/, 'the key is a secret once a signer has it');
  t.end();
});
