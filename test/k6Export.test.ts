// Beyond one machine: the exported k6 script type-checks against @types/k6,
// the TestRun runs one pod per bee, and a k6 summary (both formats) reads
// back into the same mission assessment. k6 itself runs only where installed.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import t from 'tap';
import ts from 'typescript';
import { parse } from 'yaml';
import { runInNewContext } from 'node:vm';
import { main } from '../cli/main.js';
import type { RunRecord } from '../harness/record.js';
import { importK6Summary } from '../load/k6/importSummary.js';
import { k6Script } from '../load/k6/k6Script.js';
import { loadPlan } from '../load/loadPlan.js';
import { surgeRunRecord } from '../load/surgeRunRecord.js';
import { missionAssessment } from '../reports/mission.js';
import { paint } from '../reports/terminal.js';
import { suitesDir, targetsFile } from './support/labRun.js';

const k6Types = dirname(createRequire(import.meta.url).resolve('@types/k6/package.json'));

/** tsc's diagnostics for a k6 script, with k6's module names mapped to @types/k6 */
function typeErrors(file: string): string[] {
  const program = ts.createProgram([file], {
    strict: true,
    noEmit: true,
    noUncheckedIndexedAccess: true,
    target: ts.ScriptTarget.ES2020,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    types: [],
    paths: { k6: [join(k6Types, 'index.d.ts')], 'k6/*': [join(k6Types, '*', 'index.d.ts')] },
    skipLibCheck: true,
  });
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

t.test('surge export k6 writes a script that type-checks against @types/k6 and a TestRun', async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'edgecheck-k6-'));
  const targets = targetsFile(`targets:
  staging:
    url: https://cdn.staging.example.com
    edges: [192.0.2.10, 192.0.2.11]
    cache_status: cloudfront
    surge: { allowed: true, max_rps: 2000, max_duration: 5m }
`);
  const code = await main([
    'surge',
    'export',
    'k6',
    '--plan',
    'launch-day',
    '--suites-dir',
    suitesDir,
    '--targets',
    targets,
    '--target',
    'staging',
    '--out',
    out,
  ]);
  t.equal(code, 0);
  const file = join(out, 'launch-day.ts');
  const script = readFileSync(file, 'utf8');
  t.same(typeErrors(file), [], 'no type errors');
  t.match(script, /executor":"ramping-arrival-rate"/);
  t.match(
    script,
    /"stages":\[\{"target":100,"duration":"10000ms"\},\{"target":100,"duration":"20000ms"\},\{"target":1400,"duration":"5000ms"\},\{"target":1400,"duration":"30000ms"\}\]/,
  );
  t.match(script, /hosts: \{"cdn\.staging\.example\.com":"192\.0\.2\.10"\}/, 'pinned to the first edge');
  t.match(script, /other edges: 192\.0\.2\.11/);
  t.match(script, /"http_req_duration\{phase:p4\}":\["max>=0","p\(99\)<=250"\]/, 'thresholds per phase');
  t.match(script, /"http_reqs\{phase:p4\}":\["count>=0","count>=39900"\]/, 'min_rps 95% of 42000 planned');
  t.match(script, /\["x-cache", \/\^hit from cloudfront\$\/i\]/, "the target's cache-status dialect");

  const run = parse(readFileSync(join(out, 'launch-day.testrun.yaml'), 'utf8'));
  t.equal(run.kind, 'TestRun');
  t.equal(run.spec.parallelism, 4, 'one pod per bee');
  t.equal(run.spec.script.configMap.file, 'launch-day.ts');
  t.same(run.spec.runner.env, [
    { name: 'EDGECHECK_BASE_URL', value: 'https://cdn.staging.example.com' },
    { name: 'EDGECHECK_PODS', value: '4' },
  ]);

  // each pod runs 1/4 of the plan (execution segments) and judges its own thresholds
  const perPod = exportedThresholds(script, { EDGECHECK_PODS: '4', EDGECHECK_BASE_URL: 'https://x' });
  t.same(perPod['http_reqs{phase:p4}'], ['count>=0', 'count>=9975'], 'a pod is held to its share of min_rps');
  t.same(perPod['http_req_duration{phase:p4}'], ['max>=0', 'p(99)<=250'], 'latency limits stay as they are');
  t.same(
    exportedThresholds(script, { EDGECHECK_BASE_URL: 'https://x' })['http_reqs{phase:p4}'],
    ['count>=0', 'count>=39900'],
    'one k6 process: the whole plan',
  );
});

