// The probe origin's state: the programmed answer for each check key and the
// log of every request that reached the origin — the ground truth of hit/miss.

export interface OriginObject {
  status?: number;
  headers?: Record<string, string | number>;
  body?: string;
  /** pad the body to this many bytes (the body text repeated) */
  size?: number;
  version?: string;
  /** the answer on the secondary listener (an origin group's failover origin) */
  secondary?: OriginObject;
  /** answers for the 1st, 2nd, ... request of this path; the last one repeats */
  sequence?: OriginObject[];
}

export interface OriginLogEntry {
  /** the per-key counter: 1 for the first request that reached the origin */
  seq: number;
  at: number;
  method: string;
  url: string;
  headers: Record<string, string>;
  peer: string;
  /** which listener: 'http' or 'https:<certificate fault>' */
  listener: string;
  sni?: string;
  /** the status the origin answered with */
  status?: number;
}

/**
 * Checks own paths like /.edgecheck/<run>/<check>/...; the key is that prefix,
 * wherever it appears (a CDN route may add a prefix in front of it).
 */
const CHECK_KEY = /\/\.edgecheck\/[^/?#]+\/[^/?#]+\//;

export function checkKeyOf(path: string): string | undefined {
  return CHECK_KEY.exec(path)?.[0];
}

export class ObjectStore {
  private readonly objects = new Map<string, OriginObject>();
  private readonly logs = new Map<string, OriginLogEntry[]>();

  /** An object for the whole check key, or for one path under it. */
  set(key: string, object: OriginObject, path = ''): void {
    this.objects.set(key + path.replace(/^\//, ''), object);
  }

  /** The object for a request path: the one set for that path, else the check key's. */
  get(key: string, requestPath: string): OriginObject | undefined {
    const rest = requestPath.slice(requestPath.indexOf(key) + key.length);
    return (rest ? this.objects.get(key + rest) : undefined) ?? this.objects.get(key);
  }

  record(key: string, entry: Omit<OriginLogEntry, 'seq'>): OriginLogEntry {
    const log = this.logs.get(key) ?? [];
    const full = { ...entry, seq: log.length + 1 };
    log.push(full);
    this.logs.set(key, log);
    return full;
  }

  log(key: string): OriginLogEntry[] {
    return this.logs.get(key) ?? [];
  }

  /** Forget every key under a prefix (a run's keys when it ends). */
  clear(prefix: string): void {
    for (const k of [...this.objects.keys()]) if (k.startsWith(prefix)) this.objects.delete(k);
    for (const k of [...this.logs.keys()]) if (k.startsWith(prefix)) this.logs.delete(k);
  }
}
