// The junit reporter: a testsuite per suite, a testcase per check; skipped
// checks carry their reason, failures the expectation and actual value.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CheckRecord, RunRecord } from '../harness/record.js';
import { redactDeep } from '../harness/secrets.js';
import type { Reporter, ReporterOptions } from './reporter.js';

export const JUNIT_FILE = 'junit.xml';

export default class JunitReporter implements Reporter {
  readonly name = 'junit';
  constructor(private readonly opts: ReporterOptions) {}

  onRunEnd(record: RunRecord): void {
    mkdirSync(this.opts.outDir, { recursive: true });
    writeFileSync(join(this.opts.outDir, JUNIT_FILE), renderJunit(redactDeep(record)));
  }
}

export function renderJunit(record: RunRecord): string {
  const bySuite = new Map<string, CheckRecord[]>();
  for (const c of record.checks) bySuite.set(c.suite, [...(bySuite.get(c.suite) ?? []), c]);
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const total = record.checks.reduce((ms, c) => ms + c.duration_ms, 0);
  out.push(`<testsuites name="edgecheck" tests="${record.checks.length}" failures="${record.checks.filter(failsRun).length}" skipped="${record.summary.skipped}" time="${secs(total)}">`);
  for (const [suite, checks] of bySuite) {
    const failures = checks.filter(failsRun).length;
    const skipped = checks.filter((c) => c.status === 'skipped').length;
    out.push(`  <testsuite name="${esc(suite)}" tests="${checks.length}" failures="${failures}" skipped="${skipped}" timestamp="${esc(record.started)}" time="${secs(checks.reduce((ms, c) => ms + c.duration_ms, 0))}">`);
    out.push(`    <properties><property name="target" value="${esc(record.target.name)}"/><property name="url" value="${esc(record.target.url)}"/></properties>`);
    for (const c of checks) out.push(...testcase(c));
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return out.join('\n') + '\n';
}

function testcase(c: CheckRecord): string[] {
  const open = `    <testcase classname="${esc(c.suite)}" name="${esc(`${c.id}: ${c.title}`)}" time="${secs(c.duration_ms)}"`;
  if (c.status === 'passed') return [`${open}/>`];
  if (c.status === 'skipped') return [`${open}>`, `      <skipped message="${esc(c.reason ?? '')}"/>`, '    </testcase>'];
  const detail = c.steps
    .flatMap((s) => s.failures)
    .map((f) => `${f.expectation}: expected ${JSON.stringify(f.expected)}, actual ${JSON.stringify(f.actual)}`)
    .join('\n');
  // an optimal or info check that fails does not fail the run, so it must not turn CI red either
  if (!failsRun(c)) return [`${open}>`, `      <system-out>${esc(`${c.kind} check failed (does not fail the run): ${c.reason ?? ''}\n${detail}`)}</system-out>`, '    </testcase>'];
  return [`${open}>`, `      <failure type="failure" message="${esc(c.reason ?? 'failed')}">${esc(detail)}</failure>`, '    </testcase>'];
}

function failsRun(c: CheckRecord): boolean {
  return c.status === 'failed' && c.kind === 'required';
}

function secs(ms: number): string {
  return (ms / 1000).toFixed(3);
}

function esc(s: string): string {
  return s.replace(/[<>&"']/g, (ch) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[ch]!).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
}