/** Runs the exported script's init code (k6's modules stubbed) and returns its options.thresholds. */
function exportedThresholds(script: string, env: Record<string, string>): Record<string, string[]> {
  const js = ts.transpileModule(script, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020 },
  }).outputText;
  const exports: { options?: { thresholds: Record<string, string[]> } } = {};
  const stub = new Proxy(function () {}, {
    get: () => stub,
    apply: () => stub,
    construct: () => stub,
  }) as unknown as object;
  // every k6 module, and everything in it, is the stub (init code calls http.setResponseCallback)
  runInNewContext(js, { exports, require: () => stub, __ENV: env });
  return exports.options!.thresholds;
}

t.test('a closed-model plan exports ramping VUs, and the export respects surge.allowed', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'edgecheck-k6-'));
  const plan = join(dir, 'closed.yaml');
  const { writeFileSync } = await import('node:fs');
  writeFileSync(
    plan,
    'surge: closed\nmodel: closed\nphases:\n' +
      '  - { ramp: { to: 20, over: 5s } }\n  - { hold: { connections: 20, for: 10s } }\n' +
      'paths: [/x]\nbees: 2\n',
  );
  const script = k6Script(loadPlan(plan), { dialect: 'auto', routePath: '/static/' });
  const file = join(dir, 'closed.ts');
  writeFileSync(file, script);
  t.same(typeErrors(file), []);
  t.match(script, /"executor":"ramping-vus","startVUs":0/);

  const slow = join(dir, 'slow.yaml');
  writeFileSync(
    slow,
    'surge: slow\nphases:\n  - { ramp: { to: 1.5, over: 10s } }\n  - { hold: { rps: 1.5, for: 10s } }\npaths: [/x]\n',
  );
  const slowScript = k6Script(loadPlan(slow), { dialect: 'auto', routePath: '/' });
  t.match(
    slowScript,
    /"timeUnit":"1m",.*"stages":\[\{"target":90,"duration":"10000ms"\},\{"target":90,"duration":"10000ms"\}\]/,
    '1.5 rps as 90 a minute, not rounded to 2',
  );
  t.match(script, /"path":"\/static\/x"/, 'paths under the route');

  const shy = targetsFile('targets:\n  shy:\n    url: https://example.com\n');
  const code = await main(['surge', 'export', 'k6', '--plan', plan, '--targets', shy, '--target', 'shy', '--out', dir]);
  t.equal(code, 2, 'no export for a target that does not allow surges');
});

/** what k6 --summary-export writes for the smoke plan's four phases (threshold true = failed) */
function summaryExport(p99: number): object {
  const metrics: Record<string, object> = {
    http_reqs: { count: 425, rate: 85 },
    http_req_failed: { passes: 0, fails: 425, value: 0 },
    http_req_duration: { avg: 2, min: 0.3, med: 1, max: p99 + 5, 'p(95)': 3, 'p(99)': p99, 'p(99.9)': p99 + 1 },
    edgecheck_cache_hit: { passes: 420, fails: 5, value: 420 / 425 },
    dropped_iterations: { count: 3, rate: 0.6 },
  };
  const perPhase = [25, 50, 300, 50];
  perPhase.forEach((count, i) => {
    const tag = `{phase:p${i + 1}}`;
    metrics[`http_reqs${tag}`] = { count, rate: count / 5, thresholds: { 'count>=0': false } };
    metrics[`http_req_failed${tag}`] = { passes: 0, fails: count, value: 0 };
    metrics[`http_req_duration${tag}`] = {
      avg: 2,
      min: 0.3,
      med: 1,
      max: p99 + 5,
      'p(95)': 3,
      'p(99)': i === 2 ? p99 : 4,
      'p(99.9)': p99 + 1,
    };
    metrics[`edgecheck_cache_hit${tag}`] = { passes: count - (i === 0 ? 5 : 0), fails: i === 0 ? 5 : 0, value: 1 };
  });
  return { root_group: { name: '', checks: {} }, metrics };
}

