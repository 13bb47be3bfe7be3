// The URL-signing schemes by the name targets.yaml's `signing.scheme` uses.
// Adding one = its file here + its entry below.
import { z } from 'zod';
import { duration } from '../config/schemaParts.js';
import { akamaiEdgeAuthScheme } from './akamaiEdgeAuth.js';
import { cloudfrontScheme } from './cloudfront.js';
import { nginxSecureLinkScheme } from './nginxSecureLink.js';
import { parseDuration } from '../config/duration.js';
import type { Denial, SignedPart, Signer, SigningScheme } from './scheme.js';
import { trafficserverUrlSigScheme } from './trafficserverUrlSig.js';
import { uriSigningScheme } from './uriSigning.js';

export const signingSchemes = {
  cloudfront: cloudfrontScheme,
  'nginx-secure-link': nginxSecureLinkScheme,
  'trafficserver-url-sig': trafficserverUrlSigScheme,
  'akamai-edgeauth': akamaiEdgeAuthScheme,
  'uri-signing': uriSigningScheme,
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
  uriSigningScheme.schema.safeExtend(promises),
]);
export type SigningConfig = z.infer<typeof signingSchema>;

export interface TargetSigning {
  name: SchemeName;
  signer: Signer;
  supports: SigningScheme['supports'];
  /** how long past its expiry the edge may still accept a signature (targets.yaml clock_skew; 0 when absent) */
  clockSkewMs: number;
  /** where each part travels, for URLs or for cookies */
  parts(cookie: boolean): Partial<Record<SignedPart, string>>;
  /** a signer with a key the edge does not know */
  unknownKeySigner(): Signer;
  /** the edge's refusal as its body says it, where the scheme's edges say one */
  denial(status: number, body: string): Denial | undefined;
  /** false: the scheme's edges give no reason when they refuse */
  hasDenials: boolean;
}

/** The signer a target's block names. */
export function openSigning(config: SigningConfig): TargetSigning {
  const scheme: SigningScheme = signingSchemes[config.scheme];
  const { clock_skew: skew, ...own } = config;
  const parsed = scheme.schema.parse(own);
  let unknown: Signer | undefined;
  return {
    name: config.scheme,
    signer: scheme.create(parsed),
    supports: scheme.supports,
    clockSkewMs: skew === undefined ? 0 : (parseDuration(skew) ?? 0),
    parts: (cookie) => scheme.parts(parsed, cookie),
    // made once, when first asked: an RSA key takes a while
    unknownKeySigner: () => (unknown ??= scheme.create(scheme.unknownKey(parsed))),
    denial: (status, body) => scheme.denial?.(status, body),
    hasDenials: scheme.denial !== undefined,
  };
}
