// expect.headers: each named response header against its matcher.
import type { Expect } from '../config/expectSchema.js';
import type { FailureRecord } from '../record.js';
import type { ExpectationCheck } from './observation.js';
import { mismatch } from './valueMatcher.js';

export const headers: ExpectationCheck<NonNullable<Expect['headers']>> = (expected, obs) => {
  const failures: FailureRecord[] = [];
  for (const [name, matcher] of Object.entries(expected)) {
    const actual = obs.response.headers[name.toLowerCase()];
    const wrong = mismatch(matcher, actual);
    if (wrong) failures.push({ expectation: `headers.${name.toLowerCase()}`, expected: matcher, actual: actual ?? null });
  }
  return failures;
};
