// The regional tier (an origin shield): one cache shared by every PoP, in
// front of the origin, for routes that declare `shield: true`. A PoP's miss on
// such a route is answered from here while the copy here is fresh, so a purge
// that reaches the PoPs and not this tier lets them refill with the old copy.
import type { IncomingHttpHeaders } from 'node:http';
import { cacheKey, EdgeCache, type StoredResponse } from './edgeCache.js';
import type { EdgeRoute } from './edgeNode.js';
import { currentAge, freshnessLifetime, parseCacheControl, storable } from './freshness.js';
import type { PurgeMatch } from './purge.js';
import { fetchUpstream, type UpstreamResult } from './upstream.js';
import { variantSuffix, varyNames } from './variants.js';
import { countryIn } from './viewerCountry.js';

/** The tier keeps RFC 9111's rules whatever the PoPs' fault switches say: it is not the edge under test. */
const NO_FAULTS: ReadonlySet<never> = new Set();

export class RegionalTier {
  private readonly cache = new EdgeCache();

  /** The route's origin answer, from this tier's store while fresh (with its Age), else fetched and stored. */
  async fetch(
    route: EdgeRoute,
    method: string,
    url: string,
    headers: Record<string, string>,
    viewerHost: string,
  ): Promise<UpstreamResult> {
    const key = cacheKey(viewerHost, url, route.queryKey, countryIn(headers));
    const request = headers as IncomingHttpHeaders;
    const variantKey = `${key}#${variantSuffix(this.cache.varyOf(key), request)}`;
    const stored = method === 'GET' ? this.cache.get(variantKey) : undefined;
    if (stored) {
      const age = currentAge(
        { ...stored, date: stored.headers['date'], age: stored.headers['age'] },
        Date.now(),
        NO_FAULTS,
      );
      if (stored.lifetime * 1000 > age) {
        const now = Date.now();
        const answer = { ...stored.headers, age: String(Math.floor(age / 1000)) };
        return {
          ok: true,
          status: stored.status,
          headers: answer,
          body: stored.body,
          requestTime: now,
          responseTime: now,
        };
      }
    }
    // the tier fetches whole objects: the PoP's validators are for the PoP's copy
    const { 'if-none-match': _inm, 'if-modified-since': _ims, ...plain } = headers;
    const fetched = await fetchUpstream(route.origin, method, url, plain);
    if (fetched.ok && fetched.status === 200) this.store(route, method, key, request, fetched);
    return fetched;
  }

  /** Applies an invalidation to this tier's store; returns how many copies went. */
  invalidate(match: PurgeMatch): number {
    return this.cache.drop(match);
  }

  private store(route: EdgeRoute, method: string, key: string, request: IncomingHttpHeaders, fetched: Fetched): void {
    const verdict = storable(method, fetched.status, parseCacheControl(undefined), fetched.headers, NO_FAULTS);
    if (!verdict.store) return;
    const vary = varyNames(fetched.headers);
    const entry: StoredResponse = {
      status: fetched.status,
      headers: fetched.headers,
      body: fetched.body,
      requestTime: fetched.requestTime,
      responseTime: fetched.responseTime,
      lifetime: freshnessLifetime(fetched.headers, route.ttl, NO_FAULTS, fetched.status),
    };
    this.cache.put(key, vary, `${key}#${variantSuffix(vary, request)}`, entry);
  }
}

type Fetched = Extract<UpstreamResult, { ok: true }>;
