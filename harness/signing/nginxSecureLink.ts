// `scheme: nginx-secure-link`: nginx's secure_link/secure_link_md5 — the MD5 of the location's expression
// (expiry, $uri, maybe $remote_addr, the secret), base64url without padding, in the query beside the expiry.
import { createHash, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { z } from 'zod';
import { ConfigError, UnmetNeed } from '../errors.js';
import type { SignedRequest, SigningScheme, SignRequest } from './scheme.js';

/** The variables a signer can fill in; any other would need the request as nginx sees it. */
const VARIABLES = ['secure_link_expires', 'uri', 'remote_addr'] as const;
type Variable = (typeof VARIABLES)[number];
type Piece = { literal: string } | { variable: Variable };

/** `$name` or `${name}`, read as nginx's script compiler reads them: a name runs over [A-Za-z0-9_] */
const VARIABLE = /\$(?:\{([A-Za-z0-9_]*)\}|([A-Za-z0-9_]*))/g;
/** a query argument nginx can name as $arg_<name> */
const PARAM = z.string().regex(/^[A-Za-z0-9_]+$/, { message: 'expected a query parameter name of [A-Za-z0-9_]' });

/** The expression as pieces, or what is wrong with it (never quoting it: the secret is written in it). */
function parseExpression(expression: string): { pieces: Piece[]; problems: string[] } {
  const pieces: Piece[] = [];
  const problems: string[] = [];
  let at = 0;
  for (const m of expression.matchAll(VARIABLE)) {
    if (m.index > at) pieces.push({ literal: expression.slice(at, m.index) });
    at = m.index + m[0].length;
    const name = m[1] ?? m[2] ?? '';
    if ((VARIABLES as readonly string[]).includes(name)) pieces.push({ variable: name as Variable });
    else if (name === '') problems.push('a "$" that starts no variable name (nginx would not start)');
    else problems.push(`$${name} is not one a signer can fill in (${VARIABLES.map((v) => `$${v}`).join(', ')})`);
  }
  if (at < expression.length) pieces.push({ literal: expression.slice(at) });
  return { pieces, problems };
}

const schema = z
  .strictObject({
    scheme: z.literal('nginx-secure-link'),
    /** the secret as nginx.conf writes it in secure_link_md5 */
    secret: z.string().min(1),
    /**
     * the secure_link_md5 expression as the target's nginx.conf declares it (the text between the quotes),
     * the secret written in it; default "$secure_link_expires$uri <secret>", the lab's
     */
    expression: z.string().min(1).optional(),
    /** the query parameter secure_link reads the hash from ($arg_md5) */
    md5_param: PARAM.optional(),
    /** the query parameter secure_link reads the expiry from ($arg_expires) */
    expires_param: PARAM.optional(),
  })
  .superRefine((config, ctx) => {
    if ((config.md5_param ?? 'md5') === (config.expires_param ?? 'expires')) {
      ctx.addIssue({ code: 'custom', path: ['expires_param'], message: 'md5_param and expires_param must differ' });
    }
    if (config.expression === undefined) return;
    const { problems } = parseExpression(config.expression);
    for (const message of problems) ctx.addIssue({ code: 'custom', path: ['expression'], message });
    if (!config.expression.includes(config.secret)) {
      // an expression without the secret is one anybody can sign: more likely a stale copy
      ctx.addIssue({ code: 'custom', path: ['expression'], message: 'the expression does not contain the secret' });
    }
  });
export type NginxSecureLinkConfig = z.infer<typeof schema>;

export const nginxSecureLinkScheme: SigningScheme<typeof schema> = {
  name: 'nginx-secure-link',
  schema,
  // ip only where the expression has $remote_addr: the signer says so when asked
  supports: { notBefore: false, ip: true, cookie: false },
  create(config) {
    const expression = config.expression ?? `$secure_link_expires$uri ${config.secret}`;
    const { pieces, problems } = parseExpression(expression);
    if (problems.length > 0) {
      throw new ConfigError(problems.map((p) => ({ message: `nginx-secure-link expression: ${p}` })));
    }
    const signsAddress = pieces.some((p) => 'variable' in p && p.variable === 'remote_addr');
    const md5Param = config.md5_param ?? 'md5';
    const expiresParam = config.expires_param ?? 'expires';
    return {
      sign(req: SignRequest): SignedRequest {
        if (req.notBefore) throw new UnmetNeed('nginx secure_link has no start time: a link is valid until it expires');
        if (req.cookie) throw new UnmetNeed('nginx secure_link reads the hash from the query here, not from cookies');
        if (req.ip !== undefined && !signsAddress) {
          throw new UnmetNeed("the target's secure_link_md5 expression has no $remote_addr: it cannot limit a viewer");
        }
        if (req.ip === undefined && signsAddress) {
          throw new UnmetNeed("the target's secure_link_md5 expression has $remote_addr: the viewer address is needed");
        }
        const expires = Math.floor(req.expiresAt.getTime() / 1000);
        // nginx reads an expiry of 0 or less (or none it can parse) as no valid link at all
        if (!(expires > 0)) throw new UnmetNeed(`nginx secure_link takes an expiry after 1970, not ${expires}`);
        const values: Record<Variable, Buffer> = {
          secure_link_expires: Buffer.from(String(expires)),
          uri: nginxUri(req.url.pathname),
          remote_addr: Buffer.from(req.ip === undefined ? '' : remoteAddr(req.ip)),
        };
        const text = Buffer.concat(pieces.map((p) => ('literal' in p ? Buffer.from(p.literal) : values[p.variable])));
        const md5 = createHash('md5').update(text).digest('base64url');
        const url = new URL(req.url.href);
        const kept = queryWithout(url.search, [md5Param, expiresParam]);
        url.search = [...kept, `${md5Param}=${md5}`, `${expiresParam}=${expires}`].join('&');
        return { url };
      },
    };
  },
  parts: (config) => ({ signature: config.md5_param ?? 'md5', expires: config.expires_param ?? 'expires' }),
  unknownKey(config) {
    // another secret, written where the old one was: a hash the edge's secret cannot reproduce
    const secret = randomBytes(16).toString('hex');
    const expression = config.expression?.split(config.secret).join(secret);
    return { ...config, secret, ...(expression !== undefined ? { expression } : {}) };
  },
};

/**
 * $uri as nginx makes it from the request path (ngx_http_parse_complex_uri): %XX decoded, slashes merged
 * (merge_slashes on, nginx's default), "." and ".." segments resolved; as bytes, since a decoded path need not
 * be UTF-8. A path nginx answers 400 has no $uri to sign.
 */
export function nginxUri(pathname: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < pathname.length; i++) {
    if (pathname[i] !== '%') {
      // a URL's path is ASCII once parsed; anything else goes as the UTF-8 a client would send
      bytes.push(...Buffer.from(pathname[i]!));
      continue;
    }
    const hex = pathname.slice(i + 1, i + 3);
    if (!/^[0-9A-Fa-f]{2}$/.test(hex) || hex === '00') {
      throw new UnmetNeed(`nginx answers 400 to a path with %${hex}: there is no $uri to sign`);
    }
    bytes.push(parseInt(hex, 16));
    i += 2;
  }
  // latin1: one char per byte, so '/' and '.' are found whatever the other bytes are
  const segments = Buffer.from(bytes).toString('latin1').split('/').slice(1);
  const out: string[] = [];
  segments.forEach((segment, i) => {
    const last = i === segments.length - 1;
    if (segment === '..') {
      if (out.length === 0) throw new UnmetNeed('nginx answers 400 to a path that climbs above /');
      out.pop();
    }
    if (segment === '.' || segment === '..' || segment === '') {
      // what stays of a final "/.", "/.." or "/" is the slash
      if (last) out.push('');
      return;
    }
    out.push(segment);
  });
  return Buffer.from(`/${out.join('/')}`, 'latin1');
}

/** The client address as nginx prints $remote_addr: one address, IPv6 in its shortest form. */
function remoteAddr(ip: string): string {
  const family = isIP(ip);
  if (family === 4) return ip;
  // the URL parser writes IPv6 as nginx does: lower case, the longest run of zero groups as ::
  if (family === 6) return new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  throw new UnmetNeed(`$remote_addr is one address: "${ip}" is not one (nginx secure_link takes no CIDR block)`);
}

/** The query's arguments, in order and as written, but for those named (as nginx's $arg_ matches: any case). */
function queryWithout(search: string, names: string[]): string[] {
  const lower = names.map((n) => n.toLowerCase());
  return search
    .replace(/^\?/, '')
    .split('&')
    .filter((arg) => arg !== '' && !lower.includes(arg.split('=')[0]!.toLowerCase()));
}
