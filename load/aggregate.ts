// The queen's books: every second's slices from all bees are decoded once and
// added into that second's tally (for the timeline), their phase's tally and
// the whole surge's. HDR addition is exact, so phase and total percentiles
// are those of every recorded value.
import type { SurgeProtocol, SurgeSecond } from '../harness/surgeRecord.js';
import type { SliceReport } from './beeProtocol.js';
import { GeneratorTally } from './generatorTally.js';
import { HandshakeTally } from './handshakeTally.js';
import { decode } from './latencyHistogram.js';
import { opensOwnConnections, type SurgePlan } from './plan.js';
import type { Schedule } from './schedule.js';
import { round, Tally } from './tally.js';

export class SurgeAggregate {
  readonly total = new Tally();
  readonly phases: Tally[];
  /** the bees' own TLS connections (visitors model, h2), per phase and in all */
  readonly connections = new HandshakeTally();
  readonly phaseConnections: HandshakeTally[];
  readonly timeline: SurgeSecond[] = [];
  /** the bees' own load per phase: was the generator the bottleneck there? */
  readonly generatorPhases: GeneratorTally[];
  /** paths over h1 and h2: each protocol's bees apart */
  readonly byProtocol = new Map<SurgeProtocol, Tally>();

  constructor(
    private readonly plan: SurgePlan,
    private readonly schedule: Schedule,
  ) {
    this.phases = plan.phases.map(() => new Tally());
    this.generatorPhases = plan.phases.map(() => new GeneratorTally());
    this.phaseConnections = plan.phases.map(() => new HandshakeTally());
  }

  addSecond(second: number, slices: readonly SliceReport[]): SurgeSecond {
    const tally = new Tally();
    const generator = new GeneratorTally();
    const handshakes = new HandshakeTally();
    for (const slice of slices) {
      const latency = decode(slice.latency);
      const phase = Math.min(slice.phase, this.phases.length - 1);
      tally.add(slice, latency);
      this.total.add(slice, latency);
      this.phases[phase]!.add(slice, latency);
      if (this.plan.protocols.length > 1 && slice.protocol) {
        const mine = this.byProtocol.get(slice.protocol) ?? new Tally();
        this.byProtocol.set(slice.protocol, mine);
        mine.add(slice, latency);
      }
      if (slice.generator) {
        generator.add(slice.generator);
        this.generatorPhases[phase]!.add(slice.generator);
      }
      if (slice.connections) {
        handshakes.add(slice.connections);
        this.connections.add(slice.connections);
        this.phaseConnections[phase]!.add(slice.connections);
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
      // the bees open their own connections: a second without a handshake counts 0
      ...(opensOwnConnections(this.plan) ? { handshakes: handshakes.handshakes } : {}),
    };
    this.timeline.push(entry);
    return entry;
  }
}
