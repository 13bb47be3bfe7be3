// A readers-writer lock per route of an open target. Most request steps share
// their route; a step that counts what reached a listener of the probe origin
// by the listener's running total (origin_connections) must be the only one on
// its route while it counts, or another check's request would be counted as
// its own. Writers go first once waiting, so a busy route cannot starve them.
import type { OpenTarget } from '../target/openTarget.js';

class ReadersWriterLock {
  private readers = 0;
  private writing = false;
  private readonly waitingWriters: Array<() => void> = [];
  private waitingReaders: Array<() => void> = [];

  async shared(): Promise<() => void> {
    if (this.writing || this.waitingWriters.length) await new Promise<void>((r) => this.waitingReaders.push(r));
    else this.readers++;
    return once(() => {
      this.readers--;
      this.next();
    });
  }

  async exclusive(): Promise<() => void> {
    if (this.writing || this.readers) await new Promise<void>((r) => this.waitingWriters.push(r));
    else this.writing = true;
    return once(() => {
      this.writing = false;
      this.next();
    });
  }

  /** Hands the lock on: to a waiting writer when nobody reads, else to every waiting reader. */
  private next(): void {
    if (this.writing || this.readers) return;
    const writer = this.waitingWriters.shift();
    if (writer) {
      this.writing = true;
      writer();
      return;
    }
    const readers = this.waitingReaders;
    this.waitingReaders = [];
    this.readers += readers.length;
    for (const r of readers) r();
  }
}

function once(release: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    release();
  };
}

const locks = new WeakMap<OpenTarget, Map<string, ReadersWriterLock>>();

/** The lock of `route` on `target`: `shared()` for an ordinary request, `exclusive()` to count alone. */
export function routeLock(target: OpenTarget, route: string): ReadersWriterLock {
  let byRoute = locks.get(target);
  if (!byRoute) locks.set(target, (byRoute = new Map()));
  let lock = byRoute.get(route);
  if (!lock) byRoute.set(route, (lock = new ReadersWriterLock()));
  return lock;
}
