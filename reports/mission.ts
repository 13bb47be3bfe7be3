// The mission assessment: after a surge (live, or from a saved run record),
// each phase planned against achieved, each threshold held or breached and
// where, the notes, and the verdict the exit code follows.
import type { RunRecord } from '../harness/record.js';
import type { SurgePhaseRecord, SurgeRecord, SurgeThresholdSummary, ThresholdVerdict } from '../harness/surgeRecord.js';
import type { Reporter, ReporterOptions } from './reporter.js';
import { CONNECTION_HEADER, connectionCells } from './connectionCells.js';
import { protocolCells, protocolHeader, protocolText } from './protocolCells.js';
import { paint, type Paint } from './terminal.js';

export default class MissionReporter implements Reporter {
  readonly name = 'mission';
  private readonly p: Paint;
  constructor(private readonly opts: ReporterOptions) {
    this.p = paint(opts.color);
  }

  onRunEnd(record: RunRecord): void {
    if (!record.surge) return;
    this.opts.stream.write(missionAssessment(record, this.p).join('\n') + '\n');
  }
}

export function missionAssessment(record: RunRecord, p: Paint): string[] {
  const s = record.surge!;
  const lines: string[] = [];
  const how =
    `${s.model} model, ${protocolText(s)}${s.bees} bee${s.bees === 1 ? '' : 's'}, ${s.connections} connections, ` +
    `${formatSeconds(s.duration_ms)}${s.source === 'k6' ? ', from a k6 summary' : ''}`;
  lines.push('', p.bold(`mission assessment: surge ${s.plan} against ${record.target.name} (${how})`));
  if (s.partial)
    lines.push(
      p.yellow(
        `  partial: ${s.stop_reason ?? 'stopped'} ` +
          `after ${formatSeconds(s.duration_ms)} of ${formatSeconds(s.planned_duration_ms)}`,
      ),
    );
  lines.push(...phaseTable(s, p), '');
  if (s.protocols) lines.push(...protocolTable(s, p), '');
  if (s.phases.some((ph) => ph.connections)) lines.push(...connectionTable(s, p), '');
  for (const t of s.thresholds) lines.push(thresholdLine(t, s, p));
  for (const n of s.notes) lines.push(p.yellow(`  note: ${n}`));
  const held = s.verdict === 'held';
  // one blank line before the verdict, whether or not thresholds and notes came before it
  if (lines.at(-1) !== '') lines.push('');
  lines.push(
    s.verdict === 'inconclusive'
      ? p.yellow(p.bold(`  verdict: inconclusive: ${s.inconclusive_reason ?? 'the bees were the bottleneck'}`))
      : held
        ? p.green(p.bold('  verdict: the edge held'))
        : p.red(
            p.bold(
              `  verdict: breached (${s.thresholds
                .filter((t) => t.verdict === 'breached')
                .map((t) => t.threshold)
                .join(', ')})`,
            ),
          ),
  );
  return lines;
}

