// `edgecheck compare` on small hand-made run records: what differs comes
// first, a baseline's regressions fail the comparison and are named, an
// optional check's do not, a surge threshold that breaches now is one, the
// surges' connections and protocols are lined up, a history's flaky checks
// are listed apart, a bad record is exit 2 at file:line.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import t from 'tap';
import { RUN_RECORD_SCHEMA, type CheckRecord, type RunRecord, type StepRecord } from '../harness/record.js';
import type {
  BeeConnectionStats,
  SurgeConnectionStats,
  SurgePhaseRecord,
  SurgeProtocolShare,
  SurgeRecord,
  ThresholdVerdict,
} from '../harness/surgeRecord.js';
import { compareCommand } from '../cli/compareCommand.js';
import type { Comparison } from '../reports/compare/compare.js';
import { edgecheck } from './support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'edgecheck-compare-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

const check = (over: Partial<CheckRecord>): CheckRecord => ({
  suite: 'caching',
  id: 'c',
  title: 'T',
  kind: 'required',
  status: 'passed',
  duration_ms: 5,
  steps: [],
  ...over,
});
const get = (served_by: 'cache' | 'origin', age?: string): StepRecord => ({
  kind: 'get',
  response: { status: 200, headers: age === undefined ? {} : { age } },
  served_by,
  failures: [],
});

function record(name: string, started: string, checks: CheckRecord[], surge?: SurgeRecord): RunRecord {
  return {
    schema: RUN_RECORD_SCHEMA,
    run_id: `${name}-${started}`,
    target: { name, url: 'https://lab.edgecheck.test' },
    started,
    finished: started,
    summary: { passed: 0, failed: 0, skipped: 0 },
    checks,
    ...(surge ? { surge } : {}),
  };
}

let files = 0;
function save(r: RunRecord | string): string {
  const file = join(dir, `run-${++files}.json`);
  writeFileSync(file, typeof r === 'string' ? r : JSON.stringify(r, null, 2));
  return file;
}

async function compare(args: string[]): Promise<{ exit: number; out: string }> {
  const stream = new PassThrough();
  let out = '';
  stream.on('data', (b: Buffer) => (out += b.toString()));
  const exit = await compareCommand(args, stream);
  return { exit, out };
}

const tls = (days: number): StepRecord => ({
  kind: 'tls',
  tls: {
    endpoints: [
      {
        host: 'lab.edgecheck.test',
        port: 443,
        sni: 'lab.edgecheck.test',
        offered: {},
        passed: true,
        handshake: {
          ok: true,
          protocol: 'TLSv1.3',
          certificate: {
            subject: 'CN=lab',
            sans: [],
            issuer: 'CN=ca',
            not_before: '',
            not_after: '',
            days_left: days,
            fingerprint256: '',
            self_signed: false,
          },
        },
      },
    ],
  },
  failures: [],
});

const tonight = [
  check({ id: 'fresh', steps: [get('origin'), get('cache', '3')] }),
  check({ suite: 'tls', id: 'days', steps: [tls(80)] }),
  check({ id: 'vary', kind: 'optimal' }),
];

t.test('two identical runs: no difference, exit 0', async (t) => {
  const a = save(record('lab', '2026-11-23T00:00:00.000Z', tonight));
  const res = await compare([a, a]);
  t.equal(res.exit, 0);
  t.match(res.out, /2 runs, 3 checks: no difference/);
  t.match(res.out, /pass · origin→cache · age 3/, 'the figures that matter for a caching check');
  t.match(res.out, /pass · TLSv1\.3 · 80 days left/, 'and for a tls check');
  t.notMatch(res.out, /≠/);
  const judged = await compare(['--baseline', a, a]);
  t.equal(judged.exit, 0);
  t.match(judged.out, /no regression against the baseline/);
});

