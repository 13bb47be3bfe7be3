// `npm run soak`: does edgecheck stay flat over time? Against the reference lab,
// in this one process: a 200-check concurrent run to warm up, a surge at a
// modest rate for --minutes (default 10) while the resident set is sampled, and
// another 200-check run. Passes (exit 0) when RSS after the warm-up stays within
// 15% of the warm-up's, and no file descriptor or child process is left behind.
//   npm run soak -- [--minutes 10] [--rps 100]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { main } from '../cli/main.js';
import { loadSuite, loadTargets, selectTarget, type LoadedSuite } from '../harness/config/load.js';
import { runSuites } from '../harness/runner/runSuites.js';
import { openTarget } from '../harness/target/openTarget.js';
import { labEdges } from '../lab/labs.js';

const CHECKS = 200;
const RSS_TOLERANCE = 0.15;
const SAMPLE_MS = 5_000;

const { values } = parseArgs({
  options: { minutes: { type: 'string', default: '10' }, rps: { type: 'string', default: '100' } },
});
const minutes = Number(values.minutes);
const rps = Number(values.rps);
if (!(minutes > 0) || !(rps > 0)) {
  process.stderr.write('soak: --minutes and --rps take positive numbers\n');
  process.exit(2);
}

const dir = mkdtempSync(join(tmpdir(), 'edgecheck-soak-'));
const targetsFile = join(dir, 'targets.yaml');
const seconds = Math.ceil(minutes * 60);
writeFileSync(
  targetsFile,
  'targets:\n  lab:\n    lab: reference\n' +
    `    surge: { allowed: true, max_rps: ${rps * 2}, max_duration: ${seconds + 60}s, ` +
    `max_requests: ${rps * (seconds + 60)} }\n`,
);
const planFile = join(dir, 'soak.yaml');
writeFileSync(
  planFile,
  `surge: soak\nphases:\n  - { hold: { rps: ${rps}, for: ${seconds}s } }\n` +
    'paths: [/index.html, /app.js]\nbees: 1\nthresholds: { errors: 1% }\n',
);

/** The caching suite's checks, repeated under other suite names until there are CHECKS of them. */
function manyChecks(): LoadedSuite[] {
  const caching = loadSuite(join(import.meta.dirname, '..', '..', 'suites', 'caching.yaml'));
  const copies = Math.ceil(CHECKS / caching.checks.length);
  return Array.from({ length: copies }, (_, i) => ({ ...caching, suite: `soak${i}` }));
}

async function concurrentRun(): Promise<string> {
  const target = await openTarget(selectTarget(loadTargets(targetsFile, labEdges), 'lab'), labEdges);
  try {
    const record = await runSuites(target, manyChecks(), { concurrency: CHECKS });
    return `${record.checks.length} checks: ${JSON.stringify(record.summary)}`;
  } finally {
    await target.close();
  }
}

const fdTargets = () =>
  readdirSync('/proc/self/fd').map((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      return 'gone';
    }
  });
const fds = () => fdTargets().length;
const children = () => {
  try {
    return execFileSync('pgrep', ['-P', String(process.pid)], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .filter(Boolean);
  } catch {
    return []; // pgrep exits 1 when there is none
  }
};
const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

process.stdout.write(`soak: warm-up, ${await concurrentRun()}\n`);
// counted after the warm-up: the first server this process listens on makes libuv open /dev/null and keep it for
// the process's life (its spare descriptor for when accept() runs out of them), which no later run adds to
const before = fdTargets();
const fdsBefore = before.length;
const warm = process.memoryUsage().rss;
process.stdout.write(`soak: a ${rps} rps surge for ${minutes} min, RSS sampled every ${SAMPLE_MS / 1000} s\n`);
const samples: number[] = [];
const sampler = setInterval(() => samples.push(process.memoryUsage().rss), SAMPLE_MS);
const surgeExit = await main([
  'surge',
  '--plan',
  planFile,
  '--targets',
  targetsFile,
  '--target',
  'lab',
  '--out',
  join(dir, 'surge'),
  '--quiet',
]);
clearInterval(sampler);
process.stdout.write(`soak: the surge exited ${surgeExit}; after it, ${await concurrentRun()}\n`);
samples.push(process.memoryUsage().rss);

// after the warm-up: the last third of the samples against the warm-up's level
const late = median(samples.slice(Math.floor((samples.length * 2) / 3)));
const growth = (late - warm) / warm;
// sockets closed by the peer are let go on the next turns of the event loop
await new Promise((r) => setTimeout(r, 2_000));
const leftFds = fds() - fdsBefore;
if (leftFds > 0) {
  const left = [...fdTargets()];
  for (const b of before) if (left.includes(b)) left.splice(left.indexOf(b), 1);
  process.stdout.write(`soak: left open: ${left.join(', ')}\n`);
}
const leftChildren = children();
process.stdout.write(
  `soak: RSS ${mb(warm)} MB after the warm-up, ${mb(late)} MB late (median of the last third), ` +
    `${(growth * 100).toFixed(1)}% (bound ${RSS_TOLERANCE * 100}%); max ${mb(Math.max(...samples))} MB\n` +
    `soak: file descriptors left over: ${leftFds}; child processes left: ${leftChildren.length}\n`,
);
const ok = surgeExit === 0 && growth <= RSS_TOLERANCE && leftFds <= 0 && leftChildren.length === 0;
process.stdout.write(`soak: ${ok ? 'flat' : 'NOT flat'}\n`);
process.exit(ok ? 0 : 1);
