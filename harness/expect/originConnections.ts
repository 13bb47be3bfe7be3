// `origin_connections`: how many TLS connections the edge opened to a fault
// listener of the probe origin while the step ran. A refused certificate ends
// the connection before any request, so the origin's request log cannot say
// whether the edge tried again; the listener's own count can.
import type { Expect } from '../config/expectSchema.js';
import { fail, type ExpectationCheck } from './observation.js';

type Expected = NonNullable<Expect['origin_connections']>;

export const originConnections: ExpectationCheck<Expected> = (expected, obs) => {
  const seen = obs.originConnections;
  const want = wanted(expected);
  if (!seen) return fail('origin_connections', want, 'no probe origin to ask');
  if (seen.count === undefined) {
    const has = seen.listeners.length ? seen.listeners.join(', ') : 'none';
    return fail('origin_connections', want, `the probe origin has no ${seen.listener} listener (it has: ${has})`);
  }
  const tooFew = expected.min !== undefined && seen.count < expected.min;
  const tooMany = expected.max !== undefined && seen.count > expected.max;
  if (!tooFew && !tooMany) return [];
  return fail('origin_connections', want, `${seen.count} to the probe origin's ${seen.listener} listener`);
};

function wanted(expected: Expected): string {
  const { listener, min, max } = expected;
  const range =
    min !== undefined && max !== undefined
      ? min === max
        ? `${min}`
        : `${min} to ${max}`
      : min !== undefined
        ? `at least ${min}`
        : `at most ${max}`;
  return `${range} to the probe origin's ${listener} listener`;
}
