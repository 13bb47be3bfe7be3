// `sleep: 2s` — lets time pass (for freshness and Age).
import { setTimeout as delay } from 'node:timers/promises';
import { parseDuration } from '../config/duration.js';
import type { Step } from '../config/stepSchemas.js';
import type { StepKind } from './stepKind.js';

type SleepStep = Extract<Step, { sleep: unknown }>;

export const sleepStep: StepKind<SleepStep> = {
  kind: 'sleep',
  accepts: (step): step is SleepStep => 'sleep' in step,
  async run(step) {
    await delay(parseDuration(step.sleep) ?? 0);
    return { kind: 'sleep', failures: [] };
  },
};
