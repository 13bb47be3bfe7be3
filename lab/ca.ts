// The lab's certificate authority: node-forge lays out the certificates (CA,
// leaf, and deliberately faulty ones); node:crypto makes the RSA keys and the
// signatures, because forge's pure-JS RSA is ~100 ms per key and per signature,
// on the event loop, and a lab start makes a dozen of each.
import { createPrivateKey, generateKeyPair, randomBytes, sign, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import forge from 'node-forge';

export interface KeyAndCert {
  keyPem: string;
  certPem: string;
}

/** An RSA key pair, in the forms node:crypto (signing) and forge (layout) want. */
export interface LabKey {
  keyPem: string;
  privateKey: KeyObject;
  forgePublicKey: forge.pki.PublicKey;
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
const generateRsa = promisify(generateKeyPair);

/** A fresh 2048-bit RSA key, made on libuv's thread pool rather than the event loop. */
export async function newLabKey(): Promise<LabKey> {
  const { privateKey, publicKey } = await generateRsa('rsa', { modulusLength: 2048 });
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  return {
    keyPem: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
    privateKey,
    forgePublicKey: forge.pki.publicKeyFromPem(publicPem),
  };
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

// forge exports this but its typings do not declare it
const pkiInternals = forge.pki as unknown as { getTBSCertificate(cert: forge.pki.Certificate): forge.asn1.Asn1 };

/** A certificate for `key`, signed by the issuer (or by `key` itself) with SHA-256 RSA. */
function certify(spec: CertificateSpec, key: LabKey): KeyAndCert {
  const cert = forge.pki.createCertificate();
  cert.publicKey = key.forgePublicKey;
  cert.serialNumber = serial();
  cert.validity.notBefore = spec.notBefore;
  cert.validity.notAfter = spec.notAfter;
  cert.setSubject(spec.subject);
  cert.setIssuer(spec.issuer ? forge.pki.certificateFromPem(spec.issuer.certPem).subject.attributes : spec.subject);
  cert.setExtensions(spec.extensions);
  // what forge's cert.sign() does, with node:crypto doing the RSA
  cert.signatureOid = cert.siginfo.algorithmOid = forge.pki.oids['sha256WithRSAEncryption']!;
  cert.tbsCertificate = pkiInternals.getTBSCertificate(cert);
  const tbs = Buffer.from(forge.asn1.toDer(cert.tbsCertificate).getBytes(), 'binary');
  const signingKey = spec.issuer ? createPrivateKey(spec.issuer.keyPem) : key.privateKey;
  cert.signature = sign('sha256', tbs, signingKey).toString('binary');
  return { keyPem: key.keyPem, certPem: forge.pki.certificateToPem(cert) };
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

export function createCa(commonName: string, key: LabKey): KeyAndCert {
  return certify(
    {
      subject: labName(commonName),
      notBefore: daysFromNow(-1),
      notAfter: daysFromNow(3650),
      extensions: [...CA_EXTENSIONS, { name: 'subjectKeyIdentifier' }],
    },
    key,
  );
}

/** An intermediate CA signed by `root`, for chains (and incomplete chains). */
export function createIntermediate(root: KeyAndCert, commonName: string, key: LabKey): KeyAndCert {
  return certify(
    {
      subject: labName(commonName),
      issuer: root,
      notBefore: daysFromNow(-1),
      notAfter: daysFromNow(1825),
      extensions: CA_EXTENSIONS,
    },
    key,
  );
}

/** A leaf certificate for `key` signed by `issuer`, or self-signed when issuer is 'self'. */
export function issueLeaf(issuer: KeyAndCert | 'self', opts: LeafOptions, key: LabKey): KeyAndCert {
  const extensions: object[] = [
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
  ];
  if (!opts.noSan) {
    extensions.push({
      name: 'subjectAltName',
      altNames: [
        ...opts.hostnames.map((value) => ({ type: 2, value })),
        ...(opts.ips ?? []).map((ip) => ({ type: 7, ip })),
      ],
    });
  }
  return certify(
    {
      subject: [{ name: 'commonName', value: opts.commonName ?? opts.hostnames[0] ?? 'edgecheck' }],
      ...(issuer === 'self' ? {} : { issuer }),
      notBefore: opts.notBefore ?? daysFromNow(-1),
      notAfter: opts.notAfter ?? daysFromNow(90),
      extensions,
    },
    key,
  );
}
