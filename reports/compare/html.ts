// A comparison as a section of the html report (reports/html): the runs, the
// checks that differ first with each cell's verdict and figures, a differing
// cell marked, the surge per phase (and its connections and protocols, a
// figure a line), and the regressions against a baseline.
// The page is the last run's report with this section after its summary.
import type { RunRecord } from '../../harness/record.js';
import { html, table, type Markup } from '../html/markup.js';
import { renderReport, type HtmlSection } from '../html/page.js';
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
import type { CheckCell, Comparison } from './compare.js';

/** The comparison view, for renderReport's `sections`. */
export function comparisonSection(c: Comparison): HtmlSection {
  const headings = c.runs.map((r, i) => `[${i + 1}] ${r.label}`);
  const runs = table(
    ['', 'run', 'target', 'started', 'checks'],
    c.runs.map((r, i) => [String(i + 1), r.label, `${r.target.name} (${r.target.url})`, r.started, summaryText(r)]),
  );
  const rows = c.rows.map((row) => [
    html`<span class="${row.differs ? 'differs' : ''}"
        >${row.differs ? `${DIFFERS_MARK} ` : ''}<code>${row.key}</code></span
      >${row.kind === 'required' ? '' : html` <span class="muted">(${row.kind})</span>`}`,
    ...row.cells.map((cell) => checkCell(cell)),
  ]);
  const parts: Markup[] = [
    html`<p class="comparison-headline"><b>${headline(c)}</b></p>`,
    runs,
    html`<h3>Checks (those that differ first)</h3>`,
    table(['check', ...headings], rows, 'comparison'),
  ];
  if (c.surge) {
    const s = c.surge;
    const phaseRows = s.phases.map((row) => [
      `${row.differs ? `${DIFFERS_MARK} ` : ''}${row.key}`,
      ...row.cells.map((x) => marked(phaseCellText(x), x?.differs ?? true, (x?.breached.length ?? 0) > 0)),
    ]);
    const thresholdRows = s.thresholds.map((row) => [
      `${row.differs ? `${DIFFERS_MARK} ` : ''}threshold ${row.threshold} ${row.limit}`,
      ...row.cells.map((x) => marked(thresholdCellText(row, x), x?.differs ?? true, x?.verdict === 'breached')),
    ]);
    parts.push(html`<h3>Surge</h3>`, table(['phase', ...headings], [...phaseRows, ...thresholdRows], 'comparison'));
    for (const block of surgeFigureBlocks(s)) {
      // a line naming the phase or protocol, then a line per figure, as on the terminal
      const lines = block.rows.flatMap((row) => [
        [html`<b>${row.differs ? `${DIFFERS_MARK} ` : ''}${row.key}</b>`, ...headings.map(() => '')],
        ...row.lines.map((line) => [
          html`<span class="muted">${line.name}</span>`,
          ...line.cells.map((x) => marked(x.text, x.differs, false)),
        ]),
      ]);
      parts.push(
        html`<h4>${block.title[0]!.toUpperCase()}${block.title.slice(1)}</h4>`,
        table([block.title, ...headings], lines, `comparison surge-${block.title}`),
      );
    }
  }
  if (c.regressions) {
    parts.push(
      html`<h3>Regressions against the baseline [1]</h3>`,
      c.regressions.length === 0
        ? html`<p>None.</p>`
        : html`<ul class="regressions">
            ${c.regressions.map((r) => html`<li class="failed">${regressionText(r, c)}</li>`)}
          </ul>`,
    );
  }
  return { id: 'comparison', title: `Comparison of ${c.runs.length} runs`, body: html`${parts}` };
}

function checkCell(cell: CheckCell | null): Markup {
  return marked(checkCellText(cell), cell?.differs ?? true, cell?.status === 'failed', cell?.reason);
}

/** A cell: failed in the failure colour, differing from the first run's marked (and outlined). */
function marked(text: string, differs: boolean, failed: boolean, title?: string): Markup {
  const cls = [failed ? 'cell-failed' : '', differs ? 'cell-differs' : ''].join(' ').trim();
  return html`<span class="${cls}" title="${title ?? ''}">${text}${differs ? ` ${DIFFERS_MARK}` : ''}</span>`;
}

/** The whole page: the last run's report, with the comparison after its summary. */
export function renderComparisonHtml(c: Comparison, last: RunRecord): string {
  return renderReport(last, { sections: [comparisonSection(c)] });
}
