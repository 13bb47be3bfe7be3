// A distribution's configuration, from the API's shape (get-distribution-config)
// to CloudFormation's (aws-cdk-lib's CfnDistribution properties): the same
// fields under CloudFormation's names, lists as arrays, nothing added.
import type {
  CacheBehavior,
  DefaultCacheBehavior,
  DistributionConfig,
  Origin,
  ViewerCertificate,
} from '@aws-sdk/client-cloudfront';
import type { CfnDistribution } from 'aws-cdk-lib/aws-cloudfront';
import type { TwinBehaviour, TwinDefaultBehaviour, TwinDistributionConfig } from './app/lib/twinData.js';
import { listItems, unlessEmpty } from './listItems.js';

export function distributionProps(c: DistributionConfig): TwinDistributionConfig {
  const groups = listItems(c.OriginGroups);
  const geo = c.Restrictions?.GeoRestriction;
  return {
    enabled: c.Enabled ?? true,
    comment: unlessEmpty(c.Comment),
    aliases: listItems(c.Aliases),
    defaultRootObject: unlessEmpty(c.DefaultRootObject),
    httpVersion: c.HttpVersion,
    ipv6Enabled: c.IsIPV6Enabled,
    priceClass: c.PriceClass,
    webAclId: unlessEmpty(c.WebACLId),
    viewerCertificate: viewerCertificate(c.ViewerCertificate),
    ...(geo
      ? { restrictions: { geoRestriction: { restrictionType: geo.RestrictionType!, locations: listItems(geo) } } }
      : {}),
    ...(c.Logging?.Enabled
      ? { logging: { bucket: c.Logging.Bucket, includeCookies: c.Logging.IncludeCookies, prefix: c.Logging.Prefix } }
      : {}),
    customErrorResponses: listItems(c.CustomErrorResponses)?.map((r) => ({
      errorCode: r.ErrorCode!,
      errorCachingMinTtl: r.ErrorCachingMinTTL,
      responseCode: r.ResponseCode ? Number(r.ResponseCode) : undefined,
      responsePagePath: unlessEmpty(r.ResponsePagePath),
    })),
    origins: (c.Origins?.Items ?? []).map(originProps),
    ...(groups
      ? {
          originGroups: {
            quantity: groups.length,
            items: groups.map((g) => ({
              id: g.Id!,
              selectionCriteria: g.SelectionCriteria,
              failoverCriteria: {
                statusCodes: {
                  quantity: g.FailoverCriteria?.StatusCodes?.Quantity ?? 0,
                  items: g.FailoverCriteria?.StatusCodes?.Items ?? [],
                },
              },
              members: {
                quantity: g.Members?.Quantity ?? 0,
                items: (g.Members?.Items ?? []).map((m) => ({ originId: m.OriginId! })),
              },
            })),
          },
        }
      : {}),
    defaultCacheBehavior: behaviourProps(c.DefaultCacheBehavior!),
    cacheBehaviors: listItems(c.CacheBehaviors)?.map((b): TwinBehaviour => ({
      pathPattern: b.PathPattern!,
      ...behaviourProps(b),
    })),
  };
}

function viewerCertificate(cert: ViewerCertificate | undefined): CfnDistribution.ViewerCertificateProperty {
  // CloudFormation refuses a security policy or support method beside CloudFront's own certificate
  if (!cert || cert.CloudFrontDefaultCertificate) return { cloudFrontDefaultCertificate: true };
  return {
    acmCertificateArn: unlessEmpty(cert.ACMCertificateArn),
    iamCertificateId: unlessEmpty(cert.IAMCertificateId),
    minimumProtocolVersion: cert.MinimumProtocolVersion,
    sslSupportMethod: cert.SSLSupportMethod,
  };
}

function originProps(o: Origin): CfnDistribution.OriginProperty {
  const custom = o.CustomOriginConfig;
  return {
    id: o.Id!,
    domainName: o.DomainName!,
    originPath: unlessEmpty(o.OriginPath),
    connectionAttempts: o.ConnectionAttempts,
    connectionTimeout: o.ConnectionTimeout,
    originCustomHeaders: listItems(o.CustomHeaders)?.map((h) => ({
      headerName: h.HeaderName!,
      headerValue: h.HeaderValue!,
    })),
    ...(o.OriginShield
      ? { originShield: { enabled: o.OriginShield.Enabled, originShieldRegion: o.OriginShield.OriginShieldRegion } }
      : {}),
    ...(custom
      ? {
          customOriginConfig: {
            httpPort: custom.HTTPPort,
            httpsPort: custom.HTTPSPort,
            originProtocolPolicy: custom.OriginProtocolPolicy!,
            originSslProtocols: listItems(custom.OriginSslProtocols),
            originReadTimeout: custom.OriginReadTimeout,
            originKeepaliveTimeout: custom.OriginKeepaliveTimeout,
          },
        }
      : {}),
  };
}

function behaviourProps(b: DefaultCacheBehavior | CacheBehavior): TwinDefaultBehaviour {
  const forwarded = b.ForwardedValues;
  return {
    targetOriginId: b.TargetOriginId!,
    viewerProtocolPolicy: b.ViewerProtocolPolicy!,
    allowedMethods: listItems(b.AllowedMethods),
    cachedMethods: listItems(b.AllowedMethods?.CachedMethods),
    compress: b.Compress,
    smoothStreaming: b.SmoothStreaming,
    cachePolicyId: unlessEmpty(b.CachePolicyId),
    originRequestPolicyId: unlessEmpty(b.OriginRequestPolicyId),
    responseHeadersPolicyId: unlessEmpty(b.ResponseHeadersPolicyId),
    fieldLevelEncryptionId: unlessEmpty(b.FieldLevelEncryptionId),
    realtimeLogConfigArn: unlessEmpty(b.RealtimeLogConfigArn),
    ...(b.GrpcConfig ? { grpcConfig: { enabled: b.GrpcConfig.Enabled ?? false } } : {}),
    trustedKeyGroups: b.TrustedKeyGroups?.Enabled ? listItems(b.TrustedKeyGroups) : undefined,
    trustedSigners: b.TrustedSigners?.Enabled ? listItems(b.TrustedSigners) : undefined,
    lambdaFunctionAssociations: listItems(b.LambdaFunctionAssociations)?.map((f) => ({
      eventType: f.EventType,
      lambdaFunctionArn: f.LambdaFunctionARN,
      includeBody: f.IncludeBody,
    })),
    functionAssociations: listItems(b.FunctionAssociations)?.map((f) => ({
      eventType: f.EventType,
      functionArn: f.FunctionARN,
    })),
    ...(forwarded
      ? {
          forwardedValues: {
            queryString: forwarded.QueryString ?? false,
            queryStringCacheKeys: listItems(forwarded.QueryStringCacheKeys),
            headers: listItems(forwarded.Headers),
            ...(forwarded.Cookies
              ? {
                  cookies: {
                    forward: forwarded.Cookies.Forward!,
                    whitelistedNames: listItems(forwarded.Cookies.WhitelistedNames),
                  },
                }
              : {}),
          },
        }
      : {}),
    minTtl: b.MinTTL,
    defaultTtl: b.DefaultTTL,
    maxTtl: b.MaxTTL,
  };
}
