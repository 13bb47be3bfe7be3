// The Traffic Server url_sig signer against the plugin's own gold-test URLs and against the signed string built
// by hand as TSRemapDoRemap in plugins/experimental/url_sig/url_sig.c builds it (Traffic Server tag 9.2.9,
// commit 44f627c7, the version the lab's trafficserver package runs), then HMACed here with node:crypto.
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import t from 'tap';
import type { SignRequest } from '../harness/signing/scheme.js';
import { trafficserverUrlSigScheme } from '../harness/signing/trafficserverUrlSig.js';

interface Gold {
  keys: string[];
  accepted: Array<{ name: string; url: string }>;
  notPristine: { path: string };
}
const gold = JSON.parse(
  readFileSync(new URL('./fixtures/signing/trafficserver-url_sig-gold.json', import.meta.url), 'utf8'),
) as Gold;

const signer = (block: Record<string, unknown>) =>
  trafficserverUrlSigScheme.create(
    trafficserverUrlSigScheme.schema.parse({ scheme: 'trafficserver-url-sig', ...block }),
  );
const hmac = (algorithm: 'sha1' | 'md5', key: string, text: string) =>
  createHmac(algorithm, key).update(text).digest('hex');

t.test("the plugin's gold-test URLs, signed again from their parts", async (t) => {
  for (const { name, url } of gold.accepted) {
    const expected = new URL(url);
    const q = expected.searchParams;
    const block = {
      keys: gold.keys,
      key_index: Number(q.get('K')),
      algorithm: q.get('A') === '1' ? 'sha1' : 'md5',
      parts: q.get('P'),
    };
    const req: SignRequest = {
      url: new URL(`${expected.origin}${expected.pathname}`),
      expiresAt: new Date(Number(q.get('E')) * 1000),
    };
    if (q.get('C')) req.ip = q.get('C')!;
    t.equal(signer(block).sign(req).url.href, url, name);
  }
});

t.test(
  'without pristineurl the plugin signs the remapped URL: the gold test computes that signature too',
  async (t) => {
    // url_sig.test.py: to_sign = f"127.0.0.1:{server.Variables.Port}/{path}", then HMAC-SHA1 with key7, in hex
    const port = 8080;
    const { path } = gold.notPristine;
    const expected = `http://one.two.three/${path}${hmac('sha1', gold.keys[7]!, `127.0.0.1:${port}/${path}`)}`;
    const block = {
      keys: gold.keys,
      key_index: 7,
      remap: { from: 'http://one.two.three/', to: `http://127.0.0.1:${port}/` },
    };
    const req = { url: new URL('http://one.two.three/foo/abcde/qrstuvwxyz'), expiresAt: new Date(33046618506 * 1000) };
    t.equal(signer(block).sign(req).url.href, expected);
  },
);

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
}
const E = 1_900_000_000;
const KEY = 'k3y-from-url_sig.config';
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
];

t.test('the signed string built by hand, HMACed, is the S= the signer writes', async (t) => {
  for (const c of cases) {
    const req: SignRequest = { url: new URL(c.url), expiresAt: new Date(E * 1000 + 500) };
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
  t.same(issues({ keys: gold.keys, key_index: 15 }), []);
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
