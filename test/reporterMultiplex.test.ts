// The multiplexer every run and surge reports through: a reporter that throws
// or rejects is named once per hook and the others go on, the run or surge
// still ends; a registered secret reaches no reporter's output in any form.
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { XMLParser } from 'fast-xml-parser';
import t from 'tap';
import { loadSuite, loadTargets, selectTarget } from '../harness/config/load.js';
import { RUN_RECORD_SCHEMA, type RunRecord } from '../harness/record.js';
import { runSuites } from '../harness/runner/runSuites.js';
import { registerSecret } from '../harness/secrets.js';
import type { SurgeRecord, SurgeStats, SurgeTick } from '../harness/surgeRecord.js';
import { openTarget } from '../harness/target/openTarget.js';
import { loadPlan } from '../load/loadPlan.js';
import { runSurge } from '../load/runSurge.js';
import { surgeRunRecord } from '../load/surgeRunRecord.js';
import { createReporter, reporterNames } from '../reports/index.js';
import JsonReporter, { RUN_RECORD_FILE } from '../reports/json.js';
import JunitReporter, { JUNIT_FILE } from '../reports/junit.js';
import MissionReporter from '../reports/mission.js';
import { writeReportFile } from '../reports/reportFile.js';
import { multiplex, type Reporter } from '../reports/reporter.js';
import SurgeProgressReporter from '../reports/surgeProgress.js';
import { xmlDocument } from '../reports/xml.js';
import { targetsFile } from './support/labRun.js';
import { labEdges } from '../lab/labs.js';

function sink(): { stream: Writable; text: () => string } {
  let out = '';
  const stream = new Writable({ write: (chunk, _enc, done) => ((out += chunk), done()) });
  return { stream, text: () => out };
}

const tmp = () => mkdtempSync(join(tmpdir(), 'edgecheck-reporters-'));

/** A secret a broken reporter's error message carries, to show the stderr line is redacted too. */
const ERROR_SECRET = 'err-s3cret-token';
registerSecret(ERROR_SECRET);

/** Fails in every hook: a throw in the hooks the runner does not wait for, a rejection in the rest. */
class BrokenReporter implements Reporter {
  readonly name = 'broken';
  onRunBegin(): void {
    throw new Error(`cannot draw the header (token ${ERROR_SECRET})`);
  }
  onCheckBegin(): void {
    throw new TypeError('no such check\nsecond line');
  }
  async onCheckEnd(): Promise<void> {
    throw new Error('disk full');
  }
  onSurgeTick(): void {
    throw new RangeError('tick out of range');
  }
  async onRunEnd(): Promise<void> {
    throw new Error('cannot write the report');
  }
}

/** Writes down every hook it is called with. */
class Witness implements Reporter {
  readonly name = 'witness';
  readonly calls: string[] = [];
  onRunBegin = () => void this.calls.push('onRunBegin');
  onCheckBegin = () => void this.calls.push('onCheckBegin');
  onCheckEnd = () => void this.calls.push('onCheckEnd');
  onSurgeTick = () => void this.calls.push('onSurgeTick');
  onRunEnd = async () => void this.calls.push('onRunEnd');
}

function count(calls: string[], hook: string): number {
  return calls.filter((c) => c === hook).length;
}

/** Unhandled rejections while fn runs: a reporter's rejected promise must be caught. */
async function noUnhandled(fn: () => Promise<void>): Promise<unknown[]> {
  const seen: unknown[] = [];
  const listener = (reason: unknown) => void seen.push(reason);
  process.on('unhandledRejection', listener);
  try {
    await fn();
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off('unhandledRejection', listener);
  }
  return seen;
}

const labTargets = targetsFile(`targets:
  lab:
    lab: reference
    surge: { allowed: true, max_rps: 200, max_duration: 30s, max_requests: 5000 }
`);

