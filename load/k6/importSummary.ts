// A k6 end-of-test summary read back into the surge section of a run record,
// so a run beyond one machine gets the same mission assessment. Reads both
// `k6 run --summary-export` files (thresholds true = failed) and the data
// handleSummary() receives (values + {ok}), one file or one per k6-operator
// pod. Thresholds are judged by edgecheck from k6's numbers, per phase tag,
// exactly as for a local surge; a visitors or h2 plan's connections are read
// as far as the summary gives them (k6Connections.ts).
import { ConfigError } from '../../harness/errors.js';
import type { SurgePhaseRecord, SurgeRecord, SurgeStats } from '../../harness/surgeRecord.js';
import type { SurgePlan } from '../plan.js';
import { Schedule } from '../schedule.js';
import { round } from '../tally.js';
import { phaseRecord, surgeSection } from '../phaseRecord.js';
import { k6Connections } from './k6Connections.js';
import { phaseTag } from './k6Script.js';
import { mergeSummaries, type Summary, type Values } from './podSummaries.js';
import { trendLatency } from './trendLatency.js';

/** A summary file as read: its JSON and its name, for errors. */
export interface SummaryFile {
  json: unknown;
  file: string;
}

/** One summary, or one per pod of a k6-operator TestRun. */
export function importK6Summary(files: readonly SummaryFile[], plan: SurgePlan): SurgeRecord {
  const summary = mergeSummaries(
    files.map(({ json, file }) => {
      const read = readSummary(json, file);
      if (!read.metric('http_reqs'))
        throw new ConfigError(
          `${file}: no http_reqs metric: is this a k6 end-of-test summary of an exported edgecheck plan?`,
        );
      return read;
    }),
  );
  const totalReqs = summary.metric('http_reqs')!;
  const schedule = new Schedule(plan.phases);
  const durationMs =
    summary.durationMs ??
    (totalReqs['rate'] ? ((totalReqs['count'] ?? 0) / totalReqs['rate']) * 1000 : plan.durationMs);
  const elapsedMs = Math.min(plan.durationMs, durationMs);
  const notes = [
    'from a k6 summary: no per-second timeline, no status classes, and no origin count ' +
      '(origin_rps is measured by the local surge only)',
  ];
  if (files.length > 1) {
    notes.push(
      `${files.length} pod summaries merged: counts and rates add up; ` +
        "latency percentiles are the worst pod's, an upper bound (k6 summaries hold percentiles, not histograms)",
    );
  }
  const dropped = summary.metric('dropped_iterations')?.['count'];
  if (dropped)
    notes.push(`k6 dropped ${dropped} planned iterations: it ran out of VUs (raise connections in the plan)`);

  const spans = plan.phases.map((p) => Math.max(0, Math.min(p.durationMs, elapsedMs - p.startMs)));
  const connections = k6Connections(summary, plan, schedule, spans, elapsedMs);
  notes.push(...connections.notes);
  const phases: SurgePhaseRecord[] = plan.phases.map((p) => {
    const span = spans[p.index]!;
    const stats = statsOf(summary, `{phase:${phaseTag(p.index)}}`, span);
    const record = phaseRecord(plan, schedule, p, span, stats, span > 0 && stats.sent > 0);
    const c = connections.phases[p.index];
    return c ? { ...record, connections: c } : record;
  });
  const totals = statsOf(summary, '', elapsedMs);
  return surgeSection(plan, schedule, elapsedMs, {
    source: 'k6',
    ...(connections.totals ? { connection_totals: connections.totals } : {}),
    partial: durationMs + 1000 < plan.durationMs,
    duration_ms: Math.round(durationMs),
    primed: false,
    limits: { max_duration_ms: plan.durationMs, max_requests: Math.ceil(totalReqs['count'] ?? 0) },
    totals,
    phases,
    timeline: [],
    notes,
  });
}

/** A metric or phase submetric: requests, failures, latency trend, claimed hits. */
function statsOf(summary: Summary, tag: string, spanMs: number): SurgeStats {
  const reqs = summary.metric(`http_reqs${tag}`);
  const failed = summary.metric(`http_req_failed${tag}`);
  const duration = summary.metric(`http_req_duration${tag}`);
  const hits = summary.metric(`edgecheck_cache_hit${tag}`);
  const count = reqs?.['count'] ?? 0;
  const errors = failed?.['passes'] ?? 0;
  const hit = hits?.['passes'] ?? 0;
  const miss = hits?.['fails'] ?? 0;
  return {
    sent: count,
    responses: count,
    rps: spanMs > 0 ? round(count / (spanMs / 1000)) : 0,
    errors,
    error_rate: failed?.['rate'] ?? 0,
    errors_by_kind: errors > 0 ? { 'k6 http_req_failed': errors } : {},
    status: { '1xx': 0, '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 },
    latency_ms: trendLatency(duration),
    cache: {
      claimed_hits: hit,
      claimed_misses: miss,
      no_claim: Math.max(0, count - hit - miss),
      claimed_hit_ratio: hit + miss > 0 ? hit / (hit + miss) : null,
    },
  };
}

function readSummary(json: unknown, file: string): Summary {
  const metrics = (json as { metrics?: Record<string, Record<string, unknown>> })?.metrics;
  if (!metrics || typeof metrics !== 'object') throw new ConfigError(`${file}: not a k6 summary (no "metrics")`);
  const state = (json as { state?: { testRunDurationMs?: number } }).state;
  return {
    metric(name) {
      const m = metrics[name];
      if (!m) return undefined;
      // handleSummary(): { type, values: {...} }; --summary-export: the values inline, a Rate's rate as "value"
      const values = (m['values'] ?? m) as Record<string, unknown>;
      const out: Values = {};
      for (const [k, v] of Object.entries(values)) if (typeof v === 'number') out[k === 'value' ? 'rate' : k] = v;
      return out;
    },
    ...(state?.testRunDurationMs !== undefined ? { durationMs: state.testRunDurationMs } : {}),
  };
}
