// Paths over h1 and h2 in one plan: the fleet splits into a group of bees
// per protocol by the paths' weights (bees, connections, rate, the closed
// model's active count), each group walks only its own paths, and against
// the lab nginx the record shows each protocol's share of the requests
// beside its planned share, with h2 negotiated on every h2 connection.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import type { BeeConnectionStats } from '../harness/surgeRecord.js';
import { realEdges } from '../lab/realEdges/index.js';
import { fleetOrders, protocolGroups } from '../load/fleet.js';
import { loadPlan } from '../load/loadPlan.js';
import { OpenPacer } from '../load/pacer.js';
import { Schedule } from '../load/schedule.js';
import { apportion, groupPart } from '../load/split.js';
import { surgeRunRecord } from '../load/surgeRunRecord.js';
import { renderReport } from '../reports/html/index.js';
import { missionAssessment } from '../reports/mission.js';
import { paint } from '../reports/terminal.js';
import { targetsFile } from './support/labRun.js';
import { realEdgeInstalled } from './support/realEdgeInstalled.js';
import { planFile as writePlan, surgeOn as surgeIn } from './support/surgeOn.js';

const dir = mkdtempSync(join(tmpdir(), 'edgecheck-protocol-mix-'));
const planFile = (name: string, yaml: string) => writePlan(dir, name, yaml);
const endpoints = { urls: ['https://127.0.0.1:8443'], servername: 'lab.edgecheck.test', headers: {} };
const limits = { max_duration_ms: 60_000, max_requests: 100_000 };
const asIs = (p: string) => p;

t.test('apportion: shares by largest remainder, never below the least, always the whole', async (t) => {
  t.same(apportion(10, [0.75, 0.25]), [8, 2]);
  t.same(apportion(4, [0.75, 0.25], [1, 1]), [3, 1]);
  t.same(apportion(2, [0.9, 0.1], [1, 1]), [1, 1], 'each group keeps its least though its share rounds to 0');
  t.same(apportion(7, [0.5, 0.5]), [4, 3], 'a tie goes to the first');
  for (const total of [2, 3, 5, 17, 100])
    for (const shares of [
      [0.5, 0.5],
      [0.9, 0.1],
      [0.6, 0.4],
    ])
      t.equal(
        apportion(total, shares, [1, 1]).reduce((a, b) => a + b, 0),
        total,
        `${total} over ${shares.join('/')}: the parts add up`,
      );
});

t.test('a plan mixing h1 and h2 paths splits the fleet by weight; each group walks its own paths', async (t) => {
  const plan = loadPlan(
    planFile(
      'mix-open',
      `surge: mix-open
phases: [{ hold: { rps: 200, for: 2s } }]
paths: [{ path: /a, weight: 2 }, { path: /b, weight: 1 }, { path: /c, weight: 1, protocol: h2 }]
bees: 4
connections: 20
`,
    ),
  );
  t.same(plan.protocols, ['h1', 'h2']);
  t.same(
    plan.paths.map((p) => p.protocol),
    ['h1', 'h1', 'h2'],
  );
  const groups = protocolGroups(plan, asIs);
  t.same(
    groups.map((g) => [g.protocol, g.share, g.bees, g.connections]),
    [
      ['h1', 0.75, 3, 15],
      ['h2', 0.25, 1, 5],
    ],
  );
  const orders = fleetOrders(plan, limits, endpoints, asIs, 'auto');
  t.same(
    orders.map((o) => o.protocol ?? 'h1'),
    ['h1', 'h1', 'h1', 'h2'],
  );
  for (const o of orders) {
    const mine = new Set(o.requests.map((r) => r.path));
    t.same([...mine].sort(), o.protocol === 'h2' ? ['/c'] : ['/a', '/b'], `bee ${o.index} walks its group's paths`);
  }
  t.ok(Math.abs(orders.reduce((n, o) => n + o.share, 0) - 1) < 1e-9, 'the rate shares add up to the plan');
  t.ok(Math.abs(orders[3]!.share - 0.25) < 1e-9, "the h2 bee carries the h2 path's quarter of the rate");
  t.same(
    orders.map((o) => o.pools[o.index]),
    [5, 5, 5, 5],
  );
  t.equal(
    orders.reduce((n, o) => n + o.budget, 0),
    limits.max_requests,
    'the request budget is shared whole',
  );

  // the open-model pacers of both groups together send the plan, and the h2 group its quarter
  const schedule = new Schedule(plan.phases.map((p) => ({ from: p.from, to: p.to, durationMs: p.durationMs })));
  const sent = orders.map((o) => {
    const pacer = new OpenPacer(schedule, o.share, o.offset, o.budget);
    let n = 0;
    while (pacer.next() !== undefined) n++;
    return n;
  });
  const all = sent.reduce((a, b) => a + b, 0);
  t.ok(Math.abs(all - 400) <= 4, `${all} sent for 400 planned`);
  t.ok(Math.abs(sent[3]! - 100) <= 2, `the h2 bee sends ${sent[3]} of the 100 its weight plans`);
});

t.test('closed model: at every level the active connections split by weight, adding up to the level', async (t) => {
  const plan = loadPlan(
    planFile(
      'mix-closed',
      `surge: mix-closed
model: closed
phases: [{ ramp: { from: 1, to: 30, over: 3s } }]
paths: [{ path: /a, weight: 2 }, { path: /c, protocol: h2 }]
bees: 3
`,
    ),
  );
  const orders = fleetOrders(plan, limits, endpoints, asIs, 'auto');
  t.same(
    orders.map((o) => o.protocol ?? 'h1'),
    ['h1', 'h1', 'h2'],
  );
  for (let level = 1; level <= 30; level++) {
    const parts = orders.map((o) => groupPart(level, o.split));
    t.equal(
      parts.reduce((a, b) => a + b, 0),
      level,
      `level ${level}: ${parts.join('+')}`,
    );
    const h2 = parts[2]!;
    t.ok(Math.abs(h2 - level / 3) <= 0.5 + 1e-9, `level ${level}: the h2 group holds ${h2}, a third`);
    orders.forEach((o, i) => t.ok(parts[i]! <= o.pools[o.index]!, `bee ${i} never beyond its pool`));
  }
});

