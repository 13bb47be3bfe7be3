// The reference edge's invalidation API, CloudFront-like: a POST creates an
// invalidation that each PoP applies after its own propagation delay, and a
// GET says InProgress until every PoP has applied it, then Completed. The
// regional tier applies it at once. Fault switches make it lie or fall short.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EdgeNode } from './edgeNode.js';
import type { ReferenceEdgeFault } from './faults.js';
import { purgeMatch } from './purge.js';
import type { RegionalTier } from './regionalTier.js';

export interface InvalidationApiOptions {
  /** the PoPs in address order: the last one is the one `pop-never-invalidates` spares */
  pops: Array<{ address: string; node: EdgeNode }>;
  regional: RegionalTier;
  faults: ReadonlySet<ReferenceEdgeFault>;
  /** per PoP address, how long after the request it applies an invalidation (default 0) */
  propagationMs: Readonly<Record<string, number>>;
  token: string;
}

export interface InvalidationApi {
  url: string;
  close(): Promise<void>;
}

interface Invalidation {
  id: string;
  paths: string[];
  createdAt: number;
  /** PoPs still to apply it */
  pending: number;
  completedAt?: number;
}

const MAX_BODY = 64 * 1024;
const MAX_PATHS = 3000;

export async function startInvalidationApi(opts: InvalidationApiOptions): Promise<InvalidationApi> {
  const invalidations = new Map<string, Invalidation>();
  const timers = new Set<NodeJS.Timeout>();
  const expected = Buffer.from(`Bearer ${opts.token}`);

  const create = (paths: string[], soft: boolean): Invalidation => {
    const inv: Invalidation = {
      id: `I${randomBytes(6).toString('hex').toUpperCase()}`,
      paths,
      createdAt: Date.now(),
      pending: 0,
    };
    const match = purgeMatch(paths, opts.faults);
    if (!opts.faults.has('regional-keeps-old-copy')) opts.regional.invalidate(match);
    const applying = opts.faults.has('pop-never-invalidates') ? opts.pops.slice(0, -1) : opts.pops;
    inv.pending = applying.length;
    const applied = () => {
      inv.pending--;
      const done = opts.faults.has('early-completion') ? inv.pending < applying.length : inv.pending === 0;
      if (done) inv.completedAt ??= Date.now();
    };
    for (const pop of applying) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        pop.node.invalidate(match, soft);
        applied();
      }, opts.propagationMs[pop.address] ?? 0);
      timers.add(timer);
    }
    if (applying.length === 0) inv.completedAt = Date.now();
    invalidations.set(inv.id, inv);
    return inv;
  };

  const server = http.createServer((req, res) => {
    const auth = Buffer.from(req.headers.authorization ?? '');
    if (auth.length !== expected.length || !timingSafeEqual(auth, expected))
      return reply(res, 401, { error: 'bad token' });
    void handle(req, res);
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://api');
    const one = /^\/v1\/invalidations\/([A-Z0-9]+)$/.exec(url.pathname);
    if (req.method === 'GET' && one) {
      const inv = invalidations.get(one[1]!);
      return inv ? reply(res, 200, view(inv)) : reply(res, 404, { error: `no invalidation ${one[1]}` });
    }
    if (req.method !== 'POST' || url.pathname !== '/v1/invalidations')
      return reply(res, 404, { error: 'no such endpoint' });
    const body = await readBody(req);
    if (body === undefined) return reply(res, 413, { error: `a request body is at most ${MAX_BODY} bytes` });
    const problem = pathsProblem(body);
    if (typeof problem === 'string') return reply(res, 400, { error: problem });
    const soft = (JSON.parse(body) as { soft?: unknown }).soft === true;
    return reply(res, 201, view(create(problem, soft)));
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function view(inv: Invalidation) {
  return {
    id: inv.id,
    status: inv.completedAt === undefined ? 'InProgress' : 'Completed',
    paths: inv.paths,
    create_time: new Date(inv.createdAt).toISOString(),
  };
}

/** The paths of a request body, or what is wrong with it (CloudFront's rules: `/` first, `*` only last). */
function pathsProblem(body: string): string[] | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return 'the body is not JSON';
  }
  const paths = (parsed as { paths?: unknown } | null)?.paths;
  if (!Array.isArray(paths) || paths.length === 0 || paths.length > MAX_PATHS) {
    return `paths: expected a list of 1 to ${MAX_PATHS} paths`;
  }
  for (const p of paths) {
    if (typeof p !== 'string' || !p.startsWith('/')) return `paths: ${JSON.stringify(p)} does not start with /`;
    if (p.slice(0, -1).includes('*')) return `paths: ${p}: a * may only end a path`;
  }
  return paths as string[];
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('end', () => resolve(size > MAX_BODY ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(undefined));
  });
}

function reply(res: ServerResponse, status: number, body: object): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
