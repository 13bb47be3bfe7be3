// get / head / post / request: one HTTP request through the edge, observed
// from both sides — the response, and the probe origin's log of what reached it.
import { setTimeout as delay } from 'node:timers/promises';
import { z } from 'zod';
import { parseDuration } from '../config/duration.js';
import { expectSchema } from '../config/expectSchema.js';
import { checkPath, duration, headerName, headerText } from '../config/schemaParts.js';
import { stepError } from '../errors.js';
import { checkExpectations } from '../expect/index.js';
import { claimAgrees, servedFrom } from '../expect/servedBy.js';
import type { Observation, RedirectContext } from '../expect/observation.js';
import type { WireRequest } from '../http/client.js';
import type { FailureRecord, SignedRecord, StepRecord } from '../record.js';
import type { OpenTarget } from '../target/openTarget.js';
import { DEFAULT_MAX_HOPS, sendFollowing, type Followed } from './followRedirects.js';
import { isViewerWord, ruleFor, viewerAddress } from './viewerLocation.js';
import { redact, redactHeaders } from '../secrets.js';
import type { Step } from './index.js';
import { routeLock } from './routeLock.js';
import { signStepUrl, signUnmet, signOptionSchema } from './signOption.js';
import type { StepContext, StepKind } from './stepKind.js';

