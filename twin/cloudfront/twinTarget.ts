// The staging twin as a targets.yaml target: what the import makes of the
// twin's configuration (its behaviours are the source's, so its promises are
// too), plus the probe origin's control channel and a route per TLS fault
// listener for suites/origin-tls.yaml.
import { ERROR_CACHING_TTL } from '../../import/cloudfront/behaviourPromises.js';
import type { TargetConfig } from '../../harness/config/targetsSchema.js';
import type { DistributionFile } from '../../import/cloudfront/distributionFile.js';
import { importedTarget, type ImportedTarget } from '../../import/cloudfront/importedTarget.js';
import type { ProbeOrigin } from './probeOrigin.js';

/** the origin error the origin-TLS checks see: CloudFront's 502 for an origin it cannot trust */
const BAD_ORIGIN_STATUS = 502;

export interface TwinTargetOptions {
  name: string;
  /** the twin's domain (d111111abcdef8.cloudfront.net), known once it is deployed */
  host: string;
  /** the twin's distribution id, for the invalidation provider */
  distributionId?: string;
  /** the environment variable holding the control channel's token */
  tokenEnv: string;
}

/** `twin` is the twin without its origin-TLS behaviours (twinDistribution's), which get routes here instead. */
export function twinTarget(twin: DistributionFile, probe: ProbeOrigin, opts: TwinTargetOptions): ImportedTarget {
  const imported = importedTarget(twin, {
    name: opts.name,
    host: opts.host,
    ...(opts.distributionId ? { distributionId: opts.distributionId } : {}),
  });
  const { url, hostnames, cache_status, ...rest } = imported.config;
  // beside the target's address, where a reader looks for what it talks to
  const origin = { control: probe.control, token: `\${env:${opts.tokenEnv}}` };
  const config: TargetConfig = { url, hostnames, cache_status, origin, ...rest };
  imported.config = config;
  imported.comments.push({
    path: ['origin'],
    text: `the probe origin the twin's origins point at (${probe.host}); its token from $${opts.tokenEnv}`,
  });
  const errorTtl = badOriginErrorTtl(twin);
  const routes = { ...config.routes };
  for (const listener of probe.tls) {
    routes[listener.route] = { path: listener.path, error_ttl: `${errorTtl.seconds}s` };
    imported.comments.push(
      {
        path: ['routes', listener.route],
        text: `the twin's behaviour ${listener.path}* -> ${probe.host}:${listener.port} (${listener.fault} listener)`,
      },
      { path: ['routes', listener.route, 'error_ttl'], text: errorTtl.from },
    );
  }
  config.routes = routes;
  return imported;
}

function badOriginErrorTtl(dist: DistributionFile): { seconds: number; from: string } {
  const response = dist.DistributionConfig.CustomErrorResponses?.Items?.find((r) => r.ErrorCode === BAD_ORIGIN_STATUS);
  if (response?.ErrorCachingMinTTL !== undefined) {
    return { seconds: response.ErrorCachingMinTTL, from: `CustomErrorResponses 502 ErrorCachingMinTTL` };
  }
  return { seconds: ERROR_CACHING_TTL, from: "CloudFront's error caching for 502 (no CustomErrorResponses entry)" };
}
