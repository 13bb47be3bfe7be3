// What the engines tell the outside world while they run. Reporters implement
// these hooks; the runner never knows which reporters exist.
import type { CheckRecord, RunRecord } from './record.js';

export interface RunBegin {
  runId: string;
  target: { name: string; url: string };
  suites: Array<{ suite: string; title: string; checks: number }>;
}

export interface RunEvents {
  onRunBegin?(info: RunBegin): void;
  onCheckBegin?(check: { suite: string; id: string; title: string }): void;
  onCheckEnd?(check: CheckRecord): void;
  onRunEnd?(record: RunRecord): void | Promise<void>;
}
