// expect.status: a number, a list, or a class such as 2xx.
import type { Expect } from '../config/expectSchema.js';
import { fail, type ExpectationCheck } from './observation.js';

export const status: ExpectationCheck<NonNullable<Expect['status']>> = (expected, obs) => {
  const actual = obs.response.status;
  const ok =
    typeof expected === 'number'
      ? actual === expected
      : Array.isArray(expected)
        ? expected.includes(actual)
        : String(actual)[0] === expected[0];
  return ok ? [] : fail('status', expected, actual);
};
