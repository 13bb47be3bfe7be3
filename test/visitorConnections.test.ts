// A visitor's connection that never carries a request is counted by what
// stopped it — refused, reset, handshake failure, timeout — in the
// connection counts and as an error of the phase, and the bee goes on
// sending visitors at the planned rate (no retry storm: one connect per visit).
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import t from 'tap';
import { dialectByName } from '../harness/cacheStatus/index.js';
import type { BeeOrders } from '../load/beeProtocol.js';
import { ConnectionSliceRecorder } from '../load/handshakeRecorder.js';
import { HandshakeTally } from '../load/handshakeTally.js';
import type { BeeState } from '../load/pacedClient.js';
import { OpenPacer } from '../load/pacer.js';
import { Schedule } from '../load/schedule.js';
import { flyVisitors } from '../load/visitorClient.js';
import { startFaultServer } from './support/faultServer.js';

const VISITORS_PER_SECOND = 20;
const PLAN_MS = 500;

/** Flies one bee's visitors at `port` for half a second and returns its connection counts and request errors. */
async function visitorsAt(port: number, timeoutMs = 2000) {
  const segments = [{ from: VISITORS_PER_SECOND, to: VISITORS_PER_SECOND, durationMs: PLAN_MS }];
  const schedule = new Schedule(segments);
  const recorder = new ConnectionSliceRecorder();
  const started = performance.now();
  const bee: BeeState = {
    now: () => performance.now() - started,
    pacer: new OpenPacer(schedule, 1, 0.5, 1000),
    recorder,
    dialect: dialectByName('auto'),
    model: 'visitors',
    stopped: false,
    parked: new Set(),
  };
  const orders: BeeOrders = {
    index: 0,
    bees: 1,
    model: 'visitors',
    visit: { requests: { kind: 'fixed', n: 2 }, thinkMs: { min: 0, max: 0 }, resume: 0 },
    segments,
    share: 1,
    offset: 0.5,
    pools: [50],
    split: { shares: [1], bees: [1], group: 0, index: 0 },
    budget: 1000,
    urls: [`https://127.0.0.1:${port}`],
    servername: 'lab.edgecheck.test',
    requests: [{ method: 'GET', path: '/', headers: {} }],
    headers: { host: 'lab.edgecheck.test' },
    timeoutMs,
    dialect: 'auto',
  };
  const client = flyVisitors(orders, bee, recorder.connections);
  // the plan, then until every visit's connection has ended
  await new Promise((resolve) => setTimeout(resolve, PLAN_MS + timeoutMs + 1500));
  bee.stopped = true;
  client.stop();
  const slice = recorder.cut(0, 0);
  const tally = new HandshakeTally();
  tally.add(slice.connections!);
  return { connections: tally.stats(PLAN_MS), transport: slice.transport, sent: slice.sent };
}

const faults = await startFaultServer();
const resetting = createServer((socket) => socket.resetAndDestroy()).listen(0, '127.0.0.1');
await once(resetting, 'listening');
t.teardown(async () => {
  await faults.close();
  await new Promise((resolve) => resetting.close(resolve));
});

const cases: Array<[string, () => number, string, number?]> = [
  ['an edge that refuses connections', () => faults.port.refused, 'refused'],
  ['an edge that resets them', () => (resetting.address() as AddressInfo).port, 'reset'],
  ['an edge that answers the ClientHello with garbage', () => faults.port['tls-garbage'], 'handshake failure'],
  ['an edge that never answers the ClientHello', () => faults.port.blackhole, 'timeout', 300],
];
for (const [what, port, kind, timeoutMs] of cases) {
  t.test(`${what}: every visit counts one '${kind}'`, async (t) => {
    const { connections, transport, sent } = await visitorsAt(port(), timeoutMs);
    const planned = (VISITORS_PER_SECOND * PLAN_MS) / 1000;
    t.same(connections.errors_by_kind, { [kind]: planned }, `${planned} visits, each one connect`);
    t.equal(connections.handshakes, 0);
    t.same(transport, { [`connect: ${kind}`]: planned }, 'and one error each against the edge');
    t.equal(sent, 0, 'no request went out');
  });
}
