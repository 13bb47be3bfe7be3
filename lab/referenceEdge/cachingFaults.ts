// Fault switches that break the reference edge's caching behaviour.

export const CACHING_FAULTS = {
  'ignore-s-maxage': 'uses max-age even when s-maxage is present',
  'ignore-max-age': 'does not take freshness from max-age',
  'ignore-expires': 'does not take freshness from Expires',
  'never-expire': 'serves stored responses forever, never revalidating',
  'store-no-store': 'stores responses marked no-store',
  'store-private': 'stores responses marked private',
  'no-age': 'sends no Age header',
  'frozen-age': 'sends Age: 0 on every hit',
  'no-revalidation': 'refetches stale objects without If-None-Match / If-Modified-Since',
  'drop-304-headers': 'keeps the old headers when a 304 refreshes a stored response',
  'no-cache-status': 'sends no Cache-Status header',
  'ignore-upstream-age': 'ignores the Age header received from upstream',
} as const;
