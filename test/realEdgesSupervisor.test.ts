// The real edges' process plumbing, with ordinary programs standing in for the
// edges: whole process groups stop, a crashed or interrupted edgecheck leaves
// nothing behind, readiness fails with the program's own words.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import t from 'tap';
import { freePorts } from '../lab/realEdges/freePorts.js';
import type { RealEdge } from '../lab/realEdges/realEdge.js';
import { startRealLab } from '../lab/realEdges/realLab.js';
import { livingMembers } from '../lab/realEdges/processGroup.js';
import { supervise, tailOf } from '../lab/realEdges/supervisor.js';
import { waitReady } from '../lab/realEdges/waitReady.js';

const dir = mkdtempSync(join(tmpdir(), 'edgecheck-supervisor-test-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

const sh = (name: string, script: string) =>
  supervise({ name, command: '/bin/sh', args: ['-c', script], cwd: dir, logFile: join(dir, `${name}.out`) });

t.test('stop() ends the whole process group, workers included', async (t) => {
  const p = sh('forker', 'sleep 30 & sleep 30 & echo started; wait');
  await waitFor(() => livingMembers(p.pid).length === 3, 'the shell and its two sleeps');
  await p.stop();
  t.same(livingMembers(p.pid), [], 'no member of the group is left');
  t.match(p.exit, /killed by SIGTERM|exited with code/, 'the leader exit is recorded');
  t.match(p.outputTail(), /started/, 'the output tail is readable');
});

t.test('a group that ignores SIGTERM is killed after the grace period', async (t) => {
  const p = sh('stubborn', 'trap "" TERM; sleep 30 & wait');
  await waitFor(() => livingMembers(p.pid).length >= 2, 'the shell and its sleep');
  const started = Date.now();
  await p.stop(300);
  t.same(livingMembers(p.pid), [], 'nothing left');
  t.ok(Date.now() - started < 3000, 'stopped within a bound');
});

t.test('waitReady reports a program that dies, with its output', async (t) => {
  const p = sh('quitter', 'echo "fatal: no such directive"; exit 3');
  const [port = 0] = await freePorts(1);
  await t.rejects(
    waitReady({ ports: [port], processes: [p], timeoutMs: 5000 }),
    /quitter exited with code 3 before it was ready[\s\S]*fatal: no such directive/,
  );
});

t.test('waitReady gives up at its deadline, and waits for a probe', async (t) => {
  const p = sh('idler', 'sleep 30');
  t.teardown(() => p.stop());
  const [closed = 0] = await freePorts(1);
  await t.rejects(
    waitReady({ ports: [closed], processes: [p], timeoutMs: 300 }),
    /not listening on 127\.0\.0\.1:\d+ after 300 ms/,
  );
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  t.teardown(() => server.close());
  const port = (server.address() as { port: number }).port;
  await t.rejects(
    waitReady({ ports: [port], processes: [p], timeoutMs: 300, probe: async () => false }),
    /listening but not ready to serve/,
  );
  let asked = 0;
  await waitReady({ ports: [port], processes: [p], timeoutMs: 3000, probe: async () => ++asked >= 2 });
  t.equal(asked, 2, 'ready once the probe says so');
});

t.test('freePorts gives distinct ports', async (t) => {
  const ports = await freePorts(5);
  t.equal(new Set(ports).size, 5);
  t.equal(tailOf(join(dir, 'nothing-here.log')), '', 'a missing log has an empty tail');
});

/** the lab dirs the stand-in edges were started in */
const labDirs: string[] = [];

const fakeEdge = (binary: string, script: string): RealEdge => ({
  name: 'nginx',
  title: 'a stand-in',
  binaries: [binary],
  aptPackages: ['stand-in-package'],
  version: { command: ['/bin/true'], pattern: /(x)/ },
  cacheStatus: 'nginx',
  limits: [],
  purges: [],
  tls: {},
  internalPortCount: 0,
  routes: () => ({ default: { path: '/' } }),
  start: async (setup) => {
    labDirs.push(setup.dir.dir);
    return {
      processes: [
        supervise({
          name: 'stand-in',
          command: '/bin/sh',
          args: ['-c', script],
          cwd: setup.dir.dir,
          logFile: setup.dir.path('out.log'),
        }),
      ],
    };
  },
});

t.test('a program that cannot be started is an error, not a crash', async (t) => {
  const notExecutable = join(dir, 'not-executable');
  (await import('node:fs')).writeFileSync(notExecutable, '#!/bin/sh\n');
  // an unhandled spawn 'error' event would surface here rather than end the test process
  const uncaught: Error[] = [];
  const onUncaught = (err: Error) => uncaught.push(err);
  process.on('uncaughtException', onUncaught);
  t.teardown(() => void process.off('uncaughtException', onUncaught));
  t.throws(
    () => supervise({ name: 'broken', command: notExecutable, args: [], cwd: dir, logFile: join(dir, 'broken.out') }),
    /broken: could not start/,
  );
  await new Promise((r) => setTimeout(r, 100));
  t.same(uncaught, [], 'the spawn error event went to a listener');
});

t.test('a real lab whose program is missing says how to install it', async (t) => {
  await t.rejects(
    startRealLab(fakeEdge('/nonexistent/nginx', 'true')),
    /\/nonexistent\/nginx not found; install it with: sudo apt-get install -y stand-in-package/,
  );
});

t.test('a real lab whose program fails shows its words and leaves nothing behind', async (t) => {
  await t.rejects(
    startRealLab(fakeEdge('/bin/sh', 'echo "emerg: unknown directive"; exit 1')),
    /stand-in exited with code 1 before it was ready[\s\S]*emerg: unknown directive/,
  );
  t.equal(labDirs.length, 1, 'the program was started in a lab dir');
  t.notOk(existsSync(labDirs[0]!), 'the lab dir is removed');
});

t.test('a lab whose port was taken before the edge could bind it starts again on fresh ports', async (t) => {
  const tries: number[] = [];
  const edge: RealEdge = {
    ...fakeEdge('/bin/sh', 'true'),
    start: async (setup) => {
      tries.push(setup.ports.http);
      const server = (port: number) => `require('net').createServer().listen(${port}, '127.0.0.1')`;
      const listen = `${server(setup.ports.http)}; ${server(setup.ports.https)}`;
      const script =
        tries.length === 1
          ? 'echo "bind() to 127.0.0.1 failed (98: Address already in use)"; exit 1'
          : `exec ${process.execPath} -e "${listen}"`;
      return {
        processes: [
          supervise({
            name: 'stand-in',
            command: '/bin/sh',
            args: ['-c', script],
            cwd: setup.dir.dir,
            logFile: setup.dir.path('out.log'),
          }),
        ],
      };
    },
  };
  const lab = await startRealLab(edge);
  t.teardown(() => lab.close());
  t.equal(tries.length, 2, 'started a second time');
  t.equal(lab.httpUrl, `http://lab.edgecheck.test:${tries[1]}`, 'on the ports of the second start');
});

// A crashed or interrupted edgecheck must take its edges with it: a child node
// process supervises a sleep, then throws, or is sent a signal (SIGKILL too).
const compiled = resolve('dist/lab/realEdges/supervisor.js');
for (const ending of ['throws', 'SIGINT', 'SIGTERM', 'SIGHUP', 'SIGKILL'] as const) {
  t.test(
    `edgecheck ${ending === 'throws' ? 'crashing' : `receiving ${ending}`} leaves no edge behind`,
    { skip: existsSync(compiled) ? false : 'run `npm run build` first: the child process runs dist/' },
    async (t) => {
      const logFile = JSON.stringify(join(dir, `crash-${ending}.out`));
      const options =
        "{ name: 'edge', command: '/bin/sh', args: ['-c', 'sleep 30 & sleep 30 & wait'], " +
        `cwd: ${JSON.stringify(dir)}, logFile: ${logFile} }`;
      const script = `
      const { supervise } = await import(${JSON.stringify(compiled)});
      const p = supervise(${options});
      console.log(p.pid);
      ${ending === 'throws' ? "setTimeout(() => { throw new Error('boom'); }, 300);" : 'setInterval(() => {}, 1000);'}
    `;
      // env -u: the test runner puts its own signal listeners into every node it sees spawned
      const child = spawn(
        '/usr/bin/env',
        ['-u', 'NODE_OPTIONS', process.execPath, '--input-type=module', '-e', script],
        {
          stdio: ['ignore', 'pipe', 'ignore'],
        },
      );
      const pid = Number(await firstLine(child.stdout));
      await waitFor(() => livingMembers(pid).length === 3, 'the supervised group');
      if (ending !== 'throws') child.kill(ending);
      const code = await new Promise((r) => child.once('exit', (c) => r(c)));
      // SIGKILL runs no hook at all: the watchdog beside the group ends it
      t.equal(
        code,
        { throws: 1, SIGINT: 130, SIGTERM: 143, SIGHUP: 129, SIGKILL: null }[ending],
        'edgecheck exits as the ending asks',
      );
      await waitFor(() => livingMembers(pid).length === 0, 'the group gone');
      t.same(livingMembers(pid), [], 'no process of the edge is left');
    },
  );
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function firstLine(stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    stream.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const nl = text.indexOf('\n');
      if (nl >= 0) resolve(text.slice(0, nl));
    });
    stream.on('end', () => reject(new Error(`no line in: ${text}`)));
  });
}
