// What the reference edge presents to viewers over TLS — a certificate per
// hostname by SNI, a default one without SNI, protocol versions, ALPN, session
// tickets, HSTS — and what it promises about them. Each viewer-side fault
// switch bends exactly one of these.
import { constants } from 'node:crypto';
import { createSecureContext, type SecureContextOptions, type TlsOptions } from 'node:tls';
import { createIntermediate, issueLeaf, type KeyAndCert } from '../ca.js';
import type { LabTlsPromises } from '../../harness/target/lab.js';
import type { LabKeys, ServedCertificate } from '../labCertificates.js';
import type { ReferenceEdgeFault } from './faults.js';

/** The promises the lab surfaces to the harness; the settings below keep them. */
export const REFERENCE_EDGE_TLS_PROMISES: LabTlsPromises = {
  protocols: { accept: ['TLSv1.2', 'TLSv1.3'], refuse: ['TLSv1', 'TLSv1.1'] },
  alpn: ['h2', 'http/1.1'],
  hsts: { min_max_age: 15_552_000 },
};

const HSTS_MAX_AGE = 31_536_000;
const SHORT_HSTS_MAX_AGE = 300;
const EXPIRING_IN_DAYS = 10;
const DAY_MS = 86_400_000;

export interface ViewerTls {
  /** the TLS server options every edge address uses */
  serverOptions: TlsOptions;
  /** h2 offered over ALPN besides http/1.1 */
  h2: boolean;
  /** the Strict-Transport-Security value of every HTTPS answer */
  hsts: string;
}

/** What issues the certificates a fault switch needs: the lab CA and the lab's keys. */
export interface LabAuthority {
  ca: KeyAndCert;
  keys: LabKeys;
}

type CertificateFault = (
  host: string,
  authority: LabAuthority,
  firstHostCertificate: ServedCertificate,
) => ServedCertificate;

/** The certificate a fault switch puts on the last hostname instead of its own. */
const CERTIFICATE_FAULTS: Partial<Record<ReferenceEdgeFault, CertificateFault>> = {
  'wrong-sni-certificate': (_host, _ca, firstHostCertificate) => firstHostCertificate,
  'cn-only-certificate': (host, { ca, keys }) => ({
    ...issueLeaf(ca, { hostnames: [host], noSan: true }, keys.leaf),
    chainPem: '',
  }),
  'expiring-certificate': (host, { ca, keys }) => ({
    ...issueLeaf(
      ca,
      { hostnames: [host], ips: ['127.0.0.1'], notAfter: new Date(Date.now() + EXPIRING_IN_DAYS * DAY_MS) },
      keys.leaf,
    ),
    chainPem: '',
  }),
  // the intermediate stays on the edge: the chain the viewer gets stops at the leaf
  'chain-missing-intermediate': (host, { ca, keys }) => ({
    ...issueLeaf(
      createIntermediate(ca, 'edgecheck lab intermediate (not sent)', keys.intermediate),
      { hostnames: [host], ips: ['127.0.0.1'] },
      keys.leaf,
    ),
    chainPem: '',
  }),
};

export function viewerTls(
  certificates: Record<string, ServedCertificate>,
  authority: LabAuthority,
  faults: ReadonlySet<ReferenceEdgeFault>,
): ViewerTls {
  const first = Object.values(certificates)[0];
  if (!first) throw new Error('reference edge needs at least one certificate');
  const served = faultyCertificates(certificates, first, authority, faults);
  const contexts = new Map(Object.entries(served).map(([host, cert]) => [host, createSecureContext(pem(cert))]));
  const fallback = faults.has('unrelated-default-certificate')
    ? { ...issueLeaf(authority.ca, { hostnames: ['unconfigured.edgecheck.test'] }, authority.keys.leaf), chainPem: '' }
    : first;
  return {
    serverOptions: {
      ...pem(fallback),
      SNICallback: (name, done) => done(null, contexts.get(name.toLowerCase())),
      // OpenSSL 3 refuses TLS 1.0/1.1 ciphers above security level 0
      ...(faults.has('allow-tls10')
        ? { minVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' }
        : { minVersion: 'TLSv1.2' }),
      ...(faults.has('no-tls13') ? { maxVersion: 'TLSv1.2' } : {}),
      // Node keeps no server-side session cache, so without tickets nothing resumes
      ...(faults.has('no-session-resumption') ? { secureOptions: constants.SSL_OP_NO_TICKET } : {}),
    },
    h2: !faults.has('no-h2'),
    hsts: `max-age=${faults.has('short-hsts') ? SHORT_HSTS_MAX_AGE : HSTS_MAX_AGE}`,
  };
}

function faultyCertificates(
  certificates: Record<string, ServedCertificate>,
  first: ServedCertificate,
  authority: LabAuthority,
  faults: ReadonlySet<ReferenceEdgeFault>,
): Record<string, ServedCertificate> {
  const victim = Object.keys(certificates).at(-1);
  if (victim === undefined) return certificates;
  const out = { ...certificates };
  for (const fault of faults) {
    const replace = CERTIFICATE_FAULTS[fault];
    if (replace) out[victim] = replace(victim, authority, first);
  }
  return out;
}

function pem(cert: ServedCertificate): SecureContextOptions {
  return { key: cert.keyPem, cert: cert.certPem + cert.chainPem };
}
