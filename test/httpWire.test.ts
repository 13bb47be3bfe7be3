// The HTTP wire's failures as step errors with stable codes, response bodies
// read only up to a limit, and repeated Set-Cookie lines kept apart — from the
// client up to the run record.
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import type { ValueMatcher } from '../harness/config/expectSchema.js';
import { loadSuite, loadTargets, selectTarget } from '../harness/config/load.js';
import { EdgecheckError } from '../harness/errors.js';
import { checkExpectations } from '../harness/expect/index.js';
import type { Observation } from '../harness/expect/observation.js';
import { DEFAULT_MAX_BODY_BYTES, HttpClient, type WireRequest } from '../harness/http/client.js';
import type { CheckRecord } from '../harness/record.js';
import { runSuites } from '../harness/runner/runSuites.js';
import { openTarget } from '../harness/target/openTarget.js';
import { issueLeaf, newLabKey } from '../lab/ca.js';
import { labEdges } from '../lab/labs.js';

const MiB = 1024 * 1024;
const COOKIES = ['theme=dark; Expires=Wed, 21 Oct 2037 07:28:00 GMT; Path=/', 'session=abc123; HttpOnly; Secure'];

/** The answers a path ends with: over the limit in chunks or with a length, at it exactly, slow, with cookies. */
function answer(req: IncomingMessage, res: ServerResponse): void {
  const path = req.url ?? '';
  if (path.endsWith('/big-chunked')) {
    const chunk = Buffer.alloc(MiB, 'x');
    let sent = 0;
    const more = () => {
      while (sent < 9 && !res.destroyed) {
        sent++;
        if (!res.write(chunk)) return void res.once('drain', more);
      }
      res.end();
    };
    res.on('error', () => undefined);
    return more();
  }
  if (path.endsWith('/big-length')) {
    res.on('error', () => undefined);
    return void res.end(Buffer.alloc(9 * MiB, 'x'));
  }
  if (path.endsWith('/at-limit')) return void res.end(Buffer.alloc(DEFAULT_MAX_BODY_BYTES, 'x'));
  if (path.endsWith('/slow')) return; // never answers: the client's own timeout must end it
  if (path.endsWith('/cookies')) res.setHeader('set-cookie', COOKIES);
  res.setHeader('vary', ['accept', 'accept-encoding']);
  res.end('ok');
}

async function listen<S extends Server>(server: S): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(() => {
    (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
    server.close();
  });
  return (server.address() as AddressInfo).port;
}

const httpPort = await listen(createServer(answer));
const base = `http://127.0.0.1:${httpPort}`;

// a port that refuses: listened on once, then closed
const closed = createTcpServer();
closed.listen(0, '127.0.0.1');
await once(closed, 'listening');
const refusingPort = (closed.address() as AddressInfo).port;
closed.close();

// answers with something that is not HTTP
const garbagePort = await listen(createTcpServer((socket) => socket.end('HELLO THERE\r\n\r\n')));

// HTTPS with a self-signed certificate nobody trusts
const key = await newLabKey();
const cert = issueLeaf('self', { hostnames: ['localhost'], ips: ['127.0.0.1'] }, key);
const httpsPort = await listen(createHttpsServer({ key: cert.keyPem, cert: cert.certPem }, answer));

const http = new HttpClient();
t.teardown(() => http.close());
const get = (url: string, over: Partial<WireRequest> = {}): WireRequest => ({
  method: 'GET',
  url: new URL(url),
  timeoutMs: 5000,
  ...over,
});

t.test('each transport failure is an error with its own stable code, and a message naming the request', async (t) => {
  const cases: Array<[string, WireRequest, string, RegExp]> = [
    ['refused', get(`http://127.0.0.1:${refusingPort}/`), 'E_TARGET_UNREACHABLE', /ECONNREFUSED/],
    ['no answer in time', get(`${base}/x/slow`, { timeoutMs: 300 }), 'E_STEP_TIMEOUT', /no complete answer within/],
    ['untrusted certificate', get(`https://127.0.0.1:${httpsPort}/x/small`), 'E_TLS_HANDSHAKE', /SELF_SIGNED/],
    ['not HTTP', get(`http://127.0.0.1:${garbagePort}/`), 'E_HTTP', /^GET http:\/\/127\.0\.0\.1:\d+\/: /],
    ['over 8 MiB, chunked', get(`${base}/x/big-chunked`), 'E_RESPONSE_TOO_LARGE', /longer than 8 MiB; the rest/],
    ['over 8 MiB, with a length', get(`${base}/x/big-length`), 'E_RESPONSE_TOO_LARGE', /longer than 8 MiB/],
  ];
  for (const [what, req, code, message] of cases) {
    const err = await http.send(req).then(
      () => undefined,
      (e: unknown) => e,
    );
    t.ok(err instanceof EdgecheckError, `${what}: one of our errors`);
    t.equal((err as EdgecheckError).code, code, `${what}: ${code}`);
    t.match((err as Error).message, message, `${what}: ${(err as Error).message}`);
  }
});

t.test("a body of exactly the limit is read whole; a client's own lower limit applies", async (t) => {
  const whole = await http.send(get(`${base}/x/at-limit`));
  t.equal(whole.body.length, DEFAULT_MAX_BODY_BYTES);
  const small = new HttpClient({ maxBodyBytes: 1000 });
  t.teardown(() => small.close());
  const err = await small.send(get(`${base}/x/at-limit`)).then(
    () => new EdgecheckError('E_NONE', 'no error'),
    (e: EdgecheckError) => e,
  );
  t.equal(err.code, 'E_RESPONSE_TOO_LARGE');
  t.match(err.message, /longer than 1000 bytes/);
  t.equal((await small.send(get(`${base}/x/small`))).body, 'ok', 'the client still answers after refusing a body');
});

