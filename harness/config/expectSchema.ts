// What a step may expect (README.md "Suites"). One key per expectation;
// each is checked by one file in harness/expect/.
import { z } from 'zod';
import { DENIAL_REASONS } from '../signing/scheme.js';
import { duration, statusPattern, tlsVersion } from './schemaParts.js';

/** a pattern that compiles: a bad one is a config error, not a failed check */
const pattern = z.string().refine(
  (text) => {
    try {
      new RegExp(text);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'not a valid regular expression' },
);

export const valueMatcher = z.union([
  z.string(),
  z.number(),
  z
    .strictObject({
      equals: z.union([z.string(), z.number()]).optional(),
      matches: pattern.optional(),
      contains: z.string().optional(),
      absent: z.literal(true).optional(),
      present: z.literal(true).optional(),
      gte: z.number().optional(),
      lte: z.number().optional(),
    })
    .refine((m) => Object.keys(m).length > 0, {
      message: 'a matcher needs a test: equals, matches, contains, absent, present, gte or lte',
    }),
]);
export type ValueMatcher = z.infer<typeof valueMatcher>;

export const cacheClaims = ['hit', 'miss', 'revalidated', 'stale', 'error', 'bypass'] as const;

/**
 * What a `tls` step may expect of each handshake it makes. The words
 * `declared`, `min_days_left` and `min_max_age` stand for what the target
 * promises in its `tls:` block; a check using them is skipped when the
 * target promises nothing there (min_days_left defaults to 21).
 */
export const tlsExpectation = z.strictObject({
  /** the handshake was refused by the server (not a network failure) */
  refused: z.boolean().optional(),
  /** `san`: covered by a subjectAltName, the CN fallback not accepted */
  hostname_match: z.literal([true, false, 'san']).optional(),
  /** the chain is complete and ends at a trusted root (system store plus the target's tls.ca) */
  trusted: z.boolean().optional(),
  days_left: z
    .strictObject({
      gte: z.union([z.number().int(), z.literal('min_days_left')]).optional(),
      lte: z.number().int().optional(),
    })
    .optional(),
  protocol: z.union([tlsVersion, z.array(tlsVersion).min(1)]).optional(),
  /** the protocol the server selected; false = none; `declared` = the first of the target's tls.alpn */
  alpn: z.union([z.literal(false), z.string()]).optional(),
  /** needs `resume: true` on the step; ticket / session-id also name how */
  resumed: z.literal([true, false, 'ticket', 'session-id']).optional(),
  /** true: without SNI the server presents no certificate for the host (an extra handshake tells) */
  sni_required: z.boolean().optional(),
  /** the Strict-Transport-Security of the answer to the step's `request` */
  hsts: z
    .strictObject({
      max_age: z.strictObject({ gte: z.union([z.number().int().nonnegative(), z.literal('min_max_age')]) }).optional(),
      include_subdomains: z.boolean().optional(),
      preload: z.boolean().optional(),
    })
    .optional(),
});
export type TlsExpectation = z.infer<typeof tlsExpectation>;

/**
 * Where a redirect must send the viewer: an exact URL (resolved against the request, as a client resolves
 * a relative Location), a pattern, or its parts. `host: same` is the request's host, `host: canonical` the
 * target's redirects.canonical_host; `path`/`query: kept` are the request's, byte for byte; `viewer_location`
 * is the URL the target's viewer-location rule for the step's `from:` address names.
 */
export const locationExpectation = z.union([
  z.literal('viewer_location'),
  z.string(),
  z.strictObject({ matches: pattern }),
  z.strictObject({
    scheme: z.enum(['http', 'https']).optional(),
    host: z.string().min(1).optional(),
    path: z.string().min(1).optional(),
    query: z.string().optional(),
  }),
]);

/** What a redirect must be: with `follow_redirects`, the first hop's; `hops` counts them all. */
export const redirectExpectation = z.strictObject({
  /** a status, a list, a class, or `declared`: the target's redirects.https */
  status: z.union([statusPattern, z.literal('declared')]).optional(),
  location: locationExpectation.optional(),
  /** with follow_redirects: how many redirects were followed to the final answer */
  hops: z.strictObject({ lte: z.number().int().nonnegative() }).optional(),
  /** with follow_redirects: where the last redirect led (the request's own URL when there was none) */
  ends_at: locationExpectation.optional(),
});
export type RedirectExpectation = z.infer<typeof redirectExpectation>;

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
      sni_matches_certificate: z.boolean().optional(),
      /** true: none of the signature's query parameters reached the origin (the edge removed them) */
      signature_stripped: z.boolean().optional(),
    })
    .optional(),
  /**
   * TLS connections the edge opened to one of the probe origin's fault listeners during this step (an edge
   * that refuses the certificate sends no request, so this is the only trace of its attempt)
   */
  origin_connections: z
    .strictObject({
      listener: z
        .string()
        .regex(/^[a-z][a-z0-9-]*$/, { message: 'expected a fault listener name such as untrusted-ca' }),
      min: z.number().int().nonnegative().optional(),
      max: z.number().int().nonnegative().optional(),
    })
    .refine((c) => c.min !== undefined || c.max !== undefined, { message: 'give min, max or both' })
    .optional(),
  duration: z.strictObject({ lte: duration }).optional(),
  /** the answer is a redirect, and where it goes */
  redirect: redirectExpectation.optional(),
  /** why the edge refused a signature, where its answer says (needs signing) */
  denial: z.enum(DENIAL_REASONS).optional(),
});
export type Expect = z.infer<typeof expectSchema>;
