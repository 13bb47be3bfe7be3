// Sends a request and, when asked, follows its redirects the way a browser
// does, keeping every hop; a loop or too many hops ends it as a finding, with
// the hops shown, never as a hang.
import { HttpProtocolError } from '../errors.js';
import type { WireRequest, WireResponse } from '../http/client.js';
import type { HopRecord } from '../record.js';
import type { StepContext } from './stepKind.js';

/** How many redirects are followed when a step does not say. */
export const DEFAULT_MAX_HOPS = 10;

export interface Followed {
  response: WireResponse;
  /** every redirect followed, when following */
  hops?: HopRecord[];
  /** why following stopped short of a final answer: a loop, or too many hops */
  problem?: string;
}

const isRedirect = (status: number) => status >= 300 && status < 400;

export async function sendFollowing(ctx: StepContext, wire: WireRequest, maxHops: number | false): Promise<Followed> {
  let response = await ctx.target.http.send(wire);
  if (maxHops === false) return { response };
  const hops: HopRecord[] = [];
  const visited = new Set([`${wire.method} ${wire.url.href}`]);
  let current = wire;
  while (isRedirect(response.status)) {
    const location = response.headers['location'];
    if (typeof location !== 'string' || location === '') break;
    const next = redirectTarget(location, current);
    hops.push({ status: response.status, location, from: current.url.href, to: next.href });
    // as browsers do: 303 always, and 301/302 after a POST, become a GET without a body
    const method =
      response.status === 303 || ((response.status === 301 || response.status === 302) && current.method === 'POST')
        ? 'GET'
        : current.method;
    const key = `${method} ${next.href}`;
    if (visited.has(key)) return { response, hops, problem: `a redirect loop: ${path(hops)}` };
    if (hops.length > maxHops) return { response, hops, problem: `more than ${maxHops} redirects: ${path(hops)}` };
    visited.add(key);
    const { body, address, ...rest } = current;
    // an edge address is pinned for the target's own hostnames only: another host is resolved as a client would
    const pin = address !== undefined && ctx.target.hostnames.includes(next.hostname) ? { address } : {};
    // a method kept keeps its body; one turned into a GET goes without
    const keptBody = method === current.method && body !== undefined ? { body } : {};
    current = { ...rest, ...pin, method, url: next, ...keptBody };
    response = await ctx.target.http.send(current);
  }
  return { response, hops };
}

function path(hops: HopRecord[]): string {
  return [hops[0]?.from, ...hops.map((h) => `(${h.status}) ${h.to ?? h.location}`)].join(' -> ');
}

function redirectTarget(location: string, from: WireRequest): URL {
  try {
    return new URL(location, from.url);
  } catch (err) {
    const where = `${from.method} ${from.url.href}`;
    throw new HttpProtocolError(`${where}: a redirect to ${JSON.stringify(location)}, which is not a URL`, err);
  }
}
