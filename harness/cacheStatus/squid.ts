// Squid's claim: X-Cache "HIT from <host>" or "MISS from <host>", one line per
// Squid on the path, the one closest to the client last; X-Cache-Lookup (what
// the cache lookup found) when X-Cache is withheld. Squid counts a copy it
// revalidated with a 304 (TCP_REFRESH_UNMODIFIED) as HIT, so revalidation reads as hit.
import {
  headerLines,
  listMembers,
  readingFor,
  type CacheStatusDialect,
  type CacheStatusReading,
  type ResponseHeaders,
  type StatusWords,
} from './dialect.js';

/** Squid writes the word in upper case; CloudFront's "Hit from cloudfront" is not Squid's */
const FROM_HOST = /^(HIT|MISS|NONE) from (\S+)$/;

const WORDS: StatusWords = new Map([
  ['HIT', { claim: 'hit' }],
  ['MISS', { claim: 'miss' }],
  ['NONE', { claim: 'bypass', reason: 'no cache lookup (e.g. the request was denied or not cacheable)' }],
]);

function lastEntry(headers: ResponseHeaders, name: string): { word: string; host: string } | undefined {
  const found = listMembers(headers, name)
    .map((member) => FROM_HOST.exec(member))
    .filter((m): m is RegExpExecArray => m !== null && !/^cloudfront$/i.test(m[2] ?? ''))
    .at(-1);
  return found ? { word: found[1] ?? '', host: found[2] ?? '' } : undefined;
}

function read(headers: ResponseHeaders): CacheStatusReading | undefined {
  for (const name of ['x-cache', 'x-cache-lookup']) {
    const entry = lastEntry(headers, name);
    // X-Cache never says NONE; X-Cache-Lookup does, for a request that skipped the cache
    if (!entry || (name === 'x-cache' && entry.word === 'NONE')) continue;
    const reading = readingFor(WORDS, entry.word, headers, name, { host: entry.host });
    if (reading) return reading;
  }
  return undefined;
}

export const squid: CacheStatusDialect = {
  name: 'squid',
  detect: (headers) =>
    headerLines(headers, 'via').some((via) => /\(squid\/[^)]*\)/i.test(via)) ||
    lastEntry(headers, 'x-cache') !== undefined ||
    lastEntry(headers, 'x-cache-lookup') !== undefined,
  read,
};
