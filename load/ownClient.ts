// Which bees drive their own connections instead of autocannon's: the
// visitors model (a new TLS connection per visit) and h2 (autocannon speaks
// HTTP/1.1 only). Both count their handshakes and what ALPN negotiated.
import type { BeeOrders } from './beeProtocol.js';
import { flyH2 } from './h2Client.js';
import type { HandshakeRecorder } from './handshakeRecorder.js';
import type { BeeState } from './pacedClient.js';
import { flyVisitors, type OwnClient } from './visitorClient.js';

export function usesOwnClient(orders: BeeOrders): boolean {
  return orders.model === 'visitors' || orders.protocol === 'h2';
}

export function flyOwnClient(orders: BeeOrders, bee: BeeState, handshakes: HandshakeRecorder): OwnClient {
  return orders.model === 'visitors' ? flyVisitors(orders, bee, handshakes) : flyH2(orders, bee, handshakes);
}