t.test('a run: a throwing reporter is named once per hook, the others report, the run ends', async (t) => {
  const dir = tmp();
  const suiteFile = join(dir, 'tiny.yaml');
  const check = (id: string) =>
    `  - id: ${id}\n    title: ${id}\n    object: { headers: { Cache-Control: "max-age=60" }, body: ${id} }\n` +
    `    steps:\n      - get: /\n        expect: { status: 200 }\n`;
  const checks = ['one', 'two', 'three'].map(check).join('');
  writeFileSync(suiteFile, `suite: tiny\ntitle: a tiny suite\nchecks:\n${checks}`);
  const target = await openTarget(selectTarget(loadTargets(labTargets, labEdges), 'lab'), labEdges);
  const errors = sink();
  const witness = new Witness();
  const out = join(dir, 'out');
  const opts = { outDir: out, stream: sink().stream, color: false };
  // the broken reporter goes first: the ones after it must still hear every event
  const reporters = [new BrokenReporter(), witness, new JsonReporter(opts), new JunitReporter(opts)];
  const events = multiplex(reporters, errors.stream);
  let record: RunRecord | undefined;
  const unhandled = await noUnhandled(async () => {
    try {
      record = await runSuites(target, [loadSuite(suiteFile)], { concurrency: 2, events });
    } finally {
      await target.close();
    }
  });
  t.same(unhandled, [], 'every rejection was caught');
  t.equal(record?.summary.passed, 3, 'the run ended with every check');
  t.same(
    ['onRunBegin', 'onCheckBegin', 'onCheckEnd', 'onRunEnd'].map((h) => count(witness.calls, h)),
    [1, 3, 3, 1],
    'the reporter after the broken one heard every event',
  );
  const written = JSON.parse(readFileSync(join(out, RUN_RECORD_FILE), 'utf8')) as RunRecord;
  t.equal(written.checks.length, 3, 'run.json is written');
  t.match(readFileSync(join(out, JUNIT_FILE), 'utf8'), /<testsuite name="tiny" tests="3" failures="0"/);
  const lines = errors.text().trimEnd().split('\n');
  t.same(lines.sort(), [
    "edgecheck: reporter 'broken' failed in onCheckBegin: no such check second line (the other reporters go on)",
    "edgecheck: reporter 'broken' failed in onCheckEnd: disk full (the other reporters go on)",
    "edgecheck: reporter 'broken' failed in onRunBegin: cannot draw the header (token [redacted]) " +
      '(the other reporters go on)',
    "edgecheck: reporter 'broken' failed in onRunEnd: cannot write the report (the other reporters go on)",
  ]);
});

t.test('a surge: a throwing reporter does not stop the ticks, the mission or run.json', async (t) => {
  const dir = tmp();
  const planFile = join(dir, 'brief.yaml');
  writeFileSync(planFile, 'surge: brief\nphases:\n  - { hold: { rps: 20, for: 2s } }\npaths: [/a]\nbees: 1\n');
  const plan = loadPlan(planFile);
  const named = selectTarget(loadTargets(labTargets, labEdges), 'lab');
  const target = await openTarget(named, labEdges);
  const errors = sink();
  const terminal = sink();
  const witness = new Witness();
  const opts = { outDir: join(dir, 'out'), stream: terminal.stream, color: false };
  const reporters = [new BrokenReporter(), witness, new MissionReporter(opts), new JsonReporter(opts)];
  const events = multiplex(reporters, errors.stream);
  const unhandled = await noUnhandled(async () => {
    try {
      const surge = await runSurge({ plan, named, target, runId: 'broken-reporter', onTick: events.onSurgeTick });
      const lab = { name: 'lab', url: target.url.href };
      const record = surgeRunRecord('broken-reporter', lab, new Date(), new Date(), surge);
      await events.onRunEnd(record);
    } finally {
      await target.close();
    }
  });
  t.same(unhandled, []);
  t.ok(count(witness.calls, 'onSurgeTick') >= 2, `${count(witness.calls, 'onSurgeTick')} ticks heard`);
  t.equal(count(witness.calls, 'onRunEnd'), 1);
  t.match(terminal.text(), /mission assessment: surge brief against lab/);
  const written = JSON.parse(readFileSync(join(opts.outDir, RUN_RECORD_FILE), 'utf8')) as RunRecord;
  t.equal(written.surge?.plan, 'brief', 'run.json holds the surge');
  t.same(errors.text().trimEnd().split('\n'), [
    "edgecheck: reporter 'broken' failed in onSurgeTick: tick out of range (the other reporters go on)",
    "edgecheck: reporter 'broken' failed in onRunEnd: cannot write the report (the other reporters go on)",
  ]);
});

