// How the queen shares a plan among bees: connections and request budgets
// split evenly, rate shares that add up to the plan (not bees x the plan, as
// autocannon's `workers` would), and pacers whose arrivals together follow
// the plan's curve second by second.
import t from 'tap';
import { edgeOrder } from '../load/fleet.js';
import { ClosedPacer, OpenPacer } from '../load/pacer.js';
import { RateCap } from '../load/rateCap.js';
import { Schedule } from '../load/schedule.js';
import { arrivalOffset, evenShare, rateShares, requestBudgets, splitEvenly } from '../load/split.js';

t.test('connections split evenly, the first bees taking the remainder', async (t) => {
  const table: Array<[number, number, number[]]> = [
    [10, 4, [3, 3, 2, 2]],
    [8, 4, [2, 2, 2, 2]],
    [3, 4, [1, 1, 1, 0]],
    [140, 3, [47, 47, 46]],
    [1, 1, [1]],
  ];
  for (const [total, parts, want] of table) {
    t.same(splitEvenly(total, parts), want, `${total} over ${parts}`);
    t.equal(
      splitEvenly(total, parts).reduce((a, b) => a + b, 0),
      total,
    );
    want.forEach((w, i) => t.equal(evenShare(total, parts, i), w));
  }
});

t.test('rate shares follow connections and add up to the whole rate', async (t) => {
  const shares = rateShares([3, 3, 2, 2]);
  t.same(shares, [0.3, 0.3, 0.2, 0.2]);
  t.equal(
    Math.round(shares.reduce((a, b) => a + b, 0) * 1e9) / 1e9,
    1,
    'the bees together fire the plan, not bees x the plan',
  );
  // every connection carries the same rate whichever bee holds it
  const perConnection = shares.map((s, i) => (1400 * s) / [3, 3, 2, 2][i]!);
  t.ok(perConnection.every((r) => Math.abs(r - 140) < 1e-9));
});

t.test('request budgets add up to the bound exactly', async (t) => {
  t.same(requestBudgets(10, [0.3, 0.3, 0.2, 0.2]), [3, 3, 2, 2]);
  const odd = requestBudgets(100_001, rateShares([47, 47, 46]));
  t.equal(
    odd.reduce((a, b) => a + b, 0),
    100_001,
  );
});

t.test('the schedule integrates ramps and holds, and inverts the integral', async (t) => {
  const s = new Schedule([
    { from: 0, to: 100, durationMs: 10_000 },
    { from: 100, to: 100, durationMs: 20_000 },
    { from: 100, to: 1400, durationMs: 5_000 },
    { from: 1400, to: 1400, durationMs: 30_000 },
  ]);
  t.equal(s.durationMs, 65_000);
  t.equal(s.cumulativeAt(10_000), 500, 'a ramp 0 -> 100 over 10s plans 500 requests');
  t.equal(s.cumulativeAt(30_000), 2500);
  t.equal(s.plannedTotal, 2500 + 3750 + 42_000);
  t.equal(s.levelAt(32_500), 750);
  for (const n of [0.5, 1, 250, 499.5, 500, 1234, 2500, 4000, 6250, 30_000, 48_250]) {
    const at = s.timeOf(n);
    t.ok(Math.abs(s.cumulativeAt(at) - n) < 1e-6, `timeOf(${n}) = ${at} inverts cumulativeAt`);
  }
  t.equal(s.timeOf(48_251), Infinity, 'nothing is due past the plan');
});

t.test('open-model pacers of several bees together send the plan, second by second', async (t) => {
  const schedule = new Schedule([
    { from: 0, to: 50, durationMs: 2_000 },
    { from: 50, to: 50, durationMs: 2_000 },
    { from: 150, to: 150, durationMs: 1_000 },
  ]);
  const pools = splitEvenly(7, 3);
  const shares = rateShares(pools);
  const perSecond = [0, 0, 0, 0, 0];
  let total = 0;
  pools.forEach((_, i) => {
    const pacer = new OpenPacer(schedule, shares[i]!, arrivalOffset(i, 3), 1_000_000);
    let last = -Infinity;
    for (let at = pacer.next(); at !== undefined; at = pacer.next()) {
      t.ok(at >= last, 'arrivals come in order');
      last = at;
      perSecond[Math.min(4, Math.floor(at / 1000))]!++;
      total++;
    }
  });
  const planned = [0, 1, 2, 3, 4].map((s) => schedule.cumulativeAt((s + 1) * 1000) - schedule.cumulativeAt(s * 1000));
  t.same(planned, [12.5, 37.5, 50, 50, 150]);
  perSecond.forEach((n, s) => t.ok(Math.abs(n - planned[s]!) <= 3, `second ${s}: ${n} sent for ${planned[s]} planned`));
  t.ok(Math.abs(total - schedule.plannedTotal) <= 3, `${total} sent for ${schedule.plannedTotal} planned`);
});

