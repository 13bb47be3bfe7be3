// What a bee counts while it fires: one slice at a time (a second, cut again
// at a phase boundary), handed to the queen as a SliceReport and reset.
import type { CacheClaim } from '../harness/cacheStatus/index.js';
import type { SliceReport } from './beeProtocol.js';
import type { GeneratorGauge } from './generatorGauge.js';
import { encode, newHistogram, recordMs } from './latencyHistogram.js';

export class SliceRecorder {
  private readonly latency = newHistogram();
  private sent = 0;
  private responses = 0;
  private statuses: Record<string, number> = {};
  private transport: Record<string, number> = {};
  private claims = { hit: 0, miss: 0, none: 0 };

  /** with a gauge, every slice also says how hard the bee worked */
  constructor(private readonly gauge?: GeneratorGauge) {}

  onSent(): void {
    this.sent++;
  }

  onResponse(status: number, latencyMs: number): void {
    this.responses++;
    this.statuses[status] = (this.statuses[status] ?? 0) + 1;
    recordMs(this.latency, latencyMs);
  }

  onClaim(claim: CacheClaim | undefined): void {
    if (claim === undefined) this.claims.none++;
    else if (claim === 'hit' || claim === 'stale') this.claims.hit++;
    else this.claims.miss++;
  }

  onTransportError(kind: string): void {
    this.transport[kind] = (this.transport[kind] ?? 0) + 1;
  }

  /**
   * A request given up on after `waitedMs`: an error, and a latency of at
   * least that long — leaving it out would flatter the slowest percentiles
   * exactly when the edge stalls (k6 keeps timed-out requests too).
   */
  onUnanswered(kind: string, waitedMs: number): void {
    this.onTransportError(kind);
    recordMs(this.latency, waitedMs);
  }

  /** The slice so far, as a report; the recorder starts a new slice. */
  cut(second: number, phase: number): SliceReport {
    const report: SliceReport = {
      second,
      phase,
      ...(this.gauge ? { generator: this.gauge.cut() } : {}),
      latency: encode(this.latency),
      sent: this.sent,
      responses: this.responses,
      statuses: this.statuses,
      transport: this.transport,
      claims: this.claims,
    };
    this.latency.reset();
    this.sent = 0;
    this.responses = 0;
    this.statuses = {};
    this.transport = {};
    this.claims = { hit: 0, miss: 0, none: 0 };
    return report;
  }
}
