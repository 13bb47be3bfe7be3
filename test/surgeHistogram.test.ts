// The queen merges the bees' HDR histograms: the merge must equal one
// histogram fed every value — same count, same percentiles, same max — which
// no resampling or averaging of per-bee percentiles can give.
import t from 'tap';
import { decode, encode, mergeInto, newHistogram, recordMs, summarize } from '../load/latencyHistogram.js';
import type { SliceReport } from '../load/beeProtocol.js';
import { Tally } from '../load/tally.js';

/** a deterministic spread of latencies: mostly fast, a slow tail, one bee much slower */
function latencies(seed: number, n: number, slow: number): number[] {
  let x = seed;
  return Array.from({ length: n }, () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    const u = x / 2 ** 31;
    return u < 0.97 ? 0.2 + u * 5 : slow * (1 + u);
  });
}

t.test('merged bee histograms equal one histogram fed every value', async (t) => {
  const bees = [latencies(1, 5000, 40), latencies(2, 3000, 250), latencies(3, 200, 2500)];
  const single = newHistogram();
  for (const v of bees.flat()) recordMs(single, v);
  const encoded = bees.map((values) => {
    const h = newHistogram();
    for (const v of values) recordMs(h, v);
    return encode(h);
  });
  const merged = mergeInto(newHistogram(), encoded);
  t.equal(merged.totalCount, single.totalCount);
  t.equal(merged.minNonZeroValue, single.minNonZeroValue);
  for (const p of [1, 10, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.99, 100]) {
    t.equal(merged.getValueAtPercentile(p), single.getValueAtPercentile(p), `p${p}`);
  }
  // the wire keeps values to HDR's 3 significant digits: the max is its bucket's,
  // as the single histogram's is once sent
  const sent = decode(encode(single));
  t.equal(merged.maxValue, sent.maxValue);
  t.same(summarize(merged), summarize(sent));

  // what averaging the bees' own p99s would have said instead
  const averaged = bees.map((values) => {
    const h = newHistogram();
    for (const v of values) recordMs(h, v);
    return h.getValueAtPercentile(99);
  });
  const meanOfP99 = averaged.reduce((a, b) => a + b, 0) / averaged.length;
  t.not(Math.round(meanOfP99), single.getValueAtPercentile(99), 'averaging percentiles would be wrong');
});

t.test('encoding round-trips and an empty histogram summarizes to null', async (t) => {
  const h = newHistogram();
  t.equal(summarize(h), null);
  recordMs(h, 12.5);
  recordMs(h, 0.0001);
  const back = decode(encode(h));
  t.equal(back.totalCount, 2);
  t.ok(Math.abs(summarize(back)!.max - 12.5) <= 12.5 / 1000, 'to 3 significant digits');
  t.equal(back.minNonZeroValue, 1, 'values below a microsecond count as one');
});

t.test('a tally adds slices: counters summed, errors by kind, status classes, claims', async (t) => {
  const slice = (
    statuses: Record<string, number>,
    transport: Record<string, number>,
    ms: number[],
  ): [SliceReport, ReturnType<typeof decode>] => {
    const h = newHistogram();
    for (const v of ms) recordMs(h, v);
    const responses = Object.values(statuses).reduce((a, b) => a + b, 0);
    const report = {
      second: 0,
      phase: 0,
      latency: encode(h),
      sent: responses + 1,
      responses,
      statuses,
      transport,
      claims: { hit: responses - 1, miss: 1, none: 0 },
    };
    return [report, decode(report.latency)];
  };
  const tally = new Tally();
  tally.add(...slice({ '200': 8, '503': 2 }, { timeout: 1 }, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
  tally.add(...slice({ '200': 5, '404': 1 }, { ECONNRESET: 2 }, [1, 1, 1, 1, 1, 100]));
  const stats = tally.stats(2000);
  t.equal(stats.responses, 16);
  t.equal(stats.sent, 18);
  t.equal(stats.rps, 8);
  t.same(stats.status, { '1xx': 0, '2xx': 13, '3xx': 0, '4xx': 1, '5xx': 2 });
  t.same(stats.errors_by_kind, { timeout: 1, ECONNRESET: 2, 'HTTP 503': 2, 'HTTP 404': 1 });
  t.equal(stats.errors, 6);
  t.equal(stats.error_rate, 6 / 19, 'errors over responses plus transport failures');
  t.same(stats.cache, { claimed_hits: 14, claimed_misses: 2, no_claim: 0, claimed_hit_ratio: 14 / 16 });
  t.ok(Math.abs(stats.latency_ms!.max - 100) <= 0.1, 'max to 3 significant digits');
});
