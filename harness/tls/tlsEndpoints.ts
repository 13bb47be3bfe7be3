// The endpoints a tls step expands to: each hostname (or one) x each edge
// address (or one) x each offered version range. With `edges: dns`, or no
// pinned addresses, "each edge" is every A/AAAA record of that hostname.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { SecureVersion } from 'node:tls';
import type { TlsStep } from '../steps/tls.js';
import { TargetUnreachable } from '../errors.js';
import type { OpenTarget } from '../target/openTarget.js';
import { offeredAlpn, offeredVersions, type TlsPromises } from './tlsPromises.js';

export interface TlsEndpoint {
  host: string;
  /** the edge address to connect to; undefined = resolve host */
  address?: string;
  port: number;
  /** as the step says: false = no SNI, a name = that name, undefined = host */
  sni?: string | false;
  alpn?: string[];
  minVersion?: SecureVersion;
  maxVersion?: SecureVersion;
  /** "static.example.com via 192.0.2.7:443 (TLSv1.1)": names the endpoint in findings */
  label: string;
}

export async function tlsEndpoints(
  options: TlsStep['tls'],
  target: OpenTarget,
  promises: TlsPromises,
): Promise<TlsEndpoint[]> {
  const hosts = options.each_hostname ? target.hostnames : [options.host ?? target.url.hostname];
  const port = options.port ?? Number(target.url.port || 443);
  const alpn = offeredAlpn(options, promises);
  const versions = offeredVersions(options, promises);
  const out: TlsEndpoint[] = [];
  for (const host of hosts) {
    for (const address of await edgeAddresses(options, target, host)) {
      for (const { min, max } of versions) {
        const exact = min !== undefined && min === max ? ` (${min})` : '';
        const noSni = options.sni === false ? ' without SNI' : '';
        out.push({
          host,
          ...(address === undefined ? {} : { address }),
          port,
          ...(options.sni === undefined ? {} : { sni: options.sni }),
          ...(alpn ? { alpn } : {}),
          ...(min ? { minVersion: min } : {}),
          ...(max ? { maxVersion: max } : {}),
          label: `${host} via ${hostPort(address ?? host, port)}${noSni}${exact}`,
        });
      }
    }
  }
  return out;
}

/** The SNI an endpoint sends: an IP host sends none (RFC 6066 3). */
export function sentSni(endpoint: TlsEndpoint): string | null {
  if (endpoint.sni === false) return null;
  if (endpoint.sni !== undefined) return endpoint.sni;
  return isIP(endpoint.host) ? null : endpoint.host;
}

async function edgeAddresses(
  options: TlsStep['tls'],
  target: OpenTarget,
  host: string,
): Promise<Array<string | undefined>> {
  if (options.address !== undefined) return [options.address];
  if (!options.each_edge) return [target.addresses[0]];
  if (target.config.edges !== 'dns' && target.addresses.length > 0) return target.addresses;
  try {
    const found = await lookup(host, { all: true });
    return [...new Set(found.map((a) => a.address))];
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new TargetUnreachable(`each_edge: cannot resolve ${host}: ${code}`, err);
  }
}

function hostPort(host: string, port: number): string {
  return `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
}
