// A surge against an edge that gives way must say so, not hide it and not
// make it worse: refused connections back off instead of storming the edge,
// timed-out requests count in the latencies, a latency limit is breached when
// nothing was answered, a surge stopped before it started owes no requests,
// and an origin that stops counting still leaves a record.
import autocannon from 'autocannon';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { dialectByName } from '../harness/cacheStatus/index.js';
import { loadTargets, selectTarget } from '../harness/config/load.js';
import type { SurgeStats } from '../harness/surgeRecord.js';
import { openTarget } from '../harness/target/openTarget.js';
import { decode } from '../load/latencyHistogram.js';
import { loadPlan } from '../load/loadPlan.js';
import { pace, type AutocannonClient, type BeeState } from '../load/pacedClient.js';
import type { Pacer } from '../load/pacer.js';
import { runSurge } from '../load/runSurge.js';
import { SliceRecorder } from '../load/sliceRecorder.js';
import { judge } from '../load/thresholds.js';
import { targetsFile } from './support/labRun.js';
import { labEdges } from '../lab/labs.js';

function beeState(pacer: Pacer): BeeState {
  const start = performance.now();
  return {
    now: () => performance.now() - start,
    pacer,
    recorder: new SliceRecorder(),
    dialect: dialectByName('auto'),
    model: 'closed',
    stopped: false,
    parked: new Set(),
  };
}

