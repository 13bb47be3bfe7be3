// expect.headers: each named response header against its matcher; a header
// the response holds as a list (set-cookie) holds when any of its lines does.
import type { Expect } from '../config/expectSchema.js';
import type { FailureRecord } from '../record.js';
import type { ExpectationCheck } from './observation.js';
import { mismatch, mismatchAny } from './valueMatcher.js';

export const headers: ExpectationCheck<NonNullable<Expect['headers']>> = (expected, obs) => {
  const failures: FailureRecord[] = [];
  for (const [name, matcher] of Object.entries(expected)) {
    const key = name.toLowerCase();
    const actual = obs.response.headers[key];
    const wrong = Array.isArray(actual) ? mismatchAny(matcher, actual) : mismatch(matcher, actual);
    if (wrong) failures.push({ expectation: `headers.${key}`, expected: matcher, actual: actual ?? null });
  }
  return failures;
};