t.test('a measure (Age, days left) varies by run without making a check differ', async (t) => {
  const a = save(record('lab', '2026-11-23T00:00:00.000Z', tonight));
  const later = [
    check({ id: 'fresh', steps: [get('origin'), get('cache', '9')] }),
    check({ suite: 'tls', id: 'days', steps: [tls(79)] }),
    check({ id: 'vary', kind: 'optimal' }),
  ];
  const b = save(record('lab', '2026-11-24T00:00:00.000Z', later));
  const res = await compare([a, b]);
  t.match(res.out, /no difference/);
  t.match(res.out, /age 9/);
});

t.test('a required check passed -> failed with --baseline: exit 1, named; the differing checks first', async (t) => {
  const base = save(record('lab', '2026-11-23T00:00:00.000Z', tonight));
  const now = save(
    record('lab', '2026-11-24T00:00:00.000Z', [
      check({ id: 'fresh', steps: [get('origin'), get('origin')], status: 'failed', reason: 'step 2: not cached' }),
      check({ suite: 'tls', id: 'days', steps: [tls(79)] }),
      check({ id: 'vary', kind: 'optimal', status: 'failed', reason: 'no Vary' }),
    ]),
  );
  const res = await compare(['--baseline', base, now]);
  t.equal(res.exit, 1);
  t.match(res.out, /1 regression against the baseline/);
  t.match(res.out, /✗ caching\/fresh \(required\) in lab 2026-11-24 00:00:00: passed -> failed: step 2: not cached/);
  t.notMatch(res.out, /✗ caching\/vary/, 'an optional check that regressed is no regression');
  const table = res.out.split('\n').filter((l) => /^[≠ ] \S+\/\S+( \(\w+\))? {2,}/.test(l));
  t.same(
    table.map((l) => l.slice(0, 2) + l.slice(2).split(' ')[0]),
    ['≠ caching/fresh', '≠ caching/vary', '  tls/days'],
    'the checks that differ first, marked',
  );
  t.match(res.out, /fail · origin→origin ≠/, 'the differing cell marked without colour');

  const onlyOptional = save(
    record('lab', '2026-11-24T00:00:00.000Z', [
      ...tonight.slice(0, 2),
      check({ id: 'vary', kind: 'optimal', status: 'failed', reason: 'no Vary' }),
    ]),
  );
  const optional = await compare(['--baseline', base, onlyOptional]);
  t.equal(optional.exit, 0, 'an optional check passed -> failed does not fail the comparison');
  t.match(optional.out, /1 check differ/);

  const anyFailure = await compare(['--baseline', base, onlyOptional, '--fail-on', 'any-failure']);
  t.equal(anyFailure.exit, 0, 'any-failure counts required failures only');
  const stillFailing = await compare(['--baseline', now, now, '--fail-on', 'any-failure']);
  t.equal(stillFailing.exit, 1, 'any-failure: a required check failing now, though it failed before too');
  t.equal((await compare(['--baseline', now, now])).exit, 0, 'but that is no regression');
  t.equal((await compare([base, now])).exit, 0, 'without --baseline or --fail-on a comparison only informs');
});

