// Akamai's claim: the debug X-Cache "TCP_<code> from <server>" (sent on Pragma:
// akamai-x-cache-on), else the Return Cache Status header "<Status> from child[, ... from parent]".
import {
  evidence,
  lastLine,
  listMembers,
  type CacheClaim,
  type CacheStatusDialect,
  type CacheStatusReading,
  type ResponseHeaders,
} from './dialect.js';

type Outcome = { claim: CacheClaim; reason?: string };

const TCP_CODES = new Map<string, Outcome>([
  ['TCP_HIT', { claim: 'hit' }],
  ['TCP_MEM_HIT', { claim: 'hit' }],
  ['TCP_IMS_HIT', { claim: 'hit' }],
  ['TCP_NEGATIVE_HIT', { claim: 'hit', reason: 'negative: a cached error response' }],
  ['TCP_MISS', { claim: 'miss' }],
  ['TCP_REFRESH_HIT', { claim: 'revalidated' }],
  ['TCP_REFRESH_MISS', { claim: 'miss', reason: 'stale copy replaced by a new one from origin' }],
  ['TCP_REFRESH_FAIL_HIT', { claim: 'stale', reason: 'origin unreachable' }],
  ['TCP_DENIED', { claim: 'error', reason: 'access denied at the edge' }],
  ['TCP_COOKIE_DENY', { claim: 'error', reason: 'cookie authorization denied at the edge' }],
]);

const CACHE_STATUSES = new Map<string, Outcome>([
  ['hit', { claim: 'hit' }],
  ['miss', { claim: 'miss' }],
  ['refreshhit', { claim: 'revalidated' }],
  ['hitstale', { claim: 'stale', reason: 'origin unreachable' }],
  ['notcacheable', { claim: 'bypass', reason: 'not cacheable in the property' }],
  ['constructed', { claim: 'bypass', reason: 'generated at the edge' }],
  ['redirect', { claim: 'bypass', reason: 'generated at the edge' }],
  ['error', { claim: 'error' }],
]);

/** "TCP_MEM_HIT from a69-174-50-208 (AkamaiGHost/5.7.2-5726413) (-)" */
const X_CACHE = /^(TCP_[A-Z_]+)(?: from (\S+))?/;
/** "Miss from child", "Hit from parent" */
const TIER = /^(\w+) from (child|parent)$/i;

function describe(outcome: Outcome, status: string): Record<string, string | number> {
  return outcome.reason === undefined ? { status } : { status, reason: outcome.reason };
}

function readXCache(headers: ResponseHeaders): CacheStatusReading | undefined {
  const [, code = '', server] = X_CACHE.exec(lastLine(headers, 'x-cache') ?? '') ?? [];
  const outcome = TCP_CODES.get(code);
  if (outcome === undefined) return undefined;
  const detail = describe(outcome, code);
  if (server !== undefined) detail.pop = server;
  const [, parent] = X_CACHE.exec(lastLine(headers, 'x-cache-remote') ?? '') ?? [];
  if (parent !== undefined) detail.upstream = parent;
  return { claim: outcome.claim, evidence: evidence(headers, 'x-cache'), detail };
}

function readCacheStatus(headers: ResponseHeaders): CacheStatusReading | undefined {
  const tiers = new Map<string, string>();
  for (const member of listMembers(headers, 'akamai-cache-status')) {
    const [, status, tier] = TIER.exec(member) ?? [];
    if (status !== undefined && tier !== undefined) tiers.set(tier.toLowerCase(), status);
  }
  // the child is the edge the client talked to; the parent only tells what lay behind it
  const status = tiers.get('child') ?? '';
  const outcome = CACHE_STATUSES.get(status.toLowerCase());
  if (outcome === undefined) return undefined;
  const detail = describe(outcome, status);
  const parent = tiers.get('parent');
  if (parent !== undefined) detail.upstream = parent;
  return { claim: outcome.claim, evidence: evidence(headers, 'akamai-cache-status'), detail };
}

export const akamai: CacheStatusDialect = {
  name: 'akamai',
  detect: (headers) =>
    headers['akamai-cache-status'] !== undefined ||
    /^TCP_/.test(lastLine(headers, 'x-cache') ?? '') ||
    /^TCP_/.test(lastLine(headers, 'x-cache-remote') ?? ''),
  // X-Cache tells a refresh that fetched a new copy from a plain miss; the other does not
  read: (headers) => readXCache(headers) ?? readCacheStatus(headers),
};
