// One reference edge node (one address, like a POP): its own cache, the
// shared routes and fault switches. The request flow of a CDN edge: fresh hit,
// revalidation, stale-if-error, miss, store; failover and compression per route.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { compressIfAccepted } from './compression.js';
import { cacheKey, EdgeCache, type QueryKey, type StoredResponse } from './edgeCache.js';
import type { ReferenceEdgeFault } from './faults.js';
import {
  alwaysRevalidate,
  currentAge,
  freshnessLifetime,
  mayServeStale,
  parseCacheControl,
  storable,
  type Ttl,
} from './freshness.js';
import type { PurgeMatch } from './purge.js';
import { viewerRequestRedirect } from './redirects.js';
import type { RegionalTier } from './regionalTier.js';
import type { Refusal, SignedUrls } from './signedUrls.js';
import { fetchUpstream, type OriginTarget, type UpstreamResult } from './upstream.js';
import { variantSuffix, varyNames } from './variants.js';
import { countryOf, viewerAddress, withCountry } from './viewerCountry.js';

export interface EdgeRoute {
  name: string;
  path: string;
  ttl: Ttl;
  queryKey: QueryKey;
  origin: OriginTarget;
  /** seconds an error response is kept; undefined = errors are not stored */
  errorTtl?: number;
  compress?: boolean;
  /** the secondary origin of an origin group: used when the primary fails or answers 5xx */
  failover?: OriginTarget;
  /** fetched through the regional tier (an origin shield) shared by every PoP */
  shield?: boolean;
  /** served only to requests with a valid CloudFront signed URL or signed cookies */
  signed?: boolean;
}

export interface EdgeNodeOptions {
  routes: EdgeRoute[];
  faults: ReadonlySet<ReferenceEdgeFault>;
  /** the tier `shield: true` routes fetch through */
  regional: RegionalTier;
  /** the verifier `signed: true` routes check each request with */
  signedUrls: SignedUrls;
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

type Fetched = Extract<UpstreamResult, { ok: true }>;

const CACHE_NAME = 'edgecheck-ref';
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
  'proxy-connection',
  'te',
  'trailer',
]);
const FORWARDED_REQUEST_HEADERS = [
  'accept',
  'accept-encoding',
  'accept-language',
  'user-agent',
  'authorization',
  'cookie',
  'cache-control',
];
const INVERTED_QUERY_KEY: Record<string, QueryKey> = { all: 'none', none: 'all' };

