// What each real edge program (nginx, Varnish, ATS, Squid) tells the lab: how
// to tell it is installed, what it serves, what it cannot do, and how to start it.
import type { DialectName } from '../../harness/cacheStatus/index.js';
import type { LabRoute, LabTlsPromises } from '../../harness/target/lab.js';
import { CACHING_ROUTES } from '../referenceEdge/cachingRoutes.js';
import type { ProbeOrigin } from '../probeOrigin/probeOrigin.js';
import type { LabDir } from './labDir.js';
import type { LabRedirects } from './labRedirects.js';
import type { VersionProbe } from './programVersion.js';
import type { Supervised } from './supervisor.js';

export const REAL_EDGE_NAMES = ['nginx', 'varnish', 'trafficserver', 'squid'] as const;
export type RealEdgeName = (typeof REAL_EDGE_NAMES)[number];

export interface EdgeSetup {
  dir: LabDir;
  origin: ProbeOrigin;
  /** the loopback address this copy's viewer-facing listeners bind (one per PoP; 127.0.0.1 for one) */
  address: string;
  /** the viewer-facing listeners on `address` */
  ports: { http: number; https: number };
  /** free ports for the program's internal listeners (e.g. Varnish behind hitch), also on `address` */
  internalPorts: number[];
  /** the routes the edge serves, from routes() */
  routes: Record<string, LabRoute>;
  hostnames: string[];
  /** true when edgecheck runs as root and the program must be told whom to run as */
  asRoot: boolean;
  /** fault switches from targets.yaml, each one of the program's `faults` */
  faults: ReadonlySet<string>;
  /** a random secret for the lab (the same for every PoP), e.g. the signed route's */
  secret: string;
  /**
   * edge: a viewer-facing copy (HTTPS and plain HTTP, as the program does it); parent: the one shared tier of a
   * two-tier lab, serving plain HTTP on `ports.http` only, caching, in front of the origin, redirecting nothing
   */
  role: 'edge' | 'parent';
  /** in a two-tier lab, the edge's parent: the shield route goes there instead of the origin */
  parent?: { host: string; port: number };
}

export interface StartedEdge {
  processes: Supervised[];
  /** ports beyond the viewer-facing ones that must accept connections first */
  readyPorts?: number[];
  /** once every port accepts: true when the program serves (for what an open port cannot tell) */
  ready?: () => Promise<boolean>;
  /** how to poke at the edge by hand, printed by `edgecheck lab up` */
  notes?: string[];
  /** the signed route's secret, where the edge checks signed URLs */
  signing?: EdgeSigning;
}

/** One way to invalidate: a request with this method (and headers) to the object's URL, or to a path prefix. */
export interface EdgeInvalidation {
  method: string;
  headers?: Record<string, string>;
  /** true: the URL names a path prefix and everything under it goes */
  prefix?: boolean;
  /** what it does, for `edgecheck lab up` */
  description: string;
}

/**
 * How the edge's `signed` route checks signatures, as a targets.yaml `signing:` block (the harness validates
 * it like a user's), e.g. nginx secure_link: {scheme: nginx-secure-link, secret}.
 */
export interface EdgeSigning {
  scheme: string;
  [option: string]: unknown;
}

export interface RealEdge {
  name: RealEdgeName;
  /** what runs, e.g. "nginx proxy_cache" */
  title: string;
  /** absolute paths that must exist */
  binaries: string[];
  /** the Debian packages that provide them */
  aptPackages: string[];
  version: VersionProbe;
  /** the cache-status dialect its vendor header speaks */
  cacheStatus: DialectName;
  /** what this program cannot do in the lab; checks needing it are skipped */
  limits: string[];
  /** configuration faults the lab can switch on (name -> what it changes), to show checks failing on a real edge */
  faults?: Record<string, string>;
  /** how a stored object is dropped or refreshed from 127.0.0.1 (and from the PoP's own address) */
  purges: EdgeInvalidation[];
  /** what its TLS listener offers viewers, as the harness checks it */
  tls: LabTlsPromises;
  /** what it promises about redirects, where it cannot keep all of LAB_REDIRECTS (absent: LAB_REDIRECTS) */
  redirects?: LabRedirects;
  internalPortCount: number;
  /** how it takes part in a two-tier lab (targets.yaml `parent:`); absent: it runs as a single tier only */
  tiers?: {
    /** as an edge, it sends the shield route to a parent (EdgeSetup.parent) */
    edge: boolean;
    /** it runs in the parent role (EdgeSetup.role) */
    parent: boolean;
  };
  routes(): Record<string, LabRoute>;
  start(setup: EdgeSetup): Promise<StartedEdge>;
}