t.test('a visitors plan exports a visit per iteration on a new connection; an h2 plan counts h2', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'edgecheck-k6-'));
  const { writeFileSync } = await import('node:fs');
  const visitors = join(dir, 'visitors.yaml');
  writeFileSync(
    visitors,
    'surge: visitors\nmodel: visitors\nphases:\n  - { ramp: { to: 20, over: 5s } }\n' +
      '  - { hold: { visitors: 20, for: 10s } }\npaths: [/x, /y]\n' +
      'visit: { requests: { weights: [1, 3, 1] }, think: { min: 200ms, max: 800ms } }\nconnections: 300\n',
  );
  const script = k6Script(loadPlan(visitors), { dialect: 'auto', routePath: '/' });
  const file = join(dir, 'visitors.ts');
  writeFileSync(file, script);
  t.same(typeErrors(file), [], 'no type errors');
  t.match(script, /noVUConnectionReuse: true/, 'a new connection per iteration, kept within it');
  t.match(script, /"executor":"ramping-arrival-rate","startRate":0,"timeUnit":"1s","preAllocatedVUs":300/);
  t.match(script, /"stages":\[\{"target":20,"duration":"5000ms"\},\{"target":20,"duration":"10000ms"\}\]/);
  t.match(script, /const weights: number\[\] = \[1,3,1\];/, 'requests per visit drawn by the weights');
  t.match(script, /return \(200 \+ Math\.random\(\) \* 600\) \/ 1000;/, 'think time 200-800 ms');
  t.match(script, /if \(i > 0\) sleep\(thinkSeconds\(\)\);/);
  t.notMatch(script, /returning visitors/, 'no returning visitors planned, none to warn of');
  const returning = join(dir, 'returning.yaml');
  writeFileSync(
    returning,
    'surge: returning\nmodel: visitors\nphases:\n  - { hold: { visitors: 5, for: 5s } }\npaths: [/x]\n' +
      'visit: { resume: 60% }\n',
  );
  t.match(
    k6Script(loadPlan(returning), { dialect: 'auto', routePath: '/' }),
    /\/\/ the plan's returning visitors \(resume: 60%\) are not reproduced: k6 cannot offer an earlier visit's TLS session/,
  );
  t.match(script, /http\.setResponseCallback\(http\.expectedStatuses\(\{ min: 100, max: 399 \}\)\);/);
  t.match(script, /GODEBUG=http2client=0/, 'an h1 plan says how to keep k6 to HTTP/1.1');
  t.notMatch(script, /edgecheck_h2/);

  const h2 = join(dir, 'h2.yaml');
  writeFileSync(
    h2,
    'surge: h2\nprotocol: h2\nstreams: 20\nphases:\n  - { hold: { rps: 50, for: 10s } }\npaths: [/x]\n',
  );
  const h2Script = k6Script(loadPlan(h2), { dialect: 'auto', routePath: '/' });
  const h2File = join(dir, 'h2.ts');
  writeFileSync(h2File, h2Script);
  t.same(typeErrors(h2File), [], 'no type errors');
  t.match(
    h2Script,
    /if \(res\.status !== 0\) h2\.add\(res\.proto === 'HTTP\/2\.0', \{ phase \}\);/,
    'each response: over h2 or not; a request without one is an error, not a fall-back',
  );
  t.match(h2Script, /"edgecheck_h2\{phase:p1\}":\["rate>=1"\]/, 'a fall-back fails a threshold');
  t.notMatch(h2Script, /noVUConnectionReuse|GODEBUG/);

  // paths over h1 and h2: k6 picks the protocol per connection, so only the h2 paths count in edgecheck_h2
  const mixed = join(dir, 'mixed.yaml');
  writeFileSync(
    mixed,
    'surge: mixed\nphases:\n  - { hold: { rps: 50, for: 10s } }\n' +
      'paths: [{ path: /page, weight: 3 }, { path: /api, protocol: h2 }]\nbees: 2\n',
  );
  const mixedScript = k6Script(loadPlan(mixed), { dialect: 'auto', routePath: '/' });
  const mixedFile = join(dir, 'mixed.ts');
  writeFileSync(mixedFile, mixedScript);
  t.same(typeErrors(mixedFile), [], 'no type errors');
  t.match(mixedScript, /k6 picks the protocol per connection by ALPN, not per path/);
  t.match(mixedScript, /\{"path":"\/api","headers":\{\},"h2":true\}/, 'the h2 path is marked');
  t.notMatch(mixedScript, /\{"path":"\/page","headers":\{\},"h2":true\}/, 'the h1 path is not');
  t.match(mixedScript, /if \(request\.h2 && res\.status !== 0\) h2\.add\(/, 'only the h2 paths count');
  t.match(mixedScript, /"edgecheck_h2\{phase:p1\}":\["rate>=1"\]/);
});

