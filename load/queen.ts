// The queen: hatches one worker thread per bee, starts them together on the
// shared clock, and hands on each second's slices once every bee has
// reported it. Stopping asks every bee to stop; one that does not answer in
// time is terminated.
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { HarnessError } from '../harness/errors.js';
import type { BeeMessage, BeeOrders, QueenMessage, SliceReport } from './beeProtocol.js';
import { clock, onWholeWallSecond } from './clock.js';

/** bees start together this long after the last one is ready */
const START_LEAD_MS = 250;
const READY_TIMEOUT_MS = 30_000;
/** past the plan's end, how long a bee may take to report before it is terminated */
const DONE_TIMEOUT_MS = 5_000;
/** once asked to stop (Ctrl-C), how long a bee may take to report */
const STOP_TIMEOUT_MS = 1_500;
const EXIT_TIMEOUT_MS = 2_000;
const FROM_SOURCE = import.meta.url.endsWith('.ts');

/**
 * A bee allocates a little per response and keeps nothing, so a small young
 * generation costs no throughput (scavenges stay cheap) and keeps each bee's
 * resident memory near 25 MB instead of 40.
 */
const YOUNG_GENERATION_MB = 4;

/**
 * What little a bee promotes to the old generation is mostly socket and TLS
 * wrappers whose native memory V8 does not see; under the default limit
 * (sized from the machine's memory) it waits there for a mark-compact that
 * comes late, and resident memory grows ~1 MB/s. A limit a few times the live
 * set (measured: ~9 MB, plus ~10 KB per connection) makes V8 collect early.
 * autocannon also copies the whole request cycle into every connection: up to
 * a kilobyte per connection per request in the cycle is allowed for that.
 * Not applied when the bee runs from TypeScript source (the tests): the
 * TypeScript loader then lives in the bee's heap too.
 */
function beeLimits(connections: number, cycleLength: number): ResourceLimits {
  if (FROM_SOURCE) return { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB };
  return {
    maxYoungGenerationSizeMb: YOUNG_GENERATION_MB,
    maxOldGenerationSizeMb: Math.ceil(32 + connections * (0.05 + cycleLength / 1024)),
  };
}

// bee.js beside this file once built; bee.ts when run from source (the tests)
const BEE_URL = new URL(FROM_SOURCE ? './bee.ts' : './bee.js', import.meta.url);

export interface QueenEvents {
  onStart(startAt: number): void;
  /** every bee has reported second `second` or has finished */
  onSecond(second: number, slices: SliceReport[]): void;
}

export interface QueenResult {
  /** planned requests whose time had come but which no bee sent */
  unsent: number;
  /** bees that had to be terminated without a final report */
  lost: number;
}

export class Queen {
  private readonly workers: Worker[] = [];
  private readonly done = new Set<number>();
  private readonly reported = new Map<number, Set<number>>();
  private readonly slices = new Map<number, SliceReport[]>();
  private nextSecond = 0;
  private unsent = 0;
  private stopping = false;
  private onAllDone: () => void = () => undefined;
  private onStop: () => void = () => undefined;
  private readonly stopped = new Promise<void>((resolve) => (this.onStop = resolve));

  constructor(
    private readonly orders: BeeOrders[],
    private readonly durationMs: number,
    private readonly events: QueenEvents,
  ) {}

  async run(): Promise<QueenResult> {
    let fail: (err: Error) => void = () => undefined;
    const failed = new Promise<never>((_, reject) => (fail = reject));
    failed.catch(() => undefined);
    try {
      const ready = this.orders.map((o) => this.hatch(o, (err) => fail(err)));
      await Promise.race([Promise.all(ready), failed, timeout(READY_TIMEOUT_MS, 'the bees did not get ready')]);
      // on a whole wall-clock second: the probe origin's per-second counts line up with the surge's seconds
      const startAt = onWholeWallSecond(clock() + START_LEAD_MS);
      this.events.onStart(startAt);
      this.broadcast({ type: 'start', startAt });
      if (this.stopping) this.broadcast({ type: 'stop' });
      const allDone = new Promise<void>((resolve) => (this.onAllDone = resolve));
      const deadline = startAt + this.durationMs + DONE_TIMEOUT_MS - clock();
      const stopTimedOut = this.stopped.then(() => sleep(STOP_TIMEOUT_MS)).then(() => false);
      const finished = await Promise.race([
        allDone.then(() => true),
        failed,
        sleep(deadline).then(() => false),
        stopTimedOut,
      ]);
      const lost = finished ? 0 : this.orders.length - this.done.size;
      this.flush(true);
      return { unsent: this.unsent, lost };
    } finally {
      await this.dismiss();
    }
  }

