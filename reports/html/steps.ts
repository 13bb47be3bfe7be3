// A step's evidence, in the order a failure is read: what went wrong (error,
// failures), then the request, the response, what the probe origin saw, the
// vendor's claim, and what the step kind recorded (TLS, invalidation, poll, hops).
import type {
  HandshakeRecord,
  InvalidationRecord,
  PollRecord,
  StepRecord,
  TlsEndpointRecord,
} from '../../harness/record.js';
import { html, keyValues, type Markup, ms, showValue, table } from './markup.js';

/** One step: a <details> whose summary line says what it did; open when it failed. */
export function stepBlock(step: StepRecord, index: number): Markup {
  const failed = step.failures.length > 0 || step.error !== undefined;
  return html`<details class="step ${failed ? 'step-failed' : 'step-ok'}" ${failed ? html` open` : ''}>
    <summary>
      <span class="step-mark">${failed ? '✗' : '✓'}</span> <span class="step-n">${index + 1}</span>
      <code>${step.kind}</code> ${stepLine(step)}
    </summary>
    <div class="evidence">${stepEvidence(step)}</div>
  </details>`;
}

/** What the step did, in one line: its request and the answer, or its own record's gist. */
function stepLine(step: StepRecord): Markup {
  const parts: Array<Markup | string> = [];
  if (step.request) parts.push(html`<code class="req">${step.request.method} ${step.request.url}</code>`);
  if (step.response) parts.push(html`→ <b>${step.response.status}</b>`);
  if (step.served_by) parts.push(`served by ${step.served_by}`);
  if (step.tls) parts.push(`${step.tls.endpoints.length} handshake(s)`);
  if (step.invalidation) parts.push(`${step.invalidation.provider}: ${step.invalidation.paths.join(', ')}`);
  if (step.poll) parts.push(`${Object.keys(step.poll.by_edge).length} edge(s)`);
  if (step.each) parts.push(`${step.each.length} request(s)`);
  if (step.error) parts.push(html`<span class="bad">${step.error.code}</span>`);
  if (step.duration_ms !== undefined) parts.push(html`<span class="dim">${ms(step.duration_ms)}</span>`);
  return html`${parts.map((p, i) => html`${i ? ' ' : ''}${p}`)}`;
}

export function stepEvidence(step: StepRecord): Markup {
  return html`${errorBlock(step)}${failuresBlock(step)}${requestBlock(step)}${responseBlock(step)}
  ${originBlock(step)}${claimBlock(step)}${signedBlock(step)}${redirectsBlock(step)}
  ${step.tls ? tlsBlock(step.tls.endpoints) : ''}${step.invalidation ? invalidationBlock(step.invalidation) : ''}
  ${step.poll ? pollBlock(step.poll) : ''}${eachBlock(step)}`;
}

function section(title: string, body: Markup): Markup {
  return html`<section class="ev">
    <h5>${title}</h5>
    ${body}
  </section>`;
}

function errorBlock(step: StepRecord): Markup | '' {
  if (!step.error) return '';
  return section('error', html`<p class="bad"><code>${step.error.code}</code> ${step.error.message}</p>`);
}

function failuresBlock(step: StepRecord): Markup | '' {
  if (step.failures.length === 0) return '';
  const rows = step.failures.map((f) => [
    html`<code>${f.expectation}</code>`,
    html`<code>${showValue(f.expected)}</code>`,
    html`<code class="bad">${showValue(f.actual)}</code>`,
  ]);
  return section('failed expectations', table(['expectation', 'expected', 'actual'], rows, 'failures'));
}

function requestBlock(step: StepRecord): Markup | '' {
  if (!step.request) return '';
  const { method, url, address } = step.request;
  return section(
    'request',
    html`<p><code>${method} ${url}</code>${address ? html` <span class="dim">via edge ${address}</span>` : ''}</p>`,
  );
}

function responseBlock(step: StepRecord): Markup | '' {
  if (!step.response) return '';
  return section(
    'response',
    html`<p>status <b>${step.response.status}</b></p>
      ${headerTable(step.response.headers)}`,
  );
}

function headerTable(headers: Record<string, string | string[]>): Markup {
  const rows = Object.entries(headers).flatMap(([k, v]) =>
    (Array.isArray(v) ? v : [v]).map((line) => [html`<code>${k}</code>`, html`<code>${line}</code>`]),
  );
  return rows.length ? table(['header', 'value'], rows, 'headers') : html`<p class="dim">no headers</p>`;
}

