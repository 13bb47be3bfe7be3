// The JUnit and TAP files CI tools read: an optimal or info check that fails
// does not fail the run, so it must not count as a failure there either; and
// a title with a backslash, a # or a line break still makes valid TAP 14.
import { XMLParser } from 'fast-xml-parser';
import t from 'tap';
import { Parser } from 'tap-parser';
import { RUN_RECORD_SCHEMA, type CheckRecord, type RunRecord } from '../harness/record.js';
import { renderJunit } from '../reports/junit.js';
import { renderTap } from '../reports/tap.js';

const check = (over: Partial<CheckRecord>): CheckRecord => ({
  suite: 's',
  id: 'c',
  title: 'T',
  kind: 'required',
  status: 'passed',
  duration_ms: 5,
  steps: [],
  ...over,
});
const checks = [
  check({ id: 'ok' }),
  check({ id: 'broken', status: 'failed', reason: 'step 1 (get): expected status 200, got 500' }),
  check({ id: 'nice-to-have', kind: 'optimal', status: 'failed', reason: 'no Vary' }),
  check({ id: 'odd', title: 'a \\ backslash, a # hash\nand a second line' }),
];
const record: RunRecord = {
  schema: RUN_RECORD_SCHEMA,
  run_id: 'r1',
  target: { name: 'lab', url: 'https://lab' },
  started: '2026-11-23T00:00:00.000Z',
  finished: '2026-11-23T00:00:01.000Z',
  summary: { passed: 2, failed: 2, skipped: 0 },
  checks,
};

t.test('JUnit: only required failures are failures', async (t) => {
  const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(renderJunit(record)) as {
    testsuites: {
      failures: string;
      testsuite: { failures: string; testcase: Array<{ name: string; failure?: unknown; 'system-out'?: string }> };
    };
  };
  t.equal(xml.testsuites.failures, '1');
  t.equal(xml.testsuites.testsuite.failures, '1');
  const optimal = xml.testsuites.testsuite.testcase.find((c) => c.name.startsWith('nice-to-have'))!;
  t.equal(optimal.failure, undefined);
  t.match(optimal['system-out'], /optimal check failed \(does not fail the run\): no Vary/);
  t.ok(xml.testsuites.testsuite.testcase.find((c) => c.name.startsWith('broken'))!.failure);
});

t.test('TAP 14: escapes, one line per test point, TODO for what does not count', async (t) => {
  const text = renderTap(record);
  const results: Array<{ ok: boolean; name: string; todo: string | boolean }> = [];
  const parser = new Parser({ strict: true });
  const bad: string[] = [];
  parser.on('assert', (a: { ok: boolean; name: string; todo: string | boolean }) => results.push(a));
  parser.on('extra', (line: string) => bad.push(line));
  await new Promise<void>((resolve) => {
    parser.on('complete', () => resolve());
    parser.end(text);
  });
  t.same(bad, [], 'no lines outside the TAP grammar');
  t.equal(results.length, 4);
  t.equal(results[3]!.name, 's › odd: a \\ backslash, a # hash and a second line');
  t.equal(results[2]!.todo, 'optimal check');
  t.same(
    results.map((r) => r.ok),
    [true, false, false, true],
  );
});
