// Surge plans: what loads, what is refused and where (file:line:col, exit 2),
// and the safety limits a target puts on a plan.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { formatConfigError } from '../cli/formatError.js';
import { loadTargets, selectTarget } from '../harness/config/load.js';
import { ConfigError } from '../harness/errors.js';
import { surgeLimits } from '../load/limits.js';
import { loadPlan } from '../load/loadPlan.js';
import { listPlans, resolvePlanFile } from '../load/planFiles.js';
import { suitesDir } from './support/labRun.js';
import { labEdges } from '../lab/labs.js';

const dir = mkdtempSync(join(tmpdir(), 'edgecheck-plan-'));
let n = 0;
function planFile(yaml: string): string {
  const file = join(dir, `plan-${n++}.yaml`);
  writeFileSync(file, yaml);
  return file;
}

function refusal(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

const PATHS = 'paths: [/a]\n';

t.test('the shipped plans load', async (t) => {
  const launch = loadPlan(join(suitesDir, 'surge.yaml'));
  t.equal(launch.name, 'launch-day');
  t.equal(launch.model, 'open');
  t.same(
    launch.phases.map((p) => [p.kind, p.from, p.to, p.durationMs]),
    [
      ['ramp', 0, 100, 10_000],
      ['hold', 100, 100, 20_000],
      ['ramp', 100, 1400, 5_000],
      ['hold', 1400, 1400, 30_000],
    ],
    '14x of baseline_rps 100 is 1400',
  );
  t.equal(launch.peak, 1400);
  t.equal(launch.connections, 140, 'one connection per 10 planned rps by default');
  t.same(
    launch.paths.map((p) => [p.path, p.weight]),
    [
      ['/index.html', 8],
      ['/app.js', 2],
    ],
  );
  t.same(
    launch.thresholds.map((l) => [l.name, l.value]),
    [
      ['p99', 250],
      ['errors', 0.001],
      ['cache_hit_ratio', 0.95],
      ['origin_rps', 50],
      ['min_rps', 0.95],
    ],
  );
  const smoke = loadPlan(join(suitesDir, 'surge-smoke.yaml'));
  t.ok(smoke.durationMs <= 10_000, 'the smoke plan takes seconds');
});

t.test('plans are found by file name or by their surge: name', async (t) => {
  t.equal(resolvePlanFile('surge-smoke', suitesDir), join(suitesDir, 'surge-smoke.yaml'));
  t.equal(resolvePlanFile('launch-day', suitesDir), join(suitesDir, 'surge.yaml'));
  t.ok(listPlans(suitesDir).some((p) => p.name === 'launch-day'));
  const err = refusal(() => resolvePlanFile('lunch-day', suitesDir));
  t.match(err.message, /no such surge plan.*did you mean 'launch-day'/);
});

t.test('defaults, phase overrides and the closed model', async (t) => {
  const plan = loadPlan(
    planFile(`surge: tiny
phases:
  - { hold: { rps: 20, for: 2s } }
  - { spike: { rps: 60, for: 500ms }, thresholds: { p99: 1s } }
  - { hold: { for: 1 } }
paths: [/a, { path: /b, weight: 3, headers: { Accept-Encoding: gzip } }]
thresholds: { p99: 100ms, p50: 10ms }
`),
  );
  t.equal(plan.model, 'open');
  t.equal(plan.timeoutMs, 10_000);
  t.equal(plan.prime, false);
  t.ok(plan.bees >= 1 && plan.bees <= 4);
  t.same(
    plan.phases.map((p) => p.to),
    [20, 60, 60],
    'a hold without a rate keeps the level',
  );
  t.same(
    plan.phases.map((p) => p.startMs),
    [0, 2000, 2500],
  );
  t.same(
    plan.phases[1]!.thresholds.map((l) => [l.name, l.value]),
    [
      ['p50', 10],
      ['p99', 1000],
    ],
    'a phase overrides one threshold, keeps the rest',
  );
  t.same(plan.paths[1]!.headers, { 'accept-encoding': 'gzip' });
  t.equal(plan.paths[0]!.object.headers?.['Cache-Control'], 'max-age=60', 'a default object the cache may keep');

  const closed = loadPlan(
    planFile(
      'surge: c\nmodel: closed\nphases:\n' +
        '  - { ramp: { to: 8, over: 2s } }\n  - { hold: { connections: 8, for: 2s } }\n' +
        `${PATHS}bees: 2\n`,
    ),
  );
  t.equal(closed.connections, 8, 'closed: the pool is the peak');
  t.equal(closed.bees, 2);
});

t.test('plan errors point at file:line:col', async (t) => {
  const cases: Array<[string, string, RegExp, number, number]> = [
    [
      'an unknown key',
      `surge: x\nphases:\n  - { hold: { rps: 10, for: 1s, forr: 2s } }\n${PATHS}`,
      /unknown key 'forr'/,
      3,
      33,
    ],
    [
      'a closed plan given rps',
      `surge: x\nmodel: closed\nphases:\n  - { hold: { rps: 10, for: 1s } }\n${PATHS}`,
      /closed-model plan gives phases in connections/,
      4,
      20,
    ],
    [
      'a multiple without a baseline',
      `surge: x\nphases:\n  - { ramp: { to: 14x, over: 5s } }\n${PATHS}`,
      /multiple of baseline_rps, but the plan sets no baseline_rps/,
      3,
      19,
    ],
    [
      'a target_rps the phases miss',
      `surge: x\ntarget_rps: 1400\nphases:\n  - { hold: { rps: 1300, for: 1s } }\n${PATHS}`,
      /target_rps is 1400 but the phases peak at 1300/,
      2,
      13,
    ],
    ['a ramp over nothing', `surge: x\nphases:\n  - { ramp: { to: 10, over: 0s } }\n${PATHS}`, /longer than 0/, 3, 29],
    [
      'a ratio that is not one',
      `surge: x\nphases:\n  - { hold: { rps: 1, for: 1s } }\n${PATHS}thresholds: { errors: lots }\n`,
      /expected a ratio/,
      5,
      23,
    ],
    [
      'more bees than connections',
      `surge: x\nphases:\n  - { hold: { rps: 100, for: 1s } }\n${PATHS}bees: 4\nconnections: 2\n`,
      /2 connections cannot be shared by 4 bees/,
      6,
      14,
    ],
    [
      'a spike without a level',
      `surge: x\nphases:\n  - { spike: { for: 1s } }\n${PATHS}`,
      /a spike jumps to a level: give rps/,
      3,
      14,
    ],
    [
      'min_rps as a share in a closed plan',
      'surge: x\nmodel: closed\nphases:\n  - { hold: { connections: 2, for: 1s } }\n' +
        `${PATHS}thresholds: { min_rps: 90% }\n`,
      /min_rps as a percentage needs a planned rate/,
      4,
      5,
    ],
  ];
  for (const [what, yaml, message, line, col] of cases) {
    const file = planFile(yaml);
    const err = refusal(() => loadPlan(file));
    const problem = err.problems.find((p) => message.test(p.message));
    t.ok(problem, `${what}: ${err.problems.map((p) => p.message).join('; ')}`);
    t.same(
      [problem?.position?.file, problem?.position?.line, problem?.position?.col],
      [file, line, col],
      `${what} at ${line}:${col}`,
    );
  }
  const shown = formatConfigError(
    refusal(() => loadPlan(planFile(`surge: x\nphases:\n  - { hold: { rps: 10, for: 1s, forr: 2s } }\n${PATHS}`))),
    dir,
  );
  t.match(shown, /^plan-\d+\.yaml:3:33: error: phases\[0\]\.hold: unknown key 'forr'/);
  t.match(shown, /\|\s+\^/, 'a caret under the spot');
});

t.test("a target's surge limits", async (t) => {
  const targets = planFile(`targets:
  shy:
    lab: reference
  bounded:
    lab: reference
    surge: { allowed: true, max_rps: 100, max_duration: 3s, max_requests: 150 }
  open:
    lab: reference
    surge: { allowed: true }
`);
  const loaded = loadTargets(targets, labEdges);
  const plan = loadPlan(
    planFile(`surge: x\nphases:\n  - { ramp: { to: 200, over: 2s } }\n  - { hold: { rps: 200, for: 2s } }\n${PATHS}`),
  );

  const shy = refusal(() => surgeLimits(plan, selectTarget(loaded, 'shy')));
  t.match(shy.message, /target 'shy' does not allow surges/);
  t.same(
    [shy.problems[0]!.position?.file, shy.problems[0]!.position?.line],
    [targets, 3],
    'points at the target in targets.yaml',
  );

  const over = refusal(() => surgeLimits(plan, selectTarget(loaded, 'bounded')));
  const messages = over.problems.map((p) => p.message).join('\n');
  t.match(messages, /200 rps; target 'bounded' allows at most 100 rps \(surge\.max_rps\)/);
  t.match(messages, /lasts 4s; target 'bounded' allows at most 3s/);
  t.match(messages, /sends 600 requests; target 'bounded' allows at most 150/);
  t.equal(
    over.problems.find((p) => /max_rps/.test(p.message))?.position?.line,
    3,
    'at the phase that reaches the peak',
  );

  const limits = surgeLimits(plan, selectTarget(loaded, 'open'));
  t.same(
    limits,
    { max_duration_ms: 600_000, max_requests: 1_000_000 },
    'allowed without limits: bounded by the defaults',
  );
});
