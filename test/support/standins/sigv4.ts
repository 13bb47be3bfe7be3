// Checks an AWS Signature Version 4 Authorization header as AWS documents it, written apart from the
// SDK's signer so that a stand-in can tell a correctly signed request from one that merely looks signed.
import { createHash, createHmac } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export interface SigV4Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface SigV4Scope {
  region: string;
  service: string;
  credentials: SigV4Credentials;
}

export interface SignedRequest {
  method: string;
  /** path and query as they came on the wire */
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** An accepted signature, or AWS's refusal of it (status, code and message as AWS words them). */
export type SigV4Verdict =
  | { ok: true; accessKeyId: string; signedHeaders: string[] }
  | { ok: false; status: number; code: string; message: string; accessKeyId?: string };

const AUTHORIZATION = /^AWS4-HMAC-SHA256 Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/;
const AMZ_DATE = /^\d{8}T\d{6}Z$/;

export function verifySigV4(req: SignedRequest, scope: SigV4Scope): SigV4Verdict {
  const header = headerValue(req.headers, 'authorization');
  if (header === undefined) return refuse(403, 'MissingAuthenticationToken', 'Missing Authentication Token');
  const auth = AUTHORIZATION.exec(header);
  if (!auth) {
    return refuse(
      400,
      'IncompleteSignature',
      `Authorization header requires 'Credential', 'SignedHeaders' and ` +
        `'Signature' parameters of AWS4-HMAC-SHA256. Authorization=${header.split(' ')[0]}`,
    );
  }
  const [, credential, signedList, signature] = auth as unknown as [string, string, string, string];
  const [accessKeyId, date, region, service, terminator, ...rest] = credential.split('/');
  const refuseFor = (status: number, code: string, message: string): SigV4Verdict => ({
    ok: false,
    status,
    code,
    message,
    accessKeyId,
  });
  if (!accessKeyId || rest.length > 0 || terminator !== 'aws4_request') {
    const message = 'Credential should be <key>/<date>/<region>/<service>/aws4_request';
    return refuseFor(400, 'IncompleteSignature', message);
  }
  if (region !== scope.region) {
    return refuseFor(403, 'SignatureDoesNotMatch', `Credential should be scoped to a valid region, not '${region}'.`);
  }
  if (service !== scope.service) {
    const message = `Credential should be scoped to correct service: '${scope.service}'.`;
    return refuseFor(403, 'SignatureDoesNotMatch', message);
  }
  const amzDate = headerValue(req.headers, 'x-amz-date');
  if (amzDate === undefined || !AMZ_DATE.test(amzDate)) {
    return refuseFor(
      400,
      'IncompleteSignature',
      "Authorization header requires existence of either a 'X-Amz-Date' " + "or a 'Date' header.",
    );
  }
  if (date !== amzDate.slice(0, 8)) {
    return refuseFor(
      403,
      'SignatureDoesNotMatch',
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 ` +
        `version of date from HTTP: '${date}' != '${amzDate.slice(0, 8)}', from '${amzDate}'.`,
    );
  }
  const invalidToken = () =>
    refuseFor(403, 'InvalidClientTokenId', 'The security token included in the request is invalid.');
  if (accessKeyId !== scope.credentials.accessKeyId) return invalidToken();
  const signedHeaders = signedList.split(';');
  const sorted = [...signedHeaders].sort();
  if (signedHeaders.some((h, i) => h !== h.toLowerCase() || h !== sorted[i])) {
    return refuseFor(403, 'SignatureDoesNotMatch', 'SignedHeaders must be lower case and sorted');
  }
  for (const must of ['host', 'x-amz-date']) {
    if (!signedHeaders.includes(must)) {
      return refuseFor(403, 'SignatureDoesNotMatch', `'${must}' must be a signed header`);
    }
  }
  const missing = signedHeaders.find((h) => headerValue(req.headers, h) === undefined);
  if (missing) return refuseFor(403, 'SignatureDoesNotMatch', `the signed header '${missing}' is not in the request`);
  const token = headerValue(req.headers, 'x-amz-security-token');
  if (token !== scope.credentials.sessionToken) return invalidToken();
  if (token !== undefined && !signedHeaders.includes('x-amz-security-token')) return invalidToken();

  const payloadHash = sha256(req.body);
  const claimedHash = headerValue(req.headers, 'x-amz-content-sha256');
  if (claimedHash !== undefined && claimedHash !== payloadHash) {
    return refuseFor(
      400,
      'XAmzContentSHA256Mismatch',
      "The provided 'x-amz-content-sha256' header does not match what was computed.",
    );
  }
  const canonicalRequest = [
    req.method,
    canonicalUri(req.url),
    canonicalQuery(req.url),
    ...signedHeaders.map((h) => `${h}:${headerValue(req.headers, h)!.trim().replace(/\s+/g, ' ')}`),
    '',
    signedList,
    payloadHash,
  ].join('\n');
  const credentialScope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, credentialScope, sha256(canonicalRequest)].join('\n');
  const key = [date, region, service, 'aws4_request'].reduce<Buffer>(
    (k, part) => hmac(k, part),
    Buffer.from(`AWS4${scope.credentials.secretAccessKey}`),
  );
  if (hmac(key, stringToSign).toString('hex') !== signature) {
    // the wording, canonical request included, of AWS services that explain a mismatch
    return refuseFor(
      403,
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature ' +
        'you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for ' +
        `details.\n\nThe Canonical String for this request should have been\n'${canonicalRequest}'\n\n` +
        `The String-to-Sign should have been\n'${stringToSign}'\n`,
    );
  }
  return { ok: true, accessKeyId, signedHeaders };
}

function refuse(status: number, code: string, message: string): SigV4Verdict {
  return { ok: false, status, code, message };
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

/**
 * The path normalised (RFC 3986: no empty, `.` or `..` segments), each segment URI-encoded once more
 * than on the wire: AWS encodes twice for every service but S3, and the wire form is the first.
 */
function canonicalUri(url: string): string {
  const path = url.split('?')[0]!;
  const segments: string[] = [];
  for (const s of path.split('/')) {
    if (s === '' || s === '.') continue;
    if (s === '..') segments.pop();
    else segments.push(uriEncode(s));
  }
  const trailing = segments.length > 0 && path.endsWith('/') ? '/' : '';
  return `/${segments.join('/')}${trailing}`;
}

function canonicalQuery(url: string): string {
  const q = url.includes('?') ? url.slice(url.indexOf('?') + 1) : '';
  if (q === '') return '';
  const pairs = q.split('&').map((p) => {
    const [k = '', v = ''] = p.split('=', 2);
    return [uriEncode(decodeURIComponent(k)), uriEncode(decodeURIComponent(v))] as const;
  });
  pairs.sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

/** RFC 3986 percent-encoding: everything but unreserved characters, hex in capitals. */
function uriEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}
