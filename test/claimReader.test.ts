// The bee's claim reader remembers a connection's last few header blocks: it
// must give exactly the dialect's claim for every response, run the dialect
// again whenever a header other than Date differs, and say when the edge
// closes the connection.
import t from 'tap';
import { dialectByName, type CacheStatusDialect } from '../harness/cacheStatus/index.js';
import { asksToClose, ClaimReader, headerObject } from '../load/claimReader.js';

function block(date: string, extra: string[]): string[] {
  return ['Server', 'edge', 'Date', date, 'Content-Length', '5', ...extra];
}

const blocks = [
  block('Wed, 02 Dec 2026 03:01:36 GMT', ['X-Cache-Status', 'HIT']),
  block('Wed, 02 Dec 2026 03:01:37 GMT', ['X-Cache-Status', 'HIT']),
  block('Wed, 02 Dec 2026 03:01:37 GMT', ['X-Cache-Status', 'MISS']),
  block('Wed, 02 Dec 2026 03:01:37 GMT', ['X-Cache', 'Hit from cloudfront', 'X-Amz-Cf-Pop', 'FRA56-C1']),
  block('Wed, 02 Dec 2026 03:01:37 GMT', ['X-Cache', 'Miss from cloudfront', 'X-Amz-Cf-Pop', 'FRA56-C1']),
  block('Wed, 02 Dec 2026 03:01:38 GMT', ['Cache-Status', 'edge; hit', 'Age', '3']),
  block('Wed, 02 Dec 2026 03:01:38 GMT', ['Cache-Status', 'edge; fwd=miss']),
  block('Wed, 02 Dec 2026 03:01:38 GMT', ['X-Cache', 'MISS, HIT', 'X-Served-By', 'cache-a, cache-b']),
  block('Wed, 02 Dec 2026 03:01:38 GMT', []),
];

t.test('the claim of every response is the dialect’s, in any order and repeated', async (t) => {
  for (const name of ['auto', 'nginx', 'cloudfront', 'rfc9211', 'fastly'] as const) {
    const dialect = dialectByName(name);
    const reader = new ClaimReader(dialect);
    // each block several times, interleaved as a request cycle walks paths, fresh arrays as a parser hands them
    const order = [...blocks, ...blocks, ...blocks.slice().reverse(), blocks[0]!, blocks[2]!, blocks[0]!];
    const got = order.map((b) => reader.read([...b]));
    const want = order.map((b) => dialect.read(headerObject(b))?.claim);
    t.same(got, want, name);
  }
});

t.test('the dialect runs again when any header but Date differs, and only then', async (t) => {
  const nginx = dialectByName('nginx');
  let reads = 0;
  const counting: CacheStatusDialect = { ...nginx, name: 'counting', read: (h) => (reads++, nginx.read(h)) };
  const reader = new ClaimReader(counting);
  t.equal(reader.read(blocks[0]!), 'hit');
  t.equal(reader.read(blocks[1]!), 'hit', 'a new second');
  t.equal(reads, 1, 'Date alone is not read again');
  t.equal(reader.read(blocks[2]!), 'miss');
  t.equal(reads, 2, 'a changed X-Cache-Status is');
  t.equal(reader.read([...blocks[0]!, 'Age', '1']), 'hit');
  t.equal(reads, 3, 'an added header is');
  for (let i = 0; i < 20; i++) reader.read(block('d', ['X-Cache-Status', 'HIT', 'X-Edgecheck-Origin-Seq', String(i)]));
  t.equal(reads, 23, 'twenty distinct blocks, twenty reads');
  reader.read(blocks[2]!);
  t.equal(reads, 24, 'what is remembered is bounded: the oldest block was forgotten and is read again');
});

t.test('Connection: close is seen in any case, and only in Connection', async (t) => {
  t.equal(asksToClose(['Connection', 'close']), true);
  t.equal(asksToClose(['connection', 'Keep-Alive, Close']), true);
  t.equal(asksToClose(['Connection', 'keep-alive']), false);
  t.equal(asksToClose(['X-Note', 'close', 'Connection', 'keep-alive']), false);
  t.equal(asksToClose([]), false);
});
