// nginx proxy_cache's claim: $upstream_cache_status, which a config exposes with
// `add_header X-Cache-Status $upstream_cache_status`.
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
  ['EXPIRED', { claim: 'miss', reason: 'expired: the cached copy was refetched from upstream' }],
  ['STALE', { claim: 'stale', reason: 'proxy_cache_use_stale: upstream failed' }],
  ['UPDATING', { claim: 'stale', reason: 'updating: served stale while another request refreshes it' }],
  ['REVALIDATED', { claim: 'revalidated' }],
  ['BYPASS', { claim: 'bypass' }],
]);

function read(headers: ResponseHeaders): CacheStatusReading | undefined {
  return readingFor(STATUSES, lastLine(headers, 'x-cache-status')?.toUpperCase() ?? '', headers, 'x-cache-status');
}

export const nginx: CacheStatusDialect = {
  name: 'nginx',
  // X-Cache-Status is a convention others use too, so only nginx's own words count
  detect: (headers) => STATUSES.has(lastLine(headers, 'x-cache-status')?.toUpperCase() ?? ''),
  read,
};
