// `lab: varnish`: Varnish Cache with its stock caching rules (builtin.vcl),
// PURGE and BAN behind an ACL, and hitch in front for TLS (PROXY protocol).
// Open-source Varnish has no TLS to the origin, so no origin-TLS routes. In a
// two-tier lab the edges send the shield route to a parent Varnish (plain HTTP only).
import { mkdirSync } from 'node:fs';
import { HSTS_MAX_AGE, standardRoutes, type EdgeSetup, type RealEdge } from './realEdge.js';
import {
  CANONICAL_HOST,
  COUNTRY_HEADER,
  HTTPS_STATUS,
  LAB_COUNTRIES,
  METHOD_KEEPING_STATUS,
  nonCanonical,
  VIEWER_COUNTRIES,
  VIEWER_REDIRECTS,
  viewerRedirectBase,
} from './labRedirects.js';
import { supervise } from './supervisor.js';

const VARNISHD = '/usr/sbin/varnishd';
const HITCH = '/usr/sbin/hitch';

export const varnish: RealEdge = {
  name: 'varnish',
  title: 'Varnish Cache (builtin.vcl) behind hitch',
  binaries: [VARNISHD, HITCH],
  aptPackages: ['varnish', 'hitch'],
  version: { command: [VARNISHD, '-V'], pattern: /varnish-([\d.]+)/ },
  cacheStatus: 'varnish',
  limits: ['no TLS to the origin in open-source Varnish: the origin-tls routes are not declared'],
  purges: [
    { method: 'PURGE', description: 'PURGE <url> drops the stored copy' },
    { method: 'BAN', prefix: true, description: 'BAN <url of a path> drops every stored copy under it' },
  ],
  tls: {
    protocols: { accept: ['TLSv1.2', 'TLSv1.3'], refuse: ['TLSv1', 'TLSv1.1'] },
    alpn: ['http/1.1'],
    hsts: { min_max_age: HSTS_MAX_AGE },
  },
  internalPortCount: 1,
  tiers: { edge: true, parent: true },
  routes: () =>
    standardRoutes({
      // default_ttl (120 s): what Varnish gives a response that carries no freshness of its own
      heuristicTtl: 120,
      ttlDefault: 120,
      // the clamp is VCL (vcl_backend_response); default_ttl is clamped too
      ttlClamp: { min: 5, default: 6, max: 6 },
      errorTtl: '2s',
    }),
  async start(setup) {
    const parent = setup.role === 'parent';
    const [proxyPort = 0] = setup.internalPorts;
    for (const sub of ['logs', 'hitch-ocsp']) mkdirSync(setup.dir.path(sub));
    const vcl = setup.dir.write('edge.vcl', varnishVcl(setup));
    const varnishd = supervise({
      name: parent ? 'varnishd (parent)' : 'varnishd',
      command: VARNISHD,
      args: [
        '-F',
        '-n',
        setup.dir.path('varnish'),
        '-a',
        `http=${setup.address}:${setup.ports.http},HTTP`,
        // the parent is no viewer's: plain HTTP from the edges, no TLS in front
        ...(parent ? [] : ['-a', `tls=${setup.address}:${proxyPort},PROXY`]),
        '-f',
        vcl,
        '-s',
        'malloc,64m',
        '-T',
        'none',
        // no jail: everything stays in the lab dir, owned by whoever runs edgecheck
        '-j',
        'none',
      ],
      cwd: setup.dir.dir,
      logFile: setup.dir.path('logs', 'varnishd.out'),
    });
    if (parent) return { processes: [varnishd] };
    const hitchConf = setup.dir.write('hitch.conf', hitchConfig(setup, proxyPort));
    const hitch = supervise({
      name: 'hitch',
      command: HITCH,
      args: ['--config', hitchConf],
      cwd: setup.dir.dir,
      logFile: setup.dir.path('logs', 'hitch.out'),
    });
    return {
      processes: [varnishd, hitch],
      readyPorts: [proxyPort],
    };
  },
};

