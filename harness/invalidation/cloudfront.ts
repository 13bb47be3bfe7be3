// The `cloudfront` invalidation provider: CreateInvalidation and GetInvalidation through the AWS SDK,
// waiting out CloudFront's throttling and its limit on invalidations in progress instead of failing on them.
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { CloudFrontClient, CloudFrontClientConfig } from '@aws-sdk/client-cloudfront';
import { z } from 'zod';
import { parseDuration } from '../config/duration.js';
import { duration, type Duration } from '../config/schemaParts.js';
import { redact, registerSecret, REDACTED } from '../secrets.js';
import {
  InvalidationRefused,
  type InvalidationHandle,
  type InvalidationProvider,
  type InvalidationRequest,
  type InvalidationStatus,
  type ProviderKind,
} from './provider.js';

/** The SDK is loaded on first use: every command that never talks to CloudFront starts without it. */
type Sdk = typeof import('@aws-sdk/client-cloudfront');
let sdk: Promise<Sdk> | undefined;
const loadSdk = (): Promise<Sdk> => (sdk ??= import('@aws-sdk/client-cloudfront'));

export const cloudfrontInvalidationSchema = z
  .strictObject({
    provider: z.literal('cloudfront'),
    distribution: z
      .string()
      .regex(/^[A-Z0-9]+$/, { message: 'expected a distribution id (capital letters and digits, E2QWRUHEXAMPLE)' }),
    /** CloudFront is global and signs for us-east-1; another region only matters to a stand-in */
    region: z.string().min(1).optional(),
    /** instead of cloudfront.amazonaws.com: a stand-in, a proxy */
    endpoint: z
      .url({ protocol: /^https?$/, message: 'expected an http(s) URL such as http://127.0.0.1:4566' })
      .optional(),
    access_key_id: z.string().min(1).optional(),
    secret_access_key: z.string().min(1).optional(),
    session_token: z.string().min(1).optional(),
    /** the least time between two GetInvalidation calls for one invalidation, however often status() is asked */
    poll_every: duration.optional(),
    /** attempts at one call, the first included, while CloudFront throttles or has too many in progress */
    max_attempts: z.number().int().min(1).max(20).optional(),
    /** the ceiling of the first wait between attempts; it doubles with each attempt */
    backoff: duration.optional(),
  })
  .refine((c) => (c.access_key_id === undefined) === (c.secret_access_key === undefined), {
    message: 'give access_key_id and secret_access_key together, or neither (for the AWS default credential chain)',
    path: ['secret_access_key'],
  })
  .refine((c) => c.session_token === undefined || c.access_key_id !== undefined, {
    message: 'a session_token goes with access_key_id and secret_access_key',
    path: ['session_token'],
  });
export type CloudFrontInvalidationConfig = z.infer<typeof cloudfrontInvalidationSchema>;

const DEFAULT_POLL_EVERY_MS = 5_000;
const DEFAULT_MAX_ATTEMPTS = 6;
const DEFAULT_BACKOFF_MS = 1_000;
const MAX_BACKOFF_MS = 30_000;

/** Codes AWS services use for "slow down"; CloudFront itself answers `Throttling` with HTTP 400. */
const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'SlowDown',
]);
/** Not a refusal of this request: the distribution has too many invalidations in progress, and they finish. */
const TOO_MANY_IN_PROGRESS = 'TooManyInvalidationsInProgress';

/**
 * A path as CloudFront wants it: non-ASCII and RFC 1738's unsafe characters percent-encoded, nothing
 * else (CloudFront compares the path as given, so an encoded `/` or `?` would name another object).
 * An escape already there (`%20`) is kept, so an encoded URL path passes unchanged. `~` stays as
 * it is although RFC 1738 lists it: RFC 3986 made it unreserved, clients send it raw, so the cached
 * object's path holds it raw.
 */
export function cloudfrontPath(path: string): string {
  let out = '';
  for (let i = 0; i < path.length;) {
    const ch = String.fromCodePoint(path.codePointAt(i)!);
    i += ch.length;
    const escapeHere = ch === '%' && /^[0-9A-Fa-f]{2}$/.test(path.slice(i, i + 2));
    out += escapeHere || !mustEncode(ch) ? ch : percentEncode(ch);
  }
  return out;
}

