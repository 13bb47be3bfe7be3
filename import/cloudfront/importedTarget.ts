// A distribution's configuration as a targets.yaml target: hostnames, TLS
// promises, redirects, one route per cache behaviour and the suites' route
// names on the behaviours that provide them — every value with the field it
// came from, for the comment beside it.
import type { RouteConfig, TargetConfig } from '../../harness/config/targetsSchema.js';
import type { YamlPath } from '../../harness/config/yamlSource.js';
import { ConfigError } from '../../harness/errors.js';
import { behaviourPromises, type BehaviourPromises } from './behaviourPromises.js';
import { behavioursOf } from './behaviours.js';
import type { DistributionFile } from './distributionFile.js';
import { viewerAlpn, viewerProtocols } from './securityPolicy.js';
import type { Sourced } from './sourced.js';
import { assignSuiteRoutes, SUITE_ROLES } from './suiteRoutes.js';

export interface ImportedTarget {
  name: string;
  /** the target without the suites' route names (those are `aliases`) */
  config: TargetConfig;
  /** a comment for the value at a path inside the target */
  comments: Array<{ path: YamlPath; text: string }>;
  /** a suite's route name standing for a behaviour's route */
  aliases: Array<{ name: string; of: string; why: string }>;
  /** what the configuration holds that the target cannot promise */
  notes: string[];
  behaviours: Array<{ route: string; promises: BehaviourPromises }>;
}

export interface ImportOptions {
  /** the target's name in targets.yaml */
  name: string;
  /** the hostname to test, instead of the first alias (a distribution without aliases needs it) */
  host?: string;
  /** the distribution's id, for the invalidation provider */
  distributionId?: string;
}

export function importedTarget(dist: DistributionFile, opts: ImportOptions): ImportedTarget {
  const config = dist.DistributionConfig;
  const comments: ImportedTarget['comments'] = [];
  const note = (path: YamlPath, text: string) => comments.push({ path, text });
  const aliases = config.Aliases?.Items ?? [];
  const host = opts.host ?? aliases[0];
  if (host === undefined) {
    throw new ConfigError(
      'the distribution has no Aliases: give the hostname to test with --host ' +
        '(its DomainName, d111111abcdef8.cloudfront.net)',
    );
  }
  const target: TargetConfig = { url: `https://${host}` };
  note(['url'], opts.host ? '--host' : 'Aliases[0]');
  const hostnames = aliases.length ? aliases : [host];
  target.hostnames = hostnames;
  note(['hostnames'], aliases.length ? 'Aliases' : '--host (the distribution has no Aliases)');
  target.cache_status = 'cloudfront';

  const id = opts.distributionId ?? dist.Id;
  if (id !== undefined) {
    target.invalidation = { provider: 'cloudfront', distribution: id };
    note(['invalidation'], `the distribution ${id}; credentials from the AWS SDK's usual chain`);
  }

  const behaviours = behavioursOf(config).map((b) => behaviourPromises(b, dist));
  const named = nameRoutes(behaviours);
  const routes: Record<string, RouteConfig> = {};
  for (const { route, promises } of named) {
    routes[route] = routeOf(promises, (field, text) => note(['routes', route, ...field], text));
    if (promises.signed) note(['routes', route], promises.signed.from);
  }
  target.routes = routes;

  const fallback = behaviours.find((p) => p.behaviour.isDefault)!;
  const tls: NonNullable<TargetConfig['tls']> = {};
  const protocols = viewerProtocols(config);
  if (protocols) {
    tls.protocols = protocols.value;
    note(['tls', 'protocols'], protocols.from);
  }
  const alpn = viewerAlpn(config);
  tls.alpn = alpn.value;
  note(['tls', 'alpn'], alpn.from);
  const hsts = hstsOf(fallback, dist);
  if (hsts) {
    tls.hsts = { min_max_age: hsts.value };
    note(['tls', 'hsts', 'min_max_age'], hsts.from);
  }
  target.tls = tls;

  // plain HTTP to the checks' own paths (under /) meets the default behaviour's viewer protocol policy
  const policy = fallback.behaviour.behaviour.ViewerProtocolPolicy;
  if (policy === 'redirect-to-https') {
    target.redirects = { https: 301 };
    note(
      ['redirects', 'https'],
      'DefaultCacheBehavior ViewerProtocolPolicy: redirect-to-https (CloudFront answers 301)',
    );
  }

  const byBehaviour = new Map(named.map((n) => [n.promises, n.route]));
  const assigned = assignSuiteRoutes(behaviours).map(({ role, promises }) => ({
    name: role.name,
    of: byBehaviour.get(promises)!,
    why: `${promises.behaviour.source}: ${role.why}`,
  }));
  const notes = behaviours.flatMap((p) => p.notes);
  if (config.ViewerCertificate && !protocols) {
    notes.push(
      `ViewerCertificate.MinimumProtocolVersion ${config.ViewerCertificate.MinimumProtocolVersion} ` +
        'is not in the security-policy table edgecheck knows: no tls.protocols promised',
    );
  }
  if (policy === 'https-only') {
    notes.push('DefaultCacheBehavior ViewerProtocolPolicy: https-only: plain HTTP gets 403, not a redirect');
  }
  const unassigned = SUITE_ROLES.filter((r) => !assigned.some((a) => a.name === r.name));
  for (const role of unassigned) notes.push(`route ${role.name}: no behaviour fits (${role.why})`);
  return {
    name: opts.name,
    config: target,
    comments,
    aliases: assigned.filter((a) => a.name !== a.of),
    notes,
    behaviours: named,
  };
}

