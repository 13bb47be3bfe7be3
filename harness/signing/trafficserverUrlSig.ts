// `scheme: trafficserver-url-sig`: Apache Traffic Server's url_sig plugin — an HMAC (SHA-1 or MD5) of the chosen
// parts of host and path plus the query up to `S=`, the signing parameters (C, E, A, K, P, S) ending the query.
import { createHmac, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { z } from 'zod';
import { UnmetNeed } from '../errors.js';
import type { SignedRequest, SigningScheme, SignRequest } from './scheme.js';

/** The plugin's limits (url_sig.h): 16 keys, each under 256 bytes. */
const MAX_KEYS = 16;
const MAX_KEY_LENGTH = 255;
/** A value the plugin's config file can hold: it drops leading blanks and ends the value at the line break. */
const key = z
  .string()
  .max(MAX_KEY_LENGTH, { message: `expected a key of at most ${MAX_KEY_LENGTH} characters (url_sig's MAX_KEY_LEN)` })
  .regex(/^(?![ \t])[^\n\0]*$/, { message: 'expected a key as url_sig reads it: no leading blank, no line break' });
const ALGORITHMS = { sha1: 1, md5: 2 } as const;
/** The signing parameters: url_sig finds each by searching the whole query for "<letter>=". */
const SIGNING_PARAMS = ['C', 'E', 'A', 'K', 'P', 'S'];
const httpUrl = z.url({ protocol: /^https?$/ });

const schema = z
  .strictObject({
    scheme: z.literal('trafficserver-url-sig'),
    /** key0 .. key15 as in the plugin's config file; an empty one is a number with no key */
    keys: z.array(key).min(1).max(MAX_KEYS).optional(),
    /** one key, for key number key_index */
    key: key.min(1).optional(),
    /** the key number the signature names (K=), default 0 */
    key_index: z
      .number()
      .int()
      .min(0)
      .max(MAX_KEYS - 1)
      .optional(),
    /** A=1 (HMAC-SHA1, the default) or A=2 (HMAC-MD5) */
    algorithm: z.enum(['sha1', 'md5']).optional(),
    /**
     * P=: one digit per part of "host/seg/seg/...", 1 signed, 0 not; the last digit goes for every part after
     * it. Default "1": everything.
     */
    parts: z
      .string()
      .regex(/^[01]*1[01]*$/, { message: 'expected 0s and 1s with at least one 1, such as 1 or 0111' })
      .optional(),
    /**
     * The remap rule's two URLs when the plugin runs without @pparam=pristineurl: it then checks the URL the
     * rule made (the origin's host and path). Without this, the URL as requested, as with pristineurl.
     */
    remap: z.strictObject({ from: httpUrl, to: httpUrl }).optional(),
  })
  .superRefine((config, ctx) => {
    if ((config.keys === undefined) === (config.key === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['keys'], message: 'expected either keys (a list) or key, not both' });
      return;
    }
    const index = config.key_index ?? 0;
    if (config.keys && !config.keys[index]) {
      ctx.addIssue({ code: 'custom', path: ['key_index'], message: `keys has no key number ${index}` });
    }
  });
export type TrafficserverUrlSigConfig = z.infer<typeof schema>;

export const trafficserverUrlSigScheme: SigningScheme<typeof schema> = {
  name: 'trafficserver-url-sig',
  schema,
  // the plugin takes its parameters out of the URL it forwards (seen against the real Traffic Server)
  supports: { notBefore: false, ip: true, cookie: false, strips: true },
  create(config) {
    const keyIndex = config.key_index ?? 0;
    const secret = config.key ?? config.keys?.[keyIndex] ?? '';
    const algorithm = config.algorithm ?? 'sha1';
    const parts = config.parts ?? '1';
    return {
      sign(req: SignRequest): SignedRequest {
        if (req.notBefore) throw new UnmetNeed('url_sig has no start time: a URL is valid until it expires');
        if (req.cookie) throw new UnmetNeed('url_sig reads its parameters from the query (or path), not cookies');
        const expires = Math.floor(req.expiresAt.getTime() / 1000);
        // the plugin reads E with sscanf("%" SCNu64): a minus sign would wrap round to a time far ahead
        if (expires < 0) throw new UnmetNeed(`url_sig takes an expiry after 1970, not ${expires}`);
        const appQuery = req.url.search.replace(/^\?/, '');
        const clash = SIGNING_PARAMS.find((p) => appQuery.includes(`${p}=`));
        if (clash) {
          throw new UnmetNeed(
            `url_sig would read the "${clash}=" in the URL's own query as its parameter ${clash} (it searches ` +
              'the whole query for each): this URL cannot be signed for it',
          );
        }
        const params = [
          ...(req.ip === undefined ? [] : [`C=${clientIp(req.ip)}`]),
          `E=${expires}`,
          `A=${ALGORITHMS[algorithm]}`,
          `K=${keyIndex}`,
          `P=${parts}`,
          'S=',
        ];
        const query = [...(appQuery ? [appQuery] : []), ...params].join('&');
        const { host, path } = asPluginSees(req.url, config.remap);
        const signed = `${signedParts(host, path, parts)}?${query}`;
        const signature = createHmac(algorithm, secret).update(signed).digest('hex');
        const url = new URL(req.url.href);
        url.search = `${query}${signature}`;
        return { url };
      },
    };
  },
  parts: () => ({ signature: 'S', expires: 'E', 'key-pair-id': 'K' }),
  unknownKey(config) {
    // the same key number with a key the edge does not hold
    const key = randomBytes(16).toString('hex');
    const { keys: _keys, ...rest } = config;
    return { ...rest, key };
  },
};

/**
 * The host and path the plugin reads: the request's (as with pristineurl, the Host header's name and port),
 * or, where it runs after the remap rule rewrote the URL, the rule's target.
 */
function asPluginSees(url: URL, remap: { from: string; to: string } | undefined): { host: string; path: string } {
  if (!remap) return { host: url.host, path: url.pathname };
  const from = new URL(remap.from);
  const to = new URL(remap.to);
  if (url.host !== from.host || !url.pathname.startsWith(from.pathname)) {
    throw new UnmetNeed(`${url.origin}${url.pathname} is not under the remap rule's ${remap.from}`);
  }
  return { host: to.host, path: to.pathname + url.pathname.slice(from.pathname.length) };
}

/**
 * "host/seg/seg" cut at every "/" (empty parts skipped, as strtok does), each part kept where its digit in P
 * is 1 (the last digit repeating), joined by "/": the start of the string url_sig.c signs.
 */
function signedParts(host: string, path: string, parts: string): string {
  const tokens = `${host}${path}`.split('/').filter((t) => t !== '');
  const kept = tokens.filter((_t, i) => parts[Math.min(i, parts.length - 1)] === '1');
  // with nothing kept the plugin would write before its buffer: it verifies no such URL
  if (kept.length === 0) throw new UnmetNeed(`P=${parts} keeps no part of ${host}${path}: url_sig cannot verify it`);
  return kept.join('/');
}

/** C= as the plugin compares it with the peer's address (inet_ntop): one address, 4 to 45 characters. */
function clientIp(ip: string): string {
  const family = isIP(ip);
  if (family === 0) throw new UnmetNeed(`url_sig limits one client address: "${ip}" is not one (no CIDR blocks)`);
  const text = family === 6 ? new URL(`http://[${ip}]/`).hostname.slice(1, -1) : ip;
  if (text.length < 4) throw new UnmetNeed(`url_sig rejects a C= shorter than 4 characters, such as ${text}`);
  return text;
}
