// Requests over one TLS connection the bee opened itself, whichever protocol
// ALPN settled on: HTTP/1.1 through an undici Client handed that socket, h2
// through a node:http2 session over it. One request at a time per Exchange
// for h1; h2 takes as many concurrent streams as the caller sends.
import http2 from 'node:http2';
import type { TLSSocket } from 'node:tls';
import { Client } from 'undici';
import type { ResponseHeaders } from '../harness/cacheStatus/index.js';

export interface ExchangeResponse {
  status: number;
  headers: ResponseHeaders;
}

export interface Exchange {
  /** GET `path`; rejects with code 'edgecheck-timeout' when nothing complete came back in `timeoutMs` */
  get(path: string, headers: Record<string, string>, timeoutMs: number): Promise<ExchangeResponse>;
  /** the connection is gone (closed, reset, GOAWAY): no more requests on it */
  readonly closed: boolean;
  close(): void;
}

/** Whichever protocol ALPN chose on `socket`: h2, else HTTP/1.1. */
export function exchangeOver(socket: TLSSocket, origin: string): Exchange {
  return socket.alpnProtocol === 'h2' ? h2Exchange(socket, origin) : h1Exchange(socket, origin);
}

export function timeoutError(ms: number): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error(`no answer within ${ms} ms`);
  err.code = 'edgecheck-timeout';
  return err;
}

function h1Exchange(socket: TLSSocket, origin: string): Exchange {
  let handed = false;
  let closed = false;
  socket.once('close', () => (closed = true));
  const client = new Client(origin, {
    pipelining: 1,
    // the bee made the connection (its handshake is what it measures); a second connect means it is gone
    connect: (_opts, callback) => {
      if (handed) return callback(new Error('the connection closed'), null);
      handed = true;
      // undici expects the connector to answer later, not from inside its own connect
      queueMicrotask(() => callback(null, socket));
    },
  });
  client.on('connectionError', () => undefined);
  return {
    get closed() {
      return closed;
    },
    async get(path, headers, timeoutMs) {
      try {
        const res = await client.request({
          path,
          method: 'GET',
          headers,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
        });
        // read to the end, so the connection is free for the visit's next request
        await res.body.arrayBuffer();
        return { status: res.statusCode, headers: res.headers as ResponseHeaders };
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') throw timeoutError(timeoutMs);
        throw err;
      }
    },
    close() {
      closed = true;
      void client.destroy().catch(() => undefined);
      socket.destroy();
    },
  };
}

/**
 * A stream the edge refused (REFUSED_STREAM, or above a GOAWAY's last stream:
 * nginx ends a connection after keepalive_requests) was not processed, and
 * RFC 9113 8.7 lets the client send it again on a new connection.
 */
function refused(stream: http2.ClientHttp2Stream): NodeJS.ErrnoException | undefined {
  if (stream.rstCode !== http2.constants.NGHTTP2_REFUSED_STREAM) return undefined;
  const err: NodeJS.ErrnoException = new Error('the edge refused the stream; it may be sent again');
  err.code = REFUSED_STREAM;
  return err;
}

export const REFUSED_STREAM = 'edgecheck-refused-stream';

function resetError(rstCode: number): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error(`stream reset (HTTP/2 error code ${rstCode})`);
  err.code = 'ECONNRESET';
  return err;
}

/** HTTP/2 headers: lower-case, no Host (it becomes :authority) and no connection-specific fields (RFC 9113 8.2.2). */
const NOT_IN_H2 = new Set(['host', 'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);

function h2Exchange(socket: TLSSocket, origin: string): Exchange {
  let closed = false;
  const session = http2.connect(origin, { createConnection: () => socket });
  session.on('error', () => undefined);
  session.once('close', () => (closed = true));
  session.once('goaway', () => (closed = true));
  return {
    get closed() {
      return closed;
    },
    get(path, headers, timeoutMs) {
      return new Promise((resolve, reject) => {
        const out: http2.OutgoingHttpHeaders = { ':method': 'GET', ':path': path };
        for (const [name, value] of Object.entries(headers)) {
          const lower = name.toLowerCase();
          if (lower === 'host') out[':authority'] = value;
          else if (!NOT_IN_H2.has(lower)) out[lower] = value;
        }
        let stream: http2.ClientHttp2Stream;
        try {
          stream = session.request(out);
        } catch (err) {
          return reject(err as Error);
        }
        let response: ExchangeResponse | undefined;
        let settled = false;
        const settle = (err?: Error) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          if (err) reject(err);
          else if (response) resolve(response);
          else reject(new Error('the stream ended without a response'));
        };
        const timer = setTimeout(() => {
          settle(timeoutError(timeoutMs));
          stream.close(http2.constants.NGHTTP2_CANCEL);
        }, timeoutMs);
        stream.on('response', (h) => {
          response = { status: Number(h[':status']), headers: h as ResponseHeaders };
        });
        stream.on('error', (err) => settle(refused(stream) ?? err));
        stream.on('end', () => settle());
        // reset by the edge (RST_STREAM) or the session went away without an 'error'
        stream.on('close', () => settle(response ? undefined : (refused(stream) ?? resetError(stream.rstCode))));
        stream.resume();
      });
    },
    /** no new streams; those in flight (below a GOAWAY's last stream) finish first */
    close() {
      closed = true;
      session.close(() => socket.destroy());
    },
  };
}
