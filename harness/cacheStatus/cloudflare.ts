// Cloudflare's claim: CF-Cache-Status, with the data centre taken from the CF-Ray suffix.
import {
  lastLine,
  readingFor,
  type CacheStatusDialect,
  type CacheStatusReading,
  type ResponseHeaders,
  type StatusWords,
} from './dialect.js';

const STATUSES: StatusWords = new Map([
  ['HIT', { claim: 'hit' }],
  ['MISS', { claim: 'miss' }],
  ['EXPIRED', { claim: 'miss', reason: 'expired: the cached copy was refetched from origin' }],
  ['STALE', { claim: 'stale', reason: 'origin unreachable' }],
  ['UPDATING', { claim: 'stale', reason: 'updating: served stale while the copy is refreshed' }],
  ['REVALIDATED', { claim: 'revalidated' }],
  ['BYPASS', { claim: 'bypass' }],
  ['DYNAMIC', { claim: 'bypass', reason: 'not eligible for caching' }],
  // the edge answered before the cache (Worker, WAF block, redirect rule)
  ['NONE', { claim: 'bypass', reason: 'generated at the edge' }],
  ['UNKNOWN', { claim: 'bypass', reason: 'generated at the edge' }],
]);

/** CF-Ray is "<ray id>-<data centre>", e.g. 8c7d2d4bfd1a1f3e-LHR. */
const RAY = /-([A-Z]{3})$/;

function read(headers: ResponseHeaders): CacheStatusReading | undefined {
  const status = lastLine(headers, 'cf-cache-status')?.toUpperCase();
  if (status === undefined) return undefined;
  const pop = RAY.exec(lastLine(headers, 'cf-ray') ?? '')?.[1];
  return readingFor(STATUSES, status, headers, 'cf-cache-status', pop !== undefined ? { pop } : {});
}

export const cloudflare: CacheStatusDialect = {
  name: 'cloudflare',
  detect: (headers) => headers['cf-cache-status'] !== undefined || headers['cf-ray'] !== undefined,
  read,
};
