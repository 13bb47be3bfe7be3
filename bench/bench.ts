// `npm run bench`: wrk, autocannon alone and an edgecheck surge against the
// same lab edge on loopback, with the same connections and duration, one
// after the other; prints each one's throughput, the surge's peak RSS, and a
// last line `ratio_vs_wrk=<x> ratio_vs_autocannon=<y> rss_mb=<z>`. Then a
// surge pushed past the bees (it must call itself generator-limited), and the
// standalone probe origin's RSS under a long surge straight at it.
//   npm run bench -- [--target nginx] [--connections 50] [--duration 15s] [--bees cores-1] [--threads 2]
//                    [--push 5s] [--origin-duration 60s]   (0s skips either)
//   npm run bench -- --h2 [--streams 10] ...   h2load and the h2 bees instead (bench/h2Bench.ts)
//   npm run bench -- --handshakes [--visitors 200] ...   openssl s_time and the visitors bees (bench/handshakeBench.ts)
import { availableParallelism } from 'node:os';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseDuration } from '../harness/config/duration.js';
import { loadTargets, selectTarget, type NamedTarget } from '../harness/config/load.js';
import { ConfigError } from '../harness/errors.js';
import { openTarget, type OpenTarget } from '../harness/target/openTarget.js';
import { defaultTargetsFile } from '../cli/paths.js';
import { loadPlan } from '../load/loadPlan.js';
import { urlPath } from '../load/requestMix.js';
import { runSurge } from '../load/runSurge.js';
import { SurgeOrigin, surgeCheckKey } from '../load/surgeOrigin.js';
import { autocannonRps, cpuNote, summaryLine, wrkRps } from './benchOutput.js';
import { benchH2 } from './h2Bench.js';
import { runTool as tool } from './runTool.js';
import { benchHandshakes } from './handshakeBench.js';
import { ownCpuSeconds } from './cpuTime.js';
import { pushPastTheBees, pushSummary } from './generatorVerdict.js';
import { FLAT_WITHIN_MB, originRss } from './originRss.js';
import { LAB_NAMES, labEdges } from '../lab/labs.js';

const WRK = '/usr/bin/wrk';
const BODY = 'edgecheck bench '.repeat(64);

const { values } = parseArgs({
  options: {
    target: { type: 'string', default: 'nginx' },
    connections: { type: 'string', default: '50' },
    duration: { type: 'string', default: '15s' },
    // the edge under test shares this machine: leave it a core
    bees: { type: 'string', default: String(Math.max(1, availableParallelism() - 1)) },
    threads: { type: 'string', default: '2' },
    push: { type: 'string', default: '5s' },
    'origin-duration': { type: 'string', default: '60s' },
    h2: { type: 'boolean', default: false },
    streams: { type: 'string', default: '10' },
    handshakes: { type: 'boolean', default: false },
    visitors: { type: 'string', default: '200' },
  },
});
const connections = Number(values.connections);
const seconds = (parseDuration(values.duration) ?? 15_000) / 1000;
const bees = Number(values.bees);

