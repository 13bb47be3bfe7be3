// What a k6 end-of-test summary says about the surge's own connections (a
// visitors or h2 plan), and no more: a figure it cannot give is left out of
// the connections block, never written as 0, and a note names it.
//
// - h2 share: the exported script's edgecheck_h2 rate (per phase tag and in
//   total) counts the answered requests that came over HTTP/2, so `alpn` and
//   `h2_fallbacks` count responses, not connections (`alpn_unit`).
// - handshakes: the exported script's edgecheck_handshake trend, a value for
//   each request that opened a connection (tls_handshaking > 0), per phase
//   tag and in total; from a script exported before it, for a visitors plan
//   k6's completed iterations, each one visit on a new connection
//   (noVUConnectionReuse), which carry no phase tag: the whole surge only.
// - handshake latency: http_req_tls_handshaking holds a value per request,
//   0 ms for a request on a reused connection, so its percentiles mix those
//   zeros in. Only where none is 0 (min > 0: every request opened its own
//   connection) are they handshake latencies, and then its count is the
//   handshakes; k6 does not say which were resumed, so they go in `all`.
// - skipped visits (visitors): dropped_iterations, the iterations k6 could not
//   start for want of a free VU, as the bees skip a visit past `connections`.
import type { SurgeConnectionStats } from '../../harness/surgeRecord.js';
import { opensOwnConnections, type SurgePlan } from '../plan.js';
import type { Schedule } from '../schedule.js';
import { round } from '../tally.js';
import { phaseTag } from './k6Script.js';
import type { Summary, Values } from './podSummaries.js';
import { trendLatency } from './trendLatency.js';

export interface K6Connections {
  /** per plan phase; undefined where the summary says nothing of it (or the plan opens no connections of its own) */
  phases: Array<SurgeConnectionStats | undefined>;
  totals?: SurgeConnectionStats;
  /** how the figures were derived, and which k6's summary does not give */
  notes: string[];
}

