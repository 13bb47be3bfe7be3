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

export function createCa(commonName: string): KeyAndCert {
  const keys = newKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(Date.now() - DAY_MS);
  cert.validity.notAfter = new Date(Date.now() + 3650 * DAY_MS);
  const attrs = [{ name: 'commonName', value: commonName }, { name: 'organizationName', value: 'edgecheck lab' }];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return { keyPem: keys.keyPem, certPem: forge.pki.certificateToPem(cert) };
}

/** A leaf certificate signed by `issuer`, or self-signed when issuer is 'self'. */
export function issueLeaf(issuer: KeyAndCert | 'self', opts: LeafOptions): KeyAndCert {
  const keys = newKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serial();
  cert.validity.notBefore = opts.notBefore ?? new Date(Date.now() - DAY_MS);
  cert.validity.notAfter = opts.notAfter ?? new Date(Date.now() + 90 * DAY_MS);
  cert.setSubject([{ name: 'commonName', value: opts.commonName ?? opts.hostnames[0] ?? 'edgecheck' }]);
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
  cert.setExtensions(extensions);
  if (issuer === 'self') {
    cert.setIssuer(cert.subject.attributes);
    cert.sign(keys.privateKey, forge.md.sha256.create());
  } else {
    const caCert = forge.pki.certificateFromPem(issuer.certPem);
    cert.setIssuer(caCert.subject.attributes);
    cert.sign(forge.pki.privateKeyFromPem(issuer.keyPem) as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
  }
  return { keyPem: keys.keyPem, certPem: forge.pki.certificateToPem(cert) };
}

/** An intermediate CA signed by `root`, for chains (and incomplete chains). */
export function createIntermediate(root: KeyAndCert, commonName: string): KeyAndCert {
  const keys = newKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(Date.now() - DAY_MS);
  cert.validity.notAfter = new Date(Date.now() + 1825 * DAY_MS);
  cert.setSubject([{ name: 'commonName', value: commonName }, { name: 'organizationName', value: 'edgecheck lab' }]);
  cert.setIssuer(forge.pki.certificateFromPem(root.certPem).subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(root.keyPem) as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
  return { keyPem: keys.keyPem, certPem: forge.pki.certificateToPem(cert) };
}
