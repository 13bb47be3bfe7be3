// A url: target as its configuration describes it, without opening it: no
// DNS lookup, no origin health check, no connection. Enough to ask which
// checks it would skip (runner/needs.ts) before anything touches the network.
import { dialectByName } from '../cacheStatus/index.js';
import type { NamedTarget } from '../config/load.js';
import { HarnessError } from '../errors.js';
import { HttpClient } from '../http/client.js';
import { normalizeRoutes, type OpenTarget } from './openTarget.js';

/** Its probe origin, invalidation and signing are left out: ask with those needs assumed (missingNeed's `assumed`). */
export function plannedTarget(named: NamedTarget): OpenTarget {
  const { config } = named;
  if (config.url === undefined) throw new HarnessError(`target ${named.name}: a lab target is planned by starting it`);
  const url = new URL(config.url);
  // the client opens nothing until a request is sent, and none is
  const http = new HttpClient();
  return {
    name: named.name,
    url,
    hostnames: config.hostnames ?? [url.hostname],
    addresses: Array.isArray(config.edges) ? config.edges : [],
    routes: normalizeRoutes(config.routes),
    ...(config.tls ? { tls: config.tls } : {}),
    ...(config.redirects ? { redirects: config.redirects } : {}),
    cacheStatus: dialectByName(config.cache_status ?? 'auto'),
    config,
    http,
    close: () => http.close(),
  };
}