/** `spans`: how long each phase ran (ms); `elapsedMs`: the whole surge. */
export function k6Connections(
  summary: Summary,
  plan: SurgePlan,
  schedule: Schedule,
  spans: readonly number[],
  elapsedMs: number,
): K6Connections {
  const visitors = plan.model === 'visitors';
  // a mixed plan's edgecheck_h2 counts its h2 paths' responses
  const h2 = plan.protocols.includes('h2');
  if (!opensOwnConnections(plan)) return { phases: plan.phases.map(() => undefined), notes: [] };

  const phases = plan.phases.map((p, i) => {
    const span = spans[i] ?? 0;
    if (span <= 0) return undefined;
    const block: SurgeConnectionStats = {
      ...(visitors
        ? plannedVisits(schedule.cumulativeAt(p.startMs + span) - schedule.cumulativeAt(p.startMs), span)
        : {}),
      ...(h2 ? h2Share(summary.metric(`edgecheck_h2{phase:${phaseTag(p.index)}}`)) : {}),
      ...handshakesOf(summary.metric(`edgecheck_handshake{phase:${phaseTag(p.index)}}`), span),
    };
    return Object.keys(block).length > 0 ? block : undefined;
  });

  const tls = summary.metric('http_req_tls_handshaking');
  // every request opened its own connection: no 0 ms among the values, so each value is one handshake
  const clean = tls !== undefined && (tls['min'] ?? 0) > 0 && (tls['count'] ?? 0) > 0;
  const iterations = visitors ? summary.metric('iterations')?.['count'] : undefined;
  // the exported script's own trend: a value for each request that opened a connection, per phase and in all
  const own = handshakesOf(summary.metric('edgecheck_handshake'), elapsedMs);
  const handshakes = own.handshakes ?? (clean ? tls['count']! : iterations);
  const h2Total = h2 ? h2Share(summary.metric('edgecheck_h2')) : {};
  const seconds = elapsedMs / 1000;
  const totals: SurgeConnectionStats = {
    ...(handshakes !== undefined
      ? { handshakes, handshakes_per_s: seconds > 0 ? round(handshakes / seconds) : 0 }
      : {}),
    ...(visitors ? plannedVisits(schedule.cumulativeAt(elapsedMs), elapsedMs) : {}),
    ...(own.all ? { all: own.all } : clean ? { all: { count: tls['count']!, latency_ms: trendLatency(tls) } } : {}),
    ...h2Total,
    // k6 reports dropped_iterations only when it dropped some
    ...(visitors ? { skipped_visits: summary.metric('dropped_iterations')?.['count'] ?? 0 } : {}),
  };

  const derived: string[] = [];
  if (own.handshakes !== undefined) {
    derived.push(
      'handshakes and their latency per phase from edgecheck_handshake (each request that opened a connection): ' +
        'the TLS handshake alone, without the TCP connect, full and resumed together',
    );
  } else if (clean) {
    derived.push(
      'handshakes and their latency from http_req_tls_handshaking (every request opened its own connection): ' +
        'the TLS handshake alone, without the TCP connect, full and resumed together',
    );
  } else if (handshakes !== undefined) {
    derived.push(
      "handshakes are k6's completed iterations, each a visit on a new connection " +
        '(a visit cut off at the end is not counted, nor a second connection within a visit)',
    );
  }
  if (h2Total.alpn) derived.push('the h2 share and its fall-backs count responses (edgecheck_h2), not connections');
  const missing = [
    ...(visitors && own.handshakes === undefined
      ? ["handshakes per phase (k6's iterations carry no phase tag; a script exported now adds edgecheck_handshake)"]
      : []),
    ...(handshakes === undefined ? ['handshakes (k6 counts no connections)'] : []),
    ...(clean || own.all
      ? []
      : tls
        ? [
            'handshake latency (http_req_tls_handshaking has 0 ms for each request on a reused connection, ' +
              'so its percentiles are not handshake latencies)',
          ]
        : ['handshake latency']),
    'full and resumed handshakes apart, nor the sessions offered and resumed ' +
      "(k6 does not say whether a handshake resumed one, nor replay the plan's resume share)",
    'connection errors by kind (k6 counts them among http_req_failed)',
    ...(h2 && !h2Total.alpn ? ['the h2 share (no edgecheck_h2 metric: export the script again)'] : []),
  ];
  const notes = [
    ...(derived.length ? [`connections from the k6 summary: ${derived.join('; ')}`] : []),
    `k6's summary does not give these connection figures: ${missing.join('; ')}`,
  ];
  return { phases, ...(Object.keys(totals).length > 0 ? { totals } : {}), notes };
}

/** edgecheck_handshake over a span: its count is the connections opened, its percentiles their handshakes' */
function handshakesOf(trend: Values | undefined, spanMs: number): SurgeConnectionStats {
  const count = trend?.['count'];
  if (!trend || count === undefined || count === 0) return {};
  return {
    handshakes: count,
    handshakes_per_s: spanMs > 0 ? round(count / (spanMs / 1000)) : 0,
    all: { count, latency_ms: trendLatency(trend) },
  };
}

function plannedVisits(visits: number, spanMs: number): SurgeConnectionStats {
  return {
    planned_visits: Math.round(visits),
    planned_visits_per_s: spanMs > 0 ? round(visits / (spanMs / 1000)) : 0,
  };
}

/** edgecheck_h2: passes are responses over HTTP/2, fails responses over something else */
function h2Share(rate: Values | undefined): SurgeConnectionStats {
  if (!rate || (rate['passes'] === undefined && rate['fails'] === undefined)) return {};
  const [over, not] = [rate['passes'] ?? 0, rate['fails'] ?? 0];
  // as the bees' alpn, only what was seen
  const alpn = Object.fromEntries(Object.entries({ h2: over, 'not h2': not }).filter(([, n]) => n > 0));
  return { alpn, alpn_unit: 'responses', h2_fallbacks: not };
}
