import { constants, generateKeyPairSync } from 'node:crypto';
import { once } from 'node:events';
import * as net from 'node:net';
import * as tls from 'node:tls';
import forge from 'node-forge';
import t, { type Test } from 'tap';
import {
  handshake,
  type FreshHandshake,
  type HandshakeOptions,
  type HandshakeResult,
  type HandshakeSuccess,
} from '../harness/tls/handshake.js';

const DAY_MS = 86_400_000;
const LAB = 'lab.edgecheck.test';

type Issued = { certPem: string; keyPem: string; cert: forge.pki.Certificate; key: forge.pki.rsa.PrivateKey };

// node:crypto makes the RSA keys because forge's pure-JS keygen is slow; forge builds and signs.
function issue(opts: {
  cn: string;
  dns?: string[];
  issuer?: Issued;
  ca?: boolean;
  from?: number;
  to?: number;
  noCn?: boolean;
}): Issued {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const key = forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString());
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  // Unique serials keep OpenSSL from confusing certificates; a leading 8-f would make it negative.
  cert.serialNumber = forge.util.bytesToHex(forge.random.getBytesSync(8)).replace(/^[89a-f]/, '1');
  cert.validity.notBefore = new Date(Date.now() + (opts.from ?? -DAY_MS));
  cert.validity.notAfter = new Date(Date.now() + (opts.to ?? 90 * DAY_MS));
  cert.setSubject([
    { name: 'organizationName', value: 'edgecheck' },
    ...(opts.noCn ? [] : [{ name: 'commonName', value: opts.cn }]),
  ]);
  cert.setIssuer((opts.issuer?.cert ?? cert).subject.attributes);
  cert.setExtensions(
    opts.ca
      ? [
          { name: 'basicConstraints', cA: true, critical: true },
          { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
        ]
      : [
          { name: 'basicConstraints', cA: false },
          { name: 'extKeyUsage', serverAuth: true },
          { name: 'subjectAltName', altNames: (opts.dns ?? [opts.cn]).map((value) => ({ type: 2, value })) },
        ],
  );
  cert.sign(opts.issuer?.key ?? key, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: forge.pki.privateKeyToPem(key), cert, key };
}

const ca = issue({ cn: 'edgecheck test CA', ca: true });
const otherCa = issue({ cn: 'edgecheck stranger CA', ca: true });
const contexts: Record<string, tls.SecureContextOptions> = {
  [LAB]: served(issue({ cn: LAB, issuer: ca }), ca),
  'expired.edgecheck.test': served(
    issue({ cn: 'expired.edgecheck.test', issuer: ca, from: -30 * DAY_MS, to: -2.5 * DAY_MS }),
    ca,
  ),
  'selfsigned.edgecheck.test': served(issue({ cn: 'selfsigned.edgecheck.test' })),
  'stranger.edgecheck.test': served(issue({ cn: 'stranger.edgecheck.test', issuer: otherCa })),
  'sans-only.edgecheck.test': served(issue({ cn: 'sans-only.edgecheck.test', noCn: true, issuer: ca }), ca),
  'wrong.edgecheck.test': served(issue({ cn: 'elsewhere.example.net', issuer: ca }), ca),
};
const fallback = served(issue({ cn: 'default.edgecheck.test', issuer: ca }), ca);

// The server sends the leaf plus whatever follows it, the way a misconfigured edge might send its root.
function served(leaf: Issued, ...rest: Issued[]): tls.SecureContextOptions {
  return { key: leaf.keyPem, cert: [leaf, ...rest].map((c) => c.certPem).join('') };
}

