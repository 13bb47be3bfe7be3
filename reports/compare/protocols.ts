// Surges whose paths go over h1 and h2 side by side: per protocol each run's
// share of the requests sent against the share its paths' weights planned,
// its p99 and its error rate; and where the errors differ from the first
// run's enough to say the edge answered that protocol otherwise. The share
// and the p99 are measures: the share follows how fast each group of bees
// went (the load, the machine, in the closed model the edge's pace), the p99
// the load, the machine and the network, so they are shown and never differ.
import type { SurgeProtocol, SurgeProtocolShare, SurgeRecord } from '../../harness/surgeRecord.js';
import { markAgainstFirst } from './markAgainstFirst.js';

/** The figures of a protocol cell that can differ from the first run's. */
export type ProtocolFigure = 'errors';

/** One run's requests over one protocol, over the whole surge. */
export interface SurgeProtocolCell {
  /** the plan's paths over this protocol */
  paths: string[];
  sent: number;
  /** of all requests sent, 0..1 */
  share: number;
  /** its paths' weights over all the plan's, 0..1 */
  planned_share: number;
  /** what the weights split: the requests (open, visitors models) or the connections (closed model) */
  planned_of: 'requests' | 'connections';
  p99_ms: number | null;
  responses: number;
  errors: number;
  /** errors / (responses + transport errors), 0..1, as a phase's */
  error_rate: number;
  /** the figures that differ from the first run's (see `errorsDiffer`) */
  differs_in: ProtocolFigure[];
  /** some figure differs, or the first run has no such protocol */
  differs: boolean;
}

/** A protocol across the runs. */
export interface SurgeProtocolRow {
  /** the protocol: h1, h2 */
  key: SurgeProtocol;
  /** null where that run's plan did not mix protocols (one protocol, a k6 import) or had none of this one */
  cells: Array<SurgeProtocolCell | null>;
  differs: boolean;
}

/**
 * Errors where the first run had none, or none where it had some, is the
 * edge answering the protocol otherwise (an h2 listener refusing streams,
 * h1 connections reset), however few. Between two runs that both had errors
 * the rate follows the load and the moment too, so it differs only when it
 * is clearly another: more than a point apart...
 */
export const ERROR_RATE_POINTS = 0.01;
/** ...and one more than twice the other: 2% against 3.5% is the same trouble, 1% against 5% is more of it. */
export const ERROR_RATE_FACTOR = 2;

/** The protocol rows (h1, then h2), or undefined when no run's plan mixed protocols. */
export function compareProtocols(surges: ReadonlyArray<SurgeRecord | null>): SurgeProtocolRow[] | undefined {
  const rows = new Map<SurgeProtocol, SurgeProtocolRow>();
  surges.forEach((surge, run) => {
    if (!surge?.protocols) return;
    for (const share of surge.protocols) {
      const row = rows.get(share.protocol) ?? { key: share.protocol, cells: surges.map(() => null), differs: false };
      row.cells[run] = protocolCell(share, surge.model);
      rows.set(share.protocol, row);
    }
  });
  if (rows.size === 0) return undefined;
  for (const row of rows.values()) markDifferences(row);
  return [...rows.values()].sort((a, b) => a.key.localeCompare(b.key));
}

function protocolCell(x: SurgeProtocolShare, model: SurgeRecord['model']): SurgeProtocolCell {
  return {
    paths: [...x.paths],
    sent: x.sent,
    share: x.share,
    planned_share: x.planned_share,
    planned_of: model === 'closed' ? 'connections' : 'requests',
    p99_ms: x.latency_ms?.p99 ?? null,
    responses: x.responses,
    errors: x.errors,
    error_rate: x.error_rate,
    differs_in: [],
    differs: false,
  };
}

function markDifferences(row: SurgeProtocolRow): void {
  markAgainstFirst(row, (first, cell): ProtocolFigure[] => (errorsDiffer(first, cell) ? ['errors'] : []));
}

/** Whether two runs' errors over a protocol say the edge behaved otherwise (see ERROR_RATE_POINTS). */
export function errorsDiffer(a: SurgeProtocolCell, b: SurgeProtocolCell): boolean {
  if (a.errors === 0 || b.errors === 0) return (a.errors === 0) !== (b.errors === 0);
  const [low, high] = [Math.min(a.error_rate, b.error_rate), Math.max(a.error_rate, b.error_rate)];
  return high - low > ERROR_RATE_POINTS && high > low * ERROR_RATE_FACTOR;
}