t.test('a registered secret reaches no reporter, run or surge, in any escaped or encoded form', async (t) => {
  const secret = 'pa55&"<w0rd>\'x';
  registerSecret(secret);
  const forms = [
    secret,
    'pa55&amp;',
    'pa55&"<w0rd>',
    JSON.stringify(secret).slice(1, -1),
    encodeURIComponent(secret),
    new URL(`http://x/${secret}`).pathname.slice(1),
  ];
  const url = `https://cdn.example.com/${encodeURIComponent(secret)}/`;
  const failure = { expectation: 'status', expected: 200, actual: `500 from ${secret}` };
  const step = {
    kind: 'get',
    request: { method: 'GET', url: `${url}x?k=${secret}` },
    response: { status: 500, headers: { 'cache-control': `max-age=${secret}`, location: url } },
    failures: [failure],
  };
  const checks = [
    { suite: 's', id: 'a', title: `needs ${secret}`, kind: 'required' as const, status: 'failed' as const },
    { suite: 's', id: 'b', title: 'b', kind: 'optimal' as const, status: 'failed' as const },
    { suite: 's', id: 'c', title: 'c', kind: 'required' as const, status: 'skipped' as const },
  ].map((c) => ({ ...c, reason: `because ${secret}`, duration_ms: 3, steps: [step] }));
  const run: RunRecord = {
    schema: RUN_RECORD_SCHEMA,
    run_id: 'r',
    target: { name: 'staging', url },
    started: '2026-01-01T00:00:00.000Z',
    finished: '2026-01-01T00:00:01.000Z',
    summary: { passed: 0, failed: 2, skipped: 1 },
    checks,
  };
  const stats: SurgeStats = {
    sent: 10,
    responses: 10,
    rps: 5,
    errors: 1,
    error_rate: 0.1,
    errors_by_kind: { [`HTTP 503 ${secret}`]: 1 },
    status: { '1xx': 0, '2xx': 9, '3xx': 0, '4xx': 0, '5xx': 1 },
    latency_ms: null,
    cache: { claimed_hits: 0, claimed_misses: 10, no_claim: 0, claimed_hit_ratio: 0 },
  };
  const surge: SurgeRecord = {
    plan: `plan-${secret}`,
    model: 'open',
    bees: 1,
    connections: 1,
    source: 'edgecheck',
    partial: true,
    stop_reason: `stopped by ${secret}`,
    planned_duration_ms: 2000,
    duration_ms: 1000,
    primed: false,
    limits: { max_duration_ms: 2000, max_requests: 100 },
    totals: stats,
    phases: [],
    timeline: [],
    thresholds: [],
    verdict: 'held',
    notes: [`origin ${secret} unreachable`],
  };
  const second = { t: 0, phase: 0, planned_rps: 5, ...stats, claimed_hit_ratio: 0, origin_rps: 1 };
  const tick: SurgeTick = {
    plan: surge.plan,
    elapsed_ms: 1000,
    planned_duration_ms: 2000,
    phase: { index: 0, label: `hold ${secret}` },
    second,
  };

  const dir = tmp();
  const terminal = sink();
  const errors = sink();
  const opts = { outDir: dir, stream: terminal.stream, color: false };
  const broken = new BrokenReporter();
  broken.onRunEnd = async () => {
    throw new Error(`cannot reach ${secret}`);
  };
  const runEvents = multiplex([...reporterNames.map((n) => createReporter(n, opts)), broken], errors.stream);
  runEvents.onRunBegin({ runId: 'r', target: run.target, suites: [{ suite: 's', title: secret, checks: 3 }] });
  for (const c of checks) {
    runEvents.onCheckBegin(c);
    runEvents.onCheckEnd(c);
  }
  await runEvents.onRunEnd(run);
  const surgeOpts = { ...opts, outDir: join(dir, 'surge') };
  const surgeEvents = multiplex(
    [new SurgeProgressReporter(surgeOpts), new MissionReporter(surgeOpts), new JsonReporter(surgeOpts)],
    errors.stream,
  );
  surgeEvents.onSurgeTick(tick);
  await surgeEvents.onRunEnd(surgeRunRecord('s', run.target, new Date(0), new Date(1000), surge));

  const files = [
    ...readdirSync(dir, { withFileTypes: true })
      .filter((f) => f.isFile())
      .map((f) => join(dir, f.name)),
    join(dir, 'surge', RUN_RECORD_FILE),
  ];
  t.same(files.map((f) => f.slice(dir.length + 1)).sort(), [
    'junit.xml',
    'report.html',
    'report.tap',
    'run.json',
    'surge/run.json',
  ]);
  t.match(terminal.text(), /mission assessment: surge plan-\[redacted\]/, 'the mission was drawn');
  t.match(terminal.text(), /s › a: needs \[redacted\]/, 'the terminal reporters drew the checks');
  t.match(errors.text(), /failed in onRunEnd: cannot reach \[redacted\]/);
  const outputs: Record<string, string> = { terminal: terminal.text(), stderr: errors.text() };
  for (const f of files) outputs[f.slice(dir.length + 1)] = readFileSync(f, 'utf8');
  for (const [where, text] of Object.entries(outputs)) {
    for (const form of forms) t.notOk(text.includes(form), `${where}: no ${form}`);
  }
  const record = JSON.parse(outputs['run.json']!) as RunRecord;
  t.equal(record.checks[0]!.reason, 'because [redacted]', 'run.json keeps the text around a secret');
});

