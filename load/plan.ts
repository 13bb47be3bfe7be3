// A surge plan after loading: durations in milliseconds, rates resolved,
// thresholds merged per phase. Everything in load/ after the loader trusts it.
import type { SourcePosition } from '../harness/errors.js';
import type { YamlPath } from '../harness/config/yamlSource.js';
import type { SuiteObject } from '../harness/origin/protocol.js';
import type { PhaseKind, SurgeModel, SurgeProtocol, ThresholdName } from '../harness/surgeRecord.js';
import type { VisitPlan } from './visitPlan.js';

export interface Limit {
  name: ThresholdName;
  /** as written in the plan: "250ms", "0.1%", "95%" */
  text: string;
  /** ms for latency, a ratio for errors and cache_hit_ratio, requests per second otherwise */
  value: number;
  /** min_rps as a share of the planned rate */
  relative?: boolean;
}

export interface PlanPhase {
  index: number;
  kind: PhaseKind;
  /** requests per second (open model), connections (closed model) or new visitors per second (visitors model) */
  from: number;
  to: number;
  startMs: number;
  durationMs: number;
  label: string;
  /** the plan's thresholds with this phase's overrides */
  thresholds: Limit[];
}

export interface PlanPath {
  path: string;
  weight: number;
  headers: Record<string, string>;
  object: SuiteObject;
  /** the path's own protocol, else the plan's */
  protocol: SurgeProtocol;
}

export interface SurgePlan {
  name: string;
  title?: string;
  file: string;
  model: SurgeModel;
  /** h1: autocannon over HTTP/1.1 keep-alive; h2: node:http2, `streams` per connection (paths may say otherwise) */
  protocol: SurgeProtocol;
  /** the protocols the paths use, h1 before h2: two when the paths mix them, and the fleet is split by weight */
  protocols: SurgeProtocol[];
  /** h2, open and closed models: concurrent streams per connection */
  streams: number;
  /** visitors model: what a visit is */
  visit?: VisitPlan;
  phases: PlanPhase[];
  paths: PlanPath[];
  headers: Record<string, string>;
  route: string;
  bees: number;
  /** open model: the connection pool; closed model: the peak of the phases; visitors model: most visits open at once */
  connections: number;
  timeoutMs: number;
  prime: boolean;
  /** plan-level thresholds, in the schema's order (latency, errors, cache, origin, rate) */
  thresholds: Limit[];
  durationMs: number;
  /** the highest level any phase reaches */
  peak: number;
  /** where a part of the plan was written, for errors found after loading */
  where(path: YamlPath): SourcePosition;
}

/**
 * The bees open connections of their own (a new one per visit, or h2 for some path) and count their
 * handshakes; otherwise autocannon keeps a few HTTP/1.1 connections alive and no handshake is counted.
 */
export function opensOwnConnections(plan: Pick<SurgePlan, 'model' | 'protocols'>): boolean {
  return plan.model === 'visitors' || plan.protocols.includes('h2');
}
