// A distribution's cache behaviours in CloudFront's order of precedence (the
// ordered CacheBehaviors, then the default), each with where it sits in the
// configuration, so a promise or an error can name its source.
import type { CacheBehavior, DefaultCacheBehavior, DistributionConfig } from '@aws-sdk/client-cloudfront';
import type { YamlPath } from '../../harness/config/yamlSource.js';

export interface Behaviour {
  /** the PathPattern; `*` for the default behaviour */
  pattern: string;
  behaviour: CacheBehavior | DefaultCacheBehavior;
  /** its path in the --config file, from the top */
  path: YamlPath;
  /** how a comment names it: `CacheBehaviors[1] (/private/*)` or `DefaultCacheBehavior` */
  source: string;
  isDefault: boolean;
}

export function behavioursOf(config: DistributionConfig): Behaviour[] {
  const ordered = (config.CacheBehaviors?.Items ?? []).map((behaviour, i): Behaviour => ({
    pattern: behaviour.PathPattern ?? '',
    behaviour,
    path: ['DistributionConfig', 'CacheBehaviors', 'Items', i],
    source: `CacheBehaviors[${i}] (${behaviour.PathPattern})`,
    isDefault: false,
  }));
  const fallback: Behaviour = {
    pattern: '*',
    behaviour: config.DefaultCacheBehavior!,
    path: ['DistributionConfig', 'DefaultCacheBehavior'],
    source: 'DefaultCacheBehavior',
    isDefault: true,
  };
  return [...ordered, fallback];
}
