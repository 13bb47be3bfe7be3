// `tls: {...}`: handshakes with the target's edges — one per hostname, edge
// address and offered version the options expand to — each judged by the
// step's `expect: {tls: ...}` and recorded with its certificate evidence.
import { z } from 'zod';
import { parseDuration } from '../config/duration.js';
import { tlsExpectation } from '../config/expectSchema.js';
import { checkPath, duration, tlsVersion } from '../config/schemaParts.js';
import { stepError } from '../errors.js';
import { checkTls, type TlsObservation } from '../expect/tls.js';
import type { FailureRecord, TlsEndpointRecord } from '../record.js';
import { redact } from '../secrets.js';
import {
  handshake,
  RESUMPTION_SESSION_WAIT_MS,
  type HandshakeOptions,
  type HandshakeResult,
} from '../tls/handshake.js';
import { handshakeRecord } from '../tls/handshakeRecord.js';
import { sentSni, tlsEndpoints, type TlsEndpoint } from '../tls/tlsEndpoints.js';
import { missingTlsPromise, resolveTlsExpectation, type ResolvedTlsExpectation } from '../tls/tlsPromises.js';
import type { Step } from './index.js';
import type { StepContext, StepKind } from './stepKind.js';

/** `tls: {...}`: one handshake per hostname x edge address x protocol the options expand to. */
export const tlsStepSchema = z.strictObject({
  tls: z
    .strictObject({
      /** the name to verify and send as SNI (default: the target URL's hostname) */
      host: z.string().optional(),
      each_hostname: z.boolean().optional(),
      /** pin one edge address (default: the target's first) */
      address: z.string().optional(),
      each_edge: z.boolean().optional(),
      port: z.number().int().min(1).max(65_535).optional(),
      /** false sends no SNI; a name sends that name instead of host */
      sni: z.union([z.literal(false), z.string()]).optional(),
      alpn: z.union([z.literal('declared'), z.array(z.string().min(1).max(255)).min(1)]).optional(),
      /** offer exactly this version */
      version: tlsVersion.optional(),
      min_version: tlsVersion.optional(),
      max_version: tlsVersion.optional(),
      /** one handshake per version the target's tls.protocols accepts / refuses, offering exactly it */
      each_protocol: z.enum(['accepted', 'refused']).optional(),
      /** a second handshake offering the first one's session */
      resume: z.boolean().optional(),
      /** also GET this path (relative to the check path) on the same hostname and edge, for HSTS */
      request: checkPath.optional(),
      timeout: duration.optional(),
    })
    .refine((t) => !(t.host !== undefined && t.each_hostname), { message: 'use host or each_hostname, not both' })
    .refine((t) => !(t.address !== undefined && t.each_edge), { message: 'use address or each_edge, not both' })
    .refine(
      (t) => [t.version, t.each_protocol, t.min_version ?? t.max_version].filter((v) => v !== undefined).length <= 1,
      {
        message: 'use one of version, each_protocol, or min_version/max_version',
      },
    ),
  expect: z.strictObject({ tls: tlsExpectation.optional() }).optional(),
});
export type TlsStep = z.infer<typeof tlsStepSchema>;

/** Handshakes in flight at once per step: enough for many edges, gentle on one. */
const PARALLEL_HANDSHAKES = 4;

export const tlsStepKind: StepKind<TlsStep> = {
  kind: 'tls',
  accepts: (step: Step): step is TlsStep => 'tls' in step,
  needs: () => ['tls'],
  unmet: (step, target) => missingTlsPromise(step.tls, step.expect?.tls, target.tls ?? {}, target.name),
  async run(step, ctx) {
    const promises = ctx.target.tls ?? {};
    const expected = resolveTlsExpectation(step.expect?.tls ?? {}, promises);
    let endpoints: TlsEndpoint[];
    try {
      endpoints = await tlsEndpoints(step.tls, ctx.target, promises);
    } catch (err) {
      return { kind: 'tls', error: stepError(err), failures: [] };
    }
    const observe = (endpoint: TlsEndpoint) => observeEndpoint(endpoint, step, expected, ctx);
    const results = await inBatches(endpoints, PARALLEL_HANDSHAKES, observe);
    return {
      kind: 'tls',
      tls: { endpoints: results.map((r) => r.record) },
      failures: results.flatMap((r) => r.failures),
    };
  },
};

