// The figures that matter for a check, read from its record: what served each
// request and the Age on the last, the TLS protocol and days left, how an
// invalidation spread, why a signature was refused, where redirects led.
import type { CheckRecord, StepRecord } from '../../harness/record.js';

export type FigureName =
  'served_by' | 'age' | 'tls_protocol' | 'days_left' | 'propagation_p95' | 'slowest_edge' | 'denial' | 'redirects';

/** One figure of a check in one run. */
export interface Figure {
  name: FigureName;
  /** the figure as shown: "origin→cache", "age 3", "TLSv1.3", "89 days left", "p95 261 ms", "denied MissingKey" */
  text: string;
  value: string | number | null;
  /**
   * A measure (an Age, days left, a propagation time, the slowest edge) varies
   * from run to run by nature: it is shown but never makes a check differ.
   * The others are behaviour: when they differ between runs, the check differs.
   */
  measure: boolean;
}

export function figuresOf(check: CheckRecord): Figure[] {
  return [
    ...servedBy(check.steps),
    ...tls(check.steps),
    ...propagation(check.steps),
    ...denials(check.steps),
    ...redirects(check.steps),
  ];
}

function servedBy(steps: StepRecord[]): Figure[] {
  const served = steps.flatMap((s) => (s.served_by ? [s.served_by] : []));
  const figures: Figure[] = [];
  if (served.length > 0) {
    const text = served.join('→');
    figures.push({ name: 'served_by', text, value: text, measure: false });
  }
  const age = [...steps].reverse().find((s) => s.response?.headers['age'] !== undefined)?.response?.headers['age'];
  if (age !== undefined) {
    const value = Number(age);
    figures.push({
      name: 'age',
      text: `age ${age}`,
      value: Number.isFinite(value) ? value : String(age),
      measure: true,
    });
  }
  return figures;
}

function tls(steps: StepRecord[]): Figure[] {
  const handshakes = steps.flatMap((s) => s.tls?.endpoints ?? []).map((e) => e.handshake);
  if (handshakes.length === 0) return [];
  const protocols = [...new Set(handshakes.map((h) => (h.ok ? (h.protocol ?? 'unknown') : 'no handshake')))].sort();
  const text = protocols.join(', ');
  const figures: Figure[] = [{ name: 'tls_protocol', text, value: text, measure: false }];
  const days = handshakes.flatMap((h) => (h.certificate ? [h.certificate.days_left] : []));
  if (days.length > 0) {
    const least = Math.min(...days);
    figures.push({ name: 'days_left', text: `${least} days left`, value: least, measure: true });
  }
  return figures;
}

function propagation(steps: StepRecord[]): Figure[] {
  const spread = [...steps].reverse().find((s) => s.poll?.propagation)?.poll?.propagation;
  if (!spread) return [];
  const p95 = spread.p95 === null ? 'never' : `${spread.p95} ms`;
  const figures: Figure[] = [{ name: 'propagation_p95', text: `p95 ${p95}`, value: spread.p95, measure: true }];
  if (spread.slowest)
    figures.push({ name: 'slowest_edge', text: `slowest ${spread.slowest}`, value: spread.slowest, measure: true });
  return figures;
}

/** Every step and the requests of each_hostname / each_edge steps. */
function allSteps(steps: StepRecord[]): StepRecord[] {
  return steps.flatMap((s) => [s, ...allSteps(s.each ?? [])]);
}

function denials(steps: StepRecord[]): Figure[] {
  const codes = [...new Set(allSteps(steps).flatMap((s) => (s.denial ? [s.denial.code] : [])))];
  if (codes.length === 0) return [];
  const text = `denied ${codes.join(', ')}`;
  return [{ name: 'denial', text, value: codes.join(', '), measure: false }];
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** The redirects followed, or the redirect answers given, as their statuses. */
function redirects(steps: StepRecord[]): Figure[] {
  const statuses = allSteps(steps).flatMap((s) =>
    s.redirects && s.redirects.length > 0
      ? [s.redirects.map((h) => h.status).join('→')]
      : s.response && REDIRECT_STATUSES.has(s.response.status)
        ? [String(s.response.status)]
        : [],
  );
  if (statuses.length === 0) return [];
  const value = [...new Set(statuses)].join(', ');
  return [{ name: 'redirects', text: `redirects ${value}`, value, measure: false }];
}
