// `scheme: uri-signing`: CDNI URI Signing (RFC 9246) as Traffic Server's uri_signing plugin verifies it — a JWT,
// a compact JWS HMACed with the issuer's shared key, in the URISigningPackage query parameter or cookie.
import { createHmac, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { UnmetNeed } from '../errors.js';
import { registerSecret } from '../secrets.js';
import type { SignedRequest, SigningScheme, SignRequest } from './scheme.js';

/** The JWS algorithms of an `oct` JWK, by the HMAC each names. */
const ALGORITHMS = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' } as const;
/** The plugin's token name (uri_signing.c's `package`, fixed in 9.2). */
const TOKEN_NAME = 'URISigningPackage';

const schema = z.strictObject({
  scheme: z.literal('uri-signing'),
  /** the issuer: the name the plugin's config file holds the key set under, the token's `iss` */
  iss: z.string().min(1),
  /** the key's `kid` in that set, in the JWS header: the plugin then verifies with that key only */
  kid: z.string().min(1),
  /** the shared secret as the key's JWK holds it: its `k`, base64url without padding */
  key: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, { message: "expected the JWK's k: base64url (A-Z a-z 0-9 - _), no padding" })
    .refine((k) => k.length % 4 !== 1, { message: "expected the JWK's k: a base64url length is never 4n+1" }),
  /** the key's `alg` in the plugin's config file, default HS256 */
  alg: z.enum(['HS256', 'HS384', 'HS512']).optional(),
  /** the plugin's `id`: the token names it as its audience (`aud`), which the plugin compares with its id */
  aud: z.string().min(1).optional(),
  /** the query parameter and cookie the verifier reads the token from; Traffic Server's is URISigningPackage */
  token_name: z
    .string()
    .regex(/^[A-Za-z0-9_.~-]+$/, { message: 'expected a token name of letters, digits, _ . ~ and -' })
    .optional(),
  /**
   * The URI container, "regex:<POSIX extended regular expression>", matched from its start against the URL as
   * requested (token removed, normalised: host in lower case, default port dropped, dot segments resolved).
   * Without it the token carries no cdniuc and the plugin checks no URI: the token opens every URL of the issuer.
   */
  cdniuc: z
    .string()
    .regex(/^regex:./, { message: 'expected "regex:<pattern>" (the plugin supports no other URI container)' })
    .optional(),
});
export type UriSigningConfig = z.infer<typeof schema>;

export const uriSigningScheme: SigningScheme<typeof schema> = {
  name: 'uri-signing',
  schema,
  // no cdniip: the plugin refuses every token that carries one
  supports: { notBefore: true, ip: false, cookie: true },
  create(config) {
    registerSecret(config.key);
    const key = Buffer.from(config.key, 'base64url');
    const alg = config.alg ?? 'HS256';
    const tokenName = config.token_name ?? TOKEN_NAME;
    return {
      sign(req: SignRequest): SignedRequest {
        if (req.ip !== undefined) {
          throw new UnmetNeed(
            'uri_signing refuses every token with a client address (cdniip): it cannot limit a viewer',
          );
        }
        const exp = Math.floor(req.expiresAt.getTime() / 1000);
        const nbf = req.notBefore ? Math.floor(req.notBefore.getTime() / 1000) : undefined;
        if (nbf !== undefined && nbf >= exp) {
          throw new UnmetNeed(`a token valid from ${nbf} would have expired already (exp=${exp})`);
        }
        // cdniv 1, the only version the plugin (and RFC 9246) knows; iat is left out, as the plugin ignores it
        // and it would make the token depend on the clock rather than on the request
        const claims = {
          iss: config.iss,
          ...(config.aud !== undefined ? { aud: config.aud } : {}),
          exp,
          ...(nbf !== undefined ? { nbf } : {}),
          cdniv: 1,
          ...(config.cdniuc !== undefined ? { cdniuc: config.cdniuc } : {}),
        };
        const token = compactJws({ alg, kid: config.kid }, claims, key, ALGORITHMS[alg]);
        const url = new URL(req.url.href);
        // a token already in the URL would be found first (the plugin reads the first one)
        const kept = url.search
          .replace(/^\?/, '')
          .split('&')
          .filter((arg) => arg !== '' && arg.split('=')[0] !== tokenName);
        if (req.cookie) {
          url.search = kept.join('&');
          return { url, cookies: { [tokenName]: token } };
        }
        url.search = [...kept, `${tokenName}=${token}`].join('&');
        return { url };
      },
    };
  },
  // one token, its claims and signature inside it: only the whole can be left out or broken
  parts: (config) => ({ signature: config.token_name ?? TOKEN_NAME }),
  unknownKey: (config) => ({
    ...config,
    kid: `unknown-${randomBytes(6).toString('hex')}`,
    key: randomBytes(32).toString('base64url'),
  }),
};

/**
 * header.claims.signature, each base64url: the JWS compact serialisation (RFC 7515) of an HMAC. Built here
 * because a Signer is synchronous and jose signs only through WebCrypto, asynchronously; the tests verify
 * these tokens with jose.
 */
function compactJws(header: object, claims: object, key: Buffer, hash: string): string {
  const input = [header, claims].map((part) => Buffer.from(JSON.stringify(part)).toString('base64url')).join('.');
  return `${input}.${createHmac(hash, key).update(input).digest('base64url')}`;
}
