// One check: program its object on the probe origin, run its steps in order
// on its own path, stop at the first failing step, and say why.
import { parseDuration } from '../config/duration.js';
import type { LoadedSuite } from '../config/load.js';
import type { Check } from '../config/suiteSchema.js';
import { StepTimeout, stepError } from '../errors.js';
import { checkKeyFor } from '../origin/protocol.js';
import { renderObject } from '../origin/renderObject.js';
import type { CheckRecord, StepRecord } from '../record.js';
import { redact } from '../secrets.js';
import { runStep, type Step } from '../steps/index.js';
import type { CheckState } from '../steps/stepKind.js';
import type { OpenTarget } from '../target/openTarget.js';
import { missingNeed } from './needs.js';

export interface CheckRunOptions {
  runId: string;
  defaultTimeoutMs: number;
  /** the run's: aborted when the run is interrupted, which stops this check's steps too */
  signal?: AbortSignal;
}

export async function runCheck(
  suite: LoadedSuite,
  check: Check,
  target: OpenTarget,
  opts: CheckRunOptions,
): Promise<CheckRecord> {
  const started = performance.now();
  const base = {
    suite: suite.suite,
    id: check.id,
    title: check.title,
    kind: check.kind ?? 'required',
    ...(check.spec ? { spec: check.spec } : {}),
  };
  const reason = missingNeed(check, target);
  if (reason) return { ...base, status: 'skipped', reason, duration_ms: 0, steps: [] };

  const checkKey = checkKeyFor(opts.runId, `${suite.suite}.${check.id}`);
  const steps: StepRecord[] = [];
  const done = (status: 'passed' | 'failed' | 'skipped', why?: string): CheckRecord => ({
    ...base,
    status,
    ...(why ? { reason: redact(why) } : {}),
    duration_ms: Math.round(performance.now() - started),
    steps,
  });
  const checkTimeoutMs = check.timeout !== undefined ? parseDuration(check.timeout) : undefined;
  const abandon = new AbortController();
  const state: CheckState = {};
  const interrupt = () => abandon.abort(opts.signal?.reason);
  opts.signal?.addEventListener('abort', interrupt, { once: true });
  try {
    return await runSteps();
  } finally {
    opts.signal?.removeEventListener('abort', interrupt);
    // a provider asked about an invalidation is asked no more once its check is over,
    // and nothing a step set waiting outlives its check
    state.invalidation?.stop();
    if (!abandon.signal.aborted) abandon.abort(new Error('the check is over'));
  }

  async function runSteps(): Promise<CheckRecord> {
    try {
      const render = { countryHeader: target.redirects?.country_header };
      if (check.object && target.origin) await target.origin.setObject(checkKey, renderObject(check.object, render));
      for (const [path, object] of Object.entries(check.objects ?? {})) {
        await target.origin?.setObject(checkKey, renderObject(object, render), path);
      }
    } catch (err) {
      return done('failed', (err as Error).message);
    }
    for (const [i, step] of check.steps.entries()) {
      const ctx = { target, checkKey, defaultTimeoutMs: opts.defaultTimeoutMs, signal: abandon.signal, check: state };
      let record: StepRecord;
      try {
        record = await withDeadline(runStep(step, ctx), checkTimeoutMs, started, abandon);
      } catch (err) {
        // the step left no record of its own (it was abandoned, or threw): record why it ended
        record = { kind: kindOf(step), error: stepError(err), failures: [] };
      }
      steps.push(record);
      // what the target lacks can show only once a step runs (a scheme that cannot sign this URL): no verdict
      if (record.error?.code === 'E_UNMET_NEED') return done('skipped', record.error.message);
      if (record.failures.length > 0 || record.error) {
        const why = record.failures.length ? describe(record) : record.error?.message;
        return done('failed', `step ${i + 1} (${record.kind}): ${why}`);
      }
    }
    return done('passed');
  }
}

function describe(step: StepRecord): string {
  return step.failures
    .map((f) => `expected ${f.expectation} ${JSON.stringify(f.expected)}, got ${JSON.stringify(f.actual)}`)
    .join('; ');
}

/** The key that names a step's kind: validation gives each step its kind's key first. */
function kindOf(step: Step): string {
  return Object.keys(step)[0] ?? 'step';
}

/**
 * A check-level timeout: the step fails with StepTimeout, and is told to stop
 * waiting (the abort carries the same error as its reason).
 */
async function withDeadline<T>(
  work: Promise<T>,
  timeoutMs: number | undefined,
  started: number,
  abandon: AbortController,
): Promise<T> {
  if (timeoutMs === undefined) return work;
  const left = timeoutMs - (performance.now() - started);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => {
        const timeout = new StepTimeout(timeoutMs, `check timed out after ${timeoutMs} ms`);
        // settled before the abort, so the step's own AbortError never wins the race
        reject(timeout);
        abandon.abort(timeout);
      },
      Math.max(0, left),
    );
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
