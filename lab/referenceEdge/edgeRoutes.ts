// A lab route (as targets.yaml declares it) turned into what the reference
// edge needs to serve it: TTLs, query key, error TTL, compression, failover,
// shield, signed URLs.
import type { LabRoute } from '../../harness/target/lab.js';
import type { EdgeRoute } from './edgeNode.js';
import type { OriginTarget } from './upstream.js';

const ONE_YEAR_S = 31_536_000;
const UNIT_S: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };

export function edgeRoute(name: string, r: LabRoute, origin: OriginTarget, secondary: OriginTarget): EdgeRoute {
  return {
    name,
    path: r.path,
    ttl: { min: r.ttl?.min ?? 0, default: r.ttl?.default ?? 0, max: r.ttl?.max ?? ONE_YEAR_S },
    queryKey: r.query_key ?? 'all',
    origin,
    ...(r.error_ttl !== undefined ? { errorTtl: seconds(r.error_ttl) } : {}),
    ...(r.compress ? { compress: true } : {}),
    ...(r.failover ? { failover: secondary } : {}),
    ...(r.shield ? { shield: true } : {}),
    ...(r.signed ? { signed: true } : {}),
  };
}

/** error_ttl as targets.yaml writes it: seconds, or "10s", "500ms", "2m". */
function seconds(value: number | string): number {
  if (typeof value === 'number') return value;
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/.exec(value.trim());
  return m ? Number(m[1]) * UNIT_S[m[2]!]! : 0;
}
