// Step kinds (DESIGN.md "Suites"): one key names the kind. Each kind is run by
// one file in harness/steps/.
import { z } from 'zod';
import { expectSchema } from './expectSchema.js';
import { duration } from './schemaParts.js';

/** A header value; `{http_date: +60s}` is an HTTP date relative to when the object is set. */
export const objectHeaderValue = z.union([
  z.string(),
  z.number(),
  z.strictObject({
    http_date: z.string().regex(/^(now|[+-]\d+(ms|s|m|h|d))$/, { message: 'expected now, +60s, -1h, ...' }),
  }),
]);

/** What the probe origin answers for a check's path. */
export const originObject = z.strictObject({
  status: z.number().int().min(100).max(599).optional(),
  headers: z.record(z.string(), objectHeaderValue).optional(),
  body: z.string().optional(),
  version: z.string().optional(),
});
export type OriginObject = z.infer<typeof originObject>;

const requestFields = {
  query: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
  headers: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
  route: z.string().optional(),
  host: z.string().optional(),
  address: z.string().optional(),
  scheme: z.enum(['http', 'https']).optional(),
  body: z.string().optional(),
  follow_redirects: z.boolean().optional(),
  timeout: duration.optional(),
  from: z.string().optional(),
  expect: expectSchema.optional(),
};
const path = z.string().startsWith('/', { message: 'expected a path starting with / (relative to the check path)' });

export const getStep = z.strictObject({ get: path, ...requestFields });
export const headStep = z.strictObject({ head: path, ...requestFields });
export const postStep = z.strictObject({ post: path, ...requestFields });
export const requestStep = z.strictObject({
  request: path,
  method: z.string().regex(/^[A-Z]+$/, { message: 'expected an HTTP method in upper case' }),
  ...requestFields,
});
export const sleepStep = z.strictObject({ sleep: duration });
export const originStep = z.strictObject({ origin: z.strictObject({ set: originObject }) });

export const stepSchema = z.union([getStep, headStep, postStep, requestStep, sleepStep, originStep]);
export type Step = z.infer<typeof stepSchema>;
export type RequestStep = z.infer<typeof getStep> | z.infer<typeof headStep> | z.infer<typeof postStep> | z.infer<typeof requestStep>;