t.test('an open-model pacer stops at its budget and counts a backlog', async (t) => {
  const schedule = new Schedule([{ from: 100, to: 100, durationMs: 1_000 }]);
  const pacer = new OpenPacer(schedule, 1, 0.5, 10);
  const sent = [];
  for (let at = pacer.next(); at !== undefined; at = pacer.next()) sent.push(at);
  t.equal(sent.length, 10, 'the budget bounds the bee');
  t.equal(pacer.unsent(1_000), 0, 'requests held back by the budget are a bound, not a backlog');
  const behind = new OpenPacer(schedule, 1, 0.5, 1000);
  behind.next();
  t.equal(behind.unsent(500), 49, 'due by 500 ms but never taken: the bee fell behind');
  behind.release();
  t.equal(behind.unsent(500), 50, 'one handed out but not sent (the bee stopped first) is unsent too');
});

t.test('closed-model pacers keep the planned number of connections active', async (t) => {
  const schedule = new Schedule([
    { from: 0, to: 10, durationMs: 1_000 },
    { from: 10, to: 10, durationMs: 1_000 },
  ]);
  const bees = 3;
  const pacers = [0, 1, 2].map(
    (i) => new ClosedPacer(schedule, { shares: [1], bees: [bees], group: 0, index: i }, 1_000_000),
  );
  for (const now of [100, 500, 900, 1500]) {
    const active = pacers.reduce((n, p) => n + [...Array(10).keys()].filter((c) => p.mayWake(c, now)).length, 0);
    t.equal(active, Math.round(schedule.levelAt(now)), `at ${now} ms`);
  }
  t.notOk(pacers[0]!.mayWake(0, 2_000), 'nobody sends after the plan');
  t.equal(pacers[0]!.next(0, 1500), 1500, 'an active connection sends at once');
  t.equal(pacers[0]!.next(9, 1500), undefined, 'an inactive one parks');
});

t.test("a target's max_rps spaces a bee's requests, in both models", async (t) => {
  const cap = new RateCap(100);
  t.same(
    [0, 0, 0, 0, 45, 46].map((at) => cap.slot(at, at)),
    [0, 10, 20, 30, 45, 55],
    '100 rps at most: one every 10 ms',
  );

  // open model: the edge stalled for 2 s; the backlog may not go out at once
  const schedule = new Schedule([{ from: 50, to: 50, durationMs: 10_000 }]);
  const pacer = new OpenPacer(schedule, 1, 0, 1_000_000);
  const capped = new RateCap(80);
  const now = 2_000;
  const sends: number[] = [];
  for (let at = pacer.next(); at !== undefined && at <= now; at = pacer.next()) sends.push(capped.slot(at, now));
  t.ok(sends.length >= 100, `${sends.length} requests were due`);
  const gaps = sends.slice(1).map((s, i) => s - sends[i]!);
  t.ok(
    gaps.every((g) => g >= 1000 / 80 - 1e-9),
    'caught up at 80 rps at most, not in a burst',
  );

  const closed = new ClosedPacer(
    new Schedule([{ from: 4, to: 4, durationMs: 10_000 }]),
    { shares: [1], bees: [1], group: 0, index: 0 },
    2,
  );
  t.equal(closed.next(0, 0), 0);
  t.equal(closed.next(1, 0), 0);
  t.equal(closed.next(2, 0), undefined, 'the request budget bounds a closed surge');
});

t.test('at any closed-model level the active connections spread over every edge', async (t) => {
  const edges = ['https://127.0.0.1:443', 'https://127.0.0.2:443', 'https://127.0.0.3:443'];
  for (const bees of [1, 2, 3, 4, 5, 6]) {
    for (let level = 1; level <= 12; level++) {
      const perEdge = new Map<string, number>(edges.map((e) => [e, 0]));
      for (let bee = 0; bee < bees; bee++) {
        const order = edgeOrder(edges, bee, bees);
        // a bee's active connections are its lowest; autocannon gives connection c the address c mod n
        for (let c = 0; c < evenShare(level, bees, bee); c++)
          perEdge.set(order[c % order.length]!, perEdge.get(order[c % order.length]!)! + 1);
      }
      const counts = [...perEdge.values()];
      t.ok(
        Math.max(...counts) - Math.min(...counts) <= 1,
        `${bees} bees, ${level} connections: ${counts.join('/')} per edge`,
      );
    }
  }
  t.same(edgeOrder([], 1, 3), [], 'no addresses, nothing to order');
  t.same(edgeOrder(['a', 'b'], 1, 2), ['b', 'b'], 'two bees, two edges: each bee keeps to one');
});
