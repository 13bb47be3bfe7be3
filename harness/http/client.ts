// The HTTP wire: one request, pinned to an edge address if asked, with the
// right Host and SNI, bounded in time and in body size. Transport failures come
// back as typed errors so a step can fail with a diagnosis instead of crashing the run.
import { maxHeaderSize } from 'node:http';
import type { LookupFunction } from 'node:net';
import { rootCertificates } from 'node:tls';
import { Agent, request } from 'undici';
import {
  EdgecheckError,
  HttpProtocolError,
  ResponseTooLarge,
  StepTimeout,
  TargetUnreachable,
  TlsHandshakeFailed,
} from '../errors.js';

/** Enough for any page or asset a check looks at; more would only fill memory. */
export const DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024;

export interface WireRequest {
  method: string;
  url: URL;
  headers?: Record<string, string>;
  body?: string;
  /** connect here instead of resolving the URL's hostname (SNI and Host stay the hostname) */
  address?: string;
  /** local source address, for viewer-address rules */
  localAddress?: string;
  timeoutMs: number;
  /** aborts the request when the check around it gives up (its reason is the error) */
  signal?: AbortSignal;
}

/**
 * Lower-case names, as node:http gives them: a repeated header's lines joined
 * with ", " (RFC 9110 5.3), except set-cookie, always a list: a cookie's
 * Expires date holds a comma, so joined lines could not be told apart (RFC 6265 3).
 */
export type WireHeaders = Record<string, string | string[]>;

export interface WireResponse {
  status: number;
  headers: WireHeaders;
  body: string;
  durationMs: number;
  /** where it came from and when its body ended (performance.now()): for `bytesAfter` */
  ended?: { origin: string; address: string; at: number };
}

/**
 * A connection undici dropped because bytes followed an answer that begin no
 * response (a body longer than its Content-Length, garbage after the last chunk).
 * The answer itself came back whole, so only the connection's end tells.
 */
interface BytesAfter {
  origin: string;
  address: string;
  at: number;
  bytesRead?: number;
}

/** how long a dropped connection is remembered, and how many */
const BYTES_AFTER_KEPT_MS = 60_000;
const BYTES_AFTER_KEPT = 100;

export interface HttpClientOptions {
  /** extra trust anchors (PEM), added to the system store */
  ca?: string;
  /** a longer response body fails the request with E_RESPONSE_TOO_LARGE (default 8 MiB) */
  maxBodyBytes?: number;
  /**
   * how long a connection and its TLS handshake may take (default: undici's 10 s); a request's
   * own timeout does not cut a handshake short, so a caller bounding each address sets this too
   */
  connectTimeoutMs?: number;
}

export class HttpClient {
  private readonly agents = new Map<string, Agent>();
  private bytesAfterAnswers: BytesAfter[] = [];
  constructor(private readonly opts: HttpClientOptions = {}) {}

  async send(req: WireRequest): Promise<WireResponse> {
    const started = performance.now();
    const timeout = AbortSignal.timeout(req.timeoutMs);
    const signal = req.signal ? AbortSignal.any([timeout, req.signal]) : timeout;
    const seen: Seen = { bodyBytes: 0 };
    try {
      const res = await request(req.url, {
        method: req.method as 'GET',
        headers: req.headers,
        body: req.body,
        dispatcher: this.agent(req.address, req.localAddress),
        signal,
        headersTimeout: req.timeoutMs,
        bodyTimeout: req.timeoutMs,
      });
      const headers = wireHeaders(res.headers);
      seen.head = { status: res.statusCode, headers };
      const chunks: Buffer[] = [];
      for await (const chunk of res.body as AsyncIterable<Buffer>) {
        chunks.push(chunk);
        seen.bodyBytes += chunk.length;
      }
      const body = utf8(Buffer.concat(chunks));
      const ended = { origin: req.url.origin, address: req.address ?? '', at: performance.now() };
      return { status: res.statusCode, headers, body, durationMs: ended.at - started, ended };
    } catch (err) {
      throw this.transportError(err, req, seen);
    }
  }