async function listen(t: Test, server: net.Server): Promise<number> {
  const connections = new Set<net.Socket>();
  server.on('connection', (socket: net.Socket) => connections.add(socket));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  // close() waits for open connections, and some tests leave them hanging on purpose.
  t.teardown(() => {
    connections.forEach((socket) => socket.destroy());
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return (server.address() as net.AddressInfo).port;
}

async function labServer(t: Test, options: tls.TlsOptions = {}): Promise<number> {
  const secureContexts = new Map(Object.entries(contexts).map(([name, o]) => [name, tls.createSecureContext(o)]));
  const server = tls.createServer({
    ...fallback,
    SNICallback: (name, done) => done(null, secureContexts.get(name)),
    ...options,
  });
  // Left open for the client to close: a server that ends at once loses its TLS 1.3 tickets.
  server.on('secureConnection', (socket) => socket.on('error', () => undefined));
  // Clients that give up mid-handshake are part of the tests; their resets are not server errors.
  server.on('tlsClientError', () => undefined);
  return listen(t, server);
}

function succeeded(t: Test, result: HandshakeResult): HandshakeSuccess {
  if (!result.ok) throw new Error(`handshake failed: ${result.error.code} ${result.error.message}`);
  t.ok(result.ok, 'handshake completed');
  return result;
}

function fresh(t: Test, result: HandshakeResult): FreshHandshake {
  const success = succeeded(t, result);
  if (success.resumed) throw new Error('unexpectedly resumed');
  return success;
}

const base = (port: number, host: string, extra: Partial<HandshakeOptions> = {}): HandshakeOptions => ({
  host,
  port,
  address: '127.0.0.1',
  ca: ca.certPem,
  timeoutMs: 5000,
  ...extra,
});

t.test('a trusted, matching certificate', async (t) => {
  const port = await labServer(t, { ALPNProtocols: ['h2', 'http/1.1'] });
  const result = fresh(t, await handshake(base(port, LAB, { alpn: ['h2', 'http/1.1'] })));
  t.equal(result.protocol, 'TLSv1.3');
  t.equal(result.alpn, 'h2');
  t.match(result.cipher, /^TLS_/);
  t.equal(result.authorized, true);
  t.equal(result.authorizationError, undefined);
  t.match(result.hostname, { match: true, by: 'san-dns', matchedName: LAB });
  t.match(result.certificate, {
    commonName: LAB,
    sans: [`DNS:${LAB}`],
    selfSigned: false,
    issuer: 'O=edgecheck, CN=edgecheck test CA',
  });
  t.ok(
    result.certificate.daysLeft === 89 || result.certificate.daysLeft === 90,
    `daysLeft ${result.certificate.daysLeft}`,
  );
  t.match(result.certificate.fingerprint256, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  t.equal(result.chain.length, 2, 'leaf and CA');
  t.equal(result.chain[0]?.fingerprint256, result.certificate.fingerprint256, 'leaf first');
  t.match(result.chain[1], { commonName: 'edgecheck test CA', selfSigned: true });
  t.equal(result.resumed, false);
});

t.test('no ALPN offered by the server', async (t) => {
  const port = await labServer(t);
  t.equal(fresh(t, await handshake(base(port, LAB, { alpn: ['h2', 'http/1.1'] }))).alpn, false);
});

t.test('a CA missing from the trust store', async (t) => {
  const port = await labServer(t);
  const sentRoot = fresh(t, await handshake(base(port, LAB, { ca: undefined })));
  t.equal(sentRoot.authorized, false);
  t.equal(sentRoot.authorizationError, 'SELF_SIGNED_CERT_IN_CHAIN');
  t.match(sentRoot.hostname, { match: true }, 'the name still matches');
  const leafOnly = fresh(t, await handshake(base(port, 'stranger.edgecheck.test')));
  t.equal(leafOnly.authorizationError, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  t.equal(leafOnly.chain.length, 1);
});

t.test('a self-signed certificate', async (t) => {
  const port = await labServer(t);
  const result = fresh(t, await handshake(base(port, 'selfsigned.edgecheck.test')));
  t.equal(result.authorizationError, 'DEPTH_ZERO_SELF_SIGNED_CERT');
  t.equal(result.certificate.selfSigned, true);
});

t.test('an expired certificate', async (t) => {
  const port = await labServer(t);
  const result = fresh(t, await handshake(base(port, 'expired.edgecheck.test')));
  t.equal(result.authorized, false);
  t.equal(result.authorizationError, 'CERT_HAS_EXPIRED');
  t.equal(result.certificate.daysLeft, -3);
  t.ok(Date.parse(result.certificate.notAfter) < Date.now());
});

t.test('a certificate for another name', async (t) => {
  const port = await labServer(t);
  const result = fresh(t, await handshake(base(port, 'wrong.edgecheck.test')));
  t.equal(result.authorized, true, 'the chain is trusted; the name is judged apart');
  t.match(result.hostname, { match: false, by: 'none' });
  t.equal(result.certificate.commonName, 'elsewhere.example.net');
});

t.test('a certificate with SANs and no CN', async (t) => {
  const port = await labServer(t);
  const result = fresh(t, await handshake(base(port, 'sans-only.edgecheck.test')));
  t.equal(result.certificate.commonName, undefined);
  t.equal(result.certificate.subject, 'O=edgecheck');
  t.match(result.hostname, { match: true, by: 'san-dns' });
});

t.test('no SNI gets the default certificate', async (t) => {
  const port = await labServer(t);
  const result = fresh(t, await handshake(base(port, LAB, { sni: false })));
  t.equal(result.certificate.commonName, 'default.edgecheck.test');
  t.equal(result.hostname.match, false);
  const overridden = fresh(t, await handshake(base(port, LAB, { sni: 'expired.edgecheck.test' })));
  t.equal(overridden.certificate.commonName, 'expired.edgecheck.test', 'an explicit SNI wins over host');
});

t.test('an IP host sends no SNI', async (t) => {
  const port = await labServer(t);
  const result = fresh(t, await handshake({ host: '127.0.0.1', port, ca: ca.certPem, timeoutMs: 5000 }));
  t.equal(result.certificate.commonName, 'default.edgecheck.test');
  t.match(result.hostname, { match: false, by: 'none' });
});

for (const version of ['TLSv1.2', 'TLSv1.3'] as const) {
  t.test(`session resumption over ${version}`, async (t) => {
    const port = await labServer(t, { maxVersion: version });
    const first = fresh(t, await handshake(base(port, LAB)));
    t.equal(first.protocol, version);
    t.equal(first.resumed, false);
    t.ok(first.session, 'a session to reuse');
    const second = succeeded(t, await handshake(base(port, LAB, { session: first.session })));
    t.match(second, { resumed: true, resumption: 'ticket', protocol: version });
    t.equal(second.authorized, true, 'the verify result is kept with the session');
  });
}

t.test('session-ID resumption on a server without tickets', async (t) => {
  const cache = new Map<string, Buffer>();
  const server = tls.createServer({
    ...contexts[LAB],
    maxVersion: 'TLSv1.2',
    secureOptions: constants.SSL_OP_NO_TICKET,
  });
  server.on('newSession', (id: Buffer, data: Buffer, done: () => void) => {
    cache.set(id.toString('hex'), data);
    done();
  });
  server.on('resumeSession', (id: Buffer, done: (err: Error | null, data: Buffer | null) => void) =>
    done(null, cache.get(id.toString('hex')) ?? null),
  );
  server.on('secureConnection', (socket) => socket.end());
  const port = await listen(t, server);
  const first = fresh(t, await handshake(base(port, LAB)));
  const second = succeeded(t, await handshake(base(port, LAB, { session: first.session })));
  t.match(second, { resumed: true, resumption: 'session-id' });
});

t.test('a refused protocol version', async (t) => {
  const port = await labServer(t, { minVersion: 'TLSv1.2' });
  const result = await handshake(base(port, LAB, { maxVersion: 'TLSv1' }));
  t.equal(result.ok, false);
  if (!result.ok) t.match(result.error.code, /^ERR_SSL_(TLSV1_ALERT_PROTOCOL_VERSION|UNSUPPORTED_PROTOCOL)$/);
});

t.test('an old protocol version a server still accepts', async (t) => {
  const port = await labServer(t, { minVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' });
  t.equal(fresh(t, await handshake(base(port, LAB, { maxVersion: 'TLSv1.1' }))).protocol, 'TLSv1.1');
  t.equal(fresh(t, await handshake(base(port, LAB, { maxVersion: 'TLSv1' }))).protocol, 'TLSv1');
});

t.test('a closed port fails fast', async (t) => {
  const probe = net.createServer();
  const port = await listen(t, probe);
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const started = Date.now();
  const result = await handshake(base(port, LAB, { timeoutMs: 3000 }));
  t.match(result, { ok: false, error: { code: 'ECONNREFUSED' } });
  t.ok(Date.now() - started < 1000, 'well before the timeout');
});

t.test('a server that never answers TLS times out', async (t) => {
  const silent = net.createServer((socket) => socket.on('error', () => undefined));
  const port = await listen(t, silent);
  const started = Date.now();
  const result = await handshake({ host: '127.0.0.1', port, localAddress: '127.0.0.1', timeoutMs: 300 });
  const elapsed = Date.now() - started;
  t.match(result, { ok: false, error: { code: 'ETIMEDOUT' } });
  t.ok(elapsed >= 290 && elapsed < 1000, `gave up after ${elapsed} ms`);
});
