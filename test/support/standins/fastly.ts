// A stand-in for Fastly's purge API on 127.0.0.1: it checks each call against Fastly's API reference
// (Purging), answers as Fastly does, and records every call, and every way one deviated, for tests.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** "Up to 256 surrogate keys can be purged in one batch request" */
export const MAX_KEYS_PER_BATCH = 256;

/** What a call asked Fastly to purge, as the stand-in understood it. */
export type FastlyPurge = { kind: 'url'; url: string } | { kind: 'keys'; keys: string[]; batch: boolean };

export interface FastlyCall {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  /** performance.now() when it arrived */
  at: number;
  purge?: FastlyPurge;
  /** Fastly-Soft-Purge was present ("the value is not important") */
  soft: boolean;
  /** how the call deviated from Fastly's API reference; each got Fastly's error answer */
  violations: string[];
  status: number;
}

/** An answer given instead of the documented one: Fastly throttling, or refusing as it does (or `pass`: not). */
export type FastlyScripted =
  | { kind: 'pass' }
  | { kind: 'throttle'; retryAfter?: string; rateLimitReset?: number }
  | { kind: 'refuse'; status: number; body: unknown };

/** Where a call leads: a purge, a deviation from the API reference, or Fastly's refusal of a well-formed call. */
type Route =
  { purge: FastlyPurge } | { status: number; msg: string; violation: string } | { status: number; refusal: unknown };

export interface FastlyStandinOptions {
  serviceId: string;
  token: string;
}

export class FastlyStandin {
  readonly calls: FastlyCall[] = [];
  /** answers for the next calls, first to last, once each; then `always`, if set; then Fastly's own */
  readonly script: FastlyScripted[] = [];
  always: FastlyScripted | undefined;

  private constructor(
    private readonly server: Server,
    private readonly opts: FastlyStandinOptions,
  ) {}

