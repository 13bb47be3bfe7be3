// Adds up bees' connection slices over a span (a second, a phase, the whole
// surge), as Tally does for requests: counters summed, handshake histograms
// added, every statistic computed once over all the values.
import type { BeeConnectionStats } from '../harness/surgeRecord.js';
import type { ConnectionSlice } from './handshakeRecorder.js';
import { decode, newHistogram, summarize } from './latencyHistogram.js';
import { round } from './tally.js';

export class HandshakeTally {
  private readonly full = newHistogram();
  private readonly resumed = newHistogram();
  private returning = 0;
  private offered = 0;
  private granted = 0;
  private readonly alpn: Record<string, number> = {};
  private h2Fallbacks = 0;
  private readonly errors: Record<string, number> = {};
  private skipped = 0;
  /** any slice carried connection counts: the bees opened their own connections */
  seen = false;

  add(slice: ConnectionSlice): void {
    this.seen = true;
    this.full.add(decode(slice.full));
    this.resumed.add(decode(slice.resumed));
    this.returning += slice.returning;
    this.offered += slice.offered;
    this.granted += slice.granted;
    addCounts(this.alpn, slice.alpn);
    this.h2Fallbacks += slice.h2Fallbacks;
    addCounts(this.errors, slice.errors);
    this.skipped += slice.skipped;
  }

  get handshakes(): number {
    return this.full.totalCount + this.resumed.totalCount;
  }

  /** The span's figures; handshakes per second over `spanMs`; `plannedVisits` in the visitors model. */
  stats(spanMs: number, plannedVisits?: number): BeeConnectionStats {
    const seconds = spanMs / 1000;
    return {
      handshakes: this.handshakes,
      handshakes_per_s: seconds > 0 ? round(this.handshakes / seconds) : 0,
      ...(plannedVisits !== undefined
        ? {
            planned_visits: Math.round(plannedVisits),
            planned_visits_per_s: seconds > 0 ? round(plannedVisits / seconds) : 0,
          }
        : {}),
      full: { count: this.full.totalCount, latency_ms: summarize(this.full) },
      resumed: { count: this.resumed.totalCount, latency_ms: summarize(this.resumed) },
      resumption: {
        returning: this.returning,
        offered: this.offered,
        granted: this.granted,
        ratio: this.offered > 0 ? round(this.granted / this.offered, 4) : null,
      },
      alpn: { ...this.alpn },
      h2_fallbacks: this.h2Fallbacks,
      errors_by_kind: { ...this.errors },
      skipped_visits: this.skipped,
    };
  }
}

function addCounts(into: Record<string, number>, from: Record<string, number>): void {
  for (const [k, n] of Object.entries(from)) into[k] = (into[k] ?? 0) + n;
}
