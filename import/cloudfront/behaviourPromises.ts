// What one cache behaviour promises, in the words of a targets.yaml route:
// its path prefix, TTLs, cache key's query string, compression, error
// caching, failover and signing, each with the configuration field it came from.
import type { CachePolicyConfig } from '@aws-sdk/client-cloudfront';
import type { Behaviour } from './behaviours.js';
import type { DistributionFile } from './distributionFile.js';
import type { Sourced } from './sourced.js';

/** CloudFront's own defaults, from the API reference of CachePolicyConfig and CacheBehavior */
const DEFAULT_TTL = 86400;
const MAX_TTL = 31536000;
/** "By default, CloudFront caches error responses for 10 seconds" (Developer Guide, error caching duration) */
export const ERROR_CACHING_TTL = 10;
/** the error statuses suites/caching.yaml's error-caching check has the origin answer */
const ERROR_CODES_CHECKED = [404, 503];

export type QueryKey = 'all' | 'none' | string[];

export interface BehaviourPromises {
  behaviour: Behaviour;
  /** the route prefix the PathPattern stands for; undefined when the pattern is no prefix (`*.jpg`) */
  path?: Sourced<string>;
  ttl: { min: Sourced<number>; default: Sourced<number>; max: Sourced<number> };
  /** undefined when the key keeps all but some parameters (allExcept), which a route cannot say */
  query_key?: Sourced<QueryKey>;
  compress: Sourced<boolean>;
  error_ttl: Sourced<number>;
  /** the origin group it sends to, when it sends to one */
  failover?: Sourced<true>;
  /** the trusted key groups' names, when requests must be signed */
  signed?: Sourced<string[]>;
  /** Origin Shield's region, when the origin (or the group's first member) has it on */
  shield?: Sourced<string>;
  /** what the configuration holds that no route field can say: Lambda@Edge, CloudFront Functions, allExcept */
  notes: string[];
}

export function behaviourPromises(b: Behaviour, dist: DistributionFile): BehaviourPromises {
  const policy = b.behaviour.CachePolicyId ? dist.CachePolicies?.[b.behaviour.CachePolicyId] : undefined;
  const policyName = policy ? `CachePolicy ${policy.Name}` : undefined;
  const notes: string[] = [];
  const query = policy ? policyQueryKey(policy, policyName!) : legacyQueryKey(b);
  if (query === undefined) {
    notes.push(`${b.source}: ${policyName} keeps all query parameters but some (allExcept): no query_key promised`);
  }
  for (const fn of b.behaviour.LambdaFunctionAssociations?.Items ?? []) {
    notes.push(
      `${b.source}: Lambda@Edge ${fn.EventType} ${fn.LambdaFunctionARN}: what it does is code, not configuration; ` +
        'if it redirects by viewer location, declare redirects.viewer_location by hand',
    );
  }
  for (const fn of b.behaviour.FunctionAssociations?.Items ?? []) {
    notes.push(`${b.source}: CloudFront Function ${fn.EventType} ${fn.FunctionARN}: code, not configuration`);
  }
  const path = routePrefix(b.pattern);
  if (path === undefined) notes.push(`${b.source}: PathPattern ${b.pattern} is no path prefix: no route for it`);
  return {
    behaviour: b,
    ...(path !== undefined ? { path: { value: path, from: pathSource(b) } } : {}),
    ttl: policy ? policyTtl(policy, policyName!) : legacyTtl(b),
    ...(query !== undefined ? { query_key: query } : {}),
    compress: compressOf(b, policy, policyName),
    error_ttl: errorTtl(dist),
    ...failoverOf(b, dist),
    ...signedOf(b, dist),
    ...shieldOf(b, dist),
    notes,
  };
}

/** `/assets/*` -> `/assets/`, `static/*` -> `/static/`, `/search*` -> `/search`, `*` -> `/`; `*.jpg` -> none */
export function routePrefix(pattern: string): string | undefined {
  const rooted = pattern.startsWith('/') ? pattern : `/${pattern}`;
  const prefix = rooted.endsWith('*') ? rooted.slice(0, -1) : rooted;
  return /[*?]/.test(prefix) ? undefined : prefix;
}

function pathSource(b: Behaviour): string {
  return b.isDefault ? 'DefaultCacheBehavior (PathPattern *)' : `${b.source} PathPattern`;
}

export function policyTtl(policy: CachePolicyConfig, name: string): BehaviourPromises['ttl'] {
  const min = policy.MinTTL ?? 0;
  // the documented defaults: DefaultTTL one day (or MinTTL when higher), MaxTTL one year (or DefaultTTL when higher)
  const byDefault = policy.DefaultTTL ?? Math.max(DEFAULT_TTL, min);
  const max = policy.MaxTTL ?? Math.max(MAX_TTL, byDefault);
  const said = (field: string, given: number | undefined) =>
    `${name} ${field}${given === undefined ? ' (default)' : ''}`;
  return {
    min: { value: min, from: said('MinTTL', policy.MinTTL) },
    default: { value: byDefault, from: said('DefaultTTL', policy.DefaultTTL) },
    max: { value: max, from: said('MaxTTL', policy.MaxTTL) },
  };
}

