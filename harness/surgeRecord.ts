// The `surge` section of the run record (harness/record.ts): what a surge
// planned, what the edge did per phase and per second, and each threshold's
// verdict. Written by the local queen and by `surge import-k6` alike.

export type SurgeModel = 'open' | 'closed' | 'visitors';
export type SurgeProtocol = 'h1' | 'h2';
export type PhaseKind = 'ramp' | 'hold' | 'spike';
export type ThresholdName = 'p50' | 'p95' | 'p99' | 'p99.9' | 'errors' | 'cache_hit_ratio' | 'origin_rps' | 'min_rps';
export type Verdict = 'held' | 'breached' | 'not measured';

/** Milliseconds; percentiles come from merged HDR histograms, never from averages. */
export interface LatencySummary {
  p50: number;
  p95: number;
  p99: number;
  'p99.9': number;
  max: number;
  mean: number;
}

export interface StatusClasses {
  '1xx': number;
  '2xx': number;
  '3xx': number;
  '4xx': number;
  '5xx': number;
}

export interface CacheOffload {
  /** responses whose vendor header claimed a hit (hit or stale) */
  claimed_hits: number;
  /** responses whose vendor header claimed anything else (miss, revalidated, bypass, ...) */
  claimed_misses: number;
  /** responses without a readable claim */
  no_claim: number;
  /** claimed_hits / (claimed_hits + claimed_misses); null when no response carried a claim */
  claimed_hit_ratio: number | null;
  /** requests the probe origin counted for the surge's paths (the ground truth); absent without a probe origin */
  origin_requests?: number;
  origin_rps?: number;
  /** 1 - origin_requests / responses */
  origin_hit_ratio?: number | null;
}

export interface SurgeStats {
  /** requests written to the wire */
  sent: number;
  /** responses received, any status */
  responses: number;
  /** responses per second over the span */
  rps: number;
  /** transport errors, timeouts and responses with status >= 400 */
  errors: number;
  /** errors / (responses + transport errors) */
  error_rate: number;
  /** 'timeout', 'ECONNRESET', 'connection closed', 'HTTP 503', ... */
  errors_by_kind: Record<string, number>;
  status: StatusClasses;
  latency_ms: LatencySummary | null;
  cache: CacheOffload;
}

export interface ThresholdVerdict {
  threshold: ThresholdName;
  /** the limit as the plan wrote it: "250ms", "0.1%", "95%" */
  limit: string;
  comparison: '<=' | '>=';
  /** the limit in the unit of `actual`: ms, a ratio, requests per second */
  limit_value: number;
  actual: number | null;
  verdict: Verdict;
  /** why a threshold was not measured */
  reason?: string;
}

/**
 * How hard the bees themselves worked over a span (a second, a phase): a
 * saturated load generator sends late and measures its own queueing as the
 * edge's latency, so its numbers cannot fail the edge.
 */
export interface GeneratorStats {
  /** the busiest bee's event-loop utilisation over the span, in % */
  busy_pct: number;
  /** the busiest bee's thread on a core over the span, in % of one core; null where the OS does not say */
  cpu_pct: number | null;
  /** that bee's time runnable but waiting for a core, in %: the machine was short of CPU */
  cpu_wait_pct: number | null;
  /** how late the bees' event loops ran a 10 ms timer: p99 and max over the span, ms */
  loop_delay_p99_ms: number | null;
  loop_delay_max_ms: number | null;
  /** open-model arrivals sent, and those a bee sent more than 10 ms after it could have */
  arrivals: number;
  late_arrivals: number;
  /** late_arrivals / arrivals; null without arrivals (the closed model) */
  late_share: number | null;
  /** what crossed a saturation threshold (README "Generator honesty"); empty when none did */
  saturated_by: string[];
}

export interface SurgePhaseRecord extends SurgeStats {
  index: number;
  kind: PhaseKind;
  /** "ramp 0 -> 100 rps over 10s" */
  label: string;
  start_ms: number;
  duration_ms: number;
  planned: {
    unit: 'rps' | 'connections' | 'visitors';
    from: number;
    to: number;
    /** open model: requests the phase plans */
    requests?: number;
    /** open model: planned requests / duration */
    rps?: number;
  };
  thresholds: ThresholdVerdict[];
  /** the bees' own load over the phase (absent from a k6 summary) */
  generator?: GeneratorStats;
  /** the bees were saturated in this phase: a breach of a limit they can cause there is inconclusive */
  generator_limited?: boolean;
  /** the surge's own TLS connections (visitors model, h2): handshakes, resumption, ALPN, connection errors */
  connections?: SurgeConnectionStats;
}

/**
 * How the edge took the surge's TLS connections over a span (a phase, the whole
 * surge). The local bees measure every figure (BeeConnectionStats); a k6
 * summary gives only some (load/k6/k6Connections.ts): a figure it cannot give
 * is absent, never 0, and the record's notes say which.
 */
export interface SurgeConnectionStats extends Partial<BeeConnectionStats> {
  /**
   * k6: handshake latency, full and resumed together (k6 does not say which were resumed), and the TLS
   * handshake alone (http_req_tls_handshaking), without the TCP connect the bees' `full` and `resumed` include;
   * present only when every request opened its own connection, so no request's 0 ms is among the values
   */
  all?: { count: number; latency_ms: LatencySummary | null };
  /** what `alpn` and `h2_fallbacks` count when not connections: k6's edgecheck_h2 counts responses */
  alpn_unit?: 'responses';
}

