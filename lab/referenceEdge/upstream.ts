// The edge's requests to its origin: plain HTTP, or HTTPS over a connection
// verified first (originTls.ts). A failure becomes a typed result the edge
// turns into 502, never an exception.
import http, { type ClientRequest } from 'node:http';
import { connectOrigin, type OriginTlsPolicy } from './originTls.js';

export interface OriginTarget extends OriginTlsPolicy {
  url: string;
}

export interface OriginFailure {
  kind: 'tls' | 'connect' | 'timeout';
  code: string;
  message: string;
}

export type UpstreamResult =
  | {
      ok: true;
      status: number;
      headers: Record<string, string>;
      body: Buffer;
      requestTime: number;
      responseTime: number;
    }
  | ({ ok: false } & OriginFailure);

const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 64 });

export async function fetchUpstream(
  origin: OriginTarget,
  method: string,
  path: string,
  headers: Record<string, string>,
  timeoutMs = 10_000,
): Promise<UpstreamResult> {
  const url = new URL(path, origin.url);
  const requestTime = Date.now();
  const options: http.RequestOptions = {
    method,
    host: url.hostname,
    port: url.port,
    path: url.pathname + url.search,
    headers,
    timeout: timeoutMs,
  };
  if (url.protocol === 'https:') {
    // a fresh connection per request: each check must see its own handshake
    const connection = await connectOrigin(url, origin, timeoutMs);
    if (!connection.ok) return connection;
    options.createConnection = () => connection.socket;
  } else {
    options.agent = httpAgent;
  }
  return new Promise((resolve) => {
    const req: ClientRequest = http.request(options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const out: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers))
          if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
        resolve({
          ok: true,
          status: res.statusCode ?? 502,
          headers: out,
          body: Buffer.concat(chunks),
          requestTime,
          responseTime: Date.now(),
        });
      });
      res.on('error', (err) => resolve({ ok: false, kind: 'connect', code: codeOf(err), message: err.message }));
    });
    req.on('timeout', () => {
      req.destroy();
      resolve({
        ok: false,
        kind: 'timeout',
        code: 'ETIMEDOUT',
        message: `origin did not answer within ${timeoutMs} ms`,
      });
    });
    req.on('error', (err) => resolve({ ok: false, kind: 'connect', code: codeOf(err), message: err.message }));
    req.end();
  });
}

/** The error the edge generated for the failure, as stored: same status and body, now with its Age. */
function codeOf(err: Error): string {
  return (err as NodeJS.ErrnoException).code ?? err.name;
}
