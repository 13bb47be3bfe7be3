// expect.tls: one endpoint's handshakes against what the step expects —
// refused or not, name match, trust, days left, protocol, ALPN, resumption,
// SNI dependence, HSTS. Each failure names the endpoint and says why.
import type { FailureRecord } from '../record.js';
import type { FreshHandshake, HandshakeResult, HandshakeSuccess } from '../tls/handshake.js';
import { parseHsts } from '../tls/hsts.js';
import type { ResolvedTlsExpectation } from '../tls/tlsPromises.js';

export interface TlsObservation {
  /** names the endpoint in every failure */
  label: string;
  host: string;
  handshake: HandshakeResult;
  /** `resume: true`: the second handshake, or why none was attempted */
  resumption?: ({ result: HandshakeResult } | { skipped: string }) & { tries: number };
  /** a handshake without SNI, when sni_required is expected */
  withoutSni?: HandshakeResult;
  /** the answer to the step's `request` */
  hsts?: { status: number; header: string | null } | { error: string };
}

/** Codes for "nobody answered": not a refusal by a TLS server. */
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EADDRNOTAVAIL',
]);

const TRUST_DIAGNOSIS: Record<string, string> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    'the chain is incomplete (an intermediate is not sent) or the issuing CA is not trusted',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    'the chain is incomplete (an intermediate is not sent) or the issuing CA is not trusted',
  UNABLE_TO_GET_ISSUER_CERT: 'the chain is incomplete: an issuer is missing',
  SELF_SIGNED_CERT_IN_CHAIN: 'the chain ends at a root that is not trusted',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the certificate is self-signed',
  CERT_HAS_EXPIRED: 'the certificate has expired',
  CERT_NOT_YET_VALID: 'the certificate is not valid yet',
};

export function checkTls(expected: ResolvedTlsExpectation, obs: TlsObservation): FailureRecord[] {
  const failures: FailureRecord[] = [];
  const fail: Fail = (name, want, why) =>
    failures.push({ expectation: `tls.${name}`, expected: want, actual: `${obs.label}: ${why}` });
  const { refused, resumed, sni_required, hsts, ...ofHandshake } = expected;
  if (refused !== undefined) checkRefused(refused, obs.handshake, fail);
  if (Object.keys(ofHandshake).length > 0 || resumed !== undefined) {
    const hs = obs.handshake;
    if (!hs.ok) fail('handshake', 'a completed handshake', errorText(hs.error));
    else {
      // the first handshake offers no session, so it always carries the certificate
      if (!hs.resumed) checkCertificate(ofHandshake, hs, obs.host, fail);
      checkNegotiated(ofHandshake, hs, fail);
      if (resumed !== undefined) checkResumed(resumed, obs, fail);
    }
  }
  if (sni_required !== undefined) checkSniRequired(sni_required, obs, fail);
  if (hsts) checkHsts(hsts, obs, fail);
  return failures;
}

type Fail = (name: string, want: unknown, why: string) => void;
type OfHandshake = Pick<ResolvedTlsExpectation, 'hostname_match' | 'trusted' | 'days_left' | 'protocol' | 'alpn'>;

function checkRefused(expected: boolean, hs: HandshakeResult, fail: Fail): void {
  const unreachable = !hs.ok && UNREACHABLE.has(hs.error.code);
  // an endpoint that never answered neither accepted nor refused: it holds neither expectation
  const refused = !hs.ok && !unreachable;
  if (refused === expected && !unreachable) return;
  fail(
    'refused',
    expected,
    hs.ok
      ? `accepted (${hs.protocol}, ${hs.cipher})`
      : `${unreachable ? 'unreachable' : 'refused'}: ${errorText(hs.error)}`,
  );
}

