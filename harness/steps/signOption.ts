// The `sign:` option of a request step: the step's URL signed with the target's
// scheme (or its cookies made), then broken the way the step asks (expired,
// not yet valid, tampered, an unknown key, a part left out), as an attacker or
// a stale link would present it. README.md "Signed URLs" describes the option.
import { z } from 'zod';
import { parseDuration } from '../config/duration.js';
import { UnmetNeed } from '../errors.js';
import type { SignedRecord } from '../record.js';
import { registerSecret } from '../secrets.js';
import { SIGNED_PARTS, type SignedPart, type SignedRequest } from '../signing/scheme.js';
import type { TargetSigning } from '../signing/index.js';
import type { CheckState } from './stepKind.js';

/** `30s`, `+1m`, `-5s`: an instant relative to when the step runs. */
const offset = z.string().regex(/^[+-]?\d+(\.\d+)?(ms|s|m|h|d)$/, {
  message: 'expected a time from now such as 30s, 5m, +1m or -5s (ms, s, m, h, d)',
});
const keptName = z.string().regex(/^[A-Za-z0-9_-]+$/, { message: 'expected a name of letters, digits, _ and -' });

export const signOptionSchema = z.union([
  z.literal(true),
  z.strictObject({
    /** when the signature expires, from now (default 5m); a past one is counted past the target's clock_skew */
    expires: offset.optional(),
    /** when it starts to be valid, from now; a future one is counted past the target's clock_skew */
    not_before: offset.optional(),
    /** the viewer address (or CIDR block) the signature is limited to */
    ip: z.string().min(1).optional(),
    /** in cookies rather than in the query */
    cookie: z.boolean().optional(),
    /** one part changed after signing, so the signature no longer covers what is sent */
    tamper: z.enum(['signature', 'policy', 'expires']).optional(),
    /** one part left out */
    omit: z.enum(SIGNED_PARTS).optional(),
    /** signed with a key the edge does not know */
    key: z.literal('unknown').optional(),
    /** keep this signed request under a name, for a later step's `reuse:` and `sleep: {past_expiry:}` */
    as: keptName.optional(),
    /** send a request signed by an earlier step (`as:`), unchanged */
    reuse: keptName.optional(),
  }),
]);
export type SignOption = z.infer<typeof signOptionSchema>;
type SignFields = Exclude<SignOption, true>;

/** A signed request a step kept by name, and when its signature stops being valid. */
export interface KeptSignature {
  signed: SignedRequest;
  expiresAt: Date;
  record: SignedRecord;
}

/** Why the target's scheme cannot do what the option asks, if it cannot: the check is skipped, saying so. */
export function signUnmet(option: SignOption, signing: TargetSigning | undefined): string | undefined {
  if (!signing || option === true || option.reuse !== undefined) return undefined;
  const { name, supports } = signing;
  if (option.not_before !== undefined && !supports.notBefore) return `the ${name} scheme has no start time`;
  if (option.ip !== undefined && !supports.ip) return `the ${name} scheme cannot limit a signature to an address`;
  if (option.cookie && !supports.cookie) return `the ${name} scheme has no signed cookies`;
  const parts = signing.parts(option.cookie ?? false);
  for (const part of [option.tamper, option.omit]) {
    if (part !== undefined && parts[part] === undefined) return `the ${name} scheme carries no separate ${part}`;
  }
  return undefined;
}

/**
 * The signed request for the step's URL: its URL (with the signature in the query) and the cookies to send.
 * Every signature and policy value made is registered as a secret, so no report shows one.
 */
export function signStepUrl(
  option: SignOption,
  url: URL,
  signing: TargetSigning,
  state: CheckState,
  now = Date.now(),
): { signed: SignedRequest; record: SignedRecord } {
  const fields: SignFields = option === true ? {} : option;
  if (fields.reuse !== undefined) {
    const kept = state.signatures?.get(fields.reuse);
    if (!kept) throw new UnmetNeed(`sign: reuse: ${fields.reuse}: no earlier step kept a signature under that name`);
    return { signed: kept.signed, record: { ...kept.record, reuse: fields.reuse } };
  }
  const skew = signing.clockSkewMs;
  const expiresIn = relative(fields.expires ?? '5m');
  // past instants go past the allowance, future start times too: what the edge may accept, it may accept
  const expiresAt = new Date(now + expiresIn - (expiresIn < 0 ? skew : 0));
  const notBeforeIn = fields.not_before === undefined ? undefined : relative(fields.not_before);
  const notBefore = notBeforeIn === undefined ? undefined : new Date(now + notBeforeIn + (notBeforeIn > 0 ? skew : 0));
  const signer = fields.key === 'unknown' ? signing.unknownKeySigner() : signing.signer;
  const cookie = fields.cookie ?? false;
  let signed = signer.sign({
    url,
    expiresAt,
    ...(notBefore ? { notBefore } : {}),
    ...(fields.ip !== undefined ? { ip: fields.ip } : {}),
    ...(cookie ? { cookie: true } : {}),
  });
  const parts = signing.parts(cookie);
  for (const part of ['signature', 'policy'] as const) {
    const value = partValue(signed, parts[part]);
    if (value !== undefined) registerSecret(value);
  }
  if (fields.tamper !== undefined) signed = tamper(signed, parts[fields.tamper], fields.tamper);
  if (fields.omit !== undefined) signed = omit(signed, parts[fields.omit]);
  // a tampered value is no less a signature than the one it came from
  for (const part of ['signature', 'policy'] as const) {
    const value = partValue(signed, parts[part]);
    if (value !== undefined) registerSecret(value);
  }
  const { expires: _e, not_before: _n, reuse: _r, ...how } = fields;
  const record: SignedRecord = {
    scheme: signing.name,
    expires_at: expiresAt.toISOString(),
    ...(notBefore ? { not_before: notBefore.toISOString() } : {}),
    ...how,
  };
  if (fields.as !== undefined) (state.signatures ??= new Map()).set(fields.as, { signed, expiresAt, record });
  return { signed, record };
}

