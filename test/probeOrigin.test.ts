// The probe origin: answers as programmed, 304 for matching conditionals,
// logs every request per check key, and guards its control channel with a token.
import t from 'tap';
import { request } from 'undici';
import { startProbeOrigin } from '../lab/probeOrigin/probeOrigin.js';
import { OriginControl } from '../harness/origin/originControl.js';

const key = '/.edgecheck/run1/suite.check/';

t.test('probe origin', async (t) => {
  const origin = await startProbeOrigin({ token: 'tok-123456' });
  t.teardown(() => origin.close());
  const control = new OriginControl(origin.controlUrl, 'tok-123456');
  t.teardown(() => control.close());
  await control.setObject(key, {
    headers: { 'Cache-Control': 'max-age=60', ETag: '"e1"', 'Last-Modified': 'Mon, 01 Jan 2024 00:00:00 GMT' },
    body: 'hello',
    version: 'v1',
  });

  const get = async (path: string, headers: Record<string, string> = {}, method = 'GET') => {
    const res = await request(`${origin.httpUrl}${path}`, { method: method as 'GET', headers });
    return { status: res.statusCode, headers: res.headers, body: await res.body.text() };
  };

  const first = await get(`${key}page?x=1`);
  t.equal(first.status, 200);
  t.equal(first.body, 'hello');
  t.equal(first.headers['etag'], '"e1"');
  t.equal(first.headers['x-edgecheck-origin-seq'], '1');
  t.equal(first.headers['x-edgecheck-version'], 'v1');

  t.equal((await get(key, { 'if-none-match': 'W/"e1"' })).status, 304, 'weak If-None-Match matches');
  t.equal((await get(key, { 'if-none-match': '"other"' })).status, 200);
  t.equal((await get(key, { 'if-modified-since': 'Tue, 02 Jan 2024 00:00:00 GMT' })).status, 304);
  t.equal((await get(key, { 'if-modified-since': 'Sun, 31 Dec 2023 00:00:00 GMT' })).status, 200);
  const head = await get(key, {}, 'HEAD');
  t.equal(head.status, 200);
  t.equal(head.body, '');
  t.equal((await get(key, {}, 'POST')).status, 200, 'POST is answered and logged');

  // a route prefix in front of the check key still finds it
  t.equal((await get(`/prefix${key}`)).body, 'hello');
  t.equal((await get('/.edgecheck/run1/other.check/')).status, 404, 'unprogrammed keys get 404');

  const log = await control.log(key);
  t.equal(log.length, 8);
  t.same(
    log.map((e) => e.seq),
    [1, 2, 3, 4, 5, 6, 7, 8],
  );
  t.equal(log[0]?.url, `${key}page?x=1`);
  t.equal(log[1]?.status, 304);
  t.equal(log[1]?.headers['if-none-match'], 'W/"e1"');
  t.equal(log[5]?.method, 'HEAD');
  t.equal(log[0]?.listener, 'http');

  await control.clear('/.edgecheck/run1/');
  t.same(await control.log(key), []);

  const intruder = new OriginControl(origin.controlUrl, 'wrong-token');
  t.teardown(() => intruder.close());
  await t.rejects(intruder.setObject(key, { body: 'evil' }), /token was refused/);
});

t.test('object store: bounded log, exact counts by whole-second window, per-path sequences', async (t) => {
  const { ObjectStore, MAX_LOG_ENTRIES } = await import('../lab/probeOrigin/objectStore.js');
  const store = new ObjectStore();
  const entry = (at: number) => ({ at, method: 'GET', url: `${key}a`, headers: {}, peer: '', listener: 'http' });
  for (let i = 0; i < MAX_LOG_ENTRIES + 5; i++) store.record(key, `${key}a`, entry(1000 + i));
  t.equal(store.log(key).length, MAX_LOG_ENTRIES, 'full entries are bounded');
  t.equal(store.log(key).at(-1)?.seq, MAX_LOG_ENTRIES + 5, 'seq counts every request');
  t.equal(store.count(key), MAX_LOG_ENTRIES + 5);
  // arrivals at 1000..2004 ms: 1000 in the wall-clock second [1000, 2000), 5 in [2000, 3000)
  t.equal(store.count(key, 1000, 2000), 1000, '[since, until), a second at a time');
  t.equal(store.count(key, 2000), 5);
  t.equal(store.count(key, 998, 2003), 1000, 'edges a few ms off a whole second count the same seconds');
  t.equal(store.count(key, 5000), 0);
  t.equal(store.seenForPath(key, `${key}a`), MAX_LOG_ENTRIES + 5);
  t.equal(store.seenForPath(key, `${key}b`), 0);

  // anyone can send a deployed origin paths: the number of keys logged is bounded, the oldest forgotten
  const { MAX_LOGGED_KEYS } = await import('../lab/probeOrigin/objectStore.js');
  const flooded = new ObjectStore();
  const keyN = (i: number) => `/.edgecheck/flood/k${i}/`;
  for (let i = 0; i <= MAX_LOGGED_KEYS; i++) flooded.record(keyN(i), keyN(i), { ...entry(i), url: keyN(i) });
  t.equal(flooded.count(keyN(0)), 0, 'the first key is forgotten');
  t.equal(flooded.count(keyN(1)), 1);
  t.equal(flooded.count(keyN(MAX_LOGGED_KEYS)), 1);
});

