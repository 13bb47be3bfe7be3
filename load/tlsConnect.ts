// A bee's own TLS connection to an edge address: pinned to the address, the
// target's name as SNI, ALPN offered as the plan's protocol asks, a session
// from an earlier visit offered when there is one. The handshake is what the
// visitors model measures, so it is timed here, from the TCP connect.
import tls, { type TLSSocket } from 'node:tls';
import { isIP } from 'node:net';
import { timeoutError } from './exchange.js';

export interface EdgeAddress {
  host: string;
  port: number;
  /** https://host:port, for the HTTP layer over the socket */
  origin: string;
}

/** The edge addresses behind a bee's URLs (one per pinned edge, or the target's own host). */
export function edgeAddresses(urls: readonly string[]): EdgeAddress[] {
  return urls.map((u) => {
    const url = new URL(u);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    return { host, port, origin: `${url.protocol}//${url.host}` };
  });
}

export const ALPN = { h1: ['http/1.1'], h2: ['h2', 'http/1.1'] } as const;

export interface TlsOptions {
  servername?: string;
  session?: Buffer;
  alpn: readonly string[];
  timeoutMs: number;
  /** sessions the edge hands out on this connection (TLS 1.3 sends them after the handshake) */
  onSession?: (session: Buffer) => void;
}

/**
 * Connects and completes the handshake, or rejects with the error that
 * stopped it (a timeout as code 'edgecheck-timeout'). The certificate is not
 * verified here: the surge's preflight verified every edge through the
 * harness's own client before any bee hatched, as it does for autocannon.
 */
export function openTls(edge: EdgeAddress, opts: TlsOptions): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host: edge.host,
      port: edge.port,
      ...(opts.servername && !isIP(opts.servername) ? { servername: opts.servername } : {}),
      ...(opts.session ? { session: opts.session } : {}),
      ALPNProtocols: [...opts.alpn],
      rejectUnauthorized: false,
    });
    // the HTTP layer adds its own listeners; an error after it let go must not crash the bee
    socket.on('error', () => undefined);
    if (opts.onSession) socket.on('session', opts.onSession);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(timeoutError(opts.timeoutMs));
    }, opts.timeoutMs);
    const failed = (err: Error) => {
      clearTimeout(timer);
      reject(err);
    };
    socket.once('error', failed);
    const closed = () => failed(Object.assign(new Error('closed during the handshake'), { code: 'ECONNRESET' }));
    socket.once('close', closed);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      socket.off('error', failed);
      socket.off('close', closed);
      resolve(socket);
    });
  });
}
