// `edgecheck twin cloudfront`: a CDK app for a staging copy of a distribution
// whose origins are the probe origin, and, once its domain is known (--host),
// the targets.yaml target that tests it.
import { readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError } from '../harness/errors.js';
import { targetsYaml } from '../import/cloudfront/targetsYaml.js';
import { ORIGIN_CERT_FAULTS } from '../lab/labCertificates.js';
import { ORIGIN_TLS_ROUTES, originTlsRouteName } from '../lab/originTlsRoutes.js';
import type { OriginTlsListener, ProbeOrigin } from '../twin/cloudfront/probeOrigin.js';
import { stagingTwin } from '../twin/cloudfront/stagingTwin.js';
import { writeTwinApp, type TwinAppVersions } from '../twin/cloudfront/twinApp.js';
import { readSource, skippedOf } from './importCommand.js';
import { defaultSuitesDir, packageRoot } from './paths.js';

export const TWIN_HELP = `Usage: edgecheck twin cloudfront (--distribution ID | --config FILE)
                              --probe-origin HOST --out DIR [options]

Writes an AWS CDK app (TypeScript, aws-cdk-lib) for a staging twin of a
CloudFront distribution: the same behaviours, cache, origin request and
response headers policies and key groups, with every origin on the probe
origin (edgecheck origin) — its HTTP listener, an origin group's secondary
on its secondary listener — and one behaviour per TLS fault listener for the
origin-tls suite. Lambda@Edge and CloudFront Functions are kept. Aliases are
dropped: the twin answers on its own *.cloudfront.net domain.

With --host (the twin's domain, once deployed) it also writes DIR/targets.yaml,
the target that tests the twin (name: staging).

Options:
  --distribution ID      read the source through the AWS SDK (as import cloudfront)
  --config FILE          or from a file (as import cloudfront)
  --probe-origin HOST    the probe origin's DNS name, as CloudFront reaches it
  --out DIR              where the app goes (created; re-running updates it)
  --origin-port N        its HTTP listener (edgecheck origin --port; default 8080)
  --secondary-port N     its secondary listener (--secondary-port; default 8081)
  --tls-port N           its first TLS fault listener; the others follow in the
                         order ${ORIGIN_CERT_FAULTS.join(', ')}, as
                         edgecheck origin --tls valid=N:CERT:KEY --lab-tls N+1
                         opens them (default 8443)
  --control URL          its control channel (default https://HOST:9443)
  --token-env NAME       the variable holding the control token (default
                         EDGECHECK_ORIGIN_TOKEN), written as \${env:NAME}
  --stack NAME           the CloudFormation stack (default EdgecheckTwin)
  --host DOMAIN          the twin's domain: writes DIR/targets.yaml
  --twin-distribution ID the twin's distribution id, for invalidation checks
  --name NAME            the target's name (default staging)
  --suites-dir DIR       the suites whose skipped checks are listed (default: ./suites)
  -h, --help             this help

Exit codes: 0 written; 2 bad command line or --config file; 3 the AWS API
could not be reached or refused.
`;

/** CloudFront's custom origin ports: 80, 443, and 1024 to 65535 */
const ORIGIN_PORT = (n: number) => n === 80 || n === 443 || (n >= 1024 && n <= 65535);

