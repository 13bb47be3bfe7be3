// The report's first screen: which target, when, the verdict counts, the exit
// status the run ended with, and the failing checks as links to their evidence.
import { runFailed, type RunRecord } from '../../harness/record.js';
import { checkAnchor, verdictOf } from './checks.js';
import { html, type Markup, ms } from './markup.js';

/** The exit code the command ended with, as README.md "Exit codes" gives it, and why. */
export function exitStatus(record: RunRecord): { code: number; why: string } {
  const s = record.surge;
  if (s?.partial && /^interrupted/.test(s.stop_reason ?? '')) return { code: 130, why: 'the surge was interrupted' };
  if (runFailed(record)) return { code: 1, why: 'a required check failed' };
  if (s?.verdict === 'breached') return { code: 1, why: 'a surge threshold was breached' };
  if (s) return { code: 0, why: 'every surge threshold held' };
  return { code: 0, why: 'every required check passed' };
}

const REPORTED_ONLY = 'optimal or info: reported, they do not fail the run';

export function summarySection(record: RunRecord): Markup {
  const exit = exitStatus(record);
  const took = Date.parse(record.finished) - Date.parse(record.started);
  const optional = record.checks.filter((c) => verdictOf(c) === 'failed-optional').length;
  const counts = record.checks.length
    ? html`<div class="counts">
          ${(['passed', 'failed', 'skipped'] as const).map(
            (k) => html`<div class="count ${k}"><b data-count="${k}">${record.summary[k]}</b>${k}</div>`,
          )}
          <div class="count"><b data-count="total">${record.checks.length}</b>checks</div>
        </div>
        ${optional ? html`<p class="dim">${optional} of the failed checks are ${REPORTED_ONLY}</p>` : ''}`
    : '';
  const failing = record.checks.filter((c) => c.status === 'failed');
  const list = failing.length
    ? html`<h3>failing checks</h3>
        <ul class="failing-list">
          ${failing.map(
            (c) =>
              html`<li>
                <span class="badge ${verdictOf(c)}">${c.kind === 'required' ? 'failed' : c.kind}</span>
                <a href="#${checkAnchor(c)}">${c.suite} › ${c.id}</a>${c.reason ? html` — ${c.reason}` : ''}
              </li>`,
          )}
        </ul>`
    : '';
  return html`<section id="summary">
    <h2>Summary</h2>
    ${counts}
    <p class="exit ${exit.code === 0 ? 'passed' : 'failed'}" data-exit="${exit.code}">exit ${exit.code}: ${exit.why}</p>
    <p class="dim">run ${record.run_id} · started ${record.started} · finished ${record.finished} (${ms(took)})</p>
    ${list}
  </section>`;
}
