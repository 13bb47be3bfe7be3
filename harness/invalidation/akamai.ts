// Akamai Fast Purge v3 as an invalidation provider: URLs and cache tags, signed with EdgeGrid. Akamai estimates
// how long a purge takes but offers nothing to ask whether it is done, so status() is 'unknown' and polling decides.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import type { WireResponse } from '../http/client.js';
import { redact, registerSecret } from '../secrets.js';
import { edgegridAuthorization, edgegridTimestamp, parseEdgerc, type EdgercSection } from './edgegrid.js';
import {
  InvalidationRefused,
  type InvalidationProvider,
  type InvalidationRequest,
  type ProviderKind,
  type ProviderTarget,
} from './provider.js';
import { retryAfterMs } from './providerApi.js';

/**
 * `edgerc` is a path read as written (absolute or `~/…`): the provider is not told where targets.yaml is, and
 * a path relative to the working directory would change meaning with it. For a file beside targets.yaml,
 * `edgerc_text: ${file:./.edgerc}` resolves it there, as every other file reference does.
 * `action` is what a hard purge does; a soft one always invalidates (see methodFor).
 * `api` replaces https://{host} from the .edgerc (a stand-in, a proxy); the signature then covers its host.
 */
export const akamaiConfigSchema = z
  .strictObject({
    provider: z.literal('akamai'),
    edgerc: z
      .string()
      .refine((p) => p.startsWith('~/') || isAbsolute(p), {
        message:
          'edgerc is read as written: give an absolute path or ~/.edgerc; ' +
          'for a file beside targets.yaml write `edgerc_text: ${file:./.edgerc}`',
      })
      .optional(),
    edgerc_text: z.string().min(1).optional(),
    section: z.string().min(1).optional(),
    network: z.enum(['staging', 'production']).optional(),
    action: z.enum(['invalidate', 'delete']).optional(),
    cp_codes: z.array(z.number().int().positive()).min(1).optional(),
    api: z.url({ protocol: /^https?$/ }).optional(),
  })
  .refine((c) => (c.edgerc === undefined) !== (c.edgerc_text === undefined), {
    message: 'akamai needs exactly one of `edgerc` (a path) or `edgerc_text` (the file itself, as ${file:./.edgerc})',
  });

export type AkamaiConfig = z.infer<typeof akamaiConfigSchema>;

/** How long to keep asking when Akamai says it is busy (429 rate limit, 507 queue full). */
export interface RetryPolicy {
  /** requests in all, the first included */
  attempts: number;
  /** the first wait when Akamai names none; it doubles, with jitter, up to maxWaitMs */
  firstWaitMs: number;
  /** the longest single wait: a Retry-After beyond it is a refusal now, not a stalled check */
  maxWaitMs: number;
}

const DEFAULT_RETRY: RetryPolicy = { attempts: 5, firstWaitMs: 1000, maxWaitMs: 60_000 };
const BUSY = new Set([429, 507]);
const REQUEST_TIMEOUT_MS = 30_000;

export const akamaiProvider: ProviderKind<typeof akamaiConfigSchema> = {
  name: 'akamai',
  schema: akamaiConfigSchema,
  // no prefix: Fast Purge purges URLs, cache tags and CP codes only (a prefix of /* alone maps to cp_codes)
  supports: { by: ['url', 'tag'], soft: true },
  create: (config, target) => openFastPurge(config, target),
};

