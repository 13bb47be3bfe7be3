// Small zod pieces shared by the targets and suite schemas.
import { z } from 'zod';
import { TLS_VERSIONS } from '../tls/tlsVersions.js';
import { DURATION_HELP } from './duration.js';

export const duration = z.union([
  z.number().nonnegative(),
  z.string().regex(/^\d+(?:\.\d+)?\s*(ms|s|m|h|d)$/, { message: `expected ${DURATION_HELP}` }),
]);
export type Duration = z.infer<typeof duration>;

export const slug = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]*$/, { message: 'expected lower-case letters, digits and dashes (used in URLs)' });

const statusClass = z.string().regex(/^[1-5]xx$/, { message: 'expected a status class such as 2xx' });

/** An HTTP status, a class such as "2xx", or a list of either ([307, 308, 4xx]). */
export const statusPattern = z.union([
  z.number().int().min(100).max(599),
  z.array(z.union([z.number().int().min(100).max(599), statusClass])).min(1),
  statusClass,
]);
export type StatusPattern = z.infer<typeof statusPattern>;

/** Whether a status is one the pattern names: a number exactly, a class by its first digit. */
export function matchesStatus(pattern: StatusPattern, status: number): boolean {
  const one = (want: number | string) => (typeof want === 'number' ? status === want : String(status)[0] === want[0]);
  return Array.isArray(pattern) ? pattern.some(one) : one(pattern);
}

export const tlsVersion = z.enum(TLS_VERSIONS);

/**
 * header names are tokens and values hold no line breaks (RFC 9110 5.1, 5.5):
 * anything else would never reach the wire
 */
export const headerName = z
  .string()
  .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, { message: "not a header name (letters, digits and !#$%&'*+.^_`|~-)" });
export const headerText = z.string().regex(/^[^\r\n\0]*$/, { message: 'a header value cannot hold a line break' });

/** A path under the check's own path: `get: /`, `tls: {request: /}`. */
export const checkPath = z
  .string()
  .startsWith('/', { message: 'expected a path starting with / (relative to the check path)' })
  .refine((p) => !p.includes('?'), { message: 'a ? in the path would be sent encoded: put the query in `query:`' });
