// Error caching for one route's origin, like CloudFront's "error caching
// minimum TTL" at the regional tier every edge node fetches through: a failed
// fetch is remembered for the route's error_ttl, and answered again from here
// (with its Age) instead of trying the origin.

export interface OriginFailure {
  kind: 'tls' | 'connect' | 'timeout';
  code: string;
  message: string;
}

export class OriginErrorCache {
  private readonly failures = new Map<string, { failure: OriginFailure; at: number }>();
  /** ttlMs: the route's error_ttl; Infinity never forgets (a fault switch) */
  constructor(private readonly ttlMs: number) {}

  remember(key: string, failure: OriginFailure, now = Date.now()): void {
    this.failures.set(key, { failure, at: now });
  }

  /** The remembered failure and its age, while it is younger than the error TTL. */
  recall(key: string, now = Date.now()): { failure: OriginFailure; ageMs: number } | undefined {
    const entry = this.failures.get(key);
    if (!entry) return undefined;
    const ageMs = now - entry.at;
    if (ageMs < this.ttlMs) return { failure: entry.failure, ageMs };
    this.failures.delete(key);
    return undefined;
  }
}
