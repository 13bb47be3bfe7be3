// Real surges against the embedded reference lab, kept small: an open-model
// plan achieves its planned rate, the origin's count shows the offload, the
// CLI writes run.json with the surge section and exits by the assessment,
// refuses a target that does not allow surges, and leaves a partial record
// when interrupted.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import t from 'tap';
import { loadTargets, selectTarget } from '../harness/config/load.js';
import type { RunRecord } from '../harness/record.js';
import type { SurgeTick } from '../harness/surgeRecord.js';
import { openTarget } from '../harness/target/openTarget.js';
import { loadPlan } from '../load/loadPlan.js';
import { runSurge } from '../load/runSurge.js';
import { missionAssessment } from '../reports/mission.js';
import { progressLine } from '../reports/surgeProgress.js';
import { paint } from '../reports/terminal.js';
import { surgeRunRecord } from '../load/surgeRunRecord.js';
import { targetsFile } from './support/labRun.js';
import { labEdges } from '../lab/labs.js';

const root = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..');
const cli = join(root, 'bin', 'edgecheck.js');
const built = existsSync(join(root, 'dist', 'cli', 'main.js'));
const dir = mkdtempSync(join(tmpdir(), 'edgecheck-surge-'));
const targets = targetsFile(`targets:
  lab:
    lab: reference
    surge: { allowed: true, max_rps: 500, max_duration: 30s, max_requests: 20000 }
  shy:
    lab: reference
`);

function planFile(name: string, yaml: string): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, yaml);
  return file;
}

