// The junit reporter: a testsuite per suite, a testcase per check; skipped
// checks carry their reason, failures the expectation and actual value.
import type { CheckRecord, RunRecord } from '../harness/record.js';
import type { Reporter, ReporterOptions } from './reporter.js';
import { writeReportFile } from './reportFile.js';
import { xmlDocument, type XmlElement } from './xml.js';

export const JUNIT_FILE = 'junit.xml';

export default class JunitReporter implements Reporter {
  readonly name = 'junit';
  constructor(private readonly opts: ReporterOptions) {}

  onRunEnd(record: RunRecord): void {
    writeReportFile(this.opts.outDir, JUNIT_FILE, renderJunit(record));
  }
}

export function renderJunit(record: RunRecord): string {
  return xmlDocument(junitTree(record));
}

function junitTree(record: RunRecord): XmlElement {
  const bySuite = new Map<string, CheckRecord[]>();
  for (const c of record.checks) bySuite.set(c.suite, [...(bySuite.get(c.suite) ?? []), c]);
  const properties: XmlElement = {
    name: 'properties',
    content: [
      { name: 'property', attrs: { name: 'target', value: record.target.name } },
      { name: 'property', attrs: { name: 'url', value: record.target.url } },
    ],
  };
  const suites = [...bySuite].map(([suite, checks]) => ({
    name: 'testsuite',
    attrs: { name: suite, ...counts(checks), timestamp: record.started, time: secs(totalMs(checks)) },
    content: [properties, ...checks.map(testcase)],
  }));
  return {
    name: 'testsuites',
    attrs: { name: 'edgecheck', ...counts(record.checks), time: secs(totalMs(record.checks)) },
    content: suites,
  };
}

function counts(checks: CheckRecord[]): { tests: number; failures: number; skipped: number } {
  return {
    tests: checks.length,
    failures: checks.filter(failsRun).length,
    skipped: checks.filter((c) => c.status === 'skipped').length,
  };
}

function testcase(c: CheckRecord): XmlElement {
  const attrs = { classname: c.suite, name: `${c.id}: ${c.title}`, time: secs(c.duration_ms) };
  return { name: 'testcase', attrs, content: outcome(c) };
}

function outcome(c: CheckRecord): XmlElement[] {
  if (c.status === 'passed') return [];
  if (c.status === 'skipped') return [{ name: 'skipped', attrs: { message: c.reason ?? '' } }];
  const detail = c.steps
    .flatMap((s) => s.failures)
    .map((f) => `${f.expectation}: expected ${JSON.stringify(f.expected)}, actual ${JSON.stringify(f.actual)}`)
    .join('\n');
  // an optimal or info check that fails does not fail the run, so it must not turn CI red either
  if (!failsRun(c)) {
    const note = `${c.kind} check failed (does not fail the run): ${c.reason ?? ''}\n${detail}`;
    return [{ name: 'system-out', content: note }];
  }
  return [{ name: 'failure', attrs: { type: 'failure', message: c.reason ?? 'failed' }, content: detail }];
}

function failsRun(c: CheckRecord): boolean {
  return c.status === 'failed' && c.kind === 'required';
}

function totalMs(checks: CheckRecord[]): number {
  return checks.reduce((ms, c) => ms + c.duration_ms, 0);
}

function secs(ms: number): string {
  return (ms / 1000).toFixed(3);
}
