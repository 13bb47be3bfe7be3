// The one interface every reporter implements, and the multiplexer that feeds
// them. Each hook is optional; a reporter fed a saved run record gets onRunEnd only.
import type { RunBegin, RunEvents } from '../harness/events.js';
import type { CheckRecord, RunRecord } from '../harness/record.js';
import { redact, redactDeep } from '../harness/secrets.js';
import type { SurgeTick } from '../harness/surgeRecord.js';

/**
 * Reporters get what multiplex() hands them, secrets already redacted, and
 * must not redact again: feed a reporter through multiplex(), never directly.
 */
export interface Reporter extends RunEvents {
  readonly name: string;
  onSurgeTick?(tick: SurgeTick): void;
}

export interface ReporterOptions {
  /** where file reporters write */
  outDir: string;
  /** where terminal reporters write */
  stream: NodeJS.WritableStream;
  color: boolean;
}

/** What a run or a surge tells the reporters; no hook throws or rejects. */
export interface ReporterFanOut {
  onRunBegin(info: RunBegin): void;
  onCheckBegin(check: { suite: string; id: string; title: string }): void;
  onCheckEnd(check: CheckRecord): void;
  onSurgeTick(tick: SurgeTick): void;
  onRunEnd(record: RunRecord): Promise<void>;
}

type Hook = keyof ReporterFanOut;

/**
 * Fans every event out to all reporters, the same for a run and a surge. Each
 * event is redacted once, before any reporter sees it. A reporter whose hook
 * throws or rejects is named on `errors` (the first time per hook, so a hook
 * failing on every check says so once) and the others go on: a broken reporter
 * never stops the runner's workers or the surge.
 */
export function multiplex(reporters: Reporter[], errors: NodeJS.WritableStream = process.stderr): ReporterFanOut {
  const told = new Set<string>();
  const failed = (r: Reporter, hook: Hook, err: unknown) => {
    const key = `${r.name}\0${hook}`;
    if (told.has(key)) return;
    told.add(key);
    const why = redact(err instanceof Error ? err.message : String(err)).replace(/\s*[\r\n]+\s*/g, ' ');
    errors.write(`edgecheck: reporter '${r.name}' failed in ${hook}: ${why} (the other reporters go on)\n`);
  };
  // the runner does not wait for these: a reporter's promise is caught, not awaited
  const fire = (hook: Hook, payload: unknown) => {
    const safe = redactDeep(payload);
    for (const r of reporters) void guarded(r, hook, safe, failed);
  };
  return {
    onRunBegin: (info) => fire('onRunBegin', info),
    onCheckBegin: (check) => fire('onCheckBegin', check),
    onCheckEnd: (check) => fire('onCheckEnd', check),
    onSurgeTick: (tick) => fire('onSurgeTick', tick),
    onRunEnd: async (record) => {
      const safe = redactDeep(record);
      // one reporter at a time, in order: the terminal reporters share a stream
      for (const r of reporters) await guarded(r, 'onRunEnd', safe, failed);
    },
  };
}

/** Calls one reporter's hook; a throw or a rejection goes to failed(), never to the caller. */
function guarded(
  r: Reporter,
  hook: Hook,
  payload: unknown,
  failed: (r: Reporter, hook: Hook, err: unknown) => void,
): Promise<void> {
  const fn = r[hook] as ((this: Reporter, payload: unknown) => unknown) | undefined;
  if (fn === undefined) return Promise.resolve();
  try {
    return Promise.resolve(fn.call(r, payload)).then(
      () => undefined,
      (err: unknown) => failed(r, hook, err),
    );
  } catch (err) {
    failed(r, hook, err);
    return Promise.resolve();
  }
}
