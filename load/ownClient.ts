// Which bees drive their own connections instead of autocannon's: the
// visitors model (a new TLS connection per visit) and h2 (autocannon speaks
// HTTP/1.1 only). Both count their handshakes and what ALPN negotiated.
import type { BeeOrders } from './beeProtocol.js';
import { flyH2 } from './h2Client.js';
import type { HandshakeRecorder } from './handshakeRecorder.js';
import type { BeeState, PacedConnection } from './pacedClient.js';
import { flyVisitors } from './visitorClient.js';

export interface OwnClient {
  /** one per slot a request can be on the wire in: the bee's end-of-surge grace period watches them */
  connections: PacedConnection[];
  stop(): void;
}

export function usesOwnClient(orders: BeeOrders): boolean {
  return orders.model === 'visitors' || orders.protocol === 'h2';
}

export function flyOwnClient(orders: BeeOrders, bee: BeeState, handshakes: HandshakeRecorder): OwnClient {
  return orders.model === 'visitors' ? flyVisitors(orders, bee, handshakes) : flyH2(orders, bee, handshakes);
}
