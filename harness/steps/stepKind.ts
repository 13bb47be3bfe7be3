// The interface every step kind implements, in one file per kind beside its
// YAML schema: recognise its own shape, say what it needs of a target, run
// against a plain context, return what it saw as a step record.
import type { StepRecord } from '../record.js';
import type { OpenTarget } from '../target/openTarget.js';
import type { Step } from './index.js';
import type { KeptSignature } from './signOption.js';

export interface StepContext {
  target: OpenTarget;
  /** the check's own origin key, /.edgecheck/<run-id>/<check-id>/ */
  checkKey: string;
  /** request timeout when the step sets none */
  defaultTimeoutMs: number;
  /** aborted when the check's own timeout passes: a step that waits stops waiting */
  signal?: AbortSignal;
  /** what one step of the check leaves for the next (an invalidation in flight for a poll) */
  check: CheckState;
}

/** State a check's steps share, made fresh for each check. */
export interface CheckState {
  invalidation?: InvalidationInFlight;
  /** signed requests a step kept by name (`sign: {as: name}`), for a later `reuse:` or `sleep: {past_expiry:}` */
  signatures?: Map<string, KeptSignature>;
}

/** An invalidation a step requested: when, the provider's handle, and what it has said since. */
export interface InvalidationInFlight {
  provider: string;
  /** performance.now() when it was sent */
  requestedAt: number;
  acceptedAt: number;
  completedAt?: number;
  /** settles when the provider has said Completed, or has no more to say */
  settled: Promise<void>;
  /** stops asking the provider */
  stop(): void;
}

export interface StepKind<S extends Step> {
  readonly kind: string;
  accepts(step: Step): step is S;
  /**
   * What the step needs of any target, by name: `origin`, `tls`,
   * `route:<name>`, `invalidation`, `signing` (runner/needs.ts says which a target lacks).
   */
  needs?(step: S): string[];
  /** Why the step cannot run on this target beyond its named needs (a route's TTL, a TLS promise), if it cannot. */
  unmet?(step: S, target: OpenTarget): string | undefined;
  run(step: S, ctx: StepContext): Promise<StepRecord>;
}

/** A step kind as the registry holds it: any step in, narrowed by the kind's own `accepts`. */
export interface RegisteredStepKind {
  readonly kind: string;
  accepts(step: Step): boolean;
  needs(step: Step): string[];
  unmet(step: Step, target: OpenTarget): string | undefined;
  run(step: Step, ctx: StepContext): Promise<StepRecord>;
}

export function registered<S extends Step>(kind: StepKind<S>): RegisteredStepKind {
  const own = (step: Step): S => {
    if (!kind.accepts(step))
      throw new Error(`the ${kind.kind} step kind was given a step with ${Object.keys(step).join(', ')}`);
    return step;
  };
  return {
    kind: kind.kind,
    accepts: (step) => kind.accepts(step),
    needs: (step) => kind.needs?.(own(step)) ?? [],
    unmet: (step, target) => kind.unmet?.(own(step), target),
    run: (step, ctx) => kind.run(own(step), ctx),
  };
}
