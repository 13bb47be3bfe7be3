// Generator honesty, on data: the queen's books on the bees' own load, when
// they count as saturated, and how a breach in a phase where the bees were the
// bottleneck makes the surge inconclusive (exit 4) rather than failed —
// except where the bees cannot have caused it, or the edge failed elsewhere.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import type { RunRecord } from '../harness/record.js';
import type { GeneratorStats, SurgePhaseRecord, SurgeRecord, SurgeStats } from '../harness/surgeRecord.js';
import type { GeneratorSlice } from '../load/beeProtocol.js';
import { describeSaturation, GeneratorTally, saturatedBy } from '../load/generatorTally.js';
import { encode, newHistogram, recordMs } from '../load/latencyHistogram.js';
import { surgeVerdict } from '../load/phaseRecord.js';
import { surgeExitCode, surgeRunRecord } from '../load/surgeRunRecord.js';
import { judge, summarizeThresholds } from '../load/thresholds.js';
import type { Limit } from '../load/plan.js';
import { compareRuns } from '../reports/compare/compare.js';
import { readRunRecord } from '../reports/compare/readRecord.js';
import { renderReport } from '../reports/html/index.js';
import { missionAssessment } from '../reports/mission.js';
import { progressLine } from '../reports/surgeProgress.js';
import { paint } from '../reports/terminal.js';

function delays(...ms: number[]): string {
  const h = newHistogram();
  for (const v of ms) recordMs(h, v);
  return encode(h);
}

function slice(over: Partial<GeneratorSlice> = {}): GeneratorSlice {
  return {
    bee: 0,
    active_ms: 100,
    wall_ms: 1000,
    cpu_ms: 80,
    cpu_wait_ms: 5,
    loop_delay: delays(...Array<number>(99).fill(1)),
    arrivals: 100,
    late: 0,
    ...over,
  };
}

t.test('the books add each bee up over the span and report the busiest', async (t) => {
  const tally = new GeneratorTally();
  t.equal(tally.stats(), undefined, 'nothing reported: no figures (a k6 summary)');
  // bee 1 is busier over the span though its first slice was quiet
  tally.add(slice({ bee: 0, active_ms: 300, wall_ms: 1000 }));
  tally.add(slice({ bee: 1, active_ms: 100, wall_ms: 500, cpu_ms: 100, cpu_wait_ms: 0 }));
  tally.add(slice({ bee: 1, active_ms: 475, wall_ms: 500, cpu_ms: 400, cpu_wait_ms: 50, late: 10 }));
  const g = tally.stats()!;
  t.equal(g.busy_pct, 57.5, 'bee 1: 575 of 1000 ms busy');
  t.equal(g.cpu_pct, 50);
  t.equal(g.cpu_wait_pct, 5);
  t.equal(g.arrivals, 300);
  t.equal(g.late_arrivals, 10);
  t.equal(g.late_share, 0.0333);
  t.equal(g.loop_delay_p99_ms, 1);
  t.same(g.saturated_by, [], 'under every threshold');

  const unknownCpu = new GeneratorTally();
  unknownCpu.add(slice({ cpu_ms: undefined, cpu_wait_ms: undefined, arrivals: 0 }));
  const u = unknownCpu.stats()!;
  t.equal(u.cpu_pct, null, 'no /proc: CPU unknown, not zero');
  t.equal(u.late_share, null, 'no open-model arrivals (closed model): no late share');
});

t.test('saturated: each threshold on its own, at its edge', async (t) => {
  const base: Omit<GeneratorStats, 'saturated_by'> = {
    busy_pct: 50,
    cpu_pct: 40,
    cpu_wait_pct: 10,
    loop_delay_p99_ms: 5,
    loop_delay_max_ms: 9,
    arrivals: 1000,
    late_arrivals: 0,
    late_share: 0,
  };
  const cases: Array<[string, Partial<GeneratorStats>, string[]]> = [
    ['idle', {}, []],
    ['loop busy 89.9%', { busy_pct: 89.9 }, []],
    ['loop busy 90%', { busy_pct: 90 }, ['busy']],
    ['on a core 60% and waiting 29%', { cpu_pct: 60, cpu_wait_pct: 29 }, []],
    ['on a core 60% and waiting 30%: it wanted a whole core', { cpu_pct: 60, cpu_wait_pct: 30 }, ['cpu']],
    ['5% late', { late_share: 0.05 }, []],
    ['5.1% late', { late_share: 0.051 }, ['late_arrivals']],
    ['loop delay p99 50 ms', { loop_delay_p99_ms: 50 }, []],
    ['loop delay p99 51 ms', { loop_delay_p99_ms: 51 }, ['loop_delay']],
    ['CPU unknown', { cpu_pct: null, cpu_wait_pct: null }, []],
  ];
  for (const [what, over, expected] of cases) t.same(saturatedBy({ ...base, ...over }), expected, what);
});