t.test('writeReportFile replaces a report whole and leaves no temp file', async (t) => {
  const dir = join(tmp(), 'nested', 'out');
  const path = writeReportFile(dir, 'run.json', 'first\n');
  t.equal(path, join(dir, 'run.json'));
  writeReportFile(dir, 'run.json', 'second\n');
  t.equal(readFileSync(path, 'utf8'), 'second\n');
  t.same(readdirSync(dir), ['run.json']);
  const blocked = join(dir, 'a-directory');
  writeReportFile(join(blocked, 'inside'), 'x', 'x');
  t.throws(() => writeReportFile(dir, 'a-directory', 'x'), 'a write that cannot land throws to the multiplexer');
  t.same(readdirSync(dir).sort(), ['a-directory', 'run.json'], 'and leaves no temp file behind');
  t.ok(existsSync(join(blocked, 'inside', 'x')));
});

t.test('the XML serialiser escapes what it must and drops what XML cannot hold', async (t) => {
  const nasty = 'a<b>&"c"\'d\'\u0001\u0008\ufffe \ud800 e\u{1F600}';
  const text = xmlDocument({
    name: 'root',
    attrs: { plain: 1, nasty: `${nasty}\nline\ttab`, left: undefined },
    content: [{ name: 'empty' }, { name: 'text', content: nasty }, { name: 'none', content: '' }],
  });
  t.equal(
    text,
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
      '<root plain="1" nasty="a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;  e\u{1F600}&#10;line&#9;tab">\n' +
      '  <empty/>\n' +
      '  <text>a&lt;b&gt;&amp;"c"\'d\'  e\u{1F600}</text>\n' +
      '  <none/>\n' +
      '</root>\n',
  );
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', htmlEntities: true });
  const parsed = parser.parse(text) as { root: { nasty: string; text: string } };
  t.equal(parsed.root.nasty, 'a<b>&"c"\'d\'  e\u{1F600}\nline\ttab', 'line breaks in an attribute survive a parser');
  t.equal(parsed.root.text, 'a<b>&"c"\'d\'  e\u{1F600}');
});
