// The probe origin counts a surge's arrivals per wall-clock second: its state
// per key stays bounded however many arrivals a surge sends, and counts stay
// exact by whole seconds.
import t from 'tap';
import { ArrivalCounts, MAX_SECONDS_PER_KEY } from '../lab/probeOrigin/arrivalCounts.js';
import { MAX_LOG_ENTRIES, ObjectStore } from '../lab/probeOrigin/objectStore.js';

const T0 = Date.UTC(2025, 0, 1);

t.test('millions of arrivals in a minute: one count per second, exact per second and in all', async (t) => {
  const counts = new ArrivalCounts();
  const RATE = 50_000;
  for (let s = 0; s < 60; s++) for (let i = 0; i < RATE; i++) counts.add(T0 + s * 1000 + (i * 1000) / RATE);
  t.equal(counts.total, 60 * RATE);
  t.equal(counts.size, 60, 'sixty seconds held, not three million times');
  t.equal(counts.count(T0 + 10_000, T0 + 11_000), RATE, 'one second');
  t.equal(counts.count(T0, T0 + 30_000), 30 * RATE, 'a phase of whole seconds');
  t.equal(counts.count(T0 + 59_000), RATE, 'open-ended');
  t.equal(counts.count(T0 - 5_000, T0), 0, 'before the first arrival');
});

t.test('a stream longer than the bound keeps MAX_SECONDS_PER_KEY seconds and every arrival in the total', async (t) => {
  const counts = new ArrivalCounts();
  const seconds = MAX_SECONDS_PER_KEY + 5_000;
  let most = 0;
  for (let s = 0; s < seconds; s++) {
    for (let i = 0; i < 100; i++) counts.add(T0 + s * 1000 + i);
    most = Math.max(most, counts.size);
  }
  t.ok(most <= MAX_SECONDS_PER_KEY + 1, `never more than the bound held (${most})`);
  t.equal(counts.total, seconds * 100);
  t.equal(counts.count(), seconds * 100, 'the whole count is exact');
  t.equal(counts.count(-Infinity, T0 + seconds * 1000), seconds * 100, 'a window open at its start too');
  t.equal(counts.count(T0 + (seconds - 10) * 1000), 1000, 'the last ten seconds');
});

t.test('an arrival the wall clock put in an earlier second is counted in that second', async (t) => {
  const counts = new ArrivalCounts();
  counts.add(T0 + 5_000);
  counts.add(T0 + 7_000);
  counts.add(T0 + 6_000);
  counts.add(T0 + 5_500);
  t.same(
    [5, 6, 7].map((s) => counts.count(T0 + s * 1000, T0 + (s + 1) * 1000)),
    [2, 1, 1],
  );
  t.equal(counts.size, 3);
});

t.test('the store: a million requests of one key leave its size where a minute of them did', async (t) => {
  const store = new ObjectStore(() => undefined);
  const key = '/.edgecheck/long/surge.key/';
  const entry = {
    method: 'GET',
    url: `${key}index.html`,
    headers: { host: 'lab' },
    peer: '127.0.0.1',
    listener: 'http',
  };
  const RATE = 10_000;
  let atMinute = 0;
  for (let i = 0; i < 1_000_000; i++) {
    store.record(key, `${key}index.html`, { ...entry, at: T0 + (i * 1000) / RATE });
    if (i === 60 * RATE) atMinute = store.stats().log_bytes;
  }
  const stats = store.stats();
  t.equal(store.count(key), 1_000_000, 'every arrival counted');
  t.equal(store.countedSeconds(key), 100, 'one count per second of the stream');
  t.equal(store.log(key).length, MAX_LOG_ENTRIES);
  t.ok(
    stats.log_bytes - atMinute <= 40 * 16,
    `the key's cost grew by the 40 more seconds only (${atMinute} -> ${stats.log_bytes} bytes)`,
  );
  t.equal(store.count(key, T0 + 99_000, T0 + 100_000), RATE);
});
