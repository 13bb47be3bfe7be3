// A stand-in for Akamai's Fast Purge v3 API on 127.0.0.1: it checks every request's EdgeGrid signature on its
// own (node:crypto here, none of the client's signing code), the path and the JSON body, and answers as Akamai does.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StandInCredentials {
  clientToken: string;
  clientSecret: string;
  accessToken: string;
}

/** One request as it arrived, and what the stand-in made of it. */
export interface RecordedPurge {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** the objects of a well-formed body */
  objects?: unknown[];
  nonce?: string;
  /** the status answered */
  status: number;
  /** why the stand-in refused it on its own account (signature, path, body); undefined when it passed */
  refusal?: string;
}

/** An answer to give the next well-signed, well-formed request instead of 201. */
export interface ScriptedAnswer {
  status: number;
  title?: string;
  /** Akamai's detail; a function sees the request (to echo what it was sent) */
  detail?: string | ((req: IncomingMessage) => string);
  retryAfter?: string;
}

export interface AkamaiStandIn {
  /** http://127.0.0.1:port, for the provider's `api` */
  api: string;
  requests: RecordedPurge[];
  /** answer the next requests so, in order; then 201 again */
  script(...answers: ScriptedAnswer[]): void;
  close(): Promise<void>;
}

const PURGE_PATH = /^\/ccu\/v3\/(invalidate|delete)\/(url|cpcode|tag)\/(staging|production)$/;
const AUTHORIZATION =
  /^EG1-HMAC-SHA256 (client_token=([^;]+);access_token=([^;]+);timestamp=([^;]+);nonce=([^;]+);)signature=(\S+)$/;
const TIMESTAMP = /^(\d{4})(\d{2})(\d{2})T(\d{2}):(\d{2}):(\d{2})\+0000$/;
/** what Akamai's side hashes of a POST body */
const MAX_BODY = 131072;
const CLOCK_SKEW_MS = 5 * 60_000;
const DESCRIBED_BY = 'https://techdocs.akamai.com/purge-cache/reference/api-errors';

export async function startAkamaiStandIn(credentials: StandInCredentials): Promise<AkamaiStandIn> {
  const requests: RecordedPurge[] = [];
  const scripted: ScriptedAnswer[] = [];
  const nonces = new Set<string>();
  let purges = 0;

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const bytes = Buffer.concat(chunks);
      const record: RecordedPurge = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: bytes.toString('utf8'),
        status: 0,
      };
      requests.push(record);
      const answer = (status: number, body: object, headers: Record<string, string> = {}) => {
        record.status = status;
        const type = status === 201 ? 'application/json' : 'application/api-problem+json';
        res.writeHead(status, { 'content-type': type, ...headers }).end(JSON.stringify(body));
      };
      const refuse = (status: number, title: string, detail: string) => {
        record.refusal = `${title}: ${detail}`;
        answer(status, problem(status, title, detail));
      };

      const route = PURGE_PATH.exec(record.path);
      if (!route) return refuse(404, 'not found', `no Fast Purge operation at ${record.path}`);
      if (record.method !== 'POST') return refuse(405, 'method not allowed', `${record.method} ${record.path}`);
      const signed = verifySignature(credentials, req, bytes, nonces);
      record.nonce = signed.nonce;
      if (signed.refusal) return refuse(401, 'Unauthorized', signed.refusal);
      if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) {
        return refuse(415, 'bad media type', 'Content-Type must be application/json');
      }
      const body = checkBody(route[2]!, record.body);
      if (typeof body === 'string') return refuse(400, 'bad request', body);
      record.objects = body;

      const next = scripted.shift();
      if (next) {
        const detail = typeof next.detail === 'function' ? next.detail(req) : next.detail;
        const headers: Record<string, string> = {};
        if (next.retryAfter !== undefined) headers['retry-after'] = next.retryAfter;
        if (next.status === 429) Object.assign(headers, { 'x-ratelimit-remaining': '0', 'x-ratelimit-limit': '100' });
        return answer(next.status, problem(next.status, next.title ?? defaultTitle(next.status), detail), headers);
      }
      purges++;
      const id = `edcp-standin${purges}`;
      answer(201, { httpStatus: 201, detail: 'Request accepted', estimatedSeconds: 5, purgeId: id, supportId: id });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    api: `http://127.0.0.1:${port}`,
    requests,
    script: (...answers) => void scripted.push(...answers),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** EG1-HMAC-SHA256 recomputed from what arrived: this server's scheme, the Host it was sent, the path as sent. */
