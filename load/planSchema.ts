// The public contract of a surge plan (README.md "Surges"), as a zod
// schema. Semantic rules that need the whole plan live in loadPlan.ts.
import { z } from 'zod';
import { duration, slug } from '../harness/config/schemaParts.js';
import { originObject } from '../harness/origin/protocol.js';

/** Requests per second: a number, or a multiple of baseline_rps such as "14x". */
const rate = z.union([
  z.number().nonnegative(),
  z
    .string()
    .regex(/^\d+(?:\.\d+)?x$/, { message: 'expected requests per second, or a multiple of baseline_rps such as 14x' }),
]);

/** A ratio: 0.001 or "0.1%". */
const ratio = z.union([
  z.number().min(0).max(1),
  z.string().regex(/^\d+(?:\.\d+)?%$/, { message: 'expected a ratio such as 0.95 or a percentage such as 95%' }),
]);

export const thresholdsSchema = z.strictObject({
  p50: duration.optional(),
  p95: duration.optional(),
  p99: duration.optional(),
  'p99.9': duration.optional(),
  /** highest error rate */
  errors: ratio.optional(),
  /** lowest share of responses served from cache */
  cache_hit_ratio: ratio.optional(),
  /** most requests per second reaching the origin (origin offload) */
  origin_rps: z.number().nonnegative().optional(),
  /** lowest achieved requests per second: a number, or a percentage of the planned rate */
  min_rps: z
    .union([
      z.number().positive(),
      z.string().regex(/^\d+(?:\.\d+)?%$/, {
        message: 'expected requests per second, or a percentage of the planned rate such as 95%',
      }),
    ])
    .optional(),
});

const headerMap = z.record(z.string(), z.union([z.string(), z.number()]));
const phaseThresholds = { thresholds: thresholdsSchema.optional() };

export const rampPhase = z.strictObject({
  ramp: z.strictObject({ from: rate.optional(), to: rate, over: duration }),
  ...phaseThresholds,
});
/** visitors model: new visitors per second */
const visitors = z.number().nonnegative();
export const holdPhase = z.strictObject({
  hold: z.strictObject({
    rps: rate.optional(),
    connections: z.number().int().nonnegative().optional(),
    visitors: visitors.optional(),
    for: duration,
  }),
  ...phaseThresholds,
});
export const spikePhase = z.strictObject({
  spike: z.strictObject({
    rps: rate.optional(),
    connections: z.number().int().nonnegative().optional(),
    visitors: visitors.optional(),
    for: duration,
  }),
  ...phaseThresholds,
});
export const phaseSchema = z.union([rampPhase, holdPhase, spikePhase]);

/** HTTP/1.1 keep-alive (autocannon), or HTTP/2 over TLS with ALPN (node:http2), several streams per connection */
export const protocolSchema = z.enum(['h1', 'h2']);

/** What one visit is (visitors model): its requests, the pauses between them, and who comes back. */
export const visitSchema = z.strictObject({
  /** requests per visit: a number, { min, max } drawn uniformly, or weights for 1, 2, 3, ... requests */
  requests: z
    .union([
      z.number().int().min(1).max(1000),
      z.strictObject({ min: z.number().int().min(1).max(1000), max: z.number().int().min(1).max(1000) }),
      z.strictObject({ weights: z.array(z.number().nonnegative()).min(1).max(1000) }),
    ])
    .optional(),
  /** the pause between a visit's requests: a duration, or { min, max } drawn uniformly */
  think: z.union([duration, z.strictObject({ min: duration, max: duration })]).optional(),
  /** the share of visitors who return and offer the TLS session of an earlier visit */
  resume: ratio.optional(),
});

export const pathSchema = z.union([
  z.string().startsWith('/', { message: 'expected a path starting with /' }),
  z.strictObject({
    path: z.string().startsWith('/', { message: 'expected a path starting with /' }),
    weight: z.number().int().positive().optional(),
    headers: headerMap.optional(),
    /** what the probe origin answers for this path (default: the plan's `object`) */
    object: originObject.optional(),
    /** h1 or h2 for this path (default: the plan's `protocol`); paths over both split the bees by weight */
    protocol: protocolSchema.optional(),
  }),
]);

export const planSchema = z.strictObject({
  surge: slug,
  title: z.string().optional(),
  description: z.string().optional(),
  /**
   * open: phases in requests per second (arrival rate); closed: phases in connections;
   * visitors: phases in new visitors per second, each on a new TLS connection
   */
  model: z.enum(['open', 'closed', 'visitors']).optional(),
  /** visitors model: what a visit is */
  visit: visitSchema.optional(),
  /** h1 (default) or h2, offered over ALPN; a connection that falls back to h1 is reported */
  protocol: protocolSchema.optional(),
  /** h2: concurrent streams per connection (open and closed models; default 10) */
  streams: z.number().int().min(1).max(1000).optional(),
  /** the peak the phases reach, stated so a typo in a phase is caught */
  target_rps: z.number().positive().optional(),
  /** normal traffic; phases may say "14x" for fourteen times it */
  baseline_rps: z.number().positive().optional(),
  phases: z.array(phaseSchema).min(1),
  paths: z.array(pathSchema).min(1),
  headers: headerMap.optional(),
  /** the target route the paths live under (default: default) */
  route: z.string().optional(),
  /** worker threads locally; pods (k6-operator parallelism) beyond */
  bees: z.number().int().min(1).max(64).optional(),
  /** open model: the connection pool the arrivals are sent over; visitors model: most visits open at once */
  connections: z.number().int().min(1).max(10_000).optional(),
  /** per-request timeout */
  timeout: duration.optional(),
  /** request every path once on every edge before the attack, so it starts warm */
  prime: z.boolean().optional(),
  /** what the probe origin answers for every path (default: Cache-Control: max-age=60) */
  object: originObject.optional(),
  thresholds: thresholdsSchema.optional(),
});

export type PlanFile = z.infer<typeof planSchema>;
export type PhaseEntry = z.infer<typeof phaseSchema>;
export type ThresholdsEntry = z.infer<typeof thresholdsSchema>;
export type VisitEntry = z.infer<typeof visitSchema>;
