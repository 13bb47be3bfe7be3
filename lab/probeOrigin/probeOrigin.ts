// The probe origin: answers programmed objects on HTTP and on one TLS listener
// per certificate fault, logs every request, and is programmed through a
// token-authenticated control channel that never goes through the CDN.
import { constants, timingSafeEqual, X509Certificate } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import {
  CHECK_PATH_ROOT,
  checkKeyOf,
  CONTROL,
  originObject,
  type OriginObject,
} from '../../harness/origin/protocol.js';
import { namesFromCertificate } from '../../harness/tls/hostnameMatch.js';
import { ORIGIN_CERT_FAULTS, type OriginCertFault, type ServedCertificate } from '../labCertificates.js';
import { answerFor } from './answer.js';
import { ObjectStore } from './objectStore.js';

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
  const store = new ObjectStore();
  const servers: http.Server[] = [];
  const listen = async (server: http.Server, port = 0): Promise<number> => {
    servers.push(server);
    server.keepAliveTimeout = 5000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    return (server.address() as AddressInfo).port;
  };

  const httpPort = await listen(http.createServer(originHandler(store, 'http')), opts.httpPort);
  const secondaryPort = await listen(http.createServer(originHandler(store, 'http:secondary')), opts.secondaryPort);
  const tlsPorts: Partial<Record<OriginCertFault, number>> = {};
  for (const fault of ORIGIN_CERT_FAULTS) {
    const cert = opts.certificates?.[fault];
    if (!cert) continue;
    const server = https.createServer(
      // no session tickets: every edge connection makes a full handshake, so each one's SNI is read from its own
      // ClientHello (a resumed session reported none now and then, and a check read "no SNI")
      { key: cert.keyPem, cert: cert.certPem + cert.chainPem, secureOptions: constants.SSL_OP_NO_TICKET },
      originHandler(store, `https:${fault}`, namesFromCertificate(new X509Certificate(cert.certPem)).dns),
    );
    tlsPorts[fault] = await listen(server, opts.tlsPorts?.[fault]);
  }
  const control = opts.controlCertificate
    ? https.createServer(
        {
          key: opts.controlCertificate.keyPem,
          cert: opts.controlCertificate.certPem + opts.controlCertificate.chainPem,
        },
        controlHandler(store, opts.token),
      )
    : http.createServer(controlHandler(store, opts.token));
  const controlPort = await listen(control, opts.controlPort);

  return {
    httpUrl: `http://${host}:${httpPort}`,
    secondaryHttpUrl: `http://${host}:${secondaryPort}`,
    tlsPorts,
    controlUrl: `${opts.controlCertificate ? 'https' : 'http'}://${host}:${controlPort}`,
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

/**
 * `certificateNames`: what this listener's certificate is for, logged with each
 * request so a check can tell whether the edge asked for it by name (SNI)
 * wherever the origin is deployed, under whatever name.
 */
function originHandler(store: ObjectStore, listener: string, certificateNames?: string[]) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    // drain any request body (POST/PUT are answered and logged like any request)
    req.resume();
    req.on('end', () => {
      const url = req.url ?? '/';
      const path = url.split('?')[0] ?? '/';
      const key = checkKeyOf(path);
      const nth = key ? store.seenForPath(key, path) + 1 : 1;
      let answer: ReturnType<typeof answerFor>;
      try {
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
    });
  };
}

function flatHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

/** a programmed object is small (sizes are generated, not sent): room for any suite's object, no more */
const MAX_CONTROL_BODY = 1 << 20;

function controlHandler(store: ObjectStore, token: string) {
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
      const url = new URL(req.url ?? '/', 'http://control');
      try {
        if (req.method === 'GET' && url.pathname === CONTROL.health) return reply(200, { ok: true });
        if (req.method === 'PUT' && url.pathname === CONTROL.objects) {
          const { key, object, path } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
            key: string;
            object: unknown;
            path?: string;
          };
          if (typeof key !== 'string' || checkKeyOf(key) !== key)
            return reply(400, { error: `not a check key: ${String(key)}` });
          // the same rules as a suite's object: what is stored can always be sent
          const valid = originObject.safeParse(object);
          if (!valid.success) {
            const issue = valid.error.issues[0]!;
            return reply(400, { error: `object.${issue.path.join('.')}: ${issue.message}` });
          }
          store.set(key, valid.data as OriginObject, path);
          return reply(204);
        }
        if (req.method === 'GET' && url.pathname === CONTROL.log) {
          return reply(200, { entries: store.log(url.searchParams.get('key') ?? '') });
        }
        if (req.method === 'GET' && url.pathname === CONTROL.count) {
          // how many requests reached the origin for these keys, optionally in [since, until) ms
          const since = Number(url.searchParams.get('since') ?? -Infinity);
          const until = Number(url.searchParams.get('until') ?? Infinity);
          const count = url.searchParams.getAll('key').reduce((n, key) => n + store.count(key, since, until), 0);
          return reply(200, { count });
        }
        if (req.method === 'DELETE' && url.pathname === CONTROL.objects) {
          store.clear(url.searchParams.get('prefix') ?? CHECK_PATH_ROOT);
          return reply(204);
        }
        return reply(404, { error: `no such control endpoint: ${req.method} ${url.pathname}` });
      } catch (err) {
        return reply(400, { error: (err as Error).message });
      }
    });
  };
}
