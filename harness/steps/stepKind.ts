// The interface every step kind implements: recognise its own YAML shape, run
// against a plain context, return what it saw as a step record.
import type { Step } from '../config/stepSchemas.js';
import type { StepRecord } from '../record.js';
import type { OpenTarget } from '../target/openTarget.js';

export interface StepContext {
  target: OpenTarget;
  /** the check's own origin key, /.edgecheck/<run-id>/<check-id>/ */
  checkKey: string;
  /** request timeout when the step sets none */
  defaultTimeoutMs: number;
  /** aborted when the check's own timeout passes: a step that waits stops waiting */
  signal?: AbortSignal;
}

export interface StepKind<S extends Step = Step> {
  readonly kind: string;
  accepts(step: Step): step is S;
  run(step: S, ctx: StepContext): Promise<StepRecord>;
}
