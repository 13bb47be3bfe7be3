// `edgecheck twin cloudfront` through the built CLI: for each fixture the CDK
// app it writes synthesises offline, and aws-cdk-lib's own assertions find in
// the template every behaviour of the source with its policies equal to the
// source's, every origin on the probe origin (a group's secondary on its
// secondary listener), the origin group kept and a behaviour per TLS fault
// listener; its targets.yaml passes `edgecheck validate`. One fixture also
// goes through `npx cdk synth`, as the README shows it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { CacheBehavior, DefaultCacheBehavior } from '@aws-sdk/client-cloudfront';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import t, { type Test } from 'tap';
import { loadTargets } from '../harness/config/load.js';
import type { DistributionFile } from '../import/cloudfront/distributionFile.js';
import { ORIGIN_CERT_FAULTS } from '../lab/labCertificates.js';
import { labEdges } from '../lab/labs.js';
import { StagingTwinStack } from '../twin/cloudfront/app/lib/stagingTwinStack.js';
import type { TwinData } from '../twin/cloudfront/app/lib/twinData.js';
import { TWIN_APP_SOURCES } from '../twin/cloudfront/twinApp.js';
import { cloudfrontFixtures } from './fixtures/cloudfront/index.js';
import { edgecheck } from './support/cli.js';

const repo = resolve(import.meta.dirname, '..');
const fixturesDir = join(import.meta.dirname, 'fixtures', 'cloudfront');
const dir = mkdtempSync(join(tmpdir(), 'edgecheck-twin-'));
// the node_modules link inside goes, not what it points at
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const PROBE = 'probe.example.net';
const HOST = 'd111111abcdef8.cloudfront.net';
const STACK = 'EdgecheckTwin';
const PORTS = { http: 8080, secondary: 8081, firstTls: 9443 };
const TOKEN_ENV = { EDGECHECK_ORIGIN_TOKEN: 'twin-test-token' };

/** Writes the twin of a fixture's JSON into dir/<name>/ (port flags not at their defaults, so they are seen). */
function twin(name: string): string {
  const out = join(dir, name);
  const res = edgecheck([
    'twin',
    'cloudfront',
    '--config',
    join(fixturesDir, `${name}.json`),
    '--probe-origin',
    PROBE,
    '--tls-port',
    String(PORTS.firstTls),
    '--control',
    `https://${PROBE}:7443`,
    '--out',
    out,
    '--host',
    HOST,
  ]);
  if (res.status !== 0) throw new Error(`twin ${name}: exit ${res.status}: ${res.stderr}`);
  return out;
}

const outs = Object.fromEntries(Object.keys(cloudfrontFixtures).map((name) => [name, twin(name)]));

/** The app as `cdk synth` runs it, in this process: the stack from the folder's own twin.json. */
function synthesised(out: string): Template {
  const data = JSON.parse(readFileSync(join(out, 'twin.json'), 'utf8')) as TwinData;
  const app = new App({ outdir: join(out, 'cdk.out.test') });
  const stack = new StagingTwinStack(app, data.stackName, data);
  return Template.fromStack(stack);
}

/**
 * The API's `{Quantity, Items}` lists as CloudFormation's arrays (an empty list
 * left out): how a policy copied verbatim looks in a template. Written apart
 * from the generator, field by field, so a mistake there shows here.
 */
function asCloudFormation(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(asCloudFormation);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>).flatMap(([key, v]) => {
    if (v !== null && typeof v === 'object' && 'Quantity' in v) {
      const items = (v as { Items?: unknown[] }).Items;
      return items?.length ? [[key, asCloudFormation(items)]] : [];
    }
    return [[key, asCloudFormation(v)]];
  });
  return Object.fromEntries(entries);
}

type Resources = Record<string, { Properties: Record<string, Record<string, unknown>> }>;

/** The logical id of the copy of a policy or key group, found by its name (`EdgecheckTwin-<source name>`). */
function copyOf(resources: Resources, configKey: string, name: string): string | undefined {
  return Object.entries(resources).find(([, r]) => r.Properties[configKey]?.Name === `${STACK}-${name}`)?.[0];
}

