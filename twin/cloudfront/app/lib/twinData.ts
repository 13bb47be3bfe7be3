// twin.json: what `edgecheck twin cloudfront` wrote for this app to deploy —
// the source distribution's configuration and policies as CloudFormation
// properties (aws-cdk-lib's L1 shapes), with every origin on the probe origin.
import type {
  CfnCachePolicy,
  CfnDistribution,
  CfnKeyGroup,
  CfnOriginRequestPolicy,
  CfnResponseHeadersPolicy,
} from 'aws-cdk-lib/aws-cloudfront';

/** A behaviour names policies and key groups by the source's ids; the stack swaps in its copies' ids. */
export type TwinDefaultBehaviour = CfnDistribution.DefaultCacheBehaviorProperty;
export type TwinBehaviour = CfnDistribution.CacheBehaviorProperty;

export interface TwinDistributionConfig extends Omit<
  CfnDistribution.DistributionConfigProperty,
  'defaultCacheBehavior' | 'cacheBehaviors'
> {
  defaultCacheBehavior: TwinDefaultBehaviour;
  cacheBehaviors?: TwinBehaviour[];
}

export interface TwinData {
  /** the CloudFormation stack's name; the copied policies' and key groups' names start with it */
  stackName: string;
  /** the distribution this twin copies: `distribution E123 (its comment)` */
  source: string;
  /** how the twin differs from the source, and why: read these before deploying */
  changes: string[];
  distribution: TwinDistributionConfig;
  /**
   * The policies and key groups to copy, by the source's id. A behaviour's id
   * found in none of these (an AWS-managed policy) is used as it is.
   */
  cachePolicies: Record<string, CfnCachePolicy.CachePolicyConfigProperty>;
  originRequestPolicies: Record<string, CfnOriginRequestPolicy.OriginRequestPolicyConfigProperty>;
  responseHeadersPolicies: Record<string, CfnResponseHeadersPolicy.ResponseHeadersPolicyConfigProperty>;
  keyGroups: Record<string, CfnKeyGroup.KeyGroupConfigProperty>;
}
