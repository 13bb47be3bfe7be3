// How the queen shares a plan among its bees. autocannon's own `workers`
// option divides connections but applies overallRate to every worker, so N
// workers fire N times the rate; edgecheck never uses it and splits here.

/** A whole number shared as evenly as possible: the first `total % parts` get one more. */
export function splitEvenly(total: number, parts: number): number[] {
  return Array.from({ length: parts }, (_, i) => evenShare(total, parts, i));
}

/** Part i of splitEvenly(total, parts), without building the list. */
export function evenShare(total: number, parts: number, i: number): number {
  return Math.floor(total / parts) + (i < total % parts ? 1 : 0);
}

/**
 * Each bee's share of the arrival rate, proportional to its connections, so
 * every connection carries the same rate whichever bee it belongs to. The
 * shares sum to 1: the bees together fire exactly the planned rate.
 */
export function rateShares(connections: readonly number[]): number[] {
  const total = connections.reduce((a, b) => a + b, 0);
  return connections.map((c) => c / total);
}

/**
 * Where in the arrival sequence bee i's first request falls, as a fraction
 * of one of its own intervals: staggered so that bees with equal shares
 * interleave instead of firing together.
 */
export function arrivalOffset(bee: number, bees: number): number {
  return (bee + 0.5) / bees;
}

/** Requests bee i may send at most: its share of the surge's bound, never 0 while it has a share. */
export function requestBudgets(maxRequests: number, shares: readonly number[]): number[] {
  const budgets = shares.map((s) => Math.floor(maxRequests * s));
  let left = maxRequests - budgets.reduce((a, b) => a + b, 0);
  for (let i = 0; left > 0; i = (i + 1) % budgets.length, left--) budgets[i]!++;
  return budgets;
}
