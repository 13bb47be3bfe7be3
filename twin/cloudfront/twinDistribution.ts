// A distribution's staging twin, in the same shape as the source: every
// origin on the probe origin, no aliases (a CNAME belongs to one distribution
// only), CloudFront's own certificate, no logging. Behaviours, policies, key
// groups, error responses and functions are kept as they are. Each change is
// said in words, for twin.json and the command's summary.
import type { DistributionConfig, Origin } from '@aws-sdk/client-cloudfront';
import { behavioursOf } from '../../import/cloudfront/behaviours.js';
import type { DistributionFile } from '../../import/cloudfront/distributionFile.js';
import type { ProbeOrigin } from './probeOrigin.js';

export interface TwinDistribution {
  /** no Id: the twin's id exists only once it is deployed */
  dist: DistributionFile;
  changes: string[];
}

export function twinDistribution(source: DistributionFile, probe: ProbeOrigin): TwinDistribution {
  const changes: string[] = [];
  const config: DistributionConfig = structuredClone(source.DistributionConfig);
  const secondaries = new Set(
    (config.OriginGroups?.Items ?? []).flatMap((g) => (g.Members?.Items ?? []).slice(1).map((m) => m.OriginId)),
  );
  config.Origins = {
    Quantity: config.Origins?.Quantity ?? 0,
    Items: (config.Origins?.Items ?? []).map((origin) => {
      const secondary = secondaries.has(origin.Id);
      const port = secondary ? probe.secondaryPort : probe.httpPort;
      const dropped = [
        origin.S3OriginConfig && 'S3OriginConfig',
        origin.OriginAccessControlId && 'OriginAccessControlId',
      ]
        .filter(Boolean)
        .join(' and ');
      changes.push(
        `Origins ${origin.Id}: ${origin.DomainName} -> ${probe.host}:${port} over HTTP, the probe origin's ` +
          `${secondary ? 'secondary listener (a failover member)' : 'HTTP listener'}` +
          (dropped ? `; ${dropped} dropped (the probe origin is no S3 bucket)` : ''),
      );
      return onProbeOrigin(origin, probe.host, port);
    }),
  };

  const aliases = config.Aliases?.Items ?? [];
  if (aliases.length > 0) {
    changes.push(`Aliases ${aliases.join(', ')} dropped: a CNAME belongs to one distribution only`);
  }
  config.Aliases = { Quantity: 0 };
  const certificate = config.ViewerCertificate;
  if (!certificate?.CloudFrontDefaultCertificate) {
    changes.push(
      `ViewerCertificate: CloudFront's own (*.cloudfront.net) instead of the source's ` +
        `${certificate?.ACMCertificateArn ?? certificate?.IAMCertificateId ?? ''}, so the security policy is TLSv1 ` +
        `(source: ${certificate?.MinimumProtocolVersion ?? 'its default'})`,
    );
  }
  config.ViewerCertificate = { CloudFrontDefaultCertificate: true };
  if (config.Logging?.Enabled) changes.push(`Logging to ${config.Logging.Bucket} off: staging requests stay out of it`);
  config.Logging = { Enabled: false, IncludeCookies: false, Bucket: '', Prefix: '' };
  if (config.ContinuousDeploymentPolicyId) changes.push('ContinuousDeploymentPolicyId dropped');
  config.ContinuousDeploymentPolicyId = '';
  config.Staging = false;
  config.Enabled = true;
  config.Comment = `edgecheck twin of ${source.Id ?? 'a distribution'}`;

  for (const b of behavioursOf(config)) {
    if (b.behaviour.RealtimeLogConfigArn) {
      changes.push(`${b.source}: RealtimeLogConfigArn dropped (staging requests stay out of it)`);
      delete b.behaviour.RealtimeLogConfigArn;
    }
    for (const fn of b.behaviour.LambdaFunctionAssociations?.Items ?? []) {
      changes.push(
        `${b.source}: Lambda@Edge ${fn.EventType} ${fn.LambdaFunctionARN} kept: the twin runs your function, ` +
          'as the source does (remove it from twin.json to test the distribution without it)',
      );
    }
    for (const fn of b.behaviour.FunctionAssociations?.Items ?? []) {
      changes.push(`${b.source}: CloudFront Function ${fn.EventType} ${fn.FunctionARN} kept`);
    }
  }

  const { Id: _id, ETag: _etag, ...rest } = source;
  return { dist: { ...structuredClone(rest), DistributionConfig: config }, changes };
}

/** The origin's own settings (path, custom headers, timeouts, Origin Shield) on the probe origin's listener. */
function onProbeOrigin(origin: Origin, host: string, port: number): Origin {
  const custom = origin.CustomOriginConfig;
  return {
    Id: origin.Id,
    DomainName: host,
    OriginPath: origin.OriginPath ?? '',
    CustomHeaders: origin.CustomHeaders ?? { Quantity: 0 },
    CustomOriginConfig: {
      HTTPPort: port,
      HTTPSPort: custom?.HTTPSPort ?? 443,
      OriginProtocolPolicy: 'http-only',
      OriginSslProtocols: custom?.OriginSslProtocols ?? { Quantity: 1, Items: ['TLSv1.2'] },
      OriginReadTimeout: custom?.OriginReadTimeout ?? 30,
      OriginKeepaliveTimeout: custom?.OriginKeepaliveTimeout ?? 5,
    },
    ...(origin.ConnectionAttempts !== undefined ? { ConnectionAttempts: origin.ConnectionAttempts } : {}),
    ...(origin.ConnectionTimeout !== undefined ? { ConnectionTimeout: origin.ConnectionTimeout } : {}),
    ...(origin.OriginShield ? { OriginShield: origin.OriginShield } : {}),
  };
}
