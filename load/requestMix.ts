// What the bees send and where: the weighted cycle of paths every connection
// walks, the common headers (Host included), and one URL per edge address so
// autocannon spreads its connections over the pinned edges.
import { isIP } from 'node:net';
import type { OpenTarget } from '../harness/target/openTarget.js';
import type { PlanPath, SurgePlan } from './plan.js';

/** longest weighted cycle (every connection holds its requests encoded); heavier weights are scaled down to it */
const MAX_CYCLE = 100;

export interface SurgeRequest {
  method: 'GET';
  path: string;
  headers: Record<string, string>;
}

/** The URL path of a plan path: under the surge's check key when the probe origin serves it, else as written. */
export function urlPath(routePath: string, checkKey: string | undefined, path: string): string {
  return routePath.replace(/\/$/, '') + (checkKey ? checkKey + path.slice(1) : path);
}

/**
 * The cycle of requests, by smooth weighted round robin (nginx's upstream
 * balancing): weights 8 and 2 give A A B A A A A B A A ..., so even a part
 * of the cycle keeps close to the weights.
 */
export function requestCycle(paths: readonly PlanPath[], toUrlPath: (p: string) => string): SurgeRequest[] {
  const total = paths.reduce((n, p) => n + p.weight, 0);
  const scale = total > MAX_CYCLE ? MAX_CYCLE / total : 1;
  const scaled = paths.map((p) => Math.max(1, Math.round(p.weight * scale)));
  const divisor = scaled.reduce(gcd);
  const weights = scaled.map((w) => w / divisor);
  const sum = weights.reduce((a, b) => a + b, 0);
  const current = weights.map(() => 0);
  const cycle: SurgeRequest[] = [];
  for (let n = 0; n < sum; n++) {
    let best = 0;
    for (let i = 0; i < weights.length; i++) {
      current[i]! += weights[i]!;
      if (current[i]! > current[best]!) best = i;
    }
    current[best]! -= sum;
    const p = paths[best]!;
    cycle.push({ method: 'GET', path: toUrlPath(p.path), headers: p.headers });
  }
  return cycle;
}

/** The cycle started at bee i's own place, so bees do not all ask for the same path at once. */
export function rotate<T>(cycle: readonly T[], bee: number, bees: number): T[] {
  const at = Math.floor((cycle.length * bee) / bees);
  return [...cycle.slice(at), ...cycle.slice(0, at)];
}

export interface EdgeEndpoints {
  urls: string[];
  /** SNI, when the URL names a host rather than an address */
  servername?: string;
  /** headers every request carries */
  headers: Record<string, string>;
}

/** One URL per pinned edge address (autocannon connects to the URL's host), with the target's name as SNI and Host. */
export function edgeEndpoints(target: OpenTarget, plan: SurgePlan): EdgeEndpoints {
  const { url } = target;
  const bracket = (a: string) => (isIP(a) === 6 ? `[${a}]` : a);
  const urls = target.addresses.length
    ? target.addresses.map((a) => `${url.protocol}//${bracket(a)}${url.port ? `:${url.port}` : ''}`)
    : [url.origin];
  const secure = url.protocol === 'https:';
  return {
    urls,
    ...(secure && !isIP(url.hostname) ? { servername: url.hostname } : {}),
    headers: { host: url.host, 'user-agent': 'edgecheck-surge', ...plan.headers },
  };
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}
