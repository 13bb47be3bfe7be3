// `provider: http`: a purge request sent to every edge address, for every
// hostname, the way Varnish, Traffic Server and Squid purge (PURGE <url>), and
// Varnish bans a prefix (BAN <url>). Each edge answering is its own "done":
// there is no provider in between to ask. `parents:` (a shared parent tier,
// an origin shield) are purged the same way, before any edge.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { z } from 'zod';
import { headerName, headerText, matchesStatus, statusPattern } from '../config/schemaParts.js';
import { InvalidationRefused, type InvalidationProvider, type ProviderKind } from './provider.js';

const method = z.string().regex(/^[A-Z]+$/, { message: 'expected an HTTP method in upper case' });

const schema = z.strictObject({
  provider: z.literal('http'),
  /** the method that drops one URL (default PURGE) */
  method: method.optional(),
  /** a method that drops everything under a path (Varnish's BAN), for a trailing `*` */
  prefix_method: method.optional(),
  headers: z.record(headerName, headerText).optional(),
  /** the statuses that mean "done" (default 2xx and 404: nothing was stored there) */
  accept_status: statusPattern.optional(),
  /** the hostnames to purge each path for (default: every hostname of the target) */
  hostnames: z.array(z.string().min(1)).min(1).optional(),
  /**
   * base URLs of a parent tier the edges fill from (http://127.0.0.1:8080), purged before the edges: purged
   * after them, an edge asked in between refills from the parent's old copy and keeps it for its own TTL
   */
  parents: z
    .array(z.url({ protocol: /^https?$/ }))
    .min(1)
    .optional(),
});
export type HttpInvalidationConfig = z.infer<typeof schema>;

const PURGE_TIMEOUT_MS = 10_000;

export const httpProvider: ProviderKind<typeof schema> = {
  name: 'http',
  schema,
  // a prefix needs a method that drops one (Varnish's BAN); Traffic Server and Squid purge one URL at a time
  supports: (config) => ({ by: config.prefix_method ? ['url', 'prefix'] : ['url'], soft: false }),
  create(config, target): InvalidationProvider {
    const accepted = statusTest(config.accept_status);
    let sent = 0;
    return {
      async invalidate(req) {
        if (req.by === 'tag' || req.soft)
          throw new InvalidationRefused('http', 'a purge request drops URLs or prefixes only');
        const prefix = req.by === 'prefix';
        const verb = prefix ? config.prefix_method : (config.method ?? 'PURGE');
        if (!verb)
          throw new InvalidationRefused('http', 'a prefix needs prefix_method (such as BAN) in the invalidation block');
        // every parent before any edge (see `parents` above)
        const tiers: Array<{ base: URL; address?: string }> = [];
        for (const parent of config.parents ?? []) {
          const base = new URL(parent);
          tiers.push({ base, address: await parentAddress(base) });
        }
        for (const address of target.addresses.length ? target.addresses : [undefined]) {
          tiers.push({ base: target.url, ...(address ? { address } : {}) });
        }
        const answers: string[] = [];
        for (const { base, address } of tiers) {
          for (const path of req.paths) {
            const bare = prefix ? path.replace(/\*$/, '') : path;
            for (const host of config.hostnames ?? target.hostnames) {
              const url = new URL(base.href);
              url.hostname = host;
              url.pathname = bare;
              const where = `${verb} ${url.href}${address ? ` via ${address}` : ''}`;
              let res;
              try {
                res = await target.http.send({
                  method: verb,
                  url,
                  headers: config.headers ?? {},
                  ...(address ? { address } : {}),
                  timeoutMs: PURGE_TIMEOUT_MS,
                });
              } catch (err) {
                throw new InvalidationRefused('http', `${where}: ${(err as Error).message}`);
              }
              if (!accepted(res.status)) throw new InvalidationRefused('http', `${where}: answered ${res.status}`);
              answers.push(`${res.status}`);
            }
          }
        }
        sent++;
        return {
          id: `purge-${sent}`,
          detail: `${answers.length} purge requests answered ${[...new Set(answers)].join(', ')}`,
        };
      },
      // every edge answered before invalidate() returned: that is all this provider can claim
      status: async () => ({ state: 'completed' }),
    };
  },
};

/** The address a parent is reached at: the purge's URL names the purged hostname instead, for the parent's key. */
async function parentAddress(base: URL): Promise<string> {
  const host = base.hostname.replace(/^\[(.*)\]$/, '$1');
  if (isIP(host)) return host;
  try {
    return (await lookup(host)).address;
  } catch (err) {
    throw new InvalidationRefused('http', `parent ${base.href}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}

function statusTest(pattern: HttpInvalidationConfig['accept_status']): (status: number) => boolean {
  if (pattern === undefined) return (s) => (s >= 200 && s < 300) || s === 404;
  return (s) => matchesStatus(pattern, s);
}