  /**
   * Whether the connection that carried this answer was dropped after it for bytes that begin no
   * response (seen up to now: call it a moment after the answer). On a busy client another answer
   * from the same origin can be the one: either way the edge sent more than it framed.
   */
  bytesAfter(res: WireResponse): string | undefined {
    const ended = res.ended;
    if (!ended) return undefined;
    const hit = this.bytesAfterAnswers.find(
      (b) => b.origin === ended.origin && b.address === ended.address && b.at >= ended.at,
    );
    if (!hit) return undefined;
    const length = res.headers['content-length'];
    const framing =
      typeof length === 'string' ? `its Content-Length (${length} bytes)` : 'its framing (the last chunk)';
    const read = hit.bytesRead !== undefined ? `; the connection carried ${hit.bytesRead} bytes in all` : '';
    return `bytes came after the answer, beyond ${framing}, that begin no response: more than it promised${read}`;
  }

  async close(): Promise<void> {
    await Promise.all([...this.agents.values()].map((a) => a.close()));
    this.agents.clear();
  }

  private agent(address: string | undefined, localAddress: string | undefined): Agent {
    const key = `${address ?? ''}|${localAddress ?? ''}`;
    let agent = this.agents.get(key);
    if (!agent) {
      agent = new Agent({
        connections: 16,
        maxResponseSize: this.maxBodyBytes,
        // the client's own option: undici's connector overrides a localAddress given under connect
        ...(localAddress ? { localAddress } : {}),
        connect: {
          ...(this.opts.ca ? { ca: [...rootCertificates, this.opts.ca] } : {}),
          ...(this.opts.connectTimeoutMs ? { timeout: this.opts.connectTimeoutMs } : {}),
          ...(address ? { lookup: pinnedLookup(address) } : {}),
        },
      });
      agent.on('disconnect', (origin, _targets, err) => {
        const e = err as { code?: string; message?: string; socket?: { bytesRead?: number } };
        if (e.code !== 'UND_ERR_SOCKET' || e.message !== 'bad response') return;
        const now = performance.now();
        this.bytesAfterAnswers = this.bytesAfterAnswers
          .filter((b) => now - b.at < BYTES_AFTER_KEPT_MS)
          .slice(-BYTES_AFTER_KEPT + 1);
        this.bytesAfterAnswers.push({
          origin: new URL(String(origin)).origin,
          address: address ?? '',
          at: now,
          ...(e.socket?.bytesRead !== undefined ? { bytesRead: e.socket.bytesRead } : {}),
        });
      });
      this.agents.set(key, agent);
    }
    return agent;
  }

  private get maxBodyBytes(): number {
    return this.opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  }

  /**
   * Which of our errors a transport failure is, by the code Node, OpenSSL or
   * undici gave it, said in one line with where in the exchange it happened.
   */
  private transportError(err: unknown, req: WireRequest, seen: Seen): Error {
    if (err instanceof EdgecheckError) return err; // the abort reason of whoever gave up on the request
    const e = err as TransportFailure & { cause?: TransportFailure };
    const code = e.cause?.code ?? e.code ?? e.name;
    const where = `${req.method} ${req.url.href}${req.address ? ` via ${req.address}` : ''}`;
    // OpenSSL's message is its whole error queue, file and line included, ending in a newline: its reason says it
    const said = oneLine(e.cause?.reason ?? e.reason ?? e.cause?.message ?? e.message);
    const detail = `${where}: ${code}: ${said}`;
    if (e.name === 'TimeoutError' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
      return new StepTimeout(req.timeoutMs, `${where}: no complete answer within ${req.timeoutMs} ms`);
    }
    if (code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE') {
      const limit = this.maxBodyBytes;
      const message = `${where}: the response body is longer than ${formatBytes(limit)}; the rest was not read`;
      return new ResponseTooLarge(message, limit);
    }
    if (UNREACHABLE.has(code)) return new TargetUnreachable(detail, err);
    if (TLS_FAILURE.test(code)) return new TlsHandshakeFailed(detail, err);
    if (code === 'UND_ERR_HEADERS_OVERFLOW') {
      return new HttpProtocolError(`${detail}: the response headers are too large (over ${maxHeaderSize} bytes)`, err);
    }
    const broke = BROKEN.get(code === 'UND_ERR_SOCKET' ? said : code);
    if (broke)
      return new HttpProtocolError(`${detail}: ${broke} ${whereItBroke(seen, e.socket ?? e.cause?.socket)}`, err);
    if (code === 'UND_ERR_SOCKET' && said === 'bad response' && !seen.head) {
      return new HttpProtocolError(`${detail}: an interim answer (100 Continue) the request did not ask for`, err);
    }
    return new HttpProtocolError(detail, err);
  }
}

