// The json reporter: writes the run record, run.json — the blob every other
// reporter can be fed from.
import type { RunRecord } from '../harness/record.js';
import type { Reporter, ReporterOptions } from './reporter.js';
import { writeReportFile } from './reportFile.js';

export const RUN_RECORD_FILE = 'run.json';

export default class JsonReporter implements Reporter {
  readonly name = 'json';
  constructor(private readonly opts: ReporterOptions) {}

  onRunEnd(record: RunRecord): void {
    writeReportFile(this.opts.outDir, RUN_RECORD_FILE, JSON.stringify(record, null, 2) + '\n');
  }
}
