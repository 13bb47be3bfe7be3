// One surge against one open target: check the limits, program the probe
// origin, verify and (optionally) warm the edges, fly the bees, then read
// the origin's counts and judge every threshold per phase.
import type { NamedTarget } from '../harness/config/load.js';
import { didYouMean } from '../harness/config/didYouMean.js';
import { ConfigError } from '../harness/errors.js';
import type { SurgePhaseRecord, SurgeRecord, SurgeSecond, SurgeStats, SurgeTick } from '../harness/surgeRecord.js';
import type { OpenTarget } from '../harness/target/openTarget.js';
import { SurgeAggregate } from './aggregate.js';
import { clock } from './clock.js';
import { connectionNotes } from './connectionNotes.js';
import { fleetOrders } from './fleet.js';
import { surgeLimits } from './limits.js';
import type { SurgePlan } from './plan.js';
import { Queen } from './queen.js';
import { protocolShares } from './protocolShares.js';
import { edgeEndpoints, urlPath } from './requestMix.js';
import { Schedule } from './schedule.js';
import { SurgeOrigin, surgeCheckKey } from './surgeOrigin.js';
import { round, type Tally } from './tally.js';
import { phaseRecord, surgeSection } from './phaseRecord.js';
import { describeVisit } from './visitPlan.js';
import { preflight, prime } from './warmup.js';

export interface SurgeRunOptions {
  plan: SurgePlan;
  /** the target as targets.yaml names it (its surge limits) ... */
  named: NamedTarget;
  /** ... and opened */
  target: OpenTarget;
  runId: string;
  /** the bees are flying */
  onStart?: () => void;
  onTick?: (tick: SurgeTick) => void;
  /** aborting stops the bees; the record then covers what ran and says partial */
  signal?: AbortSignal;
}

/** a claimed hit ratio this far from the origin's is worth a note */
const CLAIM_DISAGREEMENT = 0.1;