function legacyTtl(b: Behaviour): BehaviourPromises['ttl'] {
  const { MinTTL, DefaultTTL, MaxTTL } = b.behaviour;
  const said = (field: string, given: number | undefined) =>
    `${b.source} ${field}${given === undefined ? ' (default)' : ''}`;
  return {
    min: { value: MinTTL ?? 0, from: said('MinTTL', MinTTL) },
    default: { value: DefaultTTL ?? DEFAULT_TTL, from: said('DefaultTTL', DefaultTTL) },
    max: { value: MaxTTL ?? MAX_TTL, from: said('MaxTTL', MaxTTL) },
  };
}

function policyQueryKey(policy: CachePolicyConfig, name: string): Sourced<QueryKey> | undefined {
  const config = policy.ParametersInCacheKeyAndForwardedToOrigin?.QueryStringsConfig;
  const behavior = config?.QueryStringBehavior ?? 'none';
  const from = `${name} QueryStringsConfig.QueryStringBehavior: ${behavior}`;
  if (behavior === 'all') return { value: 'all', from };
  if (behavior === 'none') return { value: 'none', from };
  if (behavior === 'whitelist') return { value: config?.QueryStrings?.Items ?? [], from: `${from} (QueryStrings)` };
  return undefined;
}

function legacyQueryKey(b: Behaviour): Sourced<QueryKey> {
  const forwarded = b.behaviour.ForwardedValues;
  if (!forwarded?.QueryString) return { value: 'none', from: `${b.source} ForwardedValues.QueryString: false` };
  const keys = forwarded.QueryStringCacheKeys?.Items ?? [];
  if (keys.length > 0) return { value: keys, from: `${b.source} ForwardedValues.QueryStringCacheKeys` };
  return { value: 'all', from: `${b.source} ForwardedValues.QueryString: true, no QueryStringCacheKeys` };
}

/**
 * CloudFront compresses when the behaviour says Compress and, under a cache
 * policy, the policy lets Accept-Encoding into the key (EnableAcceptEncodingGzip or Brotli).
 */
function compressOf(b: Behaviour, policy: CachePolicyConfig | undefined, name: string | undefined): Sourced<boolean> {
  const compress = b.behaviour.Compress ?? false;
  const from = `${b.source} Compress: ${compress}`;
  if (!compress || !policy) return { value: compress, from };
  const params = policy.ParametersInCacheKeyAndForwardedToOrigin;
  const encodings = Boolean(params?.EnableAcceptEncodingGzip || params?.EnableAcceptEncodingBrotli);
  return { value: encodings, from: `${from}, ${name} EnableAcceptEncodingGzip/Brotli: ${encodings}` };
}

/** The longest an error status the suites check is cached: its ErrorCachingMinTTL, or CloudFront's 10s. */
function errorTtl(dist: DistributionFile): Sourced<number> {
  const responses = dist.DistributionConfig.CustomErrorResponses?.Items ?? [];
  const each = ERROR_CODES_CHECKED.map((code) => {
    const ttl = responses.find((r) => r.ErrorCode === code)?.ErrorCachingMinTTL;
    return { code, ttl: ttl ?? ERROR_CACHING_TTL, given: ttl !== undefined };
  });
  const longest = Math.max(...each.map((e) => e.ttl));
  const said = each.map((e) => `${e.code}: ${e.ttl}s${e.given ? '' : ' (default)'}`).join(', ');
  return { value: longest, from: `CustomErrorResponses ErrorCachingMinTTL (${said}; the longest)` };
}

function failoverOf(b: Behaviour, dist: DistributionFile): { failover?: Sourced<true> } {
  const group = dist.DistributionConfig.OriginGroups?.Items?.find((g) => g.Id === b.behaviour.TargetOriginId);
  if (!group) return {};
  const codes = group.FailoverCriteria?.StatusCodes?.Items?.join(', ') ?? '';
  return { failover: { value: true, from: `${b.source} TargetOriginId: origin group ${group.Id} (on ${codes})` } };
}

function signedOf(b: Behaviour, dist: DistributionFile): { signed?: Sourced<string[]> } {
  const groups = b.behaviour.TrustedKeyGroups;
  if (groups?.Enabled && groups.Items?.length) {
    const names = groups.Items.map((id) => dist.KeyGroups?.[id]?.Name ?? id);
    return { signed: { value: names, from: `${b.source} TrustedKeyGroups: ${names.join(', ')}` } };
  }
  const signers = b.behaviour.TrustedSigners;
  if (signers?.Enabled && signers.Items?.length) {
    return { signed: { value: signers.Items, from: `${b.source} TrustedSigners (legacy key pairs)` } };
  }
  return {};
}

function shieldOf(b: Behaviour, dist: DistributionFile): { shield?: Sourced<string> } {
  const config = dist.DistributionConfig;
  const group = config.OriginGroups?.Items?.find((g) => g.Id === b.behaviour.TargetOriginId);
  const originId = group ? group.Members?.Items?.[0]?.OriginId : b.behaviour.TargetOriginId;
  const origin = config.Origins?.Items?.find((o) => o.Id === originId);
  if (!origin?.OriginShield?.Enabled) return {};
  const region = origin.OriginShield.OriginShieldRegion ?? '';
  return { shield: { value: region, from: `Origins ${origin.Id} OriginShield (${region})` } };
}
