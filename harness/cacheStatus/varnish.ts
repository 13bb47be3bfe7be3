// Varnish's claim: X-Varnish carries the request's id, plus the id of the request
// that stored the object when it was a hit; an X-Cache set by the VCL wins if present,
// since a grace (stale) hit shows two ids as well and only the VCL can say otherwise.
import {
  evidence,
  headerLines,
  lastLine,
  listMembers,
  type CacheClaim,
  type CacheStatusDialect,
  type CacheStatusReading,
  type ResponseHeaders,
} from './dialect.js';

/** the words VCL snippets commonly write into X-Cache, e.g. "HIT", "MISS", "PASS" */
const VCL_WORDS = new Map<string, CacheClaim>([
  ['HIT', 'hit'],
  ['MISS', 'miss'],
  ['PASS', 'bypass'],
]);

function readXCache(headers: ResponseHeaders): CacheStatusReading | undefined {
  // the first word only: VCLs often append the hit count or the host ("HIT: 3")
  const word = /^[A-Za-z]+/.exec(lastLine(headers, 'x-cache') ?? '')?.[0].toUpperCase() ?? '';
  const claim = VCL_WORDS.get(word);
  if (claim === undefined) return undefined;
  return { claim, evidence: evidence(headers, 'x-cache'), detail: { status: word } };
}

function readXVarnish(headers: ResponseHeaders): CacheStatusReading | undefined {
  // with Varnish in front of Varnish, the last entry is the one closest to the client
  const entry = listMembers(headers, 'x-varnish').at(-1) ?? '';
  if (!/^\d+( \d+)?$/.test(entry)) return undefined;
  const [xid = '', storedBy] = entry.split(' ');
  if (storedBy === undefined) {
    return { claim: 'miss', evidence: evidence(headers, 'x-varnish'), detail: { xid } };
  }
  return { claim: 'hit', evidence: evidence(headers, 'x-varnish'), detail: { xid, storedBy } };
}

export const varnish: CacheStatusDialect = {
  name: 'varnish',
  detect: (headers) =>
    headers['x-varnish'] !== undefined || headerLines(headers, 'via').some((via) => /varnish/i.test(via)),
  read: (headers) => readXCache(headers) ?? readXVarnish(headers),
};
