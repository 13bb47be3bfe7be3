// What a started lab target tells the harness: where to send requests, what to
// trust, how to reach the probe origin, and how to stop it.

export interface LabRoute {
  path: string;
  ttl?: { min?: number; default?: number; max?: number };
  error_ttl?: number | string;
  query_key?: 'all' | 'none' | string[];
  compress?: boolean;
  failover?: boolean;
  /** reference lab only: which probe-origin TLS listener the route fetches from */
  origin_tls?: string;
}

export type TlsVersionName = 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';

/** What a lab edge promises viewers over TLS, in the shape of targets.yaml's `tls:` block. */
export interface LabTlsPromises {
  protocols?: { accept?: TlsVersionName[]; refuse?: TlsVersionName[] };
  alpn?: string[];
  hsts?: { min_max_age: number };
  min_days_left?: number;
}

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
  cacheStatus: string;
  /** what the edge promises over TLS; the target's own `tls:` block overrides it */
  tls?: LabTlsPromises;
  close(): Promise<void>;
}
