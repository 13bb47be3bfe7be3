// Vary: which stored variant a request selects. Accept-Encoding is normalised
// to the coding the edge would serve, as CDNs do, so "gzip, deflate, br" and
// "br, gzip" share a variant.
import type { IncomingHttpHeaders } from 'node:http';

export function varyNames(headers: Record<string, string>): string[] {
  return (headers['vary'] ?? '')
    .split(',')
    .map((n) => n.trim().toLowerCase())
    .filter(Boolean);
}

export function variantSuffix(names: string[], req: IncomingHttpHeaders): string {
  return names.map((n) => `${n}=${n === 'accept-encoding' ? acceptedCoding(req[n]) : String(req[n] ?? '')}`).join('&');
}

export function acceptedCoding(value: string | string[] | undefined): 'gzip' | 'identity' {
  const text = Array.isArray(value) ? value.join(',') : (value ?? '');
  return /(^|,)\s*gzip\s*(;\s*q=(?!0(\.0*)?\s*($|,))[\d.]+)?\s*($|,)/i.test(text) ? 'gzip' : 'identity';
}
