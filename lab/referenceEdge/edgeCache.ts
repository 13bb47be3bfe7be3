// One edge node's stored responses, keyed by host, path, the part of the
// query string the route keeps in its cache key, and the viewer's country.

export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  requestTime: number;
  responseTime: number;
  /** freshness lifetime in seconds, fixed when stored or refreshed */
  lifetime: number;
  /** a soft purge marked it stale: served once more while it is refetched */
  softPurged?: boolean;
}

export type QueryKey = 'all' | 'none' | string[];

/** `host|path?query`; with a country, `host;country=DE|path?query` (purge.ts reads what follows the `|`). */
export function cacheKey(host: string, pathAndQuery: string, queryKey: QueryKey, country?: string): string {
  const url = new URL(pathAndQuery, 'http://edge');
  let query = '';
  if (queryKey === 'all') query = url.search;
  else if (Array.isArray(queryKey)) {
    const kept = new URLSearchParams();
    for (const name of [...queryKey].sort()) for (const v of url.searchParams.getAll(name)) kept.append(name, v);
    query = kept.size ? `?${kept}` : '';
  }
  return `${host.toLowerCase()}${country === undefined ? '' : `;country=${country}`}|${url.pathname}${query}`;
}

/**
 * Stored responses by variant key (cache key + the request's values of the
 * headers the response varies on), and per cache key the Vary names last seen.
 */
export class EdgeCache {
  private readonly entries = new Map<string, StoredResponse>();
  private readonly vary = new Map<string, string[]>();
  varyOf(key: string): string[] {
    return this.vary.get(key) ?? [];
  }
  get(variantKey: string): StoredResponse | undefined {
    return this.entries.get(variantKey);
  }
  put(key: string, varyNames: string[], variantKey: string, value: StoredResponse): void {
    this.vary.set(key, varyNames);
    this.entries.set(variantKey, value);
  }
  delete(variantKey: string): void {
    this.entries.delete(variantKey);
  }
  /** Marks every stored response the predicate picks as soft-purged; returns how many. */
  markStale(picks: (variantKey: string, stored: StoredResponse) => boolean): number {
    let marked = 0;
    for (const [variantKey, stored] of this.entries) {
      if (!picks(variantKey, stored)) continue;
      this.entries.set(variantKey, { ...stored, softPurged: true });
      marked++;
    }
    return marked;
  }
  /** Drops every stored response the predicate picks; returns how many. */
  drop(picks: (variantKey: string, stored: StoredResponse) => boolean): number {
    let dropped = 0;
    for (const [variantKey, stored] of this.entries) {
      if (!picks(variantKey, stored)) continue;
      this.entries.delete(variantKey);
      dropped++;
    }
    return dropped;
  }
}