const requestFields = {
  query: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
  headers: z.record(headerName, z.union([headerText, z.number()])).optional(),
  route: z.string().optional(),
  host: z.string().optional(),
  address: z.string().optional(),
  scheme: z.enum(['http', 'https']).optional(),
  /** appended to the query as written, byte for byte (percent-escapes, repeated keys, empty values kept) */
  query_string: z.string().optional(),
  body: z.string().optional(),
  /** follow redirects as a browser does, keeping every hop; a loop or more than max_hops (default 10) fails */
  follow_redirects: z.union([z.boolean(), z.strictObject({ max_hops: z.number().int().min(1).max(50) })]).optional(),
  /** the same request once per hostname of the target, and/or once per edge address, each judged on its own */
  each_hostname: z.boolean().optional(),
  each_edge: z.boolean().optional(),
  timeout: duration.optional(),
  /** the local source address, or `declared_viewer`, `other_viewer`, `viewer_in:XX` (steps/viewerLocation.ts) */
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

/**
 * Long enough for a loopback or LAN background fetch; the log is read once,
 * after it. Behind a real CDN a target sets its own (`origin.settle`).
 */
const ORIGIN_LOG_SETTLE_MS = 50;
/** Without an origin log to wait for: long enough for undici to drop a connection for bytes after an answer. */
const BYTES_AFTER_SETTLE_MS = 20;

export const requestStep: StepKind<RequestStep> = {
  kind: 'request',
  accepts: (step: Step): step is RequestStep => 'get' in step || 'head' in step || 'post' in step || 'request' in step,
  needs(step) {
    const needs: string[] = [];
    // hit or miss, and what the origin was sent, are the origin log's to say
    const expect = step.expect;
    if (expect?.served_by !== undefined || expect?.origin_request !== undefined || expect?.origin_connections) {
      needs.push('origin');
    }
    if (step.route) needs.push(`route:${step.route}`);
    if (step.sign !== undefined || step.expect?.denial !== undefined) needs.push('signing');
    if (step.expect?.origin_request?.signature_stripped !== undefined) needs.push('signing');
    return needs;
  },
  unmet(step, target) {
    const redirects = redirectsUnmet(step, target);
    if (redirects) return redirects;
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
    if (!step.each_hostname && !step.each_edge) return runOne(step, ctx);
    // one request per hostname and/or edge address, in turn: a record for each, failures named by where
    const hosts = step.each_hostname ? ctx.target.hostnames : [step.host];
    const addresses = step.each_edge && ctx.target.addresses.length ? ctx.target.addresses : [step.address];
    const each: StepRecord[] = [];
    const failures: FailureRecord[] = [];
    for (const host of hosts) {
      for (const address of addresses) {
        const { each_hostname: _h, each_edge: _e, ...one } = step;
        const record = await runOne({ ...one, ...(host ? { host } : {}), ...(address ? { address } : {}) }, ctx);
        each.push(record);
        const where = [host, address].filter(Boolean).join(' via ');
        failures.push(...record.failures.map((f) => ({ ...f, expectation: `${f.expectation} (${where})` })));
        if (record.error && !record.failures.length) {
          failures.push({
            expectation: `response (${where})`,
            expected: 'an HTTP response',
            actual: record.error.message,
          });
        }
      }
    }
    return { kind: methodAndPath(step).kind, each, failures };
  },
};

async function runOne(step: RequestStep, ctx: StepContext): Promise<StepRecord> {
  // counting a listener's connections is only this step's count while no other request uses the route
  const lock = routeLock(ctx.target, step.route ?? 'default');
  const release = await (step.expect?.origin_connections ? lock.exclusive() : lock.shared());
  try {
    return await runOneLocked(step, ctx);
  } finally {
    release();
  }
}

async function runOneLocked(step: RequestStep, ctx: StepContext): Promise<StepRecord> {
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
  const countsConnections = origin && step.expect?.origin_connections;
  const connectionsBefore = countsConnections ? await origin.connections() : undefined;
  let followed: Followed;
  try {
    const follow = step.follow_redirects;
    followed = await sendFollowing(ctx, wire, follow ? (follow === true ? DEFAULT_MAX_HOPS : follow.max_hops) : false);
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
  // (and a connection undici drops for bytes after the answer is dropped a moment after it)
  await delay(origin ? settleMs : BYTES_AFTER_SETTLE_MS, undefined, { signal: ctx.signal });
  const originEntries = origin ? (await origin.log(ctx.checkKey)).filter((e) => e.seq > before) : undefined;
  const { response, hops, problem } = followed;
  const claim = ctx.target.cacheStatus.read(response.headers);
  const obs: Observation = { response, ...(originEntries ? { originEntries } : {}), ...(claim ? { claim } : {}) };
  if (countsConnections && connectionsBefore) {
    obs.originConnections = connectionsDuring(
      countsConnections.listener,
      connectionsBefore,
      await origin.connections(),
    );
    record.origin_connections = obs.originConnections;
  }
  obs.request = { method, url: wire.url };
  if (hops) {
    obs.hops = hops;
    record.redirects = hops.map((h) => ({ ...h, ...(h.location ? { location: redact(h.location) } : {}) }));
  }
  obs.redirectPromises = redirectContext(ctx.target, wire.localAddress);
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
  const overrun = ctx.target.http.bytesAfter(response);
  if (overrun) {
    record.error = { code: 'E_HTTP', message: redact(`${method} ${wire.url.href}: ${overrun}`) };
    record.failures.push({ expectation: 'response', expected: 'an answer as long as it says', actual: overrun });
  }
  if (problem) record.failures.push({ expectation: 'follow_redirects', expected: 'a final answer', actual: problem });
  return record;
}

/** What one fault listener accepted between two readings of the probe origin's totals. */
function connectionsDuring(
  listener: string,
  before: Record<string, number>,
  after: Record<string, number>,
): NonNullable<Observation['originConnections']> {
  const listeners = Object.keys(after);
  if (after[listener] === undefined) return { listener, listeners };
  return { listener, count: after[listener] - (before[listener] ?? 0), listeners };
}

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
  if (step.query_string !== undefined) {
    const raw = step.query_string.replace(/^\?/, '');
    url.search = url.search ? `${url.search}&${raw}` : `?${raw}`;
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(step.headers ?? {})) headers[k.toLowerCase()] = String(v);
  const address = step.address ?? target.addresses[0];
  return {
    method,
    url,
    headers,
    ...(step.body !== undefined ? { body: step.body } : {}),
    ...(address ? { address } : {}),
    ...(step.from ? { localAddress: sourceAddress(step.from, target) } : {}),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    timeoutMs: (step.timeout !== undefined ? parseDuration(step.timeout) : undefined) ?? ctx.defaultTimeoutMs,
  };
}

function withScheme(url: URL, scheme: 'http'): URL {
  const u = new URL(url.href);
  u.protocol = `${scheme}:`;
  return u;
}

/** A `from:` address, with the viewer words resolved (runs after `unmet`, so a word has its address). */
function sourceAddress(from: string, target: OpenTarget): string {
  if (!isViewerWord(from)) return from;
  const found = viewerAddress(from, target.redirects?.viewer_location);
  return 'address' in found ? found.address : from;
}

/** What `declared`, `canonical` and `viewer_location` stand for on this target, for this viewer. */
function redirectContext(target: OpenTarget, viewer: string | undefined): RedirectContext {
  const promises = target.redirects;
  const rule = viewer === undefined ? undefined : ruleFor(viewer, promises?.viewer_location);
  const https = target.url.protocol === 'https:' ? target.url : undefined;
  return {
    ...(promises?.https !== undefined ? { https: promises.https } : {}),
    ...(promises?.canonical_host !== undefined ? { canonicalHost: promises.canonical_host } : {}),
    ...(rule?.to ? { viewerLocation: rule.to } : {}),
    ports: { http: target.httpUrl?.port ?? '', https: https?.port ?? '' },
  };
}

/** Why the target cannot be held to the redirect promises the step names, if it cannot. */
function redirectsUnmet(step: RequestStep, target: OpenTarget): string | undefined {
  const promises = target.redirects;
  const expected = step.expect?.redirect;
  if (expected?.status === 'declared' && promises?.https === undefined) {
    return `needs redirects.https (the status plain HTTP gets); target '${target.name}' declares none`;
  }
  const location = expected?.location;
  const namesCanonical = (l: unknown) => typeof l === 'object' && l !== null && 'host' in l && l.host === 'canonical';
  if ((namesCanonical(location) || namesCanonical(expected?.ends_at)) && !promises?.canonical_host) {
    return `needs redirects.canonical_host; target '${target.name}' declares none`;
  }
  if (step.from !== undefined && isViewerWord(step.from)) {
    const found = viewerAddress(step.from, promises?.viewer_location);
    if ('reason' in found) return found.reason;
  }
  if (
    location === 'viewer_location' &&
    !promises?.viewer_location?.some((r) => r.from !== undefined && r.to !== undefined)
  ) {
    return `needs a viewer-location rule with a source address and a URL; target '${target.name}' declares none`;
  }
  return undefined;
}
