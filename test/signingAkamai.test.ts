// The Akamai EdgeAuth signer against tokens rebuilt in Python for fixed inputs of our own, with Python's own
// quote_plus: the Auth Token 2.0 format as Akamai's reference library, akamai/EdgeAuth-Token-Python, builds it
// (ip, st, exp, acl joined by "~", then an HMAC of those and, without an ACL, of the url), in the query and in a
// cookie, under the default token name and others.
import { execFileSync } from 'node:child_process';
import t from 'tap';
import { akamaiEdgeAuthScheme, quotePlus } from '../harness/signing/akamaiEdgeAuth.js';
import type { SignRequest } from '../harness/signing/scheme.js';

const signer = (block: Record<string, unknown>) =>
  akamaiEdgeAuthScheme.create(akamaiEdgeAuthScheme.schema.parse({ scheme: 'akamai-edgeauth', ...block }));

/**
 * The token as akamai/EdgeAuth-Token-Python's EdgeAuth._generate_token builds it, written again here in Python
 * so that the escaping is Python's own urllib.parse.quote_plus, escapes in lower case.
 */
const PYTHON = `
import binascii, hashlib, hmac, json, re, sys
from urllib.parse import quote_plus
out = []
for c in json.load(sys.stdin):
    lower = lambda s: re.sub(r'(%..)', lambda m: m.group(1).lower(), s)
    esc = (lambda s: lower(quote_plus(s))) if c['escape_early'] else (lambda s: s)
    token = []
    if c.get('ip'): token.append('ip=' + esc(c['ip']))
    if c.get('st'): token.append('st=%d' % c['st'])
    token.append('exp=%d' % c['exp'])
    if c.get('acl'): token.append('acl=' + c['acl'])
    source = list(token)
    if not c.get('acl'): source.append('url=' + esc(c['url']))
    mac = hmac.new(binascii.a2b_hex(c['key']), '~'.join(source).encode(), getattr(hashlib, c['algorithm']))
    digest = mac.hexdigest()
    out.append('~'.join(token + ['hmac=' + digest]))
print(json.dumps(out))
`;

interface PyCase {
  /** the parameter or cookie name (TypeScript side only: the name is not in the token) */
  token_name?: string;
  key: string;
  algorithm: 'sha256' | 'sha1' | 'md5';
  escape_early: boolean;
  url: string;
  acl?: string;
  ip?: string;
  st?: number;
  exp: number;
}

t.test('tokens rebuilt in Python, with its quote_plus, in the query and in a cookie', async (t) => {
  let python = true;
  try {
    execFileSync('python3', ['-c', 'import urllib.parse']);
  } catch {
    python = false;
  }
  if (!python) {
    t.skip('python3 is not installed: the tokens cannot be rebuilt with Python', () => undefined);
    return;
  }
  const key = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
  const exp = 1_900_000_000;
  const cases: PyCase[] = [];
  for (const algorithm of ['sha256', 'sha1', 'md5'] as const) {
    for (const escape_early of [false, true]) {
      const base = { key, algorithm, escape_early, exp };
      cases.push(
        { ...base, url: '/akamai/edgeauth' },
        { ...base, url: "/a/b%20c/~user/(x)!*'%C3%A9.mp4", ip: '2001:db8::7', st: exp - 600 },
        { ...base, url: '/private/v.mp4', acl: '/private/*!/public/??', ip: '192.0.2.8' },
      );
    }
  }
  // a start and a window, an ACL of one wildcard or of two paths, a url token with a start; other token names
  const key2 = '0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0';
  const st = 1_800_000_123;
  const common = { key: key2, algorithm: 'sha256' as const, escape_early: false, st };
  cases.push(
    { ...common, token_name: 'hdnts', url: '/anything', acl: '/*', exp: st + 86_400 },
    { ...common, token_name: 'edge_token', url: '/videos/a.mp4', acl: '/videos/*!/thumbs/*', exp: st + 3600 },
    { ...common, token_name: 'tok-1', url: '/videos/a.mp4', acl: '/videos/*!/thumbs/*', exp: st + 1 },
    { ...common, token_name: 'edge_token', url: '/downloads/file.zip', exp: st + 900 },
  );
  const expected = JSON.parse(execFileSync('python3', ['-c', PYTHON], { input: JSON.stringify(cases) }).toString());
  cases.forEach((c, i) => {
    const block = {
      key: c.key,
      algorithm: c.algorithm,
      escape_early: c.escape_early,
      ...(c.acl ? { acl: c.acl } : {}),
    };
    // the times are handed over with milliseconds: the token carries whole seconds
    const req: SignRequest = { url: new URL(`https://edge.test${c.url}`), expiresAt: new Date(c.exp * 1000 + 999) };
    if (c.ip) req.ip = c.ip;
    if (c.st) req.notBefore = new Date(c.st * 1000 + 999);
    t.equal(req.url.pathname, c.url, 'the URL parser leaves these paths as written');
    const name = c.token_name ?? '__token__';
    const named = { ...block, ...(c.token_name ? { token_name: c.token_name } : {}) };
    const what = `${c.algorithm}, escape_early ${c.escape_early}, ${c.acl ? `acl ${c.acl}` : `url ${c.url}`}, ${name}`;
    t.equal(signer(named).sign(req).url.search, `?${name}=${expected[i]}`, `${what}: in the query`);
    const inCookie = signer(named).sign({ ...req, cookie: true });
    t.same(inCookie.cookies, { [name]: expected[i] }, `${what}: in a cookie`);
    t.equal(inCookie.url.href, req.url.href, `${what}: a cookie leaves the URL as it was`);
  });
  const sample = "a b/~é(!)*'";
  const quoted = execFileSync('python3', [
    '-c',
    'import sys; from urllib.parse import quote_plus; print(quote_plus(sys.argv[1]))',
    sample,
  ]);
  t.equal(
    quotePlus(sample),
    quoted
      .toString()
      .trim()
      .replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
  );
});

