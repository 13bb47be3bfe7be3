// CloudFront's signed URLs and signed cookies as its edge checks them, for routes marked `signed`: the
// key id, the canned or custom policy, the RSA signature over it, and the policy's conditions.
import { generateKeyPairSync, verify, type KeyObject } from 'node:crypto';
import { BlockList, isIPv4 } from 'node:net';
import type { ReferenceEdgeFault } from './faults.js';

/** What of a viewer's request the verifier reads. */
export interface SignedRequestView {
  /** the scheme the viewer used: the resource is rebuilt with it */
  scheme: 'http' | 'https';
  /** the Host header (or :authority) */
  host: string;
  /** path and query as the viewer sent them */
  url: string;
  cookie?: string | string[];
  /** the viewer's address, as the edge's socket sees it */
  viewer: string;
  now: number;
}

/** CloudFront's 403 refusal: its XML error body, never stored. */
export interface Refusal {
  status: 403;
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * The verdict, and in either case what the origin (and the cache key) may see of the request: the URL
 * without the signature's query parameters and the Cookie header without the signature's cookies.
 */
export type Admission = { url: string; cookie?: string } & ({ ok: true } | { ok: false; refusal: Refusal });

type Part = 'keyPairId' | 'signature' | 'expires' | 'policy' | 'hashAlgorithm';

const QUERY_PARTS: Record<string, Part> = {
  'Key-Pair-Id': 'keyPairId',
  Signature: 'signature',
  Expires: 'expires',
  Policy: 'policy',
  'Hash-Algorithm': 'hashAlgorithm',
};
const COOKIE_PARTS: Record<string, Part> = Object.fromEntries(
  Object.entries(QUERY_PARTS).map(([name, part]) => [`CloudFront-${name}`, part]),
);
const DIGEST: Record<string, string> = { SHA1: 'sha1', SHA256: 'sha256' };
const DEFAULT_PORT = { http: '80', https: '443' };

const REFUSALS = {
  MissingKey: 'Missing Key-Pair-Id query parameter or cookie value',
  InvalidKey: 'Unknown Key',
  MalformedPolicy: 'Malformed Policy',
  AccessDenied: 'Access denied',
} as const;
type RefusalCode = keyof typeof REFUSALS;

/** A policy statement as far as the edge reads it. */
interface Statement {
  resource?: string;
  dateLessThan: number;
  dateGreaterThan?: number;
  sourceIp?: { address: string; prefix: number };
}

export class SignedUrls {
  private readonly trusted: ReadonlyMap<string, KeyObject>;

  constructor(
    /** key id -> public key: the distribution's trusted key group */
    trusted: ReadonlyMap<string, KeyObject>,
    private readonly faults: ReadonlySet<ReferenceEdgeFault>,
  ) {
    // a key group that holds another key under the same id: as when the distribution trusts a stale key group
    this.trusted = faults.has('signed-trusts-other-key')
      ? new Map([...trusted.keys()].map((id) => [id, generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey]))
      : trusted;
  }

  check(req: SignedRequestView): Admission {
    const query = splitQuery(req.url);
    const cookies = splitCookies(req.cookie);
    const forwarded = {
      url: this.faults.has('signed-params-forwarded') ? req.url : query.own,
      ...(cookies.own.length > 0 ? { cookie: cookies.own.join('; ') } : {}),
    };
    // CloudFront takes the signed URL when there is one, else the signed cookies
    const parts = Object.keys(query.parts).length > 0 ? query.parts : cookies.parts;
    const code = this.refusalCode(parts, resourceOf(req, query.own), req);
    return code === undefined ? { ...forwarded, ok: true } : { ...forwarded, ok: false, refusal: refusal(code) };
  }

