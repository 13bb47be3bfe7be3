// The real Traffic Server lab as the oracle for two signers: its `signed` route (url_sig) and its `signed-jwt`
// route (uri_signing) answer URLs signed by harness/signing/trafficserverUrlSig.ts and uriSigning.ts — 200 with
// the probe origin's answer when valid, 403 for an expired, tampered, unknown-key or missing signature.
import t from 'tap';
import { HttpClient } from '../harness/http/client.js';
import { OriginControl } from '../harness/origin/originControl.js';
import { checkKeyFor } from '../harness/origin/protocol.js';
import { newRunId } from '../harness/runner/runSuites.js';
import type { SignedRequest, Signer, SigningScheme } from '../harness/signing/scheme.js';
import { trafficserverUrlSigScheme } from '../harness/signing/trafficserverUrlSig.js';
import { uriSigningScheme } from '../harness/signing/uriSigning.js';
import { realEdges, startRealLab } from '../lab/realEdges/index.js';
import { uriSigningBlock } from '../lab/realEdges/trafficserver.js';
import { realEdgeInstalled } from './support/realEdgeInstalled.js';

const BODY = 'served by the probe origin';
/** a path as a POSIX extended regular expression matching it alone */
const escape = (text: string) => text.replace(/[.[\]()*+?{}|^$\\]/g, '\\$&');

function signers<S extends SigningScheme>(scheme: S, block: unknown): { signer: Signer; unknown: Signer } {
  const config = scheme.schema.parse(block);
  return { signer: scheme.create(config), unknown: scheme.create(scheme.unknownKey(config)) };
}

/** The same URL with the last character of a query parameter's value changed (still a valid character there). */
function tampered(url: URL, param: string): URL {
  const out = new URL(url.href);
  const value = out.searchParams.get(param) ?? '';
  // a JWT's signature is base64url: its last character carries padding bits, so change the first one instead
  const at = param === 'S' ? value.length - 1 : value.lastIndexOf('.') + 1;
  const swapped = value[at] === 'A' ? 'B' : 'A';
  out.search = out.search.replace(value, value.slice(0, at) + swapped + value.slice(at + 1));
  return out;
}

