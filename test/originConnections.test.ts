// origin_connections: the probe origin counts the connections each fault
// listener accepts (handshake or not), the expectation judges the count a step
// caused, and the route lock keeps another check's request out of that count.
import t from 'tap';
import tls from 'node:tls';
import { once } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { OriginControl } from '../harness/origin/originControl.js';
import { originConnections } from '../harness/expect/originConnections.js';
import { routeLock } from '../harness/steps/routeLock.js';
import type { OpenTarget } from '../harness/target/openTarget.js';
import { makeLabCertificates } from '../lab/labCertificates.js';
import { startProbeOrigin } from '../lab/probeOrigin/probeOrigin.js';
import type { WireResponse } from '../harness/http/client.js';

const response = { status: 502, headers: {}, body: '', durationMs: 1 } as unknown as WireResponse;

t.test('each fault listener counts the connections it accepted, refused handshakes included', async (t) => {
  const certs = await makeLabCertificates();
  const origin = await startProbeOrigin({ token: 'tok-connections', certificates: certs.origin });
  t.teardown(() => origin.close());
  const control = new OriginControl(origin.controlUrl, 'tok-connections');
  t.teardown(() => control.close());

  const before = await control.connections();
  t.same(Object.keys(before).sort(), Object.keys(certs.origin).sort(), 'one count per fault listener');
  t.ok(Object.values(before).every((n) => n === 0));

  // a client that refuses the certificate, as an edge does: the handshake fails, no request is sent
  for (let i = 0; i < 2; i++) {
    const socket = tls.connect({ host: '127.0.0.1', port: origin.tlsPorts['untrusted-ca']!, servername: 'x.test' });
    const [err] = (await once(socket, 'error')) as [Error];
    t.match(err.message, /certificate/i, 'the client refused the certificate');
    socket.destroy();
  }
  await delay(50);
  const after = await control.connections();
  t.equal(after['untrusted-ca'], 2, 'both attempts counted');
  t.equal(after['expired'], 0, 'on their own listener only');

  const unauthorized = await fetch(new URL('/v1/connections', origin.controlUrl));
  t.equal(unauthorized.status, 401, 'the counts are behind the token like the rest of the control channel');
});

t.test('the expectation: a range, a missing listener, no origin', async (t) => {
  const seen = (count?: number) => ({
    response,
    originConnections: {
      listener: 'untrusted-ca',
      listeners: ['expired', 'untrusted-ca'],
      ...(count === undefined ? {} : { count }),
    },
  });
  t.same(originConnections({ listener: 'untrusted-ca', min: 1 }, seen(1)), []);
  t.match(originConnections({ listener: 'untrusted-ca', min: 1 }, seen(0)), [
    {
      expected: "at least 1 to the probe origin's untrusted-ca listener",
      actual: "0 to the probe origin's untrusted-ca listener",
    },
  ]);
  t.match(originConnections({ listener: 'untrusted-ca', max: 0 }, seen(2)), [{ expected: /at most 0/, actual: /^2 / }]);
  t.same(originConnections({ listener: 'untrusted-ca', min: 1, max: 1 }, seen(1)), []);
  t.match(originConnections({ listener: 'untrusted-ca', min: 1, max: 2 }, seen(3)), [{ expected: /1 to 2/ }]);
  t.match(originConnections({ listener: 'untrusted-ca', min: 1 }, seen()), [
    { actual: 'the probe origin has no untrusted-ca listener (it has: expired, untrusted-ca)' },
  ]);
  t.match(originConnections({ listener: 'untrusted-ca', min: 1 }, { response }), [
    { actual: 'no probe origin to ask' },
  ]);
});

t.test(
  'the route lock: a counting step waits for the route to be free, and holds others off while it counts',
  async (t) => {
    const target = {} as OpenTarget;
    const lock = routeLock(target, 'origin-untrusted-ca');
    t.equal(routeLock(target, 'origin-untrusted-ca'), lock, 'one lock per route and target');
    t.not(routeLock(target, 'default'), lock);
    const order: string[] = [];

    const readerA = await lock.shared();
    const readerB = await lock.shared();
    const writer = lock.exclusive().then((release) => {
      order.push('writer');
      return release;
    });
    // a reader arriving while the writer waits queues behind it
    const lateReader = lock.shared().then((release) => {
      order.push('late reader');
      return release;
    });
    await delay(10);
    t.same(order, [], 'the writer waits for both readers');
    readerA();
    readerA(); // releasing twice is harmless
    await delay(10);
    t.same(order, [], 'and for the last one');
    readerB();
    const releaseWriter = await writer;
    await delay(10);
    t.same(order, ['writer'], 'the late reader waits for the writer');
    releaseWriter();
    (await lateReader)();
    t.same(order, ['writer', 'late reader']);
    const again = await lock.exclusive();
    again();
  },
);
