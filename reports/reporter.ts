// The one interface every reporter implements. Each hook is optional; a
// reporter fed a saved run record gets onRunEnd only, and must still work.
import type { RunEvents } from '../harness/events.js';
import { redactDeep } from '../harness/secrets.js';

export interface Reporter extends RunEvents {
  readonly name: string;
  onSurgeTick?(tick: import('../harness/surgeRecord.js').SurgeTick): void;
}

export interface ReporterOptions {
  /** where file reporters write */
  outDir: string;
  /** where terminal reporters write */
  stream: NodeJS.WritableStream;
  color: boolean;
}

/** Fans every event out to all reporters, secrets redacted: no reporter sees one. */
export function multiplex(reporters: Reporter[]): RunEvents {
  return {
    onRunBegin: (info) => reporters.forEach((r) => r.onRunBegin?.(redactDeep(info))),
    onCheckBegin: (check) => reporters.forEach((r) => r.onCheckBegin?.(redactDeep(check))),
    onCheckEnd: (check) => reporters.forEach((r) => r.onCheckEnd?.(redactDeep(check))),
    onRunEnd: async (record) => {
      const safe = redactDeep(record);
      for (const r of reporters) await r.onRunEnd?.(safe);
    },
  };
}
