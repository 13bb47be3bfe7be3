// `lab: squid`: Squid in accelerator (reverse proxy) mode, memory cache only,
// PURGE from loopback, TLS on the edge (squid-openssl) and verified TLS to the
// origin-TLS routes' peers; plain HTTP is redirected to HTTPS.
import { chownSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { ORIGIN_HOSTNAME, type OriginCertFault } from '../labCertificates.js';
import { ORIGIN_TLS_ROUTES } from '../originTlsRoutes.js';
import { HSTS_MAX_AGE, standardRoutes, type EdgeSetup, type RealEdge } from './realEdge.js';
import {
  CANONICAL_HOST,
  HTTPS_STATUS,
  LAB_REDIRECTS,
  METHOD_KEEPING_STATUS,
  nonCanonical,
  VIEWER_REDIRECTS,
  viewerRedirectBase,
} from './labRedirects.js';
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
    "no viewer country in the cache key: Squid keys on the URL and the origin's Vary only (or a store_id helper)",
    "deny_info writes a redirect's %R HTML-escaped: a query's & becomes &amp; in the Location",
  ],
  purges: [{ method: 'PURGE', description: 'PURGE <url> drops the stored copy' }],
  tls: {
    protocols: { accept: ['TLSv1.2', 'TLSv1.3'], refuse: ['TLSv1', 'TLSv1.1'] },
    hsts: { min_max_age: HSTS_MAX_AGE },
  },
  // no CloudFront-Viewer-Country: what Squid cannot keep in its key it does not send
  redirects: {
    https: LAB_REDIRECTS.https!,
    canonical_host: LAB_REDIRECTS.canonical_host!,
    viewer_location: (LAB_REDIRECTS.viewer_location ?? []).filter((rule) => rule.to !== undefined),
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
acl purge method PURGE
acl loopback src ${[...new Set(['127.0.0.1', setup.address])].map((a) => `${a}/32`).join(' ')}
http_access allow purge loopback
http_access deny purge
${redirects(setup)}
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

/**
 * The redirects, each a denial with a deny_info URL (the status from the last ACL on the line): plain HTTP to
 * HTTPS on the same host, viewers by address elsewhere, other hostnames to the canonical one. Each ACL has a
 * second name for methods other than GET and HEAD, whose deny_info keeps the method (307, 308).
 */
function redirects(setup: EdgeSetup): string {
  const https = setup.ports.https;
  const lines = [
    '# GET and HEAD may be sent on with 301 and 302; other methods need 307 and 308 to keep the method and body',
    'acl get_or_head method GET HEAD',
  ];
  const redirect = (name: string, acl: string, to: string, statuses: [number, number]) => {
    lines.push(
      `acl ${name} ${acl}`,
      `acl ${name}_keeps_method ${acl}`,
      `http_access deny get_or_head ${name}`,
      `deny_info ${statuses[0]}:${to} ${name}`,
      `http_access deny ${name}_keeps_method`,
      `deny_info ${statuses[1]}:${to} ${name}_keeps_method`,
    );
  };
  redirect('plain', 'myportname plain', `https://%H:${https}%R`, [HTTPS_STATUS, METHOD_KEEPING_STATUS]);
  Object.entries(VIEWER_REDIRECTS).forEach(([from, to], i) =>
    redirect(`viewer_redirect_${i}`, `src ${from}/32`, `${viewerRedirectBase(to)}%R`, [302, 307]),
  );
  const others = nonCanonical(setup.hostnames);
  if (others.length > 0) {
    const to = `https://${CANONICAL_HOST}:${https}%R`;
    redirect('to_canonical', `dstdomain ${others.join(' ')}`, to, [HTTPS_STATUS, METHOD_KEEPING_STATUS]);
  }
  return lines.join('\n');
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
