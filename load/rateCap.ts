// The target's max_rps as a ceiling on what a bee sends, in both models: each
// request takes the next free slot, 1/rate apart. In the open model it only
// binds when the edge stalled and the backlog would otherwise go out at once;
// the wait still counts in the latency, from the planned arrival.
export class RateCap {
  private free = -Infinity;
  constructor(private readonly rps: number) {}

  /** When a request due at `at` may go, asked at `now` (ms since start): an overdue one goes now at the soonest. */
  slot(at: number, now: number): number {
    const slot = Math.max(at, now, this.free);
    this.free = slot + 1000 / this.rps;
    return slot;
  }
}
