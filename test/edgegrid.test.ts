// The EdgeGrid signer (EG1-HMAC-SHA256) against an independent re-derivation: a short Python 3 script, written
// here from Akamai's description of the algorithm, signs a table of fixed requests with invented credentials, and
// every header must come out byte for byte the same. The .edgerc reader against .edgerc texts written here.
import { execFileSync } from 'node:child_process';
import t from 'tap';
import {
  contentHash,
  dataToSign,
  DEFAULT_MAX_BODY,
  edgegridAuthorization,
  edgegridTimestamp,
  parseEdgerc,
  signingKey,
  type EdgegridCredentials,
  type SignableRequest,
} from '../harness/invalidation/edgegrid.js';

/**
 * EG1-HMAC-SHA256 as Akamai describes it, with nothing from the TypeScript signer:
 * - timestamp: UTC, yyyyMMddTHH:mm:ss+0000;
 * - prefix: "EG1-HMAC-SHA256 client_token=…;access_token=…;timestamp=…;nonce=…;";
 * - signing key: base64 HMAC-SHA256 of the timestamp, keyed with the client secret as it is written;
 * - data to sign, joined by tabs: method upper case, scheme lower case, host lower case (the Host header when the
 *   request carries one), path and query, the headers to sign ("name:value", name lower case, value trimmed with
 *   each run of whitespace as one space, tab-joined, in the order the credentials list them, absent ones left
 *   out), the content hash (base64 SHA-256 of at most max_body bytes of a POST body, else empty), the prefix;
 * - Authorization: the prefix, then "signature=" and the base64 HMAC-SHA256 of the data, keyed with the key.
 */
const PYTHON = `
import base64, datetime, hashlib, hmac, json, sys

def mac64(key, text):
    return base64.b64encode(hmac.new(key.encode(), text.encode(), hashlib.sha256).digest()).decode()

out = []
for c in json.load(sys.stdin):
    when = datetime.datetime.fromtimestamp(c['epoch'], datetime.timezone.utc)
    timestamp = when.strftime('%Y%m%dT%H:%M:%S+0000')
    prefix = 'EG1-HMAC-SHA256 client_token=%s;access_token=%s;timestamp=%s;nonce=%s;' % (
        c['client_token'], c['access_token'], timestamp, c['nonce'])
    headers = {name.lower(): value for name, value in c['headers']}
    signed = []
    for name in c['headers_to_sign']:
        if name.lower() in headers:
            signed.append(name.lower() + ':' + ' '.join(headers[name.lower()].split()))
    body = base64.b64decode(c['body_b64']) if 'body_b64' in c else c.get('body', '').encode('utf-8')
    content = ''
    if c['method'].upper() == 'POST' and body:
        content = base64.b64encode(hashlib.sha256(body[:c['max_body']]).digest()).decode()
    data = '\\t'.join([
        c['method'].upper(), c['scheme'].lower(), headers.get('host', c['host']).lower(), c['path'],
        '\\t'.join(signed), content, prefix])
    key = mac64(c['client_secret'], timestamp)
    out.append({'timestamp': timestamp, 'key': key, 'content': content, 'data': data,
                'authorization': prefix + 'signature=' + mac64(key, data)})
print(json.dumps(out))
`;

interface Case {
  name: string;
  method: string;
  scheme: 'http' | 'https';
  /** as written in the URL; the table holds none that the URL parser would rewrite */
  host: string;
  /** path and query, as sent */
  path: string;
  headers: Array<[string, string]>;
  headers_to_sign: string[];
  body?: string;
  /** a body of bytes, not text */
  body_b64?: string;
  max_body: number;
  /** seconds since 1970; the signer is handed a Date some milliseconds later */
  epoch: number;
  nonce: string;
  client_token: string;
  client_secret: string;
  access_token: string;
}
interface Derived {
  timestamp: string;
  key: string;
  content: string;
  data: string;
  authorization: string;
}

