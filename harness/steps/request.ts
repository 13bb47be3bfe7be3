// get / head / post / request: one HTTP request through the edge, observed
// from both sides — the response, and the probe origin's log of what reached it.
import { setTimeout as delay } from 'node:timers/promises';
import { z } from 'zod';
import { parseDuration } from '../config/duration.js';
import { expectSchema } from '../config/expectSchema.js';
import { checkPath, duration, headerName, headerText } from '../config/schemaParts.js';
import { HttpProtocolError, stepError } from '../errors.js';
import { checkExpectations } from '../expect/index.js';
import { claimAgrees, servedFrom } from '../expect/servedBy.js';
import type { Observation } from '../expect/observation.js';
import type { WireRequest, WireResponse } from '../http/client.js';
import type { SignedRecord, StepRecord } from '../record.js';
import { redact, redactHeaders } from '../secrets.js';
import type { Step } from './index.js';
import { signStepUrl, signUnmet, signOptionSchema } from './signOption.js';
import type { StepContext, StepKind } from './stepKind.js';

const requestFields = {
  query: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
  headers: z.record(headerName, z.union([headerText, z.number()])).optional(),
  route: z.string().optional(),
  host: z.string().optional(),
  address: z.string().optional(),
  scheme: z.enum(['http', 'https']).optional(),
  body: z.string().optional(),
  follow_redirects: z.boolean().optional(),
  timeout: duration.optional(),
  from: z.string().optional(),
  expect: expectSchema.optional(),
  /** the URL signed (or cookies made) with the target's signing scheme, perhaps broken on purpose */
  sign: signOptionSchema.optional(),
};

/** `get:`, `head:`, `post:`, or `request:` with `method:` — the key names the method. */
export const requestStepSchemas = [
  z.strictObject({ get: checkPath, ...requestFields }),
  z.strictObject({ head: checkPath, ...requestFields }),
  z.strictObject({ post: checkPath, ...requestFields }),
  z.strictObject({
    request: checkPath,
    method: z.string().regex(/^[A-Z]+$/, { message: 'expected an HTTP method in upper case' }),
    ...requestFields,
  }),
] as const;
export type RequestStep = z.infer<(typeof requestStepSchemas)[number]>;

const MAX_REDIRECTS = 5;
/**
 * Long enough for a loopback or LAN background fetch; the log is read once,
 * after it. Behind a real CDN a target sets its own (`origin.settle`).
 */
const ORIGIN_LOG_SETTLE_MS = 50;

export const requestStep: StepKind<RequestStep> = {
  kind: 'request',
  accepts: (step: Step): step is RequestStep => 'get' in step || 'head' in step || 'post' in step || 'request' in step,
  needs(step) {
    const needs: string[] = [];
    // hit or miss, and what the origin was sent, are the origin log's to say
    if (step.expect?.served_by !== undefined || step.expect?.origin_request !== undefined) needs.push('origin');
    if (step.route) needs.push(`route:${step.route}`);
    if (step.sign !== undefined || step.expect?.denial !== undefined) needs.push('signing');
    if (step.expect?.origin_request?.signature_stripped !== undefined) needs.push('signing');
    return needs;
  },
  unmet(step, target) {
    const signing = target.signing;
    if (step.sign !== undefined) {
      const reason = signUnmet(step.sign, signing);
      if (reason) return reason;
    }
    if (step.expect?.origin_request?.signature_stripped !== undefined && signing && !signing.supports.strips) {
      return `the ${signing.name} scheme does not promise to remove its parameters before the origin`;
    }
    return undefined;
  },
  async run(step, ctx) {
    const { method, path, kind } = methodAndPath(step);
    const wire = buildRequest(step, method, path, ctx);
    const signing = ctx.target.signing;
    let signedHow: SignedRecord | undefined;
    if (step.sign !== undefined && signing) {
      const { signed, record: signedRecord } = signStepUrl(step.sign, wire.url, signing, ctx.check);
      signedHow = signedRecord;
      wire.url = signed.url;
      const cookies = Object.entries(signed.cookies ?? {}).map(([k, v]) => `${k}=${v}`);
      const headers = (wire.headers ??= {});
      if (cookies.length) headers.cookie = [headers.cookie, ...cookies].filter(Boolean).join('; ');
    }
    const record: StepRecord = {
      kind,
      request: { method, url: redact(wire.url.href), ...(wire.address ? { address: wire.address } : {}) },
      ...(signedHow ? { signed: signedHow } : {}),
      failures: [],
    };
    const origin = ctx.target.origin;
    const before = origin ? ((await origin.log(ctx.checkKey)).at(-1)?.seq ?? 0) : 0;
    let response: WireResponse;
    try {
      response = await send(ctx, wire, step.follow_redirects ?? false);
    } catch (err) {
      record.error = stepError(err);
      if (step.expect) {
        record.failures.push({ expectation: 'response', expected: 'an HTTP response', actual: record.error.message });
      }
      return record;
    }
    // let a background fetch the request set off (grace, stale-while-revalidate) land in the log
    const settle = ctx.target.config.origin?.settle;
    const settleMs = settle === undefined ? ORIGIN_LOG_SETTLE_MS : (parseDuration(settle) ?? ORIGIN_LOG_SETTLE_MS);
    if (origin) await delay(settleMs, undefined, { signal: ctx.signal });
    const originEntries = origin ? (await origin.log(ctx.checkKey)).filter((e) => e.seq > before) : undefined;
    const claim = ctx.target.cacheStatus.read(response.headers);
    const obs: Observation = { response, ...(originEntries ? { originEntries } : {}), ...(claim ? { claim } : {}) };
    if (signing) {
      obs.denial = signing.hasDenials ? (signing.denial(response.status, response.body) ?? null) : 'unstated';
      obs.signingParameters = [...new Set([false, true].flatMap((c) => Object.values(signing.parts(c))))];
      if (typeof obs.denial === 'object' && obs.denial) record.denial = obs.denial;
    }

    record.response = { status: response.status, headers: redactHeaders(response.headers) };
    record.duration_ms = Math.round(response.durationMs);
    if (originEntries) {
      record.origin_seen = originEntries.length > 0;
      record.served_by = servedFrom(obs);
      record.origin_requests = originEntries.map((e) => ({
        method: e.method,
        url: redact(e.url),
        headers: redactHeaders(e.headers),
        ...(e.sni ? { sni: e.sni } : {}),
        ...(e.certificate_names ? { certificate_names: e.certificate_names } : {}),
      }));
    }
    if (claim) {
      record.cache_claim = {
        claim: claim.claim,
        evidence: redact(claim.evidence),
        ...(originEntries ? { agrees_with_origin: claimAgrees(claim.claim, obs) } : {}),
      };
    }
    record.failures = checkExpectations(step.expect, obs);
    return record;
  },
};

