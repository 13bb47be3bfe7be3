// `lab: nginx`: nginx proxy_cache in front of the probe origin, with SNI
// certificates, an HTTP->HTTPS redirect, verified origin TLS, a secure_link
// route, and a refresh from loopback (proxy_cache_bypass) for invalidation:
// Debian 12's ngx_cache_purge 2.3 crashes nginx 1.22's worker on every purge.
import { mkdirSync } from 'node:fs';
import type { LabRoute } from '../../harness/target/lab.js';
import { ORIGIN_HOSTNAME, type OriginCertFault } from '../labCertificates.js';
import { ORIGIN_TLS_ROUTES } from '../originTlsRoutes.js';
import {
  FULL_TLS_PROMISES,
  HSTS_MAX_AGE,
  SIGNED_ROUTE,
  standardRoutes,
  type EdgeSetup,
  type RealEdge,
} from './realEdge.js';
import {
  CANONICAL_HOST,
  COUNTRY_HEADER,
  DEFAULT_COUNTRY,
  HTTPS_STATUS,
  METHOD_KEEPING_STATUS,
  nonCanonical,
  VIEWER_COUNTRIES,
  VIEWER_REDIRECTS,
  viewerRedirectBase,
} from './labRedirects.js';
import { supervise } from './supervisor.js';

const NGINX = '/usr/sbin/nginx';
/** the header that makes nginx refetch and replace a stored copy, honoured from 127.0.0.1 only */
export const REFRESH_HEADER = 'x-edgecheck-refresh';

/** What each route adds to its location block beyond the common proxy and cache setup. */
const ROUTE_DIRECTIVES: Record<string, string[]> = {
  // proxy_cache_valid applies only where the response carries no Cache-Control or Expires
  'ttl-default': ['proxy_cache_valid 200 60s;'],
  'query-none': ['proxy_cache_key $edgecheck_country:$scheme$proxy_host$uri;'],
  'query-list': ['proxy_cache_key $edgecheck_country:$scheme$proxy_host$uri?v=$arg_v;'],
  compress: ['gzip on;', 'gzip_proxied any;', 'gzip_vary on;', 'gzip_types text/plain;'],
  failover: ['proxy_next_upstream error timeout http_500 http_502 http_503 http_504;'],
};

export const nginx: RealEdge = {
  name: 'nginx',
  title: 'nginx proxy_cache (secure_link; refresh by header from loopback)',
  binaries: [NGINX],
  aptPackages: ['nginx-light'],
  version: { command: [NGINX, '-v'], pattern: /nginx\/(\S+)/ },
  cacheStatus: 'nginx',
  limits: [
    'sends no Age header (nginx does not generate Age)',
    'no TTL clamping: proxy_cache_valid only fills in a missing lifetime (no ttl-clamp route)',
    "no PURGE: Debian 12's libnginx-mod-http-cache-purge (2.3) crashes the worker on every purge with nginx 1.22; " +
      'a refresh header replaces the stored copy instead',
    "a refresh replaces only the refresher's country's copy (US from loopback): the cache key keeps the country",
  ],
  faults: {
    'no-origin-verification': 'proxy_ssl_verify off on the origin-TLS routes: any origin certificate is accepted',
  },
  purges: [
    {
      method: 'GET',
      headers: { [REFRESH_HEADER]: '1' },
      description: `GET with ${REFRESH_HEADER}: 1 refetches and replaces the stored copy`,
    },
  ],
  tls: FULL_TLS_PROMISES,
  internalPortCount: 0,
  routes: () => ({
    ...standardRoutes({
      // nginx caches nothing without Cache-Control or Expires unless proxy_cache_valid says so
      heuristicTtl: 0,
      ttlDefault: 60,
      // error responses without freshness are not cached (proxy_cache_valid names no error codes)
      errorTtl: 0,
    }),
    ...ORIGIN_TLS_ROUTES,
    signed: SIGNED_ROUTE,
  }),
  async start(setup) {
    const { secret } = setup;
    for (const sub of ['cache', 'temp', 'logs']) mkdirSync(setup.dir.path(sub));
    const conf = setup.dir.write('nginx.conf', nginxConfig(setup, secret));
    const server = supervise({
      name: 'nginx',
      command: NGINX,
      args: ['-p', setup.dir.dir, '-c', conf, '-e', 'stderr'],
      cwd: setup.dir.dir,
      logFile: setup.dir.path('logs', 'nginx.out'),
    });
    return {
      processes: [server],
      notes: [`signed   ${SIGNED_ROUTE.path}...?md5=<base64url(md5("<expires><uri> ${secret}"))>&expires=<unix time>`],
      signing: { scheme: 'nginx-secure-link', secret },
    };
  },
};

