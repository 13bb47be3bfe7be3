// What a distribution promises over TLS to its viewers: the protocols its
// security policy (ViewerCertificate.MinimumProtocolVersion) accepts and
// refuses, and the ALPN protocols its HttpVersion offers.
import type { DistributionConfig } from '@aws-sdk/client-cloudfront';
import type { TlsVersionName } from '../../harness/tls/tlsVersions.js';
import type { Sourced } from './sourced.js';

/**
 * The lowest protocol each security policy accepts, from CloudFront's table
 * "Supported protocols and ciphers between viewers and CloudFront": every
 * policy accepts TLS 1.3 and everything from its minimum up (SSLv3, which
 * Node cannot speak, counts as TLSv1 here).
 */
const MINIMUM: Record<string, TlsVersionName> = {
  SSLv3: 'TLSv1',
  TLSv1: 'TLSv1',
  TLSv1_2016: 'TLSv1',
  'TLSv1.1_2016': 'TLSv1.1',
  'TLSv1.2_2018': 'TLSv1.2',
  'TLSv1.2_2019': 'TLSv1.2',
  'TLSv1.2_2021': 'TLSv1.2',
  'TLSv1.2_2025': 'TLSv1.2',
  'TLSv1.3_2025': 'TLSv1.3',
};
const ORDER: TlsVersionName[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

export interface TlsProtocols {
  accept: TlsVersionName[];
  refuse: TlsVersionName[];
}

/** undefined for a policy not in the table (a newer one): no promise rather than a wrong one. */
export function viewerProtocols(config: DistributionConfig): Sourced<TlsProtocols> | undefined {
  const cert = config.ViewerCertificate;
  // "If you specify true for CloudFrontDefaultCertificate, CloudFront automatically sets the security policy to
  // TLSv1 regardless of the value that you specify for MinimumProtocolVersion" (the API's ViewerCertificate)
  const policy = cert?.CloudFrontDefaultCertificate ? 'TLSv1' : (cert?.MinimumProtocolVersion ?? 'TLSv1');
  const minimum = MINIMUM[policy];
  if (minimum === undefined) return undefined;
  const from = cert?.CloudFrontDefaultCertificate
    ? 'ViewerCertificate.CloudFrontDefaultCertificate: true (always the TLSv1 policy)'
    : `ViewerCertificate.MinimumProtocolVersion: ${policy}`;
  const at = ORDER.indexOf(minimum);
  return { value: { accept: ORDER.slice(at), refuse: ORDER.slice(0, at) }, from };
}

/**
 * The ALPN protocols a TLS connection is offered, most preferred first. HTTP/3
 * runs over QUIC, which a TLS handshake over TCP does not see: `http3` alone
 * leaves HTTP/1.1 on TCP.
 */
export function viewerAlpn(config: DistributionConfig): Sourced<string[]> {
  const version = config.HttpVersion ?? 'http2';
  const alpn = version === 'http2' || version === 'http2and3' ? ['h2', 'http/1.1'] : ['http/1.1'];
  return { value: alpn, from: `HttpVersion: ${version}${config.HttpVersion ? '' : ' (the default)'}` };
}
