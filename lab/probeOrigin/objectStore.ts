// The probe origin's state: the programmed answer for each check key and the
// log of every request that reached the origin — the ground truth of hit/miss.
import type { OriginLogEntry, OriginObject } from '../../harness/origin/protocol.js';

/** Full entries kept per key; counts and arrival times are kept for every request. */
export const MAX_LOG_ENTRIES = 1000;
/**
 * Check keys logged at once. A deployed origin can be sent any path: past
 * this, the key logged longest ago is forgotten (a run uses a few hundred).
 */
export const MAX_LOGGED_KEYS = 10_000;

interface KeyLog {
  /** the last MAX_LOG_ENTRIES entries */
  entries: OriginLogEntry[];
  /** arrival time of every request, in order: counting a window is a binary search */
  times: number[];
  /** requests so far per path, for sequences */
  perPath: Map<string, number>;
}

export class ObjectStore {
  private readonly objects = new Map<string, OriginObject>();
  private readonly logs = new Map<string, KeyLog>();

  /** An object for the whole check key, or for one path under it. */
  set(key: string, object: OriginObject, path = ''): void {
    this.objects.set(key + path.replace(/^\//, ''), object);
  }

  /** The object for a request path: the one set for that path, else the check key's. */
  get(key: string, requestPath: string): OriginObject | undefined {
    const rest = requestPath.slice(requestPath.indexOf(key) + key.length);
    return (rest ? this.objects.get(key + rest) : undefined) ?? this.objects.get(key);
  }

  /** How many requests for this path have reached the origin so far. */
  seenForPath(key: string, path: string): number {
    return this.logs.get(key)?.perPath.get(path) ?? 0;
  }

  record(key: string, path: string, entry: Omit<OriginLogEntry, 'seq'>): OriginLogEntry {
    let log = this.logs.get(key);
    if (!log) {
      if (this.logs.size >= MAX_LOGGED_KEYS) this.logs.delete(this.logs.keys().next().value!);
      this.logs.set(key, (log = { entries: [], times: [], perPath: new Map() }));
    }
    log.times.push(entry.at);
    log.perPath.set(path, (log.perPath.get(path) ?? 0) + 1);
    const full = { ...entry, seq: log.times.length };
    log.entries.push(full);
    if (log.entries.length > MAX_LOG_ENTRIES) log.entries.shift();
    return full;
  }

  /** The latest entries for a key (at most MAX_LOG_ENTRIES), oldest first. */
  log(key: string): OriginLogEntry[] {
    return this.logs.get(key)?.entries ?? [];
  }

  /** Requests for a key that arrived in [since, until) (ms since the epoch). */
  count(key: string, since = -Infinity, until = Infinity): number {
    const times = this.logs.get(key)?.times ?? [];
    return firstAtOrAfter(times, until) - firstAtOrAfter(times, since);
  }

  /** Forget every key under a prefix (a run's keys when it ends). */
  clear(prefix: string): void {
    for (const k of [...this.objects.keys()]) if (k.startsWith(prefix)) this.objects.delete(k);
    for (const k of [...this.logs.keys()]) if (k.startsWith(prefix)) this.logs.delete(k);
  }
}

/** Index of the first time >= t in an ascending list. */
function firstAtOrAfter(times: number[], t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
