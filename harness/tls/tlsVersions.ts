// The TLS protocol versions by the names targets.yaml, suites and Node's tls
// module all use: one list, so a version added here is known everywhere.
export const TLS_VERSIONS = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;
export type TlsVersionName = (typeof TLS_VERSIONS)[number];
