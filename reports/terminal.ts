// Shared terminal pieces for the list and dot reporters: colours and the
// failure block (step, expectation, actual, evidence — in that order).
import type { CheckRecord, HandshakeRecord, RunRecord, StepRecord, TlsEndpointRecord } from '../harness/record.js';

export interface Paint {
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

export function paint(color: boolean): Paint {
  const wrap = (open: number, close: number) => (s: string) => (color ? `\x1b[${open}m${s}\x1b[${close}m` : s);
  return { red: wrap(31, 39), green: wrap(32, 39), yellow: wrap(33, 39), dim: wrap(2, 22), bold: wrap(1, 22) };
}

const EVIDENCE_HEADERS = [
  'cache-control',
  'age',
  'expires',
  'etag',
  'last-modified',
  'cache-status',
  'x-cache',
  'cf-cache-status',
  'x-cache-status',
  'location',
];

export function failureDetail(check: CheckRecord, p: Paint): string[] {
  const lines: string[] = [];
  if (check.reason) lines.push(`    ${p.red(check.reason)}`);
  const step = [...check.steps].reverse().find((s) => s.failures.length > 0 || s.error);
  if (step) lines.push(...evidence(step, p));
  return lines;
}

function evidence(step: StepRecord, p: Paint): string[] {
  const lines: string[] = [];
  if (step.request) {
    const edge = step.request.address ? ` (edge ${step.request.address})` : '';
    lines.push(p.dim(`    > ${step.request.method} ${step.request.url}${edge}`));
  }
  if (step.response) {
    lines.push(p.dim(`    < ${step.response.status}`));
    for (const h of EVIDENCE_HEADERS) {
      const v = step.response.headers[h];
      if (v !== undefined) lines.push(p.dim(`    < ${h}: ${v}`));
    }
  }
  if (step.origin_seen !== undefined) {
    const reqs = step.origin_requests ?? [];
    const seen =
      reqs.length === 0
        ? 'no request reached the origin'
        : reqs.map((r) => `${r.method} ${r.url}${conditional(r.headers)}`).join('; ');
    lines.push(p.dim(`    origin log: ${seen}`));
  }
  if (step.cache_claim?.agrees_with_origin === false) {
    const truth = step.served_by ?? (step.origin_seen ? 'origin' : 'cache');
    const claim = step.cache_claim.claim;
    lines.push(p.yellow(`    note: the vendor header claims "${claim}" but the origin log says ${truth}`));
  }
  if (step.tls) lines.push(...tlsEvidence(step.tls.endpoints, p));
  if (step.poll) lines.push(...pollEvidence(step.poll, p));
  return lines;
}

/** Per edge: when it held, or that it never did and what it kept answering. */
function pollEvidence(poll: NonNullable<StepRecord['poll']>, p: Paint): string[] {
  return Object.entries(poll.by_edge).map(([edge, r]) => {
    const answers = `${r.answers} answer${r.answers === 1 ? '' : 's'}`;
    const flips = r.flips ? `, flipped back ${r.flips}x` : '';
    if (r.held_ms !== null) return p.dim(`    edge ${edge}: held from ${r.held_ms} ms (${answers}${flips})`);
    return p.dim(
      `    edge ${edge}: never held (${answers}${flips})${r.last_failure ? `; last: ${r.last_failure}` : ''}`,
    );
  });
}

/** One line on how an invalidation spread, for a check that measured it. */
export function propagationLine(check: CheckRecord, p: Paint): string | undefined {
  const spread = [...check.steps].reverse().find((s) => s.poll?.propagation)?.poll?.propagation;
  if (!spread) return undefined;
  const ms = (v: number | null | undefined) => (v === null || v === undefined ? 'never' : `${v} ms`);
  const parts = [`p50 ${ms(spread.p50)}`, `p95 ${ms(spread.p95)}`, `max ${ms(spread.max)}`];
  if (spread.slowest) parts.push(`slowest ${spread.slowest}`);
  const provider = [`accepted ${ms(spread.accepted_ms)}`, `completed ${ms(spread.completed_ms)}`];
  if (spread.lag_after_completed_ms !== undefined)
    provider.push(`edges lagged ${spread.lag_after_completed_ms} ms after`);
  return p.dim(`    propagation: ${parts.join(', ')}; provider: ${provider.join(', ')}`);
}

/** Endpoints shown per failed tls step; the run record holds them all. */
const TLS_ENDPOINTS_SHOWN = 3;

function tlsEvidence(endpoints: TlsEndpointRecord[], p: Paint): string[] {
  const failed = endpoints.filter((e) => !e.passed);
  const lines = failed.slice(0, TLS_ENDPOINTS_SHOWN).flatMap((e) => {
    const where = `${e.host} via ${e.address ?? e.host}:${e.port}, SNI ${e.sni ?? 'none'}`;
    return [
      `    tls ${where}: ${handshakeLine(e.handshake)}`,
      ...certificateLines(e.handshake, '      '),
      ...(e.resumption
        ? [
            '      resumption: ' +
              (e.resumption.ok && !e.resumption.resumed
                ? 'not resumed (a full handshake)'
                : handshakeLine(e.resumption)),
          ]
        : []),
      ...(e.without_sni
        ? [`      without SNI: ${handshakeLine(e.without_sni)}`, ...certificateLines(e.without_sni, '        ')]
        : []),
      ...(e.hsts
        ? [
            '      https answer: ' +
              ('error' in e.hsts
                ? e.hsts.error
                : `${e.hsts.status}, strict-transport-security: ${e.hsts.header ?? '(none)'}`),
          ]
        : []),
    ].map((l) => p.dim(l));
  });
  if (failed.length > TLS_ENDPOINTS_SHOWN)
    lines.push(p.dim(`    ... and ${failed.length - TLS_ENDPOINTS_SHOWN} more endpoints (see run.json)`));
  return lines;
}

function handshakeLine(h: HandshakeRecord): string {
  if (!h.ok) return `no handshake: ${h.error?.code}: ${h.error?.message}`;
  const trust = h.trusted ? 'trusted' : `not trusted (${h.trust_error})`;
  const resumed = h.resumed ? `, resumed by ${h.resumption}` : '';
  return `${h.protocol}, ALPN ${h.alpn || 'none'}, ${trust}${resumed}`;
}

function certificateLines(h: HandshakeRecord, indent: string): string[] {
  const c = h.certificate;
  if (!c) return [];
  const names = c.sans.length ? c.sans.join(', ') : 'no subjectAltName';
  const match = h.hostname_match;
  return [
    `${indent}subject ${c.subject}; ${names}${match?.warning ? ` (${match.warning})` : ''}`,
    `${indent}issuer ${c.issuer}; not after ${c.not_after} (${c.days_left} days left)`,
    `${indent}sha256 ${c.fingerprint256}`,
  ];
}

function conditional(h: Record<string, string>): string {
  const parts = ['if-none-match', 'if-modified-since'].filter((k) => h[k]).map((k) => `${k}: ${h[k]}`);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

/**
 * Every step, passed or failed, where the vendor header's claim disagrees with
 * the probe origin's log: the report marks them all, not only in failures.
 */
export function claimDisagreements(record: RunRecord, p: Paint): string[] {
  const lines: string[] = [];
  for (const c of record.checks) {
    c.steps.forEach((step, i) => {
      if (step.cache_claim?.agrees_with_origin !== false) return;
      const truth = step.served_by ?? (step.origin_seen ? 'origin' : 'cache');
      lines.push(
        `  ${c.suite} › ${c.id} step ${i + 1}: ` +
          `claims "${step.cache_claim.claim}" (${step.cache_claim.evidence}), origin log says ${truth}`,
      );
    });
  }
  if (lines.length === 0) return [];
  return [p.yellow(`vendor header vs origin log: ${lines.length} step(s) disagree`), ...lines.map((l) => p.dim(l))];
}

export function summaryLine(record: RunRecord, p: Paint): string {
  const { passed, failed, skipped } = record.summary;
  const secs = ((Date.parse(record.finished) - Date.parse(record.started)) / 1000).toFixed(1);
  const failedText = failed ? p.red(`${failed} failed`) : `${failed} failed`;
  const where = p.dim(`(${secs}s, target ${record.target.name})`);
  return `${p.green(`${passed} passed`)}, ${failedText}, ${p.yellow(`${skipped} skipped`)} ${where}`;
}
