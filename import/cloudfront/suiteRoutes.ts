// Which behaviour stands for each route name the suites use (ttl-default,
// query-list, signed, ...): the one whose configuration makes the promise
// the suite's checks test. A name no behaviour fits is left out, and the
// checks that need it are skipped (skippedChecks.ts says which).
import type { BehaviourPromises } from './behaviourPromises.js';

export interface SuiteRole {
  /** the route name the suites use */
  name: string;
  /** why a behaviour fits, for the comment beside the route */
  why: string;
  fits(p: BehaviourPromises): boolean;
  /** among those that fit, the one the checks can best use comes first; without it, the first in order */
  rank?(p: BehaviourPromises): number;
}

/** a behaviour that keeps anything at all in its cache */
const caches = (p: BehaviourPromises) => p.ttl.max.value > 0;

export const SUITE_ROLES: SuiteRole[] = [
  {
    name: 'ttl-default',
    why: 'the shortest positive DefaultTTL (a check waits for it)',
    fits: (p) => p.ttl.default.value > 0,
    rank: (p) => p.ttl.default.value,
  },
  {
    name: 'ttl-clamp',
    why: 'a MinTTL above 0 and the shortest MaxTTL above it (a check waits for both)',
    fits: (p) => p.ttl.min.value > 0 && p.ttl.max.value > p.ttl.min.value,
    rank: (p) => p.ttl.max.value,
  },
  {
    name: 'query-all',
    why: 'every query parameter in the cache key',
    fits: (p) => caches(p) && p.query_key?.value === 'all',
  },
  {
    name: 'query-none',
    why: 'no query parameter in the cache key',
    fits: (p) => caches(p) && p.query_key?.value === 'none',
  },
  {
    name: 'query-list',
    why: 'named query parameters in the cache key',
    fits: (p) => caches(p) && Array.isArray(p.query_key?.value) && p.query_key.value.length > 0,
  },
  { name: 'compress', why: 'compresses', fits: (p) => caches(p) && p.compress.value },
  { name: 'errors', why: 'caches, so its error caching can be seen', fits: caches },
  { name: 'failover', why: 'sends to an origin group', fits: (p) => p.failover !== undefined },
  { name: 'signed', why: 'trusts key groups: requests must be signed', fits: (p) => p.signed !== undefined },
  { name: 'shield', why: 'its origin has Origin Shield on', fits: (p) => p.shield !== undefined },
];

/**
 * For each role some behaviour with a route fits, that behaviour. The default
 * behaviour is preferred among equals: a check's own path falls under it anyway.
 */
export function assignSuiteRoutes(
  behaviours: BehaviourPromises[],
): Array<{ role: SuiteRole; promises: BehaviourPromises }> {
  const candidates = [...behaviours.filter((p) => p.behaviour.isDefault), ...behaviours]
    .filter((p, i, all) => all.indexOf(p) === i)
    .filter((p) => p.path !== undefined);
  return SUITE_ROLES.flatMap((role) => {
    const fitting = candidates.filter(role.fits);
    if (fitting.length === 0) return [];
    const rank = role.rank;
    const best = rank ? fitting.reduce((a, b) => (rank(b) < rank(a) ? b : a)) : fitting[0]!;
    return [{ role, promises: best }];
  });
}
