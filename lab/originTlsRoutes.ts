// Routes whose origin presents a faulty certificate, one per fault, shared by
// every lab edge (reference, nginx, ATS, ...) so suites/origin-tls.yaml names
// the same routes everywhere.
import type { LabRoute } from '../harness/target/lab.js';
import { ORIGIN_CERT_FAULTS, type OriginCertFault } from './labCertificates.js';

export function originTlsRouteName(fault: OriginCertFault): string {
  return `origin-${fault}`;
}

export const ORIGIN_TLS_ROUTES: Record<string, LabRoute> = Object.fromEntries(
  ORIGIN_CERT_FAULTS.map((fault) => [
    originTlsRouteName(fault),
    { path: `/origin-tls/${fault}/`, origin_tls: fault, ttl: { min: 0, default: 0, max: 31_536_000 }, error_ttl: '2s' },
  ]),
);
