// Why a check cannot run against a target: what it needs (declared in `needs`
// or implied by what it uses) that the target lacks. A reason, never a failure.
import type { Check } from '../config/suiteSchema.js';
import { stepKindOf } from '../steps/index.js';
import type { OpenTarget } from '../target/openTarget.js';

/**
 * `assumed`: needs to count as met whatever the target says — for a target
 * not yet complete (an imported one, before its probe origin and signing key
 * are added), so the reasons left are the ones its configuration gives.
 */
export function missingNeed(
  check: Check,
  target: OpenTarget,
  assumed: ReadonlySet<string> = new Set(),
): string | undefined {
  const needs = new Set(check.needs ?? []);
  if (check.object || check.objects) needs.add('origin');
  for (const step of check.steps) for (const need of stepKindOf(step).needs(step)) needs.add(need);
  for (const need of needs) {
    if (assumed.has(need)) continue;
    const reason = lacks(need, target);
    if (reason) return reason;
  }
  for (const step of check.steps) {
    const reason = stepKindOf(step).unmet(step, target);
    if (reason) return reason;
  }
  return undefined;
}

function lacks(need: string, target: OpenTarget): string | undefined {
  const t = target.config;
  if (need === 'origin' && !target.origin) {
    return `needs the probe origin's control channel; target '${target.name}' declares no origin.control`;
  }
  if (need === 'invalidation' && !target.invalidation)
    return `needs an invalidation provider; target '${target.name}' declares no invalidation`;
  if (need === 'signing' && !target.signing) return `needs URL signing; target '${target.name}' declares no signing`;
  if (need === 'surge' && !t.surge?.allowed) return `needs surge.allowed: true on target '${target.name}'`;
  if (need === 'tls' && target.url.protocol !== 'https:')
    return `needs an https:// target; target '${target.name}' is ${target.url.protocol}//`;
  if (need.startsWith('route:')) {
    const name = need.slice('route:'.length);
    if (!target.routes[name]) return `needs route '${name}'; target '${target.name}' declares no such route`;
  }
  return undefined;
}
