// The Traffic Server url_sig signer against the string the plugin signs, built by hand for fixed inputs from the
// plugin's documented format (the parts P keeps of host and path, "?", the query up to "S="; as
// plugins/experimental/url_sig/url_sig.c builds it in Traffic Server 9.2, the version the lab's package runs),
// then HMACed here with node:crypto.
import { createHmac } from 'node:crypto';
import t from 'tap';
import type { SignRequest } from '../harness/signing/scheme.js';
import { trafficserverUrlSigScheme } from '../harness/signing/trafficserverUrlSig.js';

const signer = (block: Record<string, unknown>) =>
  trafficserverUrlSigScheme.create(
    trafficserverUrlSigScheme.schema.parse({ scheme: 'trafficserver-url-sig', ...block }),
  );
const hmac = (algorithm: 'sha1' | 'md5', key: string, text: string) =>
  createHmac(algorithm, key).update(text).digest('hex');

interface ByHand {
  name: string;
  block: Record<string, unknown>;
  url: string;
  ip?: string;
  /** the query url_sig.c reads, up to and including "S=" */
  query: string;
  /** what url_sig.c signs: the parts P keeps of "host/seg/seg" (strtok: no empty parts), "?" and the query */
  signed: string;
  algorithm: 'sha1' | 'md5';
  key: string;
  /** E=, when not E below */
  expires?: number;
}
const E = 1_900_000_000;
/** an expiry past 2^32 seconds (the year 3000): url_sig reads E as a 64-bit number */
const FAR = 32_503_680_000;
const KEY = 'k3y-from-url_sig.config';
/** sixteen keys of our own, as key0 .. key15 of a url_sig config file */
const KEYS = Array.from({ length: 16 }, (_v, i) => `edgecheck-url-sig-key-${i.toString(16)}-${'x'.repeat(i)}`);
const cases: ByHand[] = [
  {
    name: 'P=1: host with port and every path part',
    block: { key: KEY },
    url: 'https://edge.test:8443/a/b/c.txt',
    query: `E=${E}&A=1&K=0&P=1&S=`,
    signed: `edge.test:8443/a/b/c.txt?E=${E}&A=1&K=0&P=1&S=`,
    algorithm: 'sha1',
    key: KEY,
  },
  {
    name: 'P=0110 (the documentation example): the first two directories only',
    block: { key: KEY, parts: '0110', key_index: 5 },
    url: 'https://edge.test/a/b/c/d.txt',
    query: `E=${E}&A=1&K=5&P=0110&S=`,
    signed: `a/b?E=${E}&A=1&K=5&P=0110&S=`,
    algorithm: 'sha1',
    key: KEY,
  },
  {
    name: 'P=110: the last digit repeats; the application query is signed and stays first',
    block: { keys: ['', '', 'two', 'three'], key_index: 3, algorithm: 'md5', parts: '110' },
    url: 'http://edge.test/a/b/c.txt?x=1&y=%20z',
    query: `x=1&y=%20z&E=${E}&A=2&K=3&P=110&S=`,
    signed: `edge.test/a?x=1&y=%20z&E=${E}&A=2&K=3&P=110&S=`,
    algorithm: 'md5',
    key: 'three',
  },
  {
    name: 'empty path parts are skipped and a trailing slash is lost, as strtok does',
    block: { key: KEY },
    url: 'https://edge.test//a//b/',
    query: `E=${E}&A=1&K=0&P=1&S=`,
    signed: `edge.test/a/b?E=${E}&A=1&K=0&P=1&S=`,
    algorithm: 'sha1',
    key: KEY,
  },
  {
    name: 'C= first, as sign.pl writes it; IPv6 as inet_ntop prints it',
    block: { key: KEY, parts: '01' },
    url: 'https://edge.test/v.mp4',
    ip: '2001:DB8:0:0:0:0:0:1',
    query: `C=2001:db8::1&E=${E}&A=1&K=0&P=01&S=`,
    signed: `v.mp4?C=2001:db8::1&E=${E}&A=1&K=0&P=01&S=`,
    algorithm: 'sha1',
    key: KEY,
  },
  {
    name: 'without pristineurl: the remap target host and path',
    block: { key: KEY, remap: { from: 'https://edge.test/media/', to: 'http://origin.internal:8080/store/v1/' } },
    url: 'https://edge.test/media/a/b.txt',
    ip: '192.0.2.10',
    query: `C=192.0.2.10&E=${E}&A=1&K=0&P=1&S=`,
    signed: `origin.internal:8080/store/v1/a/b.txt?C=192.0.2.10&E=${E}&A=1&K=0&P=1&S=`,
    algorithm: 'sha1',
    key: KEY,
  },
  {
    name: 'keys list, K=15: client address, SHA-1, P=1, far expiry',
    block: { keys: KEYS, key_index: 15 },
    url: 'http://four.edge.test/media/abc/clip.ts',
    ip: '198.51.100.23',
    expires: FAR,
    query: `C=198.51.100.23&E=${FAR}&A=1&K=15&P=1&S=`,
    signed: `four.edge.test/media/abc/clip.ts?C=198.51.100.23&E=${FAR}&A=1&K=15&P=1&S=`,
    algorithm: 'sha1',
    key: KEYS[15]!,
  },
  {
    name: 'keys list, K=0: no client address, MD5, P=1',
    block: { keys: KEYS, algorithm: 'md5' },
    url: 'http://seven.edge.test/media/abc/clip.ts',
    expires: FAR + 30,
    query: `E=${FAR + 30}&A=2&K=0&P=1&S=`,
    signed: `seven.edge.test/media/abc/clip.ts?E=${FAR + 30}&A=2&K=0&P=1&S=`,
    algorithm: 'md5',
    key: KEYS[0]!,
  },
  {
    name: 'keys list, K=13: client address, MD5, P=010 (the first directory only)',
    block: { keys: KEYS, key_index: 13, algorithm: 'md5', parts: '010' },
    url: 'http://seven.edge.test/media/abc/clip.ts',
    ip: '203.0.113.5',
    query: `C=203.0.113.5&E=${E}&A=2&K=13&P=010&S=`,
    signed: `media?C=203.0.113.5&E=${E}&A=2&K=13&P=010&S=`,
    algorithm: 'md5',
    key: KEYS[13]!,
  },
  {
    name: 'keys list, K=13: client address, MD5, P=101 (the host, then from the second directory on)',
    block: { keys: KEYS, key_index: 13, algorithm: 'md5', parts: '101' },
    url: 'http://seven.edge.test/media/abc/clip.ts',
    ip: '203.0.113.5',
    query: `C=203.0.113.5&E=${E}&A=2&K=13&P=101&S=`,
    signed: `seven.edge.test/abc/clip.ts?C=203.0.113.5&E=${E}&A=2&K=13&P=101&S=`,
    algorithm: 'md5',
    key: KEYS[13]!,
  },
  {
    name: 'keys list, K=7, without pristineurl: the remapped host with its port, SHA-1, P=1',
    block: { keys: KEYS, key_index: 7, remap: { from: 'http://one.edge.test/', to: 'http://127.0.0.1:8080/' } },
    url: 'http://one.edge.test/media/abc/clip.ts',
    expires: FAR - 50,
    query: `E=${FAR - 50}&A=1&K=7&P=1&S=`,
    signed: `127.0.0.1:8080/media/abc/clip.ts?E=${FAR - 50}&A=1&K=7&P=1&S=`,
    algorithm: 'sha1',
    key: KEYS[7]!,
  },
];