t.test('repeated Set-Cookie lines stay a list; other repeated headers are joined', async (t) => {
  const res = await http.send(get(`${base}/x/cookies`));
  t.same(res.headers['set-cookie'], COOKIES, 'the comma in Expires splits nothing');
  t.equal(res.headers['vary'], 'accept, accept-encoding');
  const one = await http.send(get(`${base}/x/small`));
  t.equal(one.headers['set-cookie'], undefined, 'no Set-Cookie, no list');
});

t.test('headers expectations on set-cookie: a line that holds is enough; absent means none at all', async (t) => {
  const obs = (lines: string[] | undefined): Observation => ({
    response: { status: 200, headers: lines ? { 'set-cookie': lines } : {}, body: '', durationMs: 1 },
  });
  const cases: Array<[string, ValueMatcher, string[] | undefined, boolean]> = [
    ['the exact second line', COOKIES[1]!, COOKIES, true],
    ['contains, in the second line', { contains: 'session=' }, COOKIES, true],
    ['matches, in the first line', { matches: '^theme=dark;.*Expires=Wed, 21 Oct 2037' }, COOKIES, true],
    ['contains, in no line', { contains: 'tracking=' }, COOKIES, false],
    ['a joined value is not a line', COOKIES.join(', '), COOKIES, false],
    ['present', { present: true }, COOKIES, true],
    ['absent, with lines', { absent: true }, COOKIES, false],
    ['absent, with none', { absent: true }, undefined, true],
    ['contains, with none', { contains: 'session=' }, undefined, false],
  ];
  for (const [what, matcher, lines, holds] of cases) {
    const failures = checkExpectations({ headers: { 'Set-Cookie': matcher } }, obs(lines));
    t.equal(failures.length === 0, holds, `${what}: ${holds ? 'holds' : 'fails'}`);
    if (!holds) t.same(failures[0]?.actual, lines ?? null, `${what}: the failure shows every line`);
  }
});

t.test('in a run: step errors are {code, message}; a body past the limit fails its check, not the run', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'edgecheck-wire-'));
  const targets = join(dir, 'targets.yaml');
  writeFileSync(targets, `targets:\n  local:\n    url: ${base}\n`);
  const suiteFile = join(dir, 'wire.yaml');
  writeFileSync(
    suiteFile,
    [
      'suite: wire',
      'title: the wire',
      'checks:',
      '  - { id: big, title: a body past the limit, steps: [{ get: /big-chunked, expect: { status: 200 } }] }',
      '  - { id: small, title: a small body, steps: [{ get: /small, expect: { status: 200 } }] }',
      '  - id: cookies',
      '    title: two cookies',
      '    steps: [{ get: /cookies, expect: { headers: { set-cookie: { contains: "session=" } } } }]',
      '  - { id: slow-step, title: a step timeout, steps: [{ get: /slow, timeout: 300ms }] }',
      '  - id: slow-check',
      '    title: a check timeout',
      '    timeout: 1s',
      '    steps: [{ get: /slow, timeout: 30s }]',
      '',
    ].join('\n'),
  );
  const target = await openTarget(selectTarget(loadTargets(targets, labEdges), 'local'), labEdges);
  t.teardown(() => target.close());
  const record = await runSuites(target, [loadSuite(suiteFile)]);
  const closing = performance.now();
  await target.close();
  // the check's timeout aborted its request: no socket is left waiting out the step's 30s
  t.ok(performance.now() - closing < 5000, 'closing the target waits for no abandoned request');
  const byId = Object.fromEntries(record.checks.map((c) => [c.id, c])) as Record<string, CheckRecord>;

  const big = byId['big']!;
  t.equal(big.status, 'failed');
  t.equal(big.steps[0]?.error?.code, 'E_RESPONSE_TOO_LARGE');
  t.match(big.steps[0]?.error?.message, /^GET http:\/\/127\.0\.0\.1:\d+\/\.edgecheck\/.*\/big-chunked: .*than 8 MiB/);
  t.match(big.steps[0]?.failures[0], { expectation: 'response', actual: big.steps[0]?.error?.message });
  t.match(big.reason, /^step 1 \(get\): .*longer than 8 MiB/);
  t.equal(byId['small']?.status, 'passed', 'the next request is answered: the harness did not fall over');

  const cookies = byId['cookies']!;
  t.equal(cookies.status, 'passed', cookies.reason ?? 'passed');
  const shown = cookies.steps[0]?.response?.headers['set-cookie'];
  t.same(shown, ['[redacted]', '[redacted]'], 'a list, each line redacted');

  for (const [id, message] of [
    ['slow-step', /no complete answer within 300 ms/],
    ['slow-check', /^check timed out after 1000 ms$/],
  ] as const) {
    const check = byId[id]!;
    t.equal(check.status, 'failed', `${id} failed`);
    t.same(Object.keys(check.steps[0]?.error ?? {}), ['code', 'message'], `${id}: the error is {code, message}`);
    t.equal(check.steps[0]?.error?.code, 'E_STEP_TIMEOUT', `${id}: E_STEP_TIMEOUT`);
    t.match(check.steps[0]?.error?.message, message);
    t.equal(check.steps[0]?.kind, 'get', `${id}: the step is named by its kind`);
  }
});
