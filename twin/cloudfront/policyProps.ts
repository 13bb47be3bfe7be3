// Cache, origin request and response headers policies and key groups, from
// the API's shape to CloudFormation's (aws-cdk-lib's L1 properties): the same
// fields, lists as arrays. A cache policy's TTLs CloudFormation requires are
// the documented defaults when the API left them out.
import type {
  CachePolicyConfig,
  KeyGroupConfig,
  OriginRequestPolicyConfig,
  ResponseHeadersPolicyConfig,
} from '@aws-sdk/client-cloudfront';
import type {
  CfnCachePolicy,
  CfnKeyGroup,
  CfnOriginRequestPolicy,
  CfnResponseHeadersPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { policyTtl } from '../../import/cloudfront/behaviourPromises.js';
import { listItems, unlessEmpty } from './listItems.js';

export function cachePolicyProps(p: CachePolicyConfig): CfnCachePolicy.CachePolicyConfigProperty {
  const ttl = policyTtl(p, p.Name!);
  const params = p.ParametersInCacheKeyAndForwardedToOrigin;
  return {
    name: p.Name!,
    comment: unlessEmpty(p.Comment),
    minTtl: ttl.min.value,
    defaultTtl: ttl.default.value,
    maxTtl: ttl.max.value,
    parametersInCacheKeyAndForwardedToOrigin: {
      enableAcceptEncodingGzip: params?.EnableAcceptEncodingGzip ?? false,
      enableAcceptEncodingBrotli: params?.EnableAcceptEncodingBrotli,
      headersConfig: {
        headerBehavior: params?.HeadersConfig?.HeaderBehavior ?? 'none',
        headers: listItems(params?.HeadersConfig?.Headers),
      },
      cookiesConfig: {
        cookieBehavior: params?.CookiesConfig?.CookieBehavior ?? 'none',
        cookies: listItems(params?.CookiesConfig?.Cookies),
      },
      queryStringsConfig: {
        queryStringBehavior: params?.QueryStringsConfig?.QueryStringBehavior ?? 'none',
        queryStrings: listItems(params?.QueryStringsConfig?.QueryStrings),
      },
    },
  };
}

export function originRequestPolicyProps(
  p: OriginRequestPolicyConfig,
): CfnOriginRequestPolicy.OriginRequestPolicyConfigProperty {
  return {
    name: p.Name!,
    comment: unlessEmpty(p.Comment),
    headersConfig: {
      headerBehavior: p.HeadersConfig?.HeaderBehavior ?? 'none',
      headers: listItems(p.HeadersConfig?.Headers),
    },
    cookiesConfig: {
      cookieBehavior: p.CookiesConfig?.CookieBehavior ?? 'none',
      cookies: listItems(p.CookiesConfig?.Cookies),
    },
    queryStringsConfig: {
      queryStringBehavior: p.QueryStringsConfig?.QueryStringBehavior ?? 'none',
      queryStrings: listItems(p.QueryStringsConfig?.QueryStrings),
    },
  };
}

export function responseHeadersPolicyProps(
  p: ResponseHeadersPolicyConfig,
): CfnResponseHeadersPolicy.ResponseHeadersPolicyConfigProperty {
  const cors = p.CorsConfig;
  const security = p.SecurityHeadersConfig;
  const custom = listItems(p.CustomHeadersConfig);
  const remove = listItems(p.RemoveHeadersConfig);
  // CloudFormation keeps `{Items: [...]}` (without Quantity) for these lists
  const wrapped = <T>(list: { Items?: T[] | undefined } | undefined) => ({ items: list?.Items ?? [] });
  return {
    name: p.Name!,
    comment: unlessEmpty(p.Comment),
    ...(cors
      ? {
          corsConfig: {
            accessControlAllowCredentials: cors.AccessControlAllowCredentials ?? false,
            accessControlAllowHeaders: wrapped(cors.AccessControlAllowHeaders),
            accessControlAllowMethods: wrapped(cors.AccessControlAllowMethods),
            accessControlAllowOrigins: wrapped(cors.AccessControlAllowOrigins),
            ...(cors.AccessControlExposeHeaders?.Items?.length
              ? { accessControlExposeHeaders: wrapped(cors.AccessControlExposeHeaders) }
              : {}),
            accessControlMaxAgeSec: cors.AccessControlMaxAgeSec,
            originOverride: cors.OriginOverride ?? false,
          },
        }
      : {}),
    ...(custom
      ? {
          customHeadersConfig: {
            items: custom.map((h) => ({ header: h.Header!, value: h.Value!, override: h.Override! })),
          },
        }
      : {}),
    ...(remove ? { removeHeadersConfig: { items: remove.map((h) => ({ header: h.Header! })) } } : {}),
    ...(security ? { securityHeadersConfig: securityHeaders(security) } : {}),
    ...(p.ServerTimingHeadersConfig
      ? {
          serverTimingHeadersConfig: {
            enabled: p.ServerTimingHeadersConfig.Enabled ?? false,
            samplingRate: p.ServerTimingHeadersConfig.SamplingRate,
          },
        }
      : {}),
  };
}

function securityHeaders(
  s: NonNullable<ResponseHeadersPolicyConfig['SecurityHeadersConfig']>,
): CfnResponseHeadersPolicy.SecurityHeadersConfigProperty {
  const sts = s.StrictTransportSecurity;
  const csp = s.ContentSecurityPolicy;
  const xss = s.XSSProtection;
  return {
    ...(sts
      ? {
          strictTransportSecurity: {
            accessControlMaxAgeSec: sts.AccessControlMaxAgeSec!,
            includeSubdomains: sts.IncludeSubdomains,
            override: sts.Override!,
            preload: sts.Preload,
          },
        }
      : {}),
    ...(csp
      ? { contentSecurityPolicy: { contentSecurityPolicy: csp.ContentSecurityPolicy!, override: csp.Override! } }
      : {}),
    ...(s.ContentTypeOptions ? { contentTypeOptions: { override: s.ContentTypeOptions.Override! } } : {}),
    ...(s.FrameOptions
      ? { frameOptions: { frameOption: s.FrameOptions.FrameOption!, override: s.FrameOptions.Override! } }
      : {}),
    ...(s.ReferrerPolicy
      ? { referrerPolicy: { referrerPolicy: s.ReferrerPolicy.ReferrerPolicy!, override: s.ReferrerPolicy.Override! } }
      : {}),
    ...(xss
      ? {
          xssProtection: {
            protection: xss.Protection!,
            override: xss.Override!,
            modeBlock: xss.ModeBlock,
            reportUri: unlessEmpty(xss.ReportUri),
          },
        }
      : {}),
  };
}

export function keyGroupProps(k: KeyGroupConfig): CfnKeyGroup.KeyGroupConfigProperty {
  return { name: k.Name!, comment: unlessEmpty(k.Comment), items: k.Items ?? [] };
}
