// The probe origin: answers programmed objects on HTTP and on one TLS listener
// per certificate fault, logs every request, and is programmed through a
// token-authenticated control channel that never goes through the CDN.
import { constants, timingSafeEqual, X509Certificate } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { isIP } from 'node:net';
import { ConfigError } from '../../harness/errors.js';
import {
  CHECK_PATH_ROOT,
  checkKeyOf,
  CONTROL,
  controlKeyProblem,
  objectPathProblem,
  originObject,
  type OriginObject,
} from '../../harness/origin/protocol.js';
import { namesFromCertificate } from '../../harness/tls/hostnameMatch.js';
import { ORIGIN_CERT_FAULTS, type OriginCertFault, type ServedCertificate } from '../labCertificates.js';
import { answerFor } from './answer.js';
import { ObjectStore, StoreFullError } from './objectStore.js';

/** Request head (request line and headers) any listener reads: node's default, said out loud. */
export const MAX_HEADER_BYTES = 16 << 10;
/** A request body through the CDN (POST, PUT): read and dropped up to this, answered 413 past it. */
export const MAX_DATA_BODY = 1 << 20;

export interface ProbeOriginOptions {
  host?: string;
  token: string;
  /** certificate per fault; without it the origin serves plain HTTP only */
  certificates?: Partial<Record<OriginCertFault, ServedCertificate>>;
  httpPort?: number;
  secondaryPort?: number;
  /** fixed ports for the TLS listeners (default: any free port) */
  tlsPorts?: Partial<Record<OriginCertFault, number>>;
  controlPort?: number;
  /** where the control channel listens (default: host); plain HTTP only on loopback */
  controlHost?: string;
  /** serve the control channel over HTTPS with this certificate (a deployed origin) */
  controlCertificate?: ServedCertificate;
}

export interface ProbeOrigin {
  httpUrl: string;
  /** a second plain-HTTP listener: the failover origin of an origin group */
  secondaryHttpUrl: string;
  /** port of the TLS listener per certificate fault */
  tlsPorts: Partial<Record<OriginCertFault, number>>;
  controlUrl: string;
  store: ObjectStore;
  close(): Promise<void>;
}

export async function startProbeOrigin(opts: ProbeOriginOptions): Promise<ProbeOrigin> {
  const host = opts.host ?? '127.0.0.1';
  const controlHost = opts.controlHost ?? host;
  if (!opts.controlCertificate && !isLoopback(controlHost)) {
    // refused before anything listens: a token in clear on a reachable address is never what was meant
    throw new ConfigError(
      `origin: the control channel would listen on ${controlHost} over plain HTTP; ` +
        'plain HTTP is for loopback only: give it a certificate (--control-cert, --control-key) ' +
        'or keep it on loopback (--control-host 127.0.0.1)',
    );
  }
  const store = new ObjectStore();
  const servers: http.Server[] = [];
  const listen = async (server: http.Server, port = 0, on = host): Promise<number> => {
    servers.push(server);
    server.keepAliveTimeout = 5000;
    // a slow or never-ending request head or body cannot hold a socket for long
    server.headersTimeout = 20_000;
    server.requestTimeout = 60_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, on, () => resolve());
    });
    return (server.address() as AddressInfo).port;
  };
  const limits = { maxHeaderSize: MAX_HEADER_BYTES };

  const httpPort = await listen(http.createServer(limits, originHandler(store, 'http')), opts.httpPort);
  const secondaryPort = await listen(
    http.createServer(limits, originHandler(store, 'http:secondary')),
    opts.secondaryPort,
  );
  const tlsPorts: Partial<Record<OriginCertFault, number>> = {};
  // connections each fault listener accepted, handshake or not: an edge that refuses the certificate never sends a
  // request, so this count is the only trace of its attempt (a kept error makes none)
  const connections: Record<string, number> = {};
  for (const fault of ORIGIN_CERT_FAULTS) {
    const cert = opts.certificates?.[fault];
    if (!cert) continue;
    const server = https.createServer(
      // no session tickets: every edge connection makes a full handshake, so each one's SNI is read from its own
      // ClientHello (a resumed session reported none now and then, and a check read "no SNI")
      { ...limits, key: cert.keyPem, cert: cert.certPem + cert.chainPem, secureOptions: constants.SSL_OP_NO_TICKET },
      originHandler(store, `https:${fault}`, namesFromCertificate(new X509Certificate(cert.certPem)).dns),
    );
    connections[fault] = 0;
    server.on('connection', () => connections[fault]!++);
    tlsPorts[fault] = await listen(server, opts.tlsPorts?.[fault]);
  }
  const control = opts.controlCertificate
    ? https.createServer(
        {
          ...limits,
          key: opts.controlCertificate.keyPem,
          cert: opts.controlCertificate.certPem + opts.controlCertificate.chainPem,
        },
        controlHandler(store, opts.token, connections),
      )
    : http.createServer(limits, controlHandler(store, opts.token, connections));
  const controlPort = await listen(control, opts.controlPort, controlHost);

  return {
    httpUrl: `http://${host}:${httpPort}`,
    secondaryHttpUrl: `http://${host}:${secondaryPort}`,
    tlsPorts,
    controlUrl: `${opts.controlCertificate ? 'https' : 'http'}://${urlHost(controlHost)}:${controlPort}`,
    store,
    async close() {
      await Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((resolve) => {
              s.close(() => resolve());
              s.closeAllConnections();
            }),
        ),
      );
    },
  };
}