/** How the edge took the bees' own TLS connections over a span: every figure, as the local bees measure them. */
export interface BeeConnectionStats {
  /** TLS handshakes completed (full and resumed) */
  handshakes: number;
  /** handshakes completed per second over the span */
  handshakes_per_s: number;
  /** visitors model: visits planned in the span, and per second */
  planned_visits?: number;
  planned_visits_per_s?: number;
  /** handshake latency from the TCP connect to the finished handshake, full and resumed apart */
  full: { count: number; latency_ms: LatencySummary | null };
  resumed: { count: number; latency_ms: LatencySummary | null };
  resumption: {
    /** visits by returning visitors (the plan's resume share) */
    returning: number;
    /** of those, the ones that had a session from an earlier visit to offer */
    offered: number;
    /** of those, the ones the edge resumed (tlsSocket.isSessionReused()) */
    granted: number;
    /** granted / offered; null when no session was offered */
    ratio: number | null;
  };
  /** what ALPN negotiated per connection: 'h2', 'http/1.1', or 'none' (the edge chose nothing); k6: see alpn_unit */
  alpn: Record<string, number>;
  /** connections that asked for h2 and got something else: a fall-back, always reported */
  h2_fallbacks: number;
  /** connections that never carried a request: refused, reset, handshake failure, timeout, ... */
  errors_by_kind: Record<string, number>;
  /** visits not started because the bee already had `connections` visits open: the generator's limit, not the edge's */
  skipped_visits: number;
}

/**
 * A threshold over the whole surge: held when it held in every phase it
 * applies to; inconclusive when it was breached only where the bees were the
 * bottleneck.
 */
export interface SurgeThresholdSummary extends Omit<ThresholdVerdict, 'verdict'> {
  verdict: Verdict | 'inconclusive';
  /** indexes of the phases where it was breached (and the bees were not the bottleneck) */
  breached_in: number[];
  /** indexes of the phases where it was breached while the bees were the bottleneck */
  inconclusive_in?: number[];
}

export interface SurgeSecond {
  /** the second [t, t+1) since the surge started */
  t: number;
  phase: number;
  planned_rps: number | null;
  planned_connections?: number;
  sent: number;
  /** responses completed in this second */
  rps: number;
  latency_ms: LatencySummary | null;
  status: StatusClasses;
  errors: number;
  errors_by_kind: Record<string, number>;
  claimed_hit_ratio: number | null;
  origin_rps?: number;
  /** the bees' own load in this second, and whether it crossed a saturation threshold */
  generator?: GeneratorStats;
  generator_limited?: boolean;
  /** TLS handshakes the bees completed in this second (visitors model, h2) */
  handshakes?: number;
}

export interface SurgeRecord {
  plan: string;
  title?: string;
  plan_file?: string;
  model: SurgeModel;
  /** what the bees spoke: h1 (HTTP/1.1 keep-alive) unless the plan asked for h2 */
  protocol?: SurgeProtocol;
  /** paths over h1 and h2: what each protocol's bees were given and did */
  protocols?: SurgeProtocolShare[];
  /** visitors model: what a visit is */
  visit?: SurgeVisitPlan;
  bees: number;
  connections: number;
  source: 'edgecheck' | 'k6';
  /** stopped before the plan ended (Ctrl-C, a limit); the numbers cover what ran */
  partial: boolean;
  stop_reason?: string;
  planned_duration_ms: number;
  duration_ms: number;
  primed: boolean;
  limits: { max_rps?: number; max_duration_ms: number; max_requests: number };
  totals: SurgeStats;
  phases: SurgePhaseRecord[];
  timeline: SurgeSecond[];
  thresholds: SurgeThresholdSummary[];
  /**
   * held; breached (in a phase where the bees kept up); inconclusive: every
   * breach was in a phase where the bees were the bottleneck (exit code 4)
   */
  verdict: 'held' | 'breached' | 'inconclusive';
  /** with an inconclusive verdict: "the bees were the bottleneck in phase 3 peak (CPU 98%, 12% of arrivals late)" */
  inconclusive_reason?: string;
  /** what the reader should know: unmeasured thresholds, claim/origin disagreement, backlog */
  notes: string[];
  /** peak resident memory of the process that ran the bees */
  peak_rss_mb?: number;
  /** the surge's own TLS connections over the whole surge (visitors model, h2) */
  connection_totals?: SurgeConnectionStats;
}

/** One protocol's part of a surge whose paths go over h1 and h2. */
export interface SurgeProtocolShare {
  protocol: SurgeProtocol;
  /** the plan's paths over this protocol */
  paths: string[];
  /** its paths' weights over all the plan's, 0..1: its share of the requests (open, visitors), connections (closed) */
  planned_share: number;
  /** the bees that spoke it */
  bees: number;
  sent: number;
  /** its share of all requests sent, 0..1 */
  share: number;
  responses: number;
  errors: number;
  /** errors / (responses + transport errors), as a phase's `error_rate` */
  error_rate: number;
  latency_ms: LatencySummary | null;
}

export interface SurgeVisitPlan {
  /** "4", "2-8 (uniform)", "1-4 (weights 5,3,1,1)" */
  requests: string;
  /** mean requests per visit */
  mean_requests: number;
  /** "500ms", "200ms-2s (uniform)" */
  think: string;
  /** share of visitors who return and offer their TLS session from an earlier visit */
  resume: number;
}

/** What the queen tells reporters once a second. */
export interface SurgeTick {
  plan: string;
  elapsed_ms: number;
  planned_duration_ms: number;
  phase: { index: number; label: string };
  second: SurgeSecond;
}