t.test('the real Traffic Server checks url_sig and uri_signing signatures as the signers make them', async (t) => {
  if (!realEdgeInstalled(t, realEdges.trafficserver)) return;
  const lab = await startRealLab(realEdges.trafficserver);
  const http = new HttpClient({ ca: lab.caPem });
  const origin = new OriginControl(lab.origin.control, lab.origin.token);
  t.teardown(async () => {
    await http.close();
    await origin.close();
    await lab.close();
  });
  t.equal(lab.signing?.scheme, 'trafficserver-url-sig', "the lab's signing block is url_sig's");
  const secret = String(lab.signing?.['key']);

  const runId = newRunId();
  let n = 0;
  /** a fresh object on the probe origin, and the URL of it under the route */
  const object = async (route: string) => {
    const key = checkKeyFor(runId, `signing.case-${++n}`);
    await origin.setObject(key, { headers: { 'Cache-Control': 'max-age=600' }, body: BODY });
    return { key, url: new URL(`${lab.routes[route]!.path.replace(/\/$/, '')}${key}a.txt?v=1`, lab.url) };
  };
  const get = async (signed: SignedRequest | URL) => {
    const { url, cookies } = signed instanceof URL ? { url: signed, cookies: undefined } : signed;
    const cookie = cookies && Object.entries(cookies).map(([k, v]) => `${k}=${v}`);
    const res = await http.send({
      method: 'GET',
      url,
      address: lab.addresses[0],
      timeoutMs: 5000,
      ...(cookie ? { headers: { cookie: cookie.join('; ') } } : {}),
    });
    return res;
  };
  const soon = new Date(Date.now() + 120_000);
  const later = new Date(Date.now() + 600_000);
  const past = new Date(Date.now() - 120_000);

  await t.test('url_sig on the signed route', async (t) => {
    const { signer, unknown } = signers(trafficserverUrlSigScheme, lab.signing);
    const valid = await object('signed');
    const signed = signer.sign({ url: valid.url, expiresAt: soon });
    const res = await get(signed);
    t.equal(res.status, 200, 'a URL we sign');
    t.equal(res.body, BODY, 'the probe origin served it');
    const reached = await origin.log(valid.key);
    t.equal(reached.length, 1, 'the request reached the origin once');
    t.notMatch(reached[0]?.url ?? '', /[?&][EAKPS]=/, 'the plugin drops its parameters before the origin');
    t.match(reached[0]?.url ?? '', /\?v=1$/, 'the application query goes on');

    const other = await object('signed');
    const refusals: Array<[string, URL]> = [
      ['an expired URL', signer.sign({ url: other.url, expiresAt: past }).url],
      ['a tampered signature', tampered(signer.sign({ url: other.url, expiresAt: soon }).url, 'S')],
      ['a key the edge does not hold', unknown.sign({ url: other.url, expiresAt: soon }).url],
      ['no signature', other.url],
      ['the signature of one path on another', new URL(signed.url.href.replace(valid.key, other.key))],
    ];
    for (const [what, url] of refusals) {
      const refused = await get(url);
      t.equal(refused.status, 403, what);
      t.equal(refused.body, 'Authorization Denied', `${what}: url_sig's body`);
    }
    t.equal((await origin.log(other.key)).length, 0, 'no refused request reached the origin');
  });

  await t.test('uri_signing on the signed-jwt route', async (t) => {
    const block = uriSigningBlock(secret);
    const { signer, unknown } = signers(uriSigningScheme, block);
    const valid = await object('signed-jwt');
    const res = await get(signer.sign({ url: valid.url, expiresAt: soon }));
    t.equal(res.status, 200, 'a token we sign, in the query');
    t.equal(res.body, BODY, 'the probe origin served it');
    const reached = await origin.log(valid.key);
    t.equal(reached.length, 1, 'the request reached the origin once');
    t.notMatch(reached[0]?.url ?? '', /URISigningPackage/, 'strip_token: the token never reaches the origin');
    t.match(reached[0]?.url ?? '', /\?v=1$/, 'the application query goes on');

    const inCookie = await object('signed-jwt');
    const cookie = signer.sign({ url: inCookie.url, expiresAt: soon, cookie: true });
    t.equal(cookie.url.href, inCookie.url.href, 'a token in a cookie leaves the URL as it was');
    t.equal((await get(cookie)).status, 200, 'a token we sign, in the URISigningPackage cookie');

    const fromNow = await object('signed-jwt');
    const started = await get(signer.sign({ url: fromNow.url, expiresAt: soon, notBefore: past }));
    t.equal(started.status, 200, 'a token valid since a while ago');

    const container = await object('signed-jwt');
    const forPath = signers(uriSigningScheme, {
      ...block,
      // the URL as requested, normalised: the port stays (not 443), the token is cut out
      cdniuc: `regex:https://[^/]+${escape(container.url.pathname)}\\?v=1$`,
    }).signer;
    t.equal((await get(forPath.sign({ url: container.url, expiresAt: soon }))).status, 200, 'cdniuc: its URL');

    const other = await object('signed-jwt');
    const wrongAudience = signers(uriSigningScheme, { ...block, aud: 'another-cdn' }).signer;
    const refusals: Array<[string, SignedRequest | URL]> = [
      ['an expired token', signer.sign({ url: other.url, expiresAt: past })],
      ['a token not valid yet (nbf ahead)', signer.sign({ url: other.url, expiresAt: later, notBefore: soon })],
      ['a tampered signature', tampered(signer.sign({ url: other.url, expiresAt: soon }).url, 'URISigningPackage')],
      ['a key the edge does not hold', unknown.sign({ url: other.url, expiresAt: soon })],
      ['no token', other.url],
      ['an expired token in a cookie', signer.sign({ url: other.url, expiresAt: past, cookie: true })],
      ['a token for another audience', wrongAudience.sign({ url: other.url, expiresAt: soon })],
      ['cdniuc: another URL', forPath.sign({ url: other.url, expiresAt: soon })],
    ];
    for (const [what, signed] of refusals) t.equal((await get(signed)).status, 403, what);
    t.equal((await origin.log(other.key)).length, 0, 'no refused request reached the origin');
  });
});
