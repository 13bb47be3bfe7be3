// Before the bees fly: a request to every edge through the harness's own
// HTTP client, which verifies the certificate chain and name (autocannon
// connects with rejectUnauthorized: false, hard-coded in autocannon 9), and,
// when the plan asks, one request per path per edge so the surge starts warm.
// Both wait for each answer as long as the plan's `timeout` says a request may take.
import { HarnessError } from '../harness/errors.js';
import type { OpenTarget } from '../harness/target/openTarget.js';

/** Fails the surge (exit 3) when an edge's TLS cannot be verified or it does not answer. */
export async function preflight(
  target: OpenTarget,
  path: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<void> {
  for (const address of edgesOf(target)) {
    if (signal?.aborted) return;
    try {
      await target.http.send({
        method: 'GET',
        url: new URL(path, target.url),
        ...(address ? { address } : {}),
        timeoutMs,
      });
    } catch (err) {
      throw new HarnessError(
        `surge preflight: ${(err as Error).message}; ` +
          'the bees fly only once every edge answers and its certificate verifies',
      );
    }
  }
}

/** Requests every path once on every edge, until aborted; returns how many answered with an error status. */
export async function prime(
  target: OpenTarget,
  requests: Array<{ path: string; headers: Record<string, string> }>,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<number> {
  let failed = 0;
  for (const address of edgesOf(target)) {
    for (const { path, headers } of requests) {
      if (signal?.aborted) return failed;
      const res = await target.http.send({
        method: 'GET',
        url: new URL(path, target.url),
        headers,
        ...(address ? { address } : {}),
        timeoutMs,
      });
      if (res.status >= 400) failed++;
    }
  }
  return failed;
}

function edgesOf(target: OpenTarget): Array<string | undefined> {
  return target.addresses.length ? target.addresses : [undefined];
}
