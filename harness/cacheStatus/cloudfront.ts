// CloudFront's claim: X-Cache "<result> from cloudfront", the edge result type of
// its access logs, with the edge location from X-Amz-Cf-Pop.
import {
  evidence,
  lastLine,
  listMembers,
  type CacheClaim,
  type CacheStatusDialect,
  type CacheStatusReading,
  type ResponseHeaders,
} from './dialect.js';

const FROM_CLOUDFRONT = /^(\w+) from cloudfront$/i;

/**
 * Result types, lower-cased. Redirect and FunctionGeneratedResponse are answered
 * before the cache is consulted, so they claim bypass rather than hit or miss.
 */
const RESULTS = new Map<string, { claim: CacheClaim; reason?: string }>([
  ['hit', { claim: 'hit' }],
  ['miss', { claim: 'miss' }],
  ['refreshhit', { claim: 'revalidated' }],
  ['error', { claim: 'error' }],
  ['limitexceeded', { claim: 'error', reason: 'a CloudFront quota was exceeded' }],
  ['capacityexceeded', { claim: 'error', reason: 'the edge location had no capacity' }],
  ['redirect', { claim: 'bypass', reason: 'generated at the edge (HTTP to HTTPS redirect)' }],
  ['functiongeneratedresponse', { claim: 'bypass', reason: 'generated at the edge by a function' }],
]);

function read(headers: ResponseHeaders): CacheStatusReading | undefined {
  // another cache on the path may add an X-Cache line of its own: take CloudFront's
  const status = listMembers(headers, 'x-cache')
    .map((member) => FROM_CLOUDFRONT.exec(member)?.[1])
    .filter((word) => word !== undefined)
    .at(-1);
  if (status === undefined) return undefined;
  const result = RESULTS.get(status.toLowerCase());
  if (result === undefined) return undefined;
  const detail: Record<string, string | number> = { status };
  if (result.reason !== undefined) detail.reason = result.reason;
  const pop = lastLine(headers, 'x-amz-cf-pop');
  if (pop !== undefined) detail.pop = pop;
  return { claim: result.claim, evidence: evidence(headers, 'x-cache'), detail };
}

export const cloudfront: CacheStatusDialect = {
  name: 'cloudfront',
  detect: (headers) =>
    headers['x-amz-cf-pop'] !== undefined ||
    headers['x-amz-cf-id'] !== undefined ||
    listMembers(headers, 'x-cache').some((member) => FROM_CLOUDFRONT.test(member)),
  read,
};
