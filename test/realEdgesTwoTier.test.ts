// Varnish as two tiers (targets.yaml `parent:`): two edges sending the shield
// route to one parent Varnish. Purging the parent first, then the edges, lets
// parent-tier-invalidated pass; purging the edges alone leaves them refilling
// from the parent's old copy, and the check fails saying so. No process of
// either tier outlives close().
import { resolve } from 'node:path';
import t, { type Test } from 'tap';
import { loadTargets, selectTarget } from '../harness/config/load.js';
import type { CheckRecord, RunRecord } from '../harness/record.js';
import { newRunId, runSuites } from '../harness/runner/runSuites.js';
import { openTarget, type OpenTarget } from '../harness/target/openTarget.js';
import { labEdges } from '../lab/labs.js';
import { realEdges } from '../lab/realEdges/index.js';
import { childGroupLeaders, livingMembers } from '../lab/realEdges/processGroup.js';
import { onlyChecks, suite } from './support/labRun.js';
import { realEdgeInstalled } from './support/realEdgeInstalled.js';

const EDGES = ['127.0.0.1', '127.0.0.2'];
const CHECK = 'parent-tier-invalidated';
const parentTier = onlyChecks(suite('invalidation'), [CHECK]);
const targets = loadTargets(resolve('targets.yaml'), labEdges);

/** Opens a target of targets.yaml, hands it to `use`, closes it, and shows that no process of it is left. */
async function onTarget<T>(t: Test, name: string, use: (target: OpenTarget) => Promise<T>): Promise<T> {
  const before = new Set(childGroupLeaders(process.pid));
  const target = await openTarget(selectTarget(targets, name), labEdges);
  const groups = childGroupLeaders(process.pid).filter((g) => !before.has(g));
  let result: T;
  try {
    // two edges (varnishd and hitch each) and the parent (varnishd alone)
    t.ok(groups.length >= 2 * EDGES.length + 1, `a process group per program of each tier (${groups.length})`);
    result = await use(target);
  } finally {
    await target.close();
  }
  for (const pgid of groups) t.same(livingMembers(pgid), [], `no process of ${name}'s group ${pgid} is left`);
  return result;
}

function checkOf(record: RunRecord): CheckRecord {
  return record.checks.find((c) => c.id === CHECK)!;
}

t.test('varnish-two-tier: the parent is in the path of the shield route, and only of it', async (t) => {
  if (!realEdgeInstalled(t, realEdges.varnish)) return;
  await onTarget(t, 'varnish-two-tier', async (target) => {
    t.same(target.addresses, EDGES, 'the target pins requests to both edges');
    t.same(target.routes['shield'], { path: '/shield/', shield: true }, 'a shield route, since a parent runs');
    const origin = target.origin!;
    const key = `/.edgecheck/${newRunId()}/two-tier/`;
    await origin.setObject(key, { headers: { 'Cache-Control': 'max-age=600' }, body: 'stored' });
    const get = (path: string, address: string) =>
      target.http.send({ method: 'GET', url: new URL(path + key.slice(1), target.url), address, timeoutMs: 5000 });

    await get('/shield/', '127.0.0.1');
    t.equal((await origin.log(key)).length, 1, 'the first shield GET (on 127.0.0.1) reaches the origin');
    const other = await get('/shield/', '127.0.0.2');
    t.equal(other.status, 200);
    t.equal(target.cacheStatus.read(other.headers)?.claim, 'miss', 'the same GET on 127.0.0.2 misses at that edge');
    t.equal((await origin.log(key)).length, 1, 'and is answered by the parent: the origin sees nothing more');

    await get('/', '127.0.0.1');
    await get('/', '127.0.0.2');
    t.equal((await origin.log(key)).length, 3, 'beside the shield route each edge goes to the origin itself');
  });
});

t.test('varnish-two-tier: the lab purges the parent, then the edges: no edge refills stale', async (t) => {
  if (!realEdgeInstalled(t, realEdges.varnish)) return;
  const record = await onTarget(t, 'varnish-two-tier', (target) => runSuites(target, [parentTier]));
  const check = checkOf(record);
  t.equal(check.status, 'passed', `${CHECK}: ${check.reason ?? ''}`);
  const asked = check.steps.find((s) => s.invalidation)?.invalidation;
  t.match(asked?.detail, /^3 purge requests/, 'one purge to the parent and one to each edge');
});

t.test('varnish-two-tier-edge-purge: purging the edges alone leaves them serving the parent v1', async (t) => {
  if (!realEdgeInstalled(t, realEdges.varnish)) return;
  const record = await onTarget(t, 'varnish-two-tier-edge-purge', (target) => runSuites(target, [parentTier]));
  const check = checkOf(record);
  t.equal(check.status, 'failed', `${CHECK} fails`);
  const asked = check.steps.find((s) => s.invalidation)?.invalidation;
  t.match(asked?.detail, /^2 purge requests/, 'one purge to each edge, none to the parent');
  const poll = [...check.steps].reverse().find((s) => s.poll)?.poll;
  for (const edge of EDGES) {
    const seen = poll?.by_edge[edge];
    t.equal(seen?.held_ms, null, `${edge} never served v2`);
    t.match(seen?.last_failure, /version: "v1"/, `${edge} still served v1 when the time was up`);
  }
  t.match(check.reason, /v1/, 'the diagnosis names the old version');
});
