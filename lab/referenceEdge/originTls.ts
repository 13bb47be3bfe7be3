// The edge's TLS connection to an HTTPS origin, verified before a byte of the
// request is sent: the chain against the route's CA bundle, then that the
// certificate names the origin. Fault switches skip one of those checks.
import * as tls from 'node:tls';

export type OriginCertificateCheck = 'hostname' | 'expiry';

export interface OriginTlsPolicy {
  /** the origin's hostname: verified against its certificate and, unless sendSni is false, sent as SNI */
  servername?: string;
  /** PEM trust anchors; without them the system CA store */
  ca?: string;
  verify: boolean;
  sendSni: boolean;
  /** checks this edge skips (fault switches) */
  skipChecks?: readonly OriginCertificateCheck[];
}

export type OriginConnection =
  | { ok: true; socket: tls.TLSSocket }
  | { ok: false; kind: 'tls' | 'connect' | 'timeout'; code: string; message: string };

const TLS_ERROR = /CERT|SELF_SIGNED|UNABLE_TO|HOSTNAME|ERR_TLS|ERR_SSL|DEPTH_ZERO|ALTNAME/;

export function connectOrigin(url: URL, policy: OriginTlsPolicy, timeoutMs: number): Promise<OriginConnection> {
  const servername = policy.servername ?? url.hostname;
  return new Promise((resolve) => {
    const socket = tls.connect({
      host: url.hostname,
      port: Number(url.port || 443),
      ...(policy.ca ? { ca: policy.ca } : {}),
      // judged below, once, with the fault switches in view
      rejectUnauthorized: false,
      checkServerIdentity: () => undefined,
      // '' sends no SNI at all
      servername: policy.sendSni ? servername : '',
      ALPNProtocols: ['http/1.1'],
    });
    const settle = (result: OriginConnection): void => {
      clearTimeout(timer);
      if (!result.ok) socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(
      () =>
        settle({
          ok: false,
          kind: 'timeout',
          code: 'ETIMEDOUT',
          message: `no TLS handshake with the origin within ${timeoutMs} ms`,
        }),
      timeoutMs,
    );
    socket.once('secureConnect', () => {
      const problem = certificateProblem(socket, servername, policy);
      settle(problem ? { ok: false, kind: 'tls', ...problem } : { ok: true, socket });
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      const code = err.code ?? err.name;
      settle({ ok: false, kind: TLS_ERROR.test(code) ? 'tls' : 'connect', code, message: err.message });
    });
  });
}

function certificateProblem(
  socket: tls.TLSSocket,
  servername: string,
  policy: OriginTlsPolicy,
): { code: string; message: string } | undefined {
  if (!policy.verify) return undefined;
  const skips = new Set(policy.skipChecks ?? []);
  // Typed as an Error, but Node stores OpenSSL's code string ('CERT_HAS_EXPIRED').
  const chainError = socket.authorizationError ? String(socket.authorizationError) : undefined;
  if (chainError && !(chainError === 'CERT_HAS_EXPIRED' && skips.has('expiry'))) {
    return { code: chainError, message: `the origin's certificate is not trusted: ${chainError}` };
  }
  if (skips.has('hostname')) return undefined;
  const mismatch = tls.checkServerIdentity(servername, socket.getPeerCertificate());
  return mismatch
    ? { code: (mismatch as NodeJS.ErrnoException).code ?? 'ERR_TLS_CERT_ALTNAME_INVALID', message: mismatch.message }
    : undefined;
}
