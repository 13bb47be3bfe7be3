// The list reporter (default on a terminal): a line per check as it ends,
// failures with their evidence, then the summary.
import type { CheckRecord, RunRecord } from '../harness/record.js';
import type { Reporter, ReporterOptions } from './reporter.js';
import { claimDisagreements, failureDetail, paint, propagationLine, summaryLine } from './terminal.js';

export default class ListReporter implements Reporter {
  readonly name = 'list';
  private readonly p;
  private live = false;
  constructor(private readonly opts: ReporterOptions) {
    this.p = paint(opts.color);
  }

  onRunBegin(info: { target: { name: string; url: string }; suites: Array<{ suite: string; checks: number }> }): void {
    this.live = true;
    const count = info.suites.reduce((n, s) => n + s.checks, 0);
    const suites = info.suites.map((s) => s.suite).join(', ');
    this.write(
      this.p.bold(`edgecheck: ${count} checks from ${suites} against ${info.target.name} (${info.target.url})`),
    );
  }

  onCheckEnd(check: CheckRecord): void {
    this.line(check);
  }

  onRunEnd(record: RunRecord): void {
    if (!this.live) record.checks.forEach((c) => this.line(c));
    const disagreements = claimDisagreements(record, this.p);
    if (disagreements.length) this.write(['', ...disagreements].join('\n'));
    this.write('');
    this.write(summaryLine(record, this.p));
  }

  private line(check: CheckRecord): void {
    const p = this.p;
    const mark =
      check.status === 'passed'
        ? p.green('✓')
        : check.status === 'skipped'
          ? p.yellow('-')
          : check.kind === 'required'
            ? p.red('✗')
            : p.yellow('!');
    const kind = check.kind === 'required' ? '' : p.dim(` [${check.kind}]`);
    const time = check.status === 'skipped' ? '' : p.dim(` (${check.duration_ms} ms)`);
    this.write(`  ${mark} ${check.suite} › ${check.id}: ${check.title}${kind}${time}`);
    const spread = propagationLine(check, p);
    if (spread) this.write(spread);
    if (check.status === 'skipped') this.write(`    ${p.yellow(`skipped: ${check.reason ?? ''}`)}`);
    if (check.status === 'failed') failureDetail(check, p).forEach((l) => this.write(l));
  }

  private write(s: string): void {
    this.opts.stream.write(`${s}\n`);
  }
}
