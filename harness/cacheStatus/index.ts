// The cache-status dialects by name, and 'auto', which works out per response
// whose headers these are.
import { akamai } from './akamai.js';
import { cloudflare } from './cloudflare.js';
import { cloudfront } from './cloudfront.js';
import type { CacheStatusDialect, CacheStatusReading, ResponseHeaders } from './dialect.js';
import { fastly } from './fastly.js';
import { nginx } from './nginx.js';
import { rfc9211 } from './rfc9211.js';
import { squid } from './squid.js';
import { trafficserver } from './trafficserver.js';
import { varnish } from './varnish.js';

export type { CacheClaim, CacheStatusDialect, CacheStatusReading, ResponseHeaders } from './dialect.js';

/**
 * Every dialect by name, in the order 'auto' tries them. A CDN's own header names the cache the client
 * talked to, so those come first; Cache-Status may have been passed through from
 * caches behind the CDN; the self-hosted caches' headers are the most generic.
 * Among the CDNs sharing X-Cache, CloudFront's "from cloudfront" and Akamai's
 * TCP_ codes are unmistakable, Fastly's HIT/MISS is not, so Fastly comes after them.
 * Squid's "HIT from <host>" is the oldest and most imitated X-Cache form, so it comes last.
 */
export const dialects = {
  cloudflare,
  cloudfront,
  akamai,
  fastly,
  rfc9211,
  nginx,
  trafficserver,
  varnish,
  squid,
} as const satisfies Record<string, CacheStatusDialect>;

export type DialectName = keyof typeof dialects;
export const dialectNames = Object.keys(dialects) as DialectName[];

const auto: CacheStatusDialect = {
  name: 'auto',
  detect: (headers) => dialectNames.some((name) => dialects[name].detect(headers)),
  read(headers: ResponseHeaders): CacheStatusReading | undefined {
    // a dialect that recognises the headers but finds no claim in them lets the next one try
    for (const name of dialectNames) {
      const dialect = dialects[name];
      const reading = dialect.detect(headers) ? dialect.read(headers) : undefined;
      if (reading !== undefined) return { ...reading, detail: { ...reading.detail, dialect: name } };
    }
    return undefined;
  },
};

export function dialectByName(name: DialectName | 'auto'): CacheStatusDialect {
  return name === 'auto' ? auto : dialects[name];
}