/** The provider with a retry policy of the caller's: tests wait milliseconds, not seconds. */
export function openFastPurge(
  config: AkamaiConfig,
  target: ProviderTarget,
  retry: RetryPolicy = DEFAULT_RETRY,
): InvalidationProvider {
  const edgerc = readEdgerc(config);
  const api = config.api ? new URL(config.api).origin : `https://${edgerc.host}`;
  const network = config.network ?? 'production';
  const accepted = new Map<string, { estimatedSeconds?: number; at: number }>();
  return {
    async invalidate(request) {
      const { type, objects } = purgeObjects(config, target, request);
      const url = new URL(`${api}/ccu/v3/${methodFor(config, request)}/${type}/${network}`);
      const answer = await submit(target, edgerc, url, JSON.stringify({ objects }), retry, request.signal);
      const { purgeId, estimatedSeconds, supportId, detail } = answer;
      accepted.set(purgeId, { estimatedSeconds, at: Date.now() });
      const estimate = estimatedSeconds === undefined ? 'no estimate' : `estimated ${estimatedSeconds} s`;
      const support = supportId ? `, supportId ${supportId}` : '';
      return {
        id: purgeId,
        detail: `${detail ?? 'accepted'}: ${url.pathname} with ${objects.length} objects, ${estimate}${support}`,
      };
    },
    async status(handle, signal) {
      signal.throwIfAborted();
      const known = accepted.get(handle.id);
      const none = 'Fast Purge offers no completion status';
      if (known?.estimatedSeconds === undefined) return { state: 'unknown', detail: none };
      const ago = ((Date.now() - known.at) / 1000).toFixed(1);
      return { state: 'unknown', detail: `${none}; Akamai estimated ${known.estimatedSeconds} s, ${ago} s ago` };
    },
  };
}

/**
 * Akamai's invalidate marks objects stale (the edge revalidates with If-Modified-Since): a soft purge is exactly
 * that, whatever `action` says. A hard one does `action`, invalidate unless the target asks for delete (which
 * drops the objects, refetched in full); invalidate is Akamai's default and what most purges should be.
 */
function methodFor(config: AkamaiConfig, request: InvalidationRequest): 'invalidate' | 'delete' {
  return request.soft ? 'invalidate' : (config.action ?? 'invalidate');
}

function purgeObjects(
  config: AkamaiConfig,
  target: ProviderTarget,
  request: InvalidationRequest,
): { type: 'url' | 'tag' | 'cpcode'; objects: Array<string | number> } {
  if (request.by === 'tag') {
    if (request.tags.length === 0) throw refused('no cache tags to invalidate');
    return { type: 'tag', objects: request.tags };
  }
  if (request.paths.length === 0) throw refused('no paths to invalidate');
  const bad = request.paths.find((p) => !p.startsWith('/'));
  if (bad !== undefined) throw refused(`a path must start with /: ${bad}`);
  if (request.by === 'prefix') {
    // a CP code is all of a property's content: the only prefix Fast Purge can express is everything
    if (config.cp_codes && request.paths.every((p) => p === '/*')) return { type: 'cpcode', objects: config.cp_codes };
    throw refused(
      'Fast Purge has no prefix purge (it takes URLs, cache tags and CP codes); ' +
        'a prefix of /* alone is sent as a CP code purge when the target sets cp_codes',
    );
  }
  // every name the target is served under: Akamai purges a URL per hostname, never a path alone
  const port = target.url.port ? `:${target.url.port}` : '';
  const hosts = [...new Set([target.url.hostname, ...target.hostnames])];
  const objects = hosts.flatMap((h) => request.paths.map((p) => `${target.url.protocol}//${h}${port}${p}`));
  return { type: 'url', objects };
}

function readEdgerc(config: AkamaiConfig): EdgercSection {
  const section = config.section ?? 'default';
  let text = config.edgerc_text;
  let source = 'edgerc_text';
  if (config.edgerc !== undefined) {
    source = config.edgerc.startsWith('~/') ? join(homedir(), config.edgerc.slice(2)) : config.edgerc;
    try {
      text = readFileSync(source, 'utf8');
    } catch (err) {
      throw new ConfigError(`akamai: cannot read the .edgerc ${source}: ${(err as NodeJS.ErrnoException).code}`);
    }
  }
  const edgerc = parseEdgerc(text ?? '', source, section);
  // the file's text may be a registered secret as a whole; its credentials must be, one by one
  for (const secret of [edgerc.clientSecret, edgerc.accessToken, edgerc.clientToken]) registerSecret(secret);
  return edgerc;
}