t.test('import-k6 reads a --summary-export file into the mission assessment', async (t) => {
  const plan = loadPlan(join(suitesDir, 'surge-smoke.yaml'));
  const held = importK6Summary([{ json: summaryExport(12), file: 'summary.json' }], plan);
  t.equal(held.source, 'k6');
  t.equal(held.duration_ms, 5000, 'the duration from http_reqs count / rate');
  t.same(
    held.phases.map((p) => p.rps),
    [25, 50, 150, 50],
  );
  t.equal(held.phases[2]!.latency_ms!.p99, 12);
  t.equal(held.phases[0]!.cache.claimed_hit_ratio, 20 / 25);
  t.equal(
    held.thresholds.find((x) => x.threshold === 'origin_rps')?.verdict,
    'not measured',
    'k6 cannot count the origin',
  );
  t.equal(held.thresholds.find((x) => x.threshold === 'cache_hit_ratio')?.verdict, 'breached', 'phase 1 hit 80% < 95%');
  t.match(held.notes.join('\n'), /dropped 3 planned iterations/);

  const slow = importK6Summary([{ json: summaryExport(400), file: 'summary.json' }], plan);
  const p99 = slow.thresholds.find((x) => x.threshold === 'p99')!;
  t.equal(p99.verdict, 'breached');
  t.same(p99.breached_in, [2]);
});

t.test('import-k6 reads handleSummary() data and sets the exit code', async (t) => {
  const data = {
    state: { testRunDurationMs: 5000 },
    metrics: Object.fromEntries(
      Object.entries(summaryExport(12) as { metrics: Record<string, Record<string, number>> }).flatMap(([k, v]) =>
        k === 'metrics'
          ? Object.entries(v).map(([name, values]) => [
              name,
              { type: 'x', contains: 'default', values: renameValue(values as unknown as Record<string, number>) },
            ])
          : [],
      ),
    ),
  };
  const dir = mkdtempSync(join(tmpdir(), 'edgecheck-k6-'));
  const file = join(dir, 'summary.json');
  const { writeFileSync } = await import('node:fs');
  writeFileSync(file, JSON.stringify(data));
  const code = await main([
    'surge',
    'import-k6',
    file,
    '--plan',
    'surge-smoke',
    '--suites-dir',
    suitesDir,
    '--out',
    dir,
  ]);
  t.equal(code, 1, 'a breached threshold (phase 1 hit ratio) exits 1');
  const record = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as RunRecord;
  t.equal(record.surge?.source, 'k6');
  t.equal(record.surge?.totals.responses, 425);
  t.equal(
    await main(['surge', 'import-k6', join(dir, 'missing.json'), '--plan', 'surge-smoke', '--suites-dir', suitesDir]),
    2,
  );
});

