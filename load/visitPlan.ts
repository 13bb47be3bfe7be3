// What one visit is in the visitors model, after loading: how many requests
// it makes (fixed, uniform, or weighted), the think time between them, and
// the share of visitors who come back with a TLS session. Pure: the draws
// take their random source, so tests can fix it.
import type { SurgeVisitPlan } from '../harness/surgeRecord.js';

export type RequestsPerVisit =
  | { kind: 'fixed'; n: number }
  | { kind: 'uniform'; min: number; max: number }
  /** weights[i] is how often a visit makes i + 1 requests */
  | { kind: 'weights'; weights: readonly number[] };

export interface VisitPlan {
  requests: RequestsPerVisit;
  /** think time between a visit's requests, drawn uniformly from [min, max] */
  thinkMs: { min: number; max: number };
  /** share of visitors who return and offer the session of an earlier visit */
  resume: number;
}

export type Random = () => number;

/** How many requests a visit makes. */
export function drawRequests(r: RequestsPerVisit, random: Random = Math.random): number {
  if (r.kind === 'fixed') return r.n;
  if (r.kind === 'uniform') return r.min + Math.floor(random() * (r.max - r.min + 1));
  const total = r.weights.reduce((a, b) => a + b, 0);
  let pick = random() * total;
  for (const [i, w] of r.weights.entries()) {
    if (pick < w) return i + 1;
    pick -= w;
  }
  // rounding left pick at the very top: the largest count with any weight
  return maxRequests(r);
}

export function drawThinkMs(t: VisitPlan['thinkMs'], random: Random = Math.random): number {
  return t.min + random() * (t.max - t.min);
}

export function meanRequests(r: RequestsPerVisit): number {
  if (r.kind === 'fixed') return r.n;
  if (r.kind === 'uniform') return (r.min + r.max) / 2;
  const total = r.weights.reduce((a, b) => a + b, 0);
  return r.weights.reduce((sum, w, i) => sum + w * (i + 1), 0) / total;
}

/** The most requests a visit can make. */
export function maxRequests(r: RequestsPerVisit): number {
  if (r.kind === 'fixed') return r.n;
  if (r.kind === 'uniform') return r.max;
  let last = 0;
  for (const [i, w] of r.weights.entries()) if (w > 0) last = i;
  return last + 1;
}

/** The visit as the record states it. */
export function describeVisit(v: VisitPlan): SurgeVisitPlan {
  const r = v.requests;
  const requests =
    r.kind === 'fixed'
      ? String(r.n)
      : r.kind === 'uniform'
        ? `${r.min}-${r.max} (uniform)`
        : `1-${r.weights.length} (weights ${r.weights.join(',')})`;
  const ms = (n: number) => (n % 1000 === 0 ? `${n / 1000}s` : `${Math.round(n)}ms`);
  const think =
    v.thinkMs.min === v.thinkMs.max ? ms(v.thinkMs.min) : `${ms(v.thinkMs.min)}-${ms(v.thinkMs.max)} (uniform)`;
  return { requests, mean_requests: Math.round(meanRequests(r) * 100) / 100, think, resume: v.resume };
}
