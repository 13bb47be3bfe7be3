// `poll: {step: {get: /}, until: {...}, each_edge: true}`: repeats a request on
// every edge address until its expectation holds, then goes on for a settle
// period to catch an edge that flips back. With `measure: propagation` each
// edge's time counts from the invalidation the check requested before it.
import { setTimeout as delay } from 'node:timers/promises';
import { z } from 'zod';
import { parseDuration } from '../config/duration.js';
import { expectSchema } from '../config/expectSchema.js';
import { stepError, UnmetNeed } from '../errors.js';
import { duration } from '../config/schemaParts.js';
import type { PollEdgeRecord, PropagationRecord, StepRecord } from '../record.js';
import type { Step } from './index.js';
import { requestStep, requestStepSchemas, type RequestStep } from './request.js';
import type { InvalidationInFlight, StepContext, StepKind } from './stepKind.js';

/** a duration, or the target's promise `invalidation.max_propagation` */
const promisedDuration = z.union([duration, z.literal('max_propagation')]);

export const pollStepSchema = z.strictObject({
  poll: z.strictObject({
    /** the request to repeat (its own `expect`, if any, is replaced by `until`) */
    step: z.union(requestStepSchemas),
    /** what must hold of an answer */
    until: expectSchema,
    /** every edge address of the target, each polled and timed on its own */
    each_edge: z.boolean().optional(),
    /** between requests to one edge (default 250ms) */
    every: duration.optional(),
    /** how long an edge must keep holding before it counts (default 1s) */
    settle: duration.optional(),
    /** give up on an edge after this long (default: max_propagation plus the settle period) */
    timeout: promisedDuration.optional(),
    /** time each edge from the check's invalidation request, and report the spread */
    measure: z.literal('propagation').optional(),
    /** each edge must hold within this long (default with measure: max_propagation) */
    within: promisedDuration.optional(),
    /** what `within` counts from: the invalidation request (default), or the provider's Completed */
    from: z.enum(['invalidation', 'completed']).optional(),
  }),
});
type PollStep = z.infer<typeof pollStepSchema>;

const DEFAULT_EVERY_MS = 250;
const DEFAULT_SETTLE_MS = 1000;
/** without an invalidation to take a promise from, how long an edge is given */
const DEFAULT_TIMEOUT_MS = 30_000;

export const pollStep: StepKind<PollStep> = {
  kind: 'poll',
  accepts: (step: Step): step is PollStep => 'poll' in step,
  needs(step) {
    const inner: RequestStep = { ...step.poll.step, expect: step.poll.until };
    const needs = requestStep.needs?.(inner) ?? [];
    const timed = step.poll.measure || step.poll.from === 'completed' || usesPromise(step);
    return timed ? [...needs, 'invalidation'] : needs;
  },
  async run(step, ctx) {
    const opts = step.poll;
    const promisedMs = ctx.target.invalidation?.maxPropagationMs;
    const everyMs = ms(opts.every, DEFAULT_EVERY_MS);
    const settleMs = ms(opts.settle, DEFAULT_SETTLE_MS);
    const timeoutMs = promised(opts.timeout, promisedMs) ?? (promisedMs ?? DEFAULT_TIMEOUT_MS) + settleMs;
    const flight = ctx.check.invalidation;
    if ((opts.measure || opts.from === 'completed') && !flight) {
      const error = stepError(new UnmetNeed('measure: propagation needs an invalidate step before this poll'));
      return { kind: 'poll', error, failures: [] };
    }
    const zero = opts.measure && flight ? flight.requestedAt : performance.now();
    const edges: Array<string | undefined> =
      opts.each_edge && ctx.target.addresses.length ? ctx.target.addresses : [ctx.target.addresses[0]];
    const inner: RequestStep = { ...opts.step, expect: opts.until };
    // an expectation on the origin log reads it around each request: edges then take turns, else their entries mix
    const usesLog = opts.until.served_by !== undefined || opts.until.origin_request !== undefined;
    const pollEdge = (edge: string | undefined) => untilHeld(inner, edge, { everyMs, settleMs, timeoutMs, zero }, ctx);
    const results: PollEdgeRecord[] = [];
    if (usesLog) for (const edge of edges) results.push(await pollEdge(edge));
    else results.push(...(await Promise.all(edges.map(pollEdge))));

    const byEdge = Object.fromEntries(edges.map((edge, i) => [edge ?? 'default', results[i]!]));
    const record: StepRecord = { kind: 'poll', poll: { every_ms: everyMs, by_edge: byEdge }, failures: [] };
    for (const [edge, result] of Object.entries(byEdge)) {
      if (result.held_ms === null) {
        record.failures.push({
          expectation: `poll.${edge}`,
          expected: opts.until,
          actual: result.last_failure ?? 'no answer held',
        });
      } else if (result.flips > 0) {
        record.failures.push({ expectation: `poll.${edge}.flips`, expected: 0, actual: result.flips });
      }
    }
    if (opts.measure && flight) record.poll!.propagation = propagation(byEdge, flight);
    const withinMs = promised(opts.within, promisedMs) ?? (opts.measure ? promisedMs : undefined);
    if (withinMs !== undefined) record.failures.push(...lateEdges(byEdge, withinMs, opts.from, flight, zero));
    return record;
  },
};

