// The contract every cache-status dialect fulfils: read a CDN's vendor header(s)
// into a normalized claim about whether the response came from cache.

export type CacheClaim = 'hit' | 'miss' | 'revalidated' | 'stale' | 'error' | 'bypass';

/** Response headers as undici gives them: lower-case names. */
export type ResponseHeaders = Record<string, string | string[] | undefined>;

export interface CacheStatusReading {
  claim: CacheClaim;
  /** the header text the claim was read from, e.g. "x-cache: Hit from cloudfront" */
  evidence: string;
  /** extra facts where the dialect gives them: pop, hits count, shield path, ttl... */
  detail?: Record<string, string | number>;
}

export interface CacheStatusDialect {
  readonly name: string;
  /** true when these headers look like this dialect's (for cache_status: auto) */
  detect(headers: ResponseHeaders): boolean;
  /** undefined when the headers carry no claim in this dialect */
  read(headers: ResponseHeaders): CacheStatusReading | undefined;
}

/** Every line of a header, in the order received; a repeated header arrives as string[]. */
export function headerLines(headers: ResponseHeaders, name: string): string[] {
  const value = headers[name];
  if (value === undefined) return [];
  return typeof value === 'string' ? [value] : value;
}

/**
 * The members of a comma-separated list header across all its lines, trimmed,
 * empty members dropped: HTTP lets a list arrive split over repeated lines.
 */
export function listMembers(headers: ResponseHeaders, name: string): string[] {
  return headerLines(headers, name)
    .flatMap((line) => line.split(','))
    .map((member) => member.trim())
    .filter((member) => member !== '');
}

/**
 * The last value of a status header that caches in a chain each append to
 * (X-Cache: MISS, HIT): the one set closest to the client. Repeated lines
 * may arrive as a list or already joined with ", " (as HTTP clients do); the
 * vendors' values themselves hold no commas.
 */
export function lastLine(headers: ResponseHeaders, name: string): string | undefined {
  return listMembers(headers, name).at(-1);
}

/** Evidence text for a header as the client saw it, repeated lines joined as HTTP would. */
export function evidence(headers: ResponseHeaders, name: string): string {
  return `${name}: ${headerLines(headers, name).join(', ')}`;
}

/** A vendor's status words and the claim each makes, with why where the claim flattens a distinction. */
export type StatusWords = ReadonlyMap<string, { claim: CacheClaim; reason?: string }>;

/** The reading for a known status word from header `name`; extra detail (pop, host) is merged in. */
export function readingFor(
  words: StatusWords,
  word: string,
  headers: ResponseHeaders,
  name: string,
  extra: Record<string, string | number> = {},
): CacheStatusReading | undefined {
  const known = words.get(word);
  if (known === undefined) return undefined;
  const detail: Record<string, string | number> = { status: word, ...extra };
  if (known.reason !== undefined) detail.reason = known.reason;
  return { claim: known.claim, evidence: evidence(headers, name), detail };
}
