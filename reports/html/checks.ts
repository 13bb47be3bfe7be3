// The checks, suite by suite: failing checks first in each suite, suites with
// a failure first; each check a <details> whose evidence is folded until clicked.
import type { CheckRecord, RunRecord } from '../../harness/record.js';
import { html, keyValues, type Markup, ms } from './markup.js';
import { stepBlock } from './steps.js';

/** Where a check sorts and how it is marked: a required failure fails the run, the others are reported only. */
export type Verdict = 'failed' | 'failed-optional' | 'passed' | 'skipped';

export function verdictOf(c: CheckRecord): Verdict {
  if (c.status === 'failed') return c.kind === 'required' ? 'failed' : 'failed-optional';
  return c.status;
}

const ORDER: Record<Verdict, number> = { failed: 0, 'failed-optional': 1, passed: 2, skipped: 3 };

export function checkAnchor(c: CheckRecord): string {
  return `check-${c.suite}.${c.id}`;
}

export function checksSection(record: RunRecord): Markup {
  const bySuite = new Map<string, CheckRecord[]>();
  for (const c of record.checks) bySuite.set(c.suite, [...(bySuite.get(c.suite) ?? []), c]);
  const worst = (checks: CheckRecord[]) => Math.min(...checks.map((c) => ORDER[verdictOf(c)]));
  const suites = [...bySuite].sort(([, a], [, b]) => worst(a) - worst(b));
  return html`${suites.map(([suite, checks]) => suiteBlock(suite, checks))}`;
}

function suiteBlock(suite: string, checks: CheckRecord[]): Markup {
  const sorted = [...checks].sort((a, b) => ORDER[verdictOf(a)] - ORDER[verdictOf(b)]);
  const n = (v: Verdict) => checks.filter((c) => verdictOf(c) === v).length;
  const counts = [
    n('failed') ? html`<span class="pill failed">${n('failed')} failed</span>` : '',
    n('failed-optional')
      ? html`<span class="pill failed-optional">${n('failed-optional')} failed, reported only</span>`
      : '',
    n('passed') ? html`<span class="pill passed">${n('passed')} passed</span>` : '',
    n('skipped') ? html`<span class="pill skipped">${n('skipped')} skipped</span>` : '',
  ];
  return html`<section class="suite" id="suite-${suite}">
    <h3>${suite} ${counts}</h3>
    ${sorted.map(checkBlock)}
  </section>`;
}

const LABEL: Record<Verdict, string> = {
  failed: 'failed',
  'failed-optional': 'failed',
  passed: 'passed',
  skipped: 'skipped',
};

function checkBlock(c: CheckRecord): Markup {
  const v = verdictOf(c);
  const kind = c.kind === 'required' ? '' : html` <span class="kind">${c.kind}</span>`;
  const time = c.status === 'skipped' ? '' : html` <span class="dim">${ms(c.duration_ms)}</span>`;
  const reason = c.reason
    ? html`<span class="reason">${v === 'skipped' ? 'skipped: ' : ''}${c.reason}</span>`
    : v === 'failed-optional'
      ? html`<span class="reason">a ${c.kind} check: reported, does not fail the run</span>`
      : '';
  return html`<details class="check ${v}" id="${checkAnchor(c)}" data-verdict="${v}">
    <summary>
      <span class="badge ${v}">${LABEL[v]}</span> <span class="check-id">${c.id}</span>
      <span class="check-title">${c.title}</span>${kind}${time}${reason}
    </summary>
    <div class="check-body">
      ${keyValues([
        [
          'kind',
          c.kind === 'required' ? 'required (a failure fails the run)' : `${c.kind} (reported, never fails the run)`,
        ],
        ['spec', c.spec],
        ['suite', c.suite],
      ])}
      ${metricsBlock(c)}
      ${c.steps.length ? html`<div class="steps">${c.steps.map((s, i) => stepBlock(s, i))}</div>` : ''}
    </div>
  </details>`;
}

function metricsBlock(c: CheckRecord): Markup | '' {
  const metrics = Object.entries(c.metrics ?? {});
  if (metrics.length === 0) return '';
  return html`<h5>metrics</h5>
    ${keyValues(metrics.map(([k, v]) => [k, String(v)]))}`;
}
