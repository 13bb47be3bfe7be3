// One reference edge node (one address, like a POP): its own cache, the
// shared routes and fault switches. The request flow of a CDN edge: fresh hit,
// revalidation, miss, store.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { cacheKey, EdgeCache, type QueryKey, type StoredResponse } from './edgeCache.js';
import type { ReferenceEdgeFault } from './faults.js';
import { alwaysRevalidate, currentAge, freshnessLifetime, parseCacheControl, storable, type Ttl } from './freshness.js';
import { fetchUpstream, type OriginTarget, type UpstreamResult } from './upstream.js';

export interface EdgeRoute {
  name: string;
  path: string;
  ttl: Ttl;
  queryKey: QueryKey;
  origin: OriginTarget;
}

export interface EdgeNodeOptions {
  routes: EdgeRoute[];
  faults: ReadonlySet<ReferenceEdgeFault>;
}

const CACHE_NAME = 'edgecheck-ref';
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer']);
const FORWARDED_REQUEST_HEADERS = ['accept', 'accept-encoding', 'accept-language', 'user-agent', 'authorization', 'cookie', 'cache-control'];

export class EdgeNode {
  private readonly cache = new EdgeCache();
  constructor(
    private readonly address: string,
    private readonly opts: EdgeNodeOptions,
  ) {}

  private route(path: string): EdgeRoute {
    const matching = this.opts.routes.filter((r) => path.startsWith(r.path));
    matching.sort((a, b) => b.path.length - a.path.length);
    const route = matching[0] ?? this.opts.routes[0];
    if (!route) throw new Error('reference edge has no routes');
    return route;
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      req.resume();
      await new Promise((resolve) => req.on('end', resolve));
      const out = await this.answer(req);
      this.send(req, res, out.status, out.headers, out.body);
    } catch (err) {
      this.send(req, res, 500, { 'content-type': 'text/plain' }, Buffer.from(`reference edge error: ${(err as Error).message}\n`));
    }
  }

  private send(req: IncomingMessage, res: ServerResponse, status: number, headers: Record<string, string>, body: Buffer): void {
    headers['x-edgecheck-edge'] = this.address;
    if (this.opts.faults.has('no-cache-status')) delete headers['cache-status'];
    headers['via'] = '1.1 edgecheck-reference';
    res.writeHead(status, { ...headers, 'content-length': String(req.method === 'HEAD' || status === 304 ? 0 : body.length) });
    res.end(req.method === 'HEAD' || status === 304 ? undefined : body);
  }

  private async answer(req: IncomingMessage): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const route = this.route(url);
    const faults = this.opts.faults;
    const key = cacheKey(req.headers.host ?? '', url, route.queryKey);
    const reqCc = parseCacheControl(req.headers['cache-control']);
    const cacheable = method === 'GET' || method === 'HEAD';
    const stored = cacheable ? this.cache.get(key) : undefined;
    const now = Date.now();

    if (stored) {
      const age = currentAge(timesOf(stored), now, faults);
      const fresh = faults.has('never-expire') || stored.lifetime * 1000 > age;
      if (fresh && !alwaysRevalidate(stored.headers) && !reqCc.has('no-cache')) {
        return this.fromCache(req, stored, age, `hit; ttl=${Math.floor(stored.lifetime - age / 1000)}`);
      }
      const validators = revalidationHeaders(stored, faults);
      const upstream = await fetchUpstream(route.origin, method, url, { ...forwardHeaders(req), ...validators });
      if (!upstream.ok) return this.upstreamFailure(upstream);
      if (upstream.status === 304 && Object.keys(validators).length > 0) {
        const headers = faults.has('drop-304-headers') ? stored.headers : mergeHeaders(stored.headers, upstream.headers);
        const refreshed: StoredResponse = {
          ...stored,
          headers,
          requestTime: upstream.requestTime,
          responseTime: upstream.responseTime,
          lifetime: freshnessLifetime(headers, route.ttl, faults),
        };
        this.cache.put(key, refreshed);
        return this.fromCache(req, refreshed, currentAge(timesOf(refreshed), Date.now(), faults), 'fwd=stale; fwd-status=304; stored');
      }
      return this.storeAndAnswer(req, key, route, upstream, reqCc, 'fwd=stale');
    }
    const upstream = await fetchUpstream(route.origin, method, url, forwardHeaders(req));
    if (!upstream.ok) return this.upstreamFailure(upstream);
    return this.storeAndAnswer(req, key, route, upstream, reqCc, cacheable ? 'fwd=uri-miss' : 'fwd=method');
  }

  private storeAndAnswer(
    req: IncomingMessage,
    key: string,
    route: EdgeRoute,
    upstream: Extract<UpstreamResult, { ok: true }>,
    reqCc: Map<string, string | true>,
    fwd: string,
  ) {
    const headers = withoutHopByHop(upstream.headers);
    const verdict = storable(req.method ?? 'GET', upstream.status, reqCc, headers, this.opts.faults);
    let status = fwd;
    if (verdict.store) {
      this.cache.put(key, {
        status: upstream.status,
        headers,
        body: upstream.body,
        requestTime: upstream.requestTime,
        responseTime: upstream.responseTime,
        lifetime: freshnessLifetime(headers, route.ttl, this.opts.faults),
      });
      status += '; stored';
    } else {
      this.cache.delete(key);
      if (verdict.reason) status += `; detail=${verdict.reason}`;
    }
    return { status: upstream.status, headers: { ...headers, 'cache-status': `${CACHE_NAME}; ${status}` }, body: upstream.body };
  }

  private fromCache(req: IncomingMessage, stored: StoredResponse, ageMs: number, cacheStatus: string) {
    const headers: Record<string, string> = { ...stored.headers, 'cache-status': `${CACHE_NAME}; ${cacheStatus}` };
    const faults = this.opts.faults;
    if (!faults.has('no-age')) headers['age'] = faults.has('frozen-age') ? '0' : String(Math.floor(ageMs / 1000));
    else delete headers['age'];
    if (clientNotModified(req, stored.headers)) return { status: 304, headers, body: Buffer.alloc(0) };
    return { status: stored.status, headers, body: stored.body };
  }

  private upstreamFailure(result: Extract<UpstreamResult, { ok: false }>) {
    const status = result.kind === 'timeout' ? 504 : 502;
    return {
      status,
      headers: { 'content-type': 'text/plain', 'cache-status': `${CACHE_NAME}; fwd=miss; detail=${result.kind}` },
      body: Buffer.from(`edgecheck reference edge: origin ${result.kind} error (${result.code})\n`),
    };
  }
}

