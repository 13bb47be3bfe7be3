// The html reporter: report.html, one self-contained page (styles, uPlot and
// its own script inlined) with the summary, the checks and their evidence, and
// a surge's curves.
import type { RunRecord } from '../../harness/record.js';
import type { Reporter, ReporterOptions } from '../reporter.js';
import { writeReportFile } from '../reportFile.js';
import { renderReport } from './page.js';

export { renderReport, type HtmlSection, type ReportExtras } from './page.js';
export { html, type Markup } from './markup.js';
export type { ChartSpec } from './surge.js';

export const HTML_REPORT_FILE = 'report.html';

export default class HtmlReporter implements Reporter {
  readonly name = 'html';
  constructor(private readonly opts: ReporterOptions) {}

  onRunEnd(record: RunRecord): void {
    writeReportFile(this.opts.outDir, HTML_REPORT_FILE, renderReport(record));
  }
}
