// Reporters by name, for --reporter.
import DotReporter from './dot.js';
import HtmlReporter from './html/index.js';
import JsonReporter from './json.js';
import JunitReporter from './junit.js';
import ListReporter from './list.js';
import type { Reporter, ReporterOptions } from './reporter.js';
import TapReporter from './tap.js';

export const reporterNames = ['list', 'dot', 'json', 'tap', 'junit', 'html'] as const;
export type ReporterName = (typeof reporterNames)[number];

const factories: Record<ReporterName, new (opts: ReporterOptions) => Reporter> = {
  list: ListReporter,
  dot: DotReporter,
  json: JsonReporter,
  tap: TapReporter,
  junit: JunitReporter,
  html: HtmlReporter,
};

export function createReporter(name: ReporterName, opts: ReporterOptions): Reporter {
  return new factories[name](opts);
}
