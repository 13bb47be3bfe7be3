// The bench's memory check on the probe origin (issue #16): the standalone
// origin (`edgecheck origin`, a process of its own so its RSS is its own)
// takes a surge straight at it — every request reaches it, under one check
// key — and its resident set after 10 s is compared with the end's. Counting
// arrivals per second keeps it flat however long the surge.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { NamedTarget } from '../harness/config/load.js';
import { openTarget } from '../harness/target/openTarget.js';
import { labEdges } from '../lab/labs.js';
import { loadPlan } from '../load/loadPlan.js';
import { runSurge } from '../load/runSurge.js';

/** the bound: the origin's RSS at the end within this of its RSS after 10 s */
export const FLAT_WITHIN_MB = 10;
const EARLY_SECOND = 10;

/**
 * What the origin keeps under a surge is bounded (its last 1,000 log entries
 * per key, a count per second), but each entry lives long enough at thousands
 * of requests per second to be promoted, and under V8's default limit (sized
 * from the machine's memory) that dead old generation waits for a late
 * mark-compact: measured here, RSS grew ~1 MB/s under a surge of 9k req/s and
 * held flat with this limit. The bees get the same treatment (load/queen.ts).
 * The bench's origin holds one object and one key; a deployed origin holding
 * many objects needs a limit sized to them (README, The probe origin).
 */
const ORIGIN_OLD_SPACE_MB = 64;

export interface OriginRss {
  rps: number;
  requests: number;
  earlyMb: number;
  endMb: number;
}

export async function originRss(opts: {
  cli: string;
  dir: string;
  seconds: number;
  connections: number;
  bees: number;
}): Promise<OriginRss> {
  const [port, secondary, control] = [await freePort(), await freePort(), await freePort()];
  const token = `bench-${Math.random().toString(36).slice(2)}`;
  const child = spawn(
    process.execPath,
    [
      `--max-old-space-size=${ORIGIN_OLD_SPACE_MB}`,
      opts.cli,
      'origin',
      ...['--port', `${port}`, '--secondary-port', `${secondary}`, '--control-port', `${control}`],
      ...['--token-env', 'EDGECHECK_BENCH_ORIGIN_TOKEN'],
    ],
    // its stderr notes the per-key log dropping old entries, as it must under a surge: kept for a failure only
    { env: { ...process.env, EDGECHECK_BENCH_ORIGIN_TOKEN: token }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + String(d)).slice(-4000)));
  try {
    await listening(child).catch((err: Error) => {
      throw new Error(`${err.message}: ${stderr.trim()}`);
    });
    const named: NamedTarget = {
      name: 'probe-origin',
      file: join(opts.dir, 'targets.yaml'),
      config: {
        url: `http://127.0.0.1:${port}/`,
        origin: { control: `http://127.0.0.1:${control}`, token },
        surge: { allowed: true, max_duration: '10m', max_requests: 100_000_000 },
      },
    };
    const target = await openTarget(named, labEdges);
    const planFile = join(opts.dir, 'origin-rss.yaml');
    writeFileSync(
      planFile,
      'surge: origin-rss\nmodel: closed\nphases:\n' +
        `  - { hold: { connections: ${opts.connections}, for: ${opts.seconds}s } }\n` +
        `paths: [/index.html]\nbees: ${opts.bees}\nobject: { headers: { Cache-Control: no-store }, body: origin }\n`,
    );
    let earlyMb = 0;
    try {
      const surge = await runSurge({
        plan: loadPlan(planFile),
        named,
        target,
        runId: `bench-origin-${Date.now().toString(36)}`,
        onTick: (tick) => {
          if (tick.second.t === EARLY_SECOND - 1) earlyMb = rssMb(child.pid!);
        },
      });
      return { rps: surge.totals.rps, requests: surge.totals.responses, earlyMb, endMb: rssMb(child.pid!) };
    } finally {
      await target.close();
    }
  } finally {
    child.kill('SIGTERM');
  }
}

/** The origin prints its listeners once they are up. */
function listening(child: ReturnType<typeof spawn>): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d;
      if (/control/i.test(out)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`the probe origin exited (code ${code}) before it listened`)));
  });
}

function rssMb(pid: number): number {
  const kb = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return kb ? Number(kb) / 1024 : NaN;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
