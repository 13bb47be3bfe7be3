// The visitors model's part of loading a plan: the `visit:` block checked
// (min not above max, some weight above 0, resume at most 100%) and turned
// into a VisitPlan, and how many visits may be open at once by default.
import { parseDuration } from '../harness/config/duration.js';
import type { YamlPath } from '../harness/config/yamlSource.js';
import type { VisitEntry } from './planSchema.js';
import { meanRequests, type RequestsPerVisit, type VisitPlan } from './visitPlan.js';

type Fail = (path: YamlPath, message: string) => void;

/** allowance for a handshake and for each response, in the default cap on open visits */
const EXPECTED_EXCHANGE_MS = 250;
/** the default cap is this many times the visits a steady edge keeps open at the peak */
const OPEN_VISITS_HEADROOM = 4;
const MIN_DEFAULT_OPEN_VISITS = 100;
const MAX_DEFAULT_OPEN_VISITS = 10_000;

export function loadVisit(entry: VisitEntry | undefined, fail: Fail): VisitPlan {
  const at = (...rest: Array<string | number>): YamlPath => ['visit', ...rest];
  const r = entry?.requests ?? 1;
  let requests: RequestsPerVisit;
  if (typeof r === 'number') requests = { kind: 'fixed', n: r };
  else if ('weights' in r) {
    if (!r.weights.some((w) => w > 0)) fail(at('requests', 'weights'), 'expected at least one weight above 0');
    requests = r.weights.some((w) => w > 0) ? { kind: 'weights', weights: r.weights } : { kind: 'fixed', n: 1 };
  } else {
    if (r.min > r.max) fail(at('requests', 'max'), `max (${r.max}) is below min (${r.min})`);
    requests = { kind: 'uniform', min: r.min, max: Math.max(r.min, r.max) };
  }

  const think = entry?.think ?? 0;
  const ms = (v: number | string) => parseDuration(v) ?? 0;
  const thinkMs =
    typeof think === 'object' ? { min: ms(think.min), max: ms(think.max) } : { min: ms(think), max: ms(think) };
  if (thinkMs.min > thinkMs.max)
    fail(at('think', 'max'), `max (${String((think as { max: unknown }).max)}) is below min`);

  const resumeEntry = entry?.resume ?? 0;
  const resume = typeof resumeEntry === 'number' ? resumeEntry : parseFloat(resumeEntry) / 100;
  if (resume > 1) fail(at('resume'), `${String(resumeEntry)} is more than 100%`);

  return { requests, thinkMs: { min: thinkMs.min, max: Math.max(thinkMs.min, thinkMs.max) }, resume };
}

/**
 * Visits a bee fleet may keep open at once unless the plan says: a few times
 * what a steady edge keeps open at the peak (visitors/s x a visit's length),
 * so a slow edge may pile visits up that far, and the bees stay bounded.
 */
export function defaultOpenVisits(visit: VisitPlan, peakVisitorsPerSecond: number): number {
  const n = meanRequests(visit.requests);
  const visitMs = (n - 1) * ((visit.thinkMs.min + visit.thinkMs.max) / 2) + (n + 1) * EXPECTED_EXCHANGE_MS;
  const open = Math.ceil(peakVisitorsPerSecond * (visitMs / 1000) * OPEN_VISITS_HEADROOM);
  return Math.min(MAX_DEFAULT_OPEN_VISITS, Math.max(MIN_DEFAULT_OPEN_VISITS, open));
}
