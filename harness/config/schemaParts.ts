// Small zod pieces shared by the targets and suite schemas.
import { z } from 'zod';
import { DURATION_HELP } from './duration.js';

export const duration = z.union([
  z.number().nonnegative(),
  z.string().regex(/^\d+(?:\.\d+)?\s*(ms|s|m|h|d)$/, { message: `expected ${DURATION_HELP}` }),
]);
export type Duration = z.infer<typeof duration>;

export const slug = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]*$/, { message: 'expected lower-case letters, digits and dashes (used in URLs)' });

/** An HTTP status, a list of them, or a class such as "2xx". */
export const statusPattern = z.union([
  z.number().int().min(100).max(599),
  z.array(z.number().int().min(100).max(599)).min(1),
  z.string().regex(/^[1-5]xx$/, { message: 'expected a status class such as 2xx' }),
]);
