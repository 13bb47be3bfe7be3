// How long `sleep: {ttl: max, route: r, plus: 1s}` waits: a TTL the target
// declares for a route, so one suite fits targets with different TTLs. A pause
// the target does not declare, or too long to wait for, is a reason to skip.
import { parseDuration } from '../config/duration.js';
import type { RouteTtlPause } from './sleep.js';
import type { Route } from '../target/openTarget.js';

/** Longer than this, a check would hold a run hostage: skip it instead. */
export const MAX_ROUTE_PAUSE_MS = 60_000;

export function routePause(pause: RouteTtlPause, routes: Record<string, Route>): { ms: number } | { reason: string } {
  const name = pause.route ?? 'default';
  const route = routes[name];
  if (!route) return { reason: `needs route '${name}'; the target declares no such route` };
  const seconds = pause.ttl === 'error' ? errorTtlSeconds(route.error_ttl) : route.ttl?.[pause.ttl];
  const field = pause.ttl === 'error' ? 'error_ttl' : `ttl.${pause.ttl}`;
  if (seconds === undefined) return { reason: `needs route '${name}' to declare ${field}` };
  const ms = Math.max(
    0,
    seconds * 1000 + (parseDuration(pause.plus ?? 0) ?? 0) - (parseDuration(pause.minus ?? 0) ?? 0),
  );
  const atLeast = parseDuration(pause.at_least ?? 0) ?? 0;
  if (ms < atLeast) {
    return {
      reason:
        `route '${name}' declares ${field} = ${seconds}s: too short for this check to tell ` +
        `(it needs a pause of at least ${atLeast / 1000}s)`,
    };
  }
  if (ms > MAX_ROUTE_PAUSE_MS) {
    return {
      reason:
        `route '${name}' declares ${field} = ${seconds}s: too long to wait for in a check ` +
        `(limit ${MAX_ROUTE_PAUSE_MS / 1000}s)`,
    };
  }
  return { ms };
}

function errorTtlSeconds(value: string | number | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = parseDuration(value);
  return ms === undefined ? undefined : ms / 1000;
}
