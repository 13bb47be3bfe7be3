// The probe origin's state: the programmed answer for each check key and the
// log of every request that reached the origin — the ground truth of hit/miss.
// A deployed origin can be sent any path through the CDN, so both are bounded.
import type { OriginLogEntry, OriginObject } from '../../harness/origin/protocol.js';
import { ArrivalCounts } from './arrivalCounts.js';

/** Full entries kept per key; older ones are dropped (their count and time are kept). */
export const MAX_LOG_ENTRIES = 1000;
/** Paths with a request count (for sequences) per key; past it the least recently asked is forgotten. */
export const MAX_PATHS_PER_KEY = 1000;
/** Check keys logged at once (a run uses a few hundred). */
export const MAX_LOGGED_KEYS = 10_000;
/**
 * What the whole log may hold, counted as the characters of its URLs, paths and
 * headers plus a fixed cost per entry, path and time. Past it, whole keys are
 * forgotten, least recently requested first, and keys with no programmed object
 * (a flood of made-up paths) before any a check programmed.
 */
export const MAX_LOG_BYTES = 64 << 20;
/** Programmed objects at once, and their total size (as sent on the control channel). */
export const MAX_OBJECTS = 20_000;
export const MAX_OBJECT_BYTES = 256 << 20;

const ENTRY_COST = 256;
const PATH_COST = 64;
/** a second of arrival counts: its number and its count */
const SECOND_COST = 16;
/** the stderr note on dropped log data, once per this many drops */
const DROP_NOTE_EVERY = 10_000;

interface KeyLog {
  /** the last MAX_LOG_ENTRIES entries */
  entries: OriginLogEntry[];
  /** arrivals per second, for counting by window: a surge's key sees many */
  arrivals: ArrivalCounts;
  /** requests so far per path, for sequences; in order of the latest request */
  perPath: Map<string, number>;
  /** every request of this key so far: the seq of the next entry */
  seen: number;
  bytes: number;
}

/** What the store holds and what it had to drop: the health endpoint reports it. */
export interface StoreStats {
  keys: number;
  log_bytes: number;
  objects: number;
  object_bytes: number;
  /** log entries, seconds of arrival counts, paths and whole keys dropped to stay within the bounds */
  dropped: { entries: number; seconds: number; paths: number; keys: number };
}

export class StoreFullError extends Error {
  readonly code = 'E_ORIGIN_STORE_FULL';
}

export class ObjectStore {
  private readonly objects = new Map<string, { object: OriginObject; bytes: number }>();
  private objectBytes = 0;
  /** check keys with at least one programmed object: kept longest */
  private readonly programmed = new Map<string, number>();
  /** in order of the latest request: the first is the least recently requested */
  private readonly logs = new Map<string, KeyLog>();
  private logBytes = 0;
  private readonly dropped = { entries: 0, seconds: 0, paths: 0, keys: 0 };
  private noted = 0;

  constructor(private readonly note: (line: string) => void = (line) => process.stderr.write(line + '\n')) {}