export function varnishVcl(setup: EdgeSetup): string {
  const origin = new URL(setup.origin.httpUrl);
  const secondary = new URL(setup.origin.secondaryHttpUrl);
  const path = (name: string) => setup.routes[name]?.path ?? `/${name}/`;
  const parent = setup.role === 'parent';
  const shield = setup.parent
    ? `
# the shield route's parent tier, which every edge shares
backend parent {
  .host = "${setup.parent.host}";
  .port = "${setup.parent.port}";
}
`
    : '';
  return `vcl 4.1;
# edgecheck lab: Varnish ${parent ? 'as the parent tier ' : ''}in front of the probe origin (${setup.origin.httpUrl});
# everything not written here is builtin.vcl's stock behaviour.

backend origin {
  .host = "${origin.hostname}";
  .port = "${origin.port}";
}

# the failover route's second origin
backend secondary {
  .host = "${secondary.hostname}";
  .port = "${secondary.port}";
}
${shield}
acl purgers {
${purgers(setup.address)}
}
${parent ? '' : viewerAcls()}
sub vcl_recv {
  # the Location of a redirect this edge makes (vcl_synth); never the viewer's to set
  unset req.http.${LOCATION_HEADER};${
    parent
      ? `
  # the edges name the viewer's country; a request without one is the default country's
  if (!req.http.${COUNTRY_HEADER}) {
    set req.http.${COUNTRY_HEADER} = "${LAB_COUNTRIES[0]}";
  }`
      : `
  if (req.restarts == 0) {
${countryFromAddress()}
  }
  if (local.socket == "http") {
    # to HTTPS on the same host, the request target as received
    set req.http.${LOCATION_HEADER} = "https://" + regsub(req.http.host, ":[0-9]+$", "") + ":${setup.ports.https}" + req.url;
${synthRedirect(HTTPS_STATUS, METHOD_KEEPING_STATUS, '    ')}
  }`
  }
  if (req.method == "PURGE") {
    if (client.ip !~ purgers) {
      return (synth(405, "PURGE is not allowed from " + client.ip));
    }
    if (req.restarts == 0) {
      # every country's copy goes, one after another (vcl_purge)
      set req.http.${COUNTRY_HEADER} = "${LAB_COUNTRIES[0]}";
    }
    return (purge);
  }
  if (req.method == "BAN") {
    if (client.ip !~ purgers) {
      return (synth(405, "BAN is not allowed from " + client.ip));
    }
    ban("req.url ~ ^" + req.url);
    return (synth(200, "Banned " + req.url));
  }${parent ? '' : viewerRedirects(setup.hostnames, setup.ports.https)}
}

sub vcl_purge {
  # the cache key keeps the viewer's country: a PURGE drops the copy of each country in turn
${LAB_COUNTRIES.slice(0, -1)
  .map(
    (country, i) => `  if (req.http.${COUNTRY_HEADER} == "${country}") {
    set req.http.${COUNTRY_HEADER} = "${LAB_COUNTRIES[i + 1]}";
    return (restart);
  }`,
  )
  .join('\n')}
}

sub vcl_hash {
  # what the cache key keeps of the query string, per route
  if (req.url ~ "^${path('query-none')}") {
    hash_data(regsub(req.url, "[?].*$", ""));
  } else if (req.url ~ "^${path('query-list')}") {
    hash_data(regsub(req.url, "[?].*$", ""));
    if (req.url ~ "[?&]v=") {
      hash_data(regsub(req.url, "^.*[?&](v=[^&]*).*$", "\\1"));
    }
  } else {
    hash_data(req.url);
  }
  if (req.http.host) {${
    parent
      ? `
    # edges forward the viewer's Host (with the viewer port), a purge names this tier's port: the key keeps the name
    hash_data(regsub(req.http.host, ":[0-9]+$", ""));`
      : `
    hash_data(req.http.host);`
  }
  } else {
    hash_data(server.ip);
  }
  hash_data(req.http.${COUNTRY_HEADER});
  return (lookup);
}

sub vcl_backend_fetch {${
    setup.parent
      ? `
  if (bereq.url ~ "^${path('shield')}") {
    set bereq.backend = parent;
  }`
      : ''
  }
  if (bereq.url ~ "^${path('failover')}" && bereq.retries > 0) {
    set bereq.backend = secondary;
  }
}

sub vcl_backend_response {
  if (bereq.url ~ "^${path('failover')}" && beresp.status >= 500 && bereq.retries == 0) {
    return (retry);
  }
  if (bereq.url ~ "^${path('ttl-clamp')}" && beresp.ttl > 0s) {
    # a cap on how long the object is used: no grace beyond it
    set beresp.grace = 0s;
    if (beresp.ttl < 5s) {
      set beresp.ttl = 5s;
    }
    if (beresp.ttl > 6s) {
      set beresp.ttl = 6s;
    }
  }
  if (bereq.url ~ "^${path('compress')}") {
    set beresp.do_gzip = true;
  }
  if (bereq.url ~ "^${path('errors')}" && beresp.status >= 400) {
    set beresp.ttl = 2s;
    set beresp.grace = 0s;
  }
}

sub vcl_synth {
  if (local.socket == "tls") {
    set resp.http.Strict-Transport-Security = "max-age=${HSTS_MAX_AGE}";
  }
  if (req.http.${LOCATION_HEADER}) {
    set resp.http.Location = req.http.${LOCATION_HEADER};
    return (deliver);
  }
}

sub vcl_deliver {
  # hit-for-miss and hit-for-pass objects are uncacheable: the request went to the origin
  if (obj.uncacheable) {
    set resp.http.X-Cache = "PASS";
  } else if (obj.hits > 0) {
    set resp.http.X-Cache = "HIT";
  } else {
    set resp.http.X-Cache = "MISS";
  }
  if (local.socket == "tls") {
    set resp.http.Strict-Transport-Security = "max-age=${HSTS_MAX_AGE}";
  }
}
`;
}

