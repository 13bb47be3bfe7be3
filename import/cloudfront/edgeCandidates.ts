// Candidate edge addresses of a CloudFront distribution: its hostname as each
// resolver given sees it (CloudFront answers each resolver with PoPs near it),
// then, per address, the PoP that answers there (X-Amz-Cf-Pop of a HEAD /
// pinned to it, with the hostname as SNI and Host). Every lookup and request is
// bounded; a failure is kept with its address or resolver, never thrown.
import { Resolver } from 'node:dns/promises';
import type { HttpClient } from '../../harness/http/client.js';

export interface EdgeCandidate {
  address: string;
  /** the resolvers that gave it */
  resolvers: string[];
  /** the X-Amz-Cf-Pop it answered with (IAD89-C1) */
  pop?: string;
  /** why it gave no PoP: no answer, or an answer without the header */
  error?: string;
}

export interface ResolverFailure {
  resolver: string;
  error: string;
}

export interface EdgeSurvey {
  candidates: EdgeCandidate[];
  failures: ResolverFailure[];
}

export interface EdgeSurveyOptions {
  host: string;
  /** `1.1.1.1`, `[2606:4700::1111]:53` or `127.0.0.1:5353` */
  resolvers: string[];
  port: number;
  /** for each lookup and each request */
  timeoutMs: number;
  client: HttpClient;
}

/** A record type the name has none of is no failure: most distributions have no AAAA without IPv6. */
const NO_RECORDS = new Set(['ENODATA', 'ENOTFOUND']);

export async function surveyEdges(opts: EdgeSurveyOptions): Promise<EdgeSurvey> {
  const found = new Map<string, EdgeCandidate>();
  const failures: ResolverFailure[] = [];
  for (const resolver of opts.resolvers) {
    const answer = await resolveWith(resolver, opts.host, opts.timeoutMs);
    if ('error' in answer) failures.push({ resolver, error: answer.error });
    else if (answer.addresses.length === 0) failures.push({ resolver, error: `no A or AAAA record for ${opts.host}` });
    for (const address of 'addresses' in answer ? answer.addresses : []) {
      const candidate = found.get(address) ?? { address, resolvers: [] };
      candidate.resolvers.push(resolver);
      found.set(address, candidate);
    }
  }
  const candidates = [...found.values()];
  // one at a time: a handful of addresses, each bounded by the timeout
  for (const candidate of candidates) Object.assign(candidate, await popOf(candidate.address, opts));
  return { candidates, failures };
}

async function resolveWith(
  server: string,
  host: string,
  timeoutMs: number,
): Promise<{ addresses: string[] } | { error: string }> {
  const resolver = new Resolver({ timeout: timeoutMs, tries: 1 });
  try {
    resolver.setServers([server]);
  } catch (err) {
    return { error: `not a resolver address: ${(err as Error).message}` };
  }
  const lookup = async (query: Promise<string[]>) => {
    try {
      return await query;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? '';
      if (NO_RECORDS.has(code)) return [];
      throw err;
    }
  };
  try {
    const [v4, v6] = await Promise.all([lookup(resolver.resolve4(host)), lookup(resolver.resolve6(host))]);
    return { addresses: [...v4, ...v6] };
  } catch (err) {
    return { error: `${(err as NodeJS.ErrnoException).code ?? 'error'}: ${(err as Error).message}` };
  } finally {
    resolver.cancel();
  }
}

async function popOf(address: string, opts: EdgeSurveyOptions): Promise<{ pop: string } | { error: string }> {
  const authority = opts.port === 443 ? opts.host : `${opts.host}:${opts.port}`;
  try {
    const res = await opts.client.send({
      method: 'HEAD',
      url: new URL(`https://${authority}/`),
      address,
      timeoutMs: opts.timeoutMs,
    });
    const pop = res.headers['x-amz-cf-pop'];
    if (typeof pop === 'string' && pop !== '') return { pop };
    return { error: `answered ${res.status} without X-Amz-Cf-Pop` };
  } catch (err) {
    // the client's typed errors say the request, the address and what went wrong
    return { error: err instanceof Error ? err.message : String(err) };
  }
}
