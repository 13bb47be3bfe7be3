// expect.duration: the response arrived within a bound.
import { parseDuration } from '../config/duration.js';
import type { Expect } from '../config/expectSchema.js';
import { fail, type ExpectationCheck } from './observation.js';

export const duration: ExpectationCheck<NonNullable<Expect['duration']>> = (expected, obs) => {
  const limit = parseDuration(expected.lte) ?? 0;
  const took = Math.round(obs.response.durationMs);
  return took <= limit ? [] : fail('duration', `<= ${limit} ms`, `${took} ms`);
};
