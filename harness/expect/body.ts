// expect.body: equals / contains the text, or carries an object version
// (the probe origin's X-Edgecheck-Version, which survives caching).
import type { Expect } from '../config/expectSchema.js';
import type { FailureRecord } from '../record.js';
import type { ExpectationCheck } from './observation.js';

const SHOWN = 200;

export const body: ExpectationCheck<NonNullable<Expect['body']>> = (expected, obs) => {
  const text = obs.response.body;
  const failures: FailureRecord[] = [];
  const shown = text.length > SHOWN ? `${text.slice(0, SHOWN)}…` : text;
  if (expected.equals !== undefined && text !== expected.equals)
    failures.push({ expectation: 'body.equals', expected: expected.equals, actual: shown });
  if (expected.contains !== undefined && !text.includes(expected.contains))
    failures.push({ expectation: 'body.contains', expected: expected.contains, actual: shown });
  if (expected.version !== undefined) {
    const version = obs.response.headers['x-edgecheck-version'] ?? null;
    if (version !== expected.version)
      failures.push({ expectation: 'body.version', expected: expected.version, actual: version });
  }
  return failures;
};
