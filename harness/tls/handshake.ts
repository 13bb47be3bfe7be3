// One TLS handshake against an endpoint, reported rather than judged: protocol, ALPN,
// chain, trust, name match and resumption, even when the certificate is bad.
import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import * as tls from 'node:tls';
import { certificateEvidence, type CertificateEvidence } from './certificateEvidence.js';
import { matchHostname, namesFromCertificate, type HostnameMatch } from './hostnameMatch.js';

export type HandshakeOptions = {
  /** The name to verify and, unless `sni` says otherwise, to send as SNI. */
  host: string;
  port: number;
  /** Connect here instead of resolving `host`: pins one edge address. */
  address?: string;
  /** `false` sends no SNI at all. */
  sni?: string | false;
  alpn?: string[];
  minVersion?: tls.SecureVersion;
  maxVersion?: tls.SecureVersion;
  /** PEM trust anchors added to the system store. */
  ca?: string;
  /** A session from an earlier handshake, to attempt resumption. */
  session?: Buffer;
  timeoutMs: number;
  /** how long to wait for a TLS 1.3 session ticket after the handshake (default 250 ms) */
  sessionWaitMs?: number;
  localAddress?: string;
};

type HandshakeCommon = {
  ok: true;
  protocol: string | null;
  alpn: string | false;
  cipher: string;
  /** Chain trust only; whether the names cover `host` is in `hostname`. */
  authorized: boolean;
  authorizationError?: string;
  /** The session to offer next time, when the server gave one. */
  session?: Buffer;
};

export type FreshHandshake = HandshakeCommon & {
  resumed: false;
  certificate: CertificateEvidence;
  /** Leaf first. Node completes it with issuers from the trust store, so it may hold a root the server never sent. */
  chain: CertificateEvidence[];
  hostname: HostnameMatch;
};

/**
 * Node exposes no peer certificate on a resumed session, so the certificate is
 * judged on the handshake that created the session; the verify result is kept.
 */
export type ResumedHandshake = HandshakeCommon & { resumed: true; resumption: 'ticket' | 'session-id' };

export type HandshakeSuccess = FreshHandshake | ResumedHandshake;

export type HandshakeFailure = { ok: false; error: { code: string; message: string } };

export type HandshakeResult = HandshakeSuccess | HandshakeFailure;

// TLS 1.3 tickets arrive after the handshake; a server that sends none should not cost much.
const SESSION_WAIT_MS = 250;
/** when the session is needed (to resume it), a busy server gets longer to send its ticket */
export const RESUMPTION_SESSION_WAIT_MS = 2_000;
const LEGACY_VERSIONS: ReadonlySet<tls.SecureVersion> = new Set(['TLSv1', 'TLSv1.1']);

