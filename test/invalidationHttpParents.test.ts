// The http provider's `parents:` (a parent tier, an origin shield): purged with
// the edges' method, headers and hostnames, and all of them before any edge,
// so no edge can refill from a parent's old copy in between.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import t, { type Test } from 'tap';
import { HttpClient } from '../harness/http/client.js';
import { httpProvider } from '../harness/invalidation/http.js';
import { InvalidationRefused, type InvalidationRequest } from '../harness/invalidation/provider.js';

const request = (over: Partial<InvalidationRequest>): InvalidationRequest => ({
  paths: [],
  tags: [],
  by: 'url',
  soft: false,
  signal: new AbortController().signal,
  ...over,
});

/** A stand-in tier: logs each request (in arrival order, shared by every tier) and answers `status(url)`. */
async function standIn(t: Test, name: string, seen: string[], status = (_url: string) => 200): Promise<number> {
  const server = http.createServer((req, res) => {
    seen.push(`${name} ${req.method} ${req.headers.host} ${req.url} ${req.headers['x-purge-key'] ?? ''}`);
    res.writeHead(status(req.url ?? '')).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as AddressInfo).port;
}

t.test('http: every parent is purged before any edge, with the same method, headers and hostnames', async (t) => {
  const seen: string[] = [];
  const edgePort = await standIn(t, 'edge', seen);
  const parentPort = await standIn(t, 'parent', seen, (url) => (url === '/refused' ? 405 : 200));
  const target = {
    url: new URL(`http://cdn.example.test:${edgePort}/`),
    hostnames: ['cdn.example.test', 'static.example.test'],
    addresses: ['127.0.0.1', '127.0.0.2'],
    http: new HttpClient(),
  };
  t.teardown(() => target.http.close());
  const config = httpProvider.schema.parse({
    provider: 'http',
    prefix_method: 'UNLINK',
    headers: { 'X-Purge-Key': 'k' },
    parents: [`http://127.0.0.1:${parentPort}`],
  });
  const provider = httpProvider.create(config, target);

  const handle = await provider.invalidate(request({ paths: ['/a', '/b'] }));
  const hosts = ['cdn', 'static'];
  t.same(
    seen,
    [
      ...['/a', '/b'].flatMap((p) => hosts.map((h) => `parent PURGE ${h}.example.test:${parentPort} ${p} k`)),
      ...['127.0.0.1', '127.0.0.2'].flatMap(() =>
        ['/a', '/b'].flatMap((p) => hosts.map((h) => `edge PURGE ${h}.example.test:${edgePort} ${p} k`)),
      ),
    ],
    "the parent's purges for every path and hostname come first, then each edge's",
  );
  t.match(handle.detail, /^12 purge requests answered 200$/);

  seen.length = 0;
  await provider.invalidate(request({ paths: ['/dir/*'], by: 'prefix' }));
  t.same(
    seen.map((line) => line.split(' ').slice(0, 2).join(' ')),
    ['parent UNLINK', 'parent UNLINK', 'edge UNLINK', 'edge UNLINK', 'edge UNLINK', 'edge UNLINK'],
    'a prefix goes the same way, with the prefix method',
  );

  seen.length = 0;
  await t.rejects(provider.invalidate(request({ paths: ['/refused'] })), {
    message: new RegExp(
      `^http: PURGE http://cdn\\.example\\.test:${parentPort}/refused via 127\\.0\\.0\\.1: answered 405`,
    ),
  });
  t.same(seen, [`parent PURGE cdn.example.test:${parentPort} /refused k`], 'a refusing parent: no edge is purged');
});

t.test('http: a parent is a URL, found by name when it is not an address', async (t) => {
  t.throws(() => httpProvider.schema.parse({ provider: 'http', parents: ['127.0.0.1:8080'] }), 'a parent is a URL');
  t.throws(() => httpProvider.schema.parse({ provider: 'http', parents: [] }), 'parents: [] says nothing');
  const target = { url: new URL('https://cdn.example.test/'), hostnames: ['cdn.example.test'], addresses: [] };
  const provider = httpProvider.create(
    httpProvider.schema.parse({ provider: 'http', parents: ['http://parent.invalid:1/'] }),
    { ...target, http: new HttpClient() },
  );
  const err = await provider.invalidate(request({ paths: ['/a'] })).catch((e: unknown) => e);
  t.ok(err instanceof InvalidationRefused);
  t.match((err as Error).message, /^http: parent http:\/\/parent\.invalid:1\/: [A-Z_]+$/);
});
