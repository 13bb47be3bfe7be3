// `edgecheck lab list` / `lab up`, and `edgecheck run` against a real edge, as
// a user runs them: the compiled CLI in a child process. Nothing the lab
// started may outlive the command, whether it ends by itself or by Ctrl-C.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import t, { type Test } from 'tap';
import { HttpClient } from '../harness/http/client.js';
import { aptGetLine, missingBinaries, realEdges } from '../lab/realEdges/index.js';
import { childGroupLeaders, livingMembers } from '../lab/realEdges/processGroup.js';

const cli = resolve('bin/edgecheck.js');

/**
 * The CLI as a user starts it. env -u: the test runner puts its own signal
 * listeners into every node process it sees spawned, which would change how
 * the CLI answers Ctrl-C.
 */
function edgecheck(args: string[], tmp: string): ChildProcess {
  return spawn('/usr/bin/env', ['-u', 'NODE_OPTIONS', `TMPDIR=${tmp}`, process.execPath, cli, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** A temp dir of its own for one CLI run: whatever the lab leaves in it is a leak. */
function ownTmp(name: string): string {
  const tmp = join(dir, name);
  mkdirSync(tmp);
  return tmp;
}
const built = existsSync(resolve('dist/cli/labCommand.js'));
const nginxMissing = missingBinaries(realEdges.nginx);
const dir = mkdtempSync(join(tmpdir(), 'edgecheck-lab-command-test-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

/** Tests that start nginx: fail in CI without it, skip elsewhere, saying how to install it. */
function needsNginx(t: Test): boolean {
  if (!built) {
    t.skip('run `npm run build` first: the CLI runs dist/', () => undefined);
    return false;
  }
  if (nginxMissing.length === 0) return true;
  const why = `${nginxMissing.join(', ')} not installed; install with: ${aptGetLine(realEdges.nginx)}`;
  if (process.env['CI'] === 'true') t.fail(`CI must run the real edges: ${why}`);
  else t.skip(why, () => undefined);
  return false;
}

t.test('lab, in process: list, help and usage errors', async (t) => {
  const { labCommand } = await import('../cli/labCommand.js');
  const { ConfigError } = await import('../harness/errors.js');
  const out: string[] = [];
  const sink = new PassThrough().on('data', (c: Buffer) => out.push(c.toString()));
  t.equal(await labCommand(['list'], sink), 0);
  t.equal(await labCommand(['--help'], sink), 0);
  t.equal(await labCommand([], sink), 2, 'no subcommand: usage, exit 2');
  t.match(out.join(''), /^squid +(installed|missing)/m);
  t.match(out.join(''), /Usage: edgecheck lab list/);
  await t.rejects(labCommand(['up', 'haproxy']), ConfigError);
  await t.rejects(labCommand(['list', 'extra']), ConfigError);
});

t.test(
  'lab list names every lab edge and what each cannot do',
  { skip: built ? false : 'run `npm run build` first' },
  async (t) => {
    const res = spawnSync(process.execPath, [cli, 'lab', 'list'], { encoding: 'utf8' });
    t.equal(res.status, 0, res.stderr);
    for (const name of ['reference', 'nginx', 'varnish', 'trafficserver', 'squid'])
      t.match(res.stdout, new RegExp(`^${name} +(built in|installed|missing)`, 'm'), name);
    t.match(res.stdout, /cannot: sends no Age header/, 'nginx says it sends no Age');
    t.match(
      res.stdout,
      /fault ignore-s-maxage: uses max-age even when s-maxage is present/,
      'the reference edge lists its fault switches',
    );
    t.match(res.stdout, /fault no-origin-verification: proxy_ssl_verify off/, 'nginx lists its fault switch');
  },
);

t.test(
  'lab with no such edge or subcommand is a usage error',
  { skip: built ? false : 'run `npm run build` first' },
  async (t) => {
    const unknown = spawnSync(process.execPath, [cli, 'lab', 'up', 'haproxy'], { encoding: 'utf8' });
    t.equal(unknown.status, 2);
    t.match(unknown.stderr, /no lab edge named 'haproxy'/);
    t.match(unknown.stderr, /reference, nginx, varnish, trafficserver, squid/);
    t.equal(spawnSync(process.execPath, [cli, 'lab', 'down'], { encoding: 'utf8' }).status, 2);
    t.equal(spawnSync(process.execPath, [cli, 'lab', '--help'], { encoding: 'utf8' }).status, 0);
  },
);

t.test('lab up nginx serves until Ctrl-C, then leaves nothing behind', async (t) => {
  if (!needsNginx(t)) return;
  const tmp = ownTmp('lab-up');
  const child = edgecheck(['lab', 'up', 'nginx'], tmp);
  const out = await readUntil(child, /^Program an object/m);
  const field = (name: string) => new RegExp(`^  ${name} +(\\S+)`, 'm').exec(out)?.[1] ?? '';
  const url = new URL(field('url'));
  const pids = [...(/^  pids +(.*)$/m.exec(out)?.[1] ?? '').matchAll(/\d+/g)].map(Number);
  const config = field('config');
  t.ok(existsSync(config), 'the config dir exists while the lab is up');
  t.equal(pids.length, 1, 'one supervised program (nginx)');

  const key = '/.edgecheck/lab-up/test/';
  const put = await fetch(`${field('origin')}/v1/objects`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${field('token')}` },
    body: JSON.stringify({ key, object: { headers: { 'Cache-Control': 'max-age=60' }, body: 'hello' } }),
  });
  t.equal(put.status, 204, 'the printed control URL and token program the origin');
  const http = new HttpClient({ ca: readFileSync(field('ca'), 'utf8') });
  const get = () => http.send({ method: 'GET', url: new URL(key, url), address: '127.0.0.1', timeoutMs: 5000 });
  const first = await get();
  const second = await get();
  await http.close();
  t.equal(first.body, 'hello', 'the printed URL and CA reach the edge');
  t.equal(second.headers['x-cache-status'], 'HIT', 'and nginx caches');

  // the signed route: nginx secure_link with the printed secret
  const secret = /md5\("<expires><uri> ([0-9a-f]+)"\)/.exec(out)?.[1] ?? '';
  const signedPath = `/signed${key}`;
  const link = (expires: number, tamper = false) => {
    const md5 = createHash('md5')
      .update(`${expires}${signedPath} ${tamper ? 'wrong' : secret}`)
      .digest('base64url');
    return new URL(`${signedPath}?md5=${md5}&expires=${expires}`, url);
  };
  const now = Math.floor(Date.now() / 1000);
  const signed = new HttpClient({ ca: readFileSync(field('ca'), 'utf8') });
  const fetchSigned = (u: URL) => signed.send({ method: 'GET', url: u, address: '127.0.0.1', timeoutMs: 5000 });
  t.equal((await fetchSigned(link(now + 60))).status, 200, 'a signed link that has not expired is served');
  t.equal((await fetchSigned(link(now + 60, true))).status, 403, 'a link signed with another secret is refused');
  t.equal((await fetchSigned(link(now - 10))).status, 403, 'an expired link is refused');
  t.equal((await fetchSigned(new URL(signedPath, url))).status, 403, 'an unsigned link is refused');
  await signed.close();

  child.kill('SIGINT');
  const code = await new Promise((r) => child.once('exit', (c) => r(c)));
  t.equal(code, 0, 'Ctrl-C ends lab up cleanly');
  for (const pid of pids) t.same(livingMembers(pid), [], `nothing of nginx's group ${pid} is left`);
  t.notOk(existsSync(config), 'the config dir is gone');
  t.same(readdirSync(tmp), [], 'lab up left nothing in its temp dir');
});

for (const ending of ['finishes', 'SIGINT'] as const) {
  t.test(
    `run --target nginx ${ending === 'finishes' ? 'that finishes' : 'interrupted by Ctrl-C'} leaves no process behind`,
    async (t) => {
      if (!needsNginx(t)) return;
      const targets = join(dir, 'targets.yaml');
      writeFileSync(targets, 'targets:\n  nginx: { lab: nginx }\n');
      const tmp = ownTmp(`run-${ending}`);
      const child = edgecheck(
        [
          'run',
          '--targets',
          targets,
          '--target',
          'nginx',
          '--suite',
          'caching',
          '--reporter',
          'json',
          '--out',
          join(dir, `out-${ending}`),
        ],
        tmp,
      );
      let stderr = '';
      child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
      const exited = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
      // the CLI's children are the edge's process groups: watch them while it runs
      const groups = new Set<number>();
      const watch = setInterval(() => childGroupLeaders(child.pid ?? -1).forEach((g) => groups.add(g)), 50);
      if (ending === 'SIGINT') {
        await until(() => groups.size > 0, 'nginx to start');
        child.kill('SIGINT');
      }
      const code = await exited;
      clearInterval(watch);
      t.ok(groups.size > 0, 'nginx ran as a child of edgecheck');
      if (ending === 'finishes') t.ok(code === 0 || code === 1, `exits 0 or 1, never 2 or 3 (got ${code}: ${stderr})`);
      else t.equal(code, 130, `an interrupted run exits 130 (${stderr})`);
      for (const pgid of groups) t.same(livingMembers(pgid), [], `nothing of group ${pgid} is left`);
      t.same(readdirSync(tmp), [], 'the lab temp dir is gone');
    },
  );
}

function readUntil(child: ChildProcess, pattern: RegExp, timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    let errors = '';
    const timer = setTimeout(
      () => reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${text}\n${errors}`)),
      timeoutMs,
    );
    child.stderr?.on('data', (c: Buffer) => (errors += c.toString()));
    child.stdout?.on('data', (c: Buffer) => {
      text += c.toString();
      if (pattern.test(text)) {
        clearTimeout(timer);
        resolve(text);
      }
    });
    child.once('exit', (code) => reject(new Error(`exited ${code} before ${pattern}:\n${text}\n${errors}`)));
  });
}

async function until(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
