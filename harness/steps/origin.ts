// `origin: {set: {...}}` — the probe origin answers differently from now on
// (a new version, new headers), through the control channel.
import type { Step } from '../config/stepSchemas.js';
import { stepError, UnmetNeed } from '../errors.js';
import { renderObject } from '../origin/renderObject.js';
import type { StepKind } from './stepKind.js';

type OriginStep = Extract<Step, { origin: unknown }>;

export const originStep: StepKind<OriginStep> = {
  kind: 'origin',
  accepts: (step): step is OriginStep => 'origin' in step,
  async run(step, ctx) {
    if (!ctx.target.origin) {
      const error = stepError(new UnmetNeed('the target has no probe origin control channel'));
      return { kind: 'origin', error, failures: [] };
    }
    await ctx.target.origin.setObject(ctx.checkKey, renderObject(step.origin.set), step.origin.path);
    return { kind: 'origin', failures: [] };
  },
};
