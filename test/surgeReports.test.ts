// The surge's two terminal reporters: live progress (a rewritten status line,
// one kept per phase) and the mission assessment after the run.
import { Writable } from 'node:stream';
import t from 'tap';
import type { RunRecord } from '../harness/record.js';
import type { SurgePhaseRecord, SurgeSecond, SurgeStats, SurgeTick } from '../harness/surgeRecord.js';
import { surgeRunRecord } from '../load/surgeRunRecord.js';
import { judge, summarizeThresholds } from '../load/thresholds.js';
import MissionReporter from '../reports/mission.js';
import SurgeProgressReporter from '../reports/surgeProgress.js';

function sink(): { stream: Writable; text: () => string } {
  let out = '';
  const stream = new Writable({ write: (chunk, _enc, done) => ((out += chunk), done()) });
  return { stream, text: () => out };
}

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
    cache: { claimed_hits: 990, claimed_misses: 10, no_claim: 0, claimed_hit_ratio: 0.99 },
    ...over,
  };
}

const limits = [
  { name: 'p99' as const, text: '50ms', value: 50 },
  { name: 'origin_rps' as const, text: '5', value: 5 },
  { name: 'min_rps' as const, text: '95%', value: 0.95, relative: true },
];

function phase(index: number, s: SurgeStats, planned: number, reached = true): SurgePhaseRecord {
  const ctx = { model: 'open' as const, kind: 'hold' as const, lowestLevel: planned, plannedRps: planned, reached };
  return {
    index,
    kind: 'hold',
    label: `hold ${planned} rps for 10s`,
    start_ms: index * 10_000,
    duration_ms: reached ? 10_000 : 0,
    planned: { unit: 'rps', from: planned, to: planned, requests: planned * 10, rps: planned },
    ...s,
    thresholds: limits.map((l) => judge(l, s, ctx)),
  };
}

function record(): RunRecord {
  const phases = [
    phase(0, stats(), 100),
    phase(1, stats({ rps: 1300, latency_ms: { p50: 2, p95: 30, p99: 180, 'p99.9': 400, max: 900, mean: 9 } }), 1400),
    phase(2, stats({ rps: 0, responses: 0, sent: 0, latency_ms: null }), 100, false),
  ];
  const totals = stats({ rps: 700 });
  const surge = {
    plan: 'launch-day',
    model: 'open' as const,
    bees: 4,
    connections: 140,
    source: 'edgecheck' as const,
    partial: true,
    stop_reason: 'interrupted (SIGINT)',
    planned_duration_ms: 30_000,
    duration_ms: 20_000,
    primed: true,
    limits: { max_duration_ms: 60_000, max_requests: 100_000 },
    totals,
    phases,
    timeline: [],
    thresholds: summarizeThresholds(limits, phases, totals, 750),
    verdict: 'breached' as const,
    notes: ["origin offload not measured: target 'lab' has no probe origin to count requests"],
  };
  return surgeRunRecord(
    'r1',
    { name: 'lab', url: 'https://lab.edgecheck.test:1/' },
    new Date(0),
    new Date(20_000),
    surge,
  );
}

t.test('the mission assessment: phases, each threshold and where it broke, notes, verdict', async (t) => {
  const out = sink();
  new MissionReporter({ outDir: '.', stream: out.stream, color: false }).onRunEnd(record());
  const text = out.text();
  t.match(text, /mission assessment: surge launch-day against lab \(open model, 4 bees, 140 connections, 20\.0s\)/);
  t.match(text, /partial: interrupted \(SIGINT\) after 20\.0s of 30\.0s/);
  t.match(
    text,
    /1 hold 100 rps for 10s +100 rps +100 rps +1\.2ms +40ms +0\.00% +99\.0%\* +- ✓/,
    'a claimed ratio is starred',
  );
  t.match(text, /2 hold 1400 rps for 10s +1400 rps +1300 rps .* ✗/);
  t.match(text, /✗ p99 ≤ 50ms: breached in phase 2 180ms/);
  t.match(text, /✗ min_rps ≥ 95%: breached in phase 2 1300 rps < 1330 rps/);
  t.match(text, /- origin_rps ≤ 5: not measured \(the target has no probe origin to count requests\)/);
  t.match(text, /note: origin offload not measured/);
  t.match(text, /verdict: breached \(p99, min_rps\)/);
  const quiet = sink();
  new MissionReporter({ outDir: '.', stream: quiet.stream, color: false }).onRunEnd({ ...record(), surge: undefined });
  t.equal(quiet.text(), '', 'a conformance run has no mission');
});

t.test('live progress rewrites one line and keeps the last of each phase', async (t) => {
  const out = sink();
  const progress = new SurgeProgressReporter({ outDir: '.', stream: out.stream, color: false });
  const second = (t: number, phase: number, errors = 0): SurgeSecond => ({
    t,
    phase,
    planned_rps: 100,
    sent: 100,
    rps: 100 - errors,
    latency_ms: stats().latency_ms,
    status: { '1xx': 0, '2xx': 100 - errors, '3xx': 0, '4xx': 0, '5xx': 0 },
    errors,
    errors_by_kind: errors ? { timeout: errors } : {},
    claimed_hit_ratio: 0.5,
    origin_rps: 3,
  });
  const tick = (s: SurgeSecond): SurgeTick => ({
    plan: 'p',
    elapsed_ms: (s.t + 1) * 1000,
    planned_duration_ms: 3000,
    phase: { index: s.phase, label: `phase ${s.phase}` },
    second: s,
  });
  progress.onSurgeTick(tick(second(0, 0)));
  progress.onSurgeTick(tick(second(1, 0, 2)));
  progress.onSurgeTick(tick(second(2, 1)));
  progress.onRunEnd();
  const lines = out.text().split('\n');
  t.equal(lines.length, 3, 'one kept line per phase, then the end');
  t.match(
    lines[0],
    /\r\x1b\[K.*\r\x1b\[Kp › 1 phase 0  2\.0s\/3\.0s  98\/100 rps  p99 40ms  errors 2\.00%  hit 50\.0%  origin 3 rps$/,
  );
  t.match(lines[1], /^\r\x1b\[Kp › 2 phase 1  3\.0s\/3\.0s/);
});

t.test('a phase cut short is held to the rate planned for the part that ran', async (t) => {
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { loadPlan } = await import('../load/loadPlan.js');
  const { phaseRecord } = await import('../load/phaseRecord.js');
  const { Schedule } = await import('../load/schedule.js');
  const file = join(mkdtempSync(join(tmpdir(), 'edgecheck-partial-')), 'ramp.yaml');
  writeFileSync(
    file,
    'surge: ramp\nphases:\n  - { ramp: { to: 100, over: 10s } }\npaths: [/x]\nthresholds: { min_rps: 95% }\n',
  );
  const plan = loadPlan(file);
  const schedule = new Schedule(plan.phases);
  // stopped after 5 s of a 0 -> 100 rps ramp: 25 rps was planned on average so far, 50 over the whole ramp
  const cut = phaseRecord(plan, schedule, plan.phases[0]!, 5_000, stats({ rps: 25 }), true);
  t.equal(cut.thresholds[0]!.verdict, 'held', `25 rps against ${cut.thresholds[0]!.limit_value}`);
  t.equal(cut.planned.rps, 50, 'the record still shows the whole phase as planned');
  const whole = phaseRecord(plan, schedule, plan.phases[0]!, 10_000, stats({ rps: 25 }), true);
  t.equal(whole.thresholds[0]!.verdict, 'breached', 'the whole ramp at 25 rps fell short');
});
