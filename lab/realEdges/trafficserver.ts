// `lab: trafficserver`: Apache Traffic Server as a reverse proxy in its own
// runroot: remap to the probe origin, TLS on the edge with a certificate per
// SNI name, origin certificates verified (ENFORCED), PURGE from loopback only,
// signed URLs checked by url_sig (`signed`) and by uri_signing (`signed-jwt`).
import { createHmac } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import https from 'node:https';
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
  METHOD_KEEPING_STATUS,
  nonCanonical,
  VIEWER_COUNTRIES,
  VIEWER_REDIRECTS,
} from './labRedirects.js';
import { supervise } from './supervisor.js';

const TRAFFIC_SERVER = '/usr/bin/traffic_server';
/** where Debian's packages put Traffic Server's plugins */
const PLUGIN_DIR = '/usr/lib/trafficserver/modules';
/** the error page templates from the package; everything else is the lab's own */
const BODY_FACTORY = '/etc/trafficserver/body_factory';

/** The route whose URLs carry a CDNI URI Signing token (RFC 9246), checked by the uri_signing plugin. */
export const SIGNED_JWT_ROUTE: LabRoute = { path: '/signed-jwt/', ttl: { min: 0, default: 0 }, query_key: 'all' };

/**
 * The `signing:` block for the signed-jwt route: the uri_signing plugin's issuer, key and audience (its `id`),
 * the HS256 key derived from the lab's secret so that the url_sig block (which has the secret) leads to it.
 */
export function uriSigningBlock(secret: string) {
  return {
    scheme: 'uri-signing',
    iss: 'edgecheck-lab',
    kid: 'edgecheck-lab-key',
    key: createHmac('sha256', secret).update('uri-signing').digest('base64url'),
    aud: 'edgecheck-lab',
  } as const;
}

/** What each route adds to its remap rule: plugins and per-rule overrides of records.config. */
function routePlugins(name: string, setup: EdgeSetup): string[] {
  const overrides = (records: Record<string, number>) => [
    '@plugin=conf_remap.so',
    ...Object.entries(records).map(([k, v]) => `@pparam=proxy.config.${k}=${v}`),
  ];
  switch (name) {
    // a lifetime for responses that carry none: the heuristic bounds, pinned to 60 s
    case 'ttl-default':
      return overrides({
        'http.cache.required_headers': 0,
        'http.cache.heuristic_min_lifetime': 60,
        'http.cache.heuristic_max_lifetime': 60,
      });
    case 'ttl-clamp':
      return overrides({ 'http.cache.guaranteed_min_lifetime': 5, 'http.cache.guaranteed_max_lifetime': 6 });
    case 'query-none':
      return cacheKey('--remove-all-params=true');
    case 'query-list':
      return cacheKey('--include-params=v');
    case 'compress':
      return ['@plugin=compress.so', `@pparam=${setup.dir.path('etc', 'compress.config')}`];
    // pristineurl: the plugin checks the URL as requested, not the one the rule made of it
    case 'signed':
      return ['@plugin=url_sig.so', `@pparam=${setup.dir.path('etc', 'url_sig.config')}`, '@pparam=pristineurl'];
    // the plugin always checks the URL as requested
    case 'signed-jwt':
      return ['@plugin=uri_signing.so', `@pparam=${setup.dir.path('etc', 'uri_signing.json')}`];
    default:
      return [];
  }
}

/** The cache key: the viewer's country (set from its address, redirects.config) with whatever the route keeps. */
function cacheKey(...params: string[]): string[] {
  return ['@plugin=cachekey.so', ...[`--include-headers=${COUNTRY_HEADER}`, ...params].map((p) => `@pparam=${p}`)];
}