type TransportFailure = NodeJS.ErrnoException & {
  /** OpenSSL's reason for a TLS failure */
  reason?: string;
  /** undici's SocketError: what the socket had carried */
  socket?: { bytesRead?: number };
};

/** How much of the answer had arrived when the exchange broke. */
interface Seen {
  head?: { status: number; headers: WireHeaders };
  bodyBytes: number;
}

/** The connection ending under an exchange, by code (undici's SocketError, by its message). */
const BROKEN = new Map([
  ['ECONNRESET', 'the connection was reset'],
  ['EPIPE', 'the connection was closed'],
  ['other side closed', 'the connection was closed'],
]);

/** Where an answer stopped: before its status line, in its headers, or in its body (and how far in). */
function whereItBroke(seen: Seen, socket: { bytesRead?: number } | undefined): string {
  if (!seen.head) {
    if (socket?.bytesRead === undefined) return 'before the response headers were complete';
    if (socket.bytesRead === 0) return 'before the status line';
    return `in the middle of the response headers, after ${socket.bytesRead} bytes`;
  }
  const { status, headers } = seen.head;
  const length = headers['content-length'];
  const chunked = /chunked/i.test(String(headers['transfer-encoding'] ?? ''));
  const promised = typeof length === 'string' ? ` of the ${length} its Content-Length promised` : '';
  const framing = chunked ? ', before the last chunk of its chunked body' : promised;
  return `in the body of a ${status} answer, after ${seen.bodyBytes} bytes${framing}`;
}

/** As undici's body.text() decodes: UTF-8, a byte-order mark dropped. */
function utf8(bytes: Buffer): string {
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  return bytes.toString('utf8', bom ? 3 : 0);
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Codes for "nobody could be reached there". */
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** Node's certificate verification codes (CERT_HAS_EXPIRED, ...) and OpenSSL's handshake failures. */
const TLS_FAILURE = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED|SELF_SIGNED_CERT_IN_CHAIN|EPROTO$)/;

function wireHeaders(raw: Record<string, string | string[] | undefined>): WireHeaders {
  const headers: WireHeaders = {};
  for (const [k, v] of Object.entries(raw)) {
    if (v === undefined) continue;
    if (k === 'set-cookie') headers[k] = typeof v === 'string' ? [v] : v;
    else headers[k] = typeof v === 'string' ? v : v.join(', ');
  }
  return headers;
}

function formatBytes(n: number): string {
  return n % (1024 * 1024) === 0 ? `${n / (1024 * 1024)} MiB` : `${n} bytes`;
}

function pinnedLookup(address: string): LookupFunction {
  const family = address.includes(':') ? 6 : 4;
  return ((_host: string, options: { all?: boolean }, cb: (...args: unknown[]) => void) => {
    if (options?.all) cb(null, [{ address, family }]);
    else cb(null, address, family);
  }) as unknown as LookupFunction;
}
