// The comparison engine: run records in, a Comparison out — one row per check,
// one column per run, the verdict and the figures that matter, what differs
// from the first run, and (against a baseline) what regressed. Every view of
// several runs (compare's terminal, Markdown, JSON and HTML, the README's lab
// matrix, a history's trend) renders a Comparison.
import type { CheckRecord, CheckStatus, RunRecord, RunSummary } from '../../harness/record.js';
import { runFailed } from '../../harness/record.js';
import { figuresOf, type Figure } from './figures.js';
import { compareSurges, surgeRegressions, type SurgeComparison } from './surge.js';

export const COMPARISON_SCHEMA = 'edgecheck.comparison/1';

/** A run: one column of the comparison. */
export interface ComparedRun {
  /** the column heading: target name and start time (UTC), "lab 2026-11-23 00:00:01" */
  label: string;
  target: RunRecord['target'];
  run_id: string;
  started: string;
  finished: string;
  summary: RunSummary;
  /** the run record's file, when it was read from one */
  file?: string;
  /** a required check failed, or the surge breached */
  failed: boolean;
}

/** One check in one run. */
export interface CheckCell {
  status: CheckStatus;
  kind: CheckRecord['kind'];
  reason?: string;
  duration_ms: number;
  figures: Figure[];
  /** differs from the first run's cell: another verdict or another behaviour figure (not a measure) */
  differs: boolean;
}

/** One check across the runs. */
export interface CheckRow {
  /** "suite/id" */
  key: string;
  suite: string;
  id: string;
  /** title, kind and spec as the first run that has the check gives them */
  title: string;
  kind: CheckRecord['kind'];
  spec?: string;
  /** one per run, in the order of `runs`; null where that run has no such check */
  cells: Array<CheckCell | null>;
  /** some run's cell differs from the first run's, or some run lacks the check */
  differs: boolean;
}

/** What got worse in a run against the baseline (the first run). */
export interface Regression {
  /** the index in `runs` of the run that regressed */
  run: number;
  /** "suite/id" for a check; "surge/<threshold>" for a surge threshold */
  key: string;
  title: string;
  /** "passed" -> "failed" for a check, "held" -> "breached" for a threshold */
  was: string;
  now: string;
  /** the check's reason, or the threshold's actual against its limit and the phases it breached in */
  detail?: string;
}

export interface Comparison {
  schema: typeof COMPARISON_SCHEMA;
  runs: ComparedRun[];
  /** the checks that differ first, then the rest; within each, in the order the runs list them */
  rows: CheckRow[];
  /** how many rows differ (the surge says for itself, `surge.differs`) */
  differing: number;
  /** present when some run carries a surge: per phase p99, error rate, hit ratio; per threshold its verdict */
  surge?: SurgeComparison;
  /** present when judged against a baseline (`judge`): the first run is the baseline */
  regressions?: Regression[];
}

export interface CompareInput {
  record: RunRecord;
  file?: string;
}

export interface CompareOptions {
  /** 'differing-first' (default) or 'record': the order the runs list their checks, for tables that keep it */
  order?: 'differing-first' | 'record';
}

export function compareRuns(inputs: CompareInput[], opts: CompareOptions = {}): Comparison {
  const runs = inputs.map(({ record, file }) => comparedRun(record, file));
  const byKey = new Map<string, CheckRow>();
  inputs.forEach(({ record }, i) => {
    for (const check of record.checks) {
      const key = `${check.suite}/${check.id}`;
      let row = byKey.get(key);
      if (!row) {
        row = {
          key,
          suite: check.suite,
          id: check.id,
          title: check.title,
          kind: check.kind,
          ...(check.spec !== undefined ? { spec: check.spec } : {}),
          cells: inputs.map(() => null),
          differs: false,
        };
        byKey.set(key, row);
      }
      row.cells[i] = cellOf(check);
    }
  });
  const rows = [...byKey.values()];
  for (const row of rows) markDifferences(row);
  const ordered =
    opts.order === 'record' ? rows : [...rows.filter((r) => r.differs), ...rows.filter((r) => !r.differs)];
  const surge = inputs.some(({ record }) => record.surge) ? compareSurges(inputs.map((i) => i.record)) : undefined;
  return {
    schema: COMPARISON_SCHEMA,
    runs,
    rows: ordered,
    differing: rows.filter((r) => r.differs).length,
    ...(surge ? { surge } : {}),
  };
}