/** every connection sends one request, then parks */
function oneEach(): Pacer {
  const sent = new Set<number>();
  return {
    next: (conn, now) => (sent.has(conn) ? undefined : (sent.add(conn), now)),
    mayWake: () => false,
    unsent: () => 0,
    release: () => undefined,
  };
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

t.test('connections to an edge that refuses them back off instead of reconnecting at once', async (t) => {
  // a port nothing listens on any more refuses connections
  const gone = createServer();
  const refusedPort = await listen(gone);
  await new Promise<void>((resolve) => gone.close(() => resolve()));

  const bee = beeState(oneEach());
  let connErrors = 0;
  let index = 0;
  const instance = autocannon(
    {
      url: `http://127.0.0.1:${refusedPort}/`,
      connections: 4,
      duration: 2,
      setupClient: (client) => {
        pace(client as unknown as AutocannonClient, index++, bee);
        (client as unknown as NodeJS.EventEmitter).on('connError', () => connErrors++);
      },
    },
    () => undefined,
  );
  await new Promise((resolve) => setTimeout(resolve, 1200));
  instance.stop();
  // without a backoff autocannon reconnects tens of thousands of times a second
  t.ok(connErrors >= 4, `it kept trying (${connErrors} refused connects)`);
  t.ok(connErrors <= 4 * 12, `but backed off: ${connErrors} refused connects in 1.2 s from 4 connections`);
  const slice = bee.recorder.cut(0, 0);
  t.ok(
    slice.transport['ECONNREFUSED']! >= 1 && slice.transport['ECONNREFUSED']! <= 4,
    'each request lost to a refusal is one error',
  );
});

t.test('a request that times out counts as an error and as a latency of at least the timeout', async (t) => {
  // accepts, reads, never answers
  const silent = createServer((socket) => socket.on('data', () => undefined));
  const port = await listen(silent);
  t.teardown(() => silent.close());
  const bee = beeState(oneEach());
  bee.model = 'open';
  const instance = autocannon(
    {
      url: `http://127.0.0.1:${port}/`,
      connections: 1,
      duration: 5,
      timeout: 1,
      setupClient: (client) => void pace(client as unknown as AutocannonClient, 0, bee),
    },
    () => undefined,
  );
  await new Promise((resolve) => setTimeout(resolve, 2500));
  instance.stop();
  const slice = bee.recorder.cut(0, 0);
  t.equal(slice.transport['timeout'], 1);
  t.equal(slice.responses, 0);
  const latency = decode(slice.latency);
  t.equal(latency.totalCount, 1, 'the timed-out request is in the histogram');
  t.ok(latency.maxValue >= 990_000, `recorded at ${latency.maxValue / 1000} ms, not left out`);
});

t.test('a latency limit where nothing was answered is breached, with the reason', async (t) => {
  const failed: SurgeStats = {
    sent: 50,
    responses: 0,
    rps: 0,
    errors: 50,
    error_rate: 1,
    errors_by_kind: { ECONNREFUSED: 50 },
    status: { '1xx': 0, '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 },
    latency_ms: null,
    cache: { claimed_hits: 0, claimed_misses: 0, no_claim: 0, claimed_hit_ratio: null },
  };
  const ctx = { model: 'open' as const, kind: 'hold' as const, lowestLevel: 10, plannedRps: 10, reached: true };
  const v = judge({ name: 'p95', text: '250ms', value: 250 }, failed, ctx);
  t.equal(v.verdict, 'breached');
  t.match(v.reason, /no request was answered: 50 failed/);
  const quiet = judge(
    { name: 'p95', text: '250ms', value: 250 },
    { ...failed, sent: 0, errors: 0, errors_by_kind: {}, error_rate: 0 },
    ctx,
  );
  t.equal(quiet.verdict, 'not measured', 'no requests at all is still not measured');
});

const targets = targetsFile(`targets:
  lab:
    lab: reference
    surge: { allowed: true, max_rps: 500, max_duration: 30s, max_requests: 20000 }
`);

t.test(
  'a surge stopped before the bees started owes nothing; an origin that stops counting still leaves a record',
  async (t) => {
    const planFile = join(dirname(targets), 'steady.yaml');
    writeFileSync(
      planFile,
      'surge: steady\nphases:\n  - { hold: { rps: 50, for: 2s } }\n' +
        'paths: [/a, /b, /c]\nbees: 2\nprime: true\nthresholds: { origin_rps: 100 }\n',
    );
    const plan = loadPlan(planFile);
    const named = selectTarget(loadTargets(targets, labEdges), 'lab');
    const target = await openTarget(named, labEdges);
    t.teardown(() => target.close());

    const send = target.http.send.bind(target.http);
    let sent = 0;
    target.http.send = (req) => (sent++, send(req));
    const aborted = AbortSignal.abort('interrupted');
    const early = await runSurge({ plan, named, target, runId: 'resilience-early', signal: aborted });
    t.equal(sent, 0, 'Ctrl-C before the start skips preflight and priming');
    t.equal(early.partial, true);
    t.equal(early.totals.sent, 0);
    t.notOk(
      early.notes.some((n) => /never sent/.test(n)),
      `no unsent requests claimed: ${early.notes.join('; ')}`,
    );

    const origin = target.origin!;
    const count = origin.count.bind(origin);
    origin.count = async () => {
      throw new Error('origin control: connection refused');
    };
    t.teardown(() => void (origin.count = count));
    const surge = await runSurge({ plan, named, target, runId: 'resilience-origin' });
    t.ok(surge.totals.sent > 0);
    t.equal(surge.totals.cache.origin_requests, undefined);
    t.ok(
      surge.notes.some((n) =>
        /origin offload not measured: the probe origin did not answer its count \(origin control: connection refused\)/.test(
          n,
        ),
      ),
      surge.notes.join('; '),
    );
    t.equal(surge.thresholds[0]!.verdict, 'not measured');
  },
);

t.test('a slow origin count delays the live ticks but loses none, and keeps their order', async (t) => {
  const planFile = join(dirname(targets), 'slow-origin.yaml');
  writeFileSync(planFile, `surge: slow-origin\nphases:\n  - { hold: { rps: 20, for: 4s } }\npaths: [/a]\nbees: 1\n`);
  const plan = loadPlan(planFile);
  const named = selectTarget(loadTargets(targets, labEdges), 'lab');
  const target = await openTarget(named, labEdges);
  t.teardown(() => target.close());
  const origin = target.origin!;
  const count = origin.count.bind(origin);
  origin.count = async (...args: Parameters<typeof count>) => {
    await new Promise((r) => setTimeout(r, 1300));
    return count(...args);
  };
  const ticks: number[] = [];
  const surge = await runSurge({
    plan,
    named,
    target,
    runId: 'resilience-slow-count',
    onTick: (tick) => ticks.push(tick.second.t),
  });
  t.same(
    ticks,
    surge.timeline.map((s) => s.t),
    'every second of the timeline was ticked',
  );
  t.same(
    ticks,
    [...ticks].sort((a, b) => a - b),
    'in order',
  );
  t.ok(ticks.length >= 4);
  t.ok(
    surge.timeline.some((s) => s.origin_rps !== undefined),
    'the seconds that were counted carry the count',
  );
});

t.test('the backoff is for connections refused or dropped at once, not for ones that lasted', async (t) => {
  const { EventEmitter } = await import('node:events');
  let now = 0;
  const fakeClient = () => {
    const client = Object.assign(new EventEmitter(), { destroyed: false, opened: 0, _doRequest() {}, _connect() {} });
    client._connect = () => void client.opened++;
    return client;
  };
  const bee = { ...beeState(oneEach()), now: () => now };

  const dropped = fakeClient();
  pace(dropped as unknown as AutocannonClient, 0, bee);
  for (let i = 0; i < 4; i++) dropped._connect();
  t.equal(dropped.opened, 1, 'dropped at once, again and again: only the first reconnect is immediate');

  const lasted = fakeClient();
  pace(lasted as unknown as AutocannonClient, 1, bee);
  for (let i = 0; i < 4; i++) {
    lasted._connect();
    now += 1500;
  }
  t.equal(lasted.opened, 4, 'each connection lasted 1.5 s before the edge closed it: every reconnect is immediate');
  dropped.destroyed = true;
});
