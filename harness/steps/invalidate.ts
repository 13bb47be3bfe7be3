// `invalidate: [/path, ...]`: asks the target's invalidation provider to drop
// paths under the check's own path, records when it accepted (and, watched in
// the background, when it says it completed) for the poll step that follows.
import { setTimeout as delay } from 'node:timers/promises';
import { z } from 'zod';
import { parseDuration } from '../config/duration.js';
import { stepError, UnmetNeed } from '../errors.js';
import { duration } from '../config/schemaParts.js';
import type { InvalidationBy, InvalidationHandle, InvalidationProvider } from '../invalidation/provider.js';
import type { InvalidationRecord, StepRecord } from '../record.js';
import { redact } from '../secrets.js';
import type { Step } from './index.js';
import type { InvalidationInFlight, StepKind } from './stepKind.js';

/** A path under the check's path; a `*` may only end it (CloudFront's rule, and every provider's that has one). */
const invalidationPath = z
  .string()
  .startsWith('/', { message: 'expected a path starting with / (relative to the check path)' })
  .refine((p) => !p.slice(0, -1).includes('*'), { message: 'a * may only end an invalidation path (a prefix)' });

export const invalidateStepSchema = z
  .strictObject({
    /** paths (relative to the check path), or with `by: tag` the tags */
    invalidate: z.array(z.string().min(1)).min(1),
    /** url (default), prefix (a trailing *), or tag (surrogate key / cache tag) */
    by: z.enum(['url', 'prefix', 'tag']).optional(),
    /** the route whose path prefixes the paths (default: the default route) */
    route: z.string().optional(),
    /** mark stale and refetch rather than drop, where the provider can */
    soft: z.boolean().optional(),
    /** return once accepted (default), or once the provider says Completed */
    wait: z.enum(['accepted', 'completed']).optional(),
    /** how long `wait: completed` waits (default: the target's invalidation.max_propagation) */
    timeout: duration.optional(),
  })
  .superRefine((step, ctx) => {
    if (step.by === 'tag') return;
    step.invalidate.forEach((path, i) => {
      const checked = invalidationPath.safeParse(path);
      if (!checked.success)
        ctx.addIssue({ code: 'custom', path: ['invalidate', i], message: checked.error.issues[0]!.message });
    });
  });
type InvalidateStep = z.infer<typeof invalidateStepSchema>;

/** How often the provider is asked whether it has finished. */
const STATUS_EVERY_MS = 250;

export const invalidateStep: StepKind<InvalidateStep> = {
  kind: 'invalidate',
  accepts: (step: Step): step is InvalidateStep => 'invalidate' in step,
  needs: (step) => ['invalidation', ...(step.route ? [`route:${step.route}`] : [])],
  unmet(step, target) {
    const inv = target.invalidation;
    if (!inv) return undefined;
    const by = byOf(step);
    if (!inv.supports.by.includes(by)) return `needs invalidation by ${by}; provider '${inv.name}' cannot`;
    if (step.soft && !inv.supports.soft) return `needs a soft purge; provider '${inv.name}' has none`;
    return undefined;
  },
  async run(step, ctx) {
    const inv = ctx.target.invalidation;
    if (!inv)
      return {
        kind: 'invalidate',
        error: stepError(new UnmetNeed('the target declares no invalidation')),
        failures: [],
      };
    const by = byOf(step);
    const routePath = ctx.target.routes[step.route ?? 'default']?.path ?? '/';
    const base = routePath.replace(/\/$/, '') + ctx.checkKey;
    const paths = by === 'tag' ? [] : step.invalidate.map((p) => base + p.slice(1));
    const tags = by === 'tag' ? step.invalidate : [];
    const requestedAt = performance.now();
    const signal = ctx.signal ?? new AbortController().signal;
    let handle: InvalidationHandle;
    try {
      handle = await inv.provider.invalidate({ paths, tags, by, soft: step.soft ?? false, signal });
    } catch (err) {
      return { kind: 'invalidate', error: stepError(err), failures: [] };
    }
    const flight = watch(inv.name, inv.provider, handle, requestedAt, signal);
    ctx.check.invalidation?.stop();
    ctx.check.invalidation = flight;
    const record: StepRecord = { kind: 'invalidate', failures: [] };
    if (step.wait === 'completed') {
      const timeoutMs =
        step.timeout !== undefined ? (parseDuration(step.timeout) ?? inv.maxPropagationMs) : inv.maxPropagationMs;
      // the wait ends with the race: a timer left behind would hold the process for max_propagation
      const waiting = new AbortController();
      const gaveUp = delay(timeoutMs, undefined, { signal: AbortSignal.any([signal, waiting.signal]) }).catch(
        () => undefined,
      );
      await Promise.race([flight.settled, gaveUp]);
      waiting.abort();
      if (flight.completedAt === undefined) {
        record.failures.push({
          expectation: 'invalidation.completed',
          expected: { within_ms: timeoutMs },
          actual: flight.state,
        });
      }
    }
    record.invalidation = invalidationRecord(inv.name, handle, by, [...paths, ...tags], flight);
    return record;
  },
};

function byOf(step: InvalidateStep): InvalidationBy {
  return step.by ?? (step.invalidate.some((p) => p.endsWith('*')) ? 'prefix' : 'url');
}

type Watched = InvalidationInFlight & { state: string; detail?: string };

/** Asks the provider, in the background, until it says Completed or has nothing to say. */
function watch(
  name: string,
  provider: InvalidationProvider,
  handle: InvalidationHandle,
  requestedAt: number,
  signal: AbortSignal,
): Watched {
  const stopper = new AbortController();
  const both = AbortSignal.any([signal, stopper.signal]);
  const flight: Watched = {
    provider: name,
    requestedAt,
    acceptedAt: performance.now(),
    state: 'in_progress',
    ...(handle.detail ? { detail: handle.detail } : {}),
    settled: Promise.resolve(),
    stop: () => stopper.abort(),
  };
  flight.settled = (async () => {
    while (!both.aborted) {
      try {
        const status = await provider.status(handle, both);
        flight.state = status.state;
        if (status.detail) flight.detail = status.detail;
        if (status.state === 'completed') flight.completedAt = performance.now();
        if (status.state !== 'in_progress') return;
      } catch (err) {
        flight.state = 'error';
        flight.detail = redact((err as Error).message);
        return;
      }
      await delay(STATUS_EVERY_MS, undefined, { signal: both }).catch(() => undefined);
    }
  })();
  return flight;
}

function invalidationRecord(
  provider: string,
  handle: InvalidationHandle,
  by: string,
  paths: string[],
  flight: Watched,
): InvalidationRecord {
  return {
    provider,
    id: handle.id,
    by,
    paths: paths.map(redact),
    accepted_ms: Math.round(flight.acceptedAt - flight.requestedAt),
    ...(flight.completedAt !== undefined ? { completed_ms: Math.round(flight.completedAt - flight.requestedAt) } : {}),
    state: flight.state,
    ...(flight.detail ? { detail: redact(flight.detail) } : {}),
  };
}
