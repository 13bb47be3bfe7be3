// Fastly's purge API: one URL purge per hostname and path, or surrogate keys purged per service,
// hard or soft, with the API token in Fastly-Key; a throttled call waits as Fastly asks, within bounds.
import { setTimeout as delay } from 'node:timers/promises';
import { Agent, request } from 'undici';
import { z } from 'zod';
import { redact, registerSecret } from '../secrets.js';
import {
  InvalidationRefused,
  type InvalidationHandle,
  type InvalidationProvider,
  type InvalidationRequest,
  type InvalidationStatus,
  type ProviderKind,
  type ProviderTarget,
} from './provider.js';
import { chunks, flatHeaders, retryAfterMs } from './providerApi.js';

const NAME = 'fastly';
const DEFAULT_API = 'https://api.fastly.com';
/** "Up to 256 surrogate keys can be purged in one batch request" (Fastly API reference, bulk purge) */
const MAX_KEYS_PER_BATCH = 256;
const MAX_ATTEMPTS = 5;
const FIRST_BACKOFF_MS = 500;
/** a throttled call is not worth holding a check longer than this: a longer wait asked for is a refusal */
const MAX_WAIT_MS = 60_000;
const CALL_TIMEOUT_MS = 30_000;

export const fastlySchema = z.strictObject({
  provider: z.literal(NAME),
  service_id: z.string().regex(/^[A-Za-z0-9]+$/, { message: 'expected the service ID (letters and digits)' }),
  /** an API token with purge_select scope, sent as Fastly-Key */
  token: z.string().min(1),
  /** the API's base URL; a stand-in's in tests */
  api: z.url({ protocol: /^https?$/ }).optional(),
});
export type FastlyConfig = z.infer<typeof fastlySchema>;

export const fastlyProvider: ProviderKind<typeof fastlySchema> = {
  name: NAME,
  schema: fastlySchema,
  supports: { by: ['url', 'tag'], soft: true },
  create: (config, target) => new FastlyPurge(config, target),
};

interface ApiCall {
  path: string;
  headers: Record<string, string>;
}

interface ApiAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

class FastlyPurge implements InvalidationProvider {
  private readonly api: string;
  private readonly dispatcher = new Agent({ connections: 4 });

  constructor(
    private readonly config: FastlyConfig,
    private readonly target: ProviderTarget,
  ) {
    this.api = (config.api ?? DEFAULT_API).replace(/\/+$/, '');
    // a token written into targets.yaml in clear is still a credential
    registerSecret(config.token);
  }

  async invalidate(req: InvalidationRequest): Promise<InvalidationHandle> {
    const headers: Record<string, string> = { 'fastly-key': this.config.token, accept: 'application/json' };
    // "If present, this header triggers the purge to be 'soft'": stale rather than gone
    if (req.soft) headers['fastly-soft-purge'] = '1';
    const calls = this.calls(req, headers);
    const ids: string[] = [];
    for (const [i, call] of calls.entries()) {
      const answer = await this.send(call, req.signal, progress(i, calls.length, ids));
      ids.push(...purgeIds(answer.body));
    }
    const what = req.by === 'url' ? `${calls.length} URL purge(s)` : `${req.tags.length} surrogate key(s)`;
    return { id: ids.join(','), detail: `Fastly accepted ${what}${req.soft ? ', soft' : ''}` };
  }

  async status(_handle: InvalidationHandle, _signal: AbortSignal): Promise<InvalidationStatus> {
    // Fastly's purges are instant by design and its API has no purge status to ask for: polling decides
    return { state: 'unknown', detail: 'Fastly offers no purge status; its purges apply within moments' };
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }

  /** The API calls a request takes, refused before any is sent if Fastly could not express it. */
  private calls(req: InvalidationRequest, headers: Record<string, string>): ApiCall[] {
    if (req.by === 'url') {
      if (req.paths.length === 0) throw new InvalidationRefused(NAME, 'no paths to purge');
      const wild = req.paths.find((p) => p.includes('*'));
      if (wild) throw new InvalidationRefused(NAME, `a URL purge takes no wildcard (${wild}): purge by tag instead`);
      // "POST /purge/{cached_url}", the URL without its scheme: Fastly's cache key is host and path
      return this.target.hostnames.flatMap((host) => req.paths.map((p) => ({ path: `/purge/${host}${p}`, headers })));
    }
    if (req.by === 'tag') {
      if (req.tags.length === 0) throw new InvalidationRefused(NAME, 'no surrogate keys to purge');
      const odd = req.tags.find((k) => k === '' || /\s/.test(k));
      if (odd !== undefined) {
        throw new InvalidationRefused(NAME, `"${odd}" is not a surrogate key (keys are separated by spaces)`);
      }
      const service = `/service/${encodeURIComponent(this.config.service_id)}/purge`;
      const [only] = req.tags;
      if (req.tags.length === 1 && only) return [{ path: `${service}/${encodeURIComponent(only)}`, headers }];
      return chunks(req.tags, MAX_KEYS_PER_BATCH).map((keys) => ({
        path: service,
        headers: { ...headers, 'surrogate-key': keys.join(' ') },
      }));
    }
    throw new InvalidationRefused(NAME, 'Fastly has no prefix purge: purge by url, or by tag (surrogate key)');
  }