t.test('the signed string built by hand, HMACed, is the S= the signer writes', async (t) => {
  for (const c of cases) {
    const req: SignRequest = { url: new URL(c.url), expiresAt: new Date((c.expires ?? E) * 1000 + 500) };
    if (c.ip) req.ip = c.ip;
    const signed = signer(c.block).sign(req).url;
    const expected = new URL(c.url);
    expected.search = `${c.query}${hmac(c.algorithm, c.key, c.signed)}`;
    t.equal(signed.href, expected.href, c.name);
  }
});

t.test('what url_sig cannot verify is refused, with the reason', async (t) => {
  const expiresAt = new Date(E * 1000);
  const at = (u: string) => new URL(u);
  const plain = signer({ key: KEY });
  const refusals: Array<[string, () => unknown, RegExp]> = [
    ['a start time', () => plain.sign({ url: at('http://e.test/a'), expiresAt, notBefore: expiresAt }), /start time/],
    ['cookies', () => plain.sign({ url: at('http://e.test/a'), expiresAt, cookie: true }), /not cookies/],
    ['a CIDR block', () => plain.sign({ url: at('http://e.test/a'), expiresAt, ip: '192.0.2.0/24' }), /no CIDR/],
    ['a C= under 4 characters', () => plain.sign({ url: at('http://e.test/a'), expiresAt, ip: '::1' }), /shorter/],
    ['an "E=" in the own query', () => plain.sign({ url: at('http://e.test/a?TYPE=x'), expiresAt }), /"E="/],
    [
      'a re-signed URL',
      () => plain.sign({ url: plain.sign({ url: at('http://e.test/a'), expiresAt }).url, expiresAt }),
      /"E="/,
    ],
    [
      'parts that keep nothing',
      () => signer({ key: KEY, parts: '01' }).sign({ url: at('http://e.test/'), expiresAt }),
      /keeps no part/,
    ],
    [
      'a URL outside the remap rule',
      () =>
        signer({ key: KEY, remap: { from: 'http://e.test/m/', to: 'http://o/' } }).sign({
          url: at('http://e.test/x'),
          expiresAt,
        }),
      /not under/,
    ],
    [
      'an expiry before 1970',
      () => plain.sign({ url: at('http://e.test/a'), expiresAt: new Date(-1000) }),
      /after 1970/,
    ],
  ];
  for (const [what, sign, message] of refusals) t.throws(sign, { code: 'E_UNMET_NEED', message }, what);
});

