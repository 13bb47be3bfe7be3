// The interface every invalidation provider implements, one file per provider
// (harness/invalidation/<name>.ts): ask for paths to be dropped, then say how
// far the provider claims it got. What each edge really serves afterwards is
// the poll step's to measure: a provider's "completed" proves nothing.
import type { z } from 'zod';
import { EdgecheckError } from '../errors.js';
import type { HttpClient } from '../http/client.js';

/** How the paths are meant: an object URL, a prefix (a trailing `*`), or a cache tag / surrogate key. */
export type InvalidationBy = 'url' | 'prefix' | 'tag';

export interface InvalidationRequest {
  /** paths on the CDN, each starting with `/`; with `by: prefix` each ends in `*` */
  paths: string[];
  /** with `by: tag`, the tags (surrogate keys) instead of paths */
  tags: string[];
  by: InvalidationBy;
  /** mark stale and refetch rather than drop, where the provider can */
  soft: boolean;
  signal: AbortSignal;
}

export interface InvalidationHandle {
  /** the provider's own id for the request (an invalidation id, a purge id), for the report */
  id: string;
  /** what the provider said on accepting it */
  detail?: string;
}

export type InvalidationState =
  /** accepted and still being applied */
  | 'in_progress'
  /** the provider says every edge has applied it */
  | 'completed'
  /** the provider offers no completion status (Akamai, a plain PURGE): only polling can tell */
  | 'unknown';

export interface InvalidationStatus {
  state: InvalidationState;
  detail?: string;
}

/** What a provider may use of its target: the CDN's URL, hostnames and edge addresses, and its HTTP client. */
export interface ProviderTarget {
  url: URL;
  hostnames: string[];
  /** edge addresses to send a purge to, each; empty = the URL's hostname as resolved */
  addresses: string[];
  http: HttpClient;
}

export interface InvalidationProvider {
  invalidate(request: InvalidationRequest): Promise<InvalidationHandle>;
  status(handle: InvalidationHandle, signal: AbortSignal): Promise<InvalidationStatus>;
  close?(): Promise<void>;
}

export interface ProviderSupport {
  by: readonly InvalidationBy[];
  soft: boolean;
}

/**
 * A provider by name: the schema of its `invalidation:` block in targets.yaml
 * (a strict object with `provider: <name>`), what it can do, and how to make
 * one for a target.
 */
export interface ProviderKind<S extends z.ZodObject = z.ZodObject> {
  readonly name: string;
  readonly schema: S;
  /** which `by:` forms it has, and whether it can soft-purge (for some providers, as configured) */
  readonly supports: ProviderSupport | ((config: z.infer<S>) => ProviderSupport);
  create(config: z.infer<S>, target: ProviderTarget): InvalidationProvider;
}

/** The provider refused or failed a request: a failed check carrying the provider's own words, never a crash. */
export class InvalidationRefused extends EdgecheckError {
  constructor(
    readonly provider: string,
    message: string,
  ) {
    super('E_INVALIDATION_REFUSED', `${provider}: ${message}`);
  }
}