function assertTwin(t: Test, template: Template, source: DistributionFile): void {
  const config = source.DistributionConfig;
  template.resourceCountIs('AWS::CloudFront::Distribution', 1);
  const distribution = Object.values(template.findResources('AWS::CloudFront::Distribution'))[0]!;
  const twinConfig = distribution.Properties.DistributionConfig;

  const policies: Array<{
    type: string;
    configKey: string;
    field: 'CachePolicyId' | 'OriginRequestPolicyId' | 'ResponseHeadersPolicyId';
    table: Record<string, { Name?: string | undefined }> | undefined;
  }> = [
    {
      type: 'AWS::CloudFront::CachePolicy',
      configKey: 'CachePolicyConfig',
      field: 'CachePolicyId',
      table: source.CachePolicies,
    },
    {
      type: 'AWS::CloudFront::OriginRequestPolicy',
      configKey: 'OriginRequestPolicyConfig',
      field: 'OriginRequestPolicyId',
      table: source.OriginRequestPolicies,
    },
    {
      type: 'AWS::CloudFront::ResponseHeadersPolicy',
      configKey: 'ResponseHeadersPolicyConfig',
      field: 'ResponseHeadersPolicyId',
      table: source.ResponseHeadersPolicies,
    },
  ];
  for (const { type, configKey, table } of policies) {
    for (const [id, policy] of Object.entries(table ?? {})) {
      if (policy.Name?.startsWith('Managed-')) continue;
      // equal to the source's, field for field; only the name gets the stack's prefix (names are unique per account)
      const expected = { ...(asCloudFormation(policy) as object), Name: `${STACK}-${policy.Name}` };
      t.doesNotThrow(
        () => template.hasResourceProperties(type, { [configKey]: Match.objectEquals(expected) }),
        `${type} ${id} equals the source's`,
      );
    }
  }

  const behaviours: Array<{ source: DefaultCacheBehavior | CacheBehavior; pattern?: string }> = [
    { source: config.DefaultCacheBehavior! },
    ...(config.CacheBehaviors?.Items ?? []).map((b) => ({ source: b, pattern: b.PathPattern! })),
  ];
  for (const { source: b, pattern } of behaviours) {
    const expected: Record<string, unknown> = {
      TargetOriginId: b.TargetOriginId,
      ViewerProtocolPolicy: b.ViewerProtocolPolicy,
      Compress: b.Compress,
      AllowedMethods: b.AllowedMethods!.Items,
      CachedMethods: b.AllowedMethods!.CachedMethods!.Items,
    };
    for (const { type, configKey, field, table } of policies) {
      const id = b[field];
      if (!id) continue;
      const name = table?.[id]?.Name ?? '';
      const resources = template.findResources(type) as Resources;
      expected[field] = name.startsWith('Managed-') ? id : { Ref: copyOf(resources, configKey, name) };
    }
    if (b.ForwardedValues) {
      Object.assign(expected, { MinTTL: b.MinTTL, DefaultTTL: b.DefaultTTL, MaxTTL: b.MaxTTL });
      expected.ForwardedValues = Match.objectEquals(asCloudFormation(b.ForwardedValues) as object);
    }
    if (b.TrustedKeyGroups?.Enabled) {
      const groups = template.findResources('AWS::CloudFront::KeyGroup') as Resources;
      expected.TrustedKeyGroups = b.TrustedKeyGroups.Items!.map((id) => {
        const group = source.KeyGroups![id]!;
        const copy = copyOf(groups, 'KeyGroupConfig', group.Name!);
        // the same public keys: URLs signed for the source are signed for the twin
        t.same(groups[copy!]?.Properties.KeyGroupConfig?.Items, group.Items, `key group ${id} keeps its public keys`);
        return { Ref: copy };
      });
    }
    const lambdas = b.LambdaFunctionAssociations?.Items ?? [];
    if (lambdas.length > 0) expected.LambdaFunctionAssociations = asCloudFormation(lambdas);
    const where = pattern
      ? { CacheBehaviors: Match.arrayWith([Match.objectLike({ PathPattern: pattern, ...expected })]) }
      : { DefaultCacheBehavior: Match.objectLike(expected) };
    t.doesNotThrow(
      () =>
        template.hasResourceProperties('AWS::CloudFront::Distribution', {
          DistributionConfig: Match.objectLike(where),
        }),
      `behaviour ${pattern ?? 'default'}: its origin, policies, methods and functions as the source's`,
    );
  }

  const groups = config.OriginGroups?.Items ?? [];
  const secondaries = new Set(groups.flatMap((g) => g.Members!.Items!.slice(1).map((m) => m.OriginId)));
  const origins = twinConfig.Origins as Array<Record<string, Record<string, unknown>>>;
  for (const origin of config.Origins!.Items!) {
    const copy = origins.find((o) => (o.Id as unknown) === origin.Id);
    t.ok(copy, `origin ${origin.Id} kept`);
    t.equal(copy?.DomainName, PROBE, `origin ${origin.Id} is the probe origin`);
    t.match(
      copy?.CustomOriginConfig,
      {
        HTTPPort: secondaries.has(origin.Id) ? PORTS.secondary : PORTS.http,
        OriginProtocolPolicy: 'http-only',
      },
      `origin ${origin.Id} on the probe origin's ${secondaries.has(origin.Id) ? 'secondary' : 'HTTP'} listener`,
    );
    t.equal(copy?.S3OriginConfig, undefined, `origin ${origin.Id}: no S3 configuration on the probe origin`);
    t.equal((copy?.OriginPath as unknown) ?? '', origin.OriginPath ?? '', `origin ${origin.Id} keeps its path`);
    t.same(
      copy?.OriginCustomHeaders ?? [],
      asCloudFormation(origin.CustomHeaders?.Items ?? []),
      `origin ${origin.Id} keeps its custom headers`,
    );
  }
  t.notOk(
    origins.some((o) => (o.DomainName as unknown) !== PROBE),
    'no origin outside the probe origin',
  );
  if (groups.length > 0) {
    // CloudFormation's origin groups keep the API's {Quantity, Items}: the source's, verbatim
    t.same(twinConfig.OriginGroups, config.OriginGroups, 'the origin group kept as it is');
  } else {
    t.equal(twinConfig.OriginGroups, undefined, 'no origin group where the source has none');
  }

  ORIGIN_CERT_FAULTS.forEach((fault, i) => {
    const id = `edgecheck-origin-tls-${fault}`;
    t.match(
      origins.find((o) => (o.Id as unknown) === id),
      {
        DomainName: PROBE,
        CustomOriginConfig: { HTTPSPort: PORTS.firstTls + i, OriginProtocolPolicy: 'https-only' },
      },
      `the ${fault} TLS listener is an origin`,
    );
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        CacheBehaviors: Match.arrayWith([
          Match.objectLike({ PathPattern: `/origin-tls/${fault}/*`, TargetOriginId: id }),
        ]),
      }),
    });
  });
  t.equal(twinConfig.Aliases, undefined, "no aliases: the source's CNAMEs stay with it");
  t.same(twinConfig.ViewerCertificate, { CloudFrontDefaultCertificate: true }, "CloudFront's own certificate");
}

