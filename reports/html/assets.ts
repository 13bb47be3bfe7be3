// uPlot's script and styles, read from node_modules when a report is written
// and inlined into it, so the page needs no network and no file beside it.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export interface ChartLibrary {
  script: string;
  styles: string;
}

let cached: ChartLibrary | undefined;

export function chartLibrary(): ChartLibrary {
  if (!cached) {
    const require = createRequire(import.meta.url);
    const read = (file: string) => readFileSync(require.resolve(`uplot/dist/${file}`), 'utf8');
    cached = { script: read('uPlot.iife.min.js'), styles: read('uPlot.min.css') };
  }
  return cached;
}
