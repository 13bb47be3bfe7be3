// The tap reporter: TAP 14, a subtest per suite, a test point per check;
// skips carry their reason as a SKIP directive.
import type { CheckRecord, RunRecord } from '../harness/record.js';
import type { Reporter, ReporterOptions } from './reporter.js';
import { writeReportFile } from './reportFile.js';

export const TAP_FILE = 'report.tap';

export default class TapReporter implements Reporter {
  readonly name = 'tap';
  constructor(private readonly opts: ReporterOptions) {}

  onRunEnd(record: RunRecord): void {
    writeReportFile(this.opts.outDir, TAP_FILE, renderTap(record));
  }
}

export function renderTap(record: RunRecord): string {
  const lines = [
    'TAP version 14',
    `# edgecheck run ${record.run_id} against ${record.target.name}`,
    `1..${record.checks.length}`,
  ];
  record.checks.forEach((c, i) => lines.push(...point(c, i + 1)));
  lines.push(`# pass ${record.summary.passed}`, `# fail ${record.summary.failed}`, `# skip ${record.summary.skipped}`);
  return lines.join('\n') + '\n';
}

function point(c: CheckRecord, n: number): string[] {
  const name = description(`${c.suite} › ${c.id}: ${c.title}`);
  if (c.status === 'skipped') return [`ok ${n} - ${name} # SKIP ${oneLine(c.reason ?? '')}`];
  // optimal/info failures do not fail the run: TODO is TAP's "known not to count"
  const todo = c.status === 'failed' && c.kind !== 'required' ? ` # TODO ${c.kind} check` : '';
  if (c.status === 'passed') return [`ok ${n} - ${name}`];
  const head = `not ok ${n} - ${name}${todo}`;
  const yaml = ['  ---', `  reason: ${JSON.stringify(c.reason ?? '')}`, `  duration_ms: ${c.duration_ms}`];
  const failures = c.steps.flatMap((s) => s.failures);
  if (failures.length) {
    yaml.push('  failures:');
    for (const f of failures) {
      yaml.push(
        `    - expectation: ${JSON.stringify(f.expectation)}`,
        `      expected: ${JSON.stringify(f.expected)}`,
        `      actual: ${JSON.stringify(f.actual)}`,
      );
    }
  }
  yaml.push('  ...');
  return [head, ...yaml];
}

/** A test point's description on one line, with TAP 14's escapes for \ and #. */
function description(text: string): string {
  return oneLine(text).replace(/\\/g, '\\\\').replace(/#/g, '\\#');
}

function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ');
}