  /**
   * An object for the whole check key, or for one path under it.
   * @param bytes its size as sent, counted against MAX_OBJECT_BYTES
   */
  set(key: string, object: OriginObject, path = '', bytes = 0): void {
    const id = key + path.replace(/^\//, '');
    const old = this.objects.get(id);
    const total = this.objectBytes - (old?.bytes ?? 0) + bytes;
    if (!old && this.objects.size >= MAX_OBJECTS)
      throw new StoreFullError(`the origin holds ${MAX_OBJECTS} objects, its limit: clear a finished run's prefix`);
    if (total > MAX_OBJECT_BYTES)
      throw new StoreFullError(`the origin's objects would take ${total} bytes, over its ${MAX_OBJECT_BYTES}`);
    this.objects.set(id, { object, bytes });
    this.objectBytes = total;
    if (!old) this.programmed.set(key, (this.programmed.get(key) ?? 0) + 1);
  }

  /** The object for a request path: the one set for that path, else the check key's. */
  get(key: string, requestPath: string): OriginObject | undefined {
    const rest = requestPath.slice(requestPath.indexOf(key) + key.length);
    return ((rest ? this.objects.get(key + rest) : undefined) ?? this.objects.get(key))?.object;
  }

  /** How many requests for this path have reached the origin so far (while the path is remembered). */
  seenForPath(key: string, path: string): number {
    return this.logs.get(key)?.perPath.get(path) ?? 0;
  }

  record(key: string, path: string, entry: Omit<OriginLogEntry, 'seq'>): OriginLogEntry {
    let log = this.logs.get(key);
    if (log) {
      this.logs.delete(key); // re-inserted last: the most recently requested
    } else {
      log = { entries: [], arrivals: new ArrivalCounts(), perPath: new Map(), seen: 0, bytes: 0 };
    }
    this.logs.set(key, log);
    const seconds = log.arrivals.add(entry.at);
    let grew = (seconds.added - seconds.dropped) * SECOND_COST;
    if (seconds.dropped) this.drop('seconds', seconds.dropped);
    const count = (log.perPath.get(path) ?? 0) + 1;
    if (count === 1) {
      grew += PATH_COST + path.length;
      if (log.perPath.size >= MAX_PATHS_PER_KEY) {
        const oldest = log.perPath.keys().next().value!;
        log.perPath.delete(oldest);
        grew -= PATH_COST + oldest.length;
        this.drop('paths', 1);
      }
    }
    log.perPath.delete(path);
    log.perPath.set(path, count);
    const full = { ...entry, seq: ++log.seen };
    log.entries.push(full);
    grew += entryCost(full);
    if (log.entries.length > MAX_LOG_ENTRIES) {
      grew -= entryCost(log.entries.shift()!);
      this.drop('entries', 1);
    }
    log.bytes += grew;
    this.logBytes += grew;
    this.evictKeys(key);
    return full;
  }

  /** The latest entries for a key (at most MAX_LOG_ENTRIES), oldest first. */
  log(key: string): OriginLogEntry[] {
    return this.logs.get(key)?.entries ?? [];
  }

  /**
   * Requests for a key that arrived in [since, until) (ms since the epoch), at
   * one-second resolution: a wall-clock second counts when the window holds
   * its start (see ArrivalCounts).
   */
  count(key: string, since = -Infinity, until = Infinity): number {
    return this.logs.get(key)?.arrivals.count(since, until) ?? 0;
  }

  /** Seconds of arrival counts held for a key: bounded, whatever the number of arrivals. */
  countedSeconds(key: string): number {
    return this.logs.get(key)?.arrivals.size ?? 0;
  }

  /** Forget every key under a prefix (a run's keys when it ends). */
  clear(prefix: string): void {
    for (const [id, { bytes }] of [...this.objects]) {
      if (!id.startsWith(prefix)) continue;
      this.objects.delete(id);
      this.objectBytes -= bytes;
    }
    for (const k of [...this.programmed.keys()]) if (k.startsWith(prefix)) this.programmed.delete(k);
    for (const k of [...this.logs.keys()]) if (k.startsWith(prefix)) this.forget(k);
  }

  stats(): StoreStats {
    return {
      keys: this.logs.size,
      log_bytes: this.logBytes,
      objects: this.objects.size,
      object_bytes: this.objectBytes,
      dropped: { ...this.dropped },
    };
  }

  /** Within MAX_LOGGED_KEYS and MAX_LOG_BYTES, never forgetting the key just recorded. */
  private evictKeys(current: string): void {
    while (this.logs.size > MAX_LOGGED_KEYS || (this.logBytes > MAX_LOG_BYTES && this.logs.size > 1)) {
      let victim: string | undefined;
      for (const k of this.logs.keys()) {
        if (k !== current && !this.programmed.has(k)) {
          victim = k;
          break;
        }
      }
      victim ??= [...this.logs.keys()].find((k) => k !== current);
      if (victim === undefined) return;
      this.forget(victim);
      this.drop('keys', 1);
    }
  }

  private forget(key: string): void {
    const log = this.logs.get(key);
    if (!log) return;
    this.logBytes -= log.bytes;
    this.logs.delete(key);
  }

  private drop(what: keyof StoreStats['dropped'], n: number): void {
    this.dropped[what] += n;
    const total = this.dropped.entries + this.dropped.seconds + this.dropped.paths + this.dropped.keys;
    if (total - this.noted < DROP_NOTE_EVERY && this.noted > 0) return;
    this.noted = total;
    const d = this.dropped;
    const held = `${this.logs.size} keys, ${this.logBytes} bytes held`;
    this.note(
      `edgecheck probe origin: log at its bounds, dropped so far: ${d.entries} entries, ` +
        `${d.seconds} seconds of counts, ${d.paths} paths, ${d.keys} keys (${held})`,
    );
  }
}

function entryCost(entry: OriginLogEntry): number {
  let n = ENTRY_COST + entry.url.length + entry.method.length + entry.peer.length + entry.listener.length;
  for (const [k, v] of Object.entries(entry.headers)) n += k.length + v.length;
  return n;
}
