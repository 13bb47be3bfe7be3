// Fault switches that break the reference edge's TLS behaviour: what viewers
// get (certificates, versions, ALPN, resumption, HSTS) and how it treats its
// HTTPS origins (verification, SNI, error caching). Certificate faults hit
// the last of the lab's hostnames, so only a check that covers every hostname
// catches them.

export const TLS_FAULTS = {
  'wrong-sni-certificate': "presents the first hostname's certificate for the last hostname",
  'cn-only-certificate': 'presents the last hostname a certificate with no subjectAltName (its name only in the CN)',
  'chain-missing-intermediate':
    'presents the last hostname a certificate from an intermediate CA without sending the intermediate',
  'expiring-certificate': 'presents the last hostname a certificate that expires in 10 days',
  'unrelated-default-certificate': 'presents a certificate for no lab hostname to clients that send no SNI',
  'allow-tls10': 'accepts TLS 1.0 and TLS 1.1 handshakes',
  'no-tls13': 'refuses TLS 1.3 (TLS 1.2 at most)',
  'no-h2': 'offers only http/1.1 over ALPN',
  'no-session-resumption': 'issues no session tickets and keeps no session cache',
  'short-hsts': 'sends Strict-Transport-Security: max-age=300',
  'no-origin-verification': 'fetches from HTTPS origins without verifying their certificates',
  'origin-ignore-hostname': "verifies an HTTPS origin's chain but not that the certificate names the origin",
  'origin-accept-expired': 'accepts an expired origin certificate',
  'origin-wrong-ca-bundle': 'verifies HTTPS origins against the system CA store only, which lacks the lab CA',
  'no-origin-sni': 'sends no SNI to HTTPS origins',
} as const;
