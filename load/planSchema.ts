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
export const holdPhase = z.strictObject({
  hold: z.strictObject({ rps: rate.optional(), connections: z.number().int().nonnegative().optional(), for: duration }),
  ...phaseThresholds,
});
export const spikePhase = z.strictObject({
  spike: z.strictObject({
    rps: rate.optional(),
    connections: z.number().int().nonnegative().optional(),
    for: duration,
  }),
  ...phaseThresholds,
});
export const phaseSchema = z.union([rampPhase, holdPhase, spikePhase]);

export const pathSchema = z.union([
  z.string().startsWith('/', { message: 'expected a path starting with /' }),
  z.strictObject({
    path: z.string().startsWith('/', { message: 'expected a path starting with /' }),
    weight: z.number().int().positive().optional(),
    headers: headerMap.optional(),
    /** what the probe origin answers for this path (default: the plan's `object`) */
    object: originObject.optional(),
  }),
]);

export const planSchema = z.strictObject({
  surge: slug,
  title: z.string().optional(),
  description: z.string().optional(),
  /** open: phases in requests per second (arrival rate); closed: phases in connections */
  model: z.enum(['open', 'closed']).optional(),
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
  /** open model: the connection pool the arrivals are sent over */
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