function stats(over: Partial<SurgeStats> = {}): SurgeStats {
  return {
    sent: 1000,
    responses: 1000,
    rps: 100,
    errors: 0,
    error_rate: 0,
    errors_by_kind: {},
    status: { '1xx': 0, '2xx': 1000, '3xx': 0, '4xx': 0, '5xx': 0 },
    latency_ms: { p50: 1.2, p95: 8, p99: 40, 'p99.9': 90, max: 120, mean: 2 },
    cache: {
      claimed_hits: 990,
      claimed_misses: 10,
      no_claim: 0,
      claimed_hit_ratio: 0.99,
      origin_requests: 10,
      origin_rps: 1,
      origin_hit_ratio: 0.99,
    },
    ...over,
  };
}

const calm: GeneratorStats = {
  busy_pct: 20,
  cpu_pct: 18,
  cpu_wait_pct: 1,
  loop_delay_p99_ms: 2,
  loop_delay_max_ms: 4,
  arrivals: 1000,
  late_arrivals: 0,
  late_share: 0,
  saturated_by: [],
};
const saturated: GeneratorStats = {
  busy_pct: 99,
  cpu_pct: 98,
  cpu_wait_pct: 1,
  loop_delay_p99_ms: 30,
  loop_delay_max_ms: 45,
  arrivals: 10_000,
  late_arrivals: 1_200,
  late_share: 0.12,
  saturated_by: ['busy', 'cpu', 'late_arrivals'],
};

const limits: Limit[] = [
  { name: 'p99', text: '50ms', value: 50 },
  { name: 'origin_rps', text: '5', value: 5 },
  { name: 'min_rps', text: '95%', value: 0.95, relative: true },
];

function phase(index: number, label: string, s: SurgeStats, planned: number, g: GeneratorStats): SurgePhaseRecord {
  const ctx = {
    model: 'open' as const,
    kind: 'hold' as const,
    lowestLevel: planned,
    plannedRps: planned,
    reached: true,
  };
  return {
    index,
    kind: 'hold',
    label,
    start_ms: index * 10_000,
    duration_ms: 10_000,
    planned: { unit: 'rps', from: planned, to: planned, requests: planned * 10, rps: planned },
    ...s,
    thresholds: limits.map((l) => judge(l, s, ctx)),
    generator: g,
    generator_limited: g.saturated_by.length > 0,
  };
}

const slow = stats({ rps: 8_000, latency_ms: { p50: 20, p95: 300, p99: 900, 'p99.9': 1200, max: 2000, mean: 60 } });

function surge(phases: SurgePhaseRecord[]): SurgeRecord {
  const totals = stats();
  const thresholds = summarizeThresholds(limits, phases, totals, 5_000);
  return {
    plan: 'push',
    model: 'open',
    bees: 1,
    connections: 50,
    source: 'edgecheck',
    partial: false,
    planned_duration_ms: 20_000,
    duration_ms: 20_000,
    primed: true,
    limits: { max_duration_ms: 60_000, max_requests: 1_000_000 },
    totals,
    phases,
    timeline: [],
    thresholds,
    ...surgeVerdict(thresholds, phases),
    notes: [],
  };
}

function asRecord(s: SurgeRecord): RunRecord {
  return surgeRunRecord('r1', { name: 'lab', url: 'https://lab.edgecheck.test:1/' }, new Date(0), new Date(20_000), s);
}

