// expect.cache: what the vendor header claims (hit, miss, revalidated, ...).
import type { Expect } from '../config/expectSchema.js';
import { fail, type ExpectationCheck } from './observation.js';

export const cache: ExpectationCheck<NonNullable<Expect['cache']>> = (expected, obs) => {
  const wanted = Array.isArray(expected) ? expected : [expected];
  const actual = obs.claim?.claim;
  if (actual !== undefined && wanted.includes(actual)) return [];
  return fail('cache', expected, actual ?? "no cache-status header the target's dialect can read");
};
