// Every certificate the lab needs, made once per lab start: the trusted lab CA,
// the edge's SNI certificates, and the probe origin's certificate per fault.
import { createCa, createIntermediate, issueLeaf, newLabKey, type KeyAndCert, type LabKey } from './ca.js';

export const LAB_HOSTNAMES = ['lab.edgecheck.test', 'static.edgecheck.test'] as const;
export const ORIGIN_HOSTNAME = 'origin.edgecheck.test';

export const ORIGIN_CERT_FAULTS = [
  'valid',
  'wrong-name',
  'expired',
  'self-signed',
  'untrusted-ca',
  'incomplete-chain',
] as const;
export type OriginCertFault = (typeof ORIGIN_CERT_FAULTS)[number];

export interface ServedCertificate extends KeyAndCert {
  /** what the server sends after the leaf (intermediates) */
  chainPem: string;
}

/** The lab's keys: one per CA, and one every leaf shares (a leaf's key is nothing any check looks at). */
export interface LabKeys {
  ca: LabKey;
  untrustedCa: LabKey;
  intermediate: LabKey;
  leaf: LabKey;
}

export interface LabCertificates {
  keys: LabKeys;
  ca: KeyAndCert;
  /** hostname -> certificate the edge presents for it */
  edge: Record<string, ServedCertificate>;
  origin: Record<OriginCertFault, ServedCertificate>;
}

const DAY_MS = 86_400_000;

let made: Promise<LabCertificates> | undefined;

/**
 * The lab's certificates, made on first use in this process and shared by
 * every lab started after it: key generation is the slowest part of a lab
 * start, and labs in one process have no reason to distrust each other.
 */
export function makeLabCertificates(): Promise<LabCertificates> {
  made ??= makeFreshCertificates();
  return made;
}

async function makeFreshCertificates(): Promise<LabCertificates> {
  // in parallel, on the thread pool
  const [caKey, untrustedKey, intermediateKey, leafKey] = await Promise.all([
    newLabKey(),
    newLabKey(),
    newLabKey(),
    newLabKey(),
  ]);
  const keys: LabKeys = { ca: caKey, untrustedCa: untrustedKey, intermediate: intermediateKey, leaf: leafKey };
  const ca = createCa('edgecheck lab CA', keys.ca);
  const untrusted = createCa('edgecheck untrusted CA', keys.untrustedCa);
  const intermediate = createIntermediate(ca, 'edgecheck lab intermediate', keys.intermediate);
  const leaf = (
    issuer: KeyAndCert | 'self',
    hostnames: string[],
    extra: { notBefore?: Date; notAfter?: Date } = {},
  ) => ({
    ...issueLeaf(issuer, { hostnames, ips: ['127.0.0.1'], ...extra }, keys.leaf),
    chainPem: '',
  });
  const edge: Record<string, ServedCertificate> = {};
  for (const host of LAB_HOSTNAMES) edge[host] = leaf(ca, [host]);
  const incomplete = leaf(intermediate, [ORIGIN_HOSTNAME]);
  return {
    keys,
    ca,
    edge,
    origin: {
      valid: leaf(ca, [ORIGIN_HOSTNAME]),
      'wrong-name': leaf(ca, ['wrong-name.example.net']),
      expired: leaf(ca, [ORIGIN_HOSTNAME], {
        notBefore: new Date(Date.now() - 60 * DAY_MS),
        notAfter: new Date(Date.now() - DAY_MS),
      }),
      'self-signed': leaf('self', [ORIGIN_HOSTNAME]),
      'untrusted-ca': leaf(untrusted, [ORIGIN_HOSTNAME]),
      // signed by an intermediate that the server does not send
      'incomplete-chain': incomplete,
    },
  };
}
