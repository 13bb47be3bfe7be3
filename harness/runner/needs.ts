// Why a check cannot run against a target: what it needs (declared in `needs`
// or implied by what it uses) that the target lacks. A reason, never a failure.
import type { Check } from '../config/suiteSchema.js';
import type { OpenTarget } from '../target/openTarget.js';

export function missingNeed(check: Check, target: OpenTarget): string | undefined {
  const needs = new Set(check.needs ?? []);
  if (usesOrigin(check)) needs.add('origin');
  for (const step of check.steps) if ('route' in step && step.route) needs.add(`route:${step.route}`);
  for (const need of needs) {
    const reason = lacks(need, target);
    if (reason) return reason;
  }
  return undefined;
}

function usesOrigin(check: Check): boolean {
  if (check.object) return true;
  return check.steps.some(
    (s) => 'origin' in s || ('expect' in s && s.expect && (s.expect.served_by !== undefined || s.expect.origin_request !== undefined)),
  );
}

function lacks(need: string, target: OpenTarget): string | undefined {
  const t = target.config;
  if (need === 'origin' && !target.origin) {
    return `needs the probe origin's control channel; target '${target.name}' declares no origin.control`;
  }
  if (need === 'invalidation' && !t.invalidation) return `needs an invalidation provider; target '${target.name}' declares no invalidation`;
  if (need === 'signing' && !t.signing) return `needs URL signing; target '${target.name}' declares no signing`;
  if (need === 'surge' && !t.surge?.allowed) return `needs surge.allowed: true on target '${target.name}'`;
  if (need.startsWith('route:')) {
    const name = need.slice('route:'.length);
    if (!target.routes[name]) return `needs route '${name}'; target '${target.name}' declares no such route`;
  }
  return undefined;
}
