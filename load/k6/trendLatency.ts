// A k6 Trend's summary values (med, p(95), p(99), p(99.9), max, avg, as the
// exported script's summaryTrendStats ask for) as a LatencySummary.
import type { LatencySummary } from '../../harness/surgeRecord.js';
import type { Values } from './podSummaries.js';

/** null when the trend holds no value (count 0) or no maximum */
export function trendLatency(trend: Values | undefined): LatencySummary | null {
  if (!trend || (trend['count'] ?? 1) === 0 || trend['max'] === undefined) return null;
  return {
    p50: trend['med'] ?? trend['p(50)'] ?? 0,
    p95: trend['p(95)'] ?? 0,
    p99: trend['p(99)'] ?? 0,
    'p99.9': trend['p(99.9)'] ?? 0,
    max: trend['max'],
    mean: trend['avg'] ?? 0,
  };
}
