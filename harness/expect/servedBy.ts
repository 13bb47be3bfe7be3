// expect.served_by: decided by the probe origin's log, never by the vendor's
// header. "origin" means the response the client got is one the origin
// produced for this request: its X-Edgecheck-Origin-Seq names an entry this
// request added to the log. So a stale copy served while a background fetch
// (Varnish grace, stale-while-revalidate) reaches the origin counts as cache.
// An edge that strips the header is judged by whether the log grew at all.
import type { Expect } from '../config/expectSchema.js';
import type { CacheClaim } from '../cacheStatus/index.js';
import { fail, type ExpectationCheck, type Observation } from './observation.js';

export const servedBy: ExpectationCheck<NonNullable<Expect['served_by']>> = (expected, obs) => {
  if (obs.originEntries === undefined)
    return fail('served_by', expected, 'unknown: the target has no probe origin log');
  const actual = servedFrom(obs);
  return actual === expected ? [] : fail('served_by', expected, actual);
};

export function servedFrom(obs: Observation): 'cache' | 'origin' {
  const entries = obs.originEntries ?? [];
  const seq = Number(obs.response.headers['x-edgecheck-origin-seq']);
  if (!Number.isInteger(seq) || seq < 1) return entries.length > 0 ? 'origin' : 'cache';
  return entries.some((e) => e.seq === seq) ? 'origin' : 'cache';
}

/**
 * Whether the vendor's claim is borne out by the origin log. A claimed hit
 * must be an answer the origin did not produce for this request, a claimed
 * miss one it did; except that an error the edge made itself (a 5xx that the
 * origin never answered: TLS to it failed, it was unreachable) fits a
 * claimed miss too, since the edge did go to the origin.
 */
export function claimAgrees(claim: CacheClaim, obs: Observation): boolean {
  if (claim === 'revalidated') return true;
  const claimsCache = claim === 'hit' || claim === 'stale';
  if (claimsCache === (servedFrom(obs) === 'cache')) return true;
  // what is left is a claimed miss (or bypass) the log calls cache: fine if the edge made the answer itself,
  // an error (a 502 for a bad origin, a 403 refusing a signature) or a redirect no origin ever sent
  const ownAnswer = obs.response.status >= 300 && !obs.response.headers['x-edgecheck-origin-seq'];
  return !claimsCache && ownAnswer && (obs.originEntries?.length ?? 0) === 0;
}