for (const [name, fixture] of Object.entries(cloudfrontFixtures)) {
  t.test(`${name}: the synthesised twin copies every behaviour and policy, on the probe origin`, async (t) => {
    assertTwin(t, synthesised(outs[name]!), fixture);
  });
}

t.test('the app written is the app this package compiles, its code the same for every fixture', async (t) => {
  for (const [name, out] of Object.entries(outs)) {
    for (const file of TWIN_APP_SOURCES) {
      t.equal(
        readFileSync(join(out, file), 'utf8'),
        readFileSync(join(repo, 'twin', 'cloudfront', 'app', file), 'utf8'),
        `${name}: ${file}`,
      );
    }
    const pkg = JSON.parse(readFileSync(join(out, 'package.json'), 'utf8'));
    t.match(pkg.dependencies, { 'aws-cdk-lib': String, constructs: String }, `${name}: its own dependencies`);
    t.match(pkg.devDependencies, { 'aws-cdk': String, typescript: String }, `${name}: its own dev dependencies`);
  }
});

t.test('the Lambda@Edge function is kept, and twin.json says so', async (t) => {
  const data = JSON.parse(readFileSync(join(outs['geo-redirect']!, 'twin.json'), 'utf8')) as TwinData;
  t.match(data.changes.join('\n'), /Lambda@Edge viewer-request arn:aws:lambda:.*region-redirect:7 kept/);
});

