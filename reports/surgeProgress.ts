// Live progress of a surge on a terminal: one status line rewritten every
// second (phase, elapsed, rps, p99, errors, hit ratio, origin rps); the
// last line of each phase stays. The CLI leaves it out in CI and off a TTY.
import type { SurgeTick } from '../harness/surgeRecord.js';
import { formatMs, formatRatio, formatSeconds } from './mission.js';
import type { Reporter, ReporterOptions } from './reporter.js';
import { paint, type Paint } from './terminal.js';

export default class SurgeProgressReporter implements Reporter {
  readonly name = 'surge-progress';
  private readonly p: Paint;
  private phase = -1;
  private drawn = false;
  constructor(private readonly opts: ReporterOptions) {
    this.p = paint(opts.color);
  }

  onSurgeTick(tick: SurgeTick): void {
    const out = this.opts.stream;
    if (this.drawn && tick.phase.index !== this.phase) out.write('\n');
    this.phase = tick.phase.index;
    out.write(`\r\x1b[K${progressLine(tick, this.p)}`);
    this.drawn = true;
  }

  onRunEnd(): void {
    if (this.drawn) this.opts.stream.write('\n');
    this.drawn = false;
  }
}

export function progressLine(tick: SurgeTick, p: Paint): string {
  const s = tick.second;
  const planned = s.planned_rps !== null ? `/${Math.round(s.planned_rps)}` : '';
  const attempts = s.rps + (s.errors - (s.status['4xx'] + s.status['5xx']));
  const errors = attempts > 0 ? s.errors / attempts : 0;
  const parts = [
    p.bold(`${tick.plan} › ${tick.phase.index + 1} ${tick.phase.label}`),
    p.dim(`${formatSeconds(tick.elapsed_ms)}/${formatSeconds(tick.planned_duration_ms)}`),
    `${s.rps}${planned} rps`,
    `p99 ${formatMs(s.latency_ms?.p99)}`,
    (s.errors > 0 ? p.red : (x: string) => x)(`errors ${formatRatio(errors, 2)}`),
    `hit ${s.claimed_hit_ratio !== null ? formatRatio(s.claimed_hit_ratio, 1) : '-'}`,
    ...(s.origin_rps !== undefined ? [`origin ${s.origin_rps} rps`] : []),
    // the bees, not the edge, set the pace this second
    ...(s.generator_limited ? [p.yellow(`bees saturated (busy ${Math.round(s.generator!.busy_pct)}%)`)] : []),
  ];
  return parts.join('  ');
}
