// How hard a bee itself is working, so the queen can tell a slow edge from a
// saturated load generator: per slice, the bee's event-loop utilisation, its
// thread's CPU time (and time spent waiting for a core), how late its event
// loop ran timers, and how many open-model arrivals it sent late through its
// own fault. Runs inside the bee.
import { readFileSync } from 'node:fs';
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import type { GeneratorSlice } from './beeProtocol.js';
import { clock } from './clock.js';
import { encode, newHistogram, recordMs } from './latencyHistogram.js';

/**
 * An arrival the bee sent more than this after it could have gone (its
 * intended time, or its connection's coming free if later) is late: past
 * 10 ms the bee's own delay is material beside an edge's few-ms answers, and
 * a setTimeout on an idle loop is never that late.
 */
export const LATE_ARRIVAL_MS = 10;

/**
 * The loop-delay sampler's period. A timer of our own rather than
 * monitorEventLoopDelay: its samples go into an HDR histogram that the queen
 * adds up exactly per second and per phase, as with latencies (Node's own
 * histogram cannot be shipped or merged across threads).
 */
const SAMPLE_EVERY_MS = 10;

/**
 * The bee's first moments after the start, whose loop delay is not sampled:
 * it opens all its connections then (TLS handshakes on its own thread), a
 * stall of tens of ms once per surge that would mark a short first phase as
 * saturated at a few % CPU. Arrivals it delays still count as late.
 */
export const STARTUP_UNSAMPLED_MS = 250;

export class GeneratorGauge {
  private readonly delay = newHistogram();
  private elu: EventLoopUtilization = performance.eventLoopUtilization();
  private sched: ThreadSchedule | undefined = threadSchedule();
  private arrivals = 0;
  private late = 0;
  private sampler: NodeJS.Timeout | undefined;
  /** the sampler's last delay, and when it expects to run next */
  private lastDelay = 0;
  private expected = Infinity;

  constructor(private readonly bee: number) {}

  /** Starts sampling the loop's delay and opens the first slice. */
  start(): void {
    this.cut();
    this.expected = clock() + SAMPLE_EVERY_MS;
    const sampleFrom = clock() + STARTUP_UNSAMPLED_MS;
    this.sampler = setInterval(() => {
      const now = clock();
      this.lastDelay = Math.max(0, now - this.expected);
      // a stall that began in the start-up is the start-up's, however long it lasted
      if (this.expected >= sampleFrom) recordMs(this.delay, this.lastDelay);
      this.expected = now + SAMPLE_EVERY_MS;
    }, SAMPLE_EVERY_MS);
    this.sampler.unref();
  }

  stop(): void {
    clearInterval(this.sampler);
  }

  /**
   * How long the event loop has been keeping callbacks waiting, as of now:
   * its last delay, or how overdue the next sample is if more. An answer
   * that came in while the loop was this far behind waited that long
   * unread, so a connection it freed could have gone that much sooner: the
   * bee's wait, not the edge's.
   */
  lag(): number {
    return Math.max(this.lastDelay, clock() - this.expected, 0);
  }

  /** When an arrival due at `sendAt`, found overdue at `now` on a connection that just came free, could have gone. */
  couldHaveGone(sendAt: number, now: number): number {
    return Math.max(sendAt, now - this.lag());
  }

  /** An open-model arrival went out `lateMs` after it could have. */
  onArrival(lateMs: number): void {
    this.arrivals++;
    if (lateMs > LATE_ARRIVAL_MS) this.late++;
  }

  /** The slice so far; the gauge starts a new one. */
  cut(): GeneratorSlice {
    const elu = performance.eventLoopUtilization(this.elu);
    this.elu = performance.eventLoopUtilization();
    const sched = threadSchedule();
    const was = this.sched;
    this.sched = sched;
    const slice: GeneratorSlice = {
      bee: this.bee,
      active_ms: elu.active,
      wall_ms: elu.active + elu.idle,
      ...(sched && was ? { cpu_ms: sched.cpuMs - was.cpuMs, cpu_wait_ms: sched.waitMs - was.waitMs } : {}),
      loop_delay: encode(this.delay),
      arrivals: this.arrivals,
      late: this.late,
    };
    this.delay.reset();
    this.arrivals = 0;
    this.late = 0;
    return slice;
  }
}

interface ThreadSchedule {
  /** time on a core, and time runnable but waiting for one, since the thread began */
  cpuMs: number;
  waitMs: number;
}

/**
 * This thread's time on a core and waiting in the run queue, from
 * /proc/thread-self/schedstat (nanoseconds). Node 20 has no
 * process.threadCpuUsage, and process.cpuUsage counts every thread of the
 * process. The wait matters on a shared machine: a bee starved of CPU is as
 * much the bottleneck as one that uses a whole core, and its event loop looks
 * idle while it waits. Undefined off Linux.
 */
function threadSchedule(): ThreadSchedule | undefined {
  try {
    const [cpu, wait] = readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ').map(Number);
    return Number.isFinite(cpu) && Number.isFinite(wait) ? { cpuMs: cpu! / 1e6, waitMs: wait! / 1e6 } : undefined;
  } catch {
    return undefined;
  }
}
