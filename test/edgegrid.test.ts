// The EdgeGrid signer against Akamai's own published vectors (test/fixtures/edgegrid/README.md says where each
// file comes from), byte for byte, and the .edgerc reader against Akamai's own sample files.
import { readFileSync } from 'node:fs';
import t from 'tap';
import {
  contentHash,
  dataToSign,
  edgegridAuthorization,
  edgegridTimestamp,
  parseEdgerc,
  signingKey,
  type EdgegridCredentials,
  type SignableRequest,
} from '../harness/invalidation/edgegrid.js';

const fixtures = new URL('./fixtures/edgegrid/', import.meta.url);
const read = (name: string) => readFileSync(new URL(name, fixtures), 'utf8');
const json = <T>(name: string) => JSON.parse(read(name)) as T;

interface VectorData {
  base_url: string;
  access_token: string;
  client_token: string;
  client_secret: string;
  max_body: number;
  headers_to_sign: string[];
  nonce: string;
  timestamp: string;
}
interface VectorRequest {
  method: string;
  path: string;
  data?: string;
  headers?: Array<Record<string, string>>;
}
interface Vector {
  testName: string;
  request: VectorRequest;
  expectedAuthorization: string;
  expectedDataToSign?: string;
  failsWithMessage?: string;
}

const python = json<VectorData & Record<string, string>>('python-testdata.json');
const pythonCases = json<Vector[]>('python-testcases.json');
const node = json<VectorData & { tests: Vector[] }>('node-test_data.json');

const credentialsOf = (d: VectorData): EdgegridCredentials => ({
  clientToken: d.client_token,
  clientSecret: d.client_secret,
  accessToken: d.access_token,
  maxBody: d.max_body,
  headersToSign: d.headers_to_sign,
});
const requestOf = (d: VectorData, r: VectorRequest): SignableRequest => ({
  method: r.method,
  url: new URL(r.path, d.base_url),
  headers: Object.assign({}, ...(r.headers ?? [])) as Record<string, string>,
  body: r.data,
});
const momentOf = (d: VectorData) => ({ timestamp: d.timestamp, nonce: d.nonce });

t.test('AkamaiOPEN-edgegrid-python testcases.json: every Authorization header, byte for byte', async (t) => {
  const credentials = credentialsOf(python);
  for (const vector of pythonCases) {
    const request = requestOf(python, vector.request);
    // "failsWithMessage" is the Python HTTP library refusing a header with leading whitespace before any signing;
    // the vector still publishes the header a signer makes of it, and that is what is checked here
    const header = edgegridAuthorization(credentials, request, momentOf(python));
    t.equal(header, vector.expectedAuthorization, vector.testName);
    if (vector.expectedDataToSign !== undefined) {
      // the published data to sign is taken with an empty authorization prefix
      t.equal(dataToSign(credentials, request, ''), vector.expectedDataToSign, `${vector.testName}: data to sign`);
    }
  }
  t.equal(pythonCases.length, 15, 'all fifteen published cases ran');
});

t.test('AkamaiOPEN-edgegrid-python testdata.json: signing key, content hash, JSON and multipart POSTs', async (t) => {
  t.equal(signingKey(python.client_secret, python.timestamp), python['sign_key_test']);
  t.equal(contentHash('POST', 'test_body', python.max_body), python['content_hash_test']);
  t.equal(contentHash('PUT', 'test_body', python.max_body), '', 'only a POST body is hashed');
  // those two tests sign with the library's defaults: the whole body up to 131072 bytes, no headers
  const credentials = { ...credentialsOf(python), maxBody: 131072, headersToSign: [] };
  interface Derived {
    testName: string;
    expectedAuthorizationFrom: string;
    request: VectorRequest & { dataParts?: string[] };
  }
  for (const vector of json<Derived[]>('python-derived-requests.json')) {
    // a multipart body is kept as its lines, joined here, so that the file stays readable
    const { dataParts, ...request } = vector.request;
    if (dataParts) request.data = dataParts.join('');
    const header = edgegridAuthorization(credentials, requestOf(python, request), momentOf(python));
    t.equal(header, python[vector.expectedAuthorizationFrom], vector.testName);
  }
});

