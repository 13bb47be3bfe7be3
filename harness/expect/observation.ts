// What a request step observed, the input of every expectation: the response,
// the origin log entries it caused (ground truth) and the vendor header's claim.
import type { CacheStatusReading } from '../cacheStatus/dialect.js';
import type { WireResponse } from '../http/client.js';
import type { OriginLogEntry } from '../origin/originControl.js';
import type { FailureRecord } from '../record.js';

export interface Observation {
  response: WireResponse;
  /** undefined when the target has no origin log to read */
  originEntries?: OriginLogEntry[];
  claim?: CacheStatusReading;
}

export type ExpectationCheck<T> = (expected: T, obs: Observation) => FailureRecord[];

export function fail(expectation: string, expected: unknown, actual: unknown): FailureRecord[] {
  return [{ expectation, expected, actual }];
}