  /** One POST, again while Fastly throttles it (429), waiting as long as it says. */
  private async send({ path, headers }: ApiCall, signal: AbortSignal, before: string): Promise<ApiAnswer> {
    const where = `POST ${this.api}${path}`;
    for (let attempt = 1; ; attempt++) {
      const answer = await this.post(`${this.api}${path}`, headers, signal);
      if (answer.status >= 200 && answer.status < 300) return answer;
      const words = `${where}: HTTP ${answer.status}: ${fastlyWords(answer)}${before}`;
      if (answer.status !== 429) throw new InvalidationRefused(NAME, redact(words));
      const wait = throttleWaitMs(answer.headers, attempt);
      if (attempt >= MAX_ATTEMPTS) throw new InvalidationRefused(NAME, redact(`${words} (throttled ${attempt} times)`));
      if (wait > MAX_WAIT_MS) throw new InvalidationRefused(NAME, redact(`${words} (asked to wait ${wait} ms)`));
      await delay(wait, undefined, { signal });
    }
  }

  private async post(url: string, headers: Record<string, string>, signal: AbortSignal): Promise<ApiAnswer> {
    try {
      const res = await request(url, {
        method: 'POST',
        headers,
        dispatcher: this.dispatcher,
        signal: AbortSignal.any([signal, AbortSignal.timeout(CALL_TIMEOUT_MS)]),
      });
      return { status: res.statusCode, headers: flatHeaders(res.headers), body: await res.body.text() };
    } catch (err) {
      // the step's own stop is not Fastly's failure: let it end the step as any stopped step ends
      if (signal.aborted) throw err;
      const e = err as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
      const timedOut = e.name === 'TimeoutError';
      const cause = e.cause ?? e;
      const why = timedOut ? `no answer within ${CALL_TIMEOUT_MS} ms` : `${cause.code ?? cause.name}: ${cause.message}`;
      throw new InvalidationRefused(NAME, redact(`POST ${url}: ${why}`));
    }
  }
}

/** Fastly's own words for a refusal: `msg` and `detail`, or the problem-details `title`, else the body. */
function fastlyWords(answer: ApiAnswer): string {
  try {
    const body = JSON.parse(answer.body) as { msg?: unknown; detail?: unknown; title?: unknown };
    const msg = typeof body.msg === 'string' ? body.msg : typeof body.title === 'string' ? body.title : undefined;
    const detail = typeof body.detail === 'string' ? body.detail : undefined;
    if (msg !== undefined || detail !== undefined) return [msg, detail && `(${detail})`].filter(Boolean).join(' ');
  } catch {
    // not JSON: a proxy's page, say; its first words are all there is
  }
  return answer.body.trim().slice(0, 200) || '(no body)';
}

/** A URL or key purge answers {"status":"ok","id":...}; a batch answers {key: id, ...}. */
function purgeIds(body: string): string[] {
  try {
    const parsed = JSON.parse(body) as Record<string, unknown>;
    if (typeof parsed.id === 'string') return [parsed.id];
    return Object.values(parsed).filter((v): v is string => typeof v === 'string');
  } catch {
    return [];
  }
}

function progress(done: number, total: number, ids: string[]): string {
  return done === 0 ? '' : `; ${done} of ${total} calls were accepted before (${ids.join(',')})`;
}

/** How long Fastly asks to wait: Retry-After, else its rate-limit window's reset, else a doubling backoff. */
export function throttleWaitMs(headers: Record<string, string>, attempt: number, now = Date.now()): number {
  const asked = retryAfterMs(headers['retry-after'], now);
  if (asked !== undefined) return asked;
  const reset = headers['fastly-ratelimit-reset'];
  if (reset !== undefined && /^\d+$/.test(reset)) return Math.max(0, Number(reset) * 1000 - now);
  return FIRST_BACKOFF_MS * 2 ** (attempt - 1);
}