export function nginxConfig(setup: EdgeSetup, secret: string): string {
  const { dir, ports, origin } = setup;
  const toCanonicalHost = nonCanonical(setup.hostnames);
  const servers = setup.hostnames.map((host, i) => {
    const cert = dir.edge[host]!;
    return `
  server {
    listen ${setup.address}:${ports.https} ssl http2${i === 0 ? ' default_server' : ''};
    server_name ${host};
    ssl_certificate ${cert.certFile};
    ssl_certificate_key ${cert.keyFile};
    ssl_protocols TLSv1.2 TLSv1.3;
    add_header X-Cache-Status $upstream_cache_status always;
    add_header Strict-Transport-Security "max-age=${HSTS_MAX_AGE}" always;
    # viewer location, before the cache: never stored
    if ($edgecheck_viewer_302) { return 302 $edgecheck_viewer_302$request_uri; }
    if ($edgecheck_viewer_307) { return 307 $edgecheck_viewer_307$request_uri; }
${toCanonicalHost.includes(host) ? toCanonical(ports.https) : locations(setup, secret)}
  }`;
  });
  return `# edgecheck lab: nginx proxy_cache in front of the probe origin (${origin.httpUrl})
daemon off;
master_process on;
worker_processes 1;
pid ${dir.path('nginx.pid')};
${setup.asRoot ? 'user root root;\n' : ''}
events { worker_connections 1024; }

http {
  access_log ${dir.path('logs', 'access.log')};
  client_body_temp_path ${dir.path('temp', 'body')};
  proxy_temp_path ${dir.path('temp', 'proxy')};
  fastcgi_temp_path ${dir.path('temp', 'fastcgi')};
  uwsgi_temp_path ${dir.path('temp', 'uwsgi')};
  scgi_temp_path ${dir.path('temp', 'scgi')};
  proxy_cache_path ${dir.path('cache')} levels=1:2 keys_zone=edge:10m max_size=256m inactive=10m use_temp_path=off;
  # a viewer connection may carry many requests: at the default 1000 nginx ends it (GOAWAY for h2), and
  # h2load, the h2 bench's yardstick, stops a connection's work there instead of reconnecting
  keepalive_requests 1000000;
  proxy_http_version 1.1;
  proxy_set_header Connection "";
  # the viewer's country, whatever the viewer claimed, to the origin and in the cache key
  proxy_set_header ${COUNTRY_HEADER} $edgecheck_country;
  proxy_cache_key $edgecheck_country:$scheme$proxy_host$request_uri;

  # invalidation: a request from loopback with ${REFRESH_HEADER}: 1 bypasses the stored copy and replaces it
  geo $edgecheck_loopback {
    default 0;
${[...new Set(['127.0.0.1', setup.address])].map((a) => `    ${a} 1;`).join('\n')}
  }
  map "$edgecheck_loopback:$http_${REFRESH_HEADER.replace(/-/g, '_')}" $edgecheck_refresh {
    default 0;
    "1:1" 1;
  }
${viewerMaps()}

  upstream probe_origin_group {
    # max_fails=0: the primary is asked first every time, the backup only after it fails
    server ${new URL(origin.httpUrl).host} max_fails=0;
    server ${new URL(origin.secondaryHttpUrl).host} backup;
  }

  # plain HTTP: to HTTPS on the same host, the request target as received; no HSTS here (RFC 6797 7.2)
  server {
    listen ${setup.address}:${ports.http} default_server;
    if ($edgecheck_keeps_method) { return ${METHOD_KEEPING_STATUS} https://$host:${ports.https}$request_uri; }
    return ${HTTPS_STATUS} https://$host:${ports.https}$request_uri;
  }
${servers.join('\n')}
}
`;
}

