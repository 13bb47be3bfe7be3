// Whose wait is it? An open-model arrival due while its connection is busy
// waits for the edge; but when the bee's own event loop lags, an answer sits
// unread and the connection comes free late through the bee's fault. Against
// an edge slower than the plan (every arrival overdue), a bee whose loop
// keeps up counts no arrival late, and a bee whose loop lags counts them late.
// And the bee's start-up (opening its connections) is not counted as loop delay.
import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import t, { type Test } from 'tap';
import { dialectByName } from '../harness/cacheStatus/index.js';
import { GeneratorGauge, LATE_ARRIVAL_MS, STARTUP_UNSAMPLED_MS } from '../load/generatorGauge.js';
import { decode } from '../load/latencyHistogram.js';
import { pace, type AutocannonClient, type BeeState } from '../load/pacedClient.js';
import { OpenPacer } from '../load/pacer.js';
import { Schedule } from '../load/schedule.js';
import { SliceRecorder } from '../load/sliceRecorder.js';

/** An edge in a process of its own (so the test's blocked loop does not slow it), answering each request in 5 ms. */
async function slowEdge(t: Test): Promise<number> {
  const code =
    "require('node:http').createServer((q, s) => setTimeout(() => s.end('ok'), 5))" +
    ".listen(0, '127.0.0.1', function () { console.log(this.address().port); });";
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => void child.kill());
  const [line] = (await once(child.stdout, 'data')) as [Buffer];
  return Number(line.toString().trim());
}

async function flyAgainst(port: number, blockMs: number): Promise<{ arrivals: number; late: number }> {
  const gauge = new GeneratorGauge(0);
  const start = performance.now();
  // 1000 rps on one connection to an edge that answers in 5 ms: every arrival is overdue when the connection frees
  const schedule = new Schedule([{ from: 1000, to: 1000, durationMs: 1500 }]);
  const bee: BeeState = {
    now: () => performance.now() - start,
    pacer: new OpenPacer(schedule, 1, 0.5, 1_000_000),
    recorder: new SliceRecorder(),
    dialect: dialectByName('auto'),
    model: 'open',
    stopped: false,
    parked: new Set(),
    gauge,
  };
  gauge.start();
  const instance = autocannon(
    {
      url: `http://127.0.0.1:${port}/`,
      connections: 1,
      duration: 5,
      setupClient: (client) => void pace(client as unknown as AutocannonClient, 0, bee),
    },
    () => undefined,
  );
  // a bee too busy to read its answers: its loop held for blockMs at a time, then freed for a moment
  const until = performance.now() + 1200;
  await new Promise<void>((resolve) => {
    const hold = () => {
      if (performance.now() >= until) return resolve();
      const end = performance.now() + blockMs;
      while (performance.now() < end);
      setImmediate(hold);
    };
    // the first arrivals (the connection opening) are left out: from here on every one is overdue
    setTimeout(() => {
      gauge.cut();
      hold();
    }, 200);
  });
  bee.stopped = true;
  instance.stop();
  gauge.stop();
  const slice = gauge.cut();
  return { arrivals: slice.arrivals, late: slice.late };
}

t.test("a busy connection on a slow edge is the edge's wait; a lagging loop's is the bee's", async (t) => {
  const port = await slowEdge(t);
  const keeps = await flyAgainst(port, 0);
  t.ok(keeps.arrivals >= 50, `the bee sent ${keeps.arrivals} arrivals`);
  t.ok(
    // a loaded machine may hold the loop now and then; counting the edge's wait would make nearly all late
    keeps.late <= keeps.arrivals * 0.1,
    `the edge held them back, not the bee: ${keeps.late} of ${keeps.arrivals} late`,
  );
  const lags = await flyAgainst(port, 3 * LATE_ARRIVAL_MS);
  t.ok(lags.arrivals >= 10, `the lagging bee sent ${lags.arrivals} arrivals`);
  t.ok(
    lags.late >= lags.arrivals * 0.8,
    `answers that sat unread in the bee made its arrivals late: ${lags.late} of ${lags.arrivals}`,
  );
});

t.test("the bee's start-up stall is not loop delay; a stall later is", async (t) => {
  const block = (ms: number) => {
    const end = performance.now() + ms;
    while (performance.now() < end);
  };
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const gauge = new GeneratorGauge(0);
  gauge.start();
  // opening its connections: the loop held at once after the start
  block(80);
  await pause(STARTUP_UNSAMPLED_MS + 50);
  const startup = decode(gauge.cut().loop_delay);
  t.ok(startup.maxValue < 50_000, `the start-up's stall is left out (max ${startup.maxValue / 1000} ms)`);
  block(80);
  await pause(50);
  gauge.stop();
  const later = decode(gauge.cut().loop_delay);
  t.ok(later.maxValue >= 60_000, `a stall after it is measured (max ${later.maxValue / 1000} ms)`);
});
