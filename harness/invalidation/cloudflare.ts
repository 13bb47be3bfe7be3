// Cloudflare's cache purge API: files, prefixes or cache tags of one zone, split to the documented
// number per request, or invalidated (marked stale) for a soft purge; throttled calls wait as told.
import { setTimeout as delay } from 'node:timers/promises';
import { Agent, request } from 'undici';
import { z } from 'zod';
import { headerName, headerText } from '../config/schemaParts.js';
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

const NAME = 'cloudflare';
const DEFAULT_API = 'https://api.cloudflare.com/client/v4';
/**
 * Items per request. Files: 30 on Free, Pro and Business ("you may purge up to 30 URLs in one API
 * call"; Enterprise takes 500, but a zone's plan is not ours to know). Tags and prefixes: 100 each,
 * since the flex purge limit was raised from 30 (the purge cache "Availability and limits" table).
 */
const PER_REQUEST = { files: 30, prefixes: 100, tags: 100 } as const;
/** "Path separators are limited to 31 for a prefix" (purge by prefix, Limitations) */
const MAX_PREFIX_SEPARATORS = 31;
const MAX_ATTEMPTS = 5;
const FIRST_BACKOFF_MS = 500;
/** a throttled call is not worth holding a check longer than this: a longer wait asked for is a refusal */
const MAX_WAIT_MS = 60_000;
const CALL_TIMEOUT_MS = 30_000;

export const cloudflareSchema = z.strictObject({
  provider: z.literal(NAME),
  zone: z.string().regex(/^[0-9a-f]{32}$/, { message: 'expected the zone ID (32 hex digits), not the zone name' }),
  /** an API token with the Zone / Cache Purge permission, sent as Authorization: Bearer */
  token: z.string().min(1),
  /** the API's base URL, up to and including /client/v4; a stand-in's in tests */
  api: z.url({ protocol: /^https?$/ }).optional(),
  /** request headers the zone's cache key holds: a purge by URL must name the values the copy was cached under */
  cache_key_headers: z.record(headerName, headerText).optional(),
});
export type CloudflareConfig = z.infer<typeof cloudflareSchema>;

export const cloudflareProvider: ProviderKind<typeof cloudflareSchema> = {
  name: NAME,
  schema: cloudflareSchema,
  supports: { by: ['url', 'prefix', 'tag'], soft: true },
  create: (config, target) => new CloudflarePurge(config, target),
};

type File = string | { url: string; headers: Record<string, string> };
type PurgeBody = { files: File[] } | { prefixes: string[] } | { tags: string[] };

interface ApiAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

class CloudflarePurge implements InvalidationProvider {
  private readonly api: string;
  private readonly dispatcher = new Agent({ connections: 4 });

  constructor(
    private readonly config: CloudflareConfig,
    private readonly target: ProviderTarget,
  ) {
    this.api = (config.api ?? DEFAULT_API).replace(/\/+$/, '');
    // a token written into targets.yaml in clear is still a credential
    registerSecret(config.token);
  }

  async invalidate(req: InvalidationRequest): Promise<InvalidationHandle> {
    const bodies = this.bodies(req);
    // purge_cache drops the copies; invalidate_cache keeps them, stale, to be revalidated with the origin
    const endpoint = `/zones/${this.config.zone}/${req.soft ? 'invalidate_cache' : 'purge_cache'}`;
    const ids: string[] = [];
    for (const [i, body] of bodies.entries()) {
      const before = i === 0 ? '' : `; ${i} of ${bodies.length} requests were accepted before (${ids.join(',')})`;
      ids.push(await this.send(endpoint, body, req.signal, before));
    }
    const count = req.by === 'tag' ? req.tags.length : req.paths.length * this.target.hostnames.length;
    const what = `${req.soft ? 'an invalidation' : 'a purge'} of ${count} ${req.by}(s)`;
    return { id: ids.join(','), detail: `Cloudflare accepted ${what} in ${bodies.length} request(s)` };
  }

  async status(_handle: InvalidationHandle, _signal: AbortSignal): Promise<InvalidationStatus> {
    // the API answers once a purge is accepted and has nothing to ask about it afterwards: polling decides
    return { state: 'unknown', detail: 'Cloudflare offers no purge status; "Instant Purge" applies within moments' };
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }

  /** The request bodies a request takes, refused before any is sent if Cloudflare could not express it. */
  private bodies(req: InvalidationRequest): PurgeBody[] {
    const hosts = this.target.hostnames;
    if (req.by === 'tag') {
      if (req.tags.length === 0) throw new InvalidationRefused(NAME, 'no cache tags to purge');
      if (req.tags.some((t) => t.trim() === '')) throw new InvalidationRefused(NAME, 'an empty cache tag');
      return chunks(req.tags, PER_REQUEST.tags).map((tags) => ({ tags }));
    }
    if (req.paths.length === 0) throw new InvalidationRefused(NAME, 'no paths to purge');
    if (req.by === 'url') {
      const wild = req.paths.find((p) => p.includes('*'));
      if (wild) throw new InvalidationRefused(NAME, `a purge by URL takes no wildcard (${wild}): purge by prefix`);
      const headers = this.config.cache_key_headers;
      const urls = hosts.flatMap((host) => req.paths.map((p) => `https://${host}${p}`));
      // with a custom cache key, a URL alone names no cached copy: each file carries the key's headers
      const files: File[] = headers ? urls.map((url) => ({ url, headers })) : urls;
      return chunks(files, PER_REQUEST.files).map((part) => ({ files: part }));
    }
    const prefixes = hosts.flatMap((host) => req.paths.map((p) => prefixOf(host, p)));
    return chunks(prefixes, PER_REQUEST.prefixes).map((part) => ({ prefixes: part }));
  }