function mustEncode(ch: string): boolean {
  const code = ch.codePointAt(0)!;
  return code <= 0x20 || code >= 0x7f || '"<>#%{}|\\^[]`'.includes(ch);
}

function percentEncode(ch: string): string {
  return [...Buffer.from(ch, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
}

/** Why CloudFront cannot take these paths as meant, or undefined. */
function pathProblem(path: string, by: 'url' | 'prefix'): string | undefined {
  if (!path.startsWith('/')) return `${JSON.stringify(path)} does not start with /`;
  const star = path.indexOf('*');
  if (by === 'url' && star >= 0) {
    return `${JSON.stringify(path)} holds a *, which CloudFront reads as a wildcard: invalidate it by prefix`;
  }
  if (by === 'prefix' && star !== path.length - 1) {
    return `${JSON.stringify(path)}: a prefix path ends in * and holds no other * (CloudFront's wildcard)`;
  }
  return undefined;
}

function refusedBeforeAsking(request: InvalidationRequest): string | undefined {
  if (request.by === 'tag') return 'CloudFront invalidates by path only; it has no cache tags';
  if (request.soft) return 'CloudFront cannot soft-purge: an invalidation always drops the objects';
  if (request.paths.length === 0) return 'no paths to invalidate';
  for (const p of request.paths) {
    const problem = pathProblem(p, request.by);
    if (problem) return problem;
  }
  return undefined;
}

/** What the SDK throws for an answer from AWS: the error code as its name, the HTTP status in $metadata. */
interface AwsServiceError {
  name: string;
  message: string;
  $metadata?: { httpStatusCode?: number };
}

function awsStatus(err: unknown): number | undefined {
  return (err as AwsServiceError | undefined)?.$metadata?.httpStatusCode;
}

/**
 * Worth asking again: throttling, too many in progress, a server fault. Safe for CreateInvalidation
 * because every attempt carries the same CallerReference: had one been applied unseen, CloudFront
 * answers the next with that same invalidation instead of making a second.
 */
function retryable(err: unknown): boolean {
  const status = awsStatus(err);
  if (status === undefined || !(err instanceof Error)) return false;
  return THROTTLING.has(err.name) || err.name === TOO_MANY_IN_PROGRESS || status === 429 || status >= 500;
}

/** "Full jitter": a random wait under a ceiling that doubles, so throttled clients do not retry in step. */
function backoffMs(attempt: number, firstMs: number): number {
  return Math.random() * Math.min(MAX_BACKOFF_MS, firstMs * 2 ** (attempt - 1));
}

/** A duration of the config in milliseconds (the schema has checked it), or the default. */
function durationMs(value: Duration | undefined, fallback: number): number {
  return value === undefined ? fallback : (parseDuration(value) ?? fallback);
}

/** Abandoned by the caller: an AbortError, as Node's timers and the SDK throw it, whichever notices first. */
function stopIfAborted(signal: AbortSignal): void {
  if (!signal.aborted) return;
  const err = new Error('The operation was aborted', { cause: signal.reason });
  err.name = 'AbortError';
  throw err;
}

export const cloudfrontProvider: ProviderKind<typeof cloudfrontInvalidationSchema> = {
  name: 'cloudfront',
  schema: cloudfrontInvalidationSchema,
  supports: { by: ['url', 'prefix'], soft: false },
  create(config) {
    return new CloudFrontInvalidations(config);
  },
};

class CloudFrontInvalidations implements InvalidationProvider {
  private readonly clientConfig: CloudFrontClientConfig;
  private client?: CloudFrontClient;
  private readonly pollEveryMs: number;
  private readonly maxAttempts: number;
  private readonly backoffMs: number;
  /** when CloudFront was last asked about each invalidation, for poll_every */
  private readonly lastAsked = new Map<string, number>();
  /** our own credentials, kept out of every message even when written literally in targets.yaml */
  private readonly credentials: string[] = [];

  constructor(private readonly config: CloudFrontInvalidationConfig) {
    const { access_key_id: accessKeyId, secret_access_key: secretAccessKey, session_token: sessionToken } = config;
    for (const secret of [secretAccessKey, sessionToken]) {
      if (secret === undefined) continue;
      registerSecret(secret);
      this.credentials.push(secret);
    }
    this.clientConfig = {
      region: config.region ?? 'us-east-1',
      endpoint: config.endpoint,
      // without keys, the SDK's default chain: environment, shared files, SSO, container or instance role
      credentials: accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey, sessionToken } : undefined,
      // one attempt per send: the retries are ours, so they keep one CallerReference and heed the signal
      maxAttempts: 1,
    };
    this.pollEveryMs = durationMs(config.poll_every, DEFAULT_POLL_EVERY_MS);
    this.maxAttempts = config.max_attempts ?? DEFAULT_MAX_ATTEMPTS;
    this.backoffMs = durationMs(config.backoff, DEFAULT_BACKOFF_MS);
  }

  async invalidate(request: InvalidationRequest): Promise<InvalidationHandle> {
    const refusal = refusedBeforeAsking(request);
    if (refusal) throw new InvalidationRefused('cloudfront', refusal);
    const paths = request.paths.map(cloudfrontPath);
    const callerReference = `edgecheck-${Date.now()}-${randomBytes(6).toString('hex')}`;
    const { client, CreateInvalidationCommand } = await this.sdk();
    const command = new CreateInvalidationCommand({
      DistributionId: this.config.distribution,
      InvalidationBatch: { CallerReference: callerReference, Paths: { Quantity: paths.length, Items: paths } },
    });
    const out = await this.withRetries('CreateInvalidation', request.signal, (abortSignal) =>
      client.send(command, { abortSignal }),
    );
    const id = out.Invalidation?.Id;
    if (!id) throw new InvalidationRefused('cloudfront', 'CreateInvalidation answered without an invalidation id');
    this.lastAsked.set(id, Date.now());
    return { id, detail: out.Invalidation?.Status };
  }

  async status(handle: InvalidationHandle, signal: AbortSignal): Promise<InvalidationStatus> {
    const wait = (this.lastAsked.get(handle.id) ?? 0) + this.pollEveryMs - Date.now();
    if (wait > 0) await delay(wait, undefined, { signal });
    const { client, GetInvalidationCommand } = await this.sdk();
    const command = new GetInvalidationCommand({ DistributionId: this.config.distribution, Id: handle.id });
    const out = await this.withRetries('GetInvalidation', signal, (abortSignal) =>
      client.send(command, { abortSignal }),
    );
    this.lastAsked.set(handle.id, Date.now());
    const status = out.Invalidation?.Status;
    if (status === 'InProgress') return { state: 'in_progress', detail: status };
    if (status === 'Completed') return { state: 'completed', detail: status };
    return { state: 'unknown', detail: status ?? 'GetInvalidation answered without a status' };
  }

  async close(): Promise<void> {
    this.client?.destroy();
  }

  private async sdk(): Promise<
    Pick<Sdk, 'CreateInvalidationCommand' | 'GetInvalidationCommand'> & { client: CloudFrontClient }
  > {
    const { CloudFrontClient, CreateInvalidationCommand, GetInvalidationCommand } = await loadSdk();
    this.client ??= new CloudFrontClient(this.clientConfig);
    return { client: this.client, CreateInvalidationCommand, GetInvalidationCommand };
  }

  private async withRetries<T>(
    call: string,
    signal: AbortSignal,
    send: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      stopIfAborted(signal);
      try {
        return await send(signal);
      } catch (err) {
        // abandoned by the caller: not CloudFront's refusal, and nothing to retry
        stopIfAborted(signal);
        if (!retryable(err) || attempt >= this.maxAttempts) throw this.refusal(call, err, attempt);
        await delay(backoffMs(attempt, this.backoffMs), undefined, { signal });
      }
    }
  }

  /** CloudFront's own code and message; a message that quotes a canonical request could carry our session token. */
  private refusal(call: string, err: unknown, attempts: number): InvalidationRefused {
    const status = awsStatus(err);
    // an answer from AWS names its code; a transport or credentials failure has only a message
    const code = err instanceof Error && status !== undefined ? `${err.name}: ` : '';
    const said = `${code}${err instanceof Error ? err.message : String(err)}`;
    const how = attempts > 1 ? `gave up after ${attempts} attempts` : status === undefined ? 'failed' : 'refused';
    const httpStatus = status === undefined ? '' : ` (HTTP ${status})`;
    let message = `${call} for distribution ${this.config.distribution} ${how}${httpStatus}: ${said}`;
    for (const secret of this.credentials) message = message.split(secret).join(REDACTED);
    return new InvalidationRefused('cloudfront', redact(message));
  }
}
