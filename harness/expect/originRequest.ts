// expect.origin_request: what the edge sent to the origin during this step
// (conditional headers, other headers, SNI), read from the origin's log.
import type { Expect } from '../config/expectSchema.js';
import type { FailureRecord } from '../record.js';
import { fail, type ExpectationCheck } from './observation.js';
import { mismatch } from './valueMatcher.js';

export const originRequest: ExpectationCheck<NonNullable<Expect['origin_request']>> = (expected, obs) => {
  const entry = obs.originEntries?.at(-1);
  if (!entry) return fail('origin_request', expected, obs.originEntries ? 'no request reached the origin' : 'the target has no probe origin log');
  const failures: FailureRecord[] = [];
  if (expected.conditional !== undefined) {
    const conditional = entry.headers['if-none-match'] !== undefined || entry.headers['if-modified-since'] !== undefined;
    if (conditional !== expected.conditional) {
      failures.push({
        expectation: 'origin_request.conditional',
        expected: expected.conditional,
        actual: conditional ? pick(entry.headers, ['if-none-match', 'if-modified-since']) : 'no If-None-Match or If-Modified-Since',
      });
    }
  }
  for (const [name, matcher] of Object.entries(expected.headers ?? {})) {
    const actual = entry.headers[name.toLowerCase()];
    if (mismatch(matcher, actual)) failures.push({ expectation: `origin_request.headers.${name.toLowerCase()}`, expected: matcher, actual: actual ?? null });
  }
  if (expected.status !== undefined && entry.status !== expected.status) {
    failures.push({ expectation: 'origin_request.status', expected: expected.status, actual: entry.status ?? null });
  }
  if (expected.sni !== undefined && entry.sni !== expected.sni) {
    failures.push({ expectation: 'origin_request.sni', expected: expected.sni, actual: entry.sni ?? 'no SNI' });
  }
  return failures;
};

function pick(headers: Record<string, string>, names: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of names) if (headers[n] !== undefined) out[n] = headers[n];
  return out;
}