function timesOf(s: StoredResponse) {
  return { requestTime: s.requestTime, responseTime: s.responseTime, date: s.headers['date'], age: s.headers['age'] };
}

function forwardHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = { via: '1.1 edgecheck-reference', 'x-forwarded-for': req.socket.remoteAddress ?? '' };
  for (const name of FORWARDED_REQUEST_HEADERS) {
    const v = req.headers[name];
    if (typeof v === 'string') out[name] = v;
  }
  return out;
}

function revalidationHeaders(stored: StoredResponse, faults: ReadonlySet<ReferenceEdgeFault>): Record<string, string> {
  if (faults.has('no-revalidation')) return {};
  const out: Record<string, string> = {};
  if (stored.headers['etag']) out['if-none-match'] = stored.headers['etag'];
  if (stored.headers['last-modified']) out['if-modified-since'] = stored.headers['last-modified'];
  return out;
}

/** RFC 9111 4.3.4: a 304 updates the stored headers it carries. */
function mergeHeaders(stored: Record<string, string>, fresh: Record<string, string>): Record<string, string> {
  const out = { ...stored };
  for (const [k, v] of Object.entries(withoutHopByHop(fresh))) if (k !== 'content-length') out[k] = v;
  return out;
}

function withoutHopByHop(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (!HOP_BY_HOP.has(k)) out[k] = v;
  return out;
}

function clientNotModified(req: IncomingMessage, headers: Record<string, string>): boolean {
  const inm = req.headers['if-none-match'];
  const etag = headers['etag'];
  if (!inm || !etag) return false;
  const strip = (t: string) => t.trim().replace(/^W\//, '');
  return inm.split(',').map(strip).some((t) => t === '*' || t === strip(etag));
}
