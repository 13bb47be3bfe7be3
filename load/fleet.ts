// The orders for each bee: its connections, its share of the rate and of
// the request budget, where it starts in the path cycle, and where to fire.
import type { BeeOrders } from './beeProtocol.js';
import type { SurgeLimits } from './limits.js';
import type { SurgePlan } from './plan.js';
import { rotate, type EdgeEndpoints, type SurgeRequest } from './requestMix.js';
import { arrivalOffset, rateShares, requestBudgets, splitEvenly } from './split.js';

export function fleetOrders(
  plan: SurgePlan,
  limits: SurgeLimits,
  endpoints: EdgeEndpoints,
  cycle: SurgeRequest[],
  dialect: string,
): BeeOrders[] {
  const pools = splitEvenly(plan.connections, plan.bees);
  const shares = rateShares(pools);
  const budgets = requestBudgets(limits.max_requests, shares);
  return pools.map((_, i) => ({
    index: i,
    bees: plan.bees,
    model: plan.model,
    ...(plan.protocol === 'h2' ? { protocol: plan.protocol, streams: plan.streams } : {}),
    ...(plan.visit ? { visit: plan.visit } : {}),
    segments: plan.phases.map((p) => ({ from: p.from, to: p.to, durationMs: p.durationMs })),
    share: shares[i]!,
    offset: arrivalOffset(i, plan.bees),
    pools,
    ...(limits.max_rps !== undefined ? { rateCapRps: limits.max_rps * shares[i]! } : {}),
    budget: budgets[i]!,
    urls: edgeOrder(endpoints.urls, i, plan.bees),
    ...(endpoints.servername ? { servername: endpoints.servername } : {}),
    requests: rotate(cycle, i, plan.bees),
    headers: endpoints.headers,
    timeoutMs: plan.timeoutMs,
    dialect,
  }));
}

/**
 * The edge addresses in bee `bee`'s order. autocannon gives a bee's
 * connection c the address c mod n, and the closed model activates each
 * bee's lowest connections first. Numbered across the fleet, connection c of
 * bee b is the (c x bees + b)th, and at every level the active ones are the
 * lowest in that numbering; giving it edge (c x bees + b) mod n spreads any
 * number of active connections over every edge, within one of each other.
 */
export function edgeOrder(urls: readonly string[], bee: number, bees: number): string[] {
  return urls.map((_, k) => urls[(k * bees + bee) % urls.length]!);
}