// invented for these tests: no Akamai account has them
const ours = {
  client_token: 'akab-ct-edgecheck-0a1b2c3d-4e5f',
  client_secret: 'ZWRnZWNoZWNrIGludmVudGVkIHRoaXMgc2VjcmV0Lw+=',
  access_token: 'akab-at-edgecheck-6a7b8c9d-0e1f',
};
const base = {
  ...ours,
  scheme: 'https' as const,
  host: 'akab-edgecheck-test.luna.akamaiapis.net',
  headers: [],
  headers_to_sign: [],
  max_body: 2048,
  epoch: 1_773_562_150, // 2026-03-15T08:09:10Z
  nonce: '3f1c9a2e-7d44-4b0e-9c61-5e2d8f0a1b77',
};
const signedHeaders = ['X-Edge-One', 'x-edge-two', 'X-EDGE-THREE'];
const bytes = Buffer.from(Array.from({ length: 300 }, (_v, i) => (i * 37) % 256));
const cases: Case[] = [
  { ...base, name: 'GET /', method: 'GET', path: '/' },
  { ...base, name: 'GET with a query', method: 'GET', path: '/ccu/v3/status/a1?limit=20&from=1700000000' },
  { ...base, name: 'a lower-case method', method: 'get', path: '/x/y' },
  { ...base, name: 'separators in the path', method: 'GET', path: '/cfg/11;22;33/p%20q?a=b%2Fc&d=' },
  {
    ...base,
    name: 'http, a port on the host',
    method: 'DELETE',
    scheme: 'http',
    host: 'api.example.test:8080',
    path: '/q',
  },
  { ...base, name: 'upper case in the host', method: 'GET', host: 'Akab-Mixed.Example.TEST', path: '/' },
  {
    ...base,
    name: 'a Host header is the host signed',
    method: 'GET',
    host: '127.0.0.1:9999',
    path: '/purge',
    headers: [['Host', 'Akab-Via-Header.luna.akamaiapis.net']],
  },
  {
    ...base,
    name: 'the headers to sign: in the credentials order, trimmed, blanks folded, extras and absent ones left out',
    method: 'GET',
    path: '/h',
    headers: [
      ['x-edge-two', '  two\t\tvalues   here '],
      ['X-Unsigned', 'not in the list'],
      ['X-EDGE-ONE', '"  quoted   value  "'],
    ],
    headers_to_sign: signedHeaders,
  },
  {
    ...base,
    name: 'one header to sign, present',
    method: 'POST',
    path: '/h',
    headers: [['X-Edge-Three', 'three']],
    headers_to_sign: signedHeaders,
    body: '{"objects":["https://www.example.test/a"]}',
  },
  {
    ...base,
    name: 'a POST inside max_body',
    method: 'POST',
    path: '/ccu/v3/invalidate/url/staging',
    body: 'ab'.repeat(40),
  },
  { ...base, name: 'a POST of exactly max_body', method: 'POST', path: '/p', body: 'e'.repeat(2048) },
  { ...base, name: 'a POST one byte over max_body', method: 'POST', path: '/p', body: 'e'.repeat(2049) },
  { ...base, name: 'a POST far over max_body', method: 'POST', path: '/p', body: 'xyz'.repeat(5000) },
  {
    ...base,
    name: 'a POST over the default max_body',
    method: 'POST',
    path: '/p',
    max_body: DEFAULT_MAX_BODY,
    body: '0123456789abcdef'.repeat(DEFAULT_MAX_BODY / 16 + 100),
  },
  { ...base, name: 'max_body cuts a UTF-8 character', method: 'POST', path: '/u', max_body: 6, body: 'ab€€cd' },
  {
    ...base,
    name: 'a POST of bytes, cut at max_body',
    method: 'POST',
    path: '/b',
    max_body: 257,
    body_b64: bytes.toString('base64'),
  },
  { ...base, name: 'a POST with an empty body', method: 'POST', path: '/e', body: '' },
  { ...base, name: 'a POST with no body', method: 'POST', path: '/e' },
  { ...base, name: 'a PUT body is not hashed', method: 'PUT', path: '/p', body: 'not hashed' },
  { ...base, name: 'a PATCH body is not hashed', method: 'PATCH', path: '/p', body: 'not hashed either' },
  {
    ...base,
    name: 'other credentials, time and nonce',
    method: 'POST',
    path: '/ccu/v3/delete/tag/production',
    client_token: 'akab-ct-second-client',
    client_secret: 'c2Vjb25kLWludmVudGVkLXNlY3JldA==',
    access_token: 'akab-at-second-client',
    epoch: 946_684_799, // 1999-12-31T23:59:59Z
    nonce: 'nonce-of-our-own',
    body: '{"objects":["tag-a","tag-b"]}',
  },
];

const credentialsOf = (c: Case): EdgegridCredentials => ({
  clientToken: c.client_token,
  clientSecret: c.client_secret,
  accessToken: c.access_token,
  maxBody: c.max_body,
  headersToSign: c.headers_to_sign,
});
const requestOf = (c: Case): SignableRequest => ({
  method: c.method,
  url: new URL(`${c.scheme}://${c.host}${c.path}`),
  headers: Object.fromEntries(c.headers),
  body: c.body_b64 === undefined ? c.body : new Uint8Array(Buffer.from(c.body_b64, 'base64')),
});

