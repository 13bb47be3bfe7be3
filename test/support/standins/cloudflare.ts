// A stand-in for Cloudflare's cache purge API (client/v4) on 127.0.0.1: it checks each call against
// Cloudflare's docs, answers in its envelope, and records every call, and every way one deviated, for tests.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Items per request: 30 files on Free, Pro and Business (purge by single-file), 100 hosts, tags or
 * prefixes (purge cache, "Availability and limits").
 */
export const CLOUDFLARE_LIMITS = { files: 30, hosts: 100, prefixes: 100, tags: 100 } as const;
/** "Path separators are limited to 31 for a prefix" */
const MAX_PREFIX_SEPARATORS = 31;
/** where Cloudflare documents no error code (a malformed purge body, a wrong method): the stand-in's own */
const UNDOCUMENTED_CODE = 1000;
const SELECTORS = ['files', 'hosts', 'prefixes', 'tags', 'purge_everything'] as const;
type ListKind = keyof typeof CLOUDFLARE_LIMITS;

/** What a call asked Cloudflare to drop, as the stand-in understood it. */
export type CloudflareSelection =
  | { files: Array<string | { url: string; headers: Record<string, string> }> }
  | { hosts: string[] }
  | { prefixes: string[] }
  | { tags: string[] }
  | { purge_everything: true };

export interface CloudflareCall {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  /** performance.now() when it arrived */
  at: number;
  /** purge_cache drops the copies; invalidate_cache marks them stale */
  endpoint?: 'purge_cache' | 'invalidate_cache';
  selection?: CloudflareSelection;
  /** how the call deviated from Cloudflare's docs; each got Cloudflare's error answer */
  violations: string[];
  status: number;
}

/** An answer given instead of the documented one: Cloudflare throttling, or refusing as it does (or `pass`: not). */
export type CloudflareScripted =
  | { kind: 'pass' }
  | { kind: 'throttle'; retryAfter?: string }
  | { kind: 'refuse'; status: number; errors: Array<{ code: number; message: string }> }
  /** any body: a string goes as it is, anything else as JSON */
  | { kind: 'raw'; status: number; body: unknown };

export interface CloudflareStandinOptions {
  zone: string;
  token: string;
  limits?: Partial<Record<ListKind, number>>;
}

type CfError = { code: number; message: string; error_chain?: Array<{ code: number; message: string }> };

export class CloudflareStandin {
  readonly calls: CloudflareCall[] = [];
  /** answers for the next calls, first to last, once each; then `always`, if set; then Cloudflare's own */
  readonly script: CloudflareScripted[] = [];
  always: CloudflareScripted | undefined;
  private readonly limits: Record<ListKind, number>;

  private constructor(
    private readonly server: Server,
    private readonly opts: CloudflareStandinOptions,
  ) {
    this.limits = { ...CLOUDFLARE_LIMITS, ...opts.limits };
  }

