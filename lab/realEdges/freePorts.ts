// Loopback ports for a real edge's listeners: the kernel picks free ones, which
// are held together until all are known so no two come out the same. A lab with
// several PoPs binds the same ports on each of its addresses, so they must be
// free on every one of them.
import { createServer, type AddressInfo, type Server } from 'node:net';

/** how often a set of ports is drawn again when one of them is taken on another address */
const DRAWS = 20;

export async function freePorts(count: number, host: string | string[] = '127.0.0.1'): Promise<number[]> {
  const [first = '127.0.0.1', ...others] = typeof host === 'string' ? [host] : host;
  for (let draw = 1; ; draw++) {
    const servers: Server[] = [];
    try {
      for (let i = 0; i < count; i++) servers.push(await listen(0, first));
      const ports = servers.map((s) => (s.address() as AddressInfo).port);
      // held on the first address, tried on the others (and held there too until all are known)
      const held = await Promise.all(others.flatMap((h) => ports.map((p) => listen(p, h).catch(() => undefined))));
      servers.push(...held.filter((s): s is Server => s !== undefined));
      if (held.every((s) => s !== undefined)) return ports;
      if (draw >= DRAWS) throw new Error(`no ${count} ports free on every one of ${[first, ...others].join(', ')}`);
    } finally {
      await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    }
  }
}

function listen(port: number, host: string): Promise<Server> {
  const server = createServer();
  return new Promise<Server>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
