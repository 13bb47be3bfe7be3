// `lab: varnish`: Varnish Cache with its stock caching rules (builtin.vcl),
// PURGE and BAN behind an ACL, and hitch in front for TLS (PROXY protocol).
// Open-source Varnish has no TLS to the origin, so no origin-TLS routes. In a
// two-tier lab the edges send the shield route to a parent Varnish (plain HTTP only).
import { mkdirSync } from 'node:fs';
import { HSTS_MAX_AGE, standardRoutes, type EdgeSetup, type RealEdge } from './realEdge.js';
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
      ttlClamp: { min: 3, default: 4, max: 4 },
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

sub vcl_recv {${
    parent
      ? ''
      : `
  if (local.socket == "http") {
    return (synth(301, "Moved Permanently"));
  }`
  }
  if (req.method == "PURGE") {
    if (client.ip !~ purgers) {
      return (synth(405, "PURGE is not allowed from " + client.ip));
    }
    return (purge);
  }
  if (req.method == "BAN") {
    if (client.ip !~ purgers) {
      return (synth(405, "BAN is not allowed from " + client.ip));
    }
    ban("req.url ~ ^" + req.url);
    return (synth(200, "Banned " + req.url));
  }
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
    if (beresp.ttl < 3s) {
      set beresp.ttl = 3s;
    }
    if (beresp.ttl > 4s) {
      set beresp.ttl = 4s;
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
  if (resp.status == 301 && local.socket == "http") {
    set resp.http.Location = "https://" + regsub(req.http.host, ":[0-9]+$", "") + ":${setup.ports.https}" + req.url;
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
