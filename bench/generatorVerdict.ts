// The bench's generator-honesty demonstration (issue #16): an open-model
// surge at several times what the bees just managed, a few seconds long. Past
// the bees' own limit the surge must call itself generator-limited and its
// verdict inconclusive (exit code 4), never blame the edge.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NamedTarget } from '../harness/config/load.js';
import type { SurgeRecord } from '../harness/surgeRecord.js';
import type { OpenTarget } from '../harness/target/openTarget.js';
import { describeSaturation } from '../load/generatorTally.js';
import { loadPlan } from '../load/loadPlan.js';
import { runSurge } from '../load/runSurge.js';
import { surgeExitCode } from '../load/surgeRunRecord.js';

export async function pushPastTheBees(opts: {
  named: NamedTarget;
  target: OpenTarget;
  dir: string;
  rps: number;
  seconds: number;
  connections: number;
  bees: number;
  body: string;
}): Promise<SurgeRecord> {
  const planFile = join(opts.dir, 'push.yaml');
  writeFileSync(
    planFile,
    `surge: push\nphases:\n  - { hold: { rps: ${opts.rps}, for: ${opts.seconds}s } }\n` +
      `paths: [/index.html]\nbees: ${opts.bees}\nconnections: ${opts.connections}\nprime: true\n` +
      `object: { headers: { Cache-Control: max-age=600 }, body: ${JSON.stringify(opts.body)} }\n` +
      'thresholds: { p99: 250ms, min_rps: 95% }\n',
  );
  return runSurge({
    plan: loadPlan(planFile),
    named: opts.named,
    target: opts.target,
    runId: `bench-push-${Date.now().toString(36)}`,
  });
}

/** "12000 rps planned, 9100 achieved; bees CPU 98%, ...: generator-limited; verdict inconclusive (exit 4): ..." */
export function pushSummary(s: SurgeRecord): string {
  const phase = s.phases[0]!;
  const load = phase.generator ? describeSaturation(phase.generator) : 'the bees reported no load';
  const limited = phase.generator_limited ? 'generator-limited' : 'not generator-limited';
  const verdict =
    s.verdict === 'inconclusive'
      ? `inconclusive: ${s.inconclusive_reason}`
      : s.verdict === 'held'
        ? 'held'
        : 'breached';
  return (
    `${phase.planned.rps} rps planned, ${phase.rps} achieved; bees ${load}: ${limited}; ` +
    `verdict ${verdict} (exit code ${surgeExitCode(s, false)})`
  );
}
