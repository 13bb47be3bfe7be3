// A surge in the report: the verdict per threshold, each phase planned against
// achieved, and the per-second timeline as charts with the phases marked.
import type {
  SurgePhaseRecord,
  SurgeRecord,
  SurgeSecond,
  SurgeThresholdSummary,
  ThresholdVerdict,
} from '../../harness/surgeRecord.js';
import { CONNECTION_HEADER, connectionCells } from '../connectionCells.js';
import { protocolCells, protocolHeader, protocolText } from '../protocolCells.js';
import { html, type Markup, ms, percent, table } from './markup.js';

/** A line chart the page's client script draws with uPlot; x is seconds since the surge started. */
export interface ChartSpec {
  id: string;
  title: string;
  x: number[];
  /** where the x axis ends: the surge's length in seconds */
  xMax: number;
  /** the left axis's unit, and the right's when a series uses it */
  unit: string;
  unit2?: string;
  /** a fixed range for the left axis (a percentage), instead of fitting the data */
  range?: [number, number];
  series: Array<{ label: string; color: string; values: Array<number | null>; right?: boolean; dash?: boolean }>;
  /** vertical lines: where each phase begins */
  marks: Array<{ x: number; label: string }>;
}

const COLOR = {
  blue: '#1f6fd1',
  grey: '#7a8699',
  green: '#1a7f37',
  amber: '#b35900',
  red: '#cf222e',
  purple: '#8250df',
  teal: '#0b7a75',
};

export function surgeSection(s: SurgeRecord): { body: Markup; charts: ChartSpec[] } {
  const charts = surgeCharts(s);
  const chartBoxes = charts.length
    ? html`<div class="charts">
        ${charts.map((c) => html`<figure class="chart" id="${c.id}"><figcaption>${c.title}</figcaption></figure>`)}
      </div>`
    : html`<p class="dim">no per-second timeline${s.source === 'k6' ? ' (read from a k6 summary)' : ''}</p>`;
  const body = html`${surgeHeadline(s)}
    <h4>thresholds</h4>
    ${thresholdTable(s)}
    <h4>phases</h4>
    ${phaseTable(s)}
    ${
      s.protocols
        ? html`<h4>protocols</h4>
            ${protocolTable(s)}`
        : ''
    }
    ${
      s.phases.some((p) => p.connections)
        ? html`<h4>connections</h4>
            ${connectionTable(s)}`
        : ''
    }
    ${
      s.notes.length
        ? html`<ul class="notes">
            ${s.notes.map((n) => html`<li>${n}</li>`)}
          </ul>`
        : ''
    }
    <h4>over time</h4>
    ${chartBoxes}`;
  return { body, charts };
}

function surgeHeadline(s: SurgeRecord): Markup {
  const held = s.verdict === 'held';
  const breached = s.thresholds.filter((t) => t.verdict === 'breached').map((t) => t.threshold);
  const how =
    `${s.model} model, ${protocolText(s)}${s.bees} bee${s.bees === 1 ? '' : 's'}, ${s.connections} connections, ` +
    `${(s.duration_ms / 1000).toFixed(1)} s of ${(s.planned_duration_ms / 1000).toFixed(1)} s planned` +
    (s.source === 'k6' ? ', from a k6 summary' : '');
  const partial = s.partial
    ? html`<p class="warn">partial: ${s.stop_reason ?? 'stopped'}; the numbers cover what ran</p>`
    : '';
  const t = s.totals;
  const headline =
    s.verdict === 'inconclusive'
      ? `inconclusive: ${s.inconclusive_reason ?? 'the bees were the bottleneck'}`
      : held
        ? 'the edge held'
        : `breached: ${breached.join(', ')}`;
  const verdictClass = held ? 'passed' : s.verdict === 'inconclusive' ? 'warn' : 'failed';
  return html`<p class="surge-verdict ${verdictClass}" data-surge-verdict="${s.verdict}">${headline}</p>
    <p><b>${s.plan}</b>${s.title ? html` — ${s.title}` : ''} <span class="dim">(${how})</span></p>
    ${partial}
    <p class="totals">
      ${t.sent} sent · ${t.responses} responses · ${t.rps} rps · errors ${percent(t.error_rate, 2)} · p50
      ${ms(t.latency_ms?.p50)} · p99 ${ms(t.latency_ms?.p99)} · hit ratio
      ${hitRatio(t.cache.origin_hit_ratio, t.cache.claimed_hit_ratio)}
      ${t.cache.origin_rps !== undefined ? html`· origin ${t.cache.origin_rps} rps` : ''}
    </p>`;
}

