// The surge's own TLS connections in a phase (visitors, h2) as the cells of a
// row, for the terminal's mission assessment and the html report alike. A
// figure the record lacks (a k6 summary does not give it) is "-", never 0.
import type { SurgePhaseRecord } from '../harness/surgeRecord.js';

export const CONNECTION_HEADER = ['handshakes/s', 'full p99', 'resumed p99', 'resumed', 'alpn', 'errors'];

/** handshakes against the plan, full and resumed p99 (with counts), resumed of offered, ALPN, errors by kind */
export function connectionCells(ph: SurgePhaseRecord, formatMs: (v: number | undefined) => string): string[] {
  const c = ph.connections;
  if (!c) return CONNECTION_HEADER.map(() => '-');
  const planned = c.planned_visits_per_s !== undefined ? ` of ${c.planned_visits_per_s}` : '';
  const r = c.resumption;
  const p99 = (h: typeof c.full) => (h ? `${formatMs(h.latency_ms?.p99)} (${h.count})` : '-');
  const errors = c.errors_by_kind && Object.entries(c.errors_by_kind).map(([kind, n]) => `${kind} ${n}`);
  const alpn =
    c.alpn &&
    Object.entries(c.alpn)
      .map(([proto, n]) => `${proto} ${n}`)
      .join(', ');
  return [
    `${c.handshakes_per_s ?? '-'}${planned}`,
    p99(c.full),
    p99(c.resumed),
    r?.offered ? `${r.granted}/${r.offered}` : '-',
    alpn
      ? (c.alpn_unit ? `${c.alpn_unit}: ` : '') + alpn + (c.h2_fallbacks ? ` (${c.h2_fallbacks} fell back)` : '')
      : '-',
    errors ? (errors.length ? errors.join(', ') : '0') : '-',
  ];
}
