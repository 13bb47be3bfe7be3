// Generator honesty through the CLI against the lab nginx: a surge pushed far
// past what one bee can send on this machine is judged inconclusive (exit 4),
// naming the phase where the bees were the bottleneck, not breached; a surge
// the bee can sustain is judged as before (a real breach still exits 1).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import t from 'tap';
import type { RunRecord } from '../harness/record.js';
import { realEdges } from '../lab/realEdges/index.js';
import { targetsFile } from './support/labRun.js';
import { realEdgeInstalled } from './support/realEdgeInstalled.js';

const root = resolve(import.meta.dirname, '..');
const cli = join(root, 'bin', 'edgecheck.js');
const built = existsSync(join(root, 'dist', 'cli', 'main.js'));
const dir = mkdtempSync(join(tmpdir(), 'edgecheck-generator-'));
const targets = targetsFile(`targets:
  nginx:
    lab: nginx
    surge: { allowed: true, max_duration: 30s, max_requests: 1000000 }
`);

function edgecheck(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [cli, ...args], { cwd: dir, env: { ...process.env, CI: '1', NO_COLOR: '1' } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

async function surge(name: string, plan: string): Promise<{ code: number | null; stdout: string; record: RunRecord }> {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, plan);
  const out = join(dir, name);
  const run = await edgecheck(['surge', '--plan', file, '--targets', targets, '--target', 'nginx', '--out', out]);
  t.comment(run.stderr.trim());
  return { ...run, record: JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as RunRecord };
}

const needsBuild = built ? false : 'the CLI runs from dist/: npm run build first (npm test does)';

t.test('a surge the bee sustains is judged as before: a real breach exits 1', { skip: needsBuild }, async (t) => {
  if (!realEdgeInstalled(t, realEdges.nginx)) return;
  // a cold path: its first request reaches the origin, so origin_rps <= 0 is breached by the edge, not the bee
  const run = await surge(
    'modest',
    'surge: modest\nphases:\n  - { hold: { rps: 40, for: 2s } }\npaths: [/cold]\nbees: 1\n' +
      'thresholds: { origin_rps: 0, p99: 5s, errors: 1% }\n',
  );
  t.equal(run.code, 1, `exit 1:\n${run.stdout}`);
  t.match(run.stdout, /verdict: breached \(origin_rps\)/);
  const phase = run.record.surge!.phases[0]!;
  t.equal(run.record.surge!.verdict, 'breached');
  t.same(
    phase.thresholds.map((x) => `${x.threshold}:${x.verdict}`),
    ['p99:held', 'errors:held', 'origin_rps:breached'],
  );
  t.type(phase.generator_limited, 'boolean', 'every phase says whether the bees were saturated');
  t.ok(phase.generator!.busy_pct < 90, `at 40 rps the bee is far from busy (${phase.generator!.busy_pct}%)`);
  t.equal(phase.generator!.arrivals, phase.sent, 'every open-model send is an arrival the bee timed');
  t.ok(run.record.surge!.timeline.every((s) => s.generator !== undefined && typeof s.generator_limited === 'boolean'));
});

t.test(
  'a surge far past what one bee can send is inconclusive, naming the phase (exit 4)',
  { skip: needsBuild },
  async (t) => {
    if (!realEdgeInstalled(t, realEdges.nginx)) return;
    // 100,000 rps from one bee: several times what a core sends (npm run bench), three seconds at most
    const run = await surge(
      'beyond',
      'surge: beyond\nphases:\n  - { hold: { rps: 100000, for: 3s } }\npaths: [/index.html]\nbees: 1\n' +
        'connections: 50\nprime: true\nthresholds: { p99: 250ms, min_rps: 95%, origin_rps: 1000 }\n',
    );
    t.equal(run.code, 4, `exit 4:\n${run.stdout}`);
    t.match(run.stdout, /verdict: inconclusive: the bees were the bottleneck in phase 1 hold 100000 rps for 3s \(/);
    t.notMatch(run.stdout, /verdict: breached/);
    const s = run.record.surge!;
    t.equal(s.verdict, 'inconclusive');
    const phase = s.phases[0]!;
    t.equal(phase.generator_limited, true);
    t.ok(phase.generator!.saturated_by.length > 0, `saturated by ${phase.generator!.saturated_by.join(', ')}`);
    const minRps = s.thresholds.find((x) => x.threshold === 'min_rps')!;
    t.equal(minRps.verdict, 'inconclusive', 'the rate the bee could not send does not fail the edge');
    t.same(minRps.breached_in, []);
    t.same(minRps.inconclusive_in, [0]);
    t.equal(
      s.thresholds.find((x) => x.threshold === 'origin_rps')!.verdict,
      'held',
      'what the edge did is still judged',
    );
    t.ok(
      s.timeline.some((x) => x.generator_limited),
      'the seconds where the bee was saturated are marked too',
    );
    t.match(run.stdout, /planned requests were never sent: the bees were saturated/, 'the backlog is put on the bees');
  },
);