export function handshake(opts: HandshakeOptions): Promise<HandshakeResult> {
  const deadline = Date.now() + opts.timeoutMs;
  return new Promise((resolve) => {
    let settled = false;
    let secured: HandshakeSuccess | undefined;
    let session: Buffer | undefined;

    const socket = tls.connect({ ...connectOptions(opts), checkServerIdentity: () => undefined });
    const settle = (result: HandshakeResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const settleSecured = (): void => {
      if (secured) settle(session ? { ...secured, session } : secured);
    };
    const fail = (code: string, message: string): void => {
      if (secured) settleSecured();
      else settle({ ok: false, error: { code, message } });
    };
    let timer = setTimeout(
      () =>
        fail(
          'ETIMEDOUT',
          `no TLS handshake with ${opts.address ?? opts.host}:${opts.port} within ${opts.timeoutMs} ms`,
        ),
      opts.timeoutMs,
    );

    socket.on('session', (ticket: Buffer) => {
      session = ticket;
      settleSecured();
    });
    socket.once('secureConnect', () => {
      const result = describe(socket, opts.host);
      if (!result.ok) return settle(result);
      secured = result;
      if (secured.protocol !== 'TLSv1.3') session ??= socket.getSession();
      if (session) return settleSecured();
      clearTimeout(timer);
      timer = setTimeout(
        settleSecured,
        Math.max(0, Math.min(opts.sessionWaitMs ?? SESSION_WAIT_MS, deadline - Date.now())),
      );
    });
    socket.once('error', (err: NodeJS.ErrnoException) => fail(err.code ?? 'ERR_TLS_HANDSHAKE', err.message));
    socket.once('close', () => fail('ECONNRESET', 'connection closed before the TLS handshake completed'));
  });
}

function connectOptions(opts: HandshakeOptions): tls.ConnectionOptions {
  const legacy = opts.maxVersion !== undefined && LEGACY_VERSIONS.has(opts.maxVersion);
  // Node refuses an IP address as SNI (RFC 6066 forbids it), so an IP host sends none.
  const servername = opts.sni === false ? undefined : (opts.sni ?? (isIP(opts.host) ? undefined : opts.host));
  const minVersion = opts.minVersion ?? (legacy ? opts.maxVersion : undefined);
  return {
    host: opts.address ?? opts.host,
    port: opts.port,
    rejectUnauthorized: false,
    ...(servername === undefined ? {} : { servername }),
    ...(opts.alpn ? { ALPNProtocols: opts.alpn } : {}),
    // Asking whether an old version is accepted means offering exactly it; OpenSSL 3
    // only builds such a ClientHello at security level 0.
    ...(legacy ? { ciphers: 'DEFAULT@SECLEVEL=0' } : {}),
    ...(minVersion ? { minVersion } : {}),
    ...(opts.maxVersion ? { maxVersion: opts.maxVersion } : {}),
    ...(opts.ca ? { ca: [...tls.rootCertificates, opts.ca] } : {}),
    ...(opts.session ? { session: opts.session } : {}),
    ...(opts.localAddress ? { localAddress: opts.localAddress } : {}),
  };
}

function describe(socket: tls.TLSSocket, host: string): HandshakeResult {
  // Typed as an Error, but Node stores the OpenSSL code string ('CERT_HAS_EXPIRED').
  const authorizationError = socket.authorizationError ? String(socket.authorizationError) : undefined;
  const common: HandshakeCommon = {
    ok: true,
    protocol: socket.getProtocol(),
    alpn: socket.alpnProtocol ?? false,
    cipher: socket.getCipher().standardName,
    authorized: socket.authorized,
    ...(authorizationError === undefined ? {} : { authorizationError }),
  };
  if (socket.isSessionReused()) return { ...common, resumed: true, resumption: resumptionMethod(socket) };
  const chain = peerChain(socket);
  const leaf = chain[0];
  if (!leaf)
    return {
      ok: false,
      error: { code: 'ERR_TLS_NO_PEER_CERTIFICATE', message: 'the server presented no certificate' },
    };
  return {
    ...common,
    resumed: false,
    certificate: certificateEvidence(leaf),
    chain: chain.map((cert) => certificateEvidence(cert)),
    hostname: matchHostname(host, namesFromCertificate(leaf)),
  };
}

// A TLS 1.2 client cannot see on the wire whether the server resumed by ticket or by
// session ID; the best evidence is whether the session it offered carried a ticket.
// TLS 1.3 resumes only by PSK, which Node exposes as a ticket.
function resumptionMethod(socket: tls.TLSSocket): 'ticket' | 'session-id' {
  return socket.getProtocol() === 'TLSv1.3' || socket.getTLSTicket() ? 'ticket' : 'session-id';
}

// getPeerCertificate() must come first: on Node 20.20 a call to getPeerX509Certificate()
// leaves it empty afterwards. The issuer links end on a self-reference at the root.
function peerChain(socket: tls.TLSSocket): X509Certificate[] {
  const chain: X509Certificate[] = [];
  const seen = new Set<string>();
  let link: tls.DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
  while (link?.raw && !seen.has(link.fingerprint256)) {
    seen.add(link.fingerprint256);
    chain.push(new X509Certificate(link.raw));
    link = link.issuerCertificate;
  }
  return chain;
}
