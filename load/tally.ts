// Adds up bees' slices over a span (a second, a phase, the whole surge):
// counters are summed and latency histograms added, so every statistic is
// computed once, over all the values — never an average of averages.
import type { SurgeStats } from '../harness/surgeRecord.js';
import type { SliceReport } from './beeProtocol.js';
import { newHistogram, summarize, type LatencyHistogram } from './latencyHistogram.js';

export class Tally {
  readonly latency = newHistogram();
  sent = 0;
  responses = 0;
  readonly statuses: Record<string, number> = {};
  readonly transport: Record<string, number> = {};
  readonly claims = { hit: 0, miss: 0, none: 0 };

  add(slice: SliceReport, latency: LatencyHistogram): void {
    this.latency.add(latency);
    this.sent += slice.sent;
    this.responses += slice.responses;
    addCounts(this.statuses, slice.statuses);
    addCounts(this.transport, slice.transport);
    this.claims.hit += slice.claims.hit;
    this.claims.miss += slice.claims.miss;
    this.claims.none += slice.claims.none;
  }

  /** The span's statistics; rps over `spanMs`. */
  stats(spanMs: number): SurgeStats {
    const status = { '1xx': 0, '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 };
    const errorsByKind: Record<string, number> = { ...this.transport };
    let httpErrors = 0;
    for (const [code, n] of Object.entries(this.statuses)) {
      const cls = `${code[0]}xx` as keyof typeof status;
      if (cls in status) status[cls] += n;
      if (Number(code) >= 400) {
        httpErrors += n;
        errorsByKind[`HTTP ${code}`] = n;
      }
    }
    const transportErrors = Object.values(this.transport).reduce((a, b) => a + b, 0);
    const errors = httpErrors + transportErrors;
    const attempts = this.responses + transportErrors;
    const claimed = this.claims.hit + this.claims.miss;
    return {
      sent: this.sent,
      responses: this.responses,
      rps: spanMs > 0 ? round(this.responses / (spanMs / 1000)) : 0,
      errors,
      error_rate: attempts > 0 ? errors / attempts : 0,
      errors_by_kind: errorsByKind,
      status,
      latency_ms: summarize(this.latency),
      cache: {
        claimed_hits: this.claims.hit,
        claimed_misses: this.claims.miss,
        no_claim: this.claims.none,
        claimed_hit_ratio: claimed > 0 ? this.claims.hit / claimed : null,
      },
    };
  }
}

function addCounts(into: Record<string, number>, from: Record<string, number>): void {
  for (const [k, n] of Object.entries(from)) into[k] = (into[k] ?? 0) + n;
}

export function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
