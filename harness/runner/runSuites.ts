// Schedules every check of every suite against one target, a bounded number
// at a time (each check owns its path, so they never collide), and builds the
// run record.
import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { LoadedSuite } from '../config/load.js';
import type { RunEvents } from '../events.js';
import { runPrefix } from '../origin/protocol.js';
import { RUN_RECORD_SCHEMA, summarize, type CheckRecord, type RunRecord } from '../record.js';
import type { OpenTarget } from '../target/openTarget.js';
import { runCheck } from './runCheck.js';

export interface RunOptions {
  concurrency?: number;
  defaultTimeoutMs?: number;
  runId?: string;
  events?: RunEvents;
  /** aborted when the run is interrupted: no check starts after it, the ones in flight stop, and the record
   * holds the checks that finished, marked partial */
  signal?: AbortSignal;
}

export function newRunId(): string {
  return `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

export async function runSuites(target: OpenTarget, suites: LoadedSuite[], opts: RunOptions = {}): Promise<RunRecord> {
  const runId = opts.runId ?? newRunId();
  const events = opts.events ?? {};
  const started = new Date();
  events.onRunBegin?.({
    runId,
    target: { name: target.name, url: target.url.href },
    suites: suites.map((s) => ({ suite: s.suite, title: s.title, checks: s.checks.length })),
  });
  const work = suites.flatMap((suite) => suite.checks.map((check) => ({ suite, check })));
  const results: Array<CheckRecord | undefined> = new Array(work.length);
  const signal = opts.signal;
  // each check in flight listens for the interrupt: as many listeners as checks at once, no leak
  if (signal) setMaxListeners((opts.concurrency ?? 32) + 10, signal);
  let next = 0;
  const worker = async () => {
    while (next < work.length && !signal?.aborted) {
      const i = next++;
      const { suite, check } = work[i]!;
      events.onCheckBegin?.({ suite: suite.suite, id: check.id, title: check.title });
      const record = await runCheck(suite, check, target, {
        runId,
        defaultTimeoutMs: opts.defaultTimeoutMs ?? 10_000,
        ...(signal ? { signal } : {}),
      });
      // a check cut short by the interrupt has no verdict: it is left out, not failed
      if (signal?.aborted) break;
      results[i] = record;
      events.onCheckEnd?.(record);
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? 32, work.length) }, worker));
  const finished = results.filter((r): r is CheckRecord => r !== undefined);
  if (target.origin) await target.origin.clear(runPrefix(runId)).catch(() => undefined);
  const record: RunRecord = {
    schema: RUN_RECORD_SCHEMA,
    run_id: runId,
    target: { name: target.name, url: target.url.href, ...(target.config.lab ? { lab: target.config.lab } : {}) },
    started: started.toISOString(),
    finished: new Date().toISOString(),
    summary: summarize(finished),
    checks: finished,
    ...(signal?.aborted
      ? { partial: { reason: String(signal.reason ?? 'interrupted'), checks_not_run: work.length - finished.length } }
      : {}),
  };
  await events.onRunEnd?.(record);
  return record;
}
