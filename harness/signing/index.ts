// The URL-signing schemes by the name targets.yaml's `signing.scheme` uses.
// Adding one = its file here + its entry below.
import { z } from 'zod';
import { duration } from '../config/schemaParts.js';
import { akamaiEdgeAuthScheme } from './akamaiEdgeAuth.js';
import { cloudfrontScheme } from './cloudfront.js';
import { nginxSecureLinkScheme } from './nginxSecureLink.js';
import type { Signer, SigningScheme } from './scheme.js';
import { trafficserverUrlSigScheme } from './trafficserverUrlSig.js';

export const signingSchemes = {
  cloudfront: cloudfrontScheme,
  'nginx-secure-link': nginxSecureLinkScheme,
  'trafficserver-url-sig': trafficserverUrlSigScheme,
  'akamai-edgeauth': akamaiEdgeAuthScheme,
} as const satisfies Record<string, SigningScheme>;

export type SchemeName = keyof typeof signingSchemes;

/** targets.yaml `signing:`: one scheme's block, and how much clock skew the target allows. */
const promises = {
  /** the edge accepts a signature this long past its expiry (clock skew): expiry checks wait past it */
  clock_skew: duration.optional(),
};

export const signingSchema = z.discriminatedUnion('scheme', [
  cloudfrontScheme.schema.safeExtend(promises),
  nginxSecureLinkScheme.schema.safeExtend(promises),
  trafficserverUrlSigScheme.schema.safeExtend(promises),
  akamaiEdgeAuthScheme.schema.safeExtend(promises),
]);
export type SigningConfig = z.infer<typeof signingSchema>;

export interface TargetSigning {
  name: SchemeName;
  signer: Signer;
  supports: SigningScheme['supports'];
}

/** The signer a target's block names. */
export function openSigning(config: SigningConfig): TargetSigning {
  const scheme: SigningScheme = signingSchemes[config.scheme];
  const { clock_skew: _skew, ...own } = config;
  return { name: config.scheme, signer: scheme.create(scheme.schema.parse(own)), supports: scheme.supports };
}
