// The offline `--config` file: JSON (which is YAML, so every problem gets its
// file:line:col from the config machinery), checked for the fields the import
// and the twin read, and for every policy and key group a behaviour names.
import { z } from 'zod';
import { validate } from '../../harness/config/validate.js';
import { plainData, positionOf, readYamlFile, type YamlPath } from '../../harness/config/yamlSource.js';
import { ConfigError, type ConfigProblem } from '../../harness/errors.js';
import { behavioursOf } from './behaviours.js';
import type { DistributionFile } from './distributionFile.js';

const list = <T extends z.ZodType>(item: T) =>
  z.looseObject({ Quantity: z.number().int().nonnegative(), Items: z.array(item).optional() });

const behaviourFields = {
  TargetOriginId: z.string(),
  ViewerProtocolPolicy: z.enum(['allow-all', 'https-only', 'redirect-to-https']),
  Compress: z.boolean().optional(),
  CachePolicyId: z.string().optional(),
  OriginRequestPolicyId: z.string().optional(),
  ResponseHeadersPolicyId: z.string().optional(),
  TrustedKeyGroups: z.looseObject({ Enabled: z.boolean(), Items: z.array(z.string()).optional() }).optional(),
  MinTTL: z.number().nonnegative().optional(),
  DefaultTTL: z.number().nonnegative().optional(),
  MaxTTL: z.number().nonnegative().optional(),
};

/** The parts of the file the import and the twin read; the rest is carried as it is. */
const distributionFileSchema = z.looseObject({
  Id: z
    .string()
    .regex(/^[A-Z0-9]+$/, { message: 'expected a distribution id (E2QWRUHEXAMPLE)' })
    .optional(),
  ETag: z.string().optional(),
  DistributionConfig: z.looseObject({
    Aliases: list(z.string()).optional(),
    Origins: list(z.looseObject({ Id: z.string(), DomainName: z.string() })),
    OriginGroups: list(z.looseObject({ Id: z.string() })).optional(),
    DefaultCacheBehavior: z.looseObject(behaviourFields),
    CacheBehaviors: list(z.looseObject({ PathPattern: z.string(), ...behaviourFields })).optional(),
    CustomErrorResponses: list(
      z.looseObject({ ErrorCode: z.number().int(), ErrorCachingMinTTL: z.number().nonnegative().optional() }),
    ).optional(),
    ViewerCertificate: z.looseObject({ MinimumProtocolVersion: z.string().optional() }).optional(),
    HttpVersion: z.enum(['http1.1', 'http2', 'http3', 'http2and3']).optional(),
  }),
  CachePolicies: z.record(z.string(), z.looseObject({ Name: z.string(), MinTTL: z.number().nonnegative() })).optional(),
  OriginRequestPolicies: z.record(z.string(), z.looseObject({ Name: z.string() })).optional(),
  ResponseHeadersPolicies: z.record(z.string(), z.looseObject({ Name: z.string() })).optional(),
  KeyGroups: z.record(z.string(), z.looseObject({ Name: z.string(), Items: z.array(z.string()) })).optional(),
});

export function readDistributionFile(file: string): DistributionFile {
  const src = readYamlFile(file);
  const parsed = validate(src, distributionFileSchema, plainData(src)) as unknown as DistributionFile;
  const problems = missingReferences(parsed).map(({ path, message }): ConfigProblem => ({
    message,
    position: positionOf(src, path),
    label: 'not in this file',
  }));
  if (problems.length > 0) throw new ConfigError(problems);
  return parsed;
}

/** Each policy and key group a behaviour names must be in the file: without it, its promises are unknown. */
export function missingReferences(dist: DistributionFile): Array<{ path: YamlPath; message: string }> {
  const missing: Array<{ path: YamlPath; message: string }> = [];
  const tables = [
    ['CachePolicyId', 'CachePolicies', 'aws cloudfront get-cache-policy --id'],
    ['OriginRequestPolicyId', 'OriginRequestPolicies', 'aws cloudfront get-origin-request-policy --id'],
    ['ResponseHeadersPolicyId', 'ResponseHeadersPolicies', 'aws cloudfront get-response-headers-policy --id'],
  ] as const;
  for (const b of behavioursOf(dist.DistributionConfig)) {
    for (const [field, table, command] of tables) {
      const id = b.behaviour[field];
      if (!id || Object.hasOwn(dist[table] ?? {}, id)) continue;
      missing.push({
        path: [...b.path, field],
        message: `${field} '${id}' is not in ${table}; add its config (${command} ${id}) under ${table}.${id}`,
      });
    }
    (b.behaviour.TrustedKeyGroups?.Items ?? []).forEach((id, i) => {
      if (Object.hasOwn(dist.KeyGroups ?? {}, id)) return;
      missing.push({
        path: [...b.path, 'TrustedKeyGroups', 'Items', i],
        message: `key group '${id}' is not in KeyGroups; add its config (aws cloudfront get-key-group --id ${id})`,
      });
    });
  }
  return missing;
}