export const trafficserver: RealEdge = {
  name: 'trafficserver',
  title: 'Apache Traffic Server (reverse proxy, remap)',
  // the signed routes' plugins come from the experimental package
  binaries: [TRAFFIC_SERVER, `${PLUGIN_DIR}/url_sig.so`, `${PLUGIN_DIR}/uri_signing.so`],
  aptPackages: ['trafficserver', 'trafficserver-experimental-plugins'],
  version: { command: [TRAFFIC_SERVER, '--version'], pattern: /Traffic Server ([\d.]+)/ },
  cacheStatus: 'trafficserver',
  limits: [
    "the viewer-location redirect's Location drops a path's ;parameters: header_rewrite's CLIENT-URL:PATH ends at ';'",
    "a PURGE drops only the purger's country's copy (US from loopback): the cache key keeps the country",
  ],
  purges: [{ method: 'PURGE', description: 'PURGE <url> drops the stored copy' }],
  tls: FULL_TLS_PROMISES,
  internalPortCount: 0,
  routes: () => ({
    ...standardRoutes({
      // required_headers 2: nothing is cached without max-age or Expires
      heuristicTtl: 0,
      ttlDefault: 60,
      ttlClamp: { min: 5, default: 0, max: 6 },
      // negative caching is off: error responses without freshness are not kept
      errorTtl: 0,
    }),
    ...ORIGIN_TLS_ROUTES,
    signed: SIGNED_ROUTE,
    'signed-jwt': SIGNED_JWT_ROUTE,
  }),
  async start(setup) {
    for (const sub of ['etc', 'run', 'log', 'cache', 'var']) mkdirSync(setup.dir.path(sub));
    const files = trafficserverFiles(setup);
    for (const [name, text] of Object.entries(files)) setup.dir.write(name, text);
    const server = supervise({
      name: 'traffic_server',
      command: TRAFFIC_SERVER,
      args: [`--run-root=${setup.dir.path('runroot.yaml')}`],
      cwd: setup.dir.dir,
      logFile: setup.dir.path('log', 'traffic_server.out'),
      errorLogs: [setup.dir.path('log', 'diags.log')],
    });
    const jwt = uriSigningBlock(setup.secret);
    return {
      processes: [server],
      ready: originAnswersThrough(setup),
      notes: [
        `signed       ${SIGNED_ROUTE.path}...?E=<unix time>&A=1&K=0&P=1&S=<hex hmac-sha1(key0 = ${setup.secret})>`,
        `signed-jwt   ${SIGNED_JWT_ROUTE.path}...?URISigningPackage=<JWT: HS256, kid ${jwt.kid}, iss ${jwt.iss}, ` +
          `aud ${jwt.aud}, k ${jwt.key}>`,
      ],
      // a target has one signing block: url_sig's; uriSigningBlock(key) gives the signed-jwt route's
      signing: { scheme: 'trafficserver-url-sig', key: setup.secret },
    };
  },
};

/**
 * Traffic Server reads its hosts file (the origin's name) after it opens its
 * ports: it is ready once a request through the origin-TLS route reaches the
 * probe origin, which answers 404 for a path nobody programmed.
 */
function originAnswersThrough(setup: EdgeSetup): () => Promise<boolean> {
  const host = setup.hostnames[0] ?? '';
  const path = Object.values(setup.routes).find((r) => r.origin_tls === 'valid')?.path ?? '/';
  const ca = readFileSync(setup.dir.caFile);
  return () =>
    new Promise((resolve) => {
      const req = https.get(
        {
          host: setup.address,
          port: setup.ports.https,
          servername: host,
          path,
          headers: { host: `${host}:${setup.ports.https}` },
          ca,
          timeout: 2000,
        },
        (res) => {
          res.resume();
          resolve(res.statusCode === 404);
        },
      );
      req.on('error', () => resolve(false));
      req.on('timeout', () => req.destroy());
    });
}