export class EdgeNode {
  private readonly cache = new EdgeCache();
  /** fault viewer-redirect-cached: the viewer-location redirects made, by URL, and until when */
  private readonly viewerRedirects = new Map<string, { answer: Answer; until: number }>();
  constructor(
    private readonly address: string,
    private readonly opts: EdgeNodeOptions,
  ) {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      req.resume();
      await new Promise((resolve) => req.on('end', resolve));
      const route = this.route(req.url ?? '/');
      let out =
        this.viewerRedirect(req) ??
        (route.signed ? this.admit(req, route) : undefined) ??
        (await this.answer(req, route));
      if (route.compress && !this.opts.faults.has('no-compression') && out.status === 200) {
        out = { status: out.status, ...compressIfAccepted(req.headers, out.headers, out.body) };
      }
      this.send(req, res, out);
    } catch (err) {
      this.send(req, res, {
        status: 500,
        headers: { 'content-type': 'text/plain' },
        body: Buffer.from(`reference edge error: ${(err as Error).message}\n`),
      });
    }
  }

  /** A redirect made at viewer request; under viewer-redirect-cached, also one made earlier for another viewer. */
  private viewerRedirect(req: IncomingMessage): Answer | undefined {
    const made = viewerRequestRedirect(req, this.opts.faults);
    if (!this.opts.faults.has('viewer-redirect-cached')) return made;
    const url = `${req.headers.host ?? ''}${req.url ?? '/'}`;
    if (made?.headers['cache-status']?.includes('viewer-location')) {
      this.viewerRedirects.set(url, { answer: made, until: Date.now() + 60_000 });
      return made;
    }
    const kept = this.viewerRedirects.get(url);
    return kept && kept.until > Date.now() ? kept.answer : made;
  }

  private route(path: string): EdgeRoute {
    const matching = this.opts.routes.filter((r) => path.startsWith(r.path));
    matching.sort((a, b) => b.path.length - a.path.length);
    const route = matching[0] ?? this.opts.routes[0];
    if (!route) throw new Error('reference edge has no routes');
    return route;
  }

  private send(req: IncomingMessage, res: ServerResponse, out: Answer): void {
    const headers: Record<string, string> = {
      ...out.headers,
      'x-edgecheck-edge': this.address,
      via: '1.1 edgecheck-reference',
    };
    if (this.opts.faults.has('no-cache-status')) delete headers['cache-status'];
    if (this.opts.faults.has('claim-always-hit') && headers['cache-status'])
      headers['cache-status'] = 'edgecheck-ref; hit';
    const bodyless = req.method === 'HEAD' || out.status === 304;
    res.writeHead(out.status, { ...headers, 'content-length': String(bodyless ? 0 : out.body.length) });
    res.end(bodyless ? undefined : out.body);
  }

  /**
   * A signed route's check, before the cache is looked at: the refusal, or undefined with the request
   * rewritten to what the origin and the cache key may see of it (no signature parameters or cookies).
   */
  private admit(req: IncomingMessage, route: EdgeRoute): Refusal | undefined {
    const admission = this.opts.signedUrls.check({
      // the plain-HTTP listener only redirects: every request that gets here came over TLS
      scheme: 'https',
      host: req.headers.host ?? '',
      url: req.url ?? '/',
      cookie: req.headers.cookie,
      viewer: req.socket.remoteAddress ?? '',
      now: Date.now(),
    });
    req.url = admission.url;
    if (admission.cookie === undefined) delete req.headers.cookie;
    else req.headers.cookie = admission.cookie;
    if (admission.ok) return undefined;
    const leaks = this.opts.faults.has('signed-cache-leak') && this.cache.get(this.keys(req, route).variantKey);
    return leaks ? undefined : admission.refusal;
  }

  /** The request's cache key, and its variant key from the Vary names last stored under it. */
  private keys(req: IncomingMessage, route: EdgeRoute): { key: string; variantKey: string } {
    const faults = this.opts.faults;
    const queryKey = faults.has('wrong-query-key')
      ? (INVERTED_QUERY_KEY[String(route.queryKey)] ?? 'none')
      : route.queryKey;
    const country = faults.has('country-not-in-cache-key') ? undefined : countryOf(viewerAddress(req.socket));
    const key = cacheKey(req.headers.host ?? '', req.url ?? '/', queryKey, country);
    const variantKey = `${key}#${faults.has('ignore-vary') ? '' : variantSuffix(this.cache.varyOf(key), req.headers)}`;
    return { key, variantKey };
  }

  private async answer(req: IncomingMessage, route: EdgeRoute): Promise<Answer> {
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const faults = this.opts.faults;
    const { key, variantKey } = this.keys(req, route);
    const reqCc = parseCacheControl(req.headers['cache-control']);
    const cacheable = method === 'GET' || method === 'HEAD';
    const stored = cacheable ? this.cache.get(variantKey) : undefined;
    if (stored?.softPurged) {
      // serve the marked copy once more, and refetch behind it (Fastly's soft purge, stale-while-revalidate)
      this.cache.put(key, this.cache.varyOf(key), variantKey, { ...stored, softPurged: false, lifetime: 0 });
      void this.refetch(req, route, key, method, url);
      const age = currentAge(timesOf(stored), Date.now(), faults);
      return this.fromCache(req, stored, age, 'hit; fwd=stale; detail=soft-purged');
    }

    if (!stored) {
      const upstream = await this.fetch(route, method, url, forwardHeaders(req), req.headers.host ?? '');
      if (!upstream.ok) return this.failureAnswer(req, route, key, upstream);
      return this.storeAndAnswer(req, route, key, upstream, cacheable ? 'fwd=uri-miss' : 'fwd=method');
    }
    const age = currentAge(timesOf(stored), Date.now(), faults);
    const fresh = faults.has('never-expire') || stored.lifetime * 1000 > age;
    if (fresh && !alwaysRevalidate(stored.headers, faults) && !reqCc.has('no-cache')) {
      return this.fromCache(req, stored, age, `hit; ttl=${Math.floor(stored.lifetime - age / 1000)}`);
    }
    const validators = revalidationHeaders(stored, faults);
    const upstream = await this.fetch(
      route,
      method,
      url,
      { ...forwardHeaders(req), ...validators },
      req.headers.host ?? '',
    );
    // stale-if-error serves a stored good answer, never a stored error
    if ((!upstream.ok || upstream.status >= 500) && stored.status < 400 && mayServeStale(stored.headers, faults)) {
      const why = upstream.ok ? `fwd-status=${upstream.status}` : `detail=${upstream.kind}`;
      return this.fromCache(
        req,
        stored,
        age,
        `hit; ttl=${Math.floor(stored.lifetime - age / 1000)}; fwd=stale; ${why}`,
      );
    }
    if (!upstream.ok) return this.failureAnswer(req, route, key, upstream);
    if (upstream.status === 304 && Object.keys(validators).length > 0) {
      const headers = faults.has('drop-304-headers') ? stored.headers : mergeHeaders(stored.headers, upstream.headers);
      const refreshed: StoredResponse = {
        ...stored,
        headers,
        requestTime: upstream.requestTime,
        responseTime: upstream.responseTime,
        lifetime: freshnessLifetime(headers, route.ttl, faults, stored.status, route.errorTtl),
      };
      this.cache.put(key, varyNames(headers), variantKey, refreshed);
      return this.fromCache(
        req,
        refreshed,
        currentAge(timesOf(refreshed), Date.now(), faults),
        'fwd=stale; fwd-status=304; stored',
      );
    }
    if (faults.has('serve-stored-after-200') && upstream.status === 200) {
      return this.fromCache(req, stored, age, 'fwd=stale; fwd-status=200');
    }
    return this.storeAndAnswer(req, route, key, upstream, 'fwd=stale');
  }

  /** Applies an invalidation to this PoP's own store (a soft one marks instead of dropping); returns the count. */
  invalidate(match: PurgeMatch, soft = false): number {
    return soft && !this.opts.faults.has('soft-purge-drops') ? this.cache.markStale(match) : this.cache.drop(match);
  }

  /** A background fetch that replaces a soft-purged copy; its answer goes to no one. */
  private async refetch(
    req: IncomingMessage,
    route: EdgeRoute,
    key: string,
    method: string,
    url: string,
  ): Promise<void> {
    const upstream = await this.fetch(route, method, url, forwardHeaders(req), req.headers.host ?? '');
    if (upstream.ok) this.storeAndAnswer(req, route, key, upstream, 'fwd=stale');
  }

  /** The route's origin (through the regional tier on a shielded route), then its failover origin. */
  private async fetch(
    route: EdgeRoute,
    method: string,
    url: string,
    headers: Record<string, string>,
    viewerHost: string,
  ): Promise<UpstreamResult> {
    if (route.shield) return this.opts.regional.fetch(route, method, url, headers, viewerHost);
    const primary = await fetchUpstream(route.origin, method, url, headers);
    const primaryFailed = !primary.ok || primary.status >= 500;
    if (!primaryFailed || !route.failover || this.opts.faults.has('no-failover')) return primary;
    return fetchUpstream(route.failover, method, url, headers);
  }

  /**
   * The edge's own 502/504 when the origin cannot be reached or its certificate
   * is refused; on a route with an error TTL it is stored like an origin's
   * error response, so repeats within the TTL do not hammer a failing origin.
   */
  private failureAnswer(
    req: IncomingMessage,
    route: EdgeRoute,
    key: string,
    failure: Extract<UpstreamResult, { ok: false }>,
  ): Answer {
    const generated = upstreamFailure(failure);
    if (route.errorTtl === undefined) return generated;
    const now = Date.now();
    const { 'cache-status': _claim, ...headers } = generated.headers;
    return this.storeAndAnswer(
      req,
      route,
      key,
      { ok: true, ...generated, headers, requestTime: now, responseTime: now },
      `fwd=miss; detail=${failure.kind}`,
    );
  }

  private storeAndAnswer(req: IncomingMessage, route: EdgeRoute, key: string, upstream: Fetched, fwd: string): Answer {
    const headers = this.redirectFaults(req, upstream.status, withoutHopByHop(upstream.headers));
    const reqCc = parseCacheControl(req.headers['cache-control']);
    const verdict = storable(req.method ?? 'GET', upstream.status, reqCc, headers, this.opts.faults, route.errorTtl);
    const vary = varyNames(headers);
    const variantKey = `${key}#${this.opts.faults.has('ignore-vary') ? '' : variantSuffix(vary, req.headers)}`;
    let status = fwd;
    if (verdict.store) {
      this.cache.put(key, vary, variantKey, {
        status: upstream.status,
        headers,
        body: upstream.body,
        requestTime: upstream.requestTime,
        responseTime: upstream.responseTime,
        lifetime: freshnessLifetime(headers, route.ttl, this.opts.faults, upstream.status, route.errorTtl),
      });
      status += '; stored';
    } else {
      this.cache.delete(variantKey);
      if (verdict.reason) status += `; detail=${verdict.reason}`;
    }
    const out = { ...headers, 'cache-status': `${CACHE_NAME}; ${status}` };
    if (upstream.status === 200 && clientNotModified(req, headers, this.opts.faults))
      return { status: 304, headers: out, body: Buffer.alloc(0) };
    return { status: upstream.status, headers: out, body: upstream.body };
  }

  /** What the redirect fault switches do to an origin's redirect before it is stored and passed on. */
  private redirectFaults(
    req: IncomingMessage,
    status: number,
    headers: Record<string, string>,
  ): Record<string, string> {
    const faults = this.opts.faults;
    if (status < 300 || status > 399) return headers;
    const out = { ...headers };
    if (faults.has('redirects-not-cached')) out['cache-control'] = 'no-store';
    if (faults.has('caches-307') && (status === 302 || status === 307) && out['cache-control'] === undefined) {
      out['cache-control'] = 'max-age=60';
    }
    if (faults.has('location-made-absolute') && out['location'] !== undefined) {
      out['location'] = new URL(out['location'], `https://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`).href;
    }
    return out;
  }

  private fromCache(req: IncomingMessage, stored: StoredResponse, ageMs: number, cacheStatus: string): Answer {
    const headers: Record<string, string> = { ...stored.headers, 'cache-status': `${CACHE_NAME}; ${cacheStatus}` };
    const faults = this.opts.faults;
    if (!faults.has('no-age')) headers['age'] = faults.has('frozen-age') ? '0' : String(Math.floor(ageMs / 1000));
    else delete headers['age'];
    if (stored.status === 200 && clientNotModified(req, stored.headers, faults))
      return { status: 304, headers, body: Buffer.alloc(0) };
    return { status: stored.status, headers, body: stored.body };
  }
}

