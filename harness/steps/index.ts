// The step kinds, in one registry. Adding a step kind = a file here (its
// schema, needs and run) + its schema in the union and its entry below.
import { z } from 'zod';
import type { StepRecord } from '../record.js';
import { invalidateStep, invalidateStepSchema } from './invalidate.js';
import { originStep, originStepSchema } from './origin.js';
import { pollStep, pollStepSchema } from './poll.js';
import { requestStep, requestStepSchemas } from './request.js';
import { sleepStep, sleepStepSchema } from './sleep.js';
import { registered, type RegisteredStepKind, type StepContext } from './stepKind.js';
import { tlsStepKind, tlsStepSchema } from './tls.js';

/** Every step a suite may hold (README.md "Suites"): one key names the kind. */
export const stepSchema = z.union([
  ...requestStepSchemas,
  sleepStepSchema,
  originStepSchema,
  tlsStepSchema,
  invalidateStepSchema,
  pollStepSchema,
]);
export type Step = z.infer<typeof stepSchema>;

const stepKinds = {
  request: registered(requestStep),
  sleep: registered(sleepStep),
  origin: registered(originStep),
  tls: registered(tlsStepKind),
  invalidate: registered(invalidateStep),
  poll: registered(pollStep),
} satisfies Record<string, RegisteredStepKind>;

export function stepKindOf(step: Step): RegisteredStepKind {
  const kind = Object.values(stepKinds).find((k) => k.accepts(step));
  if (!kind) throw new Error(`no step kind accepts ${Object.keys(step).join(', ')}`);
  return kind;
}

export function runStep(step: Step, ctx: StepContext): Promise<StepRecord> {
  return stepKindOf(step).run(step, ctx);
}
