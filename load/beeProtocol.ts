// The messages between the queen and her bees (worker threads), and what a
// bee is told when it hatches. Plain data: it crosses a thread boundary.
import type { SurgeModel, SurgeProtocol } from '../harness/surgeRecord.js';
import type { ConnectionSlice } from './handshakeRecorder.js';
import type { Segment } from './schedule.js';
import type { GroupSplit } from './split.js';
import type { VisitPlan } from './visitPlan.js';

export interface BeeOrders {
  index: number;
  bees: number;
  model: SurgeModel;
  /** h2: the bee's own node:http2 connections instead of autocannon; visitors: a new TLS connection per visit */
  protocol?: SurgeProtocol;
  /** h2, open and closed models: concurrent streams per connection */
  streams?: number;
  /** visitors model: what a visit is */
  visit?: VisitPlan;
  /** the plan's levels, one segment per phase, whole (not this bee's share) */
  segments: Segment[];
  /** open model: this bee's share of the arrival rate, and where its first arrival falls */
  share: number;
  offset: number;
  /** every bee's pool (its connections, or most visits open at once) */
  pools: number[];
  /** closed model: the protocol groups and this bee's place in them, so it knows its part of any active count */
  split: GroupSplit;
  /** with a target max_rps: this bee's share of it, a ceiling on its sends */
  rateCapRps?: number;
  /** requests this bee may send at most */
  budget: number;
  /** one URL per edge address (or the target URL when nothing is pinned) */
  urls: string[];
  servername?: string;
  /** the weighted cycle of requests every connection walks */
  requests: Array<{ method: 'GET'; path: string; headers: Record<string, string> }>;
  /** headers on every request (Host included) */
  headers: Record<string, string>;
  timeoutMs: number;
  /** cache-status dialect name for reading the vendor header */
  dialect: string;
}

/** What one bee saw in one slice: a second, cut again where a phase ends inside it. */
export interface SliceReport {
  second: number;
  phase: number;
  /** what the bee spoke (its orders' protocol) */
  protocol?: SurgeProtocol;
  /** how hard the bee itself worked in the slice (generatorGauge.ts) */
  generator?: GeneratorSlice;
  /** HDR histogram of latencies, encodeIntoCompressedBase64 */
  latency: string;
  sent: number;
  responses: number;
  /** response count per status code */
  statuses: Record<string, number>;
  /** transport errors by kind */
  transport: Record<string, number>;
  claims: { hit: number; miss: number; none: number };
  /** the bee's own TLS connections (visitors model, h2): handshakes, resumption, ALPN, connection errors */
  connections?: ConnectionSlice;
}

/** A bee's own load in one slice: whether it, not the edge, set the pace. */
export interface GeneratorSlice {
  bee: number;
  /** event-loop time busy, and in all, over the slice (performance.eventLoopUtilization) */
  active_ms: number;
  wall_ms: number;
  /** the bee thread's time on a core, and runnable but waiting for one; absent where the OS does not say */
  cpu_ms?: number;
  cpu_wait_ms?: number;
  /** how late the event loop ran a 10 ms timer, HDR histogram like `latency` */
  loop_delay: string;
  /** open-model arrivals sent, and those the bee sent late (LATE_ARRIVAL_MS) */
  arrivals: number;
  late: number;
}

export type QueenMessage = { type: 'start'; startAt: number } | { type: 'stop' } | { type: 'exit' };

export type BeeMessage =
  | { type: 'ready' }
  | { type: 'second'; second: number; slices: SliceReport[] }
  | { type: 'done'; slices: SliceReport[]; unsent: number }
  | { type: 'failed'; message: string };
