// A real edge as several PoPs (targets.yaml `edges:`): one copy of the program
// per loopback address, each with its own cache, in front of one probe origin.
// The invalidation provider purges every PoP, each PoP keeps its own copies,
// and no process of any copy outlives close().
import { resolve } from 'node:path';
import t from 'tap';
import type { PollRecord } from '../harness/record.js';
import { newRunId, runSuites } from '../harness/runner/runSuites.js';
import { openTarget } from '../harness/target/openTarget.js';
import { labEdges } from '../lab/labs.js';
import { realEdges, type RealEdgeName } from '../lab/realEdges/index.js';
import { childGroupLeaders, livingMembers } from '../lab/realEdges/processGroup.js';
import { onlyChecks, suite } from './support/labRun.js';
import { realEdgeInstalled } from './support/realEdgeInstalled.js';

const POPS = ['127.0.0.1', '127.0.0.2', '127.0.0.3'];
const everyEdge = onlyChecks(suite('invalidation'), ['invalidated-on-every-edge']);
const EDGES: RealEdgeName[] = ['varnish', 'trafficserver', 'squid'];

for (const name of EDGES) {
  t.test(`${name} as three PoPs`, async (t) => {
    const edge = realEdges[name];
    if (!realEdgeInstalled(t, edge)) return;
    const before = new Set(childGroupLeaders(process.pid));
    const target = await openTarget(
      { name: `${name}3`, config: { lab: name, edges: POPS }, file: resolve('targets.yaml') },
      labEdges,
    );
    const groups = childGroupLeaders(process.pid).filter((g) => !before.has(g));
    let record;
    try {
      t.same(target.addresses, POPS, 'the target pins requests to every PoP');
      t.ok(groups.length >= POPS.length, `a process group per PoP at least (${groups.length})`);

      // each PoP has its own cache: a copy stored on one is no copy on another
      const origin = target.origin!;
      const key = `/.edgecheck/${newRunId()}/pops/`;
      await origin.setObject(key, { headers: { 'Cache-Control': 'max-age=600' }, body: 'stored' });
      const get = (address: string) =>
        target.http.send({ method: 'GET', url: new URL(key, target.url), address, timeoutMs: 5000 });
      await get('127.0.0.1');
      await get('127.0.0.1');
      t.equal((await origin.log(key)).length, 1, 'the second GET on 127.0.0.1 is served from its stored copy');
      const other = await get('127.0.0.2');
      t.equal(other.status, 200);
      t.equal((await origin.log(key)).length, 2, 'the same GET on 127.0.0.2 is a miss: served by the origin');
      t.equal(target.cacheStatus.read(other.headers)?.claim, 'miss', 'and its cache status says miss');

      record = await runSuites(target, [everyEdge]);
    } finally {
      await target.close();
    }
    const check = record.checks.find((c) => c.id === 'invalidated-on-every-edge')!;
    t.equal(check.status, 'passed', `invalidated-on-every-edge: ${check.reason ?? ''}`);
    const poll = [...check.steps].reverse().find((s) => s.poll?.propagation)?.poll as PollRecord | undefined;
    t.same(Object.keys(poll?.propagation?.by_edge ?? {}).sort(), POPS, 'the propagation covers every PoP');
    t.ok(
      Object.values(poll?.propagation?.by_edge ?? {}).every((ms) => typeof ms === 'number'),
      'every PoP refetched the object',
    );
    for (const pgid of groups)
      t.same(livingMembers(pgid), [], `no process of ${name}'s group ${pgid} is left after close()`);
  });
}
