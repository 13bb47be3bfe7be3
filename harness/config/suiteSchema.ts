// The public contract of a suite file (README.md "Suites").
import { z } from 'zod';
import { slug, duration } from './schemaParts.js';
import { suiteObject } from '../origin/protocol.js';
import { stepSchema } from '../steps/index.js';

export const checkSchema = z
  .strictObject({
    id: slug,
    title: z.string(),
    spec: z.string().optional(),
    kind: z.enum(['required', 'optimal', 'info']).optional(),
    needs: z
      .array(
        z.string().regex(/^(origin|invalidation|signing|surge|tls|route:[A-Za-z0-9_.-]+)$/, {
          message: 'expected origin, invalidation, signing, surge, tls or route:<name>',
        }),
      )
      .optional(),
    object: suiteObject.optional(),
    /** answers for single paths under the check's path, e.g. "/asset.css" */
    objects: z.record(z.string().startsWith('/'), suiteObject).optional(),
    timeout: duration.optional(),
    steps: z.array(stepSchema).min(1),
  })
  .superRefine((check, ctx) => {
    // a signature is reused by the name an earlier step kept it under: a later or missing one is a typo
    const kept = new Set<string>();
    check.steps.forEach((step, i) => {
      const inner = 'poll' in step ? step.poll.step : step;
      const sign = 'sign' in inner && typeof inner.sign === 'object' ? inner.sign : undefined;
      const path = 'poll' in step ? ['steps', i, 'poll', 'step', 'sign'] : ['steps', i, 'sign'];
      const used =
        sign?.reuse ??
        ('sleep' in step && typeof step.sleep === 'object' && 'past_expiry' in step.sleep
          ? step.sleep.past_expiry
          : undefined);
      if (used !== undefined && !kept.has(used)) {
        const where = 'sleep' in step ? ['steps', i, 'sleep', 'past_expiry'] : [...path, 'reuse'];
        const known = kept.size ? `: kept so far ${[...kept].join(', ')}` : '';
        ctx.addIssue({
          code: 'custom',
          path: where,
          message: `no earlier step keeps a signature as '${used}'${known}`,
        });
      }
      if (sign?.as !== undefined) kept.add(sign.as);
    });
  });

export const suiteSchema = z.strictObject({
  suite: slug,
  title: z.string(),
  description: z.string().optional(),
  checks: z.array(checkSchema).min(1),
});

export type Check = z.infer<typeof checkSchema>;
export type Suite = z.infer<typeof suiteSchema>;
