// Every suite against every real edge (nginx, Varnish, Traffic Server, Squid
// from the OS packages), through the harness API: each check's verdict must be
// the one lab/realEdges/expectedVerdicts.yaml gives from the program's
// documentation, and no process of the edge may outlive its lab.
import { join, resolve } from 'node:path';
import t, { type Test } from 'tap';
import { listSuiteNames, loadSuite, loadTargets, type LoadedSuite } from '../harness/config/load.js';
import { newRunId, runSuites } from '../harness/runner/runSuites.js';
import { openTarget, type OpenTarget } from '../harness/target/openTarget.js';
import { agrees, ExpectedVerdicts } from '../lab/realEdges/expectedVerdicts.js';
import { REAL_EDGE_NAMES, realEdges, type EdgeInvalidation } from '../lab/realEdges/index.js';
import { childGroupLeaders, livingMembers } from '../lab/realEdges/processGroup.js';
import { labEdges } from '../lab/labs.js';
import { targetsFile } from './support/labRun.js';
import { realEdgeInstalled } from './support/realEdgeInstalled.js';

const suitesDir = resolve('suites');
const suites: LoadedSuite[] = listSuiteNames(suitesDir).map((name) => loadSuite(join(suitesDir, `${name}.yaml`)));
const expected = ExpectedVerdicts.load();

t.test('the verdict table lists no check that is gone', async (t) => {
  const present = new Set(suites.flatMap((s) => s.checks.map((c) => `${s.suite}.${c.id}`)));
  const gone = expected
    .listed()
    .map(({ suite, check }) => `${suite}.${check}`)
    .filter((key) => !present.has(key));
  t.same(gone, [], `every check in ${expected.file} is in a suite (remove those that are not)`);
});

for (const name of REAL_EDGE_NAMES) {
  t.test(`every suite against ${name}`, async (t) => {
    const edge = realEdges[name];
    if (!realEdgeInstalled(t, edge)) return;
    const target = await openTarget({ name, config: { lab: name }, file: resolve('targets.yaml') }, labEdges);
    const groups = childGroupLeaders(process.pid);
    let record;
    try {
      t.ok(groups.length > 0, `${name} runs as child processes of the harness`);
      record = await runSuites(target, suites);
      for (const way of edge.purges) await t.test(way.description, (t) => invalidates(t, target, way));
    } finally {
      await target.close();
    }
    for (const pgid of groups)
      t.same(livingMembers(pgid), [], `no process of ${name}'s group ${pgid} is left after close()`);
    for (const check of record.checks) {
      const key = `${check.suite}.${check.id}`;
      const want = expected.verdict(name, check.suite, check.id);
      if (want === undefined) {
        t.fail(
          `${key} is not in ${expected.file}: ` +
            `add it (\`pass\`, or a line for ${name} with { fail | skip | either: why })`,
        );
        continue;
      }
      t.ok(agrees(want, check.status), `${key}: ${want.status}`, {
        got: check.status,
        ...(check.reason ? { 'the run says': check.reason } : {}),
        ...(want.reason ? { 'the table says': want.reason } : {}),
      });
    }
  });
}

/** A stored object is served from cache until the edge's way of invalidating (from 127.0.0.1) drops or replaces it. */
async function invalidates(t: Test, target: OpenTarget, way: EdgeInvalidation): Promise<void> {
  const origin = target.origin!;
  const prefix = `/.edgecheck/${newRunId()}/`;
  const key = `${prefix}invalidation.${way.method.toLowerCase()}/`;
  await origin.setObject(key, { headers: { 'Cache-Control': 'max-age=600' }, body: 'stored' });
  const send = (method: string, path: string, headers?: Record<string, string>) =>
    target.http.send({
      method,
      url: new URL(path, target.url),
      address: target.addresses[0],
      timeoutMs: 5000,
      ...(headers ? { headers } : {}),
    });
  await send('GET', key);
  await send('GET', key);
  t.equal((await origin.log(key)).length, 1, 'the second request is served from the stored copy');
  await origin.setObject(key, { headers: { 'Cache-Control': 'max-age=600' }, body: 'changed' });
  const answer = await send(way.method, way.prefix ? prefix : key, way.headers);
  t.equal(answer.status, 200, `${way.method} is allowed from 127.0.0.1`);
  t.equal((await send('GET', key)).body, 'changed', 'the next request gets the changed object');
  t.equal((await send('GET', key)).body, 'changed', 'and the edge keeps it');
}

t.test('nginx: origin-tls passes with proxy_ssl_verify on and fails with it off', async (t) => {
  if (!realEdgeInstalled(t, realEdges.nginx)) return;
  const originTls = suites.filter((s) => s.suite === 'origin-tls');
  const unverified = await openTarget(
    {
      name: 'nginx-unverified',
      config: { lab: 'nginx', faults: ['no-origin-verification'] },
      file: resolve('targets.yaml'),
    },
    labEdges,
  );
  let record;
  try {
    record = await runSuites(unverified, originTls);
  } finally {
    await unverified.close();
  }
  const status = Object.fromEntries(record.checks.map((c) => [c.id, c.status]));
  for (const fault of ['wrong-name', 'expired', 'self-signed', 'untrusted-ca', 'incomplete-chain']) {
    t.equal(status[`origin-${fault}-gives-502`], 'failed', `origin-${fault}-gives-502 fails without verification`);
  }
  t.equal(status['valid-origin-certificate-passes'], 'passed');
  // the verified run is the matrix run above: expectedVerdicts.yaml has every origin-tls check passing on nginx
  t.equal(expected.verdict('nginx', 'origin-tls', 'origin-expired-gives-502')?.status, 'passed');
});

t.test('a fault switch the real edge does not have is a config error', async (t) => {
  // checked when targets.yaml loads, with the position of the fault
  const file = targetsFile('targets:\n  v:\n    lab: varnish\n    faults: [no-origin-verification]\n');
  t.throws(() => loadTargets(file, labEdges), {
    code: 'E_CONFIG',
    message: /the varnish lab has no fault switch 'no-origin-verification'/,
  });
});