function verifySignature(
  credentials: StandInCredentials,
  req: IncomingMessage,
  body: Buffer,
  nonces: Set<string>,
): { nonce?: string; refusal?: string } {
  const m = AUTHORIZATION.exec(req.headers.authorization ?? '');
  if (!m) return { refusal: 'no EG1-HMAC-SHA256 Authorization header' };
  const [, signedPrefix, clientToken, accessToken, timestamp, nonce, signature] = m as unknown as string[];
  if (clientToken !== credentials.clientToken || accessToken !== credentials.accessToken) {
    return { nonce, refusal: 'unknown client or access token' };
  }
  const t = TIMESTAMP.exec(timestamp!);
  if (!t) return { nonce, refusal: `timestamp not in yyyyMMddTHH:mm:ss+0000: ${timestamp}` };
  const at = Date.UTC(+t[1]!, +t[2]! - 1, +t[3]!, +t[4]!, +t[5]!, +t[6]!);
  if (Math.abs(Date.now() - at) > CLOCK_SKEW_MS) return { nonce, refusal: `timestamp ${timestamp} is out of range` };
  if (nonces.has(nonce!)) return { nonce, refusal: `nonce ${nonce} was used before` };
  nonces.add(nonce!);
  const key = createHmac('sha256', credentials.clientSecret).update(timestamp!).digest('base64');
  const hashed = body.length ? createHash('sha256').update(body.subarray(0, MAX_BODY)).digest('base64') : '';
  const data = ['POST', 'http', req.headers.host ?? '', req.url ?? '', '', hashed, `EG1-HMAC-SHA256 ${signedPrefix}`];
  const expected = createHmac('sha256', key).update(data.join('\t')).digest();
  const given = Buffer.from(signature!, 'base64');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { nonce, refusal: 'The signature does not match' };
  }
  return { nonce };
}

/** The objects of `{"objects": [...]}` for this purge type, or why the body is not one. */
function checkBody(type: string, text: string): unknown[] | string {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return 'the body is not JSON';
  }
  const objects = (body as { objects?: unknown }).objects;
  if (!Array.isArray(objects) || objects.length === 0) return 'expected {"objects": [...]} with at least one object';
  const keys = Object.keys(body as object).filter((k) => k !== 'objects' && k !== 'hostname');
  if (keys.length) return `unexpected members: ${keys.join(', ')}`;
  for (const o of objects) {
    if (type === 'url' && !(typeof o === 'string' && /^https?:\/\/[^/]+\//.test(o))) return `bad URL: ${String(o)}`;
    if (type === 'cpcode' && !(Number.isInteger(o) && (o as number) > 0)) return `bad CP code: ${String(o)}`;
    if (type === 'tag' && !(typeof o === 'string' && o.length > 0)) return `bad cache tag: ${String(o)}`;
  }
  return objects;
}

function problem(status: number, title: string, detail?: string): object {
  return { supportId: `edcp-standin-${status}`, httpStatus: status, title, detail, describedBy: DESCRIBED_BY };
}

function defaultTitle(status: number): string {
  if (status === 429) return 'Rate Limit exceeded';
  if (status === 507) return 'Insufficient Storage';
  if (status === 403) return 'unauthorized arl';
  return 'bad request';
}
