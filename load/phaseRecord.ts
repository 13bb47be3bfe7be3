// One phase of the surge section: what was planned, what was measured, and each
// threshold's verdict. Shared by the local surge and the k6 summary import, so
// both give the same mission assessment.
import type { GeneratorStats, SurgePhaseRecord, SurgeRecord, SurgeStats } from '../harness/surgeRecord.js';
import { describeSaturation } from './generatorTally.js';
import type { PlanPhase, SurgePlan } from './plan.js';
import type { Schedule } from './schedule.js';
import { round } from './tally.js';
import { judge, summarizeThresholds } from './thresholds.js';

type Phase = PlanPhase;

/**
 * `reached`: did the surge get into this phase with traffic to judge?
 * `generator`: how hard the bees worked in it (the local surge only).
 */
export function phaseRecord(
  plan: SurgePlan,
  schedule: Schedule,
  p: Phase,
  span: number,
  stats: SurgeStats,
  reached: boolean,
  generator?: GeneratorStats,
): SurgePhaseRecord {
  const planned =
    plan.model === 'open'
      ? schedule.cumulativeAt(p.startMs + p.durationMs) - schedule.cumulativeAt(p.startMs)
      : undefined;
  const plannedRps = planned !== undefined ? planned / (p.durationMs / 1000) : undefined;
  // a phase cut short (Ctrl-C) is held to the rate planned for the part that ran, not a whole ramp's average
  const ranRps =
    planned !== undefined && span > 0 && span < p.durationMs
      ? (schedule.cumulativeAt(p.startMs + span) - schedule.cumulativeAt(p.startMs)) / (span / 1000)
      : plannedRps;
  const ctx = {
    model: plan.model,
    kind: p.kind,
    lowestLevel: Math.min(p.from, p.to),
    reached,
    ...(ranRps !== undefined ? { plannedRps: ranRps } : {}),
  };
  return {
    index: p.index,
    kind: p.kind,
    label: p.label,
    start_ms: p.startMs,
    duration_ms: span,
    planned: {
      unit: plan.model === 'open' ? 'rps' : plan.model === 'closed' ? 'connections' : 'visitors',
      from: p.from,
      to: p.to,
      ...(planned !== undefined ? { requests: Math.round(planned), rps: round(plannedRps!) } : {}),
    },
    ...stats,
    thresholds: p.thresholds.map((l) => judge(l, stats, ctx)),
    ...(generator ? { generator, generator_limited: generator.saturated_by.length > 0 } : {}),
  };
}

/** What a surge section's source measured; the plan's fields, thresholds and verdict are added here. */
export type SurgeMeasurement = Omit<
  SurgeRecord,
  'plan' | 'title' | 'plan_file' | 'model' | 'bees' | 'connections' | 'planned_duration_ms' | 'thresholds' | 'verdict'
>;

/** The surge section of a run record, from the local surge or a k6 summary alike. */
export function surgeSection(
  plan: SurgePlan,
  schedule: Schedule,
  elapsedMs: number,
  measured: SurgeMeasurement,
): SurgeRecord {
  const plannedRps =
    plan.model === 'open' && elapsedMs > 0 ? schedule.cumulativeAt(elapsedMs) / (elapsedMs / 1000) : undefined;
  const thresholds = summarizeThresholds(plan.thresholds, measured.phases, measured.totals, plannedRps);
  return {
    plan: plan.name,
    ...(plan.title !== undefined ? { title: plan.title } : {}),
    plan_file: plan.file,
    model: plan.model,
    bees: plan.bees,
    connections: plan.connections,
    planned_duration_ms: plan.durationMs,
    ...measured,
    thresholds,
    ...surgeVerdict(thresholds, measured.phases),
  };
}

/**
 * Breached when a threshold was breached where the bees kept up; else
 * inconclusive when one was breached only where they were the bottleneck,
 * naming those phases and what saturated the bees; else held.
 */
export function surgeVerdict(
  thresholds: SurgeRecord['thresholds'],
  phases: readonly SurgePhaseRecord[],
): Pick<SurgeRecord, 'verdict' | 'inconclusive_reason'> {
  if (thresholds.some((t) => t.verdict === 'breached')) return { verdict: 'breached' };
  const where = [...new Set(thresholds.flatMap((t) => t.inconclusive_in ?? []))].sort((a, b) => a - b);
  if (where.length === 0) return { verdict: 'held' };
  const named = where.map((i) => {
    const ph = phases.find((p) => p.index === i)!;
    return `phase ${i + 1} ${ph.label} (${ph.generator ? describeSaturation(ph.generator) : 'saturated'})`;
  });
  return { verdict: 'inconclusive', inconclusive_reason: `the bees were the bottleneck in ${named.join('; ')}` };
}
