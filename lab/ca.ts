// The lab's certificate authority: node-forge builds the certificates (CA,
// leaf, and deliberately faulty ones); node:crypto makes the RSA keys because
// forge's pure-JS key generation is seconds per key.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

export interface KeyAndCert {
  keyPem: string;
  certPem: string;
}

export interface LeafOptions {
  hostnames: string[];
  ips?: string[];
  commonName?: string;
  notBefore?: Date;
  notAfter?: Date;
  /** omit the subjectAltName extension entirely (CN-only certificate) */
  noSan?: boolean;
}

const DAY_MS = 86_400_000;

function newKeyPair(): { privateKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey; keyPem: string } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const forgeKey = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  return { privateKey: forgeKey, publicKey: forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e), keyPem };
}

function serial(): string {
  // positive, non-zero leading nibble: some TLS stacks reject negative serials
  return '4' + randomBytes(15).toString('hex');
}

type Attributes = forge.pki.CertificateField[];

interface CertificateSpec {
  subject: Attributes;
  /** the issuer's key and certificate; undefined = self-signed */
  issuer?: KeyAndCert;
  notBefore: Date;
  notAfter: Date;
  extensions: object[];
}

/** A fresh key and a certificate for it, signed by the issuer (or itself). */
function certify(spec: CertificateSpec): KeyAndCert {
  const keys = newKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serial();
  cert.validity.notBefore = spec.notBefore;
  cert.validity.notAfter = spec.notAfter;
  cert.setSubject(spec.subject);
  cert.setIssuer(spec.issuer ? forge.pki.certificateFromPem(spec.issuer.certPem).subject.attributes : spec.subject);
  cert.setExtensions(spec.extensions);
  const signingKey = spec.issuer ? (forge.pki.privateKeyFromPem(spec.issuer.keyPem) as forge.pki.rsa.PrivateKey) : keys.privateKey;
  cert.sign(signingKey, forge.md.sha256.create());
  return { keyPem: keys.keyPem, certPem: forge.pki.certificateToPem(cert) };
}

const daysFromNow = (days: number) => new Date(Date.now() + days * DAY_MS);
const labName = (commonName: string): Attributes => [
  { name: 'commonName', value: commonName },
  { name: 'organizationName', value: 'edgecheck lab' },
];
const CA_EXTENSIONS = [
  { name: 'basicConstraints', cA: true, critical: true },
  { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
];

export function createCa(commonName: string): KeyAndCert {
  return certify({
    subject: labName(commonName),
    notBefore: daysFromNow(-1),
    notAfter: daysFromNow(3650),
    extensions: [...CA_EXTENSIONS, { name: 'subjectKeyIdentifier' }],
  });
}

/** An intermediate CA signed by `root`, for chains (and incomplete chains). */
export function createIntermediate(root: KeyAndCert, commonName: string): KeyAndCert {
  return certify({ subject: labName(commonName), issuer: root, notBefore: daysFromNow(-1), notAfter: daysFromNow(1825), extensions: CA_EXTENSIONS });
}

/** A leaf certificate signed by `issuer`, or self-signed when issuer is 'self'. */
export function issueLeaf(issuer: KeyAndCert | 'self', opts: LeafOptions): KeyAndCert {
  const extensions: object[] = [
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
  ];
  if (!opts.noSan) {
    extensions.push({
      name: 'subjectAltName',
      altNames: [...opts.hostnames.map((value) => ({ type: 2, value })), ...(opts.ips ?? []).map((ip) => ({ type: 7, ip }))],
    });
  }
  return certify({
    subject: [{ name: 'commonName', value: opts.commonName ?? opts.hostnames[0] ?? 'edgecheck' }],
    ...(issuer === 'self' ? {} : { issuer }),
    notBefore: opts.notBefore ?? daysFromNow(-1),
    notAfter: opts.notAfter ?? daysFromNow(90),
    extensions,
  });
}
