// Bees parse responses with Node's llhttp in place of autocannon's
// http-parser-js: the swap must hand autocannon the same callbacks (heads,
// trailers, message ends), survive heads split across packets and malformed
// responses, and leave autocannon counting every response.
import t from 'tap';
import autocannon from 'autocannon';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NativeResponseParser, useNativeParser, type ResponseHead } from '../load/nativeResponseParser.js';

function recording() {
  const seen = { heads: [] as ResponseHead[], trailers: [] as string[][], ends: 0, errors: [] as Error[] };
  const parser = new NativeResponseParser((err) => seen.errors.push(err));
  parser[2] = (head) => seen.heads.push(head);
  parser[1] = (trailers) => seen.trailers.push(trailers);
  parser[4] = () => seen.ends++;
  return { parser, seen };
}

const two =
  'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nX-Cache: HIT\r\n\r\nabc' +
  'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n';

t.test('two responses in one packet: both heads, both ends', async (t) => {
  const r = recording();
  r.parser.execute(Buffer.from(two));
  t.equal(r.seen.ends, 2);
  t.same(
    r.seen.heads.map((h) => [h.statusCode, h.statusMessage, h.headers, h.shouldKeepAlive]),
    [
      [200, 'OK', ['Content-Length', '3', 'X-Cache', 'HIT'], true],
      [404, 'Not Found', ['Content-Length', '0', 'Connection', 'close'], false],
    ],
  );
  t.same(r.seen.errors, []);
});

t.test('a head of 40 header lines fed one byte at a time arrives whole', async (t) => {
  const r = recording();
  const names = Array.from({ length: 40 }, (_, i) => [`X-H${i}`, `v${i}`]);
  const text = `HTTP/1.1 200 OK\r\n${names.map(([n, v]) => `${n}: ${v}\r\n`).join('')}Content-Length: 2\r\n\r\nok`;
  for (const byte of Buffer.from(text)) r.parser.execute(Buffer.from([byte]));
  t.equal(r.seen.ends, 1);
  t.same(r.seen.heads[0]?.headers, [...names.flat(), 'Content-Length', '2']);
});

t.test('a chunked body with trailers hands the trailers over after the head', async (t) => {
  const r = recording();
  r.parser.execute(
    Buffer.from(
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Done\r\n\r\n3\r\nabc\r\n0\r\nX-Done: yes\r\n\r\n',
    ),
  );
  t.equal(r.seen.ends, 1);
  t.same(r.seen.trailers, [['X-Done', 'yes']]);
});

t.test('a malformed response is reported and the parser starts afresh', async (t) => {
  const r = recording();
  r.parser.execute(Buffer.from('SMTP ready\r\n\r\n'));
  t.equal(r.seen.errors.length, 1);
  t.match((r.seen.errors[0] as NodeJS.ErrnoException).code, /^HPE_/);
  r.parser.execute(Buffer.from(two));
  t.equal(r.seen.ends, 2);
});

t.test('reset() drops a response cut off mid-way', async (t) => {
  const r = recording();
  r.parser.execute(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part'));
  r.parser.reset();
  r.parser.execute(Buffer.from(two));
  t.equal(r.seen.ends, 2);
  t.same(r.seen.errors, []);
});

t.test('autocannon counts every response through the swapped parser, as it does with its own', async (t) => {
  let served = 0;
  const server = createServer((_req, res) => {
    served++;
    // every fifth answer closes the connection: autocannon reconnects and the parser must start afresh
    res.writeHead(served % 7 === 0 ? 503 : 200, {
      'x-cache': 'HIT',
      ...(served % 5 === 0 ? { connection: 'close' } : {}),
    });
    res.end('body');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => server.close());
  const { port } = server.address() as AddressInfo;

  const attack = async (swap: boolean) => {
    served = 0;
    let swapped = 0;
    const heads: string[][] = [];
    const result = await autocannon({
      url: `http://127.0.0.1:${port}/`,
      connections: 1,
      amount: 60,
      setupClient: (client) => {
        if (swap && useNativeParser(client)) swapped++;
        (client as unknown as NodeJS.EventEmitter).on('headers', (info: { headers: string[] }) =>
          heads.push(info.headers),
        );
      },
    });
    return { swapped, served, ok: result['2xx'], failed: result['5xx'], errors: result.errors, heads };
  };
  const own = await attack(false);
  const llhttp = await attack(true);
  t.equal(llhttp.swapped, 1, 'the connection got llhttp');
  t.equal(llhttp.ok + llhttp.failed, llhttp.served, 'every response served is counted');
  t.ok(llhttp.failed > 0, `503s counted (${llhttp.failed})`);
  t.equal(llhttp.errors, 0);
  t.ok(
    llhttp.heads.length === llhttp.served && llhttp.heads.every((h) => h.includes('x-cache')),
    'autocannon sees each head',
  );
  t.same(
    { ...llhttp, swapped: 0, heads: llhttp.heads.length },
    { ...own, heads: own.heads.length },
    'the same counts as with http-parser-js',
  );
});
