// A bee reads the cache-status claim of every response. Building a header
// object and running the dialect costs microseconds a response (several
// times more for `auto`, which tries each vendor), yet a surge's responses
// repeat: a few paths, the same headers but for Date. So a connection
// remembers the last few header blocks it read and their claims, and the
// dialect runs only for a block unlike them (Date aside: no dialect reads it).
// Comparing the parser's strings in place allocates nothing.
import type { CacheClaim, CacheStatusDialect, ResponseHeaders } from '../harness/cacheStatus/index.js';

/** header blocks remembered per connection: a request cycle of this many paths still reads each once */
const REMEMBERED = 8;

export class ClaimReader {
  private readonly recent: Array<{ flat: readonly string[]; claim: CacheClaim | undefined }> = [];
  constructor(private readonly dialect: CacheStatusDialect) {}

  /** The claim of a response whose headers are [name, value, name, value, ...] as the parser hands them over. */
  read(flat: readonly string[]): CacheClaim | undefined {
    for (const seen of this.recent) if (sameBlock(seen.flat, flat)) return seen.claim;
    const claim = this.dialect.read(headerObject(flat))?.claim;
    this.recent.unshift({ flat, claim });
    if (this.recent.length > REMEMBERED) this.recent.pop();
    return claim;
  }
}

/** The same headers in the same order, values equal but for Date's. */
function sameBlock(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue;
    const name = i % 2 === 1 ? a[i - 1]! : '';
    if (!(name.length === 4 && name.toLowerCase() === 'date')) return false;
  }
  return true;
}

/** Whether the response's Connection header says close. */
export function asksToClose(flat: readonly string[]): boolean {
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const name = flat[i]!;
    if (name.length === 10 && name.toLowerCase() === 'connection' && /\bclose\b/i.test(flat[i + 1]!)) return true;
  }
  return false;
}

/** The parser's [name, value, name, value, ...] as the dialects read headers: lower-case names, repeats in a list. */
export function headerObject(flat: readonly string[]): ResponseHeaders {
  const out: Record<string, string | string[]> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const name = flat[i]!.toLowerCase();
    const value = flat[i + 1]!;
    const seen = out[name];
    out[name] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  return out;
}
