// Where the reference edge places a viewer, from the viewer's source address alone (a lab has no GeoIP):
// the country it tells the origin in CloudFront-Viewer-Country and keeps in the cache key, as a
// CloudFront origin request policy and cache policy that both name the header do.

/** The header as CloudFront spells it; Node gives request headers in lower case. */
export const COUNTRY_HEADER = 'CloudFront-Viewer-Country';
const COUNTRY_FIELD = COUNTRY_HEADER.toLowerCase();

/** Loopback addresses the lab places abroad (127.0.0.9 and .10 are the signed-urls suite's, so not these). */
export const VIEWER_COUNTRIES: Readonly<Record<string, string>> = {
  '127.0.0.21': 'DE',
  '127.0.0.22': 'FR',
};

/** Every other viewer. */
export const DEFAULT_COUNTRY = 'US';

/** The viewer's address as the edge's socket sees it, an IPv4-mapped IPv6 address as plain IPv4. */
export function viewerAddress(socket: { remoteAddress?: string | undefined }): string {
  return (socket.remoteAddress ?? '').replace(/^::ffff:/i, '');
}

export function countryOf(address: string): string {
  return VIEWER_COUNTRIES[address] ?? DEFAULT_COUNTRY;
}

/** The origin request's headers with the viewer's country, whatever country the viewer claimed. */
export function withCountry(headers: Record<string, string>, country: string): Record<string, string> {
  return { ...headers, [COUNTRY_FIELD]: country };
}

/** The country an origin request carries (the regional tier keys its cache on it as the PoPs do). */
export function countryIn(headers: Record<string, string>): string | undefined {
  return headers[COUNTRY_FIELD];
}
