// The reference lab's routes for caching behaviour (path prefixes on the edge
// and what each promises), as targets.yaml would declare them.
import type { LabRoute } from '../labInstance.js';

export const CACHING_ROUTES: Record<string, LabRoute> = {
  default: { path: '/', ttl: { min: 0, default: 0, max: 31_536_000 }, query_key: 'all' },
};
