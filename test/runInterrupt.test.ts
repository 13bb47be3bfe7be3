// An interrupted run: SIGTERM (or SIGINT) during `run` stops the checks and the
// lab, writes the record of the checks that finished marked partial, and exits
// 143 (130); no lab process outlives edgecheck.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import t from 'tap';
import type { RunRecord } from '../harness/record.js';
import { realEdges } from '../lab/realEdges/index.js';
import { binPath } from './support/cli.js';
import { realEdgeInstalled } from './support/realEdgeInstalled.js';

const suitesDir = resolve(import.meta.dirname, '..', 'suites');

/** Starts `run`, waits until some checks have finished, sends the signal; returns the exit code and the record. */
async function interrupted(
  lab: string,
  signal: NodeJS.Signals,
): Promise<{ code: number | null; record: RunRecord; labPids: number[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'edgecheck-interrupt-'));
  writeFileSync(join(dir, 'targets.yaml'), `targets:\n  t: { lab: ${lab} }\n`);
  const child = spawn(
    process.execPath,
    [binPath, 'run', '--target', 't', '--suite', 'caching', '--suites-dir', suitesDir, '--reporter', 'dot,json'],
    { cwd: dir, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let seen = '';
  child.stdout.on('data', (d: Buffer) => (seen += d.toString()));
  child.stderr.on('data', () => undefined);
  // the dot reporter prints one mark per finished check: a few have finished, the slow ones are still running
  const deadline = Date.now() + 30_000;
  while (!/[·Ff-]{3}/u.test(seen) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  // the programs the lab started: edgecheck's own children
  const labPids = spawnSync('pgrep', ['-P', String(child.pid)], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter(Boolean)
    .map(Number);
  child.kill(signal);
  const [code] = (await once(child, 'exit')) as [number | null];
  const record = JSON.parse(readFileSync(join(dir, 'edgecheck-results', 'run.json'), 'utf8')) as RunRecord;
  return { code, record, labPids };
}

t.test(
  'SIGTERM during run --target nginx: a partial record, exit 143, no nginx left',
  { timeout: 90_000 },
  async (t) => {
    if (!realEdgeInstalled(t, realEdges.nginx)) return;
    const { code, record, labPids } = await interrupted('nginx', 'SIGTERM');
    t.equal(code, 143, 'exit 143');
    t.match(record.partial, { reason: 'SIGTERM', checks_not_run: Number }, 'marked partial');
    t.ok(record.partial!.checks_not_run > 0, 'some checks never ran or were cut short');
    t.ok(record.checks.length > 0, 'the checks that finished are in it');
    for (const c of record.checks) t.notMatch(c.reason ?? '', /SIGTERM|aborted/, `${c.id} has a verdict of its own`);
    t.ok(labPids.length > 0, `the lab ran as edgecheck's children (${labPids.join(', ')})`);
    const alive = labPids.filter((pid) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    });
    t.same(alive, [], 'none of them outlives edgecheck');
  },
);

t.test('SIGINT during run against the reference lab: exit 130, partial', { timeout: 90_000 }, async (t) => {
  const { code, record } = await interrupted('reference', 'SIGINT');
  t.equal(code, 130, 'exit 130');
  t.equal(record.partial?.reason, 'SIGINT');
  t.equal(record.summary.passed + record.summary.failed + record.summary.skipped, record.checks.length);
});
