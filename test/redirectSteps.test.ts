// Redirects as a request step sees them, against a small local server: every hop
// kept, a loop and too many hops reported with their hops inside the step's
// time, the path and query compared byte for byte, the promises a redirect
// expectation names, and from: really being the source address.
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { loadSuite, loadTargets, selectTarget } from '../harness/config/load.js';
import type { CheckRecord } from '../harness/record.js';
import { runSuites } from '../harness/runner/runSuites.js';
import { openTarget } from '../harness/target/openTarget.js';
import { labEdges } from '../lab/labs.js';

/** Answers by the path's last segment: a loop, a chain, a faithful or a careless HTTPS redirect. */
/** The Host without this server's port: HTTPS is on its own (the default) port. */
const host = (req: IncomingMessage) => (req.headers.host ?? '').replace(/:\d+$/, '');

function answer(req: IncomingMessage, res: ServerResponse): void {
  const url = req.url ?? '/';
  const [path = ''] = url.split('?');
  const dir = path.slice(0, path.lastIndexOf('/') + 1);
  const send = (status: number, location?: string) => {
    res.writeHead(status, { 'content-length': '0', ...(location ? { location } : {}) });
    res.end();
  };
  if (path.endsWith('/ping')) return send(302, `${dir}pong`);
  if (path.endsWith('/pong')) return send(302, `${dir}ping`);
  if (path.match(/\/chain(\d+)$/)) {
    const n = Number(/chain(\d+)$/.exec(path)![1]);
    return n > 0 ? send(301, `${dir}chain${n - 1}`) : void res.end(`end ${req.socket.remoteAddress}`);
  }
  if (path.includes('/faithful/')) return send(301, `https://${host(req)}${url}`);
  if (path.includes('/careless/')) return send(301, `https://${host(req)}${decodeURIComponent(path)}`);
  if (path.endsWith('/who')) return void res.end(req.socket.remoteAddress ?? '');
  send(404);
}

t.test('redirects in a run: hops, loops, byte-for-byte URLs, promises, the source address', async (t) => {
  const server = createServer(answer);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(() => {
    server.closeAllConnections();
    server.close();
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const dir = mkdtempSync(join(tmpdir(), 'edgecheck-redirects-'));
  const targets = join(dir, 'targets.yaml');
  writeFileSync(
    targets,
    [
      'targets:',
      '  local:',
      `    url: ${base}`,
      '    redirects: { https: 301, viewer_location: [{ from: 127.0.0.20, to: "https://eu.example.com/" }] }',
      '  bare:',
      `    url: ${base}`,
      '',
    ].join('\n'),
  );
  const suiteFile = join(dir, 'redirects.yaml');
  const q = 'q=%2Fx%3F&q=2&empty=&S=n~y-h_';
  const kept = '{ scheme: https, host: same, path: kept, query: kept }';
  writeFileSync(
    suiteFile,
    [
      'suite: r',
      'title: redirects',
      'checks:',
      '  - { id: loop, title: a loop, timeout: 5s, steps: [{ get: /ping, follow_redirects: true }] }',
      '  - id: chain',
      '    title: three hops',
      '    steps: [{ get: /chain3, follow_redirects: true, expect: { status: 200, redirect: { hops: { lte: 3 } } } }]',
      '  - id: too-many',
      '    title: past max_hops',
      '    steps: [{ get: /chain3, follow_redirects: { max_hops: 2 } }]',
      '  - id: hops-limit',
      '    title: more hops than allowed',
      '    steps: [{ get: /chain2, follow_redirects: true, expect: { redirect: { hops: { lte: 1 } } } }]',
      '  - id: faithful',
      '    title: the URL kept',
      '    steps:',
      `      - get: /faithful/a%2Fb`,
      `        query_string: "${q}"`,
      `        expect: { redirect: { status: declared, location: ${kept} } }`,
      '  - id: careless',
      '    title: the path decoded',
      '    steps:',
      `      - get: /careless/a%2Fb`,
      `        query_string: "${q}"`,
      `        expect: { redirect: { status: 301, location: ${kept} } }`,
      '  - id: viewer',
      '    title: from the declared viewer',
      '    steps: [{ get: /who, from: declared_viewer, expect: { body: { equals: 127.0.0.20 } } }]',
      '  - id: other',
      '    title: from another viewer',
      '    steps: [{ get: /who, from: other_viewer, expect: { body: { equals: 127.0.0.200 } } }]',
      '',
    ].join('\n'),
  );
  const run = async (name: string) => {
    const target = await openTarget(selectTarget(loadTargets(targets, labEdges), name), labEdges);
    try {
      const record = await runSuites(target, [loadSuite(suiteFile)]);
      return Object.fromEntries(record.checks.map((c) => [c.id, c])) as Record<string, CheckRecord>;
    } finally {
      await target.close();
    }
  };
  const checks = await run('local');

  const loop = checks['loop']!;
  t.equal(loop.status, 'failed', 'a loop fails without any expectation');
  t.match(loop.reason, /a redirect loop: .*\/ping -> \(302\) .*\/pong -> \(302\) .*\/ping/);
  t.equal(loop.steps[0]!.redirects!.length, 2, 'both hops kept');
  t.ok(loop.duration_ms! < 5000, 'inside the check timeout');

  t.equal(checks['chain']!.status, 'passed', checks['chain']!.reason ?? '');
  t.same(
    checks['chain']!.steps[0]!.redirects!.map((h) => h.status),
    [301, 301, 301],
    'every hop recorded',
  );
  t.match(checks['too-many']!.reason, /more than 2 redirects/);
  t.match(checks['hops-limit']!.reason, /redirect\.hops .*"lte":1.*got "2: 301/);

  t.equal(checks['faithful']!.status, 'passed', checks['faithful']!.reason ?? '');
  t.equal(checks['careless']!.status, 'failed');
  t.match(checks['careless']!.reason, /redirect\.location\.path/, 'an escaped slash decoded is a different path');

  t.equal(checks['viewer']!.status, 'passed', `from: is the source address (${checks['viewer']!.reason ?? ''})`);
  t.equal(checks['other']!.status, 'passed', checks['other']!.reason ?? '');

  const bare = await run('bare');
  t.equal(bare['faithful']!.status, 'skipped', 'status: declared on a target that declares nothing');
  t.match(bare['faithful']!.reason, /needs redirects\.https/);
  t.match(bare['viewer']!.reason, /no viewer-location rule/);
});