async function observeEndpoint(
  endpoint: TlsEndpoint,
  step: TlsStep,
  expected: ResolvedTlsExpectation,
  ctx: StepContext,
): Promise<{ record: TlsEndpointRecord; failures: FailureRecord[] }> {
  const ownTimeoutMs = step.tls.timeout !== undefined ? parseDuration(step.tls.timeout) : undefined;
  const timeoutMs = ownTimeoutMs ?? ctx.defaultTimeoutMs;
  const ca = ctx.target.tls?.ca;
  const options: HandshakeOptions = {
    host: endpoint.host,
    port: endpoint.port,
    timeoutMs,
    ...(endpoint.address === undefined ? {} : { address: endpoint.address }),
    ...(endpoint.sni === undefined ? {} : { sni: endpoint.sni }),
    ...(endpoint.alpn ? { alpn: endpoint.alpn } : {}),
    ...(endpoint.minVersion ? { minVersion: endpoint.minVersion } : {}),
    ...(endpoint.maxVersion ? { maxVersion: endpoint.maxVersion } : {}),
    ...(ca ? { ca } : {}),
  };
  const first = await handshake(step.tls.resume ? { ...options, sessionWaitMs: RESUMPTION_SESSION_WAIT_MS } : options);
  const obs: TlsObservation = { label: endpoint.label, host: endpoint.host, handshake: first };
  if (step.tls.resume) obs.resumption = await tryResumption(options, first);
  if (expected.sni_required !== undefined) {
    obs.withoutSni = endpoint.sni === false ? first : await handshake({ ...options, sni: false });
  }
  if (step.tls.request) obs.hsts = await httpsAnswer(endpoint, step.tls.request, timeoutMs, ctx);

  const failures = checkTls(expected, obs);
  const record: TlsEndpointRecord = {
    host: endpoint.host,
    ...(endpoint.address === undefined ? {} : { address: endpoint.address }),
    port: endpoint.port,
    sni: sentSni(endpoint),
    offered: {
      ...(endpoint.alpn ? { alpn: endpoint.alpn } : {}),
      ...(endpoint.minVersion ? { min_version: endpoint.minVersion } : {}),
      ...(endpoint.maxVersion ? { max_version: endpoint.maxVersion } : {}),
    },
    handshake: handshakeRecord(first),
    ...(obs.resumption && 'result' in obs.resumption ? { resumption: handshakeRecord(obs.resumption.result) } : {}),
    ...(obs.resumption && obs.resumption.tries > 1 ? { resumption_tries: obs.resumption.tries } : {}),
    ...(obs.withoutSni && endpoint.sni !== false ? { without_sni: handshakeRecord(obs.withoutSni) } : {}),
    ...(obs.hsts ? { hsts: obs.hsts } : {}),
    passed: failures.length === 0,
  };
  return { record, failures };
}

/** GET `path` (under the check's path) on this hostname and edge address, for its Strict-Transport-Security. */
async function httpsAnswer(
  endpoint: TlsEndpoint,
  path: string,
  timeoutMs: number,
  ctx: StepContext,
): Promise<TlsObservation['hsts']> {
  const url = new URL(ctx.target.url.href);
  url.protocol = 'https:';
  url.hostname = endpoint.host;
  url.port = String(endpoint.port);
  url.pathname = ctx.checkKey + path.slice(1);
  try {
    const address = endpoint.address ? { address: endpoint.address } : {};
    const res = await ctx.target.http.send({ method: 'GET', url, timeoutMs, ...address });
    const hsts = res.headers['strict-transport-security'];
    return { status: res.status, header: typeof hsts === 'string' ? hsts : null };
  } catch (err) {
    return { error: redact((err as Error).message) };
  }
}

async function inBatches<T, R>(items: T[], size: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map(work))));
  return out;
}

/**
 * A loaded machine or a busy edge can miss one ticket (TLS 1.3 sends it after the handshake) or one resumption;
 * an edge that does not resume misses every try, so a few tries make the verdict the edge's, not the moment's.
 */
export const RESUMPTION_TRIES = 3;

/** Offers the first handshake's session; when no resumption came of it, starts over with a fresh full handshake. */
async function tryResumption(
  options: HandshakeOptions,
  first: HandshakeResult,
): Promise<NonNullable<TlsObservation['resumption']>> {
  let source = first;
  for (let tries = 1; ; tries++) {
    if (!source.ok) return { skipped: 'no first handshake to resume', tries };
    if (!source.session) {
      const skipped = { skipped: 'the server gave no session to resume (no ticket, no session ID)', tries };
      if (tries === RESUMPTION_TRIES) return skipped;
    } else {
      const result = await handshake({ ...options, session: source.session });
      if ((result.ok && result.resumed) || tries === RESUMPTION_TRIES) return { result, tries };
    }
    source = await handshake({ ...options, sessionWaitMs: RESUMPTION_SESSION_WAIT_MS });
  }
}
