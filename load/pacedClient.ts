// Puts one autocannon connection under a bee's pacer and records what it
// sees. autocannon's own pacing (overallRate / connectionRate) is a per
// connection budget that fires at the start of every second, all connections
// together, and its coordinated-omission correction takes 1/rate seconds as
// the interval in milliseconds (so always 1 ms); neither gives an open model.
// Instead each connection asks the pacer for its next intended send time and
// the latency of an open-model request is measured from that time (wrk2's
// correction): a stalled edge delays every later request, and that wait is
// counted, not omitted.
import type { CacheStatusDialect, ResponseHeaders } from '../harness/cacheStatus/index.js';
import type { Pacer } from './pacer.js';
import type { SliceRecorder } from './sliceRecorder.js';

/**
 * The parts of autocannon 9's lib/httpClient.js Client that pacing needs:
 * `_doRequest` sends the next request (called once a connection is up and
 * after each response); `destroyed` is set when autocannon ends it.
 */
export interface AutocannonClient {
  _doRequest(): void;
  destroyed: boolean;
  on(event: 'headers', listener: (info: { headers?: string[] }) => void): unknown;
  on(event: 'response', listener: (status: number) => void): unknown;
  on(event: 'connError', listener: (err: NodeJS.ErrnoException) => void): unknown;
  on(event: 'timeout', listener: () => void): unknown;
}

export interface BeeState {
  /** ms since the surge started, on the shared clock */
  now(): number;
  pacer: Pacer;
  recorder: SliceRecorder;
  dialect: CacheStatusDialect;
  model: 'open' | 'closed';
  stopped: boolean;
  parked: Set<PacedConnection>;
}

export interface PacedConnection {
  index: number;
  /** a request is on the wire */
  busy: boolean;
  wake(): void;
}

export function isPaceable(client: unknown): client is AutocannonClient {
  return typeof (client as AutocannonClient)._doRequest === 'function';
}

export function pace(client: AutocannonClient, index: number, bee: BeeState): PacedConnection {
  const send = client._doRequest.bind(client);
  let timer: NodeJS.Timeout | undefined;
  let intendedAt = 0;
  let sentAt = 0;
  /** the connection dropped with a request on it; the kind is known a moment later */
  let lost = false;
  /** the last response said Connection: close; the next request waits for the new connection */
  let closing = false;

  const conn: PacedConnection = {
    index,
    busy: false,
    wake() {
      bee.parked.delete(conn);
      next();
    },
  };
  const park = () => bee.parked.add(conn);
  const fire = (at: number) => {
    timer = undefined;
    if (bee.stopped || client.destroyed) return park();
    conn.busy = true;
    intendedAt = at;
    sentAt = bee.now();
    bee.recorder.onSent();
    send();
  };
  const next = () => {
    if (timer !== undefined || bee.parked.has(conn)) return;
    if (bee.stopped) return park();
    const now = bee.now();
    const at = bee.pacer.next(index, now);
    if (at === undefined) return park();
    if (at <= now) fire(at);
    else timer = setTimeout(fire, Math.ceil(at - now), at);
  };

  client._doRequest = () => {
    // autocannon would write the next request to a connection the server is
    // closing, and lose it; wait for the reconnect, which calls this again
    if (closing) {
      closing = false;
      return;
    }
    // autocannon reconnects and calls _doRequest when a connection ends or
    // times out with a request on it: that request is lost
    if (conn.busy) {
      conn.busy = false;
      lost = true;
      process.nextTick(() => {
        if (lost) bee.recorder.onTransportError('connection closed');
        lost = false;
      });
    }
    next();
  };
  client.on('headers', (info) => {
    const headers = headerObject(info.headers ?? []);
    closing = /\bclose\b/i.test(String(headers['connection'] ?? ''));
    bee.recorder.onClaim(bee.dialect.read(headers)?.claim);
  });
  client.on('response', (status) => {
    conn.busy = false;
    const now = bee.now();
    // a timer may fire a fraction of a millisecond early: never count less than the service time
    bee.recorder.onResponse(status, now - (bee.model === 'open' ? Math.min(intendedAt, sentAt) : sentAt));
  });
  client.on('connError', (err) => {
    if (!conn.busy) return;
    conn.busy = false;
    bee.recorder.onTransportError(err.code ?? err.message);
  });
  // autocannon emits 'timeout' after it has reconnected, i.e. after _doRequest saw the loss
  client.on('timeout', () => {
    if (!lost) return;
    lost = false;
    bee.recorder.onTransportError('timeout');
  });
  return conn;
}

/** http-parser-js hands headers over as [name, value, name, value, ...]. */
function headerObject(flat: string[]): ResponseHeaders {
  const out: Record<string, string | string[]> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const name = flat[i]!.toLowerCase();
    const value = flat[i + 1]!;
    const seen = out[name];
    out[name] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  return out;
}