function comparedRun(record: RunRecord, file: string | undefined): ComparedRun {
  return {
    label: `${record.target.name} ${shortTime(record.started)}`,
    target: record.target,
    run_id: record.run_id,
    started: record.started,
    finished: record.finished,
    summary: record.summary,
    ...(file !== undefined ? { file } : {}),
    failed: runFailed(record) || record.surge?.verdict === 'breached',
  };
}

/** "2026-11-23T00:00:01.123Z" -> "2026-11-23 00:00:01"; anything else as it is. */
function shortTime(iso: string): string {
  const m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)/.exec(iso);
  return m ? `${m[1]} ${m[2]}` : iso;
}

function cellOf(check: CheckRecord): CheckCell {
  return {
    status: check.status,
    kind: check.kind,
    ...(check.reason !== undefined ? { reason: check.reason } : {}),
    duration_ms: check.duration_ms,
    figures: figuresOf(check),
    differs: false,
  };
}

/** The part of a cell that two runs must share to count as the same: the verdict and the behaviour figures. */
function behaviour(cell: CheckCell): string {
  return [cell.status, ...cell.figures.filter((f) => !f.measure).map((f) => `${f.name}=${f.text}`)].join('|');
}

function markDifferences(row: CheckRow): void {
  const first = row.cells[0];
  for (const cell of row.cells) {
    if (cell && cell !== first) cell.differs = !first || behaviour(cell) !== behaviour(first);
  }
  row.differs = row.cells.some((c) => c === null || c.differs);
}

export type FailOn = 'regression' | 'any-failure';
export const FAIL_ON: readonly FailOn[] = ['regression', 'any-failure'];

/**
 * Judges every run after the first against the first (the baseline): a
 * required check that passed there and fails now, a surge threshold that held
 * there and breaches now. Returns the comparison with its regressions.
 */
export function judge(comparison: Comparison, inputs: CompareInput[]): Comparison {
  const regressions: Regression[] = [];
  comparison.runs.forEach((_, run) => {
    if (run === 0) return;
    for (const row of comparison.rows) {
      const was = row.cells[0];
      const now = row.cells[run];
      if (was?.status !== 'passed' || now?.status !== 'failed' || now.kind !== 'required') continue;
      regressions.push({
        run,
        key: row.key,
        title: row.title,
        was: 'passed',
        now: 'failed',
        ...(now.reason !== undefined ? { detail: now.reason } : {}),
      });
    }
    const [baseline, current] = [inputs[0]?.record.surge, inputs[run]?.record.surge];
    if (baseline && current) regressions.push(...surgeRegressions(baseline, current, run));
  });
  return { ...comparison, regressions };
}

/**
 * The exit code a comparison asks for: with `regression`, 1 when any run
 * regressed against the baseline; with `any-failure`, 1 when any run judged
 * (every run after the baseline, or every run without one) failed a required
 * check or breached a surge threshold.
 */
export function comparisonExitCode(comparison: Comparison, failOn: FailOn | undefined, baseline: boolean): number {
  if (failOn === 'regression') return (comparison.regressions ?? []).length > 0 ? 1 : 0;
  if (failOn === 'any-failure') return comparison.runs.some((r, i) => r.failed && (!baseline || i > 0)) ? 1 : 0;
  return 0;
}

/** No check and no surge phase or threshold differs. */
export function noDifference(comparison: Comparison): boolean {
  return comparison.differing === 0 && !comparison.surge?.differs;
}
