// What a step may expect (DESIGN.md "Expectations"). One key per expectation;
// each is checked by one file in harness/expect/.
import { z } from 'zod';
import { duration, statusPattern } from './schemaParts.js';

export const valueMatcher = z.union([
  z.string(),
  z.number(),
  z.strictObject({
    equals: z.union([z.string(), z.number()]).optional(),
    matches: z.string().optional(),
    contains: z.string().optional(),
    absent: z.literal(true).optional(),
    present: z.literal(true).optional(),
    gte: z.number().optional(),
    lte: z.number().optional(),
  }),
]);
export type ValueMatcher = z.infer<typeof valueMatcher>;

export const cacheClaims = ['hit', 'miss', 'revalidated', 'stale', 'error', 'bypass'] as const;

export const expectSchema = z.strictObject({
  status: statusPattern.optional(),
  headers: z.record(z.string(), valueMatcher).optional(),
  body: z
    .strictObject({ equals: z.string().optional(), contains: z.string().optional(), version: z.string().optional() })
    .optional(),
  served_by: z.enum(['cache', 'origin']).optional(),
  cache: z.union([z.enum(cacheClaims), z.array(z.enum(cacheClaims)).min(1)]).optional(),
  origin_request: z
    .strictObject({
      conditional: z.boolean().optional(),
      status: z.number().int().optional(),
      headers: z.record(z.string(), valueMatcher).optional(),
      sni: z.string().optional(),
    })
    .optional(),
  duration: z.strictObject({ lte: duration }).optional(),
});
export type Expect = z.infer<typeof expectSchema>;