t.test('import-k6 reads one summary per k6-operator pod as one run', async (t) => {
  const plan = loadPlan(join(suitesDir, 'surge-smoke.yaml'));
  const pod = (p99: number, failures: number) => {
    const json = summaryExport(p99) as { metrics: Record<string, Record<string, number>> };
    json.metrics['http_req_failed{phase:p3}'] = { passes: failures, fails: 300 - failures, value: failures / 300 };
    return json;
  };
  const merged = importK6Summary(
    [
      { json: pod(12, 0), file: 'pod-1.json' },
      { json: pod(30, 3), file: 'pod-2.json' },
    ],
    plan,
  );
  t.same(
    merged.phases.map((p) => p.responses),
    [50, 100, 600, 100],
    'counts add up',
  );
  t.same(
    merged.phases.map((p) => p.rps),
    [50, 100, 300, 100],
    'so does the throughput',
  );
  t.equal(merged.phases[2]!.error_rate, 3 / 600, 'a rate is recomputed from passes and fails');
  t.equal(merged.phases[2]!.latency_ms!.p99, 30, "latency percentiles: the worst pod's");
  t.equal(merged.phases[0]!.cache.claimed_hit_ratio, 40 / 50);
  t.match(merged.notes.join('\n'), /2 pod summaries merged: .* the worst pod's, an upper bound/);
  t.match(merged.notes.join('\n'), /dropped 6 planned iterations/);
  t.throws(
    () =>
      importK6Summary(
        [
          { json: pod(12, 0), file: 'a.json' },
          { json: { metrics: {} }, file: 'b.json' },
        ],
        plan,
      ),
    /b\.json: no http_reqs metric/,
  );
});

/** A visitors plan (5 s ramp to 20 visits/s, 10 s at 20), h2 or h1, with so many requests per visit. */
function visitorsPlan(protocol: 'h1' | 'h2', requests: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'edgecheck-k6-')), `visitors-${protocol}.yaml`);
  writeFileSync(
    file,
    `surge: visitors-${protocol}\nmodel: visitors\nprotocol: ${protocol}\nphases:\n` +
      '  - { ramp: { to: 20, over: 5s } }\n  - { hold: { visitors: 20, for: 10s } }\n' +
      `paths: [/x, /y]\nvisit: { requests: ${requests}, think: 200ms }\nconnections: 300\n`,
  );
  return file;
}

/**
 * What k6 --summary-export writes for a visitors plan's run of 15 s: 500 requests over 240 visits,
 * http_req_tls_handshaking with a value per request (`tlsMin` 0: some requests went over a reused
 * connection), and for an h2 plan edgecheck_h2 (10 responses of the ramp over HTTP/1.1).
 */
function visitorsSummaryExport(opts: { h2: boolean; tlsMin: number }): { metrics: Record<string, object> } {
  const metrics: Record<string, object> = {
    http_reqs: { count: 500, rate: 500 / 15 },
    http_req_failed: { passes: 0, fails: 500, value: 0 },
    http_req_duration: { avg: 2, min: 0.3, med: 1, max: 9, 'p(95)': 3, 'p(99)': 5, 'p(99.9)': 8, count: 500 },
    edgecheck_cache_hit: { passes: 500, fails: 0, value: 1 },
    iterations: { count: 240, rate: 16 },
    dropped_iterations: { count: 4, rate: 0.27 },
    http_req_tls_handshaking: {
      avg: 3,
      min: opts.tlsMin,
      med: opts.tlsMin,
      max: 40,
      'p(95)': 20,
      'p(99)': 30,
      'p(99.9)': 35,
      count: 500,
    },
  };
  [100, 400].forEach((count, i) => {
    const tag = `{phase:p${i + 1}}`;
    metrics[`http_reqs${tag}`] = { count, rate: count / 5 };
    metrics[`http_req_failed${tag}`] = { passes: 0, fails: count, value: 0 };
    metrics[`http_req_duration${tag}`] = { avg: 2, min: 0.3, med: 1, max: 9, 'p(95)': 3, 'p(99)': 5, 'p(99.9)': 8 };
    metrics[`edgecheck_cache_hit${tag}`] = { passes: count, fails: 0, value: 1 };
    if (opts.h2) {
      const fell = i === 0 ? 10 : 0;
      metrics[`edgecheck_h2${tag}`] = { passes: count - fell, fails: fell, value: (count - fell) / count };
    }
  });
  if (opts.h2) metrics['edgecheck_h2'] = { passes: 490, fails: 10, value: 0.98 };
  return { metrics };
}

