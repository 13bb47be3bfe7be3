// The uri-signing signer's tokens read back with jose, an independent JOSE implementation: the header and the
// claims Traffic Server's uri_signing plugin (9.2) reads, the HMAC verified with the issuer's key, and the places
// the token travels (query or cookie). test/signingTrafficserverReal.test.ts has the plugin itself judge them.
import { decodeProtectedHeader, jwtVerify } from 'jose';
import t from 'tap';
import { openSigning, signingSchema } from '../harness/signing/index.js';
import type { SignRequest } from '../harness/signing/scheme.js';
import { uriSigningScheme } from '../harness/signing/uriSigning.js';

/** the documentation's example key ("First Key" of "Kabletown URI Authority") */
const K = 'Kh_RkUMj-fzbD37qBnDf_3e_RvQ3RP9PaSmVEpE24AM';
const BLOCK = { scheme: 'uri-signing', iss: 'Kabletown URI Authority', kid: 'First Key', key: K } as const;
const EXP = 1_900_000_000;
const NBF = 1_899_990_000;
/** a moment both claims allow */
const DURING = new Date((EXP - 60) * 1000);

const signer = (block: Record<string, unknown> = {}) =>
  uriSigningScheme.create(uriSigningScheme.schema.parse({ ...BLOCK, ...block }));
const secret = (k: string) => Buffer.from(k, 'base64url');
const request = (url: string, more: Partial<SignRequest> = {}): SignRequest => ({
  url: new URL(url),
  expiresAt: new Date(EXP * 1000 + 999),
  ...more,
});
const tokenOf = (url: URL) => url.searchParams.get('URISigningPackage') ?? '';

t.test('the header and claims, verified by jose with the issuer key', async (t) => {
  const signed = signer({ aud: 'mycdn', cdniuc: 'regex:https://cdn\\.test/a/.*' }).sign(
    request('https://cdn.test/a/b.txt?v=1', { notBefore: new Date(NBF * 1000 + 500) }),
  );
  const token = tokenOf(signed.url);
  t.same(decodeProtectedHeader(token), { alg: 'HS256', kid: 'First Key' }, 'alg and the kid the plugin looks up');
  const { payload, protectedHeader } = await jwtVerify(token, secret(K), {
    algorithms: ['HS256'],
    issuer: 'Kabletown URI Authority',
    audience: 'mycdn',
    currentDate: DURING,
  });
  t.equal(protectedHeader.alg, 'HS256');
  t.same(
    payload,
    {
      iss: 'Kabletown URI Authority',
      aud: 'mycdn',
      exp: EXP,
      nbf: NBF,
      cdniv: 1,
      cdniuc: 'regex:https://cdn\\.test/a/.*',
    },
    'exp and nbf in whole seconds (rounded down), cdniv 1 (the only version the plugin takes), no iat',
  );
  t.equal(signed.url.search, `?v=1&URISigningPackage=${token}`, 'the application query first, the token last');
  t.equal(signed.cookies, undefined);
  t.equal(token.split('.').length, 3, 'a compact JWS');
});

t.test('without audience, start or URI container, the claims the plugin needs only', async (t) => {
  const token = tokenOf(signer().sign(request('http://cdn.test/x')).url);
  const { payload } = await jwtVerify(token, secret(K), { currentDate: DURING });
  t.same(payload, { iss: 'Kabletown URI Authority', exp: EXP, cdniv: 1 });
});

t.test('jose refuses the token with another key, after its exp and before its nbf', async (t) => {
  const token = tokenOf(signer().sign(request('http://cdn.test/x', { notBefore: new Date(NBF * 1000) })).url);
  const other = 'fZBpDBNbk2GqhwoB_DGBAsBxqQZVix04rIoLJ7p_RlE';
  await t.rejects(jwtVerify(token, secret(other), { currentDate: DURING }), {
    code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
  });
  await t.rejects(jwtVerify(token, secret(K), { currentDate: new Date((EXP + 1) * 1000) }), {
    code: 'ERR_JWT_EXPIRED',
  });
  await t.rejects(jwtVerify(token, secret(K), { currentDate: new Date((NBF - 1) * 1000) }), {
    code: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
    claim: 'nbf',
  });
});

t.test('HS384 and HS512 keys', async (t) => {
  for (const alg of ['HS384', 'HS512'] as const) {
    const token = tokenOf(signer({ alg }).sign(request('http://cdn.test/x')).url);
    t.equal(decodeProtectedHeader(token).alg, alg);
    const { payload } = await jwtVerify(token, secret(K), { algorithms: [alg], currentDate: DURING });
    t.equal(payload.iss, BLOCK.iss, `${alg} verifies`);
  }
});

