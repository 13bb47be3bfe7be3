// twin.json, the data the twin's CDK app deploys: the twin distribution and
// the policies and key groups its behaviours name, as CloudFormation
// properties. AWS-managed policies (Managed-*) exist in every account and
// cannot be made: the behaviours keep their ids, and they are left out.
import type { DistributionFile } from '../../import/cloudfront/distributionFile.js';
import type { TwinData } from './app/lib/twinData.js';
import { distributionProps } from './distributionProps.js';
import {
  cachePolicyProps,
  keyGroupProps,
  originRequestPolicyProps,
  responseHeadersPolicyProps,
} from './policyProps.js';

const MANAGED = /^Managed-/;

export interface TwinAppDataOptions {
  stackName: string;
  source: string;
  changes: string[];
}

export function twinAppData(dist: DistributionFile, opts: TwinAppDataOptions): TwinData {
  const changes = [...opts.changes];
  const own = <C extends { Name?: string | undefined }, P>(
    kind: string,
    configs: Record<string, C> | undefined,
    props: (config: C) => P,
  ): Record<string, P> => {
    const copied: Record<string, P> = {};
    for (const [id, config] of Object.entries(configs ?? {})) {
      if (MANAGED.test(config.Name ?? '')) changes.push(`${kind} ${config.Name} (${id}): AWS-managed, used by its id`);
      else copied[id] = props(config);
    }
    return copied;
  };
  return {
    stackName: opts.stackName,
    source: opts.source,
    changes,
    distribution: distributionProps(dist.DistributionConfig),
    cachePolicies: own('CachePolicy', dist.CachePolicies, cachePolicyProps),
    originRequestPolicies: own('OriginRequestPolicy', dist.OriginRequestPolicies, originRequestPolicyProps),
    responseHeadersPolicies: own('ResponseHeadersPolicy', dist.ResponseHeadersPolicies, responseHeadersPolicyProps),
    keyGroups: own('KeyGroup', dist.KeyGroups, keyGroupProps),
  };
}
