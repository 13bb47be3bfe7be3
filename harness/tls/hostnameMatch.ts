// Decides whether a certificate's names cover a hostname, the way browsers do
// (RFC 6125, RFC 9110 4.3.4), so a finding can say which name matched or why none did.
import type { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';

export type CertificateNames = { dns: string[]; ip: string[]; commonName?: string };

export type HostnameMatch = {
  match: boolean;
  by: 'san-dns' | 'san-ip' | 'cn' | 'none';
  matchedName?: string;
  warning?: string;
};

export type SubjectAltName = { type: string; value: string };

const CN_FALLBACK_WARNING =
  'the certificate has no subjectAltName, so its CN was used; browsers reject such certificates';

export function matchHostname(hostname: string, names: CertificateNames): HostnameMatch {
  const host = hostname.replace(/^\[(.*)\]$/, '$1');
  if (isIP(host)) {
    const wanted = canonicalIp(host);
    const matchedName = names.ip.find((ip) => isIP(ip) && canonicalIp(ip) === wanted);
    return matchedName === undefined ? { match: false, by: 'none' } : { match: true, by: 'san-ip', matchedName };
  }
  const wanted = canonicalDns(host);
  if (wanted === '') return { match: false, by: 'none' };
  if (names.dns.length > 0 || names.ip.length > 0) {
    const matchedName = names.dns.find((pattern) => dnsPatternMatches(pattern, wanted));
    return matchedName === undefined ? { match: false, by: 'none' } : { match: true, by: 'san-dns', matchedName };
  }
  if (names.commonName === undefined) return { match: false, by: 'none' };
  return dnsPatternMatches(names.commonName, wanted)
    ? { match: true, by: 'cn', matchedName: names.commonName, warning: CN_FALLBACK_WARNING }
    : { match: false, by: 'none', warning: CN_FALLBACK_WARNING };
}

export function namesFromCertificate(cert: X509Certificate): CertificateNames {
  const sans = parseSubjectAltName(cert.subjectAltName);
  const commonName = cert.subject
    .split('\n')
    .filter((line) => line.startsWith('CN='))
    // OpenSSL's RFC 2253 form escapes ',', '"', '+' and the like with a backslash.
    .map((line) => line.slice(3).replace(/\\(.)/g, '$1'))
    .at(-1);
  return {
    dns: sans.filter((san) => san.type === 'DNS').map((san) => san.value),
    ip: sans.filter((san) => san.type === 'IP Address').map((san) => san.value),
    ...(commonName === undefined ? {} : { commonName }),
  };
}

// Node renders SANs as "DNS:a, IP Address:1.2.3.4" and JSON-quotes a value
// that holds a comma or quote, so a plain split(', ') would be fooled.
export function parseSubjectAltName(text: string | undefined): SubjectAltName[] {
  if (!text) return [];
  const entry = /([^:,]+):("(?:[^"\\]|\\.)*"|[^,]*)(?:, |$)/gy;
  const out: SubjectAltName[] = [];
  for (const [, type, value] of text.matchAll(entry)) {
    if (type !== undefined && value !== undefined) out.push({ type, value: unquote(value) });
  }
  return out;
}

function unquote(value: string): string {
  return value.startsWith('"') ? (JSON.parse(value) as string) : value;
}

// The URL parser writes IPv4 and IPv6 in one canonical form (RFC 5952 for v6).
// A zone (fe80::1%eth0) names an interface, not the address: it is dropped.
function canonicalIp(ip: string): string {
  const address = ip.replace(/%.*$/, '');
  try {
    return new URL(isIP(address) === 6 ? `http://[${address}]/` : `http://${address}/`).hostname;
  } catch {
    return address.toLowerCase();
  }
}

// Only non-ASCII names go through domainToASCII: it would also rewrite
// number-like ASCII names ("1.2.3" becomes "1.2.0.3").
function canonicalDns(name: string): string {
  const lower = name.toLowerCase().replace(/\.$/, '');
  return /^[\x00-\x7f]*$/.test(lower) ? lower : domainToASCII(lower);
}

function dnsPatternMatches(pattern: string, host: string): boolean {
  const canonical = canonicalDns(pattern);
  if (canonical === '') return false;
  if (!canonical.startsWith('*.')) return !canonical.includes('*') && canonical === host;
  const rest = canonical.slice(2);
  // "*.com" would cover a whole public suffix; partial and nested wildcards are never honoured.
  if (rest.includes('*') || rest.split('.').length < 2) return false;
  const dot = host.indexOf('.');
  return dot > 0 && host.slice(dot + 1) === rest;
}