export async function runSurge(opts: SurgeRunOptions): Promise<SurgeRecord> {
  const { plan, target } = opts;
  const limits = surgeLimits(plan, opts.named);
  const route = target.routes[plan.route];
  if (!route) {
    const names = Object.keys(target.routes);
    const suggestion = didYouMean(plan.route, names);
    throw new ConfigError([
      {
        message: `route: target '${target.name}' has no route '${plan.route}'${suggestion}`,
        position: plan.where(['route']),
        ...(suggestion ? { label: suggestion.trim().replace(/^\((.*)\)$/, '$1') } : {}),
        allowed: names.join(', '),
      },
    ]);
  }
  const origin = target.origin ? new SurgeOrigin(target.origin, surgeCheckKey(opts.runId, plan.name)) : undefined;
  const toUrlPath = (path: string) => urlPath(route.path, origin?.key, path);
  const notes: string[] = [];
  try {
    if (origin) await origin.program(plan.paths);
    else notes.push(`origin offload not measured: target '${target.name}' has no probe origin to count requests`);
    // Ctrl-C during preflight or priming ends them at the next request
    await preflight(
      target,
      origin ? urlPath(route.path, surgeCheckKey(opts.runId, `${plan.name}.preflight`), '/') : route.path,
      plan.timeoutMs,
      opts.signal,
    );
    if (plan.prime) {
      const failed = await prime(
        target,
        plan.paths.map((p) => ({ path: toUrlPath(p.path), headers: { ...plan.headers, ...p.headers } })),
        plan.timeoutMs,
        opts.signal,
      );
      if (failed > 0) notes.push(`priming: ${failed} requests were answered with an error status`);
    }

    const schedule = new Schedule(plan.phases);
    const books = new SurgeAggregate(plan, schedule);
    const orders = fleetOrders(plan, limits, edgeEndpoints(target, plan), toUrlPath, target.cacheStatus.name);
    let startAt = 0;
    let startWall = 0;
    let takeOff: NodeJS.Timeout | undefined;
    let stoppedAtMs: number | undefined;
    // one per-second origin count at a time: a slow origin loses some seconds' counts rather than building a
    // backlog; the seconds that arrive meanwhile wait for it, so every second is ticked, in order
    let counting: Promise<void> | undefined;
    const waiting: SurgeSecond[] = [];
    const tick = (entry: SurgeSecond) => {
      opts.onTick?.({
        plan: plan.name,
        elapsed_ms: Math.min((entry.t + 1) * 1000, plan.durationMs),
        planned_duration_ms: plan.durationMs,
        phase: { index: entry.phase, label: plan.phases[entry.phase]!.label },
        second: entry,
      });
    };
    const queen = new Queen(orders, plan.durationMs, {
      onStart(at) {
        startAt = at;
        startWall = Date.now() + (at - clock());
        // told when the bees take off: the start is set up to a second ahead, on a whole wall-clock second
        takeOff = setTimeout(() => opts.onStart?.(), Math.max(0, at - clock()));
      },
      onSecond(second, slices) {
        const entry = books.addSecond(second, slices);
        if (counting) return void waiting.push(entry);
        if (!origin) return tick(entry);
        counting = origin
          .count(startWall + second * 1000, startWall + (second + 1) * 1000)
          .then((seen) => void (entry.origin_rps = seen))
          .catch(() => undefined)
          .finally(() => {
            counting = undefined;
            tick(entry);
            for (const later of waiting.splice(0)) tick(later);
          });
      },
    });
    const stop = () => {
      stoppedAtMs = startAt ? Math.max(0, clock() - startAt) : 0;
      queen.stop();
    };
    if (opts.signal?.aborted) stop();
    opts.signal?.addEventListener('abort', stop, { once: true });
    const flown = await queen.run().finally(() => clearTimeout(takeOff));
    opts.signal?.removeEventListener('abort', stop);
    await counting;

    const elapsedMs = Math.min(plan.durationMs, stoppedAtMs ?? plan.durationMs);
    const endWall = Date.now();
    const phases: SurgePhaseRecord[] = [];
    // the origin may be the part that gave way under the surge: without its count the record still stands
    let countFailure: string | undefined;
    const originCount = (since: number, until: number) =>
      origin?.count(since, until).catch((err: Error) => {
        countFailure ??= err.message;
        return undefined;
      });
    for (const p of plan.phases) {
      const span = Math.max(0, Math.min(p.durationMs, elapsedMs - p.startMs));
      const last = p.index === plan.phases.length - 1;
      const originSeen =
        span > 0 ? await originCount(startWall + p.startMs, last ? endWall : startWall + p.startMs + span) : undefined;
      const stats = withOrigin(books.phases[p.index]!, span, originSeen);
      const record = phaseRecord(plan, schedule, p, span, stats, span > 0, books.generatorPhases[p.index]!.stats());
      const connections = books.phaseConnections[p.index]!;
      // the bees opened their own connections: a phase that opened none says 0, not "not measured"
      if (connections.seen || books.connections.seen) {
        const visits = schedule.cumulativeAt(p.startMs + span) - schedule.cumulativeAt(p.startMs);
        record.connections = connections.stats(span, plan.model === 'visitors' ? visits : undefined);
      }
      phases.push(record);
    }
    const totalOrigin = await originCount(startWall, endWall);
    if (countFailure)
      notes.push(`origin offload not measured: the probe origin did not answer its count (${countFailure})`);
    const totals = withOrigin(books.total, elapsedMs, totalOrigin);
    notes.push(
      ...observations(
        totals,
        flown.unsent,
        flown.lost,
        phases.some((p) => p.generator_limited),
      ),
    );
    const connectionTotals = books.connections.seen
      ? books.connections.stats(elapsedMs, plan.model === 'visitors' ? schedule.cumulativeAt(elapsedMs) : undefined)
      : undefined;
    if (connectionTotals) notes.push(...connectionNotes(plan, connectionTotals, phases));
    if (totals.sent >= limits.max_requests)
      notes.push(
        `the surge reached the target's max_requests (${limits.max_requests}); the bees stopped sending there`,
      );
    const shares = protocolShares(plan, orders, books.byProtocol, elapsedMs);
    return surgeSection(plan, schedule, elapsedMs, {
      source: 'edgecheck',
      protocol: plan.protocol,
      ...(shares ? { protocols: shares } : {}),
      ...(plan.visit ? { visit: describeVisit(plan.visit) } : {}),
      ...(connectionTotals ? { connection_totals: connectionTotals } : {}),
      partial: stoppedAtMs !== undefined && stoppedAtMs < plan.durationMs,
      ...(stoppedAtMs !== undefined
        ? { stop_reason: typeof opts.signal?.reason === 'string' ? opts.signal.reason : 'stopped' }
        : {}),
      duration_ms: Math.round(elapsedMs),
      primed: plan.prime,
      limits,
      totals,
      phases,
      timeline: books.timeline,
      notes,
      peak_rss_mb: round(process.resourceUsage().maxRSS / 1024, 1),
    });
  } finally {
    await origin?.clear();
  }
}

function withOrigin(tally: Tally, spanMs: number, originRequests: number | undefined): SurgeStats {
  const stats = tally.stats(spanMs);
  if (originRequests === undefined) return stats;
  stats.cache.origin_requests = originRequests;
  stats.cache.origin_rps = spanMs > 0 ? round(originRequests / (spanMs / 1000)) : 0;
  stats.cache.origin_hit_ratio =
    stats.responses > 0 ? round(Math.max(0, 1 - originRequests / stats.responses), 4) : null;
  return stats;
}

function observations(totals: SurgeStats, unsent: number, lost: number, saturated: boolean): string[] {
  const notes: string[] = [];
  const { claimed_hit_ratio: claimed, origin_hit_ratio: truth } = totals.cache;
  if (claimed !== null && truth !== undefined && truth !== null && Math.abs(claimed - truth) > CLAIM_DISAGREEMENT) {
    notes.push(
      `the vendor header claims a hit ratio of ${pct(claimed)} ` +
        `but the origin's count gives ${pct(truth)}; thresholds use the origin's`,
    );
  }
  if (unsent > 0)
    notes.push(
      `${unsent} planned requests were never sent: ` +
        (saturated
          ? 'the bees were saturated (more bees, or a machine of their own)'
          : 'every connection was busy (raise connections or bees)'),
    );
  if (lost > 0) notes.push(`${lost} bees did not report in time and were stopped; their last second is missing`);
  return notes;
}

function pct(ratio: number): string {
  return `${(ratio * 100).toFixed(1)}%`;
}