  static async start(opts: CloudflareStandinOptions): Promise<CloudflareStandin> {
    const server = createServer();
    const standin = new CloudflareStandin(server, opts);
    server.on('request', (req, res) => void standin.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return standin;
  }

  /** the API's base, as https://api.cloudflare.com/client/v4 is the real one's */
  get api(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/client/v4`;
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
    const call: CloudflareCall = {
      method: req.method ?? '',
      path: req.url ?? '',
      headers,
      body: Buffer.concat(chunks).toString('utf8'),
      at: performance.now(),
      violations: [],
      status: 0,
    };
    this.calls.push(call);
    const [status, body, extra] = this.answer(call);
    call.status = status;
    // a string is sent as it is: what a proxy in front of the API might answer
    const text = typeof body === 'string';
    res.writeHead(status, { 'content-type': text ? 'text/html' : 'application/json', ...extra });
    res.end(text ? body : JSON.stringify(body));
  }

  private answer(call: CloudflareCall): [number, unknown, Record<string, string>?] {
    const deviates = (status: number, error: CfError, why: string): [number, unknown] => {
      call.violations.push(why);
      return [status, failure([error])];
    };
    const route = /^\/client\/v4\/zones\/([^/?]+)\/(purge_cache|invalidate_cache)$/.exec(call.path);
    const noRoute = { code: 7000, message: 'No route for that URI' };
    if (!route) return deviates(404, noRoute, `no such API call: ${call.path}`);
    const [, zone = '', endpoint] = route;
    if (call.method !== 'POST') {
      const notAllowed = { code: UNDOCUMENTED_CODE, message: 'Method not allowed' };
      return deviates(405, notAllowed, `${call.method}, where Cloudflare takes POST`);
    }
    // API tokens go in "Authorization: Bearer <token>"; X-Auth-Email/X-Auth-Key is the legacy global key
    const auth = call.headers.authorization;
    if (call.headers['x-auth-key'] !== undefined) {
      call.violations.push('X-Auth-Key sent: a global API key, where an API token belongs');
    }
    if (auth === undefined) {
      const missing = { code: 9106, message: 'Missing X-Auth-Key, X-Auth-Email or Authorization headers' };
      return deviates(400, missing, 'no Authorization header');
    }
    const bearer = /^Bearer (\S+)$/.exec(auth);
    if (!bearer) {
      const error_chain = [{ code: 6111, message: 'Invalid format for Authorization header' }];
      return deviates(400, { code: 6003, message: 'Invalid request headers', error_chain }, 'not "Bearer <token>"');
    }
    // a wrong token, or one for another zone, is a refusal, not a deviation: the call had the documented form
    if (bearer[1] !== this.opts.token) return [403, failure([{ code: 10000, message: 'Authentication error' }])];
    if (!/^[0-9a-f]{32}$/.test(zone)) {
      const where = call.path.replace('/client/v4', '');
      const message = `Could not route to ${where}, perhaps your object identifier is invalid?`;
      return deviates(400, { code: 7003, message }, `"${zone}" is not a zone ID (32 hex digits)`);
    }
    if (zone !== this.opts.zone) return [403, failure([{ code: 10000, message: 'Authentication error' }])];
    if (!(call.headers['content-type'] ?? '').startsWith('application/json')) {
      const error_chain = [{ code: 6105, message: 'Invalid Content-Type header, valid values are application/json' }];
      return deviates(400, { code: 6003, message: 'Invalid request headers', error_chain }, 'no JSON Content-Type');
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(call.body);
    } catch {
      return deviates(400, { code: 6007, message: 'Malformed JSON in request body' }, 'the body is not JSON');
    }
    const selection = this.select(parsed);
    if (typeof selection === 'string') {
      return deviates(400, { code: UNDOCUMENTED_CODE, message: selection }, selection);
    }
    call.endpoint = endpoint as CloudflareCall['endpoint'];
    call.selection = selection;

    const scripted = this.script.shift() ?? this.always;
    if (scripted?.kind === 'raw') return [scripted.status, scripted.body];
    if (scripted?.kind === 'refuse') return [scripted.status, failure(scripted.errors)];
    if (scripted?.kind === 'throttle') {
      // the REST API's 429 carries Retry-After, "number of seconds until more capacity is available"
      const extra: Record<string, string> = {};
      if (scripted.retryAfter !== undefined) extra['retry-after'] = scripted.retryAfter;
      const slow = { code: 971, message: 'Please wait and consider throttling your request speed' };
      return [429, failure([slow]), extra];
    }
    return [200, { success: true, errors: [], messages: [], result: { id: randomBytes(16).toString('hex') } }];
  }

  /** The one selector of a purge body, checked as documented; a string says how it deviated. */
  private select(parsed: unknown): CloudflareSelection | string {
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return 'the body is no JSON object';
    const keys = Object.keys(parsed);
    const unknown = keys.filter((k) => !(SELECTORS as readonly string[]).includes(k));
    if (unknown.length > 0) return `unknown field(s) ${unknown.join(', ')}`;
    if (keys.length !== 1) return `one of ${SELECTORS.join(', ')} per request, not ${keys.length}`;
    const body = parsed as Record<string, unknown>;
    if ('purge_everything' in body) {
      return body.purge_everything === true ? { purge_everything: true } : 'purge_everything takes true only';
    }
    const name = keys[0] as ListKind;
    const list = body[name];
    if (!Array.isArray(list) || list.length === 0) return `${name} is no list, or an empty one`;
    if (list.length > this.limits[name]) return `${list.length} ${name} in one request; at most ${this.limits[name]}`;
    const bad = list.map((item) => checkItem(name, item)).find((why) => why !== undefined);
    return bad ?? ({ [name]: list } as CloudflareSelection);
  }
}

function checkItem(kind: ListKind, item: unknown): string | undefined {
  if (kind === 'files') {
    // a file is a URL, or {url, headers} with the request headers its cache key holds
    if (item !== null && typeof item === 'object' && !Array.isArray(item)) {
      const { url, headers, ...rest } = item as Record<string, unknown>;
      if (Object.keys(rest).length > 0) return `a file takes url and headers, not ${Object.keys(rest).join(', ')}`;
      const valid = headers !== null && typeof headers === 'object' && !Array.isArray(headers);
      if (!valid || !Object.values(headers).every((v) => typeof v === 'string')) {
        return `the headers of ${String(url)} are no name: value object`;
      }
      return checkUrl(url);
    }
    return checkUrl(item);
  }
  if (typeof item !== 'string' || item === '') return `${JSON.stringify(item)} is not a ${kind.slice(0, -1)}`;
  if (kind === 'hosts') return isHostname(item) ? undefined : `"${item}" is not a hostname`;
  if (kind === 'prefixes') {
    // "www.example.com/foo": host and path, no scheme; no query string or fragment; 31 separators at most
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(item)) return `the prefix "${item}" carries a scheme`;
    if (/[*?#]/.test(item)) return `the prefix "${item}" holds a wildcard, query or fragment`;
    if ((item.match(/\//g) ?? []).length > MAX_PREFIX_SEPARATORS) return `"${item}" has over 31 path separators`;
    const [host = ''] = item.split('/');
    return isHostname(host) ? undefined : `the prefix "${item}" does not start with a hostname`;
  }
  return undefined;
}

function checkUrl(value: unknown): string | undefined {
  if (typeof value !== 'string') return `${JSON.stringify(value)} is not a URL`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `"${value}" is not a URL`;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `"${value}" is not an http(s) URL`;
  // "Wildcards are not supported on single file purge"
  if (value.includes('*')) return `"${value}" holds a wildcard`;
  return undefined;
}

function isHostname(value: string): boolean {
  return /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i.test(value);
}

function failure(errors: CfError[]): unknown {
  return { success: false, errors, messages: [], result: null };
}
