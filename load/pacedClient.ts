// Puts one autocannon connection under a bee's pacer and records what it
// sees. autocannon's own pacing (overallRate / connectionRate) is a per
// connection budget that fires at the start of every second, all connections
// together, and its coordinated-omission correction takes 1/rate seconds as
// the interval in milliseconds (so always 1 ms); neither gives an open model.
// Instead each connection asks the pacer for its next intended send time and
// the latency of an open-model request is measured from that time (wrk2's
// correction): a stalled edge delays every later request, and that wait is
// counted, not omitted.
import type { CacheStatusDialect } from '../harness/cacheStatus/index.js';
import type { SurgeModel } from '../harness/surgeRecord.js';
import { asksToClose, ClaimReader } from './claimReader.js';
import type { GeneratorGauge } from './generatorGauge.js';
import type { Pacer } from './pacer.js';
import type { RateCap } from './rateCap.js';
import type { SliceRecorder } from './sliceRecorder.js';

/**
 * The parts of autocannon 9's lib/httpClient.js Client that pacing needs:
 * `_doRequest` sends the next request (called once a connection is up and
 * after each response); `destroyed` is set when autocannon ends it.
 */
export interface AutocannonClient {
  _doRequest(): void;
  /** opens the connection; autocannon calls it again at once whenever the connection errs, ends or times out */
  _connect(): void;
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
  /** the bee's share of the target's max_rps */
  cap?: RateCap;
  recorder: SliceRecorder;
  /** the bee's own load: open-model arrivals are reported to it with their lateness */
  gauge?: GeneratorGauge;
  dialect: CacheStatusDialect;
  model: SurgeModel;
  stopped: boolean;
  parked: Set<PacedConnection>;
}

export interface PacedConnection {
  index: number;
  /** a request is on the wire */
  busy: boolean;
  /** ms since the start that the request on the wire counts its latency from */
  since: number;
  wake(): void;
}

/** reconnects with no response in between back off from 10 ms, doubling, to this */
const MAX_RECONNECT_BACKOFF_MS = 1000;
/** a connection that stayed this long was not refused or dropped at once: the next connect needs no backoff */
const CONNECTION_LASTED_MS = 1000;

export function isPaceable(client: unknown): client is AutocannonClient {
  return typeof (client as AutocannonClient)._doRequest === 'function';
}

export function pace(client: AutocannonClient, index: number, bee: BeeState): PacedConnection {
  const send = client._doRequest.bind(client);
  const connect = client._connect.bind(client);
  let timer: NodeJS.Timeout | undefined;
  /** the connection dropped with a request on it; the kind is known a moment later */
  let lost = false;
  /** the last response said Connection: close; the next request waits for the new connection */
  let closing = false;
  /**
   * connects since the last response or the last connection that lasted: an
   * edge refusing or dropping connections gets a backoff, not a storm, while
   * an idle connection the edge closes after a while reconnects at once
   */
  let connects = 0;
  let connectedAt = -Infinity;
  let reconnecting = false;
  /** why the last connection failed: what an arrival due during the backoff is counted as */
  let lastConnError: string | undefined;

  const conn: PacedConnection = {
    index,
    busy: false,
    since: 0,
    wake() {
      bee.parked.delete(conn);
      next();
    },
  };
  const park = () => bee.parked.add(conn);
  /** `at`: the intended send time; `could`: when it could go (the rate cap's slot, or when the connection came free) */
  const fire = (at: number, could: number) => {
    timer = undefined;
    if (bee.stopped || client.destroyed) {
      // due but never sent: the pacer counts it as unsent
      bee.pacer.release();
      return park();
    }
    if (reconnecting) {
      // the edge refused or dropped the connection and it is waiting out its backoff: this arrival cannot go
      // now, and counts as what stopped it, not as the timeout autocannon would file it under later
      bee.recorder.onSent();
      bee.recorder.onTransportError(lastConnError ?? 'connection closed');
      return;
    }
    conn.busy = true;
    const sentAt = bee.now();
    // a timer may fire a fraction of a millisecond early: never count less than the service time
    conn.since = bee.model === 'open' ? Math.min(at, sentAt) : sentAt;
    // a wait on the edge (a busy connection) is the edge's; a wait past `could` is the bee's own
    if (bee.model === 'open') bee.gauge?.onArrival(sentAt - could);
    bee.recorder.onSent();
    send();
  };
  const next = () => {
    // a delayed reconnect asks again once the connection is up
    if (timer !== undefined || reconnecting || bee.parked.has(conn)) return;
    if (bee.stopped) return park();
    const now = bee.now();
    const at = bee.pacer.next(index, now);
    if (at === undefined) return park();
    const sendAt = bee.cap ? bee.cap.slot(at, now) : at;
    // overdue on a connection that just came free: its answer may have sat unread while the loop lagged
    if (sendAt <= now) fire(at, bee.gauge?.couldHaveGone(sendAt, now) ?? now);
    else timer = setTimeout(fire, Math.ceil(sendAt - now), at, sendAt);
  };

  client._connect = () => {
    // autocannon reconnects when a connection errs (after 'connError'), ends,
    // or times out (before 'timeout'): a request still on it is lost
    if (conn.busy) {
      conn.busy = false;
      lost = true;
      process.nextTick(() => {
        if (lost) bee.recorder.onTransportError('connection closed');
        lost = false;
      });
    }
    if (bee.now() - connectedAt >= CONNECTION_LASTED_MS) connects = 0;
    const delay = connects === 0 ? 0 : Math.min(MAX_RECONNECT_BACKOFF_MS, 10 * 2 ** (connects - 1));
    connects++;
    const open = () => {
      connectedAt = bee.now();
      connect();
    };
    if (delay === 0) return open();
    reconnecting = true;
    setTimeout(() => {
      reconnecting = false;
      if (!client.destroyed) open();
    }, delay);
  };
  client._doRequest = () => {
    // autocannon would write the next request to a connection the server is
    // closing, and lose it; wait for the reconnect, which calls this again
    if (closing) {
      closing = false;
      return;
    }
    next();
  };
  const claims = new ClaimReader(bee.dialect);
  client.on('headers', (info) => {
    const flat = info.headers ?? [];
    closing = asksToClose(flat);
    bee.recorder.onClaim(claims.read(flat));
  });
  client.on('response', (status) => {
    conn.busy = false;
    connects = 0;
    bee.recorder.onResponse(status, bee.now() - conn.since);
  });
  client.on('connError', (err) => {
    lastConnError = err.code ?? err.message;
    if (!conn.busy) return;
    conn.busy = false;
    bee.recorder.onTransportError(err.code ?? err.message);
  });
  // a request that timed out took at least this long: it counts in the latencies too
  client.on('timeout', () => {
    if (!lost) return;
    lost = false;
    bee.recorder.onUnanswered('timeout', bee.now() - conn.since);
  });
  return conn;
}