/** Every file of the runroot, by its path inside the lab dir. */
export function trafficserverFiles(setup: EdgeSetup): Record<string, string> {
  const { dir } = setup;
  return {
    'runroot.yaml': runroot(setup),
    'etc/records.config': records(setup),
    'etc/remap.config': remap(setup),
    'etc/storage.config': `${dir.path('cache')} 64M\n`,
    'etc/ssl_multicert.config': setup.hostnames
      .map((host, i) => {
        const { certFile, keyFile } = dir.edge[host]!;
        return `ssl_cert_name=${certFile} ssl_key_name=${keyFile}${i === 0 ? ' dest_ip=*' : ''}\n`;
      })
      .join(''),
    'etc/ip_allow.yaml': ipAllow(setup.address),
    // the origin's hostname, for TLS verification and SNI, without DNS
    'etc/hosts': `127.0.0.1 ${ORIGIN_HOSTNAME}\n`,
    'etc/sni.yaml': 'sni: []\n',
    'etc/plugin.config': `header_rewrite.so ${dir.path('etc', 'hsts.config')} ${dir.path('etc', 'redirects.config')}\n`,
    'etc/redirects.config': redirectRules(setup),
    'etc/viewer_location.config': viewerLocationRules(),
    'etc/hsts.config':
      'cond %{SEND_RESPONSE_HDR_HOOK} [AND]\n' +
      'cond %{INBOUND:TLS} /./\n' +
      `set-header Strict-Transport-Security "max-age=${HSTS_MAX_AGE}"\n`,
    'etc/compress.config': COMPRESS,
    // error_url 403: a refused signature is "403 Authorization Denied" (a 302 would need a URL to send to)
    'etc/url_sig.config': `key0 = ${setup.secret}\nerror_url = 403\n`,
    'etc/uri_signing.json': uriSigningConfig(setup.secret),
    'etc/logging.yaml': 'logging: {}\n',
    'etc/cache.config': '',
    'etc/hosting.config': '',
    'etc/parent.config': parents(setup),
    'etc/volume.config': '',
    'etc/splitdns.config': '',
    'etc/socks.config': '',
    'etc/strategies.yaml': '',
  };
}

function runroot(setup: EdgeSetup): string {
  const p = (sub: string) => setup.dir.path(sub);
  return `# edgecheck lab: Traffic Server's layout, everything mutable in the lab dir
prefix: /usr
exec_prefix: /usr
bindir: /usr/bin
sbindir: /usr/sbin
sysconfdir: ${p('etc')}
datadir: ${p('var')}
includedir: /usr/include
libdir: /usr/lib/trafficserver
libexecdir: ${PLUGIN_DIR}
localstatedir: ${p('var')}
runtimedir: ${p('run')}
logdir: ${p('log')}
cachedir: ${p('cache')}
`;
}

function records(setup: EdgeSetup): string {
  const { ports, dir } = setup;
  const asRoot = setup.asRoot
    ? '# run as the user who started it (root may not be named here)\nCONFIG proxy.config.admin.user_id STRING #-1\n'
    : '';
  const at = setup.address;
  return `# edgecheck lab: Traffic Server on ${at}, reverse proxy for the probe origin
CONFIG proxy.config.http.server_ports STRING ${ports.http}:ipv4:ip-in=${at} ${ports.https}:ipv4:ssl:ip-in=${at}
CONFIG proxy.config.http.wait_for_cache INT 1
CONFIG proxy.config.reverse_proxy.enabled INT 1
CONFIG proxy.config.url_remap.remap_required INT 1
CONFIG proxy.config.url_remap.pristine_host_hdr INT 0
CONFIG proxy.config.http.cache.http INT 1
CONFIG proxy.config.http.cache.required_headers INT 2
CONFIG proxy.config.http.insert_age_in_response INT 1
CONFIG proxy.config.http.insert_response_via_str INT 2
CONFIG proxy.config.http.negative_caching_enabled INT 0
CONFIG proxy.config.ssl.server.cert.path STRING ${dir.path('tls')}
CONFIG proxy.config.ssl.server.private_key.path STRING ${dir.path('tls')}
CONFIG proxy.config.ssl.TLSv1 INT 0
CONFIG proxy.config.ssl.TLSv1_1 INT 0
CONFIG proxy.config.ssl.client.verify.server.policy STRING ENFORCED
CONFIG proxy.config.ssl.client.verify.server.properties STRING ALL
CONFIG proxy.config.ssl.client.CA.cert.path STRING ${dir.path('tls')}
CONFIG proxy.config.ssl.client.CA.cert.filename STRING ca.pem
CONFIG proxy.config.ssl.client.sni_policy STRING remap
# the origin group's parents are on 127.0.0.1 too: do not drop them as "this machine"
CONFIG proxy.config.http.parent_proxy.self_detect INT 0
CONFIG proxy.config.hostdb.host_file.path STRING ${dir.path('etc', 'hosts')}
CONFIG proxy.config.body_factory.template_sets_dir STRING ${BODY_FACTORY}
CONFIG proxy.config.log.logfile_dir STRING ${dir.path('log')}
CONFIG proxy.config.exec_thread.autoconfig INT 0
CONFIG proxy.config.exec_thread.limit INT 2
CONFIG proxy.config.accept_threads INT 1
CONFIG proxy.config.task_threads INT 1
CONFIG proxy.config.cache.ram_cache.size INT 33554432
CONFIG proxy.config.diags.output.error STRING SE
CONFIG proxy.config.diags.output.fatal STRING SE
${asRoot}`;
}