  private refusalCode(
    parts: Partial<Record<Part, string>>,
    resource: string,
    req: SignedRequestView,
  ): RefusalCode | undefined {
    if (parts.keyPairId === undefined) return this.faults.has('signed-route-open') ? undefined : 'MissingKey';
    const key = this.trusted.get(parts.keyPairId);
    if (key === undefined) return this.faults.has('signed-any-key') ? undefined : 'InvalidKey';
    const read = readPolicy(parts, resource);
    if (read === undefined) return 'MalformedPolicy';
    const digest = DIGEST[parts.hashAlgorithm ?? 'SHA1'];
    if (digest === undefined) return 'AccessDenied';
    if (!this.faults.has('signed-skips-signature')) {
      const signature = parts.signature === undefined ? undefined : fromCloudfrontBase64(parts.signature);
      if (signature === undefined || !verify(digest, read.bytes, key, signature)) return 'AccessDenied';
    }
    return this.allows(read.statement, resource, req) ? undefined : 'AccessDenied';
  }

  private allows(statement: Statement, resource: string, req: SignedRequestView): boolean {
    if (statement.resource !== undefined && !wildcardMatch(statement.resource, resource)) return false;
    if (!this.faults.has('signed-accepts-expired') && req.now >= statement.dateLessThan * 1000) return false;
    const notBefore = statement.dateGreaterThan;
    if (notBefore !== undefined && !this.faults.has('signed-ignores-not-before') && req.now <= notBefore * 1000)
      return false;
    const ip = statement.sourceIp;
    if (ip === undefined || this.faults.has('signed-ignores-ip')) return true;
    const block = new BlockList();
    block.addSubnet(ip.address, ip.prefix, 'ipv4');
    const viewer = req.viewer.replace(/^::ffff:/, '');
    return isIPv4(viewer) && block.check(viewer, 'ipv4');
  }
}

/** The path and query without the signature's parameters, and those parameters (the first of each name). */
function splitQuery(url: string): { own: string; parts: Partial<Record<Part, string>> } {
  const at = url.indexOf('?');
  if (at === -1) return { own: url, parts: {} };
  const parts: Partial<Record<Part, string>> = {};
  const own: string[] = [];
  for (const pair of url.slice(at + 1).split('&')) {
    const eq = pair.indexOf('=');
    const part = QUERY_PARTS[eq === -1 ? pair : pair.slice(0, eq)];
    if (part === undefined) own.push(pair);
    else parts[part] ??= eq === -1 ? '' : pair.slice(eq + 1);
  }
  return { own: own.length > 0 ? `${url.slice(0, at)}?${own.join('&')}` : url.slice(0, at), parts };
}

/** The Cookie header's other cookies, and the signature's cookies. */
function splitCookies(header: string | string[] | undefined): { own: string[]; parts: Partial<Record<Part, string>> } {
  const parts: Partial<Record<Part, string>> = {};
  const own: string[] = [];
  const pairs = [header ?? []].flat().flatMap((line) => line.split(';'));
  for (const pair of pairs.map((p) => p.trim()).filter((p) => p !== '')) {
    const eq = pair.indexOf('=');
    const part = COOKIE_PARTS[eq === -1 ? pair : pair.slice(0, eq)];
    if (part === undefined) own.push(pair);
    else parts[part] ??= eq === -1 ? '' : pair.slice(eq + 1);
  }
  return { own, parts };
}

/** The URL the signature covers, as CloudFront rebuilds it: scheme, host (port unless the default), path, query. */
function resourceOf(req: SignedRequestView, ownUrl: string): string {
  const host = req.host
    .toLowerCase()
    .replace(/:(\d+)$/, (port, n: string) => (n === DEFAULT_PORT[req.scheme] ? '' : port));
  return `${req.scheme}://${host}${ownUrl}`;
}

/**
 * The bytes the signature is over and the statement they hold: the canned policy rebuilt from the
 * resource and Expires, or the custom one decoded from Policy. Undefined when neither reads.
 */
function readPolicy(
  parts: Partial<Record<Part, string>>,
  resource: string,
): { bytes: Buffer; statement: Statement } | undefined {
  if (parts.policy !== undefined) {
    const bytes = fromCloudfrontBase64(parts.policy);
    const statement = bytes && parseStatement(bytes.toString('utf8'));
    return bytes && statement ? { bytes, statement } : undefined;
  }
  if (parts.expires === undefined || !/^\d{1,12}$/.test(parts.expires)) return undefined;
  const text = JSON.stringify({
    Statement: [{ Resource: resource, Condition: { DateLessThan: { 'AWS:EpochTime': Number(parts.expires) } } }],
  });
  return { bytes: Buffer.from(text), statement: { dateLessThan: Number(parts.expires) } };
}

/** A custom policy's one statement; undefined when it is not JSON or not a policy CloudFront takes. */
function parseStatement(text: string): Statement | undefined {
  let policy: unknown;
  try {
    policy = JSON.parse(text);
  } catch {
    return undefined;
  }
  const statements = (policy as { Statement?: unknown } | null)?.Statement;
  if (!Array.isArray(statements) || statements.length !== 1) return undefined;
  const { Resource: resource, Condition: condition } = statements[0] as { Resource?: unknown; Condition?: unknown };
  if (resource !== undefined && typeof resource !== 'string') return undefined;
  if (typeof condition !== 'object' || condition === null) return undefined;
  // undefined when absent, null when present and not whole epoch seconds
  const epoch = (name: string): number | undefined | null => {
    const value = (condition as Record<string, { 'AWS:EpochTime'?: unknown } | undefined>)[name];
    if (value === undefined) return undefined;
    const time = value?.['AWS:EpochTime'];
    return typeof time === 'number' && Number.isInteger(time) ? time : null;
  };
  const dateLessThan = epoch('DateLessThan');
  const dateGreaterThan = epoch('DateGreaterThan');
  if (dateLessThan === undefined || dateLessThan === null || dateGreaterThan === null) return undefined;
  const ipCondition = (condition as { IpAddress?: { 'AWS:SourceIp'?: unknown } }).IpAddress;
  let sourceIp: Statement['sourceIp'];
  if (ipCondition !== undefined) {
    sourceIp = cidr(ipCondition?.['AWS:SourceIp']);
    if (sourceIp === undefined) return undefined;
  }
  return {
    dateLessThan,
    ...(resource !== undefined ? { resource } : {}),
    ...(dateGreaterThan !== undefined ? { dateGreaterThan } : {}),
    ...(sourceIp ? { sourceIp } : {}),
  };
}

function cidr(value: unknown): Statement['sourceIp'] {
  if (typeof value !== 'string') return undefined;
  const m = /^([0-9.]+)(?:\/(\d{1,2}))?$/.exec(value);
  const prefix = Number(m?.[2] ?? 32);
  return m && isIPv4(m[1]!) && prefix <= 32 ? { address: m[1]!, prefix } : undefined;
}

/** CloudFront's URL-safe base64 back to bytes (- -> +, _ -> =, ~ -> /); undefined when it is not base64. */
function fromCloudfrontBase64(text: string): Buffer | undefined {
  const plain = text.replace(/[-_~]/g, (c) => ({ '-': '+', _: '=', '~': '/' })[c]!);
  return /^[A-Za-z0-9+/]*={0,2}$/.test(plain) && plain.length % 4 === 0 ? Buffer.from(plain, 'base64') : undefined;
}

/** A policy's Resource against the requested URL: `*` is any run of characters, `?` any one. */
function wildcardMatch(pattern: string, url: string): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\*?]/g, (c) => (c === '*' ? '.*' : c === '?' ? '.' : `\\${c}`));
  return new RegExp(`^${source}$`, 's').test(url);
}

function refusal(code: RefusalCode): Refusal {
  const error = `<Error><Code>${code}</Code><Message>${REFUSALS[code]}</Message></Error>`;
  const xml = `<?xml version="1.0" encoding="UTF-8"?>${error}`;
  return {
    status: 403,
    headers: { 'content-type': 'text/xml', 'cache-status': 'edgecheck-ref; detail=signature-refused' },
    body: Buffer.from(xml),
  };
}
