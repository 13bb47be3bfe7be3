// Turns a target from targets.yaml into something the runner can send requests
// to: starts a lab target, resolves edge addresses, connects the origin control.
import { lookup } from 'node:dns/promises';
import { dialectByName } from '../cacheStatus/index.js';
import type { CacheStatusDialect } from '../cacheStatus/dialect.js';
import type { NamedTarget } from '../config/load.js';
import type { RedirectPromises } from '../config/redirectsSchema.js';
import type { RouteConfig, TargetConfig } from '../config/targetsSchema.js';
import { ConfigError, HarnessError } from '../errors.js';
import { HttpClient } from '../http/client.js';
import { invalidationSchema, openInvalidation, type TargetInvalidation } from '../invalidation/index.js';
import { OriginControl } from '../origin/originControl.js';
import { openSigning, signingSchema, type TargetSigning } from '../signing/index.js';
import type { LabCatalogue, LabInstance, LabRoute } from './lab.js';

export type Route = Exclude<RouteConfig, string>;

export interface OpenTarget {
  name: string;
  /** the URL requests are made against (scheme, hostname, port) */
  url: URL;
  hostnames: string[];
  /** edge addresses to pin requests to; empty = ordinary name resolution */
  addresses: string[];
  routes: Record<string, Route>;
  cacheStatus: CacheStatusDialect;
  origin?: OriginControl;
  config: TargetConfig;
  http: HttpClient;
  /** for lab targets, the plain-HTTP listener */
  httpUrl?: URL;
  /** what the viewer side promises over TLS, with its trust anchors (targets.yaml tls:, over a lab's own) */
  tls?: NonNullable<TargetConfig['tls']>;
  /** how to invalidate on it (targets.yaml invalidation:, over a lab's own) */
  invalidation?: TargetInvalidation;
  /** how to sign URLs and cookies for it (targets.yaml signing:, over a lab's own) */
  signing?: TargetSigning;
  /** what it promises about redirects (targets.yaml redirects:, over a lab's own) */
  redirects?: RedirectPromises;
  close(): Promise<void>;
}

/** `labs`: the lab edges a `lab:` target may start (the cli hands in lab/labs.ts). */
export async function openTarget(named: NamedTarget, labs: LabCatalogue): Promise<OpenTarget> {
  const { config } = named;
  if (config.lab !== undefined) return openLabTarget(named, labs);
  const url = new URL(config.url!);
  const hostnames = config.hostnames ?? [url.hostname];
  const addresses = await resolveEdges(config, url.hostname);
  const http = new HttpClient({ ca: config.tls?.ca });
  const origin = config.origin
    ? new OriginControl(config.origin.control, config.origin.token, config.origin.ca)
    : undefined;
  // without its origin the harness cannot tell a hit from a miss: fail fast, before any check
  await origin?.health();
  const invalidation = config.invalidation
    ? openInvalidation(config.invalidation, { url, hostnames, addresses, http })
    : undefined;
  const signing = config.signing ? openSigning(config.signing) : undefined;
  return {
    name: named.name,
    url,
    hostnames,
    addresses,
    routes: normalizeRoutes(config.routes),
    ...(signing ? { signing } : {}),
    ...(config.redirects ? { redirects: config.redirects } : {}),
    ...(config.tls ? { tls: config.tls } : {}),
    cacheStatus: dialectByName(config.cache_status ?? 'auto'),
    ...(origin ? { origin } : {}),
    ...(invalidation ? { invalidation } : {}),
    config,
    http,
    async close() {
      await invalidation?.provider.close?.();
      await http.close();
      await origin?.close();
    },
  };
}

async function openLabTarget(named: NamedTarget, labs: LabCatalogue): Promise<OpenTarget> {
  const { config } = named;
  const edge = Object.hasOwn(labs, config.lab!) ? labs[config.lab!] : undefined;
  if (!edge) throw new ConfigError(`target ${named.name}: lab '${config.lab}' is not available in this build`);
  let lab: LabInstance;
  try {
    lab = await edge.start({
      ...(config.faults ? { faults: config.faults } : {}),
      ...(config.routes ? { routes: config.routes } : {}),
      ...(Array.isArray(config.edges) ? { addresses: config.edges } : {}),
      ...(config.parent ? { parent: config.parent } : {}),
    });
  } catch (err) {
    throw new HarnessError(`target ${named.name}: the ${config.lab} lab could not start: ${(err as Error).message}`);
  }
  const http = new HttpClient({ ca: lab.caPem });
  const origin = new OriginControl(lab.origin.control, lab.origin.token);
  const url = new URL(lab.url);
  // the lab's own block is the harness's to trust no more than a user's: it is validated the same way
  const invalidationConfig =
    config.invalidation ?? (lab.invalidation ? invalidationSchema.parse(lab.invalidation) : undefined);
  const invalidation = invalidationConfig
    ? openInvalidation(invalidationConfig, { url, hostnames: lab.hostnames, addresses: lab.addresses, http })
    : undefined;
  const signingConfig = config.signing ?? (lab.signing ? signingSchema.parse(lab.signing) : undefined);
  const signing = signingConfig ? openSigning(signingConfig) : undefined;
  return {
    name: named.name,
    url,
    httpUrl: new URL(lab.httpUrl),
    ...(signing ? { signing } : {}),
    ...(lab.redirects || config.redirects ? { redirects: { ...lab.redirects, ...config.redirects } } : {}),
    hostnames: lab.hostnames,
    addresses: lab.addresses,
    routes: normalizeRoutes(lab.routes),
    tls: { ...lab.tls, ...config.tls, ca: lab.caPem },
    cacheStatus: dialectByName(config.cache_status ?? lab.cacheStatus),
    origin,
    ...(invalidation ? { invalidation } : {}),
    config,
    http,
    async close() {
      await invalidation?.provider.close?.();
      await http.close();
      await origin.close();
      await lab.close();
    },
  };
}

/** Routes by name, with no prototype: a name such as `constructor` is no route. */
export function normalizeRoutes(routes: Record<string, RouteConfig | LabRoute> | undefined): Record<string, Route> {
  const out = Object.create(null) as Record<string, Route>;
  for (const [name, r] of Object.entries(routes ?? {})) out[name] = typeof r === 'string' ? { path: r } : (r as Route);
  if (!out['default']) out['default'] = { path: '/' };
  return out;
}

async function resolveEdges(config: TargetConfig, hostname: string): Promise<string[]> {
  if (config.edges === undefined) return [];
  if (config.edges !== 'dns') return config.edges;
  try {
    const found = await lookup(hostname, { all: true });
    return [...new Set(found.map((a) => a.address))];
  } catch (err) {
    throw new HarnessError(
      `edges: dns: cannot resolve ${hostname}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    );
  }
}
