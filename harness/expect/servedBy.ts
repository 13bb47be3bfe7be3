// expect.served_by: decided by the probe origin's log — did this request reach
// the origin? — never by the vendor's header.
import type { Expect } from '../config/expectSchema.js';
import { fail, type ExpectationCheck } from './observation.js';

export const servedBy: ExpectationCheck<NonNullable<Expect['served_by']>> = (expected, obs) => {
  if (obs.originEntries === undefined) return fail('served_by', expected, 'unknown: the target has no probe origin log');
  const actual = obs.originEntries.length > 0 ? 'origin' : 'cache';
  return actual === expected ? [] : fail('served_by', expected, actual);
};
