// The real edge programs the lab can run, by the name targets.yaml uses.
import { nginx } from './nginx.js';
import { squid } from './squid.js';
import { trafficserver } from './trafficserver.js';
import { varnish } from './varnish.js';
import type { RealEdge, RealEdgeName } from './realEdge.js';

export {
  REAL_EDGE_NAMES,
  aptGetLine,
  type EdgeInvalidation,
  type EdgeSigning,
  type RealEdge,
  type RealEdgeName,
} from './realEdge.js';
export { canRunInFront, missingBinaries, startRealLab, type RealLab } from './realLab.js';
export { programVersion } from './programVersion.js';

export const realEdges: Record<RealEdgeName, RealEdge> = {
  nginx,
  varnish,
  trafficserver,
  squid,
};
