// The HTTP wire: one request, pinned to an edge address if asked, with the
// right Host and SNI, bounded in time. Transport failures come back as typed
// errors so a step can fail with a diagnosis instead of crashing the run.
import type { LookupFunction } from 'node:net';
import { rootCertificates } from 'node:tls';
import { Agent, request } from 'undici';
import { TargetUnreachable } from '../errors.js';

export interface WireRequest {
  method: string;
  url: URL;
  headers?: Record<string, string>;
  body?: string;
  /** connect here instead of resolving the URL's hostname (SNI and Host stay the hostname) */
  address?: string;
  /** local source address, for viewer-address rules */
  localAddress?: string;
  timeoutMs: number;
}

export interface WireResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  durationMs: number;
}

export interface HttpClientOptions {
  /** extra trust anchors (PEM), added to the system store */
  ca?: string;
}

export class HttpClient {
  private readonly agents = new Map<string, Agent>();
  constructor(private readonly opts: HttpClientOptions = {}) {}

  async send(req: WireRequest): Promise<WireResponse> {
    const started = performance.now();
    const signal = AbortSignal.timeout(req.timeoutMs);
    try {
      const res = await request(req.url, {
        method: req.method as 'GET',
        headers: req.headers,
        body: req.body,
        dispatcher: this.agent(req.address, req.localAddress),
        signal,
        headersTimeout: req.timeoutMs,
        bodyTimeout: req.timeoutMs,
      });
      const body = await res.body.text();
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
      return { status: res.statusCode, headers, body, durationMs: performance.now() - started };
    } catch (err) {
      throw new TargetUnreachable(describeTransportError(err, req), err);
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.agents.values()].map((a) => a.close()));
    this.agents.clear();
  }

  private agent(address: string | undefined, localAddress: string | undefined): Agent {
    const key = `${address ?? ''}|${localAddress ?? ''}`;
    let agent = this.agents.get(key);
    if (!agent) {
      agent = new Agent({
        connections: 16,
        connect: {
          ...(this.opts.ca ? { ca: [...rootCertificates, this.opts.ca] } : {}),
          ...(address ? { lookup: pinnedLookup(address) } : {}),
          ...(localAddress ? { localAddress } : {}),
        },
      });
      this.agents.set(key, agent);
    }
    return agent;
  }
}

function pinnedLookup(address: string): LookupFunction {
  const family = address.includes(':') ? 6 : 4;
  return ((_host: string, options: { all?: boolean }, cb: (...args: unknown[]) => void) => {
    if (options?.all) cb(null, [{ address, family }]);
    else cb(null, address, family);
  }) as unknown as LookupFunction;
}

function describeTransportError(err: unknown, req: WireRequest): string {
  const e = err as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const code = e.cause?.code ?? e.code ?? e.name;
  const where = `${req.method} ${req.url.href}${req.address ? ` via ${req.address}` : ''}`;
  if (e.name === 'TimeoutError' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return `${where}: no complete answer within ${req.timeoutMs} ms`;
  }
  return `${where}: ${code}: ${e.cause?.message ?? e.message}`;
}
