// A comparison and a trend as GitHub Markdown, for $GITHUB_STEP_SUMMARY or a
// pull-request comment: the checks that differ first, a cell that differs from
// the first run's marked ≠ and a failure in bold.
import {
  checkCellText,
  DIFFERS_MARK,
  headline,
  phaseCellText,
  regressionText,
  summaryText,
  surgeFigureBlocks,
  thresholdCellText,
} from './cellText.js';
import type { Comparison } from './compare.js';
import { trendGroups, verdictMarks, type Trend, type TrendRow } from './trend.js';

/** A table cell: no pipe or line break may escape it. */
export function mdCell(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

const code = (s: string) => `\`${s.replace(/`/g, "'")}\``;

function cell(text: string, opts: { differs: boolean; failed: boolean }): string {
  const shown = opts.failed ? `**${mdCell(text)}**` : mdCell(text);
  return opts.differs ? `${shown} ${DIFFERS_MARK}` : shown;
}

export function renderComparisonMarkdown(c: Comparison): string {
  const out = ['## edgecheck compare', '', `**${headline(c)}**`, ''];
  out.push('| | run | target | started | checks |', '| --- | --- | --- | --- | --- |');
  c.runs.forEach((run, i) => {
    out.push(
      `| ${i + 1} | ${mdCell(run.label)} | ${mdCell(`${run.target.name} (${run.target.url})`)} | ` +
        `${mdCell(run.started)} | ${mdCell(summaryText(run))} |`,
    );
  });
  const headings = c.runs.map((r, i) => mdCell(`[${i + 1}] ${r.label}`));
  if (c.rows.length > 0) {
    out.push('', `| check | ${headings.join(' | ')} |`, `| --- | ${headings.map(() => '---').join(' | ')} |`);
    for (const row of c.rows) {
      const kind = row.kind === 'required' ? '' : ` (${row.kind})`;
      const cells = row.cells.map((x) =>
        cell(checkCellText(x), { differs: x?.differs ?? true, failed: x?.status === 'failed' }),
      );
      out.push(`| ${row.differs ? `${DIFFERS_MARK} ` : ''}${code(row.key)}${kind} | ${cells.join(' | ')} |`);
    }
  }
  if (c.surge) {
    const s = c.surge;
    const plans = s.runs.map((r) => (r ? `${r.plan}: ${r.verdict}` : 'no surge')).join(' · ');
    out.push('', `### Surge (${mdCell(plans)})`, '');
    out.push(`| phase | ${headings.join(' | ')} |`, `| --- | ${headings.map(() => '---').join(' | ')} |`);
    for (const row of s.phases) {
      const cells = row.cells.map((x) =>
        cell(phaseCellText(x), { differs: x?.differs ?? true, failed: (x?.breached.length ?? 0) > 0 }),
      );
      out.push(`| ${row.differs ? `${DIFFERS_MARK} ` : ''}${mdCell(row.key)} | ${cells.join(' | ')} |`);
    }
    for (const row of s.thresholds) {
      const cells = row.cells.map((x) =>
        cell(thresholdCellText(row, x), { differs: x?.differs ?? true, failed: x?.verdict === 'breached' }),
      );
      const name = `${row.differs ? `${DIFFERS_MARK} ` : ''}threshold ${row.threshold} ${row.limit}`;
      out.push(`| ${mdCell(name)} | ${cells.join(' | ')} |`);
    }
    for (const block of surgeFigureBlocks(s)) {
      // a line naming the phase or protocol, then a line per figure, as on the terminal
      const rule = `| --- | ${headings.map(() => '---').join(' | ')} |`;
      out.push('', `| ${block.title} | ${headings.join(' | ')} |`, rule);
      for (const row of block.rows) {
        out.push(
          `| ${row.differs ? `${DIFFERS_MARK} ` : ''}**${mdCell(row.key)}** | ${headings.map(() => '').join(' | ')} |`,
        );
        for (const line of row.lines) {
          const cells = line.cells.map((x) => cell(x.text, { differs: x.differs, failed: false }));
          out.push(`| ${line.name} | ${cells.join(' | ')} |`);
        }
      }
    }
  }
  const reasons = c.rows.flatMap((row) =>
    row.differs
      ? row.cells.flatMap((x, i) =>
          x?.reason && x.status !== 'passed' ? [`- ${code(row.key)} in [${i + 1}]: ${mdCell(x.reason)}`] : [],
        )
      : [],
  );
  if (reasons.length > 0) out.push('', '### Why the checks that differ did not pass', '', ...reasons);
  if (c.regressions) {
    const baseline = `[1] ${c.runs[0]?.label ?? ''}`;
    out.push('', `### Regressions against the baseline ${mdCell(baseline)}`, '');
    if (c.regressions.length === 0) out.push('None.');
    for (const r of c.regressions) out.push(`- **${mdCell(regressionText(r, c))}**`);
  }
  return out.join('\n') + '\n';
}

export function renderTrendMarkdown(t: Trend): string {
  const out = [
    '## edgecheck trend',
    '',
    `The last ${t.runs.length} runs of ${t.targets.map(code).join(', ')}, oldest first ` +
      `(${mdCell(t.runs[0]?.label ?? '')} .. ${mdCell(t.runs.at(-1)?.label ?? '')}): ` +
      `**${t.flaky} flaky check${t.flaky === 1 ? '' : 's'}**.`,
  ];
  const section = (title: string, rows: TrendRow[]) => {
    if (rows.length === 0) return;
    out.push('', `### ${title}`, '', '| check | verdicts | flips |', '| --- | --- | --- |');
    for (const row of rows) {
      out.push(`| ${code(row.key)} | ${verdictMarks(row)} | ${row.flips} |`);
    }
  };
  for (const g of trendGroups(t)) section(g.title[0]!.toUpperCase() + g.title.slice(1), g.rows);
  out.push('', '✓ passed, ✗ failed, - skipped, · not in that run');
  return out.join('\n') + '\n';
}
