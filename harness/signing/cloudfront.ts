// The `cloudfront` signing scheme: CloudFront signed URLs and signed cookies, canned or custom policy,
// RSA with SHA-1 or SHA-256, byte for byte what @aws-sdk/cloudfront-signer's getSignedUrl/getSignedCookies give.
import { createPrivateKey, generateKeyPairSync, randomBytes, sign as rsaSign, type KeyObject } from 'node:crypto';
import { isIPv4 } from 'node:net';
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { registerSecret } from '../secrets.js';
import type { Denial, DenialReason, SignedRequest, Signer, SigningScheme, SignRequest } from './scheme.js';

export const cloudfrontSigningSchema = z.strictObject({
  scheme: z.literal('cloudfront'),
  /** the ID of the public key in the distribution's trusted key group (or of a legacy CloudFront key pair) */
  key_pair_id: z.string().regex(/^[A-Z0-9]+$/, {
    message: 'expected a CloudFront public key ID (capital letters and digits, K2JCJMDEHXQW5F)',
  }),
  /** the RSA private key, PEM; through ${file:...} so that it is a secret */
  private_key: z.string().includes('-----BEGIN', {
    message: 'expected a PEM private key (-----BEGIN ... PRIVATE KEY-----), via ${file:...}',
  }),
  /** SHA256 adds Hash-Algorithm=SHA256 to the URL (CloudFront-Hash-Algorithm to the cookies); SHA1 when absent */
  hash_algorithm: z.enum(['SHA1', 'SHA256']).optional(),
});
export type CloudfrontSigningConfig = z.infer<typeof cloudfrontSigningSchema>;
type HashAlgorithm = NonNullable<CloudfrontSigningConfig['hash_algorithm']>;

/** the schemes CloudFront serves and the SDK signs as URLs (its rtmp: form went with RTMP distributions) */
const SCHEMES = new Set(['http:', 'https:', 'ws:', 'wss:']);
const DIGEST: Record<HashAlgorithm, string> = { SHA1: 'sha1', SHA256: 'sha256' };

