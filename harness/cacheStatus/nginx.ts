// nginx proxy_cache's claim: $upstream_cache_status, which a config exposes with
// `add_header X-Cache-Status $upstream_cache_status`.
import {
  evidence,
  lastLine,
  type CacheClaim,
  type CacheStatusDialect,
  type CacheStatusReading,
  type ResponseHeaders,
} from './dialect.js';

const STATUSES = new Map<string, { claim: CacheClaim; reason?: string }>([
  ['HIT', { claim: 'hit' }],
  ['MISS', { claim: 'miss' }],
  ['EXPIRED', { claim: 'miss', reason: 'expired: the cached copy was refetched from upstream' }],
  ['STALE', { claim: 'stale', reason: 'proxy_cache_use_stale: upstream failed' }],
  ['UPDATING', { claim: 'stale', reason: 'updating: served stale while another request refreshes it' }],
  ['REVALIDATED', { claim: 'revalidated' }],
  ['BYPASS', { claim: 'bypass' }],
]);

function read(headers: ResponseHeaders): CacheStatusReading | undefined {
  const status = lastLine(headers, 'x-cache-status')?.toUpperCase() ?? '';
  const known = STATUSES.get(status);
  if (known === undefined) return undefined;
  const detail: Record<string, string | number> = { status };
  if (known.reason !== undefined) detail.reason = known.reason;
  return { claim: known.claim, evidence: evidence(headers, 'x-cache-status'), detail };
}

export const nginx: CacheStatusDialect = {
  name: 'nginx',
  // X-Cache-Status is a convention others use too, so only nginx's own words count
  detect: (headers) => STATUSES.has(lastLine(headers, 'x-cache-status')?.toUpperCase() ?? ''),
  read,
};
