// A comparison or a trend as JSON (schema edgecheck.comparison/1): the
// Comparison itself, for tools and for the HTML view to read.
import type { Comparison } from './compare.js';
import type { Trend } from './trend.js';

export function renderComparisonJson(c: Comparison): string {
  return JSON.stringify(c, null, 2) + '\n';
}

export function renderTrendJson(t: Trend): string {
  return JSON.stringify({ schema: 'edgecheck.trend/1', ...t }, null, 2) + '\n';
}