t.test('the schema', async (t) => {
  const issues = (block: Record<string, unknown>) =>
    trafficserverUrlSigScheme.schema
      .safeParse({ scheme: 'trafficserver-url-sig', ...block })
      .error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];
  t.same(issues({ key: KEY, key_index: 15, algorithm: 'md5', parts: '0110' }), []);
  t.same(issues({ keys: KEYS, key_index: 15 }), []);
  t.same(issues({}), ['keys: expected either keys (a list) or key, not both']);
  t.same(issues({ key: KEY, keys: [KEY] }), ['keys: expected either keys (a list) or key, not both']);
  t.same(issues({ keys: [KEY, ''], key_index: 1 }), ['key_index: keys has no key number 1']);
  t.same(issues({ keys: [KEY], key_index: 4 }), ['key_index: keys has no key number 4']);
  t.match(issues({ key: KEY, key_index: 16 }), [/^key_index: /]);
  t.match(issues({ key: ' leading' }), [/^key: expected a key as url_sig reads it/]);
  t.match(issues({ key: 'x'.repeat(256) }), [/^key: expected a key of at most 255/]);
  t.match(issues({ key: KEY, parts: '000' }), [/^parts: expected 0s and 1s with at least one 1/]);
  t.match(issues({ key: KEY, parts: '12' }), [/^parts: /]);
  t.match(issues({ key: KEY, remap: { from: 'ftp://x/', to: 'http://o/' } }), [/^remap\.from: /]);
  t.match(issues({ key: KEY, pristine: true }), [/unrecognized|unknown/i]);
});
