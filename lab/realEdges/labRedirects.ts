// The redirects every real lab edge makes, and what the lab promises about them (targets.yaml `redirects:`),
// with the reference lab's values: each program's configuration is written from these, so config and promise
// cannot drift apart. A lab has no GeoIP: a viewer's place is its loopback source address.
import type { LabInstance } from '../../harness/target/lab.js';
import { LAB_HOSTNAMES } from '../labCertificates.js';

export type LabRedirects = NonNullable<LabInstance['redirects']>;

/** What a plain-HTTP GET or HEAD gets; any other method gets 308, which keeps the method and body. */
export const HTTPS_STATUS = 301;
/** What any other method gets, over plain HTTP and to the canonical host. */
export const METHOD_KEEPING_STATUS = 308;

/** Every other lab hostname redirects to it over HTTPS, with the path and query kept. */
export const CANONICAL_HOST: string = LAB_HOSTNAMES[0];

/** Viewers the edge itself sends elsewhere (302; 307 for methods other than GET and HEAD), never cached. */
export const VIEWER_REDIRECTS: Readonly<Record<string, string>> = {
  '127.0.0.20': 'https://eu.lab.edgecheck.test/',
};

/** Where the lab places viewers by address (127.0.0.9 and .10 are the signed-urls suite's); everyone else is US. */
export const VIEWER_COUNTRIES: Readonly<Record<string, string>> = {
  '127.0.0.21': 'DE',
  '127.0.0.22': 'FR',
};
export const DEFAULT_COUNTRY = 'US';

/** The header the edge tells the origin the viewer's country in, and keeps in its cache key. */
export const COUNTRY_HEADER = 'CloudFront-Viewer-Country';

/** Every country the lab places a viewer in, the default first. */
export const LAB_COUNTRIES: readonly string[] = [DEFAULT_COUNTRY, ...new Set(Object.values(VIEWER_COUNTRIES))];

/** What a real lab edge promises when it does all of the above; a program that cannot narrows it (RealEdge). */
export const LAB_REDIRECTS: LabRedirects = {
  https: HTTPS_STATUS,
  canonical_host: CANONICAL_HOST,
  viewer_location: [
    ...Object.entries(VIEWER_REDIRECTS).map(([from, to]) => ({ from, to })),
    ...Object.entries(VIEWER_COUNTRIES).map(([from, country]) => ({ country, from })),
  ],
  country_header: COUNTRY_HEADER,
};

/** The hostnames that redirect to the canonical one: none where the edge does not serve the canonical host. */
export function nonCanonical(hostnames: readonly string[]): string[] {
  return hostnames.includes(CANONICAL_HOST) ? hostnames.filter((host) => host !== CANONICAL_HOST) : [];
}

/** A viewer-location URL without its trailing slash, for a request path (which starts with one) to follow. */
export function viewerRedirectBase(to: string): string {
  return to.replace(/\/$/, '');
}
