// `npm run bench -- --handshakes`: `openssl s_time` and the visitors bees
// against the same lab edge, new connections then resumed ones, each a
// handshake and one GET of a cached 1 KB object; prints each one's handshakes
// per second and per CPU-second and a last line
// `handshake_ratio_full=<x> handshake_ratio_resumed=<y>` (bees / s_time, per CPU-second).
// s_time opens one connection at a time as fast as it can; the bees hold a
// planned rate of visitors, so the two are compared by CPU spent per handshake.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NamedTarget } from '../harness/config/load.js';
import { ConfigError } from '../harness/errors.js';
import type { BeeConnectionStats } from '../harness/surgeRecord.js';
import type { OpenTarget } from '../harness/target/openTarget.js';
import { loadPlan } from '../load/loadPlan.js';
import { runSurge } from '../load/runSurge.js';
import { ownCpuSeconds } from './cpuTime.js';
import { cachedBenchPath } from './cachedBenchPath.js';
import { runTool as tool } from './runTool.js';

const OPENSSL = '/usr/bin/openssl';

export interface HandshakeBenchOptions {
  named: NamedTarget;
  target: OpenTarget;
  /** the bees' planned new visitors per second */
  visitors: number;
  seconds: number;
  bees: number;
  body: string;
  say(line: string): void;
}

/** connections from s_time's "1234 connections in 10.01s; 123.28 connections/user sec, ..." */
export function sTimeConnections(output: string): number | undefined {
  const m = /^(\d+) connections in [\d.]+s;/m.exec(output);
  return m ? Number(m[1]) : undefined;
}

export async function benchHandshakes(o: HandshakeBenchOptions): Promise<void> {
  const { target, say } = o;
  if (target.url.protocol !== 'https:')
    throw new ConfigError(`bench --handshakes: target '${o.named.name}' is not HTTPS`);
  const { path, address, clear } = await cachedBenchPath(o.named, target, 'bench-hs', o.body);
  say(
    `bench --handshakes: target ${o.named.name} (${target.url.href} via ${address}), ` +
      `s_time as fast as one connection at a time goes, the bees at ${o.visitors} visitors/s, ${o.seconds}s each`,
  );

  const ratios: Record<'full' | 'resumed', string> = { full: 'n/a', resumed: 'n/a' };
  for (const kind of ['full', 'resumed'] as const) {
    let sTimePerCpu: number | undefined;
    if (existsSync(OPENSSL)) {
      const run = await tool(OPENSSL, [
        's_time',
        '-connect',
        `${address}:${target.url.port}`,
        kind === 'full' ? '-new' : '-reuse',
        '-time',
        String(o.seconds),
        '-www',
        path,
      ]);
      const n = sTimeConnections(run.stdout);
      sTimePerCpu = n !== undefined && run.cpuSeconds ? n / run.cpuSeconds : undefined;
      say(
        `s_time ${kind.padEnd(8)} ${
          n === undefined
            ? `failed: ${(run.stderr || run.stdout).trim().split('\n').slice(-2).join(' / ')}`
            : `${(n / o.seconds).toFixed(1)} handshakes/s${perCpu(sTimePerCpu, run.cpuSeconds, o.seconds)}`
        }`,
      );
    } else {
      say(`s_time:    not installed (${OPENSSL})`);
    }

    const dir = mkdtempSync(join(tmpdir(), 'edgecheck-bench-hs-'));
    const planFile = join(dir, 'bench-handshakes.yaml');
    writeFileSync(
      planFile,
      'surge: bench-handshakes\nmodel: visitors\n' +
        `phases:\n  - { hold: { visitors: ${o.visitors}, for: ${o.seconds}s } }\n` +
        `paths: [/index.html]\nbees: ${o.bees}\nvisit: { requests: 1, resume: ${kind === 'full' ? 0 : 1} }\n` +
        `object: { headers: { Cache-Control: max-age=600 }, body: ${JSON.stringify(o.body)} }\nprime: true\n`,
    );
    const cpuBefore = ownCpuSeconds();
    const surge = await runSurge({
      plan: loadPlan(planFile),
      named: o.named,
      target,
      runId: `bench-hs-${Date.now().toString(36)}`,
    });
    const cpu = ownCpuSeconds() - cpuBefore;
    // the local bees measure every connection figure
    const c = surge.connection_totals as BeeConnectionStats | undefined;
    const handshakes = kind === 'full' ? (c?.full.count ?? 0) : (c?.resumed.count ?? 0);
    const beesPerCpu = cpu > 0 ? (c?.handshakes ?? 0) / cpu : undefined;
    say(
      `bees   ${kind.padEnd(8)} ${(c?.handshakes_per_s ?? 0).toFixed(1)} handshakes/s (${handshakes} ${kind}, ` +
        `${c?.handshakes ?? 0} in all; p99 ${c?.[kind].latency_ms?.p99 ?? '-'} ms)` +
        perCpu(beesPerCpu, cpu, o.seconds),
    );
    if (sTimePerCpu && beesPerCpu) ratios[kind] = (beesPerCpu / sTimePerCpu).toFixed(2);
  }
  await clear();
  say(`handshake_ratio_full=${ratios.full} handshake_ratio_resumed=${ratios.resumed}`);
}

function perCpu(perCpuSecond: number | undefined, cpuSeconds: number | undefined, seconds: number): string {
  if (perCpuSecond === undefined || !cpuSeconds) return '';
  return ` on ${(cpuSeconds / seconds).toFixed(2)} cores, ${perCpuSecond.toFixed(0)} handshakes per CPU-second`;
}
