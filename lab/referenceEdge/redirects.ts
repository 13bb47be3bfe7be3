// The redirects the reference edge makes itself, and what it promises about them (targets.yaml
// `redirects:`): plain HTTP to HTTPS on the same host, every other lab hostname to the canonical one,
// and viewers from one address to the EU site, as a CloudFront Function at viewer request would.
// Each fault switch in redirectFaults.ts bends one of them.
import type { LabInstance } from '../../harness/target/lab.js';
import { LAB_HOSTNAMES } from '../labCertificates.js';
import type { ReferenceEdgeFault } from './faults.js';
import { COUNTRY_HEADER, VIEWER_COUNTRIES, viewerAddress } from './viewerCountry.js';

type RedirectPromises = NonNullable<LabInstance['redirects']>;

/** What a plain-HTTP GET or HEAD gets; other methods get 308, which keeps the method and body. */
const HTTPS_STATUS = 301;
const CANONICAL_HOST: string = LAB_HOSTNAMES[0];
const HOSTNAMES: readonly string[] = LAB_HOSTNAMES;

/** Viewers the edge itself sends elsewhere, by source address: the URL their path and query are appended to. */
const VIEWER_REDIRECTS: Readonly<Record<string, string>> = {
  '127.0.0.20': 'https://eu.lab.edgecheck.test/',
};

/** The promises the lab surfaces to the harness; the functions below keep them. */
export const REFERENCE_EDGE_REDIRECT_PROMISES: RedirectPromises = {
  https: HTTPS_STATUS,
  canonical_host: CANONICAL_HOST,
  country_header: COUNTRY_HEADER,
  viewer_location: [
    ...Object.entries(VIEWER_REDIRECTS).map(([from, to]) => ({ from, to })),
    ...Object.entries(VIEWER_COUNTRIES).map(([from, country]) => ({ country, from })),
  ],
};

/** An answer the edge makes itself: a status, a Location, no body. */
export interface EdgeRedirect {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** What of a viewer's request a redirect reads. */
export interface RedirectView {
  method?: string | undefined;
  /** the request target exactly as received */
  url?: string | undefined;
  headers: { host?: string | undefined };
  socket: { remoteAddress?: string | undefined; localPort?: number | undefined };
}

/**
 * The plain-HTTP listener's answer to every request: to HTTPS on the same host and the HTTPS port, with
 * the path and query byte for byte. No HSTS: RFC 6797 7.2 forbids it over plain HTTP.
 */
export function httpsRedirect(
  req: RedirectView,
  httpsPort: number,
  hsts: string,
  faults: ReadonlySet<ReferenceEdgeFault>,
): EdgeRedirect {
  const host = hostOf(req.headers.host);
  const status = httpsStatus(req.method, faults);
  const to = faults.has('redirect-other-host') ? otherHost(host) : host;
  const target = pathAndQuery(req.url);
  const kept = faults.has('redirect-drops-query') ? target.replace(/\?.*$/s, '') : target;
  const headers: Record<string, string> = { location: `https://${to}:${httpsPort}${kept}` };
  if (faults.has('hsts-over-http')) headers['strict-transport-security'] = hsts;
  return { status, headers, body: Buffer.alloc(0) };
}

/**
 * A redirect made before the cache is looked at, on HTTPS (a viewer-request function's): a viewer the
 * edge sends elsewhere by address, or another lab hostname to the canonical one. Never stored.
 */
export function viewerRequestRedirect(
  req: RedirectView,
  faults: ReadonlySet<ReferenceEdgeFault>,
): EdgeRedirect | undefined {
  const target = pathAndQuery(req.url);
  const away = VIEWER_REDIRECTS[viewerAddress(req.socket)];
  if (away !== undefined) {
    return made(isGetOrHead(req.method) ? 302 : 307, `${away}${target.slice(1)}`, 'viewer-location');
  }
  const to = canonicalFor(hostOf(req.headers.host), faults);
  if (to === undefined) return undefined;
  // the port the viewer reached this HTTPS listener on
  const port = req.socket.localPort === undefined ? '' : `:${req.socket.localPort}`;
  return made(isGetOrHead(req.method) ? 301 : 308, `https://${to}${port}${target}`, 'canonical-host');
}

function httpsStatus(method: string | undefined, faults: ReadonlySet<ReferenceEdgeFault>): number {
  if (isGetOrHead(method)) return faults.has('redirect-302') ? 302 : HTTPS_STATUS;
  return faults.has('redirect-post-301') ? 301 : 308;
}

function made(status: number, location: string, why: string): EdgeRedirect {
  return { status, headers: { location, 'cache-status': `edgecheck-ref; detail=${why}` }, body: Buffer.alloc(0) };
}

/** Where an HTTPS request for this host is sent, if anywhere: a lab hostname other than the canonical one. */
function canonicalFor(host: string, faults: ReadonlySet<ReferenceEdgeFault>): string | undefined {
  if (!HOSTNAMES.includes(host)) return undefined;
  if (host !== CANONICAL_HOST) return CANONICAL_HOST;
  return faults.has('redirect-loop') ? otherHost(host) : undefined;
}

/** Browsers turn a POST into a GET after a 301 or 302 (RFC 9110 15.4.2): only GET and HEAD may get them. */
function isGetOrHead(method: string | undefined): boolean {
  return method === undefined || method === 'GET' || method === 'HEAD';
}

/** The next lab hostname after this one (the canonical one for a host the lab does not serve). */
function otherHost(host: string): string {
  const at = HOSTNAMES.indexOf(host);
  return HOSTNAMES[(at + 1) % HOSTNAMES.length] ?? CANONICAL_HOST;
}

/** The Host header without its port, in lower case (an IPv6 literal keeps its brackets). */
function hostOf(header: string | undefined): string {
  return (header ?? 'localhost').replace(/:\d+$/, '').toLowerCase();
}

/** The path and query of a request target as received; an absolute-form target loses its scheme and authority. */
function pathAndQuery(url: string | undefined): string {
  if (url === undefined || url === '') return '/';
  if (url.startsWith('/')) return url;
  const rest = url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '');
  return rest.startsWith('/') ? rest : `/${rest}`;
}
