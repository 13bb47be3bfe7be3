// The reference lab's routes for caching behaviour (path prefixes on the edge
// and what each promises), declared as a user would declare them in
// targets.yaml. suites/caching.yaml and revalidation.yaml name these routes.
import type { LabRoute } from '../../harness/target/lab.js';

const YEAR = 31_536_000;

export const CACHING_ROUTES: Record<string, LabRoute> = {
  default: { path: '/', ttl: { min: 0, default: 0, max: YEAR }, query_key: 'all' },
  'ttl-default': { path: '/ttl-default/', ttl: { min: 0, default: 60, max: YEAR } },
  'ttl-clamp': { path: '/ttl-clamp/', ttl: { min: 5, default: 5, max: 6 } },
  'query-all': { path: '/query-all/', query_key: 'all' },
  'query-none': { path: '/query-none/', query_key: 'none' },
  'query-list': { path: '/query-list/', query_key: ['v'] },
  compress: { path: '/compress/', compress: true },
  errors: { path: '/errors/', error_ttl: '2s' },
  failover: { path: '/failover/', failover: true },
  // behind the regional tier every PoP shares, as behind CloudFront's regional edge caches or an origin shield
  shield: { path: '/shield/', shield: true },
};
