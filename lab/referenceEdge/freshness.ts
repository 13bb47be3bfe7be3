// RFC 9111 arithmetic for a shared cache, CloudFront-flavoured: freshness
// lifetime from s-maxage / max-age / Expires clamped to the route's min/max TTL
// (default TTL when the origin says nothing), and the current age (4.2.3).
// Each fault switch bends exactly one rule.
import type { ReferenceEdgeFault } from './faults.js';

export type Directives = Map<string, string | true>;

export function parseCacheControl(value: string | undefined): Directives {
  const out: Directives = new Map();
  if (!value) return out;
  for (const part of value.split(',')) {
    const [rawName, ...rest] = part.split('=');
    const name = rawName?.trim().toLowerCase();
    if (!name) continue;
    const arg = rest
      .join('=')
      .trim()
      .replace(/^"(.*)"$/, '$1');
    out.set(name, rest.length ? arg : true);
  }
  return out;
}

export interface Ttl {
  min: number;
  default: number;
  max: number;
}

export interface StoredTimes {
  /** when the edge sent the request upstream / received the answer (ms) */
  requestTime: number;
  responseTime: number;
  /** the response's Date and Age headers */
  date?: string;
  age?: string;
}

function seconds(v: string | true | undefined): number | undefined {
  if (typeof v !== 'string' || !/^\d+$/.test(v)) return undefined;
  return Number(v);
}

/** Statuses a CDN keeps for the route's error TTL (CloudFront's error caching). */
export const ERROR_CACHING_STATUSES = new Set([400, 403, 404, 405, 414, 416, 500, 501, 502, 503, 504]);

const HEURISTIC_FRACTION = 0.1; // RFC 9111 4.2.2's suggested 10% of the time since Last-Modified
const HEURISTIC_CAP_S = 86_400;

/**
 * Freshness lifetime in seconds: an error status gets the route's error TTL;
 * otherwise explicit freshness clamped to the route's TTLs; otherwise the
 * route's default TTL; otherwise a heuristic from Last-Modified.
 */
export function freshnessLifetime(
  headers: Record<string, string>,
  ttl: Ttl,
  faults: ReadonlySet<ReferenceEdgeFault>,
  status = 200,
  errorTtl?: number,
): number {
  if (ERROR_CACHING_STATUSES.has(status)) {
    if (faults.has('cache-errors-forever')) return ttl.max;
    if (errorTtl !== undefined) return errorTtl;
  }
  const explicit = explicitLifetime(headers, faults);
  if (explicit !== undefined)
    return faults.has('no-ttl-clamp') ? explicit : Math.min(ttl.max, Math.max(ttl.min, explicit));
  if (ERROR_CACHING_STATUSES.has(status)) return 0;
  if (ttl.default > 0 && !faults.has('ignore-default-ttl')) return ttl.default;
  return faults.has('no-heuristic') ? 0 : heuristicLifetime(headers);
}

function heuristicLifetime(headers: Record<string, string>): number {
  const lastModified = Date.parse(headers['last-modified'] ?? '');
  if (Number.isNaN(lastModified)) return 0;
  const date = Date.parse(headers['date'] ?? '');
  const since = (Number.isNaN(date) ? Date.now() : date) - lastModified;
  return Math.min(HEURISTIC_CAP_S, Math.max(0, Math.floor((since * HEURISTIC_FRACTION) / 1000)));
}