interface PollTiming {
  everyMs: number;
  settleMs: number;
  timeoutMs: number;
  /** performance.now() that held_ms counts from */
  zero: number;
}

/** One edge: requests until an answer holds and keeps holding for the settle period, or the timeout. */
async function untilHeld(
  step: RequestStep,
  edge: string | undefined,
  t: PollTiming,
  ctx: StepContext,
): Promise<PollEdgeRecord> {
  const started = performance.now();
  const pinned: RequestStep = edge === undefined ? step : { ...step, address: edge };
  let heldSince: number | undefined;
  let answers = 0;
  let flips = 0;
  let lastFailure: string | undefined;
  while (!ctx.signal?.aborted && performance.now() - started <= t.timeoutMs) {
    const sentAt = performance.now();
    const answer = await requestStep.run(pinned, ctx);
    answers++;
    if (answer.failures.length === 0 && !answer.error) {
      heldSince ??= sentAt;
      if (performance.now() - heldSince >= t.settleMs) break;
    } else {
      if (heldSince !== undefined) flips++;
      heldSince = undefined;
      lastFailure =
        answer.error?.message ?? answer.failures.map((f) => `${f.expectation}: ${JSON.stringify(f.actual)}`).join('; ');
    }
    const wait = t.everyMs - (performance.now() - sentAt);
    if (wait > 0) await delay(wait, undefined, { signal: ctx.signal }).catch(() => undefined);
  }
  const settled = heldSince !== undefined && performance.now() - heldSince >= t.settleMs;
  return {
    held_ms: settled ? Math.round(heldSince! - t.zero) : null,
    answers,
    flips,
    ...(lastFailure ? { last_failure: lastFailure } : {}),
  };
}

function propagation(byEdge: Record<string, PollEdgeRecord>, flight: InvalidationInFlight): PropagationRecord {
  const times = Object.entries(byEdge).map(([edge, r]) => [edge, r.held_ms] as const);
  const held = times.flatMap(([, ms]) => (ms === null ? [] : [ms])).sort((a, b) => a - b);
  const never = times.some(([, ms]) => ms === null);
  const max = never || held.length === 0 ? null : held.at(-1)!;
  const slowest = never ? times.find(([, ms]) => ms === null)![0] : (times.find(([, ms]) => ms === max)?.[0] ?? null);
  const completedMs =
    flight.completedAt === undefined ? undefined : Math.round(flight.completedAt - flight.requestedAt);
  return {
    by_edge: Object.fromEntries(times),
    p50: percentile(held, 0.5),
    p95: never ? null : percentile(held, 0.95),
    max,
    slowest,
    accepted_ms: Math.round(flight.acceptedAt - flight.requestedAt),
    ...(completedMs !== undefined ? { completed_ms: completedMs } : {}),
    ...(completedMs !== undefined && max !== null ? { lag_after_completed_ms: Math.max(0, max - completedMs) } : {}),
  };
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
}

function lateEdges(
  byEdge: Record<string, PollEdgeRecord>,
  withinMs: number,
  from: 'invalidation' | 'completed' | undefined,
  flight: InvalidationInFlight | undefined,
  zero: number,
): StepRecord['failures'] {
  if (from === 'completed' && flight?.completedAt === undefined) {
    return [
      { expectation: 'invalidation.completed', expected: 'the provider to report completion', actual: 'it did not' },
    ];
  }
  const origin = from === 'completed' ? flight!.completedAt! - zero : 0;
  return Object.entries(byEdge).flatMap(([edge, r]) =>
    r.held_ms !== null && r.held_ms - origin > withinMs
      ? [
          {
            expectation: `propagation.${edge}`,
            expected: { lte_ms: withinMs, from: from ?? 'invalidation' },
            actual: Math.round(r.held_ms - origin),
          },
        ]
      : [],
  );
}

function usesPromise(step: PollStep): boolean {
  return step.poll.timeout === 'max_propagation' || step.poll.within === 'max_propagation';
}

function promised(value: string | number | undefined, promisedMs: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (value === 'max_propagation') return promisedMs;
  return parseDuration(value);
}

function ms(value: string | number | undefined, fallback: number): number {
  return value === undefined ? fallback : (parseDuration(value) ?? fallback);
}
