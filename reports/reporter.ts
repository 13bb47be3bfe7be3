// The one interface every reporter implements. Each hook is optional; a
// reporter fed a saved run record gets onRunEnd only, and must still work.
import type { RunEvents } from '../harness/events.js';

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

/** Fans every event out to all reporters. */
export function multiplex(reporters: Reporter[]): RunEvents {
  return {
    onRunBegin: (info) => reporters.forEach((r) => r.onRunBegin?.(info)),
    onCheckBegin: (check) => reporters.forEach((r) => r.onCheckBegin?.(check)),
    onCheckEnd: (check) => reporters.forEach((r) => r.onCheckEnd?.(check)),
    onRunEnd: async (record) => {
      for (const r of reporters) await r.onRunEnd?.(record);
    },
  };
}