function originBlock(step: StepRecord): Markup | '' {
  const seen = step.origin_requests;
  if (step.origin_seen === undefined && step.served_by === undefined && !seen) return '';
  const verdict = keyValues([
    ['reached the origin', step.origin_seen === undefined ? undefined : step.origin_seen ? 'yes' : 'no'],
    ['served by', step.served_by],
  ]);
  const requests = (seen ?? []).map(
    (r) =>
      html`<div class="origin-req">
        <p>
          <code>${r.method} ${r.url}</code> ${r.sni ? html` <span class="dim">SNI ${r.sni}</span>` : ''}
          ${certificateNames(r.certificate_names)}
        </p>
        ${headerTable(r.headers)}
      </div>`,
  );
  const none = seen && seen.length === 0 ? html`<p class="dim">no request reached the origin</p>` : '';
  return section('what the probe origin saw', html`${verdict}${requests}${none}`);
}

function certificateNames(names: string[] | undefined): Markup | '' {
  return names ? html` <span class="dim">certificate names: ${names.join(', ')}</span>` : '';
}

function claimBlock(step: StepRecord): Markup | '' {
  const c = step.cache_claim;
  if (!c) return '';
  const agrees =
    c.agrees_with_origin === undefined
      ? html`<span class="dim">no origin log to compare</span>`
      : c.agrees_with_origin
        ? html`<span class="good">agrees with the origin log</span>`
        : html`<span class="bad">disagrees with the origin log</span>`;
  return section(
    'the vendor’s claim',
    keyValues([
      ['claim', c.claim],
      ['evidence', html`<code>${c.evidence}</code>`],
      ['', agrees],
    ]),
  );
}

function signedBlock(step: StepRecord): Markup | '' {
  const s = step.signed;
  const d = step.denial;
  if (!s && !d) return '';
  const signed = s
    ? keyValues([
        ['scheme', s.scheme],
        ['expires at', s.expires_at],
        ['not before', s.not_before],
        ['viewer address', s.ip],
        ['as a cookie', s.cookie ? 'yes' : undefined],
        ['tampered', s.tamper],
        ['omitted', s.omit],
        ['key', s.key],
        ['kept as', s.as],
        ['reuses', s.reuse],
      ])
    : '';
  const denial = d
    ? html`<p>
        the edge refused it: <code>${d.code}</code>${d.message ? ` ${d.message}` : ''}
        ${d.reason ? html` <span class="dim">(${d.reason})</span>` : ''}
      </p>`
    : '';
  return section('signature', html`${signed}${denial}`);
}

function redirectsBlock(step: StepRecord): Markup | '' {
  if (!step.redirects?.length) return '';
  const rows = step.redirects.map((h, i) => [
    String(i + 1),
    String(h.status),
    html`<code>${h.from}</code>`,
    html`<code>${h.location ?? '—'}</code>`,
    html`<code>${h.to ?? '—'}</code>`,
  ]);
  return section('redirects followed', table(['hop', 'status', 'from', 'Location', 'resolves to'], rows));
}

function tlsBlock(endpoints: TlsEndpointRecord[]): Markup {
  const rows = endpoints.map((e) => [
    e.passed ? html`<span class="good">✓</span>` : html`<span class="bad">✗</span>`,
    html`${e.host}<br /><span class="dim">${e.address ?? ''}:${e.port}</span>`,
    e.sni ?? html`<span class="dim">none</span>`,
    handshakeCell(e.handshake),
    certificateCell(e.handshake),
    extrasCell(e),
  ]);
  return section('TLS handshakes', table(['', 'endpoint', 'SNI', 'handshake', 'certificate', 'also'], rows, 'tls'));
}

function handshakeCell(h: HandshakeRecord): Markup {
  if (!h.ok) return html`<span class="bad">failed: ${h.error?.code ?? ''} ${h.error?.message ?? ''}</span>`;
  const trust = h.trusted === false ? html`<br /><span class="bad">untrusted: ${h.trust_error ?? ''}</span>` : '';
  const alpn = h.alpn ? `, ALPN ${h.alpn}` : h.alpn === false ? ', no ALPN' : '';
  const resumed = h.resumed ? `, resumed (${h.resumption ?? ''})` : '';
  return html`${h.protocol ?? '?'}${alpn}${resumed}<br /><span class="dim">${h.cipher ?? ''}</span>${trust}`;
}

