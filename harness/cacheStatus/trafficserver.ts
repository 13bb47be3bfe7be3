// Apache Traffic Server's claim: the Via codes (e.g. "[cSsNfU]") when the response
// carries them, else the X-Cache lookup result that the xdebug plugin adds.
import {
  evidence,
  headerLines,
  lastLine,
  listMembers,
  type CacheClaim,
  type CacheStatusDialect,
  type CacheStatusReading,
  type ResponseHeaders,
} from './dialect.js';

const LOOKUPS = new Map<string, { claim: CacheClaim; reason?: string }>([
  ['hit-fresh', { claim: 'hit' }],
  ['hit-stale', { claim: 'stale', reason: 'found stale in cache' }],
  ['miss', { claim: 'miss' }],
  ['skipped', { claim: 'bypass', reason: 'cache lookup skipped' }],
  ['none', { claim: 'bypass', reason: 'no cache lookup attempted' }],
]);

/** "http/1.1 edge (ApacheTrafficServer/9.2.3 [uScMsSf pSeN:t cCMi p sS])": codes in brackets */
const VIA_CODES = /\[([^\]:]*)[\]:]/;

/**
 * The lookup (c) and server (s) letters of the Via codes decide; the server letter
 * tells a revalidation (N, not modified) from a refetch (S, served) of a stale copy.
 */
function fromVia(lookup: string, server: string): { claim: CacheClaim; reason?: string } | undefined {
  if (lookup === 'H' || lookup === 'R') return { claim: 'hit' };
  if (lookup === 'M' || lookup === 'A') return { claim: 'miss' };
  if (lookup === 'S' && server === 'N') return { claim: 'revalidated' };
  if (lookup === 'S' && server === 'S') return { claim: 'miss', reason: 'stale copy refetched from origin' };
  if (lookup === 'S') return { claim: 'stale', reason: 'found stale in cache' };
  if (lookup === ' ') return { claim: 'bypass', reason: 'no cache lookup performed' };
  return undefined;
}

function readVia(headers: ResponseHeaders): CacheStatusReading | undefined {
  // each proxy appends its entry, so the last one with codes is the closest to the client
  const codes = listMembers(headers, 'via')
    .map((entry) => VIA_CODES.exec(entry)?.[1])
    .filter((found) => found !== undefined)
    .at(-1);
  if (codes === undefined) return undefined;
  // the codes are letter/value pairs, e.g. "uS" "cM" "sS" "f " in "uScMsSf "
  const pairs = new Map<string, string>();
  for (let i = 0; i + 1 < codes.length; i += 2) pairs.set(codes.charAt(i), codes.charAt(i + 1));
  const lookup = pairs.get('c');
  const outcome = lookup === undefined ? undefined : fromVia(lookup, pairs.get('s') ?? ' ');
  if (outcome === undefined) return undefined;
  const detail: Record<string, string | number> = { codes };
  if (outcome.reason !== undefined) detail.reason = outcome.reason;
  return { claim: outcome.claim, evidence: evidence(headers, 'via'), detail };
}

function readXCache(headers: ResponseHeaders): CacheStatusReading | undefined {
  // with xdebug on a parent as well, the last entry is the cache closest to the client
  const status = listMembers(headers, 'x-cache').at(-1) ?? '';
  const outcome = LOOKUPS.get(status);
  if (outcome === undefined) return undefined;
  const detail: Record<string, string | number> = { status };
  if (outcome.reason !== undefined) detail.reason = outcome.reason;
  return { claim: outcome.claim, evidence: evidence(headers, 'x-cache'), detail };
}

export const trafficserver: CacheStatusDialect = {
  name: 'trafficserver',
  detect: (headers) =>
    headerLines(headers, 'via').some((via) => via.includes('ApacheTrafficServer')) ||
    /^ATS\//.test(lastLine(headers, 'server') ?? '') ||
    // xdebug's words are lower-case, which tells them from the upper-case HIT/MISS of others
    LOOKUPS.has(listMembers(headers, 'x-cache').at(-1) ?? ''),
  read: (headers) => readVia(headers) ?? readXCache(headers),
};
