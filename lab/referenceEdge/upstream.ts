// The edge's requests to its origin: plain HTTP, or HTTPS over a connection
// verified first (originTls.ts). A failure becomes a typed result the edge
// turns into 502, never an exception; with error caching on the route, the
// failure is answered again, with its Age, until the route's error_ttl passes.
import http, { type ClientRequest } from 'node:http';
import { connectOrigin, type OriginTlsPolicy } from './originTls.js';
import type { OriginErrorCache, OriginFailure } from './originErrorCache.js';

export interface OriginTarget extends OriginTlsPolicy {
  url: string;
  /** the route's error caching; without it every request tries the origin */
  errorCache?: OriginErrorCache;
}

export type UpstreamResult =
  | { ok: true; status: number; headers: Record<string, string>; body: Buffer; requestTime: number; responseTime: number }
  | ({ ok: false } & OriginFailure);

const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 64 });

export async function fetchUpstream(
  origin: OriginTarget,
  method: string,
  path: string,
  headers: Record<string, string>,
  timeoutMs = 10_000,
): Promise<UpstreamResult> {
  const key = `${method} ${path}`;
  const remembered = origin.errorCache?.recall(key);
  if (remembered) return rememberedError(remembered.failure, remembered.ageMs);
  const result = await fetchFromOrigin(origin, method, path, headers, timeoutMs);
  if (!result.ok) origin.errorCache?.remember(key, { kind: result.kind, code: result.code, message: result.message });
  return result;
}

async function fetchFromOrigin(
  origin: OriginTarget,
  method: string,
  path: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<UpstreamResult> {
  const url = new URL(path, origin.url);
  const requestTime = Date.now();
  const options: http.RequestOptions = { method, host: url.hostname, port: url.port, path: url.pathname + url.search, headers, timeout: timeoutMs };
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
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
        resolve({ ok: true, status: res.statusCode ?? 502, headers: out, body: Buffer.concat(chunks), requestTime, responseTime: Date.now() });
      });
      res.on('error', (err) => resolve({ ok: false, kind: 'connect', code: codeOf(err), message: err.message }));
    });
    req.on('timeout', () => {
      req.destroy();
      resolve({ ok: false, kind: 'timeout', code: 'ETIMEDOUT', message: `origin did not answer within ${timeoutMs} ms` });
    });
    req.on('error', (err) => resolve({ ok: false, kind: 'connect', code: codeOf(err), message: err.message }));
    req.end();
  });
}

/** The error the edge generated for the failure, as stored: same status and body, now with its Age. */
function rememberedError(failure: OriginFailure, ageMs: number): UpstreamResult {
  const now = Date.now();
  return {
    ok: true,
    status: failure.kind === 'timeout' ? 504 : 502,
    headers: { 'content-type': 'text/plain', age: String(Math.floor(ageMs / 1000)) },
    body: Buffer.from(`edgecheck reference edge: origin ${failure.kind} error (${failure.code})\n`),
    requestTime: now,
    responseTime: now,
  };
}

function codeOf(err: Error): string {
  return (err as NodeJS.ErrnoException).code ?? err.name;
}