const hasPython = (() => {
  try {
    execFileSync('python3', ['-c', 'import base64, datetime, hashlib, hmac, json']);
    return true;
  } catch {
    return false;
  }
})();

t.test('every Authorization header, byte for byte, as the Python re-derivation makes it', async (t) => {
  if (!hasPython) {
    t.skip('python3 is not installed: the headers cannot be derived again in Python', () => undefined);
    return;
  }
  const derived = JSON.parse(
    execFileSync('python3', ['-c', PYTHON], { input: JSON.stringify(cases), maxBuffer: 1 << 24 }).toString(),
  ) as Derived[];
  t.equal(derived.length, cases.length);
  cases.forEach((c, i) => {
    const want = derived[i]!;
    const request = requestOf(c);
    t.equal(request.url.host, c.host.toLowerCase(), `${c.name}: the URL keeps the host as written`);
    t.equal(request.url.pathname + request.url.search, c.path, `${c.name}: the URL keeps the path as written`);
    const moment = { timestamp: edgegridTimestamp(new Date(c.epoch * 1000 + 789)), nonce: c.nonce };
    const credentials = credentialsOf(c);
    t.equal(moment.timestamp, want.timestamp, `${c.name}: timestamp`);
    t.equal(signingKey(c.client_secret, moment.timestamp), want.key, `${c.name}: signing key`);
    t.equal(contentHash(c.method, request.body, c.max_body), want.content, `${c.name}: content hash`);
    const prefix = want.authorization.slice(0, want.authorization.indexOf('signature='));
    t.equal(dataToSign(credentials, request, prefix), want.data, `${c.name}: data to sign`);
    t.equal(edgegridAuthorization(credentials, request, moment), want.authorization, c.name);
  });
});

t.test('the content hash covers POST bodies only, and at most max_body bytes', async (t) => {
  t.equal(contentHash('POST', 'abc', 2048), 'ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=', 'SHA-256 of "abc"');
  t.equal(contentHash('post', 'abcdef', 3), contentHash('POST', 'abc', 2048), 'cut at max_body');
  t.equal(contentHash('PUT', 'abc', 2048), '');
  t.equal(contentHash('POST', '', 2048), '');
  t.equal(contentHash('POST', undefined, 2048), '');
});

t.test('the timestamp is UTC to the second, in the documented form', async (t) => {
  t.equal(edgegridTimestamp(new Date(Date.UTC(2026, 2, 15, 8, 9, 10, 999))), '20260315T08:09:10+0000');
  t.equal(edgegridTimestamp(new Date(Date.UTC(2026, 0, 2, 3, 4, 5))), '20260102T03:04:05+0000');
});

t.test('a Host header is what is signed, as the server sees it', async (t) => {
  const credentials = credentialsOf(cases[0]!);
  const request = { method: 'GET', url: new URL('http://127.0.0.1:8080/x?y=1') };
  t.match(dataToSign(credentials, request, ''), /^GET\thttp\t127\.0\.0\.1:8080\t\/x\?y=1\t/);
  t.match(dataToSign(credentials, { ...request, headers: { Host: 'API.example' } }, ''), /^GET\thttp\tapi\.example\t/);
});

// written for these tests; every credential in it is invented
const EDGERC = [
  '# edgecheck test .edgerc',
  '[default]',
  'host = akab-edgecheck-default.luna.akamaiapis.net',
  'client_token = akab-ct-default-0001',
  'client_secret = ZGVmYXVsdC1zZWNyZXQtb2YtZWRnZWNoZWNr/+=',
  'access_token = akab-at-default-0002',
  '',
  '[purge]   ; a comment after the section name',
  '  ; an indented comment line',
  'host = "https://akab-edgecheck-purge.luna.akamaiapis.net/"',
  'client-token = akab-ct-purge-0003',
  "Client-Secret = 'purge;secret#with=signs'   # quotes keep ; and #",
  'ACCESS-TOKEN = "an access  token" ; comment after a quoted value',
  'max-body = 8192',
  'headers-to-sign = X-Edge-One , x-edge-two,,',
  '',
  '[custom:underscores]',
  'host = https://akab-edgecheck-under.luna.akamaiapis.net:8443',
  'client_token = akab-ct;no-blank-before-it',
  'client_secret = s3cret#hash=',
  'access_token = akab-at-under-0004 # dropped',
  'max_body = 65536',
  'headers_to_sign = X-Only',
  '',
  '[escaped]',
  'host = akab-edgecheck-escaped.luna.akamaiapis.net///',
  'client_token = "say \\"hi\\" ; here"',
  "client_secret = 'it\\'s'",
  'access_token = ""',
  '',
  '[bad-max-body]',
  'host = akab-edgecheck-bad.luna.akamaiapis.net',
  'client_token = a',
  'client_secret = b',
  'access_token = c',
  'max-body = 64k',
  '',
  '[zero-max-body]',
  'host = akab-edgecheck-zero.luna.akamaiapis.net',
  'client_token = a',
  'client_secret = b',
  'access_token = c',
  'max_body = 0',
  '',
].join('\r\n');

