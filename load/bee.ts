// A bee: one worker thread driving one autocannon instance (HTTP/1.1
// keep-alive, pinned to the edge addresses, SNI set) under its pacer. It
// reports a slice every second — cut again at phase boundaries — to the queen.
import autocannon from 'autocannon';
import { parentPort, workerData } from 'node:worker_threads';
import { dialectByName, type DialectName } from '../harness/cacheStatus/index.js';
import type { BeeMessage, BeeOrders, QueenMessage, SliceReport } from './beeProtocol.js';
import { clock } from './clock.js';
import { GeneratorGauge } from './generatorGauge.js';
import { ConnectionSliceRecorder } from './handshakeRecorder.js';
import { useNativeParser } from './nativeResponseParser.js';
import { isPaceable, pace, type BeeState, type PacedConnection } from './pacedClient.js';
import { ClosedPacer, OpenPacer } from './pacer.js';
import { flyOwnClient, usesOwnClient, type OwnClient } from './ownClient.js';
import { RateCap } from './rateCap.js';
import { Schedule } from './schedule.js';

/** the closed model re-reads how many connections are active this often */
const WAKE_EVERY_MS = 100;
/** how long in-flight requests may finish once the plan has ended */
const END_GRACE_MS = 2000;

const orders = workerData as BeeOrders;
const port = parentPort!;
const schedule = new Schedule(orders.segments);
const post = (msg: BeeMessage) => port.postMessage(msg);

let startAt = 0;
const gauge = new GeneratorGauge(orders.index);
const recorder = new ConnectionSliceRecorder(gauge);
const bee: BeeState = {
  now: () => clock() - startAt,
  pacer:
    orders.model === 'closed'
      ? new ClosedPacer(schedule, orders.split, orders.budget)
      : new OpenPacer(schedule, orders.share, orders.offset, orders.budget),
  ...(orders.rateCapRps ? { cap: new RateCap(orders.rateCapRps) } : {}),
  recorder,
  gauge,
  dialect: dialectByName(orders.dialect as DialectName | 'auto'),
  model: orders.model,
  stopped: false,
  parked: new Set(),
};
const connections: PacedConnection[] = [];
let second = 0;
let phase = 0;
let pending: SliceReport[] = [];
let boundaryTimer: NodeJS.Timeout | undefined;
let instance: autocannon.Instance | undefined;
/** visitors model and h2: the bee's own connections instead of autocannon's */
let own: OwnClient | undefined;
let finishing = false;
/** the queen said stop (Ctrl-C): a grace period in progress ends now (bee.stopped is set by any finish) */
let interrupted = false;

port.on('message', (msg: QueenMessage) => {
  if (msg.type === 'start') setTimeout(start, Math.max(0, msg.startAt - clock()), msg.startAt);
  else if (msg.type === 'stop') {
    interrupted = true;
    void finish(0);
  } else process.exit(0);
});
post({ type: 'ready' });

function start(at: number): void {
  if (finishing) return;
  startAt = at;
  gauge.start();
  if (usesOwnClient(orders)) {
    own = flyOwnClient(orders, bee, recorder.connections);
    connections.push(...own.connections);
    return runToTheEnd();
  }
  let failed: string | undefined;
  instance = autocannon(
    {
      url: orders.urls as unknown as string,
      connections: orders.pools[orders.index]!,
      // the bee ends the run itself; autocannon's own clock is only a backstop
      duration: Math.ceil(schedule.durationMs / 1000) + 30,
      timeout: Math.max(1, Math.ceil(orders.timeoutMs / 1000)),
      headers: orders.headers,
      requests: orders.requests,
      ...(orders.servername ? { servername: orders.servername } : {}),
      skipAggregateResult: true,
      setupClient: (client) => {
        if (!isPaceable(client)) {
          failed = 'this autocannon has no Client._doRequest; edgecheck paces autocannon 9 connections';
          return;
        }
        useNativeParser(client);
        connections.push(pace(client, connections.length, bee));
      },
    },
    (err: Error | null) => {
      if (err) post({ type: 'failed', message: `autocannon: ${err.message}` });
    },
  );
  if (failed) {
    post({ type: 'failed', message: failed });
    return;
  }
  runToTheEnd();
}

function runToTheEnd(): void {
  if (orders.model === 'closed') setInterval(wakeParked, WAKE_EVERY_MS).unref();
  scheduleBoundary();
  setTimeout(() => void finish(END_GRACE_MS), schedule.durationMs - bee.now());
}

/** Cuts a slice at the next second or phase boundary, whichever comes first. */
function scheduleBoundary(): void {
  const nextSecond = (second + 1) * 1000;
  const nextPhase = phase + 1 < orders.segments.length ? phaseStart(phase + 1) : Infinity;
  const at = Math.min(nextSecond, nextPhase);
  boundaryTimer = setTimeout(() => {
    pending.push(cut());
    if (at === nextPhase) phase++;
    if (at === nextSecond) {
      post({ type: 'second', second, slices: pending });
      pending = [];
      second++;
    }
    scheduleBoundary();
  }, at - bee.now());
}

/** This slice, tagged with the bee's protocol: a plan's paths may go over both, and the queen counts each apart. */
function cut(): SliceReport {
  return { ...bee.recorder.cut(second, phase), protocol: orders.protocol ?? 'h1' };
}

function phaseStart(i: number): number {
  return orders.segments.slice(0, i).reduce((t, s) => t + s.durationMs, 0);
}

function wakeParked(): void {
  const now = bee.now();
  for (const conn of [...bee.parked].sort((a, b) => a.index - b.index))
    if (bee.pacer.mayWake(conn.index, now)) conn.wake();
}

/**
 * Stops sending, lets requests on the wire finish for up to `graceMs`, then
 * reports the last slice. A request still unanswered after a grace period is
 * counted as an error; one cut off by a stop (Ctrl-C) is not counted at all.
 */
async function finish(graceMs: number): Promise<void> {
  if (finishing) return;
  finishing = true;
  bee.stopped = true;
  const deadline = clock() + graceMs;
  while (clock() < deadline && !interrupted && connections.some((c) => c.busy))
    await new Promise((r) => setTimeout(r, 20));
  clearTimeout(boundaryTimer);
  if (!interrupted)
    for (const c of connections) if (c.busy) bee.recorder.onUnanswered('no answer by the end', bee.now() - c.since);
  const last = cut();
  gauge.stop();
  const slices = last.sent || last.responses || Object.keys(last.transport).length ? [...pending, last] : pending;
  // stopped before the start: nothing planned ever came due
  post({ type: 'done', slices, unsent: startAt ? bee.pacer.unsent(bee.now()) : 0 });
  instance?.stop();
  own?.stop();
}
