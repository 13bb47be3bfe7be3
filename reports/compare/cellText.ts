// The words every comparison view shares: a check cell, a surge phase cell, a
// threshold cell, the surge's blocks of figures (connections, protocols) a
// figure a line, a verdict as one character for a trend.
import type { CheckStatus } from '../../harness/record.js';
import type { CheckCell, Comparison, Regression } from './compare.js';
import type { SurgeConnectionCell } from './connections.js';
import type { SurgeProtocolCell } from './protocols.js';
import { percent, thresholdValue, type SurgeComparison, type SurgePhaseCell, type SurgeThresholdRow } from './surge.js';

export const VERDICT: Record<CheckStatus, string> = { passed: 'pass', failed: 'fail', skipped: 'skip' };
export const VERDICT_MARK: Record<CheckStatus, string> = { passed: '✓', failed: '✗', skipped: '-' };
/** a cell that differs from the first run's, where there is no colour to show it */
export const DIFFERS_MARK = '≠';

/** "pass · origin→cache · age 3"; a failure of an optimal or info check says so. */
export function checkCellText(cell: CheckCell | null): string {
  if (!cell) return '—';
  const verdict = cell.status === 'failed' && cell.kind !== 'required' ? `fail (${cell.kind})` : VERDICT[cell.status];
  return [verdict, ...cell.figures.map((f) => f.text)].join(' · ');
}

export function phaseCellText(cell: SurgePhaseCell | null): string {
  if (!cell) return '—';
  const hit = cell.hit_ratio === null ? 'no hit ratio' : `hit ${percent(cell.hit_ratio)}`;
  const parts = [`p99 ${cell.p99_ms === null ? '—' : `${cell.p99_ms} ms`}`, `errors ${percent(cell.error_rate)}`, hit];
  if (cell.breached.length > 0) parts.push(`breached ${cell.breached.join(', ')}`);
  return parts.join(' · ');
}

/** A cell of a block of surge figures: the figures that differ from the first run's. */
interface FigureCell {
  differs_in: readonly string[];
}

/**
 * A cell of a block (connections, protocols) is shown one figure a line, so
 * each figure can be marked where it differs: its name, its text, and the
 * figure `differs_in` names.
 */
export interface FigureLine<C extends FigureCell> {
  name: string;
  figure?: C['differs_in'][number];
  text: (c: C) => string;
}

const ms = (v: number) => `${Math.round(v * 10) / 10} ms`;

export const CONNECTION_LINES: readonly FigureLine<SurgeConnectionCell>[] = [
  {
    name: 'handshakes/s',
    text: (c) =>
      `${c.handshakes_per_s ?? '-'}${c.planned_visits_per_s === null ? '' : ` of ${c.planned_visits_per_s} planned`}`,
  },
  {
    name: 'full handshake p99',
    text: (c) =>
      c.full_p99_ms !== null
        ? ms(c.full_p99_ms)
        : c.any_p99_ms !== null
          ? `${ms(c.any_p99_ms)} (full and resumed together)`
          : '-',
  },
  { name: 'resumed handshake p99', text: (c) => (c.resumed_p99_ms === null ? '-' : ms(c.resumed_p99_ms)) },
  {
    name: 'sessions resumed',
    figure: 'resumption',
    text: (c) => {
      const r = c.resumption;
      return r ? `${percent(r.ratio)} (${r.granted}/${r.offered})` : '-';
    },
  },
  {
    name: 'h2',
    figure: 'h2',
    text: (c) => {
      if (c.h2_share === null) return '-';
      const of = c.h2_of === 'responses' ? ' of responses' : '';
      return `${percent(c.h2_share)}${of}${c.h2_fallbacks ? `, ${c.h2_fallbacks} fell back` : ''}`;
    },
  },
  {
    name: 'connection errors',
    figure: 'errors',
    text: (c) => {
      if (!c.errors_by_kind) return '-';
      const kinds = Object.entries(c.errors_by_kind).filter(([, n]) => n > 0);
      return kinds.length ? kinds.map(([kind, n]) => `${kind} ${n}`).join(', ') : 'none';
    },
  },
];