function certificateCell(h: HandshakeRecord): Markup {
  const c = h.certificate;
  if (!c) return html`<span class="dim">${h.resumed ? 'not sent again on resumption' : '—'}</span>`;
  const match = h.hostname_match;
  const matchLine = match
    ? match.match
      ? html`<span class="good">names the host</span>
          <span class="dim">(${match.by}${match.matched_name ? `: ${match.matched_name}` : ''})</span>`
      : html`<span class="bad">does not name the host</span>`
    : '';
  const left = c.days_left < 0 ? 'bad' : c.days_left < 21 ? 'warn' : '';
  return html`<code>${c.subject}</code><br /><span class="dim">SANs</span> ${c.sans.join(', ') || '—'}<br />
    <span class="dim">issuer</span> ${c.issuer}${c.self_signed ? ' (self-signed)' : ''}<br />
    <span class="${left}">${c.days_left} days left</span> <span class="dim">(until ${c.not_after})</span
    ><br />${matchLine} ${match?.warning ? html`<br /><span class="warn">${match.warning}</span>` : ''}`;
}

function extrasCell(e: TlsEndpointRecord): Markup {
  const lines: Markup[] = [];
  if (e.resumption) lines.push(html`resumption: ${e.resumption.resumed ? 'resumed' : 'not resumed'}`);
  if (e.without_sni) lines.push(html`without SNI: ${e.without_sni.ok ? 'handshake completed' : 'refused'}`);
  if (e.hsts) {
    lines.push('error' in e.hsts ? html`HSTS: ${e.hsts.error}` : html`HSTS: <code>${e.hsts.header ?? 'absent'}</code>`);
  }
  return html`${lines.map((l, i) => html`${i ? html`<br />` : ''}${l}`)}`;
}

function invalidationBlock(inv: InvalidationRecord): Markup {
  return section(
    'invalidation',
    keyValues([
      ['provider', inv.provider],
      ['id', inv.id],
      ['by', inv.by],
      ['paths', html`${inv.paths.map((path) => html`<code>${path}</code><br />`)}`],
      ['accepted after', ms(inv.accepted_ms)],
      ['completed after', inv.completed_ms === undefined ? 'not reported' : ms(inv.completed_ms)],
      ['state', inv.state],
      ['detail', inv.detail],
    ]),
  );
}

const POLL_HEAD = ['edge', 'held after', 'answers', 'flips', 'last answer that did not hold'];

/** Each edge's time as a bar against the slowest, so the straggler stands out. */
function pollBlock(poll: PollRecord): Markup {
  const edges = Object.entries(poll.by_edge);
  const longest = Math.max(1, ...edges.map(([, e]) => e.held_ms ?? 0));
  const rows = edges.map(([edge, e]) => [
    html`<code>${edge}</code>`,
    e.held_ms === null
      ? html`<span class="bad">never held</span>`
      : html`<span class="bar" style="--w:${((e.held_ms / longest) * 100).toFixed(1)}"></span> ${ms(e.held_ms)}`,
    String(e.answers),
    String(e.flips),
    e.last_failure ? html`<code>${e.last_failure}</code>` : '',
  ]);
  const p = poll.propagation;
  const spread = p
    ? keyValues([
        ['p50', ms(p.p50)],
        ['p95', ms(p.p95)],
        ['slowest', p.slowest ? `${p.slowest} (${ms(p.max)})` : undefined],
        ['provider accepted', p.accepted_ms === undefined ? undefined : ms(p.accepted_ms)],
        ['provider completed', p.completed_ms === undefined ? undefined : ms(p.completed_ms)],
        [
          'last edge after completed',
          p.lag_after_completed_ms === undefined ? undefined : ms(p.lag_after_completed_ms),
        ],
      ])
    : '';
  const body = html`<p class="dim">
      polled every ${ms(poll.every_ms)}; time from the invalidation (or the poll's start) until each edge's answer held
      and stayed held
    </p>
    ${table(POLL_HEAD, rows, 'propagation')} ${spread}`;
  return section('propagation per edge', body);
}

function eachBlock(step: StepRecord): Markup | '' {
  if (!step.each?.length) return '';
  return section('each request', html`${step.each.map((s, i) => stepBlock(s, i))}`);
}