  static async start(opts: FastlyStandinOptions): Promise<FastlyStandin> {
    const server = createServer();
    const standin = new FastlyStandin(server, opts);
    server.on('request', (req, res) => void standin.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return standin;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  get violations(): string[] {
    return this.calls.flatMap((c) => c.violations.map((v) => `${c.method} ${c.path}: ${v}`));
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    }
    const call: FastlyCall = {
      method: req.method ?? '',
      path: req.url ?? '',
      headers,
      body: Buffer.concat(chunks).toString('utf8'),
      at: performance.now(),
      soft: headers['fastly-soft-purge'] !== undefined,
      violations: [],
      status: 0,
    };
    this.calls.push(call);
    const [status, body, extra] = this.answer(call);
    call.status = status;
    res.writeHead(status, { 'content-type': 'application/json', ...extra });
    res.end(JSON.stringify(body));
  }

  private answer(call: FastlyCall): [number, unknown, Record<string, string>?] {
    const deviates = (status: number, msg: string, detail?: string): [number, unknown] => {
      call.violations.push(detail ? `${msg}: ${detail}` : msg);
      return [status, detail ? { msg, detail } : { msg }];
    };
    // every purge is a POST to the API (a PURGE sent to the URL itself is the other, unauthenticated way)
    if (call.method !== 'POST') return deviates(405, 'Method not allowed', `${call.method}, where Fastly takes POST`);
    const key = call.headers['fastly-key'];
    if (key === undefined) {
      const sent = call.headers.authorization === undefined ? '' : ' (Fastly takes no Authorization header)';
      return deviates(401, 'Provided credentials are missing or invalid', `no Fastly-Key header${sent}`);
    }
    // a wrong token is a refusal, not a deviation: the call itself had the documented form
    if (key !== this.opts.token) return [401, { msg: 'Provided credentials are missing or invalid' }];

    const route = this.route(call);
    if ('violation' in route) return deviates(route.status, route.msg, route.violation);
    if ('refusal' in route) return [route.status, route.refusal];
    call.purge = route.purge;

    const scripted = this.script.shift() ?? this.always;
    if (scripted?.kind === 'refuse') return [scripted.status, scripted.body];
    if (scripted?.kind === 'throttle') {
      const extra: Record<string, string> = { 'fastly-ratelimit-remaining': '0' };
      if (scripted.retryAfter !== undefined) extra['retry-after'] = scripted.retryAfter;
      if (scripted.rateLimitReset !== undefined) extra['fastly-ratelimit-reset'] = String(scripted.rateLimitReset);
      return [429, { msg: 'Too many requests' }, extra];
    }
    if (route.purge.kind === 'keys' && route.purge.batch) {
      // a batch answers with each key's purge id
      return [200, Object.fromEntries(route.purge.keys.map((k) => [k, purgeId()]))];
    }
    return [200, { status: 'ok', id: purgeId() }];
  }

  private route(call: FastlyCall): Route {
    const bad = (violation: string) => ({ status: 400, msg: 'Bad request', violation });
    const [pathname = ''] = call.path.split('?');
    // POST /purge/{cached_url}: the URL of the object, host and path ("www.example.com/path/to/object-to-purge")
    if (pathname.startsWith('/purge/')) {
      const cached = call.path.slice('/purge/'.length);
      if (/^[a-z][a-z0-9+.-]*:/i.test(cached)) return bad(`the cached URL carries a scheme (${cached})`);
      const slash = cached.indexOf('/');
      const host = slash < 0 ? cached : cached.slice(0, slash);
      if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i.test(host)) {
        return bad(`"${host}" is not a hostname`);
      }
      if (slash < 0) return bad(`the cached URL has no path (${cached})`);
      if (call.body !== '') return bad('a URL purge has no body');
      if (call.headers['surrogate-key'] !== undefined) return bad('a URL purge takes no Surrogate-Key header');
      return { purge: { kind: 'url', url: cached } };
    }
    const service = /^\/service\/([^/]+)\/purge(?:\/([^/]+))?$/.exec(pathname);
    if (!service) return { status: 404, msg: 'Record not found', violation: `no such API call: ${call.path}` };
    const [, id = '', single] = service;
    if (decoded(id) !== this.opts.serviceId) {
      return { status: 404, refusal: { msg: 'Record not found', detail: `Cannot find service '${id}'` } };
    }
    // POST /service/{service_id}/purge/{surrogate_key}: "only one surrogate key can be purged at a time"
    if (single !== undefined) {
      const key = decoded(single);
      if (key === undefined) return bad(`"${single}" is not a percent-encoded key`);
      if (/\s/.test(key)) return bad(`"${key}" holds a space: it is several keys, which a batch purge takes`);
      return { purge: { kind: 'keys', keys: [key], batch: false } };
    }
    // POST /service/{service_id}/purge: keys in a Surrogate-Key header or as {"surrogate_keys": [...]}
    const header = call.headers['surrogate-key'];
    let keys: string[];
    if (header !== undefined && call.body !== '') return bad('keys both in Surrogate-Key and in the body');
    if (header !== undefined) {
      keys = header.split(/\s+/).filter(Boolean);
    } else {
      if (!(call.headers['content-type'] ?? '').startsWith('application/json')) {
        return bad('no Surrogate-Key header, and no JSON body (Content-Type: application/json)');
      }
      try {
        const parsed = JSON.parse(call.body) as { surrogate_keys?: unknown };
        const list = parsed.surrogate_keys;
        if (!Array.isArray(list) || !list.every((k) => typeof k === 'string')) {
          return bad('surrogate_keys is no list of keys');
        }
        keys = list;
      } catch {
        return bad('the body is not JSON');
      }
    }
    if (keys.length === 0) return bad('no surrogate keys');
    if (keys.length > MAX_KEYS_PER_BATCH) {
      return bad(`${keys.length} surrogate keys; a batch takes at most ${MAX_KEYS_PER_BATCH}`);
    }
    return { purge: { kind: 'keys', keys, batch: true } };
  }
}

function decoded(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

function purgeId(): string {
  return `${Math.floor(Date.now() / 1000)}-${randomBytes(6).toString('hex')}`;
}
