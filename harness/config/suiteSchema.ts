// The public contract of a suite file (README.md "Suites").
import { z } from 'zod';
import { slug, duration } from './schemaParts.js';
import { originObject } from '../origin/protocol.js';
import { stepSchema } from '../steps/index.js';

export const checkSchema = z.strictObject({
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
  object: originObject.optional(),
  /** answers for single paths under the check's path, e.g. "/asset.css" */
  objects: z.record(z.string().startsWith('/'), originObject).optional(),
  timeout: duration.optional(),
  steps: z.array(stepSchema).min(1),
});

export const suiteSchema = z.strictObject({
  suite: slug,
  title: z.string(),
  description: z.string().optional(),
  checks: z.array(checkSchema).min(1),
});

export type Check = z.infer<typeof checkSchema>;
export type Suite = z.infer<typeof suiteSchema>;
