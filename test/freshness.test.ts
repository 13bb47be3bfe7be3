// The reference edge's RFC 9111 arithmetic, table-driven.
import t from 'tap';
import { currentAge, freshnessLifetime, parseCacheControl, storable } from '../lab/referenceEdge/freshness.js';
import type { ReferenceEdgeFault } from '../lab/referenceEdge/faults.js';

const ttl = { min: 0, default: 0, max: 31_536_000 };
const none = new Set<ReferenceEdgeFault>();
const date = 'Mon, 01 Jan 2024 00:00:00 GMT';
const inAMinute = 'Mon, 01 Jan 2024 00:01:00 GMT';

t.test('parseCacheControl', async (t) => {
  const cc = parseCacheControl('max-age=60, S-MAXAGE="120", no-cache, private');
  t.equal(cc.get('max-age'), '60');
  t.equal(cc.get('s-maxage'), '120');
  t.equal(cc.get('no-cache'), true);
  t.equal(parseCacheControl(undefined).size, 0);
});

t.test('freshnessLifetime', async (t) => {
  const cases: Array<[string, Record<string, string>, typeof ttl, ReferenceEdgeFault[], number]> = [
    ['max-age', { 'cache-control': 'max-age=60' }, ttl, [], 60],
    ['s-maxage wins', { 'cache-control': 'max-age=1, s-maxage=3600' }, ttl, [], 3600],
    ['s-maxage shorter wins too', { 'cache-control': 'max-age=3600, s-maxage=5' }, ttl, [], 5],
    ['ignore-s-maxage fault', { 'cache-control': 'max-age=1, s-maxage=3600' }, ttl, ['ignore-s-maxage'], 1],
    ['Expires minus Date', { expires: inAMinute, date }, ttl, [], 60],
    ['max-age beats Expires', { 'cache-control': 'max-age=5', expires: inAMinute, date }, ttl, [], 5],
    ['invalid Expires is expired', { expires: '0', date }, { ...ttl, default: 99 }, [], 0],
    ['past Expires', { expires: date, date: inAMinute }, ttl, [], 0],
    ['nothing: route default', {}, { ...ttl, default: 86400 }, [], 86400],
    ['raised to min', { 'cache-control': 'max-age=5' }, { ...ttl, min: 30 }, [], 30],
    ['capped at max', { 'cache-control': 'max-age=999999' }, { ...ttl, max: 3600 }, [], 3600],
    ['ignore-expires fault', { expires: inAMinute, date }, ttl, ['ignore-expires'], 0],
  ];
  for (const [name, headers, routeTtl, faults, want] of cases) {
    t.equal(freshnessLifetime(headers, routeTtl, new Set(faults)), want, name);
  }
});

t.test('currentAge (RFC 9111 4.2.3)', async (t) => {
  const base = Date.parse(date);
  // resident time only
  t.equal(currentAge({ requestTime: base, responseTime: base, date }, base + 5000, none), 5000);
  // an upstream Age is added
  t.equal(currentAge({ requestTime: base, responseTime: base, date, age: '120' }, base + 1000, none), 121_000);
  t.equal(
    currentAge(
      { requestTime: base, responseTime: base, date, age: '120' },
      base + 1000,
      new Set(['ignore-upstream-age']),
    ),
    1000,
  );
  // apparent age from a Date in the past, less Date's one-second resolution
  t.equal(currentAge({ requestTime: base + 10_000, responseTime: base + 10_000, date }, base + 10_000, none), 9_000);
  t.equal(
    currentAge({ requestTime: base + 900, responseTime: base + 900, date }, base + 900, none),
    0,
    'truncation is not age',
  );
  // response delay counts
  t.equal(currentAge({ requestTime: base, responseTime: base + 300, date }, base + 300, none), 300);
});

t.test('storable', async (t) => {
  const ok = (h: Record<string, string>, faults: ReferenceEdgeFault[] = [], status = 200, method = 'GET') =>
    storable(method, status, new Map(), h, new Set(faults)).store;
  t.ok(ok({ 'cache-control': 'max-age=60' }));
  t.notOk(ok({ 'cache-control': 'no-store' }));
  t.ok(ok({ 'cache-control': 'no-store' }, ['store-no-store']));
  t.notOk(ok({ 'cache-control': 'private, max-age=60' }));
  t.ok(ok({ 'cache-control': 'private' }, ['store-private']));
  t.notOk(ok({}, [], 200, 'POST'));
  t.notOk(ok({}, [], 500));
  // redirects: 301 by default; 302, 307 and 308 only when Cache-Control says for how long (CloudFront, RFC 9111 3)
  t.ok(ok({}, [], 301));
  for (const status of [302, 307, 308]) {
    t.notOk(ok({}, [], status), `${status} without Cache-Control`);
    t.ok(ok({ 'cache-control': 'max-age=60' }, [], status), `${status} with max-age`);
    t.ok(ok({ 'cache-control': 's-maxage=60' }, [], status), `${status} with s-maxage`);
  }
  t.notOk(storable('GET', 200, new Map([['no-store', true]]), {}, none).store, 'request no-store');
});
