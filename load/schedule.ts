// The plan's level over time — piecewise linear: ramps are straight lines,
// holds and spikes flat — with its integral (planned requests so far) and the
// inverse of that integral (when the n-th planned request is due).

export interface Segment {
  from: number;
  to: number;
  durationMs: number;
}

export class Schedule {
  readonly durationMs: number;
  private readonly starts: number[] = [];
  /** planned requests before each segment (level x seconds) */
  private readonly before: number[] = [];
  private readonly total: number;

  constructor(private readonly segments: readonly Segment[]) {
    let t = 0;
    let n = 0;
    for (const s of segments) {
      this.starts.push(t);
      this.before.push(n);
      t += s.durationMs;
      n += ((s.from + s.to) / 2) * (s.durationMs / 1000);
    }
    this.durationMs = t;
    this.total = n;
  }

  /** the segment running at t (the last one at and after the end) */
  segmentAt(tMs: number): number {
    for (let i = this.segments.length - 1; i >= 0; i--) if (tMs >= this.starts[i]!) return i;
    return 0;
  }

  levelAt(tMs: number): number {
    if (tMs < 0 || tMs > this.durationMs) return 0;
    const i = this.segmentAt(tMs);
    const s = this.segments[i]!;
    const f = s.durationMs === 0 ? 1 : (tMs - this.starts[i]!) / s.durationMs;
    return s.from + (s.to - s.from) * Math.min(1, f);
  }

  /** planned requests in [0, t) */
  cumulativeAt(tMs: number): number {
    if (tMs <= 0) return 0;
    if (tMs >= this.durationMs) return this.total;
    const i = this.segmentAt(tMs);
    const s = this.segments[i]!;
    const tau = (tMs - this.starts[i]!) / 1000;
    const slope = (s.to - s.from) / (s.durationMs / 1000);
    return this.before[i]! + s.from * tau + (slope * tau * tau) / 2;
  }

  /**
   * When the cumulative plan reaches n: Infinity past the end. Within a
   * segment, from + slope*tau integrates to n - before, a quadratic in tau,
   * solved in the form that stays exact when the slope is 0.
   */
  timeOf(n: number, hint = 0): number {
    if (n > this.total) return Infinity;
    for (let i = hint; i < this.segments.length; i++) {
      const s = this.segments[i]!;
      const end = this.before[i]! + ((s.from + s.to) / 2) * (s.durationMs / 1000);
      if (n > end && i < this.segments.length - 1) continue;
      const m = n - this.before[i]!;
      if (m <= 0) return this.starts[i]!;
      const slope = (s.to - s.from) / (s.durationMs / 1000);
      const root = Math.sqrt(Math.max(0, s.from * s.from + 2 * slope * m));
      const tau = (2 * m) / (s.from + root);
      return this.starts[i]! + Math.min(tau * 1000, s.durationMs);
    }
    return Infinity;
  }

  get plannedTotal(): number {
    return this.total;
  }
}