function upstreamFailure(result: Extract<UpstreamResult, { ok: false }>): Answer {
  return {
    status: result.kind === 'timeout' ? 504 : 502,
    headers: { 'content-type': 'text/plain', 'cache-status': `${CACHE_NAME}; fwd=miss; detail=${result.kind}` },
    body: Buffer.from(`edgecheck reference edge: origin ${result.kind} error (${result.code})\n`),
  };
}

function timesOf(s: StoredResponse) {
  return { requestTime: s.requestTime, responseTime: s.responseTime, date: s.headers['date'], age: s.headers['age'] };
}

function forwardHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {
    via: '1.1 edgecheck-reference',
    'x-forwarded-for': req.socket.remoteAddress ?? '',
  };
  for (const name of FORWARDED_REQUEST_HEADERS) {
    const v = req.headers[name];
    if (typeof v === 'string') out[name] = v;
  }
  return withCountry(out, countryOf(viewerAddress(req.socket)));
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

/** The client's own conditional request against what the edge holds (RFC 9110 13.2.2). */
function clientNotModified(
  req: IncomingMessage,
  headers: Record<string, string>,
  faults: ReadonlySet<ReferenceEdgeFault>,
): boolean {
  if (faults.has('ignore-client-conditional')) return false;
  const inm = req.headers['if-none-match'];
  if (inm !== undefined) {
    const etag = headers['etag'];
    if (!etag) return false;
    const strip = (t: string) => t.trim().replace(/^W\//, '');
    return inm
      .split(',')
      .map(strip)
      .some((t) => t === '*' || t === strip(etag));
  }
  const ims = Date.parse(req.headers['if-modified-since'] ?? '');
  const lastModified = Date.parse(headers['last-modified'] ?? '');
  return !Number.isNaN(ims) && !Number.isNaN(lastModified) && lastModified <= ims;
}