/** s-maxage, max-age or Expires, in seconds; undefined when the response has none. */
function explicitLifetime(
  headers: Record<string, string>,
  faults: ReadonlySet<ReferenceEdgeFault>,
): number | undefined {
  const cc = parseCacheControl(headers['cache-control']);
  const clamp = (s: number) => s;
  const sMaxAge = faults.has('ignore-s-maxage') ? undefined : seconds(cc.get('s-maxage'));
  if (sMaxAge !== undefined) return clamp(sMaxAge);
  const maxAge = faults.has('ignore-max-age') ? undefined : seconds(cc.get('max-age'));
  if (maxAge !== undefined) return clamp(maxAge);
  if (headers['expires'] !== undefined && !faults.has('ignore-expires')) {
    const expires = Date.parse(headers['expires']);
    const date = Date.parse(headers['date'] ?? '');
    // an invalid Expires means "already expired" (RFC 9111 5.3)
    if (Number.isNaN(expires)) return clamp(0);
    const base = Number.isNaN(date) ? Date.now() : date;
    return clamp(Math.max(0, Math.floor((expires - base) / 1000)));
  }
  return undefined;
}

const DATE_RESOLUTION_MS = 1000;

/** Current age in milliseconds (RFC 9111 4.2.3). */
export function currentAge(t: StoredTimes, now: number, faults: ReadonlySet<ReferenceEdgeFault>): number {
  const dateValue = Date.parse(t.date ?? '');
  // Date has one-second resolution: the origin's clock may have been up to a
  // second past what it wrote, so only time beyond that is apparent age
  const apparentAge = Number.isNaN(dateValue) ? 0 : Math.max(0, t.responseTime - dateValue - DATE_RESOLUTION_MS);
  const ageValue = faults.has('ignore-upstream-age') ? 0 : (seconds(t.age) ?? 0) * 1000;
  const correctedAgeValue = ageValue + (t.responseTime - t.requestTime);
  const correctedInitialAge = Math.max(apparentAge, correctedAgeValue);
  return correctedInitialAge + (now - t.responseTime);
}

export interface Storability {
  store: boolean;
  reason?: string;
}

const CACHEABLE_BY_DEFAULT = new Set([200, 203, 204, 300, 301, 404, 405, 410, 414, 501]);
/**
 * Redirects stored only when the origin's Cache-Control says for how long: CloudFront keeps 307 and 308
 * only then, and a 302 or 307 is never cacheable by default (RFC 9111 3, RFC 9110 15.4).
 */
const CACHEABLE_WITH_CACHE_CONTROL = new Set([302, 307, 308]);

/** May a shared cache store this response (RFC 9111 3)? */
export function storable(
  method: string,
  status: number,
  reqCc: Directives,
  headers: Record<string, string>,
  faults: ReadonlySet<ReferenceEdgeFault>,
  errorTtl?: number,
): Storability {
  if (method !== 'GET' && method !== 'HEAD') return { store: false, reason: 'method' };
  const cc = parseCacheControl(headers['cache-control']);
  if ((cc.has('no-store') || reqCc.has('no-store')) && !faults.has('store-no-store'))
    return { store: false, reason: 'no-store' };
  if (cc.has('private') && !faults.has('store-private')) return { store: false, reason: 'private' };
  const toldHowLong = CACHEABLE_WITH_CACHE_CONTROL.has(status) && (cc.has('max-age') || cc.has('s-maxage'));
  if (
    !CACHEABLE_BY_DEFAULT.has(status) &&
    !toldHowLong &&
    !(errorTtl !== undefined && ERROR_CACHING_STATUSES.has(status))
  ) {
    return { store: false, reason: 'status' };
  }
  return { store: true };
}

/** Must every use of the stored response be revalidated (no-cache)? */
export function alwaysRevalidate(headers: Record<string, string>, faults: ReadonlySet<ReferenceEdgeFault>): boolean {
  return !faults.has('ignore-no-cache') && parseCacheControl(headers['cache-control']).has('no-cache');
}

/** May a stale response be served when the origin fails (RFC 9111 4.2.4)? */
export function mayServeStale(headers: Record<string, string>, faults: ReadonlySet<ReferenceEdgeFault>): boolean {
  if (faults.has('ignore-must-revalidate')) return true;
  if (faults.has('no-stale-if-error')) return false;
  const cc = parseCacheControl(headers['cache-control']);
  return !cc.has('must-revalidate') && !cc.has('proxy-revalidate') && !cc.has('s-maxage');
}
