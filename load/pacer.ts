// When a bee's connections may send. Open model: arrivals follow the plan's
// cumulative curve (wrk2-style: each request has an intended send time, and
// latency is measured from it). Closed model: a connection sends back to
// back while the plan counts it active. The target's max_rps is a RateCap
// over either.
import type { Schedule } from './schedule.js';
import { groupPart, type GroupSplit } from './split.js';

export interface Pacer {
  /** the intended send time (ms since start) of connection `conn`'s next request, or undefined to park it */
  next(conn: number, now: number): number | undefined;
  /** whether a parked connection may send again */
  mayWake(conn: number, now: number): boolean;
  /** requests due by `now` (ms since start) that were never sent */
  unsent(now: number): number;
  /** the last request handed out was not sent after all (the bee stopped first) */
  release(): void;
}

export class OpenPacer implements Pacer {
  private taken = 0;
  private hint = 0;
  constructor(
    private readonly schedule: Schedule,
    private readonly share: number,
    private readonly offset: number,
    private readonly budget: number,
  ) {}

  /** Arrival k of this bee is due when the plan's cumulative count reaches (k + offset) / share. */
  next(): number | undefined {
    if (this.taken >= this.budget || this.share <= 0) return undefined;
    const at = this.schedule.timeOf((this.taken + this.offset) / this.share, this.hint);
    if (at === Infinity) return undefined;
    this.taken++;
    this.hint = this.schedule.segmentAt(at);
    return at;
  }

  mayWake(): boolean {
    return false;
  }

  release(): void {
    this.taken = Math.max(0, this.taken - 1);
  }

  unsent(now: number): number {
    const due =
      Math.floor(this.share * this.schedule.cumulativeAt(Math.min(now, this.schedule.durationMs)) - this.offset) + 1;
    return Math.max(0, Math.min(due, this.budget) - this.taken);
  }
}

export class ClosedPacer implements Pacer {
  private sent = 0;
  constructor(
    private readonly schedule: Schedule,
    private readonly split: GroupSplit,
    private readonly budget: number,
  ) {}

  next(conn: number, now: number): number | undefined {
    if (!this.mayWake(conn, now)) return undefined;
    this.sent++;
    return now;
  }

  /** Connection i of this bee is active while i is below its part of the plan's connections (its group's, evenly). */
  mayWake(conn: number, now: number): boolean {
    if (this.sent >= this.budget || now >= this.schedule.durationMs) return false;
    return conn < groupPart(Math.round(this.schedule.levelAt(now)), this.split);
  }

  unsent(): number {
    return 0;
  }

  release(): void {
    this.sent = Math.max(0, this.sent - 1);
  }
}
