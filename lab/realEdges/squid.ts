// `lab: squid`: Squid in accelerator (reverse proxy) mode, memory cache only,
// PURGE from loopback, TLS on the edge (squid-openssl) and verified TLS to the
// origin-TLS routes' peers; plain HTTP is redirected to HTTPS.
import { chownSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { ORIGIN_HOSTNAME, type OriginCertFault } from '../labCertificates.js';
import { ORIGIN_TLS_ROUTES } from '../originTlsRoutes.js';
import { HSTS_MAX_AGE, standardRoutes, type EdgeSetup, type RealEdge } from './realEdge.js';
import { supervise } from './supervisor.js';

const SQUID = '/usr/sbin/squid';
/** Debian builds Squid to drop to this user when started as root; it refuses to run as root */
const SQUID_USER = 'proxy';

export const squid: RealEdge = {
  name: 'squid',
  title: 'Squid (accelerator mode, squid-openssl)',
  binaries: [SQUID],
  aptPackages: ['squid-openssl'],
  version: { command: [SQUID, '-v'], pattern: /Version ([\d.]+)/ },
  cacheStatus: 'squid',
  limits: [
    'one certificate per https_port: Squid chooses no certificate by SNI in accelerator mode',
    'no ALPN and no HTTP/2 on https_port',
    'no compression (needs an eCAP adapter)',
    'no query-string cache keys (needs a store_id_program helper)',
    'no TTL cap: refresh_pattern bounds only heuristic freshness',
  ],
  purges: [{ method: 'PURGE', description: 'PURGE <url> drops the stored copy' }],
  tls: {
    protocols: { accept: ['TLSv1.2', 'TLSv1.3'], refuse: ['TLSv1', 'TLSv1.1'] },
    hsts: { min_max_age: HSTS_MAX_AGE },
  },
  internalPortCount: 0,
  routes: () => ({
    ...standardRoutes({
      // without max-age or Expires, refresh_pattern's heuristic applies only when Last-Modified is present
      heuristicTtl: 0,
      // refresh_pattern's min: 1 minute for a response without its own lifetime
      ttlDefault: 60,
      // negative_ttl is 0: error responses without freshness are not kept
      errorTtl: 0,
      without: ['query-none', 'query-list', 'compress'],
    }),
    ...ORIGIN_TLS_ROUTES,
  }),
  async start(setup) {
    mkdirSync(setup.dir.path('logs'));
    const conf = setup.dir.write('squid.conf', squidConfig(setup));
    if (setup.asRoot) chownTree(setup.dir.dir, SQUID_USER);
    const server = supervise({
      name: 'squid',
      command: SQUID,
      // -N: no daemon, no kids: the master is the one worker; -d1: errors to stderr
      args: ['-N', '-d', '1', '-f', conf],
      cwd: setup.dir.dir,
      logFile: setup.dir.path('logs', 'squid.out'),
      errorLogs: [setup.dir.path('logs', 'cache.log')],
    });
    return { processes: [server] };
  },
};

export function squidConfig(setup: EdgeSetup): string {
  const { ports, dir, origin } = setup;
  const [host = ''] = setup.hostnames;
  const cert = dir.edge[host]!;
  const origin0 = new URL(origin.httpUrl);
  const acls: string[] = [];
  const peers: string[] = [];
  /** the origin-TLS routes' ACLs: those paths go to their own peer, never to the plain origin */
  const tlsRouteAcls: string[] = [];
  const failover = setup.routes['failover'];
  if (failover) {
    const secondary = new URL(origin.secondaryHttpUrl);
    acls.push(`acl route_failover urlpath_regex ^${failover.path}`);
    peers.push(`# route failover: the probe origin first, then its secondary (retry_on_error)
cache_peer ${secondary.hostname} parent ${secondary.port} 0 no-query no-digest originserver name=secondary
cache_peer_access secondary allow route_failover
cache_peer_access secondary deny all`);
  }
  for (const [name, route] of Object.entries(setup.routes)) {
    if (!route.origin_tls) continue;
    const port = origin.tlsPorts[route.origin_tls as OriginCertFault];
    acls.push(`acl route_${name} urlpath_regex ^${route.path}`);
    tlsRouteAcls.push(`route_${name}`);
    const peer = [
      `cache_peer 127.0.0.1 parent ${port} 0 no-query no-digest originserver name=${name}`,
      `tls tls-cafile=${dir.caFile} tls-domain=${ORIGIN_HOSTNAME}`,
    ].join(' ');
    peers.push(`# route ${name}: the origin's certificate fault is "${route.origin_tls}"
${peer}
cache_peer_access ${name} allow route_${name}
cache_peer_access ${name} deny all`);
  }
  const httpsPort = [
    `https_port ${setup.address}:${ports.https} accel vhost defaultsite=${host} name=tls`,
    `tls-cert=${cert.certFile} tls-key=${cert.keyFile} tls-min-version=1.2`,
  ].join(' ');
  return `# edgecheck lab: Squid accelerating the probe origin (${origin.httpUrl})
http_port ${setup.address}:${ports.http} accel vhost defaultsite=${host} name=plain
${httpsPort}

${acls.join('\n')}
cache_peer ${origin0.hostname} parent ${origin0.port} 0 no-query no-digest originserver name=origin
${tlsRouteAcls.map((acl) => `cache_peer_access origin deny ${acl}`).join('\n')}
cache_peer_access origin allow all
${peers.join('\n')}
never_direct allow all
# a 5xx from one peer is tried again at the next (the failover route's secondary)
retry_on_error on

acl lab_sites dstdomain ${setup.hostnames.join(' ')}
acl plain myportname plain
acl purge method PURGE
acl loopback src ${[...new Set(['127.0.0.1', setup.address])].map((a) => `${a}/32`).join(' ')}
http_access allow purge loopback
http_access deny purge
http_access deny plain
deny_info 301:https://%H:${ports.https}%R plain
http_access allow lab_sites
http_access deny all

acl on_tls myportname tls
reply_header_add Strict-Transport-Security "max-age=${HSTS_MAX_AGE}" on_tls

refresh_pattern ${setup.routes['ttl-default']?.path ?? '/ttl-default/'} 1 0% 1
refresh_pattern . 0 20% 4320

cache_mem 64 MB
maximum_object_size_in_memory 1 MB
visible_hostname ${host}
pid_filename ${dir.path('squid.pid')}
cache_log ${dir.path('logs', 'cache.log')}
access_log stdio:${dir.path('logs', 'access.log')}
coredump_dir ${dir.dir}
netdb_filename none
pinger_enable off
icp_port 0
htcp_port 0
logfile_rotate 0
shutdown_lifetime 1 seconds
${setup.asRoot ? `cache_effective_user ${SQUID_USER}\n` : ''}`;
}

/** Squid drops to its own user after start, so the lab dir must be that user's. */
function chownTree(path: string, user: string): void {
  const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
  const walk = (p: string) => {
    chownSync(p, uid, gid);
    if (statSync(p).isDirectory()) for (const entry of readdirSync(p)) walk(join(p, entry));
  };
  walk(path);
}