interface Accepted {
  purgeId: string;
  estimatedSeconds?: number;
  supportId?: string;
  detail?: string;
}

const acceptedAnswer = z.looseObject({
  purgeId: z.string().min(1),
  estimatedSeconds: z.number().optional(),
  supportId: z.string().optional(),
  detail: z.string().optional(),
});

const problemAnswer = z.looseObject({
  title: z.string().optional(),
  detail: z.string().optional(),
  supportId: z.string().optional(),
});

/** POST one purge, signed afresh for every attempt (a nonce is good once), waiting out 429 and 507. */
async function submit(
  target: ProviderTarget,
  edgerc: EdgercSection,
  url: URL,
  body: string,
  retry: RetryPolicy,
  signal: AbortSignal,
): Promise<Accepted> {
  for (let attempt = 1; ; attempt++) {
    signal.throwIfAborted();
    const authorization = edgegridAuthorization(
      edgerc,
      { method: 'POST', url, body },
      { timestamp: edgegridTimestamp(new Date()), nonce: randomUUID() },
    );
    const headers = { authorization, 'content-type': 'application/json', accept: 'application/json' };
    const sent = target.http.send({ method: 'POST', url, headers, body, timeoutMs: REQUEST_TIMEOUT_MS });
    const response = await untilAborted(
      sent.catch((err: Error) => {
        throw refused(`Fast Purge at ${url.origin} did not answer: ${err.message}`);
      }),
      signal,
    );
    if (response.status >= 200 && response.status < 300) {
      const answer = acceptedAnswer.safeParse(parseJson(response.body));
      if (answer.success) return answer.data;
      throw refused(`${response.status} without a purgeId: ${response.body.slice(0, 200)}`);
    }
    const problem = describeProblem(response);
    if (!BUSY.has(response.status)) throw refused(problem);
    if (attempt >= retry.attempts) throw refused(`${problem}; still refused after ${attempt} attempts`);
    const retryAfter = response.headers['retry-after'];
    const asked = retryAfterMs(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter);
    if (asked !== undefined && asked > retry.maxWaitMs) {
      const s = (ms: number) => `${Math.ceil(ms / 1000)} s`;
      throw refused(`${problem}; Akamai asks to retry in ${s(asked)}, longer than the ${s(retry.maxWaitMs)} waited`);
    }
    // full-ish jitter: purges from concurrent checks share one rate limit and should not retry in step
    const backoff = retry.firstWaitMs * 2 ** (attempt - 1) * (0.5 + Math.random() / 2);
    await sleep(asked ?? Math.min(backoff, retry.maxWaitMs), signal);
  }
}

/** Akamai's own words: `429 Rate Limit exceeded: detail (supportId …)`. */
function describeProblem(response: WireResponse): string {
  const problem = problemAnswer.safeParse(parseJson(response.body));
  if (!problem.success) return `${response.status}: ${response.body.slice(0, 200) || 'no body'}`;
  const { title, detail, supportId } = problem.data;
  const words = [title, detail].filter((w) => w !== undefined && w !== '').join(': ');
  return `${response.status} ${words || 'no detail'}${supportId ? ` (supportId ${supportId})` : ''}`;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

async function sleep(ms: number, signal: AbortSignal): Promise<void> {
  try {
    await delay(ms, undefined, { signal });
  } catch (err) {
    signal.throwIfAborted();
    throw err;
  }
}

/** The HTTP client takes no signal: stop waiting for it on abort (its own timeout ends the request). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** A refusal in Akamai's words, with any registered secret (a token echoed back) taken out. */
function refused(message: string): InvalidationRefused {
  return new InvalidationRefused('akamai', redact(message));
}
