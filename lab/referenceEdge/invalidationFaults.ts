// Fault switches that break the reference edge's invalidation: what its PoPs
// drop, what its regional tier keeps, and what its API claims. Each is a way
// real purges have been accepted and removed less than they promised.

export const INVALIDATION_FAULTS = {
  'pop-never-invalidates': 'the last edge address (PoP) never applies an invalidation',
  'ignore-invalidation-wildcards': 'takes a trailing * in an invalidation path literally, so a prefix drops nothing',
  'invalidation-as-prefix': 'drops every path that starts with an invalidated path (/dir also drops /dirx)',
  'regional-keeps-old-copy': 'the regional tier (origin shield) keeps its copy, so PoPs refill from it',
  'variant-survives': 'drops only the identity copy of a varied object: the gzip copy survives',
  'errors-survive-invalidation': 'keeps stored error responses (a cached 404) through an invalidation',
  'early-completion': 'reports an invalidation Completed before the last PoP has applied it',
  'soft-purge-drops': 'treats a soft purge as a hard one: the stale copy is dropped, not served while refetching',
} as const;
