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

/** The exit code for an inconclusive surge: the load generator, not the edge, was the bottleneck. */
export const EXIT_INCONCLUSIVE = 4;

/**
 * 1 when a threshold was breached where the bees kept up; 4 when breached
 * only where they were the bottleneck; an interrupted surge exits 130 like
 * any interrupted command.
 */
export function surgeExitCode(surge: SurgeRecord, interrupted: boolean): number {
  if (interrupted) return 130;
  if (surge.verdict === 'breached') return 1;
  return surge.verdict === 'inconclusive' ? EXIT_INCONCLUSIVE : 0;
}
