// The queen's books on the bees' own load: their generator slices added up
// over a span (a second, a phase), and whether the bees were saturated there
// — the load generator, not the edge, setting the pace.
import type { GeneratorStats } from '../harness/surgeRecord.js';
import type { GeneratorSlice } from './beeProtocol.js';
import { decode, newHistogram } from './latencyHistogram.js';
import { round } from './tally.js';

/**
 * When the bees count as saturated (README "Generator honesty"). Any one is
 * enough:
 * - a bee's event loop busy 90% of the span or more: it has no slack left to
 *   read answers as they come, so its latencies include its own queueing;
 * - a bee on a core or waiting for one 90% of the span or more: it wanted a
 *   whole core; on a shared machine it may get half of one, and then its
 *   loop looks idle while it waits to run;
 * - more than 5% of open-model arrivals sent over 10 ms after they could
 *   have gone: the bee no longer keeps the plan's rate;
 * - event-loop delay p99 over 50 ms: one answer in a hundred waited that long
 *   to be read, which a latency limit of a few hundred ms cannot absorb.
 */
export const SATURATION = { busy_pct: 90, cpu_demand_pct: 90, late_share: 0.05, loop_delay_p99_ms: 50 } as const;

interface BeeLoad {
  active: number;
  wall: number;
  cpu: number;
  wait: number;
  /** every slice said its CPU time */
  cpuKnown: boolean;
}

export class GeneratorTally {
  private readonly bees = new Map<number, BeeLoad>();
  private readonly delay = newHistogram();
  private arrivals = 0;
  private late = 0;

  add(slice: GeneratorSlice): void {
    const load = this.bees.get(slice.bee) ?? { active: 0, wall: 0, cpu: 0, wait: 0, cpuKnown: true };
    load.active += slice.active_ms;
    load.wall += slice.wall_ms;
    if (slice.cpu_ms === undefined) load.cpuKnown = false;
    else {
      load.cpu += slice.cpu_ms;
      load.wait += slice.cpu_wait_ms ?? 0;
    }
    this.bees.set(slice.bee, load);
    this.delay.add(decode(slice.loop_delay));
    this.arrivals += slice.arrivals;
    this.late += slice.late;
  }

  /** The span's figures; undefined when no bee reported its load (a k6 summary, an older bee). */
  stats(): GeneratorStats | undefined {
    if (this.bees.size === 0) return undefined;
    // the bee that came nearest to a whole core, by its loop or by the scheduler's account
    const share = (l: BeeLoad, ms: number) => (l.wall > 0 ? (100 * ms) / l.wall : 0);
    const demand = (l: BeeLoad) => Math.max(share(l, l.active), l.cpuKnown ? share(l, l.cpu + l.wait) : 0);
    const busiest = [...this.bees.values()].reduce((a, b) => (demand(b) > demand(a) ? b : a));
    const sampled = this.delay.totalCount > 0;
    const stats: GeneratorStats = {
      busy_pct: round(share(busiest, busiest.active), 1),
      cpu_pct: busiest.cpuKnown ? round(share(busiest, busiest.cpu), 1) : null,
      cpu_wait_pct: busiest.cpuKnown ? round(share(busiest, busiest.wait), 1) : null,
      loop_delay_p99_ms: sampled ? round(this.delay.getValueAtPercentile(99) / 1000, 1) : null,
      loop_delay_max_ms: sampled ? round(this.delay.maxValue / 1000, 1) : null,
      arrivals: this.arrivals,
      late_arrivals: this.late,
      late_share: this.arrivals > 0 ? round(this.late / this.arrivals, 4) : null,
      saturated_by: [],
    };
    stats.saturated_by = saturatedBy(stats);
    return stats;
  }
}

/** Which saturation thresholds the figures cross: `busy`, `cpu`, `late_arrivals`, `loop_delay`. */
export function saturatedBy(g: Omit<GeneratorStats, 'saturated_by'>): string[] {
  const by: string[] = [];
  if (g.busy_pct >= SATURATION.busy_pct) by.push('busy');
  if (g.cpu_pct !== null && g.cpu_pct + (g.cpu_wait_pct ?? 0) >= SATURATION.cpu_demand_pct) by.push('cpu');
  if (g.late_share !== null && g.late_share > SATURATION.late_share) by.push('late_arrivals');
  if (g.loop_delay_p99_ms !== null && g.loop_delay_p99_ms > SATURATION.loop_delay_p99_ms) by.push('loop_delay');
  return by;
}

/** "CPU 60%, 35% waiting for a core, event loop 99% busy, 12% of arrivals late": what made the bees the bottleneck. */
export function describeSaturation(g: GeneratorStats): string {
  const parts: string[] = [];
  if (g.cpu_pct !== null) parts.push(`CPU ${Math.round(g.cpu_pct)}%`);
  if (g.cpu_wait_pct !== null && g.saturated_by.includes('cpu') && g.cpu_wait_pct >= 5)
    parts.push(`${Math.round(g.cpu_wait_pct)}% waiting for a core`);
  parts.push(`event loop ${Math.round(g.busy_pct)}% busy`);
  if (g.late_share !== null && (g.late_share > 0 || g.saturated_by.includes('late_arrivals')))
    parts.push(`${pct(g.late_share)} of arrivals late`);
  if (g.saturated_by.includes('loop_delay')) parts.push(`loop delay p99 ${g.loop_delay_p99_ms} ms`);
  return parts.join(', ');
}

function pct(share: number): string {
  const p = share * 100;
  return `${p >= 10 || p === 0 ? Math.round(p) : p.toFixed(1)}%`;
}