function remap(setup: EdgeSetup): string {
  const { ports, origin } = setup;
  const lines: string[] = [
    '# edgecheck lab: plain HTTP to HTTPS, other hostnames to the canonical one; the more specific path first',
  ];
  const byPathLength = Object.entries(setup.routes).sort(([, a], [, b]) => b.path.length - a.path.length);
  for (const host of setup.hostnames) {
    lines.push(`redirect http://${host}:${ports.http}/ https://${host}:${ports.https}/`);
  }
  const others = nonCanonical(setup.hostnames);
  for (const host of others) {
    lines.push(`redirect https://${host}:${ports.https}/ https://${CANONICAL_HOST}:${ports.https}/`);
  }
  const served = setup.hostnames.filter((host) => !others.includes(host));
  for (const [host, [name, route]] of served.flatMap((h) => byPathLength.map((r) => [h, r] as const))) {
    // the origin by name (the lab's hosts file), never as 127.0.0.1: for an address Traffic Server first asks DNS
    // for its name, and with no resolver reachable that lookup holds the request for seconds
    const to = route.origin_tls
      ? `https://${ORIGIN_HOSTNAME}:${origin.tlsPorts[route.origin_tls as OriginCertFault]}${route.path}`
      : name === 'failover'
        ? `http://${ORIGIN_GROUP}${route.path}`
        : `http://${ORIGIN_HOSTNAME}:${new URL(origin.httpUrl).port}${route.path}`;
    const plugins = routePlugins(name, setup);
    // the country goes into every key: a route with a cachekey of its own has it there already
    const key = plugins.includes('@plugin=cachekey.so') ? [] : cacheKey();
    // the viewer-location redirect first, before any other plugin of the rule looks at the request
    const viewer = ['@plugin=header_rewrite.so', `@pparam=${setup.dir.path('etc', 'viewer_location.config')}`];
    const rule = [`map https://${host}:${ports.https}${route.path}`, to, ...viewer, ...plugins, ...key];
    lines.push(rule.join(' '));
  }
  return lines.join('\n') + '\n';
}

/**
 * The viewer-location redirect, in each rule's remap (a global rule's set-redirect before remap sends its
 * %{PATH} unexpanded): 302, or 307 for a method other than GET and HEAD; never cached.
 */
function viewerLocationRules(): string {
  const rules = Object.entries(VIEWER_REDIRECTS).flatMap(([from, to]) =>
    [
      ['302', ''],
      ['307', ' [NOT]'],
    ].map(
      ([status, not]) => `cond %{IP:CLIENT} ="${from}" [AND]
cond %{METHOD} /^(GET|HEAD)$/${not}
    set-redirect ${status} "${to}%{CLIENT-URL:PATH}" [QSA]`,
    ),
  );
  return `${rules.join('\n\n')}\n`;
}

