// `lab: reference`: the probe origin and the reference edge, in-process, on
// loopback, with fresh certificates, a fresh control token and a fresh URL-signing key.
import { createPublicKey, randomBytes, randomInt } from 'node:crypto';
import type { LabInstance, LabRoute } from '../harness/target/lab.js';
import { newLabKey } from './ca.js';
import { LAB_HOSTNAMES, makeLabCertificates, ORIGIN_HOSTNAME, type OriginCertFault } from './labCertificates.js';
import { ORIGIN_TLS_ROUTES } from './originTlsRoutes.js';
import { startProbeOrigin, type ProbeOrigin } from './probeOrigin/probeOrigin.js';
import { CACHING_ROUTES } from './referenceEdge/cachingRoutes.js';
import { edgeRoute } from './referenceEdge/edgeRoutes.js';
import type { ReferenceEdgeFault } from './referenceEdge/faults.js';
import type { OriginCertificateCheck } from './referenceEdge/originTls.js';
import { REFERENCE_EDGE_REDIRECT_PROMISES } from './referenceEdge/redirects.js';
import { startReferenceEdge } from './referenceEdge/referenceEdge.js';
import type { OriginTarget } from './referenceEdge/upstream.js';
import { REFERENCE_EDGE_TLS_PROMISES } from './referenceEdge/viewerTls.js';

export interface ReferenceLabOptions {
  faults?: ReferenceEdgeFault[];
  /** routes from targets.yaml (a path, or a path with its promises), merged over the lab's own */
  routes?: Record<string, string | LabRoute>;
  addresses?: string[];
  /** per PoP address, how long it takes to apply an invalidation (default 0) */
  propagationMs?: Record<string, number>;
}

/** How long the lab promises an invalidation takes to reach every PoP (targets.yaml invalidation.max_propagation). */
const MAX_PROPAGATION = '5s';
/** Unless told otherwise, each PoP applies an invalidation this much later than the one before it, as a CDN's do. */
const PROPAGATION_STEP_MS = 300;
/** Served only to a CloudFront signed URL or signed cookies made with the lab's `signing:` key; cached once let in. */
const SIGNED_ROUTE: LabRoute = { path: '/signed/', ttl: { min: 0, default: 60, max: 31_536_000 }, signed: true };
const KEY_ID_CHARACTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** Origin-side fault switches that skip one certificate check. */
const SKIPPED_CHECKS: Partial<Record<ReferenceEdgeFault, OriginCertificateCheck>> = {
  'origin-ignore-hostname': 'hostname',
  'origin-accept-expired': 'expiry',
};

export async function startReferenceLab(opts: ReferenceLabOptions = {}): Promise<LabInstance> {
  const faults = new Set(opts.faults ?? []);
  const [certs, signingKey] = await Promise.all([makeLabCertificates(), newLabKey()]);
  const token = randomBytes(24).toString('hex');
  const keyPairId = newKeyPairId();
  const origin = await startProbeOrigin({ token, certificates: certs.origin });
  const routes = { ...CACHING_ROUTES, ...ORIGIN_TLS_ROUTES, signed: SIGNED_ROUTE, ...declaredRoutes(opts.routes) };
  const addresses = opts.addresses ?? ['127.0.0.1'];
  try {
    const secondary: OriginTarget = { url: origin.secondaryHttpUrl, verify: true, sendSni: true };
    const edgeRoutes = Object.entries(routes).map(([name, r]) =>
      edgeRoute(name, r, originTarget(r, origin, certs.ca.certPem, faults), secondary),
    );
    const edge = await startReferenceEdge({
      addresses,
      certificates: certs.edge,
      ca: certs.ca,
      keys: certs.keys,
      routes: edgeRoutes,
      faults,
      invalidationToken: token,
      trustedKeys: new Map([[keyPairId, createPublicKey(signingKey.privateKey)]]),
      propagationMs: opts.propagationMs ?? Object.fromEntries(addresses.map((a, i) => [a, i * PROPAGATION_STEP_MS])),
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
      tls: REFERENCE_EDGE_TLS_PROMISES,
      redirects: REFERENCE_EDGE_REDIRECT_PROMISES,
      invalidation: { provider: 'lab', api: edge.invalidationUrl, token, max_propagation: MAX_PROPAGATION },
      signing: {
        scheme: 'cloudfront',
        key_pair_id: keyPairId,
        private_key: signingKey.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      },
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

/** Where a route fetches from and how strictly; origin-side fault switches bend it. */
function originTarget(
  route: LabRoute,
  origin: ProbeOrigin,
  labCaPem: string,
  faults: ReadonlySet<ReferenceEdgeFault>,
): OriginTarget {
  const skipChecks = [...faults].flatMap((fault) => SKIPPED_CHECKS[fault] ?? []);
  return {
    url: route.origin_tls
      ? `https://127.0.0.1:${origin.tlsPorts[route.origin_tls as OriginCertFault]}`
      : origin.httpUrl,
    servername: ORIGIN_HOSTNAME,
    ...(faults.has('origin-wrong-ca-bundle') ? {} : { ca: labCaPem }),
    verify: !faults.has('no-origin-verification'),
    sendSni: !faults.has('no-origin-sni'),
    ...(skipChecks.length ? { skipChecks } : {}),
  };
}

/** A CloudFront public key ID: K and 13 capital letters or digits. */
function newKeyPairId(): string {
  return `K${Array.from({ length: 13 }, () => KEY_ID_CHARACTERS[randomInt(KEY_ID_CHARACTERS.length)]).join('')}`;
}

function declaredRoutes(routes: Record<string, string | LabRoute> = {}): Record<string, LabRoute> {
  return Object.fromEntries(Object.entries(routes).map(([name, r]) => [name, typeof r === 'string' ? { path: r } : r]));
}
