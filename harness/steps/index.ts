// The step kinds, in one list. Adding a step kind = a file here + a schema in
// config/stepSchemas.ts.
import type { Step } from '../config/stepSchemas.js';
import type { StepRecord } from '../record.js';
import { originStep } from './origin.js';
import { requestStep } from './request.js';
import { sleepStep } from './sleep.js';
import type { StepContext, StepKind } from './stepKind.js';
import { tlsStepKind } from './tls.js';

const kinds: StepKind<never>[] = [requestStep, sleepStep, originStep, tlsStepKind] as StepKind<never>[];

export function runStep(step: Step, ctx: StepContext): Promise<StepRecord> {
  const kind = kinds.find((k) => k.accepts(step)) as StepKind<Step> | undefined;
  if (!kind) throw new Error(`no step kind accepts ${Object.keys(step).join(', ')}`);
  return kind.run(step, ctx);
}
