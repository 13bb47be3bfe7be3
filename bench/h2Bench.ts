// `npm run bench -- --h2`: h2load (Debian's nghttp2-client) and the h2 bees
// against the same lab edge, the same connections and streams per
// connection, one after the other; prints each one's throughput and CPU
// (requests per CPU-second) and a last line `ratio_vs_h2load=<x> rss_mb=<y>`.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NamedTarget } from '../harness/config/load.js';
import { ConfigError } from '../harness/errors.js';
import type { OpenTarget } from '../harness/target/openTarget.js';
import { loadPlan } from '../load/loadPlan.js';
import { runSurge } from '../load/runSurge.js';
import { cpuNote } from './benchOutput.js';
import { ownCpuSeconds } from './cpuTime.js';
import { cachedBenchPath } from './cachedBenchPath.js';
import { runTool as tool } from './runTool.js';

const H2LOAD = '/usr/bin/h2load';

export interface H2BenchOptions {
  named: NamedTarget;
  target: OpenTarget;
  connections: number;
  /** concurrent streams per connection, for both */
  streams: number;
  seconds: number;
  bees: number;
  /** h2load's native threads */
  threads: number;
  body: string;
  say(line: string): void;
}

/** requests per second from h2load's "finished in 15.00s, 41234.56 req/s, ..." */
export function h2loadRps(output: string): number | undefined {
  const m = /^finished in [\d.]+m?s, ([\d.]+) req\/s/m.exec(output);
  return m ? Number(m[1]) : undefined;
}

/** the protocol h2load negotiated ("Application protocol: h2") */
export function h2loadProtocol(output: string): string | undefined {
  return /^Application protocol: (\S+)/m.exec(output)?.[1];
}

export function h2SummaryLine(h2load: number | undefined, surge: number, rssMb: number): string {
  return `ratio_vs_h2load=${h2load ? (surge / h2load).toFixed(2) : 'n/a'} rss_mb=${rssMb.toFixed(1)}`;
}

export async function benchH2(o: H2BenchOptions): Promise<void> {
  const { target, say } = o;
  if (target.url.protocol !== 'https:')
    throw new ConfigError(`bench --h2: target '${o.named.name}' is not HTTPS; h2 is negotiated over TLS (ALPN)`);
  const { path, address, clear } = await cachedBenchPath(o.named, target, 'bench-h2', o.body);
  say(
    `bench --h2: target ${o.named.name} (${target.url.href} via ${address}), ` +
      `${o.connections} connections x ${o.streams} streams, ${o.seconds}s each`,
  );

  let h2load: number | undefined;
  if (existsSync(H2LOAD)) {
    const run = await tool(H2LOAD, [
      `-c${o.connections}`,
      `-m${o.streams}`,
      `-t${Math.min(o.threads, o.connections)}`,
      `-D${o.seconds}`,
      `--connect-to=${address}:${target.url.port}`,
      new URL(path, target.url).href,
    ]);
    h2load = h2loadRps(run.stdout);
    const result =
      h2load === undefined
        ? `failed: ${(run.stderr || run.stdout).trim().split('\n').slice(-3).join(' / ')}`
        : `${h2load.toFixed(1)} req/s (${h2loadProtocol(run.stdout) ?? '?'}, ` +
          `${Math.min(o.threads, o.connections)} threads ${cpuNote(h2load, run.cpuSeconds, o.seconds)})`;
    say(`h2load:     ${result}`);
  } else {
    say(`h2load:     not installed (${H2LOAD}; apt-get install nghttp2-client)`);
  }
  await clear();

  const dir = mkdtempSync(join(tmpdir(), 'edgecheck-bench-h2-'));
  const planFile = join(dir, 'bench-h2.yaml');
  writeFileSync(
    planFile,
    'surge: bench-h2\nmodel: closed\nprotocol: h2\n' +
      `streams: ${o.streams}\nphases:\n  - { hold: { connections: ${o.connections}, for: ${o.seconds}s } }\n` +
      `paths: [/index.html]\nbees: ${o.bees}\n` +
      `object: { headers: { Cache-Control: max-age=600 }, body: ${JSON.stringify(o.body)} }\nprime: true\n`,
  );
  const cpuBefore = ownCpuSeconds();
  const surge = await runSurge({
    plan: loadPlan(planFile),
    named: o.named,
    target,
    runId: `bench-h2-${Date.now().toString(36)}`,
  });
  const surgeCpu = ownCpuSeconds() - cpuBefore;
  const { totals } = surge;
  const alpn = surge.connection_totals?.alpn ?? {};
  const errorKinds = totals.errors ? ` ${JSON.stringify(totals.errors_by_kind)}` : '';
  say(
    `edgecheck:  ${totals.rps.toFixed(1)} req/s (h2 bees: ${o.bees} ${cpuNote(totals.rps, surgeCpu, o.seconds)}, ` +
      `connections by ALPN ${JSON.stringify(alpn)}; p99 ${totals.latency_ms?.p99 ?? '-'} ms, ` +
      `errors ${totals.errors}${errorKinds}), peak RSS ${(surge.peak_rss_mb ?? 0).toFixed(1)} MB`,
  );
  for (const note of surge.notes) say(`  note: ${note}`);
  say(h2SummaryLine(h2load, totals.rps, surge.peak_rss_mb ?? 0));
}
