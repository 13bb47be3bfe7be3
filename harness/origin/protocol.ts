// The probe origin's wire protocol, imported by both sides: the harness
// (originControl.ts) and the origin itself (lab/probeOrigin/). What an object
// may be, what a log entry holds, the control endpoints, and the check paths.
import { z } from 'zod';
import { headerName, headerText } from '../config/schemaParts.js';

/** Every check path starts here; a run's are under `/.edgecheck/<run-id>/`. */
export const CHECK_PATH_ROOT = '/.edgecheck/';

/** The prefix of every path a run uses: cleared on the origin when the run ends. */
export function runPrefix(runId: string): string {
  return `${CHECK_PATH_ROOT}${runId}/`;
}

/** A check's own key, `/.edgecheck/<run-id>/<name>/`: caches start cold and checks never collide. */
export function checkKeyFor(runId: string, name: string): string {
  return `${runPrefix(runId)}${name}/`;
}

/** The key a path belongs to, wherever it appears (a CDN route may add a prefix in front of it). */
const CHECK_KEY = /\/\.edgecheck\/[^/?#]+\/[^/?#]+\//;

export function checkKeyOf(path: string): string | undefined {
  return CHECK_KEY.exec(path)?.[0];
}

/** A key as the harness makes it: a run id and a check name of URL-safe characters, no dot segments. */
const SEGMENT = '[A-Za-z0-9][A-Za-z0-9._~-]{0,127}';
const CONTROL_KEY = new RegExp(`^/\\.edgecheck/${SEGMENT}/${SEGMENT}/$`);
const RUN_PREFIX = new RegExp(`^/\\.edgecheck/${SEGMENT}/$`);

/**
 * Why the control channel refuses a key or a prefix to clear, or undefined when
 * it takes it: the origin never resolves them as files, but a `..`, an encoded
 * slash or a NUL in one is never the harness's and must not reach the store.
 */
export function controlKeyProblem(key: unknown, what: 'key' | 'prefix'): string | undefined {
  if (typeof key !== 'string') return `${what}: expected a string, found ${typeof key}`;
  if (CONTROL_KEY.test(key)) return undefined;
  if (what === 'key') return 'key: not a check key /.edgecheck/<run>/<check>/';
  if (key === CHECK_PATH_ROOT || RUN_PREFIX.test(key)) return undefined;
  return 'prefix: not /.edgecheck/, /.edgecheck/<run>/ or a check key';
}

/** The longest path under a check key an object may be set for. */
export const MAX_OBJECT_PATH = 1024;

export function objectPathProblem(path: unknown): string | undefined {
  if (path === undefined) return undefined;
  if (typeof path !== 'string') return `path: expected a string, found ${typeof path}`;
  if (path.length > MAX_OBJECT_PATH) return `path: longer than ${MAX_OBJECT_PATH} characters`;
  if (/[\u0000-\u001f\u007f\\#\s]/.test(path)) return 'path: a control character, space, backslash or # in it';
  if (/%(2f|5c|00)/i.test(path)) return 'path: an encoded slash, backslash or NUL in it';
  if (path.split(/[/?]/).some((s) => s === '..' || s === '.')) return 'path: a . or .. segment in it';
  return undefined;
}

/** The control channel's endpoints (token-authenticated, never through the CDN). */
export const CONTROL = {
  health: '/v1/health',
  objects: '/v1/objects',
  log: '/v1/log',
  count: '/v1/count',
  /** connections each TLS fault listener has accepted since the origin started: `{listeners: {fault: n}}` */
  connections: '/v1/connections',
} as const;

/** A header value; `{http_date: +60s}` is an HTTP date relative to when the object is set. */
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

/** An answer for requests that carry these header values (exactly, names in any case). */
const originCase = originAnswer.extend({
  when: z.strictObject({ headers: z.record(headerName, headerText) }),
});

/**
 * What the probe origin answers for a check's path, as the origin stores it (and a surge plan writes it):
 * the control channel takes exactly this.
 */
export const originObject = originAnswer.extend({
  secondary: originAnswer.optional(),
  sequence: z.array(originAnswer).min(1).optional(),
  /** answers chosen by request header (the first whose `when` holds), such as a redirect per viewer country */
  cases: z.array(originCase).min(1).optional(),
});

/**
 * A suite's case may name the viewer's country instead of a header: the edge tells the origin the
 * country in a header of its own (CloudFront-Viewer-Country, a Fastly or Akamai geo header), which is
 * the target's `redirects.country_header`; renderObject.ts writes it as that header.
 */
const suiteCase = originAnswer.extend({
  when: z.union([
    z.strictObject({ headers: z.record(headerName, headerText) }),
    z.strictObject({
      viewer_country: z.string().regex(/^[A-Z]{2}$/, { message: 'expected a country code such as DE' }),
    }),
  ]),
});

/** What the probe origin answers for a check's path, as a suite writes it. */
export const suiteObject = originAnswer.extend({
  secondary: originAnswer.optional(),
  sequence: z.array(originAnswer).min(1).optional(),
  /** answers chosen by request header or viewer country (the first whose `when` holds) */
  cases: z.array(suiteCase).min(1).optional(),
});
export type SuiteObject = z.infer<typeof suiteObject>;

/** An object as the origin stores it: relative dates already made HTTP dates (origin/renderObject.ts). */
export interface OriginObject {
  status?: number;
  headers?: Record<string, string | number>;
  body?: string;
  /** pad the body to this many bytes (the body text repeated) */
  size?: number;
  version?: string;
  /** the answer on the secondary listener (an origin group's failover origin) */
  secondary?: OriginObject;
  /** answers for the 1st, 2nd, ... request of this path; the last one repeats */
  sequence?: OriginObject[];
  /** answers for requests carrying these header values; the first that matches wins */
  cases?: Array<OriginObject & { when: { headers: Record<string, string> } }>;
}

/** One request that reached the origin: the ground truth of hit and miss. */
export interface OriginLogEntry {
  /** the per-key counter: 1 for the first request that reached the origin */
  seq: number;
  at: number;
  method: string;
  url: string;
  headers: Record<string, string>;
  peer: string;
  /** which listener: 'http' or 'https:<certificate fault>' */
  listener: string;
  sni?: string;
  /** the DNS names of the certificate the TLS listener presented (absent on plain HTTP) */
  certificate_names?: string[];
  /** the status the origin answered with */
  status?: number;
}
