// Several k6 end-of-test summaries as one: a k6-operator TestRun runs one pod
// per bee, each with its share of the plan, and each writes its own summary.
// Counts add up; a Rate's passes and fails add up and the rate is recomputed;
// latency percentiles cannot be merged from summaries (k6 keeps no
// histograms there), so the merged percentile is the worst pod's, an upper
// bound, and the report says so.

export type Values = Record<string, number>;

export interface Summary {
  metric(name: string): Values | undefined;
  durationMs?: number;
}

const SUMMED = new Set(['count', 'passes', 'fails']);

export function mergeSummaries(pods: readonly Summary[]): Summary {
  if (pods.length === 1) return pods[0]!;
  const durations = pods.map((p) => p.durationMs).filter((d): d is number => d !== undefined);
  return {
    metric(name) {
      const found = pods.map((p) => p.metric(name)).filter((v): v is Values => v !== undefined);
      return found.length ? mergeValues(found) : undefined;
    },
    ...(durations.length ? { durationMs: Math.max(...durations) } : {}),
  };
}

function mergeValues(all: readonly Values[]): Values {
  const out: Values = {};
  const keys = new Set(all.flatMap((v) => Object.keys(v)));
  const present = (key: string) => all.map((v) => v[key]).filter((n): n is number => n !== undefined);
  for (const key of keys) {
    const values = present(key);
    if (SUMMED.has(key)) out[key] = sum(values);
    else if (key === 'min') out[key] = Math.min(...values);
    else if (key === 'avg') out[key] = weightedMean(all);
    else if (key !== 'rate') out[key] = Math.max(...values);
  }
  if (keys.has('rate')) {
    // a Rate (passes/fails) is a ratio to recompute; a Counter's rate is per second, and the pods ran side by side
    out['rate'] =
      keys.has('passes') || keys.has('fails') ? ratio(out['passes'] ?? 0, out['fails'] ?? 0) : sum(present('rate'));
  }
  return out;
}

function weightedMean(all: readonly Values[]): number {
  const counted = all.filter((v) => v['avg'] !== undefined && v['count'] !== undefined);
  const n = sum(counted.map((v) => v['count']!));
  if (counted.length === all.length && n > 0) return sum(counted.map((v) => v['avg']! * v['count']!)) / n;
  const avgs = all.map((v) => v['avg']).filter((a): a is number => a !== undefined);
  return sum(avgs) / avgs.length;
}

function ratio(passes: number, fails: number): number {
  return passes + fails > 0 ? passes / (passes + fails) : 0;
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
