// The harness's side of the probe origin's control channel: program an
// object, read what reached the origin. Talks to the origin directly, never
// through the CDN under test.
import { Agent, request } from 'undici';
import { rootCertificates } from 'node:tls';
import { HarnessError } from '../errors.js';
import { CONTROL, type OriginLogEntry, type OriginObject } from './protocol.js';

export type { OriginLogEntry, OriginObject };

export class OriginControl {
  private readonly dispatcher: Agent;
  constructor(
    private readonly controlUrl: string,
    private readonly token: string,
    ca?: string,
  ) {
    this.dispatcher = new Agent({ connect: ca ? { ca: [...rootCertificates, ca] } : {} });
  }

  /** The answer for a check key, or (with `path`) for one path under it. */
  async setObject(key: string, object: OriginObject, path?: string): Promise<void> {
    await this.call('PUT', CONTROL.objects, { key, object, ...(path ? { path } : {}) });
  }

  async log(key: string): Promise<OriginLogEntry[]> {
    const res = (await this.call('GET', `${CONTROL.log}?key=${encodeURIComponent(key)}`)) as {
      entries: OriginLogEntry[];
    };
    return res.entries;
  }

  /**
   * Requests that reached the origin for these keys, optionally only those at or after `since`
   * and before `until` (origin clock, ms).
   */
  async count(keys: string[], window: { since?: number; until?: number } = {}): Promise<number> {
    const query = new URLSearchParams(keys.map((k) => ['key', k]));
    if (window.since !== undefined) query.set('since', String(window.since));
    if (window.until !== undefined) query.set('until', String(window.until));
    const res = (await this.call('GET', `${CONTROL.count}?${query}`)) as { count: number };
    return res.count;
  }

  /**
   * Connections each TLS fault listener has accepted so far (a running total: the difference across a
   * step is what the step caused, whatever the two clocks say).
   */
  async connections(): Promise<Record<string, number>> {
    const res = (await this.call('GET', CONTROL.connections)) as { listeners: Record<string, number> };
    return res.listeners;
  }

  async clear(prefix: string): Promise<void> {
    await this.call('DELETE', `${CONTROL.objects}?prefix=${encodeURIComponent(prefix)}`);
  }

  async health(): Promise<void> {
    await this.call('GET', CONTROL.health);
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }

  private async call(method: 'GET' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<unknown> {
    let res;
    try {
      res = await request(new URL(path, this.controlUrl), {
        method,
        headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        dispatcher: this.dispatcher,
        signal: AbortSignal.timeout(10_000),
      });
    } catch (err) {
      const e = err as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
      throw new HarnessError(
        `probe origin control channel ${this.controlUrl}: ${e.cause?.code ?? e.code ?? e.message}`,
      );
    }
    const text = await res.body.text();
    if (res.statusCode >= 300) {
      const reason = res.statusCode === 401 ? 'the token was refused (origin.token)' : text;
      throw new HarnessError(`probe origin control channel ${method} ${path}: ${res.statusCode} ${reason}`);
    }
    return text ? JSON.parse(text) : undefined;
  }
}
