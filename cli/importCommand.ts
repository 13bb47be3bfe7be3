// `edgecheck import cloudfront`: a targets.yaml target from a distribution's
// own configuration, fetched through the AWS SDK or read from a file, with the
// checks that no behaviour can serve listed.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { listSuiteNames, loadSuite, resolveSuiteFile } from '../harness/config/load.js';
import { ConfigError } from '../harness/errors.js';
import type { DistributionFile } from '../import/cloudfront/distributionFile.js';
import { fetchDistribution } from '../import/cloudfront/fetchDistribution.js';
import { importedTarget, resolvedConfig, type ImportedTarget } from '../import/cloudfront/importedTarget.js';
import { readDistributionFile } from '../import/cloudfront/readDistributionFile.js';
import { skippedChecks, type SkippedCheck } from '../import/cloudfront/skippedChecks.js';
import { targetsYaml } from '../import/cloudfront/targetsYaml.js';
import { defaultSuitesDir } from './paths.js';

export const IMPORT_HELP = `Usage: edgecheck import cloudfront (--distribution ID | --config FILE) [options]

Writes a targets.yaml target whose promises come from a CloudFront
distribution's configuration: hostnames from Aliases, tls from the security
policy and HttpVersion, one route per cache behaviour (TTLs, query string
key, compression, error caching, failover), the suites' route names on the
behaviours that provide them; each value with a comment naming its field.
Lists the checks that will be skipped because no behaviour provides what
they need.

Options:
  --distribution ID    fetch the distribution and its policies through the AWS
                       SDK (credentials and region from the SDK's usual chain;
                       AWS_ENDPOINT_URL_CLOUDFRONT points it elsewhere)
  --config FILE        read them from a file instead: the JSON of
                       aws cloudfront get-distribution-config, plus
                       CachePolicies, OriginRequestPolicies,
                       ResponseHeadersPolicies and KeyGroups by Id
  --out FILE           write the targets file here (default: print it)
  --name NAME          the target's name (default: cloudfront)
  --host HOSTNAME      the hostname to test (default: the first alias; needed
                       when the distribution has none: its DomainName)
  --suites-dir DIR     the suites whose skipped checks are listed (default: ./suites)
  -h, --help           this help

Exit codes: 0 written; 2 bad command line or --config file; 3 the AWS API
could not be reached or refused.
`;

export async function importCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      distribution: { type: 'string' },
      config: { type: 'string' },
      out: { type: 'string' },
      name: { type: 'string' },
      host: { type: 'string' },
      'suites-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: true,
  });
  if (values.help) {
    process.stdout.write(IMPORT_HELP);
    return 0;
  }
  if (positionals[0] !== 'cloudfront' || positionals.length > 1) {
    throw new ConfigError('import: the one source is cloudfront (edgecheck import cloudfront --distribution ID)');
  }
  const { dist, source } = await readSource(values.distribution, values.config);
  const name = values.name ?? 'cloudfront';
  const imported = importedTarget(dist, {
    name,
    ...(values.host ? { host: values.host } : {}),
    ...(values.distribution ? { distributionId: values.distribution } : {}),
  });
  const skipped = await skippedOf(imported, values.out ?? 'targets.yaml', values['suites-dir'] ?? defaultSuitesDir());
  const yaml = targetsYaml(imported, { source, skipped });
  // the file goes to stdout when no --out is given: then the summary goes to stderr
  const say = values.out ? process.stdout : process.stderr;
  if (values.out) writeFileSync(values.out, yaml);
  else process.stdout.write(yaml);
  say.write(summary(imported, skipped, values.out));
  return 0;
}

/** The distribution from the SDK or from a file; exactly one of the two. */
export async function readSource(
  distribution: string | undefined,
  config: string | undefined,
): Promise<{ dist: DistributionFile; source: string }> {
  if ((distribution === undefined) === (config === undefined)) {
    throw new ConfigError('give --distribution ID (through the AWS SDK) or --config FILE (offline), one of the two');
  }
  if (config !== undefined) return { dist: readDistributionFile(config), source: config };
  if (!/^[A-Z0-9]+$/.test(distribution!)) {
    throw new ConfigError(`--distribution: expected a distribution id (E2QWRUHEXAMPLE), found '${distribution}'`);
  }
  // CloudFront is global: its API signs for us-east-1
  const client = new CloudFrontClient({ region: 'us-east-1' });
  try {
    return { dist: await fetchDistribution(client, distribution!), source: `distribution ${distribution}` };
  } finally {
    client.destroy();
  }
}

/** The suites' checks the target would skip; every suite in the folder. */
export async function skippedOf(imported: ImportedTarget, file: string, suitesDir: string): Promise<SkippedCheck[]> {
  const suites = listSuiteNames(suitesDir).map((n) => loadSuite(resolveSuiteFile(n, suitesDir)));
  return skippedChecks(imported.name, resolvedConfig(imported), file, suites);
}

function summary(imported: ImportedTarget, skipped: SkippedCheck[], out: string | undefined): string {
  const routes = imported.behaviours.map((b) => `${b.route} (${b.promises.behaviour.pattern})`).join(', ');
  const roles = imported.aliases.map((a) => `${a.name} -> ${a.of}`).join(', ');
  return [
    `${out ? `wrote ${out}: ` : ''}target ${imported.name}, routes ${routes}`,
    ...(roles ? [`  suite routes: ${roles}`] : []),
    ...imported.notes.map((n) => `  not promised: ${n}`),
    `  ${skipped.length} checks will be skipped:`,
    ...skipped.map((s) => `    ${s.id}: ${s.reason}`),
    `  next: edgecheck validate --targets ${out ?? 'FILE'}`,
    '',
  ].join('\n');
}
