// The orders for each bee: its connections, its share of the rate and of
// the request budget, where it starts in the path cycle, and where to fire.
// A bee speaks one protocol: when the paths go over h1 and h2 the fleet is
// split into a group per protocol, each with its share of the bees, the
// connections and the rate by its paths' weights, and its own path cycle.
import type { SurgeProtocol } from '../harness/surgeRecord.js';
import type { BeeOrders } from './beeProtocol.js';
import type { SurgeLimits } from './limits.js';
import type { SurgePlan } from './plan.js';
import { requestCycle, rotate, type EdgeEndpoints, type SurgeRequest } from './requestMix.js';
import { apportion, arrivalOffset, rateShares, requestBudgets, splitEvenly } from './split.js';

/** The bees of one protocol, and what they share. */
export interface ProtocolGroup {
  protocol: SurgeProtocol;
  /** the group's paths' weights over all the plan's, 0..1 */
  share: number;
  bees: number;
  /** the group's connections (open, visitors) or its part of the peak (closed) */
  connections: number;
  cycle: SurgeRequest[];
}

/** The plan's bees, connections and rate by protocol, in the plan's protocol order (h1, h2). */
export function protocolGroups(plan: SurgePlan, toUrlPath: (p: string) => string): ProtocolGroup[] {
  const total = plan.paths.reduce((n, p) => n + p.weight, 0);
  const groups = plan.protocols.map((protocol) => {
    const paths = plan.paths.filter((p) => p.protocol === protocol);
    return { protocol, paths, share: paths.reduce((n, p) => n + p.weight, 0) / total };
  });
  const shares = groups.map((g) => g.share);
  const bees = apportion(
    plan.bees,
    shares,
    groups.map(() => 1),
  );
  const connections = apportion(plan.connections, shares, bees);
  return groups.map((g, i) => ({
    protocol: g.protocol,
    share: g.share,
    bees: bees[i]!,
    connections: connections[i]!,
    cycle: requestCycle(g.paths, toUrlPath),
  }));
}

export function fleetOrders(
  plan: SurgePlan,
  limits: SurgeLimits,
  endpoints: EdgeEndpoints,
  toUrlPath: (p: string) => string,
  dialect: string,
): BeeOrders[] {
  const groups = protocolGroups(plan, toUrlPath);
  const members = groups.flatMap((g, group) => {
    const pools = splitEvenly(g.connections, g.bees);
    // every connection of a group carries the same rate: the group's share, by connections within it
    const within = rateShares(pools);
    return pools.map((pool, index) => ({ g, group, index, pool, share: g.share * within[index]! }));
  });
  const pools = members.map((m) => m.pool);
  const shares = members.map((m) => m.share);
  const budgets = requestBudgets(limits.max_requests, shares);
  return members.map(({ g, group, index }, i) => ({
    index: i,
    bees: plan.bees,
    model: plan.model,
    ...(g.protocol === 'h2' ? { protocol: g.protocol, streams: plan.streams } : {}),
    ...(plan.visit ? { visit: plan.visit } : {}),
    segments: plan.phases.map((p) => ({ from: p.from, to: p.to, durationMs: p.durationMs })),
    share: shares[i]!,
    offset: arrivalOffset(i, plan.bees),
    pools,
    split: { shares: groups.map((x) => x.share), bees: groups.map((x) => x.bees), group, index },
    ...(limits.max_rps !== undefined ? { rateCapRps: limits.max_rps * shares[i]! } : {}),
    budget: budgets[i]!,
    urls: edgeOrder(endpoints.urls, i, plan.bees),
    ...(endpoints.servername ? { servername: endpoints.servername } : {}),
    requests: rotate(g.cycle, index, g.bees),
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
