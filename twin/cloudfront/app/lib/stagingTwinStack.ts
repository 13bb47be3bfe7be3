// The staging twin: a copy of each policy and key group the source's
// behaviours name (policy and key group names are unique per account, so each
// copy's name starts with the stack's), and one distribution whose behaviours
// use the copies. Everything else comes from twin.json as it is.
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import {
  CfnCachePolicy,
  CfnDistribution,
  CfnKeyGroup,
  CfnOriginRequestPolicy,
  CfnResponseHeadersPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import type { Construct } from 'constructs';
import type { TwinBehaviour, TwinData, TwinDefaultBehaviour } from './twinData.js';

/** CloudFront's policy and key group names: letters, digits, - and _, at most 128 */
const NAME_LENGTH = 128;

export class StagingTwinStack extends Stack {
  readonly distribution: CfnDistribution;

  constructor(scope: Construct, id: string, data: TwinData, props: StackProps = {}) {
    super(scope, id, { description: `edgecheck staging twin of ${data.source}`, ...props });
    const named = (name: string) => `${this.stackName}-${name}`.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, NAME_LENGTH);

    const cachePolicies = copies(data.cachePolicies, (sourceId, config) => {
      const policy = new CfnCachePolicy(this, `CachePolicy-${sourceId}`, {
        cachePolicyConfig: { ...config, name: named(config.name) },
      });
      return policy.ref;
    });
    const originRequestPolicies = copies(data.originRequestPolicies, (sourceId, config) => {
      const policy = new CfnOriginRequestPolicy(this, `OriginRequestPolicy-${sourceId}`, {
        originRequestPolicyConfig: { ...config, name: named(config.name) },
      });
      return policy.ref;
    });
    const responseHeadersPolicies = copies(data.responseHeadersPolicies, (sourceId, config) => {
      const policy = new CfnResponseHeadersPolicy(this, `ResponseHeadersPolicy-${sourceId}`, {
        responseHeadersPolicyConfig: { ...config, name: named(config.name) },
      });
      return policy.ref;
    });
    // the same public keys (by id): the twin's signed behaviours take URLs signed with the source's keys
    const keyGroups = copies(data.keyGroups, (sourceId, config) => {
      const group = new CfnKeyGroup(this, `KeyGroup-${sourceId}`, {
        keyGroupConfig: { ...config, name: named(config.name) },
      });
      return group.ref;
    });

    const withCopies = <B extends TwinDefaultBehaviour | TwinBehaviour>(b: B): B => ({
      ...b,
      cachePolicyId: swap(cachePolicies, b.cachePolicyId),
      originRequestPolicyId: swap(originRequestPolicies, b.originRequestPolicyId),
      responseHeadersPolicyId: swap(responseHeadersPolicies, b.responseHeadersPolicyId),
      trustedKeyGroups: b.trustedKeyGroups?.map((sourceId) => swap(keyGroups, sourceId)!),
    });
    // Lambda@Edge and CloudFront Functions stay as twin.json has them: the source's own function versions,
    // so the twin answers as the source does (a viewer-location redirect included); twin.json's `changes` says so
    this.distribution = new CfnDistribution(this, 'Distribution', {
      distributionConfig: {
        ...data.distribution,
        defaultCacheBehavior: withCopies(data.distribution.defaultCacheBehavior),
        cacheBehaviors: data.distribution.cacheBehaviors?.map(withCopies),
      },
    });
    // `cdk deploy --outputs-file` writes these; `edgecheck twin cloudfront --host` takes the domain
    new CfnOutput(this, 'DomainName', { value: this.distribution.attrDomainName });
    new CfnOutput(this, 'DistributionId', { value: this.distribution.ref });
  }
}

/** Each source id mapped to its copy's id, made by `copy`. */
function copies<C>(configs: Record<string, C>, copy: (sourceId: string, config: C) => string): Map<string, string> {
  return new Map(Object.entries(configs).map(([sourceId, config]) => [sourceId, copy(sourceId, config)]));
}

/** The copy's id, or the id as it is (an AWS-managed policy, or none). */
function swap(ids: Map<string, string>, sourceId: string | undefined): string | undefined {
  return sourceId === undefined ? undefined : (ids.get(sourceId) ?? sourceId);
}
