// HTTP/2 bees for the open and closed models: the bee's share of the plan's
// connections, each a node:http2 session over a TLS connection that offered
// h2 by ALPN, each carrying `streams` requests at once. Every stream slot
// walks the pacer as an autocannon connection does (pacedClient.ts): the
// open model times a request from its intended send time, so waiting for a
// free stream or a reconnect counts in its latency. An edge that answers
// ALPN with http/1.1 still gets the requests (one at a time on that
// connection), and the fall-back is counted, never hidden.
import type { BeeOrders } from './beeProtocol.js';
import { exchangeOver, REFUSED_STREAM, type Exchange, type ExchangeResponse } from './exchange.js';
import { connectionErrorKind, type HandshakeRecorder } from './handshakeRecorder.js';
import type { BeeState, PacedConnection } from './pacedClient.js';
import type { OwnClient } from './ownClient.js';
import { ALPN, edgeAddresses, openTls, type EdgeAddress } from './tlsConnect.js';

/** reconnects after failures back off from 10 ms, doubling, to this (as the h1 bees do) */
const MAX_RECONNECT_BACKOFF_MS = 1000;
/** a stream refused unprocessed is sent again on a new connection, this many times in all */
const MAX_REFUSED_RETRIES = 3;

interface H2Connection {
  edge: EdgeAddress;
  exchange?: Exchange;
  connecting?: Promise<Exchange | undefined>;
  /** connects that failed since the last response */
  failures: number;
}

export function flyH2(orders: BeeOrders, bee: BeeState, handshakes: HandshakeRecorder): OwnClient {
  const edges = edgeAddresses(orders.urls);
  const streams = orders.streams ?? 1;
  const pool = orders.pools[orders.index] ?? 1;
  const conns: H2Connection[] = Array.from({ length: pool }, (_, c) => ({
    edge: edges[c % edges.length]!,
    failures: 0,
  }));
  let requests = 0;

  const connect = async (conn: H2Connection): Promise<Exchange | undefined> => {
    if (conn.failures > 0) await sleep(Math.min(MAX_RECONNECT_BACKOFF_MS, 10 * 2 ** (conn.failures - 1)));
    if (bee.stopped) return undefined;
    const started = bee.now();
    try {
      const socket = await openTls(conn.edge, {
        ...(orders.servername ? { servername: orders.servername } : {}),
        alpn: ALPN.h2,
        timeoutMs: orders.timeoutMs,
      });
      handshakes.onHandshake({
        ms: bee.now() - started,
        offered: false,
        resumed: socket.isSessionReused(),
        alpn: socket.alpnProtocol ?? false,
        askedH2: true,
      });
      conn.exchange = exchangeOver(socket, conn.edge.origin);
      return conn.exchange;
    } catch (err) {
      conn.failures++;
      const kind = connectionErrorKind(err as NodeJS.ErrnoException);
      handshakes.onConnectionError(kind);
      throw Object.assign(new Error(`connect: ${kind}`), { code: `connect: ${kind}` });
    }
  };

  const exchangeFor = (conn: H2Connection): Promise<Exchange | undefined> => {
    if (conn.exchange && !conn.exchange.closed) return Promise.resolve(conn.exchange);
    conn.exchange?.close();
    conn.exchange = undefined;
    conn.connecting ??= connect(conn).finally(() => (conn.connecting = undefined));
    return conn.connecting;
  };

  const slotFor = (c: number): StreamSlot => {
    const conn = conns[c]!;
    let timer: NodeJS.Timeout | undefined;
    const slot: PacedConnection = {
      // the closed model activates connections, not streams: every stream of connection c follows it
      index: c,
      busy: false,
      since: 0,
      wake() {
        bee.parked.delete(slot);
        next();
      },
    };
    const park = () => bee.parked.add(slot);
    /** `could`: when the stream could have gone (its intended time, or when the slot came free if later) */
    const fire = async (at: number, could: number) => {
      timer = undefined;
      if (bee.stopped || requests >= orders.budget) {
        bee.pacer.release();
        return park();
      }
      const request = orders.requests[requests++ % orders.requests.length]!;
      slot.busy = true;
      const sentAt = bee.now();
      // a timer may fire a fraction of a millisecond early: never count less than the service time
      slot.since = bee.model === 'open' ? Math.min(at, sentAt) : sentAt;
      // a wait on the edge (a busy slot) is the edge's; a wait past `could` is the bee's own
      if (bee.model === 'open') bee.gauge?.onArrival(sentAt - could);
      bee.recorder.onSent();
      try {
        const res = await send(request);
        if (res) {
          conn.failures = 0;
          bee.recorder.onClaim(bee.dialect.read(res.headers)?.claim);
          bee.recorder.onResponse(res.status, bee.now() - slot.since);
        }
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        if (e.code === 'edgecheck-timeout') bee.recorder.onUnanswered('timeout', bee.now() - slot.since);
        else bee.recorder.onTransportError(e.code ?? e.message);
      } finally {
        slot.busy = false;
      }
      next();
    };
    /** on the connection, or a new one when the edge refused the stream unprocessed (it retires connections) */
    const send = async (request: BeeOrders['requests'][number]): Promise<ExchangeResponse | undefined> => {
      const headers = { ...orders.headers, ...request.headers };
      for (let attempt = 1; ; attempt++) {
        const exchange = await exchangeFor(conn);
        if (!exchange) return undefined;
        try {
          return await exchange.get(request.path, headers, orders.timeoutMs);
        } catch (err) {
          // the GOAWAY that came with it marked the connection closed: the next attempt opens a new one
          if ((err as NodeJS.ErrnoException).code !== REFUSED_STREAM || attempt >= MAX_REFUSED_RETRIES) throw err;
        }
      }
    };
    const next = () => {
      if (timer !== undefined || bee.parked.has(slot)) return;
      if (bee.stopped) return park();
      const now = bee.now();
      const at = bee.pacer.next(c, now);
      if (at === undefined) return park();
      const sendAt = bee.cap ? bee.cap.slot(at, now) : at;
      // overdue on a slot that just came free: its answer may have sat unread while the loop lagged
      const could = sendAt <= now ? (bee.gauge?.couldHaveGone(sendAt, now) ?? now) : sendAt;
      if (sendAt <= now) void fire(at, could);
      else timer = setTimeout(() => void fire(at, could), Math.ceil(sendAt - now));
    };
    return { slot, start: next, cancel: () => clearTimeout(timer) };
  };

  const slots = conns.flatMap((_, c) => Array.from({ length: streams }, () => slotFor(c)));
  for (const s of slots) s.start();
  return {
    connections: slots.map((s) => s.slot),
    stop() {
      for (const s of slots) s.cancel();
      for (const conn of conns) conn.exchange?.close();
    },
  };
}

interface StreamSlot {
  slot: PacedConnection;
  start(): void;
  cancel(): void;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