function thresholdTable(s: SurgeRecord): Markup {
  if (s.thresholds.length === 0) return html`<p class="dim">the plan sets no thresholds</p>`;
  const rows = s.thresholds.map((t) => [
    verdictMark(t),
    html`<code>${t.threshold} ${t.comparison === '<=' ? '≤' : '≥'} ${t.limit}</code>`,
    t.verdict === 'not measured' ? `not measured: ${t.reason ?? 'no data'}` : formatValue(t, t.actual),
    where(t),
  ]);
  return table(['', 'threshold', 'whole surge', 'where'], rows, 'thresholds');
}

function where(t: SurgeThresholdSummary): string {
  const phases = (list: number[]) => `phase ${list.map((i) => i + 1).join(', ')}`;
  const parts = [
    ...(t.breached_in.length ? [`breached in ${phases(t.breached_in)}`] : []),
    ...(t.inconclusive_in?.length ? [`breached in ${phases(t.inconclusive_in)}, where the bees were saturated`] : []),
  ];
  return parts.join('; ');
}

function phaseTable(s: SurgeRecord): Markup {
  const rows = s.phases.map((p) => [
    phaseMark(p),
    `${p.index + 1} ${p.label}`,
    p.planned.rps !== undefined
      ? `${p.planned.rps} rps`
      : `${p.planned.to} ${p.planned.unit === 'visitors' ? 'visits/s' : 'connections'}`,
    `${p.rps} rps`,
    ms(p.latency_ms?.p50),
    ms(p.latency_ms?.p95),
    ms(p.latency_ms?.p99),
    `${p.status['2xx']} / ${p.status['3xx']} / ${p.status['4xx']} / ${p.status['5xx']}`,
    p.responses + p.errors > 0 ? percent(p.error_rate, 2) : '—',
    hitRatio(p.cache.origin_hit_ratio, p.cache.claimed_hit_ratio),
    p.cache.origin_rps !== undefined ? String(p.cache.origin_rps) : '—',
    beeLoad(p),
  ]);
  const head = ['', 'phase', 'planned', 'achieved', 'p50', 'p95', 'p99', '2xx / 3xx / 4xx / 5xx', 'errors'];
  return html`${table([...head, 'hit ratio', 'origin rps', 'bees'], rows, 'phases')}
    <p class="dim">
      hit ratio: from the probe origin's count; marked * where only the vendor header's claim was available. bees: the
      busiest bee's CPU and event-loop use, and the arrivals sent late; ⚠ where the bees were saturated
    </p>`;
}

/** Paths over h1 and h2: each protocol's share of the requests sent against its paths' weights. */
function protocolTable(s: SurgeRecord): Markup {
  const rows = s.protocols!.map((x) =>
    protocolCells(x, ms, percent).map((c, i) => (i === 1 ? html`<code>${c}</code>` : c)),
  );
  return html`${table(protocolHeader(s.model), rows, 'protocols')}
    <p class="dim">a bee speaks one protocol: the bees are split by the paths' weights</p>`;
}

/** The bees' own TLS connections per phase (visitors, h2): handshakes, resumption, ALPN, connection errors. */
function connectionTable(s: SurgeRecord): Markup {
  const rows = s.phases.map((p) => [`${p.index + 1} ${p.label}`, ...connectionCells(p, ms)]);
  return html`${table(['phase', ...CONNECTION_HEADER], rows, 'connections')}
    <p class="dim">
      handshakes/s: completed, of the visits planned; full and resumed: handshake p99 (how many); resumed: the sessions
      the edge resumed of those returning visitors offered
    </p>`;
}

/** "CPU 98% · busy 99% · late 12% ⚠": the bees' own load in a phase; — from a k6 summary */
function beeLoad(p: SurgePhaseRecord): string {
  const g = p.generator;
  if (!g) return '—';
  const parts = [
    ...(g.cpu_pct !== null ? [`CPU ${Math.round(g.cpu_pct)}%`] : []),
    `busy ${Math.round(g.busy_pct)}%`,
    ...(g.late_share !== null ? [`late ${percent(g.late_share, 1)}`] : []),
  ];
  return `${parts.join(' · ')}${p.generator_limited ? ' ⚠' : ''}`;
}

function verdictMark(t: SurgeThresholdSummary): Markup {
  if (t.verdict === 'held') return html`<span class="good">✓</span>`;
  if (t.verdict === 'breached') return html`<span class="bad">✗</span>`;
  if (t.verdict === 'inconclusive') return html`<span class="warn">?</span>`;
  return html`<span class="dim">–</span>`;
}

