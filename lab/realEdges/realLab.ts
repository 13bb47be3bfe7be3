// A real edge as a lab target: fresh certificates, a probe origin, a temp dir
// with the program's configuration, the program started on loopback ports and
// waited for; close() stops it, the origin, and removes the temp dir. With
// `edges:` (several loopback addresses) one copy runs per address, each a PoP
// with its own dir and cache on the same ports, all in front of one probe origin.
// With a parent (targets.yaml `parent:`) one more copy runs as the tier the
// edges send the shield route to, on ports of its own on 127.0.0.1.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { LabInstance, LabRoute, LabStartOptions } from '../../harness/target/lab.js';
import { LAB_HOSTNAMES, makeLabCertificates } from '../labCertificates.js';
import { startProbeOrigin } from '../probeOrigin/probeOrigin.js';
import { freePorts } from './freePorts.js';
import { LAB_REDIRECTS } from './labRedirects.js';
import { makeLabDir } from './labDir.js';
import {
  aptGetLine,
  shieldRoute,
  type EdgeInvalidation,
  type EdgeSetup,
  type EdgeSigning,
  type RealEdge,
  type StartedEdge,
} from './realEdge.js';
import type { Supervised } from './supervisor.js';
import { waitReady } from './waitReady.js';

const READY_TIMEOUT_MS = 30_000;

/**
 * Routes from targets.yaml are declared over the edge's own (every path is proxied to the probe origin).
 * `parent`: the program that runs as the parent tier, resolved from LabStartOptions.parent's name.
 */
export type RealLabOptions = Omit<LabStartOptions, 'parent'> & { parent?: RealEdge };

/**
 * Where the parent tier listens: 127.0.0.1 on ports of its own, drawn with the edges' so none is shared. It needs
 * no address of its own (nothing pins to it, and it is in every purge ACL already), and 127.0.0.1 is there on
 * every system, where 127.0.0.2 and up are not on all.
 */
export const PARENT_ADDRESS = '127.0.0.1';

/** Whether `edge` can run in front of `parent` in a two-tier lab: the one rule, from each program's `tiers`. */
export function canRunInFront(edge: RealEdge, parent: RealEdge): boolean {
  return edge.tiers?.edge === true && parent.tiers?.parent === true;
}