export const PROTOCOL_LINES: readonly FigureLine<SurgeProtocolCell>[] = [
  {
    name: 'share of requests',
    text: (c) =>
      c.planned_of === 'connections'
        ? `${percent(c.share)} (${percent(c.planned_share)} of connections planned)`
        : `${percent(c.share)} of ${percent(c.planned_share)} planned`,
  },
  { name: 'p99', text: (c) => (c.p99_ms === null ? '-' : ms(c.p99_ms)) },
  {
    name: 'errors',
    figure: 'errors',
    text: (c) => (c.errors === 0 ? 'none' : `${percent(c.error_rate)} (${c.errors})`),
  },
];

/** A block of surge figures lined up across runs, as every view shows it: a row names a phase or a protocol. */
export interface FigureBlock {
  /** its heading and first column: "connections", "protocols" */
  title: string;
  rows: Array<{
    key: string;
    differs: boolean;
    /** a line per figure, a cell per run: "-" where the run has no such row */
    lines: Array<{ name: string; cells: Array<{ text: string; differs: boolean }> }>;
  }>;
}

/** The surge's blocks: its connections when some run has them, its protocols when some run's plan mixed them. */
export function surgeFigureBlocks(s: SurgeComparison): FigureBlock[] {
  return [
    ...(s.connections ? [figureBlock('connections', s.connections, CONNECTION_LINES)] : []),
    ...(s.protocols ? [figureBlock('protocols', s.protocols, PROTOCOL_LINES)] : []),
  ];
}

function figureBlock<C extends FigureCell>(
  title: string,
  rows: ReadonlyArray<{ key: string; differs: boolean; cells: Array<C | null> }>,
  lines: readonly FigureLine<C>[],
): FigureBlock {
  return {
    title,
    rows: rows.map((row) => ({
      key: row.key,
      differs: row.differs,
      lines: lines.map((line) => ({
        name: line.name,
        cells: row.cells.map((cell) => ({
          text: cell ? line.text(cell) : '-',
          // a missing cell marks the row, not each figure
          differs: line.figure !== undefined && (cell?.differs_in.includes(line.figure) ?? false),
        })),
      })),
    })),
  };
}

export function thresholdCellText(row: SurgeThresholdRow, cell: SurgeThresholdRow['cells'][number]): string {
  if (!cell) return '—';
  const actual = cell.actual === null ? '' : ` (${thresholdValue(row.threshold, cell.actual)})`;
  return `${cell.verdict}${actual}`;
}

export function summaryText(c: Comparison['runs'][number]): string {
  const { passed, failed, skipped } = c.summary;
  return `${passed} passed, ${failed} failed, ${skipped} skipped`;
}

/** "2 runs, 42 checks: 3 differ" or "2 runs, 42 checks: no difference" */
export function headline(c: Comparison): string {
  const checks = `${c.runs.length} runs, ${c.rows.length} checks${c.surge ? ' and a surge' : ''}`;
  if (c.differing === 0 && !c.surge?.differs) return `${checks}: no difference`;
  const parts = [];
  if (c.differing > 0) parts.push(c.differing === 1 ? '1 check differs' : `${c.differing} checks differ`);
  if (c.surge?.differs) parts.push('the surges differ');
  return `${checks}: ${parts.join(', ')}`;
}

export function regressionText(r: Regression, c: Comparison): string {
  const kind = r.key.startsWith('surge/') ? '' : ' (required)';
  const detail = r.detail ? `: ${r.detail}` : '';
  return `${r.key}${kind} in ${c.runs[r.run]?.label ?? `run ${r.run + 1}`}: ${r.was} -> ${r.now}${detail}`;
}
