// `sleep: 2s` — lets time pass (for freshness and Age); or
// `sleep: {ttl: max, route: r, plus: 1s}` — as long as a route's declared TTL.
import { setTimeout as delay } from 'node:timers/promises';
import { parseDuration } from '../config/duration.js';
import type { Step } from '../config/stepSchemas.js';
import { stepError, UnmetNeed } from '../errors.js';
import { routePause } from './routePause.js';
import type { StepKind } from './stepKind.js';

type SleepStep = Extract<Step, { sleep: unknown }>;

export const sleepStep: StepKind<SleepStep> = {
  kind: 'sleep',
  accepts: (step): step is SleepStep => 'sleep' in step,
  async run(step, ctx) {
    if (typeof step.sleep === 'object') {
      const pause = routePause(step.sleep, ctx.target.routes);
      if ('reason' in pause) return { kind: 'sleep', error: stepError(new UnmetNeed(pause.reason)), failures: [] };
      await delay(pause.ms, undefined, { signal: ctx.signal });
    } else {
      await delay(parseDuration(step.sleep) ?? 0, undefined, { signal: ctx.signal });
    }
    return { kind: 'sleep', failures: [] };
  },
};