export interface RealLab extends LabInstance {
  edge: RealEdge;
  /** the temp dir holding the configuration and logs while the lab runs */
  dir: string;
  /** each PoP's temp dir, in the order of `addresses` */
  dirs: string[];
  /** the parent tier of a two-tier lab: where it listens and its temp dir */
  parent?: { edge: RealEdge; url: string; dir: string };
  /** the supervised programs (of every PoP and the parent tier), for `lab up` and the no-orphans tests */
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
  const parentEdge = opts.parent;
  if (parentEdge && !canRunInFront(edge, parentEdge)) {
    throw new Error(`${edge.name} cannot run in front of a ${parentEdge.name} parent tier`);
  }
  for (const program of parentEdge && parentEdge !== edge ? [edge, parentEdge] : [edge]) {
    const missing = missingBinaries(program);
    if (missing.length > 0) {
      throw new Error(`${missing.join(', ')} not found; install it with: ${aptGetLine(program)}`);
    }
  }
  const addresses = opts.addresses ?? ['127.0.0.1'];
  const certs = await makeLabCertificates();
  const token = randomBytes(24).toString('hex');
  const origin = await startProbeOrigin({ token, certificates: certs.origin });
  // the signed route's secret, the same on every PoP
  const secret = randomBytes(16).toString('hex');
  // one copy of the program per PoP address, each with its own temp dir (configuration, cache, logs)
  const dirs = addresses.map(() => makeLabDir(edge.name, certs));
  const parentDir = parentEdge ? makeLabDir(`${parentEdge.name}-parent`, certs) : undefined;
  /** by the index of its address */
  let started: Array<StartedEdge | undefined> = [];
  let parentStarted: StartedEdge | undefined;
  const stopEdge = async () => {
    const processes = [...started, parentStarted].flatMap((s) => s?.processes ?? []);
    await Promise.all(processes.map((p) => p.stop()));
    started = [];
    parentStarted = undefined;
  };
  const stop = async () => {
    await stopEdge();
    await origin.close();
    for (const dir of dirs) dir.remove();
    parentDir?.remove();
  };
  try {
    // only a two-tier lab has a shield route: in a single tier it would be one more default route
    const routes = { ...edge.routes(), ...(parentEdge ? { shield: shieldRoute() } : {}) };
    const common = {
      origin,
      routes,
      hostnames: [...LAB_HOSTNAMES],
      asRoot: process.getuid?.() === 0,
      faults: new Set(opts.faults ?? []),
      secret,
    };
    let http = 0;
    let https = 0;
    let parentHttp = 0;
    for (let attempt = 1; ; attempt++) {
      // the same ports on every address: each copy binds its own address only; the parent's come after the edges'
      const edgeCount = 2 + edge.internalPortCount;
      const parentCount = parentEdge ? 2 + parentEdge.internalPortCount : 0;
      const on = parentEdge ? [...new Set([...addresses, PARENT_ADDRESS])] : addresses;
      const ports = await freePorts(edgeCount + parentCount, on);
      [http = 0, https = 0] = ports;
      const parentPorts = ports.slice(edgeCount);
      parentHttp = parentPorts[0] ?? 0;
      try {
        if (parentEdge && parentDir) {
          // first, so no edge forwards to a port nobody listens on yet
          parentStarted = await parentEdge.start({
            ...common,
            role: 'parent',
            dir: parentDir,
            address: PARENT_ADDRESS,
            ports: { http: parentHttp, https: parentPorts[1] ?? 0 },
            internalPorts: parentPorts.slice(2),
          });
          await waitFor(parentStarted, PARENT_ADDRESS, [parentHttp]).catch((err: Error) => {
            throw new Error(`the ${parentEdge.name} parent tier: ${err.message}`);
          });
        }
        const startCopy = async (address: string, i: number) => {
          const setup: EdgeSetup = {
            ...common,
            role: 'edge',
            dir: dirs[i]!,
            address,
            ports: { http, https },
            internalPorts: ports.slice(2, edgeCount),
            ...(parentEdge ? { parent: { host: PARENT_ADDRESS, port: parentHttp } } : {}),
          };
          const copy = await edge.start(setup);
          started[i] = copy;
          await waitFor(copy, address, [http, https]);
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
    const parentUrl = `http://${PARENT_ADDRESS}:${parentHttp}`;
    const parent = parentEdge && parentDir ? { edge: parentEdge, url: parentUrl, dir: parentDir.dir } : undefined;
    return {
      edge,
      dir: dirs[0]!.dir,
      dirs: dirs.map((d) => d.dir),
      ...(parent ? { parent } : {}),
      processes: [...byAddress, ...(parentStarted ? [parentStarted] : [])].flatMap((s) => s.processes),
      notes: [
        ...byAddress.flatMap((s) => s.notes ?? []),
        ...(parent
          ? [`parent   ${parent.edge.name} at ${parent.url} (the shield route ${routes['shield']?.path})`]
          : []),
      ],
      purges: edge.purges,
      ...purgeProvider(edge.purges, parent ? [parent.url] : []),
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
      redirects: edge.redirects ?? LAB_REDIRECTS,
      close: stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Waits until a started copy serves on `ports` and its own ready ports, or its processes die. */
async function waitFor(copy: StartedEdge, host: string, ports: number[]): Promise<void> {
  await waitReady({
    host,
    ports: [...ports, ...(copy.readyPorts ?? [])],
    processes: copy.processes,
    timeoutMs: READY_TIMEOUT_MS,
    ...(copy.ready ? { probe: copy.ready } : {}),
  });
}

/**
 * The `invalidation:` block a target gets from the edge's purge methods: a
 * PURGE to each edge address (and first to the parent tier, where there is
 * one), and a prefix method (Varnish's BAN) for a trailing `*`. A refresh by
 * GET (nginx) is no purge: such an edge declares none. The parent is sent the
 * edge's purge methods: the one pair allowed so far is Varnish behind Varnish.
 */
function purgeProvider(purges: EdgeInvalidation[], parents: string[]): Pick<LabInstance, 'invalidation'> {
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
      ...(parents.length ? { parents } : {}),
    },
  };
}
