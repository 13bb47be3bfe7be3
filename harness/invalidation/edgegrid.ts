// Akamai EdgeGrid client authentication (EG1-HMAC-SHA256) and the .edgerc file its credentials live in.
// Pure: the caller supplies the timestamp and the nonce, so tests can pin both.
import { createHash, createHmac } from 'node:crypto';
import { ConfigError } from '../errors.js';

export const EDGEGRID_MONIKER = 'EG1-HMAC-SHA256';
/** Akamai's default for how much of a POST body the content hash covers */
export const DEFAULT_MAX_BODY = 131072;

export interface EdgegridCredentials {
  clientToken: string;
  clientSecret: string;
  accessToken: string;
  /** bytes of a POST body the content hash covers; the rest is sent but not signed */
  maxBody: number;
  /** names of the headers whose values are signed, in this order; Fast Purge needs none */
  headersToSign: readonly string[];
}

export interface SignableRequest {
  method: string;
  url: URL;
  /** when it holds a Host, that is the host signed (as the server will see it); else the URL's */
  headers?: Readonly<Record<string, string>>;
  body?: string | Uint8Array;
}

export interface SigningMoment {
  /** yyyyMMddTHH:mm:ss+0000, see edgegridTimestamp */
  timestamp: string;
  /** used once: the server refuses a nonce it has seen */
  nonce: string;
}

/** base64 HMAC-SHA256: the one primitive EdgeGrid builds on, for the signing key and the signature alike. */
export function hmacSha256Base64(key: string | Uint8Array, data: string): string {
  return createHmac('sha256', key).update(data, 'utf8').digest('base64');
}

/** UTC, to the second, in the form EdgeGrid signs: 20260315T08:09:10+0000. */
export function edgegridTimestamp(at: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  const day = `${at.getUTCFullYear()}${two(at.getUTCMonth() + 1)}${two(at.getUTCDate())}`;
  return `${day}T${two(at.getUTCHours())}:${two(at.getUTCMinutes())}:${two(at.getUTCSeconds())}+0000`;
}

/** The per-request key: the client secret (as text, not decoded) keyed over the timestamp. */
export function signingKey(clientSecret: string, timestamp: string): string {
  return hmacSha256Base64(clientSecret, timestamp);
}

/** base64 SHA-256 of the first maxBody bytes of a POST body; empty for other methods and for no body. */
export function contentHash(method: string, body: string | Uint8Array | undefined, maxBody: number): string {
  if (method.toUpperCase() !== 'POST' || body === undefined) return '';
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  if (bytes.length === 0) return '';
  return createHash('sha256').update(bytes.subarray(0, maxBody)).digest('base64');
}

/** `name:value` per signed header present, name lower-cased, value trimmed with inner whitespace runs as one space. */
export function canonicalHeaders(headers: Readonly<Record<string, string>>, headersToSign: readonly string[]): string {
  const byName = new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  const lines: string[] = [];
  for (const name of headersToSign.map((h) => h.toLowerCase())) {
    const value = byName.get(name);
    if (value !== undefined) lines.push(`${name}:${value.trim().replace(/\s+/g, ' ')}`);
  }
  return lines.join('\t');
}

/** The Authorization header up to (and signed with) everything but the signature itself. */
export function authorizationPrefix(credentials: EdgegridCredentials, moment: SigningMoment): string {
  const fields = [
    `client_token=${credentials.clientToken}`,
    `access_token=${credentials.accessToken}`,
    `timestamp=${moment.timestamp}`,
    `nonce=${moment.nonce}`,
  ];
  return `${EDGEGRID_MONIKER} ${fields.join(';')};`;
}

/** The tab-joined text the signature covers. */
export function dataToSign(credentials: EdgegridCredentials, request: SignableRequest, prefix: string): string {
  const headers = request.headers ?? {};
  const host = Object.entries(headers).find(([k]) => k.toLowerCase() === 'host')?.[1] ?? request.url.host;
  return [
    request.method.toUpperCase(),
    request.url.protocol.replace(/:$/, '').toLowerCase(),
    host.toLowerCase(),
    request.url.pathname + request.url.search,
    canonicalHeaders(headers, credentials.headersToSign),
    contentHash(request.method, request.body, credentials.maxBody),
    prefix,
  ].join('\t');
}

