// `origin: {set: {...}}` — the probe origin answers differently from now on
// (a new version, new headers), through the control channel.
import { z } from 'zod';
import { suiteObject } from '../origin/protocol.js';
import { stepError, UnmetNeed } from '../errors.js';
import { renderObject } from '../origin/renderObject.js';
import type { StepKind } from './stepKind.js';

export const originStepSchema = z.strictObject({
  origin: z.strictObject({ set: suiteObject, path: z.string().startsWith('/').optional() }),
});
type OriginStep = z.infer<typeof originStepSchema>;

export const originStep: StepKind<OriginStep> = {
  kind: 'origin',
  accepts: (step): step is OriginStep => 'origin' in step,
  needs: () => ['origin'],
  async run(step, ctx) {
    if (!ctx.target.origin) {
      const error = stepError(new UnmetNeed('the target has no probe origin control channel'));
      return { kind: 'origin', error, failures: [] };
    }
    await ctx.target.origin.setObject(
      ctx.checkKey,
      renderObject(step.origin.set, { countryHeader: ctx.target.redirects?.country_header }),
      step.origin.path,
    );
    return { kind: 'origin', failures: [] };
  },
};
