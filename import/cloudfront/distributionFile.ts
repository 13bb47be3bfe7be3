// What `import cloudfront` and `twin cloudfront` read: a distribution's
// configuration with the policies and key groups its behaviours name. The
// offline `--config` file has this shape (README "Testing a real CloudFront
// distribution"): what `aws cloudfront get-distribution-config` prints, plus
// each referenced policy's and key group's config keyed by its Id; fetching
// through the SDK fills in the same shape.
import type {
  CachePolicyConfig,
  DistributionConfig,
  KeyGroupConfig,
  OriginRequestPolicyConfig,
  ResponseHeadersPolicyConfig,
} from '@aws-sdk/client-cloudfront';

export interface DistributionFile {
  /** the distribution's id (E2QWRUHEXAMPLE): get-distribution-config does not print it; --distribution gives it too */
  Id?: string;
  /** as get-distribution-config prints it; not used, kept so its output can be extended in place */
  ETag?: string;
  DistributionConfig: DistributionConfig;
  /** get-cache-policy's CachePolicy.CachePolicyConfig, by the Id a behaviour's CachePolicyId names */
  CachePolicies?: Record<string, CachePolicyConfig>;
  OriginRequestPolicies?: Record<string, OriginRequestPolicyConfig>;
  ResponseHeadersPolicies?: Record<string, ResponseHeadersPolicyConfig>;
  /** get-key-group's KeyGroup.KeyGroupConfig, by the Id a behaviour's TrustedKeyGroups names */
  KeyGroups?: Record<string, KeyGroupConfig>;
}