t.test('Markdown and JSON', async (t) => {
  const base = save(record('lab', '2026-11-23T00:00:00.000Z', tonight));
  const now = save(
    record('nginx', '2026-11-24T00:00:00.000Z', [
      check({ id: 'fresh', steps: [get('origin'), get('origin')], status: 'failed', reason: 'a | pipe\nand a line' }),
    ]),
  );
  const md = (await compare([base, now, '--format', 'markdown'])).out;
  t.match(md, /^## edgecheck compare\n/);
  t.match(md, '| check | [1] lab 2026-11-23 00:00:00 | [2] nginx 2026-11-24 00:00:00 |');
  t.match(md, '| ≠ `caching/fresh` | pass · origin→cache · age 3 | **fail · origin→origin** ≠ |');
  t.match(md, '| ≠ `tls/days` | pass · TLSv1.3 · 80 days left | — ≠ |', 'a check one run lacks');
  t.match(md, '- `caching/fresh` in [2]: a \\| pipe and a line', 'no pipe or line break escapes a cell');
  const file = join(dir, 'out', 'comparison.json');
  const res = await compare([base, now, '--format', 'json', '--out', file]);
  t.match(res.out, /wrote .*comparison\.json/);
  const json = JSON.parse(readFileSync(file, 'utf8')) as Comparison;
  t.equal(json.schema, 'edgecheck.comparison/1');
  t.same(
    json.runs.map((r) => r.label),
    ['lab 2026-11-23 00:00:00', 'nginx 2026-11-24 00:00:00'],
  );
  t.equal(json.differing, 3);
  const fresh = json.rows.find((r) => r.key === 'caching/fresh')!;
  t.same(
    fresh.cells.map((c) => c?.status),
    ['passed', 'failed'],
  );
  t.same(fresh.cells[0]?.figures, [
    { name: 'served_by', text: 'origin→cache', value: 'origin→cache', measure: false },
    { name: 'age', text: 'age 3', value: 3, measure: true },
  ]);
  t.equal(json.regressions, undefined, 'not judged without a baseline');
});

const threshold = (name: ThresholdVerdict['threshold'], actual: number, verdict: 'held' | 'breached') => ({
  threshold: name,
  limit: '250ms',
  comparison: '<=' as const,
  limit_value: 250,
  actual,
  verdict,
});
function surge(p99: number): SurgeRecord {
  const verdict = p99 > 250 ? 'breached' : 'held';
  const stats = {
    sent: 100,
    responses: 100,
    rps: 10,
    errors: 0,
    error_rate: 0,
    errors_by_kind: {},
    status: { '1xx': 0, '2xx': 100, '3xx': 0, '4xx': 0, '5xx': 0 },
    latency_ms: { p50: 5, p95: 9, p99, 'p99.9': p99, max: p99, mean: 5 },
    cache: { claimed_hits: 95, claimed_misses: 5, no_claim: 0, claimed_hit_ratio: 0.95 },
  };
  const phase: SurgePhaseRecord = {
    ...stats,
    index: 0,
    kind: 'hold',
    label: 'hold 10 rps for 10s',
    start_ms: 0,
    duration_ms: 10_000,
    planned: { unit: 'rps', from: 10, to: 10 },
    thresholds: [threshold('p99', p99, verdict)],
  };
  return {
    plan: 'smoke',
    model: 'open',
    bees: 1,
    connections: 10,
    source: 'edgecheck',
    partial: false,
    planned_duration_ms: 10_000,
    duration_ms: 10_000,
    primed: true,
    limits: { max_duration_ms: 60_000, max_requests: 1000 },
    totals: stats,
    phases: [phase],
    timeline: [],
    thresholds: [{ ...threshold('p99', p99, verdict), breached_in: verdict === 'breached' ? [0] : [] }],
    verdict,
    notes: [],
  };
}

t.test('a surge threshold that held in the baseline breaches now', async (t) => {
  const base = save(record('lab', '2026-11-23T00:00:00.000Z', [], surge(120)));
  const now = save(record('lab', '2026-11-24T00:00:00.000Z', [], surge(400)));
  const res = await compare(['--baseline', base, now]);
  t.equal(res.exit, 1);
  t.match(
    res.out,
    /surge\/p99 in lab 2026-11-24 00:00:00: held -> breached: 400 ms against 250ms in hold 10 rps for 10s/,
  );
  t.match(res.out, /p99 120 ms · errors 0% · hit 95%/, 'per phase: p99, error rate, hit ratio');
  t.match(res.out, /p99 400 ms · errors 0% · hit 95% · breached p99 ≠/);
  t.match(res.out, /≠ p99 250ms +held \(120 ms\) +breached \(400 ms\) ≠\n/);
  t.notMatch(res.out, /held \(120 ms\) ≠/, 'the first run is what the others are compared with');
  const same = await compare(['--baseline', base, base]);
  t.equal(same.exit, 0);
  t.match(same.out, /no difference/);
});

/** A visitors surge whose one phase and totals carry this connections block (the smoke surge's figures otherwise). */
function visitorsSurge(connections: SurgeConnectionStats): SurgeRecord {
  const s = surge(120);
  const phase: SurgePhaseRecord = {
    ...s.phases[0]!,
    label: 'hold 20 visitors/s for 10s',
    planned: { unit: 'visitors', from: 20, to: 20 },
    connections,
  };
  return { ...s, plan: 'visitors', model: 'visitors', phases: [phase], connection_totals: connections };
}

const handshakes = (p99: number, count: number) => ({
  count,
  latency_ms: { p50: p99 / 2, p95: p99 * 0.9, p99, 'p99.9': p99, max: p99, mean: p99 / 2 },
});
/** What the local bees record: every figure. */
function beeConnections(
  over: Partial<BeeConnectionStats> & { granted?: number; offered?: number },
): SurgeConnectionStats {
  const { granted = 95, offered = 100, ...rest } = over;
  return {
    handshakes: 200,
    handshakes_per_s: 20,
    planned_visits: 200,
    planned_visits_per_s: 20,
    full: handshakes(12, 105),
    resumed: handshakes(4, granted),
    resumption: { returning: 100, offered, granted, ratio: granted / offered },
    alpn: { h2: 200 },
    h2_fallbacks: 0,
    errors_by_kind: {},
    skipped_visits: 0,
    ...rest,
  };
}

t.test(
  "surges' connections side by side: what changes in the edge's behaviour is marked, measures are not",
  async (t) => {
    const base = save(record('lab', '2026-11-23T00:00:00.000Z', [], visitorsSurge(beeConnections({}))));
    const worse = save(
      record(
        'lab',
        '2026-11-24T00:00:00.000Z',
        [],
        visitorsSurge(
          beeConnections({
            granted: 40,
            handshakes_per_s: 18.5,
            full: handshakes(30, 160),
            alpn: { h2: 150, 'http/1.1': 50 },
            h2_fallbacks: 50,
            errors_by_kind: { refused: 3 },
          }),
        ),
      ),
    );
    // within the tolerances: 90% resumed against 95%, slower handshakes, fewer of them
    const noise = save(
      record(
        'lab',
        '2026-11-25T00:00:00.000Z',
        [],
        visitorsSurge(beeConnections({ granted: 90, handshakes_per_s: 17, resumed: handshakes(9, 90) })),
      ),
    );
    const keepAlive = save(record('lab', '2026-11-26T00:00:00.000Z', [], surge(120)));

    const file = join(dir, 'connections.json');
    await compare([base, worse, noise, keepAlive, '--format', 'json', '--out', file]);
    const json = JSON.parse(readFileSync(file, 'utf8')) as Comparison;
    const rows = json.surge!.connections!;
    t.same(
      rows.map((r) => r.key),
      ['1 hold 20 visitors/s for 10s', 'all phases'],
      'a row per phase, then the whole surge',
    );
    const [phase] = rows;
    t.same(phase!.cells[0], {
      handshakes_per_s: 20,
      planned_visits_per_s: 20,
      full_p99_ms: 12,
      resumed_p99_ms: 4,
      any_p99_ms: null,
      resumption: { granted: 95, offered: 100, ratio: 0.95 },
      h2_share: 1,
      h2_fallbacks: 0,
      h2_of: 'connections',
      errors_by_kind: {},
      differs_in: [],
      differs: false,
    });
    t.same(phase!.cells[1]!.differs_in, ['resumption', 'h2', 'errors'], 'resumption, h2 share and error kinds changed');
    t.equal(phase!.cells[1]!.differs, true);
    t.equal(phase!.cells[1]!.h2_share, 0.75);
    t.same(phase!.cells[2]!.differs_in, [], '5 points less resumed, slower and fewer handshakes: not a difference');
    t.equal(phase!.cells[2]!.differs, false);
    t.equal(phase!.cells[3], null, 'a keep-alive run has no connections block');
    t.equal(phase!.differs, true);
    t.equal(json.surge!.differs, true);

    const text = (await compare([base, worse, noise, keepAlive])).out;
    t.match(text, /\nconnections +\[1\] lab 2026-11-23 00:00:00 +\[2\] lab 2026-11-24/);
    t.match(text, /≠ 1 hold 20 visitors\/s for 10s\n/);
    t.match(text, /\n +handshakes\/s +20 of 20 planned +18\.5 of 20 planned +17 of 20 planned +-\n/);
    t.match(text, /\n +full handshake p99 +12 ms +30 ms +12 ms +-\n/, 'a measure: shown, never marked');
    t.match(text, /\n +sessions resumed +95% \(95\/100\) +40% \(40\/100\) ≠ +90% \(90\/100\) +-\n/);
    t.match(text, /\n +h2 +100% +75%, 50 fell back ≠ +100% +-\n/);
    t.match(text, /\n +connection errors +none +refused 3 ≠ +none +-\n/);

    const md = (await compare([base, worse, noise, keepAlive, '--format', 'markdown'])).out;
    t.match(md, '| ≠ **1 hold 20 visitors/s for 10s** |  |  |  |  |');
    t.match(md, '| sessions resumed | 95% (95/100) | 40% (40/100) ≠ | 90% (90/100) | - |');
    t.match(md, '| h2 | 100% | 75%, 50 fell back ≠ | 100% | - |');
    t.match(md, '| connection errors | none | refused 3 ≠ | none | - |');

    const page = join(dir, 'connections.html');
    t.equal((await compare([base, worse, '--format', 'html', '--out', page])).exit, 0);
    const html = readFileSync(page, 'utf8');
    t.match(html, /<h4>Connections<\/h4>/);
    t.match(html, /<span class="cell-differs" title="">40% \(40\/100\) ≠<\/span>/, 'the differing figure marked');
    t.match(html, /<span class="" title="">95% \(95\/100\)<\/span>/);
  },
);

t.test('connections alone make two surges differ; the same connections make no difference', async (t) => {
  const base = save(record('lab', '2026-11-23T00:00:00.000Z', [], visitorsSurge(beeConnections({}))));
  const lost = save(record('lab', '2026-11-24T00:00:00.000Z', [], visitorsSurge(beeConnections({ granted: 0 }))));
  const res = await compare([base, lost]);
  t.match(res.out, /2 runs, 0 checks and a surge: the surges differ/, 'the connections alone differ');
  t.match(res.out, /sessions resumed +95% \(95\/100\) +0% \(0\/100\) ≠/);
  t.match((await compare([base, base])).out, /no difference/);
  // a few sessions: one of them is 10 points, so the ratio is not compared
  const few = (granted: number) => beeConnections({ granted, offered: 10 });
  const a = save(record('lab', '2026-11-23T00:00:00.000Z', [], visitorsSurge(few(10))));
  const b = save(record('lab', '2026-11-24T00:00:00.000Z', [], visitorsSurge(few(7))));
  t.match((await compare([a, b])).out, /no difference/, '7 of 10 against 10 of 10 is too few to tell');
});

t.test('a k6 import beside a local run: what k6 does not give is "-", its h2 share counts responses', async (t) => {
  const local = save(record('lab', '2026-11-23T00:00:00.000Z', [], visitorsSurge(beeConnections({}))));
  const k6: SurgeConnectionStats = {
    planned_visits: 200,
    planned_visits_per_s: 20,
    alpn: { h2: 388, 'not h2': 12 },
    alpn_unit: 'responses',
    h2_fallbacks: 12,
  };
  const imported = save(record('k6', '2026-11-24T00:00:00.000Z', [], { ...visitorsSurge(k6), source: 'k6' }));
  const res = await compare([local, imported, '--format', 'markdown']);
  t.match(res.out, '| handshakes/s | 20 of 20 planned | - of 20 planned |');
  t.match(res.out, '| full handshake p99 | 12 ms | - |');
  t.match(res.out, '| sessions resumed | 95% (95/100) | - |', 'not compared where k6 does not say');
  t.match(res.out, '| h2 | 100% | 97% of responses, 12 fell back ≠ |');
  t.match(res.out, '| connection errors | none | - |');
});

/** A protocol's share of a mixed plan: 1000 requests sent in all, none failed, unless `over` says otherwise. */
function protocolShare(
  protocol: SurgeProtocolShare['protocol'],
  planned: number,
  over: Partial<SurgeProtocolShare> = {},
): SurgeProtocolShare {
  const sent = over.sent ?? planned * 1000;
  const p99 = protocol === 'h2' ? 8 : 12;
  return {
    protocol,
    paths: [protocol === 'h2' ? '/app.js' : '/index.html'],
    planned_share: planned,
    bees: 1,
    sent,
    share: sent / 1000,
    responses: sent,
    errors: 0,
    error_rate: 0,
    latency_ms: { p50: p99 / 2, p95: p99 * 0.9, p99, 'p99.9': p99, max: p99, mean: p99 / 2 },
    ...over,
  };
}
/** The smoke surge with a plan whose paths go 60% over h1 and 40% over h2. */
function mixedSurge(
  h2: Partial<SurgeProtocolShare> = {},
  h1: Partial<SurgeProtocolShare> = {},
  model: SurgeRecord['model'] = 'open',
): SurgeRecord {
  return { ...surge(120), plan: 'mix', model, protocols: [protocolShare('h1', 0.6, h1), protocolShare('h2', 0.4, h2)] };
}

t.test(
  "surges' protocols side by side: errors that appear are marked, the share and the p99 are measures",
  async (t) => {
    const base = save(record('lab', '2026-11-23T00:00:00.000Z', [], mixedSurge()));
    // h2 streams refused: of 380 sent, 20 answered 503 and 10 never answered (30/380), and it was slower
    const refused = save(
      record(
        'lab',
        '2026-11-24T00:00:00.000Z',
        [],
        mixedSurge(
          { sent: 380, responses: 370, errors: 30, error_rate: 30 / 380, latency_ms: handshakes(25, 0).latency_ms },
          { sent: 620 },
        ),
      ),
    );
    // another machine: the h2 bees kept a larger share, both slower, no errors
    const noise = save(
      record(
        'lab',
        '2026-11-25T00:00:00.000Z',
        [],
        mixedSurge({ sent: 450, latency_ms: handshakes(30, 0).latency_ms }, { sent: 550 }),
      ),
    );
    const oneProtocol = save(record('lab', '2026-11-26T00:00:00.000Z', [], surge(120)));
    const runs = [base, refused, noise, oneProtocol];

    const file = join(dir, 'protocols.json');
    await compare([...runs, '--format', 'json', '--out', file]);
    const json = JSON.parse(readFileSync(file, 'utf8')) as Comparison;
    const rows = json.surge!.protocols!;
    t.same(
      rows.map((r) => r.key),
      ['h1', 'h2'],
      'a row per protocol',
    );
    const [h1, h2] = rows;
    t.same(h2!.cells[0], {
      paths: ['/app.js'],
      sent: 400,
      share: 0.4,
      planned_share: 0.4,
      planned_of: 'requests',
      p99_ms: 8,
      responses: 400,
      errors: 0,
      error_rate: 0,
      differs_in: [],
      differs: false,
    });
    t.same(h2!.cells[1]!.differs_in, ['errors'], "errors where the first run's h2 had none");
    t.equal(h2!.cells[1]!.differs, true);
    t.equal(h2!.cells[1]!.p99_ms, 25);
    t.same(h1!.cells[1]!.differs_in, [], 'h1 carried more, without errors: no difference');
    t.equal(h1!.cells[1]!.differs, false);
    t.same(
      h2!.cells[2],
      { ...h2!.cells[0], sent: 450, share: 0.45, responses: 450, p99_ms: 30 },
      'another share, a slower p99: shown, not a difference',
    );
    t.equal(h2!.cells[3], null, 'a plan over one protocol has no protocols block');
    t.equal(h2!.differs, true);
    t.equal(json.surge!.differs, true);

    const text = (await compare(runs)).out;
    t.match(text, /\nprotocols +\[1\] lab 2026-11-23 00:00:00 +\[2\] lab 2026-11-24/);
    t.match(text, /\n≠ h1\n/, 'a run without the block marks each row');
    t.match(text, /\n +share of requests +40% of 40% planned +38% of 40% planned +45% of 40% planned +-\n/);
    t.match(text, /\n +p99 +8 ms +25 ms +30 ms +-\n/, 'a measure: shown, never marked');
    t.match(text, /\n +errors +none +7\.9% \(30\) ≠ +none +-\n/);

    const md = (await compare([...runs, '--format', 'markdown'])).out;
    t.match(md, '| protocols | [1] lab 2026-11-23 00:00:00 | [2] lab 2026-11-24 00:00:00 |');
    t.match(md, '| ≠ **h2** |  |  |  |  |');
    t.match(md, '| share of requests | 60% of 60% planned | 62% of 60% planned | 55% of 60% planned | - |');
    t.match(md, '| errors | none | 7.9% (30) ≠ | none | - |');

    const page = join(dir, 'protocols.html');
    t.equal((await compare([base, refused, '--format', 'html', '--out', page])).exit, 0);
    const html = readFileSync(page, 'utf8');
    t.match(html, /<h4>Protocols<\/h4>/);
    t.match(html, /<table class="comparison surge-protocols">/);
    t.match(html, /<span class="cell-differs" title="">7\.9% \(30\) ≠<\/span>/, 'the differing errors marked');
    t.match(html, /<span class="" title="">38% of 40% planned<\/span>/);
  },
);

t.test("one protocol's errors alone make two surges differ; its share and p99 do not", async (t) => {
  const base = save(record('lab', '2026-11-23T00:00:00.000Z', [], mixedSurge()));
  const h2Errors = save(record('lab', '2026-11-24T00:00:00.000Z', [], mixedSurge({ errors: 4, error_rate: 0.01 })));
  const res = await compare([base, h2Errors]);
  t.match(res.out, /2 runs, 0 checks and a surge: the surges differ/, 'the h2 errors alone differ');
  t.match(res.out, /\n +errors +none +1% \(4\) ≠\n/);
  t.match((await compare([h2Errors, base])).out, /the surges differ/, 'and errors that went away');
  const measures = save(
    record('lab', '2026-11-24T00:00:00.000Z', [], mixedSurge({ sent: 300, latency_ms: handshakes(90, 0).latency_ms })),
  );
  t.match((await compare([base, measures])).out, /no difference/, 'a smaller share, a slower p99');
  t.match((await compare([base, base])).out, /no difference/);
});

t.test('between two runs with errors, the rate differs when it is clearly another', async (t) => {
  // a closed plan: the weights split the connections
  const at = (rate: number) =>
    save(
      record(
        'lab',
        '2026-11-23T00:00:00.000Z',
        [],
        mixedSurge({ errors: Math.round(rate * 400), error_rate: rate }, {}, 'closed'),
      ),
    );
  const [two, threeHalf, one, five, twenty, twentyTwo] = [0.02, 0.035, 0.01, 0.05, 0.2, 0.22].map(at);
  t.match((await compare([two!, threeHalf!])).out, /no difference/, '2% against 3.5%: under twice');
  t.match((await compare([twenty!, twentyTwo!])).out, /no difference/, '20% against 22%: under twice');
  const worse = await compare([one!, five!, '--format', 'markdown']);
  t.match(worse.out, /the surges differ/, '1% against 5%: more than a point, more than twice');
  t.match(worse.out, '| errors | 1% (4) | 5% (20) ≠ |');
  t.match(worse.out, '| share of requests | 40% (40% of connections planned) | 40% (40% of connections planned) |');
});

t.test('history: the last N verdicts per check, the flaky ones apart', async (t) => {
  const history = join(dir, 'history');
  const nights: Array<[string, CheckRecord['status'], CheckRecord['status']]> = [
    ['01', 'passed', 'passed'],
    ['02', 'failed', 'passed'],
    ['03', 'passed', 'passed'],
    ['04', 'passed', 'failed'],
    ['05', 'failed', 'failed'],
  ];
  for (const [day, flaky, broke] of nights) {
    mkdirSync(join(history, `night-${day}`), { recursive: true });
    // written out of order on purpose: the trend goes by the time the run started
    const r = record('staging', `2026-11-${day}T02:00:00.000Z`, [
      check({ id: 'steady' }),
      check({ id: 'flaky', status: flaky }),
      check({ id: 'broke', status: broke }),
    ]);
    writeFileSync(join(history, `night-${day}`, 'run.json'), JSON.stringify(r));
  }
  const res = await compare(['--history', history]);
  t.equal(res.exit, 0);
  t.match(res.out, /the last 5 runs of staging .* 1 flaky check/);
  const flaky = res.out.indexOf('flaky (the verdict flips)');
  const changed = res.out.indexOf('changed once');
  const steady = res.out.indexOf('steady');
  t.ok(flaky >= 0 && flaky < changed && changed < steady, 'flaky, then changed once, then steady');
  t.match(res.out, /caching\/flaky +✓✗✓✓✗ +flipped 3x/);
  t.match(res.out, /caching\/broke +✓✓✓✗✗ +flipped 1x/);
  t.match(res.out, /caching\/steady +✓✓✓✓✓/);
  const last3 = await compare(['--history', history, '--last', '3', '--format', 'markdown']);
  t.match(last3.out, '| `caching/flaky` | ✓✓✗ | 1 |', 'the last N only');
  t.match(last3.out, /\*\*0 flaky checks\*\*/);
});

t.test('a malformed run record: exit 2, file:line:col, no stack', async (t) => {
  const good = save(record('lab', '2026-11-23T00:00:00.000Z', tonight));
  const bad = save('{\n  "schema": "edgecheck.run/2",\n  "run_id": 7\n}\n');
  const res = edgecheck(['compare', good, bad]);
  t.equal(res.status, 2);
  t.match(res.stderr, /run-\d+\.json:3:13: error: run_id: expected a string, found number 7/);
  t.match(res.stderr, /missing required key 'checks'/);
  t.notMatch(res.stderr, /\n\s+at /);
  const truncated = edgecheck(['compare', good, save('{\n  "schema": "edgecheck.run/2",\n')]);
  t.equal(truncated.status, 2);
  t.match(truncated.stderr, /run-\d+\.json:\d+:\d+: error: invalid JSON/);
  const old = edgecheck(['compare', good, save('{"schema": "edgecheck.run/1"}')]);
  t.equal(old.status, 2);
  t.match(old.stderr, /a edgecheck\.run\/1 record: compare reads edgecheck\.run\/2/);
  const missing = edgecheck(['compare', good, join(dir, 'nope.json')]);
  t.equal(missing.status, 2);
  t.match(missing.stderr, /nope\.json: no such file/);
  const one = edgecheck(['compare', good]);
  t.equal(one.status, 2);
  t.match(one.stderr, /expected two or more run records/);
  const badBlock = record('lab', '2026-11-23T00:00:00.000Z', [], visitorsSurge(beeConnections({})));
  const broken = edgecheck([
    'compare',
    good,
    save({ ...badBlock, surge: { ...badBlock.surge!, connection_totals: { alpn: 'h2' } } } as unknown as RunRecord),
  ]);
  t.equal(broken.status, 2, 'a connections block compare cannot read');
  t.match(broken.stderr, /run-\d+\.json:\d+:\d+: error: surge\.connection_totals\.alpn: /);
  const mixed = mixedSurge();
  const { error_rate: _, ...withoutRate } = mixed.protocols![1]!;
  const noRate = edgecheck([
    'compare',
    good,
    save(
      record('lab', '2026-11-23T00:00:00.000Z', [], {
        ...mixed,
        protocols: [mixed.protocols![0]!, withoutRate],
      } as SurgeRecord),
    ),
  ]);
  t.equal(noRate.status, 2, 'a protocol without the error rate compare shows');
  t.match(noRate.stderr, /run-\d+\.json:\d+:\d+: error: missing required key 'error_rate' \(a number\)/);
  const failOn = edgecheck(['compare', good, good, '--fail-on', 'sometimes']);
  t.equal(failOn.status, 2);
  t.match(failOn.stderr, /--fail-on: unknown value 'sometimes'/);
});
