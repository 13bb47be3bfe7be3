// The `command` and `http` invalidation providers on their own: the argv a
// command gets, its refusal with its own words (secrets redacted), and the
// purge requests the http provider sends to every edge address (BAN itself
// is shown against real Varnish in realEdges.test.ts: Node's parser refuses it).
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import t from 'tap';
import { HttpClient } from '../harness/http/client.js';
import { commandProvider } from '../harness/invalidation/command.js';
import { httpProvider } from '../harness/invalidation/http.js';
import { InvalidationRefused, type InvalidationRequest } from '../harness/invalidation/provider.js';
import { registerSecret } from '../harness/secrets.js';
import { targetsFile } from './support/labRun.js';

const request = (over: Partial<InvalidationRequest>): InvalidationRequest => ({
  paths: [],
  tags: [],
  by: 'url',
  soft: false,
  signal: new AbortController().signal,
  ...over,
});

const noTarget = { url: new URL('https://cdn.example.test/'), hostnames: [], addresses: [], http: new HttpClient() };

t.test('command: {paths} becomes one argument per path, {path} one run per path', async (t) => {
  const dir = dirname(targetsFile(''));
  const log = join(dir, 'calls.log');
  const script = join(dir, 'purge.sh');
  writeFileSync(script, `#!/bin/sh\necho "$#:$*" >> ${log}\necho purged "$@"\n`);
  chmodSync(script, 0o755);
  const all = commandProvider.create(
    commandProvider.schema.parse({ provider: 'command', argv: [script, '--all', '{paths}'] }),
    noTarget,
  );
  const handle = await all.invalidate(request({ paths: ['/a', '/b c'] }));
  t.match(handle, { id: /^command-1$/, detail: 'purged --all /a /b c' });
  t.same(await all.status(handle, new AbortController().signal), { state: 'unknown' }, 'a command offers no status');
  const each = commandProvider.create(
    commandProvider.schema.parse({ provider: 'command', argv: [script, 'one={path}'] }),
    noTarget,
  );
  await each.invalidate(request({ paths: ['/x', '/y'] }));
  const tags = commandProvider.create(
    commandProvider.schema.parse({ provider: 'command', argv: [script, '{paths}'] }),
    noTarget,
  );
  await tags.invalidate(request({ by: 'tag', tags: ['product-1'] }));
  t.same(readFileSync(log, 'utf8').trim().split('\n'), ['3:--all /a /b c', '1:one=/x', '1:one=/y', '1:product-1']);
});

t.test('command: a failing command is a refusal with its own output, secrets redacted', async (t) => {
  registerSecret('hunter2-secret-token');
  const failing = commandProvider.create(
    commandProvider.schema.parse({
      provider: 'command',
      argv: ['/bin/sh', '-c', 'echo "denied for hunter2-secret-token" >&2; exit 7'],
    }),
    noTarget,
  );
  const err = await failing.invalidate(request({ paths: ['/a'] })).catch((e: unknown) => e);
  t.ok(err instanceof InvalidationRefused);
  t.match((err as Error).message, /^command: \/bin\/sh exited 7: denied for \[redacted\]$/);
  t.notMatch((err as Error).message, /hunter2/);
  const missing = commandProvider.create(
    commandProvider.schema.parse({ provider: 'command', argv: ['/nonexistent/purge'] }),
    noTarget,
  );
  await t.rejects(missing.invalidate(request({ paths: ['/a'] })), { message: /command: \/nonexistent\/purge ENOENT/ });
  await t.rejects(failing.invalidate(request({ paths: ['/a'], soft: true })), InvalidationRefused);
});

t.test('http: a purge to every edge address for every hostname; a prefix only with prefix_method', async (t) => {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(
      `${req.method} ${req.headers.host} ${req.url} ${req.socket.localAddress} ${req.headers['x-purge-key'] ?? ''}`,
    );
    res.writeHead(req.url === '/gone' ? 404 : req.url === '/refused' ? 405 : 200).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const port = (server.address() as AddressInfo).port;
  const target = {
    url: new URL(`http://cdn.example.test:${port}/`),
    hostnames: ['cdn.example.test', 'static.example.test'],
    addresses: ['127.0.0.1', '127.0.0.2'],
    http: new HttpClient(),
  };
  t.teardown(() => target.http.close());
  const config = httpProvider.schema.parse({
    provider: 'http',
    prefix_method: 'UNLINK',
    headers: { 'X-Purge-Key': 'k' },
  });
  const provider = httpProvider.create(config, target);
  await provider.invalidate(request({ paths: ['/a'] }));
  await provider.invalidate(request({ paths: ['/dir/*'], by: 'prefix' }));
  await provider.invalidate(request({ paths: ['/gone'] }));
  t.same(
    seen.sort(),
    [
      ...['PURGE', 'UNLINK'].flatMap((m) =>
        ['cdn', 'static'].flatMap((h) =>
          ['127.0.0.1', '127.0.0.2'].map(
            (a) => `${m} ${h}.example.test:${port} ${m === 'PURGE' ? '/a' : '/dir/'} ${a} k`,
          ),
        ),
      ),
      ...['cdn', 'static'].flatMap((h) =>
        ['127.0.0.1', '127.0.0.2'].map((a) => `PURGE ${h}.example.test:${port} /gone ${a} k`),
      ),
    ].sort(),
    'PURGE /a, and the prefix method on /dir/ without its *, on each hostname and address; a 404 counts as done',
  );
  t.same(await provider.status({ id: 'x' }, new AbortController().signal), { state: 'completed' });
  await t.rejects(provider.invalidate(request({ paths: ['/refused'] })), {
    message: /http: PURGE .*\/refused via 127\.0\.0\.1: answered 405/,
  });
  t.same(typeof httpProvider.supports === 'function' ? httpProvider.supports(config) : undefined, {
    by: ['url', 'prefix'],
    soft: false,
  });
  const plain = httpProvider.schema.parse({ provider: 'http' });
  t.same(
    typeof httpProvider.supports === 'function' ? httpProvider.supports(plain) : undefined,
    { by: ['url'], soft: false },
    'no prefix without a method for it',
  );
});
