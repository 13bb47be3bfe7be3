// The real edge programs the lab can run, by the name targets.yaml uses.
import { nginx } from './nginx.js';
import { squid } from './squid.js';
import { trafficserver } from './trafficserver.js';
import { varnish } from './varnish.js';
import type { RealEdge, RealEdgeName } from './realEdge.js';
import { startRealLab, type RealLab, type RealLabOptions } from './realLab.js';

export { REAL_EDGE_NAMES, aptGetLine, type EdgeInvalidation, type EdgeSigning, type RealEdge, type RealEdgeName } from './realEdge.js';
export { missingBinaries, startRealLab, type RealLab } from './realLab.js';
export { programVersion } from './programVersion.js';

export const realEdges: Record<RealEdgeName, RealEdge> = {
  nginx,
  varnish,
  trafficserver,
  squid,
};

const starter = (edge: RealEdge) => (target: RealLabOptions) => startRealLab(edge, target);

/** For harness/target/openTarget.ts: each real edge, started with its target's declared routes. */
export const realLabStarters: Record<RealEdgeName, (target: RealLabOptions) => Promise<RealLab>> = {
  nginx: starter(nginx),
  varnish: starter(varnish),
  trafficserver: starter(trafficserver),
  squid: starter(squid),
};
