// `edgecheck edges cloudfront` through the built CLI, against loopback only:
// three stand-in resolvers that each see the hostname differently, and HTTPS
// edges on 127.0.0.x that answer X-Amz-Cf-Pop — or refuse, answer without it,
// or never answer. The printed lines paste into a target's edges:, and every
// failure is reported with its address or resolver.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpsServer, type Server } from 'node:https';
import { createServer as createTcpServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { parse } from 'yaml';
import { LAB_HOSTNAMES, makeLabCertificates } from '../lab/labCertificates.js';
import { binPath, edgecheck } from './support/cli.js';
import { startDnsStandIn } from './support/standins/dnsServer.js';

const HOST = LAB_HOSTNAMES[0];
const dir = mkdtempSync(join(tmpdir(), 'edgecheck-edges-'));
const certs = await makeLabCertificates();
const caFile = join(dir, 'lab-ca.pem');
writeFileSync(caFile, certs.ca.certPem);

/** What each edge saw: the SNI of its handshake and the Host of its request. */
const seen: Array<{ address: string; sni: string | undefined; host: string | undefined }> = [];

function edge(address: string, pop: string | undefined, port: number): Promise<Server> {
  const served = certs.edge[HOST]!;
  const server = createHttpsServer({ key: served.keyPem, cert: served.certPem }, (req, res) => {
    const socket = req.socket as Socket & { servername?: string };
    seen.push({ address, sni: socket.servername, host: req.headers.host });
    res.writeHead(200, pop ? { 'x-amz-cf-pop': pop } : {});
    res.end();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => resolve(server));
  });
}

// 127.0.0.2 and .3 answer from two PoPs; .4 has no listener (refused); .5 answers without the header; .6 never speaks
const first = await edge('127.0.0.2', 'IAD89-C1', 0);
const port = (first.address() as { port: number }).port;
const servers = [first, await edge('127.0.0.3', 'FRA56-P2', port), await edge('127.0.0.5', undefined, port)];
const held: Socket[] = [];
const silent = createTcpServer((socket) => held.push(socket));
await new Promise<void>((resolve) => silent.listen(port, '127.0.0.6', resolve));

const near = await startDnsStandIn({ [HOST]: ['127.0.0.2', '127.0.0.4'] });
const far = await startDnsStandIn({ [HOST]: ['127.0.0.3', '127.0.0.2', '127.0.0.5', '127.0.0.6'] });
const unaware = await startDnsStandIn({});

t.teardown(async () => {
  rmSync(dir, { recursive: true, force: true });
  for (const socket of held) socket.destroy();
  await Promise.all([
    ...servers.map((s) => new Promise((resolve) => s.close(resolve))),
    new Promise((resolve) => silent.close(resolve)),
    near.close(),
    far.close(),
    unaware.close(),
  ]);
});

const run = promisify(execFile);

async function edges(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [binPath, 'edges', 'cloudfront', ...args], {
      env: { ...process.env, NO_COLOR: '1' },
    });
    return { status: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { status: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const resolverFlags = [near, far, unaware].flatMap((r) => ['--resolver', r.server]);
const surveyed = await edges([
  '--host',
  HOST,
  ...resolverFlags,
  '--port',
  String(port),
  '--ca',
  caFile,
  '--timeout',
  '3s',
]);

t.test('each resolver is asked for A and AAAA', async (t) => {
  for (const resolver of [near, far, unaware]) {
    t.same(resolver.questions.map((q) => q.type).sort(), [1, 28], `${resolver.server} asked for ${HOST} A and AAAA`);
  }
});

t.test('the addresses that answered are a YAML edges: list, each with its PoP and resolvers', async (t) => {
  t.equal(surveyed.status, 0, surveyed.stderr);
  t.same(parse(surveyed.stdout), { edges: ['127.0.0.3', '127.0.0.2'] }, 'paste-ready: only the ones that answered');
  t.match(surveyed.stdout, `  - 127.0.0.2 # IAD89-C1 (from ${near.server}, ${far.server})`);
  t.match(surveyed.stdout, `  - 127.0.0.3 # FRA56-P2 (from ${far.server})`);
  t.match(surveyed.stdout, /: 2 addresses answered, 2 PoPs/);
});

t.test('each edge was asked with the hostname as SNI and Host', async (t) => {
  const answered = seen.filter((s) => ['127.0.0.2', '127.0.0.3'].includes(s.address));
  t.ok(answered.length >= 2);
  for (const s of answered) t.same({ sni: s.sni, host: s.host }, { sni: HOST, host: `${HOST}:${port}` }, s.address);
});

t.test('a failure is reported with its address or resolver, not a crash', async (t) => {
  t.match(surveyed.stdout, /# - 127\.0\.0\.4 no PoP: .*ECONNREFUSED/);
  t.match(surveyed.stdout, /# - 127\.0\.0\.5 no PoP: answered 200 without X-Amz-Cf-Pop/);
  // the handshake never starts: the connect timeout (the one --timeout sets) ends it
  t.match(surveyed.stdout, /# - 127\.0\.0\.6 no PoP: .*(timeout: 3000ms|no complete answer within 3000 ms)/i);
  t.match(surveyed.stdout, `# resolver ${unaware.server}: no A or AAAA record for ${HOST}`);
});

t.test('the printed edges paste into a target that validate accepts', async (t) => {
  const targets = join(dir, 'targets.yaml');
  const indented = surveyed.stdout
    .split('\n')
    .map((l) => (l ? `    ${l}` : l))
    .join('\n');
  writeFileSync(targets, `targets:\n  cf:\n    url: https://${HOST}:${port}\n${indented}`);
  const res = edgecheck(['validate', '--targets', targets, '--suite', 'tls']);
  t.equal(res.status, 0, res.stderr);
});

t.test('no address answering is exit 3; no resolver or host is a bad command line', async (t) => {
  const none = await edges(['--host', HOST, '--resolver', unaware.server, '--port', String(port), '--timeout', '3s']);
  t.equal(none.status, 3);
  t.match(none.stderr, /no address of lab\.edgecheck\.test answered/);
  const noResolver = await edges(['--host', HOST]);
  t.equal(noResolver.status, 2);
  t.match(noResolver.stderr, /at least one --resolver/);
  const noHost = await edges(['--resolver', near.server]);
  t.equal(noHost.status, 2);
});