t.test('AkamaiOPEN-edgegrid-node test_data.json: every consistent vector, byte for byte', async (t) => {
  const credentials = credentialsOf(node);
  const sameRequest = (a: Vector, b: Vector) => JSON.stringify(a.request) === JSON.stringify(b.request);
  const inconsistent = node.tests.filter((v) =>
    node.tests.some((w) => w !== v && sameRequest(v, w) && w.expectedAuthorization !== v.expectedAuthorization),
  );
  // "POST inside limit" and "Post uses passed-max-body" publish two headers for one request (the file is not
  // read by the Node library's own tests); the Python repository's "POST inside limit" settles which is right
  t.same(
    inconsistent.map((v) => v.testName),
    ['Post uses passed-max-body', 'POST inside limit'],
  );
  const settled = pythonCases.find((v) => v.testName === 'POST inside limit')!;
  const [right, wrong] =
    inconsistent[0]!.expectedAuthorization === settled.expectedAuthorization
      ? [inconsistent[0]!, inconsistent[1]!]
      : [inconsistent[1]!, inconsistent[0]!];
  t.equal(right.expectedAuthorization, settled.expectedAuthorization, "one of the two agrees with Python's");
  let checked = 0;
  for (const vector of node.tests) {
    if (vector === wrong) continue;
    const header = edgegridAuthorization(credentials, requestOf(node, vector.request), momentOf(node));
    t.equal(header, vector.expectedAuthorization, vector.testName);
    checked++;
  }
  t.equal(checked, node.tests.length - 1);
});

t.test('the timestamp is UTC to the second, in the published form', async (t) => {
  t.equal(edgegridTimestamp(new Date(Date.UTC(2014, 2, 21, 19, 34, 21, 999))), python.timestamp);
  t.equal(edgegridTimestamp(new Date(Date.UTC(2026, 0, 2, 3, 4, 5))), '20260102T03:04:05+0000');
});

t.test('a Host header is what is signed, as the server sees it', async (t) => {
  const credentials = credentialsOf(python);
  const request = { method: 'GET', url: new URL('http://127.0.0.1:8080/x?y=1') };
  t.match(dataToSign(credentials, request, ''), /^GET\thttp\t127\.0\.0\.1:8080\t\/x\?y=1\t/);
  t.match(dataToSign(credentials, { ...request, headers: { Host: 'API.example' } }, ''), /^GET\thttp\tapi\.example\t/);
});

t.test('.edgerc: AkamaiOPEN-edgegrid-node test_edgerc', async (t) => {
  const text = read('node-test_edgerc');
  t.match(parseEdgerc(text, 'test_edgerc', 'default'), {
    host: 'example.luna.akamaiapis.net',
    clientToken: 'clientToken',
    clientSecret: 'clientSecret',
    accessToken: 'accessToken',
    maxBody: 131072,
  });
  t.match(parseEdgerc(text, 'test_edgerc', 'section'), { host: 'sectionexample.luna.akamaiapis.net' });
  t.equal(parseEdgerc(text, 'test_edgerc', 'no-max-body').maxBody, 131072, 'the default max body');
  t.equal(parseEdgerc(text, 'test_edgerc', 'custom:max_body').maxBody, 8192, 'max_body as well as max-body');
  t.equal(parseEdgerc(text, 'test_edgerc', 'https').host, 'example.luna.akamaiapis.net', 'https:// is dropped');
  t.match(parseEdgerc(text, 'test_edgerc', 'comment-test'), {
    host: 'sectionexample.luna.akamaiapis.net',
    clientToken: 'client token',
    clientSecret: 'client;secret',
    accessToken: 'access; token',
  });
  t.throws(() => parseEdgerc(text, 'test_edgerc', 'custom:max_body_NAN'), {
    code: 'E_CONFIG',
    message: 'test_edgerc: section [custom:max_body_NAN]: max-body must be a positive whole number of bytes',
  });
  t.throws(() => parseEdgerc(text, 'test_edgerc', 'blah'), {
    message: /^test_edgerc: no section \[blah\] in the \.edgerc; it has \[default\], \[section\], /,
  });
});

t.test('.edgerc: AkamaiOPEN-edgegrid-python sample_edgerc and edgerc_that_doesnt_parse', async (t) => {
  const text = read('python-sample_edgerc');
  const secret = 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx=';
  t.match(parseEdgerc(text, 'sample_edgerc', 'default'), {
    host: 'xxxx-xxxxxxxxxxxxxxxx-xxxxxxxxxxxxxxxx.luna.akamaiapis.net',
    clientSecret: secret,
    maxBody: 131072,
    headersToSign: [],
  });
  t.match(parseEdgerc(text, 'sample_edgerc', 'broken'), {
    host: 'xxxx-xxxxxxxxxxxxxxxx-xxxxxxxxxxxxxxxx.luna.akamaiapis.net',
    clientSecret: secret,
    maxBody: 131072,
  });
  t.same(parseEdgerc(text, 'sample_edgerc', 'headers').headersToSign, ['X-MyThing1', 'X-MyThing2']);
  t.equal(parseEdgerc(text, 'sample_edgerc', 'dashes').clientSecret, secret, 'client-secret as well as client_secret');
  t.throws(() => parseEdgerc(read('python-edgerc_that_doesnt_parse'), 'broken_edgerc', 'default'), {
    message: 'broken_edgerc: section [default] lacks host, client_secret',
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
