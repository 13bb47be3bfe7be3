// Edge compression, as CloudFront does it on a route with compress: true:
// gzip for clients that accept it, compressible types, 1,000 B to 10 MB.
import type { IncomingHttpHeaders } from 'node:http';
import { gzipSync } from 'node:zlib';
import { acceptedCoding } from './variants.js';

const COMPRESSIBLE = /^(text\/|application\/(json|javascript|xml|xhtml\+xml|rss\+xml|ld\+json)|image\/svg\+xml)/i;
const MIN_BYTES = 1000;
const MAX_BYTES = 10_000_000;

export function compressIfAccepted(
  req: IncomingHttpHeaders,
  headers: Record<string, string>,
  body: Buffer,
): { headers: Record<string, string>; body: Buffer } {
  const eligible =
    acceptedCoding(req['accept-encoding']) === 'gzip' &&
    headers['content-encoding'] === undefined &&
    COMPRESSIBLE.test(headers['content-type'] ?? '') &&
    body.length >= MIN_BYTES &&
    body.length <= MAX_BYTES;
  const vary = [headers['vary'], 'Accept-Encoding'].filter(Boolean).join(', ');
  if (!eligible) return { headers: { ...headers, vary }, body };
  const gz = gzipSync(body);
  return { headers: { ...headers, 'content-encoding': 'gzip', vary }, body: gz };
}
