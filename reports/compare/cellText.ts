// The words every comparison view shares: a check cell, a surge phase cell, a
// threshold cell, a verdict as one character for a trend.
import type { CheckStatus } from '../../harness/record.js';
import type { CheckCell, Comparison, Regression } from './compare.js';
import { percent, thresholdValue, type SurgePhaseCell, type SurgeThresholdRow } from './surge.js';

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
