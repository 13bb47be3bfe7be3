// expect.status: a number, a list, or a class such as 2xx.
import type { Expect } from '../config/expectSchema.js';
import { matchesStatus } from '../config/schemaParts.js';
import { fail, type ExpectationCheck } from './observation.js';

export const status: ExpectationCheck<NonNullable<Expect['status']>> = (expected, obs) => {
  const actual = obs.response.status;
  return matchesStatus(expected, actual) ? [] : fail('status', expected, actual);
};
