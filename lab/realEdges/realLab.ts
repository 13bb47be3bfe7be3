// A real edge as a lab target: fresh certificates, a probe origin, a temp dir
// with the program's configuration, the program started on loopback ports and
// waited for; close() stops it, the origin, and removes the temp dir.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { LabInstance, LabRoute, LabStartOptions } from '../../harness/target/lab.js';
import { LAB_HOSTNAMES, makeLabCertificates } from '../labCertificates.js';
import { startProbeOrigin } from '../probeOrigin/probeOrigin.js';
import { freePorts } from './freePorts.js';
import { makeLabDir } from './labDir.js';
import { aptGetLine, type EdgeInvalidation, type EdgeSigning, type RealEdge, type StartedEdge } from './realEdge.js';
import type { Supervised } from './supervisor.js';
import { waitReady } from './waitReady.js';

const READY_TIMEOUT_MS = 30_000;

/** Routes from targets.yaml are declared over the edge's own (every path is proxied to the probe origin). */
export type RealLabOptions = LabStartOptions;

export interface RealLab extends LabInstance {
  edge: RealEdge;
  /** the temp dir holding the configuration and logs while the lab runs */
  dir: string;
  /** the supervised programs, for `lab up` and the no-orphans tests */
  processes: Supervised[];
  /** program-specific hints for poking at it by hand */
  notes: string[];
  signing?: EdgeSigning;
  /** how to drop or refresh a stored copy from 127.0.0.1 */
  purges: EdgeInvalidation[];
}

function declaredRoutes(routes: Record<string, string | LabRoute> = {}): Record<string, LabRoute> {
  return Object.fromEntries(Object.entries(routes).map(([name, r]) => [name, typeof r === 'string' ? { path: r } : r]));
}

/** how often a lab start is tried with fresh ports when one was taken in the meantime */
const PORT_ATTEMPTS = 3;
const PORT_TAKEN = /address already in use|EADDRINUSE/i;

export function missingBinaries(edge: RealEdge): string[] {
  return edge.binaries.filter((b) => !existsSync(b));
}

export async function startRealLab(edge: RealEdge, opts: RealLabOptions = {}): Promise<RealLab> {
  const unknown = (opts.faults ?? []).filter((f) => !(f in (edge.faults ?? {})));
  if (unknown.length > 0) {
    const known = Object.keys(edge.faults ?? {});
    throw new Error(
      `${edge.name} has no fault switch ${unknown.join(', ')}; it has ${known.length ? known.join(', ') : 'none'}`,
    );
  }
  const missing = missingBinaries(edge);
  if (missing.length > 0) {
    throw new Error(`${missing.join(', ')} not found; install it with: ${aptGetLine(edge)}`);
  }
  const certs = await makeLabCertificates();
  const token = randomBytes(24).toString('hex');
  const origin = await startProbeOrigin({ token, certificates: certs.origin });
  const dir = makeLabDir(edge.name, certs);
  let started: StartedEdge | undefined;
  const stopEdge = async () => {
    await Promise.all((started?.processes ?? []).map((p) => p.stop()));
    started = undefined;
  };
  const stop = async () => {
    await stopEdge();
    await origin.close();
    dir.remove();
  };
  try {
    const routes = edge.routes();
    let http = 0;
    let https = 0;
    for (let attempt = 1; ; attempt++) {
      const ports = await freePorts(2 + edge.internalPortCount);
      [http = 0, https = 0] = ports;
      try {
        started = await edge.start({
          dir,
          origin,
          ports: { http, https },
          internalPorts: ports.slice(2),
          routes,
          hostnames: [...LAB_HOSTNAMES],
          asRoot: process.getuid?.() === 0,
          faults: new Set(opts.faults ?? []),
        });
        await waitReady({
          ports: [http, https, ...(started.readyPorts ?? [])],
          processes: started.processes,
          timeoutMs: READY_TIMEOUT_MS,
          ...(started.ready ? { probe: started.ready } : {}),
        });
        break;
      } catch (err) {
        // free ports are found by binding and letting go: another process can take one before the edge binds it
        if (attempt >= PORT_ATTEMPTS || !PORT_TAKEN.test((err as Error).message)) throw err;
        await stopEdge();
      }
    }
    const host = LAB_HOSTNAMES[0];
    return {
      edge,
      dir: dir.dir,
      processes: started.processes,
      notes: started.notes ?? [],
      purges: edge.purges,
      ...purgeProvider(edge.purges),
      ...(started.signing ? { signing: started.signing } : {}),
      url: `https://${host}:${https}`,
      httpUrl: `http://${host}:${http}`,
      hostnames: [...LAB_HOSTNAMES],
      addresses: ['127.0.0.1'],
      caPem: certs.ca.certPem,
      origin: { control: origin.controlUrl, token },
      routes: { ...routes, ...declaredRoutes(opts.routes) },
      cacheStatus: edge.cacheStatus,
      tls: edge.tls,
      close: stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * The `invalidation:` block a target gets from the edge's purge methods: a
 * PURGE to each edge address, and a prefix method (Varnish's BAN) for a
 * trailing `*`. A refresh by GET (nginx) is no purge: such an edge declares none.
 */
function purgeProvider(purges: EdgeInvalidation[]): Pick<LabInstance, 'invalidation'> {
  const exact = purges.find((p) => !p.prefix && p.method !== 'GET');
  if (!exact) return {};
  const prefix = purges.find((p) => p.prefix);
  return {
    invalidation: {
      provider: 'http',
      method: exact.method,
      ...(prefix ? { prefix_method: prefix.method } : {}),
      // the suites ask for the lab URL's hostname only, and Squid's one certificate names only it
      hostnames: [LAB_HOSTNAMES[0]],
    },
  };
}
