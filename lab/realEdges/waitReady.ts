// Waits until a started edge accepts connections on every port it should
// listen on, or gives up at a deadline — early if the program has exited.
import { connect } from 'node:net';
import type { Supervised } from './supervisor.js';

export interface ReadinessOptions {
  host?: string;
  ports: number[];
  processes: Supervised[];
  timeoutMs: number;
  /** once the ports accept: true when the program is ready to serve (for what ports cannot tell) */
  probe?: () => Promise<boolean>;
}

export async function waitReady(opts: ReadinessOptions): Promise<void> {
  const host = opts.host ?? '127.0.0.1';
  const deadline = Date.now() + opts.timeoutMs;
  const pending = new Set(opts.ports);
  for (;;) {
    const dead = opts.processes.find((p) => p.exit !== undefined);
    if (dead) throw new Error(`${dead.name} ${dead.exit} before it was ready${tailNote(dead)}`);
    for (const port of [...pending]) if (await accepts(host, port)) pending.delete(port);
    if (pending.size === 0 && (!opts.probe || (await opts.probe()))) return;
    if (Date.now() > deadline) {
      const notes = opts.processes.map(tailNote).join('');
      const what =
        pending.size > 0 ? `not listening on ${host}:${[...pending].join(', ')}` : 'listening but not ready to serve';
      throw new Error(`${what} after ${opts.timeoutMs} ms${notes}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function tailNote(p: Supervised): string {
  const tail = p.outputTail();
  return tail ? `\n--- ${p.name} output (last lines) ---\n${tail}` : '';
}

function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
