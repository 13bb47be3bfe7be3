// The queen's books: every second's slices from all bees are decoded once and
// added into that second's tally (for the timeline), their phase's tally and
// the whole surge's. HDR addition is exact, so phase and total percentiles
// are those of every recorded value.
import type { SurgeSecond } from '../harness/surgeRecord.js';
import type { SliceReport } from './beeProtocol.js';
import { GeneratorTally } from './generatorTally.js';
import { decode } from './latencyHistogram.js';
import type { SurgePlan } from './plan.js';
import type { Schedule } from './schedule.js';
import { round, Tally } from './tally.js';

export class SurgeAggregate {
  readonly total = new Tally();
  readonly phases: Tally[];
  readonly timeline: SurgeSecond[] = [];
  /** the bees' own load per phase: was the generator the bottleneck there? */
  readonly generatorPhases: GeneratorTally[];

  constructor(
    private readonly plan: SurgePlan,
    private readonly schedule: Schedule,
  ) {
    this.phases = plan.phases.map(() => new Tally());
    this.generatorPhases = plan.phases.map(() => new GeneratorTally());
  }

  addSecond(second: number, slices: readonly SliceReport[]): SurgeSecond {
    const tally = new Tally();
    const generator = new GeneratorTally();
    for (const slice of slices) {
      const latency = decode(slice.latency);
      tally.add(slice, latency);
      this.total.add(slice, latency);
      const phase = Math.min(slice.phase, this.phases.length - 1);
      this.phases[phase]!.add(slice, latency);
      if (slice.generator) {
        generator.add(slice.generator);
        this.generatorPhases[phase]!.add(slice.generator);
      }
    }
    const load = generator.stats();
    const stats = tally.stats(1000);
    const startMs = second * 1000;
    const entry: SurgeSecond = {
      t: second,
      phase: this.schedule.segmentAt(Math.min(startMs, this.schedule.durationMs)),
      planned_rps:
        this.plan.model === 'open'
          ? round(this.schedule.cumulativeAt(startMs + 1000) - this.schedule.cumulativeAt(startMs))
          : null,
      ...(this.plan.model === 'closed'
        ? { planned_connections: Math.round(this.schedule.levelAt(Math.min(startMs + 500, this.schedule.durationMs))) }
        : {}),
      sent: stats.sent,
      rps: stats.responses,
      latency_ms: stats.latency_ms,
      status: stats.status,
      errors: stats.errors,
      errors_by_kind: stats.errors_by_kind,
      claimed_hit_ratio: stats.cache.claimed_hit_ratio === null ? null : round(stats.cache.claimed_hit_ratio, 4),
      ...(load ? { generator: load, generator_limited: load.saturated_by.length > 0 } : {}),
    };
    this.timeline.push(entry);
    return entry;
  }
}
