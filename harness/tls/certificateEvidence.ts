// Turns a certificate into the plain, serialisable evidence every TLS finding
// carries, so reports and run records never need the X509Certificate itself.
import type { X509Certificate } from 'node:crypto';
import { namesFromCertificate, parseSubjectAltName } from './hostnameMatch.js';

export type CertificateEvidence = {
  subject: string;
  commonName?: string;
  sans: string[];
  issuer: string;
  notBefore: string;
  notAfter: string;
  daysLeft: number;
  fingerprint256: string;
  selfSigned: boolean;
};

const DAY_MS = 86_400_000;

export function certificateEvidence(cert: X509Certificate, now = new Date()): CertificateEvidence {
  const notAfter = new Date(cert.validTo);
  const { commonName } = namesFromCertificate(cert);
  return {
    subject: distinguishedName(cert.subject),
    ...(commonName === undefined ? {} : { commonName }),
    sans: parseSubjectAltName(cert.subjectAltName).map(({ type, value }) => `${type}:${value}`),
    issuer: distinguishedName(cert.issuer),
    notBefore: isoOrAsGiven(new Date(cert.validFrom), cert.validFrom),
    notAfter: isoOrAsGiven(notAfter, cert.validTo),
    // an unreadable expiry date counts as expired: no certificate should be trusted on it
    daysLeft: Number.isNaN(notAfter.getTime()) ? -1 : Math.floor((notAfter.getTime() - now.getTime()) / DAY_MS),
    fingerprint256: cert.fingerprint256,
    // A matching issuer name alone is not enough: the certificate must also verify under its own key.
    selfSigned: cert.checkIssued(cert) && cert.verify(cert.publicKey),
  };
}

/** OpenSSL prints "Bad time value" for a date it cannot read: shown as given, never a throw. */
function isoOrAsGiven(date: Date, text: string): string {
  return Number.isNaN(date.getTime()) ? `unreadable (${text})` : date.toISOString();
}

// Node gives one attribute per line; a single line reads better in a report.
function distinguishedName(text: string): string {
  return text.split('\n').join(', ');
}