function phaseMark(p: SurgePhaseRecord): Markup | '' {
  const breached = p.thresholds.some((t) => t.verdict === 'breached');
  if (breached && p.generator_limited) return html`<span class="warn">?</span>`;
  if (breached) return html`<span class="bad">✗</span>`;
  return p.thresholds.some((t) => t.verdict === 'held') ? html`<span class="good">✓</span>` : '';
}

function hitRatio(truth: number | null | undefined, claimed: number | null): string {
  if (truth !== undefined && truth !== null) return percent(truth);
  return claimed !== null ? `${percent(claimed)}*` : '—';
}

function formatValue(t: Pick<ThresholdVerdict, 'threshold'>, v: number | null): string {
  if (v === null) return '—';
  if (t.threshold.startsWith('p')) return ms(v);
  if (t.threshold === 'errors' || t.threshold === 'cache_hit_ratio') return percent(v, 2);
  return `${Math.round(v * 100) / 100} rps`;
}

/** The timeline's charts; a second [t, t+1) is drawn at its middle. */
export function surgeCharts(s: SurgeRecord): ChartSpec[] {
  const tl = s.timeline;
  if (tl.length === 0) return [];
  const x = tl.map((sec) => sec.t + 0.5);
  const marks = s.phases.map((p) => ({ x: p.start_ms / 1000, label: `${p.index + 1} ${p.kind}` }));
  const latency = (k: 'p50' | 'p95' | 'p99') => tl.map((sec) => round(sec.latency_ms?.[k]));
  const status = (k: '2xx' | '3xx' | '4xx' | '5xx') => tl.map((sec) => sec.status[k]);
  const xMax = Math.max(s.duration_ms / 1000, tl[tl.length - 1]!.t + 1);
  const base = { x, xMax, marks };
  return [
    {
      ...base,
      id: 'chart-rps',
      title: 'Requests per second',
      unit: 'requests/s',
      series: [
        // planned first, so the achieved line is drawn over it
        { label: 'planned', color: COLOR.grey, values: tl.map((sec) => sec.planned_rps), dash: true },
        { label: 'achieved', color: COLOR.blue, values: tl.map((sec) => sec.rps) },
      ],
    },
    {
      ...base,
      id: 'chart-latency',
      title: 'Latency percentiles',
      unit: 'ms',
      series: [
        { label: 'p50', color: COLOR.green, values: latency('p50') },
        { label: 'p95', color: COLOR.amber, values: latency('p95') },
        { label: 'p99', color: COLOR.red, values: latency('p99') },
      ],
    },
    {
      ...base,
      id: 'chart-status',
      title: 'Responses by status class, and transport errors, per second',
      unit: 'per second',
      series: [
        { label: '2xx', color: COLOR.green, values: status('2xx') },
        { label: '3xx', color: COLOR.blue, values: status('3xx') },
        { label: '4xx', color: COLOR.amber, values: status('4xx') },
        { label: '5xx', color: COLOR.red, values: status('5xx') },
        { label: 'transport errors', color: COLOR.purple, values: tl.map(transportErrors) },
      ],
    },
    {
      ...base,
      id: 'chart-cache',
      title: 'Hit ratio (the probe origin’s count, and the vendor header’s claim) and requests that reached the origin',
      unit: 'hit ratio %',
      range: [0, 100],
      unit2: 'origin requests/s',
      series: [
        // the ground truth: the responses of the second that did not reach the origin
        { label: 'hit ratio % (origin)', color: COLOR.green, values: tl.map(originHitRatio) },
        {
          label: 'claimed hit ratio %',
          color: COLOR.teal,
          values: tl.map((sec) => (sec.claimed_hit_ratio === null ? null : round(sec.claimed_hit_ratio * 100))),
        },
        {
          label: 'origin requests/s',
          color: COLOR.amber,
          values: tl.map((sec) => sec.origin_rps ?? null),
          right: true,
        },
      ],
    },
  ];
}

/** The share of a second's responses the origin did not see; none without the origin's count or a response. */
function originHitRatio(sec: SurgeSecond): number | null {
  if (sec.origin_rps === undefined || sec.rps === 0) return null;
  return round(Math.max(0, 1 - sec.origin_rps / sec.rps) * 100);
}

/** errors counts responses >= 400 too; what is left are timeouts and broken connections */
function transportErrors(sec: SurgeSecond): number {
  return Math.max(0, sec.errors - sec.status['4xx'] - sec.status['5xx']);
}

function round(v: number | undefined): number | null {
  return v === undefined ? null : Math.round(v * 100) / 100;
}