t.test('an open-model plan at a modest rate achieves its planned rps', async (t) => {
  const plan = loadPlan(
    planFile(
      'steady',
      `surge: steady
phases:
  - { hold: { rps: 120, for: 3s } }
paths: [{ path: /index.html, weight: 3 }, /app.js]
bees: 2
thresholds: { p99: 2s, errors: 1%, origin_rps: 1000, min_rps: 95% }
`,
    ),
  );
  const named = selectTarget(loadTargets(targets, labEdges), 'lab');
  const target = await openTarget(named, labEdges);
  const ticks: SurgeTick[] = [];
  try {
    const surge = await runSurge({ plan, named, target, runId: 'steady-test', onTick: (tick) => ticks.push(tick) });
    const phase = surge.phases[0]!;
    t.equal(phase.planned.rps, 120);
    t.ok(Math.abs(phase.rps - 120) / 120 <= 0.05, `achieved ${phase.rps} rps for 120 planned`);
    t.ok(Math.abs(phase.sent - 360) <= 2, `sent ${phase.sent} of 360 planned`);
    t.equal(phase.errors, 0);
    t.ok(phase.latency_ms && phase.latency_ms.p99 > 0);
    // a cold cache: the first request of each path per edge reaches the origin, the rest are hits
    const origin = surge.totals.cache.origin_requests!;
    t.ok(origin >= 2 && origin <= 20, `${origin} requests reached the origin`);
    t.ok(surge.totals.cache.origin_hit_ratio! > 0.9);
    t.ok(surge.totals.cache.claimed_hits > 300, 'the vendor header is read on every response');
    t.equal(surge.verdict, 'held');
    t.same(
      surge.thresholds.map((x) => x.verdict),
      ['held', 'held', 'held', 'held'],
    );
    t.ok(ticks.length >= 3, 'a tick per second');
    t.same(
      ticks.slice(0, 3).map((x) => x.second.t),
      [0, 1, 2],
    );
    const perSecond = `per second: ${ticks.map((x) => x.second.rps)}`;
    t.ok(
      ticks.slice(0, 3).every((x) => Math.abs(x.second.rps - 120) <= 12),
      perSecond,
    );
    t.equal(surge.timeline.length, ticks.length);

    const record = surgeRunRecord('steady-test', { name: 'lab', url: target.url.href }, new Date(), new Date(), surge);
    const text = missionAssessment(record, paint(false)).join('\n');
    t.match(text, /mission assessment: surge steady against lab \(open model, 2 bees/);
    t.match(text, /1 hold 120 rps for 3s +120 rps/);
    t.match(text, /✓ p99 ≤ 2s: held in every phase/);
    t.match(text, /verdict: the edge held/);
    const progress = /^steady › 1 hold 120 rps for 3s {2}2\.0s\/3\.0s {2}\d+\/120 rps {2}p99 /;
    t.match(progressLine(ticks[1]!, paint(false)), progress);
  } finally {
    await target.close();
  }
});

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs the CLI; with interruptAfterMs, sends SIGINT that long after the bees have started. */
function edgecheck(args: string[], opts: { interruptAfterMs?: number } = {}): Promise<Finished> {
  const started = Date.now();
  const child = spawn(process.execPath, [cli, ...args], { cwd: dir, env: { ...process.env, CI: '1' } });
  let stdout = '';
  let stderr = '';
  let interruptedAt = 0;
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  child.stderr.on('data', (d: Buffer) => {
    stderr += d;
    if (opts.interruptAfterMs !== undefined && !interruptedAt && /bees, .* planned/.test(stderr)) {
      interruptedAt = Date.now() + opts.interruptAfterMs;
      setTimeout(() => {
        interruptedAt = Date.now();
        child.kill('SIGINT');
      }, opts.interruptAfterMs);
    }
  });
  return new Promise((resolve) =>
    child.on('exit', (code) => resolve({ code, stdout, stderr, ms: Date.now() - (interruptedAt || started) })),
  );
}

const needsBuild = built ? false : 'the CLI runs from dist/: npm run build first (npm test does)';

t.test('the CLI: run.json with a surge section; exit 1 on a breached threshold', { skip: needsBuild }, async (t) => {
  const plan = planFile(
    'breach',
    'surge: breach\nphases:\n  - { ramp: { to: 40, over: 1s } }\n  - { hold: { rps: 40, for: 1s } }\n' +
      'paths: [/cold]\nbees: 1\nthresholds: { origin_rps: 0, errors: 1% }\n',
  );
  const out = join(dir, 'out-breach');
  const run = await edgecheck(['surge', '--plan', plan, '--targets', targets, '--target', 'lab', '--out', out]);
  t.equal(run.code, 1, `exit 1: ${run.stderr}`);
  t.match(run.stdout, /✗ origin_rps ≤ 0: breached in phase 1/, 'the cold miss reached the origin');
  t.match(run.stdout, /verdict: breached \(origin_rps\)/);
  const record = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as RunRecord;
  t.equal(record.schema, 'edgecheck.run/2');
  const surge = record.surge!;
  t.equal(surge.plan, 'breach');
  t.equal(surge.partial, false);
  t.same(
    surge.phases.map((p) => [p.planned.rps, p.thresholds.map((x) => `${x.threshold}:${x.verdict}`)]),
    [
      [20, ['errors:held', 'origin_rps:breached']],
      [40, ['errors:held', 'origin_rps:held']],
    ],
  );
  t.ok(surge.phases.every((p) => p.latency_ms !== null && p.cache.origin_rps !== undefined));
  t.ok(surge.peak_rss_mb! > 0);
});

t.test('the CLI refuses a target without surge.allowed (exit 2)', { skip: needsBuild }, async (t) => {
  const suitesDir = join(root, 'suites');
  const args = ['surge', '--plan', 'surge-smoke', '--suites-dir', suitesDir, '--targets', targets, '--target', 'shy'];
  const run = await edgecheck(args);
  t.equal(run.code, 2);
  t.match(run.stderr, /targets\.yaml:\d+:\d+: error: target 'shy' does not allow surges/);
});

t.test('SIGINT stops the bees within a second or two; a partial run record', { skip: needsBuild }, async (t) => {
  const plan = planFile(
    'long',
    'surge: long\nphases:\n  - { hold: { rps: 50, for: 20s } }\npaths: [/a]\nbees: 2\nthresholds: { p99: 5s }\n',
  );
  const out = join(dir, 'out-sigint');
  const args = ['surge', '--plan', plan, '--targets', targets, '--target', 'lab', '--out', out];
  const run = await edgecheck(args, { interruptAfterMs: 1500 });
  t.equal(run.code, 130, `exit 130: ${run.stderr}`);
  t.ok(run.ms < 2000, `exited ${run.ms} ms after SIGINT`);
  t.match(run.stderr, /SIGINT: stopping the bees/);
  const surge = (JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as RunRecord).surge!;
  t.equal(surge.partial, true);
  t.equal(surge.stop_reason, 'interrupted (SIGINT)');
  t.ok(surge.duration_ms >= 1000 && surge.duration_ms < 5000, `ran ${surge.duration_ms} ms of 20000`);
  t.ok(surge.totals.responses > 0, 'what ran is reported');
  t.match(run.stdout, /partial: interrupted \(SIGINT\)/);
});