t.test('the query keeps what it had, and one token', async (t) => {
  const key = '00ff';
  const first = signer({ key, acl: '/*' }).sign({
    url: new URL('https://edge.test/a?v=1&w=%20x'),
    expiresAt: new Date(1_900_000_000_000),
  }).url;
  t.match(first.search, /^\?v=1&w=%20x&__token__=exp=1900000000~acl=\/\*~hmac=[0-9a-f]{64}$/);
  const again = signer({ key, acl: '/*' }).sign({ url: first, expiresAt: new Date(1_900_000_600_000) }).url;
  t.match(again.search, /^\?v=1&w=%20x&__token__=exp=1900000600~acl=\/\*~hmac=[0-9a-f]{64}$/);
  const named = signer({ key, token_name: 'hdnts' }).sign({ url: first, expiresAt: new Date(1_900_000_000_000) }).url;
  t.match(named.search, /&__token__=.*&hdnts=exp=1900000000~hmac=[0-9a-f]{64}$/, 'another name is another parameter');
});

t.test('what a token cannot say is refused, with the reason', async (t) => {
  const lab = signer({ key: '00ff' });
  const url = new URL('https://edge.test/a');
  const expiresAt = new Date(1_900_000_000_000);
  const refusals: Array<[string, () => unknown, RegExp]> = [
    ['a start at the expiry', () => lab.sign({ url, expiresAt, notBefore: expiresAt }), /expired already/],
    ['an expiry before 1970', () => lab.sign({ url, expiresAt: new Date(0) }), /after 1970/],
    ['a CIDR block', () => lab.sign({ url, expiresAt, ip: '192.0.2.0/24' }), /no CIDR/],
  ];
  for (const [what, sign, message] of refusals) t.throws(sign, { code: 'E_UNMET_NEED', message }, what);
});

t.test('the schema', async (t) => {
  const issues = (block: Record<string, unknown>) =>
    akamaiEdgeAuthScheme.schema
      .safeParse({ scheme: 'akamai-edgeauth', ...block })
      .error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];
  t.same(issues({ key: 'ABcd09', token_name: 'hdnts', algorithm: 'sha1', acl: '/p/*!/q/??', escape_early: true }), []);
  for (const key of ['abc', 'xyz0', '']) {
    t.same(issues({ key }), ['key: expected the key as hexadecimal digits, an even number'], `key ${key}`);
  }
  for (const acl of ['/a~b', '/a b', '/a&b', '/a;b']) t.match(issues({ key: '00', acl }), [/^acl: expected an ACL/]);
  t.match(issues({ key: '00', token_name: 'a=b' }), [/^token_name: /]);
  t.match(issues({ key: '00', algorithm: 'sha512' }), [/^algorithm: /]);
  t.match(issues({ key: '00', field_delimiter: '@' }), [/unrecognized|unknown/i]);
});
