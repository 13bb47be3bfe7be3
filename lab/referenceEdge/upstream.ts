// The edge's requests to its origin: plain HTTP, or HTTPS verified against the
// lab CA with the origin's hostname as SNI — a certificate failure becomes a
// typed result the edge turns into 502, never an exception.
import http from 'node:http';
import https from 'node:https';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';

export interface OriginTarget {
  url: string;
  /** HTTPS: the name to verify and send as SNI */
  servername?: string;
  ca?: string;
  verify: boolean;
  sendSni: boolean;
}

export type UpstreamResult =
  | { ok: true; status: number; headers: Record<string, string>; body: Buffer; requestTime: number; responseTime: number }
  | { ok: false; kind: 'tls' | 'connect' | 'timeout'; code: string; message: string };

const TLS_ERROR = /CERT|SELF_SIGNED|UNABLE_TO|HOSTNAME|ERR_TLS|ERR_SSL|DEPTH_ZERO|ALTNAME/;
const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 64 });

export function fetchUpstream(
  origin: OriginTarget,
  method: string,
  path: string,
  headers: Record<string, string>,
  timeoutMs = 10_000,
): Promise<UpstreamResult> {
  const url = new URL(path, origin.url);
  const requestTime = Date.now();
  return new Promise((resolve) => {
    const isTls = url.protocol === 'https:';
    const options: https.RequestOptions = {
      method,
      host: url.hostname,
      port: url.port,
      path: url.pathname + url.search,
      headers,
      timeout: timeoutMs,
    };
    if (isTls) {
      Object.assign(options, {
        // a fresh agent per request: each check must see its own handshake
        agent: false,
        ca: origin.ca,
        rejectUnauthorized: origin.verify,
        servername: origin.sendSni ? origin.servername : '',
        // verify the name the origin should have, even when no SNI is sent
        checkServerIdentity: origin.verify
          ? (_host: string, cert: PeerCertificate) => checkServerIdentity(origin.servername ?? url.hostname, cert)
          : () => undefined,
      });
    } else {
      options.agent = httpAgent;
    }
    const req = (isTls ? https : http).request(options, (res) => {
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
    req.on('error', (err) => {
      const code = codeOf(err);
      resolve({ ok: false, kind: TLS_ERROR.test(code) ? 'tls' : 'connect', code, message: err.message });
    });
    req.end();
  });
}

function codeOf(err: Error): string {
  return (err as NodeJS.ErrnoException).code ?? err.name;
}
