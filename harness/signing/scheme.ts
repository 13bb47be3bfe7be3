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

/**
 * A scheme by name: the schema of its `signing:` block in targets.yaml (a
 * strict object with `scheme: <name>`; keys only through ${file:} / ${env:}),
 * what it can express, and how to make a signer from the block.
 */
export interface SigningScheme<S extends z.ZodObject = z.ZodObject> {
  readonly name: string;
  readonly schema: S;
  readonly supports: { notBefore: boolean; ip: boolean; cookie: boolean };
  create(config: z.infer<S>): Signer;
}
