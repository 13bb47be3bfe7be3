// A live distribution through the AWS SDK: its configuration, then each
// cache, origin request and response headers policy its behaviours name,
// and the key groups — the same shape the offline --config file has.
import {
  CloudFrontClient,
  GetCachePolicyCommand,
  GetDistributionConfigCommand,
  GetOriginRequestPolicyCommand,
  GetResponseHeadersPolicyCommand,
  ListKeyGroupsCommand,
  type KeyGroupConfig,
} from '@aws-sdk/client-cloudfront';
import { HarnessError } from '../../harness/errors.js';
import { behavioursOf } from './behaviours.js';
import type { DistributionFile } from './distributionFile.js';

/** ListKeyGroups pages; a distribution's account holds at most a few dozen key groups, so this bounds the loop */
const MAX_KEY_GROUP_PAGES = 20;

/** `client` as the caller made it: region us-east-1, and the endpoint from AWS_ENDPOINT_URL_CLOUDFRONT if set. */
export async function fetchDistribution(client: CloudFrontClient, id: string): Promise<DistributionFile> {
  const got = await call(`GetDistributionConfig ${id}`, () =>
    client.send(new GetDistributionConfigCommand({ Id: id })),
  );
  if (!got.DistributionConfig)
    throw new HarnessError(`GetDistributionConfig ${id}: the answer has no DistributionConfig`);
  const dist: DistributionFile = { Id: id, DistributionConfig: got.DistributionConfig };
  if (got.ETag) dist.ETag = got.ETag;
  const behaviours = behavioursOf(got.DistributionConfig).map((b) => b.behaviour);
  const ids = (field: 'CachePolicyId' | 'OriginRequestPolicyId' | 'ResponseHeadersPolicyId') => [
    ...new Set(behaviours.map((b) => b[field]).filter((v): v is string => Boolean(v))),
  ];
  dist.CachePolicies = {};
  for (const policyId of ids('CachePolicyId')) {
    const answer = await call(`GetCachePolicy ${policyId}`, () =>
      client.send(new GetCachePolicyCommand({ Id: policyId })),
    );
    dist.CachePolicies[policyId] = required(answer.CachePolicy?.CachePolicyConfig, `GetCachePolicy ${policyId}`);
  }
  dist.OriginRequestPolicies = {};
  for (const policyId of ids('OriginRequestPolicyId')) {
    const answer = await call(`GetOriginRequestPolicy ${policyId}`, () =>
      client.send(new GetOriginRequestPolicyCommand({ Id: policyId })),
    );
    const config = answer.OriginRequestPolicy?.OriginRequestPolicyConfig;
    dist.OriginRequestPolicies[policyId] = required(config, `GetOriginRequestPolicy ${policyId}`);
  }
  dist.ResponseHeadersPolicies = {};
  for (const policyId of ids('ResponseHeadersPolicyId')) {
    const answer = await call(`GetResponseHeadersPolicy ${policyId}`, () =>
      client.send(new GetResponseHeadersPolicyCommand({ Id: policyId })),
    );
    const config = answer.ResponseHeadersPolicy?.ResponseHeadersPolicyConfig;
    dist.ResponseHeadersPolicies[policyId] = required(config, `GetResponseHeadersPolicy ${policyId}`);
  }
  const trusted = new Set(behaviours.flatMap((b) => b.TrustedKeyGroups?.Items ?? []));
  if (trusted.size > 0) dist.KeyGroups = await keyGroups(client, trusted);
  return dist;
}

/** The trusted key groups, from ListKeyGroups (one call for all of them, paged). */
async function keyGroups(client: CloudFrontClient, wanted: Set<string>): Promise<Record<string, KeyGroupConfig>> {
  const found: Record<string, KeyGroupConfig> = {};
  let marker: string | undefined;
  for (let page = 0; page < MAX_KEY_GROUP_PAGES; page++) {
    const answer = await call('ListKeyGroups', () =>
      client.send(new ListKeyGroupsCommand(marker ? { Marker: marker } : {})),
    );
    for (const item of answer.KeyGroupList?.Items ?? []) {
      const group = item.KeyGroup;
      if (group?.Id && group.KeyGroupConfig && wanted.has(group.Id)) found[group.Id] = group.KeyGroupConfig;
    }
    marker = answer.KeyGroupList?.NextMarker;
    if (!marker) break;
  }
  const missing = [...wanted].filter((id) => !(id in found));
  if (missing.length > 0) throw new HarnessError(`ListKeyGroups: no key group ${missing.join(', ')} in the account`);
  return found;
}

async function call<T>(what: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (err) {
    const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
    const status = e.$metadata?.httpStatusCode ? ` (HTTP ${e.$metadata.httpStatusCode})` : '';
    throw new HarnessError(`${what}: ${e.name ?? 'Error'}${status}: ${e.message ?? String(err)}`);
  }
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new HarnessError(`${what}: the answer has no config`);
  return value;
}
