// Surges side by side: per phase the p99, the error rate and the hit ratio,
// per threshold its verdict in each run, the surges' own connections where a
// run has them (connections.ts), each protocol of a plan that mixes h1 and h2
// (protocols.ts); and which thresholds that held in a baseline breach now.
import type { RunRecord } from '../../harness/record.js';
import type { SurgePhaseRecord, SurgeRecord, SurgeThresholdSummary, ThresholdName } from '../../harness/surgeRecord.js';
import type { Regression } from './compare.js';
import { compareConnections, type SurgeConnectionRow } from './connections.js';
import { compareProtocols, type SurgeProtocolRow } from './protocols.js';

/** One phase in one run. */
export interface SurgePhaseCell {
  p99_ms: number | null;
  /** errors / (responses + transport errors), 0..1 */
  error_rate: number;
  /** the origin's count when there is a probe origin (the ground truth), else the vendor header's claim; 0..1 */
  hit_ratio: number | null;
  hit_ratio_from: 'origin' | 'claim';
  /** the thresholds this phase breached */
  breached: ThresholdName[];
  /** breaches another set of thresholds than the first run's phase */
  differs: boolean;
}

/** A phase across the runs, matched by its place in the plan and its label. */
export interface SurgePhaseRow {
  /** "1 ramp 0 -> 100 rps over 10s" (1-based, as the mission assessment numbers them) */
  key: string;
  index: number;
  label: string;
  cells: Array<SurgePhaseCell | null>;
  differs: boolean;
}

/** A threshold over the whole surge, in each run. */
export interface SurgeThresholdRow {
  threshold: ThresholdName;
  /** the limit as the first run's plan wrote it: "250ms", "0.1%" */
  limit: string;
  cells: Array<{
    verdict: SurgeThresholdSummary['verdict'];
    actual: number | null;
    limit: string;
    breached_in: number[];
    /** another verdict or limit than the first run's */
    differs: boolean;
  } | null>;
  differs: boolean;
}

export interface SurgeComparison {
  /** per run: the plan, and the surge's verdict; null where the run flew no surge */
  runs: Array<{ plan: string; verdict: SurgeRecord['verdict']; partial: boolean } | null>;
  phases: SurgePhaseRow[];
  thresholds: SurgeThresholdRow[];
  /** present when some run has a connections block (visitors, h2): per phase, then the whole surge */
  connections?: SurgeConnectionRow[];
  /** present when some run's plan mixed h1 and h2 paths: a row per protocol, over the whole surge */
  protocols?: SurgeProtocolRow[];
  /** some phase, threshold, connection or protocol row differs, or some run flew no surge */
  differs: boolean;
}

export function compareSurges(records: RunRecord[]): SurgeComparison {
  const surges = records.map((r) => r.surge ?? null);
  const phases = new Map<string, SurgePhaseRow>();
  const thresholds = new Map<ThresholdName, SurgeThresholdRow>();
  surges.forEach((surge, i) => {
    for (const phase of surge?.phases ?? []) {
      const key = `${phase.index + 1} ${phase.label}`;
      const row = phases.get(key) ?? {
        key,
        index: phase.index,
        label: phase.label,
        cells: surges.map(() => null),
        differs: false,
      };
      row.cells[i] = phaseCell(phase);
      phases.set(key, row);
    }
    for (const t of surge?.thresholds ?? []) {
      const row = thresholds.get(t.threshold) ?? {
        threshold: t.threshold,
        limit: t.limit,
        cells: surges.map(() => null),
        differs: false,
      };
      row.cells[i] = {
        verdict: t.verdict,
        actual: t.actual,
        limit: t.limit,
        breached_in: t.breached_in,
        differs: false,
      };
      thresholds.set(t.threshold, row);
    }
  });
  for (const row of phases.values()) {
    const first = row.cells[0];
    for (const cell of row.cells) {
      if (cell && cell !== first) cell.differs = !first || cell.breached.join() !== first.breached.join();
    }
    row.differs = row.cells.some((c) => c === null || c.differs);
  }
  for (const row of thresholds.values()) {
    const first = row.cells[0];
    for (const cell of row.cells) {
      if (cell && cell !== first) cell.differs = !first || cell.verdict !== first.verdict || cell.limit !== first.limit;
    }
    row.differs = row.cells.some((c) => c === null || c.differs);
  }
  const phaseRows = [...phases.values()].sort((a, b) => a.index - b.index);
  const thresholdRows = [...thresholds.values()];
  const connections = compareConnections(surges);
  const protocols = compareProtocols(surges);
  const rows = [...phaseRows, ...thresholdRows, ...(connections ?? []), ...(protocols ?? [])];
  return {
    runs: surges.map((s) => (s ? { plan: s.plan, verdict: s.verdict, partial: s.partial } : null)),
    phases: phaseRows,
    thresholds: thresholdRows,
    ...(connections ? { connections } : {}),
    ...(protocols ? { protocols } : {}),
    differs: surges.includes(null) || rows.some((r) => r.differs),
  };
}

function phaseCell(phase: SurgePhaseRecord): SurgePhaseCell {
  const origin = phase.cache.origin_hit_ratio;
  return {
    p99_ms: phase.latency_ms?.p99 ?? null,
    error_rate: phase.error_rate,
    hit_ratio: origin ?? phase.cache.claimed_hit_ratio,
    hit_ratio_from: origin !== undefined && origin !== null ? 'origin' : 'claim',
    breached: phase.thresholds.filter((t) => t.verdict === 'breached').map((t) => t.threshold),
    differs: false,
  };
}

/** The thresholds that held in the baseline's surge and breach in this one. */
export function surgeRegressions(baseline: SurgeRecord, current: SurgeRecord, run: number): Regression[] {
  const held = new Set(baseline.thresholds.filter((t) => t.verdict === 'held').map((t) => t.threshold));
  return current.thresholds
    .filter((t) => t.verdict === 'breached' && held.has(t.threshold))
    .map((t) => {
      const where = t.breached_in.map((i) => current.phases[i]?.label ?? `phase ${i + 1}`);
      const actual = t.actual === null ? 'not measured' : thresholdValue(t.threshold, t.actual);
      return {
        run,
        key: `surge/${t.threshold}`,
        title: `surge ${current.plan}: ${t.threshold} ${t.comparison} ${t.limit}`,
        was: 'held',
        now: 'breached',
        detail: `${actual} against ${t.limit}${where.length ? ` in ${where.join('; ')}` : ''}`,
      };
    });
}

/** A threshold's actual in its unit: "312 ms", "0.4%", "88.1%", "55 rps". */
export function thresholdValue(threshold: ThresholdName, value: number): string {
  if (threshold === 'errors' || threshold === 'cache_hit_ratio') return percent(value);
  if (threshold === 'origin_rps' || threshold === 'min_rps') return `${round(value)} rps`;
  return `${round(value)} ms`;
}

export function percent(ratio: number): string {
  return `${round(ratio * 100)}%`;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
