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

/**
 * `total` shared by `shares` (which sum to 1), each part at least its
 * `least`: the floor of each exact part, then one more to the parts that
 * lost most to rounding (largest remainder). Used where paths over h1 and h2
 * split one plan's bees, connections and active count by the paths' weights.
 */
export function apportion(total: number, shares: readonly number[], least: readonly number[] = []): number[] {
  const exact = shares.map((s) => s * total);
  const parts = exact.map((e, i) => Math.max(least[i] ?? 0, Math.floor(e)));
  let left = total - parts.reduce((a, b) => a + b, 0);
  const byRemainder = exact.map((_, i) => i).sort((a, b) => exact[b]! - parts[b]! - (exact[a]! - parts[a]!) || a - b);
  for (let k = 0; left > 0; k = (k + 1) % parts.length, left--) parts[byRemainder[k]!]!++;
  // the least parts took more than their share: take it back from the parts most above theirs
  while (left < 0) {
    const over = parts
      .map((p, i) => ({ i, by: p - exact[i]!, free: p > (least[i] ?? 0) }))
      .filter((o) => o.free)
      .sort((a, b) => b.by - a.by || a.i - b.i)[0];
    if (!over) break;
    parts[over.i]!--;
    left++;
  }
  return parts;
}

/** A fleet split into protocol groups (closed model: how they share an active count), and a bee's place in it. */
export interface GroupSplit {
  /** each group's share of the plan (its paths' weights), summing to 1 */
  shares: number[];
  /** bees in each group */
  bees: number[];
  group: number;
  /** this bee's index within its group */
  index: number;
}

/** Bee's part of `level` active connections: the level apportioned to the groups, then evenly within its group. */
export function groupPart(level: number, split: GroupSplit): number {
  const part = split.shares.length === 1 ? level : apportion(level, split.shares)[split.group]!;
  return evenShare(part, split.bees[split.group]!, split.index);
}
