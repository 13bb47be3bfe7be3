// The reference edge's fault switches: each breaks one behaviour a suite check
// guards, so the project can show that check failing. Data only, so config
// validation can list them. One file per area keeps each list owned by the
// behaviour it breaks.
import { CACHING_FAULTS } from './cachingFaults.js';
import { INVALIDATION_FAULTS } from './invalidationFaults.js';
import { REDIRECT_FAULTS } from './redirectFaults.js';
import { SIGNING_FAULTS } from './signingFaults.js';
import { TLS_FAULTS } from './tlsFaults.js';

export const REFERENCE_EDGE_FAULTS = {
  ...CACHING_FAULTS,
  ...TLS_FAULTS,
  ...INVALIDATION_FAULTS,
  ...SIGNING_FAULTS,
  ...REDIRECT_FAULTS,
} as const;

export type ReferenceEdgeFault = keyof typeof REFERENCE_EDGE_FAULTS;
export const referenceEdgeFaultNames = Object.keys(REFERENCE_EDGE_FAULTS) as ReferenceEdgeFault[];
