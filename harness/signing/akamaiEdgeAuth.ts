// `scheme: akamai-edgeauth`: Akamai's Edge Authorization Token (Auth Token 2.0) as akamai/EdgeAuth-Token-Python
// builds it: ip, st, exp, acl fields joined by "~" and an HMAC of them (and of the url) with the hex key.
import { createHmac, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { z } from 'zod';
import { UnmetNeed } from '../errors.js';
import type { SignedRequest, SigningScheme, SignRequest } from './scheme.js';

const FIELD_DELIMITER = '~';

const schema = z.strictObject({
  scheme: z.literal('akamai-edgeauth'),
  /** the property's token key: hexadecimal, an even number of digits */
  key: z.string().regex(/^(?:[0-9A-Fa-f]{2})+$/, { message: 'expected the key as hexadecimal digits, an even number' }),
  /** the query parameter or cookie the edge reads the token from, default __token__ */
  token_name: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/, { message: 'expected a token name of letters, digits, _ . and -' })
    .optional(),
  algorithm: z.enum(['sha256', 'sha1', 'md5']).optional(),
  /**
   * an access control list such as /private/* (several joined by "!"), carried in the token; without it the
   * token is for the URL's path, which goes into the HMAC only
   */
  acl: z
    .string()
    .regex(/^[^\s~&#;,"'<>`\\]+$/, {
      // "~" ends a token field; the rest would be cut or rewritten in a query or a cookie
      message: 'expected an ACL such as /private/* (no blanks, no ~ & # ; , quotes, <, > or \\)',
    })
    .optional(),
  /** "Escape token input" in the property: the url and ip escaped (as Python's quote_plus, %xx lower case) */
  escape_early: z.boolean().optional(),
});
export type AkamaiEdgeAuthConfig = z.infer<typeof schema>;

export const akamaiEdgeAuthScheme: SigningScheme<typeof schema> = {
  name: 'akamai-edgeauth',
  schema,
  supports: { notBefore: true, ip: true, cookie: true },
  create(config) {
    const key = Buffer.from(config.key, 'hex');
    const tokenName = config.token_name ?? '__token__';
    const algorithm = config.algorithm ?? 'sha256';
    const escape = (text: string) => (config.escape_early ? quotePlus(text) : text);
    return {
      sign(req: SignRequest): SignedRequest {
        const exp = Math.floor(req.expiresAt.getTime() / 1000);
        const st = req.notBefore ? Math.floor(req.notBefore.getTime() / 1000) : undefined;
        if (!(exp > 0)) throw new UnmetNeed(`an EdgeAuth token expires after 1970, not at ${exp}`);
        if (st !== undefined && st >= exp) {
          throw new UnmetNeed(`an EdgeAuth token starting at ${st} would have expired already (exp=${exp})`);
        }
        if (req.ip !== undefined && isIP(req.ip) === 0) {
          throw new UnmetNeed(`an EdgeAuth token limits one address: "${req.ip}" is not one (no CIDR blocks)`);
        }
        const fields = [
          ...(req.ip === undefined ? [] : [`ip=${escape(req.ip)}`]),
          // the reference writes st only when it is not 0
          ...(st ? [`st=${st}`] : []),
          `exp=${exp}`,
          ...(config.acl === undefined ? [] : [`acl=${config.acl}`]),
        ];
        const hashed = config.acl === undefined ? [...fields, `url=${escape(req.url.pathname)}`] : fields;
        const hmac = createHmac(algorithm, key).update(hashed.join(FIELD_DELIMITER)).digest('hex');
        const token = [...fields, `hmac=${hmac}`].join(FIELD_DELIMITER);
        const url = new URL(req.url.href);
        if (req.cookie) return { url, cookies: { [tokenName]: token } };
        const kept = url.search
          .replace(/^\?/, '')
          .split('&')
          .filter((arg) => arg !== '' && arg.split('=')[0] !== tokenName);
        url.search = [...kept, `${tokenName}=${token}`].join('&');
        return { url };
      },
    };
  },
  // the token is one value, its fields inside it: only the whole can be left out or broken (its hmac is last)
  parts: (config) => ({ signature: config.token_name ?? '__token__' }),
  unknownKey: (config) => ({ ...config, key: randomBytes(32).toString('hex') }),
};

/** Bytes left as they are by Python's quote_plus (urllib.parse, Python 3.7 and later). */
const UNRESERVED = /^[A-Za-z0-9_.~-]$/;

/**
 * Python's urllib.parse.quote_plus (UTF-8, space as "+", only A-Z a-z 0-9 _ . - ~ kept) with the escapes in
 * lower case, as the reference's escape_early writes them. EdgeAuth-Token-Node escapes otherwise (it keeps
 * ! ( ), writes ~ as %7e and a space as %20): for a path with those characters the two references disagree.
 */
export function quotePlus(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (UNRESERVED.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += `%${byte.toString(16).padStart(2, '0')}`;
  }
  return out;
}