export const cloudfrontScheme: SigningScheme<typeof cloudfrontSigningSchema> = {
  name: 'cloudfront',
  schema: cloudfrontSigningSchema,
  // CloudFront does not forward the parameters it reads (Expires, Policy, Signature, Key-Pair-Id, Hash-Algorithm)
  supports: { notBefore: true, ip: true, cookie: true, strips: true },
  create(config) {
    // a key written into targets.yaml in clear is still a credential
    registerSecret(config.private_key);
    const key = readPrivateKey(config.private_key);
    const algorithm = config.hash_algorithm ?? 'SHA1';
    return { sign: (request) => signRequest(request, key, config.key_pair_id, algorithm) } satisfies Signer;
  },
  parts: (_config, cookie) => {
    const prefix = cookie ? 'CloudFront-' : '';
    return {
      signature: `${prefix}Signature`,
      policy: `${prefix}Policy`,
      expires: `${prefix}Expires`,
      'key-pair-id': `${prefix}Key-Pair-Id`,
    };
  },
  unknownKey(config) {
    // a key nobody registered, under an ID no key group holds
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const id = `KUNKNOWN${randomBytes(5).toString('hex').toUpperCase()}`;
    return { ...config, key_pair_id: id, private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
  },
  denial: (status, body) => (status === 403 ? cloudfrontDenial(body) : undefined),
};

/** CloudFront's refusal body: <Error><Code>MissingKey</Code><Message>...</Message></Error>. */
export function cloudfrontDenial(body: string): Denial | undefined {
  const code = /<Code>([^<]*)<\/Code>/.exec(body)?.[1];
  if (code === undefined) return undefined;
  const message = /<Message>([^<]*)<\/Message>/.exec(body)?.[1];
  const reason = REASONS[code];
  return { code, ...(message !== undefined ? { message } : {}), ...(reason ? { reason } : {}) };
}

/** CloudFront's codes for a refused signature (its troubleshooting guide names each message). */
const REASONS: Record<string, DenialReason> = {
  MissingKey: 'missing-key',
  InvalidKey: 'unknown-key',
  MalformedPolicy: 'malformed-policy',
  AccessDenied: 'access-denied',
};

/** Parsed once, so a key that cannot sign is a config error at start and never a failed check. */
function readPrivateKey(pem: string): KeyObject {
  // by its PEM header: OpenSSL 3 reports a missing passphrase as "interrupted or cancelled"
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(pem)) {
    throw new ConfigError('cloudfront signing: private_key is encrypted; give it decrypted (openssl pkey -in ...)');
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (err) {
    // the code only: OpenSSL's message is safe today, but this text is next to a key
    const code = String((err as { code?: unknown }).code);
    throw new ConfigError(`cloudfront signing: private_key is not a readable PEM private key (${code})`);
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw new ConfigError(`cloudfront signing: private_key is an ${key.asymmetricKeyType} key; CloudFront wants RSA`);
  }
  return key;
}

function signRequest(req: SignRequest, key: KeyObject, keyPairId: string, algorithm: HashAlgorithm): SignedRequest {
  if (!SCHEMES.has(req.url.protocol)) {
    throw new RangeError(`cloudfront signing: CloudFront signs http(s) and ws(s) URLs, not ${req.url.protocol}`);
  }
  const expires = epochSeconds(req.expiresAt, 'expiresAt');
  const notBefore = req.notBefore === undefined ? undefined : epochSeconds(req.notBefore, 'notBefore');
  const sourceIp = req.ip === undefined ? undefined : cidr(req.ip);
  const custom = notBefore !== undefined || sourceIp !== undefined;
  // CloudFront rebuilds the resource from the request it gets, so a URL signs the form it is sent in; the SDK
  // takes a cookie's URL as given (a wildcard such as https://host/videos/* is the usual one)
  const resource = req.cookie ? withoutFragment(req.url) : wireUrl(req.url);
  const policy = policyText(resource, expires, notBefore, sourceIp);
  const signature = cloudfrontBase64(rsaSign(DIGEST[algorithm], Buffer.from(policy), key));
  const terms: [string, string] = custom
    ? ['Policy', cloudfrontBase64(Buffer.from(policy))]
    : ['Expires', `${expires}`];
  const sha256 = algorithm === 'SHA256';

  if (req.cookie) {
    // the SDK's order; CloudFront documents the fourth cookie for SHA-256 signatures
    const cookies: Record<string, string> = {
      'CloudFront-Key-Pair-Id': keyPairId,
      'CloudFront-Signature': signature,
      [`CloudFront-${terms[0]}`]: terms[1],
    };
    if (sha256) cookies['CloudFront-Hash-Algorithm'] = 'SHA256';
    return { url: new URL(req.url), cookies };
  }
  // the SDK's order (CloudFront finds them by name); every value is already URL-safe, and so is a key ID
  const params = [terms, ['Key-Pair-Id', keyPairId], ['Signature', signature]];
  if (sha256) params.push(['Hash-Algorithm', 'SHA256']);
  const query = params.map(([name, value]) => `${name}=${value}`).join('&');
  return { url: new URL(`${resource}${resource.includes('?') ? '&' : '?'}${query}`) };
}

/**
 * The policy statement as JSON without white space. The canned policy is this statement with only
 * DateLessThan: CloudFront rebuilds it from the URL and Expires, so its bytes must be exactly these.
 */
function policyText(resource: string, expires: number, notBefore?: number, sourceIp?: string): string {
  const condition: Record<string, Record<string, number | string>> = { DateLessThan: { 'AWS:EpochTime': expires } };
  if (notBefore !== undefined) condition.DateGreaterThan = { 'AWS:EpochTime': notBefore };
  if (sourceIp !== undefined) condition.IpAddress = { 'AWS:SourceIp': sourceIp };
  return JSON.stringify({ Statement: [{ Resource: resource, Condition: condition }] });
}

/** Base64 with the three characters a query string cannot hold swapped as CloudFront wants: + -> -, = -> _, / -> ~. */
function cloudfrontBase64(bytes: Buffer): string {
  return bytes.toString('base64').replace(/[+=/]/g, (c) => ({ '+': '-', '=': '_', '/': '~' })[c]!);
}

/** Whole seconds, rounded to the nearest as the SDK rounds them. */
function epochSeconds(date: Date, what: string): number {
  const ms = date.getTime();
  if (!Number.isFinite(ms)) throw new RangeError(`cloudfront signing: ${what} is not a valid date`);
  return Math.round(ms / 1000);
}

/** CloudFront policies take an IPv4 address or CIDR block only; a bare address is a /32. */
function cidr(ip: string): string {
  const [address = '', mask, ...rest] = ip.split('/');
  const maskOk = mask === undefined || (/^\d{1,2}$/.test(mask) && Number(mask) <= 32);
  if (!isIPv4(address) || !maskOk || rest.length > 0) {
    const why = ip.includes(':') ? ' (CloudFront signed policies do not take IPv6)' : '';
    throw new ConfigError(`cloudfront signing: ip '${ip}' is not an IPv4 address or CIDR block${why}`);
  }
  return `${address}/${mask ?? '32'}`;
}

/** A fragment never reaches the edge, so it is no part of what is signed. */
function withoutFragment(url: URL): string {
  return url.hash === '' ? url.href : url.href.slice(0, -url.hash.length);
}

/**
 * The URL as the SDK's getSignedUrl (3.1166) writes it before signing: each path segment decoded and
 * encoded again with encodeURIComponent (so `:`, `@`, `,`, `;`, `=` ... become escapes), each query
 * name and value encoded the same way except that `+` and escapes already there stay, `'` becomes %27,
 * empty pairs go and a name alone gets a `=`. What goes on the wire is this string, signed as it is.
 */
function wireUrl(url: URL): string {
  // scheme, credentials if any, host and port: up to the path's first /, which no part before it can hold
  const authority = url.href.slice(0, url.href.indexOf('/', url.protocol.length + 2));
  const path = url.pathname.replace(/[^/]+/g, (segment) => {
    try {
      return encodeURIComponent(decodeURIComponent(segment));
    } catch {
      // a stray % (or a broken UTF-8 escape): the segment is taken as text, the % included
      return encodeURIComponent(segment);
    }
  });
  const pairs = url.search
    .slice(1)
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const [name, value] = eq === -1 ? [pair, ''] : [pair.slice(0, eq), pair.slice(eq + 1)];
      return `${queryComponent(name)}=${queryComponent(value)}`;
    });
  return `${authority}${path}${pairs.length > 0 ? `?${pairs.join('&')}` : ''}`;
}

function queryComponent(text: string): string {
  return text.replace(/%[0-9A-Fa-f]{2}|\+|[^%+]+|%/g, (part) => {
    if (part === '+') return part;
    if (part.length === 3 && part.startsWith('%')) return part.toUpperCase();
    return encodeURIComponent(part).replace(/'/g, '%27');
  });
}