function phaseTable(s: SurgeRecord, p: Paint): string[] {
  const bees = s.phases.some((ph) => ph.generator);
  const header = ['phase', 'planned', 'achieved', 'p50', 'p99', 'errors', 'hit ratio', 'origin rps'];
  if (bees) header.push('bees');
  const rows = s.phases.map((ph) => [
    `${ph.index + 1} ${ph.label}`,
    plannedText(ph),
    `${ph.rps} rps`,
    formatMs(ph.latency_ms?.p50),
    formatMs(ph.latency_ms?.p99),
    ph.responses + ph.errors > 0 ? formatRatio(ph.error_rate, 2) : '-',
    hitRatio(ph),
    ph.cache.origin_rps !== undefined ? String(ph.cache.origin_rps) : '-',
    ...(bees ? [beeLoad(ph)] : []),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (cells: string[]) =>
    '  ' + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const marks = s.phases.map((ph) => phaseMark(ph, p));
  return [p.dim(fmt(header)), ...rows.map((r, i) => `${fmt(r)} ${marks[i]}`)];
}

function plannedText(ph: SurgePhaseRecord): string {
  if (ph.planned.rps !== undefined) return `${ph.planned.rps} rps`;
  const to = ph.planned.to;
  return ph.planned.unit === 'visitors' ? `${to} visits/s` : `${to} conn`;
}

/**
 * The bees' own TLS connections per phase (visitors, h2): handshakes against the plan, full and resumed
 * handshake p99 apart, what the edge resumed of what was offered, ALPN and connection errors.
 */
function connectionTable(s: SurgeRecord, p: Paint): string[] {
  const header = ['connections', ...CONNECTION_HEADER];
  const rows = s.phases.map((ph) => [`${ph.index + 1} ${ph.label}`, ...connectionCells(ph, formatMs)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (cells: string[]) =>
    '  ' + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [p.dim(fmt(header)), ...rows.map(fmt)];
}

/** Paths over h1 and h2: each protocol's share of the requests sent against its paths' weights. */
function protocolTable(s: SurgeRecord, p: Paint): string[] {
  const rows = s.protocols!.map((x) => protocolCells(x, formatMs, formatRatio));
  const header = protocolHeader(s.model);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (cells: string[]) =>
    '  ' + cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [p.dim(fmt(header)), ...rows.map(fmt)];
}

/** "cpu 98% busy 99% late 12% !": the busiest bee's load, marked where the bees were saturated */
function beeLoad(ph: SurgePhaseRecord): string {
  const g = ph.generator;
  if (!g) return '-';
  const parts = [
    ...(g.cpu_pct !== null ? [`cpu ${Math.round(g.cpu_pct)}%`] : []),
    `busy ${Math.round(g.busy_pct)}%`,
    ...(g.late_share !== null ? [`late ${formatRatio(g.late_share, 1)}`] : []),
  ];
  // the mark says what crossed its threshold, where the figures beside it do not show it (a loop delay, a core short)
  const unshown = g.saturated_by.filter((why) => !SHOWN.has(why)).map((why) => saturationText(why, g));
  const mark = ph.generator_limited ? ` !${unshown.length ? ` ${unshown.join(', ')}` : ''}` : '';
  return `${parts.join(' ')}${mark}`;
}

/** Saturation reasons the bees column shows as figures already. */
const SHOWN = new Set(['busy', 'late_arrivals']);

function saturationText(why: string, g: NonNullable<SurgePhaseRecord['generator']>): string {
  if (why === 'loop_delay' && g.loop_delay_p99_ms !== null) return `loop delay ${Math.round(g.loop_delay_p99_ms)}ms`;
  if (why === 'cpu' && g.cpu_pct !== null) return `cpu+wait ${Math.round(g.cpu_pct + (g.cpu_wait_pct ?? 0))}%`;
  return why.replace(/_/g, ' ');
}

function phaseMark(ph: SurgePhaseRecord, p: Paint): string {
  const breached = ph.thresholds.some((t) => t.verdict === 'breached');
  if (breached && ph.generator_limited) return p.yellow('?');
  if (breached) return p.red('✗');
  return ph.thresholds.some((t) => t.verdict === 'held') ? p.green('✓') : '';
}

function hitRatio(ph: SurgePhaseRecord): string {
  const truth = ph.cache.origin_hit_ratio;
  if (truth !== undefined && truth !== null) return formatRatio(truth, 1);
  return ph.cache.claimed_hit_ratio !== null ? `${formatRatio(ph.cache.claimed_hit_ratio, 1)}*` : '-';
}

function thresholdLine(t: SurgeThresholdSummary, s: SurgeRecord, p: Paint): string {
  const rule = `${t.threshold} ${t.comparison === '<=' ? '≤' : '≥'} ${t.limit}`;
  if (t.verdict === 'not measured') return `  ${p.yellow('-')} ${rule}: not measured (${t.reason ?? 'no data'})`;
  if (t.verdict === 'held') {
    const whole = t.actual !== null ? ` (whole surge ${formatValue(t, t.actual)})` : '';
    return `  ${p.green('✓')} ${rule}: held in every phase${whole}`;
  }
  const where = (phases: number[]) =>
    phases.map((i) => {
      const v = s.phases[i]!.thresholds.find((x) => x.threshold === t.threshold)!;
      if (v.actual === null) return `phase ${i + 1} (${v.reason ?? 'no value'})`;
      const below = t.threshold === 'min_rps' ? ` < ${formatValue(v, v.limit_value)}` : '';
      return `phase ${i + 1} ${formatValue(v, v.actual)}${below}`;
    });
  const excused = t.inconclusive_in?.length
    ? `breached in ${where(t.inconclusive_in).join(', ')}, where the bees were the bottleneck`
    : '';
  if (t.verdict === 'inconclusive') return `  ${p.yellow('?')} ${rule}: inconclusive: ${excused}`;
  return `  ${p.red('✗')} ${rule}: breached in ${where(t.breached_in).join(', ')}${excused ? `; ${excused}` : ''}`;
}

function formatValue(t: Pick<ThresholdVerdict, 'threshold'>, v: number | null): string {
  if (v === null) return '-';
  if (t.threshold.startsWith('p')) return formatMs(v);
  if (t.threshold === 'errors' || t.threshold === 'cache_hit_ratio') return formatRatio(v, 2);
  return `${Math.round(v * 100) / 100} rps`;
}

export function formatMs(ms: number | undefined | null): string {
  if (ms === undefined || ms === null) return '-';
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)}s` : ms >= 10 ? `${ms.toFixed(0)}ms` : `${ms.toFixed(1)}ms`;
}

export function formatRatio(r: number, digits: number): string {
  return `${(r * 100).toFixed(digits)}%`;
}

export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}