function methodAndPath(step: RequestStep): { method: string; path: string; kind: string } {
  if ('get' in step) return { method: 'GET', path: step.get, kind: 'get' };
  if ('head' in step) return { method: 'HEAD', path: step.head, kind: 'head' };
  if ('post' in step) return { method: 'POST', path: step.post, kind: 'post' };
  return { method: step.method, path: step.request, kind: 'request' };
}

function buildRequest(step: RequestStep, method: string, path: string, ctx: StepContext): WireRequest {
  const { target } = ctx;
  const base = step.scheme === 'http' ? (target.httpUrl ?? withScheme(target.url, 'http')) : target.url;
  const routePath = target.routes[step.route ?? 'default']?.path ?? '/';
  const url = new URL(base.href);
  if (step.host) url.hostname = step.host;
  url.pathname = routePath.replace(/\/$/, '') + ctx.checkKey + path.slice(1);
  for (const [k, v] of Object.entries(step.query ?? {})) url.searchParams.append(k, String(v));
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(step.headers ?? {})) headers[k.toLowerCase()] = String(v);
  const address = step.address ?? target.addresses[0];
  return {
    method,
    url,
    headers,
    ...(step.body !== undefined ? { body: step.body } : {}),
    ...(address ? { address } : {}),
    ...(step.from ? { localAddress: step.from } : {}),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    timeoutMs: (step.timeout !== undefined ? parseDuration(step.timeout) : undefined) ?? ctx.defaultTimeoutMs,
  };
}

function withScheme(url: URL, scheme: 'http'): URL {
  const u = new URL(url.href);
  u.protocol = `${scheme}:`;
  return u;
}

async function send(ctx: StepContext, wire: WireRequest, follow: boolean): Promise<WireResponse> {
  let res = await ctx.target.http.send(wire);
  let current = wire;
  for (let hops = 0; follow && hops < MAX_REDIRECTS && res.status >= 300 && res.status < 400; hops++) {
    const location = res.headers['location'];
    if (typeof location !== 'string' || location === '') break;
    const method = res.status === 303 ? 'GET' : current.method;
    current = { ...current, method, url: redirectTarget(location, current) };
    res = await ctx.target.http.send(current);
  }
  return res;
}

function redirectTarget(location: string, from: WireRequest): URL {
  try {
    return new URL(location, from.url);
  } catch (err) {
    const where = `${from.method} ${from.url.href}`;
    throw new HttpProtocolError(`${where}: a redirect to ${JSON.stringify(location)}, which is not a URL`, err);
  }
}
