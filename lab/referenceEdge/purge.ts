// Which stored responses an invalidation drops. A path drops every stored copy
// of that path: each query string and each variant (gzip and identity); a
// trailing `*` drops everything that starts with what comes before it.
import type { StoredResponse } from './edgeCache.js';
import type { ReferenceEdgeFault } from './faults.js';

/** A predicate over (variant key, stored response): the keys are `host|path?query#variant` (edgeCache.ts). */
export type PurgeMatch = (variantKey: string, stored: StoredResponse) => boolean;

export function purgeMatch(paths: string[], faults: ReadonlySet<ReferenceEdgeFault>): PurgeMatch {
  const tests = paths.map((path) => pathTest(path, faults));
  return (variantKey, stored) => {
    if (faults.has('errors-survive-invalidation') && stored.status >= 400) return false;
    const [, rest = ''] = variantKey.split('|', 2);
    const [pathAndQuery = '', variant = ''] = splitOnce(rest, '#');
    if (faults.has('variant-survives') && variant.includes('gzip')) return false;
    return tests.some((test) => test(pathAndQuery));
  };
}

function pathTest(path: string, faults: ReadonlySet<ReferenceEdgeFault>): (pathAndQuery: string) => boolean {
  if (path.endsWith('*') && !faults.has('ignore-invalidation-wildcards')) {
    const prefix = path.slice(0, -1);
    return (pq) => pq.startsWith(prefix);
  }
  if (faults.has('invalidation-as-prefix')) return (pq) => pq.startsWith(path);
  return (pq) => withoutQuery(pq) === path;
}

function withoutQuery(pathAndQuery: string): string {
  const q = pathAndQuery.indexOf('?');
  return q === -1 ? pathAndQuery : pathAndQuery.slice(0, q);
}

function splitOnce(text: string, separator: string): [string, string] {
  const at = text.indexOf(separator);
  return at === -1 ? [text, ''] : [text.slice(0, at), text.slice(at + 1)];
}
