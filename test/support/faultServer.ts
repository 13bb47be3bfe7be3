// A hostile edge: one listener on 127.0.0.1 per way an edge can misbehave on
// the wire, scripted byte by byte over raw TCP so no HTTP library tidies the
// fault away. Every listener, and every socket it accepted, ends in close().
import { once } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';

export const FAULTS = [
  'refused',
  'blackhole',
  'tls-garbage',
  'reset-before-status',
  'reset-mid-headers',
  'reset-mid-body',
  'headers-never-finish',
  'huge-header',
  'body-longer',
  'body-shorter',
  'chunked-truncated',
  'endless-body',
  'redirect-self',
  'redirect-ping-pong',
  'continue-never',
  'garbage-status',
  'http09',
] as const;
export type Fault = (typeof FAULTS)[number];

export interface FaultServer {
  port: Record<Fault, number>;
  /** http://127.0.0.1:<port> of a fault (https:// for tls-garbage) */
  url(fault: Fault): string;
  close(): Promise<void>;
}

const MiB = 1024 * 1024;
/** how often a dripping fault sends its next few bytes */
const DRIP_MS = 200;

/** What a fault does once a request's head (up to the blank line) has arrived. */
type Answer = (socket: Socket, head: string) => void;

const reset = (socket: Socket) => void socket.resetAndDestroy();

const answers: Record<Exclude<Fault, 'refused' | 'blackhole' | 'tls-garbage'>, Answer> = {
  'reset-before-status': reset,
  'reset-mid-headers': (s) => s.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Half: ', () => reset(s)),
  'reset-mid-body': (s) =>
    s.write('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n' + 'x'.repeat(100), () => setTimeout(reset, 20, s)),
  'headers-never-finish': (s) => {
    s.write('HTTP/1.1 200 OK\r\n');
    let n = 0;
    const drip = setInterval(() => s.write(`X-Drip-${n++}: still coming\r\n`), DRIP_MS);
    s.once('close', () => clearInterval(drip));
  },
  'huge-header': (s) => s.end(`HTTP/1.1 200 OK\r\nX-Huge: ${'h'.repeat(MiB)}\r\nContent-Length: 2\r\n\r\nok`),
  'body-longer': (s) => s.end('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello, and some more than promised'),
  'body-shorter': (s) => s.end('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n' + 'x'.repeat(100)),
  'chunked-truncated': (s) => s.end('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n400\r\nxyz'),
  'endless-body': (s) => {
    s.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n');
    const chunk = `10000\r\n${'e'.repeat(0x10000)}\r\n`;
    const more = () => {
      while (!s.destroyed) if (!s.write(chunk)) return void s.once('drain', more);
    };
    more();
  },
  'redirect-self': (s, head) => s.end(redirect(target(head))),
  'redirect-ping-pong': (s, head) => {
    const path = target(head);
    s.end(redirect(path.endsWith('/pong') ? path.replace(/\/pong$/, '/ping') : path.replace(/\/[^/]*$/, '/pong')));
  },
  // a 100 Continue and then nothing: the final answer never comes
  'continue-never': (s) => s.write('HTTP/1.1 100 Continue\r\n\r\n'),
  'garbage-status': (s) => s.end('HTTP/1.1 TWO-HUNDRED Fine\r\nContent-Length: 2\r\n\r\nok'),
  // HTTP/0.9: the body, no status line, no headers, the end of the connection ends it
  http09: (s) => s.end('<html>an answer from 1991</html>\n'),
};

function redirect(location: string): string {
  return `HTTP/1.1 302 Found\r\nLocation: ${location}\r\nContent-Length: 0\r\n\r\n`;
}

/** The request target of a request head. */
function target(head: string): string {
  return head.split(' ')[1] ?? '/';
}

/** Calls `answer` once the request head is in; anything after it (a body) is read and dropped. */
function afterHead(answer: Answer): (socket: Socket) => void {
  return (socket) => {
    let head = '';
    let answered = false;
    socket.on('data', (data: Buffer) => {
      if (answered) return;
      head += data.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      answered = true;
      answer(socket, head);
    });
  };
}

export async function startFaultServer(): Promise<FaultServer> {
  const servers: Server[] = [];
  const sockets = new Set<Socket>();
  const listen = async (onSocket: (socket: Socket) => void): Promise<number> => {
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      // the client going away mid-fault is the point, not an error
      socket.on('error', () => undefined);
      onSocket(socket);
    });
    servers.push(server);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return (server.address() as AddressInfo).port;
  };

  // a port that refuses: listened on, then closed
  const gone = createServer().listen(0, '127.0.0.1');
  await once(gone, 'listening');
  const refused = (gone.address() as AddressInfo).port;
  await new Promise((resolve) => gone.close(resolve));

  const port = {
    refused,
    // accepted by the kernel and by us, read, and never answered
    blackhole: await listen((socket) => socket.resume()),
    // a ClientHello answered with bytes that are no ServerHello
    'tls-garbage': await listen((socket) => socket.once('data', () => socket.end('garbage, not a ServerHello\r\n'))),
  } as Record<Fault, number>;
  for (const [fault, answer] of Object.entries(answers)) port[fault as Fault] = await listen(afterHead(answer));

  return {
    port,
    url: (fault) => `${fault === 'tls-garbage' ? 'https' : 'http'}://127.0.0.1:${port[fault]}`,
    async close() {
      for (const socket of sockets) socket.destroy();
      await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    },
  };
}
