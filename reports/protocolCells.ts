// A surge whose paths go over h1 and h2, per protocol, as the cells of a row
// for the terminal's mission assessment and the html report alike; and the
// protocol as the headline of either says it.
import type { SurgeProtocolShare, SurgeRecord } from '../harness/surgeRecord.js';

/**
 * The weights split the rate in the open and visitors models, so the planned share is of the requests; in
 * the closed model they split the connections, and each protocol's requests follow its connections' pace.
 */
export function protocolHeader(model: SurgeRecord['model']): string[] {
  return [
    'protocol',
    'paths',
    'bees',
    'sent',
    'of requests',
    model === 'closed' ? 'of connections' : 'planned',
    'p99',
    'errors',
  ];
}

/** the protocol, its paths, its bees, what they sent against the share its paths' weights planned, p99, errors */
export function protocolCells(
  x: SurgeProtocolShare,
  formatMs: (v: number | undefined) => string,
  percent: (ratio: number, digits: number) => string,
): string[] {
  return [
    x.protocol,
    x.paths.join(' '),
    String(x.bees),
    String(x.sent),
    percent(x.share, 1),
    percent(x.planned_share, 1),
    formatMs(x.latency_ms?.p99),
    // as the phase table: a rate, the count beside it where there were any
    x.errors > 0 ? `${percent(x.error_rate, 2)} (${x.errors})` : percent(0, 2),
  ];
}

/** "h2, " for an h2 plan, "h1+h2, " where the paths mix them; nothing for HTTP/1.1, the default */
export function protocolText(s: SurgeRecord): string {
  if (s.protocols) return `${s.protocols.map((x) => x.protocol).join('+')}, `;
  return s.protocol === 'h2' ? 'h2, ' : '';
}
