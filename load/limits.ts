// Safety: a surge fires only at a target whose targets.yaml entry says
// `surge: {allowed: true}`, and never past its max_rps, max_duration or
// max_requests. A plan that would cross a limit is refused before any bee
// hatches (exit 2), pointing at the line that crosses it.
import { parseDuration } from '../harness/config/duration.js';
import type { NamedTarget } from '../harness/config/load.js';
import { yamlPathText } from '../harness/config/validate.js';
import { positionOf, readYamlFile, type YamlPath } from '../harness/config/yamlSource.js';
import { ConfigError, type ConfigProblem, type SourcePosition } from '../harness/errors.js';
import type { SurgePlan } from './plan.js';
import { Schedule } from './schedule.js';
import { meanRequests } from './visitPlan.js';

/** bounds for a target that allows surges but names no limit */
export const DEFAULT_MAX_DURATION_MS = 10 * 60_000;
export const DEFAULT_MAX_REQUESTS = 1_000_000;

export interface SurgeLimits {
  max_rps?: number;
  max_duration_ms: number;
  max_requests: number;
}

export function surgeLimits(plan: SurgePlan, target: NamedTarget): SurgeLimits {
  const surge = target.config.surge;
  if (surge?.allowed !== true) {
    throw new ConfigError([
      {
        message:
          `target '${target.name}' does not allow surges: ` +
          `add surge: { allowed: true, max_rps: ..., max_duration: ... } to it in ${target.file}`,
        position: targetPosition(target, surge ? ['surge', 'allowed'] : []),
      },
    ]);
  }
  const limits: SurgeLimits = {
    ...(surge.max_rps !== undefined ? { max_rps: surge.max_rps } : {}),
    max_duration_ms:
      surge.max_duration !== undefined
        ? (parseDuration(surge.max_duration) ?? DEFAULT_MAX_DURATION_MS)
        : DEFAULT_MAX_DURATION_MS,
    max_requests: surge.max_requests ?? DEFAULT_MAX_REQUESTS,
  };
  const problems: ConfigProblem[] = [];
  const over = (path: YamlPath, message: string) =>
    problems.push({ message: `${yamlPathText(path)}: ${message}`, position: plan.where(path) });
  const of = `target '${target.name}' allows`;
  if (plan.durationMs > limits.max_duration_ms) {
    over(
      ['phases'],
      `the plan lasts ${seconds(plan.durationMs)}; ` +
        `${of} at most ${seconds(limits.max_duration_ms)} (surge.max_duration)`,
    );
  }
  if (plan.model === 'open') {
    const peakPhase = plan.phases.find((p) => Math.max(p.from, p.to) === plan.peak)!;
    if (limits.max_rps !== undefined && plan.peak > limits.max_rps) {
      over(
        ['phases', peakPhase.index, peakPhase.kind],
        `${plan.peak} rps; ${of} at most ${limits.max_rps} rps (surge.max_rps)`,
      );
    }
    const planned = Math.ceil(new Schedule(plan.phases).plannedTotal);
    if (planned > limits.max_requests)
      over(['phases'], `the plan sends ${planned} requests; ${of} at most ${limits.max_requests} (surge.max_requests)`);
  }
  if (plan.visit) {
    // at a steady level, visitors/s x requests per visit is the request rate (Little's law)
    const perVisit = meanRequests(plan.visit.requests);
    const peakPhase = plan.phases.find((p) => Math.max(p.from, p.to) === plan.peak)!;
    const peakRps = plan.peak * perVisit;
    if (limits.max_rps !== undefined && peakRps > limits.max_rps) {
      over(
        ['phases', peakPhase.index, peakPhase.kind],
        `${plan.peak} visitors/s x ${perVisit} requests per visit = ${peakRps} rps; ` +
          `${of} at most ${limits.max_rps} rps (surge.max_rps)`,
      );
    }
    const planned = Math.ceil(new Schedule(plan.phases).plannedTotal * perVisit);
    if (planned > limits.max_requests)
      over(
        ['phases'],
        `the plan sends about ${planned} requests; ${of} at most ${limits.max_requests} (surge.max_requests)`,
      );
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return limits;
}

function targetPosition(target: NamedTarget, rest: YamlPath): SourcePosition | undefined {
  try {
    return positionOf(readYamlFile(target.file), ['targets', target.name, ...rest]);
  } catch {
    return undefined;
  }
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10}s`;
}
