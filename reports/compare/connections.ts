// Surges' own TLS connections side by side (visitors and h2 plans): per phase
// and over the whole surge, each run's handshakes/s (against the visits
// planned), full and resumed handshake p99, the sessions the edge resumed of
// those offered, the h2 share and its fall-backs, and connection errors by
// kind; and which of those differ from the first run's enough to say the edge
// behaved otherwise. Handshakes/s and the p99s are measures: they follow the
// plan, the machine and the network, so they are shown and never differ.
import type { SurgeConnectionStats, SurgeRecord } from '../../harness/surgeRecord.js';
import { markAgainstFirst } from './markAgainstFirst.js';

/** The figures of a connection cell that can differ from the first run's. */
export type ConnectionFigure = 'resumption' | 'h2' | 'errors';

/** One run's connections in a phase (or over the whole surge); null where the record does not give a figure. */
export interface SurgeConnectionCell {
  handshakes_per_s: number | null;
  /** visitors model: the new visitors per second the plan asked for */
  planned_visits_per_s: number | null;
  full_p99_ms: number | null;
  resumed_p99_ms: number | null;
  /** k6: handshake p99 with full and resumed together (k6 does not tell them apart), the TLS handshake alone */
  any_p99_ms: number | null;
  /** the sessions the edge resumed of those returning visitors offered; null when none was offered */
  resumption: { granted: number; offered: number; ratio: number } | null;
  /** h2 of what ALPN counted, 0..1, and how many asked for h2 and got something else */
  h2_share: number | null;
  h2_fallbacks: number | null;
  /** what the h2 share counts: connections (the local bees) or responses (k6's edgecheck_h2) */
  h2_of: 'connections' | 'responses' | null;
  /** connections that never carried a request, by kind */
  errors_by_kind: Record<string, number> | null;
  /** the figures that differ from the first run's (see `figureDiffers`) */
  differs_in: ConnectionFigure[];
  /** some figure differs, or the first run has no connections here */
  differs: boolean;
}

/** A phase's connections (or the whole surge's, key "all phases") across the runs. */
export interface SurgeConnectionRow {
  /** as the phase rows: "2 hold 200 visitors/s for 30s"; "all phases" for the surge's connection_totals */
  key: string;
  /** the phase's index in the plan; null for the whole surge */
  index: number | null;
  /** null where that run has no connections block here (a keep-alive plan, no such phase) */
  cells: Array<SurgeConnectionCell | null>;
  differs: boolean;
}

export const ALL_PHASES = 'all phases';

/**
 * Resumption is the edge's session cache or ticket keys at work: a working
 * one grants nearly every offered session, a broken or disabled one nearly
 * none, and in between an edge address that lost its keys. A few points
 * either way are chance (a session evicted, a ticket key rotated between
 * visits), so the ratio differs when it moves by more than 10 points...
 */
export const RESUMPTION_TOLERANCE = 0.1;
/** ...and only where both runs offered at least 20 sessions: below that one session is 5 points or more. */
export const RESUMPTION_MIN_OFFERED = 20;

/** The connection rows, or undefined when no run has a connections block. */
export function compareConnections(surges: ReadonlyArray<SurgeRecord | null>): SurgeConnectionRow[] | undefined {
  const rows = new Map<string, SurgeConnectionRow>();
  const add = (key: string, index: number | null, run: number, stats: SurgeConnectionStats) => {
    const row = rows.get(key) ?? { key, index, cells: surges.map(() => null), differs: false };
    row.cells[run] = connectionCell(stats);
    rows.set(key, row);
  };
  surges.forEach((surge, run) => {
    for (const phase of surge?.phases ?? []) {
      if (phase.connections) add(`${phase.index + 1} ${phase.label}`, phase.index, run, phase.connections);
    }
    if (surge?.connection_totals) add(ALL_PHASES, null, run, surge.connection_totals);
  });
  if (rows.size === 0) return undefined;
  for (const row of rows.values()) markDifferences(row);
  // the phases in plan order, the whole surge last
  return [...rows.values()].sort((a, b) => (a.index ?? Infinity) - (b.index ?? Infinity));
}

function connectionCell(c: SurgeConnectionStats): SurgeConnectionCell {
  const r = c.resumption;
  const alpnTotal = c.alpn ? Object.values(c.alpn).reduce((a, b) => a + b, 0) : 0;
  return {
    handshakes_per_s: c.handshakes_per_s ?? null,
    planned_visits_per_s: c.planned_visits_per_s ?? null,
    full_p99_ms: c.full?.latency_ms?.p99 ?? null,
    resumed_p99_ms: c.resumed?.latency_ms?.p99 ?? null,
    any_p99_ms: c.all?.latency_ms?.p99 ?? null,
    resumption: r && r.offered > 0 ? { granted: r.granted, offered: r.offered, ratio: r.granted / r.offered } : null,
    h2_share: c.alpn && alpnTotal > 0 ? (c.alpn['h2'] ?? 0) / alpnTotal : null,
    h2_fallbacks: c.h2_fallbacks ?? null,
    h2_of: c.alpn && alpnTotal > 0 ? (c.alpn_unit ?? 'connections') : null,
    errors_by_kind: c.errors_by_kind ? { ...c.errors_by_kind } : null,
    differs_in: [],
    differs: false,
  };
}

function markDifferences(row: SurgeConnectionRow): void {
  markAgainstFirst(row, (first, cell) => FIGURES.filter((f) => figureDiffers(f, first, cell)));
}

const FIGURES: readonly ConnectionFigure[] = ['resumption', 'h2', 'errors'];

/** Whether a figure differs between two runs' cells; a figure either run lacks is not compared. */
export function figureDiffers(figure: ConnectionFigure, a: SurgeConnectionCell, b: SurgeConnectionCell): boolean {
  switch (figure) {
    case 'resumption': {
      const [x, y] = [a.resumption, b.resumption];
      if (!x || !y || Math.min(x.offered, y.offered) < RESUMPTION_MIN_OFFERED) return false;
      return Math.abs(x.ratio - y.ratio) > RESUMPTION_TOLERANCE;
    }
    case 'h2':
      // ALPN is the edge's configuration, not chance: an edge that offers h2 negotiates it on every
      // connection, so any change in the share is a change in behaviour (an edge address that lost h2,
      // a fall-back); compared as shown, to a tenth of a point, so no mark stands on a change nobody sees
      if (a.h2_share === null || b.h2_share === null) return false;
      return Math.round(a.h2_share * 1000) !== Math.round(b.h2_share * 1000);
    case 'errors': {
      // the kinds of error name what the edge did (refused, reset, a failed handshake, a timeout); how many
      // scales with the load and the moment, so a kind that appears or goes away differs and a count does not
      if (!a.errors_by_kind || !b.errors_by_kind) return false;
      const kinds = (e: Record<string, number>) =>
        Object.keys(e)
          .filter((k) => (e[k] ?? 0) > 0)
          .sort()
          .join();
      return kinds(a.errors_by_kind) !== kinds(b.errors_by_kind);
    }
  }
}
