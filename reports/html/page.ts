// The whole page: header, summary, any extra sections (the comparison view),
// the surge, the checks; then uPlot, the chart data and the client script, all
// inline, so report.html is one file that works from file:// with no network.
import type { RunRecord } from '../../harness/record.js';
import { chartLibrary } from './assets.js';
import { checksSection } from './checks.js';
import { CLIENT_SCRIPT } from './client.js';
import { html, inlineCode, jsonForScript, type Markup } from './markup.js';
import { PAGE_STYLES } from './styles.js';
import { surgeSection, type ChartSpec } from './surge.js';
import { summarySection } from './summary.js';

/** A section of the page: its own heading, body and the charts it places (by the ids in its body). */
export interface HtmlSection {
  id: string;
  title: string;
  body: Markup;
  charts?: ChartSpec[];
}

/**
 * What a caller adds to one run's page. `sections` go after the summary: the
 * comparison view, when several runs are given, is one of these.
 */
export interface ReportExtras {
  sections?: HtmlSection[];
}

export function renderReport(record: RunRecord, extras: ReportExtras = {}): string {
  const sections: HtmlSection[] = [...(extras.sections ?? [])];
  if (record.surge) {
    const surge = surgeSection(record.surge);
    sections.push({ id: 'surge', title: `Surge: ${record.surge.plan}`, ...surge });
  }
  if (record.checks.length) sections.push(checksPart(record));
  const charts = sections.flatMap((s) => s.charts ?? []);
  const lib = chartLibrary();
  const where = record.target.lab ? ` (lab: ${record.target.lab})` : '';
  const page = html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>edgecheck: ${record.target.name} — ${record.started}</title>
        <style>
          ${inlineCode(lib.styles)}
        </style>
        <style>
          ${inlineCode(PAGE_STYLES)}
        </style>
      </head>
      <body data-show="all">
        <header class="page">
          <div class="inner">
            <h1>edgecheck report: ${record.target.name}</h1>
            <p><code>${record.target.url}</code>${where}</p>
            <nav class="toc">
              <a href="#summary">Summary</a>${sections.map((s) => html`<a href="#${s.id}">${s.title}</a>`)}
            </nav>
          </div>
        </header>
        <main>
          ${summarySection(record)}
          ${sections.map(
            (s) =>
              html`<section id="${s.id}" class="part">
                <h2>${s.title}</h2>
                ${s.body}
              </section>`,
          )}
          <footer>
            written by edgecheck from run record ${record.schema}; secrets are redacted as in every report
          </footer>
        </main>
        <script type="application/json" id="edgecheck-charts">
          ${jsonForScript(charts)}
        </script>
        <script>
          ${inlineCode(lib.script)};
        </script>
        <script>
          ${inlineCode(CLIENT_SCRIPT)};
        </script>
      </body>
    </html> `;
  return page.text;
}

function checksPart(record: RunRecord): HtmlSection {
  const filters = (['all', 'failed', 'passed', 'skipped'] as const).map(
    (f) => html`<button type="button" data-filter="${f}" aria-pressed="${String(f === 'all')}">${f}</button>`,
  );
  const toolbar = html`<div class="toolbar">
    <span class="dim">show</span> ${filters} <span class="dim">·</span>
    <button type="button" id="open-failing">open failing checks</button>
    <button type="button" id="close-all">fold all</button>
  </div>`;
  return { id: 'checks', title: 'Checks', body: html`${toolbar}${checksSection(record)}` };
}
