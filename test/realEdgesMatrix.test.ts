// The README's lab matrix: rendered from run records, written strictly
// between its markers, and in step with the expected verdicts the real-edge
// tests hold every run to.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import t from 'tap';
import { listSuiteNames, loadSuite } from '../harness/config/load.js';
import type { CheckRecord, RunRecord } from '../harness/record.js';
import { ExpectedVerdicts } from '../lab/realEdges/expectedVerdicts.js';
import { REAL_EDGE_NAMES } from '../lab/realEdges/realEdge.js';
import {
  disagreements,
  MATRIX_END,
  MATRIX_START,
  renderMatrix,
  replaceBetweenMarkers,
  type MatrixColumn,
} from '../scripts/labMatrixTable.js';

const dir = mkdtempSync(join(tmpdir(), 'edgecheck-matrix-test-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

function table(yaml: string): ExpectedVerdicts {
  const file = join(dir, `verdicts-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, yaml);
  return ExpectedVerdicts.load(file);
}

const check = (id: string, status: CheckRecord['status'], extra: Partial<CheckRecord> = {}): CheckRecord => ({
  suite: 'caching',
  id,
  title: `title of ${id}`,
  kind: 'required',
  status,
  duration_ms: 1,
  steps: [],
  ...extra,
});

const column = (lab: string, checks: CheckRecord[]): MatrixColumn => ({
  lab,
  heading: lab === 'nginx' ? 'nginx 1.22.1' : lab,
  record: {
    schema: 'edgecheck.run/2',
    run_id: 'r',
    target: { name: lab, url: 'https://lab.edgecheck.test', lab },
    started: '',
    finished: '',
    summary: { passed: 0, failed: 0, skipped: 0 },
    checks,
  } satisfies RunRecord,
});

const verdicts = table(`
x-reasons:
  age: &age "nginx sends no Age"
caching:
  fresh: pass
  age-on-hit:
    nginx: { fail: *age }
  clamp:
    nginx: { skip: "no ttl-clamp route" }
  timing:
    nginx: { either: "whole seconds" }
`);

t.test('the table: a row per check, a column per lab, notes where a real edge differs', async (t) => {
  const columns = [
    column('reference', [
      check('fresh', 'passed'),
      check('age-on-hit', 'passed', { spec: 'RFC 9111 5.1' }),
      check('clamp', 'passed'),
      check('timing', 'passed', { kind: 'optimal' }),
    ]),
    column('nginx', [
      check('fresh', 'passed'),
      check('age-on-hit', 'failed', { reason: 'step 2: no age' }),
      check('clamp', 'skipped'),
      check('timing', 'failed'),
    ]),
  ];
  const md = renderMatrix(columns, verdicts);
  t.match(md, '| check | reference | nginx 1.22.1 |');
  t.match(md, '| `caching/fresh` | pass | pass |');
  t.match(md, '| `caching/age-on-hit` | pass | **fail** |');
  t.match(md, '| `caching/clamp` | pass | skip |');
  t.match(md, '| `caching/timing` (optimal) | pass | **fail** ‡ |', 'a timing-dependent cell is marked');
  t.match(md, /^‡ /m, 'and the mark explained');
  t.match(
    md,
    '- `caching/age-on-hit` (RFC 9111 5.1): *title of age-on-hit*. Reference edge: pass. ' +
      'nginx 1.22.1: **fail** — nginx sends no Age.',
  );
  t.match(md, 'nginx 1.22.1: skip — no ttl-clamp route.');
  t.notMatch(md, '`caching/fresh` (', 'no note where the edges agree');
  t.same(disagreements(columns, verdicts), [], 'the run is what the table expects');
});

t.test('disagreements: a verdict the table does not expect, a check it does not list', async (t) => {
  const columns = [
    column('reference', [check('fresh', 'failed')]),
    column('nginx', [
      check('fresh', 'failed', { reason: 'boom' }),
      check('new-check', 'passed'),
      check('timing', 'skipped'),
    ]),
  ];
  t.same(disagreements(columns, verdicts), [
    'nginx: caching.fresh failed, the table says passed (boom)',
    `nginx: caching.new-check is not in ${verdicts.file}`,
    'nginx: caching.timing skipped, the table says either',
  ]);
});

t.test('the matrix is written strictly between the markers', async (t) => {
  const readme = `# Title\n\ntext before\n${MATRIX_START}\nold table\n${MATRIX_END}\ntext after\n`;
  const updated = replaceBetweenMarkers(readme, 'new table\n\n');
  t.equal(updated, `# Title\n\ntext before\n${MATRIX_START}\nnew table\n${MATRIX_END}\ntext after\n`);
  t.equal(replaceBetweenMarkers(updated, 'new table'), updated, 'regenerating the same table changes nothing');
  t.throws(() => replaceBetweenMarkers('# no markers\n', 'x'), /no <!-- lab-matrix:start -->/);
});

t.test('a malformed verdict table names the entry', async (t) => {
  t.throws(() => table('caching:\n  fresh:\n    nginx: { broken: yes }\n'), /caching\.fresh/);
  t.throws(() => table('caching:\n  fresh:\n    haproxy: pass\n'), /caching\.fresh/);
});

// The README's table must say what the tests see: every check of every suite,
// each real edge's cell agreeing with lab/realEdges/expectedVerdicts.yaml.
t.test("the README's matrix agrees with the expected verdicts", async (t) => {
  const readme = readFileSync(resolve('README.md'), 'utf8');
  const between = readme.slice(readme.indexOf(MATRIX_START) + MATRIX_START.length, readme.indexOf(MATRIX_END));
  const rows = [...between.matchAll(/^\| `([^`]+)`[^|]*((?:\|[^|\n]*)+)\|$/gm)];
  if (rows.length === 0) return t.skip('README.md has no lab matrix yet: run `npm run lab:matrix`', () => undefined);
  const headings = /^\| check \|(.*)\|$/m.exec(between)?.[1]?.split('|');
  const header = headings?.map((h) => h.trim().split(' ')[0]?.toLowerCase()) ?? [];
  const labOf = (heading: string | undefined) => (heading === 'ats' ? 'trafficserver' : heading);
  const expected = ExpectedVerdicts.load();
  const suitesDir = resolve('suites');
  const checks = listSuiteNames(suitesDir).flatMap((name) =>
    loadSuite(join(suitesDir, `${name}.yaml`)).checks.map((c) => `${name}/${c.id}`),
  );
  const inReadme = new Set(rows.map((r) => r[1]));
  t.same(
    checks.filter((c) => !inReadme.has(c)),
    [],
    'every check has a row (else run `npm run lab:matrix`)',
  );
  const wrong: string[] = [];
  for (const [, key = '', cells = ''] of rows) {
    const [suite = '', id = ''] = key.split('/');
    cells
      .split('|')
      .slice(1)
      .forEach((cell, i) => {
        const lab = labOf(header[i]);
        if (!(REAL_EDGE_NAMES as readonly string[]).includes(lab ?? '')) return;
        const want = expected.verdict(lab as (typeof REAL_EDGE_NAMES)[number], suite, id);
        const shown = cell.includes('pass') ? 'passed' : cell.includes('fail') ? 'failed' : 'skipped';
        if (want && want.status !== shown && !(want.status === 'either' && shown !== 'skipped')) {
          wrong.push(`${key} on ${lab}: README ${shown}, table ${want.status}`);
        }
      });
  }
  t.same(wrong, [], 'the README shows the verdicts the tests expect (else run `npm run lab:matrix`)');
});

t.test('lab:matrix --from re-renders saved run records into the README', async (t) => {
  const { labMatrix } = await import('../scripts/labMatrix.js');
  const records = join(dir, 'records');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(records);
  for (const lab of ['reference', ...REAL_EDGE_NAMES]) {
    const record = column(lab, [check('fresh-by-max-age', 'passed')]).record;
    writeFileSync(join(records, `${lab}.json`), JSON.stringify(record));
  }
  writeFileSync(join(records, 'versions.json'), JSON.stringify({ nginx: '1.22.1' }));
  const readme = join(dir, 'README.md');
  writeFileSync(readme, `before\n${MATRIX_START}\n${MATRIX_END}\nafter\n`);
  t.equal(await labMatrix(['--from', records, '--readme', readme]), 0, 'records that agree with the table: exit 0');
  const written = readFileSync(readme, 'utf8');
  t.match(written, /^before\n<!-- lab-matrix:start -->\n/);
  t.match(written, /\n<!-- lab-matrix:end -->\nafter\n$/);
  t.match(written, '| check | reference | nginx 1.22.1 | Varnish | ATS | Squid |');
  const failing = column('squid', [check('fresh-by-max-age', 'failed')]).record;
  writeFileSync(join(records, 'squid.json'), JSON.stringify(failing));
  t.equal(await labMatrix(['--from', records, '--readme', readme]), 1, 'a verdict the table does not expect: exit 1');
});
