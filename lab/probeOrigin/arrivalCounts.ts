// How many requests of one check key reached the origin, per wall-clock
// second: a fixed count per second instead of every arrival time, so a key
// costs the same after a second or an hour of a surge at any rate. Windows
// are counted at one-second resolution — what a surge asks for (it starts its
// bees on a whole wall-clock second, so its seconds and phases are the origin's).

/** Seconds kept per key (six hours of a surge); older seconds go, their arrivals stay in the total. */
export const MAX_SECONDS_PER_KEY = 6 * 3600;

export class ArrivalCounts {
  /** the wall-clock seconds (ms since the epoch / 1000, floored) that saw arrivals, ascending */
  private readonly seconds: number[] = [];
  private readonly counts: number[] = [];
  /** arrivals in seconds no longer kept (and in seconds before the oldest kept) */
  private before = 0;
  /** every arrival so far */
  total = 0;

  /** Seconds kept now: the store counts their cost. */
  get size(): number {
    return this.seconds.length;
  }

  /**
   * Counts an arrival at `at` (ms since the epoch). Returns how many seconds
   * the counter now holds more (1 for a new second, 0 otherwise) and how many
   * it dropped to stay within MAX_SECONDS_PER_KEY.
   */
  add(at: number): { added: number; dropped: number } {
    this.total++;
    const s = Math.floor(at / 1000);
    const last = this.seconds.length - 1;
    if (last >= 0 && this.seconds[last] === s) {
      this.counts[last]!++;
      return { added: 0, dropped: 0 };
    }
    if (last < 0 || s > this.seconds[last]!) {
      this.seconds.push(s);
      this.counts.push(1);
      return { added: 1, dropped: this.trim() };
    }
    // the wall clock stepped back: arrivals out of order land in their own second
    const i = firstAtOrAfter(this.seconds, s);
    if (this.seconds[i] === s) {
      this.counts[i]!++;
      return { added: 0, dropped: 0 };
    }
    if (i === 0 && this.seconds.length >= MAX_SECONDS_PER_KEY) {
      this.before++;
      return { added: 0, dropped: 0 };
    }
    this.seconds.splice(i, 0, s);
    this.counts.splice(i, 0, 1);
    return { added: 1, dropped: this.trim() };
  }

  /**
   * Arrivals in [since, until) (ms since the epoch), a second at a time: a
   * second counts when the window holds its middle. Windows on whole seconds
   * are exact, and stay so when their edges are a few milliseconds off (a
   * surge's start as two clocks see it); adjacent windows never count a
   * second twice. The whole count is exact.
   */
  count(since = -Infinity, until = Infinity): number {
    if (since === -Infinity && until === Infinity) return this.total;
    const from = firstAtOrAfter(this.seconds, Math.ceil((since - 500) / 1000));
    const to = firstAtOrAfter(this.seconds, Math.ceil((until - 500) / 1000));
    let n = since === -Infinity && to > 0 ? this.before : 0;
    for (let i = from; i < to; i++) n += this.counts[i]!;
    return n;
  }

  /** Drops the oldest tenth once past the bound: amortised O(1) per second kept. */
  private trim(): number {
    if (this.seconds.length <= MAX_SECONDS_PER_KEY) return 0;
    const drop = Math.ceil(MAX_SECONDS_PER_KEY / 10);
    this.seconds.splice(0, drop);
    for (const n of this.counts.splice(0, drop)) this.before += n;
    return drop;
  }
}

/** Index of the first value >= v in an ascending list. */
function firstAtOrAfter(values: number[], v: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