const named = benchTarget(values.target);
let target: OpenTarget;
try {
  target = await openTarget(named, labEdges);
} catch (err) {
  process.stderr.write(`bench: cannot open target '${named.name}': ${(err as Error).message}\n`);
  process.exit(3);
}
if (values.h2) {
  try {
    await benchH2({
      named,
      target,
      connections,
      streams: Number(values.streams),
      seconds,
      bees,
      threads: Number(values.threads),
      body: BODY,
      say,
    });
  } finally {
    await target.close();
  }
  process.exit(0);
}
if (values.handshakes) {
  try {
    await benchHandshakes({ named, target, visitors: Number(values.visitors), seconds, bees, body: BODY, say });
  } finally {
    await target.close();
  }
  process.exit(0);
}
try {
  const origin = target.origin;
  if (!origin) throw new ConfigError(`bench: target '${named.name}' has no probe origin to serve the bench path`);
  const route = target.routes['default']?.path ?? '/';
  const tools = new SurgeOrigin(origin, surgeCheckKey(`bench-${Date.now().toString(36)}`, 'tools'));
  const paths = [
    {
      path: '/index.html',
      weight: 1,
      headers: {},
      object: { headers: { 'Cache-Control': 'max-age=600' }, body: BODY },
    },
  ];
  await tools.program(paths);
  const address = target.addresses[0] ?? target.url.hostname;
  const url = `${target.url.protocol}//${address}:${target.url.port}${urlPath(route, tools.key, '/index.html')}`;
  const host = target.url.host;
  await target.http.send({
    method: 'GET',
    url: new URL(urlPath(route, tools.key, '/index.html'), target.url),
    ...(target.addresses[0] ? { address } : {}),
    timeoutMs: 10_000,
  });
  say(`bench: target ${named.name} (${target.url.href} via ${address}), ${connections} connections, ${seconds}s each`);

  let wrk: number | undefined;
  if (existsSync(WRK)) {
    const run = await tool(WRK, [
      `-t${values.threads}`,
      `-c${connections}`,
      `-d${seconds}s`,
      '-H',
      `Host: ${host}`,
      url,
    ]);
    wrk = wrkRps(run.stdout);
    const result =
      wrk === undefined
        ? `failed: ${run.stderr.trim()}`
        : `${wrk.toFixed(1)} req/s (${values.threads} threads ${cpuNote(wrk, run.cpuSeconds, seconds)})`;
    say(`wrk:        ${result}`);
  } else {
    say(`wrk:        not installed (${WRK}; apt-get install wrk)`);
  }

  const autocannonBin = join(createRequire(import.meta.url).resolve('autocannon/package.json'), '..', 'autocannon.js');
  const ac = await tool(process.execPath, [
    autocannonBin,
    '--json',
    '-c',
    String(connections),
    '-d',
    String(seconds),
    '-H',
    `host=${host}`,
    '-s',
    target.url.hostname,
    url,
  ]);
  const autocannon = autocannonRps(ac.stdout);
  const acResult =
    autocannon === undefined
      ? `failed: ${ac.stderr.trim()}`
      : `${autocannon.toFixed(1)} req/s (one process ${cpuNote(autocannon, ac.cpuSeconds, seconds)})`;
  say(`autocannon: ${acResult}`);
  await tools.clear();

  const dir = mkdtempSync(join(tmpdir(), 'edgecheck-bench-'));
  const planFile = join(dir, 'bench.yaml');
  writeFileSync(
    planFile,
    'surge: bench\nmodel: closed\nphases:\n' +
      `  - { hold: { connections: ${connections}, for: ${seconds}s } }\n` +
      `paths: [/index.html]\nbees: ${bees}\n` +
      `object: { headers: { Cache-Control: max-age=600 }, body: ${JSON.stringify(BODY)} }\n` +
      'prime: true\n',
  );
  const cpuBefore = ownCpuSeconds();
  const surge = await runSurge({ plan: loadPlan(planFile), named, target, runId: `bench-${Date.now().toString(36)}` });
  // this process also runs the lab's probe origin, which a primed surge leaves idle
  const surgeCpu = ownCpuSeconds() - cpuBefore;
  const rss = surge.peak_rss_mb ?? 0;
  const { totals } = surge;
  const errorKinds = totals.errors ? ` ${JSON.stringify(totals.errors_by_kind)}` : '';
  say(
    `edgecheck:  ${totals.rps.toFixed(1)} req/s ` +
      `(${bees} bee${bees === 1 ? '' : 's'} ${cpuNote(totals.rps, surgeCpu, seconds)}, closed model; ` +
      `p99 ${totals.latency_ms?.p99 ?? '-'} ms, errors ${totals.errors}${errorKinds}), peak RSS ${rss.toFixed(1)} MB`,
  );
  const g = surge.phases[0]?.generator;
  if (g) {
    // the bee threads' own CPU, without the queen's and the in-process probe origin's
    const beeCpu = bees === 1 && g.cpu_pct ? (g.cpu_pct / 100) * seconds : undefined;
    say(
      `edgecheck bees: event loop ${Math.round(g.busy_pct)}% busy, CPU ${g.cpu_pct ?? '-'}% ` +
        `(+${g.cpu_wait_pct ?? '-'}% waiting for a core)` +
        (beeCpu
          ? `, the bee thread alone ${cpuNote(totals.rps, beeCpu, seconds).replace(/^on [\d.]+ cores, /, '')}`
          : '') +
        `; ${surge.phases[0]!.generator_limited ? 'generator-limited' : 'not generator-limited'} ` +
        `(a closed model at full tilt: the bees set the pace unless the edge does)`,
    );
  }

  const pushSeconds = (parseDuration(values.push!) ?? 5_000) / 1000;
  if (pushSeconds > 0) {
    const rps = Math.max(20_000, Math.round((4 * totals.rps) / 1000) * 1000);
    const pushed = await pushPastTheBees({
      named,
      target,
      dir,
      rps,
      seconds: pushSeconds,
      connections,
      bees,
      body: BODY,
    });
    say(`pushed past the bees (${pushSeconds}s at 4x): ${pushSummary(pushed)}`);
  }

  const originSeconds = (parseDuration(values['origin-duration']!) ?? 60_000) / 1000;
  if (originSeconds > 0) {
    // dist/bench/bench.js -> bin/edgecheck.js
    const cli = fileURLToPath(new URL('../../bin/edgecheck.js', import.meta.url));
    const o = await originRss({ cli, dir, seconds: originSeconds, connections, bees });
    const growth = o.endMb - o.earlyMb;
    const flat = Math.abs(growth) <= FLAT_WITHIN_MB ? 'flat' : 'NOT flat';
    say(
      `probe origin: ${o.rps.toFixed(0)} req/s straight at it, ${o.requests} requests under one key; ` +
        `RSS ${o.earlyMb.toFixed(1)} MB after 10 s, ${o.endMb.toFixed(1)} MB after ${originSeconds} s ` +
        `(${growth >= 0 ? '+' : ''}${growth.toFixed(1)} MB: ${flat}, ` +
        `within ${FLAT_WITHIN_MB} MB)`,
    );
  }

  say(
    summaryLine({
      ...(wrk ? { wrk } : {}),
      ...(autocannon ? { autocannon } : {}),
      surge: surge.totals.rps,
      rssMb: rss,
    }),
  );
} finally {
  await target.close();
}

/** The target from targets.yaml, or a lab by name with surges allowed for the bench. */
function benchTarget(name: string): NamedTarget {
  const file = defaultTargetsFile();
  const loaded = existsSync(file) ? loadTargets(file, labEdges) : undefined;
  if (loaded && name in loaded.targets) {
    const t = selectTarget(loaded, name);
    return { ...t, config: { ...t.config, surge: { allowed: true, max_duration: '10m', max_requests: 100_000_000 } } };
  }
  if (!(LAB_NAMES as readonly string[]).includes(name)) {
    process.stderr.write(
      `bench: no target '${name}' in ${file} and no lab of that name (labs: ${LAB_NAMES.join(', ')})\n`,
    );
    process.exit(2);
  }
  return {
    name,
    file,
    config: { lab: name, surge: { allowed: true, max_duration: '10m', max_requests: 100_000_000 } },
  };
}

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}
