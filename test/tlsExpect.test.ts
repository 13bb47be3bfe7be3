// The tls expectation, the HSTS parser and the promise words, as pure
// functions over made-up handshakes: each expectation holds and fails where it should.
import t from 'tap';
import { checkTls, type TlsObservation } from '../harness/expect/tls.js';
import type { CertificateEvidence } from '../harness/tls/certificateEvidence.js';
import type { FreshHandshake, HandshakeResult } from '../harness/tls/handshake.js';
import { parseHsts } from '../harness/tls/hsts.js';
import {
  missingTlsPromise,
  offeredVersions,
  resolveTlsExpectation,
  type ResolvedTlsExpectation,
} from '../harness/tls/tlsPromises.js';

const certificate: CertificateEvidence = {
  subject: 'CN=www.example.com',
  commonName: 'www.example.com',
  sans: ['DNS:www.example.com'],
  issuer: 'CN=Example CA',
  notBefore: '2026-01-01T00:00:00.000Z',
  notAfter: '2026-04-01T00:00:00.000Z',
  daysLeft: 30,
  fingerprint256: 'AB:CD',
  selfSigned: false,
};

function fresh(extra: Partial<FreshHandshake> = {}): FreshHandshake {
  return {
    ok: true,
    protocol: 'TLSv1.3',
    alpn: 'h2',
    cipher: 'TLS_AES_128_GCM_SHA256',
    authorized: true,
    resumed: false,
    certificate,
    chain: [certificate],
    hostname: { match: true, by: 'san-dns', matchedName: 'www.example.com' },
    session: Buffer.from('session'),
    ...extra,
  };
}