  /** One POST, again while Cloudflare throttles it (429), waiting as long as it says; returns the purge id. */
  private async send(endpoint: string, body: PurgeBody, signal: AbortSignal, before: string): Promise<string> {
    const url = `${this.api}${endpoint}`;
    for (let attempt = 1; ; attempt++) {
      const answer = await this.post(url, JSON.stringify(body), signal);
      const parsed = envelope(answer.body);
      if (answer.status >= 200 && answer.status < 300 && parsed?.success === true) return parsed.result?.id ?? '';
      const words = `POST ${url}: HTTP ${answer.status}: ${cloudflareWords(answer, parsed)}${before}`;
      if (answer.status !== 429) throw new InvalidationRefused(NAME, redact(words));
      const wait = retryAfterMs(answer.headers['retry-after']) ?? FIRST_BACKOFF_MS * 2 ** (attempt - 1);
      if (attempt >= MAX_ATTEMPTS) throw new InvalidationRefused(NAME, redact(`${words} (throttled ${attempt} times)`));
      if (wait > MAX_WAIT_MS) throw new InvalidationRefused(NAME, redact(`${words} (asked to wait ${wait} ms)`));
      await delay(wait, undefined, { signal });
    }
  }

  private async post(url: string, body: string, signal: AbortSignal): Promise<ApiAnswer> {
    try {
      const res = await request(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.config.token}`, 'content-type': 'application/json' },
        body,
        dispatcher: this.dispatcher,
        signal: AbortSignal.any([signal, AbortSignal.timeout(CALL_TIMEOUT_MS)]),
      });
      return { status: res.statusCode, headers: flatHeaders(res.headers), body: await res.body.text() };
    } catch (err) {
      // the step's own stop is not Cloudflare's failure: let it end the step as any stopped step ends
      if (signal.aborted) throw err;
      const e = err as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
      const timedOut = e.name === 'TimeoutError';
      const cause = e.cause ?? e;
      const why = timedOut ? `no answer within ${CALL_TIMEOUT_MS} ms` : `${cause.code ?? cause.name}: ${cause.message}`;
      throw new InvalidationRefused(NAME, redact(`POST ${url}: ${why}`));
    }
  }
}

/**
 * A prefix is host and path without the scheme ("www.example.com/foo"), without our trailing `*`
 * and the separator before it, and without a query or fragment, which Cloudflare does not take.
 * Cloudflare cuts prefixes at path separators only (its valid forms for /foo/bar/baz/qux.jpg are
 * www.example.com, www.example.com/foo, ...), so /a/b* (whatever starts /a/b) has no prefix to say it.
 */
export function prefixOf(host: string, path: string): string {
  if (!path.endsWith('/*') || path.indexOf('*') !== path.length - 1) {
    throw new InvalidationRefused(NAME, `a prefix ends in /* and holds no other * (${path}): Cloudflare cuts at a /`);
  }
  if (/[?#]/.test(path)) throw new InvalidationRefused(NAME, `a prefix takes no query or fragment (${path})`);
  const prefix = `${host}${path.slice(0, -1)}`.replace(/\/+$/, '');
  if ((prefix.match(/\//g) ?? []).length > MAX_PREFIX_SEPARATORS) {
    throw new InvalidationRefused(NAME, `a prefix has at most ${MAX_PREFIX_SEPARATORS} path separators (${path})`);
  }
  return prefix;
}

interface Envelope {
  success?: unknown;
  errors?: Array<{ code?: unknown; message?: unknown }>;
  result?: { id?: string } | null;
}

function envelope(body: string): Envelope | undefined {
  try {
    const parsed = JSON.parse(body) as unknown;
    return parsed !== null && typeof parsed === 'object' ? (parsed as Envelope) : undefined;
  } catch {
    return undefined;
  }
}

/** Cloudflare's own words for a refusal: each of `errors[]` as "message (code N)", else the body. */
function cloudflareWords(answer: ApiAnswer, parsed: Envelope | undefined): string {
  const errors = Array.isArray(parsed?.errors) ? parsed.errors : [];
  const words = errors
    .filter((e) => e !== null && typeof e === 'object')
    .map((e) => `${String(e.message ?? 'no message')}${e.code === undefined ? '' : ` (code ${String(e.code)})`}`);
  if (words.length > 0) return words.join('; ');
  if (parsed?.success === false) return 'success: false, and no errors given';
  return answer.body.trim().slice(0, 200) || '(no body)';
}
