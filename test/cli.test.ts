// The command line as a user runs it: help, schema, reporters' files, and the
// exit codes 0 (pass), 1 (a required check failed), 2 (bad input), 3 (could not run).
import { readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import t from 'tap';
import { Parser } from 'tap-parser';
import type { RunRecord } from '../harness/record.js';
import { edgecheck } from './support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'edgecheck-cli-'));

t.test('help', async (t) => {
  const top = edgecheck(['--help']);
  t.equal(top.status, 0);
  t.match(top.stdout, /Usage: edgecheck <command>/);
  t.match(top.stdout, /Exit codes/);
  const run = edgecheck(['run', '--help']);
  t.equal(run.status, 0);
  t.match(run.stdout, /--reporter/);
  t.match(run.stdout, /--targets FILE/);
  const none = edgecheck([]);
  t.equal(none.status, 2, 'no command is a usage error');
  const unknown = edgecheck(['frobnicate']);
  t.equal(unknown.status, 2);
  t.match(unknown.stderr, /unknown command 'frobnicate'/);
  const inherited = edgecheck(['run', '--target', 'constructor']);
  t.equal(inherited.status, 2, 'a name every object inherits is no target');
  t.match(inherited.stderr, /--target constructor: no such target/);
  const inheritedRoute = join(dir, 'inherited-route.yaml');
  writeFileSync(
    inheritedRoute,
    'suite: r\ntitle: R\nchecks:\n  - id: a\n    title: A\n    steps:\n      - get: /\n        route: constructor\n',
  );
  const routeOut = join(dir, 'inherited-route');
  const routeRun = edgecheck(['run', '--suite', inheritedRoute, '--reporter', 'dot', '--out', routeOut]);
  t.equal(routeRun.status, 0, 'nor is it a route: the check is skipped');
  t.match(routeRun.stdout, /1 skipped/);
  const badFlag = edgecheck(['run', '--colour']);
  t.equal(badFlag.status, 2);
  t.notMatch(badFlag.stderr, /\n\s+at /);
});

t.test('schema prints the JSON Schemas', async (t) => {
  const res = edgecheck(['schema']);
  t.equal(res.status, 0);
  const schemas = JSON.parse(res.stdout) as Record<string, { $schema: string }>;
  t.equal(schemas['targets.schema.json']?.$schema, 'http://json-schema.org/draft-07/schema#');
  t.ok(schemas['suite.schema.json']);
});

t.test('a passing run writes run.json, junit.xml and report.tap that agree', async (t) => {
  const out = join(dir, 'pass');
  const reporters = 'list,json,junit,tap';
  const res = edgecheck(['run', '--target', 'lab', '--suite', 'caching', '--reporter', reporters, '--out', out]);
  t.equal(res.status, 0, res.stderr);
  t.match(res.stdout, /caching › fresh-by-max-age/);
  const record = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as RunRecord;
  t.equal(record.schema, 'edgecheck.run/2');
  t.equal(record.target.name, 'lab');
  t.ok(record.summary.passed > 0);
  t.equal(record.summary.failed, 0);

  const junit = new XMLParser({ ignoreAttributes: false }).parse(readFileSync(join(out, 'junit.xml'), 'utf8'));
  const suite = junit.testsuites.testsuite;
  t.equal(suite['@_name'], 'caching');
  t.equal(Number(suite['@_tests']), record.checks.length);

  const tap = readFileSync(join(out, 'report.tap'), 'utf8');
  type Counts = { pass: number; fail: number; skip: number; count: number };
  const counts = await new Promise<Counts>((resolve) => {
    const p = new Parser((results) => resolve(results as unknown as Counts));
    p.end(tap);
  });
  t.equal(counts.count, record.checks.length);
  t.equal(counts.pass, record.summary.passed + record.summary.skipped);
  t.equal(counts.fail, record.summary.failed);
  t.equal(counts.skip, record.summary.skipped);
});

t.test('a failing required check exits 1; junit, tap and run.json say why', async (t) => {
  const targets = join(dir, 'faulty.yaml');
  writeFileSync(targets, 'targets:\n  faulty:\n    lab: reference\n    faults: [store-no-store]\n');
  const out = join(dir, 'fail');
  const args = ['run', '--targets', targets, '--suite', 'caching', '--reporter', 'dot,junit,tap', '--out', out];
  const res = edgecheck(args);
  t.equal(res.status, 1);
  t.match(res.stdout, /no-store-not-stored/);
  t.match(res.stdout, /origin log: no request reached the origin/, 'the failure shows the origin log as evidence');
  const record = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as RunRecord;
  const failed = record.checks.find((c) => c.id === 'no-store-not-stored')!;
  t.equal(failed.status, 'failed');
  const step = failed.steps.at(-1)!;
  t.same(step.failures[0], { expectation: 'served_by', expected: 'origin', actual: 'cache' });
  t.equal(step.origin_seen, false);
  const junit = readFileSync(join(out, 'junit.xml'), 'utf8');
  t.match(junit, /<failure type="failure" message="step 2 \(get\): expected served_by/);
  const tap = readFileSync(join(out, 'report.tap'), 'utf8');
  t.match(tap, /not ok \d+ - caching › no-store-not-stored/);
});

t.test('a check that needs what the target lacks is skipped with the reason', async (t) => {
  // a plain URL target without an origin control channel: caching checks need it
  const targets = join(dir, 'no-origin.yaml');
  writeFileSync(targets, 'targets:\n  bare:\n    url: https://127.0.0.1:9\n');
  const out = join(dir, 'skip');
  const res = edgecheck(['run', '--targets', targets, '--suite', 'caching', '--reporter', 'junit,tap', '--out', out]);
  t.equal(res.status, 0, 'skips do not fail a run');
  const record = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as RunRecord;
  t.equal(record.summary.skipped, record.checks.length);
  const why = /needs the probe origin's control channel; target 'bare' declares no origin.control/;
  t.match(record.checks[0]?.reason, why);
  t.match(readFileSync(join(out, 'junit.xml'), 'utf8'), /<skipped message="needs the probe origin/);
  t.match(readFileSync(join(out, 'report.tap'), 'utf8'), /# SKIP needs the probe origin/);
});

t.test('an unreachable origin control channel exits 3 without leaking the token', async (t) => {
  const targets = join(dir, 'dead-origin.yaml');
  writeFileSync(
    targets,
    'targets:\n  dead:\n    url: https://127.0.0.1:9\n' +
      '    origin: { control: "http://127.0.0.1:9", token: "${env:EDGECHECK_TEST_TOKEN}" }\n',
  );
  const env = { EDGECHECK_TEST_TOKEN: 'sup3r-s3cret-t0ken' };
  const res = edgecheck(['run', '--targets', targets, '--suite', 'caching'], { env });
  t.equal(res.status, 3);
  t.match(res.stderr, /probe origin control channel http:\/\/127.0.0.1:9: ECONNREFUSED/);
  t.notMatch(res.stderr + res.stdout, /sup3r-s3cret-t0ken/);
});

t.test('steps where the vendor header contradicts the origin log are marked, even in passing checks', async (t) => {
  const targets = join(dir, 'liar.yaml');
  writeFileSync(targets, 'targets:\n  liar:\n    lab: reference\n    faults: [claim-always-hit]\n');
  const out = join(dir, 'liar');
  const res = edgecheck(['run', '--targets', targets, '--suite', 'caching', '--reporter', 'list', '--out', out]);
  t.equal(res.status, 0, 'cache-status-claim is optimal: the run still passes');
  t.match(res.stdout, /vendor header vs origin log: \d+ step\(s\) disagree/);
  const claim = 'caching › fresh-by-max-age step 1: claims "hit" (cache-status: edgecheck-ref; hit)';
  t.match(res.stdout, `${claim}, origin log says origin`);
  const record = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as RunRecord;
  const step = record.checks.find((c) => c.id === 'fresh-by-max-age')!.steps[0]!;
  t.equal(step.cache_claim?.agrees_with_origin, false);
  t.equal(step.served_by, 'origin');
});

t.test('a check timeout stops a waiting step: the run ends, it does not hang', async (t) => {
  const suite = join(dir, 'slow.yaml');
  writeFileSync(
    suite,
    'suite: slow\ntitle: a slow suite\nchecks:\n  - id: waits-too-long\n    title: waits longer than its timeout\n' +
      '    timeout: 1s\n    steps:\n      - sleep: 1h\n',
  );
  const targets = join(dir, 'lab.yaml');
  writeFileSync(targets, 'targets:\n  lab:\n    lab: reference\n');
  const started = Date.now();
  const out = join(dir, 'slow');
  const res = edgecheck(['run', '--targets', targets, '--suite', suite, '--reporter', 'dot', '--out', out]);
  t.equal(res.status, 1);
  t.match(res.stdout, /check timed out after 1000 ms/);
  t.ok(Date.now() - started < 30_000, `the process exited in ${Date.now() - started} ms, not after the hour`);
  const record = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as RunRecord;
  const step = record.checks[0]!.steps[0]!;
  const timedOut = { code: 'E_STEP_TIMEOUT', message: 'check timed out after 1000 ms' };
  t.same(step, { kind: 'sleep', error: timedOut, failures: [] }, 'the step is recorded with a StepTimeout');
});

t.test('a secret reaches no report, however it was escaped or encoded', async (t) => {
  const secret = 's3cr&t"v4lue<x>';
  const targets = join(dir, 'secret-url.yaml');
  writeFileSync(targets, 'targets:\n  bare:\n    url: https://127.0.0.1:9/${env:EDGECHECK_URL_SECRET}/\n');
  const out = join(dir, 'secret');
  const args = ['run', '--targets', targets, '--suite', 'caching', '--reporter', 'list,junit,tap', '--out', out];
  const res = edgecheck(args, {
    env: { EDGECHECK_URL_SECRET: secret },
  });
  t.equal(res.status, 0);
  t.match(res.stdout, /\[redacted\]/, 'the list reporter shows the URL, redacted');
  const files = ['run.json', 'junit.xml', 'report.tap'].map((f) => readFileSync(join(out, f), 'utf8'));
  const inPath = new URL(`http://x/${secret}`).pathname.slice(1);
  const forms = [secret, encodeURIComponent(secret), inPath, 's3cr&amp;t', 's3cr&t\\"v4'];
  for (const text of [res.stdout + res.stderr, ...files]) {
    for (const form of forms) t.notOk(text.includes(form), `no ${form}`);
  }
  const record = JSON.parse(files[0]!) as RunRecord;
  t.match(record.target.url, /\[redacted\]/);
  t.equal(typeof record.summary.skipped, 'number', 'run.json is still JSON, its numbers intact');
});
