// What a cache hit looks like in each vendor's header, for scripts that run
// where harness/cacheStatus cannot (k6): the header, and a pattern its last
// member matches on a hit. A simplification of the dialects, which stay the
// reference for everything edgecheck reads itself.

const TABLE: Record<string, Array<[string, RegExp]>> = {
  cloudflare: [['cf-cache-status', /^(HIT|STALE|UPDATING)$/i]],
  cloudfront: [['x-cache', /^hit from cloudfront$/i]],
  akamai: [['x-cache', /^TCP_(MEM_|IMS_|NEGATIVE_|REFRESH_FAIL_)?HIT\b/]],
  fastly: [['x-cache', /^HIT/]],
  rfc9211: [['cache-status', /;\s*hit\b/i]],
  nginx: [['x-cache-status', /^(HIT|STALE|UPDATING)$/i]],
  trafficserver: [['x-cache', /^hit-(fresh|stale)/]],
  varnish: [['x-varnish', /^\d+ \d+$/]],
};

/** The table for one dialect; for auto, every vendor's in the order harness/cacheStatus tries them. */
export function cacheClaimTable(dialect: string): Array<[string, RegExp]> {
  return TABLE[dialect] ?? Object.values(TABLE).flat();
}
