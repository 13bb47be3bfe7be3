// The record's per-protocol block of a plan mixing h1 and h2: each protocol's
// error rate is a phase's (errors over responses and transport errors), so a
// 503 counts once, as the error it is and as the response it was.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import type { SliceReport } from '../load/beeProtocol.js';
import { fleetOrders } from '../load/fleet.js';
import { encode, newHistogram, recordMs } from '../load/latencyHistogram.js';
import { loadPlan } from '../load/loadPlan.js';
import { protocolShares } from '../load/protocolShares.js';
import { Tally } from '../load/tally.js';
import { planFile } from './support/surgeOn.js';

const dir = mkdtempSync(join(tmpdir(), 'edgecheck-protocol-shares-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

/** A tally of one slice: `statuses` answered, `transport` never answered, each answer in 10 ms. */
function tally(statuses: Record<string, number>, transport: Record<string, number> = {}): Tally {
  const responses = Object.values(statuses).reduce((a, b) => a + b, 0);
  const latency = newHistogram();
  for (let i = 0; i < responses; i++) recordMs(latency, 10);
  const slice: SliceReport = {
    second: 0,
    phase: 0,
    latency: encode(latency),
    sent: responses + Object.values(transport).reduce((a, b) => a + b, 0),
    responses,
    statuses,
    transport,
    claims: { hit: 0, miss: 0, none: responses },
  };
  const into = new Tally();
  into.add(slice, latency);
  return into;
}

t.test("each protocol's error rate counts an HTTP error once and a transport error as an attempt", async (t) => {
  const plan = loadPlan(
    planFile(
      dir,
      'mix',
      'surge: mix\nphases: [{ hold: { rps: 10, for: 1s } }]\n' +
        'paths: [{ path: /a, weight: 3 }, { path: /b, weight: 1, protocol: h2 }]\nbees: 2\n',
    ),
  );
  const endpoints = { urls: ['https://127.0.0.1:8443'], servername: 'lab.edgecheck.test', headers: {} };
  const orders = fleetOrders(plan, { max_duration_ms: 60_000, max_requests: 1000 }, endpoints, (p) => p, 'auto');
  const tallies = new Map([
    ['h1', tally({ '200': 98, '503': 2 })],
    ['h2', tally({ '503': 40 }, { ECONNRESET: 10 })],
  ]);
  const [h1, h2] = protocolShares(plan, orders, tallies, 1000)!;
  t.match(h1, { protocol: 'h1', planned_share: 0.75, sent: 100, responses: 100, errors: 2, error_rate: 0.02 });
  t.match(h2, { protocol: 'h2', planned_share: 0.25, sent: 50, responses: 40, errors: 50 });
  t.equal(h2!.error_rate, 1, 'every attempt failed: 40 answered 503, 10 never answered (not 50 of 90)');
  t.equal(h2!.share, 0.3333);
});
