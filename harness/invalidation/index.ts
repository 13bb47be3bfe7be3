// The invalidation providers by the name targets.yaml's `invalidation.provider`
// uses. Adding one = its file here + its entry below.
import { z } from 'zod';
import { parseDuration } from '../config/duration.js';
import { duration } from '../config/schemaParts.js';
import { akamaiProvider } from './akamai.js';
import { cloudfrontProvider } from './cloudfront.js';
import { cloudflareProvider } from './cloudflare.js';
import { commandProvider } from './command.js';
import { fastlyProvider } from './fastly.js';
import { httpProvider } from './http.js';
import { labProvider } from './lab.js';
import type { InvalidationProvider, ProviderKind, ProviderSupport, ProviderTarget } from './provider.js';

export const invalidationProviders = {
  lab: labProvider,
  http: httpProvider,
  command: commandProvider,
  cloudfront: cloudfrontProvider,
  akamai: akamaiProvider,
  fastly: fastlyProvider,
  cloudflare: cloudflareProvider,
} as const satisfies Record<string, ProviderKind>;

export type ProviderName = keyof typeof invalidationProviders;

/** What every provider's block may add: the target's promise of how long a purge takes to reach every edge. */
const promises = { max_propagation: duration.optional() };

/** targets.yaml `invalidation:`: one provider's block, and the promise. */
export const invalidationSchema = z.discriminatedUnion('provider', [
  labProvider.schema.safeExtend(promises),
  httpProvider.schema.safeExtend(promises),
  commandProvider.schema.safeExtend(promises),
  cloudfrontProvider.schema.safeExtend(promises),
  akamaiProvider.schema.safeExtend(promises),
  fastlyProvider.schema.safeExtend(promises),
  cloudflareProvider.schema.safeExtend(promises),
]);
export type InvalidationConfig = z.infer<typeof invalidationSchema>;

/** CloudFront's own figure for the slowest invalidations: a target that promises nothing is held to it. */
export const DEFAULT_MAX_PROPAGATION_MS = 15 * 60_000;

export interface TargetInvalidation {
  provider: InvalidationProvider;
  name: ProviderName;
  supports: ProviderSupport;
  maxPropagationMs: number;
}

/** The provider a target's block names, made for that target. */
export function openInvalidation(config: InvalidationConfig, target: ProviderTarget): TargetInvalidation {
  const kind: ProviderKind = invalidationProviders[config.provider];
  const { max_propagation, ...own } = config;
  const parsed = kind.schema.parse(own);
  return {
    provider: kind.create(parsed, target),
    name: config.provider,
    supports: typeof kind.supports === 'function' ? kind.supports(parsed) : kind.supports,
    maxPropagationMs:
      max_propagation !== undefined
        ? (parseDuration(max_propagation) ?? DEFAULT_MAX_PROPAGATION_MS)
        : DEFAULT_MAX_PROPAGATION_MS,
  };
}
