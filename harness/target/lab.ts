// What a lab edge is to the harness: the cli hands the harness a catalogue of
// lab edges (lab/labs.ts), and a target with `lab: NAME` starts one of them.
// The harness never imports lab/: it knows labs only through these interfaces.
import type { DialectName } from '../cacheStatus/index.js';
import type { RedirectPromises } from '../config/redirectsSchema.js';
import type { TlsVersionName } from '../tls/tlsVersions.js';

export type { TlsVersionName };

export interface LabRoute {
  path: string;
  ttl?: { min?: number; default?: number; max?: number };
  error_ttl?: number | string;
  query_key?: 'all' | 'none' | string[];
  compress?: boolean;
  failover?: boolean;
  /** reference lab only: which probe-origin TLS listener the route fetches from */
  origin_tls?: string;
  /** reference lab only: fetched through the regional tier (origin shield) every PoP shares */
  shield?: boolean;
  /** reference lab only: served only to requests with a valid signed URL or signed cookies (the lab's signing:) */
  signed?: boolean;
}

/** What a lab edge promises viewers over TLS, in the shape of targets.yaml's `tls:` block. */
export interface LabTlsPromises {
  protocols?: { accept?: TlsVersionName[]; refuse?: TlsVersionName[] };
  alpn?: string[];
  hsts?: { min_max_age: number };
  min_days_left?: number;
}

/** A started lab: where to send requests, what to trust, how to reach the probe origin, how to stop it. */
export interface LabInstance {
  /** https://<hostname>:<port> of the edge */
  url: string;
  /** the plain-HTTP listener (which redirects to HTTPS where the edge does) */
  httpUrl: string;
  hostnames: string[];
  /** edge node addresses; requests are pinned to them */
  addresses: string[];
  /** PEM of the lab CA the edge's certificates chain to */
  caPem: string;
  origin: { control: string; token: string };
  routes: Record<string, LabRoute>;
  /** vendor header dialect the edge speaks */
  cacheStatus: DialectName;
  /** what the edge promises over TLS; the target's own `tls:` block overrides it */
  tls?: LabTlsPromises;
  /** how to invalidate on it, in the shape of targets.yaml's `invalidation:` block; the target's own overrides it */
  invalidation?: { provider: string; [option: string]: unknown };
  /** how its `signed` route checks signatures, in the shape of targets.yaml's `signing:` block (keys in clear) */
  signing?: { scheme: string; [option: string]: unknown };
  /** what it promises about redirects, in the shape of targets.yaml's `redirects:` block */
  redirects?: RedirectPromises;
  close(): Promise<void>;
}

/** What a `lab:` target hands its lab edge when it starts it. */
export interface LabStartOptions {
  /** fault switches, each one of the edge's own `faults` (checked when targets.yaml loads) */
  faults?: string[];
  /** routes from targets.yaml, declared over the edge's own */
  routes?: Record<string, string | LabRoute>;
  /** edge addresses (PoPs) from targets.yaml's `edges:`, for a lab that can listen on several */
  addresses?: string[];
  /** targets.yaml's `parent:`: the lab whose program runs as the parent tier the edges send the shield route to */
  parent?: string;
}

/** A lab edge the harness can start by name. */
export interface LabEdge {
  /** fault switch -> what it breaks; targets.yaml may name only these */
  readonly faults: Readonly<Record<string, string>>;
  /** the labs it can run in front of as a parent tier (targets.yaml `parent:` may name only these) */
  readonly parents?: readonly string[];
  start(options: LabStartOptions): Promise<LabInstance>;
}

/** The lab edges by the name `lab:` uses. */
export type LabCatalogue = Readonly<Record<string, LabEdge>>;