  /** Asks every bee to stop now; run() then resolves with what they saw. */
  stop(): void {
    if (this.stopping) return;
    this.stopping = true;
    this.onStop();
    this.broadcast({ type: 'stop' });
  }

  private hatch(orders: BeeOrders, fail: (err: Error) => void): Promise<void> {
    const worker = new Worker(BEE_URL, {
      workerData: orders,
      resourceLimits: beeLimits(orders.pools[orders.index] ?? 1, orders.requests.length),
    });
    this.workers.push(worker);
    return new Promise<void>((resolve) => {
      worker.on('message', (msg: BeeMessage) => {
        if (msg.type === 'ready') resolve();
        else if (msg.type === 'second') this.receive(orders.index, msg.second, msg.slices);
        else if (msg.type === 'done') this.finish(orders.index, msg.slices, msg.unsent);
        else fail(new HarnessError(`bee ${orders.index}: ${msg.message}`));
      });
      worker.on('error', (err) => fail(new HarnessError(`bee ${orders.index} failed: ${err.message}`)));
      worker.on('exit', (code) => {
        if (!this.done.has(orders.index))
          fail(new HarnessError(`bee ${orders.index} exited (code ${code}) before it reported`));
      });
    });
  }

  private receive(bee: number, second: number, slices: SliceReport[]): void {
    this.keep(slices);
    const from = this.reported.get(second) ?? new Set<number>();
    from.add(bee);
    this.reported.set(second, from);
    this.flush(false);
  }

  private finish(bee: number, slices: SliceReport[], unsent: number): void {
    this.keep(slices);
    this.unsent += unsent;
    this.done.add(bee);
    this.flush(false);
    if (this.done.size === this.orders.length) this.onAllDone();
  }

  private keep(slices: SliceReport[]): void {
    for (const s of slices) {
      const list = this.slices.get(s.second) ?? [];
      list.push(s);
      this.slices.set(s.second, list);
    }
  }

  /** Hands on every second all bees have reported, in order; at the end, whatever is left. */
  private flush(final: boolean): void {
    for (;;) {
      const second = this.nextSecond;
      const from = this.reported.get(second) ?? new Set<number>();
      const complete = this.orders.every((o) => from.has(o.index) || this.done.has(o.index));
      const last = Math.max(-1, ...this.slices.keys());
      if (!(complete || final) || second > last) return;
      this.events.onSecond(second, this.slices.get(second) ?? []);
      this.slices.delete(second);
      this.reported.delete(second);
      this.nextSecond++;
    }
  }

  private broadcast(msg: QueenMessage): void {
    for (const w of this.workers) w.postMessage(msg);
  }

  /** Lets each bee exit on its own (so its coverage and buffers flush); terminates any that linger. */
  private async dismiss(): Promise<void> {
    await Promise.all(
      this.workers.map(async (w, i) => {
        this.done.add(i);
        const exited = new Promise<void>((resolve) => w.once('exit', () => resolve()));
        w.postMessage({ type: 'exit' } satisfies QueenMessage);
        if (!(await Promise.race([exited.then(() => true), sleep(EXIT_TIMEOUT_MS).then(() => false)])))
          await w.terminate();
      }),
    );
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)).unref());
}

function timeout(ms: number, what: string): Promise<never> {
  return sleep(ms).then(() => {
    throw new HarnessError(`${what} within ${ms / 1000}s`);
  });
}
