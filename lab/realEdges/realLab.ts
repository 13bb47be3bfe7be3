// A real edge as a lab target: fresh certificates, a probe origin, a temp dir
// with the program's configuration, the program started on loopback ports and
// waited for; close() stops it, the origin, and removes the temp dir. With
// `edges:` (several loopback addresses) one copy runs per address, each a PoP
// with its own dir and cache on the same ports, all in front of one probe origin.
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
  /** each PoP's temp dir, in the order of `addresses` */
  dirs: string[];
  /** the supervised programs (of every PoP), for `lab up` and the no-orphans tests */
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
  const addresses = opts.addresses ?? ['127.0.0.1'];
  const certs = await makeLabCertificates();
  const token = randomBytes(24).toString('hex');
  const origin = await startProbeOrigin({ token, certificates: certs.origin });
  // the signed route's secret, the same on every PoP
  const secret = randomBytes(16).toString('hex');
  // one copy of the program per PoP address, each with its own temp dir (configuration, cache, logs)
  const dirs = addresses.map(() => makeLabDir(edge.name, certs));
  /** by the index of its address */
  let started: Array<StartedEdge | undefined> = [];
  const stopEdge = async () => {
    await Promise.all(started.flatMap((s) => s?.processes ?? []).map((p) => p.stop()));
    started = [];
  };
  const stop = async () => {
    await stopEdge();
    await origin.close();
    for (const dir of dirs) dir.remove();
  };
  try {
    const routes = edge.routes();
    let http = 0;
    let https = 0;
    for (let attempt = 1; ; attempt++) {
      // the same ports on every address: each copy binds its own address only
      const ports = await freePorts(2 + edge.internalPortCount, addresses);
      [http = 0, https = 0] = ports;
      try {
        const startCopy = async (address: string, i: number) => {
          const copy = await edge.start({
            dir: dirs[i]!,
            address,
            origin,
            ports: { http, https },
            internalPorts: ports.slice(2),
            routes,
            hostnames: [...LAB_HOSTNAMES],
            asRoot: process.getuid?.() === 0,
            faults: new Set(opts.faults ?? []),
            secret,
          });
          started[i] = copy;
          await waitReady({
            host: address,
            ports: [http, https, ...(copy.readyPorts ?? [])],
            processes: copy.processes,
            timeoutMs: READY_TIMEOUT_MS,
            ...(copy.ready ? { probe: copy.ready } : {}),
          });
        };
        const results = await Promise.allSettled(addresses.map(startCopy));
        const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
        if (failed) {
          const err = failed.reason as Error;
          const at = addresses[results.indexOf(failed)];
          throw addresses.length > 1 ? new Error(`${edge.name} on ${at}: ${err.message}`) : err;
        }
        break;
      } catch (err) {
        // free ports are found by binding and letting go: another process can take one before the edge binds it
        if (attempt >= PORT_ATTEMPTS || !PORT_TAKEN.test((err as Error).message)) throw err;
        await stopEdge();
      }
    }
    const host = LAB_HOSTNAMES[0];
    const byAddress = started.filter((s): s is StartedEdge => s !== undefined);
    return {
      edge,
      dir: dirs[0]!.dir,
      dirs: dirs.map((d) => d.dir),
      processes: byAddress.flatMap((s) => s.processes),
      notes: byAddress.flatMap((s) => s.notes ?? []),
      purges: edge.purges,
      ...purgeProvider(edge.purges),
      ...(byAddress[0]?.signing ? { signing: byAddress[0].signing } : {}),
      url: `https://${host}:${https}`,
      httpUrl: `http://${host}:${http}`,
      hostnames: [...LAB_HOSTNAMES],
      addresses: [...addresses],
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