/**
 * Global header_rewrite rules: the viewer's country from its address (whatever it claimed), and 308 instead
 * of the remap redirect's 301 for a method other than GET and HEAD (every 301 over plain HTTP, and every one
 * to a non-canonical hostname, is a remap redirect).
 */
function redirectRules(setup: EdgeSetup): string {
  const rules = [
    `# the viewer's country, to the origin and (cachekey) in the cache key
cond %{READ_REQUEST_HDR_HOOK}
    set-header ${COUNTRY_HEADER} ${DEFAULT_COUNTRY}`,
    ...Object.entries(VIEWER_COUNTRIES).map(
      ([from, country]) => `cond %{READ_REQUEST_HDR_HOOK} [AND]
cond %{IP:CLIENT} ="${from}"
    set-header ${COUNTRY_HEADER} ${country}`,
    ),
    `# a method other than GET and HEAD keeps its method and body: 308 over plain HTTP
cond %{SEND_RESPONSE_HDR_HOOK} [AND]
cond %{STATUS} =301 [AND]
cond %{METHOD} /^(GET|HEAD)$/ [NOT,AND]
cond %{INBOUND:TLS} /./ [NOT]
    set-status ${METHOD_KEEPING_STATUS}
    set-status-reason "Permanent Redirect"`,
    ...nonCanonical(setup.hostnames).map(
      (host) => `# and to the canonical host
cond %{SEND_RESPONSE_HDR_HOOK} [AND]
cond %{STATUS} =301 [AND]
cond %{METHOD} /^(GET|HEAD)$/ [NOT,AND]
cond %{CLIENT-HEADER:Host} /^${host.replace(/\./g, '\\.')}(:[0-9]+)?$/
    set-status ${METHOD_KEEPING_STATUS}
    set-status-reason "Permanent Redirect"`,
    ),
  ];
  return `${rules.join('\n\n')}\n`;
}

/** The failover route's origin group: the probe origin first, its secondary listener when it answers 5xx. */
const ORIGIN_GROUP = 'origin-group.edgecheck.test';

function parents(setup: EdgeSetup): string {
  const primary = new URL(setup.origin.httpUrl).host;
  const secondary = new URL(setup.origin.secondaryHttpUrl).host;
  // round_robin=false: the first parent always, the next one on a retry
  const line = [
    `dest_domain=${ORIGIN_GROUP} parent="${primary};${secondary}"`,
    'round_robin=false go_direct=false parent_is_proxy=false',
    'parent_retry=unavailable_server_retry unavailable_server_retry_responses="500,502,503,504"',
  ].join(' ');
  return `${line}\n`;
}

/**
 * The uri_signing plugin's config: the issuer's JWK set, its one key also the renewal key (the plugin loads no
 * set without one), the audience it answers to, and the token dropped from the URL the origin and cache see.
 */
function uriSigningConfig(secret: string): string {
  const { iss, kid, key, aud } = uriSigningBlock(secret);
  const issuer = {
    renewal_kid: kid,
    id: aud,
    strip_token: true,
    keys: [{ alg: 'HS256', kid, kty: 'oct', k: key }],
  };
  return `${JSON.stringify({ [iss]: issuer }, null, 2)}\n`;
}

/** The compress plugin: gzip for clients that ask for it, text only, Vary set. */
const COMPRESS = `enabled true
cache true
remove-accept-encoding true
compressible-content-type text/*
supported-algorithms gzip
minimum-content-length 256
`;

const ipAllow = (address: string) => `# edgecheck lab: PURGE (and the other unsafe methods) only from loopback
ip_allow:
  - apply: in
    ip_addrs: ${address === '127.0.0.1' ? address : `[127.0.0.1, ${address}]`}
    action: allow
    methods: ALL
  - apply: in
    ip_addrs: 0/0
    action: deny
    methods: [PURGE, PUSH, DELETE, TRACE]
`;
