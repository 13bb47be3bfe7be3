// One check: program its object on the probe origin, run its steps in order
// on its own path, stop at the first failing step, and say why.
import { parseDuration } from '../config/duration.js';
import { checkKeyFor } from '../origin/protocol.js';
import { renderObject } from '../origin/renderObject.js';
import type { LoadedSuite } from '../config/load.js';
import type { Check } from '../config/suiteSchema.js';
import type { CheckRecord, StepRecord } from '../record.js';
import { redact } from '../secrets.js';
import { runStep } from '../steps/index.js';
import type { CheckState } from '../steps/stepKind.js';
import type { OpenTarget } from '../target/openTarget.js';
import { missingNeed } from './needs.js';

export interface CheckRunOptions {
  runId: string;
  defaultTimeoutMs: number;
}

export async function runCheck(suite: LoadedSuite, check: Check, target: OpenTarget, opts: CheckRunOptions): Promise<CheckRecord> {
  const started = performance.now();
  const base = { suite: suite.suite, id: check.id, title: check.title, kind: check.kind ?? 'required', ...(check.spec ? { spec: check.spec } : {}) };
  const reason = missingNeed(check, target);
  if (reason) return { ...base, status: 'skipped', reason, duration_ms: 0, steps: [] };

  const checkKey = checkKeyFor(opts.runId, `${suite.suite}.${check.id}`);
  const steps: StepRecord[] = [];
  const done = (status: 'passed' | 'failed', why?: string): CheckRecord => ({
    ...base,
    status,
    ...(why ? { reason: redact(why) } : {}),
    duration_ms: Math.round(performance.now() - started),
    steps,
  });
  const checkTimeoutMs = check.timeout !== undefined ? parseDuration(check.timeout) : undefined;
  const abandon = new AbortController();
  const state: CheckState = {};
  try {
    if (check.object && target.origin) await target.origin.setObject(checkKey, renderObject(check.object));
    for (const [path, object] of Object.entries(check.objects ?? {})) await target.origin?.setObject(checkKey, renderObject(object), path);
    for (const [i, step] of check.steps.entries()) {
      const ctx = { target, checkKey, defaultTimeoutMs: opts.defaultTimeoutMs, signal: abandon.signal, check: state };
      const record = await withDeadline(runStep(step, ctx), checkTimeoutMs, started, abandon);
      steps.push(record);
      if (record.failures.length > 0 || record.error) {
        return done('failed', `step ${i + 1} (${record.kind}): ${record.failures.length ? describe(record) : record.error}`);
      }
    }
    return done('passed');
  } catch (err) {
    return done('failed', (err as Error).message);
  } finally {
    // a provider asked about an invalidation is asked no more once its check is over
    state.invalidation?.stop();
  }
}

function describe(step: StepRecord): string {
  return step.failures.map((f) => `expected ${f.expectation} ${JSON.stringify(f.expected)}, got ${JSON.stringify(f.actual)}`).join('; ');
}

/** A check-level timeout: the step is abandoned (told so, so it stops waiting), the check fails with the reason. */
async function withDeadline<T>(work: Promise<T>, timeoutMs: number | undefined, started: number, abandon: AbortController): Promise<T> {
  if (timeoutMs === undefined) return work;
  const left = timeoutMs - (performance.now() - started);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      abandon.abort();
      reject(new Error(`check timed out after ${timeoutMs} ms`));
    }, Math.max(0, left));
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
