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
    const arg = rest.join('=').trim().replace(/^"(.*)"$/, '$1');
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

/** Freshness lifetime in seconds, clamped to the route's TTLs. */
export function freshnessLifetime(headers: Record<string, string>, ttl: Ttl, faults: ReadonlySet<ReferenceEdgeFault>): number {
  const cc = parseCacheControl(headers['cache-control']);
  const clamp = (s: number) => Math.min(ttl.max, Math.max(ttl.min, s));
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
  return ttl.default;
}

/** Current age in milliseconds (RFC 9111 4.2.3). */
export function currentAge(t: StoredTimes, now: number, faults: ReadonlySet<ReferenceEdgeFault>): number {
  const dateValue = Date.parse(t.date ?? '');
  const apparentAge = Number.isNaN(dateValue) ? 0 : Math.max(0, t.responseTime - dateValue);
  const ageValue = faults.has('ignore-upstream-age') ? 0 : (seconds(t.age) ?? 0) * 1000;
  const correctedAgeValue = ageValue + (t.responseTime - t.requestTime);
  // Date has one-second resolution: an apparent age under a second is truncation, not age
  const correctedInitialAge = Math.max(apparentAge < 1000 ? 0 : apparentAge, correctedAgeValue);
  return correctedInitialAge + (now - t.responseTime);
}

export interface Storability {
  store: boolean;
  reason?: string;
}

const CACHEABLE_BY_DEFAULT = new Set([200, 203, 204, 300, 301, 308, 404, 405, 410, 414, 501]);

/** May a shared cache store this response (RFC 9111 3)? */
export function storable(
  method: string,
  status: number,
  reqCc: Directives,
  headers: Record<string, string>,
  faults: ReadonlySet<ReferenceEdgeFault>,
): Storability {
  if (method !== 'GET' && method !== 'HEAD') return { store: false, reason: 'method' };
  const cc = parseCacheControl(headers['cache-control']);
  if ((cc.has('no-store') || reqCc.has('no-store')) && !faults.has('store-no-store')) return { store: false, reason: 'no-store' };
  if (cc.has('private') && !faults.has('store-private')) return { store: false, reason: 'private' };
  if (!CACHEABLE_BY_DEFAULT.has(status)) return { store: false, reason: 'status' };
  return { store: true };
}

/** Must every use of the stored response be revalidated (no-cache)? */
export function alwaysRevalidate(headers: Record<string, string>): boolean {
  return parseCacheControl(headers['cache-control']).has('no-cache');
}