function relative(text: string): number {
  const sign = text.startsWith('-') ? -1 : 1;
  return sign * (parseDuration(text.replace(/^[+-]/, '')) ?? 0);
}

function partValue(signed: SignedRequest, name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  return signed.cookies?.[name] ?? signed.url.searchParams.get(name) ?? undefined;
}

/** The request with one part's value replaced: in the cookies where it travels there, else in the query. */
function withPart(signed: SignedRequest, name: string, value: string | undefined): SignedRequest {
  if (signed.cookies && name in signed.cookies) {
    const cookies = { ...signed.cookies };
    if (value === undefined) delete cookies[name];
    else cookies[name] = value;
    return { url: signed.url, cookies };
  }
  // rebuilt by hand: URLSearchParams would re-encode every other value, and the signature covers their bytes
  const url = new URL(signed.url.href);
  const pairs = url.search.slice(1).split('&');
  const at = pairs.findIndex((p) => p === name || p.startsWith(`${name}=`));
  if (at === -1) return signed;
  if (value === undefined) pairs.splice(at, 1);
  else pairs[at] = `${name}=${value}`;
  url.search = pairs.length ? `?${pairs.join('&')}` : '';
  return { url, ...(signed.cookies ? { cookies: signed.cookies } : {}) };
}

function tamper(signed: SignedRequest, name: string | undefined, part: SignedPart): SignedRequest {
  const value = partValue(signed, name);
  if (name === undefined || value === undefined) {
    throw new UnmetNeed(`sign: tamper: ${part}: the signed request carries no ${part}`);
  }
  return withPart(signed, name, tampered(value, part));
}

/**
 * A value an attacker might send: an expiry an hour later; a policy or signature with one character
 * changed in its middle, in the same alphabet. Not near its end: a base64 value's last characters may
 * carry padding bits only, and a change there can decode to the very same bytes.
 */
function tampered(value: string, part: SignedPart): string {
  if (part === 'expires' && /^\d+$/.test(value)) return String(Number(value) + 3600);
  if (part === 'policy') {
    const extended = extendedPolicy(value);
    if (extended !== undefined) return extended;
  }
  let at = Math.floor(value.length / 2);
  while (at > 0 && !/[A-Za-z0-9]/.test(value[at]!)) at--;
  const c = value[at] ?? '';
  const swapped = c === 'A' ? 'B' : c === 'a' ? 'b' : c === '0' ? '1' : 'A';
  return value.slice(0, at) + swapped + value.slice(at + 1);
}

/**
 * A policy an attacker would write: still well-formed (CloudFront's base64 of JSON), valid an hour longer;
 * undefined when the value is no such policy.
 */
function extendedPolicy(value: string): string | undefined {
  const swap: Record<string, string> = { '-': '+', _: '=', '~': '/' };
  const back: Record<string, string> = { '+': '-', '=': '_', '/': '~' };
  const bytes = Buffer.from(
    value.replace(/[-_~]/g, (c) => swap[c]!),
    'base64',
  );
  let policy: { Statement?: Array<{ Condition?: { DateLessThan?: Record<string, unknown> } }> };
  try {
    policy = JSON.parse(bytes.toString('utf8')) as typeof policy;
  } catch {
    return undefined;
  }
  const until = policy?.Statement?.[0]?.Condition?.DateLessThan;
  if (typeof until?.['AWS:EpochTime'] !== 'number') return undefined;
  until['AWS:EpochTime'] += 3600;
  return Buffer.from(JSON.stringify(policy))
    .toString('base64')
    .replace(/[+=/]/g, (c) => back[c]!);
}

function omit(signed: SignedRequest, name: string | undefined): SignedRequest {
  return name === undefined ? signed : withPart(signed, name, undefined);
}

/** When a kept signature is surely refused: past its expiry, the clock skew, and the second it was rounded to. */
export function pastExpiryMs(kept: KeptSignature, signing: TargetSigning, now = Date.now()): number {
  return Math.max(0, kept.expiresAt.getTime() + signing.clockSkewMs + 1000 - now);
}