t.test("each twin's targets.yaml passes validate and tests the twin through the probe origin", async (t) => {
  for (const [name, out] of Object.entries(outs)) {
    const file = join(out, 'targets.yaml');
    const res = edgecheck(['validate', '--targets', file, '--suite', 'origin-tls,caching'], { env: TOKEN_ENV });
    t.equal(res.status, 0, `${name}: ${res.stderr}`);
    t.match(readFileSync(file, 'utf8'), /token: \$\{env:EDGECHECK_ORIGIN_TOKEN\}/, `${name}: the token by reference`);
    const loaded = loadTargets(file, labEdges, TOKEN_ENV);
    const target = loaded.targets.staging!;
    t.equal(target.url, `https://${HOST}`, `${name}: the twin's domain`);
    t.equal(target.origin?.control, `https://${PROBE}:7443`, `${name}: the probe origin's control channel`);
    t.equal(target.invalidation, undefined, `${name}: never the source's distribution for invalidations`);
    for (const fault of ORIGIN_CERT_FAULTS) {
      t.match(target.routes?.[`origin-${fault}`], { path: `/origin-tls/${fault}/` }, `${name}: route origin-${fault}`);
    }
  }
});

t.test('without --host the app is written and targets.yaml waits for the domain', async (t) => {
  const out = join(dir, 'no-host');
  const res = edgecheck([
    'twin',
    'cloudfront',
    '--config',
    join(fixturesDir, 'static-site.json'),
    '--probe-origin',
    PROBE,
    '--out',
    out,
  ]);
  t.equal(res.status, 0, res.stderr);
  t.ok(existsSync(join(out, 'twin.json')));
  t.notOk(existsSync(join(out, 'targets.yaml')));
  t.match(res.stdout, /again with --host/);
});

t.test('what CloudFront cannot take as an origin is a bad command line', async (t) => {
  const base = ['twin', 'cloudfront', '--config', join(fixturesDir, 'static-site.json'), '--out', join(dir, 'bad')];
  const byIp = edgecheck([...base, '--probe-origin', '192.0.2.10']);
  t.equal(byIp.status, 2);
  t.match(byIp.stderr, /DNS name/);
  const lowPort = edgecheck([...base, '--probe-origin', PROBE, '--origin-port', '22']);
  t.equal(lowPort.status, 2);
  t.match(lowPort.stderr, /80, 443 or 1024-65535/);
});

t.test('npx cdk synth runs the written app offline (the README path)', async (t) => {
  const out = outs['static-site']!;
  symlinkSync(join(repo, 'node_modules'), join(out, 'node_modules'));
  // no credentials, no instance metadata, no version check, notices or telemetry: nothing leaves the machine
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CDK_DISABLE_VERSION_CHECK: '1',
    CDK_DISABLE_CLI_TELEMETRY: 'true',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: join(dir, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-aws-credentials'),
  };
  for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE'])
    delete env[name];
  const res = spawnSync('npx', ['cdk', 'synth', '--no-lookups', '--no-notices', '--quiet'], {
    cwd: out,
    env,
    encoding: 'utf8',
    timeout: 240_000,
  });
  t.equal(res.status, 0, `cdk synth: ${res.stderr}`);
  const template = Template.fromJSON(JSON.parse(readFileSync(join(out, 'cdk.out', `${STACK}.template.json`), 'utf8')));
  assertTwin(t, template, cloudfrontFixtures['static-site']!);
  template.hasOutput('DomainName', { Value: { 'Fn::GetAtt': ['Distribution', 'DomainName'] } });
});
