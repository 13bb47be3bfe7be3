// The run record (edgecheck.run/1): the one source every reporter and
// `compare` read, live or from a saved run.json. A public contract: extend,
// never break.

export const RUN_RECORD_SCHEMA = 'edgecheck.run/1';

export type CheckStatus = 'passed' | 'failed' | 'skipped';

export interface FailureRecord {
  expectation: string;
  expected: unknown;
  actual: unknown;
}

export interface StepRecord {
  kind: string;
  request?: { method: string; url: string; address?: string };
  response?: { status: number; headers: Record<string, string> };
  /** ground truth from the probe origin's log: did this request reach the origin? */
  origin_seen?: boolean;
  /** what the vendor header claimed, and whether it agrees with the origin log */
  cache_claim?: { claim: string; evidence: string; agrees_with_origin?: boolean };
  /** the origin log entries this step caused (method, conditional headers, SNI) */
  origin_requests?: Array<{ method: string; url: string; headers: Record<string, string>; sni?: string }>;
  duration_ms?: number;
  /** a transport or harness error (the step could not observe a response) */
  error?: string;
  failures: FailureRecord[];
}

export interface CheckRecord {
  suite: string;
  id: string;
  title: string;
  kind: 'required' | 'optimal' | 'info';
  spec?: string;
  status: CheckStatus;
  reason?: string;
  duration_ms: number;
  metrics?: Record<string, number>;
  steps: StepRecord[];
}

export interface RunSummary {
  passed: number;
  failed: number;
  skipped: number;
}

export interface RunRecord {
  schema: typeof RUN_RECORD_SCHEMA;
  run_id: string;
  target: { name: string; url: string; lab?: string };
  started: string;
  finished: string;
  summary: RunSummary;
  checks: CheckRecord[];
  surge?: unknown;
}

export function summarize(checks: CheckRecord[]): RunSummary {
  const summary = { passed: 0, failed: 0, skipped: 0 };
  for (const c of checks) summary[c.status]++;
  return summary;
}

/** A run fails when a required check failed; optimal and info failures are reported only. */
export function runFailed(record: RunRecord): boolean {
  return record.checks.some((c) => c.status === 'failed' && c.kind === 'required');
}
