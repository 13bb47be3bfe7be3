// A comparison and a trend for the terminal: a table, one column per run, the
// checks that differ first; a cell that differs from the first run's is
// coloured on a terminal and marked ≠ otherwise.
import { paint, type Paint } from '../terminal.js';
import {
  checkCellText,
  DIFFERS_MARK,
  headline,
  phaseCellText,
  regressionText,
  summaryText,
  surgeFigureBlocks,
  thresholdCellText,
  type FigureBlock,
} from './cellText.js';
import type { Comparison } from './compare.js';
import { trendGroups, verdictMarks, type Trend, type TrendRow } from './trend.js';

/** A cell before painting: its text, and how to paint it. */
interface Cell {
  text: string;
  differs?: boolean;
  failed?: boolean;
}

export function renderComparisonTerminal(c: Comparison, color: boolean): string {
  const p = paint(color);
  const lines = [p.bold(`edgecheck compare: ${headline(c)}`)];
  c.runs.forEach((run, i) => {
    const file = run.file ? p.dim(` (${run.file})`) : '';
    lines.push(`  [${i + 1}] ${run.label}: ${summaryText(run)}${file}`);
  });
  const headings: Cell[] = [{ text: 'check' }, ...c.runs.map((r, i) => ({ text: `[${i + 1}] ${r.label}` }))];
  const rows = c.rows.map((row) => [
    { text: `${row.differs ? DIFFERS_MARK : ' '} ${row.key}${row.kind === 'required' ? '' : ` (${row.kind})`}` },
    ...row.cells.map((cell) => ({
      text: checkCellText(cell),
      differs: cell?.differs ?? true,
      failed: cell?.status === 'failed',
    })),
  ]);
  if (rows.length > 0) lines.push('', ...table([headings, ...rows], p, color));
  if (c.surge) {
    const s = c.surge;
    const plans = s.runs.map((r) => (r ? `${r.plan}: ${r.verdict}` : 'no surge'));
    lines.push('', p.bold(`surge (${plans.join(' | ')})`));
    const phaseRows = s.phases.map((row) => [
      { text: `${row.differs ? DIFFERS_MARK : ' '} ${row.key}` },
      ...row.cells.map((cell) => ({
        text: phaseCellText(cell),
        differs: cell?.differs ?? true,
        failed: (cell?.breached.length ?? 0) > 0,
      })),
    ]);
    const thresholdRows = s.thresholds.map((row) => [
      { text: `${row.differs ? DIFFERS_MARK : ' '} ${row.threshold} ${row.limit}` },
      ...row.cells.map((cell) => ({
        text: thresholdCellText(row, cell),
        differs: cell?.differs ?? true,
        failed: cell?.verdict === 'breached',
      })),
    ]);
    lines.push(...table([[{ text: 'phase' }, ...headings.slice(1)], ...phaseRows, ...thresholdRows], p, color));
    for (const block of surgeFigureBlocks(s)) {
      lines.push('', ...table([[{ text: block.title }, ...headings.slice(1)], ...blockRows(block)], p, color));
    }
  }
  const reasons = c.rows.flatMap((row) =>
    row.differs
      ? row.cells.flatMap((cell, i) =>
          cell?.reason && cell.status !== 'passed' ? [`  ${row.key} [${i + 1}]: ${cell.reason}`] : [],
        )
      : [],
  );
  if (reasons.length > 0) lines.push('', p.bold('why the checks that differ did not pass'), ...reasons.map(p.dim));
  if (c.regressions) lines.push('', ...regressionLines(c, p));
  return lines.join('\n') + '\n';
}

/** Per phase or protocol a line naming it, then a line per figure, each marked where it differs. */
function blockRows(block: FigureBlock): Cell[][] {
  return block.rows.flatMap((row) => [
    [{ text: `${row.differs ? DIFFERS_MARK : ' '} ${row.key}` }],
    ...row.lines.map((line) => [{ text: `    ${line.name}` }, ...line.cells]),
  ]);
}

/** Only the verdict against the baseline: for `run --baseline`, after the run's own report. */
export function renderRegressionsTerminal(c: Comparison, color: boolean): string {
  const p = paint(color);
  return [p.bold(`edgecheck compare: ${headline(c)}`), ...regressionLines(c, p)].join('\n') + '\n';
}

function regressionLines(c: Comparison, p: Paint): string[] {
  const baseline = `the baseline [1] ${c.runs[0]?.label ?? ''}`;
  const list = c.regressions ?? [];
  if (list.length === 0) return [p.green(`no regression against ${baseline}`)];
  return [
    p.red(p.bold(`${list.length} regression${list.length === 1 ? '' : 's'} against ${baseline}:`)),
    ...list.map((r) => p.red(`  ✗ ${regressionText(r, c)}`)),
  ];
}

/** Columns padded to their widest cell; a cell is painted after padding, so colour never shifts a column. */
function table(rows: Cell[][], p: Paint, color: boolean): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, width(cell.text))));
  return rows.map((row, r) =>
    row
      .map((cell, i) => {
        const marked = !color && cell.differs && r > 0 ? `${cell.text} ${DIFFERS_MARK}` : cell.text;
        const padded =
          i === row.length - 1 ? marked : marked + ' '.repeat(Math.max(0, (widths[i] ?? 0) - width(marked)));
        if (r === 0) return p.bold(padded);
        if (cell.differs) return cell.failed ? p.red(padded) : p.yellow(padded);
        return cell.failed ? p.red(padded) : padded;
      })
      .join('  ')
      .trimEnd(),
  );
}

/** Characters as a terminal shows them: ✓, →, ≠ and — are one column each. */
function width(s: string): number {
  return [...s].length;
}

export function renderTrendTerminal(t: Trend, color: boolean): string {
  const p = paint(color);
  const first = t.runs[0]?.label ?? '';
  const last = t.runs.at(-1)?.label ?? '';
  const lines = [
    p.bold(
      `edgecheck trend: the last ${t.runs.length} runs of ${t.targets.join(', ')} (${first} .. ${last}), ` +
        `${t.flaky} flaky check${t.flaky === 1 ? '' : 's'}`,
    ),
  ];
  const section = (title: string, rows: TrendRow[]) => {
    if (rows.length === 0) return;
    const keyWidth = Math.max(...rows.map((r) => width(r.key)));
    lines.push('', p.bold(title));
    for (const row of rows) {
      const marks = verdictMarks(row);
      const flips = row.flips > 0 ? p.dim(`  flipped ${row.flips}x`) : '';
      lines.push(`  ${row.key.padEnd(keyWidth)}  ${row.flaky ? p.yellow(marks) : marks}${flips}`);
    }
  };
  for (const g of trendGroups(t)) section(g.title, g.rows);
  lines.push('', p.dim('oldest first: ✓ passed, ✗ failed, - skipped, · not in that run'));
  return lines.join('\n') + '\n';
}
