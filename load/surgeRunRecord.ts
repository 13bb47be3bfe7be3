// A surge's run record: the run record envelope (no checks) around the
// surge section, so the json reporter writes it and every reader finds it.
import { RUN_RECORD_SCHEMA, type RunRecord } from '../harness/record.js';
import type { SurgeRecord } from '../harness/surgeRecord.js';

export function surgeRunRecord(
  runId: string,
  target: RunRecord['target'],
  started: Date,
  finished: Date,
  surge: SurgeRecord,
): RunRecord {
  return {
    schema: RUN_RECORD_SCHEMA,
    run_id: runId,
    target,
    started: started.toISOString(),
    finished: finished.toISOString(),
    summary: { passed: 0, failed: 0, skipped: 0 },
    checks: [],
    surge,
  };
}

/** 1 when a threshold was breached; an interrupted surge exits 130 like any interrupted command. */
export function surgeExitCode(surge: SurgeRecord, interrupted: boolean): number {
  if (interrupted) return 130;
  return surge.verdict === 'breached' ? 1 : 0;
}