t.test('import-k6 reads what k6 gives of the connections of a visitors h2 plan, and leaves the rest out', async (t) => {
  const plan = loadPlan(visitorsPlan('h2', '{ min: 1, max: 3 }'));
  const surge = importK6Summary([{ json: visitorsSummaryExport({ h2: true, tlsMin: 0 }), file: 'summary.json' }], plan);
  t.strictSame(
    surge.phases.map((p) => p.connections),
    [
      {
        planned_visits: 50,
        planned_visits_per_s: 10,
        alpn: { h2: 90, 'not h2': 10 },
        alpn_unit: 'responses',
        h2_fallbacks: 10,
      },
      { planned_visits: 200, planned_visits_per_s: 20, alpn: { h2: 400 }, alpn_unit: 'responses', h2_fallbacks: 0 },
    ],
    'per phase: the visits planned and the h2 share of responses; no handshakes (iterations carry no phase)',
  );
  t.strictSame(
    surge.connection_totals,
    {
      handshakes: 240,
      handshakes_per_s: 16,
      planned_visits: 250,
      planned_visits_per_s: 16.67,
      alpn: { h2: 490, 'not h2': 10 },
      alpn_unit: 'responses',
      h2_fallbacks: 10,
      skipped_visits: 4,
    },
    "in total: a handshake per completed iteration, k6's dropped iterations as skipped visits; " +
      'no latency, resumption or connection errors, not even as 0',
  );
  const notes = surge.notes.join('\n');
  t.match(notes, /handshakes are k6's completed iterations, each a visit on a new connection/);
  t.match(notes, /the h2 share and its fall-backs count responses \(edgecheck_h2\), not connections/);
  t.match(
    notes,
    /k6's summary does not give these connection figures: handshakes per phase .*; handshake latency \(http_req_tls_handshaking has 0 ms for each request on a reused connection.*; full and resumed handshakes apart.*; connection errors by kind/,
  );
  t.notMatch(notes, /the h2 share \(no edgecheck_h2/);
  const mission = missionAssessment(
    surgeRunRecord('k6', { name: 'k6', url: 'k6 summary' }, new Date(0), new Date(15000), surge),
    paint(false),
  ).join('\n');
  t.match(
    mission,
    /1 ramp 0 -> 20 visitors over 5s +- of 10 +- +- +- +responses: h2 90, not h2 10 \(10 fell back\) +-/,
  );
});

t.test('import-k6 reads handleSummary() data of a visit of one request: its handshake latency is clean', async (t) => {
  const planFile = visitorsPlan('h1', '1');
  const exported = visitorsSummaryExport({ h2: false, tlsMin: 1.5 });
  const data = {
    state: { testRunDurationMs: 15000 },
    metrics: Object.fromEntries(
      Object.entries(exported.metrics).map(([name, values]) => [
        name,
        { type: 'x', contains: 'default', values: renameValue(values as Record<string, number>) },
      ]),
    ),
  };
  const dir = mkdtempSync(join(tmpdir(), 'edgecheck-k6-'));
  const file = join(dir, 'summary.json');
  writeFileSync(file, JSON.stringify(data));
  t.equal(await main(['surge', 'import-k6', file, '--plan', planFile, '--out', dir]), 0);
  const surge = (JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as RunRecord).surge!;
  t.strictSame(
    surge.connection_totals,
    {
      handshakes: 500,
      handshakes_per_s: 33.33,
      planned_visits: 250,
      planned_visits_per_s: 16.67,
      all: { count: 500, latency_ms: { p50: 1.5, p95: 20, p99: 30, 'p99.9': 35, max: 40, mean: 3 } },
      skipped_visits: 4,
    },
    'no request at 0 ms: each value is a handshake (full and resumed together); an h1 plan has no h2 share',
  );
  t.strictSame(surge.phases[0]!.connections, { planned_visits: 50, planned_visits_per_s: 10 });
  const notes = surge.notes.join('\n');
  t.match(notes, /handshakes and their latency from http_req_tls_handshaking .*: the TLS handshake alone/);
  t.notMatch(notes, /handshake latency \(/, 'the latency is not among what k6 does not give');
  t.notMatch(notes, /h2 share/);
});

t.test(
  "import-k6 reads the exported script's edgecheck_handshake: handshakes and their latency per phase",
  async (t) => {
    const planFile = visitorsPlan('h2', '{ min: 1, max: 3 }');
    const script = k6Script(loadPlan(planFile), { dialect: 'auto', routePath: '/' });
    t.match(script, /import \{ Rate, Trend \} from 'k6\/metrics';/);
    t.match(
      script,
      /if \(res\.timings\.tls_handshaking > 0\) handshake\.add\(res\.timings\.tls_handshaking, \{ phase \}\);/,
    );
    t.match(script, /"edgecheck_handshake\{phase:p2\}":\["max>=0"\]/, "a phase's submetric, so k6 summarises it");
    const scriptFile = join(mkdtempSync(join(tmpdir(), 'edgecheck-k6-')), 'visitors.ts');
    writeFileSync(scriptFile, script);
    t.same(typeErrors(scriptFile), [], 'no type errors');

    const exported = visitorsSummaryExport({ h2: true, tlsMin: 0 });
    const trend = (count: number, p99: number) => ({
      avg: 4,
      min: 2,
      med: 3,
      max: p99 + 5,
      'p(95)': p99 - 1,
      'p(99)': p99,
      'p(99.9)': p99 + 1,
      count,
    });
    exported.metrics['edgecheck_handshake{phase:p1}'] = trend(50, 12);
    exported.metrics['edgecheck_handshake{phase:p2}'] = trend(190, 25);
    exported.metrics['edgecheck_handshake'] = trend(240, 24);
    const surge = importK6Summary([{ json: exported, file: 'summary.json' }], loadPlan(planFile));
    t.same(
      surge.phases.map((p) => [
        p.connections?.handshakes,
        p.connections?.handshakes_per_s,
        p.connections?.all?.latency_ms?.p99,
      ]),
      [
        [50, 10, 12],
        [190, 19, 25],
      ],
      'per phase: a handshake per request that opened a connection, and their p99',
    );
    t.match(surge.connection_totals, { handshakes: 240, all: { count: 240, latency_ms: { p99: 24 } } });
    const notes = surge.notes.join('\n');
    t.match(notes, /handshakes and their latency per phase from edgecheck_handshake/);
    t.notMatch(notes, /handshakes per phase \(/, 'handshakes per phase are no longer among what k6 does not give');
    t.notMatch(notes, /handshake latency \(/);
  },
);

t.test('import-k6 of an h2 plan exported before edgecheck_h2, and of a keep-alive plan', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'edgecheck-k6-'));
  const h2File = join(dir, 'smoke-h2.yaml');
  writeFileSync(h2File, readFileSync(join(suitesDir, 'surge-smoke.yaml'), 'utf8') + 'protocol: h2\n');
  const h2 = importK6Summary([{ json: summaryExport(12), file: 'summary.json' }], loadPlan(h2File));
  t.equal(h2.connection_totals, undefined, 'nothing to say of its connections: no block, not a block of zeros');
  t.same(
    h2.phases.map((p) => p.connections),
    [undefined, undefined, undefined, undefined],
  );
  t.match(
    h2.notes.join('\n'),
    /does not give these connection figures: handshakes \(k6 counts no connections\); .*; the h2 share \(no edgecheck_h2 metric: export the script again\)/,
  );

  const smoke = importK6Summary(
    [{ json: summaryExport(12), file: 'summary.json' }],
    loadPlan(join(suitesDir, 'surge-smoke.yaml')),
  );
  t.equal(smoke.connection_totals, undefined, 'a keep-alive h1 plan opens no connections of its own');
  t.notMatch(smoke.notes.join('\n'), /connection figures|connections from/);
});

function renameValue(values: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(values)) if (typeof v === 'number') out[k === 'value' ? 'rate' : k] = v;
  return out;
}

const k6 = spawnSync('k6', ['version'], { encoding: 'utf8' });
t.test('the exported smoke plan runs under k6', { skip: k6.error ? 'k6 is not on PATH' : false }, async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'edgecheck-k6-run-'));
  t.equal(await main(['surge', 'export', 'k6', '--plan', 'surge-smoke', '--suites-dir', suitesDir, '--out', out]), 0);
  // no target: k6 only has to parse and type the script (inspect does not fire)
  const inspected = execFileSync('k6', ['inspect', resolve(out, 'smoke.ts')], {
    encoding: 'utf8',
    env: { ...process.env, EDGECHECK_BASE_URL: 'https://127.0.0.1:1' },
  });
  t.match(inspected, /ramping-arrival-rate/);
});
