// The lab edges by the name targets.yaml's `lab:` uses: the one list of them.
// The cli hands this catalogue to the harness, which knows labs only through
// harness/target/lab.ts.
import type { LabCatalogue, LabEdge } from '../harness/target/lab.js';
import {
  canRunInFront,
  REAL_EDGE_NAMES,
  realEdges,
  startRealLab,
  type RealEdge,
  type RealEdgeName,
} from './realEdges/index.js';
import { REFERENCE_EDGE_FAULTS, type ReferenceEdgeFault } from './referenceEdge/faults.js';
import { startReferenceLab } from './referenceLab.js';

const isReferenceFault = (name: string): name is ReferenceEdgeFault => name in REFERENCE_EDGE_FAULTS;

const reference: LabEdge = {
  faults: REFERENCE_EDGE_FAULTS,
  // targets.yaml has checked each fault against `faults` above before a start
  start: ({ faults = [], routes, addresses }) =>
    startReferenceLab({
      faults: faults.filter(isReferenceFault),
      ...(routes ? { routes } : {}),
      ...(addresses ? { addresses } : {}),
    }),
};

/** `reference` first, then the real edges: the order `lab list` shows them in. */
export const LAB_NAMES = ['reference', ...REAL_EDGE_NAMES] as const;
export type LabName = (typeof LAB_NAMES)[number];

const realLab = (edge: RealEdge): LabEdge => ({
  faults: edge.faults ?? {},
  // which pairs can run as two tiers is each program's `tiers` to say (lab/realEdges/<program>.ts)
  parents: REAL_EDGE_NAMES.filter((name) => canRunInFront(edge, realEdges[name])),
  // targets.yaml has checked `parent` against `parents` above before a start
  start: ({ parent, ...options }) => {
    if (parent === undefined) return startRealLab(edge, options);
    if (!Object.hasOwn(realEdges, parent)) throw new Error(`no real edge named ${parent} to run as a parent tier`);
    return startRealLab(edge, { ...options, parent: realEdges[parent as RealEdgeName] });
  },
});

export const labEdges: LabCatalogue & Record<LabName, LabEdge> = {
  reference,
  nginx: realLab(realEdges.nginx),
  varnish: realLab(realEdges.varnish),
  trafficserver: realLab(realEdges.trafficserver),
  squid: realLab(realEdges.squid),
};