t.test('in a cookie: the URL stays as it was, the token is the cookie', async (t) => {
  const signed = signer().sign(request('https://cdn.test/a.txt?v=1', { cookie: true }));
  t.equal(signed.url.href, 'https://cdn.test/a.txt?v=1');
  const token = signed.cookies?.['URISigningPackage'] ?? '';
  t.same(Object.keys(signed.cookies ?? {}), ['URISigningPackage']);
  const { payload } = await jwtVerify(token, secret(K), { currentDate: DURING });
  t.equal(payload.exp, EXP);
});

t.test("a token already in the URL goes (the plugin reads the first), another verifier's token name", async (t) => {
  const stale = 'https://cdn.test/a.txt?URISigningPackage=old.old.old&v=1';
  t.match(signer().sign(request(stale)).url.search, /^\?v=1&URISigningPackage=[^&]+$/);
  t.equal(signer().sign(request(stale, { cookie: true })).url.search, '?v=1');
  const named = signer({ token_name: 'tok' }).sign(request('https://cdn.test/a.txt?tok=old'));
  t.match(named.url.search, /^\?tok=[^&.]+\.[^&.]+\.[^&.]+$/);
  t.same(uriSigningScheme.parts(uriSigningScheme.schema.parse({ ...BLOCK, token_name: 'tok' }), true), {
    signature: 'tok',
  });
  t.same(uriSigningScheme.parts(uriSigningScheme.schema.parse(BLOCK), false), { signature: 'URISigningPackage' });
});

t.test('an unknown key: another kid and another secret', async (t) => {
  const config = uriSigningScheme.schema.parse(BLOCK);
  const unknown = uriSigningScheme.unknownKey(config);
  t.not(unknown.kid, config.kid);
  t.not(unknown.key, config.key);
  t.equal(unknown.iss, config.iss, 'the same issuer: the plugin looks for the kid among its keys');
  t.ok(uriSigningScheme.schema.safeParse(unknown).success, 'a block the schema takes');
  const token = tokenOf(uriSigningScheme.create(unknown).sign(request('http://cdn.test/x')).url);
  await t.rejects(jwtVerify(token, secret(K), { currentDate: DURING }));
});

t.test('what the plugin cannot take is refused, with the reason', async (t) => {
  const s = signer();
  t.throws(() => s.sign(request('http://cdn.test/x', { ip: '192.0.2.1' })), {
    code: 'E_UNMET_NEED',
    message: /cdniip/,
  });
  t.throws(() => s.sign(request('http://cdn.test/x', { notBefore: new Date(EXP * 1000) })), {
    code: 'E_UNMET_NEED',
    message: /expired already/,
  });
});

t.test('the schema', async (t) => {
  const issues = (block: Record<string, unknown>) =>
    uriSigningScheme.schema.safeParse({ ...BLOCK, ...block }).error?.issues.map((i) => `${i.path}: ${i.message}`) ?? [];
  t.same(issues({}), []);
  t.same(issues({ key: 'a+b/c=' }), ["key: expected the JWK's k: base64url (A-Z a-z 0-9 - _), no padding"]);
  t.same(issues({ key: 'abcde' }), ["key: expected the JWK's k: a base64url length is never 4n+1"]);
  t.same(issues({ cdniuc: 'hash:abc' }), [
    'cdniuc: expected "regex:<pattern>" (the plugin supports no other URI container)',
  ]);
  t.same(issues({ alg: 'RS256' }).length, 1);
  t.same(issues({ token_name: 'a=b' }).length, 1);
  t.same(issues({ cdniip: '192.0.2.1' }).length, 1, 'a strict object');
});

t.test("targets.yaml's signing union takes the block, and openSigning signs with it", async (t) => {
  const opened = openSigning(signingSchema.parse({ ...BLOCK, clock_skew: '2s' }));
  t.equal(opened.name, 'uri-signing');
  t.equal(opened.clockSkewMs, 2000);
  t.same(opened.supports, { notBefore: true, ip: false, cookie: true });
  const token = tokenOf(opened.signer.sign(request('http://cdn.test/x')).url);
  t.equal((await jwtVerify(token, secret(K), { currentDate: DURING })).payload.iss, BLOCK.iss);
  t.equal(opened.denial(403, '<html>'), undefined, "no body of the plugin's own to read");
});
