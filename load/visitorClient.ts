// The visitors model in a bee: new visitors arrive on the plan's curve (the
// open model's pacer, over visits instead of requests); each opens a new TLS
// connection to the next edge address — resuming a session from an earlier
// visit when it is a returning visitor — makes its requests one after the
// other with think time between, and leaves. Visits are independent, so one
// slow visit never delays the next arrival: nothing waits for a free
// connection, and latency needs no correction for coordinated omission.
import type { TLSSocket } from 'node:tls';
import type { BeeOrders } from './beeProtocol.js';
import { exchangeOver, type Exchange } from './exchange.js';
import { connectionErrorKind, type HandshakeRecorder } from './handshakeRecorder.js';
import type { BeeState, PacedConnection } from './pacedClient.js';
import type { OwnClient } from './ownClient.js';
import { ALPN, edgeAddresses, openTls, type EdgeAddress } from './tlsConnect.js';
import { drawRequests, drawThinkMs, type VisitPlan } from './visitPlan.js';

export function flyVisitors(orders: BeeOrders, bee: BeeState, handshakes: HandshakeRecorder): OwnClient {
  const visit = orders.visit as VisitPlan;
  const edges = edgeAddresses(orders.urls);
  const alpn = ALPN[orders.protocol ?? 'h1'];
  /** the latest session each edge handed out, for the next returning visitor there */
  const sessions = new Map<EdgeAddress, Buffer>();
  const open = new Set<{ socket?: TLSSocket; exchange?: Exchange }>();
  // a slot per visit that may be open at once: the plan's cap on open visits, this bee's share
  const slots: PacedConnection[] = Array.from({ length: orders.pools[orders.index] ?? 1 }, (_, index) => ({
    index,
    busy: false,
    since: 0,
    wake: () => undefined,
  }));
  const free = slots.map((_, i) => slots.length - 1 - i);
  let visits = 0;
  let requests = 0;
  let timer: NodeJS.Timeout | undefined;

  /** the next arrival, taken from the pacer and not yet started */
  let due: number | undefined;
  /** starts every visit that is due (all at once when the bee fell behind), then waits for the next */
  const arrive = () => {
    timer = undefined;
    for (;;) {
      if (bee.stopped) {
        if (due !== undefined) bee.pacer.release();
        return;
      }
      due ??= bee.pacer.next(0, bee.now());
      if (due === undefined) return;
      const wait = due - bee.now();
      if (wait > 0) {
        timer = setTimeout(arrive, wait);
        return;
      }
      // a visit started past its time is the bee's lateness (a visit never waits for the edge to start)
      bee.gauge?.onArrival(-wait);
      due = undefined;
      startVisit();
    }
  };

  const startVisit = () => {
    const slot = free.pop();
    if (slot === undefined) return handshakes.onSkipped();
    const edge = edges[visits++ % edges.length]!;
    const returning = visit.resume > 0 && Math.random() < visit.resume;
    if (returning) handshakes.onReturning();
    const session = returning ? sessions.get(edge) : undefined;
    void fly(slots[slot]!, edge, session).finally(() => free.push(slot));
  };

  const fly = async (slot: PacedConnection, edge: EdgeAddress, session: Buffer | undefined) => {
    const held: { socket?: TLSSocket; exchange?: Exchange } = {};
    open.add(held);
    try {
      const started = bee.now();
      try {
        held.socket = await openTls(edge, {
          ...(orders.servername ? { servername: orders.servername } : {}),
          ...(session ? { session } : {}),
          alpn,
          timeoutMs: orders.timeoutMs,
          onSession: (s) => sessions.set(edge, s),
        });
      } catch (err) {
        const kind = connectionErrorKind(err as NodeJS.ErrnoException);
        handshakes.onConnectionError(kind);
        // the visitor got nothing: an error against the edge, like a request lost on the wire
        bee.recorder.onTransportError(`connect: ${kind}`);
        return;
      }
      const socket = held.socket;
      handshakes.onHandshake({
        ms: bee.now() - started,
        offered: session !== undefined,
        resumed: socket.isSessionReused(),
        alpn: socket.alpnProtocol ?? false,
        askedH2: orders.protocol === 'h2',
      });
      if (bee.stopped) return;
      held.exchange = exchangeOver(socket, edge.origin);
      const n = drawRequests(visit.requests);
      for (let i = 0; i < n; i++) {
        if (i > 0) await sleep(drawThinkMs(visit.thinkMs));
        if (bee.stopped || held.exchange.closed || requests >= orders.budget) return;
        if (bee.cap) {
          const now = bee.now();
          await sleep(bee.cap.slot(now, now) - now);
        }
        const request = orders.requests[requests++ % orders.requests.length]!;
        if (!(await send(slot, held.exchange, request))) return;
      }
    } finally {
      held.exchange?.close();
      held.socket?.destroy();
      open.delete(held);
    }
  };

  /** one request of the visit; false when the connection failed and the visit ends */
  const send = async (slot: PacedConnection, exchange: Exchange, request: BeeOrders['requests'][number]) => {
    slot.busy = true;
    slot.since = bee.now();
    bee.recorder.onSent();
    try {
      const res = await exchange.get(request.path, { ...orders.headers, ...request.headers }, orders.timeoutMs);
      bee.recorder.onClaim(bee.dialect.read(res.headers)?.claim);
      bee.recorder.onResponse(res.status, bee.now() - slot.since);
      return true;
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code === 'edgecheck-timeout') bee.recorder.onUnanswered('timeout', bee.now() - slot.since);
      else bee.recorder.onTransportError(e.code ?? e.message);
      return false;
    } finally {
      slot.busy = false;
    }
  };

  arrive();
  return {
    connections: slots,
    stop() {
      clearTimeout(timer);
      for (const held of open) {
        held.exchange?.close();
        held.socket?.destroy();
      }
    },
  };
}

function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}
