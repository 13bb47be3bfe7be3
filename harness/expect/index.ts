// Every expectation of a step, checked against one observation. Adding an
// expectation = a file here + a key in config/expectSchema.ts.
import type { Expect } from '../config/expectSchema.js';
import type { FailureRecord } from '../record.js';
import { body } from './body.js';
import { denial } from './denial.js';
import { redirect } from './redirect.js';
import { cache } from './cache.js';
import { duration } from './duration.js';
import { headers } from './headers.js';
import type { ExpectationCheck, Observation } from './observation.js';
import { originConnections } from './originConnections.js';
import { originRequest } from './originRequest.js';
import { servedBy } from './servedBy.js';
import { status } from './status.js';

const checks: { [K in keyof Expect]-?: ExpectationCheck<NonNullable<Expect[K]>> } = {
  status,
  headers,
  body,
  served_by: servedBy,
  cache,
  origin_request: originRequest,
  origin_connections: originConnections,
  duration,
  denial,
  redirect,
};

export function checkExpectations(expect: Expect | undefined, obs: Observation): FailureRecord[] {
  if (!expect) return [];
  const failures: FailureRecord[] = [];
  for (const key of Object.keys(expect) as Array<keyof Expect>) {
    const expected = expect[key];
    if (expected === undefined) continue;
    failures.push(...(checks[key] as ExpectationCheck<typeof expected>)(expected, obs));
  }
  return failures;
}
