// The interface every URL-signing scheme implements, one file per scheme
// (harness/signing/<name>.ts): given a URL and what the signature should allow
// (until when, from when, from where), produce the signed URL or the cookies.
// Pure functions of their inputs: a test can pin the clock and compare bytes.
import type { z } from 'zod';

export interface SignRequest {
  /** the full URL to sign (scheme, host, path, query) */
  url: URL;
  /** the signature stops being valid at this instant */
  expiresAt: Date;
  /** the signature is not valid before this instant */
  notBefore?: Date;
  /** the viewer address (or CIDR block) the signature is limited to */
  ip?: string;
  /** sign for cookies rather than query parameters, where the scheme has both */
  cookie?: boolean;
}

export interface SignedRequest {
  /** the URL to request: the signature in its query, or the URL unchanged when it travels in cookies */
  url: URL;
  /** cookie name -> value, to send as a Cookie header */
  cookies?: Record<string, string>;
}

export interface Signer {
  sign(request: SignRequest): SignedRequest;
}

/** The pieces of a signature the `sign:` step option can break or leave out, by the names suites use. */
export const SIGNED_PARTS = ['signature', 'policy', 'expires', 'key-pair-id'] as const;
export type SignedPart = (typeof SIGNED_PARTS)[number];

/** Why an edge refused a signature, in the words suites use (`expect: {denial: missing-key}`). */
export const DENIAL_REASONS = ['missing-key', 'unknown-key', 'malformed-policy', 'access-denied'] as const;
export type DenialReason = (typeof DENIAL_REASONS)[number];

/** What an edge says when it refuses a signature, where its body says it (CloudFront's XML Code and Message). */
export interface Denial {
  /** the provider's own code, such as MissingKey */
  code: string;
  message?: string;
  /** the code in the suites' words; absent for a code the scheme does not know */
  reason?: DenialReason;
}

/**
 * A scheme by name: the schema of its `signing:` block in targets.yaml (a
 * strict object with `scheme: <name>`; keys only through ${file:} / ${env:}),
 * what it can express, and how to make a signer from the block.
 */
export interface SigningScheme<S extends z.ZodObject = z.ZodObject> {
  readonly name: string;
  readonly schema: S;
  /** `strips`: the edge removes the signing parameters before it forwards a request to the origin */
  readonly supports: { notBefore: boolean; ip: boolean; cookie: boolean; strips?: boolean };
  create(config: z.infer<S>): Signer;
  /**
   * Where each part travels: the query parameter (or, for cookies, the cookie) that carries it. A part
   * the scheme does not have, or carries inside another (a JWT's claims), is absent.
   */
  parts(config: z.infer<S>, cookie: boolean): Partial<Record<SignedPart, string>>;
  /** The same block with a key the edge does not know (a fresh key, and an unknown key id where there is one). */
  unknownKey(config: z.infer<S>): z.infer<S>;
  /** The edge's refusal, read from its answer, where the provider documents one (CloudFront's XML error body). */
  denial?(status: number, body: string): Denial | undefined;
}
