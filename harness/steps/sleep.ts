// `sleep: 2s` — lets time pass (for freshness and Age); or
// `sleep: {ttl: max, route: r, plus: 1s}` — as long as a route's declared TTL.
import { setTimeout as delay } from 'node:timers/promises';
import { z } from 'zod';
import { parseDuration } from '../config/duration.js';
import { duration } from '../config/schemaParts.js';
import { stepError, UnmetNeed } from '../errors.js';
import { routePause } from './routePause.js';
import { pastExpiryMs } from './signOption.js';
import type { StepKind } from './stepKind.js';

/** A pause measured against a route's declared TTL: `{ttl: max, route: ttl-clamp, plus: 1s}`. */
export const routeTtlPause = z.strictObject({
  ttl: z.enum(['min', 'default', 'max', 'error']),
  route: z.string().optional(),
  plus: duration.optional(),
  minus: duration.optional(),
  /** a shorter pause could not tell the behaviour apart from its absence: the check is skipped */
  at_least: duration.optional(),
});
export type RouteTtlPause = z.infer<typeof routeTtlPause>;

/** `{past_expiry: name}`: until the signature an earlier step kept (`sign: {as: name}`) is surely refused. */
const pastExpiryPause = z.strictObject({ past_expiry: z.string().min(1) });

export const sleepStepSchema = z.strictObject({ sleep: z.union([duration, routeTtlPause, pastExpiryPause]) });
type SleepStep = z.infer<typeof sleepStepSchema>;

export const sleepStep: StepKind<SleepStep> = {
  kind: 'sleep',
  accepts: (step): step is SleepStep => 'sleep' in step,
  needs: (step) => (typeof step.sleep === 'object' && 'past_expiry' in step.sleep ? ['signing'] : []),
  unmet(step, target) {
    if (typeof step.sleep !== 'object' || 'past_expiry' in step.sleep) return undefined;
    const pause = routePause(step.sleep, target.routes);
    return 'reason' in pause ? pause.reason : undefined;
  },
  async run(step, ctx) {
    if (typeof step.sleep === 'object' && 'past_expiry' in step.sleep) {
      const name = step.sleep.past_expiry;
      const kept = ctx.check.signatures?.get(name);
      if (!kept || !ctx.target.signing) {
        const why = `sleep: past_expiry: ${name}: no earlier step kept a signature under that name`;
        return { kind: 'sleep', error: stepError(new UnmetNeed(why)), failures: [] };
      }
      await delay(pastExpiryMs(kept, ctx.target.signing), undefined, { signal: ctx.signal });
    } else if (typeof step.sleep === 'object') {
      const pause = routePause(step.sleep, ctx.target.routes);
      if ('reason' in pause) return { kind: 'sleep', error: stepError(new UnmetNeed(pause.reason)), failures: [] };
      await delay(pause.ms, undefined, { signal: ctx.signal });
    } else {
      await delay(parseDuration(step.sleep) ?? 0, undefined, { signal: ctx.signal });
    }
    return { kind: 'sleep', failures: [] };
  },
};
