// What the reader of a surge must know about the bees' own connections: an
// h2 plan whose connections fell back to HTTP/1.1 (never silent), and visits
// the bees could not start because their cap on open visits was reached.
import type { BeeConnectionStats, SurgePhaseRecord } from '../harness/surgeRecord.js';
import type { SurgePlan } from './plan.js';

export function connectionNotes(
  plan: SurgePlan,
  totals: BeeConnectionStats,
  phases: readonly SurgePhaseRecord[],
): string[] {
  const notes: string[] = [];
  if (plan.protocols.includes('h2') && totals.h2_fallbacks > 0) {
    const where = phases
      .filter((p) => (p.connections?.h2_fallbacks ?? 0) > 0)
      .map((p) => `phase ${p.index + 1}: ${p.connections!.h2_fallbacks}`)
      .join(', ');
    const got = Object.entries(totals.alpn)
      .filter(([alpn]) => alpn !== 'h2')
      .map(([alpn, n]) => `${n} ${alpn}`)
      .join(', ');
    notes.push(
      `h2 fall-back: the plan asks for h2 but ${totals.h2_fallbacks} of ` +
        `${plan.protocols.length > 1 ? "the h2 paths' connections" : `${totals.handshakes} connections`} ` +
        `negotiated something else over ALPN (${got}; ${where}); their requests went over HTTP/1.1`,
    );
  }
  if (totals.skipped_visits > 0) {
    notes.push(
      `${totals.skipped_visits} visits were not started: the bees already had ${plan.connections} visits open ` +
        "(the plan's connections); raise connections, or the edge is answering too slowly",
    );
  }
  return notes;
}
