// The standard claim: RFC 9211 Cache-Status, a Structured Field List (RFC 8941) of
// caches, origin side first; the last entry is the cache closest to the client.
import {
  evidence,
  headerLines,
  type CacheClaim,
  type CacheStatusDialect,
  type CacheStatusReading,
  type ResponseHeaders,
} from './dialect.js';

/** A bare item; tokens and byte sequences keep their text, which is all a claim needs. */
type BareItem = string | number | boolean;

interface Entry {
  cache: BareItem;
  params: Map<string, BareItem>;
  /** the member as written, to show the upstream caches in the detail */
  text: string;
}

/** RFC 8941 section 4.2 parsing, of Lists of Items only: Cache-Status has no inner lists. */
class ListParser {
  private pos = 0;
  constructor(private readonly input: string) {}

  list(): Entry[] {
    const entries: Entry[] = [];
    this.skip(' ');
    while (this.pos < this.input.length) {
      const start = this.pos;
      const cache = this.bareItem();
      const params = this.params();
      entries.push({ cache, params, text: this.input.slice(start, this.pos) });
      this.skip(' \t');
      if (this.pos === this.input.length) return entries;
      this.expect(',');
      this.skip(' \t');
      if (this.pos === this.input.length) this.fail('a member after the comma');
    }
    return entries;
  }

  private params(): Map<string, BareItem> {
    const params = new Map<string, BareItem>();
    while (this.peek() === ';') {
      this.pos++;
      this.skip(' ');
      const key = this.match(/[a-z*][a-z0-9_\-.*]*/y, 'parameter key');
      let value: BareItem = true;
      if (this.peek() === '=') {
        this.pos++;
        value = this.bareItem();
      }
      params.set(key, value);
    }
    return params;
  }

  private bareItem(): BareItem {
    const c = this.peek();
    if (c === '"') return this.string();
    if (c === '?') return this.match(/\?[01]/y, 'boolean') === '?1';
    if (c === ':') return this.match(/:[A-Za-z0-9+/=]*:/y, 'byte sequence').slice(1, -1);
    if (c === '-' || /[0-9]/.test(c)) return this.number();
    return this.match(/[A-Za-z*][!#$%&'*+\-.^_`|~0-9A-Za-z:/]*/y, 'item');
  }

  private number(): number {
    // a decimal has at most 12 integer digits; longer ones stop at the dot and fail later
    return Number(this.match(/-?(?:[0-9]{1,12}\.[0-9]{1,3}|[0-9]{1,15})/y, 'number'));
  }

  private string(): string {
    this.pos++;
    let out = '';
    for (;;) {
      const c = this.peek();
      this.pos++;
      if (c === '"') return out;
      if (c === '\\') {
        const escaped = this.peek();
        if (escaped !== '"' && escaped !== '\\') this.fail('an escaped quote or backslash');
        this.pos++;
        out += escaped;
      } else if (c >= ' ' && c <= '~') {
        out += c;
      } else {
        this.fail('a closing quote');
      }
    }
  }

  private match(pattern: RegExp, what: string): string {
    pattern.lastIndex = this.pos;
    const found = pattern.exec(this.input);
    if (found === null) this.fail(what);
    this.pos = pattern.lastIndex;
    return found[0];
  }

  private expect(c: string): void {
    if (this.peek() !== c) this.fail(`"${c}"`);
    this.pos++;
  }

  private skip(chars: string): void {
    while (this.pos < this.input.length && chars.includes(this.peek())) this.pos++;
  }

  private fail(what: string): never {
    throw new SyntaxError(`Cache-Status: expected ${what} at ${this.pos}`);
  }

  /** the next character, '' at the end */
  private peek(): string {
    return this.input.charAt(this.pos);
  }
}

/** undefined when the value is not a valid List: RFC 8941 says to ignore such a field */
function parseCacheStatus(value: string): Entry[] | undefined {
  try {
    return new ListParser(value).list();
  } catch {
    return undefined;
  }
}

const FORWARDS = new Map<string, { claim: CacheClaim; reason?: string }>([
  ['miss', { claim: 'miss' }],
  ['uri-miss', { claim: 'miss' }],
  ['vary-miss', { claim: 'miss', reason: 'no stored response matched the Vary headers' }],
  ['partial', { claim: 'miss', reason: 'a partial stored response was completed from origin' }],
  ['stale', { claim: 'miss', reason: 'stale: the stored response was refetched from origin' }],
  ['bypass', { claim: 'bypass' }],
  ['request', { claim: 'bypass', reason: 'the request asked not to be served from cache' }],
  ['method', { claim: 'bypass', reason: 'the request method is not cacheable' }],
]);

function claimOf(params: Map<string, BareItem>): { claim: CacheClaim; reason?: string } | undefined {
  if (params.get('hit') === true) {
    const ttl = params.get('ttl');
    return typeof ttl === 'number' && ttl < 0
      ? { claim: 'stale', reason: 'served after its freshness lifetime (ttl < 0)' }
      : { claim: 'hit' };
  }
  const fwd = params.get('fwd');
  if (fwd === 'stale' && params.get('fwd-status') === 304) return { claim: 'revalidated' };
  return typeof fwd === 'string' ? FORWARDS.get(fwd) : undefined;
}

function read(headers: ResponseHeaders): CacheStatusReading | undefined {
  // repeated lines combine into one List, exactly as if sent comma-separated
  const entries = parseCacheStatus(headerLines(headers, 'cache-status').join(', '));
  const last = entries?.at(-1);
  if (entries === undefined || last === undefined) return undefined;
  const outcome = claimOf(last.params);
  if (outcome === undefined) return undefined;
  // the parameters keep their RFC 9211 names (fwd, fwd-status, ttl, stored, key, detail...)
  const detail: Record<string, string | number> = {};
  for (const [key, value] of last.params) {
    if (key !== 'hit') detail[key] = typeof value === 'boolean' ? String(value) : value;
  }
  detail.cache = String(last.cache);
  if (outcome.reason !== undefined) detail.reason = outcome.reason;
  if (entries.length > 1)
    detail.upstream = entries
      .slice(0, -1)
      .map((e) => e.text)
      .join(', ');
  return { claim: outcome.claim, evidence: evidence(headers, 'cache-status'), detail };
}

export const rfc9211: CacheStatusDialect = {
  name: 'rfc9211',
  detect: (headers) => headers['cache-status'] !== undefined,
  read,
};
