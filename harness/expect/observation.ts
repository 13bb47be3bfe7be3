// What a request step observed, the input of every expectation: the response,
// the origin log entries it caused (ground truth) and the vendor header's claim.
import type { CacheStatusReading } from '../cacheStatus/dialect.js';
import type { WireResponse } from '../http/client.js';
import type { OriginLogEntry } from '../origin/originControl.js';
import type { FailureRecord, HopRecord } from '../record.js';
import type { Denial } from '../signing/scheme.js';

export interface Observation {
  response: WireResponse;
  /** undefined when the target has no origin log to read */
  originEntries?: OriginLogEntry[];
  claim?: CacheStatusReading;
  /**
   * The edge's refusal of a signature, on a target that signs: what its body said, null when it said
   * none, 'unstated' when the scheme's edges give no reason at all; undefined without signing.
   */
  denial?: Denial | null | 'unstated';
  /** the query parameters a signature travels in, on a target that signs */
  signingParameters?: string[];
  /** the request as sent (before any redirect was followed) */
  request?: { method: string; url: URL };
  /** with follow_redirects: each redirect followed, in order; the response is the last answer */
  hops?: HopRecord[];
  /**
   * With an origin_connections expectation: the connections the named fault listener accepted during the
   * step; undefined count when the probe origin has no such listener (its names are in `listeners`)
   */
  originConnections?: { listener: string; count?: number; listeners: string[] };
  /** what the target promises that a redirect expectation may name */
  redirectPromises?: RedirectContext;
}

/** The promises `declared`, `canonical` and `viewer_location` stand for, and the target's ports per scheme. */
export interface RedirectContext {
  https?: number;
  canonicalHost?: string;
  /** the URL the viewer-location rule for the step's source address names */
  viewerLocation?: string;
  /** the port each scheme is served on ('' for the scheme's default) */
  ports: { http: string; https: string };
}

export type ExpectationCheck<T> = (expected: T, obs: Observation) => FailureRecord[];

export function fail(expectation: string, expected: unknown, actual: unknown): FailureRecord[] {
  return [{ expectation, expected, actual }];
}
