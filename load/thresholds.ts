// The mission assessment's arithmetic: each threshold against each phase,
// then per threshold over the surge — held only if it held in every phase it
// applies to. A threshold that cannot be measured (no probe origin, no
// requests) is reported with the reason and does not fail the surge; a
// latency limit where every request failed is breached, not unmeasured.
import type {
  SurgeModel,
  SurgePhaseRecord,
  SurgeStats,
  SurgeThresholdSummary,
  ThresholdName,
  ThresholdVerdict,
} from '../harness/surgeRecord.js';
import type { Limit } from './plan.js';

const LATENCY = ['p50', 'p95', 'p99', 'p99.9'] as const;

/**
 * The limits a saturated load generator can breach by itself: its own queueing
 * lengthens latencies, requests it sends late time out, and a rate it cannot
 * send is not reached. A hit ratio and the origin's rate are the edge's at any
 * load, so their breach stands wherever it happened.
 */
const GENERATOR_CAN_BREACH: readonly ThresholdName[] = [...LATENCY, 'errors', 'min_rps'];

export interface PhaseContext {
  model: SurgeModel;
  kind: SurgePhaseRecord['kind'];
  /** open model: the phase's planned requests per second on average, and its lowest planned level */
  plannedRps?: number;
  lowestLevel: number;
  /** false when the surge stopped before the phase began */
  reached: boolean;
}

export function judge(limit: Limit, stats: SurgeStats, ctx: PhaseContext): ThresholdVerdict {
  const base = { threshold: limit.name, limit: limit.text };
  const verdict = (
    comparison: '<=' | '>=',
    limitValue: number,
    actual: number | null | undefined,
    missing: string,
  ): ThresholdVerdict => {
    if (!ctx.reached)
      return {
        ...base,
        comparison,
        limit_value: limitValue,
        actual: null,
        verdict: 'not measured',
        reason: 'the surge stopped before this phase',
      };
    if (actual === null || actual === undefined)
      return { ...base, comparison, limit_value: limitValue, actual: null, verdict: 'not measured', reason: missing };
    const held = comparison === '<=' ? actual <= limitValue : actual >= limitValue;
    return { ...base, comparison, limit_value: limitValue, actual, verdict: held ? 'held' : 'breached' };
  };
  switch (limit.name) {
    case 'p50':
    case 'p95':
    case 'p99':
    case 'p99.9':
      // an edge that answered nothing has not held a latency limit
      if (ctx.reached && !stats.latency_ms && stats.errors > 0) {
        return {
          ...base,
          comparison: '<=',
          limit_value: limit.value,
          actual: null,
          verdict: 'breached',
          reason: `no request was answered: ${stats.errors} failed`,
        };
      }
      return verdict('<=', limit.value, stats.latency_ms?.[limit.name], 'no responses in this phase');
    case 'errors':
      return verdict(
        '<=',
        limit.value,
        stats.responses + stats.errors > 0 ? stats.error_rate : null,
        'no requests completed in this phase',
      );
    case 'cache_hit_ratio': {
      const truth = stats.cache.origin_hit_ratio;
      return verdict(
        '>=',
        limit.value,
        truth ?? stats.cache.claimed_hit_ratio,
        'no probe origin to count and no vendor header claim to read',
      );
    }
    case 'origin_rps':
      return verdict('<=', limit.value, stats.cache.origin_rps, 'the target has no probe origin to count requests');
    case 'min_rps':
      return minRps(limit, stats, ctx, verdict);
  }
}

type VerdictFn = (
  comparison: '<=' | '>=',
  limitValue: number,
  actual: number | null | undefined,
  missing: string,
) => ThresholdVerdict;

/**
 * min_rps as a percentage compares with the phase's planned rate; as a
 * number it applies to phases that plan at least that much throughout (a
 * ramp from 0 cannot be held to it), and in a closed-model plan to holds and
 * spikes.
 */
