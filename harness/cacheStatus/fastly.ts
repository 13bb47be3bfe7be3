// Fastly's claim: X-Cache lists one HIT/MISS per cache node, shield first and the
// edge closest to the client last; X-Served-By and X-Cache-Hits line up from the end.
import {
  evidence,
  headerLines,
  listMembers,
  type CacheClaim,
  type CacheStatusDialect,
  type CacheStatusReading,
  type ResponseHeaders,
} from './dialect.js';

// Fastly folds every HIT-* state into HIT and PASS into MISS; PASS appears only
// where custom VCL writes the raw state, which is worth keeping apart.
const STATES = new Map<string, CacheClaim>([
  ['HIT', 'hit'],
  ['MISS', 'miss'],
  ['PASS', 'bypass'],
]);

/** X-Served-By entries look like cache-jfk1041-JFK: node, then data centre. */
const NODE = /^cache-[a-z0-9-]+-[A-Z]+$/;
/** X-Timer, e.g. S1502917200.364305,VS0,VE0: set by every Fastly node. */
const TIMER = /^S\d+\.\d+,VS\d+/;

function read(headers: ResponseHeaders): CacheStatusReading | undefined {
  const states = listMembers(headers, 'x-cache');
  const edge = states.at(-1);
  if (edge === undefined) return undefined;
  const claim = STATES.get(edge.toUpperCase());
  if (claim === undefined) return undefined;
  const detail: Record<string, string | number> = { status: edge };
  // The lists need not be the same length (a Varnish origin adds its own X-Cache
  // entry), so each is read from its end, where the edge is.
  const nodes = listMembers(headers, 'x-served-by');
  const pop = nodes.at(-1);
  if (pop !== undefined) detail.pop = pop;
  if (nodes.length > 1) detail.shield = nodes.slice(0, -1).join(', ');
  if (states.length > 1) detail.upstream = states.slice(0, -1).join(', ');
  const hits = Number(listMembers(headers, 'x-cache-hits').at(-1));
  if (Number.isInteger(hits)) detail.hits = hits;
  return { claim, evidence: evidence(headers, 'x-cache'), detail };
}

export const fastly: CacheStatusDialect = {
  name: 'fastly',
  detect: (headers) =>
    listMembers(headers, 'x-served-by').some((node) => NODE.test(node)) ||
    TIMER.test(headerLines(headers, 'x-timer').join()),
  read,
};