export async function twinCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      distribution: { type: 'string' },
      config: { type: 'string' },
      'probe-origin': { type: 'string' },
      out: { type: 'string' },
      'origin-port': { type: 'string', default: '8080' },
      'secondary-port': { type: 'string', default: '8081' },
      'tls-port': { type: 'string', default: '8443' },
      control: { type: 'string' },
      'token-env': { type: 'string', default: 'EDGECHECK_ORIGIN_TOKEN' },
      stack: { type: 'string', default: 'EdgecheckTwin' },
      host: { type: 'string' },
      'twin-distribution': { type: 'string' },
      name: { type: 'string', default: 'staging' },
      'suites-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: true,
  });
  if (values.help) {
    process.stdout.write(TWIN_HELP);
    return 0;
  }
  if (positionals[0] !== 'cloudfront' || positionals.length > 1) {
    throw new ConfigError('twin: the one source is cloudfront (edgecheck twin cloudfront --config FILE ...)');
  }
  if (!values.out) throw new ConfigError('twin: --out DIR is required (the folder the CDK app is written to)');
  const probe = probeOrigin(values);
  if (!/^[A-Za-z][A-Za-z0-9-]{0,127}$/.test(values.stack!)) {
    throw new ConfigError(
      `--stack: expected a CloudFormation stack name (letters, digits, -), found '${values.stack}'`,
    );
  }
  const twinId = values['twin-distribution'];
  if (twinId !== undefined && !/^[A-Z0-9]+$/.test(twinId)) {
    throw new ConfigError(`--twin-distribution: expected a distribution id (E2QWRUHEXAMPLE), found '${twinId}'`);
  }
  const { dist, source } = await readSource(values.distribution, values.config);
  const twin = stagingTwin(dist, probe, {
    stackName: values.stack!,
    source,
    ...(values.host
      ? {
          target: {
            name: values.name!,
            host: values.host,
            tokenEnv: values['token-env']!,
            ...(twinId ? { distributionId: twinId } : {}),
          },
        }
      : {}),
  });
  const out = values.out;
  const written = writeTwinApp({
    out,
    appSources: join(packageRoot, 'twin', 'cloudfront', 'app'),
    versions: appVersions(),
    data: twin.data,
  });
  const lines = [`wrote ${out}: the CDK app of stack ${values.stack} (${written.join(', ')})`];
  lines.push(...twin.data.changes.map((c) => `  ${c}`));
  if (twin.target) {
    const file = join(out, 'targets.yaml');
    const skipped = await skippedOf(twin.target, file, values['suites-dir'] ?? defaultSuitesDir());
    const header = [`The staging twin (stack ${values.stack}) at ${values.host}, its origins on ${probe.host}.`];
    writeFileSync(file, targetsYaml(twin.target, { source, skipped, header, command: 'twin cloudfront' }));
    lines.push(
      `wrote ${file}: target ${values.name} at https://${values.host}; ${skipped.length} checks will be skipped`,
      `  next: edgecheck validate --targets ${file}; edgecheck run --targets ${file} --target ${values.name}`,
    );
  } else {
    const where = relative(process.cwd(), out) || '.';
    lines.push(
      `  next: cd ${where} && npm install && npx cdk deploy --outputs-file outputs.json`,
      '  then run this again with --host (the DomainName in outputs.json) to write targets.yaml',
    );
  }
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
}

function probeOrigin(values: {
  'probe-origin'?: string | undefined;
  'origin-port'?: string | undefined;
  'secondary-port'?: string | undefined;
  'tls-port'?: string | undefined;
  control?: string | undefined;
}): ProbeOrigin {
  const host = values['probe-origin'];
  if (!host) throw new ConfigError('twin: --probe-origin HOST is required (where edgecheck origin runs)');
  if (isIP(host) !== 0 || !/^[A-Za-z0-9.-]+$/.test(host)) {
    throw new ConfigError(`--probe-origin: CloudFront needs a DNS name for an origin, found '${host}'`);
  }
  const firstTls = port('--tls-port', values['tls-port']!);
  const tls: OriginTlsListener[] = ORIGIN_CERT_FAULTS.map((fault, i) => ({
    fault,
    port: port('--tls-port', String(firstTls + i)),
    route: originTlsRouteName(fault),
    path: ORIGIN_TLS_ROUTES[originTlsRouteName(fault)]!.path,
  }));
  const control = values.control ?? `https://${host}:9443`;
  if (!URL.canParse(control) || !/^https?:$/.test(new URL(control).protocol)) {
    throw new ConfigError(`--control: expected the control channel's URL (https://${host}:9443), found '${control}'`);
  }
  return {
    host,
    httpPort: port('--origin-port', values['origin-port']!),
    secondaryPort: port('--secondary-port', values['secondary-port']!),
    tls,
    control,
  };
}

function port(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || !ORIGIN_PORT(n)) {
    throw new ConfigError(`${flag}: CloudFront reaches an origin on 80, 443 or 1024-65535, found '${value}'`);
  }
  return n;
}

/** The app's packages at the versions this package lists (its devDependencies). */
function appVersions(): TwinAppVersions {
  const pkg = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as {
    devDependencies: Record<string, string>;
  };
  const pick = (name: keyof TwinAppVersions) => pkg.devDependencies[name] ?? 'latest';
  return {
    'aws-cdk-lib': pick('aws-cdk-lib'),
    constructs: pick('constructs'),
    'aws-cdk': pick('aws-cdk'),
    typescript: pick('typescript'),
    '@types/node': pick('@types/node'),
  };
}
