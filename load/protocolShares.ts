// A surge whose paths go over h1 and h2, per protocol: which paths, the
// share of the requests planned for it (its paths' weights), and what its
// bees sent and got back, so the reader sees the mix the edge was given.
import type { SurgeProtocolShare } from '../harness/surgeRecord.js';
import type { BeeOrders } from './beeProtocol.js';
import type { SurgePlan } from './plan.js';
import { round, type Tally } from './tally.js';

export function protocolShares(
  plan: SurgePlan,
  orders: readonly BeeOrders[],
  tallies: ReadonlyMap<string, Tally>,
  spanMs: number,
): SurgeProtocolShare[] | undefined {
  // the fleet's split (fleet.ts protocolGroups), one group per protocol in the plan's order
  const split = orders[0]?.split;
  if (plan.protocols.length < 2 || !split) return undefined;
  const allSent = [...tallies.values()].reduce((n, t) => n + t.sent, 0);
  return plan.protocols.map((protocol, group) => {
    const stats = tallies.get(protocol)?.stats(spanMs);
    return {
      protocol,
      paths: plan.paths.filter((p) => p.protocol === protocol).map((p) => p.path),
      planned_share: round(split.shares[group]!, 4),
      bees: split.bees[group]!,
      sent: stats?.sent ?? 0,
      share: allSent > 0 ? round((stats?.sent ?? 0) / allSent, 4) : 0,
      responses: stats?.responses ?? 0,
      errors: stats?.errors ?? 0,
      error_rate: stats?.error_rate ?? 0,
      latency_ms: stats?.latency_ms ?? null,
    };
  });
}