t.test('breached only where the bees were the bottleneck: inconclusive, naming the phase, exit 4', async (t) => {
  const s = surge([phase(0, 'hold 100 rps for 10s', stats(), 100, calm), phase(1, 'peak', slow, 20_000, saturated)]);
  t.same(
    s.thresholds.map((x) => [x.threshold, x.verdict, x.breached_in, x.inconclusive_in ?? []]),
    [
      ['p99', 'inconclusive', [], [1]],
      ['origin_rps', 'held', [], []],
      ['min_rps', 'inconclusive', [], [1]],
    ],
  );
  t.equal(s.verdict, 'inconclusive');
  t.equal(
    s.inconclusive_reason,
    'the bees were the bottleneck in phase 2 peak (CPU 98%, event loop 99% busy, 12% of arrivals late)',
  );
  t.equal(surgeExitCode(s, false), 4);
  t.equal(surgeExitCode(s, true), 130, 'an interrupted surge still exits 130');

  const text = missionAssessment(asRecord(s), paint(false)).join('\n');
  t.match(
    text,
    /2 peak .* cpu 98% busy 99% late 12\.0% ! cpu\+wait 99% \?/,
    'the phase shows the bees saturated, and why',
  );
  t.match(text, /\? p99 ≤ 50ms: inconclusive: breached in phase 2 900ms, where the bees were the bottleneck/);
  t.match(text, /verdict: inconclusive: the bees were the bottleneck in phase 2 peak \(CPU 98%/);
  t.notMatch(text, /verdict: breached/);

  const page = renderReport(asRecord(s));
  t.match(page, /data-surge-verdict="inconclusive"/);
  t.match(page, /inconclusive: the bees were the bottleneck in phase 2 peak/);
  t.match(page, /breached in phase 2, where the bees were saturated/);
  t.match(page, /CPU 98% · busy 99% · late 12\.0% ⚠/);
});

t.test('a breach where the bees kept up still fails the edge, exit 1', async (t) => {
  const s = surge([phase(0, 'warm', slow, 100, calm), phase(1, 'peak', slow, 20_000, saturated)]);
  const p99 = s.thresholds.find((x) => x.threshold === 'p99')!;
  t.equal(p99.verdict, 'breached');
  t.same(p99.breached_in, [0]);
  t.same(p99.inconclusive_in, [1], 'the saturated phase is told apart');
  t.equal(s.verdict, 'breached');
  t.equal(surgeExitCode(s, false), 1);
  const text = missionAssessment(asRecord(s), paint(false)).join('\n');
  t.match(
    text,
    /✗ p99 ≤ 50ms: breached in phase 1 900ms; breached in phase 2 900ms, where the bees were the bottleneck/,
  );
});

t.test('a limit the bees cannot breach by themselves stands in a saturated phase', async (t) => {
  const misses = stats({ cache: { ...stats().cache, origin_requests: 900, origin_rps: 90, origin_hit_ratio: 0.1 } });
  const s = surge([phase(0, 'peak', misses, 100, saturated)]);
  t.equal(s.thresholds.find((x) => x.threshold === 'origin_rps')!.verdict, 'breached');
  t.equal(s.verdict, 'breached', 'the origin saw 90 rps whatever the bees could send');
});

t.test('what held in a saturated phase holds: the edge held what the bees could send', async (t) => {
  const s = surge([phase(0, 'peak', stats(), 100, saturated)]);
  t.equal(s.verdict, 'held');
  t.equal(s.inconclusive_reason, undefined);
  t.equal(surgeExitCode(s, false), 0);
});

t.test('the live line says when the bees set the pace', async (t) => {
  const second = {
    t: 3,
    phase: 1,
    planned_rps: 20_000,
    sent: 9000,
    rps: 9000,
    latency_ms: null,
    status: { '1xx': 0, '2xx': 9000, '3xx': 0, '4xx': 0, '5xx': 0 },
    errors: 0,
    errors_by_kind: {},
    claimed_hit_ratio: 1,
  };
  const tick = (limited: boolean) => ({
    plan: 'push',
    elapsed_ms: 4000,
    planned_duration_ms: 20_000,
    phase: { index: 1, label: 'peak' },
    second: { ...second, generator: limited ? saturated : calm, generator_limited: limited },
  });
  t.match(progressLine(tick(true), paint(false)), /bees saturated \(busy 99%\)$/);
  t.notMatch(progressLine(tick(false), paint(false)), /bees saturated/);
});

t.test('the saturation is described by what crossed its threshold', async (t) => {
  t.equal(
    describeSaturation({ ...calm, cpu_pct: 45, cpu_wait_pct: 50, busy_pct: 80, saturated_by: ['cpu'] }),
    'CPU 45%, 50% waiting for a core, event loop 80% busy',
  );
  t.equal(
    describeSaturation({ ...calm, loop_delay_p99_ms: 120, saturated_by: ['loop_delay'], cpu_pct: null }),
    'event loop 20% busy, loop delay p99 120 ms',
  );
});

t.test('compare reads a saved inconclusive surge and does not count it as a failure', async (t) => {
  const s = surge([phase(0, 'peak', slow, 20_000, saturated)]);
  const file = join(mkdtempSync(join(tmpdir(), 'edgecheck-inconclusive-')), 'run.json');
  writeFileSync(file, JSON.stringify(asRecord(s)));
  const read = readRunRecord(file);
  t.equal(read.record.surge!.verdict, 'inconclusive');
  const comparison = compareRuns([read, read]);
  t.same(
    comparison.surge?.runs.map((r) => r?.verdict),
    ['inconclusive', 'inconclusive'],
  );
  t.same(
    comparison.runs.map((r) => r.failed),
    [false, false],
    'the edge did not fail: the bees could not tell',
  );
});
