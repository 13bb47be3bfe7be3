// The visitors model in the k6 script: one iteration is one visit, and
// `noVUConnectionReuse` gives each iteration a new connection (keep-alive
// within it, as a visitor's browser does), so the arrival rate of iterations
// is the plan's new visitors per second. The requests per visit and think
// times are drawn as the local bees draw them (load/visitPlan.ts). k6 has no
// option to offer an earlier visit's TLS session: the plan's `resume` share is not reproduced.
import type { SurgePlan } from '../plan.js';

/** The constants and functions a visitors script adds; empty for the other models. */
export function k6VisitLines(plan: SurgePlan): string[] {
  const visit = plan.visit;
  if (!visit) return [];
  const q = (v: unknown) => JSON.stringify(v);
  const r = visit.requests;
  const draw =
    r.kind === 'fixed'
      ? `  return ${r.n};`
      : r.kind === 'uniform'
        ? `  return ${r.min} + Math.floor(Math.random() * ${r.max - r.min + 1});`
        : [
            `  const weights: number[] = ${q(r.weights)};`,
            '  let pick = Math.random() * weights.reduce((a, b) => a + b, 0);',
            '  for (let i = 0; i < weights.length; i++) {',
            '    if (pick < weights[i]!) return i + 1;',
            '    pick -= weights[i]!;',
            '  }',
            '  return weights.length;',
          ].join('\n');
  return [
    '/** requests in this visit, drawn as the plan says */',
    'function requestsThisVisit(): number {',
    draw,
    '}',
    '',
    "/** seconds of think time before a visit's next request */",
    'function thinkSeconds(): number {',
    `  return (${visit.thinkMs.min} + Math.random() * ${visit.thinkMs.max - visit.thinkMs.min}) / 1000;`,
    '}',
    '',
  ];
}

/** The default function's body for a visitors plan: a visit's requests, think time between. */
export function k6VisitBody(): string[] {
  return [
    '  const requests = requestsThisVisit();',
    '  for (let i = 0; i < requests; i++) {',
    '    if (i > 0) sleep(thinkSeconds());',
    '    fire(REQUESTS[(exec.scenario.iterationInTest + i) % REQUESTS.length]!);',
    '  }',
  ];
}