t.test('sequences, per-path objects and the secondary listener', async (t) => {
  const origin = await startProbeOrigin({ token: 'tok-abcdef' });
  t.teardown(() => origin.close());
  const control = new OriginControl(origin.controlUrl, 'tok-abcdef');
  t.teardown(() => control.close());
  await control.setObject(key, { status: 503, body: 'primary', secondary: { body: 'secondary' } });
  await control.setObject(key, { sequence: [{ status: 404, body: 'not yet' }, { body: 'now' }] }, '/asset.css');
  const get = async (base: string, path: string) => {
    const res = await request(`${base}${key}${path}`);
    return `${res.statusCode} ${await res.body.text()}`;
  };
  t.equal(await get(origin.httpUrl, 'asset.css'), '404 not yet');
  t.equal(await get(origin.httpUrl, 'asset.css'), '200 now');
  t.equal(await get(origin.httpUrl, 'asset.css'), '200 now', 'the last answer repeats');
  t.equal(await get(origin.httpUrl, 'page'), '503 primary');
  t.equal(await get(origin.secondaryHttpUrl, 'page'), '200 secondary');
  const log = await control.log(key);
  t.equal(log.at(-1)?.listener, 'http:secondary');
});

t.test('the control channel reads no body before the token, and caps what it reads', async (t) => {
  const origin = await startProbeOrigin({ token: 'tok-123456' });
  t.teardown(() => origin.close());
  const put = (auth: string | undefined, body: Buffer) =>
    request(`${origin.controlUrl}/v1/objects`, {
      method: 'PUT',
      headers: auth ? { authorization: auth } : {},
      body,
    }).then(async (res) => ({ status: res.statusCode, text: await res.body.text() }));
  const big = Buffer.alloc(3 << 20, 'x');
  t.equal((await put(undefined, big)).status, 401, 'no token: refused before the body is read');
  const tooBig = await put('Bearer tok-123456', big);
  t.equal(tooBig.status, 413);
  t.match(tooBig.text, /at most 1048576 bytes/);
});

t.test('an object HTTP cannot carry is refused by the control channel, and never ends the origin', async (t) => {
  const origin = await startProbeOrigin({ token: 'tok-123456' });
  t.teardown(() => origin.close());
  const control = new OriginControl(origin.controlUrl, 'tok-123456');
  t.teardown(() => control.close());
  // the suite schema refuses these, and so does the control API, with the reason
  await t.rejects(
    control.setObject(key, { headers: { 'X-Bad': 'a\nb' } }),
    /400.*object\.headers\.X-Bad: a header value cannot hold a line break/,
  );
  await t.rejects(control.setObject(key, { status: 1000 } as never), /400.*object\.status/);
  await t.rejects(control.setObject(key, { size: 1e12 } as never), /400.*object\.size/);
  // one that got into the store anyway is answered 500, and the origin keeps serving
  for (const bad of [
    { headers: { 'X-Bad': 'a\nb', 'Cache-Control': 'max-age=60' } },
    { status: 1000 },
    { body: 123 },
  ]) {
    origin.store.set(key, bad as never);
    const res = await request(`${origin.httpUrl}${key}`);
    t.equal(res.statusCode, 500, JSON.stringify(bad));
    t.match(await res.body.text(), /cannot be (sent|answered)/);
    t.equal(res.headers['cache-control'], undefined, 'none of the programmed headers go out');
  }
  await control.setObject(key, { body: 'fine' });
  const good = await request(`${origin.httpUrl}${key}`);
  t.equal(await good.body.text(), 'fine');
});
