// Step kinds (DESIGN.md "Suites"): one key names the kind. Each kind is run by
// one file in harness/steps/.
import { z } from 'zod';
import { expectSchema, tlsExpectation, tlsVersion } from './expectSchema.js';
import { duration } from './schemaParts.js';

/** A header value; `{http_date: +60s}` is an HTTP date relative to when the object is set. */
/** header names are tokens and values hold no line breaks (RFC 9110 5.1, 5.5): anything else would never reach the wire */
export const headerName = z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, { message: 'not a header name (letters, digits and !#$%&\'*+.^_`|~-)' });
const headerText = z.string().regex(/^[^\r\n\0]*$/, { message: 'a header value cannot hold a line break' });

export const objectHeaderValue = z.union([
  headerText,
  z.number(),
  z.strictObject({
    http_date: z.string().regex(/^(now|[+-]\d+(ms|s|m|h|d))$/, { message: 'expected now, +60s, -1h, ...' }),
  }),
]);

const originAnswer = z.strictObject({
  status: z.number().int().min(100).max(599).optional(),
  headers: z.record(headerName, objectHeaderValue).optional(),
  body: z.string().optional(),
  size: z.number().int().positive().max(10_000_000).optional(),
  version: z.string().optional(),
});

/** What the probe origin answers for a check's path. */
export const originObject = originAnswer.extend({
  secondary: originAnswer.optional(),
  sequence: z.array(originAnswer).min(1).optional(),
});
export type OriginObject = z.infer<typeof originObject>;

const requestFields = {
  query: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
  headers: z.record(headerName, z.union([headerText, z.number()])).optional(),
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
const path = z
  .string()
  .startsWith('/', { message: 'expected a path starting with / (relative to the check path)' })
  .refine((p) => !p.includes('?'), { message: 'a ? in the path would be sent encoded: put the query in `query:`' });

export const getStep = z.strictObject({ get: path, ...requestFields });
export const headStep = z.strictObject({ head: path, ...requestFields });
export const postStep = z.strictObject({ post: path, ...requestFields });
export const requestStep = z.strictObject({
  request: path,
  method: z.string().regex(/^[A-Z]+$/, { message: 'expected an HTTP method in upper case' }),
  ...requestFields,
});
/** A pause measured against a route's declared TTL: `{ttl: max, route: ttl-clamp, plus: 1s}`. */
export const routeTtlPause = z.strictObject({
  ttl: z.enum(['min', 'default', 'max', 'error']),
  route: z.string().optional(),
  plus: duration.optional(),
  minus: duration.optional(),
  /** a shorter pause could not tell the behaviour apart from its absence: the check is skipped */
  at_least: duration.optional(),
});
export const sleepStep = z.strictObject({ sleep: z.union([duration, routeTtlPause]) });
export const originStep = z.strictObject({
  origin: z.strictObject({ set: originObject, path: z.string().startsWith('/').optional() }),
});


/** `tls: {...}`: one handshake per hostname x edge address x protocol the options expand to. */
export const tlsStep = z.strictObject({
  tls: z
    .strictObject({
      /** the name to verify and send as SNI (default: the target URL's hostname) */
      host: z.string().optional(),
      each_hostname: z.boolean().optional(),
      /** pin one edge address (default: the target's first) */
      address: z.string().optional(),
      each_edge: z.boolean().optional(),
      port: z.number().int().min(1).max(65_535).optional(),
      /** false sends no SNI; a name sends that name instead of host */
      sni: z.union([z.literal(false), z.string()]).optional(),
      alpn: z.union([z.literal('declared'), z.array(z.string().min(1).max(255)).min(1)]).optional(),
      /** offer exactly this version */
      version: tlsVersion.optional(),
      min_version: tlsVersion.optional(),
      max_version: tlsVersion.optional(),
      /** one handshake per version the target's tls.protocols accepts / refuses, offering exactly it */
      each_protocol: z.enum(['accepted', 'refused']).optional(),
      /** a second handshake offering the first one's session */
      resume: z.boolean().optional(),
      /** also GET this path (relative to the check path) on the same hostname and edge, for HSTS */
      request: path.optional(),
      timeout: duration.optional(),
    })
    .refine((t) => !(t.host !== undefined && t.each_hostname), { message: 'use host or each_hostname, not both' })
    .refine((t) => !(t.address !== undefined && t.each_edge), { message: 'use address or each_edge, not both' })
    .refine((t) => [t.version, t.each_protocol, t.min_version ?? t.max_version].filter((v) => v !== undefined).length <= 1, {
      message: 'use one of version, each_protocol, or min_version/max_version',
    }),
  expect: z.strictObject({ tls: tlsExpectation.optional() }).optional(),
});
export type TlsStep = z.infer<typeof tlsStep>;

export const stepSchema = z.union([getStep, headStep, postStep, requestStep, sleepStep, originStep, tlsStep]);
export type Step = z.infer<typeof stepSchema>;
export type RequestStep = z.infer<typeof getStep> | z.infer<typeof headStep> | z.infer<typeof postStep> | z.infer<typeof requestStep>;


