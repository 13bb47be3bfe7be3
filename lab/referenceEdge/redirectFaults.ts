// Fault switches that break the reference edge's redirects (redirects.ts) and what it tells the origin
// about the viewer (viewerCountry.ts): each is a way real HTTPS, canonical-host and geo redirects go wrong.

export const REDIRECT_FAULTS = {
  'redirect-drops-query': 'sends plain HTTP to HTTPS without the query string',
  'redirect-302': 'sends plain-HTTP GET and HEAD to HTTPS with 302 instead of the promised 301',
  'redirect-loop': 'sends HTTPS requests for the canonical host to the other hostname, which sends them back: a loop',
  'redirect-other-host': 'sends plain HTTP to HTTPS on another lab hostname than the one asked for',
  'hsts-over-http': 'sends Strict-Transport-Security on plain-HTTP answers too',
  'redirect-post-301': 'sends a plain-HTTP POST (any method but GET and HEAD) to HTTPS with 301, not 308',
  'redirects-not-cached': "never stores a redirect, whatever the origin's Cache-Control says",
  'caches-307': 'stores a 302 or 307 without Cache-Control for 60 s, as an edge with a default TTL for redirects would',
  'location-made-absolute': "rewrites the origin's relative Location into an absolute URL on the edge's host",
  'viewer-redirect-cached': 'stores its viewer-location redirect under the URL and serves it to every viewer (60 s)',
  'country-not-in-cache-key':
    "sends the viewer's country to the origin but keeps it out of the cache key: one country's answer serves all",
} as const;
