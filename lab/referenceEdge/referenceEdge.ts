// The reference edge's listeners: a small CloudFront-like CDN in Node. HTTPS
// with SNI certificates per hostname and HTTP -> HTTPS redirect on every edge
// address; each address is an EdgeNode with its own cache. It is a fixture:
// its fault switches let the project prove each suite check can fail.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { createSecureContext, type SecureContext } from 'node:tls';
import type { ServedCertificate } from '../labCertificates.js';
import { EdgeNode, type EdgeRoute } from './edgeNode.js';
import type { ReferenceEdgeFault } from './faults.js';

export type { EdgeRoute };

export interface ReferenceEdgeOptions {
  /** edge node addresses; each has its own cache, like separate POPs */
  addresses: string[];
  certificates: Record<string, ServedCertificate>;
  routes: EdgeRoute[];
  faults: ReadonlySet<ReferenceEdgeFault>;
}

export interface ReferenceEdge {
  httpsPort: number;
  httpPort: number;
  close(): Promise<void>;
}

export async function startReferenceEdge(opts: ReferenceEdgeOptions): Promise<ReferenceEdge> {
  const contexts = new Map<string, SecureContext>();
  for (const [host, cert] of Object.entries(opts.certificates)) {
    contexts.set(host, createSecureContext({ key: cert.keyPem, cert: cert.certPem + cert.chainPem }));
  }
  const defaultCert = Object.values(opts.certificates)[0];
  if (!defaultCert) throw new Error('reference edge needs at least one certificate');
  const servers: http.Server[] = [];
  let httpsPort = 0;
  let httpPort = 0;
  for (const address of opts.addresses) {
    const node = new EdgeNode(address, opts);
    const tlsServer = https.createServer(
      {
        key: defaultCert.keyPem,
        cert: defaultCert.certPem + defaultCert.chainPem,
        SNICallback: (name, cb) => cb(null, contexts.get(name.toLowerCase())),
        ALPNProtocols: ['http/1.1'],
      },
      (req, res) => void node.handle(req, res),
    );
    httpsPort = await listen(tlsServer, address, httpsPort);
    const plainServer = http.createServer((req, res) => redirectToHttps(req, res, httpsPort));
    httpPort = await listen(plainServer, address, httpPort);
    servers.push(tlsServer, plainServer);
  }
  return {
    httpsPort,
    httpPort,
    async close() {
      await Promise.all(servers.map((s) => new Promise<void>((resolve) => (s.close(() => resolve()), s.closeAllConnections()))));
    },
  };
}

async function listen(server: http.Server, host: string, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

function redirectToHttps(req: IncomingMessage, res: ServerResponse, httpsPort: number): void {
  const host = (req.headers.host ?? 'localhost').replace(/:\d+$/, '');
  res.writeHead(301, { location: `https://${host}:${httpsPort}${req.url ?? '/'}`, 'content-length': '0' });
  res.end();
}