/** The target with the suites' route names filled in, as loading the written file gives it. */
export function resolvedConfig(imported: ImportedTarget): TargetConfig {
  const routes = { ...imported.config.routes };
  for (const a of imported.aliases) routes[a.name] = routes[a.of]!;
  return { ...imported.config, routes };
}

function routeOf(p: BehaviourPromises, note: (field: YamlPath, text: string) => void): RouteConfig {
  const take = <T>(field: YamlPath, sourced: Sourced<T>): T => {
    note(field, sourced.from);
    return sourced.value;
  };
  return {
    path: take(['path'], p.path!),
    ttl: {
      min: take(['ttl', 'min'], p.ttl.min),
      default: take(['ttl', 'default'], p.ttl.default),
      max: take(['ttl', 'max'], p.ttl.max),
    },
    error_ttl: `${take(['error_ttl'], p.error_ttl)}s`,
    ...(p.query_key ? { query_key: take(['query_key'], p.query_key) } : {}),
    compress: take(['compress'], p.compress),
    ...(p.failover ? { failover: take(['failover'], p.failover) } : {}),
  };
}

/**
 * A route per behaviour with a path prefix, named by it (`/assets/*` ->
 * assets, the default behaviour -> default); a name the suites use for a
 * role of their own gets `-path`, so the role's name stays free for its behaviour.
 */
function nameRoutes(behaviours: BehaviourPromises[]): Array<{ route: string; promises: BehaviourPromises }> {
  const taken = new Set(SUITE_ROLES.map((r) => r.name));
  const named: Array<{ route: string; promises: BehaviourPromises }> = [];
  for (const promises of behaviours) {
    if (promises.path === undefined) continue;
    const stem = promises.behaviour.isDefault
      ? 'default'
      : promises.path.value.replace(/[^A-Za-z0-9_.]+/g, '-').replace(/^-|-$/g, '') || 'root';
    let route = taken.has(stem) ? `${stem}-path` : stem;
    for (let n = 2; named.some((r) => r.route === route); n++) route = `${stem}-${n}`;
    named.push({ route, promises });
  }
  return named;
}

function hstsOf(p: BehaviourPromises, dist: DistributionFile): Sourced<number> | undefined {
  const id = p.behaviour.behaviour.ResponseHeadersPolicyId;
  const policy = id ? dist.ResponseHeadersPolicies?.[id] : undefined;
  const sts = policy?.SecurityHeadersConfig?.StrictTransportSecurity;
  if (!policy || sts?.AccessControlMaxAgeSec === undefined) return undefined;
  return {
    value: sts.AccessControlMaxAgeSec,
    from: `DefaultCacheBehavior ResponseHeadersPolicy ${policy.Name} StrictTransportSecurity.AccessControlMaxAgeSec`,
  };
}