/** The route whose URLs an edge checks signatures on (nginx secure_link, Traffic Server url_sig), never cached. */
export const SIGNED_ROUTE: LabRoute = { path: '/signed/', ttl: { min: 0, default: 0 }, query_key: 'all' };

/** The HSTS max-age every real lab edge sends on HTTPS answers. */
export const HSTS_MAX_AGE = 31_536_000;

/** What a real lab edge's TLS listener offers when it offers everything (Squid offers less). */
export const FULL_TLS_PROMISES: LabTlsPromises = {
  protocols: { accept: ['TLSv1.2', 'TLSv1.3'], refuse: ['TLSv1', 'TLSv1.1'] },
  alpn: ['h2', 'http/1.1'],
  hsts: { min_max_age: HSTS_MAX_AGE },
};

/** The line that installs what a real edge needs. */
export function aptGetLine(edge: RealEdge): string {
  return `sudo apt-get install -y ${edge.aptPackages.join(' ')}`;
}

/** The route a two-tier lab sends through its parent, at the reference lab's path (its regional tier's). */
export function shieldRoute(): LabRoute {
  return cachingRoute('shield', { shield: true });
}

/**
 * A caching route at the reference lab's path for that name (suites name
 * routes, so the names must match), with what this program promises there.
 */
function cachingRoute(name: string, promise: Omit<LabRoute, 'path'>): LabRoute {
  const path = CACHING_ROUTES[name]?.path;
  if (path === undefined) throw new Error(`no caching route named ${name}`);
  return { path, ...promise };
}

/** What a real edge's configuration promises on the standard caching routes. */
export interface StandardRoutePromises {
  /** the TTL on `/` of a response that carries no freshness of its own */
  heuristicTtl: number;
  /** the default TTL the `ttl-default` route is configured with */
  ttlDefault: number;
  /** the TTL clamp of the `ttl-clamp` route, where the program can clamp */
  ttlClamp?: { min: number; default: number; max: number };
  /** how long an error response without freshness is kept */
  errorTtl: number | string;
  /** the standard routes this program does not serve */
  without?: Array<'query-none' | 'query-list' | 'compress'>;
}

/** The caching routes the suites name, at the reference lab's paths, with this program's promises. */
export function standardRoutes(p: StandardRoutePromises): Record<string, LabRoute> {
  const routes: Record<string, LabRoute> = {
    default: { path: '/', ttl: { min: 0, default: p.heuristicTtl }, query_key: 'all' },
    'ttl-default': cachingRoute('ttl-default', { ttl: { min: 0, default: p.ttlDefault } }),
    ...(p.ttlClamp ? { 'ttl-clamp': cachingRoute('ttl-clamp', { ttl: p.ttlClamp }) } : {}),
    'query-all': cachingRoute('query-all', { query_key: 'all' }),
    'query-none': cachingRoute('query-none', { query_key: 'none' }),
    'query-list': cachingRoute('query-list', { query_key: ['v'] }),
    compress: cachingRoute('compress', { compress: true }),
    errors: cachingRoute('errors', { error_ttl: p.errorTtl }),
    failover: cachingRoute('failover', { failover: true }),
  };
  for (const name of p.without ?? []) delete routes[name];
  return routes;
}
