// The dot reporter (default in CI): a character per check, then the failures.
import type { CheckRecord, RunRecord } from '../harness/record.js';
import type { Reporter, ReporterOptions } from './reporter.js';
import { claimDisagreements, failureDetail, paint, summaryLine } from './terminal.js';

export default class DotReporter implements Reporter {
  readonly name = 'dot';
  private readonly p;
  private live = false;
  constructor(private readonly opts: ReporterOptions) {
    this.p = paint(opts.color);
  }

  onRunBegin(): void {
    this.live = true;
  }

  onCheckEnd(check: CheckRecord): void {
    this.opts.stream.write(this.mark(check));
  }

  onRunEnd(record: RunRecord): void {
    const out = this.opts.stream;
    if (!this.live) out.write(record.checks.map((c) => this.mark(c)).join(''));
    out.write('\n');
    for (const c of record.checks.filter((c) => c.status === 'failed')) {
      out.write(`\n  ${c.suite} › ${c.id}: ${c.title}${c.kind === 'required' ? '' : ` [${c.kind}]`}\n`);
      failureDetail(c, this.p).forEach((l) => out.write(`${l}\n`));
    }
    const disagreements = claimDisagreements(record, this.p);
    if (disagreements.length) out.write(`\n${disagreements.join('\n')}\n`);
    out.write(`\n${summaryLine(record, this.p)}\n`);
  }

  private mark(c: CheckRecord): string {
    if (c.status === 'passed') return this.p.green('·');
    if (c.status === 'skipped') return this.p.yellow('-');
    return c.kind === 'required' ? this.p.red('F') : this.p.yellow('f');
  }
}
