// The json reporter: writes the run record, run.json — the blob every other
// reporter and `compare` can be fed from.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunRecord } from '../harness/record.js';
import { redactDeep } from '../harness/secrets.js';
import type { Reporter, ReporterOptions } from './reporter.js';

export const RUN_RECORD_FILE = 'run.json';

export default class JsonReporter implements Reporter {
  readonly name = 'json';
  constructor(private readonly opts: ReporterOptions) {}

  onRunEnd(record: RunRecord): void {
    mkdirSync(this.opts.outDir, { recursive: true });
    writeFileSync(join(this.opts.outDir, RUN_RECORD_FILE), JSON.stringify(redactDeep(record), null, 2) + '\n');
  }
}
