// The behaviours suites/origin-tls.yaml needs on the twin: one per TLS fault
// listener of the probe origin, each sending its path over HTTPS to that
// listener, ahead of the source's own behaviours so none of them can shadow it.
import type { CacheBehavior, CachePolicyConfig, Origin } from '@aws-sdk/client-cloudfront';
import type { DistributionFile } from '../../import/cloudfront/distributionFile.js';
import type { ProbeOrigin } from './probeOrigin.js';

/** the cache policy of the origin-TLS behaviours, by this id in the twin's CachePolicies */
export const ORIGIN_TLS_POLICY_ID = 'edgecheck-origin-tls';

/**
 * As the lab's origin-TLS routes: nothing kept unless the origin says so
 * (the checks send no-store or nothing), so each request reaches the listener,
 * and an error is kept only as long as the distribution's error caching says.
 */
const ORIGIN_TLS_POLICY: CachePolicyConfig = {
  Name: ORIGIN_TLS_POLICY_ID,
  Comment: 'edgecheck origin-tls: the probe origin TLS fault listeners',
  MinTTL: 0,
  DefaultTTL: 0,
  MaxTTL: 31536000,
  ParametersInCacheKeyAndForwardedToOrigin: {
    EnableAcceptEncodingGzip: false,
    EnableAcceptEncodingBrotli: false,
    HeadersConfig: { HeaderBehavior: 'none' },
    CookiesConfig: { CookieBehavior: 'none' },
    QueryStringsConfig: { QueryStringBehavior: 'none' },
  },
};

export function originTlsOriginId(fault: string): string {
  return `edgecheck-origin-tls-${fault}`;
}

/** The twin with an origin and a behaviour per TLS listener (a new object; `dist` is left as it is). */
export function withOriginTlsBehaviours(dist: DistributionFile, probe: ProbeOrigin): DistributionFile {
  if (probe.tls.length === 0) return dist;
  const config = structuredClone(dist.DistributionConfig);
  const origins: Origin[] = probe.tls.map((listener) => ({
    Id: originTlsOriginId(listener.fault),
    DomainName: probe.host,
    OriginPath: '',
    CustomHeaders: { Quantity: 0 },
    CustomOriginConfig: {
      HTTPPort: probe.httpPort,
      HTTPSPort: listener.port,
      OriginProtocolPolicy: 'https-only',
      OriginSslProtocols: { Quantity: 1, Items: ['TLSv1.2'] },
      OriginReadTimeout: 30,
      OriginKeepaliveTimeout: 5,
    },
    ConnectionAttempts: 1,
    ConnectionTimeout: 10,
    OriginShield: { Enabled: false },
  }));
  const behaviours: CacheBehavior[] = probe.tls.map((listener) => ({
    PathPattern: `${listener.path}*`,
    TargetOriginId: originTlsOriginId(listener.fault),
    ViewerProtocolPolicy: 'https-only',
    AllowedMethods: {
      Quantity: 2,
      Items: ['GET', 'HEAD'],
      CachedMethods: { Quantity: 2, Items: ['GET', 'HEAD'] },
    },
    Compress: false,
    CachePolicyId: ORIGIN_TLS_POLICY_ID,
  }));
  const ownOrigins = config.Origins?.Items ?? [];
  const ownBehaviours = config.CacheBehaviors?.Items ?? [];
  config.Origins = { Quantity: ownOrigins.length + origins.length, Items: [...ownOrigins, ...origins] };
  config.CacheBehaviors = {
    Quantity: behaviours.length + ownBehaviours.length,
    Items: [...behaviours, ...ownBehaviours],
  };
  return {
    ...dist,
    DistributionConfig: config,
    CachePolicies: { ...dist.CachePolicies, [ORIGIN_TLS_POLICY_ID]: ORIGIN_TLS_POLICY },
  };
}
