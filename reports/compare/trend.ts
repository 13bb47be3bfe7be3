// A trend from a history of run records of one target: per check its last N
// verdicts, oldest first, and the checks that flip (flaky) apart from those
// that changed once and stayed.
import type { CheckStatus } from '../../harness/record.js';
import { VERDICT_MARK } from './cellText.js';
import { compareRuns, type CompareInput, type ComparedRun } from './compare.js';

export const DEFAULT_TREND_RUNS = 10;

export interface TrendRow {
  key: string;
  title: string;
  kind: 'required' | 'optimal' | 'info';
  /** one per run of `Trend.runs`, oldest first; null where that run lacks the check */
  verdicts: Array<CheckStatus | null>;
  /** how often the verdict changed between passed and failed (skips and gaps do not count) */
  flips: number;
  /** it went one way and came back (two flips or more) */
  flaky: boolean;
}

export interface Trend {
  /** the last N runs, oldest first */
  runs: ComparedRun[];
  /** the target names the runs belong to (one, when the history is of one target) */
  targets: string[];
  /** flaky first, then the checks whose verdict changed once, then the steady ones */
  rows: TrendRow[];
  flaky: number;
}

export function trendOf(inputs: CompareInput[], last = DEFAULT_TREND_RUNS): Trend {
  const byTime = [...inputs].sort((a, b) => Date.parse(a.record.started) - Date.parse(b.record.started));
  const comparison = compareRuns(byTime.slice(-last), { order: 'record' });
  const rows = comparison.rows.map((row): TrendRow => {
    const verdicts = row.cells.map((c) => c?.status ?? null);
    const flips = countFlips(verdicts);
    return { key: row.key, title: row.title, kind: row.kind, verdicts, flips, flaky: flips >= 2 };
  });
  const rank = (r: TrendRow) => (r.flaky ? 0 : r.flips > 0 ? 1 : 2);
  return {
    runs: comparison.runs,
    targets: [...new Set(comparison.runs.map((r) => r.target.name))],
    rows: rows
      .map((row, i) => ({ row, i }))
      .sort((a, b) => rank(a.row) - rank(b.row) || a.i - b.i)
      .map((x) => x.row),
    flaky: rows.filter((r) => r.flaky).length,
  };
}

function countFlips(verdicts: Array<CheckStatus | null>): number {
  const decided = verdicts.filter((v): v is 'passed' | 'failed' => v === 'passed' || v === 'failed');
  return decided.filter((v, i) => i > 0 && v !== decided[i - 1]).length;
}

/** The trend's rows as every renderer shows them: the flaky, those that changed once, the steady. */
export function trendGroups(t: Trend): Array<{ title: string; rows: TrendRow[] }> {
  return [
    { title: 'flaky (the verdict flips)', rows: t.rows.filter((r) => r.flaky) },
    { title: 'changed once', rows: t.rows.filter((r) => !r.flaky && r.flips > 0) },
    { title: 'steady', rows: t.rows.filter((r) => r.flips === 0) },
  ];
}

/** A row's verdicts, oldest first, one mark each (· where the run lacks the check). */
export function verdictMarks(row: TrendRow): string {
  return row.verdicts.map((v) => (v === null ? '·' : VERDICT_MARK[v])).join('');
}