function checkCertificate(expected: OfHandshake, hs: FreshHandshake, host: string, fail: Fail): void {
  const cert = hs.certificate;
  const match = hs.hostname;
  const names = cert.sans.length ? cert.sans.join(', ') : `no subjectAltName; CN=${cert.commonName ?? '(none)'}`;
  const uncovered = `the certificate names ${names}; none covers ${host}`;
  if (expected.hostname_match === false && match.match)
    fail('hostname_match', false, `covered by ${match.matchedName}`);
  if (expected.hostname_match === true && !match.match) fail('hostname_match', true, uncovered);
  if (expected.hostname_match === 'san' && match.by !== 'san-dns' && match.by !== 'san-ip') {
    fail('hostname_match', 'san', match.match ? `${host} only in the CN: ${match.warning ?? ''}` : uncovered);
  }
  if (expected.trusted !== undefined && hs.authorized !== expected.trusted) {
    const why = hs.authorizationError
      ? `${hs.authorizationError}: ${TRUST_DIAGNOSIS[hs.authorizationError] ?? 'not trusted'}`
      : 'trusted';
    fail('trusted', expected.trusted, `${why} (issuer ${cert.issuer})`);
  }
  const days = expected.days_left;
  if (
    days &&
    ((days.gte !== undefined && cert.daysLeft < days.gte) || (days.lte !== undefined && cert.daysLeft > days.lte))
  ) {
    const left = cert.daysLeft < 0 ? `expired ${-cert.daysLeft} days ago` : `${cert.daysLeft} days left`;
    fail('days_left', days, `${left} (notAfter ${cert.notAfter})`);
  }
}

function checkNegotiated(expected: OfHandshake, hs: HandshakeSuccess, fail: Fail): void {
  const protocols: Array<string | null> | undefined =
    expected.protocol === undefined ? undefined : [expected.protocol].flat();
  if (protocols && !protocols.includes(hs.protocol)) fail('protocol', expected.protocol, String(hs.protocol));
  if (expected.alpn !== undefined && hs.alpn !== expected.alpn)
    fail('alpn', expected.alpn, hs.alpn === false ? 'no ALPN protocol selected' : hs.alpn);
}

/** OpenSSL's messages carry source paths and codes; its reason phrase is what a reader needs. */
function errorText(error: { code: string; message: string }): string {
  const reason = /SSL routines:[^:]*:([^:]+):/.exec(error.message)?.[1];
  return reason ? `${error.code} (${reason})` : `${error.code}: ${error.message.trim()}`;
}

function checkResumed(expected: NonNullable<ResolvedTlsExpectation['resumed']>, obs: TlsObservation, fail: Fail): void {
  const attempt = obs.resumption;
  if (!attempt) return fail('resumed', expected, 'the step did not try to resume (add resume: true)');
  const tries = attempt.tries > 1 ? ` (${attempt.tries} tries)` : '';
  if ('skipped' in attempt) return fail('resumed', expected, attempt.skipped + tries);
  const second = attempt.result;
  if (!second.ok) {
    return fail('resumed', expected, `the resumption handshake failed: ${errorText(second.error)}${tries}`);
  }
  const how = second.resumed ? second.resumption : undefined;
  const ok = expected === true ? how !== undefined : expected === false ? how === undefined : how === expected;
  if (!ok) {
    const full = `a full handshake: the server did not resume the session${tries}`;
    fail('resumed', expected, how ? `resumed by ${how}` : full);
  }
}

function checkSniRequired(expected: boolean, obs: TlsObservation, fail: Fail): void {
  const bare = obs.withoutSni;
  if (!bare) return fail('sni_required', expected, 'no handshake without SNI was made');
  const served = bare.ok && !bare.resumed ? bare : undefined;
  const required = !served?.hostname.match;
  if (required === expected) return;
  if (!bare.ok) return fail('sni_required', expected, `without SNI the handshake fails: ${errorText(bare.error)}`);
  const cert = served?.certificate;
  fail(
    'sni_required',
    expected,
    cert
      ? `without SNI the edge presents ${cert.subject} (${cert.sans.join(', ') || 'no SANs'})`
      : 'without SNI the session was resumed',
  );
}

function checkHsts(expected: NonNullable<ResolvedTlsExpectation['hsts']>, obs: TlsObservation, fail: Fail): void {
  const answer = obs.hsts;
  if (!answer) return fail('hsts', expected, 'the step made no request (add request: /)');
  if ('error' in answer) return fail('hsts', expected, `no HTTPS answer: ${answer.error}`);
  const policy = parseHsts(answer.header ?? undefined);
  const shown =
    answer.header === null ? 'no Strict-Transport-Security header' : `Strict-Transport-Security: ${answer.header}`;
  if ('invalid' in policy) return fail('hsts', expected, `${policy.invalid} (status ${answer.status})`);
  if (expected.max_age && policy.maxAge < expected.max_age.gte) fail('hsts.max_age', expected.max_age, shown);
  if (expected.include_subdomains !== undefined && policy.includeSubDomains !== expected.include_subdomains)
    fail('hsts.include_subdomains', expected.include_subdomains, shown);
  if (expected.preload !== undefined && policy.preload !== expected.preload)
    fail('hsts.preload', expected.preload, shown);
}