/** 127.0.0.0/8, ::1 (also IPv4-mapped) and `localhost`; a name that needs resolving is not taken on trust. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice(7) : h;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

function urlHost(host: string): string {
  return isIP(host) === 6 ? `[${host}]` : host;
}

/**
 * `certificateNames`: what this listener's certificate is for, logged with each
 * request so a check can tell whether the edge asked for it by name (SNI)
 * wherever the origin is deployed, under whatever name.
 */
function originHandler(store: ObjectStore, listener: string, certificateNames?: string[]) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    // any request body is read and dropped (POST/PUT are answered and logged like any request), up to a ceiling
    let size = Number(req.headers['content-length'] ?? 0);
    let answered = false;
    const answer = (tooLarge: boolean) => {
      if (answered) return;
      answered = true;
      if (tooLarge) {
        // the rest is not read: the connection ends with the answer
        res.shouldKeepAlive = false;
        res.on('finish', () => req.socket.destroySoon());
      }
      respond(req, res, tooLarge);
    };
    if (size > MAX_DATA_BODY) return answer(true);
    size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_DATA_BODY) {
        req.pause();
        answer(true);
      }
    });
    req.on('end', () => answer(false));
  };

  function respond(req: IncomingMessage, res: ServerResponse, tooLarge: boolean): void {
    const url = req.url ?? '/';
    const path = url.split('?')[0] ?? '/';
    // only a key the control channel would take is logged and answered from the store: a made-up
    // `/.edgecheck/../x/` or a 10 kB segment is answered as any unknown path and leaves no trace
    const found = checkKeyOf(path);
    const key = found && controlKeyProblem(found, 'key') === undefined ? found : undefined;
    const nth = key ? store.seenForPath(key, path) + 1 : 1;
    let answer: ReturnType<typeof answerFor> = {
      status: 413,
      headers: { 'content-type': 'text/plain', 'cache-control': 'no-store' },
      body: `edgecheck probe origin: a request body is at most ${MAX_DATA_BODY} bytes\n`,
    };
    try {
      if (!tooLarge)
        answer = answerFor(
          key ? store.get(key, path) : undefined,
          req.method ?? 'GET',
          req.headers,
          nth,
          listener === 'http:secondary',
        );
    } catch (err) {
      answer = {
        status: 500,
        headers: {},
        body: `edgecheck probe origin: the programmed object cannot be answered: ${(err as Error).message}\n`,
      };
    }
    let seq = 0;
    if (key) {
      const sni = (req.socket as TLSSocket).servername;
      seq = store.record(key, path, {
        status: answer.status,
        at: Date.now(),
        method: req.method ?? 'GET',
        url,
        headers: flatHeaders(req.headers),
        peer: req.socket.remoteAddress ?? '',
        listener,
        ...(typeof sni === 'string' ? { sni } : {}),
        ...(certificateNames ? { certificate_names: certificateNames } : {}),
      }).seq;
    }
    try {
      // checked here, not by end(): a response that fails inside end() cannot be answered any more
      if (!Number.isInteger(answer.status) || answer.status < 100 || answer.status > 599)
        throw new RangeError(`status ${answer.status}`);
      if (typeof answer.body !== 'string') throw new TypeError(`a body of type ${typeof answer.body}`);
      res.statusCode = answer.status;
      for (const [k, v] of Object.entries(answer.headers)) res.setHeader(k, v);
      res.setHeader('x-edgecheck-origin-seq', String(seq));
      res.end(answer.body);
    } catch (err) {
      // the control API validates objects; this is the last guard, so a bad one never ends the origin
      if (res.headersSent) return void res.destroy();
      for (const name of res.getHeaderNames()) res.removeHeader(name);
      res.writeHead(500, { 'content-type': 'text/plain', 'x-edgecheck-origin-seq': String(seq) });
      res.end(`edgecheck probe origin: the programmed object cannot be sent: ${(err as Error).message}\n`);
    }
  }
}

function flatHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

/** a programmed object is small (sizes are generated, not sent): room for any suite's object, no more */
const MAX_CONTROL_BODY = 1 << 20;

function controlHandler(store: ObjectStore, token: string, connections: Record<string, number>) {
  const expected = Buffer.from(`Bearer ${token}`);
  const authorized = (req: IncomingMessage): boolean => {
    const given = Buffer.from(req.headers.authorization ?? '');
    return given.length === expected.length && timingSafeEqual(given, expected);
  };
  return (req: IncomingMessage, res: ServerResponse): void => {
    const reply = (status: number, body?: unknown) => {
      res.writeHead(status, {
        'content-type': 'application/json',
        'cache-control': 'no-store',
        ...(status >= 400 ? { connection: 'close' } : {}),
      });
      res.end(body === undefined ? '' : JSON.stringify(body));
    };
    // the token is checked before a byte of the body is read, and a body has a ceiling
    if (!authorized(req)) return reply(401, { error: 'missing or wrong bearer token' });
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_CONTROL_BODY) chunks.push(c);
    });
    req.on('end', () => {
      if (size > MAX_CONTROL_BODY)
        return reply(413, { error: `a control request body is at most ${MAX_CONTROL_BODY} bytes` });
      try {
        const url = new URL(req.url ?? '/', 'http://control');
        if (req.method === 'GET' && url.pathname === CONTROL.health)
          return reply(200, { ok: true, store: store.stats() });
        if (req.method === 'PUT' && url.pathname === CONTROL.objects) {
          const body: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          if (typeof body !== 'object' || body === null || Array.isArray(body))
            return reply(400, { error: 'expected a JSON object {key, object, path?}' });
          const { key, object, path } = body as { key?: unknown; object?: unknown; path?: unknown };
          const problem = controlKeyProblem(key, 'key') ?? objectPathProblem(path);
          if (problem) return reply(400, { error: problem });
          // the same rules as a suite's object: what is stored can always be sent
          const valid = originObject.safeParse(object);
          if (!valid.success) {
            const issue = valid.error.issues[0]!;
            return reply(400, { error: `object.${issue.path.join('.')}: ${issue.message}` });
          }
          store.set(key as string, valid.data as OriginObject, path as string | undefined, size);
          return reply(204);
        }
        if (req.method === 'GET' && url.pathname === CONTROL.connections) return reply(200, { listeners: connections });
        if (req.method === 'GET' && url.pathname === CONTROL.log) {
          const key = url.searchParams.get('key');
          const problem = controlKeyProblem(key ?? undefined, 'key');
          if (problem) return reply(400, { error: problem });
          return reply(200, { entries: store.log(key!) });
        }
        if (req.method === 'GET' && url.pathname === CONTROL.count) {
          // how many requests reached the origin for these keys, optionally in [since, until) ms
          const since = Number(url.searchParams.get('since') ?? -Infinity);
          const until = Number(url.searchParams.get('until') ?? Infinity);
          if (Number.isNaN(since) || Number.isNaN(until))
            return reply(400, { error: 'since, until: expected ms since the epoch' });
          const keys = url.searchParams.getAll('key');
          const problem =
            keys.length > 1000 ? 'key: at most 1000 keys' : keys.map((k) => controlKeyProblem(k, 'key')).find(Boolean);
          if (problem) return reply(400, { error: problem });
          const count = keys.reduce((n, key) => n + store.count(key, since, until), 0);
          return reply(200, { count });
        }
        if (req.method === 'DELETE' && url.pathname === CONTROL.objects) {
          const prefix = url.searchParams.get('prefix') ?? CHECK_PATH_ROOT;
          const problem = controlKeyProblem(prefix, 'prefix');
          if (problem) return reply(400, { error: problem });
          store.clear(prefix);
          return reply(204);
        }
        return reply(404, { error: `no such control endpoint: ${req.method} ${url.pathname}` });
      } catch (err) {
        // a full store is the origin's condition, not a bad request
        return reply(err instanceof StoreFullError ? 507 : 400, { error: (err as Error).message });
      }
    });
  };
}
