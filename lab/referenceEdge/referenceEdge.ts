// The reference edge's listeners: a small CloudFront-like CDN in Node. HTTPS
// (h2 and http/1.1) with SNI certificates per hostname and HSTS, and HTTP ->
// HTTPS redirect (redirects.ts), on every edge address; each address is an
// EdgeNode with its own cache. It is a fixture: its fault switches let the
// project prove each suite check can fail.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import http2, { type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import https from 'node:https';
import type { KeyObject } from 'node:crypto';
import type { AddressInfo, Server, Socket } from 'node:net';
import type { KeyAndCert } from '../ca.js';
import type { LabKeys, ServedCertificate } from '../labCertificates.js';
import { EdgeNode, type EdgeRoute } from './edgeNode.js';
import { startInvalidationApi } from './invalidationApi.js';
import { RegionalTier } from './regionalTier.js';
import type { ReferenceEdgeFault } from './faults.js';
import { httpsRedirect } from './redirects.js';
import { SignedUrls } from './signedUrls.js';
import { viewerTls } from './viewerTls.js';

export type { EdgeRoute };

export interface ReferenceEdgeOptions {
  /** edge node addresses; each has its own cache, like separate POPs */
  addresses: string[];
  certificates: Record<string, ServedCertificate>;
  /** the lab CA, which issues the certificates a viewer-TLS fault switch needs */
  ca: KeyAndCert;
  /** the keys those certificates are made for */
  keys: LabKeys;
  routes: EdgeRoute[];
  faults: ReadonlySet<ReferenceEdgeFault>;
  /** per PoP address, how long it takes to apply an invalidation (default 0) */
  propagationMs?: Readonly<Record<string, number>>;
  /** the bearer token of the invalidation API */
  invalidationToken: string;
  /** key id -> public key: the keys `signed` routes trust (CloudFront's trusted key group) */
  trustedKeys?: ReadonlyMap<string, KeyObject>;
}

export interface ReferenceEdge {
  httpsPort: number;
  httpPort: number;
  /** the invalidation API (invalidationApi.ts), on 127.0.0.1 */
  invalidationUrl: string;
  close(): Promise<void>;
}

type ViewerRequest = IncomingMessage | Http2ServerRequest;
type ViewerResponse = ServerResponse | Http2ServerResponse;

export async function startReferenceEdge(opts: ReferenceEdgeOptions): Promise<ReferenceEdge> {
  const viewer = viewerTls(opts.certificates, { ca: opts.ca, keys: opts.keys }, opts.faults);
  const closers: Array<() => Promise<void>> = [];
  let httpsPort = 0;
  let httpPort = 0;
  const regional = new RegionalTier();
  const signedUrls = new SignedUrls(opts.trustedKeys ?? new Map(), opts.faults);
  const pops: Array<{ address: string; node: EdgeNode }> = [];
  for (const address of opts.addresses) {
    const node = new EdgeNode(address, { routes: opts.routes, faults: opts.faults, regional, signedUrls });
    pops.push({ address, node });
    const handler = viewerHandler(node, viewer.hsts);
    // http2's compatibility API answers http/1.1 clients too (allowHTTP1), with the same handler
    const tlsServer = viewer.h2
      ? http2.createSecureServer({ ...viewer.serverOptions, allowHTTP1: true }, handler)
      : https.createServer({ ...viewer.serverOptions, ALPNProtocols: ['http/1.1'] }, handler);
    closers.push(closer(tlsServer));
    httpsPort = await listen(tlsServer, address, httpsPort);
    const plainServer = http.createServer((req, res) => redirectToHttps(req, res, httpsPort, viewer.hsts, opts.faults));
    closers.push(closer(plainServer));
    httpPort = await listen(plainServer, address, httpPort);
  }
  const api = await startInvalidationApi({
    pops,
    regional,
    faults: opts.faults,
    propagationMs: opts.propagationMs ?? {},
    token: opts.invalidationToken,
  });
  closers.push(() => api.close());
  return {
    httpsPort,
    httpPort,
    invalidationUrl: api.url,
    async close() {
      await Promise.all(closers.map((close) => close()));
    },
  };
}

function viewerHandler(node: EdgeNode, hsts: string): (req: ViewerRequest, res: ViewerResponse) => void {
  return (req, res) => {
    // RFC 6797 7.2: HSTS only on secure transport, and on every answer there
    res.setHeader('strict-transport-security', hsts);
    // h2 has :authority instead of Host, and the cache key is made from Host
    if (req.headers.host === undefined && 'authority' in req) req.headers.host = req.authority;
    // EdgeNode uses only what the http and http2-compat request/response objects share
    void node.handle(req as IncomingMessage, res as ServerResponse);
  };
}

/** Closing waits for open connections (keep-alive, h2 sessions), so they are destroyed. */
function closer(server: Server): () => Promise<void> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    });
}

async function listen(server: Server, host: string, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

function redirectToHttps(
  req: IncomingMessage,
  res: ServerResponse,
  httpsPort: number,
  hsts: string,
  faults: ReadonlySet<ReferenceEdgeFault>,
): void {
  req.resume();
  const { status, headers } = httpsRedirect(req, httpsPort, hsts, faults);
  res.writeHead(status, { ...headers, 'content-length': '0' });
  res.end();
}