t.test('a plan mixing protocols needs a bee for each, and streams need an h2 path', async (t) => {
  const oneBee = planFile(
    'mix-one-bee',
    'surge: x\nphases: [{ hold: { rps: 10, for: 1s } }]\npaths: [/a, { path: /b, protocol: h2 }]\nbees: 1\n',
  );
  t.throws(() => loadPlan(oneBee), {
    message: /bees: the paths go over h1 and h2, and a bee speaks one: give at least 2/,
  });
  const defaults = loadPlan(
    planFile(
      'mix-default',
      'surge: x\nphases: [{ hold: { rps: 10, for: 1s } }]\npaths: [/a, { path: /b, protocol: h2 }]\n',
    ),
  );
  t.ok(defaults.bees >= 2, `the default gives each protocol a bee (${defaults.bees})`);
  const streams = loadPlan(
    planFile(
      'mix-streams',
      'surge: x\nphases: [{ hold: { rps: 10, for: 1s } }]\n' +
        'paths: [/a, { path: /b, protocol: h2 }]\nstreams: 4\nbees: 2\n',
    ),
  );
  t.equal(streams.streams, 4, 'streams for the h2 paths of an h1 plan');
  const noH2 = planFile(
    'h1-streams',
    'surge: x\nphases: [{ hold: { rps: 10, for: 1s } }]\n' +
      'protocol: h2\npaths: [{ path: /a, protocol: h1 }]\nstreams: 4\n',
  );
  t.throws(() => loadPlan(noH2), { message: /streams: concurrent streams per connection need protocol h2/ });
});

t.test('against the lab nginx: each protocol its share of the requests, h2 on every h2 connection', async (t) => {
  if (!realEdgeInstalled(t, realEdges.nginx)) return;
  const targets = targetsFile(`targets:
  nginx:
    lab: nginx
    surge: { allowed: true, max_rps: 1000, max_duration: 30s, max_requests: 20000 }
`);
  const plan = planFile(
    'mix-nginx',
    `surge: mix-nginx
phases:
  - { ramp: { to: 150, over: 1s } }
  - { hold: { rps: 150, for: 3s } }
paths: [{ path: /index.html, weight: 3 }, { path: /app.js, weight: 2, protocol: h2 }]
bees: 2
connections: 6
thresholds: { errors: 0.1% }
`,
  );
  const surge = await surgeIn(targets, 'nginx', plan, 'protocol-mix');
  t.equal(surge.protocol, 'h1', "the plan's own protocol");
  const [h1, h2] = surge.protocols!;
  t.match(h1, { protocol: 'h1', paths: ['/index.html'], planned_share: 0.6, bees: 1 });
  t.match(h2, { protocol: 'h2', paths: ['/app.js'], planned_share: 0.4, bees: 1 });
  t.equal(h1!.sent + h2!.sent, surge.totals.sent, 'every request is counted under its protocol');
  t.ok(Math.abs(h2!.share - 0.4) < 0.05, `h2 carried ${h2!.share} of the requests, 0.4 planned`);
  t.equal(h1!.errors + h2!.errors, 0);
  const totals = surge.connection_totals as BeeConnectionStats;
  // 40% of 6 connections, rounded: 2 for the h2 bee, 4 for the h1 bee's autocannon (which counts no handshakes)
  t.ok(totals.handshakes >= 2, `the h2 bee opened its ${totals.handshakes} connections (2 planned)`);
  t.same(totals.alpn, { h2: totals.handshakes }, 'every connection the bees opened themselves negotiated h2');
  t.equal(totals.h2_fallbacks, 0);
  // its connections open in the ramp: a phase that opened none says 0 rather than nothing
  t.ok(
    surge.phases.every((p) => p.connections?.handshakes !== undefined),
    `every phase has its count (${surge.phases.map((p) => p.connections?.handshakes).join(', ')})`,
  );
  t.equal(
    surge.phases.reduce((n, p) => n + (p.connections?.handshakes ?? 0), 0),
    totals.handshakes,
  );
  t.equal(surge.verdict, 'held');

  const record = surgeRunRecord('protocol-mix', { name: 'nginx', url: 'https://x' }, new Date(), new Date(), surge);
  const text = missionAssessment(record, paint(false)).join('\n');
  t.match(text, /\(open model, h1\+h2, 2 bees, 6 connections/);
  t.match(text, /protocol\s+paths\s+bees\s+sent\s+of requests\s+planned/);
  t.match(text, /\n {2}h2\s+\/app\.js\s+1\s+\d+\s+\d+\.\d%\s+40\.0%/);
  const closed = { ...record, surge: { ...surge, model: 'closed' as const } };
  t.match(
    missionAssessment(closed, paint(false)).join('\n'),
    /protocol\s+paths\s+bees\s+sent\s+of requests\s+of connections/,
    'a closed plan splits connections by weight, and says so',
  );
  const page = renderReport(record);
  t.match(page, /\(open model, h1\+h2, 2 bees/);
  t.match(page, /<h4>protocols<\/h4>/);
  t.match(page, /<td>h2<\/td><td><code>\/app\.js<\/code><\/td>/);
});
