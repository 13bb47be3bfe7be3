// Latency histograms (HDR, microseconds, 3 significant digits): bees record
// into one per slice, ship it encoded, the queen adds them. Adding HDR
// histograms is exact, so merged percentiles equal those of one histogram fed
// every value — nothing is resampled or averaged.
import * as hdr from 'hdr-histogram-js';
import type { LatencySummary } from '../harness/surgeRecord.js';

export type LatencyHistogram = hdr.Histogram;

/** one hour in microseconds; the histogram grows past it if a response ever takes longer */
const HIGHEST_US = 3_600_000_000;

export function newHistogram(): LatencyHistogram {
  return hdr.build({
    bitBucketSize: 32,
    autoResize: true,
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_US,
    numberOfSignificantValueDigits: 3,
    useWebAssembly: false,
  });
}

export function recordMs(h: LatencyHistogram, ms: number): void {
  h.recordValue(Math.max(1, Math.round(ms * 1000)));
}

export function encode(h: LatencyHistogram): string {
  return hdr.encodeIntoCompressedBase64(h);
}

export function decode(encoded: string): LatencyHistogram {
  return hdr.decodeFromCompressedBase64(encoded, 32, false);
}

/** Adds encoded histograms into `into`. */
export function mergeInto(into: LatencyHistogram, encoded: Iterable<string>): LatencyHistogram {
  for (const e of encoded) into.add(decode(e));
  return into;
}

export function summarize(h: LatencyHistogram): LatencySummary | null {
  if (h.totalCount === 0) return null;
  const ms = (us: number) => Math.round(us) / 1000;
  return {
    p50: ms(h.getValueAtPercentile(50)),
    p95: ms(h.getValueAtPercentile(95)),
    p99: ms(h.getValueAtPercentile(99)),
    'p99.9': ms(h.getValueAtPercentile(99.9)),
    max: ms(h.maxValue),
    mean: Math.round(h.mean) / 1000,
  };
}