const refused: HandshakeResult = {
  ok: false,
  error: {
    code: 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION',
    message: 'x:error:0A00042E:SSL routines:ssl3_read_bytes:tlsv1 alert protocol version:y',
  },
};
const unreachable: HandshakeResult = {
  ok: false,
  error: { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 192.0.2.1:443' },
};
const resumedByTicket: HandshakeResult = {
  ok: true,
  protocol: 'TLSv1.3',
  alpn: false,
  cipher: 'c',
  authorized: true,
  resumed: true,
  resumption: 'ticket',
};

const obs = (handshake: HandshakeResult, extra: Partial<TlsObservation> = {}): TlsObservation => ({
  label: 'www.example.com via 192.0.2.1:443',
  host: 'www.example.com',
  handshake,
  ...extra,
});

type Case = [
  name: string,
  expected: ResolvedTlsExpectation,
  observation: TlsObservation,
  failing: string[],
  actual?: RegExp,
];

const cases: Case[] = [
  ['a matching certificate', { hostname_match: true }, obs(fresh()), []],
  [
    'a certificate for another name',
    { hostname_match: true },
    obs(fresh({ hostname: { match: false, by: 'none' } })),
    ['tls.hostname_match'],
    /names DNS:www\.example\.com; none covers/,
  ],
  [
    'a name expected not to match',
    { hostname_match: false },
    obs(fresh()),
    ['tls.hostname_match'],
    /covered by www\.example\.com/,
  ],
  [
    'CN fallback passes hostname_match: true',
    { hostname_match: true },
    obs(fresh({ hostname: { match: true, by: 'cn', warning: 'no SAN' } })),
    [],
  ],
  [
    'CN fallback fails hostname_match: san',
    { hostname_match: 'san' },
    obs(fresh({ hostname: { match: true, by: 'cn', warning: 'no SAN' } })),
    ['tls.hostname_match'],
    /only in the CN/,
  ],
  ['an IP SAN is a SAN', { hostname_match: 'san' }, obs(fresh({ hostname: { match: true, by: 'san-ip' } })), []],
  ['a trusted chain', { trusted: true }, obs(fresh()), []],
  [
    'an incomplete chain',
    { trusted: true },
    obs(fresh({ authorized: false, authorizationError: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' })),
    ['tls.trusted'],
    /chain is incomplete/,
  ],
  ['enough days left', { days_left: { gte: 21 } }, obs(fresh()), []],
  [
    'too few days left',
    { days_left: { gte: 60 } },
    obs(fresh()),
    ['tls.days_left'],
    /30 days left \(notAfter 2026-04-01/,
  ],
  [
    'expired',
    { days_left: { gte: 0 } },
    obs(fresh({ certificate: { ...certificate, daysLeft: -3 } })),
    ['tls.days_left'],
    /expired 3 days ago/,
  ],
  ['more days than allowed', { days_left: { lte: 10 } }, obs(fresh()), ['tls.days_left']],
  ['the protocol in a list', { protocol: ['TLSv1.2', 'TLSv1.3'] }, obs(fresh()), []],
  ['another protocol', { protocol: 'TLSv1.2' }, obs(fresh()), ['tls.protocol'], /TLSv1\.3/],
  ['ALPN selected', { alpn: 'h2' }, obs(fresh()), []],
  ['no ALPN selected', { alpn: 'h2' }, obs(fresh({ alpn: false })), ['tls.alpn'], /no ALPN protocol selected/],
  ['no ALPN expected', { alpn: false }, obs(fresh({ alpn: false })), []],
  ['refused as expected', { refused: true }, obs(refused), []],
  ['accepted as expected', { refused: false }, obs(fresh()), []],
  ['accepted when it should be refused', { refused: true }, obs(fresh()), ['tls.refused'], /accepted \(TLSv1\.3/],
  ['unreachable is not refused', { refused: true }, obs(unreachable), ['tls.refused'], /unreachable: ECONNREFUSED/],
  [
    'unreachable is not accepted either',
    { refused: false },
    obs(unreachable),
    ['tls.refused'],
    /unreachable: ECONNREFUSED/,
  ],
  [
    'refused when it should be accepted',
    { refused: false },
    obs(refused),
    ['tls.refused'],
    /refused: ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION \(tlsv1 alert protocol version\)/,
  ],
  ['no handshake for a certificate expectation', { trusted: true }, obs(refused), ['tls.handshake']],
  ['resumed by ticket', { resumed: 'ticket' }, obs(fresh(), { resumption: { result: resumedByTicket, tries: 1 } }), []],
  [
    'resumed, but not by session ID',
    { resumed: 'session-id' },
    obs(fresh(), { resumption: { result: resumedByTicket, tries: 1 } }),
    ['tls.resumed'],
    /resumed by ticket/,
  ],
  [
    'not resumed',
    { resumed: true },
    obs(fresh(), { resumption: { result: fresh(), tries: 3 } }),
    ['tls.resumed'],
    /did not resume the session \(3 tries\)/,
  ],
  [
    'no session to resume',
    { resumed: true },
    obs(fresh(), { resumption: { skipped: 'the server gave no session', tries: 1 } }),
    ['tls.resumed'],
    /gave no session$/,
  ],
  ['resumption not attempted', { resumed: true }, obs(fresh()), ['tls.resumed'], /resume: true/],
  ['SNI not required', { sni_required: false }, obs(fresh(), { withoutSni: fresh() }), []],
  [
    'SNI required: another certificate without it',
    { sni_required: false },
    obs(fresh(), { withoutSni: fresh({ hostname: { match: false, by: 'none' } }) }),
    ['tls.sni_required'],
    /presents CN=www\.example\.com/,
  ],
  ['SNI required: no handshake without it', { sni_required: true }, obs(fresh(), { withoutSni: refused }), []],
  [
    'HSTS long enough',
    { hsts: { max_age: { gte: 100 } } },
    obs(fresh(), { hsts: { status: 200, header: 'max-age=31536000; includeSubDomains' } }),
    [],
  ],
  [
    'HSTS too short',
    { hsts: { max_age: { gte: 100 } } },
    obs(fresh(), { hsts: { status: 200, header: 'max-age=5' } }),
    ['tls.hsts.max_age'],
    /max-age=5/,
  ],
  [
    'HSTS missing',
    { hsts: { max_age: { gte: 1 } } },
    obs(fresh(), { hsts: { status: 404, header: null } }),
    ['tls.hsts'],
    /no Strict-Transport-Security header \(status 404\)/,
  ],
  [
    'HSTS without includeSubDomains',
    { hsts: { include_subdomains: true } },
    obs(fresh(), { hsts: { status: 200, header: 'max-age=5' } }),
    ['tls.hsts.include_subdomains'],
  ],
  [
    'HSTS request failed',
    { hsts: { preload: true } },
    obs(fresh(), { hsts: { error: 'ECONNRESET' } }),
    ['tls.hsts'],
    /no HTTPS answer/,
  ],
  ['HSTS without a request', { hsts: { preload: true } }, obs(fresh()), ['tls.hsts'], /request: \//],
];

for (const [name, expected, observation, failing, actual] of cases) {
  t.test(name, async (t) => {
    const failures = checkTls(expected, observation);
    t.same(
      failures.map((f) => f.expectation),
      failing,
    );
    for (const f of failures)
      t.match(String(f.actual), /^www\.example\.com via 192\.0\.2\.1:443: /, 'names the endpoint');
    if (actual) t.match(String(failures[0]?.actual), actual);
  });
}

t.test('parseHsts reads a header the way a browser does', async (t) => {
  t.same(parseHsts('max-age=31536000; includeSubDomains; preload'), {
    maxAge: 31536000,
    includeSubDomains: true,
    preload: true,
  });
  t.same(parseHsts('Max-Age="600"'), { maxAge: 600, includeSubDomains: false, preload: false });
  t.match(parseHsts('max-age=1; max-age=2'), { invalid: /appears twice/ });
  t.match(parseHsts('includeSubDomains'), { invalid: /no valid max-age/ });
  t.match(parseHsts('max-age=-1'), { invalid: /no valid max-age/ });
  t.match(parseHsts(undefined), { invalid: /no Strict-Transport-Security/ });
  // two headers (say nginx's add_header always and the origin's) arrive joined: the first counts
  t.same(parseHsts('max-age=31536000, max-age=31536000'), {
    maxAge: 31536000,
    includeSubDomains: false,
    preload: false,
  });
  t.same(parseHsts('max-age=10000000; includeSubDomains, max-age=300'), {
    maxAge: 10000000,
    includeSubDomains: true,
    preload: false,
  });
});

t.test('promise words resolve against the target, and their absence is a reason to skip', async (t) => {
  const promises = {
    alpn: ['h2', 'http/1.1'],
    min_days_left: 30,
    hsts: { min_max_age: 100 },
    protocols: { accept: ['TLSv1.2' as const] },
  };
  t.same(
    resolveTlsExpectation(
      { alpn: 'declared', days_left: { gte: 'min_days_left' }, hsts: { max_age: { gte: 'min_max_age' } } },
      promises,
    ),
    {
      alpn: 'h2',
      days_left: { gte: 30 },
      hsts: { max_age: { gte: 100 } },
    },
  );
  t.same(
    resolveTlsExpectation({ days_left: { gte: 'min_days_left', lte: 400 } }, {}),
    { days_left: { gte: 21, lte: 400 } },
    'min_days_left defaults to 21',
  );
  t.equal(
    missingTlsPromise(
      { each_protocol: 'accepted', alpn: 'declared' },
      { hsts: { max_age: { gte: 'min_max_age' } } },
      promises,
      'x',
    ),
    undefined,
  );
  t.match(
    missingTlsPromise({ each_protocol: 'refused' }, undefined, promises, 'x'),
    /tls\.protocols\.refuse on target 'x'/,
  );
  t.match(missingTlsPromise({}, { alpn: 'declared' }, {}, 'x'), /tls\.alpn/);
  t.match(missingTlsPromise({}, { hsts: { max_age: { gte: 'min_max_age' } } }, {}, 'x'), /tls\.hsts/);
  t.same(offeredVersions({ each_protocol: 'accepted' }, promises), [{ min: 'TLSv1.2', max: 'TLSv1.2' }]);
  t.same(offeredVersions({ version: 'TLSv1.3' }, promises), [{ min: 'TLSv1.3', max: 'TLSv1.3' }]);
  t.same(offeredVersions({ min_version: 'TLSv1.2' }, promises), [{ min: 'TLSv1.2' }]);
});

t.test('a certificate with an unreadable expiry date is evidence, not a crash', async (t) => {
  const { X509Certificate } = await import('node:crypto');
  const { createCa, newLabKey } = await import('../lab/ca.js');
  const { certificateEvidence } = await import('../harness/tls/certificateEvidence.js');
  const der = Buffer.from(
    createCa('bad date', await newLabKey())
      .certPem.replace(/-----[^-]+-----/g, '')
      .replace(/\s/g, ''),
    'base64',
  );
  // the second UTCTime (tag 0x17, 13 bytes) is notAfter: make its month 13
  const at = [...der.keys()].filter((i) => der[i] === 0x17 && der[i + 1] === 13)[1]! + 2;
  der.write('13', at + 2, 'latin1');
  const evidence = certificateEvidence(new X509Certificate(der));
  t.match(evidence.notAfter, /^unreadable/);
  t.equal(evidence.daysLeft, -1, 'counted as expired');
});
