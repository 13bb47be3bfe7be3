// Fault switches that break the reference edge's TLS behaviour (viewer side
// and origin side).

export const TLS_FAULTS = {} as const;