/** Where the lab places a viewer, and where it sends the viewers it redirects itself, from the source address. */
function viewerMaps(): string {
  const countries = Object.entries(VIEWER_COUNTRIES).map(([from, country]) => `    ${from} ${country};`);
  const redirects = Object.entries(VIEWER_REDIRECTS).map(([from, to]) => `    ${from} "${viewerRedirectBase(to)}";`);
  return `
  geo $edgecheck_country {
    default ${DEFAULT_COUNTRY};
${countries.join('\n')}
  }
  geo $edgecheck_viewer_redirect {
    default "";
${redirects.join('\n')}
  }
  # GET and HEAD may be sent on with 301 and 302; other methods need 307 and 308 to keep the method and body
  map $request_method $edgecheck_keeps_method {
    GET 0;
    HEAD 0;
    default 1;
  }
  map $edgecheck_keeps_method $edgecheck_viewer_302 {
    0 $edgecheck_viewer_redirect;
    default "";
  }
  map $edgecheck_keeps_method $edgecheck_viewer_307 {
    1 $edgecheck_viewer_redirect;
    default "";
  }`;
}

/** A hostname other than the canonical one: every request to the canonical host, the request target as received. */
function toCanonical(httpsPort: number): string {
  const to = `https://${CANONICAL_HOST}:${httpsPort}$request_uri`;
  return `    if ($edgecheck_keeps_method) { return ${METHOD_KEEPING_STATUS} ${to}; }
    return ${HTTPS_STATUS} ${to};`;
}

function locations(setup: EdgeSetup, secret: string): string {
  const cache = ['proxy_cache edge;', 'proxy_cache_revalidate on;', 'proxy_cache_bypass $edgecheck_refresh;'];
  return Object.entries(setup.routes)
    .map(([name, route]) => {
      const directives = [`proxy_pass ${upstreamOf(name, route, setup)};`, ...cache, ...(ROUTE_DIRECTIVES[name] ?? [])];
      if (route.origin_tls) {
        directives.push(
          `proxy_ssl_verify ${setup.faults.has('no-origin-verification') ? 'off' : 'on'};`,
          'proxy_ssl_verify_depth 2;',
          `proxy_ssl_trusted_certificate ${setup.dir.caFile};`,
          `proxy_ssl_name ${ORIGIN_HOSTNAME};`,
          'proxy_ssl_server_name on;',
        );
      }
      if (name === 'signed') {
        // md5 of expiry, URI and secret
        directives.unshift(
          'secure_link $arg_md5,$arg_expires;',
          `secure_link_md5 "$secure_link_expires$uri ${secret}";`,
          'if ($secure_link = "") { return 403; }',
          // an expired link is refused as a bad one, with 403, as CloudFront refuses it (nginx's example uses 410)
          'if ($secure_link = "0") { return 403; }',
        );
      }
      return `
    # route ${name}
    location ${route.path} {
${directives.map((d) => `      ${d}`).join('\n')}
    }`;
    })
    .join('\n');
}

function upstreamOf(name: string, route: LabRoute, setup: EdgeSetup): string {
  if (route.origin_tls) return `https://127.0.0.1:${setup.origin.tlsPorts[route.origin_tls as OriginCertFault]}`;
  if (name === 'failover') return 'http://probe_origin_group';
  return setup.origin.httpUrl;
}
