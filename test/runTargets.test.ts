// `edgecheck run --target a,b` through the built cli: the same suite against
// two reference labs (one with a fault), each run record in its own folder,
// the comparison printed and written beside them, the exit code the worst run's.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import type { RunRecord } from '../harness/record.js';
import type { Comparison } from '../reports/compare/compare.js';
import { edgecheck } from './support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'edgecheck-run-targets-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

const targets = join(dir, 'targets.yaml');
writeFileSync(targets, 'targets:\n  good:\n    lab: reference\n  ageless:\n    lab: reference\n    faults: [no-age]\n');
const suite = join(dir, 'age.yaml');
writeFileSync(
  suite,
  [
    'suite: age',
    'title: Age on a hit',
    'checks:',
    '  - id: age-on-hit',
    '    title: A hit carries Age',
    '    object: { headers: { Cache-Control: "max-age=60" }, body: aged }',
    '    steps:',
    '      - get: /',
    '        expect: { served_by: origin }',
    '      - get: /',
    '        expect: { served_by: cache, headers: { age: { gte: 0 } } }',
    '  - id: fresh',
    '    title: Reused while fresh',
    '    object: { headers: { Cache-Control: "max-age=60" }, body: fresh }',
    '    steps:',
    '      - get: /',
    '      - get: /',
    '        expect: { served_by: cache }',
    '',
  ].join('\n'),
);

t.test('run --target good,ageless: a record each, then the comparison', async (t) => {
  const out = join(dir, 'out');
  const common = ['run', '--targets', targets, '--suite', suite, '--reporter', 'dot', '--out', out];
  const res = edgecheck([...common, '--target', 'good,ageless']);
  t.equal(res.status, 1, 'the worst of the runs: ageless fails a required check');
  const good = JSON.parse(readFileSync(join(out, 'good', 'run.json'), 'utf8')) as RunRecord;
  const ageless = JSON.parse(readFileSync(join(out, 'ageless', 'run.json'), 'utf8')) as RunRecord;
  t.equal(good.target.name, 'good');
  t.equal(ageless.target.name, 'ageless');
  t.match(res.stdout, /edgecheck compare: 2 runs, 2 checks: 1 check differ/);
  t.match(res.stdout, /≠ age\/age-on-hit +pass · origin→cache · age 0 +fail · origin→cache ≠/);
  t.ok(existsSync(join(out, 'comparison.md')));
  const json = JSON.parse(readFileSync(join(out, 'comparison.json'), 'utf8')) as Comparison;
  t.same(
    json.rows.map((r) => [r.key, r.differs]),
    [
      ['age/age-on-hit', true],
      ['age/fresh', false],
    ],
  );
  t.match(readFileSync(join(out, 'comparison.md'), 'utf8'), '| ≠ `age/age-on-hit` |');

  const judged = edgecheck([
    ...common.slice(0, -1),
    join(dir, 'judged'),
    '--target',
    'good',
    '--baseline',
    join(out, 'ageless', 'run.json'),
  ]);
  t.equal(judged.status, 0, 'better than the baseline: no regression');
  t.match(judged.stdout, /no regression against the baseline/);
  const regressed = edgecheck([
    ...common.slice(0, -1),
    join(dir, 'regressed'),
    '--target',
    'ageless',
    '--baseline',
    join(out, 'good', 'run.json'),
  ]);
  t.equal(regressed.status, 1, 'worse than the baseline');
  t.match(regressed.stdout, /✗ age\/age-on-hit \(required\) in ageless .*: passed -> failed/);
  const twice = edgecheck([...common, '--target', 'good,good']);
  t.equal(twice.status, 2);
  t.match(twice.stderr, /--target: 'good' is named twice/);
});

t.test(
  'run --target good,gone,ageless: a target that cannot run is said and skipped, the others compared',
  async (t) => {
    const withGone = join(dir, 'targets-gone.yaml');
    // its probe origin's control channel answers nothing: the target cannot open (the harness's own failure)
    writeFileSync(
      withGone,
      readFileSync(targets, 'utf8') +
        '  gone:\n    url: http://127.0.0.1:9/\n    origin: { control: "http://127.0.0.1:9/", token: not-a-secret }\n',
    );
    const out = join(dir, 'out-gone');
    const res = edgecheck([
      'run',
      '--targets',
      withGone,
      '--suite',
      suite,
      '--reporter',
      'dot',
      '--out',
      out,
      '--target',
      'good,gone,ageless',
    ]);
    t.equal(res.status, 3, 'exit 3: the harness could not run one of them');
    t.match(
      res.stderr,
      /^edgecheck: target gone could not run: probe origin control channel http:\/\/127\.0\.0\.1:9\//m,
    );
    t.match(res.stderr, /1 of 3 targets could not run \(gone\): the comparison holds the others; exit 3/);
    t.notOk(existsSync(join(out, 'gone', 'run.json')), 'no record for the target that did not run');
    const json = JSON.parse(readFileSync(join(out, 'comparison.json'), 'utf8')) as Comparison;
    t.equal(json.rows.length, 2, 'the other two were compared');
    t.match(res.stdout, /edgecheck compare: 2 runs/);
  },
);
