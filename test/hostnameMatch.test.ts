import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import t from 'tap';
import {
  matchHostname,
  namesFromCertificate,
  type CertificateNames,
  type HostnameMatch,
} from '../harness/tls/hostnameMatch.js';

const san = (dns: string[], ip: string[] = []): CertificateNames => ({ dns, ip });
const cnOnly = (commonName: string): CertificateNames => ({ dns: [], ip: [], commonName });

const cases: Array<[string, string, CertificateNames, Partial<HostnameMatch>]> = [
  [
    'exact name',
    'lab.edgecheck.test',
    san(['lab.edgecheck.test']),
    { match: true, by: 'san-dns', matchedName: 'lab.edgecheck.test' },
  ],
  [
    'second SAN',
    'b.example.com',
    san(['a.example.com', 'b.example.com']),
    { match: true, matchedName: 'b.example.com' },
  ],
  ['different name', 'lab.edgecheck.test', san(['other.edgecheck.test']), { match: false, by: 'none' }],
  ['hostname case', 'LAB.EdgeCheck.Test', san(['lab.edgecheck.test']), { match: true, by: 'san-dns' }],
  ['SAN case', 'lab.edgecheck.test', san(['Lab.EDGECHECK.test']), { match: true, by: 'san-dns' }],
  ['trailing dot on hostname', 'lab.edgecheck.test.', san(['lab.edgecheck.test']), { match: true }],
  ['trailing dot on SAN', 'lab.edgecheck.test', san(['lab.edgecheck.test.']), { match: true }],
  [
    'wildcard covers one label',
    'img.example.com',
    san(['*.example.com']),
    { match: true, by: 'san-dns', matchedName: '*.example.com' },
  ],
  ['wildcard is case-insensitive', 'IMG.Example.COM', san(['*.EXAMPLE.com']), { match: true }],
  ['wildcard never covers two labels', 'a.b.example.com', san(['*.example.com']), { match: false, by: 'none' }],
  ['wildcard never covers the apex', 'example.com', san(['*.example.com']), { match: false }],
  ['partial wildcard is not honoured', 'foo.example.com', san(['f*.example.com']), { match: false }],
  ['wildcard not left-most', 'a.b.example.com', san(['a.*.example.com']), { match: false }],
  ['wildcard on a public suffix', 'example.com', san(['*.com']), { match: false }],
  ['bare wildcard', 'localhost', san(['*']), { match: false }],
  ['IPv4 SAN', '192.0.2.7', san([], ['192.0.2.7']), { match: true, by: 'san-ip', matchedName: '192.0.2.7' }],
  ['other IPv4 SAN', '192.0.2.8', san([], ['192.0.2.7']), { match: false, by: 'none' }],
  [
    'IPv6 SAN written out',
    '::1',
    san([], ['0:0:0:0:0:0:0:1']),
    { match: true, by: 'san-ip', matchedName: '0:0:0:0:0:0:0:1' },
  ],
  [
    'IPv6 hostname written out, in brackets',
    '[2001:DB8:0:0:0:0:0:1]',
    san([], ['2001:db8::1']),
    { match: true, by: 'san-ip' },
  ],
  [
    'an IPv6 address with a zone: the zone names an interface, not the address',
    'fe80::1%eth0',
    san([], ['FE80:0:0::1']),
    { match: true, by: 'san-ip' },
  ],
  ['IP hostname vs DNS SAN', '192.0.2.7', san(['192.0.2.7']), { match: false, by: 'none' }],
  ['IP hostname vs CN', '192.0.2.7', cnOnly('192.0.2.7'), { match: false, by: 'none', warning: undefined }],
  [
    'DNS hostname vs IP SAN only',
    'lab.edgecheck.test',
    { dns: [], ip: ['192.0.2.7'], commonName: 'lab.edgecheck.test' },
    { match: false, by: 'none', warning: undefined },
  ],
  [
    'CN fallback without SANs',
    'lab.edgecheck.test',
    cnOnly('lab.edgecheck.test'),
    { match: true, by: 'cn', matchedName: 'lab.edgecheck.test' },
  ],
  [
    'CN ignored when SANs exist',
    'lab.edgecheck.test',
    { dns: ['other.edgecheck.test'], ip: [], commonName: 'lab.edgecheck.test' },
    { match: false, by: 'none', warning: undefined },
  ],
  [
    'IDN hostname vs A-label SAN',
    'bücher.example',
    san(['xn--bcher-kva.example']),
    { match: true, by: 'san-dns', matchedName: 'xn--bcher-kva.example' },
  ],
  ['A-label hostname vs U-label SAN', 'xn--bcher-kva.example', san(['Bücher.example']), { match: true }],
  ['IDN under a wildcard', 'shop.bücher.example', san(['*.xn--bcher-kva.example']), { match: true }],
  [
    'invalid Unicode hostname',
    'no such.bücher.example',
    san(['*.xn--bcher-kva.example']),
    { match: false, by: 'none' },
  ],
  ['invalid Unicode SAN', 'bücher.example', san(['bü cher.example']), { match: false, by: 'none' }],
  ['empty names', 'lab.edgecheck.test', san([]), { match: false, by: 'none', warning: undefined }],
  ['empty hostname', '', san(['lab.edgecheck.test']), { match: false, by: 'none' }],
];

