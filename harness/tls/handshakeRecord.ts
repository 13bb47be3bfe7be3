// A handshake result as the run record keeps it (snake_case, plain JSON), so
// every reporter shows the same evidence: subject, SANs, issuer, notAfter,
// SHA-256 fingerprint, protocol, ALPN.
import type { CertificateRecord, HandshakeRecord } from '../record.js';
import type { CertificateEvidence } from './certificateEvidence.js';
import type { HandshakeResult } from './handshake.js';

export function handshakeRecord(result: HandshakeResult): HandshakeRecord {
  if (!result.ok) return { ok: false, error: result.error };
  const common: HandshakeRecord = {
    ok: true,
    protocol: result.protocol,
    alpn: result.alpn,
    cipher: result.cipher,
    trusted: result.authorized,
    ...(result.authorizationError === undefined ? {} : { trust_error: result.authorizationError }),
    resumed: result.resumed,
  };
  if (result.resumed) return { ...common, resumption: result.resumption };
  const { match, by, matchedName, warning } = result.hostname;
  return {
    ...common,
    certificate: certificateRecord(result.certificate),
    hostname_match: {
      match,
      by,
      ...(matchedName === undefined ? {} : { matched_name: matchedName }),
      ...(warning === undefined ? {} : { warning }),
    },
  };
}

export function certificateRecord(c: CertificateEvidence): CertificateRecord {
  return {
    subject: c.subject,
    ...(c.commonName === undefined ? {} : { common_name: c.commonName }),
    sans: c.sans,
    issuer: c.issuer,
    not_before: c.notBefore,
    not_after: c.notAfter,
    days_left: c.daysLeft,
    fingerprint256: c.fingerprint256,
    self_signed: c.selfSigned,
  };
}