/** The whole Authorization header value for one request at one moment. */
export function edgegridAuthorization(
  credentials: EdgegridCredentials,
  request: SignableRequest,
  moment: SigningMoment,
): string {
  const prefix = authorizationPrefix(credentials, moment);
  const key = signingKey(credentials.clientSecret, moment.timestamp);
  return `${prefix}signature=${hmacSha256Base64(key, dataToSign(credentials, request, prefix))}`;
}

/** One section of an .edgerc: where the API is and the credentials to sign with. */
export interface EdgercSection extends EdgegridCredentials {
  /** the API hostname (akab-….luna.akamaiapis.net), without scheme or trailing slash */
  host: string;
}

/**
 * The named section of an .edgerc (INI: `[section]`, `key = value`, `;` or `#` comments, whole-line or after
 * whitespace, values optionally quoted; `max-body` and `max_body` alike; `headers_to_sign` a comma list).
 * `source` names the file in errors, which never quote a value or a line of it: those hold the credentials.
 */
export function parseEdgerc(text: string, source: string, section: string): EdgercSection {
  const sections = readSections(text, source);
  const entries = sections.get(section);
  if (!entries) {
    const have = sections.size ? `it has ${[...sections.keys()].map((s) => `[${s}]`).join(', ')}` : 'it has none';
    throw new ConfigError(`${source}: no section [${section}] in the .edgerc; ${have}`);
  }
  const missing = ['host', 'client_token', 'client_secret', 'access_token'].filter((k) => !entries.get(k));
  if (missing.length) {
    throw new ConfigError(`${source}: section [${section}] lacks ${missing.join(', ')}`);
  }
  const maxBodyText = entries.get('max_body');
  const maxBody = maxBodyText === undefined ? DEFAULT_MAX_BODY : Number(maxBodyText);
  if (!Number.isSafeInteger(maxBody) || maxBody <= 0) {
    throw new ConfigError(`${source}: section [${section}]: max-body must be a positive whole number of bytes`);
  }
  const host = entries
    .get('host')!
    .replace(/^https:\/\//i, '')
    .replace(/\/+$/, '');
  if (!/^[A-Za-z0-9.-]+(?::\d+)?$/.test(host)) {
    throw new ConfigError(`${source}: section [${section}]: host must be a hostname (akab-….luna.akamaiapis.net)`);
  }
  return {
    host,
    clientToken: entries.get('client_token')!,
    clientSecret: entries.get('client_secret')!,
    accessToken: entries.get('access_token')!,
    maxBody,
    headersToSign: (entries.get('headers_to_sign') ?? '')
      .split(',')
      .map((h) => h.trim())
      .filter(Boolean),
  };
}

function readSections(text: string, source: string): Map<string, Map<string, string>> {
  const sections = new Map<string, Map<string, string>>();
  let current: Map<string, string> | undefined;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    const where = `${source}:${i + 1}`;
    if (line === '' || line.startsWith(';') || line.startsWith('#')) return;
    const header = /^\[([^\]]+)\]\s*(?:[;#].*)?$/.exec(line);
    if (header) {
      const name = header[1]!.trim();
      if (sections.has(name)) throw new ConfigError(`${where}: section [${name}] appears twice`);
      current = new Map();
      sections.set(name, current);
      return;
    }
    const eq = line.indexOf('=');
    const name = line.slice(0, Math.max(eq, 0)).trim();
    if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new ConfigError(`${where}: expected \`[section]\` or \`key = value\``);
    if (!current) throw new ConfigError(`${where}: a \`key = value\` before any [section]`);
    const key = name.toLowerCase().replace(/-/g, '_');
    const value = unquote(line.slice(eq + 1).trim());
    if (value === undefined) throw new ConfigError(`${where}: the value of ${key} opens a quote it never closes`);
    current.set(key, value);
  });
  return sections;
}

/**
 * A value without its quotes or trailing comment; undefined when a quote is left open. A backslash keeps the
 * next character from closing the quote and is itself kept, as Akamai's Node library reads it.
 */
function unquote(value: string): string | undefined {
  const quote = value[0];
  if (quote === '"' || quote === "'") {
    for (let i = 1; i < value.length; i++) {
      if (value[i] === '\\') i++;
      else if (value[i] === quote) return value.slice(1, i);
    }
    return undefined;
  }
  // a comment only after whitespace, as Akamai's own example writes it (`host = xxxx # …`): a bare ; or # stays
  return value.replace(/\s+[;#].*$/, '');
}