for (const [title, hostname, names, expected] of cases) {
  t.test(title, async (t) => {
    const result = matchHostname(hostname, names);
    t.match(result, expected);
    if ('warning' in expected) t.equal(result.warning, undefined, 'no warning');
  });
}

t.test('the CN fallback carries a warning, matched or not', async (t) => {
  t.match(matchHostname('lab.edgecheck.test', cnOnly('lab.edgecheck.test')).warning, /no subjectAltName/);
  const miss = matchHostname('lab.edgecheck.test', cnOnly('other.edgecheck.test'));
  t.equal(miss.match, false);
  t.match(miss.warning, /no subjectAltName/);
});

t.test('namesFromCertificate reads the SANs and CN of a real certificate', async (t) => {
  const cert = selfSignedCertificate('lab.edgecheck.test', [
    { type: 2, value: 'lab.edgecheck.test' },
    { type: 2, value: '*.lab.edgecheck.test' },
    { type: 7, ip: '127.0.0.1' },
    { type: 7, ip: '::1' },
  ]);
  const names = namesFromCertificate(cert);
  t.same(names.dns, ['lab.edgecheck.test', '*.lab.edgecheck.test']);
  t.equal(names.ip.length, 2);
  t.equal(names.ip[0], '127.0.0.1');
  t.equal(names.commonName, 'lab.edgecheck.test');
  t.match(matchHostname('::1', names), { match: true, by: 'san-ip' });
  t.match(matchHostname('cdn.lab.edgecheck.test', names), { match: true, matchedName: '*.lab.edgecheck.test' });
});

t.test('namesFromCertificate on a certificate without SANs', async (t) => {
  const names = namesFromCertificate(selfSignedCertificate('legacy.edgecheck.test', []));
  t.same(names, { dns: [], ip: [], commonName: 'legacy.edgecheck.test' });
});

t.test('namesFromCertificate undoes the escaping Node applies', async (t) => {
  const names = namesFromCertificate(
    selfSignedCertificate('odd, "quoted" name', [
      { type: 2, value: 'a,b.example' },
      { type: 2, value: 'c.example' },
    ]),
  );
  t.same(names, { dns: ['a,b.example', 'c.example'], ip: [], commonName: 'odd, "quoted" name' });
});

t.test('namesFromCertificate on a certificate without CN', async (t) => {
  const names = namesFromCertificate(selfSignedCertificate(undefined, [{ type: 2, value: 'lab.edgecheck.test' }]));
  t.same(names, { dns: ['lab.edgecheck.test'], ip: [] });
});

// node-forge signs; node:crypto makes the RSA key because forge's pure-JS keygen is slow.
function selfSignedCertificate(commonName: string | undefined, altNames: object[]): X509Certificate {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date(Date.now() - 86_400_000);
  cert.validity.notAfter = new Date(Date.now() + 30 * 86_400_000);
  const subject = [
    { name: 'organizationName', value: 'edgecheck' },
    ...(commonName ? [{ name: 'commonName', value: commonName }] : []),
  ];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  if (altNames.length > 0) cert.setExtensions([{ name: 'subjectAltName', altNames }]);
  const key = forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString());
  cert.sign(key, forge.md.sha256.create());
  return new X509Certificate(forge.pki.certificateToPem(cert));
}
