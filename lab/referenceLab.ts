// `lab: reference`: the probe origin and the reference edge, in-process, on
// loopback, with fresh certificates and a fresh control token.
import { randomBytes } from 'node:crypto';
import type { LabInstance, LabRoute } from './labInstance.js';
import { LAB_HOSTNAMES, makeLabCertificates, ORIGIN_HOSTNAME, type OriginCertFault } from './labCertificates.js';
import { startProbeOrigin } from './probeOrigin/probeOrigin.js';
import type { ReferenceEdgeFault } from './referenceEdge/faults.js';
import { startReferenceEdge, type EdgeRoute } from './referenceEdge/referenceEdge.js';
import { CACHING_ROUTES } from './referenceEdge/cachingRoutes.js';

export interface ReferenceLabOptions {
  faults?: ReferenceEdgeFault[];
  /** routes from targets.yaml, merged over the lab's own */
  routes?: Record<string, LabRoute>;
  addresses?: string[];
}


export async function startReferenceLab(opts: ReferenceLabOptions = {}): Promise<LabInstance> {
  const certs = makeLabCertificates();
  const token = randomBytes(24).toString('hex');
  const origin = await startProbeOrigin({ token, certificates: certs.origin });
  const routes = { ...CACHING_ROUTES, ...opts.routes };
  const addresses = opts.addresses ?? ['127.0.0.1'];
  try {
    const edgeRoutes: EdgeRoute[] = Object.entries(routes).map(([name, r]) => ({
      name,
      path: r.path,
      ttl: { min: r.ttl?.min ?? 0, default: r.ttl?.default ?? 0, max: r.ttl?.max ?? 31_536_000 },
      queryKey: r.query_key ?? 'all',
      origin: {
        url: r.origin_tls ? `https://127.0.0.1:${origin.tlsPorts[r.origin_tls as OriginCertFault]}` : origin.httpUrl,
        servername: ORIGIN_HOSTNAME,
        ca: certs.ca.certPem,
        verify: true,
        sendSni: true,
      },
    }));
    const edge = await startReferenceEdge({
      addresses,
      certificates: certs.edge,
      routes: edgeRoutes,
      faults: new Set(opts.faults ?? []),
    });
    const host = LAB_HOSTNAMES[0];
    return {
      url: `https://${host}:${edge.httpsPort}`,
      httpUrl: `http://${host}:${edge.httpPort}`,
      hostnames: [...LAB_HOSTNAMES],
      addresses,
      caPem: certs.ca.certPem,
      origin: { control: origin.controlUrl, token },
      routes,
      cacheStatus: 'rfc9211',
      async close() {
        await edge.close();
        await origin.close();
      },
    };
  } catch (err) {
    await origin.close();
    throw err;
  }
}
