// `edgecheck twin cloudfront` without the command line: from a distribution's
// configuration, the staging twin's CDK app data and, when the twin's domain
// is known, its target.
import type { DistributionFile } from '../../import/cloudfront/distributionFile.js';
import type { ImportedTarget } from '../../import/cloudfront/importedTarget.js';
import type { TwinData } from './app/lib/twinData.js';
import { withOriginTlsBehaviours } from './originTlsBehaviours.js';
import type { ProbeOrigin } from './probeOrigin.js';
import { twinAppData } from './twinAppData.js';
import { twinDistribution } from './twinDistribution.js';
import { twinTarget, type TwinTargetOptions } from './twinTarget.js';

export interface StagingTwinOptions {
  stackName: string;
  /** what the source was read from, for the stack's description */
  source: string;
  /** the target, once the twin's domain is known */
  target?: TwinTargetOptions;
}

export interface StagingTwin {
  data: TwinData;
  target?: ImportedTarget;
}

export function stagingTwin(source: DistributionFile, probe: ProbeOrigin, opts: StagingTwinOptions): StagingTwin {
  const twin = twinDistribution(source, probe);
  const deployed = withOriginTlsBehaviours(twin.dist, probe);
  const tlsChanges = probe.tls.map(
    (l) =>
      `CacheBehaviors ${l.path}* added: ${probe.host}:${l.port} over HTTPS, the probe origin's ${l.fault} listener`,
  );
  const comment = source.DistributionConfig.Comment ? ` (${source.DistributionConfig.Comment})` : '';
  const data = twinAppData(deployed, {
    stackName: opts.stackName,
    source: `${opts.source}${comment}`,
    changes: [...twin.changes, ...tlsChanges],
  });
  return { data, ...(opts.target ? { target: twinTarget(twin.dist, probe, opts.target) } : {}) };
}