t.test('.edgerc: sections, quotes, comments, https://, max-body and max_body, dashes and underscores', async (t) => {
  t.same(parseEdgerc(EDGERC, 'test.edgerc', 'default'), {
    host: 'akab-edgecheck-default.luna.akamaiapis.net',
    clientToken: 'akab-ct-default-0001',
    clientSecret: 'ZGVmYXVsdC1zZWNyZXQtb2YtZWRnZWNoZWNr/+=',
    accessToken: 'akab-at-default-0002',
    maxBody: DEFAULT_MAX_BODY,
    headersToSign: [],
  });
  t.same(parseEdgerc(EDGERC, 'test.edgerc', 'purge'), {
    host: 'akab-edgecheck-purge.luna.akamaiapis.net',
    clientToken: 'akab-ct-purge-0003',
    clientSecret: 'purge;secret#with=signs',
    accessToken: 'an access  token',
    maxBody: 8192,
    headersToSign: ['X-Edge-One', 'x-edge-two'],
  });
  t.same(parseEdgerc(EDGERC, 'test.edgerc', 'custom:underscores'), {
    host: 'akab-edgecheck-under.luna.akamaiapis.net:8443',
    clientToken: 'akab-ct;no-blank-before-it',
    clientSecret: 's3cret#hash=',
    accessToken: 'akab-at-under-0004',
    maxBody: 65536,
    headersToSign: ['X-Only'],
  });
  t.throws(() => parseEdgerc(EDGERC, 'test.edgerc', 'escaped'), {
    message: 'test.edgerc: section [escaped] lacks access_token',
  });
  const escaped = parseEdgerc(EDGERC.replace('access_token = ""', 'access_token = x'), 'test.edgerc', 'escaped');
  t.match(escaped, { host: 'akab-edgecheck-escaped.luna.akamaiapis.net', clientSecret: "it\\'s" });
  t.equal(escaped.clientToken, 'say \\"hi\\" ; here', 'a backslash keeps the quote open and is itself kept');
  for (const section of ['bad-max-body', 'zero-max-body']) {
    t.throws(() => parseEdgerc(EDGERC, 'test.edgerc', section), {
      code: 'E_CONFIG',
      message: `test.edgerc: section [${section}]: max-body must be a positive whole number of bytes`,
    });
  }
  t.throws(() => parseEdgerc(EDGERC, 'test.edgerc', 'ccu'), {
    code: 'E_CONFIG',
    message:
      'test.edgerc: no section [ccu] in the .edgerc; it has [default], [purge], [custom:underscores], [escaped], ' +
      '[bad-max-body], [zero-max-body]',
  });
  t.throws(() => parseEdgerc('; nothing but a comment\n', 'empty.edgerc', 'default'), {
    message: 'empty.edgerc: no section [default] in the .edgerc; it has none',
  });
});

t.test('.edgerc: a file that parses but lacks what signing needs', async (t) => {
  const lacking = ['[default]', 'client_token = akab-ct-lacking', 'access_token = akab-at-lacking', 'max_body = lots'];
  t.throws(() => parseEdgerc(lacking.join('\n'), 'lacking.edgerc', 'default'), {
    code: 'E_CONFIG',
    message: 'lacking.edgerc: section [default] lacks host, client_secret',
  });
});

t.test('.edgerc: a malformed file is named by line, never quoted', async (t) => {
  const secret = 'S3cr3t+value/never=shown';
  const cases: Array<[string, string]> = [
    [`client_secret ${secret}\n`, 'f:1: expected `[section]` or `key = value`'],
    [`client_secret = ${secret}\n[default]\n`, 'f:1: a `key = value` before any [section]'],
    [`[default]\n\nclient_secret = "${secret}\n`, 'f:3: the value of client_secret opens a quote it never closes'],
    ['[a]\n[a]\n', 'f:2: section [a] appears twice'],
  ];
  for (const [text, message] of cases) {
    const err = t.throws(() => parseEdgerc(text, 'f', 'default'), { message }) as Error;
    t.notMatch(err.message, secret);
  }
  const pathInHost = '[default]\nhost = a/b\nclient_token=a\nclient_secret=b\naccess_token=c\n';
  t.throws(() => parseEdgerc(pathInHost, 'f', 'default'), { message: /host must be a hostname/ });
});