function minRps(limit: Limit, stats: SurgeStats, ctx: PhaseContext, verdict: VerdictFn): ThresholdVerdict {
  if (limit.relative) {
    const planned = ctx.plannedRps ?? 0;
    return verdict('>=', round(limit.value * planned), planned > 0 ? stats.rps : null, 'the phase plans no requests');
  }
  const applies = ctx.model === 'open' ? ctx.lowestLevel >= limit.value : ctx.kind !== 'ramp';
  const why =
    ctx.model === 'open' ? `the phase plans less than ${limit.value} rps` : 'a ramp of connections has no steady rate';
  return verdict('>=', limit.value, applies ? stats.rps : null, `does not apply: ${why}`);
}

/**
 * Per threshold over the surge: breached anywhere the bees kept up;
 * inconclusive when breached only where they were the bottleneck; held
 * somewhere; or never measured.
 */
/** `plannedRps`: the whole surge's planned average (open model), for a relative min_rps. */
export function summarizeThresholds(
  planLimits: readonly Limit[],
  phases: readonly SurgePhaseRecord[],
  totals: SurgeStats,
  plannedRps?: number,
): SurgeThresholdSummary[] {
  const names: ThresholdName[] = [];
  const limits = new Map<ThresholdName, Limit>();
  for (const l of planLimits) {
    if (names.includes(l.name)) continue;
    names.push(l.name);
    limits.set(l.name, l);
  }
  for (const p of phases) for (const v of p.thresholds) if (!names.includes(v.threshold)) names.push(v.threshold);
  return names.map((name) => {
    const verdicts = phases
      .map((p) => ({ phase: p.index, v: p.thresholds.find((t) => t.threshold === name) }))
      .filter((x) => x.v);
    // a breach the bees could have caused, in a phase where they were the bottleneck, cannot fail the edge
    const excused = (phase: number) =>
      GENERATOR_CAN_BREACH.includes(name) && phases.find((p) => p.index === phase)?.generator_limited === true;
    const breaches = verdicts.filter((x) => x.v!.verdict === 'breached').map((x) => x.phase);
    const breachedIn = breaches.filter((i) => !excused(i));
    const inconclusiveIn = breaches.filter(excused);
    const first = verdicts[0]!.v!;
    const overall = wholeSurgeValue(name, totals);
    const summary: SurgeThresholdSummary = {
      threshold: name,
      limit: limits.get(name)?.text ?? first.limit,
      comparison: first.comparison,
      limit_value: limitValue(limits.get(name), first, plannedRps),
      actual: overall,
      verdict:
        breachedIn.length > 0
          ? 'breached'
          : inconclusiveIn.length > 0
            ? 'inconclusive'
            : verdicts.some((x) => x.v!.verdict === 'held')
              ? 'held'
              : 'not measured',
      breached_in: breachedIn,
      ...(inconclusiveIn.length > 0 ? { inconclusive_in: inconclusiveIn } : {}),
    };
    const reason = verdicts.find((x) => x.v!.reason)?.v!.reason;
    if (summary.verdict === 'not measured' && reason) summary.reason = reason;
    return summary;
  });
}

function limitValue(limit: Limit | undefined, first: ThresholdVerdict, plannedRps: number | undefined): number {
  if (!limit) return first.limit_value;
  return limit.relative ? round(limit.value * (plannedRps ?? 0)) : limit.value;
}

function wholeSurgeValue(name: ThresholdName, totals: SurgeStats): number | null {
  if ((LATENCY as readonly string[]).includes(name))
    return totals.latency_ms?.[name as (typeof LATENCY)[number]] ?? null;
  if (name === 'errors') return totals.responses + totals.errors > 0 ? totals.error_rate : null;
  if (name === 'cache_hit_ratio') return totals.cache.origin_hit_ratio ?? totals.cache.claimed_hit_ratio;
  if (name === 'origin_rps') return totals.cache.origin_rps ?? null;
  return totals.rps;
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