/** Where vcl_recv tells vcl_synth the Location of a redirect it makes. */
const LOCATION_HEADER = 'X-Edgecheck-Location';

/** A redirect with one status for GET and HEAD, another for any other method (which must keep its method and body). */
function synthRedirect(getOrHead: number, other: number, indent: string): string {
  return [
    'if (req.method == "GET" || req.method == "HEAD") {',
    `  return (synth(${getOrHead}));`,
    '}',
    `return (synth(${other}));`,
  ]
    .map((line) => `${indent}${line}`)
    .join('\n');
}

/** The lab's places and regional redirects, by the viewer's address (behind hitch's PROXY v2, client.ip is it). */
function viewerAcls(): string {
  const acl = (name: string, address: string) => `acl ${name} {\n  "${address}";\n}\n`;
  return [
    ...Object.keys(VIEWER_REDIRECTS).map((from, i) => acl(`viewer_redirect_${i}`, from)),
    ...Object.entries(VIEWER_COUNTRIES).map(([from, country]) => acl(`viewer_in_${country.toLowerCase()}`, from)),
  ].join('');
}

/** The viewer's country, whatever the viewer claimed: to the origin and into the cache key (vcl_hash). */
function countryFromAddress(): string {
  const branches = Object.values(VIEWER_COUNTRIES).map(
    (country) => `if (client.ip ~ viewer_in_${country.toLowerCase()}) {
      set req.http.${COUNTRY_HEADER} = "${country}";
    }`,
  );
  const otherwise = `{\n      set req.http.${COUNTRY_HEADER} = "${LAB_COUNTRIES[0]}";\n    }`;
  return `    ${[...branches, otherwise].join(' else ')}`;
}

/** Viewer location, then the canonical host: redirects made before the cache is looked at, never stored. */
function viewerRedirects(hostnames: string[], httpsPort: number): string {
  const viewers = Object.values(VIEWER_REDIRECTS).map(
    (to, i) => `
  if (client.ip ~ viewer_redirect_${i}) {
    set req.http.${LOCATION_HEADER} = "${viewerRedirectBase(to)}" + req.url;
${synthRedirect(302, 307, '    ')}
  }`,
  );
  const hosts = nonCanonical(hostnames).map((host) => `^${host.replace(/\./g, '\\.')}(:[0-9]+)?$`);
  const canonical = `
  if (req.http.host ~ "(?i)${hosts.join('|')}") {
    set req.http.${LOCATION_HEADER} = "https://${CANONICAL_HOST}:${httpsPort}" + req.url;
${synthRedirect(HTTPS_STATUS, METHOD_KEEPING_STATUS, '    ')}
  }`;
  return [...viewers, ...(hosts.length ? [canonical] : [])].join('');
}

/** loopback and the PoP's own address may purge */
function purgers(address: string): string {
  return [...new Set(['127.0.0.1', address])].map((a) => `  "${a}";`).join('\n');
}

export function hitchConfig(setup: EdgeSetup, proxyPort: number): string {
  // hitch presents the last pem-file to a client that sends no SNI: the first hostname's
  const pems = [...setup.hostnames]
    .reverse()
    .map((host) => `pem-file = "${setup.dir.edge[host]!.pemFile}"`)
    .join('\n');
  return `# edgecheck lab: hitch terminates TLS for Varnish (PROXY v2 to ${proxyPort})
frontend = "[${setup.address}]:${setup.ports.https}"
backend = "[${setup.address}]:${proxyPort}"
${pems}
write-proxy-v2 = on
tls-protos = TLSv1.2 TLSv1.3
alpn-protos = "http/1.1"
workers = 1
daemon = off
syslog = off
ocsp-dir = "${setup.dir.path('hitch-ocsp')}"
${setup.asRoot ? '# hitch refuses to run its workers as root\nuser = "nobody"\ngroup = "nogroup"\n' : ''}`;
}
